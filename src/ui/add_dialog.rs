//! The Add dialog: a typed setup key (with issuer and account name) or a pasted otpauth URI,
//! checked as you type; nothing is saved until it is valid.

use egui::{Color32, RichText, Ui};
use kunci::otp::{Algorithm, Kind, OtpUri, Params, parse_setup_key};

use super::command::Command;
use crate::i18n::{Language, Localize};

pub struct AddDialog {
    lang: Language,
    key: String,
    issuer: String,
    label: String,
    params: Params,
    /// The key text the fields were last filled from, so a pasted URI fills them once.
    filled_from: String,
    /// Set by the app when saving failed (e.g. the keychain refused).
    pub save_error: Option<String>,
    pub saving: bool,
}

fn looks_like_uri(text: &str) -> bool {
    text.trim_start()
        .to_ascii_lowercase()
        .starts_with("otpauth")
}

impl AddDialog {
    /// An empty dialog.
    pub fn new(lang: Language) -> Self {
        AddDialog {
            lang,
            key: String::new(),
            issuer: String::new(),
            label: String::new(),
            params: Params::default(),
            filled_from: String::new(),
            save_error: None,
            saving: false,
        }
    }

    /// The dialog filled from a scanned QR code, for the user to review.
    pub fn from_uri(uri: &OtpUri, lang: Language) -> Self {
        let key = uri.to_uri().to_string();
        AddDialog {
            filled_from: key.clone(),
            key,
            issuer: uri.issuer.clone().unwrap_or_default(),
            label: uri.label.clone(),
            params: uri.params,
            ..AddDialog::new(lang)
        }
    }

    /// The account the fields describe, or what is wrong with them.
    pub fn validate(&self) -> Result<OtpUri, String> {
        let lang = self.lang;
        if self.key.trim().is_empty() {
            return Err(tr!(lang, "add.key_missing"));
        }
        let words = |e: kunci::otp::OtpError| e.localize(lang);
        let secret = if looks_like_uri(&self.key) {
            OtpUri::parse(&self.key).map_err(words)?.secret
        } else {
            parse_setup_key(&self.key).map_err(words)?
        };
        self.params.validate().map_err(words)?;
        if self.issuer.trim().is_empty() && self.label.trim().is_empty() {
            return Err(tr!(lang, "add.name_missing"));
        }
        Ok(OtpUri {
            issuer: Some(self.issuer.trim().to_string()).filter(|s| !s.is_empty()),
            label: self.label.trim().to_string(),
            secret,
            params: self.params,
        })
    }

    /// A pasted URI fills issuer, account name and parameters (once per new text).
    fn fill_from_uri(&mut self) {
        if self.key == self.filled_from || !looks_like_uri(&self.key) {
            return;
        }
        self.filled_from = self.key.clone();
        if let Ok(uri) = OtpUri::parse(&self.key) {
            self.issuer = uri.issuer.unwrap_or_default();
            self.label = uri.label;
            self.params = uri.params;
        }
    }

    pub fn ui(&mut self, ui: &mut Ui) -> Option<Command> {
        let mut outcome = None;
        let lang = self.lang;
        super::dialog_width(ui, 380.0);
        ui.heading(tr!(lang, "add.title"));
        ui.add_space(4.0);

        let key_label = ui.label(tr!(lang, "add.key"));
        let key_edit = ui.add(
            egui::TextEdit::singleline(&mut self.key)
                .hint_text(tr!(lang, "add.key_hint"))
                .desired_width(f32::INFINITY)
                .font(egui::TextStyle::Monospace),
        );
        let key_edit = key_edit.labelled_by(key_label.id);
        if self.key.is_empty() && !key_edit.has_focus() && ui.memory(|m| m.focused().is_none()) {
            key_edit.request_focus();
        }
        if key_edit.changed() {
            self.save_error = None;
            self.fill_from_uri();
        }

        let issuer_label = ui.label(tr!(lang, "add.issuer"));
        ui.add(egui::TextEdit::singleline(&mut self.issuer).desired_width(f32::INFINITY))
            .labelled_by(issuer_label.id);
        let name_label = ui.label(tr!(lang, "add.account_name"));
        ui.add(egui::TextEdit::singleline(&mut self.label).desired_width(f32::INFINITY))
            .labelled_by(name_label.id);

        // The id stays the same in both languages, so the section keeps its open state.
        egui::CollapsingHeader::new(tr!(lang, "add.advanced"))
            .id_salt("add-advanced")
            .show(ui, |ui| {
                egui::Grid::new("advanced").num_columns(2).show(ui, |ui| {
                    ui.label(tr!(lang, "add.type"));
                    ui.horizontal(|ui| {
                        ui.radio_value(&mut self.params.kind, Kind::Totp, tr!(lang, "add.totp"));
                        ui.radio_value(&mut self.params.kind, Kind::Hotp, tr!(lang, "add.hotp"));
                    });
                    ui.end_row();
                    ui.label(tr!(lang, "add.digits"));
                    ui.horizontal(|ui| {
                        for digits in 6..=8 {
                            ui.radio_value(&mut self.params.digits, digits, digits.to_string());
                        }
                    });
                    ui.end_row();
                    ui.label(tr!(lang, "add.algorithm"));
                    ui.horizontal(|ui| {
                        for algorithm in [Algorithm::Sha1, Algorithm::Sha256, Algorithm::Sha512] {
                            ui.radio_value(
                                &mut self.params.algorithm,
                                algorithm,
                                algorithm.as_str(),
                            );
                        }
                    });
                    ui.end_row();
                    match self.params.kind {
                        Kind::Totp => {
                            ui.label(tr!(lang, "add.period"));
                            ui.add(egui::DragValue::new(&mut self.params.period).range(1..=300));
                        }
                        Kind::Hotp => {
                            ui.label(tr!(lang, "add.counter"));
                            ui.add(egui::DragValue::new(&mut self.params.counter));
                        }
                    }
                    ui.end_row();
                });
            });

        let valid = self.validate();
        ui.add_space(4.0);
        if let Err(why) = &valid
            && !self.key.trim().is_empty()
        {
            ui.colored_label(ui.visuals().error_fg_color, why);
        }
        if let Some(why) = &self.save_error {
            ui.colored_label(ui.visuals().error_fg_color, RichText::new(why).strong());
        }
        ui.separator();
        ui.horizontal(|ui| {
            let add = ui.add_enabled(
                valid.is_ok() && !self.saving,
                egui::Button::new(RichText::new(tr!(lang, "add.add")).color(Color32::WHITE))
                    .fill(ui.visuals().selection.bg_fill),
            );
            let enter = key_edit.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
            if (add.clicked() || (enter && !self.saving))
                && let Ok(uri) = valid
            {
                outcome = Some(Command::Add(uri));
            }
            if ui.button(tr!(lang, "common.cancel")).clicked() {
                outcome = Some(Command::CloseDialog);
            }
            if self.saving {
                ui.spinner();
            }
        });
        outcome
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pasted_uri_fills_the_fields() {
        let mut dialog = AddDialog {
            key:
                "otpauth://totp/LPSE%20Kota%20Bandung:penyedia01?secret=JBSWY3DPEHPK3PXP&period=60"
                    .into(),
            ..AddDialog::new(Language::English)
        };
        dialog.fill_from_uri();
        assert_eq!(dialog.issuer, "LPSE Kota Bandung");
        assert_eq!(dialog.label, "penyedia01");
        assert_eq!(dialog.params.period, 60);
        assert!(dialog.validate().is_ok());
    }

    #[test]
    fn a_name_is_required() {
        let dialog = AddDialog {
            key: "JBSWY3DPEHPK3PXP".into(),
            ..AddDialog::new(Language::English)
        };
        assert!(dialog.validate().unwrap_err().contains("name"));
    }
}
