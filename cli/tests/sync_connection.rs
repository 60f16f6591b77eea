//! A sync whose PostgreSQL server stops in the middle, on a server of the test's own (started
//! by `.ci/postgres.sh --dir`): the run ends with exit 8 and says the connection closed and
//! where the next run resumes; no day is half written; the run's row stays unfinished; and the
//! next run, with the server back, resumes with no gap and marks the lost run `died`.

mod common;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use adsterra_sandbox::stats::{Filter, GroupKey};
use adsterra_sandbox::{Config, Sandbox};
use adsterra_tests::databases::{Kind, TestDatabase, postgres_in as server};
use chrono::{Days, NaiveDate, Utc};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_connection_ends_the_run_cleanly_and_the_next_resumes() {
    let dir = std::env::temp_dir().join(format!("adsterra-pg-lost-{}", std::process::id()));
    let pid = std::process::id().to_string();
    // Stopped when this test process ends, whatever happens here.
    let url = server(&dir, &["--until", &pid]);
    let database = TestDatabase::at(Kind::Postgres, &url);

    // Slow answers: the run is still writing when the server stops.
    let sandbox =
        common::sandbox(Config::default().with_faults("latency=300ms".parse().unwrap())).await;
    let until = Utc::now().date_naive();
    let since = until - Days::new(200);
    let mut sync = Command::new(env!("CARGO_BIN_EXE_adsterra"))
        .args([
            "sync",
            "--db",
            &url,
            "--group-by",
            "campaign",
            "--window-days",
            "5",
        ])
        .args(["--since", &since.to_string(), "-o", "json"])
        .env("ADSTERRA_API_KEY", common::TOKEN)
        .env("ADSTERRA_BASE_URL", sandbox.base_url())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(120);
    while database
        .last_day()
        .await
        .is_none_or(|day| day < since + Days::new(15))
    {
        assert!(
            Instant::now() < deadline,
            "the sync wrote no 15 days in 2 minutes"
        );
        assert!(
            sync.try_wait().unwrap().is_none(),
            "the sync ended before the server stopped"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    server(&dir, &["stop"]);
    let lost = tokio::task::block_in_place(|| sync.wait_with_output().unwrap());
    let stderr = String::from_utf8_lossy(&lost.stderr);
    assert_eq!(lost.status.code(), Some(8), "{stderr}");
    assert!(
        stderr.starts_with("error: PostgreSQL: connection closed (")
            && stderr.contains("is written, and the next run resumes from there"),
        "{stderr}"
    );

    // The server back (on another port): every day held is whole, none beyond, and the lost
    // run's row is unfinished.
    let url = server(&dir, &["--until", &pid]);
    let database = TestDatabase::at(Kind::Postgres, &url);
    let held = database.last_day().await.unwrap();
    assert!(held < until, "the sync finished before the server stopped");
    let world = Sandbox::start(Config::default()).await.unwrap();
    let expected = |from: NaiveDate, to: NaiveDate| {
        let rows = world.stats().report(
            from,
            to,
            &[GroupKey::Date, GroupKey::Campaign],
            &Filter::default(),
        );
        let totals = world.stats().totals(from, to, &Filter::default());
        [rows.len() as u64, totals.spent_millis].map(|n| n.to_string())
    };
    let stored = "SELECT CAST(COUNT(*) AS TEXT), CAST(CAST(ROUND(SUM(spent) * 1000) AS BIGINT) AS TEXT) \
                  FROM stats_by_date_campaign";
    assert_eq!(database.texts(stored).await, [expected(since, held)]);
    assert_eq!(
        database
            .texts("SELECT COALESCE(finished_at, 'NULL'), status FROM sync_runs")
            .await,
        [["NULL", "running"]]
    );

    let next = common::adsterra(
        &["sync", "--db", &url, "--group-by", "campaign", "-o", "json"],
        &[
            ("ADSTERRA_API_KEY", common::TOKEN),
            ("ADSTERRA_BASE_URL", sandbox.base_url()),
        ],
        "",
    );
    assert_eq!(next.code, 0, "{}", next.stderr);
    let summary: serde_json::Value = serde_json::from_str(&next.stdout).unwrap();
    assert_eq!(summary["died"], serde_json::json!([1]), "{summary}");
    assert_eq!(summary["first_day"], since.to_string());
    assert_eq!(summary["last_day"], until.to_string());
    assert_eq!(database.texts(stored).await, [expected(since, until)]);
    assert_eq!(
        database
            .texts("SELECT COALESCE(finished_at, 'NULL'), status FROM sync_runs WHERE run = 1")
            .await,
        [["NULL", "died"]]
    );
    server(&dir, &["stop"]);
    let _ = std::fs::remove_dir_all(&dir);
}
