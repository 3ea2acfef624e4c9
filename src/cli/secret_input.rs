//! Secret text typed or piped in, never on the command line: setup keys, otpauth URIs,
//! passwords and passphrases. A value on the command line is in every process list and the
//! shell's history; `-` reads it from standard input, and a terminal asks for it without echo.

use std::io::{BufRead, IsTerminal, Read};
use std::path::Path;

use zeroize::Zeroizing;

use super::{Failure, lang};

/// The most read from standard input for one value: a setup key or URI is far shorter, and
/// nothing bigger is held in memory on a pipe's say-so.
const MAX_LINE_BYTES: u64 = 64 * 1024;

/// Asks on the terminal without echo; `None` when standard input is not a terminal.
pub(crate) fn ask_hidden(prompt: &str) -> Option<Result<Zeroizing<String>, Failure>> {
    if !std::io::stdin().is_terminal() {
        return None;
    }
    Some(
        rpassword::prompt_password(format!("{prompt} "))
            .map(Zeroizing::new)
            .map_err(|e| Failure(tr!(lang(), "cli.input.unreadable", detail = e))),
    )
}

/// The value of an option that holds a secret: `-` reads one line from standard input
/// (without echo on a terminal), a missing value (`""`) is asked for on a terminal with
/// `prompt`, and anything else is taken as given.
pub(crate) fn resolve(
    value: &str,
    option: &str,
    prompt: &str,
) -> Result<Zeroizing<String>, Failure> {
    match value {
        "-" => match ask_hidden(prompt) {
            Some(typed) => typed,
            None => read_line(std::io::stdin().lock()),
        },
        "" => ask_hidden(prompt)
            .unwrap_or_else(|| Err(Failure(tr!(lang(), "cli.input.missing", option = option)))),
        given => Ok(Zeroizing::new(given.to_string())),
    }
}

/// One line from `input` (its line break not included), at most [`MAX_LINE_BYTES`].
fn read_line(input: impl BufRead) -> Result<Zeroizing<String>, Failure> {
    let mut line = Zeroizing::new(String::new());
    input
        .take(MAX_LINE_BYTES)
        .read_line(&mut line)
        .map_err(|e| Failure(tr!(lang(), "cli.input.unreadable", detail = e)))?;
    let kept = line.trim_end_matches(['\n', '\r']).len();
    line.truncate(kept);
    if line.is_empty() {
        return Err(Failure(tr!(lang(), "cli.input.empty")));
    }
    Ok(line)
}

/// The password in `path`, without one line break at its end.
pub(crate) fn from_file(path: &Path) -> Result<Zeroizing<String>, Failure> {
    let mut text = Zeroizing::new(String::new());
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_LINE_BYTES).read_to_string(&mut text))
        .map_err(|e| {
            Failure(tr!(
                lang(),
                "cli.import.password_file_unreadable",
                path = path.display(),
                detail = e
            ))
        })?;
    let kept = text.trim_end_matches(['\n', '\r']).len();
    text.truncate(kept);
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_is_read_without_its_break_and_no_more() {
        let got = read_line(&b"JBSWY3DPEHPK3PXP\r\nsecond line\n"[..]).ok();
        assert_eq!(got.as_deref().map(|s| s.as_str()), Some("JBSWY3DPEHPK3PXP"));
        assert!(read_line(&b"\n"[..]).is_err());
        let huge = vec![b'A'; 200_000];
        let got = read_line(&huge[..]).ok();
        assert_eq!(got.map(|s| s.len()), Some(MAX_LINE_BYTES as usize));
    }
}
