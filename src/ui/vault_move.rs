//! Where the secrets are kept, in Settings, and moving them between the keychain and the
//! encrypted vault file in one step: explained first, a new passphrase typed twice for the
//! vault, then the library's crash-safe move on the worker thread (Argon2id and the keychain
//! never block the window), after which the store is opened again on the new place.

use egui::{RichText, Ui};
use kunci::store::SecretsLocation;

use super::command::Command;
use super::passphrase::NewPassphrase;
use super::worker::{LocationReport, Request};
use crate::i18n::Language;

/// The "Where secrets are kept" section of Settings; true when its button was clicked.
pub fn place_ui(ui: &mut Ui, lang: Language, place: Option<&LocationReport>) -> bool {
    match place {
        None => {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label(RichText::new(tr!(lang, "vault.move.checking")).weak());
            });
            false
        }
        Some(LocationReport {
            location: SecretsLocation::Keychain,
            ..
        }) => {
            ui.label(tr!(lang, "vault.move.in_keychain"));
            ui.button(tr!(lang, "vault.move.to_vault_button"))
                .on_hover_text(tr!(lang, "vault.move.to_vault_hint"))
                .clicked()
        }
        Some(LocationReport {
            location: SecretsLocation::Vault { path },
            keychain_answers,
        }) => {
            ui.label(tr!(lang, "vault.move.in_vault", path = path.display()));
            if *keychain_answers {
                ui.button(tr!(lang, "vault.move.to_keychain_button"))
                    .clicked()
            } else {
                ui.label(RichText::new(tr!(lang, "vault.move.no_keychain")).weak());
                false
            }
        }
    }
}

enum State {
    Asking,
    Moving,
    /// The move is done: what happened, in words.
    Done(String),
}

pub struct MoveDialog {
    to_vault: bool,
    passphrase: NewPassphrase,
    state: State,
    /// Why the last try stopped (nothing was lost).
    error: Option<String>,
}

impl MoveDialog {
    /// Moving away from `place`.
    pub fn new(place: &LocationReport) -> Self {
        MoveDialog {
            to_vault: !place.location.is_vault(),
            passphrase: NewPassphrase::default(),
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

    pub fn ui(&mut self, ui: &mut Ui, lang: Language) -> Option<Command> {
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
            return ui
                .button(tr!(lang, "common.close"))
                .clicked()
                .then_some(Command::CloseDialog);
        }
        let busy = self.is_busy();
        let mut enter = false;
        let ready = if self.to_vault {
            ui.label(tr!(lang, "vault.move.to_vault_explain"));
            ui.add_space(4.0);
            ui.label(RichText::new(tr!(lang, "vault.move.forget_warning")).strong());
            ui.add_space(8.0);
            let labels = (
                tr!(lang, "vault.move.new_passphrase"),
                tr!(lang, "vault.ui.again"),
            );
            let typed = self.passphrase.ui(ui, lang, labels, !busy);
            enter = typed.entered;
            typed.ready
        } else {
            ui.label(tr!(lang, "vault.move.to_keychain_explain"));
            true
        };
        if let Some(error) = &self.error {
            ui.add_space(4.0);
            ui.colored_label(ui.visuals().error_fg_color, error);
        }
        ui.add_space(8.0);
        let mut outcome = None;
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
                outcome = Some(Command::Request(if self.to_vault {
                    Request::MoveToVault(self.passphrase.take())
                } else {
                    Request::MoveToKeychain
                }));
            }
            if ui
                .add_enabled(!busy, egui::Button::new(tr!(lang, "common.cancel")))
                .clicked()
            {
                outcome = Some(Command::CloseDialog);
            }
            if busy {
                ui.spinner();
                ui.label(RichText::new(tr!(lang, "vault.move.moving")).weak());
            }
        });
        outcome
    }
}
