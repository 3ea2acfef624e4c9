//! Arbitrary bytes as Bitwarden JSON exports, read with a small fixed password: nothing may panic,
//! and what reads must be whole, usable accounts.
#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    common::run(&kunci::import::bitwarden::Bitwarden, data);
});
