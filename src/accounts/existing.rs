//! How an account about to be added relates to those already there: decided once, for the
//! store's add, an import's plan and the window's scan review.

use super::Account;
use crate::otp::{OtpUri, Secret};

/// How an account about to be added relates to those already there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Existing {
    /// Nothing with this issuer and label.
    New,
    /// Same issuer, label and secret: adding it again would change nothing.
    Duplicate(Account),
    /// Same issuer and label, another secret: the site issued a new one ("Disable TOTP" on
    /// SPSE), so this is a re-enrolment of that account.
    NewSecret(Account),
}

impl Existing {
    /// How `uri` relates to `accounts`, given a way to get an account's secret (the keychain,
    /// or secrets already loaded in the window). Only same-named accounts' secrets are asked for.
    pub fn among<'a>(
        uri: &OtpUri,
        accounts: impl IntoIterator<Item = &'a Account>,
        secret_of: impl Fn(&Account) -> Option<Secret>,
    ) -> Existing {
        let issuer = uri.issuer.as_deref().unwrap_or_default();
        let mut same_name = None;
        for same in accounts
            .into_iter()
            .filter(|a| a.same_name(issuer, &uri.label))
        {
            if secret_of(same).is_some_and(|s| s == uri.secret) {
                return Existing::Duplicate(same.clone());
            }
            same_name.get_or_insert_with(|| same.clone());
        }
        same_name.map_or(Existing::New, Existing::NewSecret)
    }
}
