//! The seam between the generated client and the hand-written policy of the `adsterra` crate.
//!
//! progenitor lets a client carry an "inner" value and calls `ClientHooks::exec` for every request.
//! The inner value here is a [`Policy`]: either nothing (plain progenitor behaviour) or a shared
//! [`RequestPolicy`] that executes the request itself, and so can add the API key, retry, wait
//! for a rate limit or trace, without the generated code knowing any of it.
//!
//! progenitor names the operation by its id only; the policy receives the operation's row of
//! the table instead, found by a generated `match`. An id without a row is refused in `pre`
//! (every generated method calls it before `exec`) with an error that names it, so no request
//! is ever sent under a guessed retry class.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use progenitor_client::{ClientHooks, OperationInfo};

use crate::{Client, Operation};

/// The future a [`RequestPolicy`] returns.
pub type PolicyFuture<'a> =
    Pin<Box<dyn Future<Output = reqwest::Result<reqwest::Response>> + Send + 'a>>;

/// How the client executes each request. Implemented by the `adsterra` crate.
pub trait RequestPolicy: Send + Sync {
    /// Executes `request` (built for `operation`) with `client`.
    fn execute<'a>(
        &'a self,
        client: &'a reqwest::Client,
        request: reqwest::Request,
        operation: &'static Operation,
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
    async fn pre<E>(
        &self,
        _request: &mut reqwest::Request,
        info: &OperationInfo,
    ) -> Result<(), progenitor_client::Error<E>> {
        match Operation::find(info.operation_id) {
            Some(_) => Ok(()),
            None => Err(progenitor_client::Error::Custom(format!(
                "the operation `{}` has no row in the operation table; the generated files \
                 disagree: run `cargo xtask generate`",
                info.operation_id
            ))),
        }
    }

    async fn exec(
        &self,
        request: reqwest::Request,
        info: &OperationInfo,
    ) -> reqwest::Result<reqwest::Response> {
        let Some(policy) = &self.inner.0 else {
            return self.client.execute(request).await;
        };
        let operation = Operation::find(info.operation_id)
            .unwrap_or_else(|| unreachable!("`pre` refused `{}`", info.operation_id));
        policy.execute(&self.client, request, operation).await
    }
}

impl Client {
    /// Executes a request built outside the generated methods through the same policy as every
    /// generated one. It is how the `adsterra` crate calls any operation of the table by name
    /// (including one added to the spec after the wrappers were written).
    pub async fn execute(
        &self,
        request: reqwest::Request,
        operation: &'static Operation,
    ) -> reqwest::Result<reqwest::Response> {
        match &self.inner.0 {
            Some(policy) => policy.execute(&self.client, request, operation).await,
            None => self.client.execute(request).await,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every `operation_id` the generated methods hand to the hooks, read off the generated
    /// source itself.
    fn generated_ids() -> Vec<&'static str> {
        let source = include_str!("generated.rs");
        let ids: Vec<&str> = source
            .split("operation_id: \"")
            .skip(1)
            .filter_map(|rest| rest.split_once('"').map(|(id, _)| id))
            .collect();
        assert!(!ids.is_empty(), "no operation_id found in generated.rs");
        ids
    }

    #[test]
    fn every_operation_progenitor_generates_has_its_row() {
        let ids = generated_ids();
        for id in &ids {
            let operation = Operation::find(id).unwrap_or_else(|| panic!("{id} has no row"));
            assert_eq!(operation.id, *id);
        }
        assert_eq!(ids.len(), crate::operation::OPERATIONS.len());
    }

    #[tokio::test]
    async fn an_id_without_a_row_is_refused_by_name_before_anything_is_sent() {
        let client =
            Client::new_with_client("http://127.0.0.1:9", reqwest::Client::new(), Policy::none());
        let mut request =
            reqwest::Request::new(reqwest::Method::GET, "http://127.0.0.1:9/".parse().unwrap());
        let info = OperationInfo {
            operation_id: "get_nothing_csv",
        };
        let error = client.pre::<()>(&mut request, &info).await.unwrap_err();
        assert!(
            error.to_string().contains("`get_nothing_csv` has no row"),
            "{error}"
        );
        for operation in &crate::operation::OPERATIONS {
            let info = OperationInfo {
                operation_id: operation.id,
            };
            assert!(client.pre::<()>(&mut request, &info).await.is_ok());
        }
    }
}
