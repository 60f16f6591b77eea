//! A year of stats by date × placement, synced from the sandbox into SQLite and PostgreSQL:
//! rows per second of a first sync, the syncing process's peak memory, and the wall time of a
//! second sync that changes nothing (the last days fetched again).
//!
//! `cargo bench -p adsterra-sync`. PostgreSQL is the server of `ADSTERRA_TEST_POSTGRES`, or the
//! one `.ci/postgres.sh` starts. Each part runs in a process of its own (this binary started
//! again with a role), so the peak memory printed is the syncing process's alone: the sandbox
//! serves from another process, over loopback.

use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};
use std::time::Instant;

use adsterra::types::StatsGroupBy;
use adsterra::{ApiToken, Client};
use adsterra_sync::{Database, SyncJob};
use chrono::{Days, Utc};

const ROLE: &str = "ADSTERRA_BENCH_ROLE";
const DAYS: u64 = 365;

fn main() {
    match std::env::var(ROLE).as_deref() {
        Ok("sandbox") => serve(),
        Ok("sync") => sync(),
        _ => compare(),
    }
}

/// The sandbox, until stdin closes.
fn serve() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let config = adsterra_sandbox::Config::default().with_rate_limit_per_minute(0);
        let sandbox = adsterra_sandbox::Sandbox::start(config).await.unwrap();
        println!("{}", sandbox.base_url());
        println!("{}", sandbox.token());
        tokio::task::spawn_blocking(|| std::io::stdin().read_to_end(&mut Vec::new()))
            .await
            .unwrap()
            .unwrap();
    });
}

/// One database: a first sync of the year, then a second; prints the figures on one line.
fn sync() {
    let base_url = std::env::var("ADSTERRA_BASE_URL").unwrap();
    let token = std::env::var("ADSTERRA_API_KEY").unwrap();
    let url = std::env::var("ADSTERRA_SYNC_DB").unwrap();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let client = Client::builder()
            .base_url(&base_url)
            .token(ApiToken::new(token).unwrap())
            .rate_limit_per_minute(None)
            .build()
            .unwrap();
        let mut database = Database::open(&url).await.unwrap();
        let since = Utc::now().date_naive() - Days::new(DAYS - 1);
        let started = Instant::now();
        let first = SyncJob::new(&client, &mut database)
            .group_by([StatsGroupBy::Placement])
            .since(since)
            .run()
            .await
            .unwrap();
        let first_seconds = started.elapsed().as_secs_f64();
        let started = Instant::now();
        let again = SyncJob::new(&client, &mut database)
            .group_by([StatsGroupBy::Placement])
            .run()
            .await
            .unwrap();
        let again_seconds = started.elapsed().as_secs_f64();
        assert_eq!(again.changes(), 0, "{again}");
        println!(
            "{} {} {first_seconds:.3} {} {again_seconds:.3} {:.1}",
            first.days,
            first.rows,
            again.rows,
            peak_rss_mib()
        );
    });
}

/// The process's peak resident memory (VmHWM), in MiB.
fn peak_rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|kib| kib.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(f64::NAN, |kib| kib / 1024.0)
}

fn compare() {
    let this = std::env::current_exe().unwrap();
    let mut sandbox = Command::new(&this)
        .env(ROLE, "sandbox")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(sandbox.stdout.take().unwrap()).lines();
    let base_url = lines.next().unwrap().unwrap();
    let token = lines.next().unwrap().unwrap();

    let folder = std::env::temp_dir().join(format!("adsterra-sync-bench-{}", std::process::id()));
    std::fs::create_dir_all(&folder).unwrap();
    let databases = [
        (
            "SQLite",
            format!("sqlite://{}", folder.join("stats.db").display()),
        ),
        ("PostgreSQL", fresh_postgres_database()),
    ];
    println!(
        "a year ({DAYS} days) by date × placement from the sandbox (another process, loopback)\n"
    );
    println!(
        "{:<11} {:>9} {:>10} {:>10} {:>11} {:>14}",
        "database", "rows", "first s", "rows/s", "peak MiB", "re-sync s"
    );
    for (name, url) in databases {
        let output = Command::new(&this)
            .env(ROLE, "sync")
            .env("ADSTERRA_BASE_URL", &base_url)
            .env("ADSTERRA_API_KEY", &token)
            .env("ADSTERRA_SYNC_DB", &url)
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let line = String::from_utf8(output.stdout).unwrap();
        let figures: Vec<f64> = line
            .split_whitespace()
            .map(|f| f.parse().unwrap())
            .collect();
        let [_days, rows, first, again_rows, again, peak] = figures[..] else {
            panic!("{line}");
        };
        println!(
            "{name:<11} {rows:>9} {first:>10.2} {:>10.0} {peak:>11.1} {again:>8.3} ({again_rows} rows)",
            rows / first
        );
    }
    drop(sandbox.stdin.take());
    sandbox.wait().unwrap();
    std::fs::remove_dir_all(&folder).unwrap();
}

/// A fresh database on the test server, as a connection string.
fn fresh_postgres_database() -> String {
    let server = match std::env::var("ADSTERRA_TEST_POSTGRES") {
        Ok(server) => server,
        Err(_) => {
            let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../.ci/postgres.sh");
            let output = Command::new("bash").arg(script).output().unwrap();
            assert!(output.status.success(), "{script} failed");
            String::from_utf8(output.stdout).unwrap().trim().to_owned()
        }
    };
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let (client, connection) = tokio_postgres::connect(&server, tokio_postgres::NoTls)
            .await
            .unwrap();
        tokio::spawn(connection);
        for statement in [
            "DROP DATABASE IF EXISTS sync_bench WITH (FORCE)",
            "CREATE DATABASE sync_bench",
        ] {
            client.batch_execute(statement).await.unwrap();
        }
    });
    format!(
        "{} dbname=sync_bench",
        server.replace("dbname=postgres", "").trim()
    )
}
