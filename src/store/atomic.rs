//! Writing a file so that a crash leaves either the old or the new version, never a mix, and so
//! that nobody else can step in while it is written.
//!
//! The new bytes go to a temporary file in the target's folder, created exclusively (`O_EXCL`,
//! so a link planted at its name is never followed) under an unpredictable name (the
//! `tempfile` crate), owner-only on Unix; it is fsynced, then renamed over the target and the
//! folder fsynced. On every error path the temporary file is removed (dropping it does that),
//! so a half-written file — a plaintext export, say — is never left behind.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::Path;
use std::time::{Duration, Instant};

/// How long a process waits for another to let go of a lock file before it gives up and says
/// who may hold it (another Kunci, or another program).
pub(crate) const LOCK_WAIT: Duration = Duration::from_secs(5);

/// Makes renames durable (on Unix a directory has to be synced for that).
pub(crate) fn sync_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        File::open(dir)?.sync_all()?;
    }
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

/// The folder of `path` (created when missing).
fn folder_of(path: &Path) -> io::Result<&Path> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    fs::create_dir_all(dir)?;
    Ok(dir)
}

/// A synced, owner-only temporary file in `dir` holding `bytes`; removed when dropped unless
/// it was persisted.
fn synced_temp(dir: &Path, name: &Path, bytes: &[u8]) -> io::Result<tempfile::NamedTempFile> {
    let prefix = format!(
        ".{}.",
        name.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    );
    let mut temp = tempfile::Builder::new()
        .prefix(&prefix)
        .suffix(".tmp")
        .tempfile_in(dir)?;
    #[cfg(unix)]
    {
        // tempfile creates 0600 already; said again, so that no umask or platform default can
        // widen it.
        use std::os::unix::fs::PermissionsExt;
        temp.as_file()
            .set_permissions(fs::Permissions::from_mode(0o600))?;
    }
    temp.write_all(bytes)?;
    temp.as_file().sync_all()?;
    Ok(temp)
}

/// Replaces `path` with `bytes` through a synced temporary file and a rename.
pub(crate) fn replace(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = folder_of(path)?;
    let temp = synced_temp(dir, path, bytes)?;
    temp.persist(path).map_err(|e| e.error)?;
    sync_dir(dir)
}

/// [`replace`], keeping the file it replaces as `backup` (itself replaced atomically first).
/// `before_rename` runs between the two (the crash tests abort there).
pub(crate) fn replace_keeping_backup(
    path: &Path,
    backup: &Path,
    bytes: &[u8],
    before_rename: impl FnOnce(),
) -> io::Result<()> {
    let dir = folder_of(path)?;
    let temp = synced_temp(dir, path, bytes)?;
    match fs::read(path) {
        Ok(previous) => replace(backup, &previous)?,
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => return Err(e),
    }
    before_rename();
    temp.persist(path).map_err(|e| e.error)?;
    sync_dir(dir)
}

/// Removes the temporary files a crash left behind for `target_name` in `dir` (a killed
/// process never drops its temporary file). Call it only while holding the lock that every
/// writer of that file holds, so that no live write loses its file.
pub(crate) fn remove_leftovers(dir: &Path, target_name: &str) {
    let prefix = format!(".{target_name}.");
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.filter_map(Result::ok) {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with(&prefix) && name.ends_with(".tmp") {
            // A link is removed as a link: its target is never touched.
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// Why a lock file could not be had.
#[derive(Debug)]
pub(crate) enum LockError {
    /// Another process held it for all of [`LOCK_WAIT`].
    Busy,
    Io(io::Error),
}

/// Opens (creating it if needed, owner-only) the lock file at `path` and takes its exclusive
/// lock, which lasts as long as the returned file is open — and no longer than the process.
/// Waits up to [`LOCK_WAIT`] for another holder to let go, then gives up.
pub(crate) fn lock_exclusive(path: &Path) -> Result<File, LockError> {
    let mut options = OpenOptions::new();
    options.read(true).write(true).create(true).truncate(false);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let file = options.open(path).map_err(LockError::Io)?;
    let deadline = Instant::now() + LOCK_WAIT;
    let mut pause = Duration::from_millis(10);
    loop {
        match file.try_lock() {
            Ok(()) => return Ok(file),
            Err(fs::TryLockError::WouldBlock) if Instant::now() < deadline => {
                std::thread::sleep(pause.min(deadline.saturating_duration_since(Instant::now())));
                pause = (pause * 2).min(Duration::from_millis(200));
            }
            Err(fs::TryLockError::WouldBlock) => return Err(LockError::Busy),
            Err(fs::TryLockError::Error(e)) => return Err(LockError::Io(e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn a_replaced_file_has_the_new_bytes_and_no_temporary_file_is_left() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("accounts.json");
        replace(&path, b"one").unwrap();
        replace(&path, b"two").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"two");
        assert_eq!(names(tmp.path()), ["accounts.json"]);
        let backup = tmp.path().join("accounts.json.bak");
        replace_keeping_backup(&path, &backup, b"three", || {}).unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"three");
        assert_eq!(fs::read(&backup).unwrap(), b"two");
        assert_eq!(names(tmp.path()), ["accounts.json", "accounts.json.bak"]);
    }

    /// Before: the temporary file had a fixed name (`<target>.tmp`) and was opened without
    /// `O_EXCL`, so a link planted there was followed and its target overwritten.
    #[cfg(unix)]
    #[test]
    fn a_link_planted_at_the_old_temporary_name_is_left_untouched() {
        let tmp = tempfile::tempdir().unwrap();
        let victim = tmp.path().join("victim");
        fs::write(&victim, b"precious").unwrap();
        let path = tmp.path().join("export.txt");
        std::os::unix::fs::symlink(&victim, tmp.path().join("export.txt.tmp")).unwrap();
        replace(&path, b"otpauth://totp/x?secret=JBSWY3DPEHPK3PXP").unwrap();
        assert_eq!(fs::read(&victim).unwrap(), b"precious");
        assert!(
            fs::symlink_metadata(tmp.path().join("export.txt.tmp"))
                .unwrap()
                .file_type()
                .is_symlink()
        );
    }

    /// A write that fails leaves nothing behind: here the target is a folder, so the rename
    /// fails after the bytes were written.
    #[test]
    fn a_failed_replace_leaves_no_half_written_file() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("export.txt");
        fs::create_dir(&path).unwrap();
        fs::write(path.join("inside"), b"x").unwrap();
        assert!(replace(&path, b"secret text").is_err());
        assert_eq!(names(tmp.path()), ["export.txt"]);
    }

    #[test]
    fn leftovers_of_a_crash_are_removed_and_nothing_else() {
        let tmp = tempfile::tempdir().unwrap();
        for name in [
            ".accounts.json.a1B2c3.tmp",
            ".accounts.json.bak.x.tmp",
            "accounts.json",
        ] {
            fs::write(tmp.path().join(name), b"x").unwrap();
        }
        fs::write(tmp.path().join(".settings.json.q.tmp"), b"x").unwrap();
        remove_leftovers(tmp.path(), "accounts.json");
        assert_eq!(names(tmp.path()), [".settings.json.q.tmp", "accounts.json"]);
    }

    #[cfg(unix)]
    #[test]
    fn written_files_are_owner_only() {
        use std::os::unix::fs::PermissionsExt;
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("a");
        replace(&path, b"x").unwrap();
        let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }

    /// Before: waiting for a lock had no end (a stuck Kunci or another program froze every
    /// command).
    #[test]
    fn a_held_lock_is_given_up_on_after_a_few_seconds() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("accounts.lock");
        let held = lock_exclusive(&path).unwrap();
        let start = Instant::now();
        assert!(matches!(lock_exclusive(&path), Err(LockError::Busy)));
        let waited = start.elapsed();
        assert!(waited >= LOCK_WAIT && waited < LOCK_WAIT * 3, "{waited:?}");
        drop(held);
        assert!(lock_exclusive(&path).is_ok());
    }
}
