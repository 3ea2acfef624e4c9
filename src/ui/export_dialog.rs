//! The Back up / export dialog: every account to a Kunci backup (encrypted, the default) or,
//! after an explicit "I understand", to an unencrypted otpauth URI list or Aegis vault; or on
//! screen as Google Authenticator export QR codes. The file's bytes come from the library's
//! `export::to_bytes`, as for `kunci export`; asking where (the native dialog), sealing
//! (Argon2id) and writing are jobs, and the file is replaced atomically.

use std::path::PathBuf;

use egui::{RichText, Ui};
use kunci::accounts::Extras;
use kunci::export::{self, Format};
use kunci::otp::OtpUri;
use kunci::store;
use zeroize::Zeroizing;

use super::account_list::ListView;
use super::account_row::SecretState;
use super::command::{Command, Saved};
use super::job::Job;
use super::passphrase::NewPassphrase;
use crate::i18n::{Language, Localize};

/// What the dialog makes: a file in a format, or QR codes on screen.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Target {
    File(Format),
    GoogleQr,
}

/// What is being done.
enum State {
    Idle,
    /// The native dialog is asking where to save these accounts.
    Asking {
        where_to: Job<Option<PathBuf>>,
        accounts: Vec<OtpUri>,
        extras: Vec<Extras>,
        passphrase: Option<Zeroizing<String>>,
    },
    /// The file is being sealed and written.
    Writing(Job<Result<Saved, String>>),
}

pub struct ExportDialog {
    lang: Language,
    target: Target,
    passphrase: NewPassphrase,
    understood: bool,
    state: State,
    problem: Option<String>,
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
        ExportDialog {
            lang,
            target: Target::File(Format::Kunci),
            passphrase: NewPassphrase::default(),
            understood: false,
            state: State::Idle,
            problem: None,
            #[cfg(test)]
            save_to: None,
        }
    }

    /// True while the file is being chosen or written.
    pub fn is_busy(&self) -> bool {
        !matches!(self.state, State::Idle)
    }

    /// Moves the work on; a written file is the dialog's result.
    fn poll(&mut self, ctx: &egui::Context) -> Option<Command> {
        match std::mem::replace(&mut self.state, State::Idle) {
            State::Idle => None,
            State::Asking {
                where_to,
                accounts,
                extras,
                passphrase,
            } => {
                match where_to.poll() {
                    None => {
                        self.state = State::Asking {
                            where_to,
                            accounts,
                            extras,
                            passphrase,
                        }
                    }
                    Some(Some(Some(path))) => {
                        let (lang, format) = (self.lang, self.format());
                        self.state = State::Writing(Job::spawn(ctx, "export", move || {
                            write(lang, format, (&accounts, &extras), passphrase, path)
                        }));
                    }
                    // Cancelled, or the dialog could not be shown.
                    Some(_) => {}
                }
                None
            }
            State::Writing(job) => match job.poll() {
                None => {
                    self.state = State::Writing(job);
                    None
                }
                Some(Some(Ok(saved))) => Some(Command::Exported(saved)),
                Some(Some(Err(why))) => {
                    self.problem = Some(why);
                    None
                }
                Some(None) => {
                    self.problem = Some(tr!(self.lang, "common.failed"));
                    None
                }
            },
        }
    }

    /// The file format chosen (a URI list for the QR codes' accounts).
    fn format(&self) -> Format {
        match self.target {
            Target::File(format) => format,
            Target::GoogleQr => Format::Uris,
        }
    }

    /// `accounts` gives every account with its secret, when the user saves.
    pub fn ui(
        &mut self,
        ui: &mut Ui,
        accounts: &dyn Fn() -> Result<Vec<(OtpUri, Extras)>, String>,
    ) -> Option<Command> {
        if let Some(done) = self.poll(ui.ctx()) {
            return Some(done);
        }
        let lang = self.lang;
        let busy = self.is_busy();
        super::dialog_width(ui, 460.0);
        ui.heading(tr!(lang, "transfer.export.title"));
        ui.add_enabled_ui(!busy, |ui| {
            for (target, key) in [
                (
                    Target::File(Format::Kunci),
                    tr!(lang, "transfer.export.kunci"),
                ),
                (
                    Target::File(Format::Uris),
                    tr!(lang, "transfer.export.uris"),
                ),
                (
                    Target::File(Format::Aegis),
                    tr!(lang, "transfer.export.aegis"),
                ),
                (Target::GoogleQr, tr!(lang, "transfer.export.google_qr")),
            ] {
                if ui.radio_value(&mut self.target, target, key).changed() {
                    self.understood = false;
                    self.problem = None;
                }
            }
        });
        ui.add_space(6.0);
        let ready = match self.target {
            Target::File(format) if format.is_encrypted() => {
                ui.label(tr!(lang, "transfer.export.kunci_explain"));
                let labels = (
                    tr!(lang, "transfer.export.passphrase"),
                    tr!(lang, "transfer.export.again"),
                );
                let typed = self.passphrase.ui(ui, lang, labels, !busy);
                ui.label(RichText::new(tr!(lang, "transfer.export.forget")).weak());
                typed.ready
            }
            Target::File(_) => {
                ui.colored_label(
                    ui.visuals().warn_fg_color,
                    RichText::new(tr!(lang, "transfer.export.unencrypted_warning")).strong(),
                );
                ui.add_enabled(
                    !busy,
                    egui::Checkbox::new(
                        &mut self.understood,
                        tr!(lang, "transfer.export.understand"),
                    ),
                );
                self.understood
            }
            Target::GoogleQr => {
                ui.label(tr!(lang, "transfer.export.google_qr_explain"));
                true
            }
        };
        if let Some(problem) = &self.problem {
            ui.colored_label(ui.visuals().error_fg_color, problem);
        }
        ui.add_space(6.0);
        let mut command = None;
        ui.horizontal(|ui| {
            let label = match self.target {
                Target::GoogleQr => tr!(lang, "transfer.export.show_qr"),
                Target::File(_) => tr!(lang, "transfer.export.save"),
            };
            if ui
                .add_enabled(ready && !busy, egui::Button::new(label))
                .clicked()
            {
                match accounts() {
                    Ok(list) if list.is_empty() => {
                        self.problem = Some(tr!(lang, "transfer.export.no_accounts"))
                    }
                    Ok(list) if self.target == Target::GoogleQr => {
                        command = Some(Command::ShowMigrationQr(
                            list.into_iter().map(|(uri, _)| uri).collect(),
                        ))
                    }
                    Ok(list) => self.save(ui.ctx(), list),
                    Err(why) => self.problem = Some(why),
                }
            }
            if ui.button(tr!(lang, "common.cancel")).clicked() {
                command = Some(Command::CloseDialog);
            }
            if busy {
                ui.spinner();
                ui.label(tr!(lang, "transfer.export.saving"));
            }
        });
        command
    }

    /// Asks where to save (the native dialog); the write follows when it answers.
    fn save(&mut self, ctx: &egui::Context, accounts: Vec<(OtpUri, Extras)>) {
        let format = self.format();
        let name = match format {
            Format::Kunci => "kunci-backup.json",
            Format::Aegis => "aegis-export-unencrypted.json",
            Format::Uris => "kunci-accounts-unencrypted.txt",
        };
        let title = tr!(self.lang, "transfer.export.save_title");
        #[cfg(test)]
        let where_to = match self.save_to.clone() {
            Some(path) => Job::done(Some(path)),
            None => Job::pick(ctx, move || {
                rfd::FileDialog::new()
                    .set_title(title)
                    .set_file_name(name)
                    .save_file()
            }),
        };
        #[cfg(not(test))]
        let where_to = Job::pick(ctx, move || {
            rfd::FileDialog::new()
                .set_title(title)
                .set_file_name(name)
                .save_file()
        });
        let (accounts, extras) = accounts.into_iter().unzip();
        self.problem = None;
        self.state = State::Asking {
            where_to,
            accounts,
            extras,
            passphrase: format.is_encrypted().then(|| self.passphrase.copy()),
        };
    }
}

/// The file's bytes in `format`, written atomically to `path`.
fn write(
    lang: Language,
    format: Format,
    (accounts, extras): (&[OtpUri], &[Extras]),
    passphrase: Option<Zeroizing<String>>,
    path: PathBuf,
) -> Result<Saved, String> {
    let passphrase = passphrase.as_ref().map(|p| p.as_str());
    let bytes =
        export::to_bytes(format, accounts, extras, passphrase).map_err(|e| e.localize(lang))?;
    store::replace_file(&path, &bytes).map_err(|e| {
        tr!(
            lang,
            "transfer.export.write_failed",
            path = path.display(),
            detail = e.localize(lang)
        )
    })?;
    Ok(Saved {
        path,
        count: accounts.len(),
        backup: format.is_encrypted(),
    })
}
