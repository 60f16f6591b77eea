//! `cargo xtask generate [--check]`: write the derived files, or check that they are fresh.

use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use adsterra_codegen::derived::{self, DerivedFile};

/// How many diff lines `--check` shows per stale file.
const DIFF_LINES: usize = 40;

pub fn run(root: &Path, check: bool) -> Result<ExitCode, String> {
    let started = Instant::now();
    let spec = adsterra_codegen::load(&root.join(derived::SPEC)).map_err(|e| e.to_string())?;
    let (lowered, files) = derived::derive(&spec).map_err(|e| e.to_string())?;
    if check {
        return Ok(report_stale(root, &files));
    }
    // The spec this regeneration replaces is the one last published in spec/dist/.
    let previous = std::fs::read_to_string(root.join(derived::DIST_SOURCE))
        .ok()
        .and_then(|text| serde_json::from_str(&text).ok());
    for file in &files {
        write_if_changed(root, file)?;
    }
    if let Some(previous) = previous {
        print!(
            "\nsince the last generation: {}",
            adsterra_codegen::diff::diff(&previous, &spec)
        );
    }
    println!();
    print!("{}", adsterra_codegen::inventory::summary(&spec, &lowered));
    println!("\ngenerated in {:.2} s", started.elapsed().as_secs_f64());
    Ok(ExitCode::SUCCESS)
}

/// Writes a file only when its content changes, so unchanged files keep their timestamps.
fn write_if_changed(root: &Path, file: &DerivedFile) -> Result<(), String> {
    let full = root.join(file.path);
    let status = if std::fs::read_to_string(&full).ok().as_deref() == Some(file.content.as_str()) {
        "unchanged"
    } else {
        if let Some(parent) = full.parent() {
            std::fs::create_dir_all(parent).map_err(|e| format!("creating {parent:?}: {e}"))?;
        }
        std::fs::write(&full, &file.content).map_err(|e| format!("writing {}: {e}", file.path))?;
        "written"
    };
    println!("{status:>9}  {} ({} bytes)", file.path, file.content.len());
    Ok(())
}

fn report_stale(root: &Path, files: &[DerivedFile]) -> ExitCode {
    let stale = derived::stale(root, files);
    if stale.is_empty() {
        println!("all {} derived files are up to date", files.len());
        return ExitCode::SUCCESS;
    }
    for file in &stale {
        eprintln!("stale: {} ({} change(s))", file.path, file.changes);
        let lines: Vec<&str> = file.diff.lines().collect();
        for line in lines.iter().take(DIFF_LINES) {
            eprintln!("    {line}");
        }
        if lines.len() > DIFF_LINES {
            eprintln!("    ... {} more diff lines", lines.len() - DIFF_LINES);
        }
    }
    eprintln!(
        "\n{} derived file(s) are stale: run `cargo xtask generate` and commit the result",
        stale.len()
    );
    ExitCode::FAILURE
}
