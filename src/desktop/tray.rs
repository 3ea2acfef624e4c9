//! The tray icon and its menu: pinned accounts (a click copies the code), Quick pick, Open,
//! Lock and Quit. On Linux a StatusNotifierItem over D-Bus (ksni: KDE, XFCE, Cinnamon, Budgie,
//! GNOME with the AppIndicator extension); on Windows and macOS the system's own tray
//! (tray-icon). The menu's words come from the window; this module has none of its own.

use std::sync::Arc;

#[cfg(any(windows, target_os = "macos"))]
mod native;
#[cfg(target_os = "linux")]
mod sni;

/// What the menu shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrayMenu {
    pub tooltip: String,
    /// Pinned accounts: an id the window knows them by, and the words shown.
    pub pinned: Vec<(String, String)>,
    /// False while Kunci is locked: the pinned entries are shown greyed out.
    pub pinned_enabled: bool,
    pub quick_pick: String,
    pub open: String,
    /// `None`: no app lock is set, so no Lock entry.
    pub lock: Option<String>,
    pub quit: String,
}

/// What the user chose in the tray.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TrayAction {
    /// Copy the code of the pinned account with this id.
    Copy(String),
    QuickPick,
    /// Show the window (also a left click on the icon).
    Open,
    Lock,
    Quit,
}

/// What the tray tells the window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TrayEvent {
    Chosen(TrayAction),
    /// A tray host appeared or went away: see [`Tray::shown`].
    HostChanged,
}

/// Called from the tray's thread (Linux) or the event loop's (Windows, macOS).
pub type TrayHandler = Arc<dyn Fn(TrayEvent) + Send + Sync>;

/// The icon as RGBA pixels, row by row.
#[derive(Clone)]
pub struct TrayIcon {
    pub width: u32,
    pub height: u32,
    pub rgba: Vec<u8>,
}

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TrayError {
    /// No session bus (Linux), or the system refused the icon.
    #[error("the tray is not available: {0}")]
    Unavailable(String),
}

/// The icon in the tray, for as long as this lives.
pub struct Tray {
    #[cfg(target_os = "linux")]
    inner: sni::SniTray,
    #[cfg(any(windows, target_os = "macos"))]
    inner: native::NativeTray,
}

impl Tray {
    /// Puts the icon in the tray. On Windows and macOS this must run on the thread of the
    /// window's event loop.
    pub fn start(menu: TrayMenu, icon: TrayIcon, handler: TrayHandler) -> Result<Tray, TrayError> {
        #[cfg(target_os = "linux")]
        let inner = sni::SniTray::start(menu, icon, handler)?;
        #[cfg(any(windows, target_os = "macos"))]
        let inner = native::NativeTray::start(menu, icon, handler)?;
        #[cfg(not(any(target_os = "linux", windows, target_os = "macos")))]
        {
            let _ = (menu, icon, handler);
            return Err(TrayError::Unavailable("no tray on this system".into()));
        }
        #[cfg(any(target_os = "linux", windows, target_os = "macos"))]
        Ok(Tray { inner })
    }

    /// Shows another menu (the pinned accounts changed, Kunci locked or unlocked, the
    /// language changed).
    pub fn update(&self, menu: TrayMenu) {
        #[cfg(any(target_os = "linux", windows, target_os = "macos"))]
        self.inner.update(menu);
        #[cfg(not(any(target_os = "linux", windows, target_os = "macos")))]
        let _ = menu;
    }

    /// Whether a tray host shows the icon, so that a hidden window can be reached again.
    /// Always on Windows and macOS; on Linux while a StatusNotifierWatcher has the item.
    pub fn shown(&self) -> bool {
        #[cfg(any(target_os = "linux", windows, target_os = "macos"))]
        {
            self.inner.shown()
        }
        #[cfg(not(any(target_os = "linux", windows, target_os = "macos")))]
        false
    }
}
