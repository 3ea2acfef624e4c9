//! `kunci import`: accounts from another authenticator's export file.

use std::io::{BufRead, IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;

use kunci::accounts::Extras;
use kunci::import;
use kunci::import::plan::{Fate, Planned, plan};
use kunci::otp::OtpUri;
use zeroize::Zeroizing;

use crate::i18n::Localize;

use super::{Failure, ImportArgs, added_line, describe, lang, open_store, said_yes, secret_input};

pub fn run(args: ImportArgs) -> Result<ExitCode, Failure> {
    import_file(&args).map(|()| ExitCode::SUCCESS)
}

/// The password from `--password-file` (one trailing line break dropped), or asked for on the
/// terminal.
fn password(args: &ImportArgs, format: &str) -> Result<Zeroizing<String>, Failure> {
    if let Some(path) = &args.password_file {
        return secret_input::from_file(path);
    }
    let prompt = tr!(lang(), "cli.import.password_prompt", format = format);
    secret_input::ask_hidden(&prompt).unwrap_or_else(|| {
        Err(Failure(tr!(
            lang(),
            "cli.import.no_terminal",
            format = format
        )))
    })
}

fn read(path: &Path) -> Result<Zeroizing<Vec<u8>>, Failure> {
    let unreadable = |e: std::io::Error| {
        Failure(tr!(
            lang(),
            "cli.import.unreadable",
            path = path.display(),
            detail = e
        ))
    };
    let size = std::fs::metadata(path).map_err(unreadable)?.len();
    if size > import::MAX_FILE_BYTES as u64 {
        return Err(Failure(tr!(
            lang(),
            "cli.import.too_large",
            path = path.display(),
            bytes = size
        )));
    }
    std::fs::read(path).map(Zeroizing::new).map_err(unreadable)
}

fn confirm(count: usize) -> Result<bool, Failure> {
    if !std::io::stdin().is_terminal() {
        return Err(Failure(tr!(lang(), "cli.import.needs_yes", count = count)));
    }
    eprint!("{} ", tr!(lang(), "cli.import.ask", count = count));
    std::io::stderr().flush()?;
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer)?;
    Ok(said_yes(&answer))
}

fn import_file(args: &ImportArgs) -> Result<(), Failure> {
    let bytes = read(&args.file)?;
    let importer = import::detect(&bytes)?;
    let format = importer.name();
    let password = if importer.is_encrypted(&bytes) {
        Some(password(args, format)?)
    } else {
        None
    };
    let imported = importer.import(&bytes, password.as_deref().map(String::as_str))?;
    let skipped = imported.skipped.clone();
    let (accounts, extras): (Vec<OtpUri>, Vec<Extras>) = imported.into_pairs().into_iter().unzip();
    let lang = lang();
    println!(
        "{}",
        tr!(
            lang,
            "cli.import.holds",
            path = args.file.display(),
            count = accounts.len(),
            format = format
        )
    );

    // Everything is sorted before the keychain is written: a refusal leaves no trace.
    let mut store = open_store()?;
    let (mut new, mut present, mut renewed) = (Vec::new(), Vec::new(), Vec::new());
    let mut new_extras = Vec::new();
    let planned = plan(accounts, |uri| store.existing(uri));
    for (Planned { uri, fate }, extras) in planned.into_iter().zip(extras) {
        match fate {
            Fate::New => {
                new.push(uri);
                new_extras.push(extras);
            }
            Fate::AlreadyThere(_) => present.push(uri),
            // Like a re-enrolment, a second account of one name is only reported.
            Fate::OtherSecret(_) | Fate::RepeatedInFile => renewed.push(uri),
        }
    }
    let section = |title: &str, uris: &[OtpUri]| {
        if !uris.is_empty() {
            println!("{title} ({}):", uris.len());
            for uri in uris {
                println!("  {}", describe(uri, false));
            }
        }
    };
    section(&tr!(lang, "cli.import.to_add"), &new);
    section(&tr!(lang, "cli.import.present"), &present);
    section(&tr!(lang, "cli.import.renewed"), &renewed);
    if !skipped.is_empty() {
        println!("{} ({}):", tr!(lang, "cli.import.skipped"), skipped.len());
        for why in &skipped {
            println!("  {}", why.localize(lang));
        }
    }
    if !renewed.is_empty() {
        eprintln!("kunci: {}", tr!(lang, "cli.import.renewed_note"));
    }
    if new.is_empty() {
        println!("{}", tr!(lang, "cli.import.nothing_to_add"));
        return Ok(());
    }
    if !args.yes && !confirm(new.len())? {
        println!("{}", tr!(lang, "cli.import.nothing_added"));
        return Ok(());
    }
    let mut added = 0;
    // In file order: a restored backup keeps its order, notes and pins.
    for (uri, extras) in new.iter().zip(&new_extras) {
        match store.add_with(uri, extras) {
            Ok(account) => {
                added += 1;
                println!("{}", added_line(&account));
            }
            Err(e) => {
                return Err(Failure(tr!(
                    lang,
                    "cli.import.stopped",
                    reason = e.localize(lang),
                    added = added,
                    total = new.len()
                )));
            }
        }
    }
    println!("{}", tr!(lang, "cli.import.added", count = added));
    Ok(())
}
