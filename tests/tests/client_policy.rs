//! The client's request policy beyond retries (which are all in `retries.rs`): the rate limit
//! shared by clones, and no token in TRACE logs, Debug output or errors.

use std::num::NonZeroU32;
use std::time::Duration;

use adsterra::{ApiToken, Client};
use adsterra_tests::support::{capture_logs, fast_retries, sandbox};

#[tokio::test]
async fn the_rate_limit_is_shared_by_clones() {
    let sandbox = sandbox("none").await;
    let first = Client::builder()
        .base_url(sandbox.base_url())
        .token(ApiToken::new(sandbox.token()).unwrap())
        .rate_limit_per_minute(NonZeroU32::new(1))
        .build()
        .unwrap();
    let second = first.clone();
    first
        .raw()
        .get_balance()
        .send()
        .await
        .expect("the first request of the minute");
    let waited = tokio::time::timeout(
        Duration::from_millis(300),
        second.raw().get_balance().send(),
    )
    .await;
    assert!(
        waited.is_err(),
        "the clone had to wait for the shared limit"
    );
    assert_eq!(sandbox.requests_seen(), 1);
}

#[tokio::test]
async fn the_token_never_reaches_trace_logs_debug_output_or_errors() {
    let sandbox = sandbox("500=0.3,drop=0.1").await;
    let token = sandbox.token().to_owned();
    let (captured, _guard) = capture_logs();

    let builder = Client::builder()
        .base_url(sandbox.base_url())
        .token(ApiToken::new(token.as_str()).unwrap())
        .retry(fast_retries(1));
    let mut debug_output = format!("{builder:?}");
    let client = builder.build().unwrap();
    debug_output.push_str(&format!("{client:?} {:?}", client.raw()));
    for _ in 0..20 {
        match client.raw().get_campaigns().send().await {
            Ok(list) => debug_output.push_str(&format!("{:?}", list.item_count)),
            Err(error) => debug_output.push_str(&format!("{error:?} {error}")),
        }
    }
    let logs = captured.text();
    assert!(
        logs.contains("adsterra.request"),
        "spans are recorded:\n{logs}"
    );
    assert!(logs.contains("retrying"), "retries are logged:\n{logs}");
    assert!(!logs.contains(&token), "the token leaked into the logs");
    assert!(
        !debug_output.contains(&token),
        "the token leaked into Debug or Display output"
    );
}
