//! The quick-pick shortcut, heard anywhere on the desktop.
//!
//! Each system has its own way, chosen here once:
//! - X11: a passive grab on the root window (XGrabKey) on a connection of our own, whose thread
//!   sleeps in the X server's event queue (no polling: nothing to do means no wake-ups);
//! - Wayland: no client may grab keys; the XDG GlobalShortcuts portal asks the desktop to bind
//!   the shortcut for us (KDE Plasma 5.27+, GNOME 48+; the desktop may ask the user first, and
//!   the user may choose another key);
//! - Windows and macOS: the `global-hotkey` crate (RegisterHotKey, Carbon's RegisterEventHotKey),
//!   created on the thread that runs the window's event loop.
//!
//! Where none works, [`HotkeyStatus::Unavailable`] says why; the window then shows the fallback
//! (a desktop shortcut that runs `kunci pick`).

use std::sync::{Arc, Mutex, PoisonError};

use super::shortcut::Shortcut;

#[cfg(any(windows, target_os = "macos"))]
mod native;
#[cfg(target_os = "linux")]
mod portal;
#[cfg(target_os = "linux")]
mod x11;

/// What the listener tells the window: the shortcut was pressed, or its status changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HotkeyEvent {
    Pressed,
    StatusChanged,
}

/// Called from the listener's thread (or the event loop's, on Windows and macOS).
pub type HotkeyHandler = Arc<dyn Fn(HotkeyEvent) + Send + Sync>;

/// Whether the shortcut works, as far as Kunci can know.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HotkeyStatus {
    /// The desktop's portal is asking the user, or has not answered yet.
    Waiting,
    /// Listening. `trigger`: the keys as the system describes them (on Wayland the user may
    /// have chosen other keys than Kunci suggested).
    Active {
        trigger: String,
        via: HotkeyVia,
    },
    Unavailable(HotkeyError),
}

/// Which of the ways above listens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HotkeyVia {
    X11,
    Portal,
    System,
}

/// Why the shortcut does not work.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum HotkeyError {
    /// No X11 display and no Wayland session (a console, a service).
    #[error("no desktop session to listen in")]
    NoDesktop,
    /// Another program holds these keys.
    #[error("another program already uses {0}")]
    Taken(String),
    /// Wayland without the GlobalShortcuts portal (an older desktop, or one without it).
    #[error("this desktop offers no global shortcuts to apps (GlobalShortcuts portal: {0})")]
    NoPortal(String),
    /// The desktop asked the user, who said no.
    #[error("the desktop did not allow the shortcut")]
    Refused,
    /// Anything else the system said.
    #[error("the shortcut could not be set up: {0}")]
    Failed(String),
}

/// The listening shortcut; dropping it stops listening.
pub struct GlobalHotkey {
    status: Arc<Mutex<HotkeyStatus>>,
    _listener: Listener,
}

// The variants are held for their `Drop`, which stops listening; nothing reads them.
#[allow(dead_code)]
enum Listener {
    None,
    #[cfg(target_os = "linux")]
    X11(x11::Grab),
    #[cfg(target_os = "linux")]
    Portal(portal::Session),
    #[cfg(any(windows, target_os = "macos"))]
    Native(native::Registration),
}

impl GlobalHotkey {
    /// Starts listening for `shortcut`. On Windows and macOS this must run on the thread of the
    /// window's event loop. Never fails: what went wrong is in [`GlobalHotkey::status`].
    pub fn listen(shortcut: Shortcut, handler: HotkeyHandler) -> GlobalHotkey {
        let status = Arc::new(Mutex::new(HotkeyStatus::Waiting));
        let (listener, now) = start(shortcut, &status, handler);
        *status.lock().unwrap_or_else(PoisonError::into_inner) = now;
        GlobalHotkey {
            status,
            _listener: listener,
        }
    }

    pub fn status(&self) -> HotkeyStatus {
        self.status
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

/// The listener for this session, and the status it starts with.
fn start(
    shortcut: Shortcut,
    status: &Arc<Mutex<HotkeyStatus>>,
    handler: HotkeyHandler,
) -> (Listener, HotkeyStatus) {
    #[cfg(target_os = "linux")]
    {
        let set = |v: &str| std::env::var_os(v).is_some_and(|s| !s.is_empty());
        // Under Wayland an X11 grab would hear keys only while an XWayland window has focus.
        if set("WAYLAND_DISPLAY") {
            let session = portal::Session::start(shortcut, status.clone(), handler);
            return (Listener::Portal(session), HotkeyStatus::Waiting);
        }
        if !set("DISPLAY") {
            return (
                Listener::None,
                HotkeyStatus::Unavailable(HotkeyError::NoDesktop),
            );
        }
        match x11::Grab::start(shortcut, handler) {
            Ok(grab) => (
                Listener::X11(grab),
                HotkeyStatus::Active {
                    trigger: shortcut.to_string(),
                    via: HotkeyVia::X11,
                },
            ),
            Err(e) => (Listener::None, HotkeyStatus::Unavailable(e)),
        }
    }
    #[cfg(any(windows, target_os = "macos"))]
    {
        let _ = status;
        match native::Registration::start(shortcut, handler) {
            Ok(registration) => (
                Listener::Native(registration),
                HotkeyStatus::Active {
                    trigger: shortcut.to_string(),
                    via: HotkeyVia::System,
                },
            ),
            Err(e) => (Listener::None, HotkeyStatus::Unavailable(e)),
        }
    }
    #[cfg(not(any(target_os = "linux", windows, target_os = "macos")))]
    {
        let _ = (shortcut, status, handler);
        (
            Listener::None,
            HotkeyStatus::Unavailable(HotkeyError::NoDesktop),
        )
    }
}
