//! What the commands print against the sandbox: tables, JSON, NDJSON and CSV made from the
//! typed values, Adsterra's own bytes with `--output raw`, and writes with their dry runs.

mod common;

use common::{against, port_filter, sandbox, sandboxed};

fn ok(run: common::Run) -> String {
    assert_eq!(run.code, 0, "{}", run.stderr);
    run.stdout
}

#[test]
fn campaigns_as_table_json_and_csv() {
    insta::assert_snapshot!(ok(sandboxed(&["campaigns", "list", "-o", "table"])));
    insta::assert_snapshot!(ok(sandboxed(&["campaigns", "list", "-o", "csv"])));
    let json = ok(sandboxed(&["campaigns", "list", "-o", "json"]));
    insta::assert_snapshot!(json);
    // Whatever format travels, the values printed are the same.
    for format in ["csv", "xml"] {
        let other = ok(sandboxed(&[
            "campaigns",
            "list",
            "-o",
            "json",
            "--format",
            format,
        ]));
        assert_eq!(other, json, "{format}");
    }
    // `campaigns` alone lists them too.
    assert_eq!(ok(sandboxed(&["campaigns", "-o", "json"])), json);
    // NDJSON: the same objects, one per line.
    let ndjson = ok(sandboxed(&["campaigns", "list", "-o", "ndjson"]));
    let lines: Vec<serde_json::Value> = ndjson
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    let array: Vec<serde_json::Value> = serde_json::from_str(&json).unwrap();
    assert_eq!(lines, array);
}

#[test]
fn the_readme_demo_stats_by_date_and_campaign() {
    let args = [
        "stats",
        "--group-by",
        "date,campaign",
        "--since",
        "2025-01-01",
        "--until",
        "2025-01-31",
    ];
    let mut table = args.to_vec();
    table.extend(["-o", "table"]);
    insta::assert_snapshot!(ok(sandboxed(&table)));
    // The aliases and the repeated flag mean the same.
    let mut csv = args.to_vec();
    csv.extend(["-o", "csv"]);
    let expected = ok(sandboxed(&csv));
    let same = ok(sandboxed(&[
        "stats",
        "--group-by",
        "date",
        "--group-by",
        "campaign",
        "--start-date",
        "2025-01-01",
        "--finish-date",
        "2025-01-31",
        "-o",
        "csv",
    ]));
    assert_eq!(same, expected);
    let rows: Vec<&str> = expected.lines().skip(1).collect();
    assert!(rows.len() > 31, "{} rows", rows.len());
    assert!(rows.iter().all(|row| row.starts_with("2025-01-")));
}

#[test]
fn stats_in_json_and_csv_with_filters() {
    let args = [
        "stats",
        "--since",
        "2026-11-20",
        "--until",
        "2026-11-22",
        "--group-by",
        "country",
        "--campaign",
        "1463724",
        "--country",
        "US",
    ];
    let mut json = args.to_vec();
    json.extend(["-o", "json"]);
    insta::assert_snapshot!(ok(sandboxed(&json)));
    let mut csv = args.to_vec();
    csv.extend(["-o", "csv"]);
    insta::assert_snapshot!(ok(sandboxed(&csv)));
}

#[test]
fn long_stats_exports_stream_the_same_rows_they_collect() {
    let args = [
        "stats",
        "--since",
        "2026-09-01",
        "--until",
        "2026-11-27",
        "--group-by",
        "date,placement",
        "--window-days",
        "30",
    ];
    fn with<'a>(args: &[&'a str], extra: &[&'a str]) -> Vec<&'a str> {
        [args, extra].concat()
    }
    // `-o json` collects the rows, then prints them.
    let collected: Vec<serde_json::Value> =
        serde_json::from_str(&ok(sandboxed(&with(&args, &["-o", "json"])))).unwrap();
    assert!(collected.len() > 10_000, "{} rows", collected.len());
    // `-o ndjson` and `-o csv` stream them as they arrive, in every format asked of Adsterra.
    let ndjson = ok(sandboxed(&with(
        &args,
        &["-o", "ndjson", "--format", "xml"],
    )));
    let streamed: Vec<serde_json::Value> = ndjson
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(streamed, collected);
    let csv = ok(sandboxed(&with(&args, &["-o", "csv"])));
    assert_eq!(
        csv.lines().count(),
        collected.len() + 1,
        "a header and every row"
    );
    for format in ["csv", "xml"] {
        let streamed = sandboxed(&with(&args, &["-o", "csv", "--format", format]));
        assert_eq!(streamed.code, 0, "{}", streamed.stderr);
        assert_eq!(streamed.stdout, csv, "{format}");
        // stderr is not a terminal here: no progress bar, nothing at all.
        assert_eq!(streamed.stderr, "");
    }
}

#[test]
fn balance_bids_and_lists_in_every_output() {
    for output in ["table", "json", "ndjson", "csv"] {
        let mut printed = String::new();
        for args in [
            &["balance"][..],
            &["blacklist", "list", "1463700"],
            &["whitelist", "list", "1463703"],
            &["bids", "list", "1463700"],
            &["campaign", "banners", "1463700"],
            &["campaign", "landings", "1463700"],
        ] {
            let mut all = args.to_vec();
            all.extend(["-o", output]);
            printed.push_str(&format!("$ adsterra {}\n", all.join(" ")));
            printed.push_str(&ok(sandboxed(&all)));
        }
        insta::assert_snapshot!(format!("everyday_{output}"), printed);
    }
}

#[test]
fn raw_output_is_adsterras_own_answer_in_each_format() {
    let mut printed = String::new();
    for format in ["json", "csv", "xml"] {
        let raw = ok(sandboxed(&[
            "bids", "list", "1463700", "-o", "raw", "--format", format,
        ]));
        printed.push_str(&format!("--- {format}\n{raw}\n"));
    }
    insta::assert_snapshot!(printed);
    // A range longer than one request has no single answer to print.
    let run = sandboxed(&[
        "stats",
        "--since",
        "2024-01-01",
        "--until",
        "2025-06-30",
        "-o",
        "raw",
    ]);
    assert_eq!(run.code, 2, "{}", run.stderr);
}

#[tokio::test(flavor = "multi_thread")]
async fn writes_print_the_state_after_and_dry_runs_change_nothing() {
    let sandbox = sandbox(Default::default()).await;
    let campaign = "1463700";
    let run = |args: &[&str]| ok(against(&sandbox, args));
    let state = || {
        [
            &["campaign", "get", campaign][..],
            &["blacklist", "list", campaign],
            &["whitelist", "list", "1463703"],
            &["bids", "list", campaign],
        ]
        .map(&run)
    };
    let before = state();

    let mut printed = String::new();
    for args in [
        &["campaign", "pause", campaign, "--dry-run"][..],
        &["banner", "resume", "6999000", "--dry-run"],
        &[
            "blacklist",
            "add",
            campaign,
            "15413270",
            "15413299",
            "--dry-run",
        ],
        &["blacklist", "remove", campaign, "15413270", "--dry-run"],
        &["blacklist", "replace", campaign, "15413299", "--dry-run"],
        &["blacklist", "clear", campaign, "--dry-run"],
        &["blacklist", "sync", campaign, "15413299", "--dry-run"],
        &["whitelist", "sync", "1463703", "15413299", "--dry-run"],
        &[
            "bids",
            "set",
            campaign,
            "15413270=0.4",
            "15413299=0.25",
            "--dry-run",
        ],
        &["bids", "update", campaign, "15413299=0.3", "--dry-run"],
        &["bids", "remove", campaign, "15413270", "--dry-run"],
        &["bids", "clear", campaign, "--dry-run"],
    ] {
        printed.push_str(&format!("$ adsterra {}\n{}", args.join(" "), run(args)));
    }
    port_filter().bind(|| insta::assert_snapshot!("dry_runs", printed));
    assert_eq!(state(), before);

    // The same writes for real: each prints the state after it.
    let mut printed = String::new();
    for args in [
        &["campaign", "pause", campaign, "-o", "csv"][..],
        &["campaign", "resume", campaign, "-o", "csv"],
        &[
            "blacklist",
            "add",
            campaign,
            "15413270",
            "15413299",
            "-o",
            "csv",
        ],
        &["blacklist", "remove", campaign, "15413270", "-o", "csv"],
        &[
            "bids",
            "set",
            campaign,
            "15413270=0.4",
            "15413299=0.25",
            "-o",
            "csv",
        ],
        &["bids", "update", campaign, "15413299=0.3", "-o", "csv"],
        &["bids", "remove", campaign, "15413270", "-o", "csv"],
        &["bids", "clear", campaign, "--yes", "-o", "csv"],
        &["blacklist", "clear", campaign, "--yes", "-o", "csv"],
    ] {
        printed.push_str(&format!("$ adsterra {}\n{}", args.join(" "), run(args)));
    }
    insta::assert_snapshot!("writes", printed);
}

#[tokio::test(flavor = "multi_thread")]
async fn sync_from_a_file_shows_the_difference_then_applies_it() {
    let sandbox = sandbox(Default::default()).await;
    let campaign = "1463703";
    let dir = std::env::temp_dir().join(format!("adsterra-cli-sync-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("blacklist.txt");
    std::fs::write(
        &file,
        "# placements we never buy\n15413270, 15413271\n15413272 # low quality\n\n",
    )
    .unwrap();
    let file = file.to_str().unwrap();

    let run = against(
        &sandbox,
        &["blacklist", "sync", campaign, "--file", file, "-o", "csv"],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    insta::assert_snapshot!("sync_stdout", run.stdout);
    insta::assert_snapshot!("sync_stderr", run.stderr);
    let list = against(&sandbox, &["blacklist", "list", campaign, "-o", "csv"]);
    assert_eq!(list.stdout, "placement\n15413270\n15413271\n15413272\n");

    // Run again: nothing to change, nothing sent but the read.
    let again = against(
        &sandbox,
        &["blacklist", "sync", campaign, "--file", file, "-o", "json"],
    );
    assert_eq!((again.code, again.stdout.as_str()), (0, "[]\n"));

    // From stdin, to an empty list: that is a clear, which needs --yes off a terminal.
    let empty = common::adsterra(
        &["blacklist", "sync", campaign, "--file", "-"],
        &[
            ("ADSTERRA_API_KEY", common::TOKEN),
            ("ADSTERRA_BASE_URL", sandbox.base_url()),
        ],
        "# nothing\n",
    );
    assert_eq!(empty.code, 2, "{}", empty.stderr);
    assert!(empty.stderr.contains("--yes"), "{}", empty.stderr);
    std::fs::remove_dir_all(&dir).unwrap();
}
