//! `KunciApp`: the window's state, the per-frame drain of worker events, and the layout.
//! The dialogs it shows, and the commands everything returns, are run in `dialogs.rs`; the
//! vault, the app lock and the backup reminder are in `protect.rs`.

mod dialogs;
mod events;
mod list;
mod protect;
mod quick;

use std::time::{Duration, Instant};

use egui::{Key, RichText, Ui};

use kunci::accounts::{Account, AccountId, Existing};
use kunci::otp::OtpUri;
use kunci::settings::{Language, Settings};
use kunci::store::{DataDir, OpenError};

use super::account_dialogs::{ChooseCode, ConfirmDelete, EditDialog};
use super::account_list::{ListAction, ListView};
use super::account_row::{NEXT_CODE_SECONDS, SecretState};
use super::add_dialog::AddDialog;
use super::backup_reminder;
use super::cheap_frames;
use super::clipboard::{CodeClipboard, clear_delay, copied_message};
use super::clock_panel::{ClockPanel, ClockSettingsDialog};
use super::clock_worker::{ClockEvent, ClockRequest, ClockWorker};
use super::command::{Command, HelpSection, Saved, Screen};
use super::countdown::{self, TickPlan};
use super::export_dialog::{ExportDialog, accounts_of};
use super::help::HelpDialog;
use super::import_dialog::ImportDialog;
use super::lock::AppLock;
use super::protect_settings::ProtectDialog;
use super::qr_dialog::{AccountQrDialog, MigrationQrDialog};
use super::quick::QuickAccess;
use super::quick_settings::{QuickSettingsDialog, QuickStatus};
use super::redraw::{next_redraw, redraws};
use super::reenrol_dialog::ReenrolDialog;
use super::scan_dialog::ScanDialog;
use super::settings_dialog::{SettingsDialog, theme_preference};
use super::startup_trace::StartupTrace;
use super::vault_dialog::VaultDialog;
use super::vault_move::MoveDialog;
use super::worker::{Event, LocationReport, Opener, Request, Worker};
use crate::i18n::Localize;

pub use super::clock::{Clock, system_clock};

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
    /// The shortcut, the tray and starting with the system (from Settings).
    QuickSettings(Box<QuickSettingsDialog>),
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

/// How far ahead a pass plans the seconds that only move the countdowns (see
/// [`countdown::Ticks`]): a pass runs again at least this often.
const TICKS_AHEAD: Duration = Duration::from_secs(60);

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
    /// Other account lists found in the secret store while this one is empty.
    earlier_lists: Vec<kunci::store::EarlierList>,
    /// Where the secrets are kept, as the worker last said (asked once the store is open,
    /// and again when Settings opens).
    location: Option<LocationReport>,
    /// The shortcut, the tray and other launches' requests.
    quick: QuickAccess,
    /// The picker, hiding to the tray, starting hidden.
    state: quick::QuickState,
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
        let lock = AppLock::new(settings.has_lock(), clock());
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
            location: None,
            earlier_lists: Vec::new(),
            quick: QuickAccess::new(false, None),
            state: quick::QuickState::default(),
        }
    }

    /// Quick access as the real window has it (`services`: the shortcut and the tray), and
    /// whether to start hidden (`--minimized`, or the setting).
    pub fn with_quick(mut self, quick: QuickAccess, start_hidden: bool) -> Self {
        self.quick = quick;
        self.state.start_hidden = start_hidden || self.settings.start_minimized;
        self
    }

    /// Where other launches' requests go.
    #[cfg(test)]
    pub fn quick_sender(&self) -> super::quick::QuickSender {
        self.quick.sender()
    }

    fn send(&mut self, request: Request) {
        if let Some(worker) = &mut self.worker {
            worker.send(request);
        }
    }

    /// Asks the worker where the secrets are kept (`Event::LocationReport`).
    fn check_location(&mut self) {
        if let Some(dir) = self.data_dir.clone() {
            self.send(Request::CheckLocation(dir));
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

    /// Shows a notice (tests; the window's own come from the worker and the settings).
    #[cfg(test)]
    pub fn add_notice(&mut self, text: String) {
        self.notices.push(text);
    }

    /// Replaces the clock that stops while the computer sleeps (tests simulate a suspend).
    #[cfg(test)]
    pub fn set_monotonic_clock(&mut self, clock: Clock) {
        self.lock.set_monotonic_clock(clock);
    }

    /// The copied code waiting to be cleared from the clipboard, if any (for tests).
    #[cfg(test)]
    pub fn code_to_clear(&self) -> Option<String> {
        self.clipboard.last_copied()
    }

    /// The code we copied and will clear on lock (whatever the clearing delay), if any.
    #[cfg(test)]
    pub fn copied_code(&self) -> Option<String> {
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
        self.clock_panel.code_time((self.clock)()).max(0.0) as u64
    }

    fn copy(&mut self, ctx: &egui::Context, code: &str, name: &str) {
        self.copy_code(ctx, code, name);
        if self.settings.minimize_after_copy {
            // Out of the way, so the browser behind is ready for Ctrl+V.
            ctx.send_viewport_cmd(egui::ViewportCommand::Minimized(true));
        }
    }

    /// Puts a code on the clipboard (cleared after the delay set) and says so.
    fn copy_code(&mut self, ctx: &egui::Context, code: &str, name: &str) {
        let clear_after = clear_delay(self.settings.clipboard_clear_seconds);
        self.clipboard.copy(ctx, code, clear_after);
        self.show_toast(copied_message(self.lang, name, clear_after));
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

    /// The toolbar's menu: import, export, settings, lock, help (also F1), about.
    fn menu_ui(&mut self, ui: &mut Ui) -> Option<Command> {
        let lang = self.lang;
        let open = matches!(self.phase, Phase::Open);
        let can_lock = self.settings.has_lock();
        // A word, not "☰": the built-in fonts have no such glyph, and a word is plainer.
        let menu = ui.menu_button(tr!(lang, "menu.button"), |ui| {
            let import = ui.add_enabled(open, egui::Button::new(tr!(lang, "transfer.menu.import")));
            let export = ui.add_enabled(open, egui::Button::new(tr!(lang, "transfer.menu.export")));
            if import.clicked() {
                Some(Command::Show(Screen::Import))
            } else if export.clicked() {
                Some(Command::Show(Screen::Export))
            } else if ui.button(tr!(lang, "menu.settings")).clicked() {
                Some(Command::Show(Screen::Settings))
            } else if can_lock
                && ui
                    .add(
                        egui::Button::new(tr!(lang, "protect.menu.lock_now"))
                            .shortcut_text("Ctrl+L"),
                    )
                    .clicked()
            {
                Some(Command::LockNow)
            } else if ui
                .add(egui::Button::new(tr!(lang, "menu.help")).shortcut_text("F1"))
                .clicked()
            {
                Some(Command::Show(Screen::Help(HelpSection::Enrol)))
            } else if ui.button(tr!(lang, "menu.about")).clicked() {
                Some(Command::Show(Screen::About))
            } else {
                None
            }
        });
        if let Some(Some(command)) = menu.inner {
            return Some(command);
        }
        (matches!(self.dialog, Dialog::None)
            && ui.input_mut(|i| i.consume_key(egui::Modifiers::NONE, Key::F1)))
        .then_some(Command::Show(Screen::Help(HelpSection::Enrol)))
    }

    /// The workers started (at the first frame, or the first pass while hidden) and what
    /// they reported taken in.
    fn background(&mut self, ctx: &egui::Context) {
        if self.worker.is_none() {
            self.worker = Some(Worker::spawn(ctx.clone(), self.opener.clone()));
            self.send(Request::Open);
            self.configure_auto_backup();
        }
        if self.clock_worker.is_none() {
            self.clock_worker = Some(ClockWorker::spawn(
                ctx.clone(),
                self.settings.check_config(),
                self.settings.auto_check_time,
            ));
        }
        self.drain();
    }

    /// The whole window, drawn once per frame.
    pub fn ui(&mut self, ui: &mut Ui) {
        self.background(ui.ctx());
        if self.applied_theme != Some(self.settings.theme) {
            ui.ctx().set_theme(theme_preference(self.settings.theme));
            self.applied_theme = Some(self.settings.theme);
        }
        let lock_wake = self.watch_lock(ui.ctx());
        if self.lock_screen_ui(ui) {
            return;
        }
        if self.state.picker.is_some() {
            self.picker_ui(ui);
            let t = self.clock_panel.code_time((self.clock)());
            let periods = self.totp_periods();
            let wake = next_redraw(t, periods, true).unwrap_or(Duration::from_secs(5));
            ui.ctx().request_repaint_after(wake);
            return;
        }
        let now = self.now();
        let ctx = ui.ctx().clone();
        // What the toolbar, the banners, the list and the keyboard ask for: run after drawing.
        let mut commands: Vec<Command> = Vec::new();

        egui::Panel::top("toolbar")
            .frame(cheap_frames::edge_panel(ui.style()))
            .show(ui, |ui| {
                ui.add_space(6.0);
                ui.horizontal(|ui| {
                    // First, so the search and the buttons keep their places in every language.
                    commands.extend(self.menu_ui(ui));
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
                        commands.push(Command::Show(Screen::Scan));
                    }
                    if ui
                        .add_enabled(can_add, egui::Button::new(tr!(self.lang, "ui.toolbar.add")))
                        .on_hover_text(tr!(self.lang, "ui.toolbar.add_hover"))
                        .clicked()
                    {
                        commands.push(Command::Show(Screen::Add));
                    }
                });
                ui.add_space(6.0);
            });

        let status = egui::Panel::bottom("clock-status")
            .frame(cheap_frames::edge_panel(ui.style()))
            .show(ui, |ui| {
                ui.add_space(2.0);
                let command = self.clock_panel.status_ui(ui, self.lang);
                ui.add_space(2.0);
                command
            })
            .inner;
        commands.extend(status);

        if let Some((text, at)) = &self.toast {
            if at.elapsed() < Duration::from_secs(4) {
                let text = text.clone();
                egui::Panel::bottom("toast")
                    .frame(cheap_frames::edge_panel(ui.style()))
                    .show(ui, |ui| {
                        ui.add_space(4.0);
                        ui.label(RichText::new(text).strong());
                        ui.add_space(4.0);
                    });
            } else {
                self.toast = None;
            }
        }

        cheap_frames::central_panel(ui, |ui| {
            commands.extend(self.clock_panel.banner_ui(ui, self.lang));
            self.notices_ui(ui);
            commands.extend(self.reminder_ui(ui));
            match &self.phase {
                Phase::Opening => {
                    ui.horizontal(|ui| {
                        ui.spinner();
                        ui.label(tr!(self.lang, "ui.opening"));
                    });
                }
                Phase::Unavailable(why) => {
                    let offer_vault = why.keychain_refused();
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
                        commands.push(Command::BackToKeychain);
                    }
                    if offer_vault {
                        self.offer_vault_ui(ui);
                    }
                }
                Phase::Vault(_) => commands.extend(self.vault_ui(ui)),
                Phase::Open => commands.extend(self.list_ui(ui, now)),
            }
        });

        commands.extend(self.keyboard(&ctx, now));
        for command in commands {
            self.run(&ctx, command);
        }
        self.drops_and_paste(&ctx);
        self.dialog_ui(&ctx);

        // Repaint when a code or countdown changes (redraw.rs), never continuously.
        let t = self.clock_panel.code_time((self.clock)());
        let focused = ctx.input(|i| i.viewport().focused).unwrap_or(true);
        let periods = self.totp_periods();
        // Without countdowns, still look again now and then (the clock line's "checked at").
        let mut wake =
            next_redraw(t, periods.iter().copied(), focused).unwrap_or(Duration::from_secs(5));
        let until_clear = self.clipboard.tick();
        if let Some(until_clear) = until_clear {
            wake = wake.min(until_clear);
        }
        if let Some(until_lock) = lock_wake {
            wake = wake.min(until_lock);
        }
        ctx.request_repaint_after(wake);
        // Until something else is due, the seconds ahead only move the countdowns: the window
        // may show them without a pass. Not with a dialog, a message that goes, a code on the
        // clipboard, or a hover text or menu shown (a ring's hover text tells the seconds).
        let calm = matches!(self.phase, Phase::Open)
            && matches!(self.dialog, Dialog::None)
            && self.toast.is_none()
            && until_clear.is_none()
            && !ctx.memory(|m| {
                m.areas().visible_layer_ids().iter().any(|layer| {
                    matches!(layer.order, egui::Order::Tooltip | egui::Order::Foreground)
                })
            });
        if calm {
            countdown::plan_ticks(
                &ctx,
                &TickPlan {
                    moves: redraws(t, &Vec::from_iter(periods), focused, TICKS_AHEAD),
                    end: lock_wake.unwrap_or(TICKS_AHEAD),
                    last_seconds: NEXT_CODE_SECONDS,
                },
            );
        }
        let all_codes = matches!(self.phase, Phase::Open)
            && !self
                .list
                .rows
                .iter()
                .any(|r| matches!(r.secret, SecretState::Loading));
        self.startup_trace.frame(all_codes);
    }

    /// The periods of the TOTP accounts shown, for when the codes change.
    fn totp_periods(&self) -> std::collections::BTreeSet<u64> {
        self.list
            .rows
            .iter()
            .filter(|r| r.account.params.kind == kunci::otp::Kind::Totp)
            .map(|r| u64::from(r.account.params.period))
            .collect()
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
}

impl eframe::App for KunciApp {
    fn logic(&mut self, ctx: &egui::Context, frame: &mut eframe::Frame) {
        self.state
            .native
            .get_or_insert_with(|| kunci::desktop::NativeWindow::of(frame));
        KunciApp::logic(self, ctx);
    }

    fn ui(&mut self, ui: &mut Ui, _frame: &mut eframe::Frame) {
        KunciApp::ui(self, ui);
    }

    /// The panels leave the background to the clear (`cheap_frames`).
    fn clear_color(&self, visuals: &egui::Visuals) -> [f32; 4] {
        cheap_frames::clear_color(visuals)
    }

    /// Our code does not outlive the window on the clipboard.
    fn on_exit(&mut self, _gl: Option<&eframe::glow::Context>) {
        self.clipboard.clear_on_exit();
    }
}

/// The same app in the window drawn on the CPU (`ui::soft`, the default).
impl super::soft::WindowApp for KunciApp {
    fn window_created(&mut self, window: &winit::window::Window) {
        self.state.native = Some(kunci::desktop::NativeWindow::of(window));
    }

    fn logic(&mut self, ctx: &egui::Context) {
        KunciApp::logic(self, ctx);
    }

    fn ui(&mut self, ui: &mut Ui) {
        KunciApp::ui(self, ui);
    }

    fn clear_color(&self, visuals: &egui::Visuals) -> [f32; 4] {
        cheap_frames::clear_color(visuals)
    }

    fn on_exit(&mut self) {
        self.clipboard.clear_on_exit();
    }

    fn ticked(&mut self) {
        self.startup_trace.tick();
    }
}

/// Interaction tests against the real keychain (run them through `scripts/test`, which starts
/// a throwaway one) with a fixed clock.
#[cfg(test)]
mod tests;
