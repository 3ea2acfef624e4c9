//! What every importer target checks of a file that reads: whole, usable accounts only.

#![allow(dead_code)]

use kunci::import::{ImportError, Imported, Importer};
use kunci::otp::{MIN_SECRET_BYTES, OtpUri};

/// The small fixed password the targets try (the fixtures' is `kunci-test`: a seed that opens
/// with it is out of reach, which keeps every iteration to one bounded derivation per slot).
pub const PASSWORD: &str = "x";

/// What an importer read must be whole and usable: every account valid, with a secret long
/// enough, and written as otpauth:// it reads back the same (what the store does with it).
pub fn check(imported: &Imported) {
    assert!(imported.extras.len() <= imported.accounts.len());
    for account in &imported.accounts {
        assert!(account.secret.as_bytes().len() >= MIN_SECRET_BYTES);
        assert!(account.params.validate().is_ok());
        assert_eq!(OtpUri::parse(&account.to_uri()).as_ref(), Ok(account));
    }
    for skipped in &imported.skipped {
        let _ = skipped.to_string();
    }
}

/// The answer of an import: checked when it read, worded when it did not.
pub fn check_result(result: &Result<Imported, ImportError>) {
    match result {
        Ok(imported) => check(imported),
        Err(error) => {
            let _ = error.to_string();
        }
    }
}

/// One importer on `data`: detection, the encryption test, and a read with and without the
/// password. Nothing may panic, whatever the format.
pub fn run(importer: &dyn Importer, data: &[u8]) {
    let _ = importer.detect(data);
    let _ = importer.is_encrypted(data);
    check_result(&importer.import(data, Some(PASSWORD)));
    check_result(&importer.import(data, None));
}
