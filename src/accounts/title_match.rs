//! Which account a window's title names, so that the quick picker can select it first: the
//! browser on "LPSE Kota Bandung - Sign in" preselects the LPSE Kota Bandung account.

use super::Account;

/// The most of a title looked at: real titles are short; a hostile one is not searched whole.
const MAX_TITLE_CHARS: usize = 1024;
/// Shorter names ("Go", "X") would be found in too many titles by chance.
const MIN_NAME_CHARS: usize = 3;

/// Lower case, every run of other characters than letters and digits made one space, and a
/// space at each end, so that names are found as whole words: "Go" is not in "Google".
fn words(text: &str, limit: usize) -> String {
    let mut out = String::from(" ");
    for c in text.chars().take(limit) {
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else if !out.ends_with(' ') {
            out.push(' ');
        }
    }
    if !out.ends_with(' ') {
        out.push(' ');
    }
    out
}

/// How much of `name` the title holds: its length in words' characters, or 0.
fn found(title: &str, name: &str) -> usize {
    let name = words(name, MAX_TITLE_CHARS);
    let length = name.trim().chars().count();
    if length >= MIN_NAME_CHARS && title.contains(&name) {
        length
    } else {
        0
    }
}

/// The index of the account whose issuer or label the title names: the one naming the most
/// (issuer and label both found beat either alone; a longer name beats a shorter one), the
/// first in the list on a tie. `None` when the title names none.
pub fn named_in_title<'a>(
    title: &str,
    accounts: impl IntoIterator<Item = &'a Account>,
) -> Option<usize> {
    let title = words(title, MAX_TITLE_CHARS);
    let mut best: Option<(usize, usize)> = None;
    for (index, account) in accounts.into_iter().enumerate() {
        let score = found(&title, &account.issuer) + found(&title, &account.label);
        if score > 0 && best.is_none_or(|(top, _)| score > top) {
            best = Some((score, index));
        }
    }
    best.map(|(_, index)| index)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account(issuer: &str, label: &str) -> Account {
        Account::named(issuer, label)
    }

    fn accounts() -> Vec<Account> {
        vec![
            account("GitHub", "ada"),
            account("LPSE Kota Bandung", "penyedia01"),
            account("LPSE Kota Bandung", "penyedia02"),
            account("LPSE Kabupaten Bandung Barat", "penyedia01"),
            account("Go", "x"),
            account("", "budi@kemenkeu.go.id"),
        ]
    }

    #[test]
    fn the_account_a_title_names_is_found() {
        let list = accounts();
        for (title, expected) in [
            ("LPSE Kota Bandung - login - Mozilla Firefox", Some(1)),
            ("lpse  kota bandung: Masuk", Some(1)),
            // Both accounts at the site: the one whose user name is in the title too.
            ("SPSE 4.5 | LPSE Kota Bandung | penyedia02", Some(2)),
            ("LPSE Kabupaten Bandung Barat — Google Chrome", Some(3)),
            ("Sign in to GitHub · GitHub", Some(0)),
            ("Login budi@kemenkeu.go.id", Some(5)),
            // Short names and names inside other words do not count.
            ("Google", None),
            ("Go to the bank", None),
            ("LPSE Kota Bandungan", None),
            ("", None),
        ] {
            assert_eq!(named_in_title(title, &list), expected, "{title:?}");
        }
    }

    #[test]
    fn a_huge_title_is_looked_at_only_in_part() {
        let list = accounts();
        let mut title = "x ".repeat(10_000);
        title.push_str("GitHub");
        assert_eq!(named_in_title(&title, &list), None);
        assert_eq!(named_in_title(&format!("GitHub {title}"), &list), Some(0));
    }
}
