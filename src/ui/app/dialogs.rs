//! The open dialog, drawn each frame, and [`KunciApp::run`]: the one place where what the
//! dialogs, the toolbar, the menu, the list and the banners asked for is carried out.

use super::list::existing_in;
use super::*;
use crate::ui::passphrase::forget_typed;

impl KunciApp {
    /// Draws the open dialog (if any) and runs what it asked for.
    pub(super) fn dialog_ui(&mut self, ctx: &egui::Context) {
        let now = self.now();
        let lang = self.lang;
        // Each arm draws its dialog in a modal; `None` with a click outside (or Esc) closes it,
        // except while the dialog is busy with work whose result belongs in it.
        let (command, dismissed, busy) = match &mut self.dialog {
            Dialog::None => return,
            Dialog::Settings(dialog) => {
                let (settings, place) = (&self.settings, self.location.as_ref());
                let (inner, dismissed) = modal(ctx, "settings-dialog", |ui| {
                    dialog.ui(ui, lang, settings, place)
                });
                (inner, dismissed, false)
            }
            Dialog::MoveSecrets(dialog) => {
                let (inner, dismissed) = modal(ctx, "move-secrets", |ui| dialog.ui(ui, lang));
                (inner, dismissed, dialog.is_busy())
            }
            Dialog::Protect(dialog) => {
                let settings = &self.settings;
                let (inner, dismissed) =
                    modal(ctx, "protect-dialog", |ui| dialog.ui(ui, lang, settings));
                (inner, dismissed, false)
            }
            Dialog::QuickSettings(dialog) => {
                let status = QuickStatus {
                    shortcut: self.quick.shortcut_status(),
                    tray_shown: self.quick.tray_shown(),
                    tray_starting: self.quick.tray_starting(),
                    tray_problem: self.quick.tray_problem().map(str::to_string),
                    autostart: self
                        .quick
                        .autostart()
                        .map(|entry| (entry.is_enabled(), entry.location())),
                };
                let settings = &self.settings;
                let (inner, dismissed) = modal(ctx, "quick-settings", |ui| {
                    dialog.ui(ui, lang, settings, &status)
                });
                (inner, dismissed, false)
            }
            Dialog::Help(dialog) => {
                let (inner, dismissed) = modal(ctx, "help-dialog", |ui| dialog.ui(ui, lang));
                (inner, dismissed, false)
            }
            Dialog::About => {
                let (inner, dismissed) = modal(ctx, "about-dialog", |ui| {
                    crate::ui::help::about_ui(ui, lang).then_some(Command::CloseDialog)
                });
                (inner, dismissed, false)
            }
            Dialog::Scan(dialog) => {
                let (inner, dismissed) = modal(ctx, "scan-dialog", |ui| dialog.ui(ui));
                if std::mem::take(&mut dialog.wants_minimize) {
                    ctx.send_viewport_cmd(egui::ViewportCommand::Minimized(true));
                    self.restore_after_capture = true;
                } else if self.restore_after_capture && !dialog.is_busy() {
                    self.restore_after_capture = false;
                    ctx.send_viewport_cmd(egui::ViewportCommand::Minimized(false));
                    ctx.send_viewport_cmd(egui::ViewportCommand::Focus);
                }
                (inner, dismissed, false)
            }
            Dialog::Reenrol(dialog) => {
                let (inner, dismissed) =
                    modal(ctx, "reenrol-dialog", |ui| dialog.ui(ui, lang, now));
                (inner, dismissed, false)
            }
            Dialog::ChooseCode(dialog) => {
                let codes = self.list.row(&dialog.id).and_then(|row| {
                    let left = row.account.params.seconds_left(now);
                    Some((row.code(now)?, row.code(now + left)?, left))
                });
                let (inner, dismissed) = modal(ctx, "choose-code", |ui| dialog.ui(ui, lang, codes));
                (inner, dismissed, false)
            }
            Dialog::ClockSettings(dialog) => {
                let settings = &self.settings;
                let (inner, dismissed) = modal(ctx, "clock-settings", |ui| dialog.ui(ui, settings));
                (inner, dismissed, false)
            }
            Dialog::Add(dialog) => {
                let (inner, dismissed) = modal(ctx, "add-dialog", |ui| dialog.ui(ui));
                (inner, dismissed, dialog.saving)
            }
            Dialog::Edit(dialog) => {
                let (inner, dismissed) = modal(ctx, "edit-dialog", |ui| dialog.ui(ui, lang));
                (inner, dismissed, false)
            }
            Dialog::ConfirmDelete(dialog) => {
                let (inner, dismissed) = modal(ctx, "delete-dialog", |ui| dialog.ui(ui, lang));
                (inner, dismissed, false)
            }
            Dialog::Import(dialog) => {
                let list = &self.list;
                let existing = |uri: &OtpUri| existing_in(list, uri);
                let (inner, dismissed) = modal(ctx, "import-dialog", |ui| dialog.ui(ui, &existing));
                (inner, dismissed, false)
            }
            Dialog::Export(dialog) => {
                let list = &self.list;
                let accounts = || accounts_of(list, lang);
                let (inner, dismissed) = modal(ctx, "export-dialog", |ui| dialog.ui(ui, &accounts));
                (inner, dismissed, dialog.is_busy())
            }
            Dialog::AccountQr(dialog) => {
                let (inner, dismissed) = modal(ctx, "account-qr", |ui| {
                    dialog.ui(ui, lang).then_some(Command::CloseDialog)
                });
                (inner, dismissed, false)
            }
            Dialog::MigrationQr(dialog) => {
                let (inner, dismissed) = modal(ctx, "migration-qr", |ui| {
                    dialog.ui(ui, lang).then_some(Command::CloseDialog)
                });
                (inner, dismissed, false)
            }
        };
        match command {
            Some(command) => self.run(ctx, command),
            None if dismissed && !busy => self.run(ctx, Command::CloseDialog),
            None => {}
        }
        if !matches!(self.dialog, Dialog::Scan(_)) {
            // The scan asked for from a Re-enrol dialog is over, found or not.
            self.reenrol_after_scan = None;
        }
    }

    /// Carries out one command (from a dialog, the toolbar, the menu, the list or a banner).
    pub(super) fn run(&mut self, ctx: &egui::Context, command: Command) {
        let lang = self.lang;
        if command.ends_typing_secrets() {
            forget_typed(ctx);
        }
        match command {
            Command::CloseDialog => self.dialog = Dialog::None,
            Command::Show(screen) => self.show(screen),
            Command::Request(request) => self.send(request),
            Command::RequestAndClose(request) => {
                self.send(request);
                self.dialog = Dialog::None;
            }
            Command::Add(uri) => {
                if let Dialog::Add(dialog) = &mut self.dialog {
                    dialog.saving = true;
                    dialog.save_error = None;
                }
                self.send(Request::Add(uri));
            }
            Command::Copy { code, name } => {
                self.dialog = Dialog::None;
                self.copy(ctx, &code, &name);
            }
            Command::ChooseCode(id) => {
                if let Some(row) = self.list.row(&id) {
                    let name = row.account.display_name();
                    self.dialog = Dialog::ChooseCode(ChooseCode { id, name });
                }
            }
            Command::Review(uri) => match self.reenrol_after_scan.take() {
                Some(account) => {
                    self.dialog = Dialog::Reenrol(ReenrolDialog::scanned_for(account, uri))
                }
                None => self.review(uri),
            },
            Command::ImportScanned(mut uris) => {
                if self.reenrol_after_scan.is_some() && uris.len() == 1 {
                    // One account from an export QR, scanned to re-enrol: that is the one.
                    let uri = uris.remove(0);
                    self.run(ctx, Command::Review(uri));
                } else {
                    let none = kunci::accounts::Extras::default;
                    let picked = uris.into_iter().map(|uri| (uri, none())).collect();
                    self.send(Request::Import(picked));
                    self.dialog = Dialog::None;
                }
            }
            Command::ScanFor(account) => {
                self.dialog = Dialog::Scan(Box::new(ScanDialog::new(lang)));
                self.reenrol_after_scan = Some(account);
            }
            Command::ShowMigrationQr(uris) => {
                self.dialog = Dialog::MigrationQr(Box::new(MigrationQrDialog::new(uris)));
            }
            Command::Exported(saved) => {
                self.dialog = Dialog::None;
                self.exported(saved);
            }
            Command::Preferences(settings) => self.set_preferences(settings),
            Command::TimeSettings(settings) => {
                self.dialog = Dialog::None;
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
            Command::CheckClock => {
                if let Some(worker) = &self.clock_worker {
                    worker.send(ClockRequest::CheckNow);
                }
            }
            Command::UseNetworkTime(on) => {
                self.settings.use_network_time = on;
                self.save_settings();
            }
            Command::AutoBackupOn { folder, passphrase } => {
                self.settings.auto_backup_folder = Some(folder);
                self.configure_auto_backup();
                // After the folder: a new passphrase counts as a change, so the first backup
                // is written at once (and shows that it works).
                self.send(Request::AutoBackupPassphrase(Some(passphrase)));
                self.save_settings();
            }
            Command::AutoBackupOff => {
                self.settings.auto_backup_folder = None;
                self.configure_auto_backup();
                self.send(Request::AutoBackupPassphrase(None));
                self.save_settings();
            }
            Command::DismissReminder(ids) => {
                self.settings.backup_reminder_dismissed = ids;
                self.save_settings();
            }
            Command::VaultReady { vault, notices } => {
                // The vault's passphrase was the start-up unlock: not asked twice.
                self.lock.unlock((self.clock)());
                self.notices.extend(notices);
                self.phase = Phase::Opening;
                self.send(Request::UseVault(vault));
            }
            Command::BackToKeychain => {
                self.phase = Phase::Opening;
                self.send(Request::Open);
            }
            Command::LockNow => self.lock_now(ctx),
            Command::Autostart(on) => self.set_autostart(on),
            Command::RetryShortcut => self.quick.retry_shortcut(),
        }
    }

    /// Opens a dialog in place of the open one.
    fn show(&mut self, screen: Screen) {
        let lang = self.lang;
        fn account<'a>(list: &'a ListView, id: &kunci::AccountId) -> Option<&'a Account> {
            list.row(id).map(|r| &r.account)
        }
        self.dialog = match screen {
            Screen::Add => Dialog::Add(AddDialog::new(lang)),
            Screen::Scan => Dialog::Scan(Box::new(ScanDialog::new(lang))),
            Screen::Import => Dialog::Import(Box::new(ImportDialog::new(lang))),
            Screen::Export => Dialog::Export(Box::new(ExportDialog::new(lang))),
            Screen::Settings => {
                // Again: a keychain may have come (or gone) since.
                self.check_location();
                Dialog::Settings(SettingsDialog)
            }
            Screen::TimeSettings => {
                Dialog::ClockSettings(ClockSettingsDialog::new(&self.settings, lang))
            }
            Screen::Protect => Dialog::Protect(Box::default()),
            Screen::QuickSettings => {
                Dialog::QuickSettings(Box::new(QuickSettingsDialog::new(&self.settings)))
            }
            Screen::MoveSecrets => match &self.location {
                Some(place) => Dialog::MoveSecrets(Box::new(MoveDialog::new(place))),
                None => return,
            },
            Screen::Help(section) => Dialog::Help(HelpDialog::new(section)),
            Screen::About => Dialog::About,
            Screen::Edit(id) => match account(&self.list, &id) {
                Some(account) => Dialog::Edit(EditDialog::new(account)),
                None => return,
            },
            Screen::ConfirmDelete(id) => match account(&self.list, &id) {
                Some(account) => Dialog::ConfirmDelete(ConfirmDelete {
                    name: account.display_name(),
                    id,
                }),
                None => return,
            },
            Screen::Reenrol(id) => match account(&self.list, &id) {
                Some(account) => Dialog::Reenrol(ReenrolDialog::enter(account.clone())),
                None => return,
            },
            Screen::AccountQr(id) => match self.list.row(&id) {
                Some(row) => match &row.secret {
                    SecretState::Ready(secret) => {
                        let uri = row.account.to_uri(secret);
                        Dialog::AccountQr(Box::new(AccountQrDialog::new(uri)))
                    }
                    _ => return,
                },
                None => return,
            },
        };
    }
}

/// A dialog in a modal window with the id `name`: what it returned, and whether the person
/// dismissed it (a click outside, Esc).
fn modal<R>(ctx: &egui::Context, name: &str, add_contents: impl FnOnce(&mut Ui) -> R) -> (R, bool) {
    let modal = egui::Modal::new(egui::Id::unique(name)).show(ctx, add_contents);
    let dismissed = modal.should_close();
    (modal.inner, dismissed)
}
