//! The window the user was in before the quick picker came up: its title (to preselect the
//! account it names) and, after the pick, typing the code into it.
//!
//! X11 reads `_NET_ACTIVE_WINDOW` and types with XTEST; Windows reads the foreground window
//! and types with `SendInput` (Unicode key events: any keyboard layout); macOS reads the
//! frontmost app (and its window's title through the Accessibility API) and types with CGEvent,
//! which needs the user's permission under Privacy & Security → Accessibility. On Wayland no
//! client may read another's title or type into it: the picker copies instead and says why.

use std::time::{Duration, Instant};

#[cfg(target_os = "linux")]
#[path = "focus/x11.rs"]
mod platform;
#[cfg(windows)]
#[path = "focus/windows.rs"]
mod platform;
#[cfg(target_os = "macos")]
#[path = "focus/macos.rs"]
mod platform;

/// How long the window had to take the focus back, and the keys to be let go.
const PATIENCE: Duration = Duration::from_secs(2);
/// The most typed: a code is at most 10 digits; anything longer is not ours to type.
const MAX_TYPED: usize = 64;

/// The window that had the focus before Kunci's picker.
#[derive(Debug, Clone)]
pub struct PreviousWindow {
    /// `None`: known by its title only (it cannot be typed into).
    #[cfg_attr(
        not(any(target_os = "linux", windows, target_os = "macos")),
        allow(dead_code)
    )]
    handle: Option<Handle>,
    title: String,
}

#[cfg(target_os = "linux")]
type Handle = u32;
#[cfg(windows)]
type Handle = usize;
#[cfg(target_os = "macos")]
type Handle = i32;
#[cfg(not(any(target_os = "linux", windows, target_os = "macos")))]
type Handle = ();

impl PreviousWindow {
    /// A window known by its title only: the picker preselects by it, but cannot type into it
    /// or give it the focus back.
    pub fn titled(title: impl Into<String>) -> PreviousWindow {
        PreviousWindow {
            handle: None,
            title: title.into(),
        }
    }

    /// Its title (on macOS: the app's name, and the window's title when allowed).
    pub fn title(&self) -> &str {
        &self.title
    }
}

/// Whether Kunci can type into other windows here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Typing {
    Possible,
    /// Wayland lets no program type into another's window.
    NotOnWayland,
    /// macOS: the user has not allowed Kunci under Accessibility (yet).
    NeedsPermission,
    /// No X11 display (a console).
    NoDesktop,
}

/// Why a code was not typed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TypingError {
    #[error("typing into other windows is not possible here ({0:?})")]
    NotPossible(Typing),
    /// The earlier window did not come back to the front (closed, or another took its place).
    #[error("the window \"{0}\" did not get the focus back")]
    FocusNotReturned(String),
    /// Shift, Ctrl, Alt or the logo key were still held: typed digits would become shortcuts.
    #[error("modifier keys were still held down")]
    KeysHeld,
    /// Windows refuses to type into a program that runs as administrator when Kunci does not.
    #[error("the system refused the key presses: {0}")]
    Refused(String),
    #[error("{0}")]
    Failed(String),
}

/// The focused window now, unless it is Kunci's own or cannot be known (Wayland).
pub fn focused_window() -> Option<PreviousWindow> {
    #[cfg(any(target_os = "linux", windows, target_os = "macos"))]
    {
        let (handle, title) = platform::focused_window()?;
        Some(PreviousWindow {
            handle: Some(handle),
            title,
        })
    }
    #[cfg(not(any(target_os = "linux", windows, target_os = "macos")))]
    None
}

/// Whether [`type_into`] can work here. `ask`: on macOS, open the permission prompt when it is
/// missing (the user then allows Kunci and tries again).
pub fn typing(ask: bool) -> Typing {
    #[cfg(any(target_os = "linux", windows, target_os = "macos"))]
    {
        platform::typing(ask)
    }
    #[cfg(not(any(target_os = "linux", windows, target_os = "macos")))]
    {
        let _ = ask;
        Typing::NoDesktop
    }
}

/// Gives the focus back to `window` (the picker copied a code: the page should be in front
/// for Ctrl+V). Blocks for up to a second or two: call it off the UI thread.
pub fn return_focus(window: &PreviousWindow) -> bool {
    #[cfg(any(target_os = "linux", windows, target_os = "macos"))]
    {
        window
            .handle
            .is_some_and(|handle| platform::activate(handle, PATIENCE))
    }
    #[cfg(not(any(target_os = "linux", windows, target_os = "macos")))]
    {
        let _ = window;
        false
    }
}

/// Gives the focus back to `window`, waits for the modifier keys to be let go (the user may
/// still hold Shift from Shift+Enter) and types `text` there. Blocks for up to a few seconds:
/// call it off the UI thread.
pub fn type_into(window: &PreviousWindow, text: &str) -> Result<(), TypingError> {
    if text.len() > MAX_TYPED || text.chars().any(char::is_control) {
        return Err(TypingError::Failed("not a code".into()));
    }
    #[cfg(any(target_os = "linux", windows, target_os = "macos"))]
    {
        match platform::typing(false) {
            Typing::Possible => {}
            other => return Err(TypingError::NotPossible(other)),
        }
        let handle = window
            .handle
            .ok_or_else(|| TypingError::FocusNotReturned(window.title.clone()))?;
        platform::type_into(handle, &window.title, text, PATIENCE)
    }
    #[cfg(not(any(target_os = "linux", windows, target_os = "macos")))]
    {
        let _ = (window, PATIENCE);
        Err(TypingError::NotPossible(Typing::NoDesktop))
    }
}

/// Polls `done` every 20 ms until it holds (true) or `patience` ran out (false).
fn wait_until(patience: Duration, mut done: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + patience;
    loop {
        if done() {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}
