//! Rust-side semver of the generated crate: a program written against it keeps compiling when
//! the spec changes additively (an optional response field, an optional parameter, a new
//! operation), and stops compiling when a change breaks it; the API change report agrees.
//!
//! The test copies the workspace into target/semver-check/, regenerates the client there from an
//! edited spec, and runs `cargo check` on the crate's example program
//! (generated/examples/raw_client.rs), with its own target folder so it never waits on the
//! build that runs it.

use std::path::{Path, PathBuf};
use std::process::Command;

use adsterra_codegen::derived;
use adsterra_codegen::diff::diff;
use adsterra_tests::support::copy_workspace;
use adsterra_tests::{spec, workspace_root};
use serde_json::{Value, json};

/// The spec with optional additions only.
fn additive(mut spec: Value) -> Value {
    let campaign = spec
        .pointer_mut("/components/schemas/Campaign/properties")
        .and_then(Value::as_object_mut)
        .unwrap();
    campaign.insert(
        "geo".into(),
        json!({"type": "string", "description": "Targeted countries.",
               "x-adsterra-evidence": "inferred", "x-adsterra-source": "semver test"}),
    );
    let stats = spec
        .pointer_mut("/components/schemas/StatsList/properties")
        .and_then(Value::as_object_mut)
        .unwrap();
    stats.insert(
        "timezone".into(),
        json!({"type": "string", "description": "The stats' time zone.",
               "x-adsterra-evidence": "inferred", "x-adsterra-source": "semver test"}),
    );
    let parameters = spec
        .pointer_mut("/paths/~1campaigns.{format}/get/parameters")
        .and_then(Value::as_array_mut);
    let state = json!({"name": "state", "in": "query", "required": false,
                       "description": "Only campaigns in this state.",
                       "schema": {"type": "integer"}});
    match parameters {
        Some(parameters) => parameters.push(state),
        None => {
            spec["paths"]["/campaigns.{format}"]["get"]["parameters"] = json!([state]);
        }
    }
    // The house rule: an operation with query parameters describes Adsterra's 422.
    spec["paths"]["/campaigns.{format}"]["get"]["responses"]["422"] =
        json!({"$ref": "#/components/responses/ValidationFailed"});
    // A new operation: the campaign's landings again, under another path and operationId.
    let paths = spec["paths"].as_object_mut().unwrap();
    let mut copy = paths["/campaign/{campaign_id}/landings.{format}"].clone();
    copy["get"]["operationId"] = json!("get_campaign_landing_pages");
    paths.insert(
        "/campaign/{campaign_id}/landing_pages.{format}".into(),
        copy,
    );
    spec
}

/// The spec without `Campaign.alias`, which the example reads.
fn breaking(mut spec: Value) -> Value {
    let campaign = &mut spec["components"]["schemas"]["Campaign"];
    campaign["properties"]
        .as_object_mut()
        .unwrap()
        .shift_remove("alias");
    if let Some(required) = campaign["required"].as_array_mut() {
        required.retain(|name| name != "alias");
    }
    spec
}

/// A copy of the workspace's sources under target/semver-check/ws.
fn scratch_workspace() -> PathBuf {
    let root = workspace_root();
    let scratch = root.join("target/semver-check/ws");
    let _ = std::fs::remove_dir_all(&scratch);
    copy_workspace(&scratch);
    scratch
}

/// Regenerates the client in `scratch` from `spec`, then checks the example program against
/// it; returns whether it compiled, and the compiler's messages.
fn example_compiles_against(scratch: &Path, spec: &Value) -> (bool, String) {
    let (_, files) = derived::derive(spec).unwrap_or_else(|e| panic!("{e}"));
    // The generated crate's files: the raw client and the operation table.
    for file in files.iter().filter(|f| f.path.starts_with("generated/")) {
        std::fs::write(scratch.join(file.path), &file.content).unwrap();
    }
    let output = Command::new(env!("CARGO"))
        .args([
            "check",
            "--offline",
            "--quiet",
            "--package",
            "adsterra-generated",
            "--examples",
        ])
        .current_dir(scratch)
        .env(
            "CARGO_TARGET_DIR",
            workspace_root().join("target/semver-check/target"),
        )
        .env("CARGO_TERM_COLOR", "never")
        .output()
        .unwrap();
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn additive_spec_changes_keep_user_code_compiling_and_breaking_ones_do_not() {
    let scratch = scratch_workspace();
    let current = spec();

    let added = additive(current.clone());
    let report = diff(&current, &added);
    assert_eq!(report.breaking(), 0, "{report}");
    let text = report.to_string();
    for expected in [
        "field `items[].geo` added",
        "field `timezone` added",
        "query parameter `state` added (optional)",
        "response 422 added",
        "get_campaign_landing_pages (GET /campaign/{campaign_id}/landing_pages.{format}): operation added",
    ] {
        assert!(text.contains(expected), "{expected}\n{report}");
    }
    let (compiled, messages) = example_compiles_against(&scratch, &added);
    assert!(
        compiled,
        "the example stopped compiling after an additive change:\n{messages}"
    );

    // The control: removing a field the example reads is breaking, in the report and for rustc.
    let removed = breaking(current.clone());
    let report = diff(&current, &removed);
    assert!(report.breaking() > 0, "{report}");
    assert!(
        report.to_string().contains("field `alias` removed"),
        "{report}"
    );
    let (compiled, messages) = example_compiles_against(&scratch, &removed);
    assert!(
        !compiled,
        "the example still compiled without Campaign.alias"
    );
    assert!(messages.contains("alias"), "{messages}");
}
