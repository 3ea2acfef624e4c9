//! Linux: a StatusNotifierItem with a D-Bus menu (ksni over zbus and async-io: no GTK, no
//! tokio). A supervisor thread owns the service and starts it again when a watcher refused the
//! registration (a watcher that takes its bus name before exporting its object answers
//! UnknownObject, and ksni does not retry).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use ksni::blocking::{Handle, TrayMethods as _};

use super::{TrayAction, TrayError, TrayEvent, TrayHandler, TrayIcon, TrayMenu};

const APP_ID: &str = "id.kunci.Kunci";

enum Control {
    /// The watcher refused the item: start the service again.
    Restart,
    Stop,
}

pub struct SniTray {
    handle: Arc<Mutex<Option<Handle<Item>>>>,
    /// The menu shown, kept to start the service again with it.
    menu: Arc<Mutex<TrayMenu>>,
    shown: Arc<AtomicBool>,
    control: Sender<Control>,
}

/// The item as ksni serves it.
struct Item {
    menu: TrayMenu,
    pixmap: ksni::Icon,
    handler: TrayHandler,
    shown: Arc<AtomicBool>,
    control: Sender<Control>,
}

impl Item {
    fn choose(&self, action: TrayAction) {
        (self.handler)(TrayEvent::Chosen(action));
    }

    fn set_shown(&self, shown: bool) {
        if self.shown.swap(shown, Ordering::SeqCst) != shown {
            (self.handler)(TrayEvent::HostChanged);
        }
    }
}

/// dbusmenu reads `_` as the mark of an access key: a literal one is written twice.
fn label(text: &str) -> String {
    text.replace('_', "__")
}

impl ksni::Tray for Item {
    fn id(&self) -> String {
        APP_ID.into()
    }

    fn title(&self) -> String {
        "Kunci".into()
    }

    fn icon_pixmap(&self) -> Vec<ksni::Icon> {
        vec![self.pixmap.clone()]
    }

    fn tool_tip(&self) -> ksni::ToolTip {
        ksni::ToolTip {
            title: "Kunci".into(),
            description: self.menu.tooltip.clone(),
            ..Default::default()
        }
    }

    /// A left click opens the window.
    fn activate(&mut self, _x: i32, _y: i32) {
        self.choose(TrayAction::Open);
    }

    fn menu(&self) -> Vec<ksni::MenuItem<Self>> {
        use ksni::menu::StandardItem;
        let entry = |text: &str, action: TrayAction, enabled: bool| -> ksni::MenuItem<Self> {
            StandardItem {
                label: label(text),
                enabled,
                activate: Box::new(move |item: &mut Self| item.choose(action.clone())),
                ..Default::default()
            }
            .into()
        };
        let menu = &self.menu;
        let mut items: Vec<ksni::MenuItem<Self>> = menu
            .pinned
            .iter()
            .map(|(id, name)| entry(name, TrayAction::Copy(id.clone()), menu.pinned_enabled))
            .collect();
        if !items.is_empty() {
            items.push(ksni::MenuItem::Separator);
        }
        items.push(entry(&menu.quick_pick, TrayAction::QuickPick, true));
        items.push(entry(&menu.open, TrayAction::Open, true));
        if let Some(lock) = &menu.lock {
            items.push(entry(lock, TrayAction::Lock, true));
        }
        items.push(ksni::MenuItem::Separator);
        items.push(entry(&menu.quit, TrayAction::Quit, true));
        items
    }

    fn watcher_online(&self) {
        self.set_shown(true);
    }

    fn watcher_offline(&self, reason: ksni::OfflineReason) -> bool {
        self.set_shown(false);
        // Registration refused by a watcher still starting up: begin again shortly.
        if format!("{reason:?}").contains("UnknownObject") {
            let _ = self.control.send(Control::Restart);
            return false;
        }
        // No watcher (yet): keep the service, it registers when one appears.
        true
    }
}

/// ARGB32 in network byte order, as StatusNotifierItem wants it.
fn pixmap(icon: &TrayIcon) -> ksni::Icon {
    let data = icon
        .rgba
        .chunks_exact(4)
        .flat_map(|p| [p[3], p[0], p[1], p[2]])
        .collect();
    ksni::Icon {
        width: i32::try_from(icon.width).unwrap_or(0),
        height: i32::try_from(icon.height).unwrap_or(0),
        data,
    }
}

impl SniTray {
    pub fn start(
        menu: TrayMenu,
        icon: TrayIcon,
        handler: TrayHandler,
    ) -> Result<SniTray, TrayError> {
        let (control, orders) = channel();
        let tray = SniTray {
            handle: Arc::new(Mutex::new(None)),
            menu: Arc::new(Mutex::new(menu)),
            shown: Arc::new(AtomicBool::new(true)),
            control: control.clone(),
        };
        let item = {
            let (menu, shown) = (tray.menu.clone(), tray.shown.clone());
            let pixmap = pixmap(&icon);
            move || Item {
                menu: menu.lock().unwrap_or_else(PoisonError::into_inner).clone(),
                pixmap: pixmap.clone(),
                handler: handler.clone(),
                shown: shown.clone(),
                control: control.clone(),
            }
        };
        // The first start here, so that no session bus is an error the window can tell.
        let first = item()
            .assume_sni_available(true)
            .spawn()
            .map_err(|e| TrayError::Unavailable(e.to_string()))?;
        *tray.handle.lock().unwrap_or_else(PoisonError::into_inner) = Some(first);
        let (slot, shown) = (tray.handle.clone(), tray.shown.clone());
        std::thread::Builder::new()
            .name("kunci-tray".into())
            .spawn(move || supervise(&slot, &shown, orders, item))
            .map_err(|e| TrayError::Unavailable(e.to_string()))?;
        Ok(tray)
    }

    pub fn update(&self, menu: TrayMenu) {
        *self.menu.lock().unwrap_or_else(PoisonError::into_inner) = menu.clone();
        if let Some(handle) = self
            .handle
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .as_ref()
        {
            handle.update(move |item| item.menu = menu);
        }
    }

    pub fn shown(&self) -> bool {
        self.shown.load(Ordering::SeqCst)
    }
}

impl Drop for SniTray {
    fn drop(&mut self) {
        let _ = self.control.send(Control::Stop);
    }
}

/// Starts the service again each time the watcher refused it (at most a few times a second),
/// and shuts it down when the tray is dropped.
fn supervise(
    slot: &Mutex<Option<Handle<Item>>>,
    shown: &AtomicBool,
    orders: Receiver<Control>,
    item: impl Fn() -> Item,
) {
    let take = || slot.lock().unwrap_or_else(PoisonError::into_inner).take();
    for order in orders {
        if let Some(old) = take() {
            old.shutdown().wait();
        }
        match order {
            Control::Stop => return,
            Control::Restart => {
                std::thread::sleep(Duration::from_millis(500));
                // Shown unless this start is refused too (watcher_offline says so).
                shown.store(true, Ordering::SeqCst);
                let started = item().assume_sni_available(true).spawn();
                *slot.lock().unwrap_or_else(PoisonError::into_inner) = started.ok();
            }
        }
    }
}
