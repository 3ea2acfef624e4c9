//! Wayland: the XDG GlobalShortcuts portal (ashpd over async-io: no tokio). The desktop binds
//! the keys and tells us when they are pressed; it may first ask the user, who may choose
//! other keys. Nothing here runs on this project's test machines (no compositor there); it is
//! compiled and type-checked with the rest.

use std::sync::{Arc, Mutex, PoisonError};

use ashpd::desktop::global_shortcuts::{GlobalShortcuts, NewShortcut};
use futures_lite::StreamExt as _;

use super::{HotkeyError, HotkeyEvent, HotkeyHandler, HotkeyStatus, HotkeyVia};
use crate::desktop::shortcut::Shortcut;

const SHORTCUT_ID: &str = "quick-pick";
const APP_ID: &str = "id.kunci.Kunci";

/// The portal session, on a thread of its own; dropping this closes the session.
pub struct Session {
    stop: async_channel::Sender<()>,
}

impl Session {
    pub fn start(
        shortcut: Shortcut,
        status: Arc<Mutex<HotkeyStatus>>,
        handler: HotkeyHandler,
    ) -> Session {
        let (stop, stopped) = async_channel::bounded::<()>(1);
        let set = {
            let (status, handler) = (status.clone(), handler.clone());
            move |now: HotkeyStatus| {
                *status.lock().unwrap_or_else(PoisonError::into_inner) = now;
                handler(HotkeyEvent::StatusChanged);
            }
        };
        let spawned = std::thread::Builder::new()
            .name("kunci-shortcut-portal".into())
            .spawn(move || {
                // ashpd asserts on some answers a broken portal could give: never let that
                // take more than this thread.
                let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    async_io::block_on(listen(shortcut, &set, &handler, stopped))
                }));
                match outcome {
                    Ok(Ok(())) => {}
                    Ok(Err(e)) => set(HotkeyStatus::Unavailable(e)),
                    Err(_) => set(HotkeyStatus::Unavailable(HotkeyError::Failed(
                        "the desktop portal gave an answer Kunci cannot use".into(),
                    ))),
                }
            });
        if let Err(e) = spawned {
            *status.lock().unwrap_or_else(PoisonError::into_inner) =
                HotkeyStatus::Unavailable(HotkeyError::Failed(e.to_string()));
        }
        Session { stop }
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        let _ = self.stop.try_send(());
    }
}

fn explain(e: ashpd::Error) -> HotkeyError {
    match e {
        ashpd::Error::Response(ashpd::desktop::ResponseError::Cancelled) => HotkeyError::Refused,
        ashpd::Error::PortalNotFound(_) | ashpd::Error::RequiresVersion(..) => {
            HotkeyError::NoPortal(e.to_string())
        }
        ashpd::Error::Zbus(ref z) if z.to_string().contains("ServiceUnknown") => {
            HotkeyError::NoPortal(e.to_string())
        }
        other => HotkeyError::Failed(other.to_string()),
    }
}

async fn listen(
    shortcut: Shortcut,
    set: &(dyn Fn(HotkeyStatus) + Send + Sync),
    handler: &HotkeyHandler,
    stopped: async_channel::Receiver<()>,
) -> Result<(), HotkeyError> {
    // A program that is not a Flatpak says who it is before the portal keeps its shortcuts
    // (xdg-desktop-portal 1.19+; older ones have no registry, which is fine).
    if let Ok(id) = APP_ID.try_into() {
        let _ = ashpd::register_host_app(id).await;
    }
    let portal = GlobalShortcuts::new().await.map_err(explain)?;
    // Listening before binding, so that no press is missed.
    let mut activated = portal.receive_activated().await.map_err(explain)?;
    let session = portal
        .create_session(Default::default())
        .await
        .map_err(explain)?;
    let wanted = [NewShortcut::new(SHORTCUT_ID, "Quick pick a one-time code")
        .preferred_trigger(shortcut.portal_trigger().as_str())];
    let bound = portal
        .bind_shortcuts(&session, &wanted, None, Default::default())
        .await
        .map_err(explain)?
        .response()
        .map_err(explain)?;
    match bound.shortcuts().iter().find(|s| s.id() == SHORTCUT_ID) {
        Some(ours) => set(HotkeyStatus::Active {
            trigger: ours.trigger_description().to_string(),
            via: HotkeyVia::Portal,
        }),
        None => return Err(HotkeyError::Refused),
    }
    loop {
        let next = futures_lite::future::or(async { activated.next().await.map(Some) }, async {
            let _ = stopped.recv().await;
            Some(None)
        })
        .await;
        match next {
            Some(Some(event)) if event.shortcut_id() == SHORTCUT_ID => {
                handler(HotkeyEvent::Pressed)
            }
            Some(Some(_)) => {}
            // Asked to stop, or the portal went away.
            Some(None) | None => break,
        }
    }
    let _ = session.close().await;
    Ok(())
}
