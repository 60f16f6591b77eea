//! Measures how the sandbox serves its largest report: one year of stats by date and placement,
//! in each format. Prints figures; asserts nothing.
//!
//! `cargo run --release -p adsterra-sandbox --example year_report`; with
//! `ADSTERRA_BENCH_DUMP=DIR` (absolute) it also writes the bodies to `DIR/stats.{json,csv,xml}`,
//! which the anchors bench reads with `ADSTERRA_BENCH_BODIES=DIR`: a second report to measure
//! the decoders on.

use std::time::Instant;

use adsterra_sandbox::{Config, Sandbox, account::ANCHOR};
use chrono::Days;

#[tokio::main]
async fn main() {
    let sandbox = Sandbox::start(Config::default())
        .await
        .expect("the sandbox starts");
    let finish = ANCHOR;
    let start = finish - Days::new(365);
    let http = reqwest::Client::new();
    println!("one year ({start} to {finish}) grouped by date and placement");
    println!(
        "{:<6} {:>9} {:>12} {:>10}",
        "format", "rows", "bytes", "seconds"
    );
    for format in ["json", "csv", "xml"] {
        let url = format!(
            "{}/stats.{format}?start_date={start}&finish_date={finish}&group_by[]=date&group_by[]=placement",
            sandbox.base_url()
        );
        let mut best = f64::INFINITY;
        let mut body = Vec::new();
        for _ in 0..3 {
            let started = Instant::now();
            let response = http
                .get(&url)
                .header("X-API-Key", sandbox.token())
                .send()
                .await
                .expect("the sandbox answers");
            assert!(response.status().is_success(), "{}", response.status());
            body = response.bytes().await.expect("a whole body").to_vec();
            best = best.min(started.elapsed().as_secs_f64());
        }
        let rows = match format {
            "json" => {
                serde_json::from_slice::<serde_json::Value>(&body).expect("JSON")["itemCount"]
                    .as_u64()
                    .expect("itemCount")
            }
            "csv" => body.iter().filter(|b| **b == b'\n').count() as u64 - 1,
            _ => body.windows(6).filter(|w| w == b"<item>").count() as u64,
        };
        println!("{format:<6} {rows:>9} {:>12} {best:>10.3}", body.len());
        if let Ok(dir) = std::env::var("ADSTERRA_BENCH_DUMP") {
            std::fs::create_dir_all(&dir).expect("the dump folder can be made");
            std::fs::write(format!("{dir}/stats.{format}"), &body).expect("the body is written");
        }
    }
    sandbox.shutdown().await;
}
