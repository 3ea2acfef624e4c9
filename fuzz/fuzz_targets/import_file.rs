//! Arbitrary bytes as a file to import: `kunci::import::import_file` recognises the format and
//! reads it (with a small fixed password, and without). Nothing may panic; what reads must be
//! whole, usable accounts; the importer chosen must be one that recognises the bytes.
#![no_main]

mod common;

use kunci::import::{ImportError, MAX_FILE_BYTES, detect, import_file};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    match detect(data) {
        Ok(importer) => {
            assert!(importer.detect(data));
            let _ = importer.is_encrypted(data);
        }
        Err(error) => assert!(matches!(
            error,
            ImportError::UnknownFormat | ImportError::TooLarge { .. }
        )),
    }
    assert!(data.len() <= MAX_FILE_BYTES);
    for password in [Some(common::PASSWORD), None] {
        match import_file(data, password) {
            Ok((format, imported)) => {
                assert!(!format.is_empty());
                common::check(&imported);
            }
            Err(error) => {
                let _ = error.to_string();
            }
        }
    }
});
