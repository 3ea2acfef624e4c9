//! Preferences, kept in `settings.json` in the data directory (never a secret in here).

use serde::{Deserialize, Serialize};

use crate::clock::{CheckConfig, DEFAULT_HTTPS_URLS, DEFAULT_SNTP_SERVERS, DEFAULT_TIMEOUT};
use crate::store::{DataDir, StoreError};

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
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            time_servers: DEFAULT_SNTP_SERVERS.iter().map(|s| s.to_string()).collect(),
            https_time_urls: DEFAULT_HTTPS_URLS.iter().map(|s| s.to_string()).collect(),
            auto_check_time: true,
            use_network_time: false,
        }
    }
}

impl Settings {
    /// The settings in `dir`, or the defaults when there are none. A file that cannot be
    /// read is set aside (never overwritten) and the reason returned with the defaults.
    pub fn load(dir: &DataDir) -> (Settings, Option<String>) {
        let path = dir.settings();
        let bytes = match std::fs::read(&path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return (Settings::default(), None);
            }
            Err(e) => {
                return (
                    Settings::default(),
                    Some(format!(
                        "cannot read {}: {e}; using the defaults",
                        path.display()
                    )),
                );
            }
        };
        match serde_json::from_slice(&bytes) {
            Ok(settings) => (settings, None),
            Err(e) => {
                let aside = dir.set_aside(&path);
                let kept = match std::fs::rename(&path, &aside) {
                    Ok(()) => format!("it was kept as {}", aside.display()),
                    Err(_) => "it was left as it is".into(),
                };
                (
                    Settings::default(),
                    Some(format!(
                        "{} could not be read ({e}); {kept}; using the defaults",
                        path.display()
                    )),
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
    fn a_damaged_file_is_set_aside() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = DataDir::new(tmp.path());
        std::fs::write(dir.settings(), b"{not json").unwrap();
        let (loaded, problem) = Settings::load(&dir);
        assert_eq!(loaded, Settings::default());
        assert!(problem.unwrap().contains("could not be read"));
        assert!(!dir.settings().exists());
        let aside: Vec<_> = std::fs::read_dir(tmp.path()).unwrap().collect();
        assert_eq!(aside.len(), 1);
    }
}
