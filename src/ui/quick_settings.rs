//! Settings → Faster log-in: the quick picker's shortcut (and whether it works here, with the
//! fallback when it cannot), the tray icon, closing to the tray, starting hidden and starting
//! with the system. Changes apply at once, like the other settings.

use egui::{RichText, Ui};
use kunci::desktop::{HotkeyError, HotkeyStatus, HotkeyVia, Shortcut};
use kunci::settings::{Language, Settings};

use super::command::{Command, HelpSection, Screen};
use crate::i18n::Localize;

/// What the window knows of quick access now, for the dialog to show.
pub struct QuickStatus {
    /// `None`: off; `Err`: the setting is not a shortcut.
    pub shortcut: Option<Result<HotkeyStatus, String>>,
    pub tray_shown: bool,
    pub tray_starting: bool,
    pub tray_problem: Option<String>,
    /// Whether an entry starts Kunci at log-in, and where it is; `None`: no place for one.
    pub autostart: Option<(bool, String)>,
}

pub struct QuickSettingsDialog {
    /// The shortcut as being typed.
    typed: String,
    /// Why the typed text is not a shortcut.
    problem: Option<String>,
}

impl QuickSettingsDialog {
    pub fn new(settings: &Settings) -> Self {
        QuickSettingsDialog {
            typed: settings
                .quick_pick_shortcut
                .clone()
                .unwrap_or_else(|| kunci::desktop::DEFAULT_SHORTCUT.to_string()),
            problem: None,
        }
    }

    pub fn ui(
        &mut self,
        ui: &mut Ui,
        lang: Language,
        current: &Settings,
        status: &QuickStatus,
    ) -> Option<Command> {
        let mut outcome = None;
        let mut edited = current.clone();
        super::dialog_width(ui, 420.0);
        ui.heading(tr!(lang, "quick.settings.title"));
        ui.label(RichText::new(tr!(lang, "quick.settings.intro")).weak());

        section(ui, tr!(lang, "quick.settings.shortcut"));
        let mut on = current.quick_pick_shortcut.is_some();
        if ui
            .checkbox(&mut on, tr!(lang, "quick.settings.shortcut_on"))
            .changed()
        {
            edited.quick_pick_shortcut = on.then(|| self.typed.trim().to_string());
        }
        ui.horizontal(|ui| {
            let label = ui.label(tr!(lang, "quick.settings.keys"));
            let field = ui
                .add_enabled(
                    on,
                    egui::TextEdit::singleline(&mut self.typed).desired_width(140.0),
                )
                .labelled_by(label.id);
            let entered = field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
            let applied = ui
                .add_enabled(on, egui::Button::new(tr!(lang, "quick.settings.apply")))
                .clicked();
            if entered || applied {
                match self.typed.parse::<Shortcut>() {
                    Ok(shortcut) => {
                        self.problem = None;
                        self.typed = shortcut.to_string();
                        edited.quick_pick_shortcut = Some(self.typed.clone());
                    }
                    Err(e) => self.problem = Some(e.localize(lang)),
                }
            }
        });
        if let Some(problem) = &self.problem {
            ui.colored_label(ui.visuals().error_fg_color, problem);
        }
        if on {
            outcome = outcome.or(shortcut_status_ui(ui, lang, status));
        }

        section(ui, tr!(lang, "quick.settings.tray"));
        ui.checkbox(&mut edited.tray_icon, tr!(lang, "quick.settings.tray_on"));
        ui.add_enabled(
            edited.tray_icon,
            egui::Checkbox::new(
                &mut edited.close_to_tray,
                tr!(lang, "quick.settings.close_to_tray"),
            ),
        );
        ui.checkbox(
            &mut edited.start_minimized,
            tr!(lang, "quick.settings.start_minimized"),
        );
        if edited.tray_icon && !status.tray_shown && !status.tray_starting {
            let why = match &status.tray_problem {
                Some(problem) => tr!(lang, "quick.settings.tray_failed", reason = problem),
                None => tr!(lang, "quick.settings.no_tray_host"),
            };
            ui.label(RichText::new(why).color(ui.visuals().warn_fg_color));
        }

        section(ui, tr!(lang, "quick.settings.system"));
        match &status.autostart {
            Some((enabled, location)) => {
                let mut wanted = *enabled;
                if ui
                    .checkbox(&mut wanted, tr!(lang, "quick.settings.autostart"))
                    .changed()
                {
                    outcome = Some(Command::Autostart(wanted));
                }
                ui.label(
                    RichText::new(tr!(
                        lang,
                        "quick.settings.autostart_where",
                        place = location
                    ))
                    .small()
                    .weak(),
                );
            }
            None => {
                ui.label(RichText::new(tr!(lang, "quick.settings.autostart_none")).weak());
            }
        }

        ui.separator();
        ui.horizontal(|ui| {
            if ui.button(tr!(lang, "common.close")).clicked() {
                outcome = Some(Command::CloseDialog);
            }
            if ui.button(tr!(lang, "quick.settings.help")).clicked() {
                outcome = Some(Command::Show(Screen::Help(HelpSection::Quick)));
            }
        });
        if edited != *current && outcome.is_none() {
            outcome = Some(Command::Preferences(edited));
        }
        outcome
    }
}

/// Whether the shortcut works, and what to do when it cannot.
fn shortcut_status_ui(ui: &mut Ui, lang: Language, status: &QuickStatus) -> Option<Command> {
    let mut retry = None;
    let unavailable = |ui: &mut Ui, why: String| {
        ui.label(RichText::new(why).color(ui.visuals().warn_fg_color));
        ui.label(tr!(lang, "quick.settings.fallback"));
        ui.add(egui::Label::new(RichText::new("kunci pick").code()).selectable(true));
    };
    match &status.shortcut {
        None => {}
        Some(Err(problem)) => {
            ui.colored_label(ui.visuals().error_fg_color, problem);
        }
        Some(Ok(HotkeyStatus::Waiting)) => {
            ui.label(tr!(lang, "quick.settings.waiting"));
        }
        Some(Ok(HotkeyStatus::Active { trigger, via })) => {
            let text = match via {
                HotkeyVia::Portal => tr!(lang, "quick.settings.active_portal", keys = trigger),
                HotkeyVia::X11 | HotkeyVia::System => {
                    tr!(lang, "quick.settings.active", keys = trigger)
                }
            };
            ui.label(RichText::new(text).color(egui::Color32::from_rgb(0x2e, 0x8b, 0x57)));
        }
        Some(Ok(HotkeyStatus::Unavailable(why))) => {
            unavailable(ui, why.localize(lang));
            if matches!(why, HotkeyError::Taken(_))
                && ui.button(tr!(lang, "quick.settings.retry")).clicked()
            {
                retry = Some(Command::RetryShortcut);
            }
        }
    }
    retry
}

fn section(ui: &mut Ui, title: String) {
    ui.add_space(8.0);
    ui.label(RichText::new(title).strong());
}
