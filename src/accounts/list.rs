//! The ordered list of accounts and how a typed query picks one of them.

use super::{Account, AccountId};

/// Accounts in the order the user sees them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AccountList {
    accounts: Vec<Account>,
}

/// Why a query did not pick exactly one account.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    #[error("no account matches \"{query}\"")]
    NoMatch {
        query: String,
        candidates: Vec<Account>,
    },
    #[error("\"{query}\" matches {} accounts; be more specific", candidates.len())]
    Ambiguous {
        query: String,
        candidates: Vec<Account>,
    },
}

impl QueryError {
    /// The accounts worth showing the user next to the error: the ambiguous matches, or all
    /// accounts when nothing matched.
    pub fn candidates(&self) -> &[Account] {
        match self {
            QueryError::NoMatch { candidates, .. } | QueryError::Ambiguous { candidates, .. } => {
                candidates
            }
        }
    }
}

impl AccountList {
    pub fn new(accounts: Vec<Account>) -> Self {
        AccountList { accounts }
    }

    pub fn as_slice(&self) -> &[Account] {
        &self.accounts
    }

    pub fn into_vec(self) -> Vec<Account> {
        self.accounts
    }

    pub fn len(&self) -> usize {
        self.accounts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.accounts.is_empty()
    }

    pub fn iter(&self) -> std::slice::Iter<'_, Account> {
        self.accounts.iter()
    }

    pub fn get(&self, id: &AccountId) -> Option<&Account> {
        self.accounts.iter().find(|a| &a.id == id)
    }

    pub fn get_mut(&mut self, id: &AccountId) -> Option<&mut Account> {
        self.accounts.iter_mut().find(|a| &a.id == id)
    }

    pub fn contains(&self, id: &AccountId) -> bool {
        self.get(id).is_some()
    }

    /// Appends at the end (new accounts go last, where the user looks for them).
    pub fn push(&mut self, account: Account) {
        self.accounts.push(account);
    }

    /// Where the account is in the list.
    pub fn position(&self, id: &AccountId) -> Option<usize> {
        self.accounts.iter().position(|a| &a.id == id)
    }

    /// Moves the account so that it ends up at `position` (clamped to the end); false when
    /// there is no such account.
    pub fn move_to(&mut self, id: &AccountId, position: usize) -> bool {
        let Some(from) = self.position(id) else {
            return false;
        };
        let account = self.accounts.remove(from);
        self.accounts
            .insert(position.min(self.accounts.len()), account);
        true
    }

    /// Removes and returns the account, if present.
    pub fn remove(&mut self, id: &AccountId) -> Option<Account> {
        let index = self.accounts.iter().position(|a| &a.id == id)?;
        Some(self.accounts.remove(index))
    }

    /// Accounts whose issuer, label or note contains `needle`, ignoring case; all when it is
    /// blank.
    pub fn search<'a>(&'a self, needle: &str) -> impl Iterator<Item = &'a Account> + 'a {
        let needle = needle.trim().to_lowercase();
        self.accounts.iter().filter(move |a| a.matches(&needle))
    }

    /// Picks exactly one account for a command-line query. In order of preference:
    /// the id (or a unique id prefix of at least 6 digits); an exact, case-insensitive
    /// "issuer:label", label or issuer; a case-insensitive substring of issuer, label or note.
    pub fn find_one(&self, query: &str) -> Result<&Account, QueryError> {
        let q = query.trim();
        let lower = q.to_lowercase();
        if let Some(account) = self.accounts.iter().find(|a| a.id.as_str() == lower) {
            return Ok(account);
        }
        if lower.len() >= 6 && lower.bytes().all(|b| b.is_ascii_hexdigit()) {
            let by_prefix: Vec<&Account> = self
                .accounts
                .iter()
                .filter(|a| a.id.as_str().starts_with(&lower))
                .collect();
            if let [one] = by_prefix.as_slice() {
                return Ok(one);
            }
        }
        let exact: Vec<&Account> = self
            .accounts
            .iter()
            .filter(|a| {
                let full = format!("{}:{}", a.issuer, a.label).to_lowercase();
                full == lower || a.label.to_lowercase() == lower || a.issuer.to_lowercase() == lower
            })
            .collect();
        if let [one] = exact.as_slice() {
            return Ok(one);
        }
        let partial: Vec<&Account> = if exact.is_empty() {
            self.search(q).collect()
        } else {
            exact
        };
        match partial.as_slice() {
            [one] => Ok(one),
            [] => Err(QueryError::NoMatch {
                query: q.to_string(),
                candidates: self.accounts.clone(),
            }),
            many => Err(QueryError::Ambiguous {
                query: q.to_string(),
                candidates: many.iter().map(|a| (*a).clone()).collect(),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account(id: &str, issuer: &str, label: &str) -> Account {
        Account {
            id: AccountId::parse(id).unwrap(),
            ..Account::named(issuer, label)
        }
    }

    fn sample() -> AccountList {
        AccountList::new(vec![
            account("aaaaaaaa11111111", "LPSE Kota Bandung", "penyedia01"),
            account("bbbbbbbb22222222", "LPSE Kota Bandung", "penyedia02"),
            account("cccccccc33333333", "GitHub", "ada@example.com"),
            account("dddddddd44444444", "Git", "ada"),
        ])
    }

    #[test]
    fn unique_substring_matches() {
        let list = sample();
        assert_eq!(list.find_one("02").unwrap().label, "penyedia02");
        assert_eq!(list.find_one("EXAMPLE").unwrap().issuer, "GitHub");
    }

    #[test]
    fn exact_name_beats_substring() {
        let list = sample();
        // "git" is a substring of "GitHub" too, but it is exactly the issuer of one account.
        assert_eq!(list.find_one("git").unwrap().label, "ada");
        assert_eq!(
            list.find_one("lpse kota bandung:penyedia01").unwrap().label,
            "penyedia01"
        );
    }

    #[test]
    fn id_and_id_prefix() {
        let list = sample();
        assert_eq!(list.find_one("cccccccc33333333").unwrap().issuer, "GitHub");
        assert_eq!(list.find_one("bbbbbb").unwrap().label, "penyedia02");
    }

    #[test]
    fn ambiguous_lists_candidates() {
        let err = sample().find_one("bandung").unwrap_err();
        assert!(matches!(err, QueryError::Ambiguous { .. }));
        assert_eq!(err.candidates().len(), 2);
    }

    #[test]
    fn move_to_puts_the_account_at_the_position() {
        let mut list = sample();
        let labels = |l: &AccountList| l.iter().map(|a| a.label.clone()).collect::<Vec<_>>();
        let ada = AccountId::parse("dddddddd44444444").unwrap();
        assert!(list.move_to(&ada, 0));
        assert_eq!(
            labels(&list),
            ["ada", "penyedia01", "penyedia02", "ada@example.com"]
        );
        assert!(list.move_to(&ada, 99));
        assert_eq!(
            labels(&list),
            ["penyedia01", "penyedia02", "ada@example.com", "ada"]
        );
        assert_eq!(list.position(&ada), Some(3));
        assert!(!list.move_to(&AccountId::parse("eeeeeeee55555555").unwrap(), 0));
    }

    #[test]
    fn no_match_lists_everything() {
        let err = sample().find_one("nothing-like-this").unwrap_err();
        assert!(matches!(err, QueryError::NoMatch { .. }));
        assert_eq!(err.candidates().len(), 4);
    }
}
