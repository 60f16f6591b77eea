//! Sending one generated operation and turning its outcome into this crate's types.
//!
//! Each attempt goes out once through the raw client the wrappers hold, and says what it came
//! to; the client's one retry loop ([`Retries::run`](crate::retry::Retries::run)) decides
//! whether to try again. So a status worth another attempt and a body that arrives cut short or
//! does not decode are judged by the same rules, budget and attempt count.

use adsterra_formats::Format;
use futures::TryStreamExt;
use serde::de::DeserializeOwned;
use std::future::Future;

use crate::answer::Answer;
use crate::error::Call;
use crate::raw::types::ApiError;
use crate::raw::{ByteStream, Operation, ResponseValue};
use crate::retry::{Failure, Outcome};
use crate::{Client, Error, raw};

type RawResult<T> = Result<ResponseValue<T>, raw::Error<ApiError>>;

/// Runs the attempts of one call of `operation` through the client's retry loop; each attempt
/// gets the call as it stands (for its errors) and says what it came to.
pub(crate) async fn retried<T, Fut>(
    client: &Client,
    operation: &'static Operation,
    mut attempt: impl FnMut(Call) -> Fut,
) -> Result<T, Error>
where
    Fut: Future<Output = Outcome<Result<T, Error>>>,
{
    client
        .retries
        .run(operation, |attempts| {
            attempt(Call {
                operation,
                attempts,
            })
        })
        .await
}

/// A failed attempt of the generated client, as the retry loop sees it.
fn failed<T>(error: raw::Error<ApiError>, call: Call) -> Outcome<Result<T, Error>> {
    let failure = match &error {
        raw::Error::ErrorResponse(response) => {
            Failure::of_status(response.status(), response.headers())
        }
        raw::Error::UnexpectedResponse(response) => {
            Failure::of_status(response.status(), response.headers())
        }
        raw::Error::CommunicationError(source) => Failure::of_transport(source),
        raw::Error::ResponseBodyError(_) => Some(Failure::LOST),
        _ => None,
    };
    let error = Err(Error::from_raw(error, call));
    match failure {
        Some(failure) => Outcome::Failed(error, failure),
        None => Outcome::Done(error),
    }
}

/// A body that did not decode: a lost answer, worth another attempt when the class allows.
fn undecodable<T>(
    call: Call,
    error: adsterra_formats::Error,
    body: &[u8],
) -> Outcome<Result<T, Error>> {
    Outcome::Failed(Err(Error::decode(call, error, body)), Failure::LOST)
}

/// A JSON operation: progenitor decodes the body. When that fails, the body is decoded again by
/// `adsterra-formats`, which reads what a tolerant client must (numbers and ids as strings) and
/// whose error names the field (`items[3].impressions`).
pub(crate) async fn json<T, Fut>(
    client: &Client,
    operation: &'static Operation,
    request: impl Fn() -> Fut,
) -> Result<T, Error>
where
    T: DeserializeOwned + Answer,
    Fut: Future<Output = RawResult<T>>,
{
    retried(client, operation, |call| {
        let sent = request();
        async move {
            match sent.await {
                Ok(answer) => Outcome::Done(checked(call, Format::Json, answer.into_inner())),
                Err(raw::Error::InvalidResponsePayload(body, _)) => {
                    match adsterra_formats::decode::<T>(Format::Json, &body) {
                        Ok(answer) => Outcome::Done(checked(call, Format::Json, answer)),
                        Err(error) => undecodable(call, error, &body),
                    }
                }
                Err(error) => failed(error, call),
            }
        }
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
    operation: &'static Operation,
    request: impl Fn() -> Fut,
) -> Result<T, Error>
where
    T: DeserializeOwned + Answer,
    Fut: Future<Output = RawResult<ByteStream>>,
{
    let format = operation.format;
    retried(client, operation, |call| {
        let sent = request();
        async move {
            let response = match sent.await {
                Ok(response) => response,
                Err(error) => return failed(error, call),
            };
            // Sized once from Content-Length when the server sends it, then filled chunk by chunk.
            let mut body = Vec::with_capacity(response.content_length().unwrap_or(0) as usize);
            let mut chunks = response.into_inner().into_inner();
            loop {
                match chunks.try_next().await {
                    Ok(Some(chunk)) => body.extend_from_slice(&chunk),
                    Ok(None) => break,
                    Err(source) => return failed(raw::Error::ResponseBodyError(source), call),
                }
            }
            match adsterra_formats::decode(format, &body) {
                Ok(answer) => Outcome::Done(checked(call, format, answer)),
                Err(error) => undecodable(call, error, &body),
            }
        }
    })
    .await
}

/// Sends one call of `$endpoint` in the client's format, through the raw client's builder of
/// that format (`[json_method, csv_method, xml_method]`), with `$build` configuring the builder
/// `$b` the same way for all three. The endpoint's row, typed, decides retries and names the
/// call in errors: no name is looked up at run time.
macro_rules! send {
    ($client:expr, $endpoint:expr, [$json:ident, $csv:ident, $xml:ident], |$b:ident| $build:expr) => {{
        let client: &$crate::Client = $client;
        let operation = $crate::Endpoint::operation($endpoint, client.format);
        match client.format {
            ::adsterra_formats::Format::Json => {
                $crate::call::json(client, operation, || {
                    let $b = client.once.$json();
                    $build.send()
                })
                .await
            }
            ::adsterra_formats::Format::Csv => {
                $crate::call::text(client, operation, || {
                    let $b = client.once.$csv();
                    $build.send()
                })
                .await
            }
            ::adsterra_formats::Format::Xml => {
                $crate::call::text(client, operation, || {
                    let $b = client.once.$xml();
                    $build.send()
                })
                .await
            }
        }
    }};
}
pub(crate) use send;
