//! `KunciApp`: the window's state, the per-frame drain of worker events, and the layout.

use std::sync::Arc;
use std::time::{Duration, Instant};

use egui::{Key, RichText, Ui};

use kunci::accounts::Account;
use kunci::otp::OtpUri;
use kunci::settings::{Language, Settings};
use kunci::store::{DataDir, Existing};

use super::account_dialogs::{Choice, ConfirmDelete, RenameDialog};
use super::account_row::{Row, RowAction, SecretState};
use super::add_dialog::{AddDialog, AddOutcome};
use super::clipboard::{CLEAR_AFTER, CodeClipboard};
use super::clock_panel::{ClockAction, ClockPanel, ClockSettingsDialog, ClockSettingsOutcome};
use super::clock_worker::{ClockEvent, ClockRequest, ClockWorker};
use super::scan_dialog::{ScanDialog, ScanOutcome};
use super::worker::{Event, Opener, Request, Worker};

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
    Unavailable(String),
}

enum Dialog {
    None,
    Add(AddDialog),
    Rename(RenameDialog),
    ConfirmDelete(ConfirmDelete),
    ClockSettings(ClockSettingsDialog),
    Scan(Box<ScanDialog>),
    /// A scanned account whose name is known, with a new secret.
    Reenrol {
        account: Account,
        uri: OtpUri,
    },
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
    rows: Vec<Row>,
    search: String,
    /// Index into the rows matching the search; Enter copies it.
    selected: usize,
    dialog: Dialog,
    notices: Vec<String>,
    toast: Option<(String, Instant)>,
    clipboard: CodeClipboard,
    /// The window was minimised to capture the screen; bring it back when done.
    restore_after_capture: bool,
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
        KunciApp {
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
            rows: Vec::new(),
            search: String::new(),
            selected: 0,
            dialog: Dialog::None,
            notices,
            toast: None,
            clipboard: CodeClipboard::default(),
            restore_after_capture: false,
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
            ClockAction::OpenSettings => {
                self.dialog = Dialog::ClockSettings(ClockSettingsDialog::new(&self.settings));
            }
        }
    }

    fn save_settings(&mut self) {
        if let Some(dir) = self.data_dir.clone() {
            let settings = self.settings.clone();
            self.send(Request::SaveSettings { dir, settings });
        }
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
                self.rows = accounts
                    .into_iter()
                    .map(|account| Row {
                        account,
                        secret: SecretState::Loading,
                    })
                    .collect();
                self.notices.extend(notices);
            }
            Event::Unavailable(why) => self.phase = Phase::Unavailable(why),
            Event::Secret { id, result } => {
                if let Some(row) = self.rows.iter_mut().find(|r| r.account.id == id) {
                    row.secret = match result {
                        Ok(secret) => SecretState::Ready(secret),
                        Err(why) => SecretState::Failed(why),
                    };
                }
            }
            Event::Added { account, secret } => {
                self.show_toast(format!("Added {}", account.display_name()));
                self.rows.push(Row {
                    account,
                    secret: SecretState::Ready(secret),
                });
                if matches!(self.dialog, Dialog::Add(_)) {
                    self.dialog = Dialog::None;
                }
            }
            Event::AddFailed(why) => {
                if let Dialog::Add(dialog) = &mut self.dialog {
                    dialog.saving = false;
                    dialog.save_error = Some(why);
                } else {
                    self.notices.push(why);
                }
            }
            Event::Removed(id) => {
                if let Some(row) = self.rows.iter().find(|r| r.account.id == id) {
                    self.show_toast(format!("Deleted {}", row.account.display_name()));
                }
                self.rows.retain(|r| r.account.id != id);
            }
            Event::Updated(account) => {
                if let Some(row) = self.rows.iter_mut().find(|r| r.account.id == account.id) {
                    row.account = account;
                }
            }
            Event::Reenrolled { account, secret } => {
                self.show_toast(format!(
                    "Re-enrolled {}: its codes now come from the new secret",
                    account.display_name()
                ));
                if let Some(row) = self.rows.iter_mut().find(|r| r.account.id == account.id) {
                    row.account = account;
                    row.secret = SecretState::Ready(secret);
                }
            }
            Event::Imported { added, notes } => {
                self.show_toast(format!("Imported {added} account(s)"));
                self.notices.extend(notes);
            }
            Event::Failed(why) => self.notices.push(why),
            Event::Done => {}
        }
    }

    /// How a scanned account relates to those in the list (secrets already loaded).
    fn existing(&self, uri: &OtpUri) -> Existing {
        Existing::among(uri, self.rows.iter().map(|r| &r.account), |account| {
            self.rows
                .iter()
                .find(|r| r.account.id == account.id)
                .and_then(|r| match &r.secret {
                    SecretState::Ready(secret) => Some(secret.clone()),
                    _ => None,
                })
        })
    }

    /// A scanned account: review it in the Add dialog, or offer to re-enrol a known one.
    fn review(&mut self, uri: OtpUri) {
        match self.existing(&uri) {
            Existing::Duplicate(account) => {
                self.dialog = Dialog::None;
                self.show_toast(format!(
                    "{} is already in Kunci with this secret; nothing to add",
                    account.display_name()
                ));
            }
            Existing::NewSecret(account) => self.dialog = Dialog::Reenrol { account, uri },
            Existing::New => self.dialog = Dialog::Add(AddDialog::from_uri(&uri)),
        }
    }

    /// Picture files dropped onto the window, and Ctrl+V with nothing to paste text into,
    /// go to the Scan dialog.
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
        if !matches!(self.dialog, Dialog::Scan(_)) {
            if !matches!(self.dialog, Dialog::None) {
                return;
            }
            self.dialog = Dialog::Scan(Box::default());
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

    fn show_toast(&mut self, text: String) {
        self.toast = Some((text, Instant::now()));
    }

    /// Unix time for codes: this computer's clock, corrected when network time is in use.
    fn now(&self) -> u64 {
        ((self.clock)() + self.clock_panel.offset_in_use()).max(0.0) as u64
    }

    /// Indexes of the rows that match the search, in list order.
    fn visible(&self) -> Vec<usize> {
        let needle = self.search.trim().to_lowercase();
        self.rows
            .iter()
            .enumerate()
            .filter(|(_, r)| r.account.matches(&needle))
            .map(|(i, _)| i)
            .collect()
    }

    fn copy(&mut self, ctx: &egui::Context, code: &str, name: &str) {
        self.clipboard.copy(ctx, code);
        self.show_toast(format!(
            "Copied the code for {name}. The clipboard is cleared in {} s.",
            CLEAR_AFTER.as_secs()
        ));
    }

    /// The whole window, drawn once per frame.
    pub fn ui(&mut self, ui: &mut Ui) {
        if self.worker.is_none() {
            self.worker = Some(Worker::spawn(ui.ctx().clone(), self.opener.clone()));
            self.send(Request::Open);
        }
        if self.clock_worker.is_none() {
            self.clock_worker = Some(ClockWorker::spawn(
                ui.ctx().clone(),
                self.settings.check_config(),
                self.settings.auto_check_time,
            ));
        }
        self.drain();
        let now = self.now();
        let ctx = ui.ctx().clone();

        egui::Panel::top("toolbar").show(ui, |ui| {
            ui.add_space(6.0);
            ui.horizontal(|ui| {
                let search_label = ui.label("Search");
                let search = ui
                    .add(
                        egui::TextEdit::singleline(&mut self.search)
                            .hint_text("issuer or account")
                            .desired_width(ui.available_width() - 160.0),
                    )
                    .labelled_by(search_label.id);
                if search.changed() {
                    self.selected = 0;
                }
                let can_add = matches!(self.phase, Phase::Open);
                if self.worker.as_ref().is_some_and(Worker::busy) {
                    ui.spinner().on_hover_text("Working with the keychain…");
                }
                if ui
                    .add_enabled(can_add, egui::Button::new("Scan QR"))
                    .on_hover_text("Enrol from the QR code: screen, webcam, picture or clipboard")
                    .clicked()
                {
                    self.dialog = Dialog::Scan(Box::default());
                }
                if ui
                    .add_enabled(can_add, egui::Button::new("+ Add"))
                    .on_hover_text("Add an account from its setup key or otpauth:// link (Ctrl+N)")
                    .clicked()
                {
                    self.dialog = Dialog::Add(AddDialog::default());
                }
            });
            ui.add_space(6.0);
        });

        let status_action = egui::Panel::bottom("clock-status")
            .show(ui, |ui| {
                ui.add_space(2.0);
                let action = self.clock_panel.status_ui(ui);
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
            if let Some(action) = self.clock_panel.banner_ui(ui) {
                self.clock_action(action);
            }
            self.notices_ui(ui);
            match &self.phase {
                Phase::Opening => {
                    ui.horizontal(|ui| {
                        ui.spinner();
                        ui.label("Opening the keychain…");
                    });
                }
                Phase::Unavailable(why) => {
                    let why = why.clone();
                    ui.colored_label(
                        ui.visuals().error_fg_color,
                        RichText::new("Kunci cannot open its accounts").strong(),
                    );
                    ui.label(why);
                    if ui.button("Try again").clicked() {
                        self.phase = Phase::Opening;
                        self.send(Request::Open);
                    }
                }
                Phase::Open => self.list_ui(ui, now),
            }
        });

        self.keyboard(&ctx, now);
        self.drops_and_paste(&ctx);
        self.dialog_ui(&ctx);

        // Repaint at the next second boundary (codes and countdown), never continuously.
        let t = (self.clock)() + self.clock_panel.offset_in_use();
        let to_next_second = Duration::from_secs_f64((1.0 - t.fract()).clamp(0.05, 1.0));
        let mut wake = to_next_second;
        if let Some(until_clear) = self.clipboard.tick() {
            wake = wake.min(until_clear);
        }
        ctx.request_repaint_after(wake);
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
                        if ui.small_button("Dismiss").clicked() {
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
        if self.rows.is_empty() {
            ui.add_space(24.0);
            ui.vertical_centered(|ui| {
                ui.heading("No accounts yet");
                ui.label(
                    "When a sign-in page (for example SPSE on an LPSE site) shows a QR code for \
                     an authenticator, it also shows a setup key under it. Click \"+ Add\", type \
                     that key, and Kunci shows the 6-digit codes from then on.",
                );
            });
            return;
        }
        let visible = self.visible();
        if visible.is_empty() {
            ui.label(format!("No account matches \"{}\".", self.search.trim()));
            return;
        }
        self.selected = self.selected.min(visible.len() - 1);
        let mut actions = Vec::new();
        egui::ScrollArea::vertical()
            .auto_shrink(false)
            .show(ui, |ui| {
                for (position, &index) in visible.iter().enumerate() {
                    let row = &self.rows[index];
                    if let Some(action) = row.ui(ui, now, position == self.selected) {
                        actions.push((index, action));
                    }
                    ui.add_space(2.0);
                }
            });
        for (index, action) in actions {
            let account = self.rows[index].account.clone();
            match action {
                RowAction::Copy(code) => self.copy(ui.ctx(), &code, &account.display_name()),
                RowAction::Rename => {
                    self.dialog = Dialog::Rename(RenameDialog {
                        id: account.id,
                        issuer: account.issuer,
                        label: account.label,
                    })
                }
                RowAction::Delete => {
                    self.dialog = Dialog::ConfirmDelete(ConfirmDelete {
                        name: account.display_name(),
                        id: account.id,
                    })
                }
                RowAction::NextHotp => self.send(Request::AdvanceCounter(account.id)),
            }
        }
    }

    fn keyboard(&mut self, ctx: &egui::Context, now: u64) {
        if !matches!(self.dialog, Dialog::None) {
            return;
        }
        if ctx.input_mut(|i| i.consume_key(egui::Modifiers::COMMAND, Key::N))
            && matches!(self.phase, Phase::Open)
        {
            self.dialog = Dialog::Add(AddDialog::default());
            return;
        }
        let visible = self.visible();
        if visible.is_empty() {
            return;
        }
        let (down, up, enter) = ctx.input(|i| {
            (
                i.key_pressed(Key::ArrowDown),
                i.key_pressed(Key::ArrowUp),
                i.key_pressed(Key::Enter),
            )
        });
        if down {
            self.selected = (self.selected + 1).min(visible.len() - 1);
        }
        if up {
            self.selected = self.selected.saturating_sub(1);
        }
        if enter {
            let row = &self.rows[visible[self.selected.min(visible.len() - 1)]];
            if let Some(code) = row.code(now) {
                let name = row.account.display_name();
                self.copy(ctx, &code, &name);
            }
        }
    }

    fn dialog_ui(&mut self, ctx: &egui::Context) {
        let mut close = false;
        let mut request = None;
        let mut new_settings = None;
        let mut scanned = None;
        match &mut self.dialog {
            Dialog::None => {}
            Dialog::Scan(dialog) => {
                let modal =
                    egui::Modal::new(egui::Id::unique("scan-dialog")).show(ctx, |ui| dialog.ui(ui));
                if std::mem::take(&mut dialog.wants_minimize) {
                    ctx.send_viewport_cmd(egui::ViewportCommand::Minimized(true));
                    self.restore_after_capture = true;
                } else if self.restore_after_capture && !dialog.is_busy() {
                    self.restore_after_capture = false;
                    ctx.send_viewport_cmd(egui::ViewportCommand::Minimized(false));
                    ctx.send_viewport_cmd(egui::ViewportCommand::Focus);
                }
                match modal.inner {
                    ScanOutcome::Keep => close = modal.should_close(),
                    ScanOutcome::Close => close = true,
                    ScanOutcome::Review(uri) => scanned = Some(uri),
                    ScanOutcome::Import(uris) => {
                        request = Some(Request::Import(uris));
                        close = true;
                    }
                }
            }
            Dialog::Reenrol { account, uri } => {
                let name = account.display_name();
                let modal = egui::Modal::new(egui::Id::unique("reenrol-dialog")).show(ctx, |ui| {
                    super::dialog_width(ui, 380.0);
                    ui.heading(format!("{name} is already in Kunci"));
                    ui.label(
                        "This QR code has a new secret for it: the site issued a new one (for \
                         example after \"Disable TOTP\" on SPSE). Re-enrol to put the new secret \
                         in place of the old one; the account keeps its name and place, and codes \
                         from the old secret stop working.",
                    );
                    ui.separator();
                    ui.horizontal(|ui| {
                        if ui.button("Re-enrol").clicked() {
                            Choice::Confirm
                        } else if ui.button("Cancel").clicked() {
                            Choice::Cancel
                        } else {
                            Choice::Keep
                        }
                    })
                    .inner
                });
                if modal.inner == Choice::Confirm {
                    request = Some(Request::Reenrol {
                        id: account.id.clone(),
                        uri: uri.clone(),
                    });
                }
                close = modal.inner != Choice::Keep || modal.should_close();
            }
            Dialog::ClockSettings(dialog) => {
                let settings = &self.settings;
                let modal = egui::Modal::new(egui::Id::unique("clock-settings"))
                    .show(ctx, |ui| dialog.ui(ui, settings));
                match modal.inner {
                    ClockSettingsOutcome::Save(settings) => {
                        new_settings = Some(settings);
                        close = true;
                    }
                    ClockSettingsOutcome::Cancel => close = true,
                    ClockSettingsOutcome::Keep => close = modal.should_close(),
                }
            }
            Dialog::Add(dialog) => {
                let modal =
                    egui::Modal::new(egui::Id::unique("add-dialog")).show(ctx, |ui| dialog.ui(ui));
                match modal.inner {
                    AddOutcome::Submit(uri) => {
                        dialog.saving = true;
                        dialog.save_error = None;
                        request = Some(Request::Add(uri));
                    }
                    AddOutcome::Cancel => close = true,
                    AddOutcome::Keep => close = modal.should_close() && !dialog.saving,
                }
            }
            Dialog::Rename(dialog) => {
                let modal = egui::Modal::new(egui::Id::unique("rename-dialog"))
                    .show(ctx, |ui| dialog.ui(ui));
                if modal.inner == Choice::Confirm {
                    request = Some(Request::Rename {
                        id: dialog.id.clone(),
                        issuer: dialog.issuer.clone(),
                        label: dialog.label.clone(),
                    });
                }
                close = modal.inner != Choice::Keep || modal.should_close();
            }
            Dialog::ConfirmDelete(dialog) => {
                let modal = egui::Modal::new(egui::Id::unique("delete-dialog"))
                    .show(ctx, |ui| dialog.ui(ui));
                if modal.inner == Choice::Confirm {
                    request = Some(Request::Remove(dialog.id.clone()));
                }
                close = modal.inner != Choice::Keep || modal.should_close();
            }
        }
        if let Some(request) = request {
            self.send(request);
        }
        if close {
            self.dialog = Dialog::None;
        }
        if let Some(uri) = scanned {
            self.review(uri);
        }
        if let Some(settings) = new_settings {
            self.clock_panel.use_network_time = settings.use_network_time;
            if let Some(worker) = &self.clock_worker {
                worker.send(ClockRequest::Configure {
                    config: settings.check_config(),
                    auto: settings.auto_check_time,
                });
            }
            self.settings = settings;
            self.save_settings();
        }
    }
}

impl eframe::App for KunciApp {
    fn ui(&mut self, ui: &mut Ui, _frame: &mut eframe::Frame) {
        KunciApp::ui(self, ui);
    }
}

/// Interaction tests against the real keychain (run them through `scripts/test`, which starts
/// a throwaway one) with a fixed clock.
#[cfg(test)]
mod tests {
    use super::*;
    use egui::accesskit::Role;
    use egui_kittest::Harness;
    use egui_kittest::kittest::{NodeT, Queryable};
    use kunci::otp::{OtpUri, generate};
    use kunci::store::{DataDir, Keychain, Store};

    /// 59 s after the epoch: RFC 6238's first test time.
    const T: f64 = 59.0;
    const KEY: &str = "JBSWY3DPEHPK3PXP";

    fn opener(dir: &std::path::Path) -> Opener {
        let dir = dir.to_path_buf();
        Arc::new(move || {
            let keychain = Keychain::connect().map_err(|e| e.to_string())?;
            Store::open(DataDir::new(&dir), Arc::new(keychain)).map_err(|e| e.to_string())
        })
    }

    fn open_store(dir: &std::path::Path) -> Store {
        let keychain = Keychain::connect().expect("a keychain: run the tests through scripts/test");
        Store::open(DataDir::new(dir), Arc::new(keychain))
            .unwrap()
            .0
    }

    fn harness(dir: &std::path::Path) -> Harness<'static, KunciApp> {
        let app = KunciApp::new(Setup {
            opener: opener(dir),
            clock: Arc::new(|| T),
            // No network in these tests: clock results are handed in by the tests.
            settings: Settings {
                auto_check_time: false,
                ..Settings::default()
            },
            data_dir: Some(DataDir::new(dir)),
            notices: Vec::new(),
        });
        let mut h = Harness::builder()
            .with_size([440.0, 600.0])
            .build_ui_state(|ui, app: &mut KunciApp| app.ui(ui), app);
        settle(&mut h);
        h
    }

    /// Lets the worker finish and the UI show the result.
    fn settle(h: &mut Harness<'static, KunciApp>) {
        h.run_steps(2);
        h.state_mut().wait_for_worker(Duration::from_secs(20));
        h.run_steps(3);
    }

    fn expected_code() -> String {
        let secret = kunci::otp::parse_setup_key(KEY).unwrap();
        generate(&secret, &Default::default(), T as u64).unwrap()
    }

    #[test]
    fn add_through_the_dialog_shows_the_code() {
        let tmp = tempfile::tempdir().unwrap();
        let mut h = harness(tmp.path());
        h.get_by_label_contains("No accounts yet");
        h.get_by_label("+ Add").click();
        h.run_steps(3);
        let key = h.get_by_label("Setup key or otpauth:// link");
        key.focus();
        key.type_text("jbsw y3dp ehpk 3pxp");
        h.run_steps(2);
        h.get_by_label("Issuer (e.g. LPSE Kota Bandung)").focus();
        h.get_by_label("Issuer (e.g. LPSE Kota Bandung)")
            .type_text("LPSE Kota Bandung");
        h.run_steps(2);
        h.get_by_label("Account name (e.g. your user name)").focus();
        h.get_by_label("Account name (e.g. your user name)")
            .type_text("penyedia01");
        h.run_steps(2);
        h.get_by_label("Add").click();
        settle(&mut h);

        let code = expected_code();
        assert_eq!(code, "996554", "oathtool --totp -b {KEY} --now=@59");
        h.get_by_label("996 554");
        h.get_by_label("LPSE Kota Bandung");
        let store = open_store(tmp.path());
        let account = &store.accounts().as_slice()[0];
        assert_eq!(
            (account.issuer.as_str(), account.label.as_str()),
            ("LPSE Kota Bandung", "penyedia01")
        );
        assert_eq!(
            store.secret(&account.id).unwrap(),
            kunci::otp::parse_setup_key(KEY).unwrap()
        );
    }

    #[test]
    fn an_invalid_key_shows_an_error_and_saves_nothing() {
        let tmp = tempfile::tempdir().unwrap();
        let mut h = harness(tmp.path());
        h.get_by_label("+ Add").click();
        h.run_steps(3);
        let key = h.get_by_label("Setup key or otpauth:// link");
        key.focus();
        key.type_text("ABC8");
        h.run_steps(2);
        h.get_by_label("Account name (e.g. your user name)").focus();
        h.get_by_label("Account name (e.g. your user name)")
            .type_text("someone");
        h.run_steps(2);
        h.get_by_label_contains("is not a base32 letter");
        let add = h.get_by_label("Add");
        assert!(
            add.accesskit_node().is_disabled(),
            "Add must be disabled for an invalid key"
        );
        add.click();
        h.key_press(Key::Enter);
        settle(&mut h);
        assert!(open_store(tmp.path()).accounts().is_empty());
        // The dialog is still open, with the error, for the user to fix the key.
        h.get_by_label_contains("is not a base32 letter");
    }

    #[test]
    fn delete_asks_first() {
        let tmp = tempfile::tempdir().unwrap();
        let uri = OtpUri::parse(&format!("otpauth://totp/GitHub:ada?secret={KEY}")).unwrap();
        open_store(tmp.path()).add(&uri).unwrap();
        let mut h = harness(tmp.path());
        h.get_by_label("996 554");

        h.get_by_label("…").click();
        h.run_steps(2);
        h.get_by_label("Delete…").click();
        h.run_steps(3);
        h.get_by_label("Delete GitHub (ada)?");
        assert_eq!(
            open_store(tmp.path()).accounts().len(),
            1,
            "nothing deleted before confirming"
        );
        h.get_by_label("Cancel").click();
        settle(&mut h);
        assert_eq!(
            open_store(tmp.path()).accounts().len(),
            1,
            "cancel keeps the account"
        );
        assert!(h.query_by_label("Delete GitHub (ada)?").is_none());

        h.get_by_label("…").click();
        h.run_steps(2);
        h.get_by_label("Delete…").click();
        h.run_steps(3);
        h.get_by_label("Delete").click();
        settle(&mut h);
        assert!(open_store(tmp.path()).accounts().is_empty());
        assert!(h.query_by_label("996 554").is_none());
    }

    #[test]
    fn rename_keeps_the_code() {
        let tmp = tempfile::tempdir().unwrap();
        let uri = OtpUri::parse(&format!("otpauth://totp/GitHub:ada?secret={KEY}")).unwrap();
        open_store(tmp.path()).add(&uri).unwrap();
        let mut h = harness(tmp.path());
        h.get_by_label("…").click();
        h.run_steps(2);
        h.get_by_label("Rename…").click();
        h.run_steps(3);
        let name = h.get_by_label("Account name");
        name.focus();
        h.key_press_modifiers(egui::Modifiers::COMMAND, Key::A);
        h.get_by_label("Account name").type_text("ada.lovelace");
        h.run_steps(2);
        h.get_by_label("Save").click();
        settle(&mut h);
        h.get_by_label("ada.lovelace");
        h.get_by_label("996 554");
        let store = open_store(tmp.path());
        assert_eq!(store.accounts().as_slice()[0].label, "ada.lovelace");
    }

    #[test]
    fn click_and_enter_copy_the_code() {
        let tmp = tempfile::tempdir().unwrap();
        let uri = OtpUri::parse(&format!("otpauth://totp/GitHub:ada?secret={KEY}")).unwrap();
        open_store(tmp.path()).add(&uri).unwrap();
        let mut h = harness(tmp.path());
        let copied = |h: &Harness<'static, KunciApp>| {
            h.output()
                .platform_output
                .commands
                .iter()
                .any(|c| matches!(c, egui::OutputCommand::CopyText(text) if text == "996554"))
        };
        h.get_by_label("996 554").click();
        h.step();
        assert!(copied(&h), "a click copies the code, without the space");
        assert_eq!(h.state().clipboard.last_copied(), Some("996554"));
        h.run_steps(2);
        h.get_by_label_contains("Copied the code for GitHub (ada)");

        h.state_mut().clipboard = CodeClipboard::default();
        h.key_press(Key::Enter);
        h.run_steps(2);
        assert_eq!(
            h.state().clipboard.last_copied(),
            Some("996554"),
            "Enter copies the selected code"
        );
    }

    #[test]
    fn search_filters_the_list() {
        let tmp = tempfile::tempdir().unwrap();
        let mut store = open_store(tmp.path());
        for (issuer, label) in [("LPSE Kota Bandung", "penyedia01"), ("GitHub", "ada")] {
            let uri =
                OtpUri::parse(&format!("otpauth://totp/{issuer}:{label}?secret={KEY}")).unwrap();
            store.add(&uri).unwrap();
        }
        let mut h = harness(tmp.path());
        assert_eq!(h.query_all_by_label("996 554").count(), 2);
        let search = h.get_by_role(Role::TextInput);
        search.focus();
        search.type_text("bandung");
        h.run_steps(3);
        assert_eq!(h.query_all_by_label("996 554").count(), 1);
        h.get_by_label("LPSE Kota Bandung");
        assert!(h.query_by_label("GitHub").is_none());
    }

    fn measured(offset: f64) -> ClockEvent {
        ClockEvent::Checked(Ok(kunci::clock::Measurement {
            offset,
            source: kunci::clock::Source::Sntp {
                server: "127.0.0.1:11123".into(),
            },
            sntp: Vec::new(),
            https: Vec::new(),
            measured_at: T,
        }))
    }

    #[test]
    fn the_banner_shows_a_faked_drift() {
        let tmp = tempfile::tempdir().unwrap();
        let mut h = harness(tmp.path());
        assert!(h.query_by_label_contains("clock is wrong").is_none());
        h.state_mut().apply_clock(measured(-90.0));
        h.run_steps(3);
        h.get_by_label("This computer's clock is wrong");
        h.get_by_label_contains("90.0 s ahead of network time");
        h.get_by_label_contains("Offset -90.0 s");
        assert!(
            h.query_all_by_label_contains("SNTP 127.0.0.1:11123")
                .count()
                >= 1
        );

        h.state_mut().apply_clock(measured(-25200.0));
        h.run_steps(3);
        h.get_by_label_contains("UTC while the clock shows WIB");

        h.state_mut().apply_clock(measured(0.01));
        h.run_steps(3);
        assert!(h.query_by_label("This computer's clock is wrong").is_none());
        h.get_by_label_contains("Clock checked at");
    }

    #[test]
    fn offline_is_a_quiet_line() {
        let tmp = tempfile::tempdir().unwrap();
        let mut h = harness(tmp.path());
        h.state_mut()
            .apply_clock(ClockEvent::Checked(Err(kunci::clock::NoTimeSource {
                sntp: Vec::new(),
                https: Vec::new(),
            })));
        h.run_steps(3);
        h.get_by_label_contains("Offline: no time source answered");
        assert!(h.query_by_label_contains("clock is wrong").is_none());
    }

    #[test]
    fn network_time_changes_the_code_and_is_saved() {
        let tmp = tempfile::tempdir().unwrap();
        let uri = OtpUri::parse(&format!("otpauth://totp/GitHub:ada?secret={KEY}")).unwrap();
        open_store(tmp.path()).add(&uri).unwrap();
        let mut h = harness(tmp.path());
        h.get_by_label("996 554");

        // The network says it is an hour later than this computer thinks.
        h.state_mut().apply_clock(measured(3600.0));
        h.run_steps(3);
        h.get_by_label("996 554");
        h.get_by_label("Use network time for codes").click();
        settle(&mut h);

        let secret = kunci::otp::parse_setup_key(KEY).unwrap();
        let corrected = generate(&secret, &Default::default(), T as u64 + 3600).unwrap();
        let shown = super::super::account_row::group_digits(&corrected);
        h.get_by_label(&shown);
        assert!(h.query_by_label("996 554").is_none());
        h.get_by_label_contains("now use network time");
        let (saved, _) = Settings::load(&DataDir::new(tmp.path()));
        assert!(
            saved.use_network_time,
            "the choice is saved in settings.json"
        );

        h.get_by_label("Use network time for codes").click();
        settle(&mut h);
        h.get_by_label("996 554");
        assert!(!Settings::load(&DataDir::new(tmp.path())).0.use_network_time);
    }

    #[derive(Debug)]
    struct Dropped(std::path::PathBuf);

    impl egui::DroppedFile for Dropped {
        fn path(&self) -> &std::path::Path {
            &self.0
        }
        fn bytes(&self) -> Result<Vec<u8>, String> {
            std::fs::read(&self.0).map_err(|e| e.to_string())
        }
    }

    /// Writes a PNG of a QR code holding `text`.
    fn qr_png(dir: &std::path::Path, name: &str, text: &str) -> std::path::PathBuf {
        let code = qrcode::QrCode::new(text.as_bytes()).unwrap();
        let image = code
            .render::<image::Luma<u8>>()
            .module_dimensions(6, 6)
            .build();
        let path = dir.join(name);
        image.save(&path).unwrap();
        path
    }

    /// Drops a file onto the window and waits until `done` holds.
    fn drop_file(
        h: &mut Harness<'static, KunciApp>,
        path: std::path::PathBuf,
        done: impl Fn(&Harness<'static, KunciApp>) -> bool,
    ) {
        h.input_mut().dropped_files.push(Arc::new(Dropped(path)));
        let deadline = Instant::now() + Duration::from_secs(20);
        while !done(h) && Instant::now() < deadline {
            h.run_steps(1);
            std::thread::sleep(Duration::from_millis(20));
        }
        h.run_steps(2);
        assert!(done(h), "the dropped picture was not handled in time");
    }

    #[test]
    fn a_dropped_qr_picture_is_reviewed_added_and_recognised_again() {
        let tmp = tempfile::tempdir().unwrap();
        let pictures = tempfile::tempdir().unwrap();
        let mut h = harness(tmp.path());
        let uri = format!(
            "otpauth://totp/LPSE%20Kota%20Bandung:penyedia01?secret={KEY}&issuer=LPSE%20Kota%20Bandung"
        );
        let png = qr_png(pictures.path(), "qr.png", &uri);

        drop_file(&mut h, png.clone(), |h| {
            h.query_by_label("Add account").is_some()
        });
        // The Add dialog is filled from the QR code, for review.
        let issuer = h.get_by_label("Issuer (e.g. LPSE Kota Bandung)");
        assert_eq!(issuer.value().as_deref(), Some("LPSE Kota Bandung"));
        h.get_by_label("Add").click();
        settle(&mut h);
        h.get_by_label("996 554");
        assert_eq!(open_store(tmp.path()).accounts().len(), 1);

        // The same picture again: already there, nothing added.
        drop_file(&mut h, png, |h| {
            h.query_by_label_contains("already in Kunci with this secret")
                .is_some()
        });
        assert_eq!(open_store(tmp.path()).accounts().len(), 1);

        // A new QR code for the same account (after "Disable TOTP"): re-enrol it in place.
        let new_key = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
        let reissued = uri.replace(KEY, new_key);
        let png = qr_png(pictures.path(), "qr2.png", &reissued);
        drop_file(&mut h, png, |h| {
            h.query_by_label("LPSE Kota Bandung (penyedia01) is already in Kunci")
                .is_some()
        });
        h.get_by_label("Re-enrol").click();
        settle(&mut h);
        let store = open_store(tmp.path());
        assert_eq!(store.accounts().len(), 1);
        let account = &store.accounts().as_slice()[0];
        assert_eq!(
            store.secret(&account.id).unwrap(),
            kunci::otp::parse_setup_key(new_key).unwrap()
        );
        let code = generate(
            &kunci::otp::parse_setup_key(new_key).unwrap(),
            &Default::default(),
            T as u64,
        )
        .unwrap();
        h.get_by_label(&super::super::account_row::group_digits(&code));
    }

    #[test]
    fn a_picture_without_an_account_says_what_it_holds() {
        let tmp = tempfile::tempdir().unwrap();
        let pictures = tempfile::tempdir().unwrap();
        let mut h = harness(tmp.path());
        let png = qr_png(
            pictures.path(),
            "web.png",
            "https://lpse.example.go.id/eproc4",
        );
        drop_file(&mut h, png, |h| {
            h.query_by_label_contains("this QR is a web address")
                .is_some()
                || h.query_by_label_contains("This QR is a web address")
                    .is_some()
        });
        assert!(open_store(tmp.path()).accounts().is_empty());
    }
}
