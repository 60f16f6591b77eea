//! Lowering: one operation per wire format, each with exactly one media type.
//!
//! The hand-written spec writes each Adsterra endpoint once, as Adsterra documents it
//! (`/stats.{format}`), with the success response under `application/json`, `application/xml` and
//! `text/csv`. progenitor types an operation by its JSON schema alone and then parses every format
//! as JSON, so it needs one operation per format. Lowering produces exactly that, and the result is
//! also the rendition that generators of other languages handle best:
//!
//! - `/stats.{format}` becomes `/stats.json`, `/stats.csv` and `/stats.xml`, without the `format`
//!   path parameter;
//! - the JSON operation keeps its operationId (`get_stats`); the others get a suffix
//!   (`get_stats_csv`, `get_stats_xml`);
//! - each success response keeps only its format's media type; the CSV and XML examples are
//!   derived from the JSON example through `adsterra-formats`, so they follow the one mapping rule;
//! - shared error responses (`$ref`s) stay as they are: errors are JSON in every format.
//!
//! Every step checks that it applied. A spec that drifts from the shape lowering expects fails
//! here with the place named, instead of producing a quietly wrong client.

use serde_json::{Map, Value};

use adsterra_formats::Format;

use crate::{METHODS, pointer};

/// The spec does not have the shape the lowering expects.
#[derive(Debug, thiserror::Error)]
pub enum LowerError {
    /// The document has no `.{format}` path at all, so nothing would be lowered.
    #[error(
        "no path ends in `.{{format}}`; every Adsterra endpoint is written as `/name.{{format}}`"
    )]
    NothingToLower,
    /// `{format}` appears somewhere other than as the final suffix.
    #[error("{pointer}: `{{format}}` must be the path's `.{{format}}` suffix")]
    MisplacedFormat {
        /// The path.
        pointer: String,
    },
    /// An operation of a `.{format}` path has no `format` path parameter, or more than one.
    #[error(
        "{pointer}: expected exactly one `format` path parameter (path-level or on the operation), found {found}"
    )]
    FormatParameter {
        /// The operation.
        pointer: String,
        /// How many were found.
        found: usize,
    },
    /// An operation has no operationId to derive the per-format ids from.
    #[error("{pointer}: no operationId")]
    MissingOperationId {
        /// The operation.
        pointer: String,
    },
    /// An inline response lacks the media type of one of the formats.
    #[error(
        "{pointer}: no `{media_type}` content; a `.{{format}}` response lists json, xml and csv"
    )]
    MissingMediaType {
        /// The response.
        pointer: String,
        /// The media type that is missing.
        media_type: &'static str,
    },
    /// An operation had no inline response with content, so no response was narrowed.
    #[error(
        "{pointer}: no inline response with content; the 200 response must list json, xml and csv"
    )]
    NoFormatResponse {
        /// The operation.
        pointer: String,
    },
    /// The JSON example could not be rendered in CSV or XML.
    #[error("{pointer}: the JSON example has no {format} rendition: {message}")]
    Example {
        /// The media type object holding the example.
        pointer: String,
        /// The format it was rendered in.
        format: Format,
        /// What the formats crate said.
        message: String,
    },
    /// Two lowered paths collide (for example `/stats.json` was also written by hand).
    #[error("lowering `{from}` produces `{path}`, which already exists")]
    PathClash {
        /// The source path.
        from: String,
        /// The lowered path that exists twice.
        path: String,
    },
}

/// Lowers the spec; see the module documentation for what changes.
pub fn lower(spec: &Value) -> Result<Value, LowerError> {
    let mut lowered = spec.clone();
    let paths = spec
        .get("paths")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();

    let mut out = Map::new();
    let mut lowered_any = false;
    for (path, item) in paths {
        let at = pointer::join(["paths", &path]);
        let Some(stem) = path.strip_suffix(".{format}") else {
            if path.contains("{format}") {
                return Err(LowerError::MisplacedFormat { pointer: at });
            }
            insert(&mut out, &path, path.clone(), item)?;
            continue;
        };
        if stem.contains("{format}") {
            return Err(LowerError::MisplacedFormat { pointer: at });
        }
        lowered_any = true;
        for format in Format::ALL {
            let lowered_path = format!("{stem}.{}", format.extension());
            let lowered_item = lower_path_item(spec, &item, &at, &path, format)?;
            insert(&mut out, &path, lowered_path, lowered_item)?;
        }
    }
    if !lowered_any {
        return Err(LowerError::NothingToLower);
    }
    lowered["paths"] = Value::Object(out);
    Ok(lowered)
}

fn insert(
    out: &mut Map<String, Value>,
    from: &str,
    path: String,
    item: Value,
) -> Result<(), LowerError> {
    if out.contains_key(&path) {
        return Err(LowerError::PathClash {
            from: from.to_owned(),
            path,
        });
    }
    out.insert(path, item);
    Ok(())
}

fn lower_path_item(
    spec: &Value,
    item: &Value,
    at: &str,
    source_path: &str,
    format: Format,
) -> Result<Value, LowerError> {
    let mut item = item.clone();
    let removed_at_path_level = remove_format_parameter(spec, &mut item);

    for method in METHODS {
        let Some(operation) = item.get_mut(method) else {
            continue;
        };
        let op_at = pointer::join_under(at, [method]);
        let found = removed_at_path_level + remove_format_parameter(spec, operation);
        if found != 1 {
            return Err(LowerError::FormatParameter {
                pointer: op_at,
                found,
            });
        }
        let id = operation
            .get("operationId")
            .and_then(Value::as_str)
            .ok_or_else(|| LowerError::MissingOperationId {
                pointer: op_at.clone(),
            })?;
        if format != Format::Json {
            operation["operationId"] = Value::String(format!("{id}_{}", format.extension()));
        }
        operation["x-adsterra-format"] = Value::String(format.to_string());
        narrow_responses(operation, &op_at, format)?;
    }
    item["x-adsterra-lowered-from"] = Value::String(source_path.to_owned());
    Ok(item)
}

/// Removes the `format` path parameter from a path item or operation; returns how many it removed.
fn remove_format_parameter(spec: &Value, holder: &mut Value) -> usize {
    let Some(parameters) = holder.get_mut("parameters").and_then(Value::as_array_mut) else {
        return 0;
    };
    let before = parameters.len();
    parameters.retain(|parameter| {
        let resolved = pointer::resolve(spec, parameter);
        !resolved.is_some_and(|p| {
            p.get("name").and_then(Value::as_str) == Some("format")
                && p.get("in").and_then(Value::as_str) == Some("path")
        })
    });
    let removed = before - parameters.len();
    if parameters.is_empty() {
        holder.as_object_mut().map(|h| h.remove("parameters"));
    }
    removed
}

/// Keeps only `format`'s media type in every inline response, deriving the example.
fn narrow_responses(operation: &mut Value, at: &str, format: Format) -> Result<(), LowerError> {
    let media_type = format.media_type();
    let mut narrowed = 0;
    let responses = operation
        .get_mut("responses")
        .and_then(Value::as_object_mut)
        .into_iter()
        .flatten();
    for (code, response) in responses {
        // A `$ref` is a shared error response: JSON in every format, left as it is.
        let Some(content) = response.get_mut("content").and_then(Value::as_object_mut) else {
            continue;
        };
        let response_at = pointer::join_under(at, ["responses", code]);
        let json_example = content
            .get(Format::Json.media_type())
            .and_then(|media| media.get("example"))
            .cloned();
        let mut kept = content
            .remove(media_type)
            .ok_or_else(|| LowerError::MissingMediaType {
                pointer: response_at.clone(),
                media_type,
            })?;
        if format != Format::Json
            && let Some(example) = json_example
        {
            let rendered = adsterra_formats::encode(format, &example).map_err(|error| {
                LowerError::Example {
                    pointer: pointer::join_under(&response_at, ["content", media_type]),
                    format,
                    message: error.to_string(),
                }
            })?;
            kept["example"] = Value::String(rendered);
        }
        content.clear();
        content.insert(media_type.to_owned(), kept);
        narrowed += 1;
    }
    if narrowed == 0 {
        return Err(LowerError::NoFormatResponse {
            pointer: at.to_owned(),
        });
    }
    Ok(())
}
