//! Copying codes, and clearing them from the clipboard after the delay chosen in the settings
//! if they are still there.

use std::time::{Duration, Instant};

use zeroize::Zeroizing;

use crate::i18n::Language;

/// Remembers the last code we copied, to clear it later only if the clipboard still holds it
/// (whatever the user copied since is theirs, and left alone).
#[derive(Default)]
pub struct CodeClipboard {
    /// The code and when to clear it (`None`: only when the window locks).
    ours: Option<(Zeroizing<String>, Option<Instant>)>,
}

impl CodeClipboard {
    /// Puts the code on the clipboard through egui (the platform clipboard in the window), to
    /// be cleared after `clear_after` (never when `None`).
    pub fn copy(&mut self, ctx: &egui::Context, code: &str, clear_after: Option<Duration>) {
        ctx.copy_text(code.to_string());
        // Remembered even when it stays: locking the window clears it.
        let clear_at = clear_after.map(|delay| Instant::now() + delay);
        self.ours = Some((Zeroizing::new(code.to_string()), clear_at));
    }

    /// The code waiting to be cleared after the delay, if any.
    #[cfg(test)]
    pub fn last_copied(&self) -> Option<&str> {
        match &self.ours {
            Some((code, Some(_))) => Some(code.as_str()),
            _ => None,
        }
    }

    /// The code we copied last, still to be cleared on lock or after the delay.
    #[cfg(test)]
    pub fn ours(&self) -> Option<&str> {
        self.ours.as_ref().map(|(code, _)| code.as_str())
    }

    /// Clears the clipboard when the delay has passed; returns how long until the next check.
    pub fn tick(&mut self) -> Option<Duration> {
        let (_, clear_at) = self.ours.as_ref()?;
        let clear_at = (*clear_at)?;
        let now = Instant::now();
        if now < clear_at {
            return Some(clear_at - now);
        }
        self.clear_now();
        None
    }

    /// Clears the clipboard now if it still holds our code (the window is locking).
    pub fn clear_now(&mut self) {
        let Some((code, _)) = self.ours.take() else {
            return;
        };
        // Off the UI thread: talking to the clipboard owner can take a moment.
        let _ = std::thread::Builder::new()
            .name("kunci-clipboard".into())
            .spawn(move || clear_if_holds(&code));
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

fn clear_if_holds(code: &str) {
    let Ok(mut clipboard) = arboard::Clipboard::new() else {
        return;
    };
    if clipboard.get_text().is_ok_and(|text| text.trim() == code) {
        let _ = clipboard.clear();
    }
}
