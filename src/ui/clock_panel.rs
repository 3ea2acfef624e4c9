//! The clock banner (above the list when the clock is off, or when network time is in use)
//! and the status line (always, at the bottom).

use egui::{Color32, RichText, Ui};
use kunci::clock::{Measurement, NoTimeSource, Verdict};

use crate::advice;

/// What the user asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClockAction {
    CheckAgain,
    UseNetworkTime(bool),
    OpenSettings,
}

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
    /// The offset codes should add to this computer's clock (zero unless asked for).
    pub fn offset_in_use(&self) -> f64 {
        match &self.last {
            Some(Ok(m)) if self.use_network_time => m.offset,
            _ => 0.0,
        }
    }

    fn measurement(&self) -> Option<&Measurement> {
        self.last.as_ref().and_then(|r| r.as_ref().ok())
    }

    fn toggle(&mut self, ui: &mut Ui, action: &mut Option<ClockAction>) {
        let mut on = self.use_network_time;
        if ui
            .checkbox(&mut on, "Use network time for codes")
            .on_hover_text("Codes and the countdown use this computer's clock corrected by the measured offset")
            .changed()
        {
            self.use_network_time = on;
            *action = Some(ClockAction::UseNetworkTime(on));
        }
    }

    fn check_again(&self, ui: &mut Ui, action: &mut Option<ClockAction>) {
        if ui
            .add_enabled(!self.checking, egui::Button::new("Check again"))
            .on_hover_text("Measure the clock against network time now")
            .clicked()
        {
            *action = Some(ClockAction::CheckAgain);
        }
    }

    /// The banner: shown when the clock is off by 3 s or more, and whenever network time is used.
    pub fn banner_ui(&mut self, ui: &mut Ui) -> Option<ClockAction> {
        let mut action = None;
        let m = self.measurement().cloned()?;
        let verdict = m.verdict();
        if verdict == Verdict::Ok && !self.use_network_time {
            return None;
        }
        let (color, title) = match verdict {
            Verdict::Error => (
                Color32::from_rgb(0xd0, 0x3a, 0x2f),
                "This computer's clock is wrong",
            ),
            Verdict::Warning => (
                Color32::from_rgb(0xd9, 0x8c, 0x1f),
                "This computer's clock is a little off",
            ),
            Verdict::Ok => (ui.visuals().selection.bg_fill, "Codes use network time"),
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
                        advice::describe_offset(m.offset),
                        advice::verdict_meaning(verdict)
                    ));
                    if let Some(hours) = m.timezone_hours() {
                        ui.label(RichText::new(advice::timezone_note(hours)).strong());
                    }
                    ui.label(advice::how_to_fix());
                }
                ui.label(
                    RichText::new(format!(
                        "Offset {:+.1} s, measured at {} from {}.",
                        m.offset,
                        local_time(m.measured_at),
                        m.source
                    ))
                    .weak(),
                );
                if self.use_network_time {
                    ui.label(RichText::new(format!(
                        "Codes and the countdown now use network time: this computer's clock {:+.1} s.",
                        m.offset
                    ))
                    .strong());
                }
                ui.horizontal(|ui| {
                    self.check_again(ui, &mut action);
                    self.toggle(ui, &mut action);
                });
            });
        ui.add_space(4.0);
        action
    }

    /// One quiet line about the last check, shown even when all is well.
    pub fn status_ui(&mut self, ui: &mut Ui) -> Option<ClockAction> {
        let mut action = None;
        ui.horizontal_wrapped(|ui| {
            let text = if self.checking {
                "Checking the clock against network time…".to_string()
            } else {
                match &self.last {
                    None => "The clock has not been checked yet.".to_string(),
                    Some(Ok(m)) => format!(
                        "Clock checked at {}: {:+.2} s, {} ({}).",
                        local_time(m.measured_at),
                        m.offset,
                        match m.verdict() {
                            Verdict::Ok => "right",
                            Verdict::Warning => "a little off",
                            Verdict::Error => "wrong",
                        },
                        m.source
                    ),
                    Some(Err(_)) => {
                        "Offline: no time source answered, so the clock was not checked. \
                                     Codes use this computer's clock."
                            .to_string()
                    }
                }
            };
            if self.checking {
                ui.spinner();
            }
            ui.label(RichText::new(text).small().weak());
            if !self.checking {
                self.check_again(ui, &mut action);
            }
            if self
                .measurement()
                .is_some_and(|m| m.verdict() == Verdict::Ok)
                && !self.use_network_time
            {
                self.toggle(ui, &mut action);
            }
            if ui
                .small_button("Clock settings…")
                .on_hover_text("Time servers, automatic checks, network time")
                .clicked()
            {
                action = Some(ClockAction::OpenSettings);
            }
        });
        action
    }
}

/// Where the clock is checked against, and whether automatically.
pub struct ClockSettingsDialog {
    servers: String,
    https: String,
    auto: bool,
    use_network_time: bool,
}

pub enum ClockSettingsOutcome {
    Keep,
    Cancel,
    Save(kunci::settings::Settings),
}

fn lines(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

impl ClockSettingsDialog {
    pub fn new(settings: &kunci::settings::Settings) -> Self {
        ClockSettingsDialog {
            servers: settings.time_servers.join("\n"),
            https: settings.https_time_urls.join("\n"),
            auto: settings.auto_check_time,
            use_network_time: settings.use_network_time,
        }
    }

    pub fn ui(&mut self, ui: &mut Ui, current: &kunci::settings::Settings) -> ClockSettingsOutcome {
        let mut outcome = ClockSettingsOutcome::Keep;
        super::dialog_width(ui, 400.0);
        ui.heading("Clock settings");
        ui.checkbox(
            &mut self.auto,
            "Check the clock automatically (at start, every 15 minutes, after waking up)",
        );
        ui.checkbox(&mut self.use_network_time, "Use network time for codes");
        let servers_label = ui.label("Time servers (SNTP), one per line, host or host:port");
        ui.add(
            egui::TextEdit::multiline(&mut self.servers)
                .desired_rows(4)
                .desired_width(f32::INFINITY),
        )
        .labelled_by(servers_label.id);
        let https_label =
            ui.label("Web sites for the fallback when time servers are blocked, one per line");
        ui.add(
            egui::TextEdit::multiline(&mut self.https)
                .desired_rows(3)
                .desired_width(f32::INFINITY),
        )
        .labelled_by(https_label.id);
        ui.separator();
        ui.horizontal(|ui| {
            if ui.button("Save").clicked() {
                // Other settings stay as they are.
                let mut settings = current.clone();
                settings.time_servers = lines(&self.servers);
                settings.https_time_urls = lines(&self.https);
                settings.auto_check_time = self.auto;
                settings.use_network_time = self.use_network_time;
                outcome = ClockSettingsOutcome::Save(settings);
            }
            if ui
                .button("Defaults")
                .on_hover_text("Put back the default servers")
                .clicked()
            {
                let defaults = kunci::settings::Settings::default();
                self.servers = defaults.time_servers.join("\n");
                self.https = defaults.https_time_urls.join("\n");
            }
            if ui.button("Cancel").clicked() {
                outcome = ClockSettingsOutcome::Cancel;
            }
        });
        outcome
    }
}
