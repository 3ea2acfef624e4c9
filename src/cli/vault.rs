//! `kunci vault …`: the encrypted vault file for computers without a usable keychain, and the
//! choice between it and the keychain that every other command follows.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Args, Subcommand};
use kunci::store::vault::{Strength, strength};
use kunci::store::{
    DataDir, Keychain, MoveReport, NoSecretStore, OpenError, SecretStore, SecretsLocation, Store,
    Vault, VaultError, move_to_keychain, move_to_vault,
};
use zeroize::Zeroizing;

use super::{Failure, data_dir, lang, secret_input, warn};
use crate::i18n::{Language, Localize};

/// Environment variable naming a file that holds the vault's passphrase, for commands run
/// without a terminal (scripts, tests).
pub const PASSPHRASE_FILE_ENV: &str = "KUNCI_VAULT_PASSPHRASE_FILE";

/// Wrong passphrases accepted on a terminal before giving up.
const TRIES: usize = 3;

#[derive(Debug, Subcommand)]
pub enum VaultCommand {
    /// Keep the secrets in an encrypted vault file in the data directory instead of the
    /// keychain (for computers without a usable keychain). Asks for a new passphrase twice.
    Create(PassphraseArgs),
    /// Move every secret from the keychain into the vault file (created when there is none),
    /// then delete them from the keychain.
    MoveToVault(PassphraseArgs),
    /// Move every secret from the vault file back into the keychain, then delete the vault
    /// file.
    MoveToKeychain(PassphraseArgs),
    /// Say where the secrets are kept.
    Status,
}

#[derive(Debug, Args)]
pub struct PassphraseArgs {
    /// Read the vault's passphrase from this file (a line break at its end is not part of it);
    /// without it, it is asked on the terminal.
    #[arg(long, value_name = "F")]
    passphrase_file: Option<PathBuf>,
}

/// `kunci vault --help` and its subcommands' help in `lang` (the doc comments above are the
/// English source clap starts from).
pub(crate) fn help(cmd: clap::Command, lang: Language) -> clap::Command {
    let passphrase = |c: clap::Command| {
        c.mut_arg("passphrase_file", |a| {
            a.help(tr!(lang, "vault.help.passphrase_file"))
        })
    };
    cmd.about(tr!(lang, "vault.help.about"))
        .long_about(tr!(
            lang,
            "vault.help.long_about",
            env = PASSPHRASE_FILE_ENV
        ))
        .mut_subcommand("create", |c| {
            passphrase(c.about(tr!(lang, "vault.help.create")).long_about(None))
        })
        .mut_subcommand("move-to-vault", |c| {
            passphrase(
                c.about(tr!(lang, "vault.help.move_to_vault"))
                    .long_about(None),
            )
        })
        .mut_subcommand("move-to-keychain", |c| {
            passphrase(
                c.about(tr!(lang, "vault.help.move_to_keychain"))
                    .long_about(None),
            )
        })
        .mut_subcommand("status", |c| {
            c.about(tr!(lang, "vault.help.status")).long_about(None)
        })
}

pub fn run(command: VaultCommand) -> Result<ExitCode, Failure> {
    let dir = data_dir()?;
    match command {
        VaultCommand::Create(args) => create(&dir, &args),
        VaultCommand::MoveToVault(args) => to_vault(&dir, &args),
        VaultCommand::MoveToKeychain(args) => to_keychain(&dir, &args),
        VaultCommand::Status => status(&dir),
    }
    .map(|()| ExitCode::SUCCESS)
}

/// The vault of `dir`, unlocked for the other commands when it is where the secrets are: with
/// the passphrase from [`PASSPHRASE_FILE_ENV`], else asked on the terminal.
pub(crate) fn unlock_for_commands(dir: &DataDir) -> Result<Option<Arc<Vault>>, Failure> {
    match SecretsLocation::of(dir) {
        SecretsLocation::Keychain => Ok(None),
        SecretsLocation::Vault { .. } => {
            let file = std::env::var_os(PASSPHRASE_FILE_ENV).map(PathBuf::from);
            Ok(Some(Arc::new(unlock(dir, file.as_deref())?)))
        }
    }
}

/// Why the store did not open; a missing or refusing keychain also says how to use the vault.
pub(crate) fn open_failure(e: OpenError) -> Failure {
    let lang = lang();
    if e.keychain_refused() {
        Failure(format!(
            "{}\n{}",
            e.localize(lang),
            tr!(lang, "vault.cli.keychain_missing_hint")
        ))
    } else {
        Failure(e.localize(lang))
    }
}

/// Unlocks the vault: once with a passphrase file, up to [`TRIES`] times on a terminal.
fn unlock(dir: &DataDir, file: Option<&Path>) -> Result<Vault, Failure> {
    let lang = lang();
    let vault = if let Some(path) = file {
        Vault::unlock(dir, &secret_input::from_file(path)?)?
    } else {
        if !std::io::stdin().is_terminal() {
            return Err(Failure(tr!(
                lang,
                "vault.cli.no_terminal",
                env = PASSPHRASE_FILE_ENV
            )));
        }
        let mut tries = 0;
        loop {
            let typed = ask(&tr!(lang, "vault.cli.prompt"))?;
            match Vault::unlock(dir, &typed) {
                Err(VaultError::WrongPassphrase) if tries + 1 < TRIES => {
                    eprintln!("kunci: {}", VaultError::WrongPassphrase.localize(lang));
                    tries += 1;
                }
                other => break other?,
            }
        }
    };
    if let Some(aside) = vault.set_aside() {
        warn(&tr!(lang, "vault.restored", path = aside.display()));
    }
    Ok(vault)
}

fn ask(prompt: &str) -> Result<Zeroizing<String>, Failure> {
    secret_input::ask_hidden(prompt).unwrap_or_else(|| {
        Err(Failure(tr!(
            lang(),
            "vault.cli.no_terminal",
            env = PASSPHRASE_FILE_ENV
        )))
    })
}

/// A new passphrase: from the file, or typed twice on the terminal after the explanation.
fn new_passphrase(file: Option<&Path>) -> Result<Zeroizing<String>, Failure> {
    let lang = lang();
    let passphrase = match file {
        Some(path) => secret_input::from_file(path)?,
        None => {
            if !std::io::stdin().is_terminal() {
                return Err(Failure(tr!(lang, "vault.cli.no_terminal_new")));
            }
            eprintln!("{}\n", tr!(lang, "vault.explain"));
            let first = ask(&tr!(lang, "vault.cli.prompt_new"))?;
            let again = ask(&tr!(lang, "vault.cli.prompt_again"))?;
            if first != again {
                return Err(Failure(tr!(lang, "vault.differ")));
            }
            first
        }
    };
    if passphrase.is_empty() {
        return Err(VaultError::EmptyPassphrase.into());
    }
    if strength(&passphrase) == Strength::Weak {
        warn(&tr!(lang, "vault.weak"));
    }
    Ok(passphrase)
}

fn create(dir: &DataDir, args: &PassphraseArgs) -> Result<(), Failure> {
    let lang = lang();
    if Vault::exists(dir) {
        return Err(VaultError::Exists {
            path: Vault::path(dir),
        }
        .into());
    }
    let (store, _) = Store::open(dir.clone(), Arc::new(NoSecretStore::new("")))?;
    let count = store.accounts().len();
    if count > 0 {
        if Keychain::connect().is_ok() {
            return Err(Failure(tr!(lang, "vault.cli.use_move", count = count)));
        }
        warn(&tr!(lang, "vault.cli.left_in_keychain", count = count));
    }
    let passphrase = new_passphrase(args.passphrase_file.as_deref())?;
    Vault::create(dir, &passphrase)?;
    println!(
        "{}",
        tr!(lang, "vault.cli.created", path = Vault::path(dir).display())
    );
    Ok(())
}

fn to_vault(dir: &DataDir, args: &PassphraseArgs) -> Result<(), Failure> {
    let lang = lang();
    let keychain = Keychain::connect()?;
    let file = args.passphrase_file.as_deref();
    let passphrase = if Vault::exists(dir) {
        // Finishing an earlier move: the vault's passphrase, checked by the move itself.
        match file {
            Some(path) => secret_input::from_file(path)?,
            None if std::io::stdin().is_terminal() => ask(&tr!(lang, "vault.cli.prompt"))?,
            None => return Err(Failure(tr!(lang, "vault.cli.no_terminal_new"))),
        }
    } else {
        new_passphrase(file)?
    };
    let (vault, report) = move_to_vault(dir, &keychain, &passphrase)?;
    print_report(lang, &report, &tr!(lang, "vault.cli.to_vault_done"));
    println!(
        "{}",
        tr!(
            lang,
            "vault.cli.now_vault",
            path = Vault::path(dir).display()
        )
    );
    check_after(dir, Arc::new(vault))
}

fn to_keychain(dir: &DataDir, args: &PassphraseArgs) -> Result<(), Failure> {
    let lang = lang();
    if !Vault::exists(dir) {
        return Err(Failure(tr!(lang, "vault.cli.no_vault")));
    }
    let keychain = Keychain::connect()?;
    let vault = unlock(dir, args.passphrase_file.as_deref())?;
    let report = move_to_keychain(dir, &vault, &keychain)?;
    print_report(lang, &report, &tr!(lang, "vault.cli.to_keychain_done"));
    println!("{}", tr!(lang, "vault.cli.now_keychain"));
    check_after(dir, Arc::new(keychain))
}

/// Opens the store on its new secrets and reports what does not add up.
fn check_after(dir: &DataDir, secrets: Arc<dyn SecretStore>) -> Result<(), Failure> {
    let (mut store, problems) = Store::open(dir.clone(), secrets)?;
    super::report_problems(&problems);
    let reconciliation = store.reconcile()?;
    super::report_reconciliation(&store, &reconciliation);
    Ok(())
}

fn print_report(lang: Language, report: &MoveReport, done: &str) {
    println!("{done}");
    println!(
        "{}",
        tr!(
            lang,
            "vault.cli.report",
            moved = report.moved,
            already = report.already_there
        )
    );
    for id in &report.missing {
        warn(&tr!(lang, "vault.cli.missing", id = id));
    }
    for id in &report.conflicts {
        warn(&tr!(lang, "vault.cli.conflict", id = id));
    }
}

fn status(dir: &DataDir) -> Result<(), Failure> {
    let lang = lang();
    if Vault::exists(dir) {
        let params = Vault::params_of(dir)?;
        println!(
            "{}",
            tr!(
                lang,
                "vault.cli.status_vault",
                path = Vault::path(dir).display(),
                memory = params.m_cost_kib / 1024,
                passes = params.t_cost
            )
        );
    } else {
        println!("{}", tr!(lang, "vault.cli.status_keychain"));
    }
    Ok(())
}
