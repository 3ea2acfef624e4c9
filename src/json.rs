//! Small readers for JSON values as export files and sealed files write them: lenient about
//! types (a number may come as text), typed about failures, and never echoing a value (a
//! field may hold a secret). Used by the importers and by the sealed-file reader, so it sits
//! below both.

use serde_json::Value;

/// A numeric field that holds something else; names the field, never its value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field} is not a whole number of 0 or more")]
pub struct NotANumber {
    /// The field's name as the file spells it.
    pub field: String,
}

/// A field as text, or "" when missing or not text.
pub fn text<'a>(value: &'a Value, key: &str) -> &'a str {
    value.get(key).and_then(Value::as_str).unwrap_or("")
}

/// A field as a whole number (also accepted as text), `default` when missing or null.
pub fn number(value: &Value, key: &str, default: u64) -> Result<u64, NotANumber> {
    match value.get(key) {
        None | Some(Value::Null) => Ok(default),
        Some(v) => v
            .as_u64()
            .or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()))
            .ok_or_else(|| NotANumber { field: key.into() }),
    }
}

/// Whether the start of `bytes` (after a UTF-8 BOM and whitespace) is `first`, and every
/// needle occurs somewhere: the cheap, lenient test a format is recognised by.
pub fn looks_like_json(bytes: &[u8], first: u8, needles: &[&str]) -> bool {
    let bytes = without_bom(bytes);
    let starts = bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&first);
    starts
        && needles
            .iter()
            .all(|n| bytes.windows(n.len()).any(|w| w == n.as_bytes()))
}

/// Whether `bytes` are a JSON object (after a UTF-8 BOM and whitespace) that one of
/// `alternatives` recognises, each a set of keys that must all be there. First cheaply: each
/// key's quoted name occurs somewhere. Then, when the bytes parse, as keys of the object
/// itself, not nested deeper or inside a text (`{"list": [{"header": 1, "db": 2}]}` is no
/// Aegis vault). Bytes that do not parse (a cut-short file) are recognised on the names alone,
/// so that they get a clear "damaged" error rather than "unknown format". The values are
/// skipped while parsing, never kept (they may hold secrets).
pub fn looks_like_object(bytes: &[u8], alternatives: &[&[&str]]) -> bool {
    let quoted = |keys: &[&str]| keys.iter().map(|k| format!("\"{k}\"")).collect::<Vec<_>>();
    let named = alternatives.iter().any(|keys| {
        let needles = quoted(keys);
        let needles: Vec<&str> = needles.iter().map(String::as_str).collect();
        looks_like_json(bytes, b'{', &needles)
    });
    if !named {
        return false;
    }
    type Keys = std::collections::BTreeMap<String, serde::de::IgnoredAny>;
    match serde_json::from_slice::<Keys>(without_bom(bytes)) {
        Ok(top) => alternatives
            .iter()
            .any(|keys| keys.iter().all(|k| top.contains_key(*k))),
        Err(_) => true,
    }
}

/// `bytes` without a leading UTF-8 byte-order mark (Windows editors write one).
pub fn without_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)
}

/// Overwrites every string of `value` before it is dropped (it may hold secrets).
pub fn zeroize_strings(value: &mut Value) {
    use zeroize::Zeroize;
    match value {
        Value::String(s) => s.zeroize(),
        Value::Array(items) => items.iter_mut().for_each(zeroize_strings),
        Value::Object(map) => map.values_mut().for_each(zeroize_strings),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn numbers_may_come_as_text_and_never_echo_the_value() {
        let v = json!({"a": 7, "b": " 8 ", "c": "x9", "d": null, "e": -1});
        assert_eq!(number(&v, "a", 0), Ok(7));
        assert_eq!(number(&v, "b", 0), Ok(8));
        assert_eq!(number(&v, "d", 5), Ok(5));
        assert_eq!(number(&v, "missing", 6), Ok(6));
        let e = number(&v, "c", 0).unwrap_err();
        assert_eq!(e.to_string(), "c is not a whole number of 0 or more");
        assert!(number(&v, "e", 0).is_err());
    }

    #[test]
    fn formats_are_recognised_after_a_bom_and_whitespace() {
        assert!(looks_like_json(
            b"\xEF\xBB\xBF \n{\"x\": 1}",
            b'{',
            &["\"x\""]
        ));
        assert!(!looks_like_json(b"[{\"x\": 1}]", b'{', &["\"x\""]));
        assert!(!looks_like_json(b"{\"y\": 1}", b'{', &["\"x\""]));
    }

    #[test]
    fn objects_are_recognised_by_their_own_keys_only() {
        let aegis: &[&[&str]] = &[&["header", "db"], &["header", "slots"]];
        assert!(looks_like_object(br#"{"header": {}, "db": {}}"#, aegis));
        assert!(looks_like_object(
            b"\xEF\xBB\xBF{\"version\": 1, \"header\": {\"slots\": [",
            aegis
        ));
        // Nested, or inside a text: the names occur, but not as the object's own keys.
        assert!(!looks_like_object(
            br#"{"list": [{"header": "h", "db": "d"}]}"#,
            aegis
        ));
        assert!(!looks_like_object(
            br#"{"note": "\"header\" and \"db\"", "header": 1}"#,
            aegis
        ));
        assert!(!looks_like_object(br#"[{"header": 1, "db": 2}]"#, aegis));
        assert!(!looks_like_object(br#"{"header": 1}"#, aegis));
    }

    #[test]
    fn zeroized_strings_are_empty() {
        let mut v = json!({"s": "secret", "list": ["a", {"b": "c"}], "n": 1});
        zeroize_strings(&mut v);
        assert_eq!(v, json!({"s": "", "list": ["", {"b": ""}], "n": 1}));
    }
}
