//! `cargo xtask spec diff [OLD] [NEW]`: the API changes between two specs, from files or git.

use std::path::Path;
use std::process::{Command, ExitCode};

use adsterra_codegen::derived::SPEC;
use adsterra_codegen::diff;
use serde_json::Value;

pub fn run(
    root: &Path,
    old: &str,
    new: Option<&str>,
    allow_breaking: bool,
    changelog: bool,
) -> Result<ExitCode, String> {
    let old_spec = load(root, old)?;
    let new_spec = match new {
        Some(new) => load(root, new)?,
        None => load_file(&root.join(SPEC))?,
    };
    let report = diff::diff(&old_spec, &new_spec);
    if changelog {
        // A draft for CHANGELOG.md: printed whatever breaks, since it is read, not acted on.
        let range = format!("cargo xtask spec diff {old} {}", new.unwrap_or(""));
        print!("{}", report.changelog(range.trim_end()));
        return Ok(ExitCode::SUCCESS);
    }
    println!("{old} -> {}", new.unwrap_or("working copy"));
    print!("{report}");
    if report.breaking() > 0 && !allow_breaking {
        eprintln!(
            "\n{} breaking change(s): clients generated from the old spec break. Bump the major version and say so in the changelog, then pass --allow-breaking",
            report.breaking()
        );
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}

/// A spec from a file when `what` names one, else from git: `REV` (the spec at that revision)
/// or `REV:path`.
fn load(root: &Path, what: &str) -> Result<Value, String> {
    let path = Path::new(what);
    if path.is_file() {
        return load_file(path);
    }
    let object = if what.contains(':') {
        what.to_owned()
    } else {
        format!("{what}:{SPEC}")
    };
    let output = Command::new("git")
        .args(["show", &object])
        .current_dir(root)
        .output()
        .map_err(|e| format!("running git: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "{what} is neither a file nor a git revision with {SPEC}: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        ));
    }
    let text = String::from_utf8(output.stdout).map_err(|_| format!("{object} is not UTF-8"))?;
    adsterra_codegen::load_str(&text, &object).map_err(|e| e.to_string())
}

fn load_file(path: &Path) -> Result<Value, String> {
    adsterra_codegen::load(path).map_err(|e| e.to_string())
}
