//! The files derived from the spec, and which committed ones are stale.
//!
//! This is the list `cargo xtask generate` writes and `--check` compares; it lives here so that
//! tests can check freshness without running the xtask.

use std::path::Path;

use serde_json::Value;

use crate::{GenerateError, LowerError, Violation};

/// The hand-written source of truth, relative to the workspace root.
pub const SPEC: &str = "spec/adsterra-advertiser.yaml";
/// The raw client's source.
pub const GENERATED_RS: &str = "generated/src/generated.rs";
/// The operation table: every lowered operation as data, beside the raw client.
pub const OPERATIONS_RS: &str = "generated/src/operations.rs";
/// The source spec as JSON, for tools that do not read YAML.
pub const DIST_SOURCE: &str = "spec/dist/adsterra-advertiser.json";
/// The lowered spec: one operation per format; progenitor's input and a publishable rendition.
pub const DIST_LOWERED: &str = "spec/dist/adsterra-advertiser.lowered.json";
/// The source spec as JSON inside the raw client's package (`adsterra_generated::SPEC_JSON`), so
/// that a published crate carries the document it was generated from.
pub const GENERATED_SPEC: &str = "generated/spec/adsterra-advertiser.json";
/// The source spec as YAML, beside the JSON, for tools and readers that prefer it.
pub const DIST_YAML: &str = "spec/dist/adsterra-advertiser.yaml";
/// The HTML reference; it loads `redoc.standalone.js`, which is kept (not derived) beside it.
pub const DIST_HTML: &str = "spec/dist/index.html";

/// One derived file: where it goes (relative to the workspace root) and what it holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DerivedFile {
    /// Path relative to the workspace root.
    pub path: &'static str,
    /// The full content.
    pub content: String,
}

/// Why the derived files could not be produced.
#[derive(Debug, thiserror::Error)]
pub enum DeriveError {
    /// The spec breaks project rules; each violation names its place.
    #[error("{SPEC} breaks {} rule(s):\n{}", .0.len(), .0.iter().map(|v| format!("  {v}")).collect::<Vec<_>>().join("\n"))]
    Lint(Vec<Violation>),
    /// The spec could not be lowered.
    #[error("lowering {SPEC}: {0}")]
    Lower(#[from] LowerError),
    /// progenitor failed.
    #[error(transparent)]
    Generate(#[from] GenerateError),
    /// The operation table could not be made.
    #[error("the operation table: {0}")]
    Table(#[from] crate::operations::TableError),
}

/// The lowered spec and every derived file, from the loaded source spec.
pub fn derive(spec: &Value) -> Result<(Value, Vec<DerivedFile>), DeriveError> {
    let violations = crate::lint(spec);
    if !violations.is_empty() {
        return Err(DeriveError::Lint(violations));
    }
    let lowered = crate::lower(spec)?;
    let code = crate::generate(&lowered)?;
    let table = crate::operations::source(&lowered)?;
    let source = pretty_json(spec);
    let files = vec![
        DerivedFile {
            path: GENERATED_RS,
            content: code,
        },
        DerivedFile {
            path: OPERATIONS_RS,
            content: table,
        },
        DerivedFile {
            path: DIST_SOURCE,
            content: source.clone(),
        },
        DerivedFile {
            path: GENERATED_SPEC,
            content: source,
        },
        DerivedFile {
            path: DIST_LOWERED,
            content: pretty_json(&lowered),
        },
        DerivedFile {
            path: DIST_YAML,
            content: crate::publish::yaml(spec),
        },
        DerivedFile {
            path: DIST_HTML,
            content: crate::publish::reference_html(spec),
        },
    ];
    Ok((lowered, files))
}

/// A committed file that differs from what generation produces.
#[derive(Debug, Clone)]
pub struct Stale {
    /// Path relative to the workspace root.
    pub path: &'static str,
    /// How many changed hunks of lines (insertions, deletions, replacements).
    pub changes: usize,
    /// A unified diff from the committed file to the generated one.
    pub diff: String,
}

/// The files under `root` that differ from `files` (a missing file counts as empty).
pub fn stale(root: &Path, files: &[DerivedFile]) -> Vec<Stale> {
    files
        .iter()
        .filter_map(|file| {
            let committed = std::fs::read_to_string(root.join(file.path)).unwrap_or_default();
            if committed == file.content {
                return None;
            }
            let diff = similar::TextDiff::from_lines(&committed, &file.content);
            let changes = diff
                .ops()
                .iter()
                .filter(|op| op.tag() != similar::DiffTag::Equal)
                .count();
            let unified = diff
                .unified_diff()
                .context_radius(2)
                .header(
                    &format!("{} (committed)", file.path),
                    &format!("{} (generated)", file.path),
                )
                .to_string();
            Some(Stale {
                path: file.path,
                changes,
                diff: unified,
            })
        })
        .collect()
}

fn pretty_json(value: &Value) -> String {
    let mut text = serde_json::to_string_pretty(value).expect("a JSON value always serialises");
    text.push('\n');
    text
}
