//! Applying an OpenAPI Overlay to the hand-written spec *in place*: the YAML text keeps its
//! layout, comments, blank lines and every untouched byte, and only the lines an action concerns
//! change ([`apply_in_place`]; [`rewrite`] is the same edit towards any wanted value).
//!
//! How: the text is read into a value, the overlay is applied to a copy (the model, by
//! `adsterra_openapi::overlay`), and the two values are compared tree against tree. Each
//! difference (a changed scalar, a mapping key added or removed, sequence entries added or
//! removed) is spliced into the text at the place a position-keeping YAML parser
//! (`saphyr-parser`) found for it: new entries go after the last entry of their mapping or
//! sequence, at its indentation, in the house style (block collections, two-space steps, long
//! texts folded with `>-` at 100 columns); a removed entry takes exactly its lines; a scalar
//! written as a block is re-emitted as one; a collection the spec already holds elsewhere (what
//! a `copy` brings) is written with the lines it has there, comments included. The edited text
//! is then read again and must equal the model, or nothing is returned: a wrong file is never
//! produced. Anchors, aliases and complex keys are refused (the spec has none).
//!
//! It must not decide what an overlay means (that is `adsterra_openapi::overlay`), and, like
//! the rest of codegen, it writes no file and prints nothing (`cargo xtask spec apply` does).

use std::ops::Range;

pub use adsterra_openapi::overlay::{ActionReport, ApplyReport, Overlay, OverlayError};
use saphyr_parser::{Event, Parser, ScalarStyle, Span};
use serde_json::{Map, Value};
use similar::{Algorithm, DiffTag};

use crate::load::{LoadError, load_str};

/// The widest line a long text is folded to: the spec's own margin.
const WIDTH: usize = 100;

/// The indentation of one nesting level in the spec.
const STEP: usize = 2;

/// How the spec is named in errors.
const ORIGIN: &str = "the spec";

/// The spec text after an overlay, and what changed.
#[derive(Debug, Clone)]
pub struct Edited {
    /// The edited text (the input, byte for byte, when nothing changed).
    pub text: String,
    /// The document the overlay produced, which `text` reads as.
    pub model: Value,
    /// What each action matched and changed.
    pub report: ApplyReport,
    /// Lines of the input that are gone or replaced.
    pub lines_removed: usize,
    /// Lines of the output that are new or replacements.
    pub lines_added: usize,
    /// `lines_removed + lines_added`: the size of the line diff.
    pub changed_lines: usize,
}

/// Why an overlay could not be applied in place. Nothing is returned to write in any case.
#[derive(Debug, thiserror::Error)]
pub enum OverlayTextError {
    /// The text is not a YAML mapping.
    #[error(transparent)]
    Load(#[from] LoadError),
    /// The overlay is invalid, or cannot be applied to this document.
    #[error(transparent)]
    Overlay(#[from] OverlayError),
    /// The text holds something this editor does not edit (an alias, a complex key, ...).
    #[error(
        "{ORIGIN} cannot be edited in place at {}: {reason}; make this change by hand",
        place(.pointer)
    )]
    Layout {
        /// The JSON pointer of the node.
        pointer: String,
        /// What is in the way.
        reason: String,
    },
    /// The spliced text would not read as the overlay's result: a bug of this module, caught
    /// before anything is written.
    #[error(
        "applying the overlay in place would make {ORIGIN} read differently from the overlay's \
         result at {}{detail}; nothing was changed: make this change by hand, and report the \
         overlay (this is a bug of codegen's overlay_text)",
        place(.pointer)
    )]
    Mismatch {
        /// The JSON pointer of the first difference (empty: the whole document).
        pointer: String,
        /// The reader's complaint, when the text no longer reads at all.
        detail: String,
    },
}

/// A JSON pointer as errors show it.
fn place(pointer: &str) -> String {
    match pointer {
        "" => "the top of the document".to_owned(),
        pointer => format!("`{pointer}`"),
    }
}

/// Reads an overlay from YAML or JSON text (`origin` names it in errors) and checks it.
pub fn read_overlay(text: &str, origin: &str) -> Result<Overlay, OverlayTextError> {
    let value: Value = serde_yaml_ng::from_str(text).map_err(|source| LoadError::Yaml {
        origin: origin.to_owned(),
        source,
    })?;
    Ok(Overlay::from_value(value)?)
}

/// Applies `overlay` to the spec `text`, changing only the lines its actions concern.
pub fn apply_in_place(text: &str, overlay: &Overlay) -> Result<Edited, OverlayTextError> {
    let before = load_str(text, ORIGIN)?;
    let mut model = before.clone();
    let report = overlay.apply(&mut model)?;
    let edited = splice(text, &before, &model)?;
    let (lines_removed, lines_added) = line_changes(text, &edited);
    Ok(Edited {
        text: edited,
        model,
        report,
        lines_removed,
        lines_added,
        changed_lines: lines_removed + lines_added,
    })
}

/// Edits `text` so that it reads as `wanted`, keeping every line that need not change.
pub fn rewrite(text: &str, wanted: &Value) -> Result<String, OverlayTextError> {
    splice(text, &load_str(text, ORIGIN)?, wanted)
}

fn splice(text: &str, before: &Value, wanted: &Value) -> Result<String, OverlayTextError> {
    if first_difference(before, wanted, String::new()).is_none() {
        return Ok(text.to_owned());
    }
    let index = Text::new(text);
    let root = Reader::read(&index).map_err(|reason| layout("", reason))?;
    let mut splicer = Splicer {
        text: &index,
        edits: Vec::new(),
        writer: Writer {
            text: &index,
            root: &root,
            before,
        },
    };
    splicer.diff(&root, Slot::Root, before, wanted, "")?;
    let edited = splicer.finish()?;
    let reread = load_str(&edited, ORIGIN).map_err(|error| OverlayTextError::Mismatch {
        pointer: String::new(),
        detail: format!(" ({error})"),
    })?;
    match first_difference(&reread, wanted, String::new()) {
        None => Ok(edited),
        Some(pointer) => Err(OverlayTextError::Mismatch {
            pointer,
            detail: String::new(),
        }),
    }
}

fn layout(pointer: &str, reason: impl Into<String>) -> OverlayTextError {
    OverlayTextError::Layout {
        pointer: pointer.to_owned(),
        reason: reason.into(),
    }
}

/// The lines removed and added between two texts.
fn line_changes(old: &str, new: &str) -> (usize, usize) {
    let diff = similar::TextDiff::from_lines(old, new);
    diff.ops().iter().fold((0, 0), |(removed, added), op| {
        let (tag, old, new) = op.as_tag_tuple();
        match tag {
            DiffTag::Equal => (removed, added),
            _ => (removed + old.len(), added + new.len()),
        }
    })
}

/// The pointer of the first place where two values differ, member order included (serde_json's
/// `==` ignores the order of an object's members, and the spec's order is part of its text).
fn first_difference(a: &Value, b: &Value, at: String) -> Option<String> {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            if !x.keys().eq(y.keys()) {
                return Some(at);
            }
            x.iter().find_map(|(key, value)| {
                first_difference(value, &y[key], crate::pointer::join_under(&at, [key]))
            })
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => x
            .iter()
            .zip(y)
            .enumerate()
            .find_map(|(index, (p, q))| first_difference(p, q, format!("{at}/{index}"))),
        _ => (a != b).then_some(at),
    }
}

// ------------------------------------------------------------------------------ the text

/// The text with what positions need: the byte offset of every character (the parser counts
/// characters, and the spec has a few that take more than a byte).
struct Text<'t> {
    text: &'t str,
    bytes_at: Vec<usize>,
}

impl<'t> Text<'t> {
    fn new(text: &'t str) -> Self {
        let mut bytes_at: Vec<usize> = text.char_indices().map(|(at, _)| at).collect();
        bytes_at.push(text.len());
        Self { text, bytes_at }
    }

    fn byte(&self, span_index: usize) -> usize {
        self.bytes_at[span_index.min(self.bytes_at.len() - 1)]
    }

    fn line_start(&self, at: usize) -> usize {
        self.text[..at].rfind('\n').map_or(0, |newline| newline + 1)
    }

    /// Where the line holding `at` ends, after its newline.
    fn line_after(&self, at: usize) -> usize {
        self.text[at..]
            .find('\n')
            .map_or(self.text.len(), |newline| at + newline + 1)
    }

    fn column(&self, at: usize) -> usize {
        self.text[self.line_start(at)..at].chars().count()
    }

    /// Whether only indentation precedes `at` on its line.
    fn begins_line(&self, at: usize) -> bool {
        self.text[self.line_start(at)..at]
            .bytes()
            .all(|b| b == b' ')
    }
}

// ------------------------------------------------------------------------------ the tree

/// A node of the text: where it is, and its shape. `end` is just after its last character (for
/// a block scalar, the end of its last line), never after the comments or blank lines that
/// follow it.
struct Node {
    start: usize,
    end: usize,
    shape: Shape,
}

enum Shape {
    Scalar { block: bool },
    Map { flow: bool, entries: Vec<Entry> },
    Seq { flow: bool, items: Vec<Item> },
}

struct Entry {
    key: String,
    key_start: usize,
    key_end: usize,
    value: Node,
}

struct Item {
    /// The `-` of a block sequence's entry (unused in a flow sequence).
    dash: usize,
    value: Node,
}

/// Builds the tree from the parser's events.
struct Reader<'r, 't> {
    text: &'r Text<'t>,
    events: Vec<(Event<'t>, Span)>,
    next: usize,
}

impl<'r, 't> Reader<'r, 't> {
    fn read(text: &'r Text<'t>) -> Result<Node, String> {
        let mut parser = Parser::new_from_str(text.text);
        let mut events = Vec::new();
        while let Some(event) = parser.next_event() {
            events.push(event.map_err(|error| format!("the YAML parser says: {error}"))?);
        }
        let mut reader = Reader {
            text,
            events,
            next: 0,
        };
        while matches!(
            reader.peek(),
            Some(Event::StreamStart | Event::DocumentStart(_))
        ) {
            reader.next += 1;
        }
        let root = reader.node()?;
        let rest = &reader.events[reader.next..];
        if rest
            .iter()
            .any(|(event, _)| matches!(event, Event::DocumentStart(_)))
        {
            return Err("the file holds more than one YAML document".to_owned());
        }
        Ok(root)
    }

    fn peek(&self) -> Option<&Event<'t>> {
        self.events.get(self.next).map(|(event, _)| event)
    }

    fn take(&mut self) -> Result<(Event<'t>, Span), String> {
        let event = self.events.get(self.next).cloned();
        self.next += 1;
        event.ok_or_else(|| "the YAML ends early".to_owned())
    }

    fn node(&mut self) -> Result<Node, String> {
        let (event, span) = self.take()?;
        match event {
            Event::Scalar(_, style, 0, _) => Ok(self.scalar(style, span)),
            Event::MappingStart(0, _) => self.mapping(span),
            Event::SequenceStart(0, _) => self.sequence(span),
            Event::Alias(_)
            | Event::Scalar(..)
            | Event::MappingStart(..)
            | Event::SequenceStart(..) => Err(format!(
                "line {}: anchors and aliases (`&name`, `*name`) are not edited",
                span.start.line()
            )),
            other => Err(format!("line {}: unexpected {other:?}", span.start.line())),
        }
    }

    fn scalar(&self, style: ScalarStyle, span: Span) -> Node {
        let text = self.text.text;
        let mut start = self.text.byte(span.start.index());
        let mut end = self.text.byte(span.end.index());
        let block = matches!(style, ScalarStyle::Literal | ScalarStyle::Folded);
        if block {
            // The parser's span runs on to the next token; the scalar ends with its last line.
            end = text[..end].trim_end().len();
            end += text[end..].find('\n').unwrap_or(text.len() - end);
            start = start.min(end);
        } else if start == end && text[start..].starts_with(':') {
            // An empty value (`key:`) is reported at its colon; it sits after it.
            start += 1;
            end = start;
        }
        Node {
            start,
            end,
            shape: Shape::Scalar { block },
        }
    }

    fn mapping(&mut self, span: Span) -> Result<Node, String> {
        let start = self.text.byte(span.start.index());
        let flow = self.text.text[start..].starts_with('{');
        let mut entries = Vec::new();
        loop {
            if matches!(self.peek(), Some(Event::MappingEnd)) {
                let (_, end_span) = self.take()?;
                let end = match (flow, entries.last()) {
                    (false, Some(Entry { value, .. })) => value.end,
                    _ => self.text.byte(end_span.end.index()),
                };
                let shape = Shape::Map { flow, entries };
                return Ok(Node { start, end, shape });
            }
            let (event, key_span) = self.take()?;
            let Event::Scalar(key, ..) = event else {
                let line = key_span.start.line();
                return Err(format!(
                    "line {line}: a mapping key that is not a scalar (`? ...`)"
                ));
            };
            let value = self.node()?;
            entries.push(Entry {
                key: key.into_owned(),
                key_start: self.text.byte(key_span.start.index()),
                key_end: self.text.byte(key_span.end.index()),
                value,
            });
        }
    }

    fn sequence(&mut self, span: Span) -> Result<Node, String> {
        let start = self.text.byte(span.start.index());
        let flow = self.text.text[start..].starts_with('[');
        let column = self.text.column(start);
        let mut items = Vec::new();
        loop {
            if matches!(self.peek(), Some(Event::SequenceEnd)) {
                let (_, end_span) = self.take()?;
                let end = match (flow, items.last()) {
                    (false, Some(Item { value, .. })) => value.end,
                    _ => self.text.byte(end_span.end.index()),
                };
                let shape = Shape::Seq { flow, items };
                return Ok(Node { start, end, shape });
            }
            let value = self.node()?;
            let dash = if flow {
                value.start
            } else {
                self.dash(value.start, column).ok_or_else(|| {
                    let line = self.text.text[..value.start].matches('\n').count() + 1;
                    format!("line {line}: a sequence entry whose `-` cannot be found")
                })?
            };
            items.push(Item { dash, value });
        }
    }

    /// The `-` of a block sequence's entry: on the line of the entry's value or above it (a
    /// block scalar starts below its dash), at the sequence's column, after indentation or the
    /// dashes of enclosing entries (`- - item`).
    fn dash(&self, value_start: usize, column: usize) -> Option<usize> {
        let mut line = self.text.line_start(value_start);
        loop {
            let mut chars = self.text.text[line..].char_indices();
            let indented = chars
                .by_ref()
                .take(column)
                .all(|(_, c)| c == ' ' || c == '-');
            if indented
                && let Some((at, '-')) = chars.next()
                && matches!(chars.next(), None | Some((_, ' ' | '\n' | '\r')))
            {
                return Some(line + at);
            }
            if line == 0 {
                return None;
            }
            line = self.text.line_start(line - 1);
        }
    }
}

// ------------------------------------------------------------------------------ the edits

/// Where a node hangs: the document itself, after a key's colon, or after a sequence's dash.
#[derive(Clone, Copy)]
enum Slot {
    Root,
    Value { key_start: usize, key_end: usize },
    Item { dash: usize },
}

/// A replacement of `start..end` by `text`; `order` keeps insertions at one place in the order
/// they were found (an inner mapping's new key before its parent's).
struct Edit {
    start: usize,
    end: usize,
    order: usize,
    text: String,
}

struct Splicer<'s, 't> {
    text: &'s Text<'t>,
    edits: Vec<Edit>,
    writer: Writer<'s, 't>,
}

impl Splicer<'_, '_> {
    fn push(&mut self, range: Range<usize>, text: String) {
        let order = self.edits.len();
        self.edits.push(Edit {
            start: range.start,
            end: range.end,
            order,
            text,
        });
    }

    /// Records the edits that turn `node` (which reads as `before`) into `after`.
    fn diff(
        &mut self,
        node: &Node,
        slot: Slot,
        before: &Value,
        after: &Value,
        at: &str,
    ) -> Result<(), OverlayTextError> {
        if first_difference(before, after, String::new()).is_none() {
            return Ok(());
        }
        match (&node.shape, before, after) {
            (
                Shape::Map {
                    flow: false,
                    entries,
                },
                Value::Object(b),
                Value::Object(a),
            ) if !a.is_empty() => self.diff_map(node, slot, entries, b, a, at),
            (Shape::Seq { flow: false, items }, Value::Array(b), Value::Array(a))
                if !a.is_empty() =>
            {
                self.diff_seq(node, slot, items, b, a, at)
            }
            _ => self.replace(node, slot, after, at),
        }
    }

    fn diff_map(
        &mut self,
        node: &Node,
        slot: Slot,
        entries: &[Entry],
        before: &Map<String, Value>,
        after: &Map<String, Value>,
        at: &str,
    ) -> Result<(), OverlayTextError> {
        let keys_agree = !entries.is_empty()
            && entries.len() == before.len()
            && entries
                .iter()
                .zip(before.keys())
                .all(|(entry, key)| entry.key == *key);
        if !keys_agree {
            return Err(layout(
                at,
                "its keys read differently (a duplicate or merge key?)",
            ));
        }
        let old: Vec<&String> = before.keys().collect();
        let new: Vec<&String> = after.keys().collect();
        let ops = similar::capture_diff_slices(Algorithm::Myers, &old, &new);
        // The first key of a `- key: value` entry shares the dash's line: it cannot lose or
        // gain lines of its own, so such a mapping is written again whole.
        let compact = !self.text.begins_line(entries[0].key_start);
        let moves_first = ops
            .iter()
            .any(|op| op.tag() != DiffTag::Equal && op.old_range().start == 0);
        if compact && moves_first {
            return self.replace(node, slot, &Value::Object(after.clone()), at);
        }
        let column = self.text.column(entries[0].key_start);
        for op in ops {
            let (tag, olds, news) = op.as_tag_tuple();
            if tag == DiffTag::Equal {
                for (entry, key) in olds.map(|i| &entries[i]).zip(&new[news]) {
                    let slot = Slot::Value {
                        key_start: entry.key_start,
                        key_end: entry.key_end,
                    };
                    let at = crate::pointer::join_under(at, [key.as_str()]);
                    self.diff(&entry.value, slot, &before[*key], &after[*key], &at)?;
                }
                continue;
            }
            for entry in &entries[olds.clone()] {
                self.delete_lines(entry.key_start, entry.value.end);
            }
            if !news.is_empty() {
                let anchor = match olds.start {
                    0 => self.text.line_start(entries[0].key_start),
                    p => self.text.line_after(entries[p - 1].value.end),
                };
                let added: Map<String, Value> = new[news]
                    .iter()
                    .map(|key| ((*key).clone(), after[*key].clone()))
                    .collect();
                self.insert(anchor, self.writer.block_map(&added, column));
            }
        }
        Ok(())
    }

    fn diff_seq(
        &mut self,
        node: &Node,
        slot: Slot,
        items: &[Item],
        before: &[Value],
        after: &[Value],
        at: &str,
    ) -> Result<(), OverlayTextError> {
        if items.is_empty() || items.len() != before.len() {
            return Err(layout(at, "its entries read differently"));
        }
        let old: Vec<String> = before.iter().map(Value::to_string).collect();
        let new: Vec<String> = after.iter().map(Value::to_string).collect();
        let ops = similar::capture_diff_slices(Algorithm::Myers, &old, &new);
        // A nested `- - item` shares its dash's line with its parent's dash.
        if items.iter().any(|item| !self.text.begins_line(item.dash)) {
            return self.replace(node, slot, &Value::Array(after.to_vec()), at);
        }
        let column = self.text.column(items[0].dash);
        for op in ops {
            let (tag, olds, news) = op.as_tag_tuple();
            if tag == DiffTag::Equal {
                continue;
            }
            // Entries changed in place (an update merged into a parameter) are edited inside;
            // the rest of the range is removed or added.
            let paired = olds.len().min(news.len());
            for k in 0..paired {
                let item = &items[olds.start + k];
                let slot = Slot::Item { dash: item.dash };
                let (i, j) = (olds.start + k, news.start + k);
                self.diff(
                    &item.value,
                    slot,
                    &before[i],
                    &after[j],
                    &format!("{at}/{i}"),
                )?;
            }
            for item in &items[olds.start + paired..olds.end] {
                self.delete_lines(item.dash, item.value.end);
            }
            if news.len() > paired {
                let p = olds.start + paired;
                let anchor = match p {
                    0 => self.text.line_start(items[0].dash),
                    p => self.text.line_after(items[p - 1].value.end),
                };
                let added = &after[news.start + paired..news.end];
                self.insert(anchor, self.writer.block_seq(added, column));
            }
        }
        Ok(())
    }

    /// Writes `value` in the place of `node`, keeping the key or dash it hangs from.
    fn replace(
        &mut self,
        node: &Node,
        slot: Slot,
        value: &Value,
        at: &str,
    ) -> Result<(), OverlayTextError> {
        let was = match node.shape {
            Shape::Scalar { block: true } => Was::Block,
            Shape::Map { flow: true, .. } | Shape::Seq { flow: true, .. } => Was::Flow,
            _ => Was::Plain,
        };
        match slot {
            Slot::Root => match value {
                Value::Object(map) if !map.is_empty() => {
                    self.push(node.start..node.end, self.writer.block_map(map, 0));
                    Ok(())
                }
                _ => Err(layout(at, "the document must stay a non-empty mapping")),
            },
            Slot::Value { key_start, key_end } => {
                let column = self.text.column(key_start);
                let used = self.text.column(key_end) + 1;
                let text = self
                    .writer
                    .after_indicator(value, column, used, Hang::Key, was);
                self.push(key_end..node.end, format!(":{text}"));
                Ok(())
            }
            Slot::Item { dash } => {
                let column = self.text.column(dash);
                let text = self
                    .writer
                    .after_indicator(value, column, column + 1, Hang::Dash, was);
                self.push(dash + 1..node.end, text);
                Ok(())
            }
        }
    }

    /// Removes the whole lines from the one holding `start` to the one holding `end`.
    fn delete_lines(&mut self, start: usize, end: usize) {
        let range = self.text.line_start(start)..self.text.line_after(end);
        self.push(range, String::new());
    }

    /// Inserts whole lines (`lines` has no final newline) at the start of a line.
    fn insert(&mut self, at: usize, lines: String) {
        let text = self.text.text;
        let lines = if at == text.len() && !text.is_empty() && !text.ends_with('\n') {
            format!("\n{lines}")
        } else {
            format!("{lines}\n")
        };
        self.push(at..at, lines);
    }

    fn finish(mut self) -> Result<String, OverlayTextError> {
        let text = self.text.text;
        self.edits
            .sort_by_key(|edit| (edit.start, edit.end, edit.order));
        let mut out = String::with_capacity(text.len());
        let mut cursor = 0;
        for edit in &self.edits {
            if edit.start < cursor {
                return Err(layout("", "two changes overlap"));
            }
            out.push_str(&text[cursor..edit.start]);
            out.push_str(&edit.text);
            cursor = edit.end;
        }
        out.push_str(&text[cursor..]);
        Ok(out)
    }
}

// ------------------------------------------------------------------------------ writing YAML

/// How a replaced node was written, so that its replacement is written alike.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Was {
    Block,
    Flow,
    Plain,
}

/// What a value hangs from: a key's colon or a sequence's dash.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Hang {
    Key,
    Dash,
}

/// Writes new YAML for the spec: in the house style, or, for a collection the spec already
/// holds somewhere (what a `copy` brings), as the lines written there, comments included.
struct Writer<'w, 't> {
    text: &'w Text<'t>,
    root: &'w Node,
    before: &'w Value,
}

impl Writer<'_, '_> {
    /// The text that follows a key's colon or an entry's dash at `column` (the key's or the
    /// dash's): ` scalar`, ` {}`, a block below, or (after a dash) a compact block starting on
    /// its line. It has no final newline. `used` is how much of the line the key or dash takes.
    fn after_indicator(
        &self,
        value: &Value,
        column: usize,
        used: usize,
        hang: Hang,
        was: Was,
    ) -> String {
        let inner = column + STEP;
        match value {
            Value::Object(map) if map.is_empty() => return " {}".to_owned(),
            Value::Array(items) if items.is_empty() => return " []".to_owned(),
            Value::Array(items) if was == Was::Flow => {
                if let Some(flow) = flow_seq(items)
                    && used + 1 + flow.chars().count() <= WIDTH
                {
                    return format!(" {flow}");
                }
            }
            Value::Object(_) | Value::Array(_) => {}
            scalar => return scalar_text(scalar, inner, used, was == Was::Block),
        }
        let block = match (self.reuse(value, inner), value) {
            (Some(lines), _) => lines,
            (None, Value::Object(map)) => self.block_map(map, inner),
            (None, _) => self.block_seq(value.as_array().map_or(&[], Vec::as_slice), inner),
        };
        match hang {
            Hang::Key => format!("\n{block}"),
            Hang::Dash => format!(" {}", block.trim_start_matches(' ')),
        }
    }

    /// A mapping as block lines at `column`, without the final newline.
    fn block_map(&self, map: &Map<String, Value>, column: usize) -> String {
        let indent = " ".repeat(column);
        let lines: Vec<String> = map
            .iter()
            .map(|(key, value)| {
                let key = inline_scalar(&Value::String(key.clone()));
                let used = column + key.chars().count() + 1;
                let rest = self.after_indicator(value, column, used, Hang::Key, Was::Plain);
                format!("{indent}{key}:{rest}")
            })
            .collect();
        lines.join("\n")
    }

    /// A sequence as block lines with its dashes at `column`, without the final newline.
    fn block_seq(&self, items: &[Value], column: usize) -> String {
        let indent = " ".repeat(column);
        let lines: Vec<String> = items
            .iter()
            .map(|item| {
                let rest = self.after_indicator(item, column, column + 1, Hang::Dash, Was::Plain);
                format!("{indent}-{rest}")
            })
            .collect();
        lines.join("\n")
    }

    /// The spec's own lines for a block collection that reads as `value`, moved from their
    /// column to `column`: a copied or moved node keeps its comments and scalar styles.
    fn reuse(&self, value: &Value, column: usize) -> Option<String> {
        let node = find(self.root, self.before, value)?;
        if !self.text.begins_line(node.start) {
            return None;
        }
        let from = self.text.column(node.start);
        let lines = &self.text.text[self.text.line_start(node.start)..node.end];
        let moved: Vec<String> = lines
            .split('\n')
            .map(|line| {
                if line.is_empty() {
                    String::new()
                } else if column >= from {
                    format!("{}{line}", " ".repeat(column - from))
                } else {
                    let blanks = line.len() - line.trim_start_matches(' ').len();
                    line[blanks.min(from - column)..].to_owned()
                }
            })
            .collect();
        let moved = moved.join("\n");
        // Moving a block scalar with an indentation indicator (`|2`) would change it: such
        // lines are written in the house style instead.
        let reread: Value = serde_yaml_ng::from_str(&format!("moved:\n{moved}")).ok()?;
        first_difference(&reread["moved"], value, String::new())
            .is_none()
            .then_some(moved)
    }
}

/// The first block collection of the text (document order) that reads as `wanted`.
fn find<'n>(node: &'n Node, before: &Value, wanted: &Value) -> Option<&'n Node> {
    let block = matches!(
        node.shape,
        Shape::Map { flow: false, .. } | Shape::Seq { flow: false, .. }
    );
    if block && first_difference(before, wanted, String::new()).is_none() {
        return Some(node);
    }
    match (&node.shape, before) {
        (Shape::Map { entries, .. }, Value::Object(map)) if entries.len() == map.len() => entries
            .iter()
            .zip(map.values())
            .find_map(|(entry, value)| find(&entry.value, value, wanted)),
        (Shape::Seq { items, .. }, Value::Array(values)) if items.len() == values.len() => items
            .iter()
            .zip(values)
            .find_map(|(item, value)| find(&item.value, value, wanted)),
        _ => None,
    }
}

/// A sequence of scalars written `[a, b]`, as the spec writes `tags: [stats]`.
fn flow_seq(items: &[Value]) -> Option<String> {
    let mut written = Vec::new();
    for item in items {
        if item.is_object() || item.is_array() {
            return None;
        }
        let text = inline_scalar(item);
        // Inside `[...]` a plain scalar ends at flow indicators and `:`: anything but plain
        // words is quoted (single quotes as YAML chose them, or JSON's, valid YAML too).
        let word = |c: char| c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | '/' | ' ');
        let plain = text.chars().all(word) && !text.starts_with(['-', ' ']);
        if plain || text.starts_with('\'') {
            written.push(text);
        } else {
            written.push(serde_json::to_string(item).ok()?);
        }
    }
    Some(format!("[{}]", written.join(", ")))
}

/// A scalar after its key or dash (with the leading space): a block (`|` for text with line
/// breaks; `>-` when the scalar was a block or would run past the margin), else one line.
fn scalar_text(value: &Value, content_column: usize, used: usize, was_block: bool) -> String {
    let inline = inline_scalar(value);
    if let Value::String(text) = value {
        let block = if text.contains('\n') {
            literal(text, content_column)
        } else if was_block || used + 1 + inline.chars().count() > WIDTH {
            folded(text, content_column)
        } else {
            None
        };
        if let Some(block) = block {
            return block;
        }
    }
    format!(" {inline}")
}

/// One line of YAML for a scalar, quoted where YAML needs it (serde_yaml_ng decides, as it
/// reads the spec); JSON's double quotes when that line would be a block.
fn inline_scalar(value: &Value) -> String {
    let text = serde_yaml_ng::to_string(value).unwrap_or_default();
    let text = text.strip_suffix('\n').unwrap_or(&text);
    if text.is_empty() || text.contains('\n') || text.starts_with(['|', '>']) {
        return serde_json::to_string(value).unwrap_or_default();
    }
    text.to_owned()
}

/// Whether a character would change meaning at the edge of a block scalar's line.
fn is_blank(c: char) -> bool {
    c == ' ' || c == '\t'
}

/// Text with line breaks as a literal block (`|-`, or `|` when it ends with one line break).
fn literal(text: &str, content_column: usize) -> Option<String> {
    let body = text.strip_suffix('\n').unwrap_or(text);
    let header = if body.len() == text.len() { "|-" } else { "|" };
    let unsafe_char = |c: char| c.is_control() && c != '\n' && c != '\t';
    let last = body.rsplit('\n').next().unwrap_or_default();
    if body.starts_with(is_blank)
        || body.starts_with('\n')
        || body.ends_with('\n')
        || last.chars().all(is_blank)
        || body.chars().any(unsafe_char)
    {
        return None;
    }
    let indent = " ".repeat(content_column);
    let lines: Vec<String> = body
        .split('\n')
        .map(|line| match line {
            "" => String::new(),
            line => format!("{indent}{line}"),
        })
        .collect();
    Some(format!(" {header}\n{}", lines.join("\n")))
}

/// One-line text as a folded block (`>-`), broken at single spaces to fit the margin.
fn folded(text: &str, content_column: usize) -> Option<String> {
    let chars: Vec<char> = text.chars().collect();
    let unfit = chars.is_empty()
        || chars.first().copied().is_some_and(is_blank)
        || chars.last().copied().is_some_and(is_blank)
        || chars.iter().any(|c| c.is_control() && *c != '\t');
    if unfit {
        return None;
    }
    // Only a single space between two visible characters folds back into one space.
    let breaks = (1..chars.len().saturating_sub(1))
        .filter(|&i| chars[i] == ' ' && !is_blank(chars[i - 1]) && !is_blank(chars[i + 1]));
    let room = WIDTH.saturating_sub(content_column).max(20);
    let mut lines: Vec<Range<usize>> = Vec::new();
    let (mut start, mut candidate) = (0, None);
    for at in breaks {
        if at - start > room {
            if let Some(cut) = candidate.take() {
                lines.push(start..cut);
                start = cut + 1;
            }
            if at - start > room {
                lines.push(start..at);
                start = at + 1;
                continue;
            }
        }
        candidate = Some(at);
    }
    if let Some(cut) = candidate.filter(|_| chars.len() - start > room) {
        lines.push(start..cut);
        start = cut + 1;
    }
    lines.push(start..chars.len());
    let indent = " ".repeat(content_column);
    let lines: Vec<String> = lines
        .into_iter()
        .map(|line| format!("{indent}{}", chars[line].iter().collect::<String>()))
        .collect();
    Some(format!(" >-\n{}", lines.join("\n")))
}

#[cfg(test)]
mod tests {
    use std::path::Path;
    use std::sync::OnceLock;

    use proptest::prelude::*;
    use proptest::sample::select;
    use serde_json::json;
    use similar::ChangeTag;

    use super::*;

    /// The hand-written spec, as committed to the working tree.
    fn spec() -> &'static str {
        static SPEC: OnceLock<String> = OnceLock::new();
        SPEC.get_or_init(|| {
            let path =
                Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec/adsterra-advertiser.yaml");
            std::fs::read_to_string(path).expect("the spec reads")
        })
    }

    fn overlay(actions: Value) -> Overlay {
        let info = json!({"title": "test", "version": "1"});
        Overlay::from_value(json!({"overlay": "1.1.0", "info": info, "actions": actions}))
            .expect("a valid overlay")
    }

    /// Applies `actions` to `text` in place, checking that the text reads as the model.
    fn edit(text: &str, actions: Value) -> Edited {
        let edited = apply_in_place(text, &overlay(actions)).expect("the overlay applies");
        let reread = load_str(&edited.text, "edited").expect("the edited text reads");
        assert_eq!(
            first_difference(&reread, &edited.model, String::new()),
            None
        );
        edited
    }

    /// The removed and the added lines of a line diff.
    fn changes(old: &str, new: &str) -> (Vec<String>, Vec<String>) {
        let (mut removed, mut added) = (Vec::new(), Vec::new());
        for change in similar::TextDiff::from_lines(old, new).iter_all_changes() {
            let line = change.value().trim_end_matches('\n').to_owned();
            match change.tag() {
                ChangeTag::Delete => removed.push(line),
                ChangeTag::Insert => added.push(line),
                ChangeTag::Equal => {}
            }
        }
        (removed, added)
    }

    const CAMPAIGN: &str = "$.components.schemas.Campaign";

    #[test]
    fn an_overlay_that_changes_nothing_leaves_the_spec_byte_identical() {
        let edited = edit(spec(), json!([]));
        assert_eq!(edited.text, spec());
        let idle = json!([
            {"target": "$.components.schemas.Nothing", "update": {"type": "string"}},
            {"target": format!("{CAMPAIGN}.type"), "update": "object"},
            {"target": format!("{CAMPAIGN}.required[?@ == 'none']"), "remove": true}
        ]);
        let edited = edit(spec(), idle);
        assert_eq!(edited.text, spec());
        assert_eq!(edited.changed_lines, 0);
        assert_eq!(
            edited
                .report
                .actions
                .iter()
                .map(|a| a.matched)
                .sum::<usize>(),
            1
        );
    }

    #[test]
    fn adding_a_property_inserts_only_its_lines_after_the_last_one() {
        let property = json!({"budget_currency": {
            "type": "string",
            "description": "Currency of the budgets, e.g. `USD`.",
            "x-adsterra-evidence": "inferred"
        }});
        let target = format!("{CAMPAIGN}.properties");
        let edited = edit(spec(), json!([{"target": target, "update": property}]));
        let (removed, added) = changes(spec(), &edited.text);
        assert!(removed.is_empty(), "{removed:?}");
        assert_eq!(
            added,
            [
                "        budget_currency:",
                "          type: string",
                "          description: Currency of the budgets, e.g. `USD`.",
                "          x-adsterra-evidence: inferred",
            ]
        );
        assert_eq!((edited.lines_removed, edited.lines_added), (0, 4));
        // Right after the last line of the last property, before the next schema.
        let at = edited.text.find("        budget_currency:").unwrap();
        let indent = |line: &str| line.len() - line.trim_start().len();
        let previous = edited.text[..at].lines().next_back().unwrap();
        let next = edited.text[at..].lines().nth(4).unwrap();
        assert!(indent(previous) >= 10, "{previous:?}");
        assert!(indent(next) <= 4, "{next:?}");
    }

    #[test]
    fn removing_alias_from_the_required_list_removes_exactly_its_line() {
        let target = format!("{CAMPAIGN}.required[?@ == 'alias']");
        let edited = edit(spec(), json!([{"target": target, "remove": true}]));
        let (removed, added) = changes(spec(), &edited.text);
        assert_eq!(removed, ["        - alias"]);
        assert!(added.is_empty());
        assert_eq!(edited.changed_lines, 1);
    }

    #[test]
    fn a_folded_description_is_written_again_as_a_folded_block() {
        let text = "Campaign status, an open set of integers: 1 inactive, 2 inactive by limits, 3 \
                    active, 4 not in use, 5 paused by the advertiser (seen once). A client keeps \
                    values it does not know.";
        let target = format!("{CAMPAIGN}.properties.active.description");
        let edited = edit(spec(), json!([{"target": target, "update": text}]));
        let (removed, added) = changes(spec(), &edited.text);
        assert_eq!(removed.len(), 3, "the old text's three lines: {removed:?}");
        assert!(removed.iter().all(|line| line.starts_with("            ")));
        assert!(added.len() >= 2, "{added:?}");
        for line in &added {
            assert!(
                line.starts_with("            ") && line.len() <= WIDTH,
                "{line:?}"
            );
        }
        assert!(
            edited
                .text
                .contains("          description: >-\n            Campaign status,")
        );
    }

    #[test]
    fn extending_known_values_adds_one_line() {
        let target = format!("{CAMPAIGN}.properties.active['x-adsterra-known-values']");
        let edited = edit(spec(), json!([{"target": target, "update": 5}]));
        let (removed, added) = changes(spec(), &edited.text);
        assert!(removed.is_empty());
        assert_eq!(added, ["            - 5"]);
        assert!(
            edited
                .text
                .contains("            - 4\n            - 5\n        activity:")
        );
    }

    #[test]
    fn setting_nullable_adds_one_line_and_replacing_a_type_changes_one() {
        let nullable = json!([{"target": format!("{CAMPAIGN}.properties.active"),
                               "update": {"nullable": true}}]);
        let edited = edit(spec(), nullable);
        let (removed, added) = changes(spec(), &edited.text);
        assert!(removed.is_empty());
        assert_eq!(added, ["          nullable: true"]);
        let retype = json!([{"target": format!("{CAMPAIGN}.properties.is_ssp.type"),
                             "update": "integer"}]);
        let (removed, added) = changes(spec(), &edit(spec(), retype).text);
        assert_eq!(
            (removed, added),
            (
                vec!["          type: string".to_owned()],
                vec!["          type: integer".to_owned()]
            )
        );
    }

    const SMALL: &str = "\
# The head comment stays.
openapi: 3.0.3
paths:
  # ----- balance
  /balance.{format}:
    get:
      tags: [balance]
      description: >-
        Long text that was folded
        over two lines.
      parameters:
        - name: format
          in: path # why
        - $ref: '#/components/parameters/Format'
  # ----- stats
  /stats.{format}:
    get:
      security: []
      description: |
        Line one.
        Line two.
components: {}
";

    #[test]
    fn small_documents_keep_their_comments_and_styles() {
        let edited = edit(
            SMALL,
            json!([
                {"target": "$.paths['/balance.{format}'].get.tags", "update": "accounts"},
                {"target": "$.paths['/stats.{format}'].get.description",
                 "update": "Line one.\nLine three.\n"},
                {"target": "$.paths['/balance.{format}'].get.parameters[?@.name == 'format']",
                 "update": {"required": true}},
                {"target": "$.components", "update": {"schemas": {"Balance": {"type": "object"}}}}
            ]),
        );
        let (removed, added) = changes(SMALL, &edited.text);
        assert_eq!(
            removed,
            [
                "      tags: [balance]",
                "        Line two.",
                "components: {}"
            ]
        );
        assert_eq!(
            added,
            [
                "      tags: [balance, accounts]",
                "          required: true",
                "        Line three.",
                "components:",
                "  schemas:",
                "    Balance:",
                "      type: object",
            ]
        );
    }

    #[test]
    fn removing_an_entry_takes_its_lines_and_leaves_the_next_ones_comment() {
        let edited = edit(
            SMALL,
            json!([
                {"target": "$.paths['/balance.{format}']", "remove": true},
                {"target": "$.paths['/stats.{format}'].get.security", "remove": true}
            ]),
        );
        let expected = "\
# The head comment stays.
openapi: 3.0.3
paths:
  # ----- balance
  # ----- stats
  /stats.{format}:
    get:
      description: |
        Line one.
        Line two.
components: {}
";
        assert_eq!(edited.text, expected);
    }

    #[test]
    fn compact_entries_and_emptied_collections_are_written_again() {
        let edited = edit(
            SMALL,
            json!([
                {"target": "$.paths.*.get.parameters[0].name", "remove": true},
                {"target": "$.paths.*.get.parameters[?@['$ref']]", "remove": true},
                {"target": "$.paths['/balance.{format}'].get.description",
                 "update": "Short now."}
            ]),
        );
        assert!(edited.text.contains(
            "      description: >-\n        Short now.\n      parameters:\n        - in: path # why\n"
        ), "{}", edited.text);
        let emptied = edit(
            SMALL,
            json!([{"target": "$.paths.*.get.parameters[*]", "remove": true}]),
        );
        assert!(
            emptied.text.contains("      parameters: []\n"),
            "{}",
            emptied.text
        );
    }

    #[test]
    fn the_move_example_renames_a_path_in_place() {
        let edited = edit(
            SMALL,
            json!([
                {"target": "$.paths", "update": {"/account.{format}": {}}},
                {"target": "$.paths['/account.{format}']", "copy": "$.paths['/balance.{format}']"},
                {"target": "$.paths['/balance.{format}']", "remove": true}
            ]),
        );
        let keys: Vec<&String> = edited.model["paths"].as_object().unwrap().keys().collect();
        assert_eq!(keys, ["/stats.{format}", "/account.{format}"]);
        assert!(edited.text.starts_with("# The head comment stays.\n"));
        let moved = "\
  /account.{format}:
    get:
      tags: [balance]
      description: >-
        Long text that was folded
        over two lines.
      parameters:
        - name: format
          in: path # why
        - $ref: '#/components/parameters/Format'
components: {}
";
        assert!(edited.text.ends_with(moved), "{}", edited.text);
    }

    #[test]
    fn errors_say_what_is_in_the_way() {
        let aliased = "openapi: 3.0.3\nbase: &base {type: string}\nother: *base\n";
        let error = apply_in_place(
            aliased,
            &overlay(json!([{"target": "$.base", "update": {"format": "date"}}])),
        )
        .unwrap_err();
        assert!(error.to_string().contains("anchors and aliases"), "{error}");
        let error = apply_in_place(
            SMALL,
            &overlay(json!([{"target": "$.paths", "update": "text"}])),
        )
        .unwrap_err();
        assert!(error.to_string().starts_with("actions[0]"), "{error}");
    }

    #[test]
    fn long_and_odd_texts_are_written_so_that_they_read_back() {
        let texts = [
            "x".repeat(150),
            format!("{} end", "word ".repeat(40)),
            "  leading blanks".to_owned(),
            "trailing blank ".to_owned(),
            "a: b # not a comment".to_owned(),
            "- looks like a list".to_owned(),
            "two\n\nparagraphs\n".to_owned(),
            "ends with blank lines\n\n".to_owned(),
            " starts blank\nthen not".to_owned(),
            "tab\there and \u{e9}t\u{e9}".to_owned(),
            ":A".to_owned(),
            "[x], {y}".to_owned(),
            String::new(),
        ];
        for text in texts {
            let actions = json!([
                {"target": "$.paths['/balance.{format}'].get.description", "update": &text},
                {"target": "$.paths['/stats.{format}'].get.description", "update": &text},
                {"target": "$.paths['/stats.{format}'].get", "update": {"summary": &text}},
                {"target": "$.paths['/balance.{format}'].get.tags", "update": &text}
            ]);
            let edited = edit(SMALL, actions);
            assert_eq!(
                edited.model["paths"]["/stats.{format}"]["get"]["summary"],
                json!(text)
            );
        }
    }

    // -------------------------------------------------------------------- the property

    /// What the generated actions aim at, read off the real spec.
    struct Targets {
        schemas: Vec<String>,
        properties: Vec<(String, String)>,
        open_sets: Vec<String>,
        required: Vec<(String, String)>,
        /// Every node of the spec as a normalized JSONPath, by kind.
        objects: Vec<String>,
        arrays: Vec<String>,
        scalars: Vec<String>,
    }

    /// Records the normalized path of `value` and of everything below it.
    fn every_node(value: &Value, at: String, targets: &mut Targets) {
        match value {
            Value::Object(map) => {
                for (key, member) in map {
                    every_node(member, format!("{at}[{}]", quoted(key)), targets);
                }
                targets.objects.push(at);
            }
            Value::Array(items) => {
                for (index, item) in items.iter().enumerate() {
                    every_node(item, format!("{at}[{index}]"), targets);
                }
                targets.arrays.push(at);
            }
            _ => targets.scalars.push(at),
        }
    }

    fn quoted(name: &str) -> String {
        format!("'{}'", name.replace('\\', "\\\\").replace('\'', "\\'"))
    }

    fn schema_path(schema: &str) -> String {
        format!("$.components.schemas[{}]", quoted(schema))
    }

    fn property_path((schema, property): &(String, String)) -> String {
        format!("{}.properties[{}]", schema_path(schema), quoted(property))
    }

    fn targets() -> &'static Targets {
        static TARGETS: OnceLock<Targets> = OnceLock::new();
        TARGETS.get_or_init(|| {
            let spec = load_str(spec(), "spec").unwrap();
            let mut targets = Targets {
                schemas: Vec::new(),
                properties: Vec::new(),
                open_sets: Vec::new(),
                required: Vec::new(),
                objects: Vec::new(),
                arrays: Vec::new(),
                scalars: Vec::new(),
            };
            every_node(&spec, "$".to_owned(), &mut targets);
            let schemas = spec["components"]["schemas"].as_object().unwrap();
            for (name, schema) in schemas {
                let Some(properties) = schema["properties"].as_object() else {
                    continue;
                };
                targets.schemas.push(name.clone());
                for (property, value) in properties {
                    let at = (name.clone(), property.clone());
                    for set in ["x-adsterra-known-values", "enum"] {
                        if value[set].is_array() {
                            targets.open_sets.push(format!(
                                "{}[{}]",
                                property_path(&at),
                                quoted(set)
                            ));
                        }
                    }
                    targets.properties.push(at);
                }
                for entry in schema["required"].as_array().into_iter().flatten() {
                    let entry = entry.as_str().unwrap().to_owned();
                    targets.required.push((name.clone(), entry));
                }
            }
            targets
        })
    }

    fn text() -> impl Strategy<Value = String> {
        prop_oneof![
            "[a-z]{1,12}",
            "[ -~]{0,60}",
            prop::collection::vec("[a-zA-Z`'\":#,.()\u{e9}-]{1,14}", 8..40)
                .prop_map(|words| words.join(" ")),
            prop::collection::vec("[ -~]{0,30}", 2..4).prop_map(|lines| lines.join("\n")),
        ]
    }

    fn small_schema() -> impl Strategy<Value = Value> {
        let types = select(vec!["string", "integer", "number", "boolean"]);
        let evidence = select(crate::EVIDENCE_VALUES.to_vec());
        let leaf = (types, proptest::option::of(text()), any::<bool>(), evidence).prop_map(
            |(kind, description, nullable, evidence)| {
                let mut schema = json!({"type": kind});
                if let Some(description) = description {
                    schema["description"] = json!(description);
                }
                if nullable {
                    schema["nullable"] = json!(true);
                }
                schema["x-adsterra-evidence"] = json!(evidence);
                schema
            },
        );
        leaf.prop_recursive(2, 8, 3, |inner| {
            prop_oneof![
                inner
                    .clone()
                    .prop_map(|items| json!({"type": "array", "items": items})),
                prop::collection::btree_map("[a-z_]{1,8}", inner, 1..3).prop_map(|properties| {
                    let properties: Map<String, Value> = properties.into_iter().collect();
                    json!({"type": "object", "properties": properties})
                }),
            ]
        })
    }

    fn action() -> impl Strategy<Value = Value> {
        let targets = targets();
        let property = || select(targets.properties.clone()).prop_map(|at| property_path(&at));
        let scalar = prop_oneof![
            (0i64..100).prop_map(|n| json!(n)),
            "[a-z]{1,10}".prop_map(|s| json!(s))
        ];
        prop_oneof![
            (
                select(targets.schemas.clone()),
                "[a-z][a-z_]{0,10}",
                small_schema()
            )
                .prop_map(|(schema, name, value)| json!({
                    "target": format!("{}.properties", schema_path(&schema)),
                    "update": {name: value}
                })),
            (property(), text()).prop_map(
                |(target, text)| json!({"target": target, "update": {"description": text}})
            ),
            (property(), any::<bool>())
                .prop_map(|(target, b)| json!({"target": target, "update": {"nullable": b}})),
            (property(), select(crate::EVIDENCE_VALUES.to_vec())).prop_map(|(target, mark)| {
                json!({"target": target, "update": {"x-adsterra-evidence": mark}})
            }),
            (
                select(targets.open_sets.clone()),
                prop::collection::vec(scalar, 1..3)
            )
                .prop_map(|(target, values)| json!({"target": target, "update": values})),
            select(targets.required.clone()).prop_map(|(schema, entry)| json!({
                "target": format!("{}.required[?@ == {}]", schema_path(&schema), quoted(&entry)),
                "remove": true
            })),
            (
                property(),
                select(vec!["string", "integer", "number"]),
                select(vec!["int64", "double", "date"])
            )
                .prop_map(|(target, kind, format)| {
                    json!({"target": target, "update": {"type": kind, "format": format}})
                }),
            property().prop_map(
                |target| json!({"target": format!("{target}.description"), "remove": true})
            ),
            property().prop_map(|target| json!({"target": target, "remove": true})),
        ]
    }

    /// Actions anywhere in the spec: under paths, in parameters, examples, flow lists; copies
    /// and moves (update, copy, remove) of whole nodes.
    fn actions_anywhere() -> impl Strategy<Value = Vec<Value>> {
        let targets = targets();
        let scalar = prop_oneof![
            (0i64..100).prop_map(|n| json!(n)),
            any::<bool>().prop_map(|b| json!(b)),
            text().prop_map(|s| json!(s)),
        ];
        let key = prop_oneof!["x-[a-z]{1,6}", "[ -~]{1,12}"];
        let members: Vec<String> = targets
            .objects
            .iter()
            .chain(&targets.arrays)
            .chain(&targets.scalars)
            .filter(|at| *at != "$")
            .cloned()
            .collect();
        let objects = || select(targets.objects.clone());
        prop_oneof![
            (objects(), key, prop_oneof![scalar.clone(), small_schema()]).prop_map(
                |(target, key, value)| vec![json!({"target": target, "update": {key: value}})]
            ),
            (
                select(targets.arrays.clone()),
                prop_oneof![scalar.clone(), small_schema()]
            )
                .prop_map(|(target, value)| vec![json!({"target": target, "update": value})]),
            (select(targets.scalars.clone()), scalar)
                .prop_map(|(target, value)| vec![json!({"target": target, "update": value})]),
            select(members.clone())
                .prop_map(|target| vec![json!({"target": target, "remove": true})]),
            (objects(), objects())
                .prop_map(|(target, copy)| vec![json!({"target": target, "copy": copy})]),
            (objects(), select(members)).prop_map(|(parent, source)| vec![
                json!({"target": &parent, "update": {"moved": {}}}),
                json!({"target": format!("{parent}['moved']"), "copy": &source}),
                json!({"target": source, "remove": true}),
            ]),
        ]
    }

    proptest! {
        // No regression files in the source tree; a failure prints its minimal overlay.
        #![proptest_config(ProptestConfig {
            cases: 512,
            failure_persistence: None,
            ..ProptestConfig::default()
        })]

        /// Whatever the actions, the edited text reads exactly as the overlay's result.
        #[test]
        fn the_edited_spec_reads_as_the_overlay_applied(
            actions in prop::collection::vec(action(), 1..6)
        ) {
            let edited = apply_in_place(spec(), &overlay(Value::Array(actions)));
            let edited = edited.map_err(|error| TestCaseError::fail(error.to_string()))?;
            let reread = load_str(&edited.text, "edited").unwrap();
            prop_assert_eq!(first_difference(&reread, &edited.model, String::new()), None);
            prop_assert_eq!(&reread, &edited.model);
        }

        /// The same for actions anywhere in the document.
        #[test]
        fn the_edited_spec_reads_as_the_overlay_applied_anywhere(
            actions in prop::collection::vec(actions_anywhere(), 1..5)
        ) {
            let actions = actions.into_iter().flatten().collect();
            let edited = match apply_in_place(spec(), &overlay(Value::Array(actions))) {
                // A copy may merge unlike nodes: the overlay is wrong, not the editor.
                Err(OverlayTextError::Overlay(_)) => return Ok(()),
                edited => edited.map_err(|error| TestCaseError::fail(error.to_string()))?,
            };
            let reread = load_str(&edited.text, "edited").unwrap();
            prop_assert_eq!(first_difference(&reread, &edited.model, String::new()), None);
        }
    }
}
