//! The code generation pipeline for the Adsterra Advertiser API client.
//!
//! It owns every step between the hand-written spec (`spec/adsterra-advertiser.yaml`) and the
//! files derived from it:
//!
//! 1. [`load()`] reads the YAML document into a JSON value (key order kept, so every rendition is
//!    stable and diffable);
//! 2. [`lint()`] checks the project's rules and reports each violation with its JSON pointer;
//! 3. [`lower()`] expands every `.{format}` operation into one operation per wire format, each with a
//!    single media type, because progenitor can type only one;
//! 4. [`generate()`] runs progenitor on the lowered document and renders formatted Rust source;
//! 5. [`operations`] writes the operation table, every lowered operation as Rust data;
//! 6. [`inventory`] lists the lowered operations for humans (summary, snapshot table);
//! 7. [`diff`] lists what changed between two versions of the spec, and what breaks clients;
//! 8. [`verify`] (from `adsterra-openapi`) checks an answer of the live API against the spec,
//!    field by field.
//! 9. [`overlay_text`] applies an OpenAPI Overlay to the hand-written spec in place, changing
//!    only the lines its actions concern (`cargo xtask spec apply`).
//!
//! It must not write files or print: the xtask decides where things go. It must not know about
//! the runtime client (policies, retries): that is `client-ext`'s business.

pub mod derived;
pub mod diff;
mod docs;
mod field_order;
pub mod generate;
pub mod inventory;
pub mod lint;
pub mod load;
pub mod lower;
pub mod operations;
pub mod overlay_text;
pub mod publish;

pub use generate::{GenerateError, generate};
pub use lint::{Violation, lint};
pub use load::{LoadError, load, load_str};
pub use lower::{LowerError, lower};

pub use adsterra_openapi::{EVIDENCE_KEY, METHODS, PRESENT_WHEN_KEY, verify};
pub(crate) use adsterra_openapi::{admits_null, pointer, walk};

/// The evidence marks the spec uses (`x-adsterra-evidence`), weakest last.
pub const EVIDENCE_VALUES: [&str; 3] = ["confirmed", "likely", "inferred"];

/// The vendor extension that says whether an operation may be sent twice, and why (as AWS
/// Smithy's `@readonly` and `@idempotent` traits do): `{class, reason}`.
pub const RETRY_KEY: &str = "x-adsterra-retry";

/// The retry classes, from safest: a read; a write that applied twice equals once; a write that
/// must not run twice (retried only when the request surely never reached Adsterra).
pub const RETRY_CLASSES: [&str; 3] = ["readonly", "idempotent", "not-idempotent"];

/// The vendor extension on a query parameter that lists other names the server takes for it
/// (`group_by` for `group_by[]`).
pub const ALIASES_KEY: &str = "x-adsterra-aliases";

/// The vendor extension on a path parameter that says which read's answer holds such ids: an
/// OpenAPI link object (`operationId`, and `parameter`, a `$response.body#/...` expression).
pub const LINK_KEY: &str = "x-adsterra-link";

/// The vendor extension on a query parameter that names the value meaning "no filter"
/// (`{value: All}` on `country`): clients leave the parameter out instead, servers accept it.
pub const NO_FILTER_KEY: &str = "x-adsterra-no-filter";

/// The vendor extension of `info` that states the API's limits (`{name: {value, description}}`).
pub const LIMITS_KEY: &str = "x-adsterra-limits";
