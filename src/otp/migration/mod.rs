/*!
Google Authenticator exports: `otpauth-migration://offline?data=BASE64`.

The data is a protobuf message (from Google Authenticator's `migration.proto`):

```text
message MigrationPayload {
  repeated OtpParameters otp_parameters = 1;
  int32 version = 2;  int32 batch_size = 3;  int32 batch_index = 4;  int32 batch_id = 5;
}
message OtpParameters {
  bytes secret = 1;  string name = 2;  string issuer = 3;
  Algorithm algorithm = 4;  // 0 unspecified, 1 SHA1, 2 SHA256, 3 SHA512, 4 MD5
  DigitCount digits = 5;    // 0 unspecified, 1 SIX, 2 EIGHT
  OtpType type = 6;         // 0 unspecified, 1 HOTP, 2 TOTP
  int64 counter = 7;
}
```

It is read by the small protobuf reader below (no protoc, no generated code): varints,
length-delimited fields, and every other wire type skipped when the field is unknown. A large
export is split over several QR codes that share a `batch_id` and number themselves with
`batch_index` of `batch_size`; [`BatchCollector`] puts them together.

Each entry becomes an [`OtpUri`]: the issuer from `issuer`, else from an `Issuer:` prefix of
`name` (as in `otpauth://` labels, and the prefix is always cut from the account name);
unspecified digits are 6, an unspecified algorithm SHA1, an unspecified type TOTP, and the
period is always 30 s (the format has no period). An entry that cannot be used (no secret, a
secret shorter than [`MIN_SECRET_BYTES`], MD5, an unknown digit count, a damaged entry) is left
out with a reason in [`Batch::skipped`]; it never blocks the others, and no entry is ever
half-read. A payload that is damaged as a whole is an error: nothing from it is used.

Errors and skip reasons never contain secret bytes or base64 of them beyond one character.
*/

use data_encoding::BASE64;
use zeroize::{Zeroize, Zeroizing};

use super::{Algorithm, Kind, MIN_SECRET_BYTES, OtpUri, Params, Secret};

mod batch;
mod protobuf;

pub use batch::{BatchCollector, CollectError, Collected};
#[cfg(test)]
use protobuf::MAX_GROUP_DEPTH;
pub use protobuf::ProtobufError;
use protobuf::{
    MAX_VARINT_LEN, Reader, Value, bytes_field_len, varint_len, write_bytes_field, write_key,
    write_varint, write_varint_field,
};

/// The most accounts one payload may hold; more is refused as not a real export.
pub const MAX_ACCOUNTS: usize = 1000;

/// The most QR codes one export may be split over (each holds at least one account).
pub const MAX_BATCH_SIZE: u32 = MAX_ACCOUNTS as u32;

/// Accounts per QR code that Google Authenticator's own exports hold (about ten), which keeps
/// each code readable by a phone camera; a good `per_qr` for [`encode_batches`].
pub const ACCOUNTS_PER_QR: usize = 10;

/// The accounts of one export QR code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Batch {
    /// The usable entries, in payload order.
    pub accounts: Vec<OtpUri>,
    /// One per entry that could not be used, such as entry 3 (GitHub: octocat) for
    /// [`EntryProblem::Md5`]. Never contains the secret.
    pub skipped: Vec<SkippedEntry>,
    /// How many QR codes the export is split over (1 when the payload does not say).
    pub batch_size: u32,
    /// Which of them this is, from 0.
    pub batch_index: u32,
    /// The same for every QR code of one export (Google Authenticator picks it at random).
    pub batch_id: i32,
}

/// One entry of an export left out, where it was and why. Never holds secret text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkippedEntry {
    /// `(n, count)`: QR code n (from 1) of `count`, when the export was split over several.
    pub qr_code: Option<(usize, usize)>,
    /// Its position in the payload, from 1.
    pub number: usize,
    /// Its issuer as far as it could be read (cut to fit a message); may be empty.
    pub issuer: String,
    /// Its account name as far as it could be read (cut to fit a message); may be empty.
    pub label: String,
    /// What was wrong with it.
    pub problem: EntryProblem,
}

impl std::fmt::Display for SkippedEntry {
    /// Where it was, then why, in English (for logs and tests; people read the front ends'
    /// words): "QR code 2 of 3: entry 4 (GitHub: octocat): MD5 is not supported".
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let Some((n, count)) = self.qr_code {
            write!(f, "QR code {n} of {count}: ")?;
        }
        let name = match (self.issuer.as_str(), self.label.as_str()) {
            ("", "") => String::new(),
            ("", one) | (one, "") => one.to_string(),
            (issuer, label) => format!("{issuer}: {label}"),
        };
        match name.as_str() {
            "" => write!(f, "entry {}: {}", self.number, self.problem),
            name => write!(f, "entry {} ({name}): {}", self.number, self.problem),
        }
    }
}

/// What made an entry of an export unusable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EntryProblem {
    /// Its bytes are damaged.
    #[error("the entry is damaged ({0})")]
    Damaged(ProtobufError),
    /// The account name is not UTF-8 text.
    #[error("its name is not valid UTF-8 text")]
    NameNotUtf8,
    /// The issuer is not UTF-8 text.
    #[error("its issuer is not valid UTF-8 text")]
    IssuerNotUtf8,
    /// No secret at all.
    #[error("it has no secret")]
    NoSecret,
    /// A secret shorter than [`MIN_SECRET_BYTES`].
    #[error("its secret is only {bits} bits long; at least {needed} bits are needed")]
    ShortSecret {
        /// Its length in bits.
        bits: usize,
        /// The least Kunci accepts.
        needed: usize,
    },
    /// MD5, which Kunci does not make codes with.
    #[error("MD5 is not supported")]
    Md5,
    /// An algorithm number the format does not define.
    #[error("unknown algorithm number {0}")]
    UnknownAlgorithm(i32),
    /// A digit-count number the format does not define.
    #[error("unknown digit count number {0}")]
    UnknownDigits(i32),
    /// A type number the format does not define.
    #[error("unknown code type number {0}")]
    UnknownType(i32),
}

/// Why an `otpauth-migration://` text could not be read. Nothing from it is used.
#[derive(Debug, thiserror::Error, PartialEq, Eq, Clone)]
#[non_exhaustive]
pub enum MigrationError {
    /// The text does not start with `otpauth-migration:`.
    #[error("not a Google Authenticator export (otpauth-migration://offline?data=…)")]
    NotMigration,
    /// No `data=` parameter, or an empty one.
    #[error("the Google Authenticator export link has no data (…?data=…)")]
    NoData,
    /// A `%` in the data is not followed by two hex digits.
    #[error("the export data has a '%' not followed by two hex digits, at character {position}")]
    BadPercentEncoding {
        /// Where, counting bytes of the `data` value from 1.
        position: usize,
    },
    /// The data holds a character that is not base64.
    #[error("the export data is not base64: {found:?} at character {position}")]
    BadBase64 {
        /// The offending character as it appears in the link (e.g. `"!"` or `"%FF"`).
        found: String,
        /// Where, counting bytes of the `data` value from 1.
        position: usize,
    },
    /// The base64 has a length that no complete base64 text can have (a piece is missing).
    #[error("the export data is cut short: {chars} base64 characters cannot be complete")]
    BadBase64Length {
        /// Base64 characters, not counting padding.
        chars: usize,
    },
    /// The decoded bytes are not a valid export message.
    #[error("the export data is damaged: {0}")]
    Damaged(#[from] ProtobufError),
    /// A well-formed export with no accounts in it.
    #[error("the Google Authenticator export holds no accounts")]
    NoAccounts,
    /// More accounts than any real export holds.
    #[error("the export holds more than {limit} accounts, more than any real export")]
    TooManyAccounts {
        /// [`MAX_ACCOUNTS`].
        limit: usize,
    },
    /// `batch_index`/`batch_size` that cannot be (negative, index not below size, huge size).
    #[error("the export says it is QR code {index} (counting from 0) of {size}, which cannot be")]
    BadBatchNumbers {
        /// The payload's `batch_index`.
        index: i32,
        /// The payload's `batch_size`.
        size: i32,
    },
}

/// Reads an `otpauth-migration://offline?data=…` link (scheme and parameter name in any case,
/// surrounding whitespace ignored).
///
/// The data may be percent-encoded or not, with spaces where a `+` was (form encoding), line
/// breaks, URL-safe letters (`-`, `_`) and with or without `=` padding.
///
/// `Ok` may hold no accounts when every entry was skipped; [`Batch::skipped`] then says why.
pub fn parse(uri: &str) -> Result<Batch, MigrationError> {
    let text = uri.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}' || c == '\0');
    let Some((scheme, rest)) = text.split_once(':') else {
        return Err(MigrationError::NotMigration);
    };
    if !scheme.eq_ignore_ascii_case("otpauth-migration") {
        return Err(MigrationError::NotMigration);
    }
    // Base64 never holds '#', so anything after one is a fragment.
    let rest = rest.split('#').next().unwrap_or(rest);
    let query = rest.split_once('?').map_or("", |(_, query)| query);
    let data = query
        .split('&')
        .find_map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            name.trim().eq_ignore_ascii_case("data").then_some(value)
        })
        .ok_or(MigrationError::NoData)?;
    let bytes = decode_data(data)?;
    parse_payload_bytes(&bytes)
}

/// Reads the protobuf bytes of a payload (the decoded `data`), as [`parse`] does after base64.
///
/// Public for the fuzz targets.
#[doc(hidden)]
pub fn parse_payload_bytes(bytes: &[u8]) -> Result<Batch, MigrationError> {
    let mut reader = Reader::new(bytes, 0);
    let mut entries: Vec<Reader<'_>> = Vec::new();
    let (mut size, mut index, mut id) = (0i32, 0i32, 0i32);
    while let Some(field) = reader.next_field()? {
        match (field.number, field.value) {
            (1, Value::Bytes(entry)) => {
                if entries.len() == MAX_ACCOUNTS {
                    return Err(MigrationError::TooManyAccounts {
                        limit: MAX_ACCOUNTS,
                    });
                }
                entries.push(entry);
            }
            // Version 1 and 2 have been seen; nothing in it changes how entries read.
            (2, Value::Varint(_)) => {}
            // int32 on the wire is a sign-extended varint: keep the low 32 bits.
            (3, Value::Varint(v)) => size = v as i32,
            (4, Value::Varint(v)) => index = v as i32,
            (5, Value::Varint(v)) => id = v as i32,
            (number @ 1..=5, value) => {
                return Err(field
                    .wrong_wire_type("the export", number, value, if number == 1 { 2 } else { 0 })
                    .into());
            }
            _ => {}
        }
    }
    if entries.is_empty() {
        return Err(MigrationError::NoAccounts);
    }
    // proto3 leaves zero out: an export that does not say is one QR code.
    let batch_size = if size == 0 { 1 } else { size };
    let numbers_ok = batch_size > 0
        && batch_size.unsigned_abs() <= MAX_BATCH_SIZE
        && (0..batch_size).contains(&index);
    if !numbers_ok {
        return Err(MigrationError::BadBatchNumbers { index, size });
    }

    let mut batch = Batch {
        accounts: Vec::with_capacity(entries.len()),
        skipped: Vec::new(),
        batch_size: batch_size.unsigned_abs(),
        batch_index: index.unsigned_abs(),
        batch_id: id,
    };
    for (n, entry) in entries.into_iter().enumerate() {
        match read_entry(entry, n) {
            Ok(account) => batch.accounts.push(account),
            Err(skipped) => batch.skipped.push(*skipped),
        }
    }
    Ok(batch)
}

/// Writes an `otpauth-migration://offline?data=…` link holding `accounts` as one QR code of an
/// export (`batch_index` of `batch_size`, sharing `batch_id`), as Google Authenticator writes
/// it: explicit algorithm, digit count and type, padded base64 with `+`, `/` and `=`
/// percent-encoded.
///
/// The format cannot say everything an [`OtpUri`] can: see [`export_limit`] for the accounts
/// that would come out different (a period other than 30 s, 7 digits). They are written
/// anyway, with 6 digits and no period; callers that export check first.
pub fn encode(
    accounts: &[OtpUri],
    batch_size: u32,
    batch_index: u32,
    batch_id: i32,
) -> Zeroizing<String> {
    let entries: Vec<EncodedEntry<'_>> = accounts.iter().map(EncodedEntry::new).collect();
    let payload_len =
        entries.iter().map(EncodedEntry::field_len).sum::<usize>() + 4 * (1 + MAX_VARINT_LEN) + 1;
    // Every buffer that holds secret bytes is sized up front: never reallocated, so no copy is
    // left behind in freed memory, and all of them are wiped on drop.
    let mut payload = Zeroizing::new(Vec::with_capacity(payload_len));
    for entry in &entries {
        entry.write_field(&mut payload);
    }
    write_varint_field(&mut payload, 2, 1);
    write_varint_field(&mut payload, 3, u64::from(batch_size));
    write_varint_field(&mut payload, 4, u64::from(batch_index));
    // int32 is sign-extended to 64 bits on the wire.
    write_varint_field(&mut payload, 5, i64::from(batch_id) as u64);
    debug_assert!(payload.len() <= payload_len);

    let mut base64 = Zeroizing::new(vec![0u8; BASE64.encode_len(payload.len())]);
    BASE64.encode_mut(&payload, &mut base64);
    const PREFIX: &str = "otpauth-migration://offline?data=";
    let mut uri = Zeroizing::new(String::with_capacity(PREFIX.len() + 3 * base64.len()));
    uri.push_str(PREFIX);
    for &byte in base64.iter() {
        match byte {
            b'+' => uri.push_str("%2B"),
            b'/' => uri.push_str("%2F"),
            b'=' => uri.push_str("%3D"),
            _ => uri.push(char::from(byte)),
        }
    }
    uri
}

/// Splits `accounts` over QR codes of at most `per_qr` accounts each (at least 1), as Google
/// Authenticator does: `batch_size` is the number of codes, `batch_index` counts from 0, and
/// all share one random positive `batch_id`. No accounts, no codes.
pub fn encode_batches(accounts: &[OtpUri], per_qr: usize) -> Vec<Zeroizing<String>> {
    let chunks: Vec<&[OtpUri]> = accounts.chunks(per_qr.max(1)).collect();
    let size = u32::try_from(chunks.len()).unwrap_or(u32::MAX);
    let id = random_batch_id();
    chunks
        .iter()
        .zip(0u32..)
        .map(|(chunk, index)| encode(chunk, size, index, id))
        .collect()
}

/// What of an account an export cannot hold: the format has no period (readers assume 30 s)
/// and only 6 or 8 digits. The front ends word it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportLimit {
    /// A TOTP period other than 30 seconds.
    Period(u32),
    /// A digit count other than 6 or 8.
    Digits(u8),
}

/// What of `account` would not come back the same from an export, if anything.
pub fn export_limit(account: &OtpUri) -> Option<ExportLimit> {
    let params = &account.params;
    if params.kind == Kind::Totp && params.period != 30 {
        return Some(ExportLimit::Period(params.period));
    }
    if !matches!(params.digits, 6 | 8) {
        return Some(ExportLimit::Digits(params.digits));
    }
    None
}

/// A random positive batch id; the time if the system has no randomness to give.
fn random_batch_id() -> i32 {
    let random = getrandom::u32().unwrap_or_else(|_| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(1, |d| d.subsec_nanos() ^ (d.as_secs() as u32))
    });
    (random >> 1) as i32
}

/// Percent-decodes and base64-decodes the `data` value, leniently (see [`parse`]).
fn decode_data(data: &str) -> Result<Zeroizing<Vec<u8>>, MigrationError> {
    let raw = data.as_bytes();
    // Six bits per base64 character: the decoded bytes are fewer than the text's.
    let mut sextets = Zeroizing::new(Vec::with_capacity(raw.len()));
    let mut padding_at = None;
    let mut i = 0;
    while let Some(&first) = raw.get(i) {
        let position = i + 1;
        let (byte, width) = if first == b'%' {
            let digit = |at: usize| {
                raw.get(at)
                    .and_then(|&b| char::from(b).to_digit(16))
                    .map(|d| d as u8)
            };
            match (digit(i + 1), digit(i + 2)) {
                (Some(high), Some(low)) => ((high << 4) | low, 3),
                _ => return Err(MigrationError::BadPercentEncoding { position }),
            }
        } else {
            (first, 1)
        };
        let sextet = match byte {
            b'A'..=b'Z' => Some(byte - b'A'),
            b'a'..=b'z' => Some(byte - b'a' + 26),
            b'0'..=b'9' => Some(byte - b'0' + 52),
            // A space is a '+' that went through form decoding; '-' and '_' are URL-safe base64.
            b'+' | b' ' | b'-' => Some(62),
            b'/' | b'_' => Some(63),
            b'\r' | b'\n' | b'\t' => None,
            b'=' => {
                padding_at.get_or_insert(position);
                None
            }
            _ => {
                let found = if width == 3 {
                    data[i..i + 3].to_owned()
                } else {
                    data[i..]
                        .chars()
                        .next()
                        .map(String::from)
                        .unwrap_or_default()
                };
                return Err(MigrationError::BadBase64 { found, position });
            }
        };
        if let Some(sextet) = sextet {
            if let Some(padding) = padding_at {
                return Err(MigrationError::BadBase64 {
                    found: "=".to_owned(),
                    position: padding,
                });
            }
            sextets.push(sextet);
        }
        // A non-ASCII character is refused above, so `width` bytes is always whole characters.
        i += width;
    }
    if sextets.is_empty() {
        return Err(MigrationError::NoData);
    }
    if sextets.len() % 4 == 1 {
        return Err(MigrationError::BadBase64Length {
            chars: sextets.len(),
        });
    }
    let mut bytes = Zeroizing::new(Vec::with_capacity(sextets.len() * 3 / 4));
    for group in sextets.chunks(4) {
        let mut bits = 0u32;
        for (k, &sextet) in group.iter().enumerate() {
            bits |= u32::from(sextet) << (18 - 6 * k);
        }
        // 2, 3 or 4 characters give 1, 2 or 3 bytes; leftover low bits are ignored.
        let [_, b0, b1, b2] = bits.to_be_bytes();
        bytes.extend_from_slice(&[b0, b1, b2][..group.len() - 1]);
        bits.zeroize();
    }
    Ok(bytes)
}

/// Reads one `OtpParameters` entry, the `index`th (from 0); the error names it and says why.
fn read_entry(mut reader: Reader<'_>, index: usize) -> Result<OtpUri, Box<SkippedEntry>> {
    let mut secret: &[u8] = &[];
    let mut name: &[u8] = &[];
    let mut issuer: &[u8] = &[];
    let (mut algorithm, mut digits, mut kind, mut counter) = (0i32, 0i32, 0i32, 0u64);
    let damaged = loop {
        let field = match reader.next_field() {
            Ok(Some(field)) => field,
            Ok(None) => break None,
            Err(e) => break Some(e),
        };
        match (field.number, field.value) {
            (1, Value::Bytes(r)) => secret = r.buf,
            (2, Value::Bytes(r)) => name = r.buf,
            (3, Value::Bytes(r)) => issuer = r.buf,
            (4, Value::Varint(v)) => algorithm = v as i32,
            (5, Value::Varint(v)) => digits = v as i32,
            (6, Value::Varint(v)) => kind = v as i32,
            // int64: a negative counter keeps its bits, so every u64 counter writes and reads back.
            (7, Value::Varint(v)) => counter = v,
            (number @ 1..=7, value) => {
                let expected = if number <= 3 { 2 } else { 0 };
                break Some(field.wrong_wire_type("an account", number, value, expected));
            }
            _ => {}
        }
    };

    let name = std::str::from_utf8(name);
    let issuer = std::str::from_utf8(issuer);
    let (prefix, label) = match name {
        Ok(name) => match name.split_once(':') {
            Some((prefix, label)) => (non_empty(prefix), label.trim()),
            None => (None, name.trim()),
        },
        Err(_) => (None, ""),
    };
    let issuer_is_text = issuer.is_ok();
    let issuer = issuer.ok().and_then(non_empty).or(prefix);
    let fail = |problem: EntryProblem| {
        Err(Box::new(SkippedEntry {
            qr_code: None,
            number: index + 1,
            issuer: issuer.map(shorten).unwrap_or_default(),
            label: shorten(label),
            problem,
        }))
    };

    if let Some(error) = damaged {
        return fail(EntryProblem::Damaged(error));
    }
    if name.is_err() {
        return fail(EntryProblem::NameNotUtf8);
    }
    if !issuer_is_text {
        return fail(EntryProblem::IssuerNotUtf8);
    }
    if secret.is_empty() {
        return fail(EntryProblem::NoSecret);
    }
    if secret.len() < MIN_SECRET_BYTES {
        return fail(EntryProblem::ShortSecret {
            bits: secret.len() * 8,
            needed: MIN_SECRET_BYTES * 8,
        });
    }
    let algorithm = match algorithm {
        0 | 1 => Algorithm::Sha1,
        2 => Algorithm::Sha256,
        3 => Algorithm::Sha512,
        4 => return fail(EntryProblem::Md5),
        other => return fail(EntryProblem::UnknownAlgorithm(other)),
    };
    let digits = match digits {
        0 | 1 => 6,
        2 => 8,
        other => return fail(EntryProblem::UnknownDigits(other)),
    };
    let kind = match kind {
        0 | 2 => Kind::Totp,
        1 => Kind::Hotp,
        other => return fail(EntryProblem::UnknownType(other)),
    };
    let params = Params {
        kind,
        algorithm,
        digits,
        counter: if kind == Kind::Hotp { counter } else { 0 },
        ..Params::default()
    };
    Ok(OtpUri {
        issuer: issuer.map(str::to_owned),
        label: label.to_owned(),
        secret: Secret::from_bytes(secret.to_vec()),
        params,
    })
}

/// `text` trimmed, or `None` when that leaves nothing.
fn non_empty(text: &str) -> Option<&str> {
    Some(text.trim()).filter(|t| !t.is_empty())
}

/// A name cut to fit a skip reason.
fn shorten(text: &str) -> String {
    const MAX_CHARS: usize = 40;
    let mut short: String = text.chars().take(MAX_CHARS).collect();
    if text.chars().nth(MAX_CHARS).is_some() {
        short.push('…');
    }
    short
}

// ---- protobuf writing ----

/// One account as it is written: the name with the issuer prefix only when needed.
struct EncodedEntry<'a> {
    account: &'a OtpUri,
    issuer: Option<&'a str>,
    name: std::borrow::Cow<'a, str>,
}

impl<'a> EncodedEntry<'a> {
    fn new(account: &'a OtpUri) -> Self {
        let issuer = account.issuer.as_deref().and_then(non_empty);
        // Readers take the issuer from a "prefix:" of the name, so a ':' in the account name
        // needs a prefix in front of it: the issuer, or an empty one when there is none or it
        // has a ':' itself (the issuer field says it anyway).
        let name = if account.label.contains(':') {
            let prefix = issuer.filter(|i| !i.contains(':')).unwrap_or_default();
            format!("{prefix}:{}", account.label).into()
        } else {
            account.label.as_str().into()
        };
        Self {
            account,
            issuer,
            name,
        }
    }

    /// The entry's fields, without its own tag and length.
    fn body_len(&self) -> usize {
        let secret = self.account.secret.as_bytes();
        let mut len = bytes_field_len(secret.len()) + bytes_field_len(self.name.len());
        if let Some(issuer) = self.issuer {
            len += bytes_field_len(issuer.len());
        }
        len += 3 * 2; // algorithm, digits and type: a one-byte tag and a one-byte value each
        if let Some(counter) = self.counter() {
            len += 1 + varint_len(counter);
        }
        len
    }

    /// The whole field 1 of the payload.
    fn field_len(&self) -> usize {
        bytes_field_len(self.body_len())
    }

    fn counter(&self) -> Option<u64> {
        let params = &self.account.params;
        (params.kind == Kind::Hotp && params.counter != 0).then_some(params.counter)
    }

    fn write_field(&self, out: &mut Vec<u8>) {
        let params = &self.account.params;
        write_key(out, 1, 2);
        write_varint(out, self.body_len() as u64);
        write_bytes_field(out, 1, self.account.secret.as_bytes());
        write_bytes_field(out, 2, self.name.as_bytes());
        if let Some(issuer) = self.issuer {
            write_bytes_field(out, 3, issuer.as_bytes());
        }
        let algorithm = match params.algorithm {
            Algorithm::Sha1 => 1,
            Algorithm::Sha256 => 2,
            Algorithm::Sha512 => 3,
        };
        write_varint_field(out, 4, algorithm);
        // 7 digits has no value: unspecified, which reads as 6 (see `export_limit`).
        write_varint_field(out, 5, if params.digits == 8 { 2 } else { 1 });
        write_varint_field(out, 6, if params.kind == Kind::Hotp { 1 } else { 2 });
        if let Some(counter) = self.counter() {
            write_varint_field(out, 7, counter);
        }
    }
}

#[cfg(test)]
mod tests {
    use rand::{Rng, SeedableRng, rngs::StdRng};

    use super::*;

    /// The classic 80-bit example key, `JBSWY3DPEHPK3PXP` in base32.
    const KEY80: &[u8] = b"Hello!\xDE\xAD\xBE\xEF";

    const TOTP: Params = Params {
        kind: Kind::Totp,
        algorithm: Algorithm::Sha1,
        digits: 6,
        period: 30,
        counter: 0,
    };

    fn account(issuer: Option<&str>, label: &str, secret: &[u8], params: Params) -> OtpUri {
        OtpUri {
            issuer: issuer.map(str::to_owned),
            label: label.to_owned(),
            secret: Secret::from_bytes(secret.to_vec()),
            params,
        }
    }

    /// A 20-byte secret that differs per `n`.
    fn secret(n: usize) -> Vec<u8> {
        (0..20).map(|i| (n * 31 + i * 7) as u8).collect()
    }

    /// The protobuf bytes inside an encoded link.
    fn payload_of(uri: &str) -> Vec<u8> {
        let data = uri
            .strip_prefix("otpauth-migration://offline?data=")
            .unwrap_or_default()
            .replace("%2B", "+")
            .replace("%2F", "/")
            .replace("%3D", "=");
        BASE64.decode(data.as_bytes()).unwrap_or_default()
    }

    /// A link holding `payload` as Google Authenticator writes it.
    fn link(payload: &[u8]) -> String {
        let data = BASE64
            .encode(payload)
            .replace('+', "%2B")
            .replace('/', "%2F")
            .replace('=', "%3D");
        format!("otpauth-migration://offline?data={data}")
    }

    /// One length-delimited field with a one-byte length.
    fn bytes_field(number: u8, bytes: &[u8]) -> Vec<u8> {
        assert!(bytes.len() < 128, "test helper: short fields only");
        [&[(number << 3) | 2, bytes.len() as u8][..], bytes].concat()
    }

    /// An entry with the given body, as field 1 of a payload.
    fn entry_field(body: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        write_bytes_field(&mut out, 1, body);
        out
    }

    /// A usable entry body: 20-byte secret, name, SHA1, 6 digits, TOTP.
    fn good_body(name: &str) -> Vec<u8> {
        [
            bytes_field(1, &secret(0)),
            bytes_field(2, name.as_bytes()),
            vec![0x20, 1, 0x28, 1, 0x30, 2],
        ]
        .concat()
    }

    #[test]
    fn hand_built_payload_reads_field_by_field() {
        let payload: Vec<u8> = [
            &[0x0a, 0x29][..],         // field 1 (otp_parameters), wire type 2, 41 bytes:
            &[0x0a, 0x0a],             //   field 1 (secret), wire type 2, 10 bytes:
            b"Hello!\xDE\xAD\xBE\xEF", //   the secret (JBSWY3DPEHPK3PXP)
            &[0x12, 0x0a],             //   field 2 (name), wire type 2, 10 bytes:
            b"GitHub:ada",             //   issuer prefix and account name
            &[0x1a, 0x06],             //   field 3 (issuer), wire type 2, 6 bytes:
            b"GitHub",                 //
            &[0x20, 0x02],             //   field 4 (algorithm), varint 2 = SHA256
            &[0x28, 0x02],             //   field 5 (digits), varint 2 = EIGHT
            &[0x30, 0x01],             //   field 6 (type), varint 1 = HOTP
            &[0x38, 0xac, 0x02],       // field 7 (counter), varint 300 = 0b10_0101100 → ac 02
            &[0x10, 0x01],             // field 2 (version), varint 1
            &[0x18, 0x03],             // field 3 (batch_size), varint 3
            &[0x20, 0x01],             // field 4 (batch_index), varint 1
            &[0x28], // field 5 (batch_id), varint -1 (int32 sign-extended to 10 bytes):
            &[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01],
        ]
        .concat();
        assert_eq!(payload.len(), 2 + 41 + 2 + 2 + 2 + 11);
        let want = Batch {
            accounts: vec![account(
                Some("GitHub"),
                "ada",
                KEY80,
                Params {
                    kind: Kind::Hotp,
                    algorithm: Algorithm::Sha256,
                    digits: 8,
                    counter: 300,
                    ..TOTP
                },
            )],
            skipped: vec![],
            batch_size: 3,
            batch_index: 1,
            batch_id: -1,
        };
        assert_eq!(parse_payload_bytes(&payload), Ok(want.clone()));
        assert_eq!(parse(&link(&payload)), Ok(want));
    }

    #[test]
    fn encode_writes_hand_checked_bytes() {
        let github = account(Some("GitHub"), "ada", KEY80, TOTP);
        let uri = encode(&[github], 1, 0, 7);
        let want: Vec<u8> = [
            &[0x0a, 0x1f][..], // field 1 (otp_parameters), 31 bytes:
            &[0x0a, 0x0a],     //   field 1 (secret), 10 bytes
            KEY80,             //
            &[0x12, 0x03],     //   field 2 (name), 3 bytes: no prefix needed
            b"ada",            //
            &[0x1a, 0x06],     //   field 3 (issuer), 6 bytes
            b"GitHub",         //
            &[0x20, 0x01],     //   algorithm SHA1
            &[0x28, 0x01],     //   digits SIX
            &[0x30, 0x02],     //   type TOTP (no counter for TOTP)
            &[0x10, 0x01],     // version 1
            &[0x18, 0x01],     // batch_size 1
            &[0x20, 0x00],     // batch_index 0
            &[0x28, 0x07],     // batch_id 7
        ]
        .concat();
        assert_eq!(payload_of(&uri), want);
        // Padded base64, with '+', '/' and '=' percent-encoded as Google Authenticator does.
        let data = uri.strip_prefix("otpauth-migration://offline?data=");
        assert!(
            data.is_some_and(|d| !d.contains(['+', '/', '='])),
            "{}",
            uri.as_str()
        );
        assert_eq!(uri.as_str(), link(&want));
    }

    #[test]
    fn known_vectors_from_real_exports() {
        // The widely used example: one entry whose name carries the issuer prefix; no batch fields.
        let batch = parse(
            "otpauth-migration://offline?data=CjEKCkhlbGxvId6tvu8SGEV4YW1wbGU6YWxpY2VAZ29vZ2xlLmNvbRoHRXhhbXBsZTAC",
        );
        assert_eq!(
            batch,
            Ok(Batch {
                accounts: vec![account(Some("Example"), "alice@google.com", KEY80, TOTP)],
                skipped: vec![],
                batch_size: 1,
                batch_index: 0,
                batch_id: 0,
            })
        );
        // Percent-encoded '+' and '=', a raw '/': as copied from a real export QR.
        let discord = parse(
            "otpauth-migration://offline?data=CjYKEExyJfPiZeroMa/MdF%2BnkTISE2pvaG5kb2VAZXhhbXBsZS5jb20aB0Rpc2NvcmQgASgBMAIQARgBIAA%3D",
        );
        let discord_key = data_encoding::BASE32_NOPAD
            .decode(b"JRZCL47CMXVOQMNPZR2F7J4RGI")
            .unwrap_or_default();
        assert_eq!(
            discord.map(|b| (b.accounts, b.skipped, b.batch_size)),
            Ok((
                vec![account(
                    Some("Discord"),
                    "johndoe@example.com",
                    &discord_key,
                    TOTP
                )],
                vec![],
                1
            ))
        );
        // Version 2 exports read the same.
        let amazon = parse(
            "otpauth-migration://offline?data=CjQKFKuOm4V945mpzWoDXUoJMyfferkVEg5qZG9lQGdtYWlsLmNvbRoGQW1hem9uIAEoATACEAIYASAA",
        );
        assert_eq!(
            amazon.map(|b| {
                let a = &b.accounts[0];
                (
                    a.issuer.clone(),
                    a.label.clone(),
                    a.secret.to_base32().to_string(),
                )
            }),
            Ok((
                Some("Amazon".to_owned()),
                "jdoe@gmail.com".to_owned(),
                "VOHJXBL54OM2TTLKANOUUCJTE7PXVOIV".to_owned()
            ))
        );
    }

    #[test]
    fn round_trips_one_account_of_each_kind() {
        let cases = [
            account(Some("GitHub"), "ada", &secret(1), TOTP),
            account(None, "no issuer", &secret(2), TOTP),
            account(Some("Only issuer"), "", &secret(3), TOTP),
            account(None, "", &secret(4), TOTP),
            account(
                Some("Bank"),
                "hotp",
                &secret(5),
                Params {
                    kind: Kind::Hotp,
                    counter: 42,
                    ..TOTP
                },
            ),
            account(
                Some("Bank"),
                "hotp max",
                &secret(6),
                Params {
                    kind: Kind::Hotp,
                    counter: u64::MAX,
                    ..TOTP
                },
            ),
            account(
                Some("Vault"),
                "sha512",
                &[9u8; 64],
                Params {
                    algorithm: Algorithm::Sha512,
                    digits: 8,
                    ..TOTP
                },
            ),
            account(
                Some("Cloud"),
                "sha256",
                &secret(7),
                Params {
                    algorithm: Algorithm::Sha256,
                    ..TOTP
                },
            ),
            account(
                Some("Café ☕ 東京"),
                "ユーザー@例え.jp 😀",
                &secret(8),
                TOTP,
            ),
            account(Some("Shop: Main"), "a:b:c", &secret(9), TOTP),
            account(None, "a:b", &secret(10), TOTP),
            account(Some("LPSE Kota Bandung"), "penyedia123", KEY80, TOTP),
        ];
        for original in cases {
            let uri = encode(std::slice::from_ref(&original), 1, 0, 1);
            let batch = parse(&uri);
            assert_eq!(
                batch.as_ref().map(|b| (&b.accounts, b.skipped.len())),
                Ok((&vec![original.clone()], 0)),
                "{original:?}"
            );
            assert_eq!(export_limit(&original), None, "{original:?}");
            // What the store does with an account: write it as otpauth:// and read it back.
            assert_eq!(OtpUri::parse(&original.to_uri()), Ok(original));
        }
    }

    #[test]
    fn whitespace_issuer_is_left_out() {
        let blank = account(Some("  "), "alice", &secret(1), TOTP);
        let parsed = parse(&encode(&[blank], 1, 0, 1));
        assert_eq!(
            parsed.map(|b| b.accounts[0].issuer.clone()),
            Ok(None::<String>)
        );
    }

    #[test]
    fn zero_accounts_is_an_error() {
        assert_eq!(
            parse(&encode(&[], 1, 0, 5)),
            Err(MigrationError::NoAccounts)
        );
        assert!(encode_batches(&[], 10).is_empty());
        // Only batch fields, or nothing at all.
        assert_eq!(
            parse_payload_bytes(&[0x10, 0x01, 0x18, 0x01]),
            Err(MigrationError::NoAccounts)
        );
        assert_eq!(parse_payload_bytes(&[]), Err(MigrationError::NoAccounts));
    }

    fn many(count: usize) -> Vec<OtpUri> {
        (0..count)
            .map(|n| {
                let params = if n % 3 == 0 {
                    Params {
                        kind: Kind::Hotp,
                        counter: n as u64,
                        ..TOTP
                    }
                } else {
                    TOTP
                };
                account(
                    Some(&format!("Service {n}")),
                    &format!("user{n}@example.com"),
                    &secret(n),
                    params,
                )
            })
            .collect()
    }

    #[test]
    fn five_hundred_accounts_in_one_payload_and_split() {
        let accounts = many(500);
        let one = parse(&encode(&accounts, 1, 0, 9));
        assert_eq!(one.as_ref().map(|b| &b.accounts), Ok(&accounts));

        let links = encode_batches(&accounts, ACCOUNTS_PER_QR);
        assert_eq!(links.len(), 50);
        let mut read = Vec::new();
        let mut ids = Vec::new();
        for (index, link) in links.iter().enumerate() {
            let Ok(batch) = parse(link) else {
                panic!("batch {index} does not parse");
            };
            assert_eq!((batch.batch_size, batch.batch_index), (50, index as u32));
            assert!(batch.batch_id >= 0);
            assert!(batch.skipped.is_empty());
            ids.push(batch.batch_id);
            read.extend(batch.accounts);
        }
        ids.dedup();
        assert_eq!(ids.len(), 1, "one batch id for the whole export");
        assert_eq!(read, accounts);

        // Uneven split; per_qr 0 is taken as 1.
        let links = encode_batches(&accounts[..25], 10);
        let sizes: Vec<usize> = links
            .iter()
            .map(|l| parse(l).map_or(0, |b| b.accounts.len()))
            .collect();
        assert_eq!(sizes, [10, 10, 5]);
        assert_eq!(encode_batches(&accounts[..3], 0).len(), 3);
    }

    #[test]
    fn more_than_a_thousand_accounts_is_refused() {
        let accounts = many(MAX_ACCOUNTS + 1);
        assert_eq!(
            parse(&encode(&accounts[..MAX_ACCOUNTS], 1, 0, 1)).map(|b| b.accounts.len()),
            Ok(MAX_ACCOUNTS)
        );
        assert_eq!(
            parse(&encode(&accounts, 1, 0, 1)),
            Err(MigrationError::TooManyAccounts {
                limit: MAX_ACCOUNTS
            })
        );
    }

    #[test]
    fn defaults_and_issuer_from_the_name() {
        let payload = [
            // Nothing but a secret and a name: SHA1, 6 digits, TOTP, 30 s.
            entry_field(&[bytes_field(1, KEY80), bytes_field(2, b"Example:alice")].concat()),
            // The issuer field wins, the name's prefix is still cut.
            entry_field(
                &[
                    bytes_field(1, KEY80),
                    bytes_field(2, b"Old name: bob "),
                    bytes_field(3, b" New "),
                ]
                .concat(),
            ),
            // TOTP ignores a counter; an empty prefix is no issuer.
            entry_field(
                &[
                    bytes_field(1, KEY80),
                    bytes_field(2, b":carol:x"),
                    vec![0x30, 0x02, 0x38, 0x05],
                ]
                .concat(),
            ),
        ]
        .concat();
        let batch = parse_payload_bytes(&payload);
        assert_eq!(
            batch.map(|b| b.accounts),
            Ok(vec![
                account(Some("Example"), "alice", KEY80, TOTP),
                account(Some("New"), "bob", KEY80, TOTP),
                account(None, "carol:x", KEY80, TOTP),
            ])
        );
    }

    #[test]
    fn unusable_entries_are_skipped_with_a_reason_and_never_block_the_rest() {
        let md5 = [good_body("GitHub:octocat"), vec![0x20, 4]].concat();
        let no_secret = [bytes_field(2, b"Empty"), vec![0x30, 2]].concat();
        let short = [bytes_field(1, b"123456789"), bytes_field(2, b"Short")].concat();
        let digits = [good_body("Digits"), vec![0x28, 3]].concat();
        let algorithm = [good_body("Algo"), vec![0x20, 9]].concat();
        let kind = [good_body("Kind"), vec![0x30, 7]].concat();
        let bad_utf8 = [bytes_field(1, &secret(0)), bytes_field(2, b"Caf\xC3\x28")].concat();
        let bad_issuer = [good_body("alice"), bytes_field(3, b"\xFF")].concat();
        // Damaged inside: the name's length runs past the end of the entry.
        let damaged = [bytes_field(1, &secret(0)), vec![0x12, 0x7f, b'x']].concat();
        // A known field with the wrong wire type (the secret as a varint).
        let wrong_type = [good_body("Wrong"), vec![0x08, 0x01]].concat();
        let payload = [
            entry_field(&good_body("first")),
            entry_field(&md5),
            entry_field(&no_secret),
            entry_field(&short),
            entry_field(&digits),
            entry_field(&algorithm),
            entry_field(&kind),
            entry_field(&bad_utf8),
            entry_field(&bad_issuer),
            entry_field(&damaged),
            entry_field(&wrong_type),
            entry_field(&good_body("Last:one")),
        ]
        .concat();
        let Ok(batch) = parse(&link(&payload)) else {
            panic!("the payload as a whole is fine");
        };
        let labels: Vec<&str> = batch.accounts.iter().map(|a| a.label.as_str()).collect();
        assert_eq!(labels, ["first", "one"]);
        let want = [
            "entry 2 (GitHub: octocat): MD5 is not supported",
            "entry 3 (Empty): it has no secret",
            "entry 4 (Short): its secret is only 72 bits long; at least 80 bits are needed",
            "entry 5 (Digits): unknown digit count number 3",
            "entry 6 (Algo): unknown algorithm number 9",
            "entry 7 (Kind): unknown code type number 7",
            "entry 8: its name is not valid UTF-8 text",
            "entry 9 (alice): its issuer is not valid UTF-8 text",
            "entry 10: the entry is damaged (the field at byte",
            "entry 11 (Wrong): the entry is damaged (field 1 of an account at byte",
        ];
        assert_eq!(batch.skipped.len(), want.len(), "{:#?}", batch.skipped);
        for (got, want) in batch.skipped.iter().zip(want) {
            let got = got.to_string();
            assert!(
                got.starts_with(want),
                "{got:?} does not start with {want:?}"
            );
        }
        // Every entry unusable: Ok with no accounts, and the reasons.
        let all_bad = parse_payload_bytes(&entry_field(&md5));
        assert_eq!(
            all_bad.map(|b| (b.accounts.len(), b.skipped.len())),
            Ok((0, 1))
        );
    }

    #[test]
    fn unknown_fields_of_every_wire_type_are_skipped() {
        let unknown: Vec<u8> = [
            &[0x48, 0x96, 0x01][..],               // field 9, varint 150
            &[0x51, 1, 2, 3, 4, 5, 6, 7, 8],       // field 10, fixed64
            &[0x5a, 0x02, 0xff, 0xfe],             // field 11, 2 bytes
            &[0x65, 1, 2, 3, 4],                   // field 12, fixed32
            &[0x6b, 0x70, 0x01, 0x7b, 0x7c, 0x6c], // field 13 group { 14: 1, group 15 {} }
            &[0x80, 0x01, 0x01],                   // field 16 (two-byte key), varint 1
        ]
        .concat();
        let body = [unknown.clone(), good_body("Svc:alice"), unknown.clone()].concat();
        let payload = [unknown.clone(), entry_field(&body), unknown].concat();
        let batch = parse_payload_bytes(&payload);
        assert_eq!(
            batch.map(|b| (b.accounts, b.skipped)),
            Ok((
                vec![account(Some("Svc"), "alice", &secret(0), TOTP)],
                vec![]
            ))
        );
    }

    #[test]
    fn damaged_payloads_are_errors_naming_what_is_wrong() {
        use ProtobufError as P;
        let entry = entry_field(&good_body("x"));
        let cases: Vec<(Vec<u8>, ProtobufError)> = vec![
            (vec![0x0a], P::TruncatedVarint { offset: 1 }),
            (vec![0x08, 0x80], P::TruncatedVarint { offset: 1 }),
            (
                vec![0x08; 1].into_iter().chain([0xff; 11]).collect(),
                P::VarintTooLong { offset: 1 },
            ),
            (
                [&[0x08][..], &[0xff; 9], &[0x02]].concat(),
                P::VarintTooLong { offset: 1 },
            ),
            (
                vec![0x0a, 0x05, 1, 2],
                P::LengthPastEnd {
                    offset: 0,
                    length: 5,
                    available: 2,
                },
            ),
            // Huge lengths: 2^32-1 and 2^64-1.
            (
                vec![0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 1],
                P::LengthPastEnd {
                    offset: 0,
                    length: u64::from(u32::MAX),
                    available: 1,
                },
            ),
            (
                [&[0x0a][..], &[0xff; 9], &[0x01]].concat(),
                P::LengthPastEnd {
                    offset: 0,
                    length: u64::MAX,
                    available: 0,
                },
            ),
            (
                vec![0x09, 1, 2, 3],
                P::LengthPastEnd {
                    offset: 0,
                    length: 8,
                    available: 3,
                },
            ),
            (
                vec![0x0d, 1],
                P::LengthPastEnd {
                    offset: 0,
                    length: 4,
                    available: 1,
                },
            ),
            (
                vec![0x0e, 1],
                P::InvalidWireType {
                    offset: 0,
                    wire_type: 6,
                },
            ),
            (
                vec![0x0f, 1],
                P::InvalidWireType {
                    offset: 0,
                    wire_type: 7,
                },
            ),
            (vec![0x00, 1], P::InvalidFieldNumber { offset: 0 }),
            (vec![0x02, 0], P::InvalidFieldNumber { offset: 0 }),
            (
                [&[0x80][..], &[0xff; 4], &[0x7f]].concat(),
                P::InvalidFieldNumber { offset: 0 },
            ),
            (
                vec![0x08, 0x01],
                P::WrongWireType {
                    offset: 0,
                    field: 1,
                    message: "the export",
                    found: 0,
                    expected: 2,
                },
            ),
            (
                [entry.clone(), vec![0x1a, 0x01, 0x03]].concat(),
                P::WrongWireType {
                    offset: entry.len(),
                    field: 3,
                    message: "the export",
                    found: 2,
                    expected: 0,
                },
            ),
            (
                [entry.clone(), vec![0x0b, 0x0c]].concat(),
                P::WrongWireType {
                    offset: entry.len(),
                    field: 1,
                    message: "the export",
                    found: 3,
                    expected: 2,
                },
            ),
            (vec![0x4c], P::UnmatchedGroup { offset: 0 }),
            (vec![0x4b, 0x48, 0x01], P::UnmatchedGroup { offset: 0 }),
            (vec![0x4b, 0x54], P::UnmatchedGroup { offset: 1 }),
            (
                [
                    vec![0x4b; MAX_GROUP_DEPTH + 1],
                    vec![0x4c; MAX_GROUP_DEPTH + 1],
                ]
                .concat(),
                P::TooDeep {
                    offset: MAX_GROUP_DEPTH,
                },
            ),
        ];
        for (bytes, want) in cases {
            let got = parse_payload_bytes(&bytes);
            assert_eq!(got, Err(MigrationError::Damaged(want)), "{bytes:02x?}");
            // The same through a link.
            assert!(matches!(
                parse(&link(&bytes)),
                Err(MigrationError::Damaged(_))
            ));
        }
        // Groups nested just under the limit are skipped fine.
        let deep = [
            vec![0x4b; MAX_GROUP_DEPTH],
            vec![0x4c; MAX_GROUP_DEPTH],
            entry.clone(),
        ]
        .concat();
        assert_eq!(parse_payload_bytes(&deep).map(|b| b.accounts.len()), Ok(1));
    }

    #[test]
    fn impossible_batch_numbers_are_refused() {
        let entry = entry_field(&good_body("x"));
        let with = |extra: &[u8]| parse_payload_bytes(&[&entry[..], extra].concat());
        // Index 1 of an export that does not say its size (so 1).
        assert_eq!(
            with(&[0x20, 0x01]),
            Err(MigrationError::BadBatchNumbers { index: 1, size: 0 })
        );
        assert_eq!(
            with(&[0x18, 0x02, 0x20, 0x02]),
            Err(MigrationError::BadBatchNumbers { index: 2, size: 2 })
        );
        let minus_one = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01];
        assert_eq!(
            with(&[&[0x18][..], &minus_one].concat()),
            Err(MigrationError::BadBatchNumbers { index: 0, size: -1 })
        );
        assert_eq!(
            with(&[&[0x18, 0x02, 0x20][..], &minus_one].concat()),
            Err(MigrationError::BadBatchNumbers { index: -1, size: 2 })
        );
        assert_eq!(
            with(&[0x18, 0xe9, 0x07]),
            Err(MigrationError::BadBatchNumbers {
                index: 0,
                size: 1001
            })
        );
        assert_eq!(
            with(&[0x18, 0xe8, 0x07, 0x20, 0xe7, 0x07]).map(|b| (b.batch_size, b.batch_index)),
            Ok((1000, 999))
        );
    }

    #[test]
    fn lenient_about_how_the_data_is_written() {
        // Secrets of fb ff bf … are "+/+/…" in base64 at one of three alignments; the label's
        // length is picked so the base64 needs padding.
        let stream: Vec<u8> = [0xfb, 0xff, 0xbf].repeat(10);
        let (accounts, encoded) = (0..3)
            .map(|extra| {
                let accounts = vec![
                    account(Some("A"), "one", &stream[..21], TOTP),
                    account(Some("B"), "two", &stream[1..22], TOTP),
                    account(Some("C"), &"x".repeat(1 + extra), &stream[2..23], TOTP),
                ];
                let encoded = encode(&accounts, 1, 0, 3);
                (accounts, encoded)
            })
            .find(|(_, encoded)| encoded.ends_with("%3D"))
            .unwrap_or_default();
        let data = encoded
            .strip_prefix("otpauth-migration://offline?data=")
            .unwrap_or_default()
            .to_owned();
        let plain = data
            .replace("%2B", "+")
            .replace("%2F", "/")
            .replace("%3D", "=");
        assert!(plain.contains('+') && plain.contains('/') && plain.ends_with('='));
        let unpadded = plain.trim_end_matches('=').to_owned();
        let variants = [
            format!("otpauth-migration://offline?data={data}"),
            format!("otpauth-migration://offline?data={plain}"),
            format!("otpauth-migration://offline?data={unpadded}"),
            // '+' turned into spaces by form decoding.
            format!(
                "otpauth-migration://offline?data={}",
                plain.replace('+', " ")
            ),
            // URL-safe base64.
            format!(
                "otpauth-migration://offline?data={}",
                unpadded.replace('+', "-").replace('/', "_")
            ),
            // Lower-case percent escapes, upper-case scheme and parameter name.
            format!(
                "OTPAUTH-MIGRATION://OFFLINE?DATA={}",
                data.replace("%2B", "%2b").replace("%2F", "%2f")
            ),
            // Whitespace, a BOM, other parameters, a fragment, line breaks in the data.
            format!(
                "\u{feff}  otpauth-migration://offline?x=1&data={}&y=2#top \n",
                format_args!("{}\r\n{}", &plain[..10], &plain[10..])
            ),
            format!("otpauth-migration:offline?data={data}"),
        ];
        for text in variants {
            assert_eq!(
                parse(&text).map(|b| b.accounts),
                Ok(accounts.to_vec()),
                "{text:?}"
            );
        }
    }

    #[test]
    fn malformed_links_are_errors_naming_what_is_wrong() {
        use MigrationError as E;
        let cases = [
            ("", E::NotMigration),
            ("hello", E::NotMigration),
            ("otpauth://totp/a?secret=JBSWY3DPEHPK3PXP", E::NotMigration),
            ("https://example.com/?data=CjEK", E::NotMigration),
            ("otpauth-migration://offline", E::NoData),
            ("otpauth-migration://offline?", E::NoData),
            ("otpauth-migration://offline?data=", E::NoData),
            ("otpauth-migration://offline?data", E::NoData),
            ("otpauth-migration://offline?other=CjEK", E::NoData),
            ("otpauth-migration://offline?data====", E::NoData),
            (
                "otpauth-migration://offline?data=CjEK%G1",
                E::BadPercentEncoding { position: 5 },
            ),
            (
                "otpauth-migration://offline?data=CjEK%2",
                E::BadPercentEncoding { position: 5 },
            ),
            (
                "otpauth-migration://offline?data=CjE!",
                E::BadBase64 {
                    found: "!".into(),
                    position: 4,
                },
            ),
            (
                "otpauth-migration://offline?data=CjEé",
                E::BadBase64 {
                    found: "é".into(),
                    position: 4,
                },
            ),
            (
                "otpauth-migration://offline?data=Cj%FFK",
                E::BadBase64 {
                    found: "%FF".into(),
                    position: 3,
                },
            ),
            (
                "otpauth-migration://offline?data=Cj==Cj",
                E::BadBase64 {
                    found: "=".into(),
                    position: 3,
                },
            ),
            (
                "otpauth-migration://offline?data=CjEKC",
                E::BadBase64Length { chars: 5 },
            ),
        ];
        for (text, want) in cases {
            assert_eq!(parse(text), Err(want), "{text:?}");
        }
    }

    #[test]
    fn truncation_at_every_byte_never_gives_half_an_account() {
        let accounts = vec![
            account(Some("GitHub"), "ada", &secret(1), TOTP),
            account(
                Some("Bank"),
                "hotp",
                &secret(2),
                Params {
                    kind: Kind::Hotp,
                    counter: 123_456_789,
                    algorithm: Algorithm::Sha512,
                    digits: 8,
                    ..TOTP
                },
            ),
            account(None, "ユーザー", &secret(3), TOTP),
        ];
        let uri = encode(&accounts, 2, 1, -5);
        let payload = payload_of(&uri);
        let mut errors = 0;
        for cut in 0..payload.len() {
            match parse_payload_bytes(&payload[..cut]) {
                Err(_) => errors += 1,
                Ok(batch) => {
                    // Cut between fields: whole accounts from the start, nothing else.
                    assert!(batch.skipped.is_empty(), "cut {cut}: {:?}", batch.skipped);
                    assert!(!batch.accounts.is_empty());
                    assert_eq!(
                        batch.accounts[..],
                        accounts[..batch.accounts.len()],
                        "cut {cut}"
                    );
                }
            }
        }
        assert!(
            errors > payload.len() * 9 / 10,
            "{errors} of {}",
            payload.len()
        );
        assert_eq!(
            parse_payload_bytes(&payload).map(|b| b.accounts),
            Ok(accounts.clone())
        );

        // The same for the link text, cut at every character.
        for cut in 0..uri.len() {
            if let Ok(batch) = parse(&uri[..cut]) {
                assert!(batch.skipped.is_empty(), "cut {cut}: {:?}", batch.skipped);
                assert_eq!(
                    batch.accounts[..],
                    accounts[..batch.accounts.len()],
                    "cut {cut}"
                );
            }
        }
    }

    #[test]
    fn random_bytes_never_panic() {
        let mut rng = StdRng::seed_from_u64(4226);
        let valid = payload_of(&encode(&many(5), 1, 0, 1));
        for round in 0..20_000 {
            let bytes: Vec<u8> = if round % 2 == 0 {
                let len = rng.random_range(0..64);
                (0..len).map(|_| rng.random()).collect()
            } else {
                // A valid payload with a few bytes changed.
                let mut bytes = valid.clone();
                for _ in 0..rng.random_range(1..4) {
                    let at = rng.random_range(0..bytes.len());
                    bytes[at] = rng.random();
                }
                bytes
            };
            if let Ok(batch) = parse_payload_bytes(&bytes) {
                assert!(batch.accounts.len() + batch.skipped.len() <= MAX_ACCOUNTS);
                assert!(batch.batch_index < batch.batch_size);
                for a in &batch.accounts {
                    assert!(a.secret.as_bytes().len() >= MIN_SECRET_BYTES);
                    assert_eq!(a.params.validate(), Ok(()));
                }
            }
            let _ = parse(&link(&bytes));
        }
    }

    /// A name of up to `max` characters, from letters and characters that need care.
    fn random_name(rng: &mut StdRng, max: usize) -> String {
        const POOL: &[char] = &[
            'a', 'Z', '0', ' ', ':', '+', '%', '/', '?', '&', '=', '#', '@', '.', 'ü', '東', '😀',
            '\t', '"', ';',
        ];
        let len = rng.random_range(0..=max);
        let name: String = (0..len)
            .map(|_| POOL[rng.random_range(0..POOL.len())])
            .collect();
        name.trim().to_owned()
    }

    #[test]
    fn random_accounts_read_back_as_written_and_survive_the_store() {
        let mut rng = StdRng::seed_from_u64(6238);
        let accounts: Vec<OtpUri> = (0..300)
            .map(|_| {
                let issuer =
                    Some(random_name(&mut rng, 12)).filter(|i| !i.is_empty() && rng.random());
                let label = random_name(&mut rng, 20);
                let len = rng.random_range(MIN_SECRET_BYTES..=64);
                let secret: Vec<u8> = (0..len).map(|_| rng.random()).collect();
                let algorithm =
                    [Algorithm::Sha1, Algorithm::Sha256, Algorithm::Sha512][rng.random_range(0..3)];
                let digits = if rng.random() { 6 } else { 8 };
                let params = if rng.random() {
                    Params {
                        algorithm,
                        digits,
                        ..TOTP
                    }
                } else {
                    Params {
                        kind: Kind::Hotp,
                        algorithm,
                        digits,
                        counter: rng.random(),
                        ..TOTP
                    }
                };
                account(issuer.as_deref(), &label, &secret, params)
            })
            .collect();
        for link in encode_batches(&accounts, 7) {
            let Ok(batch) = parse(&link) else {
                panic!("an encoded batch does not parse");
            };
            for read in batch.accounts {
                assert!(accounts.contains(&read), "{read:?}");
                assert_eq!(OtpUri::parse(&read.to_uri()).as_ref(), Ok(&read));
            }
        }
        let all = parse(&encode(&accounts, 1, 0, 1)).map(|b| b.accounts);
        assert_eq!(all, Ok(accounts));
    }

    #[test]
    fn export_limit_names_what_the_format_cannot_hold() {
        let with = |params| account(Some("X"), "y", &secret(0), params);
        assert_eq!(export_limit(&with(TOTP)), None);
        let hotp_period = Params {
            kind: Kind::Hotp,
            period: 60,
            ..TOTP
        };
        assert_eq!(export_limit(&with(hotp_period)), None);
        let sixty = with(Params { period: 60, ..TOTP });
        assert_eq!(export_limit(&sixty), Some(ExportLimit::Period(60)));
        let seven = with(Params { digits: 7, ..TOTP });
        assert_eq!(export_limit(&seven), Some(ExportLimit::Digits(7)));
        // Written anyway, they read back with the format's defaults.
        let read = parse(&encode(&[sixty, seven], 1, 0, 1)).map(|b| {
            b.accounts
                .iter()
                .map(|a| (a.params.period, a.params.digits))
                .collect::<Vec<_>>()
        });
        assert_eq!(read, Ok(vec![(30, 6), (30, 6)]));
    }

    #[test]
    fn messages_never_contain_the_secret() {
        let key = [0x5au8; 20];
        let base32 = Secret::from_bytes(key.to_vec()).to_base32().to_string();
        let base64 = BASE64.encode(&key);
        let md5 = [
            bytes_field(1, &key),
            bytes_field(2, b"GitHub:octocat"),
            vec![0x20, 4],
        ]
        .concat();
        let damaged = [bytes_field(1, &key), vec![0x12, 0x7f]].concat();
        let payload = [entry_field(&md5), entry_field(&damaged)].concat();
        let batch = parse(&link(&payload));
        let mut shown: Vec<String> = batch
            .map(|b| b.skipped.iter().map(ToString::to_string).collect())
            .unwrap_or_default();
        assert_eq!(shown.len(), 2);
        let truncated = link(&payload[..payload.len() - 3]);
        shown.push(format!("{:?}", parse(&truncated)));
        shown.push(parse(&truncated).map(|_| ()).unwrap_err().to_string());
        let good = encode(&[account(None, "a", &key, TOTP)], 1, 0, 1);
        shown.push(format!("{:?}", parse(&good)));
        for text in shown {
            assert!(!text.contains(&base32[..8]), "{text}");
            assert!(!text.contains(&base64[..8]), "{text}");
        }
    }
}
