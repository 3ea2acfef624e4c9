//! Words: every user-facing string comes from `locales/*.yml` (English and Bahasa Indonesia),
//! always in a language passed in, never a process-wide one, so that parallel tests and two
//! windows cannot mix languages.

pub use kunci::settings::Language;

/// `tr!(lang, "key")` or `tr!(lang, "key", name = value, …)`: the text of `key` in `lang`,
/// with `%{name}` replaced by each value.
macro_rules! tr {
    ($lang:expr, $key:literal $(,)?) => {
        rust_i18n::t!($key, locale = $crate::i18n::Language::code($lang)).into_owned()
    };
    ($lang:expr, $key:literal, $($name:ident = $value:expr),+ $(,)?) => {
        rust_i18n::t!($key, locale = $crate::i18n::Language::code($lang), $($name = $value),+)
            .into_owned()
    };
}
// `#[macro_use] mod i18n` in main.rs makes `tr!` visible everywhere after it.

// After the macro: `tr!` is only visible to code that follows its definition.
mod errors;

pub use errors::Localize;

/// `value` with `decimals` decimals, written the way `lang` writes numbers (Indonesian uses a
/// decimal comma: "1,5 jam").
pub fn number(lang: Language, value: f64, decimals: usize) -> String {
    let text = format!("{value:.decimals$}");
    match lang {
        Language::Indonesian => text.replace('.', ","),
        Language::English => text,
    }
}

/// Like [`number`], with a sign: "+1.50" / "-90,0".
pub fn signed(lang: Language, value: f64, decimals: usize) -> String {
    let text = format!("{value:+.decimals$}");
    match lang {
        Language::Indonesian => text.replace('.', ","),
        Language::English => text,
    }
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};
    use std::path::Path;

    use super::*;

    /// Every key with its text, in one language.
    fn messages(language: Language) -> BTreeMap<String, String> {
        crate::_rust_i18n_backend()
            .messages_for_locale(language.code())
            .unwrap_or_default()
            .into_iter()
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect()
    }

    /// The `%{name}` placeholders in a text.
    fn placeholders(text: &str) -> BTreeSet<&str> {
        text.split("%{")
            .skip(1)
            .filter_map(|rest| rest.split_once('}').map(|(name, _)| name))
            .collect()
    }

    /// The keys that `tr!(…, "key"…)` names in the binary's sources.
    fn keys_in_sources(dir: &Path, keys: &mut BTreeMap<String, String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                keys_in_sources(&path, keys);
            } else if path.extension().is_some_and(|e| e == "rs") && !path.ends_with("i18n/mod.rs")
            {
                let text = std::fs::read_to_string(&path).unwrap();
                for (i, _) in text.match_indices("tr!(") {
                    let call = &text[i..];
                    let Some(open) = call.find('"') else { continue };
                    let key = &call[open + 1..];
                    let key = &key[..key.find('"').unwrap()];
                    keys.insert(key.to_string(), path.display().to_string());
                }
            }
        }
    }

    #[test]
    fn both_languages_are_compiled_in() {
        let mut locales = rust_i18n::available_locales!();
        locales.sort();
        assert_eq!(locales, ["en", "id"]);
        assert_eq!(tr!(Language::Indonesian, "common.cancel"), "Batal");
        assert_eq!(tr!(Language::English, "common.cancel"), "Cancel");
    }

    #[test]
    fn every_key_is_in_both_languages_with_the_same_placeholders() {
        let en = messages(Language::English);
        let id = messages(Language::Indonesian);
        assert!(!en.is_empty());
        let only_en: Vec<_> = en.keys().filter(|k| !id.contains_key(*k)).collect();
        let only_id: Vec<_> = id.keys().filter(|k| !en.contains_key(*k)).collect();
        assert!(
            only_en.is_empty(),
            "keys with no Indonesian text: {only_en:?}"
        );
        assert!(only_id.is_empty(), "keys with no English text: {only_id:?}");
        for (key, english) in &en {
            let indonesian = &id[key];
            assert!(
                !english.trim().is_empty() && !indonesian.trim().is_empty(),
                "{key} is empty in a language"
            );
            assert_eq!(
                placeholders(english),
                placeholders(indonesian),
                "{key}: the languages fill in different values"
            );
        }
    }

    #[test]
    fn every_key_the_sources_name_exists() {
        let en = messages(Language::English);
        let mut used = BTreeMap::new();
        keys_in_sources(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
            &mut used,
        );
        let missing: Vec<_> = used.iter().filter(|(k, _)| !en.contains_key(*k)).collect();
        assert!(
            missing.is_empty(),
            "keys used but not in locales/: {missing:?}"
        );
    }
}
