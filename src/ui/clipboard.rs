//! Copying codes, and clearing them from the clipboard after the delay chosen in the settings
//! if they are still there.
//!
//! One backend for both, arboard (X11 — also through XWayland on a Wayland desktop —, Windows,
//! macOS), so that the code Kunci puts there is the one it can take away. A copy carries the
//! hints that keep a secret out of clipboard history, cloud sync and monitoring (Windows),
//! out of KDE's and other managers' history (`x-kde-passwordManagerHint`) and macOS'
//! (`org.nspasteboard.ConcealedType`). The clear runs on a timer thread of its own, so it
//! happens on time even while the window is minimised or hidden (eframe draws no frame then),
//! and the code is cleared when Kunci exits.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use zeroize::Zeroizing;

use crate::i18n::Language;

/// What is shared with the timer threads.
#[derive(Default)]
struct Shared {
    /// The clipboard handle, kept for the life of the window (on X11 the content is served by
    /// its owner: dropping the handle would drop the code, or hand it to a clipboard manager).
    board: Option<arboard::Clipboard>,
    /// The code we copied last, while we may still have to clear it.
    ours: Option<Zeroizing<String>>,
    /// Counts copies: a timer clears only the copy it was started for.
    copies: u64,
}

/// Remembers the last code we copied, to clear it later only if the clipboard still holds it
/// (whatever the user copied since is theirs, and left alone).
#[derive(Default)]
pub struct CodeClipboard {
    shared: Arc<Mutex<Shared>>,
    /// When the last copy is due to be cleared (`None`: only on lock and exit).
    clear_at: Option<Instant>,
}

fn lock(shared: &Mutex<Shared>) -> MutexGuard<'_, Shared> {
    shared.lock().unwrap_or_else(|e| e.into_inner())
}

impl CodeClipboard {
    /// Puts the code on the clipboard, to be cleared after `clear_after` (only on lock and
    /// exit when `None`). Where arboard cannot reach a clipboard (a Wayland session without
    /// XWayland), egui's own copy is used: then Kunci cannot clear it later.
    pub fn copy(&mut self, ctx: &egui::Context, code: &str, clear_after: Option<Duration>) {
        let copy = {
            let mut shared = lock(&self.shared);
            shared.copies += 1;
            shared.ours = Some(Zeroizing::new(code.to_string()));
            if shared.board.is_none() {
                shared.board = arboard::Clipboard::new().ok();
            }
            let number = shared.copies;
            let set = shared
                .board
                .as_mut()
                .map(|board| set_concealed(board, code));
            (number, set)
        };
        let (number, set) = copy;
        if !matches!(set, Some(Ok(()))) {
            ctx.copy_text(code.to_string());
        }
        self.clear_at = clear_after.map(|delay| Instant::now() + delay);
        if let Some(delay) = clear_after {
            let shared = Arc::clone(&self.shared);
            let _ = std::thread::Builder::new()
                .name("kunci-clipboard".into())
                .spawn(move || {
                    std::thread::sleep(delay);
                    clear_if_ours(&shared, Some(number));
                });
        }
    }

    /// The code waiting to be cleared after the delay, if any.
    #[cfg(test)]
    pub fn last_copied(&self) -> Option<String> {
        self.clear_at?;
        self.ours()
    }

    /// The code we copied last, still to be cleared on lock, on exit or after the delay.
    #[cfg(test)]
    pub fn ours(&self) -> Option<String> {
        lock(&self.shared).ours.as_ref().map(|c| c.to_string())
    }

    /// How long until the timer clears the code (for the window's next look), if it will.
    pub fn tick(&mut self) -> Option<Duration> {
        let due = self.clear_at?;
        let now = Instant::now();
        if now >= due || lock(&self.shared).ours.is_none() {
            self.clear_at = None;
            return None;
        }
        Some(due - now)
    }

    /// Clears the clipboard now if it still holds our code (the window is locking).
    pub fn clear_now(&mut self) {
        self.clear_at = None;
        // Taken now, so no timer can act on it; the clipboard is asked off the UI thread
        // (talking to its owner can take a moment).
        let Some(code) = lock(&self.shared).ours.take() else {
            return;
        };
        let shared = Arc::clone(&self.shared);
        let _ = std::thread::Builder::new()
            .name("kunci-clipboard".into())
            .spawn(move || clear_if_holds(&mut lock(&shared), &code));
    }

    /// Clears our code before Kunci exits, on this thread (there is no later).
    pub fn clear_on_exit(&mut self) {
        self.clear_at = None;
        clear_if_ours(&self.shared, None);
        // Then let go of the clipboard: nothing of ours is left for a manager to keep.
        lock(&self.shared).board = None;
    }
}

/// Sets `text` with the hints that keep it out of clipboard history, cloud and monitors.
fn set_concealed(board: &mut arboard::Clipboard, text: &str) -> Result<(), arboard::Error> {
    let set = board.set();
    #[cfg(target_os = "linux")]
    let set = {
        use arboard::SetExtLinux;
        set.exclude_from_history()
    };
    #[cfg(windows)]
    let set = {
        use arboard::SetExtWindows;
        set.exclude_from_history()
            .exclude_from_cloud()
            .exclude_from_monitoring()
    };
    #[cfg(target_os = "macos")]
    let set = {
        use arboard::SetExtApple;
        set.exclude_from_history()
    };
    set.text(text)
}

/// Clears the clipboard if it still holds our code — of copy `number` only, when given (a
/// later copy has its own timer).
fn clear_if_ours(shared: &Mutex<Shared>, number: Option<u64>) {
    let mut shared = lock(shared);
    if number.is_some_and(|n| n != shared.copies) {
        return;
    }
    let Some(code) = shared.ours.take() else {
        return;
    };
    clear_if_holds(&mut shared, &code);
}

/// Clears the clipboard if it holds `code`.
fn clear_if_holds(shared: &mut Shared, code: &str) {
    if shared.board.is_none() {
        shared.board = arboard::Clipboard::new().ok();
    }
    if let Some(board) = shared.board.as_mut()
        && board.get_text().is_ok_and(|text| text.trim() == code)
    {
        let _ = board.clear();
    }
}

/// The delay a setting asks for (`None`: leave the code).
pub fn clear_delay(seconds: Option<u32>) -> Option<Duration> {
    seconds.map(|s| Duration::from_secs(s.into()))
}

/// What the window says after a copy: when the code goes, or that it stays.
pub fn copied_message(lang: Language, name: &str, clear_after: Option<Duration>) -> String {
    match clear_after {
        Some(delay) => tr!(
            lang,
            "clipboard.copied_clears",
            name = name,
            seconds = delay.as_secs()
        ),
        None => tr!(lang, "clipboard.copied_stays", name = name),
    }
}
