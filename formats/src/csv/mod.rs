//! CSV: rows of objects, `;`-separated, one header row.
//!
//! See the crate documentation for the mapping rules. Decoding reads one record at a time with
//! the `csv` crate's reader and hands each cell to the shared deserializer as borrowed text (the
//! header is matched against a struct's fields once per body; only a cell that holds JSON, or
//! an untyped target, is built into a tree), so [`rows`] streams a report of any length without
//! holding it. Writing ([`to_string`]) is `ser.rs`, straight from any `Serialize` value.

use std::io::Read;
use std::marker::PhantomData;

use serde::de::{self, DeserializeOwned, DeserializeSeed, Visitor};

use crate::Format;
use crate::de::{DeError, Dialect, MapAcc, NodeDe, Path, Segment, View, field_path, tuples_as_seq};
use crate::error::{Error, Location, Operation};
use crate::tree::Node;

const DELIMITER: u8 = b';';
const BOM: &[u8] = b"\xEF\xBB\xBF";

mod ser;
pub use ser::to_string;

/// Decodes a whole CSV body.
///
/// `T` picks the shape: a `Vec` (or any sequence) gets the rows; a struct
/// with an `items` field is a list envelope (`items` gets the rows and an
/// `itemCount` field, if any, the row count); any other struct or map needs
/// exactly one row.
pub fn from_slice<T: DeserializeOwned>(body: &[u8]) -> Result<T, Error> {
    let body = body.strip_prefix(BOM).unwrap_or(body);
    let mut rows = RowReader::new(body);
    let result = T::deserialize(DocumentDe { rows: &mut rows });
    result.map_err(finish)
}

/// Reads a CSV body one row at a time, each row as a `T`.
///
/// The reader is buffered internally and only the current row is held, so a
/// report of any size streams in constant memory. A row that fails to decode
/// yields an `Err` and reading goes on with the next row; an I/O failure or a
/// broken header row ends the iteration after its `Err`.
pub fn rows<T: DeserializeOwned, R: Read>(reader: R) -> Rows<T, R> {
    Rows {
        rows: RowReader::new(reader),
        done: false,
        target: PhantomData,
    }
}

/// Iterator returned by [`rows`].
pub struct Rows<T, R> {
    rows: RowReader<R>,
    done: bool,
    target: PhantomData<fn() -> T>,
}

impl<T: DeserializeOwned, R: Read> Iterator for Rows<T, R> {
    type Item = Result<T, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        match self.rows.next_record() {
            Ok(true) => {
                let root = Path::Root;
                let path = Path::Index(&root, self.rows.rows_read as usize - 1);
                let row = RowDe {
                    rows: &mut self.rows,
                    path,
                };
                Some(T::deserialize(row).map_err(finish))
            }
            Ok(false) => {
                self.done = true;
                None
            }
            Err(err) => {
                self.done = self.rows.fatal;
                Some(Err(err))
            }
        }
    }
}

impl<T, R> std::fmt::Debug for Rows<T, R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Rows")
            .field("rows_read", &self.rows.rows_read)
            .field("done", &self.done)
            .finish_non_exhaustive()
    }
}

/// Turns a deserializer error that escaped to the top into the public error.
fn finish(err: DeError) -> Error {
    err.into_error(Format::Csv)
}

/// The record reader shared by whole-body and streaming decoding.
struct RowReader<R> {
    csv: ::csv::Reader<R>,
    /// The header row, once read.
    headers: Option<::csv::StringRecord>,
    /// The current record.
    record: ::csv::StringRecord,
    /// Data rows read so far, including ones that failed to parse, so that
    /// row numbers in errors match the body.
    rows_read: u64,
    /// Set when reading cannot go on (I/O failure, unreadable header).
    fatal: bool,
    /// Header-to-field-name matching for the last struct asked for; every
    /// row of a body asks for the same struct, so it is computed once.
    keys: Option<(&'static [&'static str], Vec<String>)>,
}

impl<R: Read> RowReader<R> {
    fn new(reader: R) -> Self {
        let csv = ::csv::ReaderBuilder::new()
            .delimiter(DELIMITER)
            .has_headers(true)
            .flexible(false)
            .from_reader(reader);
        RowReader {
            csv,
            headers: None,
            record: ::csv::StringRecord::new(),
            rows_read: 0,
            fatal: false,
            keys: None,
        }
    }

    /// Reads the next data row into `self.record`; `false` at the end.
    fn next_record(&mut self) -> Result<bool, Error> {
        if self.fatal {
            return Ok(false);
        }
        if self.headers.is_none() {
            match self.csv.headers() {
                Ok(headers) => self.headers = Some(headers.clone()),
                Err(err) => {
                    self.fatal = true;
                    return Err(self.csv_error(&err, None));
                }
            }
        }
        match self.csv.read_record(&mut self.record) {
            Ok(more) => {
                self.rows_read += u64::from(more);
                Ok(more)
            }
            Err(err) => {
                self.rows_read += 1;
                Err(self.csv_error(&err, Some(self.rows_read)))
            }
        }
    }

    fn header_names(&self) -> Vec<&str> {
        self.headers
            .as_ref()
            .map(|h| h.iter().collect())
            .unwrap_or_default()
    }

    fn csv_error(&mut self, err: &::csv::Error, row: Option<u64>) -> Error {
        let line = err.position().map(|p| p.line());
        let mut location = Location {
            line,
            row,
            ..Location::default()
        };
        let message = match err.kind() {
            ::csv::ErrorKind::Utf8 { err: utf8, .. } => {
                let names = self.header_names();
                if let (Some(_), Some(name)) = (row, names.get(utf8.field())) {
                    location.column = Some((*name).to_owned());
                }
                format!(
                    "field {} is not valid UTF-8 (after {} valid bytes)",
                    utf8.field() + 1,
                    utf8.valid_up_to()
                )
            }
            ::csv::ErrorKind::UnequalLengths {
                expected_len, len, ..
            } => format!("expected {expected_len} fields as in the header row, found {len}"),
            ::csv::ErrorKind::Io(io) => {
                self.fatal = true;
                format!("could not read the body: {io}")
            }
            _ => {
                self.fatal = true;
                err.to_string()
            }
        };
        Error::new(Format::Csv, Operation::Decode, location, message)
    }

    /// Matches the header against `fields` (a struct target): each header names the field it
    /// equals ignoring case and surrounding spaces, or keeps its own trimmed name. Every row of
    /// a body asks for the same struct, so the match is made once.
    fn match_header(&mut self, fields: &'static [&'static str]) {
        if let Some((cached, _)) = &self.keys
            && std::ptr::eq(*cached, fields)
        {
            return;
        }
        let keys: Vec<String> = self
            .header_names()
            .into_iter()
            .map(|header| {
                let wanted = header.trim();
                fields
                    .iter()
                    .find(|field| field.to_lowercase() == wanted.to_lowercase())
                    .map_or_else(|| wanted.to_owned(), |field| (*field).to_owned())
            })
            .collect();
        self.keys = Some((fields, keys));
    }

    /// The current row's cells under the names [`Self::match_header`] gave them, borrowed:
    /// reading a row builds nothing.
    fn struct_cells(&self) -> impl Iterator<Item = (&str, View<'_>)> {
        let keys = self
            .keys
            .as_ref()
            .map_or(&[][..], |(_, keys)| keys.as_slice());
        keys.iter()
            .zip(self.record.iter())
            .map(|(key, cell)| (key.as_str(), View::Text(cell)))
    }

    /// The current row's cells under the header's names as written (a map target).
    fn header_cells(&self) -> impl Iterator<Item = (&str, View<'_>)> {
        let header = self.headers.iter().flat_map(|h| h.iter());
        header
            .zip(self.record.iter())
            .map(|(key, cell)| (key, View::Text(cell)))
    }

    fn row_cells(&self) -> Node {
        Node::List(
            self.record
                .iter()
                .map(|cell| Node::Text(cell.to_owned()))
                .collect(),
        )
    }

    /// Locates a typed-decoding error inside the current row: line, row,
    /// the column as the header spells it, and the field path.
    fn row_error(&self, err: DeError, row_path: &Path<'_>) -> Error {
        let err = err.into_failure();
        if let Some(ready) = err.ready {
            return *ready;
        }
        let prefix = row_path_len(row_path);
        let column = match err.segments().get(prefix) {
            Some(Segment::Key(key)) => self
                .header_names()
                .into_iter()
                .find(|h| *h == key || h.trim().to_lowercase() == key.to_lowercase())
                .map(str::to_owned),
            _ => None,
        };
        let segments = err.segments();
        let field = (!segments.is_empty()).then(|| field_path(segments));
        Error::new(
            Format::Csv,
            Operation::Decode,
            Location {
                line: self.record.position().map(|p| p.line()),
                row: Some(self.rows_read),
                column,
                field,
                ..Location::default()
            },
            err.message,
        )
    }
}

fn row_path_len(path: &Path<'_>) -> usize {
    match path {
        Path::Root => 0,
        Path::Key(parent, _) | Path::Index(parent, _) => 1 + row_path_len(parent),
    }
}

/// Deserializes the current row of a [`RowReader`].
struct RowDe<'r, 'p, R> {
    rows: &'r mut RowReader<R>,
    path: Path<'p>,
}

impl<R: Read> RowDe<'_, '_, R> {
    fn locate(&self, err: DeError) -> DeError {
        DeError::ready(self.rows.row_error(err, &self.path))
    }
}

impl<'de, R: Read> de::Deserializer<'de> for RowDe<'_, '_, R> {
    type Error = DeError;

    /// Without a struct to match against, a row is a map of header to text.
    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        let cells = MapAcc::new(self.rows.header_cells(), self.path, Dialect::Csv);
        visitor
            .visit_map(cells)
            .map_err(|err| self.locate(err.at(&self.path)))
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        self.rows.match_header(fields);
        let cells = MapAcc::new(self.rows.struct_cells(), self.path, Dialect::Csv);
        visitor
            .visit_map(cells)
            .map_err(|err| self.locate(err.at(&self.path)))
    }

    /// A row read as a sequence or tuple is its cells in column order.
    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        let node = self.rows.row_cells();
        de::Deserializer::deserialize_seq(
            NodeDe::new((&node).into(), self.path, Dialect::Csv),
            visitor,
        )
        .map_err(|err| self.locate(err))
    }

    tuples_as_seq!();

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_some(self)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_unit()
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        unit unit_struct map enum identifier
    }
}

/// Deserializes a whole body, choosing the shape the target asks for.
struct DocumentDe<'r, R> {
    rows: &'r mut RowReader<R>,
}

impl<R: Read> DocumentDe<'_, R> {
    /// Reads a target that is one row; the body must hold exactly one.
    fn single_row<'de, V: Visitor<'de>>(
        self,
        fields: Option<(&'static str, &'static [&'static str])>,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        if !self.rows.next_record().map_err(DeError::ready)? {
            return Err(DeError::ready(Error::decode(
                Format::Csv,
                "expected exactly one row, found 0",
            )));
        }
        let row = RowDe {
            rows: &mut *self.rows,
            path: Path::Root,
        };
        let value = match fields {
            Some((name, fields)) => {
                de::Deserializer::deserialize_struct(row, name, fields, visitor)?
            }
            None => de::Deserializer::deserialize_any(row, visitor)?,
        };
        let mut extra = 0u64;
        while self.rows.next_record().map_err(DeError::ready)? {
            extra += 1;
        }
        if extra > 0 {
            return Err(DeError::ready(Error::decode(
                Format::Csv,
                format!("expected exactly one row, found {}", extra + 1),
            )));
        }
        Ok(value)
    }
}

impl<'de, R: Read> de::Deserializer<'de> for DocumentDe<'_, R> {
    type Error = DeError;

    /// Untyped, a body is its list of rows.
    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_seq(RowsSeq {
            rows: self.rows,
            list: None,
            index: 0,
        })
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        if fields.contains(&"items") {
            visitor.visit_map(EnvelopeAcc {
                rows: self.rows,
                step: EnvelopeStep::Items,
                with_count: fields.contains(&"itemCount"),
            })
        } else {
            self.single_row(Some((name, fields)), visitor)
        }
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.single_row(None, visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_some(self)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_unit()
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        unit unit_struct seq tuple tuple_struct enum identifier
    }
}

/// The rows of a body as a sequence, each row deserialized in place.
struct RowsSeq<'r, R> {
    rows: &'r mut RowReader<R>,
    /// `Some("items")` inside an envelope, so paths read `items[3]`.
    list: Option<&'static str>,
    index: usize,
}

impl<'de, R: Read> de::SeqAccess<'de> for RowsSeq<'_, R> {
    type Error = DeError;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, DeError> {
        if !self.rows.next_record().map_err(DeError::ready)? {
            return Ok(None);
        }
        let root = Path::Root;
        let parent = match self.list {
            Some(name) => Path::Key(&root, name),
            None => Path::Root,
        };
        let path = Path::Index(&parent, self.index);
        self.index += 1;
        seed.deserialize(RowDe {
            rows: &mut *self.rows,
            path,
        })
        .map(Some)
    }
}

/// Gives the rows to whatever wants them: a `Vec`, an `Option<Vec>`, a newtype.
struct RowsDe<'r, R> {
    rows: &'r mut RowReader<R>,
}

impl<'de, R: Read> de::Deserializer<'de> for RowsDe<'_, R> {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_seq(RowsSeq {
            rows: self.rows,
            list: Some("items"),
            index: 0,
        })
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_some(self)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        visitor.visit_newtype_struct(self)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        unit unit_struct seq tuple tuple_struct map struct enum identifier ignored_any
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum EnvelopeStep {
    Items,
    ItemCount,
    Done,
}

/// The list envelope `{items, itemCount}` read from rows: `items` first, so
/// that the count is known when `itemCount` is asked for.
struct EnvelopeAcc<'r, R> {
    rows: &'r mut RowReader<R>,
    step: EnvelopeStep,
    with_count: bool,
}

impl<'de, R: Read> de::MapAccess<'de> for EnvelopeAcc<'_, R> {
    type Error = DeError;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, DeError> {
        let key = match self.step {
            EnvelopeStep::Items => "items",
            EnvelopeStep::ItemCount if self.with_count => "itemCount",
            _ => return Ok(None),
        };
        seed.deserialize(de::value::BorrowedStrDeserializer::<DeError>::new(key))
            .map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, DeError> {
        match self.step {
            EnvelopeStep::Items => {
                self.step = EnvelopeStep::ItemCount;
                seed.deserialize(RowsDe {
                    rows: &mut *self.rows,
                })
            }
            _ => {
                self.step = EnvelopeStep::Done;
                // The count goes through the text tree so that any integer
                // type, optional or not, can take it.
                let count = self.rows.rows_read.to_string();
                let root = Path::Root;
                let path = Path::Key(&root, "itemCount");
                seed.deserialize(NodeDe::new(View::Text(&count), path, Dialect::Json))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use super::*;

    #[test]
    fn envelope_gets_rows_and_count_in_any_field_order() {
        #[derive(Debug, Deserialize, PartialEq)]
        struct Envelope {
            #[serde(rename = "itemCount")]
            item_count: Option<i64>,
            items: Vec<Row>,
        }
        #[derive(Debug, Deserialize, PartialEq)]
        struct Row {
            a: u8,
        }
        let env: Envelope = from_slice(b"a\n1\n2\n").unwrap();
        assert_eq!(
            env,
            Envelope {
                item_count: Some(2),
                items: vec![Row { a: 1 }, Row { a: 2 }]
            }
        );
    }

    #[test]
    fn single_struct_needs_exactly_one_row() {
        #[derive(Debug, Deserialize)]
        #[allow(dead_code)]
        struct One {
            a: u8,
        }
        let err = from_slice::<One>(b"a\n1\n2\n3\n").unwrap_err();
        assert_eq!(
            err.to_string(),
            "cannot decode CSV: expected exactly one row, found 3"
        );
        let err = from_slice::<One>(b"a\n").unwrap_err();
        assert_eq!(
            err.to_string(),
            "cannot decode CSV: expected exactly one row, found 0"
        );
        assert_eq!(from_slice::<One>(b"a\n9\n").unwrap().a, 9);
    }

    #[test]
    fn rows_can_be_read_as_tuples_and_maps() {
        let tuples: Vec<(String, u32)> = from_slice(b"name;n\nx;1\ny;2\n").unwrap();
        assert_eq!(tuples, vec![("x".into(), 1), ("y".into(), 2)]);
        let maps: Vec<std::collections::BTreeMap<String, String>> =
            from_slice(b"Name ;n\nx;1\n").unwrap();
        assert_eq!(maps[0].get("Name ").map(String::as_str), Some("x"));
    }
}
