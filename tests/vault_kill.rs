//! `kunci import` into an encrypted vault, killed (SIGKILL) at random points, 200 times
//! (issue 5, §4): afterwards the vault always unlocks, every listed account has its secret in
//! the vault and makes the right code, nothing is listed twice or half written, the vault holds
//! nothing that is not listed, and no file was set aside as damaged.
//!
//! Each run imports into a fresh data directory with a fresh vault, so every kill lands
//! somewhere in a full import (every add rewrites the vault file, then the account list). The
//! vaults of this test are made through the library with light Argon2id parameters (1 MiB, one
//! pass; the file records them and every unlock uses them), so that 200 runs stay within about
//! 3 minutes on two busy cores; `kunci vault create` always uses the strong defaults.
//!
//! No keychain is involved: the D-Bus session is taken away from every run. The delays are
//! drawn from a seeded RNG; the seed is printed, and `KUNCI_KILL_SEED=N` replays a run.
#![cfg(target_os = "linux")]

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use kunci::accounts::AccountId;
use kunci::otp::{self, OtpUri};
use kunci::store::{DataDir, KdfParams, SecretStore, Vault};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::Value;

mod common;
use common::{Run, field, killed_after, uri_list};

/// Longest a single `kunci` run may take before the test fails.
const RUN_LIMIT: Duration = Duration::from_secs(30);
/// Accounts in the imported list.
const ACCOUNTS: usize = 20;
/// Killed imports.
const RUNS: usize = 200;
/// Listed accounts whose code is also checked through `kunci code` in each run.
const CODE_SAMPLE: usize = 1;
const PASSPHRASE: &str = "kata sandi brankas uji";
const LIGHT: KdfParams = KdfParams {
    m_cost_kib: 1024,
    t_cost: 1,
    p_cost: 1,
};

/// `kunci ARGS` on `dir` with the vault's passphrase file and no keychain.
fn command(dir: &Path, passphrase: &Path, args: &[&str]) -> Command {
    let mut cmd = common::command(dir, args);
    cmd.env("KUNCI_VAULT_PASSPHRASE_FILE", passphrase)
        .env_remove("DBUS_SESSION_BUS_ADDRESS");
    cmd
}

fn kunci(dir: &Path, passphrase: &Path, args: &[&str]) -> Run {
    common::run(command(dir, passphrase, args), RUN_LIMIT)
}

/// The checks after a (killed) import; returns how many accounts are listed.
fn check(
    dir: &Path,
    passphrase: &Path,
    expected: &BTreeMap<String, OtpUri>,
    rng: &mut StdRng,
    what: &str,
) -> usize {
    // What a person sees: `kunci list` (which also finishes an interrupted add).
    let run = kunci(dir, passphrase, &["list", "--json"]);
    assert!(run.status.success(), "{what}: list failed: {run:#?}");
    assert!(
        !run.stderr.contains("missing"),
        "{what}: a listed account lost its secret: {run:#?}"
    );
    let rows: Vec<Value> = serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("{what}: invalid JSON ({e}): {run:#?}"));

    // The vault: it unlocks, and holds exactly the listed accounts, each with its secret.
    let data = DataDir::new(dir);
    let vault = Vault::unlock(&data, PASSPHRASE)
        .unwrap_or_else(|e| panic!("{what}: the vault does not unlock: {e}"));
    assert!(vault.set_aside().is_none(), "{what}: the vault was damaged");
    let meta: Value = serde_json::from_slice(
        &fs::read(dir.join("accounts.json"))
            .unwrap_or_else(|_| br#"{"vault": "", "accounts": []}"#.to_vec()),
    )
    .unwrap_or_else(|e| panic!("{what}: accounts.json is not JSON: {e}"));
    let vault_id = meta["vault"].as_str().unwrap_or_default();
    let in_vault: BTreeSet<AccountId> = vault
        .ids(vault_id)
        .expect("vault ids")
        .unwrap_or_default()
        .into_iter()
        .collect();

    let mut names = BTreeSet::new();
    let mut listed = BTreeSet::new();
    for row in &rows {
        let name = format!("{}:{}", field(row, "issuer"), field(row, "label"));
        let uri = expected
            .get(&name)
            .unwrap_or_else(|| panic!("{what}: not one of the list's (half written?): {row}"));
        assert!(names.insert(name.clone()), "{what}: listed twice: {row}");
        let id = AccountId::parse(field(row, "id")).expect("an account id");
        let stored = vault
            .get(vault_id, &id)
            .expect("read the vault")
            .unwrap_or_else(|| panic!("{what}: {name} has no secret in the vault"));
        let stored = OtpUri::parse(&stored).expect("the vault holds an otpauth URI");
        let t = rng.random_range(0..(1u64 << 33));
        assert_eq!(
            otp::generate(&stored.secret, &stored.params, t).expect("a code"),
            otp::generate(&uri.secret, &uri.params, t).expect("the test's code"),
            "{what}: {name} makes the wrong code at {t}"
        );
        listed.insert(id);
    }
    assert_eq!(in_vault, listed, "{what}: vault and list disagree");

    // End to end: `kunci code` for a sample.
    for row in rows.iter().take(CODE_SAMPLE) {
        let name = format!("{}:{}", field(row, "issuer"), field(row, "label"));
        let code = kunci(dir, passphrase, &["code", field(row, "id"), "--at", "59"]).ok();
        let uri = &expected[&name];
        let want = otp::generate(&uri.secret, &uri.params, 59).expect("the test's code");
        assert_eq!(code.stdout.trim(), want, "{what}: {name}: {code:#?}");
    }

    for entry in fs::read_dir(dir).expect("read the data dir") {
        let name = entry.expect("dir entry").file_name();
        let name = name.to_string_lossy();
        assert!(
            !name.contains(".damaged-"),
            "{what}: {name} was set aside as damaged"
        );
    }
    rows.len()
}

#[test]
fn vault_writes_killed_at_random_points_lose_nothing() {
    let started = Instant::now();
    let seed = std::env::var("KUNCI_KILL_SEED")
        .ok()
        .map(|s| s.parse().expect("KUNCI_KILL_SEED is a number"))
        .unwrap_or_else(rand::random::<u64>);
    println!("vault_kill: seed {seed} (replay with KUNCI_KILL_SEED={seed})");
    let mut rng = StdRng::seed_from_u64(seed);
    let tmp = common::tempdir("kunci-vault-kill-");
    let (text, expected) = uri_list(&mut rng, ACCOUNTS, "VaultKill");
    let list = tmp.path().join("accounts.txt");
    fs::write(&list, text).expect("write the URI list");
    let passphrase = tmp.path().join("passphrase");
    fs::write(&passphrase, PASSPHRASE).expect("write the passphrase");
    let fresh = |name: &str| {
        let dir = tmp.path().join(name);
        Vault::create_with(&DataDir::new(&dir), PASSPHRASE, LIGHT).expect("create the vault");
        dir
    };

    // One full import, timed.
    let dir = fresh("timed");
    let t = Instant::now();
    kunci(
        &dir,
        &passphrase,
        &["import", &list.display().to_string(), "--yes"],
    )
    .ok();
    let full = t.elapsed();
    assert_eq!(
        check(&dir, &passphrase, &expected, &mut rng, "timed"),
        ACCOUNTS
    );
    fs::remove_dir_all(&dir).expect("remove the data dir");
    let max_delay = full.mul_f64(1.2);
    println!("vault_kill: a full import takes {full:?}; kills drawn from 0..={max_delay:?}");

    let (mut finished, mut nothing, mut some, mut all) = (0, 0, 0, 0);
    for run in 0..RUNS {
        let dir = fresh(&format!("run-{run:03}"));
        let delay = Duration::from_micros(rng.random_range(0..=max_delay.as_micros() as u64));
        let import = command(
            &dir,
            &passphrase,
            &["import", &list.display().to_string(), "--yes"],
        );
        let killed = killed_after(import, delay);
        let what = format!("run {run} (seed {seed}, kill after {delay:?})");
        let listed = check(&dir, &passphrase, &expected, &mut rng, &what);
        match (killed, listed) {
            (false, n) => {
                assert_eq!(n, ACCOUNTS, "{what}: a finished import added everything");
                finished += 1;
            }
            (true, 0) => nothing += 1,
            (true, ACCOUNTS) => all += 1,
            (true, _) => some += 1,
        }
        if run + 1 < RUNS {
            fs::remove_dir_all(&dir).ok();
        } else {
            // The last one, imported again to completion: every account exactly once.
            kunci(
                &dir,
                &passphrase,
                &["import", &list.display().to_string(), "--yes"],
            )
            .ok();
            assert_eq!(
                check(&dir, &passphrase, &expected, &mut rng, "re-import"),
                ACCOUNTS
            );
        }
    }
    println!(
        "vault_kill: {RUNS} runs in {:?}: {finished} finished, killed with none {nothing}, \
         some {some}, all {all}",
        started.elapsed()
    );
    assert!(some > RUNS / 4, "too few kills landed mid-import: {some}");
}
