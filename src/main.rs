//! Kunci's binary: the window, or the command line when given a command.

use std::process::ExitCode;

#[macro_use]
mod i18n;
mod advice;
mod cli;
mod ui;

// The translations in locales/, compiled in; a key missing in one language falls back to
// English (the completeness test in i18n/mod.rs keeps that from happening).
rust_i18n::i18n!("locales", fallback = "en");

fn main() -> ExitCode {
    let args = cli::parse();
    match args.command {
        Some(command) => {
            restore_default_sigpipe();
            cli::run(command)
        }
        None => {
            hide_own_console();
            ui::run(ui::Start {
                minimized: args.minimized,
                pick: args.pick,
            })
        }
    }
}

/// Rust ignores SIGPIPE, so printing into a closed pipe (`kunci list | head -1`) would fail
/// loudly; command-line tools end quietly instead.
fn restore_default_sigpipe() {
    #[cfg(unix)]
    // SAFETY: called at start-up before any other thread exists; SIG_DFL is a valid handler.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

/// Kunci is a console program on Windows so that the command line keeps its output and exit
/// codes in cmd and PowerShell. Started from Explorer or the Start menu, Windows gives the window
/// a console of its own: let it go, so only the window stays (it may flash briefly).
fn hide_own_console() {
    #[cfg(windows)]
    {
        #[link(name = "kernel32")]
        unsafe extern "system" {
            fn GetConsoleProcessList(process_list: *mut u32, count: u32) -> u32;
            fn FreeConsole() -> i32;
        }
        let mut ids = [0u32; 2];
        // SAFETY: the buffer is valid for `ids.len()` entries; both calls fail harmlessly.
        unsafe {
            // Only this process on the console: it was made for us, not a terminal's.
            if GetConsoleProcessList(ids.as_mut_ptr(), ids.len() as u32) == 1 {
                FreeConsole();
            }
        }
    }
}
