//! What the READMEs say about the workspace, checked against the workspace: the dependency
//! arrows of README.md are exactly the dependencies between its crates. (The command line's
//! statements, such as its exit codes, are checked in `cli/tests/docs.rs`.)

use std::collections::{BTreeMap, BTreeSet};

use adsterra_tests::support::workspace_dependencies;
use adsterra_tests::workspace_root;

/// The package a README calls `name`: `tests` is `adsterra-tests`, `sync` is `adsterra-sync`.
fn package(name: &str) -> String {
    match name {
        "adsterra" | "xtask" => name.to_owned(),
        _ => format!("adsterra-{name}"),
    }
}

/// The arrows of README.md's "Dependencies point one way:" sentence, as crate → dependencies:
/// each `a → b → c, d` says a depends on b, and b on c and d.
fn readme_arrows() -> BTreeMap<String, BTreeSet<String>> {
    let readme = std::fs::read_to_string(workspace_root().join("README.md")).expect("README.md");
    let (_, sentence) = readme
        .split_once("Dependencies point one way:")
        .expect("README.md says how dependencies point");
    let sentence = sentence.split("(these are").next().expect("a first part");
    let mut arrows: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for chain in sentence.split('`').skip(1).step_by(2) {
        let links: Vec<Vec<&str>> = chain
            .split('→')
            .map(|names| names.split(',').map(str::trim).collect())
            .collect();
        for pair in links.windows(2) {
            let [from] = pair[0][..] else {
                panic!("`{chain}`: only the last link of a chain may list several crates");
            };
            arrows
                .entry(package(from))
                .or_default()
                .extend(pair[1].iter().map(|name| package(name)));
        }
    }
    arrows
}

#[test]
fn the_readme_dependency_arrows_are_the_real_dependencies() {
    let real: BTreeMap<String, BTreeSet<String>> = workspace_dependencies(&[])
        .into_iter()
        .filter(|(_, dependencies)| !dependencies.is_empty())
        .collect();
    assert!(real.contains_key("adsterra"), "{real:?}");
    assert_eq!(
        readme_arrows(),
        real,
        "README.md's arrows (left) are not the crates' dependencies (right, from cargo metadata)"
    );
}
