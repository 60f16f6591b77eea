//! The rules for the extensions that say when a value means something special: a property
//! present on a condition (`x-adsterra-present-when`) and a parameter value that means no
//! filter (`x-adsterra-no-filter`), with the parameter's `pattern` that must admit it.
//!
//! The operation table turns both into data that the client, the sandbox and the proposer act
//! on, so a condition that names nothing, or a pattern that does not compile, is refused here
//! rather than read as "never".

use std::collections::BTreeSet;

use serde_json::Value;

use crate::walk;
use crate::{NO_FILTER_KEY, PRESENT_WHEN_KEY, pointer};

use super::evidence_problem;

/// The query parameter whose values a `{group_by: V}` condition names.
const GROUP_BY: &str = "group_by[]";

/// Checks every parameter's pattern and no-filter value, and every property's condition.
pub(super) fn check(spec: &Value, report: &mut impl FnMut(String, &'static str, String)) {
    let operations = walk::operations(spec);
    let ids: BTreeSet<&str> = operations
        .iter()
        .filter_map(walk::Operation::operation_id)
        .collect();
    let mut group_keys = BTreeSet::new();
    for operation in &operations {
        for (index, parameter) in operation.parameters(spec).into_iter().enumerate() {
            if parameter.get("name").and_then(Value::as_str) == Some(GROUP_BY) {
                group_keys.extend(enum_values(spec, parameter));
            }
            let at = pointer::join_under(&operation.pointer(), ["parameters", &index.to_string()]);
            check_parameter(spec, parameter, &at, report);
        }
    }
    let Some(schemas) = spec
        .pointer("/components/schemas")
        .and_then(Value::as_object)
    else {
        return;
    };
    for (name, schema) in schemas {
        let required = adsterra_openapi::required(schema);
        let properties = schema.get("properties").and_then(Value::as_object);
        for (field, property) in properties.into_iter().flatten() {
            let Some(condition) = property.get(PRESENT_WHEN_KEY) else {
                continue;
            };
            let at = pointer::join([
                "components",
                "schemas",
                name,
                "properties",
                field,
                PRESENT_WHEN_KEY,
            ]);
            if required.contains(field.as_str()) {
                report(
                    at,
                    "present-when",
                    format!("`{field}` is required, so always present; remove {PRESENT_WHEN_KEY}"),
                );
            } else if let Some(problem) = condition_problem(condition, &group_keys, &ids) {
                report(at, "present-when", problem);
            }
        }
    }
}

/// What is wrong with a `x-adsterra-present-when` condition, if anything.
fn condition_problem(
    condition: &Value,
    group_keys: &BTreeSet<&str>,
    ids: &BTreeSet<&str>,
) -> Option<String> {
    let group_by = condition.get("group_by").and_then(Value::as_str);
    let operation = condition.get("operationId").and_then(Value::as_str);
    match (group_by, operation) {
        (Some(key), None) if group_keys.contains(key) => None,
        (Some(key), None) => Some(format!(
            "group_by {key:?} is not a value of `{GROUP_BY}`; use one of {}",
            group_keys.iter().copied().collect::<Vec<_>>().join(", ")
        )),
        (None, Some(id)) if ids.contains(id) => None,
        (None, Some(id)) => Some(format!(
            "operationId {id:?} is no operation of this spec"
        )),
        _ => Some(
            "write exactly one of `{group_by: <a group_by[] value>}` or `{operationId: <an operation>}`"
                .into(),
        ),
    }
}

/// A parameter's `pattern` compiles, and its no-filter value is marked and fits its schema.
fn check_parameter(
    spec: &Value,
    parameter: &Value,
    at: &str,
    report: &mut impl FnMut(String, &'static str, String),
) {
    let schema = parameter
        .get("schema")
        .and_then(|schema| pointer::resolve(spec, schema))
        .unwrap_or(&Value::Null);
    let pattern = schema.get("pattern").and_then(Value::as_str);
    let regex = pattern.map(regress::Regex::new).transpose();
    if let (Some(pattern), Err(error)) = (pattern, &regex) {
        report(
            pointer::join_under(at, ["schema", "pattern"]),
            "parameter-pattern",
            format!("{pattern:?} is no ECMA-262 regular expression ({error}); fix it"),
        );
    }
    let Some(no_filter) = parameter.get(NO_FILTER_KEY) else {
        return;
    };
    let at = pointer::join_under(at, [NO_FILTER_KEY]);
    let Some(value) = no_filter.get("value").and_then(Value::as_str) else {
        report(
            at,
            "no-filter",
            "write the value that means no filter as `{value: <text>}`".into(),
        );
        return;
    };
    if let Some(message) = evidence_problem(no_filter) {
        report(at.clone(), "no-filter", message);
    }
    if let Ok(Some(regex)) = regex
        && regex.find(value).is_none()
    {
        report(
            at,
            "no-filter",
            format!(
                "{value:?} does not match the parameter's pattern; widen the pattern to admit it"
            ),
        );
    }
}

/// The `enum` values of a parameter's items (or of its schema).
fn enum_values<'a>(spec: &'a Value, parameter: &'a Value) -> Vec<&'a str> {
    let schema = parameter
        .get("schema")
        .and_then(|schema| pointer::resolve(spec, schema));
    let scalar = schema
        .and_then(|schema| schema.get("items").or(Some(schema)))
        .and_then(|schema| pointer::resolve(spec, schema));
    scalar
        .and_then(|scalar| scalar.get("enum"))
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect()
}
