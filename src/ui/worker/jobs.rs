//! What the worker does with each request: the store's calls, opening it where the secrets
//! are (with the vault the window unlocked), streaming the secrets to the window, the moves
//! between the keychain and the vault, and the automatic backups.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;

use kunci::export::auto_backup;
use kunci::import::plan::{Fate, plan};
use kunci::store::{
    DataDir, Keychain, LoadProblem, MoveError, MoveReport, OpenError, SecretsLocation, Store,
    Vault, VaultError, move_to_keychain, move_to_vault,
};
use zeroize::Zeroizing;

use super::{Event, LocationReport, Notice, Opener, Request};

/// Secrets read at start-up go to the window this many at a time, or sooner after
/// [`SECRET_BATCH_WAIT`].
const SECRET_BATCH: usize = 32;
/// Secrets read at once when the store opens.
const SECRET_READERS: usize = 4;
const SECRET_BATCH_WAIT: std::time::Duration = std::time::Duration::from_millis(50);

/// What the worker thread owns: the store once open, and the vault the window unlocked (the
/// only holder of it: no registry elsewhere).
pub(super) struct State {
    opener: Opener,
    store: Option<Store>,
    vault: Option<Arc<Vault>>,
}

impl State {
    pub(super) fn new(opener: Opener) -> Self {
        State {
            opener,
            store: None,
            vault: None,
        }
    }

    /// Opens the store where its secrets are, and tells the window.
    fn open(&mut self, post: &dyn Fn(Event)) {
        let opened = (self.opener)(self.vault.clone());
        reconcile_and_stream(opened, &mut self.store, post);
    }

    /// Writes an automatic backup of every account now, and says how it went.
    pub(super) fn back_up(&self, config: &auto_backup::Config, post: &dyn Fn(Event)) {
        let Some(store) = &self.store else {
            return;
        };
        let at = chrono::Utc::now().timestamp();
        match auto_backup::back_up(store, &config.folder, config.keep, at) {
            Ok(done) => {
                if !done.pruned.future.is_empty() {
                    post(Event::Failed(Notice::FutureBackups {
                        folder: config.folder.clone(),
                        count: done.pruned.future.len(),
                    }));
                }
                post(Event::BackedUp { at })
            }
            Err(e) => post(Event::Failed(Notice::AutoBackup(e))),
        }
    }

    pub(super) fn handle(&mut self, request: Request, post: &dyn Fn(Event)) {
        let words = Notice::Store;
        let store = &mut self.store;
        match request {
            Request::Open => self.open(post),
            Request::UseVault(vault) => {
                self.vault = Some(vault);
                self.open(post);
            }
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
                    // Decided again here, against the store as it is now (another process may
                    // have added some since the window showed its preview), the library's way.
                    let (uris, extras): (Vec<_>, Vec<_>) = uris.into_iter().unzip();
                    let planned = plan(uris, |uri| s.existing(uri));
                    for (planned, extras) in planned.into_iter().zip(extras) {
                        match planned.fate {
                            Fate::New => match s.add_with(&planned.uri, &extras) {
                                Ok(account) => {
                                    added += 1;
                                    post(Event::Added {
                                        account,
                                        secret: planned.uri.secret.clone(),
                                    });
                                }
                                Err(e) => notes.push(words(e)),
                            },
                            Fate::AlreadyThere(a) => {
                                notes.push(Notice::AlreadyThere(a.display_name()))
                            }
                            Fate::OtherSecret(a) => {
                                notes.push(Notice::OtherSecret(a.display_name()))
                            }
                            // Added once, the first time the picked list names it.
                            Fate::RepeatedInFile => {}
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
                    if let Err(e) = s.set_backup_passphrase(passphrase) {
                        post(Event::Failed(Notice::AutoBackup(e.into())));
                    }
                }
                None => post(Event::Failed(Notice::NotOpen)),
            },
            Request::CheckLocation(dir) => post(Event::LocationReport(location_report(&dir))),
            Request::MoveToVault(passphrase) => self.move_secrets(Some(passphrase), post),
            Request::MoveToKeychain => self.move_secrets(None, post),
            Request::RecoverList(vault) => match store.as_mut().map(|s| s.recover_list(&vault)) {
                Some(Ok((added, _))) => {
                    let count = added.len();
                    for account in added {
                        match store.as_ref().map(|s| s.secret(&account.id)) {
                            Some(Ok(secret)) => post(Event::Added { account, secret }),
                            _ => post(Event::Updated(account)),
                        }
                    }
                    post(Event::Imported {
                        added: count,
                        notes: Vec::new(),
                    });
                }
                Some(Err(e)) => post(Event::Failed(words(e))),
                None => post(Event::Failed(Notice::NotOpen)),
            },
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

    /// Moves every secret into a new vault (`Some(passphrase)`) or back into the keychain
    /// (the library's crash-safe moves, which carry the automatic backups' passphrase too),
    /// then opens the store again on them, so that every later request uses the new place.
    fn move_secrets(&mut self, to_vault: Option<Zeroizing<String>>, post: &dyn Fn(Event)) {
        let Some(old) = self.store.as_ref() else {
            post(Event::MoveFailed(Notice::NotOpen));
            return;
        };
        let dir = old.data_dir().clone();
        let was_vault = Vault::exists(&dir);
        let result: Result<MoveReport, MoveError> = match &to_vault {
            Some(_) if was_vault => Err(VaultError::Exists {
                path: Vault::path(&dir),
            }
            .into()),
            Some(passphrase) => match Keychain::connect() {
                Err(e) => Err(e.into()),
                Ok(keychain) => match move_to_vault(&dir, &keychain, passphrase) {
                    Ok((vault, report)) => {
                        self.vault = Some(Arc::new(vault));
                        Ok(report)
                    }
                    Err(e) => {
                        // Stopped after the switch (deleting from the keychain): the vault
                        // holds every secret and is the choice now.
                        if Vault::exists(&dir)
                            && let Ok(vault) = Vault::unlock(&dir, passphrase)
                        {
                            self.vault = Some(Arc::new(vault));
                        }
                        Err(e)
                    }
                },
            },
            None => match self.vault.clone().filter(|_| was_vault) {
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
            if was_vault {
                self.vault = None;
            }
            self.store = None;
            self.open(post);
        }
        post(Event::LocationReport(location_report(&dir)));
        match result {
            Ok(report) => post(Event::Moved {
                to_vault: !was_vault,
                report,
            }),
            Err(e) => post(Event::MoveFailed(Notice::Move(e))),
        }
    }
}

/// Takes in a store just opened: finishes interrupted adds and removals, tells the window the
/// accounts, then their secrets in batches, and keeps it for the requests that follow.
fn reconcile_and_stream(
    opened: Result<(Store, Vec<LoadProblem>), OpenError>,
    store: &mut Option<Store>,
    post: &dyn Fn(Event),
) {
    match opened {
        Ok((mut opened, problems)) => {
            let mut notices: Vec<Notice> = problems.into_iter().map(Notice::Load).collect();
            // With the keychain's listing, every secret it gives in the same exchange (the
            // Secret Service on Linux): 500 accounts' codes in one frame. What it left out, or
            // everything when it failed, is read one by one below.
            let at_once = match opened.reconcile_and_read() {
                Ok((r, at_once)) => {
                    for account in &r.recovered {
                        notices.push(Notice::Recovered(account.display_name()));
                    }
                    if r.finished_removals > 0 {
                        notices.push(Notice::FinishedRemovals(r.finished_removals));
                    }
                    if let Some(e) = r.one_exchange_failed {
                        eprintln!("kunci: reading the secrets at once failed ({e}); one by one");
                    }
                    at_once
                }
                Err(e) => {
                    notices.push(Notice::ReconcileFailed(e));
                    opened.secrets_at_once().unwrap_or_default()
                }
            };
            let accounts = opened.accounts().as_slice().to_vec();
            let earlier = opened.earlier_lists().unwrap_or_default();
            post(Event::Opened {
                accounts: accounts.clone(),
                notices,
                earlier,
            });
            let accounts: Vec<_> = accounts
                .into_iter()
                .filter(|a| !at_once.contains_key(&a.id))
                .collect();
            if !at_once.is_empty() {
                post(Event::Secrets(
                    at_once.into_iter().map(|(id, s)| (id, Ok(s))).collect(),
                ));
            }
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

/// Where the secrets of `dir` are kept, and whether a keychain answers (then secrets in the
/// vault can move back).
fn location_report(dir: &DataDir) -> LocationReport {
    LocationReport {
        location: SecretsLocation::of(dir),
        keychain_answers: Keychain::connect().is_ok(),
    }
}
