//! What a run did, for people (one line) and scripts (JSON).

use std::fmt;

use chrono::NaiveDate;
use serde::Serialize;

/// The figures of one run.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Summary {
    /// The run's number in `sync_runs`.
    pub run: i64,
    /// The stats table written.
    pub table: String,
    /// The days the table holds after the run, first and last (none before its first day).
    pub first_day: Option<NaiveDate>,
    /// See `first_day`.
    pub last_day: Option<NaiveDate>,
    /// Days fetched and written.
    pub days: u64,
    /// Rows the answers gave.
    pub rows: u64,
    /// Rows new to the database.
    pub inserted: u64,
    /// Rows whose values changed (a corrected day).
    pub updated: u64,
    /// Rows already there with the same values.
    pub unchanged: u64,
    /// Rows of a fetched day that the answer no longer had.
    pub deleted: u64,
    /// HTTP requests sent to the API, each retry counted.
    pub requests: u64,
    /// Campaigns stored in this run's snapshot.
    pub campaigns: u64,
    /// The statements that brought the tables to the spec, in order (none when they were).
    pub migrations: Vec<String>,
    /// Earlier runs of the table found unfinished with no process left to finish them (killed,
    /// or their connection lost), marked `died` in `sync_runs` by this run.
    pub died: Vec<i64>,
    /// Wall time of the run, in seconds.
    pub elapsed_seconds: f64,
}

impl Summary {
    /// Rows inserted, updated or deleted: 0 when the database already held every answer.
    pub fn changes(&self) -> u64 {
        self.inserted + self.updated + self.deleted
    }
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "synced {} days into {}: {} rows, {} changes ({} inserted, {} updated, {} deleted), \
             {} unchanged; {} campaigns; {} requests; {:.1} s",
            self.days,
            self.table,
            self.rows,
            self.changes(),
            self.inserted,
            self.updated,
            self.deleted,
            self.unchanged,
            self.campaigns,
            self.requests,
            self.elapsed_seconds
        )
    }
}
