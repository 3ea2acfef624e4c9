//! Google Authenticator export payloads: arbitrary bytes as the protobuf inside the link, and
//! as the link's text. Nothing may panic; whatever parses must be whole, usable accounts.
#![no_main]

use kunci::otp::migration::{self, MAX_ACCOUNTS};
use kunci::otp::{MIN_SECRET_BYTES, OtpUri};
use libfuzzer_sys::fuzz_target;

fn check(batch: &migration::Batch) {
    assert!(batch.accounts.len() + batch.skipped.len() <= MAX_ACCOUNTS);
    assert!(batch.batch_index < batch.batch_size);
    for account in &batch.accounts {
        assert!(account.secret.as_bytes().len() >= MIN_SECRET_BYTES);
        assert!(account.params.validate().is_ok());
        // What the store does with it: written as otpauth:// and read back the same.
        assert_eq!(OtpUri::parse(&account.to_uri()).as_ref(), Ok(account));
    }
    // What parses, writes and reads back the same.
    if !batch.accounts.is_empty() {
        let again = migration::encode(
            &batch.accounts,
            batch.batch_size,
            batch.batch_index,
            batch.batch_id,
        );
        let reread = migration::parse(&again).map(|b| b.accounts);
        assert_eq!(reread.as_ref(), Ok(&batch.accounts));
    }
}

fuzz_target!(|data: &[u8]| {
    // The bytes as the decoded payload.
    if let Ok(batch) = migration::parse_payload_bytes(data) {
        check(&batch);
    }
    // The bytes as the text of a scanned QR code.
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(batch) = migration::parse(text) {
            check(&batch);
        }
        let link = format!("otpauth-migration://offline?data={text}");
        if let Ok(batch) = migration::parse(&link) {
            check(&batch);
        }
    }
});
