/*!
Lists of `otpauth://` URIs, one a line: what many authenticators export as "plain text", and what
Kunci writes.

Format: Google's Key Uri Format, <https://github.com/google/google-authenticator/wiki/Key-Uri-Format>.
Blank lines and lines starting with `#` are ignored. An `otpauth-migration://` line (a Google
Authenticator export, <https://github.com/google/google-authenticator-android/blob/master/java/com/google/android/apps/authenticator/otp/migration.proto>)
is expanded into its accounts through [`crate::otp::migration`]. `otpauth://steam/` lines (Aegis,
andOTP) are skipped: Kunci has no Steam codes. Nothing is lost for TOTP and HOTP accounts.

[`write`] makes such a list (one URI a line), read back here and by most authenticators. That
file is NOT encrypted: write it only on the user's explicit choice.
*/

use zeroize::Zeroizing;

use crate::otp::{OtpError, OtpUri, migration};

use super::{ImportError, Imported, Importer, SkipReason, Skipped};

/// An otpauth URI list.
pub struct UriList;

const NAME: &str = "otpauth URI list";

/// The lines that hold something, with their numbers from 1.
fn lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines()
        .enumerate()
        .map(|(i, line)| (i + 1, line.trim().trim_start_matches('\u{FEFF}').trim()))
        .filter(|(_, line)| !line.is_empty() && !line.starts_with('#'))
}

fn starts_with_ignore_case(text: &str, prefix: &str) -> bool {
    text.get(..prefix.len())
        .is_some_and(|start| start.eq_ignore_ascii_case(prefix))
}

impl Importer for UriList {
    fn name(&self) -> &'static str {
        NAME
    }

    fn detect(&self, bytes: &[u8]) -> bool {
        let text = String::from_utf8_lossy(bytes);
        lines(&text)
            .next()
            .is_some_and(|(_, line)| starts_with_ignore_case(line, "otpauth"))
    }

    fn import(&self, bytes: &[u8], _password: Option<&str>) -> Result<Imported, ImportError> {
        let text = std::str::from_utf8(bytes).map_err(|e| ImportError::Damaged {
            format: NAME,
            reason: format!("not UTF-8 text (at byte {})", e.valid_up_to()),
        })?;
        let mut out = Imported::default();
        for (number, line) in lines(text) {
            if starts_with_ignore_case(line, "otpauth-migration:") {
                match migration::parse(line) {
                    Ok(batch) => {
                        out.accounts.extend(batch.accounts);
                        out.skipped.extend(batch.skipped.into_iter().map(|entry| {
                            let mut skipped = Skipped::from(entry);
                            skipped.line = Some(number);
                            skipped
                        }));
                    }
                    Err(e) => out
                        .skipped
                        .push(Skipped::line(number, SkipReason::Migration(e))),
                }
                continue;
            }
            match OtpUri::parse(line) {
                Ok(uri) => out.accounts.push(uri),
                Err(OtpError::UnsupportedType(kind)) if kind.eq_ignore_ascii_case("steam") => {
                    out.skipped.push(Skipped::line(number, SkipReason::Steam));
                }
                Err(e) => out.skipped.push(Skipped::line(number, e.into())),
            }
        }
        Ok(out)
    }
}

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
    use crate::import::test_support::fixture;
    use crate::otp::{Algorithm, Kind, Params, Secret};

    #[test]
    fn the_fixture_gives_seven_accounts_and_skips_steam() -> Result<(), ImportError> {
        let bytes = fixture("uris.txt");
        assert!(UriList.detect(&bytes));
        let got = UriList.import(&bytes, None)?;
        assert_eq!(got.accounts.len(), 7);
        assert_eq!(got.skipped.len(), 1, "{:?}", got.skipped);
        assert_eq!(got.skipped[0], Skipped::line(6, SkipReason::Steam));
        assert!(
            got.skipped[0].to_string().starts_with("line 6: Steam"),
            "{:?}",
            got.skipped
        );
        let sleman = &got.accounts[4];
        assert_eq!(sleman.issuer.as_deref(), Some("LPSE Kabupaten Sleman"));
        assert_eq!(sleman.label, "pokja.pemilihan.3");
        assert_eq!(
            (sleman.params.kind, sleman.params.counter),
            (Kind::Hotp, 42)
        );
        assert_eq!(got.accounts[6].label, "Renée Kusumawardani");
        Ok(())
    }

    #[test]
    fn comments_blank_lines_and_bad_lines_do_not_block_the_rest() -> Result<(), ImportError> {
        let text = "# exported\n\n  otpauth://totp/A:b?secret=JBSWY3DPEHPK3PXP\r\n\
                    otpauth://totp/Bad:x?secret=JBSWY3DPEHPK3PXP&digits=12\n\
                    http://example.com\n\
                    otpauth://hotp/C:d?secret=JBSWY3DPEHPK3PXP&counter=4\n";
        let got = UriList.import(text.as_bytes(), None)?;
        assert_eq!(got.accounts.len(), 2);
        assert_eq!(got.skipped.len(), 2, "{:?}", got.skipped);
        assert_eq!(got.skipped[0].line, Some(4));
        assert_eq!(got.skipped[1].line, Some(5));
        for why in &got.skipped {
            assert!(!why.to_string().contains("JBSWY3DPEHPK3PXP"), "{why}");
        }
        let bad_char = UriList.import(b"otpauth://totp/A:b?secret=JBSWY3DPEHPK3PX1", None)?;
        assert_eq!(
            bad_char.skipped,
            [Skipped::line(1, SkipReason::SecretNotBase32)]
        );
        assert_eq!(
            bad_char.skipped[0].to_string(),
            "line 1: the secret is not base32"
        );
        Ok(())
    }

    #[test]
    fn migration_lines_are_expanded() -> Result<(), ImportError> {
        let accounts = UriList.import(&fixture("uris.txt"), None)?.accounts;
        let links = migration::encode_batches(&accounts, 10);
        let text: String = links.iter().map(|l| format!("{}\n", l.as_str())).collect();
        let got = UriList.import(text.as_bytes(), None)?;
        // The migration format has no period and no 7 digits: only some come back the same.
        assert_eq!(got.accounts[0], accounts[0], "{:?}", got.skipped);
        Ok(())
    }

    #[test]
    fn only_text_starting_with_otpauth_is_detected() {
        assert!(UriList.detect(b"\n# c\notpauth://totp/x?secret=A"));
        assert!(UriList.detect(b"OTPAUTH-MIGRATION://offline?data=x"));
        assert!(!UriList.detect(b"{\"otpauth\": 1}"));
        assert!(!UriList.detect(b""));
    }

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
