//! `adsterra api`: any operation of the spec by its operationId, checked against the spec
//! before sending, printed in every output, with dry runs and the usual exit codes.

mod common;

use adsterra::operation::OPERATIONS;
use adsterra::{Endpoint, Format};
use adsterra_sandbox::Config;
use common::{TOKEN, against, sandbox, sandboxed};
use serde_json::Value;

#[test]
fn the_list_names_every_endpoint_of_the_spec() {
    let run = sandboxed(&["api", "--list", "-o", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let listed: Vec<Value> = serde_json::from_str(&run.stdout).unwrap();
    let endpoints: Vec<&str> = Endpoint::ALL.iter().map(|e| e.id()).collect();
    let names: Vec<&str> = listed
        .iter()
        .map(|row| row["operation"].as_str().unwrap())
        .collect();
    assert_eq!(names, endpoints);
    let stats = &listed[endpoints
        .iter()
        .position(|e| *e == Endpoint::GetStats.id())
        .unwrap()];
    assert_eq!(stats["method"], "GET");
    assert_eq!(stats["path"], "/stats.{format}");
    assert_eq!(stats["retry"], "readonly");
}

#[test]
fn every_read_answers_the_same_values_in_every_format() {
    let stats = Endpoint::GetStats.id();
    let args = |format: &'static str| {
        vec![
            "api",
            stats,
            "-p",
            "start_date=2026-11-01",
            "-p",
            "finish_date=2026-11-03",
            "-p",
            "group_by[]=date",
            "-p",
            "group_by[]=placement",
            "--format",
            format,
            "-o",
            "json",
        ]
    };
    let json = sandboxed(&args("json"));
    assert_eq!(json.code, 0, "{}", json.stderr);
    let value: Value = serde_json::from_str(&json.stdout).unwrap();
    assert!(value["items"].as_array().unwrap().len() > 3);
    for format in ["csv", "xml"] {
        let run = sandboxed(&args(format));
        assert_eq!(run.code, 0, "{}", run.stderr);
        let other: Value = serde_json::from_str(&run.stdout).unwrap();
        // CSV carries no itemCount; every row is the same value.
        assert_eq!(other["items"], value["items"], "{format}");
    }
    // A list prints one CSV row per item.
    let mut csv = args("json");
    csv.truncate(csv.len() - 1);
    csv.push("csv");
    let run = sandboxed(&csv);
    assert_eq!(
        run.stdout.lines().count() - 1,
        value["items"].as_array().unwrap().len()
    );
    assert!(
        run.stdout.starts_with("date,placement,impressions"),
        "{}",
        run.stdout
    );
}

#[test]
fn raw_prints_adsterras_answer_in_the_format_asked() {
    let run = sandboxed(&[
        "api",
        Endpoint::GetBalance.id(),
        "-o",
        "raw",
        "--format",
        "xml",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("<balance>"), "{}", run.stdout);
}

#[test]
fn parameters_and_bodies_are_checked_against_the_spec_before_sending() {
    let stats = Endpoint::GetStats.id();
    let activity = Endpoint::UpdateCampaignActivity.id();
    let mut printed = String::new();
    for args in [
        &["api", stats, "-p", "start_date=2026-11-01"][..],
        &[
            "api",
            stats,
            "-p",
            "start_date=2026-11-01",
            "-p",
            "finish_date=soon",
        ],
        &["api", stats, "-p", "start=2026-11-01"],
        &["api", stats, "-p", "group_by[]=week"],
        &[
            "api",
            activity,
            "-p",
            "campaign_id=1463700",
            "--body",
            r#"{"active":"yes"}"#,
        ],
        &["api", activity, "-p", "campaign_id=1463700"],
    ] {
        let run = sandboxed(args);
        assert_eq!(run.code, 5, "{args:?}: {}", run.stderr);
        printed.push_str(&format!("$ adsterra {}\n{}\n", args.join(" "), run.stderr));
    }
    for args in [
        &["api", "get_everything"][..],
        &["api", stats, "-p", "start_date"],
        &[
            "api",
            activity,
            "-p",
            "campaign_id=1",
            "--body",
            "{not json",
        ],
    ] {
        let run = sandboxed(args);
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        printed.push_str(&format!("$ adsterra {}\n{}\n", args.join(" "), run.stderr));
    }
    insta::assert_snapshot!(printed);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_write_is_sent_once_or_only_planned_with_dry_run() {
    let sandbox = sandbox(Config::default()).await;
    let campaign = *sandbox.account().campaigns.keys().next().unwrap();
    let id = format!("campaign_id={campaign}");
    let activity = Endpoint::UpdateCampaignActivity.id();
    let body = r#"{"active": false}"#;

    let plan = against(
        &sandbox,
        &["api", activity, "-p", &id, "--body", body, "--dry-run"],
    );
    assert_eq!(plan.code, 0, "{}", plan.stderr);
    assert_eq!(sandbox.writes_seen(), 0);
    assert!(
        plan.stdout.contains(&format!(
            "PATCH {}/campaign/{campaign}.json",
            sandbox.base_url()
        )),
        "{}",
        plan.stdout
    );
    assert!(plan.stdout.contains("X-API-Key: ********") && !plan.stdout.contains(TOKEN));

    let run = against(
        &sandbox,
        &["api", activity, "-p", &id, "--body", body, "-o", "json"],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(sandbox.writes_seen(), 1);
    let answer: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(answer["id"], campaign);
    assert_eq!(sandbox.account().campaigns[&campaign].active, Some(1));
}

#[tokio::test(flavor = "multi_thread")]
async fn answers_the_api_refuses_exit_as_every_command_does() {
    let sandbox = sandbox(Config::default()).await;
    let get_campaign = Endpoint::GetCampaign.operation(Format::Csv).id;
    let run = against(&sandbox, &["api", get_campaign, "-p", "campaign_id=99"]);
    assert_eq!(run.code, 4, "{}", run.stderr);
    assert!(run.stderr.contains(get_campaign), "{}", run.stderr);
    // Every operation of the table is callable by its lowered id too.
    assert!(OPERATIONS.iter().any(|o| o.id == get_campaign));
}
