/*!
What the text of a QR code means for Kunci: one account (`otpauth://totp|hotp/…`), a Google
Authenticator export (`otpauth-migration://offline?data=…`, see [`crate::otp::migration`]), or
something else, named so the user learns what they scanned ("this QR is a web address …").

[`classify`] is pure and linear in the text; it copes with surrounding whitespace, byte-order
marks and NUL padding, schemes in any case and texts of a few kilobytes (the most a QR holds).
[`BatchCollector`] puts together an export that Google Authenticator split over several QR codes.
*/

use std::fmt;

use crate::otp::migration::{self, Batch, MigrationError};
use crate::otp::{OtpError, OtpUri};

/// What a QR code's text holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Payload {
    /// One account, for the Add dialog to show for review.
    Account(OtpUri),
    /// (Part of) a Google Authenticator export: accounts to pick from.
    Migration(Batch),
    /// Something that is not for an authenticator; its `Display` says what.
    NotAnAccount(NotAnAccount),
}

/// What a QR code holds when it is not for an authenticator. `Display` is a sentence for the
/// user, such as "this QR is a web address (https://example.com), not an authenticator code".
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum NotAnAccount {
    /// No text at all (or only whitespace).
    Empty,
    /// An `http(s)://` or `www.` address, cut to [`SHOWN_CHARS`] characters.
    WebAddress(String),
    /// Wi-Fi settings (`WIFI:…`); the password is not repeated.
    WiFi,
    /// An e-mail address or message (`mailto:`, `MATMSG:`, `name@example.com`).
    Email,
    /// A telephone number (`tel:`).
    Phone,
    /// A text message to send (`sms:`, `SMSTO:`, `mms:`).
    TextMessage,
    /// A contact card (`BEGIN:VCARD`, `MECARD:`).
    Contact,
    /// A calendar event (`BEGIN:VEVENT`, `BEGIN:VCALENDAR`).
    CalendarEvent,
    /// A place on a map (`geo:`).
    Location,
    /// A bare base32 setup key without the account it belongs to; not repeated (it is secret).
    SetupKey,
    /// A link of another kind (`scheme://…`), with its scheme in lower case.
    OtherLink(String),
    /// Other text: its first [`SHOWN_CHARS`] characters, control characters made spaces.
    Text(String),
}

/// How many characters of an address or a text a message repeats.
pub const SHOWN_CHARS: usize = 40;

impl fmt::Display for NotAnAccount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const NOT: &str = "not an authenticator code";
        match self {
            NotAnAccount::Empty => write!(f, "this QR is empty, {NOT}"),
            NotAnAccount::WebAddress(url) => write!(f, "this QR is a web address ({url}), {NOT}"),
            NotAnAccount::WiFi => write!(f, "this QR holds Wi-Fi settings, {NOT}"),
            NotAnAccount::Email => write!(f, "this QR is an e-mail address, {NOT}"),
            NotAnAccount::Phone => write!(f, "this QR is a telephone number, {NOT}"),
            NotAnAccount::TextMessage => write!(f, "this QR is a text message (SMS), {NOT}"),
            NotAnAccount::Contact => write!(f, "this QR is a contact card, {NOT}"),
            NotAnAccount::CalendarEvent => write!(f, "this QR is a calendar event, {NOT}"),
            NotAnAccount::Location => write!(f, "this QR is a place on a map, {NOT}"),
            NotAnAccount::SetupKey => write!(
                f,
                "this QR holds only a setup key, without the account it is for; \
                 add the account by hand and type the key"
            ),
            NotAnAccount::OtherLink(scheme) => write!(f, "this QR is a '{scheme}:' link, {NOT}"),
            NotAnAccount::Text(text) => write!(f, "this QR holds text (\"{text}\"), {NOT}"),
        }
    }
}

/// An authenticator QR code whose text cannot be used. Nothing from it is used.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum PayloadError {
    /// An `otpauth://` link that does not parse.
    #[error("the authenticator link in this QR cannot be used: {0}")]
    Account(#[from] OtpError),
    /// An `otpauth-migration://` link that does not parse.
    #[error("the Google Authenticator export in this QR cannot be read: {0}")]
    Migration(#[from] MigrationError),
}

/// Says what a QR code's text holds.
///
/// `otpauth://` text that does not parse is an error naming what is wrong, and so is a
/// damaged `otpauth-migration://` link; any other text is `Ok(NotAnAccount)`.
pub fn classify(text: &str) -> Result<Payload, PayloadError> {
    let text = text.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}' || c == '\0');
    let not = |what| Ok(Payload::NotAnAccount(what));
    if text.is_empty() {
        return not(NotAnAccount::Empty);
    }
    // Schemes are compared in lower case; no scheme we know is longer than this.
    let head: String = text
        .chars()
        .take(20)
        .collect::<String>()
        .to_ascii_lowercase();
    let starts = |prefixes: &[&str]| prefixes.iter().any(|p| head.starts_with(p));

    if starts(&["otpauth-migration:"]) {
        return Ok(Payload::Migration(migration::parse(text)?));
    }
    if starts(&["otpauth:"]) {
        return Ok(Payload::Account(OtpUri::parse(text)?));
    }
    if starts(&["http://", "https://", "www."]) {
        return not(NotAnAccount::WebAddress(shown(text)));
    }
    let what = if starts(&["wifi:"]) {
        NotAnAccount::WiFi
    } else if starts(&["mailto:", "matmsg:", "smtp:"]) || is_email_address(text) {
        NotAnAccount::Email
    } else if starts(&["tel:"]) {
        NotAnAccount::Phone
    } else if starts(&["sms:", "smsto:", "mms:", "mmsto:"]) {
        NotAnAccount::TextMessage
    } else if starts(&["begin:vcard", "mecard:"]) {
        NotAnAccount::Contact
    } else if starts(&["begin:vevent", "begin:vcalendar"]) {
        NotAnAccount::CalendarEvent
    } else if starts(&["geo:"]) {
        NotAnAccount::Location
    } else if is_setup_key(text) {
        NotAnAccount::SetupKey
    } else if let Some(scheme) = link_scheme(text) {
        NotAnAccount::OtherLink(scheme)
    } else {
        NotAnAccount::Text(shown(text))
    };
    not(what)
}

/// The first [`SHOWN_CHARS`] characters, control characters made spaces, `…` when cut.
fn shown(text: &str) -> String {
    let mut short: String = text
        .chars()
        .take(SHOWN_CHARS)
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if text.chars().nth(SHOWN_CHARS).is_some() {
        short.push('…');
    }
    short
}

/// One word with an `@` inside and a dot after it: `name@example.com`.
fn is_email_address(text: &str) -> bool {
    !text.contains(char::is_whitespace)
        && text
            .split_once('@')
            .is_some_and(|(user, domain)| !user.is_empty() && domain.contains('.'))
}

/// Base32 in upper case, at least 16 letters (80 bits), nothing else: what a QR that holds only
/// a setup key holds. Sentences and lower-case words never match.
fn is_setup_key(text: &str) -> bool {
    let letters = text.trim_end_matches('=');
    letters.len() >= 16
        && letters
            .bytes()
            .all(|b| b.is_ascii_uppercase() || (b'2'..=b'7').contains(&b))
        && crate::otp::parse_setup_key(text).is_ok()
}

/// The scheme of a `scheme://…` link, in lower case and cut to fit a message.
fn link_scheme(text: &str) -> Option<String> {
    let (scheme, _) = text.split_once("://")?;
    let mut chars = scheme.chars();
    let is_scheme = chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    is_scheme.then(|| {
        let mut scheme = scheme.to_ascii_lowercase();
        if scheme.len() > 24 {
            scheme.truncate(24);
            scheme.push('…');
        }
        scheme
    })
}

/// Puts together a Google Authenticator export that was split over several QR codes, whatever
/// order they are scanned in. Pure: it only keeps what it is given.
///
/// The first batch fixes the export (its `batch_id` and `batch_size`). A batch already held
/// (same index) is ignored, so a webcam that sees the same code many times is fine. A batch of
/// **another export is refused**, keeping what was collected: a stray code (an old export on
/// paper, a second phone) must not throw away the codes already read. To start a new export,
/// call [`BatchCollector::clear`] (for example when the user says "start over", or after
/// [`BatchCollector::finish`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BatchCollector {
    /// One slot per QR code of the export; empty before the first batch.
    parts: Vec<Option<Batch>>,
    batch_id: i32,
}

/// What [`BatchCollector::add`] did with a batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Collected {
    /// A batch not held before.
    Added,
    /// A batch with an index already held; ignored.
    Duplicate,
}

/// A batch that does not belong with those collected; the collection is unchanged.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum CollectError {
    /// A batch of another export (another `batch_id`).
    #[error(
        "this QR code is from another Google Authenticator export; \
         {received} of the {expected} codes of the first one have been read"
    )]
    OtherExport {
        /// Codes of the first export read so far.
        received: usize,
        /// Codes the first export has.
        expected: u32,
    },
    /// `batch_index`/`batch_size` that cannot be (index not below size, size above
    /// [`migration::MAX_BATCH_SIZE`]); [`migration::parse`] never gives such a batch.
    #[error("this QR code says it is code {index} (counting from 0) of {size}, which cannot be")]
    BadBatchNumbers {
        /// The batch's index.
        index: u32,
        /// The batch's size.
        size: u32,
    },
    /// The same `batch_id` but another `batch_size`.
    #[error(
        "this QR code says its export has {found} codes, but the codes read before say {expected}"
    )]
    SizeMismatch {
        /// The size the collected batches have.
        expected: u32,
        /// The size this batch has.
        found: u32,
    },
}

impl BatchCollector {
    /// An empty collector.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a batch; see the type's documentation for duplicates and other exports.
    pub fn add(&mut self, batch: Batch) -> Result<Collected, CollectError> {
        let size = batch.batch_size.max(1);
        if size > migration::MAX_BATCH_SIZE || batch.batch_index >= size {
            return Err(CollectError::BadBatchNumbers {
                index: batch.batch_index,
                size: batch.batch_size,
            });
        }
        if self.parts.is_empty() {
            self.batch_id = batch.batch_id;
            self.parts = vec![None; size as usize];
        } else if batch.batch_id != self.batch_id {
            return Err(CollectError::OtherExport {
                received: self.received(),
                expected: self.parts.len() as u32,
            });
        } else if size as usize != self.parts.len() {
            return Err(CollectError::SizeMismatch {
                expected: self.parts.len() as u32,
                found: size,
            });
        }
        match self.parts.get_mut(batch.batch_index as usize) {
            Some(slot @ None) => {
                *slot = Some(batch);
                Ok(Collected::Added)
            }
            // Checked above: the index is below the size, which is the number of slots.
            Some(Some(_)) | None => Ok(Collected::Duplicate),
        }
    }

    /// True before the first batch.
    pub fn is_empty(&self) -> bool {
        self.parts.is_empty()
    }

    /// How many QR codes the export has, once a batch has been added.
    pub fn expected(&self) -> Option<u32> {
        (!self.parts.is_empty()).then_some(self.parts.len() as u32)
    }

    /// The export's `batch_id`, once a batch has been added.
    pub fn batch_id(&self) -> Option<i32> {
        (!self.parts.is_empty()).then_some(self.batch_id)
    }

    /// How many different QR codes of the export have been added.
    pub fn received(&self) -> usize {
        self.parts.iter().filter(|p| p.is_some()).count()
    }

    /// The `batch_index` (from 0) of every QR code still missing, in order; empty before the
    /// first batch and when complete. Show them to people as `index + 1`.
    pub fn missing(&self) -> Vec<u32> {
        (0u32..)
            .zip(&self.parts)
            .filter(|(_, p)| p.is_none())
            .map(|(i, _)| i)
            .collect()
    }

    /// True when every QR code of the export has been added.
    pub fn is_complete(&self) -> bool {
        !self.parts.is_empty() && self.parts.iter().all(Option::is_some)
    }

    /// A sentence for the scan dialog: "Read 2 of 3 QR codes of the export; still missing: 3."
    pub fn progress(&self) -> String {
        let missing = self.missing();
        match self.expected() {
            None => "No QR code of the export read yet.".to_owned(),
            Some(expected) if missing.is_empty() => {
                format!("Read all {expected} QR codes of the export.")
            }
            Some(expected) => {
                let list: Vec<String> = missing.iter().map(|i| (i + 1).to_string()).collect();
                format!(
                    "Read {} of {expected} QR codes of the export; still missing: {}.",
                    self.received(),
                    list.join(", ")
                )
            }
        }
    }

    /// The whole export as one batch once complete (accounts in QR code order; skip reasons
    /// prefixed with "QR code N of M: " when there are several; `batch_size` 1, `batch_index`
    /// 0, the export's `batch_id`); `None` while codes are missing.
    pub fn finish(&self) -> Option<Batch> {
        let parts: Vec<&Batch> = self
            .parts
            .iter()
            .map(Option::as_ref)
            .collect::<Option<_>>()?;
        if parts.is_empty() {
            return None;
        }
        let count = parts.len();
        let mut whole = Batch {
            accounts: Vec::new(),
            skipped: Vec::new(),
            batch_size: 1,
            batch_index: 0,
            batch_id: self.batch_id,
        };
        for (n, part) in parts.into_iter().enumerate() {
            whole.accounts.extend(part.accounts.iter().cloned());
            whole.skipped.extend(part.skipped.iter().map(|skipped| {
                let mut skipped = skipped.clone();
                if count > 1 {
                    skipped.qr_code = Some((n + 1, count));
                }
                skipped
            }));
        }
        Some(whole)
    }

    /// Forgets everything, to start on another export.
    pub fn clear(&mut self) {
        *self = Self::default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::{EntryName, SkipReason, Skipped};
    use crate::otp::migration::encode_batches;
    use crate::otp::{Params, Secret};

    const KEY: &str = "HXDMVJECJJWSRB3HWIZR4IFUGFTMXBOZ";

    fn account(issuer: &str, label: &str, n: u8) -> OtpUri {
        OtpUri {
            issuer: Some(issuer.to_owned()),
            label: label.to_owned(),
            secret: Secret::from_bytes(vec![n; 20]),
            params: Params::default(),
        }
    }

    /// A short description of a classification, for the table.
    fn kind_of(text: &str) -> String {
        match classify(text) {
            Ok(Payload::Account(uri)) => format!(
                "account {}/{}/{:?}",
                uri.issuer.unwrap_or_default(),
                uri.label,
                uri.params.kind
            ),
            Ok(Payload::Migration(batch)) => format!("migration {}", batch.accounts.len()),
            Ok(Payload::NotAnAccount(what)) => format!("not {what:?}"),
            Err(PayloadError::Account(e)) => format!("bad account: {e:?}"),
            Err(PayloadError::Migration(e)) => format!("bad migration: {e:?}"),
        }
    }

    #[test]
    fn classify_table() {
        let migration = crate::otp::migration::encode(&[account("A", "a", 1)], 1, 0, 1);
        let long_text = "lorem ipsum dolor sit amet ".repeat(120);
        assert!(long_text.len() > 3000);
        let table: Vec<(String, &str)> = vec![
            (
                format!("otpauth://totp/GitHub:octocat?secret={KEY}&issuer=GitHub"),
                "account GitHub/octocat/Totp",
            ),
            (
                format!("otpauth://hotp/Bank:alice?secret={KEY}&counter=3"),
                "account Bank/alice/Hotp",
            ),
            (
                format!("\u{feff} \r\n OTPAUTH://TOTP/Up:CASE?SECRET={KEY}\0\0 \n"),
                "account Up/CASE/Totp",
            ),
            (migration.to_string(), "migration 1"),
            (
                format!(
                    "  {}  ",
                    migration.replace("otpauth-migration", "OTPAUTH-MIGRATION")
                ),
                "migration 1",
            ),
            (
                "https://lpse.bandung.go.id/eproc4".into(),
                r#"not WebAddress("https://lpse.bandung.go.id/eproc4")"#,
            ),
            (
                "HTTP://EXAMPLE.COM".into(),
                r#"not WebAddress("HTTP://EXAMPLE.COM")"#,
            ),
            (
                "www.example.com".into(),
                r#"not WebAddress("www.example.com")"#,
            ),
            ("WIFI:S:Kantor;T:WPA;P:rahasia;;".into(), "not WiFi"),
            ("mailto:help@example.com".into(), "not Email"),
            ("alice@example.com".into(), "not Email"),
            ("tel:+62221234567".into(), "not Phone"),
            ("SMSTO:+62221234567:hello".into(), "not TextMessage"),
            (
                "BEGIN:VCARD\nVERSION:3.0\nFN:Ada Lovelace\nEND:VCARD".into(),
                "not Contact",
            ),
            ("MECARD:N:Ada;;".into(), "not Contact"),
            (
                "BEGIN:VEVENT\nSUMMARY:Rapat\nEND:VEVENT".into(),
                "not CalendarEvent",
            ),
            ("geo:-6.9,107.6".into(), "not Location"),
            (KEY.into(), "not SetupKey"),
            ("JBSWY3DPEHPK3PXP".into(), "not SetupKey"),
            ("market://details?id=x".into(), r#"not OtherLink("market")"#),
            ("Hello, world".into(), r#"not Text("Hello, world")"#),
            (
                "Note: see the sticky note".into(),
                r#"not Text("Note: see the sticky note")"#,
            ),
            ("HELLO".into(), r#"not Text("HELLO")"#),
            ("".into(), "not Empty"),
            (" \t\r\n\u{feff}\0".into(), "not Empty"),
            (
                long_text.clone(),
                r#"not Text("lorem ipsum dolor sit amet lorem ipsum d…")"#,
            ),
            (
                "line one\nline two".into(),
                r#"not Text("line one line two")"#,
            ),
            // Authenticator links that are broken: errors naming what is wrong.
            (
                "otpauth://totp/GitHub:octocat?issuer=GitHub".into(),
                "bad account: MissingSecret",
            ),
            (
                format!("otpauth://steam/Steam:a?secret={KEY}"),
                r#"bad account: UnsupportedType("steam")"#,
            ),
            (
                "otpauth-migration://offline?data=!!!!".into(),
                r#"bad migration: BadBase64 { found: "!", position: 1 }"#,
            ),
            (
                "otpauth-migration://offline?data=CjEK".into(),
                "bad migration: Damaged(LengthPastEnd { offset: 0, length: 49, available: 1 })",
            ),
            (
                "otpauth-migration://offline".into(),
                "bad migration: NoData",
            ),
        ];
        assert!(table.len() >= 15);
        for (text, want) in table {
            assert_eq!(kind_of(&text), want, "{text:?}");
        }
    }

    #[test]
    fn three_kilobyte_payloads() {
        // An otpauth link with long names.
        let issuer = "Ä".repeat(400);
        let label = "x".repeat(1500);
        let long = format!("otpauth://totp/{issuer}:{label}?secret={KEY}&issuer={issuer}");
        assert!(long.len() > 3000);
        assert!(matches!(
            classify(&long),
            Ok(Payload::Account(uri)) if uri.label == label && uri.issuer.as_deref() == Some(&*issuer)
        ));
        // An export with as many accounts as fit in 3 KB.
        let accounts: Vec<OtpUri> = (0..60)
            .map(|n| account(&format!("Service {n}"), &format!("user{n}"), n))
            .collect();
        let link = crate::otp::migration::encode(&accounts, 1, 0, 1);
        assert!(link.len() > 3000);
        assert!(matches!(
            classify(&link),
            Ok(Payload::Migration(batch)) if batch.accounts == accounts
        ));
        // A 3 KB web address is cut in the message.
        let url = format!("https://example.com/{}", "a".repeat(3000));
        let Ok(Payload::NotAnAccount(what)) = classify(&url) else {
            panic!("a web address");
        };
        let shown = what.to_string();
        assert!(shown.chars().count() < 120, "{shown}");
    }

    #[test]
    fn messages_say_what_the_qr_holds() {
        let say = |text: &str| match classify(text) {
            Ok(Payload::NotAnAccount(what)) => what.to_string(),
            other => format!("{other:?}"),
        };
        assert_eq!(
            say("https://example.com"),
            "this QR is a web address (https://example.com), not an authenticator code"
        );
        assert_eq!(
            say("WIFI:S:Kantor;T:WPA;P:rahasia;;"),
            "this QR holds Wi-Fi settings, not an authenticator code"
        );
        assert_eq!(
            say("hello"),
            "this QR holds text (\"hello\"), not an authenticator code"
        );
        assert_eq!(say(""), "this QR is empty, not an authenticator code");
        assert_eq!(
            say("bitcoin://x"),
            "this QR is a 'bitcoin:' link, not an authenticator code"
        );
        // Secrets are not repeated: not the Wi-Fi password, not a bare setup key.
        assert!(!say("WIFI:S:Kantor;T:WPA;P:rahasia;;").contains("rahasia"));
        assert!(!say(KEY).contains(&KEY[..8]));
        assert!(say(KEY).contains("setup key"));

        let error = classify("otpauth://totp/a?issuer=b").map(|_| ());
        assert_eq!(
            error.map_err(|e| e.to_string()),
            Err(
                "the authenticator link in this QR cannot be used: the otpauth link has no secret"
                    .to_owned()
            )
        );
        let error = classify("otpauth-migration://offline?data=CjEK").map(|_| ());
        assert!(error.is_err_and(|e| {
            e.to_string()
                .starts_with("the Google Authenticator export in this QR cannot be read: ")
        }),);
    }

    /// The batches of an export of `count` accounts split over QR codes of `per_qr`.
    fn export(count: u8, per_qr: usize) -> (Vec<OtpUri>, Vec<Batch>) {
        let accounts: Vec<OtpUri> = (0..count)
            .map(|n| account("Svc", &format!("user{n}"), n))
            .collect();
        let batches = encode_batches(&accounts, per_qr)
            .iter()
            .map(|link| match classify(link) {
                Ok(Payload::Migration(batch)) => batch,
                other => panic!("{other:?}"),
            })
            .collect();
        (accounts, batches)
    }

    #[test]
    fn collector_puts_a_split_export_together_in_any_order() {
        let (accounts, batches) = export(25, 10);
        assert_eq!(batches.len(), 3);
        let mut collector = BatchCollector::new();
        assert!(collector.is_empty() && !collector.is_complete());
        assert_eq!(collector.missing(), Vec::<u32>::new());
        assert_eq!(collector.finish(), None);
        assert_eq!(collector.progress(), "No QR code of the export read yet.");

        assert_eq!(collector.add(batches[2].clone()), Ok(Collected::Added));
        assert_eq!(collector.expected(), Some(3));
        assert_eq!(collector.batch_id(), Some(batches[0].batch_id));
        assert_eq!(collector.missing(), [0, 1]);
        assert_eq!(
            collector.progress(),
            "Read 1 of 3 QR codes of the export; still missing: 1, 2."
        );
        assert_eq!(collector.finish(), None);

        assert_eq!(collector.add(batches[0].clone()), Ok(Collected::Added));
        // The same code seen again (a webcam sees it many times): ignored.
        assert_eq!(collector.add(batches[0].clone()), Ok(Collected::Duplicate));
        assert_eq!(collector.received(), 2);
        assert_eq!(collector.missing(), [1]);
        assert!(!collector.is_complete());

        assert_eq!(collector.add(batches[1].clone()), Ok(Collected::Added));
        assert!(collector.is_complete());
        assert_eq!(collector.missing(), Vec::<u32>::new());
        assert_eq!(collector.progress(), "Read all 3 QR codes of the export.");
        let whole = collector.finish();
        assert_eq!(whole.as_ref().map(|w| &w.accounts), Some(&accounts));
        assert_eq!(
            whole.map(|w| (w.batch_size, w.batch_index, w.batch_id)),
            Some((1, 0, batches[0].batch_id))
        );
    }

    #[test]
    fn collector_refuses_another_export_and_keeps_what_it_has() {
        let (_, first) = export(25, 10);
        let (other_accounts, mut other) = export(5, 10);
        // Make sure the ids differ (they are random).
        other[0].batch_id = first[0].batch_id.wrapping_add(1);
        let mut collector = BatchCollector::new();
        assert_eq!(collector.add(first[1].clone()), Ok(Collected::Added));
        assert_eq!(
            collector.add(other[0].clone()),
            Err(CollectError::OtherExport {
                received: 1,
                expected: 3
            })
        );
        assert_eq!(collector.missing(), [0, 2]);
        // Same id, another size: inconsistent.
        let mut odd = first[0].clone();
        odd.batch_size = 4;
        assert_eq!(
            collector.add(odd),
            Err(CollectError::SizeMismatch {
                expected: 3,
                found: 4
            })
        );
        // A hand-made batch with impossible numbers.
        let mut bad = first[0].clone();
        bad.batch_index = 3;
        assert_eq!(
            collector.add(bad),
            Err(CollectError::BadBatchNumbers { index: 3, size: 3 })
        );
        let mut huge = first[0].clone();
        huge.batch_size = u32::MAX;
        assert!(collector.add(huge).is_err());
        assert_eq!(collector.received(), 1);

        // Starting over takes the other export; a single-code export is complete at once.
        collector.clear();
        assert!(collector.is_empty());
        assert_eq!(collector.add(other[0].clone()), Ok(Collected::Added));
        assert!(collector.is_complete());
        assert_eq!(collector.finish().map(|w| w.accounts), Some(other_accounts));
    }

    #[test]
    fn collector_numbers_skip_reasons_by_code() {
        let (_, mut batches) = export(3, 2);
        batches[1]
            .skipped
            .push(Skipped::entry(EntryName::new(1, "X", "y"), SkipReason::Md5));
        let mut collector = BatchCollector::new();
        for batch in batches {
            assert_eq!(collector.add(batch), Ok(Collected::Added));
        }
        assert_eq!(
            collector.finish().map(|w| w
                .skipped
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()),
            Some(vec![
                "QR code 2 of 2: entry 2 (X: y): MD5 is not supported".to_owned()
            ])
        );
    }
}
