//! What the decode benchmarks share: a counting global allocator (live bytes and their peak),
//! and the 1,000,000-row report they decode, built once in memory in every format.

// A global allocator is unsafe to implement; it only counts and forwards to the system one.
#![allow(unsafe_code)]
// Each bench uses its own part of this module.
#![allow(dead_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Instant;

use adsterra::Format;
use adsterra::types::{StatsList, StatsRow};
use adsterra_sandbox::account::ANCHOR;
use adsterra_sandbox::rng::Rng;

// ---------------------------------------------------------------------------------------------
// A counting allocator: live bytes and their peak.

struct Counting;

pub static CURRENT: AtomicUsize = AtomicUsize::new(0);
pub static PEAK: AtomicUsize = AtomicUsize::new(0);
/// Cleared once, at the start of `main`, by `ADSTERRA_BENCH_COUNT_ALLOC=0`: then no
/// allocation is counted, so the decode timings carry no counting cost at all.
pub static COUNTING: AtomicBool = AtomicBool::new(true);

fn grew(bytes: usize) {
    if !COUNTING.load(Ordering::Relaxed) {
        return;
    }
    let now = CURRENT.fetch_add(bytes, Ordering::Relaxed) + bytes;
    if now > PEAK.load(Ordering::Relaxed) {
        PEAK.fetch_max(now, Ordering::Relaxed);
    }
}

fn shrank(bytes: usize) {
    if !COUNTING.load(Ordering::Relaxed) {
        return;
    }
    CURRENT.fetch_sub(bytes, Ordering::Relaxed);
}

// SAFETY: every call is forwarded unchanged to `System`; the counters only observe sizes.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller upholds `GlobalAlloc::alloc`'s contract, which `System` shares.
        let ptr = unsafe { System.alloc(layout) };
        if !ptr.is_null() {
            grew(layout.size());
        }
        ptr
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as for `alloc`.
        let ptr = unsafe { System.alloc_zeroed(layout) };
        if !ptr.is_null() {
            grew(layout.size());
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` was allocated by `System` (through this allocator) with `layout`.
        unsafe { System.dealloc(ptr, layout) };
        shrank(layout.size());
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: as for `dealloc`; `new_size` is checked by the caller.
        let new = unsafe { System.realloc(ptr, layout, new_size) };
        if !new.is_null() {
            if new_size >= layout.size() {
                grew(new_size - layout.size());
            } else {
                shrank(layout.size() - new_size);
            }
        }
        new
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// What one run asked of the allocator beyond what was live when it started.
pub struct Footprint {
    /// The most bytes live at once during the run.
    pub peak: usize,
    /// Bytes still live when the run returned (its result), before the result was dropped.
    pub retained: usize,
    pub seconds: f64,
}

pub fn measure<T>(run: impl FnOnce() -> T) -> Footprint {
    let base = CURRENT.load(Ordering::Relaxed);
    PEAK.store(base, Ordering::Relaxed);
    let started = Instant::now();
    let out = run();
    let seconds = started.elapsed().as_secs_f64();
    let footprint = Footprint {
        peak: PEAK.load(Ordering::Relaxed).saturating_sub(base),
        retained: CURRENT.load(Ordering::Relaxed).saturating_sub(base),
        seconds,
    };
    drop(out);
    footprint
}

pub fn mib(bytes: usize) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

// ---------------------------------------------------------------------------------------------
// The report: generated rows, encoded once in each format.

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// `n` rows over the year up to the sandbox's anchor day, grouped by date and placement (the
/// shape of a year's report by placement): every day lists the same placements, in order.
pub fn generate(n: usize) -> Vec<StatsRow> {
    const DAYS: usize = 365;
    let mut days = Vec::with_capacity(DAYS);
    let mut day = ANCHOR;
    for _ in 0..DAYS {
        days.push(day);
        day = day.pred_opt().expect("a day before");
    }
    days.reverse();
    let per_day = n.div_ceil(DAYS);
    // The sandbox's splitmix64, so every run decodes the same bytes.
    let mut rng = Rng::at(0x5EED);
    // Placement ids as Adsterra's look (7 to 8 digits), each with its price (USD per 1000).
    let placements: Vec<(i64, f64)> = (0..per_day)
        .map(|_| {
            let id = 1_000_000 + (rng.next_u64() % 24_000_000) as i64;
            (id, 0.05 + 2.5 * rng.unit())
        })
        .collect();
    let mut rows = Vec::with_capacity(n);
    'days: for day in days {
        for &(placement, price) in &placements {
            if rows.len() == n {
                break 'days;
            }
            let impressions = (200_000.0 * rng.unit().powi(3)) as i64;
            let clicks = (impressions as f64 * 0.01 * rng.unit()) as i64;
            let conversions = (clicks as f64 * 0.05 * rng.unit()) as i64;
            let spent = round3(impressions as f64 * price / 1000.0 * (0.8 + 0.4 * rng.unit()));
            let (ctr, cpm) = if impressions > 0 {
                (
                    round3(clicks as f64 / impressions as f64 * 100.0),
                    round3(spent / impressions as f64 * 1000.0),
                )
            } else {
                (0.0, 0.0)
            };
            let row: StatsRow = StatsRow::builder()
                .date(Some(day))
                .placement(Some(placement))
                .impressions(impressions)
                .conversions(conversions)
                .clicks(clicks)
                .ctr(ctr)
                .cpm(cpm)
                .spent(spent)
                .try_into()
                .expect("a complete row");
            rows.push(row);
        }
    }
    rows
}

pub struct Bodies {
    pub rows: usize,
    pub json: Vec<u8>,
    pub csv: Vec<u8>,
    pub xml: Vec<u8>,
}

impl Bodies {
    pub fn build(n: usize) -> Self {
        let rows = generate(n);
        let list: StatsList = StatsList::builder()
            .item_count(rows.len() as i64)
            .items(rows)
            .try_into()
            .expect("a complete list");
        let encode = |format| {
            adsterra_formats::encode(format, &list)
                .expect("the report encodes")
                .into_bytes()
        };
        Self {
            rows: n,
            json: encode(Format::Json),
            csv: encode(Format::Csv),
            xml: encode(Format::Xml),
        }
    }
}

pub fn rows_wanted() -> usize {
    if let Ok(n) = std::env::var("ADSTERRA_BENCH_ROWS") {
        return n.parse().expect("ADSTERRA_BENCH_ROWS is a number of rows");
    }
    // `cargo test --benches` and `cargo bench -- --test` run each benchmark once: keep it quick.
    if std::env::args().any(|arg| arg == "--test") {
        10_000
    } else {
        1_000_000
    }
}
