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
    base32_secret, damaged, entry_name, kind_named, looks_like_object, number, parse_json, text,
};
use crate::accounts::Extras;
use crate::otp::{Kind, OtpUri};

/// An Aegis vault.
pub struct Aegis;

const NAME: &str = "Aegis";

/// The newest `db` version this importer knows.
const MAX_DB_VERSION: u64 = 3;

/// The longest scrypt salt read (Aegis writes 32 bytes): the PBKDF2 step of scrypt hashes it
/// 4·r·p times, so a salt of megabytes would be work too.
const MAX_SALT_BYTES: usize = 1024;

impl Importer for Aegis {
    fn name(&self) -> &'static str {
        NAME
    }

    fn detect(&self, bytes: &[u8]) -> bool {
        // `slots` (inside `header`) recognises an encrypted vault cut short before its `db`.
        looks_like_object(bytes, &[&["header", "db"], &["header", "slots"]])
    }

    fn is_encrypted(&self, bytes: &[u8]) -> bool {
        serde_json::from_slice::<Value>(crate::json::without_bom(bytes))
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
///
/// Every password slot is read and its scrypt cost checked before the first derivation: each
/// slot within the per-slot bound, and all of them together within the total (a wrong password
/// tries them all), as `crate::kdf` sets out. Raw and biometric slots are never derived and do
/// not count. A file beyond either bound is refused at once, whatever its other slots hold.
fn master_key(header: &Value, password: &str) -> Result<zeroize::Zeroizing<Vec<u8>>, ImportError> {
    let slots = header
        .get("slots")
        .and_then(Value::as_array)
        .ok_or_else(|| damaged(NAME, "the header has no key slots"))?;
    let password_slots = slots
        .iter()
        .filter(|s| number(s, "type", 0) == Ok(1))
        .map(PasswordSlot::read)
        .collect::<Result<Vec<_>, _>>()?;
    if password_slots.is_empty() {
        return Err(ImportError::Unsupported {
            format: NAME,
            what: "this vault has no password slot (only biometric unlock); export it from Aegis \
                   with a password"
                .into(),
        });
    }
    let works: Vec<u64> = password_slots.iter().map(|s| s.work).collect();
    crate::kdf::check_scrypt_total(&works)
        .map_err(|what| ImportError::TooMuchWork { format: NAME, what })?;
    for slot in &password_slots {
        let derived = slot.derive(password)?;
        if let Some(master) = open(derived.as_slice(), slot.key_params, &slot.key) {
            return Ok(master);
        }
    }
    Err(ImportError::WrongPassword { format: NAME })
}

/// A password slot as read, its scrypt cost checked, not yet derived.
struct PasswordSlot<'a> {
    params: scrypt::Params,
    /// N·r·p.
    work: u64,
    salt: Vec<u8>,
    /// The master key, encrypted.
    key: Vec<u8>,
    key_params: &'a Value,
}

impl<'a> PasswordSlot<'a> {
    /// The slot's fields; refused when its scrypt parameters are invalid or beyond the bounds.
    fn read(slot: &'a Value) -> Result<Self, ImportError> {
        let bad = |why: &str| damaged(NAME, format!("a key slot's scrypt parameters are {why}"));
        let n = number(slot, "n", 0).map_err(|_| bad("not numbers"))?;
        let r = number(slot, "r", 0).map_err(|_| bad("not numbers"))?;
        let p = number(slot, "p", 0).map_err(|_| bad("not numbers"))?;
        if !n.is_power_of_two() || n < 2 || r == 0 || p == 0 {
            return Err(bad("invalid"));
        }
        let work = crate::kdf::check_scrypt(n, r, p)
            .map_err(|what| ImportError::TooMuchWork { format: NAME, what })?;
        let salt = hex(text(slot, "salt")).ok_or_else(|| bad("missing their salt"))?;
        if salt.len() > MAX_SALT_BYTES {
            return Err(bad("beyond any Aegis writes (the salt is too long)"));
        }
        let log_n = u8::try_from(n.trailing_zeros()).map_err(|_| bad("invalid"))?;
        let params = scrypt::Params::new(
            log_n,
            u32::try_from(r).map_err(|_| bad("invalid"))?,
            u32::try_from(p).map_err(|_| bad("invalid"))?,
        )
        .map_err(|_| bad("invalid"))?;
        let key = hex(text(slot, "key")).ok_or_else(|| damaged(NAME, "a key slot is not hex"))?;
        let key_params = slot
            .get("key_params")
            .ok_or_else(|| damaged(NAME, "a key slot has no key_params"))?;
        Ok(PasswordSlot {
            params,
            work,
            salt,
            key,
            key_params,
        })
    }

    /// scrypt with the slot's parameters.
    fn derive(&self, password: &str) -> Result<zeroize::Zeroizing<[u8; 32]>, ImportError> {
        let mut key = zeroize::Zeroizing::new([0u8; 32]);
        scrypt::scrypt(
            password.as_bytes(),
            &self.salt,
            &self.params,
            key.as_mut_slice(),
        )
        .map_err(|_| damaged(NAME, "a key slot's scrypt parameters are invalid"))?;
        Ok(key)
    }
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

    /// An encrypted vault whose `count` password slots ask scrypt for N, r, p (with a raw
    /// slot first, which is never derived).
    fn vault_with_slots(count: usize, n: u64, r: u64, p: u64) -> Vec<u8> {
        let slot = json!({
            "type": 1, "uuid": "00000000-0000-4000-8000-000000000000",
            "key": "00".repeat(48),
            "key_params": {"nonce": "00".repeat(12), "tag": "00".repeat(16)},
            "n": n, "r": r, "p": p, "salt": "11".repeat(32),
        });
        let raw = json!({"type": 0, "key": "00".repeat(48), "key_params": {}, "n": 1u64 << 40});
        let mut slots = vec![raw];
        slots.extend(std::iter::repeat_n(slot, count));
        let vault = json!({
            "version": 1,
            "header": {"slots": slots, "params": {"nonce": "00".repeat(12), "tag": "00".repeat(16)}},
            "db": "AAAA",
        });
        serde_json::to_vec(&vault).unwrap_or_default()
    }

    /// The file's answer to a password, and how long it took.
    fn timed_import(bytes: &[u8]) -> (Result<Imported, ImportError>, std::time::Duration) {
        let start = std::time::Instant::now();
        let result = Aegis.import(bytes, Some("x"));
        (result, start.elapsed())
    }

    #[test]
    fn fifty_slots_asking_for_hours_are_refused_at_once() {
        let bytes = vault_with_slots(50, 1 << 20, 8, 16);
        assert!(Aegis.detect(&bytes) && Aegis.is_encrypted(&bytes));
        let (result, took) = timed_import(&bytes);
        println!("50 slots of scrypt N=2^20, r=8, p=16 refused in {took:?}");
        assert_eq!(
            result,
            Err(ImportError::TooMuchWork {
                format: NAME,
                what: crate::kdf::TooMuchWork::Scrypt {
                    n: 1 << 20,
                    r: 8,
                    p: 16
                }
            })
        );
        assert!(took < std::time::Duration::from_secs(2), "{took:?}");
    }

    #[test]
    fn one_slot_beyond_the_per_slot_bound_is_refused_before_any_derivation() {
        // N·r·p = 2^21 (twice the bound) with only 64 MiB: before, it was derived (half a
        // second) and answered "wrong password".
        let (result, took) = timed_import(&vault_with_slots(1, 1 << 16, 8, 4));
        println!("one slot of N·r·p = 2^21 refused in {took:?}");
        assert!(
            matches!(
                result,
                Err(ImportError::TooMuchWork {
                    what: crate::kdf::TooMuchWork::Scrypt { .. },
                    ..
                })
            ),
            "{result:?}"
        );
        // 256 MiB of memory (N = 2^18, r = 8): beyond the memory bound.
        let (result, _) = timed_import(&vault_with_slots(1, 1 << 18, 8, 1));
        assert!(
            matches!(result, Err(ImportError::TooMuchWork { .. })),
            "{result:?}"
        );
    }

    #[test]
    fn slots_within_the_bound_one_by_one_are_refused_together() {
        // Nine slots as Aegis writes them (N·r·p = 2^18 each): more than the 2^21 in all.
        let (result, took) = timed_import(&vault_with_slots(9, 1 << 15, 8, 1));
        println!("nine Aegis-strength slots refused in {took:?}");
        assert_eq!(
            result,
            Err(ImportError::TooMuchWork {
                format: NAME,
                what: crate::kdf::TooMuchWork::ScryptSlots {
                    slots: 9,
                    total: 9 << 18
                }
            })
        );
        assert!(took < std::time::Duration::from_secs(2), "{took:?}");
        // Two such slots (a password and a backup password) are tried, and the raw slot before
        // them with its absurd N is not counted: the answer is the password's.
        let (result, _) = timed_import(&vault_with_slots(2, 1 << 15, 8, 1));
        assert_eq!(result, Err(ImportError::WrongPassword { format: NAME }));
    }

    #[test]
    fn a_bom_does_not_hide_the_encryption() {
        let mut bytes = b"\xEF\xBB\xBF".to_vec();
        bytes.extend(fixture("aegis_encrypted.json"));
        assert!(Aegis.detect(&bytes) && Aegis.is_encrypted(&bytes));
        assert_eq!(
            crate::import::detect(&bytes).map(|i| i.is_encrypted(&bytes)),
            Ok(true)
        );
        assert!(Aegis.import(&bytes, Some(PASSWORD)).is_ok());
    }

    #[test]
    fn only_top_level_header_and_db_make_a_vault() {
        for bytes in [
            &br#"{"list": [{"header": "h", "db": "d"}]}"#[..],
            br#"{"note": "\"header\" \"db\"", "x": 1}"#,
        ] {
            assert!(!Aegis.detect(bytes), "{}", String::from_utf8_lossy(bytes));
        }
        // A vault cut short is still recognised, to be called damaged.
        let full = fixture("aegis_encrypted.json");
        assert!(Aegis.detect(&full[..full.len() / 2]));
    }

    #[test]
    fn an_hotp_entry_with_a_period_reads_back_the_same_from_its_uri() -> Result<(), ImportError> {
        let text = std::str::from_utf8(&fixture("aegis_plain.json"))
            .map_err(|e| damaged(NAME, e.to_string()))?
            .replacen("\"counter\": 42", "\"counter\": 42, \"period\": 60", 1);
        let got = Aegis.import(text.as_bytes(), None)?;
        let hotp = got
            .accounts
            .iter()
            .find(|a| a.params.kind == Kind::Hotp)
            .ok_or_else(|| damaged(NAME, "no HOTP account"))?;
        assert_eq!((hotp.params.counter, hotp.params.period), (42, 30));
        assert_eq!(OtpUri::parse(&hotp.to_uri()).as_ref(), Ok(hotp));
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
