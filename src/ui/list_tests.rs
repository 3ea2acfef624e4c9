//! Interaction tests of the account list: search, groups, pins, reordering, the row menu,
//! re-enrolment, the next-code choice, the keys, and 500 accounts. Secrets are kept in memory
//! (the keychain itself is tested elsewhere), the clock is fixed, the data directory is a
//! throwaway one, and every change is checked again in a store opened afresh.

use std::collections::BTreeMap;
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use egui::accesskit::Role;
use egui::{Key, Modifiers};
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use kunci::accounts::AccountId;
use kunci::otp::{OtpUri, generate, parse_setup_key};
use kunci::settings::{Language, Settings};
use kunci::store::metadata::{self, Metadata};
use kunci::store::{DataDir, MemorySecrets, SecretStore, SecretsError, Store};
use zeroize::Zeroizing;

use super::account_row::group_digits;
use super::clock::Clock;
use super::test_support::settle;
use super::{DEFAULT_SIZE, KunciApp, Opener, Setup};

const KEY: &str = "JBSWY3DPEHPK3PXP";
const NEW_KEY: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
/// 20 s left in the period: no next code shown.
const MID_PERIOD: f64 = 40.0;
/// 3 s before the period ends: the next code is shown too.
const NEAR_END: f64 = 57.0;

/// A data directory and the secrets behind it.
struct Fixture {
    tmp: tempfile::TempDir,
    secrets: Arc<MemorySecrets>,
}

impl Fixture {
    fn new() -> Self {
        Fixture {
            tmp: tempfile::tempdir().unwrap(),
            secrets: Arc::default(),
        }
    }

    fn dir(&self) -> DataDir {
        DataDir::new(self.tmp.path())
    }

    /// The store as another process would open it now.
    fn store(&self) -> Store {
        Store::open(self.dir(), self.secrets.clone()).unwrap().0
    }

    fn add(&self, issuer: &str, label: &str, key: &str) -> AccountId {
        let uri = OtpUri {
            issuer: (!issuer.is_empty()).then(|| issuer.to_string()),
            label: label.to_string(),
            secret: parse_setup_key(key).unwrap(),
            params: Default::default(),
        };
        self.store().add(&uri).unwrap().id
    }

    fn labels(&self) -> Vec<String> {
        let store = self.store();
        store.accounts().iter().map(|a| a.label.clone()).collect()
    }

    fn opener(&self) -> Opener {
        let (dir, secrets) = (self.dir(), self.secrets.clone());
        Arc::new(move |_| {
            let secrets: Arc<dyn SecretStore> = secrets.clone();
            Ok(Store::open(dir.clone(), secrets)?)
        })
    }

    /// The window at the fixed time `t`, with the settings saved in the data directory,
    /// once the worker has opened the store.
    fn window(&self, t: f64) -> Harness<'static, KunciApp> {
        let mut h = self.window_on(t, self.opener());
        settle(&mut h);
        h
    }

    /// The window at its first frame, opening the store with `opener`.
    fn window_on(&self, t: f64, opener: Opener) -> Harness<'static, KunciApp> {
        self.window_sized(t, opener, [440.0, 600.0])
    }

    /// The window at its first frame, `size` points large.
    fn window_sized(&self, t: f64, opener: Opener, size: [f32; 2]) -> Harness<'static, KunciApp> {
        self.window_with_clock(Arc::new(move || t), opener, size)
    }

    /// The window at its first frame, with its time from `clock`.
    fn window_with_clock(
        &self,
        clock: Clock,
        opener: Opener,
        size: [f32; 2],
    ) -> Harness<'static, KunciApp> {
        Harness::builder()
            .with_size(size)
            .build_ui_state(|ui, app: &mut KunciApp| app.ui(ui), self.app(clock, opener))
    }

    /// The app with the settings saved in the data directory (in English, no network time).
    fn app(&self, clock: Clock, opener: Opener) -> KunciApp {
        let (saved, _) = Settings::load(&self.dir());
        KunciApp::new(Setup {
            opener,
            clock,
            settings: Settings {
                auto_check_time: false,
                language: Some(Language::English),
                ..saved
            },
            data_dir: Some(self.dir()),
            notices: Vec::new(),
        })
    }

    /// 500 accounts, "user001" to "user500", spread over ten issuers ("LPSE 0" to "LPSE 9"
    /// by the number's last digit), all with [`KEY`]. Written directly: 500 adds would
    /// rewrite the file 500 times.
    fn five_hundred(&self) {
        let mut meta = Metadata::new_empty();
        let secret = parse_setup_key(KEY).unwrap();
        for n in 1..=500 {
            let account = kunci::Account {
                id: AccountId::random(),
                issuer: format!("LPSE {}", n % 10),
                label: format!("user{n:03}"),
                params: Default::default(),
                added: 0,
                note: String::new(),
                pinned: false,
            };
            let value = account.to_uri(&secret).to_uri();
            self.secrets
                .put(&meta.vault, &account.id, &value, "")
                .unwrap();
            meta.accounts.push(account);
        }
        metadata::save(&self.dir(), &meta).unwrap();
    }
}

/// A keychain that answers nothing until it is opened, as a slow one at login.
struct Gated {
    secrets: Arc<MemorySecrets>,
    open: Mutex<bool>,
    opened: Condvar,
}

impl Gated {
    fn open(&self) {
        *self.open.lock().unwrap() = true;
        self.opened.notify_all();
    }
}

impl SecretStore for Gated {
    fn put(&self, v: &str, id: &AccountId, value: &str, d: &str) -> Result<(), SecretsError> {
        self.secrets.put(v, id, value, d)
    }
    fn get(&self, vault: &str, id: &AccountId) -> Result<Option<Zeroizing<String>>, SecretsError> {
        let open = self.open.lock().unwrap();
        drop(self.opened.wait_while(open, |open| !*open).unwrap());
        self.secrets.get(vault, id)
    }
    fn delete(&self, vault: &str, id: &AccountId) -> Result<(), SecretsError> {
        self.secrets.delete(vault, id)
    }
    fn ids(&self, vault: &str) -> Result<Option<Vec<AccountId>>, SecretsError> {
        self.secrets.ids(vault)
    }
    fn lists(&self) -> Result<Option<BTreeMap<String, usize>>, SecretsError> {
        self.secrets.lists()
    }
}

/// Steps the window until `done` holds (a few seconds at most).
fn step_until(
    h: &mut Harness<'static, KunciApp>,
    done: impl Fn(&Harness<'static, KunciApp>) -> bool,
) {
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while !done(h) && std::time::Instant::now() < deadline {
        h.run_steps(1);
        std::thread::sleep(Duration::from_millis(10));
    }
    assert!(done(h), "the window did not get there in time");
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

/// A PNG of a QR code holding `text`.
fn qr_png(dir: &std::path::Path, text: &str) -> std::path::PathBuf {
    let code = qrcode::QrCode::new(text.as_bytes()).unwrap();
    let image = code
        .render::<image::Luma<u8>>()
        .module_dimensions(6, 6)
        .build();
    let path = dir.join("qr.png");
    image.save(&path).unwrap();
    path
}

fn shown_code(key: &str, t: f64) -> String {
    let code = generate(
        &parse_setup_key(key).unwrap(),
        &Default::default(),
        t as u64,
    )
    .unwrap();
    group_digits(&code)
}

fn code(key: &str, t: f64) -> String {
    shown_code(key, t).replace(' ', "")
}

/// The top of the node labelled `label`, to compare places in the list.
fn top(h: &Harness<'static, KunciApp>, label: &str) -> f32 {
    h.get_by_label(label).rect().top()
}

fn menu(h: &mut Harness<'static, KunciApp>, name: &str, item: &str) {
    h.get_by_label(&format!("More actions for {name}")).click();
    h.run_steps(2);
    h.get_by_label(item).click();
    h.run_steps(3);
}

#[test]
fn search_matches_the_note_as_you_type() {
    let f = Fixture::new();
    let id = f.add("LPSE Kota Bandung", "penyedia01", KEY);
    f.add("GitHub", "ada", KEY);
    f.store().set_note(&id, "Kantor Cimahi").unwrap();
    let mut h = f.window(MID_PERIOD);
    h.get_by_label("Kantor Cimahi");
    h.get_by_role(Role::TextInput).focus();
    h.get_by_role(Role::TextInput).type_text("c");
    h.run_steps(1);
    h.get_by_role(Role::TextInput).type_text("im");
    h.run_steps(1);
    h.get_by_label("penyedia01");
    assert!(
        h.query_by_label("ada").is_none(),
        "GitHub's account is filtered out"
    );
    h.get_by_role(Role::TextInput).type_text("x");
    h.run_steps(1);
    h.get_by_label_contains("No account matches \"cimx\"");
}

#[test]
fn alt_arrows_reorder_and_the_order_is_kept() {
    let f = Fixture::new();
    for label in ["a", "b", "c"] {
        f.add("LPSE Kota Bandung", label, KEY);
    }
    let mut h = f.window(MID_PERIOD);
    // The first account is selected; Down twice selects "c".
    h.key_press(Key::ArrowDown);
    h.run_steps(1);
    h.key_press(Key::ArrowDown);
    h.run_steps(1);
    h.key_press_modifiers(Modifiers::ALT, Key::ArrowUp);
    settle(&mut h);
    assert_eq!(f.labels(), ["a", "c", "b"]);
    assert!(top(&h, "c") < top(&h, "b"));
    // Still selected: up once more, to the top.
    h.key_press_modifiers(Modifiers::ALT, Key::ArrowUp);
    settle(&mut h);
    assert_eq!(f.labels(), ["c", "a", "b"]);
    // At the top of its group it stays.
    h.key_press_modifiers(Modifiers::ALT, Key::ArrowUp);
    settle(&mut h);
    assert_eq!(f.labels(), ["c", "a", "b"]);

    drop(h);
    let h = f.window(MID_PERIOD);
    assert!(top(&h, "c") < top(&h, "a") && top(&h, "a") < top(&h, "b"));
}

#[test]
fn dragging_a_row_onto_another_moves_it() {
    let f = Fixture::new();
    for label in ["a", "b", "c"] {
        f.add("LPSE Kota Bandung", label, KEY);
    }
    let mut h = f.window(MID_PERIOD);
    let grab = h
        .get_by_label("Drag to move LPSE Kota Bandung (c)")
        .rect()
        .center();
    let onto = h.get_by_label("a").rect().center();
    h.hover_at(grab);
    h.run_steps(1);
    h.drag_at(grab);
    h.run_steps(1);
    for step in 1..=5 {
        h.hover_at(grab + (onto - grab) * (step as f32 / 5.0));
        h.run_steps(1);
    }
    h.drop_at(onto);
    settle(&mut h);
    assert_eq!(f.labels(), ["c", "a", "b"]);
    assert!(top(&h, "c") < top(&h, "a"));
}

#[test]
fn a_pinned_account_goes_to_the_top_and_stays_there() {
    let f = Fixture::new();
    f.add("GitHub", "ada", KEY);
    f.add("LPSE Kota Bandung", "penyedia01", KEY);
    let mut h = f.window(MID_PERIOD);
    assert!(h.query_by_label("Pinned").is_none());
    menu(&mut h, "LPSE Kota Bandung (penyedia01)", "Pin to top");
    settle(&mut h);
    h.get_by_label("Pinned");
    assert!(top(&h, "Pinned") < top(&h, "LPSE Kota Bandung"));
    assert!(top(&h, "LPSE Kota Bandung") < top(&h, "GitHub"));
    let store = f.store();
    assert!(store.accounts().as_slice()[1].pinned);
    assert!(!store.accounts().as_slice()[0].pinned);

    drop(h);
    let mut h = f.window(MID_PERIOD);
    assert!(top(&h, "LPSE Kota Bandung") < top(&h, "GitHub"));
    // The same menu on a right click on the row (here on its names).
    h.get_by_label("penyedia01").click_secondary();
    h.run_steps(2);
    h.get_by_label("Unpin").click();
    h.run_steps(2);
    settle(&mut h);
    assert!(h.query_by_label("Pinned").is_none());
    assert!(!f.store().accounts().as_slice()[1].pinned);
}

#[test]
fn a_glance_at_twenty_lone_accounts_shows_eight_or_more_without_headers() {
    let f = Fixture::new();
    for i in 1..=20 {
        f.add(&format!("LPSE Kota {i}"), &format!("penyedia{i}"), KEY);
    }
    let mut h = f.window_sized(MID_PERIOD, f.opener(), DEFAULT_SIZE);
    settle(&mut h);
    // No header: each row shows its issuer and its label.
    assert!(h.query_by_label_contains("Collapse").is_none());
    h.get_by_label("LPSE Kota 1");
    h.get_by_label("penyedia1");
    // Rows wholly in view: above the clock line at the bottom of the window.
    let bottom = h
        .get_by_label("The clock has not been checked yet.")
        .rect()
        .top();
    let whole = (1..=20)
        .filter(|i| {
            h.query_by_label(&format!("Select LPSE Kota {i} (penyedia{i})"))
                .is_some_and(|row| row.rect().bottom() <= bottom)
        })
        .count();
    assert!(
        whole >= 8,
        "{whole} of 20 accounts in view in the default window"
    );
}

#[test]
fn headers_for_pinned_accounts_and_issuers_with_two_or_more() {
    let f = Fixture::new();
    f.add("GitHub", "ada", KEY);
    f.add("GitHub", "grace", KEY);
    let pinned = f.add("Google", "ada@example.com", KEY);
    f.store().set_pinned(&pinned, true).unwrap();
    f.add("LPSE Kota Bandung", "penyedia01", KEY);
    let h = f.window(MID_PERIOD);
    h.get_by_label("Collapse Pinned");
    h.get_by_label("Collapse GitHub");
    assert!(h.query_by_label("Collapse LPSE Kota Bandung").is_none());
    // Under its header a row shows its label alone; a lone account its issuer too.
    assert!(top(&h, "GitHub") < top(&h, "ada"));
    h.get_by_label("LPSE Kota Bandung");
    assert!(top(&h, "ada") < top(&h, "LPSE Kota Bandung"));
    // The pinned account shows its issuer in its row, under the Pinned header.
    assert!(top(&h, "Pinned") < top(&h, "Google"));
}

#[test]
fn a_collapsed_group_keeps_its_header_and_stays_collapsed() {
    let f = Fixture::new();
    f.add("GitHub", "ada", KEY);
    f.add("GitHub", "grace", KEY);
    f.add("LPSE Kota Bandung", "penyedia01", KEY);
    let mut h = f.window(MID_PERIOD);
    h.get_by_label("Collapse GitHub").click();
    settle(&mut h);
    assert!(h.query_by_label("ada").is_none());
    h.get_by_label("GitHub");
    h.get_by_label("Expand GitHub");
    h.get_by_label("penyedia01");
    let (saved, _) = Settings::load(&f.dir());
    assert!(saved.collapsed_groups.contains("issuer:github"));

    drop(h);
    let mut h = f.window(MID_PERIOD);
    assert!(h.query_by_label("ada").is_none());
    // A search shows every match, folded or not.
    let search = h.get_by_role(Role::TextInput);
    search.focus();
    search.type_text("ada");
    h.run_steps(2);
    h.get_by_label("ada");
}

#[test]
fn edit_changes_names_and_note() {
    let f = Fixture::new();
    f.add("GitHub", "ada", KEY);
    let mut h = f.window(MID_PERIOD);
    menu(&mut h, "GitHub (ada)", "Edit…");
    h.get_by_label("Edit account");
    let note = h.get_by_label("Note");
    note.focus();
    note.type_text("akun kantor");
    h.run_steps(2);
    h.get_by_label("Save").click();
    settle(&mut h);
    h.get_by_label("akun kantor");
    h.get_by_label(&shown_code(KEY, MID_PERIOD));
    let store = f.store();
    let account = &store.accounts().as_slice()[0];
    assert_eq!(
        (
            account.issuer.as_str(),
            account.label.as_str(),
            account.note.as_str()
        ),
        ("GitHub", "ada", "akun kantor")
    );
}

#[test]
fn reenrol_from_the_menu_replaces_the_secret_in_place() {
    let f = Fixture::new();
    f.add("LPSE Kota Bandung", "penyedia01", KEY);
    let id = f.add("LPSE Kota Bandung", "penyedia02", KEY);
    f.store().set_note(&id, "kantor").unwrap();
    let mut h = f.window(MID_PERIOD);
    assert_eq!(
        h.query_all_by_label(&shown_code(KEY, MID_PERIOD)).count(),
        2
    );
    menu(&mut h, "LPSE Kota Bandung (penyedia02)", "Re-enrol…");
    let key = "New setup key or otpauth:// link";
    h.get_by_label(key).focus();
    h.get_by_label(key).type_text("ABC8");
    h.run_steps(2);
    h.get_by_label_contains("is not a base32 letter");
    assert!(h.get_by_label("Next").accesskit_node().is_disabled());
    h.get_by_label(key).focus();
    h.key_press_modifiers(Modifiers::COMMAND, Key::A);
    h.get_by_label(key).type_text(&NEW_KEY.to_lowercase());
    h.run_steps(2);
    h.get_by_label("Next").click();
    h.run_steps(2);
    h.get_by_label("Replace the secret of LPSE Kota Bandung (penyedia02)?");
    h.get_by_label_contains(&shown_code(NEW_KEY, MID_PERIOD));
    assert_eq!(
        f.store().secret(&id).unwrap(),
        parse_setup_key(KEY).unwrap()
    );
    h.get_by_label("Re-enrol").click();
    settle(&mut h);

    h.get_by_label(&shown_code(NEW_KEY, MID_PERIOD));
    assert_eq!(
        h.query_all_by_label(&shown_code(KEY, MID_PERIOD)).count(),
        1
    );
    let store = f.store();
    assert_eq!(
        store.secret(&id).unwrap(),
        parse_setup_key(NEW_KEY).unwrap()
    );
    let labels: Vec<_> = store.accounts().iter().map(|a| a.label.as_str()).collect();
    assert_eq!(labels, ["penyedia01", "penyedia02"]);
    let account = store.accounts().get(&id).unwrap();
    assert_eq!(
        (account.issuer.as_str(), account.note.as_str()),
        ("LPSE Kota Bandung", "kantor")
    );
    assert!(top(&h, "penyedia01") < top(&h, "penyedia02"));
}

#[test]
fn near_the_end_of_a_period_both_codes_show_and_copying_asks_which() {
    let f = Fixture::new();
    f.add("GitHub", "ada", KEY);
    let mut h = f.window(NEAR_END);
    let (current, next) = (code(KEY, NEAR_END), code(KEY, NEAR_END + 3.0));
    assert_ne!(current, next);
    h.get_by_label(&group_digits(&current));
    h.get_by_label(&group_digits(&next));

    h.get_by_label(&group_digits(&current)).click();
    h.run_steps(2);
    h.get_by_label("Which code for GitHub (ada)?");
    assert_eq!(
        h.state().code_to_clear().as_deref(),
        None,
        "nothing copied before choosing"
    );
    h.get_by_label(&format!("Copy next code ({})", group_digits(&next)))
        .click();
    h.run_steps(2);
    assert_eq!(h.state().code_to_clear().as_deref(), Some(next.as_str()));
    assert!(h.query_by_label("Which code for GitHub (ada)?").is_none());

    h.key_press(Key::Enter);
    h.run_steps(2);
    h.get_by_label(&format!("Copy current code ({})", group_digits(&current)))
        .click();
    h.run_steps(2);
    assert_eq!(h.state().code_to_clear().as_deref(), Some(current.as_str()));

    // Mid-period a click copies at once.
    let mut h = f.window(MID_PERIOD);
    assert!(h.query_by_label(&shown_code(KEY, 60.0)).is_none());
    h.get_by_label(&shown_code(KEY, MID_PERIOD)).click();
    h.run_steps(2);
    assert_eq!(
        h.state().code_to_clear().as_deref(),
        Some(code(KEY, MID_PERIOD).as_str())
    );
}

/// When the next code's column goes at a new period, the row's other widgets keep their egui
/// ids: egui draws a widget it has not seen the frame before twice more (to style it), which
/// would cost every row two frames at every new code (issue 14).
#[test]
fn a_new_code_leaves_the_rows_widgets_as_they_were() {
    let f = Fixture::new();
    f.add("GitHub", "ada", KEY);
    let now = Arc::new(Mutex::new(NEAR_END));
    let clock: Clock = {
        let now = Arc::clone(&now);
        Arc::new(move || *now.lock().unwrap())
    };
    let mut h = f.window_with_clock(clock, f.opener(), [440.0, 600.0]);
    settle(&mut h);
    let (current, next) = (code(KEY, NEAR_END), code(KEY, NEAR_END + 3.0));
    let handle = h
        .get_by_label("Drag to move GitHub (ada)")
        .accesskit_node()
        .id();
    let code_button = h
        .get_by_label(&group_digits(&current))
        .accesskit_node()
        .id();
    // The next code shows in its column, beside the current one.
    assert_ne!(
        h.get_by_label(&group_digits(&next)).accesskit_node().id(),
        code_button
    );

    *now.lock().unwrap() = NEAR_END + 3.0;
    h.run_steps(2);
    assert!(h.query_by_label(&group_digits(&current)).is_none());
    assert_eq!(
        h.get_by_label(&group_digits(&next)).accesskit_node().id(),
        code_button
    );
    assert_eq!(
        h.get_by_label("Drag to move GitHub (ada)")
            .accesskit_node()
            .id(),
        handle
    );
}

#[test]
fn keys_search_select_copy_delete_and_close() {
    let f = Fixture::new();
    f.add("LPSE Kota Bandung", "a", KEY);
    f.add("LPSE Kota Bandung", "b", NEW_KEY);
    f.add("GitHub", "ada", KEY);
    let mut h = f.window(MID_PERIOD);

    h.key_press_modifiers(Modifiers::COMMAND, Key::F);
    h.run_steps(2);
    assert!(
        h.get_by_role(Role::TextInput).is_focused(),
        "Ctrl+F focuses search"
    );
    h.key_press(Key::Escape);
    h.run_steps(2);

    h.key_press(Key::ArrowDown);
    h.run_steps(1);
    h.key_press(Key::Enter);
    h.run_steps(2);
    assert_eq!(
        h.state().code_to_clear().as_deref(),
        Some(code(NEW_KEY, MID_PERIOD).as_str()),
        "Down, Enter copies the second account's code"
    );
    h.get_by_label_contains("Copied the code for LPSE Kota Bandung (b)");

    h.key_press(Key::Delete);
    h.run_steps(2);
    h.get_by_label("Delete LPSE Kota Bandung (b)?");
    h.key_press(Key::Escape);
    h.run_steps(2);
    assert!(
        h.query_by_label("Delete LPSE Kota Bandung (b)?").is_none(),
        "Esc closes"
    );
    assert_eq!(f.labels(), ["a", "b", "ada"]);

    h.key_press(Key::Delete);
    h.run_steps(2);
    h.get_by_label("Delete").click();
    settle(&mut h);
    assert_eq!(f.labels(), ["a", "ada"]);
    assert!(h.query_by_label("b").is_none());

    // A click on a row's names selects it for the keys.
    h.get_by_label("ada").click();
    h.run_steps(1);
    h.key_press(Key::Enter);
    h.run_steps(2);
    h.get_by_label_contains("Copied the code for GitHub (ada)");

    menu(&mut h, "GitHub (ada)", "Edit…");
    h.get_by_label("Edit account");
    h.key_press(Key::Escape);
    h.run_steps(2);
    assert!(
        h.query_by_label("Edit account").is_none(),
        "Esc closes the edit dialog"
    );
}

#[test]
fn five_hundred_accounts_draw_only_what_is_in_view() {
    let f = Fixture::new();
    f.five_hundred();
    let mut h = f.window(MID_PERIOD);
    let shown = h.query_all_by_label(&shown_code(KEY, MID_PERIOD)).count();
    assert!(
        (3..40).contains(&shown),
        "{shown} rows drawn: only those in view should be"
    );
    // Groups by issuer in order of their first account: "LPSE 1" (user001, user011, …) first.
    h.get_by_label("user001");
    assert!(h.query_by_label("user002").is_none());

    // A search answers in the frame after the key.
    h.get_by_role(Role::TextInput).focus();
    h.get_by_role(Role::TextInput).type_text("user25");
    h.step();
    h.get_by_label("user250");
    assert!(h.query_by_label("user001").is_none());
    h.get_by_role(Role::TextInput).focus();
    for _ in 0.."user25".len() {
        h.key_press(Key::Backspace);
    }
    h.key_press(Key::Escape);
    h.run_steps(3);
    h.get_by_label("user001");

    // Down 60 times: past the 50 accounts of "LPSE 1", the 11th of "LPSE 2" (user102), far
    // out of the first view, is selected and scrolled to.
    for _ in 0..60 {
        h.key_press(Key::ArrowDown);
        h.step();
    }
    h.run_steps(30);
    h.get_by_label("user102");
    assert!(h.query_by_label("user001").is_none(), "scrolled away");
    h.key_press(Key::Enter);
    h.run_steps(2);
    assert_eq!(
        h.state().code_to_clear().as_deref(),
        Some(code(KEY, MID_PERIOD).as_str())
    );
    h.get_by_label_contains("Copied the code for LPSE 2 (user102)");
}

#[test]
fn the_accounts_show_before_the_keychain_answers_and_codes_fill_in() {
    let f = Fixture::new();
    f.five_hundred();
    let gated = Arc::new(Gated {
        secrets: f.secrets.clone(),
        open: Mutex::new(false),
        opened: Condvar::new(),
    });
    let opener: Opener = {
        let (dir, gated) = (f.dir(), gated.clone());
        Arc::new(move |_| {
            let secrets: Arc<dyn SecretStore> = gated.clone();
            Ok(Store::open(dir.clone(), secrets)?)
        })
    };
    let mut h = f.window_on(MID_PERIOD, opener);
    let code = shown_code(KEY, MID_PERIOD);
    step_until(&mut h, |h| h.query_by_label("user001").is_some());
    assert_eq!(h.query_all_by_label(&code).count(), 0, "no secret read yet");
    h.get_by_label("LPSE 1");

    gated.open();
    step_until(&mut h, |h| h.query_all_by_label(&code).count() > 3);
    h.state_mut().wait_for_worker(Duration::from_secs(20));
}

#[test]
fn reenrol_scan_qr_puts_the_scanned_secret_into_this_account() {
    let f = Fixture::new();
    let id = f.add("LPSE Kota Bandung", "penyedia01", KEY);
    f.add("LPSE Kota Bandung", "penyedia02", KEY);
    let mut h = f.window(MID_PERIOD);
    menu(&mut h, "LPSE Kota Bandung (penyedia01)", "Re-enrol…");
    h.get_by_label("Scan QR…").click();
    h.run_steps(3);

    // A barcode under another name: scanned from the Re-enrol dialog, it is still for this
    // account (the Add dialog would open otherwise).
    let pictures = tempfile::tempdir().unwrap();
    let png = qr_png(
        pictures.path(),
        &format!("otpauth://totp/SPSE:penyedia01-baru?secret={NEW_KEY}&issuer=SPSE"),
    );
    h.input_mut().dropped_files.push(Arc::new(Dropped(png)));
    let confirm = "Replace the secret of LPSE Kota Bandung (penyedia01)?";
    step_until(&mut h, |h| h.query_by_label(confirm).is_some());
    // A new dialog is measured in its first frame and can be clicked from the next.
    h.run_steps(2);
    h.get_by_label_contains("This code is for SPSE (penyedia01-baru)");
    assert!(h.query_by_label("Add account").is_none());
    h.get_by_label("Re-enrol").click();
    settle(&mut h);

    let store = f.store();
    assert_eq!(
        store.secret(&id).unwrap(),
        parse_setup_key(NEW_KEY).unwrap()
    );
    let labels: Vec<_> = store.accounts().iter().map(|a| a.label.as_str()).collect();
    assert_eq!(labels, ["penyedia01", "penyedia02"]);
    assert_eq!(
        store.accounts().get(&id).unwrap().issuer,
        "LPSE Kota Bandung"
    );
    h.get_by_label(&shown_code(NEW_KEY, MID_PERIOD));
}

/// What egui's pass over the default window costs when only the countdowns move: 20 accounts,
/// the clock one second on per pass, as a focused window idles. A figure to profile (`perf record`), not a check:
/// `PASSES=4000 cargo test --release --bin kunci -- --ignored bench_idle_passes --nocapture`
#[test]
#[ignore]
fn bench_idle_passes() {
    use std::sync::atomic::{AtomicU64, Ordering};
    let f = Fixture::new();
    for i in 0..20 {
        f.add(&format!("LPSE Kota {i}"), &format!("penyedia{i}"), KEY);
    }
    let t = Arc::new(AtomicU64::new(40));
    let t2 = t.clone();
    let clock: Clock = Arc::new(move || t2.load(Ordering::Relaxed) as f64);
    let mut app = f.app(clock, f.opener());
    let ctx = egui::Context::default();
    let input = |time: f64| egui::RawInput {
        screen_rect: Some(egui::Rect::from_min_size(
            egui::Pos2::ZERO,
            DEFAULT_SIZE.into(),
        )),
        time: Some(time),
        ..Default::default()
    };
    let pass = |app: &mut KunciApp, time: f64| {
        let mut out = ctx.run_ui(input(time), |ui| {
            app.logic(ui.ctx());
            app.ui(ui);
        });
        out.textures_delta.clear();
        out.shapes.len()
    };
    for i in 0..5 {
        pass(&mut app, f64::from(i));
    }
    app.wait_for_worker(Duration::from_secs(20));
    for i in 5..10 {
        pass(&mut app, f64::from(i));
    }
    let n: u64 = std::env::var("PASSES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2000);
    let start = std::time::Instant::now();
    let mut shapes = 0;
    for i in 0..n {
        t.store(50 + i, Ordering::Relaxed);
        shapes = pass(&mut app, 10.0 + i as f64);
    }
    eprintln!("{:?} per pass, {shapes} shapes", start.elapsed() / n as u32);
}

/// The next code's arrival, five seconds before each new code, and the new code itself ask
/// for no frame before the next second's: each would otherwise be two more frames in every
/// row's period, a sixth of an unfocused window's frames (issue 14).
#[test]
fn the_next_code_arrives_without_extra_frames() {
    let f = Fixture::new();
    f.add("GitHub", "ada", KEY);
    let now = Arc::new(Mutex::new(50.0));
    let clock: Clock = {
        let now = Arc::clone(&now);
        Arc::new(move || *now.lock().unwrap())
    };
    let mut h = f.window_with_clock(clock, f.opener(), [440.0, 600.0]);
    settle(&mut h);
    let soon = Arc::new(Mutex::new(Vec::new()));
    h.ctx.set_request_repaint_callback({
        let soon = Arc::clone(&soon);
        move |info| {
            if info.delay < Duration::from_millis(500) {
                soon.lock().unwrap().push(info.delay);
            }
        }
    });
    let next = group_digits(&code(KEY, 60.0));
    for t in 51..=62 {
        *now.lock().unwrap() = f64::from(t);
        h.step();
        let shown = h.query_by_label(&next).is_some();
        assert_eq!(shown, t >= 55, "the next code at {t} s");
        assert_eq!(*soon.lock().unwrap(), [], "repaints asked for at {t} s");
    }
}
