//! Integration tests of the whole workspace: snapshots of what codegen produces, freshness of the
//! committed derived files, and wire-level checks of the generated client.
//!
//! The library part holds only shared helpers for the test files in `tests/`; it must not hold
//! behaviour the product needs.

pub mod conformance;
pub mod databases;
pub mod support;
pub mod workspace_copy;

use std::path::{Path, PathBuf};

use serde_json::Value;

/// The workspace root.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the tests crate lives one level below the workspace root")
        .to_owned()
}

/// Loads a fixture spec from `tests/fixtures/`.
pub fn fixture(name: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name);
    adsterra_codegen::load(&path).unwrap_or_else(|e| panic!("{e}"))
}

/// Loads the project's spec.
pub fn spec() -> Value {
    adsterra_codegen::load(&workspace_root().join(adsterra_codegen::derived::SPEC))
        .unwrap_or_else(|e| panic!("{e}"))
}
