//! The crate's one error type: what went wrong, in terms a caller can act on.

use std::collections::BTreeMap;
use std::fmt;
use std::time::{Duration, SystemTime};

use adsterra_formats::Format;

use crate::raw;
use crate::raw::Operation;
use crate::raw::types::ApiError;
use crate::retry::Failure;

/// Which call failed, and how hard the client tried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Call {
    /// The operation: its row of the table (`call.operation.endpoint`, `call.operation.id`
    /// such as `get_stats_csv`, its retry class). It compares equal to its id.
    pub operation: &'static Operation,
    /// Attempts made, retries included (0 when nothing was sent).
    pub attempts: u32,
}

impl fmt::Display for Call {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let plural = if self.attempts == 1 { "" } else { "s" };
        write!(
            f,
            "{} ({} attempt{plural})",
            self.operation.id, self.attempts
        )
    }
}

/// A failure below HTTP: connecting, TLS, a connection cut before the answer was whole.
///
/// It is opaque so that the HTTP stack underneath can change without breaking callers: its
/// `Display` tells the whole chain of causes, and `source()` walks them.
#[derive(Debug)]
pub struct TransportError(reqwest::Error);

impl TransportError {
    /// Whether no connection could be made (refused, unreachable, DNS, TLS handshake).
    pub fn is_connect(&self) -> bool {
        self.0.is_connect()
    }

    /// Whether the answer's body broke off or could not be read.
    pub fn is_body(&self) -> bool {
        self.0.is_body() || self.0.is_decode()
    }
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&chain(&self.0))
    }
}

impl std::error::Error for TransportError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.0.source()
    }
}

/// Why a call could not be made or did not succeed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An argument was rejected before any request was sent.
    #[error("invalid {field}: {reason}")]
    #[non_exhaustive]
    InvalidInput {
        /// The argument or field, as the caller named it.
        field: &'static str,
        /// What is wrong and what to do about it.
        reason: String,
    },
    /// 401: the token is missing or unknown.
    #[error(
        "{call}: the API token was not accepted (401 {message}). Adsterra keeps one valid token at a time: generating a new one on the dashboard's API page invalidates the old one, so use the newest"
    )]
    #[non_exhaustive]
    Unauthorized {
        /// The call.
        call: Call,
        /// Adsterra's message.
        message: String,
    },
    /// 403: the token is no longer valid, or not an advertiser token.
    #[error(
        "{call}: the API token is refused (403 {message}); generate a new advertiser token on the dashboard's API page"
    )]
    #[non_exhaustive]
    Forbidden {
        /// The call.
        call: Call,
        /// Adsterra's message.
        message: String,
    },
    /// 404: the id does not exist, or belongs to another account.
    #[error(
        "{call}: not found (404 {message}): check the id; ids of other accounts are not found either"
    )]
    #[non_exhaustive]
    NotFound {
        /// The call.
        call: Call,
        /// Adsterra's message.
        message: String,
    },
    /// 422: Adsterra rejected the request's values.
    #[error("{call}: Adsterra rejected the request (422 {message}){}", fields_text(.fields))]
    #[non_exhaustive]
    Validation {
        /// The call.
        call: Call,
        /// Adsterra's message.
        message: String,
        /// Messages per field, as Adsterra sent them.
        fields: BTreeMap<String, Vec<String>>,
    },
    /// 429: too many requests, still after retrying.
    #[error("{call}: rate limited (429){}", retry_after_text(.retry_after))]
    #[non_exhaustive]
    RateLimited {
        /// The call.
        call: Call,
        /// How long Adsterra asked to wait, when it said.
        retry_after: Option<Duration>,
    },
    /// 5xx: Adsterra failed, still after retrying.
    #[error("{call}: Adsterra failed ({status} {message}); try again later")]
    #[non_exhaustive]
    Server {
        /// The call.
        call: Call,
        /// The HTTP status.
        status: u16,
        /// Adsterra's message.
        message: String,
    },
    /// No complete answer within the timeout.
    #[error("{call}: no answer within the timeout; large reports may need a longer timeout")]
    #[non_exhaustive]
    Timeout {
        /// The call.
        call: Call,
    },
    /// The connection failed or broke.
    #[error("{call}: the connection failed: {source}")]
    #[non_exhaustive]
    Transport {
        /// The call.
        call: Call,
        /// What failed below HTTP.
        source: TransportError,
    },
    /// The answer did not match the spec.
    #[error("{call}: the {format} answer does not match the spec{}: {message}; it starts with {snippet:?}", path_text(.path))]
    #[non_exhaustive]
    Decode {
        /// The call.
        call: Call,
        /// The format of the body.
        format: Format,
        /// The field that failed, e.g. `items[3].impressions`.
        path: Option<String>,
        /// What was expected and found.
        message: String,
        /// The first bytes of the body.
        snippet: String,
    },
    /// An answer the spec does not describe (say, a redirect to another host, which is never
    /// followed with the token).
    #[error(
        "{call}: unexpected answer {status}, which the spec does not describe (a redirect to another host is never followed, so the token stays with Adsterra)"
    )]
    #[non_exhaustive]
    Unexpected {
        /// The call.
        call: Call,
        /// The HTTP status.
        status: u16,
    },
    /// A change split into batches failed part-way: what applied, what may have, what was
    /// never sent. Retrying with `unsure` and `not_sent` finishes the change (the list
    /// operations are idempotent).
    #[error(
        "a change sent in batches stopped part-way: {} placements applied, {} may have (the failing batch), {} were not sent; sending the last {} again finishes it. {source}",
        .applied.len(), .unsure.len(), .not_sent.len(), .unsure.len() + .not_sent.len()
    )]
    #[non_exhaustive]
    PartiallyApplied {
        /// Placements of the batches that succeeded.
        applied: Vec<i64>,
        /// Placements of the batch that failed: it may or may not have applied.
        unsure: Vec<i64>,
        /// Placements of the batches never sent.
        not_sent: Vec<i64>,
        /// Why the batch failed.
        source: Box<Error>,
    },
    /// The HTTP client could not be set up (TLS back-end, system configuration).
    #[error("cannot build the HTTP client: {source}")]
    #[non_exhaustive]
    HttpClient {
        /// What failed.
        source: TransportError,
    },
}

/// How much of a body a decode error quotes.
const SNIPPET_CHARS: usize = 120;

fn fields_text(fields: &BTreeMap<String, Vec<String>>) -> String {
    fields
        .iter()
        .map(|(field, messages)| format!("; {field}: {}", messages.join(", ")))
        .collect()
}

fn retry_after_text(retry_after: &Option<Duration>) -> String {
    match retry_after {
        Some(wait) => format!("; Adsterra asks to wait {} s", wait.as_secs()),
        None => "; slow down, or lower the client's rate limit".to_owned(),
    }
}

/// An error and its causes, so a cut body reads "... body error: ... IncompleteBody".
fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut cause = error.source();
    while let Some(inner) = cause {
        let inner_text = inner.to_string();
        if !text.contains(&inner_text) {
            text.push_str(": ");
            text.push_str(&inner_text);
        }
        cause = inner.source();
    }
    text
}

fn path_text(path: &Option<String>) -> String {
    path.as_ref()
        .map(|p| format!(" at {p}"))
        .unwrap_or_default()
}

impl Error {
    pub(crate) fn http_client(source: reqwest::Error) -> Self {
        Self::HttpClient {
            source: TransportError(source),
        }
    }

    pub(crate) fn invalid(field: &'static str, reason: impl Into<String>) -> Self {
        Self::InvalidInput {
            field,
            reason: reason.into(),
        }
    }

    /// Maps an error of the generated client.
    pub(crate) fn from_raw(error: raw::Error<ApiError>, call: Call) -> Self {
        match error {
            raw::Error::ErrorResponse(response) => {
                let status = response.status().as_u16();
                let retry_after = crate::retry::retry_after(response.headers(), SystemTime::now());
                let body = response.into_inner();
                Self::from_status(call, status, body.message, &body.data, retry_after)
            }
            raw::Error::CommunicationError(source) | raw::Error::ResponseBodyError(source) => {
                Self::from_transport(call, source)
            }
            raw::Error::InvalidResponsePayload(bytes, source) => Self::Decode {
                call,
                format: Format::Json,
                path: None,
                message: source.to_string(),
                snippet: snippet(&bytes),
            },
            raw::Error::UnexpectedResponse(response) => Self::Unexpected {
                call,
                status: response.status().as_u16(),
            },
            raw::Error::InvalidRequest(reason) | raw::Error::Custom(reason) => Self::InvalidInput {
                field: "request",
                reason,
            },
            raw::Error::InvalidUpgrade(source) => Self::from_transport(call, source),
        }
    }

    fn from_status(
        call: Call,
        status: u16,
        message: String,
        data: &serde_json::Value,
        retry_after: Option<Duration>,
    ) -> Self {
        match status {
            401 => Self::Unauthorized { call, message },
            403 => Self::Forbidden { call, message },
            404 => Self::NotFound { call, message },
            422 => Self::Validation {
                call,
                message,
                fields: serde_json::from_value(data.clone()).unwrap_or_default(),
            },
            429 => Self::RateLimited { call, retry_after },
            500..=599 => Self::Server {
                call,
                status,
                message,
            },
            _ => Self::Unexpected { call, status },
        }
    }

    /// An error answer read whole: Adsterra's `{code, message, data}` when the body is one.
    pub(crate) fn from_error_body(
        call: Call,
        status: u16,
        body: &[u8],
        retry_after: Option<Duration>,
    ) -> Self {
        match serde_json::from_slice::<ApiError>(body) {
            Ok(error) => Self::from_status(call, status, error.message, &error.data, retry_after),
            Err(_) => Self::from_status(
                call,
                status,
                snippet(body),
                &serde_json::Value::Null,
                retry_after,
            ),
        }
    }

    pub(crate) fn from_transport(call: Call, source: reqwest::Error) -> Self {
        if source.is_timeout() {
            Self::Timeout { call }
        } else {
            Self::Transport {
                call,
                source: TransportError(source),
            }
        }
    }

    /// A body that did not decode in `format`. The message is the formats crate's whole
    /// sentence, which says where (line, CSV row and column, XML element) and what was found.
    pub(crate) fn decode(call: Call, error: adsterra_formats::Error, body: &[u8]) -> Self {
        Self::Decode {
            call,
            format: error.format,
            path: error.location.field.clone(),
            message: error.to_string(),
            snippet: snippet(body),
        }
    }

    /// The call that failed, when one was made.
    pub fn call(&self) -> Option<Call> {
        match self {
            Self::Unauthorized { call, .. }
            | Self::Forbidden { call, .. }
            | Self::NotFound { call, .. }
            | Self::Validation { call, .. }
            | Self::RateLimited { call, .. }
            | Self::Server { call, .. }
            | Self::Timeout { call }
            | Self::Transport { call, .. }
            | Self::Decode { call, .. }
            | Self::Unexpected { call, .. } => Some(*call),
            Self::PartiallyApplied { source, .. } => source.call(),
            Self::InvalidInput { .. } | Self::HttpClient { .. } => None,
        }
    }

    /// The HTTP status Adsterra answered with, when there was one.
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Unauthorized { .. } => Some(401),
            Self::Forbidden { .. } => Some(403),
            Self::NotFound { .. } => Some(404),
            Self::Validation { .. } => Some(422),
            Self::RateLimited { .. } => Some(429),
            Self::Server { status, .. } | Self::Unexpected { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// How long Adsterra asked to wait, for a rate-limited call.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Self::RateLimited { retry_after, .. } => *retry_after,
            _ => None,
        }
    }

    /// Whether trying the same call later may succeed and is safe: a transient failure, of an
    /// operation whose retry class allows another attempt after it (a write that must not run
    /// twice is retryable only when the server surely did not handle it). The client's retry
    /// loop judges by the same rule.
    pub fn is_retryable(&self) -> bool {
        let failure = match self {
            Self::RateLimited { .. } => Failure::REFUSED,
            Self::Server { .. } | Self::Timeout { .. } => Failure::LOST,
            Self::Transport { source, .. } if source.is_connect() => Failure::REFUSED,
            Self::Transport { .. } => Failure::LOST,
            _ => return false,
        };
        self.call()
            .is_some_and(|call| failure.allows(call.operation.retry))
    }
}

/// The start of a body, as text, for error messages.
fn snippet(body: &[u8]) -> String {
    String::from_utf8_lossy(body)
        .chars()
        .take(SNIPPET_CHARS)
        .collect()
}

#[cfg(test)]
mod tests;
