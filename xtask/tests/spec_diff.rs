//! `cargo xtask spec diff`: files or git revisions in, a report out, exit 1 on breaking changes.

use std::process::Command;

fn spec_diff(args: &[&str]) -> (String, String, i32) {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
    let output = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .current_dir(root)
        .arg("spec")
        .arg("diff")
        .args(args)
        .output()
        .unwrap();
    (
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
        output.status.code().unwrap(),
    )
}

const BASE: &str = "tests/fixtures/diff/base.yaml";

#[test]
fn breaking_changes_fail_unless_allowed() {
    let narrowed = "tests/fixtures/diff/request-enum-narrowed.yaml";
    let (stdout, stderr, code) = spec_diff(&[BASE, narrowed]);
    assert_eq!(code, 1, "{stdout}{stderr}");
    assert!(stdout.contains("1 breaking"), "{stdout}");
    assert!(stderr.contains("--allow-breaking"), "{stderr}");
    let (_, _, code) = spec_diff(&[BASE, narrowed, "--allow-breaking"]);
    assert_eq!(code, 0);
}

#[test]
fn additive_changes_pass() {
    let added = "tests/fixtures/diff/response-field-added-optional.yaml";
    let (stdout, _, code) = spec_diff(&[BASE, added]);
    assert_eq!(code, 0, "{stdout}");
    assert!(stdout.contains("0 breaking, 2 not breaking"), "{stdout}");
}

#[test]
fn git_revisions_are_read_with_git_show() {
    // The committed base fixture against the same file on disk: nothing changed.
    let (stdout, stderr, code) = spec_diff(&["HEAD:tests/fixtures/diff/base.yaml", BASE]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stdout.contains("no API changes"), "{stdout}");
    let (_, stderr, code) = spec_diff(&["no-such-revision", BASE]);
    assert_eq!(code, 1);
    assert!(
        stderr.contains("neither a file nor a git revision"),
        "{stderr}"
    );
}
