//! Checks a response (status, headers, body) against the published spec,
//! `spec/dist/adsterra-advertiser.lowered.json`.
//!
//! The integration tests of the sandbox call [`Conformance::check`] on every response they receive,
//! so the fake cannot drift from the document that clients are generated from. This module owns
//! that judgement only: it never changes the spec (the spec is the source of truth, a failing check
//! means the response is wrong) and it never talks HTTP (the caller hands in what it received).
//!
//! The lowered spec is OpenAPI 3.0, whose schemas are a draft-4 dialect with a few keywords of
//! their own; `to_json_schema` turns them into plain JSON Schema (draft 4) once, at load. CSV and
//! XML bodies carry no types and are documented as plain strings, so they are decoded with
//! `adsterra-formats` into the typed value of the JSON twin operation and checked against the
//! twin's schema: the same rule the client uses to read them.

use std::collections::{HashMap, HashSet};
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::{Arc, Mutex, PoisonError};

use adsterra_formats::Format;
use jsonschema::Validator;
use serde_json::{Map, Value, json};
use wiremock::http::HeaderMap;

/// Validates responses against the lowered spec. Build once per test binary (e.g. in a
/// `LazyLock`): loading compiles a validator for every documented response.
pub struct Conformance {
    /// Every operation, in document order.
    operations: Vec<Operation>,
    /// What an undocumented 405 must look like: the common error body in JSON.
    method_not_allowed: Vec<Body>,
    /// `(operationId, status, body hash)` of every response found conforming.
    seen: Mutex<HashSet<(String, u16, u64)>>,
}

struct Operation {
    id: String,
    /// Documented responses, in document order.
    responses: Vec<Response>,
}

struct Response {
    /// `200`, `404`, or a range such as `5XX`.
    status: String,
    /// One entry per documented media type; empty when no body is documented.
    bodies: Vec<Body>,
}

struct Body {
    /// Lower case, without parameters.
    media_type: String,
    decode: Decode,
    schema: Arc<Validator>,
}

enum Decode {
    /// Parsed as JSON and validated as is.
    Json,
    /// Decoded into the typed value of the JSON twin, then re-serialised as JSON.
    Typed(&'static adsterra_generated::Operation),
}

impl Conformance {
    /// Reads `spec/dist/adsterra-advertiser.lowered.json`, converts its OpenAPI 3.0 schemas to
    /// JSON Schema and compiles a validator per `(operationId, status)`.
    ///
    /// Panics when the spec cannot be read or documents something this checker cannot judge
    /// (an unknown media type, a CSV/XML operation without a JSON twin): a test helper should
    /// fail loudly rather than pass everything.
    pub fn load() -> Self {
        let path = crate::workspace_root().join(adsterra_codegen::derived::DIST_LOWERED);
        let text =
            std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        let spec: Value = serde_json::from_slice(&text)
            .unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()));
        Self::from_spec(&spec)
    }

    fn from_spec(spec: &Value) -> Self {
        let mut compiler = Compiler::new(spec);
        let raw = raw_operations(spec);
        let operations = raw
            .iter()
            .map(|(id, operation)| Operation {
                id: id.clone(),
                responses: entries(&operation["responses"])
                    .map(|(status, response)| Response {
                        status: status.clone(),
                        bodies: bodies(spec, &raw, id, status, response, &mut compiler),
                    })
                    .collect(),
            })
            .collect();
        let method_not_allowed = vec![Body {
            media_type: Format::Json.media_type().to_owned(),
            decode: Decode::Json,
            schema: compiler.compile(&json!({"$ref": "#/components/schemas/ApiError"})),
        }];
        Conformance {
            operations,
            method_not_allowed,
            seen: Mutex::default(),
        }
    }

    /// Checks one response of `operation_id` (a lowered id such as `get_stats_csv`): the status is
    /// documented (exactly or by its `5XX` range; an undocumented 405 only with an `Allow` header
    /// and an `ApiError` body), the `Content-Type` is the documented media type, the body is valid
    /// (CSV and XML through the typed value of the JSON twin) and a 429 has a `Retry-After` of
    /// whole seconds.
    ///
    /// Returns every problem found, each a sentence naming the operation, the status and, for the
    /// body, the JSON pointer of the invalid instance.
    pub fn check(
        &self,
        operation_id: &str,
        status: u16,
        headers: &HeaderMap,
        body: &[u8],
    ) -> Result<(), Vec<String>> {
        let problems = self.problems(operation_id, status, headers, body);
        if !problems.is_empty() {
            return Err(problems);
        }
        let mut hasher = DefaultHasher::new();
        body.hash(&mut hasher);
        self.seen
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert((operation_id.to_owned(), status, hasher.finish()));
        Ok(())
    }

    /// Every lowered operationId, in document order.
    pub fn operation_ids(&self) -> Vec<String> {
        self.operations.iter().map(|op| op.id.clone()).collect()
    }

    /// How many distinct `(operationId, status, body hash)` triples [`check`](Self::check) has
    /// found conforming so far. Failed checks are not counted, so deliberately broken responses
    /// in negative tests do not inflate it.
    pub fn validated(&self) -> usize {
        self.seen
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }

    fn problems(&self, id: &str, status: u16, headers: &HeaderMap, body: &[u8]) -> Vec<String> {
        let who = format!("{id} returned {status}");
        let Some(operation) = self.operations.iter().find(|op| op.id == id) else {
            return vec![format!("{who}, but the spec has no operation {id}")];
        };
        let mut problems = Vec::new();
        match operation.response(status) {
            Some(response) => check_body(&who, &response.bodies, headers, body, &mut problems),
            // A router that knows the path but not the method answers 405; the spec does not
            // list it per operation, so it is held to the common error shape instead.
            None if status == 405 => {
                if header_text(headers, "allow").is_none_or(|allow| allow.trim().is_empty()) {
                    problems.push(format!("{who} without an Allow header"));
                }
                check_body(&who, &self.method_not_allowed, headers, body, &mut problems);
            }
            None => {
                let documented: Vec<&str> = operation
                    .responses
                    .iter()
                    .map(|r| r.status.as_str())
                    .collect();
                problems.push(format!(
                    "{who}, a status the spec does not document for it (documented: {})",
                    documented.join(", ")
                ));
                return problems;
            }
        }
        // The spec documents the header on every 429; clients rely on it to back off.
        if status == 429 {
            match header_text(headers, "retry-after") {
                None => problems.push(format!("{who} without a Retry-After header")),
                Some(value) if !is_delta_seconds(value) => problems.push(format!(
                    "{who} with Retry-After {value:?}, not a non-negative integer of seconds"
                )),
                Some(_) => {}
            }
        }
        problems
    }
}

impl Operation {
    /// The documented response for `status`: the exact code first, then its range (`5XX`).
    fn response(&self, status: u16) -> Option<&Response> {
        let exact = status.to_string();
        let range = format!("{}XX", status / 100);
        let find = |key: &str| {
            self.responses
                .iter()
                .find(|r| r.status.eq_ignore_ascii_case(key))
        };
        find(&exact).or_else(|| find(&range))
    }
}

/// Checks the media type and the body against the documented `bodies`, pushing every problem.
fn check_body(
    who: &str,
    bodies: &[Body],
    headers: &HeaderMap,
    body: &[u8],
    problems: &mut Vec<String>,
) {
    if bodies.is_empty() {
        if !body.is_empty() {
            problems.push(format!(
                "{who} with a body of {} bytes where the spec documents none",
                body.len()
            ));
        }
        return;
    }
    let documented = || {
        bodies
            .iter()
            .map(|b| b.media_type.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let Some(media_type) = header_text(headers, "content-type").map(|value| {
        value
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase()
    }) else {
        problems.push(format!(
            "{who} without a Content-Type header (documented: {})",
            documented()
        ));
        return;
    };
    let Some(expected) = bodies.iter().find(|b| b.media_type == media_type) else {
        problems.push(format!(
            "{who} with Content-Type {media_type}, but the spec documents {}",
            documented()
        ));
        return;
    };
    let instance = match expected.decode {
        Decode::Json => serde_json::from_slice::<Value>(body)
            .map_err(|e| format!("{who} with a body that is not JSON: {e}")),
        Decode::Typed(operation) => operation.decode(body).map_err(|e| {
            let pointer = e.location.field.as_deref().map(field_pointer);
            format!(
                "{who} with a body that does not decode at {}: {e}",
                pointer_text(pointer.as_deref().unwrap_or(""))
            )
        }),
    };
    match instance {
        Ok(instance) => problems.extend(expected.schema.iter_errors(&instance).map(|error| {
            format!(
                "{who} with a body invalid at {}: {error}",
                pointer_text(error.instance_path().as_str())
            )
        })),
        Err(problem) => problems.push(problem),
    }
}

/// The value of a header as text; a header that is not visible ASCII counts as absent.
fn header_text<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers.get(name).and_then(|value| value.to_str().ok())
}

/// RFC 9110 `delta-seconds`: one or more digits, nothing else (no sign, no fraction).
fn is_delta_seconds(value: &str) -> bool {
    let value = value.trim();
    !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit())
}

/// A JSON pointer as a sentence shows it; the root pointer is the empty string, which reads badly.
fn pointer_text(pointer: &str) -> &str {
    if pointer.is_empty() {
        "the root"
    } else {
        pointer
    }
}

/// Turns a typed-decoding field path (`items[2].impressions`) into a JSON pointer
/// (`/items/2/impressions`), so decode and schema problems name places the same way.
fn field_pointer(field: &str) -> String {
    field
        .split(['.', '['])
        .filter(|part| !part.is_empty())
        .map(|part| {
            let part = part.trim_end_matches(']');
            format!("/{}", part.replace('~', "~0").replace('/', "~1"))
        })
        .collect()
}

/// `(operationId, operation)` of every operation, in document order (serde_json keeps key order).
fn raw_operations(spec: &Value) -> Vec<(String, &Value)> {
    entries(&spec["paths"])
        .flat_map(|(_, item)| entries(item))
        .filter_map(|(_, op)| Some((op.get("operationId")?.as_str()?.to_owned(), op)))
        .collect()
}

/// The documented bodies of one response, each with its compiled schema.
fn bodies(
    spec: &Value,
    raw: &[(String, &Value)],
    id: &str,
    status: &str,
    response: &Value,
    compiler: &mut Compiler,
) -> Vec<Body> {
    entries(&resolve(spec, response)["content"])
        .map(|(media_type, media)| {
            let format = Format::ALL
                .into_iter()
                .find(|f| f.media_type().eq_ignore_ascii_case(media_type))
                .unwrap_or_else(|| panic!("{id} {status}: cannot check media type {media_type}"));
            let (decode, schema) = match format {
                Format::Json => (Decode::Json, media["schema"].clone()),
                Format::Csv | Format::Xml => {
                    let reference = twin_schema_ref(spec, raw, id, status, format);
                    let component = reference
                        .strip_prefix("#/components/schemas/")
                        .unwrap_or_else(|| panic!("{id}: twin schema {reference} is no component"));
                    // The operation table decodes it as the client does, through the generated
                    // type of the twin's answer.
                    let operation = adsterra_generated::Operation::find(id)
                        .filter(|operation| operation.answer == component)
                        .unwrap_or_else(|| {
                            panic!("{id}: the operation table does not decode it as {component}; run `cargo xtask generate`")
                        });
                    (Decode::Typed(operation), json!({"$ref": reference}))
                }
            };
            Body {
                media_type: media_type.to_ascii_lowercase(),
                decode,
                schema: compiler.compile(&schema),
            }
        })
        .collect()
}

/// The `$ref` of the JSON twin's schema for the same status: `get_stats_csv` → `get_stats`.
fn twin_schema_ref(
    spec: &Value,
    raw: &[(String, &Value)],
    id: &str,
    status: &str,
    format: Format,
) -> String {
    let twin = id
        .strip_suffix(&format!("_{}", format.extension()))
        .unwrap_or_else(|| panic!("{id} serves {format} but has no _{format} suffix"));
    let (_, operation) = raw
        .iter()
        .find(|(other, _)| other == twin)
        .unwrap_or_else(|| panic!("{id} has no JSON twin {twin}"));
    let response = resolve(spec, &operation["responses"][status]);
    response["content"][Format::Json.media_type()]["schema"]["$ref"]
        .as_str()
        .unwrap_or_else(|| panic!("{twin} {status} has no JSON schema $ref"))
        .to_owned()
}

/// Follows a local `$ref` (such as `#/components/responses/Unauthorized`) to what it names.
fn resolve<'a>(spec: &'a Value, mut value: &'a Value) -> &'a Value {
    while let Some(reference) = value.get("$ref").and_then(Value::as_str) {
        value = reference
            .strip_prefix('#')
            .and_then(|pointer| spec.pointer(pointer))
            .unwrap_or_else(|| panic!("dangling $ref {reference}"));
    }
    value
}

/// The members of a JSON object in document order; nothing for anything else (an absent key).
fn entries(value: &Value) -> impl Iterator<Item = (&String, &Value)> {
    value.as_object().into_iter().flatten()
}

/// Compiles schemas inside one document that holds every converted component, so `$ref`s to
/// `#/components/schemas/X` resolve; identical schemas share one validator.
struct Compiler {
    components: Value,
    cache: HashMap<String, Arc<Validator>>,
}

impl Compiler {
    fn new(spec: &Value) -> Self {
        let schemas: Map<String, Value> = entries(&spec["components"]["schemas"])
            .map(|(name, schema)| (name.clone(), to_json_schema(schema)))
            .collect();
        Compiler {
            components: json!({ "schemas": schemas }),
            cache: HashMap::new(),
        }
    }

    fn compile(&mut self, schema: &Value) -> Arc<Validator> {
        let key = schema.to_string();
        if let Some(validator) = self.cache.get(&key) {
            return Arc::clone(validator);
        }
        // `allOf` rather than a top-level `$ref`: draft 4 ignores the siblings of `$ref`.
        let document = json!({
            "allOf": [to_json_schema(schema)],
            "components": self.components,
        });
        // OpenAPI 3.0 is a draft-4 dialect (boolean `exclusiveMinimum`). Formats stay annotations:
        // `int64` or `double` say how to store a value, not whether it is valid.
        let validator = jsonschema::draft4::options()
            .should_validate_formats(false)
            .build(&document)
            .unwrap_or_else(|e| panic!("cannot compile {schema}: {e}"));
        let validator = Arc::new(validator);
        self.cache.insert(key, Arc::clone(&validator));
        validator
    }
}

/// Keywords of OpenAPI 3.0 schemas that JSON Schema does not have. `nullable` changes what is
/// valid and is translated; the others are annotations and are dropped, as are `x-*` extensions.
const OPENAPI_ONLY: [&str; 8] = [
    "nullable",
    "example",
    "deprecated",
    "discriminator",
    "readOnly",
    "writeOnly",
    "xml",
    "externalDocs",
];

/// Converts one OpenAPI 3.0 schema into a draft-4 JSON Schema.
///
/// - `nullable: true` with a `type` (and no `enum`) → `type: [t, "null"]`; otherwise (no type, an
///   `enum`, a `$ref`) → `anyOf: [rest, {type: null}]`, so a schema with only `nullable` accepts
///   anything.
/// - OpenAPI-only keywords and `x-*` are dropped; `$ref`s are kept (they resolve in the document
///   [`Compiler`] builds).
/// - Only schema positions are walked (`properties` values, `items`, `additionalProperties`, `not`,
///   `allOf`/`anyOf`/`oneOf`), so a property named `example` or `nullable` is left alone.
fn to_json_schema(schema: &Value) -> Value {
    let Value::Object(map) = schema else {
        return schema.clone();
    };
    let mut out = Map::new();
    for (key, value) in map {
        if OPENAPI_ONLY.contains(&key.as_str()) || key.starts_with("x-") {
            continue;
        }
        let value = match (key.as_str(), value) {
            ("properties", Value::Object(properties)) => Value::Object(
                properties
                    .iter()
                    .map(|(name, schema)| (name.clone(), to_json_schema(schema)))
                    .collect(),
            ),
            ("allOf" | "anyOf" | "oneOf", Value::Array(list)) => {
                Value::Array(list.iter().map(to_json_schema).collect())
            }
            ("items" | "additionalProperties" | "not", _) => to_json_schema(value),
            _ => value.clone(),
        };
        out.insert(key.clone(), value);
    }
    if map.get("nullable") != Some(&Value::Bool(true)) {
        return Value::Object(out);
    }
    match out.get("type") {
        Some(Value::String(kind)) if !out.contains_key("enum") => {
            let kind = json!([kind, "null"]);
            out.insert("type".to_owned(), kind);
            Value::Object(out)
        }
        _ => json!({ "anyOf": [out, { "type": "null" }] }),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::LazyLock;

    use adsterra_generated::Endpoint;
    use wiremock::http::HeaderValue;

    use super::*;

    static CONFORMANCE: LazyLock<Conformance> = LazyLock::new(Conformance::load);

    fn accepts(openapi: Value, instance: Value) -> bool {
        jsonschema::draft4::new(&to_json_schema(&openapi))
            .unwrap()
            .is_valid(&instance)
    }

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, HeaderValue::from_str(value).unwrap());
        }
        map
    }

    fn json_headers() -> HeaderMap {
        headers(&[("content-type", "application/json")])
    }

    /// The JSON example of `get_stats` 200, straight from the lowered spec.
    fn stats_example() -> Value {
        let path = crate::workspace_root().join(adsterra_codegen::derived::DIST_LOWERED);
        let spec: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
        spec["paths"]["/stats.json"]["get"]["responses"]["200"]["content"]["application/json"]
            ["example"]
            .clone()
    }

    fn rejected(result: Result<(), Vec<String>>) -> Vec<String> {
        result.expect_err("the response should have been rejected")
    }

    #[test]
    fn nullable_with_a_type_allows_null_and_that_type_only() {
        let schema = json!({"type": "string", "nullable": true});
        assert_eq!(to_json_schema(&schema), json!({"type": ["string", "null"]}));
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
    fn nullable_enum_and_ref_become_any_of_with_null() {
        let enumeration = json!({"type": "string", "enum": ["a"], "nullable": true});
        assert!(accepts(enumeration.clone(), json!(null)));
        assert!(accepts(enumeration.clone(), json!("a")));
        assert!(!accepts(enumeration, json!("b")));

        let reference = to_json_schema(&json!({"$ref": "#/definitions/N", "nullable": true}));
        let document = json!({"allOf": [reference], "definitions": {"N": {"type": "integer"}}});
        let validator = jsonschema::draft4::new(&document).unwrap();
        assert!(validator.is_valid(&json!(null)));
        assert!(validator.is_valid(&json!(3)));
        assert!(!validator.is_valid(&json!("3")));
    }

    #[test]
    fn openapi_keywords_are_dropped_but_property_names_are_kept() {
        let schema = json!({
            "type": "object",
            "x-adsterra-evidence": "inferred",
            "example": {"nullable": 1},
            "required": ["example"],
            "properties": {
                "example": {"type": "integer", "deprecated": true, "format": "int64"},
                "nullable": {"type": "string"},
            },
        });
        assert_eq!(
            to_json_schema(&schema),
            json!({
                "type": "object",
                "required": ["example"],
                "properties": {
                    "example": {"type": "integer", "format": "int64"},
                    "nullable": {"type": "string"},
                },
            })
        );
    }

    #[test]
    fn a_valid_json_stats_body_passes() {
        let body = serde_json::to_vec(&stats_example()).unwrap();
        CONFORMANCE
            .check(Endpoint::GetStats.id(), 200, &json_headers(), &body)
            .unwrap();
        let with_charset = headers(&[("content-type", "Application/JSON; charset=utf-8")]);
        CONFORMANCE
            .check(Endpoint::GetStats.id(), 200, &with_charset, &body)
            .unwrap();
    }

    #[test]
    fn a_json_stats_body_with_a_text_impressions_names_the_pointer() {
        let mut example = stats_example();
        example["items"][0]["impressions"] = json!("x");
        let body = serde_json::to_vec(&example).unwrap();
        let problems =
            rejected(CONFORMANCE.check(Endpoint::GetStats.id(), 200, &json_headers(), &body));
        assert_eq!(problems.len(), 1, "{problems:?}");
        let problem = &problems[0];
        assert!(problem.starts_with("get_stats returned 200"), "{problem}");
        assert!(problem.contains("/items/0/impressions"), "{problem}");
    }

    #[test]
    fn csv_and_xml_stats_bodies_encoded_from_the_example_pass() {
        for (id, format) in [
            (Endpoint::GetStats.operation(Format::Csv).id, Format::Csv),
            (Endpoint::GetStats.operation(Format::Xml).id, Format::Xml),
        ] {
            let body = adsterra_formats::encode(format, &stats_example()).unwrap();
            let headers = headers(&[("content-type", format.media_type())]);
            CONFORMANCE
                .check(id, 200, &headers, body.as_bytes())
                .unwrap_or_else(|p| panic!("{id}: {p:?}"));
        }
    }

    #[test]
    fn a_csv_cell_that_is_not_a_number_names_the_field() {
        let body = "date;impressions;conversions;clicks;ctr;cpm;spent\n\
                    2018-02-15;many;0;0;0.0;0.412;141.321\n";
        let headers = headers(&[("content-type", "text/csv")]);
        let problems = rejected(CONFORMANCE.check(
            Endpoint::GetStats.operation(Format::Csv).id,
            200,
            &headers,
            body.as_bytes(),
        ));
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(
            problems[0].starts_with("get_stats_csv returned 200"),
            "{problems:?}"
        );
        assert!(problems[0].contains("/items/0/impressions"), "{problems:?}");
    }

    #[test]
    fn a_decoded_value_that_breaks_the_schema_fails() {
        // Typed decoding checks types; the schema still checks what types cannot (here `NaN`,
        // which an f64 accepts and JSON turns into null).
        let body = "date;impressions;conversions;clicks;ctr;cpm;spent\n\
                    2018-02-15;1;0;0;NaN;0.412;141.321\n";
        let headers = headers(&[("content-type", "text/csv")]);
        let problems = rejected(CONFORMANCE.check(
            Endpoint::GetStats.operation(Format::Csv).id,
            200,
            &headers,
            body.as_bytes(),
        ));
        assert!(problems[0].contains("/items/0/ctr"), "{problems:?}");
    }

    #[test]
    fn an_undocumented_status_fails_and_a_range_is_documented() {
        let error = br#"{"code": 404, "message": "Not found", "data": null}"#;
        let problems =
            rejected(CONFORMANCE.check(Endpoint::GetStats.id(), 404, &json_headers(), error));
        assert!(
            problems[0].contains("get_stats returned 404"),
            "{problems:?}"
        );
        assert!(problems[0].contains("does not document"), "{problems:?}");

        let error = br#"{"code": 503, "message": "Unavailable", "data": null}"#;
        CONFORMANCE
            .check(Endpoint::GetStats.id(), 503, &json_headers(), error)
            .unwrap();
    }

    #[test]
    fn an_undocumented_405_needs_an_allow_header_and_an_error_body() {
        let error = br#"{"code": 405, "message": "Method not allowed", "data": null}"#;
        let problems =
            rejected(CONFORMANCE.check(Endpoint::GetStats.id(), 405, &json_headers(), error));
        assert!(problems[0].contains("Allow"), "{problems:?}");

        let allowed = headers(&[("content-type", "application/json"), ("allow", "GET")]);
        CONFORMANCE
            .check(Endpoint::GetStats.id(), 405, &allowed, error)
            .unwrap();
        let problems = rejected(CONFORMANCE.check(Endpoint::GetStats.id(), 405, &allowed, b"{}"));
        assert!(problems[0].contains("code"), "{problems:?}");
    }

    #[test]
    fn a_wrong_content_type_fails() {
        let body = serde_json::to_vec(&stats_example()).unwrap();
        let xml = headers(&[("content-type", "application/xml")]);
        let problems = rejected(CONFORMANCE.check(Endpoint::GetStats.id(), 200, &xml, &body));
        assert!(problems[0].contains("application/xml"), "{problems:?}");
        let problems =
            rejected(CONFORMANCE.check(Endpoint::GetStats.id(), 200, &HeaderMap::new(), &body));
        assert!(
            problems[0].contains("without a Content-Type"),
            "{problems:?}"
        );

        // Error bodies are JSON even for CSV operations.
        let error = br#"{"code": 401, "message": "Token not found", "data": null}"#;
        let csv = headers(&[("content-type", "text/csv")]);
        let problems = rejected(CONFORMANCE.check(
            Endpoint::GetStats.operation(Format::Csv).id,
            401,
            &csv,
            error,
        ));
        assert!(problems[0].contains("text/csv"), "{problems:?}");
    }

    #[test]
    fn a_429_needs_a_retry_after_of_whole_seconds() {
        let error = br#"{"code": 429, "message": "Too many requests", "data": null}"#;
        let problems =
            rejected(CONFORMANCE.check(Endpoint::GetBalance.id(), 429, &json_headers(), error));
        assert_eq!(
            problems,
            ["get_balance returned 429 without a Retry-After header"]
        );
        for bad in ["-1", "1.5", "soon", "+3"] {
            let headers = headers(&[("content-type", "application/json"), ("retry-after", bad)]);
            assert!(
                CONFORMANCE
                    .check(Endpoint::GetBalance.id(), 429, &headers, error)
                    .is_err(),
                "{bad}"
            );
        }
        let headers = headers(&[("content-type", "application/json"), ("retry-after", "30")]);
        CONFORMANCE
            .check(Endpoint::GetBalance.id(), 429, &headers, error)
            .unwrap();
    }

    #[test]
    fn an_unknown_operation_fails() {
        let problems = rejected(CONFORMANCE.check("get_nothing", 200, &json_headers(), b"{}"));
        assert!(
            problems[0].contains("no operation get_nothing"),
            "{problems:?}"
        );
    }

    #[test]
    fn every_documented_example_conforms() {
        // Proves the conversion and the twin lookup on the whole spec, not just on stats.
        let path = crate::workspace_root().join(adsterra_codegen::derived::DIST_LOWERED);
        let spec: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
        let mut checked = 0;
        for (id, operation) in raw_operations(&spec) {
            for (status, response) in entries(&operation["responses"]) {
                let code = status.replace("XX", "00").parse::<u16>().unwrap();
                for (media_type, media) in entries(&resolve(&spec, response)["content"]) {
                    // The one `example`, or each of the named `examples`.
                    let named = entries(&media["examples"]).map(|(_, named)| &named["value"]);
                    for example in media.get("example").into_iter().chain(named) {
                        let body = match example {
                            Value::String(text) if media_type != "application/json" => text.clone(),
                            example => example.to_string(),
                        };
                        let headers =
                            headers(&[("content-type", media_type), ("retry-after", "1")]);
                        CONFORMANCE
                            .check(&id, code, &headers, body.as_bytes())
                            .unwrap_or_else(|p| panic!("{p:?}"));
                        checked += 1;
                    }
                }
            }
        }
        // Every operation has its 200 and at least the four shared errors.
        let operations = adsterra_generated::operation::OPERATIONS.len();
        assert!(checked >= operations * 5, "only {checked} examples");
    }

    #[test]
    fn operation_ids_cover_the_lowered_spec_in_order() {
        let ids = CONFORMANCE.operation_ids();
        assert_eq!(ids.len(), adsterra_generated::operation::OPERATIONS.len());
        assert_eq!(
            ids[..3],
            [
                Endpoint::GetBalance.id(),
                Endpoint::GetBalance.operation(Format::Csv).id,
                Endpoint::GetBalance.operation(Format::Xml).id
            ]
        );
        assert!(
            ids.iter()
                .any(|id| id == Endpoint::GetStats.operation(Format::Xml).id)
        );
    }

    #[test]
    fn validated_counts_distinct_conforming_responses() {
        let conformance = Conformance::load();
        let body = serde_json::to_vec(&stats_example()).unwrap();
        conformance
            .check(Endpoint::GetStats.id(), 200, &json_headers(), &body)
            .unwrap();
        conformance
            .check(Endpoint::GetStats.id(), 200, &json_headers(), &body)
            .unwrap();
        assert_eq!(conformance.validated(), 1);
        let balance = br#"{"balance": 1.5}"#;
        conformance
            .check(Endpoint::GetBalance.id(), 200, &json_headers(), balance)
            .unwrap();
        assert_eq!(conformance.validated(), 2);
        let other_balance = br#"{"balance": 2.5}"#;
        conformance
            .check(
                Endpoint::GetBalance.id(),
                200,
                &json_headers(),
                other_balance,
            )
            .unwrap();
        assert_eq!(conformance.validated(), 3);
        conformance
            .check(Endpoint::GetBalance.id(), 200, &json_headers(), b"{}")
            .unwrap_err();
        assert_eq!(conformance.validated(), 3);
    }
}
