//! Smoke test of the real binary in a real X server with a real keyring.
//!
//! Adds two accounts through the CLI into a temporary data dir, opens the
//! window on a private Xvfb (under openbox when installed), finds it with
//! xdotool, screenshots it with ImageMagick and checks the picture is not
//! blank, and that idle seconds drawn without an egui pass reach the screen.
//! The screenshot is kept in `<target>/smoke/kunci-window.png`;
//! `KUNCI_UPDATE_SCREENSHOT=1` also copies it to `assets/screenshot.png`.
//!
//! Run it through `scripts/test` (installs Xvfb, xdotool, ImageMagick and
//! gnome-keyring) or `scripts/with-keyring cargo test --test smoke_xvfb`.
//! Missing tools are a failure, never a skip.
#![cfg(target_os = "linux")]

use std::fs::{self, File};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::thread;
use std::time::{Duration, Instant};

mod common;

const KUNCI: &str = env!("CARGO_BIN_EXE_kunci");
const MANIFEST_DIR: &str = env!("CARGO_MANIFEST_DIR");
const HOW_TO_RUN: &str = "run scripts/test (it installs xvfb, xdotool, imagemagick, openbox \
     and gnome-keyring, and runs the tests inside a throwaway keyring), or \
     scripts/with-keyring cargo test --test smoke_xvfb";

/// Looks `name` up on PATH; a missing tool fails the test.
fn tool(name: &str) -> PathBuf {
    common::find_on_path(name).unwrap_or_else(|| panic!("`{name}` not found on PATH: {HOW_TO_RUN}"))
}

/// Where screenshots go: `$CARGO_TARGET_DIR/smoke`, else `target/smoke`.
fn smoke_dir() -> PathBuf {
    let target = match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) if !dir.is_empty() => Path::new(MANIFEST_DIR).join(dir),
        _ => Path::new(MANIFEST_DIR).join("target"),
    };
    let dir = target.join("smoke");
    fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("create {}: {e}", dir.display()));
    dir
}

fn read_log(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|e| format!("<cannot read {}: {e}>", path.display()))
}

/// Output of a finished command run with [`run`].
struct Ran {
    status: ExitStatus,
    stdout: String,
    stderr: String,
}

/// Runs `cmd` to completion with stdout/stderr captured in files under `dir`,
/// killing it after `limit`.
fn run(mut cmd: Command, what: &str, dir: &Path, limit: Duration) -> Ran {
    let slug: String = what
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    let out_path = dir.join(format!("{slug}.out"));
    let err_path = dir.join(format!("{slug}.err"));
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(File::create(&out_path).unwrap())
        .stderr(File::create(&err_path).unwrap())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {what}: {e}"));
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "{what} did not finish within {limit:?} (a locked keyring waiting for a prompt?)\n\
                 stdout: {}\nstderr: {}",
                read_log(&out_path),
                read_log(&err_path)
            );
        }
        thread::sleep(Duration::from_millis(50));
    };
    Ran {
        status,
        stdout: read_log(&out_path),
        stderr: read_log(&err_path),
    }
}

/// Runs `cmd` and fails the test unless it exits 0.
fn run_ok(cmd: Command, what: &str, dir: &Path, limit: Duration) -> Ran {
    let ran = run(cmd, what, dir, limit);
    assert!(
        ran.status.success(),
        "{what} failed ({})\nstdout: {}\nstderr: {}",
        ran.status,
        ran.stdout,
        ran.stderr
    );
    ran
}

/// Children killed (in reverse start order) when the test ends, pass or fail.
#[derive(Default)]
struct Processes(Vec<(&'static str, Child)>);

impl Processes {
    fn push(&mut self, name: &'static str, child: Child) {
        self.0.push((name, child));
    }

    fn get(&mut self, name: &str) -> &mut Child {
        &mut self.0.iter_mut().find(|(n, _)| *n == name).unwrap().1
    }
}

impl Drop for Processes {
    fn drop(&mut self) {
        while let Some((_, mut child)) = self.0.pop() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// The binary with a clean, display-less environment pointing at `data_dir`.
fn kunci_cli(data_dir: &Path) -> Command {
    let mut cmd = Command::new(KUNCI);
    cmd.env("KUNCI_DATA_DIR", data_dir)
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .env_remove("WAYLAND_SOCKET");
    cmd
}

/// Starts Xvfb on a free display and returns the display name (":N").
fn start_xvfb(procs: &mut Processes, logs: &Path) -> String {
    let (xvfb, display) =
        common::x11::start_xvfb(&tool("Xvfb"), "1024x700x24", &logs.join("xvfb.log"));
    procs.push("Xvfb", xvfb);
    display
}

/// Starts openbox and waits until it manages windows: a window mapped while
/// openbox is still starting can stay unmapped forever (seen here ~1 run in 8).
/// `--startup` runs its command once openbox is ready.
fn start_openbox(
    openbox: &Path,
    display: &str,
    runtime_dir: &Path,
    logs: &Path,
    procs: &mut Processes,
) {
    let ready = logs.join("openbox.ready");
    let mut child = Command::new(openbox)
        .arg("--startup")
        .arg(format!("touch '{}'", ready.display()))
        .env("DISPLAY", display)
        .env_remove("WAYLAND_DISPLAY")
        .env_remove("WAYLAND_SOCKET")
        .env("XDG_RUNTIME_DIR", runtime_dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(File::create(logs.join("openbox.log")).unwrap())
        .spawn()
        .expect("start openbox");
    let start = Instant::now();
    while !ready.exists() {
        if start.elapsed() > Duration::from_secs(15) || child.try_wait().unwrap().is_some() {
            // The WM is optional: carry on without it.
            eprintln!(
                "openbox did not become ready; continuing without a window manager\n{}",
                read_log(&logs.join("openbox.log"))
            );
            let _ = child.kill();
            let _ = child.wait();
            return;
        }
        thread::sleep(Duration::from_millis(20));
    }
    procs.push("openbox", child);
}

#[test]
fn version_flag_prints_name_and_version() {
    let out = Command::new(KUNCI)
        .arg("--version")
        .output()
        .expect("run kunci --version");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "kunci --version failed ({}): {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    let expected = format!("kunci {}", env!("CARGO_PKG_VERSION"));
    assert!(
        stdout.trim().starts_with(&expected),
        "kunci --version printed {stdout:?}, expected it to start with {expected:?}"
    );
}

#[test]
fn window_opens_and_shows_accounts_under_xvfb() {
    // Tools first, so a missing one is reported before anything starts.
    let timeout = tool("timeout");
    let xdotool = tool("xdotool");
    let import = tool("import");
    let convert = tool("convert");
    tool("Xvfb");
    assert!(
        std::env::var_os("KUNCI_THROWAWAY_KEYRING").is_some()
            && std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some(),
        "this test writes secrets to the Secret Service keychain and must run in a throwaway \
         keyring: {HOW_TO_RUN}"
    );

    let tmp = tempfile::Builder::new()
        .prefix("kunci-smoke-")
        .tempdir()
        .unwrap();
    let data_dir = tmp.path().join("data");
    let runtime_dir = tmp.path().join("runtime");
    let logs = tmp.path().join("logs");
    fs::create_dir_all(&data_dir).unwrap();
    // The clock check goes to a closed port on loopback: no traffic leaves this machine.
    fs::write(
        data_dir.join("settings.json"),
        r#"{"time_servers": ["127.0.0.1:9"], "https_time_urls": []}"#,
    )
    .unwrap();
    fs::create_dir_all(&logs).unwrap();
    fs::create_dir(&runtime_dir).unwrap();
    fs::set_permissions(&runtime_dir, fs::Permissions::from_mode(0o700)).unwrap();
    let cli_limit = Duration::from_secs(30);

    // Two accounts through the CLI.
    let accounts = [
        ("JBSWY3DPEHPK3PXP", "LPSE Kota Bandung", "penyedia01"),
        (
            "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ",
            "GitHub",
            "ada@example.com",
        ),
    ];
    for (secret, issuer, label) in accounts {
        let mut add = kunci_cli(&data_dir);
        add.args([
            "add", "--secret", secret, "--issuer", issuer, "--label", label,
        ]);
        run_ok(add, &format!("kunci add {issuer}"), &logs, cli_limit);
    }
    // More, as the window usually holds them (and as the README's screenshot shows them): a
    // second GitHub account, so that GitHub gets a header, and one account on each of several
    // LPSE sites, each showing its issuer in its row.
    let mut more = String::from(
        "otpauth://totp/GitHub:grace@example.com?secret=MFRGGZDFMZTWQ2LK&issuer=GitHub\n",
    );
    let sites = [
        ("Kota Bogor", "KRSXG5CTMVRXEZLU"),
        ("Kabupaten Bekasi", "ONSWG4TFOQYTEMZU"),
        ("Provinsi Jawa Barat", "NBSWY3DPO5XXE3DE"),
        ("Kota Depok", "MFZWIZTHNBVGW3DN"),
    ];
    for (n, (site, secret)) in sites.iter().enumerate() {
        let site = site.replace(' ', "%20");
        more += &format!(
            "otpauth://totp/LPSE%20{site}:penyedia{:02}?secret={secret}&issuer=LPSE%20{site}\n",
            n + 2
        );
    }
    let more_file = tmp.path().join("more-accounts.txt");
    fs::write(&more_file, more).unwrap();
    let mut import_more = kunci_cli(&data_dir);
    import_more.arg("import").arg(&more_file).arg("--yes");
    run_ok(import_more, "kunci import", &logs, cli_limit);
    let mut list = kunci_cli(&data_dir);
    list.args(["list", "--json"]);
    let listed = run_ok(list, "kunci list --json", &logs, cli_limit).stdout;
    let json: serde_json::Value = serde_json::from_str(&listed)
        .unwrap_or_else(|e| panic!("kunci list --json is not JSON ({e}): {listed:?}"));
    for (_, issuer, label) in accounts {
        let text = json.to_string();
        assert!(
            text.contains(issuer) && text.contains(label),
            "kunci list --json lacks {issuer} / {label}: {json:#}"
        );
    }
    assert!(
        !listed.contains("JBSWY3DPEHPK3PXP"),
        "kunci list --json must not print secrets: {listed}"
    );

    // A private X server, a window manager when available, then the app.
    let mut procs = Processes::default();
    let display = start_xvfb(&mut procs, &logs);
    if let Some(openbox) = common::find_on_path("openbox") {
        start_openbox(&openbox, &display, &runtime_dir, &logs, &mut procs);
    }

    let app_log = logs.join("kunci-window.log");
    let app_out = File::create(&app_log).unwrap();
    let app = Command::new(KUNCI)
        .env("DISPLAY", &display)
        .env_remove("WAYLAND_DISPLAY")
        .env_remove("WAYLAND_SOCKET")
        .env("XDG_RUNTIME_DIR", &runtime_dir)
        .env("KUNCI_DATA_DIR", &data_dir)
        // "kunci-trace: frame|tick N SECONDS" per frame drawn: countdown_ticks_reach_the_screen
        .env("KUNCI_STARTUP_TRACE", "1")
        .stdin(Stdio::null())
        .stdout(app_out.try_clone().unwrap())
        .stderr(app_out)
        .spawn()
        .expect("start kunci");
    procs.push("kunci", app);
    let app_failed = |procs: &mut Processes, why: &str| -> ! {
        let status = procs.get("kunci").try_wait().ok().flatten();
        panic!(
            "{why} (app status: {})\napp log:\n{}\nXvfb log:\n{}",
            status.map_or("still running".into(), |s| s.to_string()),
            read_log(&app_log),
            read_log(&logs.join("xvfb.log"))
        );
    };

    // Find the window (xdotool waits for it; `timeout` bounds the wait).
    let search_out = logs.join("xdotool-search.out");
    let mut search = Command::new(&timeout)
        .arg("30")
        .arg(&xdotool)
        .args(["search", "--sync", "--onlyvisible", "--name", "^Kunci$"])
        .env("DISPLAY", &display)
        .stdin(Stdio::null())
        .stdout(File::create(&search_out).unwrap())
        .stderr(Stdio::null())
        .spawn()
        .expect("start xdotool");
    let found = loop {
        if let Some(status) = search.try_wait().unwrap() {
            break status;
        }
        if let Ok(Some(_)) = procs.get("kunci").try_wait() {
            let _ = search.kill();
            let _ = search.wait();
            app_failed(&mut procs, "kunci exited before its window appeared");
        }
        thread::sleep(Duration::from_millis(100));
    };
    let window = read_log(&search_out)
        .lines()
        .next()
        .unwrap_or("")
        .trim()
        .to_owned();
    if !found.success() || window.is_empty() {
        app_failed(
            &mut procs,
            &format!("no visible window named \"Kunci\" within 30 s (xdotool: {found})"),
        );
    }

    // Let the codes load from the keychain, then take the picture.
    thread::sleep(Duration::from_secs(2));
    if let Ok(Some(_)) = procs.get("kunci").try_wait() {
        app_failed(&mut procs, "kunci exited right after opening its window");
    }
    let png = smoke_dir().join("kunci-window.png");
    let _ = fs::remove_file(&png);
    let mut shot = Command::new(&import);
    shot.args(["-window", &window])
        .arg(&png)
        .env("DISPLAY", &display);
    run_ok(shot, "import -window", &logs, Duration::from_secs(30));

    let mut info = Command::new(&convert);
    info.arg(&png).args(["-format", "%w %h %k", "info:"]);
    let described = run_ok(info, "convert info", &logs, Duration::from_secs(30)).stdout;
    let numbers: Vec<u64> = described
        .split_whitespace()
        .map(|n| n.parse().unwrap_or(0))
        .collect();
    let [width, height, colours] = numbers[..] else {
        panic!("unexpected `convert -format '%w %h %k'` output: {described:?}");
    };
    assert!(
        width >= 200 && height >= 150,
        "window screenshot is only {width}x{height}: {}",
        png.display()
    );
    assert!(
        colours > 20,
        "window screenshot has only {colours} colours (blank or unrendered window?): {}",
        png.display()
    );
    println!(
        "screenshot {} ({width}x{height}, {colours} colours)",
        png.display()
    );

    // Pure black is what X shows where the window never sent its pixels (no theme colour is
    // black): a window manager's map, or an uncovered window, must get the whole frame, not
    // only the part that changed since the frame before.
    let mut black = Command::new(&convert);
    black.arg(&png).args([
        "-fill",
        "white",
        "+opaque",
        "black",
        "-format",
        "%[fx:1-mean]",
        "info:",
    ]);
    let black = run_ok(black, "convert black", &logs, Duration::from_secs(30)).stdout;
    let black: f64 = black.trim().parse().unwrap_or(1.0);
    assert!(
        black < 0.01,
        "{:.1} % of the window is black, never painted: {}",
        black * 100.0,
        png.display()
    );

    if std::env::var_os("KUNCI_UPDATE_SCREENSHOT").is_some_and(|v| v == "1") {
        let dest = Path::new(MANIFEST_DIR).join("assets/screenshot.png");
        fs::create_dir_all(dest.parent().unwrap()).unwrap();
        fs::copy(&png, &dest).unwrap_or_else(|e| panic!("copy to {}: {e}", dest.display()));
        println!("updated {}", dest.display());
    }

    // The window is drawn on the CPU by default: no OpenGL driver (llvmpipe and libLLVM where
    // there is no GPU: 5 ms a frame and ~70 MiB, issue 14) is loaded for it.
    let pid = procs.get("kunci").id();
    let maps = fs::read_to_string(format!("/proc/{pid}/maps")).unwrap();
    let mut opengl: Vec<&str> = maps
        .lines()
        .filter_map(|line| line.split_whitespace().nth(5))
        .filter(|path| {
            [
                "libGL",
                "libEGL",
                "libLLVM",
                "libgallium",
                "_dri.so",
                "swrast",
            ]
            .iter()
            .any(|lib| path.contains(lib))
        })
        .collect();
    opengl.dedup();
    assert!(
        opengl.is_empty(),
        "the window loaded OpenGL libraries: {opengl:?}"
    );

    countdown_ticks_reach_the_screen(&window, &display, &app_log, &logs);
    clipboard_round_trip(&window, &display, &data_dir, &logs);
    drop(procs);
}

/// Seconds in which only the countdowns move are drawn without an egui pass (a "tick": the
/// loop patches the last frame's countdowns). In the real window, some idle second must be
/// drawn that way, and it must reach the screen: the window's pixels change across a span in
/// which the app's trace shows ticks and no pass.
fn countdown_ticks_reach_the_screen(window: &str, display: &str, app_log: &Path, logs: &Path) {
    // The pointer off the window, in the screen's far corner (the window is narrower and sits
    // on the left, with or without openbox): a hover text counting down keeps passes running.
    let mut away = Command::new(tool("xdotool"));
    away.args(["mousemove", "1023", "699"])
        .env("DISPLAY", display);
    run_ok(away, "xdotool mousemove", logs, Duration::from_secs(30));
    thread::sleep(Duration::from_millis(1500));
    let pixels = |name: &str| -> Vec<u8> {
        let raw = logs.join(name);
        let mut shot = Command::new(tool("import"));
        shot.args(["-window", window, "-depth", "8"])
            .arg(format!("rgb:{}", raw.display()))
            .env("DISPLAY", display);
        run_ok(shot, "import -window rgb", logs, Duration::from_secs(30));
        fs::read(&raw).unwrap()
    };
    let frames_since = |from: usize| -> Vec<String> {
        let log = fs::read_to_string(app_log).unwrap_or_default();
        log.get(from..)
            .unwrap_or("")
            .lines()
            .filter_map(|l| l.strip_prefix("kunci-trace: "))
            .filter(|l| l.starts_with("frame ") || l.starts_with("tick "))
            .map(|l| l.split(' ').next().unwrap().to_owned())
            .collect()
    };
    let mut seen = Vec::new();
    // Up to 20 tries: a tick drawn just after the second picture is in the log but not in it,
    // and a span with a pass in it (a new code, the last 5 seconds) proves nothing. Focused
    // (openbox), a tick comes every second; without a window manager, every 5 s.
    for _ in 0..20 {
        let from = fs::metadata(app_log).map_or(0, |m| m.len() as usize);
        let before = pixels("tick-before.rgb");
        thread::sleep(Duration::from_millis(1200));
        let after = pixels("tick-after.rgb");
        let frames = frames_since(from);
        let only_ticks = !frames.is_empty() && frames.iter().all(|f| f == "tick");
        if only_ticks && before != after {
            return;
        }
        seen.push(frames.join(","));
    }
    panic!(
        "no span of ticks alone changed the window (frames drawn in each try: {seen:?})\napp log:\n{}",
        read_log(app_log)
    );
}

/// What the X clipboard holds now ("" when nobody owns it).
fn clipboard(display: &str, logs: &Path) -> String {
    let mut read = Command::new(tool("xclip"));
    read.args(["-o", "-selection", "clipboard"])
        .env("DISPLAY", display);
    run(read, "xclip -o", logs, Duration::from_secs(10)).stdout
}

/// Enter on the first account puts exactly its code on the real X clipboard; 30 s later it is
/// cleared, unless the user has copied something else in the meantime.
fn clipboard_round_trip(window: &str, display: &str, data_dir: &Path, logs: &Path) {
    let copy_first_code = || {
        // In the last 5 s of a period the window shows the next code too and asks which one
        // to copy: wait for the next period then, as a user would read the two codes.
        let into_period = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs_f64()
            % 30.0;
        if into_period >= 24.0 {
            thread::sleep(Duration::from_secs_f64(30.5 - into_period));
        }
        // Enter copies the selected account (the first one at start): the keyboard finds it
        // wherever the layout puts it.
        let mut key = Command::new(tool("xdotool"));
        key.args([
            "windowactivate",
            "--sync",
            window,
            "key",
            "--clearmodifiers",
            "Return",
        ])
        .env("DISPLAY", display);
        run_ok(key, "xdotool key Return", logs, Duration::from_secs(10));
        thread::sleep(Duration::from_millis(700));
    };
    let current_code = || {
        let mut code = kunci_cli(data_dir);
        code.args(["code", "LPSE Kota Bandung"]);
        run_ok(code, "kunci code", logs, Duration::from_secs(30))
            .stdout
            .trim()
            .to_owned()
    };

    // A code can roll over between the click and `kunci code`: one retry covers that.
    let mut copied = String::new();
    for _ in 0..2 {
        copy_first_code();
        copied = clipboard(display, logs).trim().to_owned();
        if copied == current_code() {
            break;
        }
    }
    assert_eq!(
        copied,
        current_code(),
        "Enter copies the shown code to the X clipboard"
    );
    // The hint that keeps a secret out of clipboard managers' history (KDE's Klipper and
    // others honour it).
    let mut targets = Command::new(tool("xclip"));
    targets
        .args(["-o", "-selection", "clipboard", "-t", "TARGETS"])
        .env("DISPLAY", display);
    let targets = run(targets, "xclip TARGETS", logs, Duration::from_secs(10)).stdout;
    assert!(
        targets.contains("x-kde-passwordManagerHint"),
        "the copy is marked as a secret: {targets}"
    );

    // Minimised, eframe draws no frame: the clear must happen anyway.
    let mut minimise = Command::new(tool("xdotool"));
    minimise
        .args(["windowminimize", window])
        .env("DISPLAY", display);
    run_ok(
        minimise,
        "xdotool windowminimize",
        logs,
        Duration::from_secs(10),
    );
    thread::sleep(Duration::from_secs(31));
    assert_eq!(
        clipboard(display, logs).trim(),
        "",
        "the code is cleared after 30 s, with the window minimised"
    );

    copy_first_code();
    let mut mine = Command::new(tool("sh"));
    mine.args(["-c", "printf mine | xclip -selection clipboard"])
        .env("DISPLAY", display);
    run_ok(mine, "xclip set", logs, Duration::from_secs(10));
    thread::sleep(Duration::from_secs(31));
    assert_eq!(
        clipboard(display, logs).trim(),
        "mine",
        "what the user copied after our code is left alone"
    );
}

/// `kunci scan --screen` reads an enrolment QR code shown on a real X screen, and `--add` adds
/// the account it holds.
#[test]
fn scan_screen_reads_a_qr_code_shown_on_the_display() {
    let display_tool = tool("display");
    tool("Xvfb");
    assert!(
        std::env::var_os("KUNCI_THROWAWAY_KEYRING").is_some(),
        "this test adds an account to the keychain: {HOW_TO_RUN}"
    );
    let tmp = tempfile::Builder::new()
        .prefix("kunci-scan-screen-")
        .tempdir()
        .unwrap();
    let (data_dir, logs) = (tmp.path().join("data"), tmp.path().join("logs"));
    fs::create_dir_all(&data_dir).unwrap();
    fs::create_dir_all(&logs).unwrap();

    let uri = "otpauth://totp/LPSE%20Kota%20Bandung:penyedia07?secret=JBSWY3DPEHPK3PXP&issuer=LPSE%20Kota%20Bandung";
    let png = tmp.path().join("enrol.png");
    qrcode::QrCode::new(uri.as_bytes())
        .unwrap()
        .render::<image::Luma<u8>>()
        .module_dimensions(4, 4)
        .build()
        .save(&png)
        .unwrap();

    let mut procs = Processes::default();
    let display = start_xvfb(&mut procs, &logs);
    let viewer = Command::new(display_tool)
        .args(["-geometry", "+300+200"])
        .arg(&png)
        .env("DISPLAY", &display)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start display");
    procs.push("display", viewer);

    // The viewer takes a moment to map its window: try for a while.
    let scan = |args: &[&str]| {
        let mut cmd = kunci_cli(&data_dir);
        cmd.arg("scan")
            .arg("--screen")
            .args(args)
            .env("DISPLAY", &display);
        run(cmd, "kunci scan --screen", &logs, Duration::from_secs(60))
    };
    let deadline = Instant::now() + Duration::from_secs(30);
    let raw = loop {
        let ran = scan(&["--raw"]);
        if ran.status.success() || Instant::now() > deadline {
            break ran;
        }
        thread::sleep(Duration::from_millis(300));
    };
    assert!(raw.status.success(), "{}\n{}", raw.stdout, raw.stderr);
    assert_eq!(raw.stdout.trim(), uri);

    let added = scan(&["--add"]);
    assert!(added.status.success(), "{}\n{}", added.stdout, added.stderr);
    assert!(
        added
            .stdout
            .contains("added LPSE Kota Bandung (penyedia07)"),
        "{}",
        added.stdout
    );
    assert!(
        !added.stdout.contains("JBSWY3DPEHPK3PXP"),
        "the secret is only shown with --show-secret"
    );
    let mut list = kunci_cli(&data_dir);
    list.args(["list", "--json"]);
    let listed = run_ok(list, "kunci list", &logs, Duration::from_secs(30)).stdout;
    assert!(listed.contains("penyedia07"), "{listed}");

    // Scanning it again adds nothing.
    let again = scan(&["--add"]);
    assert!(
        again.stdout.contains("already in Kunci"),
        "{}",
        again.stdout
    );
    drop(procs);
}
