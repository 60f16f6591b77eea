//! Statistics over any date range: split into windows Adsterra accepts, fetched concurrently
//! under the client's rate limit, merged in order; or streamed row by row with bounded memory.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use adsterra_formats::Format;
use chrono::{Days, NaiveDate};
use futures::{Stream, StreamExt, TryStreamExt};
use tokio_util::io::{StreamReader, SyncIoBridge};

use crate::call::send;
use crate::input::id;
use crate::raw::Endpoint;
use crate::raw::types::{self, StatsGroupBy};
use crate::{Client, Error, OperationCall};

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

impl Checked {
    /// Whether rows carry their date (the default grouping), so windows never share a row.
    fn by_date(&self) -> bool {
        self.group_by
            .as_ref()
            .is_none_or(|keys| keys.contains(&StatsGroupBy::Date))
    }
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

    /// Only rows of this country (ISO-3166 alpha-2, e.g. `US`).
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

    fn check(&self) -> Result<Checked, Error> {
        let (start, finish) = self.dates.ok_or_else(|| {
            Error::invalid(
                "start_date",
                "is missing; call between(start, finish) first",
            )
        })?;
        if start > finish {
            return Err(Error::invalid(
                "finish_date",
                format!("{finish} is before start_date {start}"),
            ));
        }
        // The spec answers a day after today (UTC) 422: there is no traffic there yet.
        let today = chrono::Utc::now().date_naive();
        if finish > today {
            return Err(Error::invalid(
                "finish_date",
                format!("{finish} is after today ({today}, UTC); stats exist up to today"),
            ));
        }
        if !(1..=MAX_STATS_DAYS).contains(&self.window_days) {
            return Err(Error::invalid(
                "window_days",
                format!("must be 1 to {MAX_STATS_DAYS}, got {}", self.window_days),
            ));
        }
        if self.concurrency == 0 {
            return Err(Error::invalid("concurrency", "must be at least 1"));
        }
        let country = match &self.country {
            Some(code) if code.len() == 2 && code.bytes().all(|b| b.is_ascii_uppercase()) => {
                Some(code.clone())
            }
            Some(code) => {
                return Err(Error::invalid(
                    "country",
                    format!("{code:?} is not an ISO-3166 alpha-2 code in upper case, such as US"),
                ));
            }
            None => None,
        };
        let mut windows = Vec::new();
        let mut from = start;
        while from <= finish {
            let to = (from + Days::new(u64::from(self.window_days) - 1)).min(finish);
            windows.push((from, to));
            from = to + Days::new(1);
        }
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
    /// are grouped by date, summed per key otherwise (with ctr and cpm derived again).
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
        } else if checked.by_date() {
            Ok(windows.concat())
        } else {
            Ok(sum_by_key(windows.into_iter().flatten()))
        }
    }

    /// The rows as a stream, decoded while the body downloads, so memory is bounded by a batch
    /// of rows rather than the report's size, in every format: the report travels in the
    /// client's format (CSV is the most compact). Ranges longer than one window stream window
    /// after window, in date order, which needs the rows grouped by date; the next windows (up
    /// to `concurrency`) are asked for while one streams.
    pub fn stream(self) -> impl Stream<Item = Result<types::StatsRow, Error>> + Send + 'static {
        let windows = self.check().and_then(|checked| {
            if checked.windows.len() > 1 && !checked.by_date() {
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

/// The keys stats rows can be grouped by, in the spec's order (the values of `group_by[]`).
pub fn stats_group_keys() -> &'static [&'static str] {
    Endpoint::GetStats
        .operation(Format::Json)
        .parameter("group_by[]")
        .map_or(&[], |parameter| parameter.values)
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

/// Sums rows that share their group keys (windows of a range grouped without date), keeping
/// the first-seen order, and derives ctr and cpm again from the sums.
fn sum_by_key(rows: impl Iterator<Item = types::StatsRow>) -> Vec<types::StatsRow> {
    type Key = (Option<i64>, Option<i64>, Option<i64>, Option<String>);
    let mut index: HashMap<Key, usize> = HashMap::new();
    let mut merged: Vec<types::StatsRow> = Vec::new();
    for row in rows {
        let key = (row.campaign, row.banner, row.placement, row.country.clone());
        match index.get(&key) {
            Some(&at) => {
                let sum = &mut merged[at];
                sum.impressions += row.impressions;
                sum.clicks += row.clicks;
                sum.conversions += row.conversions;
                sum.spent += row.spent;
            }
            None => {
                index.insert(key, merged.len());
                merged.push(row);
            }
        }
    }
    for row in &mut merged {
        row.spent = round3(row.spent);
        let impressions = row.impressions as f64;
        (row.ctr, row.cpm) = if row.impressions > 0 {
            (
                round3(row.clicks as f64 / impressions * 100.0),
                round3(row.spent / impressions * 1000.0),
            )
        } else {
            (0.0, 0.0)
        };
    }
    merged
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}
