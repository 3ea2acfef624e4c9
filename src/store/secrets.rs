//! Where secrets are kept, as one trait: the OS keychain ([`super::Keychain`]), the encrypted
//! vault file ([`super::Vault`]) or memory ([`super::MemorySecrets`]) implement
//! [`SecretStore`]; [`NoSecretStore`] stands in when there is none. Their failures are one
//! type, [`SecretsError`], so the store and the fronts handle them the same way whichever is in
//! use, while each is still worded as its own (the vault's as the vault's).

use std::collections::{BTreeMap, HashMap};

use zeroize::Zeroizing;

use super::vault_error::VaultError;
use crate::accounts::AccountId;

/// Why the secret store (the keychain, or the vault file in its place) could not do what was
/// asked. The messages say what to do about it.
#[derive(Debug, thiserror::Error)]
pub enum SecretsError {
    #[error(
        "no keychain is reachable ({detail}). {hint}",
        hint = platform_hint()
    )]
    Unavailable { detail: String },
    #[error(
        "the keychain is locked or refused access ({detail}). Unlock it (on Linux: log out and \
         in again, or open \"Passwords and Keys\" and unlock the Login keyring) and try again. \
         Nothing was saved"
    )]
    Locked { detail: String },
    #[error("the keychain entry for account {id} holds data Kunci cannot read")]
    BadEntry { id: String },
    #[error("the keychain failed: {detail}")]
    Other { detail: String },
    /// The vault file, standing in for the keychain ([`super::Vault`]), failed: its own
    /// error, so that it is worded as the vault's and not the keychain's.
    #[error(transparent)]
    Vault(#[from] VaultError),
}

fn platform_hint() -> &'static str {
    if cfg!(target_os = "linux") {
        "Kunci keeps secrets in the desktop's Secret Service (GNOME Keyring, KWallet or \
         KeePassXC). Start one in your session (for example install and log in to \
         gnome-keyring) and try again. Nothing was saved"
    } else if cfg!(target_os = "windows") {
        "Kunci keeps secrets in Windows Credential Manager; it may be disabled by policy. \
         Nothing was saved"
    } else {
        "Kunci keeps secrets in the macOS Keychain. Nothing was saved"
    }
}

/// Where secrets are kept: the OS keychain ([`super::Keychain`]) or, by the user's choice on a
/// computer without a usable keychain, the encrypted vault file ([`super::Vault`]).
pub trait SecretStore: Send + Sync {
    /// Stores (or replaces) the value for an account. `description` is shown by keychain tools.
    fn put(
        &self,
        vault: &str,
        id: &AccountId,
        value: &str,
        description: &str,
    ) -> Result<(), SecretsError>;
    /// The stored value, or `None` when there is no entry.
    fn get(&self, vault: &str, id: &AccountId) -> Result<Option<Zeroizing<String>>, SecretsError>;
    /// Removes the entry; a missing entry is not an error.
    fn delete(&self, vault: &str, id: &AccountId) -> Result<(), SecretsError>;
    /// The ids of all entries of this vault, or `None` when the store cannot list its entries.
    fn ids(&self, vault: &str) -> Result<Option<Vec<AccountId>>, SecretsError>;
    /// Every vault (account list) that has entries here — this data directory's and others' —
    /// with how many entries each has, read in one listing; `None` when the store cannot list
    /// its entries.
    fn lists(&self) -> Result<Option<BTreeMap<String, usize>>, SecretsError>;
    /// This vault's entries listed, with their values, in one exchange: the Secret Service on
    /// Linux, where [`Self::get`] is a round trip per entry. `None` (the default): the store
    /// has no such call, and [`Self::ids`] and [`Self::get`] are for it.
    fn read_vault(&self, _vault: &str) -> Result<Option<VaultEntries>, SecretsError> {
        Ok(None)
    }
}

/// A vault's entries as [`SecretStore::read_vault`] gives them. No `Debug`: it holds secrets.
#[derive(Default)]
pub struct VaultEntries {
    /// Every entry's account id, as [`SecretStore::ids`] gives them (locked entries too).
    pub ids: Vec<AccountId>,
    /// The values given in the same exchange, by account id. An entry left out (locked, or
    /// not readable so) is read with [`SecretStore::get`], which says what is wrong with it.
    pub values: HashMap<AccountId, Zeroizing<String>>,
}

/// No keychain at all: lets the metadata be read (to list accounts) when the keychain is
/// unreachable; every secret operation fails with the reason given.
#[derive(Debug, Clone)]
pub struct NoSecretStore {
    reason: String,
}

impl NoSecretStore {
    pub fn new(reason: impl Into<String>) -> Self {
        NoSecretStore {
            reason: reason.into(),
        }
    }

    fn error(&self) -> SecretsError {
        SecretsError::Unavailable {
            detail: self.reason.clone(),
        }
    }
}

impl SecretStore for NoSecretStore {
    fn put(&self, _: &str, _: &AccountId, _: &str, _: &str) -> Result<(), SecretsError> {
        Err(self.error())
    }
    fn get(&self, _: &str, _: &AccountId) -> Result<Option<Zeroizing<String>>, SecretsError> {
        Err(self.error())
    }
    fn delete(&self, _: &str, _: &AccountId) -> Result<(), SecretsError> {
        Err(self.error())
    }
    fn ids(&self, _: &str) -> Result<Option<Vec<AccountId>>, SecretsError> {
        Err(self.error())
    }
    fn lists(&self) -> Result<Option<BTreeMap<String, usize>>, SecretsError> {
        Err(self.error())
    }
}
