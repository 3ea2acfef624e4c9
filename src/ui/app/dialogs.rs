//! Drives whichever dialog is open and applies what it decided.

use super::*;

impl KunciApp {
    pub(super) fn dialog_ui(&mut self, ctx: &egui::Context) {
        let now = self.now();
        let mut close = false;
        let mut request = None;
        let mut new_settings = None;
        let mut scanned = None;
        let mut preferences = None;
        let mut protect = None;
        let mut open_protect = false;
        let mut open_move = false;
        let mut open_clock_settings = false;
        let mut scan_for = None;
        let mut copy: Option<(String, String)> = None;
        let (mut exported, mut show_codes) = (None, None);
        match &mut self.dialog {
            Dialog::None => {}
            Dialog::Settings(dialog) => {
                let (lang, settings, place) = (self.lang, &self.settings, self.place.as_ref());
                let modal = egui::Modal::new(egui::Id::unique("settings-dialog"))
                    .show(ctx, |ui| dialog.ui(ui, lang, settings, place));
                match modal.inner {
                    SettingsOutcome::Keep => close = modal.should_close(),
                    SettingsOutcome::Close => close = true,
                    SettingsOutcome::Changed(settings) => preferences = Some(settings),
                    SettingsOutcome::TimeSettings => open_clock_settings = true,
                    SettingsOutcome::Protect => open_protect = true,
                    SettingsOutcome::MoveSecrets => open_move = true,
                }
            }
            Dialog::MoveSecrets(dialog) => {
                let lang = self.lang;
                let modal = egui::Modal::new(egui::Id::unique("move-secrets"))
                    .show(ctx, |ui| dialog.ui(ui, lang));
                match modal.inner {
                    // Not while moving: the result belongs in this dialog.
                    MoveOutcome::Keep => close = modal.should_close() && !dialog.is_busy(),
                    MoveOutcome::Close => close = true,
                    MoveOutcome::ToVault(passphrase) => {
                        request = Some(Request::MoveToVault(passphrase));
                    }
                    MoveOutcome::ToKeychain => request = Some(Request::MoveToKeychain),
                }
            }
            Dialog::Protect(dialog) => {
                let (lang, settings) = (self.lang, &self.settings);
                let modal = egui::Modal::new(egui::Id::unique("protect-dialog"))
                    .show(ctx, |ui| dialog.ui(ui, lang, settings));
                match modal.inner {
                    ProtectOutcome::Keep => close = modal.should_close(),
                    ProtectOutcome::Close => close = true,
                    ProtectOutcome::Changed(settings) => preferences = Some(settings),
                    ProtectOutcome::Action(action) => protect = Some(action),
                }
            }
            Dialog::Help(dialog) => {
                let lang = self.lang;
                let modal = egui::Modal::new(egui::Id::unique("help-dialog"))
                    .show(ctx, |ui| dialog.ui(ui, lang));
                match modal.inner {
                    HelpOutcome::Keep => close = modal.should_close(),
                    HelpOutcome::Close => close = true,
                    HelpOutcome::ClockSettings => open_clock_settings = true,
                }
            }
            Dialog::About => {
                let lang = self.lang;
                let modal = egui::Modal::new(egui::Id::unique("about-dialog"))
                    .show(ctx, |ui| crate::ui::help::about_ui(ui, lang));
                close = modal.inner || modal.should_close();
            }
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
                    // One account from an export QR, scanned to re-enrol: that is the one.
                    ScanOutcome::Import(mut uris)
                        if self.reenrol_after_scan.is_some() && uris.len() == 1 =>
                    {
                        scanned = uris.pop();
                    }
                    ScanOutcome::Import(uris) => {
                        let none = kunci::accounts::Extras::default;
                        request = Some(Request::Import(
                            uris.into_iter().map(|uri| (uri, none())).collect(),
                        ));
                        close = true;
                    }
                }
            }
            Dialog::Reenrol(dialog) => {
                let lang = self.lang;
                let modal = egui::Modal::new(egui::Id::unique("reenrol-dialog"))
                    .show(ctx, |ui| dialog.ui(ui, lang, now));
                match modal.inner {
                    ReenrolOutcome::Keep => close = modal.should_close(),
                    ReenrolOutcome::Cancel => close = true,
                    ReenrolOutcome::ScanQr => scan_for = Some(dialog.account().clone()),
                    ReenrolOutcome::Confirm(uri) => {
                        request = Some(Request::Reenrol {
                            id: dialog.account().id.clone(),
                            uri,
                        });
                        close = true;
                    }
                }
            }
            Dialog::ChooseCode(dialog) => {
                let lang = self.lang;
                let codes = self.list.row(&dialog.id).and_then(|row| {
                    let left = row.account.params.seconds_left(now);
                    Some((row.code(now)?, row.code(now + left)?, left))
                });
                let modal = egui::Modal::new(egui::Id::unique("choose-code"))
                    .show(ctx, |ui| dialog.ui(ui, lang, codes.clone()));
                match (modal.inner, codes) {
                    (CodeChoice::Keep, _) => close = modal.should_close(),
                    (CodeChoice::Current, Some((current, _, _))) => {
                        copy = Some((current, dialog.name.clone()));
                        close = true;
                    }
                    (CodeChoice::Next, Some((_, next, _))) => {
                        copy = Some((next, dialog.name.clone()));
                        close = true;
                    }
                    _ => close = true,
                }
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
            Dialog::Edit(dialog) => {
                let lang = self.lang;
                let modal = egui::Modal::new(egui::Id::unique("edit-dialog"))
                    .show(ctx, |ui| dialog.ui(ui, lang));
                if modal.inner == Choice::Confirm {
                    request = Some(Request::Edit {
                        id: dialog.id.clone(),
                        issuer: dialog.issuer.clone(),
                        label: dialog.label.clone(),
                        note: dialog.note.clone(),
                    });
                }
                close = modal.inner != Choice::Keep || modal.should_close();
            }
            Dialog::ConfirmDelete(dialog) => {
                let lang = self.lang;
                let modal = egui::Modal::new(egui::Id::unique("delete-dialog"))
                    .show(ctx, |ui| dialog.ui(ui, lang));
                if modal.inner == Choice::Confirm {
                    request = Some(Request::Remove(dialog.id.clone()));
                }
                close = modal.inner != Choice::Keep || modal.should_close();
            }
            Dialog::Import(dialog) => {
                let list = &self.list;
                let existing = |uri: &OtpUri| existing_in(list, uri);
                let modal = egui::Modal::new(egui::Id::unique("import-dialog"))
                    .show(ctx, |ui| dialog.ui(ui, &existing));
                match modal.inner {
                    ImportOutcome::Keep => close = modal.should_close(),
                    ImportOutcome::Close => close = true,
                    ImportOutcome::Import(uris) => {
                        request = Some(Request::Import(uris));
                        close = true;
                    }
                }
            }
            Dialog::Export(dialog) => {
                let (list, lang) = (&self.list, self.lang);
                let accounts = || accounts_of(list, lang);
                let modal = egui::Modal::new(egui::Id::unique("export-dialog"))
                    .show(ctx, |ui| dialog.ui(ui, &accounts));
                match modal.inner {
                    // Not while writing: the result would not be recorded.
                    ExportOutcome::Keep => close = modal.should_close() && !dialog.is_busy(),
                    ExportOutcome::Close => close = true,
                    ExportOutcome::Saved(done) => {
                        exported = Some(done);
                        close = true;
                    }
                    ExportOutcome::ShowQrCodes(uris) => show_codes = Some(uris),
                }
            }
            Dialog::AccountQr(dialog) => {
                let lang = self.lang;
                let modal = egui::Modal::new(egui::Id::unique("account-qr"))
                    .show(ctx, |ui| dialog.ui(ui, lang));
                close = modal.inner || modal.should_close();
            }
            Dialog::MigrationQr(dialog) => {
                let lang = self.lang;
                let modal = egui::Modal::new(egui::Id::unique("migration-qr"))
                    .show(ctx, |ui| dialog.ui(ui, lang));
                close = modal.inner || modal.should_close();
            }
        }
        if let Some(request) = request {
            self.send(request);
        }
        if let Some(done) = exported {
            self.exported(done);
        }
        if let Some(uris) = show_codes {
            self.dialog = Dialog::MigrationQr(Box::new(MigrationQrDialog::new(uris)));
        }
        if close {
            self.dialog = Dialog::None;
        }
        if let Some((code, name)) = copy {
            self.copy(ctx, &code, &name);
        }
        if let Some(account) = scan_for {
            self.dialog = Dialog::Scan(Box::new(ScanDialog::new(self.lang)));
            self.reenrol_after_scan = Some(account);
        }
        if let Some(uri) = scanned {
            match self.reenrol_after_scan.take() {
                Some(account) => {
                    self.dialog = Dialog::Reenrol(ReenrolDialog::scanned_for(account, uri))
                }
                None => self.review(uri),
            }
        }
        if !matches!(self.dialog, Dialog::Scan(_)) {
            // The scan asked for from a Re-enrol dialog is over, found or not.
            self.reenrol_after_scan = None;
        }
        if let Some(settings) = preferences {
            self.set_preferences(settings);
        }
        if let Some(action) = protect {
            self.protect_action(action);
        }
        if open_protect {
            self.dialog = Dialog::Protect(Box::default());
        }
        if open_move && let Some(place) = &self.place {
            self.dialog = Dialog::MoveSecrets(Box::new(MoveDialog::new(place)));
        }
        if open_clock_settings {
            self.clock_action(ClockAction::OpenSettings);
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
