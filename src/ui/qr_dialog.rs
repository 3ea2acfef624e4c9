//! Accounts shown as QR codes, to move them to a phone or another computer: one account's
//! otpauth link, or Google Authenticator export codes for many (ten accounts a code, shown one
//! at a time). Anyone who sees such a code can copy the accounts, so it stays hidden until the
//! user clicks "Show".

use egui::{RichText, Ui};
use kunci::otp::OtpUri;
use kunci::otp::migration::{self, ACCOUNTS_PER_QR, ExportLimit};

use super::qr_view::QrView;
use crate::i18n::Language;

/// The largest side of a code on screen, in points.
const MAX_SIDE: f32 = 360.0;

/// One account's `otpauth://` link as a QR code.
pub struct AccountQrDialog {
    name: String,
    uri: OtpUri,
    view: Option<QrView>,
}

impl AccountQrDialog {
    pub fn new(uri: OtpUri) -> Self {
        AccountQrDialog {
            name: uri.display_name(),
            uri,
            view: None,
        }
    }

    /// The code on screen, if shown (for the tests' decoders).
    #[cfg(test)]
    pub fn shown(&self) -> Option<&QrView> {
        self.view.as_ref()
    }

    /// True when the dialog is to close.
    pub fn ui(&mut self, ui: &mut Ui, lang: Language) -> bool {
        super::dialog_width(ui, 400.0);
        ui.heading(tr!(lang, "transfer.qr.title", name = self.name));
        warning_ui(ui, tr!(lang, "transfer.qr.warning"));
        match &self.view {
            None => {
                if ui.button(tr!(lang, "transfer.qr.show")).clicked() {
                    self.view = QrView::new(&self.uri.to_uri());
                }
            }
            Some(view) => {
                view.ui(
                    ui,
                    MAX_SIDE,
                    &tr!(lang, "transfer.qr.image", name = self.name),
                );
                if ui.button(tr!(lang, "transfer.qr.hide")).clicked() {
                    self.view = None;
                }
            }
        }
        ui.separator();
        ui.button(tr!(lang, "common.close")).clicked()
    }
}

/// Google Authenticator export codes for the ticked accounts.
pub struct MigrationQrDialog {
    picks: Vec<(OtpUri, bool)>,
    /// The codes while shown, and which one is on screen.
    codes: Vec<QrView>,
    at: usize,
}

impl MigrationQrDialog {
    /// Every account ticked, except those an export would change (their period or digits).
    pub fn new(accounts: Vec<OtpUri>) -> Self {
        MigrationQrDialog {
            picks: accounts
                .into_iter()
                .map(|uri| {
                    let fits = migration::export_limit(&uri).is_none();
                    (uri, fits)
                })
                .collect(),
            codes: Vec::new(),
            at: 0,
        }
    }

    /// The codes, if shown (for the tests' decoders).
    #[cfg(test)]
    pub fn shown(&self) -> &[QrView] {
        &self.codes
    }

    /// True when the dialog is to close.
    pub fn ui(&mut self, ui: &mut Ui, lang: Language) -> bool {
        super::dialog_width(ui, 420.0);
        ui.heading(tr!(lang, "transfer.migration.title"));
        if self.codes.is_empty() {
            self.choose_ui(ui, lang);
        } else {
            self.codes_ui(ui, lang);
        }
        ui.separator();
        ui.button(tr!(lang, "common.close")).clicked()
    }

    fn choose_ui(&mut self, ui: &mut Ui, lang: Language) {
        ui.label(tr!(lang, "transfer.migration.intro"));
        egui::ScrollArea::vertical()
            .max_height(220.0)
            .show(ui, |ui| {
                for (uri, ticked) in &mut self.picks {
                    let name = uri.display_name();
                    let text = match migration::export_limit(uri) {
                        None => name,
                        Some(ExportLimit::Period(period)) => {
                            tr!(
                                lang,
                                "transfer.migration.period",
                                name = name,
                                period = period
                            )
                        }
                        Some(ExportLimit::Digits(digits)) => {
                            tr!(
                                lang,
                                "transfer.migration.digits",
                                name = name,
                                digits = digits
                            )
                        }
                    };
                    ui.checkbox(ticked, text);
                }
            });
        warning_ui(ui, tr!(lang, "transfer.migration.warning"));
        let chosen: Vec<OtpUri> = self
            .picks
            .iter()
            .filter(|(_, ticked)| *ticked)
            .map(|(uri, _)| uri.clone())
            .collect();
        let codes = chosen.len().div_ceil(ACCOUNTS_PER_QR);
        let label = tr!(
            lang,
            "transfer.migration.show",
            count = chosen.len(),
            codes = codes
        );
        if ui
            .add_enabled(!chosen.is_empty(), egui::Button::new(label))
            .clicked()
        {
            self.codes = migration::encode_batches(&chosen, ACCOUNTS_PER_QR)
                .iter()
                .filter_map(|link| QrView::new(link))
                .collect();
            self.at = 0;
        }
    }

    fn codes_ui(&mut self, ui: &mut Ui, lang: Language) {
        let total = self.codes.len();
        let which = tr!(
            lang,
            "transfer.migration.which",
            number = self.at + 1,
            total = total
        );
        ui.label(RichText::new(which).strong());
        ui.label(tr!(lang, "transfer.migration.scan_hint"));
        let image = tr!(
            lang,
            "transfer.migration.image",
            number = self.at + 1,
            total = total
        );
        self.codes[self.at].ui(ui, MAX_SIDE, &image);
        ui.horizontal(|ui| {
            if ui
                .add_enabled(
                    self.at > 0,
                    egui::Button::new(tr!(lang, "transfer.migration.previous")),
                )
                .clicked()
            {
                self.at -= 1;
            }
            if ui
                .add_enabled(
                    self.at + 1 < total,
                    egui::Button::new(tr!(lang, "transfer.migration.next")),
                )
                .clicked()
            {
                self.at += 1;
            }
            if ui.button(tr!(lang, "transfer.qr.hide")).clicked() {
                self.codes.clear();
            }
        });
    }
}

fn warning_ui(ui: &mut Ui, text: String) {
    ui.colored_label(ui.visuals().warn_fg_color, RichText::new(text).strong());
}
