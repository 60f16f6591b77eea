//! `cargo xtask`: the maintainer's commands. Thin: `adsterra-codegen` decides what is derived and
//! how, and what changed between two specs; this binary reads and writes the files and asks git
//! for old revisions. It depends on codegen only, never on the code it generates, so it builds
//! whatever state the rest of the workspace is in (checking answers of the live API is
//! `adsterra verify-live`, in the command line, which has the client).

mod generate;
mod spec_apply;
mod spec_diff;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(about = "Maintainer tasks for the Adsterra workspace")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Lint the spec, lower it, regenerate every derived file (the client, spec/dist/ with its
    /// HTML reference) and report the API changes this regeneration brings.
    Generate {
        /// Change nothing; fail with the list of stale files and a short diff if any is out of date.
        #[arg(long)]
        check: bool,
    },
    /// Work with the spec.
    #[command(subcommand)]
    Spec(SpecCommand),
}

#[derive(Subcommand)]
enum SpecCommand {
    /// List what changed between two versions of the spec and whether each change breaks
    /// clients; exit 1 on breaking changes.
    Diff {
        /// The old spec: a file, or a git revision (its spec/adsterra-advertiser.yaml).
        #[arg(default_value = "HEAD")]
        old: String,
        /// The new spec: a file or a git revision [default: the working copy].
        new: Option<String>,
        /// Exit 0 even when changes break clients.
        #[arg(long)]
        allow_breaking: bool,
        /// Print the draft of CHANGELOG.md's "API" section for these changes instead (exit 0).
        #[arg(long)]
        changelog: bool,
    },
    /// Apply an OpenAPI Overlay (1.0 or 1.1, YAML or JSON) to the spec in place, keeping its
    /// layout and comments, then lint it; exit 1 when the lint fails.
    Apply {
        /// The overlay file (`*.overlay.yaml`).
        file: PathBuf,
        /// The spec to edit [default: spec/adsterra-advertiser.yaml].
        #[arg(long)]
        spec: Option<PathBuf>,
    },
}

fn main() -> ExitCode {
    let root = workspace_root();
    let outcome = match Cli::parse().command {
        Command::Generate { check } => generate::run(&root, check),
        Command::Spec(SpecCommand::Diff {
            old,
            new,
            allow_breaking,
            changelog,
        }) => spec_diff::run(&root, &old, new.as_deref(), allow_breaking, changelog),
        Command::Spec(SpecCommand::Apply { file, spec }) => {
            spec_apply::run(&root, &file, spec.as_deref())
        }
    };
    outcome.unwrap_or_else(|message| {
        eprintln!("error: {message}");
        ExitCode::FAILURE
    })
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives one level below the workspace root")
        .to_owned()
}
