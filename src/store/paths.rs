//! Where Kunci keeps its files.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// Environment variable that overrides the data directory (tests, portable use).
pub const DATA_DIR_ENV: &str = "KUNCI_DATA_DIR";

/// A file of this name beside the executable turns on portable mode.
pub const PORTABLE_MARKER: &str = "portable";

/// The portable data folder for the executable at `exe`, when the marker is beside it.
pub fn portable_dir(exe: &Path) -> Option<PathBuf> {
    let folder = exe.parent()?;
    folder
        .join(PORTABLE_MARKER)
        .is_file()
        .then(|| folder.join("data"))
}

/// The data directory and the files in it. Nothing in here ever holds a secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataDir {
    root: PathBuf,
}

impl DataDir {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        DataDir { root: root.into() }
    }

    /// `$KUNCI_DATA_DIR` when set and not empty; else, in portable mode (a file named
    /// [`PORTABLE_MARKER`] beside the executable, e.g. on a USB stick), a `data` folder beside
    /// the executable; else the platform's data directory (`~/.local/share/kunci`,
    /// `%APPDATA%\Kunci\data`, `~/Library/Application Support/Kunci`).
    pub fn from_env() -> Option<Self> {
        if let Some(dir) = std::env::var_os(DATA_DIR_ENV).filter(|d| !d.is_empty()) {
            return Some(DataDir::new(dir));
        }
        if let Some(dir) = std::env::current_exe()
            .ok()
            .and_then(|exe| portable_dir(&exe))
        {
            return Some(DataDir::new(dir));
        }
        directories::ProjectDirs::from("", "", "Kunci").map(|p| DataDir::new(p.data_dir()))
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Creates the data directory when it is missing, owner-only (0700 on Unix).
    pub fn create(&self) -> io::Result<()> {
        let mut builder = fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::DirBuilderExt;
            builder.mode(0o700);
        }
        builder.create(&self.root)
    }

    /// Creates the data directory if needed and makes it and every file directly in it
    /// owner-only (0700 and 0600 on Unix), mending what a copy, an older Kunci or another
    /// program left wider. Links are never followed (their targets are not ours to change).
    /// Returns how many were mended. On Windows the user's profile folder is private already.
    pub fn make_private(&self) -> io::Result<usize> {
        self.create()?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mut mended = 0;
            let mut tighten = |path: &Path, meta: &fs::Metadata, mode: u32| -> io::Result<()> {
                if meta.permissions().mode() & 0o777 & !mode != 0 {
                    fs::set_permissions(path, fs::Permissions::from_mode(mode))?;
                    mended += 1;
                }
                Ok(())
            };
            let root = fs::symlink_metadata(&self.root)?;
            if root.is_dir() {
                tighten(&self.root, &root, 0o700)?;
            }
            for entry in fs::read_dir(&self.root)?.filter_map(Result::ok) {
                let path = entry.path();
                let Ok(meta) = fs::symlink_metadata(&path) else {
                    continue;
                };
                if meta.is_file() {
                    tighten(&path, &meta, 0o600)?;
                } else if meta.is_dir() {
                    tighten(&path, &meta, 0o700)?;
                }
            }
            Ok(mended)
        }
        #[cfg(not(unix))]
        Ok(0)
    }

    /// The account metadata.
    pub fn accounts(&self) -> PathBuf {
        self.root.join("accounts.json")
    }

    /// The previous version of the metadata, kept on every write.
    pub fn accounts_backup(&self) -> PathBuf {
        self.root.join("accounts.json.bak")
    }

    /// Preferences (time servers, network time, …).
    pub fn settings(&self) -> PathBuf {
        self.root.join("settings.json")
    }

    /// Locked while a process reads, changes and writes the metadata.
    pub fn write_lock(&self) -> PathBuf {
        self.root.join("accounts.lock")
    }

    /// A name for a damaged file set aside, unique per second.
    pub fn set_aside(&self, original: &Path) -> PathBuf {
        let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%SZ");
        let name = original
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "accounts.json".into());
        let mut candidate = self.root.join(format!("{name}.damaged-{stamp}"));
        let mut n = 1;
        while candidate.exists() {
            n += 1;
            candidate = self.root.join(format!("{name}.damaged-{stamp}-{n}"));
        }
        candidate
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_marker_beside_the_executable_means_portable() {
        let tmp = tempfile::tempdir().unwrap();
        let exe = tmp.path().join("kunci.exe");
        assert_eq!(portable_dir(&exe), None);
        std::fs::write(tmp.path().join(PORTABLE_MARKER), b"").unwrap();
        assert_eq!(portable_dir(&exe), Some(tmp.path().join("data")));
    }

    /// Before: the folder was made with the umask's mode (0755 here) and files written by
    /// other means kept theirs; nothing mended them.
    #[cfg(unix)]
    #[test]
    fn the_data_folder_and_its_files_are_made_owner_only() {
        use std::os::unix::fs::PermissionsExt;
        let tmp = tempfile::tempdir().unwrap();
        let dir = DataDir::new(tmp.path().join("kunci"));
        dir.create().unwrap();
        let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(dir.root()), 0o700, "created owner-only");
        fs::set_permissions(dir.root(), fs::Permissions::from_mode(0o755)).unwrap();
        let settings = dir.settings();
        fs::write(&settings, b"{}").unwrap();
        fs::set_permissions(&settings, fs::Permissions::from_mode(0o644)).unwrap();
        let outside = tmp.path().join("elsewhere");
        fs::write(&outside, b"not ours").unwrap();
        fs::set_permissions(&outside, fs::Permissions::from_mode(0o644)).unwrap();
        std::os::unix::fs::symlink(&outside, dir.root().join("link")).unwrap();

        assert_eq!(dir.make_private().unwrap(), 2);
        assert_eq!(mode(dir.root()), 0o700);
        assert_eq!(mode(&settings), 0o600);
        assert_eq!(mode(&outside), 0o644, "a link's target is left alone");
        assert_eq!(dir.make_private().unwrap(), 0, "nothing left to mend");
    }
}
