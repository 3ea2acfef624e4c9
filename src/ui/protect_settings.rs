//! The "App lock and backups" window (opened from Settings): the app lock's passphrase (set,
//! change, remove) and idle delay, the backup reminder, and the automatic encrypted backups.
//! Changes apply at once and are saved, as in Settings.

use std::path::PathBuf;

use egui::{RichText, Ui};
use zeroize::Zeroizing;

use kunci::settings::Settings;

use super::command::Command;
use super::job::Job;
use super::lock::{IDLE_CHOICES, hash_passphrase, verify_passphrase};
use super::passphrase::{NewPassphrase, password_field};
use crate::i18n::Language;

/// What the lock's passphrase work ended in.
enum LockChange {
    Set(String),
    Removed,
    WrongCurrent,
    Failed,
}

/// The typed passphrases and the work in progress.
#[derive(Default)]
pub struct ProtectDialog {
    current: Zeroizing<String>,
    new: NewPassphrase,
    working: Option<Job<LockChange>>,
    /// The last result, and whether it is an error.
    message: Option<(String, bool)>,
    backup: NewPassphrase,
    picking: Option<Job<Option<PathBuf>>>,
}

impl ProtectDialog {
    pub fn ui(&mut self, ui: &mut Ui, lang: Language, current: &Settings) -> Option<Command> {
        let mut edited = current.clone();
        super::dialog_width(ui, 400.0);
        ui.heading(tr!(lang, "protect.settings.title"));
        // Scrolled in a small window: the whole dialog is taller than some laptop screens.
        let room = (ui.ctx().content_rect().height() - 140.0).max(200.0);
        let action = egui::ScrollArea::vertical()
            .max_height(room)
            .show(ui, |ui| {
                self.lock_ui(ui, lang, &mut edited);

                section(ui, tr!(lang, "protect.settings.reminder_title"));
                ui.checkbox(
                    &mut edited.backup_reminder,
                    tr!(lang, "protect.settings.reminder"),
                );

                section(ui, tr!(lang, "protect.settings.auto_title"));
                self.auto_backup_ui(ui, lang, &mut edited)
            })
            .inner;
        ui.separator();
        let close = ui.button(tr!(lang, "common.close")).clicked();
        if action.is_some() {
            action
        } else if edited != *current {
            Some(Command::Preferences(edited))
        } else {
            close.then_some(Command::CloseDialog)
        }
    }

    fn lock_ui(&mut self, ui: &mut Ui, lang: Language, edited: &mut Settings) {
        section(ui, tr!(lang, "protect.settings.lock_title"));
        if let Some(result) = self.working.as_ref().and_then(Job::poll) {
            self.working = None;
            self.message = Some(match result {
                Some(LockChange::Set(hash)) => {
                    let changed = edited.lock_passphrase_hash.is_some();
                    edited.lock_passphrase_hash = Some(hash);
                    let key = if changed {
                        tr!(lang, "protect.settings.lock_changed")
                    } else {
                        tr!(lang, "protect.settings.lock_set")
                    };
                    (key, false)
                }
                Some(LockChange::Removed) => {
                    edited.lock_passphrase_hash = None;
                    (tr!(lang, "protect.settings.lock_removed"), false)
                }
                Some(LockChange::WrongCurrent) => {
                    (tr!(lang, "protect.settings.wrong_current"), true)
                }
                Some(LockChange::Failed) | None => {
                    (tr!(lang, "protect.settings.lock_failed"), true)
                }
            });
        }
        let busy = self.working.is_some();
        let hash = edited.lock_passphrase_hash.clone();
        ui.label(RichText::new(tr!(lang, "protect.settings.lock_explain")).weak());
        if hash.is_some() {
            password_field(
                ui,
                tr!(lang, "protect.settings.current"),
                &mut self.current,
                !busy,
            );
        }
        let labels = (
            tr!(lang, "protect.settings.new"),
            tr!(lang, "protect.settings.again"),
        );
        let new_ok = self.new.ui(ui, lang, labels, !busy).ready;
        let current_ok = hash.is_none() || !self.current.is_empty();
        let mut start = None;
        ui.horizontal(|ui| {
            let set = if hash.is_some() {
                tr!(lang, "protect.settings.change")
            } else {
                tr!(lang, "protect.settings.set")
            };
            if ui
                .add_enabled(!busy && new_ok && current_ok, egui::Button::new(set))
                .clicked()
            {
                start = Some(true);
            }
            if hash.is_some()
                && ui
                    .add_enabled(
                        !busy && current_ok,
                        egui::Button::new(tr!(lang, "protect.settings.remove")),
                    )
                    .clicked()
            {
                start = Some(false);
            }
            if busy {
                ui.spinner();
            }
        });
        if let Some(set) = start {
            let current = std::mem::take(&mut self.current);
            let new = self.new.take();
            self.message = None;
            let hash = hash.clone();
            self.working = Some(Job::spawn(ui.ctx(), "lock", move || {
                if let Some(hash) = &hash
                    && !verify_passphrase(&current, hash)
                {
                    return LockChange::WrongCurrent;
                }
                if !set {
                    return LockChange::Removed;
                }
                hash_passphrase(&new).map_or(LockChange::Failed, LockChange::Set)
            }));
        }
        if let Some((text, error)) = &self.message {
            let color = if *error {
                ui.visuals().error_fg_color
            } else {
                ui.visuals().text_color()
            };
            ui.colored_label(color, text);
        }
        if hash.is_some() {
            ui.label(tr!(lang, "protect.settings.idle"));
            for choice in IDLE_CHOICES {
                let label = match choice {
                    None => tr!(lang, "protect.settings.idle_never"),
                    Some(minutes) => tr!(lang, "protect.settings.idle_after", minutes = minutes),
                };
                ui.radio_value(&mut edited.lock_idle_minutes, choice, label);
            }
            ui.label(RichText::new(tr!(lang, "protect.settings.lock_now_hint")).weak());
        }
    }

    fn auto_backup_ui(
        &mut self,
        ui: &mut Ui,
        lang: Language,
        edited: &mut Settings,
    ) -> Option<Command> {
        ui.label(RichText::new(tr!(lang, "protect.settings.auto_explain")).weak());
        if let Some(folder) = &edited.auto_backup_folder {
            ui.label(tr!(
                lang,
                "protect.settings.auto_on",
                folder = folder.display()
            ));
            ui.horizontal(|ui| {
                let label = ui.label(tr!(lang, "protect.settings.keep"));
                ui.add(egui::DragValue::new(&mut edited.auto_backup_keep).range(1..=100))
                    .labelled_by(label.id);
            });
            if ui.button(tr!(lang, "protect.settings.auto_off")).clicked() {
                return Some(Command::AutoBackupOff);
            }
            return None;
        }
        if let Some(picked) = self.picking.as_ref().and_then(Job::poll) {
            self.picking = None;
            if let Some(folder) = picked.flatten() {
                return Some(Command::AutoBackupOn {
                    folder,
                    passphrase: self.backup.take(),
                });
            }
        }
        let busy = self.picking.is_some();
        let labels = (
            tr!(lang, "protect.settings.auto_passphrase"),
            tr!(lang, "protect.settings.auto_again"),
        );
        let ready = self.backup.ui(ui, lang, labels, !busy).ready && !busy;
        if ui
            .add_enabled(
                ready,
                egui::Button::new(tr!(lang, "protect.settings.auto_choose")),
            )
            .clicked()
        {
            let title = tr!(lang, "protect.settings.auto_choose_title");
            self.picking = Some(Job::pick(ui.ctx(), move || {
                rfd::FileDialog::new().set_title(title).pick_folder()
            }));
        }
        None
    }
}

fn section(ui: &mut Ui, title: String) {
    ui.add_space(8.0);
    ui.label(RichText::new(title).strong());
}
