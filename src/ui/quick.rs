//! The window's side of quick access: the global shortcut, the tray and requests from other
//! launches (`kunci pick`, a second start) all become [`QuickEvent`]s in one channel, which the
//! app drains in `App::logic` (eframe runs that even while the window is hidden).

use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, OnceLock};

#[cfg(target_os = "linux")]
use kunci::desktop::TrayError;
use kunci::desktop::{
    Autostart, GlobalHotkey, HotkeyEvent, HotkeyStatus, Shortcut, Tray, TrayAction, TrayEvent,
    TrayIcon, TrayMenu, TypingError,
};
use zeroize::Zeroizing;

/// Something for the window to do, from outside its own frame.
pub enum QuickEvent {
    /// Bring up the quick picker.
    Pick,
    /// Show the window (a second launch, the tray's Open or a click on its icon).
    Show,
    /// Chosen in the tray's menu (Copy, Lock, Quit; Open and Quick pick come as the above).
    Tray(TrayAction),
    /// The shortcut's or the tray's status changed: draw again.
    Changed,
    /// The tray, started off the UI thread (Linux only: it waits for D-Bus there; Windows'
    /// and macOS' trays are made, and must stay, on the event loop's thread).
    #[cfg(target_os = "linux")]
    TrayStarted(Result<Tray, TrayError>),
    /// Shift+Enter's typing is over (it runs on a thread of its own).
    Typed {
        result: Result<(), TypingError>,
        code: Zeroizing<String>,
        name: String,
    },
}

/// Sends [`QuickEvent`]s and wakes the window (once it is known) to handle them.
#[derive(Clone)]
pub struct QuickSender {
    tx: Sender<QuickEvent>,
    ctx: Arc<OnceLock<egui::Context>>,
}

impl QuickSender {
    pub fn send(&self, event: QuickEvent) {
        let _ = self.tx.send(event);
        if let Some(ctx) = self.ctx.get() {
            ctx.request_repaint();
        }
    }
}

/// The tray, as far as it got.
enum TrayState {
    Off,
    /// Linux only: started off the UI thread.
    #[cfg(target_os = "linux")]
    Starting,
    Running {
        tray: Tray,
        menu: TrayMenu,
    },
    Failed(String),
}

/// The shortcut's listener, the tray and the start-up entry, kept as the settings say.
pub struct QuickAccess {
    sender: QuickSender,
    events: Receiver<QuickEvent>,
    /// Whether to start the real shortcut and tray (the tests draw the window without them).
    services: bool,
    /// The shortcut setting last applied (`Some(None)`: off).
    applied: Option<Option<String>>,
    hotkey: Option<GlobalHotkey>,
    /// Why the setting is not a shortcut.
    hotkey_problem: Option<String>,
    tray: TrayState,
    autostart: Option<Autostart>,
}

impl QuickAccess {
    /// `services`: start the shortcut and the tray (the real window); `autostart`: the start-up
    /// entry Settings turns on and off (`None`: this system has no place for one).
    pub fn new(services: bool, autostart: Option<Autostart>) -> QuickAccess {
        let (tx, events) = channel();
        QuickAccess {
            sender: QuickSender {
                tx,
                ctx: Arc::new(OnceLock::new()),
            },
            events,
            services,
            applied: None,
            hotkey: None,
            hotkey_problem: None,
            tray: TrayState::Off,
            autostart,
        }
    }

    /// Where other threads and launches send their requests.
    pub fn sender(&self) -> QuickSender {
        self.sender.clone()
    }

    /// The window's context, to wake it for each event (set once, at the first frame).
    pub fn attach(&self, ctx: &egui::Context) {
        let _ = self.sender.ctx.set(ctx.clone());
    }

    /// The next waiting event, if any.
    pub fn next_event(&self) -> Option<QuickEvent> {
        self.events.try_recv().ok()
    }

    pub fn autostart(&self) -> Option<&Autostart> {
        self.autostart.as_ref()
    }

    /// Listens for `setting`'s shortcut (`None`: off), starting the listener again only when
    /// the setting changed. Runs on the event loop's thread, as Windows and macOS require.
    pub fn set_shortcut(&mut self, setting: Option<&str>) {
        if !self.services
            || self
                .applied
                .as_ref()
                .is_some_and(|a| a.as_deref() == setting)
        {
            return;
        }
        self.applied = Some(setting.map(str::to_string));
        // The old listener goes first: the new one may want the same keys.
        self.hotkey = None;
        self.hotkey_problem = None;
        let Some(setting) = setting else {
            return;
        };
        match setting.parse::<Shortcut>() {
            Ok(shortcut) => {
                let sender = self.sender.clone();
                let handler = Arc::new(move |event: HotkeyEvent| {
                    sender.send(match event {
                        HotkeyEvent::Pressed => QuickEvent::Pick,
                        HotkeyEvent::StatusChanged => QuickEvent::Changed,
                    })
                });
                let listener = GlobalHotkey::listen(shortcut, handler);
                // Said on stderr too, for whoever wonders why the keys do nothing.
                match listener.status() {
                    HotkeyStatus::Active { trigger, .. } => {
                        eprintln!("kunci: listening for the quick-pick shortcut {trigger}")
                    }
                    HotkeyStatus::Waiting => {
                        eprintln!(
                            "kunci: asking the desktop for the quick-pick shortcut {shortcut}"
                        )
                    }
                    HotkeyStatus::Unavailable(why) => {
                        eprintln!(
                            "kunci: the quick-pick shortcut {shortcut} does not work here: {why}"
                        )
                    }
                }
                self.hotkey = Some(listener);
            }
            Err(e) => self.hotkey_problem = Some(e.to_string()),
        }
    }

    /// Listens again for the same shortcut (it was taken, and may be free now).
    pub fn retry_shortcut(&mut self) {
        let setting = self.applied.take().flatten();
        self.applied = Some(None);
        self.hotkey = None;
        self.set_shortcut(setting.as_deref());
    }

    /// How the shortcut is doing: `None` when it is off (or in tests); `Err` when the setting
    /// is not a shortcut.
    pub fn shortcut_status(&self) -> Option<Result<HotkeyStatus, String>> {
        if let Some(problem) = &self.hotkey_problem {
            return Some(Err(problem.clone()));
        }
        self.hotkey.as_ref().map(|h| Ok(h.status()))
    }

    /// Shows the tray icon with `menu` (or removes it with `None`), updating the menu when it
    /// changed.
    pub fn set_tray(&mut self, menu: Option<TrayMenu>) {
        if !self.services {
            return;
        }
        match (menu, &mut self.tray) {
            (None, TrayState::Off) => {}
            (None, _) => self.tray = TrayState::Off,
            (Some(menu), TrayState::Off) => self.start_tray(menu),
            (Some(menu), TrayState::Running { tray, menu: shown }) => {
                if *shown != menu {
                    tray.update(menu.clone());
                    *shown = menu;
                }
            }
            #[cfg(target_os = "linux")]
            (Some(_), TrayState::Starting) => {}
            (Some(_), TrayState::Failed(_)) => {}
        }
    }

    fn start_tray(&mut self, menu: TrayMenu) {
        let sender = self.sender.clone();
        let handler = Arc::new(move |event: TrayEvent| {
            sender.send(match event {
                TrayEvent::Chosen(TrayAction::QuickPick) => QuickEvent::Pick,
                TrayEvent::Chosen(TrayAction::Open) => QuickEvent::Show,
                TrayEvent::Chosen(action) => QuickEvent::Tray(action),
                TrayEvent::HostChanged => QuickEvent::Changed,
            })
        });
        let icon = tray_icon();
        // Linux: the service waits for the session bus; off the UI thread. Windows and macOS:
        // on the event loop's thread, as they require (it takes no time there).
        #[cfg(target_os = "linux")]
        {
            let sender = self.sender.clone();
            self.tray = TrayState::Starting;
            let first_menu = menu.clone();
            let spawned = std::thread::Builder::new()
                .name("kunci-tray-start".into())
                .spawn(move || {
                    sender.send(QuickEvent::TrayStarted(Tray::start(
                        first_menu, icon, handler,
                    )))
                });
            if let Err(e) = spawned {
                self.tray = TrayState::Failed(e.to_string());
            }
        }
        #[cfg(not(target_os = "linux"))]
        {
            self.tray = match Tray::start(menu.clone(), icon, handler) {
                Ok(tray) => TrayState::Running { tray, menu },
                Err(e) => TrayState::Failed(e.to_string()),
            };
        }
    }

    /// The started tray arrived (or why it could not start).
    #[cfg(target_os = "linux")]
    pub fn tray_started(&mut self, started: Result<Tray, TrayError>, menu: TrayMenu) {
        if !matches!(self.tray, TrayState::Starting) {
            // Turned off meanwhile: dropping it removes it.
            return;
        }
        self.tray = match started {
            Ok(tray) => {
                tray.update(menu.clone());
                TrayState::Running { tray, menu }
            }
            Err(e) => TrayState::Failed(e.to_string()),
        };
    }

    /// Whether a tray shows Kunci's icon now, so that a hidden window can be found again.
    pub fn tray_shown(&self) -> bool {
        matches!(&self.tray, TrayState::Running { tray, .. } if tray.shown())
    }

    /// Whether a tray item runs (shown by a host or not).
    pub fn tray_running(&self) -> bool {
        matches!(self.tray, TrayState::Running { .. })
    }

    /// Whether the tray is still starting (its host not known yet).
    pub fn tray_starting(&self) -> bool {
        #[cfg(target_os = "linux")]
        return matches!(self.tray, TrayState::Starting);
        #[cfg(not(target_os = "linux"))]
        false
    }

    /// Why the tray could not start, if it could not.
    pub fn tray_problem(&self) -> Option<&str> {
        match &self.tray {
            TrayState::Failed(why) => Some(why),
            _ => None,
        }
    }
}

/// Kunci's icon at the size trays draw (32 px: crisp at 16 and 24 too).
fn tray_icon() -> TrayIcon {
    let png = include_bytes!("../../assets/icon/png/kunci-32.png");
    match image::load_from_memory_with_format(png, image::ImageFormat::Png) {
        Ok(image) => {
            let rgba = image.to_rgba8();
            TrayIcon {
                width: rgba.width(),
                height: rgba.height(),
                rgba: rgba.into_raw(),
            }
        }
        // Not reached with the icon built in; a plain square keeps the tray usable.
        Err(_) => TrayIcon {
            width: 1,
            height: 1,
            rgba: vec![0x1f, 0x6f, 0xeb, 0xff],
        },
    }
}
