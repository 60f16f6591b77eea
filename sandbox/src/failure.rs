//! The sandbox's error answers: Adsterra's `{code, message, data}` body, always JSON.

use std::collections::BTreeMap;

use adsterra_generated::types;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

/// An error answer, before it is rendered.
#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    status: StatusCode,
    message: &'static str,
    /// Field errors of a 422 (empty otherwise).
    fields: BTreeMap<String, Vec<String>>,
    allow: Option<String>,
    retry_after: Option<u64>,
}

impl Failure {
    fn new(status: StatusCode, message: &'static str) -> Self {
        Self {
            status,
            message,
            fields: BTreeMap::new(),
            allow: None,
            retry_after: None,
        }
    }

    /// 401: no token, or one the sandbox does not know.
    pub fn token_not_found() -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "Token not found")
    }

    /// 403: a token that was valid once (Adsterra keeps one valid token at a time).
    pub fn invalid_token() -> Self {
        Self::new(StatusCode::FORBIDDEN, "Invalid token")
    }

    /// 404: an unknown path, or an id this account does not own.
    pub fn not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, "Not found")
    }

    /// 404 saying why in `data`, under `what` (a request no cassette holds, when replaying only).
    pub fn not_found_because(what: &str, why: String) -> Self {
        Self {
            fields: BTreeMap::from([(what.to_owned(), vec![why])]),
            ..Self::not_found()
        }
    }

    /// 405, with the methods the path takes.
    pub fn method_not_allowed(allow: String) -> Self {
        Self {
            allow: Some(allow),
            ..Self::new(StatusCode::METHOD_NOT_ALLOWED, "Method not allowed")
        }
    }

    /// 422, with messages per field.
    pub fn validation(fields: BTreeMap<String, Vec<String>>) -> Self {
        Self {
            fields,
            ..Self::new(StatusCode::UNPROCESSABLE_ENTITY, "Validation failed")
        }
    }

    /// 422 for one field.
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        Self::validation(BTreeMap::from([(field.to_owned(), vec![message.into()])]))
    }

    /// 429, with the seconds to wait.
    pub fn rate_limited(retry_after: u64) -> Self {
        Self {
            retry_after: Some(retry_after),
            ..Self::new(StatusCode::TOO_MANY_REQUESTS, "Too many requests")
        }
    }

    /// A 5xx; a 500 says what the spec's example says.
    pub fn server(status: StatusCode) -> Self {
        let message = match status {
            StatusCode::INTERNAL_SERVER_ERROR => "Internal server error",
            _ => status.canonical_reason().unwrap_or("Server error"),
        };
        Self::new(status, message)
    }
}

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        let body: types::ApiError = types::ApiError::builder()
            .code(i32::from(self.status.as_u16()))
            .message(self.message)
            .data(if self.fields.is_empty() {
                Value::Null
            } else {
                serde_json::to_value(self.fields).expect("strings serialise")
            })
            .try_into()
            .expect("every field is set");
        let mut response = (self.status, axum::Json(body)).into_response();
        let headers = response.headers_mut();
        if let Some(allow) = self.allow {
            headers.insert(
                header::ALLOW,
                HeaderValue::from_str(&allow).expect("method names"),
            );
        }
        if let Some(seconds) = self.retry_after {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}
