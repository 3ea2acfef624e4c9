//! What the command-line tests share: running the real binary against a data dir, bounded in
//! time, with its output captured; and the throwaway-keyring precondition.
#![allow(dead_code)] // each test binary uses a part of this

use std::io::Read;
use std::path::Path;
use std::process::{Command, ExitStatus, Stdio};
use std::thread;
use std::time::{Duration, Instant};

#[cfg(target_os = "linux")]
pub mod desktop;
pub mod x11;

/// The executable `name` on PATH, if there is one.
pub fn find_on_path(name: &str) -> Option<std::path::PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|p| p.metadata().is_ok_and(|m| m.is_file() && is_executable(&m)))
}

#[cfg(unix)]
fn is_executable(meta: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::PermissionsExt;
    meta.permissions().mode() & 0o111 != 0
}

#[cfg(not(unix))]
fn is_executable(_: &std::fs::Metadata) -> bool {
    true
}

pub const KUNCI: &str = env!("CARGO_BIN_EXE_kunci");

/// Output of one finished run of the binary.
#[derive(Debug)]
pub struct Run {
    pub status: ExitStatus,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn ok(self) -> Run {
        assert!(self.status.success(), "kunci failed: {self:#?}");
        self
    }

    pub fn failed(self) -> Run {
        assert_eq!(
            self.status.code(),
            Some(1),
            "expected exit status 1: {self:#?}"
        );
        self
    }

    /// Both streams, for leak checks.
    pub fn all(&self) -> String {
        format!("{}\n{}", self.stdout, self.stderr)
    }
}

/// Fails the test unless it runs inside `scripts/with-keyring` (a throwaway keyring).
pub fn require_keyring(how_to_run: &str) {
    assert!(
        std::env::var_os("KUNCI_THROWAWAY_KEYRING").is_some()
            && std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some(),
        "{how_to_run}"
    );
}

pub fn tempdir(prefix: &str) -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix(prefix)
        .tempdir()
        .expect("create a temporary dir")
}

/// `kunci ARGS` on data dir `dir`: no display, no failpoint, stdin closed, in English.
pub fn command(dir: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(KUNCI);
    cmd.args(args)
        .env("KUNCI_DATA_DIR", dir)
        .env_remove("KUNCI_FAILPOINT")
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .stdin(Stdio::null());
    in_english(&mut cmd);
    cmd
}

/// Kunci speaks the system's language (LANGUAGE, LC_ALL, LC_MESSAGES, LANG, as sys-locale
/// reads them): the tests that read English words must pass on an Indonesian machine too.
pub fn in_english(cmd: &mut Command) -> &mut Command {
    cmd.env("LC_ALL", "C.UTF-8")
        .env("LANG", "C.UTF-8")
        .env_remove("LC_MESSAGES")
        .env_remove("LANGUAGE")
}

/// The system language set to Bahasa Indonesia, the way an Indonesian desktop sets it.
pub fn in_indonesian(cmd: &mut Command) -> &mut Command {
    cmd.env("LANG", "id_ID.UTF-8")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env_remove("LANGUAGE")
}

/// Runs `cmd` with its output captured, failing the test after `limit`.
pub fn run(mut cmd: Command, limit: Duration) -> Run {
    let what = format!("{cmd:?}");
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("start {KUNCI}: {e}"));
    let pipe = |mut r: Box<dyn Read + Send>| {
        thread::spawn(move || {
            let mut text = String::new();
            r.read_to_string(&mut text).expect("read output");
            text
        })
    };
    let out = pipe(Box::new(child.stdout.take().expect("stdout")));
    let err = pipe(Box::new(child.stderr.take().expect("stderr")));
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for kunci") {
            break status;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{what} did not finish within {limit:?} (a keyring prompt?)");
        }
        thread::sleep(Duration::from_millis(2));
    };
    Run {
        status,
        stdout: out.join().expect("stdout thread"),
        stderr: err.join().expect("stderr thread"),
    }
}

/// Spawns `cmd` (its output discarded) and sends SIGKILL after `delay`. True when it was
/// killed, false when it had already finished — successfully: a run that fails on its own
/// is a test failure.
pub fn killed_after(mut cmd: Command, delay: Duration) -> bool {
    let mut child = cmd
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("start {KUNCI}: {e}"));
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().expect("wait for kunci") {
            assert!(status.success(), "an unkilled run failed: {status}");
            return false;
        }
        // Never subtract past the deadline: it may pass between two looks at the clock.
        let left = delay.saturating_sub(start.elapsed());
        if left.is_zero() {
            break;
        }
        thread::sleep(left.min(Duration::from_millis(1)));
    }
    child.kill().expect("SIGKILL kunci");
    child.wait().expect("reap kunci");
    true
}

/// An otpauth URI list of `count` random secrets under distinct names
/// (`{issuer_prefix}NN:userNN@example.com`): the list's text, and the URIs by "issuer:label".
pub fn uri_list(
    rng: &mut impl rand::RngCore,
    count: usize,
    issuer_prefix: &str,
) -> (
    String,
    std::collections::BTreeMap<String, kunci::otp::OtpUri>,
) {
    let mut text = String::new();
    let mut by_name = std::collections::BTreeMap::new();
    for i in 0..count {
        let mut key = [0u8; 20];
        rng.fill_bytes(&mut key);
        let secret = data_encoding::BASE32_NOPAD.encode(&key);
        let issuer = format!("{issuer_prefix}{i:02}");
        let label = format!("user{i:02}@example.com");
        let line = format!("otpauth://totp/{issuer}:{label}?secret={secret}&issuer={issuer}");
        let uri = kunci::otp::OtpUri::parse(&line).expect("the test's URI parses");
        text.push_str(&line);
        text.push('\n');
        by_name.insert(format!("{issuer}:{label}"), uri);
    }
    (text, by_name)
}

/// A string field of a `kunci list --json` row.
pub fn field<'a>(row: &'a serde_json::Value, name: &str) -> &'a str {
    row[name]
        .as_str()
        .unwrap_or_else(|| panic!("no {name} in {row}"))
}

/// The `username` attributes (`VAULT/ID`) of every Kunci entry, as `secret-tool` (libsecret)
/// sees them: a check that does not go through Kunci's own keychain code.
pub fn secret_tool_users() -> std::collections::BTreeSet<String> {
    // An entry deleted (by a test running beside this one) between secret-tool's search and
    // its read makes the whole search fail: ask again, and never take a failure for "none".
    let mut failure = String::new();
    for _ in 0..10 {
        let out = Command::new("secret-tool")
            .args(["search", "--all", "service", kunci::store::KEYCHAIN_SERVICE])
            .output()
            .unwrap_or_else(|e| panic!("run secret-tool (install libsecret-tools): {e}"));
        // secret-tool prints the attributes on stderr and the rest on stdout.
        let text = format!(
            "{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        if out.status.success() {
            return text
                .lines()
                .filter_map(|l| l.trim().strip_prefix("attribute.username = "))
                .map(str::to_string)
                .collect();
        }
        failure = text;
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    panic!("secret-tool search failed ten times: {failure}");
}
