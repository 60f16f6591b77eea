//! When and how long to wait before trying a request again: the one retry loop.
//!
//! [`Retries::run`] decides every retry of every call: HTTP status classes, `Retry-After`, a
//! lost, cut or malformed body, the operation's retry class and the shared budget. Its callers
//! only say what one attempt came to ([`Outcome`]); the attempt count is the loop's own state,
//! handed to each attempt.
//!
//! Backoff is exponential with full jitter (a random delay between zero and the exponential
//! ceiling), so clients that failed together do not retry together. A server's `Retry-After`
//! (seconds or an HTTP date) wins over the backoff, up to a cap; a longer wait is returned to the
//! caller as a rate-limit error instead of being slept. A retry budget shared by every clone of a
//! client stops retries from multiplying load when the API is down.

use std::future::Future;
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use reqwest::StatusCode;
use reqwest::header::{HeaderMap, RETRY_AFTER};

use crate::raw::{Operation, RetryClass};

/// How a client retries failed requests.
///
/// Start from [`RetryPolicy::default`] (or [`RetryPolicy::none`]) and change what you need with
/// the `with_` methods; the fields can be read, and more may come.
///
/// ```
/// use std::time::Duration;
///
/// let patient = adsterra::RetryPolicy::default()
///     .with_max_retries(6)
///     .with_max_backoff(Duration::from_secs(30));
/// assert_eq!(patient.max_retries, 6);
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct RetryPolicy {
    /// Retries after the first attempt (0 turns retrying off).
    pub max_retries: u32,
    /// The ceiling of the first backoff; it doubles with each retry.
    pub initial_backoff: Duration,
    /// The largest backoff ceiling.
    pub max_backoff: Duration,
    /// The longest `Retry-After` the client waits for; longer ones end the call with
    /// [`Error::RateLimited`](crate::Error::RateLimited).
    pub max_retry_after: Duration,
    /// Retries the budget holds when full; every retry spends one, every success earns back a
    /// tenth. Shared across clones of the client.
    pub budget: u32,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_retries: 3,
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(8),
            max_retry_after: Duration::from_secs(60),
            budget: 20,
        }
    }
}

impl RetryPolicy {
    /// Never retry.
    pub fn none() -> Self {
        Self {
            max_retries: 0,
            ..Self::default()
        }
    }

    /// This policy, with `retries` retries after the first attempt (0 turns retrying off).
    #[must_use]
    pub fn with_max_retries(mut self, retries: u32) -> Self {
        self.max_retries = retries;
        self
    }

    /// This policy, with the ceiling of the first backoff.
    #[must_use]
    pub fn with_initial_backoff(mut self, backoff: Duration) -> Self {
        self.initial_backoff = backoff;
        self
    }

    /// This policy, with the largest backoff ceiling.
    #[must_use]
    pub fn with_max_backoff(mut self, backoff: Duration) -> Self {
        self.max_backoff = backoff;
        self
    }

    /// This policy, with the longest `Retry-After` the client waits for.
    #[must_use]
    pub fn with_max_retry_after(mut self, wait: Duration) -> Self {
        self.max_retry_after = wait;
        self
    }

    /// This policy, with a budget of `retries` retries shared across clones of the client.
    #[must_use]
    pub fn with_budget(mut self, retries: u32) -> Self {
        self.budget = retries;
        self
    }

    /// The backoff before retry number `retry` (0 for the first retry): a uniformly random
    /// duration up to `min(max_backoff, initial_backoff * 2^retry)`.
    pub fn backoff(&self, retry: u32) -> Duration {
        let ceiling = self
            .initial_backoff
            .saturating_mul(1u32.checked_shl(retry).unwrap_or(u32::MAX))
            .min(self.max_backoff);
        ceiling.mul_f64(fastrand::f64())
    }
}

/// Statuses worth another attempt: the request timed out, was throttled, or met a server fault.
pub fn is_retryable_status(status: StatusCode) -> bool {
    matches!(status.as_u16(), 408 | 429 | 500 | 502 | 503 | 504)
}

/// The wait a response asks for in `Retry-After`: delta-seconds or an HTTP date.
pub fn retry_after(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let date = httpdate::parse_http_date(value).ok()?;
    Some(date.duration_since(now).unwrap_or(Duration::ZERO))
}

/// Retries a client may still spend, shared by its clones. Counted in tenths of a retry, so a
/// success can earn back a tenth exactly.
#[derive(Debug)]
pub struct RetryBudget {
    capacity_tenths: u64,
    tenths: Mutex<u64>,
}

impl RetryBudget {
    /// A full budget of `capacity` retries.
    pub fn new(capacity: u32) -> Self {
        let capacity_tenths = u64::from(capacity) * 10;
        Self {
            capacity_tenths,
            tenths: Mutex::new(capacity_tenths),
        }
    }

    /// Takes one retry from the budget; false when it is spent.
    pub fn withdraw(&self) -> bool {
        let mut tenths = self.tenths.lock().unwrap_or_else(|p| p.into_inner());
        if *tenths >= 10 {
            *tenths -= 10;
            true
        } else {
            false
        }
    }

    /// A success earns back a tenth of a retry.
    pub fn deposit(&self) {
        let mut tenths = self.tenths.lock().unwrap_or_else(|p| p.into_inner());
        *tenths = (*tenths + 1).min(self.capacity_tenths);
    }
}

/// A client's retry policy with the budget its clones share: what the request policy spends on
/// failed requests and the call layer on lost bodies.
#[derive(Debug)]
pub(crate) struct Retries {
    pub(crate) policy: RetryPolicy,
    pub(crate) budget: RetryBudget,
}

impl Retries {
    pub(crate) fn new(policy: RetryPolicy) -> Self {
        Self {
            budget: RetryBudget::new(policy.budget),
            policy,
        }
    }

    /// Runs `attempt` (given its number, from 1) until it is done or a failure may not, or
    /// need not, be tried again; returns what the last attempt came to.
    pub(crate) async fn run<T, Fut>(
        &self,
        operation: &'static Operation,
        mut attempt: impl FnMut(u32) -> Fut,
    ) -> T
    where
        Fut: Future<Output = Outcome<T>>,
    {
        let mut attempts = 1;
        loop {
            let (last, failure) = match attempt(attempts).await {
                Outcome::Done(last) => {
                    self.budget.deposit();
                    return last;
                }
                Outcome::Failed(last, failure) => (last, failure),
            };
            let Some(wait) = self.wait(operation.retry, failure, attempts) else {
                tracing::debug!(operation = operation.id, attempts, "done");
                return last;
            };
            tracing::debug!(
                operation = operation.id,
                attempts,
                wait_ms = wait.as_millis() as u64,
                "retrying"
            );
            tokio::time::sleep(wait).await;
            attempts += 1;
        }
    }

    /// The wait before attempt `attempts + 1` after `failure`, when the operation's class
    /// allows another attempt, the server's wait is not too long, the policy has retries left
    /// and the budget pays for one.
    fn wait(&self, class: RetryClass, failure: Failure, attempts: u32) -> Option<Duration> {
        if !failure.allows(class) {
            return None;
        }
        let wait = match failure.retry_after {
            Some(wait) if wait > self.policy.max_retry_after => return None,
            Some(wait) => wait,
            None => self.policy.backoff(attempts - 1),
        };
        (attempts <= self.policy.max_retries && self.budget.withdraw()).then_some(wait)
    }
}

/// What one attempt of a call came to, as the retry loop sees it.
pub(crate) enum Outcome<T> {
    /// Success, or a failure that another attempt would not mend (a 404, a 422).
    Done(T),
    /// A transient failure: the call ends with `T` unless the loop tries again.
    Failed(T, Failure),
}

/// A transient failure: whether the server may have handled the request decides which
/// operations may be sent again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Failure {
    /// Whether the server surely did not handle it (a 429, a refused connection).
    pub(crate) refused: bool,
    /// The wait the server asked for.
    pub(crate) retry_after: Option<Duration>,
}

impl Failure {
    /// Refused before it was handled: every operation may be sent again.
    pub(crate) const REFUSED: Self = Self {
        refused: true,
        retry_after: None,
    };
    /// Maybe handled (a 5xx, a timeout, a lost, cut or malformed body): only an operation that
    /// may run twice is sent again.
    pub(crate) const LOST: Self = Self {
        refused: false,
        retry_after: None,
    };

    /// The failure a response's status means, if it is a transient one.
    pub(crate) fn of_status(status: StatusCode, headers: &HeaderMap) -> Option<Self> {
        is_retryable_status(status).then(|| Self {
            refused: status == StatusCode::TOO_MANY_REQUESTS,
            retry_after: retry_after(headers, SystemTime::now()),
        })
    }

    /// The failure a transport error means, if it is a transient one.
    pub(crate) fn of_transport(error: &reqwest::Error) -> Option<Self> {
        if error.is_connect() {
            Some(Self::REFUSED)
        } else if error.is_timeout() || error.is_request() || error.is_body() {
            Some(Self::LOST)
        } else {
            None
        }
    }

    /// Whether an operation of `class` may be sent again after this failure.
    pub(crate) fn allows(self, class: RetryClass) -> bool {
        self.refused || class.retries_handled_failures()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    #[test]
    fn backoff_is_full_jitter_under_a_doubling_ceiling() {
        let policy = RetryPolicy::default();
        for retry in 0..10 {
            let ceiling =
                (Duration::from_millis(500) * 2u32.pow(retry)).min(Duration::from_secs(8));
            let delays: Vec<Duration> = (0..200).map(|_| policy.backoff(retry)).collect();
            assert!(delays.iter().all(|d| *d <= ceiling), "retry {retry}");
            // Full jitter spreads delays over the whole range, down to near zero.
            assert!(delays.iter().any(|d| *d < ceiling / 4), "retry {retry}");
        }
        assert!(policy.backoff(u32::MAX) <= Duration::from_secs(8));
    }

    #[test]
    fn retry_after_reads_seconds_and_http_dates() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let mut headers = HeaderMap::new();
        headers.insert(RETRY_AFTER, HeaderValue::from_static("7"));
        assert_eq!(retry_after(&headers, now), Some(Duration::from_secs(7)));
        let later = httpdate::fmt_http_date(now + Duration::from_secs(30));
        headers.insert(RETRY_AFTER, HeaderValue::from_str(&later).unwrap());
        assert_eq!(retry_after(&headers, now), Some(Duration::from_secs(30)));
        let past = httpdate::fmt_http_date(now - Duration::from_secs(30));
        headers.insert(RETRY_AFTER, HeaderValue::from_str(&past).unwrap());
        assert_eq!(retry_after(&headers, now), Some(Duration::ZERO));
        headers.insert(RETRY_AFTER, HeaderValue::from_static("soon"));
        assert_eq!(retry_after(&headers, now), None);
    }

    #[test]
    fn the_budget_runs_out_and_refills_slowly() {
        let budget = RetryBudget::new(2);
        assert!(budget.withdraw() && budget.withdraw());
        assert!(!budget.withdraw());
        for _ in 0..10 {
            budget.deposit();
        }
        assert!(budget.withdraw());
        assert!(!budget.withdraw());
    }

    #[test]
    fn retryable_statuses_are_the_transient_ones() {
        for code in [408, 429, 500, 502, 503, 504] {
            assert!(
                is_retryable_status(StatusCode::from_u16(code).unwrap()),
                "{code}"
            );
        }
        for code in [200, 400, 401, 403, 404, 405, 422, 501] {
            assert!(
                !is_retryable_status(StatusCode::from_u16(code).unwrap()),
                "{code}"
            );
        }
    }
}
