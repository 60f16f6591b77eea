//! Sending one generated operation and turning its outcome into this crate's types.

use std::cell::Cell;
use std::future::Future;

use adsterra_formats::Format;
use futures::TryStreamExt;
use serde::de::DeserializeOwned;

use crate::answer::Answer;
use crate::error::Call;
use crate::policy::ATTEMPTS;
use crate::raw::types::ApiError;
use crate::raw::{ByteStream, ResponseValue};
use crate::{Error, raw};

type RawResult<T> = Result<ResponseValue<T>, raw::Error<ApiError>>;

/// Runs `request` (a generated operation's `send()`, or any request through the policy),
/// counting its attempts.
pub(crate) async fn counted<T>(request: impl Future<Output = T>) -> (T, u32) {
    ATTEMPTS
        .scope(Cell::new(0), async {
            let result = request.await;
            (result, ATTEMPTS.with(Cell::get))
        })
        .await
}

/// A JSON operation: progenitor decodes the body. When that fails, the body is decoded again by
/// `adsterra-formats`, whose error names the field (`items[3].impressions`).
pub(crate) async fn json<T: DeserializeOwned + Answer>(
    operation: &'static str,
    request: impl Future<Output = RawResult<T>>,
) -> Result<T, Error> {
    let (result, attempts) = counted(request).await;
    let call = Call {
        operation,
        attempts,
    };
    let answer = match result {
        Ok(answer) => answer.into_inner(),
        Err(raw::Error::InvalidResponsePayload(body, source)) => {
            return Err(match adsterra_formats::decode::<T>(Format::Json, &body) {
                Err(error) => Error::decode(call, error, &body),
                // The two decoders disagree: report what progenitor saw.
                Ok(_) => Error::from_raw(raw::Error::InvalidResponsePayload(body, source), call),
            });
        }
        Err(error) => return Err(Error::from_raw(error, call)),
    };
    checked(call, Format::Json, answer)
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
pub(crate) async fn text<T: DeserializeOwned + Answer>(
    operation: &'static str,
    format: Format,
    request: impl Future<Output = RawResult<ByteStream>>,
) -> Result<T, Error> {
    let (result, attempts) = counted(request).await;
    let call = Call {
        operation,
        attempts,
    };
    let response = result.map_err(|error| Error::from_raw(error, call))?;
    // Sized once from Content-Length when the server sends it, then filled chunk by chunk.
    let mut body = Vec::with_capacity(response.content_length().unwrap_or(0) as usize);
    let mut chunks = response.into_inner().into_inner();
    while let Some(chunk) = chunks
        .try_next()
        .await
        .map_err(|source| Error::from_raw(raw::Error::ResponseBodyError(source), call))?
    {
        body.extend_from_slice(&chunk);
    }
    let answer = adsterra_formats::decode(format, &body)
        .map_err(|error| Error::decode(call, error, &body))?;
    checked(call, format, answer)
}

/// Sends one operation in the client's format: `[json_op, csv_op, xml_op]`, with `$build`
/// configuring the generated builder `$b` the same way for all three.
macro_rules! send {
    ($client:expr, [$json:ident, $csv:ident, $xml:ident], |$b:ident| $build:expr) => {{
        let client: &$crate::Client = $client;
        match client.format {
            ::adsterra_formats::Format::Json => {
                let $b = client.raw.$json();
                $crate::call::json(stringify!($json), $build.send()).await
            }
            ::adsterra_formats::Format::Csv => {
                let $b = client.raw.$csv();
                $crate::call::text(
                    stringify!($csv),
                    ::adsterra_formats::Format::Csv,
                    $build.send(),
                )
                .await
            }
            ::adsterra_formats::Format::Xml => {
                let $b = client.raw.$xml();
                $crate::call::text(
                    stringify!($xml),
                    ::adsterra_formats::Format::Xml,
                    $build.send(),
                )
                .await
            }
        }
    }};
}
pub(crate) use send;
