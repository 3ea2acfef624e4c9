//! Network time: is this computer's clock right, and by how much is it off?
//!
//! TOTP codes are computed from Unix time (UTC). A clock set by hand, or a wrong time zone
//! with the clock moved to look right, makes every code wrong. [`check`] asks several SNTP
//! servers at once (short timeouts, each reply validated, the median of those that answered,
//! outliers outvoted) and falls back to the `Date` header of HTTPS responses when UDP 123 is
//! blocked. Being offline is a normal outcome, not an error to shout about.
//!
//! Network-corrected codes move by the measured offset only when at least
//! [`SOURCES_FOR_CORRECTION`] independent sources agree on it (see
//! [`Measurement::correction`]): a lone server, or whoever sits on the path to it, could
//! otherwise move codes into the future and collect them. Independent means another machine:
//! answers are counted by the address that gave them ([`Origin`]), one vote per machine,
//! however many names or ports lead to it. When fewer than two SNTP machines agree, the
//! HTTPS sites are asked too, as a second opinion.
//!
//! Sign convention everywhere: `offset = network time − this computer's time`, in seconds.
//! A negative offset means this computer's clock is ahead.

mod drift;
mod http_date;
mod sntp;

use std::collections::HashSet;
use std::net::IpAddr;
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

/// Sites whose HTTPS `Date` header is the fallback when no SNTP server answers, and the second
/// opinion when only one does.
pub const DEFAULT_HTTPS_URLS: &[&str] = &[
    "https://www.google.com/",
    "https://www.cloudflare.com/",
    "https://www.microsoft.com/",
];

/// Per-server timeout; all servers are asked at once, so a whole check takes about this long.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(1);

/// Two answers further apart than this disagree; the minority is outvoted.
pub const AGREEMENT: f64 = 2.0;

/// Independent sources (machines) that must agree, within [`AGREEMENT`], before codes are
/// moved by network time. One alone is shown, never applied.
pub const SOURCES_FOR_CORRECTION: usize = 2;

/// What to ask.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckConfig {
    /// `host` or `host:port` (port 123 when absent).
    pub servers: Vec<String>,
    /// Asked only when fewer than [`SOURCES_FOR_CORRECTION`] SNTP machines agree (none
    /// answered, only one did, or they disagree).
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

/// Which machine an answer came from, for counting independent sources: one vote each.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Origin {
    /// The address asked (its port aside: another port is the same machine). SNTP servers
    /// are asked at the address their name resolves to; an HTTPS site counts as the address
    /// its name has here.
    Address(IpAddr),
    /// An HTTPS site whose name does not resolve here (a proxy resolves it): the name.
    Host(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// The server (`host[:port]`) or URL.
    pub target: String,
    pub outcome: Outcome,
    /// The machine that answered; `None` when it was not reached (or not asked). An answer
    /// without one counts as a machine of its own.
    pub origin: Option<Origin>,
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
    /// Independent sources (machines, SNTP and HTTPS together) whose answers agree on the
    /// offset: at least 1.
    pub agreeing: usize,
}

impl Measurement {
    pub fn verdict(&self) -> Verdict {
        Verdict::of(self.offset)
    }

    /// The correction network-corrected codes may apply: the measured offset when at least
    /// [`SOURCES_FOR_CORRECTION`] independent sources agree on it, else none. A lone source
    /// (one machine answered) is for showing only.
    pub fn correction(&self) -> Option<f64> {
        (self.agreeing >= SOURCES_FOR_CORRECTION).then_some(self.offset)
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

impl NoTimeSource {
    /// Sources answered, but disagreed with no majority (every answer outvoted), rather than
    /// none being reached.
    pub fn disagreed(&self) -> bool {
        self.sntp
            .iter()
            .chain(&self.https)
            .any(|r| matches!(r.outcome, Outcome::Outvoted { .. }))
    }
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

/// Asks the SNTP servers, then, unless [`SOURCES_FOR_CORRECTION`] SNTP machines agree, the
/// HTTPS sites too, and takes what most machines agree on. Blocks for about `config.timeout`
/// (three times that when the HTTPS sites are asked); call it off the UI thread.
pub fn check(config: &CheckConfig) -> Result<Measurement, NoTimeSource> {
    let mut sntp = sntp::query_all(&config.servers, config.timeout);
    let tally = consensus(&sntp, |_| true);
    if let Some(agreed) = &tally.agreed
        && agreed.sources >= SOURCES_FOR_CORRECTION
    {
        tally.outvote(&mut sntp);
        let https = config
            .https_urls
            .iter()
            .map(|url| Report {
                target: url.clone(),
                outcome: Outcome::NotAsked,
                origin: None,
            })
            .collect();
        return Ok(Measurement {
            offset: agreed.offset,
            source: Source::Sntp {
                server: sntp[agreed.chosen].target.clone(),
            },
            agreeing: agreed.sources,
            sntp,
            https,
            measured_at: system_now(),
        });
    }
    // Nobody answered, one machine did, or they disagree: the HTTPS sites stand in, or give
    // a second opinion. SNTP answers (finer than a Date header) still give the offset when
    // they are in the majority.
    let asked_sntp = sntp.len();
    let mut reports = sntp;
    reports.extend(http_date::query_all(&config.https_urls, config.timeout));
    let tally = consensus(&reports, |i| i < asked_sntp);
    tally.outvote(&mut reports);
    let https = reports.split_off(asked_sntp);
    let sntp = reports;
    match tally.agreed {
        Some(agreed) => Ok(Measurement {
            offset: agreed.offset,
            source: if agreed.chosen < asked_sntp {
                Source::Sntp {
                    server: sntp[agreed.chosen].target.clone(),
                }
            } else {
                Source::HttpDate {
                    url: https[agreed.chosen - asked_sntp].target.clone(),
                }
            },
            agreeing: agreed.sources,
            sntp,
            https,
            measured_at: system_now(),
        }),
        None => Err(NoTimeSource { sntp, https }),
    }
}

/// What a majority of machines agrees on.
#[derive(Debug, Clone, PartialEq)]
struct Agreed {
    offset: f64,
    /// The report the offset was taken from.
    chosen: usize,
    /// Machines that agree (one vote each).
    sources: usize,
}

/// The outcome of a vote over answers.
#[derive(Debug, Clone, PartialEq)]
struct Tally {
    agreed: Option<Agreed>,
    /// Answers against the majority; every answer when there is none.
    outvoted: Vec<usize>,
}

impl Tally {
    /// Marks the outvoted answers in `reports` (the ones voted over).
    fn outvote(&self, reports: &mut [Report]) {
        for &i in &self.outvoted {
            if let Outcome::Answered { offset, .. } = reports[i].outcome {
                reports[i].outcome = Outcome::Outvoted { offset };
            }
        }
    }
}

/// An answer: its report's index and offset.
type Answer = (usize, f64);

/// One vote per machine ([`Origin`]; an answer without one is a machine of its own): its
/// first answer in `reports`. The largest group of votes within [`AGREEMENT`] of one of them
/// wins if it is a strict majority of the votes; two machines that disagree cannot tell which
/// one lies, so then nobody wins and every answer is outvoted. Answers (a machine's later
/// ones too) within [`AGREEMENT`] of the winning vote count, the others are outvoted. The
/// offset is the lower middle counted answer among the `preferred` reports when there are
/// some (SNTP: finer than a `Date` header), else among all counted: always a real answer.
fn consensus(reports: &[Report], preferred: impl Fn(usize) -> bool) -> Tally {
    let answers: Vec<Answer> = reports
        .iter()
        .enumerate()
        .filter_map(|(i, r)| match r.outcome {
            Outcome::Answered { offset, .. } => Some((i, offset)),
            _ => None,
        })
        .collect();
    let mut machines = HashSet::new();
    let votes: Vec<f64> = answers
        .iter()
        .filter(|(i, _)| match &reports[*i].origin {
            Some(origin) => machines.insert(origin),
            None => true,
        })
        .map(|&(_, offset)| offset)
        .collect();
    let near = |a: f64, b: f64| (a - b).abs() <= AGREEMENT;
    // The vote with the most votes near it (the first such).
    let mut best: Option<(f64, usize)> = None;
    for &center in &votes {
        let support = votes.iter().filter(|&&v| near(v, center)).count();
        if best.is_none_or(|(_, most)| support > most) {
            best = Some((center, support));
        }
    }
    let Some((center, sources)) = best.filter(|&(_, support)| support * 2 > votes.len()) else {
        return Tally {
            agreed: None,
            outvoted: answers.iter().map(|&(i, _)| i).collect(),
        };
    };
    let (counted, against): (Vec<Answer>, Vec<Answer>) = answers
        .iter()
        .partition(|&&(_, offset)| near(offset, center));
    let mut pool: Vec<Answer> = counted
        .iter()
        .copied()
        .filter(|&(i, _)| preferred(i))
        .collect();
    if pool.is_empty() {
        pool = counted;
    }
    pool.sort_by(|a, b| a.1.total_cmp(&b.1));
    // With an even count the lower middle answer is taken, so the offset is a real answer.
    let (chosen, offset) = pool[(pool.len() - 1) / 2];
    Tally {
        agreed: Some(Agreed {
            offset,
            chosen,
            sources,
        }),
        outvoted: against.iter().map(|&(i, _)| i).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An answer from machine `ip` (`None`: not known, a machine of its own).
    fn answered_by(target: &str, ip: Option<&str>, offset: f64) -> Report {
        Report {
            target: target.into(),
            outcome: Outcome::Answered {
                offset,
                delay: 0.01,
            },
            origin: ip.map(|ip| Origin::Address(ip.parse().unwrap())),
        }
    }

    fn answered(target: &str, offset: f64) -> Report {
        answered_by(target, None, offset)
    }

    /// The vote with SNTP answers only, its outvoted answers marked.
    fn vote(mut reports: Vec<Report>) -> (Vec<Report>, Option<Agreed>) {
        let tally = consensus(&reports, |_| true);
        tally.outvote(&mut reports);
        (reports, tally.agreed)
    }

    fn measurement(agreeing: usize) -> Measurement {
        Measurement {
            offset: 300.0,
            source: Source::Sntp { server: "a".into() },
            sntp: Vec::new(),
            https: Vec::new(),
            measured_at: 0.0,
            agreeing,
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
        let (reports, found) = vote(reports);
        let found = found.unwrap();
        assert_eq!((found.offset, found.chosen, found.sources), (0.02, 0, 2));
        assert_eq!(reports[1].outcome, Outcome::Outvoted { offset: ten_years });
        assert!(matches!(reports[0].outcome, Outcome::Answered { .. }));
    }

    #[test]
    fn two_that_disagree_give_no_answer() {
        let reports = vec![answered("honest", 0.0), answered("liar", -315_576_000.0)];
        let (reports, found) = vote(reports);
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
            origin: None,
        }];
        assert!(vote(reports).1.is_none());
    }

    #[test]
    fn agreeing_sources_are_counted_per_machine() {
        let one = |reports| vote(reports).1.map(|a| a.sources);
        assert_eq!(one(vec![answered_by("a", Some("192.0.2.1"), 5.0)]), Some(1));
        // Two names (or ports) of one machine: one source.
        assert_eq!(
            one(vec![
                answered_by("a", Some("192.0.2.1"), 5.0),
                answered_by("a-again", Some("192.0.2.1"), 5.1),
            ]),
            Some(1)
        );
        // Two machines within 2 s of each other: two sources.
        assert_eq!(
            one(vec![
                answered_by("a", Some("192.0.2.1"), 5.0),
                answered_by("b", Some("192.0.2.2"), 6.9),
            ]),
            Some(2)
        );
        // IPv4 and IPv6 addresses are different machines as far as anyone can tell.
        assert_eq!(
            one(vec![
                answered_by("a", Some("192.0.2.1"), 5.0),
                answered_by("b", Some("2001:db8::1"), 5.0),
            ]),
            Some(2)
        );
    }

    #[test]
    fn one_machine_cannot_outvote_another_by_answering_twice() {
        // A liar behind two names against one honest machine: one vote each, no majority.
        let (reports, found) = vote(vec![
            answered_by("liar", Some("192.0.2.66"), 300.0),
            answered_by("liar-alias", Some("192.0.2.66"), 300.0),
            answered_by("honest", Some("192.0.2.1"), 0.0),
        ]);
        assert_eq!(found, None);
        assert!(
            reports
                .iter()
                .all(|r| matches!(r.outcome, Outcome::Outvoted { .. }))
        );
        // With a second honest machine the liar loses, under both of its names.
        let (reports, found) = vote(vec![
            answered_by("liar", Some("192.0.2.66"), 300.0),
            answered_by("liar-alias", Some("192.0.2.66"), 300.0),
            answered_by("honest", Some("192.0.2.1"), 0.0),
            answered_by("honest-too", Some("192.0.2.2"), 0.1),
        ]);
        let found = found.unwrap();
        assert_eq!((found.offset, found.sources), (0.0, 2));
        assert!(matches!(reports[0].outcome, Outcome::Outvoted { .. }));
        assert!(matches!(reports[1].outcome, Outcome::Outvoted { .. }));
    }

    #[test]
    fn sntp_gives_the_offset_and_a_date_header_the_second_vote() {
        // reports[0] is SNTP, reports[1] an HTTPS Date half a second off.
        let reports = vec![
            answered_by("ntp", Some("192.0.2.1"), 90.2),
            answered_by("https", Some("192.0.2.2"), 89.7),
        ];
        let tally = consensus(&reports, |i| i == 0);
        let agreed = tally.agreed.unwrap();
        assert_eq!((agreed.chosen, agreed.offset, agreed.sources), (0, 90.2, 2));
        assert!(tally.outvoted.is_empty());
        // Only Date headers: theirs.
        let tally = consensus(&reports[1..], |_| false);
        assert_eq!(tally.agreed.unwrap().offset, 89.7);
    }

    #[test]
    fn only_two_agreeing_sources_move_the_codes() {
        assert_eq!(measurement(1).correction(), None);
        assert_eq!(measurement(2).correction(), Some(300.0));
        assert_eq!(measurement(3).correction(), Some(300.0));
        assert_eq!(code_time(1000.0, true, Some(&measurement(1))), 1000.0);
        assert_eq!(code_time(1000.0, true, Some(&measurement(2))), 1300.0);
        assert_eq!(code_time(1000.0, false, Some(&measurement(2))), 1000.0);
    }

    #[test]
    fn no_majority_is_a_disagreement_not_silence() {
        let (sntp, _) = vote(vec![answered("a", 0.0), answered("b", 300.0)]);
        assert!(
            NoTimeSource {
                sntp,
                https: Vec::new()
            }
            .disagreed()
        );
        let failed = Report {
            target: "a".into(),
            outcome: Outcome::Failed {
                reason: "refused".into(),
            },
            origin: None,
        };
        assert!(
            !NoTimeSource {
                sntp: vec![failed],
                https: Vec::new()
            }
            .disagreed()
        );
    }
}
