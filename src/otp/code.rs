/*!
TOTP (RFC 6238) and HOTP (RFC 4226) codes, computed by totp-rs for a time the caller gives.

totp-rs's compliant builder refuses secrets under 128 bits, which real services issue, so the
non-compliant builder is used and the parameters are checked here instead: totp-rs panics on 10
or more digits and divides by the step, so nothing reaches it unvalidated.
*/

use totp_rs::Builder;

use super::{Algorithm, Kind, OtpError, Params, Secret};

/// The code for `secret` and `params`: at `unix_time` for TOTP, at `params.counter` for HOTP
/// (which ignores the time). The result has exactly `params.digits` digits, zero-padded.
///
/// Errors: whatever [`Params::validate`] finds, and [`OtpError::EmptySecret`] for an empty key.
pub fn generate(secret: &Secret, params: &Params, unix_time: u64) -> Result<String, OtpError> {
    params.validate()?;
    if secret.as_bytes().is_empty() {
        return Err(OtpError::EmptySecret);
    }
    // HOTP is TOTP with a one-second step evaluated at "time" = counter.
    let (step, moving_factor) = match params.kind {
        Kind::Totp => (u64::from(params.period), unix_time),
        Kind::Hotp => (1, params.counter),
    };
    // totp-rs copies the key into its own zeroize-on-drop secret.
    let totp = Builder::new()
        .with_algorithm(match params.algorithm {
            Algorithm::Sha1 => totp_rs::Algorithm::SHA1,
            Algorithm::Sha256 => totp_rs::Algorithm::SHA256,
            Algorithm::Sha512 => totp_rs::Algorithm::SHA512,
        })
        .with_digits(params.digits)
        .with_step_duration(step)
        .with_secret(secret.as_bytes())
        .build_noncompliant();
    Ok(totp.generate(moving_factor).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ascii(seed: &str) -> Secret {
        Secret::from_bytes(seed.as_bytes().to_vec())
    }

    /// RFC 4226 Appendix D.
    #[test]
    fn hotp_matches_rfc_4226_appendix_d() {
        let secret = ascii("12345678901234567890");
        let want = [
            "755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583",
            "399871", "520489",
        ];
        for (counter, want) in want.iter().enumerate() {
            let params = Params {
                kind: Kind::Hotp,
                counter: counter as u64,
                ..Params::default()
            };
            // The time must not matter for HOTP.
            for time in [0, 59, 1_234_567_890] {
                assert_eq!(
                    generate(&secret, &params, time).as_deref(),
                    Ok(*want),
                    "counter {counter}"
                );
            }
        }
    }

    /// RFC 6238 Appendix B, with each algorithm's seed from the reference implementation.
    #[test]
    fn totp_matches_rfc_6238_appendix_b() {
        let sha1 = ascii("12345678901234567890");
        let sha256 = ascii("12345678901234567890123456789012");
        let sha512 = ascii("1234567890123456789012345678901234567890123456789012345678901234");
        let table: [(u64, &str, &str, &str); 6] = [
            (59, "94287082", "46119246", "90693936"),
            (1_111_111_109, "07081804", "68084774", "25091201"),
            (1_111_111_111, "14050471", "67062674", "99943326"),
            (1_234_567_890, "89005924", "91819424", "93441116"),
            (2_000_000_000, "69279037", "90698825", "38618901"),
            (20_000_000_000, "65353130", "77737706", "47863826"),
        ];
        for (time, want1, want256, want512) in table {
            for (secret, algorithm, want) in [
                (&sha1, Algorithm::Sha1, want1),
                (&sha256, Algorithm::Sha256, want256),
                (&sha512, Algorithm::Sha512, want512),
            ] {
                let params = Params {
                    algorithm,
                    digits: 8,
                    ..Params::default()
                };
                assert_eq!(
                    generate(secret, &params, time).as_deref(),
                    Ok(want),
                    "{algorithm:?} at {time}"
                );
            }
        }
    }

    #[test]
    fn codes_are_zero_padded_to_the_digit_count() {
        // RFC 6238 at 1111111109 is 07081804; its last 6 and 7 digits keep their zeros.
        let secret = ascii("12345678901234567890");
        for (digits, want) in [(6, "081804"), (7, "7081804"), (8, "07081804")] {
            let params = Params {
                digits,
                ..Params::default()
            };
            assert_eq!(
                generate(&secret, &params, 1_111_111_109).as_deref(),
                Ok(want)
            );
        }
    }

    #[test]
    fn period_changes_the_step() {
        let secret = ascii("12345678901234567890");
        let params = Params {
            digits: 8,
            period: 60,
            ..Params::default()
        };
        // Step 1 with a 60 s period is step 1 with a 30 s period at time 59 (94287082).
        assert_eq!(generate(&secret, &params, 119).as_deref(), Ok("94287082"));
    }

    #[test]
    fn invalid_params_are_errors_not_panics() {
        let secret = ascii("12345678901234567890");
        for digits in [0, 5, 9, 10, 11, 255] {
            let params = Params {
                digits,
                ..Params::default()
            };
            assert_eq!(
                generate(&secret, &params, 59),
                Err(OtpError::InvalidDigits(digits.to_string()))
            );
        }
        let params = Params {
            period: 0,
            ..Params::default()
        };
        assert_eq!(
            generate(&secret, &params, 59),
            Err(OtpError::InvalidPeriod("0".into()))
        );
        assert_eq!(
            generate(&Secret::from_bytes(Vec::new()), &Params::default(), 59),
            Err(OtpError::EmptySecret)
        );
    }

    #[test]
    fn extreme_times_do_not_panic() {
        let secret = ascii("12345678901234567890");
        for period in [1, 30, 300] {
            let params = Params {
                period,
                ..Params::default()
            };
            for time in [0, u64::from(u32::MAX) + 1, u64::MAX] {
                let code = generate(&secret, &params, time);
                assert!(code.is_ok_and(|c| c.len() == 6));
            }
        }
    }
}
