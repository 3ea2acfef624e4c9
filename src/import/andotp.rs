/*!
andOTP backups (`otp_accounts.json`), unencrypted.

Format: <https://github.com/andOTP/andOTP/wiki/Backups> (plain-text backups) and the app's
`Entry.toJSON` (<https://github.com/andOTP/andOTP/blob/master/app/src/main/java/org/shadowice/flocke/andotp/Database/Entry.java>).
The file is a JSON array of entries: `secret` (base32, padded), `issuer`, `label`, `digits`,
`type` (TOTP, HOTP, STEAM or MOTP), `algorithm`, `period` and `counter`. Encrypted andOTP backups
(`.json.aes`, binary) are not read: export a plain backup instead. Lost: Steam and mOTP entries
(skipped with a reason), tags, thumbnails and usage counts.
*/

use serde_json::Value;

use super::{
    EntryFields, ImportError, Imported, Importer, SkipReason, Skipped, damaged, entry_name,
    kind_named, looks_like_json, parse_json, text,
};
use crate::otp::{Kind, OtpUri};

/// An andOTP plain backup.
pub struct AndOtp;

const NAME: &str = "andOTP";

impl Importer for AndOtp {
    fn name(&self) -> &'static str {
        NAME
    }

    fn detect(&self, bytes: &[u8]) -> bool {
        looks_like_json(bytes, b'[', &["\"secret\"", "\"type\""])
    }

    fn import(&self, bytes: &[u8], _password: Option<&str>) -> Result<Imported, ImportError> {
        let entries = parse_json(NAME, bytes)?;
        let entries = entries
            .as_array()
            .ok_or_else(|| damaged(NAME, "the backup is not a list of accounts"))?;
        let mut out = Imported::default();
        for (index, entry) in entries.iter().enumerate() {
            let (issuer, label) = (text(entry, "issuer"), text(entry, "label"));
            match read_entry(entry) {
                Ok(uri) => out.accounts.push(uri),
                Err(why) => out
                    .skipped
                    .push(Skipped::entry(entry_name(index, issuer, label), why)),
            }
        }
        Ok(out)
    }
}

fn read_entry(entry: &Value) -> Result<OtpUri, SkipReason> {
    let kind = kind_named(text(entry, "type"), Some(Kind::Totp))?;
    EntryFields::from_fields(entry, kind)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::test_support::fixture;

    #[test]
    fn the_fixture_gives_seven_accounts_and_skips_steam() -> Result<(), ImportError> {
        let bytes = fixture("andotp_plain.json");
        assert!(AndOtp.detect(&bytes));
        let got = AndOtp.import(&bytes, None)?;
        assert_eq!(got.accounts.len(), 7);
        assert_eq!(got.skipped.len(), 1);
        assert_eq!(
            got.skipped[0],
            Skipped::entry(entry_name(5, "Steam", "gamer.kantor"), SkipReason::Steam)
        );
        assert!(
            got.skipped[0]
                .to_string()
                .starts_with("entry 6 (Steam: gamer.kantor): Steam")
        );
        // Padded base32 (`====`) reads as the key it pads.
        assert_eq!(got.accounts[1].secret.as_bytes().len(), 32);
        Ok(())
    }

    #[test]
    fn a_bad_entry_is_skipped_alone() -> Result<(), ImportError> {
        let json = br#"[
            {"secret": "JBSWY3DPEHPK3PXP", "issuer": "A", "label": "a", "type": "MOTP"},
            {"secret": "JBSWY3DPEHPK3PXP", "issuer": "B", "label": "b", "type": "TOTP", "digits": "x"},
            {"secret": "JBSWY3DPEHPK3PXP", "issuer": "C", "label": "c", "type": "TOTP", "algorithm": "MD5"},
            {"secret": "JBSWY3DPEHPK3PXP", "issuer": "D", "label": "d", "type": "TOTP"}
        ]"#;
        let got = AndOtp.import(json, None)?;
        assert_eq!(got.accounts.len(), 1);
        assert_eq!(got.accounts[0].issuer.as_deref(), Some("D"));
        assert_eq!(got.skipped.len(), 3, "{:?}", got.skipped);
        Ok(())
    }
}
