/*!
Accounts written out for another authenticator, or for Kunci on another computer.

[`uris`] writes an otpauth URI list and [`aegis`] an Aegis plain vault: both hold every secret
in clear, so callers must only write them on the user's explicit choice and say so. Kunci's
encrypted backup is [`crate::store::backup`]. The text returned is zeroized on drop.
*/

pub mod aegis;
pub mod uris;
