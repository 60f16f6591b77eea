//! Fault injection: what can go wrong between a client and Adsterra, on demand.
//!
//! Faults are drawn per request from the run's seed and the request's sequence number, so a run
//! with the same seed and the same requests sees the same faults. Some faults strike before the
//! request is handled (429, 5xx, a redirect: nothing was changed), others after (a dropped
//! connection, a truncated or malformed body: the server did the work, the answer was lost),
//! because that is what clients must survive without applying a write twice.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

/// The faults of a run: a latency added to every request, and the share of requests (0 to 1)
/// that suffer each fault. The shares add up to at most 1.
///
/// Read one from a `--faults` spec such as `"500=0.1,drop=0.05,latency=20ms"` (`str::parse`).
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct Faults {
    /// Added before every response.
    pub latency: Duration,
    /// Answered 429 with `Retry-After: 1`.
    pub rate_limited: f64,
    /// Answered 500.
    pub internal_error: f64,
    /// Answered 502.
    pub bad_gateway: f64,
    /// Answered 503.
    pub unavailable: f64,
    /// Connection closed without any response (after the request was handled).
    pub dropped: f64,
    /// Body cut short of its `Content-Length` (after the request was handled).
    pub truncated: f64,
    /// Body complete but not valid JSON, XML or CSV (after the request was handled).
    pub malformed: f64,
    /// Answered 307 to the same path on another origin (the decoy), before handling.
    pub redirect: f64,
}

/// One fault drawn for one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Fault {
    /// An error status (429, 500, 502 or 503) instead of handling the request.
    Status(u16),
    /// A redirect to the decoy origin instead of handling the request.
    Redirect,
    /// Handle the request, then close the connection without answering.
    Drop,
    /// Handle the request, then send a body cut short.
    Truncate,
    /// Handle the request, then send a body that does not parse.
    Malformed,
}

impl Fault {
    /// Its name in a `--faults` spec: `429`, `500`, `502`, `503`, `redirect`, `drop`,
    /// `truncate` or `malformed`.
    pub fn name(self) -> &'static str {
        match self {
            Fault::Status(429) => "429",
            Fault::Status(500) => "500",
            Fault::Status(502) => "502",
            Fault::Status(503) => "503",
            Fault::Status(_) => "5xx",
            Fault::Redirect => "redirect",
            Fault::Drop => "drop",
            Fault::Truncate => "truncate",
            Fault::Malformed => "malformed",
        }
    }

    /// Whether the request is handled (and a write applied) before the fault strikes.
    pub fn after_handling(self) -> bool {
        matches!(self, Fault::Drop | Fault::Truncate | Fault::Malformed)
    }
}

impl Faults {
    /// No faults at all.
    pub fn none() -> Self {
        Self::default()
    }

    /// The fault for a roll in `[0, 1)`, if any: the shares are laid end to end.
    pub fn pick(&self, roll: f64) -> Option<Fault> {
        let shares = [
            (self.rate_limited, Fault::Status(429)),
            (self.internal_error, Fault::Status(500)),
            (self.bad_gateway, Fault::Status(502)),
            (self.unavailable, Fault::Status(503)),
            (self.redirect, Fault::Redirect),
            (self.dropped, Fault::Drop),
            (self.truncated, Fault::Truncate),
            (self.malformed, Fault::Malformed),
        ];
        let mut edge = 0.0;
        for (share, fault) in shares {
            edge += share;
            if roll < edge {
                return Some(fault);
            }
        }
        None
    }

    fn shares(&mut self) -> [(&'static str, &mut f64); 8] {
        [
            ("429", &mut self.rate_limited),
            ("500", &mut self.internal_error),
            ("502", &mut self.bad_gateway),
            ("503", &mut self.unavailable),
            ("drop", &mut self.dropped),
            ("truncate", &mut self.truncated),
            ("malformed", &mut self.malformed),
            ("redirect", &mut self.redirect),
        ]
    }
}

/// A `--faults` value that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "invalid fault spec {spec:?}: {reason}; write e.g. \"latency=50ms,429=0.1,500=0.05,drop=0.02\" or \"none\""
)]
pub struct FaultSpecError {
    spec: String,
    reason: String,
}

impl FromStr for Faults {
    type Err = FaultSpecError;

    /// Reads `latency=50ms,429=0.1,500=0.05,502=0.05,503=0.05,drop=0.02,truncate=0.02,
    /// malformed=0.02,redirect=0.01` (any subset, any order) or `none`.
    fn from_str(spec: &str) -> Result<Self, Self::Err> {
        let error = |reason: String| FaultSpecError {
            spec: spec.to_owned(),
            reason,
        };
        let mut faults = Faults::none();
        if spec.trim().eq_ignore_ascii_case("none") || spec.trim().is_empty() {
            return Ok(faults);
        }
        for part in spec.split(',').map(str::trim) {
            let (key, value) = part
                .split_once('=')
                .ok_or_else(|| error(format!("{part:?} is not key=value")))?;
            if key == "latency" {
                let millis = value
                    .strip_suffix("ms")
                    .and_then(|v| v.parse::<u64>().ok())
                    .ok_or_else(|| {
                        error(format!("latency {value:?} is not milliseconds like 50ms"))
                    })?;
                faults.latency = Duration::from_millis(millis);
                continue;
            }
            let share: f64 = value
                .parse()
                .ok()
                .filter(|s: &f64| (0.0..=1.0).contains(s))
                .ok_or_else(|| error(format!("{key}={value}: a share is a number from 0 to 1")))?;
            let mut shares = faults.shares();
            let slot = shares
                .iter_mut()
                .find(|(name, _)| *name == key)
                .ok_or_else(|| error(format!("unknown fault {key:?}; known: latency, 429, 500, 502, 503, drop, truncate, malformed, redirect")))?;
            *slot.1 = share;
        }
        let total: f64 = faults.shares().iter().map(|(_, s)| **s).sum();
        if total > 1.0 + 1e-9 {
            return Err(error(format!("the shares add up to {total}, more than 1")));
        }
        Ok(faults)
    }
}

impl fmt::Display for Faults {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts = Vec::new();
        if !self.latency.is_zero() {
            parts.push(format!("latency={}ms", self.latency.as_millis()));
        }
        let mut copy = self.clone();
        for (name, share) in copy.shares() {
            if *share > 0.0 {
                parts.push(format!("{name}={share}"));
            }
        }
        if parts.is_empty() {
            f.write_str("none")
        } else {
            f.write_str(&parts.join(","))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_a_spec() {
        let faults: Faults = "latency=50ms,429=0.1,500=0.05,drop=0.02,redirect=0.01"
            .parse()
            .unwrap();
        assert_eq!(faults.latency, Duration::from_millis(50));
        assert_eq!(faults.rate_limited, 0.1);
        assert_eq!(
            faults.to_string(),
            "latency=50ms,429=0.1,500=0.05,drop=0.02,redirect=0.01"
        );
        assert_eq!("none".parse::<Faults>().unwrap(), Faults::none());
    }

    #[test]
    fn rejects_bad_specs_saying_why() {
        for (spec, says) in [
            ("429", "not key=value"),
            ("teapot=0.1", "unknown fault"),
            ("500=2", "from 0 to 1"),
            ("latency=fast", "milliseconds"),
            ("500=0.6,503=0.6", "more than 1"),
        ] {
            let error = spec.parse::<Faults>().unwrap_err().to_string();
            assert!(error.contains(says), "{spec}: {error}");
        }
    }

    #[test]
    fn shares_are_laid_end_to_end() {
        let faults: Faults = "429=0.25,drop=0.25".parse().unwrap();
        assert_eq!(faults.pick(0.1), Some(Fault::Status(429)));
        assert_eq!(faults.pick(0.3), Some(Fault::Drop));
        assert_eq!(faults.pick(0.6), None);
        assert_eq!(Faults::none().pick(0.0), None);
    }
}
