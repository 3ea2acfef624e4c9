/*!
Cross-checks `kunci::otp::generate` against OATH Toolkit's `oathtool` on random keys, algorithms,
digit counts, periods and times (beyond 2^32 too), and on HOTP counters.

Each oathtool run prints several consecutive codes (`--window`), so one process checks several
steps. oathtool is installed by `scripts/test`; without it this test fails rather than skips, so
a missing peer cannot pass for agreement.
*/

use std::process::Command;

use kunci::otp::{Algorithm, Kind, Params, Secret, generate};
use rand::{Rng, SeedableRng, rngs::StdRng};

const TOTP_CASES: usize = 240;
const HOTP_CASES: usize = 60;
/// Extra consecutive codes oathtool prints after the first.
const WINDOW: u64 = 2;

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Runs oathtool and returns its codes, one per line.
fn oathtool(args: &[String]) -> Vec<String> {
    let output = match Command::new("oathtool").args(args).output() {
        Ok(output) => output,
        Err(error) => panic!(
            "cannot run oathtool ({error}); it is the reference this test compares against. \
             Run scripts/test, which installs it (Debian/Ubuntu package oathtool)."
        ),
    };
    assert!(
        output.status.success(),
        "oathtool {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(str::to_owned)
        .collect()
}

fn random_secret(rng: &mut StdRng) -> Vec<u8> {
    let len = rng.random_range(10..=64);
    (0..len).map(|_| rng.random()).collect()
}

#[test]
fn totp_codes_match_oathtool() {
    let mut rng = StdRng::seed_from_u64(0x6f61_7468);
    for case in 0..TOTP_CASES {
        let key = random_secret(&mut rng);
        let algorithm = [Algorithm::Sha1, Algorithm::Sha256, Algorithm::Sha512][case % 3];
        let digits = [6, 7, 8][rng.random_range(0..3)];
        let period = match rng.random_range(0..5) {
            0 => 15,
            1 => 30,
            2 => 60,
            3 => 120,
            _ => rng.random_range(1..=300),
        };
        // Every tenth case past 2^32 (the 2106 rollover of 32-bit clocks), the rest up to 2^35.
        let time: u64 = if case % 10 == 0 {
            rng.random_range((1 << 32)..(1 << 35))
        } else {
            rng.random_range(0..(1 << 35))
        };
        let params = Params {
            algorithm,
            digits,
            period,
            ..Params::default()
        };
        let want = oathtool(&[
            format!("--totp={}", algorithm.as_str()),
            format!("--digits={digits}"),
            format!("--time-step-size={period}s"),
            format!("--now=@{time}"),
            format!("--window={WINDOW}"),
            hex(&key),
        ]);
        assert_eq!(want.len() as u64, WINDOW + 1, "oathtool printed {want:?}");
        let secret = Secret::from_bytes(key);
        for (offset, want) in want.iter().enumerate() {
            let at = time + offset as u64 * u64::from(period);
            assert_eq!(
                generate(&secret, &params, at).as_ref(),
                Ok(want),
                "case {case}: {params:?} at {at}, {} byte key",
                secret.as_bytes().len()
            );
        }
    }
}

#[test]
fn hotp_codes_match_oathtool() {
    // oathtool's HOTP is SHA1 only.
    let mut rng = StdRng::seed_from_u64(4226);
    for case in 0..HOTP_CASES {
        let key = random_secret(&mut rng);
        let digits = [6, 7, 8][rng.random_range(0..3)];
        let counter: u64 = match case % 3 {
            0 => rng.random_range(0..1000),
            1 => rng.random_range(0..(1 << 32)),
            _ => rng.random_range(0..u64::MAX - WINDOW),
        };
        let want = oathtool(&[
            "--hotp".to_owned(),
            format!("--counter={counter}"),
            format!("--digits={digits}"),
            format!("--window={WINDOW}"),
            hex(&key),
        ]);
        assert_eq!(want.len() as u64, WINDOW + 1, "oathtool printed {want:?}");
        let secret = Secret::from_bytes(key);
        for (offset, want) in want.iter().enumerate() {
            let params = Params {
                kind: Kind::Hotp,
                digits,
                counter: counter + offset as u64,
                ..Params::default()
            };
            assert_eq!(
                generate(&secret, &params, 0).as_ref(),
                Ok(want),
                "case {case}: {params:?}"
            );
        }
    }
}
