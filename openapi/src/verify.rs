//! Checking an answer against the spec field by field: which fields were seen with the type the
//! spec gives (confirmed), which never showed (missing), which the spec does not describe
//! (unexpected) and which had another type (wrong type). `adsterra verify-live` runs this on
//! answers of the real API; it is how `inferred` parts of the spec earn `confirmed`.
//!
//! JSON answers are checked by type. CSV and XML carry text, so there a value is right when it
//! reads as the spec's type (`12` as an integer, `2026-11-27` as a date, an empty CSV cell as
//! absent).

use std::collections::BTreeMap;
use std::fmt;

use serde_json::Value;

use crate::{EVIDENCE_KEY, admits_null, pointer, walk};

/// What the answers showed of one field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    /// Present, with the spec's type, every time.
    Confirmed,
    /// Described by the spec, never present.
    Missing,
    /// Present, not described by the spec.
    Unexpected,
    /// Present with another type (what was expected and an example of what came).
    WrongType(String),
}

impl Status {
    /// The status in a word or two, without the detail of a wrong type.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Confirmed => "confirmed",
            Self::Missing => "missing",
            Self::Unexpected => "unexpected",
            Self::WrongType(_) => "wrong type",
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::WrongType(detail) => write!(f, "wrong type: {detail}"),
            other => f.write_str(other.name()),
        }
    }
}

/// One field of an answer: `items[].spent`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    /// Where it is in the answer, e.g. `items[].spent`.
    pub path: String,
    /// How the answer's field compares with the spec's.
    pub status: Status,
    /// Whether the spec requires it (in the object that holds it).
    pub required: bool,
    /// Its evidence mark in the spec, when it has one.
    pub evidence: Option<String>,
}

impl Field {
    /// Whether this contradicts the spec: a wrong type, an unexpected field, or a required
    /// field that never showed although its object did.
    pub fn deviates(&self) -> bool {
        match self.status {
            Status::Confirmed => false,
            Status::Missing => self.required,
            Status::Unexpected | Status::WrongType(_) => true,
        }
    }
}

/// The schema of the JSON 200 answer of `operation` (an operationId), `$ref` resolved.
pub fn answer_schema<'a>(spec: &'a Value, operation: &str) -> Option<&'a Value> {
    let operation = walk::operations(spec)
        .into_iter()
        .find(|o| o.operation_id() == Some(operation))?;
    let schema = operation
        .value
        .pointer("/responses/200/content/application~1json/schema")?;
    pointer::resolve(spec, schema)
}

/// How an answer carries its values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Carrier {
    /// Typed JSON.
    Json,
    /// Text, as CSV and XML decode (every value a string, absent values null).
    Text,
}

/// Checks `body` against `schema` (a schema of `root`, the spec), field by field, in the
/// spec's order, then the unexpected fields.
pub fn check(root: &Value, schema: &Value, body: &Value, carrier: Carrier) -> Vec<Field> {
    let mut fields = Vec::new();
    described(root, schema, "", true, None, 0, &mut fields);
    let mut seen = Observations::default();
    observe(root, schema, body, "", carrier, 0, &mut seen);
    let mut report: Vec<Field> = fields
        .into_iter()
        .map(|(path, required, evidence)| {
            let status = match seen.wrong.get(&path) {
                Some(detail) => Status::WrongType(detail.clone()),
                None if seen.present.contains_key(&path) => Status::Confirmed,
                None => Status::Missing,
            };
            // A field of an object that never showed cannot be missing from it.
            let required = required && seen.present.contains_key(parent(&path));
            Field {
                path,
                status,
                required,
                evidence,
            }
        })
        .collect();
    report.extend(seen.unexpected.into_keys().map(|path| Field {
        path,
        status: Status::Unexpected,
        required: false,
        evidence: None,
    }));
    report
}

/// How deep nested schemas are followed (a guard against recursive schemas).
const MAX_DEPTH: usize = 16;

/// Every field the schema describes: (path, required, evidence).
fn described(
    root: &Value,
    schema: &Value,
    path: &str,
    required: bool,
    evidence: Option<String>,
    depth: usize,
    out: &mut Vec<(String, bool, Option<String>)>,
) {
    let Some(schema) = pointer::resolve(root, schema) else {
        return;
    };
    if depth > MAX_DEPTH {
        return;
    }
    if !path.is_empty() {
        out.push((path.to_owned(), required, evidence));
    }
    if let Some(properties) = schema.get("properties").and_then(Value::as_object) {
        for (name, property) in properties {
            let required = schema
                .get("required")
                .and_then(Value::as_array)
                .is_some_and(|names| names.iter().any(|n| n == name));
            let evidence =
                mark(property).or_else(|| pointer::resolve(root, property).and_then(mark));
            described(
                root,
                property,
                &join(path, name),
                required,
                evidence,
                depth + 1,
                out,
            );
        }
    }
    if let Some(items) = schema.get("items") {
        // The elements themselves are not a field; their properties are.
        let mut inner = Vec::new();
        described(
            root,
            items,
            &format!("{path}[]"),
            true,
            None,
            depth + 1,
            &mut inner,
        );
        out.extend(inner.into_iter().skip(1));
    }
}

fn mark(schema: &Value) -> Option<String> {
    schema
        .get(EVIDENCE_KEY)
        .and_then(Value::as_str)
        .map(str::to_owned)
}

#[derive(Default)]
struct Observations {
    /// Paths of values seen (objects included), with how often.
    present: BTreeMap<String, usize>,
    /// The first wrong value of each path.
    wrong: BTreeMap<String, String>,
    /// Fields the spec does not describe.
    unexpected: BTreeMap<String, ()>,
}

fn observe(
    root: &Value,
    schema: &Value,
    value: &Value,
    path: &str,
    carrier: Carrier,
    depth: usize,
    seen: &mut Observations,
) {
    let Some(schema) = pointer::resolve(root, schema) else {
        return;
    };
    if depth > MAX_DEPTH {
        return;
    }
    // In text formats an empty value is an empty list where the spec has an array, and how an
    // absent value travels anywhere else.
    let empty_list = Value::Array(Vec::new());
    let value = match (carrier, value) {
        (Carrier::Text, Value::String(text)) if text.is_empty() => {
            if schema.get("type").and_then(Value::as_str) == Some("array") {
                &empty_list
            } else {
                &Value::Null
            }
        }
        _ => value,
    };
    if value.is_null() {
        if !admits_null(schema) && carrier == Carrier::Json {
            wrong(seen, path, expected(schema), value);
        }
        return;
    }
    *seen.present.entry(path.to_owned()).or_default() += 1;
    if !matches_type(schema, value, carrier) {
        wrong(seen, path, expected(schema), value);
        return;
    }
    // A CSV cell holds nested values as JSON text.
    let parsed;
    let value = match (carrier, value) {
        (Carrier::Text, Value::String(text))
            if schema.get("type").and_then(Value::as_str) == Some("array")
                || schema.get("type").and_then(Value::as_str) == Some("object") =>
        {
            parsed = serde_json::from_str(text).unwrap_or(Value::Null);
            &parsed
        }
        _ => value,
    };
    match value {
        Value::Object(object) => {
            let properties = schema.get("properties").and_then(Value::as_object);
            let open = schema
                .get("additionalProperties")
                .is_some_and(|extra| extra != &Value::Bool(false));
            for (name, inner) in object {
                let inner_path = join(path, name);
                match properties.and_then(|p| p.get(name)) {
                    Some(property) => {
                        observe(root, property, inner, &inner_path, carrier, depth + 1, seen)
                    }
                    None if open || properties.is_none() => {}
                    None => {
                        seen.unexpected.insert(inner_path, ());
                    }
                }
            }
        }
        Value::Array(items) => {
            if let Some(item_schema) = schema.get("items") {
                for item in items {
                    observe(
                        root,
                        item_schema,
                        item,
                        &format!("{path}[]"),
                        carrier,
                        depth + 1,
                        seen,
                    );
                }
            }
        }
        _ => {}
    }
}

fn wrong(seen: &mut Observations, path: &str, expected: String, value: &Value) {
    let found: String = value.to_string().chars().take(40).collect();
    seen.wrong
        .entry(path.to_owned())
        .or_insert_with(|| format!("expected {expected}, found {found}"));
}

fn expected(schema: &Value) -> String {
    let kind = schema.get("type").and_then(Value::as_str).unwrap_or("any");
    match schema.get("format").and_then(Value::as_str) {
        Some(format) => format!("{kind} ({format})"),
        None => kind.to_owned(),
    }
}

fn matches_type(schema: &Value, value: &Value, carrier: Carrier) -> bool {
    let kind = schema.get("type").and_then(Value::as_str);
    let format = schema.get("format").and_then(Value::as_str);
    let enumeration = schema.get("enum").and_then(Value::as_array);
    let text = match (carrier, value) {
        (Carrier::Text, Value::String(text)) => Some(text.as_str()),
        _ => None,
    };
    let typed = match (kind, text) {
        (None, _) => true,
        (Some("integer"), Some(text)) => text.parse::<i64>().is_ok(),
        (Some("integer"), None) => value.is_i64() || value.is_u64(),
        (Some("number"), Some(text)) => text.parse::<f64>().is_ok_and(f64::is_finite),
        (Some("number"), None) => value.is_number(),
        (Some("boolean"), Some(text)) => matches!(text, "true" | "false" | "0" | "1"),
        (Some("boolean"), None) => value.is_boolean(),
        (Some("string"), _) => match (format, value.as_str()) {
            (Some("date"), Some(day)) => chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d").is_ok(),
            (_, Some(_)) => true,
            (_, None) => false,
        },
        (Some("array"), Some(text)) => text.trim_start().starts_with('['),
        (Some("array"), None) => value.is_array(),
        (Some("object"), Some(text)) => text.trim_start().starts_with('{'),
        (Some("object"), None) => value.is_object(),
        (Some(_), _) => true,
    };
    let listed = enumeration.is_none_or(|values| {
        values.iter().any(|allowed| match (allowed, text) {
            (Value::String(_), _) | (_, None) => allowed == value,
            (other, Some(text)) => serde_json::from_str::<Value>(text).ok().as_ref() == Some(other),
        })
    });
    typed && listed
}

fn join(path: &str, name: &str) -> String {
    if path.is_empty() {
        name.to_owned()
    } else {
        format!("{path}.{name}")
    }
}

/// `items[]` for `items[].spent`, `` for `balance`.
fn parent(path: &str) -> &str {
    path.rfind('.').map_or("", |at| &path[..at])
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn statuses(body: Value, carrier: Carrier) -> Vec<(String, String)> {
        let schema = json!({
            "type": "object",
            "required": ["id", "ids"],
            "properties": {
                "id": {"type": "integer", "x-adsterra-evidence": "inferred"},
                "day": {"type": "string", "format": "date"},
                "state": {"type": "integer", "enum": [1, 3]},
                "ids": {"type": "array", "items": {"type": "integer"}},
                "note": {"type": "string", "nullable": true}
            }
        });
        check(&json!({}), &schema, &body, carrier)
            .into_iter()
            .map(|f| (f.path, f.status.to_string()))
            .collect()
    }

    #[test]
    fn json_values_are_checked_by_type() {
        let seen = statuses(
            json!({"id": "7", "day": "2026-02-30", "state": 3, "ids": [1], "note": null, "x": 1}),
            Carrier::Json,
        );
        assert_eq!(
            seen,
            [
                ("id", "wrong type: expected integer, found \"7\""),
                (
                    "day",
                    "wrong type: expected string (date), found \"2026-02-30\""
                ),
                ("state", "confirmed"),
                ("ids", "confirmed"),
                ("note", "missing"),
                ("x", "unexpected"),
            ]
            .map(|(p, s)| (p.to_owned(), s.to_owned()))
        );
    }

    #[test]
    fn text_values_must_read_as_the_type_and_empty_means_absent() {
        let seen = statuses(
            json!({"id": "7", "day": "2026-11-27", "state": "2", "ids": "", "note": ""}),
            Carrier::Text,
        );
        assert_eq!(
            seen,
            [
                ("id", "confirmed"),
                ("day", "confirmed"),
                ("state", "wrong type: expected integer, found \"2\""),
                // An empty XML element is an empty list.
                ("ids", "confirmed"),
                ("note", "missing"),
            ]
            .map(|(p, s)| (p.to_owned(), s.to_owned()))
        );
    }

    #[test]
    fn a_required_field_that_never_showed_deviates() {
        let schema = json!({"type": "object", "required": ["id"], "properties": {"id": {"type": "integer"}}});
        let fields = check(&json!({}), &schema, &json!({}), Carrier::Json);
        assert_eq!(fields[0].status, Status::Missing);
        assert!(fields[0].deviates());
    }

    #[test]
    fn a_schema_without_type_admits_null_as_openapi_says() {
        let schema = json!({"type": "object", "properties": {"data": {"description": "any"}}});
        let fields = check(&json!({}), &schema, &json!({"data": null}), Carrier::Json);
        assert_eq!(fields[0].status, Status::Missing);
        assert!(!fields[0].deviates());
    }
}
