//! "A UI string is not translated": the main screens are drawn in English and in Bahasa
//! Indonesia, every text of the accessibility tree is collected, and a text that reads the same
//! in both languages fails the test unless it is a name, a number or a product term.
//!
//! Secrets live in memory here, so this test needs no keychain.

use std::collections::BTreeSet;
use std::sync::Arc;

use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use kunci::clock::{Measurement, Source};
use kunci::otp::OtpUri;
use kunci::settings::Settings;
use kunci::store::{DataDir, MemorySecrets, Store};

use super::app::{KunciApp, Setup};
use super::clock_worker::ClockEvent;
use super::test_support::settle;
use crate::i18n::Language;

/// 59 s after the epoch: RFC 6238's first test time.
const T: f64 = 59.0;
const KEY: &str = "JBSWY3DPEHPK3PXP";

/// Words that are the same in both languages on purpose: product and standard names, and the
/// test data's account names.
const SAME_IN_BOTH: &[&str] = &[
    "Kunci",
    "TOTP",
    "HOTP",
    "SHA1",
    "SHA256",
    "SHA512",
    "QR",
    "GitHub",
    "ada",
    "LPSE",
    "Kota",
    "Bandung",
    "penyedia01",
    "Bank",
    "nasabah7",
    // What the test types into the setup key field.
    "ABC8",
    // The same word in Bahasa Indonesia.
    "Menu",
];

/// The window in `lang` over three accounts, opened and settled.
fn window(dir: &std::path::Path, lang: Language) -> Harness<'static, KunciApp> {
    let secrets: Arc<MemorySecrets> = Arc::default();
    let (mut store, _) = Store::open(DataDir::new(dir), secrets.clone()).unwrap();
    for uri in [
        format!("otpauth://totp/GitHub:ada?secret={KEY}"),
        format!("otpauth://totp/LPSE%20Kota%20Bandung:penyedia01?secret={KEY}"),
        format!("otpauth://hotp/Bank:nasabah7?secret={KEY}&counter=3"),
    ] {
        store.add(&OtpUri::parse(&uri).unwrap()).unwrap();
    }
    let dir_for_opener = dir.to_path_buf();
    let app = KunciApp::new(Setup {
        opener: Arc::new(move |_| Ok(Store::open(DataDir::new(&dir_for_opener), secrets.clone())?)),
        clock: Arc::new(|| T),
        settings: Settings {
            auto_check_time: false,
            use_network_time: true,
            language: Some(lang),
            ..Settings::default()
        },
        data_dir: Some(DataDir::new(dir)),
        notices: Vec::new(),
    });
    let mut h = Harness::builder()
        .with_size([480.0, 720.0])
        .build_ui_state(|ui, app: &mut KunciApp| app.ui(ui), app);
    settle(&mut h);
    h
}

/// Every text a screen reader gets: labels, values and hint texts.
fn texts(h: &Harness<'static, KunciApp>, into: &mut BTreeSet<String>) {
    for node in h.root().children_recursive() {
        let node = node.accesskit_node();
        let placeholder = node.placeholder().map(str::to_string);
        for text in [node.label(), node.value(), node.description(), placeholder]
            .into_iter()
            .flatten()
        {
            if !text.trim().is_empty() {
                into.insert(text.trim().to_string());
            }
        }
    }
}

/// A clock 7 hours behind, by one source alone: the error banner with the time-zone
/// explanation, and (network time being chosen) why it is not applied.
fn clock_seven_hours_off() -> ClockEvent {
    ClockEvent::Checked(Ok(Measurement {
        offset: 25200.0,
        source: Source::Sntp {
            server: "127.0.0.1:11123".into(),
        },
        sntp: Vec::new(),
        https: Vec::new(),
        measured_at: T,
        agreeing: 1,
    }))
}

/// The texts of the main screens in `lang`.
fn screens(lang: Language) -> BTreeSet<String> {
    let tmp = tempfile::tempdir().unwrap();
    let mut h = window(tmp.path(), lang);
    let mut all = BTreeSet::new();

    // The list, with the clock banner of a wrong clock.
    h.state_mut().apply_clock(clock_seven_hours_off());
    h.run_steps(3);
    texts(&h, &mut all);

    // The Add dialog, with Advanced open and an invalid key.
    click(&mut h, &tr!(lang, "ui.toolbar.add"));
    click(&mut h, &tr!(lang, "add.advanced"));
    let key_label = tr!(lang, "add.key");
    h.get_by_label(&key_label).focus();
    h.get_by_label(&key_label).type_text("ABC8");
    h.run_steps(3);
    texts(&h, &mut all);
    click(&mut h, &tr!(lang, "common.cancel"));

    // The Scan dialog.
    click(&mut h, &tr!(lang, "ui.toolbar.scan"));
    texts(&h, &mut all);
    click(&mut h, &tr!(lang, "common.close"));

    // An account's menu, and the delete confirmation from it.
    click(&mut h, &tr!(lang, "list.menu.label", name = "GitHub (ada)"));
    texts(&h, &mut all);
    click(&mut h, &tr!(lang, "list.menu.delete"));
    texts(&h, &mut all);
    all
}

/// Clicks the widget labelled `label` and lets the window react.
fn click(h: &mut Harness<'static, KunciApp>, label: &str) {
    h.get_by_label(label).click();
    h.run_steps(3);
}

/// Whether a text may read the same in both languages: only allowed words and no letters else.
fn same_on_purpose(text: &str) -> bool {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|word| word.chars().any(char::is_alphabetic))
        .all(|word| SAME_IN_BOTH.contains(&word))
}

#[test]
fn every_text_on_the_main_screens_is_translated() {
    let english = screens(Language::English);
    let indonesian = screens(Language::Indonesian);
    // `KUNCI_SHOW_TEXTS=1 cargo test translation -- --nocapture`: the words, for a review.
    if std::env::var_os("KUNCI_SHOW_TEXTS").is_some() {
        println!("{indonesian:#?}");
    }
    assert!(
        english.iter().any(|t| t == "Add account"),
        "the screens were not all drawn: {english:#?}"
    );
    assert!(
        indonesian.iter().any(|t| t == "Tambah akun"),
        "the screens were not all drawn: {indonesian:#?}"
    );
    let untranslated: Vec<&String> = english
        .intersection(&indonesian)
        .filter(|text| !same_on_purpose(text))
        .collect();
    assert!(
        untranslated.is_empty(),
        "these texts read the same in English and Indonesian (not translated?): \
         {untranslated:#?}"
    );
}

#[test]
fn same_on_purpose_allows_names_and_numbers_only() {
    assert!(same_on_purpose("GitHub (ada)"));
    assert!(same_on_purpose("996 554"));
    assert!(same_on_purpose("SHA256"));
    assert!(!same_on_purpose("Add account"));
    assert!(!same_on_purpose("GitHub (ada) is wrong"));
}
