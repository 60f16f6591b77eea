//! Writing CSV bodies, straight from any `Serialize` value.
//!
//! The body is what the crate's CSV rules make of `serde_json::to_value(value)`, written without
//! building that value: building it costs more than writing the body. The header is the union of
//! every row's keys, known only after the last row, so the value is serialized twice. The first
//! pass (a [`Survey`]) finds the rows (a list envelope's `items`, a top-level sequence or the
//! object itself) and collects their keys without formatting a single value; the second (a
//! [`Writer`]) writes the header and then each row, every cell formatted as serde_json formats
//! it.
//!
//! A few values are ones `to_value` treats in its own way: a key repeated in one object (the last
//! value wins, in the first one's place), a map key that is not a string, a number a JSON value
//! cannot hold, a `RawValue`; and some shapes are in no generated type (tuples, `char`, bytes,
//! 128-bit integers, variants with data). The direct path does not imitate those: it gives up
//! ([`Fail::Detour`]) and the value goes through `to_value` after all. Every other failure takes
//! the same detour, so that errors, too, are exactly those of the value path: serde_json's own,
//! or the CSV rule the JSON value breaks.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt::{self, Display, Write as _};

use serde::ser::{self, Impossible, Serialize, Serializer};
use serde_json::Value;

use super::DELIMITER;
use crate::Format;
use crate::error::{Error, Location, Operation, json_kind};
use crate::ser::{JSON_TOKENS, key_text};

/// The rows of a list envelope.
const ITEMS: &str = "items";
/// The body is built as a `String` (so it needs no UTF-8 check); the separator as a `char`.
const SEPARATOR: char = DELIMITER as char;
/// Encodes a value as an Adsterra CSV body.
///
/// The body is the one the crate's CSV rules give for `serde_json::to_value(value)`, byte for
/// byte, written without building the JSON value. A list envelope (`{"items": [...], ...}`) or
/// a sequence gives one row per element; any other struct or map gives one row. Fails on a
/// top-level scalar or null, on a row that is not an object, and where `serde_json::to_value`
/// fails.
pub fn to_string<T: Serialize + ?Sized>(value: &T) -> Result<String, Error> {
    if let Ok(body) = write(value) {
        return Ok(body);
    }
    // The direct path stops at the first thing it does not reproduce exactly, errors included;
    // the JSON value settles what the body or the error is.
    let json = serde_json::to_value(value)
        .map_err(|err| encode_error(Location::default(), err.to_string()))?;
    write(&json).map_err(Fail::into_error)
}

/// Both passes over `value`.
fn write<T: Serialize + ?Sized>(value: &T) -> Result<String, Fail> {
    let mut survey = Survey::new();
    let shape = value.serialize(Rows {
        pass: &mut survey,
        role: Role::Top,
    })?;
    let header = match shape {
        Shape::Single => survey.own,
        Shape::List | Shape::Envelope => survey.header,
    };
    // Rows without a single column cannot be written (a CSV line always has at least one
    // cell); the body is then empty, which reads back as no rows.
    if header.len() == 0 {
        return Ok(String::new());
    }
    let mut writer = Writer::new(header);
    writer.write_header();
    match shape {
        Shape::Single => writer.row(value)?,
        Shape::List | Shape::Envelope => {
            value.serialize(Rows {
                pass: &mut writer,
                role: Role::Top,
            })?;
        }
    }
    Ok(writer.out)
}

fn encode_error(location: Location, message: impl Into<String>) -> Error {
    Error::new(Format::Csv, Operation::Encode, location, message)
}

/// Why writing stopped.
#[derive(Debug)]
enum Fail {
    /// A value the direct path does not reproduce (see the module docs), or an error from the
    /// value's `Serialize`: the value is encoded again through `serde_json::to_value`.
    Detour,
    /// A CSV rule refuses the value (boxed: `Result<(), Fail>` is returned for every cell).
    Refused(Box<Error>),
    /// A row is not an object; the list holding it adds where it is.
    NotARow(Kind),
    /// The `items` of an object is not a list, so the object is a row of its own.
    NotAList,
    /// A row names a column before one it has already written; it is written again, buffered.
    OutOfOrder,
    /// A cell holds a list, map, struct or variant with data: it is written as JSON.
    Compound,
}

fn detour<E>(_: E) -> Fail {
    Fail::Detour
}

impl Fail {
    /// The error of the last attempt, on the JSON value, where only a rule can refuse.
    fn into_error(self) -> Error {
        match self {
            Fail::Refused(error) => *error,
            _ => encode_error(
                Location::default(),
                "the value has a shape the CSV writer does not know",
            ),
        }
    }

    /// Places a row's failure in its list.
    fn at_row(self, list: &str, index: usize) -> Fail {
        let Fail::NotARow(kind) = self else {
            return self;
        };
        let location = Location {
            row: Some(index as u64 + 1),
            field: Some(format!("{list}[{index}]")),
            ..Location::default()
        };
        let message = format!("each row must be an object, found {}", kind.phrase());
        Fail::Refused(Box::new(encode_error(location, message)))
    }
}

impl Display for Fail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Fail::Refused(error) => error.fmt(f),
            other => write!(f, "{other:?}"),
        }
    }
}

impl std::error::Error for Fail {}

impl ser::Error for Fail {
    fn custom<T: Display>(_: T) -> Self {
        Fail::Detour
    }
}

/// What kind of JSON value a non-object is, for error messages.
#[derive(Debug, Clone, Copy)]
enum Kind {
    Null,
    Boolean,
    Number,
    String,
    Array,
}

impl Kind {
    fn phrase(self) -> &'static str {
        // A sample of each kind (none allocates) keeps the wording the value path's.
        json_kind(&match self {
            Kind::Null => Value::Null,
            Kind::Boolean => Value::Bool(false),
            Kind::Number => Value::from(0u8),
            Kind::String => Value::String(String::new()),
            Kind::Array => Value::Array(Vec::new()),
        })
    }

    fn of_float(float: f64) -> Kind {
        // `to_value` turns NaN and the infinities into null.
        if float.is_finite() {
            Kind::Number
        } else {
            Kind::Null
        }
    }
}

/// Where the rows are, as the first pass found it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// A top-level sequence: one row per element.
    List,
    /// An object whose `items` is a list: one row per item.
    Envelope,
    /// Any other object: one row.
    Single,
}

/// The columns: every key of every row, in first-seen order.
#[derive(Default)]
struct Header {
    columns: Vec<Column>,
    /// Each column by name, for a key that is not where the row's order predicts.
    index: HashMap<String, usize>,
    /// Rows begun so far.
    rows: usize,
    /// The column the current row's next key most likely names: rows of one type keep their
    /// keys in the header's order.
    next: usize,
}

struct Column {
    name: Cow<'static, str>,
    /// The last row (counted from 1) that had this column: seeing it again in that row means a
    /// repeated key.
    last_row: usize,
}

impl Column {
    /// Whether `key` names this column. A struct field's name is the same `&'static str` in
    /// every row, so a match is mostly one pointer comparison.
    #[inline]
    fn is(&self, key: &str) -> bool {
        match &self.name {
            Cow::Borrowed(name) => std::ptr::eq(*name, key) || *name == key,
            Cow::Owned(name) => name == key,
        }
    }
}

impl Header {
    fn len(&self) -> usize {
        self.columns.len()
    }

    fn begin_row(&mut self) {
        self.rows += 1;
        self.next = 0;
    }

    #[inline]
    fn find(&self, key: &str, next: usize) -> Option<usize> {
        match self.columns.get(next) {
            Some(column) if column.is(key) => Some(next),
            _ => self.look_up(key),
        }
    }

    /// Kept out of line so that [`Header::find`]'s usual case stays small enough to inline.
    #[cold]
    fn look_up(&self, key: &str) -> Option<usize> {
        self.index.get(key).copied()
    }

    #[inline]
    fn add_static(&mut self, key: &'static str) -> Result<(), Fail> {
        if self.advance(key) {
            return Ok(());
        }
        self.add(key, || Cow::Borrowed(key))
    }

    fn add_text(&mut self, key: &str) -> Result<(), Fail> {
        if self.advance(key) {
            return Ok(());
        }
        self.add(key, || Cow::Owned(key.to_owned()))
    }

    /// The usual case, kept small enough to inline: `key` names the column the row's order
    /// predicts, for the first time in this row.
    #[inline]
    fn advance(&mut self, key: &str) -> bool {
        let rows = self.rows;
        match self.columns.get_mut(self.next) {
            Some(column) if column.is(key) && column.last_row != rows => {
                column.last_row = rows;
                self.next += 1;
                true
            }
            _ => false,
        }
    }

    /// Any other key: a column found elsewhere in the header, or a new one. A column this row
    /// already had means a repeated key.
    #[cold]
    fn add(&mut self, key: &str, name: impl FnOnce() -> Cow<'static, str>) -> Result<(), Fail> {
        let index = match self.find(key, self.next) {
            Some(index) => index,
            None => self.push(key, name()),
        };
        let column = &mut self.columns[index];
        if column.last_row == self.rows {
            return Err(Fail::Detour);
        }
        column.last_row = self.rows;
        self.next = index + 1;
        Ok(())
    }

    fn push(&mut self, key: &str, name: Cow<'static, str>) -> usize {
        self.index.insert(key.to_owned(), self.columns.len());
        self.columns.push(Column { name, last_row: 0 });
        self.columns.len() - 1
    }
}

/// What a pass does with the top-level object and with each row. The serializers that find
/// the rows ([`Rows`], [`List`], [`TopFields`], [`Row`]) are shared by both passes.
trait Pass {
    /// A struct field of the top-level object; says whether it holds the rows.
    fn top_field(&mut self, key: &'static str) -> Result<bool, Fail>;
    /// A map key of the top-level object; says whether it holds the rows.
    fn top_key<K: Serialize + ?Sized>(&mut self, key: &K) -> Result<bool, Fail>;
    /// A top-level value other than `items`.
    fn top_value<V: Serialize + ?Sized>(&mut self, value: &V) -> Result<(), Fail>;
    /// One row.
    fn row<R: Serialize + ?Sized>(&mut self, row: &R) -> Result<(), Fail>;
    /// A struct field of the current row.
    fn field<V: Serialize + ?Sized>(&mut self, key: &'static str, value: &V) -> Result<(), Fail>;
    /// A map key of the current row.
    fn key<K: Serialize + ?Sized>(&mut self, key: &K) -> Result<(), Fail>;
    /// The value of the map key just given.
    fn value<V: Serialize + ?Sized>(&mut self, value: &V) -> Result<(), Fail>;
    /// The end of the current row.
    fn end_row(&mut self) -> Result<(), Fail>;
}

/// The first pass: the shape and the header.
struct Survey {
    /// The rows' columns.
    header: Header,
    /// The top-level object's own keys, its columns if it is the only row.
    own: Header,
    key: String,
}

impl Survey {
    fn new() -> Self {
        let mut own = Header::default();
        own.begin_row();
        Survey {
            header: Header::default(),
            own,
            key: String::new(),
        }
    }
}

impl Pass for Survey {
    fn top_field(&mut self, key: &'static str) -> Result<bool, Fail> {
        self.own.add_static(key)?;
        Ok(key == ITEMS)
    }

    fn top_key<K: Serialize + ?Sized>(&mut self, key: &K) -> Result<bool, Fail> {
        key_text(key, &mut self.key)?;
        self.own.add_text(&self.key)?;
        Ok(self.key == ITEMS)
    }

    fn top_value<V: Serialize + ?Sized>(&mut self, value: &V) -> Result<(), Fail> {
        // An envelope's other values (`itemCount`) are not written, but `to_value` would still
        // fail on them; a lone row's are written, and checked, in the second pass.
        serde_json::to_value(value).map(drop).map_err(detour)
    }

    fn row<R: Serialize + ?Sized>(&mut self, row: &R) -> Result<(), Fail> {
        self.header.begin_row();
        row.serialize(Row { pass: self })
    }

    fn field<V: Serialize + ?Sized>(&mut self, key: &'static str, _: &V) -> Result<(), Fail> {
        self.header.add_static(key)
    }

    fn key<K: Serialize + ?Sized>(&mut self, key: &K) -> Result<(), Fail> {
        key_text(key, &mut self.key)?;
        self.header.add_text(&self.key)
    }

    fn value<V: Serialize + ?Sized>(&mut self, _: &V) -> Result<(), Fail> {
        Ok(())
    }

    fn end_row(&mut self) -> Result<(), Fail> {
        Ok(())
    }
}

/// The second pass: writes the body.
struct Writer {
    header: Header,
    out: String,
    key: String,
    scratch: Scratch,
    /// Where the current row starts in `out`.
    row_start: usize,
    /// The first column the current row has not written yet.
    next: usize,
    /// The column of the map key just given.
    pending: usize,
    /// Whether the current row goes through `cells` (its keys are out of the header's order).
    buffered: bool,
    /// A buffered row's cells, already quoted, and where each column's cell is.
    cells: String,
    spans: Vec<Option<(usize, usize)>>,
    /// Rows written so far, and how many the first pass counted.
    written: usize,
    rows: usize,
}

/// Text buffers a cell is formatted in before it is quoted.
#[derive(Default)]
struct Scratch {
    text: String,
    json: Vec<u8>,
}

impl Writer {
    fn new(header: Header) -> Self {
        let spans = vec![None; header.len()];
        Writer {
            written: 0,
            rows: header.rows,
            header,
            out: String::new(),
            key: String::new(),
            scratch: Scratch::default(),
            row_start: 0,
            next: 0,
            pending: 0,
            buffered: false,
            cells: String::new(),
            spans,
        }
    }

    fn write_header(&mut self) {
        for (index, column) in self.header.columns.iter().enumerate() {
            if index > 0 {
                self.out.push(SEPARATOR);
            }
            write_cell(&mut self.out, &column.name);
        }
        self.end_line();
    }

    fn begin_row(&mut self, buffered: bool) {
        self.row_start = self.out.len();
        self.next = 0;
        self.buffered = buffered;
        if buffered {
            self.cells.clear();
            self.spans.fill(None);
        }
    }

    fn cell<V: Serialize + ?Sized>(&mut self, column: usize, value: &V) -> Result<(), Fail> {
        if self.buffered {
            let start = self.cells.len();
            write_value(&mut self.cells, &mut self.scratch, value)?;
            self.spans[column] = Some((start, self.cells.len()));
            return Ok(());
        }
        if column < self.next {
            return Err(Fail::OutOfOrder);
        }
        // Delimiters for the columns this row skips (empty cells), then for this one.
        for index in self.next..=column {
            if index > 0 {
                self.out.push(SEPARATOR);
            }
        }
        self.next = column + 1;
        write_value(&mut self.out, &mut self.scratch, value)
    }

    /// Ends a line. A line with one empty cell would be a blank line, which readers skip, so
    /// the cell is written `""` (as the csv crate does).
    fn end_line(&mut self) {
        if self.header.len() == 1 && self.out.len() == self.row_start {
            self.out.push_str("\"\"");
        }
        self.out.push('\n');
        self.row_start = self.out.len();
    }

    #[inline]
    fn column_of(&self, key: &str) -> Result<usize, Fail> {
        // The first pass saw every key, unless the value serialized differently this time.
        self.header.find(key, self.next).ok_or(Fail::Detour)
    }

    /// Reserves room for the whole body once the first row shows how long a row is, rather
    /// than doubling the buffer (and copying it) twenty-odd times for a large report. Only a
    /// guess: if it cannot be had, the buffer grows as it would have.
    fn reserve_after_first_row(&mut self, row: usize) {
        self.written += 1;
        if self.written == 1 {
            let rest = self.rows.saturating_sub(1).saturating_mul(row);
            let _ = self.out.try_reserve(rest.saturating_add(rest / 8));
        }
    }
}

impl Pass for Writer {
    fn top_field(&mut self, key: &'static str) -> Result<bool, Fail> {
        Ok(key == ITEMS)
    }

    fn top_key<K: Serialize + ?Sized>(&mut self, key: &K) -> Result<bool, Fail> {
        key_text(key, &mut self.key)?;
        Ok(self.key == ITEMS)
    }

    fn top_value<V: Serialize + ?Sized>(&mut self, _: &V) -> Result<(), Fail> {
        Ok(())
    }

    fn row<R: Serialize + ?Sized>(&mut self, row: &R) -> Result<(), Fail> {
        self.begin_row(false);
        match row.serialize(Row { pass: &mut *self }) {
            Err(Fail::OutOfOrder) => {
                self.out.truncate(self.row_start);
                self.begin_row(true);
                row.serialize(Row { pass: self })
            }
            written => written,
        }
    }

    #[inline]
    fn field<V: Serialize + ?Sized>(&mut self, key: &'static str, value: &V) -> Result<(), Fail> {
        let column = self.column_of(key)?;
        self.cell(column, value)
    }

    fn key<K: Serialize + ?Sized>(&mut self, key: &K) -> Result<(), Fail> {
        key_text(key, &mut self.key)?;
        self.pending = self.column_of(&self.key)?;
        Ok(())
    }

    fn value<V: Serialize + ?Sized>(&mut self, value: &V) -> Result<(), Fail> {
        self.cell(self.pending, value)
    }

    fn end_row(&mut self) -> Result<(), Fail> {
        let columns = self.header.len();
        if self.buffered {
            for (index, span) in self.spans.iter().enumerate() {
                if index > 0 {
                    self.out.push(SEPARATOR);
                }
                if let Some((start, end)) = *span {
                    self.out.push_str(&self.cells[start..end]);
                }
            }
        } else {
            for index in self.next..columns {
                if index > 0 {
                    self.out.push(SEPARATOR);
                }
            }
        }
        let start = self.row_start;
        self.end_line();
        self.reserve_after_first_row(self.out.len() - start);
        Ok(())
    }
}

/// Writes a cell, in double quotes (with `"` doubled) when it holds the delimiter, a quote or
/// a line break: exactly when the csv crate's `QuoteStyle::Necessary` quotes, with this
/// delimiter and `\n` lines (it quotes `\r` too; nothing else, not even leading spaces or `#`).
fn write_cell(out: &mut String, cell: &str) {
    if !cell
        .bytes()
        .any(|byte| matches!(byte, DELIMITER | b'"' | b'\r' | b'\n'))
    {
        out.push_str(cell);
        return;
    }
    out.push('"');
    for piece in cell.split_inclusive('"') {
        out.push_str(piece);
        if piece.ends_with('"') {
            out.push('"');
        }
    }
    out.push('"');
}

/// Whether the top-level value or the value of its `items` is being looked at.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Role {
    Top,
    Items,
}

/// Finds the rows in the top-level value (or in its `items`).
struct Rows<'a, P> {
    pass: &'a mut P,
    role: Role,
}

impl<'a, P> Rows<'a, P> {
    /// A value that holds no rows: an error at the top, the sign of a plain object in `items`.
    fn no_rows(&self, kind: Kind) -> Fail {
        match self.role {
            Role::Items => Fail::NotAList,
            Role::Top => Fail::Refused(Box::new(encode_error(
                Location::default(),
                format!(
                    "a CSV body holds rows of objects, but the value is {}",
                    kind.phrase()
                ),
            ))),
        }
    }

    fn list(self) -> List<'a, P> {
        List {
            pass: self.pass,
            name: if self.role == Role::Items { ITEMS } else { "" },
            index: 0,
        }
    }

    fn object(self) -> Result<TopFields<'a, P>, Fail> {
        match self.role {
            Role::Items => Err(Fail::NotAList),
            Role::Top => Ok(TopFields {
                pass: self.pass,
                items: false,
                pending_items: false,
            }),
        }
    }
}

impl<'a, P: Pass> Serializer for Rows<'a, P> {
    type Ok = Shape;
    type Error = Fail;
    type SerializeSeq = List<'a, P>;
    // Tuples, bytes, chars and variants with data are in no generated type: they take the
    // detour through `to_value` (which makes them lists, strings and one-key objects).
    type SerializeTuple = Impossible<Shape, Fail>;
    type SerializeTupleStruct = Impossible<Shape, Fail>;
    type SerializeTupleVariant = Impossible<Shape, Fail>;
    type SerializeMap = TopFields<'a, P>;
    type SerializeStruct = TopFields<'a, P>;
    type SerializeStructVariant = Impossible<Shape, Fail>;

    fn serialize_bool(self, _: bool) -> Result<Shape, Fail> {
        Err(self.no_rows(Kind::Boolean))
    }
    fn serialize_i8(self, _: i8) -> Result<Shape, Fail> {
        Err(self.no_rows(Kind::Number))
    }
    fn serialize_i16(self, _: i16) -> Result<Shape, Fail> {
        Err(self.no_rows(Kind::Number))
    }
    fn serialize_i32(self, _: i32) -> Result<Shape, Fail> {
        Err(self.no_rows(Kind::Number))
    }
    fn serialize_i64(self, _: i64) -> Result<Shape, Fail> {
        Err(self.no_rows(Kind::Number))
    }
    fn serialize_u8(self, _: u8) -> Result<Shape, Fail> {
        Err(self.no_rows(Kind::Number))
    }
    fn serialize_u16(self, _: u16) -> Result<Shape, Fail> {
        Err(self.no_rows(Kind::Number))
    }
    fn serialize_u32(self, _: u32) -> Result<Shape, Fail> {
        Err(self.no_rows(Kind::Number))
    }
    fn serialize_u64(self, _: u64) -> Result<Shape, Fail> {
        Err(self.no_rows(Kind::Number))
    }
    fn serialize_f32(self, v: f32) -> Result<Shape, Fail> {
        Err(self.no_rows(Kind::of_float(f64::from(v))))
    }
    fn serialize_f64(self, v: f64) -> Result<Shape, Fail> {
        Err(self.no_rows(Kind::of_float(v)))
    }
    fn serialize_char(self, _: char) -> Result<Shape, Fail> {
        Err(Fail::Detour)
    }
    fn serialize_str(self, _: &str) -> Result<Shape, Fail> {
        Err(self.no_rows(Kind::String))
    }
    fn serialize_bytes(self, _: &[u8]) -> Result<Shape, Fail> {
        Err(Fail::Detour)
    }
    fn serialize_none(self) -> Result<Shape, Fail> {
        Err(self.no_rows(Kind::Null))
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<Shape, Fail> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<Shape, Fail> {
        Err(self.no_rows(Kind::Null))
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<Shape, Fail> {
        Err(self.no_rows(Kind::Null))
    }
    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
    ) -> Result<Shape, Fail> {
        Err(self.no_rows(Kind::String))
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<Shape, Fail> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<Shape, Fail> {
        Err(Fail::Detour)
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<List<'a, P>, Fail> {
        Ok(self.list())
    }
    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, Fail> {
        Err(Fail::Detour)
    }
    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleStruct, Fail> {
        Err(Fail::Detour)
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, Fail> {
        Err(Fail::Detour)
    }
    fn serialize_map(self, _: Option<usize>) -> Result<TopFields<'a, P>, Fail> {
        self.object()
    }
    fn serialize_struct(self, name: &'static str, _: usize) -> Result<TopFields<'a, P>, Fail> {
        if JSON_TOKENS.contains(&name) {
            return Err(Fail::Detour);
        }
        self.object()
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, Fail> {
        Err(Fail::Detour)
    }
}

/// A sequence of rows.
struct List<'a, P> {
    pass: &'a mut P,
    /// How error locations name the list: `items`, or nothing for a top-level sequence.
    name: &'static str,
    index: usize,
}

impl<P: Pass> List<'_, P> {
    fn row<T: Serialize + ?Sized>(&mut self, row: &T) -> Result<(), Fail> {
        let index = self.index;
        self.index += 1;
        self.pass
            .row(row)
            .map_err(|fail| fail.at_row(self.name, index))
    }
}

impl<P: Pass> ser::SerializeSeq for List<'_, P> {
    type Ok = Shape;
    type Error = Fail;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, row: &T) -> Result<(), Fail> {
        self.row(row)
    }
    fn end(self) -> Result<Shape, Fail> {
        Ok(Shape::List)
    }
}

/// The top-level object: a list envelope if its `items` is a list, else a row of its own.
struct TopFields<'a, P> {
    pass: &'a mut P,
    /// Whether `items` turned out to be a list of rows.
    items: bool,
    /// Whether the map key just given is `items`.
    pending_items: bool,
}

impl<P: Pass> TopFields<'_, P> {
    fn entry<V: Serialize + ?Sized>(&mut self, is_items: bool, value: &V) -> Result<(), Fail> {
        if !is_items {
            return self.pass.top_value(value);
        }
        let rows = Rows {
            pass: &mut *self.pass,
            role: Role::Items,
        };
        match value.serialize(rows) {
            Ok(_) => self.items = true,
            Err(Fail::NotAList) => self.items = false,
            Err(fail) => return Err(fail),
        }
        Ok(())
    }

    fn shape(&self) -> Shape {
        if self.items {
            Shape::Envelope
        } else {
            Shape::Single
        }
    }
}

impl<P: Pass> ser::SerializeStruct for TopFields<'_, P> {
    type Ok = Shape;
    type Error = Fail;
    fn serialize_field<V: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &V,
    ) -> Result<(), Fail> {
        let is_items = self.pass.top_field(key)?;
        self.entry(is_items, value)
    }
    fn end(self) -> Result<Shape, Fail> {
        Ok(self.shape())
    }
}

impl<P: Pass> ser::SerializeMap for TopFields<'_, P> {
    type Ok = Shape;
    type Error = Fail;
    fn serialize_key<K: Serialize + ?Sized>(&mut self, key: &K) -> Result<(), Fail> {
        self.pending_items = self.pass.top_key(key)?;
        Ok(())
    }
    fn serialize_value<V: Serialize + ?Sized>(&mut self, value: &V) -> Result<(), Fail> {
        self.entry(self.pending_items, value)
    }
    fn end(self) -> Result<Shape, Fail> {
        Ok(self.shape())
    }
}

/// One row: a struct or map, handed to the pass key by key.
struct Row<'a, P> {
    pass: &'a mut P,
}

impl<'a, P: Pass> Serializer for Row<'a, P> {
    type Ok = ();
    type Error = Fail;
    type SerializeSeq = Impossible<(), Fail>;
    type SerializeTuple = Impossible<(), Fail>;
    type SerializeTupleStruct = Impossible<(), Fail>;
    type SerializeTupleVariant = Impossible<(), Fail>;
    type SerializeMap = Self;
    type SerializeStruct = Self;
    type SerializeStructVariant = Impossible<(), Fail>;

    fn serialize_bool(self, _: bool) -> Result<(), Fail> {
        Err(Fail::NotARow(Kind::Boolean))
    }
    fn serialize_i8(self, _: i8) -> Result<(), Fail> {
        Err(Fail::NotARow(Kind::Number))
    }
    fn serialize_i16(self, _: i16) -> Result<(), Fail> {
        Err(Fail::NotARow(Kind::Number))
    }
    fn serialize_i32(self, _: i32) -> Result<(), Fail> {
        Err(Fail::NotARow(Kind::Number))
    }
    fn serialize_i64(self, _: i64) -> Result<(), Fail> {
        Err(Fail::NotARow(Kind::Number))
    }
    fn serialize_u8(self, _: u8) -> Result<(), Fail> {
        Err(Fail::NotARow(Kind::Number))
    }
    fn serialize_u16(self, _: u16) -> Result<(), Fail> {
        Err(Fail::NotARow(Kind::Number))
    }
    fn serialize_u32(self, _: u32) -> Result<(), Fail> {
        Err(Fail::NotARow(Kind::Number))
    }
    fn serialize_u64(self, _: u64) -> Result<(), Fail> {
        Err(Fail::NotARow(Kind::Number))
    }
    fn serialize_f32(self, v: f32) -> Result<(), Fail> {
        Err(Fail::NotARow(Kind::of_float(f64::from(v))))
    }
    fn serialize_f64(self, v: f64) -> Result<(), Fail> {
        Err(Fail::NotARow(Kind::of_float(v)))
    }
    fn serialize_char(self, _: char) -> Result<(), Fail> {
        Err(Fail::Detour)
    }
    fn serialize_str(self, _: &str) -> Result<(), Fail> {
        Err(Fail::NotARow(Kind::String))
    }
    fn serialize_bytes(self, _: &[u8]) -> Result<(), Fail> {
        Err(Fail::Detour)
    }
    fn serialize_none(self) -> Result<(), Fail> {
        Err(Fail::NotARow(Kind::Null))
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), Fail> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<(), Fail> {
        Err(Fail::NotARow(Kind::Null))
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<(), Fail> {
        Err(Fail::NotARow(Kind::Null))
    }
    fn serialize_unit_variant(self, _: &'static str, _: u32, _: &'static str) -> Result<(), Fail> {
        Err(Fail::NotARow(Kind::String))
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<(), Fail> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<(), Fail> {
        Err(Fail::Detour)
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, Fail> {
        Err(Fail::NotARow(Kind::Array))
    }
    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, Fail> {
        Err(Fail::Detour)
    }
    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleStruct, Fail> {
        Err(Fail::Detour)
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, Fail> {
        Err(Fail::Detour)
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self, Fail> {
        Ok(self)
    }
    fn serialize_struct(self, name: &'static str, _: usize) -> Result<Self, Fail> {
        if JSON_TOKENS.contains(&name) {
            return Err(Fail::Detour);
        }
        Ok(self)
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, Fail> {
        Err(Fail::Detour)
    }
}

impl<P: Pass> ser::SerializeStruct for Row<'_, P> {
    type Ok = ();
    type Error = Fail;
    fn serialize_field<V: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &V,
    ) -> Result<(), Fail> {
        self.pass.field(key, value)
    }
    fn end(self) -> Result<(), Fail> {
        self.pass.end_row()
    }
}

impl<P: Pass> ser::SerializeMap for Row<'_, P> {
    type Ok = ();
    type Error = Fail;
    fn serialize_key<K: Serialize + ?Sized>(&mut self, key: &K) -> Result<(), Fail> {
        self.pass.key(key)
    }
    fn serialize_value<V: Serialize + ?Sized>(&mut self, value: &V) -> Result<(), Fail> {
        self.pass.value(value)
    }
    fn end(self) -> Result<(), Fail> {
        self.pass.end_row()
    }
}

/// Writes one cell: scalars as serde_json writes them, anything compound as its compact JSON.
struct Cell<'a> {
    out: &'a mut String,
    scratch: &'a mut Scratch,
}

/// The serializer `to_value` uses; a compound cell is built with it and written as JSON.
impl Cell<'_> {
    /// A number or a boolean, which never needs quotes.
    fn plain(self, text: &str) -> Result<(), Fail> {
        self.out.push_str(text);
        Ok(())
    }
}

/// Writes one cell: a scalar as its text, a compound value as its JSON.
fn write_value<V: Serialize + ?Sized>(
    out: &mut String,
    scratch: &mut Scratch,
    value: &V,
) -> Result<(), Fail> {
    match value.serialize(Cell {
        out: &mut *out,
        scratch: &mut *scratch,
    }) {
        // Built as a JSON value exactly as `to_value` builds it (so that its text is the value
        // path's byte for byte: `f32`s widened, repeated keys merged), then written compactly.
        // Reports are flat; compound cells are lists of ids and small objects.
        Err(Fail::Compound) => write_json(out, &mut scratch.json, serde_json::to_value(value)),
        written => written,
    }
}

impl<'a> Serializer for Cell<'a> {
    type Ok = ();
    type Error = Fail;
    type SerializeSeq = Impossible<(), Fail>;
    type SerializeTuple = Impossible<(), Fail>;
    type SerializeTupleStruct = Impossible<(), Fail>;
    type SerializeTupleVariant = Impossible<(), Fail>;
    type SerializeMap = Impossible<(), Fail>;
    type SerializeStruct = Impossible<(), Fail>;
    type SerializeStructVariant = Impossible<(), Fail>;

    fn serialize_bool(self, v: bool) -> Result<(), Fail> {
        self.plain(if v { "true" } else { "false" })
    }
    fn serialize_i8(self, v: i8) -> Result<(), Fail> {
        self.serialize_i64(i64::from(v))
    }
    fn serialize_i16(self, v: i16) -> Result<(), Fail> {
        self.serialize_i64(i64::from(v))
    }
    fn serialize_i32(self, v: i32) -> Result<(), Fail> {
        self.serialize_i64(i64::from(v))
    }
    fn serialize_i64(self, v: i64) -> Result<(), Fail> {
        self.plain(itoa::Buffer::new().format(v))
    }
    fn serialize_u8(self, v: u8) -> Result<(), Fail> {
        self.serialize_u64(u64::from(v))
    }
    fn serialize_u16(self, v: u16) -> Result<(), Fail> {
        self.serialize_u64(u64::from(v))
    }
    fn serialize_u32(self, v: u32) -> Result<(), Fail> {
        self.serialize_u64(u64::from(v))
    }
    fn serialize_u64(self, v: u64) -> Result<(), Fail> {
        self.plain(itoa::Buffer::new().format(v))
    }
    fn serialize_f32(self, v: f32) -> Result<(), Fail> {
        // `to_value` keeps an f32 as the f64 it converts to, and writes that.
        self.serialize_f64(f64::from(v))
    }
    fn serialize_f64(self, v: f64) -> Result<(), Fail> {
        // NaN and the infinities are null to `to_value`: an empty cell.
        if !v.is_finite() {
            return Ok(());
        }
        self.plain(zmij::Buffer::new().format_finite(v))
    }
    fn serialize_char(self, _: char) -> Result<(), Fail> {
        Err(Fail::Detour)
    }
    fn serialize_str(self, v: &str) -> Result<(), Fail> {
        write_cell(self.out, v);
        Ok(())
    }
    fn serialize_bytes(self, _: &[u8]) -> Result<(), Fail> {
        Err(Fail::Detour)
    }
    fn serialize_none(self) -> Result<(), Fail> {
        Ok(())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), Fail> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<(), Fail> {
        Ok(())
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<(), Fail> {
        Ok(())
    }
    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
    ) -> Result<(), Fail> {
        self.serialize_str(variant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<(), Fail> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<(), Fail> {
        Err(Fail::Compound)
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, Fail> {
        Err(Fail::Compound)
    }
    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, Fail> {
        Err(Fail::Compound)
    }
    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleStruct, Fail> {
        Err(Fail::Compound)
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, Fail> {
        Err(Fail::Compound)
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, Fail> {
        Err(Fail::Compound)
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self::SerializeStruct, Fail> {
        Err(Fail::Compound)
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, Fail> {
        Err(Fail::Compound)
    }
    fn collect_str<T: Display + ?Sized>(self, value: &T) -> Result<(), Fail> {
        // Dates and the like: formatted once, into a reused buffer.
        let text = &mut self.scratch.text;
        text.clear();
        write!(text, "{value}").map_err(detour)?;
        write_cell(self.out, text);
        Ok(())
    }
}

fn write_json(
    out: &mut String,
    json: &mut Vec<u8>,
    value: Result<Value, serde_json::Error>,
) -> Result<(), Fail> {
    let value = value.map_err(detour)?;
    json.clear();
    serde_json::to_writer(&mut *json, &value).map_err(detour)?;
    write_cell(out, std::str::from_utf8(json).map_err(detour)?);
    Ok(())
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

    #[test]
    fn quoting_is_the_csv_crates_necessary_style() {
        let mut out = String::new();
        for cell in [
            "plain",
            " lead",
            "#hash",
            "a;b",
            "say \"hi\"",
            "cr\r",
            "lf\n",
            "",
        ] {
            write_cell(&mut out, cell);
            out.push('|');
        }
        assert_eq!(
            out,
            "plain| lead|#hash|\"a;b\"|\"say \"\"hi\"\"\"|\"cr\r\"|\"lf\n\"||"
        );
    }

    #[test]
    fn kind_phrases_are_the_value_paths() {
        let phrases = [
            Kind::Null,
            Kind::Boolean,
            Kind::Number,
            Kind::String,
            Kind::Array,
        ]
        .map(Kind::phrase);
        assert_eq!(
            phrases,
            ["null", "a boolean", "a number", "a string", "an array"]
        );
    }

    #[test]
    fn rows_whose_keys_leave_the_header_order_are_buffered() {
        let body = to_string(&json!([{"a": 1, "b": 2, "c": 3}, {"c": "x;y", "a": 4}])).unwrap();
        assert_eq!(body, "a;b;c\n1;2;3\n4;;\"x;y\"\n");
    }

    #[test]
    fn a_repeated_key_takes_the_value_path() {
        #[derive(serde::Serialize)]
        struct Twice {
            a: u8,
            #[serde(rename = "a")]
            again: u8,
            b: u8,
        }
        // `to_value` keeps the first place and the last value.
        assert_eq!(
            to_string(&[Twice {
                a: 1,
                again: 2,
                b: 3
            }])
            .unwrap(),
            "a;b\n2;3\n"
        );
    }
}
