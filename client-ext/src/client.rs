//! Building a client that is safe to use with a real token.

use std::borrow::Cow;
use std::fmt;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use adsterra_formats::Format;
use reqwest::header::{HeaderMap, HeaderValue, USER_AGENT};
use reqwest::redirect;

use crate::policy::ClientPolicy;
use crate::raw::ClientInfo;
use crate::retry::Retries;
use crate::{ApiToken, BaseUrl, Error, RetryPolicy, raw};

/// The production base URL of the Advertiser API.
pub const DEFAULT_BASE_URL: &str = "https://api3.adsterratools.com/advertiser";

/// How long one answer may take by default: a year of stats by placement is a large body.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(120);
/// The environment variable [`Client::from_env`] reads the token from.
pub const ENV_API_KEY: &str = "ADSTERRA_API_KEY";
/// The environment variable [`Client::from_env`] reads an optional base URL from.
pub const ENV_BASE_URL: &str = "ADSTERRA_BASE_URL";

/// Redirects followed at most, all within the base URL's origin.
const MAX_REDIRECTS: usize = 5;

/// A client of the Advertiser API. Cheap to clone: clones share the connection pool, the rate
/// limiter and the retry budget.
#[derive(Clone)]
pub struct Client {
    /// The raw client a user gets: its policy runs the retry loop.
    pub(crate) raw: raw::Client,
    /// The raw client the wrappers use: one attempt per request, because their own loop
    /// (`call.rs`) decides retries, lost bodies included.
    pub(crate) once: raw::Client,
    /// The policy both share (token, rate limit, budget, kept bodies).
    pub(crate) policy: ClientPolicy,
    /// The wire format the wrappers ask for; every format decodes into the same types.
    pub(crate) format: Format,
    /// Placements sent per request by the bulk changes.
    pub(crate) batch_size: usize,
    /// The retry policy and budget, shared with the request policy.
    pub(crate) retries: Arc<Retries>,
    /// The token, for the legacy probe only (`legacy.rs`); every other request gets it from the
    /// request policy, as a header. Never printed: `Debug` below leaves it out.
    pub(crate) token: ApiToken,
}

impl fmt::Debug for Client {
    // The token lives in the HTTP client's default headers; print only where the client points.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.raw.baseurl())
            .field("format", &self.format)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// Starts configuring a client; a token is required, everything else has a default.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// A client from `ADSTERRA_API_KEY` and, when set, `ADSTERRA_BASE_URL`.
    pub fn from_env() -> Result<Self, Error> {
        let token = std::env::var(ENV_API_KEY).map_err(|_| {
            Error::invalid(
                "ADSTERRA_API_KEY",
                "is not set; export the token from the API page of the Adsterra dashboard",
            )
        })?;
        let mut builder = Self::builder().token(ApiToken::new(token)?);
        if let Ok(base_url) = std::env::var(ENV_BASE_URL) {
            builder = builder.base_url(base_url);
        }
        builder.build()
    }

    /// This client, asking for `format` (JSON by default). The answers decode into the same
    /// typed values whatever the format; the clone shares the rate limit and retry budget.
    pub fn with_format(&self, format: Format) -> Self {
        Self {
            format,
            ..self.clone()
        }
    }

    /// This client with `policy` (and the same HTTP client, base URL and settings).
    pub(crate) fn with_policy(&self, policy: ClientPolicy) -> Self {
        let (raw, once) = raw_clients(self.raw.baseurl(), self.raw.client().clone(), &policy);
        Self {
            raw,
            once,
            policy,
            ..self.clone()
        }
    }

    /// The wire format this client asks for.
    pub fn format(&self) -> Format {
        self.format
    }

    /// The generated client underneath, with this client's token and policy, for any operation
    /// the wrappers do not cover.
    pub fn raw(&self) -> &raw::Client {
        &self.raw
    }

    /// The HTTP requests this client has sent, each attempt counted (a call that was retried
    /// twice counts 3), together with the clones that share its count: every clone made by
    /// `clone` or [`Self::with_format`]. For the requests of one job, count on
    /// [`Self::counting_attempts`].
    pub fn attempts(&self) -> u64 {
        self.policy.attempts()
    }

    /// This client (same token, rate limit and retry budget) with a count of attempts of its
    /// own, from 0: what one job sent, whatever else shares the client.
    ///
    /// ```
    /// # async fn demo(client: adsterra::Client) -> Result<(), adsterra::Error> {
    /// let job = client.counting_attempts();
    /// job.balance().await?;
    /// println!("{} HTTP requests, retries included", job.attempts());
    /// # Ok(()) }
    /// ```
    pub fn counting_attempts(&self) -> Self {
        self.with_policy(self.policy.counting())
    }

    /// `bytes` with every occurrence of this client's token replaced by [`TOKEN_STAND_IN`]: for
    /// whatever is kept of an answer (a recording, a log), since a server may echo the token.
    pub fn hide_token<'b>(&self, bytes: &'b [u8]) -> Cow<'b, [u8]> {
        self.token.hidden_in(bytes)
    }
}

/// What stands for the token where [`Client::hide_token`] took it out.
pub const TOKEN_STAND_IN: &str = "<API token>";

/// How a service configures the HTTP client: see [`ClientBuilder::http_client`].
type ConfigureHttp = Arc<dyn Fn(reqwest::ClientBuilder) -> reqwest::ClientBuilder + Send + Sync>;

/// Configures a [`Client`].
#[derive(Clone)]
#[must_use = "a builder makes nothing until build()"]
pub struct ClientBuilder {
    token: Option<ApiToken>,
    base_url: String,
    connect_timeout: Duration,
    timeout: Duration,
    retry: RetryPolicy,
    rate_limit_per_minute: Option<NonZeroU32>,
    user_agent: String,
    batch_size: usize,
    http: Option<ConfigureHttp>,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("token", &self.token)
            .field("base_url", &self.base_url)
            .field("connect_timeout", &self.connect_timeout)
            .field("timeout", &self.timeout)
            .field("retry", &self.retry)
            .field("rate_limit_per_minute", &self.rate_limit_per_minute)
            .field("user_agent", &self.user_agent)
            .field("batch_size", &self.batch_size)
            .field("http_client", &self.http.as_ref().map(|_| "configured"))
            .finish()
    }
}

impl Default for ClientBuilder {
    fn default() -> Self {
        Self {
            token: None,
            base_url: DEFAULT_BASE_URL.to_owned(),
            connect_timeout: Duration::from_secs(10),
            timeout: DEFAULT_TIMEOUT,
            retry: RetryPolicy::default(),
            rate_limit_per_minute: NonZeroU32::new(raw::limits::REQUESTS_PER_MINUTE),
            user_agent: concat!("adsterra-rust/", env!("CARGO_PKG_VERSION")).to_owned(),
            batch_size: 500,
            http: None,
        }
    }
}

impl ClientBuilder {
    /// The API token (required).
    pub fn token(mut self, token: ApiToken) -> Self {
        self.token = Some(token);
        self
    }

    /// Where the API is; [`DEFAULT_BASE_URL`] unless set (a local sandbox, say).
    pub fn base_url(mut self, base_url: impl Into<String>) -> Self {
        self.base_url = base_url.into();
        self
    }

    /// How long to wait for a connection (default 10 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// How long one attempt may take, body included (default 120 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// How failed requests are retried (default [`RetryPolicy::default`]).
    pub fn retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// Requests per minute at most, shared by all clones (default 1200); `None` turns the
    /// client-side limit off.
    pub fn rate_limit_per_minute(mut self, limit: Option<NonZeroU32>) -> Self {
        self.rate_limit_per_minute = limit;
        self
    }

    /// The `User-Agent` header (default `adsterra-rust/<version>`).
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }

    /// Placements per request when adding to or removing from lists and custom bids (default
    /// 500); a longer change is sent in batches.
    pub fn placement_batch_size(mut self, size: usize) -> Self {
        self.batch_size = size;
        self
    }

    /// Configures the HTTP client as a service does its own: proxies, connection pools,
    /// timeouts, DNS, extra root certificates. `configure` gets reqwest's builder with this
    /// builder's timeouts and `User-Agent` set (it may change them), and returns it.
    ///
    /// The token's rules are set after it, and it cannot undo them: redirects are followed
    /// only within the base URL's origin (reqwest would forward the `X-API-Key` header to
    /// another host, as it keeps every header but a few standard ones), and plain http is
    /// refused except to loopback. That is why it takes a configuration rather than a built
    /// `reqwest::Client`, whose redirect policy cannot be read or replaced.
    ///
    /// ```
    /// # fn demo(token: adsterra::ApiToken) -> Result<adsterra::Client, adsterra::Error> {
    /// use std::time::Duration;
    ///
    /// adsterra::Client::builder()
    ///     .token(token)
    ///     .http_client(|http| {
    ///         http.pool_max_idle_per_host(4)
    ///             .pool_idle_timeout(Duration::from_secs(30))
    ///             .tcp_keepalive(Duration::from_secs(60))
    ///     })
    ///     .build()
    /// # }
    /// ```
    pub fn http_client(
        mut self,
        configure: impl Fn(reqwest::ClientBuilder) -> reqwest::ClientBuilder + Send + Sync + 'static,
    ) -> Self {
        self.http = Some(Arc::new(configure));
        self
    }

    /// Checks everything and builds the client; no request is sent.
    ///
    /// The token goes in a sensitive `X-API-Key` header, added by the request policy to every
    /// request; plain `http` is refused except on
    /// loopback (see [`BaseUrl`]); redirects are followed only within the same origin, so the
    /// token is never forwarded to another host (a redirect elsewhere is returned as a response).
    pub fn build(self) -> Result<Client, Error> {
        let token = self.token.ok_or_else(|| {
            Error::invalid(
                "token",
                "is missing; pass ApiToken::new(..) to ClientBuilder::token, or use Client::from_env",
            )
        })?;
        let base_url = BaseUrl::parse(&self.base_url)?;
        let user_agent = HeaderValue::from_str(&self.user_agent).map_err(|_| {
            Error::invalid("user_agent", "must be visible ASCII, as HTTP headers are")
        })?;
        check_tls(&base_url)?;
        let mut headers = HeaderMap::new();
        headers.insert(USER_AGENT, user_agent);
        let http = reqwest::Client::builder()
            .default_headers(headers)
            .connect_timeout(self.connect_timeout)
            .timeout(self.timeout);
        let http = match &self.http {
            Some(configure) => configure(http),
            None => http,
        };
        // Last, so that no configuration undoes them.
        let http = (http.https_only(!base_url.is_loopback()))
            .redirect(same_origin_redirects())
            .build()
            .map_err(Error::http_client)?;
        if self.batch_size == 0 {
            return Err(Error::invalid("placement_batch_size", "must be at least 1"));
        }
        let retries = Arc::new(Retries::new(self.retry));
        let policy = ClientPolicy::new(token.clone(), retries.clone(), self.rate_limit_per_minute);
        let (raw, once) = raw_clients(base_url.as_str(), http, &policy);
        Ok(Client {
            raw,
            once,
            policy,
            format: Format::Json,
            batch_size: self.batch_size,
            retries,
            token,
        })
    }
}

/// Whether this build can reach `base_url`: https needs one of the TLS features, and rustls
/// without a provider needs the one the application installs (reqwest would panic without it).
fn check_tls(base_url: &BaseUrl) -> Result<(), Error> {
    let https = base_url.as_str().starts_with("https:");
    if https
        && !cfg!(any(
            feature = "rustls",
            feature = "rustls-no-provider",
            feature = "native-tls"
        ))
    {
        return Err(Error::invalid(
            "base_url",
            "is https, and this build of adsterra has no TLS: enable its feature rustls (the \
             default), rustls-no-provider or native-tls",
        ));
    }
    #[cfg(all(
        feature = "rustls-no-provider",
        not(feature = "rustls"),
        not(feature = "native-tls")
    ))]
    if rustls::crypto::CryptoProvider::get_default().is_none() {
        return Err(Error::invalid(
            "TLS",
            "adsterra's feature rustls-no-provider needs a rustls crypto provider installed \
             before the client is built, such as \
             rustls::crypto::ring::default_provider().install_default()",
        ));
    }
    Ok(())
}

/// The retrying raw client and the one-attempt raw client over `policy`.
fn raw_clients(
    base_url: &str,
    http: reqwest::Client,
    policy: &ClientPolicy,
) -> (raw::Client, raw::Client) {
    (
        raw::Client::new_with_client(base_url, http.clone(), raw::Policy::new(policy.clone())),
        raw::Client::new_with_client(base_url, http, raw::Policy::new(policy.once())),
    )
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
