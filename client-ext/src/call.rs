//! Sending one generated operation and turning its outcome into this crate's types.
//!
//! A body that arrives cut short or does not decode is a lost answer, like a 5xx: an operation
//! whose retry class allows it is sent again here, within the same retry policy and budget as
//! the request policy's retries (the attempts of a call are counted across both).

use std::cell::Cell;
use std::future::Future;

use adsterra_formats::Format;
use futures::TryStreamExt;
use serde::de::DeserializeOwned;

use crate::answer::Answer;
use crate::error::Call;
use crate::policy::ATTEMPTS;
use crate::raw::types::ApiError;
use crate::raw::{ByteStream, Operation, ResponseValue, RetryClass};
use crate::{Client, Error, raw};

type RawResult<T> = Result<ResponseValue<T>, raw::Error<ApiError>>;

/// Runs `attempt` until it succeeds, fails for good, or loses a body that the operation's retry
/// class does not allow to ask for again; `Err(Lost)` is such a lost body.
pub(crate) async fn retried<T, Fut>(
    client: &Client,
    operation: &'static str,
    mut attempt: impl FnMut() -> Fut,
) -> Result<T, Error>
where
    Fut: Future<Output = Result<T, Lost>>,
{
    let class = Operation::find(operation).map_or(RetryClass::NotIdempotent, |o| o.retry);
    ATTEMPTS
        .scope(Cell::new(0), async {
            loop {
                let outcome = attempt().await;
                let attempts = ATTEMPTS.with(Cell::get);
                let lost = match outcome {
                    Ok(answer) => return Ok(answer),
                    Err(Lost::Final(error)) => return Err(error),
                    Err(Lost::Body(error)) => error,
                };
                let wait = class
                    .retries_handled_failures()
                    .then(|| client.retries.next(attempts))
                    .flatten();
                match wait {
                    Some(wait) => {
                        tracing::debug!(operation, attempts, "the body was lost; retrying");
                        tokio::time::sleep(wait).await;
                    }
                    None => return Err(lost),
                }
            }
        })
        .await
}

/// How one attempt of a call failed.
pub(crate) enum Lost {
    /// The answer's body was cut short or did not decode: worth another attempt for a read.
    Body(Error),
    /// Anything else: the policy has already retried what it could.
    Final(Error),
}

/// The call as it stands, for errors: the operation and the attempts so far.
pub(crate) fn call(operation: &'static str) -> Call {
    Call {
        operation,
        attempts: ATTEMPTS.try_with(Cell::get).unwrap_or(0),
    }
}

/// A JSON operation: progenitor decodes the body. When that fails, the body is decoded again by
/// `adsterra-formats`, which reads what a tolerant client must (numbers and ids as strings) and
/// whose error names the field (`items[3].impressions`).
pub(crate) async fn json<T, Fut>(
    client: &Client,
    operation: &'static str,
    request: impl Fn() -> Fut,
) -> Result<T, Error>
where
    T: DeserializeOwned + Answer,
    Fut: Future<Output = RawResult<T>>,
{
    retried(client, operation, || async {
        let result = request().await;
        let answer = match result {
            Ok(answer) => answer.into_inner(),
            Err(raw::Error::InvalidResponsePayload(body, _)) => {
                return match adsterra_formats::decode::<T>(Format::Json, &body) {
                    Ok(answer) => {
                        checked(call(operation), Format::Json, answer).map_err(Lost::Final)
                    }
                    Err(error) => Err(Lost::Body(Error::decode(call(operation), error, &body))),
                };
            }
            Err(error @ raw::Error::ResponseBodyError(_)) => {
                return Err(Lost::Body(Error::from_raw(error, call(operation))));
            }
            Err(error) => return Err(Lost::Final(Error::from_raw(error, call(operation)))),
        };
        checked(call(operation), Format::Json, answer).map_err(Lost::Final)
    })
    .await
}

/// The answer, unless it is inconsistent (a list whose `itemCount` does not count its items).
fn checked<T: Answer>(call: Call, format: Format, answer: T) -> Result<T, Error> {
    match answer.problem() {
        None => Ok(answer),
        Some(message) => Err(Error::Decode {
            call,
            format,
            path: Some("itemCount".to_owned()),
            message,
            snippet: String::new(),
        }),
    }
}

/// A CSV or XML operation: the body is read whole, then decoded by `adsterra-formats` into the
/// same type the JSON operation returns.
pub(crate) async fn text<T, Fut>(
    client: &Client,
    operation: &'static str,
    format: Format,
    request: impl Fn() -> Fut,
) -> Result<T, Error>
where
    T: DeserializeOwned + Answer,
    Fut: Future<Output = RawResult<ByteStream>>,
{
    retried(client, operation, || async {
        let response = request()
            .await
            .map_err(|error| Lost::Final(Error::from_raw(error, call(operation))))?;
        // Sized once from Content-Length when the server sends it, then filled chunk by chunk.
        let mut body = Vec::with_capacity(response.content_length().unwrap_or(0) as usize);
        let mut chunks = response.into_inner().into_inner();
        while let Some(chunk) = chunks.try_next().await.map_err(|source| {
            Lost::Body(Error::from_raw(
                raw::Error::ResponseBodyError(source),
                call(operation),
            ))
        })? {
            body.extend_from_slice(&chunk);
        }
        let answer = adsterra_formats::decode(format, &body)
            .map_err(|error| Lost::Body(Error::decode(call(operation), error, &body)))?;
        checked(call(operation), format, answer).map_err(Lost::Final)
    })
    .await
}

/// Sends one operation in the client's format: `[json_op, csv_op, xml_op]`, with `$build`
/// configuring the generated builder `$b` the same way for all three.
macro_rules! send {
    ($client:expr, [$json:ident, $csv:ident, $xml:ident], |$b:ident| $build:expr) => {{
        let client: &$crate::Client = $client;
        match client.format {
            ::adsterra_formats::Format::Json => {
                $crate::call::json(client, stringify!($json), || {
                    let $b = client.raw.$json();
                    $build.send()
                })
                .await
            }
            ::adsterra_formats::Format::Csv => {
                $crate::call::text(
                    client,
                    stringify!($csv),
                    ::adsterra_formats::Format::Csv,
                    || {
                        let $b = client.raw.$csv();
                        $build.send()
                    },
                )
                .await
            }
            ::adsterra_formats::Format::Xml => {
                $crate::call::text(
                    client,
                    stringify!($xml),
                    ::adsterra_formats::Format::Xml,
                    || {
                        let $b = client.raw.$xml();
                        $build.send()
                    },
                )
                .await
            }
        }
    }};
}
pub(crate) use send;
