//! The account commands: `add`, `list`, `code`, `uri`, `remove`, `rename`.

use std::io::{BufRead, IsTerminal, Write};
use std::process::ExitCode;
use std::sync::Arc;

use kunci::accounts::{Account, QueryError};
use kunci::clock;
use kunci::otp::{self, Algorithm, Kind, OtpUri, Params, parse_setup_key};
use kunci::store::{NoSecretStore, Store};

use super::{
    AddArgs, Failure, data_dir, lang, offer_earlier_lists, open_store, report_problems,
    secret_input, settings, warn,
};
use crate::advice;
use crate::i18n::Localize;

pub(super) fn add(args: AddArgs) -> Result<ExitCode, Failure> {
    // Everything is checked before the keychain is touched: bad input leaves no trace.
    let new = match (&args.uri, &args.secret) {
        (Some(value), _) => {
            let text = secret_input::resolve(value, "--uri", &tr!(lang(), "cli.input.uri_prompt"))?;
            OtpUri::parse(&text)?
        }
        (None, Some(value)) => {
            let key =
                secret_input::resolve(value, "--secret", &tr!(lang(), "cli.input.key_prompt"))?;
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
                secret: parse_setup_key(&key)?,
                params,
            }
        }
        (None, None) => return Err(Failure(tr!(lang(), "cli.add.give_uri_or_secret"))),
    };
    let mut store = open_store()?;
    let account = store.add(&new)?;
    println!("{}", added_line(&account));
    Ok(ExitCode::SUCCESS)
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

pub(super) fn list(json: bool) -> Result<ExitCode, Failure> {
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
    offer_earlier_lists(&store);
    let accounts = store.accounts().as_slice();
    if json {
        let rows: Vec<serde_json::Value> = accounts.iter().map(account_json).collect();
        println!("{}", serde_json::to_string_pretty(&rows)?);
    } else if accounts.is_empty() {
        eprintln!("{}", tr!(lang(), "cli.list.empty"));
    } else {
        print_table(accounts);
    }
    Ok(ExitCode::SUCCESS)
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

pub(super) fn code(query: &str, at: Option<u64>, network_time: bool) -> Result<ExitCode, Failure> {
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
    Ok(ExitCode::SUCCESS)
}

pub(super) fn uri(query: &str) -> Result<ExitCode, Failure> {
    let store = open_store()?;
    let account = find(&store, query)?;
    let secret = store.secret(&account.id)?;
    warn(&tr!(lang(), "cli.uri.warning"));
    println!("{}", account.to_uri(&secret).to_uri().as_str());
    Ok(ExitCode::SUCCESS)
}

pub(super) fn remove(query: &str, yes: bool) -> Result<ExitCode, Failure> {
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
            return Ok(ExitCode::SUCCESS);
        }
    }
    store.remove(&account.id)?;
    println!(
        "{}",
        tr!(lang(), "cli.remove.removed", name = account.display_name())
    );
    Ok(ExitCode::SUCCESS)
}

/// `kunci recover [LIST] [--yes]`.
pub(super) fn recover(list: Option<&str>, yes: bool) -> Result<ExitCode, Failure> {
    let lang = lang();
    let mut store = open_store()?;
    let earlier = store.earlier_lists()?;
    let Some(list) = list else {
        if earlier.is_empty() {
            println!("{}", tr!(lang, "cli.recover.none"));
        }
        for e in &earlier {
            println!(
                "{}",
                tr!(lang, "cli.recover.list", list = e.vault, count = e.accounts)
            );
        }
        return Ok(ExitCode::SUCCESS);
    };
    let Some(chosen) = earlier.iter().find(|e| e.vault == list) else {
        return Err(Failure(tr!(lang, "cli.recover.unknown", list = list)));
    };
    if !yes {
        if !std::io::stdin().is_terminal() {
            return Err(Failure(tr!(lang, "cli.recover.needs_yes")));
        }
        eprint!(
            "{} ",
            tr!(
                lang,
                "cli.recover.ask",
                count = chosen.accounts,
                list = list
            )
        );
        std::io::stderr().flush()?;
        let mut answer = String::new();
        std::io::stdin().lock().read_line(&mut answer)?;
        if !said_yes(&answer) {
            return Ok(ExitCode::FAILURE);
        }
    }
    let (added, unreadable) = store.recover_list(list)?;
    for account in &added {
        println!("{}", added_line(account));
    }
    if unreadable > 0 {
        warn(&tr!(lang, "cli.recover.unreadable", count = unreadable));
    }
    println!("{}", tr!(lang, "cli.recover.done", count = added.len()));
    Ok(ExitCode::SUCCESS)
}

/// Whether a typed answer to a "[y/N]" question is yes, in either language.
pub(crate) fn said_yes(answer: &str) -> bool {
    matches!(answer.trim().to_lowercase().as_str(), "y" | "yes" | "ya")
}

pub(super) fn rename(
    query: &str,
    issuer: Option<String>,
    label: Option<String>,
) -> Result<ExitCode, Failure> {
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
    Ok(ExitCode::SUCCESS)
}

/// Now, by this computer's clock corrected with a fresh measurement (the library's rule for
/// network-corrected codes, as in the window). A measurement the rule does not apply (one
/// source alone) makes no code: the user asked for network time, and a lone source is not
/// trusted with it.
fn network_now() -> Result<u64, Failure> {
    let config = settings()?.check_config();
    match clock::check(&config) {
        Ok(m) if m.correction().is_none() => {
            let lang = lang();
            Err(Failure(tr!(
                lang,
                "cli.code.lone_network_time",
                source = advice::source_name(lang, &m.source),
                offset = crate::i18n::signed(lang, m.offset, 2),
                needed = clock::SOURCES_FOR_CORRECTION,
                seconds = crate::i18n::number(lang, clock::AGREEMENT, 0)
            )))
        }
        Ok(m) => {
            let lang = lang();
            eprintln!(
                "kunci: {}",
                tr!(
                    lang,
                    "cli.code.network_time",
                    source = advice::source_name(lang, &m.source),
                    offset = crate::i18n::signed(lang, m.offset, 2)
                )
            );
            Ok(clock::code_time(clock::system_now(), true, Some(&m)).max(0.0) as u64)
        }
        Err(e) => Err(Failure(tr!(
            lang(),
            "cli.code.no_network_time",
            reason = e.localize(lang())
        ))),
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
