//! The window: eframe/egui over the same library as the command line.

mod account_dialogs;
mod account_list;
mod account_row;
mod add_dialog;
mod app;
mod backup_reminder;
mod clipboard;
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
mod protect_settings;
#[cfg(test)]
mod protect_tests;
mod qr_dialog;
mod qr_view;
mod redraw;
mod reenrol_dialog;
mod scan_dialog;
mod settings_dialog;
#[cfg(test)]
mod settings_tests;
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
pub use worker::Opener;

use kunci::instance::{self, InstanceError, Primary, SignalError};
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

/// Opens the window and runs until it is closed; or, when Kunci's window is already open on
/// this data directory, brings that one to the front instead of opening a second writer.
pub fn run() -> ExitCode {
    let instance = match DataDir::from_env().map(|dir| (Primary::acquire(&dir), dir)) {
        Some((Ok(primary), _)) => Some(primary),
        Some((Err(InstanceError::AlreadyRunning { .. }), dir)) => return show_running_window(&dir),
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
    let options = eframe::NativeOptions {
        renderer: eframe::Renderer::Glow,
        viewport,
        // Kunci draws flat colours, where dithering changes nothing visible; it costs a noise
        // function per pixel per frame, which is most of a frame on machines that render in
        // software (no GPU driver, remote desktops).
        dithering: false,
        ..Default::default()
    };
    let result = eframe::run_native(
        "Kunci",
        options,
        Box::new(|cc| {
            if let Some(primary) = &instance {
                let ctx = cc.egui_ctx.clone();
                if let Err(e) = primary.serve(move || bring_forward(&ctx)) {
                    eprintln!("kunci: {e}; a second launch cannot bring this window forward");
                }
            }
            Ok(Box::new(KunciApp::new(default_setup())))
        }),
    );
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("kunci: cannot open the window: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Another launch asked for the window: un-minimise, show and focus it.
fn bring_forward(ctx: &egui::Context) {
    // The tests wait for this line.
    eprintln!("kunci: another launch asked for this window; bringing it forward");
    ctx.send_viewport_cmd(egui::ViewportCommand::Minimized(false));
    ctx.send_viewport_cmd(egui::ViewportCommand::Visible(true));
    ctx.send_viewport_cmd(egui::ViewportCommand::Focus);
    ctx.request_repaint();
}

/// The second launch: asks the running window to come forward and ends quietly, or says why
/// it could not (in the terminal and in a message box, as it may have been double-clicked).
fn show_running_window(dir: &DataDir) -> ExitCode {
    let Err(e) = instance::signal_show(dir, Duration::from_secs(5)) else {
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
