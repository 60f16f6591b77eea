//! JSON: read by serde_json, with the text formats' tolerance; rows streamed from a list.
//!
//! A whole body is one `serde_json` call; only a body that does not fit the target goes
//! through the text tree (see the crate docs). [`rows`] streams the rows of a list envelope
//! (`{"items": [...], ...}`) or of a top-level array: it finds each row's bytes with a small
//! scanner that only tracks brackets and strings, and hands each row to [`from_slice`], so a
//! row decodes exactly as it would in a whole body while the body is never held.

use std::io::{BufRead, BufReader, Read};
use std::marker::PhantomData;

use serde::de::DeserializeOwned;

use crate::Format;
use crate::de::{self, Dialect};
use crate::error::{Error, Location, Operation, quote};
use crate::tree::Node;

/// Decodes a JSON body into `T`, tolerant of what a text format could not tell apart either.
///
/// The fast path is plain serde_json. A body that is well-formed JSON but does not fit `T`
/// (`"spent": "1.25"`, `"placement_ids": [15413270, "15413272"]`, `"active": "3"`) is read
/// again as the text formats are read: through the text tree, where the target type parses
/// each scalar. So numbers, ids and booleans may arrive as strings, and strings as numbers, in
/// JSON exactly as in CSV and XML, and what still does not fit is an error naming the field
/// (`items[3].impressions`).
pub fn from_slice<T: DeserializeOwned>(body: &[u8]) -> Result<T, Error> {
    if let Ok(answer) = serde_json::from_slice(body) {
        return Ok(answer);
    }
    let value: serde_json::Value = match serde_json::from_slice(body) {
        Ok(value) => value,
        // Not JSON at all (or trailing characters): a syntax error, with its line.
        Err(syntax) => {
            let line = (syntax.line() > 0).then(|| syntax.line() as u64);
            let location = Location {
                line,
                ..Location::default()
            };
            return Err(Error::new(
                Format::Json,
                Operation::Decode,
                location,
                syntax.to_string(),
            ));
        }
    };
    de::from_node(&Node::from_json(value), Dialect::Json)
        .map_err(|err| err.into_error(Format::Json))
}

/// Reads a JSON body one row at a time, each row as a `T`, as the body arrives.
///
/// The rows are the elements of the `items` array of a list envelope, or of a top-level
/// array; the envelope's other keys are read and left. One row's bytes are held at a time.
/// A row that fails to decode yields an `Err` naming its line and field (`items[2].impressions`)
/// and reading goes on with the next row; a body that is not well-formed around the rows ends
/// the iteration after its `Err`.
pub fn rows<T: DeserializeOwned, R: Read>(reader: R) -> Rows<T, R> {
    Rows {
        input: Scanner {
            input: BufReader::with_capacity(64 * 1024, reader),
            line: 1,
            value_line: 1,
        },
        state: State::Start,
        row: Vec::new(),
        index: 0,
        target: PhantomData,
    }
}

/// Iterator returned by [`rows`].
pub struct Rows<T, R> {
    input: Scanner<R>,
    state: State,
    /// The bytes of the current row.
    row: Vec<u8>,
    index: usize,
    target: PhantomData<fn() -> T>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Start,
    /// Inside the rows' array; `envelope` when it is the value of an object's `items`.
    Rows {
        envelope: bool,
        first: bool,
    },
    Done,
}

impl<T, R> std::fmt::Debug for Rows<T, R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Rows")
            .field("rows_read", &self.index)
            .field("done", &(self.state == State::Done))
            .finish_non_exhaustive()
    }
}

impl<T: DeserializeOwned, R: Read> Iterator for Rows<T, R> {
    type Item = Result<T, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        let step = match self.state {
            State::Done => return None,
            State::Start => self.find_rows().and_then(|()| self.next_row()),
            State::Rows { .. } => self.next_row(),
        };
        match step {
            Ok(true) => Some(self.decode_row()),
            Ok(false) => {
                self.state = State::Done;
                None
            }
            Err(error) => {
                self.state = State::Done;
                Some(Err(error))
            }
        }
    }
}

impl<T: DeserializeOwned, R: Read> Rows<T, R> {
    /// Reads up to the rows' array: a top-level array, or an object's `items`.
    fn find_rows(&mut self) -> Result<(), Error> {
        match self.input.peek_token()? {
            Some(b'[') => {
                self.input.bump();
                self.state = State::Rows {
                    envelope: false,
                    first: true,
                };
                Ok(())
            }
            Some(b'{') => {
                self.input.bump();
                self.find_items()
            }
            other => Err(self.input.unexpected(other, "a JSON object or array")),
        }
    }

    /// Reads an object's members up to `items` (whose array then holds the rows) or to the
    /// object's end (no rows).
    fn find_items(&mut self) -> Result<(), Error> {
        let mut first = true;
        let mut key = Vec::new();
        loop {
            if !self.input.next_member(&mut first)? {
                self.input.end_of_body()?;
                self.state = State::Done;
                return Ok(());
            }
            self.input.key(&mut key)?;
            if key == b"items" && self.input.peek_token()? == Some(b'[') {
                self.input.bump();
                self.state = State::Rows {
                    envelope: true,
                    first: true,
                };
                return Ok(());
            }
            self.row.clear();
            self.input.value(&mut self.row)?;
        }
    }

    /// Reads the next row's bytes into `self.row`; at the array's end, reads the rest of the
    /// body and gives `false`.
    fn next_row(&mut self) -> Result<bool, Error> {
        let State::Rows { envelope, first } = self.state else {
            return Ok(false);
        };
        let mut first_row = first;
        if !self.input.next_element(&mut first_row)? {
            if envelope {
                // The envelope's other members (even a second `items`) are read and left.
                self.input.rest_of_object(&mut self.row)?;
            }
            self.input.end_of_body()?;
            return Ok(false);
        }
        self.state = State::Rows {
            envelope,
            first: false,
        };
        self.row.clear();
        self.input.value(&mut self.row)?;
        Ok(true)
    }

    /// Decodes the row in `self.row`, locating its error in the body.
    fn decode_row(&mut self) -> Result<T, Error> {
        let index = self.index;
        self.index += 1;
        let started = self.input.value_line;
        from_slice(&self.row).map_err(|mut error| {
            let envelope = matches!(self.state, State::Rows { envelope: true, .. });
            let list = if envelope { "items" } else { "" };
            let location = &mut error.location;
            location.field = Some(match location.field.take() {
                Some(field) if field.starts_with('[') => format!("{list}[{index}]{field}"),
                Some(field) => format!("{list}[{index}].{field}"),
                None => format!("{list}[{index}]"),
            });
            location.line = Some(started + location.line.map_or(0, |line| line - 1));
            error
        })
    }
}

fn count_newlines(bytes: &[u8]) -> u64 {
    bytes.iter().filter(|b| **b == b'\n').count() as u64
}

/// The bytes of a JSON body, read just far enough to find where values begin and end.
struct Scanner<R> {
    input: BufReader<R>,
    /// The 1-based line of the next byte.
    line: u64,
    /// The line the last value read started on.
    value_line: u64,
}

impl<R: Read> Scanner<R> {
    /// The next byte that is not whitespace, left unread; `None` at the end of the body.
    fn peek_token(&mut self) -> Result<Option<u8>, Error> {
        loop {
            let line = self.line;
            let buffer = self.input.fill_buf().map_err(|err| io_error(line, &err))?;
            if buffer.is_empty() {
                return Ok(None);
            }
            let blank = |byte: &u8| matches!(byte, b' ' | b'\t' | b'\r' | b'\n');
            let token = buffer.iter().position(|byte| !blank(byte));
            let skipped = token.unwrap_or(buffer.len());
            let found = token.map(|at| buffer[at]);
            self.line += count_newlines(&buffer[..skipped]);
            self.input.consume(skipped);
            if found.is_some() {
                return Ok(found);
            }
        }
    }

    /// Consumes the byte [`Self::peek_token`] saw.
    fn bump(&mut self) {
        self.input.consume(1);
    }

    /// Before a member of an object: `true` when one follows (its `,` read), `false` at the
    /// object's `}` (read).
    fn next_member(&mut self, first: &mut bool) -> Result<bool, Error> {
        self.next_in(first, b'}', "a member or the end of the object")
    }

    /// Before an element of an array: as [`Self::next_member`], for `]`.
    fn next_element(&mut self, first: &mut bool) -> Result<bool, Error> {
        self.next_in(first, b']', "a row or the end of the list")
    }

    fn next_in(&mut self, first: &mut bool, close: u8, expected: &str) -> Result<bool, Error> {
        let token = self.peek_token()?;
        if token == Some(close) {
            self.bump();
            return Ok(false);
        }
        if !std::mem::replace(first, false) {
            if token != Some(b',') {
                return Err(self.unexpected(token, expected));
            }
            self.bump();
        }
        Ok(true)
    }

    /// Reads a member's key and its `:`, the key's bytes into `key` (escapes left as written:
    /// only `items` is looked for, which needs none).
    fn key(&mut self, key: &mut Vec<u8>) -> Result<(), Error> {
        let token = self.peek_token()?;
        if token != Some(b'"') {
            return Err(self.unexpected(token, "a member's name"));
        }
        key.clear();
        self.value(key)?;
        key.pop();
        key.remove(0);
        let token = self.peek_token()?;
        if token != Some(b':') {
            return Err(self.unexpected(token, "`:` after a member's name"));
        }
        self.bump();
        Ok(())
    }

    /// Copies the next value's bytes into `out`: a string, an array or object (brackets
    /// matched, strings skipped), or a bare scalar up to the next delimiter. serde_json checks
    /// the bytes afterwards; this only has to find where they end.
    fn value(&mut self, out: &mut Vec<u8>) -> Result<(), Error> {
        let Some(first) = self.peek_token()? else {
            return Err(self.unexpected(None, "a value"));
        };
        self.value_line = self.line;
        let mut depth = 0usize;
        let mut in_string = false;
        let mut escaped = false;
        let bare = !matches!(first, b'"' | b'{' | b'[');
        loop {
            let line = self.line;
            let buffer = self.input.fill_buf().map_err(|err| io_error(line, &err))?;
            if buffer.is_empty() {
                if bare && !out.is_empty() {
                    return Ok(());
                }
                return Err(self.unexpected(None, "the rest of a value"));
            }
            let mut end = None;
            let mut newlines = 0;
            for (at, &byte) in buffer.iter().enumerate() {
                newlines += u64::from(byte == b'\n');
                if in_string {
                    if escaped {
                        escaped = false;
                    } else if byte == b'\\' {
                        escaped = true;
                    } else if byte == b'"' {
                        in_string = false;
                        if depth == 0 {
                            end = Some(at + 1);
                            break;
                        }
                    }
                    continue;
                }
                match byte {
                    b'"' if !bare => in_string = true,
                    b'{' | b'[' if !bare => depth += 1,
                    b'}' | b']' if !bare => {
                        depth = depth.saturating_sub(1);
                        if depth == 0 {
                            end = Some(at + 1);
                            break;
                        }
                    }
                    b',' | b'}' | b']' | b' ' | b'\t' | b'\r' | b'\n' if bare => {
                        // The delimiter is not part of the value: not consumed, nor counted.
                        newlines -= u64::from(byte == b'\n');
                        end = Some(at);
                        break;
                    }
                    _ => {}
                }
            }
            let taken = end.unwrap_or(buffer.len());
            out.extend_from_slice(&buffer[..taken]);
            self.line += newlines;
            self.input.consume(taken);
            if end.is_some() {
                return Ok(());
            }
        }
    }

    /// Reads the rest of an object whose members are being read, into `out`, to be left.
    fn rest_of_object(&mut self, out: &mut Vec<u8>) -> Result<(), Error> {
        let mut first = false;
        while self.next_member(&mut first)? {
            self.key(out)?;
            out.clear();
            self.value(out)?;
        }
        Ok(())
    }

    /// After the body's value: only whitespace may follow.
    fn end_of_body(&mut self) -> Result<(), Error> {
        match self.peek_token()? {
            None => Ok(()),
            other => Err(self.unexpected(other, "the end of the body")),
        }
    }

    fn unexpected(&self, found: Option<u8>, expected: &str) -> Error {
        let found = match found {
            None => "the end of the body".to_owned(),
            Some(byte) => quote(&String::from_utf8_lossy(&[byte])),
        };
        self.error(format!("expected {expected}, found {found}"))
    }

    fn error(&self, message: String) -> Error {
        error_at(self.line, message)
    }
}

fn io_error(line: u64, err: &std::io::Error) -> Error {
    error_at(line, format!("could not read the body: {err}"))
}

fn error_at(line: u64, message: String) -> Error {
    let location = Location {
        line: Some(line),
        ..Location::default()
    };
    Error::new(Format::Json, Operation::Decode, location, message)
}
