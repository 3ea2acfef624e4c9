//! The clock banner (above the list when the clock is off, or when network time is chosen,
//! saying whether it is applied) and the status line (always, at the bottom).

use egui::{Color32, RichText, Ui};
use kunci::clock::{Measurement, NoTimeSource, Verdict};

use super::command::{Command, HelpSection, Screen};
use crate::advice;
use crate::i18n::Language;

#[derive(Default)]
pub struct ClockPanel {
    pub last: Option<Result<Measurement, NoTimeSource>>,
    pub checking: bool,
    pub use_network_time: bool,
}

fn local_time(unix: f64) -> String {
    chrono::DateTime::from_timestamp(unix as i64, 0)
        .map(|t| {
            t.with_timezone(&chrono::Local)
                .format("%H:%M:%S")
                .to_string()
        })
        .unwrap_or_default()
}

impl ClockPanel {
    /// The Unix time codes are made for, at this computer's `now` (the library's rule:
    /// corrected only when network time is chosen and a measurement allows it).
    pub fn code_time(&self, now: f64) -> f64 {
        kunci::clock::code_time(now, self.use_network_time, self.measurement())
    }

    fn measurement(&self) -> Option<&Measurement> {
        self.last.as_ref().and_then(|r| r.as_ref().ok())
    }

    fn toggle(&mut self, ui: &mut Ui, lang: Language, action: &mut Option<Command>) {
        let mut on = self.use_network_time;
        if ui
            .checkbox(&mut on, tr!(lang, "ui.clock.use_network_time"))
            .on_hover_text(tr!(lang, "ui.clock.use_network_time_hover"))
            .changed()
        {
            self.use_network_time = on;
            *action = Some(Command::UseNetworkTime(on));
        }
    }

    fn check_again(&self, ui: &mut Ui, lang: Language, action: &mut Option<Command>) {
        if ui
            .add_enabled(
                !self.checking,
                egui::Button::new(tr!(lang, "ui.clock.check_again")),
            )
            .on_hover_text(tr!(lang, "ui.clock.check_again_hover"))
            .clicked()
        {
            *action = Some(Command::CheckClock);
        }
    }

    /// The banner: shown when the clock is off by 3 s or more, and whenever network time is
    /// chosen (saying plainly when it is not applied, because only one source answered).
    pub fn banner_ui(&mut self, ui: &mut Ui, lang: Language) -> Option<Command> {
        let mut action = None;
        let m = self.measurement().cloned()?;
        let verdict = m.verdict();
        if verdict == Verdict::Ok && !self.use_network_time {
            return None;
        }
        let not_applied = self.use_network_time && m.correction().is_none();
        let (color, title) = match verdict {
            Verdict::Ok if not_applied => (
                Color32::from_rgb(0xd9, 0x8c, 0x1f),
                tr!(lang, "ui.clock.title_network_time_not_applied"),
            ),
            Verdict::Error => (
                Color32::from_rgb(0xd0, 0x3a, 0x2f),
                tr!(lang, "ui.clock.title_error"),
            ),
            Verdict::Warning => (
                Color32::from_rgb(0xd9, 0x8c, 0x1f),
                tr!(lang, "ui.clock.title_warning"),
            ),
            Verdict::Ok => (
                ui.visuals().selection.bg_fill,
                tr!(lang, "ui.clock.title_network_time"),
            ),
        };
        egui::Frame::group(ui.style())
            .fill(color.gamma_multiply(0.18))
            .stroke(egui::Stroke::new(1.0, color))
            .show(ui, |ui| {
                ui.set_width(ui.available_width());
                ui.label(RichText::new(title).strong().color(color));
                if verdict != Verdict::Ok {
                    ui.label(format!(
                        "{} {}",
                        advice::describe_offset(lang, m.offset),
                        advice::verdict_meaning(lang, verdict)
                    ));
                    if let Some(hours) = m.timezone_hours() {
                        ui.label(RichText::new(advice::timezone_note(lang, hours)).strong());
                    }
                    ui.label(advice::how_to_fix(lang));
                }
                ui.label(
                    RichText::new(tr!(
                        lang,
                        "ui.clock.measured",
                        offset = crate::i18n::signed(lang, m.offset, 1),
                        time = local_time(m.measured_at),
                        source = advice::source_name(lang, &m.source)
                    ))
                    .weak(),
                );
                if not_applied {
                    ui.label(
                        RichText::new(tr!(
                            lang,
                            "ui.clock.network_time_not_applied",
                            source = advice::source_name(lang, &m.source),
                            needed = kunci::clock::SOURCES_FOR_CORRECTION
                        ))
                        .strong(),
                    );
                } else if self.use_network_time {
                    ui.label(
                        RichText::new(tr!(
                            lang,
                            "ui.clock.network_time_in_use",
                            offset = crate::i18n::signed(lang, m.offset, 1)
                        ))
                        .strong(),
                    );
                }
                ui.horizontal_wrapped(|ui| {
                    self.check_again(ui, lang, &mut action);
                    self.toggle(ui, lang, &mut action);
                    if ui
                        .button(tr!(lang, "help.clock_button"))
                        .on_hover_text(tr!(lang, "help.clock_button_hover"))
                        .clicked()
                    {
                        action = Some(Command::Show(Screen::Help(HelpSection::Clock)));
                    }
                });
            });
        ui.add_space(4.0);
        action
    }

    /// One quiet line about the last check, shown even when all is well.
    pub fn status_ui(&mut self, ui: &mut Ui, lang: Language) -> Option<Command> {
        let mut action = None;
        ui.horizontal_wrapped(|ui| {
            let text = if self.checking {
                tr!(lang, "ui.clock.checking")
            } else {
                match &self.last {
                    None => tr!(lang, "ui.clock.not_checked"),
                    Some(Ok(m)) => tr!(
                        lang,
                        "ui.clock.checked",
                        time = local_time(m.measured_at),
                        offset = crate::i18n::signed(lang, m.offset, 2),
                        verdict = advice::verdict_word(lang, m.verdict()),
                        source = advice::source_name(lang, &m.source)
                    ),
                    Some(Err(_)) => tr!(lang, "ui.clock.offline"),
                }
            };
            if self.checking {
                ui.spinner();
            }
            ui.label(RichText::new(text).small().weak());
            if !self.checking {
                self.check_again(ui, lang, &mut action);
            }
            if self
                .measurement()
                .is_some_and(|m| m.verdict() == Verdict::Ok)
                && !self.use_network_time
            {
                self.toggle(ui, lang, &mut action);
            }
            if ui
                .small_button(tr!(lang, "ui.clock.settings"))
                .on_hover_text(tr!(lang, "ui.clock.settings_hover"))
                .clicked()
            {
                action = Some(Command::Show(Screen::TimeSettings));
            }
        });
        action
    }
}

/// Where the clock is checked against, and whether automatically.
pub struct ClockSettingsDialog {
    lang: Language,
    servers: String,
    https: String,
    auto: bool,
    use_network_time: bool,
}

fn lines(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

impl ClockSettingsDialog {
    pub fn new(settings: &kunci::settings::Settings, lang: Language) -> Self {
        ClockSettingsDialog {
            lang,
            servers: settings.time_servers.join("\n"),
            https: settings.https_time_urls.join("\n"),
            auto: settings.auto_check_time,
            use_network_time: settings.use_network_time,
        }
    }

    pub fn ui(&mut self, ui: &mut Ui, current: &kunci::settings::Settings) -> Option<Command> {
        let mut outcome = None;
        let lang = self.lang;
        super::dialog_width(ui, 400.0);
        ui.heading(tr!(lang, "ui.clock_settings.title"));
        ui.checkbox(&mut self.auto, tr!(lang, "ui.clock_settings.auto"));
        ui.checkbox(
            &mut self.use_network_time,
            tr!(lang, "ui.clock.use_network_time"),
        );
        let servers_label = ui.label(tr!(lang, "ui.clock_settings.servers"));
        ui.add(
            egui::TextEdit::multiline(&mut self.servers)
                .desired_rows(4)
                .desired_width(f32::INFINITY),
        )
        .labelled_by(servers_label.id);
        let https_label = ui.label(tr!(lang, "ui.clock_settings.https"));
        ui.add(
            egui::TextEdit::multiline(&mut self.https)
                .desired_rows(3)
                .desired_width(f32::INFINITY),
        )
        .labelled_by(https_label.id);
        ui.separator();
        ui.horizontal(|ui| {
            if ui.button(tr!(lang, "common.save")).clicked() {
                // Other settings stay as they are.
                let mut settings = current.clone();
                settings.time_servers = lines(&self.servers);
                settings.https_time_urls = lines(&self.https);
                settings.auto_check_time = self.auto;
                settings.use_network_time = self.use_network_time;
                outcome = Some(Command::TimeSettings(settings));
            }
            if ui
                .button(tr!(lang, "ui.clock_settings.defaults"))
                .on_hover_text(tr!(lang, "ui.clock_settings.defaults_hover"))
                .clicked()
            {
                let defaults = kunci::settings::Settings::default();
                self.servers = defaults.time_servers.join("\n");
                self.https = defaults.https_time_urls.join("\n");
            }
            if ui.button(tr!(lang, "common.cancel")).clicked() {
                outcome = Some(Command::CloseDialog);
            }
        });
        outcome
    }
}
