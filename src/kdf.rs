//! How much key-derivation work a file may ask for, and the typed refusal when it asks more.
//!
//! A password-protected file names its own key derivation's cost, and reading it means paying
//! that cost before the password can even be checked. A file made by hand may ask for anything:
//! an Aegis vault with 50 password slots each asking scrypt for N = 2^20, r = 8, p = 16 runs
//! for hours; a Kunci backup asking Argon2id for 1 GiB × 64 passes takes a minute and a
//! gigabyte. So every reader checks the file's numbers against these bounds **before any
//! derivation**, and refuses beyond them at once ([`TooMuchWork`]).
//!
//! The bounds are a few times what the real apps write, so a real file always opens (also
//! one written by a later version that raised its cost within reason), and the worst a file
//! can ask stays around a second (measured on a shared 2-core build machine: Kunci's own
//! Argon2id 0.12 s, at the Argon2id bounds 0.6 s; one Aegis slot 0.07 s, at the scrypt total
//! 0.6 s; before, such files asked for a minute and a gigabyte, or hours):
//!
//! - **Argon2id** (Kunci's backups and vault, `store::sealed`; the window's app-lock hash):
//!   Kunci writes 64 MiB, 3 passes, 1 lane (`KdfParams::default`). Read: memory up to
//!   [`ARGON2_MAX_MEMORY_KIB`] (256 MiB, 4×), passes up to [`ARGON2_MAX_PASSES`] (12, 4×),
//!   lanes up to [`ARGON2_MAX_LANES`] (4, RFC 9106's first recommendation), and memory × passes
//!   up to [`ARGON2_MAX_KIB_PASSES`] (4 × 64 MiB × 3): that product is the work, as this build
//!   of argon2 fills the lanes one after another (no `parallel` feature), so lanes add no time.
//!   One derivation per file; a vault unlock at most two (the file, then its `.bak`).
//! - **scrypt** (Aegis's password slots, `import::aegis`): Aegis writes N = 2^15, r = 8, p = 1,
//!   that is 32 MiB (128·N·r bytes) and N·r·p = 2^18. Read, per slot: memory up to
//!   [`SCRYPT_MAX_MEMORY_BYTES`] (128 MiB, 4×) and N·r·p up to [`SCRYPT_MAX_WORK`] (2^20, 4×);
//!   r up to [`SCRYPT_MAX_R`] (32, 4×) and p up to [`SCRYPT_MAX_P`] (16), because the
//!   PBKDF2-SHA256 around scrypt's core costs r·p however small N is (and hashes the salt 4·r·p
//!   times: `aegis.rs` refuses salts over 1 KiB; Aegis writes 32 bytes). Over **every password slot
//!   that would be tried** (the wrong password tries them all; raw and biometric slots are never
//!   derived and do not count): N·r·p up to [`SCRYPT_MAX_TOTAL_WORK`] (2^21: two slots at the
//!   per-slot bound, or eight like Aegis's own; real vaults have one password slot, two with a
//!   separate backup password).
//! - **PBKDF2** (2FAS, `import::twofas`): the file cannot ask. 2FAS always uses 10 000 rounds
//!   of PBKDF2-HMAC-SHA256 and its backups record no count, so Kunci uses that constant and
//!   ignores anything a file says; two derivations per file (`reference`, then the accounts).
//! - Bitwarden's password-protected exports (PBKDF2 or Argon2id, cost in the file) are refused
//!   as unsupported before any derivation; the other formats have no password.

/// The largest Argon2 memory read from a file, in KiB: 256 MiB, four times Kunci's 64 MiB.
pub const ARGON2_MAX_MEMORY_KIB: u64 = 256 * 1024;
/// The most Argon2 passes read from a file: four times Kunci's 3.
pub const ARGON2_MAX_PASSES: u64 = 12;
/// The most Argon2 lanes read from a file (Kunci writes 1; RFC 9106 recommends up to 4).
pub const ARGON2_MAX_LANES: u64 = 4;
/// The most Argon2 memory × passes (KiB × passes): four times Kunci's 64 MiB × 3.
pub const ARGON2_MAX_KIB_PASSES: u64 = 4 * 64 * 1024 * 3;

/// The largest scrypt memory (128·N·r bytes) of one key slot: 128 MiB, four times Aegis's 32.
pub const SCRYPT_MAX_MEMORY_BYTES: u64 = 128 << 20;
/// The largest scrypt N·r·p of one key slot: 2^20, four times Aegis's 2^15 · 8 · 1.
pub const SCRYPT_MAX_WORK: u64 = 1 << 20;
/// The largest scrypt r (block size): four times Aegis's 8.
pub const SCRYPT_MAX_R: u64 = 32;
/// The largest scrypt p (parallelism); Aegis writes 1.
pub const SCRYPT_MAX_P: u64 = 16;
/// The largest N·r·p summed over every password slot a wrong password would try: 2^21.
pub const SCRYPT_MAX_TOTAL_WORK: u64 = 1 << 21;

/// What a file asked of a key derivation, beyond the bounds above. Refused before any work.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TooMuchWork {
    /// Argon2id parameters beyond the bounds.
    #[error(
        "Argon2id: memory {}, passes {passes}, lanes {lanes}",
        memory_text(*memory_kib)
    )]
    Argon2id {
        /// Memory in KiB, as the file asks.
        memory_kib: u64,
        /// Passes over the memory.
        passes: u64,
        /// Lanes.
        lanes: u64,
    },
    /// One scrypt key slot beyond the bounds.
    #[error(
        "scrypt N = {n}, r = {r}, p = {p} in one password slot (memory {})",
        memory_text(scrypt_memory_bytes(*n, *r) / 1024)
    )]
    Scrypt {
        /// Cost (N).
        n: u64,
        /// Block size (r).
        r: u64,
        /// Parallelism (p).
        p: u64,
    },
    /// Password slots within the bound one by one, beyond it together.
    #[error("{slots} password slots asking scrypt for N·r·p = {total} in all")]
    ScryptSlots {
        /// How many password slots would be tried.
        slots: usize,
        /// Their N·r·p, summed.
        total: u64,
    },
}

/// An amount of memory given in KiB, as people read it: `1024 MiB`, `512 KiB`.
pub fn memory_text(kib: u64) -> String {
    if kib >= 1024 && kib.is_multiple_of(1024) {
        format!("{} MiB", kib / 1024)
    } else {
        format!("{kib} KiB")
    }
}

/// scrypt's memory in bytes, 128·N·r (saturating).
pub fn scrypt_memory_bytes(n: u64, r: u64) -> u64 {
    128u64.saturating_mul(n).saturating_mul(r)
}

/// Whether a file's Argon2id parameters are within the bounds. Zero values are not this
/// check's business (Argon2 refuses them itself, without work).
pub fn check_argon2id(memory_kib: u64, passes: u64, lanes: u64) -> Result<(), TooMuchWork> {
    if memory_kib > ARGON2_MAX_MEMORY_KIB
        || passes > ARGON2_MAX_PASSES
        || lanes > ARGON2_MAX_LANES
        || memory_kib.saturating_mul(passes) > ARGON2_MAX_KIB_PASSES
    {
        return Err(TooMuchWork::Argon2id {
            memory_kib,
            passes,
            lanes,
        });
    }
    Ok(())
}

/// Whether one scrypt key slot is within the bounds; its work (N·r·p) when it is, to be added
/// up over the slots with [`check_scrypt_total`].
pub fn check_scrypt(n: u64, r: u64, p: u64) -> Result<u64, TooMuchWork> {
    let work = n.saturating_mul(r).saturating_mul(p);
    if scrypt_memory_bytes(n, r) > SCRYPT_MAX_MEMORY_BYTES
        || work > SCRYPT_MAX_WORK
        || r > SCRYPT_MAX_R
        || p > SCRYPT_MAX_P
    {
        return Err(TooMuchWork::Scrypt { n, r, p });
    }
    Ok(work)
}

/// Whether the slots that would be tried, each already within [`check_scrypt`], are within
/// the bound together. `works` is each slot's N·r·p.
pub fn check_scrypt_total(works: &[u64]) -> Result<(), TooMuchWork> {
    let total = works.iter().fold(0u64, |sum, w| sum.saturating_add(*w));
    if total > SCRYPT_MAX_TOTAL_WORK {
        return Err(TooMuchWork::ScryptSlots {
            slots: works.len(),
            total,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_the_real_apps_write_is_within_the_bounds() {
        // Kunci's KdfParams::default (checked against the constant there too).
        assert_eq!(check_argon2id(64 * 1024, 3, 1), Ok(()));
        // Aegis: N = 2^15, r = 8, p = 1; a vault with a password and a backup password.
        let aegis = check_scrypt(1 << 15, 8, 1);
        assert_eq!(aegis, Ok(1 << 18));
        assert_eq!(check_scrypt_total(&[1 << 18, 1 << 18]), Ok(()));
    }

    #[test]
    fn the_bounds_are_inclusive_and_the_next_step_is_refused() {
        assert_eq!(check_argon2id(256 * 1024, 3, 4), Ok(()));
        assert_eq!(check_argon2id(64 * 1024, 12, 1), Ok(()));
        assert!(check_argon2id(256 * 1024 + 1, 1, 1).is_err());
        assert!(check_argon2id(8, 13, 1).is_err());
        assert!(check_argon2id(1024, 1, 5).is_err());
        // Memory and passes each allowed, their product not.
        assert!(check_argon2id(256 * 1024, 4, 1).is_err());
        assert!(check_argon2id(u64::MAX, u64::MAX, u64::MAX).is_err());

        assert_eq!(check_scrypt(1 << 17, 8, 1), Ok(1 << 20));
        assert!(check_scrypt(1 << 18, 8, 1).is_err(), "256 MiB");
        assert!(check_scrypt(1 << 16, 8, 4).is_err(), "N·r·p = 2^21");
        assert!(check_scrypt(2, 64, 1).is_err(), "r");
        assert!(check_scrypt(2, 1, 17).is_err(), "p");
        assert!(check_scrypt(u64::MAX, u64::MAX, u64::MAX).is_err());
        assert_eq!(check_scrypt_total(&[1 << 20, 1 << 20]), Ok(()));
        assert_eq!(
            check_scrypt_total(&[1 << 20, 1 << 20, 2]),
            Err(TooMuchWork::ScryptSlots {
                slots: 3,
                total: (1 << 21) + 2
            })
        );
    }

    #[test]
    fn refusals_say_what_was_asked() {
        let argon = check_argon2id(1 << 20, 64, 1).unwrap_err();
        assert_eq!(
            argon.to_string(),
            "Argon2id: memory 1024 MiB, passes 64, lanes 1"
        );
        let scrypt = check_scrypt(1 << 20, 8, 16).unwrap_err();
        assert_eq!(
            scrypt.to_string(),
            "scrypt N = 1048576, r = 8, p = 16 in one password slot (memory 1024 MiB)"
        );
        assert_eq!(memory_text(512), "512 KiB");
    }
}
