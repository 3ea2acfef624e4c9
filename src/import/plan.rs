/*!
What importing a file's accounts would do, decided before anything is written: shared by
`kunci import` and the window's import dialog, so both add exactly the same accounts.

Nothing is ever overwritten: an account already there (same name and secret) is left out, and
one whose name is there with another secret is only reported (re-enrolling replaces a secret,
on the user's explicit choice). A name the file holds twice is added once, the first time.
*/

use crate::accounts::Account;
use crate::accounts::Existing;
use crate::otp::OtpUri;

/// What would happen to one account of the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fate {
    /// Not there yet: it would be added.
    New,
    /// There already with the same secret: adding it again would change nothing.
    AlreadyThere(Account),
    /// Its name is there with another secret: a newer enrolment, or another account of the same
    /// name. Never added over the existing one.
    OtherSecret(Account),
    /// The file named this account earlier (with this or another secret).
    RepeatedInFile,
}

impl Fate {
    /// Whether the account would be added as it is.
    pub fn adds(&self) -> bool {
        *self == Fate::New
    }
}

/// One account of the file and what would happen to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Planned {
    pub uri: OtpUri,
    pub fate: Fate,
}

/// Sorts a file's accounts, in file order. `existing` says how an account relates to those
/// already there ([`crate::store::Store::existing`], or the window's loaded list).
pub fn plan(accounts: Vec<OtpUri>, existing: impl Fn(&OtpUri) -> Existing) -> Vec<Planned> {
    let mut planned: Vec<Planned> = Vec::with_capacity(accounts.len());
    for uri in accounts {
        let fate = match existing(&uri) {
            Existing::Duplicate(account) => Fate::AlreadyThere(account),
            Existing::NewSecret(account) => Fate::OtherSecret(account),
            Existing::New if planned.iter().any(|p| same_name(&p.uri, &uri)) => {
                Fate::RepeatedInFile
            }
            Existing::New => Fate::New,
        };
        planned.push(Planned { uri, fate });
    }
    planned
}

/// The store's notion of one name: issuer and label, trimmed, in any case.
fn same_name(a: &OtpUri, b: &OtpUri) -> bool {
    let norm = |s: Option<&str>| s.unwrap_or_default().trim().to_lowercase();
    norm(a.issuer.as_deref()) == norm(b.issuer.as_deref())
        && norm(Some(&a.label)) == norm(Some(&b.label))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::accounts::AccountId;
    use crate::otp::{Params, Secret};

    /// An account as the store would hold it (built through serde, as the metadata file is).
    fn account(issuer: &str, label: &str) -> Account {
        let mut value = serde_json::to_value(Params::default()).unwrap_or_default();
        value["id"] = AccountId::random().as_str().into();
        value["issuer"] = issuer.into();
        value["label"] = label.into();
        serde_json::from_value(value).expect("an account")
    }

    fn uri(issuer: &str, label: &str, key: u8) -> OtpUri {
        OtpUri {
            issuer: Some(issuer.into()),
            label: label.into(),
            secret: Secret::from_bytes(vec![key; 20]),
            params: Params::default(),
        }
    }

    #[test]
    fn each_account_gets_its_verdict() {
        let there = account("LPSE", "budi");
        let other = account("LPSE", "siti");
        let file = vec![
            uri("LPSE", "budi", 1),
            uri("LPSE", "siti", 2),
            uri("GitHub", "ada", 3),
            uri("github ", "ADA", 4),
        ];
        let verdicts: Vec<Fate> = plan(file, |u| match u.label.as_str() {
            "budi" => Existing::Duplicate(there.clone()),
            "siti" => Existing::NewSecret(other.clone()),
            _ => Existing::New,
        })
        .into_iter()
        .map(|p| p.fate)
        .collect();
        assert_eq!(
            verdicts,
            [
                Fate::AlreadyThere(there.clone()),
                Fate::OtherSecret(other.clone()),
                Fate::New,
                Fate::RepeatedInFile,
            ]
        );
    }
}
