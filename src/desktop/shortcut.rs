//! The quick-pick key combination as the user writes it ("Ctrl+Alt+K"), checked once here
//! and handed to whichever listener the system has (X11, the Wayland portal, Windows, macOS).

use std::fmt;
use std::str::FromStr;

/// Kunci's default: free in the common desktops and browsers, and easy with one hand.
pub const DEFAULT_SHORTCUT: &str = "Ctrl+Alt+K";

/// A key combination: modifiers and one key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Shortcut {
    // Only [`Shortcut::from_str`] makes one, so every shortcut holds a key it checked.
    pub(crate) ctrl: bool,
    pub(crate) alt: bool,
    pub(crate) shift: bool,
    /// The Windows / Command / Super key.
    pub(crate) logo: bool,
    pub(crate) key: Key,
}

/// The keys a shortcut may end in: ones that exist on every keyboard layout Kunci's users have.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Key {
    /// `A`–`Z`, kept upper case.
    Letter(char),
    /// `0`–`9`.
    Digit(char),
    /// F1–F12.
    Function(u8),
    Space,
}

/// Why a written shortcut is not one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ShortcutError {
    #[error("the shortcut is empty")]
    Empty,
    #[error("\"{0}\" is not a key Kunci can listen for (use a letter, a digit, F1–F12 or Space)")]
    UnknownKey(String),
    #[error("the shortcut names more than one key")]
    TwoKeys,
    #[error("the shortcut has no key, only modifiers")]
    NoKey,
    /// A letter, digit or Space alone (or with Shift only) would be taken from every text
    /// field on the computer.
    #[error("add Ctrl, Alt or Super, or the key would be taken from everything you type")]
    NeedsModifier,
}

impl FromStr for Shortcut {
    type Err = ShortcutError;

    /// Accepts `Ctrl+Alt+K`, `ctrl + alt + k`, `Control+Shift+F9`, `Super+Space`…
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        if text.trim().is_empty() {
            return Err(ShortcutError::Empty);
        }
        let mut shortcut = Shortcut {
            ctrl: false,
            alt: false,
            shift: false,
            logo: false,
            key: Key::Space,
        };
        let mut key = None;
        for part in text.split('+').map(str::trim) {
            match part.to_ascii_lowercase().as_str() {
                "ctrl" | "control" | "ctl" => shortcut.ctrl = true,
                "alt" | "option" => shortcut.alt = true,
                "shift" => shortcut.shift = true,
                "super" | "logo" | "win" | "windows" | "meta" | "cmd" | "command" => {
                    shortcut.logo = true
                }
                _ if key.is_some() => return Err(ShortcutError::TwoKeys),
                _ => key = Some(parse_key(part)?),
            }
        }
        shortcut.key = key.ok_or(ShortcutError::NoKey)?;
        let needs_modifier = !matches!(shortcut.key, Key::Function(_));
        if needs_modifier && !(shortcut.ctrl || shortcut.alt || shortcut.logo) {
            return Err(ShortcutError::NeedsModifier);
        }
        Ok(shortcut)
    }
}

fn parse_key(part: &str) -> Result<Key, ShortcutError> {
    let unknown = || ShortcutError::UnknownKey(part.chars().take(20).collect());
    let mut chars = part.chars();
    match (chars.next(), chars.next()) {
        (Some(c), None) if c.is_ascii_alphabetic() => Ok(Key::Letter(c.to_ascii_uppercase())),
        (Some(c), None) if c.is_ascii_digit() => Ok(Key::Digit(c)),
        _ if part.eq_ignore_ascii_case("space") => Ok(Key::Space),
        (Some('f' | 'F'), Some(_)) => match part[1..].parse::<u8>() {
            Ok(n @ 1..=12) => Ok(Key::Function(n)),
            _ => Err(unknown()),
        },
        _ => Err(unknown()),
    }
}

impl fmt::Display for Shortcut {
    /// The canonical spelling, as settings store it and the window shows it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (on, name) in [
            (self.ctrl, "Ctrl+"),
            (self.alt, "Alt+"),
            (self.shift, "Shift+"),
            (self.logo, "Super+"),
        ] {
            if on {
                f.write_str(name)?;
            }
        }
        match self.key {
            Key::Letter(c) | Key::Digit(c) => write!(f, "{c}"),
            Key::Function(n) => write!(f, "F{n}"),
            Key::Space => f.write_str("Space"),
        }
    }
}

impl Shortcut {
    /// The default, Ctrl+Alt+K.
    pub fn default_shortcut() -> Shortcut {
        DEFAULT_SHORTCUT
            .parse()
            .expect("the default shortcut parses")
    }

    /// The trigger as the XDG "shortcuts" specification writes it (the GlobalShortcuts portal's
    /// `preferred_trigger`): `CTRL+ALT+k`.
    pub fn portal_trigger(&self) -> String {
        let mut out = String::new();
        for (on, name) in [
            (self.ctrl, "CTRL+"),
            (self.alt, "ALT+"),
            (self.shift, "SHIFT+"),
            (self.logo, "LOGO+"),
        ] {
            if on {
                out.push_str(name);
            }
        }
        match self.key {
            Key::Letter(c) => out.push(c.to_ascii_lowercase()),
            Key::Digit(c) => out.push(c),
            Key::Function(n) => out.push_str(&format!("F{n}")),
            Key::Space => out.push_str("space"),
        }
        out
    }

    /// The X11 keysym of the key (X11 protocol, appendix A: Latin-1 keysyms are the
    /// lower-case character; F1 is 0xffbe).
    pub fn x11_keysym(&self) -> u32 {
        match self.key {
            Key::Letter(c) => u32::from(c.to_ascii_lowercase()),
            Key::Digit(c) => u32::from(c),
            Key::Function(n) => 0xffbd + u32::from(n),
            Key::Space => 0x20,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn written_shortcuts_are_read_and_written_back_canonically() {
        for (written, canonical) in [
            ("Ctrl+Alt+K", "Ctrl+Alt+K"),
            ("ctrl + alt + k", "Ctrl+Alt+K"),
            ("Alt+Control+k", "Ctrl+Alt+K"),
            ("Super+Shift+1", "Shift+Super+1"),
            ("Cmd+Space", "Super+Space"),
            ("F9", "F9"),
            ("Shift+f12", "Shift+F12"),
        ] {
            let shortcut: Shortcut = written.parse().unwrap();
            assert_eq!(shortcut.to_string(), canonical, "{written}");
            assert_eq!(canonical.parse::<Shortcut>().unwrap(), shortcut);
        }
    }

    #[test]
    fn what_is_not_a_shortcut_says_why() {
        for (written, why) in [
            ("", ShortcutError::Empty),
            ("  ", ShortcutError::Empty),
            ("Ctrl+Alt", ShortcutError::NoKey),
            ("Ctrl+K+L", ShortcutError::TwoKeys),
            ("K", ShortcutError::NeedsModifier),
            ("Shift+K", ShortcutError::NeedsModifier),
            ("Ctrl+Ä", ShortcutError::UnknownKey("Ä".into())),
            ("Ctrl+F13", ShortcutError::UnknownKey("F13".into())),
            ("Ctrl+Fx", ShortcutError::UnknownKey("Fx".into())),
            ("Ctrl++", ShortcutError::UnknownKey("".into())),
        ] {
            assert_eq!(written.parse::<Shortcut>(), Err(why), "{written:?}");
        }
        // A pasted novel is refused without being echoed whole.
        let long = format!("Ctrl+{}", "x".repeat(10_000));
        let ShortcutError::UnknownKey(echo) = long.parse::<Shortcut>().unwrap_err() else {
            panic!("not an unknown key");
        };
        assert!(echo.len() <= 20);
    }

    #[test]
    fn the_portal_and_x11_get_their_own_spellings() {
        let default = Shortcut::default_shortcut();
        assert_eq!(default.portal_trigger(), "CTRL+ALT+k");
        assert_eq!(default.x11_keysym(), 0x6b); // XK_k
        let f1: Shortcut = "Super+F1".parse().unwrap();
        assert_eq!(f1.portal_trigger(), "LOGO+F1");
        assert_eq!(f1.x11_keysym(), 0xffbe); // XK_F1
        assert_eq!("Alt+Space".parse::<Shortcut>().unwrap().x11_keysym(), 0x20);
    }
}
