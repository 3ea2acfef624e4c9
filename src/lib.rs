//! Kunci: one-time codes (TOTP/HOTP) on the desktop, for people who have no smartphone.
//!
//! The library holds everything but the window and the command line:
//! - [`otp`]: codes, `otpauth://` URIs and typed setup keys;
//! - [`accounts`]: the account model and the ordered account list;
//! - [`store`]: secrets in the OS keychain, metadata in a versioned JSON file written atomically;
//! - [`import`]: other authenticators' export files and Kunci's own backups, one file per format;
//! - [`kdf`]: how much key-derivation work a file may ask for (checked before any);
//! - [`export`]: every account written to one file, and the automatic backups;
//! - [`clock`]: network time, the clock's drift and what it means for codes;
//! - [`scan`]: QR enrolment from the screen, a webcam, an image file or the clipboard;
//! - [`settings`]: preferences kept in the data directory;
//! - [`instance`]: one window per data directory;
//! - [`desktop`]: quick access: the global shortcut, the tray, typing into the focused window
//!   and starting with the system.
//!
//! The front ends (`ui`, `cli`) live in the binary and only call into this library;
//! `ARCHITECTURE.md` maps the layers.

pub mod accounts;
pub mod clock;
pub mod desktop;
pub mod export;
pub mod import;
pub mod instance;
mod json;
pub mod kdf;
pub mod otp;
pub mod scan;
pub mod settings;
pub mod store;

pub use accounts::{Account, AccountId, AccountList};
pub use otp::{Algorithm, Kind, OtpError, OtpUri, Params, Secret};
pub use store::{Store, StoreError};
