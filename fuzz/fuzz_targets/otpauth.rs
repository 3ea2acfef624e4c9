//! Arbitrary text as a scanned QR code: `OtpUri::parse` and `scan::payload::classify` must
//! never panic, and an account that parses must write and read back the same.
#![no_main]

use kunci::otp::OtpUri;
use kunci::scan::payload::{Payload, classify};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    if let Ok(uri) = OtpUri::parse(text) {
        assert!(uri.params.validate().is_ok());
        assert_eq!(OtpUri::parse(&uri.to_uri()).as_ref(), Ok(&uri));
    }
    // Also as the query of an otpauth link, where most of the parsing happens.
    let _ = OtpUri::parse(&format!("otpauth://totp/Issuer:name?{text}"));
    match classify(text) {
        Ok(Payload::NotAnAccount(what)) => {
            let _ = what.to_string();
        }
        Ok(Payload::Account(uri)) => assert!(uri.params.validate().is_ok()),
        Ok(Payload::Migration(batch)) => assert!(batch.batch_index < batch.batch_size),
        Err(error) => {
            let _ = error.to_string();
        }
    }
});
