//! The OS keychain: where secrets are stored (unless the user chose the vault file), and the
//! only caller of `keyring-core`.
//!
//! One entry per account: service [`SERVICE`], user `<vault id>/<account id>`. The value is the
//! account's full `otpauth://` URI, so that an entry whose metadata was lost (a crash between
//! the two writes of an add) can be recovered with its name and parameters, not just its key.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use keyring_core::{Entry, Error as KeyringError, api::CredentialStore};
use zeroize::Zeroizing;

use super::secrets::{SecretStore, SecretsError, VaultEntries};
use crate::accounts::AccountId;

/// The keychain "service" every Kunci entry is filed under.
pub const SERVICE: &str = "kunci";

impl SecretsError {
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
            KeyringError::NoStorageAccess(_) => SecretsError::Locked { detail },
            KeyringError::NoDefaultStore => SecretsError::Unavailable { detail },
            KeyringError::PlatformFailure(_) if looks_unreachable(&detail) => {
                SecretsError::Unavailable { detail }
            }
            _ => SecretsError::Other { detail },
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
    /// Fails with [`SecretsError::Unavailable`] when there is none.
    pub fn connect() -> Result<Self, SecretsError> {
        let store = platform_store().map_err(SecretsError::from_keyring)?;
        Ok(Keychain { store })
    }

    fn entry(
        &self,
        vault: &str,
        id: &AccountId,
        description: Option<&str>,
    ) -> Result<Entry, SecretsError> {
        let user = format!("{vault}/{id}");
        let built = match description {
            Some(label) if cfg!(target_os = "linux") => {
                let modifiers = HashMap::from([("label", label)]);
                Entry::new_in_store_with_modifiers(&self.store, SERVICE, &user, &modifiers)
            }
            _ => Entry::new_in_store(&self.store, SERVICE, &user),
        };
        built.map_err(SecretsError::from_keyring)
    }

    /// Every Kunci entry, as (vault, account id), of one vault or of all; `None` when the
    /// platform store cannot search.
    fn entries(
        &self,
        vault: Option<&str>,
    ) -> Result<Option<Vec<(String, AccountId)>>, SecretsError> {
        // On Linux, the entries' attributes all at once (keyring-core asks for them one round
        // trip at a time: half a second for 500 accounts); the slow way if that fails.
        #[cfg(target_os = "linux")]
        if let Ok(users) = super::secret_service::users(SERVICE) {
            return Ok(Some(
                users
                    .iter()
                    .filter_map(|user| {
                        let (v, id) = user.split_once('/')?;
                        let id = AccountId::parse(id)?;
                        vault
                            .is_none_or(|vault| vault == v)
                            .then(|| (v.to_string(), id))
                    })
                    .collect(),
            ));
        }
        let spec = search_spec(vault);
        let spec: HashMap<&str, &str> = spec.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let entries = match self.store.search(&spec) {
            Ok(entries) => entries,
            Err(KeyringError::NotSupportedByStore(_)) => return Ok(None),
            Err(e) => return Err(SecretsError::from_keyring(e)),
        };
        let mut found = Vec::new();
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
            if let Some((vault, id)) = user.as_deref().and_then(|u| u.split_once('/'))
                && let Some(id) = AccountId::parse(id)
            {
                found.push((vault.to_string(), id));
            }
        }
        Ok(Some(found))
    }
}

impl SecretStore for Keychain {
    fn put(
        &self,
        vault: &str,
        id: &AccountId,
        value: &str,
        description: &str,
    ) -> Result<(), SecretsError> {
        let label = format!("Kunci: {description}");
        self.entry(vault, id, Some(&label))?
            .set_password(value)
            .map_err(SecretsError::from_keyring)
    }

    fn get(&self, vault: &str, id: &AccountId) -> Result<Option<Zeroizing<String>>, SecretsError> {
        match self.entry(vault, id, None)?.get_password() {
            Ok(value) => Ok(Some(Zeroizing::new(value))),
            Err(KeyringError::NoEntry) => Ok(None),
            Err(KeyringError::BadEncoding(_)) => Err(SecretsError::BadEntry { id: id.to_string() }),
            Err(e) => Err(SecretsError::from_keyring(e)),
        }
    }

    fn delete(&self, vault: &str, id: &AccountId) -> Result<(), SecretsError> {
        match self.entry(vault, id, None)?.delete_credential() {
            Ok(()) | Err(KeyringError::NoEntry) => Ok(()),
            Err(e) => Err(SecretsError::from_keyring(e)),
        }
    }

    fn ids(&self, vault: &str) -> Result<Option<Vec<AccountId>>, SecretsError> {
        let Some(entries) = self.entries(Some(vault))? else {
            return Ok(None);
        };
        let mut ids: Vec<AccountId> = entries
            .into_iter()
            .filter(|(v, _)| v == vault)
            .map(|(_, id)| id)
            .collect();
        ids.sort();
        ids.dedup();
        Ok(Some(ids))
    }

    fn lists(&self) -> Result<Option<BTreeMap<String, usize>>, SecretsError> {
        let Some(entries) = self.entries(None)? else {
            return Ok(None);
        };
        let mut lists = BTreeMap::new();
        for (vault, _) in entries {
            *lists.entry(vault).or_insert(0) += 1;
        }
        Ok(Some(lists))
    }

    /// On Linux, one Secret Service exchange for the whole vault (keyring-core has no such
    /// call: `super::secret_service`); elsewhere none.
    fn read_vault(&self, vault: &str) -> Result<Option<VaultEntries>, SecretsError> {
        #[cfg(target_os = "linux")]
        {
            super::secret_service::read_vault(SERVICE, vault)
                .map(Some)
                .map_err(|detail| SecretsError::Other { detail })
        }
        #[cfg(not(target_os = "linux"))]
        {
            let _ = vault;
            Ok(None)
        }
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

/// How to ask the platform store for every Kunci entry of one vault, or of all.
fn search_spec(vault: Option<&str>) -> Vec<(&'static str, String)> {
    if cfg!(target_os = "windows") {
        // Credential Manager targets are "<user>.<service>"; the store searches by regex.
        let vault = vault.map_or_else(|| "[0-9a-z-]+".to_string(), regex_escape);
        vec![("pattern", format!(r"^{vault}/[0-9a-f]+\.{SERVICE}$"))]
    } else {
        vec![("service", SERVICE.to_string())]
    }
}

/// `text` with regex metacharacters escaped (vault ids are hex, but never trust that).
fn regex_escape(text: &str) -> String {
    text.chars()
        .flat_map(|c| {
            let escape = !c.is_ascii_alphanumeric() && c != '-' && c != '_';
            escape.then_some('\\').into_iter().chain(std::iter::once(c))
        })
        .collect()
}
