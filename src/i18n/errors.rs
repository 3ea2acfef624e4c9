//! The library's errors and notices in words from `locales/errors.yml`.
//!
//! The library keeps English `Display` texts for logs; what a person reads comes from here, in
//! the language the front end passes in. Details the library only has as text (an operating
//! system's message, a parser's reason) are kept as they are inside the translated sentence.

use kunci::accounts::QueryError;
use kunci::clock::NoTimeSource;
use kunci::desktop::{AutostartError, HotkeyError, ShortcutError, TypingError};
use kunci::export::ExportError;
use kunci::export::auto_backup::AutoBackupError;
use kunci::import::kunci::BackupError;
use kunci::import::{EntryName, ImportError, SkipReason, Skipped};
use kunci::kdf::{TooMuchWork, memory_text, scrypt_memory_bytes};
use kunci::otp::OtpError;
use kunci::otp::migration::{
    CollectError, EntryProblem, MigrationError, ProtobufError, SkippedEntry,
};
use kunci::scan::payload::{NotAnAccount, PayloadError};
use kunci::scan::{ClipboardProblem, FileProblem, ScanError};
use kunci::settings::SettingsProblem;
use kunci::store::{LoadProblem, MoveError, OpenError, SecretsError, StoreError, VaultError};

use super::Language;

/// Words for a person, in `lang`.
pub trait Localize {
    fn localize(&self, lang: Language) -> String;
}

impl Localize for OtpError {
    fn localize(&self, lang: Language) -> String {
        match self {
            OtpError::EmptySecret => tr!(lang, "error.otp.empty_secret"),
            OtpError::SecretTooShort { bits } => tr!(
                lang,
                "error.otp.secret_too_short",
                bits = bits,
                needed = kunci::otp::MIN_SECRET_BYTES * 8
            ),
            OtpError::InvalidSecretChar { ch, position } => tr!(
                lang,
                "error.otp.invalid_secret_char",
                ch = format!("{ch:?}"),
                position = position
            ),
            OtpError::InvalidSecretLength { letters } => {
                tr!(lang, "error.otp.invalid_secret_length", letters = letters)
            }
            OtpError::MissingSecret => tr!(lang, "error.otp.missing_secret"),
            OtpError::NotOtpAuth { found } => {
                tr!(lang, "error.otp.not_otpauth", found = found)
            }
            OtpError::MigrationNotSupported => tr!(lang, "error.otp.migration_not_supported"),
            OtpError::MissingType => tr!(lang, "error.otp.missing_type"),
            OtpError::UnsupportedType(found) => tr!(
                lang,
                "error.otp.unsupported_type",
                found = format!("{found:?}")
            ),
            OtpError::UnsupportedAlgorithm(found) => tr!(
                lang,
                "error.otp.unsupported_algorithm",
                found = format!("{found:?}")
            ),
            OtpError::InvalidDigits(found) => tr!(
                lang,
                "error.otp.invalid_digits",
                found = format!("{found:?}")
            ),
            OtpError::InvalidPeriod(found) => tr!(
                lang,
                "error.otp.invalid_period",
                found = format!("{found:?}")
            ),
            OtpError::InvalidCounter(found) => tr!(
                lang,
                "error.otp.invalid_counter",
                found = format!("{found:?}")
            ),
            OtpError::BadPercentEncoding { part } => {
                tr!(lang, "error.otp.bad_percent_encoding", part = part)
            }
            OtpError::InvalidUtf8 { part } => tr!(lang, "error.otp.invalid_utf8", part = part),
            // A kind added to the library later: its English words rather than none.
            other => other.to_string(),
        }
    }
}

impl Localize for MigrationError {
    fn localize(&self, lang: Language) -> String {
        match self {
            MigrationError::NotMigration => tr!(lang, "error.migration.not_migration"),
            MigrationError::NoData => tr!(lang, "error.migration.no_data"),
            MigrationError::BadPercentEncoding { position } => tr!(
                lang,
                "error.migration.bad_percent_encoding",
                position = position
            ),
            MigrationError::BadBase64 { found, position } => tr!(
                lang,
                "error.migration.bad_base64",
                found = format!("{found:?}"),
                position = position
            ),
            MigrationError::BadBase64Length { chars } => {
                tr!(lang, "error.migration.bad_base64_length", chars = chars)
            }
            MigrationError::Damaged(e) => {
                tr!(lang, "error.migration.damaged", detail = e.localize(lang))
            }
            MigrationError::NoAccounts => tr!(lang, "error.migration.no_accounts"),
            MigrationError::TooManyAccounts { limit } => {
                tr!(lang, "error.migration.too_many_accounts", limit = limit)
            }
            MigrationError::BadBatchNumbers { index, size } => tr!(
                lang,
                "error.migration.bad_batch_numbers",
                index = index,
                size = size
            ),
            other => other.to_string(),
        }
    }
}

impl Localize for ProtobufError {
    /// Where the bytes go wrong is for a developer; the person is told the data is damaged
    /// (by the caller) and the technical detail stays in English.
    fn localize(&self, _lang: Language) -> String {
        self.to_string()
    }
}

impl Localize for SecretsError {
    fn localize(&self, lang: Language) -> String {
        match self {
            SecretsError::Unavailable { detail } => {
                let hint = if cfg!(target_os = "linux") {
                    tr!(lang, "error.keychain.hint_linux")
                } else if cfg!(target_os = "windows") {
                    tr!(lang, "error.keychain.hint_windows")
                } else {
                    tr!(lang, "error.keychain.hint_macos")
                };
                tr!(
                    lang,
                    "error.keychain.unavailable",
                    detail = detail,
                    hint = hint
                )
            }
            SecretsError::Locked { detail } => {
                tr!(lang, "error.keychain.locked", detail = detail)
            }
            SecretsError::BadEntry { id } => tr!(lang, "error.keychain.bad_entry", id = id),
            SecretsError::Other { detail } => tr!(lang, "error.keychain.other", detail = detail),
            // The vault's own words (what to do about a vault file), not the keychain's.
            SecretsError::Vault(e) => e.localize(lang),
        }
    }
}

impl Localize for StoreError {
    fn localize(&self, lang: Language) -> String {
        match self {
            StoreError::Io { path, source } => tr!(
                lang,
                "error.store.io",
                path = path.display(),
                detail = source
            ),
            StoreError::NewerSchema {
                path,
                found,
                supported,
            } => tr!(
                lang,
                "error.store.newer_schema",
                path = path.display(),
                found = found,
                supported = supported
            ),
            StoreError::Secrets(e) => e.localize(lang),
            StoreError::Otp(e) => e.localize(lang),
            StoreError::NotFound(id) => tr!(lang, "error.store.not_found", id = id),
            StoreError::Busy { path } => tr!(lang, "error.store.busy", path = path.display()),
            StoreError::Duplicate { name } => tr!(lang, "error.store.duplicate", name = name),
            StoreError::SecretMissing { name, .. } => {
                tr!(lang, "error.store.secret_missing", name = name)
            }
        }
    }
}

impl Localize for BackupError {
    fn localize(&self, lang: Language) -> String {
        match self {
            BackupError::EmptyPassphrase => tr!(lang, "error.backup.empty_passphrase"),
            BackupError::Random(detail) => tr!(lang, "error.backup.random", detail = detail),
            BackupError::Kdf(detail) => tr!(lang, "error.backup.kdf", detail = detail),
            BackupError::Encrypt => tr!(lang, "error.backup.encrypt"),
            other => other.to_string(),
        }
    }
}

/// Why an automatic backup was not written (the notice around it says that much).
impl Localize for AutoBackupError {
    fn localize(&self, lang: Language) -> String {
        match self {
            AutoBackupError::NoPassphrase => tr!(lang, "protect.auto.no_passphrase"),
            AutoBackupError::Seal(e) => e.localize(lang),
            AutoBackupError::Io { path, source } => tr!(
                lang,
                "protect.auto.io",
                path = path.display(),
                detail = source
            ),
            AutoBackupError::Store(e) => e.localize(lang),
            other => other.to_string(),
        }
    }
}

impl Localize for ScanError {
    fn localize(&self, lang: Language) -> String {
        match self {
            ScanError::Unreadable { path, reason } => tr!(
                lang,
                "error.scan.unreadable",
                path = path,
                reason = reason.localize(lang)
            ),
            ScanError::TooLarge {
                width,
                height,
                limit,
            } => tr!(
                lang,
                "error.scan.too_large",
                width = width,
                height = height,
                limit = limit
            ),
            ScanError::NoScreen(detail) => tr!(lang, "error.scan.no_screen", detail = detail),
            ScanError::NoCamera(detail) => tr!(lang, "error.scan.no_camera", detail = detail),
            ScanError::NoClipboardImage(problem) => tr!(
                lang,
                "error.scan.no_clipboard_image",
                detail = problem.localize(lang)
            ),
            ScanError::NoMoreFrames => tr!(lang, "error.scan.no_more_frames"),
        }
    }
}

impl Localize for FileProblem {
    fn localize(&self, lang: Language) -> String {
        match self {
            FileProblem::NotFound => tr!(lang, "error.file.not_found"),
            FileProblem::PermissionDenied => tr!(lang, "error.file.permission_denied"),
            FileProblem::Io(detail) => detail.clone(),
            FileProblem::Folder => tr!(lang, "error.file.folder"),
            FileProblem::TooBig {
                megabytes,
                limit_megabytes,
            } => tr!(
                lang,
                "error.file.too_big",
                megabytes = megabytes,
                limit = limit_megabytes
            ),
            FileProblem::Empty => tr!(lang, "error.file.empty"),
            FileProblem::NoPixels { width, height } => {
                tr!(lang, "error.file.no_pixels", width = width, height = height)
            }
            FileProblem::Pdf => tr!(lang, "error.file.pdf"),
            FileProblem::Heic => tr!(lang, "error.file.heic"),
            FileProblem::Svg => tr!(lang, "error.file.svg"),
            FileProblem::QrText => tr!(lang, "error.file.qr_text"),
            FileProblem::NotAPicture => tr!(lang, "error.file.not_a_picture"),
            FileProblem::UnsupportedFormat { kind } => {
                tr!(lang, "error.file.unsupported_format", kind = kind)
            }
            FileProblem::Incomplete { kind } => tr!(lang, "error.file.incomplete", kind = kind),
            FileProblem::Damaged { kind, detail } => {
                tr!(lang, "error.file.damaged", kind = kind, detail = detail)
            }
            FileProblem::UnsupportedVariant { kind, detail } => tr!(
                lang,
                "error.file.unsupported_variant",
                kind = kind,
                detail = detail
            ),
            FileProblem::TooLargeToDecode { kind } => {
                tr!(lang, "error.file.too_large_to_decode", kind = kind)
            }
            FileProblem::Undecodable { kind, detail } => {
                tr!(lang, "error.file.undecodable", kind = kind, detail = detail)
            }
            other => other.to_string(),
        }
    }
}

impl Localize for ClipboardProblem {
    fn localize(&self, lang: Language) -> String {
        match self {
            ClipboardProblem::Unreadable(detail) => {
                tr!(lang, "error.clipboard.unreadable", detail = detail)
            }
            ClipboardProblem::EmptyPicture { width, height } => tr!(
                lang,
                "error.clipboard.empty_picture",
                width = width,
                height = height
            ),
            ClipboardProblem::Malformed {
                bytes,
                width,
                height,
            } => tr!(
                lang,
                "error.clipboard.malformed",
                bytes = bytes,
                width = width,
                height = height
            ),
            ClipboardProblem::UnknownFormat => tr!(lang, "error.clipboard.unknown_format"),
            ClipboardProblem::BadFile { path, reason } => tr!(
                lang,
                "error.clipboard.bad_file",
                path = path,
                reason = reason.localize(lang)
            ),
            ClipboardProblem::Text => tr!(lang, "error.clipboard.text"),
            ClipboardProblem::Nothing => tr!(lang, "error.clipboard.nothing"),
            ClipboardProblem::Failed { detail } => {
                tr!(lang, "error.clipboard.failed", detail = detail)
            }
            other => other.to_string(),
        }
    }
}

impl Localize for NotAnAccount {
    fn localize(&self, lang: Language) -> String {
        match self {
            NotAnAccount::Empty => tr!(lang, "error.payload.empty"),
            NotAnAccount::WebAddress(url) => tr!(lang, "error.payload.web_address", url = url),
            NotAnAccount::WiFi => tr!(lang, "error.payload.wifi"),
            NotAnAccount::Email => tr!(lang, "error.payload.email"),
            NotAnAccount::Phone => tr!(lang, "error.payload.phone"),
            NotAnAccount::TextMessage => tr!(lang, "error.payload.text_message"),
            NotAnAccount::Contact => tr!(lang, "error.payload.contact"),
            NotAnAccount::CalendarEvent => tr!(lang, "error.payload.calendar_event"),
            NotAnAccount::Location => tr!(lang, "error.payload.location"),
            NotAnAccount::SetupKey => tr!(lang, "error.payload.setup_key"),
            NotAnAccount::OtherLink(scheme) => {
                tr!(lang, "error.payload.other_link", scheme = scheme)
            }
            NotAnAccount::Text(text) => tr!(lang, "error.payload.text", text = text),
            other => other.to_string(),
        }
    }
}

impl Localize for PayloadError {
    fn localize(&self, lang: Language) -> String {
        match self {
            PayloadError::Account(e) => {
                tr!(lang, "error.payload.bad_account", detail = e.localize(lang))
            }
            PayloadError::Migration(e) => {
                tr!(
                    lang,
                    "error.payload.bad_migration",
                    detail = e.localize(lang)
                )
            }
        }
    }
}

impl Localize for CollectError {
    fn localize(&self, lang: Language) -> String {
        match self {
            CollectError::OtherExport { received, expected } => tr!(
                lang,
                "error.collect.other_export",
                received = received,
                expected = expected
            ),
            CollectError::BadBatchNumbers { index, size } => tr!(
                lang,
                "error.collect.bad_batch_numbers",
                index = index,
                size = size
            ),
            CollectError::SizeMismatch { expected, found } => tr!(
                lang,
                "error.collect.size_mismatch",
                expected = expected,
                found = found
            ),
        }
    }
}

impl Localize for ImportError {
    fn localize(&self, lang: Language) -> String {
        match self {
            ImportError::UnknownFormat => tr!(lang, "error.import.unknown_format"),
            ImportError::TooLarge { bytes } => tr!(lang, "error.import.too_large", bytes = bytes),
            ImportError::NeedsPassword { format } => {
                tr!(lang, "error.import.needs_password", format = format)
            }
            ImportError::WrongPassword { format } => {
                tr!(lang, "error.import.wrong_password", format = format)
            }
            ImportError::Damaged { format, reason } => tr!(
                lang,
                "error.import.damaged",
                format = format,
                reason = reason
            ),
            ImportError::UnsupportedVersion { format, version } => tr!(
                lang,
                "error.import.unsupported_version",
                format = format,
                version = version
            ),
            ImportError::Unsupported { format, what } => tr!(
                lang,
                "error.import.unsupported",
                format = format,
                what = what
            ),
            ImportError::TooMuchWork { format, what } => tr!(
                lang,
                "error.import.too_much_work",
                format = format,
                what = what.localize(lang)
            ),
            other => other.to_string(),
        }
    }
}

impl Localize for TooMuchWork {
    /// What a file asked of a key derivation, beyond what Kunci reads.
    fn localize(&self, lang: Language) -> String {
        match self {
            TooMuchWork::Argon2id {
                memory_kib,
                passes,
                lanes,
            } => tr!(
                lang,
                "error.work.argon2id",
                memory = memory_text(*memory_kib),
                passes = passes,
                lanes = lanes
            ),
            TooMuchWork::Scrypt { n, r, p } => tr!(
                lang,
                "error.work.scrypt",
                n = n,
                r = r,
                p = p,
                memory = memory_text(scrypt_memory_bytes(*n, *r) / 1024)
            ),
            TooMuchWork::ScryptSlots { slots, total } => tr!(
                lang,
                "error.work.scrypt_slots",
                slots = slots,
                total = total
            ),
            other => other.to_string(),
        }
    }
}

impl Localize for Skipped {
    /// Where the entry was (QR code, line, entry and its name), then why it was left out.
    fn localize(&self, lang: Language) -> String {
        let mut words = String::new();
        if let Some((n, count)) = self.qr_code {
            words.push_str(&tr!(lang, "error.skip.qr_code", n = n, count = count));
            words.push_str(": ");
        }
        if let Some(line) = self.line {
            words.push_str(&tr!(lang, "error.skip.line", line = line));
            words.push_str(": ");
        }
        if let Some(entry) = &self.entry {
            words.push_str(&entry.localize(lang));
            words.push_str(": ");
        }
        words.push_str(&self.reason.localize(lang));
        words
    }
}

impl Localize for EntryName {
    fn localize(&self, lang: Language) -> String {
        match self.name().as_str() {
            "" => tr!(lang, "error.skip.entry", number = self.number),
            name => tr!(
                lang,
                "error.skip.entry_named",
                number = self.number,
                name = name
            ),
        }
    }
}

impl Localize for EntryProblem {
    fn localize(&self, lang: Language) -> String {
        match self {
            EntryProblem::Damaged(e) => {
                tr!(lang, "error.skip.damaged", detail = e.localize(lang))
            }
            EntryProblem::NameNotUtf8 => tr!(lang, "error.skip.name_not_utf8"),
            EntryProblem::IssuerNotUtf8 => tr!(lang, "error.skip.issuer_not_utf8"),
            EntryProblem::NoSecret => tr!(lang, "error.skip.no_secret"),
            EntryProblem::ShortSecret { bits, needed } => tr!(
                lang,
                "error.skip.short_secret",
                bits = bits,
                needed = needed
            ),
            EntryProblem::Md5 => tr!(lang, "error.skip.md5"),
            EntryProblem::UnknownAlgorithm(n) => {
                tr!(lang, "error.skip.unknown_algorithm_number", number = n)
            }
            EntryProblem::UnknownDigits(n) => {
                tr!(lang, "error.skip.unknown_digits_number", number = n)
            }
            EntryProblem::UnknownType(n) => {
                tr!(lang, "error.skip.unknown_type_number", number = n)
            }
            // A problem added to the library later: its English words rather than none.
            other => other.to_string(),
        }
    }
}

/// An entry of a scanned export, worded as an import's skipped entry (same place words).
impl Localize for SkippedEntry {
    fn localize(&self, lang: Language) -> String {
        Skipped::from(self.clone()).localize(lang)
    }
}

impl Localize for ExportError {
    fn localize(&self, lang: Language) -> String {
        match self {
            ExportError::NoPassphrase => tr!(lang, "error.backup.empty_passphrase"),
            ExportError::Backup(e) => e.localize(lang),
            other => other.to_string(),
        }
    }
}

impl Localize for SkipReason {
    fn localize(&self, lang: Language) -> String {
        match self {
            SkipReason::Steam => tr!(lang, "error.skip.steam"),
            SkipReason::UnsupportedType { found } => {
                tr!(lang, "error.skip.unsupported_type", found = found)
            }
            SkipReason::NoType => tr!(lang, "error.skip.no_type"),
            SkipReason::NoInfo => tr!(lang, "error.skip.no_info"),
            SkipReason::UnsupportedScheme { scheme } => {
                tr!(lang, "error.skip.unsupported_scheme", scheme = scheme)
            }
            SkipReason::NotANumber { field } => {
                tr!(lang, "error.skip.not_a_number", field = field)
            }
            SkipReason::TooManyDigits => tr!(lang, "error.skip.too_many_digits"),
            SkipReason::PeriodTooLong => tr!(lang, "error.skip.period_too_long"),
            SkipReason::EmptySecret => tr!(lang, "error.skip.empty_secret"),
            SkipReason::SecretNotBase32 => tr!(lang, "error.skip.secret_not_base32"),
            SkipReason::SecretNotBytes => tr!(lang, "error.skip.secret_not_bytes"),
            SkipReason::CounterAtMax => tr!(lang, "error.skip.counter_at_max"),
            SkipReason::Otp(e) => e.localize(lang),
            SkipReason::Migration(e) => e.localize(lang),
            SkipReason::ExportEntry(problem) => problem.localize(lang),
            // A reason added to the library later: its English words rather than none.
            other => other.to_string(),
        }
    }
}

impl Localize for NoTimeSource {
    fn localize(&self, lang: Language) -> String {
        let (servers, sites) = (self.sntp.len(), self.https.len());
        if self.disagreed() {
            tr!(
                lang,
                "error.clock.sources_disagree",
                servers = servers,
                sites = sites,
                seconds = crate::i18n::number(lang, kunci::clock::AGREEMENT, 0)
            )
        } else {
            tr!(
                lang,
                "error.clock.no_time_source",
                servers = servers,
                sites = sites
            )
        }
    }
}

impl Localize for QueryError {
    fn localize(&self, lang: Language) -> String {
        match self {
            QueryError::NoMatch { query, .. } => {
                tr!(lang, "error.query.no_match", query = query)
            }
            QueryError::Ambiguous { query, candidates } => tr!(
                lang,
                "error.query.ambiguous",
                query = query,
                count = candidates.len()
            ),
        }
    }
}

impl Localize for LoadProblem {
    fn localize(&self, lang: Language) -> String {
        match self {
            LoadProblem::Damaged {
                file,
                set_aside,
                reason,
            } => tr!(
                lang,
                "error.load.damaged",
                file = file.display(),
                reason = reason,
                kept = set_aside.display()
            ),
            LoadProblem::RestoredFromBackup { backup } => tr!(
                lang,
                "error.load.restored_from_backup",
                backup = backup.display()
            ),
            LoadProblem::ListIdRecovered { from } => {
                tr!(lang, "error.load.list_id_recovered", from = from.display())
            }
            LoadProblem::BadEntries { copy, reasons } => tr!(
                lang,
                "error.load.bad_entries",
                count = reasons.len(),
                reasons = reasons.join("; "),
                copy = copy.display()
            ),
        }
    }
}

impl Localize for SettingsProblem {
    fn localize(&self, lang: Language) -> String {
        match self {
            SettingsProblem::Unreadable { path, detail } => tr!(
                lang,
                "error.settings.unreadable",
                path = path.display(),
                detail = detail
            ),
            SettingsProblem::Damaged {
                path,
                detail,
                kept_as: Some(aside),
            } => tr!(
                lang,
                "error.settings.damaged_kept",
                path = path.display(),
                detail = detail,
                aside = aside.display()
            ),
            SettingsProblem::Damaged {
                path,
                detail,
                kept_as: None,
            } => tr!(
                lang,
                "error.settings.damaged_left",
                path = path.display(),
                detail = detail
            ),
            SettingsProblem::LockUnreadable { path, detail } => tr!(
                lang,
                "error.settings.lock_unreadable",
                path = path.display(),
                detail = detail
            ),
        }
    }
}

/// An operating system's message is already in the system's language.
impl Localize for std::io::Error {
    fn localize(&self, _lang: Language) -> String {
        self.to_string()
    }
}

/// JSON only fails to print on a bug; its words are for a developer.
impl Localize for serde_json::Error {
    fn localize(&self, _lang: Language) -> String {
        self.to_string()
    }
}

impl Localize for VaultError {
    fn localize(&self, lang: Language) -> String {
        match self {
            VaultError::EmptyPassphrase => tr!(lang, "vault.error.empty"),
            VaultError::WrongPassphrase => tr!(lang, "vault.error.wrong"),
            VaultError::Missing { dir } => {
                tr!(lang, "vault.error.missing", dir = dir.display())
            }
            VaultError::Exists { path } => tr!(lang, "vault.error.exists", path = path.display()),
            VaultError::Damaged { path, reason } => tr!(
                lang,
                "vault.error.damaged",
                path = path.display(),
                reason = reason
            ),
            VaultError::Unsupported { path, what } => tr!(
                lang,
                "vault.error.unsupported",
                path = path.display(),
                what = what
            ),
            VaultError::TooMuchWork { path, what } => tr!(
                lang,
                "vault.error.too_much_work",
                path = path.display(),
                what = what.localize(lang)
            ),
            VaultError::Replaced { path } => {
                tr!(lang, "vault.error.replaced", path = path.display())
            }
            VaultError::Busy { path } => tr!(lang, "vault.error.busy", path = path.display()),
            VaultError::Io { path, source } => tr!(
                lang,
                "vault.error.io",
                path = path.display(),
                detail = source
            ),
            other => tr!(lang, "vault.error.other", detail = other),
        }
    }
}

impl Localize for OpenError {
    fn localize(&self, lang: Language) -> String {
        match self {
            OpenError::NoDataDir => tr!(lang, "ui.worker.no_data_dir"),
            OpenError::VaultLocked => tr!(lang, "vault.ui.locked"),
            OpenError::Store(e) => e.localize(lang),
            other => other.to_string(),
        }
    }
}

impl Localize for MoveError {
    fn localize(&self, lang: Language) -> String {
        match self {
            MoveError::Store(e) => e.localize(lang),
            MoveError::Secrets(e) => e.localize(lang),
            MoveError::Vault(e) => e.localize(lang),
            MoveError::Verify { id, .. } => tr!(lang, "vault.error.verify", id = id),
            other => other.to_string(),
        }
    }
}

impl Localize for ShortcutError {
    fn localize(&self, lang: Language) -> String {
        match self {
            ShortcutError::Empty => tr!(lang, "error.shortcut.empty"),
            ShortcutError::UnknownKey(key) => tr!(lang, "error.shortcut.unknown_key", key = key),
            ShortcutError::TwoKeys => tr!(lang, "error.shortcut.two_keys"),
            ShortcutError::NoKey => tr!(lang, "error.shortcut.no_key"),
            ShortcutError::NeedsModifier => tr!(lang, "error.shortcut.needs_modifier"),
            _ => self.to_string(),
        }
    }
}

impl Localize for HotkeyError {
    fn localize(&self, lang: Language) -> String {
        match self {
            HotkeyError::NoDesktop => tr!(lang, "error.hotkey.no_desktop"),
            HotkeyError::Taken(keys) => tr!(lang, "error.hotkey.taken", keys = keys),
            HotkeyError::NoPortal(detail) => tr!(lang, "error.hotkey.no_portal", detail = detail),
            HotkeyError::Refused => tr!(lang, "error.hotkey.refused"),
            HotkeyError::Failed(detail) => tr!(lang, "error.hotkey.failed", detail = detail),
            _ => self.to_string(),
        }
    }
}

impl Localize for TypingError {
    fn localize(&self, lang: Language) -> String {
        match self {
            TypingError::NotPossible(_) => tr!(lang, "error.typing.not_possible"),
            TypingError::FocusNotReturned(title) => tr!(lang, "error.typing.focus", title = title),
            TypingError::KeysHeld => tr!(lang, "error.typing.keys_held"),
            TypingError::Refused(detail) => tr!(lang, "error.typing.refused", detail = detail),
            TypingError::Failed(detail) => tr!(lang, "error.typing.failed", detail = detail),
            _ => self.to_string(),
        }
    }
}

impl Localize for AutostartError {
    fn localize(&self, lang: Language) -> String {
        match self {
            AutostartError::NoPlace => tr!(lang, "error.autostart.no_place"),
            AutostartError::Program(detail) => {
                tr!(lang, "error.autostart.program", detail = detail)
            }
            AutostartError::Io { where_, source } => tr!(
                lang,
                "error.autostart.io",
                place = where_,
                detail = source.to_string()
            ),
            _ => self.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_speak_both_languages() {
        let e = OtpError::InvalidSecretChar {
            ch: '8',
            position: 4,
        };
        assert!(
            e.localize(Language::English)
                .contains("is not a base32 letter")
        );
        assert!(e.localize(Language::Indonesian).contains("'8'"));
        assert_ne!(
            e.localize(Language::English),
            e.localize(Language::Indonesian)
        );
        let q = QueryError::NoMatch {
            query: "bandung".into(),
            candidates: Vec::new(),
        };
        assert_eq!(
            q.localize(Language::English),
            "no account matches \"bandung\""
        );
        assert!(q.localize(Language::Indonesian).contains("bandung"));
    }

    /// An automatic backup that could not be sealed is worded like the rest, not left in the
    /// library's English.
    #[test]
    fn automatic_backup_failures_speak_both_languages() {
        let sealing = AutoBackupError::Seal(BackupError::EmptyPassphrase);
        assert_eq!(
            sealing.localize(Language::English),
            "the passphrase is empty"
        );
        assert_eq!(
            sealing.localize(Language::Indonesian),
            "frasa sandi masih kosong"
        );
        assert_ne!(
            AutoBackupError::NoPassphrase.localize(Language::Indonesian),
            AutoBackupError::NoPassphrase.to_string()
        );
    }

    /// A file asking for too much key-derivation work: worded in both languages, English the
    /// library's own words, Indonesian other words that still carry the numbers.
    #[test]
    fn too_much_work_speaks_both_languages_and_english_matches_the_library() {
        let whats = [
            TooMuchWork::Argon2id {
                memory_kib: 1 << 20,
                passes: 64,
                lanes: 1,
            },
            TooMuchWork::Scrypt {
                n: 1 << 20,
                r: 8,
                p: 16,
            },
            TooMuchWork::ScryptSlots {
                slots: 50,
                total: 50 << 18,
            },
        ];
        for what in whats {
            let import = ImportError::TooMuchWork {
                format: "Aegis",
                what: what.clone(),
            };
            let vault = VaultError::TooMuchWork {
                path: "/data/vault.json".into(),
                what: what.clone(),
            };
            for (english, indonesian, library) in [
                (
                    what.localize(Language::English),
                    what.localize(Language::Indonesian),
                    what.to_string(),
                ),
                (
                    import.localize(Language::English),
                    import.localize(Language::Indonesian),
                    import.to_string(),
                ),
                (
                    vault.localize(Language::English),
                    vault.localize(Language::Indonesian),
                    vault.to_string(),
                ),
            ] {
                assert_eq!(english, library);
                assert_ne!(indonesian, english, "{what:?}");
                assert!(!indonesian.contains("%{"), "{indonesian}");
            }
        }
        let vault = VaultError::TooMuchWork {
            path: "/data/vault.json".into(),
            what: TooMuchWork::Argon2id {
                memory_kib: 1 << 20,
                passes: 64,
                lanes: 1,
            },
        };
        assert_eq!(
            vault.localize(Language::Indonesian),
            "berkas brankas /data/vault.json meminta kerja jauh lebih berat untuk dibuka \
             daripada berkas yang pernah ditulis Kunci (Argon2id: memori 1024 MiB, 64 putaran, \
             1 jalur): berkas ini bukan buatan Kunci, atau sudah diubah. Berkasnya dibiarkan apa \
             adanya; pulihkan dari salinannya, atau dari cadangan Kunci"
        );
    }

    /// Every skip reason, worded: in English the library's own words (kept for logs), in
    /// Indonesian other words.
    #[test]
    fn skip_reasons_speak_both_languages_and_english_matches_the_library() {
        let reasons = vec![
            SkipReason::Steam,
            SkipReason::UnsupportedType {
                found: "motp".into(),
            },
            SkipReason::NoType,
            SkipReason::NoInfo,
            SkipReason::UnsupportedScheme {
                scheme: "yandex".into(),
            },
            SkipReason::NotANumber {
                field: "digits".into(),
            },
            SkipReason::TooManyDigits,
            SkipReason::PeriodTooLong,
            SkipReason::EmptySecret,
            SkipReason::SecretNotBase32,
            SkipReason::SecretNotBytes,
            SkipReason::CounterAtMax,
            SkipReason::Otp(OtpError::SecretTooShort { bits: 40 }),
            SkipReason::Migration(MigrationError::NoAccounts),
            SkipReason::ExportEntry(EntryProblem::NameNotUtf8),
            SkipReason::ExportEntry(EntryProblem::IssuerNotUtf8),
            SkipReason::ExportEntry(EntryProblem::NoSecret),
            SkipReason::ExportEntry(EntryProblem::ShortSecret {
                bits: 72,
                needed: 80,
            }),
            SkipReason::ExportEntry(EntryProblem::Md5),
            SkipReason::ExportEntry(EntryProblem::UnknownAlgorithm(9)),
            SkipReason::ExportEntry(EntryProblem::UnknownDigits(3)),
            SkipReason::ExportEntry(EntryProblem::UnknownType(7)),
            SkipReason::ExportEntry(EntryProblem::Damaged(ProtobufError::TooDeep { offset: 3 })),
        ];
        for reason in reasons {
            assert_eq!(reason.localize(Language::English), reason.to_string());
            assert_ne!(
                reason.localize(Language::Indonesian),
                reason.to_string(),
                "{reason:?}"
            );
        }
        let mut skipped = Skipped::entry(EntryName::new(6, "Boeing", "Sophia"), SkipReason::Steam);
        skipped.line = Some(3);
        skipped.qr_code = Some((2, 4));
        assert_eq!(skipped.localize(Language::English), skipped.to_string());
        assert_eq!(
            skipped.localize(Language::Indonesian),
            "kode QR ke-2 dari 4: baris 3: entri ke-7 (Boeing: Sophia): kode Steam Guard (5 huruf) \
             tidak didukung Kunci; tetap simpan di aplikasi Steam"
        );
        let unnamed = Skipped::entry(
            EntryName::new(0, " ", ""),
            SkipReason::ExportEntry(EntryProblem::Md5),
        );
        assert_eq!(
            unnamed.localize(Language::Indonesian),
            "entri ke-1: MD5 tidak didukung"
        );
    }

    /// The vault's failures, through the secret store's error, are worded as the vault's.
    #[test]
    fn vault_failures_are_not_called_keychain_failures() {
        let e = StoreError::Secrets(SecretsError::Vault(
            kunci::store::VaultError::WrongPassphrase,
        ));
        for lang in [Language::English, Language::Indonesian] {
            let words = e.localize(lang);
            assert!(!words.to_lowercase().contains("keychain"), "{words}");
        }
        assert!(!e.to_string().contains("keychain"), "{e}");
    }
}
