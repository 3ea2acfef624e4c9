//! The Settings window: language, colours, the clipboard, minimise after copy, the way to
//! the time settings, and where the secrets are kept (with the move to the other place).
//! Every change applies at once (the language switches while the window is open) and is
//! saved, so there is no Save button to forget.

use egui::{RichText, Ui};
use kunci::settings::{Language, Settings, Theme};

use super::command::{Command, Screen};
use super::worker::LocationReport;

/// The delays offered for clearing a copied code; `None` leaves it.
pub const CLEAR_CHOICES: [Option<u32>; 4] = [None, Some(10), Some(30), Some(60)];

/// Stateless: it edits a copy of the settings in use, handed back when something changes.
#[derive(Default)]
pub struct SettingsDialog;

impl SettingsDialog {
    /// `place`: where the secrets are kept, once the worker has said (`None` until then).
    pub fn ui(
        &mut self,
        ui: &mut Ui,
        lang: Language,
        current: &Settings,
        place: Option<&LocationReport>,
    ) -> Option<Command> {
        let mut outcome = None;
        let mut edited = current.clone();
        super::dialog_width(ui, 380.0);
        ui.heading(tr!(lang, "settings.title"));

        section(ui, tr!(lang, "settings.language"));
        let system = Language::of_system();
        ui.radio_value(
            &mut edited.language,
            None,
            tr!(lang, "settings.language_system", language = name(system)),
        );
        for language in Language::ALL {
            ui.radio_value(&mut edited.language, Some(language), name(language));
        }

        section(ui, tr!(lang, "settings.theme"));
        for (theme, label) in [
            (Theme::System, tr!(lang, "settings.theme_system")),
            (Theme::Light, tr!(lang, "settings.theme_light")),
            (Theme::Dark, tr!(lang, "settings.theme_dark")),
        ] {
            ui.radio_value(&mut edited.theme, theme, label);
        }

        section(ui, tr!(lang, "settings.clipboard"));
        for choice in CLEAR_CHOICES {
            let label = match choice {
                None => tr!(lang, "settings.clipboard_never"),
                Some(seconds) => tr!(lang, "settings.clipboard_after", seconds = seconds),
            };
            ui.radio_value(&mut edited.clipboard_clear_seconds, choice, label);
        }
        ui.label(RichText::new(tr!(lang, "settings.clipboard_hint")).weak());

        ui.add_space(8.0);
        ui.checkbox(
            &mut edited.minimize_after_copy,
            tr!(lang, "settings.minimize"),
        )
        .on_hover_text(tr!(lang, "settings.minimize_hint"));

        ui.add_space(8.0);
        if ui
            .button(tr!(lang, "settings.time"))
            .on_hover_text(tr!(lang, "settings.time_hint"))
            .clicked()
        {
            outcome = Some(Command::Show(Screen::TimeSettings));
        }

        if ui
            .button(tr!(lang, "quick.settings.open"))
            .on_hover_text(tr!(lang, "quick.settings.open_hint"))
            .clicked()
        {
            outcome = Some(Command::Show(Screen::QuickSettings));
        }

        if ui
            .button(tr!(lang, "protect.settings.open"))
            .on_hover_text(tr!(lang, "protect.settings.open_hint"))
            .clicked()
        {
            outcome = Some(Command::Show(Screen::Protect));
        }

        section(ui, tr!(lang, "vault.move.section"));
        if super::vault_move::place_ui(ui, lang, place) {
            outcome = Some(Command::Show(Screen::MoveSecrets));
        }

        ui.separator();
        ui.label(RichText::new(tr!(lang, "settings.saved_where")).weak());
        if ui.button(tr!(lang, "common.close")).clicked() {
            outcome = Some(Command::CloseDialog);
        }
        if edited != *current && outcome.is_none() {
            outcome = Some(Command::Preferences(edited));
        }
        outcome
    }
}

fn section(ui: &mut Ui, title: String) {
    ui.add_space(8.0);
    ui.label(RichText::new(title).strong());
}

/// A language's name in itself, as language pickers show them (a reader who cannot read the
/// current language still finds their own).
fn name(language: Language) -> &'static str {
    match language {
        Language::Indonesian => "Bahasa Indonesia",
        Language::English => "English",
    }
}

/// The egui preference for a theme setting.
pub fn theme_preference(theme: Theme) -> egui::ThemePreference {
    match theme {
        Theme::System => egui::ThemePreference::System,
        Theme::Light => egui::ThemePreference::Light,
        Theme::Dark => egui::ThemePreference::Dark,
    }
}
