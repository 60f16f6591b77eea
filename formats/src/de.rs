//! The typed serde deserializer over the text tree.
//!
//! The tree holds only text, so the target type drives parsing: a field that
//! asks for `u64` gets its text parsed as `u64`, a field that asks for a
//! string gets the text verbatim. This is what lets `"007"` stay a string and
//! `007` become the number 7 from the very same bytes.
//!
//! The deserializer also remembers the path it took (`items[3].impressions`)
//! so that every error, including the ones serde's derived visitors raise
//! (missing field, unknown variant, a date that does not parse), says where.

use std::fmt;
use std::fmt::Write as _;

use serde::de::{self, DeserializeSeed, IntoDeserializer, Visitor};

use crate::Format;
use crate::error::{Error, Location, Operation, quote};
use crate::number::Number;
use crate::tree::Node;

/// Which body the tree came from; the few rules that differ hang on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dialect {
    /// A CSV row: an empty cell means "no value" to an `Option`.
    Csv,
    /// An XML document: only `nil="true"` means "no value"; a list of exactly
    /// one `<item>` may also be an object whose only key is `item`.
    Xml,
    /// JSON found inside a CSV cell or an XML text: no format-specific rules.
    Json,
}

/// The way from the root of the tree to the node being read, kept as a
/// linked list on the stack so that reading costs no allocation; it is
/// turned into [`Segment`]s only when an error needs it.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Path<'p> {
    /// The value handed to the deserializer.
    Root,
    /// A named child of the parent.
    Key(&'p Path<'p>, &'p str),
    /// A list element of the parent.
    Index(&'p Path<'p>, usize),
}

/// One owned step of a path, kept in errors.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Segment {
    Key(String),
    Index(usize),
}

impl Path<'_> {
    fn segments(&self) -> Vec<Segment> {
        let mut segments = Vec::new();
        let mut at = self;
        loop {
            match at {
                Path::Root => break,
                Path::Key(parent, key) => {
                    segments.push(Segment::Key((*key).to_owned()));
                    at = parent;
                }
                Path::Index(parent, index) => {
                    segments.push(Segment::Index(*index));
                    at = parent;
                }
            }
        }
        segments.reverse();
        segments
    }
}

/// Renders segments the way a Rust programmer names a field:
/// `items[3].impressions`.
pub(crate) fn field_path(segments: &[Segment]) -> String {
    let mut out = String::new();
    for segment in segments {
        match segment {
            Segment::Key(key) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(key);
            }
            Segment::Index(index) => {
                let _ = write!(out, "[{index}]");
            }
        }
    }
    out
}

/// The error type serde sees while we deserialize. It becomes a public
/// [`Error`] at the format boundary, which adds what only the format knows
/// (line numbers, column names, element paths).
///
/// One pointer wide: every `Result` of the deserializer carries it, and a small error keeps
/// the successful path (the only one that matters for speed) free of wide moves.
#[derive(Debug)]
pub(crate) struct DeError(Box<Failure>);

/// What a [`DeError`] holds.
#[derive(Debug)]
pub(crate) struct Failure {
    pub(crate) message: String,
    /// Where it happened; `None` until the innermost deserializer call that
    /// sees the error pins it, so the deepest location wins.
    pub(crate) path: Option<Vec<Segment>>,
    /// An error that is already complete (a CSV row that failed to parse
    /// while a list of rows was being read) and must pass through unchanged.
    pub(crate) ready: Option<Box<Error>>,
}

impl std::ops::Deref for DeError {
    type Target = Failure;

    fn deref(&self) -> &Failure {
        &self.0
    }
}

impl std::ops::DerefMut for DeError {
    fn deref_mut(&mut self) -> &mut Failure {
        &mut self.0
    }
}

impl Failure {
    pub(crate) fn segments(&self) -> &[Segment] {
        self.path.as_deref().unwrap_or(&[])
    }
}

impl DeError {
    fn new(message: String) -> Self {
        DeError(Box::new(Failure {
            message,
            path: None,
            ready: None,
        }))
    }

    pub(crate) fn ready(error: Error) -> Self {
        DeError(Box::new(Failure {
            message: error.message.clone(),
            path: None,
            ready: Some(Box::new(error)),
        }))
    }

    /// What the error holds, to take apart.
    pub(crate) fn into_failure(self) -> Failure {
        *self.0
    }

    /// Pins the error to `path` unless a deeper call already did.
    pub(crate) fn at(mut self, path: &Path<'_>) -> Self {
        if self.path.is_none() && self.ready.is_none() {
            self.path = Some(path.segments());
        }
        self
    }

    /// Adds the text being read to a message raised by a visitor (for example
    /// a date type rejecting it), which would otherwise not say what it saw.
    fn found_text(mut self, text: &str) -> Self {
        if self.path.is_none() && self.ready.is_none() {
            let _ = write!(self.message, " (found {})", quote(text));
        }
        self
    }

    /// The public error of a failure that escaped to the top in `format`: the error a reader
    /// had already completed, or this one at its field path. XML adds its element path itself.
    pub(crate) fn into_error(self, format: Format) -> Error {
        let failure = self.into_failure();
        if let Some(ready) = failure.ready {
            return *ready;
        }
        let field = (!failure.segments().is_empty()).then(|| field_path(failure.segments()));
        let location = Location {
            field,
            ..Location::default()
        };
        Error::new(format, Operation::Decode, location, failure.message)
    }
}

impl fmt::Display for DeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for DeError {}

impl de::Error for DeError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        DeError::new(msg.to_string())
    }
}

/// Parses trimmed text as a number, naming what was wanted on failure.
/// Surrounding spaces are not part of a number in any body we have seen,
/// while hand-made CSVs often pad cells.
fn parse_trimmed<T: Number>(text: &str, what: &str) -> Result<T, DeError> {
    let trimmed = trim(text);
    T::fast(trimmed.as_bytes())
        .or_else(|| trimmed.parse().ok())
        .ok_or_else(|| DeError::new(format!("expected {what}, found {}", describe_text(text))))
}

/// `text.trim()`, without its cost when there is nothing to trim: a number's first and last
/// bytes are ASCII digits, and any Unicode space ends on a byte of 0x80 or more.
#[inline]
fn trim(text: &str) -> &str {
    let untrimmed = |byte: &u8| *byte < 0x80 && !char::from(*byte).is_whitespace();
    match (text.as_bytes().first(), text.as_bytes().last()) {
        (Some(first), Some(last)) if untrimmed(first) && untrimmed(last) => text,
        _ => text.trim(),
    }
}

/// Accepts `true`/`false` and `1`/`0`, any case, surrounding spaces ignored.
fn parse_bool(text: &str) -> Result<bool, DeError> {
    let trimmed = text.trim();
    if trimmed.eq_ignore_ascii_case("true") || trimmed == "1" {
        Ok(true)
    } else if trimmed.eq_ignore_ascii_case("false") || trimmed == "0" {
        Ok(false)
    } else {
        Err(DeError::new(format!(
            "expected a boolean (true or false), found {}",
            describe_text(text)
        )))
    }
}

fn describe_text(text: &str) -> String {
    if text.is_empty() {
        "empty text".to_owned()
    } else {
        quote(text)
    }
}

/// Reads JSON written inside a text (a CSV cell holding an array or object).
/// Blank text stands for an empty list or object, which is how both
/// formats write those (`[]` aside, an empty cell or `<key/>`).
fn json_in_text(text: &str, expected: &str) -> Result<Option<Node>, DeError> {
    if text.trim().is_empty() {
        return Ok(None);
    }
    match serde_json::from_str::<serde_json::Value>(text) {
        Ok(value) => Ok(Some(Node::from_json(value))),
        Err(err) => Err(DeError::new(format!(
            "expected {expected} written as JSON, found {} ({err})",
            quote(text)
        ))),
    }
}

/// A node of the text tree, or text that was never put into one (a CSV cell, an XML leaf read
/// from the event stream): what [`NodeDe`] reads. Borrowing it costs nothing, so the hot paths
/// build no tree at all.
#[derive(Debug, Clone, Copy)]
pub(crate) enum View<'a> {
    /// An explicit null.
    Null,
    /// Text, possibly empty.
    Text(&'a str),
    /// An ordered list.
    List(&'a [Node]),
    /// Named children in body order.
    Map(&'a [(String, Node)]),
}

impl<'a> From<&'a Node> for View<'a> {
    fn from(node: &'a Node) -> Self {
        match node {
            Node::Null => View::Null,
            Node::Text(text) => View::Text(text),
            Node::List(items) => View::List(items),
            Node::Map(entries) => View::Map(entries),
        }
    }
}

impl View<'_> {
    /// Names what this is, for "expected X, found Y" messages.
    fn describe(self) -> String {
        match self {
            View::Null => Node::Null.describe(),
            View::Text(text) => describe_text(text),
            View::List(items) => Node::describe_list(items.len()),
            View::Map(entries) => Node::describe_map(entries),
        }
    }
}

/// Tuples and tuple structs read as sequences, in every deserializer of the crate.
macro_rules! tuples_as_seq {
    () => {
        fn deserialize_tuple<V: Visitor<'de>>(
            self,
            _len: usize,
            visitor: V,
        ) -> Result<V::Value, DeError> {
            self.deserialize_seq(visitor)
        }

        fn deserialize_tuple_struct<V: Visitor<'de>>(
            self,
            _name: &'static str,
            _len: usize,
            visitor: V,
        ) -> Result<V::Value, DeError> {
            self.deserialize_seq(visitor)
        }
    };
}
pub(crate) use tuples_as_seq;

/// Deserializes `T` from a tree.
pub(crate) fn from_node<'de, T: de::Deserialize<'de>>(
    node: &Node,
    dialect: Dialect,
) -> Result<T, DeError> {
    T::deserialize(NodeDe::new(node.into(), Path::Root, dialect))
}

/// Deserializes one tree node; `path` says where it sits.
pub(crate) struct NodeDe<'a, 'p> {
    node: View<'a>,
    path: Path<'p>,
    dialect: Dialect,
}

impl<'a, 'p> NodeDe<'a, 'p> {
    #[inline]
    pub(crate) fn new(node: View<'a>, path: Path<'p>, dialect: Dialect) -> Self {
        NodeDe {
            node,
            path,
            dialect,
        }
    }

    fn mismatch(&self, expected: &str) -> DeError {
        DeError::new(format!(
            "expected {expected}, found {}",
            self.node.describe()
        ))
        .at(&self.path)
    }

    #[inline]
    fn text(&self, expected: &str) -> Result<&'a str, DeError> {
        match self.node {
            View::Text(text) => Ok(text),
            _ => Err(self.mismatch(expected)),
        }
    }

    /// Shared by maps and structs: what reads as a group of named values.
    fn read_map<'de, V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        let path = self.path;
        let result = match self.node {
            View::Map(entries) => visitor.visit_map(MapAcc::new(
                entries.iter().map(|(k, v)| (k.as_str(), v.into())),
                path,
                self.dialect,
            )),
            // `{"item": x}` written as XML is `<item>x</item>`, which reads
            // as a one-element list; a target that wants a map disambiguates.
            View::List(items) if self.dialect == Dialect::Xml && items.len() == 1 => visitor
                .visit_map(MapAcc::new(
                    std::iter::once(("item", (&items[0]).into())),
                    path,
                    self.dialect,
                )),
            View::Text(text) => {
                match json_in_text(text, "a group of fields").map_err(|e: DeError| e.at(&path))? {
                    None => visitor.visit_map(MapAcc::new(std::iter::empty(), path, self.dialect)),
                    Some(Node::Text(_)) => return Err(self.mismatch("a group of fields")),
                    Some(node) => {
                        NodeDe::new((&node).into(), path, Dialect::Json).read_map(visitor)
                    }
                }
            }
            _ => return Err(self.mismatch("a group of fields")),
        };
        result.map_err(|e: DeError| e.at(&path))
    }
}

macro_rules! parse_number {
    ($($method:ident => $visit:ident, $ty:ty, $what:literal;)*) => {
        $(
            #[inline]
            fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
                let path = self.path;
                let text = self.text($what)?;
                let number: $ty = parse_trimmed(text, $what).map_err(|e: DeError| e.at(&path))?;
                visitor.$visit(number).map_err(|e: DeError| e.at(&path))
            }
        )*
    };
}

impl<'de> de::Deserializer<'de> for NodeDe<'_, '_> {
    type Error = DeError;

    /// With no type to ask, text stays text: `deserialize_any` (and so
    /// `serde_json::Value`) sees every scalar as a string.
    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        let path = self.path;
        let result = match self.node {
            View::Null => visitor.visit_unit(),
            View::Text(text) => visitor.visit_str(text),
            View::List(items) => visitor.visit_seq(SeqAcc::new(items, path, self.dialect)),
            View::Map(entries) => visitor.visit_map(MapAcc::new(
                entries.iter().map(|(k, v)| (k.as_str(), v.into())),
                path,
                self.dialect,
            )),
        };
        result.map_err(|e: DeError| e.at(&path))
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        let path = self.path;
        let text = self.text("a boolean (true or false)")?;
        let value = parse_bool(text).map_err(|e: DeError| e.at(&path))?;
        visitor.visit_bool(value).map_err(|e: DeError| e.at(&path))
    }

    parse_number! {
        deserialize_i8 => visit_i8, i8, "an integer (i8)";
        deserialize_i16 => visit_i16, i16, "an integer (i16)";
        deserialize_i32 => visit_i32, i32, "an integer (i32)";
        deserialize_i64 => visit_i64, i64, "an integer (i64)";
        deserialize_i128 => visit_i128, i128, "an integer (i128)";
        deserialize_u8 => visit_u8, u8, "an integer (u8)";
        deserialize_u16 => visit_u16, u16, "an integer (u16)";
        deserialize_u32 => visit_u32, u32, "an integer (u32)";
        deserialize_u64 => visit_u64, u64, "an integer (u64)";
        deserialize_u128 => visit_u128, u128, "an integer (u128)";
        deserialize_f32 => visit_f32, f32, "a number (f32)";
        deserialize_f64 => visit_f64, f64, "a number (f64)";
    }

    fn deserialize_char<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        let path = self.path;
        let text = self.text("a single character")?;
        let mut chars = text.chars();
        match (chars.next(), chars.next()) {
            (Some(c), None) => visitor.visit_char(c).map_err(|e: DeError| e.at(&path)),
            _ => Err(DeError::new(format!(
                "expected a single character, found {}",
                describe_text(text)
            ))
            .at(&path)),
        }
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        let path = self.path;
        let text = self.text("text")?;
        visitor
            .visit_str(text)
            .map_err(|e: DeError| e.found_text(text).at(&path))
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        let path = self.path;
        match self.node {
            View::Text(text) => visitor
                .visit_bytes(text.as_bytes())
                .map_err(|e: DeError| e.at(&path)),
            _ => self.deserialize_seq(visitor),
        }
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_bytes(visitor)
    }

    /// Only an explicit null is "no value", except in CSV, where an empty
    /// cell is the only way to write one (and so `Some("")` reads as `None`).
    #[inline]
    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        let path = self.path;
        let none = match self.node {
            View::Null => true,
            View::Text(text) => text.is_empty() && self.dialect == Dialect::Csv,
            _ => false,
        };
        let result = if none {
            visitor.visit_none()
        } else {
            visitor.visit_some(self)
        };
        result.map_err(|e: DeError| e.at(&path))
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        let path = self.path;
        match self.node {
            View::Null => {}
            View::Text(text) if text.trim().is_empty() => {}
            _ => return Err(self.mismatch("nothing (an empty value)")),
        }
        visitor.visit_unit().map_err(|e: DeError| e.at(&path))
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        self.deserialize_unit(visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        let path = self.path;
        visitor
            .visit_newtype_struct(self)
            .map_err(|e: DeError| e.at(&path))
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        let path = self.path;
        let result = match self.node {
            View::List(items) => visitor.visit_seq(SeqAcc::new(items, path, self.dialect)),
            View::Text(text) => {
                match json_in_text(text, "a list").map_err(|e: DeError| e.at(&path))? {
                    None => visitor.visit_seq(SeqAcc::new(&[], path, self.dialect)),
                    Some(node @ Node::List(_)) => {
                        NodeDe::new((&node).into(), path, Dialect::Json).deserialize_seq(visitor)
                    }
                    Some(_) => return Err(self.mismatch("a list")),
                }
            }
            _ => return Err(self.mismatch("a list")),
        };
        result.map_err(|e: DeError| e.at(&path))
    }

    tuples_as_seq!();

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.read_map(visitor)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        self.read_map(visitor)
    }

    /// Unit variants are written as their name; a variant with data as a
    /// single-key group `{"Variant": data}`, as serde_json does.
    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        let path = self.path;
        let result = match self.node {
            View::Text(text) => {
                visitor.visit_enum(de::value::StrDeserializer::<DeError>::new(text.trim()))
            }
            View::Map(entries) if entries.len() == 1 => visitor.visit_enum(EnumAcc {
                variant: &entries[0].0,
                content: (&entries[0].1).into(),
                path,
                dialect: self.dialect,
            }),
            _ => return Err(self.mismatch("a variant name")),
        };
        result.map_err(|e: DeError| e.at(&path))
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        let path = self.path;
        visitor.visit_unit().map_err(|e: DeError| e.at(&path))
    }
}

/// Reads list elements, extending the path with each index.
struct SeqAcc<'a, 'p> {
    items: std::slice::Iter<'a, Node>,
    index: usize,
    path: Path<'p>,
    dialect: Dialect,
}

impl<'a, 'p> SeqAcc<'a, 'p> {
    fn new(items: &'a [Node], path: Path<'p>, dialect: Dialect) -> Self {
        SeqAcc {
            items: items.iter(),
            index: 0,
            path,
            dialect,
        }
    }
}

impl<'de> de::SeqAccess<'de> for SeqAcc<'_, '_> {
    type Error = DeError;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, DeError> {
        let Some(node) = self.items.next() else {
            return Ok(None);
        };
        let index = self.index;
        self.index += 1;
        let path = Path::Index(&self.path, index);
        seed.deserialize(NodeDe::new(node.into(), path, self.dialect))
            .map(Some)
            .map_err(|e: DeError| e.at(&path))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len())
    }
}

/// Reads named children, extending the path with each name.
pub(crate) struct MapAcc<'a, 'p, I> {
    entries: I,
    pending: Option<(&'a str, View<'a>)>,
    path: Path<'p>,
    dialect: Dialect,
}

impl<'a, 'p, I: Iterator<Item = (&'a str, View<'a>)>> MapAcc<'a, 'p, I> {
    pub(crate) fn new(entries: I, path: Path<'p>, dialect: Dialect) -> Self {
        MapAcc {
            entries,
            pending: None,
            path,
            dialect,
        }
    }
}

impl<'de, 'a, I: Iterator<Item = (&'a str, View<'a>)>> de::MapAccess<'de> for MapAcc<'a, '_, I> {
    type Error = DeError;

    #[inline]
    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, DeError> {
        let Some((key, node)) = self.entries.next() else {
            return Ok(None);
        };
        self.pending = Some((key, node));
        // An unknown or duplicate field is reported at the field itself.
        seed.deserialize(KeyDe { key })
            .map(Some)
            .map_err(|e: DeError| e.at(&Path::Key(&self.path, key)))
    }

    #[inline]
    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, DeError> {
        let Some((key, node)) = self.pending.take() else {
            return Err(
                DeError::new("a value was requested before its key".to_owned()).at(&self.path),
            );
        };
        let path = Path::Key(&self.path, key);
        seed.deserialize(NodeDe::new(node, path, self.dialect))
            .map_err(|e: DeError| e.at(&path))
    }
}

/// An enum variant written as a single-key group.
struct EnumAcc<'a, 'p> {
    variant: &'a str,
    content: View<'a>,
    path: Path<'p>,
    dialect: Dialect,
}

impl<'de, 'a, 'p> de::EnumAccess<'de> for EnumAcc<'a, 'p> {
    type Error = DeError;
    type Variant = EnumAcc<'a, 'p>;

    fn variant_seed<V: DeserializeSeed<'de>>(self, seed: V) -> Result<(V::Value, Self), DeError> {
        let value = seed
            .deserialize(KeyDe { key: self.variant })
            .map_err(|e: DeError| e.at(&self.path))?;
        Ok((value, self))
    }
}

impl<'de> de::VariantAccess<'de> for EnumAcc<'_, '_> {
    type Error = DeError;

    fn unit_variant(self) -> Result<(), DeError> {
        let path = Path::Key(&self.path, self.variant);
        de::Deserialize::deserialize(NodeDe::new(self.content, path, self.dialect))
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, DeError> {
        let path = Path::Key(&self.path, self.variant);
        seed.deserialize(NodeDe::new(self.content, path, self.dialect))
    }

    fn tuple_variant<V: Visitor<'de>>(self, len: usize, visitor: V) -> Result<V::Value, DeError> {
        let path = Path::Key(&self.path, self.variant);
        de::Deserializer::deserialize_tuple(
            NodeDe::new(self.content, path, self.dialect),
            len,
            visitor,
        )
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        let path = Path::Key(&self.path, self.variant);
        NodeDe::new(self.content, path, self.dialect).read_map(visitor)
    }
}

/// Deserializes a map key or a variant name: text that a key type may still
/// want as a number (`HashMap<u64, _>`).
pub(crate) struct KeyDe<'a> {
    pub(crate) key: &'a str,
}

macro_rules! parse_key {
    ($($method:ident => $visit:ident, $ty:ty, $what:literal;)*) => {
        $(
            fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
                visitor.$visit(parse_trimmed::<$ty>(self.key, $what)?)
            }
        )*
    };
}

impl<'de> de::Deserializer<'de> for KeyDe<'_> {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_str(self.key)
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_bool(parse_bool(self.key)?)
    }

    parse_key! {
        deserialize_i8 => visit_i8, i8, "an integer key (i8)";
        deserialize_i16 => visit_i16, i16, "an integer key (i16)";
        deserialize_i32 => visit_i32, i32, "an integer key (i32)";
        deserialize_i64 => visit_i64, i64, "an integer key (i64)";
        deserialize_i128 => visit_i128, i128, "an integer key (i128)";
        deserialize_u8 => visit_u8, u8, "an integer key (u8)";
        deserialize_u16 => visit_u16, u16, "an integer key (u16)";
        deserialize_u32 => visit_u32, u32, "an integer key (u32)";
        deserialize_u64 => visit_u64, u64, "an integer key (u64)";
        deserialize_u128 => visit_u128, u128, "an integer key (u128)";
        deserialize_f32 => visit_f32, f32, "a number key (f32)";
        deserialize_f64 => visit_f64, f64, "a number key (f64)";
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

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        visitor.visit_enum(self.key.into_deserializer())
    }

    serde::forward_to_deserialize_any! {
        char str string bytes byte_buf unit unit_struct seq tuple tuple_struct map struct
        identifier ignored_any
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde::Deserialize;

    use super::*;

    fn text(s: &str) -> Node {
        Node::Text(s.to_owned())
    }

    fn map(entries: Vec<(&str, Node)>) -> Node {
        Node::Map(
            entries
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v))
                .collect(),
        )
    }

    #[derive(Debug, Deserialize, PartialEq)]
    struct Row {
        id: u64,
        name: String,
        note: Option<String>,
        #[serde(default)]
        tags: Vec<String>,
    }

    #[test]
    fn target_type_decides_how_text_is_read() {
        let node = map(vec![
            ("id", text(" 007 ")),
            ("name", text("007")),
            ("note", text("")),
            ("tags", text(r#"["a","b"]"#)),
        ]);
        let csv: Row = from_node(&node, Dialect::Csv).unwrap();
        assert_eq!(
            csv,
            Row {
                id: 7,
                name: "007".into(),
                note: None,
                tags: vec!["a".into(), "b".into()]
            }
        );
        // In XML only nil means "no value": an empty element is empty text.
        let xml: Row = from_node(&node, Dialect::Xml).unwrap();
        assert_eq!(xml.note, Some(String::new()));
    }

    #[test]
    fn errors_name_the_deepest_path() {
        let node = map(vec![(
            "items",
            Node::List(vec![
                map(vec![("id", text("1")), ("name", text("a"))]),
                map(vec![("id", text("x1")), ("name", text("b"))]),
            ]),
        )]);
        #[derive(Debug, Deserialize)]
        #[allow(dead_code)]
        struct Envelope {
            items: Vec<Row>,
        }
        let err = from_node::<Envelope>(&node, Dialect::Xml).unwrap_err();
        assert_eq!(field_path(err.segments()), "items[1].id");
        assert_eq!(err.message, "expected an integer (u64), found \"x1\"");
    }

    #[test]
    fn missing_and_unknown_fields_are_located() {
        #[derive(Debug, Deserialize)]
        #[serde(deny_unknown_fields)]
        #[allow(dead_code)]
        struct Strict {
            a: u8,
        }
        let err = from_node::<Strict>(&map(vec![("b", text("1"))]), Dialect::Xml).unwrap_err();
        assert_eq!(field_path(err.segments()), "b");
        assert!(err.message.contains("unknown field `b`"), "{}", err.message);

        let outer = map(vec![("inner", map(vec![]))]);
        #[derive(Debug, Deserialize)]
        #[allow(dead_code)]
        struct Outer {
            inner: Strict,
        }
        let err = from_node::<Outer>(&outer, Dialect::Xml).unwrap_err();
        assert_eq!(field_path(err.segments()), "inner");
        assert!(err.message.contains("missing field `a`"), "{}", err.message);
    }

    #[test]
    fn untyped_reading_keeps_text_as_strings() {
        let node = map(vec![
            ("n", text("1")),
            ("z", Node::Null),
            ("l", Node::List(vec![text("true")])),
        ]);
        let value: serde_json::Value = from_node(&node, Dialect::Xml).unwrap();
        assert_eq!(
            value,
            serde_json::json!({"n": "1", "z": null, "l": ["true"]})
        );
    }

    #[test]
    fn enums_bools_units_maps_and_keys() {
        #[derive(Debug, Deserialize, PartialEq)]
        #[serde(rename_all = "lowercase")]
        enum Status {
            Active,
            Paused,
            Custom(u32),
        }
        let node = Node::List(vec![
            text("active"),
            text(" paused"),
            map(vec![("custom", text("5"))]),
        ]);
        let statuses: Vec<Status> = from_node(&node, Dialect::Xml).unwrap();
        assert_eq!(
            statuses,
            vec![Status::Active, Status::Paused, Status::Custom(5)]
        );

        let bools: Vec<bool> = from_node(
            &Node::List(vec![text("TRUE"), text("0"), text(" false ")]),
            Dialect::Xml,
        )
        .unwrap();
        assert_eq!(bools, vec![true, false, false]);
        let err = from_node::<bool>(&text("yes"), Dialect::Xml).unwrap_err();
        assert_eq!(
            err.message,
            "expected a boolean (true or false), found \"yes\""
        );

        let keyed: BTreeMap<u64, String> = from_node(
            &map(vec![("15", text("a")), ("7", text("b"))]),
            Dialect::Xml,
        )
        .unwrap();
        assert_eq!(
            keyed.into_iter().collect::<Vec<_>>(),
            vec![(7, "b".into()), (15, "a".into())]
        );

        from_node::<()>(&Node::Null, Dialect::Xml).unwrap();
        assert!(from_node::<()>(&text("x"), Dialect::Xml).is_err());
    }

    #[test]
    fn xml_single_item_list_reads_as_map_when_a_map_is_wanted() {
        #[derive(Debug, Deserialize, PartialEq)]
        struct HasItem {
            item: u8,
        }
        let node = Node::List(vec![text("3")]);
        assert_eq!(
            from_node::<HasItem>(&node, Dialect::Xml).unwrap(),
            HasItem { item: 3 }
        );
        assert_eq!(from_node::<Vec<u8>>(&node, Dialect::Xml).unwrap(), vec![3]);
        assert!(from_node::<HasItem>(&node, Dialect::Json).is_err());
    }

    #[test]
    fn visitor_errors_quote_the_text() {
        let err = from_node::<chrono::NaiveDate>(&text("2018-13-45"), Dialect::Csv).unwrap_err();
        assert!(
            err.message.ends_with("(found \"2018-13-45\")"),
            "{}",
            err.message
        );
    }

    #[test]
    fn cell_json_that_is_not_json_is_an_error_not_a_panic() {
        let err = from_node::<Vec<u8>>(&text("[1,"), Dialect::Csv).unwrap_err();
        assert!(
            err.message
                .starts_with("expected a list written as JSON, found \"[1,\""),
            "{}",
            err.message
        );
        let err = from_node::<Vec<u8>>(&text("\"[1]\""), Dialect::Csv).unwrap_err();
        assert!(
            err.message.starts_with("expected a list"),
            "{}",
            err.message
        );
    }
}
