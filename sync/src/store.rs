//! The database: SQLite (a file, no server) or PostgreSQL, opened from a URL, behind one trait
//! ([`Store`]) that both backends implement; the SQL they share is written here once, in their
//! [`Dialect`]. Each backend writes a day in one transaction, with the day's place in
//! `sync_state`, so a sync that dies loses at most the day it was writing. The backends hold
//! the driver calls only; what to run and how to count a day's changes lives here.
//!
//! Besides the stats tables and `campaigns`, two tables of its own: `sync_state` (per stats
//! table, the days it holds, first to last with no gap) and `sync_runs` (one row per run, its
//! host, pid, status and figures; `finished_at` stays empty for a run that did not finish; see
//! [`runs`], which also keeps a table to one run at a time). How each column is stored, and
//! how an existing table is brought up to date, is [`migration`]'s.

mod migration;
mod postgres;
mod runs;
mod sqlite;

use std::collections::HashSet;
use std::fmt;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use futures::future::BoxFuture;

use self::migration::{Existing, column_list, migration, stored_name};
pub use self::runs::RunningSync;
use self::runs::{RunFigures, run_figures};
use crate::cell::Cell;
use crate::schema::{DATE, Table};
use crate::{Summary, SyncError};

/// How often a run that waits for a table's lock tries again.
const LOCK_POLL: Duration = Duration::from_millis(250);

/// A database to keep up to date. Its `Debug` and `Display` never show a password.
pub struct Database {
    store: Box<dyn Store>,
    /// Where it is, without a password: `sqlite stats.db`, `postgres db.example.com/ads`.
    place: String,
    /// The statements that brought the sync's own tables up to date when it was opened, for
    /// the next run's summary to report.
    pub(crate) upgrades: Vec<String>,
}

/// What an answer of a [`Store`] is: a future that may run while the caller does other work.
type Answer<'a, T> = BoxFuture<'a, Result<T, SyncError>>;

/// What the sync asks of a database, implemented once per backend (`sqlite.rs`, `postgres.rs`);
/// the SQL both share is written here, in their [`Dialect`].
///
/// Crate-private: its rows are the sync's own [`Cell`]s and its calls the sync's bookkeeping
/// (`sync_state`, `sync_runs`), so a third backend is a change to this crate, not a plug-in.
/// Futures are boxed so that [`Database`] holds either backend as one `dyn Store`.
trait Store: Send {
    /// The SQL it speaks.
    fn dialect(&self) -> Dialect;

    /// The columns of `table` (generated ones too), none when there is no such table.
    fn columns<'a>(&'a mut self, table: &'a str) -> Answer<'a, Vec<Existing>>;

    /// Runs one statement that returns nothing (a migration).
    fn execute<'a>(&'a mut self, sql: &'a str) -> Answer<'a, ()>;

    /// The days `table` holds, first and last, from `sync_state`.
    fn synced_days<'a>(&'a mut self, table: &'a str) -> Answer<'a, Option<(NaiveDate, NaiveDate)>>;

    /// See [`Database::write_day`].
    fn write_day<'a>(
        &'a mut self,
        table: &'a Table,
        day: NaiveDate,
        rows: &'a [Vec<Cell>],
        synced: (NaiveDate, NaiveDate),
    ) -> Answer<'a, DayCounts>;

    /// Adds a row to `sync_runs` ([`runs::start_sql`]), for this host and process; returns
    /// its number.
    fn start_run<'a>(&'a mut self, table: &'a str, started_at: &'a str) -> Answer<'a, i64>;

    /// Takes `table`'s lock when no other run holds it (see [`runs`]); true when taken, or
    /// already held by this database.
    fn try_lock<'a>(&'a mut self, table: &'a str) -> Answer<'a, bool>;

    /// Lets `table`'s lock go.
    fn unlock<'a>(&'a mut self, table: &'a str) -> Answer<'a, ()>;

    /// [`runs::unfinished_sql`]: the runs of `table` with no `finished_at`, newest first.
    fn unfinished<'a>(&'a mut self, table: &'a str) -> Answer<'a, Vec<RunningSync>>;

    /// [`runs::mark_died_sql`]: marks them died; returns their numbers.
    fn mark_died<'a>(&'a mut self, table: &'a str) -> Answer<'a, Vec<i64>>;

    /// Upserts `rows` into `table`, in one transaction.
    fn insert<'a>(&'a mut self, table: &'a Table, rows: &'a [Vec<Cell>]) -> Answer<'a, ()>;

    /// Runs [`runs::finish_sql`] with `figures`' values, then `run`.
    fn finish_run(&mut self, figures: RunFigures, run: i64) -> Answer<'_, ()>;
}

impl fmt::Debug for Database {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Database").field(&self.place).finish()
    }
}

impl fmt::Display for Database {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.place)
    }
}

/// What writing one day changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct DayCounts {
    /// Rows the answer gave for the day.
    pub rows: u64,
    /// Rows new to the database.
    pub inserted: u64,
    /// Rows whose values changed.
    pub updated: u64,
    /// Rows already there with the same values.
    pub unchanged: u64,
    /// Rows of the day the answer no longer has.
    pub deleted: u64,
}

impl Database {
    /// Opens (creating it if need be) the database at `url`: `sqlite://PATH` (a file; relative
    /// to the working folder, or `sqlite:///absolute/path`) or `postgres://USER@HOST/DB`
    /// (any URL or key=value form that PostgreSQL's libpq takes, such as
    /// `postgres://me@/stats?host=/run/postgresql` for a local socket; the password from the
    /// URL, else from `PGPASSWORD`). TLS as libpq's `sslmode` and `sslrootcert` say, such as
    /// `postgres://me@db.example.com/ads?sslmode=verify-full` for a managed server whose
    /// certificate a public CA signed (the platform's roots), or with
    /// `&sslrootcert=/path/ca.pem` for a CA of its own; the default is `prefer`, as libpq's.
    ///
    /// Call it, and the sync, within a Tokio runtime: SQLite's calls run on the runtime's
    /// blocking threads, never on the thread that polls the sync.
    pub async fn open(url: &str) -> Result<Self, SyncError> {
        if let Some(path) = url.strip_prefix("sqlite://") {
            if path.is_empty() {
                return Err(SyncError::invalid(
                    "db",
                    "sqlite:// needs a file, such as sqlite://stats.db",
                ));
            }
            let store = sqlite::Sqlite::open(path).await?;
            return Self::prepare(Box::new(store), format!("sqlite {path}")).await;
        }
        if url.starts_with("postgres://")
            || url.starts_with("postgresql://")
            || url.contains("host=")
        {
            let (store, place) = postgres::Postgres::connect(url).await?;
            return Self::prepare(Box::new(store), place).await;
        }
        Err(SyncError::invalid(
            "db",
            "must be sqlite://PATH or postgres://USER@HOST/DATABASE",
        ))
    }

    /// The database, with the sync's own tables made or brought up to date.
    async fn prepare(mut store: Box<dyn Store>, place: String) -> Result<Self, SyncError> {
        for statement in runs::bookkeeping(store.dialect()) {
            store.execute(&statement).await?;
        }
        let names: Vec<String> = (store.columns("sync_runs").await?.into_iter())
            .map(|column| column.name)
            .collect();
        let upgrades = runs::upgrade(&names);
        for statement in &upgrades {
            store.execute(statement).await?;
        }
        Ok(Self {
            store,
            place,
            upgrades,
        })
    }

    /// Takes `table`'s lock, waiting up to `wait` for a run that holds it, then marks the runs
    /// of `table` that died (unfinished, their lock gone with their process); returns them.
    pub(crate) async fn lock(
        &mut self,
        table: &Table,
        wait: Duration,
    ) -> Result<Vec<i64>, SyncError> {
        self.wait_for_lock(table, wait).await?;
        self.store.mark_died(&table.name).await
    }

    /// Brings `table`, which runs of every grain write (the campaigns), to the spec under its
    /// lock, so that two runs that start together do not both create or alter it.
    pub(crate) async fn migrate_shared(&mut self, table: &Table) -> Result<Vec<String>, SyncError> {
        // Another run holds it for its own migration only: moments.
        self.wait_for_lock(table, Duration::from_secs(60)).await?;
        let migrated = self.migrate(table).await;
        self.unlock(table).await?;
        migrated
    }

    /// Takes `table`'s lock, waiting up to `wait` for whoever holds it.
    async fn wait_for_lock(&mut self, table: &Table, wait: Duration) -> Result<(), SyncError> {
        let deadline = Instant::now() + wait;
        while !self.store.try_lock(&table.name).await? {
            let now = Instant::now();
            if now >= deadline {
                let running = self.store.unfinished(&table.name).await?;
                return Err(SyncError::Busy {
                    table: table.name.clone(),
                    running: running.into_iter().next(),
                    waited: wait,
                });
            }
            tokio::time::sleep(LOCK_POLL.min(deadline - now)).await;
        }
        Ok(())
    }

    /// Lets `table`'s lock go.
    pub(crate) async fn unlock(&mut self, table: &Table) -> Result<(), SyncError> {
        self.store.unlock(&table.name).await
    }

    /// Creates `table`, or adds the columns the spec has and it lacks. Returns the statements
    /// it ran (none when the table is up to date).
    pub(crate) async fn migrate(&mut self, table: &Table) -> Result<Vec<String>, SyncError> {
        let existing = self.store.columns(&table.name).await?;
        let statements = migration(self.store.dialect(), table, &existing)?;
        for statement in &statements {
            self.store.execute(statement).await?;
        }
        Ok(statements)
    }

    /// The days `table` holds, first and last, when it holds any.
    pub(crate) async fn synced_days(
        &mut self,
        table: &Table,
    ) -> Result<Option<(NaiveDate, NaiveDate)>, SyncError> {
        self.store.synced_days(&table.name).await
    }

    /// Makes `day` of `table` hold exactly `rows` (upserted on the key, the day's other rows
    /// deleted), and records that the table now holds `synced`, in one transaction. Rows must
    /// be of that day, with distinct keys.
    pub(crate) async fn write_day(
        &mut self,
        table: &Table,
        day: NaiveDate,
        rows: &[Vec<Cell>],
        synced: (NaiveDate, NaiveDate),
    ) -> Result<DayCounts, SyncError> {
        self.store.write_day(table, day, rows, synced).await
    }

    /// Records a run's start; returns its number.
    pub(crate) async fn start_run(
        &mut self,
        table: &Table,
        started_at: &str,
    ) -> Result<i64, SyncError> {
        self.store.start_run(&table.name, started_at).await
    }

    /// Stores the run's campaigns (rows keyed by run and id).
    pub(crate) async fn snapshot(
        &mut self,
        table: &Table,
        rows: &[Vec<Cell>],
    ) -> Result<(), SyncError> {
        self.store.insert(table, rows).await
    }

    /// Records a run's end and figures.
    pub(crate) async fn finish_run(
        &mut self,
        summary: &Summary,
        finished_at: &str,
    ) -> Result<(), SyncError> {
        let figures = run_figures(summary, finished_at);
        self.store.finish_run(figures, summary.run).await
    }
}

/// The SQL spoken by a backend, where the two differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dialect {
    Sqlite,
    Postgres,
}

impl Dialect {
    /// The `n`th (from 1) bound parameter, for statements that bind a row's cells in column
    /// order (where the position is the name, and a lookup by name per cell would cost).
    fn parameter(self, n: usize) -> String {
        match self {
            Dialect::Sqlite => format!("?{n}"),
            Dialect::Postgres => format!("${n}"),
        }
    }

    /// The parameter `name`, the `n`th (from 1): SQLite binds it by its name (`:name`);
    /// tokio-postgres knows only positions (`$n`).
    fn named(self, name: &str, n: usize) -> String {
        match self {
            Dialect::Sqlite => format!(":{name}"),
            Dialect::Postgres => format!("${n}"),
        }
    }
}

/// `"name"`: every table and column name is quoted, so a property named like a keyword
/// (`format`) is still a column.
pub(crate) fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// Where a stats row's key columns other than the date are: what tells a day's rows apart.
fn other_key_positions(table: &Table) -> Vec<usize> {
    (table.columns.iter().enumerate())
        .filter(|(_, column)| column.key && column.name != crate::schema::DATE)
        .map(|(i, _)| i)
        .collect()
}

/// The statements a day's write runs besides the upsert, in one dialect.
struct DaySql {
    /// The key columns other than the date of the day's rows (`NULL` when the date is the key).
    select_keys: String,
    /// Deletes one row of the day by its key: the date, then the other key columns.
    delete_row: String,
    /// Records the days the table holds (`:stats_table`, `:first_day`, `:last_day`).
    save_state: String,
}

impl DaySql {
    fn new(dialect: Dialect, table: &Table) -> Self {
        let positions = other_key_positions(table);
        let others = positions.iter().map(|&i| &table.columns[i]);
        let select = if positions.is_empty() {
            "NULL".to_owned()
        } else {
            column_list(dialect, others.clone())
        };
        let conditions: Vec<String> = std::iter::once(DATE)
            .chain(others.map(|column| column.name.as_str()))
            .enumerate()
            .map(|(i, name)| format!("{} = {}", quoted(name), dialect.parameter(i + 1)))
            .collect();
        Self {
            select_keys: format!(
                "SELECT {select} FROM {} WHERE {} = {}",
                quoted(&table.name),
                quoted(DATE),
                dialect.parameter(1)
            ),
            delete_row: format!(
                "DELETE FROM {} WHERE {}",
                quoted(&table.name),
                conditions.join(" AND ")
            ),
            save_state: format!(
                "INSERT INTO sync_state (stats_table, first_day, last_day) \
                 VALUES ({}, {}, {}) ON CONFLICT (stats_table) DO UPDATE SET \
                 first_day = excluded.first_day, last_day = excluded.last_day",
                dialect.named("stats_table", 1),
                dialect.named("first_day", 2),
                dialect.named("last_day", 3)
            ),
        }
    }
}

/// Counts a day's rows against the keys it held: each row's key leaves `existing`, so what is
/// left there is to delete; a key that was not there is a row inserted.
fn day_counts(table: &Table, rows: &[Vec<Cell>], existing: &mut HashSet<Vec<Cell>>) -> DayCounts {
    let positions = other_key_positions(table);
    let key =
        |row: &Vec<Cell>| -> Vec<Cell> { positions.iter().map(|&i| row[i].clone()).collect() };
    let inserted = rows
        .iter()
        .filter(|row| !existing.remove(&key(row)))
        .count();
    DayCounts {
        rows: rows.len() as u64,
        inserted: inserted as u64,
        ..DayCounts::default()
    }
}

impl DayCounts {
    /// Completes the counts once the upsert reported how many rows it `changed` (inserted or
    /// updated) and `deleted` rows went.
    fn settle(mut self, changed: u64, deleted: u64) -> Self {
        self.updated = changed - self.inserted;
        self.unchanged = self.rows - changed;
        self.deleted = deleted;
        self
    }
}

/// The upsert's `DO UPDATE`: the values are replaced only where one differs, so a row that did
/// not change counts as unchanged (and is not rewritten).
fn on_conflict(dialect: Dialect, table: &Table) -> String {
    let distinct = match dialect {
        Dialect::Sqlite => "IS NOT",
        Dialect::Postgres => "IS DISTINCT FROM",
    };
    let set: Vec<String> = table
        .values()
        .map(|c| format!("{0} = excluded.{0}", quoted(&stored_name(dialect, c))))
        .collect();
    let changed: Vec<String> = table
        .values()
        .map(|c| {
            format!(
                "t.{0} {distinct} excluded.{0}",
                quoted(&stored_name(dialect, c))
            )
        })
        .collect();
    if set.is_empty() {
        return format!(
            "ON CONFLICT ({}) DO NOTHING",
            column_list(dialect, table.key())
        );
    }
    format!(
        "ON CONFLICT ({}) DO UPDATE SET {} WHERE {}",
        column_list(dialect, table.key()),
        set.join(", "),
        changed.join(" OR ")
    )
}

#[cfg(test)]
mod tests {
    /// A service runs a sync as a task of its own (`tokio::spawn`): the sync's future, which
    /// holds the database and its backend, must be `Send`. Checked when the tests compile.
    #[allow(dead_code)]
    fn a_sync_can_be_spawned(job: crate::SyncJob<'static>) -> impl Future + Send {
        job.run()
    }
}
