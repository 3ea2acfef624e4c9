//! One window per data directory. A second window would be a second writer of the account list
//! and a second clipboard cleaner; users who double-click the icon again just want the window
//! they already have.
//!
//! The first window holds an exclusive OS lock on `instance.lock` (released by the OS when the
//! process ends, however it ends) and listens on a loopback port. The port and a random token
//! go to `instance.json`, a separate file: Windows locks are mandatory, so a locked file could
//! not be read by the second launch. A second launch finds the lock taken, sends the token and
//! `show`, and exits once the first answers. The command line is not concerned: it takes the
//! store's per-change write lock instead.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::store::DataDir;

/// The locked file, in the data directory.
pub const LOCK_FILE: &str = "instance.lock";
/// Where the first window says how to reach it, in the data directory.
pub const INFO_FILE: &str = "instance.json";

/// How long the first window waits for a request line, so a stray connection cannot hold it.
const READ_TIMEOUT: Duration = Duration::from_secs(2);
/// The request and the answer; a request line is `<token> show`.
const SHOW: &str = "show";
const SHOWN: &str = "shown";

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum InstanceError {
    /// Another process (or another handle in this one) holds the lock.
    #[error("Kunci is already running for {}", dir.display())]
    AlreadyRunning { dir: PathBuf },
    /// The lock or the info file could not be made, or the port not opened.
    #[error("cannot set up {}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
}

/// Why the running window could not be asked to show itself.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SignalError {
    /// No readable `instance.json` (the first window is still starting, or is a version that
    /// writes none).
    #[error("no address of the running window in {}", path.display())]
    NoAddress { path: PathBuf },
    /// The port did not accept the connection (a firewall, or stale information).
    #[error("cannot connect to the running window on port {port}: {source}")]
    Unreachable {
        port: u16,
        #[source]
        source: io::Error,
    },
    /// Connected, but no `shown` came back in time (a hung window, or the wrong token).
    #[error("the running window did not answer on port {port}")]
    NoAnswer { port: u16 },
}

/// What `instance.json` holds.
#[derive(Debug, Serialize, Deserialize)]
struct Info {
    port: u16,
    token: String,
    /// The first window's process: on Windows the second launch lets it take the foreground.
    pid: u32,
}

/// The first window's claim: held for as long as the window runs.
#[derive(Debug)]
pub struct Primary {
    _lock: File,
    listener: TcpListener,
    token: String,
    info: PathBuf,
}

impl Primary {
    /// Takes the lock in `dir` and opens the port, or says another window has them.
    pub fn acquire(dir: &DataDir) -> Result<Primary, InstanceError> {
        let io_err = |path: PathBuf| move |source| InstanceError::Io { path, source };
        let root = dir.root().to_path_buf();
        std::fs::create_dir_all(&root).map_err(io_err(root.clone()))?;
        let lock_path = root.join(LOCK_FILE);
        let lock = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&lock_path)
            .map_err(io_err(lock_path.clone()))?;
        match lock.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                return Err(InstanceError::AlreadyRunning { dir: root });
            }
            Err(TryLockError::Error(source)) => {
                return Err(InstanceError::Io {
                    path: lock_path,
                    source,
                });
            }
        }
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).map_err(io_err(root.clone()))?;
        let port = listener.local_addr().map_err(io_err(root.clone()))?.port();
        let token = random_token();
        let info = root.join(INFO_FILE);
        let mut bytes = serde_json::to_vec(&Info {
            port,
            token: token.clone(),
            pid: std::process::id(),
        })
        .expect("instance info always serializes");
        bytes.push(b'\n');
        crate::store::replace_file(&info, &bytes).map_err(io_err(info.clone()))?;
        Ok(Primary {
            _lock: lock,
            listener,
            token,
            info,
        })
    }

    /// The loopback port the window listens on.
    pub fn port(&self) -> u16 {
        self.listener.local_addr().map_or(0, |a| a.port())
    }

    /// Answers requests on a thread of its own, calling `on_show` for each one that carries
    /// the token. The thread lives as long as the process.
    pub fn serve(&self, on_show: impl Fn() + Send + 'static) -> Result<(), InstanceError> {
        let listener = self
            .listener
            .try_clone()
            .map_err(|source| InstanceError::Io {
                path: self.info.clone(),
                source,
            })?;
        let token = self.token.clone();
        std::thread::Builder::new()
            .name("kunci-instance".into())
            .spawn(move || {
                for stream in listener.incoming().flatten() {
                    // One bad connection must not stop the others.
                    let _ = answer(stream, &token, &on_show);
                }
            })
            .map_err(|source| InstanceError::Io {
                path: self.info.clone(),
                source,
            })?;
        Ok(())
    }
}

impl Drop for Primary {
    fn drop(&mut self) {
        // Still holding the lock, so nobody else's file is removed.
        let _ = std::fs::remove_file(&self.info);
    }
}

/// Reads one request line; a genuine `show` is carried out and answered.
fn answer(stream: TcpStream, token: &str, on_show: &impl Fn()) -> io::Result<()> {
    stream.set_read_timeout(Some(READ_TIMEOUT))?;
    let mut line = String::new();
    // A bounded read: whatever connects gets no more than a short line in.
    BufReader::new((&stream).take(256)).read_line(&mut line)?;
    let Some((sent, request)) = line.trim_end().split_once(' ') else {
        return Ok(());
    };
    if !same(sent.as_bytes(), token.as_bytes()) || request != SHOW {
        return Ok(());
    }
    on_show();
    (&stream).write_all(format!("{SHOWN}\n").as_bytes())
}

/// Compares without stopping at the first difference (the token is a password of sorts).
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0, |d, (x, y)| d | (x ^ y)) == 0
}

fn random_token() -> String {
    let mut bytes = [0u8; 16];
    if getrandom::fill(&mut bytes).is_err() {
        // Only loopback can reach the port; the time still keeps a stale client out.
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        bytes.copy_from_slice(&nanos.to_le_bytes());
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Asks the window that holds the lock in `dir` to come to the front. Waits up to `patience`
/// for its address to appear (it may have taken the lock a moment ago) and for its answer.
pub fn signal_show(dir: &DataDir, patience: Duration) -> Result<(), SignalError> {
    let path = dir.root().join(INFO_FILE);
    let deadline = Instant::now() + patience;
    loop {
        let result = match read_info(&path) {
            Some(info) => {
                allow_foreground(info.pid);
                request(info.port, &info.token, deadline)
            }
            None => Err(SignalError::NoAddress { path: path.clone() }),
        };
        match result {
            Ok(()) => return Ok(()),
            Err(e) if Instant::now() >= deadline => return Err(e),
            Err(SignalError::NoAnswer { .. }) => return result,
            Err(_) => std::thread::sleep(Duration::from_millis(100)),
        }
    }
}

/// Windows gives the foreground only to the process the user just started (this one), so the
/// first window's Focus would merely flash its taskbar button; pass the right on to it.
fn allow_foreground(pid: u32) {
    #[cfg(windows)]
    {
        #[link(name = "user32")]
        unsafe extern "system" {
            fn AllowSetForegroundWindow(process_id: u32) -> i32;
        }
        // SAFETY: takes a plain process id; a failure only leaves the taskbar button flashing.
        unsafe {
            AllowSetForegroundWindow(pid);
        }
    }
    #[cfg(not(windows))]
    let _ = pid;
}

fn read_info(path: &std::path::Path) -> Option<Info> {
    serde_json::from_slice(&std::fs::read(path).ok()?).ok()
}

/// Sends `<token> show` to `port` and waits (until `deadline`, at least a second) for `shown`.
fn request(port: u16, token: &str, deadline: Instant) -> Result<(), SignalError> {
    let address = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let wait = deadline
        .saturating_duration_since(Instant::now())
        .max(Duration::from_secs(1));
    let mut stream = TcpStream::connect_timeout(&address, wait)
        .map_err(|source| SignalError::Unreachable { port, source })?;
    let no_answer = |_| SignalError::NoAnswer { port };
    stream.set_read_timeout(Some(wait)).map_err(no_answer)?;
    stream
        .write_all(format!("{token} {SHOW}\n").as_bytes())
        .map_err(no_answer)?;
    let mut line = String::new();
    BufReader::new(stream.take(64))
        .read_line(&mut line)
        .map_err(no_answer)?;
    if line.trim_end() == SHOWN {
        Ok(())
    } else {
        Err(SignalError::NoAnswer { port })
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    fn counting(primary: &Primary) -> Arc<AtomicUsize> {
        let shown = Arc::new(AtomicUsize::new(0));
        let count = shown.clone();
        primary
            .serve(move || {
                count.fetch_add(1, Ordering::SeqCst);
            })
            .unwrap();
        shown
    }

    #[test]
    fn a_second_claim_is_refused_and_can_wake_the_first() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = DataDir::new(tmp.path().join("data"));
        let first = Primary::acquire(&dir).unwrap();
        let shown = counting(&first);

        let second = Primary::acquire(&dir);
        assert!(
            matches!(second, Err(InstanceError::AlreadyRunning { .. })),
            "{second:?}"
        );
        signal_show(&dir, Duration::from_secs(5)).unwrap();
        assert_eq!(shown.load(Ordering::SeqCst), 1);
        signal_show(&dir, Duration::from_secs(5)).unwrap();
        assert_eq!(shown.load(Ordering::SeqCst), 2);
    }

    #[test]
    fn the_lock_is_free_again_after_the_first_is_dropped() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = DataDir::new(tmp.path());
        let first = Primary::acquire(&dir).unwrap();
        assert!(tmp.path().join(INFO_FILE).exists());
        drop(first);
        assert!(
            !tmp.path().join(INFO_FILE).exists(),
            "the address goes with the window"
        );
        let again = Primary::acquire(&dir).unwrap();
        let shown = counting(&again);
        signal_show(&dir, Duration::from_secs(5)).unwrap();
        assert_eq!(shown.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn a_wrong_token_or_request_is_ignored() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = DataDir::new(tmp.path());
        let first = Primary::acquire(&dir).unwrap();
        let shown = counting(&first);
        let soon = || Instant::now() + Duration::from_secs(1);
        let wrong = "0".repeat(first.token.len());
        assert!(matches!(
            request(first.port(), &wrong, soon()),
            Err(SignalError::NoAnswer { .. })
        ));
        assert!(matches!(
            request(first.port(), "", soon()),
            Err(SignalError::NoAnswer { .. })
        ));
        // Garbage without a newline: cut off at the length limit.
        let mut raw = TcpStream::connect((Ipv4Addr::LOCALHOST, first.port())).unwrap();
        raw.write_all(&[b'x'; 300]).unwrap();
        drop(raw);
        assert_eq!(shown.load(Ordering::SeqCst), 0);
        // Still answering the right token afterwards.
        request(
            first.port(),
            &first.token,
            Instant::now() + Duration::from_secs(5),
        )
        .unwrap();
        assert_eq!(shown.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn no_address_and_a_dead_port_are_errors() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = DataDir::new(tmp.path());
        assert!(matches!(
            signal_show(&dir, Duration::from_millis(200)),
            Err(SignalError::NoAddress { .. })
        ));
        // A port nobody listens on: bind one, note it, close it.
        let port = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        std::fs::write(
            tmp.path().join(INFO_FILE),
            format!(r#"{{"port": {port}, "token": "ab", "pid": 1}}"#),
        )
        .unwrap();
        assert!(matches!(
            signal_show(&dir, Duration::from_millis(300)),
            Err(SignalError::Unreachable { .. })
        ));
    }
}
