//! SNTP (RFC 4330) queries through rsntp, one thread per server, all at once.
//!
//! rsntp validates each reply (originate timestamp, mode, transmit timestamp, alarm/unsynchronised
//! leap indicator, Kiss-o'-Death); we also refuse strata outside 1..=15 and turn every failure
//! into a reason a person can read. Each name is resolved here, and the server asked at that
//! one address, so the report can say which machine answered (two names, one machine: one
//! source).

use std::io::ErrorKind;
use std::net::{IpAddr, SocketAddr, ToSocketAddrs};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use rsntp::{Config, ProtocolError, SntpClient, SynchronizationError};

use super::{Origin, Outcome, Report};

/// The NTP port, when a server is given without one.
const NTP_PORT: u16 = 123;

/// Asks every server in parallel; returns one report per server, in the given order, after at
/// most about `timeout` (servers still silent then are reported as not answering).
pub fn query_all(servers: &[String], timeout: Duration) -> Vec<Report> {
    let (tx, rx) = mpsc::channel();
    for (index, server) in servers.iter().enumerate() {
        let tx = tx.clone();
        let server = server.clone();
        // Detached on purpose: a server whose name takes long to resolve must not hold up
        // the answer; its thread ends on its own.
        let _ = std::thread::Builder::new()
            .name("kunci-sntp".into())
            .spawn(move || {
                let _ = tx.send((index, query(&server, timeout)));
            });
    }
    drop(tx);
    let mut outcomes: Vec<Option<(Outcome, Option<Origin>)>> = vec![None; servers.len()];
    let deadline = Instant::now() + timeout + Duration::from_millis(300);
    while outcomes.iter().any(Option::is_none) {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok((index, outcome)) => outcomes[index] = Some(outcome),
            Err(_) => break,
        }
    }
    servers
        .iter()
        .zip(outcomes)
        .map(|(server, outcome)| {
            let (outcome, origin) = outcome.unwrap_or_else(|| {
                let reason = format!("no answer within {:.1} s", timeout.as_secs_f64());
                (Outcome::Failed { reason }, None)
            });
            Report {
                target: server.clone(),
                outcome,
                origin,
            }
        })
        .collect()
}

/// The address `server` (`host`, `host:port`, an IP address) is asked at: the first IPv4
/// address its name has, else the first address (what rsntp itself would reach).
fn resolve(server: &str) -> std::io::Result<SocketAddr> {
    let all: Vec<SocketAddr> = if let Ok(ip) = server.parse::<IpAddr>() {
        vec![SocketAddr::new(ip, NTP_PORT)]
    } else if let Some(ip) = server
        .strip_prefix('[')
        .and_then(|s| s.strip_suffix(']'))
        .and_then(|s| s.parse::<IpAddr>().ok())
    {
        vec![SocketAddr::new(ip, NTP_PORT)]
    } else if server.contains(':') {
        server.to_socket_addrs()?.collect()
    } else {
        (server, NTP_PORT).to_socket_addrs()?.collect()
    };
    all.iter()
        .find(|a| a.is_ipv4())
        .or(all.first())
        .copied()
        .ok_or_else(|| std::io::Error::new(ErrorKind::NotFound, "the name has no address"))
}

fn query(server: &str, timeout: Duration) -> (Outcome, Option<Origin>) {
    let address = match resolve(server) {
        Ok(address) => address,
        Err(e) => {
            let reason = format!("cannot reach it: {e}");
            return (Outcome::Failed { reason }, None);
        }
    };
    let origin = Some(Origin::Address(address.ip()));
    (ask(address, timeout), origin)
}

fn ask(address: SocketAddr, timeout: Duration) -> Outcome {
    let bind: SocketAddr = if address.is_ipv4() {
        ([0u8; 4], 0).into()
    } else {
        ([0u16; 8], 0).into()
    };
    let client = SntpClient::with_config(Config::default().timeout(timeout).bind_address(bind));
    match client.synchronize(address) {
        Ok(result) => {
            let stratum = result.stratum();
            if !(1..=15).contains(&stratum) {
                return Outcome::Failed {
                    reason: format!("bad reply: stratum {stratum} is not a synchronised server"),
                };
            }
            let offset = result.clock_offset().as_secs_f64();
            let delay = result.round_trip_delay().as_secs_f64();
            if !offset.is_finite() || !delay.is_finite() || delay < 0.0 {
                return Outcome::Failed {
                    reason: "bad reply: impossible timestamps".into(),
                };
            }
            Outcome::Answered { offset, delay }
        }
        Err(e) => Outcome::Failed {
            reason: reason(&e, timeout),
        },
    }
}

fn reason(error: &SynchronizationError, timeout: Duration) -> String {
    match error {
        SynchronizationError::IOError(io) => match io.kind() {
            ErrorKind::WouldBlock | ErrorKind::TimedOut => {
                format!("no answer within {:.1} s", timeout.as_secs_f64())
            }
            ErrorKind::ConnectionRefused => "refused: nothing answers on that port".into(),
            _ => format!("cannot reach it: {io}"),
        },
        SynchronizationError::ProtocolError(p) => match p {
            ProtocolError::KissODeath(code) => {
                format!("bad reply: Kiss-o'-Death from the server ({code:?}:{code})")
            }
            ProtocolError::InvalidOriginateTimestamp => {
                "bad reply: it does not answer our request (wrong originate timestamp)".into()
            }
            ProtocolError::PacketIsTooShort => "bad reply: truncated packet".into(),
            ProtocolError::ServerNotSynchronized => {
                "bad reply: the server says its own clock is not synchronised".into()
            }
            other => format!("bad reply: {other}"),
        },
    }
}
