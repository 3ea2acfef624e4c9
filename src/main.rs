//! Kunci's binary: the window, or the command line when given a command.

use std::process::ExitCode;

use clap::Parser;

mod advice;
mod cli;
mod ui;

fn main() -> ExitCode {
    let args = cli::Cli::parse();
    match args.command {
        Some(command) => {
            restore_default_sigpipe();
            cli::run(command)
        }
        None => ui::run(),
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
