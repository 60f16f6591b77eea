//! The per-request overhead of the full client (`client.balance()`: policy, tracing spans,
//! generated builder, typed decode) against a bare `reqwest` GET of the same URL with the
//! `X-API-Key` header, on loopback against the sandbox (no faults, no rate limit). Prints
//! figures; asserts nothing about them.
//!
//! `cargo bench -p adsterra --bench overhead`

use std::hint::black_box;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use adsterra::raw::types::Balance;
use adsterra::{ApiToken, Client, RetryPolicy};
use adsterra_sandbox::{Config, Sandbox};
use criterion::Criterion;

const CLIENT: &str = "adsterra_client_balance";
const RAW_BYTES: &str = "reqwest_get_bytes";
const RAW_JSON: &str = "reqwest_get_json_balance";
const CASES: [&str; 3] = [CLIENT, RAW_BYTES, RAW_JSON];

/// Requests timed and their total seconds, per case (criterion's warm-up included).
static TOTALS: Mutex<Vec<(&'static str, u64, f64)>> = Mutex::new(Vec::new());

fn mean_micros(case: &str) -> Option<(u64, f64)> {
    let totals = TOTALS.lock().expect("totals");
    let (requests, seconds) = totals
        .iter()
        .filter(|(c, _, _)| *c == case)
        .fold((0, 0.0), |(r, s), (_, n, t)| (r + n, s + t));
    (requests > 0).then(|| (requests, seconds / requests as f64 * 1e6))
}

fn main() {
    let mut criterion = Criterion::default().configure_from_args();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let sandbox = runtime
        .block_on(Sandbox::start(Config {
            rate_limit_per_minute: 0,
            ..Config::default()
        }))
        .expect("the sandbox starts");
    let client = Client::builder()
        .base_url(sandbox.base_url())
        .token(ApiToken::new(sandbox.token()).expect("a token"))
        .retry(RetryPolicy::none())
        .rate_limit_per_minute(None)
        .build()
        .expect("a client");
    let raw = reqwest::Client::new();
    let url = format!("{}/balance.json", sandbox.base_url());
    let token = sandbox.token().to_owned();

    let (client, raw, url, token) = (&client, &raw, url.as_str(), token.as_str());
    let one = |case: &'static str| async move {
        match case {
            CLIENT => {
                black_box(client.balance().await.expect("a balance"));
            }
            RAW_BYTES => {
                let response = raw
                    .get(url)
                    .header("X-API-Key", token)
                    .send()
                    .await
                    .expect("an answer")
                    .error_for_status()
                    .expect("200");
                black_box(response.bytes().await.expect("a body"));
            }
            _ => {
                let response = raw
                    .get(url)
                    .header("X-API-Key", token)
                    .send()
                    .await
                    .expect("an answer")
                    .error_for_status()
                    .expect("200");
                black_box(response.json::<Balance>().await.expect("a balance"));
            }
        }
    };
    // Connections opened, pools warm.
    runtime.block_on(async {
        for case in CASES {
            one(case).await;
        }
    });

    let mut group = criterion.benchmark_group("balance_loopback");
    group
        .sample_size(30)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4));
    for case in CASES {
        group.bench_function(case, |b| {
            b.to_async(&runtime).iter_custom(|iters| async move {
                let started = Instant::now();
                for _ in 0..iters {
                    one(case).await;
                }
                let elapsed = started.elapsed();
                TOTALS
                    .lock()
                    .expect("totals")
                    .push((case, iters, elapsed.as_secs_f64()));
                elapsed
            })
        });
    }
    group.finish();

    println!();
    println!(
        "GET /balance.json on loopback, one request at a time (mean over every request timed)"
    );
    println!(
        "{:<28} {:>10} {:>12} {:>14}",
        "case", "requests", "µs/request", "vs raw bytes"
    );
    let baseline = mean_micros(RAW_BYTES).map(|(_, micros)| micros);
    for case in CASES {
        let Some((requests, micros)) = mean_micros(case) else {
            continue; // filtered out on the command line
        };
        let ratio = baseline
            .map(|base| format!("{:.2}x", micros / base))
            .unwrap_or_default();
        println!("{case:<28} {requests:>10} {micros:>12.1} {ratio:>14}");
    }
    println!("target: the client within 1.2x of the raw reqwest GET");
    println!();
    criterion.final_summary();
    runtime.block_on(sandbox.shutdown());
}
