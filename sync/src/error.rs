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
