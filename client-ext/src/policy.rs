//! The one place where requests are executed: rate limit, retries, tracing.
//!
//! The generated client hands every request to this policy (the seam in `adsterra-generated`).
//! It adds the API key as a sensitive header; spans carry the operation, method and path, never
//! headers or the query string (which could carry filters a caller considers private).

use std::cell::Cell;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::SystemTime;

use adsterra_generated::{OperationInfo, PolicyFuture, RequestPolicy};
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use reqwest::header::HeaderName;
use tracing::Instrument;

use crate::ApiToken;
use crate::raw::{Operation, RetryClass};
use crate::retry::{Retries, is_retryable_status, retry_after};

tokio::task_local! {
    /// Attempts made by the call running in this task; read by `call::send` for errors.
    pub(crate) static ATTEMPTS: Cell<u32>;
}

/// Executes requests for one client and all its clones.
#[derive(Debug)]
pub(crate) struct ClientPolicy {
    /// Its `Debug` prints `ApiToken(***)`.
    token: ApiToken,
    /// Shared with the client, whose call layer retries lost bodies from the same budget.
    retries: Arc<Retries>,
    limiter: Option<Arc<DefaultDirectRateLimiter>>,
}

impl ClientPolicy {
    /// `per_minute` requests at most (None: no client-side limit).
    pub(crate) fn new(
        token: ApiToken,
        retries: Arc<Retries>,
        per_minute: Option<NonZeroU32>,
    ) -> Self {
        Self {
            token,
            retries,
            limiter: per_minute.map(|n| Arc::new(RateLimiter::direct(Quota::per_minute(n)))),
        }
    }

    async fn run(
        &self,
        client: &reqwest::Client,
        mut request: reqwest::Request,
        operation: &'static str,
    ) -> reqwest::Result<reqwest::Response> {
        request.headers_mut().insert(
            HeaderName::from_static("x-api-key"),
            self.token.header_value(),
        );
        // The spec says whether an operation may run twice (`x-adsterra-retry`); an operation
        // the table does not know is treated as one that must not.
        let class = Operation::find(operation).map_or(RetryClass::NotIdempotent, |o| o.retry);
        // A call that lost a body already spent attempts (see `call`): they count here too.
        let mut retry = ATTEMPTS.try_with(Cell::get).unwrap_or(0);
        let (policy, budget) = (&self.retries.policy, &self.retries.budget);
        loop {
            if let Some(limiter) = &self.limiter {
                limiter.until_ready().await;
            }
            // Adsterra's bodies are small JSON documents, so requests can always be cloned; a
            // streaming body could not be replayed and is sent once.
            let Some(attempt) = request.try_clone() else {
                let _ = ATTEMPTS.try_with(|attempts| attempts.set(retry + 1));
                let response = client.execute(request).await?;
                return crate::capture::keep(response).await;
            };
            let span = tracing::debug_span!("adsterra.attempt", attempt = retry + 1);
            let outcome = client.execute(attempt).instrument(span).await;
            // Outside a wrapper (a caller using the raw client) there is no one to tell.
            let _ = ATTEMPTS.try_with(|attempts| attempts.set(retry + 1));
            let wait = match &outcome {
                Ok(response) if is_retryable_status(response.status()) => {
                    // A 429 was refused before handling; other statuses may have been handled.
                    let unhandled = response.status() == reqwest::StatusCode::TOO_MANY_REQUESTS;
                    if !class.retries_handled_failures() && !unhandled {
                        None
                    } else {
                        match retry_after(response.headers(), SystemTime::now()) {
                            Some(wait) if wait > policy.max_retry_after => None,
                            Some(wait) => Some(wait),
                            None => Some(policy.backoff(retry)),
                        }
                    }
                }
                Ok(_) => {
                    budget.deposit();
                    None
                }
                Err(error) => {
                    let unhandled = error.is_connect();
                    let transient = error.is_timeout() || error.is_request();
                    (unhandled || (transient && class.retries_handled_failures()))
                        .then(|| policy.backoff(retry))
                }
            };
            match wait {
                Some(wait) if retry < policy.max_retries && budget.withdraw() => {
                    tracing::debug!(
                        status = outcome.as_ref().ok().map(|r| r.status().as_u16()),
                        wait_ms = wait.as_millis() as u64,
                        "retrying"
                    );
                    tokio::time::sleep(wait).await;
                    retry += 1;
                }
                _ => {
                    tracing::debug!(
                        status = outcome.as_ref().ok().map(|r| r.status().as_u16()),
                        attempts = retry + 1,
                        "done"
                    );
                    return match outcome {
                        Ok(response) => crate::capture::keep(response).await,
                        Err(error) => Err(error),
                    };
                }
            }
        }
    }
}

impl RequestPolicy for ClientPolicy {
    fn execute<'a>(
        &'a self,
        client: &'a reqwest::Client,
        request: reqwest::Request,
        info: &'a OperationInfo,
    ) -> PolicyFuture<'a> {
        let span = tracing::info_span!(
            "adsterra.request",
            operation = info.operation_id,
            method = %request.method(),
            path = request.url().path(),
        );
        Box::pin(
            self.run(client, request, info.operation_id)
                .instrument(span),
        )
    }
}
