/*!
Kunci's own encrypted backup: every account, secrets included, in one file under a passphrase.

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
form of [`aad`], so changing a parameter breaks decryption. The plaintext is JSON:
`{"kunci_accounts": 1, "accounts": [{"issuer", "label", "type", "algorithm", "digits", "period",
"counter", "secret" (base32)}]}`.
*/

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use data_encoding::BASE64;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::import::{Entry, ImportError, Imported, damaged, entry_name, number, text};
use crate::otp::{Kind, OtpUri};

/// The format's name in errors.
pub const NAME: &str = "Kunci backup";

/// The envelope version written and read.
const VERSION: u64 = 1;
/// The version of the account list inside.
const ACCOUNTS_VERSION: u64 = 1;
const SALT_BYTES: usize = 16;
const NONCE_BYTES: usize = 24;
const CHECK_BYTES: usize = 16;
const CHECK_LABEL: &[u8] = b"kunci backup passphrase check v1";
/// Parameters beyond these are refused when reading: minutes of work and gigabytes of memory.
const MAX_M_COST_KIB: u32 = 1 << 20;
const MAX_T_COST: u32 = 64;
const MAX_P_COST: u32 = 16;

/// Argon2id's cost parameters; the file records whichever were used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KdfParams {
    /// Memory in KiB.
    pub m_cost_kib: u32,
    /// Passes over the memory.
    pub t_cost: u32,
    /// Lanes.
    pub p_cost: u32,
}

impl Default for KdfParams {
    /// 64 MiB, 3 passes, 1 lane: RFC 9106's second recommended option with one lane (a fraction
    /// of a second on an office laptop; Kunci derives one key per backup).
    fn default() -> Self {
        Self {
            m_cost_kib: 64 * 1024,
            t_cost: 3,
            p_cost: 1,
        }
    }
}

impl KdfParams {
    /// Light parameters (1 MiB, 1 pass) so that unit tests run fast. Never for real backups.
    #[cfg(test)]
    pub(crate) fn light_for_tests() -> Self {
        Self {
            m_cost_kib: 1024,
            t_cost: 1,
            p_cost: 1,
        }
    }
}

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

/// The accounts as the backup's plaintext JSON (secrets in base32).
fn plaintext(accounts: &[OtpUri]) -> Zeroizing<Vec<u8>> {
    let entries: Vec<Value> = accounts
        .iter()
        .map(|uri| {
            let p = &uri.params;
            json!({
                "issuer": uri.issuer.clone().unwrap_or_default(),
                "label": uri.label,
                "type": match p.kind { Kind::Totp => "totp", Kind::Hotp => "hotp" },
                "algorithm": p.algorithm.as_str(),
                "digits": p.digits,
                "period": p.period,
                "counter": p.counter,
                "secret": uri.secret.to_base32().as_str(),
            })
        })
        .collect();
    let mut value = json!({ "kunci_accounts": ACCOUNTS_VERSION, "accounts": entries });
    let bytes = Zeroizing::new(serde_json::to_vec(&value).unwrap_or_default());
    zeroize_json(&mut value);
    bytes
}

/// Overwrites the strings of a JSON value before it is dropped (it holds secrets).
fn zeroize_json(value: &mut Value) {
    use zeroize::Zeroize;
    match value {
        Value::String(s) => s.zeroize(),
        Value::Array(items) => items.iter_mut().for_each(zeroize_json),
        Value::Object(map) => map.values_mut().for_each(zeroize_json),
        _ => {}
    }
}

/// The header fields as authenticated: one canonical line, so that the JSON's spacing and key
/// order do not matter but every value does.
fn aad(params: &KdfParams, salt: &[u8], check: &[u8], nonce: &[u8]) -> Vec<u8> {
    format!(
        "kunci_backup={VERSION};kdf=argon2id;version=19;m_cost_kib={};t_cost={};p_cost={};\
         salt={};check={};cipher=xchacha20poly1305;nonce={}",
        params.m_cost_kib,
        params.t_cost,
        params.p_cost,
        BASE64.encode(salt),
        BASE64.encode(check),
        BASE64.encode(nonce),
    )
    .into_bytes()
}

/// The encryption key and the passphrase check.
fn derive(
    passphrase: &str,
    salt: &[u8],
    params: &KdfParams,
) -> Result<(Zeroizing<[u8; 32]>, [u8; CHECK_BYTES]), String> {
    let argon_params = argon2::Params::new(params.m_cost_kib, params.t_cost, params.p_cost, None)
        .map_err(|e| e.to_string())?;
    let argon = argon2::Argon2::new(
        argon2::Algorithm::Argon2id,
        argon2::Version::V0x13,
        argon_params,
    );
    let mut out = Zeroizing::new([0u8; 64]);
    argon
        .hash_password_into(passphrase.as_bytes(), salt, out.as_mut_slice())
        .map_err(|e| e.to_string())?;
    let mut key = Zeroizing::new([0u8; 32]);
    key.copy_from_slice(&out[..32]);
    let digest = Sha256::new()
        .chain_update(CHECK_LABEL)
        .chain_update(&out[32..])
        .finalize();
    let mut check = [0u8; CHECK_BYTES];
    check.copy_from_slice(&digest[..CHECK_BYTES]);
    Ok((key, check))
}

/// The backup file's bytes for `accounts` under `passphrase`, with the default parameters.
pub fn seal(accounts: &[OtpUri], passphrase: &str) -> Result<Vec<u8>, BackupError> {
    seal_with(accounts, passphrase, KdfParams::default())
}

/// [`seal`] with chosen Argon2id parameters (recorded in the file).
pub fn seal_with(
    accounts: &[OtpUri],
    passphrase: &str,
    params: KdfParams,
) -> Result<Vec<u8>, BackupError> {
    if passphrase.is_empty() {
        return Err(BackupError::EmptyPassphrase);
    }
    let mut salt = [0u8; SALT_BYTES];
    let mut nonce = [0u8; NONCE_BYTES];
    getrandom::fill(&mut salt).map_err(|e| BackupError::Random(e.to_string()))?;
    getrandom::fill(&mut nonce).map_err(|e| BackupError::Random(e.to_string()))?;
    let (key, check) = derive(passphrase, &salt, &params).map_err(BackupError::Kdf)?;
    let cipher =
        XChaCha20Poly1305::new_from_slice(key.as_slice()).map_err(|_| BackupError::Encrypt)?;
    let plain = plaintext(accounts);
    let aad = aad(&params, &salt, &check, &nonce);
    let ciphertext = cipher
        .encrypt(
            &XNonce::from(nonce),
            Payload {
                msg: &plain,
                aad: &aad,
            },
        )
        .map_err(|_| BackupError::Encrypt)?;
    let file = Envelope {
        kunci_backup: VERSION,
        kdf: Kdf {
            algorithm: "argon2id",
            version: 19,
            m_cost_kib: params.m_cost_kib,
            t_cost: params.t_cost,
            p_cost: params.p_cost,
            salt: BASE64.encode(&salt),
            check: BASE64.encode(&check),
        },
        cipher: "xchacha20poly1305",
        nonce: BASE64.encode(&nonce),
        ciphertext: BASE64.encode(&ciphertext),
    };
    let mut bytes = serde_json::to_vec_pretty(&file).map_err(|_| BackupError::Encrypt)?;
    bytes.push(b'\n');
    Ok(bytes)
}

/// The file as written, fields in this order: `kunci_backup` comes first so that even the
/// first bytes of a cut-short file are recognised as a Kunci backup.
#[derive(serde::Serialize)]
struct Envelope {
    kunci_backup: u64,
    kdf: Kdf,
    cipher: &'static str,
    nonce: String,
    ciphertext: String,
}

#[derive(serde::Serialize)]
struct Kdf {
    algorithm: &'static str,
    version: u32,
    m_cost_kib: u32,
    t_cost: u32,
    p_cost: u32,
    salt: String,
    check: String,
}

/// The Argon2id parameters a backup file records, for display or checks.
pub fn params_of(bytes: &[u8]) -> Result<KdfParams, ImportError> {
    let file: Value = serde_json::from_slice(bytes)
        .map_err(|e| damaged(NAME, format!("not valid JSON ({e})")))?;
    Ok(header(&file)?.params)
}

struct Header {
    params: KdfParams,
    salt: Vec<u8>,
    check: Vec<u8>,
    nonce: Vec<u8>,
}

fn base64_field(value: &Value, key: &str, len: Option<usize>) -> Result<Vec<u8>, ImportError> {
    let bytes = BASE64
        .decode(text(value, key).as_bytes())
        .map_err(|_| damaged(NAME, format!("{key} is not base64")))?;
    match len {
        Some(len) if bytes.len() != len => Err(damaged(NAME, format!("{key} has a wrong length"))),
        _ => Ok(bytes),
    }
}

fn header(file: &Value) -> Result<Header, ImportError> {
    let version = number(file, "kunci_backup", 0).map_err(|e| damaged(NAME, e))?;
    if version != VERSION {
        return Err(ImportError::UnsupportedVersion {
            format: NAME,
            version: version.to_string(),
        });
    }
    let kdf = file
        .get("kdf")
        .filter(|k| k.is_object())
        .ok_or_else(|| damaged(NAME, "the kdf parameters are missing"))?;
    if text(kdf, "algorithm") != "argon2id" || number(kdf, "version", 0) != Ok(19) {
        return Err(ImportError::Unsupported {
            format: NAME,
            what: "this backup uses a key derivation this Kunci does not know".into(),
        });
    }
    if text(file, "cipher") != "xchacha20poly1305" {
        return Err(ImportError::Unsupported {
            format: NAME,
            what: "this backup uses a cipher this Kunci does not know".into(),
        });
    }
    let cost = |key: &str, max: u32| -> Result<u32, ImportError> {
        let n = number(kdf, key, 0).map_err(|e| damaged(NAME, e))?;
        u32::try_from(n)
            .ok()
            .filter(|n| (1..=max).contains(n))
            .ok_or_else(|| damaged(NAME, format!("the Argon2 {key} is out of range")))
    };
    Ok(Header {
        params: KdfParams {
            m_cost_kib: cost("m_cost_kib", MAX_M_COST_KIB)?,
            t_cost: cost("t_cost", MAX_T_COST)?,
            p_cost: cost("p_cost", MAX_P_COST)?,
        },
        salt: base64_field(kdf, "salt", None)?,
        check: base64_field(kdf, "check", Some(CHECK_BYTES))?,
        nonce: base64_field(file, "nonce", Some(NONCE_BYTES))?,
    })
}

/// Reads the accounts of a backup file. A wrong passphrase is [`ImportError::WrongPassword`];
/// a damaged or cut-short file is [`ImportError::Damaged`]; either way nothing is returned.
pub fn open(bytes: &[u8], passphrase: &str) -> Result<Imported, ImportError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let file: Value = serde_json::from_slice(bytes)
        .map_err(|e| damaged(NAME, format!("not valid JSON, perhaps cut short ({e})")))?;
    let Header {
        params,
        salt,
        check,
        nonce,
    } = header(&file)?;
    let ciphertext = base64_field(&file, "ciphertext", None)?;
    let (key, expected) =
        derive(passphrase, &salt, &params).map_err(|e| damaged(NAME, format!("Argon2: {e}")))?;
    if expected.as_slice() != check.as_slice() {
        return Err(ImportError::WrongPassword { format: NAME });
    }
    let cipher = XChaCha20Poly1305::new_from_slice(key.as_slice())
        .map_err(|_| damaged(NAME, "bad key length"))?;
    let nonce = XNonce::try_from(nonce.as_slice()).map_err(|_| damaged(NAME, "bad nonce"))?;
    let aad = aad(&params, &salt, &check, nonce.as_slice());
    let plain = cipher
        .decrypt(
            &nonce,
            Payload {
                msg: &ciphertext,
                aad: &aad,
            },
        )
        .map(Zeroizing::new)
        .map_err(|_| {
            damaged(
                NAME,
                "the passphrase is right but the accounts do not decrypt (altered or cut short)",
            )
        })?;
    let mut inner: Value = serde_json::from_slice(&plain)
        .map_err(|_| damaged(NAME, "the decrypted accounts are not valid JSON"))?;
    let result = read_accounts(&inner);
    zeroize_json(&mut inner);
    result
}

fn read_accounts(inner: &Value) -> Result<Imported, ImportError> {
    let version = number(inner, "kunci_accounts", 0).map_err(|e| damaged(NAME, e))?;
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
            Ok(uri) => out.accounts.push(uri),
            Err(why) => out.skipped.push(format!("{name}: {why}")),
        }
    }
    Ok(out)
}

fn read_entry(entry: &Value) -> Result<OtpUri, String> {
    let kind = match text(entry, "type") {
        "totp" => Kind::Totp,
        "hotp" => Kind::Hotp,
        other => return Err(format!("unknown account type {other:?}")),
    };
    Entry::from_fields(entry, kind)
}

#[cfg(test)]
mod tests {
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

    fn sealed() -> Vec<u8> {
        seal_with(&accounts(), "correct horse", KdfParams::light_for_tests()).unwrap_or_default()
    }

    #[test]
    fn a_backup_opens_to_the_same_accounts() -> Result<(), ImportError> {
        let got = open(&sealed(), "correct horse")?;
        assert_eq!(got.accounts, accounts());
        assert!(got.skipped.is_empty());
        Ok(())
    }

    #[test]
    fn the_file_records_the_parameters_used() -> Result<(), ImportError> {
        assert_eq!(params_of(&sealed())?, KdfParams::light_for_tests());
        Ok(())
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
            seal_with(&accounts(), "", KdfParams::light_for_tests()),
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
    }
}
