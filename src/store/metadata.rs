//! `accounts.json`: the versioned account metadata, written atomically.
//!
//! A write goes to a temporary file (`atomic.rs`), is fsynced, the current file is copied to
//! `accounts.json.bak`, and the new file is renamed over the old one. A file that cannot be
//! read is set aside under a `.damaged-<time>` name and never overwritten; one bad entry is
//! reported and the others are kept.

use std::fs::{self, File};
use std::io;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::atomic::{self, LockError};
use super::{StoreError, failpoint, paths::DataDir};
use crate::accounts::{Account, AccountId, AccountList};

/// The schema this version of Kunci reads and writes.
pub const SCHEMA_VERSION: u64 = 1;

/// What `accounts.json` holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Metadata {
    /// Random id of this data directory; keychain entries are filed under it, so entries of
    /// other data directories (portable copies, tests) are never mistaken for ours.
    pub vault: String,
    pub accounts: AccountList,
    /// Accounts removed from the list whose keychain entry may still need deleting.
    pub pending_deletes: Vec<AccountId>,
}

impl Metadata {
    pub fn new_empty() -> Self {
        Metadata {
            vault: AccountId::random().to_string(),
            accounts: AccountList::default(),
            pending_deletes: Vec::new(),
        }
    }
}

#[derive(Serialize)]
struct FileOut<'a> {
    schema: u64,
    vault: &'a str,
    accounts: &'a [Account],
    #[serde(skip_serializing_if = "<[AccountId]>::is_empty")]
    pending_deletes: &'a [AccountId],
}

#[derive(Deserialize)]
struct FileIn {
    schema: u64,
    vault: String,
    accounts: Vec<Value>,
    #[serde(default)]
    pending_deletes: Vec<Value>,
}

/// Something found wrong while loading; reported to the user, never silently dropped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoadProblem {
    /// The file could not be read at all; it was moved to `set_aside`.
    Damaged {
        file: PathBuf,
        set_aside: PathBuf,
        reason: String,
    },
    /// The accounts were taken from the backup copy.
    RestoredFromBackup { backup: PathBuf },
    /// Some entries were unreadable and skipped; the whole file was copied to `copy`.
    BadEntries { copy: PathBuf, reasons: Vec<String> },
    /// Both the file and its backup were lost, but the list's id was read from the damaged
    /// copy `from`: the accounts come back from the keychain with it.
    ListIdRecovered { from: PathBuf },
}

impl std::fmt::Display for LoadProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LoadProblem::Damaged {
                file,
                set_aside,
                reason,
            } => write!(
                f,
                "{} could not be read ({reason}); it was kept as {}",
                file.display(),
                set_aside.display()
            ),
            LoadProblem::ListIdRecovered { from } => write!(
                f,
                "the account list and its backup were lost; its id was read from {}, so the \
                 accounts come back from the keychain",
                from.display()
            ),
            LoadProblem::RestoredFromBackup { backup } => {
                write!(
                    f,
                    "the accounts were restored from the backup {}",
                    backup.display()
                )
            }
            LoadProblem::BadEntries { copy, reasons } => write!(
                f,
                "{} account entr{} could not be read and {} skipped ({}); the file as it was is kept as {}",
                reasons.len(),
                if reasons.len() == 1 { "y" } else { "ies" },
                if reasons.len() == 1 { "was" } else { "were" },
                reasons.join("; "),
                copy.display()
            ),
        }
    }
}

/// Whether a file exists at all, so the caller can persist a new vault id before using it.
pub fn exists(dir: &DataDir) -> bool {
    dir.accounts().exists()
}

/// Loads the metadata, setting aside what is damaged. Only a file from a newer Kunci is an
/// error: it is left untouched.
pub fn load(dir: &DataDir) -> Result<(Metadata, Vec<LoadProblem>), StoreError> {
    let mut problems = Vec::new();
    if let Some(meta) = read_file(dir, &dir.accounts(), &mut problems)? {
        return Ok((meta, problems));
    }
    // The main file is absent or was set aside: the backup is the next best thing.
    let backup = dir.accounts_backup();
    if let Some(meta) = read_file(dir, &backup, &mut problems)? {
        problems.push(LoadProblem::RestoredFromBackup { backup });
        return Ok((meta, problems));
    }
    // Both lost. A new list would get a new id, orphaning every keychain entry of the old one:
    // the damaged copies may still hold the id (it is near the top of the file).
    let recovered = problems.iter().find_map(|p| match p {
        LoadProblem::Damaged { set_aside, .. } => {
            let bytes = fs::read(set_aside).ok()?;
            Some((list_id_in(&bytes)?, set_aside.clone()))
        }
        _ => None,
    });
    if let Some((vault, from)) = recovered {
        problems.push(LoadProblem::ListIdRecovered { from });
        let meta = Metadata {
            vault,
            ..Metadata::new_empty()
        };
        // Written at once (the caller holds the write lock): the id must not be lost again
        // before the accounts come back under it.
        save(dir, &meta)?;
        return Ok((meta, problems));
    }
    Ok((Metadata::new_empty(), problems))
}

/// The list id (`"vault": "<hex>"`) in what is left of a damaged accounts file.
fn list_id_in(bytes: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(bytes);
    let after = &text[text.find("\"vault\"")? + "\"vault\"".len()..];
    let after = after
        .trim_start()
        .strip_prefix(':')?
        .trim_start()
        .strip_prefix('"')?;
    let id = &after[..after.find('"')?];
    AccountId::parse(id).map(|_| id.to_ascii_lowercase())
}

/// Reads one metadata file. `Ok(None)`: absent, or damaged and set aside (a problem is pushed).
fn read_file(
    dir: &DataDir,
    path: &Path,
    problems: &mut Vec<LoadProblem>,
) -> Result<Option<Metadata>, StoreError> {
    let bytes = match fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(source) => {
            return Err(StoreError::Io {
                path: path.to_path_buf(),
                source,
            });
        }
    };
    let damaged = |reason: String, problems: &mut Vec<LoadProblem>| -> Result<(), StoreError> {
        let set_aside = dir.set_aside(path);
        fs::rename(path, &set_aside).map_err(|source| StoreError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        problems.push(LoadProblem::Damaged {
            file: path.to_path_buf(),
            set_aside,
            reason,
        });
        Ok(())
    };
    // The schema is checked on the raw value first, so a newer file is refused, not "damaged".
    let value: Value = match serde_json::from_slice(&bytes) {
        Ok(v) => v,
        Err(e) => {
            damaged(format!("not valid JSON: {e}"), problems)?;
            return Ok(None);
        }
    };
    if let Some(found) = value.get("schema").and_then(Value::as_u64)
        && found > SCHEMA_VERSION
    {
        return Err(StoreError::NewerSchema {
            path: path.to_path_buf(),
            found,
            supported: SCHEMA_VERSION,
        });
    }
    let file: FileIn = match serde_json::from_value(value) {
        Ok(f) => f,
        Err(e) => {
            damaged(format!("not an accounts file: {e}"), problems)?;
            return Ok(None);
        }
    };
    if file.schema != SCHEMA_VERSION || AccountId::parse(&file.vault).is_none() {
        damaged(
            format!("unknown schema {} or vault id", file.schema),
            problems,
        )?;
        return Ok(None);
    }

    let mut accounts = AccountList::default();
    let mut reasons = Vec::new();
    for (index, raw) in file.accounts.into_iter().enumerate() {
        match serde_json::from_value::<Account>(raw) {
            Ok(account) => {
                if let Err(e) = account.params.validate() {
                    reasons.push(format!("entry {}: {e}", index + 1));
                } else if accounts.contains(&account.id) {
                    reasons.push(format!("entry {}: duplicate id {}", index + 1, account.id));
                } else {
                    accounts.push(account);
                }
            }
            Err(e) => reasons.push(format!("entry {}: {e}", index + 1)),
        }
    }
    if !reasons.is_empty() {
        // One copy of the file as it was is enough, however often it is loaded.
        let copy = match existing_copy(dir, path, &bytes) {
            Some(copy) => copy,
            None => {
                let copy = dir.set_aside(path);
                fs::copy(path, &copy).map_err(|source| StoreError::Io {
                    path: copy.clone(),
                    source,
                })?;
                copy
            }
        };
        problems.push(LoadProblem::BadEntries { copy, reasons });
    }
    let pending_deletes = file
        .pending_deletes
        .iter()
        .filter_map(|v| v.as_str().and_then(AccountId::parse))
        .collect();
    Ok(Some(Metadata {
        vault: file.vault.to_ascii_lowercase(),
        accounts,
        pending_deletes,
    }))
}

/// A copy set aside earlier that holds exactly `bytes`, if there is one.
fn existing_copy(dir: &DataDir, original: &Path, bytes: &[u8]) -> Option<PathBuf> {
    let prefix = format!("{}.damaged-", original.file_name()?.to_string_lossy());
    fs::read_dir(dir.root())
        .ok()?
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().starts_with(&prefix))
        .map(|e| e.path())
        .find(|p| fs::read(p).is_ok_and(|b| b == bytes))
}

/// Writes the metadata atomically, keeping the previous version as `accounts.json.bak`.
pub fn save(dir: &DataDir, meta: &Metadata) -> Result<(), StoreError> {
    let io_err = |path: &Path| {
        let path = path.to_path_buf();
        move |source| StoreError::Io { path, source }
    };
    dir.create().map_err(io_err(dir.root()))?;
    let out = FileOut {
        schema: SCHEMA_VERSION,
        vault: &meta.vault,
        accounts: meta.accounts.as_slice(),
        pending_deletes: &meta.pending_deletes,
    };
    let mut bytes = serde_json::to_vec_pretty(&out).expect("metadata always serializes");
    bytes.push(b'\n');
    let main = dir.accounts();
    atomic::replace_keeping_backup(&main, &dir.accounts_backup(), &bytes, || {
        failpoint("metadata:before-rename")
    })
    .map_err(io_err(&main))
}

/// Held while a process reads, changes and writes the metadata, so that two processes (the
/// window and the command line) never overwrite each other's changes.
pub struct WriteLock {
    _file: File,
}

impl WriteLock {
    pub fn acquire(dir: &DataDir) -> Result<Self, StoreError> {
        let path = dir.write_lock();
        let io_err = |source| StoreError::Io {
            path: path.clone(),
            source,
        };
        dir.create().map_err(|source| StoreError::Io {
            path: dir.root().to_path_buf(),
            source,
        })?;
        let file = atomic::lock_exclusive(&path).map_err(|e| match e {
            LockError::Busy => StoreError::Busy { path: path.clone() },
            LockError::Io(source) => io_err(source),
        })?;
        Ok(WriteLock { _file: file })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::otp::Params;

    fn account(label: &str) -> Account {
        Account {
            id: AccountId::random(),
            issuer: "Test".into(),
            label: label.into(),
            params: Params::default(),
            added: 1,
            note: String::new(),
            pinned: false,
        }
    }

    #[test]
    fn round_trip_and_backup() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = DataDir::new(tmp.path());
        let mut meta = Metadata::new_empty();
        meta.accounts.push(account("one"));
        save(&dir, &meta).unwrap();
        assert!(!dir.accounts_backup().exists());
        meta.accounts.push(account("two"));
        save(&dir, &meta).unwrap();
        let (loaded, problems) = load(&dir).unwrap();
        assert!(problems.is_empty());
        assert_eq!(loaded, meta);
        let backup: Value =
            serde_json::from_slice(&fs::read(dir.accounts_backup()).unwrap()).unwrap();
        assert_eq!(backup["accounts"].as_array().unwrap().len(), 1);
        let names: Vec<String> = fs::read_dir(tmp.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .filter(|n| n.ends_with(".tmp"))
            .collect();
        assert!(names.is_empty(), "{names:?}");
    }

    #[test]
    fn damaged_file_is_set_aside_and_backup_used() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = DataDir::new(tmp.path());
        let mut meta = Metadata::new_empty();
        meta.accounts.push(account("one"));
        save(&dir, &meta).unwrap();
        save(&dir, &meta).unwrap();
        fs::write(dir.accounts(), b"{\"schema\": 1, \"vault\": tru").unwrap();
        let (loaded, problems) = load(&dir).unwrap();
        assert_eq!(loaded.accounts.len(), 1);
        assert!(matches!(problems[0], LoadProblem::Damaged { .. }));
        assert!(matches!(
            problems[1],
            LoadProblem::RestoredFromBackup { .. }
        ));
        let LoadProblem::Damaged { set_aside, .. } = &problems[0] else {
            unreachable!()
        };
        assert_eq!(
            fs::read(set_aside).unwrap(),
            b"{\"schema\": 1, \"vault\": tru"
        );
        assert!(!dir.accounts().exists());
    }

    #[test]
    fn one_bad_entry_keeps_the_others() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = DataDir::new(tmp.path());
        let good = account("good");
        let text = serde_json::json!({
            "schema": 1,
            "vault": "0123456789abcdef0123456789abcdef",
            "accounts": [
                {"id": "zz", "label": "bad id"},
                good,
                {"id": "0123456789abcdef", "label": "bad digits", "kind": "totp",
                 "algorithm": "SHA1", "digits": 12, "period": 30, "counter": 0}
            ]
        });
        fs::write(dir.accounts(), serde_json::to_vec(&text).unwrap()).unwrap();
        let (loaded, problems) = load(&dir).unwrap();
        assert_eq!(loaded.accounts.as_slice(), &[good]);
        let LoadProblem::BadEntries { copy, reasons } = &problems[0] else {
            panic!("{problems:?}")
        };
        assert_eq!(reasons.len(), 2);
        assert!(copy.exists());
    }

    #[test]
    fn newer_schema_is_refused_and_left_alone() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = DataDir::new(tmp.path());
        let text = br#"{"schema": 9, "vault": "x", "accounts": [], "future": true}"#;
        fs::write(dir.accounts(), text).unwrap();
        assert!(matches!(
            load(&dir),
            Err(StoreError::NewerSchema { found: 9, .. })
        ));
        assert_eq!(fs::read(dir.accounts()).unwrap(), text);
    }
}
