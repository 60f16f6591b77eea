//! Printing results: one set of columns per kind of value, rendered as a table, JSON, NDJSON or
//! CSV; or Adsterra's own bytes for `--output raw`.
//!
//! Every format prints numbers the same way (the shortest decimal that reads back exactly, no
//! thousands separators, no exponent) and days as YYYY-MM-DD, so scripts can rely on them.

use std::cell::RefCell;
use std::fmt;
use std::io::{self, Write};

use bytes::Bytes;
use chrono::NaiveDate;
use comfy_table::{CellAlignment, ContentArrangement, Table, presets};
use serde::Serialize;
use serde_json::Value;

use crate::args::Output;
use crate::failure::Failure;

/// One value in a table or CSV row.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Int(i64),
    Num(f64),
    Text(String),
    Date(NaiveDate),
    Empty,
}

impl Cell {
    fn is_number(&self) -> bool {
        matches!(self, Self::Int(_) | Self::Num(_))
    }
}

impl From<Option<i64>> for Cell {
    fn from(value: Option<i64>) -> Self {
        value.map_or(Self::Empty, Self::Int)
    }
}

impl From<Option<f64>> for Cell {
    fn from(value: Option<f64>) -> Self {
        value.map_or(Self::Empty, Self::Num)
    }
}

impl From<Option<&str>> for Cell {
    fn from(value: Option<&str>) -> Self {
        value.map_or(Self::Empty, |text| Self::Text(text.to_owned()))
    }
}

impl fmt::Display for Cell {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Int(value) => write!(f, "{value}"),
            // Rust prints the shortest text that parses back to the same f64, without exponent.
            Self::Num(value) => write!(f, "{value}"),
            Self::Text(text) => f.write_str(text),
            Self::Date(day) => write!(f, "{}", day.format("%Y-%m-%d")),
            Self::Empty => Ok(()),
        }
    }
}

/// A column of a table or CSV: its header and how a value fills it.
pub struct Column<T> {
    pub header: &'static str,
    pub cell: fn(&T) -> Cell,
}

impl<T> Clone for Column<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for Column<T> {}

/// Writes results to stdout in the chosen output.
#[derive(Debug)]
pub struct Printer {
    output: Output,
    /// With `--output raw`: the body of the last answer received.
    kept: RefCell<Option<Bytes>>,
}

impl Printer {
    pub fn new(output: Output) -> Self {
        Self {
            output,
            kept: RefCell::new(None),
        }
    }

    pub fn output(&self) -> Output {
        self.output
    }

    /// Keeps the last of `bodies`, for `--output raw`.
    pub fn keep(&self, bodies: Vec<Bytes>) {
        if let Some(last) = bodies.into_iter().last() {
            *self.kept.borrow_mut() = Some(last);
        }
    }

    /// One value: an object in JSON, one row elsewhere.
    pub fn one<T: Serialize>(&self, columns: &[Column<T>], item: &T) -> Result<(), Failure> {
        match self.output {
            Output::Json => write_json(item),
            _ => self.list(columns, std::slice::from_ref(item)),
        }
    }

    /// A list of values: an array in JSON, one row each elsewhere.
    pub fn list<T: Serialize>(&self, columns: &[Column<T>], items: &[T]) -> Result<(), Failure> {
        match self.output {
            Output::Table => {
                let mut out = io::stdout().lock();
                write!(out, "{}", table(columns, items))?;
                Ok(out.flush()?)
            }
            Output::Json => write_json(items),
            Output::Ndjson | Output::Csv => {
                let mut rows = self.rows(columns)?;
                for item in items {
                    rows.push(item)?;
                }
                rows.finish()
            }
            Output::Raw => self.raw(),
        }
    }

    /// Rows written as they come (CSV and NDJSON only; other outputs collect with `list`).
    pub fn rows<T: Serialize>(&self, columns: &[Column<T>]) -> Result<Rows<T>, Failure> {
        let out = io::BufWriter::new(io::stdout());
        let sink = match self.output {
            Output::Csv => {
                let mut writer = csv::Writer::from_writer(out);
                writer
                    .write_record(columns.iter().map(|c| c.header.to_ascii_lowercase()))
                    .map_err(csv_error)?;
                Sink::Csv(Box::new(writer))
            }
            _ => Sink::Ndjson(out),
        };
        Ok(Rows {
            columns: columns.to_vec(),
            sink,
        })
    }

    /// A value whose fields are known only at run time (`adsterra api`): `whole` in JSON;
    /// elsewhere a row per element of an array, per item of a list answer (`items`), or one row,
    /// with a column per field in the order the fields first appear.
    pub fn values(&self, whole: &Value) -> Result<(), Failure> {
        let rows = match whole {
            Value::Array(rows) => rows.as_slice(),
            _ => match whole.get("items").and_then(Value::as_array) {
                Some(items) => items.as_slice(),
                None => std::slice::from_ref(whole),
            },
        };
        let mut headers: Vec<&str> = Vec::new();
        for row in rows {
            for key in row.as_object().into_iter().flat_map(|o| o.keys()) {
                if !headers.contains(&key.as_str()) {
                    headers.push(key);
                }
            }
        }
        let cells = |row: &Value| -> Vec<Cell> {
            headers
                .iter()
                .map(|key| match row.get(key) {
                    None | Some(Value::Null) => Cell::Empty,
                    Some(Value::Number(n)) => n
                        .as_i64()
                        .map_or_else(|| n.as_f64().map_or(Cell::Empty, Cell::Num), Cell::Int),
                    Some(Value::String(text)) => Cell::Text(text.clone()),
                    Some(other) => Cell::Text(other.to_string()),
                })
                .collect()
        };
        match self.output {
            Output::Json => write_json(whole),
            Output::Table => {
                let grid = grid(&headers, rows.iter().map(cells).collect());
                let mut out = io::stdout().lock();
                write!(out, "{grid}")?;
                Ok(out.flush()?)
            }
            Output::Ndjson => {
                let mut out = io::BufWriter::new(io::stdout().lock());
                for row in rows {
                    serde_json::to_writer(&mut out, row).map_err(io::Error::from)?;
                    out.write_all(b"\n")?;
                }
                Ok(out.flush()?)
            }
            Output::Csv => {
                let mut writer = csv::Writer::from_writer(io::BufWriter::new(io::stdout()));
                writer.write_record(&headers).map_err(csv_error)?;
                for row in rows {
                    writer
                        .write_record(cells(row).iter().map(ToString::to_string))
                        .map_err(csv_error)?;
                }
                Ok(writer.flush()?)
            }
            Output::Raw => self.raw(),
        }
    }

    /// Prints `body`, an answer of Adsterra's, as it came.
    pub fn raw_answer(&self, body: Bytes) -> Result<(), Failure> {
        self.keep(vec![body]);
        self.raw()
    }

    /// Adsterra's answer as it came.
    fn raw(&self) -> Result<(), Failure> {
        let Some(body) = self.kept.borrow_mut().take() else {
            return Err(Failure::usage(
                "--output raw prints Adsterra's own answer, and this command's output is worked out locally; use --output json",
            ));
        };
        let mut out = io::stdout().lock();
        out.write_all(&body)?;
        Ok(out.flush()?)
    }
}

/// CSV or NDJSON rows being written.
pub struct Rows<T> {
    columns: Vec<Column<T>>,
    sink: Sink,
}

enum Sink {
    // Boxed: the CSV writer carries its own buffers and is ten times the size.
    Csv(Box<csv::Writer<io::BufWriter<io::Stdout>>>),
    Ndjson(io::BufWriter<io::Stdout>),
}

impl<T: Serialize> Rows<T> {
    pub fn push(&mut self, item: &T) -> Result<(), Failure> {
        match &mut self.sink {
            Sink::Csv(writer) => writer
                .write_record(self.columns.iter().map(|c| (c.cell)(item).to_string()))
                .map_err(csv_error),
            Sink::Ndjson(out) => {
                serde_json::to_writer(&mut *out, item).map_err(io::Error::from)?;
                Ok(out.write_all(b"\n")?)
            }
        }
    }

    pub fn finish(self) -> Result<(), Failure> {
        match self.sink {
            Sink::Csv(mut writer) => writer.flush()?,
            Sink::Ndjson(mut out) => out.flush()?,
        }
        Ok(())
    }
}

fn csv_error(error: csv::Error) -> Failure {
    match error.into_kind() {
        csv::ErrorKind::Io(error) => error.into(),
        other => Failure::from(io::Error::other(format!("{other:?}"))),
    }
}

fn write_json<T: Serialize + ?Sized>(value: &T) -> Result<(), Failure> {
    let mut out = io::BufWriter::new(io::stdout().lock());
    serde_json::to_writer_pretty(&mut out, value).map_err(io::Error::from)?;
    out.write_all(b"\n")?;
    Ok(out.flush()?)
}

fn table<T>(columns: &[Column<T>], items: &[T]) -> String {
    let headers: Vec<&str> = columns.iter().map(|c| c.header).collect();
    let rows = items
        .iter()
        .map(|item| columns.iter().map(|c| (c.cell)(item)).collect())
        .collect();
    grid(&headers, rows)
}

/// Aligned columns: text to the left, numbers to the right, no borders, no trailing spaces.
fn grid(headers: &[&str], rows: Vec<Vec<Cell>>) -> String {
    let mut table = Table::new();
    table
        .load_style(presets::NOTHING)
        .set_content_arrangement(ContentArrangement::Disabled)
        .set_header(headers);
    for row in &rows {
        table.add_row(row.iter().map(ToString::to_string));
    }
    for (index, column) in table.column_iter_mut().enumerate() {
        column.set_padding((0, 2));
        if rows.iter().any(|row| row[index].is_number()) {
            column.set_cell_alignment(CellAlignment::Right);
        }
    }
    let mut text = String::new();
    for line in table.lines() {
        text.push_str(line.trim_end());
        text.push('\n');
    }
    text
}
