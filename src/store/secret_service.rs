//! Every Kunci secret of one account list from the Secret Service in one exchange (Linux).
//!
//! keyring-core reads one entry per D-Bus round trip; with 500 accounts that is 500 of them,
//! served one at a time, before every code is shown. Here: one session, one `SearchItems` for
//! Kunci's entries, the entries' attributes (to know whose each one is) asked all at once, and
//! one `GetSecrets` for all of them. The session is encrypted like keyring-core's
//! (`dh-ietf1024-sha256-aes128-cbc-pkcs7`), so no secret crosses the bus in clear. Locked
//! entries are listed, but their values left out: reading them one by one asks to unlock as
//! before.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use futures_util::future::join_all;
use num_bigint::BigUint;
use zbus::zvariant::{ObjectPath, OwnedObjectPath, OwnedValue, Value};
use zeroize::Zeroizing;

use super::secrets::VaultEntries;
use crate::accounts::AccountId;

const BUS_NAME: &str = "org.freedesktop.secrets";
const SERVICE_PATH: &str = "/org/freedesktop/secrets";
const SERVICE: &str = "org.freedesktop.Secret.Service";
const ALGORITHM: &str = "dh-ietf1024-sha256-aes128-cbc-pkcs7";

/// The 1024-bit MODP group of RFC 2409 (second Oakley group), generator 2, as the Secret
/// Service specification asks for this algorithm.
const PRIME: [u8; 128] = [
    0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xC9, 0x0F, 0xDA, 0xA2, 0x21, 0x68, 0xC2, 0x34,
    0xC4, 0xC6, 0x62, 0x8B, 0x80, 0xDC, 0x1C, 0xD1, 0x29, 0x02, 0x4E, 0x08, 0x8A, 0x67, 0xCC, 0x74,
    0x02, 0x0B, 0xBE, 0xA6, 0x3B, 0x13, 0x9B, 0x22, 0x51, 0x4A, 0x08, 0x79, 0x8E, 0x34, 0x04, 0xDD,
    0xEF, 0x95, 0x19, 0xB3, 0xCD, 0x3A, 0x43, 0x1B, 0x30, 0x2B, 0x0A, 0x6D, 0xF2, 0x5F, 0x14, 0x37,
    0x4F, 0xE1, 0x35, 0x6D, 0x6D, 0x51, 0xC2, 0x45, 0xE4, 0x85, 0xB5, 0x76, 0x62, 0x5E, 0x7E, 0xC6,
    0xF4, 0x4C, 0x42, 0xE9, 0xA6, 0x37, 0xED, 0x6B, 0x0B, 0xFF, 0x5C, 0xB6, 0xF4, 0x06, 0xB7, 0xED,
    0xEE, 0x38, 0x6B, 0xFB, 0x5A, 0x89, 0x9F, 0xA5, 0xAE, 0x9F, 0x24, 0x11, 0x7C, 0x4B, 0x1F, 0xE6,
    0x49, 0x28, 0x66, 0x51, 0xEC, 0xE6, 0x53, 0x81, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
];

/// What went wrong, in words for a log line (never a secret).
pub type BulkError = String;

/// The entries filed under `service` whose user is `<vault>/<id>`: every one's id, and the
/// values of the unlocked ones.
pub fn read_vault(service: &str, vault: &str) -> Result<VaultEntries, BulkError> {
    zbus::block_on(read_vault_async(service, vault))
}

async fn read_vault_async(service: &str, vault: &str) -> Result<VaultEntries, BulkError> {
    let bus = bus().await?;

    // The session: our public key out, the service's in, and the AES key both derive.
    let prime = BigUint::from_bytes_be(&PRIME);
    let mut private = Zeroizing::new([0u8; 128]);
    getrandom::fill(private.as_mut_slice()).map_err(words)?;
    let private = BigUint::from_bytes_be(private.as_slice());
    let public = BigUint::from(2u8).modpow(&private, &prime);
    let reply = call_service(
        &bus,
        "OpenSession",
        &(ALGORITHM, Value::from(public.to_bytes_be())),
    )
    .await?;
    let (output, session): (OwnedValue, OwnedObjectPath) =
        reply.body().deserialize().map_err(words)?;
    let theirs: Vec<u8> = output.try_into().map_err(words)?;
    let theirs = BigUint::from_bytes_be(&theirs);
    if !acceptable_public_key(&theirs, &prime) {
        return Err("the Secret Service offered an unusable session key".into());
    }
    let key = session_key(&theirs, &private, &prime);
    let result = read_with_session(&bus, &session, &key, service, vault).await;
    // Closing is tidiness: the service closes it with our connection anyway.
    let _ = bus
        .call_method(
            Some(BUS_NAME),
            session.as_ref(),
            Some("org.freedesktop.Secret.Session"),
            "Close",
            &(),
        )
        .await;
    result
}

async fn read_with_session(
    bus: &zbus::Connection,
    session: &OwnedObjectPath,
    key: &Zeroizing<[u8; 16]>,
    service: &str,
    vault: &str,
) -> Result<VaultEntries, BulkError> {
    let prefix = format!("{vault}/");
    let mut entries = VaultEntries::default();
    let mut owners: HashMap<OwnedObjectPath, AccountId> = HashMap::new();
    for (path, user, unlocked) in items(bus, service).await? {
        let Some(id) = user.strip_prefix(&prefix).and_then(AccountId::parse) else {
            continue;
        };
        entries.ids.push(id.clone());
        if unlocked {
            owners.insert(path, id);
        }
    }
    entries.ids.sort();
    entries.ids.dedup();
    if owners.is_empty() {
        return Ok(entries);
    }

    let paths: Vec<ObjectPath<'_>> = owners.keys().map(|p| p.as_ref()).collect();
    let reply = call_service(bus, "GetSecrets", &(paths, session.as_ref())).await?;
    type Secret = (OwnedObjectPath, Vec<u8>, Vec<u8>, String);
    let secrets: HashMap<OwnedObjectPath, Secret> = reply.body().deserialize().map_err(words)?;
    for (path, (_, iv, value, _)) in secrets {
        let Some(id) = owners.remove(&path) else {
            continue;
        };
        // An entry that does not decrypt or is not text is left for the one-by-one read,
        // which says what is wrong with it.
        if let Some(text) = decrypt(key, &iv, &value) {
            entries.values.insert(id, text);
        }
    }
    Ok(entries)
}

/// A method of the Secret Service itself (not of one of its items or sessions).
async fn call_service<B>(
    bus: &zbus::Connection,
    method: &'static str,
    body: &B,
) -> Result<zbus::Message, BulkError>
where
    B: serde::Serialize + zbus::zvariant::DynamicType,
{
    bus.call_method(Some(BUS_NAME), SERVICE_PATH, Some(SERVICE), method, body)
        .await
        .map_err(words)
}

/// The session bus, connected once for the process. Each new connection is a new client that
/// gnome-keyring-daemon sets up and tears down again, and races in that bookkeeping are known to
/// abort it (reported upstream as gnome-keyring work items 190, 196 and 199, with clients of
/// every kind); so these reads make one connection, not one each. A connection that broke is
/// made again on the next read.
async fn bus() -> Result<zbus::Connection, BulkError> {
    static BUS: Mutex<Option<zbus::Connection>> = Mutex::new(None);
    let cached = BUS.lock().unwrap_or_else(PoisonError::into_inner).clone();
    if let Some(bus) = cached
        && !bus.is_closed()
    {
        return Ok(bus);
    }
    let bus = zbus::Connection::session().await.map_err(words)?;
    *BUS.lock().unwrap_or_else(PoisonError::into_inner) = Some(bus.clone());
    Ok(bus)
}

/// The users (`<vault>/<account id>`) of every entry filed under `service`, locked or not: what
/// keyring-core's search gives, without its round trip per entry.
pub fn users(service: &str) -> Result<Vec<String>, BulkError> {
    zbus::block_on(async {
        let bus = bus().await?;
        let items = items(&bus, service).await?;
        Ok(items.into_iter().map(|(_, user, _)| user).collect())
    })
}

/// Whether a call failed because its object no longer exists (gnome-keyring answers a deleted
/// item's path with UnknownMethod, others with UnknownObject or the Secret Service's own).
fn is_gone(error: &zbus::Error) -> bool {
    match error {
        zbus::Error::MethodError(name, _, _) => matches!(
            name.as_str(),
            "org.freedesktop.DBus.Error.UnknownMethod"
                | "org.freedesktop.DBus.Error.UnknownObject"
                | "org.freedesktop.Secret.Error.NoSuchObject"
        ),
        _ => false,
    }
}

/// Every entry filed under `service`: its path, its user, and whether it is unlocked. One
/// search, then the entries' attributes (to know whose each one is) asked for all at once: the
/// calls go out together and their answers come back on the one connection.
async fn items(
    bus: &zbus::Connection,
    service: &str,
) -> Result<Vec<(OwnedObjectPath, String, bool)>, BulkError> {
    let search = HashMap::from([("service", service)]);
    let reply = call_service(bus, "SearchItems", &(search,)).await?;
    let (unlocked, locked): (Vec<OwnedObjectPath>, Vec<OwnedObjectPath>) =
        reply.body().deserialize().map_err(words)?;
    let paths = unlocked.into_iter().map(|p| (p, true));
    let paths = paths.chain(locked.into_iter().map(|p| (p, false)));
    let found = join_all(paths.map(|(path, unlocked)| async move {
        let reply = match bus
            .call_method(
                Some(BUS_NAME),
                path.as_ref(),
                Some("org.freedesktop.DBus.Properties"),
                "Get",
                &("org.freedesktop.Secret.Item", "Attributes"),
            )
            .await
        {
            Ok(reply) => reply,
            // Deleted since the search (by another Kunci, or in the desktop's keyring
            // manager): not there, as a search a moment later would say.
            Err(e) if is_gone(&e) => return Ok(None),
            Err(e) => return Err(words(e)),
        };
        let value: OwnedValue = reply.body().deserialize().map_err(words)?;
        let attributes: HashMap<String, String> = value.try_into().map_err(words)?;
        let user = (attributes.get("service").map(String::as_str) == Some(service))
            .then(|| {
                attributes
                    .get("username")
                    .or(attributes.get("user"))
                    .cloned()
            })
            .flatten();
        Ok::<_, BulkError>(user.map(|user| (path, user, unlocked)))
    }))
    .await;
    // One entry that cannot be read fails the whole listing: the caller then lists the
    // slow way, which says which entry is wrong.
    let mut items = Vec::new();
    for item in found {
        items.extend(item?);
    }
    Ok(items)
}

/// Whether the service's public value can make a shared secret: 1 and p-1 (or anything out
/// of 2..=p-2) would give one anybody can guess, and then the secrets cross the bus in clear
/// for all purposes.
fn acceptable_public_key(theirs: &BigUint, prime: &BigUint) -> bool {
    let one = BigUint::from(1u8);
    *theirs > one && *theirs < prime - &one
}

/// The AES-128 key of the session: HKDF-SHA256 (no salt, no info) of the shared secret, as
/// 128 big-endian bytes.
fn session_key(theirs: &BigUint, private: &BigUint, prime: &BigUint) -> Zeroizing<[u8; 16]> {
    let shared = Zeroizing::new(theirs.modpow(private, prime).to_bytes_be());
    let mut padded = Zeroizing::new(vec![0u8; 128usize.saturating_sub(shared.len())]);
    padded.extend_from_slice(&shared);
    let (_, hkdf) = hkdf::Hkdf::<sha2::Sha256>::extract(None, &padded);
    let mut key = Zeroizing::new([0u8; 16]);
    // 16 bytes is far below HKDF-SHA256's limit: this cannot fail.
    let _ = hkdf.expand(&[], key.as_mut_slice());
    key
}

fn decrypt(key: &Zeroizing<[u8; 16]>, iv: &[u8], value: &[u8]) -> Option<Zeroizing<String>> {
    use aes::cipher::block_padding::Pkcs7;
    use aes::cipher::{BlockModeDecrypt, KeyIvInit};
    let cipher = cbc::Decryptor::<aes::Aes128>::new_from_slices(key.as_slice(), iv).ok()?;
    let plain = Zeroizing::new(cipher.decrypt_padded_vec::<Pkcs7>(value).ok()?);
    let text = std::str::from_utf8(&plain).ok()?;
    Some(Zeroizing::new(text.to_string()))
}

fn words(e: impl std::fmt::Display) -> BulkError {
    e.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn degenerate_session_keys_are_refused() {
        let prime = BigUint::from_bytes_be(&PRIME);
        let one = BigUint::from(1u8);
        for bad in [
            BigUint::from(0u8),
            one.clone(),
            &prime - &one,
            prime.clone(),
        ] {
            assert!(!acceptable_public_key(&bad, &prime), "{bad}");
        }
        assert!(acceptable_public_key(&BigUint::from(2u8), &prime));
        assert!(acceptable_public_key(&(&prime - 2u8), &prime));
    }
}
