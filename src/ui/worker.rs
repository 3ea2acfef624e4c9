//! Slow library calls (keychain, files) run on this thread; results come back as events and
//! wake the UI. The UI never blocks on the keychain.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
#[cfg(test)]
use std::sync::mpsc::RecvTimeoutError;
use std::sync::mpsc::{self, Receiver, Sender};
#[cfg(test)]
use std::time::{Duration, Instant};

use kunci::accounts::{Account, AccountId};
use kunci::otp::{OtpUri, Secret};
use kunci::settings::Settings;
use kunci::store::auto_backup::{self, AutoBackupError};
use kunci::store::{
    DataDir, Existing, Keychain, KeychainError, LoadProblem, MoveError, MoveReport, SecretStore,
    Store, StoreError, Vault, VaultError, move_to_keychain, move_to_vault,
};
use zeroize::Zeroizing;

use super::vault_dialog;
use super::vault_move::Place;
use crate::i18n::{Language, Localize};

/// Opens the store (connects to the keychain, reads the metadata). Called again on "try again".
pub type Opener = Arc<dyn Fn() -> Result<(Store, Vec<LoadProblem>), OpenError> + Send + Sync>;

/// Why the store could not be opened.
#[derive(Debug)]
pub enum OpenError {
    /// The system names no data directory for this user.
    NoDataDir,
    /// The secrets are in the encrypted vault, which has not been unlocked yet.
    VaultLocked,
    Store(StoreError),
}

impl From<StoreError> for OpenError {
    fn from(e: StoreError) -> Self {
        OpenError::Store(e)
    }
}

impl From<KeychainError> for OpenError {
    fn from(e: KeychainError) -> Self {
        OpenError::Store(e.into())
    }
}

impl Localize for OpenError {
    fn localize(&self, lang: Language) -> String {
        match self {
            OpenError::NoDataDir => tr!(lang, "ui.worker.no_data_dir"),
            OpenError::VaultLocked => tr!(lang, "vault.ui.locked"),
            OpenError::Store(e) => e.localize(lang),
        }
    }
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
    /// The secrets moved, but the automatic backups' passphrase could not follow them.
    BackupPassphraseLeft(AutoBackupError),
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
            Notice::AutoBackup(e) => super::protect_settings::auto_backup_failed(lang, e),
            Notice::Move(e) => tr!(lang, "vault.move.failed", detail = e.localize(lang)),
            Notice::BackupPassphraseLeft(e) => {
                let detail = match e {
                    AutoBackupError::Store(e) => e.localize(lang),
                    other => other.to_string(),
                };
                tr!(lang, "vault.move.backup_passphrase_left", detail = detail)
            }
        }
    }
}

/// Secrets read at start-up go to the window this many at a time, or sooner after
/// [`SECRET_BATCH_WAIT`].
const SECRET_BATCH: usize = 32;
/// Secrets read at once when the store opens.
const SECRET_READERS: usize = 4;
const SECRET_BATCH_WAIT: std::time::Duration = std::time::Duration::from_millis(50);

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
    /// Keeps (`Some`) or forgets the automatic backups' passphrase, in the keychain or vault.
    AutoBackupPassphrase(Option<Zeroizing<String>>),
    /// Where the secrets of this data directory are kept now, and whether a keychain is
    /// reachable (`Event::Place`).
    CheckPlace(DataDir),
    /// Moves every secret from the keychain into a new vault under this passphrase, then
    /// uses the vault.
    MoveToVault(Zeroizing<String>),
    /// Moves every secret from the (unlocked) vault into the keychain, then uses the keychain.
    MoveToKeychain,
}

/// What the worker reports.
pub enum Event {
    /// The store is open; secrets follow in batches.
    Opened {
        accounts: Vec<Account>,
        notices: Vec<Notice>,
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
    /// Where the secrets are kept (after `CheckPlace`, and after a move).
    Place(Place),
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
                let mut store: Option<Store> = None;
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
                            handle(&opener, &mut store, request, &post);
                        }
                        None => {
                            if let Some(config) = backups.take_due(std::time::Instant::now()) {
                                auto_back_up(store.as_ref(), &config, &post);
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

/// Writes an automatic backup of every account now, and says how it went.
fn auto_back_up(store: Option<&Store>, config: &auto_backup::Config, post: &dyn Fn(Event)) {
    let Some(store) = store else {
        return;
    };
    let at = chrono::Utc::now().timestamp();
    match auto_backup::back_up(store, &config.folder, config.keep, at) {
        Ok(_) => post(Event::BackedUp { at }),
        Err(e) => post(Event::Failed(Notice::AutoBackup(e))),
    }
}

fn handle(opener: &Opener, store: &mut Option<Store>, request: Request, post: &dyn Fn(Event)) {
    let words = Notice::Store;
    match request {
        Request::Open => publish(opener(), store, post),
        Request::Add(uri) => match store.as_mut() {
            Some(s) => match s.add(&uri) {
                Ok(account) => post(Event::Added {
                    account,
                    secret: uri.secret.clone(),
                }),
                Err(e) => post(Event::AddFailed(words(e))),
            },
            None => post(Event::AddFailed(Notice::NotOpen)),
        },
        Request::Remove(id) => match store.as_mut().map(|s| s.remove(&id)) {
            Some(Ok(_)) => post(Event::Removed(id)),
            Some(Err(e)) => post(Event::Failed(words(e))),
            None => post(Event::Failed(Notice::NotOpen)),
        },
        Request::Edit {
            id,
            issuer,
            label,
            note,
        } => {
            let edited = store.as_mut().map(|s| s.edit(&id, &issuer, &label, &note));
            match edited {
                Some(Ok(account)) => post(Event::Updated(account)),
                Some(Err(e)) => post(Event::Failed(words(e))),
                None => post(Event::Failed(Notice::NotOpen)),
            }
        }
        Request::SetPinned { id, pinned } => {
            match store.as_mut().map(|s| s.set_pinned(&id, pinned)) {
                Some(Ok(account)) => post(Event::Updated(account)),
                Some(Err(e)) => post(Event::Failed(words(e))),
                None => post(Event::Failed(Notice::NotOpen)),
            }
        }
        Request::Move { id, position } => match store.as_mut() {
            Some(s) => match s.move_account(&id, position) {
                Ok(order) => post(Event::Reordered(order)),
                Err(e) => {
                    post(Event::Failed(words(e)));
                    // The window moved the row already: show the order that is on disk.
                    if s.reload().is_ok() {
                        post(Event::Reordered(
                            s.accounts().iter().map(|a| a.id.clone()).collect(),
                        ));
                    }
                }
            },
            None => post(Event::Failed(Notice::NotOpen)),
        },
        Request::Import(uris) => match store.as_mut() {
            Some(s) => {
                let mut added = 0;
                let mut notes = Vec::new();
                for (uri, extras) in uris {
                    match s.existing(&uri) {
                        Existing::Duplicate(a) => {
                            notes.push(Notice::AlreadyThere(a.display_name()))
                        }
                        Existing::NewSecret(a) => notes.push(Notice::OtherSecret(a.display_name())),
                        Existing::New => match s.add_with(&uri, &extras) {
                            Ok(account) => {
                                added += 1;
                                post(Event::Added {
                                    account,
                                    secret: uri.secret.clone(),
                                });
                            }
                            Err(e) => notes.push(words(e)),
                        },
                    }
                }
                post(Event::Imported { added, notes });
            }
            None => post(Event::Failed(Notice::NotOpen)),
        },
        Request::Reenrol { id, uri } => match store.as_mut().map(|s| s.reenrol(&id, &uri)) {
            Some(Ok(account)) => post(Event::Reenrolled {
                account,
                secret: uri.secret.clone(),
            }),
            Some(Err(e)) => post(Event::Failed(words(e))),
            None => post(Event::Failed(Notice::NotOpen)),
        },
        Request::AutoBackupPassphrase(passphrase) => match store.as_ref() {
            Some(s) => {
                let passphrase = passphrase.as_deref().map(String::as_str);
                if let Err(e) = auto_backup::set_passphrase(s, passphrase) {
                    post(Event::Failed(Notice::AutoBackup(e)));
                }
            }
            None => post(Event::Failed(Notice::NotOpen)),
        },
        Request::CheckPlace(dir) => post(Event::Place(place_of(&dir))),
        Request::MoveToVault(passphrase) => move_secrets(store, Some(passphrase), post),
        Request::MoveToKeychain => move_secrets(store, None, post),
        // Taken by the loop (it owns the schedule); never reaches here.
        Request::AutoBackup(_) => {}
        Request::SaveSettings { dir, settings } => {
            if let Err(e) = settings.save(&dir) {
                post(Event::Failed(Notice::SettingsNotSaved(e)));
            }
        }
        Request::AdvanceCounter(id) => match store.as_mut().map(|s| s.advance_counter(&id)) {
            Some(Ok(account)) => post(Event::Updated(account)),
            Some(Err(e)) => post(Event::Failed(words(e))),
            None => post(Event::Failed(Notice::NotOpen)),
        },
    }
}

/// Takes in a store just opened: finishes interrupted adds and removals, tells the window the
/// accounts, then their secrets in batches, and keeps it for the requests that follow.
fn publish(
    opened: Result<(Store, Vec<LoadProblem>), OpenError>,
    store: &mut Option<Store>,
    post: &dyn Fn(Event),
) {
    match opened {
        Ok((mut opened, problems)) => {
            let mut notices: Vec<Notice> = problems.into_iter().map(Notice::Load).collect();
            match opened.reconcile() {
                Ok(r) => {
                    for account in &r.recovered {
                        notices.push(Notice::Recovered(account.display_name()));
                    }
                    if r.finished_removals > 0 {
                        notices.push(Notice::FinishedRemovals(r.finished_removals));
                    }
                }
                Err(e) => notices.push(Notice::ReconcileFailed(e)),
            }
            let accounts = opened.accounts().as_slice().to_vec();
            post(Event::Opened {
                accounts: accounts.clone(),
                notices,
            });
            // Several readers at once: each read is a round trip to the keychain service,
            // and their waits overlap. In list order (the rows in view first), in batches:
            // one event (and repaint) per account would make 500 accounts 500 frames; a
            // batch at least every 50 ms still fills codes in as they come.
            let next = AtomicUsize::new(0);
            let (found, arrived) = mpsc::channel();
            std::thread::scope(|scope| {
                for _ in 0..SECRET_READERS.min(accounts.len()) {
                    let (next, found, opened, accounts) =
                        (&next, found.clone(), &opened, &accounts);
                    scope.spawn(move || {
                        while let Some(account) = accounts.get(next.fetch_add(1, Ordering::Relaxed))
                        {
                            let secret = opened.secret(&account.id);
                            if found.send((account.id.clone(), secret)).is_err() {
                                return;
                            }
                        }
                    });
                }
                drop(found);
                let mut batch = Vec::new();
                let mut flushed = std::time::Instant::now();
                for read in arrived {
                    batch.push(read);
                    if batch.len() >= SECRET_BATCH || flushed.elapsed() >= SECRET_BATCH_WAIT {
                        post(Event::Secrets(std::mem::take(&mut batch)));
                        flushed = std::time::Instant::now();
                    }
                }
                if !batch.is_empty() {
                    post(Event::Secrets(batch));
                }
            });
            *store = Some(opened);
        }
        Err(why) => post(Event::Unavailable(why)),
    }
}

/// Where the secrets of `dir` are kept; with the vault, whether a keychain answers (then
/// they can move back).
fn place_of(dir: &DataDir) -> Place {
    if Vault::exists(dir) {
        Place::Vault {
            path: Vault::path(dir),
            keychain: Keychain::connect().is_ok(),
        }
    } else {
        Place::Keychain
    }
}

/// Moves every secret into a new vault (`Some(passphrase)`) or back into the keychain (the
/// library's crash-safe moves), opens the store again on them, so that every later request
/// uses the new place, and carries the automatic backups' passphrase along.
fn move_secrets(
    store: &mut Option<Store>,
    to_vault: Option<Zeroizing<String>>,
    post: &dyn Fn(Event),
) {
    let Some(old) = store.as_ref() else {
        post(Event::MoveFailed(Notice::NotOpen));
        return;
    };
    let dir = old.data_dir().clone();
    let was_vault = Vault::exists(&dir);
    // Read before the move: a vault moved out of is gone afterwards.
    let backup_passphrase = auto_backup::passphrase(old);
    let result: Result<MoveReport, MoveError> = match &to_vault {
        Some(_) if was_vault => Err(VaultError::Exists {
            path: Vault::path(&dir),
        }
        .into()),
        // The store is on the keychain (there is no vault file): its secrets are the ones.
        Some(passphrase) => match move_to_vault(&dir, old.secret_store().0, passphrase) {
            Ok((vault, report)) => {
                vault_dialog::keep(dir.clone(), Arc::new(vault));
                Ok(report)
            }
            Err(e) => {
                // Stopped after the switch (deleting from the keychain): the vault holds
                // every secret and is the choice now.
                if Vault::exists(&dir)
                    && let Ok(vault) = Vault::unlock(&dir, passphrase)
                {
                    vault_dialog::keep(dir.clone(), Arc::new(vault));
                }
                Err(e)
            }
        },
        None => match vault_dialog::unlocked(&dir).filter(|_| was_vault) {
            None => Err(VaultError::Missing {
                dir: dir.root().to_path_buf(),
            }
            .into()),
            Some(vault) => Keychain::connect()
                .map_err(MoveError::from)
                .and_then(|keychain| move_to_keychain(&dir, &vault, &keychain)),
        },
    };
    if Vault::exists(&dir) != was_vault {
        // The switch was made (even when the move stopped after it): use the new place.
        let secrets: Result<Arc<dyn SecretStore>, OpenError> = if was_vault {
            vault_dialog::forget(&dir);
            Keychain::connect()
                .map(|k| Arc::new(k) as Arc<dyn SecretStore>)
                .map_err(OpenError::from)
        } else {
            vault_dialog::unlocked(&dir)
                .map(|v| v as Arc<dyn SecretStore>)
                .ok_or(OpenError::VaultLocked)
        };
        let old = store.take();
        let opened = secrets.and_then(|secrets| Ok(Store::open(dir.clone(), secrets)?));
        publish(opened, store, post);
        let carried = match backup_passphrase {
            Ok(Some(passphrase)) => {
                carry_backup_passphrase(old, store.as_ref(), &passphrase, !was_vault)
            }
            // Automatic backups are off.
            Ok(None) => Ok(()),
            Err(e) => Err(e),
        };
        if let Err(e) = carried {
            post(Event::Failed(Notice::BackupPassphraseLeft(e)));
        }
    }
    post(Event::Place(place_of(&dir)));
    match result {
        Ok(report) => post(Event::Moved {
            to_vault: !was_vault,
            report,
        }),
        Err(e) => post(Event::MoveFailed(Notice::Move(e))),
    }
}

/// Puts the automatic backups' passphrase where the secrets are now, then deletes it from the
/// keychain they came from (a vault moved out of was deleted with it).
fn carry_backup_passphrase(
    old: Option<Store>,
    new: Option<&Store>,
    passphrase: &str,
    from_keychain: bool,
) -> Result<(), AutoBackupError> {
    // Not opened on the new place (the window says why): the passphrase stays where it was,
    // and the next automatic backup's notice says to turn them off and on again.
    let Some(new) = new else {
        return Ok(());
    };
    auto_backup::set_passphrase(new, Some(passphrase))?;
    if from_keychain && let Some(old) = old {
        auto_backup::set_passphrase(&old, None)?;
    }
    Ok(())
}
