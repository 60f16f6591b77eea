//! The one place where requests are executed: token, rate limit, tracing, and the retry loop for
//! callers of the raw client.
//!
//! The generated client hands every request to this policy (the seam in `adsterra-generated`),
//! with the operation's row of the table. It adds the API key as a sensitive header; spans carry
//! the operation, method and path, never headers or the query string (which could carry filters
//! a caller considers private).
//!
//! A [`Client`](crate::Client) holds two raw clients over the same policy state: the one a user
//! gets from `Client::raw`, whose requests run through the retry loop here, and the one the
//! wrappers use, which sends each request once because the wrappers' own loop (`call.rs`) also
//! sees lost bodies. Both loops are [`Retries::run`]: one function decides every retry.

use std::num::NonZeroU32;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use adsterra_generated::{PolicyFuture, RequestPolicy};
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use reqwest::header::HeaderName;
use tracing::Instrument;

use crate::ApiToken;
use crate::capture::BodyLog;
use crate::raw::Operation;
use crate::retry::{Failure, Outcome, Retries};

/// Executes requests for one client and all its clones.
#[derive(Debug, Clone)]
pub(crate) struct ClientPolicy {
    /// Its `Debug` prints `ApiToken(***)`.
    token: ApiToken,
    /// Shared with the client, whose call layer retries from the same budget.
    retries: Arc<Retries>,
    limiter: Option<Arc<DefaultDirectRateLimiter>>,
    /// Whether this policy runs the retry loop, or sends each request once for a caller that
    /// runs it.
    retrying: bool,
    /// Where answers' bodies are kept, on a client that keeps them.
    bodies: Option<BodyLog>,
    /// HTTP requests sent, each attempt of a call counted; shared by the clones of a client.
    attempts: Arc<AtomicU64>,
}

impl ClientPolicy {
    /// `per_minute` requests at most (None: no client-side limit); retrying.
    pub(crate) fn new(
        token: ApiToken,
        retries: Arc<Retries>,
        per_minute: Option<NonZeroU32>,
    ) -> Self {
        Self {
            token,
            retries,
            limiter: per_minute.map(|n| Arc::new(RateLimiter::direct(Quota::per_minute(n)))),
            retrying: true,
            bodies: None,
            attempts: Arc::default(),
        }
    }

    /// The same policy (token, budget, rate limit), sending each request once.
    pub(crate) fn once(&self) -> Self {
        Self {
            retrying: false,
            ..self.clone()
        }
    }

    /// The same policy, keeping answers' bodies in `bodies` (see [`BodyLog`]).
    pub(crate) fn keeping(&self, bodies: BodyLog) -> Self {
        Self {
            bodies: Some(bodies),
            ..self.clone()
        }
    }

    /// The same policy, with a count of attempts of its own, from 0.
    pub(crate) fn counting(&self) -> Self {
        Self {
            attempts: Arc::default(),
            ..self.clone()
        }
    }

    /// HTTP requests sent so far, retries included.
    pub(crate) fn attempts(&self) -> u64 {
        self.attempts.load(Ordering::Relaxed)
    }

    async fn run(
        &self,
        client: &reqwest::Client,
        request: reqwest::Request,
        operation: &'static Operation,
    ) -> reqwest::Result<reqwest::Response> {
        // Adsterra's bodies are small JSON documents, so requests can always be cloned; a
        // streaming body could not be replayed and is sent once.
        if !self.retrying || request.try_clone().is_none() {
            let outcome = self.attempt(client, request, 1).await;
            return self.keep(outcome, operation).await;
        }
        // The loop keeps no body itself: only the answer it ends with is kept.
        let outcome = self
            .retries
            .run(operation, |number| {
                let attempt = request
                    .try_clone()
                    .expect("checked above: the request clones");
                async move {
                    let outcome = self.attempt(client, attempt, number).await;
                    let failure = match &outcome {
                        Ok(response) => Failure::of_status(response.status(), response.headers()),
                        Err(error) => Failure::of_transport(error),
                    };
                    match failure {
                        Some(failure) => Outcome::Failed(outcome, failure),
                        None => Outcome::Done(outcome),
                    }
                }
            })
            .await;
        self.keep(outcome, operation).await
    }

    /// Sends `request` once: after the rate limit, with the token.
    async fn attempt(
        &self,
        client: &reqwest::Client,
        mut request: reqwest::Request,
        number: u32,
    ) -> reqwest::Result<reqwest::Response> {
        if let Some(limiter) = &self.limiter {
            limiter.until_ready().await;
        }
        request.headers_mut().insert(
            HeaderName::from_static("x-api-key"),
            self.token.header_value(),
        );
        self.attempts.fetch_add(1, Ordering::Relaxed);
        let span = tracing::debug_span!("adsterra.attempt", attempt = number);
        let outcome = client.execute(request).instrument(span).await;
        tracing::debug!(
            status = outcome.as_ref().ok().map(|r| r.status().as_u16()),
            attempt = number,
            "answered"
        );
        outcome
    }

    /// The answer, its body kept on a client that keeps bodies, unless it is a transient
    /// failure (408, 429, 5xx), which a loop may try again.
    async fn keep(
        &self,
        outcome: reqwest::Result<reqwest::Response>,
        operation: &'static Operation,
    ) -> reqwest::Result<reqwest::Response> {
        match (&self.bodies, outcome) {
            (Some(bodies), Ok(response))
                if Failure::of_status(response.status(), response.headers()).is_none() =>
            {
                bodies.keep(response, operation).await
            }
            (_, outcome) => outcome,
        }
    }
}

impl RequestPolicy for ClientPolicy {
    fn execute<'a>(
        &'a self,
        client: &'a reqwest::Client,
        request: reqwest::Request,
        operation: &'static Operation,
    ) -> PolicyFuture<'a> {
        let span = tracing::info_span!(
            "adsterra.request",
            operation = operation.id,
            method = %request.method(),
            path = request.url().path(),
        );
        Box::pin(self.run(client, request, operation).instrument(span))
    }
}
