//! Checking an answer against the spec field by field: which fields were seen with the type the
//! spec gives (confirmed), which never showed (missing), which the spec does not describe
//! (unexpected) and which had another type (wrong type). This is the one judge of what an answer
//! must be: `adsterra verify-live` runs it on answers of the real API (it is how `inferred` parts
//! of the spec earn `confirmed`, see [`crate::report`]), and the workspace's conformance tests
//! run it on every answer of the sandbox.
//!
//! JSON answers are checked by type. CSV and XML carry text, so there a value is right when it
//! reads as the spec's type (`12` as an integer, `2026-11-27` as a date, an empty CSV cell as
//! absent). [`check_answer`] reads a body in any format first, and owns the CSV envelope rule.
//!
//! It never sends a request: the caller hands in what it received.

use std::collections::BTreeMap;
use std::fmt;

use adsterra_formats::Format;
use serde_json::Value;

use crate::{EVIDENCE_KEY, admits_null, pointer, walk};

/// What the answers showed of one field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    /// Present, with the spec's type, every time.
    Confirmed,
    /// Described by the spec, never present; or required, and left out of an object that
    /// held it.
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
#[non_exhaustive]
pub struct Field {
    /// Where it is in the answer, e.g. `items[].spent`.
    pub path: String,
    /// How the answer's field compares with the spec's.
    pub status: Status,
    /// Whether the spec requires it (in the object that holds it).
    pub required: bool,
    /// Its evidence mark in the spec, when it has one.
    pub evidence: Option<String>,
    /// The JSON pointer of the first instance that showed the status (`/items/3/spent`): the
    /// wrong value, the unexpected field, or the object that left a required field out (`None`
    /// for a field that was missing without being left out: optional, or `null` where the spec
    /// admits it).
    pub at: Option<String>,
}

impl Field {
    /// Whether this contradicts the spec: a wrong type, an unexpected field, or a required
    /// field left out of an object that showed (one that came as `null` where the spec admits
    /// it was not left out).
    pub fn deviates(&self) -> bool {
        match self.status {
            Status::Confirmed => false,
            Status::Missing => self.required && self.at.is_some(),
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

/// Checks `value` (an answer already read into JSON) against `schema` (a schema of `root`, the
/// spec), field by field, in the spec's order, then wrong values where the spec describes no
/// field (the answer itself has the empty path, an element of a list of numbers `ids[]`), then
/// the unexpected fields.
pub fn check(root: &Value, schema: &Value, value: &Value, carrier: Carrier) -> Vec<Field> {
    let mut fields = Vec::new();
    described(root, schema, "", true, None, 0, &mut fields);
    let mut observer = Observer {
        root,
        carrier,
        seen: Observations::default(),
    };
    observer.observe(schema, value, "", "", 0);
    let seen = observer.seen;
    // A wrong value where the spec describes no field (the answer itself, an element of a list
    // of numbers) is reported under its own path all the same.
    let undescribed: Vec<Field> = seen
        .wrong
        .iter()
        .filter(|(path, _)| !fields.iter().any(|(described, ..)| described == *path))
        .map(|(path, (detail, at))| Field {
            path: path.clone(),
            status: Status::WrongType(detail.clone()),
            required: true,
            evidence: None,
            at: Some(at.clone()),
        })
        .collect();
    let mut report = Vec::with_capacity(fields.len() + undescribed.len());
    report.extend(fields.into_iter().map(|(path, required, evidence)| {
        let absent = seen.absent.get(&path);
        let (status, at) = match seen.wrong.get(&path) {
            Some((detail, at)) => (Status::WrongType(detail.clone()), Some(at.clone())),
            None if seen.present.contains_key(&path) && absent.is_none() => {
                (Status::Confirmed, None)
            }
            None => (Status::Missing, absent.cloned()),
        };
        // A field of an object that never showed cannot be missing from it.
        let required = required && seen.present.contains_key(parent(&path));
        Field {
            path,
            status,
            required,
            evidence,
            at,
        }
    }));
    report.extend(undescribed);
    report.extend(seen.unexpected.into_iter().map(|(path, at)| Field {
        path,
        status: Status::Unexpected,
        required: false,
        evidence: None,
        at: Some(at),
    }));
    report
}

/// Reads `body`, an answer in `format`, and checks it against `schema` (the schema of the JSON
/// answer: CSV and XML carry the same values as text).
///
/// This is where the CSV envelope rule lives: a CSV answer to a list (a schema whose `items` is
/// an array) is the list's rows, and its count is the number of rows, so `itemCount` is no field
/// CSV carries; a CSV answer to anything else is one object, its first row.
///
/// Returns why the body could not be read when it is not `format` at all.
pub fn check_answer(
    root: &Value,
    schema: &Value,
    format: Format,
    body: &[u8],
) -> Result<Vec<Field>, String> {
    let schema = pointer::resolve(root, schema).unwrap_or(schema);
    let (value, carrier) = read_answer(schema, format, body)?;
    let mut fields = check(root, schema, &value, carrier);
    if format == Format::Csv && is_list(schema) {
        fields.retain(|field| field.path != ITEM_COUNT);
    }
    Ok(fields)
}

/// Reads `body`, an answer in `format` to `schema` (resolved), as the checker sees it: JSON
/// typed, CSV and XML as text, a CSV list as `{items: rows}` and anything else in CSV as its
/// first row.
pub(crate) fn read_answer(
    schema: &Value,
    format: Format,
    body: &[u8],
) -> Result<(Value, Carrier), String> {
    Ok(match format {
        Format::Json => (
            serde_json::from_slice(body).map_err(|e| format!("not JSON: {e}"))?,
            Carrier::Json,
        ),
        Format::Csv => {
            let rows = untyped(format, body)?;
            let value = if is_list(schema) {
                serde_json::json!({ "items": rows })
            } else {
                rows.get(0).cloned().unwrap_or(Value::Null)
            };
            (value, Carrier::Text)
        }
        Format::Xml => (untyped(format, body)?, Carrier::Text),
    })
}

/// Whether a schema is a list envelope (its `items` is an array).
fn is_list(schema: &Value) -> bool {
    schema
        .pointer("/properties/items/type")
        .is_some_and(|t| t == "array")
}

/// Checks `body`, the 200 answer of `operation` (an operationId of `spec`) in `format`, against
/// the operation's [`answer_schema`] with [`check_answer`].
pub fn check_read(
    spec: &Value,
    operation: &str,
    format: Format,
    body: &[u8],
) -> Result<Vec<Field>, String> {
    let schema = answer_schema(spec, operation)
        .ok_or_else(|| format!("the spec has no JSON 200 answer for {operation}"))?;
    check_answer(spec, schema, format, body)
}

/// The count of a list envelope, which a CSV answer carries as its number of rows.
const ITEM_COUNT: &str = "itemCount";

/// A CSV or XML body as untyped JSON (every value text), as the checker reads it.
fn untyped(format: Format, body: &[u8]) -> Result<Value, String> {
    adsterra_formats::decode(format, body).map_err(|e| e.to_string())
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
            let required = requires(schema, name);
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

/// Whether the object `schema` lists `name` in its `required`.
fn requires(schema: &Value, name: &str) -> bool {
    schema
        .get("required")
        .and_then(Value::as_array)
        .is_some_and(|names| names.iter().any(|n| n == name))
}

fn mark(schema: &Value) -> Option<String> {
    schema
        .get(EVIDENCE_KEY)
        .and_then(Value::as_str)
        .map(str::to_owned)
}

/// What the walk of an answer saw. Each place is kept with the JSON pointer of the first value
/// that showed it (`/items/3/spent`), so a caller can point at the instance.
#[derive(Default)]
struct Observations {
    /// Paths of values seen (objects included), with how often.
    present: BTreeMap<String, usize>,
    /// The first wrong value of each path: what was expected and what came, and where.
    wrong: BTreeMap<String, (String, String)>,
    /// Required fields that an object which showed left out: where that object is.
    absent: BTreeMap<String, String>,
    /// Fields the spec does not describe, and where the first one is.
    unexpected: BTreeMap<String, String>,
}

/// Walks an answer beside its schema.
struct Observer<'a> {
    root: &'a Value,
    carrier: Carrier,
    seen: Observations,
}

impl Observer<'_> {
    /// `path` names the field (`items[].spent`), `at` the instance (`/items/3/spent`).
    fn observe(&mut self, schema: &Value, value: &Value, path: &str, at: &str, depth: usize) {
        let Some(schema) = pointer::resolve(self.root, schema) else {
            return;
        };
        if depth > MAX_DEPTH {
            return;
        }
        let value = absent_as_null(self.carrier, schema, value);
        if value.is_null() {
            if !admits_null(schema) && self.carrier == Carrier::Json {
                self.wrong(path, at, expected(schema), value);
            }
            return;
        }
        *self.seen.present.entry(path.to_owned()).or_default() += 1;
        if !matches_type(schema, value, self.carrier) {
            self.wrong(path, at, expected(schema), value);
            return;
        }
        // A CSV cell holds nested values as JSON text.
        let parsed;
        let value = match (self.carrier, value) {
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
            Value::Object(object) => self.observe_object(schema, object, path, at, depth),
            Value::Array(items) => {
                if let Some(item_schema) = schema.get("items") {
                    for (index, item) in items.iter().enumerate() {
                        self.observe(
                            item_schema,
                            item,
                            &format!("{path}[]"),
                            &pointer::join_under(at, [index.to_string()]),
                            depth + 1,
                        );
                    }
                }
            }
            _ => {}
        }
    }

    fn observe_object(
        &mut self,
        schema: &Value,
        object: &serde_json::Map<String, Value>,
        path: &str,
        at: &str,
        depth: usize,
    ) {
        let properties = schema.get("properties").and_then(Value::as_object);
        let open = schema
            .get("additionalProperties")
            .is_some_and(|extra| extra != &Value::Bool(false));
        for (name, inner) in object {
            let inner_path = join(path, name);
            let inner_at = pointer::join_under(at, [name]);
            match properties.and_then(|p| p.get(name)) {
                Some(property) => self.observe(property, inner, &inner_path, &inner_at, depth + 1),
                None if open || properties.is_none() => {}
                None => {
                    self.seen.unexpected.entry(inner_path).or_insert(inner_at);
                }
            }
        }
        // A required field must be in every object that holds it, not only in some.
        for (name, property) in properties.into_iter().flatten() {
            let property = pointer::resolve(self.root, property).unwrap_or(property);
            let shown = object.get(name).is_some_and(|value| {
                !absent_as_null(self.carrier, property, value).is_null() || admits_null(property)
            });
            if requires(schema, name) && !shown {
                self.seen
                    .absent
                    .entry(join(path, name))
                    .or_insert_with(|| at.to_owned());
            }
        }
    }

    fn wrong(&mut self, path: &str, at: &str, expected: String, value: &Value) {
        let found: String = value.to_string().chars().take(40).collect();
        self.seen
            .wrong
            .entry(path.to_owned())
            .or_insert_with(|| (format!("expected {expected}, found {found}"), at.to_owned()));
    }
}

/// In text formats an empty value is an empty list where the spec has an array, and how an
/// absent value travels anywhere else.
fn absent_as_null<'v>(carrier: Carrier, schema: &Value, value: &'v Value) -> &'v Value {
    const EMPTY_LIST: &Value = &Value::Array(Vec::new());
    match (carrier, value) {
        (Carrier::Text, Value::String(text)) if text.is_empty() => {
            if schema.get("type").and_then(Value::as_str) == Some("array") {
                EMPTY_LIST
            } else {
                &Value::Null
            }
        }
        _ => value,
    }
}

fn expected(schema: &Value) -> String {
    let kind = schema.get("type").and_then(Value::as_str).unwrap_or("any");
    match schema.get("format").and_then(Value::as_str) {
        Some(format) => format!("{kind} ({format})"),
        None => kind.to_owned(),
    }
}

fn matches_type(schema: &Value, value: &Value, carrier: Carrier) -> bool {
    let enumeration = schema.get("enum").and_then(Value::as_array);
    let text = match (carrier, value) {
        (Carrier::Text, Value::String(text)) => Some(text.as_str()),
        _ => None,
    };
    let listed = enumeration.is_none_or(|values| {
        values.iter().any(|allowed| match (allowed, text) {
            (Value::String(_), _) | (_, None) => allowed == value,
            (other, Some(text)) => serde_json::from_str::<Value>(text).ok().as_ref() == Some(other),
        })
    });
    fits_type(schema, value, carrier) && listed
}

/// Whether `value`, carried as `carrier`, is of the schema's `type` (and date `format`),
/// whatever its `enum` says: text (CSV, XML) fits every type it parses as.
pub(crate) fn fits_type(schema: &Value, value: &Value, carrier: Carrier) -> bool {
    let kind = schema.get("type").and_then(Value::as_str);
    let format = schema.get("format").and_then(Value::as_str);
    let text = match (carrier, value) {
        (Carrier::Text, Value::String(text)) => Some(text.as_str()),
        _ => None,
    };
    match (kind, text) {
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
    }
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

    /// No field of `schema` deviates in `instance`, read as JSON.
    fn accepts(schema: Value, instance: Value) -> bool {
        let wrapped = json!({"type": "object", "properties": {"v": schema}});
        check(
            &json!({}),
            &wrapped,
            &json!({ "v": instance }),
            Carrier::Json,
        )
        .iter()
        .all(|field| !field.deviates())
    }

    #[test]
    fn nullable_with_a_type_allows_null_and_that_type_only() {
        let schema = json!({"type": "string", "nullable": true});
        assert!(accepts(schema.clone(), json!(null)));
        assert!(accepts(schema.clone(), json!("a")));
        assert!(!accepts(schema, json!(1)));
        assert!(!accepts(json!({"type": "string"}), json!(null)));
    }

    #[test]
    fn nullable_without_a_type_accepts_anything() {
        let schema = json!({"nullable": true, "description": "any JSON value"});
        for value in [
            json!(null),
            json!(1),
            json!("x"),
            json!({"a": [1]}),
            json!([]),
        ] {
            assert!(accepts(schema.clone(), value));
        }
    }

    #[test]
    fn nullable_inside_properties_and_items() {
        let object = json!({
            "type": "object",
            "properties": {
                "alias": {"type": "string", "nullable": true},
                "id": {"type": "integer"},
            },
        });
        assert!(accepts(object.clone(), json!({"alias": null, "id": 1})));
        assert!(!accepts(object, json!({"alias": "a", "id": null})));

        let array = json!({"type": "array", "items": {"type": "number", "nullable": true}});
        assert!(accepts(array.clone(), json!([1.5, null])));
        assert!(!accepts(array, json!([1.5, "x"])));
    }

    #[test]
    fn a_nullable_enum_allows_null_and_its_values_only() {
        let enumeration = json!({"type": "string", "enum": ["a"], "nullable": true});
        assert!(accepts(enumeration.clone(), json!(null)));
        assert!(accepts(enumeration.clone(), json!("a")));
        assert!(!accepts(enumeration, json!("b")));
    }

    fn list() -> Value {
        json!({
            "type": "object",
            "required": ["items", "itemCount"],
            "properties": {
                "items": {"type": "array", "items": {"$ref": "#/components/schemas/Row"}},
                "itemCount": {"type": "integer"}
            }
        })
    }

    fn spec() -> Value {
        json!({"components": {"schemas": {"Row": {
            "type": "object",
            "required": ["id"],
            "properties": {"id": {"type": "integer"}, "spent": {"type": "number"}}
        }}}})
    }

    #[test]
    fn each_deviation_points_at_its_first_instance() {
        let body =
            json!({"items": [{"id": 1}, {"spent": 2.5}, {"id": "x", "y": 1}], "itemCount": 3});
        let fields = check(&spec(), &list(), &body, Carrier::Json);
        let at = |path: &str| {
            let field = fields.iter().find(|f| f.path == path).unwrap();
            (field.status.name(), field.at.clone())
        };
        assert_eq!(at("items[].id"), ("wrong type", Some("/items/2/id".into())));
        assert_eq!(at("items[].y"), ("unexpected", Some("/items/2/y".into())));
        assert_eq!(at("items[].spent"), ("confirmed", None));
        // A required field left out of one row is missing there, though other rows hold it.
        let body = json!({"items": [{"id": 1}, {"spent": 2.5}], "itemCount": 2});
        let fields = check(&spec(), &list(), &body, Carrier::Json);
        let id = fields.iter().find(|f| f.path == "items[].id").unwrap();
        assert_eq!(id.status, Status::Missing);
        assert_eq!(id.at.as_deref(), Some("/items/1"));
        assert!(id.deviates());
    }

    #[test]
    fn a_root_of_the_wrong_type_is_a_field_of_its_own() {
        let fields = check(&spec(), &list(), &json!([1]), Carrier::Json);
        let root = fields.iter().find(|f| f.path.is_empty()).unwrap();
        assert!(matches!(root.status, Status::WrongType(_)));
        assert_eq!(root.at.as_deref(), Some(""));
        assert!(root.deviates());
    }

    #[test]
    fn a_csv_list_is_its_rows_and_carries_no_count() {
        let body = b"id;spent\n1;2.5\nmany;\n";
        let fields = check_answer(&spec(), &list(), Format::Csv, body).unwrap();
        let paths: Vec<(&str, String)> = fields
            .iter()
            .map(|f| (f.path.as_str(), f.status.to_string()))
            .collect();
        assert_eq!(
            paths,
            [
                ("items", "confirmed".to_owned()),
                (
                    "items[].id",
                    "wrong type: expected integer, found \"many\"".to_owned()
                ),
                ("items[].spent", "confirmed".to_owned()),
            ]
        );
        assert_eq!(fields[1].at.as_deref(), Some("/items/1/id"));
        // Anything else is one object: the first row.
        let row = json!({"$ref": "#/components/schemas/Row"});
        let fields = check_answer(&spec(), &row, Format::Csv, b"id;spent\n7;1\n").unwrap();
        assert!(
            fields.iter().all(|f| f.status == Status::Confirmed),
            "{fields:?}"
        );
        let error = check_answer(&spec(), &row, Format::Json, b"id;spent").unwrap_err();
        assert!(error.starts_with("not JSON"), "{error}");
    }

    #[test]
    fn a_required_field_that_admits_null_may_come_as_null_but_not_be_left_out() {
        let schema = json!({"type": "object", "required": ["data"], "properties": {"data": {}}});
        let fields = check(&json!({}), &schema, &json!({"data": null}), Carrier::Json);
        assert_eq!(fields[0].status, Status::Missing);
        assert!(!fields[0].deviates());
        let fields = check(&json!({}), &schema, &json!({}), Carrier::Json);
        assert!(fields[0].deviates());
    }
}
