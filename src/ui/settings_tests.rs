//! The help, the menu and the settings, driven through the window with a fixed clock. Secrets
//! live in memory here: these tests are about the window, not the keychain.

use std::sync::Arc;

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

use kunci::otp::OtpUri;
use kunci::settings::{Language, Settings, Theme};
use kunci::store::{DataDir, MemorySecrets, Store};

use super::clock_worker::ClockEvent;
use super::test_support::settle;
use super::{KunciApp, Opener, Setup};

/// In the same 30-second period as RFC 6238's first test time (59 s), so the code for `KEY` is
/// 996554; early in it, so a click copies at once (near its end Kunci asks which code).
const T: f64 = 40.0;
const KEY: &str = "JBSWY3DPEHPK3PXP";

struct Window {
    h: Harness<'static, KunciApp>,
    dir: DataDir,
    _tmp: tempfile::TempDir,
}

/// The window on a fresh data directory, in English, with `accounts` added first and the
/// settings changed by `tweak`.
fn window(accounts: &[&str], tweak: impl FnOnce(&mut Settings)) -> Window {
    let tmp = tempfile::tempdir().unwrap();
    let dir = DataDir::new(tmp.path());
    let secrets: Arc<MemorySecrets> = Arc::default();
    let (mut store, _) = Store::open(dir.clone(), secrets.clone()).unwrap();
    for uri in accounts {
        store.add(&OtpUri::parse(uri).unwrap()).unwrap();
    }
    let opener_dir = dir.clone();
    let opener: Opener = Arc::new(move |_| Ok(Store::open(opener_dir.clone(), secrets.clone())?));
    let mut settings = Settings {
        // No network in these tests: clock results are handed in by the tests.
        auto_check_time: false,
        language: Some(Language::English),
        ..Settings::default()
    };
    tweak(&mut settings);
    let app = KunciApp::new(Setup {
        opener,
        clock: Arc::new(|| T),
        settings,
        data_dir: Some(dir.clone()),
        notices: Vec::new(),
    });
    let mut h = Harness::builder()
        .with_size([480.0, 640.0])
        .build_ui_state(|ui, app: &mut KunciApp| app.ui(ui), app);
    settle(&mut h);
    Window { h, dir, _tmp: tmp }
}

fn github() -> String {
    format!("otpauth://totp/GitHub:ada?secret={KEY}")
}

fn open_menu_item(h: &mut Harness<'static, KunciApp>, item: &str) {
    h.get_by_label("Menu").click();
    h.run_steps(2);
    // Contains: an item's label may end with its shortcut ("Help F1").
    h.get_by_label_contains(item).click();
    h.run_steps(3);
}

#[test]
fn help_opens_from_the_empty_state() {
    let mut w = window(&[], |_| {});
    w.h.get_by_label("How do I enrol on SPSE?").click();
    w.h.run_steps(3);
    w.h.get_by_label("Help");
    w.h.get_by_label_contains("Click \"Enable TOTP\"");
    w.h.get_by_label("Close").click();
    w.h.run_steps(3);
    assert!(
        w.h.query_by_label_contains("Click \"Enable TOTP\"")
            .is_none()
    );

    w.h.get_by_label("The barcode does not appear?").click();
    w.h.run_steps(3);
    w.h.get_by_label_contains("SPSE shows the barcode only once");
}

#[test]
fn help_and_about_open_from_the_menu() {
    let mut w = window(&[], |_| {});
    open_menu_item(&mut w.h, "Help");
    w.h.get_by_label_contains("Log in to SPSE");
    // Another section, through the row of section buttons.
    w.h.get_by_label("Reset / Disable TOTP").click();
    w.h.run_steps(3);
    w.h.get_by_label_contains("\"Reset TOTP\" goes through e-mail");
    w.h.get_by_label("Close").click();
    w.h.run_steps(3);

    // F1 opens it too.
    w.h.key_press(egui::Key::F1);
    w.h.run_steps(3);
    w.h.get_by_label_contains("Log in to SPSE");
    w.h.get_by_label("Close").click();
    w.h.run_steps(3);

    open_menu_item(&mut w.h, "About Kunci");
    w.h.get_by_label(&format!("Kunci {}", env!("CARGO_PKG_VERSION")));
}

fn measured(offset: f64) -> ClockEvent {
    ClockEvent::Checked(Ok(kunci::clock::Measurement {
        offset,
        source: kunci::clock::Source::Sntp {
            server: "127.0.0.1:11123".into(),
        },
        sntp: Vec::new(),
        https: Vec::new(),
        measured_at: T,
        agreeing: 2,
    }))
}

#[test]
fn the_clock_banner_opens_the_clock_help() {
    let mut w = window(&[], |_| {});
    w.h.state_mut().apply_clock(measured(-25200.0));
    w.h.run_steps(3);
    w.h.get_by_label("Why? Help").click();
    w.h.run_steps(3);
    w.h.get_by_label("timedatectl set-ntp true");
    w.h.get_by_label_contains("time zone UTC while the clock shows WIB");
}

#[test]
fn the_language_switches_at_once_and_is_saved() {
    let mut w = window(&[], |_| {});
    open_menu_item(&mut w.h, "Settings…");
    w.h.get_by_label("Bahasa Indonesia").click();
    settle(&mut w.h);
    // The open window and the toolbar behind it speak Indonesian now.
    w.h.get_by_label("Pengaturan");
    w.h.get_by_label("Warna tampilan");
    w.h.get_by_label("Cari");
    assert!(w.h.query_by_label("Settings").is_none());
    assert_eq!(
        Settings::load(&w.dir).0.language,
        Some(Language::Indonesian)
    );

    w.h.get_by_label("Tutup").click();
    w.h.run_steps(3);
    w.h.get_by_label("Belum ada akun");
    w.h.get_by_label("Bagaimana cara mendaftarkan akun SPSE?");
}

#[test]
fn the_theme_is_applied_and_saved() {
    let mut w = window(&[], |_| {});
    open_menu_item(&mut w.h, "Settings…");
    w.h.get_by_label("Dark").click();
    settle(&mut w.h);
    assert_eq!(Settings::load(&w.dir).0.theme, Theme::Dark);
    assert_eq!(
        w.h.ctx.options(|o| o.theme_preference),
        egui::ThemePreference::Dark
    );
    w.h.get_by_label("Light").click();
    settle(&mut w.h);
    assert_eq!(Settings::load(&w.dir).0.theme, Theme::Light);
    assert_eq!(w.h.ctx.theme(), egui::Theme::Light);
}

#[test]
fn the_saved_theme_is_applied_at_start() {
    let w = window(&[], |s| s.theme = Theme::Dark);
    assert_eq!(w.h.ctx.theme(), egui::Theme::Dark);
}

#[test]
fn with_clearing_off_a_copied_code_stays() {
    let mut w = window(&[&github()], |_| {});
    open_menu_item(&mut w.h, "Settings…");
    w.h.get_by_label("Never (the code stays)").click();
    settle(&mut w.h);
    assert_eq!(Settings::load(&w.dir).0.clipboard_clear_seconds, None);
    w.h.get_by_label("Close").click();
    w.h.run_steps(3);

    w.h.get_by_label("996 554").click();
    w.h.run_steps(2);
    w.h.get_by_label_contains("It stays on the clipboard");
    assert_eq!(
        w.h.state().code_to_clear().as_deref(),
        None,
        "nothing is cleared later"
    );
}

#[test]
fn the_clear_delay_is_the_chosen_one() {
    let mut w = window(&[&github()], |s| s.clipboard_clear_seconds = Some(10));
    w.h.get_by_label("996 554").click();
    w.h.run_steps(2);
    w.h.get_by_label_contains("The clipboard is cleared in 10 s");
    assert_eq!(w.h.state().code_to_clear().as_deref(), Some("996554"));
}

#[test]
fn minimise_after_copy_minimises_the_window() {
    let minimised = |h: &Harness<'static, KunciApp>| {
        h.output()
            .viewport_output
            .get(&egui::ViewportId::ROOT)
            .is_some_and(|v| {
                v.commands
                    .iter()
                    .any(|c| matches!(c, egui::ViewportCommand::Minimized(true)))
            })
    };
    let mut w = window(&[&github()], |_| {});
    w.h.get_by_label("996 554").click();
    w.h.step();
    assert!(!minimised(&w.h), "off by default");

    open_menu_item(&mut w.h, "Settings…");
    w.h.get_by_label("Minimise the window after copying a code")
        .click();
    settle(&mut w.h);
    assert!(Settings::load(&w.dir).0.minimize_after_copy);
    w.h.get_by_label("Close").click();
    w.h.run_steps(3);
    w.h.get_by_label("996 554").click();
    w.h.step();
    assert!(minimised(&w.h), "a copy minimises the window");
}

#[test]
fn time_settings_open_from_the_settings() {
    let mut w = window(&[], |_| {});
    open_menu_item(&mut w.h, "Settings…");
    w.h.get_by_label("Time settings…").click();
    w.h.run_steps(3);
    w.h.get_by_label_contains("Time servers (SNTP)");
}
