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
//!
//! Any local process can connect to the port, so the listener must not be held up by one:
//! each connection is read on a short-lived thread of its own within one overall deadline
//! (bytes trickling in do not stretch it), a bounded number at once (the oldest is hung up
//! on to make room), and a failing `accept` backs off instead of spinning.

use std::collections::VecDeque;
use std::fs::{File, OpenOptions, TryLockError};
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{Ipv4Addr, Shutdown, SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::store::DataDir;

/// The locked file, in the data directory.
pub const LOCK_FILE: &str = "instance.lock";
/// Where the first window says how to reach it, in the data directory.
pub const INFO_FILE: &str = "instance.json";

/// How long a connection has to send its whole request line, however it trickles in (a limit
/// per read would let a client sending a byte now and then hold on for minutes).
const REQUEST_DEADLINE: Duration = Duration::from_secs(2);
/// The most read of a request: a 32-digit token, a space, `show` and a newline fit easily.
const MAX_REQUEST: usize = 256;
/// Connections answered at once, each on a short-lived thread of its own. One more hangs up
/// on the oldest, so idle connections can neither pile up threads nor keep a real request out.
const MAX_CONNECTIONS: usize = 16;
/// The pause after a failed accept, doubled after each further failure in a row up to
/// [`ACCEPT_PAUSE_MAX`]: an error that persists (no file descriptors left) must not spin a core.
const ACCEPT_PAUSE_FIRST: Duration = Duration::from_millis(10);
const ACCEPT_PAUSE_MAX: Duration = Duration::from_secs(1);
/// The answer to every request carried out; a request line is `<token> <request>`.
const SHOWN: &str = "shown";

/// What another launch asks of the running window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WindowRequest {
    /// Come to the front (a second start of Kunci).
    Show,
    /// Bring up the quick picker (`kunci pick`).
    Pick,
}

impl WindowRequest {
    fn word(self) -> &'static str {
        match self {
            WindowRequest::Show => "show",
            WindowRequest::Pick => "pick",
        }
    }

    fn from_word(word: &str) -> Option<WindowRequest> {
        [WindowRequest::Show, WindowRequest::Pick]
            .into_iter()
            .find(|r| r.word() == word)
    }
}

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
        // Created owner-only, like every other file in the data directory.
        dir.create().map_err(io_err(root.clone()))?;
        let lock_path = root.join(LOCK_FILE);
        let mut options = OpenOptions::new();
        options.read(true).write(true).create(true).truncate(false);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let lock = options
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

    /// Answers requests on a thread of its own, calling `on_request` for each one that carries
    /// the token. The thread lives as long as the process; each connection is read on a
    /// short-lived thread (at most [`MAX_CONNECTIONS`] at once), so `on_request` may be called
    /// from several threads.
    pub fn serve(
        &self,
        on_request: impl Fn(WindowRequest) + Send + Sync + 'static,
    ) -> Result<(), InstanceError> {
        let listener = self
            .listener
            .try_clone()
            .map_err(|source| InstanceError::Io {
                path: self.info.clone(),
                source,
            })?;
        let token: Arc<str> = self.token.as_str().into();
        let on_request: Arc<dyn Fn(WindowRequest) + Send + Sync> = Arc::new(on_request);
        let open = Arc::new(Mutex::new(Open::default()));
        std::thread::Builder::new()
            .name("kunci-instance".into())
            .spawn(move || {
                accept_loop(
                    || Some(listener.accept().map(|(stream, _)| stream)),
                    |stream| admit(&open, stream, &token, &on_request),
                    std::thread::sleep,
                );
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

/// Accepts connections until `accept` gives none (a real listener always gives one) and hands
/// each to `handle`. After a failed accept it `pause`s, twice as long after each further
/// failure in a row (from [`ACCEPT_PAUSE_FIRST`] up to [`ACCEPT_PAUSE_MAX`]), so an error that
/// does not go away costs a wake-up a second instead of a busy core.
fn accept_loop<S>(
    mut accept: impl FnMut() -> Option<io::Result<S>>,
    mut handle: impl FnMut(S),
    mut pause: impl FnMut(Duration),
) {
    let mut next_pause = ACCEPT_PAUSE_FIRST;
    while let Some(accepted) = accept() {
        match accepted {
            Ok(stream) => {
                next_pause = ACCEPT_PAUSE_FIRST;
                handle(stream);
            }
            Err(_) => {
                pause(next_pause);
                next_pause = (next_pause * 2).min(ACCEPT_PAUSE_MAX);
            }
        }
    }
}

/// The connections being read, oldest first, each with a handle to hang up on it.
#[derive(Default)]
struct Open {
    next_id: u64,
    streams: VecDeque<(u64, TcpStream)>,
}

/// Reads `stream` on a thread of its own, first hanging up on the oldest connections when
/// [`MAX_CONNECTIONS`] are being read already. One bad connection never stops the others.
fn admit(
    open: &Arc<Mutex<Open>>,
    stream: TcpStream,
    token: &Arc<str>,
    on_request: &Arc<dyn Fn(WindowRequest) + Send + Sync>,
) {
    let Ok(handle) = stream.try_clone() else {
        return;
    };
    let id = {
        let mut open = open.lock().unwrap_or_else(PoisonError::into_inner);
        while open.streams.len() >= MAX_CONNECTIONS {
            if let Some((_, oldest)) = open.streams.pop_front() {
                // Its thread's read ends at once, and the thread with it.
                let _ = oldest.shutdown(Shutdown::Both);
            }
        }
        let id = open.next_id;
        open.next_id += 1;
        open.streams.push_back((id, handle));
        id
    };
    let forget = {
        let open = open.clone();
        move || {
            let mut open = open.lock().unwrap_or_else(PoisonError::into_inner);
            open.streams.retain(|(other, _)| *other != id);
        }
    };
    let (token, on_request) = (token.clone(), on_request.clone());
    let done = forget.clone();
    let spawned = std::thread::Builder::new()
        .name("kunci-instance-request".into())
        .spawn(move || {
            let _ = answer(&stream, &token, &*on_request);
            done();
        });
    if spawned.is_err() {
        // The stream went with the closure, so the connection is closed already.
        forget();
    }
}

/// Reads one request line within [`REQUEST_DEADLINE`]; a genuine request is carried out and
/// answered.
fn answer(stream: &TcpStream, token: &str, on_request: &dyn Fn(WindowRequest)) -> io::Result<()> {
    let Some(line) = read_request(stream, Instant::now() + REQUEST_DEADLINE)? else {
        return Ok(());
    };
    let Some((sent, request)) = line.trim_end().split_once(' ') else {
        return Ok(());
    };
    if !same(sent.as_bytes(), token.as_bytes()) {
        return Ok(());
    }
    let Some(request) = WindowRequest::from_word(request) else {
        return Ok(());
    };
    on_request(request);
    stream.set_write_timeout(Some(REQUEST_DEADLINE))?;
    let mut stream = stream;
    stream.write_all(format!("{SHOWN}\n").as_bytes())
}

/// The request line (without its newline), read until `deadline` however slowly it comes;
/// `None` when the client hangs up first, or sends [`MAX_REQUEST`] bytes or something other
/// than UTF-8 without one. Past the deadline it is an error (timed out).
fn read_request(mut stream: &TcpStream, deadline: Instant) -> io::Result<Option<String>> {
    let mut line = Vec::new();
    let mut chunk = [0u8; 64];
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(io::ErrorKind::TimedOut.into());
        }
        stream.set_read_timeout(Some(left))?;
        let n = stream.read(&mut chunk)?;
        if n == 0 {
            return Ok(None);
        }
        line.extend_from_slice(&chunk[..n]);
        if let Some(end) = line.iter().position(|&b| b == b'\n') {
            line.truncate(end);
            return Ok(String::from_utf8(line).ok());
        }
        if line.len() >= MAX_REQUEST {
            return Ok(None);
        }
    }
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
    signal(dir, WindowRequest::Show, patience)
}

/// Whether a window holds the lock in `dir` now (without taking it for more than a moment).
pub fn is_running(dir: &DataDir) -> bool {
    let Ok(file) = File::open(dir.root().join(LOCK_FILE)) else {
        return false;
    };
    match file.try_lock_shared() {
        Ok(()) => {
            let _ = file.unlock();
            false
        }
        Err(TryLockError::WouldBlock) => true,
        Err(TryLockError::Error(_)) => false,
    }
}

/// Sends `request` to the window that holds the lock in `dir`, as [`signal_show`] does.
pub fn signal(
    dir: &DataDir,
    request: WindowRequest,
    patience: Duration,
) -> Result<(), SignalError> {
    let path = dir.root().join(INFO_FILE);
    let deadline = Instant::now() + patience;
    loop {
        let result = match read_info(&path) {
            Some(info) => {
                allow_foreground(info.pid);
                send(info.port, &info.token, request, deadline)
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

/// Sends `<token> <request>` to `port` and waits (until `deadline`, at least a second) for
/// `shown`.
fn send(
    port: u16,
    token: &str,
    request: WindowRequest,
    deadline: Instant,
) -> Result<(), SignalError> {
    let address = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let wait = deadline
        .saturating_duration_since(Instant::now())
        .max(Duration::from_secs(1));
    let mut stream = TcpStream::connect_timeout(&address, wait)
        .map_err(|source| SignalError::Unreachable { port, source })?;
    let no_answer = |_| SignalError::NoAnswer { port };
    stream.set_read_timeout(Some(wait)).map_err(no_answer)?;
    stream
        .write_all(format!("{token} {}\n", request.word()).as_bytes())
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
            .serve(move |_| {
                count.fetch_add(1, Ordering::SeqCst);
            })
            .unwrap();
        shown
    }

    #[test]
    fn a_pick_request_arrives_as_a_pick_and_is_answered() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = DataDir::new(tmp.path());
        assert!(!is_running(&dir));
        let first = Primary::acquire(&dir).unwrap();
        assert!(is_running(&dir));
        let heard = Arc::new(Mutex::new(Vec::new()));
        let log = heard.clone();
        first
            .serve(move |request| log.lock().unwrap().push(request))
            .unwrap();
        signal(&dir, WindowRequest::Pick, Duration::from_secs(5)).unwrap();
        signal_show(&dir, Duration::from_secs(5)).unwrap();
        assert_eq!(
            *heard.lock().unwrap(),
            [WindowRequest::Pick, WindowRequest::Show]
        );
        drop(first);
        assert!(!is_running(&dir));
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

    #[cfg(unix)]
    #[test]
    fn the_window_claims_a_data_directory_only_its_owner_can_read() {
        use std::os::unix::fs::PermissionsExt;
        let tmp = tempfile::tempdir().unwrap();
        let dir = DataDir::new(tmp.path().join("data"));
        let _first = Primary::acquire(&dir).unwrap();
        let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(dir.root()), 0o700);
        for entry in std::fs::read_dir(dir.root()).unwrap() {
            let path = entry.unwrap().path();
            assert_eq!(mode(&path), 0o600, "{}", path.display());
        }
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
            send(first.port(), &wrong, WindowRequest::Show, soon()),
            Err(SignalError::NoAnswer { .. })
        ));
        assert!(matches!(
            send(first.port(), "", WindowRequest::Show, soon()),
            Err(SignalError::NoAnswer { .. })
        ));
        // Garbage without a newline: cut off at the length limit.
        let mut raw = TcpStream::connect((Ipv4Addr::LOCALHOST, first.port())).unwrap();
        raw.write_all(&[b'x'; 300]).unwrap();
        drop(raw);
        assert_eq!(shown.load(Ordering::SeqCst), 0);
        // Still answering the right token afterwards.
        // An unknown request with the right token: nothing happens.
        let mut raw = TcpStream::connect((Ipv4Addr::LOCALHOST, first.port())).unwrap();
        raw.write_all(format!("{} explode\n", first.token).as_bytes())
            .unwrap();
        drop(raw);
        send(
            first.port(),
            &first.token,
            WindowRequest::Show,
            Instant::now() + Duration::from_secs(5),
        )
        .unwrap();
        assert_eq!(shown.load(Ordering::SeqCst), 1);
    }

    /// A client that sends one byte every `every`, without a newline, for `lasting`; returns
    /// how long the first window kept the connection open (or `lasting`, if it never closed it).
    fn slow_drip(
        port: u16,
        every: Duration,
        lasting: Duration,
    ) -> std::thread::JoinHandle<Duration> {
        let mut stream = TcpStream::connect((Ipv4Addr::LOCALHOST, port)).unwrap();
        std::thread::spawn(move || {
            let start = Instant::now();
            stream.set_read_timeout(Some(every)).unwrap();
            while start.elapsed() < lasting {
                if stream.write_all(b"x").is_err() {
                    return start.elapsed();
                }
                // A read that ends (0 bytes or a reset) means the window hung up.
                match stream.read(&mut [0u8; 8]) {
                    Ok(_) => return start.elapsed(),
                    Err(e)
                        if matches!(
                            e.kind(),
                            io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                        ) => {}
                    Err(_) => return start.elapsed(),
                }
            }
            lasting
        })
    }

    /// One real "show" round trip against `primary`; how long it took.
    fn timed_show(primary: &Primary) -> (Result<(), SignalError>, Duration) {
        let start = Instant::now();
        let result = send(
            primary.port(),
            &primary.token,
            WindowRequest::Show,
            Instant::now() + Duration::from_secs(10),
        );
        (result, start.elapsed())
    }

    #[test]
    fn a_slow_drip_neither_delays_show_nor_lasts() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = DataDir::new(tmp.path());
        let first = Primary::acquire(&dir).unwrap();
        let shown = counting(&first);
        // A byte every 300 ms: each read finishes well within any per-read timeout.
        let drip = slow_drip(
            first.port(),
            Duration::from_millis(300),
            Duration::from_secs(8),
        );
        std::thread::sleep(Duration::from_millis(200));

        let (result, took) = timed_show(&first);
        result.unwrap();
        assert_eq!(shown.load(Ordering::SeqCst), 1);
        assert!(
            took < Duration::from_secs(1),
            "a slow-drip client delayed a real show by {took:?}"
        );
        let held = drip.join().unwrap();
        eprintln!("show took {took:?} beside a slow drip, which was hung up on after {held:?}");
        assert!(
            held < REQUEST_DEADLINE + Duration::from_secs(1),
            "a connection that never finishes its request was kept {held:?}"
        );
    }

    #[test]
    fn a_flood_of_idle_connections_does_not_block_show() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = DataDir::new(tmp.path());
        let first = Primary::acquire(&dir).unwrap();
        let shown = counting(&first);
        // More idle connections than the window handles at once, none sending a byte.
        let idle: Vec<TcpStream> = (0..3 * MAX_CONNECTIONS)
            .map(|_| TcpStream::connect((Ipv4Addr::LOCALHOST, first.port())).unwrap())
            .collect();
        std::thread::sleep(Duration::from_millis(200));

        let (result, took) = timed_show(&first);
        result.unwrap();
        assert_eq!(shown.load(Ordering::SeqCst), 1);
        assert!(
            took < Duration::from_secs(1),
            "idle connections delayed a real show by {took:?}"
        );
        // Every idle connection is hung up on within the deadline.
        let start = Instant::now();
        for mut stream in idle {
            stream
                .set_read_timeout(Some(REQUEST_DEADLINE + Duration::from_secs(2)))
                .unwrap();
            match stream.read(&mut [0u8; 8]) {
                Ok(0) => {}
                Ok(_) => panic!("an idle connection got an answer"),
                Err(e) => assert!(
                    !matches!(
                        e.kind(),
                        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                    ),
                    "an idle connection was still open after {:?}",
                    start.elapsed()
                ),
            }
        }
        assert!(
            start.elapsed() < REQUEST_DEADLINE + Duration::from_secs(1),
            "idle connections were kept {:?}",
            start.elapsed()
        );
        eprintln!(
            "show took {took:?} beside {} idle connections, all hung up on {:?} later",
            3 * MAX_CONNECTIONS,
            start.elapsed()
        );
    }

    #[test]
    fn failed_accepts_pause_longer_each_time_up_to_a_bound() {
        // Twelve failures, a connection, three failures, then the end.
        let mut script: VecDeque<io::Result<u32>> = (0..12)
            .map(|_| Err(io::ErrorKind::Other.into()))
            .chain([Ok(7)])
            .chain((0..3).map(|_| Err(io::ErrorKind::Other.into())))
            .collect();
        let mut handled = Vec::new();
        let mut pauses = Vec::new();
        accept_loop(
            || script.pop_front(),
            |s| handled.push(s),
            |d| pauses.push(d),
        );
        assert_eq!(handled, [7]);
        let ms: Vec<u128> = pauses.iter().map(Duration::as_millis).collect();
        assert_eq!(
            ms,
            [
                10, 20, 40, 80, 160, 320, 640, 1000, 1000, 1000, 1000, 1000, 10, 20, 40
            ],
            "doubling from the first pause to the bound, and from the first again after a success"
        );
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
