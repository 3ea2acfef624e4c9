//! The quick picker's keyboard flow, its words in both languages, the tray's menu, the lock in
//! front of the picker, and Settings > Faster log-in (saved settings, the start-up entry).
//! Secrets in memory, a fixed clock, a throwaway data directory; no shortcut or tray services
//! are started (the real ones are tested under Xvfb in tests/quick_access.rs).

use std::sync::Arc;

use egui::{Key, Modifiers};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use kunci::accounts::AccountId;
use kunci::desktop::{Autostart, PreviousWindow};
use kunci::otp::{OtpUri, generate, parse_setup_key};
use kunci::settings::{Language, Settings};
use kunci::store::{DataDir, MemorySecrets, SecretStore, Store};

use super::quick::{QuickAccess, QuickEvent};
use super::test_support::settle;
use super::{KunciApp, Opener, Setup};

const GITHUB_KEY: &str = "JBSWY3DPEHPK3PXP";
const BANDUNG_KEY: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
const SURABAYA_KEY: &str = "MFRGGZDFMZTWQ2LKNNWG23TPOBYXE43U";
/// 20 s left in the period.
const MID_PERIOD: f64 = 1_700_000_020.0;
/// 3 s before the period ends: the picker gives the next code.
const NEAR_END: f64 = 1_700_000_037.0;

struct Fixture {
    tmp: tempfile::TempDir,
    secrets: Arc<MemorySecrets>,
}

impl Fixture {
    fn new() -> Self {
        let fixture = Fixture {
            tmp: tempfile::tempdir().unwrap(),
            secrets: Arc::default(),
        };
        fixture.add("GitHub", "ada", GITHUB_KEY);
        fixture.add("LPSE Kota Bandung", "penyedia01", BANDUNG_KEY);
        fixture.add("LPSE Kota Surabaya", "penyedia01", SURABAYA_KEY);
        fixture
    }

    fn dir(&self) -> DataDir {
        DataDir::new(self.tmp.path().join("data"))
    }

    fn store(&self) -> Store {
        let secrets: Arc<dyn SecretStore> = self.secrets.clone();
        Store::open(self.dir(), secrets).unwrap().0
    }

    fn add(&self, issuer: &str, label: &str, key: &str) -> AccountId {
        let uri = OtpUri {
            issuer: Some(issuer.to_string()),
            label: label.to_string(),
            secret: parse_setup_key(key).unwrap(),
            params: Default::default(),
        };
        self.store().add(&uri).unwrap().id
    }

    fn opener(&self) -> Opener {
        let (dir, secrets) = (self.dir(), self.secrets.clone());
        Arc::new(move |_| {
            let secrets: Arc<dyn SecretStore> = secrets.clone();
            Ok(Store::open(dir.clone(), secrets)?)
        })
    }

    /// The window at the fixed time `t` in `lang`, with `settings` changed by `change`.
    fn window(
        &self,
        t: f64,
        lang: Language,
        change: impl FnOnce(&mut Settings),
    ) -> Harness<'static, KunciApp> {
        let (mut settings, _) = Settings::load(&self.dir());
        settings.auto_check_time = false;
        settings.language = Some(lang);
        change(&mut settings);
        #[cfg(not(windows))]
        let autostart = Autostart::in_folder(&self.tmp.path().join("autostart"));
        // Never the user's own Run value.
        #[cfg(windows)]
        let autostart = Autostart::named(&format!("Kunci-test-{}", std::process::id()));
        let app = KunciApp::new(Setup {
            opener: self.opener(),
            clock: Arc::new(move || t),
            settings,
            data_dir: Some(self.dir()),
            notices: Vec::new(),
        })
        .with_quick(QuickAccess::new(false, Some(autostart)), false);
        let mut h = Harness::builder().with_size([440.0, 600.0]).build_ui_state(
            |ui, app: &mut KunciApp| {
                app.logic(ui.ctx());
                app.ui(ui);
            },
            app,
        );
        settle(&mut h);
        h
    }
}

fn code(key: &str, t: f64) -> String {
    generate(
        &parse_setup_key(key).unwrap(),
        &Default::default(),
        t as u64,
    )
    .unwrap()
}

/// Brings up the picker as if the shortcut was pressed over a window titled `title`.
fn pick_over(h: &mut Harness<'static, KunciApp>, title: Option<&str>) {
    let previous = title.map(PreviousWindow::titled);
    let ctx = h.ctx.clone();
    h.state_mut().open_picker_over(&ctx, previous);
    h.run_steps(3);
}

fn key(h: &mut Harness<'static, KunciApp>, modifiers: Modifiers, key: Key) {
    h.key_press_modifiers(modifiers, key);
    h.run_steps(2);
}

#[test]
fn the_title_preselects_and_enter_copies_that_code() {
    let fixture = Fixture::new();
    let mut h = fixture.window(MID_PERIOD, Language::English, |_| {});
    pick_over(
        &mut h,
        Some("SPSE 4.5 - LPSE Kota Bandung - Mozilla Firefox"),
    );
    assert!(h.state().picker_open());
    // The picker says what Shift+Enter would do: here (no display) it can only copy.
    h.get_by_label_contains("Enter: copy");
    key(&mut h, Modifiers::NONE, Key::Enter);
    assert_eq!(
        h.state().copied_code().as_deref(),
        Some(code(BANDUNG_KEY, MID_PERIOD).as_str())
    );
    assert!(!h.state().picker_open(), "Enter closes the picker");
    h.get_by_label_contains("Copied");
}

#[test]
fn typing_filters_arrows_move_and_esc_closes() {
    let fixture = Fixture::new();
    let mut h = fixture.window(MID_PERIOD, Language::English, |_| {});
    pick_over(&mut h, None);
    // Nothing named: the first account (list order) is selected.
    let selected = |h: &Harness<'static, KunciApp>| h.state().picker_selection();
    assert_eq!(selected(&h).as_deref(), Some("GitHub (ada)"));
    key(&mut h, Modifiers::NONE, Key::ArrowDown);
    assert_eq!(
        selected(&h).as_deref(),
        Some("LPSE Kota Bandung (penyedia01)")
    );
    key(&mut h, Modifiers::NONE, Key::ArrowDown);
    key(&mut h, Modifiers::NONE, Key::ArrowDown);
    assert_eq!(
        selected(&h).as_deref(),
        Some("LPSE Kota Surabaya (penyedia01)"),
        "Down stops at the last"
    );
    key(&mut h, Modifiers::NONE, Key::ArrowUp);
    assert_eq!(
        selected(&h).as_deref(),
        Some("LPSE Kota Bandung (penyedia01)")
    );

    // The search field has the focus: typing filters, and the selection follows.
    h.get_by_label("Search the accounts").type_text("suraba");
    h.run_steps(3);
    assert_eq!(
        selected(&h).as_deref(),
        Some("LPSE Kota Surabaya (penyedia01)")
    );
    assert!(
        h.query_by_label("Choose GitHub (ada)").is_none(),
        "filtered out"
    );
    h.get_by_label("Search the accounts").type_text("xyz");
    h.run_steps(3);
    h.get_by_label_contains("No account matches \"surabaxyz\"");
    assert_eq!(selected(&h), None);
    key(&mut h, Modifiers::NONE, Key::Enter);
    assert!(
        h.state().picker_open(),
        "Enter with nothing chosen does nothing"
    );
    assert_eq!(h.state().copied_code(), None);

    key(&mut h, Modifiers::NONE, Key::Escape);
    assert!(!h.state().picker_open(), "Esc closes");
    assert_eq!(h.state().copied_code(), None, "and copies nothing");
}

#[test]
fn near_the_end_of_a_period_the_next_code_is_given() {
    let fixture = Fixture::new();
    let mut h = fixture.window(NEAR_END, Language::English, |_| {});
    pick_over(&mut h, Some("Sign in to GitHub"));
    key(&mut h, Modifiers::NONE, Key::Enter);
    let next = code(GITHUB_KEY, NEAR_END + 3.0);
    assert_ne!(next, code(GITHUB_KEY, NEAR_END));
    assert_eq!(h.state().copied_code().as_deref(), Some(next.as_str()));
}

#[test]
fn shift_enter_copies_where_typing_is_not_possible() {
    let fixture = Fixture::new();
    let mut h = fixture.window(MID_PERIOD, Language::English, |_| {});
    // Known by its title only: it cannot be typed into, and the picker says so.
    pick_over(&mut h, Some("LPSE Kota Surabaya"));
    key(&mut h, Modifiers::SHIFT, Key::Enter);
    assert_eq!(
        h.state().copied_code().as_deref(),
        Some(code(SURABAYA_KEY, MID_PERIOD).as_str())
    );
    assert!(!h.state().picker_open());
}

#[test]
fn a_locked_window_asks_for_the_passphrase_before_the_picker() {
    let fixture = Fixture::new();
    let hash = crate::ui::lock::hash_passphrase("kunci sandi").unwrap();
    let mut h = fixture.window(MID_PERIOD, Language::English, |s| {
        s.lock_passphrase_hash = Some(hash.clone());
    });
    pick_over(&mut h, Some("LPSE Kota Bandung"));
    h.get_by_label_contains("Kunci is locked");
    assert!(h.query_by_label("Search the accounts").is_none());
    crate::ui::test_support::type_into(&mut h, "Lock passphrase", "kunci sandi");
    h.get_by_label("Unlock").click();
    h.run_steps(2);
    crate::ui::test_support::wait_for(&mut h, "Search the accounts");
    key(&mut h, Modifiers::NONE, Key::Enter);
    assert_eq!(
        h.state().copied_code().as_deref(),
        Some(code(BANDUNG_KEY, MID_PERIOD).as_str())
    );
}

#[test]
fn the_picker_and_the_tray_speak_indonesian() {
    let fixture = Fixture::new();
    let mut h = fixture.window(MID_PERIOD, Language::Indonesian, |_| {});
    pick_over(&mut h, Some("LPSE Kota Bandung"));
    h.get_by_label("Cari akun");
    h.get_by_label_contains("Enter: salin");
    h.get_by_label("Buka Kunci");
    assert!(h.query_by_label_contains("%{").is_none());
    let menu = h.state().tray_menu_for_tests();
    assert_eq!(menu.quick_pick, "Pilih cepat…");
    assert_eq!(menu.quit, "Keluar dari Kunci");
}

#[test]
fn the_tray_menu_lists_pinned_accounts_and_copies_their_codes() {
    let fixture = Fixture::new();
    let bandung = fixture.store().accounts().as_slice()[1].id.clone();
    fixture.store().set_pinned(&bandung, true).unwrap();
    let mut h = fixture.window(MID_PERIOD, Language::English, |_| {});
    let menu = h.state().tray_menu_for_tests();
    assert_eq!(
        menu.pinned,
        [(
            bandung.to_string(),
            "Copy the code of LPSE Kota Bandung (penyedia01)".to_string()
        )]
    );
    assert!(menu.pinned_enabled);
    assert_eq!(menu.lock, None, "no app lock: no Lock entry");
    h.state()
        .quick_sender()
        .send(QuickEvent::Tray(kunci::desktop::TrayAction::Copy(
            bandung.to_string(),
        )));
    h.run_steps(2);
    assert_eq!(
        h.state().copied_code().as_deref(),
        Some(code(BANDUNG_KEY, MID_PERIOD).as_str())
    );
}

// The entry checked here is the XDG one; the Windows and macOS entries have the library's tests.
#[cfg(all(unix, not(target_os = "macos")))]
#[test]
fn faster_log_in_settings_are_saved_and_the_start_up_entry_written_and_removed() {
    let fixture = Fixture::new();
    let mut h = fixture.window(MID_PERIOD, Language::English, |_| {});
    h.get_by_label("Menu").click();
    h.run_steps(2);
    h.get_by_label("Settings…").click();
    h.run_steps(3);
    h.get_by_label("Faster log-in…").click();
    h.run_steps(3);
    h.get_by_label_contains("The close button hides Kunci")
        .click();
    h.run_steps(2);
    h.get_by_label("Start hidden in the tray").click();
    h.run_steps(2);

    // Other keys: a bad one is explained and not saved, a good one saved as written.
    let field = h.get_by_label("Keys:");
    field.focus();
    h.key_press_modifiers(Modifiers::COMMAND, Key::A);
    field.type_text("Ctrl+Ä");
    h.run_steps(2);
    h.get_by_label("Use these keys").click();
    h.run_steps(2);
    h.get_by_label_contains("is not a key Kunci can listen for");
    let field = h.get_by_label("Keys:");
    field.focus();
    h.key_press_modifiers(Modifiers::COMMAND, Key::A);
    field.type_text("alt + shift + f9");
    h.run_steps(2);
    h.get_by_label("Use these keys").click();
    h.run_steps(2);

    let entry = fixture.tmp.path().join("autostart/id.kunci.Kunci.desktop");
    h.get_by_label_contains("Start Kunci with the computer")
        .click();
    h.run_steps(2);
    let written = std::fs::read_to_string(&entry).expect("the autostart entry is written");
    assert!(written.contains("--minimized"), "{written}");
    assert!(written.contains("Exec=\""), "{written}");

    h.state_mut()
        .wait_for_worker(std::time::Duration::from_secs(10));
    let (saved, _) = Settings::load(&fixture.dir());
    assert!(saved.close_to_tray);
    assert!(saved.start_minimized);
    assert!(saved.tray_icon);
    assert_eq!(saved.quick_pick_shortcut.as_deref(), Some("Alt+Shift+F9"));

    h.get_by_label_contains("Start Kunci with the computer")
        .click();
    h.run_steps(2);
    assert!(!entry.exists(), "the autostart entry is removed");

    // Off: saved as no shortcut at all.
    h.get_by_label_contains("Bring up the quick picker with a shortcut")
        .click();
    h.run_steps(2);
    h.state_mut()
        .wait_for_worker(std::time::Duration::from_secs(10));
    assert_eq!(Settings::load(&fixture.dir()).0.quick_pick_shortcut, None);
}
