//! The Import dialog: accounts from another authenticator's export file or a Kunci backup.
//! The file is read (and decrypted: scrypt, PBKDF2 and Argon2id take seconds) on a thread;
//! then every account is listed with a tick box, those already in Kunci unticked, and only the
//! ticked ones are added. What the file holds is sorted by the library's
//! [`kunci::import::plan`], as `kunci import` sorts it.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use egui::{Key, RichText, Ui};
use kunci::accounts::{Existing, Extras};
use kunci::import::plan::{Fate, plan};
use kunci::import::{self, ImportError, Imported};
use kunci::otp::OtpUri;
use zeroize::Zeroizing;

use super::command::Command;
use super::job::Job;
use super::passphrase::{forget_typed, password_field};
use super::worker::Request;
use crate::i18n::{Language, Localize};

type Bytes = Arc<Zeroizing<Vec<u8>>>;

/// What reading the file found.
enum FileRead {
    /// The file is encrypted: its password is needed (again, after a wrong one).
    Password {
        format: &'static str,
        bytes: Bytes,
        wrong: bool,
    },
    Read {
        format: &'static str,
        imported: Imported,
    },
    Failed(String),
}

/// One account of the file, and whether it is ticked.
struct Pick {
    uri: OtpUri,
    extras: Extras,
    fate: Fate,
    ticked: bool,
}

enum Stage {
    /// No file yet, or the last one could not be read (the message says why).
    Choose,
    Password {
        format: &'static str,
        bytes: Bytes,
        password: Zeroizing<String>,
        wrong: bool,
    },
    Preview {
        format: &'static str,
        picks: Vec<Pick>,
        skipped: Vec<String>,
    },
}

pub struct ImportDialog {
    lang: Language,
    file: Option<PathBuf>,
    stage: Stage,
    /// The native file dialog, while it is open.
    picking: Option<Job<Option<PathBuf>>>,
    /// Reading (and decrypting) the file.
    reading: Option<Job<FileRead>>,
    problem: Option<String>,
    focus_password: bool,
}

impl ImportDialog {
    pub fn new(lang: Language) -> Self {
        ImportDialog {
            lang,
            file: None,
            stage: Stage::Choose,
            picking: None,
            reading: None,
            problem: None,
            focus_password: false,
        }
    }

    fn is_busy(&self) -> bool {
        self.picking.is_some() || self.reading.is_some()
    }

    /// Reads `path` (picked, or dropped onto the window).
    pub fn open_file(&mut self, ctx: &egui::Context, path: PathBuf) {
        self.file = Some(path.clone());
        self.stage = Stage::Choose;
        let lang = self.lang;
        self.read(ctx, move || match load(&path, lang) {
            Ok(bytes) => read(lang, Arc::new(bytes), None),
            Err(why) => FileRead::Failed(why),
        });
    }

    fn read(&mut self, ctx: &egui::Context, work: impl FnOnce() -> FileRead + Send + 'static) {
        self.problem = None;
        self.reading = Some(Job::spawn(ctx, "import", work));
    }

    fn pick_file(&mut self, ctx: &egui::Context) {
        let title = tr!(self.lang, "transfer.import.pick_title");
        self.picking = Some(Job::pick(ctx, move || {
            rfd::FileDialog::new().set_title(title).pick_file()
        }));
    }

    /// Moves the picker and the reading on.
    fn poll(&mut self, ctx: &egui::Context, existing: &dyn Fn(&OtpUri) -> Existing) {
        let lang = self.lang;
        if let Some(picked) = self.picking.as_ref().and_then(Job::poll) {
            self.picking = None;
            if let Some(path) = picked.flatten() {
                self.open_file(ctx, path);
            }
        }
        if let Some(found) = self.reading.as_ref().and_then(Job::poll) {
            self.reading = None;
            let found = found.unwrap_or_else(|| FileRead::Failed(tr!(lang, "common.failed")));
            self.stage = match found {
                FileRead::Password {
                    format,
                    bytes,
                    wrong,
                } => {
                    self.focus_password = true;
                    Stage::Password {
                        format,
                        bytes,
                        password: Zeroizing::new(String::new()),
                        wrong,
                    }
                }
                FileRead::Read { format, imported } => {
                    // Worded now, in the dialog's language.
                    let skipped: Vec<String> =
                        imported.skipped.iter().map(|s| s.localize(lang)).collect();
                    let (accounts, extras): (Vec<OtpUri>, Vec<Extras>) =
                        imported.into_pairs().into_iter().unzip();
                    Stage::Preview {
                        format,
                        picks: plan(accounts, existing)
                            .into_iter()
                            .zip(extras)
                            .map(|(p, extras)| Pick {
                                ticked: p.fate.adds(),
                                uri: p.uri,
                                extras,
                                fate: p.fate,
                            })
                            .collect(),
                        skipped,
                    }
                }
                FileRead::Failed(why) => {
                    self.problem = Some(why);
                    Stage::Choose
                }
            };
        }
    }

    /// `existing` says how an account of the file relates to those in the window.
    pub fn ui(&mut self, ui: &mut Ui, existing: &dyn Fn(&OtpUri) -> Existing) -> Option<Command> {
        let ctx = ui.ctx().clone();
        self.poll(&ctx, existing);
        let lang = self.lang;
        let busy = self.is_busy();
        super::dialog_width(ui, 460.0);
        ui.heading(tr!(lang, "transfer.import.title"));
        let mut outcome = None;
        let (mut pick, mut submit) = (false, None);
        match &mut self.stage {
            Stage::Choose => {
                ui.label(tr!(lang, "transfer.import.intro"));
                ui.add_space(4.0);
                if ui
                    .add_enabled(
                        !busy,
                        egui::Button::new(tr!(lang, "transfer.import.choose")),
                    )
                    .clicked()
                {
                    pick = true;
                }
                ui.label(RichText::new(tr!(lang, "transfer.import.drop_hint")).weak());
            }
            Stage::Password {
                format,
                bytes,
                password,
                wrong,
            } => {
                if let Some(file) = &self.file {
                    ui.label(file.display().to_string());
                }
                let field = password_field(
                    ui,
                    tr!(lang, "transfer.import.password", format = *format),
                    password,
                    !busy,
                );
                if std::mem::take(&mut self.focus_password) {
                    field.request_focus();
                }
                if *wrong && !busy {
                    ui.colored_label(
                        ui.visuals().error_fg_color,
                        tr!(lang, "transfer.import.wrong_password", format = *format),
                    );
                }
                let enter = field.lost_focus() && ui.input(|i| i.key_pressed(Key::Enter));
                let ready = !password.is_empty() && !busy;
                let open = ui
                    .add_enabled(ready, egui::Button::new(tr!(lang, "transfer.import.open")))
                    .clicked();
                if ready && (open || enter) {
                    forget_typed(ui.ctx());
                    *wrong = false;
                    submit = Some((bytes.clone(), password.clone()));
                }
            }
            Stage::Preview {
                format,
                picks,
                skipped,
            } => {
                outcome = preview_ui(ui, lang, self.file.as_deref(), format, picks, skipped);
            }
        }
        if pick {
            self.pick_file(&ctx);
        }
        if let Some((bytes, password)) = submit {
            self.read(&ctx, move || read(lang, bytes, Some(password)));
        }
        if self.reading.is_some() {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label(tr!(lang, "transfer.import.reading"));
            });
        }
        if let Some(problem) = &self.problem {
            ui.colored_label(ui.visuals().error_fg_color, problem);
        }
        ui.separator();
        if ui.button(tr!(lang, "common.cancel")).clicked() {
            outcome = Some(Command::CloseDialog);
        }
        outcome
    }
}

/// The accounts found, to tick; the entries that could not be read, with why.
fn preview_ui(
    ui: &mut Ui,
    lang: Language,
    file: Option<&Path>,
    format: &str,
    picks: &mut [Pick],
    skipped: &[String],
) -> Option<Command> {
    let name = file.map(|f| f.display().to_string()).unwrap_or_default();
    ui.label(if picks.len() == 1 {
        tr!(
            lang,
            "transfer.import.found_one",
            format = format,
            file = name
        )
    } else {
        tr!(
            lang,
            "transfer.import.found",
            format = format,
            file = name,
            count = picks.len()
        )
    });
    ui.add_space(4.0);
    egui::ScrollArea::vertical()
        .max_height(260.0)
        .show(ui, |ui| {
            for pick in picks.iter_mut() {
                let name = pick.uri.display_name();
                let text = match &pick.fate {
                    Fate::New => name,
                    Fate::AlreadyThere(_) => {
                        tr!(lang, "transfer.import.already_there", name = name)
                    }
                    Fate::OtherSecret(_) => {
                        tr!(lang, "transfer.import.other_secret", name = name)
                    }
                    Fate::RepeatedInFile => tr!(lang, "transfer.import.repeated", name = name),
                };
                // Nothing is overwritten: an account already in Kunci cannot be ticked.
                let can_tick = matches!(pick.fate, Fate::New | Fate::RepeatedInFile);
                ui.add_enabled(can_tick, egui::Checkbox::new(&mut pick.ticked, text));
            }
        });
    if picks.iter().any(|p| matches!(p.fate, Fate::OtherSecret(_))) {
        ui.label(RichText::new(tr!(lang, "transfer.import.other_secret_hint")).weak());
    }
    if !skipped.is_empty() {
        ui.add_space(4.0);
        ui.label(
            RichText::new(tr!(lang, "transfer.import.skipped", count = skipped.len())).strong(),
        );
        for why in skipped {
            ui.label(format!("• {why}"));
        }
    }
    ui.add_space(6.0);
    let chosen: Vec<(OtpUri, Extras)> = picks
        .iter()
        .filter(|p| p.ticked)
        .map(|p| (p.uri.clone(), p.extras.clone()))
        .collect();
    let label = if chosen.len() == 1 {
        tr!(lang, "transfer.import.button_one")
    } else {
        tr!(lang, "transfer.import.button", count = chosen.len())
    };
    // Added with their notes and pins, in order (the worker skips any that became
    // duplicates meanwhile).
    ui.add_enabled(!chosen.is_empty(), egui::Button::new(label))
        .clicked()
        .then(|| Command::RequestAndClose(Request::Import(chosen)))
}

/// The file's bytes, refused before reading when it is too large to be an export.
fn load(path: &Path, lang: Language) -> Result<Zeroizing<Vec<u8>>, String> {
    let unreadable = |e: std::io::Error| {
        tr!(
            lang,
            "transfer.import.unreadable",
            path = path.display(),
            detail = e.localize(lang)
        )
    };
    let size = std::fs::metadata(path).map_err(unreadable)?.len();
    if size > import::MAX_FILE_BYTES as u64 {
        let bytes = usize::try_from(size).unwrap_or(usize::MAX);
        return Err(ImportError::TooLarge { bytes }.localize(lang));
    }
    std::fs::read(path).map(Zeroizing::new).map_err(unreadable)
}

/// Recognises and reads the file; asks for the password when it is encrypted.
fn read(lang: Language, bytes: Bytes, password: Option<Zeroizing<String>>) -> FileRead {
    let importer = match import::detect(&bytes) {
        Ok(importer) => importer,
        Err(e) => return FileRead::Failed(e.localize(lang)),
    };
    let format = importer.name();
    let encrypted = importer.is_encrypted(&bytes);
    if encrypted && password.is_none() {
        return FileRead::Password {
            format,
            bytes,
            wrong: false,
        };
    }
    let password = password.as_deref().map(String::as_str);
    match importer.import(&bytes, password.filter(|_| encrypted)) {
        Ok(imported) => FileRead::Read { format, imported },
        Err(ImportError::WrongPassword { .. }) => FileRead::Password {
            format,
            bytes,
            wrong: true,
        },
        Err(e) => FileRead::Failed(e.localize(lang)),
    }
}
