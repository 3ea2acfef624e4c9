//! Small dialogs about one account: edit its names and note, which code to copy near the end
//! of a period, and the confirmation before deleting.

use egui::{Color32, RichText, Ui};
use kunci::accounts::{Account, AccountId};
use kunci::settings::Language;

use super::account_row::group_digits;
use super::command::Command;
use super::worker::Request;

/// Issuer, account name and note of one account.
pub struct EditDialog {
    pub id: AccountId,
    pub issuer: String,
    pub label: String,
    pub note: String,
}

impl EditDialog {
    pub fn new(account: &Account) -> Self {
        EditDialog {
            id: account.id.clone(),
            issuer: account.issuer.clone(),
            label: account.label.clone(),
            note: account.note.clone(),
        }
    }

    pub fn ui(&mut self, ui: &mut Ui, lang: Language) -> Option<Command> {
        let EditDialog {
            id,
            issuer,
            label,
            note,
        } = self;
        super::dialog_width(ui, 340.0);
        ui.heading(tr!(lang, "list.edit.title"));
        let issuer_label = ui.label(tr!(lang, "list.edit.issuer"));
        ui.add(egui::TextEdit::singleline(issuer).desired_width(f32::INFINITY))
            .labelled_by(issuer_label.id);
        let name_label = ui.label(tr!(lang, "list.edit.label"));
        ui.add(egui::TextEdit::singleline(label).desired_width(f32::INFINITY))
            .labelled_by(name_label.id);
        let note_label = ui.label(tr!(lang, "list.edit.note"));
        ui.add(
            egui::TextEdit::singleline(note)
                .hint_text(tr!(lang, "list.edit.note_hint"))
                .desired_width(f32::INFINITY),
        )
        .labelled_by(note_label.id);
        ui.separator();
        ui.horizontal(|ui| {
            let valid = !(issuer.trim().is_empty() && label.trim().is_empty());
            if ui
                .add_enabled(valid, egui::Button::new(tr!(lang, "common.save")))
                .clicked()
            {
                Some(Command::RequestAndClose(Request::Edit {
                    id: id.clone(),
                    issuer: issuer.clone(),
                    label: label.clone(),
                    note: note.clone(),
                }))
            } else if ui.button(tr!(lang, "common.cancel")).clicked() {
                Some(Command::CloseDialog)
            } else {
                None
            }
        })
        .inner
    }
}

/// Which code to copy, asked in the last seconds of a period.
pub struct ChooseCode {
    pub id: AccountId,
    pub name: String,
}

impl ChooseCode {
    /// `codes`: the current code, the next one and the seconds until the next one is valid;
    /// `None` once the secret is gone (then only Cancel is offered).
    pub fn ui(
        &mut self,
        ui: &mut Ui,
        lang: Language,
        codes: Option<(String, String, u64)>,
    ) -> Option<Command> {
        super::dialog_width(ui, 320.0);
        ui.heading(tr!(lang, "list.choose.title", name = self.name));
        let mut chosen = None;
        if let Some((current, next, seconds)) = codes {
            ui.label(tr!(lang, "list.choose.explain", seconds = seconds));
            ui.add_space(4.0);
            let words = tr!(lang, "list.choose.current", code = group_digits(&current));
            if ui.button(RichText::new(words).size(16.0)).clicked() {
                chosen = Some(current);
            }
            let words = tr!(lang, "list.choose.next", code = group_digits(&next));
            if ui.button(RichText::new(words).size(16.0)).clicked() {
                chosen = Some(next);
            }
        }
        ui.separator();
        if let Some(code) = chosen {
            return Some(Command::Copy {
                code,
                name: self.name.clone(),
            });
        }
        ui.button(tr!(lang, "common.cancel"))
            .clicked()
            .then_some(Command::CloseDialog)
    }
}

pub struct ConfirmDelete {
    pub id: AccountId,
    pub name: String,
}

impl ConfirmDelete {
    pub fn ui(&mut self, ui: &mut Ui, lang: Language) -> Option<Command> {
        super::dialog_width(ui, 340.0);
        ui.heading(tr!(lang, "list.delete.title", name = self.name));
        ui.label(tr!(lang, "list.delete.explain"));
        ui.separator();
        ui.horizontal(|ui| {
            let delete = egui::Button::new(
                RichText::new(tr!(lang, "list.delete.confirm")).color(Color32::WHITE),
            )
            .fill(Color32::from_rgb(0xc0, 0x30, 0x28));
            if ui.add(delete).clicked() {
                Some(Command::RequestAndClose(Request::Remove(self.id.clone())))
            } else if ui.button(tr!(lang, "common.cancel")).clicked() {
                Some(Command::CloseDialog)
            } else {
                None
            }
        })
        .inner
    }
}
