//! XML: the value inside a `<response>` root, objects as named children,
//! arrays as `<item>` children.
//!
//! See the crate documentation for the mapping rules. Both directions work
//! on quick-xml events: its serde layer has rules of its own (attributes,
//! `$text`, `$value`) that are not Adsterra's.

use std::borrow::Cow;
use std::collections::HashSet;

use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use quick_xml::reader::Reader;
use serde::de::DeserializeOwned;
use serde_json::Value;

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

/// Encodes a JSON value as an Adsterra XML body.
///
/// Fails only on an object key that cannot be an XML element name.
pub fn to_string(value: &Value) -> Result<String, Error> {
    let mut writer = Writer::new_with_indent(Vec::new(), b' ', 2);
    emit(
        &mut writer,
        Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)),
    )?;
    let mut path = vec![ROOT.to_owned()];
    write_element(&mut writer, ROOT, value, &mut path)?;
    let mut body = String::from_utf8(writer.into_inner()).map_err(|err| {
        encode_error(
            Location::default(),
            format!("the XML writer produced invalid UTF-8: {err}"),
        )
    })?;
    body.push('\n');
    Ok(body)
}

fn write_element(
    writer: &mut Writer<Vec<u8>>,
    name: &str,
    value: &Value,
    path: &mut Vec<String>,
) -> Result<(), Error> {
    match value {
        Value::Null => emit(
            writer,
            Event::Empty(BytesStart::new(name).with_attributes([("nil", "true")])),
        ),
        Value::Bool(b) => write_leaf(writer, name, if *b { "true" } else { "false" }),
        Value::Number(n) => write_leaf(writer, name, &n.to_string()),
        Value::String(s) => write_leaf(writer, name, &escape_text(s)),
        Value::Array(items) if items.is_empty() => {
            emit(writer, Event::Empty(BytesStart::new(name)))
        }
        Value::Object(map) if map.is_empty() => emit(writer, Event::Empty(BytesStart::new(name))),
        Value::Array(items) => {
            emit(writer, Event::Start(BytesStart::new(name)))?;
            for (index, item) in items.iter().enumerate() {
                path.push(format!("{ITEM}[{}]", index + 1));
                write_element(writer, ITEM, item, path)?;
                path.pop();
            }
            emit(writer, Event::End(BytesEnd::new(name)))
        }
        Value::Object(map) => {
            emit(writer, Event::Start(BytesStart::new(name)))?;
            for (key, child) in map {
                if !is_xml_name(key) {
                    return Err(encode_error(
                        Location {
                            element: Some(path.join("/")),
                            ..Location::default()
                        },
                        format!("the key {} is not a valid XML element name", quote(key)),
                    ));
                }
                path.push(key.clone());
                write_element(writer, key, child, path)?;
                path.pop();
            }
            emit(writer, Event::End(BytesEnd::new(name)))
        }
    }
}

/// Writes `<name>text</name>` on one line. The text event between start and
/// end also keeps the indenting writer from breaking the line before the end
/// tag, which would put layout whitespace into the value (`""` must stay
/// `<name></name>`).
fn write_leaf(writer: &mut Writer<Vec<u8>>, name: &str, escaped: &str) -> Result<(), Error> {
    emit(writer, Event::Start(BytesStart::new(name)))?;
    emit(writer, Event::Text(BytesText::from_escaped(escaped)))?;
    emit(writer, Event::End(BytesEnd::new(name)))
}

fn emit(writer: &mut Writer<Vec<u8>>, event: Event<'_>) -> Result<(), Error> {
    writer
        .write_event(event)
        .map_err(|err| encode_error(Location::default(), format!("the XML writer failed: {err}")))
}

fn encode_error(location: Location, message: impl Into<String>) -> Error {
    Error::new(Format::Xml, Operation::Encode, location, message)
}

/// Escapes text content so that it reads back exactly.
///
/// `<`, `>` (which also breaks `]]>`) and `&` are escaped as entities; `\r` as
/// `&#13;` because XML parsers turn raw carriage returns into `\n`. Characters
/// XML 1.0 cannot carry at all (C0 controls other than tab and line feed,
/// U+FFFE, U+FFFF) are written as numeric references so that no value is
/// lost; this crate reads them back, strict XML 1.0 parsers reject them.
fn escape_text(text: &str) -> Cow<'_, str> {
    if !text
        .chars()
        .any(|c| matches!(c, '<' | '>' | '&' | '\r') || !is_xml_char(c))
    {
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
    use serde_json::json;

    use super::*;

    fn tree(body: &str) -> Node {
        parse(body.as_bytes()).unwrap().1
    }

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
