//! XML: the value inside a `<response>` root, objects as named children,
//! arrays as `<item>` children.
//!
//! See the crate documentation for the mapping rules. Both directions work
//! on quick-xml events: its serde layer has rules of its own (attributes,
//! `$text`, `$value`) that are not Adsterra's.

use std::io::Read;
use std::marker::PhantomData;

use serde::de::DeserializeOwned;

use crate::Format;
use crate::de::{DeError, Path, Segment, field_path};
use crate::error::{Error, Location, Operation, quote};
use de::{Content, ElementDe, Slice, Stream, Token, XmlReader, is_xml_whitespace};

/// The root element of every Adsterra XML body.
const ROOT: &str = "response";
/// The element name of each array element.
const ITEM: &str = "item";
const BOM: &[u8] = b"\xEF\xBB\xBF";
/// Deepest element nesting accepted. Reading recurses once per level, so an
/// unbounded depth would let a hostile body overflow the stack; Adsterra's
/// bodies are a handful of levels deep. (serde_json uses the same limit.)
const MAX_DEPTH: usize = 128;

mod de;
mod ser;
pub use ser::to_string;

/// Decodes an XML body into `T`.
///
/// The body is read event by event into `T` (no document tree is built), so decoding holds the
/// result and little else.
pub fn from_slice<T: DeserializeOwned>(body: &[u8]) -> Result<T, Error> {
    let mut reader = XmlReader::new(Slice::new(utf8(body)?));
    let (nil, empty) = reader.root_start()?;
    let value = T::deserialize(ElementDe {
        reader: &mut reader,
        path: Path::Root,
        nil,
        empty,
    })
    .map_err(|err| locate(err, reader.root.as_deref().unwrap_or(ROOT)))?;
    reader.epilogue()?;
    Ok(value)
}

/// The body as text, without a byte-order mark.
fn utf8(body: &[u8]) -> Result<&str, Error> {
    let body = body.strip_prefix(BOM).unwrap_or(body);
    std::str::from_utf8(body).map_err(|err| {
        Error::new(
            Format::Xml,
            Operation::Decode,
            Location {
                line: Some(de::line_at(body, err.valid_up_to())),
                ..Location::default()
            },
            format!(
                "the body is not valid UTF-8 (byte {} is not)",
                err.valid_up_to() + 1
            ),
        )
    })
}

/// Reads an XML body one row at a time, each row as a `T`, as the body arrives.
///
/// The rows are the `<item>` children of the root's `<items>` element (the list envelope), or
/// of the root itself (a top-level list); the root's other children are read and left. Only
/// the current row and the path of open elements are held, so a report of any size streams
/// in constant memory. A row that fails to decode yields an `Err` located like a whole-body
/// error (`response/items/item[3]/impressions`, `items[2].impressions`), and reading goes on
/// with the next row; a body that is not well-formed XML ends the iteration after its `Err`.
pub fn rows<T: DeserializeOwned, R: Read>(reader: R) -> Rows<T, R> {
    Rows {
        reader: XmlReader::new(Stream::new(reader)),
        list: None,
        index: 0,
        done: false,
        target: PhantomData,
    }
}

/// Iterator returned by [`rows`].
pub struct Rows<T, R> {
    reader: XmlReader<Stream<R>>,
    /// The depth of the element whose children are the rows, once found.
    list: Option<usize>,
    index: usize,
    done: bool,
    target: PhantomData<fn() -> T>,
}

impl<T, R> std::fmt::Debug for Rows<T, R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Rows")
            .field("rows_read", &self.index)
            .field("done", &self.done)
            .finish_non_exhaustive()
    }
}

impl<T: DeserializeOwned, R: Read> Iterator for Rows<T, R> {
    type Item = Result<T, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let found = match self.list {
            None => self.find_list(),
            Some(_) => self.next_row(),
        };
        match found {
            Ok(Some((nil, empty))) => Some(self.row(nil, empty)),
            Ok(None) => {
                self.done = true;
                None
            }
            Err(error) => {
                self.done = true;
                Some(Err(error))
            }
        }
    }
}

/// A row's start tag: its `(nil, empty)`.
type RowStart = (bool, bool);

impl<T: DeserializeOwned, R: Read> Rows<T, R> {
    /// Reads up to the first row's start tag; `None` when the body holds no rows.
    fn find_list(&mut self) -> Result<Option<RowStart>, Error> {
        let (nil, empty) = self.reader.root_start()?;
        if nil || empty {
            self.reader.skip(empty)?;
            self.reader.epilogue()?;
            return Ok(None);
        }
        match self.list_within()? {
            Some(depth) => {
                self.list = Some(depth);
                self.next_row()
            }
            None => {
                self.reader.epilogue()?;
                Ok(None)
            }
        }
    }

    /// Looks through the root for the rows: its own `<item>` children, or those of its
    /// `<items>` child. The depth of the element that holds them, with the first row's start
    /// tag pending; `None` when there are none (the root is then read to its end).
    fn list_within(&mut self) -> Result<Option<usize>, Error> {
        let reader = &mut self.reader;
        match reader.content()? {
            Content::Text if is_xml_whitespace(&reader.text) => return Ok(None),
            Content::Text => {
                let message = format!("expected a list of rows, found {}", quote(&reader.text));
                return Err(reader.error(false, message));
            }
            Content::Children { mixed: true } => return Err(reader.mixed()),
            Content::Children { mixed: false } if reader.name == ITEM => return Ok(Some(1)),
            Content::Children { mixed: false } => {}
        }
        while let Some((nil, empty)) = reader.next_child()? {
            if reader.name != "items" || nil || empty {
                reader.skip(empty)?;
                continue;
            }
            match reader.content()? {
                Content::Children { mixed: false } => return Ok(Some(2)),
                Content::Children { mixed: true } => return Err(reader.mixed()),
                Content::Text => {}
            }
        }
        Ok(None)
    }

    /// Reads up to the next row's start tag in the open list; at the list's end, reads the
    /// rest of the body and gives `None`.
    fn next_row(&mut self) -> Result<Option<RowStart>, Error> {
        let reader = &mut self.reader;
        if let Some(row) = reader.next_item()? {
            return Ok(Some(row));
        }
        // The list is closed: read what is left of the root, then the end of the body.
        while reader.depth() > 0 {
            reader.text.clear();
            match reader.next()? {
                Token::Start { empty, .. } => reader.skip(empty)?,
                Token::Text { .. } | Token::End => {}
                Token::Eof => return Err(reader.unclosed()),
            }
        }
        reader.epilogue()?;
        Ok(None)
    }

    /// Decodes the row whose start tag was just read.
    fn row(&mut self, nil: bool, empty: bool) -> Result<T, Error> {
        let depth = self.list.unwrap_or(1);
        let index = self.index;
        self.index += 1;
        let root = Path::Root;
        let items = Path::Key(&root, "items");
        let list = if depth == 1 { root } else { items };
        let result = T::deserialize(ElementDe {
            reader: &mut self.reader,
            path: Path::Index(&list, index),
            nil,
            empty,
        });
        result.map_err(|err| {
            let error = locate(err, self.reader.root.as_deref().unwrap_or(ROOT));
            if self.reader.broken {
                self.done = true;
                return error;
            }
            // Read on to the end of the row that failed, so the next one can be read.
            while self.reader.depth() > depth {
                self.reader.text.clear();
                match self.reader.next() {
                    Ok(Token::Eof) | Err(_) => {
                        self.done = true;
                        break;
                    }
                    Ok(_) => {}
                }
            }
            error
        })
    }
}

/// Adds the element path to a typed-decoding error.
fn locate(err: DeError, root_name: &str) -> Error {
    let err = err.into_failure();
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tree::Node;

    /// The body's root element as a tree, as an untyped target sees it.
    fn parse(body: &[u8]) -> Result<(String, Node), Error> {
        let mut reader = XmlReader::new(Slice::new(utf8(body)?));
        let (nil, empty) = reader.root_start()?;
        let node = reader.element(nil, empty)?;
        reader.epilogue()?;
        Ok((reader.root.clone().unwrap_or_default(), node))
    }

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
        let err = parse(b"<response><items><item><a>1</a>").unwrap_err();
        assert!(err.message.contains("before <item> is closed"), "{err}");
    }

    #[test]
    fn nesting_is_bounded_so_hostile_depth_cannot_overflow_the_stack() {
        let deep = |levels: usize| "<a>".repeat(levels) + &"</a>".repeat(levels);
        assert!(parse(deep(MAX_DEPTH).as_bytes()).is_ok());
        let err = parse(deep(100_000).as_bytes()).unwrap_err();
        assert!(err.message.contains("more than 128 levels"), "{err}");
    }
}
