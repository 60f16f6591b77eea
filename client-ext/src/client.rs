//! Building a raw client that is safe to use with a real token.

use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderName};
use reqwest::redirect;

use crate::{ApiToken, BaseUrl, Error, raw};

/// The production base URL of the Advertiser API.
pub const DEFAULT_BASE_URL: &str = "https://api3.adsterratools.com/advertiser";

/// How long to wait for a connection.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a whole call may take; a year of stats by placement is a large body.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(120);
/// Redirects followed at most, all within the base URL's origin.
const MAX_REDIRECTS: usize = 5;

/// Builds a raw client for `base_url` that sends `token` in the `X-API-Key` header.
///
/// The header is marked sensitive; plain `http` is refused except on loopback (see [`BaseUrl`]);
/// redirects are followed only within the same origin, so the token is never forwarded to
/// another host (a redirect elsewhere is returned to the caller as a response).
pub fn client(base_url: &str, token: ApiToken) -> Result<raw::Client, Error> {
    let base_url = BaseUrl::parse(base_url)?;
    let mut headers = HeaderMap::new();
    headers.insert(HeaderName::from_static("x-api-key"), token.header_value());
    let http = reqwest::Client::builder()
        .default_headers(headers)
        .https_only(!base_url.is_loopback())
        .redirect(same_origin_redirects())
        .connect_timeout(CONNECT_TIMEOUT)
        .timeout(REQUEST_TIMEOUT)
        .build()
        .map_err(Error::HttpClient)?;
    Ok(raw::Client::new_with_client(
        base_url.as_str(),
        http,
        raw::Policy::none(),
    ))
}

fn same_origin_redirects() -> redirect::Policy {
    redirect::Policy::custom(|attempt| {
        let same_origin = attempt
            .previous()
            .first()
            .is_some_and(|first| first.origin() == attempt.url().origin());
        if !same_origin {
            attempt.stop()
        } else if attempt.previous().len() > MAX_REDIRECTS {
            attempt.error(format!("more than {MAX_REDIRECTS} redirects"))
        } else {
            attempt.follow()
        }
    })
}
