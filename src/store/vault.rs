//! The encrypted vault file: where the secrets go on a computer whose keychain is missing or
//! refuses (Linux without Secret Service, locked-down office machines), by the user's explicit
//! choice, never as a silent fallback (DESIGN.md §3).
//!
//! One file, `vault.json` in the data directory, sealed like a Kunci backup (see
//! [`super::backup`] and `sealed.rs`): the Argon2id parameters, salt and passphrase check in
//! plain sight, every header field authenticated, the secrets as one XChaCha20-Poly1305 blob
//! with a fresh nonce on every write. Inside: `{"kunci_vault_secrets": 1, "vaults": {"<vault
//! id>": {"<account id>": "otpauth://…"}}}`, the same values the keychain holds.
//!
//! The key is derived once, at unlock, and kept (zeroized on drop); the file is read and
//! decrypted again on every access so that the window and the command line see each other's
//! changes. Every change is a read-modify-write under `vault.lock`, written atomically with the
//! previous version kept as `vault.json.bak`. A file that does not decrypt is never written
//! over: unlocking sets it aside and uses the `.bak` when that opens; a change refuses.
//!
//! **The choice of the vault is the presence of the file**: `vault.json` (or its `.bak`) in the
//! data directory means "the secrets are in the vault", and nothing else does. So the choice
//! travels with the data it names, cannot disagree with it, is not lost with a damaged
//! settings file, and switching is one atomic rename (see `vault_move.rs`).

use std::collections::BTreeMap;
use std::fs::{self, File};
use std::path::{Path, PathBuf};

use zeroize::{Zeroize, Zeroizing};

use super::atomic::{self, LockError, sync_dir};
use super::paths::DataDir;
use super::sealed::{self, Format, KdfParams, SealKey, UnsealError};
use super::secrets::{SecretStore, SecretsError};
use crate::accounts::AccountId;

pub use super::vault_error::VaultError;

/// The vault file's name in the data directory.
pub const VAULT_FILE: &str = "vault.json";
/// A vault being filled by a move from the keychain, not yet chosen.
const STAGED_FILE: &str = "vault.json.new";

const FORMAT: Format = Format {
    tag: "kunci_vault",
    version: 1,
    check_label: b"kunci vault passphrase check v1",
};
/// The version of the secrets map inside.
const SECRETS_VERSION: u64 = 1;

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> VaultError + use<> {
    let path = path.to_path_buf();
    move |source| VaultError::Io { path, source }
}

/// The decrypted contents. Its strings are overwritten when it is dropped.
#[derive(Default, serde::Serialize, serde::Deserialize)]
struct Secrets {
    kunci_vault_secrets: u64,
    /// Vault id (of the metadata) → account id → the stored value (an otpauth URI).
    vaults: BTreeMap<String, BTreeMap<String, String>>,
}

/// Written by hand: the values are otpauth URIs with their secrets, so only how many there
/// are may show (a derived `Debug` would print them in any log or panic message).
impl std::fmt::Debug for Secrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let counts: BTreeMap<&str, usize> = self
            .vaults
            .iter()
            .map(|(vault, values)| (vault.as_str(), values.len()))
            .collect();
        f.debug_struct("Secrets")
            .field("kunci_vault_secrets", &self.kunci_vault_secrets)
            .field("entries", &counts)
            .finish_non_exhaustive()
    }
}

impl Drop for Secrets {
    fn drop(&mut self) {
        for accounts in self.vaults.values_mut() {
            for value in accounts.values_mut() {
                value.zeroize();
            }
        }
    }
}

impl Secrets {
    fn new() -> Self {
        Secrets {
            kunci_vault_secrets: SECRETS_VERSION,
            vaults: BTreeMap::new(),
        }
    }

    fn to_bytes(&self) -> Zeroizing<Vec<u8>> {
        Zeroizing::new(serde_json::to_vec(self).unwrap_or_default())
    }
}

/// Held while a process reads, changes and writes the vault file.
struct VaultLock {
    _file: File,
}

impl VaultLock {
    fn acquire(root: &Path) -> Result<Self, VaultError> {
        DataDir::new(root).create().map_err(io_err(root))?;
        let path = root.join("vault.lock");
        let file = atomic::lock_exclusive(&path).map_err(|e| match e {
            LockError::Busy => VaultError::Busy { path: path.clone() },
            LockError::Io(source) => io_err(&path)(source),
        })?;
        // What a killed writer left (only a writer holding this lock makes them).
        for name in [VAULT_FILE, STAGED_FILE] {
            atomic::remove_leftovers(root, name);
        }
        Ok(VaultLock { _file: file })
    }
}

/// `path` with `suffix` added to its name.
fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// An unlocked vault file.
pub struct Vault {
    dir: DataDir,
    /// `vault.json`, or the staged file while a move fills it.
    path: PathBuf,
    key: SealKey,
    /// Where a damaged vault file was set aside at unlock (the `.bak` was used instead).
    set_aside: Option<PathBuf>,
}

impl std::fmt::Debug for Vault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Vault")
            .field("path", &self.path)
            .field("params", &self.key.params())
            .finish_non_exhaustive()
    }
}

impl Vault {
    /// The vault file of a data directory.
    pub fn path(dir: &DataDir) -> PathBuf {
        dir.root().join(VAULT_FILE)
    }

    /// True when the user chose the vault for this data directory: its file (or the previous
    /// version of it) is there.
    pub fn exists(dir: &DataDir) -> bool {
        let path = Self::path(dir);
        path.exists() || with_suffix(&path, ".bak").exists()
    }

    /// Creates an empty vault under `passphrase` with the default (strong) Argon2id
    /// parameters. Refuses when there is one already.
    pub fn create(dir: &DataDir, passphrase: &str) -> Result<Vault, VaultError> {
        Self::create_with(dir, passphrase, KdfParams::default())
    }

    /// [`Vault::create`] with chosen Argon2id parameters (recorded in the file and used by
    /// every unlock). For tests and tools: people get [`Vault::create`]'s.
    pub fn create_with(
        dir: &DataDir,
        passphrase: &str,
        params: KdfParams,
    ) -> Result<Vault, VaultError> {
        if passphrase.is_empty() {
            return Err(VaultError::EmptyPassphrase);
        }
        let key = SealKey::new(&FORMAT, passphrase, params)?;
        let vault = Vault {
            dir: dir.clone(),
            path: Self::path(dir),
            key,
            set_aside: None,
        };
        let _lock = VaultLock::acquire(dir.root())?;
        if Self::exists(dir) {
            return Err(VaultError::Exists { path: vault.path });
        }
        vault.write(&Secrets::new())?;
        Ok(vault)
    }

    /// Opens the vault of `dir` with `passphrase` (one Argon2id, with the parameters the file
    /// records). A damaged file whose `.bak` opens is set aside and replaced by the `.bak`'s
    /// contents ([`Vault::set_aside`] says where it went).
    pub fn unlock(dir: &DataDir, passphrase: &str) -> Result<Vault, VaultError> {
        Self::unlock_at(dir, Self::path(dir), passphrase)
    }

    fn unlock_at(dir: &DataDir, path: PathBuf, passphrase: &str) -> Result<Vault, VaultError> {
        let main = match open_file(&path, passphrase) {
            Ok((key, _)) => {
                return Ok(Vault {
                    dir: dir.clone(),
                    path,
                    key,
                    set_aside: None,
                });
            }
            Err(e @ (VaultError::WrongPassphrase | VaultError::Unsupported { .. })) => {
                return Err(e);
            }
            Err(e) => e,
        };
        // The file is missing or damaged: the previous version, if it opens, takes its place.
        let backup = with_suffix(&path, ".bak");
        if !backup.exists() {
            return Err(match main {
                VaultError::Io { source, .. } if source.kind() == std::io::ErrorKind::NotFound => {
                    VaultError::Missing {
                        dir: dir.root().to_path_buf(),
                    }
                }
                other => other,
            });
        }
        let (key, secrets) = match open_file(&backup, passphrase) {
            Ok(opened) => opened,
            Err(VaultError::WrongPassphrase) => return Err(VaultError::WrongPassphrase),
            Err(_) => return Err(main),
        };
        let _lock = VaultLock::acquire(dir.root())?;
        let set_aside = if path.exists() {
            let aside = dir.set_aside(&path);
            fs::rename(&path, &aside).map_err(io_err(&path))?;
            Some(aside)
        } else {
            None
        };
        let vault = Vault {
            dir: dir.clone(),
            path,
            key,
            set_aside,
        };
        vault.write(&secrets)?;
        Ok(vault)
    }

    /// Where a damaged vault file was set aside at unlock, if it was.
    pub fn set_aside(&self) -> Option<&Path> {
        self.set_aside.as_deref()
    }

    /// The Argon2id parameters of this vault.
    pub fn params(&self) -> KdfParams {
        self.key.params()
    }

    /// Argon2id parameters as a vault file records them (no passphrase needed).
    pub fn params_of(dir: &DataDir) -> Result<KdfParams, VaultError> {
        let path = Self::path(dir);
        let bytes = fs::read(&path).map_err(io_err(&path))?;
        sealed::read(&FORMAT, &bytes)
            .map(|h| h.params)
            .map_err(|e| open_error(&path, e))
    }

    /// The current contents, decrypted with the key from the unlock.
    fn load(&self) -> Result<Secrets, VaultError> {
        let bytes = fs::read(&self.path).map_err(io_err(&self.path))?;
        let header = sealed::read(&FORMAT, &bytes).map_err(|e| open_error(&self.path, e))?;
        let plain = sealed::open_with(&FORMAT, &header, &self.key).map_err(|e| match e {
            UnsealError::WrongPassphrase => VaultError::Replaced {
                path: self.path.clone(),
            },
            other => open_error(&self.path, other),
        })?;
        parse(&self.path, &plain)
    }

    /// Seals `secrets` and replaces the file, keeping the previous version as `.bak`. The
    /// caller holds the lock.
    fn write(&self, secrets: &Secrets) -> Result<(), VaultError> {
        let bytes = sealed::seal(&FORMAT, &self.key, &secrets.to_bytes())?;
        let backup = with_suffix(&self.path, ".bak");
        atomic::replace_keeping_backup(&self.path, &backup, &bytes, || {})
            .map_err(io_err(&self.path))
    }

    /// Reads, changes and writes the file under the lock; nothing is written when the file
    /// does not decrypt or `change` reports no change.
    fn change(&self, change: impl FnOnce(&mut Secrets) -> bool) -> Result<(), VaultError> {
        let _lock = VaultLock::acquire(self.dir.root())?;
        let mut secrets = self.load()?;
        if change(&mut secrets) {
            self.write(&secrets)?;
        }
        Ok(())
    }

    /// Stores several values in one write (a move from the keychain).
    pub(crate) fn put_all(
        &self,
        vault: &str,
        values: &[(AccountId, Zeroizing<String>)],
    ) -> Result<(), VaultError> {
        self.change(|secrets| {
            let accounts = secrets.vaults.entry(vault.to_string()).or_default();
            for (id, value) in values {
                if let Some(mut old) = accounts.insert(id.to_string(), value.to_string()) {
                    old.zeroize();
                }
            }
            true
        })
    }

    /// A vault that a move from the keychain fills before it becomes the choice: the staged
    /// file, reused when a move was interrupted and it opens with `passphrase`, else new (an
    /// unreadable leftover is set aside).
    pub(crate) fn stage(
        dir: &DataDir,
        passphrase: &str,
        params: KdfParams,
    ) -> Result<Vault, VaultError> {
        if passphrase.is_empty() {
            return Err(VaultError::EmptyPassphrase);
        }
        let path = dir.root().join(STAGED_FILE);
        if path.exists() {
            if let Ok(vault) = Self::unlock_at(dir, path.clone(), passphrase) {
                return Ok(vault);
            }
            let _lock = VaultLock::acquire(dir.root())?;
            let aside = dir.set_aside(&path);
            fs::rename(&path, &aside).map_err(io_err(&path))?;
        }
        let vault = Vault {
            dir: dir.clone(),
            path,
            key: SealKey::new(&FORMAT, passphrase, params)?,
            set_aside: None,
        };
        let _lock = VaultLock::acquire(dir.root())?;
        vault.write(&Secrets::new())?;
        Ok(vault)
    }

    /// Makes a staged vault the choice: one rename to `vault.json`.
    pub(crate) fn commit(mut self) -> Result<Vault, VaultError> {
        let _lock = VaultLock::acquire(self.dir.root())?;
        let target = Self::path(&self.dir);
        if self.path == target {
            return Ok(self);
        }
        if Self::exists(&self.dir) {
            return Err(VaultError::Exists { path: target });
        }
        fs::rename(&self.path, &target).map_err(io_err(&self.path))?;
        sync_dir(self.dir.root()).map_err(io_err(self.dir.root()))?;
        let _ = fs::remove_file(with_suffix(&self.path, ".bak"));
        self.path = target;
        Ok(self)
    }

    /// Ends the choice of the vault and deletes it, after its secrets went elsewhere: the
    /// `.bak` first (the file still holds everything), then the file itself (the switch).
    /// Every later use of this handle fails.
    pub(crate) fn retire(&self) -> Result<(), VaultError> {
        let _lock = VaultLock::acquire(self.dir.root())?;
        let remove = |path: PathBuf| match fs::remove_file(&path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(io_err(&path)(e)),
            _ => Ok(()),
        };
        remove(with_suffix(&self.path, ".bak"))?;
        sync_dir(self.dir.root()).map_err(io_err(self.dir.root()))?;
        remove(self.path.clone())?;
        sync_dir(self.dir.root()).map_err(io_err(self.dir.root()))
    }
}

/// How hard a passphrase is to guess, roughly, for a hint while it is typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Strength {
    /// Short or one kind of character: a guessing program finds it.
    Weak,
    Fair,
    /// Long (four or more words, or 12+ characters of three kinds).
    Strong,
}

/// A rough strength: length counts most, then the kinds of characters (lower, upper, digits,
/// others). Only a hint: Argon2id makes every guess slow, not impossible.
pub fn strength(passphrase: &str) -> Strength {
    let length = passphrase.chars().count();
    let kinds = [
        passphrase.chars().any(char::is_lowercase),
        passphrase.chars().any(char::is_uppercase),
        passphrase.chars().any(|c| c.is_ascii_digit()),
        passphrase.chars().any(|c| !c.is_alphanumeric()),
    ]
    .into_iter()
    .filter(|&k| k)
    .count();
    match (length, kinds) {
        (16.., _) | (12.., 3..) => Strength::Strong,
        (10.., 2..) => Strength::Fair,
        _ => Strength::Weak,
    }
}

/// Reads and decrypts a vault file with a passphrase.
fn open_file(path: &Path, passphrase: &str) -> Result<(SealKey, Secrets), VaultError> {
    let bytes = fs::read(path).map_err(io_err(path))?;
    let header = sealed::read(&FORMAT, &bytes).map_err(|e| open_error(path, e))?;
    let (key, plain) =
        sealed::open(&FORMAT, &header, passphrase).map_err(|e| open_error(path, e))?;
    Ok((key, parse(path, &plain)?))
}

fn parse(path: &Path, plain: &[u8]) -> Result<Secrets, VaultError> {
    let secrets: Secrets = serde_json::from_slice(plain).map_err(|_| VaultError::Damaged {
        path: path.to_path_buf(),
        reason: "the decrypted secrets are not valid JSON".into(),
    })?;
    if secrets.kunci_vault_secrets != SECRETS_VERSION {
        return Err(VaultError::Unsupported {
            path: path.to_path_buf(),
            what: format!("secrets version {}", secrets.kunci_vault_secrets),
        });
    }
    Ok(secrets)
}

fn open_error(path: &Path, e: UnsealError) -> VaultError {
    let path = path.to_path_buf();
    match e {
        UnsealError::WrongPassphrase => VaultError::WrongPassphrase,
        UnsealError::UnsupportedVersion(v) => VaultError::Unsupported {
            path,
            what: format!("vault version {v}"),
        },
        UnsealError::UnknownKdf => VaultError::Unsupported {
            path,
            what: "an unknown key derivation".into(),
        },
        UnsealError::UnknownCipher => VaultError::Unsupported {
            path,
            what: "an unknown cipher".into(),
        },
        UnsealError::TooMuchWork(what) => VaultError::TooMuchWork { path, what },
        UnsealError::Damaged(reason) => VaultError::Damaged { path, reason },
        UnsealError::Undecryptable => VaultError::Damaged {
            path,
            reason: "the passphrase is right but the secrets do not decrypt (altered or cut \
                     short)"
                .into(),
        },
    }
}

impl SecretStore for Vault {
    fn put(
        &self,
        vault: &str,
        id: &AccountId,
        value: &str,
        _description: &str,
    ) -> Result<(), SecretsError> {
        let value = Zeroizing::new(value.to_string());
        Ok(self.put_all(vault, &[(id.clone(), value)])?)
    }

    fn get(&self, vault: &str, id: &AccountId) -> Result<Option<Zeroizing<String>>, SecretsError> {
        let secrets = self.load()?;
        Ok(secrets
            .vaults
            .get(vault)
            .and_then(|accounts| accounts.get(id.as_str()))
            .map(|value| Zeroizing::new(value.clone())))
    }

    fn delete(&self, vault: &str, id: &AccountId) -> Result<(), SecretsError> {
        Ok(self.change(|secrets| {
            let removed = secrets
                .vaults
                .get_mut(vault)
                .and_then(|accounts| accounts.remove(id.as_str()));
            removed.map(|mut value| value.zeroize()).is_some()
        })?)
    }

    fn ids(&self, vault: &str) -> Result<Option<Vec<AccountId>>, SecretsError> {
        let secrets = self.load()?;
        Ok(Some(
            secrets
                .vaults
                .get(vault)
                .map(|accounts| {
                    accounts
                        .keys()
                        .filter_map(|k| AccountId::parse(k))
                        .collect()
                })
                .unwrap_or_default(),
        ))
    }

    fn lists(&self) -> Result<Option<BTreeMap<String, usize>>, SecretsError> {
        let secrets = self.load()?;
        Ok(Some(
            secrets
                .vaults
                .iter()
                .filter(|(_, values)| !values.is_empty())
                .map(|(vault, values)| (vault.clone(), values.len()))
                .collect(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PASS: &str = "kata sandi panjang";
    const URI: &str = "otpauth://totp/LPSE%20Kota%20Bandung:budi?secret=JBSWY3DPEHPK3PXP";

    fn id(n: u8) -> AccountId {
        AccountId::parse(&format!("{n:016x}")).expect("a valid id")
    }

    fn create(dir: &DataDir) -> Vault {
        Vault::create_with(dir, PASS, KdfParams::light_for_tests()).expect("create")
    }

    fn get(vault: &Vault, n: u8) -> Option<String> {
        vault.get("v1", &id(n)).expect("get").map(|v| v.to_string())
    }

    fn every_file(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
        fs::read_dir(dir)
            .expect("read the dir")
            .map(|e| e.expect("entry").path())
            .filter(|p| p.is_file())
            .map(|p| {
                let bytes = fs::read(&p).expect("read");
                (p, bytes)
            })
            .collect()
    }

    #[test]
    fn values_round_trip_and_survive_a_reopen() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let dir = DataDir::new(tmp.path());
        assert!(!Vault::exists(&dir));
        let vault = create(&dir);
        assert!(Vault::exists(&dir));
        vault.put("v1", &id(1), URI, "budi").expect("put");
        vault.put("v1", &id(2), "second", "x").expect("put");
        vault.put("v2", &id(3), "other vault", "x").expect("put");
        assert_eq!(get(&vault, 1).as_deref(), Some(URI));
        assert_eq!(vault.ids("v1").expect("ids"), Some(vec![id(1), id(2)]));

        let reopened = Vault::unlock(&dir, PASS).expect("unlock");
        assert_eq!(get(&reopened, 1).as_deref(), Some(URI));
        reopened.delete("v1", &id(1)).expect("delete");
        reopened
            .delete("v1", &id(9))
            .expect("deleting nothing is fine");
        assert_eq!(get(&vault, 1), None, "the first handle sees the change");
        assert_eq!(vault.ids("v1").expect("ids"), Some(vec![id(2)]));
        assert!(Vault::create_with(&dir, PASS, KdfParams::light_for_tests()).is_err());
    }

    #[test]
    fn a_wrong_passphrase_is_its_own_error_and_changes_nothing() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let dir = DataDir::new(tmp.path());
        create(&dir).put("v1", &id(1), URI, "").expect("put");
        let before = every_file(tmp.path());
        assert!(matches!(
            Vault::unlock(&dir, "salah"),
            Err(VaultError::WrongPassphrase)
        ));
        assert_eq!(every_file(tmp.path()), before);
    }

    #[test]
    fn the_parameters_are_read_from_the_file() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let dir = DataDir::new(tmp.path());
        let params = KdfParams {
            m_cost_kib: 2048,
            t_cost: 2,
            p_cost: 1,
        };
        Vault::create_with(&dir, PASS, params).expect("create");
        assert_eq!(Vault::params_of(&dir).expect("params"), params);
        assert_eq!(Vault::unlock(&dir, PASS).expect("unlock").params(), params);
        assert_eq!(KdfParams::default().m_cost_kib, 64 * 1024);
    }

    #[test]
    fn a_damaged_file_is_never_written_over() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let dir = DataDir::new(tmp.path());
        let vault = create(&dir);
        let path = Vault::path(&dir);
        let mut bytes = fs::read(&path).expect("read");
        let cut = bytes.len() / 2;
        bytes.truncate(cut);
        fs::write(&path, &bytes).expect("damage");
        assert!(matches!(
            vault.put("v1", &id(1), URI, ""),
            Err(SecretsError::Vault(VaultError::Damaged { .. }))
        ));
        assert!(matches!(
            Vault::unlock(&dir, PASS),
            Err(VaultError::Damaged { .. })
        ));
        assert_eq!(fs::read(&path).expect("read"), bytes, "left as it was");
    }

    #[test]
    fn a_damaged_file_is_set_aside_and_the_previous_version_used() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let dir = DataDir::new(tmp.path());
        let vault = create(&dir);
        vault.put("v1", &id(1), URI, "").expect("put");
        vault.put("v1", &id(2), "second", "").expect("put");
        let path = Vault::path(&dir);
        fs::write(&path, b"{\"kunci_vault\": 1, \"kdf\"").expect("damage");
        let restored = Vault::unlock(&dir, PASS).expect("the .bak opens");
        let aside = restored.set_aside().expect("set aside").to_path_buf();
        assert_eq!(
            fs::read(&aside).expect("read"),
            b"{\"kunci_vault\": 1, \"kdf\"",
            "the damaged file is kept as it was"
        );
        assert_eq!(get(&restored, 1).as_deref(), Some(URI));
        assert_eq!(
            get(&restored, 2),
            None,
            "the last change was in the damaged file"
        );
        assert!(matches!(
            Vault::unlock(&dir, "salah"),
            Err(VaultError::WrongPassphrase)
        ));
    }

    #[test]
    fn no_secret_is_in_clear_anywhere_in_the_data_dir() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let dir = DataDir::new(tmp.path());
        let vault = create(&dir);
        vault.put("v1", &id(1), URI, "budi").expect("put");
        vault.put("v1", &id(2), URI, "budi").expect("put");
        vault.delete("v1", &id(2)).expect("delete");
        for (path, bytes) in every_file(tmp.path()) {
            let text = String::from_utf8_lossy(&bytes);
            for clear in ["JBSWY3DPEHPK3PXP", "budi", "otpauth", PASS] {
                assert!(!text.contains(clear), "{clear} in {}", path.display());
            }
        }
    }

    #[test]
    fn every_write_has_a_fresh_nonce() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let dir = DataDir::new(tmp.path());
        let vault = create(&dir);
        let nonce = || {
            let bytes = fs::read(Vault::path(&dir)).expect("read");
            let v: serde_json::Value = serde_json::from_slice(&bytes).expect("json");
            v["nonce"].as_str().expect("nonce").to_string()
        };
        let first = nonce();
        vault.put("v1", &id(1), URI, "").expect("put");
        assert_ne!(nonce(), first);
    }

    #[test]
    fn a_changed_header_does_not_decrypt() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let dir = DataDir::new(tmp.path());
        create(&dir).put("v1", &id(1), URI, "").expect("put");
        let path = Vault::path(&dir);
        let mut v: serde_json::Value =
            serde_json::from_slice(&fs::read(&path).expect("read")).expect("json");
        v["nonce"] = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA".into();
        fs::write(&path, serde_json::to_vec(&v).expect("json")).expect("write");
        fs::remove_file(with_suffix(&path, ".bak")).expect("no backup");
        assert!(matches!(
            Vault::unlock(&dir, PASS),
            Err(VaultError::Damaged { .. })
        ));
    }

    #[test]
    fn a_vault_asking_for_a_gigabyte_times_64_is_refused_at_once_and_left_alone() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let dir = DataDir::new(tmp.path());
        create(&dir);
        let path = Vault::path(&dir);
        let mut v: serde_json::Value =
            serde_json::from_slice(&fs::read(&path).expect("read")).expect("json");
        v["kdf"]["m_cost_kib"] = (1u64 << 20).into();
        v["kdf"]["t_cost"] = 64.into();
        let hostile = serde_json::to_vec(&v).expect("json");
        fs::write(&path, &hostile).expect("write");
        let before = every_file(tmp.path());

        let start = std::time::Instant::now();
        let result = Vault::unlock(&dir, PASS);
        let took = start.elapsed();
        println!("vault.json asking Argon2id 1 GiB × 64 refused in {took:?}");
        let Err(VaultError::TooMuchWork { path: named, what }) = result else {
            panic!("not refused: {result:?}");
        };
        assert!(took < std::time::Duration::from_secs(2), "{took:?}");
        assert_eq!(named, path);
        assert_eq!(
            what,
            crate::kdf::TooMuchWork::Argon2id {
                memory_kib: 1 << 20,
                passes: 64,
                lanes: 1
            }
        );
        let words = VaultError::TooMuchWork { path: named, what }.to_string();
        assert!(
            words.contains("not made by Kunci") && words.contains("restore"),
            "{words}"
        );
        assert!(matches!(
            Vault::params_of(&dir),
            Err(VaultError::TooMuchWork { .. })
        ));
        assert_eq!(every_file(tmp.path()), before, "nothing written or moved");
    }

    #[test]
    fn a_hostile_vault_file_gives_way_to_its_previous_version() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let dir = DataDir::new(tmp.path());
        let vault = create(&dir);
        vault.put("v1", &id(1), URI, "").expect("put");
        let path = Vault::path(&dir);
        let mut v: serde_json::Value =
            serde_json::from_slice(&fs::read(&path).expect("read")).expect("json");
        v["kdf"]["m_cost_kib"] = (1u64 << 20).into();
        v["kdf"]["t_cost"] = 64.into();
        fs::write(&path, serde_json::to_vec(&v).expect("json")).expect("write");
        // As with a damaged file: set aside, never written over, and the .bak takes its place.
        let restored = Vault::unlock(&dir, PASS).expect("the .bak opens");
        assert!(restored.set_aside().is_some());
    }

    #[test]
    fn strength_grows_with_length_and_kinds() {
        assert_eq!(strength("rahasia"), Strength::Weak);
        assert_eq!(strength("rahasia2024"), Strength::Fair);
        assert_eq!(strength("Rahasia-2024"), Strength::Strong);
        assert_eq!(strength("kuda baterai staples benar"), Strength::Strong);
    }

    /// Before: `Secrets` derived `Debug`, which printed every otpauth URI in clear.
    #[test]
    fn the_decrypted_secrets_never_show_in_debug() {
        let mut secrets = Secrets::new();
        secrets.vaults.entry("v".into()).or_default().insert(
            "a".into(),
            "otpauth://totp/x?secret=JBSWY3DPEHPK3PXP".into(),
        );
        let shown = format!("{secrets:?}");
        assert!(
            !shown.contains("JBSWY3DPEHPK3PXP") && !shown.contains("otpauth"),
            "{shown}"
        );
        assert!(shown.contains("\"v\": 1"), "{shown}");
    }
}
