//! Quick access from anywhere on the desktop: the global shortcut, the tray icon, the window
//! that had the focus (its title, and typing a code into it), starting with the system, and
//! hiding the window into the tray so that the window manager lets go of it.
//! Each is one small type with the platform differences inside it; the window decides what to
//! do with them, and supplies every word they show.

pub mod autostart;
pub mod focus;
pub mod hotkey;
pub mod shortcut;
pub mod tray;
pub mod withdraw;

pub use autostart::{Autostart, AutostartError, MINIMIZED_FLAG};
pub use focus::{PreviousWindow, Typing, TypingError};
pub use hotkey::{GlobalHotkey, HotkeyError, HotkeyEvent, HotkeyHandler, HotkeyStatus, HotkeyVia};
pub use shortcut::{DEFAULT_SHORTCUT, Shortcut, ShortcutError};
pub use tray::{Tray, TrayAction, TrayError, TrayEvent, TrayHandler, TrayIcon, TrayMenu};
pub use withdraw::NativeWindow;
