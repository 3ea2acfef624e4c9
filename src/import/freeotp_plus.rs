/*!
FreeOTP+ JSON exports (`freeotp-backup.json`).

Format: the app's export of its token store, <https://github.com/helloworld1/FreeOTPPlus>
(`TokenPersistence` and `Token`): `{ "tokenOrder": [...], "tokens": [...] }`, each token with
`issuerExt` (shown issuer; `issuerInt` when empty), `label`, `type` (TOTP or HOTP), `algo`,
`digits`, `period`, `counter` and `secret` as an array of signed bytes (Java `byte[]`). FreeOTP
keeps the counter of the last code shown, so the next counter is `counter + 1` (as Aegis reads
it). Lost: images, lock state and the order in `tokenOrder`.
*/

use serde_json::Value;

use super::{
    EntryFields, ImportError, Imported, Importer, SkipReason, Skipped, algorithm, damaged,
    entry_name, kind_named, looks_like_object, number, parse_json, text,
};
use crate::otp::{Kind, OtpUri, Secret};

/// A FreeOTP+ JSON export.
pub struct FreeOtpPlus;

const NAME: &str = "FreeOTP+";

impl Importer for FreeOtpPlus {
    fn name(&self) -> &'static str {
        NAME
    }

    fn detect(&self, bytes: &[u8]) -> bool {
        looks_like_object(bytes, &[&["tokenOrder"], &["tokens"]])
    }

    fn import(&self, bytes: &[u8], _password: Option<&str>) -> Result<Imported, ImportError> {
        let export = parse_json(NAME, bytes)?;
        let tokens = export
            .get("tokens")
            .and_then(Value::as_array)
            .ok_or_else(|| damaged(NAME, "tokens are missing"))?;
        let mut out = Imported::default();
        for (index, token) in tokens.iter().enumerate() {
            let issuer = issuer(token);
            let label = text(token, "label");
            match read_token(token, issuer) {
                Ok(uri) => out.accounts.push(uri),
                Err(why) => out
                    .skipped
                    .push(Skipped::entry(entry_name(index, issuer, label), why)),
            }
        }
        Ok(out)
    }
}

fn issuer(token: &Value) -> &str {
    match text(token, "issuerExt").trim() {
        "" => text(token, "issuerInt"),
        shown => shown,
    }
}

/// Java's signed bytes (-128..=127; 0..=255 accepted too) as key bytes.
fn secret(token: &Value) -> Result<Secret, SkipReason> {
    let values = token
        .get("secret")
        .and_then(Value::as_array)
        .ok_or(SkipReason::SecretNotBytes)?;
    let mut bytes = zeroize::Zeroizing::new(Vec::with_capacity(values.len()));
    for v in values {
        let byte = v
            .as_i64()
            .filter(|b| (-128..=255).contains(b))
            .ok_or(SkipReason::SecretNotBytes)?;
        bytes.push(byte as u8);
    }
    Ok(Secret::from_bytes(std::mem::take(&mut *bytes)))
}

fn read_token(token: &Value, issuer: &str) -> Result<OtpUri, SkipReason> {
    let kind = kind_named(text(token, "type"), Some(Kind::Totp))?;
    let counter = number(token, "counter", 0)?;
    EntryFields {
        issuer: issuer.into(),
        label: text(token, "label").into(),
        secret: secret(token)?,
        kind,
        algorithm: algorithm(text(token, "algo"))?,
        digits: number(token, "digits", 6)?,
        period: number(token, "period", 30)?,
        counter: counter.checked_add(1).ok_or(SkipReason::CounterAtMax)?,
    }
    .into_uri()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::test_support::fixture;
    use crate::otp::parse_setup_key;

    #[test]
    fn the_fixture_gives_seven_accounts() -> Result<(), ImportError> {
        let bytes = fixture("freeotp_plus.json");
        assert!(FreeOtpPlus.detect(&bytes));
        let got = FreeOtpPlus.import(&bytes, None)?;
        assert!(got.skipped.is_empty(), "{:?}", got.skipped);
        assert_eq!(got.accounts.len(), 7);
        let first = &got.accounts[0];
        assert_eq!(first.issuer.as_deref(), Some("LPSE Kota Bandung"));
        assert_eq!(
            Ok(&first.secret),
            parse_setup_key("ZH4FMSRC3LM7FA2HN6KUJTJXUJZZHJNA").as_ref()
        );
        // Stored as the last counter shown (41): the next one is 42.
        let hotp = &got.accounts[4];
        assert_eq!(hotp.label, "pokja.pemilihan.3");
        assert_eq!((hotp.params.kind, hotp.params.counter), (Kind::Hotp, 42));
        Ok(())
    }

    #[test]
    fn bytes_out_of_range_skip_the_token_alone() -> Result<(), ImportError> {
        let json = br#"{"tokens": [
            {"issuerExt": "A", "label": "a", "type": "TOTP", "secret": [1,2,3,4,5,6,7,8,9,300]},
            {"issuerInt": "B", "label": "b", "type": "TOTP", "secret": [-1,-2,-3,-4,-5,-6,-7,-8,-9,-10]}
        ]}"#;
        let got = FreeOtpPlus.import(json, None)?;
        assert_eq!(got.accounts.len(), 1);
        assert_eq!(got.accounts[0].issuer.as_deref(), Some("B"));
        assert_eq!(got.accounts[0].secret.as_bytes()[0], 0xFF);
        assert_eq!(got.skipped.len(), 1);
        assert_eq!(got.skipped[0].reason, SkipReason::SecretNotBytes);
        assert!(
            !got.skipped[0].to_string().contains("300"),
            "{:?}",
            got.skipped
        );
        Ok(())
    }
}
