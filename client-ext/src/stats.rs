//! Statistics over any date range: split into windows Adsterra accepts, fetched concurrently
//! under the client's rate limit, merged in order; or streamed row by row with bounded memory.

mod merge;

use std::fmt;
use std::sync::Arc;

use adsterra_formats::Format;
use chrono::{Days, NaiveDate};
use futures::{Stream, StreamExt, TryStreamExt};
use tokio_util::io::{StreamReader, SyncIoBridge};

use crate::call::send;
use crate::input::id;
use crate::raw::Endpoint;
use crate::raw::operation::Parameter;
use crate::raw::types::{self, StatsGroupBy};
use crate::{Client, Error, OperationCall};

pub use merge::{FieldMerge, StatsMerge};

/// The longest date range one stats request may cover (Adsterra answers 422 beyond it).
pub const MAX_STATS_DAYS: u32 = crate::raw::limits::STATS_DAYS;
/// Windows fetched at the same time by default.
pub const DEFAULT_STATS_CONCURRENCY: usize = 4;
/// Rows per message from the CSV parsing thread to the stream.
const STREAM_BATCH: usize = 256;
/// Messages decoded ahead of a slow stream consumer, at most.
const BATCHES_AHEAD: usize = 4;

/// A statistics request. It owns a clone of the client, so it can be moved into a spawned task.
#[derive(Debug, Clone)]
#[must_use = "a query sends nothing until send() or stream()"]
pub struct StatsQuery {
    client: Client,
    dates: Option<(NaiveDate, NaiveDate)>,
    group_by: Vec<StatsGroupBy>,
    campaign: Option<i64>,
    banner: Option<i64>,
    placement: Option<i64>,
    country: Option<String>,
    window_days: u32,
    concurrency: usize,
    on_window: Option<OnWindow>,
}

/// One window of days whose rows have all arrived; see [`StatsQuery::on_window`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct StatsWindow {
    /// Its first day.
    pub start: NaiveDate,
    /// Its last day (included).
    pub finish: NaiveDate,
    /// Rows it gave.
    pub rows: usize,
}

impl StatsWindow {
    /// Days it covers.
    pub fn days(&self) -> u64 {
        (self.finish - self.start).num_days() as u64 + 1
    }
}

/// The caller's progress callback.
#[derive(Clone)]
struct OnWindow(Arc<dyn Fn(StatsWindow) + Send + Sync>);

impl fmt::Debug for OnWindow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("OnWindow")
    }
}

impl OnWindow {
    fn notify(this: &Option<Self>, (start, finish): (NaiveDate, NaiveDate), rows: usize) {
        if let Some(on_window) = this {
            (on_window.0)(StatsWindow {
                start,
                finish,
                rows,
            });
        }
    }
}

/// A checked query: what every window request carries.
#[derive(Debug, Clone)]
struct Checked {
    windows: Vec<(NaiveDate, NaiveDate)>,
    group_by: Option<Vec<StatsGroupBy>>,
    campaign: Option<std::num::NonZeroU64>,
    banner: Option<std::num::NonZeroU64>,
    placement: Option<std::num::NonZeroU64>,
    country: Option<String>,
    on_window: Option<OnWindow>,
}

/// The stream-or-collect rule: rows can be streamed window after window when they fit one
/// window, or carry their date (the default grouping when none is given), so that no row is in
/// two windows. Otherwise they are summed across windows ([`StatsMerge`]), which needs them all.
fn streamable(group_by: &[StatsGroupBy], windows: usize) -> bool {
    windows <= 1 || group_by.is_empty() || group_by.contains(&StatsGroupBy::Date)
}

impl StatsQuery {
    pub(crate) fn new(client: &Client) -> Self {
        Self {
            client: client.clone(),
            dates: None,
            group_by: Vec::new(),
            campaign: None,
            banner: None,
            placement: None,
            country: None,
            window_days: MAX_STATS_DAYS,
            concurrency: DEFAULT_STATS_CONCURRENCY,
            on_window: None,
        }
    }

    /// The days, both included (required). Any length: longer ranges are split into windows.
    pub fn between(mut self, start: NaiveDate, finish: NaiveDate) -> Self {
        self.dates = Some((start, finish));
        self
    }

    /// Keys to group rows by (date when none is given).
    pub fn group_by(mut self, keys: impl IntoIterator<Item = StatsGroupBy>) -> Self {
        self.group_by = keys.into_iter().collect();
        self
    }

    /// Only rows of this campaign.
    pub fn campaign(mut self, id: i64) -> Self {
        self.campaign = Some(id);
        self
    }

    /// Only rows of this banner.
    pub fn banner(mut self, id: i64) -> Self {
        self.banner = Some(id);
        self
    }

    /// Only rows of this placement.
    pub fn placement(mut self, id: i64) -> Self {
        self.placement = Some(id);
        self
    }

    /// Only rows of this country (ISO-3166 alpha-2 in upper case, e.g. `US`), or `All` for
    /// every country: the spec's "no filter" value, which the query then leaves out.
    pub fn country(mut self, code: impl Into<String>) -> Self {
        self.country = Some(code.into());
        self
    }

    /// Days per request when the range is longer (1 to 366; default 366).
    pub fn window_days(mut self, days: u32) -> Self {
        self.window_days = days;
        self
    }

    /// Windows fetched at the same time (default 4); all of them respect the rate limit.
    pub fn concurrency(mut self, windows: usize) -> Self {
        self.concurrency = windows;
        self
    }

    /// Calls `progress` each time a window's rows have all arrived (in completion order, which
    /// with concurrency is not always date order): a progress bar for long exports.
    pub fn on_window(mut self, progress: impl Fn(StatsWindow) + Send + Sync + 'static) -> Self {
        self.on_window = Some(OnWindow(Arc::new(progress)));
        self
    }

    /// The windows this query's days are cut into, oldest first, once its days and
    /// `window_days` pass [`StatsDays`]' checks. One window means one request.
    pub fn windows(&self) -> Result<Vec<(NaiveDate, NaiveDate)>, Error> {
        let (start, finish) = self.dates.ok_or_else(|| {
            Error::invalid(
                "start_date",
                "is missing; call between(start, finish) first",
            )
        })?;
        let today = StatsDays::today();
        // The fault under this query's names for the days (the API's parameters).
        let fault = |fault: StatsDaysFault| match fault {
            StatsDaysFault::WindowDays { .. } => Error::invalid("window_days", fault.to_string()),
            StatsDaysFault::StartAfterFinish { start, finish } => Error::invalid(
                "finish_date",
                format!("{finish} is before start_date {start}"),
            ),
            _ => Error::invalid("finish_date", fault.to_string()),
        };
        let days = StatsDays::new(start, finish).map_err(fault)?;
        StatsDays::up_to(finish, today).map_err(fault)?;
        days.windows(self.window_days).map_err(fault)
    }

    /// Whether [`stream`](Self::stream) can give this query's rows: they fit one window, or
    /// they carry their date, so that no row is in two windows. Otherwise rows are summed
    /// across windows ([`StatsMerge`]), which needs them all, and only
    /// [`send`](Self::send) does. A query whose days are refused streams nothing either way.
    pub fn streams(&self) -> bool {
        let windows = self.windows().map_or(0, |windows| windows.len());
        streamable(&self.group_by, windows)
    }

    fn check(&self) -> Result<Checked, Error> {
        let windows = self.windows()?;
        if !streamable(&self.group_by, windows.len()) {
            StatsMerge::current().check().map_err(merge_fault)?;
        }
        if self.concurrency == 0 {
            return Err(Error::invalid("concurrency", "must be at least 1"));
        }
        let country = match (&self.country, stats_parameter("country")) {
            (Some(code), Some(parameter)) => {
                parameter
                    .check(code)
                    .map_err(|message| Error::invalid("country", message))?;
                // "All countries" is the request without the filter: send that, the proven form.
                (!parameter.means_no_filter(code)).then(|| code.clone())
            }
            (code, _) => code.clone(),
        };
        Ok(Checked {
            windows,
            group_by: (!self.group_by.is_empty()).then(|| self.group_by.clone()),
            campaign: self.campaign.map(|v| id("campaign", v)).transpose()?,
            banner: self.banner.map(|v| id("banner", v)).transpose()?,
            placement: self.placement.map(|v| id("placement", v)).transpose()?,
            country,
            on_window: self.on_window.clone(),
        })
    }

    /// Sends the request, one request per window, and merges the rows: in date order when they
    /// are grouped by date, otherwise summed per key as [`StatsMerge::current`] says (counts
    /// and amounts summed exactly, rates derived again, a field it cannot merge left out).
    pub async fn send(self) -> Result<Vec<types::StatsRow>, Error> {
        let checked = self.check()?;
        let client = &self.client;
        let mut windows: Vec<Vec<types::StatsRow>> =
            futures::stream::iter(checked.windows.iter().copied())
                .map(|window| fetch(client, &checked, window))
                .buffered(self.concurrency)
                .try_collect()
                .await?;
        if windows.len() == 1 {
            // One window: its rows as they are, without copying them into another vector.
            Ok(windows.pop().unwrap_or_default())
        } else if streamable(&self.group_by, windows.len()) {
            Ok(windows.concat())
        } else {
            let rows = windows.into_iter().flatten();
            StatsMerge::current().merge(rows).map_err(merge_fault)
        }
    }

    /// The rows as a stream, decoded while the body downloads, so memory is bounded by a batch
    /// of rows rather than the report's size, in every format: the report travels in the
    /// client's format (CSV is the most compact). Ranges longer than one window stream window
    /// after window, in date order, which needs the rows grouped by date; the next windows (up
    /// to `concurrency`) are asked for while one streams.
    pub fn stream(self) -> impl Stream<Item = Result<types::StatsRow, Error>> + Send + 'static {
        let windows = self.check().and_then(|checked| {
            if !streamable(&self.group_by, checked.windows.len()) {
                return Err(Error::invalid(
                    "group_by",
                    "must include Date to stream more than one window of days; use send() to have rows summed across windows",
                ));
            }
            Ok(checked)
        });
        match windows {
            Err(error) => futures::stream::once(async { Err(error) }).left_stream(),
            Ok(checked) => {
                let client = self.client.clone();
                // The next windows are asked for while one streams; each parses into a bounded
                // channel, so memory stays bounded by `concurrency` windows' batches.
                futures::stream::iter(checked.windows.clone())
                    .map(move |window| {
                        let client = client.clone();
                        let checked = checked.clone();
                        async move { stream_window(&client, &checked, window).await }
                    })
                    .buffered(self.concurrency)
                    .try_flatten()
                    .right_stream()
            }
        }
    }
}

/// A merge the spec's rules cannot do, as an error of the grouping that asked for it.
fn merge_fault(reason: String) -> Error {
    Error::invalid(
        "group_by",
        format!(
            "rows cannot be summed across windows: {reason}; group by Date, or ask for at most window_days days"
        ),
    )
}

/// The keys stats rows can be grouped by, in the spec's order (the values of `group_by[]`).
pub fn stats_group_keys() -> &'static [&'static str] {
    stats_parameter("group_by[]").map_or(&[], |parameter| parameter.values)
}

/// The spec's row of a stats query parameter: its type, pattern and values.
fn stats_parameter(name: &str) -> Option<&'static Parameter> {
    Endpoint::GetStats.operation(Format::Json).parameter(name)
}

/// One window's rows as a stream: the body, in the client's format, is parsed on a blocking
/// thread as it arrives.
async fn stream_window(
    client: &Client,
    checked: &Checked,
    (start, finish): (NaiveDate, NaiveDate),
) -> Result<impl Stream<Item = Result<types::StatsRow, Error>> + use<>, Error> {
    let format = client.format;
    let request = with_query(
        client.call(Endpoint::GetStats.operation(format)),
        checked,
        start,
        finish,
    )?;
    let (response, call) = request.open().await?;
    let body = response.bytes_stream().map_err(std::io::Error::other);
    // Rows cross from the parsing thread in batches: one channel message per row would cost
    // more than the parsing. At most BATCHES_AHEAD batches wait for a slow consumer.
    let (batches, receiver) = tokio::sync::mpsc::channel(BATCHES_AHEAD);
    let reader = SyncIoBridge::new(StreamReader::new(body));
    let on_window = checked.on_window.clone();
    tokio::task::spawn_blocking(move || {
        let mut batch = Vec::with_capacity(STREAM_BATCH);
        let mut rows = 0;
        for row in adsterra_formats::rows::<types::StatsRow, _>(format, reader) {
            rows += 1;
            batch.push(row.map_err(|error| Error::decode(call, error, &[])));
            if batch.len() == STREAM_BATCH {
                let full = std::mem::replace(&mut batch, Vec::with_capacity(STREAM_BATCH));
                // The consumer dropped the stream: stop reading.
                if batches.blocking_send(full).is_err() {
                    return;
                }
            }
        }
        if !batch.is_empty() {
            let _ = batches.blocking_send(batch);
        }
        OnWindow::notify(&on_window, (start, finish), rows);
    });
    Ok(futures::stream::unfold(receiver, |mut receiver| async {
        let batch = receiver.recv().await?;
        Some((futures::stream::iter(batch), receiver))
    })
    .flatten())
}

/// Applies the checked parameters to a call of the stats operation, by their names in the spec
/// (the call checks each one against it, so a renamed parameter fails the first request, and
/// the tests). The twin of `with_parameters!`, which applies them to a generated builder.
fn with_query(
    call: OperationCall,
    checked: &Checked,
    start: NaiveDate,
    finish: NaiveDate,
) -> Result<OperationCall, Error> {
    let mut call = call
        .param("start_date", start.to_string())?
        .param("finish_date", finish.to_string())?;
    for key in checked.group_by.iter().flatten() {
        call = call.param("group_by[]", key.to_string())?;
    }
    let ids = [
        ("campaign", checked.campaign),
        ("banner", checked.banner),
        ("placement", checked.placement),
    ];
    for (name, id) in ids {
        if let Some(id) = id {
            call = call.param(name, id.to_string())?;
        }
    }
    if let Some(code) = &checked.country {
        call = call.param("country", code.clone())?;
    }
    Ok(call)
}

/// Applies the checked parameters to a generated stats builder (any format).
macro_rules! with_parameters {
    ($builder:expr, $checked:expr, $start:expr, $finish:expr) => {{
        let checked: &Checked = $checked;
        let mut b = $builder.start_date($start).finish_date($finish);
        if let Some(keys) = checked.group_by.clone() {
            b = b.group_by(keys);
        }
        if let Some(id) = checked.campaign {
            b = b.campaign(id);
        }
        if let Some(id) = checked.banner {
            b = b.banner(id);
        }
        if let Some(id) = checked.placement {
            b = b.placement(id);
        }
        if let Some(code) = checked.country.as_deref() {
            b = b.country(code);
        }
        b
    }};
}

async fn fetch(
    client: &Client,
    checked: &Checked,
    (start, finish): (NaiveDate, NaiveDate),
) -> Result<Vec<types::StatsRow>, Error> {
    let list: types::StatsList = send!(
        client,
        Endpoint::GetStats,
        [get_stats, get_stats_csv, get_stats_xml],
        |b| { with_parameters!(b, checked, start, finish) }
    )?;
    OnWindow::notify(&checked.on_window, (start, finish), list.items.len());
    Ok(list.items)
}

/// A range of days stats can be asked for: the first day not after the last, the last not after
/// today (UTC; the spec answers a later day 422, as there is no traffic there yet). Any length:
/// [`windows`](Self::windows) cuts it into requests Adsterra accepts. The one home of these
/// rules, for [`StatsQuery`], the sync and the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatsDays {
    start: NaiveDate,
    finish: NaiveDate,
}

/// Why days cannot be asked for; the caller names the option it came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StatsDaysFault {
    /// The first day is after the last.
    #[error("the first day, {start}, is after the last, {finish}")]
    StartAfterFinish {
        /// The first day.
        start: NaiveDate,
        /// The last day.
        finish: NaiveDate,
    },
    /// The last day is after today (UTC).
    #[error("{finish} is after today ({today}, UTC); stats exist up to today")]
    FinishAfterToday {
        /// The last day.
        finish: NaiveDate,
        /// Today, UTC.
        today: NaiveDate,
    },
    /// Days per request outside 1 to [`MAX_STATS_DAYS`].
    #[error("must be 1 to {MAX_STATS_DAYS}, got {days}")]
    WindowDays {
        /// The days asked for.
        days: u32,
    },
}

impl StatsDays {
    /// `start` to `finish`, both included; see [`up_to`](Self::up_to) for today.
    pub fn new(start: NaiveDate, finish: NaiveDate) -> Result<Self, StatsDaysFault> {
        if start > finish {
            return Err(StatsDaysFault::StartAfterFinish { start, finish });
        }
        Ok(Self { start, finish })
    }

    /// Today in UTC, the last day that has stats.
    pub fn today() -> NaiveDate {
        chrono::Utc::now().date_naive()
    }

    /// Checks a last day against `today` ([`today`](Self::today)): stats exist up to today.
    pub fn up_to(finish: NaiveDate, today: NaiveDate) -> Result<NaiveDate, StatsDaysFault> {
        if finish > today {
            return Err(StatsDaysFault::FinishAfterToday { finish, today });
        }
        Ok(finish)
    }

    /// The first day.
    pub fn start(&self) -> NaiveDate {
        self.start
    }

    /// The last day (included).
    pub fn finish(&self) -> NaiveDate {
        self.finish
    }

    /// Days it covers.
    pub fn days(&self) -> u64 {
        (self.finish - self.start).num_days() as u64 + 1
    }

    /// Checks days per request: 1 to [`MAX_STATS_DAYS`] (the spec's limit).
    pub fn check_window(days: u32) -> Result<u32, StatsDaysFault> {
        match days {
            1..=MAX_STATS_DAYS => Ok(days),
            _ => Err(StatsDaysFault::WindowDays { days }),
        }
    }

    /// Its days cut into windows of at most `window_days` days, oldest first, the last one
    /// shorter when the days do not divide evenly.
    pub fn windows(&self, window_days: u32) -> Result<Vec<(NaiveDate, NaiveDate)>, StatsDaysFault> {
        let width = Days::new(u64::from(Self::check_window(window_days)?) - 1);
        let mut windows = Vec::new();
        let mut from = self.start;
        loop {
            let to = (from + width).min(self.finish);
            windows.push((from, to));
            match to.succ_opt() {
                Some(next) if next <= self.finish => from = next,
                _ => return Ok(windows),
            }
        }
    }

    /// The same windows cut from the last day back, newest first (the first one shorter): a
    /// backfill written day after day towards the past.
    pub fn windows_newest_first(
        &self,
        window_days: u32,
    ) -> Result<Vec<(NaiveDate, NaiveDate)>, StatsDaysFault> {
        let width = Days::new(u64::from(Self::check_window(window_days)?) - 1);
        let mut windows = Vec::new();
        let mut to = self.finish;
        loop {
            let from = (to - width).max(self.start);
            windows.push((from, to));
            match from.pred_opt() {
                Some(next) if next >= self.start => to = next,
                _ => return Ok(windows),
            }
        }
    }
}
