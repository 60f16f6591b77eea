//! Probing whether an API still accepts the legacy token-in-path form.
//!
//! Old scripts (2017-2022) put the token in the path instead of the `X-API-Key` header:
//! `{base_url}/{token}/campaigns.json`. This client never sends requests that way; the one
//! exception is [`Client::probe_legacy_token_path`], which `adsterra verify-live` uses to report
//! whether the live API still answers that form, so that people running such scripts know
//! whether they still work.
//!
//! The probe is one GET of the `get_campaigns` JSON operation (its path comes from the operation
//! table) with the token as the first path segment, percent-encoded, and without the
//! `X-API-Key` header. It goes through this client's own HTTP client, so the same rules hold:
//! https only (plain http only to loopback) and redirects followed only within the base URL's
//! origin. It does not go through the request policy: it is sent once (no retries, no
//! client-side rate limit), and the policy's spans, which carry the request path, never see
//! the token-bearing path.
//!
//! The token stays a secret everywhere this module answers: [`LegacyProbe`]'s `Debug` and
//! `Display` never hold it (a message from the server that echoes it is masked), errors are
//! built from reqwest errors stripped of their URL, and the tracing span names the operation
//! only. What the probe cannot control is the far end: a server may log the paths it is asked
//! for, which is why the client never uses this form for anything else.

use std::fmt;

use tracing::Instrument as _;

use crate::error::Call;
use crate::raw::ClientInfo as _;
use crate::raw::types::ApiError;
use crate::{Client, Endpoint, Error, Format, Operation};

/// What shows instead of the token in [`Client::legacy_probe_path`] and in a masked message.
pub const TOKEN_PLACEHOLDER: &str = "<token>";

/// How an API answered the legacy token-in-path form; see [`Client::probe_legacy_token_path`].
///
/// It holds no secret: its `Debug` and `Display` are safe to print.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct LegacyProbe {
    /// The HTTP status of the answer (after any same-origin redirect).
    pub status: u16,
    /// The `message` of an Adsterra error body (`Token not found`), when the answer is not a
    /// success and its body is one; the token is masked if the server echoed it.
    pub message: Option<String>,
}

impl LegacyProbe {
    /// Whether the legacy form was accepted: a 2xx answer.
    pub fn accepted(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

impl fmt::Display for LegacyProbe {
    /// `accepted`, or `refused (401 Token not found)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.accepted() {
            return f.write_str("accepted");
        }
        match &self.message {
            Some(message) => write!(f, "refused ({} {message})", self.status),
            None => write!(f, "refused ({})", self.status),
        }
    }
}

impl Client {
    /// The operation the legacy probe sends: `get_campaigns` in JSON, a read with no parameter.
    fn legacy_probe_operation() -> &'static Operation {
        Endpoint::GetCampaigns.operation(Format::Json)
    }

    /// The path the legacy probe asks for, with [`TOKEN_PLACEHOLDER`] where the token goes:
    /// `/advertiser/<token>/campaigns.json` for the production base URL. Safe to print.
    pub fn legacy_probe_path(&self) -> String {
        let base = url::Url::parse(self.raw.baseurl()).expect("the base URL was checked");
        format!(
            "{}/{TOKEN_PLACEHOLDER}{}",
            base.path().trim_end_matches('/'),
            Self::legacy_probe_operation().path
        )
    }

    /// Asks the API whether it still accepts the legacy token-in-path form: one GET of
    /// `{base_url}/{token}/campaigns.json` without the `X-API-Key` header (see the module
    /// [`crate::legacy`] docs for what it does and does not do).
    ///
    /// `Ok` is any answer, accepted or not; `Err` is no answer at all ([`Error::Transport`],
    /// [`Error::Timeout`]), whose message never holds the token or the URL.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let sandbox = adsterra_sandbox::Sandbox::start(Default::default()).await?;
    /// # let client = adsterra::Client::builder().base_url(sandbox.base_url())
    /// #     .token(adsterra::ApiToken::new(sandbox.token())?).build()?;
    /// let probe = client.probe_legacy_token_path().await?;
    /// // The sandbox accepts the form, as Adsterra did for old scripts.
    /// assert!(probe.accepted());
    /// println!("{}: {probe}", client.legacy_probe_path()); // /advertiser/<token>/campaigns.json: accepted
    /// # Ok(()) }
    /// ```
    pub async fn probe_legacy_token_path(&self) -> Result<LegacyProbe, Error> {
        let operation = Self::legacy_probe_operation();
        // The span names the operation only: the request's path holds the token.
        let span = tracing::debug_span!("adsterra.legacy_probe", operation = operation.id);
        self.send_legacy_probe(operation).instrument(span).await
    }

    async fn send_legacy_probe(&self, operation: &'static Operation) -> Result<LegacyProbe, Error> {
        let call = Call {
            operation,
            attempts: 1,
        };
        let url = self.legacy_url(operation)?;
        let sent = self
            .raw
            .client()
            .get(url)
            .header(reqwest::header::ACCEPT, "application/json")
            .send()
            .await;
        // reqwest's errors carry the URL, and the URL carries the token.
        let response = sent.map_err(|error| Error::from_transport(call, error.without_url()))?;
        let status = response.status().as_u16();
        let body = response
            .bytes()
            .await
            .map_err(|error| Error::from_transport(call, error.without_url()))?;
        let message = if (200..300).contains(&status) {
            None
        } else {
            serde_json::from_slice::<ApiError>(&body)
                .ok()
                .map(|error| masked(&error.message, self.token.secret()))
        };
        tracing::debug!(status, "legacy probe answered");
        Ok(LegacyProbe { status, message })
    }

    /// `{base_url}/{token}{path}`, the token percent-encoded as one path segment.
    fn legacy_url(&self, operation: &Operation) -> Result<url::Url, Error> {
        let path = operation.fill_path(&[]).map_err(|parameter| {
            Error::invalid(
                "operation",
                format!("the legacy probe's operation needs {parameter}"),
            )
        })?;
        let mut url = url::Url::parse(self.raw.baseurl()).expect("the base URL was checked");
        url.path_segments_mut()
            .expect("a checked base URL has a host, so it has a path")
            .pop_if_empty()
            .push(self.token.secret())
            .extend(path.trim_start_matches('/').split('/'));
        Ok(url)
    }
}

/// `message` on one line with `token` masked, should a server echo the path it was asked for.
fn masked(message: &str, token: &str) -> String {
    let one_line = message.split_whitespace().collect::<Vec<_>>().join(" ");
    one_line.replace(token, TOKEN_PLACEHOLDER)
}

#[cfg(test)]
mod tests {
    use std::net::TcpListener;

    use super::*;
    use crate::ApiToken;

    const SECRET: &str = "e1ee46af6596c438413aaaafea953214";

    fn client(base_url: &str, token: &str) -> Client {
        Client::builder()
            .base_url(base_url)
            .token(ApiToken::new(token).unwrap())
            .build()
            .unwrap()
    }

    /// Everything a caller could print of an outcome: Display, Debug, and each source's.
    fn printed(outcome: &Result<LegacyProbe, Error>) -> String {
        match outcome {
            Ok(probe) => format!("{probe} {probe:?}"),
            Err(error) => {
                let mut text = format!("{error} {error:?}");
                let mut source = std::error::Error::source(error);
                while let Some(cause) = source {
                    text.push_str(&format!(" {cause} {cause:?}"));
                    source = cause.source();
                }
                text
            }
        }
    }

    #[test]
    fn the_path_shown_masks_the_token_and_comes_from_the_table() {
        let client = client("https://api3.adsterratools.com/advertiser/", SECRET);
        assert_eq!(
            client.legacy_probe_path(),
            format!(
                "/advertiser/<token>{}",
                Endpoint::GetCampaigns.operation(Format::Json).path
            )
        );
        assert!(!format!("{client:?}").contains(SECRET));
    }

    #[test]
    fn the_token_is_one_percent_encoded_segment() {
        let client = client("http://127.0.0.1:9/advertiser", "a/b?c#d%e");
        let operation = Client::legacy_probe_operation();
        let url = client.legacy_url(operation).unwrap();
        assert_eq!(
            url.as_str(),
            format!(
                "http://127.0.0.1:9/advertiser/a%2Fb%3Fc%23d%25e{}",
                operation.path
            )
        );
        let root = self::client("http://127.0.0.1:9", SECRET);
        assert_eq!(
            root.legacy_url(operation).unwrap().path(),
            format!("/{SECRET}{}", operation.path)
        );
    }

    #[test]
    fn an_echoed_token_is_masked_and_messages_stay_on_one_line() {
        assert_eq!(
            masked(&format!("Token {SECRET}\nnot found"), SECRET),
            "Token <token> not found"
        );
    }

    #[test]
    fn display_says_accepted_or_refused_with_the_status_and_message() {
        let probe = |status, message: Option<&str>| LegacyProbe {
            status,
            message: message.map(str::to_owned),
        };
        assert_eq!(probe(200, None).to_string(), "accepted");
        assert_eq!(
            probe(401, Some("Token not found")).to_string(),
            "refused (401 Token not found)"
        );
        assert_eq!(probe(307, None).to_string(), "refused (307)");
    }

    #[tokio::test]
    async fn the_sandbox_accepts_the_valid_token_and_refuses_others_like_the_header() {
        let sandbox = adsterra_sandbox::Sandbox::start(Default::default())
            .await
            .unwrap();
        let valid = client(sandbox.base_url(), sandbox.token());
        let outcome = valid.probe_legacy_token_path().await;
        assert!(!printed(&outcome).contains(sandbox.token()));
        assert_eq!(
            outcome.unwrap(),
            LegacyProbe {
                status: 200,
                message: None
            }
        );

        let revoked = client(sandbox.base_url(), sandbox.revoked_token());
        let outcome = revoked.probe_legacy_token_path().await;
        assert!(!printed(&outcome).contains(sandbox.revoked_token()));
        assert_eq!(outcome.unwrap().to_string(), "refused (403 Invalid token)");

        let unknown = client(sandbox.base_url(), SECRET);
        let outcome = unknown.probe_legacy_token_path().await;
        assert!(!printed(&outcome).contains(SECRET));
        assert_eq!(
            outcome.unwrap().to_string(),
            "refused (401 Token not found)"
        );
        // A read: nothing was written, and no request carried a header token.
        assert_eq!(sandbox.writes_seen(), 0);
    }

    #[tokio::test]
    async fn no_answer_is_an_error_that_names_neither_the_token_nor_the_url() {
        // A port that was just free: nothing listens there.
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let closed = client(&format!("http://127.0.0.1:{port}/advertiser"), SECRET);
        let outcome = closed.probe_legacy_token_path().await;
        let text = printed(&outcome);
        let error = outcome.unwrap_err();
        assert!(matches!(error, Error::Transport { .. }), "{error:?}");
        assert!(!text.contains(SECRET), "the token leaked: {text}");
        assert!(
            !text.contains(&format!(":{port}/")),
            "the URL leaked: {text}"
        );
        assert_eq!(
            error.call().map(|call| call.operation),
            Some(Endpoint::GetCampaigns.operation(Format::Json))
        );
    }

    #[tokio::test]
    async fn a_dropped_or_cut_answer_is_an_error_without_the_token() {
        for faults in ["drop=1", "truncate=1"] {
            let sandbox = adsterra_sandbox::Sandbox::start(
                adsterra_sandbox::Config::default().with_faults(faults.parse().unwrap()),
            )
            .await
            .unwrap();
            let client = client(sandbox.base_url(), sandbox.token());
            let outcome = client.probe_legacy_token_path().await;
            let text = printed(&outcome);
            assert!(outcome.is_err(), "{faults}: {text}");
            assert!(!text.contains(sandbox.token()), "{faults}: {text}");
            // Sent once: the probe is not retried.
            assert_eq!(sandbox.requests_seen(), 1, "{faults}");
        }
    }

    #[tokio::test]
    async fn a_redirect_to_another_origin_is_not_followed_with_the_token() {
        let sandbox = adsterra_sandbox::Sandbox::start(
            adsterra_sandbox::Config::default().with_faults("redirect=1".parse().unwrap()),
        )
        .await
        .unwrap();
        let client = client(sandbox.base_url(), sandbox.token());
        let outcome = client.probe_legacy_token_path().await;
        assert!(!printed(&outcome).contains(sandbox.token()));
        assert_eq!(outcome.unwrap().to_string(), "refused (307)");
        assert!(sandbox.decoy_requests().is_empty());
    }
}
