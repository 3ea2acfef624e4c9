/*!
One-time codes: the parameters of an account (algorithm, digits, period or counter), TOTP and
HOTP codes over totp-rs, lenient base32 for typed setup keys, and `otpauth://` parsing and
writing.

Nothing here reads the clock: every code is computed for a Unix time the caller passes in, so
the clock module can hand in network-corrected time and tests can pin the time.
*/

mod base32;
mod code;
pub mod migration;
mod secret;
mod uri;

pub use base32::parse_setup_key;
pub use code::generate;
pub use secret::Secret;
pub use uri::OtpUri;

use serde::{Deserialize, Serialize};

/// The smallest secret accepted from a setup key or an `otpauth://` URI, in bytes.
///
/// RFC 4226 asks for at least 128 bits, but many services (and the classic example key
/// `JBSWY3DPEHPK3PXP`) issue 80-bit secrets, and refusing them would lock people out.
pub const MIN_SECRET_BYTES: usize = 10;

/// The HMAC hash behind the codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub enum Algorithm {
    /// HMAC-SHA1: the default, and what almost every service uses.
    #[default]
    #[serde(rename = "SHA1")]
    Sha1,
    /// HMAC-SHA256.
    #[serde(rename = "SHA256")]
    Sha256,
    /// HMAC-SHA512.
    #[serde(rename = "SHA512")]
    Sha512,
}

impl Algorithm {
    /// The name used in `otpauth://` URIs: `"SHA1"`, `"SHA256"` or `"SHA512"`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Algorithm::Sha1 => "SHA1",
            Algorithm::Sha256 => "SHA256",
            Algorithm::Sha512 => "SHA512",
        }
    }
}

impl std::str::FromStr for Algorithm {
    type Err = OtpError;

    /// Accepts `sha1`, `sha-1`, `sha256`, `sha-256`, `sha512`, `sha-512` in any case.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_uppercase().as_str() {
            "SHA1" | "SHA-1" => Ok(Algorithm::Sha1),
            "SHA256" | "SHA-256" => Ok(Algorithm::Sha256),
            "SHA512" | "SHA-512" => Ok(Algorithm::Sha512),
            _ => Err(OtpError::UnsupportedAlgorithm(shorten(s))),
        }
    }
}

/// Time-based (RFC 6238) or counter-based (RFC 4226) codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// A new code every `period` seconds.
    #[default]
    Totp,
    /// A new code each time the counter moves on.
    Hotp,
}

/// Everything about an account's codes except its secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Params {
    /// TOTP or HOTP.
    pub kind: Kind,
    /// The HMAC hash.
    pub algorithm: Algorithm,
    /// Digits in a code: 6, 7 or 8.
    pub digits: u8,
    /// Seconds per code, 1 to 300 (TOTP). HOTP keeps it but does not use it.
    pub period: u32,
    /// The next counter value (HOTP). TOTP keeps it at 0.
    pub counter: u64,
}

impl Default for Params {
    fn default() -> Self {
        Self {
            kind: Kind::Totp,
            algorithm: Algorithm::Sha1,
            digits: 6,
            period: 30,
            counter: 0,
        }
    }
}

impl Params {
    /// The fewest digits a code may have.
    pub const MIN_DIGITS: u8 = 6;
    /// The most digits a code may have (totp-rs panics from 10 on; RFC 4226 stops at 8).
    pub const MAX_DIGITS: u8 = 8;
    /// The longest period accepted, in seconds.
    pub const MAX_PERIOD: u32 = 300;

    /// Checks the digits (6..=8) and the period (1..=300 seconds).
    pub fn validate(&self) -> Result<(), OtpError> {
        if !(Self::MIN_DIGITS..=Self::MAX_DIGITS).contains(&self.digits) {
            return Err(OtpError::InvalidDigits(self.digits.to_string()));
        }
        if !(1..=Self::MAX_PERIOD).contains(&self.period) {
            return Err(OtpError::InvalidPeriod(self.period.to_string()));
        }
        Ok(())
    }

    /// Seconds until the TOTP code shown at `unix_time` changes (1..=period); 0 for HOTP.
    pub fn seconds_left(&self, unix_time: u64) -> u64 {
        match self.kind {
            Kind::Totp => {
                let period = self.period_secs();
                period - unix_time % period
            }
            Kind::Hotp => 0,
        }
    }

    /// The TOTP time step that `unix_time` falls in: `unix_time / period`.
    pub fn step(&self, unix_time: u64) -> u64 {
        unix_time / self.period_secs()
    }

    /// The period as a divisor that cannot be zero, even for unvalidated params.
    fn period_secs(&self) -> u64 {
        u64::from(self.period.max(1))
    }
}

/// What is wrong with a setup key, an `otpauth://` URI or a set of [`Params`].
///
/// No message ever contains secret text: at most one offending character of a setup key.
#[derive(Debug, thiserror::Error, PartialEq, Eq, Clone)]
#[non_exhaustive]
pub enum OtpError {
    /// The setup key is empty, or holds only spaces, dashes and padding.
    #[error("the setup key is empty")]
    EmptySecret,
    /// The setup key decodes to fewer than [`MIN_SECRET_BYTES`] bytes.
    #[error(
        "the setup key is only {bits} bits long; at least {} bits are needed",
        MIN_SECRET_BYTES * 8
    )]
    SecretTooShort {
        /// Bits the key decoded to.
        bits: usize,
    },
    /// The setup key holds a character that is not base32. `position` counts characters from 1.
    #[error("{ch:?} at position {position} is not a base32 letter (A–Z, 2–7)")]
    InvalidSecretChar {
        /// The offending character.
        ch: char,
        /// Its position in the typed text, counting characters from 1.
        position: usize,
    },
    /// The setup key has a number of letters no base32 text can have (a letter is missing or extra).
    #[error("a setup key cannot be {letters} letters long; a letter is probably missing or extra")]
    InvalidSecretLength {
        /// Base32 letters in the key, not counting spaces, dashes and padding.
        letters: usize,
    },
    /// An `otpauth://` URI without a `secret` parameter.
    #[error("the otpauth link has no secret")]
    MissingSecret,
    /// Not an `otpauth://` URI at all; `found` describes what it is instead.
    #[error("not an otpauth:// link: found {found}")]
    NotOtpAuth {
        /// A short description of what was found, such as "a web address".
        found: String,
    },
    /// An `otpauth-migration://` payload (Google Authenticator export), which holds many accounts.
    #[error("this is a Google Authenticator export (otpauth-migration://), not a single account")]
    MigrationNotSupported,
    /// `otpauth://` without `totp` or `hotp` after it.
    #[error("the otpauth link does not say whether it is totp or hotp")]
    MissingType,
    /// `otpauth://` followed by something other than `totp` or `hotp`.
    #[error("unsupported code type {0:?}; only totp and hotp are supported")]
    UnsupportedType(String),
    /// An algorithm other than SHA1, SHA256 or SHA512.
    #[error("unsupported algorithm {0:?}; only SHA1, SHA256 and SHA512 are supported")]
    UnsupportedAlgorithm(String),
    /// Digits other than 6, 7 or 8.
    #[error("codes must have 6, 7 or 8 digits, not {0:?}")]
    InvalidDigits(String),
    /// A period that is not a whole number of seconds from 1 to 300.
    #[error("the period must be a whole number of seconds from 1 to 300, not {0:?}")]
    InvalidPeriod(String),
    /// An HOTP counter that is not a whole number from 0 to 2^64-1.
    #[error("the counter must be a whole number of 0 or more, not {0:?}")]
    InvalidCounter(String),
    /// A `%` in the named part of a URI is not followed by two hex digits.
    #[error("the {part} of the otpauth link has a '%' not followed by two hex digits")]
    BadPercentEncoding {
        /// Which part: "label", or the name of a parameter.
        part: &'static str,
    },
    /// The named part of a URI percent-decodes to bytes that are not UTF-8.
    #[error("the {part} of the otpauth link is not valid UTF-8 text")]
    InvalidUtf8 {
        /// Which part: "label", or the name of a parameter.
        part: &'static str,
    },
}

/// Cuts text echoed in an error to a length that fits a message.
fn shorten(text: &str) -> String {
    const MAX_CHARS: usize = 24;
    let mut short: String = text.chars().take(MAX_CHARS).collect();
    if text.chars().nth(MAX_CHARS).is_some() {
        short.push('…');
    }
    short
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn algorithm_parses_names_with_and_without_dash_in_any_case() {
        for (text, want) in [
            ("SHA1", Algorithm::Sha1),
            ("sha1", Algorithm::Sha1),
            ("Sha-1", Algorithm::Sha1),
            ("sha256", Algorithm::Sha256),
            ("SHA-256", Algorithm::Sha256),
            ("sha512", Algorithm::Sha512),
            ("SHA-512", Algorithm::Sha512),
        ] {
            assert_eq!(text.parse::<Algorithm>(), Ok(want), "{text}");
            assert_eq!(want.as_str().parse::<Algorithm>(), Ok(want));
        }
        for bad in ["MD5", "", "sha", "SHA3", "HmacSHA1"] {
            assert_eq!(
                bad.parse::<Algorithm>(),
                Err(OtpError::UnsupportedAlgorithm(bad.to_owned()))
            );
        }
    }

    #[test]
    fn default_params_are_google_authenticators() {
        let p = Params::default();
        assert_eq!(
            (p.kind, p.algorithm, p.digits, p.period, p.counter),
            (Kind::Totp, Algorithm::Sha1, 6, 30, 0)
        );
        assert_eq!(p.validate(), Ok(()));
    }

    #[test]
    fn validate_rejects_digits_and_periods_out_of_range() {
        let with = |digits, period| Params {
            digits,
            period,
            ..Params::default()
        };
        for d in [6, 7, 8] {
            assert_eq!(with(d, 30).validate(), Ok(()));
        }
        for d in [0, 5, 9, 10, 255] {
            assert_eq!(
                with(d, 30).validate(),
                Err(OtpError::InvalidDigits(d.to_string()))
            );
        }
        for p in [1, 15, 60, 120, 300] {
            assert_eq!(with(6, p).validate(), Ok(()));
        }
        for p in [0, 301, u32::MAX] {
            assert_eq!(
                with(6, p).validate(),
                Err(OtpError::InvalidPeriod(p.to_string()))
            );
        }
    }

    #[test]
    fn seconds_left_and_step_follow_the_period() {
        let totp = Params::default();
        assert_eq!(totp.seconds_left(0), 30);
        assert_eq!(totp.seconds_left(29), 1);
        assert_eq!(totp.seconds_left(30), 30);
        assert_eq!(totp.step(59), 1);
        assert_eq!(totp.step(20_000_000_000), 666_666_666);
        let hotp = Params {
            kind: Kind::Hotp,
            ..Params::default()
        };
        assert_eq!(hotp.seconds_left(12345), 0);
        let broken = Params {
            period: 0,
            ..Params::default()
        };
        // Unvalidated params must not divide by zero.
        assert_eq!(broken.step(10), 10);
        assert_eq!(broken.seconds_left(10), 1);
    }

    #[test]
    fn params_serialise_with_uri_names() -> Result<(), serde_json::Error> {
        let p = Params {
            kind: Kind::Hotp,
            algorithm: Algorithm::Sha256,
            ..Params::default()
        };
        let json = serde_json::to_string(&p)?;
        assert!(json.contains(r#""kind":"hotp""#), "{json}");
        assert!(json.contains(r#""algorithm":"SHA256""#), "{json}");
        assert_eq!(serde_json::from_str::<Params>(&json)?, p);
        Ok(())
    }

    #[test]
    fn shorten_cuts_long_text() {
        assert_eq!(shorten("MD5"), "MD5");
        assert_eq!(shorten(&"x".repeat(100)), format!("{}…", "x".repeat(24)));
    }
}
