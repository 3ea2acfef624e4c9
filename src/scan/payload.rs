/*!
What the text of a QR code means for Kunci: one account (`otpauth://totp|hotp/…`), a Google
Authenticator export (`otpauth-migration://offline?data=…`, see [`crate::otp::migration`]), or
something else, named so the user learns what they scanned ("this QR is a web address …").

[`classify`] is pure and linear in the text; it copes with surrounding whitespace, byte-order
marks and NUL padding, schemes in any case and texts of a few kilobytes (the most a QR holds).
An export that Google Authenticator split over several QR codes is put together by
[`crate::otp::migration::BatchCollector`].
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

#[cfg(test)]
mod tests {
    use super::*;
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
}
