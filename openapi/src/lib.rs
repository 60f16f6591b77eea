//! Reading the Adsterra spec as a JSON document: walking its operations ([`walk`]), following
//! `$ref`s ([`pointer::resolve`]), checking an answer of the API against a schema field by field
//! ([`verify`]) and the typed report of a verification run ([`report`]).
//!
//! It owns what both the generator and the runtime need to know about the document itself:
//! codegen lints, lowers and generates with it; the command line's `adsterra verify-live`
//! checks live answers with it and prints its report; the sandbox's conformance tests judge
//! every answer with it; `adsterra-sync` resolves the spec's `$ref`s with it. It must not
//! generate code or depend on progenitor or the client (that is codegen's, and the command line
//! must not pull a code generator in), and it never talks HTTP.

#![warn(missing_docs)]

pub mod pointer;
pub mod report;
pub mod verify;
pub mod walk;

/// The vendor extension that records how sure we are of an operation or a field.
pub const EVIDENCE_KEY: &str = "x-adsterra-evidence";

/// The HTTP methods an OpenAPI path item may hold, in the order OpenAPI lists them.
pub const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Whether a schema admits `null`: OpenAPI 3.0 says so with `nullable: true` beside a `type`,
/// and a schema without `type` admits any value (there `nullable` changes nothing).
pub fn admits_null(schema: &serde_json::Value) -> bool {
    schema.get("type").is_none()
        || schema.get("nullable").and_then(serde_json::Value::as_bool) == Some(true)
}
