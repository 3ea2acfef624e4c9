//! The command line's definition (clap). The doc comments are the English originals of the
//! help texts; what `--help` shows comes from the translation files (`help.rs`).

use clap::{Args, Parser, Subcommand};

use super::vault;

#[derive(Debug, Parser)]
#[command(
    name = "kunci",
    version,
    about = "One-time codes (TOTP) on your desktop, secrets in the OS keychain.",
    long_about = "One-time codes (TOTP) on your desktop, secrets in the OS keychain.\n\n\
                  Without a command, Kunci opens its window.\n\
                  Data directory: $KUNCI_DATA_DIR, else the platform's data directory."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Start the window hidden in the tray (minimised where there is no tray), as the system
    /// starts it when "Start with the system" is on.
    #[arg(long)]
    pub minimized: bool,
    /// Start the window with the quick picker up (what `kunci pick` does when no window runs).
    #[arg(long, hide = true)]
    pub pick: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Add an account from an otpauth:// URI or a setup key.
    Add(AddArgs),
    /// List the accounts (never their secrets).
    List {
        /// One JSON array on standard output.
        #[arg(long)]
        json: bool,
    },
    /// Print the current code of one account, and nothing else.
    Code {
        /// Issuer, label ("issuer:label"), a part of them, or the account id.
        query: String,
        /// Compute the code for this Unix time instead of now.
        #[arg(long, value_name = "UNIX_SECONDS", conflicts_with = "network_time")]
        at: Option<u64>,
        /// Use network time (this clock corrected by the measured offset) instead of this
        /// computer's clock.
        #[arg(long)]
        network_time: bool,
    },
    /// Find QR codes in an image file, on the screen or in front of a webcam, say what they
    /// hold, and add the accounts with --add. Exit status: 0 something found, 1 nothing found,
    /// 2 error (unreadable file, no screen, no camera).
    Scan(ScanArgs),
    /// Import the accounts of a Kunci backup or of another authenticator's export file: otpauth
    /// URI lists, Aegis, 2FAS, Bitwarden (JSON), andOTP (unencrypted) and FreeOTP+ (JSON). Lists
    /// what it will add and asks first. Exit status: 0 done, 1 bad input.
    Import(ImportArgs),
    /// Write every account to a file: a Kunci backup encrypted with a passphrase (the default),
    /// or, on explicit choice, an UNENCRYPTED otpauth URI list or Aegis plain vault. Exit
    /// status: 0 written, 1 not written.
    Export(ExportArgs),
    /// Check this computer's clock against network time. Exit status: 0 ok, 1 warning,
    /// 2 error (codes will fail), 3 no time source reached.
    Drift {
        /// An SNTP server, `host` or `host:port`; repeat for several. Replaces the configured
        /// servers, and the HTTPS fallback then uses only the --https URLs given.
        #[arg(long = "server", value_name = "HOST[:PORT]")]
        servers: Vec<String>,
        /// A URL whose HTTPS `Date` header is the fallback when no SNTP server answers;
        /// repeat for several.
        #[arg(long = "https", value_name = "URL")]
        https: Vec<String>,
        /// One JSON object on standard output.
        #[arg(long)]
        json: bool,
    },
    /// Print the otpauth:// URI of one account (it contains the secret).
    Uri {
        /// Issuer, label ("issuer:label"), a part of them, or the account id.
        query: String,
    },
    /// Remove one account and delete its secret from the keychain.
    Remove {
        /// Issuer, label ("issuer:label"), a part of them, or the account id.
        query: String,
        /// Do not ask for confirmation.
        #[arg(long, short = 'y')]
        yes: bool,
    },
    /// Change the issuer and/or label of one account.
    Rename {
        /// Issuer, label ("issuer:label"), a part of them, or the account id.
        query: String,
        #[arg(long)]
        issuer: Option<String>,
        #[arg(long)]
        label: Option<String>,
    },
    /// Bring back the accounts of an earlier account list whose file was lost: their secrets
    /// (each with its whole otpauth URI) are still in the keychain. Without LIST, says which
    /// lists there are; with it, copies that list's accounts into this one.
    Recover {
        /// The id of the list to bring back, as `kunci recover` shows it.
        list: Option<String>,
        /// Do not ask for confirmation.
        #[arg(long, short = 'y')]
        yes: bool,
    },
    /// Bring up the quick picker in the running Kunci window (starting Kunci when none runs):
    /// bind a desktop shortcut to this where Kunci's own shortcut cannot work. Exit status:
    /// 0 the picker is shown, 1 it could not be.
    Pick,
    /// Where the secrets are kept: the keychain, or an encrypted vault file in the data
    /// directory (for computers without a usable keychain). When the vault is chosen, the
    /// other commands ask for its passphrase, or read it from the file named by
    /// $KUNCI_VAULT_PASSPHRASE_FILE.
    Vault {
        #[command(subcommand)]
        command: vault::VaultCommand,
    },
}

#[derive(Debug, Args)]
pub struct ScanArgs {
    /// An image file (PNG, JPEG, WebP, BMP), e.g. a screenshot of the enrolment page.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["screen", "camera"], required_unless_present_any = ["screen", "camera"])]
    pub image: Option<std::path::PathBuf>,
    /// Every monitor of this computer.
    #[arg(long, conflicts_with = "camera")]
    pub screen: bool,
    /// A webcam (the first one, or the given index); hold the QR code in front of it.
    #[arg(long, value_name = "INDEX", num_args = 0..=1, default_missing_value = "0")]
    pub camera: Option<u32>,
    /// How long to look through the webcam before giving up, in seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 30)]
    pub camera_timeout: u64,
    /// Add the accounts found.
    #[arg(long)]
    pub add: bool,
    /// With --add: when an account with the same issuer and name exists with another secret
    /// (the site issued a new QR code), put the new secret in its place.
    #[arg(long, requires = "add")]
    pub replace: bool,
    /// Print the decoded text of every QR code found, one per line, and nothing else.
    #[arg(long, conflicts_with_all = ["add", "show_secret"])]
    pub raw: bool,
    /// Also print the secrets (setup keys) found.
    #[arg(long)]
    pub show_secret: bool,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The export file; its format is recognised from its contents.
    #[arg(value_name = "FILE")]
    pub file: std::path::PathBuf,
    /// Read the password of an encrypted export from this file (a line break at its end is not
    /// part of it); without it, the password is asked on the terminal.
    #[arg(long, value_name = "F")]
    pub password_file: Option<std::path::PathBuf>,
    /// Add the accounts without asking.
    #[arg(long, short = 'y')]
    pub yes: bool,
}

/// What `kunci export` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    /// A Kunci backup, encrypted with a passphrase (Argon2id + XChaCha20-Poly1305).
    Kunci,
    /// otpauth:// URIs, one a line: NOT encrypted.
    Uris,
    /// An Aegis plain vault (JSON): NOT encrypted.
    Aegis,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The file format.
    #[arg(long, value_enum, default_value = "kunci")]
    pub format: ExportFormat,
    /// The file to write (created owner-only on Unix).
    #[arg(long, value_name = "FILE")]
    pub out: std::path::PathBuf,
    /// With --format kunci: read the passphrase from this file (a line break at its end is not
    /// part of it); without it, the passphrase is asked twice on the terminal.
    #[arg(long, value_name = "F")]
    pub password_file: Option<std::path::PathBuf>,
    /// Replace FILE when it exists (nothing is ever written over without it).
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct AddArgs {
    /// An otpauth://totp/... or otpauth://hotp/... URI, as a QR code holds it. `--uri -` reads
    /// it from standard input; without a value it is asked for (without echo). A URI written
    /// here is seen by other programs and kept in the shell's history.
    #[arg(
        long,
        value_name = "URI|-",
        num_args = 0..=1,
        default_missing_value = "",
        required_unless_present = "secret",
        conflicts_with_all = ["secret", "issuer", "label", "digits", "period", "algorithm", "counter"]
    )]
    pub uri: Option<String>,
    /// The setup key shown under the QR code (base32; spaces, dashes and lowercase are fine).
    /// `--secret -` reads it from standard input; without a value it is asked for (without
    /// echo). A key written here is seen by other programs and kept in the shell's history.
    #[arg(
        long,
        value_name = "KEY|-",
        num_args = 0..=1,
        default_missing_value = "",
        requires = "label"
    )]
    pub secret: Option<String>,
    /// Who issues the codes, e.g. "LPSE Kota Bandung".
    #[arg(long, value_name = "I", default_value = "")]
    pub issuer: String,
    /// The account name, e.g. your user name.
    #[arg(long, value_name = "L")]
    pub label: Option<String>,
    /// Digits per code (6 to 8).
    #[arg(long, value_name = "N", default_value_t = 6)]
    pub digits: u8,
    /// Seconds per code (1 to 300).
    #[arg(long, value_name = "S", default_value_t = 30)]
    pub period: u32,
    /// SHA1, SHA256 or SHA512.
    #[arg(long, value_name = "A", default_value = "SHA1")]
    pub algorithm: String,
    /// Make it a counter-based (HOTP) account starting at this counter.
    #[arg(long, value_name = "N")]
    pub counter: Option<u64>,
}
