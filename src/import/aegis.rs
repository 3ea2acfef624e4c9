/*!
Aegis Authenticator vaults (`aegis-export-*.json`), plain and encrypted.

Format: <https://github.com/beemdevelopment/Aegis/blob/master/docs/vault.md>. The file is
`{ "version": 1, "header": { "slots", "params" }, "db" }`. Plain vaults have null slots and params
and `db` as an object; encrypted ones have `db` as base64 of AES-256-GCM ciphertext under a random
master key (nonce and tag in `header.params`), and the master key is itself encrypted in each key
slot. Kunci opens the password slots (type 1): scrypt(password, salt, N, r, p) gives a 32-byte
key that decrypts the slot's `key` with AES-256-GCM (`key_params` nonce and tag). Raw (0) and
biometric (2) slots cannot be opened off the phone.

`db` versions 1 to 3 are read. TOTP and HOTP entries come over whole, with their `note` and
`favorite` (Kunci's pin); lost: Steam, Yandex and mOTP entries (skipped with a reason), icons and
groups.

[`write`] makes a plain (unencrypted) vault as Aegis imports it: `db` version 3, one entry per
account with a random UUID, `name` (the label), `issuer`, and `info` with the base32 `secret`,
`algo`, `digits` and `period` (TOTP) or `counter` (HOTP), the note as `note` and the pin as
`favorite`. Nothing of a TOTP or HOTP account is lost. That file is NOT encrypted: write it only
on the user's explicit choice.
*/

use data_encoding::{BASE64, HEXLOWER_PERMISSIVE};
use serde_json::{Value, json};
use zeroize::{Zeroize, Zeroizing};

use super::{
    EntryFields, ImportError, Imported, Importer, SkipReason, Skipped, aes_gcm_open, algorithm,
    base32_secret, damaged, entry_name, kind_named, looks_like_json, number, parse_json, text,
};
use crate::accounts::Extras;
use crate::otp::{Kind, OtpUri};

/// An Aegis vault.
pub struct Aegis;

const NAME: &str = "Aegis";

/// The newest `db` version this importer knows.
const MAX_DB_VERSION: u64 = 3;

/// scrypt parameters beyond this are refused: they would take minutes and gigabytes.
const MAX_SCRYPT_MEMORY: u64 = 1 << 30;

impl Importer for Aegis {
    fn name(&self) -> &'static str {
        NAME
    }

    fn detect(&self, bytes: &[u8]) -> bool {
        looks_like_json(bytes, b'{', &["\"header\"", "\"db\""])
            || looks_like_json(bytes, b'{', &["\"header\"", "\"slots\""])
    }

    fn is_encrypted(&self, bytes: &[u8]) -> bool {
        serde_json::from_slice::<Value>(bytes)
            .map(|v| v.get("db").is_some_and(Value::is_string))
            .unwrap_or(false)
    }

    fn import(&self, bytes: &[u8], password: Option<&str>) -> Result<Imported, ImportError> {
        let vault = parse_json(NAME, bytes)?;
        let version = number(&vault, "version", 1).map_err(|e| damaged(NAME, e.to_string()))?;
        if version != 1 {
            return Err(ImportError::UnsupportedVersion {
                format: NAME,
                version: version.to_string(),
            });
        }
        match vault.get("db") {
            Some(db @ Value::Object(_)) => read_db(db),
            Some(Value::String(encrypted)) => {
                let header = vault
                    .get("header")
                    .ok_or_else(|| damaged(NAME, "the header is missing"))?;
                let password = password.ok_or(ImportError::NeedsPassword { format: NAME })?;
                let master = master_key(header, password)?;
                let params = header
                    .get("params")
                    .ok_or_else(|| damaged(NAME, "the header has no params"))?;
                let ciphertext = BASE64
                    .decode(encrypted.as_bytes())
                    .map_err(|_| damaged(NAME, "the encrypted db is not base64"))?;
                let plain = open(&master, params, &ciphertext).ok_or_else(|| {
                    damaged(
                        NAME,
                        "the password is right but the accounts do not decrypt (altered or cut short)",
                    )
                })?;
                let db = parse_json(NAME, &plain)?;
                read_db(&db)
            }
            Some(_) => Err(damaged(NAME, "db is neither accounts nor encrypted text")),
            None => Err(damaged(NAME, "db is missing")),
        }
    }
}

/// AES-GCM with a `{nonce, tag}` object in hex.
fn open(key: &[u8], params: &Value, ciphertext: &[u8]) -> Option<zeroize::Zeroizing<Vec<u8>>> {
    let nonce = hex(text(params, "nonce"))?;
    let tag = hex(text(params, "tag"))?;
    let mut sealed = ciphertext.to_vec();
    sealed.extend_from_slice(&tag);
    aes_gcm_open(key, &nonce, &sealed)
}

fn hex(text: &str) -> Option<Vec<u8>> {
    HEXLOWER_PERMISSIVE.decode(text.as_bytes()).ok()
}

/// The master key from the first password slot the password opens.
fn master_key(header: &Value, password: &str) -> Result<zeroize::Zeroizing<Vec<u8>>, ImportError> {
    let slots = header
        .get("slots")
        .and_then(Value::as_array)
        .ok_or_else(|| damaged(NAME, "the header has no key slots"))?;
    let mut password_slots = 0;
    for slot in slots.iter().filter(|s| number(s, "type", 0) == Ok(1)) {
        password_slots += 1;
        let derived = derive(slot, password)?;
        let key = hex(text(slot, "key")).ok_or_else(|| damaged(NAME, "a key slot is not hex"))?;
        let params = slot
            .get("key_params")
            .ok_or_else(|| damaged(NAME, "a key slot has no key_params"))?;
        if let Some(master) = open(derived.as_slice(), params, &key) {
            return Ok(master);
        }
    }
    if password_slots == 0 {
        return Err(ImportError::Unsupported {
            format: NAME,
            what: "this vault has no password slot (only biometric unlock); export it from Aegis \
                   with a password"
                .into(),
        });
    }
    Err(ImportError::WrongPassword { format: NAME })
}

/// scrypt with the slot's parameters.
fn derive(slot: &Value, password: &str) -> Result<zeroize::Zeroizing<[u8; 32]>, ImportError> {
    let bad = |why: &str| damaged(NAME, format!("a key slot's scrypt parameters are {why}"));
    let n = number(slot, "n", 0).map_err(|_| bad("not numbers"))?;
    let r = number(slot, "r", 0).map_err(|_| bad("not numbers"))?;
    let p = number(slot, "p", 0).map_err(|_| bad("not numbers"))?;
    if !n.is_power_of_two() || n < 2 || r == 0 || p == 0 {
        return Err(bad("invalid"));
    }
    if n.saturating_mul(r).saturating_mul(128) > MAX_SCRYPT_MEMORY || p > 16 {
        return Err(bad("too large"));
    }
    let salt = hex(text(slot, "salt")).ok_or_else(|| bad("missing their salt"))?;
    let log_n = u8::try_from(n.trailing_zeros()).map_err(|_| bad("invalid"))?;
    let params = scrypt::Params::new(
        log_n,
        u32::try_from(r).map_err(|_| bad("invalid"))?,
        u32::try_from(p).map_err(|_| bad("invalid"))?,
    )
    .map_err(|_| bad("invalid"))?;
    let mut key = zeroize::Zeroizing::new([0u8; 32]);
    scrypt::scrypt(password.as_bytes(), &salt, &params, key.as_mut_slice())
        .map_err(|_| bad("invalid"))?;
    Ok(key)
}

/// The accounts of a decrypted or plain `db` object.
fn read_db(db: &Value) -> Result<Imported, ImportError> {
    let version = number(db, "version", 1).map_err(|e| damaged(NAME, e.to_string()))?;
    if version == 0 || version > MAX_DB_VERSION {
        return Err(ImportError::UnsupportedVersion {
            format: NAME,
            version: format!("{version} (of the accounts)"),
        });
    }
    let entries = db
        .get("entries")
        .and_then(Value::as_array)
        .ok_or_else(|| damaged(NAME, "the vault has no entries list"))?;
    let mut out = Imported::default();
    for (index, entry) in entries.iter().enumerate() {
        let name = entry_name(index, text(entry, "issuer"), text(entry, "name"));
        match read_entry(entry) {
            Ok(uri) => out.push(
                uri,
                Extras {
                    note: text(entry, "note").trim().to_string(),
                    pinned: entry.get("favorite").and_then(Value::as_bool) == Some(true),
                },
            ),
            Err(why) => out.skipped.push(Skipped::entry(name, why)),
        }
    }
    Ok(out)
}

fn read_entry(entry: &Value) -> Result<crate::otp::OtpUri, SkipReason> {
    let kind = kind_named(text(entry, "type"), None)?;
    let info = entry
        .get("info")
        .filter(|i| i.is_object())
        .ok_or(SkipReason::NoInfo)?;
    EntryFields {
        issuer: text(entry, "issuer").into(),
        label: text(entry, "name").into(),
        secret: base32_secret(text(info, "secret"))?,
        kind,
        algorithm: algorithm(text(info, "algo"))?,
        digits: number(info, "digits", 6)?,
        period: number(info, "period", 30)?,
        counter: number(info, "counter", 0)?,
    }
    .into_uri()
}

// ---- writing a plain vault ----

/// A random (version 4) UUID, as Aegis gives each entry.
fn uuid(index: usize) -> String {
    let mut b = [0u8; 16];
    // Aegis only needs the UUIDs of one vault to differ: should the system's randomness fail,
    // the entry's position still makes them distinct.
    let _ = getrandom::fill(&mut b);
    for (byte, i) in b[10..].iter_mut().zip(index.to_be_bytes().iter().rev()) {
        *byte ^= i;
    }
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = data_encoding::HEXLOWER.encode(&b);
    format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..]
    )
}

fn entry(index: usize, uri: &OtpUri, extras: &Extras) -> Value {
    let p = &uri.params;
    let mut info = json!({
        "secret": uri.secret.to_base32().as_str(),
        "algo": p.algorithm.as_str(),
        "digits": p.digits,
    });
    let kind = match p.kind {
        Kind::Totp => {
            info["period"] = p.period.into();
            "totp"
        }
        Kind::Hotp => {
            info["counter"] = p.counter.into();
            "hotp"
        }
    };
    json!({
        "type": kind,
        "uuid": uuid(index),
        "name": uri.label,
        "issuer": uri.issuer.clone().unwrap_or_default(),
        "note": extras.note,
        "favorite": extras.pinned,
        "icon": null,
        "info": info,
        "groups": [],
    })
}

/// The plain vault's JSON text. `extras[i]` is the note and pin of `accounts[i]` (missing
/// ones are empty), written as the entry's `note` and `favorite` (Aegis's pin).
pub fn write(accounts: &[OtpUri], extras: &[Extras]) -> Zeroizing<String> {
    let none = Extras::default();
    let mut vault = json!({
        "version": 1,
        "header": { "slots": null, "params": null },
        "db": {
            "version": 3,
            "entries": accounts
                .iter()
                .enumerate()
                .map(|(i, uri)| entry(i, uri, extras.get(i).unwrap_or(&none)))
                .collect::<Vec<_>>(),
            "groups": [],
        },
    });
    let mut text = Zeroizing::new(serde_json::to_string_pretty(&vault).unwrap_or_default());
    text.push('\n');
    // The JSON tree holds the secrets too: overwrite them before it is dropped.
    if let Some(entries) = vault["db"]["entries"].as_array_mut() {
        for e in entries {
            if let Value::String(secret) = &mut e["info"]["secret"] {
                secret.zeroize();
            }
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::test_support::{PASSWORD, fixture};
    use crate::otp::{Algorithm, Params, Secret};

    #[test]
    fn the_plain_fixture_gives_seven_accounts_with_notes_and_skips_steam() -> Result<(), ImportError>
    {
        let bytes = fixture("aegis_plain.json");
        assert!(Aegis.detect(&bytes) && !Aegis.is_encrypted(&bytes));
        let got = Aegis.import(&bytes, None)?;
        assert_eq!(got.accounts.len(), 7);
        assert_eq!(got.skipped.len(), 1);
        assert_eq!(got.skipped[0].reason, SkipReason::Steam);
        assert!(
            got.skipped[0]
                .to_string()
                .starts_with("entry 6 (Steam: gamer.kantor): Steam")
        );
        assert!(got.extras_of(0).note.starts_with("Akun penyedia"));
        assert!(got.extras_of(1).note.contains('—'));
        assert!(got.extras_of(2).pinned && !got.extras_of(1).pinned);
        assert_eq!(
            got.accounts[3].issuer.as_deref(),
            Some("Dinas Pekerjaan Umum – Bidang Jalan")
        );
        Ok(())
    }

    #[test]
    fn the_encrypted_sample_opens_with_its_password_only() -> Result<(), ImportError> {
        let bytes = fixture("aegis_encrypted.json");
        assert!(Aegis.detect(&bytes) && Aegis.is_encrypted(&bytes));
        assert_eq!(
            Aegis.import(&bytes, None),
            Err(ImportError::NeedsPassword { format: NAME })
        );
        assert_eq!(
            Aegis.import(&bytes, Some("wrong")),
            Err(ImportError::WrongPassword { format: NAME })
        );
        let plain = Aegis.import(&fixture("aegis_plain.json"), None)?;
        assert_eq!(Aegis.import(&bytes, Some(PASSWORD))?, plain);
        Ok(())
    }

    #[test]
    fn an_entry_with_a_bad_secret_or_type_is_skipped_alone() -> Result<(), ImportError> {
        let text = std::str::from_utf8(&fixture("aegis_plain.json"))
            .map_err(|e| damaged(NAME, e.to_string()))?
            .replacen(
                "ZH4FMSRC3LM7FA2HN6KUJTJXUJZZHJNA",
                "ZH4FMSRC3LM7FA2H!6KUJTJXUJZZHJNA",
                1,
            )
            .replacen("\"hotp\"", "\"motp\"", 1);
        let got = Aegis.import(text.as_bytes(), None)?;
        assert_eq!(got.accounts.len(), 5);
        assert_eq!(got.skipped.len(), 3, "{:?}", got.skipped);
        assert!(
            got.skipped[0]
                .to_string()
                .starts_with("entry 1 (LPSE Kota Bandung: penyedia@cv-maju-jaya.example)")
        );
        assert_eq!(got.skipped[0].reason, SkipReason::SecretNotBase32);
        assert_eq!(
            got.skipped[1].reason,
            SkipReason::UnsupportedType {
                found: "motp".into()
            }
        );
        assert!(
            got.skipped[1]
                .to_string()
                .contains("motp codes are not supported")
        );
        Ok(())
    }

    #[test]
    fn other_vault_versions_are_refused() {
        let v2 = br#"{"version": 2, "header": {}, "db": {"version": 1, "entries": []}}"#;
        assert!(matches!(
            Aegis.import(v2, None),
            Err(ImportError::UnsupportedVersion { .. })
        ));
        let db9 = br#"{"version": 1, "header": {}, "db": {"version": 9, "entries": []}}"#;
        assert!(matches!(
            Aegis.import(db9, None),
            Err(ImportError::UnsupportedVersion { .. })
        ));
    }

    #[test]
    fn a_vault_reads_back_to_the_same_accounts() {
        let accounts = vec![
            OtpUri {
                issuer: Some("LPSE".into()),
                label: "budi".into(),
                secret: Secret::from_bytes((0..20).collect()),
                params: Params {
                    algorithm: Algorithm::Sha256,
                    digits: 7,
                    period: 60,
                    ..Params::default()
                },
            },
            OtpUri {
                issuer: None,
                label: "counter".into(),
                secret: Secret::from_bytes((5..37).collect()),
                params: Params {
                    kind: Kind::Hotp,
                    algorithm: Algorithm::Sha512,
                    digits: 8,
                    period: 30,
                    counter: 9,
                },
            },
        ];
        let extras = vec![
            Extras {
                note: "kantor".into(),
                pinned: true,
            },
            Extras::default(),
        ];
        let text = write(&accounts, &extras);
        let bytes = text.as_bytes();
        assert!(Aegis.detect(bytes) && !Aegis.is_encrypted(bytes));
        assert_eq!(
            Aegis.import(bytes, None).map(|i| (i.accounts, i.extras)),
            Ok((accounts, extras))
        );
    }
}
