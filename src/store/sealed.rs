//! Sealing bytes under a passphrase, shared by Kunci's backups (`crate::import::kunci`) and its
//! vault file ([`super::vault`]): Argon2id gives a key and a passphrase check; XChaCha20-Poly1305
//! encrypts with every header field authenticated; the result is one JSON object whose first
//! field names the format (`{"<tag>": <version>, "kdf": {…}, "cipher", "nonce", "ciphertext"}`).
//!
//! `import/kunci.rs` documents the layout and why `check` is safe to store. The formats differ only in
//! their tag, version and check label, so a file of one is never taken for the other.

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use data_encoding::BASE64;
use serde::ser::SerializeStruct;
use serde_json::Value;
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::json::{number, text, without_bom};

const SALT_BYTES: usize = 16;
const NONCE_BYTES: usize = 24;
const CHECK_BYTES: usize = 16;
// The Argon2id parameters a file may ask for are bounded in `crate::kdf` (a few times
// `KdfParams::default`, which is what Kunci writes): `read` refuses beyond them, so `open`
// never starts a derivation a file made by hand asked to last minutes.

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
    /// of a second on an office laptop; Kunci derives one key per backup or vault unlock).
    fn default() -> Self {
        Self {
            m_cost_kib: 64 * 1024,
            t_cost: 3,
            p_cost: 1,
        }
    }
}

impl KdfParams {
    /// Light parameters (1 MiB, 1 pass) so that unit tests run fast. Never for real files.
    #[cfg(test)]
    pub(crate) fn light_for_tests() -> Self {
        Self {
            m_cost_kib: 1024,
            t_cost: 1,
            p_cost: 1,
        }
    }
}

/// What tells one sealed format from another.
#[derive(Debug)]
pub(crate) struct Format {
    /// The first field's name, e.g. `kunci_backup`.
    pub tag: &'static str,
    pub version: u64,
    /// Hashed with the second half of Argon2's output into the passphrase check.
    pub check_label: &'static [u8],
}

/// Why sealed bytes could not be opened. The callers word it for their format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum UnsealError {
    /// Not the format, cut short, or a field out of range: the reason.
    Damaged(String),
    /// The format's tag with another version.
    UnsupportedVersion(u64),
    UnknownKdf,
    UnknownCipher,
    /// The file asks for more Argon2id work than any file Kunci writes: refused before any.
    TooMuchWork(crate::kdf::TooMuchWork),
    /// The passphrase check does not match.
    WrongPassphrase,
    /// The passphrase is right but the ciphertext does not decrypt (altered or cut short).
    Undecryptable,
}

/// Why bytes could not be sealed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum SealError {
    Random(String),
    Kdf(String),
    Encrypt,
}

/// A key derived from a passphrase, with what the file records about its derivation.
pub(crate) struct SealKey {
    key: Zeroizing<[u8; 32]>,
    params: KdfParams,
    salt: Vec<u8>,
    check: [u8; CHECK_BYTES],
}

impl std::fmt::Debug for SealKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SealKey")
            .field("params", &self.params)
            .finish_non_exhaustive()
    }
}

impl SealKey {
    /// A new key under a fresh random salt.
    pub fn new(format: &Format, passphrase: &str, params: KdfParams) -> Result<Self, SealError> {
        let mut salt = [0u8; SALT_BYTES];
        getrandom::fill(&mut salt).map_err(|e| SealError::Random(e.to_string()))?;
        Self::derive(format, passphrase, &salt, params).map_err(SealError::Kdf)
    }

    /// Argon2id(passphrase, salt): the first 32 bytes are the key, the last 32 give the check.
    fn derive(
        format: &Format,
        passphrase: &str,
        salt: &[u8],
        params: KdfParams,
    ) -> Result<Self, String> {
        let argon_params =
            argon2::Params::new(params.m_cost_kib, params.t_cost, params.p_cost, None)
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
            .chain_update(format.check_label)
            .chain_update(&out[32..])
            .finalize();
        let mut check = [0u8; CHECK_BYTES];
        check.copy_from_slice(&digest[..CHECK_BYTES]);
        Ok(SealKey {
            key,
            params,
            salt: salt.to_vec(),
            check,
        })
    }

    pub fn params(&self) -> KdfParams {
        self.params
    }
}

/// The header fields as authenticated: one canonical line, so that the JSON's spacing and key
/// order do not matter but every value does.
fn aad(format: &Format, key: &SealKey, nonce: &[u8]) -> Vec<u8> {
    format!(
        "{}={};kdf=argon2id;version=19;m_cost_kib={};t_cost={};p_cost={};\
         salt={};check={};cipher=xchacha20poly1305;nonce={}",
        format.tag,
        format.version,
        key.params.m_cost_kib,
        key.params.t_cost,
        key.params.p_cost,
        BASE64.encode(&key.salt),
        BASE64.encode(&key.check),
        BASE64.encode(nonce),
    )
    .into_bytes()
}

/// The file's bytes: `plain` encrypted under `key` with a fresh random nonce.
pub(crate) fn seal(format: &Format, key: &SealKey, plain: &[u8]) -> Result<Vec<u8>, SealError> {
    let mut nonce = [0u8; NONCE_BYTES];
    getrandom::fill(&mut nonce).map_err(|e| SealError::Random(e.to_string()))?;
    let cipher =
        XChaCha20Poly1305::new_from_slice(key.key.as_slice()).map_err(|_| SealError::Encrypt)?;
    let aad = aad(format, key, &nonce);
    let ciphertext = cipher
        .encrypt(
            &XNonce::from(nonce),
            Payload {
                msg: plain,
                aad: &aad,
            },
        )
        .map_err(|_| SealError::Encrypt)?;
    let file = Envelope {
        tag: format.tag,
        version: format.version,
        kdf: Kdf {
            algorithm: "argon2id",
            version: 19,
            m_cost_kib: key.params.m_cost_kib,
            t_cost: key.params.t_cost,
            p_cost: key.params.p_cost,
            salt: BASE64.encode(&key.salt),
            check: BASE64.encode(&key.check),
        },
        cipher: "xchacha20poly1305",
        nonce: BASE64.encode(&nonce),
        ciphertext: BASE64.encode(&ciphertext),
    };
    let mut bytes = serde_json::to_vec_pretty(&file).map_err(|_| SealError::Encrypt)?;
    bytes.push(b'\n');
    Ok(bytes)
}

/// The file as written, fields in this order: the tag comes first so that even the first bytes
/// of a cut-short file are recognised.
struct Envelope {
    tag: &'static str,
    version: u64,
    kdf: Kdf,
    cipher: &'static str,
    nonce: String,
    ciphertext: String,
}

impl serde::Serialize for Envelope {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut s = serializer.serialize_struct("Envelope", 5)?;
        s.serialize_field(self.tag, &self.version)?;
        s.serialize_field("kdf", &self.kdf)?;
        s.serialize_field("cipher", self.cipher)?;
        s.serialize_field("nonce", &self.nonce)?;
        s.serialize_field("ciphertext", &self.ciphertext)?;
        s.end()
    }
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

/// A sealed file's fields, read but not yet decrypted.
#[derive(Debug)]
pub(crate) struct Header {
    pub params: KdfParams,
    salt: Vec<u8>,
    check: Vec<u8>,
    nonce: Vec<u8>,
    ciphertext: Vec<u8>,
}

fn base64_field(value: &Value, key: &str, len: Option<usize>) -> Result<Vec<u8>, UnsealError> {
    let bytes = BASE64
        .decode(text(value, key).as_bytes())
        .map_err(|_| UnsealError::Damaged(format!("{key} is not base64")))?;
    match len {
        Some(len) if bytes.len() != len => {
            Err(UnsealError::Damaged(format!("{key} has a wrong length")))
        }
        _ => Ok(bytes),
    }
}

/// Reads the fields of a sealed file (a leading UTF-8 BOM is ignored).
pub(crate) fn read(format: &Format, bytes: &[u8]) -> Result<Header, UnsealError> {
    let file: Value = serde_json::from_slice(without_bom(bytes))
        .map_err(|e| UnsealError::Damaged(format!("not valid JSON, perhaps cut short ({e})")))?;
    let version = number(&file, format.tag, 0).map_err(|e| UnsealError::Damaged(e.to_string()))?;
    if version != format.version {
        return Err(UnsealError::UnsupportedVersion(version));
    }
    let kdf = file
        .get("kdf")
        .filter(|k| k.is_object())
        .ok_or_else(|| UnsealError::Damaged("the kdf parameters are missing".into()))?;
    if text(kdf, "algorithm") != "argon2id" || number(kdf, "version", 0) != Ok(19) {
        return Err(UnsealError::UnknownKdf);
    }
    if text(&file, "cipher") != "xchacha20poly1305" {
        return Err(UnsealError::UnknownCipher);
    }
    let cost = |key: &str| -> Result<u64, UnsealError> {
        match number(kdf, key, 0).map_err(|e| UnsealError::Damaged(e.to_string()))? {
            0 => Err(UnsealError::Damaged(format!("the Argon2 {key} is zero"))),
            n => Ok(n),
        }
    };
    let (m_cost, t_cost, p_cost) = (cost("m_cost_kib")?, cost("t_cost")?, cost("p_cost")?);
    // The bound first: nothing a file asks beyond it is ever derived.
    crate::kdf::check_argon2id(m_cost, t_cost, p_cost).map_err(UnsealError::TooMuchWork)?;
    // Within the bound every value fits Argon2's u32.
    let small = |n: u64| {
        u32::try_from(n)
            .map_err(|_| UnsealError::Damaged("the Argon2 parameters are out of range".into()))
    };
    Ok(Header {
        params: KdfParams {
            m_cost_kib: small(m_cost)?,
            t_cost: small(t_cost)?,
            p_cost: small(p_cost)?,
        },
        salt: base64_field(kdf, "salt", None)?,
        check: base64_field(kdf, "check", Some(CHECK_BYTES))?,
        nonce: base64_field(&file, "nonce", Some(NONCE_BYTES))?,
        ciphertext: base64_field(&file, "ciphertext", None)?,
    })
}

/// Derives the key for `header` from `passphrase` (one Argon2id) and decrypts.
pub(crate) fn open(
    format: &Format,
    header: &Header,
    passphrase: &str,
) -> Result<(SealKey, Zeroizing<Vec<u8>>), UnsealError> {
    let key = SealKey::derive(format, passphrase, &header.salt, header.params)
        .map_err(|e| UnsealError::Damaged(format!("Argon2: {e}")))?;
    let plain = open_with(format, header, &key)?;
    Ok((key, plain))
}

/// Decrypts `header` with a key derived earlier (no Argon2id): it fits only a file written
/// under the same passphrase, salt and parameters.
pub(crate) fn open_with(
    format: &Format,
    header: &Header,
    key: &SealKey,
) -> Result<Zeroizing<Vec<u8>>, UnsealError> {
    if key.salt != header.salt
        || key.params != header.params
        || key.check.as_slice() != header.check.as_slice()
    {
        return Err(UnsealError::WrongPassphrase);
    }
    let cipher = XChaCha20Poly1305::new_from_slice(key.key.as_slice())
        .map_err(|_| UnsealError::Damaged("bad key length".into()))?;
    let nonce = XNonce::try_from(header.nonce.as_slice())
        .map_err(|_| UnsealError::Damaged("bad nonce".into()))?;
    let aad = aad(format, key, nonce.as_slice());
    cipher
        .decrypt(
            &nonce,
            Payload {
                msg: &header.ciphertext,
                aad: &aad,
            },
        )
        .map(Zeroizing::new)
        .map_err(|_| UnsealError::Undecryptable)
}
