//! Arbitrary bytes as a Kunci backup: the sealed-file header parser (through `params_of`), `open`
//! with a small fixed passphrase, and the importer. Nothing may panic; parameters that are read are
//! within the Argon2id bounds, so no iteration derives for long.
#![no_main]

mod common;

use kunci::import::kunci::{KunciBackup, open, params_of};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(params) = params_of(data) {
        assert!(
            kunci::kdf::check_argon2id(
                params.m_cost_kib.into(),
                params.t_cost.into(),
                params.p_cost.into()
            )
            .is_ok()
        );
    }
    common::check_result(&open(data, common::PASSWORD));
    common::run(&KunciBackup, data);
});
