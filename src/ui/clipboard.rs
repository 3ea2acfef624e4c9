//! Copying codes, and clearing them from the clipboard after a delay if they are still there.

use std::time::{Duration, Instant};

use zeroize::Zeroizing;

/// How long a copied code stays on the clipboard.
pub const CLEAR_AFTER: Duration = Duration::from_secs(30);

/// Remembers the last code we copied, to clear it later only if the clipboard still holds it
/// (whatever the user copied since is theirs, and left alone).
#[derive(Default)]
pub struct CodeClipboard {
    ours: Option<(Zeroizing<String>, Instant)>,
}

impl CodeClipboard {
    /// Puts the code on the clipboard through egui (the platform clipboard in the window).
    pub fn copy(&mut self, ctx: &egui::Context, code: &str) {
        ctx.copy_text(code.to_string());
        self.ours = Some((Zeroizing::new(code.to_string()), Instant::now()));
    }

    /// The code waiting to be cleared, if any.
    #[cfg(test)]
    pub fn last_copied(&self) -> Option<&str> {
        self.ours.as_ref().map(|(code, _)| code.as_str())
    }

    /// Clears the clipboard when the delay has passed; returns how long until the next check.
    pub fn tick(&mut self) -> Option<Duration> {
        let (_, copied_at) = self.ours.as_ref()?;
        let elapsed = copied_at.elapsed();
        if elapsed < CLEAR_AFTER {
            return Some(CLEAR_AFTER - elapsed);
        }
        let (code, _) = self.ours.take()?;
        // Off the UI thread: talking to the clipboard owner can take a moment.
        let _ = std::thread::Builder::new()
            .name("kunci-clipboard".into())
            .spawn(move || clear_if_holds(&code));
        None
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
