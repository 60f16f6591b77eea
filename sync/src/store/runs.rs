//! The sync's record of its runs (`sync_runs`), and the lock that keeps two runs off one table.
//!
//! A run takes its table's lock before it writes anything: an advisory lock in PostgreSQL
//! (`pg_try_advisory_lock`, keyed by the table's name) and, in SQLite, a lock on a file beside
//! the database (`stats.db.stats_by_date_campaign.lock`). Both end with the process that holds
//! them, however it ends, so a run that died leaves no lock behind, only its row in `sync_runs`
//! with no `finished_at`; the next run to take the lock marks such rows `died`. Runs of other
//! tables take other locks, and go on side by side.

use std::fmt;

use chrono::NaiveDate;

use super::Dialect;
use crate::Summary;
use crate::cell::Cell;

/// `sync_runs.status` of a run in progress (or one that died before the next run looked).
pub(super) const RUNNING: &str = "running";

/// A run that holds a table, as `sync_runs` has it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RunningSync {
    /// Its number in `sync_runs`.
    pub run: i64,
    /// When it started (RFC 3339).
    pub started_at: String,
    /// The machine it runs on (none for a run of a version that did not record it).
    pub host: Option<String>,
    /// Its process on that machine.
    pub pid: Option<i64>,
}

impl fmt::Display for RunningSync {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "run {}, started {}", self.run, self.started_at)?;
        if let Some(host) = &self.host {
            write!(f, " on {host}")?;
        }
        if let Some(pid) = self.pid {
            write!(f, " (pid {pid})")?;
        }
        Ok(())
    }
}

/// Who starts a run: this machine's name and this process.
pub(super) fn this_process() -> (String, i64) {
    let host = gethostname::gethostname().to_string_lossy().into_owned();
    (host, i64::from(std::process::id()))
}

/// The tables of the sync itself, created when missing.
pub(super) fn bookkeeping(dialect: Dialect) -> [String; 2] {
    let (day, serial) = match dialect {
        Dialect::Sqlite => ("TEXT", "INTEGER PRIMARY KEY"),
        Dialect::Postgres => ("DATE", "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY"),
    };
    [
        format!(
            "CREATE TABLE IF NOT EXISTS sync_state (stats_table TEXT PRIMARY KEY, \
             first_day {day} NOT NULL, last_day {day} NOT NULL)"
        ),
        format!(
            "CREATE TABLE IF NOT EXISTS sync_runs (run {serial}, stats_table TEXT NOT NULL, \
             started_at TEXT NOT NULL, finished_at TEXT, first_day {day}, last_day {day}, \
             days BIGINT, fetched_rows BIGINT, inserted BIGINT, updated BIGINT, unchanged BIGINT, \
             deleted BIGINT, requests BIGINT, campaigns BIGINT, {})",
            ADDED_COLUMNS
                .map(|(name, kind)| format!("{name} {kind}"))
                .join(", ")
        ),
    ]
}

/// `sync_runs` columns added since the first release, which an older database gains.
const ADDED_COLUMNS: [(&str, &str); 3] = [("host", "TEXT"), ("pid", "BIGINT"), ("status", "TEXT")];

/// The statements that bring a `sync_runs` with `existing` columns up to date.
pub(super) fn upgrade(existing: &[String]) -> Vec<String> {
    (ADDED_COLUMNS.iter())
        .filter(|(name, _)| !existing.iter().any(|column| column == name))
        .map(|(name, kind)| format!("ALTER TABLE sync_runs ADD COLUMN {name} {kind}"))
        .collect()
}

/// Adds a run (`stats_table`, `started_at`, `host`, `pid`, in that order) and returns its
/// number.
pub(super) fn start_sql(dialect: Dialect) -> String {
    let names = ["stats_table", "started_at", "host", "pid"];
    let values: Vec<String> = (names.iter().enumerate())
        .map(|(i, name)| dialect.named(name, i + 1))
        .collect();
    format!(
        "INSERT INTO sync_runs ({}, status) VALUES ({}, '{RUNNING}') RETURNING run",
        names.join(", "),
        values.join(", ")
    )
}

/// The unfinished runs of a table (`stats_table`), newest first: `run`, `started_at`,
/// `host`, `pid`.
pub(super) fn unfinished_sql(dialect: Dialect) -> String {
    format!(
        "SELECT run, started_at, host, pid FROM sync_runs WHERE {} ORDER BY run DESC",
        unfinished(dialect)
    )
}

/// Marks the unfinished runs of a table (`stats_table`) as died; returns their numbers.
pub(super) fn mark_died_sql(dialect: Dialect) -> String {
    format!(
        "UPDATE sync_runs SET status = 'died' WHERE {} RETURNING run",
        unfinished(dialect)
    )
}

fn unfinished(dialect: Dialect) -> String {
    format!(
        "stats_table = {} AND finished_at IS NULL AND (status IS NULL OR status = '{RUNNING}')",
        dialect.named("stats_table", 1)
    )
}

/// The key of a table's advisory lock in PostgreSQL, and the name of its lock file in SQLite.
pub(super) fn lock_name(table: &str) -> String {
    format!("adsterra-sync {table}")
}

/// A finished run's `sync_runs` columns and their values.
pub(super) type RunFigures = [(&'static str, Cell); 12];

/// The figures of a run that ends with `summary`.
pub(super) fn run_figures(summary: &Summary, finished_at: &str) -> RunFigures {
    let day = |day: Option<NaiveDate>| day.map_or(Cell::Null, Cell::Date);
    let count = |n: u64| Cell::Integer(i64::try_from(n).unwrap_or(i64::MAX));
    [
        ("finished_at", Cell::Text(finished_at.to_owned())),
        ("status", Cell::Text("finished".to_owned())),
        ("first_day", day(summary.first_day)),
        ("last_day", day(summary.last_day)),
        ("days", count(summary.days)),
        ("fetched_rows", count(summary.rows)),
        ("inserted", count(summary.inserted)),
        ("updated", count(summary.updated)),
        ("unchanged", count(summary.unchanged)),
        ("deleted", count(summary.deleted)),
        ("requests", count(summary.requests)),
        ("campaigns", count(summary.campaigns)),
    ]
}

/// `UPDATE sync_runs SET finished_at = …, … WHERE run = …`: the figures' columns, each bound
/// to a parameter of its name (the run's last).
pub(super) fn finish_sql(dialect: Dialect, figures: &RunFigures) -> String {
    let set: Vec<String> = (figures.iter().enumerate())
        .map(|(i, (name, _))| format!("{name} = {}", dialect.named(name, i + 1)))
        .collect();
    format!(
        "UPDATE sync_runs SET {} WHERE run = {}",
        set.join(", "),
        dialect.named("run", figures.len() + 1)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finishing_a_run_binds_every_parameter_once() {
        let summary = Summary {
            run: 1,
            table: "stats_by_date".to_owned(),
            first_day: None,
            last_day: None,
            days: 0,
            rows: 0,
            inserted: 0,
            updated: 0,
            unchanged: 0,
            deleted: 0,
            requests: 1,
            campaigns: 0,
            migrations: Vec::new(),
            died: Vec::new(),
            elapsed_seconds: 0.0,
        };
        let figures = run_figures(&summary, "now");
        let sql = finish_sql(Dialect::Postgres, &figures);
        assert!(
            sql.contains("$13") && sql.contains("finished_at = $1,"),
            "{sql}"
        );
        assert!(!sql.contains('{'), "{sql}");
        let sql = finish_sql(Dialect::Sqlite, &figures);
        assert!(
            sql.contains("finished_at = :finished_at,") && sql.ends_with("WHERE run = :run"),
            "{sql}"
        );
    }

    #[test]
    fn an_older_sync_runs_gains_the_new_columns_once() {
        let old: Vec<String> = ["run", "stats_table", "started_at", "finished_at"]
            .map(String::from)
            .to_vec();
        assert_eq!(
            upgrade(&old),
            [
                "ALTER TABLE sync_runs ADD COLUMN host TEXT",
                "ALTER TABLE sync_runs ADD COLUMN pid BIGINT",
                "ALTER TABLE sync_runs ADD COLUMN status TEXT"
            ]
        );
        let new: Vec<String> = old
            .iter()
            .cloned()
            .chain(["host", "pid", "status"].map(String::from))
            .collect();
        assert!(upgrade(&new).is_empty());
    }
}
