//! Why the vault could not do what was asked: its own words, also inside
//! [`super::SecretsError::Vault`] when the vault stands in for the keychain. A file of its own
//! so that the secret store's error can name it without needing the vault.

use std::path::PathBuf;

use crate::store::sealed::SealError;

/// Why the vault could not do what was asked. The messages say what to do about it.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum VaultError {
    #[error("the passphrase is empty; a vault needs one")]
    EmptyPassphrase,
    #[error("the passphrase is wrong")]
    WrongPassphrase,
    #[error("there is no vault file in {}", dir.display())]
    Missing { dir: PathBuf },
    #[error("there is already a vault file at {}; nothing was changed", path.display())]
    Exists { path: PathBuf },
    #[error(
        "the vault file {} is damaged ({reason}) and was left as it is; restore it from a \
         copy, or from a Kunci backup",
        path.display()
    )]
    Damaged { path: PathBuf, reason: String },
    /// The file asks for more Argon2id work than Kunci ever writes (bounds in
    /// [`crate::kdf`]): refused before any derivation.
    #[error(
        "the vault file {} asks for far more work to unlock than Kunci ever writes ({what}): \
         it was not made by Kunci, or was altered. It was left as it is; restore it from a \
         copy, or from a Kunci backup",
        path.display()
    )]
    TooMuchWork {
        path: PathBuf,
        what: crate::kdf::TooMuchWork,
    },
    #[error(
        "the vault file {} was made by another version of Kunci ({what}); update Kunci. The \
         file was not changed",
        path.display()
    )]
    Unsupported { path: PathBuf, what: String },
    #[error(
        "the vault file {} was replaced by another vault since it was unlocked; unlock it \
         again. Nothing was saved",
        path.display()
    )]
    Replaced { path: PathBuf },
    /// Another process held the vault's lock for several seconds.
    #[error(
        "the vault file {} is in use by another Kunci (a window or a command), or by another \
         program; close it and try again. Nothing was changed",
        path.display()
    )]
    Busy { path: PathBuf },
    #[error("cannot read or write {}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot encrypt the vault: {0}")]
    Seal(String),
}

impl From<SealError> for VaultError {
    fn from(e: SealError) -> Self {
        VaultError::Seal(match e {
            SealError::Random(why) | SealError::Kdf(why) => why,
            SealError::Encrypt => "encryption failed".into(),
        })
    }
}
