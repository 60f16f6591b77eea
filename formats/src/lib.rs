//! The one rule that maps a JSON value to Adsterra's CSV and XML, and back.
//!
//! The Adsterra Advertiser API serves every endpoint as `.json`, `.xml` and
//! `.csv`. This crate owns how a JSON value is written in each text format
//! and how each format is read into the same typed values (the serde types
//! progenitor/typify generate), so that the code generator (which derives
//! CSV and XML examples from JSON ones), the local sandbox server (which
//! encodes responses) and the client (which decodes them) cannot disagree.
//!
//! It must not know anything about particular endpoints or schemas: every
//! rule below is about the shape of a value, never about field names, with
//! the single exception of the list envelope's `items`/`itemCount`, which
//! Adsterra uses for every list. It does no I/O of its own beyond the reader
//! handed to [`rows`].
//!
//! # Entry points
//!
//! [`encode`] turns a value — any `Serialize`, a [`serde_json::Value`] included — into a
//! body; the rules below are stated for JSON values, and a typed value is written byte for byte
//! as `serde_json::to_value` would make it, without building that JSON value first (only
//! shapes no generated type has, such as tuples, `char`s and variants with data, go through
//! it). [`decode`]
//! turns a body into any `T: DeserializeOwned`; [`rows`] reads a body in any format one row at
//! a time as it arrives, in bounded memory. [`csv`], [`json`] and [`xml`] hold the per-format
//! functions. JSON is written by `serde_json` (compact output) and read by it too,
//! except that a well-formed body that does not fit the target type is read again through the
//! text tree (see "Typed decoding"), so JSON is exactly as tolerant as CSV and XML.
//!
//! # CSV
//!
//! Writing (`;` separator, one header row, `\n` after every line including
//! the last, double quotes only around cells that hold `;`, `"`, `\r` or
//! `\n`, with `"` doubled; a one-column row whose cell is empty is written
//! `""` so that it is not a blank line):
//!
//! - **Rows.** An object with an `items` array (the list envelope
//!   `{"items": [...], "itemCount": N}`) gives one row per item; the other
//!   envelope keys, such as `itemCount`, are not written (they are implied by
//!   the rows). A top-level array gives one row per element. Any other object
//!   is exactly one row. A top-level scalar or null is an error, and so is a
//!   row that is not an object (the error names its index).
//! - **Header.** The union of the rows' keys in first-seen order: the first
//!   row's keys, then keys first seen in later rows, appended. A key missing
//!   from a row gives an empty cell. Rows with no keys at all give an empty
//!   body (a CSV line cannot hold zero cells).
//! - **Cells.** null → empty; `true`/`false`; a number → serde_json's own
//!   text (so `18446744073709551615` and shortest round-trip floats such as
//!   `0.30000000000000004`, `5e-324` or `1e+300` are exact); a string → verbatim; an
//!   array or object → its compact JSON (`[15413270,15413272]`, `[]`,
//!   `{"price":0.5,"country_code":"US"}`).
//!
//! Reading:
//!
//! - A UTF-8 byte-order mark is skipped; `\r\n` and `\n` line ends are both
//!   accepted; every row must have as many cells as the header.
//! - **Shape, chosen by the target type.** A `Vec` (any sequence) gets the
//!   rows. A struct with a field named `items` is a list envelope: `items`
//!   gets the rows, and a field named `itemCount`, if present, gets the
//!   number of rows. Any other struct (or a map) needs exactly one row and
//!   fails with "expected exactly one row, found N" otherwise. A header-only
//!   body and an entirely empty body are zero rows.
//! - **Columns.** A header names a struct field if it equals the field's
//!   serialized name ignoring case and surrounding spaces (`Date`,
//!   ` Impressions ` both find `date`, `impressions`). Column order does not
//!   matter; unknown columns are ignored unless the struct denies unknown
//!   fields. Map targets see header names exactly as written.
//! - **Cells, parsed as the field asks.** Integers (`i8`..`i128`,
//!   `u8`..`u128`) and floats parse the cell with surrounding spaces trimmed;
//!   `bool` accepts `true`/`false` (any case) and `1`/`0`; strings get the
//!   cell verbatim; a sequence, map or struct field parses the cell as JSON
//!   (a blank cell is an empty list/map); enums take a unit variant's name.
//! - **An empty cell cannot tell null from `""`.** It reads as `None` for an
//!   `Option` field, `""` for a `String` field and an empty list for a `Vec`
//!   field. So `Some(String::new())` comes back as `None`: the one value
//!   that does not survive a CSV round trip.
//!
//! # XML
//!
//! Writing: `<?xml version="1.0" encoding="UTF-8"?>`, then a `<response>`
//! root element holding the value, indented by two spaces per level.
//!
//! - An object → one child element per key, in order, named by the key. A key
//!   that is not an XML name (XML 1.0 `Name`, without `:`) is an error that
//!   names it.
//! - An array → one `<item>` child per element.
//! - A string, number or boolean → escaped text content (numbers and booleans
//!   as their JSON text): `<impressions>343371</impressions>`. `<`, `>` and
//!   `&` are escaped as entities (so `]]>` cannot occur), `\r` as `&#13;`
//!   (XML parsers would turn it into `\n`), and characters XML 1.0 cannot
//!   carry (C0 controls other than tab and line feed, U+FFFE, U+FFFF) as
//!   numeric references, which this crate reads back.
//! - null → an empty element with `nil="true"`: `<cpm nil="true"/>`.
//! - `""` → `<key></key>`; an empty array or object → `<key/>`.
//!
//! Reading (any root element name is accepted):
//!
//! - An element whose child elements are all `<item>` is a list; other child
//!   elements make a group of named fields, in which a repeated name other
//!   than `item` is an error naming it. Whitespace-only text between child
//!   elements is layout, not content; other text beside child elements is an
//!   error.
//! - An element with only text is that text, kept exactly (never trimmed:
//!   `"  padded  "` survives). Entities, character references and CDATA
//!   sections read as the text they stand for; comments and processing
//!   instructions are skipped; attributes other than `nil` are ignored.
//! - `nil="true"` is null, which only an `Option` accepts (as `None`).
//! - An empty element is empty text: `""` for a string, an empty list for a
//!   `Vec`, an empty map or struct, and for an `Option` it is *not* `None`
//!   (only `nil` is): `Some("")`, `Some(vec![])`.
//! - Unknown child elements are ignored by structs (unless they deny them).
//! - Ambiguity: `{"item": x}` is written `<item>x</item>`, exactly like the
//!   one-element list `[x]`. A struct or map target reads it as the object;
//!   an untyped target (`serde_json::Value`) reads it as the list.
//!
//! # Typed decoding
//!
//! One serde deserializer reads every target from text, so the rules the formats share are
//! implemented once: a CSV cell and an XML leaf are handed to it as borrowed text, as they
//! are read, and a struct, map or list reads its cells or child elements one by one. Only
//! what must see a whole value before it can decide (an untyped target, an XML element whose
//! shape does not fit what the target asks for) is first built into a small text tree (text,
//! null, list, named fields) of that one value. A JSON body that serde_json
//! cannot read into the target (`"spent": "1.25"`, `[15413270, "15413272"]`)
//! goes through the same tree, its scalars as their JSON text: so numbers,
//! ids and booleans may arrive as strings (and strings as numbers) in every
//! format, and the answer a real API sends where the spec is only inference
//! still decodes. Only a value that cannot be its field's type is an error. Text formats carry no types: the
//! target type decides how text is read, which is why `"007"` stays a string
//! in a `String` field and is the number 7 in a `u64` field. Numbers in text
//! are trimmed before parsing; strings never are.
//!
//! Supported: integers and floats of every width, `bool`, `char`, strings and
//! string-like types that ask for a `str` (such as `chrono::NaiveDate`, read
//! from `YYYY-MM-DD`), `Option`, unit and unit structs, newtypes, sequences and
//! tuples, maps (keys may be numbers), structs, and enums (unit variants as
//! their name; variants with data as a single-field group, as serde_json
//! writes them).
//!
//! Decoding into [`serde_json::Value`] (or anything else that asks for "any")
//! is lossy by nature: every scalar becomes a string (`"343371"`, `"true"`)
//! and an empty CSV cell becomes `""`; XML `nil` becomes `null`. A CSV body
//! reads as an array of row objects. For the same reason,
//! `#[serde(flatten)]` and untagged enums, which buffer values as "any",
//! see strings where numbers were written.
//!
//! # Errors
//!
//! Every failure is an [`Error`] naming the format, where the problem is
//! (CSV: 1-based line and data row and the column as the header spells it;
//! XML: line and element path such as `response/items/item[3]/impressions`;
//! typed decoding: the field path such as `items[2].impressions`, whose
//! indexes count from 0), and what was expected against what was found,
//! quoting at most 80 characters of the offending text. Malformed input of
//! any kind is an error, never a panic.

#![warn(missing_docs)]

use std::fmt;
use std::str::FromStr;

use serde::Serialize;
use serde::de::DeserializeOwned;

pub mod csv;
mod de;
mod error;
pub mod json;
mod number;
mod rows;
mod ser;
mod tree;
pub mod xml;

pub use error::{Error, Location, Operation};
pub use rows::{Rows, rows};

/// The README's example, run as a doctest so that the README stays true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeExample;

/// A wire format of the Adsterra API, chosen by the path suffix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// `.json`
    Json,
    /// `.xml`
    Xml,
    /// `.csv`
    Csv,
}

impl Format {
    /// Every format: JSON first (the typed one), then the text formats. The lowering emits its
    /// operations in this order, and every list of formats in the workspace is this one.
    pub const ALL: [Format; 3] = [Format::Json, Format::Csv, Format::Xml];

    /// The path suffix without the dot: `json`, `xml`, `csv`.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::Xml => "xml",
            Format::Csv => "csv",
        }
    }

    /// The `Content-Type` of a body in this format.
    pub fn media_type(self) -> &'static str {
        match self {
            Format::Json => "application/json",
            Format::Xml => "application/xml",
            Format::Csv => "text/csv",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.extension())
    }
}

/// The error of [`Format::from_str`]: the text named no format.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown format {given:?}: expected one of json, xml, csv")]
pub struct UnknownFormat {
    /// The text that was given.
    pub given: String,
}

impl FromStr for Format {
    type Err = UnknownFormat;

    /// Accepts `json`, `xml` and `csv` in any case, with or without the
    /// leading dot of a path suffix.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let name = s.strip_prefix('.').unwrap_or(s);
        Format::ALL
            .into_iter()
            .find(|format| format.extension().eq_ignore_ascii_case(name))
            .ok_or_else(|| UnknownFormat {
                given: s.to_owned(),
            })
    }
}

/// Encodes a value as a body in `format` (see the crate docs for the rules).
///
/// `value` is anything `Serialize`, a [`serde_json::Value`] included; CSV and XML are written
/// straight from it, exactly as from `serde_json::to_value(value)`. JSON is compact
/// `serde_json` output.
pub fn encode<T: Serialize + ?Sized>(format: Format, value: &T) -> Result<String, Error> {
    match format {
        Format::Json => serde_json::to_string(value).map_err(|err| {
            Error::new(
                Format::Json,
                Operation::Encode,
                Location::default(),
                err.to_string(),
            )
        }),
        Format::Xml => xml::to_string(value),
        Format::Csv => csv::to_string(value),
    }
}

/// Decodes a body in `format` into `T` (see the crate docs for the rules).
pub fn decode<T: DeserializeOwned>(format: Format, body: &[u8]) -> Result<T, Error> {
    match format {
        Format::Json => json::from_slice(body),
        Format::Xml => xml::from_slice(body),
        Format::Csv => csv::from_slice(body),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_names_round_trip() {
        for format in Format::ALL {
            assert_eq!(format.to_string().parse::<Format>().unwrap(), format);
        }
        assert_eq!("CSV".parse::<Format>().unwrap(), Format::Csv);
        assert_eq!(".Xml".parse::<Format>().unwrap(), Format::Xml);
        let err = "yaml".parse::<Format>().unwrap_err();
        assert_eq!(
            err.to_string(),
            "unknown format \"yaml\": expected one of json, xml, csv"
        );
    }

    #[test]
    fn format_media_types() {
        assert_eq!(Format::Json.media_type(), "application/json");
        assert_eq!(Format::Xml.media_type(), "application/xml");
        assert_eq!(Format::Csv.media_type(), "text/csv");
        assert_eq!(Format::Csv.extension(), "csv");
    }

    #[test]
    fn json_is_compact_serde_json() {
        let value = serde_json::json!({"a": [1, 2], "b": null});
        assert_eq!(
            encode(Format::Json, &value).unwrap(),
            r#"{"a":[1,2],"b":null}"#
        );
        let err = decode::<serde_json::Value>(Format::Json, b"{\n\"a\":").unwrap_err();
        assert_eq!(err.location.line, Some(2));
        assert!(
            err.to_string()
                .starts_with("cannot decode JSON at line 2: "),
            "{err}"
        );

        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)]
        struct Row {
            impressions: u64,
        }
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)]
        struct List {
            items: Vec<Row>,
        }
        let body = br#"{"items": [{"impressions": 1}, {"impressions": "x"}]}"#;
        let err = decode::<List>(Format::Json, body).unwrap_err();
        assert_eq!(err.location.field.as_deref(), Some("items[1].impressions"));
        let trailing = decode::<serde_json::Value>(Format::Json, b"{} x").unwrap_err();
        assert_eq!(trailing.location.field, None, "{trailing}");
    }
}
