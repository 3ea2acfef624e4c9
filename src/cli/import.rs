//! `kunci import`: accounts from another authenticator's export file.

use std::io::{BufRead, IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;

use kunci::import::{self, Imported};
use kunci::otp::OtpUri;
use kunci::store::Existing;
use zeroize::Zeroizing;

use super::{Failure, ImportArgs, describe, open_store};

pub fn run(args: ImportArgs) -> ExitCode {
    match import_file(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure(why)) => {
            eprintln!("kunci: {why}");
            ExitCode::FAILURE
        }
    }
}

/// The password from `--password-file` (one trailing line break dropped), or asked for on the
/// terminal.
fn password(args: &ImportArgs, format: &str) -> Result<Zeroizing<String>, Failure> {
    if let Some(path) = &args.password_file {
        return password_from_file(path);
    }
    if !std::io::stdin().is_terminal() {
        return Err(Failure(format!(
            "this {format} file is encrypted and there is no terminal to ask for its password \
             on; give it with --password-file FILE"
        )));
    }
    let typed = rpassword::prompt_password(format!("Password of the {format} file: "))
        .map_err(|e| Failure(format!("cannot read the password: {e}")))?;
    Ok(Zeroizing::new(typed))
}

/// The password in `path`, without one line break at its end (shared with `kunci export`).
pub(super) fn password_from_file(path: &Path) -> Result<Zeroizing<String>, Failure> {
    let mut text = Zeroizing::new(std::fs::read_to_string(path).map_err(|e| {
        Failure(format!(
            "cannot read the password file {}: {e}",
            path.display()
        ))
    })?);
    let kept = text.trim_end_matches(['\n', '\r']).len();
    text.truncate(kept);
    Ok(text)
}

fn read(path: &Path) -> Result<Zeroizing<Vec<u8>>, Failure> {
    let size = std::fs::metadata(path)
        .map_err(|e| Failure(format!("cannot read {}: {e}", path.display())))?
        .len();
    if size > import::MAX_FILE_BYTES as u64 {
        return Err(Failure(format!(
            "{} is {size} bytes long, too large for an authenticator export",
            path.display()
        )));
    }
    std::fs::read(path)
        .map(Zeroizing::new)
        .map_err(|e| Failure(format!("cannot read {}: {e}", path.display())))
}

fn confirm(count: usize) -> Result<bool, Failure> {
    if !std::io::stdin().is_terminal() {
        return Err(Failure(format!(
            "not adding {count} account(s) without confirmation; add --yes"
        )));
    }
    eprint!("Add {count} account(s)? [y/N] ");
    std::io::stderr().flush()?;
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer)?;
    Ok(matches!(
        answer.trim().to_lowercase().as_str(),
        "y" | "yes" | "ya"
    ))
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
    let Imported { accounts, skipped } =
        importer.import(&bytes, password.as_deref().map(String::as_str))?;
    println!(
        "{} holds {} account(s) Kunci can use ({format} format)",
        args.file.display(),
        accounts.len()
    );

    // Everything is sorted before the keychain is written: a refusal leaves no trace.
    let mut store = open_store()?;
    let (mut new, mut present, mut renewed) = (Vec::new(), Vec::new(), Vec::new());
    for uri in accounts {
        match store.existing(&uri) {
            Existing::New => {
                let same_name = |o: &OtpUri| o.issuer == uri.issuer && o.label == uri.label;
                if new.iter().any(same_name) {
                    // The file holds this name twice; the first one is added, like a
                    // re-enrolment the second is only reported.
                    renewed.push(uri);
                } else {
                    new.push(uri);
                }
            }
            Existing::Duplicate(_) => present.push(uri),
            Existing::NewSecret(_) => renewed.push(uri),
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
    section("to add", &new);
    section("already in Kunci, left as they are", &present);
    section(
        "in Kunci (or earlier in the file) with another secret, not changed",
        &renewed,
    );
    if !skipped.is_empty() {
        println!("skipped ({}):", skipped.len());
        for why in &skipped {
            println!("  {why}");
        }
    }
    if !renewed.is_empty() {
        eprintln!(
            "kunci: accounts with another secret were not changed; to replace one, remove it \
             (kunci remove) and import again"
        );
    }
    if new.is_empty() {
        println!("nothing to add");
        return Ok(());
    }
    if !args.yes && !confirm(new.len())? {
        println!("nothing added");
        return Ok(());
    }
    let mut added = 0;
    for uri in &new {
        match store.add(uri) {
            Ok(account) => {
                added += 1;
                println!("added {} (id {})", account.display_name(), account.id);
            }
            Err(e) => {
                return Err(Failure(format!(
                    "{e}; {added} of {} account(s) were added before this",
                    new.len()
                )));
            }
        }
    }
    println!("added {added} account(s)");
    Ok(())
}
