/*!
`otpauth://` URIs, the text inside enrolment QR codes
(<https://github.com/google/google-authenticator/wiki/Key-Uri-Format>).

Parsing is lenient where real services differ without changing the codes: scheme, type and
parameter names in any case, spaces and lower case in the secret, unknown parameters, an
issuer given only in the label or only as a parameter, or two different ones. It is strict
where the account would silently produce wrong codes: a bad secret, algorithm, digit count,
period or counter, broken percent-encoding, or text that is not UTF-8.

The label is `ISSUER:ACCOUNT`. It is split at the first literal `:`; only when there is none is
an encoded `%3A` taken as the separator (some services encode it). Writing always uses a
literal `:` and encodes any `:` inside the names, so every written URI reads back the same.
*/

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use zeroize::Zeroizing;

use super::{Algorithm, Kind, OtpError, Params, Secret, parse_setup_key, shorten};

/// Everything except RFC 3986's unreserved characters is percent-encoded when writing.
const NOT_UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// One account as an `otpauth://` URI describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OtpUri {
    /// The service, from the `issuer` parameter or else the label's prefix; never empty.
    pub issuer: Option<String>,
    /// The account name: the label without its issuer prefix, trimmed. May be empty.
    pub label: String,
    /// The shared secret.
    pub secret: Secret,
    /// Kind, algorithm, digits, and period (TOTP) or counter (HOTP).
    pub params: Params,
}

impl OtpUri {
    /// "Issuer (label)", or whichever of the two exists (as `Account::display_name`).
    pub fn display_name(&self) -> String {
        match (&self.issuer, self.label.is_empty()) {
            (Some(issuer), false) => format!("{issuer} ({})", self.label),
            (Some(issuer), true) => issuer.clone(),
            (None, _) => self.label.clone(),
        }
    }

    /// Reads an `otpauth://totp/…` or `otpauth://hotp/…` URI; surrounding whitespace is ignored.
    ///
    /// For TOTP the counter is 0; for HOTP the period is the default 30 (neither is read).
    pub fn parse(text: &str) -> Result<Self, OtpError> {
        let rest = strip_otpauth_scheme(text.trim())?;

        let type_end = rest.find(['/', '?']).unwrap_or(rest.len());
        let (type_text, rest) = rest.split_at(type_end);
        let kind = match type_text.to_ascii_lowercase().as_str() {
            "totp" => Kind::Totp,
            "hotp" => Kind::Hotp,
            "" => return Err(OtpError::MissingType),
            _ => return Err(OtpError::UnsupportedType(shorten(type_text))),
        };

        // A '#' is not treated as a fragment: services put raw '#' in labels, and cutting there
        // would drop the parameters.
        let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
        let path = path.strip_prefix('/').unwrap_or(path);
        let (prefix, label) = split_label(path)?;
        let query = Query::new(query);

        let issuer = match query.text("issuer")? {
            Some(issuer) => Some(issuer),
            None => prefix,
        };

        let secret = match query.raw("secret") {
            None => return Err(OtpError::MissingSecret),
            Some(raw) => {
                let bytes = decode(raw, true, "secret")?;
                let typed = std::str::from_utf8(&bytes)
                    .map_err(|_| OtpError::InvalidUtf8 { part: "secret" })?;
                parse_setup_key(typed)?
            }
        };

        let mut params = Params {
            kind,
            ..Params::default()
        };
        if let Some(text) = query.text("algorithm")? {
            params.algorithm = text.parse::<Algorithm>()?;
        }
        if let Some(text) = query.text("digits")? {
            params.digits = text
                .parse()
                .map_err(|_| OtpError::InvalidDigits(shorten(&text)))?;
        }
        match kind {
            Kind::Totp => {
                if let Some(text) = query.text("period")? {
                    params.period = text
                        .parse()
                        .map_err(|_| OtpError::InvalidPeriod(shorten(&text)))?;
                }
            }
            Kind::Hotp => {
                if let Some(text) = query.text("counter")? {
                    params.counter = text
                        .parse()
                        .map_err(|_| OtpError::InvalidCounter(shorten(&text)))?;
                }
            }
        }
        params.validate()?;

        Ok(Self {
            issuer,
            label,
            secret,
            params,
        })
    }

    /// Writes the URI: `otpauth://totp/ISSUER:LABEL?secret=…&issuer=ISSUER&algorithm=SHA1&digits=6&period=30`
    /// (HOTP writes `counter=` instead of `period=`). Names are percent-encoded outside the
    /// unreserved characters, so `:` in a name becomes `%3A` and a space `%20`.
    ///
    /// An issuer that is empty or only spaces is left out, as [`OtpUri::parse`] would drop it.
    pub fn to_uri(&self) -> Zeroizing<String> {
        let secret = self.secret.to_base32();
        let issuer = self.issuer.as_deref().filter(|i| !i.trim().is_empty());
        let issuer_len = issuer.map_or(0, str::len);
        // Room for every byte of the names encoded as %XX (the issuer twice), so the buffer
        // holding the secret is never reallocated and copied.
        let capacity = 128 + 6 * issuer_len + 3 * self.label.len() + secret.len();
        let mut uri = Zeroizing::new(String::with_capacity(capacity));

        uri.push_str(match self.params.kind {
            Kind::Totp => "otpauth://totp/",
            Kind::Hotp => "otpauth://hotp/",
        });
        match issuer {
            Some(issuer) => {
                uri.extend(utf8_percent_encode(issuer, NOT_UNRESERVED));
                uri.push(':');
            }
            // Without an issuer, a leading ':' keeps a ':' inside the account name from being
            // read back as the separator.
            None if self.label.contains(':') => uri.push(':'),
            None => {}
        }
        uri.extend(utf8_percent_encode(&self.label, NOT_UNRESERVED));
        uri.push_str("?secret=");
        uri.push_str(&secret);
        if let Some(issuer) = issuer {
            uri.push_str("&issuer=");
            uri.extend(utf8_percent_encode(issuer, NOT_UNRESERVED));
        }
        uri.push_str("&algorithm=");
        uri.push_str(self.params.algorithm.as_str());
        uri.push_str("&digits=");
        uri.push_str(&self.params.digits.to_string());
        match self.params.kind {
            Kind::Totp => {
                uri.push_str("&period=");
                uri.push_str(&self.params.period.to_string());
            }
            Kind::Hotp => {
                uri.push_str("&counter=");
                uri.push_str(&self.params.counter.to_string());
            }
        }
        uri
    }
}

/// Returns what follows `otpauth://`, or says what the text is instead.
fn strip_otpauth_scheme(text: &str) -> Result<&str, OtpError> {
    let scheme = text.split_once(':').filter(|(scheme, _)| is_scheme(scheme));
    let Some((scheme, rest)) = scheme else {
        let found = if text.is_empty() {
            "empty text"
        } else {
            "plain text, not a link"
        };
        return Err(OtpError::NotOtpAuth {
            found: found.to_owned(),
        });
    };
    let scheme = scheme.to_ascii_lowercase();
    let found = match scheme.as_str() {
        // Lenient about "otpauth:totp/…" and "otpauth:/totp/…" too.
        "otpauth" => {
            let rest = rest.strip_prefix('/').unwrap_or(rest);
            return Ok(rest.strip_prefix('/').unwrap_or(rest));
        }
        "otpauth-migration" => return Err(OtpError::MigrationNotSupported),
        "http" | "https" => "a web address".to_owned(),
        "mailto" => "an e-mail address".to_owned(),
        "tel" => "a telephone number".to_owned(),
        "wifi" => "Wi-Fi settings".to_owned(),
        _ => format!("a '{}:' link", shorten(&scheme)),
    };
    Err(OtpError::NotOtpAuth { found })
}

/// RFC 3986: a letter, then letters, digits, '+', '-' or '.'.
fn is_scheme(text: &str) -> bool {
    let mut chars = text.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}

/// Splits the path into the issuer prefix (trimmed, `None` when empty) and the account name.
/// In the path '+' is a literal plus (`alice+work@example.com`), not a space.
fn split_label(path: &str) -> Result<(Option<String>, String), OtpError> {
    let (prefix, account) = match path.split_once(':') {
        Some((prefix, account)) => (
            Some(decode_text(prefix, false, "label")?),
            decode_text(account, false, "label")?,
        ),
        None => {
            let whole = decode_text(path, false, "label")?;
            match whole.split_once(':') {
                Some((prefix, account)) => (Some(prefix.to_owned()), account.to_owned()),
                None => (None, whole),
            }
        }
    };
    let prefix = prefix
        .map(|p| p.trim().to_owned())
        .filter(|p| !p.is_empty());
    Ok((prefix, account.trim().to_owned()))
}

/// The query's parameters, names decoded and lower-cased, values still raw.
struct Query<'a> {
    pairs: Vec<(String, &'a str)>,
}

impl<'a> Query<'a> {
    fn new(query: &'a str) -> Self {
        let pairs = query
            .split('&')
            .filter(|pair| !pair.is_empty())
            .filter_map(|pair| {
                let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
                // A name that does not decode is not one we know; it is ignored like any other.
                let name = decode_text(name, true, "parameter name").ok()?;
                Some((name.trim().to_ascii_lowercase(), value))
            })
            .collect();
        Self { pairs }
    }

    /// The raw value of the first parameter called `name`.
    fn raw(&self, name: &str) -> Option<&'a str> {
        self.pairs
            .iter()
            .find(|(n, _)| n == name)
            .map(|&(_, value)| value)
    }

    /// The decoded, trimmed value of the first parameter called `name`; `None` when it is
    /// absent or empty (generators write `digits=` meaning "the default").
    fn text(&self, name: &'static str) -> Result<Option<String>, OtpError> {
        let Some(raw) = self.raw(name) else {
            return Ok(None);
        };
        let text = decode_text(raw, true, name)?;
        let text = text.trim();
        Ok((!text.is_empty()).then(|| text.to_owned()))
    }
}

/// Percent-decodes `raw` as UTF-8 text; see [`decode`].
fn decode_text(raw: &str, plus_is_space: bool, part: &'static str) -> Result<String, OtpError> {
    let mut bytes = decode(raw, plus_is_space, part)?;
    String::from_utf8(std::mem::take(&mut *bytes)).map_err(|_| OtpError::InvalidUtf8 { part })
}

/// Percent-decodes `raw`, refusing a '%' without two hex digits after it (the `percent-encoding`
/// crate passes those through, which would turn a typo into a different name or key). With
/// `plus_is_space`, '+' is a space, as in form-encoded query values.
fn decode(
    raw: &str,
    plus_is_space: bool,
    part: &'static str,
) -> Result<Zeroizing<Vec<u8>>, OtpError> {
    let raw = raw.as_bytes();
    // Decoding never grows the text, so the buffer is never reallocated (it may hold a key).
    let mut out = Zeroizing::new(Vec::with_capacity(raw.len()));
    let mut i = 0;
    while let Some(&byte) = raw.get(i) {
        match byte {
            b'%' => {
                let digit = |at: usize| {
                    raw.get(at)
                        .and_then(|&b| char::from(b).to_digit(16))
                        .map(|d| d as u8)
                };
                let (Some(high), Some(low)) = (digit(i + 1), digit(i + 2)) else {
                    return Err(OtpError::BadPercentEncoding { part });
                };
                out.push((high << 4) | low);
                i += 3;
            }
            b'+' if plus_is_space => {
                out.push(b' ');
                i += 1;
            }
            _ => {
                out.push(byte);
                i += 1;
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use rand::{Rng, SeedableRng, rngs::StdRng};

    use super::*;

    const TOTP: Params = Params {
        kind: Kind::Totp,
        algorithm: Algorithm::Sha1,
        digits: 6,
        period: 30,
        counter: 0,
    };
    const HOTP: Params = Params {
        kind: Kind::Hotp,
        ..TOTP
    };

    /// What a parsed URI should hold; the secret as uppercase unpadded base32.
    #[derive(Debug, PartialEq)]
    struct Want {
        issuer: Option<String>,
        label: String,
        secret: String,
        params: Params,
    }

    fn ok(
        issuer: Option<&str>,
        label: &str,
        secret: &str,
        params: Params,
    ) -> Result<Want, OtpError> {
        Ok(Want {
            issuer: issuer.map(str::to_owned),
            label: label.to_owned(),
            secret: secret.to_owned(),
            params,
        })
    }

    fn got(text: &str) -> Result<Want, OtpError> {
        OtpUri::parse(text).map(|uri| Want {
            issuer: uri.issuer.clone(),
            label: uri.label.clone(),
            secret: uri.secret.to_base32().to_string(),
            params: uri.params,
        })
    }

    // A 160-bit key as most services issue, and the classic 80-bit example key.
    const K160: &str = "HXDMVJECJJWSRB3HWIZR4IFUGFTMXBOZ";
    const K80: &str = "JBSWY3DPEHPK3PXP";

    fn table() -> Vec<(&'static str, Result<Want, OtpError>)> {
        use OtpError as E;
        vec![
            // Google.
            (
                "otpauth://totp/Google%3Aalice%40gmail.com?secret=HXDMVJECJJWSRB3HWIZR4IFUGFTMXBOZ&issuer=Google",
                ok(Some("Google"), "alice@gmail.com", K160, TOTP),
            ),
            // GitHub.
            (
                "otpauth://totp/GitHub:octocat?secret=HXDMVJECJJWSRB3HWIZR4IFUGFTMXBOZ&issuer=GitHub",
                ok(Some("GitHub"), "octocat", K160, TOTP),
            ),
            // AWS-style: %20 in the path, '+' for spaces in the query.
            (
                "otpauth://totp/Amazon%20Web%20Services:root-account-mfa-device@123456789012?secret=HXDMVJECJJWSRB3HWIZR4IFUGFTMXBOZ&issuer=Amazon+Web+Services",
                ok(
                    Some("Amazon Web Services"),
                    "root-account-mfa-device@123456789012",
                    K160,
                    TOTP,
                ),
            ),
            // LPSE (SPSE).
            (
                "otpauth://totp/LPSE%20Kota%20Bandung:penyedia123?secret=HXDMVJECJJWSRB3HWIZR4IFUGFTMXBOZ&issuer=LPSE%20Kota%20Bandung",
                ok(Some("LPSE Kota Bandung"), "penyedia123", K160, TOTP),
            ),
            // Microsoft.
            (
                "otpauth://totp/Microsoft:user%40outlook.com?secret=HXDMVJECJJWSRB3HWIZR4IFUGFTMXBOZ&issuer=Microsoft",
                ok(Some("Microsoft"), "user@outlook.com", K160, TOTP),
            ),
            // Upper-case scheme, type and parameter names.
            (
                "OTPAUTH://TOTP/Example:alice?SECRET=HXDMVJECJJWSRB3HWIZR4IFUGFTMXBOZ&ISSUER=Example&Digits=6",
                ok(Some("Example"), "alice", K160, TOTP),
            ),
            // HOTP with a counter.
            (
                "otpauth://hotp/Example:alice?secret=HXDMVJECJJWSRB3HWIZR4IFUGFTMXBOZ&issuer=Example&counter=42",
                ok(
                    Some("Example"),
                    "alice",
                    K160,
                    Params {
                        counter: 42,
                        ..HOTP
                    },
                ),
            ),
            // HOTP without a counter starts at 0; its period is not read.
            (
                "otpauth://HOTP/Example:alice?secret=HXDMVJECJJWSRB3HWIZR4IFUGFTMXBOZ&period=abc",
                ok(Some("Example"), "alice", K160, HOTP),
            ),
            // HOTP counter at its maximum.
            (
                "otpauth://hotp/alice?secret=HXDMVJECJJWSRB3HWIZR4IFUGFTMXBOZ&counter=18446744073709551615",
                ok(
                    None,
                    "alice",
                    K160,
                    Params {
                        counter: u64::MAX,
                        ..HOTP
                    },
                ),
            ),
            // SHA256 and 8 digits.
            (
                "otpauth://totp/Example:alice?secret=HXDMVJECJJWSRB3HWIZR4IFUGFTMXBOZ&algorithm=SHA256&digits=8",
                ok(
                    Some("Example"),
                    "alice",
                    K160,
                    Params {
                        algorithm: Algorithm::Sha256,
                        digits: 8,
                        ..TOTP
                    },
                ),
            ),
            // Lower-case SHA512, 7 digits, period 15.
            (
                "otpauth://totp/Example:alice?secret=HXDMVJECJJWSRB3HWIZR4IFUGFTMXBOZ&algorithm=sha512&digits=7&period=15",
                ok(
                    Some("Example"),
                    "alice",
                    K160,
                    Params {
                        algorithm: Algorithm::Sha512,
                        digits: 7,
                        period: 15,
                        ..TOTP
                    },
                ),
            ),
            // A 120-second period stays 120.
            (
                "otpauth://totp/Example:alice?secret=HXDMVJECJJWSRB3HWIZR4IFUGFTMXBOZ&period=120",
                ok(
                    Some("Example"),
                    "alice",
                    K160,
                    Params {
                        period: 120,
                        ..TOTP
                    },
                ),
            ),
            // An 80-bit secret.
            (
                "otpauth://totp/Example:alice@google.com?secret=JBSWY3DPEHPK3PXP&issuer=Example",
                ok(Some("Example"), "alice@google.com", K80, TOTP),
            ),
            // Lower-case secret with %20 spaces.
            (
                "otpauth://totp/Example:alice?secret=jbsw%20y3dp%20ehpk%203pxp",
                ok(Some("Example"), "alice", K80, TOTP),
            ),
            // Lower-case secret with '+' spaces and padding.
            (
                "otpauth://totp/Example:alice?secret=jbsw+y3dp+ehpk+3pxp%3D%3D%3D",
                ok(Some("Example"), "alice", K80, TOTP),
            ),
            // Issuer parameter and label prefix disagree: keep the parameter.
            (
                "otpauth://totp/OldName:alice?secret=HXDMVJECJJWSRB3HWIZR4IFUGFTMXBOZ&issuer=NewName",
                ok(Some("NewName"), "alice", K160, TOTP),
            ),
            // Label without issuer.
            (
                "otpauth://totp/alice@example.com?secret=HXDMVJECJJWSRB3HWIZR4IFUGFTMXBOZ",
                ok(None, "alice@example.com", K160, TOTP),
            ),
            // Issuer only as a parameter.
            (
                "otpauth://totp/alice?secret=HXDMVJECJJWSRB3HWIZR4IFUGFTMXBOZ&issuer=Example",
                ok(Some("Example"), "alice", K160, TOTP),
            ),
            // Encoded ':' (lower-case hex) as the separator.
            (
                "otpauth://totp/ACME%3ajohn.doe?secret=HXDMVJECJJWSRB3HWIZR4IFUGFTMXBOZ",
                ok(Some("ACME"), "john.doe", K160, TOTP),
            ),
            // A literal ':' is the separator; an encoded one after it stays in the name.
            (
                "otpauth://totp/Example:alice%3Awork?secret=HXDMVJECJJWSRB3HWIZR4IFUGFTMXBOZ",
                ok(Some("Example"), "alice:work", K160, TOTP),
            ),
            // Only the first literal ':' separates.
            (
                "otpauth://totp/Example:alice:work?secret=HXDMVJECJJWSRB3HWIZR4IFUGFTMXBOZ",
                ok(Some("Example"), "alice:work", K160, TOTP),
            ),
            // '+' in the path is a plus.
            (
                "otpauth://totp/Example:alice+work@example.com?secret=HXDMVJECJJWSRB3HWIZR4IFUGFTMXBOZ&issuer=Example",
                ok(Some("Example"), "alice+work@example.com", K160, TOTP),
            ),
            // Unicode issuer, percent-encoded.
            (
                "otpauth://totp/Bank%20%C3%96sterreich:j%C3%BCrgen?secret=HXDMVJECJJWSRB3HWIZR4IFUGFTMXBOZ&issuer=Bank%20%C3%96sterreich",
                ok(Some("Bank Österreich"), "jürgen", K160, TOTP),
            ),
            // Unicode and spaces written raw.
            (
                "otpauth://totp/Pemkot Bandung:budi@bandung.go.id?secret=HXDMVJECJJWSRB3HWIZR4IFUGFTMXBOZ&issuer=東京 銀行",
                ok(Some("東京 銀行"), "budi@bandung.go.id", K160, TOTP),
            ),
            // Whitespace around the text and around the label parts.
            (
                "  otpauth://totp/Example%20:%20alice?secret=HXDMVJECJJWSRB3HWIZR4IFUGFTMXBOZ&issuer=%20Example%20\r\n",
                ok(Some("Example"), "alice", K160, TOTP),
            ),
            // Unknown parameters, even malformed ones, are ignored.
            (
                "otpauth://totp/Example:alice?secret=HXDMVJECJJWSRB3HWIZR4IFUGFTMXBOZ&image=https%3A%2F%2Fexample.com%2Flogo.png&color=%ZZ&lock=true&pin",
                ok(Some("Example"), "alice", K160, TOTP),
            ),
            // A duplicated parameter: the first wins.
            (
                "otpauth://totp/alice?secret=JBSWY3DPEHPK3PXP&secret=HXDMVJECJJWSRB3HWIZR4IFUGFTMXBOZ&digits=8&digits=6",
                ok(None, "alice", K80, Params { digits: 8, ..TOTP }),
            ),
            // Empty parameters mean the default.
            (
                "otpauth://totp/alice?secret=HXDMVJECJJWSRB3HWIZR4IFUGFTMXBOZ&issuer=&algorithm=&digits=&period=",
                ok(None, "alice", K160, TOTP),
            ),
            // No label, issuer as a parameter; and no path at all.
            (
                "otpauth://totp/?secret=HXDMVJECJJWSRB3HWIZR4IFUGFTMXBOZ&issuer=Example",
                ok(Some("Example"), "", K160, TOTP),
            ),
            (
                "otpauth://totp?secret=HXDMVJECJJWSRB3HWIZR4IFUGFTMXBOZ",
                ok(None, "", K160, TOTP),
            ),
            // "SHA-256" spelling.
            (
                "otpauth://totp/alice?secret=HXDMVJECJJWSRB3HWIZR4IFUGFTMXBOZ&algorithm=SHA-256",
                ok(
                    None,
                    "alice",
                    K160,
                    Params {
                        algorithm: Algorithm::Sha256,
                        ..TOTP
                    },
                ),
            ),
            // A raw '#' in the label is part of it, not a fragment.
            (
                "otpauth://totp/Shop #2:alice?secret=HXDMVJECJJWSRB3HWIZR4IFUGFTMXBOZ",
                ok(Some("Shop #2"), "alice", K160, TOTP),
            ),
            // Secret with non-zero trailing bits.
            (
                "otpauth://totp/alice?secret=GEZDGNBVGY3TQOJQGH",
                ok(None, "alice", "GEZDGNBVGY3TQOJQGE", TOTP),
            ),
            // ---- malformed ----
            (
                "otpauth://totp/Example:alice?issuer=Example",
                Err(E::MissingSecret),
            ),
            ("otpauth://totp/Example:alice", Err(E::MissingSecret)),
            (
                "otpauth://totp/Example:alice?secret=&issuer=Example",
                Err(E::EmptySecret),
            ),
            (
                "otpauth://totp/Example:alice?secret=%20+%20",
                Err(E::EmptySecret),
            ),
            (
                "otpauth://totp/Example:alice?secret=ABC8",
                Err(E::InvalidSecretChar {
                    ch: '8',
                    position: 4,
                }),
            ),
            (
                "otpauth://totp/Example:alice?secret=abc",
                Err(E::InvalidSecretLength { letters: 3 }),
            ),
            (
                "otpauth://totp/Example:alice?secret=JBSWY3DP",
                Err(E::SecretTooShort { bits: 40 }),
            ),
            (
                "otpauth://totp/Example:alice?secret=HXDMVJECJJWSRB3HWIZR4IFUGFTMXBOZ&digits=10",
                Err(E::InvalidDigits("10".into())),
            ),
            (
                "otpauth://totp/Example:alice?secret=HXDMVJECJJWSRB3HWIZR4IFUGFTMXBOZ&digits=5",
                Err(E::InvalidDigits("5".into())),
            ),
            (
                "otpauth://totp/Example:alice?secret=HXDMVJECJJWSRB3HWIZR4IFUGFTMXBOZ&digits=1000",
                Err(E::InvalidDigits("1000".into())),
            ),
            (
                "otpauth://totp/Example:alice?secret=HXDMVJECJJWSRB3HWIZR4IFUGFTMXBOZ&period=0",
                Err(E::InvalidPeriod("0".into())),
            ),
            (
                "otpauth://totp/Example:alice?secret=HXDMVJECJJWSRB3HWIZR4IFUGFTMXBOZ&period=301",
                Err(E::InvalidPeriod("301".into())),
            ),
            (
                "otpauth://totp/Example:alice?secret=HXDMVJECJJWSRB3HWIZR4IFUGFTMXBOZ&period=abc",
                Err(E::InvalidPeriod("abc".into())),
            ),
            (
                "otpauth://totp/Example:alice?secret=HXDMVJECJJWSRB3HWIZR4IFUGFTMXBOZ&period=-30",
                Err(E::InvalidPeriod("-30".into())),
            ),
            (
                "otpauth://totp/Example:alice?secret=HXDMVJECJJWSRB3HWIZR4IFUGFTMXBOZ&period=30.5",
                Err(E::InvalidPeriod("30.5".into())),
            ),
            (
                "otpauth://totp/Example:alice?secret=HXDMVJECJJWSRB3HWIZR4IFUGFTMXBOZ&algorithm=MD5",
                Err(E::UnsupportedAlgorithm("MD5".into())),
            ),
            (
                "otpauth://hotp/Example:alice?secret=HXDMVJECJJWSRB3HWIZR4IFUGFTMXBOZ&counter=-1",
                Err(E::InvalidCounter("-1".into())),
            ),
            (
                "otpauth://hotp/Example:alice?secret=HXDMVJECJJWSRB3HWIZR4IFUGFTMXBOZ&counter=abc",
                Err(E::InvalidCounter("abc".into())),
            ),
            (
                "otpauth://steam/Steam:alice?secret=HXDMVJECJJWSRB3HWIZR4IFUGFTMXBOZ",
                Err(E::UnsupportedType("steam".into())),
            ),
            (
                "otpauth://?secret=HXDMVJECJJWSRB3HWIZR4IFUGFTMXBOZ",
                Err(E::MissingType),
            ),
            (
                "https://lpse.bandung.go.id/eproc4/totp?secret=HXDMVJECJJWSRB3HWIZR4IFUGFTMXBOZ",
                Err(E::NotOtpAuth {
                    found: "a web address".into(),
                }),
            ),
            (
                "otpauth-migration://offline?data=CjEKCkhlbGxvId6tvu8SGEV4YW1wbGU6YWxpY2VAZ29vZ2xlLmNvbRoHRXhhbXBsZTAC",
                Err(E::MigrationNotSupported),
            ),
            (
                "WIFI:S:Kantor;T:WPA;P:rahasia;;",
                Err(E::NotOtpAuth {
                    found: "Wi-Fi settings".into(),
                }),
            ),
            (
                "hello world, this is not a link",
                Err(E::NotOtpAuth {
                    found: "plain text, not a link".into(),
                }),
            ),
            (
                "JBSWY3DPEHPK3PXP",
                Err(E::NotOtpAuth {
                    found: "plain text, not a link".into(),
                }),
            ),
            (
                " \n ",
                Err(E::NotOtpAuth {
                    found: "empty text".into(),
                }),
            ),
            (
                "otpauth://totp/Example%ZZ:alice?secret=HXDMVJECJJWSRB3HWIZR4IFUGFTMXBOZ",
                Err(E::BadPercentEncoding { part: "label" }),
            ),
            (
                "otpauth://totp/Example:alice?secret=HXDMVJECJJWSRB3HWIZR4IFUGFTMXBOZ&issuer=Example%2",
                Err(E::BadPercentEncoding { part: "issuer" }),
            ),
            (
                "otpauth://totp/Example:alice?secret=HXDMVJECJJWSRB3HWIZR4IFUGFTMXBO%5",
                Err(E::BadPercentEncoding { part: "secret" }),
            ),
            (
                "otpauth://totp/Caf%C3%28:alice?secret=HXDMVJECJJWSRB3HWIZR4IFUGFTMXBOZ",
                Err(E::InvalidUtf8 { part: "label" }),
            ),
            (
                "otpauth://totp/Example:alice?secret=HXDMVJECJJWSRB3HWIZR4IFUGFTMXBOZ&issuer=%FF%FE",
                Err(E::InvalidUtf8 { part: "issuer" }),
            ),
            (
                "otpauth://totp/Example:alice?secret=HXDMVJECJJWSRB3HWIZR4IFUGFTMXBO%C3",
                Err(E::InvalidUtf8 { part: "secret" }),
            ),
        ]
    }

    #[test]
    fn table_of_real_and_malformed_uris() {
        let table = table();
        assert!(table.len() >= 30);
        for (text, want) in table {
            assert_eq!(got(text), want, "{text:?}");
        }
    }

    /// The raw `secret=` value of a URI, if any.
    fn raw_secret(text: &str) -> Option<&str> {
        let start = text.find("secret=")? + "secret=".len();
        let rest = &text[start..];
        Some(rest.split('&').next().unwrap_or(rest))
    }

    #[test]
    fn error_messages_never_contain_the_secret() {
        let mut checked = 0;
        for (text, want) in table() {
            let Err(error) = want else { continue };
            let Some(secret) = raw_secret(text).filter(|s| s.len() >= 4) else {
                continue;
            };
            for shown in [error.to_string(), format!("{error:?}")] {
                assert!(!shown.contains(secret), "{shown}");
                assert!(!shown.to_uppercase().contains(&secret.to_uppercase()));
                assert!(!shown.contains("HXDMVJEC"), "{shown}");
            }
            checked += 1;
        }
        assert!(checked >= 20, "{checked}");
        // Nor does the Debug of a parsed URI.
        let uri =
            OtpUri::parse("otpauth://totp/Example:alice?secret=HXDMVJECJJWSRB3HWIZR4IFUGFTMXBOZ");
        let shown = format!("{uri:?}");
        assert!(
            shown.contains("redacted") && !shown.contains("HXDMVJEC"),
            "{shown}"
        );
    }

    #[test]
    fn to_uri_writes_the_usual_shape() {
        let uri = OtpUri {
            issuer: Some("LPSE Kota Bandung".into()),
            label: "penyedia123".into(),
            secret: Secret::from_bytes(b"Hello!\xDE\xAD\xBE\xEF".to_vec()),
            params: TOTP,
        };
        assert_eq!(
            uri.to_uri().as_str(),
            "otpauth://totp/LPSE%20Kota%20Bandung:penyedia123?secret=JBSWY3DPEHPK3PXP\
             &issuer=LPSE%20Kota%20Bandung&algorithm=SHA1&digits=6&period=30"
        );
        let hotp = OtpUri {
            issuer: None,
            label: "a:b c".into(),
            params: Params {
                counter: 7,
                algorithm: Algorithm::Sha512,
                digits: 8,
                ..HOTP
            },
            ..uri
        };
        assert_eq!(
            hotp.to_uri().as_str(),
            "otpauth://hotp/:a%3Ab%20c?secret=JBSWY3DPEHPK3PXP&algorithm=SHA512&digits=8&counter=7"
        );
        assert_eq!(OtpUri::parse(&hotp.to_uri()), Ok(hotp));
    }

    /// A name of up to `max` characters drawn from letters and characters URIs treat specially.
    fn random_name(rng: &mut StdRng, max: usize) -> String {
        const POOL: &[char] = &[
            'a', 'Z', '0', '9', ' ', ':', '+', '%', '/', '?', '&', '=', '#', '@', '.', '-', '_',
            '~', 'ü', 'Ö', '東', '—', '\t', '\'', '"', ';', ',', '😀',
        ];
        let len = rng.random_range(0..=max);
        let name: String = (0..len)
            .map(|_| POOL[rng.random_range(0..POOL.len())])
            .collect();
        name.trim().to_owned()
    }

    #[test]
    fn parse_reads_back_what_to_uri_writes() {
        let mut rng = StdRng::seed_from_u64(6238);
        for _ in 0..2000 {
            let issuer = Some(random_name(&mut rng, 12)).filter(|i| !i.is_empty() && rng.random());
            let label = random_name(&mut rng, 20);
            let len = rng.random_range(10..=64);
            let secret = Secret::from_bytes((0..len).map(|_| rng.random()).collect());
            let algorithm =
                [Algorithm::Sha1, Algorithm::Sha256, Algorithm::Sha512][rng.random_range(0..3)];
            let digits = rng.random_range(6..=8);
            let params = if rng.random() {
                Params {
                    algorithm,
                    digits,
                    period: rng.random_range(1..=300),
                    ..TOTP
                }
            } else {
                let counter = if rng.random() { rng.random() } else { u64::MAX };
                Params {
                    algorithm,
                    digits,
                    counter,
                    ..HOTP
                }
            };
            let original = OtpUri {
                issuer,
                label,
                secret,
                params,
            };
            let written = original.to_uri();
            let read = OtpUri::parse(&written);
            assert_eq!(read.as_ref(), Ok(&original), "{}", written.as_str());
            assert_eq!(
                read.map(|r| r.to_uri().to_string()),
                Ok(written.to_string())
            );
        }
    }

    #[test]
    fn empty_issuer_is_left_out() {
        let uri = OtpUri {
            issuer: Some("  ".into()),
            label: "alice".into(),
            secret: Secret::from_bytes(b"Hello!\xDE\xAD\xBE\xEF".to_vec()),
            params: TOTP,
        };
        let written = uri.to_uri();
        assert!(!written.contains("issuer="), "{}", written.as_str());
        assert_eq!(
            OtpUri::parse(&written).map(|u| u.issuer),
            Ok(None::<String>)
        );
    }
}
