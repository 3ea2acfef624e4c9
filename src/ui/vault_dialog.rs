//! The encrypted vault in the window: unlocking it at start (when it is the choice), and
//! creating it from the "cannot open" screen when the keychain is missing or refuses — only
//! when the person asks for it, after saying what it means.
//!
//! Argon2id takes a noticeable moment on purpose, so every unlock or create runs as a [`Job`];
//! the form shows a spinner and the window keeps drawing. The vault it opens goes to the app
//! as a command, and from there to the store's worker, which alone holds it.

use std::sync::Arc;

use egui::{Key, RichText, Ui};
use kunci::store::{DataDir, Vault, VaultError};
use zeroize::Zeroizing;

use super::command::Command;
use super::job::Job;
use super::passphrase::{NewPassphrase, password_field};
use crate::i18n::{Language, Localize};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Unlock,
    Create,
}

pub struct VaultDialog {
    mode: Mode,
    dir: DataDir,
    /// Unlock: the passphrase typed.
    passphrase: Zeroizing<String>,
    /// Create: the new passphrase, twice.
    new: NewPassphrase,
    error: Option<String>,
    working: Option<Job<Result<Vault, VaultError>>>,
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
            passphrase: Zeroizing::default(),
            new: NewPassphrase::default(),
            error: None,
            working: None,
        }
    }

    /// Starts the Argon2id work as a job.
    fn start(&mut self, ui: &Ui) {
        let (mode, dir) = (self.mode, self.dir.clone());
        let passphrase = match mode {
            Mode::Unlock => std::mem::take(&mut self.passphrase),
            Mode::Create => self.new.take(),
        };
        self.error = None;
        self.working = Some(Job::spawn(ui.ctx(), "vault", move || match mode {
            Mode::Unlock => Vault::unlock(&dir, &passphrase),
            Mode::Create => Vault::create(&dir, &passphrase),
        }));
    }

    /// The result of the work, once it is there.
    fn finished(&mut self, lang: Language) -> Option<Command> {
        let result = self.working.as_ref()?.poll()?;
        self.working = None;
        match result.unwrap_or_else(|| Err(VaultError::Seal("stopped".into()))) {
            Ok(vault) => {
                let notices = vault
                    .set_aside()
                    .map(|aside| tr!(lang, "vault.restored", path = aside.display()))
                    .into_iter()
                    .collect();
                Some(Command::VaultReady {
                    vault: Arc::new(vault),
                    notices,
                })
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

    pub fn ui(&mut self, ui: &mut Ui, lang: Language) -> Option<Command> {
        if let Some(done) = self.finished(lang) {
            return Some(done);
        }
        let busy = self.working.is_some();
        let mut command = None;
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
        let (ready, enter) = match self.mode {
            Mode::Unlock => {
                let field = password_field(
                    ui,
                    tr!(lang, "vault.ui.passphrase"),
                    &mut self.passphrase,
                    !busy,
                );
                if !busy && self.error.is_none() && !field.has_focus() {
                    field.request_focus();
                }
                let enter = field.lost_focus() && ui.input(|i| i.key_pressed(Key::Enter));
                (!self.passphrase.is_empty(), enter)
            }
            Mode::Create => {
                let labels = (
                    tr!(lang, "vault.ui.passphrase"),
                    tr!(lang, "vault.ui.again"),
                );
                let typed = self.new.ui(ui, lang, labels, !busy);
                (typed.ready, typed.entered)
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
                command = Some(Command::BackToKeychain);
            }
            if busy {
                ui.spinner();
                ui.label(RichText::new(tr!(lang, "vault.ui.working")).weak());
            }
        });
        command
    }
}

/// The vault in the window: offered when the keychain refuses, created, then unlocked after a
/// restart (wrong passphrase first).
#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::ui::test_support::{type_into, wait_for};
    use crate::ui::{KunciApp, Opener, Setup};
    use egui_kittest::Harness;
    use egui_kittest::kittest::Queryable;
    use kunci::settings::Settings;
    use kunci::store::{SecretsError, Store};

    const PASSPHRASE: &str = "kuda baterai staples benar";

    /// What `default_opener` does, with a keychain that is never there.
    fn opener(dir: DataDir) -> Opener {
        Arc::new(move |unlocked| {
            if !Vault::exists(&dir) {
                return Err(SecretsError::Unavailable {
                    detail: "no keychain in this test".into(),
                }
                .into());
            }
            Store::open_where_kept(dir.clone(), unlocked)
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
        h.get_by_label_contains("two passphrases differ");
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
