//! What the workers report, applied to the window's state once a frame.

use super::*;

impl KunciApp {
    /// Applies everything the workers have reported.
    pub(super) fn drain(&mut self) {
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

    pub(super) fn apply(&mut self, event: Event) {
        match event {
            Event::Opened {
                accounts,
                notices,
                earlier,
            } => {
                self.earlier_lists = earlier;
                self.phase = Phase::Open;
                // Known before Settings opens, so that its layout does not jump.
                if self.location.is_none() {
                    self.check_location();
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
            Event::LocationReport(report) => self.location = Some(report),
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
}
