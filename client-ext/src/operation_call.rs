//! Calling any operation of the table by what the spec says of it, with the same policy (token,
//! retries, rate limit, tracing) and the same typed errors as the wrappers.
//!
//! The wrappers cover every endpoint in Adsterra's words; this is the door for everything else:
//! an operation added to the spec after the wrappers were written, the command line's
//! `adsterra api`, verify-live. Parameters are checked against the spec before anything is sent.

use std::time::SystemTime;

use bytes::Bytes;
use reqwest::header::{ACCEPT, CONTENT_TYPE, HeaderValue};

use crate::call::retried;
use crate::error::Call;
use crate::raw::ClientInfo as _;
use crate::raw::operation::{Location, Operation};
use crate::retry::{Failure, Outcome};
use crate::{Client, Error};

/// One call of an operation, being put together; see [`Client::call`].
#[derive(Debug, Clone)]
#[must_use = "a call does nothing until it is sent"]
pub struct OperationCall {
    client: Client,
    operation: &'static Operation,
    path: Vec<(&'static str, String)>,
    query: Vec<(&'static str, String)>,
    body: Option<serde_json::Value>,
}

/// A successful answer, as the server sent it.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct OperationAnswer {
    /// The operation that was called.
    pub operation: &'static Operation,
    /// The HTTP status (2xx).
    pub status: u16,
    /// The URL that answered (the token is never in it: it travels in a header).
    pub url: reqwest::Url,
    /// The answer's headers (content type, rate limits, ...).
    pub headers: reqwest::header::HeaderMap,
    /// The body, in the operation's format.
    pub body: Bytes,
}

impl OperationAnswer {
    /// The body decoded as the typed client decodes it (through the generated type of the
    /// operation's answer, whatever the format), as JSON.
    pub fn decode(&self) -> Result<serde_json::Value, Error> {
        self.operation.decode(&self.body).map_err(|error| {
            Error::decode(
                Call {
                    operation: self.operation,
                    attempts: 0,
                },
                error,
                &self.body,
            )
        })
    }
}

impl Client {
    /// Starts a call of `operation` (from [`crate::operation::OPERATIONS`] or
    /// [`crate::Endpoint::operation`]), sent as the spec describes it and through this client's
    /// policy. For operations the wrappers cover, prefer the wrappers: they speak Adsterra's words
    /// and return typed values.
    pub fn call(&self, operation: &'static Operation) -> OperationCall {
        OperationCall {
            client: self.clone(),
            operation,
            path: Vec::new(),
            query: Vec::new(),
            body: None,
        }
    }
}

impl OperationCall {
    /// Sets a path or query parameter by its name in the spec (`campaign_id`, `start_date`,
    /// `group_by[]`) or one of the spec's aliases for it (`group_by`; it is sent by its name);
    /// a repeated parameter takes each value by another call. The value is checked against the
    /// parameter's type and allowed values.
    pub fn param(mut self, name: &str, value: impl Into<String>) -> Result<Self, Error> {
        let value = value.into();
        let (location, parameter) = self
            .operation
            .parameters()
            .find(|(_, parameter)| parameter.name == name || parameter.aliases.contains(&name))
            .ok_or_else(|| self.unknown_parameter(name))?;
        parameter
            .check(&value)
            .map_err(|reason| Error::invalid(parameter.name, reason))?;
        let values = match location {
            Location::Path => &mut self.path,
            Location::Query => &mut self.query,
        };
        if !parameter.repeated && values.iter().any(|(n, _)| *n == parameter.name) {
            return Err(Error::invalid(
                parameter.name,
                "is given twice; it takes one value",
            ));
        }
        values.push((parameter.name, value));
        Ok(self)
    }

    /// Sets the JSON request body, checked against the operation's body schema.
    pub fn body(mut self, body: serde_json::Value) -> Result<Self, Error> {
        self.operation
            .check_body(&body)
            .map_err(|reason| Error::invalid("body", reason))?;
        self.body = Some(body);
        Ok(self)
    }

    /// Sends the call once every required parameter (and a required body) is there. A status
    /// other than 2xx is the same typed [`Error`] the wrappers return. A body cut short is sent
    /// for again when the operation's retry class allows, as the wrappers do.
    pub async fn send(self) -> Result<OperationAnswer, Error> {
        let operation = self.operation;
        let request = self.prepare()?;
        let this = &self;
        retried(&self.client, operation, |call| {
            let request = &request;
            async move {
                let response = match this.attempt(request, call).await {
                    Ok(response) => response,
                    Err(failed) => return failed,
                };
                let status = response.status();
                let url = response.url().clone();
                let headers = response.headers().clone();
                match response.bytes().await {
                    Ok(body) => Outcome::Done(Ok(OperationAnswer {
                        operation,
                        status: status.as_u16(),
                        url,
                        headers,
                        body,
                    })),
                    Err(source) => {
                        Outcome::Failed(Err(Error::from_transport(call, source)), Failure::LOST)
                    }
                }
            }
        })
        .await
    }

    /// Sends the call as [`Self::send`] does, but hands back the successful answer before its
    /// body is read, for a body too large to hold (a stats report streamed row by row), with
    /// the call as it stood for errors met while reading it. The body itself is not asked for
    /// again if it breaks off: the rows read so far are already with the caller.
    pub(crate) async fn open(self) -> Result<(reqwest::Response, Call), Error> {
        let request = self.prepare()?;
        let this = &self;
        retried(&self.client, self.operation, |call| {
            let request = &request;
            async move {
                match this.attempt(request, call).await {
                    Ok(response) => Outcome::Done(Ok((response, call))),
                    Err(failed) => failed,
                }
            }
        })
        .await
    }

    /// One attempt, sent once: the response when its status is 2xx, else what the attempt
    /// came to, with the typed error of its body.
    async fn attempt<T>(
        &self,
        request: &reqwest::Request,
        call: Call,
    ) -> Result<reqwest::Response, Outcome<Result<T, Error>>> {
        // The body is bytes (or none), so the request always clones.
        let attempt = request
            .try_clone()
            .expect("a request with a byte body clones");
        let response = match self.client.once.execute(attempt, self.operation).await {
            Ok(response) => response,
            Err(source) => {
                let failure = Failure::of_transport(&source);
                let error = Err(Error::from_transport(call, source));
                return Err(match failure {
                    Some(failure) => Outcome::Failed(error, failure),
                    None => Outcome::Done(error),
                });
            }
        };
        let status = response.status();
        if status.is_success() {
            return Ok(response);
        }
        let failure = Failure::of_status(status, response.headers());
        let retry_after = crate::retry::retry_after(response.headers(), SystemTime::now());
        let error = match response.bytes().await {
            Ok(body) => Error::from_error_body(call, status.as_u16(), &body, retry_after),
            Err(source) => {
                return Err(Outcome::Failed(
                    Err(Error::from_transport(call, source)),
                    Failure::LOST,
                ));
            }
        };
        Err(match failure {
            Some(failure) => Outcome::Failed(Err(error), failure),
            None => Outcome::Done(Err(error)),
        })
    }

    /// The request the call would send, for a dry run: everything missing or wrong is an error
    /// naming it. It carries no token (the policy adds that when the call is sent).
    pub fn prepare(&self) -> Result<reqwest::Request, Error> {
        let operation = self.operation;
        if let Some((_, missing)) = operation
            .parameters()
            .find(|(_, p)| p.required && !self.has(p.name))
        {
            return Err(Error::invalid(
                missing.name,
                format!("is required by {}; give it a value", operation.id),
            ));
        }
        let body = match (&self.body, operation.body) {
            (None, Some(body)) if body.required => {
                return Err(Error::invalid(
                    "body",
                    format!("{} needs a JSON body ({})", operation.id, body.schema),
                ));
            }
            (Some(_), None) => {
                return Err(Error::invalid(
                    "body",
                    format!("{} takes no request body", operation.id),
                ));
            }
            (body, _) => body.as_ref(),
        };
        let path = operation
            .fill_path(&self.path)
            .map_err(|name| Error::invalid(name, "is required in the path; give it a value"))?;
        let raw = &self.client.raw;
        let url = format!("{}{path}", raw.baseurl());
        let mut builder = raw
            .client()
            .request(
                reqwest::Method::from_bytes(operation.method.as_str().as_bytes())
                    .expect("the table's methods are HTTP methods"),
                url,
            )
            .query(&self.query)
            .header(
                ACCEPT,
                HeaderValue::from_static(operation.format.media_type()),
            );
        if let Some(body) = body {
            builder = builder
                .header(CONTENT_TYPE, HeaderValue::from_static("application/json"))
                .body(serde_json::to_vec(body).expect("a JSON value serialises"));
        }
        builder.build().map_err(Error::http_client)
    }

    fn has(&self, name: &str) -> bool {
        self.path.iter().chain(&self.query).any(|(n, _)| *n == name)
    }

    fn unknown_parameter(&self, name: &str) -> Error {
        let known: Vec<&str> = self.operation.parameters().map(|(_, p)| p.name).collect();
        Error::invalid(
            "parameter",
            format!(
                "{} has no parameter {name:?}; it takes {}",
                self.operation.id,
                if known.is_empty() {
                    "none".to_owned()
                } else {
                    known.join(", ")
                }
            ),
        )
    }
}
