//! The OS keychain: the only place a secret is ever stored, and the only caller of `keyring-core`.
//!
//! One entry per account: service [`SERVICE`], user `<vault id>/<account id>`. The value is the
//! account's full `otpauth://` URI, so that an entry whose metadata was lost (a crash between
//! the two writes of an add) can be recovered with its name and parameters, not just its key.

use std::collections::HashMap;
use std::sync::Arc;

use keyring_core::{Entry, Error as KeyringError, api::CredentialStore};
use zeroize::Zeroizing;

use super::vault::VaultError;
use crate::accounts::AccountId;

/// The keychain "service" every Kunci entry is filed under.
pub const SERVICE: &str = "kunci";

/// Why the secret store (the keychain, or the vault file in its place) could not do what was
/// asked. The messages say what to do about it.
#[derive(Debug, thiserror::Error)]
pub enum KeychainError {
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
    /// The vault file, standing in for the keychain ([`super::vault::Vault`]), failed: its own
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

impl KeychainError {
    fn from_keyring(err: KeyringError) -> Self {
        // Keep the chain's words (no secret ever goes into a keyring error).
        let mut detail = err.to_string();
        let mut source = std::error::Error::source(&err);
        while let Some(s) = source {
            let text = s.to_string();
            if !detail.contains(&text) {
                detail.push_str(": ");
                detail.push_str(&text);
            }
            source = s.source();
        }
        match err {
            KeyringError::NoStorageAccess(_) => KeychainError::Locked { detail },
            KeyringError::NoDefaultStore => KeychainError::Unavailable { detail },
            KeyringError::PlatformFailure(_) if looks_unreachable(&detail) => {
                KeychainError::Unavailable { detail }
            }
            _ => KeychainError::Other { detail },
        }
    }
}

/// D-Bus words for "nobody is there": no session bus, or no Secret Service provider on it.
fn looks_unreachable(detail: &str) -> bool {
    [
        "ServiceUnknown",
        "Failed to connect",
        "No such file or directory",
        "Connection refused",
        "DBUS_SESSION_BUS_ADDRESS",
        "NameHasNoOwner",
        "org.freedesktop.secrets",
    ]
    .iter()
    .any(|w| detail.contains(w))
}

/// Where secrets are kept: the OS keychain ([`Keychain`]) or, by the user's choice on a
/// computer without a usable keychain, the encrypted vault file ([`super::vault::Vault`]).
pub trait SecretStore: Send + Sync {
    /// Stores (or replaces) the value for an account. `description` is shown by keychain tools.
    fn put(
        &self,
        vault: &str,
        id: &AccountId,
        value: &str,
        description: &str,
    ) -> Result<(), KeychainError>;
    /// The stored value, or `None` when there is no entry.
    fn get(&self, vault: &str, id: &AccountId) -> Result<Option<Zeroizing<String>>, KeychainError>;
    /// Removes the entry; a missing entry is not an error.
    fn delete(&self, vault: &str, id: &AccountId) -> Result<(), KeychainError>;
    /// The ids of all entries of this vault, or `None` when the store cannot list its entries.
    fn ids(&self, vault: &str) -> Result<Option<Vec<AccountId>>, KeychainError>;
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

    fn error(&self) -> KeychainError {
        KeychainError::Unavailable {
            detail: self.reason.clone(),
        }
    }
}

impl SecretStore for NoSecretStore {
    fn put(&self, _: &str, _: &AccountId, _: &str, _: &str) -> Result<(), KeychainError> {
        Err(self.error())
    }
    fn get(&self, _: &str, _: &AccountId) -> Result<Option<Zeroizing<String>>, KeychainError> {
        Err(self.error())
    }
    fn delete(&self, _: &str, _: &AccountId) -> Result<(), KeychainError> {
        Err(self.error())
    }
    fn ids(&self, _: &str) -> Result<Option<Vec<AccountId>>, KeychainError> {
        Err(self.error())
    }
}

/// The platform keychain through keyring-core.
pub struct Keychain {
    store: Arc<CredentialStore>,
}

impl std::fmt::Debug for Keychain {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Keychain").finish_non_exhaustive()
    }
}

impl Keychain {
    /// Connects to the platform's keychain (Secret Service, Credential Manager, Keychain).
    /// Fails with [`KeychainError::Unavailable`] when there is none.
    pub fn connect() -> Result<Self, KeychainError> {
        let store = platform_store().map_err(KeychainError::from_keyring)?;
        // Also the process default, for any code that asks keyring-core without a handle.
        keyring_core::set_default_store(store.clone());
        Ok(Keychain { store })
    }

    fn entry(
        &self,
        vault: &str,
        id: &AccountId,
        description: Option<&str>,
    ) -> Result<Entry, KeychainError> {
        let user = format!("{vault}/{id}");
        let built = match description {
            Some(label) if cfg!(target_os = "linux") => {
                let modifiers = HashMap::from([("label", label)]);
                Entry::new_in_store_with_modifiers(&self.store, SERVICE, &user, &modifiers)
            }
            _ => Entry::new_in_store(&self.store, SERVICE, &user),
        };
        built.map_err(KeychainError::from_keyring)
    }
}

impl SecretStore for Keychain {
    fn put(
        &self,
        vault: &str,
        id: &AccountId,
        value: &str,
        description: &str,
    ) -> Result<(), KeychainError> {
        let label = format!("Kunci: {description}");
        self.entry(vault, id, Some(&label))?
            .set_password(value)
            .map_err(KeychainError::from_keyring)
    }

    fn get(&self, vault: &str, id: &AccountId) -> Result<Option<Zeroizing<String>>, KeychainError> {
        match self.entry(vault, id, None)?.get_password() {
            Ok(value) => Ok(Some(Zeroizing::new(value))),
            Err(KeyringError::NoEntry) => Ok(None),
            Err(KeyringError::BadEncoding(_)) => {
                Err(KeychainError::BadEntry { id: id.to_string() })
            }
            Err(e) => Err(KeychainError::from_keyring(e)),
        }
    }

    fn delete(&self, vault: &str, id: &AccountId) -> Result<(), KeychainError> {
        match self.entry(vault, id, None)?.delete_credential() {
            Ok(()) | Err(KeyringError::NoEntry) => Ok(()),
            Err(e) => Err(KeychainError::from_keyring(e)),
        }
    }

    fn ids(&self, vault: &str) -> Result<Option<Vec<AccountId>>, KeychainError> {
        let spec = search_spec(vault);
        let spec: HashMap<&str, &str> = spec.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let entries = match self.store.search(&spec) {
            Ok(entries) => entries,
            Err(KeyringError::NotSupportedByStore(_)) => return Ok(None),
            Err(e) => return Err(KeychainError::from_keyring(e)),
        };
        let prefix = format!("{vault}/");
        let mut ids = Vec::new();
        for entry in entries {
            let user = match entry.get_specifiers() {
                Some((service, user)) if service == SERVICE => Some(user),
                Some(_) => None,
                None => entry.get_attributes().ok().and_then(|attrs| {
                    (attrs.get("service").map(String::as_str) == Some(SERVICE))
                        .then(|| attrs.get("username").or(attrs.get("user")).cloned())
                        .flatten()
                }),
            };
            if let Some(id) = user
                .as_deref()
                .and_then(|u| u.strip_prefix(&prefix))
                .and_then(AccountId::parse)
            {
                ids.push(id);
            }
        }
        ids.sort();
        ids.dedup();
        Ok(Some(ids))
    }
}

#[cfg(target_os = "linux")]
fn platform_store() -> Result<Arc<CredentialStore>, KeyringError> {
    Ok(zbus_secret_service_keyring_store::Store::new()?)
}

#[cfg(target_os = "windows")]
fn platform_store() -> Result<Arc<CredentialStore>, KeyringError> {
    Ok(windows_native_keyring_store::Store::new()?)
}

#[cfg(target_os = "macos")]
fn platform_store() -> Result<Arc<CredentialStore>, KeyringError> {
    Ok(apple_native_keyring_store::keychain::Store::new()?)
}

#[cfg(not(any(target_os = "linux", target_os = "windows", target_os = "macos")))]
fn platform_store() -> Result<Arc<CredentialStore>, KeyringError> {
    Err(KeyringError::NotSupportedByStore(
        "this operating system has no supported keychain".into(),
    ))
}

/// How to ask the platform store for every Kunci entry of one vault.
fn search_spec(vault: &str) -> Vec<(&'static str, String)> {
    if cfg!(target_os = "windows") {
        // Credential Manager targets are "<user>.<service>"; the store searches by regex.
        vec![("pattern", format!(r"^{vault}/[0-9a-f]+\.{SERVICE}$"))]
    } else {
        vec![("service", SERVICE.to_string())]
    }
}
