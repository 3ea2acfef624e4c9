/*!
Kunci's own encrypted backup, both directions: every account, secrets included, in one file
under a passphrase ([`seal`]), read back by [`open`] or, through the [`Importer`] trait, by
`kunci import` and the window's Import. Nothing is lost: every TOTP and HOTP account comes back
whole, counters included, with its note and pin, in the order of the list it was made from.

Why Argon2id + XChaCha20-Poly1305 and not age: the format is small and fixed (one JSON object,
one AEAD), its key-derivation parameters are written in the file in plain sight (so a backup made
today opens with whatever parameters a later Kunci prefers), and it needs no second container
format or tool to read. age's scrypt recipient hides its work factor inside a binary header and
would add a dependency for what is here a hundred lines.

The file is one JSON object:

```json
{
  "kunci_backup": 1,
  "kdf": { "algorithm": "argon2id", "version": 19, "m_cost_kib": 65536, "t_cost": 3,
           "p_cost": 1, "salt": "<base64, 16 bytes>", "check": "<base64, 16 bytes>" },
  "cipher": "xchacha20poly1305",
  "nonce": "<base64, 24 bytes>",
  "ciphertext": "<base64>"
}
```

Argon2id(passphrase, salt) gives 64 bytes: the first 32 are the XChaCha20-Poly1305 key; the last
32, hashed with SHA-256 under a label, give `check`, which tells a wrong passphrase from a damaged
file (it lets nobody test guesses any faster than the ciphertext already does: each guess still
costs one Argon2id). Every header field is authenticated as associated data, in the canonical
form of `store::sealed` (shared with the vault file), so changing a parameter breaks decryption. The plaintext is JSON:
`{"kunci_accounts": 1, "accounts": [{"issuer", "label", "type", "algorithm", "digits", "period",
"counter", "secret" (base32), "note", "pinned"}]}`, the accounts in the list's order.

`note` (text) and `pinned` (true or false) were added later and are optional: a backup without
them opens with empty notes and nothing pinned. Both version numbers stayed 1, because the
change only adds fields: older Kunci reads every other field as before and ignores these two
(its reader skips unknown keys), so a new backup still opens there, losing only notes and pins;
a new version number would have made older Kunci refuse the whole file.
*/

use serde_json::{Value, json};
use zeroize::Zeroizing;

use super::{
    EntryFields, ImportError, Imported, Importer, SkipReason, Skipped, damaged, entry_name,
    kind_named, looks_like_object, number, text,
};
use crate::accounts::Extras;
use crate::json::zeroize_strings;
use crate::otp::{Kind, OtpUri};
use crate::store::sealed::{self, Format, SealError, SealKey, UnsealError};

pub use crate::store::KdfParams;

/// The format's name in errors.
pub const NAME: &str = "Kunci backup";

/// The envelope: tag `kunci_backup`, version 1.
const FORMAT: Format = Format {
    tag: "kunci_backup",
    version: 1,
    check_label: b"kunci backup passphrase check v1",
};
/// The version of the account list inside.
const ACCOUNTS_VERSION: u64 = 1;

/// Why a backup could not be made.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BackupError {
    /// An empty passphrase would protect nothing.
    #[error("the passphrase is empty")]
    EmptyPassphrase,
    /// The system's random generator failed.
    #[error("no randomness for the backup's salt and nonce: {0}")]
    Random(String),
    /// Argon2 refused the parameters.
    #[error("cannot derive the backup key: {0}")]
    Kdf(String),
    /// Encryption failed.
    #[error("cannot encrypt the backup")]
    Encrypt,
}

impl From<SealError> for BackupError {
    fn from(e: SealError) -> Self {
        match e {
            SealError::Random(why) => BackupError::Random(why),
            SealError::Kdf(why) => BackupError::Kdf(why),
            SealError::Encrypt => BackupError::Encrypt,
        }
    }
}

/// The backup's words for why it could not be opened.
fn open_error(e: UnsealError) -> ImportError {
    match e {
        UnsealError::Damaged(why) => damaged(NAME, why),
        UnsealError::UnsupportedVersion(version) => ImportError::UnsupportedVersion {
            format: NAME,
            version: version.to_string(),
        },
        UnsealError::UnknownKdf => ImportError::Unsupported {
            format: NAME,
            what: "this backup uses a key derivation this Kunci does not know".into(),
        },
        UnsealError::UnknownCipher => ImportError::Unsupported {
            format: NAME,
            what: "this backup uses a cipher this Kunci does not know".into(),
        },
        UnsealError::TooMuchWork(what) => ImportError::TooMuchWork { format: NAME, what },
        UnsealError::WrongPassphrase => ImportError::WrongPassword { format: NAME },
        UnsealError::Undecryptable => damaged(
            NAME,
            "the passphrase is right but the accounts do not decrypt (altered or cut short)",
        ),
    }
}

/// The accounts as the backup's plaintext JSON (secrets in base32), in order.
fn plaintext(accounts: &[OtpUri], extras: &[Extras]) -> Zeroizing<Vec<u8>> {
    let none = Extras::default();
    let entries: Vec<Value> = accounts
        .iter()
        .enumerate()
        .map(|(index, uri)| {
            let p = &uri.params;
            let extras = extras.get(index).unwrap_or(&none);
            json!({
                "issuer": uri.issuer.clone().unwrap_or_default(),
                "label": uri.label,
                "type": match p.kind { Kind::Totp => "totp", Kind::Hotp => "hotp" },
                "algorithm": p.algorithm.as_str(),
                "digits": p.digits,
                "period": p.period,
                "counter": p.counter,
                "secret": uri.secret.to_base32().as_str(),
                "note": extras.note,
                "pinned": extras.pinned,
            })
        })
        .collect();
    let mut value = json!({ "kunci_accounts": ACCOUNTS_VERSION, "accounts": entries });
    let bytes = Zeroizing::new(serde_json::to_vec(&value).unwrap_or_default());
    zeroize_strings(&mut value);
    bytes
}

/// The backup file's bytes for `accounts` under `passphrase`, with the default parameters.
/// `extras[i]` is the note and pin of `accounts[i]` (missing ones are empty); the order of
/// `accounts` is kept.
pub fn seal(
    accounts: &[OtpUri],
    extras: &[Extras],
    passphrase: &str,
) -> Result<Vec<u8>, BackupError> {
    seal_with(accounts, extras, passphrase, KdfParams::default())
}

/// [`seal`] with chosen Argon2id parameters (recorded in the file).
pub fn seal_with(
    accounts: &[OtpUri],
    extras: &[Extras],
    passphrase: &str,
    params: KdfParams,
) -> Result<Vec<u8>, BackupError> {
    if passphrase.is_empty() {
        return Err(BackupError::EmptyPassphrase);
    }
    let key = SealKey::new(&FORMAT, passphrase, params)?;
    Ok(sealed::seal(&FORMAT, &key, &plaintext(accounts, extras))?)
}

/// The Argon2id parameters a backup file records, for display or checks.
pub fn params_of(bytes: &[u8]) -> Result<KdfParams, ImportError> {
    Ok(sealed::read(&FORMAT, bytes).map_err(open_error)?.params)
}

/// Reads the accounts of a backup file. A wrong passphrase is [`ImportError::WrongPassword`];
/// a damaged or cut-short file is [`ImportError::Damaged`]; either way nothing is returned.
pub fn open(bytes: &[u8], passphrase: &str) -> Result<Imported, ImportError> {
    let header = sealed::read(&FORMAT, bytes).map_err(open_error)?;
    let (_, plain) = sealed::open(&FORMAT, &header, passphrase).map_err(open_error)?;
    let mut inner: Value = serde_json::from_slice(&plain)
        .map_err(|_| damaged(NAME, "the decrypted accounts are not valid JSON"))?;
    let result = read_accounts(&inner);
    zeroize_strings(&mut inner);
    result
}

fn read_accounts(inner: &Value) -> Result<Imported, ImportError> {
    let version = number(inner, "kunci_accounts", 0).map_err(|e| damaged(NAME, e.to_string()))?;
    if version != ACCOUNTS_VERSION {
        return Err(ImportError::UnsupportedVersion {
            format: NAME,
            version: format!("{version} (of the accounts)"),
        });
    }
    let entries = inner
        .get("accounts")
        .and_then(Value::as_array)
        .ok_or_else(|| damaged(NAME, "the backup has no accounts list"))?;
    let mut out = Imported::default();
    for (index, entry) in entries.iter().enumerate() {
        let name = entry_name(index, text(entry, "issuer"), text(entry, "label"));
        match read_entry(entry) {
            Ok(uri) => out.push(uri, read_extras(entry)),
            Err(why) => out.skipped.push(Skipped::entry(name, why)),
        }
    }
    Ok(out)
}

/// The optional note and pin (absent from older backups; a pin that is not a boolean is off).
fn read_extras(entry: &Value) -> Extras {
    Extras {
        note: text(entry, "note").trim().to_string(),
        pinned: entry
            .get("pinned")
            .and_then(Value::as_bool)
            .unwrap_or(false),
    }
}

fn read_entry(entry: &Value) -> Result<OtpUri, SkipReason> {
    let kind = kind_named(text(entry, "type"), None)?;
    EntryFields::from_fields(entry, kind)
}

/// A Kunci backup file.
pub struct KunciBackup;

impl Importer for KunciBackup {
    fn name(&self) -> &'static str {
        NAME
    }

    fn detect(&self, bytes: &[u8]) -> bool {
        looks_like_object(bytes, &[&["kunci_backup"]])
    }

    fn is_encrypted(&self, _bytes: &[u8]) -> bool {
        true
    }

    fn import(&self, bytes: &[u8], password: Option<&str>) -> Result<Imported, ImportError> {
        let password = password.ok_or(ImportError::NeedsPassword { format: NAME })?;
        open(bytes, password)
    }
}

#[cfg(test)]
mod tests {
    use data_encoding::BASE64;

    use super::*;
    use crate::otp::{Algorithm, Params, Secret};

    fn accounts() -> Vec<OtpUri> {
        let uri = |issuer: &str, algorithm, digits, period, kind, counter| OtpUri {
            issuer: Some(issuer.to_string()),
            label: format!("{issuer} user"),
            secret: Secret::from_bytes((0..20).collect()),
            params: Params {
                kind,
                algorithm,
                digits,
                period,
                counter,
            },
        };
        vec![
            uri("A", Algorithm::Sha1, 6, 30, Kind::Totp, 0),
            uri("B", Algorithm::Sha256, 7, 60, Kind::Totp, 0),
            uri("C", Algorithm::Sha512, 8, 30, Kind::Totp, 0),
            uri("D", Algorithm::Sha1, 6, 30, Kind::Hotp, 42),
        ]
    }

    fn extras() -> Vec<Extras> {
        vec![
            Extras::default(),
            Extras {
                note: "kantor cabang Bandung".into(),
                pinned: true,
            },
            Extras {
                note: String::new(),
                pinned: true,
            },
            Extras {
                note: "catatan \"kutip\" dan ünïcode".into(),
                pinned: false,
            },
        ]
    }

    fn sealed() -> Vec<u8> {
        seal_with(
            &accounts(),
            &extras(),
            "correct horse",
            KdfParams::light_for_tests(),
        )
        .unwrap_or_default()
    }

    #[test]
    fn a_backup_opens_to_the_same_accounts_notes_pins_and_order() -> Result<(), ImportError> {
        let got = open(&sealed(), "correct horse")?;
        assert_eq!(got.accounts, accounts());
        assert_eq!(got.extras, extras());
        assert!(got.skipped.is_empty());
        Ok(())
    }

    #[test]
    fn missing_extras_are_written_empty() -> Result<(), ImportError> {
        let bytes =
            seal_with(&accounts(), &[], "p", KdfParams::light_for_tests()).unwrap_or_default();
        let got = open(&bytes, "p")?;
        assert_eq!(got.extras, vec![Extras::default(); 4]);
        Ok(())
    }

    #[test]
    fn accounts_without_note_or_pin_read_as_empty() -> Result<(), ImportError> {
        // The plaintext of a backup written before notes and pins existed.
        let inner = json!({"kunci_accounts": 1, "accounts": [
            {"issuer": "A", "label": "a", "type": "totp", "algorithm": "SHA1", "digits": 6,
             "period": 30, "counter": 0, "secret": "JBSWY3DPEHPK3PXP"},
            {"issuer": "B", "label": "b", "type": "totp", "algorithm": "SHA1", "digits": 6,
             "period": 30, "counter": 0, "secret": "JBSWY3DPEHPK3PXP", "pinned": "yes", "note": 3}
        ]});
        let got = read_accounts(&inner)?;
        assert_eq!(got.accounts.len(), 2);
        assert_eq!(got.extras, vec![Extras::default(); 2]);
        Ok(())
    }

    #[test]
    fn the_file_records_the_parameters_used() -> Result<(), ImportError> {
        assert_eq!(params_of(&sealed())?, KdfParams::light_for_tests());
        Ok(())
    }

    /// A backup asking Argon2id for 1 GiB × 64 passes (a minute and a gigabyte before).
    fn hostile() -> Vec<u8> {
        let mut file: Value = serde_json::from_slice(&sealed()).unwrap_or_default();
        file["kdf"]["m_cost_kib"] = (1u64 << 20).into();
        file["kdf"]["t_cost"] = 64.into();
        serde_json::to_vec(&file).unwrap_or_default()
    }

    #[test]
    fn a_backup_asking_for_a_gigabyte_times_64_is_refused_at_once() {
        let bytes = hostile();
        let start = std::time::Instant::now();
        let result = open(&bytes, "correct horse");
        let took = start.elapsed();
        println!("Kunci backup asking Argon2id 1 GiB × 64 refused in {took:?}");
        let refusal = ImportError::TooMuchWork {
            format: NAME,
            what: crate::kdf::TooMuchWork::Argon2id {
                memory_kib: 1 << 20,
                passes: 64,
                lanes: 1,
            },
        };
        assert_eq!(result, Err(refusal.clone()));
        assert!(took < std::time::Duration::from_secs(2), "{took:?}");
        assert_eq!(params_of(&bytes), Err(refusal.clone()));
        assert_eq!(crate::import::import_file(&bytes, Some("x")), Err(refusal));
    }

    #[test]
    fn what_kunci_writes_is_within_the_bound() {
        let d = KdfParams::default();
        assert_eq!(
            crate::kdf::check_argon2id(d.m_cost_kib.into(), d.t_cost.into(), d.p_cost.into()),
            Ok(())
        );
        assert!(open(BEFORE_SEALED_RS.as_bytes(), "correct horse").is_ok());
    }

    #[test]
    fn a_wrong_passphrase_is_its_own_error() {
        assert_eq!(
            open(&sealed(), "wrong"),
            Err(ImportError::WrongPassword { format: NAME })
        );
    }

    #[test]
    fn an_empty_passphrase_is_refused() {
        assert!(matches!(
            seal_with(&accounts(), &[], "", KdfParams::light_for_tests()),
            Err(BackupError::EmptyPassphrase)
        ));
    }

    #[test]
    fn a_cut_short_file_is_damaged() {
        let bytes = sealed();
        for len in [0, 10, bytes.len() / 2, bytes.len() - 3] {
            assert!(
                matches!(
                    open(&bytes[..len], "correct horse"),
                    Err(ImportError::Damaged { .. })
                ),
                "length {len}"
            );
        }
    }

    #[test]
    fn a_changed_ciphertext_is_damaged() -> Result<(), ImportError> {
        let mut file: Value = serde_json::from_slice(&sealed()).map_err(|_| damaged(NAME, ""))?;
        let mut ct = BASE64
            .decode(text(&file, "ciphertext").as_bytes())
            .map_err(|_| damaged(NAME, ""))?;
        ct[5] ^= 1;
        file["ciphertext"] = BASE64.encode(&ct).into();
        let bytes = serde_json::to_vec(&file).map_err(|_| damaged(NAME, ""))?;
        assert!(matches!(
            open(&bytes, "correct horse"),
            Err(ImportError::Damaged { .. })
        ));
        Ok(())
    }

    #[test]
    fn a_changed_header_parameter_breaks_decryption() -> Result<(), ImportError> {
        let mut file: Value = serde_json::from_slice(&sealed()).map_err(|_| damaged(NAME, ""))?;
        file["kdf"]["t_cost"] = 2.into();
        let bytes = serde_json::to_vec(&file).map_err(|_| damaged(NAME, ""))?;
        assert!(open(&bytes, "correct horse").is_err());
        Ok(())
    }

    #[test]
    fn the_file_never_holds_a_secret_in_clear() {
        let text = String::from_utf8(sealed()).unwrap_or_default();
        let secret = accounts()[0].secret.to_base32();
        assert!(!text.contains(secret.as_str()));
        assert!(!text.contains("user"));
        assert!(!text.contains("kantor"));
    }
    /// A backup written by Kunci before the sealing moved to sealed.rs (shared with the vault):
    /// it still opens, and a new file has the same fields in the same order.
    const BEFORE_SEALED_RS: &str = r#"{
  "kunci_backup": 1,
  "kdf": {
    "algorithm": "argon2id",
    "version": 19,
    "m_cost_kib": 65536,
    "t_cost": 3,
    "p_cost": 1,
    "salt": "eXvv1OYUnxNfqGvwVsqfUQ==",
    "check": "FEpWi0dpFRTnFmPfJ72KiQ=="
  },
  "cipher": "xchacha20poly1305",
  "nonce": "/QPkUnNeMyt2ya0Dmj9yH6tnMsSjIjnM",
  "ciphertext": "uzhP+DAm7t1XkG83fC5JpVF6hwIfuHLZcF5kOMol/U0jcxyDrmwjng1kN7prOTOLl8vckPRMsCiMk37DSsf6VKp5EB5SesJYljL2J+j2SJ4Ql5pKSwzJuyKaBO4zGOY9PrJFCTHju3KxAkWtu9fFkg2Z+gTxQQZDtoI/vzwfmzLkFMQvt58jaxjZXP4IY6RyG5E5t8G5eXDn2noecXd6eBS0hUTPraIfL+rrTjAUZTgGmdFClyTFDLEQz/Wt84g="
}"#;

    #[test]
    fn a_backup_from_before_the_shared_sealing_still_opens() -> Result<(), ImportError> {
        let got = open(BEFORE_SEALED_RS.as_bytes(), "correct horse")?;
        assert_eq!(got.accounts.len(), 1);
        let uri = &got.accounts[0];
        assert_eq!(
            (uri.issuer.as_deref(), uri.label.as_str()),
            (Some("LPSE Kota Bandung"), "budi")
        );
        assert_eq!(uri.secret.to_base32().as_str(), "JBSWY3DPEHPK3PXP");
        let keys = |text: &str| -> Vec<String> {
            text.lines()
                .filter_map(|l| l.trim().split_once("\":").map(|(k, _)| k.to_string()))
                .collect()
        };
        let new = String::from_utf8(sealed()).unwrap_or_default();
        assert_eq!(keys(&new), keys(BEFORE_SEALED_RS));
        Ok(())
    }

    #[test]
    fn a_backup_is_recognised_and_needs_its_passphrase() {
        let bytes = br#"{"kunci_backup": 1, "kdf": {}, "nonce": "", "ciphertext": ""}"#;
        assert!(crate::import::detect(bytes).is_ok_and(|i| i.name() == NAME));
        assert_eq!(
            KunciBackup.import(bytes, None),
            Err(ImportError::NeedsPassword { format: NAME })
        );
        assert!(matches!(
            KunciBackup.import(b"{\"kunci_backup\": 1, \"kdf", Some("x")),
            Err(ImportError::Damaged { .. })
        ));
    }

    #[test]
    fn only_a_top_level_tag_makes_a_backup() {
        assert!(!KunciBackup.detect(br#"{"list": [{"kunci_backup": 1}]}"#));
        assert!(KunciBackup.detect(br#"{"kunci_backup": 1, "kdf": {"#));
    }

    #[test]
    fn a_backup_is_not_a_vault() {
        use crate::store::{DataDir, Vault};
        let tmp = tempfile::tempdir().expect("tempdir");
        let dir = DataDir::new(tmp.path());
        std::fs::write(Vault::path(&dir), sealed()).expect("write");
        assert!(Vault::unlock(&dir, "correct horse").is_err());
    }
}
