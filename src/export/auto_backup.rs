//! Automatic encrypted backups to a folder the user chose: after each change to the accounts,
//! `kunci-backup-YYYYMMDD-HHMMSS.kunci` (UTC, so names sort in time order whatever the time
//! zone) in Kunci's own backup format ([`crate::import::kunci`]), keeping the newest N.
//!
//! They run unattended, so their passphrase cannot be asked for: the store keeps it where the
//! secrets are (the OS keychain, or the vault file), in an entry of its own, never in a file in
//! clear ([`Store::backup_passphrase`]).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::accounts::Extras;
use crate::import::kunci::{self as backup, BackupError, KdfParams};
use crate::otp::OtpUri;
use crate::store::{SecretsError, Store, StoreError};

const PREFIX: &str = "kunci-backup-";
const SUFFIX: &str = ".kunci";

/// How long after a change the backup is written: a burst of changes (an import, a few
/// renames) makes one file, not one each.
pub const DEBOUNCE: Duration = Duration::from_secs(2);

/// Why an automatic backup was not written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AutoBackupError {
    /// No passphrase is stored for the automatic backups.
    #[error("no passphrase is set for the automatic backups")]
    NoPassphrase,
    #[error(transparent)]
    Seal(#[from] BackupError),
    /// The folder or a file in it could not be written, read or deleted.
    #[error("cannot write the automatic backup in {}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A secret (or the passphrase) could not be read.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<SecretsError> for AutoBackupError {
    fn from(e: SecretsError) -> Self {
        AutoBackupError::Store(e.into())
    }
}

/// The file name for a backup made at `now` (Unix seconds).
pub fn file_name(now: i64) -> String {
    let at = chrono::DateTime::from_timestamp(now, 0).unwrap_or_default();
    format!("{PREFIX}{}{SUFFIX}", at.format("%Y%m%d-%H%M%S"))
}

/// Whether `name` is one of ours (only those are ever pruned).
pub fn is_backup_name(name: &str) -> bool {
    let Some(stamp) = name
        .strip_prefix(PREFIX)
        .and_then(|rest| rest.strip_suffix(SUFFIX))
    else {
        return false;
    };
    let bytes = stamp.as_bytes();
    bytes.len() == 15
        && bytes[8] == b'-'
        && bytes
            .iter()
            .enumerate()
            .all(|(i, b)| i == 8 || b.is_ascii_digit())
}

/// Seals `accounts` under `passphrase` into `folder`, atomically (a crash leaves the old
/// files and at most a `.tmp`, never a half-written backup under our name).
/// `extras[i]` is the note and pin of `accounts[i]`.
pub fn write_backup(
    folder: &Path,
    accounts: &[OtpUri],
    extras: &[Extras],
    passphrase: &str,
    now: i64,
) -> Result<PathBuf, AutoBackupError> {
    write_backup_with(
        folder,
        accounts,
        extras,
        passphrase,
        now,
        KdfParams::default(),
    )
}

fn write_backup_with(
    folder: &Path,
    accounts: &[OtpUri],
    extras: &[Extras],
    passphrase: &str,
    now: i64,
    params: KdfParams,
) -> Result<PathBuf, AutoBackupError> {
    let bytes = backup::seal_with(accounts, extras, passphrase, params)?;
    let path = folder.join(file_name(now));
    crate::store::replace_file(&path, &bytes).map_err(|source| AutoBackupError::Io {
        path: path.clone(),
        source,
    })?;
    Ok(path)
}

/// What pruning did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Pruned {
    /// Our older backups, deleted.
    pub deleted: Vec<PathBuf>,
    /// Our backups whose names are dated after now (a clock that ran ahead wrote them, or
    /// someone put them there): never counted, never deleted; the user is told.
    pub future: Vec<PathBuf>,
}

/// When the backup named `name` was made (Unix seconds), from its UTC time stamp.
fn made_at(name: &str) -> Option<i64> {
    let stamp = name.strip_prefix(PREFIX)?.strip_suffix(SUFFIX)?;
    chrono::NaiveDateTime::parse_from_str(stamp, "%Y%m%d-%H%M%S")
        .ok()
        .map(|t| t.and_utc().timestamp())
}

/// Deletes our backups in `folder` but the newest `keep` (at least one is always kept), as
/// of `now`; `written`, the file just written, is never deleted, and files dated after `now`
/// are neither counted nor deleted (so a folder with backups from a clock that ran ahead does
/// not eat the new one). Other files are never touched.
pub fn prune(
    folder: &Path,
    keep: usize,
    written: &Path,
    now: i64,
) -> Result<Pruned, AutoBackupError> {
    let io = |source| AutoBackupError::Io {
        path: folder.to_path_buf(),
        source,
    };
    let mut pruned = Pruned::default();
    let mut ours: Vec<String> = Vec::new();
    for entry in std::fs::read_dir(folder)
        .map_err(io)?
        .filter_map(Result::ok)
    {
        let Ok(name) = entry.file_name().into_string() else {
            continue;
        };
        if !entry.file_type().is_ok_and(|t| t.is_file()) || !is_backup_name(&name) {
            continue;
        }
        match made_at(&name) {
            Some(at) if at <= now => ours.push(name),
            _ => pruned.future.push(folder.join(&name)),
        }
    }
    pruned.future.sort();
    // The names are UTC time stamps of fixed width: name order is time order.
    ours.sort();
    let excess = ours.len().saturating_sub(keep.max(1));
    for name in &ours[..excess] {
        let path = folder.join(name);
        if path == written {
            continue;
        }
        std::fs::remove_file(&path).map_err(io)?;
        pruned.deleted.push(path);
    }
    Ok(pruned)
}

/// A backup written, and what pruning did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackedUp {
    pub path: PathBuf,
    pub pruned: Pruned,
}

/// Writes a backup of every account in `store` and prunes the folder to `keep` files.
pub fn back_up(
    store: &Store,
    folder: &Path,
    keep: usize,
    now: i64,
) -> Result<BackedUp, AutoBackupError> {
    let passphrase = store
        .backup_passphrase()?
        .ok_or(AutoBackupError::NoPassphrase)?;
    // Every secret or none: a backup quietly missing an account would be trusted wrongly.
    let (accounts, extras): (Vec<_>, Vec<Extras>) = store
        .every_secret()
        .map_err(|(_, e)| e)?
        .into_iter()
        .map(|(account, secret)| (account.to_uri(&secret), account.extras()))
        .unzip();
    let path = write_backup(folder, &accounts, &extras, &passphrase, now)?;
    let pruned = prune(folder, keep, &path, now)?;
    Ok(BackedUp { path, pruned })
}

/// Where and how many: the settings of the automatic backups.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    pub folder: PathBuf,
    pub keep: usize,
}

/// When the next automatic backup is due: the first change starts a [`DEBOUNCE`] wait, later
/// changes within it ride along.
#[derive(Debug, Default)]
pub struct Schedule {
    config: Option<Config>,
    due: Option<Instant>,
}

impl Schedule {
    /// Turns the backups on (`Some`) or off.
    pub fn configure(&mut self, config: Option<Config>) {
        if config.is_none() {
            self.due = None;
        }
        self.config = config;
    }

    /// The accounts changed: a backup is due soon (if the backups are on).
    pub fn changed(&mut self, now: Instant) {
        if self.config.is_some() && self.due.is_none() {
            self.due = Some(now + DEBOUNCE);
        }
    }

    /// How long until the next backup is due; `None` when none is.
    pub fn wait(&self, now: Instant) -> Option<Duration> {
        self.due.map(|due| due.saturating_duration_since(now))
    }

    /// The configuration to back up with, when a backup is due at `now`.
    pub fn take_due(&mut self, now: Instant) -> Option<Config> {
        match self.due {
            Some(due) if due <= now => {
                self.due = None;
                self.config.clone()
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PASS: &str = "cadangan rahasia";

    fn accounts() -> Vec<OtpUri> {
        ["GitHub:ada", "LPSE Kota Bandung:penyedia01"]
            .iter()
            .map(|name| {
                OtpUri::parse(&format!("otpauth://totp/{name}?secret=JBSWY3DPEHPK3PXP")).unwrap()
            })
            .collect()
    }

    fn write(folder: &Path, now: i64) -> PathBuf {
        write_backup_with(
            folder,
            &accounts(),
            &[],
            PASS,
            now,
            KdfParams::light_for_tests(),
        )
        .unwrap()
    }

    fn names(folder: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(folder)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn names_are_utc_time_stamps() {
        // 2026-11-28 17:03:15 UTC.
        assert_eq!(
            file_name(1_795_885_395),
            "kunci-backup-20261128-170315.kunci"
        );
        assert!(is_backup_name("kunci-backup-20261128-170315.kunci"));
        for other in [
            "kunci-backup-20261128-170315.kunci.tmp",
            "kunci-backup-2026112-1703150.kunci",
            "kunci-backup-20261128-17031x.kunci",
            "kunci-backup-latest.kunci",
            "notes.txt",
            "KUNCI-BACKUP-20261128-170315.kunci",
        ] {
            assert!(!is_backup_name(other), "{other}");
        }
    }

    #[test]
    fn a_written_backup_opens_to_the_accounts_and_leaves_no_temporary_file() {
        let tmp = tempfile::tempdir().unwrap();
        let path = write(tmp.path(), 1_795_885_395);
        assert_eq!(names(tmp.path()), ["kunci-backup-20261128-170315.kunci"]);
        let opened = backup::open(&std::fs::read(&path).unwrap(), PASS).unwrap();
        assert_eq!(opened.accounts, accounts());
        assert!(backup::open(&std::fs::read(&path).unwrap(), "wrong").is_err());
    }

    #[test]
    fn an_empty_passphrase_writes_nothing() {
        let tmp = tempfile::tempdir().unwrap();
        let result = write_backup_with(tmp.path(), &accounts(), &[], "", 0, Default::default());
        assert!(matches!(
            result,
            Err(AutoBackupError::Seal(BackupError::EmptyPassphrase))
        ));
        assert!(names(tmp.path()).is_empty());
    }

    #[test]
    fn pruning_keeps_the_newest_and_touches_nothing_else() {
        let tmp = tempfile::tempdir().unwrap();
        let folder = tmp.path();
        // Written out of order: the names, not the write order, say which are newest.
        for now in [300, 100, 500, 200, 400] {
            write(folder, now);
        }
        let others = [
            "notes.txt",
            "kunci-backup-manual.kunci",
            "kunci-backup-19700101-000000.kunci.tmp",
            "my-kunci-backup-19700101-000000.kunci",
        ];
        for other in others {
            std::fs::write(folder.join(other), b"keep me").unwrap();
        }
        std::fs::create_dir(folder.join("kunci-backup-19700101-000001.kunci")).unwrap();

        let newest = folder.join(file_name(500));
        let deleted = prune(folder, 2, &newest, 1_000).unwrap().deleted;
        assert_eq!(deleted.len(), 3);
        let mut left = names(folder);
        left.retain(|n| !others.contains(&n.as_str()));
        assert_eq!(
            left,
            [
                "kunci-backup-19700101-000001.kunci", // a folder: not ours to delete
                "kunci-backup-19700101-000640.kunci",
                "kunci-backup-19700101-000820.kunci",
            ]
        );
        for other in others {
            assert_eq!(std::fs::read(folder.join(other)).unwrap(), b"keep me");
        }
        // Keeping zero would leave no backup at all: the newest always stays.
        prune(folder, 0, &newest, 1_000).unwrap();
        assert!(names(folder).contains(&"kunci-backup-19700101-000820.kunci".to_string()));
        assert!(!names(folder).contains(&"kunci-backup-19700101-000640.kunci".to_string()));
    }

    #[test]
    fn changes_within_the_debounce_make_one_backup() {
        let mut schedule = Schedule::default();
        let t0 = Instant::now();
        schedule.changed(t0);
        assert_eq!(schedule.wait(t0), None, "off: nothing is due");
        let config = Config {
            folder: PathBuf::from("/backups"),
            keep: 10,
        };
        schedule.configure(Some(config.clone()));
        schedule.changed(t0);
        schedule.changed(t0 + Duration::from_secs(1));
        assert_eq!(schedule.wait(t0), Some(DEBOUNCE));
        assert_eq!(schedule.take_due(t0 + Duration::from_secs(1)), None);
        assert_eq!(schedule.take_due(t0 + DEBOUNCE), Some(config));
        assert_eq!(schedule.wait(t0 + DEBOUNCE), None);
        schedule.changed(t0 + DEBOUNCE);
        schedule.configure(None);
        assert_eq!(schedule.wait(t0 + DEBOUNCE), None);
    }

    /// Before: pruning sorted by name only, so with backups dated in the future (a clock that
    /// ran ahead) in the folder, the backup just written was the oldest and was deleted.
    #[test]
    fn future_dated_backups_do_not_eat_the_new_one() {
        let tmp = tempfile::tempdir().unwrap();
        let folder = tmp.path();
        let now = 1_795_885_395; // 2026-11-28
        let year = 365 * 86_400;
        for at in [now + year, now + 2 * year, now - 86_400] {
            write(folder, at);
        }
        let written = write(folder, now);
        let pruned = prune(folder, 2, &written, now).unwrap();
        assert!(written.exists(), "the backup just written is kept");
        assert_eq!(pruned.future.len(), 2, "{pruned:?}");
        assert!(pruned.future.iter().all(|p| p.exists()), "never deleted");
        assert!(pruned.deleted.is_empty(), "{pruned:?}");
        // Keeping one: the older one goes, the new one and the future ones stay.
        let pruned = prune(folder, 1, &written, now).unwrap();
        assert_eq!(pruned.deleted, [folder.join(file_name(now - 86_400))]);
        assert!(written.exists());
    }
}
