//! Why one entry of an export was left out: typed, so that the front ends word it in the
//! user's language; the English `Display` is for logs and tests. Never holds secret text.

use std::fmt;

use crate::otp::OtpError;
use crate::otp::migration::{EntryProblem, MigrationError, SkippedEntry};

/// One entry left out, where it was and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}{reason}", self.place())]
pub struct Skipped {
    /// `(n, count)`: QR code n (from 1) of `count`, when several codes were read together.
    pub qr_code: Option<(usize, usize)>,
    /// The line of a text file (from 1).
    pub line: Option<usize>,
    /// The entry and its name, when the file numbers its entries.
    pub entry: Option<EntryName>,
    /// What was wrong with it.
    pub reason: SkipReason,
}

/// An entry's number (from 1) and the names it gave, as a skip reason names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryName {
    /// Its position in the file, from 1.
    pub number: usize,
    /// Its issuer, trimmed; may be empty.
    pub issuer: String,
    /// Its account name, trimmed; may be empty.
    pub label: String,
}

impl EntryName {
    /// The entry at `index` (from 0) with these names (trimmed).
    pub fn new(index: usize, issuer: &str, label: &str) -> Self {
        EntryName {
            number: index + 1,
            issuer: issuer.trim().to_string(),
            label: label.trim().to_string(),
        }
    }

    /// "issuer: label", or whichever exists, or "" when neither does.
    pub fn name(&self) -> String {
        match (self.issuer.as_str(), self.label.as_str()) {
            ("", "") => String::new(),
            ("", l) => l.to_string(),
            (i, "") => i.to_string(),
            (i, l) => format!("{i}: {l}"),
        }
    }
}

impl fmt::Display for EntryName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name().as_str() {
            "" => write!(f, "entry {}", self.number),
            name => write!(f, "entry {} ({name})", self.number),
        }
    }
}

impl Skipped {
    /// An entry of a file, left out for `reason`.
    pub fn entry(entry: EntryName, reason: SkipReason) -> Self {
        Skipped {
            qr_code: None,
            line: None,
            entry: Some(entry),
            reason,
        }
    }

    /// A line of a text file, left out for `reason`.
    pub fn line(line: usize, reason: SkipReason) -> Self {
        Skipped {
            qr_code: None,
            line: Some(line),
            entry: None,
            reason,
        }
    }

    /// Where it was, in English, ending with ": " (or "" when nothing is known).
    fn place(&self) -> String {
        let mut place = String::new();
        if let Some((n, count)) = self.qr_code {
            place.push_str(&format!("QR code {n} of {count}: "));
        }
        if let Some(line) = self.line {
            place.push_str(&format!("line {line}: "));
        }
        if let Some(entry) = &self.entry {
            place.push_str(&format!("{entry}: "));
        }
        place
    }
}

/// What made an entry unusable. Details are values (numbers, field names, what the file said),
/// never secret text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SkipReason {
    /// A Steam Guard entry.
    #[error("Steam Guard codes (5 letters) are not supported by Kunci; keep it in Steam's app")]
    Steam,
    /// A code type other than TOTP and HOTP (mOTP, Yandex…), as the file named it.
    #[error("{found} codes are not supported by Kunci")]
    UnsupportedType { found: String },
    /// The entry does not say its code type.
    #[error("the entry has no type")]
    NoType,
    /// An Aegis entry without its `info` object.
    #[error("the entry has no info")]
    NoInfo,
    /// A Bitwarden key in another scheme than `otpauth://` or a bare key.
    #[error("{scheme}:// keys are not supported by Kunci")]
    UnsupportedScheme { scheme: String },
    /// A numeric field (named as in the file) holds something else.
    #[error("{field} is not a whole number of 0 or more")]
    NotANumber { field: String },
    /// The digit count does not fit any code.
    #[error("too many digits")]
    TooManyDigits,
    /// The period does not fit.
    #[error("the period is too long")]
    PeriodTooLong,
    /// The secret is empty.
    #[error("the secret is empty")]
    EmptySecret,
    /// The secret has a character that is not base32 (which one is never said).
    #[error("the secret is not base32")]
    SecretNotBase32,
    /// A FreeOTP+ secret that is not a list of bytes.
    #[error("the secret is missing or not a list of bytes")]
    SecretNotBytes,
    /// A FreeOTP+ HOTP counter that cannot go one further.
    #[error("the counter is at its largest value")]
    CounterAtMax,
    /// What the otpauth parser or the parameter checks said.
    #[error("{0}")]
    Otp(OtpError),
    /// An `otpauth-migration://` line that could not be read as a whole.
    #[error("{0}")]
    Migration(MigrationError),
    /// A Google Authenticator export entry that cannot be used.
    #[error("{0}")]
    ExportEntry(EntryProblem),
}

impl From<SkippedEntry> for Skipped {
    /// A Google Authenticator export entry, numbered within its payload (and QR code).
    fn from(e: SkippedEntry) -> Self {
        Skipped {
            qr_code: e.qr_code,
            line: None,
            entry: Some(EntryName {
                number: e.number,
                issuer: e.issuer,
                label: e.label,
            }),
            reason: SkipReason::ExportEntry(e.problem),
        }
    }
}

impl From<crate::json::NotANumber> for SkipReason {
    fn from(e: crate::json::NotANumber) -> Self {
        SkipReason::NotANumber { field: e.field }
    }
}

impl From<OtpError> for SkipReason {
    /// Without the bad character of a secret or where it is (a file's secret is never echoed,
    /// not even one letter).
    fn from(e: OtpError) -> Self {
        match e {
            OtpError::InvalidSecretChar { .. } => SkipReason::SecretNotBase32,
            OtpError::EmptySecret => SkipReason::EmptySecret,
            other => SkipReason::Otp(other),
        }
    }
}
