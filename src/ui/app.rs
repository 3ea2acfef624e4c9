//! `KunciApp`: the window's state, the per-frame drain of worker events, and the layout.

use std::sync::Arc;
use std::time::{Duration, Instant};

use egui::{Key, RichText, Ui};
use kunci::accounts::AccountId;

use super::account_row::{Row, RowAction, SecretState};
use super::add_dialog::{AddDialog, AddOutcome};
use super::clipboard::{CLEAR_AFTER, CodeClipboard};
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
    Rename {
        id: AccountId,
        issuer: String,
        label: String,
    },
    ConfirmDelete(AccountId),
}

pub struct KunciApp {
    opener: Opener,
    clock: Clock,
    worker: Option<Worker>,
    phase: Phase,
    rows: Vec<Row>,
    search: String,
    /// Index into the rows matching the search; Enter copies it.
    selected: usize,
    dialog: Dialog,
    notices: Vec<String>,
    toast: Option<(String, Instant)>,
    clipboard: CodeClipboard,
}

impl KunciApp {
    /// The store opens on the worker thread, started at the first frame.
    pub fn new(opener: Opener, clock: Clock) -> Self {
        KunciApp {
            opener,
            clock,
            worker: None,
            phase: Phase::Opening,
            rows: Vec::new(),
            search: String::new(),
            selected: 0,
            dialog: Dialog::None,
            notices: Vec::new(),
            toast: None,
            clipboard: CodeClipboard::default(),
        }
    }

    fn send(&mut self, request: Request) {
        if let Some(worker) = &mut self.worker {
            worker.send(request);
        }
    }

    /// Applies everything the worker has reported.
    fn drain(&mut self) {
        while let Some(event) = self.worker.as_mut().and_then(Worker::try_recv) {
            self.apply(event);
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
            Event::Failed(why) => self.notices.push(why),
            Event::Done => {}
        }
    }

    fn show_toast(&mut self, text: String) {
        self.toast = Some((text, Instant::now()));
    }

    fn now(&self) -> u64 {
        (self.clock)().max(0.0) as u64
    }

    /// Indexes of the rows that match the search, in list order.
    fn visible(&self) -> Vec<usize> {
        let needle = self.search.trim().to_lowercase();
        self.rows
            .iter()
            .enumerate()
            .filter(|(_, r)| {
                needle.is_empty()
                    || r.account.issuer.to_lowercase().contains(&needle)
                    || r.account.label.to_lowercase().contains(&needle)
            })
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
                            .desired_width(ui.available_width() - 80.0),
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
                    .add_enabled(can_add, egui::Button::new("+ Add"))
                    .on_hover_text("Add an account from its setup key or otpauth:// link (Ctrl+N)")
                    .clicked()
                {
                    self.dialog = Dialog::Add(AddDialog::default());
                }
            });
            ui.add_space(6.0);
        });

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
        self.dialog_ui(&ctx);

        // Repaint at the next second boundary (codes and countdown), never continuously.
        let t = (self.clock)();
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
                    self.dialog = Dialog::Rename {
                        id: account.id,
                        issuer: account.issuer,
                        label: account.label,
                    }
                }
                RowAction::Delete => self.dialog = Dialog::ConfirmDelete(account.id),
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
        match &mut self.dialog {
            Dialog::None => {}
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
            Dialog::Rename { id, issuer, label } => {
                let modal = egui::Modal::new(egui::Id::unique("rename-dialog")).show(ctx, |ui| {
                    ui.set_width(340.0);
                    ui.heading("Rename account");
                    let issuer_label = ui.label("Issuer");
                    ui.add(egui::TextEdit::singleline(issuer).desired_width(f32::INFINITY))
                        .labelled_by(issuer_label.id);
                    let name_label = ui.label("Account name");
                    ui.add(egui::TextEdit::singleline(label).desired_width(f32::INFINITY))
                        .labelled_by(name_label.id);
                    ui.separator();
                    ui.horizontal(|ui| {
                        let valid = !(issuer.trim().is_empty() && label.trim().is_empty());
                        let save = ui.add_enabled(valid, egui::Button::new("Save")).clicked();
                        let cancel = ui.button("Cancel").clicked();
                        (save, cancel)
                    })
                    .inner
                });
                let (save, cancel) = modal.inner;
                if save {
                    request = Some(Request::Rename {
                        id: id.clone(),
                        issuer: issuer.clone(),
                        label: label.clone(),
                    });
                }
                close = save || cancel || modal.should_close();
            }
            Dialog::ConfirmDelete(id) => {
                let name = self
                    .rows
                    .iter()
                    .find(|r| &r.account.id == id)
                    .map(|r| r.account.display_name())
                    .unwrap_or_default();
                let modal = egui::Modal::new(egui::Id::unique("delete-dialog")).show(ctx, |ui| {
                    ui.set_width(340.0);
                    ui.heading(format!("Delete {name}?"));
                    ui.label(
                        "Its secret is deleted from the keychain and Kunci cannot show its codes \
                         any more. To use this account again you need a new QR code or setup key \
                         from the site.",
                    );
                    ui.separator();
                    ui.horizontal(|ui| {
                        let delete = ui
                            .add(
                                egui::Button::new(
                                    RichText::new("Delete").color(egui::Color32::WHITE),
                                )
                                .fill(egui::Color32::from_rgb(0xc0, 0x30, 0x28)),
                            )
                            .clicked();
                        let cancel = ui.button("Cancel").clicked();
                        (delete, cancel)
                    })
                    .inner
                });
                let (delete, cancel) = modal.inner;
                if delete {
                    request = Some(Request::Remove(id.clone()));
                }
                close = delete || cancel || modal.should_close();
            }
        }
        if let Some(request) = request {
            self.send(request);
        }
        if close {
            self.dialog = Dialog::None;
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
        let app = KunciApp::new(opener(dir), Arc::new(|| T));
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
}
