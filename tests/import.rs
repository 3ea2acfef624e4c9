//! Importers on export files, and `kunci import`.
//!
//! Two sets of files, each holding the accounts of one reference list:
//! - the project's own fixtures in `tests/data/import` (written by `scripts/make-import-fixtures`
//!   from each format's public description; always there), on which every test runs;
//! - other apps' real export files, when `KUNCI_SAMPLES_DIR` (else `../shared/import-samples`)
//!   holds them: an extra check that says in one line when it did not run.
//!
//! The command-line tests write to the Secret Service keychain, so they refuse to run outside a
//! throwaway keyring: run them with `scripts/with-keyring cargo test --test import` (or
//! `scripts/test`).

use std::io::Write;
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

/// One export file of a set: its name, the format it is, whether it is encrypted, the accounts
/// it gives and the Steam entries it skips.
struct Sample {
    file: &'static str,
    format: &'static str,
    encrypted: bool,
    accounts: usize,
    steam: usize,
}

const fn sample(
    file: &'static str,
    format: &'static str,
    encrypted: bool,
    accounts: usize,
    steam: usize,
) -> Sample {
    Sample {
        file,
        format,
        encrypted,
        accounts,
        steam,
    }
}

/// Export files that all hold the accounts of `reference` (an otpauth URI list), or the part of
/// them their format can express.
struct Set {
    dir: PathBuf,
    reference: &'static str,
    password: &'static str,
    samples: &'static [Sample],
    /// Files whose HOTP accounts come in as TOTP (2FAS schema 2 has no token type): kind,
    /// period and counter are not compared for those.
    loose_kind: &'static [&'static str],
}

/// The fixtures in `tests/data/import`.
const OWN_SAMPLES: &[Sample] = &[
    sample("uris.txt", "otpauth URI list", false, 7, 1),
    sample("aegis_plain.json", "Aegis", false, 7, 1),
    sample("aegis_encrypted.json", "Aegis", true, 7, 1),
    sample("twofas_plain.2fas", "2FAS", false, 7, 1),
    sample("twofas_encrypted.2fas", "2FAS", true, 7, 1),
    sample("bitwarden.json", "Bitwarden", false, 6, 1),
    sample("andotp_plain.json", "andOTP", false, 7, 1),
    sample("freeotp_plus.json", "FreeOTP+", false, 7, 0),
];

/// The real-app files (`../shared/import-samples/README.md`).
const REAL_APP_SAMPLES: &[Sample] = &[
    sample("plain.txt", "otpauth URI list", false, 6, 1),
    sample("aegis_plain.json", "Aegis", false, 6, 1),
    sample("aegis_encrypted.json", "Aegis", true, 6, 1),
    sample("2fas_authenticator_plain.2fas", "2FAS", false, 4, 0),
    sample("2fas_authenticator_encrypted.2fas", "2FAS", true, 4, 0),
    sample("bitwarden.json", "Bitwarden", false, 3, 1),
    sample("andotp_plain.json", "andOTP", false, 6, 1),
    sample("freeotp_plus.json", "FreeOTP+", false, 6, 0),
];

/// The project's own fixtures (`tests/data/import/README.md` says what each holds).
fn own() -> Set {
    Set {
        dir: Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/import"),
        reference: "uris.txt",
        password: "kunci-test",
        samples: OWN_SAMPLES,
        loose_kind: &[],
    }
}

/// Other apps' real export files (from the Aegis project's test resources), when present.
fn real_apps() -> Option<Set> {
    let dir = match std::env::var_os("KUNCI_SAMPLES_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/import-samples"),
    };
    dir.join("plain.txt").is_file().then_some(Set {
        dir,
        reference: "plain.txt",
        password: "test",
        samples: REAL_APP_SAMPLES,
        loose_kind: &[
            "2fas_authenticator_plain.2fas",
            "2fas_authenticator_encrypted.2fas",
        ],
    })
}

impl Set {
    fn path(&self, file: &str) -> PathBuf {
        self.dir.join(file)
    }

    fn bytes(&self, file: &str) -> Vec<u8> {
        let path = self.path(file);
        std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read {} ({e})", path.display()))
    }

    fn text(&self, file: &str) -> String {
        String::from_utf8(self.bytes(file)).expect("export files are UTF-8")
    }

    fn password_of(&self, sample: &Sample) -> Option<&'static str> {
        sample.encrypted.then_some(self.password)
    }

    /// The reference accounts that Kunci can hold (all but Steam).
    fn reference(&self) -> Vec<OtpUri> {
        self.text(self.reference)
            .lines()
            .filter(|l| l.starts_with("otpauth://totp/") || l.starts_with("otpauth://hotp/"))
            .map(|l| OtpUri::parse(l).expect("the reference list is valid"))
            .collect()
    }

    fn import(&self, sample: &Sample) -> (&'static str, Imported) {
        import_file(&self.bytes(sample.file), self.password_of(sample))
            .unwrap_or_else(|e| panic!("{}: {e}", sample.file))
    }

    /// Checks `got` against the reference account of the same name, field by field.
    fn assert_matches_reference(&self, file: &str, got: &OtpUri) {
        let reference = self.reference();
        let want = reference
            .iter()
            .find(|r| name(r) == name(got))
            .unwrap_or_else(|| panic!("{file}: {} is not in {}", name(got), self.reference));
        assert_eq!(got.issuer, want.issuer, "{file}: {}", name(got));
        assert_eq!(got.label, want.label, "{file}: {}", name(got));
        assert!(got.secret == want.secret, "{file}: secret of {}", name(got));
        let (g, w) = (&got.params, &want.params);
        assert_eq!(g.algorithm, w.algorithm, "{file}: {}", name(got));
        assert_eq!(g.digits, w.digits, "{file}: {}", name(got));
        if self.loose_kind.contains(&file) && w.kind == Kind::Hotp {
            return;
        }
        assert_eq!(g.kind, w.kind, "{file}: {}", name(got));
        match w.kind {
            Kind::Totp => assert_eq!(g.period, w.period, "{file}: {}", name(got)),
            Kind::Hotp => assert_eq!(g.counter, w.counter, "{file}: {}", name(got)),
        }
    }

    /// Every file is recognised as its format, gives the accounts of the reference and skips
    /// only Steam entries.
    fn check_every_file_gives_the_reference(&self) {
        for sample in self.samples {
            let file = sample.file;
            let (found, got) = self.import(sample);
            assert_eq!(found, sample.format, "{file}");
            assert_eq!(
                got.accounts.len(),
                sample.accounts,
                "{file}: {:?}",
                got.skipped
            );
            assert_eq!(got.skipped.len(), sample.steam, "{file}: {:?}", got.skipped);
            for why in &got.skipped {
                assert_eq!(why.reason, SkipReason::Steam, "{file}: {why}");
                assert!(why.to_string().contains("Steam"), "{file}: {why}");
            }
            for account in &got.accounts {
                self.assert_matches_reference(file, account);
            }
        }
    }

    /// Encrypted files open with their password only, and make the reference's codes.
    fn check_passwords_and_codes(&self) {
        let reference = self.reference();
        for sample in self.samples.iter().filter(|s| s.encrypted) {
            let bytes = self.bytes(sample.file);
            let result = import_file(&bytes, None);
            assert!(
                matches!(result, Err(ImportError::NeedsPassword { .. })),
                "{}: {result:?}",
                sample.file
            );
            let capitalised = format!(
                "{}{}",
                self.password[..1].to_uppercase(),
                &self.password[1..]
            );
            for wrong in ["", "wrong", &capitalised, &format!("{} ", self.password)] {
                let result = import_file(&bytes, Some(wrong));
                assert!(
                    matches!(result, Err(ImportError::WrongPassword { .. })),
                    "{} with {wrong:?}: {result:?}",
                    sample.file
                );
            }
            for a in &self.import(sample).1.accounts {
                let r = reference
                    .iter()
                    .find(|r| name(r) == name(a))
                    .expect("in the reference");
                if self.loose_kind.contains(&sample.file) && r.params.kind == Kind::Hotp {
                    continue;
                }
                for t in [0, 59, 1_700_000_000] {
                    assert_eq!(
                        otp::generate(&a.secret, &a.params, t).ok(),
                        otp::generate(&r.secret, &r.params, t).ok(),
                        "{}: {}",
                        sample.file,
                        name(a)
                    );
                }
            }
        }
    }

    /// A file cut short is a clear "damaged" error (a URI list: fewer accounts).
    fn check_truncated_files(&self) {
        for sample in self.samples {
            let (file, bytes) = (sample.file, self.bytes(sample.file));
            for cut in [bytes.len() / 3, bytes.len() / 2, bytes.len() - 3] {
                let result = import_file(&bytes[..cut], self.password_of(sample));
                if sample.format == "otpauth URI list" {
                    // A list cut short is still a list: fewer accounts, the cut line skipped.
                    let (_, got) = result.unwrap_or_else(|e| panic!("{file} cut at {cut}: {e}"));
                    assert!(got.accounts.len() <= sample.accounts, "{file} cut at {cut}");
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
}

fn name(uri: &OtpUri) -> String {
    format!("{}:{}", uri.issuer.as_deref().unwrap_or(""), uri.label)
}

#[test]
fn every_fixture_imports_to_the_reference_accounts() {
    own().check_every_file_gives_the_reference();
}

#[test]
fn encrypted_fixtures_open_with_their_password_only_and_make_the_same_codes() {
    own().check_passwords_and_codes();
}

#[test]
fn truncated_files_are_clear_errors() {
    own().check_truncated_files();
}

#[test]
fn formats_holding_everything_give_every_account_with_notes_and_pins() {
    let set = own();
    let want: Vec<String> = set.reference().iter().map(name).collect();
    for sample in &set.samples[..5] {
        let got = set.import(sample).1;
        assert_eq!(
            got.accounts.iter().map(name).collect::<Vec<_>>(),
            want,
            "{}",
            sample.file
        );
        if sample.format == "Aegis" {
            assert!(!got.extras_of(0).note.is_empty(), "{}", sample.file);
            assert!(got.extras_of(2).pinned, "{}", sample.file);
        }
    }
}

/// The same checks on other apps' real export files, when they are beside the repository.
#[test]
fn real_app_export_files_import_to_their_reference_accounts() {
    let Some(set) = real_apps() else {
        // Written past the test harness's capture, so the one line shows in every run.
        let _ = writeln!(
            std::io::stderr(),
            "note: the real-app import samples were not found (set KUNCI_SAMPLES_DIR): \
             that extra check did not run"
        );
        return;
    };
    set.check_every_file_gives_the_reference();
    set.check_passwords_and_codes();
    set.check_truncated_files();
}

/// Replaces one character in the middle of the JSON string value of `key`.
fn flip_in_string(text: &str, key: &str) -> String {
    let start = text.find(&format!("\"{key}\"")).expect("key present") + key.len() + 2;
    let open = start + text[start..].find('"').expect("a string value") + 1;
    let mut middle = open + 40;
    // Not on an escaped `\/`: the value must stay a JSON string.
    while text[middle..].starts_with('\\') || text[..middle].ends_with('\\') {
        middle += 1;
    }
    let old = &text[middle..middle + 1];
    let new = if old == "A" { "B" } else { "A" };
    format!("{}{new}{}", &text[..middle], &text[middle + 1..])
}

#[test]
fn corrupted_encrypted_files_with_the_right_password_are_damaged() {
    let set = own();
    for (file, key) in [
        ("aegis_encrypted.json", "db"),
        ("twofas_encrypted.2fas", "servicesEncrypted"),
    ] {
        let corrupted = flip_in_string(&set.text(file), key);
        let result = import_file(corrupted.as_bytes(), Some(set.password));
        assert!(
            matches!(result, Err(ImportError::Damaged { .. })),
            "{file}: {result:?}"
        );
    }
}

#[test]
fn corrupted_json_is_damaged_and_garbage_is_unknown() {
    let set = own();
    for sample in set.samples {
        if sample.format == "otpauth URI list" {
            continue;
        }
        let broken = set.text(sample.file).replacen(':', ";", 2);
        let result = import_file(broken.as_bytes(), set.password_of(sample));
        assert!(
            matches!(result, Err(ImportError::Damaged { .. })),
            "{}: {result:?}",
            sample.file
        );
    }
    let garbage: Vec<u8> = (0..4096u32).map(|i| (i * 7919 % 251) as u8).collect();
    assert!(matches!(
        import_file(&garbage, None),
        Err(ImportError::UnknownFormat)
    ));
}

/// The first reference account (its secret in base32, and as FreeOTP+'s first signed bytes).
const FIRST_SECRET: &str = "ZH4FMSRC3LM7FA2HN6KUJTJXUJZZHJNA";
const FIRST_NAME: &str = "LPSE Kota Bandung:penyedia@cv-maju-jaya.example";

#[test]
fn one_bad_entry_among_good_ones_keeps_the_good_ones() {
    let set = own();
    for sample in set.samples.iter().filter(|s| !s.encrypted) {
        let file = sample.file;
        let text = set.text(file);
        let broken = if file == "freeotp_plus.json" {
            text.replacen("[-55,-8,86", "[-55,-8,860", 1)
        } else {
            text.replacen(FIRST_SECRET, "ZH4FMSRC3LM7FA21N6KUJTJXUJZZHJNA", 1)
        };
        assert_ne!(broken, text, "{file}: the secret was not found");
        let (_, got) =
            import_file(broken.as_bytes(), None).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_eq!(
            got.accounts.len(),
            sample.accounts - 1,
            "{file}: {:?}",
            got.skipped
        );
        assert_eq!(
            got.skipped.len(),
            sample.steam + 1,
            "{file}: {:?}",
            got.skipped
        );
        assert!(
            // URI lists name the line, Bitwarden the item, the others the account.
            got.skipped
                .iter()
                .map(ToString::to_string)
                .any(|why| why.contains("penyedia@cv-maju-jaya.example")
                    || why.starts_with("line 1:")
                    || why.starts_with("entry 1 (")),
            "{file}: {:?}",
            got.skipped
        );
        for why in got.skipped.iter().map(ToString::to_string) {
            assert!(!why.contains("ZH4FMSRC3LM7"), "{file}: a secret in {why}");
            assert!(!why.contains("'1'"), "{file}: a secret's letter in {why}");
        }
        assert!(got.accounts.iter().all(|a| name(a) != FIRST_NAME), "{file}");
    }
}

// ---- the command line ----

fn tempdir() -> tempfile::TempDir {
    common::tempdir("kunci-import-")
}

fn fixture_path(name: &str) -> String {
    own().path(name).display().to_string()
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
    for uri in own().reference() {
        let secret = uri.secret.to_base32();
        assert!(
            !all.contains(secret.as_str()),
            "a secret was printed: {run:#?}"
        );
    }
    assert!(
        !all.contains("JHMT67Z7MKFD7IWBBWUOOY7JUNSFCHTY"),
        "the Steam secret was printed"
    );
}

#[test]
fn cli_imports_an_encrypted_aegis_vault_and_then_finds_duplicates() {
    require_keyring();
    let tmp = tempdir();
    let dir = tmp.path().join("data");
    let pw = password_file(tmp.path(), own().password);
    let run = kunci(
        &dir,
        &[
            "import",
            &fixture_path("aegis_encrypted.json"),
            "--password-file",
            &pw,
            "--yes",
        ],
    )
    .ok();
    assert!(run.stdout.contains("to add (7)"), "{run:#?}");
    assert!(
        run.stdout.contains("skipped (1)") && run.stdout.contains("Steam"),
        "{run:#?}"
    );
    assert!(run.stdout.contains("added 7 account(s)"), "{run:#?}");
    assert_no_secret_in(&run);
    let want: Vec<String> = own().reference().iter().map(name).collect();
    assert_eq!(names_in_kunci(&dir), want);

    // Codes come from the imported secrets.
    let kemenkeu = &own().reference()[1];
    let code = kunci(&dir, &["code", "Kementerian", "--at", "1700000000"]).ok();
    let want_code =
        otp::generate(&kemenkeu.secret, &kemenkeu.params, 1_700_000_000).expect("a code");
    assert_eq!(code.stdout.trim(), want_code);

    // The same accounts again, from another format: nothing is added twice.
    let again = kunci(&dir, &["import", &fixture_path("uris.txt"), "--yes"]).ok();
    assert!(
        again
            .stdout
            .contains("already in Kunci, left as they are (7)"),
        "{again:#?}"
    );
    assert!(again.stdout.contains("nothing to add"), "{again:#?}");
    assert_eq!(names_in_kunci(&dir).len(), 7);
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
            "otpauth://totp/Nextcloud%20Kantor:dewi.lestari%40kantor.example?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP",
        ],
    )
    .ok();
    let run = kunci(
        dir,
        &["import", &fixture_path("andotp_plain.json"), "--yes"],
    )
    .ok();
    assert!(run.stdout.contains("to add (6)"), "{run:#?}");
    assert!(
        run.stdout.contains("with another secret, not changed (1)"),
        "{run:#?}"
    );
    assert_no_secret_in(&run);
    assert_eq!(names_in_kunci(dir).len(), 7);
    let uri = kunci(dir, &["uri", "Nextcloud"]).ok();
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
    let encrypted = fixture_path("twofas_encrypted.2fas");

    let run = kunci(
        &dir,
        &["import", &encrypted, "--password-file", &wrong, "--yes"],
    )
    .failed();
    assert!(run.stderr.contains("wrong password"), "{run:#?}");

    let run = kunci(&dir, &["import", &encrypted, "--yes"]).failed();
    assert!(run.stderr.contains("--password-file"), "{run:#?}");

    // Without --yes and without a terminal to ask on.
    let run = kunci(&dir, &["import", &fixture_path("bitwarden.json")]).failed();
    assert!(run.stderr.contains("--yes"), "{run:#?}");
    assert!(run.stdout.contains("to add (6)"), "{run:#?}");

    let junk = tmp.path().join("junk.txt");
    std::fs::write(&junk, "hello").expect("write junk");
    let run = kunci(&dir, &["import", &junk.display().to_string(), "--yes"]).failed();
    assert!(run.stderr.contains("unknown file format"), "{run:#?}");

    let truncated = tmp.path().join("cut.json");
    let bytes = own().bytes("aegis_plain.json");
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
    let mut cmd = common::command(&dir, &["import", &fixture_path("aegis_plain.json")]);
    common::in_indonesian(&mut cmd);
    let run = common::run(cmd, RUN_LIMIT);
    assert!(
        run.stdout.contains("dilewati (1)")
            && run.stdout.contains(
                "entri ke-6 (Steam: gamer.kantor): kode Steam Guard (5 huruf) tidak didukung Kunci"
            ),
        "{run:#?}"
    );
    assert!(!run.stdout.contains("not supported"), "{run:#?}");
}
