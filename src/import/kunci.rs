/*!
Kunci's own encrypted backups (`kunci export --format kunci`).

Format: [`crate::store::backup`] (Argon2id + XChaCha20-Poly1305 around a JSON account list).
Nothing is lost: every TOTP and HOTP account comes back whole, counters included, with its note
and pin, in the order of the list it was made from.
*/

use super::{ImportError, Imported, Importer, json_with};
use crate::store::backup::{self, NAME};

/// A Kunci backup file.
pub struct KunciBackup;

impl Importer for KunciBackup {
    fn name(&self) -> &'static str {
        NAME
    }

    fn detect(&self, bytes: &[u8]) -> bool {
        json_with(bytes, b'{', &["\"kunci_backup\""])
    }

    fn is_encrypted(&self, _bytes: &[u8]) -> bool {
        true
    }

    fn import(&self, bytes: &[u8], password: Option<&str>) -> Result<Imported, ImportError> {
        let password = password.ok_or(ImportError::NeedsPassword { format: NAME })?;
        backup::open(bytes, password)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_backup_is_recognised_and_needs_its_passphrase() {
        let bytes = br#"{"kunci_backup": 1, "kdf": {}, "nonce": "", "ciphertext": ""}"#;
        assert!(super::super::detect(bytes).is_ok_and(|i| i.name() == NAME));
        assert_eq!(
            KunciBackup.import(bytes, None),
            Err(ImportError::NeedsPassword { format: NAME })
        );
        assert!(matches!(
            KunciBackup.import(b"{\"kunci_backup\": 1, \"kdf", Some("x")),
            Err(ImportError::Damaged { .. })
        ));
    }
}
