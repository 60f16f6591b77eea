//! What the test files share: a sandbox with faults, a client with fast retries, days, the
//! logs a test wrote, and a copy of the workspace to edit.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use adsterra::{ApiToken, Client, RetryPolicy};
use adsterra_sandbox::{Config, Sandbox};
use chrono::NaiveDate;

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
    (captured, tracing::subscriber::set_default(subscriber))
}
