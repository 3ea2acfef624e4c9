//! `kunci export`: every account to a Kunci backup (encrypted) or, on explicit choice, to an
//! unencrypted otpauth URI list or Aegis plain vault.

use std::path::Path;
use std::process::ExitCode;

use kunci::export::{self, Format};
use kunci::store;
use zeroize::Zeroizing;

use super::{ExportArgs, ExportFormat, Failure, lang, open_store, secret_input, warn};
use crate::i18n::Localize;

pub fn run(args: ExportArgs) -> Result<ExitCode, Failure> {
    let ExportArgs {
        format,
        out,
        password_file,
        force,
    } = args;
    let format = Format::from(format);
    if !format.is_encrypted() && password_file.is_some() {
        return Err(Failure(tr!(lang(), "cli.export.password_file_only_kunci")));
    }
    refuse_existing(&out, force)?;
    let passphrase = match format.is_encrypted() {
        true => Some(passphrase(password_file.as_deref())?),
        false => None,
    };

    let store = open_store()?;
    let (accounts, extras): (Vec<_>, Vec<_>) = store
        .every_secret()
        .map_err(|(account, e)| {
            Failure(tr!(
                lang(),
                "cli.export.secret_failed",
                reason = e.localize(lang()),
                name = account.display_name()
            ))
        })?
        .into_iter()
        .map(|(account, secret)| (account.to_uri(&secret), account.extras()))
        .unzip();
    if accounts.is_empty() {
        return Err(Failure(tr!(lang(), "cli.export.no_accounts")));
    }

    let lang = lang();
    let bytes = export::to_bytes(
        format,
        &accounts,
        &extras,
        passphrase.as_deref().map(|p| p.as_str()),
    )?;
    let name = match format {
        Format::Kunci => tr!(lang, "cli.export.kind_kunci"),
        Format::Aegis => tr!(lang, "cli.export.kind_aegis"),
        Format::Uris => tr!(lang, "cli.export.kind_uris"),
    };
    if !format.is_encrypted() {
        warn(&tr!(lang, "cli.export.unencrypted", path = out.display()));
    }
    // Checked again just before writing: the passphrase prompt and the keychain take time.
    refuse_existing(&out, force)?;
    store::replace_file(&out, &bytes).map_err(|e| {
        Failure(tr!(
            lang,
            "cli.export.write_failed",
            path = out.display(),
            detail = e
        ))
    })?;
    println!(
        "{}",
        tr!(
            lang,
            "cli.export.done",
            count = accounts.len(),
            path = out.display(),
            kind = name
        )
    );
    Ok(ExitCode::SUCCESS)
}

impl From<ExportFormat> for Format {
    fn from(format: ExportFormat) -> Self {
        match format {
            ExportFormat::Kunci => Format::Kunci,
            ExportFormat::Uris => Format::Uris,
            ExportFormat::Aegis => Format::Aegis,
        }
    }
}

fn refuse_existing(out: &Path, force: bool) -> Result<(), Failure> {
    if !force && out.exists() {
        return Err(Failure(tr!(
            lang(),
            "cli.export.exists",
            path = out.display()
        )));
    }
    Ok(())
}

/// The backup's passphrase: from the file, or typed twice on the terminal. Never empty.
fn passphrase(file: Option<&Path>) -> Result<Zeroizing<String>, Failure> {
    let passphrase = match file {
        Some(path) => secret_input::from_file(path)?,
        None => {
            let ask = |prompt: String| {
                secret_input::ask_hidden(&prompt)
                    .unwrap_or_else(|| Err(Failure(tr!(lang(), "cli.export.no_terminal"))))
            };
            let first = ask(tr!(lang(), "cli.export.passphrase_prompt"))?;
            let again = ask(tr!(lang(), "cli.export.passphrase_again"))?;
            if first != again {
                return Err(Failure(tr!(lang(), "cli.export.passphrases_differ")));
            }
            first
        }
    };
    if passphrase.is_empty() {
        return Err(Failure(tr!(lang(), "cli.export.passphrase_empty")));
    }
    Ok(passphrase)
}
