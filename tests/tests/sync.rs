//! `adsterra_sync` against the sandbox, into real databases: a SQLite file and a PostgreSQL
//! server (Debian's, started by `.ci/postgres.sh`). Every scenario runs on both.
//!
//! What a user checks: a first sync stores what a direct stats call gives, to the thousandth;
//! a second changes nothing; a sync killed in the middle resumes where it stopped and ends
//! where an uninterrupted one ends; corrected days are updated; faults are ridden out; a metric
//! added to the spec becomes a column.

use std::time::Duration;

use adsterra::Client;
use adsterra::types::StatsGroupBy;
use adsterra_sandbox::Sandbox;
use adsterra_sync::{Database, Schema, Summary, SyncJob};
use adsterra_tests::databases::{Kind, TestDatabase};
use adsterra_tests::support::{client, fast_retries, sandbox};
use chrono::{Days, NaiveDate, Utc};

/// Runs a scenario once per database.
macro_rules! on_both {
    ($($scenario:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $scenario() {
                super::$scenario(adsterra_tests::databases::Kind::Sqlite).await;
            })*
        }
        mod postgres {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $scenario() {
                super::$scenario(adsterra_tests::databases::Kind::Postgres).await;
            })*
        }
    };
}

on_both!(
    a_first_sync_stores_the_stats_exactly_and_a_second_changes_nothing,
    a_killed_sync_resumes_where_it_stopped,
    corrected_days_are_updated,
    faults_are_ridden_out,
    a_metric_added_to_the_spec_becomes_a_column,
    the_date_alone_is_a_grain_too,
);

const TABLE: &str = "stats_by_date_campaign";

fn today() -> NaiveDate {
    Utc::now().date_naive()
}

fn days_ago(days: u64) -> NaiveDate {
    today() - Days::new(days)
}

async fn setup(kind: Kind, test: &str, faults: &str) -> (Sandbox, Client, TestDatabase) {
    let sandbox = sandbox(faults).await;
    let client = client(sandbox.base_url(), sandbox.token(), fast_retries(30));
    let database = TestDatabase::new(kind, test).await;
    (sandbox, client, database)
}

async fn sync(client: &Client, url: &str, since: NaiveDate) -> Summary {
    let mut database = Database::open(url).await.unwrap();
    SyncJob::new(client, &mut database)
        .group_by([StatsGroupBy::Campaign])
        .since(since)
        .window_days(20)
        .run()
        .await
        .unwrap()
}

/// Per day: rows, impressions, clicks and money in thousandths, from the database, as a user
/// sums `spent` (a decimal in both databases).
async fn stored(database: &TestDatabase) -> Vec<Vec<String>> {
    database
        .texts(&format!(
            "SELECT CAST(date AS TEXT), CAST(COUNT(*) AS TEXT), CAST(SUM(impressions) AS TEXT), \
             CAST(SUM(clicks) AS TEXT), CAST(CAST(ROUND(SUM(spent) * 1000) AS BIGINT) AS TEXT) \
             FROM {TABLE} GROUP BY date ORDER BY date"
        ))
        .await
}

/// The same figures from one direct stats call (money read as thousandths, exactly: the
/// sandbox's amounts have three decimals).
async fn direct(client: &Client, since: NaiveDate, until: NaiveDate) -> Vec<Vec<String>> {
    let rows = client
        .stats()
        .between(since, until)
        .group_by([StatsGroupBy::Date, StatsGroupBy::Campaign])
        .send()
        .await
        .unwrap();
    let mut days: std::collections::BTreeMap<NaiveDate, [i64; 4]> = Default::default();
    for row in rows {
        let day = days.entry(row.date.unwrap()).or_default();
        day[0] += 1;
        day[1] += row.impressions;
        day[2] += row.clicks;
        day[3] += (row.spent * 1000.0).round() as i64;
    }
    days.into_iter()
        .map(|(day, [rows, impressions, clicks, spent])| {
            [day.to_string(), rows.to_string(), impressions.to_string()]
                .into_iter()
                .chain([clicks.to_string(), spent.to_string()])
                .collect()
        })
        .collect()
}

async fn a_first_sync_stores_the_stats_exactly_and_a_second_changes_nothing(kind: Kind) {
    let (_sandbox, client, database) = setup(kind, "first_and_second", "").await;
    let since = days_ago(100);
    let first = sync(&client, &database.url, since).await;
    assert_eq!(first.table, TABLE);
    assert_eq!(first.days, 101);
    assert_eq!(
        (first.first_day, first.last_day),
        (Some(since), Some(today()))
    );
    assert!(first.rows > 500, "{first:?}");
    assert_eq!(first.inserted, first.rows);
    assert_eq!(first.migrations.len(), 2, "{:?}", first.migrations);
    assert!(first.campaigns > 0);
    let expected = direct(&client, since, today()).await;
    assert_eq!(stored(&database).await, expected);

    let second = sync(&client, &database.url, since).await;
    assert_eq!(second.changes(), 0, "{second}");
    assert_eq!(second.days, u64::from(adsterra_sync::DEFAULT_REVISE_DAYS));
    assert_eq!(second.unchanged, second.rows);
    assert!(second.migrations.is_empty());
    assert_eq!(stored(&database).await, expected);
    // Each run is recorded, finished, with its own snapshot of the campaigns.
    let runs = database
        .texts(
            "SELECT CAST(run AS TEXT), CAST(inserted AS TEXT), finished_at \
             FROM sync_runs ORDER BY run",
        )
        .await;
    assert_eq!(runs.len(), 2);
    assert_eq!(runs[0][1], first.inserted.to_string());
    assert!(runs.iter().all(|run| run[2] != "NULL"), "{runs:?}");
    let snapshots = database
        .number("SELECT CAST(COUNT(DISTINCT run) AS TEXT) FROM campaigns")
        .await;
    assert_eq!(snapshots, 2);
}

async fn a_killed_sync_resumes_where_it_stopped(kind: Kind) {
    let (_sandbox, client, database) = setup(kind, "killed", "").await;
    let since = days_ago(120);
    // Killed after its 30th day was written, as a process dies: the task running it panics
    // between two days, and its database connection goes with it.
    let killed = {
        let (client, url) = (client.clone(), database.url.clone());
        tokio::spawn(async move {
            let mut db = Database::open(&url).await.unwrap();
            SyncJob::new(&client, &mut db)
                .group_by([StatsGroupBy::Campaign])
                .since(since)
                .window_days(20)
                .on_progress(|progress| assert!(progress.days_done < 30, "killed"))
                .run()
                .await
        })
        .await
    };
    assert!(killed.unwrap_err().is_panic());
    let held = database
        .texts("SELECT CAST(first_day AS TEXT), CAST(last_day AS TEXT) FROM sync_state")
        .await;
    let last: NaiveDate = held[0][1].parse().unwrap();
    assert_eq!(held[0][0], since.to_string());
    assert_eq!(last, since + Days::new(29), "{held:?}");
    // Nothing after the last day recorded was kept, and the killed run never finished.
    let after = database
        .number(&format!(
            "SELECT CAST(COUNT(*) AS TEXT) FROM {TABLE} WHERE date > '{last}'"
        ))
        .await;
    assert_eq!(after, 0);
    let unfinished = database
        .number("SELECT CAST(COUNT(*) AS TEXT) FROM sync_runs WHERE finished_at IS NULL")
        .await;
    assert_eq!(unfinished, 1);

    let mut db = Database::open(&database.url).await.unwrap();
    let resumed = SyncJob::new(&client, &mut db)
        .group_by([StatsGroupBy::Campaign])
        .revise_days(0)
        .run()
        .await
        .unwrap();
    assert_eq!(resumed.days as i64, (today() - last).num_days());
    assert_eq!(resumed.inserted, resumed.rows);
    assert_eq!(
        stored(&database).await,
        direct(&client, since, today()).await
    );
}

async fn corrected_days_are_updated(kind: Kind) {
    let (sandbox, client, database) = setup(kind, "corrected", "").await;
    let since = days_ago(40);
    sync(&client, &database.url, since).await;
    let before = stored(&database).await;
    // Adsterra corrects the last two days after the fact.
    sandbox.stats().correct(days_ago(1)..=today());
    let revised = sync(&client, &database.url, since).await;
    assert_eq!(revised.days, 3);
    assert!(
        revised.updated + revised.inserted + revised.deleted > 0,
        "{revised}"
    );
    let after = stored(&database).await;
    assert_eq!(after, direct(&client, since, today()).await);
    // The days before the correction are as they were.
    let cut = before.len() - 2;
    assert_eq!(after[..cut], before[..cut]);
    assert_ne!(after[cut..], before[cut..]);
}

async fn faults_are_ridden_out(kind: Kind) {
    let faults = "500=0.15,503=0.1,drop=0.1,truncate=0.1,malformed=0.1,latency=5ms";
    let (sandbox, client, database) = setup(kind, "faults", faults).await;
    let since = days_ago(60);
    let summary = sync(&client, &database.url, since).await;
    assert_eq!(summary.days, 61);
    let injected: u64 = sandbox.faults_injected().values().sum();
    assert!(injected > 0, "no fault was injected");
    // Every attempt is counted: the requests the sandbox saw, retries included.
    assert_eq!(summary.requests, sandbox.requests_seen(), "{summary}");
    sandbox.set_faults(adsterra_sandbox::Faults::none());
    assert_eq!(
        stored(&database).await,
        direct(&client, since, today()).await
    );
}

async fn a_metric_added_to_the_spec_becomes_a_column(kind: Kind) {
    let (_sandbox, client, database) = setup(kind, "new_metric", "").await;
    let since = days_ago(10);
    // The database was made with a spec that did not know `conversions` yet.
    let mut older: serde_json::Value = serde_json::from_str(adsterra::raw::SPEC_JSON).unwrap();
    older["components"]["schemas"]["StatsRow"]["properties"]
        .as_object_mut()
        .unwrap()
        .shift_remove("conversions");
    let mut db = Database::open(&database.url).await.unwrap();
    SyncJob::new(&client, &mut db)
        .group_by([StatsGroupBy::Campaign])
        .since(since)
        .schema(Schema::from_spec(&older, &["campaign"]).unwrap())
        .run()
        .await
        .unwrap();
    let summary = SyncJob::new(&client, &mut db)
        .group_by([StatsGroupBy::Campaign])
        .run()
        .await
        .unwrap();
    assert_eq!(
        summary.migrations,
        [format!(
            "ALTER TABLE \"{TABLE}\" ADD COLUMN \"conversions\" {}",
            if kind == Kind::Sqlite {
                "INTEGER"
            } else {
                "BIGINT"
            }
        )]
    );
    // The days fetched again have it; the others wait for a backfill.
    let filled = database
        .number(&format!(
            "SELECT CAST(COUNT(DISTINCT date) AS TEXT) FROM {TABLE} WHERE conversions IS NOT NULL"
        ))
        .await;
    assert_eq!(filled, i64::from(adsterra_sync::DEFAULT_REVISE_DAYS));
}

#[tokio::test]
async fn bad_options_are_refused_before_anything_is_written() {
    let sandbox = sandbox("").await;
    let client = client(sandbox.base_url(), sandbox.token(), fast_retries(0));
    let database = TestDatabase::new(Kind::Sqlite, "bad_options").await;
    let mut db = Database::open(&database.url).await.unwrap();
    let tomorrow = today() + Days::new(1);
    let error = SyncJob::new(&client, &mut db)
        .until(tomorrow)
        .run()
        .await
        .unwrap_err();
    assert!(error.to_string().starts_with("until: "), "{error}");
    let error = SyncJob::new(&client, &mut db)
        .window_days(0)
        .run()
        .await
        .unwrap_err();
    assert!(error.to_string().starts_with("window_days: "), "{error}");
    assert_eq!(sandbox.requests_seen(), 0);
    let error = Database::open("mysql://localhost/stats").await.unwrap_err();
    assert!(error.to_string().contains("sqlite://PATH"), "{error}");
}

#[tokio::test]
async fn a_database_password_is_never_shown() {
    // Nothing listens on port 1: the connection fails, and neither the error nor the
    // database's description repeats the password.
    let url = "postgres://reporter:hunter2-secret@127.0.0.1:1/stats?connect_timeout=2";
    let error = tokio::time::timeout(Duration::from_secs(30), Database::open(url))
        .await
        .expect("the connection fails fast")
        .unwrap_err();
    let shown = format!("{error} {error:?}");
    assert!(!shown.contains("hunter2"), "{shown}");
    assert!(shown.contains("PostgreSQL"), "{shown}");

    let server = adsterra_tests::databases::postgres_server();
    let database = Database::open(&format!("{server} password=hunter2-secret"))
        .await
        .unwrap();
    let shown = format!("{database} {database:?}");
    assert!(
        !shown.contains("hunter2") && shown.starts_with("postgres "),
        "{shown}"
    );
}

async fn the_date_alone_is_a_grain_too(kind: Kind) {
    // The date is the whole key: a day's one row is told apart by nothing else.
    let (_sandbox, client, database) = setup(kind, "date_grain", "").await;
    let mut db = Database::open(&database.url).await.unwrap();
    let since = days_ago(20);
    let first = SyncJob::new(&client, &mut db)
        .since(since)
        .run()
        .await
        .unwrap();
    assert_eq!(first.table, "stats_by_date");
    assert_eq!((first.days, first.inserted), (21, 21));
    let again = SyncJob::new(&client, &mut db).run().await.unwrap();
    assert_eq!((again.changes(), again.unchanged), (0, 3), "{again}");
    let stored = database
        .number("SELECT CAST(CAST(ROUND(SUM(spent) * 1000) AS BIGINT) AS TEXT) FROM stats_by_date")
        .await;
    let direct: i64 = direct(&client, since, today())
        .await
        .iter()
        .map(|day| day[4].parse::<i64>().unwrap())
        .sum();
    assert_eq!(stored, direct);
}
