//! `Account` and `AccountId`.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::otp::{OtpUri, Params, Secret};

/// A random, stable identifier. It names the account's keychain entry, so it never changes,
/// not even when the account is renamed or re-enrolled.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct AccountId(String);

impl AccountId {
    /// A new random id: 128 bits from the OS random source, as 32 lowercase hex digits.
    pub fn random() -> Self {
        let mut bytes = [0u8; 16];
        // The OS random source failing is not something we can recover from sensibly.
        getrandom::fill(&mut bytes).expect("the operating system's random source failed");
        AccountId(bytes.iter().map(|b| format!("{b:02x}")).collect())
    }

    /// Accepts only ids Kunci could have made (hex, 8 to 64 digits), so a damaged
    /// file cannot smuggle odd text into keychain lookups.
    pub fn parse(text: &str) -> Option<Self> {
        let ok = (8..=64).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_hexdigit());
        ok.then(|| AccountId(text.to_ascii_lowercase()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for AccountId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// One account, without its secret (that lives in the keychain only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    pub id: AccountId,
    /// Who issued the code, e.g. "LPSE Kota Bandung". May be empty.
    #[serde(default)]
    pub issuer: String,
    /// The account name at the issuer, e.g. a user name or e-mail address.
    #[serde(default)]
    pub label: String,
    #[serde(flatten)]
    pub params: Params,
    /// Unix seconds when the account was added.
    #[serde(default)]
    pub added: i64,
    /// The user's own words about the account (e.g. "kantor cabang"), found by search.
    #[serde(default)]
    pub note: String,
    /// Shown first, above the groups.
    #[serde(default)]
    pub pinned: bool,
}

/// What the user added to an account beyond its code: carried by backups and imports.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Extras {
    /// The account's note ([`Account::note`]).
    pub note: String,
    /// Whether it is pinned ([`Account::pinned`]).
    pub pinned: bool,
}

impl Account {
    /// A plain TOTP account named `issuer`/`label`, for the library's tests.
    #[cfg(test)]
    pub(crate) fn named(issuer: &str, label: &str) -> Account {
        Account {
            id: AccountId::random(),
            issuer: issuer.into(),
            label: label.into(),
            params: crate::otp::Params::default(),
            added: 0,
            note: String::new(),
            pinned: false,
        }
    }

    /// The note and pin of this account.
    pub fn extras(&self) -> Extras {
        Extras {
            note: self.note.clone(),
            pinned: self.pinned,
        }
    }

    /// "Issuer (label)", or whichever of the two exists.
    pub fn display_name(&self) -> String {
        match (self.issuer.is_empty(), self.label.is_empty()) {
            (false, false) => format!("{} ({})", self.issuer, self.label),
            (false, true) => self.issuer.clone(),
            (true, false) => self.label.clone(),
            (true, true) => self.id.to_string(),
        }
    }

    /// The full otpauth URI for this account with the given secret.
    pub fn to_uri(&self, secret: &Secret) -> OtpUri {
        OtpUri {
            issuer: (!self.issuer.is_empty()).then(|| self.issuer.clone()),
            label: self.label.clone(),
            secret: secret.clone(),
            params: self.params,
        }
    }

    /// Whether the issuer, label or note contains `needle` (already lower case); all match "".
    pub fn matches(&self, needle: &str) -> bool {
        needle.is_empty()
            || self.issuer.to_lowercase().contains(needle)
            || self.label.to_lowercase().contains(needle)
            || self.note.to_lowercase().contains(needle)
    }

    /// Same issuer and label, ignoring case and surrounding spaces.
    pub fn same_name(&self, issuer: &str, label: &str) -> bool {
        fn norm(s: &str) -> String {
            s.trim().to_lowercase()
        }
        norm(&self.issuer) == norm(issuer) && norm(&self.label) == norm(label)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account() -> Account {
        Account {
            id: AccountId::parse("0123456789abcdef").unwrap(),
            issuer: "LPSE Kota Bandung".into(),
            label: "penyedia01".into(),
            params: Params::default(),
            added: 7,
            note: "Kantor Cabang Cimahi".into(),
            pinned: true,
        }
    }

    #[test]
    fn search_matches_issuer_label_and_note() {
        let a = account();
        for needle in ["", "bandung", "penyedia", "cimahi", "cabang cim"] {
            assert!(a.matches(needle), "{needle}");
        }
        assert!(!a.matches("surabaya"));
    }

    #[test]
    fn old_entries_load_and_new_ones_round_trip() {
        // An entry as Kunci wrote it before notes and pins existed.
        let old = serde_json::json!({
            "id": "0123456789abcdef", "issuer": "GitHub", "label": "ada",
            "kind": "totp", "algorithm": "SHA1", "digits": 6, "period": 30, "counter": 0,
            "added": 5
        });
        let loaded: Account = serde_json::from_value(old).unwrap();
        assert_eq!((loaded.note.as_str(), loaded.pinned), ("", false));

        let a = account();
        let text = serde_json::to_string(&a).unwrap();
        assert_eq!(serde_json::from_str::<Account>(&text).unwrap(), a);
    }
}
