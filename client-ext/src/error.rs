//! The crate's error type.

/// Why a call could not be made or did not succeed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An argument was rejected before any request was sent.
    #[error("invalid {field}: {reason}")]
    InvalidInput {
        /// The argument or field, as the caller named it.
        field: &'static str,
        /// What is wrong and what to do about it.
        reason: String,
    },
    /// The HTTP client could not be set up (TLS back-end, system configuration).
    #[error("cannot build the HTTP client: {0}")]
    HttpClient(#[source] reqwest::Error),
}

impl Error {
    pub(crate) fn invalid(field: &'static str, reason: impl Into<String>) -> Self {
        Self::InvalidInput {
            field,
            reason: reason.into(),
        }
    }
}
