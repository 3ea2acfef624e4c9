//! Windows and macOS: tray-icon (menus through muda). Made on the thread that runs the event
//! loop; its events arrive there too.

use std::sync::{Mutex, PoisonError};

use tray_icon::menu::{Menu, MenuEvent, MenuId, MenuItem, PredefinedMenuItem};
use tray_icon::{MouseButton, MouseButtonState, TrayIconBuilder, TrayIconEvent};

use super::{TrayAction, TrayError, TrayEvent, TrayHandler, TrayIcon, TrayMenu};

/// tray-icon takes one handler per process: they forward to the current menu's entries.
static CURRENT: Mutex<Option<Current>> = Mutex::new(None);

struct Current {
    entries: Vec<(MenuId, TrayAction)>,
    handler: TrayHandler,
}

pub struct NativeTray {
    icon: tray_icon::TrayIcon,
}

fn unavailable(e: impl std::fmt::Display) -> TrayError {
    TrayError::Unavailable(e.to_string())
}

/// muda reads `&` as the mark of an access key: a literal one is written twice.
fn label(text: &str) -> String {
    text.replace('&', "&&")
}

fn build(menu: &TrayMenu) -> Result<(Menu, Vec<(MenuId, TrayAction)>), TrayError> {
    let built = Menu::new();
    let mut entries = Vec::new();
    let mut add = |text: &str, action: TrayAction, enabled: bool| -> Result<(), TrayError> {
        let item = MenuItem::new(label(text), enabled, None);
        entries.push((item.id().clone(), action));
        built.append(&item).map_err(unavailable)
    };
    for (id, name) in &menu.pinned {
        add(name, TrayAction::Copy(id.clone()), menu.pinned_enabled)?;
    }
    if !menu.pinned.is_empty() {
        built
            .append(&PredefinedMenuItem::separator())
            .map_err(unavailable)?;
    }
    add(&menu.quick_pick, TrayAction::QuickPick, true)?;
    add(&menu.open, TrayAction::Open, true)?;
    if let Some(lock) = &menu.lock {
        add(lock, TrayAction::Lock, true)?;
    }
    built
        .append(&PredefinedMenuItem::separator())
        .map_err(unavailable)?;
    add(&menu.quit, TrayAction::Quit, true)?;
    Ok((built, entries))
}

impl NativeTray {
    pub fn start(
        menu: TrayMenu,
        icon: TrayIcon,
        handler: TrayHandler,
    ) -> Result<NativeTray, TrayError> {
        static HANDLERS_SET: std::sync::Once = std::sync::Once::new();
        HANDLERS_SET.call_once(|| {
            MenuEvent::set_event_handler(Some(|event: MenuEvent| {
                let current = CURRENT.lock().unwrap_or_else(PoisonError::into_inner);
                if let Some(current) = current.as_ref()
                    && let Some((_, action)) =
                        current.entries.iter().find(|(id, _)| *id == event.id)
                {
                    (current.handler)(TrayEvent::Chosen(action.clone()));
                }
            }));
            TrayIconEvent::set_event_handler(Some(|event: TrayIconEvent| {
                if let TrayIconEvent::Click {
                    button: MouseButton::Left,
                    button_state: MouseButtonState::Up,
                    ..
                } = event
                    && let Some(current) = CURRENT
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .as_ref()
                {
                    (current.handler)(TrayEvent::Chosen(TrayAction::Open));
                }
            }));
        });
        let (built, entries) = build(&menu)?;
        let image =
            tray_icon::Icon::from_rgba(icon.rgba, icon.width, icon.height).map_err(unavailable)?;
        let tray = TrayIconBuilder::new()
            .with_menu(Box::new(built))
            .with_tooltip(&menu.tooltip)
            .with_icon(image)
            // The left button opens the window; the menu is on the right one.
            .with_menu_on_left_click(false)
            .build()
            .map_err(unavailable)?;
        *CURRENT.lock().unwrap_or_else(PoisonError::into_inner) =
            Some(Current { entries, handler });
        Ok(NativeTray { icon: tray })
    }

    pub fn update(&self, menu: TrayMenu) {
        let Ok((built, entries)) = build(&menu) else {
            return;
        };
        self.icon.set_menu(Some(Box::new(built)));
        let _ = self.icon.set_tooltip(Some(&menu.tooltip));
        if let Some(current) = CURRENT
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .as_mut()
        {
            current.entries = entries;
        }
    }

    pub fn shown(&self) -> bool {
        true
    }
}

impl Drop for NativeTray {
    fn drop(&mut self) {
        *CURRENT.lock().unwrap_or_else(PoisonError::into_inner) = None;
    }
}
