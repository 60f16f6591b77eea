//! The command line's `sandbox` feature: on by default, and without it
//! (`cargo install adsterra-cli --no-default-features`) the binary carries no HTTP server: no
//! adsterra-sandbox, no axum. Read from `cargo tree`, so nothing is built a second time.

use std::process::Command;

/// The packages of the command line's normal dependencies, one name per line.
fn tree(features: &[&str]) -> String {
    let output = Command::new(env!("CARGO"))
        .args(["tree", "--offline", "-p", "adsterra-cli", "-e", "normal"])
        .args(["--prefix", "none", "--format", "{p}"])
        .args(features)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo tree runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("cargo tree prints text")
}

#[test]
fn without_default_features_the_cli_has_no_sandbox_and_no_axum() {
    let default = tree(&[]);
    let without = tree(&["--no-default-features"]);
    for package in ["adsterra-sandbox ", "axum "] {
        let has = |tree: &str| tree.lines().any(|line| line.starts_with(package));
        assert!(has(&default), "the default build has {package}");
        assert!(!has(&without), "--no-default-features still has {package}");
    }
}
