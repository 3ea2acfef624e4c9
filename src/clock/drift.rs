//! What an offset means for codes: the verdict, and the wrong-time-zone case.

/// How much an offset matters for codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Under 3 s: codes work.
    Ok,
    /// 3 to 15 s: codes near the end of a period may be rejected.
    Warning,
    /// Over 15 s: codes will be rejected.
    Error,
}

impl Verdict {
    pub const WARNING_FROM: f64 = 3.0;
    pub const ERROR_FROM: f64 = 15.0;

    pub fn of(offset: f64) -> Verdict {
        let size = offset.abs();
        if size < Self::WARNING_FROM {
            Verdict::Ok
        } else if size <= Self::ERROR_FROM {
            Verdict::Warning
        } else {
            Verdict::Error
        }
    }

    pub fn as_str(&self) -> &'static str {
        match self {
            Verdict::Ok => "ok",
            Verdict::Warning => "warning",
            Verdict::Error => "error",
        }
    }
}

/// Within this many seconds of a whole number of hours, an offset is a time-zone mistake.
const TIMEZONE_TOLERANCE: f64 = 120.0;

/// The whole hours by which this computer's clock is off, when the offset is within ±2 min of
/// a non-zero whole number of hours: almost certainly a wrong time zone with the clock moved
/// by hand to show local time. Positive: this computer's clock is *ahead* (e.g. +7 when the
/// time zone is UTC while the clock shows WIB).
pub fn timezone_hours(offset: f64) -> Option<i64> {
    // offset = network − local, so a clock ahead by 7 h gives −25200 s.
    let ahead = -offset;
    let hours = (ahead / 3600.0).round();
    if hours == 0.0 || hours.abs() > 26.0 {
        return None;
    }
    ((ahead - hours * 3600.0).abs() <= TIMEZONE_TOLERANCE).then_some(hours as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verdict_thresholds() {
        assert_eq!(Verdict::of(0.0), Verdict::Ok);
        assert_eq!(Verdict::of(-2.9), Verdict::Ok);
        assert_eq!(Verdict::of(3.0), Verdict::Warning);
        assert_eq!(Verdict::of(-15.0), Verdict::Warning);
        assert_eq!(Verdict::of(15.1), Verdict::Error);
        assert_eq!(Verdict::of(-90.0), Verdict::Error);
    }

    #[test]
    fn whole_hours_are_a_time_zone() {
        assert_eq!(timezone_hours(-25200.0), Some(7)); // clock 7 h ahead: UTC set, WIB shown
        assert_eq!(timezone_hours(-28800.0 + 90.0), Some(8));
        assert_eq!(timezone_hours(32400.0 - 100.0), Some(-9));
        assert_eq!(timezone_hours(-25200.0 - 121.0), None);
        assert_eq!(timezone_hours(-90.0), None);
        assert_eq!(timezone_hours(0.5), None);
        assert_eq!(timezone_hours(-10.0 * 365.0 * 86400.0), None);
    }
}
