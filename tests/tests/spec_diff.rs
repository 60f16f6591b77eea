//! The API change report: each rule, shown by a pair of fixture specs (tests/fixtures/diff/),
//! classified as breaking or not for clients generated from the old spec.

use adsterra_codegen::diff::{Report, diff};
use serde_json::Value;

fn fixture(name: &str) -> Value {
    adsterra_tests::fixture(&format!("diff/{name}.yaml"))
}

/// Every change of the report as `breaking: ...` / `not breaking: ...` lines.
fn lines(report: &Report) -> Vec<String> {
    report
        .changes
        .iter()
        .map(|c| format!("{}: {}: {}", c.severity, c.operation, c.what))
        .collect()
}

#[test]
fn each_rule_is_classified_from_the_clients_side() {
    // (old, new, breaking changes, changes in all)
    let cases = [
        ("base", "operation-removed", 1, 1),
        ("operation-removed", "base", 0, 1),
        ("base", "operation-moved", 1, 1),
        ("base", "parameter-removed", 1, 1),
        ("base", "parameter-added-optional", 0, 1),
        ("base", "parameter-added-required", 1, 1),
        ("base", "parameter-now-required", 1, 1),
        ("parameter-now-required", "base", 0, 1),
        ("base", "request-enum-narrowed", 1, 1),
        ("request-enum-narrowed", "base", 0, 1),
        ("base", "request-field-added-required", 1, 1),
        ("base", "request-field-added-optional", 0, 1),
        ("base", "request-field-removed", 1, 1),
        // Campaign appears in both operations' answers: one change each.
        ("base", "response-field-added-optional", 0, 2),
        ("response-field-added-optional", "base", 2, 2),
        ("base", "response-field-no-longer-required", 2, 2),
        ("base", "type-changed", 2, 2),
        ("base", "format-changed", 2, 2),
        ("base", "response-nullable", 2, 2),
        ("base", "response-enum-widened", 2, 2),
        ("response-enum-widened", "base", 0, 2),
        ("base", "response-removed", 1, 1),
        ("response-removed", "base", 0, 1),
        ("base", "description-only", 0, 0),
        ("base", "base", 0, 0),
    ];
    let mut printed = String::new();
    for (old, new, breaking, all) in cases {
        let report = diff(&fixture(old), &fixture(new));
        let lines = lines(&report);
        assert_eq!(
            (report.breaking(), report.changes.len()),
            (breaking, all),
            "{old} -> {new}: {lines:#?}"
        );
        printed.push_str(&format!("{old} -> {new}\n"));
        for line in lines {
            printed.push_str(&format!("  {line}\n"));
        }
    }
    insta::assert_snapshot!(printed);
}

#[test]
fn the_report_reads_as_a_changelog() {
    let report = diff(&fixture("base"), &fixture("request-enum-narrowed"));
    insta::assert_snapshot!(report.to_string());
    let none = diff(&fixture("base"), &fixture("description-only"));
    assert_eq!(none.to_string(), "no API changes\n");
}

#[test]
fn renaming_a_field_of_the_real_spec_breaks_every_answer_that_carries_it() {
    let old = adsterra_tests::spec();
    let text = serde_json::to_string(&old)
        .unwrap()
        .replace("\"i2c\"", "\"i2c_rate\"");
    let new: Value = serde_json::from_str(&text).unwrap();
    let report = diff(&old, &new);
    // StatsRow.i2c is in get_stats's answer only: removed there, and the new name added.
    assert_eq!(report.breaking(), 1, "{report}");
    assert!(
        report.to_string().contains("field `items[].i2c` removed"),
        "{report}"
    );
    assert!(
        report
            .to_string()
            .contains("field `items[].i2c_rate` added"),
        "{report}"
    );
}
