/*!
otpauth URI lists, one a line: Google's Key Uri Format,
<https://github.com/google/google-authenticator/wiki/Key-Uri-Format>. Read back by
[`crate::import::uris`] and by most authenticators. Nothing of a TOTP or HOTP account is lost.
The file is NOT encrypted.
*/

use zeroize::Zeroizing;

use crate::otp::OtpUri;

/// One `otpauth://` URI per line, each line ending in a line break.
pub fn write(accounts: &[OtpUri]) -> Zeroizing<String> {
    let mut out = Zeroizing::new(String::new());
    for uri in accounts {
        out.push_str(&uri.to_uri());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::{Importer, uris::UriList};
    use crate::otp::{Algorithm, Kind, Params, Secret};

    #[test]
    fn a_list_reads_back_to_the_same_accounts() {
        let accounts = vec![
            OtpUri {
                issuer: Some("LPSE: Kota".into()),
                label: "budi@example.id".into(),
                secret: Secret::from_bytes((0..20).collect()),
                params: Params::default(),
            },
            OtpUri {
                issuer: None,
                label: "counter".into(),
                secret: Secret::from_bytes((5..37).collect()),
                params: Params {
                    kind: Kind::Hotp,
                    algorithm: Algorithm::Sha512,
                    digits: 8,
                    period: 30,
                    counter: 9,
                },
            },
        ];
        let text = write(&accounts);
        let read = UriList.import(text.as_bytes(), None).map(|i| i.accounts);
        assert_eq!(read, Ok(accounts));
    }
}
