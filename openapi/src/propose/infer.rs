//! The narrowest schema that fits every value seen of a field the spec lacks.
//!
//! Optic guessed types from one value, turned every number into `number` and arrays into their
//! first element; this looks at every value, across answers and formats: integer before number,
//! `format: date` or `date-time` only when every text parses, `nullable` once when a null is
//! seen, array items from all elements, objects recursively, and nothing required. CSV and XML
//! carry text, so their values count for whichever type they can be read as.

use serde_json::{Map, Value, json};

use crate::EVIDENCE_KEY;
use crate::verify::Carrier;

/// How a new field is marked: its evidence and source.
#[derive(Debug, Clone)]
pub(super) struct Mark {
    pub evidence: &'static str,
    pub source: String,
}

/// The scalar types, narrowest first: the first one every value fits is the field's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scalar {
    Boolean,
    Integer,
    Number,
    Text,
}

const NARROWEST_FIRST: [Scalar; 4] = [
    Scalar::Boolean,
    Scalar::Integer,
    Scalar::Number,
    Scalar::Text,
];

/// The schema of a field from all of its values, or why none fits.
pub(super) fn infer(values: &[(Value, Carrier)], mark: &Mark) -> Result<Value, String> {
    let nullable = values.iter().any(|(value, _)| value.is_null());
    let present: Vec<&(Value, Carrier)> = values
        .iter()
        .filter(|(value, carrier)| !value.is_null() && !is_empty_text(value, *carrier))
        .collect();
    let objects: Vec<&Map<String, Value>> =
        present.iter().filter_map(|(v, _)| v.as_object()).collect();
    let arrays: Vec<(&Vec<Value>, Carrier)> = present
        .iter()
        .filter_map(|(v, carrier)| v.as_array().map(|a| (a, *carrier)))
        .collect();
    let mut schema = if !objects.is_empty() && objects.len() == present.len() {
        object(&objects, present[0].1, mark)?
    } else if !arrays.is_empty() && arrays.len() == present.len() {
        let elements: Vec<(Value, Carrier)> = arrays
            .iter()
            .flat_map(|(items, carrier)| items.iter().map(move |item| (item.clone(), *carrier)))
            .collect();
        let items = if elements.is_empty() {
            json!({})
        } else {
            infer(&elements, mark)?
        };
        json!({"type": "array", "items": strip_marks(items)})
    } else if objects.is_empty() && arrays.is_empty() {
        scalar(&present)
    } else {
        return Err(format!(
            "its values mix objects, lists and single values ({}); no one type fits, and OpenAPI 3.0 \
             has no type union to say so",
            samples(values)
        ));
    };
    // Without a type a schema admits null already, and OpenAPI 3.0 ignores `nullable` there
    // (Optic wrote such schemas): a field only ever seen null stays untyped.
    if nullable && schema.get("type").is_some() {
        schema["nullable"] = Value::Bool(true);
    }
    Ok(schema)
}

/// An object schema whose properties come from every object seen; none required.
fn object(objects: &[&Map<String, Value>], carrier: Carrier, mark: &Mark) -> Result<Value, String> {
    let mut names: Vec<&String> = Vec::new();
    for object in objects {
        for name in object.keys() {
            if !names.contains(&name) {
                names.push(name);
            }
        }
    }
    let mut properties = Map::new();
    for name in names {
        let values: Vec<(Value, Carrier)> = objects
            .iter()
            .filter_map(|object| object.get(name).map(|v| (v.clone(), carrier)))
            .collect();
        let mut property = infer(&values, mark).map_err(|why| format!("`{name}`: {why}"))?;
        marked(&mut property, mark);
        properties.insert(name.clone(), property);
    }
    Ok(json!({"type": "object", "properties": properties}))
}

/// A scalar schema: the narrowest type every value can be read as. JSON says what a value is
/// (`"123"` is text, `5` an integer, which a number also admits); CSV and XML text fits every
/// type it parses as. When no type fits all (`5` and `"five"` in JSON) the schema has none.
fn scalar(present: &[&(Value, Carrier)]) -> Value {
    let fits = |kind: Scalar| {
        present
            .iter()
            .all(|(value, carrier)| match (value, carrier, kind) {
                (Value::String(text), Carrier::Text, kind) => readable(text, kind),
                (Value::Bool(_), _, Scalar::Boolean) => true,
                (Value::Number(n), _, Scalar::Integer) => n.is_i64() || n.is_u64(),
                (Value::Number(_), _, Scalar::Number) => true,
                (Value::String(_), Carrier::Json, Scalar::Text) => true,
                _ => false,
            })
    };
    let texts: Vec<&str> = present.iter().filter_map(|(v, _)| v.as_str()).collect();
    match NARROWEST_FIRST.into_iter().find(|kind| fits(*kind)) {
        _ if present.is_empty() => json!({}),
        None => json!({}),
        Some(Scalar::Boolean) => json!({"type": "boolean"}),
        Some(Scalar::Integer) => json!({"type": "integer", "format": "int64"}),
        Some(Scalar::Number) => json!({"type": "number", "format": "double"}),
        Some(Scalar::Text) if texts.iter().all(|t| is_date(t)) => {
            json!({"type": "string", "format": "date"})
        }
        Some(Scalar::Text) if texts.iter().all(|t| is_date_time(t)) => {
            json!({"type": "string", "format": "date-time"})
        }
        Some(Scalar::Text) => json!({"type": "string"}),
    }
}

/// Whether a text value (a CSV cell, an XML element) can be read as `kind`.
fn readable(text: &str, kind: Scalar) -> bool {
    match kind {
        Scalar::Boolean => matches!(text, "true" | "false"),
        Scalar::Integer => text.parse::<i64>().is_ok(),
        Scalar::Number => text.parse::<f64>().is_ok_and(f64::is_finite),
        Scalar::Text => true,
    }
}

fn is_date(text: &str) -> bool {
    chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").is_ok()
}

fn is_date_time(text: &str) -> bool {
    chrono::DateTime::parse_from_rfc3339(text).is_ok()
}

/// CSV and XML write an absent value as empty text.
pub(super) fn is_empty_text(value: &Value, carrier: Carrier) -> bool {
    carrier == Carrier::Text && value.as_str() == Some("")
}

/// Gives a property schema (and its nested properties) the new field's evidence mark.
pub(super) fn marked(schema: &mut Value, mark: &Mark) {
    if let Some(object) = schema.as_object_mut() {
        object.insert(EVIDENCE_KEY.to_owned(), json!(mark.evidence));
        object.insert("x-adsterra-source".to_owned(), json!(mark.source));
    }
}

/// The items of an array carry no marks of their own: the lint marks properties.
fn strip_marks(mut schema: Value) -> Value {
    if let Some(object) = schema.as_object_mut() {
        object.remove(EVIDENCE_KEY);
        object.remove("x-adsterra-source");
    }
    schema
}

/// A few of the values, as a reviewer reads them.
pub(super) fn samples(values: &[(Value, Carrier)]) -> String {
    let mut distinct: Vec<String> = Vec::new();
    for (value, carrier) in values {
        // CSV and XML text shows as it was written, so `5` in JSON and in CSV read the same.
        let text = match (value, carrier) {
            (Value::String(text), Carrier::Text) => text.clone(),
            _ => value.to_string(),
        };
        if !distinct.contains(&text) {
            distinct.push(text);
        }
    }
    let more = distinct.len().saturating_sub(5);
    distinct.truncate(5);
    let mut text = distinct.join(", ");
    if more > 0 {
        text.push_str(&format!(" and {more} more"));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mark() -> Mark {
        Mark {
            evidence: "inferred",
            source: "test".into(),
        }
    }

    fn json_values(values: &[Value]) -> Vec<(Value, Carrier)> {
        values.iter().map(|v| (v.clone(), Carrier::Json)).collect()
    }

    #[test]
    fn integers_stay_integers_until_a_fraction_is_seen() {
        let ints = json_values(&[json!(1), json!(20), json!(-3)]);
        assert_eq!(
            infer(&ints, &mark()).unwrap(),
            json!({"type": "integer", "format": "int64"})
        );
        let mut mixed = ints.clone();
        mixed.push((json!("2.5"), Carrier::Text));
        assert_eq!(
            infer(&mixed, &mark()).unwrap(),
            json!({"type": "number", "format": "double"})
        );
        // CSV text that reads as an integer counts as one.
        let text = vec![(json!("7"), Carrier::Text), (json!(8), Carrier::Json)];
        assert_eq!(infer(&text, &mark()).unwrap()["type"], "integer");
    }

    #[test]
    fn a_format_only_when_every_value_parses_and_nullable_once() {
        let days = json_values(&[
            json!("2026-12-01"),
            json!(null),
            json!("2026-12-02"),
            json!(null),
        ]);
        assert_eq!(
            infer(&days, &mark()).unwrap(),
            json!({"type": "string", "format": "date", "nullable": true})
        );
        let not_all = json_values(&[json!("2026-12-01"), json!("soon")]);
        assert_eq!(infer(&not_all, &mark()).unwrap(), json!({"type": "string"}));
        let stamps = json_values(&[json!("2026-12-01T10:00:00Z")]);
        assert_eq!(infer(&stamps, &mark()).unwrap()["format"], "date-time");
        // A JSON string of digits is a string: JSON said so.
        let ids = json_values(&[json!("123")]);
        assert_eq!(infer(&ids, &mark()).unwrap(), json!({"type": "string"}));
    }

    #[test]
    fn arrays_take_every_element_and_objects_recurse_with_nothing_required() {
        let lists = json_values(&[json!([1, 2]), json!([]), json!([3.5])]);
        assert_eq!(
            infer(&lists, &mark()).unwrap(),
            json!({"type": "array", "items": {"type": "number", "format": "double"}})
        );
        let objects = json_values(&[json!({"a": 1}), json!({"b": "x", "a": null})]);
        let schema = infer(&objects, &mark()).unwrap();
        assert!(schema.get("required").is_none());
        assert_eq!(schema["properties"]["a"]["type"], "integer");
        assert_eq!(schema["properties"]["a"]["nullable"], true);
        assert_eq!(schema["properties"]["b"][EVIDENCE_KEY], "inferred");
    }

    #[test]
    fn a_field_only_ever_null_is_untyped_not_nullable() {
        let nulls = json_values(&[json!(null), json!(null)]);
        assert_eq!(infer(&nulls, &mark()).unwrap(), json!({}));
    }

    #[test]
    fn values_no_type_fits_are_refused_with_what_was_seen() {
        let mixed = json_values(&[json!({"a": 1}), json!(5)]);
        let why = infer(&mixed, &mark()).unwrap_err();
        assert!(why.contains("{\"a\":1}") && why.contains('5'), "{why}");
    }
}
