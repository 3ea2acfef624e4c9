/*!
Every account written to one file: a Kunci backup (encrypted), or, on the user's explicit
choice, an otpauth URI list or an Aegis plain vault (both hold every secret in clear). The
window's Back up / export and `kunci export` both turn accounts into bytes here, so they write
the same files; the formats themselves live beside their readers ([`crate::import::kunci`],
[`crate::import::uris`], [`crate::import::aegis`]). [`auto_backup`] writes Kunci backups to a
folder after each change.
*/

pub mod auto_backup;

use zeroize::Zeroizing;

use crate::accounts::Extras;
use crate::import::kunci::BackupError;
use crate::import::{aegis, kunci, uris};
use crate::otp::OtpUri;

/// What an export file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// A Kunci backup, encrypted with a passphrase (Argon2id + XChaCha20-Poly1305).
    Kunci,
    /// otpauth:// URIs, one a line: NOT encrypted.
    Uris,
    /// An Aegis plain vault (JSON): NOT encrypted.
    Aegis,
}

impl Format {
    /// Whether the file is encrypted (only Kunci's backup is).
    pub fn is_encrypted(self) -> bool {
        self == Format::Kunci
    }

    /// The usual file name ending, without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Kunci => "kunci",
            Format::Uris => "txt",
            Format::Aegis => "json",
        }
    }
}

/// Why the bytes could not be made.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ExportError {
    /// A Kunci backup needs a passphrase.
    #[error("a Kunci backup needs a passphrase")]
    NoPassphrase,
    #[error(transparent)]
    Backup(#[from] BackupError),
}

/// The file's bytes: `accounts` in order, `extras[i]` the note and pin of `accounts[i]` (where
/// the format keeps them). `passphrase` is used by, and needed for, [`Format::Kunci`] only.
/// The bytes are zeroized on drop.
pub fn to_bytes(
    format: Format,
    accounts: &[OtpUri],
    extras: &[Extras],
    passphrase: Option<&str>,
) -> Result<Zeroizing<Vec<u8>>, ExportError> {
    let text = |text: Zeroizing<String>| Zeroizing::new(text.as_bytes().to_vec());
    Ok(match format {
        Format::Kunci => {
            let passphrase = passphrase.ok_or(ExportError::NoPassphrase)?;
            Zeroizing::new(kunci::seal(accounts, extras, passphrase)?)
        }
        Format::Uris => text(uris::write(accounts)),
        Format::Aegis => text(aegis::write(accounts, extras)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::import_file;

    fn accounts() -> Vec<OtpUri> {
        vec![OtpUri::parse("otpauth://totp/LPSE:budi?secret=JBSWY3DPEHPK3PXP").unwrap()]
    }

    #[test]
    fn every_format_reads_back_and_only_the_backup_is_encrypted() {
        let extras = [Extras {
            note: "kantor".into(),
            pinned: true,
        }];
        for format in [Format::Kunci, Format::Uris, Format::Aegis] {
            let bytes = to_bytes(format, &accounts(), &extras, Some("kata sandi")).unwrap();
            let text = String::from_utf8_lossy(&bytes);
            assert_eq!(
                text.contains("JBSWY3DPEHPK3PXP"),
                !format.is_encrypted(),
                "{format:?}"
            );
            let (_, got) = import_file(&bytes, Some("kata sandi")).unwrap();
            assert_eq!(got.accounts, accounts(), "{format:?}");
        }
    }

    #[test]
    fn a_backup_without_a_passphrase_is_refused() {
        assert!(matches!(
            to_bytes(Format::Kunci, &accounts(), &[], None),
            Err(ExportError::NoPassphrase)
        ));
    }
}
