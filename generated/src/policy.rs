//! The seam between the generated client and the hand-written policy of the `adsterra` crate.
//!
//! progenitor lets a client carry an "inner" value and calls `ClientHooks::exec` for every request.
//! The inner value here is a [`Policy`]: either nothing (plain progenitor behaviour) or a shared
//! [`RequestPolicy`] that executes the request itself, and so can add the API key, retry, wait
//! for a rate limit or trace, without the generated code knowing any of it.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use progenitor_client::{ClientHooks, OperationInfo};

use crate::Client;

/// The future a [`RequestPolicy`] returns.
pub type PolicyFuture<'a> =
    Pin<Box<dyn Future<Output = reqwest::Result<reqwest::Response>> + Send + 'a>>;

/// How the client executes each request. Implemented by the `adsterra` crate.
pub trait RequestPolicy: Send + Sync {
    /// Executes `request` (built by the generated code for the operation `info`) with `client`.
    fn execute<'a>(
        &'a self,
        client: &'a reqwest::Client,
        request: reqwest::Request,
        info: &'a OperationInfo,
    ) -> PolicyFuture<'a>;
}

/// The policy a [`Client`] carries: none, or a shared [`RequestPolicy`].
#[derive(Clone, Default)]
pub struct Policy(Option<Arc<dyn RequestPolicy>>);

impl Policy {
    /// No policy: requests are executed as they are, like a plain progenitor client.
    pub fn none() -> Self {
        Self(None)
    }

    /// Executes every request through `policy`.
    pub fn new(policy: impl RequestPolicy + 'static) -> Self {
        Self(Some(Arc::new(policy)))
    }
}

impl fmt::Debug for Policy {
    // A policy may hold secrets (the API key); never print its contents.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self.0 {
            Some(_) => "Policy(custom)",
            None => "Policy(none)",
        })
    }
}

impl ClientHooks<Policy> for Client {
    async fn exec(
        &self,
        request: reqwest::Request,
        info: &OperationInfo,
    ) -> reqwest::Result<reqwest::Response> {
        match &self.inner.0 {
            Some(policy) => policy.execute(&self.client, request, info).await,
            None => self.client.execute(request).await,
        }
    }
}

impl Client {
    /// Executes a request built outside the generated methods through the same policy as every
    /// generated one. It is how the `adsterra` crate calls any operation of the table by name
    /// (including one added to the spec after the wrappers were written).
    pub async fn execute(
        &self,
        request: reqwest::Request,
        operation: &'static crate::Operation,
    ) -> reqwest::Result<reqwest::Response> {
        let info = OperationInfo {
            operation_id: operation.id,
        };
        self.exec(request, &info).await
    }
}
