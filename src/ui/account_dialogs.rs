//! Small dialogs about one account: edit its names and note, which code to copy near the end
//! of a period, and the confirmation before deleting.

use egui::{Color32, RichText, Ui};
use kunci::accounts::{Account, AccountId};
use kunci::settings::Language;

use super::account_row::group_digits;

/// What a dialog's buttons said this frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Choice {
    Keep,
    Cancel,
    Confirm,
}

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

    pub fn ui(&mut self, ui: &mut Ui, lang: Language) -> Choice {
        let EditDialog {
            issuer,
            label,
            note,
            ..
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
                Choice::Confirm
            } else if ui.button(tr!(lang, "common.cancel")).clicked() {
                Choice::Cancel
            } else {
                Choice::Keep
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

/// What the user chose in [`ChooseCode`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeChoice {
    Keep,
    Cancel,
    Current,
    Next,
}

impl ChooseCode {
    /// `codes`: the current code, the next one and the seconds until the next one is valid;
    /// `None` once the secret is gone (then only Cancel is offered).
    pub fn ui(
        &mut self,
        ui: &mut Ui,
        lang: Language,
        codes: Option<(String, String, u64)>,
    ) -> CodeChoice {
        super::dialog_width(ui, 320.0);
        ui.heading(tr!(lang, "list.choose.title", name = self.name));
        let mut choice = CodeChoice::Keep;
        if let Some((current, next, seconds)) = codes {
            ui.label(tr!(lang, "list.choose.explain", seconds = seconds));
            ui.add_space(4.0);
            let current = tr!(lang, "list.choose.current", code = group_digits(&current));
            if ui.button(RichText::new(current).size(16.0)).clicked() {
                choice = CodeChoice::Current;
            }
            let next = tr!(lang, "list.choose.next", code = group_digits(&next));
            if ui.button(RichText::new(next).size(16.0)).clicked() {
                choice = CodeChoice::Next;
            }
        }
        ui.separator();
        if ui.button(tr!(lang, "common.cancel")).clicked() {
            choice = CodeChoice::Cancel;
        }
        choice
    }
}

pub struct ConfirmDelete {
    pub id: AccountId,
    pub name: String,
}

impl ConfirmDelete {
    pub fn ui(&mut self, ui: &mut Ui, lang: Language) -> Choice {
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
                Choice::Confirm
            } else if ui.button(tr!(lang, "common.cancel")).clicked() {
                Choice::Cancel
            } else {
                Choice::Keep
            }
        })
        .inner
    }
}
