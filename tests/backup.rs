//! Backups and exports through the real `kunci` binary and a real Secret Service keychain:
//! every format round-trips (export, wipe the data dir and the keychain entries, import) to
//! identical codes; wrong passphrases and damaged backups are clear errors that import nothing;
//! unencrypted files are owner-only, announced, and never written over without `--force`; no
//! secret reaches the terminal.
//!
//! These tests write to the keychain, so they refuse to run outside a throwaway keyring:
//! run them with `scripts/with-keyring cargo test --test backup` (or `scripts/test`).
#![cfg(target_os = "linux")]

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use data_encoding::BASE64;
use kunci::store::{Keychain, SecretStore};
use serde_json::Value;

mod common;
use common::Run;

fn require_keyring() {
    common::require_keyring(HOW_TO_RUN);
}

fn tempdir() -> tempfile::TempDir {
    common::tempdir("kunci-backup-")
}

/// Runs `kunci ARGS` on data dir `dir` within [`RUN_LIMIT`].
fn kunci(dir: &Path, args: &[&str]) -> Run {
    common::run(common::command(dir, args), RUN_LIMIT)
}

const HOW_TO_RUN: &str = "these tests write secrets to the Secret Service keychain and must run \
     in a throwaway keyring: scripts/with-keyring cargo test --test backup (or scripts/test)";
/// Longest a single `kunci` run may take before the test fails.
const RUN_LIMIT: Duration = Duration::from_secs(60);
const PASSPHRASE: &str = "kuda lumping 7 ekor";

/// The accounts every round trip carries: (issuer, secret, extra `kunci add` arguments).
const ACCOUNTS: &[(&str, &str, &[&str])] = &[
    (
        "Sha1Six",
        "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ",
        &["--algorithm", "SHA1", "--digits", "6", "--period", "30"],
    ),
    (
        "Sha256Seven",
        "HXDMVJECJJWSRB3HWIZR4IFUGFTMXBOZ",
        &["--algorithm", "SHA256", "--digits", "7", "--period", "60"],
    ),
    (
        "Sha512Eight",
        "MFRGGZDFMZTWQ2LKNNWG23TPOBYXE43UMFRGGZDFMZTWQ2LKNNWG23TPOBYXE43U",
        &["--algorithm", "SHA512", "--digits", "8", "--period", "30"],
    ),
    (
        "Sha1EightSixty",
        "KRUGS4ZANFZSAYJAORSXG5BAONSWG4TF",
        &["--algorithm", "SHA1", "--digits", "8", "--period", "60"],
    ),
    (
        "Counter",
        "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP",
        &["--algorithm", "SHA256", "--digits", "6", "--counter", "5"],
    ),
];
/// The Unix times the TOTP codes are compared at.
const TIMES: &[u64] = &[59, 1_111_111_109, 1_700_000_000, 2_000_000_000];

/// Checks no secret of [`ACCOUNTS`] was printed.
trait LeaksNothing {
    fn leaks_nothing(self) -> Run;
}

impl LeaksNothing for Run {
    fn leaks_nothing(self) -> Run {
        let all = self.all();
        for (issuer, secret, _) in ACCOUNTS {
            assert!(
                !all.contains(secret) && !all.contains(&secret.to_lowercase()),
                "the secret of {issuer} was printed: {self:#?}"
            );
        }
        self
    }
}

fn add_accounts(dir: &Path) {
    for (issuer, secret, extra) in ACCOUNTS {
        let mut args = vec![
            "add", "--secret", secret, "--issuer", issuer, "--label", "budi",
        ];
        args.extend_from_slice(extra);
        kunci(dir, &args).ok();
    }
}

/// Every account's codes: TOTP ones at [`TIMES`], the HOTP one once (which uses it up).
fn codes(dir: &Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (issuer, _, extra) in ACCOUNTS {
        let times: &[u64] = if extra.contains(&"--counter") {
            &[0]
        } else {
            TIMES
        };
        for t in times {
            let code = kunci(dir, &["code", issuer, "--at", &t.to_string()]).ok();
            out.push((format!("{issuer}@{t}"), code.stdout.trim().to_string()));
        }
    }
    out
}

fn list(dir: &Path) -> Vec<Value> {
    let run = kunci(dir, &["list", "--json"]).ok();
    serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("list --json printed invalid JSON ({e}): {run:#?}"))
}

/// The keychain entries of this data dir (none when it has no vault yet).
fn keychain_ids(dir: &Path) -> Vec<String> {
    let Ok(bytes) = fs::read(dir.join("accounts.json")) else {
        return Vec::new();
    };
    let v: Value = serde_json::from_slice(&bytes).expect("accounts.json is JSON");
    let Some(vault) = v["vault"].as_str() else {
        return Vec::new();
    };
    let keychain = Keychain::connect().unwrap_or_else(|e| panic!("{e}; {HOW_TO_RUN}"));
    keychain
        .ids(vault)
        .expect("list the keychain")
        .expect("the Secret Service can list entries")
        .iter()
        .map(ToString::to_string)
        .collect()
}

fn password_file(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    fs::write(&path, format!("{text}\n")).expect("write the password file");
    path
}

fn mode(path: &Path) -> u32 {
    fs::metadata(path)
        .expect("the exported file")
        .permissions()
        .mode()
        & 0o777
}

/// What the user made of [`ACCOUNTS`]: their order in the list (issuers), notes and pins.
const MADE: &[(&str, &str, bool)] = &[
    ("Counter", "token kantor \"pusat\"", true),
    ("Sha512Eight", "", true),
    ("Sha1Six", "LPSE Kota Bandung — penyedia", false),
    ("Sha1EightSixty", "", false),
    ("Sha256Seven", "cadangan", false),
];

/// Sets the notes, pins and order of [`MADE`] in `accounts.json` (the CLI has no commands for
/// them; the window writes the same fields).
fn make_notes_pins_and_order(dir: &Path) {
    let path = dir.join("accounts.json");
    let mut v: Value = serde_json::from_slice(&fs::read(&path).expect("accounts.json"))
        .expect("accounts.json is JSON");
    let accounts = v["accounts"].as_array().expect("an accounts list").clone();
    let ordered: Vec<Value> = MADE
        .iter()
        .map(|(issuer, note, pinned)| {
            let mut a = accounts
                .iter()
                .find(|a| a["issuer"] == *issuer)
                .unwrap_or_else(|| panic!("{issuer} in accounts.json"))
                .clone();
            a["note"] = (*note).into();
            a["pinned"] = (*pinned).into();
            a
        })
        .collect();
    v["accounts"] = ordered.into();
    fs::write(&path, serde_json::to_vec_pretty(&v).expect("JSON")).expect("write accounts.json");
}

/// Issuer, note and pin of every account of `dir`, in list order.
fn made(dir: &Path) -> Vec<(String, String, bool)> {
    list(dir)
        .iter()
        .map(|a| {
            (
                a["issuer"].as_str().expect("issuer").to_string(),
                a["note"]
                    .as_str()
                    .expect("list --json has note")
                    .to_string(),
                a["pinned"].as_bool().expect("list --json has pinned"),
            )
        })
        .collect()
}

fn made_expected() -> Vec<(String, String, bool)> {
    MADE.iter()
        .map(|(i, n, p)| (i.to_string(), n.to_string(), *p))
        .collect()
}

/// A data dir with [`ACCOUNTS`] as [`MADE`], exported to `file` in `format`.
fn exported(work: &Path, format: &str, file: &Path) -> (PathBuf, Run) {
    let old = work.join("old");
    add_accounts(&old);
    make_notes_pins_and_order(&old);
    assert_eq!(made(&old), made_expected());
    let out = file.to_str().expect("UTF-8 path");
    let mut args = vec!["export", "--format", format, "--out", out];
    let pw = password_file(work, "pw", PASSPHRASE);
    if format == "kunci" {
        args.extend_from_slice(&["--password-file", pw.to_str().expect("UTF-8 path")]);
    }
    let run = kunci(&old, &args).ok().leaks_nothing();
    assert!(
        run.stdout
            .contains(&format!("exported {} account(s)", ACCOUNTS.len())),
        "{run:#?}"
    );
    assert_eq!(mode(file), 0o600, "{format} export is not owner-only");
    (old, run)
}

/// Export → codes → wipe (remove every account and its keychain entry) → import into a new data
/// dir → the same codes.
fn round_trip(format: &str) {
    require_keyring();
    let work = tempdir();
    let file = work.path().join(format!("export.{format}"));
    let (old, run) = exported(work.path(), format, &file);
    let unencrypted = format != "kunci";
    assert_eq!(
        run.stderr.contains("NOT encrypted"),
        unencrypted,
        "warning about an unencrypted file: {run:#?}"
    );
    let before = codes(&old);
    let made_before = made(&old);

    for (issuer, _, _) in ACCOUNTS {
        kunci(&old, &["remove", issuer, "--yes"]).ok();
    }
    assert!(list(&old).is_empty());
    assert!(keychain_ids(&old).is_empty(), "keychain entries left");

    let new = work.path().join("new");
    let path = file.to_str().expect("UTF-8 path");
    let pw = password_file(work.path(), "pw", PASSPHRASE);
    let mut args = vec!["import", path, "--yes"];
    if !unencrypted {
        args.extend_from_slice(&["--password-file", pw.to_str().expect("UTF-8 path")]);
    }
    let run = kunci(&new, &args).ok().leaks_nothing();
    assert!(
        run.stdout
            .contains(&format!("added {} account(s)", ACCOUNTS.len())),
        "{run:#?}"
    );
    assert_eq!(list(&new).len(), ACCOUNTS.len());
    assert_eq!(keychain_ids(&new).len(), ACCOUNTS.len());
    assert_eq!(codes(&new), before, "codes differ after the round trip");
    let made_after = made(&new);
    if format == "uris" {
        // A URI list has no notes or pins; the order is kept.
        let order = |m: &[(String, String, bool)]| -> Vec<String> {
            m.iter().map(|(issuer, _, _)| issuer.clone()).collect()
        };
        assert_eq!(order(&made_after), order(&made_before));
    } else {
        assert_eq!(made_after, made_before, "notes, pins or order lost");
    }
}

#[test]
fn a_kunci_backup_restores_every_account_with_identical_codes() {
    round_trip("kunci");
}

#[test]
fn a_uri_list_restores_every_account_with_identical_codes() {
    round_trip("uris");
}

#[test]
fn an_aegis_vault_restores_every_account_with_identical_codes() {
    round_trip("aegis");
}

/// Imports `file` into a fresh data dir with `passphrase`; it must fail, add nothing, and say
/// `expected`.
fn import_fails(work: &Path, file: &Path, passphrase: &str, expected: &str) {
    let new = tempfile::Builder::new()
        .prefix("new-")
        .tempdir_in(work)
        .expect("a new data dir");
    let pw = password_file(work, "attempt", passphrase);
    let run = kunci(
        new.path(),
        &[
            "import",
            file.to_str().expect("UTF-8 path"),
            "--yes",
            "--password-file",
            pw.to_str().expect("UTF-8 path"),
        ],
    )
    .failed()
    .leaks_nothing();
    assert!(run.stderr.contains(expected), "{run:#?}");
    assert!(!run.stdout.contains("added"), "{run:#?}");
    assert!(list(new.path()).is_empty());
    assert!(keychain_ids(new.path()).is_empty());
}

#[test]
fn a_wrong_passphrase_is_a_clear_error_and_imports_nothing() {
    require_keyring();
    let work = tempdir();
    let file = work.path().join("backup.kunci");
    exported(work.path(), "kunci", &file);
    import_fails(
        work.path(),
        &file,
        "kuda lumping 8 ekor",
        "wrong password for this Kunci backup file",
    );
}

#[test]
fn a_truncated_or_altered_backup_is_a_clear_error_and_imports_nothing() {
    require_keyring();
    let work = tempdir();
    let file = work.path().join("backup.kunci");
    exported(work.path(), "kunci", &file);
    let bytes = fs::read(&file).expect("the backup");

    let damaged = "this Kunci backup file is damaged or incomplete";
    for len in [bytes.len() / 3, bytes.len() - 5] {
        let cut = work.path().join(format!("cut-{len}.kunci"));
        fs::write(&cut, &bytes[..len]).expect("write the cut file");
        import_fails(work.path(), &cut, PASSPHRASE, damaged);
    }

    // One bit of the ciphertext flipped: the passphrase is right, the AEAD refuses.
    let mut v: Value = serde_json::from_slice(&bytes).expect("the backup is JSON");
    let mut ciphertext = BASE64
        .decode(v["ciphertext"].as_str().expect("ciphertext").as_bytes())
        .expect("base64");
    let middle = ciphertext.len() / 2;
    ciphertext[middle] ^= 0x10;
    v["ciphertext"] = BASE64.encode(&ciphertext).into();
    let flipped = work.path().join("flipped.kunci");
    fs::write(&flipped, serde_json::to_vec(&v).expect("JSON")).expect("write");
    import_fails(work.path(), &flipped, PASSPHRASE, damaged);

    // One bit flipped in the raw file, inside the base64 text (a letter to another letter).
    let start = String::from_utf8_lossy(&bytes)
        .find("\"ciphertext\": \"")
        .expect("ciphertext field")
        + 20;
    let at = (start..bytes.len())
        .find(|&i| bytes[i].is_ascii_lowercase() && (bytes[i] ^ 1).is_ascii_lowercase())
        .expect("a letter");
    let mut raw = bytes.clone();
    raw[at] ^= 1;
    let raw_file = work.path().join("raw-flip.kunci");
    fs::write(&raw_file, &raw).expect("write");
    import_fails(work.path(), &raw_file, PASSPHRASE, damaged);
}

#[test]
fn unencrypted_exports_are_never_written_over_without_force() {
    require_keyring();
    let work = tempdir();
    let file = work.path().join("export.txt");
    let (old, _) = exported(work.path(), "uris", &file);
    fs::write(&file, "keep me").expect("write");
    let out = file.to_str().expect("UTF-8 path");
    for format in ["uris", "aegis", "kunci"] {
        let run = kunci(&old, &["export", "--format", format, "--out", out])
            .failed()
            .leaks_nothing();
        assert!(run.stderr.contains("already exists"), "{run:#?}");
    }
    assert_eq!(fs::read_to_string(&file).expect("read"), "keep me");
    let run = kunci(
        &old,
        &["export", "--format", "aegis", "--out", out, "--force"],
    )
    .ok()
    .leaks_nothing();
    assert!(run.stderr.contains("NOT encrypted"), "{run:#?}");
    assert_eq!(mode(&file), 0o600);
    assert!(fs::read_to_string(&file).expect("read").contains("\"db\""));
}

#[test]
fn a_backup_needs_a_passphrase_and_is_the_default_format() {
    require_keyring();
    let work = tempdir();
    let file = work.path().join("unused");
    let (old, _) = exported(work.path(), "uris", &file);
    let out = work.path().join("backup.kunci");
    let out_str = out.to_str().expect("UTF-8 path");

    // No --format and no terminal: the default is the encrypted backup, which needs a passphrase.
    let run = kunci(&old, &["export", "--out", out_str]).failed();
    assert!(run.stderr.contains("--password-file"), "{run:#?}");
    let empty = password_file(work.path(), "empty", "");
    let run = kunci(
        &old,
        &[
            "export",
            "--out",
            out_str,
            "--password-file",
            empty.to_str().expect("UTF-8 path"),
        ],
    )
    .failed();
    assert!(run.stderr.contains("passphrase is empty"), "{run:#?}");
    // A password file with an unencrypted format is a misunderstanding, not a silent plain file.
    let pw = password_file(work.path(), "pw2", PASSPHRASE);
    let pw = pw.to_str().expect("UTF-8 path");
    let run = kunci(
        &old,
        &[
            "export",
            "--format",
            "uris",
            "--out",
            out_str,
            "--password-file",
            pw,
        ],
    )
    .failed();
    assert!(run.stderr.contains("not encrypted"), "{run:#?}");
    assert!(!out.exists(), "a file was written");

    let run = kunci(&old, &["export", "--out", out_str, "--password-file", pw])
        .ok()
        .leaks_nothing();
    assert!(!run.stderr.contains("NOT encrypted"), "{run:#?}");
    assert_eq!(mode(&out), 0o600);
    let text = fs::read_to_string(&out).expect("read");
    let v: Value = serde_json::from_str(&text).expect("the backup is JSON");
    assert_eq!(v["kunci_backup"], 1);
    assert_eq!(v["kdf"]["algorithm"], "argon2id");
    assert_eq!(v["kdf"]["m_cost_kib"], 65536);
    for (issuer, secret, _) in ACCOUNTS {
        assert!(!text.contains(secret) && !text.contains(issuer), "{text}");
    }
}
