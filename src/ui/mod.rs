//! The window: eframe/egui over the same library as the command line.

mod account_dialogs;
mod account_row;
mod add_dialog;
mod app;
mod clipboard;
mod clock_panel;
mod clock_worker;
mod countdown;
mod scan_dialog;
mod worker;

use std::process::ExitCode;
use std::sync::Arc;

pub use app::{KunciApp, Setup, system_clock};
pub use worker::Opener;

use kunci::settings::Settings;
use kunci::store::{DataDir, Keychain, Store};

/// Opens the real store: the platform keychain and the data directory.
pub fn default_opener() -> Opener {
    Arc::new(|| {
        let dir = DataDir::from_env()
            .ok_or("cannot find a data directory for this user; set KUNCI_DATA_DIR")?;
        let keychain = Keychain::connect().map_err(|e| e.to_string())?;
        Store::open(dir, Arc::new(keychain)).map_err(|e| e.to_string())
    })
}

/// The real clock, keychain, data directory and settings.
fn default_setup() -> Setup {
    let data_dir = DataDir::from_env();
    let (settings, problem) = match &data_dir {
        Some(dir) => Settings::load(dir),
        None => (Settings::default(), None),
    };
    Setup {
        opener: default_opener(),
        clock: system_clock(),
        settings,
        data_dir,
        notices: problem.into_iter().collect(),
    }
}

/// Opens the window and runs until it is closed.
pub fn run() -> ExitCode {
    // The app id is the desktop file's name (and its StartupWMClass), so that
    // Wayland and X11 desktops match the window to id.kunci.Kunci.desktop.
    let mut viewport = egui::ViewportBuilder::default()
        .with_title("Kunci")
        .with_app_id("id.kunci.Kunci")
        .with_inner_size([480.0, 640.0])
        .with_min_inner_size([320.0, 300.0]);
    // A broken icon is not worth refusing to start over: eframe then shows its own.
    match eframe::icon_data::from_png_bytes(include_bytes!("../../assets/icon/png/kunci-256.png")) {
        Ok(icon) => viewport = viewport.with_icon(icon),
        Err(e) => eprintln!("kunci: cannot load the window icon: {e}"),
    }
    let options = eframe::NativeOptions {
        renderer: eframe::Renderer::Glow,
        viewport,
        ..Default::default()
    };
    let result = eframe::run_native(
        "Kunci",
        options,
        Box::new(|_cc| Ok(Box::new(KunciApp::new(default_setup())))),
    );
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("kunci: cannot open the window: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Sizes a dialog to `desired` points wide, or narrower in a small window.
fn dialog_width(ui: &mut egui::Ui, desired: f32) {
    let room = ui.ctx().content_rect().width() - 48.0;
    ui.set_width(desired.min(room).max(200.0));
}
