//! Preferences, kept in `settings.json` in the data directory (never a secret in here).

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::clock::{CheckConfig, DEFAULT_HTTPS_URLS, DEFAULT_SNTP_SERVERS, DEFAULT_TIMEOUT};
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
    /// `None`: no lock.
    pub lock_passphrase_hash: Option<String>,
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
            lock_idle_minutes: None,
            last_backup: None,
            backup_reminder: true,
            backup_reminder_dismissed: Default::default(),
            auto_backup_folder: None,
            auto_backup_keep: 10,
        }
    }
}

impl Settings {
    /// The settings in `dir`, or the defaults when there are none. A file that cannot be
    /// read is set aside (never overwritten) and the reason returned with the defaults.
    pub fn load(dir: &DataDir) -> (Settings, Option<SettingsProblem>) {
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

    /// Writes the settings atomically.
    pub fn save(&self, dir: &DataDir) -> Result<(), StoreError> {
        let path = dir.settings();
        let mut bytes = serde_json::to_vec_pretty(self).expect("settings always serialize");
        bytes.push(b'\n');
        crate::store::replace_file(&path, &bytes).map_err(|source| StoreError::Io { path, source })
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
}
