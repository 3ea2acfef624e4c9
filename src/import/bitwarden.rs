/*!
Bitwarden password manager exports (`bitwarden_export_*.json`, unencrypted).

Format: <https://bitwarden.com/help/condition-bitwarden-import/> (the `.json` export). The file is
`{ "encrypted": false, "folders": [...], "items": [...] }`; a login item (`type` 1) may carry
`login.totp`, which Bitwarden accepts as an `otpauth://` URI, a bare base32 key (TOTP, SHA1,
6 digits, 30 s) or `steam://KEY`. A bare key takes the item's `name` as issuer and
`login.username` as account name; a URI without an issuer takes the item's name too. Items without
`totp` are not accounts and are not reported. The item's `notes` become the account's note.
Lost: Steam entries (skipped with a reason) and everything else that is not the authenticator
key. Password-protected (`encrypted: true`) exports are
refused: export again as "JSON" rather than "JSON (Encrypted)".
*/

use serde_json::Value;

use super::{
    EntryFields, ImportError, Imported, Importer, SkipReason, Skipped, base32_secret, damaged,
    entry_name,
};
use super::{looks_like_object, parse_json, text};
use crate::accounts::Extras;
use crate::otp::{Algorithm, Kind, OtpError, OtpUri};

/// A Bitwarden JSON export.
pub struct Bitwarden;

const NAME: &str = "Bitwarden";

impl Importer for Bitwarden {
    fn name(&self) -> &'static str {
        NAME
    }

    fn detect(&self, bytes: &[u8]) -> bool {
        looks_like_object(
            bytes,
            &[
                &["encrypted", "items"],
                &["folders", "items"],
                &["encKeyValidation_DO_NOT_EDIT"],
            ],
        )
    }

    fn is_encrypted(&self, _bytes: &[u8]) -> bool {
        // Encrypted Bitwarden exports are refused rather than opened.
        false
    }

    fn import(&self, bytes: &[u8], _password: Option<&str>) -> Result<Imported, ImportError> {
        let export = parse_json(NAME, bytes)?;
        if export.get("encrypted").and_then(Value::as_bool) == Some(true) {
            return Err(ImportError::Unsupported {
                format: NAME,
                what: "encrypted exports cannot be read; in Bitwarden choose File format \
                       \"JSON\" (not \"JSON (Encrypted)\") and delete the file after importing"
                    .into(),
            });
        }
        let items = export
            .get("items")
            .and_then(Value::as_array)
            .ok_or_else(|| damaged(NAME, "items are missing"))?;
        let mut out = Imported::default();
        for (index, item) in items.iter().enumerate() {
            let login = item.get("login").unwrap_or(&Value::Null);
            let totp = text(login, "totp").trim();
            if totp.is_empty() {
                continue;
            }
            let name = text(item, "name").trim();
            let username = text(login, "username").trim();
            match read_totp(totp, name, username) {
                Ok(uri) => out.push(
                    uri,
                    Extras {
                        note: text(item, "notes").trim().to_string(),
                        pinned: false,
                    },
                ),
                Err(why) => out
                    .skipped
                    .push(Skipped::entry(entry_name(index, name, username), why)),
            }
        }
        Ok(out)
    }
}

fn read_totp(totp: &str, name: &str, username: &str) -> Result<OtpUri, SkipReason> {
    let scheme = totp.split_once("://").map(|(s, _)| s.to_ascii_lowercase());
    match scheme.as_deref() {
        Some("steam") => Err(SkipReason::Steam),
        Some("otpauth") => match OtpUri::parse(totp) {
            Ok(mut uri) => {
                if uri.issuer.is_none() && !name.is_empty() {
                    uri.issuer = Some(name.to_string());
                }
                Ok(uri)
            }
            Err(OtpError::UnsupportedType(t)) if t.eq_ignore_ascii_case("steam") => {
                Err(SkipReason::Steam)
            }
            Err(e) => Err(e.into()),
        },
        Some(other) => Err(SkipReason::UnsupportedScheme {
            scheme: other.into(),
        }),
        None => EntryFields {
            issuer: name.into(),
            label: username.into(),
            secret: base32_secret(totp)?,
            kind: Kind::Totp,
            algorithm: Algorithm::Sha1,
            digits: 6,
            period: 30,
            counter: 0,
        }
        .into_uri(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::test_support::fixture;

    #[test]
    fn the_fixture_gives_six_accounts_and_skips_steam() -> Result<(), ImportError> {
        let bytes = fixture("bitwarden.json");
        assert!(Bitwarden.detect(&bytes));
        let got = Bitwarden.import(&bytes, None)?;
        // Nine items: a login without a key and a secure note are not accounts, nor reasons.
        assert_eq!(got.accounts.len(), 6);
        assert_eq!(got.skipped.len(), 1, "{:?}", got.skipped);
        assert_eq!(got.skipped[0].reason, SkipReason::Steam);
        assert!(
            got.skipped[0].to_string().starts_with("entry 6 ("),
            "{:?}",
            got.skipped
        );
        // An otpauth URI names its own issuer; a pasted bare key takes the item's name.
        assert_eq!(got.accounts[0].issuer.as_deref(), Some("LPSE Kota Bandung"));
        assert_eq!(got.accounts[4].label, "dewi.lestari@kantor.example");
        assert!(got.extras_of(0).note.starts_with("Akun penyedia"));
        Ok(())
    }

    #[test]
    fn bare_keys_take_the_item_name_and_user_name() -> Result<(), ImportError> {
        let json = br#"{"encrypted": false, "items": [
            {"type": 1, "name": "LPSE", "notes": " kantor ", "login": {"username": "penyedia", "totp": "jbsw y3dp ehpk 3pxp"}},
            {"type": 1, "name": "No code", "login": {"username": "x", "totp": null}},
            {"type": 2, "name": "A note"},
            {"type": 1, "name": "Broken", "login": {"totp": "otpauth://totp/x?digits=6"}}
        ]}"#;
        let got = Bitwarden.import(json, None)?;
        assert_eq!(got.accounts.len(), 1);
        let a = &got.accounts[0];
        assert_eq!(
            (a.issuer.as_deref(), a.label.as_str()),
            (Some("LPSE"), "penyedia")
        );
        assert_eq!(got.extras_of(0).note, "kantor");
        assert_eq!(got.skipped.len(), 1);
        assert!(
            got.skipped[0].to_string().starts_with("entry 4 (Broken)"),
            "{:?}",
            got.skipped
        );
        Ok(())
    }

    #[test]
    fn encrypted_exports_are_refused() {
        let json = br#"{"encrypted": true, "encKeyValidation_DO_NOT_EDIT": "x", "data": "y"}"#;
        assert!(Bitwarden.detect(json));
        assert!(matches!(
            Bitwarden.import(json, None),
            Err(ImportError::Unsupported { .. })
        ));
        let json = br#"{"encrypted": true, "items": []}"#;
        assert!(matches!(
            Bitwarden.import(json, None),
            Err(ImportError::Unsupported { .. })
        ));
    }
}
