//! The store's worker: slow library calls (keychain, vault, files) run on its thread; the
//! window sends [`Request`]s and drains [`Event`]s once a frame, woken by a repaint. The UI
//! never blocks on the keychain. This file is the protocol and the thread; `jobs.rs` does the
//! work.

mod jobs;

use std::sync::Arc;
#[cfg(test)]
use std::sync::mpsc::RecvTimeoutError;
use std::sync::mpsc::{self, Receiver, Sender};
#[cfg(test)]
use std::time::{Duration, Instant};

use kunci::accounts::{Account, AccountId};
use kunci::export::auto_backup::{self, AutoBackupError};
use kunci::otp::{OtpUri, Secret};
use kunci::settings::Settings;
use kunci::store::{
    DataDir, EarlierList, LoadProblem, MoveError, MoveReport, OpenError, SecretsLocation, Store,
    StoreError, Vault,
};
use zeroize::Zeroizing;

use crate::i18n::{Language, Localize};

/// Opens the store (connects to the keychain, reads the metadata) with the vault the window
/// unlocked, if any (used when the vault is where the secrets are). Called again on "try again".
pub type Opener =
    Arc<dyn Fn(Option<Arc<Vault>>) -> Result<(Store, Vec<LoadProblem>), OpenError> + Send + Sync>;

/// Where the secrets are kept now, as the worker found out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocationReport {
    pub location: SecretsLocation,
    /// A keychain answers (so secrets in the vault can move back to it).
    pub keychain_answers: bool,
}

/// Something the worker tells the user; worded by the window in its language.
#[derive(Debug)]
pub enum Notice {
    /// A problem found while reading the account list.
    Load(LoadProblem),
    /// An account whose interrupted add was finished from the keychain (its display name).
    Recovered(String),
    /// Interrupted removals that were completed.
    FinishedRemovals(usize),
    /// The keychain could not be compared with the account list.
    ReconcileFailed(StoreError),
    /// An imported account that is already there (its display name).
    AlreadyThere(String),
    /// An imported account that is there with another secret (its display name).
    OtherSecret(String),
    Store(StoreError),
    SettingsNotSaved(StoreError),
    /// A request came before the store was open.
    NotOpen,
    /// An automatic backup was not written.
    AutoBackup(AutoBackupError),
    /// Moving the secrets between the keychain and the vault stopped (nothing was lost).
    Move(MoveError),
    /// Automatic backups dated after now lie in the folder (left alone, not counted).
    FutureBackups {
        folder: std::path::PathBuf,
        count: usize,
    },
}

impl Localize for Notice {
    fn localize(&self, lang: Language) -> String {
        match self {
            Notice::Load(problem) => problem.localize(lang),
            Notice::Recovered(name) => tr!(lang, "ui.worker.recovered", name = name),
            Notice::FinishedRemovals(count) => {
                tr!(lang, "ui.worker.finished_removals", count = count)
            }
            Notice::ReconcileFailed(e) => {
                tr!(
                    lang,
                    "ui.worker.reconcile_failed",
                    detail = e.localize(lang)
                )
            }
            Notice::AlreadyThere(name) => tr!(lang, "ui.worker.already_there", name = name),
            Notice::OtherSecret(name) => tr!(lang, "ui.worker.other_secret", name = name),
            Notice::Store(e) => e.localize(lang),
            Notice::SettingsNotSaved(e) => {
                tr!(
                    lang,
                    "ui.worker.settings_not_saved",
                    detail = e.localize(lang)
                )
            }
            Notice::NotOpen => tr!(lang, "ui.worker.not_open"),
            Notice::AutoBackup(e) => {
                tr!(lang, "protect.auto.failed", detail = e.localize(lang))
            }
            Notice::Move(e) => tr!(lang, "vault.move.failed", detail = e.localize(lang)),
            Notice::FutureBackups { folder, count } => tr!(
                lang,
                "protect.auto.future",
                count = count,
                folder = folder.display()
            ),
        }
    }
}

/// What the UI asks for.
pub enum Request {
    Open,
    Add(OtpUri),
    Remove(AccountId),
    /// New issuer, account name and note for an account.
    Edit {
        id: AccountId,
        issuer: String,
        label: String,
        note: String,
    },
    SetPinned {
        id: AccountId,
        pinned: bool,
    },
    /// A new place in the list (the window has moved the row already).
    Move {
        id: AccountId,
        position: usize,
    },
    AdvanceCounter(AccountId),
    SaveSettings {
        dir: DataDir,
        settings: Settings,
    },
    /// Accounts picked from an export (a file, or Google Authenticator QR codes); duplicates
    /// and names already there with another secret are skipped, never replaced.
    /// Each with its note and pin (a restored backup's; empty otherwise), added in order.
    Import(Vec<(OtpUri, kunci::accounts::Extras)>),
    /// A new secret for an existing account.
    Reenrol {
        id: AccountId,
        uri: OtpUri,
    },
    /// Where automatic backups go from now on (`None`: nowhere); after each change to the
    /// accounts one is written there.
    AutoBackup(Option<auto_backup::Config>),
    /// The vault was unlocked (or created): the secrets are there; open the store on it.
    UseVault(Arc<Vault>),
    /// Keeps (`Some`) or forgets the automatic backups' passphrase, in the keychain or vault.
    AutoBackupPassphrase(Option<Zeroizing<String>>),
    /// Where the secrets of this data directory are kept now, and whether a keychain is
    /// reachable (`Event::LocationReport`).
    CheckLocation(DataDir),
    /// Moves every secret from the keychain into a new vault under this passphrase, then
    /// uses the vault.
    MoveToVault(Zeroizing<String>),
    /// Moves every secret from the (unlocked) vault into the keychain, then uses the keychain.
    MoveToKeychain,
    /// Copies the accounts of another account list's entries into this one.
    RecoverList(String),
}

/// What the worker reports.
pub enum Event {
    /// The store is open; secrets follow in batches.
    Opened {
        accounts: Vec<Account>,
        notices: Vec<Notice>,
        /// Other account lists in the secret store, offered while this one is empty (its file
        /// may have been lost).
        earlier: Vec<EarlierList>,
    },
    /// The store could not be opened (no keychain, unreadable data directory).
    Unavailable(OpenError),
    /// Secrets read after `Opened`, a batch at a time.
    Secrets(Vec<(AccountId, Result<Secret, StoreError>)>),
    Added {
        account: Account,
        secret: Secret,
    },
    AddFailed(Notice),
    Removed(AccountId),
    Updated(Account),
    /// The list's order as saved (after a move).
    Reordered(Vec<AccountId>),
    /// The secret (and parameters) of an account were replaced.
    Reenrolled {
        account: Account,
        secret: Secret,
    },
    /// An import finished: how many were added (each also came as `Added`), and notes.
    Imported {
        added: usize,
        notes: Vec<Notice>,
    },
    Failed(Notice),
    /// An automatic backup was written at `at` (Unix seconds).
    BackedUp {
        at: i64,
    },
    /// Where the secrets are kept (after `CheckLocation`, and after a move).
    LocationReport(LocationReport),
    /// Every secret moved (`to_vault`: into the vault), and the store was opened again on
    /// them (`Opened` and `Secrets` came first).
    Moved {
        to_vault: bool,
        report: MoveReport,
    },
    /// A move stopped; every secret is where it was, or (a rerun finishes it) in both places.
    MoveFailed(Notice),
    /// One request is finished.
    Done,
}

pub struct Worker {
    requests: Sender<Request>,
    events: Receiver<Event>,
    pending: usize,
}

impl Worker {
    pub fn spawn(ctx: egui::Context, opener: Opener) -> Self {
        let (request_tx, request_rx) = mpsc::channel::<Request>();
        let (event_tx, event_rx) = mpsc::channel::<Event>();
        std::thread::Builder::new()
            .name("kunci-store".into())
            .spawn(move || {
                let post = |event: Event| {
                    // The UI may be gone (window closed); then there is nobody to tell.
                    let _ = event_tx.send(event);
                    ctx.request_repaint();
                };
                let mut state = jobs::State::new(opener);
                let mut backups = auto_backup::Schedule::default();
                loop {
                    // Waits for a request, or until an automatic backup is due.
                    let request = match backups.wait(std::time::Instant::now()) {
                        Some(wait) => match request_rx.recv_timeout(wait) {
                            Ok(request) => Some(request),
                            Err(mpsc::RecvTimeoutError::Timeout) => None,
                            Err(mpsc::RecvTimeoutError::Disconnected) => break,
                        },
                        None => match request_rx.recv() {
                            Ok(request) => Some(request),
                            Err(_) => break,
                        },
                    };
                    match request {
                        Some(Request::AutoBackup(config)) => backups.configure(config),
                        Some(request) => {
                            if changes_accounts(&request) {
                                backups.changed(std::time::Instant::now());
                            }
                            state.handle(request, &post);
                        }
                        None => {
                            if let Some(config) = backups.take_due(std::time::Instant::now()) {
                                state.back_up(&config, &post);
                            }
                            continue;
                        }
                    }
                    post(Event::Done);
                }
            })
            .expect("cannot start the store thread");
        Worker {
            requests: request_tx,
            events: event_rx,
            pending: 0,
        }
    }

    pub fn send(&mut self, request: Request) {
        if self.requests.send(request).is_ok() {
            self.pending += 1;
        }
    }

    /// True while requests are being worked on (the UI shows a spinner).
    pub fn busy(&self) -> bool {
        self.pending > 0
    }

    /// The next event, if one is ready.
    pub fn try_recv(&mut self) -> Option<Event> {
        let event = self.events.try_recv().ok()?;
        self.count(&event);
        Some(event)
    }

    /// Waits for the next event, up to `timeout` (used by tests to let the worker finish).
    #[cfg(test)]
    pub fn recv_timeout(&mut self, timeout: Duration) -> Option<Event> {
        match self.events.recv_timeout(timeout) {
            Ok(event) => {
                self.count(&event);
                Some(event)
            }
            Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => None,
        }
    }

    fn count(&mut self, event: &Event) {
        if matches!(event, Event::Done) {
            self.pending = self.pending.saturating_sub(1);
        }
    }

    /// Time left until `deadline`, for waiting loops.
    #[cfg(test)]
    pub fn until(deadline: Instant) -> Duration {
        deadline.saturating_duration_since(Instant::now())
    }
}

/// Whether a request changes what a backup holds (names, secrets, counters, which accounts),
/// or how it is sealed (a new passphrase: the first backup after turning them on).
fn changes_accounts(request: &Request) -> bool {
    matches!(
        request,
        Request::AutoBackupPassphrase(Some(_))
            | Request::Add(_)
            | Request::Remove(_)
            | Request::Edit { .. }
            | Request::Import(_)
            | Request::Reenrol { .. }
            | Request::AdvanceCounter(_)
    )
}
