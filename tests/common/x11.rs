//! A private X server for the tests that need a display.

use std::fs::{self, File};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

/// Starts the Xvfb at `xvfb` with one screen of `geometry` (e.g. "1024x700x24") on a display
/// it picks itself (`-displayfd`: no clash with other tests), its messages in `log`. Returns
/// the server (the caller ends it) and its display, ":N".
pub fn start_xvfb(xvfb: &Path, geometry: &str, log: &Path) -> (Child, String) {
    let mut child = Command::new(xvfb)
        .args([
            "-displayfd",
            "1",
            "-screen",
            "0",
            geometry,
            "-nolisten",
            "tcp",
            // Otherwise the server resets, forgetting what a test set up (monitors), whenever
            // its last client leaves.
            "-noreset",
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(File::create(log).unwrap())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start Xvfb: {e}"));
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let mut line = String::new();
        let _ = BufReader::new(stdout).read_line(&mut line);
        let _ = tx.send(line);
    });
    let line = rx.recv_timeout(Duration::from_secs(30)).unwrap_or_default();
    let number = line.trim();
    if number.is_empty() || !number.chars().all(|c| c.is_ascii_digit()) {
        let _ = child.kill();
        let _ = child.wait();
        panic!(
            "Xvfb did not report a display number (got {line:?}): {}",
            fs::read_to_string(log).unwrap_or_default()
        );
    }
    let display = format!(":{number}");
    (child, display)
}
