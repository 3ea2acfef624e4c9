//! `KunciApp`: the window's state, the per-frame drain of worker events, and the layout.
//! The dialogs it shows are driven from `dialogs.rs`; the vault, the app lock and the
//! backup reminder from `protect.rs`.

mod dialogs;
mod protect;

use std::sync::Arc;
use std::time::{Duration, Instant};

use egui::{Key, RichText, Ui};

use kunci::accounts::Account;
use kunci::otp::OtpUri;
use kunci::settings::{Language, Settings};
use kunci::store::{DataDir, Existing};

use super::account_dialogs::{Choice, ChooseCode, CodeChoice, ConfirmDelete, EditDialog};
use super::account_list::{ListAction, ListView};
use super::account_row::SecretState;
use super::add_dialog::{AddDialog, AddOutcome};
use super::backup_reminder::{self, ReminderAction};
use super::clipboard::{CodeClipboard, clear_delay, copied_message};
use super::clock_panel::{ClockAction, ClockPanel, ClockSettingsDialog, ClockSettingsOutcome};
use super::clock_worker::{ClockEvent, ClockRequest, ClockWorker};
use super::export_dialog::{ExportDialog, ExportOutcome, Saved, accounts_of};
use super::help::{HelpAction, HelpDialog, HelpOutcome, HelpSection};
use super::import_dialog::{ImportDialog, ImportOutcome};
use super::lock::AppLock;
use super::protect_settings::{ProtectAction, ProtectDialog, ProtectOutcome};
use super::qr_dialog::{AccountQrDialog, MigrationQrDialog};
use super::redraw::next_redraw;
use super::reenrol_dialog::{ReenrolDialog, ReenrolOutcome};
use super::scan_dialog::{ScanDialog, ScanOutcome};
use super::settings_dialog::{SettingsDialog, SettingsOutcome, theme_preference};
use super::startup_trace::StartupTrace;
use super::vault_dialog::{VaultDialog, VaultOutcome, keychain_refused};
use super::vault_move::{MoveDialog, MoveOutcome, Place};
use super::worker::{Event, OpenError, Opener, Request, Worker};
use crate::i18n::Localize;

/// Unix time in seconds (fractional), so tests can fix it.
pub type Clock = Arc<dyn Fn() -> f64 + Send + Sync>;

/// The system clock.
pub fn system_clock() -> Clock {
    Arc::new(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs_f64())
            .unwrap_or(0.0)
    })
}

enum Phase {
    Opening,
    Open,
    Unavailable(OpenError),
    /// The encrypted vault: unlocking it, or creating it when asked to.
    Vault(Box<VaultDialog>),
}

enum Dialog {
    None,
    Add(AddDialog),
    Edit(EditDialog),
    ConfirmDelete(ConfirmDelete),
    /// Near the end of a period: copy the current code or the next one?
    ChooseCode(ChooseCode),
    ClockSettings(ClockSettingsDialog),
    Settings(SettingsDialog),
    /// The app lock and the backups (from Settings).
    Protect(Box<ProtectDialog>),
    Help(HelpDialog),
    About,
    Scan(Box<ScanDialog>),
    /// A new secret for an account: scanned for a known name, or asked for from its menu.
    Reenrol(ReenrolDialog),
    /// Accounts from another app's export file or a Kunci backup.
    Import(Box<ImportDialog>),
    /// A Kunci backup, or an unencrypted export.
    Export(Box<ExportDialog>),
    /// One account as a QR code.
    AccountQr(Box<AccountQrDialog>),
    /// Accounts as Google Authenticator export QR codes.
    MigrationQr(Box<MigrationQrDialog>),
    /// Moving the secrets between the keychain and the vault file (from Settings).
    MoveSecrets(Box<MoveDialog>),
}

/// What the window starts from.
pub struct Setup {
    pub opener: Opener,
    pub clock: Clock,
    pub settings: Settings,
    /// Where settings are saved; `None` when there is no data directory.
    pub data_dir: Option<DataDir>,
    /// Problems found while reading the settings, shown as notices.
    pub notices: Vec<String>,
}

pub struct KunciApp {
    /// The language of every word in the window (from the settings, else the system's).
    lang: Language,
    opener: Opener,
    clock: Clock,
    settings: Settings,
    data_dir: Option<DataDir>,
    worker: Option<Worker>,
    clock_worker: Option<ClockWorker>,
    clock_panel: ClockPanel,
    phase: Phase,
    list: ListView,
    dialog: Dialog,
    /// The account to re-enrol with what the open Scan dialog finds (instead of adding it).
    reenrol_after_scan: Option<Account>,
    notices: Vec<String>,
    toast: Option<(String, Instant)>,
    clipboard: CodeClipboard,
    /// The window was minimised to capture the screen; bring it back when done.
    restore_after_capture: bool,
    /// Start-up timing for scripts/bench-gui (only with KUNCI_STARTUP_TRACE=1).
    startup_trace: StartupTrace,
    /// The colours last handed to egui; applied again when the setting changes.
    applied_theme: Option<kunci::settings::Theme>,
    /// The app lock (off unless a lock passphrase is set).
    lock: AppLock,
    /// Where the secrets are kept, as the worker last said (asked once the store is open,
    /// and again when Settings opens).
    place: Option<Place>,
}

impl KunciApp {
    /// The store opens on the worker thread, started at the first frame.
    pub fn new(setup: Setup) -> Self {
        let Setup {
            opener,
            clock,
            settings,
            data_dir,
            notices,
        } = setup;
        let lock = AppLock::new(settings.lock_passphrase_hash.is_some(), clock());
        KunciApp {
            lock,
            lang: settings.language(),
            opener,
            clock,
            clock_panel: ClockPanel {
                use_network_time: settings.use_network_time,
                ..Default::default()
            },
            settings,
            data_dir,
            worker: None,
            clock_worker: None,
            phase: Phase::Opening,
            list: ListView::default(),
            dialog: Dialog::None,
            reenrol_after_scan: None,
            notices,
            toast: None,
            clipboard: CodeClipboard::default(),
            restore_after_capture: false,
            startup_trace: StartupTrace::from_env(),
            applied_theme: None,
            place: None,
        }
    }

    fn send(&mut self, request: Request) {
        if let Some(worker) = &mut self.worker {
            worker.send(request);
        }
    }

    /// Applies everything the workers have reported.
    fn drain(&mut self) {
        while let Some(event) = self.worker.as_mut().and_then(Worker::try_recv) {
            self.apply(event);
        }
        while let Some(event) = self.clock_worker.as_ref().and_then(ClockWorker::try_recv) {
            self.apply_clock(event);
        }
    }

    /// Takes in what the clock check found.
    pub fn apply_clock(&mut self, event: ClockEvent) {
        match event {
            ClockEvent::Checking => self.clock_panel.checking = true,
            ClockEvent::Checked(result) => {
                self.clock_panel.checking = false;
                self.clock_panel.last = Some(result);
            }
        }
    }

    fn clock_action(&mut self, action: ClockAction) {
        match action {
            ClockAction::CheckAgain => {
                if let Some(worker) = &self.clock_worker {
                    worker.send(ClockRequest::CheckNow);
                }
            }
            ClockAction::UseNetworkTime(on) => {
                self.settings.use_network_time = on;
                self.save_settings();
            }
            ClockAction::Help => {
                self.dialog = Dialog::Help(HelpDialog::new(HelpSection::Clock));
            }
            ClockAction::OpenSettings => {
                self.dialog =
                    Dialog::ClockSettings(ClockSettingsDialog::new(&self.settings, self.lang));
            }
        }
    }

    /// Asks the worker where the secrets are kept (`Event::Place`).
    fn check_place(&mut self) {
        if let Some(dir) = self.data_dir.clone() {
            self.send(Request::CheckPlace(dir));
        }
    }

    fn save_settings(&mut self) {
        if let Some(dir) = self.data_dir.clone() {
            let settings = self.settings.clone();
            self.send(Request::SaveSettings { dir, settings });
        }
    }

    /// The open Back up / export dialog, if any (tests set where it saves).
    #[cfg(test)]
    pub fn export_dialog(&mut self) -> Option<&mut ExportDialog> {
        match &mut self.dialog {
            Dialog::Export(dialog) => Some(dialog),
            _ => None,
        }
    }

    /// The QR codes on screen, if a QR dialog shows any (tests decode them).
    #[cfg(test)]
    pub fn qr_codes_shown(&self) -> Vec<&super::qr_view::QrView> {
        match &self.dialog {
            Dialog::AccountQr(dialog) => dialog.shown().into_iter().collect(),
            Dialog::MigrationQr(dialog) => dialog.shown().iter().collect(),
            _ => Vec::new(),
        }
    }

    /// The copied code waiting to be cleared from the clipboard, if any (for tests).
    #[cfg(test)]
    pub fn code_to_clear(&self) -> Option<&str> {
        self.clipboard.last_copied()
    }

    /// The code we copied and will clear on lock (whatever the clearing delay), if any.
    #[cfg(test)]
    pub fn copied_code(&self) -> Option<&str> {
        self.clipboard.ours()
    }

    /// Waits until the worker has finished all requests (tests use this; the UI never does).
    #[cfg(test)]
    pub fn wait_for_worker(&mut self, timeout: Duration) {
        let deadline = Instant::now() + timeout;
        while self.worker.as_ref().is_some_and(Worker::busy) && Instant::now() < deadline {
            let left = Worker::until(deadline);
            match self.worker.as_mut().and_then(|w| w.recv_timeout(left)) {
                Some(event) => self.apply(event),
                None => break,
            }
        }
        self.drain();
    }

    fn apply(&mut self, event: Event) {
        match event {
            Event::Opened { accounts, notices } => {
                self.phase = Phase::Open;
                // Known before Settings opens, so that its layout does not jump.
                if self.place.is_none() {
                    self.check_place();
                }
                self.list.set_accounts(accounts);
                let lang = self.lang;
                self.notices
                    .extend(notices.iter().map(|notice| notice.localize(lang)));
            }
            Event::Unavailable(why) => {
                self.phase = match (&why, &self.data_dir) {
                    (OpenError::VaultLocked, Some(dir)) => {
                        Phase::Vault(Box::new(VaultDialog::unlock(dir.clone())))
                    }
                    _ => Phase::Unavailable(why),
                }
            }
            Event::Secrets(secrets) => {
                for (id, result) in secrets {
                    let secret = match result {
                        Ok(secret) => SecretState::Ready(secret),
                        Err(why) => SecretState::Failed(why.localize(self.lang)),
                    };
                    self.list.set_secret(&id, secret);
                }
            }
            Event::Added { account, secret } => {
                self.show_toast(tr!(
                    self.lang,
                    "ui.toast.added",
                    name = account.display_name()
                ));
                self.list.push(account, secret);
                if matches!(self.dialog, Dialog::Add(_)) {
                    self.dialog = Dialog::None;
                }
            }
            Event::AddFailed(why) => {
                let why = why.localize(self.lang);
                if let Dialog::Add(dialog) = &mut self.dialog {
                    dialog.saving = false;
                    dialog.save_error = Some(why);
                } else {
                    self.notices.push(why);
                }
            }
            Event::Removed(id) => {
                if let Some(row) = self.list.remove(&id) {
                    let name = row.account.display_name();
                    self.show_toast(tr!(self.lang, "ui.toast.deleted", name = name));
                }
            }
            Event::Updated(account) => self.list.update(account),
            Event::Reordered(order) => self.list.apply_order(&order),
            Event::Reenrolled { account, secret } => {
                self.show_toast(tr!(
                    self.lang,
                    "ui.toast.reenrolled",
                    name = account.display_name()
                ));
                let id = account.id.clone();
                self.list.update(account);
                self.list.set_secret(&id, SecretState::Ready(secret));
            }
            Event::Imported { added, notes } => {
                self.show_toast(tr!(self.lang, "ui.toast.imported", count = added));
                let lang = self.lang;
                self.notices
                    .extend(notes.iter().map(|note| note.localize(lang)));
            }
            Event::Failed(why) => self.notices.push(why.localize(self.lang)),
            Event::Place(place) => self.place = Some(place),
            Event::Moved { to_vault, report } => {
                let count = report.moved + report.already_there;
                let text = if to_vault {
                    tr!(self.lang, "vault.move.done_vault", count = count)
                } else {
                    tr!(self.lang, "vault.move.done_keychain", count = count)
                };
                for id in &report.missing {
                    self.notices
                        .push(tr!(self.lang, "vault.cli.missing", id = id));
                }
                for id in &report.conflicts {
                    self.notices
                        .push(tr!(self.lang, "vault.cli.conflict", id = id));
                }
                match &mut self.dialog {
                    Dialog::MoveSecrets(dialog) => dialog.moved(text),
                    _ => self.show_toast(text),
                }
            }
            Event::MoveFailed(why) => {
                let why = why.localize(self.lang);
                match &mut self.dialog {
                    Dialog::MoveSecrets(dialog) => dialog.failed(why),
                    _ => self.notices.push(why),
                }
            }
            Event::BackedUp { at } => {
                self.settings.last_backup = Some(at);
                self.save_settings();
            }
            Event::Done => {}
        }
    }

    /// How a scanned account relates to those in the list (secrets already loaded).
    fn existing(&self, uri: &OtpUri) -> Existing {
        existing_in(&self.list, uri)
    }

    /// A scanned account: review it in the Add dialog, or offer to re-enrol a known one.
    fn review(&mut self, uri: OtpUri) {
        match self.existing(&uri) {
            Existing::Duplicate(account) => {
                self.dialog = Dialog::None;
                self.show_toast(tr!(
                    self.lang,
                    "ui.toast.already_there",
                    name = account.display_name()
                ));
            }
            Existing::NewSecret(account) => {
                self.dialog = Dialog::Reenrol(ReenrolDialog::confirm(account, uri))
            }
            Existing::New => self.dialog = Dialog::Add(AddDialog::from_uri(&uri, self.lang)),
        }
    }

    /// Picture files dropped onto the window, and Ctrl+V with nothing to paste text into,
    /// go to the Scan dialog; other dropped files (exports, backups) to the Import dialog.
    fn drops_and_paste(&mut self, ctx: &egui::Context) {
        if !matches!(self.phase, Phase::Open) {
            return;
        }
        let dropped = ctx.input(|i| i.raw.dropped_files.clone());
        let typing = ctx.memory(|m| m.focused().is_some());
        let paste = !typing
            && ctx.input(|i| {
                i.events.iter().any(|e| {
                    matches!(e, egui::Event::Key { key: Key::V, pressed: true, modifiers, .. } if modifiers.command)
                        || matches!(e, egui::Event::Paste(_))
                })
            });
        if dropped.is_empty() && !paste {
            return;
        }
        if let Some(file) = dropped.first().filter(|f| !is_picture(f.path())) {
            if !matches!(self.dialog, Dialog::Import(_)) {
                if !matches!(self.dialog, Dialog::None) {
                    return;
                }
                self.dialog = Dialog::Import(Box::new(ImportDialog::new(self.lang)));
            }
            if let Dialog::Import(import) = &mut self.dialog {
                import.open_file(ctx, file.path().to_path_buf());
            }
            return;
        }
        if !matches!(self.dialog, Dialog::Scan(_)) {
            if !matches!(self.dialog, Dialog::None) {
                return;
            }
            self.dialog = Dialog::Scan(Box::new(ScanDialog::new(self.lang)));
        }
        let Dialog::Scan(scan) = &mut self.dialog else {
            return;
        };
        if let Some(file) = dropped.into_iter().next() {
            scan.open_file(ctx, file.path().to_path_buf());
        } else if paste {
            scan.paste(ctx);
        }
    }

    /// A file was written: a backup is recorded (for the reminder) and either is confirmed.
    fn exported(&mut self, done: Saved) {
        let (path, count, lang) = (done.path.display(), done.count, self.lang);
        let text = if done.backup {
            self.settings.last_backup = Some((self.clock)() as i64);
            self.save_settings();
            if count == 1 {
                tr!(lang, "transfer.export.backup_saved_one", path = path)
            } else {
                tr!(
                    lang,
                    "transfer.export.backup_saved",
                    count = count,
                    path = path
                )
            }
        } else if count == 1 {
            tr!(lang, "transfer.export.exported_one", path = path)
        } else {
            tr!(lang, "transfer.export.exported", count = count, path = path)
        };
        self.show_toast(text);
    }

    fn show_toast(&mut self, text: String) {
        self.toast = Some((text, Instant::now()));
    }

    /// Unix time for codes: this computer's clock, corrected when network time is in use.
    fn now(&self) -> u64 {
        ((self.clock)() + self.clock_panel.offset_in_use()).max(0.0) as u64
    }

    fn copy(&mut self, ctx: &egui::Context, code: &str, name: &str) {
        let clear_after = clear_delay(self.settings.clipboard_clear_seconds);
        self.clipboard.copy(ctx, code, clear_after);
        self.show_toast(copied_message(self.lang, name, clear_after));
        if self.settings.minimize_after_copy {
            // Out of the way, so the browser behind is ready for Ctrl+V.
            ctx.send_viewport_cmd(egui::ViewportCommand::Minimized(true));
        }
    }

    /// What the first-run empty list asked for.
    pub(super) fn help_action(&mut self, action: HelpAction) {
        self.dialog = match action {
            HelpAction::Scan => Dialog::Scan(Box::new(ScanDialog::new(self.lang))),
            HelpAction::Add => Dialog::Add(AddDialog::new(self.lang)),
            HelpAction::Help(section) => Dialog::Help(HelpDialog::new(section)),
        };
    }

    /// Changed preferences (language, colours, clipboard…): in use at once, and saved.
    fn set_preferences(&mut self, settings: Settings) {
        let backups_changed = settings.auto_backup_folder != self.settings.auto_backup_folder
            || settings.auto_backup_keep != self.settings.auto_backup_keep;
        self.settings = settings;
        if backups_changed {
            self.configure_auto_backup();
        }
        self.lang = self.settings.language();
        self.save_settings();
    }

    /// The toolbar's menu: settings, help (also F1), about.
    fn menu_ui(&mut self, ui: &mut Ui) {
        let lang = self.lang;
        let mut lock_now = false;
        let open = matches!(self.phase, Phase::Open);
        // A word, not "☰": the built-in fonts have no such glyph, and a word is plainer.
        let menu = ui.menu_button(tr!(lang, "menu.button"), |ui| {
            let import = ui.add_enabled(open, egui::Button::new(tr!(lang, "transfer.menu.import")));
            let export = ui.add_enabled(open, egui::Button::new(tr!(lang, "transfer.menu.export")));
            if import.clicked() {
                Some(Dialog::Import(Box::new(ImportDialog::new(lang))))
            } else if export.clicked() {
                Some(Dialog::Export(Box::new(ExportDialog::new(lang))))
            } else if ui.button(tr!(lang, "menu.settings")).clicked() {
                Some(Dialog::Settings(SettingsDialog))
            } else if self.settings.lock_passphrase_hash.is_some()
                && ui
                    .add(
                        egui::Button::new(tr!(lang, "protect.menu.lock_now"))
                            .shortcut_text("Ctrl+L"),
                    )
                    .clicked()
            {
                lock_now = true;
                None
            } else if ui
                .add(egui::Button::new(tr!(lang, "menu.help")).shortcut_text("F1"))
                .clicked()
            {
                Some(Dialog::Help(HelpDialog::new(HelpSection::Enrol)))
            } else if ui.button(tr!(lang, "menu.about")).clicked() {
                Some(Dialog::About)
            } else {
                None
            }
        });
        if lock_now {
            self.lock_now(ui.ctx());
        }
        if matches!(menu.inner, Some(Some(Dialog::Settings(_)))) {
            // Again: a keychain may have come (or gone) since.
            self.check_place();
        }
        if let Some(Some(dialog)) = menu.inner {
            self.dialog = dialog;
        } else if matches!(self.dialog, Dialog::None)
            && ui.input_mut(|i| i.consume_key(egui::Modifiers::NONE, Key::F1))
        {
            self.dialog = Dialog::Help(HelpDialog::new(HelpSection::Enrol));
        }
    }

    /// The whole window, drawn once per frame.
    pub fn ui(&mut self, ui: &mut Ui) {
        if self.worker.is_none() {
            self.worker = Some(Worker::spawn(ui.ctx().clone(), self.opener.clone()));
            self.send(Request::Open);
            self.configure_auto_backup();
        }
        if self.clock_worker.is_none() {
            self.clock_worker = Some(ClockWorker::spawn(
                ui.ctx().clone(),
                self.settings.check_config(),
                self.settings.auto_check_time,
            ));
        }
        self.drain();
        if self.applied_theme != Some(self.settings.theme) {
            ui.ctx().set_theme(theme_preference(self.settings.theme));
            self.applied_theme = Some(self.settings.theme);
        }
        let lock_wake = self.watch_lock(ui.ctx());
        if self.lock_screen_ui(ui) {
            return;
        }
        let now = self.now();
        let ctx = ui.ctx().clone();

        egui::Panel::top("toolbar").show(ui, |ui| {
            ui.add_space(6.0);
            ui.horizontal(|ui| {
                // First, so the search and the buttons keep their places in every language.
                self.menu_ui(ui);
                // Room for "Scan QR" and "+ Add" (the longer Indonesian words too).
                let search_width = ui.available_width() - 190.0;
                self.list.search_ui(ui, self.lang, search_width);
                let can_add = matches!(self.phase, Phase::Open);
                if self.worker.as_ref().is_some_and(Worker::busy) {
                    ui.spinner()
                        .on_hover_text(tr!(self.lang, "ui.toolbar.working"));
                }
                if ui
                    .add_enabled(
                        can_add,
                        egui::Button::new(tr!(self.lang, "ui.toolbar.scan")),
                    )
                    .on_hover_text(tr!(self.lang, "ui.toolbar.scan_hover"))
                    .clicked()
                {
                    self.dialog = Dialog::Scan(Box::new(ScanDialog::new(self.lang)));
                }
                if ui
                    .add_enabled(can_add, egui::Button::new(tr!(self.lang, "ui.toolbar.add")))
                    .on_hover_text(tr!(self.lang, "ui.toolbar.add_hover"))
                    .clicked()
                {
                    self.dialog = Dialog::Add(AddDialog::new(self.lang));
                }
            });
            ui.add_space(6.0);
        });

        let status_action = egui::Panel::bottom("clock-status")
            .show(ui, |ui| {
                ui.add_space(2.0);
                let action = self.clock_panel.status_ui(ui, self.lang);
                ui.add_space(2.0);
                action
            })
            .inner;
        if let Some(action) = status_action {
            self.clock_action(action);
        }

        if let Some((text, at)) = &self.toast {
            if at.elapsed() < Duration::from_secs(4) {
                let text = text.clone();
                egui::Panel::bottom("toast").show(ui, |ui| {
                    ui.add_space(4.0);
                    ui.label(RichText::new(text).strong());
                    ui.add_space(4.0);
                });
            } else {
                self.toast = None;
            }
        }

        egui::CentralPanel::default().show(ui, |ui| {
            if let Some(action) = self.clock_panel.banner_ui(ui, self.lang) {
                self.clock_action(action);
            }
            self.notices_ui(ui);
            self.reminder_ui(ui);
            match &self.phase {
                Phase::Opening => {
                    ui.horizontal(|ui| {
                        ui.spinner();
                        ui.label(tr!(self.lang, "ui.opening"));
                    });
                }
                Phase::Unavailable(why) => {
                    let offer_vault = keychain_refused(why);
                    let why = why.localize(self.lang);
                    ui.colored_label(
                        ui.visuals().error_fg_color,
                        RichText::new(tr!(self.lang, "ui.unavailable.title")).strong(),
                    );
                    ui.label(why);
                    if ui
                        .button(tr!(self.lang, "ui.unavailable.try_again"))
                        .clicked()
                    {
                        self.phase = Phase::Opening;
                        self.send(Request::Open);
                    }
                    if offer_vault {
                        self.offer_vault_ui(ui);
                    }
                }
                Phase::Vault(_) => self.vault_ui(ui),
                Phase::Open => self.list_ui(ui, now),
            }
        });

        self.keyboard(&ctx, now);
        self.drops_and_paste(&ctx);
        self.dialog_ui(&ctx);

        // Repaint when a code or countdown changes (redraw.rs), never continuously.
        let t = (self.clock)() + self.clock_panel.offset_in_use();
        let focused = ctx.input(|i| i.viewport().focused).unwrap_or(true);
        let periods: std::collections::BTreeSet<u64> = self
            .list
            .rows
            .iter()
            .filter(|r| r.account.params.kind == kunci::otp::Kind::Totp)
            .map(|r| u64::from(r.account.params.period))
            .collect();
        // Without countdowns, still look again now and then (the clock line's "checked at").
        let mut wake = next_redraw(t, periods, focused).unwrap_or(Duration::from_secs(5));
        if let Some(until_clear) = self.clipboard.tick() {
            wake = wake.min(until_clear);
        }
        if let Some(until_lock) = lock_wake {
            wake = wake.min(until_lock);
        }
        ctx.request_repaint_after(wake);
        let all_codes = matches!(self.phase, Phase::Open)
            && !self
                .list
                .rows
                .iter()
                .any(|r| matches!(r.secret, SecretState::Loading));
        self.startup_trace.frame(all_codes);
    }

    fn notices_ui(&mut self, ui: &mut Ui) {
        let mut dismissed = None;
        for (i, notice) in self.notices.iter().enumerate() {
            egui::Frame::group(ui.style())
                .fill(ui.visuals().warn_fg_color.gamma_multiply(0.15))
                .show(ui, |ui| {
                    ui.set_width(ui.available_width());
                    ui.horizontal_wrapped(|ui| {
                        ui.label(notice);
                        if ui.small_button(tr!(self.lang, "common.dismiss")).clicked() {
                            dismissed = Some(i);
                        }
                    });
                });
        }
        if let Some(i) = dismissed {
            self.notices.remove(i);
        }
    }

    fn list_ui(&mut self, ui: &mut Ui, now: u64) {
        if self.list.rows.is_empty() {
            if let Some(action) = super::help::empty_state_ui(ui, self.lang) {
                self.help_action(action);
            }
            return;
        }
        let collapsed = &mut self.settings.collapsed_groups;
        for action in self.list.ui(ui, now, self.lang, collapsed) {
            self.list_action(ui.ctx(), action, now);
        }
    }

    /// Shortcuts while no dialog is open: Ctrl+N here, the list's own keys in the list.
    fn keyboard(&mut self, ctx: &egui::Context, now: u64) {
        if !matches!(self.dialog, Dialog::None) || !matches!(self.phase, Phase::Open) {
            return;
        }
        if ctx.input_mut(|i| i.consume_key(egui::Modifiers::COMMAND, Key::N)) {
            self.dialog = Dialog::Add(AddDialog::new(self.lang));
            return;
        }
        for action in self.list.keyboard(ctx, &self.settings.collapsed_groups) {
            self.list_action(ctx, action, now);
        }
    }

    /// Does what a row, its menu or a key asked for.
    fn list_action(&mut self, ctx: &egui::Context, action: ListAction, now: u64) {
        let account =
            |list: &ListView, id: &kunci::AccountId| list.row(id).map(|r| r.account.clone());
        match action {
            ListAction::Copy(id) => {
                let Some(row) = self.list.row(&id) else {
                    return;
                };
                let name = row.account.display_name();
                if row.next_code(now).is_some() {
                    self.dialog = Dialog::ChooseCode(ChooseCode { id, name });
                } else if let Some(code) = row.code(now) {
                    self.copy(ctx, &code, &name);
                }
            }
            ListAction::CopyNext(id) => {
                if let Some(row) = self.list.row(&id)
                    && let Some(code) = row.next_code(now)
                {
                    let name = row.account.display_name();
                    self.copy(ctx, &code, &name);
                }
            }
            ListAction::Edit(id) => {
                if let Some(account) = account(&self.list, &id) {
                    self.dialog = Dialog::Edit(EditDialog::new(&account));
                }
            }
            ListAction::TogglePin(id) => {
                if let Some(account) = account(&self.list, &id) {
                    let pinned = !account.pinned;
                    self.send(Request::SetPinned { id, pinned });
                }
            }
            ListAction::Reenrol(id) => {
                if let Some(account) = account(&self.list, &id) {
                    self.dialog = Dialog::Reenrol(ReenrolDialog::enter(account));
                }
            }
            ListAction::Delete(id) => {
                if let Some(account) = account(&self.list, &id) {
                    self.dialog = Dialog::ConfirmDelete(ConfirmDelete {
                        name: account.display_name(),
                        id,
                    });
                }
            }
            ListAction::ShowQr(id) => {
                if let Some(row) = self.list.row(&id)
                    && let SecretState::Ready(secret) = &row.secret
                {
                    let uri = row.account.to_uri(secret);
                    self.dialog = Dialog::AccountQr(Box::new(AccountQrDialog::new(uri)));
                }
            }
            ListAction::NextHotp(id) => self.send(Request::AdvanceCounter(id)),
            ListAction::Move { id, position } => self.send(Request::Move { id, position }),
            ListAction::CollapsedChanged => self.save_settings(),
        }
    }
}

/// How an account relates to those in the list (secrets already loaded).
fn existing_in(list: &ListView, uri: &OtpUri) -> Existing {
    Existing::among(uri, list.rows.iter().map(|r| &r.account), |account| {
        list.row(&account.id).and_then(|r| match &r.secret {
            SecretState::Ready(secret) => Some(secret.clone()),
            _ => None,
        })
    })
}

/// Whether a dropped file is a picture (for the Scan dialog) rather than an export file.
fn is_picture(path: &std::path::Path) -> bool {
    path.extension().and_then(|e| e.to_str()).is_some_and(|e| {
        ["png", "jpg", "jpeg", "webp", "bmp", "gif"]
            .iter()
            .any(|p| e.eq_ignore_ascii_case(p))
    })
}

impl eframe::App for KunciApp {
    fn ui(&mut self, ui: &mut Ui, _frame: &mut eframe::Frame) {
        KunciApp::ui(self, ui);
    }
}

/// Interaction tests against the real keychain (run them through `scripts/test`, which starts
/// a throwaway one) with a fixed clock.
#[cfg(test)]
mod tests;
