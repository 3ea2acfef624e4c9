//! Words about the clock, shared by the window and the command line.

use kunci::clock::Verdict;

/// "This computer's clock is 90.0 s ahead of network time."
pub fn describe_offset(offset: f64) -> String {
    let size = offset.abs();
    let amount = if size >= 2.0 * 86400.0 {
        format!("{:.0} days", size / 86400.0)
    } else if size >= 3600.0 {
        format!("{:.1} hours", size / 3600.0)
    } else if size >= 120.0 {
        format!("{:.1} minutes", size / 60.0)
    } else {
        format!("{size:.1} s")
    };
    if Verdict::of(offset) == Verdict::Ok {
        format!("This computer's clock is right (off by {size:.2} s).")
    } else if offset < 0.0 {
        format!("This computer's clock is {amount} ahead of network time.")
    } else {
        format!("This computer's clock is {amount} behind network time.")
    }
}

/// What the verdict means for the user's codes.
pub fn verdict_meaning(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Ok => "Codes work.",
        Verdict::Warning => {
            "Codes may be rejected near the end of each period. Correct the clock, or use network \
             time for codes."
        }
        Verdict::Error => {
            "Codes made from this clock will be rejected. Correct the clock, or use network time \
             for codes."
        }
    }
}

/// The likely mix-up behind a clock that is off by whole `hours` (positive: ahead), in
/// Indonesia's zones where one fits: "set to UTC while the clock shows WIB".
fn likely_mixup(hours: i64) -> Option<&'static str> {
    match hours {
        7 => Some("your time zone is probably set to UTC while the clock shows WIB (UTC+7)"),
        8 => Some("your time zone is probably set to UTC while the clock shows WITA (UTC+8)"),
        9 => Some("your time zone is probably set to UTC while the clock shows WIT (UTC+9)"),
        1 => Some("your time zone is probably set to WIB while the clock shows WITA time"),
        2 => Some("your time zone is probably set to WIB while the clock shows WIT time"),
        -1 => Some("your time zone is probably set to WITA while the clock shows WIB time"),
        -2 => Some("your time zone is probably set to WIT while the clock shows WIB time"),
        -7 => Some("your time zone is probably set to WIB (UTC+7) while the clock shows UTC"),
        _ => None,
    }
}

/// The wrong-time-zone explanation for a clock off by whole `hours` (positive: ahead).
pub fn timezone_note(hours: i64) -> String {
    let n = hours.abs();
    let unit = if n == 1 { "hour" } else { "hours" };
    let mixup = likely_mixup(hours).map(str::to_string).unwrap_or_else(|| {
        let way = if hours > 0 { "west" } else { "east" };
        format!("your time zone is probably set {n} {unit} too far {way}")
    });
    format!(
        "{sign}{n} h: {mixup}, and the time was moved by hand to look right. Codes use the real \
         (UTC) time, which is now {n} {unit} off. Set the correct time zone and turn on \
         automatic time: the clock then shows the same local time, and codes work.",
        sign = if hours > 0 { "+" } else { "-" }
    )
}

/// How to turn on automatic time on this operating system.
pub fn how_to_fix() -> &'static str {
    if cfg!(target_os = "windows") {
        "Turn on automatic time: Settings → Time & language → Date & time → \"Set time \
         automatically\" and \"Set time zone automatically\", then \"Sync now\"."
    } else if cfg!(target_os = "macos") {
        "Turn on automatic time: System Settings → General → Date & Time → \"Set time and date \
         automatically\" and \"Set time zone automatically using your current location\"."
    } else {
        "Turn on automatic time: run `timedatectl set-ntp true` (and `timedatectl set-timezone \
         Asia/Jakarta` or your zone), or use your desktop's Date & Time settings."
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_read_naturally() {
        assert!(describe_offset(-90.0).contains("90.0 s ahead"));
        assert!(describe_offset(25200.0).contains("7.0 hours behind"));
        assert!(describe_offset(0.02).contains("right"));
    }

    #[test]
    fn wib_is_named() {
        assert!(timezone_note(7).contains("UTC while the clock shows WIB"));
        assert!(timezone_note(-7).starts_with("-7 h"));
        assert!(timezone_note(3).contains("3 hours too far west"));
        assert!(timezone_note(-1).contains("set to WITA while the clock shows WIB"));
    }
}
