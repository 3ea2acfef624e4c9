//! macOS: the frontmost app (and its focused window's title, through the Accessibility API),
//! activating it again, and typing with CGEvent. Reading other apps' titles and posting keys
//! both need the user to allow Kunci under System Settings → Privacy & Security →
//! Accessibility; without it the picker still preselects by the app's name and copies instead
//! of typing. Type-checked on Linux (scripts/check-targets); no Mac ran it.

use std::ptr::NonNull;
use std::time::Duration;

use objc2_app_kit::{NSApplicationActivationOptions, NSRunningApplication, NSWorkspace};
use objc2_application_services::{
    AXError, AXIsProcessTrustedWithOptions, AXUIElement, kAXTrustedCheckOptionPrompt,
};
use objc2_core_foundation::{CFBoolean, CFDictionary, CFRetained, CFString, CFType};
use objc2_core_graphics::{CGEvent, CGEventFlags, CGEventTapLocation};

use super::{Typing, TypingError, wait_until};

/// Whether Kunci may read other apps' windows and post keys; `prompt` shows the system's
/// dialog that leads to the setting.
fn trusted(prompt: bool) -> bool {
    // SAFETY: the key is a static CFString; the dictionary maps CFString to CFBoolean.
    unsafe {
        let key: &CFString = kAXTrustedCheckOptionPrompt;
        let options =
            CFDictionary::<CFString, CFBoolean>::from_slices(&[key], &[CFBoolean::new(prompt)]);
        AXIsProcessTrustedWithOptions(Some(options.as_ref()))
    }
}

fn copy_attribute(element: &AXUIElement, name: &'static str) -> Option<CFRetained<CFType>> {
    let attribute = CFString::from_static_str(name);
    let mut value: *const CFType = std::ptr::null();
    // SAFETY: `value` is a valid out pointer; on success we own the reference returned.
    let error = unsafe { element.copy_attribute_value(&attribute, NonNull::from(&mut value)) };
    if error != AXError::Success {
        return None;
    }
    // SAFETY: a +1 reference from a Copy function.
    NonNull::new(value.cast_mut()).map(|p| unsafe { CFRetained::from_raw(p) })
}

/// kAXFocusedWindowAttribute, then kAXTitleAttribute (C macros, not in the bindings).
fn focused_window_title(pid: i32) -> Option<String> {
    if !trusted(false) {
        return None;
    }
    // SAFETY: an AX reference to a process by its pid.
    let app = unsafe { AXUIElement::new_application(pid) };
    let window = copy_attribute(&app, "AXFocusedWindow")?
        .downcast::<AXUIElement>()
        .ok()?;
    let title = copy_attribute(&window, "AXTitle")?
        .downcast::<CFString>()
        .ok()?;
    Some(title.to_string())
}

pub fn focused_window() -> Option<(i32, String)> {
    let app = NSWorkspace::sharedWorkspace().frontmostApplication()?;
    let pid = app.processIdentifier();
    if i64::from(pid) == i64::from(std::process::id()) {
        return None;
    }
    let name = app
        .localizedName()
        .map(|s| s.to_string())
        .unwrap_or_default();
    let title = match focused_window_title(pid) {
        Some(t) if !t.is_empty() => format!("{name} — {t}"),
        _ => name,
    };
    Some((pid, title))
}

pub fn typing(ask: bool) -> Typing {
    if trusted(ask) {
        Typing::Possible
    } else {
        Typing::NeedsPermission
    }
}

pub fn activate(pid: i32, patience: Duration) -> bool {
    let Some(app) = NSRunningApplication::runningApplicationWithProcessIdentifier(pid) else {
        return false;
    };
    #[allow(deprecated)]
    app.activateWithOptions(NSApplicationActivationOptions::ActivateIgnoringOtherApps);
    let front = || {
        NSWorkspace::sharedWorkspace()
            .frontmostApplication()
            .is_some_and(|a| a.processIdentifier() == pid)
    };
    wait_until(patience, front)
}

pub fn type_into(pid: i32, title: &str, text: &str, patience: Duration) -> Result<(), TypingError> {
    if !activate(pid, patience) {
        return Err(TypingError::FocusNotReturned(title.to_string()));
    }
    let held = CGEventFlags::MaskShift
        | CGEventFlags::MaskControl
        | CGEventFlags::MaskAlternate
        | CGEventFlags::MaskCommand;
    let up = || {
        let flags = CGEvent::new(None)
            .map(|e| CGEvent::flags(Some(&e)))
            .unwrap_or(CGEventFlags(0));
        (flags & held).0 == 0
    };
    if !wait_until(patience, up) {
        return Err(TypingError::KeysHeld);
    }
    for unit in text.encode_utf16() {
        for down in [true, false] {
            let event = CGEvent::new_keyboard_event(None, 0, down)
                .ok_or_else(|| TypingError::Failed("CGEventCreateKeyboardEvent failed".into()))?;
            // SAFETY: one UTF-16 unit; the pointer is valid for the call.
            unsafe { CGEvent::keyboard_set_unicode_string(Some(&event), 1, &unit) };
            // No modifiers from the physical keyboard: Command would turn digits into shortcuts.
            CGEvent::set_flags(Some(&event), CGEventFlags(0));
            CGEvent::post(CGEventTapLocation::HIDEventTap, Some(&event));
        }
        std::thread::sleep(Duration::from_millis(8));
    }
    Ok(())
}
