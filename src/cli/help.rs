//! `--help` in the run's language: every text of the command line from the translation files,
//! clap's own words (usage, headings, --help, --version) included.

use clap::{Arg, ArgAction, CommandFactory};

use super::{Cli, vault};
use crate::i18n::Language;

/// The command line's definition with every help text from the translation files (the doc
/// comments above are the English originals, for readers of this file).
pub fn command() -> clap::Command {
    command_in(super::lang())
}

/// [`command`] in `lang`.
pub(super) fn command_in(lang: Language) -> clap::Command {
    let query = tr!(lang, "cli.help.query");
    let json = tr!(lang, "cli.help.json");
    let yes = tr!(lang, "cli.help.yes");
    let cmd = Cli::command()
        .about(tr!(lang, "cli.help.about"))
        .long_about(tr!(lang, "cli.help.long_about"))
        .mut_subcommand("add", |c| {
            c.about(tr!(lang, "cli.help.add"))
                .long_about(None)
                .mut_arg("uri", |a| a.help(tr!(lang, "cli.help.add.uri")))
                .mut_arg("secret", |a| a.help(tr!(lang, "cli.help.add.secret")))
                .mut_arg("issuer", |a| a.help(tr!(lang, "cli.help.add.issuer")))
                .mut_arg("label", |a| a.help(tr!(lang, "cli.help.add.label")))
                .mut_arg("digits", |a| a.help(tr!(lang, "cli.help.add.digits")))
                .mut_arg("period", |a| a.help(tr!(lang, "cli.help.add.period")))
                .mut_arg("algorithm", |a| a.help(tr!(lang, "cli.help.add.algorithm")))
                .mut_arg("counter", |a| a.help(tr!(lang, "cli.help.add.counter")))
        })
        .mut_subcommand("list", |c| {
            c.about(tr!(lang, "cli.help.list"))
                .long_about(None)
                .mut_arg("json", |a| a.help(json.clone()))
        })
        .mut_subcommand("code", |c| {
            c.about(tr!(lang, "cli.help.code"))
                .long_about(None)
                .mut_arg("query", |a| a.help(query.clone()))
                .mut_arg("at", |a| a.help(tr!(lang, "cli.help.code.at")))
                .mut_arg("network_time", |a| {
                    a.help(tr!(lang, "cli.help.code.network_time"))
                })
        })
        .mut_subcommand("scan", |c| {
            c.about(tr!(lang, "cli.help.scan"))
                .long_about(None)
                .mut_arg("image", |a| a.help(tr!(lang, "cli.help.scan.image")))
                .mut_arg("screen", |a| a.help(tr!(lang, "cli.help.scan.screen")))
                .mut_arg("camera", |a| a.help(tr!(lang, "cli.help.scan.camera")))
                .mut_arg("camera_timeout", |a| {
                    a.help(tr!(lang, "cli.help.scan.camera_timeout"))
                })
                .mut_arg("add", |a| a.help(tr!(lang, "cli.help.scan.add")))
                .mut_arg("replace", |a| a.help(tr!(lang, "cli.help.scan.replace")))
                .mut_arg("raw", |a| a.help(tr!(lang, "cli.help.scan.raw")))
                .mut_arg("show_secret", |a| {
                    a.help(tr!(lang, "cli.help.scan.show_secret"))
                })
        })
        .mut_subcommand("import", |c| {
            c.about(tr!(lang, "cli.help.import"))
                .long_about(None)
                .mut_arg("file", |a| a.help(tr!(lang, "cli.help.import.file")))
                .mut_arg("password_file", |a| {
                    a.help(tr!(lang, "cli.help.import.password_file"))
                })
                .mut_arg("yes", |a| a.help(tr!(lang, "cli.help.import.yes")))
        })
        .mut_subcommand("export", |c| {
            c.about(tr!(lang, "cli.help.export"))
                .long_about(None)
                .mut_arg("format", |a| a.help(tr!(lang, "cli.help.export.format")))
                .mut_arg("out", |a| a.help(tr!(lang, "cli.help.export.out")))
                .mut_arg("password_file", |a| {
                    a.help(tr!(lang, "cli.help.export.password_file"))
                })
                .mut_arg("force", |a| a.help(tr!(lang, "cli.help.export.force")))
        })
        .mut_subcommand("drift", |c| {
            c.about(tr!(lang, "cli.help.drift"))
                .long_about(None)
                .mut_arg("servers", |a| a.help(tr!(lang, "cli.help.drift.server")))
                .mut_arg("https", |a| a.help(tr!(lang, "cli.help.drift.https")))
                .mut_arg("json", |a| a.help(json.clone()))
        })
        .mut_subcommand("uri", |c| {
            c.about(tr!(lang, "cli.help.uri"))
                .long_about(None)
                .mut_arg("query", |a| a.help(query.clone()))
        })
        .mut_subcommand("remove", |c| {
            c.about(tr!(lang, "cli.help.remove"))
                .long_about(None)
                .mut_arg("query", |a| a.help(query.clone()))
                .mut_arg("yes", |a| a.help(yes.clone()))
        })
        .mut_subcommand("rename", |c| {
            c.about(tr!(lang, "cli.help.rename"))
                .long_about(None)
                .mut_arg("query", |a| a.help(query.clone()))
                .mut_arg("issuer", |a| a.help(tr!(lang, "cli.help.rename.issuer")))
                .mut_arg("label", |a| a.help(tr!(lang, "cli.help.rename.label")))
        })
        .mut_subcommand("recover", |c| {
            c.about(tr!(lang, "cli.help.recover"))
                .long_about(None)
                .mut_arg("list", |a| a.help(tr!(lang, "cli.help.recover.list")))
                .mut_arg("yes", |a| a.help(yes.clone()))
        })
        .mut_subcommand("pick", |c| {
            c.about(tr!(lang, "cli.help.pick")).long_about(None)
        })
        .mut_arg("minimized", |a| a.help(tr!(lang, "cli.help.minimized")))
        .mut_subcommand("vault", |c| vault::help(c, lang));
    let mut cmd = with_clap_words(cmd, lang);
    // clap adds its `help` command while building: build first, then word that one too.
    cmd.build();
    cmd.mut_subcommand("help", |help| {
        help.about(tr!(lang, "cli.help.help_command"))
    })
}

/// clap's own words (the usage line, headings, --help and --version) in `lang`, on a command
/// and all its subcommands.
fn with_clap_words(cmd: clap::Command, lang: Language) -> clap::Command {
    // clap takes headings as `&'static str` (without its "string" feature); a few short words
    // for the one parse of this process.
    let options: &'static str = tr!(lang, "cli.help.options").leak();
    let arguments: &'static str = tr!(lang, "cli.help.arguments").leak();
    let commands: &'static str = tr!(lang, "cli.help.commands").leak();
    let has_version = cmd.get_version().is_some();
    // As clap words it: with a long description, -h and --help show different texts.
    let help = if cmd.get_long_about().is_some() {
        Arg::new("help")
            .help(tr!(lang, "cli.help.help_summary"))
            .long_help(tr!(lang, "cli.help.help_long"))
    } else {
        Arg::new("help").help(tr!(lang, "cli.help.help"))
    };
    let mut cmd = cmd
        .help_template(tr!(lang, "cli.help.template"))
        .subcommand_help_heading(commands)
        .mut_args(|a| {
            let heading = if a.is_positional() {
                arguments
            } else {
                options
            };
            a.help_heading(heading)
        })
        // Kunci's own --help and --version, so that their words can be translated too.
        .disable_help_flag(true)
        .arg(
            help.short('h')
                .long("help")
                .action(ArgAction::Help)
                .help_heading(options),
        );
    if has_version {
        cmd = cmd.disable_version_flag(true).arg(
            Arg::new("version")
                .short('V')
                .long("version")
                .action(ArgAction::Version)
                .help(tr!(lang, "cli.help.version"))
                .help_heading(options),
        );
    }
    cmd.mut_subcommands(|sub| with_clap_words(sub, lang))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn help_texts_build_in_both_languages() {
        for (lang, commands, add) in [
            (Language::English, "Commands:", "Add an account"),
            (Language::Indonesian, "Perintah:", "Tambah akun"),
        ] {
            let cmd = command_in(lang);
            cmd.clone().debug_assert();
            let help = cmd.clone().render_long_help().to_string();
            assert!(help.contains(commands) && help.contains(add), "{help}");
            let code = cmd
                .find_subcommand("code")
                .expect("a code command")
                .clone()
                .render_help()
                .to_string();
            assert!(
                !code.contains("Usage:") || lang == Language::English,
                "{code}"
            );
        }
    }
}
