//! Where Kunci keeps its files.

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

    /// The account metadata.
    pub fn accounts(&self) -> PathBuf {
        self.root.join("accounts.json")
    }

    /// The previous version of the metadata, kept on every write.
    pub fn accounts_backup(&self) -> PathBuf {
        self.root.join("accounts.json.bak")
    }

    /// Where a new version is written before it replaces the old one.
    pub fn accounts_temp(&self) -> PathBuf {
        self.root.join("accounts.json.tmp")
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
}
