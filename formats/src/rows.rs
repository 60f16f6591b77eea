//! Rows streamed from a body in any format: the one entry point over `csv::rows`,
//! `json::rows` and `xml::rows`, for callers that let the user pick the format.

use std::io::Read;

use serde::de::DeserializeOwned;

use crate::{Error, Format, csv, json, xml};

/// Reads a body in `format` one row at a time, each row as a `T`, as the body arrives.
///
/// The rows are those of a list envelope (`items`) or of a top-level list; each format's
/// `rows` says how it finds them. Memory stays bounded by one row (and the reader's buffer),
/// whatever the size of the body. A row that fails to decode yields an `Err` and reading goes
/// on; a body that cannot be read further ends the iteration after its `Err`.
pub fn rows<T: DeserializeOwned, R: Read>(format: Format, reader: R) -> Rows<T, R> {
    Rows(match format {
        Format::Json => Inner::Json(json::rows(reader)),
        Format::Csv => Inner::Csv(csv::rows(reader)),
        Format::Xml => Inner::Xml(xml::rows(reader)),
    })
}

/// Iterator returned by [`rows`].
#[derive(Debug)]
pub struct Rows<T, R>(Inner<T, R>);

#[derive(Debug)]
enum Inner<T, R> {
    Json(json::Rows<T, R>),
    Csv(csv::Rows<T, R>),
    Xml(xml::Rows<T, R>),
}

impl<T: DeserializeOwned, R: Read> Iterator for Rows<T, R> {
    type Item = Result<T, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        match &mut self.0 {
            Inner::Json(rows) => rows.next(),
            Inner::Csv(rows) => rows.next(),
            Inner::Xml(rows) => rows.next(),
        }
    }
}
