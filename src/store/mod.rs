//! Persistence: secrets in the OS keychain, everything else in `accounts.json`.
//!
//! The order of every change survives a crash at any point (DESIGN.md §3):
//! - add: the secret goes to the keychain first, then the account into the metadata;
//! - remove: the account leaves the metadata first (remembered as a pending delete), then
//!   the secret leaves the keychain.
//!
//! [`Store::reconcile`] finishes what a crash interrupted: a keychain entry of this data
//! directory without an account is recovered as an account (its value is the full
//! `otpauth://` URI), unless it was a pending delete; an account without a secret is reported,
//! never dropped.

mod atomic;
mod keychain;
mod location;
mod memory;
pub mod metadata;
mod paths;
pub(crate) mod sealed;
#[cfg(target_os = "linux")]
mod secret_service;
mod secrets;
pub mod vault;
mod vault_error;
mod vault_move;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use zeroize::Zeroizing;

pub use keychain::{Keychain, SERVICE as KEYCHAIN_SERVICE};
pub use location::{OpenError, SecretsLocation};
pub use memory::MemorySecrets;
pub use metadata::{LoadProblem, SCHEMA_VERSION};
pub use paths::{DATA_DIR_ENV, DataDir, PORTABLE_MARKER, portable_dir};
pub use sealed::KdfParams;
pub use secrets::{NoSecretStore, SecretStore, SecretsError, VaultEntries};
pub use vault::{Vault, VaultError};
pub use vault_move::{MoveError, MoveReport, move_to_keychain, move_to_vault, move_to_vault_with};

/// Replaces a file atomically (synced temporary file, then rename).
pub fn replace_file(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    atomic::replace(path, bytes)
}

/// [`replace_file`], keeping the replaced file as `<path>.bak`.
pub fn replace_file_keeping_backup(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut backup = path.as_os_str().to_owned();
    backup.push(".bak");
    atomic::replace_keeping_backup(path, std::path::Path::new(&backup), bytes, || {})
}

use crate::accounts::{Account, AccountId, AccountList, Existing, Extras};
use crate::otp::{OtpError, OtpUri, Secret, parse_setup_key};
use metadata::{Metadata, WriteLock};

/// Environment variable naming a point at which to abort the process, for crash tests
/// (e.g. `add:after-secret`). Unset in normal use.
pub const FAILPOINT_ENV: &str = "KUNCI_FAILPOINT";

/// Aborts the process here when the crash tests ask for it, as a kill would.
pub(crate) fn failpoint(name: &str) {
    if std::env::var_os(FAILPOINT_ENV).is_some_and(|v| v == name) {
        eprintln!("kunci: failpoint {name}: aborting as asked by {FAILPOINT_ENV}");
        std::process::abort();
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot read or write {}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "{} was written by a newer version of Kunci (schema {found}, this version reads \
         {supported}); update Kunci. The file was not changed",
        path.display()
    )]
    NewerSchema {
        path: PathBuf,
        found: u64,
        supported: u64,
    },
    #[error(transparent)]
    Secrets(#[from] SecretsError),
    #[error(transparent)]
    Otp(#[from] OtpError),
    #[error("no account with id {0}")]
    NotFound(AccountId),
    /// Another process held the data directory's lock for several seconds.
    #[error(
        "{} is in use by another Kunci (a window or a command), or by another program; close it \
         and try again. Nothing was changed",
        path.display()
    )]
    Busy { path: PathBuf },
    #[error("{name} is already there with the same secret; nothing was added")]
    Duplicate { name: String },
    #[error(
        "the secret of {name} is missing from the keychain (was the keyring reset?). The \
         account is kept; add it again from its setup key or a backup"
    )]
    SecretMissing { id: AccountId, name: String },
}

/// Where the automatic backups' passphrase is kept in the secret store: under a "vault" of its
/// own (so reconciling the account list never sees it), keyed by this data directory's vault
/// id (so portable copies keep their own). Moves between the keychain and the vault carry it.
pub(crate) fn backup_passphrase_entry(
    vault_id: &str,
) -> Result<(&'static str, AccountId), SecretsError> {
    const ENTRY_VAULT: &str = "auto-backup";
    let id = AccountId::parse(vault_id).ok_or_else(|| SecretsError::Other {
        detail: format!("this data directory's id ({vault_id}) cannot name an entry"),
    })?;
    Ok((ENTRY_VAULT, id))
}

/// Another account list's entries in the secret store: an earlier list of this data directory
/// whose file was lost (its id unknown), or another data directory's (a portable copy).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EarlierList {
    /// Its id.
    pub vault: String,
    /// How many accounts' secrets it holds.
    pub accounts: usize,
}

/// What [`Store::reconcile`] found and did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reconciliation {
    /// Keychain entries without an account (an interrupted add), now accounts again.
    pub recovered: Vec<Account>,
    /// Keychain entries of interrupted removals, now deleted.
    pub finished_removals: usize,
    /// Accounts whose keychain entry is missing; kept in the list.
    pub missing_secrets: Vec<AccountId>,
    /// Keychain entries of this data directory that could not be read as an account.
    pub unreadable: Vec<AccountId>,
    /// False when the keychain cannot list its entries (then orphans cannot be found).
    pub listing_supported: bool,
    /// Why [`Store::reconcile_and_read`] could not read the keychain in one exchange (the
    /// secrets are then read one by one).
    pub one_exchange_failed: Option<String>,
}

/// A handle on one data directory and the keychain behind it.
pub struct Store {
    dir: DataDir,
    secrets: Arc<dyn SecretStore>,
    meta: Metadata,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("dir", &self.dir)
            .field("accounts", &self.meta.accounts.len())
            .finish_non_exhaustive()
    }
}

impl Store {
    /// Loads the metadata (no keychain access yet). Problems found are returned to be shown.
    pub fn open(
        dir: DataDir,
        secrets: Arc<dyn SecretStore>,
    ) -> Result<(Store, Vec<LoadProblem>), StoreError> {
        // Owner-only, mended at every start. Best effort: a USB stick's FAT has no modes to
        // set, and that must not keep the accounts from opening.
        let _ = dir.make_private();
        let (meta, problems) = {
            let _lock = WriteLock::acquire(&dir)?;
            // What a killed writer left (only a writer holding this lock makes them).
            atomic::remove_leftovers(dir.root(), "accounts.json");
            metadata::load(&dir)?
        };
        Ok((Store { dir, secrets, meta }, problems))
    }

    pub fn data_dir(&self) -> &DataDir {
        &self.dir
    }

    pub fn accounts(&self) -> &AccountList {
        &self.meta.accounts
    }

    /// The automatic backups' passphrase, if one is kept (beside the secrets, in an entry of
    /// its own: [`backup_passphrase_entry`]).
    pub fn backup_passphrase(&self) -> Result<Option<Zeroizing<String>>, StoreError> {
        let (vault, id) = backup_passphrase_entry(&self.meta.vault)?;
        Ok(self.secrets.get(vault, &id)?)
    }

    /// Keeps (`Some`, not empty) or forgets (`None`) the automatic backups' passphrase.
    pub fn set_backup_passphrase(&self, passphrase: Option<&str>) -> Result<(), StoreError> {
        let (vault, id) = backup_passphrase_entry(&self.meta.vault)?;
        match passphrase {
            Some(p) if !p.is_empty() => {
                self.secrets
                    .put(vault, &id, p, "automatic backups' passphrase")?
            }
            _ => self.secrets.delete(vault, &id)?,
        }
        Ok(())
    }

    /// Re-reads the metadata, to see changes made by another process.
    pub fn reload(&mut self) -> Result<Vec<LoadProblem>, StoreError> {
        let _lock = WriteLock::acquire(&self.dir)?;
        self.reload_locked()
    }

    fn reload_locked(&mut self) -> Result<Vec<LoadProblem>, StoreError> {
        let (meta, problems) = metadata::load(&self.dir)?;
        self.meta = meta;
        Ok(problems)
    }

    /// Saves the metadata; the caller holds the write lock.
    fn save_locked(&mut self) -> Result<(), StoreError> {
        metadata::save(&self.dir, &self.meta)
    }

    /// Adds an account: secret into the keychain first, then the metadata. On any error
    /// nothing is left behind.
    pub fn add(&mut self, uri: &OtpUri) -> Result<Account, StoreError> {
        self.add_with(uri, &Extras::default())
    }

    /// [`Store::add`] with a note and pin (a restored backup's): they are written with the
    /// metadata, after the secret, so a crash leaves either the whole account or none of it.
    pub fn add_with(&mut self, uri: &OtpUri, extras: &Extras) -> Result<Account, StoreError> {
        uri.params.validate()?;
        let _lock = WriteLock::acquire(&self.dir)?;
        self.reload_locked()?;
        if let Existing::Duplicate(same) = self.existing(uri) {
            return Err(StoreError::Duplicate {
                name: same.display_name(),
            });
        }
        let issuer = uri.issuer.clone().unwrap_or_default().trim().to_string();
        let label = uri.label.trim().to_string();
        let created = !metadata::exists(&self.dir);
        if created {
            // The vault id must be on disk before any keychain entry is filed under it.
            self.save_locked()?;
        }
        let account = Account {
            id: AccountId::random(),
            issuer,
            label,
            params: uri.params,
            added: chrono::Utc::now().timestamp(),
            note: extras.note.trim().to_string(),
            pinned: extras.pinned,
        };
        let stored = account.to_uri(&uri.secret).to_uri();
        failpoint("add:before-secret");
        let put = self.secrets.put(
            &self.meta.vault,
            &account.id,
            &stored,
            &account.display_name(),
        );
        if let Err(e) = put {
            if created {
                // Refused before anything was stored: leave the data directory as it was.
                let _ = std::fs::remove_file(self.dir.accounts());
            }
            return Err(e.into());
        }
        failpoint("add:after-secret");
        self.meta.accounts.push(account.clone());
        if let Err(e) = self.save_locked() {
            self.meta.accounts.remove(&account.id);
            // Best effort: an entry left behind would be recovered by reconcile anyway.
            let _ = self.secrets.delete(&self.meta.vault, &account.id);
            return Err(e);
        }
        failpoint("add:after-metadata");
        Ok(account)
    }

    /// Removes an account: metadata first, then the keychain entry.
    pub fn remove(&mut self, id: &AccountId) -> Result<Account, StoreError> {
        let _lock = WriteLock::acquire(&self.dir)?;
        self.reload_locked()?;
        let account = self
            .meta
            .accounts
            .remove(id)
            .ok_or_else(|| StoreError::NotFound(id.clone()))?;
        self.meta.pending_deletes.push(id.clone());
        self.save_locked()?;
        failpoint("remove:after-metadata");
        // If the keychain refuses now, the pending delete is finished by the next reconcile.
        if self.secrets.delete(&self.meta.vault, id).is_ok() {
            failpoint("remove:after-secret");
            self.meta.pending_deletes.retain(|p| p != id);
            self.save_locked()?;
        }
        Ok(account)
    }

    /// Changes the issuer and label shown for an account (the secret is untouched).
    pub fn rename(
        &mut self,
        id: &AccountId,
        issuer: &str,
        label: &str,
    ) -> Result<Account, StoreError> {
        self.update(id, |account| {
            account.issuer = issuer.trim().to_string();
            account.label = label.trim().to_string();
        })
    }

    /// Renames an account and sets its note in one transaction (the window's Edit dialog):
    /// a crash leaves either the old name and note or the new ones.
    pub fn edit(
        &mut self,
        id: &AccountId,
        issuer: &str,
        label: &str,
        note: &str,
    ) -> Result<Account, StoreError> {
        self.update(id, |account| {
            account.issuer = issuer.trim().to_string();
            account.label = label.trim().to_string();
            account.note = note.trim().to_string();
        })
    }

    /// Sets the user's note on an account (surrounding spaces dropped).
    pub fn set_note(&mut self, id: &AccountId, note: &str) -> Result<Account, StoreError> {
        self.update(id, |account| account.note = note.trim().to_string())
    }

    /// Pins an account to the top of the list, or unpins it.
    pub fn set_pinned(&mut self, id: &AccountId, pinned: bool) -> Result<Account, StoreError> {
        self.update(id, |account| account.pinned = pinned)
    }

    /// Moves an account to `position` in the list (0 is the top; past the end is the end).
    /// Returns the list's order afterwards, which includes changes other processes made.
    pub fn move_account(
        &mut self,
        id: &AccountId,
        position: usize,
    ) -> Result<Vec<AccountId>, StoreError> {
        self.transaction(|accounts| {
            if accounts.move_to(id, position) {
                Ok(accounts.iter().map(|a| a.id.clone()).collect())
            } else {
                Err(StoreError::NotFound(id.clone()))
            }
        })
    }

    /// Changes one account's metadata under the write lock, on fresh metadata, and saves.
    fn update(
        &mut self,
        id: &AccountId,
        change: impl FnOnce(&mut Account),
    ) -> Result<Account, StoreError> {
        self.transaction(|accounts| {
            let account = accounts
                .get_mut(id)
                .ok_or_else(|| StoreError::NotFound(id.clone()))?;
            change(account);
            Ok(account.clone())
        })
    }

    /// Changes the account list under the write lock, on fresh metadata, and saves; nothing
    /// is saved when `change` fails.
    fn transaction<T>(
        &mut self,
        change: impl FnOnce(&mut AccountList) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let _lock = WriteLock::acquire(&self.dir)?;
        self.reload_locked()?;
        let result = change(&mut self.meta.accounts)?;
        self.save_locked()?;
        Ok(result)
    }

    /// How `uri` relates to the accounts already there (reads the secrets of same-named ones).
    pub fn existing(&self, uri: &OtpUri) -> Existing {
        Existing::among(uri, self.meta.accounts.iter(), |a| {
            self.fetch_secret(a).ok()
        })
    }

    /// Re-enrols an account: the new secret (and parameters) from `uri` replace the old ones;
    /// its id, name and place in the list stay. The keychain is written first: a crash in
    /// between leaves the new secret with the old parameters, which re-enrolling again fixes.
    pub fn reenrol(&mut self, id: &AccountId, uri: &OtpUri) -> Result<Account, StoreError> {
        uri.params.validate()?;
        let _lock = WriteLock::acquire(&self.dir)?;
        self.reload_locked()?;
        let mut account = self
            .meta
            .accounts
            .get(id)
            .cloned()
            .ok_or_else(|| StoreError::NotFound(id.clone()))?;
        account.params = uri.params;
        let stored = account.to_uri(&uri.secret).to_uri();
        self.secrets
            .put(&self.meta.vault, id, &stored, &account.display_name())?;
        failpoint("reenrol:after-secret");
        if let Some(slot) = self.meta.accounts.get_mut(id) {
            *slot = account.clone();
        }
        self.save_locked()?;
        Ok(account)
    }

    /// Moves a counter-based (HOTP) account to its next code, after its current one was used.
    pub fn advance_counter(&mut self, id: &AccountId) -> Result<Account, StoreError> {
        self.update(id, |account| {
            account.params.counter = account.params.counter.saturating_add(1);
        })
    }

    /// The secret of an account, read from the keychain.
    pub fn secret(&self, id: &AccountId) -> Result<Secret, StoreError> {
        let account = self
            .meta
            .accounts
            .get(id)
            .ok_or_else(|| StoreError::NotFound(id.clone()))?;
        self.fetch_secret(account)
    }

    /// The secrets the secret store gives in one exchange ([`SecretStore::read_vault`]), of
    /// the accounts in the list: all of them at best, none when it has no such call. The
    /// others are for [`Self::secret`], one by one — also any entry that does not read as an
    /// account, so that its error is the one-by-one read's.
    pub fn secrets_at_once(&self) -> Result<HashMap<AccountId, Secret>, StoreError> {
        let Some(entries) = self.secrets.read_vault(&self.meta.vault)? else {
            return Ok(HashMap::new());
        };
        Ok(self.secrets_of_accounts(entries.values))
    }

    /// Of `values` (keychain values by account id), the secrets of the accounts in the list.
    fn secrets_of_accounts(
        &self,
        mut values: HashMap<AccountId, Zeroizing<String>>,
    ) -> HashMap<AccountId, Secret> {
        self.meta
            .accounts
            .iter()
            .filter_map(|account| {
                let value = values.remove(&account.id)?;
                let uri = decode_entry(&value)?;
                Some((account.id.clone(), uri.secret))
            })
            .collect()
    }

    /// Every account's secret, in list order, or the first account whose secret cannot be read
    /// with why: what an export or a backup needs, which must hold every account or none.
    /// What the secret store gives in one exchange is read so (500 accounts in one Secret
    /// Service call instead of 500); the rest, and everything when that exchange fails, one by
    /// one, so that a failure is the one-by-one read's.
    pub fn every_secret(&self) -> Result<Vec<(&Account, Secret)>, (&Account, StoreError)> {
        let mut at_once = self.secrets_at_once().unwrap_or_default();
        self.meta
            .accounts
            .iter()
            .map(|account| {
                let secret = match at_once.remove(&account.id) {
                    Some(secret) => secret,
                    None => self.fetch_secret(account).map_err(|e| (account, e))?,
                };
                Ok((account, secret))
            })
            .collect()
    }

    fn fetch_secret(&self, account: &Account) -> Result<Secret, StoreError> {
        let value = self
            .secrets
            .get(&self.meta.vault, &account.id)?
            .ok_or_else(|| StoreError::SecretMissing {
                id: account.id.clone(),
                name: account.display_name(),
            })?;
        decode_entry(&value).map(|uri| uri.secret).ok_or_else(|| {
            SecretsError::BadEntry {
                id: account.id.to_string(),
            }
            .into()
        })
    }

    /// Finishes what a crash interrupted and reports what does not add up. See the module docs.
    /// The other account lists with entries in the secret store, offered while this list is
    /// empty: when `accounts.json` and its backup were both lost and the list's id could not be
    /// read back, the accounts are still in the keychain under the old id. Empty when this list
    /// has accounts, or the store cannot list its entries.
    pub fn earlier_lists(&self) -> Result<Vec<EarlierList>, StoreError> {
        if !self.meta.accounts.is_empty() {
            return Ok(Vec::new());
        }
        let (backup_vault, _) = backup_passphrase_entry(&self.meta.vault)?;
        // One listing for all of them: each entry read costs the keychain a round trip or more.
        let Some(lists) = self.secrets.lists()? else {
            return Ok(Vec::new());
        };
        Ok(lists
            .into_iter()
            .filter(|(vault, count)| {
                *vault != self.meta.vault && *vault != backup_vault && *count > 0
            })
            .map(|(vault, accounts)| EarlierList { vault, accounts })
            .collect())
    }

    /// Copies the accounts of another list's entries (each holds its whole otpauth URI) into
    /// this one, as new accounts; the other list's entries are left as they are (they may be
    /// another data directory's). Accounts already here with the same secret are not added
    /// twice; entries that are not accounts are counted in `unreadable`.
    pub fn recover_list(&mut self, vault: &str) -> Result<(Vec<Account>, usize), StoreError> {
        let ids = self.secrets.ids(vault)?.unwrap_or_default();
        let (mut added, mut unreadable) = (Vec::new(), 0);
        for id in ids {
            let Some(value) = self.secrets.get(vault, &id)? else {
                continue;
            };
            match decode_entry(&value) {
                Some(uri) if !uri.label.is_empty() || uri.issuer.is_some() => {
                    if matches!(self.existing(&uri), Existing::Duplicate(_)) {
                        continue;
                    }
                    added.push(self.add(&uri)?);
                }
                _ => unreadable += 1,
            }
        }
        Ok((added, unreadable))
    }

    /// Brings the account list and the keychain back in step after an interrupted add or
    /// removal (see [`Reconciliation`]).
    pub fn reconcile(&mut self) -> Result<Reconciliation, StoreError> {
        let _lock = WriteLock::acquire(&self.dir)?;
        self.reload_locked()?;
        let listing = self.secrets.ids(&self.meta.vault)?;
        self.reconcile_locked(listing, &HashMap::new())
    }

    /// [`Self::reconcile`], and [`Self::secrets_at_once`] from the same listing: what opening
    /// the window needs, in one exchange with the secret store instead of two (each lists
    /// every one of Kunci's entries there). Where that exchange fails or does not exist, the
    /// listing alone, as `reconcile` does, and no secrets: they are read one by one.
    pub fn reconcile_and_read(
        &mut self,
    ) -> Result<(Reconciliation, HashMap<AccountId, Secret>), StoreError> {
        let _lock = WriteLock::acquire(&self.dir)?;
        self.reload_locked()?;
        let vault = self.meta.vault.clone();
        let (entries, failed) = match self.secrets.read_vault(&vault) {
            Ok(entries) => (entries, None),
            Err(e) => (None, Some(e.to_string())),
        };
        let (listing, values) = match entries {
            Some(entries) => (Some(entries.ids), entries.values),
            None => (self.secrets.ids(&vault)?, HashMap::new()),
        };
        let mut report = self.reconcile_locked(listing, &values)?;
        report.one_exchange_failed = failed;
        Ok((report, self.secrets_of_accounts(values)))
    }

    /// The work of [`Self::reconcile`], under its lock, given the vault's entries as listed
    /// (`None`: the store cannot list them) and whatever values came with the listing.
    fn reconcile_locked(
        &mut self,
        listing: Option<Vec<AccountId>>,
        values: &HashMap<AccountId, Zeroizing<String>>,
    ) -> Result<Reconciliation, StoreError> {
        let mut report = Reconciliation::default();
        let vault = self.meta.vault.clone();
        let Some(in_keychain) = listing else {
            return Ok(report);
        };
        report.listing_supported = true;
        let mut changed = false;
        for id in &in_keychain {
            if self.meta.accounts.contains(id) {
                continue;
            }
            if self.meta.pending_deletes.contains(id) {
                self.secrets.delete(&vault, id)?;
                report.finished_removals += 1;
                continue;
            }
            let value = match values.get(id) {
                Some(value) => value.clone(),
                None => match self.secrets.get(&vault, id)? {
                    Some(value) => value,
                    None => continue,
                },
            };
            match decode_entry(&value) {
                Some(uri) if uri.label.len() + uri.issuer.as_ref().map_or(0, String::len) > 0 => {
                    let account = Account {
                        id: id.clone(),
                        issuer: uri.issuer.unwrap_or_default(),
                        label: uri.label,
                        params: uri.params,
                        added: chrono::Utc::now().timestamp(),
                        note: String::new(),
                        pinned: false,
                    };
                    self.meta.accounts.push(account.clone());
                    report.recovered.push(account);
                    changed = true;
                }
                _ => report.unreadable.push(id.clone()),
            }
        }
        // Every pending delete is done now: its entry was deleted above, or was already gone.
        changed |= !self.meta.pending_deletes.is_empty();
        self.meta.pending_deletes.clear();
        report.missing_secrets = self
            .meta
            .accounts
            .iter()
            .filter(|a| !in_keychain.contains(&a.id))
            .map(|a| a.id.clone())
            .collect();
        if changed {
            self.save_locked()?;
        }
        Ok(report)
    }
}

/// A keychain value: the account's otpauth URI (or, leniently, a bare setup key).
fn decode_entry(value: &str) -> Option<OtpUri> {
    if let Ok(uri) = OtpUri::parse(value) {
        return Some(uri);
    }
    parse_setup_key(value).ok().map(|secret| OtpUri {
        issuer: None,
        label: String::new(),
        secret,
        params: Default::default(),
    })
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};

    use super::*;

    struct Fixture {
        _tmp: tempfile::TempDir,
        dir: DataDir,
        secrets: Arc<MemorySecrets>,
    }

    impl Fixture {
        fn new() -> Self {
            let tmp = tempfile::tempdir().unwrap();
            let dir = DataDir::new(tmp.path());
            Fixture {
                _tmp: tmp,
                dir,
                secrets: Arc::default(),
            }
        }

        fn open(&self) -> Store {
            let (store, problems) = Store::open(self.dir.clone(), self.secrets.clone()).unwrap();
            assert!(problems.is_empty(), "{problems:?}");
            store
        }

        /// A store holding accounts labelled `labels`, in that order.
        fn with(&self, labels: &[&str]) -> (Store, Vec<AccountId>) {
            let mut store = self.open();
            let ids = labels
                .iter()
                .map(|label| {
                    let uri = OtpUri::parse(&format!(
                        "otpauth://totp/LPSE%20Kota%20Bandung:{label}?secret=JBSWY3DPEHPK3PXP"
                    ))
                    .unwrap();
                    store.add(&uri).unwrap().id
                })
                .collect();
            (store, ids)
        }
    }

    fn labels(store: &Store) -> Vec<String> {
        store.accounts().iter().map(|a| a.label.clone()).collect()
    }

    #[test]
    fn move_account_reorders_and_persists() {
        let f = Fixture::new();
        let (mut store, ids) = f.with(&["a", "b", "c"]);
        let order = store.move_account(&ids[2], 0).unwrap();
        assert_eq!(order, [ids[2].clone(), ids[0].clone(), ids[1].clone()]);
        assert_eq!(labels(&store), ["c", "a", "b"]);
        store.move_account(&ids[2], 9).unwrap();
        assert_eq!(labels(&f.open()), ["a", "b", "c"]);
        store.move_account(&ids[0], 1).unwrap();
        assert_eq!(labels(&f.open()), ["b", "a", "c"]);
        let missing = AccountId::parse("0123456789abcdef").unwrap();
        assert!(matches!(
            store.move_account(&missing, 0),
            Err(StoreError::NotFound(_))
        ));
        assert_eq!(labels(&f.open()), ["b", "a", "c"]);
    }

    #[test]
    fn move_account_sees_what_another_process_added() {
        let f = Fixture::new();
        let (mut window, ids) = f.with(&["a", "b"]);
        let (_, more) = f.with(&["c"]);
        let order = window.move_account(&ids[1], 0).unwrap();
        assert_eq!(order, [ids[1].clone(), ids[0].clone(), more[0].clone()]);
        assert_eq!(labels(&f.open()), ["b", "a", "c"]);
    }

    #[test]
    fn add_with_keeps_the_note_and_pin_with_the_secret() {
        let f = Fixture::new();
        let mut store = f.open();
        let uri = OtpUri::parse("otpauth://totp/LPSE:budi?secret=JBSWY3DPEHPK3PXP").unwrap();
        let extras = Extras {
            note: " kantor cabang ".into(),
            pinned: true,
        };
        let account = store.add_with(&uri, &extras).unwrap();
        assert_eq!(
            (account.note.as_str(), account.pinned),
            ("kantor cabang", true)
        );
        let reopened = f.open();
        let stored = &reopened.accounts().as_slice()[0];
        assert_eq!(
            (stored.note.as_str(), stored.pinned),
            ("kantor cabang", true)
        );
        assert_eq!(reopened.secret(&account.id).unwrap(), uri.secret);
    }

    #[test]
    fn set_note_persists_and_keeps_the_secret() {
        let f = Fixture::new();
        let (mut store, ids) = f.with(&["a"]);
        let secret = store.secret(&ids[0]).unwrap();
        let account = store.set_note(&ids[0], "  kantor cabang  ").unwrap();
        assert_eq!(account.note, "kantor cabang");
        let reopened = f.open();
        assert_eq!(reopened.accounts().as_slice()[0].note, "kantor cabang");
        assert_eq!(reopened.secret(&ids[0]).unwrap(), secret);
        assert_eq!(reopened.accounts().search("CABANG").count(), 1);
    }

    #[test]
    fn set_pinned_persists() {
        let f = Fixture::new();
        let (mut store, ids) = f.with(&["a", "b"]);
        assert!(store.set_pinned(&ids[1], true).unwrap().pinned);
        let pinned: Vec<bool> = f.open().accounts().iter().map(|a| a.pinned).collect();
        assert_eq!(pinned, [false, true]);
        store.set_pinned(&ids[1], false).unwrap();
        assert!(!f.open().accounts().as_slice()[1].pinned);
    }

    #[test]
    fn rename_keeps_the_note_pin_and_place() {
        let f = Fixture::new();
        let (mut store, ids) = f.with(&["a", "b"]);
        store.set_note(&ids[0], "note").unwrap();
        store.set_pinned(&ids[0], true).unwrap();
        store.rename(&ids[0], "LPSE Jawa Barat", "a2").unwrap();
        let reopened = f.open();
        let first = &reopened.accounts().as_slice()[0];
        assert_eq!(
            (
                first.issuer.as_str(),
                first.label.as_str(),
                first.note.as_str()
            ),
            ("LPSE Jawa Barat", "a2", "note")
        );
        assert!(first.pinned);
    }

    #[test]
    fn reenrol_keeps_name_note_pin_and_place() {
        let f = Fixture::new();
        let (mut store, ids) = f.with(&["a", "b", "c"]);
        store.set_note(&ids[1], "note").unwrap();
        store.set_pinned(&ids[1], true).unwrap();
        let uri = OtpUri::parse(
            "otpauth://totp/Other:x?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&digits=8",
        )
        .unwrap();
        store.reenrol(&ids[1], &uri).unwrap();
        let reopened = f.open();
        assert_eq!(labels(&reopened), ["a", "b", "c"]);
        let b = &reopened.accounts().as_slice()[1];
        assert_eq!(
            (b.note.as_str(), b.pinned, b.params.digits),
            ("note", true, 8)
        );
        assert_eq!(b.issuer, "LPSE Kota Bandung");
        assert_eq!(reopened.secret(&ids[1]).unwrap(), uri.secret);
    }

    /// Before: with accounts.json and its .bak both unreadable, a new list id was made and
    /// every keychain entry of the old one was orphaned.
    #[test]
    fn a_lost_list_comes_back_through_the_id_in_its_damaged_copy() {
        let f = Fixture::new();
        let (store, _) = f.with(&["satu", "dua"]);
        drop(store);
        // Both files cut short after the id: what a crash mid-write or a bad disk leaves.
        for path in [f.dir.accounts(), f.dir.accounts_backup()] {
            let text = std::fs::read_to_string(f.dir.accounts()).unwrap();
            std::fs::write(&path, &text[..text.find("\"accounts\"").unwrap() + 15]).unwrap();
        }
        let (mut store, problems) = Store::open(f.dir.clone(), f.secrets.clone()).unwrap();
        assert!(
            problems
                .iter()
                .any(|p| matches!(p, LoadProblem::ListIdRecovered { .. })),
            "{problems:?}"
        );
        let recovered = store.reconcile().unwrap().recovered;
        let mut labels: Vec<String> = recovered.iter().map(|a| a.label.clone()).collect();
        labels.sort();
        assert_eq!(labels, ["dua", "satu"]);
    }

    /// When not even the id can be read, the old list's entries are offered back, and copied
    /// into the new list with their secrets.
    #[test]
    fn a_list_lost_with_its_id_is_offered_back_from_the_secret_store() {
        let f = Fixture::new();
        let (store, ids) = f.with(&["satu", "dua"]);
        let secret = store.secret(&ids[0]).unwrap();
        drop(store);
        for path in [f.dir.accounts(), f.dir.accounts_backup()] {
            std::fs::write(&path, b"\0\0\0 nothing left").unwrap();
        }
        let (mut store, _) = Store::open(f.dir.clone(), f.secrets.clone()).unwrap();
        store.reconcile().unwrap();
        assert!(store.accounts().is_empty());
        let earlier = store.earlier_lists().unwrap();
        assert_eq!(earlier.len(), 1, "{earlier:?}");
        assert_eq!(earlier[0].accounts, 2);
        let (added, unreadable) = store.recover_list(&earlier[0].vault).unwrap();
        assert_eq!((added.len(), unreadable), (2, 0));
        let back = store.accounts().iter().find(|a| a.label == "satu").unwrap();
        assert!(store.secret(&back.id).unwrap() == secret);
        assert!(
            store.earlier_lists().unwrap().is_empty(),
            "offered only while empty"
        );
        // Copied, not taken: the other list's entries stay (they may be another folder's).
        assert_eq!(
            f.secrets.ids(&earlier[0].vault).unwrap().map(|i| i.len()),
            Some(2)
        );
    }

    /// Counts how often the entries are listed (on the keychain each listing reads every one of
    /// Kunci's entries there, so finding the other lists must list once, not once a list) and
    /// read one by one; with `at_once`, lists a vault's entries with their values in one
    /// exchange, as the Secret Service does, less the values that hold `withheld`; with
    /// `at_once_fails`, that exchange fails.
    #[derive(Default)]
    struct Counted {
        inner: MemorySecrets,
        listings: AtomicUsize,
        reads: AtomicUsize,
        at_once: bool,
        at_once_fails: bool,
        withheld: Option<&'static str>,
    }

    impl Counted {
        fn listed(&self) {
            self.listings.fetch_add(1, SeqCst);
        }
    }

    impl SecretStore for Counted {
        fn put(
            &self,
            vault: &str,
            id: &AccountId,
            value: &str,
            description: &str,
        ) -> Result<(), SecretsError> {
            self.inner.put(vault, id, value, description)
        }
        fn get(
            &self,
            vault: &str,
            id: &AccountId,
        ) -> Result<Option<Zeroizing<String>>, SecretsError> {
            self.reads.fetch_add(1, SeqCst);
            self.inner.get(vault, id)
        }
        fn delete(&self, vault: &str, id: &AccountId) -> Result<(), SecretsError> {
            self.inner.delete(vault, id)
        }
        fn ids(&self, vault: &str) -> Result<Option<Vec<AccountId>>, SecretsError> {
            self.listed();
            self.inner.ids(vault)
        }
        fn lists(&self) -> Result<Option<std::collections::BTreeMap<String, usize>>, SecretsError> {
            self.listed();
            self.inner.lists()
        }
        fn read_vault(&self, vault: &str) -> Result<Option<VaultEntries>, SecretsError> {
            if !self.at_once {
                return Ok(None);
            }
            if self.at_once_fails {
                return Err(SecretsError::Other {
                    detail: "the bus went away".into(),
                });
            }
            self.listed();
            let ids = self.inner.ids(vault)?.unwrap_or_default();
            let mut values = HashMap::new();
            for id in &ids {
                let value = self.inner.get(vault, id)?.unwrap_or_default();
                if !self.withheld.is_some_and(|w| value.contains(w)) {
                    values.insert(id.clone(), value);
                }
            }
            Ok(Some(VaultEntries { ids, values }))
        }
    }

    /// A store over `secrets` holding accounts named `names`, each with its own secret.
    fn counted_store(
        secrets: Arc<Counted>,
        names: &[&str],
    ) -> (tempfile::TempDir, Store, Vec<Secret>) {
        let tmp = tempfile::tempdir().unwrap();
        let (mut store, _) = Store::open(DataDir::new(tmp.path()), secrets).unwrap();
        let keys = ["JBSWY3DPEHPK3PXP", "GEZDGNBVGY3TQOJQ", "MFRGGZDFMZTWQ2LK"];
        let secrets = names
            .iter()
            .zip(keys.iter().cycle())
            .map(|(name, key)| {
                let uri = format!("otpauth://totp/LPSE:{name}?secret={key}");
                let uri = OtpUri::parse(&uri).unwrap();
                store.add(&uri).unwrap();
                uri.secret
            })
            .collect();
        (tmp, store, secrets)
    }

    #[test]
    fn every_secret_reads_in_one_exchange_what_the_store_gives_so_and_the_rest_one_by_one() {
        let names = ["ada", "budi", "citra", "dewi", "eko"];
        let secrets = Arc::new(Counted {
            at_once: true,
            withheld: Some("citra"),
            ..Counted::default()
        });
        let (_tmp, store, expected) = counted_store(secrets.clone(), &names);
        let before = secrets.reads.load(SeqCst);
        let every = store.every_secret().unwrap();
        let got: Vec<_> = every.iter().map(|(a, s)| (a.label.as_str(), s)).collect();
        let wanted: Vec<_> = names.iter().copied().zip(&expected).collect();
        assert_eq!(got, wanted, "every account, in list order");
        assert_eq!(
            secrets.reads.load(SeqCst) - before,
            1,
            "only citra one by one"
        );
    }

    #[test]
    fn every_secret_one_by_one_without_the_one_exchange_and_names_the_account_it_cannot_read() {
        let names = ["ada", "budi", "citra"];
        let secrets = Arc::new(Counted::default());
        let (_tmp, store, expected) = counted_store(secrets.clone(), &names);
        let before = secrets.reads.load(SeqCst);
        let every = store.every_secret().unwrap();
        assert_eq!(
            every.iter().map(|(_, s)| s).collect::<Vec<_>>(),
            Vec::from_iter(&expected)
        );
        assert_eq!(secrets.reads.load(SeqCst) - before, 3);

        // A secret gone from the store: that account, and no partial list.
        let budi = &store.accounts().as_slice()[1];
        secrets.inner.delete(&store.meta.vault, &budi.id).unwrap();
        let (account, e) = store.every_secret().unwrap_err();
        assert_eq!(account.label, "budi");
        assert!(matches!(e, StoreError::SecretMissing { .. }), "{e:?}");
    }

    #[test]
    fn other_lists_are_found_in_one_listing_however_many_there_are() {
        let secrets = Arc::new(Counted::default());
        for n in 0..30u8 {
            let id = AccountId::parse(&format!("{n:016x}")).unwrap();
            let uri = format!("otpauth://totp/Lain:{n}?secret=JBSWY3DPEHPK3PXP");
            secrets
                .inner
                .put(&format!("{n:032x}"), &id, &uri, "")
                .unwrap();
        }
        let tmp = tempfile::tempdir().unwrap();
        let (store, _) = Store::open(DataDir::new(tmp.path()), secrets.clone()).unwrap();
        let before = secrets.listings.load(SeqCst);
        let earlier = store.earlier_lists().unwrap();
        assert_eq!(earlier.len(), 30);
        assert!(earlier.iter().all(|list| list.accounts == 1), "{earlier:?}");
        assert_eq!(
            secrets.listings.load(SeqCst) - before,
            1,
            "one listing for all the other lists"
        );
    }

    /// The keychain value of [`put_orphan`]'s entry.
    const ORPHAN_URI: &str = "otpauth://totp/LPSE:dewi?secret=NBSWY3DPO5XXE3DE";

    /// An add interrupted before the list was saved: an entry of `store`'s vault (dewi's)
    /// without an account. Returns its id.
    fn put_orphan(secrets: &Counted, store: &Store) -> AccountId {
        let orphan = AccountId::parse("00000000000000ff").unwrap();
        secrets
            .inner
            .put(&store.meta.vault, &orphan, ORPHAN_URI, "")
            .unwrap();
        orphan
    }

    /// Opening the window: the keychain listed once, with the secrets it gives in that
    /// exchange; what reconciling finds is the same as on its own, and an entry it recovers
    /// is read from the listing, not once more.
    #[test]
    fn reconcile_and_read_lists_once_and_gives_the_secrets_read_with_the_listing() {
        for at_once in [true, false] {
            let secrets = Arc::new(Counted {
                at_once,
                withheld: Some("citra"),
                ..Counted::default()
            });
            let (_tmp, mut store, expected) =
                counted_store(secrets.clone(), &["ada", "budi", "citra"]);
            let orphan = put_orphan(&secrets, &store);

            let (listings, reads) = (secrets.listings.load(SeqCst), secrets.reads.load(SeqCst));
            let (report, at_once_read) = store.reconcile_and_read().unwrap();
            assert_eq!(
                secrets.listings.load(SeqCst) - listings,
                1,
                "at_once {at_once}"
            );
            let labels: Vec<_> = report.recovered.iter().map(|a| a.label.as_str()).collect();
            assert_eq!(labels, ["dewi"]);
            assert!(report.listing_supported && report.one_exchange_failed.is_none());
            assert!(report.missing_secrets.is_empty() && report.unreadable.is_empty());
            if at_once {
                assert_eq!(
                    secrets.reads.load(SeqCst),
                    reads,
                    "dewi came with the listing"
                );
                // All but citra's, which the exchange withheld.
                let accounts = store.accounts().as_slice();
                let [ada, budi, _citra] = &expected[..] else {
                    unreachable!()
                };
                let wanted = HashMap::from([
                    (accounts[0].id.clone(), ada.clone()),
                    (accounts[1].id.clone(), budi.clone()),
                    (orphan.clone(), OtpUri::parse(ORPHAN_URI).unwrap().secret),
                ]);
                assert_eq!(at_once_read, wanted);
            } else {
                assert_eq!(
                    secrets.reads.load(SeqCst) - reads,
                    1,
                    "dewi read on its own"
                );
                assert!(at_once_read.is_empty());
            }
            // Reconciling once more finds nothing left to do, as `reconcile` would.
            let (again, _) = store.reconcile_and_read().unwrap();
            assert_eq!(again, store.reconcile().unwrap());
            assert!(again.recovered.is_empty());
        }
    }

    /// A failed exchange loses nothing: the listing on its own reconciles, the report says
    /// why the secrets were not read at once, and they are left to the one-by-one read.
    #[test]
    fn reconcile_and_read_falls_back_to_the_listing_when_the_exchange_fails() {
        let secrets = Arc::new(Counted {
            at_once: true,
            at_once_fails: true,
            ..Counted::default()
        });
        let (_tmp, mut store, _) = counted_store(secrets.clone(), &["ada", "budi"]);
        put_orphan(&secrets, &store);
        let (report, at_once_read) = store.reconcile_and_read().unwrap();
        assert!(at_once_read.is_empty());
        let why = report.one_exchange_failed.as_deref().unwrap_or_default();
        assert!(why.contains("the bus went away"), "{why:?}");
        assert!(report.listing_supported);
        let labels: Vec<_> = report.recovered.iter().map(|a| a.label.as_str()).collect();
        assert_eq!(labels, ["dewi"]);
        assert_eq!(store.accounts().as_slice().len(), 3);
    }
}
