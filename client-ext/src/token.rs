//! The API token: a secret that never shows in Debug or Display output.

use std::borrow::Cow;
use std::fmt;

use crate::Error;

/// An Adsterra API token (the dashboard's "API" page, "Generate new token").
///
/// Adsterra allows one valid token at a time: generating a new one invalidates the old. The value
/// is only ever written into the `X-API-Key` header, marked sensitive (and into the path of the
/// one request of [`Client::probe_legacy_token_path`](crate::Client::probe_legacy_token_path),
/// which asks whether the legacy token-in-path form still works); `Debug` prints
/// `ApiToken(***)` and there is no `Display`.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiToken(String);

impl ApiToken {
    /// Checks that `token` can be sent as a header value. Surrounding whitespace (a pasted
    /// newline) is removed.
    pub fn new(token: impl Into<String>) -> Result<Self, Error> {
        let token = token.into();
        let trimmed = token.trim();
        if trimmed.is_empty() {
            return Err(Error::invalid(
                "token",
                "it is empty; copy it from the API page of the Adsterra dashboard",
            ));
        }
        if !trimmed.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(Error::invalid(
                "token",
                "it contains spaces or non-ASCII characters; Adsterra tokens are 32 characters of a-z and 0-9",
            ));
        }
        Ok(Self(trimmed.to_owned()))
    }

    /// The token itself, for the one request that must carry it in its path (the legacy probe,
    /// `legacy.rs`); never for anything that is printed or logged.
    pub(crate) fn secret(&self) -> &str {
        &self.0
    }

    /// `bytes` with every occurrence of the token replaced by the stand-in.
    pub(crate) fn hidden_in<'b>(&self, bytes: &'b [u8]) -> Cow<'b, [u8]> {
        let token = self.0.as_bytes();
        if !bytes.windows(token.len()).any(|window| window == token) {
            return Cow::Borrowed(bytes);
        }
        let mut out = Vec::with_capacity(bytes.len());
        let mut rest = bytes;
        while !rest.is_empty() {
            if rest.starts_with(token) {
                out.extend_from_slice(crate::client::TOKEN_STAND_IN.as_bytes());
                rest = &rest[token.len()..];
            } else {
                out.push(rest[0]);
                rest = &rest[1..];
            }
        }
        Cow::Owned(out)
    }

    /// The token as a sensitive header value (hidden from `Debug` of requests and headers).
    pub(crate) fn header_value(&self) -> reqwest::header::HeaderValue {
        let mut value = reqwest::header::HeaderValue::from_str(&self.0)
            .expect("ApiToken::new admits only visible ASCII");
        value.set_sensitive(true);
        value
    }
}

impl fmt::Debug for ApiToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiToken(***)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "e1ee46af6596c438413aaaafea953214";

    #[test]
    fn debug_never_shows_the_token() {
        let token = ApiToken::new(SECRET).unwrap();
        assert_eq!(format!("{token:?}"), "ApiToken(***)");
        assert!(!format!("{:?}", token.header_value()).contains(SECRET));
    }

    #[test]
    fn rejects_empty_and_unprintable_tokens_naming_the_field() {
        for bad in ["", "  \n", "abc def", "tökén"] {
            let error = ApiToken::new(bad).unwrap_err().to_string();
            assert!(error.starts_with("invalid token: "), "{error}");
            assert!(
                !error.contains(bad.trim()) || bad.trim().is_empty(),
                "{error}"
            );
        }
    }

    #[test]
    fn trims_a_pasted_newline() {
        assert_eq!(
            ApiToken::new(format!("{SECRET}\n")).unwrap(),
            ApiToken::new(SECRET).unwrap()
        );
    }

    #[test]
    fn hides_every_occurrence_and_leaves_the_rest_byte_for_byte() {
        let token = ApiToken::new(SECRET).unwrap();
        // A non-UTF-8 byte after it stays as it was.
        let mut echoed =
            format!("{{\"message\":\"{SECRET} is not valid\",\"token\":\"{SECRET}\"}}")
                .into_bytes();
        echoed.push(0xff);
        let mut expected =
            b"{\"message\":\"<API token> is not valid\",\"token\":\"<API token>\"}".to_vec();
        expected.push(0xff);
        assert_eq!(token.hidden_in(&echoed).as_ref(), &expected[..]);
        let clean = b"{\"balance\": 12.5}";
        assert!(matches!(token.hidden_in(clean), Cow::Borrowed(b) if b == clean));
    }
}
