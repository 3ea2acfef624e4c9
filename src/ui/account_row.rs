//! One account in the list: names, the code in large digits, the countdown, copy on click.

use egui::{Align, Layout, RichText, Sense, Ui};
use kunci::accounts::Account;
use kunci::otp::{self, Kind, Secret};

use super::countdown::Countdown;

/// What the user did with a row this frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RowAction {
    Copy(String),
    Rename,
    Delete,
    NextHotp,
}

/// An account as the window holds it: its metadata and, once loaded, its secret.
pub struct Row {
    pub account: Account,
    pub secret: SecretState,
}

pub enum SecretState {
    Loading,
    Ready(Secret),
    Failed(String),
}

/// Groups digits for reading aloud and typing: "123 456", "1234 5678", "123 4567".
pub fn group_digits(code: &str) -> String {
    let split = code.len() / 2;
    if code.len() < 6 || !code.is_ascii() {
        return code.to_string();
    }
    format!("{} {}", &code[..split], &code[split..])
}

impl Row {
    /// The current code, if the secret is loaded.
    pub fn code(&self, now: u64) -> Option<String> {
        match &self.secret {
            SecretState::Ready(secret) => otp::generate(secret, &self.account.params, now).ok(),
            _ => None,
        }
    }

    pub fn ui(&self, ui: &mut Ui, now: u64, selected: bool) -> Option<RowAction> {
        let Row { account, secret } = self;
        let mut action = None;
        let frame = egui::Frame::group(ui.style()).fill(if selected {
            ui.visuals().faint_bg_color
        } else {
            ui.visuals().panel_fill
        });
        frame.show(ui, |ui| {
            ui.set_width(ui.available_width());
            ui.horizontal(|ui| {
                ui.vertical(|ui| {
                    let title = if account.issuer.is_empty() {
                        account.label.as_str()
                    } else {
                        account.issuer.as_str()
                    };
                    ui.label(RichText::new(title).strong());
                    if !account.issuer.is_empty() && !account.label.is_empty() {
                        ui.label(RichText::new(&account.label).weak());
                    }
                    match secret {
                        SecretState::Loading => {
                            ui.horizontal(|ui| {
                                ui.spinner();
                                ui.label("Reading the keychain…");
                            });
                        }
                        SecretState::Failed(why) => {
                            ui.colored_label(ui.visuals().error_fg_color, why);
                        }
                        SecretState::Ready(_) => {
                            if let Some(code) = self.code(now) {
                                let text =
                                    RichText::new(group_digits(&code)).monospace().size(30.0);
                                let copy = ui
                                    .add(egui::Button::new(text).frame(false).sense(Sense::click()))
                                    .on_hover_text("Click to copy the code");
                                if copy.clicked() {
                                    action = Some(RowAction::Copy(code));
                                }
                            }
                        }
                    }
                });
                ui.with_layout(Layout::right_to_left(Align::Center), |ui| {
                    ui.menu_button("…", |ui| {
                        if ui.button("Rename…").clicked() {
                            action = Some(RowAction::Rename);
                        }
                        if ui.button("Delete…").clicked() {
                            action = Some(RowAction::Delete);
                        }
                    })
                    .response
                    .on_hover_text(format!("More actions for {}", account.display_name()));
                    match account.params.kind {
                        Kind::Totp => {
                            let period = u64::from(account.params.period);
                            ui.add(Countdown::new(account.params.seconds_left(now), period));
                        }
                        Kind::Hotp => {
                            if ui
                                .button("Next code")
                                .on_hover_text("Counter-based account: show the next code")
                                .clicked()
                            {
                                action = Some(RowAction::NextHotp);
                            }
                        }
                    }
                });
            });
        });
        action
    }
}

#[cfg(test)]
mod tests {
    use super::group_digits;

    #[test]
    fn digits_are_grouped_for_reading() {
        assert_eq!(group_digits("123456"), "123 456");
        assert_eq!(group_digits("1234567"), "123 4567");
        assert_eq!(group_digits("12345678"), "1234 5678");
    }
}
