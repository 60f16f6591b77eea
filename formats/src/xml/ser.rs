//! Writing XML bodies, straight from any `Serialize` value.
//!
//! The body is what the crate's XML rules make of `serde_json::to_value(value)`, laid out as
//! quick-xml's indenting writer lays it out (two spaces a level, a leaf on one line), written
//! into one buffer without building the JSON value: building it costs more than writing the
//! body. An element's start tag is finished only when its first child comes (`>`) or when it
//! ends without one (`/>`), since an empty list, map or struct is written `<key/>`.
//!
//! A few values are ones `to_value` treats in its own way: a key repeated in one object (the last
//! value wins, in the first one's place), a map key that is not a string, a number a JSON value
//! cannot hold, a `RawValue`; and some shapes are in no generated type (tuples, `char`, bytes,
//! 128-bit integers, variants with data). The direct path does not imitate those: it gives up
//! ([`Fail::Detour`]) and the value goes through `to_value` after all. Every other failure takes
//! the same detour, so that errors, too, are exactly those of the value path: serde_json's own,
//! or the key the JSON value has that cannot be an element name.

use std::borrow::Cow;
use std::fmt::{self, Display, Write as _};

use serde::ser::{self, Impossible, Serialize, Serializer};

use super::{ITEM, ROOT};
use crate::Format;
use crate::error::{Error, Location, Operation, quote};
use crate::ser::{JSON_TOKENS, key_text};

const DECLARATION: &str = r#"<?xml version="1.0" encoding="UTF-8"?>"#;
/// Encodes a value as an Adsterra XML body.
///
/// The body is the one the crate's XML rules give for `serde_json::to_value(value)`, byte for
/// byte, written without building the JSON value. Fails on an object key that cannot be an XML
/// element name, and where `serde_json::to_value` fails.
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

fn write<T: Serialize + ?Sized>(value: &T) -> Result<String, Fail> {
    let mut writer = Writer::default();
    writer.out.push_str(DECLARATION);
    let root = Element {
        w: &mut writer,
        name: ROOT,
        depth: 0,
    };
    value.serialize(root).map_err(|fail| fail.within(ROOT))?;
    writer.out.push('\n');
    Ok(writer.out)
}

fn encode_error(location: Location, message: impl Into<String>) -> Error {
    Error::new(Format::Xml, Operation::Encode, location, message)
}

/// Why writing stopped.
#[derive(Debug)]
enum Fail {
    /// A value the direct path does not reproduce (see the module docs), or an error from the
    /// value's `Serialize`: the value is encoded again through `serde_json::to_value`.
    Detour,
    /// A key that cannot be an element name (boxed: `Result<(), Fail>` is returned for every
    /// element).
    BadName(Box<BadName>),
}

/// A key that cannot be an element name, and the path of the element that holds it, innermost
/// element first (each element adds its name as the failure passes it).
#[derive(Debug)]
struct BadName {
    key: String,
    path: Vec<String>,
}

fn detour<E>(_: E) -> Fail {
    Fail::Detour
}

impl Fail {
    fn bad_name(key: &str) -> Fail {
        Fail::BadName(Box::new(BadName {
            key: key.to_owned(),
            path: Vec::new(),
        }))
    }

    /// Adds the name of an element the failure happened in.
    fn within(mut self, element: &str) -> Fail {
        if let Fail::BadName(bad) = &mut self {
            bad.path.push(element.to_owned());
        }
        self
    }

    /// The error of the last attempt, on the JSON value, where only a key can be refused.
    fn into_error(self) -> Error {
        let Fail::BadName(bad) = self else {
            return encode_error(
                Location::default(),
                "the value has a shape the XML writer does not know",
            );
        };
        let BadName { key, mut path } = *bad;
        path.reverse();
        let location = Location {
            element: Some(path.join("/")),
            ..Location::default()
        };
        let message = format!("the key {} is not a valid XML element name", quote(&key));
        encode_error(location, message)
    }
}

impl Display for Fail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{self:?}")
    }
}

impl std::error::Error for Fail {}

impl ser::Error for Fail {
    fn custom<T: Display>(_: T) -> Self {
        Fail::Detour
    }
}

/// The body being written, and buffers reused from element to element.
#[derive(Default)]
struct Writer {
    /// The body, built as a `String` (so it needs no UTF-8 check at the end).
    out: String,
    /// Key buffers of maps, one taken by each map being written.
    keys: Vec<String>,
    /// The keys of every object being written, outer objects first (see [`Level::claim`]):
    /// their bytes, and where each ends.
    seen: Vec<u8>,
    seen_ends: Vec<usize>,
    /// Text formatted by `collect_str` (dates and the like).
    text: String,
    /// Field sequences of structs written before (see [`Level::field`]).
    known: Vec<Known>,
    /// The field names of the structs being written that follow no known sequence, outer
    /// structs first.
    fields: Vec<&'static str>,
}

/// The fields a struct was written with, every name checked and none repeated. Rows of one
/// type mostly have the same fields: a row whose fields follow a known sequence needs neither
/// check. Sequences are only added, never changed, since a struct being written may be
/// following one.
struct Known {
    name: &'static str,
    fields: Vec<&'static str>,
}

/// At most this many known sequences; beyond, structs are checked field by field.
const KNOWN_LIMIT: usize = 64;

impl Writer {
    /// A line break and the indentation of `depth`, before a start tag or a parent's end tag.
    #[inline]
    fn indent(&mut self, depth: usize) {
        // One copy for the usual depths.
        const LINE: &str = "\n                                ";
        match LINE.get(..1 + 2 * depth) {
            Some(line) => self.out.push_str(line),
            None => {
                self.out.push('\n');
                (0..depth).for_each(|_| self.out.push_str("  "));
            }
        }
    }

    /// `<name`, on a line of its own; the caller finishes the tag.
    #[inline]
    fn start_tag(&mut self, name: &str, depth: usize) {
        self.indent(depth);
        self.out.push('<');
        self.out.push_str(name);
    }

    #[inline]
    fn end_tag(&mut self, name: &str) {
        self.out.push_str("</");
        self.out.push_str(name);
        self.out.push('>');
    }

    /// The most recent known sequence of the struct `name`.
    fn known(&self, name: &'static str) -> Option<usize> {
        self.known
            .iter()
            .rposition(|known| std::ptr::eq(known.name, name))
    }

    /// Remembers the fields of a struct just written (from `from` in `fields`).
    fn remember(&mut self, name: &'static str, from: usize) {
        if self.known.len() < KNOWN_LIMIT {
            let fields = self.fields[from..].to_vec();
            self.known.push(Known { name, fields });
        }
    }

    fn seen_key(&self, index: usize) -> &[u8] {
        let start = index
            .checked_sub(1)
            .map_or(0, |before| self.seen_ends[before]);
        &self.seen[start..self.seen_ends[index]]
    }
}

/// One element: the value of a key, of an `<item>` or of the root.
struct Element<'a> {
    w: &'a mut Writer,
    name: &'a str,
    depth: usize,
}

impl<'a> Element<'a> {
    /// `<name>text</name>` on one line: `text` is escaped, or a number or boolean as
    /// serde_json writes it (which needs no escaping).
    #[inline]
    fn leaf(self, text: &str) -> Result<(), Fail> {
        self.w.start_tag(self.name, self.depth);
        self.w.out.push('>');
        self.w.out.push_str(text);
        self.w.end_tag(self.name);
        Ok(())
    }

    fn text(self, text: &str) -> Result<(), Fail> {
        self.leaf(&escape_text(text))
    }

    /// null: `<name nil="true"/>`.
    fn nil(self) -> Result<(), Fail> {
        self.w.start_tag(self.name, self.depth);
        self.w.out.push_str(r#" nil="true"/>"#);
        Ok(())
    }

    /// A list, map or struct, its start tag left open until its first child or its end.
    fn open(self, key: String, kind: Kind) -> Compound<'a> {
        self.w.start_tag(self.name, self.depth);
        let level = Level::new(self.w, self.name, self.depth, kind);
        Compound {
            w: self.w,
            level,
            key,
        }
    }
}

impl<'a> Serializer for Element<'a> {
    type Ok = ();
    type Error = Fail;
    type SerializeSeq = Compound<'a>;
    // Tuples, bytes, chars and variants with data are in no generated type: they take the
    // detour through `to_value` (which writes them as lists, strings and one-key objects).
    type SerializeTuple = Impossible<(), Fail>;
    type SerializeTupleStruct = Impossible<(), Fail>;
    type SerializeTupleVariant = Impossible<(), Fail>;
    type SerializeMap = Compound<'a>;
    type SerializeStruct = Compound<'a>;
    type SerializeStructVariant = Impossible<(), Fail>;

    fn serialize_bool(self, v: bool) -> Result<(), Fail> {
        self.leaf(if v { "true" } else { "false" })
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
        self.leaf(itoa::Buffer::new().format(v))
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
        self.leaf(itoa::Buffer::new().format(v))
    }
    fn serialize_f32(self, v: f32) -> Result<(), Fail> {
        // `to_value` keeps an f32 as the f64 it converts to, and writes that.
        self.serialize_f64(f64::from(v))
    }
    fn serialize_f64(self, v: f64) -> Result<(), Fail> {
        // NaN and the infinities are null to `to_value`.
        if !v.is_finite() {
            return self.nil();
        }
        self.leaf(zmij::Buffer::new().format_finite(v))
    }
    fn serialize_char(self, _: char) -> Result<(), Fail> {
        Err(Fail::Detour)
    }
    fn serialize_str(self, v: &str) -> Result<(), Fail> {
        self.text(v)
    }
    fn serialize_bytes(self, _: &[u8]) -> Result<(), Fail> {
        Err(Fail::Detour)
    }
    fn serialize_none(self) -> Result<(), Fail> {
        self.nil()
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), Fail> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<(), Fail> {
        self.nil()
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<(), Fail> {
        self.nil()
    }
    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
    ) -> Result<(), Fail> {
        self.text(variant)
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
    fn serialize_seq(self, len: Option<usize>) -> Result<Compound<'a>, Fail> {
        Ok(self.open(String::new(), Kind::List(len)))
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
    fn serialize_map(self, _: Option<usize>) -> Result<Compound<'a>, Fail> {
        let key = self.w.keys.pop().unwrap_or_default();
        Ok(self.open(key, Kind::Other))
    }
    fn serialize_struct(self, name: &'static str, _: usize) -> Result<Compound<'a>, Fail> {
        if JSON_TOKENS.contains(&name) {
            return Err(Fail::Detour);
        }
        Ok(self.open(String::new(), Kind::Struct(name)))
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
    fn collect_str<T: Display + ?Sized>(self, value: &T) -> Result<(), Fail> {
        // Dates and the like: formatted once, into a reused buffer.
        let Element { w, name, depth } = self;
        let mut text = std::mem::take(&mut w.text);
        text.clear();
        write!(text, "{value}").map_err(detour)?;
        Element {
            w: &mut *w,
            name,
            depth,
        }
        .text(&text)?;
        w.text = text;
        Ok(())
    }
}

/// A list, map or struct being written.
struct Compound<'a> {
    w: &'a mut Writer,
    level: Level<'a>,
    /// A map's current key (a buffer from the writer's pool, given back at the end).
    key: String,
}

impl Compound<'_> {
    fn item<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Fail> {
        self.level.item(self.w, value)
    }

    fn end(self) -> Result<(), Fail> {
        self.level.end(self.w);
        if self.key.capacity() > 0 {
            self.w.keys.push(self.key);
        }
        Ok(())
    }
}

/// What a [`Compound`] writes, as far as [`Level`] cares.
#[derive(Clone, Copy)]
enum Kind {
    /// A sequence, with its length if known (to size the body after the first item).
    List(Option<usize>),
    /// A struct, by name (to find and remember its field sequence).
    Struct(&'static str),
    /// Anything else: a map, a tuple, a variant's data.
    Other,
}

/// The state of the element a [`Compound`] writes.
struct Level<'a> {
    name: &'a str,
    depth: usize,
    kind: Kind,
    /// Whether a child was written, which finished the start tag with `>`.
    has_children: bool,
    /// `<item>` children or struct fields written so far.
    count: usize,
    /// Where this element's keys start in the writer's `seen`.
    seen_from: usize,
    /// One bit per key hash: a key whose bit is clear cannot repeat an earlier one.
    seen_bits: u64,
    /// A struct following a known field sequence (an index into the writer's `known`): its
    /// fields so far are that sequence's first `count`.
    follows: Option<usize>,
    /// Where this struct's fields start in the writer's `fields`, once it follows no sequence.
    fields_from: usize,
}

impl<'a> Level<'a> {
    fn new(w: &Writer, name: &'a str, depth: usize, kind: Kind) -> Self {
        let follows = match kind {
            Kind::Struct(type_name) => w.known(type_name),
            _ => None,
        };
        Level {
            name,
            depth,
            kind,
            has_children: false,
            count: 0,
            seen_from: w.seen_ends.len(),
            seen_bits: 0,
            follows,
            fields_from: w.fields.len(),
        }
    }

    fn child(&mut self, w: &mut Writer) {
        if !self.has_children {
            w.out.push('>');
            self.has_children = true;
        }
    }

    fn item<T: Serialize + ?Sized>(&mut self, w: &mut Writer, value: &T) -> Result<(), Fail> {
        self.child(w);
        let index = self.count;
        self.count += 1;
        let start = w.out.len();
        let element = Element {
            w: &mut *w,
            name: ITEM,
            depth: self.depth + 1,
        };
        value
            .serialize(element)
            .map_err(|fail| fail.within(&format!("{ITEM}[{}]", index + 1)))?;
        if let (0, Kind::List(Some(len))) = (index, self.kind) {
            reserve_for_items(w, w.out.len() - start, len);
        }
        Ok(())
    }

    /// A struct field. While the struct's fields follow a known sequence, they are written
    /// without checks; from the first one that does not, every field is checked.
    fn field<T: Serialize + ?Sized>(
        &mut self,
        w: &mut Writer,
        key: &'static str,
        value: &T,
    ) -> Result<(), Fail> {
        if let Some(known) = self.follows {
            let expected = w.known[known].fields.get(self.count);
            if expected.is_some_and(|expected| std::ptr::eq(*expected, key)) {
                self.count += 1;
                return self.write_child(w, key, value);
            }
            self.leave(w, known);
        }
        w.fields.push(key);
        self.count += 1;
        self.entry(w, key, value)
    }

    /// The struct leaves its known sequence: its fields so far are noted as checked ones.
    fn leave(&mut self, w: &mut Writer, known: usize) {
        self.follows = None;
        for index in 0..self.count {
            let key = w.known[known].fields[index];
            self.note(w, key);
            w.fields.push(key);
        }
    }

    /// A checked child: its key must be an element name and new in this element.
    fn entry<T: Serialize + ?Sized>(
        &mut self,
        w: &mut Writer,
        key: &str,
        value: &T,
    ) -> Result<(), Fail> {
        if !is_xml_name(key) {
            return Err(Fail::bad_name(key));
        }
        self.claim(w, key)?;
        self.write_child(w, key, value)
    }

    fn write_child<T: Serialize + ?Sized>(
        &mut self,
        w: &mut Writer,
        key: &str,
        value: &T,
    ) -> Result<(), Fail> {
        self.child(w);
        let element = Element {
            w,
            name: key,
            depth: self.depth + 1,
        };
        value.serialize(element).map_err(|fail| fail.within(key))
    }

    /// Refuses a key this element already has: `to_value` would keep one element for both, so
    /// the value takes the detour. The bits make the check one test for most keys.
    fn claim(&mut self, w: &mut Writer, key: &str) -> Result<(), Fail> {
        let bit = 1u64 << (key_hash(key) % 64);
        if self.seen_bits & bit != 0
            && (self.seen_from..w.seen_ends.len()).any(|index| w.seen_key(index) == key.as_bytes())
        {
            return Err(Fail::Detour);
        }
        self.note(w, key);
        Ok(())
    }

    fn note(&mut self, w: &mut Writer, key: &str) {
        self.seen_bits |= 1u64 << (key_hash(key) % 64);
        w.seen.extend_from_slice(key.as_bytes());
        w.seen_ends.push(w.seen.len());
    }

    fn end(self, w: &mut Writer) {
        if self.has_children {
            w.indent(self.depth);
            w.end_tag(self.name);
        } else {
            w.out.push_str("/>");
        }
        w.seen_ends.truncate(self.seen_from);
        w.seen.truncate(w.seen_ends.last().copied().unwrap_or(0));
        if let (Kind::Struct(name), None) = (self.kind, self.follows) {
            w.remember(name, self.fields_from);
        }
        w.fields.truncate(self.fields_from);
    }
}

/// Reserves room for a list's other items once the first shows how long an item is, rather
/// than doubling the body (and copying it) twenty-odd times for a large report. Only a guess:
/// if it cannot be had, the body grows as it would have.
fn reserve_for_items(w: &mut Writer, item: usize, len: usize) {
    let rest = len.saturating_sub(1).saturating_mul(item);
    let _ = w.out.try_reserve(rest.saturating_add(rest / 8));
}

/// A cheap hash of a key for [`Level::claim`]'s bits: length and three of its bytes.
fn key_hash(key: &str) -> u64 {
    let bytes = key.as_bytes();
    let at = |index: usize| bytes.get(index).map_or(0, |&byte| u64::from(byte));
    (bytes.len() as u64)
        .wrapping_mul(31)
        .wrapping_add(at(0).wrapping_mul(7))
        .wrapping_add(at(bytes.len() / 2).wrapping_mul(3))
        .wrapping_add(at(bytes.len().wrapping_sub(1)))
}

impl ser::SerializeSeq for Compound<'_> {
    type Ok = ();
    type Error = Fail;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Fail> {
        self.item(value)
    }
    fn end(self) -> Result<(), Fail> {
        Compound::end(self)
    }
}

impl ser::SerializeMap for Compound<'_> {
    type Ok = ();
    type Error = Fail;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Fail> {
        key_text(key, &mut self.key)
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Fail> {
        self.level.entry(self.w, &self.key, value)
    }
    fn end(self) -> Result<(), Fail> {
        Compound::end(self)
    }
}

impl ser::SerializeStruct for Compound<'_> {
    type Ok = ();
    type Error = Fail;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Fail> {
        self.level.field(self.w, key, value)
    }
    fn end(self) -> Result<(), Fail> {
        Compound::end(self)
    }
}

/// Escapes text content so that it reads back exactly.
///
/// `<`, `>` (which also breaks `]]>`) and `&` are escaped as entities; `\r` as
/// `&#13;` because XML parsers turn raw carriage returns into `\n`. Characters
/// XML 1.0 cannot carry at all (C0 controls other than tab and line feed,
/// U+FFFE, U+FFFF) are written as numeric references so that no value is
/// lost; this crate reads them back, strict XML 1.0 parsers reject them.
fn escape_text(text: &str) -> Cow<'_, str> {
    // A byte scan: the markup characters and the controls are ASCII, and U+FFFE and U+FFFF
    // begin with 0xEF (which other characters share; the loop below decides).
    let suspect = |byte: u8| {
        matches!(byte, b'<' | b'>' | b'&' | 0xEF) || (byte < 0x20 && byte != b'\t' && byte != b'\n')
    };
    if !text.bytes().any(suspect) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\r' => out.push_str("&#13;"),
            c if !is_xml_char(c) => out.push_str(&format!("&#x{:X};", u32::from(c))),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// XML 1.0 `Char` production.
fn is_xml_char(c: char) -> bool {
    matches!(c,
        '\t' | '\n' | '\r'
        | '\u{20}'..='\u{D7FF}'
        | '\u{E000}'..='\u{FFFD}'
        | '\u{10000}'..='\u{10FFFF}')
}

/// XML 1.0 `Name` production without `:`, which would make the name a
/// namespace prefix that no document declares.
fn is_xml_name(name: &str) -> bool {
    // Keys are nearly always ASCII, where the rules reduce to a byte check.
    if name.is_ascii() {
        return match name.as_bytes().split_first() {
            Some((first, rest)) => {
                (first.is_ascii_alphabetic() || *first == b'_')
                    && rest.iter().all(|byte| {
                        byte.is_ascii_alphanumeric() || matches!(byte, b'_' | b'-' | b'.')
                    })
            }
            None => false,
        };
    }
    let mut chars = name.chars();
    match chars.next() {
        Some(first) if is_name_start(first) => chars.all(is_name_char),
        _ => false,
    }
}

fn is_name_start(c: char) -> bool {
    matches!(c,
        'A'..='Z' | '_' | 'a'..='z'
        | '\u{C0}'..='\u{D6}'
        | '\u{D8}'..='\u{F6}'
        | '\u{F8}'..='\u{2FF}'
        | '\u{370}'..='\u{37D}'
        | '\u{37F}'..='\u{1FFF}'
        | '\u{200C}'..='\u{200D}'
        | '\u{2070}'..='\u{218F}'
        | '\u{2C00}'..='\u{2FEF}'
        | '\u{3001}'..='\u{D7FF}'
        | '\u{F900}'..='\u{FDCF}'
        | '\u{FDF0}'..='\u{FFFD}'
        | '\u{10000}'..='\u{EFFFF}')
}

fn is_name_char(c: char) -> bool {
    is_name_start(c)
        || matches!(c,
            '-' | '.' | '0'..='9' | '\u{B7}'
            | '\u{300}'..='\u{36F}'
            | '\u{203F}'..='\u{2040}')
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn names_follow_the_xml_name_rules() {
        assert!(is_xml_name("itemCount"));
        assert!(is_xml_name("placement_ids"));
        assert!(is_xml_name("_x-1.2"));
        assert!(is_xml_name("名前"));
        assert!(!is_xml_name(""));
        assert!(!is_xml_name("2x"));
        assert!(!is_xml_name("a b"));
        assert!(!is_xml_name("ns:a"));
        assert!(!is_xml_name("-a"));
    }

    #[test]
    fn invalid_key_is_an_encode_error_naming_it() {
        let err = to_string(&json!({"items": [{"ok": 1, "bad key": 2}]})).unwrap_err();
        assert_eq!(
            err.to_string(),
            "cannot encode XML at element response/items/item[1]: the key \"bad key\" is not a \
             valid XML element name"
        );
    }

    #[test]
    fn text_escaping_covers_markup_cr_and_non_xml_characters() {
        assert_eq!(escape_text("a<b>&]]>\r\n"), "a&lt;b&gt;&amp;]]&gt;&#13;\n");
        assert_eq!(escape_text("\u{1}\u{FFFF}\t"), "&#x1;&#xFFFF;\t");
        assert!(matches!(
            escape_text("plain 'quotes' \"too\""),
            Cow::Borrowed(_)
        ));
    }
}
