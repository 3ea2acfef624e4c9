//! Network time: is this computer's clock right, and by how much is it off?
//!
//! TOTP codes are computed from Unix time (UTC). A clock set by hand, or a wrong time zone
//! with the clock moved to look right, makes every code wrong. [`check`] asks several SNTP
//! servers at once (short timeouts, each reply validated, the median of those that answered,
//! outliers outvoted) and falls back to the `Date` header of HTTPS responses when UDP 123 is
//! blocked. Being offline is a normal outcome, not an error to shout about.
//!
//! Sign convention everywhere: `offset = network time − this computer's time`, in seconds.
//! A negative offset means this computer's clock is ahead.

mod drift;
mod http_date;
mod sntp;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

pub use drift::{Verdict, timezone_hours};

/// SNTP servers asked by default: the pools near Indonesia first, then global ones.
pub const DEFAULT_SNTP_SERVERS: &[&str] = &[
    "id.pool.ntp.org",
    "0.id.pool.ntp.org",
    "asia.pool.ntp.org",
    "time.google.com",
    "time.cloudflare.com",
];

/// Sites whose HTTPS `Date` header is the fallback when no SNTP server answers.
pub const DEFAULT_HTTPS_URLS: &[&str] = &[
    "https://www.google.com/",
    "https://www.cloudflare.com/",
    "https://www.microsoft.com/",
];

/// Per-server timeout; all servers are asked at once, so a whole check takes about this long.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(1);

/// Two answers further apart than this disagree; the minority is outvoted.
pub const AGREEMENT: f64 = 2.0;

/// What to ask.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckConfig {
    /// `host` or `host:port` (port 123 when absent).
    pub servers: Vec<String>,
    /// Asked only when no SNTP server answered.
    pub https_urls: Vec<String>,
    pub timeout: Duration,
}

impl Default for CheckConfig {
    fn default() -> Self {
        CheckConfig {
            servers: DEFAULT_SNTP_SERVERS.iter().map(|s| s.to_string()).collect(),
            https_urls: DEFAULT_HTTPS_URLS.iter().map(|s| s.to_string()).collect(),
            timeout: DEFAULT_TIMEOUT,
        }
    }
}

/// Where the offset came from.
#[derive(Debug, Clone, PartialEq)]
pub enum Source {
    Sntp { server: String },
    HttpDate { url: String },
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Source::Sntp { server } => write!(f, "SNTP {server}"),
            Source::HttpDate { url } => write!(f, "HTTPS Date of {url}"),
        }
    }
}

/// How one server or URL fared.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// A valid answer that counted.
    Answered { offset: f64, delay: f64 },
    /// A valid answer that disagreed with the majority and was ignored.
    Outvoted { offset: f64 },
    /// No usable answer, and why (timeout, refused, bad reply…).
    Failed { reason: String },
    /// Not asked (the HTTPS fallback when SNTP answered).
    NotAsked,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// The server (`host[:port]`) or URL.
    pub target: String,
    pub outcome: Outcome,
}

/// The result of a check that reached at least one time source.
#[derive(Debug, Clone, PartialEq)]
pub struct Measurement {
    /// Network time minus this computer's time, in seconds.
    pub offset: f64,
    /// The answer the offset was taken from (the median one).
    pub source: Source,
    pub sntp: Vec<Report>,
    pub https: Vec<Report>,
    /// This computer's Unix time when the check finished.
    pub measured_at: f64,
}

impl Measurement {
    pub fn verdict(&self) -> Verdict {
        Verdict::of(self.offset)
    }

    /// The correction network-corrected codes may apply: the measured offset.
    pub fn correction(&self) -> Option<f64> {
        Some(self.offset)
    }

    /// Whole hours when the offset looks like a wrong time zone (see [`timezone_hours`]).
    pub fn timezone_hours(&self) -> Option<i64> {
        timezone_hours(self.offset)
    }
}

/// No time source answered: offline, or everything blocked. Every attempt is listed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("no time source could be reached ({} SNTP server(s), {} HTTPS site(s) tried)", sntp.len(), https.len())]
pub struct NoTimeSource {
    pub sntp: Vec<Report>,
    pub https: Vec<Report>,
}

/// This computer's Unix time in seconds.
pub fn system_now() -> f64 {
    match SystemTime::now().duration_since(UNIX_EPOCH) {
        Ok(d) => d.as_secs_f64(),
        Err(e) => -e.duration().as_secs_f64(),
    }
}

/// The Unix time codes are made for: this computer's `now`, moved by the last measurement's
/// [`Measurement::correction`] when network time is chosen (and one is there to apply).
/// The window and `kunci code --network-time` both take their time from here.
pub fn code_time(now: f64, use_network_time: bool, last: Option<&Measurement>) -> f64 {
    let correction = last
        .filter(|_| use_network_time)
        .and_then(Measurement::correction)
        .unwrap_or(0.0);
    now + correction
}

/// Asks the SNTP servers, then (only if none answered) the HTTPS sites. Blocks for about
/// `config.timeout` (twice that when the fallback runs); call it off the UI thread.
pub fn check(config: &CheckConfig) -> Result<Measurement, NoTimeSource> {
    let (sntp, found) = consensus(sntp::query_all(&config.servers, config.timeout), |target| {
        Source::Sntp {
            server: target.to_string(),
        }
    });
    if let Some((offset, source)) = found {
        let https = config
            .https_urls
            .iter()
            .map(|url| Report {
                target: url.clone(),
                outcome: Outcome::NotAsked,
            })
            .collect();
        return Ok(Measurement {
            offset,
            source,
            sntp,
            https,
            measured_at: system_now(),
        });
    }
    let (https, found) = consensus(
        http_date::query_all(&config.https_urls, config.timeout),
        |target| Source::HttpDate {
            url: target.to_string(),
        },
    );
    match found {
        Some((offset, source)) => Ok(Measurement {
            offset,
            source,
            sntp,
            https,
            measured_at: system_now(),
        }),
        None => Err(NoTimeSource { sntp, https }),
    }
}

/// The offset most answers agree on (within [`AGREEMENT`]), with the others marked as
/// outvoted. `None` when nobody answered, or when no strict majority agrees (two servers that
/// disagree cannot tell which one lies): then every answer is marked as outvoted.
fn consensus(
    mut reports: Vec<Report>,
    source: impl Fn(&str) -> Source,
) -> (Vec<Report>, Option<(f64, Source)>) {
    let answers: Vec<(f64, usize)> = reports
        .iter()
        .enumerate()
        .filter_map(|(i, r)| match r.outcome {
            Outcome::Answered { offset, .. } => Some((offset, i)),
            _ => None,
        })
        .collect();
    if answers.is_empty() {
        return (reports, None);
    }
    // The largest group of answers close to one of them.
    let agreeing = |center: f64| -> Vec<(f64, usize)> {
        answers
            .iter()
            .copied()
            .filter(|(o, _)| (o - center).abs() <= AGREEMENT)
            .collect()
    };
    let mut group = answers
        .iter()
        .map(|(center, _)| agreeing(*center))
        .max_by_key(Vec::len)
        .unwrap_or_default();
    let majority = group.len() * 2 > answers.len();
    for (offset, i) in &answers {
        if !majority || !group.iter().any(|(_, j)| j == i) {
            reports[*i].outcome = Outcome::Outvoted { offset: *offset };
        }
    }
    if !majority {
        return (reports, None);
    }
    group.sort_by(|a, b| a.0.total_cmp(&b.0));
    // With an even count the lower middle answer is taken, so the offset is a real answer.
    let (median, median_index) = group[(group.len() - 1) / 2];
    let chosen = source(&reports[median_index].target);
    (reports, Some((median, chosen)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answered(target: &str, offset: f64) -> Report {
        Report {
            target: target.into(),
            outcome: Outcome::Answered {
                offset,
                delay: 0.01,
            },
        }
    }

    #[test]
    fn a_single_liar_is_outvoted() {
        let ten_years = 10.0 * 365.0 * 86400.0;
        let reports = vec![
            answered("a", 0.02),
            answered("b", ten_years),
            answered("c", 0.03),
        ];
        let (reports, found) = consensus(reports, |t| Source::Sntp { server: t.into() });
        let (offset, source) = found.unwrap();
        assert_eq!(offset, 0.02);
        assert_eq!(source, Source::Sntp { server: "a".into() });
        assert_eq!(reports[1].outcome, Outcome::Outvoted { offset: ten_years });
        assert!(matches!(reports[0].outcome, Outcome::Answered { .. }));
    }

    #[test]
    fn two_that_disagree_give_no_answer() {
        let reports = vec![answered("honest", 0.0), answered("liar", -315_576_000.0)];
        let (reports, found) = consensus(reports, |t| Source::Sntp { server: t.into() });
        assert!(
            found.is_none(),
            "neither of two disagreeing servers can be trusted"
        );
        assert!(
            reports
                .iter()
                .all(|r| matches!(r.outcome, Outcome::Outvoted { .. }))
        );
    }

    #[test]
    fn nobody_answering_is_none() {
        let reports = vec![Report {
            target: "a".into(),
            outcome: Outcome::Failed {
                reason: "timeout".into(),
            },
        }];
        assert!(
            consensus(reports, |t| Source::Sntp { server: t.into() })
                .1
                .is_none()
        );
    }
}
