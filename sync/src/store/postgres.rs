//! PostgreSQL, through tokio-postgres. A day's rows go in one statement: each column travels as
//! one array, and `UNNEST` turns the arrays back into rows, so a day of a thousand rows costs
//! one round trip instead of a thousand.

use std::collections::{HashMap, HashSet};
use std::error::Error as StdError;

use bytes::BytesMut;
use chrono::NaiveDate;
use tokio_postgres::config::{Host, SslMode};
use tokio_postgres::types::{IsNull, ToSql, Type, to_sql_checked};
use tokio_postgres::{Client, Config, GenericClient, NoTls, Row, Statement};

mod tls;

use self::tls::Tls;
use super::migration::{self, Existing, column_list};
use super::runs::{self, RunFigures};
use super::{
    Answer, DayCounts, DaySql, Dialect, RunningSync, Store, day_counts, on_conflict,
    other_key_positions, quoted,
};
use crate::SyncError;
use crate::cell::Cell;
use crate::schema::{ColumnType, Table};

type Parameter = Box<dyn ToSql + Sync + Send>;

pub(super) struct Postgres {
    client: Client,
    /// Statements prepared once per connection, by their SQL.
    prepared: HashMap<String, Statement>,
    /// The tables whose advisory lock this session holds (see [`runs`]); a session that takes
    /// one twice would have to let it go twice.
    locks: HashSet<String>,
}

impl Postgres {
    /// Connects, over TLS as `sslmode` asks (see [`tls`]); returns the connection and where
    /// it is, without the password.
    pub(super) async fn connect(url: &str) -> Result<(Self, String), SyncError> {
        let (url, tls) = Tls::take(url)?;
        let mut config: Config = url.parse().map_err(|error| {
            // The parser's message never repeats the URL, so no password leaks through it.
            SyncError::invalid("db", format!("not a PostgreSQL URL: {error}"))
        })?;
        // As libpq does: a password kept out of the URL (and so out of process lists).
        if config.get_password().is_none()
            && let Ok(password) = std::env::var("PGPASSWORD")
        {
            config.password(password);
        }
        let host = match config.get_hosts().first() {
            Some(Host::Tcp(host)) => host.clone(),
            Some(Host::Unix(path)) => path.display().to_string(),
            None => "localhost".to_owned(),
        };
        let place = format!(
            "postgres {host}/{}",
            config
                .get_dbname()
                .or(config.get_user())
                .unwrap_or("postgres")
        );
        let unix_socket = (config.get_hosts().iter()).all(|host| !matches!(host, Host::Tcp(_)));
        config.ssl_mode(tls.negotiation(unix_socket));
        let client = match config.get_ssl_mode() {
            SslMode::Disable => spawn(config.connect(NoTls).await?),
            _ => spawn(
                (config.connect(tls.connector()?).await)
                    .map_err(|error| refused(&tls, &host, error))?,
            ),
        };
        let postgres = Self {
            client,
            prepared: HashMap::new(),
            locks: HashSet::new(),
        };
        Ok((postgres, place))
    }

    async fn statement(&mut self, sql: String) -> Result<Statement, SyncError> {
        if let Some(statement) = self.prepared.get(&sql) {
            return Ok(statement.clone());
        }
        let statement = self.client.prepare(&sql).await?;
        self.prepared.insert(sql, statement.clone());
        Ok(statement)
    }
}

/// The client, its connection driven by a task of its own.
fn spawn<C>((client, connection): (Client, C)) -> Client
where
    C: Future<Output = Result<(), tokio_postgres::Error>> + Send + 'static,
{
    tokio::spawn(async move {
        if let Err(error) = connection.await {
            tracing::warn!(%error, "the PostgreSQL connection ended");
        }
    });
    client
}

/// A connection that failed: when the TLS handshake refused the server's certificate, why,
/// and what to do.
fn refused(tls: &Tls, host: &str, error: tokio_postgres::Error) -> SyncError {
    let reason = (error.source())
        .and_then(|source| source.downcast_ref::<std::io::Error>())
        .and_then(|io| io.get_ref())
        .and_then(|inner| inner.downcast_ref::<rustls::Error>());
    match reason {
        Some(reason) => SyncError::PostgresTls {
            sslmode: tls.mode.name(),
            message: format!(
                "the certificate of {host} was refused ({reason}): {}",
                tls.advice(reason)
            ),
        },
        None => error.into(),
    }
}

impl Store for Postgres {
    fn dialect(&self) -> Dialect {
        Dialect::Postgres
    }

    fn columns<'a>(&'a mut self, table: &'a str) -> Answer<'a, Vec<Existing>> {
        Box::pin(async move {
            let rows = self
                .client
                .query(
                    "SELECT column_name::text, data_type::text FROM information_schema.columns \
                     WHERE table_schema = current_schema() AND table_name = $1 \
                     ORDER BY ordinal_position",
                    &[&table],
                )
                .await?;
            Ok((rows.iter())
                .map(|row| Existing {
                    name: row.get(0),
                    sql_type: row.get(1),
                })
                .collect())
        })
    }

    fn execute<'a>(&'a mut self, sql: &'a str) -> Answer<'a, ()> {
        Box::pin(async move { Ok(self.client.batch_execute(sql).await?) })
    }

    fn synced_days<'a>(&'a mut self, table: &'a str) -> Answer<'a, Option<(NaiveDate, NaiveDate)>> {
        Box::pin(async move {
            let row = self
                .client
                .query_opt(
                    "SELECT first_day, last_day FROM sync_state WHERE stats_table = $1",
                    &[&table],
                )
                .await?;
            Ok(row.map(|row| (row.get(0), row.get(1))))
        })
    }

    fn write_day<'a>(
        &'a mut self,
        table: &'a Table,
        day: NaiveDate,
        rows: &'a [Vec<Cell>],
        (first, last): (NaiveDate, NaiveDate),
    ) -> Answer<'a, DayCounts> {
        Box::pin(async move {
            let sql = DaySql::new(Dialect::Postgres, table);
            let select = self.statement(sql.select_keys).await?;
            let upsert = self.statement(upsert_sql(table)).await?;
            let delete = self.statement(sql.delete_row).await?;
            let state = self.statement(sql.save_state).await?;
            let other_keys: Vec<ColumnType> = (other_key_positions(table).iter())
                .map(|&i| table.columns[i].kind)
                .collect();

            let transaction = self.client.transaction().await?;
            let mut existing: HashSet<Vec<Cell>> = transaction
                .query(&select, &[&day])
                .await?
                .iter()
                .map(|row| {
                    (other_keys.iter().enumerate())
                        .map(|(i, kind)| read(row, i, *kind))
                        .collect()
                })
                .collect();
            let counts = day_counts(table, rows, &mut existing);
            let changed = execute(&transaction, &upsert, &arrays(table, rows)).await?;
            let mut deleted = 0;
            let date = Cell::Date(day);
            for key in existing {
                let parameters: Vec<&(dyn ToSql + Sync)> = std::iter::once(&date)
                    .chain(&key)
                    .map(|cell| cell as &(dyn ToSql + Sync))
                    .collect();
                deleted += transaction.execute(&delete, &parameters).await?;
            }
            // $1 stats_table, $2 first_day, $3 last_day.
            transaction
                .execute(&state, &[&table.name, &first, &last])
                .await?;
            transaction.commit().await?;
            Ok(counts.settle(changed, deleted))
        })
    }

    fn start_run<'a>(&'a mut self, table: &'a str, started_at: &'a str) -> Answer<'a, i64> {
        Box::pin(async move {
            let (host, pid) = runs::this_process();
            let row = (self.client)
                .query_one(
                    &runs::start_sql(Dialect::Postgres),
                    &[&table, &started_at, &host, &pid],
                )
                .await?;
            Ok(row.get(0))
        })
    }

    fn try_lock<'a>(&'a mut self, table: &'a str) -> Answer<'a, bool> {
        Box::pin(async move {
            if self.locks.contains(table) {
                return Ok(true);
            }
            let row = (self.client)
                .query_one(
                    "SELECT pg_try_advisory_lock(hashtextextended($1, 0))",
                    &[&runs::lock_name(table)],
                )
                .await?;
            let taken: bool = row.get(0);
            if taken {
                self.locks.insert(table.to_owned());
            }
            Ok(taken)
        })
    }

    fn unlock<'a>(&'a mut self, table: &'a str) -> Answer<'a, ()> {
        Box::pin(async move {
            if self.locks.remove(table) {
                (self.client)
                    .execute(
                        "SELECT pg_advisory_unlock(hashtextextended($1, 0))",
                        &[&runs::lock_name(table)],
                    )
                    .await?;
            }
            Ok(())
        })
    }

    fn unfinished<'a>(&'a mut self, table: &'a str) -> Answer<'a, Vec<RunningSync>> {
        Box::pin(async move {
            let rows = (self.client)
                .query(&runs::unfinished_sql(Dialect::Postgres), &[&table])
                .await?;
            Ok((rows.iter())
                .map(|row| RunningSync {
                    run: row.get(0),
                    started_at: row.get(1),
                    host: row.get(2),
                    pid: row.get(3),
                })
                .collect())
        })
    }

    fn mark_died<'a>(&'a mut self, table: &'a str) -> Answer<'a, Vec<i64>> {
        Box::pin(async move {
            let rows = (self.client)
                .query(&runs::mark_died_sql(Dialect::Postgres), &[&table])
                .await?;
            Ok(rows.iter().map(|row| row.get(0)).collect())
        })
    }

    fn insert<'a>(&'a mut self, table: &'a Table, rows: &'a [Vec<Cell>]) -> Answer<'a, ()> {
        Box::pin(async move {
            let upsert = self.statement(upsert_sql(table)).await?;
            execute(&self.client, &upsert, &arrays(table, rows)).await?;
            Ok(())
        })
    }

    fn finish_run(&mut self, figures: RunFigures, run: i64) -> Answer<'_, ()> {
        Box::pin(async move {
            let sql = runs::finish_sql(Dialect::Postgres, &figures);
            // Positional: the figures in order, then the run.
            let parameters: Vec<&(dyn ToSql + Sync)> = (figures.iter())
                .map(|(_, cell)| cell as &(dyn ToSql + Sync))
                .chain([&run as &(dyn ToSql + Sync)])
                .collect();
            self.client.execute(&sql, &parameters).await?;
            Ok(())
        })
    }
}

/// `INSERT … SELECT u.c1, u.c2::numeric / 1000, … FROM UNNEST($1::date[], $2::bigint[], …)
/// AS u(c1, c2, …) ON CONFLICT …`: one parameter per column, an array of the column's values,
/// converted on the server where the column's type is not the array's (see
/// [`migration::postgres_value`]).
fn upsert_sql(table: &Table) -> String {
    let arrays: Vec<String> = (table.columns.iter().enumerate())
        .map(|(i, column)| {
            format!(
                "{}::{}[]",
                Dialect::Postgres.parameter(i + 1),
                migration::postgres_parameter_type(column.kind)
            )
        })
        .collect();
    let names: Vec<String> = (1..=table.columns.len()).map(|i| format!("c{i}")).collect();
    let values: Vec<String> = (table.columns.iter().zip(&names))
        .map(|(column, name)| migration::postgres_value(column.kind, &format!("u.{name}")))
        .collect();
    format!(
        "INSERT INTO {} AS t ({}) SELECT {} FROM UNNEST({}) AS u({}) {}",
        quoted(&table.name),
        column_list(Dialect::Postgres, table.columns.iter()),
        values.join(", "),
        arrays.join(", "),
        names.join(", "),
        on_conflict(Dialect::Postgres, table)
    )
}

async fn execute(
    client: &impl GenericClient,
    statement: &Statement,
    arrays: &[Parameter],
) -> Result<u64, SyncError> {
    let parameters: Vec<&(dyn ToSql + Sync)> = arrays
        .iter()
        .map(|array| array.as_ref() as &(dyn ToSql + Sync))
        .collect();
    Ok(client.execute(statement, &parameters).await?)
}

/// The rows as one array per column, typed as the column.
fn arrays(table: &Table, rows: &[Vec<Cell>]) -> Vec<Parameter> {
    fn column<T: ToSql + Sync + Send + 'static>(
        rows: &[Vec<Cell>],
        i: usize,
        value: impl Fn(&Cell) -> Option<T>,
    ) -> Parameter {
        Box::new(rows.iter().map(|row| value(&row[i])).collect::<Vec<_>>())
    }
    (table.columns.iter().enumerate())
        .map(|(i, c)| match c.kind {
            ColumnType::Integer | ColumnType::Decimal { .. } => {
                column(rows, i, |cell| match cell {
                    Cell::Integer(value) => Some(*value),
                    _ => None,
                })
            }
            ColumnType::Real => column(rows, i, |cell| match cell {
                Cell::Real(value) => Some(*value),
                _ => None,
            }),
            ColumnType::Date => column(rows, i, |cell| match cell {
                Cell::Date(value) => Some(*value),
                _ => None,
            }),
            ColumnType::Text | ColumnType::Json => column(rows, i, |cell| match cell {
                Cell::Text(value) => Some(value.clone()),
                _ => None,
            }),
        })
        .collect()
}

/// A key value as read back, as the sync's own rows carry it.
fn read(row: &Row, i: usize, kind: ColumnType) -> Cell {
    let cell = match kind {
        ColumnType::Integer | ColumnType::Decimal { .. } => {
            row.get::<_, Option<i64>>(i).map(Cell::Integer)
        }
        ColumnType::Real => row.get::<_, Option<f64>>(i).map(Cell::Real),
        ColumnType::Date => row.get::<_, Option<NaiveDate>>(i).map(Cell::Date),
        ColumnType::Text | ColumnType::Json => row.get::<_, Option<String>>(i).map(Cell::Text),
    };
    cell.unwrap_or(Cell::Null)
}

impl ToSql for Cell {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut BytesMut,
    ) -> Result<IsNull, Box<dyn StdError + Sync + Send>> {
        match self {
            Cell::Null => Ok(IsNull::Yes),
            Cell::Integer(value) => value.to_sql(ty, out),
            Cell::Real(value) => value.to_sql(ty, out),
            Cell::Date(value) => value.to_sql(ty, out),
            Cell::Text(value) => value.to_sql(ty, out),
        }
    }

    fn accepts(ty: &Type) -> bool {
        [
            Type::INT8,
            Type::FLOAT8,
            Type::DATE,
            Type::TEXT,
            Type::VARCHAR,
        ]
        .contains(ty)
    }

    to_sql_checked!();
}
