//! A two-year daily report through the windowed stats helper, against the sandbox with 50 ms of
//! injected latency per request: 30-day windows fetched one at a time against several at once.
//! Prints figures; asserts nothing about them.
//!
//! `cargo bench -p adsterra --bench stats_windows`

use std::hint::black_box;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use adsterra::types::StatsGroupBy;
use adsterra::{ApiToken, Client, RetryPolicy};
use adsterra_sandbox::account::ANCHOR;
use adsterra_sandbox::{Config, Sandbox};
use criterion::{BenchmarkId, Criterion, SamplingMode};

const WINDOW_DAYS: u32 = 30;
/// Two years, the anchor day included.
const DAYS: u32 = 730;
const CONCURRENCY: [usize; 4] = [1, 4, 8, 16];

/// Seconds per report, one figure per criterion sample (warm-up included), per concurrency.
static TIMINGS: Mutex<Vec<(usize, f64)>> = Mutex::new(Vec::new());

fn median_seconds(concurrency: usize) -> Option<f64> {
    let mut seconds: Vec<f64> = TIMINGS
        .lock()
        .expect("timings")
        .iter()
        .filter(|(c, _)| *c == concurrency)
        .map(|(_, s)| *s)
        .collect();
    if seconds.is_empty() {
        return None;
    }
    seconds.sort_by(f64::total_cmp);
    Some(seconds[seconds.len() / 2])
}

fn main() {
    let mut criterion = Criterion::default().configure_from_args();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let sandbox = runtime
        .block_on(Sandbox::start(
            Config::default()
                .with_faults("latency=50ms".parse().expect("a fault spec"))
                .with_rate_limit_per_minute(0),
        ))
        .expect("the sandbox starts");
    let client = Client::builder()
        .base_url(sandbox.base_url())
        .token(ApiToken::new(sandbox.token()).expect("a token"))
        .retry(RetryPolicy::none())
        .rate_limit_per_minute(None)
        .build()
        .expect("a client");
    let finish = ANCHOR;
    let mut start = ANCHOR;
    for _ in 1..DAYS {
        start = start.pred_opt().expect("a day before");
    }
    let windows = DAYS.div_ceil(WINDOW_DAYS) as usize;

    let report = |concurrency: usize| {
        let client = &client;
        async move {
            client
                .stats()
                .between(start, finish)
                .group_by([StatsGroupBy::Date])
                .window_days(WINDOW_DAYS)
                .concurrency(concurrency)
                .send()
                .await
                .expect("the report")
        }
    };
    let rows = runtime.block_on(report(CONCURRENCY[0])).len();
    println!(
        "{start} to {finish}: {rows} daily rows in {windows} windows of {WINDOW_DAYS} days, \
         50 ms latency per request"
    );

    let mut group = criterion.benchmark_group("stats_two_years_daily_latency_50ms");
    group
        .sampling_mode(SamplingMode::Flat)
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500));
    for concurrency in CONCURRENCY {
        // One report a sample: about windows/concurrency round trips of 50 ms each.
        let expected = windows.div_ceil(concurrency) as f64 * 0.060;
        group.measurement_time(Duration::from_secs_f64((expected * 12.0).max(2.0)));
        group.bench_with_input(
            BenchmarkId::new(format!("window_days={WINDOW_DAYS}"), concurrency),
            &concurrency,
            |b, &concurrency| {
                b.to_async(&runtime).iter_custom(|iters| async move {
                    let started = Instant::now();
                    for _ in 0..iters {
                        black_box(report(concurrency).await);
                    }
                    let elapsed = started.elapsed();
                    TIMINGS
                        .lock()
                        .expect("timings")
                        .push((concurrency, elapsed.as_secs_f64() / iters as f64));
                    elapsed
                })
            },
        );
    }
    group.finish();

    println!();
    println!("two-year daily report, window_days({WINDOW_DAYS}), median of criterion's samples");
    println!(
        "{:>12} {:>10} {:>12} {:>10}",
        "concurrency", "seconds", "floor (s)", "speed-up"
    );
    let sequential = median_seconds(1);
    for concurrency in CONCURRENCY {
        let Some(seconds) = median_seconds(concurrency) else {
            continue; // filtered out on the command line
        };
        // The least time the latency allows: one 50 ms round trip per wave of windows.
        let floor = windows.div_ceil(concurrency) as f64 * 0.050;
        let speedup = sequential
            .map(|s| format!("{:.2}x", s / seconds))
            .unwrap_or_default();
        println!("{concurrency:>12} {seconds:>10.3} {floor:>12.3} {speedup:>10}");
    }
    println!("target: concurrency 8 at least 5x faster than concurrency 1");

    // What one window costs, with and without the injected latency, through the client and as
    // a bare GET of the same URL: the sandbox's own work, which grows towards recent days (more
    // campaigns run), and the latency's overshoot. The last window, the costliest, is timed.
    let mut window_start = finish;
    for _ in 1..WINDOW_DAYS {
        window_start = window_start.pred_opt().expect("a day before");
    }
    let url = format!(
        "{}/stats.json?start_date={window_start}&finish_date={finish}&group_by[]=date",
        sandbox.base_url()
    );
    let raw = reqwest::Client::new();
    let timed = async |bare: bool, repeat: u32| {
        let started = Instant::now();
        for _ in 0..repeat {
            if bare {
                let response = raw
                    .get(&url)
                    .header("X-API-Key", sandbox.token())
                    .send()
                    .await
                    .expect("an answer");
                black_box(response.bytes().await.expect("a body"));
            } else {
                let rows = client
                    .stats()
                    .between(window_start, finish)
                    .group_by([StatsGroupBy::Date])
                    .send()
                    .await
                    .expect("a window");
                black_box(rows);
            }
        }
        started.elapsed().as_secs_f64() / f64::from(repeat) * 1e3
    };
    println!("the last {WINDOW_DAYS}-day window alone, mean ms   through the client   bare GET");
    for (label, faults, repeat) in [
        ("latency 50 ms", "latency=50ms", 20),
        ("no faults", "none", 200),
    ] {
        sandbox.set_faults(faults.parse().expect("a fault spec"));
        let (through_client, bare) = runtime.block_on(async {
            // Both connections warm first.
            timed(false, 1).await;
            timed(true, 1).await;
            (timed(false, repeat).await, timed(true, repeat).await)
        });
        println!("  {label:<35} {through_client:>18.2} {bare:>10.2}");
    }
    println!();
    criterion.final_summary();
    runtime.block_on(sandbox.shutdown());
}
