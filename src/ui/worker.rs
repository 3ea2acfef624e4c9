//! Slow library calls (keychain, files) run on this thread; results come back as events and
//! wake the UI. The UI never blocks on the keychain.

use std::sync::Arc;
#[cfg(test)]
use std::sync::mpsc::RecvTimeoutError;
use std::sync::mpsc::{self, Receiver, Sender};
#[cfg(test)]
use std::time::{Duration, Instant};

use kunci::accounts::{Account, AccountId};
use kunci::otp::{OtpUri, Secret};
use kunci::settings::Settings;
use kunci::store::{DataDir, Existing, LoadProblem, Store, StoreError};

/// Opens the store (connects to the keychain, reads the metadata). Called again on "try again".
pub type Opener = Arc<dyn Fn() -> Result<(Store, Vec<LoadProblem>), String> + Send + Sync>;

/// What the UI asks for.
pub enum Request {
    Open,
    Add(OtpUri),
    Remove(AccountId),
    Rename {
        id: AccountId,
        issuer: String,
        label: String,
    },
    AdvanceCounter(AccountId),
    SaveSettings {
        dir: DataDir,
        settings: Settings,
    },
    /// Accounts picked from a Google Authenticator export; duplicates are skipped.
    Import(Vec<OtpUri>),
    /// A new secret for an existing account.
    Reenrol {
        id: AccountId,
        uri: OtpUri,
    },
}

/// What the worker reports.
pub enum Event {
    /// The store is open; secrets follow one by one.
    Opened {
        accounts: Vec<Account>,
        notices: Vec<String>,
    },
    /// The store could not be opened (no keychain, unreadable data directory).
    Unavailable(String),
    Secret {
        id: AccountId,
        result: Result<Secret, String>,
    },
    Added {
        account: Account,
        secret: Secret,
    },
    AddFailed(String),
    Removed(AccountId),
    Updated(Account),
    /// The secret (and parameters) of an account were replaced.
    Reenrolled {
        account: Account,
        secret: Secret,
    },
    /// An import finished: how many were added (each also came as `Added`), and notes.
    Imported {
        added: usize,
        notes: Vec<String>,
    },
    Failed(String),
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
                for request in request_rx {
                    handle(&opener, &mut store, request, &post);
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

fn handle(opener: &Opener, store: &mut Option<Store>, request: Request, post: &dyn Fn(Event)) {
    let words = |e: StoreError| e.to_string();
    match request {
        Request::Open => match opener() {
            Ok((mut opened, problems)) => {
                let mut notices: Vec<String> = problems.iter().map(ToString::to_string).collect();
                match opened.reconcile() {
                    Ok(r) => {
                        for account in &r.recovered {
                            notices.push(format!(
                                "{} was recovered from the keychain (adding it had been interrupted).",
                                account.display_name()
                            ));
                        }
                        if r.finished_removals > 0 {
                            notices.push(format!(
                                "{} interrupted removal(s) were completed.",
                                r.finished_removals
                            ));
                        }
                    }
                    Err(e) => notices.push(format!("Could not check the keychain: {e}")),
                }
                let accounts = opened.accounts().as_slice().to_vec();
                post(Event::Opened {
                    accounts: accounts.clone(),
                    notices,
                });
                for account in accounts {
                    let result = opened.secret(&account.id).map_err(words);
                    post(Event::Secret {
                        id: account.id,
                        result,
                    });
                }
                *store = Some(opened);
            }
            Err(why) => post(Event::Unavailable(why)),
        },
        Request::Add(uri) => match store.as_mut() {
            Some(s) => match s.add(&uri) {
                Ok(account) => post(Event::Added {
                    account,
                    secret: uri.secret.clone(),
                }),
                Err(e) => post(Event::AddFailed(words(e))),
            },
            None => post(Event::AddFailed("the keychain is not open".into())),
        },
        Request::Remove(id) => match store.as_mut().map(|s| s.remove(&id)) {
            Some(Ok(_)) => post(Event::Removed(id)),
            Some(Err(e)) => post(Event::Failed(words(e))),
            None => post(Event::Failed("the keychain is not open".into())),
        },
        Request::Rename { id, issuer, label } => {
            match store.as_mut().map(|s| s.rename(&id, &issuer, &label)) {
                Some(Ok(account)) => post(Event::Updated(account)),
                Some(Err(e)) => post(Event::Failed(words(e))),
                None => post(Event::Failed("the keychain is not open".into())),
            }
        }
        Request::Import(uris) => match store.as_mut() {
            Some(s) => {
                let mut added = 0;
                let mut notes = Vec::new();
                for uri in uris {
                    match s.existing(&uri) {
                        Existing::Duplicate(a) => {
                            notes.push(format!("{} is already there.", a.display_name()))
                        }
                        Existing::NewSecret(a) => notes.push(format!(
                            "{} is already there with another secret; scan its own QR code to \
                             re-enrol it.",
                            a.display_name()
                        )),
                        Existing::New => match s.add(&uri) {
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
            None => post(Event::Failed("the keychain is not open".into())),
        },
        Request::Reenrol { id, uri } => match store.as_mut().map(|s| s.reenrol(&id, &uri)) {
            Some(Ok(account)) => post(Event::Reenrolled {
                account,
                secret: uri.secret.clone(),
            }),
            Some(Err(e)) => post(Event::Failed(words(e))),
            None => post(Event::Failed("the keychain is not open".into())),
        },
        Request::SaveSettings { dir, settings } => {
            if let Err(e) = settings.save(&dir) {
                post(Event::Failed(format!("The settings were not saved: {e}")));
            }
        }
        Request::AdvanceCounter(id) => match store.as_mut().map(|s| s.advance_counter(&id)) {
            Some(Ok(account)) => post(Event::Updated(account)),
            Some(Err(e)) => post(Event::Failed(words(e))),
            None => post(Event::Failed("the keychain is not open".into())),
        },
    }
}
