//! Re-enrolling an account: a new secret for the same login (after "Disable TOTP" on SPSE the
//! site shows a new barcode), put in place of the old one. The account keeps its id, names,
//! note, group and place; only its secret and code parameters change. Always confirmed first:
//! codes from the old secret stop working.

use egui::{RichText, Ui};
use kunci::accounts::Account;
use kunci::otp::{self, OtpUri, Params, parse_setup_key};

use crate::i18n::{Language, Localize};

use super::account_row::group_digits;
use super::command::Command;
use super::worker::Request;

pub struct ReenrolDialog {
    account: Account,
    stage: Stage,
}

enum Stage {
    /// Typing the new setup key or otpauth:// link.
    Enter { key: String },
    /// The new secret, waiting for the user's word. `explicit`: the user chose Re-enrol for
    /// this account (else a scanned QR code named it).
    Confirm { uri: OtpUri, explicit: bool },
}

impl ReenrolDialog {
    /// Asks for the new secret of `account` (from the row menu).
    pub fn enter(account: Account) -> Self {
        ReenrolDialog {
            account,
            stage: Stage::Enter { key: String::new() },
        }
    }

    /// Asks to confirm a scanned QR code's new secret for a known `account` (same name).
    pub fn confirm(account: Account, uri: OtpUri) -> Self {
        ReenrolDialog {
            account,
            stage: Stage::Confirm {
                uri,
                explicit: false,
            },
        }
    }

    /// Asks to confirm the secret scanned after "Scan QR" in this dialog.
    pub fn scanned_for(account: Account, uri: OtpUri) -> Self {
        ReenrolDialog {
            account,
            stage: Stage::Confirm {
                uri,
                explicit: true,
            },
        }
    }

    pub fn ui(&mut self, ui: &mut Ui, lang: Language, now: u64) -> Option<Command> {
        super::dialog_width(ui, 380.0);
        let name = self.account.display_name();
        let mut outcome = None;
        let mut next_stage = None;
        match &mut self.stage {
            Stage::Enter { key } => {
                ui.heading(tr!(lang, "list.reenrol.title", name = name));
                ui.label(tr!(lang, "list.reenrol.explain"));
                ui.add_space(4.0);
                let key_label = ui.label(tr!(lang, "list.reenrol.key"));
                ui.add(egui::TextEdit::singleline(key).desired_width(f32::INFINITY))
                    .labelled_by(key_label.id);
                let parsed = (!key.trim().is_empty()).then(|| new_secret(&self.account, key, lang));
                if let Some(Err(why)) = &parsed {
                    ui.colored_label(ui.visuals().error_fg_color, why);
                }
                ui.separator();
                ui.horizontal(|ui| {
                    let valid = matches!(parsed, Some(Ok(_)));
                    if ui
                        .add_enabled(valid, egui::Button::new(tr!(lang, "list.reenrol.next")))
                        .clicked()
                        && let Some(Ok(uri)) = parsed
                    {
                        next_stage = Some(Stage::Confirm {
                            uri,
                            explicit: true,
                        });
                    }
                    if ui
                        .button(tr!(lang, "list.reenrol.scan"))
                        .on_hover_text(tr!(lang, "list.reenrol.scan_hint"))
                        .clicked()
                    {
                        outcome = Some(Command::ScanFor(self.account.clone()));
                    }
                    if ui.button(tr!(lang, "common.cancel")).clicked() {
                        outcome = Some(Command::CloseDialog);
                    }
                });
            }
            Stage::Confirm { uri, explicit } => {
                if *explicit {
                    ui.heading(tr!(lang, "list.reenrol.confirm_title", name = name));
                    ui.label(tr!(lang, "list.reenrol.confirm_explain"));
                } else {
                    ui.heading(tr!(lang, "list.reenrol.known", name = name));
                    ui.label(tr!(lang, "list.reenrol.known_explain"));
                }
                let issuer = uri.issuer.as_deref().unwrap_or_default();
                if !self.account.same_name(issuer, &uri.label) {
                    let other = Account {
                        issuer: issuer.to_string(),
                        label: uri.label.clone(),
                        ..self.account.clone()
                    };
                    ui.colored_label(
                        ui.visuals().warn_fg_color,
                        tr!(
                            lang,
                            "list.reenrol.other_name",
                            other = other.display_name(),
                            name = name
                        ),
                    );
                }
                if let Ok(code) = otp::generate(&uri.secret, &uri.params, now) {
                    ui.label(
                        RichText::new(tr!(
                            lang,
                            "list.reenrol.new_code",
                            code = group_digits(&code)
                        ))
                        .strong(),
                    );
                }
                ui.separator();
                ui.horizontal(|ui| {
                    if ui.button(tr!(lang, "list.reenrol.confirm")).clicked() {
                        outcome = Some(Command::RequestAndClose(Request::Reenrol {
                            id: self.account.id.clone(),
                            uri: uri.clone(),
                        }));
                    }
                    if *explicit && ui.button(tr!(lang, "list.reenrol.back")).clicked() {
                        next_stage = Some(Stage::Enter { key: String::new() });
                    }
                    if ui.button(tr!(lang, "common.cancel")).clicked() {
                        outcome = Some(Command::CloseDialog);
                    }
                });
            }
        }
        if let Some(stage) = next_stage {
            self.stage = stage;
        }
        outcome
    }
}

/// The new secret from a typed setup key (keeping the account's code parameters) or a full
/// otpauth:// link (with its own).
fn new_secret(account: &Account, typed: &str, lang: Language) -> Result<OtpUri, String> {
    let words = |e: kunci::otp::OtpError| e.localize(lang);
    if typed
        .trim_start()
        .to_ascii_lowercase()
        .starts_with("otpauth")
    {
        let uri = OtpUri::parse(typed).map_err(words)?;
        uri.params.validate().map_err(words)?;
        return Ok(uri);
    }
    let secret = parse_setup_key(typed).map_err(words)?;
    Ok(OtpUri {
        issuer: (!account.issuer.is_empty()).then(|| account.issuer.clone()),
        label: account.label.clone(),
        secret,
        // A new secret starts counting again (HOTP); TOTP keeps its counter at 0 anyway.
        params: Params {
            counter: 0,
            ..account.params
        },
    })
}
