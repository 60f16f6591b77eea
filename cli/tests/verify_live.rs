//! `adsterra verify-live` against the sandbox: a faithful sandbox confirms the spec for every
//! read of it, a deviating one shows each deviation; nothing is written and the token never
//! shows.

mod common;

use adsterra::Format;
use adsterra::operation::OPERATIONS;
use adsterra_sandbox::Config;
use adsterra_sandbox::deviations::DEVIATIONS;
use common::{TOKEN, adsterra, against, sandbox};

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
    let run = against(&sandbox, &["verify-live"]);
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
    // Every call was a read.
    assert_eq!(sandbox.writes_seen(), 0);
    assert_eq!(sandbox.account(), before);
    assert!(!run.stdout.contains(TOKEN) && !run.stderr.contains(TOKEN));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_deviating_api_shows_each_deviation_in_every_format() {
    let sandbox = sandbox(Config {
        deviate: true,
        ..Config::default()
    })
    .await;
    let run = against(&sandbox, &["verify-live"]);
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
    assert!(!run.stdout.contains(TOKEN) && !run.stderr.contains(TOKEN));
}

#[test]
fn without_a_token_it_says_where_the_token_goes() {
    let run = adsterra(&["verify-live"], &[], "");
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert!(run.stderr.contains("ADSTERRA_API_KEY"), "{}", run.stderr);
}
