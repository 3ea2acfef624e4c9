/*!
Aegis plain (unencrypted) vaults, as Aegis imports them.

Format: <https://github.com/beemdevelopment/Aegis/blob/master/docs/vault.md>: `{ "version": 1,
"header": { "slots": null, "params": null }, "db": { "version": 3, "entries": [...], "groups": []
} }`, one entry per account with a random UUID, `name` (the label), `issuer`, and `info` with the
base32 `secret`, `algo`, `digits` and `period` (TOTP) or `counter` (HOTP), the account's note
as `note` and its pin as `favorite`. Read back by [`crate::import::aegis`]. Nothing of a TOTP or
HOTP account is lost. The file is NOT encrypted.
*/

use serde_json::{Value, json};
use zeroize::{Zeroize, Zeroizing};

use crate::accounts::Extras;
use crate::otp::{Kind, OtpUri};

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
    use crate::import::{Importer, aegis::Aegis};
    use crate::otp::{Algorithm, Params, Secret};

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
