//! The fallback when UDP 123 is blocked: the `Date` header of an HTTPS response (RFC 9110
//! §6.6.1), one-second resolution, from a few well-known sites at once; also the second
//! opinion when only one SNTP server answers.

use std::net::{IpAddr, SocketAddr, ToSocketAddrs};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use super::{Origin, Outcome, Report, system_now};

/// Asks every URL in parallel with HEAD; one report per URL, in order.
pub fn query_all(urls: &[String], timeout: Duration) -> Vec<Report> {
    let (tx, rx) = mpsc::channel();
    for (index, url) in urls.iter().enumerate() {
        let tx = tx.clone();
        let url = url.clone();
        let _ = std::thread::Builder::new()
            .name("kunci-http-date".into())
            .spawn(move || {
                let _ = tx.send((index, query(&url, timeout)));
            });
    }
    drop(tx);
    let mut outcomes: Vec<Option<(Outcome, Option<Origin>)>> = vec![None; urls.len()];
    // TLS needs a few round trips: allow twice the SNTP timeout.
    let deadline = Instant::now() + timeout * 2 + Duration::from_millis(300);
    while outcomes.iter().any(Option::is_none) {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok((index, outcome)) => outcomes[index] = Some(outcome),
            Err(_) => break,
        }
    }
    urls.iter()
        .zip(outcomes)
        .map(|(url, outcome)| {
            let (outcome, origin) = outcome.unwrap_or_else(|| {
                let reason = format!("no answer within {:.1} s", (timeout * 2).as_secs_f64());
                (Outcome::Failed { reason }, None)
            });
            Report {
                target: url.clone(),
                outcome,
                origin,
            }
        })
        .collect()
}

/// Asks `url`; an answer comes with the machine it counts as.
fn query(url: &str, timeout: Duration) -> (Outcome, Option<Origin>) {
    let outcome = ask(url, timeout);
    let origin = match outcome {
        Outcome::Answered { .. } => origin(url),
        _ => None,
    };
    (outcome, origin)
}

/// Which machine an answer from `url` counts as: the address its host has here (the first
/// IPv4 one, else the first), or the host name itself when it does not resolve here (behind a
/// proxy that resolves it; TLS vouches for the name).
fn origin(url: &str) -> Option<Origin> {
    origin_with(url, |host, port| {
        (host, port)
            .to_socket_addrs()
            .map(Iterator::collect)
            .unwrap_or_default()
    })
}

/// [`origin`], with the name lookup given.
fn origin_with(url: &str, lookup: impl Fn(&str, u16) -> Vec<SocketAddr>) -> Option<Origin> {
    let uri: ureq::http::Uri = url.parse().ok()?;
    let host = uri
        .host()?
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_ascii_lowercase();
    if let Ok(ip) = host.parse::<IpAddr>() {
        return Some(Origin::Address(ip));
    }
    let port = uri
        .port_u16()
        .unwrap_or(if uri.scheme_str() == Some("http") {
            80
        } else {
            443
        });
    let addresses = lookup(&host, port);
    Some(
        match addresses.iter().find(|a| a.is_ipv4()).or(addresses.first()) {
            Some(address) => Origin::Address(address.ip()),
            None => Origin::Host(host),
        },
    )
}

fn ask(url: &str, timeout: Duration) -> Outcome {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(timeout * 2))
        .http_status_as_error(false)
        .max_redirects(0)
        .tls_config(
            ureq::tls::TlsConfig::builder()
                .root_certs(ureq::tls::RootCerts::PlatformVerifier)
                .build(),
        )
        .build()
        .into();
    let sent = system_now();
    let response = match agent.head(url).call() {
        Ok(response) => response,
        Err(e) => {
            return Outcome::Failed {
                reason: format!("cannot reach it: {e}"),
            };
        }
    };
    let received = system_now();
    let Some(date) = response.headers().get("date").and_then(|v| v.to_str().ok()) else {
        return Outcome::Failed {
            reason: "the response has no Date header".into(),
        };
    };
    match parse_http_date(date) {
        // The server truncates to whole seconds: its time was, on average, half a second later.
        Some(server) => Outcome::Answered {
            offset: server + 0.5 - (sent + received) / 2.0,
            delay: received - sent,
        },
        None => Outcome::Failed {
            reason: format!("the Date header is not a date: {:.40}", date),
        },
    }
}

/// Unix seconds of an IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`).
fn parse_http_date(text: &str) -> Option<f64> {
    chrono::DateTime::parse_from_rfc2822(text.trim())
        .ok()
        .map(|t| t.timestamp() as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_site_counts_as_its_address_or_else_its_name() {
        let ip = |s: &str| Some(Origin::Address(s.parse().unwrap()));
        let nowhere = |_: &str, _: u16| Vec::new();
        assert_eq!(
            origin_with("http://127.0.0.2:8080/", nowhere),
            ip("127.0.0.2")
        );
        assert_eq!(origin_with("https://[::1]/", nowhere), ip("::1"));
        // A name: its first IPv4 address, as the SNTP servers.
        let both = |host: &str, port: u16| {
            assert_eq!(
                (host, port),
                ("time.example", 443),
                "lower case, HTTPS port"
            );
            vec![
                "[2001:db8::1]:443".parse().unwrap(),
                "192.0.2.7:443".parse().unwrap(),
            ]
        };
        assert_eq!(origin_with("https://Time.Example/", both), ip("192.0.2.7"));
        // Not resolved here (a proxy resolves it): the name stands for the machine.
        assert_eq!(
            origin_with("https://Time.Example/", nowhere),
            Some(Origin::Host("time.example".into()))
        );
        assert_eq!(origin_with("not a url", nowhere), None);
    }

    #[test]
    fn imf_fixdate() {
        assert_eq!(
            parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"),
            Some(784111777.0)
        );
        assert_eq!(parse_http_date("yesterday"), None);
    }
}
