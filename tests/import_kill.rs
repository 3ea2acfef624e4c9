//! `kunci import` killed (SIGKILL) at random points, 200 times: afterwards the metadata always
//! opens and every account is either fully there or fully absent (issue 5, "Reliability that
//! must be shown by tests").
//!
//! Each run imports into a fresh data directory, so every kill lands somewhere in a full
//! import, including the first write that creates the vault id (a growing data directory
//! would have nothing left to add after the first complete import). The keychain entries of
//! each run are deleted after its checks, so the keyring stays small and `secret-tool` stays
//! fast.
//!
//! The delays are drawn from a seeded RNG; the seed is printed, and `KUNCI_KILL_SEED=N`
//! replays a run. These tests write to the keychain, so they refuse to run outside a
//! throwaway keyring: `scripts/with-keyring cargo test --test import_kill`.
#![cfg(target_os = "linux")]

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;
use std::time::{Duration, Instant};

use kunci::accounts::AccountId;
use kunci::otp::{self, OtpUri};
use kunci::store::{Keychain, SecretStore};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::Value;

mod common;
use common::{Run, command, field, killed_after, secret_tool_users, uri_list};

fn require_keyring() {
    common::require_keyring(HOW_TO_RUN);
}

/// Runs `kunci ARGS` on data dir `dir` within [`RUN_LIMIT`].
fn kunci(dir: &Path, args: &[&str]) -> Run {
    common::run(command(dir, args), RUN_LIMIT)
}

const HOW_TO_RUN: &str = "this test writes secrets to the Secret Service keychain and must run \
     in a throwaway keyring: scripts/with-keyring cargo test --test import_kill";
/// Longest a single `kunci` run may take before the test fails.
const RUN_LIMIT: Duration = Duration::from_secs(30);
/// Accounts in the imported list.
const ACCOUNTS: usize = 30;
/// Killed imports.
const RUNS: usize = 200;
/// Listed accounts whose code is checked in each run (all of them in the last run); kept
/// small so that 200 runs stay within about 3 minutes on two busy cores.
const CODE_SAMPLE: usize = 2;

/// The vault id in `accounts.json`, if there is one.
fn vault(dir: &Path) -> Option<String> {
    let bytes = fs::read(dir.join("accounts.json")).ok()?;
    let v: Value = serde_json::from_slice(&bytes).expect("accounts.json is JSON");
    v["vault"].as_str().map(str::to_string)
}

/// What one check found.
struct Found {
    listed: usize,
    recovered: usize,
}

/// The checks after a (killed) import: `kunci list --json` succeeds; every listed account is
/// one of the list's, once, with a keychain entry, and `codes` of them (all when `None`) make
/// the list's code; the keychain holds no entry of this data dir's vault (or, without a
/// vault, of any vault not in `before`) that is not listed; no file was set aside as damaged.
fn check(
    dir: &Path,
    expected: &BTreeMap<String, OtpUri>,
    before: &BTreeSet<String>,
    codes: Option<usize>,
    rng: &mut StdRng,
    what: &str,
) -> Found {
    let run = kunci(dir, &["list", "--json"]);
    assert!(
        run.status.success(),
        "{what}: list failed after the kill: {run:#?}"
    );
    let rows: Vec<Value> = serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("{what}: list --json printed invalid JSON ({e}): {run:#?}"));
    assert!(
        !run.stderr.contains("missing from the keychain"),
        "{what}: a listed account lost its secret: {run:#?}"
    );
    let recovered = run.stderr.matches("recovered ").count();

    let mut names = BTreeSet::new();
    let mut ids = BTreeSet::new();
    for row in &rows {
        let name = format!("{}:{}", field(row, "issuer"), field(row, "label"));
        assert!(
            expected.contains_key(&name),
            "{what}: a listed account is not one of the list's (half written?): {row}"
        );
        assert!(names.insert(name), "{what}: listed twice: {row}");
        ids.insert(field(row, "id").to_string());
    }

    // Codes: a sample, or all.
    let mut sample: Vec<&Value> = rows.iter().collect();
    let take = codes.unwrap_or(sample.len()).min(sample.len());
    for i in 0..take {
        let j = rng.random_range(i..sample.len());
        sample.swap(i, j);
    }
    for row in &sample[..take] {
        let id = field(row, "id");
        let name = format!("{}:{}", field(row, "issuer"), field(row, "label"));
        let code = kunci(dir, &["code", id, "--at", "59"]).ok();
        let uri = &expected[&name];
        let want = otp::generate(&uri.secret, &uri.params, 59).expect("the test's code");
        assert_eq!(
            code.stdout.trim(),
            want,
            "{what}: listed account {name} makes the wrong code: {code:#?}"
        );
    }

    // Keychain: this vault's entries are exactly the listed accounts; nothing else new.
    let users = secret_tool_users();
    let vault = vault(dir);
    let mut in_vault = BTreeSet::new();
    for user in users.difference(before) {
        let (v, id) = user
            .split_once('/')
            .unwrap_or_else(|| panic!("{what}: odd keychain username {user}"));
        assert_eq!(
            Some(v),
            vault.as_deref(),
            "{what}: a keychain entry of no known vault (listed: {rows:?})"
        );
        in_vault.insert(id.to_string());
    }
    assert_eq!(in_vault, ids, "{what}: keychain and list disagree");

    // No file set aside as damaged.
    if dir.exists() {
        for entry in fs::read_dir(dir).expect("read the data dir") {
            let name = entry.expect("dir entry").file_name();
            let name = name.to_string_lossy();
            assert!(
                !name.contains(".damaged-"),
                "{what}: {name} was set aside as damaged: {run:#?}"
            );
        }
    }
    Found {
        listed: rows.len(),
        recovered,
    }
}

/// Deletes the keychain entries of this data dir's vault (keeps the keyring small).
fn forget(dir: &Path, keychain: &Keychain) {
    let Some(vault) = vault(dir) else {
        return;
    };
    let ids: Vec<AccountId> = keychain
        .ids(&vault)
        .expect("list the keychain")
        .expect("the Secret Service can list entries");
    for id in &ids {
        keychain
            .delete(&vault, id)
            .expect("delete a keychain entry");
    }
}

#[test]
fn import_killed_at_random_points_leaves_whole_accounts() {
    require_keyring();
    let started = Instant::now();
    let seed = std::env::var("KUNCI_KILL_SEED")
        .ok()
        .map(|s| s.parse().expect("KUNCI_KILL_SEED is a number"))
        .unwrap_or_else(rand::random::<u64>);
    println!("import_kill: seed {seed} (replay with KUNCI_KILL_SEED={seed})");
    let mut rng = StdRng::seed_from_u64(seed);
    let keychain = Keychain::connect().unwrap_or_else(|e| panic!("{e}; {HOW_TO_RUN}"));
    let tmp = tempfile::Builder::new()
        .prefix("kunci-import-kill-")
        .tempdir()
        .expect("create a temporary dir");
    let (text, expected) = uri_list(&mut rng, ACCOUNTS, "KillTest");
    let list = tmp.path().join("accounts.txt");
    fs::write(&list, text).expect("write the URI list");
    let before = secret_tool_users();

    // One full import, timed.
    let dir = tmp.path().join("timed");
    let t = Instant::now();
    kunci(&dir, &["import", &list.display().to_string(), "--yes"]).ok();
    let full = t.elapsed();
    let found = check(
        &dir,
        &expected,
        &before,
        Some(CODE_SAMPLE),
        &mut rng,
        "timed",
    );
    assert_eq!(found.listed, ACCOUNTS, "the full import added everything");
    forget(&dir, &keychain);
    fs::remove_dir_all(&dir).expect("remove the data dir");
    let max_delay = full.mul_f64(1.2);
    println!("import_kill: a full import takes {full:?}; kills drawn from 0..={max_delay:?}");

    // Outcomes: finished before the kill; killed with nothing written (no data dir or no
    // accounts); killed with some; killed with all (while exiting).
    let (mut finished, mut nothing, mut some, mut all, mut recovered) = (0, 0, 0, 0, 0);
    let mut no_metadata = 0;
    let mut histogram = [0usize; ACCOUNTS + 1];
    let mut last = None;
    for run in 0..RUNS {
        let dir = tmp.path().join(format!("run-{run:03}"));
        let delay = Duration::from_micros(rng.random_range(0..=max_delay.as_micros() as u64));
        let import = command(&dir, &["import", &list.display().to_string(), "--yes"]);
        let killed = killed_after(import, delay);
        if !dir.join("accounts.json").exists() {
            no_metadata += 1;
        }
        let is_last = run + 1 == RUNS;
        let what = format!("run {run} (seed {seed}, kill after {delay:?})");
        let codes = if is_last { None } else { Some(CODE_SAMPLE) };
        let found = check(&dir, &expected, &before, codes, &mut rng, &what);
        histogram[found.listed] += 1;
        recovered += found.recovered;
        match (killed, found.listed) {
            (false, n) => {
                assert_eq!(n, ACCOUNTS, "{what}: a finished import added everything");
                finished += 1;
            }
            (true, 0) => nothing += 1,
            (true, ACCOUNTS) => all += 1,
            (true, _) => some += 1,
        }
        if is_last {
            last = Some(dir);
        } else {
            forget(&dir, &keychain);
            fs::remove_dir_all(&dir).ok();
        }
    }

    // The last data dir, imported again to completion: every account there exactly once.
    let dir = last.expect("the last run's data dir");
    kunci(&dir, &["import", &list.display().to_string(), "--yes"]).ok();
    let found = check(&dir, &expected, &before, None, &mut rng, "re-import");
    assert_eq!(found.listed, ACCOUNTS, "the re-import completes the list");
    forget(&dir, &keychain);

    println!(
        "import_kill: {RUNS} runs in {:?}: finished before the kill {finished}; killed with \
         nothing listed {nothing} (no accounts.json at all: {no_metadata}), with some \
         {some}, with all {all}; accounts recovered from the keychain at the next start: \
         {recovered}",
        started.elapsed()
    );
    println!("import_kill: runs by accounts listed afterwards: {histogram:?}");
}
