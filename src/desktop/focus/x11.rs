//! X11: the active window (EWMH `_NET_ACTIVE_WINDOW`, else the input focus), giving the focus
//! back to it, and XTEST key events. On a connection of our own, opened for each use (the
//! window's toolkit keeps its own to itself).

use std::time::Duration;

use x11rb::connection::Connection;
use x11rb::protocol::xproto::{
    Atom, AtomEnum, ClientMessageEvent, ConnectionExt as _, EventMask, InputFocus, KeyButMask,
    Keycode, Keysym, Window,
};
use x11rb::protocol::xtest::ConnectionExt as _;
use x11rb::rust_connection::RustConnection;
use x11rb::wrapper::ConnectionExt as _;
use x11rb::{CURRENT_TIME, NONE};

use super::{Typing, TypingError};

x11rb::atom_manager! {
    Atoms: AtomsCookie {
        _NET_ACTIVE_WINDOW,
        _NET_WM_NAME,
        _NET_WM_PID,
        _NET_SUPPORTING_WM_CHECK,
        UTF8_STRING,
    }
}

/// The most of a title read: window titles are short; a hostile one is not read whole.
const MAX_TITLE_WORDS: u32 = 256;

struct X11 {
    conn: RustConnection,
    root: Window,
    atoms: Atoms,
}

fn failed(e: impl std::fmt::Display) -> TypingError {
    TypingError::Failed(e.to_string())
}

fn wayland() -> bool {
    std::env::var_os("WAYLAND_DISPLAY").is_some_and(|v| !v.is_empty())
}

impl X11 {
    fn connect() -> Option<X11> {
        if wayland() {
            return None;
        }
        let (conn, screen) = RustConnection::connect(None).ok()?;
        let root = conn.setup().roots[screen].root;
        let atoms = Atoms::new(&conn).ok()?.reply().ok()?;
        Some(X11 { conn, root, atoms })
    }

    fn window_property(&self, window: Window, property: Atom, kind: AtomEnum) -> Option<u32> {
        let reply = self
            .conn
            .get_property(false, window, property, kind, 0, 1)
            .ok()?
            .reply()
            .ok()?;
        reply.value32()?.next()
    }

    fn has_window_manager(&self) -> bool {
        self.window_property(
            self.root,
            self.atoms._NET_SUPPORTING_WM_CHECK,
            AtomEnum::WINDOW,
        )
        .is_some_and(|w| w != NONE)
    }

    /// The active top-level window: the window manager's `_NET_ACTIVE_WINDOW`, else the
    /// input focus walked up to the window that carries a title.
    fn active_window(&self) -> Option<Window> {
        if let Some(w) =
            self.window_property(self.root, self.atoms._NET_ACTIVE_WINDOW, AtomEnum::WINDOW)
            && w != NONE
        {
            return Some(w);
        }
        let mut window = self.conn.get_input_focus().ok()?.reply().ok()?.focus;
        if window == NONE || window == u32::from(InputFocus::POINTER_ROOT) || window == self.root {
            return None;
        }
        // Bounded: a tree deeper than this is not a real application's.
        for _ in 0..32 {
            if self.title(window).is_some() {
                return Some(window);
            }
            let tree = self.conn.query_tree(window).ok()?.reply().ok()?;
            if tree.parent == NONE || tree.parent == tree.root {
                return Some(window);
            }
            window = tree.parent;
        }
        Some(window)
    }

    fn is_ours(&self, window: Window) -> bool {
        self.window_property(window, self.atoms._NET_WM_PID, AtomEnum::CARDINAL)
            == Some(std::process::id())
    }

    /// `_NET_WM_NAME` (UTF-8), else the ICCCM `WM_NAME` (Latin-1).
    fn title(&self, window: Window) -> Option<String> {
        let utf8 = self
            .conn
            .get_property(
                false,
                window,
                self.atoms._NET_WM_NAME,
                self.atoms.UTF8_STRING,
                0,
                MAX_TITLE_WORDS,
            )
            .ok()?
            .reply()
            .ok()?;
        if utf8.type_ != NONE && !utf8.value.is_empty() {
            return Some(String::from_utf8_lossy(&utf8.value).into_owned());
        }
        let legacy = self
            .conn
            .get_property(
                false,
                window,
                AtomEnum::WM_NAME,
                AtomEnum::ANY,
                0,
                MAX_TITLE_WORDS,
            )
            .ok()?
            .reply()
            .ok()?;
        if legacy.type_ == NONE {
            return None;
        }
        Some(if legacy.type_ == self.atoms.UTF8_STRING {
            String::from_utf8_lossy(&legacy.value).into_owned()
        } else {
            legacy.value.iter().map(|&b| char::from(b)).collect()
        })
    }

    /// Asks for `window` to be active (EWMH, as a pager does: window managers obey that
    /// without focus-stealing prevention; without one, SetInputFocus) and waits until it is.
    fn activate(&self, window: Window, patience: Duration) -> Result<bool, TypingError> {
        if self.active_window() == Some(window) {
            return Ok(true);
        }
        if self.has_window_manager() {
            let event = ClientMessageEvent::new(
                32,
                window,
                self.atoms._NET_ACTIVE_WINDOW,
                [2, CURRENT_TIME, 0, 0, 0],
            );
            self.conn
                .send_event(
                    false,
                    self.root,
                    EventMask::SUBSTRUCTURE_REDIRECT | EventMask::SUBSTRUCTURE_NOTIFY,
                    event,
                )
                .map_err(failed)?;
        } else {
            self.conn
                .set_input_focus(InputFocus::PARENT, window, CURRENT_TIME)
                .map_err(failed)?;
        }
        self.conn.flush().map_err(failed)?;
        wait_until(patience, || Ok(self.active_window() == Some(window)))
    }

    fn modifiers_up(&self) -> Result<bool, TypingError> {
        let held = u16::from(KeyButMask::SHIFT | KeyButMask::CONTROL | KeyButMask::MOD1)
            | u16::from(KeyButMask::MOD4);
        let mask = self
            .conn
            .query_pointer(self.root)
            .map_err(failed)?
            .reply()
            .map_err(failed)?
            .mask;
        Ok(u16::from(mask) & held == 0)
    }

    /// Types `text` into whatever has the keyboard focus, with XTEST's fake key events.
    fn type_text(&self, text: &str) -> Result<(), TypingError> {
        let setup = self.conn.setup();
        let (min, max) = (setup.min_keycode, setup.max_keycode);
        let map = self
            .conn
            .get_keyboard_mapping(min, max - min + 1)
            .map_err(failed)?
            .reply()
            .map_err(failed)?;
        let per = usize::from(map.keysyms_per_keycode).max(1);
        let keycode = |i: usize| u8::try_from(i).ok().map(|i| min + i);
        // Group 1: column 0 is the plain symbol, column 1 the shifted one.
        let lookup = |sym: Keysym| -> Option<(Keycode, bool)> {
            map.keysyms.chunks(per).enumerate().find_map(|(i, syms)| {
                if syms.first() == Some(&sym) {
                    Some((keycode(i)?, false))
                } else if syms.get(1) == Some(&sym) {
                    Some((keycode(i)?, true))
                } else {
                    None
                }
            })
        };
        let shift = lookup(SHIFT_L)
            .map(|(kc, _)| kc)
            .ok_or_else(|| failed("the keyboard has no Shift key"))?;
        // A key with no symbols, to lend a character the layout does not have (as xdotool).
        let spare = map
            .keysyms
            .chunks(per)
            .position(|s| s.iter().all(|&k| k == 0))
            .and_then(keycode);
        for ch in text.chars() {
            let sym = keysym(ch);
            match lookup(sym) {
                Some((kc, shifted)) => {
                    if shifted {
                        self.key(shift, true)?;
                    }
                    self.key(kc, true)?;
                    self.key(kc, false)?;
                    if shifted {
                        self.key(shift, false)?;
                    }
                }
                None => {
                    let kc = spare.ok_or_else(|| failed("no free key to type with"))?;
                    let mut syms = vec![0; per];
                    syms[0] = sym;
                    let per = u8::try_from(per).map_err(failed)?;
                    self.conn
                        .change_keyboard_mapping(1, kc, per, &syms)
                        .map_err(failed)?;
                    self.conn.sync().map_err(failed)?;
                    self.key(kc, true)?;
                    self.key(kc, false)?;
                    self.conn.sync().map_err(failed)?;
                    self.conn
                        .change_keyboard_mapping(1, kc, per, &vec![0; usize::from(per)])
                        .map_err(failed)?;
                }
            }
            self.conn.flush().map_err(failed)?;
            // Some programs drop keys that arrive all at once.
            std::thread::sleep(Duration::from_millis(8));
        }
        self.conn.sync().map_err(failed)
    }

    fn key(&self, keycode: Keycode, down: bool) -> Result<(), TypingError> {
        // Core event types: KeyPress = 2, KeyRelease = 3.
        let kind = if down { 2 } else { 3 };
        self.conn
            .xtest_fake_input(kind, keycode, CURRENT_TIME, NONE, 0, 0, 0)
            .map_err(failed)?;
        Ok(())
    }
}

const SHIFT_L: Keysym = 0xffe1;

/// Latin-1 characters are their own keysyms; others are 0x0100_0000 + the code point.
fn keysym(ch: char) -> Keysym {
    let c = u32::from(ch);
    match c {
        0x20..=0x7e | 0xa0..=0xff => c,
        _ => 0x0100_0000 | c,
    }
}

/// [`super::wait_until`] for a test that can fail: the first error ends the wait.
fn wait_until(
    patience: Duration,
    mut done: impl FnMut() -> Result<bool, TypingError>,
) -> Result<bool, TypingError> {
    let mut error = None;
    let ready = super::wait_until(patience, || {
        done().unwrap_or_else(|e| {
            error = Some(e);
            true
        })
    });
    error.map_or(Ok(ready), Err)
}

pub fn focused_window() -> Option<(Window, String)> {
    let x = X11::connect()?;
    let window = x.active_window()?;
    if x.is_ours(window) {
        return None;
    }
    Some((window, x.title(window).unwrap_or_default()))
}

pub fn typing(_ask: bool) -> Typing {
    if wayland() {
        Typing::NotOnWayland
    } else if std::env::var_os("DISPLAY").is_some_and(|v| !v.is_empty()) {
        Typing::Possible
    } else {
        Typing::NoDesktop
    }
}

pub fn activate(window: Window, patience: Duration) -> bool {
    X11::connect().is_some_and(|x| x.activate(window, patience).unwrap_or(false))
}

pub fn type_into(
    window: Window,
    title: &str,
    text: &str,
    patience: Duration,
) -> Result<(), TypingError> {
    let x = X11::connect().ok_or(TypingError::NotPossible(Typing::NoDesktop))?;
    if !x.activate(window, patience)? {
        return Err(TypingError::FocusNotReturned(title.to_string()));
    }
    if !wait_until(patience, || x.modifiers_up())? {
        return Err(TypingError::KeysHeld);
    }
    x.type_text(text)
}
