//! The human renditions of the spec in `spec/dist/`: the YAML copy and an HTML reference that
//! renders offline (Redoc, kept beside it) with every evidence mark visible.

use serde_json::Value;

use crate::{EVIDENCE_KEY, walk};

/// The page around the spec; `{{SPEC}}` becomes the spec as JSON.
const TEMPLATE: &str = include_str!("reference.html");
/// Where the evidence mark's sources are named.
const SOURCE_KEY: &str = "x-adsterra-source";

/// The source spec as YAML, key order kept.
pub fn yaml(spec: &Value) -> String {
    serde_yaml_ng::to_string(spec).expect("a JSON value always serialises as YAML")
}

/// The HTML reference. Besides Redoc's display of the `x-adsterra-*` extensions, each
/// operation's description starts with its evidence and each field's description with its mark,
/// so they read in the text itself.
pub fn reference_html(spec: &Value) -> String {
    let shown = with_evidence_in_descriptions(spec);
    let json = serde_json::to_string(&shown).expect("a JSON value always serialises");
    // Inside <script>, "</" could end the element early; "<\/" is the same JSON string.
    TEMPLATE.replace("{{SPEC}}", &json.replace("</", "<\\/"))
}

fn with_evidence_in_descriptions(spec: &Value) -> Value {
    let mut shown = spec.clone();
    let pointers: Vec<String> = walk::operations(spec).iter().map(|o| o.pointer()).collect();
    for pointer in pointers {
        if let Some(operation) = shown.pointer_mut(&pointer) {
            prefix(operation, |mark, source| {
                format!("**Evidence: {mark}** (sources: {source}).\n\n")
            });
        }
    }
    if let Some(schemas) = shown
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    {
        for schema in schemas.values_mut() {
            mark_properties(schema);
        }
    }
    shown
}

/// Prefixes the description of every property of `schema` with its mark, nested ones (in
/// properties and array items) too.
fn mark_properties(schema: &mut Value) {
    if let Some(properties) = schema.get_mut("properties").and_then(Value::as_object_mut) {
        for property in properties.values_mut() {
            prefix(property, |mark, _| format!("*[{mark}]* "));
            mark_properties(property);
        }
    }
    if let Some(items) = schema.get_mut("items") {
        mark_properties(items);
    }
}

/// Puts `text(mark, source)` before the description of `value`, when it carries a mark.
fn prefix(value: &mut Value, text: impl Fn(&str, &str) -> String) {
    let Some(object) = value.as_object_mut() else {
        return;
    };
    let Some(mark) = object.get(EVIDENCE_KEY).and_then(Value::as_str) else {
        return;
    };
    let source = object
        .get(SOURCE_KEY)
        .and_then(Value::as_str)
        .unwrap_or("none named");
    let description = object
        .get("description")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let described = format!("{}{description}", text(mark, source));
    object.insert("description".to_owned(), Value::String(described));
}
