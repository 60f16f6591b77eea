//! The server's own bytes, next to the typed values: for tools that show or keep exactly what
//! Adsterra answered (the command line's `--output raw`, audit logs).
//!
//! Keeping bodies is a setting of a client ([`Client::keeping_bodies`]), not hidden state of the
//! task that makes a call: whatever calls go through that client keep their bodies, in the
//! order the answers completed.

use std::sync::{Arc, Mutex};

use bytes::Bytes;

use crate::Client;
use crate::raw::operation::Operation;

/// The answers a client that keeps them has received; see [`Client::keeping_bodies`]. Cheap
/// to clone: clones share the log.
#[derive(Debug, Clone, Default)]
pub struct BodyLog(Arc<Mutex<Vec<KeptAnswer>>>);

/// One answer a keeping client received, whole: what a recording of it needs.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct KeptAnswer {
    /// The operation that was called.
    pub operation: &'static Operation,
    /// The HTTP status.
    pub status: u16,
    /// The URL that answered (the token travels in a header, never in it).
    pub url: reqwest::Url,
    /// The answer's headers.
    pub headers: reqwest::header::HeaderMap,
    /// The body, byte for byte.
    pub body: Bytes,
}

impl BodyLog {
    /// The bodies kept so far, oldest first, leaving the log empty.
    pub fn take(&self) -> Vec<Bytes> {
        self.take_answers()
            .into_iter()
            .map(|kept| kept.body)
            .collect()
    }

    /// The answers kept so far, oldest first, leaving the log empty.
    pub fn take_answers(&self) -> Vec<KeptAnswer> {
        std::mem::take(&mut *self.0.lock().unwrap_or_else(|p| p.into_inner()))
    }

    /// Reads `response` whole, keeps a copy of it and hands back an equal response.
    pub(crate) async fn keep(
        &self,
        response: reqwest::Response,
        operation: &'static Operation,
    ) -> reqwest::Result<reqwest::Response> {
        let status = response.status();
        let version = response.version();
        let headers = response.headers().clone();
        let url = response.url().clone();
        let body = response.bytes().await?;
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(KeptAnswer {
                operation,
                status: status.as_u16(),
                url,
                headers: headers.clone(),
                body: body.clone(),
            });
        let mut rebuilt = http::Response::new(body);
        *rebuilt.status_mut() = status;
        *rebuilt.version_mut() = version;
        *rebuilt.headers_mut() = headers;
        Ok(reqwest::Response::from(rebuilt))
    }
}

impl Client {
    /// A clone of this client that keeps the body of every answer it receives, byte for byte
    /// as the server sent it, in the log it returns with it: each answer a call ends with,
    /// success or a definite error (a transient 408, 429 or 5xx that may be retried is not
    /// kept). A stats range split into windows gives one body per window.
    ///
    /// Keeping reads each body whole before it is decoded, so it is meant for answers a caller
    /// wants to keep, not for streaming a large report. The clone shares the rate limit and
    /// retry budget; calls through other clones keep nothing.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let sandbox = adsterra_sandbox::Sandbox::start(Default::default()).await?;
    /// # let client = adsterra::Client::builder().base_url(sandbox.base_url())
    /// #     .token(adsterra::ApiToken::new(sandbox.token())?).build()?;
    /// let (keeping, bodies) = client.keeping_bodies();
    /// let balance = keeping.balance().await?;
    /// assert!(balance.balance > 0.0);
    /// assert!(bodies.take()[0].starts_with(b"{"));
    /// # Ok(()) }
    /// ```
    pub fn keeping_bodies(&self) -> (Client, BodyLog) {
        let bodies = BodyLog::default();
        let policy = self.policy.keeping(bodies.clone());
        (self.with_policy(policy), bodies)
    }
}
