//! The project's rules for the hand-written spec, checked before anything is generated.
//!
//! Each rule exists because breaking it either breaks progenitor (a `default` response panics it,
//! 3.1 is rejected), breaks users (a closed response schema fails on the next added field), or
//! loses information a maintainer needs (where a fact comes from, what a response looks like).
//! Every violation carries the JSON pointer of the offending node, so it can be found in the YAML.

mod conditions;

use std::collections::{BTreeSet, HashMap};
use std::fmt;

use serde_json::Value;

use crate::walk::{self, Operation};
use crate::{EVIDENCE_KEY, EVIDENCE_VALUES, LINK_KEY, RETRY_CLASSES, RETRY_KEY, pointer};
use adsterra_openapi::redact::REDACT_KEY;

/// One broken rule at one place in the spec.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Violation {
    /// Where: a JSON pointer into the spec.
    pub pointer: String,
    /// Which rule, a stable kebab-case id.
    pub rule: &'static str,
    /// What is wrong and what to do.
    pub message: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} [{}] {}", self.pointer, self.rule, self.message)
    }
}

/// The error responses every operation shares.
const SHARED_ERRORS: [&str; 4] = ["401", "403", "429", "5XX"];

/// Checks every rule; the result is sorted by pointer, so reports are stable.
pub fn lint(spec: &Value) -> Vec<Violation> {
    let mut found = Vec::new();
    let mut report = |pointer: String, rule: &'static str, message: String| {
        found.push(Violation {
            pointer,
            rule,
            message,
        })
    };

    let version = spec.get("openapi").and_then(Value::as_str).unwrap_or("");
    if !version.starts_with("3.0.") {
        report(
            "/openapi".into(),
            "openapi-version",
            format!("found {version:?}; write `openapi: 3.0.3` (progenitor rejects 3.1)"),
        );
    }

    let operations = walk::operations(spec);
    let mut first_use: HashMap<&str, String> = HashMap::new();
    for operation in &operations {
        let at = operation.pointer();
        match operation.operation_id() {
            None => report(
                at.clone(),
                "operation-id",
                "no operationId; add a unique snake_case one (it becomes the Rust method name)"
                    .into(),
            ),
            Some(id) => {
                if let Some(earlier) = first_use.insert(id, at.clone()) {
                    report(
                        pointer::join_under(&at, ["operationId"]),
                        "operation-id",
                        format!("{id:?} is already used by {earlier}; operationIds must be unique"),
                    );
                }
            }
        }
        check_operation(spec, operation, &at, &mut report);
    }

    check_property_evidence(spec, &mut report);
    check_evidence_over_claims(spec, &operations, &mut report);
    check_closed_response_schemas(spec, &operations, &mut report);
    conditions::check(spec, &mut report);

    found.sort();
    found
}

fn check_operation(
    spec: &Value,
    operation: &Operation<'_>,
    at: &str,
    report: &mut impl FnMut(String, &'static str, String),
) {
    let op = operation.value;
    if op
        .get("summary")
        .and_then(Value::as_str)
        .is_none_or(str::is_empty)
    {
        report(
            at.into(),
            "summary",
            "no summary; add a one-line summary (it becomes the method's doc comment)".into(),
        );
    }
    if op
        .get("tags")
        .and_then(Value::as_array)
        .is_none_or(Vec::is_empty)
    {
        report(
            at.into(),
            "tags",
            "no tags; tag the operation with its resource (balance, campaigns, stats, ...)".into(),
        );
    }
    if let Some(message) = evidence_problem(op) {
        report(at.into(), "evidence", message);
    }
    if let Some(message) = retry_problem(operation) {
        report(pointer::join_under(at, [RETRY_KEY]), "retry-class", message);
    }
    check_path_id_links(spec, operation, at, report);

    let Some(responses) = op.get("responses").and_then(Value::as_object) else {
        report(
            at.into(),
            "shared-errors",
            "no responses; declare the 200 response and the shared errors".into(),
        );
        return;
    };
    for (code, response) in responses {
        let response_at = pointer::join_under(at, ["responses", code]);
        if code == "default" {
            report(
                response_at.clone(),
                "default-response",
                "a `default` response panics progenitor next to a 200; list the error codes (401, 403, ..., 5XX) instead".into(),
            );
        }
        let example = pointer::resolve(spec, response)
            .and_then(|r| r.pointer("/content/application~1json"))
            .filter(|media| {
                media.get("example").is_some()
                    || media
                        .get("examples")
                        .and_then(Value::as_object)
                        .is_some_and(|examples| !examples.is_empty())
            });
        if example.is_none() {
            report(
                response_at,
                "json-example",
                "no application/json example; add `example:` so docs, mocks and the CSV/XML renditions have one".into(),
            );
        }
    }

    let parameters = operation.parameters(spec);
    let has_id = operation
        .path
        .split('{')
        .skip(1)
        .any(|rest| !rest.starts_with("format}"));
    let has_input = op.get("requestBody").is_some()
        || parameters
            .iter()
            .any(|p| p.get("in").and_then(Value::as_str) == Some("query"));
    let required = SHARED_ERRORS
        .iter()
        .copied()
        .chain(has_id.then_some("404"))
        .chain(has_input.then_some("422"));
    for code in required {
        let shared = responses
            .get(code)
            .and_then(|r| r.get("$ref"))
            .and_then(Value::as_str)
            .is_some_and(|r| r.starts_with("#/components/responses/"));
        if !shared {
            report(
                pointer::join_under(at, ["responses"]),
                "shared-errors",
                format!(
                    "no shared {code} response; add `'{code}': {{$ref: '#/components/responses/...'}}`"
                ),
            );
        }
    }
}

/// What is wrong with an operation's retry class, if anything. A GET must be `readonly` and only
/// a GET may be: the client retries reads freely, so a write marked `readonly` could run twice.
fn retry_problem(operation: &Operation<'_>) -> Option<String> {
    let Some(retry) = operation.value.get(RETRY_KEY) else {
        return Some(format!(
            "no {RETRY_KEY}; add `{{class: {}, reason: ...}}` saying whether sending it twice is safe and why",
            RETRY_CLASSES.join(" | ")
        ));
    };
    let class = retry.get("class").and_then(Value::as_str).unwrap_or("");
    if !RETRY_CLASSES.contains(&class) {
        return Some(format!(
            "class is {:?}; use one of {}",
            retry.get("class").unwrap_or(&Value::Null),
            RETRY_CLASSES.join(", ")
        ));
    }
    if retry
        .get("reason")
        .and_then(Value::as_str)
        .is_none_or(|reason| reason.trim().is_empty())
    {
        return Some("no reason; say why sending it twice is (or is not) safe".into());
    }
    match (operation.method == "get", class == "readonly") {
        (true, false) => Some(format!("a GET is `readonly`, not `{class}`")),
        (false, true) => Some(format!(
            "a {} is not `readonly`; use `idempotent` or `not-idempotent`",
            operation.method.to_uppercase()
        )),
        _ => None,
    }
}

/// Every id in the path of a read says where a caller finds one (`x-adsterra-link`: the read
/// whose answer holds it), so that verify-live can reach every read of the spec on its own.
fn check_path_id_links(
    spec: &Value,
    operation: &Operation<'_>,
    at: &str,
    report: &mut impl FnMut(String, &'static str, String),
) {
    if operation.method != "get" {
        return;
    }
    let reads: BTreeSet<&str> = walk::operations(spec)
        .into_iter()
        .filter(|o| o.method == "get")
        .filter_map(|o| o.value.get("operationId").and_then(Value::as_str))
        .collect();
    for parameter in operation.parameters(spec) {
        let name = parameter.get("name").and_then(Value::as_str).unwrap_or("");
        if parameter.get("in").and_then(Value::as_str) != Some("path") || name == "format" {
            continue;
        }
        let link = parameter.get(LINK_KEY);
        let source = link
            .and_then(|l| l.get("operationId"))
            .and_then(Value::as_str);
        let expression = link
            .and_then(|l| l.get("parameter"))
            .and_then(Value::as_str)
            .unwrap_or("");
        let problem = match source {
            None => format!(
                "path parameter `{name}` has no {LINK_KEY}; add `{{operationId: <a read listing them>, parameter: '$response.body#/items/0/id'}}` to it"
            ),
            Some(source) if !reads.contains(source) => format!(
                "{LINK_KEY} of `{name}` names `{source}`, which is not a GET operation of this spec"
            ),
            Some(_) if !expression.starts_with("$response.body#/") => format!(
                "{LINK_KEY} of `{name}` must take the id from the answer: `$response.body#/<JSON pointer>`"
            ),
            Some(_) => continue,
        };
        report(at.into(), "path-id-link", problem);
    }
}

/// What is wrong with a node's evidence mark, if anything.
fn evidence_problem(node: &Value) -> Option<String> {
    match node.get(EVIDENCE_KEY) {
        None => Some(format!(
            "no {EVIDENCE_KEY}; mark it confirmed, likely or inferred (see shared/docs/adsterra-api.md)"
        )),
        Some(Value::String(mark)) if EVIDENCE_VALUES.contains(&mark.as_str()) => None,
        Some(other) => Some(format!(
            "{EVIDENCE_KEY} is {other}; use one of confirmed, likely, inferred"
        )),
    }
}

/// Every property of every component schema says how sure we are of it.
fn check_property_evidence(spec: &Value, report: &mut impl FnMut(String, &'static str, String)) {
    let Some(schemas) = spec
        .pointer("/components/schemas")
        .and_then(Value::as_object)
    else {
        return;
    };
    for (name, schema) in schemas {
        visit_properties(
            schema,
            &pointer::join(["components", "schemas", name]),
            report,
        );
    }
}

fn visit_properties(
    schema: &Value,
    at: &str,
    report: &mut impl FnMut(String, &'static str, String),
) {
    if let Some(properties) = schema.get("properties").and_then(Value::as_object) {
        for (name, property) in properties {
            let property_at = pointer::join_under(at, ["properties", name]);
            if let Some(message) = evidence_problem(property) {
                report(property_at.clone(), "property-evidence", message);
            }
            let redact = property.get(REDACT_KEY);
            if redact.is_some_and(|kind| !["id", "name", "url"].iter().any(|k| kind == k)) {
                report(
                    property_at.clone(),
                    "redact",
                    format!("{REDACT_KEY} is {}; use id, name or url", redact.unwrap()),
                );
            }
            visit_properties(property, &property_at, report);
        }
    }
    if let Some(items) = schema.get("items") {
        visit_properties(items, &pointer::join_under(at, ["items"]), report);
    }
    for combinator in ["allOf", "oneOf", "anyOf"] {
        for (index, member) in schema
            .get(combinator)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
        {
            visit_properties(
                member,
                &pointer::join_under(at, [combinator, &index.to_string()]),
                report,
            );
        }
    }
}

/// How sure a mark is: `inferred` 0, `likely` 1, `confirmed` 2 (None: no valid mark, which
/// the evidence rules report).
fn certainty(node: &Value) -> Option<usize> {
    let mark = node.get(EVIDENCE_KEY)?.as_str()?;
    EVIDENCE_VALUES
        .iter()
        .rev()
        .position(|value| *value == mark)
}

/// A node's certainty, or the certainty of the schema it refers to.
fn certainty_of(spec: &Value, node: &Value) -> Option<usize> {
    certainty(pointer::resolve(spec, node)?)
}

/// Nothing is surer than what a client needs from it: a schema is no surer than its required
/// properties (and the schema of their items), an operation no surer than its request body and
/// its answer. Marking lower is allowed; claiming more than the parts prove is not.
fn check_evidence_over_claims(
    spec: &Value,
    operations: &[Operation<'_>],
    report: &mut impl FnMut(String, &'static str, String),
) {
    let over_claim = |mark: usize, part: &str, part_mark: usize| {
        format!(
            "marked {} but {part} is only {}; lower the mark, or make the part optional if a \
             client can do without it",
            EVIDENCE_VALUES[2 - mark],
            EVIDENCE_VALUES[2 - part_mark]
        )
    };
    let schemas = spec
        .pointer("/components/schemas")
        .and_then(Value::as_object);
    for (name, schema) in schemas.into_iter().flatten() {
        let Some(mark) = certainty(schema) else {
            continue;
        };
        let required = schema.get("required").and_then(Value::as_array);
        for field in required.into_iter().flatten().filter_map(Value::as_str) {
            let Some(property) = schema.pointer(&pointer::join(["properties", field])) else {
                continue;
            };
            let items = property
                .get("items")
                .and_then(|items| certainty_of(spec, items));
            let weakest = [certainty_of(spec, property), items]
                .into_iter()
                .flatten()
                .min();
            if let Some(part_mark) = weakest.filter(|part| *part < mark) {
                report(
                    pointer::join(["components", "schemas", name]),
                    "evidence-over-claim",
                    over_claim(mark, &format!("its required property `{field}`"), part_mark),
                );
            }
        }
    }
    for operation in operations {
        let Some(mark) = certainty(operation.value) else {
            continue;
        };
        let parts = [
            (
                "its request body",
                "/requestBody/content/application~1json/schema",
            ),
            (
                "its answer",
                "/responses/200/content/application~1json/schema",
            ),
        ];
        for (part, at) in parts {
            let part_mark = operation
                .value
                .pointer(at)
                .and_then(|schema| certainty_of(spec, schema));
            if let Some(part_mark) = part_mark.filter(|part| *part < mark) {
                report(
                    operation.pointer(),
                    "evidence-over-claim",
                    over_claim(mark, part, part_mark),
                );
            }
        }
    }
}

/// No schema a response can reach is closed with `additionalProperties: false`: typify turns it
/// into `deny_unknown_fields`, and the next field Adsterra adds would break every client.
fn check_closed_response_schemas(
    spec: &Value,
    operations: &[Operation<'_>],
    report: &mut impl FnMut(String, &'static str, String),
) {
    let mut pending: Vec<(String, &Value)> = Vec::new();
    for operation in operations {
        let Some(responses) = operation.value.get("responses").and_then(Value::as_object) else {
            continue;
        };
        for (code, response) in responses {
            let (response_at, response) = match response.get("$ref").and_then(Value::as_str) {
                Some(reference) => (
                    reference.trim_start_matches('#').to_owned(),
                    pointer::resolve(spec, response),
                ),
                None => (
                    pointer::join_under(&operation.pointer(), ["responses", code]),
                    Some(response),
                ),
            };
            let media = response
                .and_then(|r| r.get("content"))
                .and_then(Value::as_object);
            for (media_type, content) in media.into_iter().flatten() {
                if let Some(schema) = content.get("schema") {
                    let schema_at =
                        pointer::join_under(&response_at, ["content", media_type, "schema"]);
                    pending.push((schema_at, schema));
                }
            }
        }
    }

    let mut seen = BTreeSet::new();
    while let Some((at, schema)) = pending.pop() {
        if !seen.insert(at.clone()) {
            continue;
        }
        if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
            if let Some(target) = pointer::resolve(spec, schema) {
                pending.push((reference.trim_start_matches('#').to_owned(), target));
            }
            continue;
        }
        if schema.get("additionalProperties") == Some(&Value::Bool(false)) {
            report(
                pointer::join_under(&at, ["additionalProperties"]),
                "additional-properties-false",
                "a response schema must stay open; remove `additionalProperties: false` (it becomes deny_unknown_fields)".into(),
            );
        }
        for (key, child) in children(schema) {
            pending.push((pointer::join_under(&at, key), child));
        }
    }
}

/// The sub-schemas of a schema, with the pointer segments that lead to each.
fn children(schema: &Value) -> Vec<(Vec<String>, &Value)> {
    let mut out = Vec::new();
    if let Some(properties) = schema.get("properties").and_then(Value::as_object) {
        out.extend(
            properties
                .iter()
                .map(|(name, child)| (vec!["properties".to_owned(), name.clone()], child)),
        );
    }
    for key in ["items", "additionalProperties", "not"] {
        if let Some(child) = schema.get(key).filter(|child| child.is_object()) {
            out.push((vec![key.to_owned()], child));
        }
    }
    for combinator in ["allOf", "oneOf", "anyOf"] {
        if let Some(members) = schema.get(combinator).and_then(Value::as_array) {
            out.extend(
                members
                    .iter()
                    .enumerate()
                    .map(|(index, child)| (vec![combinator.to_owned(), index.to_string()], child)),
            );
        }
    }
    out
}
