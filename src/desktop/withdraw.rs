//! Hiding the window into the tray so that the window manager lets go of it too.
//!
//! On X11 a window is hidden for good only when it is *withdrawn* (ICCCM 4.1.4): unmapped, and
//! a synthetic UnmapNotify sent to the root window. winit only unmaps. That is enough for a
//! shown window, but a window the manager has iconified is unmapped already: unmapping it again
//! tells the manager nothing, and it stays in the task bar as minimised. That is what a start
//! into the tray met, now and then: the window is minimised at once (in case no tray comes) and
//! hidden when the tray shows. Windows and macOS hide a minimised window without more ado.

use raw_window_handle::HasWindowHandle;

/// The window as the desktop knows it: what withdrawing it needs.
#[derive(Debug, Clone, Copy)]
pub struct NativeWindow {
    /// The X11 window id; `None` on Wayland.
    #[cfg(target_os = "linux")]
    x11: Option<u32>,
}

impl NativeWindow {
    pub fn of(window: &impl HasWindowHandle) -> NativeWindow {
        #[cfg(target_os = "linux")]
        {
            use raw_window_handle::RawWindowHandle;
            let x11 = match window.window_handle().map(|h| h.as_raw()) {
                Ok(RawWindowHandle::Xlib(h)) => u32::try_from(h.window).ok(),
                Ok(RawWindowHandle::Xcb(h)) => Some(h.window.get()),
                _ => None,
            };
            NativeWindow { x11 }
        }
        #[cfg(not(target_os = "linux"))]
        {
            let _ = window;
            NativeWindow {}
        }
    }

    /// Tells the window manager the window is withdrawn, as it is hidden. Best effort: when
    /// the display cannot be reached the hide itself still happens (the toolkit's).
    pub fn withdraw(&self) {
        #[cfg(target_os = "linux")]
        if let Some(window) = self.x11 {
            let _ = x11_withdraw(window);
        }
    }
}

#[cfg(target_os = "linux")]
fn x11_withdraw(window: u32) -> Option<()> {
    use x11rb::connection::Connection as _;
    use x11rb::protocol::xproto::{
        ConnectionExt as _, EventMask, UNMAP_NOTIFY_EVENT, UnmapNotifyEvent,
    };
    use x11rb::wrapper::ConnectionExt as _;

    // A connection of our own (the toolkit keeps its own to itself); window ids are the
    // display's, not the connection's.
    let (conn, screen) = x11rb::rust_connection::RustConnection::connect(None).ok()?;
    let root = conn.setup().roots.get(screen)?.root;
    conn.unmap_window(window).ok()?;
    let event = UnmapNotifyEvent {
        response_type: UNMAP_NOTIFY_EVENT,
        sequence: 0,
        event: root,
        window,
        from_configure: false,
    };
    let mask = EventMask::SUBSTRUCTURE_REDIRECT | EventMask::SUBSTRUCTURE_NOTIFY;
    conn.send_event(false, root, mask, event).ok()?;
    conn.sync().ok()
}
