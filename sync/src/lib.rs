//! `adsterra-sync`: keeps a database of Adsterra campaigns and stats up to date, incrementally,
//! in SQLite (a file, no server) or PostgreSQL.
//!
//! It owns the loop every stats-to-database job writes by hand: pick the days, fetch them (a
//! window per request, under the client's rate limit and retries), upsert the rows, remember
//! where it stopped, and fetch the last days again because ad stats are corrected after the
//! fact. The tables follow the spec (a metric added to it becomes a column, added by a
//! migration the run applies and reports), money is stored exactly, and each day is written in
//! one transaction together with the sync's own record of the days held, so a run that dies
//! loses nothing the next run does not fetch again.
//!
//! It must not do HTTP itself (everything goes through [`adsterra::Client`]) nor name a metric:
//! what a row holds is read off the spec (see [`Schema`]).
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let sandbox = adsterra_sandbox::Sandbox::start(Default::default()).await?;
//! # let client = adsterra::Client::builder().base_url(sandbox.base_url())
//! #     .token(adsterra::ApiToken::new(sandbox.token())?).build()?;
//! # let folder = std::env::temp_dir().join(format!("adsterra-sync-doc-{}", std::process::id()));
//! # std::fs::create_dir_all(&folder)?;
//! # let url = format!("sqlite://{}", folder.join("stats.db").display());
//! use adsterra::types::StatsGroupBy;
//! use adsterra_sync::{Database, SyncJob};
//!
//! let mut database = Database::open(&url).await?; // or postgres://…
//! let since = "2026-10-01".parse()?;
//! let first = SyncJob::new(&client, &mut database)
//!     .group_by([StatsGroupBy::Campaign])
//!     .since(since)
//!     .run()
//!     .await?;
//! assert!(first.inserted > 0);
//!
//! // Again: the last days are fetched again, and nothing changed.
//! let again = SyncJob::new(&client, &mut database)
//!     .group_by([StatsGroupBy::Campaign])
//!     .run()
//!     .await?;
//! assert_eq!(again.changes(), 0);
//! println!("{again}");
//! # std::fs::remove_dir_all(&folder)?;
//! # Ok(()) }
//! ```

mod cell;
mod error;
mod job;
mod plan;
mod schema;
mod store;
mod summary;

pub use error::SyncError;
pub use job::{DEFAULT_DAYS, DEFAULT_REVISE_DAYS, DEFAULT_WINDOW_DAYS, Progress, SyncJob};
pub use schema::{Column, ColumnType, Schema, Table};
pub use store::{Database, DayCounts, RunningSync};
pub use summary::Summary;
