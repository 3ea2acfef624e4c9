//! The command-line front end: clap definitions turned into library calls.

use std::io::{BufRead, IsTerminal, Write};
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Args, Parser, Subcommand};
use kunci::accounts::{Account, QueryError};
use kunci::clock::{self, CheckConfig, Measurement, NoTimeSource, Outcome, Report, Verdict};
use kunci::otp::{self, Algorithm, Kind, OtpUri, Params, parse_setup_key};
use kunci::settings::Settings;
use kunci::store::{DataDir, Keychain, LoadProblem, NoSecretStore, Reconciliation, Store};

use crate::advice;

mod export;
mod import;
mod scan;

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

/// A failure worth one message on stderr.
pub(crate) struct Failure(pub String);

impl<E: std::fmt::Display> From<E> for Failure {
    fn from(e: E) -> Self {
        Failure(e.to_string())
    }
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
        Command::Drift { .. } | Command::Scan(_) | Command::Import(_) | Command::Export(_) => {
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
    DataDir::from_env().ok_or_else(|| {
        Failure("cannot find a data directory for this user; set KUNCI_DATA_DIR".into())
    })
}

/// Opens the store with the keychain, reconciling on the way, and reports what it found.
pub(crate) fn open_store() -> Result<Store, Failure> {
    let keychain = Keychain::connect()?;
    let (mut store, problems) = Store::open(data_dir()?, Arc::new(keychain))?;
    report_problems(&problems);
    let reconciliation = store.reconcile()?;
    report_reconciliation(&store, &reconciliation);
    Ok(store)
}

fn report_problems(problems: &[LoadProblem]) {
    for problem in problems {
        eprintln!("kunci: warning: {problem}");
    }
}

fn report_reconciliation(store: &Store, r: &Reconciliation) {
    for account in &r.recovered {
        eprintln!(
            "kunci: recovered {} from the keychain (its adding had been interrupted)",
            account.display_name()
        );
    }
    for id in &r.missing_secrets {
        if let Some(account) = store.accounts().get(id) {
            eprintln!(
                "kunci: warning: the secret of {} is missing from the keychain; the account is kept",
                account.display_name()
            );
        }
    }
    for id in &r.unreadable {
        eprintln!("kunci: warning: keychain entry {id} of this data directory could not be read");
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
        (None, None) => return Err(Failure("give --uri or --secret".into())),
    };
    let mut store = open_store()?;
    let account = store.add(&new)?;
    println!("added {} (id {})", account.display_name(), account.id);
    Ok(())
}

fn list(json: bool) -> Result<(), Failure> {
    // Listing needs no secrets: without a keychain, show the metadata and say so.
    let store = match open_store() {
        Ok(store) => store,
        Err(Failure(why)) => {
            let (store, problems) =
                Store::open(data_dir()?, Arc::new(NoSecretStore::new(why.clone())))?;
            report_problems(&problems);
            eprintln!("kunci: warning: {why}");
            store
        }
    };
    let accounts = store.accounts().as_slice();
    if json {
        let rows: Vec<serde_json::Value> = accounts.iter().map(account_json).collect();
        println!("{}", serde_json::to_string_pretty(&rows)?);
    } else if accounts.is_empty() {
        eprintln!("no accounts yet; add one with: kunci add --secret KEY --issuer I --label L");
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
    v
}

fn print_table(accounts: &[Account]) {
    let issuer_width = accounts
        .iter()
        .map(|a| a.issuer.chars().count())
        .max()
        .unwrap_or(0)
        .max("ISSUER".len());
    println!("{:<8}  {:<issuer_width$}  LABEL", "ID", "ISSUER");
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
        let mut message = e.to_string();
        let candidates = e.candidates();
        if candidates.is_empty() {
            message.push_str("; there are no accounts yet");
        } else {
            message.push_str(match e {
                QueryError::Ambiguous { .. } => "; candidates:",
                QueryError::NoMatch { .. } => "; accounts:",
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
    eprintln!(
        "kunci: warning: this URI contains the secret; anyone who sees it can make your codes"
    );
    println!("{}", account.to_uri(&secret).to_uri().as_str());
    Ok(())
}

fn remove(query: &str, yes: bool) -> Result<(), Failure> {
    let mut store = open_store()?;
    let account = find(&store, query)?.clone();
    if !yes {
        if !std::io::stdin().is_terminal() {
            return Err(Failure(format!(
                "not removing {} without confirmation; add --yes",
                account.display_name()
            )));
        }
        eprint!(
            "Remove {}? Its secret is deleted from the keychain and its codes stop working here. [y/N] ",
            account.display_name()
        );
        std::io::stderr().flush()?;
        let mut answer = String::new();
        std::io::stdin().lock().read_line(&mut answer)?;
        if !matches!(answer.trim().to_lowercase().as_str(), "y" | "yes" | "ya") {
            eprintln!("kunci: nothing removed");
            return Ok(());
        }
    }
    store.remove(&account.id)?;
    println!("removed {}", account.display_name());
    Ok(())
}

fn rename(query: &str, issuer: Option<String>, label: Option<String>) -> Result<(), Failure> {
    if issuer.is_none() && label.is_none() {
        return Err(Failure("give --issuer and/or --label".into()));
    }
    let mut store = open_store()?;
    let account = find(&store, query)?.clone();
    let renamed = store.rename(
        &account.id,
        issuer.as_deref().unwrap_or(&account.issuer),
        label.as_deref().unwrap_or(&account.label),
    )?;
    println!("renamed to {}", renamed.display_name());
    Ok(())
}

fn settings() -> Result<Settings, Failure> {
    let (settings, problem) = Settings::load(&data_dir()?);
    if let Some(problem) = problem {
        eprintln!("kunci: warning: {problem}");
    }
    Ok(settings)
}

/// Now, by this computer's clock corrected with a fresh measurement.
fn network_now() -> Result<u64, Failure> {
    let config = settings()?.check_config();
    match clock::check(&config) {
        Ok(m) => {
            eprintln!(
                "kunci: using network time from {} ({:+.2} s against this clock)",
                m.source, m.offset
            );
            Ok((clock::system_now() + m.offset).max(0.0) as u64)
        }
        Err(e) => Err(Failure(format!(
            "{e}; no code was made, because --network-time asks for network time. Without \
             --network-time the code comes from this computer's clock"
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
            let mut message = format!(
                "{} {}",
                advice::describe_offset(m.offset),
                advice::verdict_meaning(m.verdict())
            );
            if let Some(hours) = m.timezone_hours() {
                message = format!("{message} {}", advice::timezone_note(hours));
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
            "message": e.to_string(),
            "servers": e.sntp.iter().map(report_json).collect::<Vec<_>>(),
            "https": e.https.iter().map(report_json).collect::<Vec<_>>(),
        }),
    }
}

fn print_reports(title: &str, reports: &[Report]) {
    if reports.is_empty() {
        return;
    }
    println!("{title}:");
    for r in reports {
        let what = match &r.outcome {
            Outcome::Answered { offset, delay } => {
                format!("answered: {offset:+.3} s (round trip {delay:.3} s)")
            }
            Outcome::Outvoted { offset } => {
                format!("ignored: {offset:+.3} s disagrees with the other servers")
            }
            Outcome::Failed { reason } => format!("failed: {reason}"),
            Outcome::NotAsked => "not asked (SNTP answered)".into(),
        };
        println!("  {}  {what}", r.target);
    }
}

fn print_drift(result: &Result<Measurement, NoTimeSource>) {
    match result {
        Ok(m) => {
            println!("offset: {:+.3} s ({SIGN_CONVENTION})", m.offset);
            println!("verdict: {}", m.verdict().as_str());
            println!("source: {}", m.source);
            println!(
                "{} {}",
                advice::describe_offset(m.offset),
                advice::verdict_meaning(m.verdict())
            );
            if let Some(hours) = m.timezone_hours() {
                println!("{}", advice::timezone_note(hours));
            }
            if m.verdict() != Verdict::Ok {
                println!("{}", advice::how_to_fix());
            }
            print_reports("SNTP servers", &m.sntp);
            print_reports("HTTPS Date fallback", &m.https);
        }
        Err(e) => {
            println!("verdict: no time source");
            println!(
                "{e}: offline, or the network blocks time queries. Codes use this computer's clock."
            );
            print_reports("SNTP servers", &e.sntp);
            print_reports("HTTPS Date fallback", &e.https);
        }
    }
}

/// "Issuer (label): TOTP, 30 s, 6 digits, SHA1" — the secret only when asked for.
pub(crate) fn describe(uri: &OtpUri, show_secret: bool) -> String {
    let p = &uri.params;
    let kind = match p.kind {
        Kind::Totp => format!("TOTP, {} s", p.period),
        Kind::Hotp => format!("HOTP, counter {}", p.counter),
    };
    let mut text = format!(
        "{}: {kind}, {} digits, {}",
        uri.display_name(),
        p.digits,
        p.algorithm.as_str()
    );
    if show_secret {
        text.push_str(&format!(", secret {}", uri.secret.to_base32().as_str()));
    }
    text
}
