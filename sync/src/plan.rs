//! Which days a run fetches, from what the database already holds.
//!
//! A stats table holds a run of days with no gap, first to last (`sync_state`). A run extends it
//! forward to `until`, starting again `revise_days` before its last day (stats are corrected
//! after the fact), and backward to `since` when asked for earlier days. Each day is written on
//! its own, next to the days already held, so the run of days never has a gap, even when a sync
//! is killed: forward days are written oldest first, backfilled days newest first. How days are
//! cut into requests is the client's rule ([`adsterra::StatsDays`]); which days, and in which
//! order, is this module's.

use adsterra::{StatsDays, StatsDaysFault};
use chrono::{Days, NaiveDate};

/// A range of days, both ends included, and the order its days are written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    /// The first day.
    pub start: NaiveDate,
    /// The last day.
    pub finish: NaiveDate,
    /// Written newest first (a backfill before the days held).
    pub backward: bool,
}

impl Span {
    /// Days it covers.
    pub fn days(&self) -> u64 {
        (self.finish - self.start).num_days() as u64 + 1
    }

    /// Its days cut into windows of at most `window_days` days (the client's rule), in the
    /// order they are written: oldest first forward, newest first backward.
    pub fn windows(&self, window_days: u32) -> Result<Vec<(NaiveDate, NaiveDate)>, StatsDaysFault> {
        let days = StatsDays::new(self.start, self.finish)?;
        if self.backward {
            days.windows_newest_first(window_days)
        } else {
            days.windows(window_days)
        }
    }

    /// The days of `window`, one of its windows, in the order they are written.
    pub fn days_of(&self, (start, finish): (NaiveDate, NaiveDate)) -> Vec<NaiveDate> {
        let mut days: Vec<NaiveDate> = start.iter_days().take_while(|d| *d <= finish).collect();
        if self.backward {
            days.reverse();
        }
        days
    }
}

/// The spans to fetch, in order. `held` is what the table holds (first and last day), `since`
/// the first day asked for (`None`: `default_days` before `until` on a first run, nothing
/// earlier on later runs).
pub fn spans(
    held: Option<(NaiveDate, NaiveDate)>,
    since: Option<NaiveDate>,
    until: NaiveDate,
    revise_days: u32,
    default_days: u32,
) -> Vec<Span> {
    let span = |start: NaiveDate, finish: NaiveDate, backward| {
        (start <= finish).then_some(Span {
            start,
            finish,
            backward,
        })
    };
    let Some((first, last)) = held else {
        let start = since.unwrap_or_else(|| until - Days::new(u64::from(default_days.max(1)) - 1));
        return span(start, until, false).into_iter().collect();
    };
    let backfill = since.and_then(|since| span(since, first.pred_opt()?, true));
    let resume = match revise_days {
        0 => last.succ_opt().unwrap_or(last),
        n => (last - Days::new(u64::from(n) - 1)).max(first),
    };
    backfill
        .into_iter()
        .chain(span(resume, until, false))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    fn forward(start: &str, finish: &str) -> Span {
        Span {
            start: day(start),
            finish: day(finish),
            backward: false,
        }
    }

    #[test]
    fn a_first_run_takes_since_or_the_default_days() {
        let until = day("2026-03-31");
        assert_eq!(
            spans(None, Some(day("2026-01-01")), until, 3, 90),
            [forward("2026-01-01", "2026-03-31")]
        );
        assert_eq!(
            spans(None, None, until, 3, 90),
            [forward("2026-01-01", "2026-03-31")]
        );
        assert!(spans(None, Some(day("2026-04-01")), until, 3, 90).is_empty());
    }

    #[test]
    fn a_later_run_resumes_revise_days_before_the_last_day() {
        let held = Some((day("2026-01-01"), day("2026-03-20")));
        let until = day("2026-03-31");
        assert_eq!(
            spans(held, None, until, 3, 90),
            [forward("2026-03-18", "2026-03-31")]
        );
        assert_eq!(
            spans(held, None, until, 0, 90),
            [forward("2026-03-21", "2026-03-31")]
        );
        // Never before the first day held; since within the days held changes nothing.
        assert_eq!(
            spans(held, Some(day("2026-02-01")), until, 400, 90),
            [forward("2026-01-01", "2026-03-31")]
        );
        // Up to date and nothing to revise: nothing to do.
        let done = Some((day("2026-01-01"), until));
        assert!(spans(done, None, until, 0, 90).is_empty());
    }

    #[test]
    fn an_earlier_since_backfills_newest_first() {
        let held = Some((day("2026-01-01"), day("2026-03-31")));
        let spans = spans(held, Some(day("2025-12-01")), day("2026-03-31"), 1, 90);
        assert_eq!(
            spans,
            [
                Span {
                    start: day("2025-12-01"),
                    finish: day("2025-12-31"),
                    backward: true
                },
                forward("2026-03-31", "2026-03-31"),
            ]
        );
        assert_eq!(
            spans[0].windows(10).unwrap(),
            [
                (day("2025-12-22"), day("2025-12-31")),
                (day("2025-12-12"), day("2025-12-21")),
                (day("2025-12-02"), day("2025-12-11")),
                (day("2025-12-01"), day("2025-12-01")),
            ]
        );
        let window = (day("2025-12-30"), day("2026-01-01"));
        let newest_first = [day("2026-01-01"), day("2025-12-31"), day("2025-12-30")];
        assert_eq!(spans[0].days_of(window), newest_first);
        let oldest_first: Vec<_> = newest_first.into_iter().rev().collect();
        assert_eq!(spans[1].days_of(window), oldest_first);
    }
}
