//! X11: a passive key grab on the root window, on a connection of Kunci's own.

use std::sync::Arc;

use x11rb::connection::Connection;
use x11rb::errors::ReplyError;
use x11rb::protocol::ErrorKind;
use x11rb::protocol::Event;
use x11rb::protocol::xproto::{
    ClientMessageEvent, ConnectionExt as _, CreateWindowAux, EventMask, GrabMode, KeyButMask,
    Keycode, ModMask, Window, WindowClass,
};
use x11rb::rust_connection::RustConnection;
use x11rb::{COPY_DEPTH_FROM_PARENT, NONE};

use super::{HotkeyError, HotkeyEvent, HotkeyHandler};
use crate::desktop::shortcut::Shortcut;

/// The grab, and the thread that waits for its key presses. Dropping it ungrabs the keys and
/// wakes the thread so that it ends.
pub struct Grab {
    conn: Arc<RustConnection>,
    root: Window,
    /// An invisible window of ours: a message sent to it ends the thread.
    mailbox: Window,
    keycode: Keycode,
    modifiers: ModMask,
}

/// The lock keys are modifiers to X11: grab the shortcut with each of them on or off
/// (CapsLock = Lock, NumLock = Mod2), or it would not work while NumLock is on.
fn with_lock_keys(modifiers: ModMask) -> [ModMask; 4] {
    [
        modifiers,
        modifiers | ModMask::LOCK,
        modifiers | ModMask::M2,
        modifiers | ModMask::LOCK | ModMask::M2,
    ]
}

impl Grab {
    pub fn start(shortcut: Shortcut, handler: HotkeyHandler) -> Result<Grab, HotkeyError> {
        let failed = |e: &dyn std::fmt::Display| HotkeyError::Failed(e.to_string());
        let (conn, screen) = RustConnection::connect(None).map_err(|_| HotkeyError::NoDesktop)?;
        let conn = Arc::new(conn);
        let root = conn.setup().roots[screen].root;
        let keycode = keycode_of(&conn, shortcut.x11_keysym())?.ok_or_else(|| {
            HotkeyError::Failed(format!("no key on this keyboard gives {shortcut}"))
        })?;
        let mut modifiers = ModMask::from(0u16);
        for (on, bit) in [
            (shortcut.ctrl, ModMask::CONTROL),
            (shortcut.alt, ModMask::M1),
            (shortcut.shift, ModMask::SHIFT),
            (shortcut.logo, ModMask::M4),
        ] {
            if on {
                modifiers |= bit;
            }
        }
        let mailbox = conn.generate_id().map_err(|e| failed(&e))?;
        conn.create_window(
            COPY_DEPTH_FROM_PARENT,
            mailbox,
            root,
            0,
            0,
            1,
            1,
            0,
            WindowClass::INPUT_ONLY,
            0,
            &CreateWindowAux::new(),
        )
        .map_err(|e| failed(&e))?;
        let grab = Grab {
            conn: conn.clone(),
            root,
            mailbox,
            keycode,
            modifiers,
        };
        for mods in with_lock_keys(modifiers) {
            let cookie = conn
                .grab_key(false, root, mods, keycode, GrabMode::ASYNC, GrabMode::ASYNC)
                .map_err(|e| failed(&e))?;
            match cookie.check() {
                Ok(()) => {}
                // Dropping `grab` releases what was grabbed already.
                Err(ReplyError::X11Error(e)) if e.error_kind == ErrorKind::Access => {
                    return Err(HotkeyError::Taken(shortcut.to_string()));
                }
                Err(e) => return Err(failed(&e)),
            }
        }
        let held = u16::from(KeyButMask::SHIFT | KeyButMask::CONTROL | KeyButMask::MOD1)
            | u16::from(KeyButMask::MOD4);
        let wanted = u16::from(modifiers);
        std::thread::Builder::new()
            .name("kunci-hotkey".into())
            .spawn(move || {
                // Blocks in the X server's queue: no wake-ups while nothing happens.
                while let Ok(event) = conn.wait_for_event() {
                    match event {
                        Event::KeyPress(key)
                            if key.detail == keycode && u16::from(key.state) & held == wanted =>
                        {
                            handler(HotkeyEvent::Pressed);
                        }
                        Event::ClientMessage(message) if message.window == mailbox => break,
                        _ => {}
                    }
                }
            })
            .map_err(|e| failed(&e))?;
        Ok(grab)
    }
}

impl Drop for Grab {
    fn drop(&mut self) {
        for mods in with_lock_keys(self.modifiers) {
            let _ = self.conn.ungrab_key(self.keycode, self.root, mods);
        }
        let wake = ClientMessageEvent::new(32, self.mailbox, NONE, [0u32; 5]);
        let _ = self
            .conn
            .send_event(false, self.mailbox, EventMask::NO_EVENT, wake);
        let _ = self.conn.destroy_window(self.mailbox);
        let _ = self.conn.flush();
    }
}

/// The first key whose unshifted or shifted symbol is `keysym` (the current keyboard layout).
fn keycode_of(conn: &RustConnection, keysym: u32) -> Result<Option<Keycode>, HotkeyError> {
    let failed = |e: &dyn std::fmt::Display| HotkeyError::Failed(e.to_string());
    let setup = conn.setup();
    let (min, max) = (setup.min_keycode, setup.max_keycode);
    let map = conn
        .get_keyboard_mapping(min, max - min + 1)
        .map_err(|e| failed(&e))?
        .reply()
        .map_err(|e| failed(&e))?;
    let per = usize::from(map.keysyms_per_keycode).max(1);
    Ok(map
        .keysyms
        .chunks(per)
        .position(|syms| syms.iter().take(2).any(|&s| s == keysym))
        .and_then(|i| u8::try_from(i).ok())
        .map(|i| min + i))
}
