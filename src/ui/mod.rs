//! The window: egui over the same library as the command line, drawn on the CPU (`soft`) or, with
//! `KUNCI_RENDERER=opengl`, by eframe.

mod account_dialogs;
mod account_list;
mod account_row;
mod add_dialog;
mod app;
mod backup_reminder;
mod cheap_frames;
mod clipboard;
mod clock;
mod clock_panel;
mod clock_worker;
mod command;
mod countdown;
mod export_dialog;
mod help;
mod import_dialog;
mod job;
#[cfg(test)]
mod list_tests;
mod lock;
mod passphrase;
mod picker;
mod protect_settings;
#[cfg(test)]
mod protect_tests;
mod qr_dialog;
mod qr_view;
mod quick;
mod quick_settings;
#[cfg(test)]
mod quick_tests;
mod redraw;
mod reenrol_dialog;
mod scan_dialog;
mod settings_dialog;
#[cfg(test)]
mod settings_tests;
mod soft;
mod startup_trace;
#[cfg(test)]
mod test_support;
#[cfg(test)]
mod transfer_tests;
#[cfg(test)]
mod translation_tests;
mod vault_dialog;
mod vault_move;
#[cfg(test)]
mod vault_move_tests;
mod worker;

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

pub use app::{KunciApp, Setup, system_clock};
use quick::{QuickAccess, QuickEvent};
pub use worker::Opener;

use kunci::desktop::Autostart;
use kunci::instance::{self, InstanceError, Primary, SignalError, WindowRequest};
use kunci::settings::Settings;
use kunci::store::DataDir;

use crate::i18n::Localize;

/// The window's size when it opens, in points (the tests draw it at this size too).
pub const DEFAULT_SIZE: [f32; 2] = [480.0, 640.0];

/// Opens the real store: the data directory with its secrets in the encrypted vault when
/// that is the choice (once the vault dialog has unlocked it), else in the platform keychain.
pub fn default_opener() -> Opener {
    Arc::new(kunci::store::Store::open_default)
}

/// The real clock, keychain, data directory and settings.
fn default_setup() -> Setup {
    let data_dir = DataDir::from_env();
    let (settings, problem) = match &data_dir {
        Some(dir) => Settings::load(dir),
        None => (Settings::default(), None),
    };
    let lang = settings.language();
    Setup {
        opener: default_opener(),
        clock: system_clock(),
        notices: problem.iter().map(|p| p.localize(lang)).collect(),
        settings,
        data_dir,
    }
}

/// How the window starts.
#[derive(Debug, Clone, Copy, Default)]
pub struct Start {
    /// Hidden in the tray (or minimised): started with the system.
    pub minimized: bool,
    /// With the quick picker up (`kunci pick` when no window ran).
    pub pick: bool,
}

/// Opens the window and runs until it is closed; or, when Kunci's window is already open on
/// this data directory, brings that one to the front instead of opening a second writer.
pub fn run(start: Start) -> ExitCode {
    let instance = match DataDir::from_env().map(|dir| (Primary::acquire(&dir), dir)) {
        Some((Ok(primary), _)) => Some(primary),
        Some((Err(InstanceError::AlreadyRunning { .. }), dir)) => {
            // Started with the system while a window runs already: nothing to do.
            if start.minimized {
                return ExitCode::SUCCESS;
            }
            let request = if start.pick {
                WindowRequest::Pick
            } else {
                WindowRequest::Show
            };
            return ask_running_window(&dir, request);
        }
        // The store's own write lock still keeps the account list whole.
        Some((Err(e), _)) => {
            eprintln!("kunci: {e}; a second window would not be noticed");
            None
        }
        None => None,
    };
    // The app id is the desktop file's name (and its StartupWMClass), so that
    // Wayland and X11 desktops match the window to id.kunci.Kunci.desktop.
    let mut viewport = egui::ViewportBuilder::default()
        .with_title("Kunci")
        .with_app_id("id.kunci.Kunci")
        .with_inner_size(DEFAULT_SIZE)
        .with_min_inner_size([320.0, 300.0]);
    // A broken icon is not worth refusing to start over: eframe then shows its own.
    match eframe::icon_data::from_png_bytes(include_bytes!("../../assets/icon/png/kunci-256.png")) {
        Ok(icon) => viewport = viewport.with_icon(icon),
        Err(e) => eprintln!("kunci: cannot load the window icon: {e}"),
    }
    let quick = QuickAccess::new(true, Autostart::for_this_user().ok());
    let sender = quick.sender();
    if start.pick {
        sender.send(QuickEvent::Pick);
    }
    // Borrows `instance`, which lives until the window closes (dropping it gives up the lock
    // and the address).
    let make_app = |ctx: &egui::Context| {
        ctx.add_plugin(cheap_frames::CheapFrames);
        quick.attach(ctx);
        // Other launches are answered from here on, when the window exists: "shown" is then
        // true ("pick" answered before the window could open would not be).
        if let Some(primary) = &instance {
            serve_other_launches(primary, sender);
        }
        KunciApp::new(default_setup()).with_quick(quick, start.minimized)
    };
    let result = match Renderer::from_env() {
        Renderer::Cpu => soft::run(viewport, cheap_frames::MAX_TEXTURE_SIDE, |ctx| {
            Box::new(make_app(ctx))
        })
        .map_err(|e| e.to_string()),
        Renderer::OpenGl => {
            let options = eframe::NativeOptions {
                renderer: eframe::Renderer::Glow,
                viewport,
                // Kunci draws flat colours, where dithering changes nothing visible; it costs
                // a noise function per pixel per frame, which is most of a frame on machines
                // that render in software (no GPU driver, remote desktops).
                dithering: false,
                ..Default::default()
            };
            eframe::run_native(
                "Kunci",
                options,
                Box::new(|cc| Ok(Box::new(make_app(&cc.egui_ctx)))),
            )
            .map_err(|e| e.to_string())
        }
    };
    drop(instance);
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("kunci: cannot open the window: {e}");
            eprintln!("kunci: {}", soft::RENDERER_HINT);
            ExitCode::FAILURE
        }
    }
}

/// What draws the window: the CPU unless `KUNCI_RENDERER=opengl` asks for eframe's OpenGL
/// painter (`soft` says why the CPU is the default).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Renderer {
    Cpu,
    OpenGl,
}

impl Renderer {
    fn from_env() -> Renderer {
        let Some(name) = std::env::var_os("KUNCI_RENDERER") else {
            return Renderer::Cpu;
        };
        match name.to_string_lossy().to_ascii_lowercase().as_str() {
            "opengl" | "gl" => Renderer::OpenGl,
            "cpu" | "" => Renderer::Cpu,
            other => {
                eprintln!(
                    "kunci: KUNCI_RENDERER={other} is not known (cpu or opengl); drawing on the CPU"
                );
                Renderer::Cpu
            }
        }
    }
}

/// Answers later launches of Kunci on this data directory through the quick-access events.
fn serve_other_launches(primary: &Primary, sender: quick::QuickSender) {
    let served = primary.serve(move |request| {
        // The tests wait for these lines.
        match request {
            WindowRequest::Show => {
                eprintln!("kunci: another launch asked for this window; bringing it forward");
                sender.send(QuickEvent::Show);
            }
            WindowRequest::Pick => {
                eprintln!("kunci: another launch asked for the quick picker");
                sender.send(QuickEvent::Pick);
            }
        }
    });
    if let Err(e) = served {
        eprintln!("kunci: {e}; a second launch cannot bring this window forward");
    }
}

/// The second launch: asks the running window to come forward (or for the picker) and ends
/// quietly, or says why it could not (in the terminal and in a message box, as it may have
/// been double-clicked).
fn ask_running_window(dir: &DataDir, request: WindowRequest) -> ExitCode {
    let Err(e) = instance::signal(dir, request, Duration::from_secs(5)) else {
        return ExitCode::SUCCESS;
    };
    let lang = Settings::load(dir).0.language();
    let reason = match &e {
        SignalError::NoAddress { .. } => tr!(lang, "instance.no_address"),
        SignalError::Unreachable { port, .. } => tr!(lang, "instance.unreachable", port = port),
        SignalError::NoAnswer { .. } => tr!(lang, "instance.no_answer"),
        _ => e.to_string(),
    };
    let text = tr!(lang, "instance.already_running", reason = reason);
    eprintln!("kunci: {text} ({e})");
    let _ = rfd::MessageDialog::new()
        .set_level(rfd::MessageLevel::Warning)
        .set_title("Kunci")
        .set_description(text)
        .set_buttons(rfd::MessageButtons::Ok)
        .show();
    ExitCode::FAILURE
}

/// Sizes a dialog to `desired` points wide, or narrower in a small window.
fn dialog_width(ui: &mut egui::Ui, desired: f32) {
    let room = ui.ctx().content_rect().width() - 48.0;
    ui.set_width(desired.min(room).max(200.0));
}
