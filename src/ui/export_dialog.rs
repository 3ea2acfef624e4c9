//! The Back up / export dialog: every account to a Kunci backup (encrypted, the default) or,
//! after an explicit "I understand", to an unencrypted otpauth URI list or Aegis vault; or on
//! screen as Google Authenticator export QR codes. Sealing (Argon2id) and writing run on a
//! thread; the file is replaced atomically. What is written is what `kunci export` writes.

use std::path::PathBuf;
use std::sync::mpsc::{self, Receiver, Sender};

use super::vault_dialog::strength_hint;
use egui::{RichText, Ui};
use kunci::accounts::Extras;
use kunci::export;
use kunci::otp::OtpUri;
use kunci::store::{self, backup};
use zeroize::Zeroizing;

use super::account_list::ListView;
use super::account_row::SecretState;
use crate::i18n::{Language, Localize};

/// What the dialog asks the app to do.
pub enum ExportOutcome {
    Keep,
    Close,
    /// The file is written.
    Saved(Saved),
    /// Show these accounts as Google Authenticator export QR codes.
    ShowQrCodes(Vec<OtpUri>),
}

/// A written file.
pub struct Saved {
    pub path: PathBuf,
    pub count: usize,
    /// A Kunci backup (encrypted), as opposed to an unencrypted export.
    pub backup: bool,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Format {
    Kunci,
    Uris,
    Aegis,
    GoogleQr,
}

enum Found {
    Saved(Saved),
    Cancelled,
    Failed(String),
}

pub struct ExportDialog {
    lang: Language,
    format: Format,
    passphrase: Zeroizing<String>,
    again: Zeroizing<String>,
    understood: bool,
    busy: bool,
    problem: Option<String>,
    tx: Sender<Found>,
    rx: Receiver<Found>,
    /// Where the tests save, instead of asking through the native dialog.
    #[cfg(test)]
    pub save_to: Option<PathBuf>,
}

/// Every account with its secret, note and pin, in list order; refused while a secret is
/// missing (a backup without it would look whole and not be).
pub fn accounts_of(list: &ListView, lang: Language) -> Result<Vec<(OtpUri, Extras)>, String> {
    list.rows
        .iter()
        .map(|row| match &row.secret {
            SecretState::Ready(secret) => Ok((row.account.to_uri(secret), row.account.extras())),
            SecretState::Loading => Err(tr!(lang, "transfer.export.loading")),
            SecretState::Failed(why) => Err(tr!(
                lang,
                "transfer.export.secret_failed",
                name = row.account.display_name(),
                reason = why
            )),
        })
        .collect()
}

impl ExportDialog {
    pub fn new(lang: Language) -> Self {
        let (tx, rx) = mpsc::channel();
        ExportDialog {
            lang,
            format: Format::Kunci,
            passphrase: Zeroizing::new(String::new()),
            again: Zeroizing::new(String::new()),
            understood: false,
            busy: false,
            problem: None,
            tx,
            rx,
            #[cfg(test)]
            save_to: None,
        }
    }

    /// True while the file is being written.
    pub fn is_busy(&self) -> bool {
        self.busy
    }

    /// `accounts` gives every account with its secret, when the user saves.
    pub fn ui(
        &mut self,
        ui: &mut Ui,
        accounts: &dyn Fn() -> Result<Vec<(OtpUri, Extras)>, String>,
    ) -> ExportOutcome {
        while let Ok(found) = self.rx.try_recv() {
            self.busy = false;
            match found {
                Found::Saved(saved) => return ExportOutcome::Saved(saved),
                Found::Cancelled => {}
                Found::Failed(why) => self.problem = Some(why),
            }
        }
        let lang = self.lang;
        super::dialog_width(ui, 460.0);
        ui.heading(tr!(lang, "transfer.export.title"));
        ui.add_enabled_ui(!self.busy, |ui| {
            for (format, key) in [
                (Format::Kunci, tr!(lang, "transfer.export.kunci")),
                (Format::Uris, tr!(lang, "transfer.export.uris")),
                (Format::Aegis, tr!(lang, "transfer.export.aegis")),
                (Format::GoogleQr, tr!(lang, "transfer.export.google_qr")),
            ] {
                if ui.radio_value(&mut self.format, format, key).changed() {
                    self.understood = false;
                    self.problem = None;
                }
            }
        });
        ui.add_space(6.0);
        let ready = match self.format {
            Format::Kunci => self.passphrase_ui(ui),
            Format::Uris | Format::Aegis => {
                ui.colored_label(
                    ui.visuals().warn_fg_color,
                    RichText::new(tr!(lang, "transfer.export.unencrypted_warning")).strong(),
                );
                ui.add_enabled(
                    !self.busy,
                    egui::Checkbox::new(
                        &mut self.understood,
                        tr!(lang, "transfer.export.understand"),
                    ),
                );
                self.understood
            }
            Format::GoogleQr => {
                ui.label(tr!(lang, "transfer.export.google_qr_explain"));
                true
            }
        };
        if let Some(problem) = &self.problem {
            ui.colored_label(ui.visuals().error_fg_color, problem);
        }
        ui.add_space(6.0);
        let mut outcome = ExportOutcome::Keep;
        ui.horizontal(|ui| {
            let label = match self.format {
                Format::GoogleQr => tr!(lang, "transfer.export.show_qr"),
                _ => tr!(lang, "transfer.export.save"),
            };
            if ui
                .add_enabled(ready && !self.busy, egui::Button::new(label))
                .clicked()
            {
                match accounts() {
                    Ok(list) if list.is_empty() => {
                        self.problem = Some(tr!(lang, "transfer.export.no_accounts"))
                    }
                    Ok(list) if self.format == Format::GoogleQr => {
                        outcome = ExportOutcome::ShowQrCodes(
                            list.into_iter().map(|(uri, _)| uri).collect(),
                        )
                    }
                    Ok(list) => self.save(ui.ctx(), list),
                    Err(why) => self.problem = Some(why),
                }
            }
            if ui.button(tr!(lang, "common.cancel")).clicked() {
                outcome = ExportOutcome::Close;
            }
            if self.busy {
                ui.spinner();
                ui.label(tr!(lang, "transfer.export.saving"));
            }
        });
        outcome
    }

    /// The passphrase twice, with a strength hint; whether they are ready.
    fn passphrase_ui(&mut self, ui: &mut Ui) -> bool {
        let lang = self.lang;
        ui.label(tr!(lang, "transfer.export.kunci_explain"));
        let label = ui.label(tr!(lang, "transfer.export.passphrase"));
        ui.add_enabled(
            !self.busy,
            egui::TextEdit::singleline(&mut *self.passphrase)
                .password(true)
                .desired_width(280.0),
        )
        .labelled_by(label.id);
        strength_hint(ui, lang, &self.passphrase);
        let label = ui.label(tr!(lang, "transfer.export.again"));
        ui.add_enabled(
            !self.busy,
            egui::TextEdit::singleline(&mut *self.again)
                .password(true)
                .desired_width(280.0),
        )
        .labelled_by(label.id);
        if !self.again.is_empty() && self.again != self.passphrase {
            ui.colored_label(
                ui.visuals().warn_fg_color,
                tr!(lang, "transfer.export.differ"),
            );
        }
        ui.label(RichText::new(tr!(lang, "transfer.export.forget")).weak());
        !self.passphrase.is_empty() && self.again == self.passphrase
    }

    /// Asks where to save (the native dialog), then seals and writes on a thread.
    fn save(&mut self, ctx: &egui::Context, accounts: Vec<(OtpUri, Extras)>) {
        let (lang, format) = (self.lang, self.format);
        let passphrase = self.passphrase.clone();
        let name = match format {
            Format::Kunci => "kunci-backup.json",
            Format::Aegis => "aegis-export-unencrypted.json",
            _ => "kunci-accounts-unencrypted.txt",
        };
        let title = tr!(lang, "transfer.export.save_title");
        let ask = move || {
            rfd::FileDialog::new()
                .set_title(title.clone())
                .set_file_name(name)
                .save_file()
        };
        #[cfg(test)]
        let ask = {
            let chosen = self.save_to.clone();
            move || chosen.clone().or_else(&ask)
        };
        let (accounts, extras): (Vec<OtpUri>, Vec<Extras>) = accounts.into_iter().unzip();
        let write =
            move |path: PathBuf| write(lang, format, (&accounts, &extras), &passphrase, path);
        self.busy = true;
        self.problem = None;
        let tx = self.tx.clone();
        let ctx = ctx.clone();
        // The native dialog blocks its thread; on macOS it must run on the main thread.
        let chosen = if cfg!(target_os = "macos") {
            match ask() {
                Some(path) => Some(path),
                None => {
                    self.busy = false;
                    return;
                }
            }
        } else {
            None
        };
        let _ = std::thread::Builder::new()
            .name("kunci-export".into())
            .spawn(move || {
                let found = match chosen.or_else(ask) {
                    Some(path) => write(path),
                    None => Found::Cancelled,
                };
                let _ = tx.send(found);
                ctx.request_repaint();
            });
    }
}

/// The file's bytes in `format`, written atomically to `path`.
fn write(
    lang: Language,
    format: Format,
    (accounts, extras): (&[OtpUri], &[Extras]),
    passphrase: &str,
    path: PathBuf,
) -> Found {
    let bytes: Zeroizing<Vec<u8>> = match format {
        Format::Kunci => match backup::seal(accounts, extras, passphrase) {
            Ok(bytes) => Zeroizing::new(bytes),
            Err(e) => return Found::Failed(e.localize(lang)),
        },
        Format::Aegis => Zeroizing::new(export::aegis::write(accounts, extras).as_bytes().to_vec()),
        Format::Uris | Format::GoogleQr => {
            Zeroizing::new(export::uris::write(accounts).as_bytes().to_vec())
        }
    };
    match store::replace_file(&path, &bytes) {
        Ok(()) => Found::Saved(Saved {
            path,
            count: accounts.len(),
            backup: format == Format::Kunci,
        }),
        Err(e) => Found::Failed(tr!(
            lang,
            "transfer.export.write_failed",
            path = path.display(),
            detail = e.localize(lang)
        )),
    }
}
