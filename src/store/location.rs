//! Where a data directory's secrets are kept, decided in one place for the window and the
//! command line: in the encrypted vault file when it exists (its presence *is* the choice, so
//! the choice travels with the data and a damaged settings file cannot flip it), else in the
//! platform keychain.

use std::path::PathBuf;
use std::sync::Arc;

use super::paths::DataDir;
use super::secrets::{SecretStore, SecretsError};
use super::vault::Vault;
use super::{LoadProblem, Store, StoreError};

/// Where the secrets of one data directory are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecretsLocation {
    /// The platform keychain (Secret Service, Credential Manager, Keychain).
    Keychain,
    /// The encrypted vault file at `path`.
    Vault { path: PathBuf },
}

/// Why the store could not be opened where its secrets are.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OpenError {
    /// The system names no data directory for this user (no home folder).
    #[error("the system names no folder for Kunci's data (is HOME set?)")]
    NoDataDir,
    /// The secrets are in the vault, and it was not unlocked (ask for its passphrase).
    #[error("the secrets are in the encrypted vault, which is locked")]
    VaultLocked,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<SecretsError> for OpenError {
    fn from(e: SecretsError) -> Self {
        OpenError::Store(e.into())
    }
}

impl OpenError {
    /// True when the keychain is missing or refuses: then the vault is the way out to offer.
    pub fn keychain_refused(&self) -> bool {
        matches!(
            self,
            OpenError::Store(StoreError::Secrets(
                SecretsError::Unavailable { .. } | SecretsError::Locked { .. }
            ))
        )
    }
}

impl SecretsLocation {
    /// Where the secrets of `dir` are kept now.
    pub fn of(dir: &DataDir) -> Self {
        if Vault::exists(dir) {
            SecretsLocation::Vault {
                path: Vault::path(dir),
            }
        } else {
            SecretsLocation::Keychain
        }
    }

    pub fn is_vault(&self) -> bool {
        matches!(self, SecretsLocation::Vault { .. })
    }

    /// The secret store to use: `unlocked`, when the vault is the choice (else
    /// [`OpenError::VaultLocked`]); the keychain otherwise.
    pub fn secrets(&self, unlocked: Option<Arc<Vault>>) -> Result<Arc<dyn SecretStore>, OpenError> {
        match self {
            SecretsLocation::Vault { .. } => match unlocked {
                Some(vault) => Ok(vault),
                None => Err(OpenError::VaultLocked),
            },
            SecretsLocation::Keychain => Ok(Arc::new(super::Keychain::connect()?)),
        }
    }
}

impl Store {
    /// [`Store::open_where_kept`] on the data directory of this run ([`DataDir::from_env`]).
    pub fn open_default(
        unlocked: Option<Arc<Vault>>,
    ) -> Result<(Store, Vec<LoadProblem>), OpenError> {
        let dir = DataDir::from_env().ok_or(OpenError::NoDataDir)?;
        Store::open_where_kept(dir, unlocked)
    }

    /// Opens the store of `dir` where its secrets are ([`SecretsLocation::of`]): with the
    /// `unlocked` vault when that is the choice, else with the keychain.
    pub fn open_where_kept(
        dir: DataDir,
        unlocked: Option<Arc<Vault>>,
    ) -> Result<(Store, Vec<LoadProblem>), OpenError> {
        let secrets = SecretsLocation::of(&dir).secrets(unlocked)?;
        Ok(Store::open(dir, secrets)?)
    }
}
