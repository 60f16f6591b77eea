//! XML: the value inside a `<response>` root, objects as named children,
//! arrays as `<item>` children.
//!
//! See the crate documentation for the mapping rules. Both directions work
//! on quick-xml events: its serde layer has rules of its own (attributes,
//! `$text`, `$value`) that are not Adsterra's.

use std::borrow::Cow;
use std::collections::HashSet;

use quick_xml::events::{BytesStart, Event};
use quick_xml::reader::Reader;
use serde::de::DeserializeOwned;

use crate::Format;
use crate::de::{DeError, Dialect, Segment, field_path, from_node};
use crate::error::{Error, Location, Operation, quote};
use crate::tree::Node;

/// The root element of every Adsterra XML body.
const ROOT: &str = "response";
/// The element name of each array element.
const ITEM: &str = "item";
const BOM: &[u8] = b"\xEF\xBB\xBF";
/// Deepest element nesting accepted. Reading recurses once per level, so an
/// unbounded depth would let a hostile body overflow the stack; Adsterra's
/// bodies are a handful of levels deep. (serde_json uses the same limit.)
const MAX_DEPTH: usize = 128;

mod ser;
pub use ser::to_string;

/// Decodes an XML body into `T`.
pub fn from_slice<T: DeserializeOwned>(body: &[u8]) -> Result<T, Error> {
    let (root_name, root) = parse(body)?;
    from_node(&root, Dialect::Xml).map_err(|err| locate(err, &root_name))
}

/// Adds the element path to a typed-decoding error.
fn locate(err: DeError, root_name: &str) -> Error {
    if let Some(ready) = err.ready {
        return *ready;
    }
    let segments = err.segments();
    let mut element = root_name.to_owned();
    for segment in segments {
        match segment {
            Segment::Key(key) => {
                element.push('/');
                element.push_str(key);
            }
            Segment::Index(index) => element.push_str(&format!("/{ITEM}[{}]", index + 1)),
        }
    }
    let field = (!segments.is_empty()).then(|| field_path(segments));
    Error::new(
        Format::Xml,
        Operation::Decode,
        Location {
            element: Some(element),
            field,
            ..Location::default()
        },
        err.message,
    )
}

/// An element being read.
struct Frame {
    name: String,
    /// How errors name it: `item[3]` for list elements, else its name.
    label: String,
    nil: bool,
    /// All character data, layout included.
    text: String,
    /// True once the text holds more than XML whitespace, a CDATA section or
    /// a reference: then it is content, not layout.
    has_content: bool,
    children: Vec<(String, Node)>,
    items_seen: usize,
}

impl Frame {
    fn push_text(&mut self, text: &str, is_content: bool) {
        self.text.push_str(text);
        self.has_content |= is_content || !is_xml_whitespace(text);
    }
}

fn is_xml_whitespace(text: &str) -> bool {
    text.chars().all(|c| matches!(c, ' ' | '\t' | '\r' | '\n'))
}

/// Parses a body into its root element name and the tree of its content.
fn parse(body: &[u8]) -> Result<(String, Node), Error> {
    let body = body.strip_prefix(BOM).unwrap_or(body);
    let text = std::str::from_utf8(body).map_err(|err| {
        Error::new(
            Format::Xml,
            Operation::Decode,
            Location {
                line: Some(line_at(body, err.valid_up_to())),
                ..Location::default()
            },
            format!(
                "the body is not valid UTF-8 (byte {} is not)",
                err.valid_up_to() + 1
            ),
        )
    })?;
    let mut reader = Reader::from_str(text);
    let mut parser = Parser {
        text,
        stack: Vec::new(),
        root: None,
    };
    loop {
        let event = match reader.read_event() {
            Ok(event) => event,
            Err(err) => {
                let at = usize::try_from(reader.error_position()).unwrap_or(usize::MAX);
                return Err(parser.error(at, err.to_string()));
            }
        };
        let at = usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX);
        match event {
            Event::Start(start) => {
                let frame = parser.open(&start, at)?;
                parser.stack.push(frame);
            }
            Event::Empty(start) => {
                let frame = parser.open(&start, at)?;
                parser.close(frame, at)?;
            }
            Event::End(_) => match parser.stack.pop() {
                Some(frame) => parser.close(frame, at)?,
                None => return Err(parser.error(at, "an end tag closes nothing")),
            },
            Event::Text(chars) => parser.text(&chars.xml10_content(), false, at)?,
            Event::CData(chars) => parser.text(&chars.xml10_content(), true, at)?,
            Event::GeneralRef(reference) => {
                let resolved = resolve_reference(&reference).ok_or_else(|| {
                    parser.error(
                        at,
                        format!("unknown entity or character reference &{};", &*reference),
                    )
                })?;
                parser.text(&resolved, true, at)?;
            }
            Event::Eof => break,
            // Declarations, comments, processing instructions and DOCTYPEs
            // carry no data.
            Event::Decl(_) | Event::Comment(_) | Event::PI(_) | Event::DocType(_) => {}
        }
    }
    if let Some(frame) = parser.stack.last() {
        let message = format!("the body ends before <{}> is closed", frame.name);
        return Err(parser.error(text.len(), message));
    }
    parser
        .root
        .ok_or_else(|| Error::decode(Format::Xml, "the body holds no XML element"))
}

struct Parser<'t> {
    text: &'t str,
    stack: Vec<Frame>,
    root: Option<(String, Node)>,
}

impl Parser<'_> {
    fn element_path(&self) -> Option<String> {
        (!self.stack.is_empty()).then(|| {
            self.stack
                .iter()
                .map(|f| f.label.as_str())
                .collect::<Vec<_>>()
                .join("/")
        })
    }

    fn error(&self, at: usize, message: impl Into<String>) -> Error {
        Error::new(
            Format::Xml,
            Operation::Decode,
            Location {
                line: Some(line_at(self.text.as_bytes(), at)),
                element: self.element_path(),
                ..Location::default()
            },
            message,
        )
    }

    fn open(&mut self, start: &BytesStart<'_>, at: usize) -> Result<Frame, Error> {
        let name = start.name().as_ref().to_owned();
        if self.stack.len() >= MAX_DEPTH {
            return Err(self.error(
                at,
                format!("elements are nested more than {MAX_DEPTH} levels deep"),
            ));
        }
        if self.stack.is_empty() && self.root.is_some() {
            return Err(self.error(
                at,
                format!("a second root element <{name}>; a body holds exactly one"),
            ));
        }
        let mut nil = false;
        for attribute in start.attributes() {
            let attribute = attribute
                .map_err(|err| self.error(at, format!("bad attribute in <{name}>: {err}")))?;
            if attribute.key.local_name().as_ref() == "nil" && attribute.value.trim() == "true" {
                nil = true;
            }
        }
        let label = match self.stack.last_mut() {
            Some(parent) if name == ITEM => {
                parent.items_seen += 1;
                format!("{ITEM}[{}]", parent.items_seen)
            }
            _ => name.clone(),
        };
        Ok(Frame {
            name,
            label,
            nil,
            text: String::new(),
            has_content: false,
            children: Vec::new(),
            items_seen: 0,
        })
    }

    fn text(&mut self, text: &str, is_content: bool, at: usize) -> Result<(), Error> {
        match self.stack.last_mut() {
            Some(frame) => {
                frame.push_text(text, is_content);
                Ok(())
            }
            None if !is_content && is_xml_whitespace(text) => Ok(()),
            None => Err(self.error(
                at,
                format!("text outside the root element: {}", quote(text)),
            )),
        }
    }

    /// Turns a finished element into a node and hands it to its parent.
    fn close(&mut self, frame: Frame, at: usize) -> Result<(), Error> {
        let node = if frame.nil {
            Node::Null
        } else if frame.children.is_empty() {
            // Text-only: kept exactly, spaces and all.
            Node::Text(frame.text)
        } else if frame.has_content {
            let message = format!(
                "<{}> mixes text {} with child elements",
                frame.name,
                quote(frame.text.trim())
            );
            self.stack.push(frame);
            return Err(self.error(at, message));
        } else if frame.children.iter().all(|(name, _)| name == ITEM) {
            Node::List(frame.children.into_iter().map(|(_, node)| node).collect())
        } else {
            let mut names = HashSet::new();
            if let Some((repeated, _)) = frame
                .children
                .iter()
                .find(|(name, _)| !names.insert(name.as_str()))
            {
                let message = format!(
                    "<{repeated}> appears more than once in <{}>; only <{ITEM}> may repeat",
                    frame.name
                );
                self.stack.push(frame);
                return Err(self.error(at, message));
            }
            Node::Map(frame.children)
        };
        match self.stack.last_mut() {
            Some(parent) => parent.children.push((frame.name, node)),
            None => self.root = Some((frame.name, node)),
        }
        Ok(())
    }
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

/// 1-based line of a byte offset.
fn line_at(bytes: &[u8], offset: usize) -> u64 {
    let end = offset.min(bytes.len());
    bytes[..end].iter().filter(|b| **b == b'\n').count() as u64 + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(body: &str) -> Node {
        parse(body.as_bytes()).unwrap().1
    }

    #[test]
    fn layout_whitespace_is_dropped_but_leaf_text_is_kept_exactly() {
        let node = tree("<response>\n  <a>  padded  </a>\n  <b>\n</b>\n  <c/>\n</response>");
        assert_eq!(
            node,
            Node::Map(vec![
                ("a".into(), Node::Text("  padded  ".into())),
                ("b".into(), Node::Text("\n".into())),
                ("c".into(), Node::Text(String::new())),
            ])
        );
    }

    #[test]
    fn items_make_lists_nil_makes_null_and_references_resolve() {
        let node = tree(
            "<r><l><item>1</item><item nil=\"true\"/></l><t>&lt;&#x41;&#66;<![CDATA[<&>]]></t></r>",
        );
        assert_eq!(
            node,
            Node::Map(vec![
                (
                    "l".into(),
                    Node::List(vec![Node::Text("1".into()), Node::Null])
                ),
                ("t".into(), Node::Text("<AB<&>".into())),
            ])
        );
    }

    #[test]
    fn structural_errors_name_the_element() {
        let err = parse(b"<response><items><item><a>1</a><a>2</a></item></items></response>")
            .unwrap_err();
        assert_eq!(
            err.location.element.as_deref(),
            Some("response/items/item[1]")
        );
        assert!(err.message.contains("<a> appears more than once"), "{err}");

        let err = parse(b"<response><a>x<b/></a></response>").unwrap_err();
        assert_eq!(err.location.element.as_deref(), Some("response/a"));

        let err = parse(b"<response>\n<a>1</b></response>").unwrap_err();
        assert_eq!(err.location.line, Some(2));

        let err = parse(b"<response/><response/>").unwrap_err();
        assert!(err.message.contains("second root element"), "{err}");

        let err = parse(b"<response><a>&nope;</a></response>").unwrap_err();
        assert!(err.message.contains("&nope;"), "{err}");

        let err = parse(b"  ").unwrap_err();
        assert_eq!(
            err.to_string(),
            "cannot decode XML: the body holds no XML element"
        );

        let err = parse(b"<response><a>").unwrap_err();
        assert!(err.message.contains("before <a> is closed"), "{err}");
    }

    #[test]
    fn nesting_is_bounded_so_hostile_depth_cannot_overflow_the_stack() {
        let deep = |levels: usize| "<a>".repeat(levels) + &"</a>".repeat(levels);
        assert!(parse(deep(MAX_DEPTH).as_bytes()).is_ok());
        let err = parse(deep(100_000).as_bytes()).unwrap_err();
        assert!(err.message.contains("more than 128 levels"), "{err}");
    }
}
