//! The command-line front end: clap definitions turned into library calls.

use std::io::{BufRead, IsTerminal, Write};
use std::process::ExitCode;
use std::sync::{Arc, OnceLock};

use clap::{Arg, ArgAction, Args, CommandFactory, FromArgMatches, Parser, Subcommand};
use kunci::accounts::{Account, QueryError};
use kunci::clock::{self, CheckConfig, Measurement, NoTimeSource, Outcome, Report, Verdict};
use kunci::otp::{self, Algorithm, Kind, OtpUri, Params, parse_setup_key};
use kunci::settings::{Language, Settings};
use kunci::store::{DataDir, LoadProblem, NoSecretStore, Reconciliation, Store};

use crate::advice;
use crate::i18n::Localize;

mod export;
mod import;
mod scan;
mod vault;

#[derive(Debug, Parser)]
#[command(
    name = "kunci",
    version,
    about = "One-time codes (TOTP) on your desktop, secrets in the OS keychain.",
    long_about = "One-time codes (TOTP) on your desktop, secrets in the OS keychain.\n\n\
                  Without a command, Kunci opens its window.\n\
                  Data directory: $KUNCI_DATA_DIR, else the platform's data directory."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Add an account from an otpauth:// URI or a setup key.
    Add(AddArgs),
    /// List the accounts (never their secrets).
    List {
        /// One JSON array on standard output.
        #[arg(long)]
        json: bool,
    },
    /// Print the current code of one account, and nothing else.
    Code {
        /// Issuer, label ("issuer:label"), a part of them, or the account id.
        query: String,
        /// Compute the code for this Unix time instead of now.
        #[arg(long, value_name = "UNIX_SECONDS", conflicts_with = "network_time")]
        at: Option<u64>,
        /// Use network time (this clock corrected by the measured offset) instead of this
        /// computer's clock.
        #[arg(long)]
        network_time: bool,
    },
    /// Find QR codes in an image file, on the screen or in front of a webcam, say what they
    /// hold, and add the accounts with --add. Exit status: 0 something found, 1 nothing found,
    /// 2 error (unreadable file, no screen, no camera).
    Scan(ScanArgs),
    /// Import the accounts of a Kunci backup or of another authenticator's export file: otpauth
    /// URI lists, Aegis, 2FAS, Bitwarden (JSON), andOTP (unencrypted) and FreeOTP+ (JSON). Lists
    /// what it will add and asks first. Exit status: 0 done, 1 bad input.
    Import(ImportArgs),
    /// Write every account to a file: a Kunci backup encrypted with a passphrase (the default),
    /// or, on explicit choice, an UNENCRYPTED otpauth URI list or Aegis plain vault. Exit
    /// status: 0 written, 1 not written.
    Export(ExportArgs),
    /// Check this computer's clock against network time. Exit status: 0 ok, 1 warning,
    /// 2 error (codes will fail), 3 no time source reached.
    Drift {
        /// An SNTP server, `host` or `host:port`; repeat for several. Replaces the configured
        /// servers, and the HTTPS fallback then uses only the --https URLs given.
        #[arg(long = "server", value_name = "HOST[:PORT]")]
        servers: Vec<String>,
        /// A URL whose HTTPS `Date` header is the fallback when no SNTP server answers;
        /// repeat for several.
        #[arg(long = "https", value_name = "URL")]
        https: Vec<String>,
        /// One JSON object on standard output.
        #[arg(long)]
        json: bool,
    },
    /// Print the otpauth:// URI of one account (it contains the secret).
    Uri {
        /// Issuer, label ("issuer:label"), a part of them, or the account id.
        query: String,
    },
    /// Remove one account and delete its secret from the keychain.
    Remove {
        /// Issuer, label ("issuer:label"), a part of them, or the account id.
        query: String,
        /// Do not ask for confirmation.
        #[arg(long, short = 'y')]
        yes: bool,
    },
    /// Change the issuer and/or label of one account.
    Rename {
        /// Issuer, label ("issuer:label"), a part of them, or the account id.
        query: String,
        #[arg(long)]
        issuer: Option<String>,
        #[arg(long)]
        label: Option<String>,
    },
    /// Where the secrets are kept: the keychain, or an encrypted vault file in the data
    /// directory (for computers without a usable keychain). When the vault is chosen, the
    /// other commands ask for its passphrase, or read it from the file named by
    /// $KUNCI_VAULT_PASSPHRASE_FILE.
    Vault {
        #[command(subcommand)]
        command: vault::VaultCommand,
    },
}

#[derive(Debug, Args)]
pub struct ScanArgs {
    /// An image file (PNG, JPEG, WebP, BMP), e.g. a screenshot of the enrolment page.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["screen", "camera"], required_unless_present_any = ["screen", "camera"])]
    image: Option<std::path::PathBuf>,
    /// Every monitor of this computer.
    #[arg(long, conflicts_with = "camera")]
    screen: bool,
    /// A webcam (the first one, or the given index); hold the QR code in front of it.
    #[arg(long, value_name = "INDEX", num_args = 0..=1, default_missing_value = "0")]
    camera: Option<u32>,
    /// How long to look through the webcam before giving up, in seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 30)]
    camera_timeout: u64,
    /// Add the accounts found.
    #[arg(long)]
    add: bool,
    /// With --add: when an account with the same issuer and name exists with another secret
    /// (the site issued a new QR code), put the new secret in its place.
    #[arg(long, requires = "add")]
    replace: bool,
    /// Print the decoded text of every QR code found, one per line, and nothing else.
    #[arg(long, conflicts_with_all = ["add", "show_secret"])]
    raw: bool,
    /// Also print the secrets (setup keys) found.
    #[arg(long)]
    show_secret: bool,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The export file; its format is recognised from its contents.
    #[arg(value_name = "FILE")]
    file: std::path::PathBuf,
    /// Read the password of an encrypted export from this file (a line break at its end is not
    /// part of it); without it, the password is asked on the terminal.
    #[arg(long, value_name = "F")]
    password_file: Option<std::path::PathBuf>,
    /// Add the accounts without asking.
    #[arg(long, short = 'y')]
    yes: bool,
}

/// What `kunci export` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    /// A Kunci backup, encrypted with a passphrase (Argon2id + XChaCha20-Poly1305).
    Kunci,
    /// otpauth:// URIs, one a line: NOT encrypted.
    Uris,
    /// An Aegis plain vault (JSON): NOT encrypted.
    Aegis,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The file format.
    #[arg(long, value_enum, default_value = "kunci")]
    format: ExportFormat,
    /// The file to write (created owner-only on Unix).
    #[arg(long, value_name = "FILE")]
    out: std::path::PathBuf,
    /// With --format kunci: read the passphrase from this file (a line break at its end is not
    /// part of it); without it, the passphrase is asked twice on the terminal.
    #[arg(long, value_name = "F")]
    password_file: Option<std::path::PathBuf>,
    /// Replace FILE when it exists (nothing is ever written over without it).
    #[arg(long)]
    force: bool,
}

#[derive(Debug, Args)]
pub struct AddArgs {
    /// An otpauth://totp/... or otpauth://hotp/... URI, as a QR code holds it.
    #[arg(
        long,
        required_unless_present = "secret",
        conflicts_with_all = ["secret", "issuer", "label", "digits", "period", "algorithm", "counter"]
    )]
    uri: Option<String>,
    /// The setup key shown under the QR code (base32; spaces, dashes and lowercase are fine).
    #[arg(long, value_name = "KEY", requires = "label")]
    secret: Option<String>,
    /// Who issues the codes, e.g. "LPSE Kota Bandung".
    #[arg(long, value_name = "I", default_value = "")]
    issuer: String,
    /// The account name, e.g. your user name.
    #[arg(long, value_name = "L")]
    label: Option<String>,
    /// Digits per code (6 to 8).
    #[arg(long, value_name = "N", default_value_t = 6)]
    digits: u8,
    /// Seconds per code (1 to 300).
    #[arg(long, value_name = "S", default_value_t = 30)]
    period: u32,
    /// SHA1, SHA256 or SHA512.
    #[arg(long, value_name = "A", default_value = "SHA1")]
    algorithm: String,
    /// Make it a counter-based (HOTP) account starting at this counter.
    #[arg(long, value_name = "N")]
    counter: Option<u64>,
}

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

/// The command line's definition with every help text from the translation files (the doc
/// comments above are the English originals, for readers of this file).
pub fn command() -> clap::Command {
    command_in(lang())
}

/// [`command`] in `lang`.
fn command_in(lang: Language) -> clap::Command {
    let query = tr!(lang, "cli.help.query");
    let json = tr!(lang, "cli.help.json");
    let yes = tr!(lang, "cli.help.yes");
    let cmd = Cli::command()
        .about(tr!(lang, "cli.help.about"))
        .long_about(tr!(lang, "cli.help.long_about"))
        .mut_subcommand("add", |c| {
            c.about(tr!(lang, "cli.help.add"))
                .long_about(None)
                .mut_arg("uri", |a| a.help(tr!(lang, "cli.help.add.uri")))
                .mut_arg("secret", |a| a.help(tr!(lang, "cli.help.add.secret")))
                .mut_arg("issuer", |a| a.help(tr!(lang, "cli.help.add.issuer")))
                .mut_arg("label", |a| a.help(tr!(lang, "cli.help.add.label")))
                .mut_arg("digits", |a| a.help(tr!(lang, "cli.help.add.digits")))
                .mut_arg("period", |a| a.help(tr!(lang, "cli.help.add.period")))
                .mut_arg("algorithm", |a| a.help(tr!(lang, "cli.help.add.algorithm")))
                .mut_arg("counter", |a| a.help(tr!(lang, "cli.help.add.counter")))
        })
        .mut_subcommand("list", |c| {
            c.about(tr!(lang, "cli.help.list"))
                .long_about(None)
                .mut_arg("json", |a| a.help(json.clone()))
        })
        .mut_subcommand("code", |c| {
            c.about(tr!(lang, "cli.help.code"))
                .long_about(None)
                .mut_arg("query", |a| a.help(query.clone()))
                .mut_arg("at", |a| a.help(tr!(lang, "cli.help.code.at")))
                .mut_arg("network_time", |a| {
                    a.help(tr!(lang, "cli.help.code.network_time"))
                })
        })
        .mut_subcommand("scan", |c| {
            c.about(tr!(lang, "cli.help.scan"))
                .long_about(None)
                .mut_arg("image", |a| a.help(tr!(lang, "cli.help.scan.image")))
                .mut_arg("screen", |a| a.help(tr!(lang, "cli.help.scan.screen")))
                .mut_arg("camera", |a| a.help(tr!(lang, "cli.help.scan.camera")))
                .mut_arg("camera_timeout", |a| {
                    a.help(tr!(lang, "cli.help.scan.camera_timeout"))
                })
                .mut_arg("add", |a| a.help(tr!(lang, "cli.help.scan.add")))
                .mut_arg("replace", |a| a.help(tr!(lang, "cli.help.scan.replace")))
                .mut_arg("raw", |a| a.help(tr!(lang, "cli.help.scan.raw")))
                .mut_arg("show_secret", |a| {
                    a.help(tr!(lang, "cli.help.scan.show_secret"))
                })
        })
        .mut_subcommand("import", |c| {
            c.about(tr!(lang, "cli.help.import"))
                .long_about(None)
                .mut_arg("file", |a| a.help(tr!(lang, "cli.help.import.file")))
                .mut_arg("password_file", |a| {
                    a.help(tr!(lang, "cli.help.import.password_file"))
                })
                .mut_arg("yes", |a| a.help(tr!(lang, "cli.help.import.yes")))
        })
        .mut_subcommand("export", |c| {
            c.about(tr!(lang, "cli.help.export"))
                .long_about(None)
                .mut_arg("format", |a| a.help(tr!(lang, "cli.help.export.format")))
                .mut_arg("out", |a| a.help(tr!(lang, "cli.help.export.out")))
                .mut_arg("password_file", |a| {
                    a.help(tr!(lang, "cli.help.export.password_file"))
                })
                .mut_arg("force", |a| a.help(tr!(lang, "cli.help.export.force")))
        })
        .mut_subcommand("drift", |c| {
            c.about(tr!(lang, "cli.help.drift"))
                .long_about(None)
                .mut_arg("servers", |a| a.help(tr!(lang, "cli.help.drift.server")))
                .mut_arg("https", |a| a.help(tr!(lang, "cli.help.drift.https")))
                .mut_arg("json", |a| a.help(json.clone()))
        })
        .mut_subcommand("uri", |c| {
            c.about(tr!(lang, "cli.help.uri"))
                .long_about(None)
                .mut_arg("query", |a| a.help(query.clone()))
        })
        .mut_subcommand("remove", |c| {
            c.about(tr!(lang, "cli.help.remove"))
                .long_about(None)
                .mut_arg("query", |a| a.help(query.clone()))
                .mut_arg("yes", |a| a.help(yes.clone()))
        })
        .mut_subcommand("rename", |c| {
            c.about(tr!(lang, "cli.help.rename"))
                .long_about(None)
                .mut_arg("query", |a| a.help(query.clone()))
                .mut_arg("issuer", |a| a.help(tr!(lang, "cli.help.rename.issuer")))
                .mut_arg("label", |a| a.help(tr!(lang, "cli.help.rename.label")))
        })
        .mut_subcommand("vault", |c| vault::help(c, lang));
    let mut cmd = with_clap_words(cmd, lang);
    // clap adds its `help` command while building: build first, then word that one too.
    cmd.build();
    cmd.mut_subcommand("help", |help| {
        help.about(tr!(lang, "cli.help.help_command"))
    })
}

/// clap's own words (the usage line, headings, --help and --version) in `lang`, on a command
/// and all its subcommands.
fn with_clap_words(cmd: clap::Command, lang: Language) -> clap::Command {
    // clap takes headings as `&'static str` (without its "string" feature); a few short words
    // for the one parse of this process.
    let options: &'static str = tr!(lang, "cli.help.options").leak();
    let arguments: &'static str = tr!(lang, "cli.help.arguments").leak();
    let commands: &'static str = tr!(lang, "cli.help.commands").leak();
    let has_version = cmd.get_version().is_some();
    // As clap words it: with a long description, -h and --help show different texts.
    let help = if cmd.get_long_about().is_some() {
        Arg::new("help")
            .help(tr!(lang, "cli.help.help_summary"))
            .long_help(tr!(lang, "cli.help.help_long"))
    } else {
        Arg::new("help").help(tr!(lang, "cli.help.help"))
    };
    let mut cmd = cmd
        .help_template(tr!(lang, "cli.help.template"))
        .subcommand_help_heading(commands)
        .mut_args(|a| {
            let heading = if a.is_positional() {
                arguments
            } else {
                options
            };
            a.help_heading(heading)
        })
        // Kunci's own --help and --version, so that their words can be translated too.
        .disable_help_flag(true)
        .arg(
            help.short('h')
                .long("help")
                .action(ArgAction::Help)
                .help_heading(options),
        );
    if has_version {
        cmd = cmd.disable_version_flag(true).arg(
            Arg::new("version")
                .short('V')
                .long("version")
                .action(ArgAction::Version)
                .help(tr!(lang, "cli.help.version"))
                .help_heading(options),
        );
    }
    cmd.mut_subcommands(|sub| with_clap_words(sub, lang))
}

/// Runs one command; returns the process exit code.
pub fn run(command: Command) -> ExitCode {
    let result = match command {
        Command::Drift {
            servers,
            https,
            json,
        } => drift(servers, https, json),
        Command::Scan(args) => Ok(scan::run(args)),
        Command::Import(args) => Ok(import::run(args)),
        Command::Export(args) => export::run(args).map(|()| ExitCode::SUCCESS),
        Command::Vault { command } => vault::run(command).map(|()| ExitCode::SUCCESS),
        other => execute(other).map(|()| ExitCode::SUCCESS),
    };
    match result {
        Ok(code) => code,
        Err(Failure(message)) => {
            eprintln!("kunci: {message}");
            ExitCode::FAILURE
        }
    }
}

fn execute(command: Command) -> Result<(), Failure> {
    match command {
        Command::Drift { .. }
        | Command::Scan(_)
        | Command::Import(_)
        | Command::Export(_)
        | Command::Vault { .. } => {
            unreachable!("handled by run")
        }
        Command::Add(args) => add(args),
        Command::List { json } => list(json),
        Command::Code {
            query,
            at,
            network_time,
        } => code(&query, at, network_time),
        Command::Uri { query } => uri(&query),
        Command::Remove { query, yes } => remove(&query, yes),
        Command::Rename {
            query,
            issuer,
            label,
        } => rename(&query, issuer, label),
    }
}

fn data_dir() -> Result<DataDir, Failure> {
    DataDir::from_env().ok_or_else(|| Failure(tr!(lang(), "cli.no_data_dir")))
}

/// Opens the store with the keychain, reconciling on the way, and reports what it found.
pub(crate) fn open_store() -> Result<Store, Failure> {
    let dir = data_dir()?;
    let secrets = vault::secret_store(&dir)?;
    let (mut store, problems) = Store::open(dir, secrets)?;
    report_problems(&problems);
    let reconciliation = store.reconcile()?;
    report_reconciliation(&store, &reconciliation);
    Ok(store)
}

fn report_problems(problems: &[LoadProblem]) {
    for problem in problems {
        warn(&problem.localize(lang()));
    }
}

/// "kunci: warning: …" on stderr.
pub(crate) fn warn(message: &str) {
    eprintln!("kunci: {}: {message}", tr!(lang(), "cli.warning"));
}

fn report_reconciliation(store: &Store, r: &Reconciliation) {
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

fn add(args: AddArgs) -> Result<(), Failure> {
    // Everything is checked before the keychain is touched: bad input leaves no trace.
    let new = match (&args.uri, &args.secret) {
        (Some(text), _) => OtpUri::parse(text)?,
        (None, Some(key)) => {
            let algorithm: Algorithm = args.algorithm.parse()?;
            let params = Params {
                kind: if args.counter.is_some() {
                    Kind::Hotp
                } else {
                    Kind::Totp
                },
                algorithm,
                digits: args.digits,
                period: args.period,
                counter: args.counter.unwrap_or(0),
            };
            params.validate()?;
            OtpUri {
                issuer: Some(args.issuer.trim().to_string()).filter(|i| !i.is_empty()),
                label: args.label.clone().unwrap_or_default(),
                secret: parse_setup_key(key)?,
                params,
            }
        }
        (None, None) => return Err(Failure(tr!(lang(), "cli.add.give_uri_or_secret"))),
    };
    let mut store = open_store()?;
    let account = store.add(&new)?;
    println!("{}", added_line(&account));
    Ok(())
}

/// "added NAME (id ID)".
pub(crate) fn added_line(account: &Account) -> String {
    tr!(
        lang(),
        "cli.added",
        name = account.display_name(),
        id = account.id
    )
}

fn list(json: bool) -> Result<(), Failure> {
    // Listing needs no secrets: without a keychain, show the metadata and say so.
    let store = match open_store() {
        Ok(store) => store,
        Err(Failure(why)) => {
            let (store, problems) =
                Store::open(data_dir()?, Arc::new(NoSecretStore::new(why.clone())))?;
            report_problems(&problems);
            warn(&why);
            store
        }
    };
    let accounts = store.accounts().as_slice();
    if json {
        let rows: Vec<serde_json::Value> = accounts.iter().map(account_json).collect();
        println!("{}", serde_json::to_string_pretty(&rows)?);
    } else if accounts.is_empty() {
        eprintln!("{}", tr!(lang(), "cli.list.empty"));
    } else {
        print_table(accounts);
    }
    Ok(())
}

fn account_json(a: &Account) -> serde_json::Value {
    let mut v = serde_json::json!({
        "id": a.id,
        "issuer": a.issuer,
        "label": a.label,
        "type": match a.params.kind { Kind::Totp => "totp", Kind::Hotp => "hotp" },
        "algorithm": a.params.algorithm.as_str(),
        "digits": a.params.digits,
    });
    match a.params.kind {
        Kind::Totp => v["period"] = a.params.period.into(),
        Kind::Hotp => v["counter"] = a.params.counter.into(),
    }
    v["note"] = a.note.clone().into();
    v["pinned"] = a.pinned.into();
    v
}

fn print_table(accounts: &[Account]) {
    let lang = lang();
    let issuer = tr!(lang, "cli.list.issuer");
    let issuer_width = accounts
        .iter()
        .map(|a| a.issuer.chars().count())
        .max()
        .unwrap_or(0)
        .max(issuer.chars().count());
    println!(
        "{:<8}  {issuer:<issuer_width$}  {}",
        "ID",
        tr!(lang, "cli.list.label")
    );
    for a in accounts {
        println!(
            "{:<8}  {:<issuer_width$}  {}",
            &a.id.as_str()[..8.min(a.id.as_str().len())],
            a.issuer,
            a.label
        );
    }
}

fn find<'a>(store: &'a Store, query: &str) -> Result<&'a Account, Failure> {
    store.accounts().find_one(query).map_err(|e| {
        let lang = lang();
        let mut message = e.localize(lang);
        let candidates = e.candidates();
        if candidates.is_empty() {
            message.push_str(&tr!(lang, "cli.find.no_accounts"));
        } else {
            message.push_str(&match e {
                QueryError::Ambiguous { .. } => tr!(lang, "cli.find.candidates"),
                QueryError::NoMatch { .. } => tr!(lang, "cli.find.accounts"),
            });
            for a in candidates {
                message.push_str(&format!(
                    "\n  {}  {}",
                    &a.id.as_str()[..8.min(a.id.as_str().len())],
                    a.display_name()
                ));
            }
        }
        Failure(message)
    })
}

fn code(query: &str, at: Option<u64>, network_time: bool) -> Result<(), Failure> {
    let mut store = open_store()?;
    let account = find(&store, query)?.clone();
    let secret = store.secret(&account.id)?;
    let now = match at {
        Some(at) => at,
        None if network_time => network_now()?,
        None => clock::system_now().max(0.0) as u64,
    };
    let code = otp::generate(&secret, &account.params, now)?;
    if account.params.kind == Kind::Hotp {
        // A counter code is used up once shown: the next call gives the next one.
        store.advance_counter(&account.id)?;
    }
    println!("{code}");
    Ok(())
}

fn uri(query: &str) -> Result<(), Failure> {
    let store = open_store()?;
    let account = find(&store, query)?;
    let secret = store.secret(&account.id)?;
    warn(&tr!(lang(), "cli.uri.warning"));
    println!("{}", account.to_uri(&secret).to_uri().as_str());
    Ok(())
}

fn remove(query: &str, yes: bool) -> Result<(), Failure> {
    let mut store = open_store()?;
    let account = find(&store, query)?.clone();
    if !yes {
        if !std::io::stdin().is_terminal() {
            return Err(Failure(tr!(
                lang(),
                "cli.remove.needs_yes",
                name = account.display_name()
            )));
        }
        eprint!(
            "{} ",
            tr!(lang(), "cli.remove.ask", name = account.display_name())
        );
        std::io::stderr().flush()?;
        let mut answer = String::new();
        std::io::stdin().lock().read_line(&mut answer)?;
        if !said_yes(&answer) {
            eprintln!("kunci: {}", tr!(lang(), "cli.remove.nothing_removed"));
            return Ok(());
        }
    }
    store.remove(&account.id)?;
    println!(
        "{}",
        tr!(lang(), "cli.remove.removed", name = account.display_name())
    );
    Ok(())
}

/// Whether a typed answer to a "[y/N]" question is yes, in either language.
pub(crate) fn said_yes(answer: &str) -> bool {
    matches!(answer.trim().to_lowercase().as_str(), "y" | "yes" | "ya")
}

fn rename(query: &str, issuer: Option<String>, label: Option<String>) -> Result<(), Failure> {
    if issuer.is_none() && label.is_none() {
        return Err(Failure(tr!(lang(), "cli.rename.give_issuer_or_label")));
    }
    let mut store = open_store()?;
    let account = find(&store, query)?.clone();
    let renamed = store.rename(
        &account.id,
        issuer.as_deref().unwrap_or(&account.issuer),
        label.as_deref().unwrap_or(&account.label),
    )?;
    println!(
        "{}",
        tr!(lang(), "cli.rename.renamed", name = renamed.display_name())
    );
    Ok(())
}

fn settings() -> Result<Settings, Failure> {
    let (settings, problem) = Settings::load(&data_dir()?);
    if let Some(problem) = problem {
        warn(&problem.localize(lang()));
    }
    Ok(settings)
}

/// Now, by this computer's clock corrected with a fresh measurement.
fn network_now() -> Result<u64, Failure> {
    let config = settings()?.check_config();
    match clock::check(&config) {
        Ok(m) => {
            let lang = lang();
            eprintln!(
                "kunci: {}",
                tr!(
                    lang,
                    "cli.code.network_time",
                    source = advice::source_name(lang, &m.source),
                    offset = advice::signed(lang, m.offset, 2)
                )
            );
            Ok((clock::system_now() + m.offset).max(0.0) as u64)
        }
        Err(e) => Err(Failure(tr!(
            lang(),
            "cli.code.no_network_time",
            reason = e.localize(lang())
        ))),
    }
}

fn drift(servers: Vec<String>, https: Vec<String>, json: bool) -> Result<ExitCode, Failure> {
    let configured = settings()?.check_config();
    let config = if servers.is_empty() {
        CheckConfig {
            https_urls: if https.is_empty() {
                configured.https_urls
            } else {
                https
            },
            ..configured
        }
    } else {
        CheckConfig {
            servers,
            https_urls: https,
            ..configured
        }
    };
    let result = clock::check(&config);
    if json {
        println!("{}", serde_json::to_string_pretty(&drift_json(&result))?);
    } else {
        print_drift(&result);
    }
    Ok(ExitCode::from(match &result {
        Ok(m) => match m.verdict() {
            Verdict::Ok => 0,
            Verdict::Warning => 1,
            Verdict::Error => 2,
        },
        Err(_) => 3,
    }))
}

const SIGN_CONVENTION: &str =
    "network time minus this computer's time; negative means this computer's clock is ahead";

fn report_json(r: &Report) -> serde_json::Value {
    let mut v = serde_json::json!({ "target": r.target });
    match &r.outcome {
        Outcome::Answered { offset, delay } => {
            v["status"] = "answered".into();
            v["offset_seconds"] = (*offset).into();
            v["round_trip_seconds"] = (*delay).into();
        }
        Outcome::Outvoted { offset } => {
            v["status"] = "outvoted".into();
            v["offset_seconds"] = (*offset).into();
            v["reason"] = format!(
                "disagrees with the other servers by more than {} s",
                clock::AGREEMENT
            )
            .into();
        }
        Outcome::Failed { reason } => {
            v["status"] = "failed".into();
            v["reason"] = reason.clone().into();
        }
        Outcome::NotAsked => v["status"] = "not_asked".into(),
    }
    v
}

fn drift_json(result: &Result<Measurement, NoTimeSource>) -> serde_json::Value {
    match result {
        Ok(m) => {
            let (kind, source) = match &m.source {
                clock::Source::Sntp { server } => ("sntp", server.clone()),
                clock::Source::HttpDate { url } => ("https_date", url.clone()),
            };
            let lang = lang();
            let mut message = format!(
                "{} {}",
                advice::describe_offset(lang, m.offset),
                advice::verdict_meaning(lang, m.verdict())
            );
            if let Some(hours) = m.timezone_hours() {
                message = format!("{message} {}", advice::timezone_note(lang, hours));
            }
            serde_json::json!({
                "offset_seconds": m.offset,
                "sign_convention": SIGN_CONVENTION,
                "verdict": m.verdict().as_str(),
                "source": source,
                "source_kind": kind,
                "timezone_hours": m.timezone_hours(),
                "message": message,
                "servers": m.sntp.iter().map(report_json).collect::<Vec<_>>(),
                "https": m.https.iter().map(report_json).collect::<Vec<_>>(),
            })
        }
        Err(e) => serde_json::json!({
            "offset_seconds": null,
            "sign_convention": SIGN_CONVENTION,
            "verdict": "no_time_source",
            "source": null,
            "source_kind": null,
            "timezone_hours": null,
            "message": e.localize(lang()),
            "servers": e.sntp.iter().map(report_json).collect::<Vec<_>>(),
            "https": e.https.iter().map(report_json).collect::<Vec<_>>(),
        }),
    }
}

fn print_reports(title: &str, reports: &[Report]) {
    if reports.is_empty() {
        return;
    }
    let lang = lang();
    println!("{title}:");
    for r in reports {
        let what = match &r.outcome {
            Outcome::Answered { offset, delay } => tr!(
                lang,
                "cli.drift.answered",
                offset = advice::signed(lang, *offset, 3),
                delay = advice::number(lang, *delay, 3)
            ),
            Outcome::Outvoted { offset } => tr!(
                lang,
                "cli.drift.outvoted",
                offset = advice::signed(lang, *offset, 3)
            ),
            Outcome::Failed { reason } => tr!(lang, "cli.drift.failed", reason = reason),
            Outcome::NotAsked => tr!(lang, "cli.drift.not_asked"),
        };
        println!("  {}  {what}", r.target);
    }
}

fn print_drift(result: &Result<Measurement, NoTimeSource>) {
    let lang = lang();
    let sntp = tr!(lang, "cli.drift.sntp_servers");
    let https = tr!(lang, "cli.drift.https_fallback");
    match result {
        Ok(m) => {
            println!(
                "{}",
                tr!(
                    lang,
                    "cli.drift.offset",
                    offset = advice::signed(lang, m.offset, 3)
                )
            );
            println!(
                "{}",
                match m.verdict() {
                    Verdict::Ok => tr!(lang, "cli.drift.verdict_ok"),
                    Verdict::Warning => tr!(lang, "cli.drift.verdict_warning"),
                    Verdict::Error => tr!(lang, "cli.drift.verdict_error"),
                }
            );
            println!(
                "{}",
                tr!(
                    lang,
                    "cli.drift.source",
                    source = advice::source_name(lang, &m.source)
                )
            );
            println!(
                "{} {}",
                advice::describe_offset(lang, m.offset),
                advice::verdict_meaning(lang, m.verdict())
            );
            if let Some(hours) = m.timezone_hours() {
                println!("{}", advice::timezone_note(lang, hours));
            }
            if m.verdict() != Verdict::Ok {
                println!("{}", advice::how_to_fix(lang));
            }
            print_reports(&sntp, &m.sntp);
            print_reports(&https, &m.https);
        }
        Err(e) => {
            println!("{}", tr!(lang, "cli.drift.verdict_none"));
            println!(
                "{}",
                tr!(lang, "cli.drift.offline", reason = e.localize(lang))
            );
            print_reports(&sntp, &e.sntp);
            print_reports(&https, &e.https);
        }
    }
}

/// "Issuer (label): TOTP, 30 s, 6 digits, SHA1" — the secret only when asked for.
pub(crate) fn describe(uri: &OtpUri, show_secret: bool) -> String {
    let lang = lang();
    let p = &uri.params;
    let kind = match p.kind {
        Kind::Totp => tr!(lang, "cli.describe.totp", period = p.period),
        Kind::Hotp => tr!(lang, "cli.describe.hotp", counter = p.counter),
    };
    let mut text = tr!(
        lang,
        "cli.describe.account",
        name = uri.display_name(),
        kind = kind,
        digits = p.digits,
        algorithm = p.algorithm.as_str()
    );
    if show_secret {
        text.push_str(&tr!(
            lang,
            "cli.describe.secret",
            secret = uri.secret.to_base32().as_str()
        ));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn help_texts_build_in_both_languages() {
        for (lang, commands, add) in [
            (Language::English, "Commands:", "Add an account"),
            (Language::Indonesian, "Perintah:", "Tambah akun"),
        ] {
            let cmd = command_in(lang);
            cmd.clone().debug_assert();
            let help = cmd.clone().render_long_help().to_string();
            assert!(help.contains(commands) && help.contains(add), "{help}");
            let code = cmd
                .find_subcommand("code")
                .expect("a code command")
                .clone()
                .render_help()
                .to_string();
            assert!(
                !code.contains("Usage:") || lang == Language::English,
                "{code}"
            );
        }
    }
}
