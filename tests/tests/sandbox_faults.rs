//! The sandbox's faults: each kind is what it says, they follow the seed, and tests can change
//! them while the sandbox runs. (The `redirect` fault is checked in `redirects.rs`.)

use adsterra_sandbox::{Config, Faults, Sandbox};
use adsterra_tests::support::{http_without_redirects as client, sandbox_get as get};

async fn start(faults: &str) -> Sandbox {
    Sandbox::start(Config::default().with_faults(faults.parse().expect("a valid fault spec")))
        .await
        .expect("the sandbox starts")
}

const STATS: &str = "/stats.json?start_date=2026-11-01&finish_date=2026-11-27";

#[tokio::test]
async fn error_statuses_carry_the_error_body_and_429_a_retry_after() {
    for (spec, status) in [
        ("429=1", 429),
        ("500=1", 500),
        ("502=1", 502),
        ("503=1", 503),
    ] {
        let sandbox = start(spec).await;
        let response = get(&sandbox, "/balance.json").await.unwrap();
        assert_eq!(response.status().as_u16(), status, "{spec}");
        if status == 429 {
            assert_eq!(response.headers()["retry-after"], "1");
        }
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(body["code"], status, "{spec}");
    }
}

#[tokio::test]
async fn latency_delays_every_answer() {
    let sandbox = start("latency=120ms").await;
    let started = std::time::Instant::now();
    assert_eq!(get(&sandbox, "/balance.json").await.unwrap().status(), 200);
    // A lower bound only: the answer cannot come before the injected latency has passed.
    assert!(started.elapsed() >= std::time::Duration::from_millis(120));
}

#[tokio::test]
async fn a_dropped_connection_gives_no_response_at_all() {
    let sandbox = start("drop=1").await;
    let error = get(&sandbox, "/balance.json").await.unwrap_err();
    assert!(error.is_request() || error.is_connect(), "{error:?}");
    assert!(error.status().is_none());
}

#[tokio::test]
async fn a_truncated_body_fails_while_reading_it() {
    let sandbox = start("truncate=1").await;
    let response = get(&sandbox, STATS).await.expect("the headers arrive");
    assert_eq!(response.status(), 200);
    let announced = response.content_length().expect("a length is announced");
    let error = response.bytes().await.expect_err("the body is cut short");
    assert!(
        error.is_body() || error.is_decode() || error.is_request(),
        "{error:?}"
    );
    assert!(announced > 0);
}

#[tokio::test]
async fn a_malformed_body_is_complete_but_does_not_parse() {
    let sandbox = start("malformed=1").await;
    for (path, format) in [
        (STATS.to_owned(), adsterra_formats::Format::Json),
        (
            STATS.replace(".json", ".csv"),
            adsterra_formats::Format::Csv,
        ),
        (
            STATS.replace(".json", ".xml"),
            adsterra_formats::Format::Xml,
        ),
    ] {
        let body = get(&sandbox, &path)
            .await
            .unwrap()
            .bytes()
            .await
            .expect("whole");
        let decoded: Result<adsterra_generated::types::StatsList, _> =
            adsterra_formats::decode(format, &body);
        assert!(decoded.is_err(), "{format} body decoded although malformed");
    }
}

#[tokio::test]
async fn faults_follow_the_seed_and_change_at_run_time() {
    let spec = "429=0.2,500=0.1,503=0.1";
    let statuses = |sandbox: Sandbox| async move {
        let mut seen = Vec::new();
        for _ in 0..40 {
            seen.push(
                get(&sandbox, "/balance.json")
                    .await
                    .unwrap()
                    .status()
                    .as_u16(),
            );
        }
        seen
    };
    let first = statuses(start(spec).await).await;
    let second = statuses(start(spec).await).await;
    assert_eq!(first, second, "the same seed gives the same faults");
    assert!(
        first.iter().any(|s| *s != 200) && first.contains(&200),
        "{first:?}"
    );

    let sandbox = start("500=1").await;
    assert_eq!(get(&sandbox, "/balance.json").await.unwrap().status(), 500);
    sandbox.set_faults(Faults::none());
    assert_eq!(get(&sandbox, "/balance.json").await.unwrap().status(), 200);
}

#[tokio::test]
async fn writes_before_a_lost_answer_are_applied_once() {
    // A dropped connection strikes after handling: the write is applied, the answer lost.
    let sandbox = start("none").await;
    let account = sandbox.account();
    let (&campaign, _) = account.campaigns.iter().next().unwrap();
    let placement = *account
        .placements
        .iter()
        .find(|p| !account.blacklists[&campaign].contains(p))
        .unwrap();
    sandbox.set_faults("drop=1".parse().unwrap());
    let sent = client()
        .post(format!("{}/linking/blacklist.json", sandbox.base_url()))
        .header("X-API-Key", sandbox.token())
        .json(&serde_json::json!({"campaign_id": campaign, "placement_ids": [placement]}))
        .send()
        .await;
    assert!(sent.is_err());
    assert!(sandbox.account().blacklists[&campaign].contains(&placement));
}

#[tokio::test]
async fn shutdown_stops_serving() {
    let sandbox = start("none").await;
    let address = sandbox.address();
    assert_eq!(get(&sandbox, "/balance.json").await.unwrap().status(), 200);
    sandbox.shutdown().await;
    assert!(tokio::net::TcpStream::connect(address).await.is_err());
}
