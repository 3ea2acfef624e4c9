//! `kunci pick`: the quick picker in the running window, through the single-instance channel;
//! when no window runs, Kunci is started with the picker up. For desktops where Kunci's own
//! shortcut cannot work (Wayland without the portal): bind a desktop shortcut to this.

use std::process::{Command, ExitCode, Stdio};
use std::time::Duration;

use kunci::instance::{self, WindowRequest};

use super::{Failure, data_dir, lang};

/// How long a window starting up (its keychain, its first frame) may take to answer.
const START_PATIENCE: Duration = Duration::from_secs(30);
const RUNNING_PATIENCE: Duration = Duration::from_secs(5);

pub(super) fn run() -> Result<ExitCode, Failure> {
    let dir = data_dir()?;
    let lang = lang();
    let patience = if instance::is_running(&dir) {
        RUNNING_PATIENCE
    } else {
        start_window()
            .map_err(|e| Failure(tr!(lang, "cli.pick.cannot_start", reason = e.to_string())))?;
        START_PATIENCE
    };
    instance::signal(&dir, WindowRequest::Pick, patience)
        .map_err(|e| Failure(tr!(lang, "cli.pick.no_answer", reason = e.to_string())))?;
    Ok(ExitCode::SUCCESS)
}

/// Starts this program's window with the picker up, detached from this terminal.
fn start_window() -> std::io::Result<()> {
    let program = std::env::current_exe()?;
    let mut command = Command::new(program);
    command
        .arg("--pick")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    #[cfg(unix)]
    {
        // Its own process group: Ctrl+C in this terminal does not reach the window.
        use std::os::unix::process::CommandExt;
        command.process_group(0);
    }
    #[cfg(windows)]
    {
        // No console of its own, and not this one (it goes when this command ends).
        use std::os::windows::process::CommandExt;
        const DETACHED_PROCESS: u32 = 0x0000_0008;
        command.creation_flags(DETACHED_PROCESS);
    }
    command.spawn().map(drop)
}
