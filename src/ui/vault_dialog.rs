//! The encrypted vault in the window: unlocking it at start (when it is the choice), and
//! creating it from the "cannot open" screen when the keychain is missing or refuses — only
//! when the person asks for it, after saying what it means.
//!
//! Argon2id takes a noticeable moment on purpose, so every unlock or create runs on its own
//! thread; the form shows a spinner and the window keeps drawing.

use std::sync::mpsc::{self, Receiver, TryRecvError};
use std::sync::{Arc, Mutex};

use egui::{Key, RichText, Ui};
use kunci::store::vault::{Strength, strength};
use kunci::store::{
    DataDir, Keychain, KeychainError, LoadProblem, SecretStore, Store, StoreError, Vault,
    VaultError,
};
use zeroize::Zeroize;

use super::worker::OpenError;
use crate::i18n::{Language, Localize};

/// The vaults unlocked in this process, by data directory, for the opener (one window per
/// process; tests open several windows on their own directories at once).
static UNLOCKED: Mutex<Vec<(DataDir, Arc<Vault>)>> = Mutex::new(Vec::new());

fn slot() -> std::sync::MutexGuard<'static, Vec<(DataDir, Arc<Vault>)>> {
    UNLOCKED.lock().unwrap_or_else(|e| e.into_inner())
}

/// The vault unlocked for `dir`, if there is one.
pub fn unlocked(dir: &DataDir) -> Option<Arc<Vault>> {
    slot()
        .iter()
        .find(|(d, _)| d == dir)
        .map(|(_, vault)| vault.clone())
}

/// Keeps `vault` as the unlocked vault of `dir` (after an unlock, or a move into it).
pub fn keep(dir: DataDir, vault: Arc<Vault>) {
    let mut slot = slot();
    slot.retain(|(d, _)| *d != dir);
    slot.push((dir, vault));
}

/// Forgets the unlocked vault of `dir` (after a move out of it; tests: as after a restart).
pub fn forget(dir: &DataDir) {
    slot().retain(|(d, _)| d != dir);
}

/// Opens the store of `dir` with its secrets in the vault when that is the choice (once
/// unlocked), else in the platform keychain.
pub fn open_store(dir: DataDir) -> Result<(Store, Vec<LoadProblem>), OpenError> {
    let secrets: Arc<dyn SecretStore> = if Vault::exists(&dir) {
        unlocked(&dir).ok_or(OpenError::VaultLocked)?
    } else {
        Arc::new(Keychain::connect()?)
    };
    Ok(Store::open(dir, secrets)?)
}

/// True when `why` is a keychain that is missing or refuses: then the vault is offered.
pub fn keychain_refused(why: &OpenError) -> bool {
    matches!(
        why,
        OpenError::Store(StoreError::Keychain(
            KeychainError::Unavailable { .. } | KeychainError::Locked { .. }
        ))
    )
}

/// What the form asks the app to do.
#[derive(Debug)]
pub enum VaultOutcome {
    Keep,
    /// The person went back: try the keychain again.
    Cancel,
    /// The vault is open: open the store again, and show these notices.
    Ready(Vec<String>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Unlock,
    Create,
}

pub struct VaultDialog {
    mode: Mode,
    dir: DataDir,
    passphrase: String,
    again: String,
    error: Option<String>,
    working: Option<Receiver<Result<Vault, VaultError>>>,
}

impl Drop for VaultDialog {
    fn drop(&mut self) {
        self.passphrase.zeroize();
        self.again.zeroize();
    }
}

impl VaultDialog {
    /// Asks for the passphrase of the vault in `dir`.
    pub fn unlock(dir: DataDir) -> Self {
        Self::new(Mode::Unlock, dir)
    }

    /// Explains the vault and asks for a new passphrase twice.
    pub fn create(dir: DataDir) -> Self {
        Self::new(Mode::Create, dir)
    }

    fn new(mode: Mode, dir: DataDir) -> Self {
        VaultDialog {
            mode,
            dir,
            passphrase: String::new(),
            again: String::new(),
            error: None,
            working: None,
        }
    }

    /// Starts the Argon2id work on its own thread.
    fn start(&mut self, ui: &Ui) {
        let (tx, rx) = mpsc::channel();
        let (mode, dir, ctx) = (self.mode, self.dir.clone(), ui.ctx().clone());
        let mut passphrase = std::mem::take(&mut self.passphrase);
        self.again.zeroize();
        self.again.clear();
        self.error = None;
        let spawned = std::thread::Builder::new()
            .name("kunci-vault".into())
            .spawn(move || {
                let result = match mode {
                    Mode::Unlock => Vault::unlock(&dir, &passphrase),
                    Mode::Create => Vault::create(&dir, &passphrase),
                };
                passphrase.zeroize();
                let _ = tx.send(result);
                ctx.request_repaint();
            });
        match spawned {
            Ok(_) => self.working = Some(rx),
            Err(e) => self.error = Some(e.to_string()),
        }
    }

    /// The result of the work, once it is there.
    fn finished(&mut self, lang: Language) -> Option<VaultOutcome> {
        let result = match self.working.as_ref()?.try_recv() {
            Ok(result) => result,
            Err(TryRecvError::Empty) => return None,
            Err(TryRecvError::Disconnected) => Err(VaultError::Seal("stopped".into())),
        };
        self.working = None;
        match result {
            Ok(vault) => {
                let notices = vault
                    .set_aside()
                    .map(|aside| tr!(lang, "vault.restored", path = aside.display()))
                    .into_iter()
                    .collect();
                keep(self.dir.clone(), Arc::new(vault));
                Some(VaultOutcome::Ready(notices))
            }
            Err(VaultError::WrongPassphrase) => {
                self.error = Some(tr!(lang, "vault.ui.wrong"));
                None
            }
            Err(e) => {
                self.error = Some(e.localize(lang));
                None
            }
        }
    }

    pub fn ui(&mut self, ui: &mut Ui, lang: Language) -> VaultOutcome {
        if let Some(outcome) = self.finished(lang) {
            return outcome;
        }
        let busy = self.working.is_some();
        let mut outcome = VaultOutcome::Keep;
        ui.add_space(8.0);
        match self.mode {
            Mode::Unlock => {
                ui.heading(tr!(lang, "vault.ui.unlock_title"));
                ui.label(tr!(
                    lang,
                    "vault.ui.unlock_text",
                    path = Vault::path(&self.dir).display()
                ));
            }
            Mode::Create => {
                ui.heading(tr!(lang, "vault.ui.create_title"));
                ui.label(tr!(lang, "vault.explain"));
                ui.add_space(4.0);
                ui.label(tr!(lang, "vault.ui.existing_note"));
            }
        }
        ui.add_space(8.0);
        let label = ui.label(tr!(lang, "vault.ui.passphrase"));
        let first = ui
            .add_enabled(
                !busy,
                egui::TextEdit::singleline(&mut self.passphrase)
                    .password(true)
                    .desired_width(280.0),
            )
            .labelled_by(label.id);
        if self.mode == Mode::Unlock && !busy && self.error.is_none() && !first.has_focus() {
            first.request_focus();
        }
        let mut enter = first.lost_focus() && ui.input(|i| i.key_pressed(Key::Enter));
        let ready = match self.mode {
            Mode::Unlock => !self.passphrase.is_empty(),
            Mode::Create => {
                strength_hint(ui, lang, &self.passphrase);
                let label = ui.label(tr!(lang, "vault.ui.again"));
                let second = ui
                    .add_enabled(
                        !busy,
                        egui::TextEdit::singleline(&mut self.again)
                            .password(true)
                            .desired_width(280.0),
                    )
                    .labelled_by(label.id);
                enter = second.lost_focus() && ui.input(|i| i.key_pressed(Key::Enter));
                let differ = !self.again.is_empty() && self.again != self.passphrase;
                if differ {
                    ui.colored_label(ui.visuals().warn_fg_color, tr!(lang, "vault.differ"));
                }
                !self.passphrase.is_empty() && self.again == self.passphrase
            }
        };
        if let Some(error) = &self.error {
            ui.colored_label(ui.visuals().error_fg_color, error);
        }
        ui.add_space(8.0);
        ui.horizontal(|ui| {
            let label = match self.mode {
                Mode::Unlock => tr!(lang, "vault.ui.unlock"),
                Mode::Create => tr!(lang, "vault.ui.create"),
            };
            let go = ui
                .add_enabled(ready && !busy, egui::Button::new(label))
                .clicked();
            if (go || (enter && ready)) && !busy {
                self.start(ui);
            }
            if self.mode == Mode::Create
                && ui
                    .add_enabled(!busy, egui::Button::new(tr!(lang, "common.cancel")))
                    .clicked()
            {
                outcome = VaultOutcome::Cancel;
            }
            if busy {
                ui.spinner();
                ui.label(RichText::new(tr!(lang, "vault.ui.working")).weak());
            }
        });
        outcome
    }
}

/// How hard a new passphrase is to guess, under its field (nothing while it is empty).
pub fn strength_hint(ui: &mut Ui, lang: Language, passphrase: &str) {
    let hint = match strength(passphrase) {
        _ if passphrase.is_empty() => None,
        Strength::Weak => Some((tr!(lang, "vault.ui.weak"), true)),
        Strength::Fair => Some((tr!(lang, "vault.ui.fair"), false)),
        Strength::Strong => Some((tr!(lang, "vault.ui.strong"), false)),
    };
    if let Some((text, warn)) = hint {
        let color = if warn {
            ui.visuals().warn_fg_color
        } else {
            ui.visuals().weak_text_color()
        };
        ui.colored_label(color, text);
    }
}

/// The vault in the window: offered when the keychain refuses, created, then unlocked after a
/// restart (wrong passphrase first). One test, because the unlocked vault is process-wide.
#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::ui::test_support::{type_into, wait_for};
    use crate::ui::{KunciApp, Opener, Setup};
    use egui_kittest::Harness;
    use egui_kittest::kittest::Queryable;
    use kunci::settings::Settings;

    const PASSPHRASE: &str = "kuda baterai staples benar";

    /// What `default_opener` does, with a keychain that is never there.
    fn opener(dir: DataDir) -> Opener {
        Arc::new(move || {
            if !Vault::exists(&dir) {
                return Err(KeychainError::Unavailable {
                    detail: "no keychain in this test".into(),
                }
                .into());
            }
            let vault = unlocked(&dir).ok_or(OpenError::VaultLocked)?;
            Ok(Store::open(dir.clone(), vault)?)
        })
    }

    fn window(dir: &DataDir) -> Harness<'static, KunciApp> {
        let settings = Settings {
            auto_check_time: false,
            language: Some(Language::English),
            ..Settings::default()
        };
        let app = KunciApp::new(Setup {
            opener: opener(dir.clone()),
            clock: Arc::new(|| 59.0),
            settings,
            data_dir: Some(dir.clone()),
            notices: Vec::new(),
        });
        let mut h = Harness::builder()
            .with_size([480.0, 640.0])
            .build_ui_state(|ui, app: &mut KunciApp| app.ui(ui), app);
        h.run_steps(2);
        h.state_mut().wait_for_worker(Duration::from_secs(20));
        h.run_steps(3);
        h
    }

    #[test]
    fn the_vault_is_offered_created_and_unlocked() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let dir = DataDir::new(tmp.path());
        let mut h = window(&dir);
        h.get_by_label("Kunci cannot open its accounts");
        assert!(!Vault::exists(&dir), "never created without asking");
        h.get_by_label("Use an encrypted vault file instead…")
            .click();
        h.run_steps(3);
        h.get_by_label_contains("If you forget the passphrase");
        type_into(&mut h, "Passphrase", "rahasia");
        h.get_by_label_contains("Easy to guess");
        type_into(&mut h, "Passphrase", " kuda staples");
        type_into(&mut h, "The same passphrase again", "different");
        h.get_by_label_contains("the two passphrases differ");
        h.get_by_label("Cancel").click();
        // Back to the keychain, tried again on the worker (busy with other tests' Argon2id).
        wait_for(&mut h, "Use an encrypted vault file instead…");
        h.get_by_label("Use an encrypted vault file instead…")
            .click();
        h.run_steps(3);
        type_into(&mut h, "Passphrase", PASSPHRASE);
        h.get_by_label("Strong.");
        type_into(&mut h, "The same passphrase again", PASSPHRASE);
        h.get_by_label("Create the vault").click();
        wait_for(&mut h, "No accounts yet");
        assert!(Vault::exists(&dir));
        drop(h);

        // As after a restart: the vault is locked, and only its passphrase opens it.
        forget(&dir);
        let mut h = window(&dir);
        h.get_by_label("Unlock the encrypted vault");
        type_into(&mut h, "Passphrase", "salah");
        h.get_by_label("Unlock").click();
        wait_for(&mut h, "The passphrase is wrong");
        type_into(&mut h, "Passphrase", PASSPHRASE);
        h.get_by_label("Unlock").click();
        wait_for(&mut h, "No accounts yet");
    }
}
