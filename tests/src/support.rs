//! What the test files share: a sandbox with faults, a client with fast retries, days, and a
//! copy of the workspace to edit.

use std::path::Path;
use std::time::Duration;

use adsterra::{ApiToken, Client, RetryPolicy};
use adsterra_sandbox::{Config, Sandbox};
use chrono::NaiveDate;

/// Fast retries and a budget that never runs out: the tests look at which requests are
/// retried and how calls end, not at waiting.
pub fn fast_retries(max_retries: u32) -> RetryPolicy {
    RetryPolicy {
        max_retries,
        initial_backoff: Duration::from_millis(1),
        max_backoff: Duration::from_millis(10),
        budget: 10_000,
        ..RetryPolicy::default()
    }
}

/// A sandbox with `faults` (`"500=0.1,drop=0.05"`) from the first request and no server-side
/// rate limit.
pub async fn sandbox(faults: &str) -> Sandbox {
    Sandbox::start(Config {
        faults: faults.parse().expect("a valid fault spec"),
        rate_limit_per_minute: 0,
        ..Config::default()
    })
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

/// Copies the workspace's sources (not `.git`, build output or installed tools) to `to`, for
/// tests that edit and build a copy.
pub fn copy_workspace(to: &Path) {
    copy_tree(&crate::workspace_root(), to);
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("the copy's folder is made");
    for entry in std::fs::read_dir(from).expect("the workspace reads") {
        let entry = entry.expect("a folder entry");
        let name = entry.file_name();
        if [".git", "target", ".tools"].contains(&name.to_str().unwrap_or_default()) {
            continue;
        }
        let (source, destination) = (entry.path(), to.join(&name));
        if entry.file_type().expect("a file type").is_dir() {
            copy_tree(&source, &destination);
        } else {
            std::fs::copy(&source, &destination).expect("the file copies");
        }
    }
}
