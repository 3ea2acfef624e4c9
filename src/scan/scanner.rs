//! The frame pipeline that decodes frames live, whatever they come from.
//!
//! - [`FrameSource`] is what the pipeline reads: a webcam ([`super::webcam::Camera`]), a
//!   [`FilesSource`] (a list of image files, for tests and diagnostics), or anything else;
//! - [`Scanner`] runs a source on one thread and the decoder on another, drops frames while the
//!   decoder is busy (never queues), publishes the latest preview and the latest codes found, and
//!   stops — releasing the camera — as soon as a code the caller accepts is found, or when it is
//!   dropped.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

use super::{Found, GrayImage, ScanError, decode::decode_live, file};

/// Where frames come from: a camera, a list of files, a test's fake.
pub trait FrameSource: Send {
    /// The next frame; `Ok(None)` when there is no new frame yet (a source may wait a little
    /// for one first). [`ScanError::NoMoreFrames`] ends a finite source.
    fn next_frame(&mut self) -> Result<Option<GrayImage>, ScanError>;

    /// Whether previews of this source should be shown mirrored (a webcam facing the user).
    /// Frames themselves are never mirrored: a mirrored QR code cannot be read.
    fn mirror(&self) -> bool {
        false
    }
}

impl<T: FrameSource + ?Sized> FrameSource for Box<T> {
    fn next_frame(&mut self) -> Result<Option<GrayImage>, ScanError> {
        (**self).next_frame()
    }

    fn mirror(&self) -> bool {
        (**self).mirror()
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

// ---------------------------------------------------------------------------------------------
// Files

/// Frames from image files, in order: for tests, benchmarks and diagnostics. Each file is read
/// once and kept when the list is repeated.
pub struct FilesSource {
    paths: Vec<PathBuf>,
    cache: Vec<Option<GrayImage>>,
    next: usize,
    rounds: usize,
    interval: Option<Duration>,
    last: Option<Instant>,
}

impl FilesSource {
    /// The files, each once.
    pub fn new<P: Into<PathBuf>>(paths: impl IntoIterator<Item = P>) -> Self {
        let paths: Vec<PathBuf> = paths.into_iter().map(Into::into).collect();
        FilesSource {
            cache: vec![None; paths.len()],
            paths,
            next: 0,
            rounds: 1,
            interval: None,
            last: None,
        }
    }

    /// Plays the list `rounds` times (like a camera that keeps seeing the same scenes).
    pub fn repeat(mut self, rounds: usize) -> Self {
        self.rounds = rounds.max(1);
        self
    }

    /// Gives at most one frame per `interval`, like a camera (30 fps: 33 ms).
    pub fn with_interval(mut self, interval: Duration) -> Self {
        self.interval = Some(interval);
        self
    }
}

impl FrameSource for FilesSource {
    fn next_frame(&mut self) -> Result<Option<GrayImage>, ScanError> {
        if self.paths.is_empty() || self.next >= self.paths.len().saturating_mul(self.rounds) {
            return Err(ScanError::NoMoreFrames);
        }
        if let (Some(interval), Some(last)) = (self.interval, self.last) {
            let since = last.elapsed();
            if since < interval {
                thread::sleep(interval - since);
            }
        }
        let i = self.next % self.paths.len();
        let frame = match &self.cache[i] {
            Some(frame) => frame.clone(),
            None => {
                let frame = file::load(&self.paths[i])?;
                if self.rounds > 1 {
                    self.cache[i] = Some(frame.clone());
                }
                frame
            }
        };
        self.next += 1;
        self.last = Some(Instant::now());
        Ok(Some(frame))
    }
}

// ---------------------------------------------------------------------------------------------
// Scanner

/// Whether a QR text looks like an authenticator payload: `otpauth://…` or
/// `otpauth-migration://…`, in any case.
pub fn looks_like_otpauth(text: &str) -> bool {
    text.trim_start()
        .get(..7)
        .is_some_and(|head| head.eq_ignore_ascii_case("otpauth"))
}

/// Where a [`Scanner`] is.
#[derive(Debug, Clone, PartialEq)]
pub enum ScanState {
    /// Reading and decoding frames.
    Running,
    /// A code the caller accepts was found (in [`Snapshot::accepted`]); the source is stopped.
    Accepted,
    /// A finite source (files) delivered all its frames and none held an accepted code.
    Ended,
    /// The source failed (camera unplugged, unreadable file); the message says why.
    Failed(String),
    /// Stopped by [`Scanner::stop`] or by dropping it.
    Stopped,
}

/// What a [`Scanner`] shows: cheap to clone (the preview is shared).
#[derive(Debug, Clone)]
pub struct Snapshot {
    /// The latest frame from the source, mirrored if previews are mirrored.
    pub preview: Option<Arc<GrayImage>>,
    /// Counts frames from the source; changes when `preview` does.
    pub preview_number: u64,
    /// The codes in the latest decoded frame (which may be a few frames older than `preview`),
    /// corners in preview coordinates (mirrored with it).
    pub found: Vec<Found>,
    /// The code that stopped the scan, when [`ScanState::Accepted`].
    pub accepted: Option<Found>,
    pub state: ScanState,
    /// Frames read from the source.
    pub frames: u64,
    /// Frames decoded.
    pub decoded: u64,
    /// Frames replaced by a newer one before the decoder got to them.
    pub dropped: u64,
}

type Decoder = Box<dyn Fn(&GrayImage) -> Vec<Found> + Send>;
type Accept = Box<dyn Fn(&str) -> bool + Send>;
type Notify = Box<dyn Fn() + Send + Sync>;

struct ScanShared {
    stop: AtomicBool,
    mirror: AtomicBool,
    source_released: AtomicBool,
    frames: AtomicU64,
    decoded: AtomicU64,
    dropped: AtomicU64,
    /// The frame waiting for the decoder: at most one, the newest.
    pending: Mutex<Pending>,
    pending_ready: Condvar,
    published: Mutex<Published>,
    changed: Condvar,
    notify: Option<Notify>,
}

#[derive(Default)]
struct Pending {
    frame: Option<Arc<GrayImage>>,
    /// Why the source thread ended: `None` while it runs.
    source_end: Option<SourceEnd>,
}

#[derive(Clone)]
enum SourceEnd {
    Stopped,
    NoMoreFrames,
    Failed(String),
}

struct Published {
    preview: Option<Arc<GrayImage>>,
    preview_number: u64,
    found: Vec<Found>,
    accepted: Option<Found>,
    state: ScanState,
}

impl ScanShared {
    fn publish(&self, change: impl FnOnce(&mut Published)) {
        change(&mut lock(&self.published));
        self.changed.notify_all();
        if let Some(notify) = &self.notify {
            notify();
        }
    }
}

/// Runs a [`FrameSource`] and the decoder on two threads; see the module documentation.
pub struct Scanner {
    shared: Arc<ScanShared>,
}

impl Scanner {
    /// Starts scanning `source`, stopping at the first code whose text `accept`s (e.g.
    /// [`looks_like_otpauth`]). Frames are read with [`decode_live`]: a frame without a code
    /// costs a few milliseconds instead of the still cascade's tens, so the decoder keeps up
    /// with the camera while the user aims; the whole cascade runs only on frames whose finder
    /// patterns say a code is probably there.
    pub fn start(
        source: impl FrameSource + 'static,
        accept: impl Fn(&str) -> bool + Send + 'static,
    ) -> Scanner {
        spawn(
            Box::new(source),
            Box::new(decode_live),
            Box::new(accept),
            None,
        )
    }

    /// As [`Scanner::start`], calling `notify` (e.g. egui's `request_repaint`) from the
    /// scanner's threads whenever the snapshot changes.
    pub fn start_notifying(
        source: impl FrameSource + 'static,
        accept: impl Fn(&str) -> bool + Send + 'static,
        notify: impl Fn() + Send + Sync + 'static,
    ) -> Scanner {
        spawn(
            Box::new(source),
            Box::new(decode_live),
            Box::new(accept),
            Some(Box::new(notify)),
        )
    }

    /// As [`Scanner::start`] with another decoder (tests, benchmarks).
    pub fn start_with(
        source: impl FrameSource + 'static,
        decoder: impl Fn(&GrayImage) -> Vec<Found> + Send + 'static,
        accept: impl Fn(&str) -> bool + Send + 'static,
    ) -> Scanner {
        spawn(Box::new(source), Box::new(decoder), Box::new(accept), None)
    }

    /// The latest preview, codes and state.
    pub fn snapshot(&self) -> Snapshot {
        let published = lock(&self.shared.published);
        self.snapshot_of(&published)
    }

    fn snapshot_of(&self, published: &Published) -> Snapshot {
        Snapshot {
            preview: published.preview.clone(),
            preview_number: published.preview_number,
            found: published.found.clone(),
            accepted: published.accepted.clone(),
            state: published.state.clone(),
            frames: self.shared.frames.load(Ordering::Relaxed),
            decoded: self.shared.decoded.load(Ordering::Relaxed),
            dropped: self.shared.dropped.load(Ordering::Relaxed),
        }
    }

    /// Waits until the scan is over (accepted, ended, failed, stopped) or `timeout` passes, and
    /// returns the snapshot at that moment.
    pub fn wait(&self, timeout: Duration) -> Snapshot {
        let deadline = Instant::now() + timeout;
        let mut published = lock(&self.shared.published);
        loop {
            let now = Instant::now();
            if published.state != ScanState::Running || now >= deadline {
                return self.snapshot_of(&published);
            }
            published = self
                .shared
                .changed
                .wait_timeout(published, deadline - now)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
    }

    /// Shows previews mirrored or not (from the next frame on).
    pub fn set_mirror(&self, mirror: bool) {
        self.shared.mirror.store(mirror, Ordering::Relaxed);
    }

    /// Whether the source (the camera) has been let go: true soon after the scan is over.
    pub fn source_released(&self) -> bool {
        self.shared.source_released.load(Ordering::Acquire)
    }

    /// Stops scanning without waiting: the source is released by its thread within the time it
    /// takes to deliver one frame.
    pub fn stop(&self) {
        self.shared.stop.store(true, Ordering::Relaxed);
        self.shared.pending_ready.notify_all();
    }
}

impl Drop for Scanner {
    fn drop(&mut self) {
        self.stop();
    }
}

fn spawn(
    source: Box<dyn FrameSource>,
    decoder: Decoder,
    accept: Accept,
    notify: Option<Notify>,
) -> Scanner {
    let shared = Arc::new(ScanShared {
        stop: AtomicBool::new(false),
        mirror: AtomicBool::new(source.mirror()),
        source_released: AtomicBool::new(false),
        frames: AtomicU64::new(0),
        decoded: AtomicU64::new(0),
        dropped: AtomicU64::new(0),
        pending: Mutex::new(Pending::default()),
        pending_ready: Condvar::new(),
        published: Mutex::new(Published {
            preview: None,
            preview_number: 0,
            found: Vec::new(),
            accepted: None,
            state: ScanState::Running,
        }),
        changed: Condvar::new(),
        notify,
    });
    let for_source = Arc::clone(&shared);
    let spawned = thread::Builder::new()
        .name("kunci-scan-source".into())
        .spawn(move || source_loop(source, &for_source));
    if let Err(e) = spawned {
        shared.publish(|p| p.state = ScanState::Failed(format!("cannot start ({e})")));
        return Scanner { shared };
    }
    let for_decoder = Arc::clone(&shared);
    let spawned = thread::Builder::new()
        .name("kunci-scan-decode".into())
        .spawn(move || decode_loop(decoder, accept, &for_decoder));
    if let Err(e) = spawned {
        shared.stop.store(true, Ordering::Relaxed);
        shared.publish(|p| p.state = ScanState::Failed(format!("cannot start ({e})")));
    }
    Scanner { shared }
}

fn source_loop(mut source: Box<dyn FrameSource>, shared: &ScanShared) {
    let end = loop {
        if shared.stop.load(Ordering::Relaxed) {
            break SourceEnd::Stopped;
        }
        let next = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| source.next_frame()))
            .unwrap_or_else(|_| {
                Err(ScanError::NoCamera(
                    "the frame source failed unexpectedly".into(),
                ))
            });
        match next {
            Ok(Some(frame)) => {
                let number = shared.frames.fetch_add(1, Ordering::Relaxed) + 1;
                let frame = Arc::new(frame);
                let preview = if shared.mirror.load(Ordering::Relaxed) {
                    Arc::new(image::imageops::flip_horizontal(&*frame))
                } else {
                    Arc::clone(&frame)
                };
                // The preview first: a code accepted in this frame is then always published
                // with the picture it was found in (or a newer one), never without a preview.
                shared.publish(|p| {
                    p.preview = Some(preview);
                    p.preview_number = number;
                });
                {
                    let mut pending = lock(&shared.pending);
                    if pending.frame.replace(frame).is_some() {
                        shared.dropped.fetch_add(1, Ordering::Relaxed);
                    }
                }
                shared.pending_ready.notify_all();
            }
            Ok(None) => thread::sleep(Duration::from_millis(5)),
            Err(ScanError::NoMoreFrames) => break SourceEnd::NoMoreFrames,
            Err(e) => break SourceEnd::Failed(e.to_string()),
        }
    };
    // Release the camera before anything else.
    drop(source);
    shared.source_released.store(true, Ordering::Release);
    lock(&shared.pending).source_end = Some(end);
    shared.pending_ready.notify_all();
}

fn decode_loop(decoder: Decoder, accept: Accept, shared: &ScanShared) {
    let end = loop {
        let frame = {
            let mut pending = lock(&shared.pending);
            loop {
                if shared.stop.load(Ordering::Relaxed) {
                    break None;
                }
                if let Some(frame) = pending.frame.take() {
                    break Some(frame);
                }
                if pending.source_end.is_some() {
                    break None;
                }
                pending = shared
                    .pending_ready
                    .wait_timeout(pending, Duration::from_millis(200))
                    .unwrap_or_else(PoisonError::into_inner)
                    .0;
            }
        };
        let Some(frame) = frame else {
            break None;
        };
        // A decoder bug must not end the scan: a frame it chokes on counts as empty.
        let mut found = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| decoder(&frame)))
            .unwrap_or_default();
        shared.decoded.fetch_add(1, Ordering::Relaxed);
        if shared.mirror.load(Ordering::Relaxed) {
            let width = frame.width() as f32;
            for f in found.iter_mut().filter(|f| f.corners != [[0.0; 2]; 4]) {
                for corner in &mut f.corners {
                    corner[0] = width - corner[0];
                }
            }
        }
        let accepted = found.iter().find(|f| accept(&f.text)).cloned();
        if accepted.is_some() {
            shared.stop.store(true, Ordering::Relaxed);
            shared.publish(|p| {
                p.found = found;
                p.accepted = accepted;
                p.state = ScanState::Accepted;
            });
            break Some(ScanState::Accepted);
        }
        shared.publish(|p| p.found = found);
    };
    if end.is_some() {
        return;
    }
    // Not accepted: the state follows from why the source ended (wait for it, briefly: after
    // `stop` the source thread ends within one frame).
    let source_end = {
        let mut pending = lock(&shared.pending);
        let deadline = Instant::now() + Duration::from_secs(5);
        while pending.source_end.is_none() && Instant::now() < deadline {
            pending = shared
                .pending_ready
                .wait_timeout(pending, Duration::from_millis(100))
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
        pending.source_end.clone().unwrap_or(SourceEnd::Stopped)
    };
    let state = match source_end {
        _ if shared.stop.load(Ordering::Relaxed) => ScanState::Stopped,
        SourceEnd::Stopped => ScanState::Stopped,
        SourceEnd::NoMoreFrames => ScanState::Ended,
        SourceEnd::Failed(why) => ScanState::Failed(why),
    };
    shared.publish(|p| p.state = state);
}
