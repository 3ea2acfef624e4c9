//! The encrypted vault file through the real binary (issue 5, §4): `kunci vault create`, the
//! other commands on a vault (passphrase from `KUNCI_VAULT_PASSPHRASE_FILE`), and moving every
//! secret keychain → vault → keychain with the codes unchanged, checked against `oathtool`.
//!
//! The first tests run without any keychain (the D-Bus session is taken away), which also shows
//! that a chosen vault never reaches for the keychain. The moving test writes to the keychain
//! and refuses to run outside a throwaway keyring:
//! `scripts/with-keyring cargo test --test vault`.

use std::fs;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use std::sync::Arc;

use kunci::store::{DataDir, Keychain, SecretStore, Store, Vault};
use serde_json::Value;

mod common;
use common::{Run, command};

const HOW_TO_RUN: &str = "this test writes secrets to the Secret Service keychain and must run \
     in a throwaway keyring: scripts/with-keyring cargo test --test vault";
/// One run may derive a key with the default Argon2id parameters (64 MiB, 3 passes).
const RUN_LIMIT: Duration = Duration::from_secs(60);
const PASSPHRASE: &str = "kuda baterai staples benar";
/// Fixed times for the codes compared.
const TIMES: [u64; 3] = [59, 1_111_111_109, 2_000_000_000];

/// `(issuer, label, base32 secret)` of the accounts added.
const ACCOUNTS: [(&str, &str, &str); 3] = [
    ("LPSE Kota Bandung", "budi", "JBSWY3DPEHPK3PXP"),
    (
        "LPSE Jawa Barat",
        "siti@example.com",
        "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ",
    ),
    ("SPSE", "admin", "MFRGGZDFMZTWQ2LKNNWG23TPOBYXE43U"),
];

/// The data dir and a passphrase file beside it.
struct Fixture {
    _tmp: tempfile::TempDir,
    dir: std::path::PathBuf,
    passphrase: std::path::PathBuf,
}

impl Fixture {
    fn new(prefix: &str) -> Self {
        let tmp = common::tempdir(prefix);
        let dir = tmp.path().join("data");
        let passphrase = tmp.path().join("passphrase");
        fs::write(&passphrase, format!("{PASSPHRASE}\n")).expect("write the passphrase file");
        Fixture {
            _tmp: tmp,
            dir,
            passphrase,
        }
    }

    fn cmd(&self, args: &[&str]) -> Command {
        let mut cmd = command(&self.dir, args);
        cmd.env("KUNCI_VAULT_PASSPHRASE_FILE", &self.passphrase);
        cmd
    }

    /// `kunci ARGS` with the vault's passphrase file, keychain or not.
    fn kunci(&self, args: &[&str]) -> Run {
        common::run(self.cmd(args), RUN_LIMIT)
    }

    /// `kunci ARGS` with no D-Bus session: no keychain can be reached.
    fn without_keychain(&self, args: &[&str]) -> Run {
        let mut cmd = self.cmd(args);
        cmd.env_remove("DBUS_SESSION_BUS_ADDRESS");
        common::run(cmd, RUN_LIMIT)
    }

    fn pass_arg(&self) -> String {
        self.passphrase.display().to_string()
    }

    fn add_all(&self, run: impl Fn(&[&str]) -> Run) {
        for (issuer, label, secret) in ACCOUNTS {
            run(&[
                "add", "--secret", secret, "--issuer", issuer, "--label", label,
            ])
            .ok();
        }
    }

    /// Every account's code at every time in [`TIMES`], by `kunci code`.
    fn codes(&self, run: impl Fn(&[&str]) -> Run) -> Vec<String> {
        let mut codes = Vec::new();
        for (_, label, _) in ACCOUNTS {
            for t in TIMES {
                let out = run(&["code", label, "--at", &t.to_string()]).ok();
                codes.push(out.stdout.trim().to_string());
            }
        }
        codes
    }
}

/// The same codes from `oathtool`.
fn oathtool_codes() -> Vec<String> {
    let mut codes = Vec::new();
    for (_, _, secret) in ACCOUNTS {
        for t in TIMES {
            let out = Command::new("oathtool")
                .args(["--totp", "--base32", &format!("--now=@{t}"), secret])
                .output()
                .unwrap_or_else(|e| panic!("cannot run oathtool ({e}); scripts/test installs it"));
            assert!(out.status.success(), "oathtool failed: {out:?}");
            codes.push(String::from_utf8_lossy(&out.stdout).trim().to_string());
        }
    }
    codes
}

/// No file in `dir` holds a secret, a passphrase or an otpauth URI in clear.
fn assert_nothing_in_clear(dir: &Path) {
    for entry in fs::read_dir(dir).expect("read the data dir") {
        let path = entry.expect("entry").path();
        if !path.is_file() {
            continue;
        }
        let text = String::from_utf8_lossy(&fs::read(&path).expect("read")).into_owned();
        for (_, _, secret) in ACCOUNTS {
            assert!(!text.contains(secret), "a secret in {}", path.display());
        }
        assert!(!text.contains("otpauth"), "a URI in {}", path.display());
        assert!(
            !text.contains(PASSPHRASE),
            "the passphrase in {}",
            path.display()
        );
    }
}

#[test]
fn a_vault_serves_every_command_without_a_keychain() {
    let f = Fixture::new("kunci-vault-cli-");
    let out = f
        .without_keychain(&["vault", "create", "--passphrase-file", &f.pass_arg()])
        .ok();
    assert!(out.stdout.contains("vault.json"), "{out:#?}");
    assert!(f.dir.join("vault.json").is_file());
    let status = f.without_keychain(&["vault", "status"]).ok();
    assert!(status.stdout.contains("Argon2id, 64 MiB, 3"), "{status:#?}");

    f.add_all(|args| f.without_keychain(args));
    assert_eq!(f.codes(|args| f.without_keychain(args)), oathtool_codes());
    let list = f.without_keychain(&["list", "--json"]).ok();
    let rows: Vec<Value> = serde_json::from_str(&list.stdout).expect("list --json");
    assert_eq!(rows.len(), ACCOUNTS.len());
    assert_nothing_in_clear(&f.dir);

    let removed = f.without_keychain(&["remove", "budi", "--yes"]).ok();
    assert!(removed.stdout.contains("budi"), "{removed:#?}");
    let vault = Vault::unlock(&DataDir::new(&f.dir), PASSPHRASE).expect("unlock");
    let meta: Value = serde_json::from_slice(&fs::read(f.dir.join("accounts.json")).expect("read"))
        .expect("accounts.json");
    let ids = vault
        .ids(meta["vault"].as_str().expect("vault id"))
        .expect("ids")
        .expect("listed");
    assert_eq!(ids.len(), 2, "the removed account's secret left the vault");
}

#[test]
fn a_wrong_or_missing_passphrase_is_refused_plainly() {
    let f = Fixture::new("kunci-vault-refuse-");
    f.without_keychain(&["vault", "create", "--passphrase-file", &f.pass_arg()])
        .ok();
    f.add_all(|args| f.without_keychain(args));
    let before = fs::read(f.dir.join("vault.json")).expect("read");

    let wrong = f._tmp.path().join("wrong");
    fs::write(&wrong, "salah").expect("write");
    let mut cmd = command(&f.dir, &["code", "budi"]);
    cmd.env("KUNCI_VAULT_PASSPHRASE_FILE", &wrong);
    let run = common::run(cmd, RUN_LIMIT).failed();
    assert!(run.stderr.contains("passphrase is wrong"), "{run:#?}");

    let run = common::run(command(&f.dir, &["code", "budi"]), RUN_LIMIT).failed();
    assert!(
        run.stderr.contains("KUNCI_VAULT_PASSPHRASE_FILE"),
        "says how to give the passphrase: {run:#?}"
    );
    assert_eq!(fs::read(f.dir.join("vault.json")).expect("read"), before);

    // A second vault is refused.
    f.without_keychain(&["vault", "create", "--passphrase-file", &f.pass_arg()])
        .failed();
}

#[test]
fn moving_keychain_to_vault_and_back_keeps_every_code() {
    common::require_keyring(HOW_TO_RUN);
    let f = Fixture::new("kunci-vault-move-");
    f.add_all(|args| f.kunci(args));
    let want = oathtool_codes();
    assert_eq!(f.codes(|args| f.kunci(args)), want, "in the keychain");
    let meta: Value = serde_json::from_slice(&fs::read(f.dir.join("accounts.json")).expect("read"))
        .expect("accounts.json");
    let vault_id = meta["vault"].as_str().expect("vault id").to_string();
    let keychain = Keychain::connect().unwrap_or_else(|e| panic!("{e}; {HOW_TO_RUN}"));
    let in_keychain = || {
        keychain
            .ids(&vault_id)
            .expect("list the keychain")
            .expect("listing supported")
            .len()
    };
    assert_eq!(in_keychain(), ACCOUNTS.len());

    // `vault create` would leave these accounts without their secrets: it points to the move.
    let refused = f
        .kunci(&["vault", "create", "--passphrase-file", &f.pass_arg()])
        .failed();
    assert!(refused.stderr.contains("move-to-vault"), "{refused:#?}");

    let moved = f
        .kunci(&["vault", "move-to-vault", "--passphrase-file", &f.pass_arg()])
        .ok();
    assert!(moved.stdout.contains("moved: 3"), "{moved:#?}");
    assert_eq!(in_keychain(), 0, "the keychain entries were deleted");
    assert_eq!(
        f.codes(|args| f.without_keychain(args)),
        want,
        "in the vault"
    );
    assert_nothing_in_clear(&f.dir);

    // A rerun has nothing left to do and changes nothing.
    let again = f
        .kunci(&["vault", "move-to-vault", "--passphrase-file", &f.pass_arg()])
        .ok();
    assert!(
        again.stdout.contains("moved: 0, already there: 0"),
        "{again:#?}"
    );

    let back = f
        .kunci(&[
            "vault",
            "move-to-keychain",
            "--passphrase-file",
            &f.pass_arg(),
        ])
        .ok();
    assert!(back.stdout.contains("moved: 3"), "{back:#?}");
    assert!(!f.dir.join("vault.json").exists());
    assert!(!f.dir.join("vault.json.bak").exists());
    assert_eq!(in_keychain(), ACCOUNTS.len());
    assert_eq!(f.codes(|args| f.kunci(args)), want, "in the keychain again");

    for id in keychain.ids(&vault_id).expect("ids").expect("listed") {
        keychain.delete(&vault_id, &id).expect("clean up");
    }
}

/// The automatic backups' passphrase moves with the secrets from the command line too, as from
/// the window: the backups go on after `kunci vault move-to-vault` and back.
#[test]
fn the_command_line_moves_carry_the_automatic_backups_passphrase() {
    common::require_keyring(HOW_TO_RUN);
    const BACKUP: &str = "kata sandi cadangan otomatis";
    let f = Fixture::new("kunci-vault-backup-pass-");
    f.add_all(|args| f.kunci(args));
    let keychain = Arc::new(Keychain::connect().unwrap_or_else(|e| panic!("{e}; {HOW_TO_RUN}")));
    let data = DataDir::new(&f.dir);
    let (store, _) = Store::open(data.clone(), keychain.clone()).expect("open on the keychain");
    store.set_backup_passphrase(Some(BACKUP)).expect("keep it");
    drop(store);

    f.kunci(&["vault", "move-to-vault", "--passphrase-file", &f.pass_arg()])
        .ok();
    let vault = Arc::new(Vault::unlock(&data, PASSPHRASE).expect("unlock"));
    let (in_vault, _) = Store::open(data.clone(), vault).expect("open on the vault");
    assert_eq!(
        in_vault
            .backup_passphrase()
            .expect("read")
            .as_deref()
            .map(|p| p.as_str()),
        Some(BACKUP),
        "the passphrase moved into the vault"
    );
    let (on_keychain, _) = Store::open(data.clone(), keychain.clone()).expect("open");
    assert_eq!(
        on_keychain.backup_passphrase().expect("read"),
        None,
        "and left the keychain"
    );

    f.kunci(&[
        "vault",
        "move-to-keychain",
        "--passphrase-file",
        &f.pass_arg(),
    ])
    .ok();
    let (mut back, _) = Store::open(data, keychain.clone()).expect("open");
    assert_eq!(
        back.backup_passphrase()
            .expect("read")
            .as_deref()
            .map(|p| p.as_str()),
        Some(BACKUP),
        "and came back to the keychain"
    );
    back.set_backup_passphrase(None).expect("clean up");
    let ids: Vec<_> = back.accounts().iter().map(|a| a.id.clone()).collect();
    for id in ids {
        back.remove(&id).expect("clean up");
    }
}

#[test]
fn an_interrupted_move_leaves_every_secret_readable_and_a_rerun_finishes_it() {
    common::require_keyring(HOW_TO_RUN);
    let f = Fixture::new("kunci-vault-interrupted-");
    f.add_all(|args| f.kunci(args));
    let want = oathtool_codes();
    let meta: Value = serde_json::from_slice(&fs::read(f.dir.join("accounts.json")).expect("read"))
        .expect("accounts.json");
    let vault_id = meta["vault"].as_str().expect("vault id").to_string();
    let keychain = Keychain::connect().unwrap_or_else(|e| panic!("{e}; {HOW_TO_RUN}"));
    let in_keychain = || {
        keychain
            .ids(&vault_id)
            .expect("list the keychain")
            .expect("listing supported")
            .len()
    };
    let pass = f.pass_arg();
    let aborted_at = |failpoint: &str, args: &[&str]| {
        let mut cmd = f.cmd(args);
        cmd.env("KUNCI_FAILPOINT", failpoint);
        let run = common::run(cmd, RUN_LIMIT);
        assert!(
            !run.status.success(),
            "{failpoint} did not stop it: {run:#?}"
        );
    };
    let to_vault = ["vault", "move-to-vault", "--passphrase-file", &pass];
    let to_keychain = ["vault", "move-to-keychain", "--passphrase-file", &pass];

    // Cut before the switch: the keychain is still the choice and holds everything.
    aborted_at("vault-move:before-switch", &to_vault);
    assert!(!f.dir.join("vault.json").exists());
    assert_eq!(f.codes(|args| f.kunci(args)), want);
    // Cut after the switch: the vault is the choice and holds everything.
    aborted_at("vault-move:after-switch", &to_vault);
    assert!(f.dir.join("vault.json").exists());
    assert_eq!(in_keychain(), ACCOUNTS.len(), "not deleted yet");
    assert_eq!(f.codes(|args| f.without_keychain(args)), want);
    let rerun = f.kunci(&to_vault).ok();
    assert!(
        rerun.stdout.contains("moved: 0, already there: 3"),
        "{rerun:#?}"
    );
    assert_eq!(in_keychain(), 0);

    // Back, cut before the switch: still the vault, with copies in the keychain.
    aborted_at("vault-move:before-switch", &to_keychain);
    assert!(f.dir.join("vault.json").exists());
    assert_eq!(f.codes(|args| f.without_keychain(args)), want);
    let rerun = f.kunci(&to_keychain).ok();
    assert!(
        rerun.stdout.contains("moved: 0, already there: 3"),
        "{rerun:#?}"
    );
    assert!(!f.dir.join("vault.json").exists());
    assert_eq!(f.codes(|args| f.kunci(args)), want);

    for id in keychain.ids(&vault_id).expect("ids").expect("listed") {
        keychain.delete(&vault_id, &id).expect("clean up");
    }
}
