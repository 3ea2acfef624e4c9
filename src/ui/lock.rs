//! The app lock: a passphrase asked at start and after some minutes without input. While
//! locked only the unlock screen is drawn, never the list. The passphrase is kept only as an
//! Argon2id hash (a PHC string in the settings); hashing and checking run on their own thread,
//! as Argon2id takes a moment and the window must keep drawing.

use std::sync::Arc;
use std::time::Duration;

use argon2::password_hash::phc::PasswordHash;
use argon2::{Algorithm, Argon2, Params, PasswordHasher, PasswordVerifier, Version};
use egui::{Key, Ui};
use zeroize::{Zeroize, Zeroizing};

use super::clock::Clock;
use super::job::Job;
use crate::i18n::Language;

/// The idle delays offered, in minutes; `None` locks only at start and on "Lock now".
pub const IDLE_CHOICES: [Option<u32>; 5] = [None, Some(1), Some(5), Some(15), Some(60)];

/// Argon2id with 64 MiB and 3 passes, as the backups and the vault (a fraction of a second on
/// an office laptop; paid once per unlock).
fn argon2() -> Argon2<'static> {
    let params = Params::new(64 * 1024, 3, 1, None).expect("valid Argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// The PHC string of `passphrase` under a fresh random salt; `None` if hashing failed.
pub fn hash_passphrase(passphrase: &str) -> Option<String> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).ok()?;
    argon2()
        .hash_password_with_salt(passphrase.as_bytes(), &salt)
        .ok()
        .map(|hash| hash.to_string())
}

/// Whether `passphrase` is the one hashed in `phc`. The cost is read from the string, so it is
/// held to `kunci::kdf`'s bounds first (a settings file made by hand could ask for an hour of
/// Argon2id): a hash beyond them never verifies, like a malformed one, and costs nothing.
pub fn verify_passphrase(passphrase: &str, phc: &str) -> bool {
    let Ok(hash) = PasswordHash::new(phc) else {
        return false;
    };
    let within_bounds = Params::try_from(&hash).is_ok_and(|p| {
        kunci::kdf::check_argon2id(p.m_cost().into(), p.t_cost().into(), p.p_cost().into()).is_ok()
    });
    within_bounds
        && argon2()
            .verify_password(passphrase.as_bytes(), &hash)
            .is_ok()
}

/// Whether this frame's input counts as the user being there (focus changes and the
/// pointer leaving the window do not).
fn had_input(ctx: &egui::Context) -> bool {
    ctx.input(|i| {
        i.events
            .iter()
            .any(|e| !matches!(e, egui::Event::WindowFocused(_) | egui::Event::PointerGone))
    })
}

/// Seconds since the process started, by the monotonic clock (which on Linux and macOS does
/// not run while the computer sleeps; on Windows a wake also resets the frame gap check through
/// the wall clock's jump).
fn monotonic_clock() -> Clock {
    let start = std::time::Instant::now();
    Arc::new(move || start.elapsed().as_secs_f64())
}

/// A gap between two frames this much longer by the wall clock than by the monotonic clock
/// means the computer slept (suspend, hibernate): the window locks on waking.
const SLEPT: f64 = 30.0;

/// Locked or not, since when the user was last seen, and the unlock screen's state.
pub struct AppLock {
    locked: bool,
    /// Clock seconds of the last input (the app's own clock — wall time, which goes on while
    /// the computer sleeps — so tests can move it).
    last_input: f64,
    /// Seconds by a clock that stops while the computer sleeps (the monotonic clock; tests
    /// replace it).
    monotonic: Clock,
    /// The previous frame, by the app's clock and by `monotonic`: the two disagree after a
    /// suspend.
    last_frame: (f64, f64),
    passphrase: Zeroizing<String>,
    checking: Option<Job<bool>>,
    refused: bool,
}

/// What [`AppLock::watch`] found.
pub struct Watch {
    /// The window locked this frame (after idling, or by Ctrl+L).
    pub locked_now: bool,
    /// How long until it would lock if nothing happens, for the next repaint.
    pub wake_in: Option<Duration>,
}

impl AppLock {
    /// Locked from the start when a lock passphrase is set.
    pub fn new(locked: bool, now: f64) -> Self {
        let monotonic = monotonic_clock();
        AppLock {
            locked,
            last_input: now,
            last_frame: (now, monotonic()),
            monotonic,
            passphrase: Zeroizing::default(),
            checking: None,
            refused: false,
        }
    }

    /// Uses `monotonic` as the clock that stops while the computer sleeps (tests simulate a
    /// suspend by moving only the app's clock).
    #[cfg(test)]
    pub fn set_monotonic_clock(&mut self, monotonic: Clock) {
        self.last_frame.1 = monotonic();
        self.monotonic = monotonic;
    }

    pub fn is_locked(&self) -> bool {
        self.locked
    }

    pub fn lock(&mut self) {
        self.locked = true;
        self.passphrase.zeroize();
        self.checking = None;
        self.refused = false;
    }

    /// Unlocked by another way in (the vault's passphrase at start).
    pub fn unlock(&mut self, now: f64) {
        self.locked = false;
        self.last_input = now;
        self.passphrase.zeroize();
        self.checking = None;
        self.refused = false;
    }

    /// Locks after `idle_minutes` without input, after the computer slept, or on Ctrl+L; only
    /// while a lock is set (`enabled`). Whether the idle time is up is decided from the last
    /// input *before* this frame: input that arrives after a long gap (the first mouse move
    /// after a suspend, or when the window comes back from being minimised, where eframe ran
    /// no frame) must not count as the user having been there, or it would show live codes.
    pub fn watch(
        &mut self,
        ctx: &egui::Context,
        now: f64,
        enabled: bool,
        idle_minutes: Option<u32>,
    ) -> Watch {
        let idle = Watch {
            locked_now: false,
            wake_in: None,
        };
        let (previous, previous_monotonic) =
            std::mem::replace(&mut self.last_frame, (now, (self.monotonic)()));
        if self.locked {
            return idle;
        }
        let locked_now = Watch {
            locked_now: true,
            wake_in: None,
        };
        if enabled {
            let slept = (now - previous) - (self.last_frame.1 - previous_monotonic) > SLEPT;
            // A clock set back is no reason to stay open: fail closed.
            let clock_back = now < self.last_input;
            let idle_up = idle_minutes
                .is_some_and(|minutes| now - self.last_input >= f64::from(minutes) * 60.0);
            let asked = ctx.input_mut(|i| i.consume_key(egui::Modifiers::COMMAND, Key::L));
            if slept || clock_back || idle_up || asked {
                self.lock();
                return locked_now;
            }
        }
        if had_input(ctx) {
            self.last_input = now;
        }
        let Some(minutes) = idle_minutes.filter(|_| enabled) else {
            return idle;
        };
        let left = self.last_input + f64::from(minutes) * 60.0 - now;
        Watch {
            locked_now: false,
            // A little past the deadline, so the frame it wakes for is after it.
            wake_in: Some(Duration::from_secs_f64(left.max(0.0) + 0.05)),
        }
    }

    /// The unlock screen; checks the passphrase against `hash` on its own thread.
    pub fn screen_ui(&mut self, ui: &mut Ui, lang: Language, hash: &str, now: f64) {
        if let Some(result) = self.checking.as_ref().and_then(Job::poll) {
            self.checking = None;
            if result == Some(true) {
                self.unlock(now);
                return;
            }
            self.refused = true;
        }
        let busy = self.checking.is_some();
        ui.vertical_centered(|ui| {
            ui.add_space(48.0);
            ui.heading(tr!(lang, "protect.lock.title"));
            ui.label(tr!(lang, "protect.lock.explain"));
            ui.add_space(12.0);
            let field = super::passphrase::password_field(
                ui,
                tr!(lang, "protect.lock.passphrase"),
                &mut self.passphrase,
                !busy,
            );
            if !busy && !field.has_focus() && !self.refused {
                field.request_focus();
            }
            let enter = field.lost_focus() && ui.input(|i| i.key_pressed(Key::Enter));
            if self.refused {
                ui.colored_label(
                    ui.visuals().error_fg_color,
                    tr!(lang, "protect.lock.refused"),
                );
            }
            ui.add_space(8.0);
            let ready = !busy && !self.passphrase.is_empty();
            let clicked = ui
                .add_enabled(ready, egui::Button::new(tr!(lang, "protect.lock.unlock")))
                .clicked();
            if busy {
                ui.horizontal(|ui| {
                    ui.spinner();
                    ui.label(tr!(lang, "protect.lock.checking"));
                });
            }
            if ready && (clicked || enter) {
                super::passphrase::forget_typed(ui.ctx());
                let passphrase = std::mem::take(&mut self.passphrase);
                let hash = hash.to_string();
                self.refused = false;
                self.checking = Some(Job::spawn(ui.ctx(), "unlock", move || {
                    verify_passphrase(&passphrase, &hash)
                }));
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hash_is_a_phc_string_that_verifies_only_the_passphrase() {
        let hash = hash_passphrase("kata sandi kantor").unwrap();
        assert!(
            hash.starts_with("$argon2id$v=19$m=65536,t=3,p=1$"),
            "{hash}"
        );
        assert!(!hash.contains("kata sandi"));
        assert!(verify_passphrase("kata sandi kantor", &hash));
        assert!(!verify_passphrase("kata sandi kantor ", &hash));
        assert!(!verify_passphrase("kata sandi kantor", "not a hash"));
        assert_ne!(
            hash,
            hash_passphrase("kata sandi kantor").unwrap(),
            "salted"
        );
        // Before: a hand-edited hash could ask Argon2id for any work (here 4 GiB × 1000
        // passes, hours) and was run as asked.
        let hostile = hash.replace("m=65536,t=3,p=1", "m=4194304,t=1000,p=1");
        let start = std::time::Instant::now();
        assert!(!verify_passphrase("kata sandi kantor", &hostile));
        assert!(start.elapsed() < std::time::Duration::from_secs(1));
    }

    #[test]
    fn a_hash_asking_for_hostile_work_is_refused_at_once() {
        let hash = hash_passphrase("kata sandi kantor").unwrap();
        let hostile = hash.replacen("m=65536,t=3,", "m=1048576,t=64,", 1);
        assert_ne!(hostile, hash);
        let start = std::time::Instant::now();
        assert!(!verify_passphrase("kata sandi kantor", &hostile));
        let took = start.elapsed();
        println!("hostile app-lock hash refused in {took:?}");
        assert!(took < std::time::Duration::from_secs(2), "{took:?}");
    }
}
