//! The house rules of ARCHITECTURE.md, checked: dependency arrows point one way, the xtask
//! never depends on code it generates, and no hand-written file spells an operation id.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use adsterra_codegen::derived::{GENERATED_RS, OPERATIONS_RS};
use adsterra_generated::operation::OPERATIONS;
use adsterra_tests::support::{source_files, workspace_dependencies};
use adsterra_tests::workspace_root;

/// The workspace's crates, lowest first: a crate may depend only on crates before it (a new
/// crate fails the test until it is placed here).
const LAYERS: [&str; 10] = [
    "adsterra-formats",
    "adsterra-openapi",
    "adsterra-codegen",
    "xtask",
    "adsterra-generated",
    "adsterra",
    "adsterra-sandbox",
    "adsterra-sync",
    "adsterra-cli",
    "adsterra-tests",
];

/// The crates of this workspace (and progenitor) each workspace crate declares as a normal or
/// build dependency; dev-dependencies are left out (tests may use anything).
fn dependencies() -> BTreeMap<String, BTreeSet<String>> {
    workspace_dependencies(&["progenitor"])
}

/// Everything `name` depends on, directly or not.
fn closure(graph: &BTreeMap<String, BTreeSet<String>>, name: &str) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    let mut pending = vec![name.to_owned()];
    while let Some(next) = pending.pop() {
        for dep in graph.get(&next).into_iter().flatten() {
            if seen.insert(dep.clone()) {
                pending.push(dep.clone());
            }
        }
    }
    seen
}

#[test]
fn arrows_point_one_way_and_the_xtask_builds_without_the_code_it_generates() {
    let graph = dependencies();
    let layer = |name: &str| {
        LAYERS
            .iter()
            .position(|l| *l == name)
            .unwrap_or_else(|| panic!("{name} is in no layer of tests/tests/architecture.rs"))
    };
    for (name, deps) in &graph {
        if name == "progenitor" {
            continue;
        }
        for dep in deps.iter().filter(|d| *d != "progenitor") {
            assert!(
                layer(dep) < layer(name),
                "{name} depends on {dep}, which sits above it"
            );
        }
    }
    // No bootstrapping: `cargo xtask generate` builds whatever state the generated crate is in.
    let xtask = closure(&graph, "xtask");
    for generated in ["adsterra-generated", "adsterra", "adsterra-sandbox"] {
        assert!(!xtask.contains(generated), "xtask depends on {generated}");
    }
    // Only the generator's side knows progenitor; the libraries use progenitor-client.
    for library in [
        "adsterra-generated",
        "adsterra",
        "adsterra-sandbox",
        "adsterra-cli",
        "adsterra-openapi",
    ] {
        assert!(
            !closure(&graph, library).contains("progenitor"),
            "{library} depends on progenitor"
        );
    }
}

/// The hand-written Rust files of the workspace (no build output, no generated files), relative
/// to `root`.
fn hand_written(root: &Path) -> Vec<PathBuf> {
    let generated = [Path::new(GENERATED_RS), Path::new(OPERATIONS_RS)];
    source_files(root)
        .into_iter()
        .filter(|file| file.extension().is_some_and(|e| e == "rs"))
        .filter(|file| !generated.contains(&file.as_path()))
        .collect()
}

#[test]
fn no_hand_written_file_spells_an_operation_id() {
    let root = workspace_root();
    // codegen's own tests feed the generator small specs of their own, whose ids are theirs.
    let fixtures = Path::new("codegen").join("tests");
    let mut found = Vec::new();
    for path in hand_written(&root) {
        if path.starts_with(&fixtures) {
            continue;
        }
        let text = std::fs::read_to_string(root.join(&path)).unwrap();
        for (number, line) in text.lines().enumerate() {
            for operation in &OPERATIONS {
                if line.contains(&format!("\"{}\"", operation.id)) {
                    let shown = path.display();
                    found.push(format!("{shown}:{}: {}", number + 1, line.trim()));
                }
            }
        }
    }
    assert!(
        found.is_empty(),
        "operation ids spelled by hand (name them through adsterra_generated::Endpoint or the \
         operation table instead):\n{}",
        found.join("\n")
    );
}

/// Lines of the hand-written files outside `allowed` that contain any of `needles`, as
/// `path:line: text`.
fn lines_containing(needles: &[&str], allowed: &[&Path]) -> Vec<String> {
    let root = workspace_root();
    // This file names what it looks for.
    let itself = Path::new("tests").join("tests").join("architecture.rs");
    let mut found = Vec::new();
    for path in hand_written(&root) {
        if path == itself || allowed.iter().any(|allowed| path.starts_with(allowed)) {
            continue;
        }
        let text = std::fs::read_to_string(root.join(&path)).unwrap();
        for (number, line) in text.lines().enumerate() {
            if needles.iter().any(|needle| line.contains(needle)) {
                found.push(format!(
                    "{}:{}: {}",
                    path.display(),
                    number + 1,
                    line.trim()
                ));
            }
        }
    }
    found
}

#[test]
fn operations_travel_as_typed_rows_never_as_names_or_task_state() {
    // `stringify!` turned method names into operation ids looked up at run time, and task-locals
    // carried a call's attempts and captured bodies past the signatures: both are gone.
    let found = lines_containing(&["stringify!", "task_local!"], &[]);
    assert!(
        found.is_empty(),
        "pass the operation's `Endpoint` or `&'static Operation`, and state as values:\n{}",
        found.join("\n")
    );
}

#[test]
fn no_hand_written_code_can_default_a_retry_class() {
    // A retry class comes from the spec's row of the operation, never from code: only the type's
    // own file and codegen (which writes the table) name its variants, and the type has no
    // `Default`, so a missing row cannot quietly become "not idempotent" or anything else.
    let shape = Path::new(GENERATED_RS).with_file_name("operation.rs");
    let codegen = Path::new("codegen").join("src");
    let found = lines_containing(&["RetryClass::"], &[&shape, &codegen]);
    assert!(
        found.is_empty(),
        "retry classes named by hand (read `operation.retry` from the table):\n{}",
        found.join("\n")
    );
    let source = std::fs::read_to_string(workspace_root().join(&shape)).unwrap();
    let definition = source
        .split("pub enum RetryClass")
        .next()
        .and_then(|before| before.rsplit("#[derive(").next())
        .unwrap();
    assert!(
        !definition.contains("Default") && !source.contains("Default for RetryClass"),
        "RetryClass must not have a Default"
    );
}
