//! Built-in help, in the window's language: enrolling on SPSE, the barcode that does not
//! appear, Reset/Disable TOTP, and the clock; the first-run empty list that points to it; and
//! About. LPSE users meet these problems before they ever open a manual, so the answers live
//! in the window.

use egui::{Color32, RichText, Ui};

pub use super::command::HelpSection;
use super::command::{Command, Screen};
use crate::i18n::Language;

impl HelpSection {
    pub const ALL: [HelpSection; 5] = [
        HelpSection::Enrol,
        HelpSection::NoBarcode,
        HelpSection::NewBarcode,
        HelpSection::Clock,
        HelpSection::Quick,
    ];

    pub fn title(self, lang: Language) -> String {
        match self {
            HelpSection::Enrol => tr!(lang, "help.section.enrol"),
            HelpSection::NoBarcode => tr!(lang, "help.section.no_barcode"),
            HelpSection::NewBarcode => tr!(lang, "help.section.new_barcode"),
            HelpSection::Clock => tr!(lang, "help.section.clock"),
            HelpSection::Quick => tr!(lang, "help.section.quick"),
        }
    }
}

/// The names of Kunci's own buttons, as the window shows them, for the help to quote.
struct Names {
    scan: String,
    add: String,
    reenrol: String,
    network: String,
}

impl Names {
    fn new(lang: Language) -> Self {
        Names {
            scan: tr!(lang, "ui.toolbar.scan"),
            add: tr!(lang, "ui.toolbar.add"),
            reenrol: tr!(lang, "list.menu.reenrol"),
            network: tr!(lang, "ui.clock.use_network_time"),
        }
    }
}

/// The help window: one section at a time, picked from the row of section buttons.
pub struct HelpDialog {
    pub section: HelpSection,
}

impl HelpDialog {
    pub fn new(section: HelpSection) -> Self {
        HelpDialog { section }
    }

    pub fn ui(&mut self, ui: &mut Ui, lang: Language) -> Option<Command> {
        let HelpDialog { section } = self;
        let mut command = None;
        super::dialog_width(ui, 460.0);
        ui.heading(tr!(lang, "help.title"));
        ui.horizontal_wrapped(|ui| {
            for s in HelpSection::ALL {
                ui.selectable_value(section, s, s.title(lang));
            }
        });
        ui.separator();
        // Leave room for the heading, the section row and the Close button. A fixed height:
        // the window keeps its size and place from page to page.
        let height = (ui.ctx().content_rect().height() - 220.0).max(160.0);
        egui::ScrollArea::vertical()
            .id_salt(*section)
            .max_height(height)
            .min_scrolled_height(height)
            .auto_shrink(false)
            .show(ui, |ui| {
                ui.spacing_mut().item_spacing.y = 8.0;
                ui.label(RichText::new(section.title(lang)).strong().size(17.0));
                let names = Names::new(lang);
                match *section {
                    HelpSection::Enrol => enrol_ui(ui, lang, &names),
                    HelpSection::NoBarcode => {
                        if let Some(next) = no_barcode_ui(ui, lang) {
                            *section = next;
                        }
                    }
                    HelpSection::NewBarcode => new_barcode_ui(ui, lang, &names),
                    HelpSection::Clock => {
                        if clock_ui(ui, lang, &names) {
                            command = Some(Command::Show(Screen::TimeSettings));
                        }
                    }
                    HelpSection::Quick => {
                        if quick_ui(ui, lang) {
                            command = Some(Command::Show(Screen::QuickSettings));
                        }
                    }
                }
            });
        ui.separator();
        if ui.button(tr!(lang, "common.close")).clicked() {
            command = Some(Command::CloseDialog);
        }
        command
    }
}

/// A numbered step, its text wrapping beside the number.
fn step(ui: &mut Ui, number: usize, text: String) {
    ui.horizontal_top(|ui| {
        ui.label(RichText::new(format!("{number}.")).strong());
        ui.vertical(|ui| ui.label(text));
    });
}

/// A bullet under a step.
fn bullet(ui: &mut Ui, text: String) {
    ui.horizontal_top(|ui| {
        ui.add_space(16.0);
        ui.label("•");
        ui.vertical(|ui| ui.label(text));
    });
}

/// Something not to miss, set apart.
fn note(ui: &mut Ui, text: String) {
    let color = Color32::from_rgb(0xd9, 0x8c, 0x1f);
    egui::Frame::group(ui.style())
        .fill(color.gamma_multiply(0.15))
        .stroke(egui::Stroke::new(1.0, color))
        .show(ui, |ui| {
            ui.set_width(ui.available_width());
            ui.label(RichText::new(text).strong());
        });
}

/// A command to type, in monospace so it can be copied exactly.
fn command(ui: &mut Ui, text: &str) {
    ui.horizontal(|ui| {
        ui.add_space(32.0);
        ui.add(egui::Label::new(RichText::new(text).code()).selectable(true));
    });
}

fn enrol_ui(ui: &mut Ui, lang: Language, names: &Names) {
    ui.label(tr!(lang, "help.enrol.intro"));
    step(ui, 1, tr!(lang, "help.enrol.step_login"));
    step(ui, 2, tr!(lang, "help.enrol.step_enable"));
    step(ui, 3, tr!(lang, "help.enrol.step_scan", scan = names.scan));
    bullet(ui, tr!(lang, "help.enrol.source_screen"));
    bullet(ui, tr!(lang, "help.enrol.source_webcam"));
    bullet(ui, tr!(lang, "help.enrol.source_file"));
    bullet(ui, tr!(lang, "help.enrol.source_clipboard"));
    bullet(ui, tr!(lang, "help.enrol.step_key", add = names.add));
    step(ui, 4, tr!(lang, "help.enrol.step_check"));
    step(ui, 5, tr!(lang, "help.enrol.step_relogin"));
    note(ui, tr!(lang, "help.enrol.once"));
    ui.label(tr!(lang, "help.enrol.timing"));
}

/// Returns the section to go to when its link is clicked.
fn no_barcode_ui(ui: &mut Ui, lang: Language) -> Option<HelpSection> {
    ui.label(tr!(lang, "help.no_barcode.why"));
    ui.label(tr!(lang, "help.no_barcode.old_device"));
    ui.label(tr!(lang, "help.no_barcode.new"));
    let next = HelpSection::NewBarcode;
    ui.link(format!("» {}", next.title(lang)))
        .clicked()
        .then_some(next)
}

fn new_barcode_ui(ui: &mut Ui, lang: Language, names: &Names) {
    ui.label(tr!(lang, "help.new_barcode.reset"));
    ui.label(tr!(lang, "help.new_barcode.disable"));
    note(ui, tr!(lang, "help.new_barcode.old_stop"));
    ui.label(tr!(lang, "help.new_barcode.reenrol"));
    bullet(ui, tr!(lang, "help.new_barcode.reenrol_scan"));
    bullet(
        ui,
        tr!(
            lang,
            "help.new_barcode.reenrol_menu",
            reenrol = names.reenrol
        ),
    );
    ui.label(tr!(lang, "help.new_barcode.keeps"));
}

/// Returns true when "Clock settings…" is clicked.
fn clock_ui(ui: &mut Ui, lang: Language, names: &Names) -> bool {
    ui.label(tr!(lang, "help.clock.why"));
    ui.label(RichText::new(tr!(lang, "help.clock.seconds_title")).strong());
    ui.label(tr!(lang, "help.clock.seconds"));
    ui.label(RichText::new(tr!(lang, "help.clock.zone_title")).strong());
    note(ui, tr!(lang, "help.clock.zone"));
    ui.label(RichText::new(tr!(lang, "help.clock.fix_title")).strong());
    ui.label(tr!(lang, "help.clock.fix"));
    bullet(ui, tr!(lang, "help.clock.fix_windows"));
    bullet(ui, tr!(lang, "help.clock.fix_linux"));
    command(ui, "timedatectl set-ntp true");
    command(ui, "timedatectl set-timezone Asia/Jakarta");
    bullet(ui, tr!(lang, "help.clock.fix_macos"));
    ui.label(tr!(lang, "help.clock.kunci", network = names.network));
    ui.label(tr!(lang, "help.clock.no_admin"));
    ui.button(tr!(lang, "help.clock.open_settings")).clicked()
}

/// Returns true when "Faster log-in settings…" is clicked.
fn quick_ui(ui: &mut Ui, lang: Language) -> bool {
    ui.label(tr!(lang, "help.quick.why"));
    ui.label(RichText::new(tr!(lang, "help.quick.shortcut_title")).strong());
    step(ui, 1, tr!(lang, "help.quick.step_field"));
    step(ui, 2, tr!(lang, "help.quick.step_keys"));
    step(ui, 3, tr!(lang, "help.quick.step_pick"));
    bullet(ui, tr!(lang, "help.quick.enter"));
    bullet(ui, tr!(lang, "help.quick.shift_enter"));
    bullet(ui, tr!(lang, "help.quick.esc"));
    note(ui, tr!(lang, "help.quick.preselect"));
    ui.label(RichText::new(tr!(lang, "help.quick.tray_title")).strong());
    ui.label(tr!(lang, "help.quick.tray"));
    ui.label(RichText::new(tr!(lang, "help.quick.start_title")).strong());
    ui.label(tr!(lang, "help.quick.start"));
    ui.label(RichText::new(tr!(lang, "help.quick.no_shortcut_title")).strong());
    ui.label(tr!(lang, "help.quick.no_shortcut"));
    command(ui, "kunci pick");
    ui.button(tr!(lang, "help.quick.open_settings")).clicked()
}

/// The list before any account is added: what to do first, and the way into the help.
pub fn empty_state_ui(ui: &mut Ui, lang: Language) -> Option<Command> {
    let names = Names::new(lang);
    let mut action = None;
    ui.add_space(24.0);
    ui.vertical_centered(|ui| {
        ui.heading(tr!(lang, "help.empty.title"));
        ui.add_space(8.0);
        ui.label(tr!(
            lang,
            "help.empty.what",
            scan = names.scan,
            add = names.add
        ));
        ui.add_space(12.0);
        if ui.button(tr!(lang, "help.empty.scan")).clicked() {
            action = Some(Command::Show(Screen::Scan));
        }
        if ui.button(tr!(lang, "help.empty.add")).clicked() {
            action = Some(Command::Show(Screen::Add));
        }
        ui.add_space(12.0);
        if ui.link(tr!(lang, "help.empty.how")).clicked() {
            action = Some(Command::Show(Screen::Help(HelpSection::Enrol)));
        }
        if ui.link(tr!(lang, "help.empty.no_barcode")).clicked() {
            action = Some(Command::Show(Screen::Help(HelpSection::NoBarcode)));
        }
    });
    action
}

/// The About box: name, version, what Kunci is for.
pub fn about_ui(ui: &mut Ui, lang: Language) -> bool {
    super::dialog_width(ui, 340.0);
    ui.heading(tr!(lang, "help.about.title"));
    ui.label(
        RichText::new(tr!(
            lang,
            "help.about.version",
            version = env!("CARGO_PKG_VERSION")
        ))
        .strong(),
    );
    ui.label(tr!(lang, "help.about.what"));
    ui.label(tr!(lang, "help.about.license"));
    ui.separator();
    ui.button(tr!(lang, "common.close")).clicked()
}

#[cfg(test)]
mod tests {
    use egui_kittest::Harness;
    use egui_kittest::kittest::Queryable;

    use super::*;

    /// Every page in both languages: drawn without a missing glyph (the built-in fonts have no
    /// arrows or emoji), with its title and the toolbar's button names filled in.
    #[test]
    fn every_section_draws_in_both_languages() {
        for lang in Language::ALL {
            for section in HelpSection::ALL {
                let mut h = Harness::builder().with_size([480.0, 640.0]).build_ui_state(
                    move |ui, dialog: &mut HelpDialog| {
                        dialog.ui(ui, lang);
                    },
                    HelpDialog::new(section),
                );
                h.run_steps(2);
                assert_eq!(h.query_all_by_label(&section.title(lang)).count(), 2);
                assert!(
                    h.query_by_label_contains("%{").is_none(),
                    "{lang:?} {section:?}"
                );
            }
        }
    }

    #[test]
    fn the_no_barcode_page_leads_to_the_new_barcode_page() {
        let lang = Language::English;
        let mut h = Harness::new_ui_state(
            move |ui, dialog: &mut HelpDialog| {
                dialog.ui(ui, lang);
            },
            HelpDialog::new(HelpSection::NoBarcode),
        );
        h.get_by_label("» Reset / Disable TOTP").click();
        h.run_steps(2);
        assert_eq!(h.state().section, HelpSection::NewBarcode);
        h.get_by_label_contains("\"Disable TOTP\" turns TOTP off");
    }
}
