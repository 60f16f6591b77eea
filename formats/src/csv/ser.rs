//! Writing CSV bodies.

use std::borrow::Cow;
use std::collections::HashSet;

use serde_json::Value;

use super::DELIMITER;
use crate::Format;
use crate::error::{Error, Location, Operation, json_kind};

/// Encodes a JSON value as an Adsterra CSV body.
///
/// A list envelope (`{"items": [...], ...}`) or an array gives one row per
/// element; any other object gives one row. Fails on a top-level scalar or
/// null, and on a row that is not an object.
pub fn to_string(value: &Value) -> Result<String, Error> {
    let (rows, list_name): (&[Value], Option<&str>) = match value {
        Value::Object(map) => match map.get("items") {
            Some(Value::Array(items)) => (items, Some("items")),
            _ => (std::slice::from_ref(value), None),
        },
        Value::Array(items) => (items, Some("")),
        other => {
            return Err(encode_error(
                Location::default(),
                format!(
                    "a CSV body holds rows of objects, but the value is {}",
                    json_kind(other)
                ),
            ));
        }
    };

    // Header: every key of every row, in the order keys are first seen.
    let mut header: Vec<&str> = Vec::new();
    let mut seen: HashSet<&str> = HashSet::new();
    let mut objects = Vec::with_capacity(rows.len());
    for (index, row) in rows.iter().enumerate() {
        let Value::Object(map) = row else {
            let field = list_name.map(|name| format!("{name}[{index}]"));
            return Err(encode_error(
                Location {
                    row: Some(index as u64 + 1),
                    field,
                    ..Location::default()
                },
                format!("each row must be an object, found {}", json_kind(row)),
            ));
        };
        for key in map.keys() {
            if seen.insert(key.as_str()) {
                header.push(key.as_str());
            }
        }
        objects.push(map);
    }
    // Rows without a single column cannot be written (a CSV line always has
    // at least one cell); the body is then empty, which reads back as no rows.
    if header.is_empty() {
        return Ok(String::new());
    }

    let mut writer = ::csv::WriterBuilder::new()
        .delimiter(DELIMITER)
        .terminator(::csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    let write_failed = |err: ::csv::Error| {
        encode_error(Location::default(), format!("the CSV writer failed: {err}"))
    };
    writer.write_record(&header).map_err(write_failed)?;
    let mut cells: Vec<Cow<'_, str>> = Vec::with_capacity(header.len());
    for map in objects {
        cells.clear();
        for key in &header {
            cells.push(match map.get(*key) {
                None | Some(Value::Null) => Cow::Borrowed(""),
                Some(Value::Bool(b)) => Cow::Borrowed(if *b { "true" } else { "false" }),
                Some(Value::Number(n)) => Cow::Owned(n.to_string()),
                Some(Value::String(s)) => Cow::Borrowed(s.as_str()),
                Some(nested @ (Value::Array(_) | Value::Object(_))) => {
                    Cow::Owned(nested.to_string())
                }
            });
        }
        writer
            .write_record(cells.iter().map(|c| c.as_bytes()))
            .map_err(write_failed)?;
    }
    let bytes = writer.into_inner().map_err(|err| {
        encode_error(
            Location::default(),
            format!("the CSV writer failed: {}", err.error()),
        )
    })?;
    String::from_utf8(bytes).map_err(|err| {
        encode_error(
            Location::default(),
            format!("the CSV writer produced invalid UTF-8: {err}"),
        )
    })
}

fn encode_error(location: Location, message: impl Into<String>) -> Error {
    Error::new(Format::Csv, Operation::Encode, location, message)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn header_is_the_union_of_keys_in_first_seen_order() {
        let body = to_string(&json!([{"a": 1, "b": 2}, {"c": 3, "a": 4}, {}])).unwrap();
        assert_eq!(body, "a;b;c\n1;2;\n4;;3\n;;\n");
    }

    #[test]
    fn scalars_and_non_object_rows_are_refused_with_their_place() {
        let err = to_string(&json!(5)).unwrap_err();
        assert_eq!(
            err.to_string(),
            "cannot encode CSV: a CSV body holds rows of objects, but the value is a number"
        );
        let err = to_string(&json!({"items": [{"a": 1}, {"a": 2}, "x"]})).unwrap_err();
        assert_eq!(err.location.row, Some(3));
        assert_eq!(err.location.field.as_deref(), Some("items[2]"));
        assert!(err.to_string().contains("found a string"), "{err}");
        let err = to_string(&json!([null])).unwrap_err();
        assert_eq!(err.location.field.as_deref(), Some("[0]"));
    }

    #[test]
    fn rows_without_columns_encode_as_an_empty_body() {
        assert_eq!(
            to_string(&json!({"items": [], "itemCount": 0})).unwrap(),
            ""
        );
        assert_eq!(to_string(&json!([])).unwrap(), "");
    }
}
