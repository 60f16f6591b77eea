//! The running sandbox: listeners, the request pipeline and its faults, shutdown.
//!
//! Each request passes, in order: latency, route (404; a path below `/{token}/`, the legacy
//! token-in-path form, routes too), token (401/403), method (405), rate limit
//! (429), a fault drawn before handling (429/5xx/redirect), the handler (422/404/200) or, for an
//! operation of the spec that has no handler, the spec's example (200, marked by the
//! [`EXAMPLE_ANSWER`] header), and a fault drawn after handling (dropped connection, truncated or
//! malformed body).

use std::collections::BTreeMap;
use std::fmt;
use std::io;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use adsterra_formats::Format;
use adsterra_generated::Operation;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Router};
use hyper_util::rt::TokioIo;
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::{Notify, watch};
use tokio::task::JoinHandle;

use crate::account::Account;
use crate::answers::{self, Answers};
use crate::failure::Failure;
use crate::faults::{Fault, Faults};
use crate::handlers::{self, Call, Payload, World};
use crate::rate_limit::RateLimiter;
use crate::replay::{Recorded, Replay};
use crate::rng::{Rng, mix};
use crate::routes;
use crate::stats::StatsEngine;

/// Where the API lives on the sandbox's origin, as on Adsterra's.
pub const BASE_PATH: &str = "/advertiser";
/// The largest request body read.
const MAX_BODY: usize = 16 << 20;
/// How long shutdown waits for requests in flight.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// How to start a sandbox.
#[derive(Clone)]
#[non_exhaustive]
pub struct Config {
    /// Everything (account, stats, token, faults) is drawn from this seed.
    pub seed: u64,
    /// The valid token; drawn from the seed when `None`.
    pub token: Option<String>,
    /// The address to listen on: loopback (127.0.0.1) unless set. Any other lets whoever can
    /// reach it use the sandbox (a container's tests, say).
    pub bind: IpAddr,
    /// The port; 0 picks a free one.
    pub port: u16,
    /// Requests per token and minute before 429; 0 means no limit. The spec's limit by default.
    pub rate_limit_per_minute: u32,
    /// Faults from the start; change them later with [`Sandbox::set_faults`].
    pub faults: Faults,
    /// Answer off the spec on purpose (see [`crate::deviations`]), to show that a client or
    /// `adsterra verify-live` notices.
    pub deviate: bool,
    /// Answer as an API that has moved on since the spec (see [`crate::drift`]): new fields, a
    /// new status value, ids as strings, a field left out.
    pub drift: bool,
    /// How answers are spelled: the spec's shapes, or the loose shapes of the wild (see
    /// [`crate::answers`]); change it later with [`Sandbox::set_answers`].
    pub answers: Answers,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            seed: 42,
            token: None,
            bind: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: 0,
            rate_limit_per_minute: adsterra_generated::limits::REQUESTS_PER_MINUTE,
            faults: Faults::none(),
            deviate: false,
            drift: false,
            answers: Answers::Strict,
        }
    }
}

impl Config {
    /// This configuration, drawing everything (account, stats, token, faults) from `seed`.
    #[must_use]
    pub fn with_seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// This configuration, with `token` as the valid token instead of one drawn from the seed.
    #[must_use]
    pub fn with_token(mut self, token: impl Into<String>) -> Self {
        self.token = Some(token.into());
        self
    }

    /// This configuration, listening on `address` instead of 127.0.0.1 (`0.0.0.0`: every
    /// interface). Whoever can reach it can use the sandbox.
    #[must_use]
    pub fn with_bind(mut self, address: IpAddr) -> Self {
        self.bind = address;
        self
    }

    /// This configuration, on `port` (0 picks a free one).
    #[must_use]
    pub fn with_port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// This configuration, answering 429 after `limit` requests per token and minute (0: no
    /// limit).
    #[must_use]
    pub fn with_rate_limit_per_minute(mut self, limit: u32) -> Self {
        self.rate_limit_per_minute = limit;
        self
    }

    /// This configuration, with `faults` from the first request.
    #[must_use]
    pub fn with_faults(mut self, faults: Faults) -> Self {
        self.faults = faults;
        self
    }

    /// This configuration, answering off the spec on purpose (see [`crate::deviations`]).
    #[must_use]
    pub fn with_deviations(mut self, deviate: bool) -> Self {
        self.deviate = deviate;
        self
    }

    /// This configuration, answering as an API that has moved on (see [`crate::drift`]).
    #[must_use]
    pub fn with_drift(mut self, drift: bool) -> Self {
        self.drift = drift;
        self
    }

    /// This configuration, spelling answers the `answers` way.
    #[must_use]
    pub fn with_answers(mut self, answers: Answers) -> Self {
        self.answers = answers;
        self
    }
}

impl fmt::Debug for Config {
    // Tokens stay out of Debug output, even the sandbox's.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("seed", &self.seed)
            .field("token", &self.token.as_ref().map(|_| "***"))
            .field("port", &self.port)
            .field("rate_limit_per_minute", &self.rate_limit_per_minute)
            .field("faults", &self.faults)
            .field("deviate", &self.deviate)
            .field("drift", &self.drift)
            .field("answers", &self.answers)
            .finish()
    }
}

/// A request the decoy origin received (the target of the redirect fault).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecoyRequest {
    /// The method.
    pub method: String,
    /// The path and query.
    pub path: String,
    /// Whether it carried an `X-API-Key` header: a client that forwards it leaks the token.
    pub carried_api_key: bool,
}

/// What every request handler shares.
struct Shared {
    seed: u64,
    token: String,
    revoked_token: String,
    world: Arc<World>,
    limiter: RateLimiter,
    faults: RwLock<Faults>,
    /// Faults drawn so far, by name.
    injected: Mutex<BTreeMap<&'static str, u64>>,
    sequence: AtomicU64,
    /// Requests with another method than GET that reached the routes.
    writes: AtomicU64,
    edits: Edits,
    answers: RwLock<Answers>,
    replay: RwLock<Option<Arc<Replay>>>,
    decoy_origin: String,
}

/// What a configuration changes in the answers of the handlers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Edits {
    deviate: bool,
    drift: bool,
}

/// A running sandbox, on 127.0.0.1 unless [`Config::bind`] says otherwise. Dropping it stops
/// the server; [`Sandbox::shutdown`] also
/// waits for requests in flight.
pub struct Sandbox {
    address: SocketAddr,
    base_url: String,
    shared: Arc<Shared>,
    decoy_log: Arc<Mutex<Vec<DecoyRequest>>>,
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

impl fmt::Debug for Sandbox {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sandbox")
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}

impl Sandbox {
    /// Builds the seeded account and starts serving it (and the decoy origin).
    pub async fn start(config: Config) -> io::Result<Self> {
        let (account, profiles) = Account::seeded(config.seed);
        let mut tokens = Rng::new(config.seed, 0x70CE);
        let drawn = tokens.token();
        let revoked_token = tokens.token();
        let token = config.token.clone().unwrap_or(drawn);

        let listener = TcpListener::bind((config.bind, config.port)).await?;
        let decoy_listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await?;
        let address = listener.local_addr()?;
        let decoy_address = decoy_listener.local_addr()?;

        let shared = Arc::new(Shared {
            seed: config.seed,
            token,
            revoked_token,
            world: Arc::new(World {
                account: Mutex::new(account),
                stats: StatsEngine::new(config.seed, profiles),
            }),
            limiter: RateLimiter::new(config.rate_limit_per_minute),
            faults: RwLock::new(config.faults),
            injected: Mutex::new(BTreeMap::new()),
            sequence: AtomicU64::new(0),
            writes: AtomicU64::new(0),
            edits: Edits {
                deviate: config.deviate,
                drift: config.drift,
            },
            answers: RwLock::new(config.answers),
            replay: RwLock::new(None),
            decoy_origin: format!("http://{decoy_address}"),
        });
        let decoy_log = Arc::new(Mutex::new(Vec::new()));
        let (stop, stopped) = watch::channel(false);

        let router = Router::new().fallback(answer).with_state(shared.clone());
        let decoy_router = Router::new().fallback(decoy).with_state(decoy_log.clone());
        let tasks = vec![
            tokio::spawn(serve(listener, router, stopped.clone())),
            tokio::spawn(serve(decoy_listener, decoy_router, stopped)),
        ];
        // Bound to every interface, it is reached on this machine through loopback.
        let reach = match address.ip() {
            ip if ip.is_unspecified() => {
                SocketAddr::new(Ipv4Addr::LOCALHOST.into(), address.port())
            }
            _ => address,
        };
        Ok(Self {
            address,
            base_url: format!("http://{reach}{BASE_PATH}"),
            shared,
            decoy_log,
            stop,
            tasks,
        })
    }

    /// The base URL to give a client: `http://127.0.0.1:PORT/advertiser` (also when it listens
    /// on every interface), or the address it was bound to.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The address the sandbox listens on.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// The one valid token.
    pub fn token(&self) -> &str {
        &self.shared.token
    }

    /// A token that was valid before the current one was generated: answered 403.
    pub fn revoked_token(&self) -> &str {
        &self.shared.revoked_token
    }

    /// The faults in force.
    pub fn faults(&self) -> Faults {
        self.shared
            .faults
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Changes the faults for the requests that follow.
    pub fn set_faults(&self, faults: Faults) {
        *self
            .shared
            .faults
            .write()
            .unwrap_or_else(|p| p.into_inner()) = faults;
    }

    /// The answer profile in force.
    pub fn answers(&self) -> Answers {
        *self
            .shared
            .answers
            .read()
            .unwrap_or_else(|p| p.into_inner())
    }

    /// Changes the answer profile for the requests that follow.
    pub fn set_answers(&self, answers: Answers) {
        *self
            .shared
            .answers
            .write()
            .unwrap_or_else(|p| p.into_inner()) = answers;
    }

    /// Answers the requests `replay` recorded with the recorded answers from now on (see
    /// [`crate::replay`]); `None` stops replaying.
    pub fn set_replay(&self, replay: Option<Replay>) {
        *self
            .shared
            .replay
            .write()
            .unwrap_or_else(|p| p.into_inner()) = replay.map(Arc::new);
    }

    /// A copy of the account as it is now.
    pub fn account(&self) -> Account {
        self.shared
            .world
            .account
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// The stats engine (for checking reports against their source).
    pub fn stats(&self) -> &StatsEngine {
        &self.shared.world.stats
    }

    /// Every request the decoy origin received so far.
    pub fn decoy_requests(&self) -> Vec<DecoyRequest> {
        self.decoy_log
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// The faults injected so far, by name (`500`, `drop`, `truncate`, ...; see [`Fault::name`]).
    pub fn faults_injected(&self) -> BTreeMap<&'static str, u64> {
        self.shared
            .injected
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// How many requests reached the sandbox so far.
    pub fn requests_seen(&self) -> u64 {
        self.shared.sequence.load(Ordering::Relaxed)
    }

    /// How many requests other than GET reached an endpoint (handled or refused).
    pub fn writes_seen(&self) -> u64 {
        self.shared.writes.load(Ordering::Relaxed)
    }

    /// Stops accepting connections and waits (a few seconds at most) for requests in flight.
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        for task in self.tasks.drain(..) {
            let _ = task.await;
        }
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}

/// A handle that closes the connection a request came on, without a response.
#[derive(Clone)]
struct Hangup(Arc<Notify>);

/// Accepts connections until `stopped`, then lets requests in flight finish.
async fn serve(listener: TcpListener, router: Router, mut stopped: watch::Receiver<bool>) {
    let graceful = GracefulShutdown::new();
    loop {
        let stream = tokio::select! {
            _ = stopped.wait_for(|stop| *stop) => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                // A failed accept (too many open files, a reset) must not stop the server.
                Err(_) => continue,
            },
        };
        let hangup = Hangup(Arc::new(Notify::new()));
        let service = TowerToHyperService::new(router.clone().layer(Extension(hangup.clone())));
        let connection = hyper::server::conn::http1::Builder::new()
            .serve_connection(TokioIo::new(stream), service);
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            tokio::select! {
                _ = connection => {}
                // Dropping the connection closes the socket mid-exchange: the dropped-connection fault.
                _ = hangup.0.notified() => {}
            }
        });
    }
    drop(listener);
    let _ = tokio::time::timeout(SHUTDOWN_GRACE, graceful.shutdown()).await;
}

async fn answer(
    State(shared): State<Arc<Shared>>,
    Extension(hangup): Extension<Hangup>,
    request: Request,
) -> Response {
    let sequence = shared.sequence.fetch_add(1, Ordering::Relaxed);
    let faults = shared
        .faults
        .read()
        .unwrap_or_else(|p| p.into_inner())
        .clone();
    if !faults.latency.is_zero() {
        tokio::time::sleep(faults.latency).await;
    }
    let (parts, body) = request.into_parts();
    let method = parts.method.as_str();
    let Some((routed, path_token)) = parts.uri.path().strip_prefix(BASE_PATH).and_then(|path| {
        match routes::route(method, path) {
            Some(routed) => Some((routed, None)),
            None => {
                let (token, rest) = legacy_token(path)?;
                Some((routes::route(method, rest)?, Some(token)))
            }
        }
    }) else {
        return Failure::not_found().into_response();
    };
    if parts.method != Method::GET {
        shared.writes.fetch_add(1, Ordering::Relaxed);
    }
    // The legacy form's token (in the path) is checked exactly as the header's.
    let token = path_token.or_else(|| parts.headers.get("x-api-key").and_then(|v| v.to_str().ok()));
    let token = match token {
        Some(token) if token == shared.token => token,
        Some(token) if token == shared.revoked_token => {
            return Failure::invalid_token().into_response();
        }
        _ => return Failure::token_not_found().into_response(),
    };
    let route = match routed {
        Ok(route) => route,
        Err(refused) => return Failure::method_not_allowed(refused.allow).into_response(),
    };
    if let Err(wait) = shared.limiter.admit(token, Instant::now()) {
        return Failure::rate_limited(wait).into_response();
    }
    if let Some(response) = from_replay(&shared, method, &parts.uri) {
        return response;
    }

    let fault = faults.pick(Rng::new(shared.seed, mix(sequence) ^ 0xFA17).unit());
    if let Some(fault) = fault {
        *shared
            .injected
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .entry(fault.name())
            .or_default() += 1;
    }
    match fault {
        Some(Fault::Status(429)) => return Failure::rate_limited(1).into_response(),
        Some(Fault::Status(code)) => {
            let status = StatusCode::from_u16(code).expect("fault statuses are valid");
            return Failure::server(status).into_response();
        }
        Some(Fault::Redirect) => {
            let target = format!(
                "{}{}",
                shared.decoy_origin,
                parts.uri.path_and_query().map_or("/", |p| p.as_str())
            );
            return (StatusCode::TEMPORARY_REDIRECT, [(header::LOCATION, target)]).into_response();
        }
        _ => {}
    }

    let Ok(body) = axum::body::to_bytes(body, MAX_BODY).await else {
        return Failure::invalid("body", "could not be read whole (at most 16 MiB)")
            .into_response();
    };
    let world = shared.world.clone();
    let method = parts.method.clone();
    let query = parts.uri.query().unwrap_or("").to_owned();
    let edits = shared.edits;
    // A loose answer's shapes are drawn per response, from the seed and the request's number.
    let loose = (*shared.answers.read().unwrap_or_else(|p| p.into_inner()) == Answers::Loose)
        .then(|| Rng::new(shared.seed, mix(sequence) ^ 0x1005E));
    // Large stats reports take real CPU to aggregate and encode: keep it off the async workers.
    let format = route.format();
    let operation = route.operation;
    let from_example = route.resource.is_none();
    let handled = tokio::task::spawn_blocking(move || match route.resource {
        Some(resource) => {
            let call = Call {
                method: &method,
                resource,
                query: &query,
                body: &body,
            };
            handlers::handle(&world, call)
                .map(|payload| encode(&payload, route.operation, edits, loose))
        }
        None => handlers::known_ids(&world, &route.ids).map(|()| example(route.operation, loose)),
    })
    .await;
    let bytes = match handled {
        Ok(Ok(bytes)) => bytes,
        Ok(Err(failure)) => return failure.into_response(),
        Err(_) => return Failure::server(StatusCode::INTERNAL_SERVER_ERROR).into_response(),
    };

    let mut response = match fault {
        Some(Fault::Drop) => {
            hangup.0.notify_one();
            std::future::pending().await
        }
        Some(Fault::Truncate) => truncated(bytes, format),
        Some(Fault::Malformed) => respond(malformed(bytes, format), format),
        _ => respond(bytes, format),
    };
    if from_example {
        let named = format!("example of {} from the spec", operation.id);
        response.headers_mut().insert(
            EXAMPLE_ANSWER,
            HeaderValue::from_str(&named).expect("operation ids are header-safe"),
        );
    }
    response
}

/// The legacy token-in-path form, `/{token}/stats.json` below the base path, which old scripts
/// used (VK 2017-18, COSTBIN until at least December 2022): the token and the path after it.
/// Only tried when the path itself is no route, so it never shadows one.
fn legacy_token(path: &str) -> Option<(&str, &str)> {
    let after = path.strip_prefix('/')?;
    let end = after.find('/')?;
    let token = &after[..end];
    (!token.is_empty()).then(|| (token, &after[end..]))
}

/// The header that marks an answer taken from the spec's example: the operation has no
/// stateful handler (yet), so the answer is the same whatever the account holds.
pub const EXAMPLE_ANSWER: &str = "x-adsterra-sandbox-answer";

/// The spec's JSON example of `operation`'s answer, in its format (loosened when `loose`).
fn example(operation: &Operation, loose: Option<Rng>) -> Bytes {
    let mut value: serde_json::Value =
        serde_json::from_str(operation.example).expect("the table's examples are JSON");
    if let Some(mut rng) = loose {
        answers::loosen(&mut value, operation, &mut rng);
    }
    Bytes::from(
        adsterra_formats::encode(operation.format, &value)
            .expect("the lowering proved every example has a CSV and XML rendition"),
    )
}

fn content_type(format: Format) -> HeaderValue {
    HeaderValue::from_static(match format {
        Format::Json => "application/json",
        Format::Xml => "application/xml; charset=utf-8",
        Format::Csv => "text/csv; charset=utf-8",
    })
}

fn encode(payload: &Payload, operation: &Operation, edits: Edits, loose: Option<Rng>) -> Bytes {
    let format = operation.format;
    if edits
        == (Edits {
            deviate: false,
            drift: false,
        })
        && loose.is_none()
    {
        // Every format straight from the typed value: the fast path for large reports.
        let body = adsterra_formats::encode(format, payload)
            .expect("generated types encode in every format");
        return Bytes::from(body);
    }
    // Drift, deviations and loose answers are edits of the JSON value, encoded afterwards.
    let mut value = serde_json::to_value(payload).expect("generated types serialise");
    if edits.drift {
        value = crate::drift::apply(payload, value);
    }
    if edits.deviate {
        value = crate::deviations::apply(payload, value);
    }
    if let Some(mut rng) = loose {
        answers::loosen(&mut value, operation, &mut rng);
    }
    if format == Format::Json {
        return Bytes::from(serde_json::to_vec(&value).expect("values serialise"));
    }
    let body = adsterra_formats::encode(format, &value)
        .expect("every sandbox answer has a CSV and XML rendition");
    Bytes::from(body)
}

/// The answer of a replayed recording of this request, or the 404 of `--replay-only` when
/// none was recorded; `None` when the sandbox answers it.
fn from_replay(shared: &Shared, method: &str, uri: &axum::http::Uri) -> Option<Response> {
    let replay = shared
        .replay
        .read()
        .unwrap_or_else(|p| p.into_inner())
        .clone()?;
    let query = uri.query().unwrap_or("");
    match replay.find(method, uri.path(), query) {
        Some(recorded) => Some(replayed(recorded)),
        None if replay.only => {
            let missing = format!(
                "no cassette holds {method} {}{}{query}; record it with `adsterra verify-live --record`",
                uri.path(),
                if query.is_empty() { "" } else { "?" }
            );
            Some(Failure::not_found_because("cassette", missing).into_response())
        }
        None => None,
    }
}

/// A recorded answer as it was recorded.
fn replayed(recorded: &Recorded) -> Response {
    let status = StatusCode::from_u16(recorded.status).unwrap_or(StatusCode::OK);
    let mut response = (status, recorded.body.clone()).into_response();
    if let Some(value) = recorded
        .content_type
        .as_deref()
        .and_then(|v| HeaderValue::from_str(v).ok())
    {
        response.headers_mut().insert(header::CONTENT_TYPE, value);
    }
    response
}

fn respond(bytes: Bytes, format: Format) -> Response {
    ([(header::CONTENT_TYPE, content_type(format))], bytes).into_response()
}

/// Announces the whole body, sends half, then fails the stream so the connection is cut.
fn truncated(bytes: Bytes, format: Format) -> Response {
    use futures::StreamExt;
    let length = bytes.len();
    let half = bytes.slice(..length / 2);
    // The pause lets hyper flush the headers and the first half before the cut, so the client
    // sees a response whose body ends early rather than no response at all.
    let cut = futures::stream::once(async {
        tokio::time::sleep(Duration::from_millis(20)).await;
        Err::<Bytes, _>(io::Error::other("body truncated by the sandbox"))
    });
    let chunks = futures::stream::iter([Ok(half)]).chain(cut);
    let mut response = Response::new(Body::from_stream(chunks));
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, content_type(format));
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(length));
    response
}

/// A complete body that does not parse: JSON and XML cut short, CSV with a ragged row.
fn malformed(bytes: Bytes, format: Format) -> Bytes {
    match format {
        Format::Csv => {
            let mut body = bytes.to_vec();
            body.extend_from_slice(format!("ragged{}\n", ";".repeat(63)).as_bytes());
            Bytes::from(body)
        }
        _ => bytes.slice(
            ..(bytes.len() * 2 / 3)
                .max(1)
                .min(bytes.len().saturating_sub(1)),
        ),
    }
}

async fn decoy(State(log): State<Arc<Mutex<Vec<DecoyRequest>>>>, request: Request) -> Response {
    log.lock()
        .unwrap_or_else(|p| p.into_inner())
        .push(DecoyRequest {
            method: request.method().to_string(),
            path: request
                .uri()
                .path_and_query()
                .map_or_else(String::new, |p| p.to_string()),
            carried_api_key: request.headers().contains_key("x-api-key"),
        });
    Failure::not_found().into_response()
}

#[cfg(test)]
mod tests {
    use adsterra_generated::operation::OPERATIONS;

    use super::{Format, example};

    #[test]
    fn an_example_answer_reads_as_the_spec_example_in_every_format() {
        for operation in &OPERATIONS {
            let body = example(operation, None);
            let decoded = operation
                .decode(&body)
                .unwrap_or_else(|error| panic!("{}: {error}", operation.id));
            let json = operation.twin(Format::Json);
            let expected = json
                .decode(json.example.as_bytes())
                .expect("the spec's example decodes");
            // CSV carries no envelope counts: compare the items where there are items.
            match (decoded.get("items"), expected.get("items")) {
                (Some(items), Some(want)) => assert_eq!(items, want, "{}", operation.id),
                _ => assert_eq!(decoded, expected, "{}", operation.id),
            }
        }
    }
}
