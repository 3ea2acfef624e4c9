/*!
2FAS Authenticator backups (`*.2fas`), plain and encrypted.

Format: 2FAS publishes no specification; this follows the app's backup code
(<https://github.com/twofas/2fas-android>, `BackupContent` and its encryption) and the importer of
Aegis (<https://github.com/beemdevelopment/Aegis/blob/master/app/src/main/java/com/beemdevelopment/aegis/importers/TwoFASImporter.java>).
The file is a JSON object with `schemaVersion` (1 to 4 are read) and `services`. An encrypted
backup has an empty `services` and `servicesEncrypted: "DATA:SALT:IV"`, three base64 parts:
the key is PBKDF2-HMAC-SHA256(password, SALT, 10 000 rounds, 256 bits) and DATA is the
AES-256-GCM ciphertext (tag appended) of the `services` array. `reference` is a known text
encrypted the same way; it tells a wrong password from a damaged backup.

Each service: `secret` (base32), `name`, and `otp` with `account`, `issuer`, `digits`, `period`,
`algorithm`, `tokenType` (TOTP, HOTP or STEAM; TOTP when absent) and `counter`. Lost: Steam
entries (skipped), icons, groups and order.
*/

use data_encoding::BASE64;
use serde_json::Value;

use super::{
    EntryFields, ImportError, Imported, Importer, SkipReason, Skipped, aes_gcm_open, algorithm,
    base32_secret, damaged, entry_name, kind_named, looks_like_object, number, parse_json, text,
};
use crate::otp::{Kind, OtpUri};

/// A 2FAS backup.
pub struct TwoFas;

const NAME: &str = "2FAS";

/// The newest schema version this importer knows.
const MAX_SCHEMA_VERSION: u64 = 4;

/// PBKDF2 rounds of 2FAS backups: fixed by the format, which records no count, so a file
/// cannot ask for more work (`crate::kdf`). A file that names a count anyway is read with
/// these rounds; the count is ignored.
const ROUNDS: u32 = 10_000;

impl Importer for TwoFas {
    fn name(&self) -> &'static str {
        NAME
    }

    fn detect(&self, bytes: &[u8]) -> bool {
        looks_like_object(bytes, &[&["services"], &["servicesEncrypted"]])
    }

    fn is_encrypted(&self, bytes: &[u8]) -> bool {
        serde_json::from_slice::<Value>(crate::json::without_bom(bytes))
            .map(|v| v.get("servicesEncrypted").is_some_and(Value::is_string))
            .unwrap_or(false)
    }

    fn import(&self, bytes: &[u8], password: Option<&str>) -> Result<Imported, ImportError> {
        let backup = parse_json(NAME, bytes)?;
        let version =
            number(&backup, "schemaVersion", 1).map_err(|e| damaged(NAME, e.to_string()))?;
        if version == 0 || version > MAX_SCHEMA_VERSION {
            return Err(ImportError::UnsupportedVersion {
                format: NAME,
                version: version.to_string(),
            });
        }
        match backup.get("servicesEncrypted").and_then(Value::as_str) {
            Some(encrypted) => {
                let password = password.ok_or(ImportError::NeedsPassword { format: NAME })?;
                if let Some(reference) = backup.get("reference").and_then(Value::as_str) {
                    // A backup whose reference opens has the right password: if the services
                    // then fail, the file is damaged.
                    decrypt(reference, password)?
                        .ok_or(ImportError::WrongPassword { format: NAME })?;
                }
                let plain =
                    decrypt(encrypted, password)?.ok_or(if backup.get("reference").is_some() {
                        damaged(NAME, "the accounts do not decrypt (altered or cut short)")
                    } else {
                        ImportError::WrongPassword { format: NAME }
                    })?;
                read_services(&parse_json(NAME, &plain)?)
            }
            None => read_services(
                backup
                    .get("services")
                    .ok_or_else(|| damaged(NAME, "services are missing"))?,
            ),
        }
    }
}

/// Decrypts `DATA:SALT:IV`; `Ok(None)` when the password (or the data) is wrong.
fn decrypt(
    parts: &str,
    password: &str,
) -> Result<Option<zeroize::Zeroizing<Vec<u8>>>, ImportError> {
    // JSON writers may escape '/' as "\/"; serde_json has already undone that.
    let decode = |part: &str| {
        BASE64
            .decode(part.trim().as_bytes())
            .map_err(|_| damaged(NAME, "the encrypted accounts are not base64"))
    };
    let [data, salt, iv] = parts
        .split(':')
        .collect::<Vec<_>>()
        .try_into()
        .map_err(|_| damaged(NAME, "the encrypted accounts are not DATA:SALT:IV"))?;
    let (data, salt, iv) = (decode(data)?, decode(salt)?, decode(iv)?);
    let mut key = zeroize::Zeroizing::new([0u8; 32]);
    pbkdf2::pbkdf2_hmac::<sha2::Sha256>(password.as_bytes(), &salt, ROUNDS, key.as_mut_slice());
    Ok(aes_gcm_open(key.as_slice(), &iv, &data))
}

fn read_services(services: &Value) -> Result<Imported, ImportError> {
    let services = services
        .as_array()
        .ok_or_else(|| damaged(NAME, "services are not a list"))?;
    let mut out = Imported::default();
    for (index, service) in services.iter().enumerate() {
        let otp = service.get("otp").unwrap_or(&Value::Null);
        let (issuer, label) = names(service, otp);
        match read_service(service, otp, &issuer, &label) {
            Ok(uri) => out.accounts.push(uri),
            Err(why) => out
                .skipped
                .push(Skipped::entry(entry_name(index, &issuer, &label), why)),
        }
    }
    Ok(out)
}

/// Issuer and account name: `otp.issuer` else `name`; `otp.account` else the label after
/// an `issuer:` prefix.
fn names(service: &Value, otp: &Value) -> (String, String) {
    let issuer = match text(otp, "issuer") {
        "" => text(service, "name"),
        issuer => issuer,
    };
    let label = match text(otp, "account") {
        "" => {
            let label = text(otp, "label");
            label.split_once(':').map_or(label, |(_, l)| l)
        }
        account => account,
    };
    (issuer.trim().to_string(), label.trim().to_string())
}

fn read_service(
    service: &Value,
    otp: &Value,
    issuer: &str,
    label: &str,
) -> Result<OtpUri, SkipReason> {
    let kind = kind_named(text(otp, "tokenType"), Some(Kind::Totp))?;
    EntryFields {
        issuer: issuer.into(),
        label: label.into(),
        secret: base32_secret(text(service, "secret"))?,
        kind,
        algorithm: algorithm(text(otp, "algorithm"))?,
        digits: number(otp, "digits", 6)?,
        period: number(otp, "period", 30)?,
        counter: number(otp, "counter", 0)?,
    }
    .into_uri()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::test_support::{PASSWORD, fixture};

    #[test]
    fn the_plain_fixture_gives_seven_accounts_and_skips_steam() -> Result<(), ImportError> {
        let bytes = fixture("twofas_plain.2fas");
        assert!(TwoFas.detect(&bytes) && !TwoFas.is_encrypted(&bytes));
        let got = TwoFas.import(&bytes, None)?;
        assert_eq!(got.skipped.len(), 1, "{:?}", got.skipped);
        assert_eq!(got.skipped[0].reason, SkipReason::Steam);
        let names: Vec<_> = got
            .accounts
            .iter()
            .map(|a| format!("{}:{}", a.issuer.as_deref().unwrap_or(""), a.label))
            .collect();
        assert_eq!(
            names,
            [
                "LPSE Kota Bandung:penyedia@cv-maju-jaya.example",
                "LPSE Kementerian Keuangan:budi.santoso",
                "LPSE Provinsi Jawa Barat:siti.rahayu@sinar-abadi.example",
                // The service name is cut to 30 characters, as the app does; otp.issuer is whole.
                "Dinas Pekerjaan Umum – Bidang Jalan:ppk.jalan",
                "LPSE Kabupaten Sleman:pokja.pemilihan.3",
                "Nextcloud Kantor:dewi.lestari@kantor.example",
                "Koperasi Pegawai:Renée Kusumawardani",
            ]
        );
        let hotp = &got.accounts[4].params;
        assert_eq!((hotp.kind, hotp.counter), (Kind::Hotp, 42));
        Ok(())
    }

    #[test]
    fn the_encrypted_sample_opens_with_its_password_only() -> Result<(), ImportError> {
        let bytes = fixture("twofas_encrypted.2fas");
        assert!(TwoFas.detect(&bytes) && TwoFas.is_encrypted(&bytes));
        assert_eq!(
            TwoFas.import(&bytes, None),
            Err(ImportError::NeedsPassword { format: NAME })
        );
        assert_eq!(
            TwoFas.import(&bytes, Some("tset")),
            Err(ImportError::WrongPassword { format: NAME })
        );
        let got = TwoFas.import(&bytes, Some(PASSWORD))?;
        let plain = TwoFas.import(&fixture("twofas_plain.2fas"), None)?;
        assert_eq!(
            got.accounts.len(),
            plain.accounts.len(),
            "{:?}",
            got.skipped
        );
        for (a, b) in got.accounts.iter().zip(&plain.accounts) {
            assert_eq!(
                (&a.issuer, &a.label, &a.secret),
                (&b.issuer, &b.label, &b.secret)
            );
        }
        Ok(())
    }

    #[test]
    fn a_file_cannot_ask_for_more_pbkdf2_rounds() {
        // 2FAS backups record no round count: one that names 10^9 anyway is read with the
        // format's 10 000 and answers at once (here: the password is wrong).
        let json = br#"{"schemaVersion": 4, "services": [], "iterations": 1000000000,
            "kdf": {"iterations": 1000000000}, "rounds": 1000000000,
            "servicesEncrypted": "AAAAAAAAAAAAAAAAAAAAAA==:AAAAAAAAAAAAAAAAAAAAAA==:AAAAAAAAAAAAAAAA",
            "reference": "AAAAAAAAAAAAAAAAAAAAAA==:AAAAAAAAAAAAAAAAAAAAAA==:AAAAAAAAAAAAAAAA"}"#;
        let start = std::time::Instant::now();
        let result = TwoFas.import(json, Some("x"));
        let took = start.elapsed();
        println!("2FAS file naming 10^9 rounds answered in {took:?}");
        assert_eq!(result, Err(ImportError::WrongPassword { format: NAME }));
        assert!(took < std::time::Duration::from_secs(2), "{took:?}");
    }

    #[test]
    fn a_bom_does_not_hide_the_encryption() {
        let mut bytes = b"\xEF\xBB\xBF".to_vec();
        bytes.extend(fixture("twofas_encrypted.2fas"));
        assert!(TwoFas.detect(&bytes) && TwoFas.is_encrypted(&bytes));
        assert_eq!(
            crate::import::detect(&bytes).map(|i| i.is_encrypted(&bytes)),
            Ok(true)
        );
        assert!(TwoFas.import(&bytes, Some(PASSWORD)).is_ok());
    }

    #[test]
    fn only_top_level_services_make_a_backup() {
        for bytes in [
            &br#"{"list": [{"services": []}]}"#[..],
            br#"{"servicesCount": 3}"#,
            br#"{"note": "\"services\""}"#,
        ] {
            assert!(!TwoFas.detect(bytes), "{}", String::from_utf8_lossy(bytes));
        }
        assert!(TwoFas.detect(br#"{"servicesEncrypted": "a:b:c"}"#));
        assert!(TwoFas.detect(b"{\"schemaVersion\": 4, \"services\": [{\"na"));
    }

    #[test]
    fn steam_and_hotp_token_types_are_read() -> Result<(), ImportError> {
        let json = br#"{"schemaVersion": 4, "services": [
            {"name": "S", "secret": "JBSWY3DPEHPK3PXP", "otp": {"tokenType": "STEAM"}},
            {"name": "H", "secret": "JBSWY3DPEHPK3PXP", "otp": {"account": "a", "tokenType": "HOTP", "counter": 7}}
        ]}"#;
        let got = TwoFas.import(json, None)?;
        assert_eq!(got.skipped.len(), 1);
        assert_eq!(
            got.skipped[0],
            Skipped::entry(entry_name(0, "S", ""), SkipReason::Steam)
        );
        assert!(got.skipped[0].to_string().starts_with("entry 1 (S): Steam"));
        assert_eq!(got.accounts[0].params.kind, Kind::Hotp);
        assert_eq!(got.accounts[0].params.counter, 7);
        Ok(())
    }
}
