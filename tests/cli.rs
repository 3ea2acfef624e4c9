//! The real `kunci` binary against a real Secret Service keychain.
//!
//! Each test has its own data directory (`KUNCI_DATA_DIR`); its keychain entries are filed
//! under that directory's random vault id, so the tests run in parallel in one keyring.
//! Crash safety is tested with the failpoints of `KUNCI_FAILPOINT`, which abort the process
//! at a chosen step as a kill would.
//!
//! These tests write to the keychain, so they refuse to run outside a throwaway keyring:
//! run them with `scripts/with-keyring cargo test --test cli` (or `scripts/test`).
#![cfg(target_os = "linux")]

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::thread;
use std::time::Duration;

use kunci::accounts::AccountId;
use kunci::otp::{self, OtpUri, Params};
use kunci::store::{Keychain, SecretStore};
use serde_json::Value;

mod common;
use common::{KUNCI, Run};

fn require_keyring() {
    common::require_keyring(HOW_TO_RUN);
}

/// Runs `kunci ARGS` on data dir `dir` with extra environment, within [`RUN_LIMIT`].
fn kunci_env(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut cmd = common::command(dir, args);
    cmd.envs(env.iter().copied());
    common::run(cmd, RUN_LIMIT)
}

const HOW_TO_RUN: &str = "these tests write secrets to the Secret Service keychain and must run \
     in a throwaway keyring: scripts/with-keyring cargo test --test cli (or scripts/test)";
/// Longest a single `kunci` run may take before the test fails.
const RUN_LIMIT: Duration = Duration::from_secs(30);

/// Google's Key URI Format example key (20 bytes).
const KEY: &str = "HXDMVJECJJWSRB3HWIZR4IFUGFTMXBOZ";
/// `oathtool --totp -b HXDMVJECJJWSRB3HWIZR4IFUGFTMXBOZ --now=@1700000000`.
const KEY_AT_1700000000: &str = "825131";
/// RFC 6238's SHA-1 test key "12345678901234567890" in base32 (also RFC 4226's HOTP key).
const RFC_KEY: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
/// RFC 6238 T=59, SHA-1, last 6 of 94287082.
const RFC_KEY_AT_59: &str = "287082";

fn tempdir() -> tempfile::TempDir {
    common::tempdir("kunci-cli-")
}

fn kunci(dir: &Path, args: &[&str]) -> Run {
    kunci_env(dir, args, &[])
}

fn add_key(dir: &Path, key: &str, issuer: &str, label: &str) -> Run {
    kunci(
        dir,
        &["add", "--secret", key, "--issuer", issuer, "--label", label],
    )
    .ok()
}

/// `kunci list --json`, parsed.
fn list_json(dir: &Path) -> (Vec<Value>, Run) {
    let run = kunci(dir, &["list", "--json"]).ok();
    let rows: Vec<Value> = serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("list --json printed invalid JSON ({e}): {run:#?}"));
    (rows, run)
}

fn field<'a>(row: &'a Value, name: &str) -> &'a str {
    row[name]
        .as_str()
        .unwrap_or_else(|| panic!("no {name} in {row}"))
}

fn accounts_file(dir: &Path) -> PathBuf {
    dir.join("accounts.json")
}

/// The accounts written in `accounts.json` (none when there is no file).
fn accounts_in_file(dir: &Path) -> Vec<Value> {
    match fs::read(accounts_file(dir)) {
        Ok(bytes) => {
            let v: Value = serde_json::from_slice(&bytes).expect("accounts.json is JSON");
            v["accounts"].as_array().expect("accounts array").clone()
        }
        Err(_) => Vec::new(),
    }
}

fn vault(dir: &Path) -> Option<String> {
    let bytes = fs::read(accounts_file(dir)).ok()?;
    let v: Value = serde_json::from_slice(&bytes).expect("accounts.json is JSON");
    v["vault"].as_str().map(str::to_string)
}

/// The keychain entries of this data dir's vault (none when it has no vault yet).
fn keychain_ids(dir: &Path) -> Vec<String> {
    let Some(vault) = vault(dir) else {
        return Vec::new();
    };
    let keychain = Keychain::connect().unwrap_or_else(|e| panic!("{e}; {HOW_TO_RUN}"));
    let ids: Vec<AccountId> = keychain
        .ids(&vault)
        .expect("list the keychain")
        .expect("the Secret Service can list entries");
    ids.iter().map(ToString::to_string).collect()
}

/// Names and contents of every file in `dir` (flat: Kunci makes no subdirectories).
fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fs::read_dir(dir)
        .expect("read data dir")
        .map(|e| {
            let e = e.expect("dir entry");
            (
                e.file_name().to_string_lossy().into_owned(),
                fs::read(e.path()).expect("read file"),
            )
        })
        .collect()
}

/// Every listed account has a working code and a keychain entry, and the keychain has no
/// entry for an account that is not listed. Returns the listed accounts.
fn assert_consistent(dir: &Path) -> Vec<Value> {
    let (rows, _) = list_json(dir);
    let mut listed: Vec<String> = rows.iter().map(|r| field(r, "id").to_string()).collect();
    for id in &listed {
        let code = kunci(dir, &["code", id, "--at", "59"]).ok();
        let code = code.stdout.trim();
        assert!(
            code.len() >= 6 && code.bytes().all(|b| b.is_ascii_digit()),
            "listed account {id} has no working code: {code:?}"
        );
    }
    listed.sort();
    assert_eq!(keychain_ids(dir), listed, "keychain and list disagree");
    rows
}

#[test]
fn version_prints_the_version() {
    let tmp = tempdir();
    let run = kunci(tmp.path(), &["--version"]).ok();
    assert_eq!(
        run.stdout.trim(),
        format!("kunci {}", env!("CARGO_PKG_VERSION"))
    );
    assert!(snapshot(tmp.path()).is_empty(), "--version wrote files");
}

#[test]
fn add_list_code_uri_remove_round_trip() {
    require_keyring();
    let tmp = tempdir();
    let dir = tmp.path();
    // Typed as a person would copy it: lower case, in groups.
    let typed = "hxdm vjec jjws rb3h wizr 4ifu gftm xboz";
    let run = add_key(dir, typed, "LPSE Kota Bandung", "penyedia01");
    assert!(
        run.stdout.contains("added LPSE Kota Bandung (penyedia01)"),
        "{run:#?}"
    );

    let run = kunci(dir, &["list"]).ok();
    assert!(
        run.stdout.contains("LPSE Kota Bandung") && run.stdout.contains("penyedia01"),
        "{run:#?}"
    );
    let (rows, run) = list_json(dir);
    assert_eq!(rows.len(), 1, "{run:#?}");
    let row = &rows[0];
    assert_eq!(field(row, "issuer"), "LPSE Kota Bandung");
    assert_eq!(field(row, "label"), "penyedia01");
    assert_eq!(field(row, "type"), "totp");
    assert_eq!(field(row, "algorithm"), "SHA1");
    assert_eq!(row["digits"], 6);
    assert_eq!(row["period"], 30);
    assert!(row.get("secret").is_none(), "{row}");
    let id = field(row, "id").to_string();

    let run = kunci(dir, &["code", "penyedia01", "--at", "1700000000"]).ok();
    assert_eq!(
        run.stdout,
        format!("{KEY_AT_1700000000}\n"),
        "code prints the code only"
    );
    let secret = otp::parse_setup_key(KEY).unwrap();
    for t in ["0", "59", "1111111109", "2000000000"] {
        let run = kunci(dir, &["code", "LPSE", "--at", t]).ok();
        let want = otp::generate(&secret, &Params::default(), t.parse().unwrap()).unwrap();
        assert_eq!(run.stdout.trim(), want, "at {t}");
    }

    let run = kunci(dir, &["uri", "bandung"]).ok();
    assert!(
        run.stderr.contains("warning") && run.stderr.contains("secret"),
        "{run:#?}"
    );
    let uri = OtpUri::parse(run.stdout.trim()).expect("uri prints an otpauth URI");
    assert_eq!(uri.secret, secret);
    assert_eq!(uri.issuer.as_deref(), Some("LPSE Kota Bandung"));
    assert_eq!(uri.label, "penyedia01");
    assert_eq!(uri.params, Params::default());

    assert_eq!(keychain_ids(dir), std::slice::from_ref(&id));
    for file in fs::read_dir(dir).unwrap() {
        let text = fs::read(file.unwrap().path()).unwrap();
        let text = String::from_utf8_lossy(&text);
        assert!(!text.contains(KEY) && !text.contains(&KEY.to_lowercase()));
    }

    let run = kunci(dir, &["remove", "penyedia01", "--yes"]).ok();
    assert!(
        run.stdout
            .contains("removed LPSE Kota Bandung (penyedia01)"),
        "{run:#?}"
    );
    let (rows, _) = list_json(dir);
    assert!(rows.is_empty());
    assert!(
        keychain_ids(dir).is_empty(),
        "the keychain entry was deleted"
    );
    let run = kunci(dir, &["code", &id]).failed();
    assert!(run.stderr.contains("no accounts yet"), "{run:#?}");
}

#[test]
fn nothing_but_uri_ever_prints_the_secret() {
    require_keyring();
    let tmp = tempdir();
    let dir = tmp.path();
    let mut runs = vec![
        add_key(dir, KEY, "GitHub", "ada@example.com"),
        kunci(
            dir,
            &[
                "add",
                "--uri",
                &format!("otpauth://totp/Bank:bob?secret={RFC_KEY}"),
            ],
        )
        .ok(),
        kunci(dir, &["list"]).ok(),
        list_json(dir).1,
        kunci(dir, &["code", "ada", "--at", "59"]).ok(),
        kunci(dir, &["rename", "bob", "--label", "robert"]).ok(),
        kunci(dir, &["code", "nobody"]).failed(),
    ];
    // A duplicate is refused without echoing the key.
    runs.push(add_key_fails(dir, KEY, "GitHub", "ada@example.com"));
    for run in &runs {
        let all = run.all();
        for key in [KEY, RFC_KEY] {
            assert!(
                !all.contains(key) && !all.contains(&key.to_lowercase()),
                "{run:#?}"
            );
        }
    }
    assert_eq!(list_json(dir).0.len(), 2);
}

fn add_key_fails(dir: &Path, key: &str, issuer: &str, label: &str) -> Run {
    let run = kunci(
        dir,
        &["add", "--secret", key, "--issuer", issuer, "--label", label],
    )
    .failed();
    assert!(run.stderr.starts_with("kunci: "), "{run:#?}");
    run
}

#[test]
fn add_by_uri_honours_period_digits_and_algorithm() {
    require_keyring();
    let tmp = tempdir();
    let dir = tmp.path();
    // RFC 6238's SHA-256 key, "12345678901234567890123456789012", as a bank might issue it.
    let uri = "otpauth://totp/Example%20Bank:alice%40example.com?secret=\
               GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZA&issuer=Example%20Bank\
               &algorithm=SHA256&digits=8&period=120";
    let run = kunci(dir, &["add", "--uri", uri]).ok();
    assert!(
        run.stdout.contains("Example Bank (alice@example.com)"),
        "{run:#?}"
    );
    let (rows, _) = list_json(dir);
    let row = &rows[0];
    assert_eq!(field(row, "algorithm"), "SHA256");
    assert_eq!(row["digits"], 8);
    assert_eq!(row["period"], 120);

    // RFC 6238 SHA-256 values; with a 120 s period, step n starts at 120 n.
    // oathtool --totp=sha256 --digits=8 --time-step-size=120s agrees.
    for (at, want) in [
        ("120", "46119246"),
        ("239", "46119246"),
        ("4444444320", "68084774"),
        ("4444444439", "68084774"),
    ] {
        let run = kunci(dir, &["code", "alice@example.com", "--at", at]).ok();
        assert_eq!(run.stdout.trim(), want, "at {at}");
    }
    let run = kunci(dir, &["code", "Example Bank", "--at", "240"]).ok();
    assert_ne!(run.stdout.trim(), "46119246", "a new code every 120 s");
    assert_eq!(run.stdout.trim().len(), 8);

    let printed = kunci(dir, &["uri", "alice"]).ok();
    let back = OtpUri::parse(printed.stdout.trim()).unwrap();
    assert_eq!(back, OtpUri::parse(uri).unwrap());
}

#[test]
fn queries_that_do_not_pick_one_account_list_the_candidates() {
    require_keyring();
    let tmp = tempdir();
    let dir = tmp.path();
    add_key(dir, KEY, "LPSE Kota Bandung", "penyedia01");
    add_key(dir, RFC_KEY, "LPSE Kota Bandung", "penyedia02");
    add_key(dir, "JBSWY3DPEHPK3PXP", "GitHub", "ada");

    let run = kunci(dir, &["code", "nothing-like-this"]).failed();
    assert!(run.stdout.is_empty(), "{run:#?}");
    for name in ["penyedia01", "penyedia02", "GitHub (ada)"] {
        assert!(
            run.stderr.contains(name),
            "no match should list {name}: {run:#?}"
        );
    }

    let run = kunci(dir, &["code", "bandung"]).failed();
    assert!(run.stdout.is_empty(), "{run:#?}");
    assert!(
        run.stderr.contains("penyedia01") && run.stderr.contains("penyedia02"),
        "{run:#?}"
    );
    assert!(
        !run.stderr.contains("GitHub"),
        "only the matches are candidates: {run:#?}"
    );
    let run = kunci(dir, &["remove", "bandung", "--yes"]).failed();
    assert!(run.stderr.contains("penyedia01"), "{run:#?}");
    assert_eq!(
        list_json(dir).0.len(),
        3,
        "an ambiguous remove removes nothing"
    );

    // The id (as list --json prints it, or its first 8 digits as list prints it) picks one.
    let (rows, _) = list_json(dir);
    let second = rows
        .iter()
        .find(|r| field(r, "label") == "penyedia02")
        .unwrap();
    let id = field(second, "id");
    let run = kunci(dir, &["code", id, "--at", "59"]).ok();
    assert_eq!(run.stdout.trim(), RFC_KEY_AT_59);
    let run = kunci(dir, &["code", &id[..8], "--at", "59"]).ok();
    assert_eq!(run.stdout.trim(), RFC_KEY_AT_59);
    let run = kunci(dir, &["code", "lpse kota bandung:penyedia02", "--at", "59"]).ok();
    assert_eq!(run.stdout.trim(), RFC_KEY_AT_59);
}

#[test]
fn concurrent_adds_all_land() {
    require_keyring();
    let tmp = tempdir();
    // A data dir that does not exist yet is created.
    let dir = tmp.path().join("not").join("there");
    let keys = [
        KEY,
        RFC_KEY,
        "JBSWY3DPEHPK3PXP",
        "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZA",
    ];
    let handles: Vec<_> = keys
        .iter()
        .enumerate()
        .map(|(n, key)| {
            let dir = dir.clone();
            let key = key.to_string();
            thread::spawn(move || add_key(&dir, &key, "Parallel", &format!("user{n}")))
        })
        .collect();
    for h in handles {
        h.join().expect("add thread");
    }
    let rows = assert_consistent(&dir);
    let mut got = labels(&rows);
    got.sort();
    assert_eq!(got, ["user0", "user1", "user2", "user3"]);
    let run = kunci(&dir, &["code", "user1", "--at", "59"]).ok();
    assert_eq!(run.stdout.trim(), RFC_KEY_AT_59);
}

/// Inputs `add` must refuse before touching anything.
fn bad_adds() -> Vec<Vec<String>> {
    let secret = |key: &str, extra: &[&str]| -> Vec<String> {
        let mut args = vec![
            "add", "--secret", key, "--issuer", "Bad", "--label", "input",
        ];
        args.extend_from_slice(extra);
        args.into_iter().map(String::from).collect()
    };
    let uri = |u: &str| vec!["add".to_string(), "--uri".to_string(), u.to_string()];
    vec![
        secret("ABC8", &[]),
        secret("abc", &[]),
        secret("", &[]),
        secret("   ", &[]),
        secret("JBSWY3DP", &[]), // 40 bits: too short
        secret("JBSWY3DPEHPK3PX0", &[]),
        secret(KEY, &["--digits", "10"]),
        secret(KEY, &["--digits", "5"]),
        secret(KEY, &["--period", "0"]),
        secret(KEY, &["--period", "301"]),
        secret(KEY, &["--algorithm", "MD5"]),
        vec!["add".into(), "--secret".into(), KEY.into()], // no label
        vec!["add".into()],
        uri(""),
        uri("otpauth://totp/Bank:bob"),
        uri("otpauth://totp/Bank:bob?secret=ABC8"),
        uri(&format!("otpauth://totp/Bank:bob?secret={KEY}&digits=10")),
        uri(&format!("otpauth://totp/Bank:bob?secret={KEY}&period=0")),
        uri(&format!(
            "otpauth://totp/Bank:bob?secret={KEY}&algorithm=MD5"
        )),
        uri(&format!("otpauth://totp/Bank:bob?secret={KEY}&digits=six")),
        uri(&format!("otpauth://hotp/Bank:bob?secret={KEY}&counter=-1")),
        uri(&format!("otpauth://totp/Bank%ZZ:bob?secret={KEY}")),
        uri(&format!("otpauth://yotp/Bank:bob?secret={KEY}")),
        uri(&format!("otpauth:///Bank:bob?secret={KEY}")),
        uri(&format!("otpauth://totp/%FF%FE:bob?secret={KEY}")),
        uri(
            "otpauth-migration://offline?data=CjEKCkhlbGxvId6tvu8SGEV4YW1wbGU6YWxpY2VAZ29vZ2xlLmNvbRoHRXhhbXBsZSABKAEwAhABGAEgACjr4JP9Bg%3D%3D",
        ),
        uri("https://example.com/otpauth?secret=JBSWY3DPEHPK3PXP"),
        uri(KEY),
        // Both sources at once, or a URI with the flags it forbids.
        vec![
            "add".into(),
            "--uri".into(),
            format!("otpauth://totp/Bank:bob?secret={KEY}"),
            "--secret".into(),
            KEY.into(),
        ],
        vec![
            "add".into(),
            "--uri".into(),
            format!("otpauth://totp/Bank:bob?secret={KEY}"),
            "--digits".into(),
            "8".into(),
        ],
    ]
}

fn assert_refused(dir: &Path, args: &[String]) {
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let run = kunci(dir, &args);
    assert!(!run.status.success(), "accepted {args:?}: {run:#?}");
    assert!(
        run.status.code().is_some(),
        "crashed instead of refusing {args:?}: {run:#?}"
    );
    assert!(!run.stderr.trim().is_empty(), "no message for {args:?}");
    assert!(!run.stdout.contains("added"), "{args:?}: {run:#?}");
}

#[test]
fn bad_input_into_a_new_data_dir_leaves_no_trace() {
    require_keyring();
    let tmp = tempdir();
    for args in bad_adds() {
        assert_refused(tmp.path(), &args);
        assert!(
            accounts_in_file(tmp.path()).is_empty(),
            "{args:?} left accounts in accounts.json"
        );
    }
    assert!(
        !accounts_file(tmp.path()).exists(),
        "bad input wrote {:?}",
        snapshot(tmp.path()).keys()
    );
    assert!(keychain_ids(tmp.path()).is_empty());
}

#[test]
fn bad_input_into_an_existing_store_changes_nothing() {
    require_keyring();
    let tmp = tempdir();
    let dir = tmp.path();
    add_key(dir, RFC_KEY, "Existing", "one");
    let files = snapshot(dir);
    let ids = keychain_ids(dir);
    assert_eq!(ids.len(), 1);
    for args in bad_adds() {
        assert_refused(dir, &args);
    }
    assert_eq!(snapshot(dir), files, "bad input changed the data dir");
    assert_eq!(keychain_ids(dir), ids, "bad input changed the keychain");
    let run = kunci(dir, &["code", "Existing", "--at", "59"]).ok();
    assert_eq!(run.stdout.trim(), RFC_KEY_AT_59);
}

#[test]
fn remove_without_yes_and_without_a_terminal_refuses() {
    require_keyring();
    let tmp = tempdir();
    let dir = tmp.path();
    add_key(dir, KEY, "GitHub", "ada");
    let ids = keychain_ids(dir);
    let files = snapshot(dir);

    let run = kunci(dir, &["remove", "ada"]).failed();
    assert!(run.stderr.contains("--yes"), "{run:#?}");
    assert!(run.stdout.is_empty(), "{run:#?}");
    assert_eq!(snapshot(dir), files);
    assert_eq!(keychain_ids(dir), ids);
    let run = kunci(dir, &["code", "ada", "--at", "1700000000"]).ok();
    assert_eq!(run.stdout.trim(), KEY_AT_1700000000);
}

#[test]
fn hotp_codes_follow_the_counter() {
    require_keyring();
    let tmp = tempdir();
    let dir = tmp.path();
    let args = [
        "add",
        "--secret",
        RFC_KEY,
        "--issuer",
        "RFC 4226",
        "--label",
        "hotp",
        "--counter",
        "0",
    ];
    kunci(dir, &args).ok();
    let (rows, _) = list_json(dir);
    assert_eq!(field(&rows[0], "type"), "hotp");
    assert_eq!(rows[0]["counter"], 0);

    // RFC 4226 Appendix D; each shown code uses up its counter value, whatever --at says.
    let run = kunci(dir, &["code", "hotp"]).ok();
    assert_eq!(run.stdout.trim(), "755224");
    let run = kunci(dir, &["code", "hotp", "--at", "0"]).ok();
    assert_eq!(run.stdout.trim(), "287082");
    let run = kunci(dir, &["code", "RFC 4226"]).ok();
    assert_eq!(run.stdout.trim(), "359152");
    let (rows, _) = list_json(dir);
    assert_eq!(rows[0]["counter"], 3);

    // Starting elsewhere: RFC 4226 counter 9.
    let tmp = tempdir();
    let args = [
        "add",
        "--uri",
        &format!("otpauth://hotp/RFC:nine?secret={RFC_KEY}&counter=9"),
    ];
    kunci(tmp.path(), &args).ok();
    let run = kunci(tmp.path(), &["code", "nine"]).ok();
    assert_eq!(run.stdout.trim(), "520489");
}

/// Runs a command with a failpoint and checks it aborted there.
fn crash_at(dir: &Path, point: &str, args: &[&str]) -> Run {
    let run = kunci_env(dir, args, &[("KUNCI_FAILPOINT", point)]);
    assert_eq!(
        run.status.signal(),
        Some(6),
        "expected an abort (SIGABRT) at {point}: {run:#?}"
    );
    assert!(
        run.stderr.contains(&format!("failpoint {point}")),
        "{run:#?}"
    );
    run
}

fn crash_adding(dir: &Path, point: &str) {
    crash_at(
        dir,
        point,
        &[
            "add", "--secret", KEY, "--issuer", "Crash", "--label", "victim",
        ],
    );
}

fn labels(rows: &[Value]) -> Vec<&str> {
    rows.iter().map(|r| field(r, "label")).collect()
}

/// Checks the next start recovers the interrupted add of "victim" with its secret.
fn assert_victim_recovered(dir: &Path, others: &[&str]) {
    let (rows, run) = list_json(dir);
    assert!(
        run.stderr.contains("recovered") && run.stderr.contains("Crash (victim)"),
        "the next start should say it recovered the account: {run:#?}"
    );
    let mut want: Vec<&str> = others.to_vec();
    want.push("victim");
    assert_eq!(labels(&rows), want);
    let rows = assert_consistent(dir);
    assert_eq!(rows.len(), want.len());
    let run = kunci(dir, &["code", "victim", "--at", "1700000000"]).ok();
    assert_eq!(run.stdout.trim(), KEY_AT_1700000000);
    // Recovered once, not at every start.
    let (_, run) = list_json(dir);
    assert!(!run.stderr.contains("recovered"), "{run:#?}");
}

#[test]
fn crash_before_the_secret_is_stored_adds_nothing() {
    require_keyring();
    let tmp = tempdir();
    let dir = tmp.path();
    crash_adding(dir, "add:before-secret");
    let rows = assert_consistent(dir);
    assert!(rows.is_empty());
    assert!(accounts_in_file(dir).is_empty());
    // The add can simply be repeated.
    add_key(dir, KEY, "Crash", "victim");
    assert_eq!(assert_consistent(dir).len(), 1);
}

#[test]
fn crash_after_the_secret_is_stored_is_recovered_at_the_next_start() {
    require_keyring();
    let tmp = tempdir();
    let dir = tmp.path();
    crash_adding(dir, "add:after-secret");
    assert!(
        accounts_in_file(dir).is_empty(),
        "the crash came before the metadata"
    );
    assert_eq!(keychain_ids(dir).len(), 1, "the secret was stored");
    assert_victim_recovered(dir, &[]);
}

#[test]
fn crash_before_the_metadata_rename_during_an_add_is_recovered() {
    require_keyring();
    let tmp = tempdir();
    let dir = tmp.path();
    add_key(dir, RFC_KEY, "Existing", "first");
    crash_adding(dir, "metadata:before-rename");
    assert_eq!(accounts_in_file(dir).len(), 1);
    assert_eq!(keychain_ids(dir).len(), 2);
    assert_victim_recovered(dir, &["first"]);
    let run = kunci(dir, &["code", "first", "--at", "59"]).ok();
    assert_eq!(run.stdout.trim(), RFC_KEY_AT_59);
}

#[test]
fn crash_before_the_first_metadata_rename_adds_nothing() {
    require_keyring();
    let tmp = tempdir();
    let dir = tmp.path();
    // In a new data dir the first write (the vault id) comes before the secret.
    crash_adding(dir, "metadata:before-rename");
    assert!(assert_consistent(dir).is_empty());
    add_key(dir, KEY, "Crash", "victim");
    assert_eq!(assert_consistent(dir).len(), 1);
}

#[test]
fn crash_after_the_metadata_keeps_the_account() {
    require_keyring();
    let tmp = tempdir();
    let dir = tmp.path();
    crash_adding(dir, "add:after-metadata");
    let (rows, run) = list_json(dir);
    assert!(!run.stderr.contains("recovered"), "{run:#?}");
    assert_eq!(labels(&rows), ["victim"]);
    assert_consistent(dir);
    let run = kunci(dir, &["code", "victim", "--at", "1700000000"]).ok();
    assert_eq!(run.stdout.trim(), KEY_AT_1700000000);
}

/// A data dir with "keep" and "victim", ready for an interrupted removal of "victim".
fn two_accounts(dir: &Path) -> String {
    add_key(dir, RFC_KEY, "Other", "keep");
    add_key(dir, KEY, "Crash", "victim");
    let (rows, _) = list_json(dir);
    let victim = rows.iter().find(|r| field(r, "label") == "victim").unwrap();
    field(victim, "id").to_string()
}

fn crash_removing(dir: &Path, point: &str) {
    crash_at(dir, point, &["remove", "victim", "--yes"]);
}

/// After an interrupted removal: "victim" is gone for good, "keep" works.
fn assert_victim_removed(dir: &Path, victim: &str) {
    let rows = assert_consistent(dir);
    assert_eq!(labels(&rows), ["keep"]);
    assert!(!keychain_ids(dir).contains(&victim.to_string()));
    let run = kunci(dir, &["code", "keep", "--at", "59"]).ok();
    assert_eq!(run.stdout.trim(), RFC_KEY_AT_59);
    let file: Value = serde_json::from_slice(&fs::read(accounts_file(dir)).unwrap()).unwrap();
    assert!(
        file.get("pending_deletes").is_none(),
        "the removal was finished: {file}"
    );
    // It stays gone.
    let (rows, run) = list_json(dir);
    assert_eq!(labels(&rows), ["keep"]);
    assert!(!run.stderr.contains("recovered"), "{run:#?}");
}

#[test]
fn crash_before_the_metadata_rename_during_a_remove_keeps_the_account() {
    require_keyring();
    let tmp = tempdir();
    let dir = tmp.path();
    let victim = two_accounts(dir);
    crash_removing(dir, "metadata:before-rename");
    let rows = assert_consistent(dir);
    assert_eq!(labels(&rows), ["keep", "victim"]);
    let run = kunci(dir, &["code", "victim", "--at", "1700000000"]).ok();
    assert_eq!(run.stdout.trim(), KEY_AT_1700000000);
    // And it can still be removed.
    kunci(dir, &["remove", "victim", "--yes"]).ok();
    assert_victim_removed(dir, &victim);
}

#[test]
fn crash_after_the_metadata_during_a_remove_is_finished_at_the_next_start() {
    require_keyring();
    let tmp = tempdir();
    let dir = tmp.path();
    let victim = two_accounts(dir);
    crash_removing(dir, "remove:after-metadata");
    assert_eq!(accounts_in_file(dir).len(), 1);
    assert!(
        keychain_ids(dir).contains(&victim),
        "the crash came before the keychain entry was deleted"
    );
    assert_victim_removed(dir, &victim);
}

#[test]
fn crash_after_the_secret_during_a_remove_is_finished_at_the_next_start() {
    require_keyring();
    let tmp = tempdir();
    let dir = tmp.path();
    let victim = two_accounts(dir);
    crash_removing(dir, "remove:after-secret");
    assert!(!keychain_ids(dir).contains(&victim));
    assert_victim_removed(dir, &victim);
}

#[test]
fn without_a_keychain_add_refuses_and_list_still_works() {
    require_keyring();
    const NO_BUS: (&str, &str) = ("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent");
    let tmp = tempdir();
    let dir = tmp.path();
    add_key(dir, KEY, "GitHub", "ada");
    let files = snapshot(dir);
    let ids = keychain_ids(dir);

    let add = [
        "add", "--secret", RFC_KEY, "--issuer", "New", "--label", "two",
    ];
    let run = kunci_env(dir, &add, &[NO_BUS]).failed();
    assert!(run.stderr.contains("no keychain is reachable"), "{run:#?}");
    assert!(run.stderr.contains("Nothing was saved"), "{run:#?}");
    assert_eq!(snapshot(dir), files, "a refused add wrote to the data dir");
    assert_eq!(keychain_ids(dir), ids);

    let run = kunci_env(dir, &["list"], &[NO_BUS]).ok();
    assert!(
        run.stdout.contains("GitHub") && run.stdout.contains("ada"),
        "{run:#?}"
    );
    assert!(
        run.stderr.contains("warning") && run.stderr.contains("no keychain"),
        "{run:#?}"
    );
    let run = kunci_env(dir, &["list", "--json"], &[NO_BUS]).ok();
    let rows: Vec<Value> = serde_json::from_str(&run.stdout).expect("list --json still JSON");
    assert_eq!(labels(&rows), ["ada"]);
    let run = kunci_env(dir, &["code", "ada"], &[NO_BUS]).failed();
    assert!(run.stderr.contains("no keychain is reachable"), "{run:#?}");
    assert_eq!(snapshot(dir), files);

    // A new data dir: nothing at all is written.
    let fresh = tempdir();
    let run = kunci_env(fresh.path(), &add, &[NO_BUS]).failed();
    assert!(run.stderr.contains("no keychain is reachable"), "{run:#?}");
    assert!(
        snapshot(fresh.path()).is_empty(),
        "{:?}",
        snapshot(fresh.path()).keys()
    );
}

/// A keychain that is there but locked (gnome-keyring started without a password, no display
/// to prompt on): `add` says so and stores nothing.
#[test]
fn a_locked_keychain_is_named_and_nothing_is_saved() {
    require_keyring();
    let tmp = tempdir();
    let home = tempdir();
    let script = format!(
        "gnome-keyring-daemon --start --components=secrets >/dev/null 2>&1; \
         exec '{KUNCI}' add --secret {KEY} --issuer Locked --label out"
    );
    // A session of its own: nothing of the throwaway keyring around this test may leak in
    // (its runtime dir would let gnome-keyring find and reuse the unlocked daemon).
    let runtime = tempdir();
    fs::set_permissions(runtime.path(), fs::Permissions::from_mode(0o700)).unwrap();
    let out = Command::new("timeout")
        .args(["30", "dbus-run-session", "--", "sh", "-c", &script])
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home.path())
        .env("XDG_RUNTIME_DIR", runtime.path())
        .env("KUNCI_DATA_DIR", tmp.path())
        .stdin(Stdio::null())
        .output()
        .expect("run dbus-run-session");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("the keychain is locked"), "{stderr}");
    assert!(stderr.contains("Nothing was saved"), "{stderr}");
    assert!(
        !tmp.path().join("accounts.json").exists(),
        "a refused add wrote accounts.json"
    );
}

/// Printing into a closed pipe (`kunci drift | head -1`) ends quietly, without a panic.
#[test]
fn a_closed_pipe_is_not_a_panic() {
    let tmp = tempdir();
    // A pipe whose reading end is already closed: every write to it fails with EPIPE.
    let (reader, writer) = std::io::pipe().expect("make a pipe");
    drop(reader);
    let out = Command::new(KUNCI)
        .args(["drift", "--server", "127.0.0.1:9"])
        .env("KUNCI_DATA_DIR", tmp.path())
        .stdin(Stdio::null())
        .stdout(writer)
        .stderr(Stdio::piped())
        .output()
        .expect("run kunci");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
}

/// The words follow the system's language (LANG=id_ID.UTF-8 on an Indonesian desktop), else the
/// language chosen in the settings; exit statuses and `--json` never change with them.
#[test]
fn an_indonesian_system_gets_indonesian_words_and_the_same_exit_status() {
    require_keyring();
    let tmp = tempdir();
    let in_indonesian = |args: &[&str]| {
        let mut cmd = common::command(tmp.path(), args);
        common::in_indonesian(&mut cmd);
        common::run(cmd, RUN_LIMIT)
    };

    let run = in_indonesian(&["code", "nothing-matches"]).failed();
    assert!(
        run.stderr
            .contains("tidak ada akun yang cocok dengan \"nothing-matches\""),
        "{run:#?}"
    );
    assert_eq!(run.stdout, "", "{run:#?}");
    let run = kunci(tmp.path(), &["code", "nothing-matches"]).failed();
    assert!(
        run.stderr
            .contains("no account matches \"nothing-matches\""),
        "the shared runner speaks English: {run:#?}"
    );

    // Refused before the keychain is opened, in Indonesian too.
    let out = tmp.path().join("out.txt");
    let out = out.to_str().unwrap();
    let run = in_indonesian(&[
        "export",
        "--format",
        "uris",
        "--password-file",
        "nothing",
        "--out",
        out,
    ])
    .failed();
    assert!(
        run.stderr.contains("hanya untuk --format kunci"),
        "{run:#?}"
    );

    add_key(tmp.path(), KEY, "LPSE Kota Bandung", "penyedia01");
    let run = in_indonesian(&["list", "--json"]).ok();
    let rows: Vec<Value> = serde_json::from_str(&run.stdout).expect("list --json is JSON");
    assert_eq!(field(&rows[0], "label"), "penyedia01", "{run:#?}");
    let run = in_indonesian(&[
        "add",
        "--secret",
        KEY,
        "--issuer",
        "LPSE Kota Bandung",
        "--label",
        "penyedia01",
    ])
    .failed();
    assert!(
        run.stderr
            .contains("sudah ada dengan kunci rahasia yang sama"),
        "{run:#?}"
    );

    // A language chosen in the settings wins over the system's.
    fs::write(tmp.path().join("settings.json"), r#"{"language": "id"}"#).unwrap();
    let run = kunci(tmp.path(), &["code", "nothing-matches"]).failed();
    assert!(run.stderr.contains("tidak ada akun yang cocok"), "{run:#?}");
}

/// Another process holding the data directory's lock (here, this test) is given up on after a
/// few seconds, with words that say who may hold it; before, the command waited for ever.
#[test]
fn a_held_lock_is_answered_with_a_message_within_seconds() {
    require_keyring();
    let tmp = tempdir();
    let dir = tmp.path();
    add_key(dir, KEY, "Held", "first").ok();
    let lock = fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(dir.join("accounts.lock"))
        .expect("the lock file exists after an add");
    lock.lock().expect("take the lock");
    let start = std::time::Instant::now();
    let run = kunci(
        dir,
        &[
            "add", "--secret", RFC_KEY, "--issuer", "Held", "--label", "second",
        ],
    );
    let waited = start.elapsed();
    assert!(!run.status.success(), "{run:#?}");
    assert!(
        waited < Duration::from_secs(10),
        "answered after {waited:?}"
    );
    assert!(run.stderr.contains("in use by another Kunci"), "{run:#?}");
    drop(lock);
    add_key(dir, RFC_KEY, "Held", "second").ok();
}

/// Runs `kunci ARGS` with `input` on its standard input.
fn kunci_with_input(dir: &Path, args: &[&str], input: &str) -> Run {
    let file = dir.with_extension("stdin");
    fs::write(&file, input).expect("write the input");
    let mut cmd = common::command(dir, args);
    cmd.stdin(fs::File::open(&file).expect("open the input"));
    let run = common::run(cmd, RUN_LIMIT);
    let _ = fs::remove_file(&file);
    run
}

/// `--secret -` and `--uri -` read the key from standard input, so that it is in neither the
/// process list nor the shell's history; without a value and without a terminal, the command
/// says how to give it and adds nothing. (Before, `-` was taken as the key itself.)
#[test]
fn setup_keys_and_uris_come_from_standard_input() {
    require_keyring();
    let tmp = tempdir();
    let dir = tmp.path().join("data");
    let run = kunci_with_input(
        &dir,
        &[
            "add", "--secret", "-", "--issuer", "Piped", "--label", "key",
        ],
        &format!("{RFC_KEY}\n"),
    );
    assert!(run.status.success(), "{run:#?}");
    let code = kunci(&dir, &["code", "Piped", "--at", "59"]).ok();
    assert_eq!(code.stdout.trim(), RFC_KEY_AT_59);

    let uri = format!("otpauth://totp/Piped:uri?secret={KEY}");
    let run = kunci_with_input(&dir, &["add", "--uri", "-"], &format!("{uri}\r\n"));
    assert!(run.status.success(), "{run:#?}");
    let code = kunci(&dir, &["code", "Piped:uri", "--at", "1700000000"]).ok();
    assert_eq!(code.stdout.trim(), KEY_AT_1700000000);

    // No value, no terminal: told how, nothing added.
    let before = snapshot(&dir);
    let run = kunci(&dir, &["add", "--secret", "--issuer", "X", "--label", "y"]);
    assert_eq!(run.status.code(), Some(1), "{run:#?}");
    assert!(run.stderr.contains("--secret -"), "{run:#?}");
    let run = kunci_with_input(&dir, &["add", "--uri", "-"], "");
    assert_eq!(run.status.code(), Some(1), "{run:#?}");
    assert_eq!(snapshot(&dir), before, "a refused add changes nothing");
}

/// On a terminal, a missing key is asked for and not echoed (`script` gives the command a
/// terminal and records what it shows).
#[test]
fn a_missing_key_is_asked_for_on_a_terminal_without_echo() {
    require_keyring();
    let Some(script) = common::find_on_path("script") else {
        panic!("`script` (util-linux) is needed to give kunci a terminal");
    };
    let tmp = tempdir();
    let dir = tmp.path().join("data");
    let input = tmp.path().join("typed");
    fs::write(&input, format!("{RFC_KEY}\n")).expect("write");
    let command = format!("{KUNCI} add --secret --issuer Typed --label key; echo \"exit=$?\"");
    // The key is typed a moment later, as a person would: what the terminal shows after the
    // prompt must not hold it.
    let typing = format!(
        "(sleep 2; cat '{}') | '{}' -q -e -c '{command}' /dev/null",
        input.display(),
        script.display()
    );
    let mut cmd = Command::new("sh");
    cmd.args(["-c", &typing]).env("KUNCI_DATA_DIR", &dir);
    common::in_english(&mut cmd);
    let run = common::run(cmd, RUN_LIMIT);
    let prompt = "Setup key (not shown as you type):";
    let after = run.stdout.split_once(prompt).map(|(_, after)| after);
    assert!(after.is_some(), "no prompt: {run:#?}");
    assert!(run.stdout.contains("exit=0"), "{run:#?}");
    assert!(
        !after.unwrap_or_default().contains(RFC_KEY),
        "the key was echoed: {run:#?}"
    );
    let code = kunci(&dir, &["code", "Typed", "--at", "59"]).ok();
    assert_eq!(code.stdout.trim(), RFC_KEY_AT_59);
}

/// `accounts.json` and its backup both lost, the list's id with them: the keychain still holds
/// every account's secret (with its URI), `kunci list` says so, and `kunci recover` brings the
/// accounts back. Before, a new list was made and the old entries were orphaned for good.
#[test]
fn a_lost_account_list_comes_back_from_the_keychain() {
    require_keyring();
    let tmp = tempdir();
    let dir = tmp.path();
    add_key(dir, KEY, "LPSE Kota Bandung", "budi");
    add_key(dir, RFC_KEY, "GitHub", "ada");
    let list = vault(dir).expect("the list's id");
    for file in ["accounts.json", "accounts.json.bak"] {
        fs::write(dir.join(file), b"\0\0\0\0").expect("damage");
    }
    let listed = kunci(dir, &["list"]).ok();
    assert!(
        listed.stderr.contains(&format!("kunci recover {list}")),
        "{listed:#?}"
    );
    // Only where the user looks at the list: finding the other lists reads every one of
    // Kunci's keychain entries, not worth doing before every command.
    let other = kunci(dir, &["code", "budi"]);
    assert!(!other.stderr.contains("kunci recover"), "{other:#?}");
    // Other tests' lists share this keyring: ours is among those offered.
    let lists = kunci(dir, &["recover"]).ok();
    assert!(
        lists.stdout.contains(&format!("list {list}: 2 account(s)")),
        "{lists:#?}"
    );
    let refused = kunci(dir, &["recover", &list]);
    assert!(!refused.status.success(), "asks first: {refused:#?}");
    let back = kunci(dir, &["recover", &list, "--yes"]).ok();
    assert!(back.stdout.contains("brought back 2"), "{back:#?}");
    let code = kunci(dir, &["code", "budi", "--at", "1700000000"]).ok();
    assert_eq!(code.stdout.trim(), KEY_AT_1700000000);
    let code = kunci(dir, &["code", "ada", "--at", "59"]).ok();
    assert_eq!(code.stdout.trim(), RFC_KEY_AT_59);
}
