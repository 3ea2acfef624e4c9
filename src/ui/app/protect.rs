//! The window's protection: the encrypted vault's screens, the app lock, the backup reminder
//! and the automatic backups.

use super::*;

impl KunciApp {
    /// The keychain is missing or refuses: offer the vault, explained, never automatically.
    pub(super) fn offer_vault_ui(&mut self, ui: &mut Ui) {
        let Some(dir) = self.data_dir.clone() else {
            return;
        };
        ui.add_space(12.0);
        ui.separator();
        ui.label(tr!(self.lang, "vault.ui.offer"));
        if ui.button(tr!(self.lang, "vault.ui.offer_button")).clicked() {
            self.phase = Phase::Vault(Box::new(VaultDialog::create(dir)));
        }
    }

    /// The vault's unlock (or create) screen in place of the list.
    pub(super) fn vault_ui(&mut self, ui: &mut Ui) -> Option<Command> {
        let Phase::Vault(dialog) = &mut self.phase else {
            return None;
        };
        dialog.ui(ui, self.lang)
    }

    /// Locks the window at once: the codes go, and the clipboard's code if it is still ours.
    pub(super) fn lock_now(&mut self, ctx: &egui::Context) {
        self.lock.lock();
        self.locked(ctx);
    }

    /// What locking does besides hiding the list.
    pub(super) fn locked(&mut self, ctx: &egui::Context) {
        crate::ui::passphrase::forget_typed(ctx);
        self.clipboard.clear_now();
        // Dialogs can show codes and typed secrets: closed, not merely hidden.
        self.dialog = Dialog::None;
        self.toast = None;
    }

    /// Notes input, locks after the idle delay or on Ctrl+L; returns when to wake for it.
    pub(super) fn watch_lock(&mut self, ctx: &egui::Context) -> Option<Duration> {
        let enabled = self.settings.has_lock();
        let watch = self.lock.watch(
            ctx,
            (self.clock)(),
            enabled,
            self.settings.lock_idle_minutes,
        );
        if watch.locked_now {
            self.locked(ctx);
        }
        watch.wake_in
    }

    /// While locked, the unlock screen is all there is (the vault's own passphrase screen at
    /// start counts as the unlock). Returns whether it was drawn.
    pub(super) fn lock_screen_ui(&mut self, ui: &mut Ui) -> bool {
        if !self.settings.has_lock()
            || !self.lock.is_locked()
            || matches!(self.phase, Phase::Vault(_))
        {
            return false;
        }
        let now = (self.clock)();
        let (lang, settings) = (self.lang, &self.settings);
        cheap_frames::central_panel(ui, |ui| match &settings.lock_passphrase_hash {
            Some(hash) => self.lock.screen_ui(ui, lang, hash, now),
            // Fail closed: a lock may be set that cannot be checked. Its problem (with what to
            // do) is among the notices, shown here since nothing else is.
            None => {
                ui.vertical_centered(|ui| {
                    ui.add_space(48.0);
                    ui.heading(tr!(lang, "protect.lock.title"));
                });
                for notice in &self.notices {
                    ui.colored_label(ui.visuals().error_fg_color, notice);
                }
            }
        });
        true
    }

    /// Hands the automatic backups' folder to the worker (`None` while they are off).
    pub(super) fn configure_auto_backup(&mut self) {
        let config = self.settings.auto_backup_folder.clone().map(|folder| {
            kunci::export::auto_backup::Config {
                folder,
                keep: self.settings.auto_backup_keep.max(1) as usize,
            }
        });
        self.send(Request::AutoBackup(config));
    }

    /// The reminder of accounts in no backup yet, above the list.
    pub(super) fn reminder_ui(&mut self, ui: &mut Ui) -> Option<Command> {
        if !matches!(self.phase, Phase::Open) {
            return None;
        }
        let accounts = self.list.rows.iter().map(|r| &r.account);
        let ids = backup_reminder::pending(accounts, &self.settings)?;
        backup_reminder::ui(ui, self.lang, &ids)
    }
}
