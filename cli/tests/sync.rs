//! `adsterra sync` as a user runs it: the README's command twice (the second changes nothing),
//! and a run killed with SIGKILL in the middle, then resumed, into SQLite and PostgreSQL. The
//! embedded sandbox is seeded like `Config::default()`, so the test's own sandbox holds the same
//! world to compare with.

mod common;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use adsterra_sandbox::stats::{Filter, GroupKey};
use adsterra_sandbox::{Config, Sandbox};
use adsterra_tests::databases::{Kind, TestDatabase};
use chrono::{Datelike, Days, NaiveDate, Utc};
use common::sandboxed;
use serde_json::Value;

fn summary(stdout: &str) -> Value {
    serde_json::from_str(stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"))
}

#[tokio::test]
async fn the_readme_command_stores_the_stats_and_a_second_run_changes_nothing() {
    let database = TestDatabase::new(Kind::Sqlite, "cli_readme").await;
    let url = database.url.clone();
    let args = [
        "sync",
        "--db",
        &url,
        "--since",
        "2025-01-01",
        "--group-by",
        "date,campaign",
    ];
    let first = sandboxed(&[&args[..], &["-o", "json"]].concat());
    assert_eq!(first.code, 0, "{}", first.stderr);
    let first = (summary(&first.stdout), first.stderr);
    assert_eq!(first.0["table"], "stats_by_date_campaign");
    assert_eq!(first.0["first_day"], "2025-01-01");
    assert!(first.0["inserted"].as_u64().unwrap() > 5_000, "{}", first.0);
    // The tables it made are printed, on stderr.
    assert!(
        first
            .1
            .contains("migration applied: CREATE TABLE \"stats_by_date_campaign\""),
        "{}",
        first.1
    );

    let second = sandboxed(&[&args[..], &["-o", "table"]].concat());
    assert_eq!(second.code, 0, "{}", second.stderr);
    assert!(
        second
            .stdout
            .starts_with("synced 3 days into stats_by_date_campaign: ")
            && second
                .stdout
                .contains(" 0 changes (0 inserted, 0 updated, 0 deleted)"),
        "{}",
        second.stdout
    );
    assert_eq!(second.stderr, "");

    // The README's question (spend per campaign per week) answers from this database.
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md"));
    let readme = readme.unwrap();
    let query = readme
        .split("```sql\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("the README has a SQL query");
    let weeks = database.texts(query).await;
    assert!(weeks.len() > 50, "{}", weeks.len());
    for row in &weeks {
        let monday: NaiveDate = row[1].parse().unwrap();
        assert_eq!(monday.weekday(), chrono::Weekday::Mon, "{row:?}");
        assert!(row[2].parse::<f64>().unwrap() >= 0.0, "{row:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn overlapping_runs_sqlite() {
    overlapping_runs(TestDatabase::new(Kind::Sqlite, "cli_overlap").await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn overlapping_runs_postgres() {
    overlapping_runs(TestDatabase::new(Kind::Postgres, "cli_overlap").await).await;
}

/// Two cron lines that overlap, as real processes: a second run of the same table exits 9 at
/// once naming the first, a run of another table goes on beside it, and one that waits runs
/// once the first has ended.
async fn overlapping_runs(target: TestDatabase) {
    // Slow answers, so that the first run lasts while the others start.
    let faults = "latency=400ms".parse().unwrap();
    let sandbox = common::sandbox(Config::default().with_faults(faults)).await;
    let base_url = sandbox.base_url().to_owned();
    let url = target.url.clone();
    let until = Utc::now().date_naive();
    let since = (until - Days::new(300)).to_string();
    let sync = |args: &[&str]| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_adsterra"));
        command
            .args(["sync", "--db", &url, "-o", "json"])
            .args(args)
            .env("ADSTERRA_API_KEY", common::TOKEN)
            .env("ADSTERRA_BASE_URL", &base_url)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        command
    };
    let placement = ["--group-by", "placement", "--window-days", "5"];
    let mut first = sync(&placement).args(["--since", &since]).spawn().unwrap();
    // It holds the table once its run is recorded.
    let deadline = Instant::now() + Duration::from_secs(60);
    let (host, pid) = loop {
        let rows = (target
            .try_texts("SELECT host, CAST(pid AS TEXT) FROM sync_runs")
            .await)
            .unwrap_or_default();
        if let Some(row) = rows.first() {
            break (row[0].clone(), row[1].clone());
        }
        assert!(
            Instant::now() < deadline,
            "the first run never recorded itself"
        );
        assert!(
            first.try_wait().unwrap().is_none(),
            "the first run ended early"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert_eq!(pid, first.id().to_string());

    // Blocking waits leave the runtime's other thread to the sandbox.
    let output = |command: &mut Command| tokio::task::block_in_place(|| command.output().unwrap());
    let second = output(&mut sync(&["--group-by", "placement"]));
    let stderr = String::from_utf8_lossy(&second.stderr);
    assert_eq!(second.status.code(), Some(9), "{stderr}");
    assert!(
        stderr.starts_with(
            "error: another sync of stats_by_date_placement is running (run 1, started "
        ) && stderr.contains(&format!(" on {host} (pid {pid})"))
            && stderr.contains("--wait SECONDS")
            && !stderr.contains("locked"),
        "{stderr}"
    );

    // Another table: not blocked, and done while the first still runs.
    let week = (until - Days::new(7)).to_string();
    let other = output(&mut sync(&["--group-by", "campaign", "--since", &week]));
    assert!(
        other.status.success(),
        "{}",
        String::from_utf8_lossy(&other.stderr)
    );
    assert!(
        first.try_wait().unwrap().is_none(),
        "the first run ended before the other table's"
    );

    // Waiting: it starts while the first runs, and runs once the first has ended.
    let waiting = sync(&["--group-by", "placement", "--wait", "300"])
        .spawn()
        .unwrap();
    assert!(
        first.try_wait().unwrap().is_none(),
        "the first run ended before the wait began"
    );
    let first = tokio::task::block_in_place(|| first.wait_with_output().unwrap());
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let waited = tokio::task::block_in_place(|| waiting.wait_with_output().unwrap());
    assert!(
        waited.status.success(),
        "{}",
        String::from_utf8_lossy(&waited.stderr)
    );
    let runs = target
        .texts("SELECT stats_table, status, started_at, finished_at FROM sync_runs ORDER BY run")
        .await;
    let tables: Vec<(&str, &str)> = runs
        .iter()
        .map(|r| (r[0].as_str(), r[1].as_str()))
        .collect();
    assert_eq!(
        tables,
        [
            ("stats_by_date_placement", "finished"),
            ("stats_by_date_campaign", "finished"),
            ("stats_by_date_placement", "finished"),
        ],
        "the refused run left no row"
    );
    // RFC 3339 in UTC: the text orders as the time does.
    assert!(
        runs[2][2] >= runs[0][3],
        "the waiting run began before the first ended: {runs:?}"
    );
    assert_eq!(
        summary(&String::from_utf8_lossy(&waited.stdout))["died"],
        serde_json::json!([])
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sync_killed_mid_run_resumes_where_it_stopped_sqlite() {
    killed_and_resumed(TestDatabase::new(Kind::Sqlite, "cli_killed").await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sync_killed_mid_run_resumes_where_it_stopped_postgres() {
    killed_and_resumed(TestDatabase::new(Kind::Postgres, "cli_killed").await).await;
}

async fn killed_and_resumed(target: TestDatabase) {
    let url = target.url.clone();
    let until = Utc::now().date_naive();
    let since = until - Days::new(240);
    let since_text = since.to_string();
    let mut child = Command::new(env!("CARGO_BIN_EXE_adsterra"))
        // `--from`: the alias of `--since`, as `stats` takes either.
        .args(["--sandbox", "sync", "--db", &url, "--from", &since_text])
        .args(["--group-by", "placement", "--window-days", "10"])
        .args(["-o", "json"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Killed (SIGKILL: no chance to clean up, maybe inside a day's transaction) once it has
    // written 20 days.
    let deadline = Instant::now() + Duration::from_secs(120);
    while target
        .last_day()
        .await
        .is_none_or(|day| day < since + Days::new(20))
    {
        assert!(
            Instant::now() < deadline,
            "the sync wrote no 20 days in 2 minutes"
        );
        assert!(
            child.try_wait().unwrap().is_none(),
            "the sync ended before it was killed"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let killed_at = target.last_day().await.unwrap();
    assert!(killed_at < until, "the sync finished before the kill");

    let resumed = sandboxed(&["sync", "--db", &url, "--group-by", "placement"]);
    assert_eq!(resumed.code, 0, "{}", resumed.stderr);
    // The killed run is found dead and marked so; its row stays unfinished.
    assert!(
        resumed
            .stderr
            .contains("run 1 of stats_by_date_placement had died before it finished"),
        "{}",
        resumed.stderr
    );
    let killed = target
        .texts("SELECT status, COALESCE(finished_at, 'NULL') FROM sync_runs WHERE run = 1")
        .await;
    assert_eq!(killed, [["died", "NULL"]]);
    let resumed = summary(&resumed.stdout);
    assert_eq!(resumed["died"], serde_json::json!([1]));
    // From the last day written, less the days fetched again.
    let revise = u64::from(adsterra_sync::DEFAULT_REVISE_DAYS);
    let expected_days = (until - killed_at).num_days() as u64 + revise;
    assert_eq!(resumed["days"], expected_days, "{resumed}");

    // Everything a direct report of the same world holds, to the thousandth.
    let world = Sandbox::start(Config::default()).await.unwrap();
    let keys = [GroupKey::Date, GroupKey::Placement];
    let rows = world
        .stats()
        .report(since, until, &keys, &Filter::default());
    let totals = world.stats().totals(since, until, &Filter::default());
    let stored = target
        .texts(
            "SELECT CAST(COUNT(*) AS TEXT), CAST(SUM(impressions) AS TEXT), \
             CAST(CAST(ROUND(SUM(spent) * 1000) AS BIGINT) AS TEXT) FROM stats_by_date_placement",
        )
        .await;
    let expected = [rows.len() as u64, totals.impressions, totals.spent_millis];
    assert_eq!(stored, [expected.map(|n| n.to_string())]);
}
