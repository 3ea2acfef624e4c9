//! Kunci's binary: the window, or the command line when given a command.

use std::process::ExitCode;

use clap::Parser;

mod advice;
mod cli;
mod ui;

fn main() -> ExitCode {
    let args = cli::Cli::parse();
    match args.command {
        Some(command) => cli::run(command),
        None => ui::run(),
    }
}
