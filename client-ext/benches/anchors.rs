//! Our decoders next to the ones a Rust programmer would pick instead, on the same bodies, in
//! one run: serde_json and sonic-rs for JSON, the csv crate's serde `deserialize` for CSV,
//! quick-xml's serde `from_str` for XML. Prints each figure and its ratio to the format's
//! anchor; asserts nothing about them.
//!
//! `cargo bench -p adsterra --bench anchors` (1,000,000 rows; `-- --test` for a 10,000-row smoke
//! run; words after `--` pick cases, as `-- csv`). `ADSTERRA_BENCH_ROWS=n` sets any size,
//! `ADSTERRA_BENCH_RUNS=n` the rounds, 5 by default, of which the median is shown.
//! `ADSTERRA_BENCH_DUMP=DIR` (an absolute path: benches run in the crate's folder) also writes
//! the bodies to `DIR/stats.{json,csv,xml}`, for `client-ext/benches/anchors.py`, which times
//! Python on the very same bytes. `ADSTERRA_BENCH_BODIES=DIR` reads the bodies from such a
//! folder instead of building them, so that another report (the sandbox's year, dumped by
//! `sandbox/examples/year_report.rs`) is measured the same way.
//! The word `encode` after `--` times only the encoders, each against the simplest writer
//! there is: a walk of the `serde_json::Value` that `serde_json::to_value` makes of the rows.
//!
//! The memory table comes first, while the counting allocator counts; the timings come after,
//! with counting switched off so that it weighs on no decoder.

use std::hint::black_box;
use std::io::Write as _;
use std::sync::atomic::Ordering;
use std::time::Instant;

use adsterra::Format;
use adsterra::types::{StatsList, StatsRow};
use serde::Deserialize;

mod common;
use common::{Bodies, COUNTING, Footprint, measure, mib, rows_wanted};

/// quick-xml's serde reads Adsterra's XML with the list spelled out: `<items>` holds `<item>`s.
#[derive(Deserialize)]
struct XmlList {
    items: XmlItems,
    #[serde(rename = "itemCount")]
    item_count: i64,
}

#[derive(Deserialize)]
struct XmlItems {
    item: Vec<StatsRow>,
}

/// What a decoder gives back: the rows it holds, or how many it streamed past.
enum Decoded {
    Whole(Vec<StatsRow>),
    Streamed(usize),
}

impl Decoded {
    fn rows(&self) -> usize {
        match self {
            Decoded::Whole(rows) => rows.len(),
            Decoded::Streamed(count) => *count,
        }
    }
}

/// One decoder: its format, its name, and a run over the bodies.
struct Case {
    format: Format,
    name: &'static str,
    /// The format's anchor: the others are shown as a ratio of it.
    anchor: bool,
    run: fn(&Bodies) -> Decoded,
}

fn whole(list: StatsList) -> Decoded {
    Decoded::Whole(list.items)
}

/// Streams rows, dropping each one as it comes.
fn streamed<E: std::fmt::Debug>(rows: impl Iterator<Item = Result<StatsRow, E>>) -> Decoded {
    let mut count = 0;
    for row in rows {
        black_box(row.expect("a row decodes"));
        count += 1;
    }
    Decoded::Streamed(count)
}

fn csv_crate_reader(body: &[u8]) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new().delimiter(b';').from_reader(body)
}

const CASES: &[Case] = &[
    Case {
        format: Format::Json,
        name: "serde_json::from_slice",
        anchor: true,
        run: |b| whole(serde_json::from_slice(&b.json).expect("JSON decodes")),
    },
    Case {
        format: Format::Json,
        name: "sonic_rs::from_slice",
        anchor: false,
        run: |b| whole(sonic_rs::from_slice(&b.json).expect("JSON decodes")),
    },
    Case {
        format: Format::Json,
        name: "adsterra_formats::decode",
        anchor: false,
        run: |b| whole(adsterra_formats::decode(Format::Json, &b.json).expect("JSON decodes")),
    },
    Case {
        format: Format::Json,
        name: "adsterra_formats::json::rows (streaming)",
        anchor: false,
        run: |b| streamed(adsterra_formats::json::rows(b.json.as_slice())),
    },
    Case {
        format: Format::Csv,
        name: "csv crate, deserialize (streaming)",
        anchor: true,
        run: |b| streamed(csv_crate_reader(&b.csv).deserialize()),
    },
    Case {
        format: Format::Csv,
        name: "csv crate, deserialize (collected)",
        anchor: false,
        run: |b| {
            let rows: Result<Vec<StatsRow>, _> = csv_crate_reader(&b.csv).deserialize().collect();
            Decoded::Whole(rows.expect("rows decode"))
        },
    },
    Case {
        format: Format::Csv,
        name: "adsterra_formats::csv::rows (streaming)",
        anchor: false,
        run: |b| streamed(adsterra_formats::csv::rows(b.csv.as_slice())),
    },
    Case {
        format: Format::Csv,
        name: "adsterra_formats::decode",
        anchor: false,
        run: |b| whole(adsterra_formats::decode(Format::Csv, &b.csv).expect("CSV decodes")),
    },
    Case {
        format: Format::Xml,
        name: "quick_xml::de::from_str",
        anchor: true,
        run: |b| {
            let text = std::str::from_utf8(&b.xml).expect("UTF-8");
            let list: XmlList = quick_xml::de::from_str(text).expect("XML decodes");
            black_box(list.item_count);
            Decoded::Whole(list.items.item)
        },
    },
    Case {
        format: Format::Xml,
        name: "adsterra_formats::xml::rows (streaming)",
        anchor: false,
        run: |b| streamed(adsterra_formats::xml::rows(b.xml.as_slice())),
    },
    Case {
        format: Format::Xml,
        name: "adsterra_formats::decode",
        anchor: false,
        run: |b| whole(adsterra_formats::decode(Format::Xml, &b.xml).expect("XML decodes")),
    },
];

/// The words given after `--`, flags left out.
fn words() -> Vec<String> {
    std::env::args()
        .skip(1)
        .filter(|arg| !arg.starts_with("--"))
        .collect()
}

/// The cases the command line picks: every one whose "format decoder" contains one of the
/// words given after `--` (all of them when none is given).
fn chosen() -> Vec<&'static Case> {
    let words = words();
    CASES
        .iter()
        .filter(|case| {
            let label = format!("{} {}", case.format.extension(), case.name);
            words.is_empty() || words.iter().any(|word| label.contains(word.as_str()))
        })
        .collect()
}

fn body(bodies: &Bodies, format: Format) -> &[u8] {
    match format {
        Format::Json => &bodies.json,
        Format::Csv => &bodies.csv,
        Format::Xml => &bodies.xml,
    }
}

fn runs_wanted() -> usize {
    std::env::var("ADSTERRA_BENCH_RUNS").map_or(5, |n| {
        n.parse().expect("ADSTERRA_BENCH_RUNS is a number of runs")
    })
}

fn dump(bodies: &Bodies) {
    let Ok(dir) = std::env::var("ADSTERRA_BENCH_DUMP") else {
        return;
    };
    std::fs::create_dir_all(&dir).expect("the dump folder can be made");
    for format in Format::ALL {
        let path = format!("{dir}/stats.{}", format.extension());
        std::fs::write(&path, body(bodies, format)).expect("the body can be written");
        println!("wrote {path}");
    }
}

/// Peak and kept memory of every case, one run each.
fn memory(bodies: &Bodies) {
    println!("peak memory (MiB asked of the allocator above the live baseline; the body is");
    println!("already in memory and not counted; kept = the result, before it is dropped)");
    println!(
        "{:<5} {:<42} {:>9} {:>9}",
        "", "decoder", "peak MiB", "kept MiB"
    );
    for case in chosen() {
        let Footprint { peak, retained, .. } = measure(|| (case.run)(bodies));
        println!(
            "{:<5} {:<42} {:>9.2} {:>9.2}",
            case.format.extension(),
            case.name,
            mib(peak),
            mib(retained)
        );
    }
    println!();
}

fn median(mut samples: Vec<f64>) -> f64 {
    samples.sort_by(f64::total_cmp);
    samples[samples.len() / 2]
}

/// Times every chosen case of each format in rounds, each round running every case once (in
/// turn starting with each), so that a slow moment of a noisy machine weighs on all of them alike; the ratio is the median
/// of each round's ratio to the anchor of the same round.
fn timings(bodies: &Bodies, runs: usize) {
    println!("decode time, median of {runs} rounds (ratio: this decoder / the format's anchor,");
    println!("paired within each round)");
    println!(
        "{:<5} {:<42} {:>9} {:>9} {:>12} {:>7}",
        "", "decoder", "seconds", "MB/s", "rows/s", "ratio"
    );
    for format in Format::ALL {
        let cases: Vec<&Case> = chosen()
            .into_iter()
            .filter(|case| case.format == format)
            .collect();
        let mut samples = vec![Vec::with_capacity(runs); cases.len()];
        for round in 0..runs {
            // Each round starts at the next case, so that no decoder always runs first (on a
            // cold cache) or right after the same other one.
            for at in (0..cases.len()).map(|i| (i + round) % cases.len()) {
                let case = cases[at];
                let started = Instant::now();
                let decoded = (case.run)(bodies);
                samples[at].push(started.elapsed().as_secs_f64());
                assert_eq!(decoded.rows(), bodies.rows, "{} read every row", case.name);
            }
        }
        let anchor = cases.iter().position(|case| case.anchor);
        for (case, times) in cases.iter().zip(&samples) {
            let ratio = anchor.map_or(String::new(), |anchor| {
                let rounds = times.iter().zip(&samples[anchor]).map(|(t, a)| t / a);
                format!("{:.2}x", median(rounds.collect()))
            });
            let seconds = median(times.clone());
            println!(
                "{:<5} {:<42} {seconds:>9.3} {:>9.1} {:>12.0} {ratio:>7}",
                format.extension(),
                case.name,
                body(bodies, format).len() as f64 / 1e6 / seconds,
                bodies.rows as f64 / seconds,
            );
            let _ = std::io::stdout().flush();
        }
    }
}

/// One encoder: its format, its name, and a run over the report that gives the body's length.
type Encoder = (Format, &'static str, fn(&StatsList) -> usize);

/// Our encoders, each beside the simplest correct writer there is: the `serde_json::Value` that
/// `to_value` makes of the rows, walked (by the same writer, which is as fast on a `Value` as a
/// walk of its own would be).
const ENCODERS: &[Encoder] = &[
    (Format::Json, "serde_json::to_vec", |list| {
        serde_json::to_vec(list).expect("JSON encodes").len()
    }),
    (Format::Csv, "adsterra_formats::encode", |list| {
        encoded(Format::Csv, list)
    }),
    (Format::Csv, "encode(serde_json::to_value(rows))", |list| {
        encoded(
            Format::Csv,
            &serde_json::to_value(list).expect("a JSON value"),
        )
    }),
    (Format::Xml, "adsterra_formats::encode", |list| {
        encoded(Format::Xml, list)
    }),
    (Format::Xml, "encode(serde_json::to_value(rows))", |list| {
        encoded(
            Format::Xml,
            &serde_json::to_value(list).expect("a JSON value"),
        )
    }),
];

fn encoded<T: serde::Serialize>(format: Format, value: &T) -> usize {
    adsterra_formats::encode(format, value)
        .expect("the report encodes")
        .len()
}

/// Encoding the same report from its typed rows (those of `ADSTERRA_BENCH_BODIES`' JSON body if
/// it is set): serde_json's writer is the anchor. Words after `encode` pick encoders, as cases.
fn encoding(runs: usize) {
    let list: StatsList = match bodies_from_folder() {
        Some(bodies) => serde_json::from_slice(&bodies.json).expect("JSON decodes"),
        None => {
            let rows = common::generate(rows_wanted());
            StatsList::builder()
                .item_count(rows.len() as i64)
                .items(rows)
                .try_into()
                .expect("a complete list")
        }
    };
    let words: Vec<String> = words()
        .into_iter()
        .filter(|word| word != "encode")
        .collect();
    println!();
    println!(
        "encode time of {} typed rows, median of {runs} runs (ratio: / serde_json::to_vec)",
        list.items.len()
    );
    let mut anchor = None;
    for &(format, name, encode) in ENCODERS {
        let label = format!("{} {name}", format.extension());
        if !(words.is_empty() || words.iter().any(|word| label.contains(word.as_str()))) {
            continue;
        }
        let samples = (0..runs)
            .map(|_| {
                let started = Instant::now();
                black_box(encode(&list));
                started.elapsed().as_secs_f64()
            })
            .collect();
        let seconds = median(samples);
        if format == Format::Json {
            anchor = Some(seconds);
        }
        let ratio = anchor.map_or(String::new(), |anchor| format!("{:.2}x", seconds / anchor));
        println!(
            "{:<5} {:<42} {seconds:>9.3} {ratio:>7}",
            format.extension(),
            name
        );
    }
}

/// The bodies of `ADSTERRA_BENCH_BODIES=DIR` (`DIR/stats.{json,csv,xml}`, one report in the
/// three formats), or `None` to build them.
fn bodies_from_folder() -> Option<Bodies> {
    let dir = std::env::var("ADSTERRA_BENCH_BODIES").ok()?;
    let read = |format: Format| {
        let path = format!("{dir}/stats.{}", format.extension());
        std::fs::read(&path).unwrap_or_else(|err| panic!("cannot read {path}: {err}"))
    };
    let csv = read(Format::Csv);
    // One header line, then one line per row.
    let rows = csv.iter().filter(|byte| **byte == b'\n').count() - 1;
    Some(Bodies {
        rows,
        json: read(Format::Json),
        csv,
        xml: read(Format::Xml),
    })
}

fn main() {
    let runs = if std::env::args().any(|arg| arg == "--test") {
        1
    } else {
        runs_wanted()
    };
    if words().iter().any(|word| word == "encode") {
        COUNTING.store(false, Ordering::Relaxed);
        encoding(runs);
        return;
    }
    let started = Instant::now();
    let bodies = bodies_from_folder().unwrap_or_else(|| Bodies::build(rows_wanted()));
    let n = bodies.rows;
    println!(
        "report: {n} rows by date and placement; JSON {:.1} MB, CSV {:.1} MB, XML {:.1} MB \
         (built in {:.1} s)",
        bodies.json.len() as f64 / 1e6,
        bodies.csv.len() as f64 / 1e6,
        bodies.xml.len() as f64 / 1e6,
        started.elapsed().as_secs_f64()
    );
    dump(&bodies);
    let counting = std::env::var("ADSTERRA_BENCH_COUNT_ALLOC").map_or(true, |v| v != "0");
    if counting {
        memory(&bodies);
    }
    // From here on nothing is counted (and nothing that was counted is freed as uncounted:
    // the counters are simply no longer read).
    COUNTING.store(false, Ordering::Relaxed);
    timings(&bodies, runs);
    if chosen().len() == CASES.len() {
        drop(bodies);
        encoding(runs);
    }
}
