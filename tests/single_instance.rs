//! One window per data directory, with the real binary on a private X server.
//!
//! Starts the window under Xvfb and openbox (a window manager is needed to iconify it),
//! minimises it, launches `kunci` again on the same data directory and checks that the second
//! launch exits 0 without a window of its own while the first comes back; then kills the first
//! with SIGKILL and checks that the next launch becomes the window (the OS lock died with it).
//!
//! Run it through `scripts/test`, or `scripts/with-keyring cargo test --test single_instance`
//! (needs Xvfb, openbox and xdotool). Missing tools are a failure, never a skip.
#![cfg(target_os = "linux")]

mod common;

use std::fs::{self, File};
use std::path::Path;
use std::time::Duration;

use common::desktop::{Desktop, read, wait_until};

const HOW_TO_RUN: &str = "run scripts/test (it installs xvfb, xdotool and openbox), or \
     scripts/with-keyring cargo test --test single_instance";

fn start(root: &Path) -> Desktop {
    Desktop::start(root, "", HOW_TO_RUN)
}

#[test]
fn a_second_launch_shows_the_first_window_and_exits() {
    let tmp = common::tempdir("kunci-single-");
    let mut desktop = start(tmp.path());

    let first = desktop.kunci("first").spawn().expect("start kunci");
    desktop.procs.0.push(first);
    assert!(
        wait_until(Duration::from_secs(60), || desktop.windows(true).len() == 1),
        "the first window did not appear: {}",
        desktop.log("first")
    );
    let window = desktop.windows(true).remove(0);

    desktop.xdotool(&["windowminimize", &window]);
    assert!(
        wait_until(Duration::from_secs(10), || desktop.windows(true).is_empty()),
        "the window did not minimise"
    );

    // The second launch: brings the first forward and ends, without a window of its own.
    let mut second = desktop.kunci("second").spawn().expect("start kunci again");
    let mut status = None;
    let exited = wait_until(Duration::from_secs(20), || {
        status = second.try_wait().unwrap();
        status.is_some()
    });
    if !exited {
        let _ = second.kill();
        let _ = second.wait();
    }
    assert!(
        exited,
        "the second launch did not exit: {}",
        desktop.log("second")
    );
    assert!(
        status.unwrap().success(),
        "the second launch failed ({status:?}): {}",
        desktop.log("second")
    );
    assert!(
        wait_until(Duration::from_secs(10), || desktop
            .log("first")
            .contains("another launch asked for this window")),
        "the first window was not asked to show itself: {}",
        desktop.log("first")
    );
    assert!(
        wait_until(Duration::from_secs(10), || desktop.windows(true)
            == [window.as_str()]),
        "the first window did not come back: visible {:?}",
        desktop.windows(true)
    );
    assert_eq!(
        desktop.windows(false),
        [window.as_str()],
        "one window named Kunci, mapped or not"
    );
    let first = &mut desktop.procs.0[2];
    assert!(
        first.try_wait().unwrap().is_none(),
        "the first window must keep running"
    );

    // Killed outright, the first leaves its files behind but not its lock.
    let pid = first.id();
    first.kill().unwrap();
    first.wait().unwrap();
    assert!(wait_until(Duration::from_secs(10), || desktop
        .windows(false)
        .is_empty()));
    let info = tmp.path().join("data").join("instance.json");
    assert!(info.exists(), "a killed window cannot tidy up");

    let third = desktop
        .kunci("third")
        .spawn()
        .expect("start kunci a third time");
    desktop.procs.0.push(third);
    assert!(
        wait_until(Duration::from_secs(60), || desktop.windows(true).len() == 1),
        "after the first was killed, a new launch must open the window: {}",
        desktop.log("third")
    );
    let third = desktop.procs.0.last_mut().unwrap();
    assert!(third.try_wait().unwrap().is_none(), "the new window runs");
    let written: serde_json::Value = serde_json::from_str(&read(&info)).unwrap();
    assert_eq!(
        written["pid"],
        third.id(),
        "the new window wrote its address"
    );
    assert_ne!(written["pid"], pid);
}

#[test]
fn an_unreachable_first_window_is_reported_and_not_doubled() {
    let tmp = common::tempdir("kunci-single-");
    let desktop = start(tmp.path());
    // Another "window": holds the lock, but its port is closed (stale, or a firewall).
    let lock = File::create(desktop.data.join("instance.lock")).unwrap();
    lock.try_lock().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    fs::write(
        desktop.data.join("instance.json"),
        format!(r#"{{"port": {port}, "token": "00", "pid": 1}}"#),
    )
    .unwrap();

    // No zenity on PATH: the message box cannot wait for a click here.
    let mut launch = desktop.kunci("blocked");
    launch.env("PATH", "");
    let mut child = launch.spawn().expect("start kunci");
    let mut status = None;
    let exited = wait_until(Duration::from_secs(30), || {
        status = child.try_wait().unwrap();
        status.is_some()
    });
    if !exited {
        let _ = child.kill();
        let _ = child.wait();
    }
    assert!(exited, "kunci did not give up: {}", desktop.log("blocked"));
    assert_eq!(status.unwrap().code(), Some(1));
    let said = desktop.log("blocked");
    assert!(said.contains("Kunci is already open"), "{said}");
    assert!(said.contains(&format!("port {port}")), "{said}");
    assert!(desktop.windows(false).is_empty(), "no second window");
}
