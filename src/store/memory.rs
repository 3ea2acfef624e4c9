//! `MemorySecrets`: a [`SecretStore`] that keeps secrets in this process's memory only.
//!
//! For tests and for trying the window without touching a keychain: every store opened on
//! the same `MemorySecrets` shares its entries (as a keychain is shared), and nothing
//! survives the process. Kunci itself never chooses it.

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;

use zeroize::Zeroizing;

use super::secrets::{SecretStore, SecretsError};
use crate::accounts::AccountId;

#[derive(Default)]
pub struct MemorySecrets(Mutex<HashMap<(String, AccountId), Zeroizing<String>>>);

impl MemorySecrets {
    fn entries(
        &self,
    ) -> std::sync::MutexGuard<'_, HashMap<(String, AccountId), Zeroizing<String>>> {
        // A panic elsewhere while holding the lock leaves the map itself intact.
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// How many entries there are, in every vault.
    pub fn len(&self) -> usize {
        self.entries().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl SecretStore for MemorySecrets {
    fn put(&self, vault: &str, id: &AccountId, value: &str, _: &str) -> Result<(), SecretsError> {
        let key = (vault.to_string(), id.clone());
        self.entries()
            .insert(key, Zeroizing::new(value.to_string()));
        Ok(())
    }

    fn get(&self, vault: &str, id: &AccountId) -> Result<Option<Zeroizing<String>>, SecretsError> {
        Ok(self
            .entries()
            .get(&(vault.to_string(), id.clone()))
            .cloned())
    }

    fn delete(&self, vault: &str, id: &AccountId) -> Result<(), SecretsError> {
        self.entries().remove(&(vault.to_string(), id.clone()));
        Ok(())
    }

    fn ids(&self, vault: &str) -> Result<Option<Vec<AccountId>>, SecretsError> {
        let ids = self
            .entries()
            .keys()
            .filter(|(v, _)| v == vault)
            .map(|(_, id)| id.clone())
            .collect();
        Ok(Some(ids))
    }

    fn lists(&self) -> Result<Option<BTreeMap<String, usize>>, SecretsError> {
        let mut lists = BTreeMap::new();
        for (vault, _) in self.entries().keys() {
            *lists.entry(vault.clone()).or_insert(0) += 1;
        }
        Ok(Some(lists))
    }
}
