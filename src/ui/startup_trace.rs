//! `KUNCI_STARTUP_TRACE=1`: prints, once each, when the first frame was drawn and when every
//! account had its code ready, then one line per frame drawn (to count frames at idle): "frame
//! N" after a pass, "tick N" for a frame that only moved the countdowns (no pass; N counts
//! both), as Unix seconds on stderr. scripts/bench-gui and the window's smoke test read these
//! lines; nothing else does, and without the variable this costs one bool check per frame.

use std::time::{SystemTime, UNIX_EPOCH};

#[derive(Default)]
pub struct StartupTrace {
    enabled: bool,
    first_frame_seen: bool,
    all_codes_seen: bool,
    frames: u64,
}

impl StartupTrace {
    pub fn from_env() -> Self {
        StartupTrace {
            enabled: std::env::var_os("KUNCI_STARTUP_TRACE").is_some_and(|v| v == "1"),
            ..Default::default()
        }
    }

    /// Called after each pass; `all_codes` says whether every account's code can be shown.
    pub fn frame(&mut self, all_codes: bool) {
        if !self.enabled {
            return;
        }
        if self.all_codes_seen {
            self.drawn("frame");
            return;
        }
        if !self.first_frame_seen {
            self.first_frame_seen = true;
            print_event("first-frame");
        }
        if all_codes {
            self.all_codes_seen = true;
            print_event("all-codes");
        }
    }

    /// Called after a frame drawn without a pass (its codes were all shown in the pass before).
    pub fn tick(&mut self) {
        if self.enabled && self.all_codes_seen {
            self.drawn("tick");
        }
    }

    /// "frame N" or "tick N": N counts both.
    fn drawn(&mut self, kind: &str) {
        self.frames += 1;
        print_event(&format!("{kind} {}", self.frames));
    }
}

/// "kunci-trace: WHAT UNIX_SECONDS" (WHAT may hold a count: "frame 12").
fn print_event(what: &str) {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0);
    eprintln!("kunci-trace: {what} {now:.6}");
}
