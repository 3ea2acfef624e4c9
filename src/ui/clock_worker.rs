//! Checks the clock off the UI thread: when asked, every 15 minutes, and after the computer
//! wakes or its clock is changed (the wall clock jumps against the monotonic clock).

use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::time::{Duration, Instant};

use kunci::clock::{self, CheckConfig, Measurement, NoTimeSource};

/// How often the clock is checked while the window is open.
pub const RECHECK_EVERY: Duration = Duration::from_secs(15 * 60);
/// A wall-clock jump this large between two ticks means a wake from sleep or a changed clock.
const JUMP: f64 = 30.0;
const TICK: Duration = Duration::from_secs(5);

pub enum ClockRequest {
    CheckNow,
    Configure { config: CheckConfig, auto: bool },
}

pub enum ClockEvent {
    Checking,
    Checked(Result<Measurement, NoTimeSource>),
}

pub struct ClockWorker {
    requests: Sender<ClockRequest>,
    events: Receiver<ClockEvent>,
}

impl ClockWorker {
    pub fn spawn(ctx: egui::Context, config: CheckConfig, auto: bool) -> Self {
        let (request_tx, request_rx) = mpsc::channel();
        let (event_tx, event_rx) = mpsc::channel();
        std::thread::Builder::new()
            .name("kunci-clock".into())
            .spawn(move || {
                let post = |event| {
                    let _ = event_tx.send(event);
                    ctx.request_repaint();
                };
                run(request_rx, config, auto, &post);
            })
            .expect("cannot start the clock thread");
        ClockWorker {
            requests: request_tx,
            events: event_rx,
        }
    }

    pub fn send(&self, request: ClockRequest) {
        let _ = self.requests.send(request);
    }

    pub fn try_recv(&self) -> Option<ClockEvent> {
        self.events.try_recv().ok()
    }
}

fn run(
    requests: Receiver<ClockRequest>,
    mut config: CheckConfig,
    mut auto: bool,
    post: &dyn Fn(ClockEvent),
) {
    let check = |config: &CheckConfig| {
        post(ClockEvent::Checking);
        post(ClockEvent::Checked(clock::check(config)));
    };
    let mut last_check: Option<Instant> = None;
    let mut wall = clock::system_now();
    let mut mono = Instant::now();
    if auto {
        check(&config);
        last_check = Some(Instant::now());
    }
    loop {
        let mut due = false;
        match requests.recv_timeout(TICK) {
            Ok(ClockRequest::CheckNow) => due = true,
            Ok(ClockRequest::Configure {
                config: new,
                auto: new_auto,
            }) => {
                due = new_auto && (new != config || !auto);
                config = new;
                auto = new_auto;
            }
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => return,
        }
        let (now_wall, now_mono) = (clock::system_now(), Instant::now());
        let jumped = ((now_wall - wall) - (now_mono - mono).as_secs_f64()).abs() > JUMP;
        (wall, mono) = (now_wall, now_mono);
        if auto && (jumped || last_check.is_none_or(|t| t.elapsed() >= RECHECK_EVERY)) {
            due = true;
        }
        if due {
            check(&config);
            last_check = Some(Instant::now());
        }
    }
}
