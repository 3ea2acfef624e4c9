//! Preferences, kept in `settings.json` in the data directory (never a secret in here).

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::clock::{CheckConfig, DEFAULT_HTTPS_URLS, DEFAULT_SNTP_SERVERS, DEFAULT_TIMEOUT};
use crate::desktop::{Shortcut, ShortcutError};
use crate::store::{DataDir, StoreError};

/// A language Kunci speaks. Its words live in the front ends' translation files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Language {
    #[serde(rename = "en")]
    English,
    #[serde(rename = "id")]
    Indonesian,
}

impl Language {
    pub const ALL: [Language; 2] = [Language::Indonesian, Language::English];

    /// The BCP 47 code of the translation files.
    pub fn code(self) -> &'static str {
        match self {
            Language::English => "en",
            Language::Indonesian => "id",
        }
    }

    /// The language a locale name (`id-ID`, `in_ID.UTF-8`, `en-US`…) asks for: Indonesian for
    /// `id` and its legacy code `in` (still sent by old Java and Android stacks), else English.
    pub fn from_locale(locale: &str) -> Language {
        Language::spoken(locale).unwrap_or(Language::English)
    }

    /// The language of a locale name if Kunci speaks it.
    fn spoken(locale: &str) -> Option<Language> {
        let primary = locale.split(['-', '_', '.', '@']).next().unwrap_or("");
        match primary.to_ascii_lowercase().as_str() {
            "id" | "in" => Some(Language::Indonesian),
            // The C locale (LC_ALL=C in scripts and CI) means untranslated messages: English,
            // not "keep looking" (which would let a lower-priority LANG=id_ID win).
            "en" | "c" | "posix" => Some(Language::English),
            _ => None,
        }
    }

    /// The system's language: the first of its preferred languages that Kunci speaks, else
    /// English.
    pub fn of_system() -> Language {
        sys_locale::get_locales()
            .find_map(|l| Language::spoken(&l))
            .unwrap_or(Language::English)
    }
}

/// Light or dark colours.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Theme {
    /// Follow the system's setting.
    #[default]
    System,
    Light,
    Dark,
}

/// The app lock's file in the data directory: `{"argon2id_phc": "..."}` or `null` for no lock.
pub const LOCK_FILE: &str = "applock.json";

/// Why the settings file was not used; the defaults are used instead. The front ends word it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SettingsProblem {
    /// The file exists but cannot be read (permissions, I/O error).
    #[error("cannot read {}: {detail}; using the defaults", path.display())]
    Unreadable { path: PathBuf, detail: String },
    /// The file is not valid settings; it was renamed to `kept_as` (`None`: renaming failed and
    /// it was left as it is).
    #[error(
        "{} could not be read ({detail}); {}; using the defaults",
        path.display(),
        match kept_as {
            Some(aside) => format!("it was kept as {}", aside.display()),
            None => "it was left as it is".to_string(),
        }
    )]
    Damaged {
        path: PathBuf,
        detail: String,
        kept_as: Option<PathBuf>,
    },
    /// The app lock's file (and its `.bak`) cannot be read: the window stays locked.
    #[error(
        "the app lock's file {} cannot be read ({detail}); the window stays locked. If you set \
         this lock and forgot nothing, restore the file; to remove the lock, delete it and its \
         .bak, then set the lock again",
        path.display()
    )]
    LockUnreadable { path: PathBuf, detail: String },
}

/// Every field has a default, so a file from an older or newer version still loads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// SNTP servers to check the clock against (`host` or `host:port`).
    pub time_servers: Vec<String>,
    /// HTTPS sites whose `Date` header is the fallback when no SNTP server answers.
    pub https_time_urls: Vec<String>,
    /// Check the clock at start, every 15 minutes and after the computer wakes.
    pub auto_check_time: bool,
    /// Compute codes from network-corrected time instead of this computer's clock.
    pub use_network_time: bool,
    /// The window's and command line's language; `None` follows the system.
    pub language: Option<Language>,
    pub theme: Theme,
    /// Seconds after which a copied code is cleared from the clipboard (if it is still
    /// there); `None` leaves it.
    pub clipboard_clear_seconds: Option<u32>,
    /// Minimise the window after a code is copied (to paste it straight into the browser).
    pub minimize_after_copy: bool,
    /// The account list's groups the user folded away (`GroupKey::to_setting` texts).
    pub collapsed_groups: std::collections::BTreeSet<String>,
    /// The app lock's passphrase as an Argon2id PHC string (never the passphrase itself);
    /// `None`: no lock. Kept in a file of its own ([`LOCK_FILE`]), not in settings.json, so
    /// that a damaged settings file cannot lose it; read from settings.json only as written by
    /// an older Kunci.
    #[serde(skip_serializing)]
    pub lock_passphrase_hash: Option<String>,
    /// The lock file exists but neither it nor its `.bak` can be read: a lock may be set that
    /// cannot be checked, so the window stays locked (fail closed) and says how to get out.
    #[serde(skip)]
    pub lock_unreadable: Option<PathBuf>,
    /// Minutes without input after which the window locks; `None`: only at start and on
    /// "Lock now".
    pub lock_idle_minutes: Option<u32>,
    /// Unix seconds of the last successful backup (export or automatic); `None`: never.
    pub last_backup: Option<i64>,
    /// Remind of accounts that are in no backup yet.
    pub backup_reminder: bool,
    /// The accounts (ids) in no backup when the reminder was dismissed: it stays hidden until
    /// another one is added.
    pub backup_reminder_dismissed: std::collections::BTreeSet<String>,
    /// The folder for automatic encrypted backups; `None`: off. Their passphrase is in the
    /// keychain (or vault), never here.
    pub auto_backup_folder: Option<PathBuf>,
    /// How many automatic backups to keep in that folder (older ones are deleted).
    pub auto_backup_keep: u32,
    /// The keys that bring up the quick picker from anywhere ("Ctrl+Alt+K"); `None`: off.
    pub quick_pick_shortcut: Option<String>,
    /// An icon in the tray, whose menu copies pinned accounts' codes and opens the picker.
    pub tray_icon: bool,
    /// The close button hides the window to the tray (while a tray shows the icon); Quit in
    /// the tray's menu ends Kunci.
    pub close_to_tray: bool,
    /// Start hidden in the tray (minimised where no tray shows the icon).
    pub start_minimized: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            time_servers: DEFAULT_SNTP_SERVERS.iter().map(|s| s.to_string()).collect(),
            https_time_urls: DEFAULT_HTTPS_URLS.iter().map(|s| s.to_string()).collect(),
            auto_check_time: true,
            use_network_time: false,
            language: None,
            theme: Theme::System,
            clipboard_clear_seconds: Some(30),
            minimize_after_copy: false,
            collapsed_groups: Default::default(),
            lock_passphrase_hash: None,
            lock_unreadable: None,
            lock_idle_minutes: None,
            last_backup: None,
            backup_reminder: true,
            backup_reminder_dismissed: Default::default(),
            auto_backup_folder: None,
            auto_backup_keep: 10,
            quick_pick_shortcut: Some(crate::desktop::DEFAULT_SHORTCUT.to_string()),
            tray_icon: true,
            close_to_tray: false,
            start_minimized: false,
        }
    }
}

impl Settings {
    /// The settings in `dir`, or the defaults when there are none. A file that cannot be
    /// read is set aside (never overwritten) and the reason returned with the defaults.
    pub fn load(dir: &DataDir) -> (Settings, Option<SettingsProblem>) {
        let (mut settings, problem) = Self::load_preferences(dir);
        match read_lock(dir) {
            // No lock file yet: an older Kunci kept the hash in settings.json (kept as read).
            Ok(None) => {}
            Ok(Some(hash)) => settings.lock_passphrase_hash = hash,
            Err((path, detail)) => {
                settings.lock_passphrase_hash = None;
                settings.lock_unreadable = Some(path.clone());
                // Said even when settings.json had its own problem: this one keeps it locked.
                return (
                    settings,
                    Some(SettingsProblem::LockUnreadable { path, detail }),
                );
            }
        }
        (settings, problem)
    }

    /// settings.json alone.
    fn load_preferences(dir: &DataDir) -> (Settings, Option<SettingsProblem>) {
        let path = dir.settings();
        let bytes = match std::fs::read(&path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return (Settings::default(), None);
            }
            Err(e) => {
                return (
                    Settings::default(),
                    Some(SettingsProblem::Unreadable {
                        path,
                        detail: e.to_string(),
                    }),
                );
            }
        };
        match serde_json::from_slice(&bytes) {
            Ok(settings) => (settings, None),
            Err(e) => {
                let aside = dir.set_aside(&path);
                let kept_as = std::fs::rename(&path, &aside).ok().map(|()| aside);
                (
                    Settings::default(),
                    Some(SettingsProblem::Damaged {
                        path,
                        detail: e.to_string(),
                        kept_as,
                    }),
                )
            }
        }
    }

    /// Writes the settings atomically, and the app lock's file beside them (keeping its
    /// previous version as `.bak`); an unreadable lock file is never written over.
    pub fn save(&self, dir: &DataDir) -> Result<(), StoreError> {
        let path = dir.settings();
        let mut bytes = serde_json::to_vec_pretty(self).expect("settings always serialize");
        bytes.push(b'\n');
        crate::store::replace_file(&path, &bytes).map_err(|source| StoreError::Io {
            path: path.clone(),
            source,
        })?;
        if self.lock_unreadable.is_some() {
            return Ok(());
        }
        let lock = dir.root().join(LOCK_FILE);
        let record = serde_json::json!({ "argon2id_phc": self.lock_passphrase_hash });
        let mut bytes = serde_json::to_vec_pretty(&record).expect("a lock record serializes");
        bytes.push(b'\n');
        crate::store::replace_file_keeping_backup(&lock, &bytes)
            .map_err(|source| StoreError::Io { path: lock, source })
    }

    /// Whether the window locks: a lock passphrase is set, or its file cannot be read (then it
    /// stays locked: a lock that was set must stay set).
    pub fn has_lock(&self) -> bool {
        self.lock_passphrase_hash.is_some() || self.lock_unreadable.is_some()
    }

    /// The quick-pick shortcut as keys: `Ok(None)` when it is off.
    pub fn quick_pick(&self) -> Result<Option<Shortcut>, ShortcutError> {
        self.quick_pick_shortcut
            .as_deref()
            .map(str::parse)
            .transpose()
    }

    /// The language in use: the chosen one, or the system's.
    pub fn language(&self) -> Language {
        self.language.unwrap_or_else(Language::of_system)
    }

    /// The clock check these settings ask for.
    pub fn check_config(&self) -> CheckConfig {
        CheckConfig {
            servers: self.time_servers.clone(),
            https_urls: self.https_time_urls.clone(),
            timeout: DEFAULT_TIMEOUT,
        }
    }
}

/// The lock's hash from [`LOCK_FILE`] (or its `.bak`): `Ok(None)` when there is no lock file,
/// `Ok(Some(None))` for "no lock", `Err((path, why))` when it cannot be read.
fn read_lock(dir: &DataDir) -> Result<Option<Option<String>>, (PathBuf, String)> {
    let path = dir.root().join(LOCK_FILE);
    let read = |path: &std::path::Path| -> Result<Option<String>, String> {
        let bytes = std::fs::read(path).map_err(|e| e.to_string())?;
        let value: serde_json::Value = serde_json::from_slice(&bytes).map_err(|e| e.to_string())?;
        match value.get("argon2id_phc") {
            Some(serde_json::Value::Null) => Ok(None),
            Some(serde_json::Value::String(hash)) if hash.starts_with("$argon2id$") => {
                Ok(Some(hash.clone()))
            }
            _ => Err("it holds no lock record".into()),
        }
    };
    match read(&path) {
        Ok(hash) => Ok(Some(hash)),
        Err(_) if !path.exists() && !with_bak(&path).exists() => Ok(None),
        Err(why) => read(&with_bak(&path)).map(Some).map_err(|_| (path, why)),
    }
}

fn with_bak(path: &std::path::Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".bak");
    PathBuf::from(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_partial_files() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = DataDir::new(tmp.path());
        assert_eq!(Settings::load(&dir), (Settings::default(), None));
        let settings = Settings {
            use_network_time: true,
            time_servers: vec!["127.0.0.1:11123".into()],
            ..Settings::default()
        };
        settings.save(&dir).unwrap();
        assert_eq!(Settings::load(&dir), (settings, None));

        std::fs::write(
            dir.settings(),
            br#"{"use_network_time": true, "future": 1}"#,
        )
        .unwrap();
        let (loaded, problem) = Settings::load(&dir);
        assert!(loaded.use_network_time && problem.is_none());
        assert_eq!(loaded.time_servers, Settings::default().time_servers);
    }

    #[test]
    fn locale_names_map_to_languages() {
        for (locale, language) in [
            ("id", Language::Indonesian),
            ("id-ID", Language::Indonesian),
            ("in_ID.UTF-8", Language::Indonesian),
            ("IN", Language::Indonesian),
            ("en-US", Language::English),
            ("ind", Language::English),
            ("", Language::English),
            ("C", Language::English),
        ] {
            assert_eq!(Language::from_locale(locale), language, "{locale}");
        }
        let json = serde_json::to_string(&Settings {
            language: Some(Language::Indonesian),
            ..Settings::default()
        })
        .unwrap();
        assert!(json.contains(r#""language":"id""#), "{json}");
    }

    #[test]
    fn a_damaged_file_is_set_aside() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = DataDir::new(tmp.path());
        std::fs::write(dir.settings(), b"{not json").unwrap();
        let (loaded, problem) = Settings::load(&dir);
        assert_eq!(loaded, Settings::default());
        assert!(problem.unwrap().to_string().contains("could not be read"));
        assert!(!dir.settings().exists());
        let aside: Vec<_> = std::fs::read_dir(tmp.path()).unwrap().collect();
        assert_eq!(aside.len(), 1);
    }

    const HASH: &str =
        "$argon2id$v=19$m=65536,t=3,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaA";

    /// Before: the hash lived in settings.json, so a damaged settings file fell back to the
    /// defaults without it, and the next save wrote the lock away.
    #[test]
    fn a_damaged_settings_file_keeps_the_lock() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = DataDir::new(tmp.path());
        let locked = Settings {
            lock_passphrase_hash: Some(HASH.into()),
            ..Settings::default()
        };
        locked.save(&dir).unwrap();
        assert!(
            !std::fs::read_to_string(dir.settings())
                .unwrap()
                .contains("argon2id")
        );
        std::fs::write(dir.settings(), b"{ damaged").unwrap();
        let (loaded, problem) = Settings::load(&dir);
        assert!(matches!(problem, Some(SettingsProblem::Damaged { .. })));
        assert_eq!(loaded.lock_passphrase_hash.as_deref(), Some(HASH));
        loaded.save(&dir).unwrap();
        assert_eq!(
            Settings::load(&dir).0.lock_passphrase_hash.as_deref(),
            Some(HASH)
        );
    }

    #[test]
    fn an_unreadable_lock_file_keeps_the_window_locked_and_is_never_written_over() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = DataDir::new(tmp.path());
        let lock = dir.root().join(LOCK_FILE);
        Settings {
            lock_passphrase_hash: Some(HASH.into()),
            ..Settings::default()
        }
        .save(&dir)
        .unwrap();
        // Damaged, but its .bak (none yet: first save) is missing too.
        std::fs::write(&lock, b"garbage").unwrap();
        let (loaded, problem) = Settings::load(&dir);
        assert!(matches!(
            problem,
            Some(SettingsProblem::LockUnreadable { .. })
        ));
        assert_eq!(loaded.lock_unreadable.as_deref(), Some(lock.as_path()));
        loaded.save(&dir).unwrap();
        assert_eq!(std::fs::read(&lock).unwrap(), b"garbage", "left as it is");
        // With a good .bak, the lock comes from there.
        Settings {
            lock_passphrase_hash: Some(HASH.into()),
            ..Settings::default()
        }
        .save(&dir)
        .unwrap_or_default();
        std::fs::write(&lock, b"{}").unwrap();
        std::fs::write(with_bak(&lock), format!("{{\"argon2id_phc\": \"{HASH}\"}}")).unwrap();
        assert_eq!(
            Settings::load(&dir).0.lock_passphrase_hash.as_deref(),
            Some(HASH)
        );
    }

    #[test]
    fn an_older_kunci_s_hash_in_settings_json_is_taken_over() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = DataDir::new(tmp.path());
        std::fs::create_dir_all(dir.root()).unwrap();
        std::fs::write(
            dir.settings(),
            format!("{{\"lock_passphrase_hash\": \"{HASH}\"}}"),
        )
        .unwrap();
        let (loaded, problem) = Settings::load(&dir);
        assert_eq!(problem, None);
        assert_eq!(loaded.lock_passphrase_hash.as_deref(), Some(HASH));
        loaded.save(&dir).unwrap();
        assert!(dir.root().join(LOCK_FILE).exists());
    }
}
