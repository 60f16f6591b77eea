//! The per-request overhead of the full client (`client.balance()`: policy, tracing spans,
//! generated builder, typed decode) against a bare `reqwest` GET of the same URL with the
//! `X-API-Key` header, on loopback against the sandbox (no faults, no rate limit). Prints
//! figures; asserts nothing about them.
//!
//! `cargo bench -p adsterra --bench overhead`
//!
//! The sandbox runs on its own one-worker runtime and the clients on a current-thread runtime,
//! so on two cores each side has one. Besides criterion's figures, the cases are timed again in
//! interleaved rounds (the order rotating each round) so that drift on a small shared machine
//! does not land on one case only; the ratio is taken from those medians.

use std::hint::black_box;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use adsterra::types::Balance;
use adsterra::{ApiToken, Client, RetryPolicy};
use adsterra_sandbox::{Config, Sandbox};
use criterion::Criterion;

const CLIENT: &str = "adsterra_client_balance";
const RAW_BYTES: &str = "reqwest_get_bytes";
const RAW_JSON: &str = "reqwest_get_json_balance";
const CASES: [&str; 3] = [CLIENT, RAW_BYTES, RAW_JSON];

/// Requests timed and their total seconds, per case (criterion's warm-up included).
static TOTALS: Mutex<Vec<(&'static str, u64, f64)>> = Mutex::new(Vec::new());
/// Interleaved rounds, and requests per case and round.
const ROUNDS: usize = 15;
const PER_ROUND: usize = 2000;

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
    let server = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("a server runtime");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a client runtime");
    let sandbox = server
        .block_on(Sandbox::start(
            Config::default().with_rate_limit_per_minute(0),
        ))
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

    // Interleaved rounds: every case once per round, in a rotating order.
    let mut rounds: Vec<(&str, f64)> = Vec::new();
    if !std::env::args().any(|arg| arg == "--test") {
        runtime.block_on(async {
            for round in 0..ROUNDS {
                for k in 0..CASES.len() {
                    let case = CASES[(round + k) % CASES.len()];
                    let started = Instant::now();
                    for _ in 0..PER_ROUND {
                        one(case).await;
                    }
                    let micros = started.elapsed().as_secs_f64() / PER_ROUND as f64 * 1e6;
                    rounds.push((case, micros));
                }
            }
        });
    }
    let median = |case: &str| {
        let mut micros: Vec<f64> = rounds
            .iter()
            .filter(|(c, _)| *c == case)
            .map(|(_, m)| *m)
            .collect();
        micros.sort_by(f64::total_cmp);
        micros.get(micros.len() / 2).copied()
    };

    println!();
    println!("GET /balance.json on loopback, one request at a time");
    println!(
        "{:<28} {:>10} {:>12} {:>16} {:>20}",
        "case", "criterion", "µs/request", "interleaved µs", "vs raw"
    );
    // Paired: each case against the raw GET of the same round (adjacent in time), so slow
    // drift of the machine cancels; the median and the range over the rounds.
    let paired = |case: &str| {
        let mut ratios: Vec<f64> = rounds
            .chunks(CASES.len())
            .filter_map(|round| {
                let of = |c: &str| round.iter().find(|(n, _)| *n == c).map(|(_, m)| *m);
                Some(of(case)? / of(RAW_BYTES)?)
            })
            .collect();
        ratios.sort_by(f64::total_cmp);
        let median = *ratios.get(ratios.len() / 2)?;
        Some(format!(
            "{median:.2}x ({:.2}-{:.2})",
            ratios[0],
            ratios[ratios.len() - 1]
        ))
    };
    for case in CASES {
        let Some((requests, micros)) = mean_micros(case) else {
            continue; // filtered out on the command line
        };
        let interleaved = median(case).map(|m| format!("{m:.1}")).unwrap_or_default();
        let ratio = paired(case).unwrap_or_default();
        println!("{case:<28} {requests:>10} {micros:>12.1} {interleaved:>16} {ratio:>20}");
    }
    println!(
        "criterion: mean over every request criterion timed; interleaved: median of {ROUNDS} \
         rounds of {PER_ROUND} requests per case; vs raw: median (and range) of the per-round \
         ratios to reqwest_get_bytes"
    );
    println!("target: the client within 1.2x of the raw reqwest GET (reqwest_get_bytes)");
    println!();
    criterion.final_summary();
    server.block_on(sandbox.shutdown());
}
