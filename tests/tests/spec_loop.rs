//! The loop from what the API answers to a released client, as a maintainer runs it, against a
//! sandbox whose API has moved on (`adsterra-sandbox --drift`: a new campaign field, a new stats
//! metric, a new campaign status, campaign ids as strings, a field left out of some banners).
//!
//! In a copy of the workspace: `adsterra verify-live --record --propose`, `cargo xtask spec
//! apply`, `cargo xtask generate` with the snapshots accepted. Then the regenerated client reads
//! the drifted answers with every new field typed (the command line's JSON output is the typed
//! values, so a field the types lacked would be missing from it, as it is before the loop),
//! `cargo xtask spec diff` lists exactly the changes the drift asks of the spec, each with its
//! class, its `--changelog` drafts the CHANGELOG entry, and cargo-semver-checks says what version
//! bump they need.
//!
//! It builds a copy of the workspace (target/workspace-copy/, shared with `additive.rs`), which
//! takes minutes, so it is ignored by default: `.ci/run` runs it, after installing
//! cargo-semver-checks into `.tools/cargo`.

use std::collections::BTreeSet;
use std::path::Path;

use adsterra_codegen::derived::SPEC;
use adsterra_tests::workspace_copy::{Copy, SandboxProcess, text};
use adsterra_tests::workspace_root;
use serde_json::Value;

/// What the drift asks of the spec, as `cargo xtask spec diff` words the end of each change (a
/// campaign's fields show as `created_at` or `items[].created_at`, by operation); ids sent as
/// strings and a banner field left out ask nothing (tolerant reading takes the one, the field
/// was optional already).
const EXPECTED: [&str; 3] = [
    "created_at` added",
    "active`: known values gained 5",
    "video_views` added",
];

/// The copy's `adsterra` against `sandbox`, in JSON, in every format: the first of each
/// format's answers.
fn read_as_json(copy: &Copy, sandbox: &SandboxProcess, args: &[&str]) -> Vec<Value> {
    ["json", "csv", "xml"]
        .iter()
        .map(|format| {
            let mut all = vec!["--format", format, "-o", "json"];
            all.extend_from_slice(args);
            let (stdout, stderr, code) = copy.adsterra(
                &all,
                &[
                    ("ADSTERRA_API_KEY", &sandbox.token),
                    ("ADSTERRA_BASE_URL", &sandbox.url),
                ],
            );
            assert_eq!(code, 0, "{args:?} in {format}: {stderr}");
            serde_json::from_str(&stdout).unwrap()
        })
        .collect()
}

/// Whether every answer (a list of objects) carries `field` in some item.
fn carries(answers: &[Value], field: &str) -> bool {
    answers.iter().all(|answer| {
        answer
            .as_array()
            .unwrap()
            .iter()
            .any(|item| item.get(field).is_some_and(|v| !v.is_null()))
    })
}

#[test]
#[ignore = "builds a copy of the whole workspace; .ci/run runs it"]
fn a_drifted_api_becomes_a_reviewed_spec_change_and_a_regenerated_client() {
    let copy = Copy::make();
    let build = |copy: &Copy| {
        let built = copy.cargo(
            &[
                "build",
                "--bins",
                "-p",
                "adsterra-cli",
                "-p",
                "adsterra-sandbox",
            ],
            &[],
        );
        assert!(built.status.success(), "{}", text(&built));
    };
    build(&copy);
    let sandbox = SandboxProcess::start(&copy.binary("adsterra-sandbox"), &["--drift"]);
    let campaigns = ["campaigns", "list"];
    let stats = ["stats", "--since", "2026-11-01", "--until", "2026-11-03"];
    // Before the loop the types lack the new fields: tolerant reading drops them.
    assert!(!carries(
        &read_as_json(&copy, &sandbox, &campaigns),
        "created_at"
    ));
    assert!(!carries(
        &read_as_json(&copy, &sandbox, &stats),
        "video_views"
    ));

    // 1. Record and propose.
    let recorded = copy.root.join("recorded");
    let overlay = copy.root.join("drift.overlay.yaml");
    let (report, stderr, code) = copy.adsterra(
        &[
            "verify-live",
            "--record",
            recorded.to_str().unwrap(),
            "--propose",
            overlay.to_str().unwrap(),
        ],
        &[
            ("ADSTERRA_API_KEY", &sandbox.token),
            ("ADSTERRA_BASE_URL", &sandbox.url),
        ],
    );
    assert_eq!(
        code, 1,
        "the drift deviates from the spec:\n{report}\n{stderr}"
    );
    assert!(stderr.contains("actions to "), "{stderr}");
    assert!(!stderr.contains("not expressible"), "{stderr}");
    assert!(
        stderr.contains("Campaign.id: ") && stderr.contains("tolerant reading takes them"),
        "ids as strings are a note, not a change: {stderr}"
    );
    let proposed = std::fs::read_to_string(&overlay).unwrap();
    assert!(!proposed.contains(&sandbox.token));
    for file in std::fs::read_dir(&recorded).unwrap() {
        let text = std::fs::read_to_string(file.unwrap().path()).unwrap();
        assert!(!text.contains(&sandbox.token), "a cassette holds the token");
    }

    // 2. Apply, in place: the lint passes.
    let spec = copy.root.join(SPEC);
    let before = std::fs::read_to_string(&spec).unwrap();
    let applied = copy.cargo(&["xtask", "spec", "apply", overlay.to_str().unwrap()], &[]);
    assert!(applied.status.success(), "{}", text(&applied));
    assert!(text(&applied).contains("lint: clean"), "{}", text(&applied));
    let after = std::fs::read_to_string(&spec).unwrap();
    // Untouched lines stay: every line of the old spec is still there, in order.
    let removed = similar::TextDiff::from_lines(&before, &after)
        .iter_all_changes()
        .filter(|change| change.tag() == similar::ChangeTag::Delete)
        .count();
    assert!(
        removed <= 2,
        "{removed} lines of the hand-written spec changed"
    );

    // 3. What changed for clients: exactly the drift, none of it breaking; and the draft.
    let original = workspace_root().join(SPEC);
    let diff_args = [
        "xtask",
        "spec",
        "diff",
        original.to_str().unwrap(),
        spec.to_str().unwrap(),
    ];
    let diff = copy.cargo(&diff_args, &[]);
    assert!(diff.status.success(), "{}", text(&diff));
    let changes: Vec<String> = text(&diff)
        .lines()
        .filter(|line| line.starts_with("  "))
        .map(str::to_owned)
        .collect();
    let kinds: BTreeSet<&str> = changes
        .iter()
        .map(|line| {
            EXPECTED
                .iter()
                .find(|expected| line.ends_with(*expected))
                .unwrap_or_else(|| panic!("a change the drift did not make: {line}"))
        })
        .copied()
        .collect();
    assert_eq!(kinds, EXPECTED.into_iter().collect(), "{}", text(&diff));
    assert!(text(&diff).contains("0 breaking"), "{}", text(&diff));
    let mut changelog_args = diff_args.to_vec();
    changelog_args.push("--changelog");
    let changelog = copy.cargo(&changelog_args, &[]);
    let draft = String::from_utf8_lossy(&changelog.stdout);
    assert!(draft.starts_with("### API\n"), "{draft}");
    for change in &changes {
        let (operation, what) = change.trim().split_once(": ").unwrap();
        assert!(
            draft.contains(&format!("  - {operation}: {what}")),
            "{draft}"
        );
    }

    // 4. Regenerate, accept the snapshots, and the snapshot tests pass.
    let generated = copy.cargo(&["xtask", "generate"], &[]);
    assert!(generated.status.success(), "{}", text(&generated));
    let snapshots = ["test", "--workspace", "--test", "snapshots"];
    let first = copy.cargo(
        &snapshots,
        &[("INSTA_UPDATE", "new"), ("INSTA_FORCE_PASS", "1")],
    );
    assert!(first.status.success(), "{}", text(&first));
    let accepted = copy.accept_snapshots();
    assert!(
        !accepted.is_empty(),
        "the lowered spec's snapshot shows the change"
    );
    let second = copy.cargo(&snapshots, &[("INSTA_UPDATE", "no")]);
    assert!(second.status.success(), "{}", text(&second));

    // 5. The regenerated client reads the new fields typed, in every format.
    build(&copy);
    let campaigns = read_as_json(&copy, &sandbox, &campaigns);
    assert!(carries(&campaigns, "created_at"));
    for answer in &campaigns {
        let items = answer.as_array().unwrap();
        assert!(
            items.iter().all(|c| c["id"].is_i64()),
            "ids typed: {answer}"
        );
        assert!(
            items.iter().any(|c| c["active"] == 5),
            "the new status: {answer}"
        );
    }
    assert!(carries(
        &read_as_json(&copy, &sandbox, &stats),
        "video_views"
    ));

    // 6. The version bump they need, by cargo-semver-checks on the crates users build.
    let tool = workspace_root().join(".tools/cargo/bin/cargo-semver-checks");
    assert!(
        tool.is_file(),
        "{} is missing: .ci/run installs it (cargo install cargo-semver-checks into .tools/cargo)",
        tool.display()
    );
    // Added fields of `#[non_exhaustive]` answers and an open set's new value break no Rust
    // user: the same version may carry them.
    let semver = semver_checks(&tool, &copy);
    let verdict = text(&semver);
    assert!(semver.status.success(), "{verdict}");
    assert_eq!(
        verdict.matches("Summary no semver update required").count(),
        2,
        "{verdict}"
    );
    println!("cargo-semver-checks on the regenerated crates:\n{verdict}");
}

/// cargo-semver-checks on the copy's generated crate and client against this checkout's.
fn semver_checks(tool: &Path, copy: &Copy) -> std::process::Output {
    std::process::Command::new(tool)
        .args(["semver-checks", "check-release"])
        .args(["--package", "adsterra-generated", "--package", "adsterra"])
        .arg("--baseline-root")
        .arg(workspace_root())
        .current_dir(&copy.root)
        // One target folder for both sides, as .ci/published-crates.sh uses.
        .env(
            "CARGO_TARGET_DIR",
            workspace_root().join("target/semver-checks-shared"),
        )
        .env("CARGO_TERM_COLOR", "never")
        .output()
        .expect("cargo-semver-checks runs")
}
