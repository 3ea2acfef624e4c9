//! A new passphrase, typed twice: the two labelled fields, how hard it is to guess, and
//! whether the two agree. Used wherever Kunci asks for one (the vault, a move into it, a
//! backup, the automatic backups, the app lock). The text is zeroized when it is dropped or
//! taken.

use egui::Ui;
use kunci::store::vault::{Strength, strength};
use zeroize::Zeroizing;

use crate::i18n::Language;

/// The two fields' state.
#[derive(Default)]
pub struct NewPassphrase {
    first: Zeroizing<String>,
    again: Zeroizing<String>,
}

/// What the person typed so far.
pub struct Typed {
    /// Both fields hold the same, non-empty passphrase.
    pub ready: bool,
    /// Enter was pressed in the second field.
    pub entered: bool,
}

impl NewPassphrase {
    /// The two fields (labelled `label` and `again_label`, which name them for screen readers
    /// and tests), the strength under the first and a warning when they differ.
    pub fn ui(
        &mut self,
        ui: &mut Ui,
        lang: Language,
        (label, again_label): (String, String),
        enabled: bool,
    ) -> Typed {
        password_field(ui, label, &mut self.first, enabled);
        strength_hint(ui, lang, &self.first);
        let second = password_field(ui, again_label, &mut self.again, enabled);
        let entered = second.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
        if !self.again.is_empty() && self.again != self.first {
            ui.colored_label(
                ui.visuals().warn_fg_color,
                tr!(lang, "common.passphrases_differ"),
            );
        }
        Typed {
            ready: self.is_ready(),
            entered,
        }
    }

    pub fn is_ready(&self) -> bool {
        !self.first.is_empty() && self.again == self.first
    }

    /// A copy of the passphrase, leaving the fields as they are (to try again after a cancel).
    pub fn copy(&self) -> Zeroizing<String> {
        self.first.clone()
    }

    /// The passphrase, leaving both fields empty.
    pub fn take(&mut self) -> Zeroizing<String> {
        self.again = Zeroizing::default();
        std::mem::take(&mut self.first)
    }
}

/// A password field with its label (the label names it for screen readers and tests). Its id
/// is noted, so that [`forget_typed`] can drop what egui keeps of it.
pub fn password_field(
    ui: &mut Ui,
    label: String,
    text: &mut Zeroizing<String>,
    enabled: bool,
) -> egui::Response {
    let label = ui.label(label);
    let field = ui
        .add_enabled(
            enabled,
            egui::TextEdit::singleline(&mut **text)
                .password(true)
                .desired_width(260.0),
        )
        .labelled_by(label.id);
    let id = field.id;
    ui.ctx().data_mut(|d| {
        let fields = d.get_temp_mut_or_default::<SecretFields>(secret_fields_key());
        if !fields.0.contains(&id) {
            fields.0.push(id);
        }
    });
    field
}

/// The secret fields drawn since they were last forgotten.
#[derive(Clone, Default)]
struct SecretFields(Vec<egui::Id>);

fn secret_fields_key() -> egui::Id {
    egui::Id::unique("kunci-secret-fields")
}

/// Drops what egui keeps of the secret fields typed into — its text-edit state, whose undo
/// history holds copies of the text for the life of the process. The app calls it when a
/// passphrase was submitted, a dialog closes and the window locks.
pub fn forget_typed(ctx: &egui::Context) {
    ctx.data_mut(|d| {
        let fields = d
            .get_temp::<SecretFields>(secret_fields_key())
            .unwrap_or_default();
        for id in fields.0 {
            d.remove::<egui::text_edit::TextEditState>(id);
        }
        d.remove::<SecretFields>(secret_fields_key());
    });
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

#[cfg(test)]
mod tests {
    use egui_kittest::Harness;
    use egui_kittest::kittest::Queryable;

    use super::*;

    /// Before: a password field's text stayed in egui's undo history after it was submitted.
    #[test]
    fn forgetting_drops_the_typed_fields_state() {
        let mut h = Harness::new_ui_state(
            |ui, (text, id): &mut (Zeroizing<String>, Option<egui::Id>)| {
                *id = Some(password_field(ui, "Passphrase".into(), text, true).id);
            },
            (Zeroizing::new(String::new()), None),
        );
        h.get_by_label("Passphrase").click();
        h.run();
        h.get_by_label("Passphrase").type_text("rahasia kantor");
        h.run();
        let id = h.state().1.expect("drawn");
        let kept = |h: &Harness<'_, _>| egui::text_edit::TextEditState::load(&h.ctx, id).is_some();
        assert_eq!(h.state().0.as_str(), "rahasia kantor");
        assert!(kept(&h), "egui keeps the field's state while it is in use");
        forget_typed(&h.ctx);
        assert!(!kept(&h), "and drops it when told");
    }
}
