//! A private desktop for the tests that drive the real window: Xvfb with openbox managing
//! windows, the window started on it, and xdotool to look and press keys.

use std::fs::{self, File};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use super::KUNCI;

/// The tool `name` on PATH; a missing one is a failure that says how to get it (`how`).
pub fn tool(name: &str, how: &str) -> PathBuf {
    super::find_on_path(name).unwrap_or_else(|| panic!("`{name}` not found on PATH: {how}"))
}

pub fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_default()
}

/// Children killed when the test ends, pass or fail.
#[derive(Default)]
pub struct Processes(pub Vec<Child>);

impl Drop for Processes {
    fn drop(&mut self) {
        while let Some(mut child) = self.0.pop() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Polls `done` every 50 ms until it holds or `limit` passes.
pub fn wait_until(limit: Duration, mut done: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + limit;
    loop {
        if done() {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        thread::sleep(Duration::from_millis(50));
    }
}

pub struct Desktop {
    pub display: String,
    pub runtime: PathBuf,
    pub data: PathBuf,
    pub logs: PathBuf,
    pub xdotool: PathBuf,
    pub procs: Processes,
    how: String,
}

impl Desktop {
    /// Xvfb on a free display, with openbox managing windows, and a data directory whose
    /// settings have `settings` (a JSON object's members) beside a clock check that goes
    /// nowhere. `how`: how to get the tools, said when one is missing.
    pub fn start(root: &Path, settings: &str, how: &str) -> Desktop {
        let xdotool = tool("xdotool", how);
        let openbox = tool("openbox", how);
        let (data, runtime, logs) = (root.join("data"), root.join("runtime"), root.join("logs"));
        for dir in [&data, &runtime, &logs] {
            fs::create_dir_all(dir).unwrap();
        }
        fs::set_permissions(&runtime, fs::Permissions::from_mode(0o700)).unwrap();
        // The clock check goes to a closed port on loopback: no traffic leaves this machine.
        let comma = if settings.trim().is_empty() { "" } else { ", " };
        fs::write(
            data.join("settings.json"),
            format!(
                r#"{{"time_servers": ["127.0.0.1:9"], "https_time_urls": [], "language": "en"{comma}{settings}}}"#
            ),
        )
        .unwrap();

        let mut procs = Processes::default();
        let (xvfb, display) =
            super::x11::start_xvfb(&tool("Xvfb", how), "1024x700x24", &logs.join("xvfb.log"));
        procs.0.push(xvfb);

        // `--startup` runs once openbox manages windows; a window mapped earlier may stay unmapped.
        let ready = logs.join("openbox.ready");
        let openbox = Command::new(openbox)
            .arg("--startup")
            .arg(format!("touch '{}'", ready.display()))
            .env("DISPLAY", &display)
            .env("XDG_RUNTIME_DIR", &runtime)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(File::create(logs.join("openbox.log")).unwrap())
            .spawn()
            .expect("start openbox");
        procs.0.push(openbox);
        assert!(
            wait_until(Duration::from_secs(15), || ready.exists()),
            "openbox did not start: {}",
            read(&logs.join("openbox.log"))
        );
        Desktop {
            display,
            runtime,
            data,
            logs,
            xdotool,
            procs,
            how: how.to_string(),
        }
    }

    /// The tool `name`, or a failure saying how to get it.
    pub fn tool(&self, name: &str) -> PathBuf {
        tool(name, &self.how)
    }

    /// `program` on this display; stderr goes to `logs/<name>.err`.
    pub fn command(&self, program: impl AsRef<std::ffi::OsStr>, name: &str) -> Command {
        let mut cmd = Command::new(program);
        cmd.env("DISPLAY", &self.display)
            .env_remove("WAYLAND_DISPLAY")
            .env_remove("WAYLAND_SOCKET")
            .env("XDG_RUNTIME_DIR", &self.runtime)
            .env("KUNCI_DATA_DIR", &self.data)
            .stdin(Stdio::null())
            .stdout(File::create(self.logs.join(format!("{name}.out"))).unwrap())
            .stderr(File::create(self.logs.join(format!("{name}.err"))).unwrap());
        cmd
    }

    /// `kunci` (the window, or a command with `args`) on this display and data directory.
    pub fn kunci(&self, name: &str) -> Command {
        self.command(KUNCI, name)
    }

    pub fn log(&self, name: &str) -> String {
        read(&self.logs.join(format!("{name}.err")))
    }

    /// The top-level windows named exactly `title`; mapped ones only when `visible`.
    pub fn windows_named(&self, title: &str, visible: bool) -> Vec<String> {
        let mut cmd = Command::new(&self.xdotool);
        cmd.arg("search");
        if visible {
            cmd.arg("--onlyvisible");
        }
        let out = cmd
            .args(["--name", &format!("^{title}$")])
            .env("DISPLAY", &self.display)
            .stderr(Stdio::null())
            .output()
            .expect("run xdotool search");
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(str::to_owned)
            .collect()
    }

    /// The windows named "Kunci".
    pub fn windows(&self, visible: bool) -> Vec<String> {
        self.windows_named("Kunci", visible)
    }

    /// The active window's id, as xdotool prints it ("" when none).
    pub fn active_window(&self) -> String {
        let out = Command::new(&self.xdotool)
            .arg("getactivewindow")
            .env("DISPLAY", &self.display)
            .stderr(Stdio::null())
            .output()
            .expect("run xdotool getactivewindow");
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    pub fn xdotool(&self, args: &[&str]) {
        let status = Command::new(&self.xdotool)
            .args(args)
            .env("DISPLAY", &self.display)
            .status()
            .expect("run xdotool");
        assert!(status.success(), "xdotool {args:?}: {status}");
    }
}
