//! "Start with the system", per user and without administrator rights: an XDG autostart
//! `.desktop` file on Linux, a value under the `Run` key (HKCU) on Windows, a LaunchAgent on
//! macOS. The command started is this program with [`MINIMIZED_FLAG`]: it comes up in the tray
//! (or minimised), not in the user's face at every log-in.

use std::io;
use std::path::Path;
#[cfg(not(windows))]
use std::path::PathBuf;

/// The window's start-up flag that the system's start adds.
pub const MINIMIZED_FLAG: &str = "--minimized";
#[cfg(not(windows))]
const APP_ID: &str = "id.kunci.Kunci";

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AutostartError {
    /// No home or configuration folder to write to.
    #[error("no place for start-up entries was found (HOME / XDG_CONFIG_HOME not set)")]
    NoPlace,
    /// This program's own path cannot be known or written in an entry.
    #[error("the path of this program cannot be used: {0}")]
    Program(String),
    #[error("cannot change {where_}: {source}")]
    Io {
        where_: String,
        #[source]
        source: io::Error,
    },
}

/// The entry that starts Kunci at log-in.
#[derive(Debug, Clone)]
pub struct Autostart {
    #[cfg(not(windows))]
    file: PathBuf,
    #[cfg(windows)]
    value: String,
}

impl Autostart {
    /// The current user's entry.
    pub fn for_this_user() -> Result<Autostart, AutostartError> {
        #[cfg(windows)]
        {
            Ok(Autostart {
                value: "Kunci".into(),
            })
        }
        #[cfg(target_os = "macos")]
        {
            let home = std::env::var_os("HOME")
                .filter(|h| !h.is_empty())
                .ok_or(AutostartError::NoPlace)?;
            Ok(Autostart::in_folder(
                &PathBuf::from(home).join("Library/LaunchAgents"),
            ))
        }
        #[cfg(not(any(windows, target_os = "macos")))]
        {
            // $XDG_CONFIG_HOME/autostart, else ~/.config/autostart (XDG Autostart spec).
            let config = std::env::var_os("XDG_CONFIG_HOME")
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
                .or_else(|| {
                    std::env::var_os("HOME")
                        .filter(|h| !h.is_empty())
                        .map(|h| PathBuf::from(h).join(".config"))
                })
                .ok_or(AutostartError::NoPlace)?;
            Ok(Autostart::in_folder(&config.join("autostart")))
        }
    }

    /// An entry in `folder` (tests; the real one is [`Autostart::for_this_user`]).
    #[cfg(not(windows))]
    pub fn in_folder(folder: &Path) -> Autostart {
        #[cfg(target_os = "macos")]
        let name = format!("{APP_ID}.plist");
        #[cfg(not(target_os = "macos"))]
        let name = format!("{APP_ID}.desktop");
        Autostart {
            file: folder.join(name),
        }
    }

    /// An entry under another value name (tests; the real one is "Kunci").
    #[cfg(windows)]
    pub fn named(value: &str) -> Autostart {
        Autostart {
            value: value.to_string(),
        }
    }

    /// Where the entry lives, for the window to show.
    pub fn location(&self) -> String {
        #[cfg(windows)]
        {
            format!(r"HKCU\{RUN_KEY}\{}", self.value)
        }
        #[cfg(not(windows))]
        {
            self.file.display().to_string()
        }
    }

    /// Whether an entry exists (whatever it starts).
    pub fn is_enabled(&self) -> bool {
        #[cfg(windows)]
        {
            registry::get(&self.value).is_some()
        }
        #[cfg(not(windows))]
        {
            self.file.is_file()
        }
    }

    /// Writes the entry that starts `program` minimised at log-in.
    pub fn enable(&self, program: &Path) -> Result<(), AutostartError> {
        let program = program
            .to_str()
            .ok_or_else(|| AutostartError::Program(program.display().to_string()))?;
        if program.chars().any(char::is_control) {
            return Err(AutostartError::Program(program.escape_debug().to_string()));
        }
        #[cfg(windows)]
        {
            let command = format!("\"{program}\" {MINIMIZED_FLAG}");
            registry::set(&self.value, Some(&command)).map_err(|source| self.io(source))
        }
        #[cfg(not(windows))]
        {
            #[cfg(target_os = "macos")]
            let text = launch_agent(program);
            #[cfg(not(target_os = "macos"))]
            let text = desktop_entry(program);
            let folder = self.file.parent().ok_or(AutostartError::NoPlace)?;
            std::fs::create_dir_all(folder).map_err(|source| self.io(source))?;
            crate::store::replace_file(&self.file, text.as_bytes())
                .map_err(|source| self.io(source))
        }
    }

    /// Removes the entry; nothing to remove is fine.
    pub fn disable(&self) -> Result<(), AutostartError> {
        #[cfg(windows)]
        {
            registry::set(&self.value, None).map_err(|source| self.io(source))
        }
        #[cfg(not(windows))]
        {
            match std::fs::remove_file(&self.file) {
                Err(e) if e.kind() != io::ErrorKind::NotFound => Err(self.io(e)),
                _ => Ok(()),
            }
        }
    }

    fn io(&self, source: io::Error) -> AutostartError {
        AutostartError::Io {
            where_: self.location(),
            source,
        }
    }
}

/// An XDG desktop entry. Exec quoting (Desktop Entry spec): the path in double quotes with
/// `"`, `` ` ``, `$` and `\` escaped, and `%` doubled (field codes start with it).
#[cfg(not(any(windows, target_os = "macos")))]
fn desktop_entry(program: &str) -> String {
    let mut quoted = String::from("\"");
    for c in program.chars() {
        match c {
            // Escaped once for the quoting and once more for the string value the line is:
            // `$` becomes `\\$`, and a backslash four of them.
            '\\' => quoted.push_str("\\\\\\\\"),
            '"' | '`' | '$' => {
                quoted.push_str("\\\\");
                quoted.push(c);
            }
            '%' => quoted.push_str("%%"),
            _ => quoted.push(c),
        }
    }
    quoted.push('"');
    format!(
        "[Desktop Entry]\nType=Application\nName=Kunci\nComment=One-time codes for signing in\n\
         Exec={quoted} {MINIMIZED_FLAG}\nIcon={APP_ID}\nTerminal=false\n\
         X-GNOME-Autostart-enabled=true\n"
    )
}

/// A LaunchAgent run at log-in (works for an unsigned program; macOS 13+ lists it under
/// Login Items → Allow in the Background).
#[cfg(target_os = "macos")]
fn launch_agent(program: &str) -> String {
    let program = program
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;");
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
    <key>Label</key><string>{APP_ID}</string>
    <key>ProgramArguments</key><array><string>{program}</string><string>{MINIMIZED_FLAG}</string></array>
    <key>RunAtLoad</key><true/>
    <key>ProcessType</key><string>Interactive</string>
</dict>
</plist>
"#
    )
}

#[cfg(windows)]
const RUN_KEY: &str = r"Software\Microsoft\Windows\CurrentVersion\Run";

#[cfg(windows)]
mod registry {
    use std::io;

    use windows_sys::Win32::System::Registry::{
        HKEY_CURRENT_USER, REG_SZ, RRF_RT_REG_SZ, RegDeleteKeyValueW, RegGetValueW, RegSetKeyValueW,
    };

    use super::RUN_KEY;

    fn wide(s: &str) -> Vec<u16> {
        s.encode_utf16().chain(Some(0)).collect()
    }

    /// Sets (or with `None` deletes) `HKCU\…\Run\<value>`.
    pub fn set(value: &str, command: Option<&str>) -> io::Result<()> {
        let (key, name) = (wide(RUN_KEY), wide(value));
        // SAFETY: NUL-terminated wide strings; the data's length is in bytes with its NUL.
        let status = unsafe {
            match command {
                Some(command) => {
                    let data = wide(command);
                    RegSetKeyValueW(
                        HKEY_CURRENT_USER,
                        key.as_ptr(),
                        name.as_ptr(),
                        REG_SZ,
                        data.as_ptr().cast(),
                        (data.len() * 2) as u32,
                    )
                }
                None => RegDeleteKeyValueW(HKEY_CURRENT_USER, key.as_ptr(), name.as_ptr()),
            }
        };
        // ERROR_FILE_NOT_FOUND (2): nothing to delete.
        if status == 0 || (command.is_none() && status == 2) {
            Ok(())
        } else {
            Err(io::Error::from_raw_os_error(status as i32))
        }
    }

    pub fn get(value: &str) -> Option<String> {
        let (key, name) = (wide(RUN_KEY), wide(value));
        let mut buf = vec![0u16; 2048];
        let mut bytes = (buf.len() * 2) as u32;
        // SAFETY: the buffer and its size in bytes.
        let status = unsafe {
            RegGetValueW(
                HKEY_CURRENT_USER,
                key.as_ptr(),
                name.as_ptr(),
                RRF_RT_REG_SZ,
                std::ptr::null_mut(),
                buf.as_mut_ptr().cast(),
                &mut bytes,
            )
        };
        (status == 0).then(|| {
            let n = (bytes as usize / 2).saturating_sub(1).min(buf.len());
            String::from_utf16_lossy(&buf[..n])
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(not(windows))]
    #[test]
    fn the_entry_is_written_and_removed() {
        let tmp = tempfile::tempdir().unwrap();
        let folder = tmp.path().join("autostart");
        let entry = Autostart::in_folder(&folder);
        assert!(!entry.is_enabled());
        entry.disable().unwrap(); // nothing to remove: fine
        entry
            .enable(Path::new("/opt/Kunci $HOME/\"kunci\" 100%"))
            .unwrap();
        assert!(entry.is_enabled());
        let text = std::fs::read_to_string(&entry.file).unwrap();
        #[cfg(not(target_os = "macos"))]
        assert!(
            text.contains(r#"Exec="/opt/Kunci \\$HOME/\\"kunci\\" 100%%" --minimized"#),
            "{text}"
        );
        #[cfg(target_os = "macos")]
        assert!(text.contains("<string>--minimized</string>"), "{text}");
        entry.disable().unwrap();
        assert!(!entry.is_enabled());
        assert!(!entry.file.exists());
    }

    #[test]
    fn a_program_path_with_control_characters_is_refused() {
        #[cfg(not(windows))]
        let (_tmp, entry) = {
            let tmp = tempfile::tempdir().unwrap();
            let entry = Autostart::in_folder(tmp.path());
            (tmp, entry)
        };
        #[cfg(windows)]
        let entry = Autostart::named("Kunci-test-refused");
        let refused = entry.enable(Path::new("/opt/kunci\nExec=/bin/evil"));
        assert!(
            matches!(refused, Err(AutostartError::Program(_))),
            "{refused:?}"
        );
        assert!(!entry.is_enabled());
    }

    #[cfg(windows)]
    #[test]
    fn the_run_value_is_written_and_removed() {
        let entry = Autostart::named(&format!("Kunci-test-{}", std::process::id()));
        assert!(!entry.is_enabled());
        entry
            .enable(Path::new(r"C:\Program Files\Kunci\kunci.exe"))
            .unwrap();
        assert_eq!(
            registry::get(&entry.value).as_deref(),
            Some(r#""C:\Program Files\Kunci\kunci.exe" --minimized"#)
        );
        assert!(entry.is_enabled());
        entry.disable().unwrap();
        assert!(!entry.is_enabled());
        entry.disable().unwrap();
    }
}
