//! The one error type of the crate.
//!
//! Every failure, whatever its format or direction, is an [`Error`] that says
//! which format, where in the body (as precisely as the format allows) and what
//! was expected against what was found. Callers log it or show it to a person,
//! so its `Display` is a single readable sentence.

use std::fmt;

use crate::Format;

/// Longest piece of offending text an error message quotes, in characters.
/// Bodies can hold megabytes in one cell; an error must stay one readable line.
const QUOTE_LIMIT: usize = 80;

/// Whether the failure happened while writing a body or while reading one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Operation {
    /// Turning a JSON value into a body.
    Encode,
    /// Turning a body into a typed value.
    Decode,
}

/// Where in a body (or in the value being encoded) an error was found.
///
/// Each part is present only when it is known for the format at hand:
/// CSV fills `line`, `row` and `column`; XML fills `line` and `element`;
/// typed decoding adds `field`. All numbers count from 1, as editors and
/// spreadsheets do; indexes inside `field` count from 0, as Rust does.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Location {
    /// 1-based line of the body where the offending record or markup starts.
    pub line: Option<u64>,
    /// CSV only: 1-based data row, not counting the header row.
    pub row: Option<u64>,
    /// CSV only: the column name exactly as the header spells it.
    pub column: Option<String>,
    /// XML only: the element path, such as `response/items/item[3]/impressions`
    /// (`item` siblings are numbered from 1, as in XPath).
    pub element: Option<String>,
    /// Typed decoding: the path of the target field, such as
    /// `items[2].impressions` (indexes count from 0).
    pub field: Option<String>,
}

impl Location {
    fn is_empty(&self) -> bool {
        self.line.is_none()
            && self.row.is_none()
            && self.column.is_none()
            && self.element.is_none()
            && self.field.is_none()
    }
}

/// An encoding or decoding failure.
///
/// The fields are public for programs that want to react to a location; the
/// struct is `non_exhaustive` so that only this crate creates errors.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
#[error("{}", self.sentence())]
pub struct Error {
    /// The wire format being written or read.
    pub format: Format,
    /// Whether a body was being written or read.
    pub operation: Operation,
    /// Where the problem is (boxed to keep `Result<_, Error>` small).
    pub location: Box<Location>,
    /// What was expected and what was found.
    pub message: String,
}

impl Error {
    /// Builds an error; line breaks in the message are escaped so that the
    /// `Display` form always stays on one line.
    pub(crate) fn new(
        format: Format,
        operation: Operation,
        location: Location,
        message: impl Into<String>,
    ) -> Self {
        let message = message.into();
        let message = if message.contains(['\n', '\r']) {
            message.replace('\r', "\\r").replace('\n', "\\n")
        } else {
            message
        };
        Error {
            format,
            operation,
            location: Box::new(location),
            message,
        }
    }

    /// A decode error with no location more precise than the whole body.
    pub(crate) fn decode(format: Format, message: impl Into<String>) -> Self {
        Error::new(format, Operation::Decode, Location::default(), message)
    }

    fn sentence(&self) -> String {
        let verb = match self.operation {
            Operation::Encode => "cannot encode",
            Operation::Decode => "cannot decode",
        };
        let format = match self.format {
            Format::Json => "JSON",
            Format::Xml => "XML",
            Format::Csv => "CSV",
        };
        if self.location.is_empty() {
            return format!("{verb} {format}: {}", self.message);
        }
        let loc = &self.location;
        let mut parts = Vec::new();
        match (loc.row, loc.line) {
            (Some(row), Some(line)) => parts.push(format!("row {row} (line {line})")),
            (Some(row), None) => parts.push(format!("row {row}")),
            (None, Some(line)) => parts.push(format!("line {line}")),
            (None, None) => {}
        }
        if let Some(column) = &loc.column {
            parts.push(format!("column {}", quote(column)));
        }
        if let Some(element) = &loc.element {
            parts.push(format!("element {element}"));
        }
        if let Some(field) = &loc.field {
            parts.push(format!("field {field}"));
        }
        format!("{verb} {format} at {}: {}", parts.join(", "), self.message)
    }
}

/// Quotes offending text for a message: Rust string syntax (so control
/// characters are visible and the message stays on one line), cut to
/// [`QUOTE_LIMIT`] characters.
pub(crate) fn quote(text: &str) -> String {
    match text.char_indices().nth(QUOTE_LIMIT) {
        Some((cut, _)) => format!("{:?}…", &text[..cut]),
        None => format!("{text:?}"),
    }
}

/// Writes `what` as `a`/`an` phrase for a JSON value kind, used by both encoders.
pub(crate) fn json_kind(value: &serde_json::Value) -> &'static str {
    match value {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
    }
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Operation::Encode => "encode",
            Operation::Decode => "decode",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_is_one_sentence_with_every_known_part() {
        let err = Error::new(
            Format::Csv,
            Operation::Decode,
            Location {
                line: Some(5),
                row: Some(4),
                column: Some("Impressions".into()),
                field: Some("items[3].impressions".into()),
                ..Location::default()
            },
            "expected an integer (u64), found \"abc\"",
        );
        assert_eq!(
            err.to_string(),
            "cannot decode CSV at row 4 (line 5), column \"Impressions\", field \
             items[3].impressions: expected an integer (u64), found \"abc\""
        );
    }

    #[test]
    fn display_without_location_and_with_line_breaks_stays_one_line() {
        let err = Error::decode(Format::Xml, "bad\nthing");
        assert_eq!(err.to_string(), "cannot decode XML: bad\\nthing");
    }

    #[test]
    fn quote_cuts_long_text_and_escapes_controls() {
        let long = "x".repeat(200);
        let quoted = quote(&long);
        assert_eq!(quoted, format!("\"{}\"…", "x".repeat(80)));
        assert_eq!(quote("a\nb"), "\"a\\nb\"");
        // Multi-byte characters are counted as characters, never split.
        let wide = "語".repeat(100);
        assert_eq!(quote(&wide).chars().filter(|c| *c == '語').count(), 80);
    }
}
