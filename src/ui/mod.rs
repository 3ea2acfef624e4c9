//! The window: eframe/egui over the same library as the command line.

mod account_row;
mod add_dialog;
mod app;
mod clipboard;
mod countdown;
mod worker;

use std::process::ExitCode;
use std::sync::Arc;

pub use app::{KunciApp, system_clock};
pub use worker::Opener;

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

/// Opens the window and runs until it is closed.
pub fn run() -> ExitCode {
    let options = eframe::NativeOptions {
        renderer: eframe::Renderer::Glow,
        viewport: egui::ViewportBuilder::default()
            .with_title("Kunci")
            .with_app_id("kunci")
            .with_inner_size([440.0, 600.0])
            .with_min_inner_size([320.0, 300.0]),
        ..Default::default()
    };
    let result = eframe::run_native(
        "Kunci",
        options,
        Box::new(|_cc| Ok(Box::new(KunciApp::new(default_opener(), system_clock())))),
    );
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("kunci: cannot open the window: {e}");
            ExitCode::FAILURE
        }
    }
}
