//! Snapshots of what the pipeline produces. Review changes with `cargo insta review`.

use adsterra_codegen::{generate, inventory, lint, lower};
use adsterra_tests::{fixture, spec};

#[test]
fn lowered_spec() {
    let lowered = lower(&spec()).expect("the spec lowers");
    insta::assert_json_snapshot!("lowered_spec", lowered);
}

#[test]
fn operation_inventory() {
    let lowered = lower(&spec()).expect("the spec lowers");
    insta::assert_snapshot!(
        "operation_inventory",
        inventory::table(&inventory::entries(&lowered))
    );
}

/// The counts of the spec (endpoints, operations per format and resource, evidence) are
/// reviewed here, where a change shows as a diff, rather than pinned in assertions.
#[test]
fn generation_summary() {
    let source = spec();
    let lowered = lower(&source).expect("the spec lowers");
    insta::assert_snapshot!("generation_summary", inventory::summary(&source, &lowered));
}

#[test]
fn code_generated_from_the_small_fixture() {
    let lowered = lower(&fixture("small.yaml")).expect("the fixture lowers");
    insta::assert_json_snapshot!("small_fixture_lowered", lowered);
    let code = generate(&lowered).expect("the fixture generates");
    insta::assert_snapshot!("small_fixture_generated", code);
}

#[test]
fn lint_report_on_known_violations() {
    let report: Vec<String> = lint(&fixture("lint-violations.yaml"))
        .iter()
        .map(ToString::to_string)
        .collect();
    insta::assert_snapshot!("lint_report", report.join("\n"));

    // Each rule fires at least once, so a rule that silently stops working fails this test.
    for rule in [
        "openapi-version",
        "operation-id",
        "summary",
        "tags",
        "evidence",
        "property-evidence",
        "json-example",
        "shared-errors",
        "default-response",
        "additional-properties-false",
        "retry-class",
        "path-id-link",
        "evidence-over-claim",
        "present-when",
        "no-filter",
        "parameter-pattern",
        "redact",
    ] {
        assert!(
            report
                .iter()
                .any(|line| line.contains(&format!("[{rule}]"))),
            "rule {rule} did not fire:\n{}",
            report.join("\n")
        );
    }
}

#[test]
fn the_small_fixture_and_the_spec_pass_the_lint() {
    assert_eq!(lint(&fixture("small.yaml")), vec![]);
    assert_eq!(lint(&spec()), vec![]);
}
