//! Work off the UI thread: a [`Job`] runs a closure on a thread of its own and wakes the window
//! when its result is there; the dialog that started it polls it each frame behind a spinner
//! (egui's demo does the same with a promise). Every dialog's slow work (Argon2id, files,
//! decoding, cameras, native file pickers) goes through here.

use std::path::PathBuf;
use std::sync::mpsc::{self, Receiver, TryRecvError};

/// A result that a thread will deliver.
pub struct Job<T>(Receiver<T>);

impl<T: Send + 'static> Job<T> {
    /// Runs `work` on a new thread named `name` and wakes the window when it is done.
    pub fn spawn(
        ctx: &egui::Context,
        name: &str,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Self {
        let (tx, rx) = mpsc::channel();
        let ctx = ctx.clone();
        let spawned = std::thread::Builder::new()
            .name(format!("kunci-{name}"))
            .spawn(move || {
                let _ = tx.send(work());
                ctx.request_repaint();
            });
        // Without a thread the receiver reports "disconnected", which `poll` gives as
        // `Some(None)`: the caller says the work failed, and the window stays usable.
        drop(spawned);
        Job(rx)
    }

    /// A job whose result is already known (work that had to run on this thread).
    pub fn done(value: T) -> Self {
        let (tx, rx) = mpsc::channel();
        let _ = tx.send(value);
        Job(rx)
    }

    /// The result once it is there; `Some(None)` when the thread died without one.
    pub fn poll(&self) -> Option<Option<T>> {
        match self.0.try_recv() {
            Ok(value) => Some(Some(value)),
            Err(TryRecvError::Empty) => None,
            Err(TryRecvError::Disconnected) => Some(None),
        }
    }
}

impl Job<Option<PathBuf>> {
    /// A native "open" or "save" dialog (`pick` shows it and waits for the person). It blocks
    /// its thread, so it runs on a thread of its own, except on macOS, where AppKit wants it on
    /// the main thread: there it runs now and the job is done when this returns.
    pub fn pick(
        ctx: &egui::Context,
        pick: impl FnOnce() -> Option<PathBuf> + Send + 'static,
    ) -> Self {
        if cfg!(target_os = "macos") {
            Job::done(pick())
        } else {
            Job::spawn(ctx, "picker", pick)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, Instant};

    #[test]
    fn a_job_delivers_its_result_once_and_a_dead_one_says_so() {
        let ctx = egui::Context::default();
        let job = Job::spawn(&ctx, "test", || 6 * 7);
        let deadline = Instant::now() + Duration::from_secs(10);
        let got = loop {
            if let Some(result) = job.poll() {
                break result;
            }
            assert!(Instant::now() < deadline, "the job never finished");
            std::thread::sleep(Duration::from_millis(5));
        };
        assert_eq!(got, Some(42));
        assert_eq!(
            job.poll(),
            Some(None),
            "delivered once; then the thread is gone"
        );
        let died: Job<u8> = Job::spawn(&ctx, "test", || panic!("the work failed"));
        let deadline = Instant::now() + Duration::from_secs(10);
        while died.poll().is_none() {
            assert!(Instant::now() < deadline);
            std::thread::sleep(Duration::from_millis(5));
        }
        assert_eq!(Job::done(1).poll(), Some(Some(1)));
    }
}
