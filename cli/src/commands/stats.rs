//! Statistics over any range, with a progress bar on a terminal.

use std::pin::pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use adsterra::types::StatsRow;
use adsterra::{StatsQuery, StatsWindow};
use futures::TryStreamExt;
use indicatif::{ProgressBar, ProgressStyle};

use crate::args::{Output, StatsArgs};
use crate::context::Context;
use crate::failure::Failure;
use crate::output::Column;
use crate::records;

pub async fn run(context: &Context, args: StatsArgs) -> Result<(), Failure> {
    let columns = records::stats(&args.group_by);
    let days = (args.until - args.since).num_days() + 1;
    let progress = progress_bar("stats", u64::try_from(days).unwrap_or(0));
    let mut query = context
        .client
        .stats()
        .between(args.since, args.until)
        .group_by(args.group_by.iter().copied())
        .window_days(args.window_days)
        .concurrency(args.concurrency)
        .on_window(advance(progress.clone()));
    if let Some(id) = args.campaign {
        query = query.campaign(id);
    }
    if let Some(id) = args.banner {
        query = query.banner(id);
    }
    if let Some(id) = args.placement {
        query = query.placement(id);
    }
    if let Some(code) = args.country {
        query = query.country(code);
    }
    let result = print(context, query, &columns, days, args.window_days).await;
    progress.finish_and_clear();
    result
}

async fn print(
    context: &Context,
    query: StatsQuery,
    columns: &[Column<StatsRow>],
    days: i64,
    window_days: u32,
) -> Result<(), Failure> {
    // A query the client refuses (bad days, window_days) is refused by send() below.
    let requests = query.windows().map_or(1, |windows| windows.len());
    match context.printer.output() {
        Output::Raw if requests > 1 => Err(Failure::usage(format!(
            "--output raw prints one answer of Adsterra, and {days} days take more than one request of {window_days} days; ask for fewer days, or use --output csv"
        ))),
        // Written as CSV or NDJSON: rows go out as they arrive, in whatever format Adsterra is
        // asked for, so memory stays flat however long the range; unless the client must sum
        // them across windows first (StatsQuery::streams).
        Output::Csv | Output::Ndjson if query.streams() => {
            let mut rows = context.printer.rows(columns)?;
            let mut stream = pin!(query.stream());
            while let Some(row) = stream.try_next().await? {
                rows.push(&row)?;
            }
            rows.finish()
        }
        _ => {
            let rows = context.call(query.send()).await?;
            context.printer.list(columns, &rows)
        }
    }
}

/// A bar of `command`'s days (and rows) on stderr when it is a terminal; hidden otherwise, so
/// logs stay clean.
pub(super) fn progress_bar(command: &str, days: u64) -> ProgressBar {
    if !std::io::IsTerminal::is_terminal(&std::io::stderr()) {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(days);
    let template = format!(
        "{{spinner}} {command} {{wide_bar}} {{pos}}/{{len}} days, {{msg}} rows, {{elapsed}}"
    );
    let style =
        ProgressStyle::with_template(&template).unwrap_or_else(|_| ProgressStyle::default_bar());
    bar.set_style(style);
    bar.set_message("0");
    bar.enable_steady_tick(std::time::Duration::from_millis(120));
    bar
}

/// Moves the bar on by each window's days and counts its rows.
fn advance(bar: ProgressBar) -> impl Fn(StatsWindow) + Send + Sync + 'static {
    let rows = Arc::new(AtomicUsize::new(0));
    move |window| {
        let total = rows.fetch_add(window.rows, Ordering::Relaxed) + window.rows;
        bar.set_message(total.to_string());
        bar.inc(window.days());
    }
}
