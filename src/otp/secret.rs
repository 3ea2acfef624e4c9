/*!
The shared secret behind an account's codes.

It is wiped from memory when dropped, prints as `Secret(<redacted, N bytes>)` in `Debug`, and has
no `Display` or `Serialize`, so it cannot end up in a log, a panic message or a JSON file by
accident. The only ways out are [`Secret::as_bytes`] and [`Secret::to_base32`].
*/

use std::fmt;

use zeroize::Zeroizing;

/// Secret key bytes, zeroized on drop.
#[derive(Clone)]
pub struct Secret(Zeroizing<Vec<u8>>);

impl Secret {
    /// Takes ownership of the raw key bytes.
    pub fn from_bytes(bytes: Vec<u8>) -> Self {
        Self(Zeroizing::new(bytes))
    }

    /// The raw key bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The key as setup-key text: base32, uppercase, without `=` padding.
    pub fn to_base32(&self) -> Zeroizing<String> {
        Zeroizing::new(data_encoding::BASE32_NOPAD.encode(&self.0))
    }
}

impl PartialEq for Secret {
    /// Compares without stopping at the first differing byte, so the time taken does not tell
    /// how much of a guess was right (the length is not hidden).
    fn eq(&self, other: &Self) -> bool {
        self.0.len() == other.0.len()
            && self
                .0
                .iter()
                .zip(other.0.iter())
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0
    }
}

impl Eq for Secret {}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secret(<redacted, {} bytes>)", self.0.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_is_redacted() {
        let secret = Secret::from_bytes(b"12345678901234567890".to_vec());
        assert_eq!(format!("{secret:?}"), "Secret(<redacted, 20 bytes>)");
        assert!(!format!("{secret:#?}").contains("1234"));
    }

    #[test]
    fn base32_is_uppercase_without_padding() {
        let secret = Secret::from_bytes(b"Hello!\xDE\xAD\xBE\xEF".to_vec());
        assert_eq!(secret.to_base32().as_str(), "JBSWY3DPEHPK3PXP");
        let odd = Secret::from_bytes(b"12345678901".to_vec());
        assert_eq!(odd.to_base32().as_str(), "GEZDGNBVGY3TQOJQGE");
    }

    #[test]
    fn equality_compares_all_bytes_and_length() {
        let a = Secret::from_bytes(vec![1, 2, 3]);
        assert_eq!(a, a.clone());
        assert_ne!(a, Secret::from_bytes(vec![1, 2, 4]));
        assert_ne!(a, Secret::from_bytes(vec![1, 2]));
        assert_eq!(a.as_bytes(), &[1, 2, 3]);
    }
}
