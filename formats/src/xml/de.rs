//! Reading XML straight from quick-xml's events into the target type.
//!
//! The shapes that carry data build no tree: a struct or map reads its child elements as they
//! come, a list reads its `<item>` children, and a leaf hands its text to the rules every text
//! format shares ([`NodeDe`] over borrowed text). Only what must see a whole element before it
//! can decide (an untyped target, an enum written as a group, an element whose shape does not
//! fit what the target asks for) builds that one element's [`Node`], with the rules of the
//! crate docs, so answers and error messages are the tree's.
//!
//! One reader serves a body in memory ([`Slice`]) and a body read as it arrives ([`Stream`]);
//! it holds one element name, the text of one leaf and the path of open elements, whatever the
//! size of the body.

use std::borrow::Cow;
use std::collections::HashSet;
use std::fmt::Write as _;
use std::io::{BufRead, Read};

use quick_xml::events::{BytesStart, Event};
use quick_xml::reader::Reader;
use serde::de::{self, DeserializeSeed, Visitor};

use super::{ITEM, MAX_DEPTH};
use crate::Format;
use crate::de::{DeError, Dialect, KeyDe, NodeDe, Path, View, tuples_as_seq};
use crate::error::{Error, Location, Operation, quote};
use crate::tree::Node;

/// Where events come from.
pub(crate) trait Source {
    /// The next event.
    fn read(&mut self) -> quick_xml::Result<Event<'_>>;
    /// The 1-based line the reader has reached (at the failure, after an error).
    fn line(&self, failed: bool) -> u64;
}

/// A whole body in memory: events borrow from it.
pub(crate) struct Slice<'b> {
    reader: Reader<&'b [u8]>,
    body: &'b [u8],
}

impl<'b> Slice<'b> {
    pub(crate) fn new(text: &'b str) -> Self {
        Slice {
            reader: Reader::from_str(text),
            body: text.as_bytes(),
        }
    }
}

impl Source for Slice<'_> {
    fn read(&mut self) -> quick_xml::Result<Event<'_>> {
        self.reader.read_event()
    }

    fn line(&self, failed: bool) -> u64 {
        let at = if failed {
            self.reader.error_position()
        } else {
            self.reader.buffer_position()
        };
        line_at(self.body, usize::try_from(at).unwrap_or(usize::MAX))
    }
}

/// A body read as it arrives: one event's bytes are held at a time.
pub(crate) struct Stream<R> {
    reader: Reader<LineCounter<std::io::BufReader<R>>>,
    buffer: Vec<u8>,
}

impl<R: Read> Stream<R> {
    pub(crate) fn new(read: R) -> Self {
        let lines = LineCounter {
            inner: std::io::BufReader::with_capacity(64 * 1024, read),
            newlines: 0,
        };
        Stream {
            reader: Reader::from_reader(lines),
            buffer: Vec::new(),
        }
    }
}

impl<R: Read> Source for Stream<R> {
    fn read(&mut self) -> quick_xml::Result<Event<'_>> {
        self.buffer.clear();
        self.reader.read_event_into(&mut self.buffer)
    }

    fn line(&self, _failed: bool) -> u64 {
        self.reader.get_ref().newlines + 1
    }
}

/// Counts the line ends the XML reader consumes, so that a streamed body's errors have lines.
struct LineCounter<B> {
    inner: B,
    newlines: u64,
}

impl<B: BufRead> Read for LineCounter<B> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let read = self.inner.read(out)?;
        self.newlines += count_newlines(&out[..read]);
        Ok(read)
    }
}

impl<B: BufRead> BufRead for LineCounter<B> {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        self.inner.fill_buf()
    }

    fn consume(&mut self, amount: usize) {
        if let Ok(buffered) = self.inner.fill_buf() {
            let consumed = &buffered[..amount.min(buffered.len())];
            self.newlines += count_newlines(consumed);
        }
        self.inner.consume(amount);
    }
}

fn count_newlines(bytes: &[u8]) -> u64 {
    bytes.iter().filter(|b| **b == b'\n').count() as u64
}

/// 1-based line of a byte offset.
pub(crate) fn line_at(bytes: &[u8], offset: usize) -> u64 {
    count_newlines(&bytes[..offset.min(bytes.len())]) + 1
}

/// The name in an element path's last step: `item` for `response/items/item[3]`.
fn element_name(path: &str) -> &str {
    let last = path.rsplit('/').next().unwrap_or_default();
    last.split('[').next().unwrap_or_default()
}

/// What an event means to the reader.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Token {
    /// A start tag (or an empty element, `empty`), its name in [`XmlReader::name`].
    Start { nil: bool, empty: bool },
    /// The end tag of the innermost open element.
    End,
    /// Character data, appended to [`XmlReader::text`]; `content` unless it is only layout
    /// whitespace.
    Text { content: bool },
    /// The end of the body.
    Eof,
}

/// The reader: a source, what the last events said, and the open elements.
pub(crate) struct XmlReader<S> {
    source: S,
    /// The name of the last start tag.
    pub(crate) name: String,
    /// The character data read since the last [`XmlReader::content`] started.
    pub(crate) text: String,
    /// The open elements as an element path, `/response/items/item[3]`, for error messages.
    path: String,
    /// Per open element: where its label starts in `path`, and how many `<item>` children it
    /// has had so far.
    open: Vec<(usize, usize)>,
    /// A token read ahead (a child's start tag, read while finding an element's shape).
    pending: Option<Token>,
    /// The root element's name, once read.
    pub(crate) root: Option<String>,
    /// Set when the body cannot be read further (it is not well-formed XML).
    pub(crate) broken: bool,
}

/// What an element holds, found by reading up to its end or its first child.
pub(crate) enum Content {
    /// Text only (in [`XmlReader::text`]); the end tag is read.
    Text,
    /// Child elements; the first child's start tag is the pending token. `mixed` when
    /// non-layout text came before it.
    Children { mixed: bool },
}

impl<S: Source> XmlReader<S> {
    pub(crate) fn new(source: S) -> Self {
        XmlReader {
            source,
            name: String::new(),
            text: String::new(),
            path: String::new(),
            open: Vec::new(),
            pending: None,
            root: None,
            broken: false,
        }
    }

    /// An error at the reader's line and the open elements.
    pub(crate) fn error(&self, failed: bool, message: impl Into<String>) -> Error {
        Error::new(
            Format::Xml,
            Operation::Decode,
            Location {
                line: Some(self.source.line(failed)),
                element: (!self.path.is_empty()).then(|| self.path[1..].to_owned()),
                ..Location::default()
            },
            message,
        )
    }

    /// The next token.
    pub(crate) fn next(&mut self) -> Result<Token, Error> {
        if let Some(token) = self.pending.take() {
            return Ok(token);
        }
        loop {
            let XmlReader {
                source, name, text, ..
            } = self;
            let meaning = match source.read() {
                Ok(Event::Start(start)) => Meaning::Start(tag(&start, name), false),
                Ok(Event::Empty(start)) => Meaning::Start(tag(&start, name), true),
                Ok(Event::End(_)) => Meaning::End,
                Ok(Event::Text(chars)) => {
                    let chars = chars.xml10_content();
                    text.push_str(&chars);
                    Meaning::Text(!is_xml_whitespace(&chars))
                }
                Ok(Event::CData(chars)) => {
                    text.push_str(&chars.xml10_content());
                    Meaning::Text(true)
                }
                Ok(Event::GeneralRef(reference)) => match resolve_reference(&reference) {
                    Some(resolved) => {
                        text.push_str(&resolved);
                        Meaning::Text(true)
                    }
                    None => Meaning::Failed(
                        format!("unknown entity or character reference &{};", &*reference),
                        false,
                    ),
                },
                Ok(Event::Eof) => Meaning::Eof,
                // Declarations, comments, processing instructions and DOCTYPEs carry no data.
                Ok(Event::Decl(_) | Event::Comment(_) | Event::PI(_) | Event::DocType(_)) => {
                    continue;
                }
                Err(err) => Meaning::Failed(err.to_string(), true),
            };
            return match meaning {
                Meaning::Start(nil, empty) => {
                    let nil = nil.map_err(|message| self.error(false, message))?;
                    self.opened(empty)?;
                    Ok(Token::Start { nil, empty })
                }
                Meaning::End => {
                    self.closed();
                    Ok(Token::End)
                }
                Meaning::Text(content) => Ok(Token::Text { content }),
                Meaning::Eof => Ok(Token::Eof),
                Meaning::Failed(message, failed) => {
                    self.broken = true;
                    Err(self.error(failed, message))
                }
            };
        }
    }

    /// Labels a start tag (`item[n]` for list elements) and, unless it is empty, opens it.
    fn opened(&mut self, empty: bool) -> Result<(), Error> {
        if self.open.len() >= MAX_DEPTH {
            let message = format!("elements are nested more than {MAX_DEPTH} levels deep");
            return Err(self.error(false, message));
        }
        if self.open.is_empty() {
            if self.root.is_some() {
                let message = format!(
                    "a second root element <{}>; a body holds exactly one",
                    self.name
                );
                return Err(self.error(false, message));
            }
            self.root = Some(self.name.clone());
        }
        let start = self.path.len();
        self.path.push('/');
        match self.open.last_mut() {
            Some((_, items)) if self.name == ITEM => {
                *items += 1;
                let _ = write!(self.path, "{ITEM}[{items}]");
            }
            _ => self.path.push_str(&self.name),
        }
        if empty {
            self.path.truncate(start);
        } else {
            self.open.push((start, 0));
        }
        Ok(())
    }

    /// The path of the open element at `depth` (1 for the root), such as
    /// `response/items/item[3]`.
    fn element_path(&self, depth: usize) -> String {
        let end = self
            .open
            .get(depth)
            .map_or(self.path.len(), |(start, _)| *start);
        self.path.get(1..end).unwrap_or_default().to_owned()
    }

    fn closed(&mut self) {
        if let Some((start, _)) = self.open.pop() {
            self.path.truncate(start);
        }
    }

    /// How many elements are open.
    pub(crate) fn depth(&self) -> usize {
        self.open.len()
    }

    /// Reads the content of the element just opened, up to its end or its first child.
    pub(crate) fn content(&mut self) -> Result<Content, Error> {
        self.text.clear();
        let mut mixed = false;
        loop {
            match self.next()? {
                Token::Text { content } => mixed |= content,
                Token::End => return Ok(Content::Text),
                start @ Token::Start { .. } => {
                    self.pending = Some(start);
                    return Ok(Content::Children { mixed });
                }
                Token::Eof => return Err(self.unclosed()),
            }
        }
    }

    pub(crate) fn unclosed(&mut self) -> Error {
        self.broken = true;
        let name = element_name(&self.path);
        self.error(false, format!("the body ends before <{name}> is closed"))
    }

    /// Reads the rest of the element whose start was the last token: its content is not
    /// wanted (an unknown field, a `nil` element), but it must still be well-formed.
    pub(crate) fn skip(&mut self, empty: bool) -> Result<(), Error> {
        if empty {
            return Ok(());
        }
        let mut depth = 1usize;
        while depth > 0 {
            match self.next()? {
                Token::Start { empty: false, .. } => depth += 1,
                Token::End => depth -= 1,
                Token::Start { .. } | Token::Text { .. } => {}
                Token::Eof => return Err(self.unclosed()),
            }
            self.text.clear();
        }
        Ok(())
    }

    /// The element whose start was the last token, whole, as a tree.
    pub(crate) fn element(&mut self, nil: bool, empty: bool) -> Result<Node, Error> {
        if nil {
            self.skip(empty)?;
            return Ok(Node::Null);
        }
        if empty {
            return Ok(Node::Text(String::new()));
        }
        match self.content()? {
            Content::Text => Ok(Node::Text(std::mem::take(&mut self.text))),
            Content::Children { mixed } => self.children(mixed),
        }
    }

    /// The rest of an element whose first child's start is pending, as a tree.
    pub(crate) fn children(&mut self, mut mixed: bool) -> Result<Node, Error> {
        let mut text = std::mem::take(&mut self.text);
        // The first child may be open already; this element is the one below it.
        let child_open = matches!(self.pending, Some(Token::Start { empty: false, .. }));
        let element = self.element_path(self.open.len() - usize::from(child_open));
        let own = element_name(&element).to_owned();
        let mut children: Vec<(String, Node)> = Vec::new();
        loop {
            self.text.clear();
            match self.next()? {
                Token::Text { content } => {
                    mixed |= content;
                    text.push_str(&self.text);
                }
                Token::Start { nil, empty } => {
                    let name = self.name.clone();
                    let node = self.element(nil, empty)?;
                    children.push((name, node));
                }
                Token::End => break,
                Token::Eof => return Err(self.unclosed()),
            }
        }
        // The end tag is read: errors name this element, as it was when it was open.
        let at = |reader: &Self, message: String| {
            let mut error = reader.error(false, message);
            error.location.element = Some(element.clone());
            error
        };
        if mixed {
            let message = format!(
                "<{own}> mixes text {} with child elements",
                quote(text.trim())
            );
            return Err(at(self, message));
        }
        if children.iter().all(|(name, _)| name == ITEM) {
            return Ok(Node::List(children.into_iter().map(|(_, n)| n).collect()));
        }
        let mut names = HashSet::new();
        if let Some((repeated, _)) = children.iter().find(|(n, _)| !names.insert(n.as_str())) {
            let message =
                format!("<{repeated}> appears more than once in <{own}>; only <{ITEM}> may repeat");
            return Err(at(self, message));
        }
        Ok(Node::Map(children))
    }

    /// Reads up to the next child of the open element: its `(nil, empty)`, its name in
    /// [`Self::name`]; `None` at the element's end tag. Layout between children is skipped,
    /// other text refused.
    pub(crate) fn next_child(&mut self) -> Result<Option<(bool, bool)>, Error> {
        loop {
            self.text.clear();
            match self.next()? {
                Token::Start { nil, empty } => return Ok(Some((nil, empty))),
                Token::Text { content: false } => {}
                Token::Text { content: true } => return Err(self.mixed()),
                Token::End => return Ok(None),
                Token::Eof => return Err(self.unclosed()),
            }
        }
    }

    /// As [`Self::next_child`], in a list: the child must be an `<item>`.
    pub(crate) fn next_item(&mut self) -> Result<Option<(bool, bool)>, Error> {
        let child = self.next_child()?;
        if child.is_some() && self.name != ITEM {
            let message = format!("expected a list (<{ITEM}> elements), found <{}>", self.name);
            return Err(self.error(false, message));
        }
        Ok(child)
    }

    /// The error for text met beside child elements: the rest of the element is read to say
    /// what it holds.
    pub(crate) fn mixed(&mut self) -> Error {
        match self.children(true) {
            Err(error) => error,
            Ok(_) => self.error(false, "text beside child elements"),
        }
    }

    /// Reads up to the root element's start tag: its `(nil, empty)`.
    pub(crate) fn root_start(&mut self) -> Result<(bool, bool), Error> {
        loop {
            self.text.clear();
            match self.next()? {
                Token::Start { nil, empty } => return Ok((nil, empty)),
                Token::Text { content: false } => {}
                Token::Text { content: true } => return Err(self.outside()),
                Token::End => return Err(self.error(false, "an end tag closes nothing")),
                Token::Eof => {
                    return Err(Error::decode(Format::Xml, "the body holds no XML element"));
                }
            }
        }
    }

    /// Reads what follows the root element: nothing but layout, comments and the like.
    pub(crate) fn epilogue(&mut self) -> Result<(), Error> {
        loop {
            self.text.clear();
            match self.next()? {
                Token::Eof => return Ok(()),
                Token::Text { content: false } => {}
                Token::Text { content: true } => return Err(self.outside()),
                // `opened` refuses a second root before this is reached.
                Token::Start { .. } | Token::End => {
                    return Err(self.error(false, "markup after the root element"));
                }
            }
        }
    }

    fn outside(&self) -> Error {
        let message = format!("text outside the root element: {}", quote(&self.text));
        self.error(false, message)
    }
}

/// One event's meaning, taken out of the event so the reader can be used again.
enum Meaning {
    /// A start tag: `Ok(nil)` or a bad attribute's message, and whether it is empty.
    Start(Result<bool, String>, bool),
    End,
    Text(bool),
    Eof,
    /// A message, and whether the source's error position locates it.
    Failed(String, bool),
}

/// Copies a start tag's name into `name`; whether it says `nil="true"`.
fn tag(start: &BytesStart<'_>, name: &mut String) -> Result<bool, String> {
    name.clear();
    name.push_str(start.name().as_ref());
    let mut nil = false;
    for attribute in start.attributes() {
        let attribute = attribute.map_err(|err| format!("bad attribute in <{name}>: {err}"))?;
        if attribute.key.local_name().as_ref() == "nil" && attribute.value.trim() == "true" {
            nil = true;
        }
    }
    Ok(nil)
}

pub(crate) fn is_xml_whitespace(text: &str) -> bool {
    text.bytes()
        .all(|c| matches!(c, b' ' | b'\t' | b'\r' | b'\n'))
}

/// Resolves `&name;` without the `&` and `;`: the five predefined entities
/// and numeric character references.
fn resolve_reference(name: &str) -> Option<Cow<'static, str>> {
    if let Some(number) = name.strip_prefix('#') {
        let code = match number.strip_prefix('x') {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => number.parse().ok()?,
        };
        return char::from_u32(code).map(|c| Cow::Owned(c.to_string()));
    }
    quick_xml::escape::resolve_xml_entity(name).map(Cow::Borrowed)
}

/// Deserializes the element whose start tag was the last token read.
pub(crate) struct ElementDe<'r, 'p, S> {
    pub(crate) reader: &'r mut XmlReader<S>,
    pub(crate) path: Path<'p>,
    pub(crate) nil: bool,
    pub(crate) empty: bool,
}

impl<S: Source> ElementDe<'_, '_, S> {
    /// Hands the element to the shared text rules: its text if it holds only text, else its
    /// tree. Every target that is not a struct, map or list goes this way.
    fn through_view<T>(
        self,
        read: impl FnOnce(NodeDe<'_, '_>) -> Result<T, DeError>,
    ) -> Result<T, DeError> {
        let ElementDe {
            reader,
            path,
            nil,
            empty,
        } = self;
        if nil || empty {
            let node = reader.element(nil, empty).map_err(DeError::ready)?;
            return read(NodeDe::new((&node).into(), path, Dialect::Xml));
        }
        let content = reader.content().map_err(DeError::ready)?;
        Self::view_of(reader, path, content, read)
    }

    /// Hands content that is not child elements to read one by one to the shared text rules:
    /// its text, or (for mixed content, which it refuses) the rest of the element.
    fn view_of<T>(
        reader: &mut XmlReader<S>,
        path: Path<'_>,
        content: Content,
        read: impl FnOnce(NodeDe<'_, '_>) -> Result<T, DeError>,
    ) -> Result<T, DeError> {
        match content {
            Content::Text => read(NodeDe::new(View::Text(&reader.text), path, Dialect::Xml)),
            Content::Children { mixed } => {
                let node = reader.children(mixed).map_err(DeError::ready)?;
                read(NodeDe::new((&node).into(), path, Dialect::Xml))
            }
        }
    }

    /// Reads a group or list element child by child with `children`, when it holds child
    /// elements and nothing else; anything else (nil, empty, text, mixed content) goes to the
    /// shared rules through `fallback`.
    fn compound<'de, V: Visitor<'de>>(
        self,
        visitor: V,
        children: impl FnOnce(&mut XmlReader<S>, Path<'_>, V) -> Result<V::Value, DeError>,
        fallback: impl FnOnce(NodeDe<'_, '_>, V) -> Result<V::Value, DeError>,
    ) -> Result<V::Value, DeError> {
        if self.nil || self.empty {
            return self.through_view(|de| fallback(de, visitor));
        }
        let path = self.path;
        match self.reader.content().map_err(DeError::ready)? {
            Content::Children { mixed: false } => {
                children(self.reader, path, visitor).map_err(|e: DeError| e.at(&path))
            }
            content => Self::view_of(self.reader, path, content, |de| fallback(de, visitor)),
        }
    }

    /// A struct or map: named children, one by one.
    fn group<'de, V: Visitor<'de>>(
        self,
        fields: &'static [&'static str],
        visitor: V,
        fallback: impl FnOnce(NodeDe<'_, '_>, V) -> Result<V::Value, DeError>,
    ) -> Result<V::Value, DeError> {
        self.compound(
            visitor,
            |reader, path, visitor| {
                visitor.visit_map(ChildrenAcc {
                    reader,
                    path,
                    fields,
                    seen: 0,
                    known: None,
                    other: String::new(),
                    child: (false, false),
                })
            },
            fallback,
        )
    }
}

macro_rules! through_view {
    ($($method:ident)*) => {
        $(
            fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
                self.through_view(|de| de::Deserializer::$method(de, visitor))
            }
        )*
    };
}

impl<'de, S: Source> de::Deserializer<'de> for ElementDe<'_, '_, S> {
    type Error = DeError;

    through_view! {
        deserialize_any deserialize_bool
        deserialize_i8 deserialize_i16 deserialize_i32 deserialize_i64 deserialize_i128
        deserialize_u8 deserialize_u16 deserialize_u32 deserialize_u64 deserialize_u128
        deserialize_f32 deserialize_f64 deserialize_char deserialize_str deserialize_string
        deserialize_bytes deserialize_byte_buf deserialize_unit deserialize_identifier
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        self.through_view(|de| de::Deserializer::deserialize_unit_struct(de, name, visitor))
    }

    /// Only `nil="true"` is "no value".
    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        if self.nil {
            let path = self.path;
            self.reader.skip(self.empty).map_err(DeError::ready)?;
            return visitor.visit_none().map_err(|e: DeError| e.at(&path));
        }
        visitor.visit_some(self)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.compound(
            visitor,
            |reader, path, visitor| {
                visitor.visit_seq(ItemsAcc {
                    reader,
                    path,
                    index: 0,
                })
            },
            |de, visitor| de::Deserializer::deserialize_seq(de, visitor),
        )
    }

    tuples_as_seq!();

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.group(&[], visitor, |de, visitor| {
            de::Deserializer::deserialize_map(de, visitor)
        })
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        self.group(fields, visitor, |de, visitor| {
            de::Deserializer::deserialize_struct(de, name, fields, visitor)
        })
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        self.through_view(|de| de::Deserializer::deserialize_enum(de, name, variants, visitor))
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        let path = self.path;
        self.reader.skip(self.empty).map_err(DeError::ready)?;
        visitor.visit_unit().map_err(|e: DeError| e.at(&path))
    }
}

/// The child elements of a group, read one by one as fields.
struct ChildrenAcc<'r, 'p, S> {
    reader: &'r mut XmlReader<S>,
    path: Path<'p>,
    /// The target's field names: a child named like one borrows the name, with no copy.
    fields: &'static [&'static str],
    /// The fields seen so far (for the first 64 fields), to refuse a repeated one.
    seen: u64,
    /// The current child's name when it is one of `fields`.
    known: Option<&'static str>,
    /// The current child's name otherwise.
    other: String,
    /// The current child's `(nil, empty)`.
    child: (bool, bool),
}

impl<S: Source> ChildrenAcc<'_, '_, S> {
    /// The error for a field met twice: it names this group's element.
    fn repeated(&self) -> DeError {
        let (_, empty) = self.child;
        let reader = &self.reader;
        let element = reader.element_path(reader.depth() - usize::from(!empty));
        let message = format!(
            "<{}> appears more than once in <{}>; only <{ITEM}> may repeat",
            reader.name,
            element_name(&element)
        );
        let mut error = reader.error(false, message);
        error.location.element = Some(element);
        DeError::ready(error)
    }
}

impl<'de, S: Source> de::MapAccess<'de> for ChildrenAcc<'_, '_, S> {
    type Error = DeError;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, DeError> {
        let Some((nil, empty)) = self.reader.next_child().map_err(DeError::ready)? else {
            return Ok(None);
        };
        self.child = (nil, empty);
        let name = self.reader.name.as_str();
        self.known = None;
        if let Some(index) = self.fields.iter().position(|field| *field == name) {
            if index < 64 && name != ITEM {
                if self.seen & (1 << index) != 0 {
                    return Err(self.repeated());
                }
                self.seen |= 1 << index;
            }
            self.known = Some(self.fields[index]);
        } else {
            self.other.clear();
            self.other.push_str(name);
        }
        let key = self.known.unwrap_or(&self.other);
        seed.deserialize(KeyDe { key })
            .map(Some)
            .map_err(|e: DeError| e.at(&Path::Key(&self.path, key)))
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, DeError> {
        let ChildrenAcc {
            reader,
            path,
            known,
            other,
            child: (nil, empty),
            ..
        } = self;
        let key = known.unwrap_or(other.as_str());
        let path = Path::Key(path, key);
        seed.deserialize(ElementDe {
            reader,
            path,
            nil: *nil,
            empty: *empty,
        })
        .map_err(|e: DeError| e.at(&path))
    }
}

/// The `<item>` children of a list, read one by one.
struct ItemsAcc<'r, 'p, S> {
    reader: &'r mut XmlReader<S>,
    path: Path<'p>,
    index: usize,
}

impl<'de, S: Source> de::SeqAccess<'de> for ItemsAcc<'_, '_, S> {
    type Error = DeError;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, DeError> {
        let Some((nil, empty)) = self.reader.next_item().map_err(DeError::ready)? else {
            return Ok(None);
        };
        let path = Path::Index(&self.path, self.index);
        self.index += 1;
        seed.deserialize(ElementDe {
            reader: &mut *self.reader,
            path,
            nil,
            empty,
        })
        .map(Some)
        .map_err(|e: DeError| e.at(&path))
    }
}
