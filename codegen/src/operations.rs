//! The operation table: every lowered operation as Rust data (`generated/src/operations.rs`).
//!
//! Hand-written code reads this table instead of spelling operation ids: the client's retry
//! policy, the sandbox's routing, the command line's generic `api` call and its dry runs,
//! verify-live and the tests. What the table holds is what the spec says of each operation
//! (method, path, format, resource, parameters, request body, answer type, evidence, retry
//! class, where a path id is found, the JSON example), so one edit of the spec reaches all of
//! them. The shape of the table (`Operation`, `Parameter`, ...) is hand-written beside it, in
//! `generated/src/operation.rs`; this module only fills it in.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use adsterra_formats::Format;
use serde_json::Value;

use crate::walk::{self, Operation};
use crate::{ALIASES_KEY, EVIDENCE_KEY, LIMITS_KEY, LINK_KEY, RETRY_KEY, pointer};

/// The table could not be made: the lowered spec lacks something every operation must have.
#[derive(Debug, thiserror::Error)]
#[error("{pointer}: {message}")]
pub struct TableError {
    /// Where, in the lowered spec.
    pub pointer: String,
    /// What is missing.
    pub message: String,
}

/// The Rust source of `generated/src/operations.rs` for the lowered spec.
pub fn source(lowered: &Value) -> Result<String, TableError> {
    let operations = walk::operations(lowered);
    let rows = operations
        .iter()
        .map(|operation| row(lowered, operation))
        .collect::<Result<Vec<_>, _>>()?;

    let mut out = String::from(
        "//! Every operation of the lowered spec, as data; the shape is in `operation.rs`.\n\n\
         use adsterra_formats::Format;\n\n\
         use crate::operation::{Body, Evidence, Field, Kind, Link, Method, Operation, Parameter, RetryClass, Schema};\n\
         use crate::types;\n\n",
    );

    render_endpoint(&rows, &mut out);
    let _ = writeln!(
        out,
        "/// Every operation, in the lowered spec's order.\npub static OPERATIONS: [Operation; {}] = [",
        rows.len()
    );
    for row in &rows {
        row.render(&mut out);
    }
    out.push_str("];\n\n");

    render_decoders(lowered, &rows, &mut out);
    render_schemas(lowered, &mut out);
    render_limits(lowered, &mut out)?;

    let file = syn::parse_file(&out).map_err(|error| TableError {
        pointer: String::new(),
        message: format!("the operation table does not parse as Rust: {error}"),
    })?;
    Ok(format!(
        "{}\n\n{}",
        crate::generate::HEADER,
        prettyplease::unparse(&file)
    ))
}

/// `Endpoint`: a variant per endpoint (its JSON operation), with its id and its operations.
fn render_endpoint(rows: &[Row], out: &mut String) {
    let endpoints: Vec<&Row> = rows.iter().filter(|r| r.format == Format::Json).collect();
    out.push_str(
        "/// An endpoint of the spec: one operation of the hand-written document, served in every\n\
         /// format (`operation(format)`).\n\
         #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]\n\
         #[non_exhaustive]\n\
         pub enum Endpoint {\n",
    );
    for row in &endpoints {
        let _ = writeln!(out, "    /// {}\n    {},", row.summary, variant(&row.id));
    }
    out.push_str("}\n\nimpl Endpoint {\n    /// Every endpoint, in document order.\n    pub const ALL: &'static [Endpoint] = &[");
    for row in &endpoints {
        let _ = write!(out, "Self::{}, ", variant(&row.id));
    }
    out.push_str("];\n\n    /// Its operationId (the JSON operation's).\n    pub const fn id(self) -> &'static str {\n        match self {\n");
    for row in &endpoints {
        let _ = writeln!(
            out,
            "            Self::{} => {:?},",
            variant(&row.id),
            row.id
        );
    }
    out.push_str("        }\n    }\n\n    /// The operation that serves it in `format`.\n    pub fn operation(self, format: Format) -> &'static Operation {\n        &OPERATIONS[match (self, format) {\n");
    for (index, row) in rows.iter().enumerate() {
        let _ = writeln!(
            out,
            "            (Self::{}, Format::{:?}) => {index},",
            variant(&row.endpoint),
            row.format
        );
    }
    out.push_str("        }]\n    }\n}\n\n");
}

/// One operation, as the table holds it.
struct Row {
    id: String,
    endpoint: String,
    summary: String,
    method: String,
    path: String,
    endpoint_path: String,
    format: Format,
    resource: String,
    path_parameters: Vec<Param>,
    query_parameters: Vec<Param>,
    body: Option<RequestBody>,
    answer: String,
    example: String,
    evidence: String,
    retry: String,
}

struct RequestBody {
    schema: String,
    required: bool,
    example: Option<String>,
}

struct Param {
    name: String,
    required: bool,
    kind: &'static str,
    repeated: bool,
    values: Vec<String>,
    example: Option<String>,
    link: Option<(String, String)>,
    aliases: Vec<String>,
}

fn row(lowered: &Value, operation: &Operation<'_>) -> Result<Row, TableError> {
    let at = operation.pointer();
    let missing = |what: &str| TableError {
        pointer: at.clone(),
        message: format!("no {what}"),
    };
    let text = |key: &str| {
        operation
            .value
            .get(key)
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    let id = operation
        .operation_id()
        .ok_or_else(|| missing("operationId"))?
        .to_owned();
    let format: Format = text("x-adsterra-format")
        .ok_or_else(|| missing("x-adsterra-format (is the spec lowered?)"))?
        .parse()
        .map_err(|_| missing("known x-adsterra-format"))?;
    let endpoint = match format {
        Format::Json => id.clone(),
        other => id
            .strip_suffix(&format!("_{}", other.extension()))
            .ok_or_else(|| missing("format suffix on the operationId"))?
            .to_owned(),
    };
    // CSV and XML answers are typed by the JSON twin: same path stem, same method.
    let stem = operation
        .path
        .rsplit_once('.')
        .map_or(operation.path, |(stem, _)| stem);
    let twin = lowered
        .pointer(&pointer::join([
            "paths",
            &format!("{stem}.json"),
            operation.method,
        ]))
        .ok_or_else(|| missing("JSON twin"))?;
    let success = twin
        .pointer("/responses/200/content/application~1json")
        .ok_or_else(|| missing("JSON 200 answer on the twin"))?;
    let answer = schema_name(success.get("schema")).ok_or_else(|| missing("$ref answer schema"))?;
    let example = success
        .get("example")
        .map(|e| serde_json::to_string(e).expect("a JSON value serialises"))
        .ok_or_else(|| missing("JSON example"))?;
    let body = operation
        .value
        .pointer("/requestBody")
        .and_then(|b| pointer::resolve(lowered, b))
        .map(|body| {
            let name = schema_name(body.pointer("/content/application~1json/schema"))
                .ok_or_else(|| missing("$ref request body schema"))?;
            let example = body
                .pointer("/content/application~1json/example")
                .map(|e| serde_json::to_string(e).expect("a JSON value serialises"));
            Ok(RequestBody {
                schema: name,
                required: body.get("required") == Some(&Value::Bool(true)),
                example,
            })
        })
        .transpose()?;
    let retry = operation
        .value
        .pointer(&format!("/{RETRY_KEY}/class"))
        .and_then(Value::as_str)
        .ok_or_else(|| missing(RETRY_KEY))?
        .to_owned();
    let mut path_parameters = Vec::new();
    let mut query_parameters = Vec::new();
    for parameter in operation.parameters(lowered) {
        let param = param(lowered, parameter);
        match parameter.get("in").and_then(Value::as_str) {
            Some("path") => path_parameters.push(param),
            Some("query") => query_parameters.push(param),
            _ => {}
        }
    }
    Ok(Row {
        summary: text("summary").unwrap_or_default(),
        method: operation.method.to_owned(),
        path: operation.path.to_owned(),
        endpoint_path: operation
            .path_item
            .get("x-adsterra-lowered-from")
            .and_then(Value::as_str)
            .unwrap_or(operation.path)
            .to_owned(),
        format,
        resource: operation
            .value
            .pointer("/tags/0")
            .and_then(Value::as_str)
            .ok_or_else(|| missing("tag"))?
            .to_owned(),
        evidence: text(EVIDENCE_KEY).ok_or_else(|| missing(EVIDENCE_KEY))?,
        id,
        endpoint,
        path_parameters,
        query_parameters,
        body,
        answer,
        example,
        retry,
    })
}

fn param(root: &Value, parameter: &Value) -> Param {
    let schema = parameter
        .get("schema")
        .and_then(|s| pointer::resolve(root, s))
        .unwrap_or(&Value::Null);
    let repeated = schema.get("type").and_then(Value::as_str) == Some("array");
    let scalar = if repeated {
        schema
            .get("items")
            .and_then(|s| pointer::resolve(root, s))
            .unwrap_or(&Value::Null)
    } else {
        schema
    };
    let kind = match (
        scalar.get("type").and_then(Value::as_str),
        scalar.get("format").and_then(Value::as_str),
    ) {
        (Some("integer"), _) => "Integer",
        (Some("number"), _) => "Number",
        (Some("boolean"), _) => "Boolean",
        (Some("string"), Some("date")) => "Date",
        _ => "Text",
    };
    let example = parameter.get("example").map(|example| match example {
        Value::String(text) => text.clone(),
        Value::Array(items) => items
            .iter()
            .map(|item| {
                item.as_str()
                    .map_or_else(|| item.to_string(), str::to_owned)
            })
            .collect::<Vec<_>>()
            .join(","),
        other => other.to_string(),
    });
    let link = parameter.get(LINK_KEY).and_then(|link| {
        let operation = link.get("operationId")?.as_str()?;
        let expression = link.get("parameter")?.as_str()?;
        Some((
            operation.to_owned(),
            expression.strip_prefix("$response.body#")?.to_owned(),
        ))
    });
    Param {
        name: parameter
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned(),
        required: parameter.get("required") == Some(&Value::Bool(true)),
        kind,
        repeated,
        values: scalar
            .get("enum")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect(),
        example,
        link,
        aliases: parameter
            .get(ALIASES_KEY)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect(),
    }
}

/// The component name of a `$ref` schema.
fn schema_name(schema: Option<&Value>) -> Option<String> {
    schema?
        .get("$ref")?
        .as_str()?
        .strip_prefix("#/components/schemas/")
        .map(str::to_owned)
}

/// `SCHEMAS`: every object schema of the spec with its fields, so that code reading answers
/// knows which fields are required, nullable, how sure the spec is of each, and which values
/// are the known ones of an open set, without a copy of the spec.
fn render_schemas(lowered: &Value, out: &mut String) {
    let schemas = lowered
        .pointer("/components/schemas")
        .and_then(Value::as_object);
    let objects: Vec<(&String, &Value)> = schemas
        .into_iter()
        .flatten()
        .filter(|(_, schema)| schema.get("properties").is_some())
        .collect();
    let _ = writeln!(
        out,
        "/// Every object schema of the spec, in its order.\npub static SCHEMAS: [Schema; {}] = [",
        objects.len()
    );
    for (name, schema) in objects {
        let required: BTreeSet<&str> = schema
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        let _ = write!(
            out,
            "Schema {{ name: {name:?}, evidence: Evidence::{}, fields: &[",
            evidence_variant(schema)
        );
        let properties = schema.get("properties").and_then(Value::as_object);
        for (field, property) in properties.into_iter().flatten() {
            let nested = schema_name(Some(property)).or_else(|| schema_name(property.get("items")));
            let known: Vec<String> = property
                .get("x-adsterra-known-values")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .map(|value| match value {
                    Value::String(text) => text.clone(),
                    other => other.to_string(),
                })
                .collect();
            let _ = write!(
                out,
                "Field {{ name: {field:?}, required: {}, nullable: {}, evidence: Evidence::{}, \
                 schema: {nested:?}, known_values: &[{}] }}, ",
                required.contains(field.as_str()),
                property.get("nullable") == Some(&Value::Bool(true)),
                evidence_variant(property),
                quoted(&known),
            );
        }
        out.push_str("] },\n");
    }
    out.push_str("];\n\n");
}

/// `Confirmed`, `Likely` or `Inferred` (an unmarked node, which the lint refuses, as `Inferred`).
fn evidence_variant(node: &Value) -> &'static str {
    match node.get(EVIDENCE_KEY).and_then(Value::as_str) {
        Some("confirmed") => "Confirmed",
        Some("likely") => "Likely",
        _ => "Inferred",
    }
}

/// Texts as the items of a Rust slice literal: `"a", "b", `.
fn quoted(texts: &[String]) -> String {
    texts.iter().map(|text| format!("{text:?}, ")).collect()
}

/// `get_campaign_banners` → `GetCampaignBanners`.
fn variant(id: &str) -> String {
    id.split('_')
        .map(|word| {
            let mut chars = word.chars();
            chars.next().map_or_else(String::new, |first| {
                first.to_uppercase().chain(chars).collect()
            })
        })
        .collect()
}

impl Row {
    fn render(&self, out: &mut String) {
        let _ = write!(
            out,
            "Operation {{ id: {:?}, endpoint: Endpoint::{}, summary: {:?}, method: Method::{}, \
             path: {:?}, endpoint_path: {:?}, format: Format::{:?}, resource: {:?}, ",
            self.id,
            variant(&self.endpoint),
            self.summary,
            variant(&self.method),
            self.path,
            self.endpoint_path,
            self.format,
            self.resource,
        );
        for (field, parameters) in [
            ("path_parameters", &self.path_parameters),
            ("query_parameters", &self.query_parameters),
        ] {
            let _ = write!(out, "{field}: &[");
            for p in parameters {
                let link = p.link.as_ref().map_or("None".to_owned(), |(op, at)| {
                    format!(
                        "Some(Link {{ endpoint: Endpoint::{}, pointer: {at:?} }})",
                        variant(op)
                    )
                });
                let _ = write!(
                    out,
                    "Parameter {{ name: {:?}, aliases: &[{}], required: {}, kind: Kind::{}, \
                     repeated: {}, values: &[{}], example: {:?}, link: {link} }}, ",
                    p.name,
                    quoted(&p.aliases),
                    p.required,
                    p.kind,
                    p.repeated,
                    quoted(&p.values),
                    p.example,
                );
            }
            out.push_str("], ");
        }
        let body = self.body.as_ref().map_or("None".to_owned(), |body| {
            format!(
                "Some(Body {{ schema: {:?}, required: {}, example: {:?} }})",
                body.schema, body.required, body.example
            )
        });
        let retry = match self.retry.as_str() {
            "readonly" => "ReadOnly",
            "idempotent" => "Idempotent",
            _ => "NotIdempotent",
        };
        let _ = writeln!(
            out,
            "body: {body}, answer: {:?}, example: {:?}, evidence: Evidence::{}, retry: RetryClass::{retry} }},",
            self.answer,
            self.example,
            variant(&self.evidence),
        );
    }
}

/// `limits`: a constant per entry of the spec's `info.x-adsterra-limits`.
fn render_limits(lowered: &Value, out: &mut String) -> Result<(), TableError> {
    out.push_str("\n/// The API's limits, as the spec states them (`info.x-adsterra-limits`).\npub mod limits {\n");
    let limits = lowered
        .pointer(&format!("/info/{LIMITS_KEY}"))
        .and_then(Value::as_object)
        .into_iter()
        .flatten();
    for (name, limit) in limits {
        let value = limit
            .get("value")
            .and_then(Value::as_u64)
            .ok_or_else(|| TableError {
                pointer: pointer::join(["info", LIMITS_KEY, name, "value"]),
                message: "a limit is a whole number".into(),
            })?;
        let description = limit
            .get("description")
            .and_then(Value::as_str)
            .unwrap_or("");
        let evidence = limit
            .get(EVIDENCE_KEY)
            .and_then(Value::as_str)
            .unwrap_or("unmarked");
        let _ = writeln!(
            out,
            "/// {} ({evidence})\npub const {}: u32 = {value};",
            description.trim(),
            name.to_uppercase().replace('-', "_"),
        );
    }
    out.push_str("}\n");
    Ok(())
}

/// `decode_answer` and `check_body`: from a schema's name to its generated type, so that code
/// holding only an [`Operation`] can read an answer, or check a body, as the typed client would.
fn render_decoders(lowered: &Value, rows: &[Row], out: &mut String) {
    // Answers, and the error body every operation shares.
    let mut answers: BTreeSet<&str> = rows.iter().map(|r| r.answer.as_str()).collect();
    let error = lowered
        .pointer("/components/schemas/ApiError")
        .map(|_| "ApiError");
    answers.extend(error);
    out.push_str(
        "/// Decodes an answer in `format` as the generated type of the schema `schema` and gives it\n\
         /// back as JSON; `None` when no answer has that schema.\n\
         pub(crate) fn decode_answer(schema: &str, format: Format, body: &[u8]) -> Option<Result<serde_json::Value, adsterra_formats::Error>> {\n\
         fn via<T: serde::de::DeserializeOwned + serde::Serialize>(format: Format, body: &[u8]) -> Result<serde_json::Value, adsterra_formats::Error> {\n\
         let typed: T = adsterra_formats::decode(format, body)?;\n\
         Ok(serde_json::to_value(typed).expect(\"generated types serialise to JSON\"))\n\
         }\n\
         Some(match schema {\n",
    );
    for name in &answers {
        let _ = writeln!(out, "{name:?} => via::<types::{name}>(format, body),");
    }
    out.push_str("_ => return None,\n})\n}\n\n");

    let bodies: BTreeSet<&str> = rows
        .iter()
        .filter_map(|r| r.body.as_ref().map(|body| body.schema.as_str()))
        .collect();
    out.push_str(
        "/// Checks that `body` reads as the generated type of the schema `schema`; `None` when no\n\
         /// request body has that schema.\n\
         pub(crate) fn check_body(schema: &str, body: &serde_json::Value) -> Option<Result<(), serde_json::Error>> {\n\
         fn via<T: serde::de::DeserializeOwned>(body: &serde_json::Value) -> Result<(), serde_json::Error> {\n\
         T::deserialize(body).map(|_| ())\n\
         }\n\
         Some(match schema {\n",
    );
    for name in &bodies {
        let _ = writeln!(out, "{name:?} => via::<types::{name}>(body),");
    }
    out.push_str("_ => return None,\n})\n}\n");
}
