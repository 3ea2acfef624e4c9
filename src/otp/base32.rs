/*!
Lenient base32 (RFC 4648) for setup keys that people type or copy from a web page.

Services show the key in groups (`jbsw y3dp ehpk 3pxp`), in lower case, with dashes, with `=`
padding, and copying from a page or PDF adds non-breaking spaces, newlines, en dashes or
zero-width spaces. All of that is accepted. Anything else is refused with the character and
its position, because a guessed correction (`0` for `O`, `8` for `B`) would give a key that
silently produces wrong codes.

Real keys often leave non-zero bits after the last whole byte (strict decoders such as
data-encoding's `BASE32_NOPAD` refuse them), so those bits are ignored, as Google
Authenticator does.
*/

use zeroize::Zeroizing;

use super::{MIN_SECRET_BYTES, OtpError, Secret};

/// Reads a setup key as typed or pasted: case, spaces, dashes and trailing `=` do not matter.
///
/// Errors: [`OtpError::EmptySecret`] when nothing is left after removing those,
/// [`OtpError::InvalidSecretChar`] for any other character (`=` followed by letters included),
/// [`OtpError::InvalidSecretLength`] for a letter count no base32 text can have, and
/// [`OtpError::SecretTooShort`] below [`MIN_SECRET_BYTES`].
pub fn parse_setup_key(typed: &str) -> Result<Secret, OtpError> {
    // Five-bit values, one per letter; wiped on drop like the key itself.
    let mut values = Zeroizing::new(Vec::with_capacity(typed.len()));
    let mut first_padding: Option<usize> = None;
    for (index, ch) in typed.chars().enumerate() {
        let position = index + 1;
        if is_separator(ch) {
            continue;
        }
        if ch == '=' {
            first_padding.get_or_insert(position);
            continue;
        }
        let value = letter_value(ch).ok_or(OtpError::InvalidSecretChar { ch, position })?;
        if let Some(position) = first_padding {
            // Padding belongs at the end; letters after it mean two keys ran together.
            return Err(OtpError::InvalidSecretChar { ch: '=', position });
        }
        values.push(value);
    }

    let letters = values.len();
    if letters == 0 {
        return Err(OtpError::EmptySecret);
    }
    // 8 letters carry 5 bytes; 1, 3 or 6 letters left over cannot end a byte boundary.
    if matches!(letters % 8, 1 | 3 | 6) {
        return Err(OtpError::InvalidSecretLength { letters });
    }

    let byte_count = letters * 5 / 8;
    let mut bytes = Vec::with_capacity(byte_count);
    let mut buffer: u16 = 0;
    let mut bits: u32 = 0;
    for &value in values.iter() {
        buffer = (buffer << 5) | u16::from(value);
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            bytes.push((buffer >> bits) as u8);
            buffer &= (1 << bits) - 1;
        }
    }
    // Whatever is left in `buffer` are the trailing bits, tolerated even when not zero.
    let secret = Secret::from_bytes(bytes);
    if byte_count < MIN_SECRET_BYTES {
        return Err(OtpError::SecretTooShort {
            bits: byte_count * 8,
        });
    }
    Ok(secret)
}

/// The five-bit value of a base32 letter, in either case.
fn letter_value(ch: char) -> Option<u8> {
    match ch {
        'A'..='Z' => Some(ch as u8 - b'A'),
        'a'..='z' => Some(ch as u8 - b'a'),
        '2'..='7' => Some(ch as u8 - b'2' + 26),
        _ => None,
    }
}

/// Characters that group a key for reading or that copying adds; they carry no letters.
fn is_separator(ch: char) -> bool {
    ch.is_whitespace()
        || matches!(
            ch,
            // hyphen-minus, hyphen, non-breaking hyphen, figure dash, en dash, em dash,
            // horizontal bar, minus sign
            '-' | '\u{2010}' | '\u{2011}' | '\u{2012}' | '\u{2013}' | '\u{2014}' | '\u{2015}'
                | '\u{2212}'
                // zero-width space, non-joiner, joiner, word joiner, byte order mark
                | '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}'
        )
}

#[cfg(test)]
mod tests {
    use rand::{Rng, SeedableRng, rngs::StdRng};

    use super::*;

    const HELLO: &[u8] = b"Hello!\xDE\xAD\xBE\xEF";

    fn bytes(typed: &str) -> Result<Vec<u8>, OtpError> {
        parse_setup_key(typed).map(|s| s.as_bytes().to_vec())
    }

    #[test]
    fn accepts_what_people_type_and_paste() {
        for typed in [
            "JBSWY3DPEHPK3PXP",
            "jbswy3dpehpk3pxp",
            "JbSwY3dPeHpK3pXp",
            "jbsw y3dp ehpk 3pxp",
            "JBSW-Y3DP-EHPK-3PXP",
            "JBSW–Y3DP—EHPK\u{2212}3PXP",
            "  JBSWY3DPEHPK3PXP  ",
            "JBSW\u{00A0}Y3DP\u{00A0}EHPK\u{00A0}3PXP",
            "JBSW\u{202F}Y3DP\tEHPK\n3PXP\r\n",
            "\u{FEFF}JBSW\u{200B}Y3DPEHPK3PXP",
            "JBSWY3DPEHPK3PXP========",
            "JBSWY3DPEHPK3PXP=",
            "jbsw y3dp ehpk 3pxp ==",
        ] {
            assert_eq!(bytes(typed), Ok(HELLO.to_vec()), "{typed:?}");
        }
    }

    #[test]
    fn decodes_every_valid_length_with_or_without_padding() {
        // Keys of every byte length, as data-encoding writes them, with and without padding.
        for len in MIN_SECRET_BYTES..=40 {
            let raw: Vec<u8> = (0..len).map(|i| (i * 37 + 11) as u8).collect();
            let padded = data_encoding::BASE32.encode(&raw);
            assert_eq!(bytes(&padded), Ok(raw.clone()), "{padded}");
            assert_eq!(bytes(padded.trim_end_matches('=')), Ok(raw.clone()));
            assert_eq!(bytes(&padded.to_lowercase()), Ok(raw));
        }
    }

    #[test]
    fn agrees_with_data_encoding_on_random_keys() {
        let mut rng = StdRng::seed_from_u64(4648);
        for _ in 0..500 {
            let len = rng.random_range(MIN_SECRET_BYTES..=64);
            let raw: Vec<u8> = (0..len).map(|_| rng.random()).collect();
            let text = data_encoding::BASE32_NOPAD.encode(&raw);
            assert_eq!(bytes(&text), Ok(raw));
        }
    }

    #[test]
    fn tolerates_non_zero_trailing_bits() {
        // 18 letters carry 11 bytes and 2 spare bits; "…GE" leaves them zero, "…GF" and "…GH"
        // set them, which strict decoders refuse.
        assert!(
            data_encoding::BASE32_NOPAD
                .decode(b"GEZDGNBVGY3TQOJQGH")
                .is_err()
        );
        for typed in [
            "GEZDGNBVGY3TQOJQGE",
            "GEZDGNBVGY3TQOJQGF",
            "gezdgnbvgy3tqojqgh",
        ] {
            assert_eq!(bytes(typed), Ok(b"12345678901".to_vec()), "{typed}");
        }
    }

    #[test]
    fn names_the_first_character_that_is_not_base32() {
        let cases: &[(&str, char, usize)] = &[
            ("ABC8", '8', 4),
            ("JBSWY3DPEHPK3PX0", '0', 16),
            ("JBSWY3DPEHPK3PX1", '1', 16),
            ("jbsw y3dp ehpk 3pxp!", '!', 20),
            ("ÄBSWY3DPEHPK3PXP", 'Ä', 1),
            ("JBSW_Y3DPEHPK3PXP", '_', 5),
            ("JBSW.Y3DPEHPK3PXP", '.', 5),
            ("JBSWY3DP==EHPK3PXP", '=', 9),
            ("JBSWY3DPEHPK3PX\u{0}", '\u{0}', 16),
        ];
        for &(typed, ch, position) in cases {
            assert_eq!(
                bytes(typed),
                Err(OtpError::InvalidSecretChar { ch, position }),
                "{typed:?}"
            );
        }
        let message = OtpError::InvalidSecretChar {
            ch: '8',
            position: 4,
        }
        .to_string();
        assert_eq!(
            message,
            "'8' at position 4 is not a base32 letter (A–Z, 2–7)"
        );
    }

    #[test]
    fn refuses_lengths_no_base32_text_has() {
        assert_eq!(
            bytes("abc"),
            Err(OtpError::InvalidSecretLength { letters: 3 })
        );
        for letters in [1, 3, 6, 9, 11, 14, 17, 19, 22, 33] {
            let typed = "A".repeat(letters);
            assert_eq!(
                bytes(&typed),
                Err(OtpError::InvalidSecretLength { letters }),
                "{letters}"
            );
        }
    }

    #[test]
    fn refuses_empty_and_short_keys() {
        for typed in ["", "   ", " - - ", "====", "\u{00A0}\n"] {
            assert_eq!(bytes(typed), Err(OtpError::EmptySecret), "{typed:?}");
        }
        assert_eq!(
            bytes("JBSWY3DP"),
            Err(OtpError::SecretTooShort { bits: 40 })
        );
        // 15 letters = 9 bytes: one byte short of the minimum.
        assert_eq!(
            bytes("JBSWY3DPEHPK3PX"),
            Err(OtpError::SecretTooShort { bits: 72 })
        );
        assert_eq!(bytes("JBSWY3DPEHPK3PXP").map(|b| b.len()), Ok(10));
    }
}
