//! What can stop a sync. Days written before it stopped stay written.

use std::error::Error as _;

/// Why a sync stopped.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SyncError {
    /// An option that cannot work; nothing was fetched or written.
    #[error("{field}: {message}")]
    Invalid {
        /// The option, as the command line names it.
        field: &'static str,
        /// What is wrong, and what to do.
        message: String,
    },
    /// The API could not be asked or did not answer (after the client's retries).
    #[error(transparent)]
    Api(#[from] adsterra::Error),
    /// An answer whose rows cannot be stored.
    #[error("the stats of {window}: {message}")]
    Answer {
        /// The days asked for.
        window: String,
        /// What does not fit.
        message: String,
    },
    /// The spec or the database's tables do not fit the sync.
    #[error("{0}")]
    Schema(String),
    /// SQLite failed.
    #[error("SQLite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// PostgreSQL failed.
    #[error("PostgreSQL: {}", postgres_message(.0))]
    Postgres(#[from] tokio_postgres::Error),
    /// Another run is syncing the same table, and did not end within the time given to wait
    /// for it; nothing was written.
    #[error("another sync of {table} is running{}; waited {} s for it", .running.as_ref().map(|run| format!(" ({run})")).unwrap_or_default(), .waited.as_secs())]
    Busy {
        /// The stats table.
        table: String,
        /// The run that holds it, as `sync_runs` has it (none when it has not recorded itself
        /// yet).
        running: Option<crate::RunningSync>,
        /// How long this run waited.
        waited: std::time::Duration,
    },
    /// The connection to PostgreSQL was lost during the run (the server stopped, or the
    /// network failed). The days written before stay written; the day being written was
    /// rolled back whole.
    #[error("PostgreSQL: connection closed ({reason}); {}", resumes(.last_day))]
    ConnectionClosed {
        /// What the server or the network said.
        reason: String,
        /// The last day the table holds, as far as this run knows.
        last_day: Option<chrono::NaiveDate>,
    },
    /// The TLS handshake with PostgreSQL refused the server, as its `sslmode` asks.
    #[error("PostgreSQL: TLS (sslmode={sslmode}): {message}")]
    PostgresTls {
        /// The connection string's `sslmode`.
        sslmode: &'static str,
        /// Why, and what to do.
        message: String,
    },
}

impl SyncError {
    /// This error, as a lost connection when it is one; `last_day` is the last day written.
    pub(crate) fn or_closed(self, last_day: Option<chrono::NaiveDate>) -> Self {
        match &self {
            SyncError::Postgres(error) => match connection_lost(error) {
                Some(reason) => SyncError::ConnectionClosed { reason, last_day },
                None => self,
            },
            _ => self,
        }
    }

    pub(crate) fn invalid(field: &'static str, message: impl Into<String>) -> Self {
        Self::Invalid {
            field,
            message: message.into(),
        }
    }
}

/// tokio-postgres says only "db error" or "error connecting to server"; the server's own
/// message is in the source.
fn postgres_message(error: &tokio_postgres::Error) -> String {
    match error.source() {
        Some(source) => format!("{error}: {source}"),
        None => error.to_string(),
    }
}

/// Why the connection was lost, when `error` says it was: closed, a connection exception
/// (SQLSTATE class 08), or the server shutting down (57P01 to 57P03); not a statement the
/// server refused.
fn connection_lost(error: &tokio_postgres::Error) -> Option<String> {
    if error.is_closed() {
        return Some("the server closed it".to_owned());
    }
    if let Some(db) = error.as_db_error() {
        let code = db.code().code();
        return (code.starts_with("08") || code.starts_with("57P"))
            .then(|| db.message().to_owned());
    }
    (error.source())
        .and_then(|source| source.downcast_ref::<std::io::Error>())
        .map(ToString::to_string)
}

/// What the next run does after a lost connection.
fn resumes(last_day: &Option<chrono::NaiveDate>) -> String {
    match last_day {
        Some(day) => {
            format!("every day up to {day} is written, and the next run resumes from there")
        }
        None => "the next run resumes from the last day written".to_owned(),
    }
}
