use super::*;
use crate::ui::test_support::settle;
use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use kunci::otp::{OtpUri, generate};
use kunci::store::{DataDir, Keychain, Store};
use std::sync::Arc;

/// 59 s after the epoch: RFC 6238's first test time.
const T: f64 = 59.0;
const KEY: &str = "JBSWY3DPEHPK3PXP";

fn opener(dir: &std::path::Path) -> Opener {
    let dir = dir.to_path_buf();
    Arc::new(move |_| {
        let keychain = Keychain::connect()?;
        Ok(Store::open(DataDir::new(&dir), Arc::new(keychain))?)
    })
}

fn open_store(dir: &std::path::Path) -> Store {
    let keychain = Keychain::connect().expect("a keychain: run the tests through scripts/test");
    Store::open(DataDir::new(dir), Arc::new(keychain))
        .unwrap()
        .0
}

fn harness(dir: &std::path::Path) -> Harness<'static, KunciApp> {
    let app = KunciApp::new(Setup {
        opener: opener(dir),
        clock: Arc::new(|| T),
        // No network in these tests: clock results are handed in by the tests.
        settings: Settings {
            auto_check_time: false,
            // These tests read English words, whatever the machine's language.
            language: Some(Language::English),
            ..Settings::default()
        },
        data_dir: Some(DataDir::new(dir)),
        notices: Vec::new(),
    });
    let mut h = Harness::builder()
        .with_size([440.0, 600.0])
        .build_ui_state(|ui, app: &mut KunciApp| app.ui(ui), app);
    settle(&mut h);
    h
}

fn expected_code() -> String {
    let secret = kunci::otp::parse_setup_key(KEY).unwrap();
    generate(&secret, &Default::default(), T as u64).unwrap()
}

#[test]
fn add_through_the_dialog_shows_the_code() {
    let tmp = tempfile::tempdir().unwrap();
    let mut h = harness(tmp.path());
    h.get_by_label_contains("No accounts yet");
    h.get_by_label("+ Add").click();
    h.run_steps(3);
    let key = h.get_by_label("Setup key or otpauth:// link");
    key.focus();
    key.type_text("jbsw y3dp ehpk 3pxp");
    h.run_steps(2);
    h.get_by_label("Issuer (e.g. LPSE Kota Bandung)").focus();
    h.get_by_label("Issuer (e.g. LPSE Kota Bandung)")
        .type_text("LPSE Kota Bandung");
    h.run_steps(2);
    h.get_by_label("Account name (e.g. your user name)").focus();
    h.get_by_label("Account name (e.g. your user name)")
        .type_text("penyedia01");
    h.run_steps(2);
    h.get_by_label("Add").click();
    settle(&mut h);

    let code = expected_code();
    assert_eq!(code, "996554", "oathtool --totp -b {KEY} --now=@59");
    h.get_by_label("996 554");
    h.get_by_label("LPSE Kota Bandung");
    let store = open_store(tmp.path());
    let account = &store.accounts().as_slice()[0];
    assert_eq!(
        (account.issuer.as_str(), account.label.as_str()),
        ("LPSE Kota Bandung", "penyedia01")
    );
    assert_eq!(
        store.secret(&account.id).unwrap(),
        kunci::otp::parse_setup_key(KEY).unwrap()
    );
}

#[test]
fn an_invalid_key_shows_an_error_and_saves_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let mut h = harness(tmp.path());
    h.get_by_label("+ Add").click();
    h.run_steps(3);
    let key = h.get_by_label("Setup key or otpauth:// link");
    key.focus();
    key.type_text("ABC8");
    h.run_steps(2);
    h.get_by_label("Account name (e.g. your user name)").focus();
    h.get_by_label("Account name (e.g. your user name)")
        .type_text("someone");
    h.run_steps(2);
    h.get_by_label_contains("is not a base32 letter");
    let add = h.get_by_label("Add");
    assert!(
        add.accesskit_node().is_disabled(),
        "Add must be disabled for an invalid key"
    );
    add.click();
    h.key_press(Key::Enter);
    settle(&mut h);
    assert!(open_store(tmp.path()).accounts().is_empty());
    // The dialog is still open, with the error, for the user to fix the key.
    h.get_by_label_contains("is not a base32 letter");
}

#[test]
fn delete_asks_first() {
    let tmp = tempfile::tempdir().unwrap();
    let uri = OtpUri::parse(&format!("otpauth://totp/GitHub:ada?secret={KEY}")).unwrap();
    open_store(tmp.path()).add(&uri).unwrap();
    let mut h = harness(tmp.path());
    h.get_by_label("996 554");

    h.get_by_label("More actions for GitHub (ada)").click();
    h.run_steps(2);
    h.get_by_label("Delete…").click();
    h.run_steps(3);
    h.get_by_label("Delete GitHub (ada)?");
    assert_eq!(
        open_store(tmp.path()).accounts().len(),
        1,
        "nothing deleted before confirming"
    );
    h.get_by_label("Cancel").click();
    settle(&mut h);
    assert_eq!(
        open_store(tmp.path()).accounts().len(),
        1,
        "cancel keeps the account"
    );
    assert!(h.query_by_label("Delete GitHub (ada)?").is_none());

    h.get_by_label("More actions for GitHub (ada)").click();
    h.run_steps(2);
    h.get_by_label("Delete…").click();
    h.run_steps(3);
    h.get_by_label("Delete").click();
    settle(&mut h);
    assert!(open_store(tmp.path()).accounts().is_empty());
    assert!(h.query_by_label("996 554").is_none());
}

#[test]
fn rename_keeps_the_code() {
    let tmp = tempfile::tempdir().unwrap();
    let uri = OtpUri::parse(&format!("otpauth://totp/GitHub:ada?secret={KEY}")).unwrap();
    open_store(tmp.path()).add(&uri).unwrap();
    let mut h = harness(tmp.path());
    h.get_by_label("More actions for GitHub (ada)").click();
    h.run_steps(2);
    h.get_by_label("Edit…").click();
    h.run_steps(3);
    let name = h.get_by_label("Account name");
    name.focus();
    h.key_press_modifiers(egui::Modifiers::COMMAND, Key::A);
    h.get_by_label("Account name").type_text("ada.lovelace");
    h.run_steps(2);
    h.get_by_label("Save").click();
    settle(&mut h);
    h.get_by_label("ada.lovelace");
    h.get_by_label("996 554");
    let store = open_store(tmp.path());
    assert_eq!(store.accounts().as_slice()[0].label, "ada.lovelace");
}

#[test]
fn click_and_enter_copy_the_code() {
    let tmp = tempfile::tempdir().unwrap();
    let uri = OtpUri::parse(&format!("otpauth://totp/GitHub:ada?secret={KEY}")).unwrap();
    open_store(tmp.path()).add(&uri).unwrap();
    let mut h = harness(tmp.path());
    let copied = |h: &Harness<'static, KunciApp>| {
        h.output()
            .platform_output
            .commands
            .iter()
            .any(|c| matches!(c, egui::OutputCommand::CopyText(text) if text == "996554"))
    };
    // One second before the code changes, so Kunci asks: this code or the next one?
    h.get_by_label("996 554").click();
    h.run_steps(2);
    h.get_by_label("Copy current code (996 554)").click();
    h.step();
    assert!(copied(&h), "a click copies the code, without the space");
    assert_eq!(h.state().clipboard.last_copied().as_deref(), Some("996554"));
    h.run_steps(2);
    h.get_by_label_contains("Copied the code for GitHub (ada)");

    h.state_mut().clipboard = CodeClipboard::default();
    h.key_press(Key::Enter);
    h.run_steps(2);
    h.get_by_label("Copy current code (996 554)").click();
    h.run_steps(2);
    assert_eq!(
        h.state().clipboard.last_copied().as_deref(),
        Some("996554"),
        "Enter copies the selected code"
    );
}

#[test]
fn search_filters_the_list() {
    let tmp = tempfile::tempdir().unwrap();
    let mut store = open_store(tmp.path());
    for (issuer, label) in [("LPSE Kota Bandung", "penyedia01"), ("GitHub", "ada")] {
        let uri = OtpUri::parse(&format!("otpauth://totp/{issuer}:{label}?secret={KEY}")).unwrap();
        store.add(&uri).unwrap();
    }
    let mut h = harness(tmp.path());
    assert_eq!(h.query_all_by_label("996 554").count(), 2);
    let search = h.get_by_role(Role::TextInput);
    search.focus();
    search.type_text("bandung");
    h.run_steps(3);
    assert_eq!(h.query_all_by_label("996 554").count(), 1);
    h.get_by_label("LPSE Kota Bandung");
    assert!(h.query_by_label("GitHub").is_none());
}

/// A measurement two independent sources agree on.
fn measured(offset: f64) -> ClockEvent {
    measured_by(offset, 2)
}

/// A measurement `agreeing` independent sources agree on.
fn measured_by(offset: f64, agreeing: usize) -> ClockEvent {
    ClockEvent::Checked(Ok(kunci::clock::Measurement {
        offset,
        source: kunci::clock::Source::Sntp {
            server: "127.0.0.1:11123".into(),
        },
        sntp: Vec::new(),
        https: Vec::new(),
        measured_at: T,
        agreeing,
    }))
}

#[test]
fn the_banner_shows_a_faked_drift() {
    let tmp = tempfile::tempdir().unwrap();
    let mut h = harness(tmp.path());
    assert!(h.query_by_label_contains("clock is wrong").is_none());
    h.state_mut().apply_clock(measured(-90.0));
    h.run_steps(3);
    h.get_by_label("This computer's clock is wrong");
    h.get_by_label_contains("90.0 s ahead of network time");
    h.get_by_label_contains("Offset -90.0 s");
    assert!(
        h.query_all_by_label_contains("SNTP 127.0.0.1:11123")
            .count()
            >= 1
    );

    h.state_mut().apply_clock(measured(-25200.0));
    h.run_steps(3);
    h.get_by_label_contains("UTC while the clock shows WIB");

    h.state_mut().apply_clock(measured(0.01));
    h.run_steps(3);
    assert!(h.query_by_label("This computer's clock is wrong").is_none());
    h.get_by_label_contains("Clock checked at");
}

#[test]
fn offline_is_a_quiet_line() {
    let tmp = tempfile::tempdir().unwrap();
    let mut h = harness(tmp.path());
    h.state_mut()
        .apply_clock(ClockEvent::Checked(Err(kunci::clock::NoTimeSource {
            sntp: Vec::new(),
            https: Vec::new(),
        })));
    h.run_steps(3);
    h.get_by_label_contains("Offline: no time source answered");
    assert!(h.query_by_label_contains("clock is wrong").is_none());
}

#[test]
fn network_time_changes_the_code_and_is_saved() {
    let tmp = tempfile::tempdir().unwrap();
    let uri = OtpUri::parse(&format!("otpauth://totp/GitHub:ada?secret={KEY}")).unwrap();
    open_store(tmp.path()).add(&uri).unwrap();
    let mut h = harness(tmp.path());
    h.get_by_label("996 554");

    // The network says it is an hour later than this computer thinks.
    h.state_mut().apply_clock(measured(3600.0));
    h.run_steps(3);
    h.get_by_label("996 554");
    h.get_by_label("Use network time for codes").click();
    settle(&mut h);

    let secret = kunci::otp::parse_setup_key(KEY).unwrap();
    let corrected = generate(&secret, &Default::default(), T as u64 + 3600).unwrap();
    let shown = super::super::account_row::group_digits(&corrected);
    h.get_by_label(&shown);
    assert!(h.query_by_label("996 554").is_none());
    h.get_by_label_contains("now use network time");
    let (saved, _) = Settings::load(&DataDir::new(tmp.path()));
    assert!(
        saved.use_network_time,
        "the choice is saved in settings.json"
    );

    h.get_by_label("Use network time for codes").click();
    settle(&mut h);
    h.get_by_label("996 554");
    assert!(!Settings::load(&DataDir::new(tmp.path())).0.use_network_time);
}

#[test]
fn network_time_from_a_lone_source_is_not_applied_and_says_so() {
    let tmp = tempfile::tempdir().unwrap();
    let uri = OtpUri::parse(&format!("otpauth://totp/GitHub:ada?secret={KEY}")).unwrap();
    open_store(tmp.path()).add(&uri).unwrap();
    let mut h = harness(tmp.path());
    h.get_by_label("996 554");

    // One server alone says it is an hour later.
    h.state_mut().apply_clock(measured_by(3600.0, 1));
    h.run_steps(3);
    h.get_by_label("Use network time for codes").click();
    settle(&mut h);
    assert!(Settings::load(&DataDir::new(tmp.path())).0.use_network_time);

    // The codes stay on this computer's clock, and the banner says why.
    h.get_by_label("996 554");
    h.get_by_label("This computer's clock is wrong");
    h.get_by_label_contains("NOT applied: only one time source answered (SNTP 127.0.0.1:11123)");
    assert!(h.query_by_label_contains("now use network time").is_none());

    // A clock that is right by that one source: the banner stays, titled for it.
    h.state_mut().apply_clock(measured_by(0.4, 1));
    h.run_steps(3);
    h.get_by_label("Network time is on, but not applied");
    h.get_by_label_contains("NOT applied: only one time source answered");
    h.state_mut().apply_clock(measured_by(3600.0, 1));
    h.run_steps(3);

    // A second source that agrees: now it is applied.
    h.state_mut().apply_clock(measured_by(3600.0, 2));
    h.run_steps(3);
    let secret = kunci::otp::parse_setup_key(KEY).unwrap();
    let corrected = generate(&secret, &Default::default(), T as u64 + 3600).unwrap();
    h.get_by_label(&super::super::account_row::group_digits(&corrected));
    h.get_by_label_contains("now use network time");
    assert!(h.query_by_label_contains("NOT applied").is_none());
}

#[derive(Debug)]
struct Dropped(std::path::PathBuf);

impl egui::DroppedFile for Dropped {
    fn path(&self) -> &std::path::Path {
        &self.0
    }
    fn bytes(&self) -> Result<Vec<u8>, String> {
        std::fs::read(&self.0).map_err(|e| e.to_string())
    }
}

/// Writes a PNG of a QR code holding `text`.
fn qr_png(dir: &std::path::Path, name: &str, text: &str) -> std::path::PathBuf {
    let code = qrcode::QrCode::new(text.as_bytes()).unwrap();
    let image = code
        .render::<image::Luma<u8>>()
        .module_dimensions(6, 6)
        .build();
    let path = dir.join(name);
    image.save(&path).unwrap();
    path
}

/// Drops a file onto the window and waits until `done` holds.
fn drop_file(
    h: &mut Harness<'static, KunciApp>,
    path: std::path::PathBuf,
    done: impl Fn(&Harness<'static, KunciApp>) -> bool,
) {
    h.input_mut().dropped_files.push(Arc::new(Dropped(path)));
    let deadline = Instant::now() + Duration::from_secs(20);
    while !done(h) && Instant::now() < deadline {
        h.run_steps(1);
        std::thread::sleep(Duration::from_millis(20));
    }
    h.run_steps(2);
    assert!(done(h), "the dropped picture was not handled in time");
}

#[test]
fn a_dropped_qr_picture_is_reviewed_added_and_recognised_again() {
    let tmp = tempfile::tempdir().unwrap();
    let pictures = tempfile::tempdir().unwrap();
    let mut h = harness(tmp.path());
    let uri = format!(
        "otpauth://totp/LPSE%20Kota%20Bandung:penyedia01?secret={KEY}&issuer=LPSE%20Kota%20Bandung"
    );
    let png = qr_png(pictures.path(), "qr.png", &uri);

    drop_file(&mut h, png.clone(), |h| {
        h.query_by_label("Add account").is_some()
    });
    // The Add dialog is filled from the QR code, for review.
    let issuer = h.get_by_label("Issuer (e.g. LPSE Kota Bandung)");
    assert_eq!(issuer.value().as_deref(), Some("LPSE Kota Bandung"));
    h.get_by_label("Add").click();
    settle(&mut h);
    h.get_by_label("996 554");
    assert_eq!(open_store(tmp.path()).accounts().len(), 1);

    // The same picture again: already there, nothing added.
    drop_file(&mut h, png, |h| {
        h.query_by_label_contains("already in Kunci with this secret")
            .is_some()
    });
    assert_eq!(open_store(tmp.path()).accounts().len(), 1);

    // A new QR code for the same account (after "Disable TOTP"): re-enrol it in place.
    let new_key = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
    let reissued = uri.replace(KEY, new_key);
    let png = qr_png(pictures.path(), "qr2.png", &reissued);
    drop_file(&mut h, png, |h| {
        h.query_by_label("LPSE Kota Bandung (penyedia01) is already in Kunci")
            .is_some()
    });
    h.get_by_label("Re-enrol").click();
    settle(&mut h);
    let store = open_store(tmp.path());
    assert_eq!(store.accounts().len(), 1);
    let account = &store.accounts().as_slice()[0];
    assert_eq!(
        store.secret(&account.id).unwrap(),
        kunci::otp::parse_setup_key(new_key).unwrap()
    );
    let code = generate(
        &kunci::otp::parse_setup_key(new_key).unwrap(),
        &Default::default(),
        T as u64,
    )
    .unwrap();
    h.get_by_label(&super::super::account_row::group_digits(&code));
}

#[test]
fn a_picture_without_an_account_says_what_it_holds() {
    let tmp = tempfile::tempdir().unwrap();
    let pictures = tempfile::tempdir().unwrap();
    let mut h = harness(tmp.path());
    let png = qr_png(
        pictures.path(),
        "web.png",
        "https://lpse.example.go.id/eproc4",
    );
    drop_file(&mut h, png, |h| {
        h.query_by_label_contains("this QR is a web address")
            .is_some()
            || h.query_by_label_contains("This QR is a web address")
                .is_some()
    });
    assert!(open_store(tmp.path()).accounts().is_empty());
}
