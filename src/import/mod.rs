/*!
Accounts from other authenticators' export files.

One file per format, each behind the [`Importer`] trait and opening with a link to the format's
documentation: [`kunci`] (Kunci's own encrypted backups), [`uris`] (otpauth URI lists, Google
Authenticator export links), [`aegis`] (plain and encrypted vaults), [`twofas`] (plain and
encrypted backups), [`bitwarden`] (JSON export), [`andotp`] (plain backup) and [`freeotp_plus`]
(JSON export). [`import_file`] recognises the format and reads it; [`plan`] says what adding
its accounts would do.

What every importer promises:
- one entry that cannot be used (Steam, mOTP, an unknown algorithm, a damaged secret…) becomes a
  reason in [`Imported::skipped`] and never blocks the others; no account is ever half-read;
- a file that cannot be read as a whole (damaged, truncated, wrong password) is an
  [`ImportError`], and nothing from it is used;
- neither errors nor skip reasons ever contain secret text.
*/

pub mod aegis;
pub mod andotp;
pub mod bitwarden;
pub mod freeotp_plus;
pub mod kunci;
pub mod plan;
pub mod skip;
pub mod twofas;
pub mod uris;

pub use skip::{EntryName, SkipReason, Skipped};

pub(crate) use crate::json::{looks_like_json, looks_like_object, number, text};

use crate::accounts::Extras;
use crate::otp::{Algorithm, Kind, MIN_SECRET_BYTES, OtpUri, Params, Secret, parse_setup_key};

/// The largest file read: real exports are kilobytes; anything this big is not one.
pub const MAX_FILE_BYTES: usize = 16 * 1024 * 1024;

/// One export format.
pub trait Importer {
    /// The format's name as shown to people, such as `"Aegis"`.
    fn name(&self) -> &'static str;
    /// Whether `bytes` look like this format. Cheap and lenient: a truncated or damaged file
    /// of this format is still recognised, so that it gets a clear error from
    /// [`Importer::import`] rather than "unknown format".
    fn detect(&self, bytes: &[u8]) -> bool;
    /// Whether the file needs a password to be read (no, unless the format can encrypt).
    fn is_encrypted(&self, _bytes: &[u8]) -> bool {
        false
    }
    /// Reads the accounts. The password is used only when the file is encrypted.
    fn import(&self, bytes: &[u8], password: Option<&str>) -> Result<Imported, ImportError>;
}

/// What a file held.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Imported {
    /// The usable accounts, in file order.
    pub accounts: Vec<OtpUri>,
    /// The note and pin of each account, where the format has them: `extras[i]` belongs to
    /// `accounts[i]`; the list may be shorter (empty for formats without notes), the missing
    /// ones being empty. See [`Imported::extras_of`].
    pub extras: Vec<Extras>,
    /// One per entry left out, such as entry 7 (Boeing: Sophia) for
    /// [`SkipReason::Steam`]. Never contains a secret.
    pub skipped: Vec<Skipped>,
}

impl Imported {
    /// Adds a usable account with its note and pin.
    pub fn push(&mut self, uri: OtpUri, extras: Extras) {
        self.extras.resize(self.accounts.len(), Extras::default());
        self.accounts.push(uri);
        self.extras.push(extras);
    }

    /// The note and pin of `accounts[index]` (empty when the file had none).
    pub fn extras_of(&self, index: usize) -> Extras {
        self.extras.get(index).cloned().unwrap_or_default()
    }

    /// The accounts, each with its note and pin, in file order.
    pub fn into_pairs(self) -> Vec<(OtpUri, Extras)> {
        let mut extras = self.extras.into_iter();
        self.accounts
            .into_iter()
            .map(|uri| (uri, extras.next().unwrap_or_default()))
            .collect()
    }
}

/// Why a file could not be imported. Nothing from it is used.
#[derive(Debug, thiserror::Error, PartialEq, Eq, Clone)]
#[non_exhaustive]
pub enum ImportError {
    /// No importer recognises the file.
    #[error(
        "unknown file format; Kunci imports its own backups, otpauth URI lists, Aegis, 2FAS, \
         Bitwarden (JSON), andOTP (unencrypted) and FreeOTP+ (JSON) exports"
    )]
    UnknownFormat,
    /// The file is larger than [`MAX_FILE_BYTES`].
    #[error("the file is {bytes} bytes long, too large for an authenticator export")]
    TooLarge {
        /// The file's size.
        bytes: usize,
    },
    /// The file is encrypted and no password was given.
    #[error("this {format} file is encrypted; its password is needed")]
    NeedsPassword {
        /// The format's name.
        format: &'static str,
    },
    /// The password does not open the file.
    #[error("wrong password for this {format} file")]
    WrongPassword {
        /// The format's name.
        format: &'static str,
    },
    /// The file is damaged or cut short.
    #[error("this {format} file is damaged or incomplete: {reason}")]
    Damaged {
        /// The format's name.
        format: &'static str,
        /// What is wrong, without secret text.
        reason: String,
    },
    /// A version of the format this importer does not know.
    #[error("{format} file version {version} is not supported")]
    UnsupportedVersion {
        /// The format's name.
        format: &'static str,
        /// The version found.
        version: String,
    },
    /// The file asks for more key-derivation work than the app that writes the format ever
    /// does (bounds in [`crate::kdf`]): refused before any derivation, at once.
    #[error(
        "this {format} file asks for far more work to open than the app that writes it ever \
         does ({what}); Kunci refused it rather than work for minutes or hours. It was not \
         made by that app, or was altered: export it again"
    )]
    TooMuchWork {
        /// The format's name.
        format: &'static str,
        /// What the file asked for.
        what: crate::kdf::TooMuchWork,
    },
    /// A variant of the format that cannot be read, such as a password-protected Bitwarden export.
    #[error("{format}: {what}")]
    Unsupported {
        /// The format's name.
        format: &'static str,
        /// What is not supported, and what to do instead.
        what: String,
    },
}

/// Every importer, in the order [`import_file`] tries them (the most specific first).
pub fn importers() -> [&'static dyn Importer; 7] {
    [
        &kunci::KunciBackup,
        &aegis::Aegis,
        &twofas::TwoFas,
        &bitwarden::Bitwarden,
        &freeotp_plus::FreeOtpPlus,
        &andotp::AndOtp,
        &uris::UriList,
    ]
}

/// The importer that recognises `bytes`.
pub fn detect(bytes: &[u8]) -> Result<&'static dyn Importer, ImportError> {
    if bytes.len() > MAX_FILE_BYTES {
        return Err(ImportError::TooLarge { bytes: bytes.len() });
    }
    importers()
        .into_iter()
        .find(|i| i.detect(bytes))
        .ok_or(ImportError::UnknownFormat)
}

/// Recognises the format of `bytes` and reads its accounts; returns the format's name with them.
pub fn import_file(
    bytes: &[u8],
    password: Option<&str>,
) -> Result<(&'static str, Imported), ImportError> {
    let importer = detect(bytes)?;
    Ok((importer.name(), importer.import(bytes, password)?))
}

/// Parses the JSON of a whole file, or says how it is damaged.
pub(crate) fn parse_json(
    format: &'static str,
    bytes: &[u8],
) -> Result<serde_json::Value, ImportError> {
    serde_json::from_slice(crate::json::without_bom(bytes)).map_err(|e| ImportError::Damaged {
        format,
        reason: format!("not valid JSON ({e})"),
    })
}

/// A [`ImportError::Damaged`] with this reason.
pub(crate) fn damaged(format: &'static str, reason: impl Into<String>) -> ImportError {
    ImportError::Damaged {
        format,
        reason: reason.into(),
    }
}

/// How an entry is named in a skip reason: its number from 1 (`index` counts from 0) and,
/// when known, its name.
pub(crate) fn entry_name(index: usize, issuer: &str, label: &str) -> EntryName {
    EntryName::new(index, issuer, label)
}

/// The code type an entry names (`totp`, `hotp`, in any case); `when_empty` when it names none
/// (`None`: the format always names it, so an entry without one is damaged). Steam and other
/// types are reasons to skip the entry.
pub(crate) fn kind_named(name: &str, when_empty: Option<Kind>) -> Result<Kind, SkipReason> {
    let name = name.trim();
    match name.to_ascii_lowercase().as_str() {
        "" => when_empty.ok_or(SkipReason::NoType),
        "totp" => Ok(Kind::Totp),
        "hotp" => Ok(Kind::Hotp),
        "steam" => Err(SkipReason::Steam),
        _ => Err(SkipReason::UnsupportedType { found: name.into() }),
    }
}

/// The algorithm named `text` ("" means SHA1).
pub(crate) fn algorithm(text: &str) -> Result<Algorithm, SkipReason> {
    if text.trim().is_empty() {
        return Ok(Algorithm::Sha1);
    }
    text.trim()
        .parse()
        .map_err(|e: crate::otp::OtpError| e.into())
}

/// A base32 secret as exports write it (padding, spaces and lowercase accepted); its errors
/// never echo a character of it ([`SkipReason::SecretNotBase32`]).
pub(crate) fn base32_secret(text: &str) -> Result<Secret, SkipReason> {
    parse_setup_key(text).map_err(SkipReason::from)
}

/// What one entry holds, before it is checked.
pub(crate) struct EntryFields {
    pub issuer: String,
    pub label: String,
    pub secret: Secret,
    pub kind: Kind,
    pub algorithm: Algorithm,
    pub digits: u64,
    pub period: u64,
    pub counter: u64,
}

impl EntryFields {
    /// An entry written with the common field names (`issuer`, `label`, `secret` in base32,
    /// `algorithm`, `digits`, `period`, `counter`), as andOTP and Kunci's backup write them.
    pub fn from_fields(entry: &serde_json::Value, kind: Kind) -> Result<OtpUri, SkipReason> {
        EntryFields {
            issuer: text(entry, "issuer").into(),
            label: text(entry, "label").into(),
            secret: base32_secret(text(entry, "secret"))?,
            kind,
            algorithm: algorithm(text(entry, "algorithm"))?,
            digits: number(entry, "digits", 6)?,
            period: number(entry, "period", 30)?,
            counter: number(entry, "counter", 0)?,
        }
        .into_uri()
    }

    /// The account, once digits, period and secret length are checked.
    pub fn into_uri(self) -> Result<OtpUri, SkipReason> {
        let digits = u8::try_from(self.digits).map_err(|_| SkipReason::TooManyDigits)?;
        // A period means nothing to HOTP, and its otpauth URI has none: an HOTP account gets the
        // default, as `OtpUri::parse` gives it, whatever the file says, so that it reads back
        // the same from the store (and a file's stray period can neither skip it nor make it
        // look different from the same account already there).
        let period = match self.kind {
            Kind::Hotp => Params::default().period,
            Kind::Totp => u32::try_from(self.period).map_err(|_| SkipReason::PeriodTooLong)?,
        };
        let params = Params {
            kind: self.kind,
            algorithm: self.algorithm,
            digits,
            period,
            counter: if self.kind == Kind::Hotp {
                self.counter
            } else {
                0
            },
        };
        params.validate().map_err(SkipReason::from)?;
        let bytes = self.secret.as_bytes().len();
        if bytes == 0 {
            return Err(SkipReason::EmptySecret);
        }
        if bytes < MIN_SECRET_BYTES {
            return Err(crate::otp::OtpError::SecretTooShort { bits: bytes * 8 }.into());
        }
        let issuer = self.issuer.trim().to_string();
        Ok(OtpUri {
            issuer: Some(issuer).filter(|i| !i.is_empty()),
            label: self.label.trim().to_string(),
            secret: self.secret,
            params,
        })
    }
}

/// AES-256-GCM decryption of `ciphertext` followed by its 16-byte tag; `None` when the key,
/// nonce or data are wrong (GCM cannot tell which).
pub(crate) fn aes_gcm_open(
    key: &[u8],
    nonce: &[u8],
    ciphertext_and_tag: &[u8],
) -> Option<zeroize::Zeroizing<Vec<u8>>> {
    use aes_gcm::aead::{Aead, KeyInit};
    let cipher = aes_gcm::Aes256Gcm::new_from_slice(key).ok()?;
    let nonce = aes_gcm::Nonce::try_from(nonce).ok()?;
    cipher
        .decrypt(&nonce, ciphertext_and_tag)
        .ok()
        .map(zeroize::Zeroizing::new)
}

#[cfg(test)]
pub(crate) mod test_support {
    //! Test helpers shared by the importers' unit tests.

    use std::path::Path;

    /// The password of the encrypted fixtures.
    pub const PASSWORD: &str = "kunci-test";

    /// One of the project's own export files in `tests/data/import` (written by
    /// `scripts/make-import-fixtures`; its README says what each holds).
    pub fn fixture(name: &str) -> Vec<u8> {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/data/import")
            .join(name);
        std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read {} ({e})", path.display()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_bytes_are_an_unknown_format() {
        for bytes in [
            &b""[..],
            b"hello",
            b"{\"a\":1}",
            b"\x00\x01\x02",
            b"[1,2,3]",
        ] {
            assert_eq!(
                import_file(bytes, None).map(|(f, _)| f),
                Err(ImportError::UnknownFormat)
            );
        }
    }

    /// The work bounds (`crate::kdf`) leave every real file openable: each fixture, encrypted
    /// ones with their password, is recognised and read.
    #[test]
    fn every_fixture_still_opens() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/import");
        let mut opened = 0;
        for entry in std::fs::read_dir(&dir).expect("the fixtures") {
            let name = entry.expect("an entry").file_name();
            let name = name.to_string_lossy();
            if name.ends_with(".md") || name.starts_with('.') {
                continue;
            }
            let bytes = test_support::fixture(&name);
            let got = import_file(&bytes, Some(test_support::PASSWORD));
            assert!(
                got.as_ref().is_ok_and(|(_, i)| !i.accounts.is_empty()),
                "{name}: {got:?}"
            );
            opened += 1;
        }
        assert_eq!(opened, 8);
    }

    #[test]
    fn too_large_files_are_refused_before_reading() {
        let big = vec![b' '; MAX_FILE_BYTES + 1];
        assert!(matches!(
            import_file(&big, None),
            Err(ImportError::TooLarge { .. })
        ));
    }

    #[test]
    fn short_secrets_and_bad_digits_are_reasons() {
        let entry = |secret: Vec<u8>, digits| EntryFields {
            issuer: "I".into(),
            label: "L".into(),
            secret: Secret::from_bytes(secret),
            kind: Kind::Totp,
            algorithm: Algorithm::Sha1,
            digits,
            period: 30,
            counter: 0,
        };
        assert!(entry(vec![1; 10], 6).into_uri().is_ok());
        assert!(entry(vec![1; 5], 6).into_uri().is_err());
        assert!(entry(vec![], 6).into_uri().is_err());
        assert!(entry(vec![1; 10], 5).into_uri().is_err());
        assert!(entry(vec![1; 10], 300).into_uri().is_err());
    }

    /// Found by fuzzing (import_aegis): an Aegis HOTP entry with `"period": 60` kept it, but
    /// the account's otpauth URI has no period, so the store would read back another account.
    #[test]
    fn hotp_entries_take_the_default_period_whatever_the_file_says() {
        for period in [0, 30, 60, 1000, u64::MAX] {
            let uri = EntryFields {
                issuer: "I".into(),
                label: "L".into(),
                secret: Secret::from_bytes(vec![1; 20]),
                kind: Kind::Hotp,
                algorithm: Algorithm::Sha256,
                digits: 7,
                period,
                counter: 5,
            }
            .into_uri();
            let Ok(uri) = uri else {
                panic!("period {period}: {uri:?}");
            };
            assert_eq!(uri.params.period, 30, "period {period}");
            assert_eq!(OtpUri::parse(&uri.to_uri()), Ok(uri));
        }
    }

    /// The five crash artifacts of the import fuzz targets (import_aegis, import_andotp,
    /// import_twofas, import_freeotp_plus, import_file), reduced: each was an HOTP entry that
    /// named a period, read as an account that did not come back the same from its otpauth URI.
    /// Here each format's smallest such file, through detection and the importer it picks.
    #[test]
    fn an_hotp_entry_with_a_period_reads_back_the_same_in_every_format() {
        let files: [(&str, &str); 4] = [
            (
                "Aegis",
                r#"{"version": 1, "header": {"slots": null, "params": null},
                    "db": {"version": 3, "entries": [{"type": "hotp", "name": "n", "issuer": "I",
                    "info": {"secret": "JBSWY3DPEHPK3PXP", "algo": "SHA256", "digits": 7,
                    "period": 60, "counter": 5}}]}}"#,
            ),
            (
                "andOTP",
                r#"[{"secret": "JBSWY3DPEHPK3PXP", "issuer": "I", "label": "n", "type": "HOTP",
                    "algorithm": "SHA256", "digits": 7, "period": 60, "counter": 5}]"#,
            ),
            (
                "2FAS",
                r#"{"schemaVersion": 4, "services": [{"name": "I", "secret": "JBSWY3DPEHPK3PXP",
                    "otp": {"account": "n", "tokenType": "HOTP", "algorithm": "SHA256",
                    "digits": 7, "period": 45, "counter": 5}}]}"#,
            ),
            (
                "FreeOTP+",
                r#"{"tokens": [{"issuerExt": "I", "label": "n", "type": "HOTP", "algo": "SHA256",
                    "digits": 7, "period": 60, "counter": 4,
                    "secret": [72, 101, 108, 108, 111, 33, -34, -83, -66, -17]}]}"#,
            ),
        ];
        for (format, json) in files {
            let got = import_file(json.as_bytes(), None);
            let Ok((name, imported)) = got else {
                panic!("{format}: {got:?}");
            };
            assert_eq!(name, format);
            assert!(
                imported.skipped.is_empty(),
                "{format}: {:?}",
                imported.skipped
            );
            let [account] = &imported.accounts[..] else {
                panic!("{format}: {} accounts", imported.accounts.len());
            };
            let p = &account.params;
            assert_eq!(
                (p.kind, p.algorithm, p.digits, p.period, p.counter),
                (Kind::Hotp, Algorithm::Sha256, 7, 30, 5),
                "{format}"
            );
            assert_eq!(
                OtpUri::parse(&account.to_uri()).as_ref(),
                Ok(account),
                "{format}"
            );
        }
    }

    #[test]
    fn base32_errors_do_not_echo_secret_characters() {
        let e = base32_secret("ABCDEFGH1JKLMNOP").err();
        assert_eq!(e, Some(SkipReason::SecretNotBase32));
    }
}
