//! Reading the Adsterra spec as a JSON document: walking its operations ([`walk`]), following
//! `$ref`s ([`pointer::resolve`]), checking an answer of the API against a schema field by field
//! ([`verify`]), the typed report of a verification run ([`report`]), the recorded answers it is
//! checked against (VCR cassettes, [`cassette`]) and applying an OpenAPI Overlay (1.0 and 1.1,
//! RFC 9535 JSONPath targets) to it ([`overlay`]).
//!
//! It owns what both the generator and the runtime need to know about the document itself:
//! codegen lints, lowers and generates with it; the command line's `adsterra verify-live`
//! checks live answers with it and prints its report; the sandbox's conformance tests judge
//! every answer with it; `adsterra-sync` resolves the spec's `$ref`s with it; `cargo xtask spec
//! apply` applies overlays to the spec with it. It must not generate code or depend on
//! progenitor or the client (that is codegen's, and the command line must not pull a code
//! generator in), and it never talks HTTP.

#![warn(missing_docs)]

pub mod cassette;
pub mod overlay;
pub mod pointer;
pub mod propose;
pub mod redact;
pub mod report;
pub mod verify;
pub mod walk;

/// The vendor extension that records how sure we are of an operation or a field.
pub const EVIDENCE_KEY: &str = "x-adsterra-evidence";

/// The vendor extension on an optional property that says when an answer always carries it:
/// `{group_by: V}` (a stats row grouped by `V`; `default: true` also when ungrouped) or
/// `{operationId: X}` (the answer of operation `X`).
pub const PRESENT_WHEN_KEY: &str = "x-adsterra-present-when";

/// The HTTP methods an OpenAPI path item may hold, in the order OpenAPI lists them.
pub const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// The names a schema lists under `required`.
pub fn required(schema: &serde_json::Value) -> std::collections::BTreeSet<&str> {
    schema
        .get("required")
        .and_then(serde_json::Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(serde_json::Value::as_str)
        .collect()
}

/// Whether a schema admits `null`: OpenAPI 3.0 says so with `nullable: true` beside a `type`,
/// and a schema without `type` admits any value (there `nullable` changes nothing).
pub fn admits_null(schema: &serde_json::Value) -> bool {
    schema.get("type").is_none()
        || schema.get("nullable").and_then(serde_json::Value::as_bool) == Some(true)
}
