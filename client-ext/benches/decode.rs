//! Decoding a 1,000,000-row stats report (a year by date and placement) in each wire format,
//! and the peak memory of the whole-body paths against the streaming ones. Prints figures;
//! asserts nothing about them.
//!
//! `cargo bench -p adsterra --bench decode` (add `-- --test` for a quick 10,000-row smoke run;
//! `ADSTERRA_BENCH_ROWS=n` sets any size).
//!
//! The body is built once, in memory, from generated `StatsRow` values encoded with
//! `adsterra_formats::encode`. Peak memory comes from a counting global allocator: bytes asked
//! of the system allocator (not RSS), above what was live when the measured run started, so the
//! body itself, which every path here already holds, is not counted. Counting costs a few
//! nanoseconds per allocation, which weighs on allocation-heavy decoders; with
//! `ADSTERRA_BENCH_COUNT_ALLOC=0` nothing is counted and the memory table is skipped.

use std::hint::black_box;
use std::io::Write as _;
use std::sync::Mutex;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use adsterra::types::{StatsGroupBy, StatsList, StatsRow};
use adsterra::{ApiToken, Client, Format, RetryPolicy};
use adsterra_sandbox::account::ANCHOR;

use criterion::{Criterion, SamplingMode, Throughput};
use futures::StreamExt;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

mod common;
use common::{Bodies, COUNTING, Footprint, measure, mib, rows_wanted};

// ---------------------------------------------------------------------------------------------
// The decoders measured.

fn serde_json_plain(body: &[u8]) -> StatsList {
    serde_json::from_slice(body).expect("JSON decodes")
}

fn typed(format: Format, body: &[u8]) -> StatsList {
    adsterra_formats::decode(format, body).expect("the body decodes")
}

/// Streams the CSV rows, dropping each one; returns how many there were.
fn csv_rows(body: &[u8]) -> usize {
    let mut count = 0;
    for row in adsterra_formats::csv::rows::<StatsRow, _>(body) {
        black_box(row.expect("a row decodes"));
        count += 1;
    }
    count
}

// ---------------------------------------------------------------------------------------------
// The client over loopback, fed the same bodies by a bare HTTP/1.1 responder that writes
// straight from the prepared body (so the server adds next to nothing to the counted peak).

async fn serve(body: &'static [u8], content_type: &'static str) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a loopback port");
    let address = listener.local_addr().expect("an address");
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            tokio::spawn(async move {
                // Read the request head; the path and query do not matter.
                let mut head = [0u8; 8192];
                let mut read = 0;
                while !head[..read].windows(4).any(|w| w == b"\r\n\r\n") {
                    match socket.read(&mut head[read..]).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => read += n,
                    }
                    if read == head.len() {
                        return;
                    }
                }
                let status = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: {content_type}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                    body.len()
                );
                if socket.write_all(status.as_bytes()).await.is_ok() {
                    let _ = socket.write_all(body).await;
                }
                let _ = socket.shutdown().await;
            });
        }
    });
    format!("http://{address}/advertiser")
}

fn client_for(base_url: &str, format: Format) -> Client {
    Client::builder()
        .base_url(base_url)
        .token(ApiToken::new("e6a85a22eaa757a51ec82933358a023c").expect("a token"))
        .retry(RetryPolicy::none())
        .rate_limit_per_minute(None)
        .build()
        .expect("a client")
        .with_format(format)
}

/// How the client reads the report: streamed row by row (CSV), or whole (CSV or JSON).
#[derive(Clone, Copy)]
enum ClientPath {
    Stream,
    Send(Format),
}

/// Fetches the whole generated year through `client.stats()` (one window: the year is 365
/// days), grouped by date and placement; returns the rows seen.
fn through_client(runtime: &tokio::runtime::Runtime, client: &Client, path: ClientPath) -> usize {
    runtime.block_on(async {
        let mut first = ANCHOR;
        for _ in 1..365 {
            first = first.pred_opt().expect("a day before");
        }
        let query = client
            .stats()
            .between(first, ANCHOR)
            .group_by([StatsGroupBy::Date, StatsGroupBy::Placement]);
        match path {
            ClientPath::Stream => {
                let mut rows = std::pin::pin!(query.stream());
                let mut count = 0;
                while let Some(row) = rows.next().await {
                    black_box(row.expect("a row"));
                    count += 1;
                }
                count
            }
            ClientPath::Send(format) => {
                let rows = client
                    .with_format(format)
                    .stats()
                    .between(first, ANCHOR)
                    .group_by([StatsGroupBy::Date, StatsGroupBy::Placement])
                    .send()
                    .await
                    .expect("the report");
                let count = rows.len();
                black_box(rows);
                count
            }
        }
    })
}

// ---------------------------------------------------------------------------------------------

fn memory_report(bodies: &Bodies) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    // The bodies live as long as the process; leaking copies lets the server write from them.
    let csv_body: &'static [u8] = Box::leak(bodies.csv.clone().into_boxed_slice());
    let json_body: &'static [u8] = Box::leak(bodies.json.clone().into_boxed_slice());
    let csv_url = runtime.block_on(serve(csv_body, "text/csv; charset=utf-8"));
    let json_url = runtime.block_on(serve(json_body, "application/json"));
    let csv_client = client_for(&csv_url, Format::Csv);
    let json_client = client_for(&json_url, Format::Json);
    // One whole run first, so the runtime's, pool's and blocking threads' lazy set-up is not
    // counted against the first measured path.
    let _ = through_client(&runtime, &csv_client, ClientPath::Stream);

    let n = bodies.rows;
    println!();
    println!("peak memory, {n} rows (MiB asked of the allocator above the live baseline;");
    println!("the body itself is already in memory and not counted)");
    println!(
        "{:<52} {:>10} {:>10} {:>8}",
        "path", "peak MiB", "kept MiB", "seconds"
    );
    let line = |name: &str, footprint: Footprint| {
        println!(
            "{name:<52} {:>10.2} {:>10.2} {:>8.2}",
            mib(footprint.peak),
            mib(footprint.retained),
            footprint.seconds
        );
        let _ = std::io::stdout().flush();
    };
    let check = |got: usize| assert_eq!(got, n, "every row decoded");
    line(
        "whole body, serde_json::from_slice (JSON)",
        measure(|| {
            let list = serde_json_plain(&bodies.json);
            check(list.items.len());
            list
        }),
    );
    line(
        "whole body, adsterra_formats::decode (JSON)",
        measure(|| {
            let list = typed(Format::Json, &bodies.json);
            check(list.items.len());
            list
        }),
    );
    line(
        "whole body, adsterra_formats::decode (CSV)",
        measure(|| {
            let list = typed(Format::Csv, &bodies.csv);
            check(list.items.len());
            list
        }),
    );
    line(
        "whole body, adsterra_formats::decode (XML)",
        measure(|| {
            let list = typed(Format::Xml, &bodies.xml);
            check(list.items.len());
            list
        }),
    );
    line(
        "streaming, adsterra_formats::csv::rows (CSV)",
        measure(|| check(csv_rows(&bodies.csv))),
    );
    line(
        "client over loopback, stats().stream() (CSV)",
        measure(|| check(through_client(&runtime, &csv_client, ClientPath::Stream))),
    );
    line(
        "client over loopback, stats().send() (CSV)",
        measure(|| {
            check(through_client(
                &runtime,
                &csv_client,
                ClientPath::Send(Format::Csv),
            ))
        }),
    );
    line(
        "client over loopback, stats().send() (JSON)",
        measure(|| {
            check(through_client(
                &runtime,
                &json_client,
                ClientPath::Send(Format::Json),
            ))
        }),
    );
    println!("target: streaming 1M rows peaks under 64 MiB");
    println!();
}

// ---------------------------------------------------------------------------------------------
// Throughput, with criterion.

/// Seconds per decode, one figure per criterion sample (warm-up included), per benchmark.
static TIMINGS: Mutex<Vec<(&'static str, f64)>> = Mutex::new(Vec::new());

fn record(name: &'static str, iters: u64, elapsed: Duration) {
    TIMINGS
        .lock()
        .expect("timings")
        .push((name, elapsed.as_secs_f64() / iters as f64));
}

fn median_seconds(name: &str) -> Option<f64> {
    let mut seconds: Vec<f64> = TIMINGS
        .lock()
        .expect("timings")
        .iter()
        .filter(|(n, _)| *n == name)
        .map(|(_, s)| *s)
        .collect();
    if seconds.is_empty() {
        return None;
    }
    seconds.sort_by(f64::total_cmp);
    Some(seconds[seconds.len() / 2])
}

fn decode_benches(criterion: &mut Criterion, bodies: &Bodies) {
    let mut group = criterion.benchmark_group(format!("decode_{}_rows", bodies.rows));
    // A decode of 1M rows takes about a second: few samples, one decode per sample.
    group
        .sampling_mode(SamplingMode::Flat)
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500));

    type Decoder = fn(&[u8]) -> usize;
    let cases: [(&'static str, &[u8], Decoder); 5] = [
        ("json/serde_json_from_slice", &bodies.json, |b| {
            serde_json_plain(b).items.len()
        }),
        ("json/adsterra_formats_decode", &bodies.json, |b| {
            typed(Format::Json, b).items.len()
        }),
        ("csv/adsterra_formats_decode", &bodies.csv, |b| {
            typed(Format::Csv, b).items.len()
        }),
        ("csv/csv_rows_streaming", &bodies.csv, csv_rows),
        ("xml/adsterra_formats_decode", &bodies.xml, |b| {
            typed(Format::Xml, b).items.len()
        }),
    ];
    for (name, body, decode) in cases {
        // One decode first, timed, so the measurement time fits 10 samples of it.
        let started = Instant::now();
        black_box(decode(body));
        let once = started.elapsed().as_secs_f64();
        group.measurement_time(Duration::from_secs_f64((once * 12.0).max(1.0)));
        group.throughput(Throughput::BytesDecimal(body.len() as u64));
        group.bench_function(name, |b| {
            b.iter_custom(|iters| {
                let started = Instant::now();
                for _ in 0..iters {
                    black_box(decode(black_box(body)));
                }
                let elapsed = started.elapsed();
                record(name, iters, elapsed);
                elapsed
            })
        });
    }
    group.finish();

    let baseline = median_seconds("json/serde_json_from_slice");
    println!();
    println!(
        "decode throughput, {} rows (median of criterion's samples)",
        bodies.rows
    );
    println!(
        "{:<32} {:>9} {:>9} {:>9} {:>12} {:>12}",
        "decoder", "MB", "seconds", "MB/s", "rows/s", "vs serde"
    );
    for (name, body, _) in cases {
        let Some(seconds) = median_seconds(name) else {
            continue; // filtered out on the command line
        };
        let mb = body.len() as f64 / 1e6;
        let ratio = baseline
            .filter(|_| name.starts_with("json/"))
            .map(|base| format!("{:.2}x", seconds / base))
            .unwrap_or_default();
        println!(
            "{name:<32} {mb:>9.1} {seconds:>9.3} {:>9.1} {:>12.0} {ratio:>12}",
            mb / seconds,
            bodies.rows as f64 / seconds,
        );
    }
    println!("target: typed JSON decode within 1.25x of plain serde_json");
    println!();
}

fn main() {
    let counting = std::env::var("ADSTERRA_BENCH_COUNT_ALLOC").map_or(true, |v| v != "0");
    COUNTING.store(counting, Ordering::Relaxed);
    let mut criterion = Criterion::default().configure_from_args();
    let n = rows_wanted();
    let started = Instant::now();
    let bodies = Bodies::build(n);
    println!(
        "report: {n} rows by date and placement; JSON {:.1} MB, CSV {:.1} MB, XML {:.1} MB \
         (built in {:.1} s)",
        bodies.json.len() as f64 / 1e6,
        bodies.csv.len() as f64 / 1e6,
        bodies.xml.len() as f64 / 1e6,
        started.elapsed().as_secs_f64()
    );
    if counting {
        memory_report(&bodies);
    } else {
        println!("ADSTERRA_BENCH_COUNT_ALLOC=0: allocations not counted, no memory figures");
    }
    decode_benches(&mut criterion, &bodies);
    criterion.final_summary();
}
