//! Where the secrets are kept, in Settings, and moving them between the keychain and the
//! encrypted vault file in one step: explained first, a new passphrase typed twice for the
//! vault, then the library's crash-safe move on the worker thread (Argon2id and the keychain
//! never block the window), after which the store is opened again on the new place.

use std::path::PathBuf;

use egui::{Key, RichText, Ui};
use zeroize::Zeroizing;

use super::vault_dialog::strength_hint;
use crate::i18n::Language;

/// Where the secrets are kept now (the worker finds out).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Place {
    Keychain,
    /// The vault file at `path`; `keychain`: a keychain answers, so they can move back.
    Vault {
        path: PathBuf,
        keychain: bool,
    },
}

/// The "Where secrets are kept" section of Settings; true when its button was clicked.
pub fn place_ui(ui: &mut Ui, lang: Language, place: Option<&Place>) -> bool {
    match place {
        None => {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label(RichText::new(tr!(lang, "vault.move.checking")).weak());
            });
            false
        }
        Some(Place::Keychain) => {
            ui.label(tr!(lang, "vault.move.in_keychain"));
            ui.button(tr!(lang, "vault.move.to_vault_button"))
                .on_hover_text(tr!(lang, "vault.move.to_vault_hint"))
                .clicked()
        }
        Some(Place::Vault { path, keychain }) => {
            ui.label(tr!(lang, "vault.move.in_vault", path = path.display()));
            if *keychain {
                ui.button(tr!(lang, "vault.move.to_keychain_button"))
                    .clicked()
            } else {
                ui.label(RichText::new(tr!(lang, "vault.move.no_keychain")).weak());
                false
            }
        }
    }
}

/// What the dialog asks the window to do.
pub enum MoveOutcome {
    Keep,
    Close,
    /// Move every secret into a new vault under this passphrase.
    ToVault(Zeroizing<String>),
    /// Move every secret back into the keychain.
    ToKeychain,
}

enum State {
    Asking,
    Moving,
    /// The move is done: what happened, in words.
    Done(String),
}

pub struct MoveDialog {
    to_vault: bool,
    passphrase: Zeroizing<String>,
    again: Zeroizing<String>,
    state: State,
    /// Why the last try stopped (nothing was lost).
    error: Option<String>,
}

impl MoveDialog {
    /// Moving away from `place`.
    pub fn new(place: &Place) -> Self {
        MoveDialog {
            to_vault: matches!(place, Place::Keychain),
            passphrase: Zeroizing::default(),
            again: Zeroizing::default(),
            state: State::Asking,
            error: None,
        }
    }

    /// True while the secrets are moving: the dialog stays open.
    pub fn is_busy(&self) -> bool {
        matches!(self.state, State::Moving)
    }

    /// The move is done; `text` says what happened.
    pub fn moved(&mut self, text: String) {
        self.state = State::Done(text);
    }

    /// The move stopped; `why` is shown and it can be tried again.
    pub fn failed(&mut self, why: String) {
        self.state = State::Asking;
        self.error = Some(why);
    }

    pub fn ui(&mut self, ui: &mut Ui, lang: Language) -> MoveOutcome {
        super::dialog_width(ui, 420.0);
        if self.to_vault {
            ui.heading(tr!(lang, "vault.move.to_vault_title"));
        } else {
            ui.heading(tr!(lang, "vault.move.to_keychain_title"));
        }
        ui.add_space(4.0);
        if let State::Done(text) = &self.state {
            ui.label(text);
            ui.add_space(8.0);
            if ui.button(tr!(lang, "common.close")).clicked() {
                return MoveOutcome::Close;
            }
            return MoveOutcome::Keep;
        }
        let busy = self.is_busy();
        let mut enter = false;
        let ready = if self.to_vault {
            ui.label(tr!(lang, "vault.move.to_vault_explain"));
            ui.add_space(4.0);
            ui.label(RichText::new(tr!(lang, "vault.move.forget_warning")).strong());
            ui.add_space(8.0);
            let label = ui.label(tr!(lang, "vault.move.new_passphrase"));
            ui.add_enabled(
                !busy,
                egui::TextEdit::singleline(&mut *self.passphrase)
                    .password(true)
                    .desired_width(280.0),
            )
            .labelled_by(label.id);
            strength_hint(ui, lang, &self.passphrase);
            let label = ui.label(tr!(lang, "vault.ui.again"));
            let second = ui
                .add_enabled(
                    !busy,
                    egui::TextEdit::singleline(&mut *self.again)
                        .password(true)
                        .desired_width(280.0),
                )
                .labelled_by(label.id);
            enter = second.lost_focus() && ui.input(|i| i.key_pressed(Key::Enter));
            if !self.again.is_empty() && self.again != self.passphrase {
                ui.colored_label(ui.visuals().warn_fg_color, tr!(lang, "vault.differ"));
            }
            !self.passphrase.is_empty() && self.again == self.passphrase
        } else {
            ui.label(tr!(lang, "vault.move.to_keychain_explain"));
            true
        };
        if let Some(error) = &self.error {
            ui.add_space(4.0);
            ui.colored_label(ui.visuals().error_fg_color, error);
        }
        ui.add_space(8.0);
        let mut outcome = MoveOutcome::Keep;
        ui.horizontal(|ui| {
            let go = if self.to_vault {
                tr!(lang, "vault.move.to_vault_go")
            } else {
                tr!(lang, "vault.move.to_keychain_go")
            };
            let go = ui
                .add_enabled(ready && !busy, egui::Button::new(go))
                .clicked();
            if (go || (enter && ready)) && !busy {
                self.error = None;
                self.state = State::Moving;
                outcome = if self.to_vault {
                    self.again = Zeroizing::default();
                    MoveOutcome::ToVault(std::mem::take(&mut self.passphrase))
                } else {
                    MoveOutcome::ToKeychain
                };
            }
            if ui
                .add_enabled(!busy, egui::Button::new(tr!(lang, "common.cancel")))
                .clicked()
            {
                outcome = MoveOutcome::Close;
            }
            if busy {
                ui.spinner();
                ui.label(RichText::new(tr!(lang, "vault.move.moving")).weak());
            }
        });
        outcome
    }
}
