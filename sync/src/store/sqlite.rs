//! SQLite, through rusqlite: one file, no server. A call blocks for the length of a statement
//! or a day's transaction, so every call runs on the runtime's blocking threads
//! ([`tokio::task::spawn_blocking`]): a service that runs a sync beside its own tasks is not
//! stalled by SQLite's disk I/O on the threads that poll them.

use std::collections::{HashMap, HashSet};
use std::fs::{File, TryLockError};
use std::sync::{Arc, Mutex, PoisonError};

use chrono::NaiveDate;
use rusqlite::types::{ToSqlOutput, Value, ValueRef};
use rusqlite::{
    Connection, OptionalExtension, ToSql, Transaction, TransactionBehavior, named_params,
    params_from_iter,
};

use super::migration::{Existing, column_list};
use super::runs::{self, RunFigures};
use super::{
    Answer, DayCounts, DaySql, Dialect, RunningSync, Store, day_counts, on_conflict,
    other_key_positions, quoted,
};
use crate::SyncError;
use crate::cell::Cell;
use crate::schema::Table;

pub(super) struct Sqlite {
    /// Shared with the blocking call that uses it. The lock is held for one call: a call whose
    /// future was dropped still runs to its end (a day's transaction commits or rolls back
    /// whole), and the next call waits for it.
    connection: Arc<Mutex<Connection>>,
    /// The database file, whose name the tables' lock files extend.
    path: String,
    /// The lock files held, by table (see [`runs`]): locked while open.
    locks: HashMap<String, File>,
}

impl Sqlite {
    pub(super) async fn open(path: &str) -> Result<Self, SyncError> {
        let file = path.to_owned();
        let connection = blocking(move || {
            let connection = Connection::open(file)?;
            // First: a run of another table may be writing (its transactions are a day long).
            connection.busy_timeout(std::time::Duration::from_secs(30))?;
            // Write-ahead logging: readers (a dashboard) never block the sync, and a commit is
            // one sequential append. NORMAL is durable across a crash of the program, which is
            // the failure a sync must survive.
            connection.pragma_update(None, "journal_mode", "WAL")?;
            connection.pragma_update(None, "synchronous", "NORMAL")?;
            Ok(connection)
        })
        .await?;
        Ok(Self {
            connection: Arc::new(Mutex::new(connection)),
            path: path.to_owned(),
            locks: HashMap::new(),
        })
    }

    /// Runs `work` on the connection, on a blocking thread.
    fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut Connection) -> Result<T, SyncError> + Send + 'static,
    ) -> Answer<'static, T> {
        let connection = Arc::clone(&self.connection);
        Box::pin(blocking(move || {
            // A panic mid-call leaves no half state: rusqlite rolls an open transaction back
            // when it is dropped.
            let mut connection = connection.lock().unwrap_or_else(PoisonError::into_inner);
            work(&mut connection)
        }))
    }
}

/// `work`'s result, `work` run on one of the runtime's blocking threads.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, SyncError> + Send + 'static,
) -> Result<T, SyncError> {
    match tokio::task::spawn_blocking(work).await {
        Ok(result) => result,
        Err(error) if error.is_panic() => std::panic::resume_unwind(error.into_panic()),
        // The runtime shut down before the call started: nothing was written.
        Err(_) => Err(SyncError::Sqlite(rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_INTERRUPT),
            Some("the runtime shut down before the call ran".to_owned()),
        ))),
    }
}

impl Store for Sqlite {
    fn dialect(&self) -> Dialect {
        Dialect::Sqlite
    }

    fn columns<'a>(&'a mut self, table: &'a str) -> Answer<'a, Vec<Existing>> {
        let table = table.to_owned();
        self.run(move |connection| {
            // `table_xinfo`: generated columns too.
            let mut statement =
                connection.prepare("SELECT name, lower(type) FROM pragma_table_xinfo(:table)")?;
            let columns = statement
                .query_map(named_params! {":table": table}, |row| {
                    Ok(Existing {
                        name: row.get(0)?,
                        sql_type: row.get(1)?,
                    })
                })?
                .collect::<Result<_, _>>()?;
            Ok(columns)
        })
    }

    fn execute<'a>(&'a mut self, sql: &'a str) -> Answer<'a, ()> {
        let sql = sql.to_owned();
        self.run(move |connection| Ok(connection.execute_batch(&sql)?))
    }

    fn synced_days<'a>(&'a mut self, table: &'a str) -> Answer<'a, Option<(NaiveDate, NaiveDate)>> {
        let table = table.to_owned();
        self.run(move |connection| {
            let days: Option<(String, String)> = connection
                .query_row(
                    "SELECT first_day, last_day FROM sync_state WHERE stats_table = :stats_table",
                    named_params! {":stats_table": table},
                    |row| Ok((row.get(0)?, row.get(1)?)),
                )
                .optional()?;
            days.map(|(first, last)| Ok((day(&first)?, day(&last)?)))
                .transpose()
        })
    }

    fn write_day<'a>(
        &'a mut self,
        table: &'a Table,
        day: NaiveDate,
        rows: &'a [Vec<Cell>],
        (first, last): (NaiveDate, NaiveDate),
    ) -> Answer<'a, DayCounts> {
        let (table, rows) = (table.clone(), rows.to_vec());
        self.run(move |connection| {
            let sql = DaySql::new(Dialect::Sqlite, &table);
            let transaction = write(connection)?;
            let mut existing: HashSet<Vec<Cell>> = {
                let mut statement = transaction.prepare_cached(&sql.select_keys)?;
                // Not the statement's column count: the date-only grain selects one NULL.
                let columns = other_key_positions(&table).len();
                statement
                    .query_map([Cell::Date(day)], |row| {
                        (0..columns).map(|i| row.get_ref(i).map(cell)).collect()
                    })?
                    .collect::<Result<_, _>>()?
            };
            let counts = day_counts(&table, &rows, &mut existing);
            let changed = upsert(&transaction, &table, &rows)?;
            let mut deleted = 0;
            {
                let mut delete = transaction.prepare_cached(&sql.delete_row)?;
                let date = Cell::Date(day);
                for key in existing {
                    deleted += delete
                        .execute(params_from_iter(std::iter::once(&date).chain(&key)))?
                        as u64;
                }
            }
            transaction.execute(
                &sql.save_state,
                named_params! {
                    ":stats_table": table.name,
                    ":first_day": Cell::Date(first),
                    ":last_day": Cell::Date(last),
                },
            )?;
            transaction.commit()?;
            Ok(counts.settle(changed, deleted))
        })
    }

    fn start_run<'a>(&'a mut self, table: &'a str, started_at: &'a str) -> Answer<'a, i64> {
        let (table, started_at) = (table.to_owned(), started_at.to_owned());
        let (host, pid) = runs::this_process();
        self.run(move |connection| {
            Ok(connection.query_row(
                &runs::start_sql(Dialect::Sqlite),
                named_params! {
                    ":stats_table": table, ":started_at": started_at, ":host": host, ":pid": pid,
                },
                |row| row.get(0),
            )?)
        })
    }

    // The lock file is opened and tried without waiting: no call here blocks.
    fn try_lock<'a>(&'a mut self, table: &'a str) -> Answer<'a, bool> {
        let taken = match self.locks.contains_key(table) {
            true => Ok(true),
            false => {
                let file = format!("{}.{table}.lock", self.path);
                let opened = (File::options().create(true).truncate(false).write(true)).open(&file);
                match opened.map(|lock| (lock.try_lock(), lock)) {
                    Ok((Ok(()), lock)) => {
                        self.locks.insert(table.to_owned(), lock);
                        Ok(true)
                    }
                    Ok((Err(TryLockError::WouldBlock), _)) => Ok(false),
                    Ok((Err(TryLockError::Error(error)), _)) | Err(error) => Err(
                        SyncError::invalid("db", format!("cannot lock {file}: {error}")),
                    ),
                }
            }
        };
        Box::pin(std::future::ready(taken))
    }

    fn unlock<'a>(&'a mut self, table: &'a str) -> Answer<'a, ()> {
        // Closing the file lets the lock go.
        self.locks.remove(table);
        Box::pin(std::future::ready(Ok(())))
    }

    fn unfinished<'a>(&'a mut self, table: &'a str) -> Answer<'a, Vec<RunningSync>> {
        let table = table.to_owned();
        self.run(move |connection| {
            let mut statement = connection.prepare(&runs::unfinished_sql(Dialect::Sqlite))?;
            let runs = statement
                .query_map(named_params! {":stats_table": table}, |row| {
                    Ok(RunningSync {
                        run: row.get(0)?,
                        started_at: row.get(1)?,
                        host: row.get(2)?,
                        pid: row.get(3)?,
                    })
                })?
                .collect::<Result<_, _>>()?;
            Ok(runs)
        })
    }

    fn mark_died<'a>(&'a mut self, table: &'a str) -> Answer<'a, Vec<i64>> {
        let table = table.to_owned();
        self.run(move |connection| {
            let mut statement = connection.prepare(&runs::mark_died_sql(Dialect::Sqlite))?;
            let died = statement
                .query_map(named_params! {":stats_table": table}, |row| row.get(0))?
                .collect::<Result<_, _>>()?;
            Ok(died)
        })
    }

    fn insert<'a>(&'a mut self, table: &'a Table, rows: &'a [Vec<Cell>]) -> Answer<'a, ()> {
        let (table, rows) = (table.clone(), rows.to_vec());
        self.run(move |connection| {
            let transaction = write(connection)?;
            upsert(&transaction, &table, &rows)?;
            transaction.commit()?;
            Ok(())
        })
    }

    fn finish_run(&mut self, figures: RunFigures, run: i64) -> Answer<'_, ()> {
        self.run(move |connection| {
            let names: Vec<String> = figures.iter().map(|(name, _)| format!(":{name}")).collect();
            let run = Cell::Integer(run);
            let parameters: Vec<(&str, &dyn ToSql)> = (names.iter().map(String::as_str))
                .zip(figures.iter().map(|(_, cell)| cell as &dyn ToSql))
                .chain([(":run", &run as &dyn ToSql)])
                .collect();
            connection.execute(
                &runs::finish_sql(Dialect::Sqlite, &figures),
                parameters.as_slice(),
            )?;
            Ok(())
        })
    }
}

/// A transaction that holds the write lock from its start, so that the busy timeout covers
/// waiting for another writer (a transaction that read first and then finds the lock taken
/// fails at once, without waiting).
fn write(connection: &mut Connection) -> Result<Transaction<'_>, SyncError> {
    Ok(connection.transaction_with_behavior(TransactionBehavior::Immediate)?)
}

/// Upserts `rows`, one statement per row; returns how many rows it inserted or changed.
fn upsert(connection: &Connection, table: &Table, rows: &[Vec<Cell>]) -> Result<u64, SyncError> {
    let parameters: Vec<String> = (1..=table.columns.len())
        .map(|n| Dialect::Sqlite.parameter(n))
        .collect();
    let sql = format!(
        "INSERT INTO {} AS t ({}) VALUES ({}) {}",
        quoted(&table.name),
        column_list(Dialect::Sqlite, table.columns.iter()),
        parameters.join(", "),
        on_conflict(Dialect::Sqlite, table)
    );
    let mut upsert = connection.prepare_cached(&sql)?;
    let mut changed = 0;
    for row in rows {
        changed += upsert.execute(params_from_iter(row))? as u64;
    }
    Ok(changed)
}

fn day(text: &str) -> Result<NaiveDate, SyncError> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_err(|_| SyncError::Schema(format!("sync_state holds {text:?}, which is not a day")))
}

/// A key value as read back.
fn cell(value: ValueRef<'_>) -> Cell {
    match value {
        ValueRef::Null => Cell::Null,
        ValueRef::Integer(value) => Cell::Integer(value),
        ValueRef::Real(value) => Cell::Real(value),
        ValueRef::Text(text) | ValueRef::Blob(text) => {
            Cell::Text(String::from_utf8_lossy(text).into_owned())
        }
    }
}

impl ToSql for Cell {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match self {
            Cell::Null => ToSqlOutput::Owned(Value::Null),
            Cell::Integer(value) => ToSqlOutput::Owned(Value::Integer(*value)),
            Cell::Real(value) => ToSqlOutput::Owned(Value::Real(*value)),
            Cell::Date(day) => ToSqlOutput::Owned(Value::Text(day.format("%Y-%m-%d").to_string())),
            Cell::Text(text) => ToSqlOutput::Borrowed(ValueRef::Text(text.as_bytes())),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::{ColumnType, DATE, Schema};
    use crate::store::Database;

    /// Each day's write finds the write lock taken, and only another task of the same
    /// one-thread runtime lets it go. Were SQLite called on the runtime's thread, that task
    /// could never run while the write waits: the write would give up after the busy timeout
    /// with "database is locked", and the test fail.
    #[tokio::test(flavor = "current_thread")]
    async fn sqlite_work_leaves_the_runtime_free() {
        let folder = std::env::temp_dir().join(format!(
            "adsterra-sync-blocking-{}-{:?}",
            std::process::id(),
            std::thread::current().id()
        ));
        std::fs::create_dir_all(&folder).unwrap();
        let path = folder.join("stats.db");
        let mut database = Database::open(&format!("sqlite://{}", path.display()))
            .await
            .unwrap();
        let table = Schema::current(&["campaign"]).unwrap().stats;
        database.migrate(&table).await.unwrap();

        let mut lock = Connection::open(&path).unwrap();
        let first = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        let days: Vec<NaiveDate> = first.iter_days().take(30).collect();
        let mut progress = 0;
        for &day in &days {
            lock.execute_batch("BEGIN IMMEDIATE").unwrap();
            let release = tokio::spawn(async move {
                lock.execute_batch("COMMIT").unwrap();
                lock
            });
            let rows: Vec<Vec<Cell>> = (0..50).map(|n| row(&table, day, n)).collect();
            let counts = database
                .write_day(&table, day, &rows, (first, day))
                .await
                .expect("the task that releases the lock ran while SQLite waited for it");
            assert_eq!(counts.inserted, 50);
            lock = release.await.unwrap();
            progress += 1;
        }
        assert_eq!(progress, days.len());
        assert_eq!(
            database.synced_days(&table).await.unwrap(),
            Some((first, days[days.len() - 1]))
        );
        let stored: i64 = lock
            .query_row(
                &format!("SELECT count(*) FROM {}", quoted(&table.name)),
                [],
                |row| row.get(0),
            )
            .unwrap();
        assert_eq!(stored, 50 * days.len() as i64);
        drop((database, lock));
        std::fs::remove_dir_all(&folder).unwrap();
    }

    /// A row of `day` whose every other cell is `n` (so the keys differ by `n`).
    fn row(table: &Table, day: NaiveDate, n: i64) -> Vec<Cell> {
        (table.columns.iter())
            .map(|column| match column.kind {
                _ if column.name == DATE => Cell::Date(day),
                ColumnType::Integer | ColumnType::Decimal { .. } => Cell::Integer(n),
                ColumnType::Real => Cell::Real(n as f64),
                ColumnType::Date => Cell::Date(day),
                ColumnType::Text | ColumnType::Json => Cell::Text(n.to_string()),
            })
            .collect()
    }
}
