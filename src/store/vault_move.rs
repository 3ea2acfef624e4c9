//! Moving every secret between the keychain and the vault file, in one call each way.
//!
//! The order survives an interruption at any point: copy every secret to the new store, read
//! each back and compare, switch the choice (the vault file appears or disappears, one
//! rename or unlink), and only then delete from the old store. Before the switch every secret
//! is in the old store, which is still the choice; after it, every secret is in the new one.
//! Running the same move again finishes an interrupted one: leftovers in the old store that
//! the new one holds equally are deleted, missing ones are copied.
//!
//! The automatic backups' passphrase ([`super::Store::backup_passphrase`]) moves with the
//! secrets, in the same steps, so the backups go on after a move from the window or the
//! command line alike.
//!
//! Both moves hold the metadata's write lock, so no add or remove of another Kunci process
//! lands in the middle.

use std::collections::BTreeSet;

use zeroize::Zeroizing;

use super::metadata::{self, WriteLock};
use super::paths::DataDir;
use super::sealed::KdfParams;
use super::secrets::{SecretStore, SecretsError};
use super::vault::{Vault, VaultError};
use super::{StoreError, backup_passphrase_entry, failpoint};
use crate::accounts::AccountId;

/// What a move did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MoveReport {
    /// Secrets copied to the new store and read back equal.
    pub moved: usize,
    /// Secrets the new store already held equally (an earlier, interrupted move).
    pub already_there: usize,
    /// Accounts whose secret is in neither store; they are kept (and reported as missing).
    pub missing: Vec<AccountId>,
    /// Keychain entries left alone because the vault, already chosen, holds another value for
    /// the same account.
    pub conflicts: Vec<AccountId>,
}

/// Why a move stopped. Nothing was deleted from the old store unless the switch was made.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MoveError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Secrets(#[from] SecretsError),
    #[error(transparent)]
    Vault(#[from] VaultError),
    #[error(
        "the secret of account {id} read back differently from the {to}; nothing was switched \
         or deleted, the secrets are all where they were"
    )]
    Verify { id: AccountId, to: &'static str },
}

/// Moves every secret of `dir` from the keychain into its vault, creating the vault under
/// `passphrase` with the default Argon2id parameters (or unlocking it, when a vault is already
/// the choice: then this finishes an interrupted move). Returns the vault, now the choice.
pub fn move_to_vault(
    dir: &DataDir,
    keychain: &dyn SecretStore,
    passphrase: &str,
) -> Result<(Vault, MoveReport), MoveError> {
    move_to_vault_with(dir, keychain, passphrase, KdfParams::default())
}

/// [`move_to_vault`] with chosen Argon2id parameters for a new vault (tests and tools).
pub fn move_to_vault_with(
    dir: &DataDir,
    keychain: &dyn SecretStore,
    passphrase: &str,
    params: KdfParams,
) -> Result<(Vault, MoveReport), MoveError> {
    let _lock = WriteLock::acquire(dir)?;
    let (meta, _) = metadata::load(dir)?;
    let chosen = Vault::exists(dir);
    let vault = if chosen {
        Vault::unlock(dir, passphrase)?
    } else {
        Vault::stage(dir, passphrase, params)?
    };
    let vid = meta.vault.as_str();
    let mut ids: BTreeSet<AccountId> = meta.accounts.iter().map(|a| a.id.clone()).collect();
    if let Some(listed) = keychain.ids(vid)? {
        ids.extend(listed);
    }
    let pending: BTreeSet<AccountId> = meta.pending_deletes.iter().cloned().collect();

    let mut report = MoveReport::default();
    let mut copies: Vec<(AccountId, Zeroizing<String>)> = Vec::new();
    let mut done: Vec<AccountId> = Vec::new();
    for id in ids.difference(&pending) {
        let held = vault.get(vid, id)?;
        match (keychain.get(vid, id)?, held) {
            (Some(value), Some(held)) if held == value => {
                report.already_there += 1;
                done.push(id.clone());
            }
            (Some(_), Some(_)) if chosen => report.conflicts.push(id.clone()),
            (Some(value), _) => copies.push((id.clone(), value)),
            (None, Some(_)) => {}
            (None, None) => report.missing.push(id.clone()),
        }
    }
    if !copies.is_empty() {
        vault.put_all(vid, &copies)?;
    }
    for (id, value) in &copies {
        if !holds(vault.get(vid, id)?, value) {
            return Err(MoveError::Verify {
                id: id.clone(),
                to: "vault",
            });
        }
        done.push(id.clone());
    }
    report.moved = copies.len();
    let backup = backup_passphrase_entry(vid)?;
    let backup_passphrase = keychain.get(backup.0, &backup.1)?;
    if let Some(passphrase) = &backup_passphrase {
        vault.put_all(backup.0, &[(backup.1.clone(), passphrase.clone())])?;
        if !holds(vault.get(backup.0, &backup.1)?, passphrase) {
            return Err(MoveError::Verify {
                id: backup.1,
                to: "vault",
            });
        }
    }
    failpoint("vault-move:before-switch");
    let vault = vault.commit()?;
    failpoint("vault-move:after-switch");
    for id in done.iter().chain(&pending) {
        keychain.delete(vid, id)?;
    }
    if backup_passphrase.is_some() {
        keychain.delete(backup.0, &backup.1)?;
    }
    Ok((vault, report))
}

/// Moves every secret of `dir` from its (unlocked) vault into the keychain, then deletes the
/// vault file: the keychain is the choice again.
pub fn move_to_keychain(
    dir: &DataDir,
    vault: &Vault,
    keychain: &dyn SecretStore,
) -> Result<MoveReport, MoveError> {
    let _lock = WriteLock::acquire(dir)?;
    let (meta, _) = metadata::load(dir)?;
    let vid = meta.vault.as_str();
    let mut ids: BTreeSet<AccountId> = meta.accounts.iter().map(|a| a.id.clone()).collect();
    if let Some(listed) = vault.ids(vid)? {
        ids.extend(listed);
    }
    for pending in &meta.pending_deletes {
        ids.remove(pending);
    }
    let mut report = MoveReport::default();
    for id in &ids {
        let Some(value) = vault.get(vid, id)? else {
            if keychain.get(vid, id)?.is_none() {
                report.missing.push(id.clone());
            }
            continue;
        };
        let description = meta
            .accounts
            .get(id)
            .map(|a| a.display_name())
            .unwrap_or_else(|| id.to_string());
        if holds(keychain.get(vid, id)?, &value) {
            report.already_there += 1;
            continue;
        }
        keychain.put(vid, id, &value, &description)?;
        if !holds(keychain.get(vid, id)?, &value) {
            return Err(MoveError::Verify {
                id: id.clone(),
                to: "keychain",
            });
        }
        report.moved += 1;
    }
    let (backup_vault, backup_id) = backup_passphrase_entry(vid)?;
    if let Some(passphrase) = vault.get(backup_vault, &backup_id)? {
        keychain.put(
            backup_vault,
            &backup_id,
            &passphrase,
            "automatic backups' passphrase",
        )?;
        if !holds(keychain.get(backup_vault, &backup_id)?, &passphrase) {
            return Err(MoveError::Verify {
                id: backup_id,
                to: "keychain",
            });
        }
    }
    failpoint("vault-move:before-switch");
    vault.retire()?;
    Ok(report)
}

/// True when a store's answer is exactly `value`.
fn holds(got: Option<Zeroizing<String>>, value: &str) -> bool {
    got.is_some_and(|got| got.as_str() == value)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::otp::OtpUri;
    use crate::store::Store;

    /// A keychain in memory.
    type Memory = crate::store::MemorySecrets;

    const PASS: &str = "kata sandi";

    fn uri(n: usize) -> OtpUri {
        let key = data_encoding::BASE32_NOPAD.encode(&[n as u8; 20]);
        OtpUri::parse(&format!("otpauth://totp/Issuer{n}:user{n}?secret={key}")).expect("uri")
    }

    fn secrets(store: &Store) -> Vec<String> {
        store
            .accounts()
            .iter()
            .map(|a| store.secret(&a.id).expect("secret").to_base32().to_string())
            .collect()
    }

    #[test]
    fn keychain_to_vault_and_back_keeps_every_secret() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let dir = DataDir::new(tmp.path());
        let keychain = Arc::new(Memory::default());
        let (mut store, _) = Store::open(dir.clone(), keychain.clone()).expect("open");
        for n in 0..3 {
            store.add(&uri(n)).expect("add");
        }
        let before = secrets(&store);

        let (vault, report) =
            move_to_vault_with(&dir, keychain.as_ref(), PASS, KdfParams::light_for_tests())
                .expect("move");
        assert_eq!((report.moved, report.missing.len()), (3, 0));
        assert!(Vault::exists(&dir));
        assert!(keychain.is_empty());
        let vault = Arc::new(vault);
        let (store, _) = Store::open(dir.clone(), vault.clone()).expect("open");
        assert_eq!(secrets(&store), before);

        drop(store);
        let report = move_to_keychain(&dir, &vault, keychain.as_ref()).expect("move back");
        assert_eq!(report.moved, 3);
        assert!(!Vault::exists(&dir));
        let (store, _) = Store::open(dir.clone(), keychain.clone()).expect("open");
        assert_eq!(secrets(&store), before);
        let files: Vec<String> = std::fs::read_dir(tmp.path())
            .expect("dir")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with("vault.json"))
            .collect();
        assert!(files.is_empty(), "{files:?}");
    }

    #[test]
    fn a_rerun_finishes_a_move_interrupted_after_the_switch() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let dir = DataDir::new(tmp.path());
        let keychain = Arc::new(Memory::default());
        let (mut store, _) = Store::open(dir.clone(), keychain.clone()).expect("open");
        let account = store.add(&uri(1)).expect("add");
        // As if the move was cut after the switch: the vault holds it and so does the keychain.
        let (vault, _) =
            move_to_vault_with(&dir, &Memory::default(), PASS, KdfParams::light_for_tests())
                .expect("an empty vault");
        let vid = {
            let (meta, _) = metadata::load(&dir).expect("load");
            meta.vault
        };
        let value = keychain
            .get(&vid, &account.id)
            .expect("get")
            .expect("there");
        vault.put(&vid, &account.id, &value, "").expect("put");
        let (_, report) =
            move_to_vault_with(&dir, keychain.as_ref(), PASS, KdfParams::light_for_tests())
                .expect("rerun");
        assert_eq!((report.moved, report.already_there), (0, 1));
        assert!(keychain.is_empty());
    }

    #[test]
    fn an_interrupted_staging_is_reused_and_the_keychain_still_chosen() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let dir = DataDir::new(tmp.path());
        let keychain = Arc::new(Memory::default());
        let (mut store, _) = Store::open(dir.clone(), keychain.clone()).expect("open");
        store.add(&uri(1)).expect("add");
        let staged = Vault::stage(&dir, PASS, KdfParams::light_for_tests()).expect("stage");
        drop(staged);
        assert!(!Vault::exists(&dir), "a staged vault is not the choice");
        let (_, report) =
            move_to_vault_with(&dir, keychain.as_ref(), PASS, KdfParams::light_for_tests())
                .expect("move");
        assert_eq!(report.moved, 1);
        assert!(!dir.root().join("vault.json.new").exists());
    }
}
