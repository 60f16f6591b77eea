//! `adsterra verify-live` against the sandbox: a faithful sandbox confirms the spec for every
//! read of it, a deviating one shows each deviation; nothing is written and the token never
//! shows. With `--probe-legacy`, and only then, one last line says whether the legacy
//! token-in-path form is accepted, and never changes the exit code.

mod common;

use adsterra::Format;
use adsterra::operation::OPERATIONS;
use adsterra_sandbox::Config;
use adsterra_sandbox::deviations::DEVIATIONS;
use common::{TOKEN, adsterra, against, sandbox};

/// The legacy probe's line, as verify-live prints it against a sandbox, up to the outcome.
const LEGACY: &str = "legacy token-in-path URLs (/advertiser/<token>/campaigns.json): ";

/// The line of the legacy probe: the report's last.
fn legacy_line(report: &str) -> &str {
    let last = report.lines().last().unwrap_or_default();
    assert!(
        last.starts_with(LEGACY),
        "the last line is the probe's:\n{report}"
    );
    last
}

/// The row of `field` in the table of `operation`.
fn row<'a>(report: &'a str, operation: &str, field: &str) -> &'a str {
    let table = report
        .split("\n\n")
        .find(|table| table.lines().next() == Some(operation))
        .unwrap_or_else(|| panic!("no table for {operation}:\n{report}"));
    table
        .lines()
        .find(|line| line.split_whitespace().next() == Some(field))
        .unwrap_or_else(|| panic!("no row {field} in {operation}:\n{table}"))
}

#[tokio::test(flavor = "multi_thread")]
async fn a_faithful_api_confirms_every_read_of_the_spec_and_nothing_is_written() {
    let sandbox = sandbox(Config::default()).await;
    let before = sandbox.account();
    let run = against(&sandbox, &["verify-live", "--probe-legacy"]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stdout
            .contains("answers skipped: 0; deviations from the spec: 0"),
        "{}",
        run.stdout
    );
    // Every read of the spec has its table, each format answered and checked.
    for read in OPERATIONS
        .iter()
        .filter(|o| o.format == Format::Json && o.is_read())
    {
        for format in ["json", "csv", "xml"] {
            assert!(
                run.stdout
                    .split("\n\n")
                    .any(|table| table.lines().next() == Some(read.id)
                        && table.contains(&format!("{format}: confirmed"))),
                "{} in {format}:\n{}",
                read.id,
                run.stdout
            );
        }
    }
    let balance = adsterra::Endpoint::GetBalance.id();
    assert!(
        row(&run.stdout, balance, "balance").contains("xml: confirmed"),
        "{}",
        run.stdout
    );
    // Inferred fields confirmed in every format are listed for promotion.
    assert!(
        run.stdout
            .contains(&format!("{balance} balance (inferred)")),
        "{}",
        run.stdout
    );
    // The sandbox, like Adsterra for old scripts, accepts the token in the path.
    assert_eq!(legacy_line(&run.stdout), format!("{LEGACY}accepted"));
    // Every call was a read.
    assert_eq!(sandbox.writes_seen(), 0);
    assert_eq!(sandbox.account(), before);
    assert!(!run.stdout.contains(TOKEN) && !run.stderr.contains(TOKEN));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_refused_legacy_form_is_reported_on_one_line_and_keeps_exit_0() {
    // The sandbox always accepts its own token in the path; a per-minute limit that runs out
    // exactly after the reads is how it refuses the probe here (the probe is sent last).
    let counting = sandbox(Config::default()).await;
    let run = against(&counting, &["verify-live", "--probe-legacy"]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let reads = u32::try_from(counting.requests_seen() - 1).unwrap();

    let limited = sandbox(Config::default().with_rate_limit_per_minute(reads)).await;
    let run = against(&limited, &["verify-live", "--probe-legacy", "--verbose"]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stdout
            .contains("answers skipped: 0; deviations from the spec: 0"),
        "{}",
        run.stdout
    );
    assert_eq!(
        legacy_line(&run.stdout),
        format!("{LEGACY}refused (429 Too many requests)")
    );
    assert_eq!(limited.requests_seen(), u64::from(reads) + 1, "sent once");
    // The probe is logged by its operation, never by its path.
    assert!(
        run.stderr.contains("adsterra.legacy_probe"),
        "{}",
        run.stderr
    );
    assert!(!run.stdout.contains(TOKEN) && !run.stderr.contains(TOKEN));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_deviating_api_shows_each_deviation_in_every_format() {
    let sandbox = sandbox(Config::default().with_deviations(true)).await;
    let run = against(&sandbox, &["verify-live", "--probe-legacy"]);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains("deviation(s) from the spec"),
        "{}",
        run.stderr
    );
    for (endpoint, field, how) in DEVIATIONS {
        let line = row(&run.stdout, endpoint.id(), field);
        for format in ["json", "csv", "xml"] {
            assert!(
                line.contains(&format!("{format}: {how}")),
                "{endpoint:?} {field}: {line}"
            );
        }
    }
    // A wrong type says what came instead.
    assert!(
        run.stdout
            .contains("items[].ctr in csv: expected number (double), found \""),
        "{}",
        run.stdout
    );
    assert_eq!(sandbox.writes_seen(), 0);
    // Deviations decide the exit code; the legacy line is there all the same.
    assert_eq!(legacy_line(&run.stdout), format!("{LEGACY}accepted"));
    assert!(!run.stdout.contains(TOKEN) && !run.stderr.contains(TOKEN));
}

#[tokio::test(flavor = "multi_thread")]
async fn without_probe_legacy_no_request_puts_the_token_in_a_url() {
    let asked = sandbox(Config::default()).await;
    let run = against(&asked, &["verify-live", "--probe-legacy"]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);

    let unasked = sandbox(Config::default()).await;
    let run = against(&unasked, &["verify-live", "--verbose"]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(!run.stdout.contains(LEGACY), "{}", run.stdout);
    assert!(
        !run.stderr.contains("adsterra.legacy_probe"),
        "{}",
        run.stderr
    );
    // The same reads, and not the probe's request.
    assert_eq!(unasked.requests_seen(), asked.requests_seen() - 1);
}

#[test]
fn without_a_token_it_says_where_the_token_goes() {
    let run = adsterra(&["verify-live"], &[], "");
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert!(run.stderr.contains("ADSTERRA_API_KEY"), "{}", run.stderr);
}
