//! Importers on the real export files in the shared `import-samples` folder, and `kunci import`.
//!
//! The library tests need only the samples (`$KUNCI_SHARED_DIR/import-samples`, else
//! `../shared/import-samples`); they fail when the folder is missing. The command-line tests
//! write to the Secret Service keychain, so they refuse to run outside a throwaway keyring:
//! run them with `scripts/with-keyring cargo test --test import` (or `scripts/test`).

use std::path::{Path, PathBuf};
use std::time::Duration;

use kunci::import::{ImportError, Imported, SkipReason, import_file};
use kunci::otp::{self, Kind, OtpUri};
use serde_json::Value;

mod common;
use common::Run;

fn require_keyring() {
    common::require_keyring(HOW_TO_RUN);
}

/// Runs `kunci ARGS` on data dir `dir` within [`RUN_LIMIT`].
fn kunci(dir: &Path, args: &[&str]) -> Run {
    common::run(common::command(dir, args), RUN_LIMIT)
}

const HOW_TO_RUN: &str = "these tests write secrets to the Secret Service keychain and must run \
     in a throwaway keyring: scripts/with-keyring cargo test --test import (or scripts/test)";
const RUN_LIMIT: Duration = Duration::from_secs(60);

/// Every sample: file, format name, password, accounts expected, Steam entries skipped.
const SAMPLES: &[(&str, &str, Option<&str>, usize, usize)] = &[
    ("plain.txt", "otpauth URI list", None, 6, 1),
    ("aegis_plain.json", "Aegis", None, 6, 1),
    ("aegis_encrypted.json", "Aegis", Some("test"), 6, 1),
    ("2fas_authenticator_plain.2fas", "2FAS", None, 4, 0),
    (
        "2fas_authenticator_encrypted.2fas",
        "2FAS",
        Some("test"),
        4,
        0,
    ),
    ("bitwarden.json", "Bitwarden", None, 3, 1),
    ("andotp_plain.json", "andOTP", None, 6, 1),
    ("freeotp_plus.json", "FreeOTP+", None, 6, 0),
];

fn samples_dir() -> PathBuf {
    let shared = match std::env::var_os("KUNCI_SHARED_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared"),
    };
    shared.join("import-samples")
}

fn sample(name: &str) -> Vec<u8> {
    let path = samples_dir().join(name);
    std::fs::read(&path).unwrap_or_else(|e| {
        panic!(
            "cannot read {} ({e}); the shared import samples are required (set KUNCI_SHARED_DIR)",
            path.display()
        )
    })
}

fn sample_text(name: &str) -> String {
    String::from_utf8(sample(name)).expect("samples are UTF-8")
}

/// The accounts of `plain.txt` that Kunci can hold (all but the Steam one).
fn reference() -> Vec<OtpUri> {
    sample_text("plain.txt")
        .lines()
        .filter(|l| l.starts_with("otpauth://totp/") || l.starts_with("otpauth://hotp/"))
        .map(|l| OtpUri::parse(l).expect("plain.txt is valid"))
        .collect()
}

fn name(uri: &OtpUri) -> String {
    format!("{}:{}", uri.issuer.as_deref().unwrap_or(""), uri.label)
}

/// Checks `got` against the reference account of the same name, field by field. The 2FAS
/// samples (schema 2) have no token type, so their HOTP accounts come in as TOTP: `loose_kind`
/// leaves kind, period and counter out for those.
fn assert_matches_reference(file: &str, got: &OtpUri, loose_kind: bool) {
    let reference = reference();
    let want = reference
        .iter()
        .find(|r| name(r) == name(got))
        .unwrap_or_else(|| panic!("{file}: {} is not in plain.txt", name(got)));
    assert_eq!(got.issuer, want.issuer, "{file}: {}", name(got));
    assert_eq!(got.label, want.label, "{file}: {}", name(got));
    assert!(got.secret == want.secret, "{file}: secret of {}", name(got));
    let (g, w) = (&got.params, &want.params);
    assert_eq!(g.algorithm, w.algorithm, "{file}: {}", name(got));
    assert_eq!(g.digits, w.digits, "{file}: {}", name(got));
    if loose_kind && w.kind == Kind::Hotp {
        return;
    }
    assert_eq!(g.kind, w.kind, "{file}: {}", name(got));
    match w.kind {
        Kind::Totp => assert_eq!(g.period, w.period, "{file}: {}", name(got)),
        Kind::Hotp => assert_eq!(g.counter, w.counter, "{file}: {}", name(got)),
    }
}

fn import(name: &str, password: Option<&str>) -> (&'static str, Imported) {
    import_file(&sample(name), password).unwrap_or_else(|e| panic!("{name}: {e}"))
}

#[test]
fn every_sample_imports_to_the_accounts_of_plain_txt() {
    for &(file, format, password, accounts, steam) in SAMPLES {
        let (found, got) = import(file, password);
        assert_eq!(found, format, "{file}");
        assert_eq!(got.accounts.len(), accounts, "{file}: {:?}", got.skipped);
        assert_eq!(got.skipped.len(), steam, "{file}: {:?}", got.skipped);
        for why in &got.skipped {
            assert_eq!(why.reason, SkipReason::Steam, "{file}: {why}");
            assert!(why.to_string().contains("Steam"), "{file}: {why}");
        }
        for account in &got.accounts {
            assert_matches_reference(file, account, format == "2FAS");
        }
    }
}

#[test]
fn formats_holding_everything_give_all_six_accounts() {
    let want: Vec<String> = reference().iter().map(name).collect();
    for file in [
        "plain.txt",
        "aegis_plain.json",
        "aegis_encrypted.json",
        "andotp_plain.json",
    ] {
        let password = (file == "aegis_encrypted.json").then_some("test");
        let got: Vec<String> = import(file, password).1.accounts.iter().map(name).collect();
        assert_eq!(got, want, "{file}");
    }
}

#[test]
fn imported_accounts_make_the_same_codes_as_plain_txt() {
    let reference = reference();
    let (_, got) = import("aegis_encrypted.json", Some("test"));
    for (a, r) in got.accounts.iter().zip(&reference) {
        for t in [0, 59, 1_700_000_000] {
            assert_eq!(
                otp::generate(&a.secret, &a.params, t).ok(),
                otp::generate(&r.secret, &r.params, t).ok(),
                "{}",
                name(a)
            );
        }
    }
}

#[test]
fn a_wrong_password_imports_nothing() {
    for file in ["aegis_encrypted.json", "2fas_authenticator_encrypted.2fas"] {
        for wrong in ["", "Test", "test ", "wrong"] {
            let result = import_file(&sample(file), Some(wrong));
            assert!(
                matches!(result, Err(ImportError::WrongPassword { .. })),
                "{file} with {wrong:?}: {result:?}"
            );
        }
    }
}

#[test]
fn an_encrypted_file_without_a_password_needs_one() {
    for file in ["aegis_encrypted.json", "2fas_authenticator_encrypted.2fas"] {
        let result = import_file(&sample(file), None);
        assert!(
            matches!(result, Err(ImportError::NeedsPassword { .. })),
            "{file}: {result:?}"
        );
    }
}

#[test]
fn truncated_files_are_clear_errors() {
    for &(file, _, password, accounts, _) in SAMPLES {
        let bytes = sample(file);
        for cut in [bytes.len() / 3, bytes.len() / 2, bytes.len() - 3] {
            let result = import_file(&bytes[..cut], password);
            if file == "plain.txt" {
                // A list cut short is still a list: fewer accounts, the cut line skipped.
                let (_, got) = result.unwrap_or_else(|e| panic!("{file} cut at {cut}: {e}"));
                assert!(got.accounts.len() <= accounts, "{file} cut at {cut}");
            } else {
                assert!(
                    matches!(result, Err(ImportError::Damaged { .. })),
                    "{file} cut at {cut}: {result:?}"
                );
                let message = result.err().map(|e| e.to_string()).unwrap_or_default();
                assert!(message.contains("damaged"), "{message}");
            }
        }
    }
}

/// Replaces one character in the middle of the JSON string value of `key`.
fn flip_in_string(text: &str, key: &str) -> String {
    let start = text.find(&format!("\"{key}\"")).expect("key present") + key.len() + 2;
    let open = start + text[start..].find('"').expect("a string value") + 1;
    let middle = open + 40;
    let old = &text[middle..middle + 1];
    let new = if old == "A" { "B" } else { "A" };
    format!("{}{new}{}", &text[..middle], &text[middle + 1..])
}

#[test]
fn corrupted_encrypted_files_with_the_right_password_are_damaged() {
    for (file, key) in [
        ("aegis_encrypted.json", "db"),
        ("2fas_authenticator_encrypted.2fas", "servicesEncrypted"),
    ] {
        let corrupted = flip_in_string(&sample_text(file), key);
        let result = import_file(corrupted.as_bytes(), Some("test"));
        assert!(
            matches!(result, Err(ImportError::Damaged { .. })),
            "{file}: {result:?}"
        );
    }
}

#[test]
fn corrupted_json_is_damaged_and_garbage_is_unknown() {
    for &(file, _, password, _, _) in SAMPLES {
        if file == "plain.txt" {
            continue;
        }
        let broken = sample_text(file).replacen(':', ";", 2);
        let result = import_file(broken.as_bytes(), password);
        assert!(
            matches!(result, Err(ImportError::Damaged { .. })),
            "{file}: {result:?}"
        );
    }
    let garbage: Vec<u8> = (0..4096u32).map(|i| (i * 7919 % 251) as u8).collect();
    assert!(matches!(
        import_file(&garbage, None),
        Err(ImportError::UnknownFormat)
    ));
}

#[test]
fn one_bad_entry_among_good_ones_keeps_the_good_ones() {
    // Deno:Mason's secret, damaged in each file's own way.
    let deno = "4SJHB4GSD43FZBAI7C2HLRJGPQ";
    for &(file, _, password, accounts, steam) in SAMPLES {
        if password.is_some() {
            continue;
        }
        let text = sample_text(file);
        let broken = if file == "freeotp_plus.json" {
            text.replacen("[-28,-110,112", "[-28,-110,1120", 1)
        } else {
            text.replacen(deno, "4SJHB4GSD43FZ1AI7C2HLRJGPQ", 1)
        };
        assert_ne!(broken, text, "{file}: the secret was not found");
        let (_, got) =
            import_file(broken.as_bytes(), None).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_eq!(
            got.accounts.len(),
            accounts - 1,
            "{file}: {:?}",
            got.skipped
        );
        assert_eq!(got.skipped.len(), steam + 1, "{file}: {:?}", got.skipped);
        assert!(
            // URI lists name the line, Bitwarden the item ("Test 1"), the others the account.
            got.skipped
                .iter()
                .map(ToString::to_string)
                .any(|why| why.contains("Mason")
                    || why.starts_with("line 1:")
                    || why.starts_with("entry 1 (Test 1)")),
            "{file}: {:?}",
            got.skipped
        );
        for why in got.skipped.iter().map(ToString::to_string) {
            assert!(!why.contains("4SJHB4GSD43FZ"), "{file}: a secret in {why}");
            assert!(!why.contains("'1'"), "{file}: a secret's letter in {why}");
        }
        assert!(
            got.accounts.iter().all(|a| name(a) != "Deno:Mason"),
            "{file}"
        );
    }
}

// ---- the command line ----

fn tempdir() -> tempfile::TempDir {
    common::tempdir("kunci-import-")
}

fn sample_path(name: &str) -> String {
    let path = samples_dir().join(name);
    assert!(
        path.exists(),
        "{} is missing; set KUNCI_SHARED_DIR",
        path.display()
    );
    path.display().to_string()
}

fn password_file(dir: &Path, password: &str) -> String {
    let path = dir.join("password.txt");
    std::fs::write(&path, format!("{password}\n")).expect("write the password file");
    path.display().to_string()
}

fn names_in_kunci(dir: &Path) -> Vec<String> {
    let run = kunci(dir, &["list", "--json"]).ok();
    let rows: Vec<Value> = serde_json::from_str(&run.stdout).expect("list --json is JSON");
    rows.iter()
        .map(|r| {
            format!(
                "{}:{}",
                r["issuer"].as_str().unwrap_or(""),
                r["label"].as_str().unwrap_or("")
            )
        })
        .collect()
}

fn assert_no_secret_in(run: &Run) {
    let all = format!("{}\n{}", run.stdout, run.stderr);
    for uri in reference() {
        let secret = uri.secret.to_base32();
        assert!(
            !all.contains(secret.as_str()),
            "a secret was printed: {run:#?}"
        );
    }
    assert!(
        !all.contains("JRZCL47CMXVOQMNPZR2F7J4RGI"),
        "the Steam secret was printed"
    );
}

#[test]
fn cli_imports_an_encrypted_aegis_vault_and_then_finds_duplicates() {
    require_keyring();
    let tmp = tempdir();
    let dir = tmp.path().join("data");
    let pw = password_file(tmp.path(), "test");
    let run = kunci(
        &dir,
        &[
            "import",
            &sample_path("aegis_encrypted.json"),
            "--password-file",
            &pw,
            "--yes",
        ],
    )
    .ok();
    assert!(run.stdout.contains("to add (6)"), "{run:#?}");
    assert!(
        run.stdout.contains("skipped (1)") && run.stdout.contains("Steam"),
        "{run:#?}"
    );
    assert!(run.stdout.contains("added 6 account(s)"), "{run:#?}");
    assert_no_secret_in(&run);
    let want: Vec<String> = reference().iter().map(name).collect();
    assert_eq!(names_in_kunci(&dir), want);

    // Codes come from the imported secrets.
    let spdx = &reference()[1];
    let code = kunci(&dir, &["code", "SPDX", "--at", "1700000000"]).ok();
    let want_code = otp::generate(&spdx.secret, &spdx.params, 1_700_000_000).expect("a code");
    assert_eq!(code.stdout.trim(), want_code);

    // The same accounts again, from another format: nothing is added twice.
    let again = kunci(&dir, &["import", &sample_path("plain.txt"), "--yes"]).ok();
    assert!(
        again
            .stdout
            .contains("already in Kunci, left as they are (6)"),
        "{again:#?}"
    );
    assert!(again.stdout.contains("nothing to add"), "{again:#?}");
    assert_eq!(names_in_kunci(&dir).len(), 6);
}

#[test]
fn cli_reports_a_new_secret_and_does_not_change_it() {
    require_keyring();
    let tmp = tempdir();
    let dir = tmp.path();
    kunci(
        dir,
        &[
            "add",
            "--uri",
            "otpauth://totp/Deno:Mason?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP",
        ],
    )
    .ok();
    let run = kunci(dir, &["import", &sample_path("andotp_plain.json"), "--yes"]).ok();
    assert!(run.stdout.contains("to add (5)"), "{run:#?}");
    assert!(
        run.stdout.contains("with another secret, not changed (1)"),
        "{run:#?}"
    );
    assert_no_secret_in(&run);
    assert_eq!(names_in_kunci(dir).len(), 6);
    let uri = kunci(dir, &["uri", "Deno"]).ok();
    assert!(
        uri.stdout.contains("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"),
        "{uri:#?}"
    );
}

#[test]
fn cli_refuses_bad_input_and_adds_nothing() {
    require_keyring();
    let tmp = tempdir();
    let dir = tmp.path().join("data");
    let wrong = password_file(tmp.path(), "wrong");
    let encrypted = sample_path("2fas_authenticator_encrypted.2fas");

    let run = kunci(
        &dir,
        &["import", &encrypted, "--password-file", &wrong, "--yes"],
    )
    .failed();
    assert!(run.stderr.contains("wrong password"), "{run:#?}");

    let run = kunci(&dir, &["import", &encrypted, "--yes"]).failed();
    assert!(run.stderr.contains("--password-file"), "{run:#?}");

    // Without --yes and without a terminal to ask on.
    let run = kunci(&dir, &["import", &sample_path("bitwarden.json")]).failed();
    assert!(run.stderr.contains("--yes"), "{run:#?}");
    assert!(run.stdout.contains("to add (3)"), "{run:#?}");

    let junk = tmp.path().join("junk.txt");
    std::fs::write(&junk, "hello").expect("write junk");
    let run = kunci(&dir, &["import", &junk.display().to_string(), "--yes"]).failed();
    assert!(run.stderr.contains("unknown file format"), "{run:#?}");

    let truncated = tmp.path().join("cut.json");
    let bytes = sample("aegis_plain.json");
    std::fs::write(&truncated, &bytes[..bytes.len() / 2]).expect("write cut file");
    let run = kunci(&dir, &["import", &truncated.display().to_string(), "--yes"]).failed();
    assert!(run.stderr.contains("damaged"), "{run:#?}");

    let run = kunci(&dir, &["import", "/nonexistent/file.json", "--yes"]).failed();
    assert!(run.stderr.contains("cannot read"), "{run:#?}");

    assert!(names_in_kunci(&dir).is_empty());
}

#[test]
fn cli_words_skip_reasons_in_the_users_language() {
    // Nothing is added (no --yes, no terminal): no keychain is written, but the plan is shown.
    require_keyring();
    let tmp = tempdir();
    let dir = tmp.path().join("data");
    let mut cmd = common::command(&dir, &["import", &sample_path("aegis_plain.json")]);
    common::in_indonesian(&mut cmd);
    let run = common::run(cmd, RUN_LIMIT);
    assert!(
        run.stdout.contains("dilewati (1)")
            && run.stdout.contains(
                "entri ke-7 (Boeing: Sophia): kode Steam Guard (5 huruf) tidak didukung Kunci"
            ),
        "{run:#?}"
    );
    assert!(!run.stdout.contains("not supported"), "{run:#?}");
}
