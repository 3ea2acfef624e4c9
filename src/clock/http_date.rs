//! The fallback when UDP 123 is blocked: the `Date` header of an HTTPS response (RFC 9110
//! §6.6.1), one-second resolution, from a few well-known sites at once.

use std::sync::mpsc;
use std::time::{Duration, Instant};

use super::{Outcome, Report, system_now};

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
    let mut outcomes: Vec<Option<Outcome>> = vec![None; urls.len()];
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
        .map(|(url, outcome)| Report {
            target: url.clone(),
            outcome: outcome.unwrap_or_else(|| Outcome::Failed {
                reason: format!("no answer within {:.1} s", (timeout * 2).as_secs_f64()),
            }),
        })
        .collect()
}

fn query(url: &str, timeout: Duration) -> Outcome {
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
    use super::parse_http_date;

    #[test]
    fn imf_fixdate() {
        assert_eq!(
            parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"),
            Some(784111777.0)
        );
        assert_eq!(parse_http_date("yesterday"), None);
    }
}
