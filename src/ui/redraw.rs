//! When the window must be drawn again for its codes and countdowns. It is never drawn
//! continuously: once a second while it has the focus; without the focus (the user is in the
//! browser, typing the code) only when something a glance needs changes — a new code, the
//! countdown every 5 s, and every second of the last 5, when the next code shows. Each frame
//! costs a full redraw, which machines without a GPU driver do in software.

use std::time::Duration;

/// How long until the next redraw from Unix time `t` (seconds), for accounts with these TOTP
/// periods. `None` when no countdown needs one.
pub fn next_redraw(
    t: f64,
    periods: impl IntoIterator<Item = u64>,
    focused: bool,
) -> Option<Duration> {
    let now = t.max(0.0).floor() as u64;
    let next = next_second(now, periods, focused)?;
    Some(delay(t, next))
}

/// The redraws after the next one, up to `horizon` from `t`, as [`next_redraw`] would ask for
/// them one after the other: how long from `t` (the first is [`next_redraw`]'s), and how many
/// whole seconds after `t`'s.
pub fn redraws(t: f64, periods: &[u64], focused: bool, horizon: Duration) -> Vec<(Duration, u64)> {
    let start = t.max(0.0).floor() as u64;
    let mut second = start;
    let mut redraws = Vec::new();
    while let Some(next) = next_second(second, periods.iter().copied(), focused) {
        let after = delay(t, next);
        if after > horizon {
            break;
        }
        redraws.push((after, next - start));
        second = next;
    }
    redraws
}

/// The whole second after `now` at which the countdowns of these periods next need a redraw.
fn next_second(now: u64, periods: impl IntoIterator<Item = u64>, focused: bool) -> Option<u64> {
    let mut periods = periods.into_iter().filter(|p| *p > 0).peekable();
    periods.peek()?;
    Some(if focused {
        now + 1
    } else {
        periods
            .map(|period| next_change(now, period))
            .min()
            .unwrap_or(now + 1)
    })
}

/// From `t` to the whole second `next`, kept within bounds.
fn delay(t: f64, next: u64) -> Duration {
    Duration::from_secs_f64((next as f64 - t).clamp(0.05, 300.0))
}

/// The first whole second after `now` at which an unfocused window shows something new for a
/// code of this period: the seconds left (period - n % period) is the full period (a new
/// code), a multiple of 5, or 5 or fewer.
fn next_change(now: u64, period: u64) -> u64 {
    (now + 1..=now + period)
        .find(|n| {
            let left = period - n % period;
            left == period || left.is_multiple_of(5) || left <= 5
        })
        .unwrap_or(now + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(d: Option<Duration>) -> f64 {
        d.unwrap().as_secs_f64()
    }

    #[test]
    fn the_redraws_ahead_are_next_redraws_one_after_the_other() {
        let horizon = Duration::from_secs(25);
        let ahead = redraws(100.25, &[30], false, horizon);
        let seconds: Vec<u64> = ahead.iter().map(|(_, s)| *s).collect();
        // 100 is 20 s left: 105 (15 left), 110 (10), 115 (5) to 119 (1), 120 (a new code),
        // 125 (25 left).
        assert_eq!(seconds, [5, 10, 15, 16, 17, 18, 19, 20, 25]);
        assert_eq!(ahead[0].0, next_redraw(100.25, [30], false).unwrap());
        assert!((secs(Some(ahead[1].0)) - 9.75).abs() < 1e-9);
        let focused = redraws(100.25, &[30], true, horizon);
        assert_eq!(focused.len(), 25);
        assert_eq!(focused[0].0, next_redraw(100.25, [30], true).unwrap());
        assert!(redraws(100.25, &[], true, horizon).is_empty());
    }

    #[test]
    fn focused_windows_redraw_at_the_next_second() {
        assert!((secs(next_redraw(100.25, [30], true)) - 0.75).abs() < 1e-9);
    }

    #[test]
    fn nothing_to_count_down_needs_no_redraw() {
        assert_eq!(next_redraw(100.0, [], false), None);
        assert_eq!(next_redraw(100.0, [], true), None);
    }

    #[test]
    fn unfocused_windows_redraw_for_new_codes_every_5_s_and_the_last_5_s() {
        // 30 s periods: at 61 s, 29 s are left; the next change is at 65 s (25 left).
        assert_eq!(secs(next_redraw(61.0, [30], false)), 4.0);
        // At 85 s, 5 are left: every second now, until the new code at 90 s.
        assert_eq!(secs(next_redraw(85.0, [30], false)), 1.0);
        assert_eq!(secs(next_redraw(89.5, [30], false)), 0.5);
        // 90 s is a new code (30 left); then 95 s (25 left).
        assert_eq!(secs(next_redraw(90.0, [30], false)), 5.0);
        // Several periods: the soonest change of any of them.
        assert_eq!(secs(next_redraw(61.0, [30, 7], false)), 1.0);
        // A whole period: at 25, 20, 15, 10 and 5 s left, each of the last 4 s, and the new
        // code — 10 redraws without the focus instead of 30.
        let mut t = 0.0;
        let mut frames = 0;
        while t < 30.0 {
            t += secs(next_redraw(t, [30], false));
            frames += 1;
        }
        assert_eq!(frames, 10);
    }
}
