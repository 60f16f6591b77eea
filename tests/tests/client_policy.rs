//! The client's request policy against the sandbox and a mock server: retries where they are
//! safe, `Retry-After`, the rate limit shared by clones, and no token in TRACE logs.

use std::num::NonZeroU32;
use std::time::{Duration, Instant};

use adsterra::{ApiToken, Client, RetryPolicy};
use adsterra_tests::support::{capture_logs, client, fast_retries, sandbox};
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[tokio::test]
async fn reads_survive_bursts_of_5xx_429_and_dropped_connections() {
    // Few 429s: each one asks for a whole second of Retry-After, which the client honours.
    let sandbox = sandbox("429=0.03,500=0.1,502=0.05,503=0.1,drop=0.05").await;
    let client = client(sandbox.base_url(), sandbox.token(), fast_retries(8));
    let mut balances = Vec::new();
    for _ in 0..60 {
        let balance = client
            .raw()
            .get_balance()
            .send()
            .await
            .expect("retried to success");
        balances.push(balance.balance);
    }
    assert!(balances.windows(2).all(|w| w[0] == w[1]));
    let seen = sandbox.requests_seen();
    assert!(
        seen > 60,
        "faults were injected and retried: {seen} requests for 60 calls"
    );
}

#[tokio::test]
async fn without_retries_the_first_fault_is_the_answer() {
    let sandbox = sandbox("503=1").await;
    let client = client(sandbox.base_url(), sandbox.token(), RetryPolicy::none());
    let error = client.raw().get_balance().send().await.unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(503));
    assert_eq!(sandbox.requests_seen(), 1);
}

#[tokio::test]
async fn clearing_a_list_is_not_retried_after_a_server_error_but_is_after_429() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/linking/blacklist/clean.json"))
        .respond_with(
            ResponseTemplate::new(500)
                .set_body_json(json!({"code": 500, "message": "x", "data": null})),
        )
        .mount(&server)
        .await;
    let client = client(&server.uri(), "t0k3n", fast_retries(3));
    let sent = client
        .raw()
        .clean_blacklist()
        .body_map(|b| b.campaign_id(7u64))
        .send()
        .await;
    assert!(sent.is_err());
    assert_eq!(
        server.received_requests().await.unwrap().len(),
        1,
        "a 500 may have applied: no retry"
    );

    server.reset().await;
    Mock::given(method("POST"))
        .and(path("/linking/blacklist/clean.json"))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("retry-after", "0")
                .set_body_json(json!({"code": 429, "message": "x", "data": null})),
        )
        .mount(&server)
        .await;
    let sent = client
        .raw()
        .clean_blacklist()
        .body_map(|b| b.campaign_id(7u64))
        .send()
        .await;
    assert!(sent.is_err());
    assert_eq!(
        server.received_requests().await.unwrap().len(),
        4,
        "a 429 was refused unhandled: retried 3 times"
    );
}

#[tokio::test]
async fn retry_after_is_honoured_and_a_too_long_one_is_returned() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/balance.json"))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("retry-after", "1")
                .set_body_json(json!({"code": 429, "message": "Too many requests", "data": null})),
        )
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/balance.json"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"balance": 12.5})))
        .mount(&server)
        .await;
    let client = client(&server.uri(), "t0k3n", fast_retries(3));
    let started = Instant::now();
    let balance = client
        .raw()
        .get_balance()
        .send()
        .await
        .expect("retried after a second");
    assert_eq!(balance.balance, 12.5);
    // A lower bound: the retry cannot have come before the second the server asked for.
    assert!(started.elapsed() >= Duration::from_secs(1));

    server.reset().await;
    Mock::given(method("GET"))
        .and(path("/balance.json"))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("retry-after", "3600")
                .set_body_json(json!({"code": 429, "message": "Too many requests", "data": null})),
        )
        .mount(&server)
        .await;
    let error = client.raw().get_balance().send().await.unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(429));
    assert_eq!(
        server.received_requests().await.unwrap().len(),
        1,
        "an hour is past the cap: no wait"
    );
}

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
