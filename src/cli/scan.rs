//! `kunci scan`: QR codes from an image file, the screen or a webcam.

use std::process::ExitCode;
use std::time::Duration;

use kunci::accounts::Existing;
use kunci::otp::OtpUri;
use kunci::scan::payload::{Payload, classify};
use kunci::scan::scanner::{Scanner, looks_like_otpauth};
use kunci::scan::webcam::Camera;
use kunci::scan::{GrayImage, ScanError, decode, file, screen};
use kunci::store::Store;

use super::{Failure, ScanArgs, added_line, describe, lang, open_store};
use crate::i18n::Localize;

const FOUND: u8 = 0;
const NOTHING: u8 = 1;
const ERROR: u8 = 2;

/// Exit status 0 when something was found, 1 when nothing was, 2 on an error (an unreadable
/// file, no screen, no camera), as `kunci scan --help` says.
pub fn run(args: ScanArgs) -> Result<ExitCode, Failure> {
    let texts = match find_texts(&args) {
        Ok(texts) => texts,
        Err(e) => {
            eprintln!("kunci: {}", e.localize(lang()));
            return Ok(ExitCode::from(ERROR));
        }
    };
    if texts.is_empty() {
        if !args.raw {
            eprintln!("kunci: {}", tr!(lang(), "cli.scan.nothing_found"));
        }
        return Ok(ExitCode::from(NOTHING));
    }
    if args.raw {
        for text in &texts {
            println!("{text}");
        }
        return Ok(ExitCode::from(FOUND));
    }
    let mut store = None;
    let mut failed = false;
    for text in &texts {
        if let Err(Failure(why)) = handle(text, &args, &mut store) {
            eprintln!("kunci: {why}");
            failed = true;
        }
    }
    Ok(ExitCode::from(if failed { ERROR } else { FOUND }))
}

/// The texts of all QR codes found, without repeats, in the order found.
fn find_texts(args: &ScanArgs) -> Result<Vec<String>, ScanError> {
    let frames: Vec<GrayImage> = if let Some(path) = &args.image {
        vec![file::load(path)?]
    } else if args.screen {
        screen::capture()?
    } else {
        let index = args.camera.unwrap_or(0);
        return look_through_camera(index, Duration::from_secs(args.camera_timeout));
    };
    let mut texts: Vec<String> = Vec::new();
    for frame in &frames {
        for found in decode::decode(frame) {
            if !texts.contains(&found.text) {
                texts.push(found.text);
            }
        }
    }
    Ok(texts)
}

fn look_through_camera(index: u32, timeout: Duration) -> Result<Vec<String>, ScanError> {
    let camera = Camera::open(index, false)?;
    eprintln!(
        "kunci: {}",
        tr!(
            lang(),
            "cli.scan.looking",
            camera = camera.info().name,
            seconds = timeout.as_secs()
        )
    );
    let scanner = Scanner::start(camera, looks_like_otpauth);
    let snapshot = scanner.wait(timeout);
    drop(scanner); // releases the camera at once
    let mut texts: Vec<String> = snapshot.accepted.into_iter().map(|f| f.text).collect();
    for found in snapshot.found {
        if !texts.contains(&found.text) {
            texts.push(found.text);
        }
    }
    Ok(texts)
}

fn handle(text: &str, args: &ScanArgs, store: &mut Option<Store>) -> Result<(), Failure> {
    let lang = lang();
    match classify(text) {
        Ok(Payload::Account(uri)) => {
            println!(
                "{}",
                tr!(
                    lang,
                    "cli.scan.found_account",
                    account = describe(&uri, args.show_secret)
                )
            );
            if args.add {
                add(&uri, args.replace, store)?;
            }
        }
        Ok(Payload::Migration(batch)) => {
            println!(
                "{}",
                tr!(
                    lang,
                    "cli.scan.found_export",
                    index = batch.batch_index + 1,
                    size = batch.batch_size,
                    count = batch.accounts.len()
                )
            );
            for uri in &batch.accounts {
                println!("  {}", describe(uri, args.show_secret));
            }
            for reason in &batch.skipped {
                println!(
                    "  {}",
                    tr!(lang, "cli.scan.skipped", reason = reason.localize(lang))
                );
            }
            if batch.batch_size > 1 {
                eprintln!(
                    "kunci: {}",
                    tr!(lang, "cli.scan.split_export", size = batch.batch_size)
                );
            }
            if args.add {
                for uri in &batch.accounts {
                    add(uri, args.replace, store)?;
                }
            }
        }
        Ok(Payload::NotAnAccount(what)) => println!("{}", what.localize(lang)),
        Err(e) => return Err(e.into()),
    }
    Ok(())
}

fn add(uri: &OtpUri, replace: bool, store: &mut Option<Store>) -> Result<(), Failure> {
    if store.is_none() {
        *store = Some(open_store()?);
    }
    let store = store.as_mut().expect("opened above");
    let lang = lang();
    match store.existing(uri) {
        Existing::Duplicate(account) => {
            println!(
                "{}",
                tr!(lang, "cli.scan.duplicate", name = account.display_name())
            );
        }
        Existing::NewSecret(account) if replace => {
            store.reenrol(&account.id, uri)?;
            println!(
                "{}",
                tr!(lang, "cli.scan.reenrolled", name = account.display_name())
            );
        }
        Existing::NewSecret(account) => {
            return Err(Failure(tr!(
                lang,
                "cli.scan.new_secret",
                name = account.display_name()
            )));
        }
        Existing::New => {
            let account = store.add(uri)?;
            println!("{}", added_line(&account));
        }
    }
    Ok(())
}
