//! `kunci drift`: this computer's clock against network time, in words or JSON, with the exit
//! status the issue fixed (0 ok, 1 warning, 2 error, 3 no time source).

use std::process::ExitCode;

use kunci::clock::{self, CheckConfig, Measurement, NoTimeSource, Outcome, Report, Verdict};

use super::{Failure, lang, settings};
use crate::advice;
use crate::i18n::Localize;

pub(super) fn run(
    servers: Vec<String>,
    https: Vec<String>,
    json: bool,
) -> Result<ExitCode, Failure> {
    let configured = settings()?.check_config();
    let config = if servers.is_empty() {
        CheckConfig {
            https_urls: if https.is_empty() {
                configured.https_urls
            } else {
                https
            },
            ..configured
        }
    } else {
        CheckConfig {
            servers,
            https_urls: https,
            ..configured
        }
    };
    let result = clock::check(&config);
    if json {
        println!("{}", serde_json::to_string_pretty(&drift_json(&result))?);
    } else {
        print_drift(&result);
    }
    Ok(ExitCode::from(match &result {
        Ok(m) => match m.verdict() {
            Verdict::Ok => 0,
            Verdict::Warning => 1,
            Verdict::Error => 2,
        },
        Err(_) => 3,
    }))
}

const SIGN_CONVENTION: &str =
    "network time minus this computer's time; negative means this computer's clock is ahead";

fn report_json(r: &Report) -> serde_json::Value {
    let mut v = serde_json::json!({ "target": r.target });
    match &r.outcome {
        Outcome::Answered { offset, delay } => {
            v["status"] = "answered".into();
            v["offset_seconds"] = (*offset).into();
            v["round_trip_seconds"] = (*delay).into();
        }
        Outcome::Outvoted { offset } => {
            v["status"] = "outvoted".into();
            v["offset_seconds"] = (*offset).into();
            v["reason"] = format!(
                "disagrees with the other servers by more than {} s",
                clock::AGREEMENT
            )
            .into();
        }
        Outcome::Failed { reason } => {
            v["status"] = "failed".into();
            v["reason"] = reason.clone().into();
        }
        Outcome::NotAsked => v["status"] = "not_asked".into(),
    }
    v
}

fn drift_json(result: &Result<Measurement, NoTimeSource>) -> serde_json::Value {
    match result {
        Ok(m) => {
            let (kind, source) = match &m.source {
                clock::Source::Sntp { server } => ("sntp", server.clone()),
                clock::Source::HttpDate { url } => ("https_date", url.clone()),
            };
            let lang = lang();
            let mut message = format!(
                "{} {}",
                advice::describe_offset(lang, m.offset),
                advice::verdict_meaning(lang, m.verdict())
            );
            if let Some(hours) = m.timezone_hours() {
                message = format!("{message} {}", advice::timezone_note(lang, hours));
            }
            serde_json::json!({
                "offset_seconds": m.offset,
                "sign_convention": SIGN_CONVENTION,
                "verdict": m.verdict().as_str(),
                "source": source,
                "source_kind": kind,
                "timezone_hours": m.timezone_hours(),
                "message": message,
                "servers": m.sntp.iter().map(report_json).collect::<Vec<_>>(),
                "https": m.https.iter().map(report_json).collect::<Vec<_>>(),
                "agreeing_sources": m.agreeing,
                "correction_applies": m.correction().is_some(),
            })
        }
        Err(e) => serde_json::json!({
            "offset_seconds": null,
            "sign_convention": SIGN_CONVENTION,
            "verdict": "no_time_source",
            "source": null,
            "source_kind": null,
            "timezone_hours": null,
            "message": e.localize(lang()),
            "servers": e.sntp.iter().map(report_json).collect::<Vec<_>>(),
            "https": e.https.iter().map(report_json).collect::<Vec<_>>(),
            "agreeing_sources": 0,
            "correction_applies": false,
        }),
    }
}

fn print_reports(title: &str, reports: &[Report]) {
    if reports.is_empty() {
        return;
    }
    let lang = lang();
    println!("{title}:");
    for r in reports {
        let what = match &r.outcome {
            Outcome::Answered { offset, delay } => tr!(
                lang,
                "cli.drift.answered",
                offset = crate::i18n::signed(lang, *offset, 3),
                delay = crate::i18n::number(lang, *delay, 3)
            ),
            Outcome::Outvoted { offset } => tr!(
                lang,
                "cli.drift.outvoted",
                offset = crate::i18n::signed(lang, *offset, 3)
            ),
            Outcome::Failed { reason } => tr!(lang, "cli.drift.failed", reason = reason),
            Outcome::NotAsked => tr!(lang, "cli.drift.not_asked"),
        };
        println!("  {}  {what}", r.target);
    }
}

fn print_drift(result: &Result<Measurement, NoTimeSource>) {
    let lang = lang();
    let sntp = tr!(lang, "cli.drift.sntp_servers");
    let https = tr!(lang, "cli.drift.https_fallback");
    match result {
        Ok(m) => {
            println!(
                "{}",
                tr!(
                    lang,
                    "cli.drift.offset",
                    offset = crate::i18n::signed(lang, m.offset, 3)
                )
            );
            println!(
                "{}",
                match m.verdict() {
                    Verdict::Ok => tr!(lang, "cli.drift.verdict_ok"),
                    Verdict::Warning => tr!(lang, "cli.drift.verdict_warning"),
                    Verdict::Error => tr!(lang, "cli.drift.verdict_error"),
                }
            );
            println!(
                "{}",
                tr!(
                    lang,
                    "cli.drift.source",
                    source = advice::source_name(lang, &m.source)
                )
            );
            println!(
                "{} {}",
                advice::describe_offset(lang, m.offset),
                advice::verdict_meaning(lang, m.verdict())
            );
            if let Some(hours) = m.timezone_hours() {
                println!("{}", advice::timezone_note(lang, hours));
            }
            if m.verdict() != Verdict::Ok {
                println!("{}", advice::how_to_fix(lang));
            }
            println!("{}", advice::agreement(lang, m));
            print_reports(&sntp, &m.sntp);
            print_reports(&https, &m.https);
        }
        Err(e) => {
            println!("{}", tr!(lang, "cli.drift.verdict_none"));
            println!(
                "{}",
                tr!(lang, "cli.drift.offline", reason = e.localize(lang))
            );
            print_reports(&sntp, &e.sntp);
            print_reports(&https, &e.https);
        }
    }
}
