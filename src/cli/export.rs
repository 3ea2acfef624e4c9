//! `kunci export`: every account to a Kunci backup (encrypted) or, on explicit choice, to an
//! unencrypted otpauth URI list or Aegis plain vault.

use std::io::IsTerminal;
use std::path::Path;

use kunci::export;
use kunci::store::{self, backup};
use zeroize::Zeroizing;

use super::import::password_from_file;
use super::{ExportArgs, ExportFormat, Failure, open_store};

pub fn run(args: ExportArgs) -> Result<(), Failure> {
    let ExportArgs {
        format,
        out,
        password_file,
        force,
    } = args;
    if format != ExportFormat::Kunci && password_file.is_some() {
        return Err(Failure(
            "--password-file is only for --format kunci; URI lists and Aegis plain vaults are \
             not encrypted"
                .into(),
        ));
    }
    refuse_existing(&out, force)?;
    let passphrase = match format {
        ExportFormat::Kunci => Some(passphrase(password_file.as_deref())?),
        ExportFormat::Uris | ExportFormat::Aegis => None,
    };

    let store = open_store()?;
    let mut accounts = Vec::new();
    for account in store.accounts().as_slice() {
        let secret = store.secret(&account.id).map_err(|e| {
            Failure(format!(
                "{e}; nothing was written, so that no backup silently lacks {}",
                account.display_name()
            ))
        })?;
        accounts.push(account.to_uri(&secret));
    }
    if accounts.is_empty() {
        return Err(Failure("there are no accounts to export".into()));
    }

    let (bytes, name): (Zeroizing<Vec<u8>>, &str) = match passphrase {
        Some(passphrase) => (
            Zeroizing::new(backup::seal(&accounts, &passphrase)?),
            "encrypted Kunci backup",
        ),
        None if format == ExportFormat::Aegis => (
            unencrypted(export::aegis::write(&accounts)),
            "Aegis plain vault",
        ),
        None => (
            unencrypted(export::uris::write(&accounts)),
            "otpauth URI list",
        ),
    };
    if format != ExportFormat::Kunci {
        eprintln!(
            "kunci: warning: {} is NOT encrypted and contains the secret of every account: \
             anyone who reads it can make your codes. Import it where it is needed, then \
             delete it; for a backup use --format kunci",
            out.display()
        );
    }
    // Checked again just before writing: the passphrase prompt and the keychain take time.
    refuse_existing(&out, force)?;
    store::replace_file(&out, &bytes)
        .map_err(|e| Failure(format!("cannot write {}: {e}", out.display())))?;
    println!(
        "exported {} account(s) to {} ({name})",
        accounts.len(),
        out.display()
    );
    Ok(())
}

fn unencrypted(text: Zeroizing<String>) -> Zeroizing<Vec<u8>> {
    Zeroizing::new(text.as_bytes().to_vec())
}

fn refuse_existing(out: &Path, force: bool) -> Result<(), Failure> {
    if !force && out.exists() {
        return Err(Failure(format!(
            "{} already exists; nothing was written (add --force to replace it)",
            out.display()
        )));
    }
    Ok(())
}

/// The backup's passphrase: from the file, or typed twice on the terminal. Never empty.
fn passphrase(file: Option<&Path>) -> Result<Zeroizing<String>, Failure> {
    let passphrase = match file {
        Some(path) => password_from_file(path)?,
        None => {
            if !std::io::stdin().is_terminal() {
                return Err(Failure(
                    "there is no terminal to ask for the backup's passphrase on; give it with \
                     --password-file FILE"
                        .into(),
                ));
            }
            let ask = |prompt: &str| {
                rpassword::prompt_password(prompt)
                    .map(Zeroizing::new)
                    .map_err(|e| Failure(format!("cannot read the passphrase: {e}")))
            };
            let first = ask("Passphrase for the backup: ")?;
            let again = ask("The same passphrase again: ")?;
            if first != again {
                return Err(Failure(
                    "the two passphrases differ; nothing was written".into(),
                ));
            }
            first
        }
    };
    if passphrase.is_empty() {
        return Err(Failure(
            "the passphrase is empty; a backup needs one (nothing was written)".into(),
        ));
    }
    Ok(passphrase)
}
