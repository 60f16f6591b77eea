//! Sending one generated operation and turning its outcome into this crate's types.

use std::cell::Cell;
use std::future::Future;

use adsterra_formats::Format;
use futures::TryStreamExt;
use serde::de::DeserializeOwned;

use crate::error::Call;
use crate::policy::ATTEMPTS;
use crate::raw::types::ApiError;
use crate::raw::{ByteStream, ResponseValue};
use crate::{Error, raw};

type RawResult<T> = Result<ResponseValue<T>, raw::Error<ApiError>>;

/// Runs `request` (a generated operation's `send()`), counting its attempts.
pub(crate) async fn counted<T>(request: impl Future<Output = RawResult<T>>) -> (RawResult<T>, u32) {
    ATTEMPTS
        .scope(Cell::new(0), async {
            let result = request.await;
            (result, ATTEMPTS.with(Cell::get))
        })
        .await
}

/// A JSON operation: progenitor decodes the body.
pub(crate) async fn json<T>(
    operation: &'static str,
    request: impl Future<Output = RawResult<T>>,
) -> Result<T, Error> {
    let (result, attempts) = counted(request).await;
    let call = Call {
        operation,
        attempts,
    };
    result
        .map(ResponseValue::into_inner)
        .map_err(|error| Error::from_raw(error, call))
}

/// A CSV or XML operation: the body is read whole, then decoded by `adsterra-formats` into the
/// same type the JSON operation returns.
pub(crate) async fn text<T: DeserializeOwned>(
    operation: &'static str,
    format: Format,
    request: impl Future<Output = RawResult<ByteStream>>,
) -> Result<T, Error> {
    let (result, attempts) = counted(request).await;
    let call = Call {
        operation,
        attempts,
    };
    let stream = result
        .map(ResponseValue::into_inner)
        .map_err(|error| Error::from_raw(error, call))?;
    let body: Vec<u8> = stream
        .into_inner()
        .map_ok(|chunk| chunk.to_vec())
        .try_concat()
        .await
        .map_err(|source| Error::from_raw(raw::Error::ResponseBodyError(source), call))?;
    adsterra_formats::decode(format, &body).map_err(|error| Error::decode(call, error, &body))
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
