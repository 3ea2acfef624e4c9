//! The app lock, the backup reminder and the automatic backups, driven through the window.
//! Secrets live in memory; the clock is the app's own and the tests move it (idle time is
//! measured on it, not on the wall clock).

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

use kunci::export::auto_backup;
use kunci::otp::OtpUri;
use kunci::settings::{Language, Settings};
use kunci::store::{DataDir, MemorySecrets, Store};

use super::lock::hash_passphrase;
use super::test_support::{settle, type_into};
use super::{KunciApp, Opener, Setup};
use crate::i18n::Localize;

/// Early in the period of RFC 6238's first test time: the code for `KEY` is 996554.
const T: f64 = 40.0;
const KEY: &str = "JBSWY3DPEHPK3PXP";
const CODE: &str = "996 554";
const PASS: &str = "kata sandi kantor";

struct Window {
    h: Harness<'static, KunciApp>,
    dir: DataDir,
    secrets: Arc<MemorySecrets>,
    /// The app's clock, in seconds; the tests move it.
    now: Arc<Mutex<f64>>,
    /// Seconds the computer slept: the app's clock went on, the monotonic one did not.
    slept: Arc<Mutex<f64>>,
    _tmp: tempfile::TempDir,
}

impl Window {
    fn advance(&mut self, seconds: f64) {
        *self.now.lock().unwrap() += seconds;
        self.h.run_steps(2);
    }

    /// Time passes with no frame drawn (the window minimised, or the computer asleep when
    /// `asleep`), then the first frame comes with a mouse move in it.
    fn come_back_after(&mut self, seconds: f64, asleep: bool) {
        *self.now.lock().unwrap() += seconds;
        if asleep {
            *self.slept.lock().unwrap() += seconds;
        }
        self.h
            .input_mut()
            .events
            .push(egui::Event::PointerMoved(egui::pos2(10.0, 10.0)));
        self.h.run_steps(2);
    }

    fn store(&self) -> Store {
        Store::open(self.dir.clone(), self.secrets.clone())
            .unwrap()
            .0
    }

    fn saved(&self) -> Settings {
        Settings::load(&self.dir).0
    }
}

/// The window on a fresh data directory, in English, with GitHub's account and the settings
/// changed by `tweak`; `before` runs on the store before the window opens it.
fn window(tweak: impl FnOnce(&mut Settings), before: impl FnOnce(&Store)) -> Window {
    let tmp = tempfile::tempdir().unwrap();
    let dir = DataDir::new(tmp.path());
    let secrets: Arc<MemorySecrets> = Arc::default();
    let (mut store, _) = Store::open(dir.clone(), secrets.clone()).unwrap();
    let uri = format!("otpauth://totp/GitHub:ada?secret={KEY}");
    store.add(&OtpUri::parse(&uri).unwrap()).unwrap();
    before(&store);
    drop(store);
    let opener_dir = dir.clone();
    let opener_secrets = secrets.clone();
    let opener: Opener =
        Arc::new(move |_| Ok(Store::open(opener_dir.clone(), opener_secrets.clone())?));
    let mut settings = Settings {
        auto_check_time: false,
        language: Some(Language::English),
        ..Settings::default()
    };
    tweak(&mut settings);
    let now = Arc::new(Mutex::new(T));
    let slept = Arc::new(Mutex::new(0.0));
    let clock_now = now.clone();
    let mut app = KunciApp::new(Setup {
        opener,
        clock: Arc::new(move || *clock_now.lock().unwrap()),
        settings,
        data_dir: Some(dir.clone()),
        notices: Vec::new(),
    });
    let (awake_now, awake_slept) = (now.clone(), slept.clone());
    app.set_monotonic_clock(Arc::new(move || {
        *awake_now.lock().unwrap() - *awake_slept.lock().unwrap()
    }));
    let mut h = Harness::builder()
        // Tall, so that nothing in the dialogs is scrolled out of the pointer's reach.
        .with_size([480.0, 1000.0])
        .build_ui_state(|ui, app: &mut KunciApp| app.ui(ui), app);
    settle(&mut h);
    Window {
        h,
        dir,
        secrets,
        now,
        slept,
        _tmp: tmp,
    }
}

/// Runs frames until `done` holds (Argon2id threads and the worker take a moment).
fn until(
    h: &mut Harness<'static, KunciApp>,
    what: &str,
    done: impl Fn(&Harness<'static, KunciApp>) -> bool,
) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !done(h) && Instant::now() < deadline {
        h.run_steps(1);
        std::thread::sleep(Duration::from_millis(20));
    }
    h.run_steps(2);
    assert!(done(h), "timed out waiting for {what}");
}

fn shows(h: &Harness<'static, KunciApp>, text: &str) -> bool {
    h.query_all_by_label_contains(text).next().is_some()
}

/// Nothing of the accounts is drawn: no code, no name.
fn codes_hidden(h: &Harness<'static, KunciApp>) -> bool {
    !shows(h, CODE) && !shows(h, "GitHub") && shows(h, "Kunci is locked")
}

fn unlock(h: &mut Harness<'static, KunciApp>, passphrase: &str) {
    type_into(h, "Lock passphrase", passphrase);
    h.get_by_label("Unlock").click();
    h.run_steps(2);
}

fn open_menu_item(h: &mut Harness<'static, KunciApp>, item: &str) {
    h.get_by_label("Menu").click();
    h.run_steps(2);
    h.get_by_label_contains(item).click();
    h.run_steps(3);
}

fn open_protection(h: &mut Harness<'static, KunciApp>) {
    open_menu_item(h, "Settings…");
    h.get_by_label("App lock and backups…").click();
    h.run_steps(6);
}

#[test]
fn a_lock_passphrase_set_in_settings_hides_the_codes_until_it_is_typed() {
    let mut w = window(|_| {}, |_| {});
    w.h.get_by_label(CODE);
    w.h.get_by_label("Menu").click();
    w.h.run_steps(2);
    assert!(
        w.h.query_by_label_contains("Lock now").is_none(),
        "no lock passphrase, no lock"
    );
    w.h.key_press(egui::Key::Escape);
    w.h.run_steps(2);

    open_protection(&mut w.h);
    type_into(&mut w.h, "New lock passphrase", PASS);
    type_into(&mut w.h, "The same passphrase again", PASS);
    w.h.get_by_label("Set lock passphrase").click();
    until(&mut w.h, "the hash", |h| {
        shows(h, "The lock passphrase is set")
    });
    settle(&mut w.h);
    let hash = w.saved().lock_passphrase_hash.expect("the hash is saved");
    assert!(hash.starts_with("$argon2id$"), "{hash}");
    let file = std::fs::read_to_string(w.dir.settings()).unwrap();
    assert!(!file.contains(PASS), "never the passphrase itself");
    w.h.get_by_label("Close").click();
    w.h.run_steps(3);

    open_menu_item(&mut w.h, "Lock now");
    assert!(codes_hidden(&w.h));

    unlock(&mut w.h, "kata sandi salah");
    until(&mut w.h, "the refusal", |h| {
        shows(h, "That is not the lock passphrase")
    });
    assert!(codes_hidden(&w.h));

    unlock(&mut w.h, PASS);
    until(&mut w.h, "the codes", |h| shows(h, CODE));
    assert!(!shows(&w.h, "Kunci is locked"));
}

#[test]
fn a_set_lock_asks_at_start_and_can_be_removed_with_the_current_passphrase() {
    let hash = hash_passphrase(PASS).unwrap();
    let mut w = window(|s| s.lock_passphrase_hash = Some(hash), |_| {});
    assert!(codes_hidden(&w.h), "locked from the start");
    unlock(&mut w.h, PASS);
    until(&mut w.h, "the codes", |h| shows(h, CODE));

    open_protection(&mut w.h);
    type_into(&mut w.h, "Current lock passphrase", "not it");
    w.h.get_by_label("Remove the lock").click();
    until(&mut w.h, "the refusal", |h| {
        shows(h, "The current lock passphrase is not right")
    });
    type_into(&mut w.h, "Current lock passphrase", PASS);
    w.h.get_by_label("Remove the lock").click();
    until(&mut w.h, "the removal", |h| {
        shows(h, "The app lock is removed")
    });
    settle(&mut w.h);
    assert_eq!(w.saved().lock_passphrase_hash, None);
}

#[test]
fn the_window_locks_after_the_idle_minutes_on_the_apps_clock() {
    let hash = hash_passphrase(PASS).unwrap();
    let mut w = window(
        |s| {
            s.lock_passphrase_hash = Some(hash);
            s.lock_idle_minutes = Some(5);
        },
        |_| {},
    );
    unlock(&mut w.h, PASS);
    until(&mut w.h, "the codes", |h| shows(h, "GitHub"));

    w.advance(4.0 * 60.0);
    assert!(shows(&w.h, "GitHub"), "4 minutes idle: still open");
    // Input at minute 4 starts the wait again.
    w.h.input_mut()
        .events
        .push(egui::Event::PointerMoved(egui::pos2(10.0, 10.0)));
    w.h.run_steps(2);
    w.advance(2.0 * 60.0);
    assert!(
        shows(&w.h, "GitHub"),
        "2 minutes after the input: still open"
    );
    w.advance(3.0 * 60.0 + 1.0);
    assert!(codes_hidden(&w.h), "5 minutes after the input: locked");
}

/// Before: the input of the first frame after a long gap counted as activity before the
/// deadline was checked, so moving the mouse after the window had been minimised for longer
/// than the idle delay showed live codes.
#[test]
fn input_after_a_long_gap_does_not_keep_the_window_open() {
    let hash = hash_passphrase(PASS).unwrap();
    let mut w = window(
        |s| {
            s.lock_passphrase_hash = Some(hash);
            s.lock_idle_minutes = Some(5);
        },
        |_| {},
    );
    unlock(&mut w.h, PASS);
    until(&mut w.h, "the codes", |h| shows(h, "GitHub"));
    w.come_back_after(10.0 * 60.0, false);
    assert!(
        codes_hidden(&w.h),
        "10 minutes minimised, then a mouse move: locked"
    );
}

/// A suspend shorter than the idle delay still locks: on waking, whoever is at the desk may
/// not be who left it. Before, the wake went unnoticed.
#[test]
fn the_window_locks_when_the_computer_wakes() {
    let hash = hash_passphrase(PASS).unwrap();
    let mut w = window(
        |s| {
            s.lock_passphrase_hash = Some(hash);
            // Only at start and on "Lock now": the wake alone must lock.
            s.lock_idle_minutes = None;
        },
        |_| {},
    );
    unlock(&mut w.h, PASS);
    until(&mut w.h, "the codes", |h| shows(h, "GitHub"));
    w.advance(20.0);
    assert!(shows(&w.h, "GitHub"), "awake: still open");
    w.come_back_after(60.0, true);
    assert!(
        codes_hidden(&w.h),
        "asleep for a minute, then a mouse move: locked"
    );
}

/// The lock's file cannot be read: a lock may have been set, so the window stays locked
/// (fail closed), says why and what to do, and offers no passphrase field that could never
/// work.
#[test]
fn an_unreadable_lock_file_keeps_the_window_locked() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = DataDir::new(tmp.path());
    let locked = Settings {
        lock_passphrase_hash: Some(hash_passphrase(PASS).unwrap()),
        ..Settings::default()
    };
    locked.save(&dir).unwrap();
    std::fs::write(dir.root().join(kunci::settings::LOCK_FILE), b"damaged").unwrap();
    let (settings, problem) = Settings::load(&dir);
    assert!(settings.has_lock());
    let mut w = window(
        |s| {
            s.lock_passphrase_hash = None;
            s.lock_unreadable = settings.lock_unreadable.clone();
        },
        |_| {},
    );
    w.h.state_mut()
        .add_notice(problem.map(|p| p.localize(Language::English)).unwrap());
    w.h.run_steps(3);
    assert!(codes_hidden(&w.h));
    assert!(shows(&w.h, "cannot check the lock's passphrase"));
    assert!(w.h.query_by_label("Lock passphrase").is_none());
}

#[test]
fn locking_clears_our_code_from_the_clipboard() {
    let hash = hash_passphrase(PASS).unwrap();
    let mut w = window(
        |s| {
            s.lock_passphrase_hash = Some(hash);
            // Even a code set to stay on the clipboard goes when the window locks.
            s.clipboard_clear_seconds = None;
        },
        |_| {},
    );
    unlock(&mut w.h, PASS);
    until(&mut w.h, "the codes", |h| shows(h, CODE));
    w.h.get_by_label(CODE).click();
    w.h.run_steps(2);
    assert_eq!(w.h.state().copied_code().as_deref(), Some("996554"));

    w.h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::L);
    w.h.run_steps(2);
    assert!(codes_hidden(&w.h), "Ctrl+L locks");
    assert_eq!(w.h.state().copied_code(), None, "the clear was sent");
}

/// Adds an account through the Add dialog.
fn add(w: &mut Window, issuer: &str, name: &str) {
    w.h.get_by_label("+ Add").click();
    w.h.run_steps(3);
    type_into(&mut w.h, "Setup key or otpauth:// link", KEY);
    type_into(&mut w.h, "Issuer (e.g. LPSE Kota Bandung)", issuer);
    type_into(&mut w.h, "Account name (e.g. your user name)", name);
    w.h.get_by_label("Add").click();
    settle(&mut w.h);
    w.h.get_by_label(issuer);
}

#[test]
fn the_reminder_counts_new_accounts_and_comes_back_after_another_add() {
    let mut w = window(|s| s.last_backup = Some(1), |_| {});
    w.h.get_by_label("1 account is not in any backup yet.");
    w.h.get_by_label("Not now").click();
    settle(&mut w.h);
    assert!(!shows(&w.h, "not in any backup"));
    assert_eq!(w.saved().backup_reminder_dismissed.len(), 1);

    add(&mut w, "LPSE Kota Bandung", "penyedia01");
    w.h.get_by_label("2 accounts are not in any backup yet.");
    w.h.get_by_label("Back up now").click();
    w.h.run_steps(3);
    w.h.get_by_label("Back up or export accounts");
}

#[test]
fn no_reminder_when_turned_off_or_backed_up() {
    let w = window(
        |s| {
            s.last_backup = Some(1);
            s.backup_reminder = false;
        },
        |_| {},
    );
    assert!(!shows(&w.h, "not in any backup"));
    let w = window(|s| s.last_backup = Some(i64::MAX), |_| {});
    assert!(!shows(&w.h, "not in any backup"));
}

fn backups_in(folder: &Path) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(folder)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(auto_backup::is_backup_name)
        })
        .collect();
    found.sort();
    found
}

#[test]
fn after_an_add_an_automatic_backup_appears_and_old_ones_are_pruned() {
    let folder = tempfile::tempdir().unwrap();
    // Two older backups of ours and a file of the user's.
    for old in [
        "kunci-backup-20200101-000000.kunci",
        "kunci-backup-20210101-000000.kunci",
    ] {
        std::fs::write(folder.path().join(old), b"old").unwrap();
    }
    std::fs::write(folder.path().join("catatan.txt"), b"mine").unwrap();
    let to = folder.path().to_path_buf();
    let mut w = window(
        |s| {
            s.auto_backup_folder = Some(to);
            s.auto_backup_keep = 2;
            s.last_backup = Some(1);
        },
        |store| {
            store
                .set_backup_passphrase(Some("cadangan otomatis"))
                .unwrap()
        },
    );
    assert_eq!(backups_in(folder.path()).len(), 2, "opening is no change");

    add(&mut w, "LPSE Kota Bandung", "penyedia01");
    until(&mut w.h, "the automatic backup", |h| {
        !shows(h, "not in any backup")
    });
    let backups = backups_in(folder.path());
    assert_eq!(backups.len(), 2, "{backups:?}");
    assert!(backups[0].ends_with("kunci-backup-20210101-000000.kunci"));
    let opened =
        kunci::import::kunci::open(&std::fs::read(&backups[1]).unwrap(), "cadangan otomatis")
            .unwrap();
    let mut names: Vec<String> = opened
        .accounts
        .iter()
        .map(|u| format!("{}:{}", u.issuer.clone().unwrap_or_default(), u.label))
        .collect();
    names.sort();
    assert_eq!(names, ["GitHub:ada", "LPSE Kota Bandung:penyedia01"]);
    assert_eq!(
        std::fs::read(folder.path().join("catatan.txt")).unwrap(),
        b"mine"
    );
    assert!(w.saved().last_backup.is_some_and(|at| at > 1));

    // Turned off in Settings: the passphrase leaves the keychain.
    open_protection(&mut w.h);
    w.h.get_by_label("Turn off automatic backups").click();
    settle(&mut w.h);
    assert_eq!(w.saved().auto_backup_folder, None);
    assert!(w.store().backup_passphrase().unwrap().is_none());
}

#[test]
fn a_backup_that_cannot_be_written_says_why() {
    let tmp = tempfile::tempdir().unwrap();
    // A file where the folder should be: nothing can be written "in" it.
    let not_a_folder = tmp.path().join("flashdisk");
    std::fs::write(&not_a_folder, b"").unwrap();
    let mut w = window(
        |s| s.auto_backup_folder = Some(not_a_folder),
        |store| {
            store
                .set_backup_passphrase(Some("cadangan otomatis"))
                .unwrap()
        },
    );
    add(&mut w, "LPSE Kota Bandung", "penyedia01");
    until(&mut w.h, "the notice", |h| {
        shows(h, "The automatic backup was not written")
    });
    assert_eq!(w.saved().last_backup, None);

    // Without a stored passphrase: the notice says how to fix it.
    let folder = tempfile::tempdir().unwrap();
    let to = folder.path().to_path_buf();
    let mut w = window(|s| s.auto_backup_folder = Some(to), |_| {});
    add(&mut w, "LPSE Kota Bandung", "penyedia01");
    until(&mut w.h, "the notice", |h| {
        shows(h, "its passphrase is missing from the keychain")
    });
    assert!(backups_in(folder.path()).is_empty());
}

#[test]
fn the_lock_screen_speaks_indonesian() {
    let hash = hash_passphrase(PASS).unwrap();
    let w = window(
        |s| {
            s.lock_passphrase_hash = Some(hash);
            s.language = Some(Language::Indonesian);
        },
        |_| {},
    );
    w.h.get_by_label("Kunci sedang terkunci");
    w.h.get_by_label("Kata sandi kunci aplikasi");
    w.h.get_by_label("Buka kunci");
    assert!(!shows(&w.h, CODE));
}
