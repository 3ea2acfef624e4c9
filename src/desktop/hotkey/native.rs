//! Windows and macOS: `global-hotkey` (RegisterHotKey on a hidden window of the calling thread;
//! Carbon's RegisterEventHotKey). Both must be set up on the thread that runs the event loop.

use std::sync::{Mutex, PoisonError};

use global_hotkey::hotkey::{Code, HotKey, Modifiers};
use global_hotkey::{GlobalHotKeyEvent, GlobalHotKeyManager, HotKeyState};

use super::{HotkeyError, HotkeyEvent, HotkeyHandler};
use crate::desktop::shortcut::{Key, Shortcut};

/// global-hotkey takes one event handler per process, set once: it forwards to the handler
/// of the registration that is current.
static CURRENT: Mutex<Option<(u32, HotkeyHandler)>> = Mutex::new(None);

pub struct Registration {
    manager: GlobalHotKeyManager,
    hotkey: HotKey,
}

impl Registration {
    pub fn start(shortcut: Shortcut, handler: HotkeyHandler) -> Result<Registration, HotkeyError> {
        static HANDLER_SET: std::sync::Once = std::sync::Once::new();
        HANDLER_SET.call_once(|| {
            GlobalHotKeyEvent::set_event_handler(Some(|event: GlobalHotKeyEvent| {
                if event.state != HotKeyState::Pressed {
                    return;
                }
                let current = CURRENT.lock().unwrap_or_else(PoisonError::into_inner);
                if let Some((id, handler)) = current.as_ref()
                    && *id == event.id
                {
                    handler(HotkeyEvent::Pressed);
                }
            }));
        });
        let manager = GlobalHotKeyManager::new().map_err(|e| HotkeyError::Failed(e.to_string()))?;
        let hotkey = to_hotkey(shortcut);
        manager.register(hotkey).map_err(|e| match e {
            global_hotkey::Error::AlreadyRegistered(_)
            | global_hotkey::Error::FailedToRegister(_) => HotkeyError::Taken(shortcut.to_string()),
            other => HotkeyError::Failed(other.to_string()),
        })?;
        *CURRENT.lock().unwrap_or_else(PoisonError::into_inner) = Some((hotkey.id(), handler));
        Ok(Registration { manager, hotkey })
    }
}

impl Drop for Registration {
    fn drop(&mut self) {
        let _ = self.manager.unregister(self.hotkey);
        let mut current = CURRENT.lock().unwrap_or_else(PoisonError::into_inner);
        if current
            .as_ref()
            .is_some_and(|(id, _)| *id == self.hotkey.id())
        {
            *current = None;
        }
    }
}

fn to_hotkey(shortcut: Shortcut) -> HotKey {
    let mut mods = Modifiers::empty();
    for (on, bit) in [
        (shortcut.ctrl, Modifiers::CONTROL),
        (shortcut.alt, Modifiers::ALT),
        (shortcut.shift, Modifiers::SHIFT),
        (shortcut.logo, Modifiers::META),
    ] {
        if on {
            mods |= bit;
        }
    }
    HotKey::new(Some(mods), code(shortcut.key))
}

fn code(key: Key) -> Code {
    use Code::*;
    const LETTERS: [Code; 26] = [
        KeyA, KeyB, KeyC, KeyD, KeyE, KeyF, KeyG, KeyH, KeyI, KeyJ, KeyK, KeyL, KeyM, KeyN, KeyO,
        KeyP, KeyQ, KeyR, KeyS, KeyT, KeyU, KeyV, KeyW, KeyX, KeyY, KeyZ,
    ];
    const DIGITS: [Code; 10] = [
        Digit0, Digit1, Digit2, Digit3, Digit4, Digit5, Digit6, Digit7, Digit8, Digit9,
    ];
    const FUNCTION: [Code; 12] = [F1, F2, F3, F4, F5, F6, F7, F8, F9, F10, F11, F12];
    match key {
        Key::Letter(c) => LETTERS[usize::from(c as u8 - b'A')],
        Key::Digit(c) => DIGITS[usize::from(c as u8 - b'0')],
        Key::Function(n) => FUNCTION[usize::from(n - 1)],
        Key::Space => Space,
    }
}
