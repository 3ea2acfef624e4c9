//! The storage library against a real Secret Service keychain (DESIGN.md §3).
//!
//! Every test uses its own temporary data directory. Keychain entries are filed under the
//! random vault id of their data directory, so the tests run in parallel in one keyring
//! without seeing each other's entries.
//!
//! These tests write to the keychain, so they refuse to run outside a throwaway keyring:
//! run them with `scripts/with-keyring cargo test --test store_keychain` (or `scripts/test`).
#![cfg(target_os = "linux")]

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use kunci::accounts::{Account, AccountId, Existing};
use kunci::otp::{self, Kind, OtpUri, Params, Secret};
use kunci::store::{
    DataDir, KEYCHAIN_SERVICE, Keychain, LoadProblem, NoSecretStore, Reconciliation, SecretStore,
    Store, StoreError,
};
use serde_json::Value;

mod common;
use common::secret_tool_users;

const HOW_TO_RUN: &str = "these tests write secrets to the Secret Service keychain and must run \
     in a throwaway keyring: scripts/with-keyring cargo test --test store_keychain \
     (or scripts/test)";

/// RFC 6238's SHA-1 test key, "12345678901234567890".
const RFC_SECRET: &[u8] = b"12345678901234567890";

/// The real keychain of the throwaway session.
fn keychain() -> Arc<Keychain> {
    assert!(
        std::env::var_os("KUNCI_THROWAWAY_KEYRING").is_some()
            && std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some(),
        "{HOW_TO_RUN}"
    );
    Arc::new(Keychain::connect().unwrap_or_else(|e| panic!("{e}; {HOW_TO_RUN}")))
}

fn tempdir() -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix("kunci-store-")
        .tempdir()
        .expect("create a temporary data dir")
}

fn open(dir: &Path, keychain: &Arc<Keychain>) -> (Store, Vec<LoadProblem>) {
    Store::open(DataDir::new(dir), keychain.clone()).expect("open the store")
}

/// Opens a store that must load without any problem.
fn open_clean(dir: &Path, keychain: &Arc<Keychain>) -> Store {
    let (store, problems) = open(dir, keychain);
    assert!(
        problems.is_empty(),
        "unexpected load problems: {problems:?}"
    );
    store
}

fn random_secret() -> Secret {
    Secret::from_bytes(rand::random::<[u8; 20]>().to_vec())
}

fn totp(issuer: &str, label: &str, secret: &Secret) -> OtpUri {
    OtpUri {
        issuer: Some(issuer.to_string()),
        label: label.to_string(),
        secret: secret.clone(),
        params: Params::default(),
    }
}

fn read_json(path: &Path) -> Value {
    let bytes = fs::read(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()))
}

/// The vault id recorded in the data dir's `accounts.json`.
fn vault(dir: &Path) -> String {
    read_json(&dir.join("accounts.json"))["vault"]
        .as_str()
        .expect("accounts.json has a vault id")
        .to_string()
}

/// The account ids with a keychain entry under this vault, as Kunci's keychain lists them.
fn keychain_ids(keychain: &Keychain, vault: &str) -> Vec<AccountId> {
    keychain
        .ids(vault)
        .expect("list the keychain")
        .expect("the Secret Service can list entries")
}

/// The value of one entry, read by `secret-tool lookup`.
fn secret_tool_value(vault: &str, id: &AccountId) -> Option<String> {
    let out = Command::new("secret-tool")
        .args(["lookup", "service", KEYCHAIN_SERVICE, "username"])
        .arg(format!("{vault}/{id}"))
        .output()
        .expect("run secret-tool");
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Every file under `dir`, recursively.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for entry in fs::read_dir(&d).unwrap_or_else(|e| panic!("read {}: {e}", d.display())) {
            let path = entry.expect("directory entry").path();
            if path.is_dir() {
                todo.push(path);
            } else {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

/// Names and contents of every file under `dir`.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    files_under(dir)
        .into_iter()
        .map(|p| {
            let bytes = fs::read(&p).expect("read file");
            (p, bytes)
        })
        .collect()
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
}

/// No file under `dir` holds the secret in any spelling.
fn assert_no_secret_in_files(dir: &Path, secret: &Secret, uri: &str) {
    let upper = secret.to_base32().to_string();
    let hex: String = secret
        .as_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let needles: [(&str, Vec<u8>); 5] = [
        ("base32", upper.as_bytes().to_vec()),
        ("lowercase base32", upper.to_lowercase().into_bytes()),
        ("raw bytes", secret.as_bytes().to_vec()),
        ("hex", hex.into_bytes()),
        ("otpauth URI", uri.as_bytes().to_vec()),
    ];
    let files = files_under(dir);
    assert!(
        !files.is_empty(),
        "nothing was written under {}",
        dir.display()
    );
    for file in files {
        let bytes = fs::read(&file).expect("read file");
        for (what, needle) in &needles {
            assert!(
                !contains(&bytes, needle),
                "{} contains the secret ({what})",
                file.display()
            );
        }
    }
}

fn names(store: &Store) -> Vec<(String, String)> {
    store
        .accounts()
        .iter()
        .map(|a| (a.issuer.clone(), a.label.clone()))
        .collect()
}

fn find<'a>(store: &'a Store, label: &str) -> &'a Account {
    store
        .accounts()
        .iter()
        .find(|a| a.label == label)
        .unwrap_or_else(|| panic!("no account labelled {label}: {:?}", names(store)))
}

#[test]
fn add_list_secret_code_remove_round_trip() {
    let keychain = keychain();
    let tmp = tempdir();
    let mut store = open_clean(tmp.path(), &keychain);
    assert!(store.accounts().is_empty());

    let rfc = Secret::from_bytes(RFC_SECRET.to_vec());
    let other = random_secret();
    let first = store.add(&totp("RFC 6238", "sha1", &rfc)).expect("add");
    let second = store
        .add(&totp("LPSE Kota Bandung", "penyedia01", &other))
        .expect("add");
    assert_eq!(
        names(&store),
        [
            ("RFC 6238".to_string(), "sha1".to_string()),
            ("LPSE Kota Bandung".to_string(), "penyedia01".to_string())
        ]
    );
    assert_ne!(first.id, second.id);

    // Secrets come back from the keychain, and codes match RFC 6238 and the otp module.
    assert_eq!(store.secret(&first.id).expect("secret"), rfc);
    assert_eq!(store.secret(&second.id).expect("secret"), other);
    let code = otp::generate(&store.secret(&first.id).unwrap(), &first.params, 59).unwrap();
    assert_eq!(code, "287082", "RFC 6238 T=59, last 6 digits of 94287082");
    let eight = Params {
        digits: 8,
        ..first.params
    };
    assert_eq!(
        otp::generate(&rfc, &eight, 1_111_111_109).unwrap(),
        "07081804"
    );
    for t in [0, 59, 1_234_567_890, 2_000_000_000] {
        assert_eq!(
            otp::generate(&store.secret(&second.id).unwrap(), &second.params, t).unwrap(),
            otp::generate(&other, &Params::default(), t).unwrap()
        );
    }

    // The keychain holds one entry per account, valued with the account's otpauth URI.
    let vault = vault(tmp.path());
    let mut want = vec![first.id.clone(), second.id.clone()];
    want.sort();
    assert_eq!(keychain_ids(&keychain, &vault), want);
    let users = secret_tool_users();
    for id in &want {
        assert!(
            users.contains(&format!("{vault}/{id}")),
            "{id} not in {users:?}"
        );
    }
    let stored = secret_tool_value(&vault, &second.id).expect("secret-tool finds the entry");
    let stored = OtpUri::parse(&stored).expect("the entry is an otpauth URI");
    assert_eq!(stored.secret, other);
    assert_eq!(stored.label, "penyedia01");
    assert_eq!(stored.issuer.as_deref(), Some("LPSE Kota Bandung"));

    // Remove: gone from the list, the keychain and the file; the other account is untouched.
    let removed = store.remove(&first.id).expect("remove");
    assert_eq!(removed.id, first.id);
    assert_eq!(names(&store).len(), 1);
    assert!(matches!(
        store.secret(&first.id),
        Err(StoreError::NotFound(_))
    ));
    assert!(matches!(
        store.remove(&first.id),
        Err(StoreError::NotFound(_))
    ));
    assert_eq!(
        keychain_ids(&keychain, &vault),
        std::slice::from_ref(&second.id)
    );
    assert!(!secret_tool_users().contains(&format!("{vault}/{}", first.id)));
    assert_eq!(secret_tool_value(&vault, &first.id), None);
    // Names of accounts are private too: the metadata and its backup are for the owner only.
    for name in ["accounts.json", "accounts.json.bak"] {
        let mode = fs::metadata(tmp.path().join(name))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o077, 0, "{name} has mode {mode:o}");
    }
    let file = read_json(&tmp.path().join("accounts.json"));
    assert_eq!(file["accounts"].as_array().unwrap().len(), 1);
    assert!(
        file.get("pending_deletes").is_none(),
        "a finished removal leaves no pending delete: {file}"
    );
    assert_eq!(store.secret(&second.id).expect("secret"), other);

    store.remove(&second.id).expect("remove");
    assert!(store.accounts().is_empty());
    assert!(keychain_ids(&keychain, &vault).is_empty());

    // Nothing was left to reconcile.
    let report = store.reconcile().expect("reconcile");
    assert!(report.listing_supported);
    assert!(
        report.recovered.is_empty() && report.missing_secrets.is_empty(),
        "{report:?}"
    );
    assert_eq!(report.finished_removals, 0);
}

#[test]
fn restart_keeps_accounts_and_secrets() {
    let keychain = keychain();
    let tmp = tempdir();
    let secrets = [random_secret(), random_secret(), random_secret()];
    let hotp = OtpUri {
        issuer: Some("Bank".into()),
        label: "token".into(),
        secret: secrets[2].clone(),
        params: Params {
            kind: Kind::Hotp,
            counter: 41,
            digits: 8,
            ..Params::default()
        },
    };
    let before: Vec<Account> = {
        let mut store = open_clean(tmp.path(), &keychain);
        store
            .add(&totp("GitHub", "ada@example.com", &secrets[0]))
            .unwrap();
        store.add(&totp("", "no issuer", &secrets[1])).unwrap();
        let h = store.add(&hotp).unwrap();
        store.advance_counter(&h.id).unwrap();
        store.accounts().as_slice().to_vec()
    };
    assert_eq!(before[2].params.counter, 42);

    let mut store = open_clean(tmp.path(), &keychain);
    assert_eq!(store.accounts().as_slice(), before.as_slice());
    for (account, secret) in before.iter().zip(&secrets) {
        assert_eq!(
            &store.secret(&account.id).expect("secret after restart"),
            secret
        );
    }
    let report = store.reconcile().expect("reconcile");
    assert!(report.recovered.is_empty(), "{report:?}");
    assert!(report.missing_secrets.is_empty(), "{report:?}");
    assert_eq!(store.accounts().as_slice(), before.as_slice());

    // A second handle on the same dir sees the first one's changes after a reload.
    let mut other = open_clean(tmp.path(), &keychain);
    other.remove(&before[0].id).unwrap();
    assert_eq!(store.accounts().len(), 3);
    assert!(store.reload().unwrap().is_empty());
    assert_eq!(store.accounts().as_slice(), &before[1..]);
}

#[test]
fn rename_keeps_the_secret_and_duplicates_are_refused() {
    let keychain = keychain();
    let tmp = tempdir();
    let secret = random_secret();
    let mut store = open_clean(tmp.path(), &keychain);
    let account = store.add(&totp("LPSE", "penyedia01", &secret)).unwrap();

    let renamed = store
        .rename(&account.id, "  LPSE Kota Bandung ", " penyedia-01 ")
        .expect("rename");
    assert_eq!(renamed.id, account.id);
    assert_eq!(
        (renamed.issuer.as_str(), renamed.label.as_str()),
        ("LPSE Kota Bandung", "penyedia-01")
    );
    assert_eq!(renamed.params, account.params);
    assert_eq!(store.secret(&account.id).unwrap(), secret);
    drop(store);
    let mut store = open_clean(tmp.path(), &keychain);
    assert_eq!(store.accounts().as_slice(), std::slice::from_ref(&renamed));
    assert_eq!(store.secret(&account.id).unwrap(), secret);

    // Same name (ignoring case and spaces) and same secret: refused, nothing added.
    let vault = vault(tmp.path());
    let ids_before = keychain_ids(&keychain, &vault);
    let file_before = fs::read(tmp.path().join("accounts.json")).unwrap();
    for (issuer, label) in [
        ("LPSE Kota Bandung", "penyedia-01"),
        (" lpse kota bandung", "PENYEDIA-01 "),
    ] {
        match store.add(&totp(issuer, label, &secret)) {
            Err(StoreError::Duplicate { name }) => {
                assert!(name.contains("LPSE Kota Bandung"), "{name}")
            }
            other => panic!("expected Duplicate, got {other:?}"),
        }
    }
    assert_eq!(store.accounts().len(), 1);
    assert_eq!(keychain_ids(&keychain, &vault), ids_before);
    assert_eq!(
        fs::read(tmp.path().join("accounts.json")).unwrap(),
        file_before
    );

    // Same name with another secret (a re-enrolment) and same secret under another name are
    // both new accounts.
    let other = random_secret();
    store
        .add(&totp("LPSE Kota Bandung", "penyedia-01", &other))
        .expect("same name, new key");
    store
        .add(&totp("LPSE Kota Bandung", "penyedia-02", &secret))
        .expect("same key, new name");
    assert_eq!(store.accounts().len(), 3);
    assert_eq!(keychain_ids(&keychain, &vault).len(), 3);
}

#[test]
fn no_file_under_the_data_dir_ever_holds_a_secret() {
    let keychain = keychain();
    let tmp = tempdir();
    let secrets: Vec<Secret> = (0..4).map(|_| random_secret()).collect();
    let mut store = open_clean(tmp.path(), &keychain);
    let mut ids = Vec::new();
    for (n, secret) in secrets.iter().enumerate() {
        let uri = totp("Issuer", &format!("user{n}"), secret);
        ids.push(store.add(&uri).unwrap().id);
    }
    store.rename(&ids[0], "Renamed", "user0").unwrap();
    store.advance_counter(&ids[1]).unwrap();
    store.remove(&ids[2]).unwrap();
    store.reconcile().unwrap();
    // A damaged file set aside and a restore from the backup make more files.
    let text = fs::read(tmp.path().join("accounts.json")).unwrap();
    fs::write(tmp.path().join("accounts.json"), &text[..text.len() / 2]).unwrap();
    drop(store);
    let (mut store, problems) = open(tmp.path(), &keychain);
    assert!(!problems.is_empty());
    store.reconcile().unwrap();
    store
        .add(&totp("Issuer", "late", &random_secret()))
        .unwrap();

    for (n, secret) in secrets.iter().enumerate() {
        let uri = totp("Issuer", &format!("user{n}"), secret).to_uri();
        assert_no_secret_in_files(tmp.path(), secret, &uri);
    }
    for account in store.accounts().iter() {
        let secret = store.secret(&account.id).unwrap();
        assert_no_secret_in_files(tmp.path(), &secret, &account.to_uri(&secret).to_uri());
    }
}

#[test]
fn truncated_file_is_set_aside_and_the_backup_used() {
    let keychain = keychain();
    let tmp = tempdir();
    let (one, two) = (random_secret(), random_secret());
    let (a, b) = {
        let mut store = open_clean(tmp.path(), &keychain);
        let a = store.add(&totp("One", "first", &one)).unwrap();
        let b = store.add(&totp("Two", "second", &two)).unwrap();
        (a, b)
    };
    let main = tmp.path().join("accounts.json");
    let full = fs::read(&main).unwrap();
    let truncated = &full[..full.len() * 2 / 3];
    fs::write(&main, truncated).unwrap();

    let (mut store, problems) = open(tmp.path(), &keychain);
    let [
        LoadProblem::Damaged {
            file,
            set_aside,
            reason,
        },
        LoadProblem::RestoredFromBackup { backup },
    ] = problems.as_slice()
    else {
        panic!("expected Damaged then RestoredFromBackup, got {problems:?}");
    };
    assert_eq!(file, &main);
    assert_eq!(backup, &tmp.path().join("accounts.json.bak"));
    assert!(reason.contains("JSON"), "{reason}");
    let aside_name = set_aside
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    assert!(
        aside_name.starts_with("accounts.json.damaged-"),
        "{aside_name}"
    );
    assert_eq!(
        fs::read(set_aside).unwrap(),
        truncated,
        "the damaged file is kept as it was"
    );
    // The backup is the state before the second add.
    assert_eq!(store.accounts().as_slice(), std::slice::from_ref(&a));

    // The second account's secret is still in the keychain under the same vault: the
    // reconcile brings it back, with its secret.
    let report = store.reconcile().expect("reconcile");
    assert_eq!(report.recovered.len(), 1, "{report:?}");
    let recovered = &report.recovered[0];
    assert_eq!(
        (
            recovered.id.clone(),
            recovered.issuer.as_str(),
            recovered.label.as_str()
        ),
        (b.id.clone(), "Two", "second")
    );
    assert_eq!(store.secret(&a.id).unwrap(), one);
    assert_eq!(store.secret(&b.id).unwrap(), two);

    // The next start is clean, and the damaged copy was never overwritten.
    drop(store);
    let store = open_clean(tmp.path(), &keychain);
    assert_eq!(store.accounts().len(), 2);
    assert_eq!(fs::read(set_aside).unwrap(), truncated);
}

#[test]
fn garbage_file_is_set_aside_and_reported() {
    let keychain = keychain();

    // Garbage and no backup: set aside, reported, an empty list.
    let tmp = tempdir();
    let garbage: Vec<u8> = b"\x00\xff\xfe garbage \x1b[0m {{{ \x80\x81"
        .iter()
        .copied()
        .chain(rand::random::<[u8; 32]>())
        .collect();
    let main = tmp.path().join("accounts.json");
    fs::write(&main, &garbage).unwrap();
    let (mut store, problems) = open(tmp.path(), &keychain);
    let [
        LoadProblem::Damaged {
            file, set_aside, ..
        },
    ] = problems.as_slice()
    else {
        panic!("expected one Damaged, got {problems:?}");
    };
    assert_eq!(file, &main);
    assert!(
        set_aside
            .file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with("accounts.json.damaged-")
    );
    assert_eq!(fs::read(set_aside).unwrap(), garbage);
    assert!(!main.exists());
    assert!(store.accounts().is_empty());
    // A new account can be added; the damaged file stays as it was.
    let secret = random_secret();
    let added = store.add(&totp("New", "start", &secret)).unwrap();
    assert_eq!(store.secret(&added.id).unwrap(), secret);
    assert_eq!(fs::read(set_aside).unwrap(), garbage);
    drop(store);

    // Garbage over a good file with a backup: the backup is used.
    let tmp = tempdir();
    let (a, b) = {
        let mut store = open_clean(tmp.path(), &keychain);
        let a = store.add(&totp("One", "first", &random_secret())).unwrap();
        let b = store.add(&totp("Two", "second", &random_secret())).unwrap();
        (a, b)
    };
    fs::write(tmp.path().join("accounts.json"), &garbage).unwrap();
    let (mut store, problems) = open(tmp.path(), &keychain);
    assert!(
        matches!(
            problems.as_slice(),
            [
                LoadProblem::Damaged { .. },
                LoadProblem::RestoredFromBackup { .. }
            ]
        ),
        "{problems:?}"
    );
    assert_eq!(store.accounts().as_slice(), std::slice::from_ref(&a));
    let report = store.reconcile().unwrap();
    assert_eq!(
        report.recovered.iter().map(|r| &r.id).collect::<Vec<_>>(),
        [&b.id]
    );

    // Valid JSON that is not an accounts file is damaged too, not silently replaced.
    let tmp = tempdir();
    fs::write(tmp.path().join("accounts.json"), br#"["not", "accounts"]"#).unwrap();
    let (_store, problems) = open(tmp.path(), &keychain);
    assert!(
        matches!(problems.as_slice(), [LoadProblem::Damaged { .. }]),
        "{problems:?}"
    );
}

#[test]
fn one_bad_entry_is_reported_and_the_others_kept() {
    let keychain = keychain();
    let tmp = tempdir();
    let secrets = [
        random_secret(),
        random_secret(),
        random_secret(),
        random_secret(),
    ];
    let added: Vec<Account> = {
        let mut store = open_clean(tmp.path(), &keychain);
        ["a", "b", "c", "d"]
            .iter()
            .zip(&secrets)
            .map(|(label, s)| store.add(&totp("Issuer", label, s)).unwrap())
            .collect()
    };
    let main = tmp.path().join("accounts.json");
    let mut file = read_json(&main);
    let accounts = file["accounts"].as_array_mut().unwrap();
    accounts[1]["digits"] = 12.into(); // "b": impossible parameters
    accounts[2] = Value::String("not an account".into()); // "c": not even an object
    let edited = serde_json::to_vec_pretty(&file).unwrap();
    fs::write(&main, &edited).unwrap();

    let (mut store, problems) = open(tmp.path(), &keychain);
    let [LoadProblem::BadEntries { copy, reasons }] = problems.as_slice() else {
        panic!("expected BadEntries, got {problems:?}");
    };
    assert_eq!(reasons.len(), 2, "{reasons:?}");
    assert!(reasons[0].contains("entry 2"), "{reasons:?}");
    assert!(reasons[1].contains("entry 3"), "{reasons:?}");
    assert_eq!(
        fs::read(copy).unwrap(),
        edited,
        "the file as it was is kept"
    );
    assert!(
        copy.file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with("accounts.json.damaged-")
    );
    assert_eq!(
        names(&store),
        [("Issuer".into(), "a".into()), ("Issuer".into(), "d".into())]
    );
    assert_eq!(store.secret(&added[0].id).unwrap(), secrets[0]);
    assert_eq!(store.secret(&added[3].id).unwrap(), secrets[3]);

    // Their keychain entries were never touched: the reconcile brings both back intact.
    let report = store.reconcile().unwrap();
    let mut recovered: Vec<_> = report.recovered.iter().map(|a| a.label.clone()).collect();
    recovered.sort();
    assert_eq!(recovered, ["b", "c"], "{report:?}");
    assert_eq!(find(&store, "b").params, added[1].params);
    assert_eq!(store.secret(&added[1].id).unwrap(), secrets[1]);
    assert_eq!(store.secret(&added[2].id).unwrap(), secrets[2]);
    assert_eq!(fs::read(copy).unwrap(), edited);
}

#[test]
fn an_unrecoverable_bad_entry_is_copied_aside_once_not_at_every_start() {
    let keychain = keychain();
    let tmp = tempdir();
    let secret = random_secret();
    let good = open_clean(tmp.path(), &keychain)
        .add(&totp("Issuer", "good", &secret))
        .unwrap();
    // An entry with no usable id: nothing in the keychain can stand in for it.
    let main = tmp.path().join("accounts.json");
    let mut file = read_json(&main);
    file["accounts"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::json!({"id": "zz", "label": "junk"}));
    fs::write(&main, serde_json::to_vec_pretty(&file).unwrap()).unwrap();

    // Start three times, as the command line does (open, then reconcile).
    for start in 0..3 {
        let (mut store, problems) = open(tmp.path(), &keychain);
        if start == 0 {
            assert!(
                matches!(problems.as_slice(), [LoadProblem::BadEntries { .. }]),
                "{problems:?}"
            );
        }
        store.reconcile().unwrap();
        assert_eq!(store.accounts().as_slice(), std::slice::from_ref(&good));
        assert_eq!(store.secret(&good.id).unwrap(), secret);
    }
    let copies: Vec<String> = files_under(tmp.path())
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("accounts.json.damaged-"))
        .collect();
    assert_eq!(
        copies.len(),
        1,
        "the same damaged file should be kept aside once, not at every load: {copies:?}"
    );
}

#[test]
fn refusing_keychain_adds_nothing_to_an_existing_store() {
    let keychain = keychain();
    let tmp = tempdir();
    let secret = random_secret();
    open_clean(tmp.path(), &keychain)
        .add(&totp("Existing", "one", &secret))
        .unwrap();
    let vault = vault(tmp.path());
    let ids_before = keychain_ids(&keychain, &vault);
    let before = snapshot(tmp.path());

    let refusing = Arc::new(NoSecretStore::new("why: testing a refusing keychain"));
    let (mut store, problems) = Store::open(DataDir::new(tmp.path()), refusing).unwrap();
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(
        store.accounts().len(),
        1,
        "the metadata is readable without a keychain"
    );
    match store.add(&totp("New", "two", &random_secret())) {
        Err(e @ StoreError::Secrets(_)) => {
            let text = e.to_string();
            assert!(text.contains("why: testing a refusing keychain"), "{text}");
        }
        other => panic!("expected a keychain error, got {other:?}"),
    }
    assert_eq!(store.accounts().len(), 1);
    assert!(matches!(
        store.secret(&store.accounts().as_slice()[0].id.clone()),
        Err(StoreError::Secrets(_))
    ));
    assert!(
        store.reconcile().is_err(),
        "a refusing keychain cannot be reconciled"
    );
    assert_eq!(
        snapshot(tmp.path()),
        before,
        "nothing under the data dir changed"
    );
    assert_eq!(keychain_ids(&keychain, &vault), ids_before);
}

#[test]
fn refusing_keychain_writes_nothing_into_a_new_data_dir() {
    let tmp = tempdir();
    let refusing = Arc::new(NoSecretStore::new("why: testing a refusing keychain"));
    let (mut store, problems) = Store::open(DataDir::new(tmp.path()), refusing).unwrap();
    assert!(problems.is_empty(), "{problems:?}");
    let result = store.add(&totp("New", "one", &random_secret()));
    assert!(matches!(result, Err(StoreError::Secrets(_))), "{result:?}");
    assert!(store.accounts().is_empty());
    // Only the lock file may exist; no accounts.json (not even an empty one) was written.
    let written: Vec<String> = files_under(tmp.path())
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .filter(|name| name != "accounts.lock")
        .collect();
    assert!(written.is_empty(), "a refused add wrote {written:?}");
}

#[test]
fn a_new_secret_for_a_known_name_is_a_reenrolment_that_keeps_the_place() {
    let keychain = keychain();
    let tmp = tempdir();
    let mut store = open_clean(tmp.path(), &keychain);
    let old = random_secret();
    let first = store
        .add(&totp("LPSE Kota Bandung", "penyedia01", &old))
        .unwrap();
    let second = store.add(&totp("GitHub", "ada", &random_secret())).unwrap();

    // Same name, same secret: a duplicate. Same name, new secret: a re-enrolment.
    let again = totp("LPSE Kota Bandung", "penyedia01", &old);
    assert_eq!(store.existing(&again), Existing::Duplicate(first.clone()));
    let new = random_secret();
    let mut reissued = totp("lpse kota bandung ", "PENYEDIA01", &new);
    reissued.params.period = 60;
    assert_eq!(
        store.existing(&reissued),
        Existing::NewSecret(first.clone())
    );
    assert_eq!(store.existing(&totp("Other", "x", &new)), Existing::New);

    let reenrolled = store.reenrol(&first.id, &reissued).unwrap();
    assert_eq!(reenrolled.id, first.id);
    assert_eq!(
        (reenrolled.issuer.as_str(), reenrolled.label.as_str()),
        ("LPSE Kota Bandung", "penyedia01")
    );
    assert_eq!(reenrolled.params.period, 60);
    let reopened = open_clean(tmp.path(), &keychain);
    let ids: Vec<&AccountId> = reopened.accounts().iter().map(|a| &a.id).collect();
    assert_eq!(ids, [&first.id, &second.id], "the account keeps its place");
    assert_eq!(reopened.secret(&first.id).unwrap(), new);
    assert_eq!(reopened.accounts().as_slice()[0].params.period, 60);
}

#[test]
fn every_secret_in_one_exchange_as_read_one_by_one() {
    let keychain = keychain();
    let tmp = tempdir();
    let other = tempdir();
    let secrets: Vec<Secret> = (0..30).map(|_| random_secret()).collect();
    let mut store = open_clean(tmp.path(), &keychain);
    let added: Vec<Account> = secrets
        .iter()
        .enumerate()
        .map(|(i, s)| {
            store
                .add(&totp(&format!("LPSE {i}"), "penyedia", s))
                .unwrap()
        })
        .collect();
    let vault = vault(tmp.path());
    // Another list's entry in the same keychain is not this list's.
    let stranger = open_clean(other.path(), &keychain)
        .add(&totp("GitHub", "ada", &random_secret()))
        .unwrap();
    // An entry that is not an account is left to the one-by-one read, which says so.
    keychain
        .put(&vault, &added[0].id, "not an account!", "broken")
        .unwrap();

    let entries = keychain
        .read_vault(&vault)
        .unwrap()
        .expect("the Secret Service gives every entry at once");
    let mut listed = entries.ids.clone();
    listed.sort();
    assert_eq!(
        Some(listed),
        keychain.ids(&vault).unwrap(),
        "one listing as the other"
    );
    let values = entries.values;
    assert_eq!(values.len(), 30);
    assert!(!values.contains_key(&stranger.id));
    for account in &added {
        let one = keychain.get(&vault, &account.id).unwrap().unwrap();
        assert_eq!(values[&account.id].as_str(), one.as_str());
    }

    let at_once = store.secrets_at_once().unwrap();
    assert_eq!(at_once.len(), 29);
    assert!(!at_once.contains_key(&added[0].id));
    for (account, secret) in added.iter().zip(&secrets).skip(1) {
        assert_eq!(at_once[&account.id], *secret);
    }
    assert!(store.secret(&added[0].id).is_err());
    // As the window opens: the same secrets, from the listing that reconciling needs.
    let (report, with_listing) = store.reconcile_and_read().unwrap();
    assert_eq!(report.one_exchange_failed, None);
    assert_eq!(
        report,
        Reconciliation {
            listing_supported: true,
            ..Default::default()
        }
    );
    assert_eq!(with_listing, at_once);

    // The listing (by all the entries' attributes at once) agrees with secret-tool.
    let mut ids = keychain_ids(&keychain, &vault);
    ids.sort();
    let mut expected: Vec<AccountId> = added.iter().map(|a| a.id.clone()).collect();
    expected.sort();
    assert_eq!(ids, expected);
    // Each of them is there for secret-tool too (looked up one by one: a search of every Kunci
    // entry also lists what the earlier test binaries left in the shared keyring).
    for id in &expected {
        assert!(
            secret_tool_value(&vault, id).is_some(),
            "secret-tool does not find {vault}/{id}"
        );
    }
}
