//! A database made by the released `adsterra sync` (the 0.1 layout, kept as dumps in
//! `tests/fixtures/sync-0.1/`) is brought up in place by the next run, which prints each
//! statement; afterwards `sum(spent)` agrees with a direct stats call to the thousandth, and
//! the days it fetched again are unchanged, so the conversion lost nothing.

mod common;

use adsterra_sandbox::stats::{Filter, GroupKey};
use adsterra_sandbox::{Config, Sandbox};
use adsterra_tests::databases::{Kind, TestDatabase};
use chrono::NaiveDate;
use common::sandboxed;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_released_sqlite_database_is_brought_up_in_place() {
    upgraded(Kind::Sqlite, "sqlite.sql").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_released_postgres_database_is_brought_up_in_place() {
    upgraded(Kind::Postgres, "postgres.sql").await;
}

fn day(text: &str) -> NaiveDate {
    text.parse().unwrap()
}

async fn upgraded(kind: Kind, dump: &str) {
    let database = TestDatabase::new(kind, "cli_upgrade").await;
    let fixture = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures/sync-0.1/");
    database
        .load(&std::fs::read_to_string(format!("{fixture}{dump}")).unwrap())
        .await;
    let (since, until) = (day("2026-11-01"), day("2026-11-07"));

    let args = ["sync", "--db", &database.url, "--group-by", "campaign"];
    let run = sandboxed(&[&args[..], &["--until", "2026-11-07", "-o", "json"]].concat());
    assert_eq!(run.code, 0, "{}", run.stderr);
    let applied: Vec<&str> = (run.stderr.lines())
        .filter_map(|line| line.strip_prefix("migration applied: "))
        .collect();
    let runs = ["host TEXT", "pid BIGINT", "status TEXT"]
        .map(|column| format!("ALTER TABLE sync_runs ADD COLUMN {column}"));
    let stats = "ALTER TABLE \"stats_by_date_campaign\"";
    let expected: Vec<String> = match kind {
        Kind::Sqlite => (runs.into_iter())
            .chain(["ctr", "cpm", "spent"].map(|name| {
                format!(
                    "{stats} ADD COLUMN \"{name}\" REAL GENERATED ALWAYS AS \
                     (\"{name}_thousandths\" / 1000.0) VIRTUAL"
                )
            }))
            .collect(),
        Kind::Postgres => (runs.into_iter())
            .chain(["ctr", "cpm", "spent"].into_iter().flat_map(|name| {
                [
                    format!("{stats} RENAME COLUMN \"{name}_thousandths\" TO \"{name}\""),
                    format!(
                        "{stats} ALTER COLUMN \"{name}\" TYPE NUMERIC(18, 3) USING \"{name}\"::numeric / 1000"
                    ),
                ]
            }))
            .chain([
                "ALTER TABLE \"campaigns\" ALTER COLUMN \"pricing_settings\" TYPE JSONB \
                 USING \"pricing_settings\"::jsonb"
                    .to_owned(),
            ])
            .collect(),
    };
    assert_eq!(applied, expected, "{}", run.stderr);
    let summary: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    // The last days fetched again match what the released version wrote, to the thousandth.
    assert_eq!(summary["days"], 3, "{summary}");
    assert_eq!(
        (summary["updated"].as_u64(), summary["inserted"].as_u64()),
        (Some(0), Some(0)),
        "{summary}"
    );

    // The plain names, summed as a BI tool would, against the sandbox's own report.
    let world = Sandbox::start(Config::default()).await.unwrap();
    let totals = world.stats().totals(since, until, &Filter::default());
    let rows = world.stats().report(
        since,
        until,
        &[GroupKey::Date, GroupKey::Campaign],
        &Filter::default(),
    );
    let stored = database
        .texts(
            "SELECT CAST(COUNT(*) AS TEXT), CAST(SUM(impressions) AS TEXT), \
             CAST(CAST(ROUND(SUM(spent) * 1000) AS BIGINT) AS TEXT) \
             FROM stats_by_date_campaign",
        )
        .await;
    let expected = [rows.len() as u64, totals.impressions, totals.spent_millis];
    assert_eq!(stored, [expected.map(|n| n.to_string())]);

    // The README's query for both databases: spend per campaign, to the thousandth.
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md"));
    let readme = readme.unwrap();
    let query = (readme.split("```sql\n").skip(1))
        .filter_map(|block| block.split("```").next())
        .find(|query| query.contains("sum(spent)"))
        .expect("the README has a query with sum(spent)");
    let mut per_campaign: std::collections::BTreeMap<String, u64> = Default::default();
    for row in &rows {
        *per_campaign
            .entry(row.campaign.unwrap().to_string())
            .or_default() += row.spent_millis;
    }
    let mut answered: Vec<(String, u64)> = (database.texts(query).await.into_iter())
        .map(|row| {
            let spent: f64 = row[1].parse().unwrap();
            (row[0].clone(), (spent * 1000.0).round() as u64)
        })
        .collect();
    answered.sort();
    assert_eq!(
        answered,
        per_campaign.into_iter().collect::<Vec<_>>(),
        "{query}"
    );

    // A second run finds nothing to change or migrate; the released run's row is kept.
    let again = sandboxed(&[&args[..], &["--until", "2026-11-07", "-o", "json"]].concat());
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert!(
        !again.stderr.contains("migration applied"),
        "{}",
        again.stderr
    );
    let kept = database
        .texts("SELECT CAST(run AS TEXT), COALESCE(status, 'NULL') FROM sync_runs ORDER BY run")
        .await;
    assert_eq!(kept, [["1", "NULL"], ["2", "finished"], ["3", "finished"]]);
}
