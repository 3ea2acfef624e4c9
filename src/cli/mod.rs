//! The command-line front end: one dispatch over the commands, each in its own file, every one
//! returning `Result<ExitCode, Failure>`; a failure is printed once, here, after "kunci: ".

use std::process::ExitCode;
use std::sync::OnceLock;

use clap::FromArgMatches;
use kunci::settings::{Language, Settings};
use kunci::store::{DataDir, LoadProblem, Reconciliation, Store};

use crate::i18n::Localize;

mod accounts;
mod args;
mod drift;
mod export;
mod help;
mod import;
mod pick;
mod scan;
mod secret_input;
mod vault;

pub(crate) use accounts::{added_line, describe, said_yes};
pub use args::{AddArgs, Cli, Command, ExportArgs, ExportFormat, ImportArgs, ScanArgs};
pub use help::command;

/// A failure worth one message on stderr, in the run's language.
pub(crate) struct Failure(pub String);

impl<E: Localize> From<E> for Failure {
    fn from(e: E) -> Self {
        Failure(e.localize(lang()))
    }
}

/// The language of this run. A command-line run is its own process, so one language for all
/// of it is safe here (the window passes its language around instead).
static LANG: OnceLock<Language> = OnceLock::new();

/// The language chosen in the settings, else the system's.
pub(crate) fn lang() -> Language {
    *LANG.get_or_init(|| chosen_language().unwrap_or_else(Language::of_system))
}

/// The language saved in the settings, read without side effects: a damaged settings file is
/// dealt with (and reported) by the commands that use the settings.
fn chosen_language() -> Option<Language> {
    let dir = DataDir::from_env()?;
    let bytes = std::fs::read(dir.settings()).ok()?;
    serde_json::from_slice::<Settings>(&bytes).ok()?.language
}

/// Parses the process's arguments, with clap's help and usage texts in the run's language.
pub fn parse() -> Cli {
    let matches = command().get_matches();
    Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit())
}

/// Runs one command; returns the process exit code.
pub fn run(command: Command) -> ExitCode {
    let result = match command {
        Command::Add(args) => accounts::add(args),
        Command::List { json } => accounts::list(json),
        Command::Code {
            query,
            at,
            network_time,
        } => accounts::code(&query, at, network_time),
        Command::Uri { query } => accounts::uri(&query),
        Command::Remove { query, yes } => accounts::remove(&query, yes),
        Command::Rename {
            query,
            issuer,
            label,
        } => accounts::rename(&query, issuer, label),
        Command::Scan(args) => scan::run(args),
        Command::Import(args) => import::run(args),
        Command::Export(args) => export::run(args),
        Command::Drift {
            servers,
            https,
            json,
        } => drift::run(servers, https, json),
        Command::Recover { list, yes } => accounts::recover(list.as_deref(), yes),
        Command::Pick => pick::run(),
        Command::Vault { command } => vault::run(command),
    };
    match result {
        Ok(code) => code,
        Err(Failure(message)) => {
            eprintln!("kunci: {message}");
            ExitCode::FAILURE
        }
    }
}

pub(crate) fn data_dir() -> Result<DataDir, Failure> {
    DataDir::from_env().ok_or_else(|| Failure(tr!(lang(), "cli.no_data_dir")))
}

/// Opens the store where its secrets are kept (the keychain, or the vault unlocked on the
/// way), reconciling the two sides, and reports what it found.
pub(crate) fn open_store() -> Result<Store, Failure> {
    let dir = data_dir()?;
    let unlocked = vault::unlock_for_commands(&dir)?;
    let (mut store, problems) =
        Store::open_where_kept(dir, unlocked).map_err(vault::open_failure)?;
    report_problems(&problems);
    let reconciliation = store.reconcile()?;
    report_reconciliation(&store, &reconciliation);
    Ok(store)
}

/// An empty list may be one whose file was lost: says that its accounts can come back. Only
/// where the user looks at the list (`kunci list`): finding other lists reads every entry of
/// Kunci's in the keychain, too much to do before every command.
pub(crate) fn offer_earlier_lists(store: &Store) {
    for earlier in store.earlier_lists().unwrap_or_default() {
        warn(&tr!(
            lang(),
            "cli.recover.hint",
            count = earlier.accounts,
            list = earlier.vault
        ));
    }
}

pub(crate) fn report_problems(problems: &[LoadProblem]) {
    for problem in problems {
        warn(&problem.localize(lang()));
    }
}

/// "kunci: warning: …" on stderr.
pub(crate) fn warn(message: &str) {
    eprintln!("kunci: {}: {message}", tr!(lang(), "cli.warning"));
}

pub(crate) fn report_reconciliation(store: &Store, r: &Reconciliation) {
    let lang = lang();
    for account in &r.recovered {
        eprintln!(
            "kunci: {}",
            tr!(lang, "cli.recovered", name = account.display_name())
        );
    }
    for id in &r.missing_secrets {
        if let Some(account) = store.accounts().get(id) {
            warn(&tr!(
                lang,
                "cli.secret_missing",
                name = account.display_name()
            ));
        }
    }
    for id in &r.unreadable {
        warn(&tr!(lang, "cli.entry_unreadable", id = id));
    }
}

pub(crate) fn settings() -> Result<Settings, Failure> {
    let (settings, problem) = Settings::load(&data_dir()?);
    if let Some(problem) = problem {
        warn(&problem.localize(lang()));
    }
    Ok(settings)
}
