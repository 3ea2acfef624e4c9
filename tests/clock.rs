//! Network time against real parts: a real `chronyd` serving NTP on loopback, the `kunci`
//! binary with its clock moved by libfaketime, hostile SNTP servers and an HTTP `Date`
//! server of the tests' own.
//!
//! Everything is started by the tests themselves: each test owns its servers (a chronyd on a
//! free port, UDP and TCP servers on port 0) and stops them when it ends, panics included, so
//! the tests run in parallel. Kunci counts one vote per machine (address), so servers meant to
//! be independent listen on different loopback addresses (127.0.0.1, 127.0.0.2, …: on Linux
//! all of 127.0.0.0/8 is this machine's loopback). Sign convention of Kunci: offset = network time − this
//! computer's time, so a clock moved 90 s ahead gives about −90 s.
//!
//! Needs chronyd (package chrony) and libfaketime (package faketime): run
//! `scripts/with-keyring cargo test --test clock` (or `scripts/test`). The two tests that
//! make codes write a secret to the keychain and refuse to run outside a throwaway keyring.
#![cfg(target_os = "linux")]

use std::fs;
use std::io::{ErrorKind, Read, Write};
use std::net::{TcpListener, TcpStream, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use kunci::clock::{self, CheckConfig, Outcome, Report, Source, Verdict};
use kunci::otp::{self, Params};
use serde_json::Value;

const KUNCI: &str = env!("CARGO_BIN_EXE_kunci");
const CHRONYD: &str = "/usr/sbin/chronyd";
const FAKETIME: &str = "/usr/bin/faketime";
const HOW_TO_GET_TOOLS: &str = "run scripts/test once: it installs what the tests need \
     (chronyd from the Debian package chrony, libfaketime from the package faketime)";
const HOW_TO_RUN: &str = "this test writes a secret to the Secret Service keychain and must \
     run in a throwaway keyring: scripts/with-keyring cargo test --test clock (or scripts/test)";
/// Longest a single `kunci` run may take before the test fails.
const RUN_LIMIT: Duration = Duration::from_secs(10);
/// Timeout of the library checks made by the tests (the default of the app).
const TIMEOUT: Duration = clock::DEFAULT_TIMEOUT;
/// Seconds between 1900 (NTP era 0) and 1970 (Unix).
const NTP_UNIX_OFFSET: u64 = 2_208_988_800;
const TEN_YEARS: f64 = 10.0 * 365.25 * 86400.0;
/// Google's Key URI Format example key.
const KEY: &str = "HXDMVJECJJWSRB3HWIZR4IFUGFTMXBOZ";

// ---- tools ---------------------------------------------------------------------------------

fn need(path: &str) {
    assert!(
        Path::new(path).exists(),
        "{path} is missing; {HOW_TO_GET_TOOLS}"
    );
}

/// libfaketime's multithreaded preload library. It is set directly (`LD_PRELOAD` and
/// `FAKETIME`, exactly what `faketime -f` sets) because the `faketime` wrapper forks, and a
/// timeout that kills the wrapper would leave `kunci` running.
fn faketime_library() -> PathBuf {
    need(FAKETIME);
    let mut candidates = vec![PathBuf::from("/usr/lib/faketime/libfaketimeMT.so.1")];
    if let Ok(entries) = fs::read_dir("/usr/lib") {
        for entry in entries.flatten() {
            candidates.push(entry.path().join("faketime/libfaketimeMT.so.1"));
        }
    }
    candidates
        .into_iter()
        .find(|p| p.is_file())
        .unwrap_or_else(|| {
            panic!("libfaketimeMT.so.1 not found under /usr/lib; {HOW_TO_GET_TOOLS}")
        })
}

fn require_keyring() {
    assert!(
        std::env::var_os("KUNCI_THROWAWAY_KEYRING").is_some()
            && std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some(),
        "{HOW_TO_RUN}"
    );
}

fn tempdir(prefix: &str) -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix(prefix)
        .tempdir()
        .expect("create a temporary directory")
}

/// A UDP port on loopback that nothing listens on (bound, then released).
fn free_udp_port() -> u16 {
    UdpSocket::bind("127.0.0.1:0")
        .and_then(|s| s.local_addr())
        .expect("bind a UDP port on loopback")
        .port()
}

/// This (test) process's clock, never faked, in Unix seconds.
fn real_now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("the clock is after 1970")
        .as_secs_f64()
}

/// A Unix time as an NTP timestamp: 32.32 fixed point seconds since 1900, the era dropped
/// (RFC 5905 §6), so times after February 2036 wrap as they do on the wire.
fn ntp_timestamp(unix: f64) -> [u8; 8] {
    let whole = unix.floor();
    let seconds = (whole as i64 + NTP_UNIX_OFFSET as i64) as u64 & 0xffff_ffff;
    let fraction = (((unix - whole) * 4_294_967_296.0) as u64).min(0xffff_ffff);
    ((seconds << 32) | fraction).to_be_bytes()
}

// ---- a real chronyd --------------------------------------------------------------------------

/// `chronyd -x` (never touches the clock) serving NTP on 127.0.0.1 at stratum 8, killed when
/// dropped. One per test, so nothing outlives the test that started it.
struct Chronyd {
    child: Child,
    ip: &'static str,
    port: u16,
    _dir: tempfile::TempDir,
}

impl Chronyd {
    fn start() -> Chronyd {
        Chronyd::start_on("127.0.0.1", None)
    }

    /// A chronyd on loopback address `ip`, its clock moved by libfaketime (a `FAKETIME` value
    /// such as `+300s`) when `faketime` is given: a real server that lies.
    fn start_on(ip: &'static str, faketime: Option<&str>) -> Chronyd {
        need(CHRONYD);
        let mut failures = Vec::new();
        // A free port can be taken between our probe and chronyd's bind: try a few.
        for _ in 0..3 {
            let dir = tempdir("kunci-chronyd-");
            let port = free_udp_port();
            let conf = dir.path().join("chrony.conf");
            let log = dir.path().join("chronyd.log");
            fs::write(
                &conf,
                format!(
                    "port {port}\nbindaddress {ip}\nallow 127.0.0.0/8\nlocal stratum 8\n\
                     cmdport 0\nbindcmdaddress /\npidfile {}\ndriftfile {}\n",
                    dir.path().join("chronyd.pid").display(),
                    dir.path().join("chronyd.drift").display(),
                ),
            )
            .expect("write chrony.conf");
            let mut command = Command::new(CHRONYD);
            command
                .args(["-u", "root", "-x", "-d", "-f"])
                .arg(&conf)
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(fs::File::create(&log).expect("create chronyd.log"));
            if let Some(offset) = faketime {
                command
                    .env("LD_PRELOAD", faketime_library())
                    .env("FAKETIME", offset);
            }
            let child = command
                .spawn()
                .unwrap_or_else(|e| panic!("start {CHRONYD}: {e}; {HOW_TO_GET_TOOLS}"));
            let mut chronyd = Chronyd {
                child,
                ip,
                port,
                _dir: dir,
            };
            match chronyd.wait_until_serving(Duration::from_secs(5)) {
                Ok(()) => return chronyd,
                Err(why) => {
                    let log = fs::read_to_string(&log).unwrap_or_default();
                    failures.push(format!("port {port}: {why}; its log:\n{log}"));
                }
            }
        }
        panic!(
            "chronyd did not serve NTP on loopback (it must run as root: \"Not superuser\" \
             below means these tests need root; otherwise {HOW_TO_GET_TOOLS}):\n{}",
            failures.join("\n")
        );
    }

    /// Waits until chronyd answers a well-formed, synchronised reply of its own.
    fn wait_until_serving(&mut self, limit: Duration) -> Result<(), String> {
        let start = Instant::now();
        while start.elapsed() < limit {
            if let Some(status) = self.child.try_wait().expect("wait for chronyd") {
                return Err(format!("chronyd exited with {status}"));
            }
            // Stratum 8 is chronyd's `local stratum` (the fake servers answer at 2).
            if let Some((li, stratum)) = probe(&self.addr())
                && li != 3
                && stratum == 8
            {
                return Ok(());
            }
            thread::sleep(Duration::from_millis(20));
        }
        Err(format!("no synchronised answer within {limit:?}"))
    }

    fn addr(&self) -> String {
        format!("{}:{}", self.ip, self.port)
    }
}

impl Drop for Chronyd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One SNTP request of our own: the leap indicator and stratum of a reply that answers it.
fn probe(addr: &str) -> Option<(u8, u8)> {
    let socket = UdpSocket::bind("127.0.0.1:0").ok()?;
    socket.connect(addr).ok()?;
    socket
        .set_read_timeout(Some(Duration::from_millis(200)))
        .ok()?;
    let mut request = [0u8; 48];
    request[0] = (4 << 3) | 3; // version 4, mode 3 (client)
    let transmit = ntp_timestamp(real_now());
    request[40..48].copy_from_slice(&transmit);
    socket.send(&request).ok()?;
    let mut reply = [0u8; 64];
    let n = socket.recv(&mut reply).ok()?;
    (n == 48 && reply[0] & 7 == 4 && reply[24..32] == transmit).then_some((reply[0] >> 6, reply[1]))
}

// ---- SNTP servers of our own -----------------------------------------------------------------

/// How a fake SNTP server answers each request.
#[derive(Debug, Clone, Copy)]
enum Reply {
    /// A correct reply with the real time moved by this many seconds.
    Honest { offset: f64 },
    /// A correct-looking reply to some other request.
    WrongOriginate,
    /// Stratum 0 with this Kiss-o'-Death code.
    KissOfDeath(&'static [u8; 4]),
    /// The first bytes of a correct reply.
    Truncated(usize),
    /// A correct reply at this stratum.
    Stratum(u8),
    /// A correct reply with leap indicator 3 (clock unsynchronised).
    LeapAlarm,
    /// Never answers (as a firewall that drops UDP 123).
    Silent,
}

/// A UDP server on 127.0.0.1 answering with [`Reply`], stopped when dropped.
struct FakeNtp {
    ip: &'static str,
    port: u16,
    asked: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl FakeNtp {
    fn start(reply: Reply) -> FakeNtp {
        FakeNtp::start_on("127.0.0.1", reply)
    }

    /// The server on loopback address `ip` (a machine of its own, as far as Kunci can tell).
    fn start_on(ip: &'static str, reply: Reply) -> FakeNtp {
        let socket = UdpSocket::bind((ip, 0)).expect("bind a UDP port on loopback");
        socket
            .set_read_timeout(Some(Duration::from_millis(50)))
            .expect("set a read timeout");
        let port = socket.local_addr().expect("local address").port();
        let asked = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let (asked, stop) = (asked.clone(), stop.clone());
            thread::spawn(move || {
                let mut request = [0u8; 512];
                while !stop.load(Ordering::Relaxed) {
                    let (n, peer) = match socket.recv_from(&mut request) {
                        Ok(got) => got,
                        Err(e)
                            if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) =>
                        {
                            continue;
                        }
                        Err(e) => panic!("fake SNTP server: {e}"),
                    };
                    asked.fetch_add(1, Ordering::SeqCst);
                    if n < 48 {
                        continue;
                    }
                    if let Some(bytes) = answer(reply, &request[..48]) {
                        let _ = socket.send_to(&bytes, peer);
                    }
                }
            })
        };
        FakeNtp {
            ip,
            port,
            asked,
            stop,
            thread: Some(thread),
        }
    }

    fn addr(&self) -> String {
        format!("{}:{}", self.ip, self.port)
    }

    fn asked(&self) -> usize {
        self.asked.load(Ordering::SeqCst)
    }
}

impl Drop for FakeNtp {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// The reply packet (RFC 5905 §7.3) to a 48-byte client `request`.
fn answer(reply: Reply, request: &[u8]) -> Option<Vec<u8>> {
    let now = real_now();
    let (mut li, mut stratum, mut offset) = (0u8, 2u8, 0.0);
    let mut originate: [u8; 8] = request[40..48].try_into().unwrap();
    let mut refid = [127, 0, 0, 1];
    match reply {
        Reply::Honest { offset: o } => offset = o,
        Reply::WrongOriginate => originate = ntp_timestamp(now - 1234.5),
        Reply::KissOfDeath(code) => {
            stratum = 0;
            refid = *code;
        }
        Reply::Stratum(s) => stratum = s,
        Reply::LeapAlarm => li = 3,
        Reply::Truncated(_) => {}
        Reply::Silent => return None,
    }
    let mut packet = vec![0u8; 48];
    packet[0] = (li << 6) | (4 << 3) | 4; // version 4, mode 4 (server)
    packet[1] = stratum;
    packet[2] = request[2].max(6); // poll
    packet[3] = (-20i8) as u8; // precision: about a microsecond
    packet[4..8].copy_from_slice(&0x0000_0100u32.to_be_bytes()); // root delay ~4 ms
    packet[8..12].copy_from_slice(&0x0000_0200u32.to_be_bytes()); // root dispersion ~8 ms
    packet[12..16].copy_from_slice(&refid);
    packet[16..24].copy_from_slice(&ntp_timestamp(now + offset - 16.0)); // reference
    packet[24..32].copy_from_slice(&originate);
    packet[32..40].copy_from_slice(&ntp_timestamp(now + offset)); // receive
    packet[40..48].copy_from_slice(&ntp_timestamp(real_now() + offset)); // transmit
    if let Reply::Truncated(len) = reply {
        packet.truncate(len);
    }
    Some(packet)
}

// ---- an HTTP Date server of our own ----------------------------------------------------------

/// An HTTP/1.1 server on 127.0.0.1 answering every request with 200 and, when `date_ahead`
/// is given, a `Date` header that many seconds ahead of the real time. Stopped when dropped.
struct FakeHttp {
    ip: &'static str,
    port: u16,
    asked: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl FakeHttp {
    fn start(date_ahead: Option<i64>) -> FakeHttp {
        FakeHttp::start_on("127.0.0.1", date_ahead)
    }

    /// The server on loopback address `ip`.
    fn start_on(ip: &'static str, date_ahead: Option<i64>) -> FakeHttp {
        let listener = TcpListener::bind((ip, 0)).expect("bind a TCP port on loopback");
        listener
            .set_nonblocking(true)
            .expect("non-blocking listener");
        let port = listener.local_addr().expect("local address").port();
        let asked = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let (asked, stop) = (asked.clone(), stop.clone());
            thread::spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    match listener.accept() {
                        Ok((stream, _)) => {
                            asked.fetch_add(1, Ordering::SeqCst);
                            serve_http(stream, date_ahead);
                        }
                        Err(e) if e.kind() == ErrorKind::WouldBlock => {
                            thread::sleep(Duration::from_millis(5));
                        }
                        Err(e) => panic!("fake HTTP server: {e}"),
                    }
                }
            })
        };
        FakeHttp {
            ip,
            port,
            asked,
            stop,
            thread: Some(thread),
        }
    }

    fn url(&self) -> String {
        format!("http://{}:{}/", self.ip, self.port)
    }

    fn asked(&self) -> usize {
        self.asked.load(Ordering::SeqCst)
    }
}

impl Drop for FakeHttp {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn serve_http(mut stream: TcpStream, date_ahead: Option<i64>) {
    let _ = stream.set_nonblocking(false);
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    let mut head = Vec::new();
    let mut buf = [0u8; 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < 16 * 1024 {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => return,
            Ok(n) => head.extend_from_slice(&buf[..n]),
        }
    }
    let mut response = String::from("HTTP/1.1 200 OK\r\nServer: kunci-test\r\n");
    if let Some(ahead) = date_ahead {
        let date = imf_fixdate(real_now().floor() as i64 + ahead);
        response.push_str(&format!("Date: {date}\r\n"));
    }
    response.push_str("Content-Length: 0\r\nConnection: close\r\n\r\n");
    let _ = stream.write_all(response.as_bytes());
    let _ = stream.flush();
}

/// `Sun, 06 Nov 1994 08:49:37 GMT` (RFC 9110 §5.6.7) for Unix seconds.
fn imf_fixdate(unix: i64) -> String {
    const DAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let (days, secs) = (unix.div_euclid(86400), unix.rem_euclid(86400));
    // Civil date from days since 1970-01-01 (H. Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{}, {day:02} {} {year} {:02}:{:02}:{:02} GMT",
        DAYS[(days + 4).rem_euclid(7) as usize],
        MONTHS[(month - 1) as usize],
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

// ---- running kunci ---------------------------------------------------------------------------

/// Output of one finished run of the binary.
#[derive(Debug)]
struct Run {
    status: ExitStatus,
    stdout: String,
    stderr: String,
    elapsed: Duration,
}

impl Run {
    fn code(&self) -> Option<i32> {
        self.status.code()
    }

    fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("kunci printed invalid JSON ({e}): {self:#?}"))
    }
}

/// Runs `kunci ARGS` on data dir `dir`, its clock moved by `faketime` (a libfaketime
/// `FAKETIME` value such as `+90s`) when given, stdin closed, within [`RUN_LIMIT`].
fn kunci(dir: &Path, args: &[&str], faketime: Option<&str>) -> Run {
    let mut cmd = Command::new(KUNCI);
    cmd.args(args)
        .env("KUNCI_DATA_DIR", dir)
        .env_remove("KUNCI_FAILPOINT")
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    // These tests read English words, whatever the machine's language.
    cmd.env("LC_ALL", "C.UTF-8")
        .env("LANG", "C.UTF-8")
        .env_remove("LC_MESSAGES")
        .env_remove("LANGUAGE");
    // The HTTP client honours proxy variables; loopback must be reached directly.
    for proxy in [
        "http_proxy",
        "https_proxy",
        "all_proxy",
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "ALL_PROXY",
    ] {
        cmd.env_remove(proxy);
    }
    if let Some(offset) = faketime {
        cmd.env("LD_PRELOAD", faketime_library())
            .env("FAKETIME", offset);
    }
    let start = Instant::now();
    let mut child = cmd.spawn().unwrap_or_else(|e| panic!("start {KUNCI}: {e}"));
    let pipe = |mut r: Box<dyn Read + Send>| {
        thread::spawn(move || {
            let mut text = String::new();
            r.read_to_string(&mut text).expect("read output");
            text
        })
    };
    let out = pipe(Box::new(child.stdout.take().unwrap()));
    let err = pipe(Box::new(child.stderr.take().unwrap()));
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for kunci") {
            break status;
        }
        if start.elapsed() > RUN_LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            panic!("kunci {args:?} (faketime {faketime:?}) did not finish within {RUN_LIMIT:?}");
        }
        thread::sleep(Duration::from_millis(5));
    };
    let elapsed = start.elapsed();
    Run {
        status,
        stdout: out.join().unwrap(),
        stderr: err.join().unwrap(),
        elapsed,
    }
}

/// `kunci drift --server S... --https U... [--json]`.
fn drift(dir: &Path, servers: &[&str], https: &[&str], json: bool, faketime: Option<&str>) -> Run {
    let mut args = vec!["drift"];
    for s in servers {
        args.extend(["--server", s]);
    }
    for u in https {
        args.extend(["--https", u]);
    }
    if json {
        args.push("--json");
    }
    kunci(dir, &args, faketime)
}

fn offset_of(v: &Value) -> f64 {
    v["offset_seconds"]
        .as_f64()
        .unwrap_or_else(|| panic!("no offset_seconds in {v:#}"))
}

/// The report of `target` in the JSON list `list` ("servers" or "https").
fn report<'a>(v: &'a Value, list: &str, target: &str) -> &'a Value {
    v[list]
        .as_array()
        .unwrap_or_else(|| panic!("no {list} array in {v:#}"))
        .iter()
        .find(|r| r["target"] == target)
        .unwrap_or_else(|| panic!("no {target} in {list} of {v:#}"))
}

fn status_of<'a>(v: &'a Value, list: &str, target: &str) -> &'a str {
    report(v, list, target)["status"].as_str().unwrap_or("")
}

fn reason_of<'a>(v: &'a Value, list: &str, target: &str) -> &'a str {
    report(v, list, target)["reason"].as_str().unwrap_or("")
}

fn assert_near(actual: f64, expected: f64, within: f64, what: &str) {
    assert!(
        (actual - expected).abs() <= within,
        "{what}: {actual} is not within {within} of {expected}"
    );
}

fn config(servers: &[&str], https: &[&str]) -> CheckConfig {
    CheckConfig {
        servers: servers.iter().map(|s| s.to_string()).collect(),
        https_urls: https.iter().map(|s| s.to_string()).collect(),
        timeout: TIMEOUT,
    }
}

fn outcome<'a>(reports: &'a [Report], target: &str) -> &'a Outcome {
    &reports
        .iter()
        .find(|r| r.target == target)
        .unwrap_or_else(|| panic!("no report for {target} in {reports:?}"))
        .outcome
}

// ---- chronyd and a moved clock ---------------------------------------------------------------

#[test]
fn chronyd_on_loopback_agrees_with_this_clock() {
    let chronyd = Chronyd::start();
    let data = tempdir("kunci-clock-");
    let run = drift(data.path(), &[&chronyd.addr()], &[], true, None);
    assert_eq!(run.code(), Some(0), "{run:#?}");
    let v = run.json();
    assert!(offset_of(&v).abs() < 0.5, "{v:#}");
    assert_eq!(v["verdict"], "ok", "{v:#}");
    assert_eq!(v["source_kind"], "sntp", "{v:#}");
    assert!(
        v["source"].as_str().unwrap_or("").contains(&chronyd.addr()),
        "{v:#}"
    );
    assert_eq!(v["timezone_hours"], Value::Null, "{v:#}");
    assert_eq!(status_of(&v, "servers", &chronyd.addr()), "answered");

    // The library says the same.
    let m = clock::check(&config(&[&chronyd.addr()], &[])).expect("chronyd answers");
    assert!(m.offset.abs() < 0.5, "{m:?}");
    assert_eq!(m.verdict(), Verdict::Ok);
    assert_eq!(
        m.source,
        Source::Sntp {
            server: chronyd.addr()
        }
    );

    // And in words.
    let run = drift(data.path(), &[&chronyd.addr()], &[], false, None);
    assert_eq!(run.code(), Some(0), "{run:#?}");
    assert!(run.stdout.contains("verdict: ok"), "{run:#?}");
    assert!(run.stdout.contains(&chronyd.addr()), "{run:#?}");
}

#[test]
fn a_clock_90_s_ahead_is_an_error() {
    let chronyd = Chronyd::start();
    let data = tempdir("kunci-clock-");
    let run = drift(data.path(), &[&chronyd.addr()], &[], true, Some("+90s"));
    assert_eq!(run.code(), Some(2), "{run:#?}");
    let v = run.json();
    assert_near(offset_of(&v), -90.0, 1.0, "offset of a clock 90 s ahead");
    assert_eq!(v["verdict"], "error", "{v:#}");
    assert_eq!(
        v["timezone_hours"],
        Value::Null,
        "90 s is no time zone: {v:#}"
    );
    assert!(
        v["source"].as_str().unwrap_or("").contains(&chronyd.addr()),
        "{v:#}"
    );

    let run = drift(data.path(), &[&chronyd.addr()], &[], false, Some("+90s"));
    assert_eq!(run.code(), Some(2), "{run:#?}");
    assert!(run.stdout.contains("verdict: error"), "{run:#?}");
    assert!(run.stdout.contains("ahead"), "{run:#?}");
    assert!(!run.stdout.contains("time zone"), "{run:#?}");
}

#[test]
fn a_clock_8_s_ahead_is_a_warning() {
    let chronyd = Chronyd::start();
    let data = tempdir("kunci-clock-");
    let run = drift(data.path(), &[&chronyd.addr()], &[], true, Some("+8s"));
    assert_eq!(run.code(), Some(1), "{run:#?}");
    let v = run.json();
    assert_near(offset_of(&v), -8.0, 1.0, "offset of a clock 8 s ahead");
    assert_eq!(v["verdict"], "warning", "{v:#}");
}

#[test]
fn a_clock_7_h_behind_is_named_a_time_zone_mistake() {
    let chronyd = Chronyd::start();
    let data = tempdir("kunci-clock-");
    let run = drift(data.path(), &[&chronyd.addr()], &[], true, Some("-25200s"));
    assert_eq!(run.code(), Some(2), "{run:#?}");
    let v = run.json();
    assert_near(offset_of(&v), 25200.0, 1.0, "offset of a clock 7 h behind");
    assert_eq!(v["verdict"], "error", "{v:#}");
    assert_eq!(v["timezone_hours"], -7, "{v:#}");
    assert!(
        v["message"].as_str().unwrap_or("").contains("time zone"),
        "{v:#}"
    );

    let run = drift(data.path(), &[&chronyd.addr()], &[], false, Some("-25200s"));
    assert_eq!(run.code(), Some(2), "{run:#?}");
    assert!(run.stdout.contains("time zone"), "{run:#?}");
    assert!(run.stdout.contains("-7 h"), "{run:#?}");
}

/// Adds [`KEY`] as "Clock Test:alice" to a fresh data dir whose settings ask `servers` only.
fn account_with_servers(servers: &[String]) -> tempfile::TempDir {
    account_with_sources(servers, &[])
}

/// Adds [`KEY`] as "Clock Test:alice" to a fresh data dir whose settings ask these SNTP
/// `servers` and HTTPS `sites` only.
fn account_with_sources(servers: &[String], sites: &[String]) -> tempfile::TempDir {
    require_keyring();
    let data = tempdir("kunci-clock-");
    let settings = serde_json::json!({ "time_servers": servers, "https_time_urls": sites });
    fs::write(data.path().join("settings.json"), settings.to_string()).expect("settings.json");
    let run = kunci(
        data.path(),
        &[
            "add",
            "--secret",
            KEY,
            "--issuer",
            "Clock Test",
            "--label",
            "alice",
        ],
        None,
    );
    assert!(run.status.success(), "{run:#?}");
    data
}

/// The codes of [`KEY`] for every time step from `from` to `to` (Unix seconds).
fn codes_between(from: f64, to: f64) -> Vec<String> {
    let secret = otp::parse_setup_key(KEY).unwrap();
    let params = Params::default();
    let (first, last) = (from.floor() as u64 / 30, to.ceil() as u64 / 30);
    (first..=last)
        .map(|step| otp::generate(&secret, &params, step * 30).unwrap())
        .collect()
}

/// The codes `kunci code --at T` prints for every time step from `from` to `to`: what the
/// binary itself makes for a given time.
fn codes_at(dir: &Path, from: f64, to: f64) -> Vec<String> {
    let (first, last) = (from.floor() as u64 / 30, to.ceil() as u64 / 30);
    (first..=last)
        .map(|step| {
            let at = (step * 30 + 15).to_string();
            let run = kunci(dir, &["code", "Clock Test", "--at", &at], None);
            assert!(run.status.success(), "{run:#?}");
            run.stdout.trim().to_string()
        })
        .collect()
}

#[test]
fn network_time_codes_are_for_the_real_time() {
    // Two servers on two addresses: two independent sources that agree.
    let chronyd = [
        Chronyd::start_on("127.0.0.1", None),
        Chronyd::start_on("127.0.0.2", None),
    ];
    let data = account_with_servers(&[chronyd[0].addr(), chronyd[1].addr()]);
    let before = real_now();
    let corrected = kunci(
        data.path(),
        &["code", "Clock Test", "--network-time"],
        Some("+90s"),
    );
    let plain = kunci(data.path(), &["code", "Clock Test"], Some("+90s"));
    let after = real_now();
    assert!(corrected.status.success(), "{corrected:#?}");
    assert!(plain.status.success(), "{plain:#?}");
    assert!(
        chronyd.iter().any(|c| corrected.stderr.contains(&c.addr())),
        "--network-time should say where the time came from: {corrected:#?}"
    );

    // Across a 30 s boundary during the runs, either neighbour is right.
    let real = codes_between(before, after);
    let faked = codes_between(before + 90.0, after + 90.0);
    assert!(
        real.iter().all(|c| !faked.contains(c)),
        "the test key happens to give the same code 90 s apart: {real:?} {faked:?}"
    );
    let corrected = corrected.stdout.trim();
    let plain = plain.stdout.trim();
    assert!(
        real.iter().any(|c| c == corrected),
        "--network-time under a clock 90 s ahead printed {corrected}, codes of the real time: {real:?}"
    );
    assert!(
        faked.iter().any(|c| c == plain),
        "plain `code` under a clock 90 s ahead printed {plain}, codes of the faked time: {faked:?}"
    );
}

#[test]
fn network_time_without_a_time_source_makes_no_code() {
    let data = account_with_servers(&[
        format!("127.0.0.1:{}", free_udp_port()),
        format!("127.0.0.1:{}", free_udp_port()),
    ]);
    let run = kunci(data.path(), &["code", "Clock Test", "--network-time"], None);
    assert_eq!(run.code(), Some(1), "{run:#?}");
    assert_eq!(run.stdout, "", "no code may be printed: {run:#?}");
    assert!(run.stderr.contains("no time source"), "{run:#?}");
    assert!(run.elapsed < Duration::from_secs(3), "{run:#?}");
}

// ---- a correction needs two independent sources that agree ----------------------------------

/// `agreeing_sources` and `correction_applies` of a `drift --json` answer.
fn agreement_of(v: &Value) -> (u64, bool) {
    (
        v["agreeing_sources"]
            .as_u64()
            .unwrap_or_else(|| panic!("no agreeing_sources in {v:#}")),
        v["correction_applies"]
            .as_bool()
            .unwrap_or_else(|| panic!("no correction_applies in {v:#}")),
    )
}

#[test]
fn a_lone_lying_chronyd_is_shown_but_not_applied() {
    // A real NTP server whose clock is 5 minutes ahead, and nobody to contradict it.
    let liar = Chronyd::start_on("127.0.0.1", Some("+300s"));
    let data = account_with_servers(&[liar.addr()]);

    let run = drift(data.path(), &[&liar.addr()], &[], true, None);
    assert_eq!(run.code(), Some(2), "{run:#?}");
    let v = run.json();
    assert_near(offset_of(&v), 300.0, 1.0, "what the lone liar says");
    assert_eq!(v["source"], liar.addr(), "the lone answer is shown: {v:#}");
    assert_eq!(agreement_of(&v), (1, false), "{v:#}");
    let words = drift(data.path(), &[&liar.addr()], &[], false, None);
    assert!(
        words.stdout.contains("would not be applied"),
        "drift should say the offset would not be applied: {words:#?}"
    );

    let run = kunci(data.path(), &["code", "Clock Test", "--network-time"], None);
    assert_eq!(run.code(), Some(1), "{run:#?}");
    assert_eq!(
        run.stdout, "",
        "no code may be made from a lone source: {run:#?}"
    );
    assert!(
        run.stderr.contains("only one") && run.stderr.contains(&liar.addr()),
        "the refusal should say why: {run:#?}"
    );
    assert!(run.elapsed < Duration::from_secs(3), "{run:#?}");

    // The library says the same.
    let m = clock::check(&config(&[&liar.addr()], &[])).expect("the liar answers");
    assert_eq!(m.correction(), None, "{m:?}");
    assert_eq!(
        clock::code_time(1000.0, true, Some(&m)),
        1000.0,
        "network-corrected time must not move for a lone source"
    );
}

#[test]
fn two_agreeing_servers_correct_the_codes() {
    // Two real NTP servers on two addresses, both 5 minutes ahead: two sources that agree
    // (which is all Kunci can ask of them), so codes follow them.
    let servers = [
        Chronyd::start_on("127.0.0.1", Some("+300s")),
        Chronyd::start_on("127.0.0.2", Some("+300s")),
    ];
    let addrs: Vec<String> = servers.iter().map(Chronyd::addr).collect();
    let data = account_with_servers(&addrs);

    let run = drift(data.path(), &[&addrs[0], &addrs[1]], &[], true, None);
    assert_eq!(run.code(), Some(2), "{run:#?}");
    let v = run.json();
    assert_near(offset_of(&v), 300.0, 1.0, "what both servers say");
    assert_eq!(agreement_of(&v), (2, true), "{v:#}");

    let before = real_now();
    let corrected = kunci(data.path(), &["code", "Clock Test", "--network-time"], None);
    let after = real_now();
    assert!(corrected.status.success(), "{corrected:#?}");
    let corrected = corrected.stdout.trim();
    let shifted = codes_at(data.path(), before + 300.0, after + 300.0);
    let unshifted = codes_at(data.path(), before, after);
    assert!(
        shifted.iter().all(|c| !unshifted.contains(c)),
        "the test key happens to give the same code 300 s apart: {shifted:?} {unshifted:?}"
    );
    assert!(
        shifted.iter().any(|c| c == corrected),
        "--network-time printed {corrected}; `code --at` gives {shifted:?} for 300 s later"
    );
}

#[test]
fn the_same_machine_twice_is_one_source() {
    // chronyd by address and by name, and a second server on another port of the same
    // address: three answers that agree, from one machine.
    let chronyd = Chronyd::start();
    let other_port = FakeNtp::start(Reply::Honest { offset: 0.0 });
    let by_name = format!("localhost:{}", chronyd.port);
    let servers = [chronyd.addr(), by_name, other_port.addr()];
    let servers: Vec<&str> = servers.iter().map(String::as_str).collect();
    let data = tempdir("kunci-clock-");
    let run = drift(data.path(), &servers, &[], true, None);
    assert_eq!(run.code(), Some(0), "{run:#?}");
    let v = run.json();
    for server in &servers {
        assert_eq!(status_of(&v, "servers", server), "answered", "{v:#}");
    }
    assert_eq!(agreement_of(&v), (1, false), "{v:#}");

    let m = clock::check(&config(&servers, &[])).expect("they answer");
    assert_eq!(m.correction(), None, "one machine is one source: {m:?}");
}

#[test]
fn sntp_and_an_http_date_that_agree_count_as_two() {
    // One SNTP server, so the HTTPS sites are asked too; the Date agrees.
    let chronyd = Chronyd::start_on("127.0.0.1", None);
    let http = FakeHttp::start_on("127.0.0.2", Some(0));
    let data = account_with_sources(&[chronyd.addr()], &[http.url()]);
    let run = drift(data.path(), &[&chronyd.addr()], &[&http.url()], true, None);
    assert_eq!(run.code(), Some(0), "{run:#?}");
    let v = run.json();
    assert_eq!(v["source_kind"], "sntp", "SNTP is the finer answer: {v:#}");
    assert_eq!(v["source"], chronyd.addr(), "{v:#}");
    assert_eq!(status_of(&v, "https", &http.url()), "answered", "{v:#}");
    assert_eq!(agreement_of(&v), (2, true), "{v:#}");
    assert_eq!(http.asked(), 1);

    // And codes follow them: this computer's clock 90 s ahead, both say so.
    let before = real_now();
    let corrected = kunci(
        data.path(),
        &["code", "Clock Test", "--network-time"],
        Some("+90s"),
    );
    let after = real_now();
    assert!(corrected.status.success(), "{corrected:#?}");
    let corrected = corrected.stdout.trim();
    let real = codes_at(data.path(), before, after);
    assert!(
        real.iter().any(|c| c == corrected),
        "--network-time under a clock 90 s ahead printed {corrected}; `code --at` gives {real:?}"
    );
}

#[test]
fn sntp_and_an_http_date_on_the_same_machine_are_one_source() {
    let chronyd = Chronyd::start_on("127.0.0.1", None);
    let http = FakeHttp::start_on("127.0.0.1", Some(0));
    let data = tempdir("kunci-clock-");
    let run = drift(data.path(), &[&chronyd.addr()], &[&http.url()], true, None);
    assert_eq!(run.code(), Some(0), "{run:#?}");
    let v = run.json();
    assert_eq!(status_of(&v, "https", &http.url()), "answered", "{v:#}");
    assert_eq!(agreement_of(&v), (1, false), "{v:#}");
}

#[test]
fn a_lone_liar_contradicted_by_an_http_date_is_no_time_source() {
    // SNTP says 5 minutes ahead, the Date says now: one against one, neither can be trusted.
    let liar = Chronyd::start_on("127.0.0.1", Some("+300s"));
    let http = FakeHttp::start_on("127.0.0.2", Some(0));
    let data = tempdir("kunci-clock-");
    let run = drift(data.path(), &[&liar.addr()], &[&http.url()], true, None);
    assert_eq!(run.code(), Some(3), "{run:#?}");
    let v = run.json();
    assert_eq!(v["verdict"], "no_time_source", "{v:#}");
    assert_eq!(status_of(&v, "servers", &liar.addr()), "outvoted", "{v:#}");
    assert_eq!(status_of(&v, "https", &http.url()), "outvoted", "{v:#}");
    assert_eq!(agreement_of(&v), (0, false), "{v:#}");
    assert!(
        v["message"].as_str().unwrap_or("").contains("disagree"),
        "{v:#}"
    );
}

// ---- nothing reachable -----------------------------------------------------------------------

#[test]
fn closed_ports_are_no_time_source_at_once() {
    let data = tempdir("kunci-clock-");
    let closed = [
        format!("127.0.0.1:{}", free_udp_port()),
        format!("127.0.0.1:{}", free_udp_port()),
    ];
    let closed: Vec<&str> = closed.iter().map(String::as_str).collect();
    let run = drift(data.path(), &closed, &[], true, None);
    assert_eq!(run.code(), Some(3), "{run:#?}");
    assert!(
        run.elapsed < Duration::from_secs(3),
        "took {:?}",
        run.elapsed
    );
    let v = run.json();
    assert_eq!(v["verdict"], "no_time_source", "{v:#}");
    assert_eq!(v["offset_seconds"], Value::Null, "{v:#}");
    assert!(
        v["message"]
            .as_str()
            .unwrap_or("")
            .contains("no time source"),
        "{v:#}"
    );
    for server in &closed {
        assert_eq!(status_of(&v, "servers", server), "failed", "{v:#}");
        assert!(!reason_of(&v, "servers", server).is_empty(), "{v:#}");
    }

    let run = drift(data.path(), &closed, &[], false, None);
    assert_eq!(run.code(), Some(3), "{run:#?}");
    assert!(run.stdout.contains("no time source"), "{run:#?}");
    assert!(
        run.elapsed < Duration::from_secs(3),
        "took {:?}",
        run.elapsed
    );
}

#[test]
fn silent_servers_time_out_without_hanging() {
    // UDP 123 dropped by a firewall: nothing comes back, not even a refusal.
    let silent = [FakeNtp::start(Reply::Silent), FakeNtp::start(Reply::Silent)];
    let addrs: Vec<String> = silent.iter().map(FakeNtp::addr).collect();
    let addrs: Vec<&str> = addrs.iter().map(String::as_str).collect();

    let start = Instant::now();
    let e = clock::check(&config(&addrs, &[])).expect_err("silent servers are no time source");
    assert!(
        start.elapsed() < Duration::from_secs(3),
        "took {:?}",
        start.elapsed()
    );
    for a in &addrs {
        match outcome(&e.sntp, a) {
            Outcome::Failed { reason } => assert!(reason.contains("no answer"), "{reason}"),
            other => panic!("{a}: {other:?}"),
        }
    }

    let data = tempdir("kunci-clock-");
    let run = drift(data.path(), &addrs, &[], true, None);
    assert_eq!(run.code(), Some(3), "{run:#?}");
    assert!(
        run.elapsed < Duration::from_secs(3),
        "took {:?}",
        run.elapsed
    );
    assert_eq!(run.json()["verdict"], "no_time_source");
    assert!(
        silent.iter().all(|s| s.asked() >= 2),
        "both were asked twice"
    );
}

// ---- hostile replies -------------------------------------------------------------------------

/// A check against `reply` alone: it must be rejected; returns the reason.
fn rejected(reply: Reply) -> String {
    let server = FakeNtp::start(reply);
    let e = match clock::check(&config(&[&server.addr()], &[])) {
        Ok(m) => panic!("{reply:?} was accepted: {m:?}"),
        Err(e) => e,
    };
    assert_eq!(server.asked(), 1, "{reply:?}");
    match outcome(&e.sntp, &server.addr()) {
        Outcome::Failed { reason } => reason.clone(),
        other => panic!("{reply:?}: {other:?}"),
    }
}

#[test]
fn a_reply_to_another_request_is_rejected() {
    let reason = rejected(Reply::WrongOriginate);
    assert!(reason.contains("originate"), "{reason}");
}

#[test]
fn a_kiss_o_death_is_rejected() {
    let reason = rejected(Reply::KissOfDeath(b"RATE"));
    assert!(reason.contains("Kiss-o'-Death"), "{reason}");
    // rsntp names the code in words.
    assert!(reason.contains("Rate exceeded"), "{reason}");
}

#[test]
fn a_truncated_packet_is_rejected() {
    let reason = rejected(Reply::Truncated(20));
    assert!(reason.contains("truncated"), "{reason}");
}

#[test]
fn unsynchronised_servers_are_rejected() {
    for reply in [Reply::Stratum(16), Reply::LeapAlarm] {
        let reason = rejected(reply);
        assert!(reason.contains("not synchronised"), "{reply:?}: {reason}");
    }
}

#[test]
fn hostile_replies_are_listed_with_reasons_and_the_honest_one_counts() {
    let honest = FakeNtp::start(Reply::Honest { offset: 0.0 });
    let hostile = [
        (FakeNtp::start(Reply::WrongOriginate), "originate"),
        (FakeNtp::start(Reply::KissOfDeath(b"RATE")), "Kiss-o'-Death"),
        (FakeNtp::start(Reply::KissOfDeath(b"DENY")), "Access denied"),
        (FakeNtp::start(Reply::Truncated(20)), "truncated"),
        (FakeNtp::start(Reply::Stratum(16)), "not synchronised"),
        (FakeNtp::start(Reply::LeapAlarm), "not synchronised"),
    ];
    let mut servers: Vec<String> = hostile.iter().map(|(s, _)| s.addr()).collect();
    servers.insert(3, honest.addr());
    let servers: Vec<&str> = servers.iter().map(String::as_str).collect();

    let data = tempdir("kunci-clock-");
    let run = drift(data.path(), &servers, &[], true, None);
    assert_eq!(run.code(), Some(0), "{run:#?}");
    let v = run.json();
    assert!(offset_of(&v).abs() < 1.0, "{v:#}");
    assert_eq!(v["source"], honest.addr(), "{v:#}");
    assert_eq!(status_of(&v, "servers", &honest.addr()), "answered");
    for (server, why) in &hostile {
        assert_eq!(status_of(&v, "servers", &server.addr()), "failed", "{v:#}");
        let reason = reason_of(&v, "servers", &server.addr());
        assert!(
            reason.contains(why),
            "{}: {reason:?} lacks {why:?}",
            server.addr()
        );
    }

    // In words too: every server is listed with what became of it.
    let run = drift(data.path(), &servers, &[], false, None);
    assert_eq!(run.code(), Some(0), "{run:#?}");
    for (server, why) in &hostile {
        let line = run
            .stdout
            .lines()
            .find(|l| l.contains(&server.addr()))
            .unwrap_or_else(|| panic!("{} not listed: {run:#?}", server.addr()));
        assert!(line.contains("failed") && line.contains(why), "{line}");
    }
}

#[test]
fn a_liar_ten_years_ahead_is_outvoted_by_two_honest_servers() {
    // Ten years ahead crosses the NTP era boundary of February 2036.
    let liar = FakeNtp::start_on("127.0.0.1", Reply::Honest { offset: TEN_YEARS });
    let honest = [
        FakeNtp::start_on("127.0.0.2", Reply::Honest { offset: 0.0 }),
        FakeNtp::start_on("127.0.0.3", Reply::Honest { offset: 0.0 }),
    ];
    let addrs = [liar.addr(), honest[0].addr(), honest[1].addr()];
    let addrs: Vec<&str> = addrs.iter().map(String::as_str).collect();
    let m = clock::check(&config(&addrs, &[])).expect("two honest servers answer");
    assert!(m.offset.abs() < 1.0, "{m:?}");
    assert_eq!(m.verdict(), Verdict::Ok, "{m:?}");
    match outcome(&m.sntp, &liar.addr()) {
        Outcome::Outvoted { offset } => assert_near(*offset, TEN_YEARS, 5.0, "the liar's offset"),
        other => panic!("the liar was not outvoted: {other:?}"),
    }
    for h in &honest {
        assert!(
            matches!(outcome(&m.sntp, &h.addr()), Outcome::Answered { .. }),
            "{m:?}"
        );
    }
    assert_ne!(
        m.source,
        Source::Sntp {
            server: liar.addr()
        }
    );
}

#[test]
fn a_liar_ten_years_behind_is_outvoted_by_chronyd_and_an_honest_server() {
    let chronyd = Chronyd::start_on("127.0.0.1", None);
    let liar = FakeNtp::start_on("127.0.0.2", Reply::Honest { offset: -TEN_YEARS });
    let honest = FakeNtp::start_on("127.0.0.3", Reply::Honest { offset: 0.0 });
    let data = tempdir("kunci-clock-");
    let run = drift(
        data.path(),
        &[&liar.addr(), &chronyd.addr(), &honest.addr()],
        &[],
        true,
        None,
    );
    assert_eq!(run.code(), Some(0), "{run:#?}");
    let v = run.json();
    assert!(offset_of(&v).abs() < 1.0, "{v:#}");
    assert_eq!(v["verdict"], "ok", "{v:#}");
    assert_ne!(v["source"], liar.addr(), "{v:#}");
    assert_eq!(status_of(&v, "servers", &liar.addr()), "outvoted", "{v:#}");
    assert_near(
        report(&v, "servers", &liar.addr())["offset_seconds"]
            .as_f64()
            .unwrap_or(0.0),
        -TEN_YEARS,
        5.0,
        "the liar's offset",
    );
    assert!(!reason_of(&v, "servers", &liar.addr()).is_empty(), "{v:#}");
    assert_eq!(status_of(&v, "servers", &chronyd.addr()), "answered");
    assert_eq!(status_of(&v, "servers", &honest.addr()), "answered");
}

// ---- HTTPS Date fallback ---------------------------------------------------------------------

#[test]
fn the_date_header_is_the_fallback_when_sntp_is_blocked() {
    let http = FakeHttp::start(Some(100));
    let closed = format!("127.0.0.1:{}", free_udp_port());
    let data = tempdir("kunci-clock-");
    let run = drift(data.path(), &[&closed], &[&http.url()], true, None);
    assert_eq!(run.code(), Some(2), "{run:#?}");
    let v = run.json();
    assert_eq!(v["source_kind"], "https_date", "{v:#}");
    assert_eq!(v["source"], http.url(), "{v:#}");
    assert_near(offset_of(&v), 100.0, 1.5, "offset from a Date 100 s ahead");
    assert_eq!(v["verdict"], "error", "{v:#}");
    assert_eq!(status_of(&v, "servers", &closed), "failed", "{v:#}");
    assert_eq!(status_of(&v, "https", &http.url()), "answered", "{v:#}");

    let m = clock::check(&config(&[&closed], &[&http.url()])).expect("the Date header counts");
    assert_eq!(m.source, Source::HttpDate { url: http.url() });
    assert_near(
        m.offset,
        100.0,
        1.5,
        "library offset from a Date 100 s ahead",
    );
    assert_eq!(m.verdict(), Verdict::Error);
    assert_eq!(http.asked(), 2);
}

#[test]
fn a_response_without_a_date_is_no_time_source() {
    let http = FakeHttp::start(None);
    let closed = format!("127.0.0.1:{}", free_udp_port());
    let data = tempdir("kunci-clock-");
    let run = drift(data.path(), &[&closed], &[&http.url()], true, None);
    assert_eq!(run.code(), Some(3), "{run:#?}");
    assert!(
        run.elapsed < Duration::from_secs(3),
        "took {:?}",
        run.elapsed
    );
    let v = run.json();
    assert_eq!(v["verdict"], "no_time_source", "{v:#}");
    assert_eq!(status_of(&v, "https", &http.url()), "failed", "{v:#}");
    let reason = reason_of(&v, "https", &http.url());
    assert!(reason.contains("Date"), "{reason}");
    assert_eq!(http.asked(), 1);
}

#[test]
fn the_date_header_is_not_asked_when_two_sntp_servers_agree() {
    let chronyd = [
        Chronyd::start_on("127.0.0.1", None),
        Chronyd::start_on("127.0.0.2", None),
    ];
    let servers = [chronyd[0].addr(), chronyd[1].addr()];
    let servers: Vec<&str> = servers.iter().map(String::as_str).collect();
    let http = FakeHttp::start_on("127.0.0.3", Some(100));
    let data = tempdir("kunci-clock-");
    let run = drift(data.path(), &servers, &[&http.url()], true, None);
    assert_eq!(run.code(), Some(0), "{run:#?}");
    let v = run.json();
    assert_eq!(v["source_kind"], "sntp", "{v:#}");
    assert!(offset_of(&v).abs() < 0.5, "{v:#}");
    assert_eq!(status_of(&v, "https", &http.url()), "not_asked", "{v:#}");

    let m = clock::check(&config(&servers, &[&http.url()])).expect("chronyd answers");
    assert_eq!(*outcome(&m.https, &http.url()), Outcome::NotAsked);
    assert_eq!(
        http.asked(),
        0,
        "the HTTP server was asked although two SNTP servers agreed"
    );
}

#[test]
fn imf_fixdate_of_the_test_server() {
    // The test's own formatter, against RFC 9110's example and a leap day.
    assert_eq!(imf_fixdate(784_111_777), "Sun, 06 Nov 1994 08:49:37 GMT");
    assert_eq!(imf_fixdate(951_782_400), "Tue, 29 Feb 2000 00:00:00 GMT");
    assert_eq!(imf_fixdate(0), "Thu, 01 Jan 1970 00:00:00 GMT");
}
