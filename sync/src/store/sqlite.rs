//! SQLite, through rusqlite: one file, no server. Calls block for the length of a statement or
//! a day's transaction (milliseconds), which the async sync tolerates.

use std::collections::HashSet;

use chrono::NaiveDate;
use rusqlite::types::{ToSqlOutput, Value, ValueRef};
use rusqlite::{Connection, OptionalExtension, ToSql, params, params_from_iter};

use super::{
    DayCounts, DaySql, Dialect, FINISH_RUN, bookkeeping, column_list, day_counts, on_conflict,
    other_key_positions, quoted, with_parameters,
};
use crate::SyncError;
use crate::cell::Cell;
use crate::schema::Table;

pub(super) struct Sqlite {
    connection: Connection,
}

impl Sqlite {
    pub(super) fn open(path: &str) -> Result<Self, SyncError> {
        let connection = Connection::open(path)?;
        // Write-ahead logging: readers (a dashboard) never block the sync, and a commit is one
        // sequential append. NORMAL is durable across a crash of the program, which is the
        // failure a sync must survive.
        connection.pragma_update(None, "journal_mode", "WAL")?;
        connection.pragma_update(None, "synchronous", "NORMAL")?;
        connection.busy_timeout(std::time::Duration::from_secs(30))?;
        for statement in bookkeeping(Dialect::Sqlite) {
            connection.execute(&statement, [])?;
        }
        Ok(Self { connection })
    }

    pub(super) fn columns(&self, table: &str) -> Result<Vec<String>, SyncError> {
        let mut statement = self
            .connection
            .prepare("SELECT name FROM pragma_table_info(?1)")?;
        let names = statement
            .query_map([table], |row| row.get(0))?
            .collect::<Result<_, _>>()?;
        Ok(names)
    }

    pub(super) fn execute(&self, sql: &str) -> Result<(), SyncError> {
        self.connection.execute_batch(sql)?;
        Ok(())
    }

    pub(super) fn synced_days(
        &self,
        table: &str,
    ) -> Result<Option<(NaiveDate, NaiveDate)>, SyncError> {
        let days: Option<(String, String)> = self
            .connection
            .query_row(
                "SELECT first_day, last_day FROM sync_state WHERE stats_table = ?1",
                [table],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .optional()?;
        days.map(|(first, last)| Ok((day(&first)?, day(&last)?)))
            .transpose()
    }

    pub(super) fn write_day(
        &mut self,
        table: &Table,
        day: NaiveDate,
        rows: &[Vec<Cell>],
        (first, last): (NaiveDate, NaiveDate),
    ) -> Result<DayCounts, SyncError> {
        let sql = DaySql::new(Dialect::Sqlite, table);
        let transaction = self.connection.transaction()?;
        let mut existing: HashSet<Vec<Cell>> = {
            let mut statement = transaction.prepare_cached(&sql.select_keys)?;
            // Not the statement's column count: the date-only grain selects one NULL.
            let columns = other_key_positions(table).len();
            statement
                .query_map([Cell::Date(day)], |row| {
                    (0..columns).map(|i| row.get_ref(i).map(cell)).collect()
                })?
                .collect::<Result<_, _>>()?
        };
        let counts = day_counts(table, rows, &mut existing);
        let mut changed = 0;
        {
            let mut upsert = transaction.prepare_cached(&upsert_sql(table))?;
            for row in rows {
                changed += upsert.execute(params_from_iter(row))? as u64;
            }
        }
        let mut deleted = 0;
        {
            let mut delete = transaction.prepare_cached(&sql.delete_row)?;
            let date = Cell::Date(day);
            for key in existing {
                deleted +=
                    delete.execute(params_from_iter(std::iter::once(&date).chain(&key)))? as u64;
            }
        }
        transaction.execute(
            &sql.save_state,
            params![table.name, Cell::Date(first), Cell::Date(last)],
        )?;
        transaction.commit()?;
        Ok(counts.settle(changed, deleted))
    }

    pub(super) fn start_run(&self, table: &str, started_at: &str) -> Result<i64, SyncError> {
        Ok(self.connection.query_row(
            "INSERT INTO sync_runs (stats_table, started_at) VALUES (?1, ?2) RETURNING run",
            [table, started_at],
            |row| row.get(0),
        )?)
    }

    pub(super) fn insert(&mut self, table: &Table, rows: &[Vec<Cell>]) -> Result<(), SyncError> {
        let transaction = self.connection.transaction()?;
        {
            let mut upsert = transaction.prepare_cached(&upsert_sql(table))?;
            for row in rows {
                upsert.execute(params_from_iter(row))?;
            }
        }
        transaction.commit()?;
        Ok(())
    }

    pub(super) fn finish_run(&self, cells: &[Cell]) -> Result<(), SyncError> {
        self.connection.execute(
            &with_parameters(Dialect::Sqlite, FINISH_RUN),
            params_from_iter(cells),
        )?;
        Ok(())
    }
}

fn upsert_sql(table: &Table) -> String {
    let parameters: Vec<String> = (1..=table.columns.len())
        .map(|n| Dialect::Sqlite.parameter(n))
        .collect();
    format!(
        "INSERT INTO {} AS t ({}) VALUES ({}) {}",
        quoted(&table.name),
        column_list(table.columns.iter()),
        parameters.join(", "),
        on_conflict(Dialect::Sqlite, table)
    )
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
