//! Small dialogs about one account: rename, and the confirmation before deleting.

use egui::{Color32, RichText, Ui};
use kunci::accounts::AccountId;

/// What a dialog's buttons said this frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Choice {
    Keep,
    Cancel,
    Confirm,
}

pub struct RenameDialog {
    pub id: AccountId,
    pub issuer: String,
    pub label: String,
}

impl RenameDialog {
    pub fn ui(&mut self, ui: &mut Ui) -> Choice {
        let RenameDialog { issuer, label, .. } = self;
        super::dialog_width(ui, 340.0);
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
            if ui.add_enabled(valid, egui::Button::new("Save")).clicked() {
                Choice::Confirm
            } else if ui.button("Cancel").clicked() {
                Choice::Cancel
            } else {
                Choice::Keep
            }
        })
        .inner
    }
}

pub struct ConfirmDelete {
    pub id: AccountId,
    pub name: String,
}

impl ConfirmDelete {
    pub fn ui(&mut self, ui: &mut Ui) -> Choice {
        super::dialog_width(ui, 340.0);
        ui.heading(format!("Delete {}?", self.name));
        ui.label(
            "Its secret is deleted from the keychain and Kunci cannot show its codes any more. \
             To use this account again you need a new QR code or setup key from the site.",
        );
        ui.separator();
        ui.horizontal(|ui| {
            let delete = egui::Button::new(RichText::new("Delete").color(Color32::WHITE))
                .fill(Color32::from_rgb(0xc0, 0x30, 0x28));
            if ui.add(delete).clicked() {
                Choice::Confirm
            } else if ui.button("Cancel").clicked() {
                Choice::Cancel
            } else {
                Choice::Keep
            }
        })
        .inner
    }
}
