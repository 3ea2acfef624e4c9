//! Import, back up / export and QR codes, driven through the window with a fixed clock and
//! the project's own export files in `tests/data/import`. Secrets live in memory here: these
//! tests are about the window, not the keychain. The QR codes on screen are read back by
//! Kunci's own decoder and by zbarimg (a peer, installed by scripts/test).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use egui::accesskit::Toggled;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};

use kunci::otp::{OtpUri, migration};
use kunci::settings::{Language, Settings};
use kunci::store::{DataDir, MemorySecrets, Store};

use super::qr_view::QrView;
use super::test_support::settle;
use super::{KunciApp, Opener, Setup};
use crate::i18n::Localize;

const T: f64 = 40.0;

struct Window {
    h: Harness<'static, KunciApp>,
    dir: DataDir,
    secrets: Arc<MemorySecrets>,
    tmp: tempfile::TempDir,
}

impl Window {
    /// The window on a fresh data directory, in English, with `accounts` added first.
    fn new(accounts: &[OtpUri]) -> Window {
        Window::speaking(accounts, Language::English)
    }

    fn speaking(accounts: &[OtpUri], language: Language) -> Window {
        Window::prepared(accounts, language, |_| {})
    }

    /// [`Window::speaking`], with `prepare` run on the store before the window opens it.
    fn prepared(
        accounts: &[OtpUri],
        language: Language,
        prepare: impl FnOnce(&mut Store),
    ) -> Window {
        let tmp = tempfile::tempdir().unwrap();
        let dir = DataDir::new(tmp.path().join("data"));
        let secrets: Arc<MemorySecrets> = Arc::default();
        let (mut store, _) = Store::open(dir.clone(), secrets.clone()).unwrap();
        for uri in accounts {
            store.add(uri).unwrap();
        }
        prepare(&mut store);
        drop(store);
        let (opener_dir, opener_secrets) = (dir.clone(), secrets.clone());
        let opener: Opener =
            Arc::new(move |_| Ok(Store::open(opener_dir.clone(), opener_secrets.clone())?));
        let app = KunciApp::new(Setup {
            opener,
            clock: Arc::new(|| T),
            settings: Settings {
                auto_check_time: false,
                language: Some(language),
                ..Settings::default()
            },
            data_dir: Some(dir.clone()),
            notices: Vec::new(),
        });
        let mut h = Harness::builder()
            .with_size([520.0, 720.0])
            .build_ui_state(|ui, app: &mut KunciApp| app.ui(ui), app);
        settle(&mut h);
        Window {
            h,
            dir,
            secrets,
            tmp,
        }
    }

    /// Every account in the store, as otpauth links (secrets included), sorted.
    /// Every account's label, note and pin, in list order.
    fn made(&self) -> Vec<(String, String, bool)> {
        let (store, _) = Store::open(self.dir.clone(), self.secrets.clone()).unwrap();
        store
            .accounts()
            .iter()
            .map(|a| (a.label.clone(), a.note.clone(), a.pinned))
            .collect()
    }

    fn accounts(&self) -> BTreeSet<String> {
        let (store, _) = Store::open(self.dir.clone(), self.secrets.clone()).unwrap();
        store
            .accounts()
            .iter()
            .map(|a| a.to_uri(&store.secret(&a.id).unwrap()).to_uri().to_string())
            .collect()
    }

    fn menu_item(&mut self, item: &str) {
        self.h.get_by_label("Menu").click();
        self.h.run_steps(2);
        self.h.get_by_label(item).click();
        self.h.run_steps(3);
    }

    fn drop_file(&mut self, path: &Path) {
        self.h
            .input_mut()
            .dropped_files
            .push(Arc::new(Dropped(path.to_path_buf())));
        self.h.run_steps(2);
    }

    fn type_into(&mut self, field: &str, text: &str) {
        self.h.get_by_label(field).focus();
        self.h.get_by_label(field).type_text(text);
        self.h.run_steps(2);
    }

    /// Runs frames until a node whose label contains `label` shows (threads take a moment).
    fn wait_for(&mut self, label: &str) {
        let start = Instant::now();
        while self.h.query_by_label_contains(label).is_none() {
            assert!(
                start.elapsed() < Duration::from_secs(60),
                "{label:?} never showed"
            );
            std::thread::sleep(Duration::from_millis(20));
            self.h.state_mut().wait_for_worker(Duration::from_secs(20));
            self.h.run_steps(1);
        }
        self.h.run_steps(2);
    }

    fn ticked(&self, label: &str) -> bool {
        self.h.get_by_label(label).accesskit_node().toggled() == Some(Toggled::True)
    }

    fn disabled(&self, label: &str) -> bool {
        self.h.get_by_label(label).accesskit_node().is_disabled()
    }
}

#[derive(Debug)]
struct Dropped(PathBuf);

impl egui::DroppedFile for Dropped {
    fn path(&self) -> &Path {
        &self.0
    }
    fn bytes(&self) -> Result<Vec<u8>, String> {
        std::fs::read(&self.0).map_err(|e| e.to_string())
    }
}

/// One of the project's export fixtures (`tests/data/import/README.md` says what each holds).
fn sample(name: &str) -> PathBuf {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/import")
        .join(name);
    assert!(path.exists(), "{} is missing", path.display());
    path
}

/// The password of the encrypted fixtures.
const SAMPLE_PASSWORD: &str = "kunci-test";

/// What the library reads from a sample: the accounts and the skip reasons.
fn read_sample(name: &str, password: Option<&str>) -> kunci::import::Imported {
    let bytes = std::fs::read(sample(name)).unwrap();
    kunci::import::import_file(&bytes, password).unwrap().1
}

fn links(uris: &[OtpUri]) -> BTreeSet<String> {
    uris.iter().map(|u| u.to_uri().to_string()).collect()
}

fn uri(text: &str) -> OtpUri {
    OtpUri::parse(text).unwrap()
}

/// The texts in a QR code on screen, read by Kunci's decoder and by zbarimg; both must agree.
fn read_qr(view: &QrView, dir: &Path) -> String {
    let image = view.to_image(4);
    let ours: Vec<String> = kunci::scan::decode::decode(&image)
        .into_iter()
        .map(|f| f.text)
        .collect();
    assert_eq!(ours.len(), 1, "Kunci's decoder found {ours:?}");
    let png = dir.join("shown-qr.png");
    image.save(&png).unwrap();
    let out = std::process::Command::new("zbarimg")
        .args(["--quiet", "--raw", "-Sdisable", "-Sqrcode.enable"])
        .arg(&png)
        .output()
        .expect("zbarimg (zbar-tools) is needed: run the tests through scripts/test");
    assert!(out.status.success(), "zbarimg read nothing");
    let zbar = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        zbar.trim_end_matches('\n'),
        ours[0],
        "zbarimg and Kunci differ"
    );
    ours[0].clone()
}

#[test]
fn an_encrypted_aegis_file_asks_for_its_password_and_adds_only_the_ticked_accounts() {
    let mut w = Window::new(&[]);
    let expected = read_sample("aegis_encrypted.json", Some(SAMPLE_PASSWORD));
    assert!(expected.accounts.len() >= 3 && !expected.skipped.is_empty());

    w.drop_file(&sample("aegis_encrypted.json"));
    w.wait_for("This Aegis file is encrypted");
    let field = "This Aegis file is encrypted. Its password:";
    w.type_into(field, "not it");
    w.h.get_by_label("Open").click();
    w.wait_for("That is not the password of this Aegis file");
    assert!(w.accounts().is_empty());

    w.type_into(field, SAMPLE_PASSWORD);
    w.h.key_press(egui::Key::Enter);
    w.wait_for("accounts found");
    for uri in &expected.accounts {
        assert!(w.ticked(&uri.display_name()), "{}", uri.display_name());
    }
    // The entry that cannot be used (Steam) is listed with its reason.
    for why in &expected.skipped {
        w.h.get_by_label_contains(&why.localize(Language::English));
    }

    let left_out = &expected.accounts[1];
    w.h.get_by_label(&left_out.display_name()).click();
    w.h.run_steps(2);
    assert!(!w.ticked(&left_out.display_name()));
    let others: Vec<OtpUri> = expected
        .accounts
        .iter()
        .filter(|u| *u != left_out)
        .cloned()
        .collect();
    w.h.get_by_label(&format!("Import {} accounts", others.len()))
        .click();
    settle(&mut w.h);
    assert_eq!(w.accounts(), links(&others));
    assert!(w.h.query_by_label("Import accounts").is_none());
}

#[test]
fn accounts_already_in_kunci_are_shown_unticked_and_never_replaced() {
    let expected = read_sample("uris.txt", None);
    let same = expected.accounts[0].clone();
    let mut renewed = expected.accounts[1].clone();
    renewed.secret = kunci::otp::Secret::from_bytes(vec![7; 20]);
    let mut w = Window::new(&[same.clone(), renewed.clone()]);

    w.drop_file(&sample("uris.txt"));
    w.wait_for("accounts found");
    let there = format!("{} — already in Kunci", same.display_name());
    let other = format!(
        "{} — already in Kunci with another secret",
        renewed.display_name()
    );
    assert!(!w.ticked(&there) && w.disabled(&there));
    assert!(!w.ticked(&other) && w.disabled(&other));
    let new = &expected.accounts[2..];
    assert!(new.iter().all(|u| w.ticked(&u.display_name())));

    w.h.get_by_label(&format!("Import {} accounts", new.len()))
        .click();
    settle(&mut w.h);
    let mut all = vec![same, renewed];
    all.extend_from_slice(new);
    assert_eq!(w.accounts(), links(&all), "the renewed secret was kept");
}

#[test]
fn a_file_that_is_not_an_export_says_so() {
    let mut w = Window::new(&[]);
    let path = w.tmp.path().join("notes.txt");
    std::fs::write(&path, "just some notes").unwrap();
    w.drop_file(&path);
    w.wait_for("unknown file format");
    assert!(w.accounts().is_empty());
}

fn some_accounts() -> Vec<OtpUri> {
    vec![
        uri("otpauth://totp/LPSE%20Kota%20Bandung:penyedia01?secret=JBSWY3DPEHPK3PXP"),
        uri(
            "otpauth://totp/GitHub:ada?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&algorithm=SHA256&digits=8",
        ),
        uri(
            "otpauth://hotp/Bank:budi?secret=KRUGKIDROVUWG2ZAMJZG653OEBTG66BANJ2W24DTEBXXMZLS&counter=7",
        ),
    ]
}

#[test]
fn a_kunci_backup_is_saved_recorded_and_restores_the_same_accounts() {
    let accounts = some_accounts();
    // Notes, a pin and an order of the user's own: the backup keeps them.
    let mut w = Window::prepared(&accounts, Language::English, |store| {
        let ids: Vec<_> = store.accounts().iter().map(|a| a.id.clone()).collect();
        store.set_note(&ids[0], "kantor cabang").unwrap();
        store.set_pinned(&ids[1], true).unwrap();
        store.move_account(&ids[2], 0).unwrap();
    });
    let made = w.made();
    w.menu_item("Back up / export…");
    assert!(w.h.get_by_label("Save…").accesskit_node().is_disabled());
    w.type_into("Passphrase for the backup:", "kuda baterai staples benar");
    w.type_into("The same passphrase again:", "kuda baterai staples");
    w.h.get_by_label_contains("The two passphrases differ");
    assert!(w.h.get_by_label("Save…").accesskit_node().is_disabled());
    w.type_into("The same passphrase again:", " benar");
    let file = w.tmp.path().join("backup.json");
    w.h.state_mut().export_dialog().unwrap().save_to = Some(file.clone());
    w.h.get_by_label("Save…").click();
    w.wait_for("Backup of 3 accounts saved");
    let (settings, _) = Settings::load(&w.dir);
    assert_eq!(settings.last_backup, Some(T as i64));
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.contains("kunci_backup") && !text.contains("JBSWY3DPEHPK3PXP"));

    // Restored on another computer: the same accounts, counters included.
    let mut other = Window::new(&[]);
    other.drop_file(&file);
    other.wait_for("This Kunci backup file is encrypted");
    other.type_into(
        "This Kunci backup file is encrypted. Its password:",
        "kuda baterai staples benar",
    );
    other.h.get_by_label("Open").click();
    other.wait_for("accounts found");
    other.h.get_by_label("Import 3 accounts").click();
    settle(&mut other.h);
    assert_eq!(other.accounts(), links(&accounts));
    assert_eq!(other.made(), made, "notes, pins and order come back");
}

#[test]
fn an_unencrypted_export_needs_the_acknowledgement() {
    let accounts = some_accounts();
    let mut w = Window::new(&accounts);
    w.menu_item("Back up / export…");
    w.h.get_by_label("List of otpauth:// links (NOT encrypted)")
        .click();
    w.h.run_steps(2);
    w.h.get_by_label_contains("This file is NOT encrypted");
    assert!(w.h.get_by_label("Save…").accesskit_node().is_disabled());
    w.h.get_by_label("I understand that this file is not encrypted")
        .click();
    w.h.run_steps(2);
    let file = w.tmp.path().join("links.txt");
    w.h.state_mut().export_dialog().unwrap().save_to = Some(file.clone());
    w.h.get_by_label("Save…").click();
    w.wait_for("3 accounts exported to");
    let text = std::fs::read_to_string(&file).unwrap();
    assert_eq!(
        text.as_str(),
        kunci::import::uris::write(&accounts).as_str()
    );
    assert_eq!(
        Settings::load(&w.dir).0.last_backup,
        None,
        "an unencrypted export is not a backup"
    );
}

#[test]
fn an_accounts_qr_code_is_hidden_until_asked_and_holds_its_link() {
    let account = some_accounts().remove(0);
    let mut w = Window::new(std::slice::from_ref(&account));
    w.h.get_by_label("More actions for LPSE Kota Bandung (penyedia01)")
        .click();
    w.h.run_steps(2);
    w.h.get_by_label("Show QR code…").click();
    w.h.run_steps(3);
    w.h.get_by_label_contains("Anyone who sees this QR code");
    assert!(w.h.state().qr_codes_shown().is_empty(), "hidden at first");
    w.h.get_by_label("Show").click();
    w.h.run_steps(2);
    w.h.get_by_label_contains("penyedia01), for scanning with an authenticator app");
    let shown = w.h.state().qr_codes_shown();
    assert_eq!(shown.len(), 1);
    assert_eq!(read_qr(shown[0], w.tmp.path()), *account.to_uri());
}

#[test]
fn google_authenticator_codes_are_batched_and_read_back_to_every_account() {
    let mut accounts: Vec<OtpUri> = (0..23)
        .map(|i| {
            let mut u = some_accounts().remove(i % 2);
            u.label = format!("user{i:02}@example.id");
            u.secret = kunci::otp::Secret::from_bytes((0..20).map(|b| b ^ i as u8).collect());
            u
        })
        .collect();
    // A 60-second account would come out different: unticked, and said so.
    let slow = uri("otpauth://totp/Slow:sixty?secret=JBSWY3DPEHPK3PXP&period=60");
    accounts.push(slow.clone());
    let mut w = Window::new(&accounts);
    w.menu_item("Back up / export…");
    w.h.get_by_label("QR codes for Google Authenticator, on screen")
        .click();
    w.h.run_steps(2);
    w.h.get_by_label("Choose accounts…").click();
    w.h.run_steps(3);
    let slow_label =
        "Slow (sixty) — its codes change every 60 seconds; Google Authenticator would use 30";
    assert!(!w.ticked(slow_label));
    w.h.get_by_label("Show 3 QR code(s) for 23 account(s)")
        .click();
    w.h.run_steps(2);
    w.h.get_by_label("QR code 1 of 3");
    w.h.get_by_label("Next").click();
    w.h.run_steps(2);
    w.h.get_by_label("QR code 2 of 3");
    w.h.get_by_label("Google Authenticator export, code 2 of 3");

    let mut read = Vec::new();
    let mut batches = BTreeSet::new();
    for view in w.h.state().qr_codes_shown() {
        let batch = migration::parse(&read_qr(view, w.tmp.path())).unwrap();
        assert!(batch.accounts.len() <= migration::ACCOUNTS_PER_QR);
        assert!(batch.skipped.is_empty());
        assert_eq!(batch.batch_size, 3);
        batches.insert(batch.batch_index);
        read.extend(batch.accounts);
    }
    assert_eq!(batches, BTreeSet::from([0, 1, 2]));
    let wanted: Vec<OtpUri> = accounts.into_iter().filter(|u| *u != slow).collect();
    assert_eq!(links(&read), links(&wanted));
}

/// Every word of these dialogs in Bahasa Indonesia draws (a missing glyph would panic).
#[test]
fn the_dialogs_speak_indonesian() {
    let accounts = read_sample("uris.txt", None).accounts;
    let mut w = Window::speaking(&accounts[..2], Language::Indonesian);
    w.drop_file(&sample("uris.txt"));
    w.wait_for("akun ditemukan");
    assert_eq!(
        w.h.query_all_by_label_contains("— sudah ada di Kunci")
            .count(),
        2
    );
    w.h.get_by_label_contains("Tidak bisa dibaca");
    w.h.get_by_label("Batal").click();
    w.h.run_steps(2);

    w.menu_item("Cadangkan / ekspor…");
    w.h.get_by_label_contains("Cadangan Kunci, terenkripsi");
    w.h.get_by_label("Daftar tautan otpauth:// (TIDAK terenkripsi)")
        .click();
    w.h.run_steps(2);
    w.h.get_by_label_contains("Berkas ini TIDAK terenkripsi");
    w.h.get_by_label("Kode QR untuk Google Authenticator, di layar")
        .click();
    w.h.run_steps(2);
    w.h.get_by_label("Pilih akun…").click();
    w.h.run_steps(3);
    w.h.get_by_label_contains("akun (1 kode QR)").click();
    w.h.run_steps(2);
    w.h.get_by_label("Kode QR 1 dari 1");
}
