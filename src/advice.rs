//! Words about the clock, shared by the window and the command line.

use kunci::clock::{Measurement, Source, Verdict};

use crate::i18n::{Language, number};

/// "1 hour", "7 hours" (whole hours, for the time-zone note).
fn whole_hours(lang: Language, n: i64) -> String {
    if n == 1 {
        tr!(lang, "clock.amount.one_hour")
    } else {
        tr!(lang, "clock.amount.hours", n = n)
    }
}

/// "This computer's clock is 90.0 s ahead of network time."
pub fn describe_offset(lang: Language, offset: f64) -> String {
    let size = offset.abs();
    let amount = if size >= 2.0 * 86400.0 {
        tr!(
            lang,
            "clock.amount.days",
            n = number(lang, size / 86400.0, 0)
        )
    } else if size >= 3600.0 {
        tr!(
            lang,
            "clock.amount.hours",
            n = number(lang, size / 3600.0, 1)
        )
    } else if size >= 120.0 {
        tr!(
            lang,
            "clock.amount.minutes",
            n = number(lang, size / 60.0, 1)
        )
    } else {
        tr!(lang, "clock.amount.seconds", n = number(lang, size, 1))
    };
    if Verdict::of(offset) == Verdict::Ok {
        tr!(lang, "clock.offset.right", size = number(lang, size, 2))
    } else if offset < 0.0 {
        tr!(lang, "clock.offset.ahead", amount = amount)
    } else {
        tr!(lang, "clock.offset.behind", amount = amount)
    }
}

/// What the verdict means for the user's codes.
pub fn verdict_meaning(lang: Language, verdict: Verdict) -> String {
    match verdict {
        Verdict::Ok => tr!(lang, "clock.meaning.ok"),
        Verdict::Warning => tr!(lang, "clock.meaning.warning"),
        Verdict::Error => tr!(lang, "clock.meaning.error"),
    }
}

/// The verdict in one or two words ("right", "a little off", "wrong").
pub fn verdict_word(lang: Language, verdict: Verdict) -> String {
    match verdict {
        Verdict::Ok => tr!(lang, "clock.verdict.ok"),
        Verdict::Warning => tr!(lang, "clock.verdict.warning"),
        Verdict::Error => tr!(lang, "clock.verdict.error"),
    }
}

/// Where a measurement came from: "SNTP pool.ntp.org", "HTTPS Date of https://…".
/// Whether network time would move codes: how many independent sources agree, and what
/// that means ("… 1 …; not applied: it needs 2 …").
pub fn agreement(lang: Language, m: &Measurement) -> String {
    if m.correction().is_some() {
        tr!(lang, "clock.agreement.applies", n = m.agreeing)
    } else {
        tr!(
            lang,
            "clock.agreement.not_applied",
            n = m.agreeing,
            needed = kunci::clock::SOURCES_FOR_CORRECTION,
            seconds = number(lang, kunci::clock::AGREEMENT, 0)
        )
    }
}

pub fn source_name(lang: Language, source: &Source) -> String {
    match source {
        Source::Sntp { server } => tr!(lang, "clock.source.sntp", server = server),
        Source::HttpDate { url } => tr!(lang, "clock.source.https", url = url),
    }
}

/// The likely mix-up behind a clock that is off by whole `hours` (positive: ahead), in
/// Indonesia's zones where one fits: "set to UTC while the clock shows WIB".
fn likely_mixup(lang: Language, hours: i64) -> Option<String> {
    Some(match hours {
        7 => tr!(lang, "clock.mixup.utc_wib"),
        8 => tr!(lang, "clock.mixup.utc_wita"),
        9 => tr!(lang, "clock.mixup.utc_wit"),
        1 => tr!(lang, "clock.mixup.wib_wita"),
        2 => tr!(lang, "clock.mixup.wib_wit"),
        -1 => tr!(lang, "clock.mixup.wita_wib"),
        -2 => tr!(lang, "clock.mixup.wit_wib"),
        -7 => tr!(lang, "clock.mixup.wib_utc"),
        _ => return None,
    })
}

/// The wrong-time-zone explanation for a clock off by whole `hours` (positive: ahead).
pub fn timezone_note(lang: Language, hours: i64) -> String {
    let n = hours.abs();
    let amount = whole_hours(lang, n);
    let mixup = likely_mixup(lang, hours).unwrap_or_else(|| {
        if hours > 0 {
            tr!(lang, "clock.mixup.too_far_west", amount = amount.as_str())
        } else {
            tr!(lang, "clock.mixup.too_far_east", amount = amount.as_str())
        }
    });
    tr!(
        lang,
        "clock.timezone_note",
        sign = if hours > 0 { "+" } else { "-" },
        n = n,
        mixup = mixup,
        amount = amount
    )
}

/// How to turn on automatic time on this operating system.
pub fn how_to_fix(lang: Language) -> String {
    if cfg!(target_os = "windows") {
        tr!(lang, "clock.fix.windows")
    } else if cfg!(target_os = "macos") {
        tr!(lang, "clock.fix.macos")
    } else {
        tr!(lang, "clock.fix.linux")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EN: Language = Language::English;
    const ID: Language = Language::Indonesian;

    #[test]
    fn offsets_read_naturally() {
        assert!(describe_offset(EN, -90.0).contains("90.0 s ahead"));
        assert!(describe_offset(EN, 25200.0).contains("7.0 hours behind"));
        assert!(describe_offset(EN, 0.02).contains("right"));
        assert!(describe_offset(ID, -90.0).contains("90,0 detik lebih cepat"));
        assert!(describe_offset(ID, 25200.0).contains("7,0 jam lebih lambat"));
    }

    #[test]
    fn wib_is_named() {
        assert!(timezone_note(EN, 7).contains("UTC while the clock shows WIB"));
        assert!(timezone_note(EN, -7).starts_with("-7 h"));
        assert!(timezone_note(EN, 3).contains("3 hours too far west"));
        assert!(timezone_note(EN, 1).contains("is now 1 hour off"));
        assert!(timezone_note(EN, -1).contains("set to WITA while the clock shows WIB"));
        assert!(timezone_note(ID, 7).contains("WIB (UTC+7)"));
        assert!(timezone_note(ID, 3).contains("3 jam terlalu jauh ke barat"));
    }
}
