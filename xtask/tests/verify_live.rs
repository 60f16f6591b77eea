//! `cargo xtask verify-live` against the sandbox: a faithful sandbox confirms the spec, a
//! deviating one shows each deviation; nothing is written and the token never shows.

use std::process::Command;

use adsterra_sandbox::deviations::DEVIATIONS;
use adsterra_sandbox::{Config, Sandbox};

const TOKEN: &str = "5b8e2f1a9c3d47e6b0a4c8f2e6d1b3a7";

struct Run {
    stdout: String,
    stderr: String,
    code: i32,
}

fn verify_live(sandbox: Option<&Sandbox>) -> Run {
    let mut command = Command::new(env!("CARGO_BIN_EXE_xtask"));
    command
        .arg("verify-live")
        .env_remove("ADSTERRA_API_KEY")
        .env_remove("ADSTERRA_BASE_URL");
    if let Some(sandbox) = sandbox {
        command
            .args(["--base-url", sandbox.base_url()])
            .env("ADSTERRA_API_KEY", TOKEN);
    }
    let output = command.output().unwrap();
    Run {
        stdout: String::from_utf8(output.stdout).unwrap(),
        stderr: String::from_utf8(output.stderr).unwrap(),
        code: output.status.code().unwrap(),
    }
}

async fn sandbox(deviate: bool) -> Sandbox {
    Sandbox::start(Config {
        token: Some(TOKEN.to_owned()),
        deviate,
        ..Config::default()
    })
    .await
    .unwrap()
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
async fn a_faithful_api_confirms_the_spec_and_nothing_is_written() {
    let sandbox = sandbox(false).await;
    let before = sandbox.account();
    let run = verify_live(Some(&sandbox));
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains("deviations from the spec: 0"),
        "{}",
        run.stdout
    );
    for (operation, field) in [
        ("get_balance", "balance"),
        ("get_campaigns", "items[].id"),
        ("get_stats", "items[].spent"),
        ("get_campaign_blacklist", "placement_ids"),
        ("get_custom_bids", "items[].price"),
    ] {
        let line = row(&run.stdout, operation, field);
        for format in ["json", "csv", "xml"] {
            assert!(line.contains(&format!("{format}: confirmed")), "{line}");
        }
    }
    // Inferred fields confirmed in every format are listed for promotion.
    assert!(
        run.stdout.contains("get_balance balance (inferred)"),
        "{}",
        run.stdout
    );
    // Every call was a read.
    assert_eq!(sandbox.writes_seen(), 0);
    assert!(sandbox.requests_seen() >= 30);
    assert_eq!(sandbox.account(), before);
    assert!(!run.stdout.contains(TOKEN) && !run.stderr.contains(TOKEN));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_deviating_api_shows_each_deviation_in_every_format() {
    let sandbox = sandbox(true).await;
    let run = verify_live(Some(&sandbox));
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    for (operation, field, how) in DEVIATIONS {
        let line = row(&run.stdout, operation, field);
        for format in ["json", "csv", "xml"] {
            assert!(
                line.contains(&format!("{format}: {how}")),
                "{operation} {field}: {line}"
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
    let run = verify_live(None);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("ADSTERRA_API_KEY is not set"),
        "{}",
        run.stderr
    );
}
