//! What the test files share: a sandbox with faults, a client with fast retries, a mock server
//! with the raw client, an HTTP client that follows no redirect and a plain GET of the sandbox, days, the logs a test wrote, and
//! a copy of the workspace to edit, and the dependencies between its crates.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use adsterra::{ApiToken, Client, Error, RetryPolicy, raw};
use adsterra_sandbox::{Config, Sandbox};
use chrono::NaiveDate;
use wiremock::MockServer;

/// Fast retries and a budget that never runs out: the tests look at which requests are
/// retried and how calls end, not at waiting.
pub fn fast_retries(max_retries: u32) -> RetryPolicy {
    RetryPolicy::default()
        .with_max_retries(max_retries)
        .with_initial_backoff(Duration::from_millis(1))
        .with_max_backoff(Duration::from_millis(10))
        .with_budget(10_000)
}

/// A sandbox with `faults` (`"500=0.1,drop=0.05"`) from the first request and no server-side
/// rate limit.
pub async fn sandbox(faults: &str) -> Sandbox {
    Sandbox::start(
        Config::default()
            .with_faults(faults.parse().expect("a valid fault spec"))
            .with_rate_limit_per_minute(0),
    )
    .await
    .expect("the sandbox starts")
}

/// A client of `base_url` with `retry` and no client-side rate limit.
pub fn client(base_url: &str, token: &str, retry: RetryPolicy) -> Client {
    Client::builder()
        .base_url(base_url)
        .token(ApiToken::new(token).expect("a valid token"))
        .retry(retry)
        .rate_limit_per_minute(None)
        .build()
        .expect("the client builds")
}

/// The token the mock server expects.
pub const MOCK_TOKEN: &str = "e1ee46af6596c438413aaaafea953214";

/// A mock server, and the raw client of an `adsterra::Client` that sends [`MOCK_TOKEN`] to it.
pub async fn mock_server_and_raw_client() -> (MockServer, raw::Client) {
    let server = MockServer::start().await;
    let client = Client::builder()
        .base_url(server.uri())
        .token(ApiToken::new(MOCK_TOKEN).expect("a valid token"))
        .build()
        .expect("the client builds");
    (server, client.raw().clone())
}

/// A plain HTTP client that follows no redirect, for tests that look at a 307 itself.
pub fn http_without_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("the HTTP client builds")
}

/// A GET of `path` (query included) on the sandbox with its token, following no redirect: the
/// server's own answer, to look at or to compare with what the client made of it.
pub async fn sandbox_get(sandbox: &Sandbox, path: &str) -> reqwest::Result<reqwest::Response> {
    http_without_redirects()
        .get(format!("{}{path}", sandbox.base_url()))
        .header("X-API-Key", sandbox.token())
        .send()
        .await
}

/// A campaign whose blacklist is not empty (so clearing it is visible) and that can be started
/// and stopped (state 4 cannot).
pub fn campaign_with_blacklist(sandbox: &Sandbox) -> i64 {
    let account = sandbox.account();
    *account
        .blacklists
        .iter()
        .find(|(id, list)| !list.is_empty() && account.campaigns[id].active != Some(4))
        .expect("the seeded account has a non-empty blacklist")
        .0
}

/// How many times the failed call was sent.
pub fn attempts(error: &Error) -> u32 {
    error
        .call()
        .unwrap_or_else(|| panic!("a call was made: {error:?}"))
        .attempts
}

/// A day written `YYYY-MM-DD`.
pub fn date(text: &str) -> NaiveDate {
    text.parse().expect("a day as YYYY-MM-DD")
}

/// Every file under `root` that belongs to the sources (not `.git`, build output or installed
/// tools), relative to `root`, sorted.
pub fn source_files(root: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut pending = vec![root.to_owned()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).expect("the folder reads") {
            let path = entry.expect("a folder entry").path();
            let name = path.file_name().unwrap_or_default();
            if [".git", "target", ".tools"]
                .iter()
                .any(|skip| name == *skip)
            {
                continue;
            }
            if path.is_dir() {
                pending.push(path);
            } else {
                files.push(path.strip_prefix(root).expect("under root").to_owned());
            }
        }
    }
    files.sort();
    files
}

/// Copies the workspace's sources to `to`, for tests that edit and build a copy.
pub fn copy_workspace(to: &Path) {
    let root = crate::workspace_root();
    for file in source_files(&root) {
        let destination = to.join(&file);
        std::fs::create_dir_all(destination.parent().expect("a file has a folder"))
            .expect("the copy's folder is made");
        std::fs::copy(root.join(&file), destination).expect("the file copies");
    }
}

/// Everything the tracing subscriber of [`capture_logs`] writes.
#[derive(Clone, Default)]
pub struct CapturedLogs(Arc<Mutex<Vec<u8>>>);

impl CapturedLogs {
    /// The logs so far.
    pub fn text(&self) -> String {
        String::from_utf8(self.0.lock().expect("the log sink").clone()).expect("logs are UTF-8")
    }
}

impl std::io::Write for CapturedLogs {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .expect("the log sink")
            .extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Captures every log line at TRACE level on this thread until the guard is dropped, for tests
/// that look for what must never be logged.
pub fn capture_logs() -> (CapturedLogs, tracing::subscriber::DefaultGuard) {
    let captured = CapturedLogs::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .finish();
    // tracing takes a lone dispatcher for every thread's: a span that another test's thread
    // (with no subscriber) meets first is then cached as "never" for all threads, and this one
    // would record no span. A second dispatcher, kept for the whole run, makes tracing ask
    // each subscriber at every callsite instead.
    static SECOND: OnceLock<tracing::Dispatch> = OnceLock::new();
    SECOND.get_or_init(|| tracing::Dispatch::new(tracing::subscriber::NoSubscriber::default()));
    (captured, tracing::subscriber::set_default(subscriber))
}

/// Each crate of the workspace and the crates of the workspace (and of `outside`) it depends on,
/// dev-dependencies left out, as `cargo metadata` reports them.
pub fn workspace_dependencies(outside: &[&str]) -> BTreeMap<String, BTreeSet<String>> {
    let output = Command::new(env!("CARGO"))
        .args([
            "metadata",
            "--format-version",
            "1",
            "--no-deps",
            "--offline",
        ])
        .current_dir(crate::workspace_root())
        .output()
        .expect("cargo metadata runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let metadata: serde_json::Value =
        serde_json::from_slice(&output.stdout).expect("cargo metadata is JSON");
    let packages = metadata["packages"].as_array().expect("a list of packages");
    let members: BTreeSet<&str> = packages.iter().filter_map(|p| p["name"].as_str()).collect();
    packages
        .iter()
        .map(|package| {
            let dependencies = package["dependencies"]
                .as_array()
                .expect("a list of dependencies")
                .iter()
                .filter(|dependency| dependency["kind"] != "dev")
                .filter_map(|dependency| dependency["name"].as_str())
                .filter(|name| members.contains(name) || outside.contains(name))
                .map(str::to_owned)
                .collect();
            let name = package["name"].as_str().expect("a package name");
            (name.to_owned(), dependencies)
        })
        .collect()
}
