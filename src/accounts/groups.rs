//! The list as the window shows it: pinned accounts first, then one group per issuer (the LPSE
//! instance, usually), each group where its first account is, accounts in list order. Only the
//! pinned group and groups of two or more accounts have a header: a lone account (one account
//! on each of several LPSE sites is the common case) shows its issuer in its own row, so a
//! glance at the window takes in more accounts.

use std::collections::HashMap;

use super::Account;

/// Which group an account is shown in.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum GroupKey {
    /// Pinned accounts, whatever their issuer.
    Pinned,
    /// The issuer trimmed and in lower case, so "LPSE Kota Bandung" and "lpse kota bandung "
    /// are one group.
    Issuer(String),
    /// Accounts without an issuer.
    NoIssuer,
}

impl GroupKey {
    pub fn of(account: &Account) -> GroupKey {
        let issuer = account.issuer.trim();
        if account.pinned {
            GroupKey::Pinned
        } else if issuer.is_empty() {
            GroupKey::NoIssuer
        } else {
            GroupKey::Issuer(issuer.to_lowercase())
        }
    }

    /// A stable text for the settings file ("pinned", "none", "issuer:lpse kota bandung").
    pub fn to_setting(&self) -> String {
        match self {
            GroupKey::Pinned => "pinned".into(),
            GroupKey::NoIssuer => "none".into(),
            GroupKey::Issuer(issuer) => format!("issuer:{issuer}"),
        }
    }
}

/// One section of the list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    pub key: GroupKey,
    /// The issuer as its first account writes it; empty for the pinned and no-issuer groups.
    pub title: String,
    /// The accounts' indexes (as given to [`group`]), in list order.
    pub members: Vec<usize>,
}

impl Group {
    /// Whether the group is shown under a header (which can fold it): the pinned group
    /// always, another group when it holds two or more accounts (of those in view, while
    /// searching). A group without one is never folded.
    pub fn has_header(&self) -> bool {
        self.key == GroupKey::Pinned || self.members.len() >= 2
    }
}

/// Groups accounts given in list order with their indexes (a search may have left some out):
/// the pinned group first, then the others in the order of their first account.
pub fn group<'a>(accounts: impl IntoIterator<Item = (usize, &'a Account)>) -> Vec<Group> {
    let mut pinned = Group {
        key: GroupKey::Pinned,
        title: String::new(),
        members: Vec::new(),
    };
    let mut others: Vec<Group> = Vec::new();
    let mut slot: HashMap<GroupKey, usize> = HashMap::new();
    for (index, account) in accounts {
        let key = GroupKey::of(account);
        if key == GroupKey::Pinned {
            pinned.members.push(index);
            continue;
        }
        let at = *slot.entry(key.clone()).or_insert_with(|| {
            others.push(Group {
                title: match key {
                    GroupKey::Issuer(_) => account.issuer.trim().to_string(),
                    _ => String::new(),
                },
                key,
                members: Vec::new(),
            });
            others.len() - 1
        });
        others[at].members.push(index);
    }
    let pinned = (!pinned.members.is_empty()).then_some(pinned);
    pinned.into_iter().chain(others).collect()
}

/// One line of the flat list the window draws.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Line {
    /// The header of `groups[group]`.
    Header { group: usize },
    /// The account at `index`, in `groups[group]`.
    Account { group: usize, index: usize },
}

/// The lines to draw: each group's header (if it has one), then its accounts unless it is
/// collapsed.
pub fn lines(groups: &[Group], collapsed: impl Fn(&GroupKey) -> bool) -> Vec<Line> {
    let mut lines = Vec::new();
    for (g, group) in groups.iter().enumerate() {
        let header = group.has_header();
        if header {
            lines.push(Line::Header { group: g });
        }
        if !header || !collapsed(&group.key) {
            lines.extend(
                group
                    .members
                    .iter()
                    .map(|&index| Line::Account { group: g, index }),
            );
        }
    }
    lines
}

/// The account one step up (or down) from `index` in its group, if there is one. Moving the
/// account to that one's index (see `AccountList::move_to`) swaps the two in the list, whether
/// it moves up or down, and leaves the order of the groups as it is.
pub fn neighbour(groups: &[Group], index: usize, up: bool) -> Option<usize> {
    let group = groups.iter().find(|g| g.members.contains(&index))?;
    let at = group.members.iter().position(|&i| i == index)?;
    let next = if up { at.checked_sub(1)? } else { at + 1 };
    group.members.get(next).copied()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::accounts::AccountList;

    fn account(issuer: &str, label: &str, pinned: bool) -> Account {
        Account {
            pinned,
            ..Account::named(issuer, label)
        }
    }

    fn sample() -> Vec<Account> {
        vec![
            account("LPSE Kota Bandung", "a", false),
            account("", "no-issuer", false),
            account("GitHub", "ada", true),
            account("lpse kota bandung ", "b", false),
            account("LPSE Jawa Barat", "c", false),
            account("LPSE Jawa Barat", "d", true),
            account("LPSE Kota Bandung", "e", false),
        ]
    }

    fn titles_and_members(groups: &[Group]) -> Vec<(GroupKey, String, Vec<usize>)> {
        groups
            .iter()
            .map(|g| (g.key.clone(), g.title.clone(), g.members.clone()))
            .collect()
    }

    #[test]
    fn pinned_first_then_issuers_in_order_of_their_first_account() {
        let accounts = sample();
        let groups = group(accounts.iter().enumerate());
        assert_eq!(
            titles_and_members(&groups),
            [
                (GroupKey::Pinned, String::new(), vec![2, 5]),
                (
                    GroupKey::Issuer("lpse kota bandung".into()),
                    "LPSE Kota Bandung".into(),
                    vec![0, 3, 6]
                ),
                (GroupKey::NoIssuer, String::new(), vec![1]),
                (
                    GroupKey::Issuer("lpse jawa barat".into()),
                    "LPSE Jawa Barat".into(),
                    vec![4]
                ),
            ]
        );
    }

    #[test]
    fn a_search_keeps_the_indexes_and_drops_empty_groups() {
        let accounts = sample();
        let groups = group(
            accounts
                .iter()
                .enumerate()
                .filter(|(_, a)| a.matches("lpse")),
        );
        let keys: Vec<_> = groups.iter().map(|g| g.key.to_setting()).collect();
        assert_eq!(
            keys,
            [
                "pinned",
                "issuer:lpse kota bandung",
                "issuer:lpse jawa barat"
            ]
        );
        assert_eq!(groups[0].members, [5]);
        assert!(group(std::iter::empty()).is_empty());
    }

    #[test]
    fn collapsed_groups_keep_only_their_header() {
        let accounts = sample();
        let groups = group(accounts.iter().enumerate());
        let bandung = GroupKey::Issuer("lpse kota bandung".into());
        let lines = lines(&groups, |k| *k == bandung);
        assert_eq!(
            lines,
            [
                Line::Header { group: 0 },
                Line::Account { group: 0, index: 2 },
                Line::Account { group: 0, index: 5 },
                Line::Header { group: 1 },
                // One account each: no header, its issuer is in its row.
                Line::Account { group: 2, index: 1 },
                Line::Account { group: 3, index: 4 },
            ]
        );
    }

    #[test]
    fn only_pinned_groups_and_groups_of_two_or_more_have_a_header() {
        let accounts = [
            account("GitHub", "ada", true),
            account("LPSE Kota 1", "penyedia1", false),
            account("LPSE Kota 2", "penyedia2", false),
            account("LPSE Kota 2", "penyedia2b", false),
            account("", "lone", false),
        ];
        let groups = group(accounts.iter().enumerate());
        let headers: Vec<bool> = groups.iter().map(Group::has_header).collect();
        assert_eq!(headers, [true, false, true, false]);
        // A lone account's group is never folded: it has no header to unfold it with.
        let lines = lines(&groups, |_| true);
        assert_eq!(
            lines,
            [
                Line::Header { group: 0 },
                Line::Account { group: 1, index: 1 },
                Line::Header { group: 2 },
                Line::Account { group: 3, index: 4 },
            ]
        );
        // While searching, a group is counted by its accounts in view.
        let groups = group(
            accounts
                .iter()
                .enumerate()
                .filter(|(_, a)| a.matches("penyedia2b")),
        );
        assert!(!groups[0].has_header());
    }

    #[test]
    fn moving_to_the_neighbour_swaps_within_the_group() {
        let accounts = sample();
        let groups = group(accounts.iter().enumerate());
        assert_eq!(neighbour(&groups, 3, true), Some(0));
        assert_eq!(neighbour(&groups, 3, false), Some(6));
        assert_eq!(neighbour(&groups, 0, true), None);
        assert_eq!(neighbour(&groups, 6, false), None);
        assert_eq!(neighbour(&groups, 5, true), Some(2));

        // Down: "b" (3) goes to "e"'s index and ends up after it; the group order stays.
        let mut list = AccountList::new(accounts.clone());
        list.move_to(&accounts[3].id, 6);
        let labels: Vec<_> = list.iter().map(|a| a.label.as_str()).collect();
        assert_eq!(labels, ["a", "no-issuer", "ada", "c", "d", "e", "b"]);
        // Up: "e" (6) goes to "b"'s index and ends up before it.
        let mut list = AccountList::new(accounts.clone());
        list.move_to(&accounts[6].id, 3);
        let labels: Vec<_> = list.iter().map(|a| a.label.as_str()).collect();
        assert_eq!(labels, ["a", "no-issuer", "ada", "e", "b", "c", "d"]);
        let regrouped = group(list.iter().enumerate());
        let keys: Vec<_> = regrouped.iter().map(|g| g.key.clone()).collect();
        let before: Vec<_> = groups.iter().map(|g| g.key.clone()).collect();
        assert_eq!(keys, before);
    }
}
