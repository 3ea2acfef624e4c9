//! Arbitrary bytes as `vault.json`: `Vault::params_of` and `Vault::unlock` with a small fixed
//! passphrase, on a data directory of this process's own. Nothing may panic; parameters that
//! are read are within the Argon2id bounds, so no iteration derives for long. No `.bak` is
//! ever there, so unlocking never writes.
#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use kunci::store::{DataDir, SecretStore, Vault};
use libfuzzer_sys::fuzz_target;

/// A directory for this process (left in the temp dir; one per fuzzing process).
fn dir() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("kunci-fuzz-vault-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("a temporary directory");
        dir
    })
}

fuzz_target!(|data: &[u8]| {
    let dir = DataDir::new(dir().clone());
    std::fs::write(Vault::path(&dir), data).expect("write vault.json");
    if let Ok(params) = Vault::params_of(&dir) {
        assert!(
            kunci::kdf::check_argon2id(
                params.m_cost_kib.into(),
                params.t_cost.into(),
                params.p_cost.into()
            )
            .is_ok()
        );
    }
    match Vault::unlock(&dir, "x") {
        Ok(vault) => {
            assert!(vault.set_aside().is_none());
            let _ = vault.ids("v1");
        }
        Err(error) => {
            let _ = error.to_string();
        }
    }
});
