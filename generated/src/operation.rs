//! The shape of the operation table: what the spec says of each operation, as data.
//!
//! `cargo xtask generate` fills the table in (`operations.rs`, generated); this file, written by
//! hand, says what a row holds and answers the questions every reader asks of one. Hand-written
//! code names operations through [`Endpoint`] and reads everything else here, so an operation id
//! is never spelled by hand and an operation added to the spec is known everywhere at once.

use std::fmt;

use adsterra_formats::Format;
use serde::Serialize;
use serde::de::DeserializeOwned;

pub use crate::operations::{Endpoint, OPERATIONS, SCHEMAS};

/// One operation of the lowered spec: an endpoint in one format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Operation {
    /// The lowered operationId, which is the raw client's method name: `get_stats_csv`.
    pub id: &'static str,
    /// The endpoint it lowers.
    pub endpoint: Endpoint,
    /// The spec's one-line summary.
    pub summary: &'static str,
    /// The HTTP method.
    pub method: Method,
    /// The lowered path template below the base URL: `/campaign/{campaign_id}.csv`.
    pub path: &'static str,
    /// The path template as Adsterra documents it: `/campaign/{campaign_id}.{format}`.
    pub endpoint_path: &'static str,
    /// The format of the answer.
    pub format: Format,
    /// The resource (the spec's first tag): `campaigns`, `stats`, ...
    pub resource: &'static str,
    /// Parameters in the path, in the spec's order.
    pub path_parameters: &'static [Parameter],
    /// Parameters in the query string, in the spec's order.
    pub query_parameters: &'static [Parameter],
    /// The JSON request body, if the operation takes one.
    pub body: Option<Body>,
    /// The schema (and generated type) of the 200 answer; a CSV or XML answer decodes into it too.
    pub answer: &'static str,
    /// Reads an answer through the generated type of [`Operation::answer`].
    pub decoder: Decoder,
    /// The spec's JSON example of the 200 answer.
    pub example: &'static str,
    /// How sure the spec is of the operation (its weakest essential part).
    pub evidence: Evidence,
    /// Whether it may be sent twice.
    pub retry: RetryClass,
}

impl Operation {
    /// The operation with this lowered id (`get_stats_xml`): a generated `match`, so asking
    /// costs no scan of the table.
    pub fn find(id: &str) -> Option<&'static Operation> {
        crate::operations::operation_by_id(id)
    }

    /// The same endpoint in `format`.
    pub fn twin(&self, format: Format) -> &'static Operation {
        self.endpoint.operation(format)
    }

    /// Whether it only reads (it changes nothing on the account).
    pub fn is_read(&self) -> bool {
        self.retry == RetryClass::ReadOnly
    }

    /// Every parameter: the path's, then the query's.
    pub fn parameters(&self) -> impl Iterator<Item = (Location, &'static Parameter)> {
        let path = self.path_parameters.iter().map(|p| (Location::Path, p));
        let query = self.query_parameters.iter().map(|p| (Location::Query, p));
        path.chain(query)
    }

    /// The path or query parameter named `name` on the wire (`group_by[]`), or by one of its
    /// aliases (`group_by`).
    pub fn parameter(&self, name: &str) -> Option<&'static Parameter> {
        self.parameters()
            .map(|(_, parameter)| parameter)
            .find(|parameter| parameter.name == name || parameter.aliases.contains(&name))
    }

    /// The path below the base URL with `values` put in for the path parameters, each
    /// percent-encoded; `None` names a parameter that has no value.
    pub fn fill_path(&self, values: &[(&str, String)]) -> Result<String, &'static str> {
        let mut path = self.path.to_owned();
        for parameter in self.path_parameters {
            let value = values
                .iter()
                .find(|(name, _)| *name == parameter.name)
                .ok_or(parameter.name)?;
            let encoded: String = url_escape(&value.1);
            path = path.replace(&format!("{{{}}}", parameter.name), &encoded);
        }
        Ok(path)
    }

    /// Decodes an answer body (in this operation's format) as the typed client does, through the
    /// generated type of [`Operation::answer`], and gives it back as JSON.
    pub fn decode(&self, body: &[u8]) -> Result<serde_json::Value, adsterra_formats::Error> {
        (self.decoder.0)(self.format, body)
    }

    /// Checks a request body against the generated type of [`Operation::body`]; the error says
    /// which field is wrong. An operation without a body accepts none.
    pub fn check_body(&self, body: &serde_json::Value) -> Result<(), String> {
        match self.body {
            None => Err(format!("{} takes no request body", self.id)),
            Some(Body {
                schema, checker, ..
            }) => (checker.0)(body)
                .map_err(|error| format!("the body does not fit {schema}: {error}")),
        }
    }
}

/// An operation equals its lowered id, as logs and errors show it.
impl PartialEq<str> for Operation {
    fn eq(&self, id: &str) -> bool {
        self.id == id
    }
}

/// Decodes an error body (JSON in every format) as the generated `ApiError`, as JSON.
pub fn decode_error(body: &[u8]) -> Option<serde_json::Value> {
    decode_as::<crate::types::ApiError>(Format::Json, body).ok()
}

/// How a row reads an answer: through one generated type, back as JSON (a function, named in
/// the table by codegen, so that no lookup by schema name can miss).
#[derive(Clone, Copy)]
pub struct Decoder(
    pub(crate) fn(Format, &[u8]) -> Result<serde_json::Value, adsterra_formats::Error>,
);

/// How a row checks a request body: through one generated type.
#[derive(Clone, Copy)]
pub struct Checker(pub(crate) fn(&serde_json::Value) -> Result<(), serde_json::Error>);

/// The table's decoders: an answer in `format` read as `T`, as the typed client reads it.
pub(crate) fn decode_as<T: DeserializeOwned + Serialize>(
    format: Format,
    body: &[u8],
) -> Result<serde_json::Value, adsterra_formats::Error> {
    let typed: T = adsterra_formats::decode(format, body)?;
    // Generated types have string keys and plain values: they always serialise.
    Ok(serde_json::to_value(typed).expect("generated types serialise to JSON"))
}

/// The table's body checkers: whether `body` reads as `T`.
pub(crate) fn check_as<T: DeserializeOwned>(
    body: &serde_json::Value,
) -> Result<(), serde_json::Error> {
    T::deserialize(body).map(|_| ())
}

// A decoder or checker is a function of the generated table: two rows hold the same one exactly
// when they name the same generated type, which is what equality compares.
impl PartialEq for Decoder {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::fn_addr_eq(self.0, other.0)
    }
}

impl Eq for Decoder {}

impl fmt::Debug for Decoder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Decoder")
    }
}

impl PartialEq for Checker {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::fn_addr_eq(self.0, other.0)
    }
}

impl Eq for Checker {}

impl fmt::Debug for Checker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Checker")
    }
}

/// Where a parameter goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Location {
    /// In the path template.
    Path,
    /// In the query string.
    Query,
}

/// A path or query parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Parameter {
    /// Its name on the wire: `campaign_id`, `group_by[]`.
    pub name: &'static str,
    /// Other names the server takes for it (`group_by` for `group_by[]`), from the spec's
    /// `x-adsterra-aliases`. Clients send `name`; servers and checks accept these too.
    pub aliases: &'static [&'static str],
    /// Whether every request must carry it.
    pub required: bool,
    /// The type of one value.
    pub kind: Kind,
    /// Whether it may be given several times (an array, sent as `name=a&name=b`).
    pub repeated: bool,
    /// The allowed values, when the spec closes them; empty when any value of `kind` goes.
    pub values: &'static [&'static str],
    /// The ECMA-262 pattern a value must match, when the spec gives one (`^([A-Z]{2}|All)$`).
    pub pattern: Option<&'static str>,
    /// The value that means "no filter" (`All` for `country`, the spec's
    /// `x-adsterra-no-filter`): a server answers as if the parameter were left out, so a client
    /// leaves it out instead of sending it.
    pub no_filter: Option<&'static str>,
    /// The spec's example (several values joined by `,`).
    pub example: Option<&'static str>,
    /// For a path id: which read's answer holds such ids.
    pub link: Option<Link>,
}

impl Parameter {
    /// Checks one value as text, as it would be sent; the error says what is expected.
    pub fn check(&self, value: &str) -> Result<(), String> {
        let fits = match self.kind {
            Kind::Integer => value.parse::<i64>().is_ok(),
            Kind::Number => value.parse::<f64>().is_ok_and(f64::is_finite),
            Kind::Boolean => matches!(value, "true" | "false"),
            Kind::Date => chrono::NaiveDate::parse_from_str(value, "%Y-%m-%d").is_ok(),
            Kind::Text => true,
        };
        if !fits {
            return Err(format!("{value:?} is not {}", self.kind.described()));
        }
        if !self.values.is_empty() && !self.values.contains(&value) {
            return Err(format!(
                "{value:?} is not one of {}",
                self.values.join(", ")
            ));
        }
        if let Some(pattern) = self.pattern
            && !matches_pattern(pattern, value)
        {
            let mut message = format!("{value:?} does not match {pattern}");
            if let Some(example) = self.example {
                message += &format!(", such as {example}");
            }
            if let Some(all) = self.no_filter {
                message += &format!(" ({all}: no filter)");
            }
            return Err(message);
        }
        Ok(())
    }

    /// Whether `value` is this parameter's "no filter" value, which a client does not send.
    pub fn means_no_filter(&self, value: &str) -> bool {
        self.no_filter == Some(value)
    }
}

/// The type of a parameter's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A whole number.
    Integer,
    /// A decimal number.
    Number,
    /// `true` or `false`.
    Boolean,
    /// A day, `YYYY-MM-DD`.
    Date,
    /// Any text.
    Text,
}

impl Kind {
    fn described(self) -> &'static str {
        match self {
            Kind::Integer => "a whole number",
            Kind::Number => "a number",
            Kind::Boolean => "true or false",
            Kind::Date => "a day written YYYY-MM-DD",
            Kind::Text => "text",
        }
    }
}

/// Where a path id is found: in the answer of a read (the spec's `x-adsterra-link`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Link {
    /// The read whose answer holds such ids.
    pub endpoint: Endpoint,
    /// The JSON pointer of one id in that answer: `/items/0/id`.
    pub pointer: &'static str,
}

/// A JSON request body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Body {
    /// Its schema (and generated type).
    pub schema: &'static str,
    /// Whether the operation needs one.
    pub required: bool,
    /// The spec's example of it.
    pub example: Option<&'static str>,
    /// Checks a body against the generated type of [`Body::schema`].
    pub checker: Checker,
}

/// An HTTP method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Method {
    /// GET
    Get,
    /// POST
    Post,
    /// PUT
    Put,
    /// PATCH
    Patch,
    /// DELETE
    Delete,
}

impl Method {
    /// Upper case, as on the wire.
    pub const fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
        }
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An object schema of the spec (`StatsRow`, `CampaignList`, ...): what its fields are, as far
/// as reading an answer needs to know.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Schema {
    /// The component name, which is also the generated type's name.
    pub name: &'static str,
    /// How sure the spec is of the object as a whole.
    pub evidence: Evidence,
    /// Its properties, in the spec's order.
    pub fields: &'static [Field],
}

impl Schema {
    /// The object schema named `name`.
    pub fn find(name: &str) -> Option<&'static Schema> {
        crate::operations::schema_by_name(name)
    }

    /// The field named `name`.
    pub fn field(&self, name: &str) -> Option<&'static Field> {
        self.fields.iter().find(|field| field.name == name)
    }
}

/// One property of an object schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Field {
    /// Its name in the JSON answer (and CSV column, XML element).
    pub name: &'static str,
    /// Whether every answer must carry it; the others may be missing.
    pub required: bool,
    /// Whether it may be `null`.
    pub nullable: bool,
    /// How sure the spec is of it.
    pub evidence: Evidence,
    /// The object schema of its value, or of its items when it is a list.
    pub schema: Option<&'static str>,
    /// For an open set of values (a status integer), the values the spec knows; an answer may
    /// carry others (`x-adsterra-known-values`).
    pub known_values: &'static [&'static str],
    /// When an answer always carries this optional field (`x-adsterra-present-when`).
    pub present_when: Option<Presence>,
}

/// When an answer always carries an optional field: the spec's `x-adsterra-present-when`. A
/// field is no less optional for it elsewhere; a reader that sees it missing where the
/// condition holds has found a deviation, and one that leaves it out there plays the API wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Presence {
    /// In a stats row grouped by `key` (a `group_by[]` value); with `default`, also in a row
    /// of a request that names no key.
    GroupedBy {
        /// The `group_by[]` value that brings the field.
        key: &'static str,
        /// Whether a request without `group_by[]` brings it too.
        default: bool,
    },
    /// In the answer of this endpoint (the single campaign's `active`), in every format.
    AnswerOf(Endpoint),
}

impl Presence {
    /// Whether the condition holds for an answer of `endpoint` to a request grouped by
    /// `group_by` (empty when the request names no key).
    pub fn holds(self, endpoint: Endpoint, group_by: &[&str]) -> bool {
        match self {
            Presence::GroupedBy { key, default } => {
                group_by.contains(&key) || (default && group_by.is_empty())
            }
            Presence::AnswerOf(brought_by) => brought_by == endpoint,
        }
    }
}

/// How sure the spec is of a part of the API (`x-adsterra-evidence`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Evidence {
    /// Stated by Adsterra, or seen running against the live API.
    Confirmed,
    /// Seen in code that appears to follow the official reference, not seen running.
    Likely,
    /// Seen nowhere; derived by analogy or guessed.
    Inferred,
}

impl fmt::Display for Evidence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Evidence::Confirmed => "confirmed",
            Evidence::Likely => "likely",
            Evidence::Inferred => "inferred",
        })
    }
}

/// Whether an operation may be sent twice (`x-adsterra-retry`, which also says why).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RetryClass {
    /// A read: retry any transient failure.
    ReadOnly,
    /// A write that applied twice equals once: retry any transient failure.
    Idempotent,
    /// A write that must not run twice: retry only when the request surely was not handled
    /// (the connection was refused, or the answer was 429).
    NotIdempotent,
}

impl fmt::Display for RetryClass {
    /// As the spec writes it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            RetryClass::ReadOnly => "readonly",
            RetryClass::Idempotent => "idempotent",
            RetryClass::NotIdempotent => "not-idempotent",
        })
    }
}

impl RetryClass {
    /// Whether any transient failure may be retried, even one the server may have handled.
    pub fn retries_handled_failures(self) -> bool {
        self != RetryClass::NotIdempotent
    }
}

/// Percent-encodes a path segment (ids are integers; anything else is escaped, not trusted).
fn url_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// Whether `value` matches the ECMA-262 `pattern` (the dialect OpenAPI patterns are written
/// in); a pattern that does not compile matches nothing, and codegen refuses one.
fn matches_pattern(pattern: &str, value: &str) -> bool {
    regress::Regex::new(pattern).is_ok_and(|regex| regex.find(value).is_some())
}
