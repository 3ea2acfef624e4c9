//! What a part of the window asks the app to do. The toolbar, the menu, the list, the banners
//! and every dialog return a [`Command`] instead of setting flags; `KunciApp::run` carries
//! them out in one place, after drawing (egui's demo app: `backend_panel` → `Command` →
//! `run_cmd`; Rerun's viewer: commands drained once a frame).
//!
//! This module names things only: it knows no dialog, so every dialog can use it.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::Arc;

use kunci::accounts::{Account, AccountId};
use kunci::otp::OtpUri;
use kunci::settings::Settings;
use kunci::store::Vault;
use zeroize::Zeroizing;

use super::worker::Request;

/// One thing to do; dropping one unread is a bug, hence `must_use`.
#[must_use]
pub enum Command {
    /// Close the open dialog.
    CloseDialog,
    /// Open a dialog (in place of the open one).
    Show(Screen),
    /// Ask the store's worker; the dialog stays open (its result comes back as an event).
    Request(Request),
    /// Ask the store's worker and close the dialog.
    RequestAndClose(Request),
    /// Add a typed or reviewed account (the Add dialog waits for the result).
    Add(OtpUri),
    /// Put a code on the clipboard (and clear it later), saying whose it is.
    Copy { code: String, name: String },
    /// A code of `id` near the end of its period: ask whether the current or the next one.
    ChooseCode(AccountId),
    /// A scanned account: review it in the Add dialog, or offer to re-enrol a known one.
    Review(OtpUri),
    /// Accounts picked from scanned export QR codes: import them.
    ImportScanned(Vec<OtpUri>),
    /// Scan a QR code to re-enrol this account.
    ScanFor(Account),
    /// Show these accounts as Google Authenticator export QR codes.
    ShowMigrationQr(Vec<OtpUri>),
    /// A file was written by the export dialog.
    Exported(Saved),
    /// Changed preferences: in use at once, and saved.
    Preferences(Settings),
    /// New time settings (servers, automatic checks, network time): in use at once, and saved.
    TimeSettings(Settings),
    /// Check the clock against network time now.
    CheckClock,
    /// Use network time for the codes (or stop).
    UseNetworkTime(bool),
    /// Keep this passphrase for the automatic backups and back up into `folder` from now on.
    AutoBackupOn {
        folder: PathBuf,
        passphrase: Zeroizing<String>,
    },
    /// Stop the automatic backups and forget their passphrase.
    AutoBackupOff,
    /// The reminder was dismissed for these accounts.
    DismissReminder(BTreeSet<String>),
    /// The vault is unlocked (or created): open the store on it; show these notices.
    VaultReady {
        vault: Arc<Vault>,
        notices: Vec<String>,
    },
    /// The person left the vault's screens: try the keychain again.
    BackToKeychain,
    /// Lock the window now.
    LockNow,
    /// Start Kunci with the system (or stop).
    Autostart(bool),
    /// Listen for the same shortcut again (another program had it).
    RetryShortcut,
}

impl Command {
    /// Whether a passphrase was just submitted or its dialog is going away: then what egui
    /// keeps of the typed secret fields is dropped.
    pub fn ends_typing_secrets(&self) -> bool {
        matches!(
            self,
            Command::CloseDialog
                | Command::Show(_)
                | Command::RequestAndClose(_)
                | Command::Request(Request::MoveToVault(_))
                | Command::Exported(_)
                | Command::AutoBackupOn { .. }
                | Command::VaultReady { .. }
                | Command::BackToKeychain
                | Command::LockNow
        )
    }
}

/// The dialogs a command can open (the app builds them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Screen {
    Add,
    Scan,
    Import,
    Export,
    Settings,
    TimeSettings,
    Protect,
    /// Settings → Faster log-in (the shortcut, the tray, starting with the system).
    QuickSettings,
    MoveSecrets,
    Help(HelpSection),
    About,
    Edit(AccountId),
    ConfirmDelete(AccountId),
    Reenrol(AccountId),
    AccountQr(AccountId),
}

/// A page of the help.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum HelpSection {
    #[default]
    Enrol,
    NoBarcode,
    NewBarcode,
    Clock,
    /// Faster log-in: the shortcut, the picker and the tray.
    Quick,
}

/// A file the export dialog wrote.
pub struct Saved {
    pub path: PathBuf,
    pub count: usize,
    /// A Kunci backup (encrypted), as opposed to an unencrypted export.
    pub backup: bool,
}
