//! Windows: the foreground window and its title, giving it the foreground back, and typing
//! with `SendInput` (KEYEVENTF_UNICODE: independent of the keyboard layout, no Shift needed).

use std::time::Duration;

use windows_sys::Win32::Foundation::HWND;
use windows_sys::Win32::UI::Input::KeyboardAndMouse::{
    GetAsyncKeyState, INPUT, INPUT_0, INPUT_KEYBOARD, KEYBDINPUT, KEYEVENTF_KEYUP,
    KEYEVENTF_UNICODE, SendInput, VK_CONTROL, VK_LWIN, VK_MENU, VK_RWIN, VK_SHIFT,
};
use windows_sys::Win32::UI::WindowsAndMessaging::{
    GetForegroundWindow, GetWindowTextW, GetWindowThreadProcessId, IsIconic, IsWindow, SW_RESTORE,
    SetForegroundWindow, ShowWindow,
};

use super::{Typing, TypingError, wait_until};

/// The most of a title read (UTF-16 units).
const MAX_TITLE: usize = 512;

pub fn focused_window() -> Option<(usize, String)> {
    // SAFETY: plain Win32 calls; the buffer's length is passed with it.
    unsafe {
        let hwnd = GetForegroundWindow();
        if hwnd.is_null() {
            return None;
        }
        let mut pid = 0u32;
        GetWindowThreadProcessId(hwnd, &mut pid);
        if pid == std::process::id() {
            return None;
        }
        let mut buf = [0u16; MAX_TITLE];
        let got = GetWindowTextW(hwnd, buf.as_mut_ptr(), MAX_TITLE as i32).max(0) as usize;
        Some((
            hwnd as usize,
            String::from_utf16_lossy(&buf[..got.min(MAX_TITLE)]),
        ))
    }
}

pub fn typing(_ask: bool) -> Typing {
    Typing::Possible
}

pub fn activate(window: usize, patience: Duration) -> bool {
    let hwnd = window as HWND;
    // SAFETY: IsWindow guards against a window that closed meanwhile; the rest take a handle.
    unsafe {
        if IsWindow(hwnd) == 0 {
            return false;
        }
        if IsIconic(hwnd) != 0 {
            ShowWindow(hwnd, SW_RESTORE);
        }
        // Allowed: Kunci had the foreground a moment ago (the user pressed Enter in it).
        SetForegroundWindow(hwnd);
    }
    // SAFETY: no arguments.
    wait_until(patience, || unsafe { GetForegroundWindow() } == hwnd)
}

pub fn type_into(
    window: usize,
    title: &str,
    text: &str,
    patience: Duration,
) -> Result<(), TypingError> {
    if !activate(window, patience) {
        return Err(TypingError::FocusNotReturned(title.to_string()));
    }
    let up = || {
        [VK_SHIFT, VK_CONTROL, VK_MENU, VK_LWIN, VK_RWIN]
            .iter()
            // SAFETY: takes a virtual-key code; the top bit set means "down".
            .all(|&vk| unsafe { GetAsyncKeyState(i32::from(vk)) } >= 0)
    };
    if !wait_until(patience, up) {
        return Err(TypingError::KeysHeld);
    }
    let mut inputs = Vec::new();
    for unit in text.encode_utf16() {
        for flags in [KEYEVENTF_UNICODE, KEYEVENTF_UNICODE | KEYEVENTF_KEYUP] {
            inputs.push(INPUT {
                r#type: INPUT_KEYBOARD,
                Anonymous: INPUT_0 {
                    ki: KEYBDINPUT {
                        wVk: 0,
                        wScan: unit,
                        dwFlags: flags,
                        time: 0,
                        dwExtraInfo: 0,
                    },
                },
            });
        }
    }
    // SAFETY: `inputs` is an array of INPUT of the length given.
    let sent = unsafe {
        SendInput(
            inputs.len() as u32,
            inputs.as_ptr(),
            std::mem::size_of::<INPUT>() as i32,
        )
    };
    if sent as usize == inputs.len() {
        Ok(())
    } else {
        // UIPI: the window belongs to a program running as administrator, Kunci does not.
        Err(TypingError::Refused(
            std::io::Error::last_os_error().to_string(),
        ))
    }
}
