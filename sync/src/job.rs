//! One run of the sync: options, then fetch and write, day by day.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use adsterra::types::{StatsGroupBy, StatsRow};
use adsterra::{Client, MAX_STATS_DAYS, StatsDays, StatsDaysFault};
use chrono::{NaiveDate, Utc};
use futures::StreamExt;
use serde::Serialize;
use serde_json::Value;
use tokio::task::JoinHandle;

use crate::cell::{self, Cell};
use crate::plan::{self, Span};
use crate::schema::{DATE, RUN, Schema, Table};
use crate::store::{Database, DayCounts};
use crate::{Summary, SyncError};

/// Days a first run fetches when no `since` is given: about a quarter, ending today.
pub const DEFAULT_DAYS: u32 = 90;
/// Days before the last one held that a later run fetches again, for late corrections.
pub const DEFAULT_REVISE_DAYS: u32 = 3;
/// Days per request. A month keeps a request's rows (and memory) small for fine grains, and a
/// year still takes only a dozen requests.
pub const DEFAULT_WINDOW_DAYS: u32 = 31;
/// Windows fetched ahead while one is written.
const WINDOWS_AHEAD: usize = 2;

/// Where a run is, after each day written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Progress {
    /// The day just written.
    pub day: NaiveDate,
    /// Days written so far in this run.
    pub days_done: u64,
    /// Days this run writes.
    pub days_total: u64,
    /// Rows written so far in this run.
    pub rows: u64,
    /// What writing the day changed.
    pub counts: DayCounts,
}

type OnProgress = Box<dyn FnMut(Progress) + Send>;

/// The first and last day of one request.
type Window = (NaiveDate, NaiveDate);

/// One sync of stats (at one grain) and campaigns into a database.
#[must_use = "a job does nothing until run()"]
pub struct SyncJob<'a> {
    client: Client,
    database: &'a mut Database,
    group_by: Vec<StatsGroupBy>,
    since: Option<NaiveDate>,
    until: Option<NaiveDate>,
    revise_days: u32,
    window_days: u32,
    schema: Option<Schema>,
    wait: Duration,
    on_progress: Option<OnProgress>,
    /// The last day the table holds, kept as the run writes: what a lost connection reports.
    last_day: Option<NaiveDate>,
}

impl fmt::Debug for SyncJob<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SyncJob")
            .field("database", &self.database)
            .field("group_by", &self.group_by)
            .field("since", &self.since)
            .field("until", &self.until)
            .field("revise_days", &self.revise_days)
            .field("window_days", &self.window_days)
            .field("wait", &self.wait)
            .finish_non_exhaustive()
    }
}

impl<'a> SyncJob<'a> {
    /// A sync of stats by date into `database`, through `client`.
    pub fn new(client: &Client, database: &'a mut Database) -> Self {
        Self {
            client: client.clone(),
            database,
            group_by: Vec::new(),
            since: None,
            until: None,
            revise_days: DEFAULT_REVISE_DAYS,
            window_days: DEFAULT_WINDOW_DAYS,
            schema: None,
            wait: Duration::ZERO,
            on_progress: None,
            last_day: None,
        }
    }

    /// Keys to group stats by besides the date, which every grain has; each grain is a table
    /// of its own (`stats_by_date_campaign`).
    pub fn group_by(mut self, keys: impl IntoIterator<Item = StatsGroupBy>) -> Self {
        self.group_by = keys.into_iter().collect();
        self
    }

    /// The first day wanted. On a first run, [`DEFAULT_DAYS`] before `until` when not given;
    /// on later runs, days before the ones held are fetched only when asked for here.
    pub fn since(mut self, day: NaiveDate) -> Self {
        self.since = Some(day);
        self
    }

    /// The last day wanted (default: today, UTC).
    pub fn until(mut self, day: NaiveDate) -> Self {
        self.until = Some(day);
        self
    }

    /// Days before the last one held that are fetched again (default
    /// [`DEFAULT_REVISE_DAYS`]; 0 fetches only new days).
    pub fn revise_days(mut self, days: u32) -> Self {
        self.revise_days = days;
        self
    }

    /// Days per request (1 to 366; default [`DEFAULT_WINDOW_DAYS`]).
    pub fn window_days(mut self, days: u32) -> Self {
        self.window_days = days;
        self
    }

    /// The tables to write, instead of those of the spec this crate was built with (for a
    /// newer spec, or to test a migration).
    pub fn schema(mut self, schema: Schema) -> Self {
        self.schema = Some(schema);
        self
    }

    /// How long to wait for another run that is syncing the same table (default: not at all,
    /// [`SyncError::Busy`] at once). Runs of other tables never wait for each other.
    pub fn wait(mut self, wait: Duration) -> Self {
        self.wait = wait;
        self
    }

    /// Calls `progress` after each day written.
    pub fn on_progress(mut self, progress: impl FnMut(Progress) + Send + 'static) -> Self {
        self.on_progress = Some(Box::new(progress));
        self
    }

    /// Takes the stats table's lock (waiting as [`Self::wait`] says for a run that holds it),
    /// brings the tables to the spec, stores the campaigns, then fetches and writes the days
    /// wanted that the database does not hold, and the last `revise_days` it holds, each day in
    /// its own transaction.
    pub async fn run(mut self) -> Result<Summary, SyncError> {
        let started = Instant::now();
        let today = StatsDays::today();
        let until = self.until.unwrap_or(today);
        self.check(until, today)?;
        let schema = self.tables()?;
        let died = self.database.lock(&schema.stats, self.wait).await?;
        let result = (self.run_locked(&schema, until, died, started).await)
            .map_err(|error| error.or_closed(self.last_day));
        if let Err(error) = self.database.unlock(&schema.stats).await {
            // The lock goes with the connection (or the process) anyway.
            tracing::warn!(%error, "the table's lock could not be let go");
        }
        result
    }

    /// [`Self::run`], once the table is this run's.
    async fn run_locked(
        &mut self,
        schema: &Schema,
        until: NaiveDate,
        died: Vec<i64>,
        started: Instant,
    ) -> Result<Summary, SyncError> {
        let started_at = Utc::now().to_rfc3339();
        let group_by = self.grain();
        let database = &mut *self.database;
        let mut migrations = std::mem::take(&mut database.upgrades);
        migrations.extend(database.migrate(&schema.stats).await?);
        migrations.extend(database.migrate_shared(&schema.campaigns).await?);
        let mut held = database.synced_days(&schema.stats).await?;
        self.last_day = held.map(|(_, last)| last);
        let spans = plan::spans(held, self.since, until, self.revise_days, DEFAULT_DAYS);
        let run = database.start_run(&schema.stats, &started_at).await?;

        // Counts this run's HTTP requests, retries included, whatever else shares the client.
        let client = self.client.counting_attempts();
        let campaigns = snapshot_campaigns(&client, database, &schema.campaigns, run).await?;

        let windows = windows(&spans, self.window_days)?;
        let mut totals = Totals {
            days_total: spans.iter().map(Span::days).sum(),
            ..Totals::default()
        };
        let mut answers = futures::stream::iter(windows.iter().copied())
            .map(|(_, window)| {
                let fetch = fetch(client.clone(), group_by.clone(), window);
                Abort(window, tokio::spawn(fetch))
            })
            .buffered(WINDOWS_AHEAD);
        for (span, window) in &windows {
            let answer = answers
                .next()
                .await
                .unwrap_or_else(|| Err(answer_fault(*window, "the request was lost")))?;
            let mut days = by_day(schema, *window, answer)?;
            // Every day of the window is written, a day without rows too: its old rows go,
            // and the days held stay one run.
            for day in span.days_of(*window) {
                let rows = days.remove(&day).unwrap_or_default();
                let after = match held {
                    Some((first, last)) => (first.min(day), last.max(day)),
                    None => (day, day),
                };
                let counts = database.write_day(&schema.stats, day, &rows, after).await?;
                held = Some(after);
                self.last_day = Some(after.1);
                totals.add(counts);
                if let Some(progress) = &mut self.on_progress {
                    progress(Progress {
                        day,
                        days_done: totals.days,
                        days_total: totals.days_total,
                        rows: totals.counts.rows,
                        counts,
                    });
                }
            }
        }

        let summary = Summary {
            run,
            table: schema.stats.name.clone(),
            first_day: held.map(|(first, _)| first),
            last_day: held.map(|(_, last)| last),
            days: totals.days,
            rows: totals.counts.rows,
            inserted: totals.counts.inserted,
            updated: totals.counts.updated,
            unchanged: totals.counts.unchanged,
            deleted: totals.counts.deleted,
            requests: client.attempts(),
            campaigns,
            migrations,
            died,
            elapsed_seconds: started.elapsed().as_secs_f64(),
        };
        let finished_at = Utc::now().to_rfc3339();
        database.finish_run(&summary, &finished_at).await?;
        Ok(summary)
    }

    /// The tables to write: the ones given, or those of the spec this crate was built with.
    fn tables(&mut self) -> Result<Schema, SyncError> {
        if let Some(schema) = self.schema.take() {
            return Ok(schema);
        }
        let keys: Vec<String> = self.group_by.iter().map(ToString::to_string).collect();
        Schema::current(&keys.iter().map(String::as_str).collect::<Vec<_>>())
    }

    /// The keys every request groups by: the asked ones, and the date, since rows carry their
    /// day only when grouped by it.
    fn grain(&self) -> Arc<Vec<StatsGroupBy>> {
        let mut group_by = self.group_by.clone();
        if !group_by.contains(&StatsGroupBy::Date) {
            group_by.insert(0, StatsGroupBy::Date);
        }
        Arc::new(group_by)
    }

    /// Options that cannot work, before anything is fetched or written: the client's rules of
    /// stats days ([`StatsDays`]) under this job's names for them, and the revision's bound.
    fn check(&self, until: NaiveDate, today: NaiveDate) -> Result<(), SyncError> {
        let fault =
            |field| move |fault: StatsDaysFault| SyncError::invalid(field, fault.to_string());
        StatsDays::up_to(until, today).map_err(fault("until"))?;
        if let Some(since) = self.since {
            StatsDays::new(since, until).map_err(|_| {
                SyncError::invalid(
                    "since",
                    format!("{since} is after until ({until}); give an earlier day"),
                )
            })?;
        }
        StatsDays::check_window(self.window_days).map_err(fault("window_days"))?;
        if self.revise_days > MAX_STATS_DAYS {
            return Err(SyncError::invalid(
                "revise_days",
                format!("must be 0 to {MAX_STATS_DAYS}, got {}", self.revise_days),
            ));
        }
        Ok(())
    }
}

/// The spans cut into requests, each window with the span it belongs to, in fetch order.
fn windows(spans: &[Span], window_days: u32) -> Result<Vec<(Span, Window)>, SyncError> {
    let mut windows = Vec::new();
    for span in spans {
        let cut = (span.windows(window_days))
            .map_err(|fault| SyncError::invalid("window_days", fault.to_string()))?;
        windows.extend(cut.into_iter().map(|window| (*span, window)));
    }
    Ok(windows)
}

/// Stores the account's campaigns as run `run` sees them; returns how many.
async fn snapshot_campaigns(
    client: &Client,
    database: &mut Database,
    table: &Table,
    run: i64,
) -> Result<u64, SyncError> {
    let rows = (client.campaigns().await?.iter())
        .map(|campaign| {
            let mut item = to_object(campaign);
            item.insert(RUN.to_owned(), Value::from(run));
            cell::row(table, &Value::Object(item))
                .map_err(|message| SyncError::Schema(format!("a campaign: {message}")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    database.snapshot(table, &rows).await?;
    Ok(rows.len() as u64)
}

#[derive(Debug, Default)]
struct Totals {
    days: u64,
    days_total: u64,
    counts: DayCounts,
}

impl Totals {
    fn add(&mut self, day: DayCounts) {
        self.days += 1;
        self.counts.rows += day.rows;
        self.counts.inserted += day.inserted;
        self.counts.updated += day.updated;
        self.counts.unchanged += day.unchanged;
        self.counts.deleted += day.deleted;
    }
}

/// One window's rows, in one request.
async fn fetch(
    client: Client,
    group_by: Arc<Vec<StatsGroupBy>>,
    (start, finish): (NaiveDate, NaiveDate),
) -> Result<Vec<StatsRow>, SyncError> {
    let days = (finish - start).num_days() as u32 + 1;
    Ok(client
        .stats()
        .between(start, finish)
        .group_by(group_by.iter().copied())
        .window_days(days)
        .send()
        .await?)
}

/// The window's rows as the table stores them, by day; a key given twice keeps its last row.
fn by_day(
    schema: &Schema,
    window: (NaiveDate, NaiveDate),
    rows: Vec<StatsRow>,
) -> Result<BTreeMap<NaiveDate, Vec<Vec<Cell>>>, SyncError> {
    let table = &schema.stats;
    let date = table.columns.iter().position(|c| c.name == DATE);
    let fault = |message: String| answer_fault(window, message);
    let mut days: BTreeMap<NaiveDate, Vec<Vec<Cell>>> = BTreeMap::new();
    // Where each key's row is (its key holds its day).
    let mut seen: HashMap<Vec<Cell>, usize> = HashMap::new();
    for row in rows {
        let cells = cell::row(table, &Value::Object(to_object(&row))).map_err(fault)?;
        let day = match date.map(|i| &cells[i]) {
            Some(Cell::Date(day)) if (window.0..=window.1).contains(day) => *day,
            _ => return Err(fault(format!("a row is dated outside the window: {row:?}"))),
        };
        let rows = days.entry(day).or_default();
        let key: Vec<Cell> = (table.columns.iter().zip(&cells))
            .filter(|(column, _)| column.key)
            .map(|(_, cell)| cell.clone())
            .collect();
        match seen.get(&key) {
            Some(&at) => rows[at] = cells,
            None => {
                seen.insert(key, rows.len());
                rows.push(cells);
            }
        }
    }
    Ok(days)
}

fn to_object(value: &impl Serialize) -> serde_json::Map<String, Value> {
    match serde_json::to_value(value) {
        Ok(Value::Object(object)) => object,
        _ => serde_json::Map::new(),
    }
}

fn answer_fault(window: (NaiveDate, NaiveDate), message: impl Into<String>) -> SyncError {
    SyncError::Answer {
        window: format!("{} to {}", window.0, window.1),
        message: message.into(),
    }
}

/// A window's fetch, spawned so that it downloads while earlier days are written, and
/// cancelled when the run is dropped (a killed or failed run leaves no requests behind).
struct Abort(
    (NaiveDate, NaiveDate),
    JoinHandle<Result<Vec<StatsRow>, SyncError>>,
);

impl Future for Abort {
    type Output = Result<Vec<StatsRow>, SyncError>;

    fn poll(mut self: Pin<&mut Self>, context: &mut Context<'_>) -> Poll<Self::Output> {
        let window = self.0;
        Pin::new(&mut self.1).poll(context).map(|joined| {
            joined.unwrap_or_else(|error| Err(answer_fault(window, error.to_string())))
        })
    }
}

impl Drop for Abort {
    fn drop(&mut self) {
        self.1.abort();
    }
}
