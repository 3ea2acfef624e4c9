//! Moving the secrets between the keychain and the encrypted vault file through the window
//! (Settings, "Where secrets are kept"): into the vault, a restart that asks for its
//! passphrase, and back. The keychain is the real one: run these through scripts/with-keyring
//! (scripts/test does).

use std::sync::Arc;
use std::time::Duration;

use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use kunci::otp::OtpUri;
use kunci::settings::{Language, Settings};
use kunci::store::{DataDir, Keychain, SecretStore, Store, Vault};

use super::test_support::{type_into, wait_for};
use super::{KunciApp, Opener, Setup};

/// Early in the period of RFC 6238's first test time: the code for `KEY` is 996554.
const T: f64 = 40.0;
const KEY: &str = "JBSWY3DPEHPK3PXP";
const CODE: &str = "996 554";
const PASSPHRASE: &str = "kuda baterai staples benar";
const BACKUP_PASSPHRASE: &str = "kata sandi cadangan otomatis";
/// The secret of an account added after the move.
const OTHER_KEY: &str = "GEZDGNBVGY3TQOJQ";

/// What `default_opener` does, on `dir`.
fn opener(dir: DataDir) -> Opener {
    Arc::new(move |vault| Store::open_where_kept(dir.clone(), vault))
}

fn keychain() -> Arc<Keychain> {
    Arc::new(Keychain::connect().expect("a keychain: run the tests through scripts/with-keyring"))
}

/// A data directory with GitHub's account, its secret in the keychain, and a passphrase for
/// the automatic backups.
fn accounts_in_keychain() -> (tempfile::TempDir, DataDir) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = DataDir::new(tmp.path());
    let (mut store, _) = Store::open(dir.clone(), keychain()).unwrap();
    let uri = format!("otpauth://totp/GitHub:ada?secret={KEY}");
    store.add(&OtpUri::parse(&uri).unwrap()).unwrap();
    store
        .set_backup_passphrase(Some(BACKUP_PASSPHRASE))
        .unwrap();
    (tmp, dir)
}

fn window(dir: &DataDir) -> Harness<'static, KunciApp> {
    window_in(dir, Language::English)
}

fn window_in(dir: &DataDir, lang: Language) -> Harness<'static, KunciApp> {
    let app = KunciApp::new(Setup {
        opener: opener(dir.clone()),
        clock: Arc::new(|| T),
        settings: Settings {
            auto_check_time: false,
            language: Some(lang),
            ..Settings::default()
        },
        data_dir: Some(dir.clone()),
        notices: Vec::new(),
    });
    let mut h = Harness::builder()
        // Tall, so that nothing in the dialogs is scrolled out of the pointer's reach.
        .with_size([480.0, 1000.0])
        .build_ui_state(|ui, app: &mut KunciApp| app.ui(ui), app);
    h.run_steps(2);
    h.state_mut().wait_for_worker(Duration::from_secs(20));
    h.run_steps(3);
    h
}

fn click(h: &mut Harness<'static, KunciApp>, label: &str) {
    h.get_by_label(label).click();
    h.run_steps(4);
}

fn open_settings(h: &mut Harness<'static, KunciApp>) {
    open_settings_in(h, Language::English);
}

fn open_settings_in(h: &mut Harness<'static, KunciApp>, lang: Language) {
    click(h, &tr!(lang, "menu.button"));
    h.get_by_label_contains(&tr!(lang, "menu.settings")).click();
    h.run_steps(3);
}

/// What the keychain holds for `dir`: the secret of each account, and the automatic backups'
/// passphrase.
fn in_keychain(dir: &DataDir) -> (Vec<Option<String>>, Option<String>) {
    in_store(dir, keychain())
}

/// What `secrets` holds for `dir`: the secret of each account, and the automatic backups'
/// passphrase.
fn in_store(dir: &DataDir, secrets: Arc<dyn SecretStore>) -> (Vec<Option<String>>, Option<String>) {
    let (store, _) = Store::open(dir.clone(), secrets).unwrap();
    let secrets = store
        .accounts()
        .iter()
        .map(|a| store.secret(&a.id).ok().map(|s| s.to_base32().to_string()))
        .collect();
    let backup = store.backup_passphrase().unwrap().map(|p| p.to_string());
    (secrets, backup)
}

/// Adds Bank's account through the Add dialog.
fn add_bank(h: &mut Harness<'static, KunciApp>) {
    click(h, "+ Add");
    type_into(h, "Setup key or otpauth:// link", OTHER_KEY);
    type_into(h, "Issuer (e.g. LPSE Kota Bandung)", "Bank");
    type_into(h, "Account name (e.g. your user name)", "nasabah7");
    click(h, "Add");
    wait_for(h, "More actions for Bank (nasabah7)");
}

#[test]
fn the_secrets_move_into_the_vault_and_back_through_settings() {
    let (_tmp, dir) = accounts_in_keychain();
    let mut h = window(&dir);
    h.get_by_label(CODE);

    open_settings(&mut h);
    wait_for(&mut h, "In this computer's keychain");
    click(&mut h, "Move to an encrypted vault file…");
    h.get_by_label_contains("If you forget this passphrase, the accounts are lost");
    type_into(&mut h, "New passphrase for the vault", PASSPHRASE);
    h.get_by_label("Strong.");
    let (start, rest) = PASSPHRASE.split_at(4);
    type_into(&mut h, "The same passphrase again", start);
    h.get_by_label_contains("two passphrases differ");
    assert!(
        h.get_by_label("Move to the vault")
            .accesskit_node()
            .is_disabled(),
        "not with two different passphrases"
    );
    type_into(&mut h, "The same passphrase again", rest);
    click(&mut h, "Move to the vault");
    wait_for(&mut h, "1 account(s) moved into the encrypted vault");

    assert!(Vault::exists(&dir), "the vault file is the choice now");
    assert_eq!(
        in_keychain(&dir),
        (vec![None], None),
        "nothing is left in the keychain"
    );
    let vault = Arc::new(Vault::unlock(&dir, PASSPHRASE).expect("the vault opens"));
    let (secrets, backup) = in_store(&dir, vault.clone());
    assert_eq!(secrets, [Some(KEY.to_string())]);
    assert_eq!(
        backup.as_deref(),
        Some(BACKUP_PASSPHRASE),
        "the automatic backups' passphrase moved along"
    );
    click(&mut h, "Close");
    h.get_by_label(CODE);
    // The window's store is on the vault now: what it adds goes there, not to the keychain.
    add_bank(&mut h);
    let both = vec![Some(KEY.to_string()), Some(OTHER_KEY.to_string())];
    assert_eq!(in_store(&dir, vault).0, both);
    assert_eq!(in_keychain(&dir).0, [None, None]);
    drop(h);

    // As after a restart: the vault is locked, and only its passphrase opens it.
    let mut h = window(&dir);
    h.get_by_label("Unlock the encrypted vault");
    assert!(h.query_by_label(CODE).is_none());
    type_into(&mut h, "Passphrase", PASSPHRASE);
    click(&mut h, "Unlock");
    wait_for(&mut h, CODE);

    open_settings(&mut h);
    wait_for(&mut h, "In the encrypted vault file");
    click(&mut h, "Move back to the keychain…");
    h.get_by_label_contains("then the vault file is deleted");
    click(&mut h, "Move to the keychain");
    wait_for(&mut h, "2 account(s) moved back into the keychain");
    assert!(!Vault::exists(&dir), "the vault file is gone");
    assert_eq!(in_keychain(&dir), (both, Some(BACKUP_PASSPHRASE.into())));
    click(&mut h, "Close");
    h.get_by_label(CODE);
    drop(h);

    // A restart opens straight from the keychain.
    let h = window(&dir);
    h.get_by_label(CODE);
    assert!(h.query_by_label("Unlock the encrypted vault").is_none());
}

/// In the person's language (Bahasa Indonesia here), with the library's reason.
#[test]
fn a_move_that_stops_says_why_and_keeps_everything() {
    let lang = Language::Indonesian;
    let (_tmp, dir) = accounts_in_keychain();
    let mut h = window_in(&dir, lang);
    open_settings_in(&mut h, lang);
    wait_for(&mut h, "Di keychain komputer ini");
    click(&mut h, &tr!(lang, "vault.move.to_vault_button"));
    type_into(&mut h, &tr!(lang, "vault.move.new_passphrase"), PASSPHRASE);
    type_into(&mut h, &tr!(lang, "vault.ui.again"), PASSPHRASE);
    // Another Kunci (the command line) made a vault meanwhile: the move must not touch it.
    Vault::create(&dir, "another passphrase").unwrap();
    click(&mut h, &tr!(lang, "vault.move.to_vault_go"));
    wait_for(
        &mut h,
        "Pemindahan terhenti, dan tidak ada kunci rahasia yang hilang",
    );
    h.get_by_label_contains("sudah ada berkas brankas di");
    assert_eq!(
        in_keychain(&dir),
        (vec![Some(KEY.into())], Some(BACKUP_PASSPHRASE.into()))
    );
    click(&mut h, &tr!(lang, "common.cancel"));
    h.get_by_label(CODE);
}
