//! `cargo xtask`: the maintainer's commands. Thin: `adsterra-codegen` decides what is derived and
//! how; this binary only writes the files, or checks that the committed ones are fresh.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use adsterra_codegen::derived::{self, DerivedFile};
use clap::{Parser, Subcommand};

/// How many diff lines `--check` shows per stale file.
const DIFF_LINES: usize = 40;

#[derive(Parser)]
#[command(about = "Maintainer tasks for the Adsterra workspace")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Lint the spec, lower it and regenerate every derived file.
    Generate {
        /// Change nothing; fail with the list of stale files and a short diff if any is out of date.
        #[arg(long)]
        check: bool,
    },
}

fn main() -> ExitCode {
    let Command::Generate { check } = Cli::parse().command;
    match generate(&workspace_root(), check) {
        Ok(code) => code,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives one level below the workspace root")
        .to_owned()
}

fn generate(root: &Path, check: bool) -> Result<ExitCode, String> {
    let started = Instant::now();
    let spec = adsterra_codegen::load(&root.join(derived::SPEC)).map_err(|e| e.to_string())?;
    let (lowered, files) = derived::derive(&spec).map_err(|e| e.to_string())?;
    if check {
        return Ok(report_stale(root, &files));
    }
    for file in &files {
        write_if_changed(root, file)?;
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
