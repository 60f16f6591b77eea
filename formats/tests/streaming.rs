//! `csv::rows` streams a report row by row from any reader.

use std::io::Read;

use adsterra_formats::csv;

mod common;
use common::{Stat, date};

const ROWS: u64 = 200_000;

/// A reader that writes the report as it is read: the text of each row is
/// built only when the previous one has been consumed, so the test also
/// shows how much of the body `rows` needed to have read.
struct GeneratedReport {
    next_row: u64,
    pending: Vec<u8>,
    offset: usize,
    bytes_served: u64,
}

impl GeneratedReport {
    fn new() -> Self {
        GeneratedReport {
            next_row: 0,
            pending: b"Date;Impressions;Conversions;Clicks;CTR;CPM;Spent\r\n".to_vec(),
            offset: 0,
            bytes_served: 0,
        }
    }
}

fn expected_row(i: u64) -> Stat {
    let day = date(2018, 1, 1) + chrono::Days::new(i % 3650);
    Stat {
        date: day,
        impressions: i,
        conversions: (i % 7) as i64,
        clicks: (i % 101) as i64,
        ctr: (i % 1000) as f64 / 1000.0,
        cpm: i as f64 * 0.001,
        spent: i as f64 / 3.0,
    }
}

impl Read for GeneratedReport {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.offset == self.pending.len() {
            if self.next_row == ROWS {
                return Ok(0);
            }
            let row = expected_row(self.next_row);
            self.pending = format!(
                "{};{};{};{};{};{};{}\r\n",
                row.date, row.impressions, row.conversions, row.clicks, row.ctr, row.cpm, row.spent
            )
            .into_bytes();
            self.offset = 0;
            self.next_row += 1;
        }
        let n = buf.len().min(self.pending.len() - self.offset);
        buf[..n].copy_from_slice(&self.pending[self.offset..self.offset + n]);
        self.offset += n;
        self.bytes_served += n as u64;
        Ok(n)
    }
}

#[test]
fn rows_yields_every_row_of_a_large_report_in_order() {
    let mut report = GeneratedReport::new();
    let mut count = 0u64;
    for (i, row) in csv::rows::<Stat, _>(&mut report).enumerate() {
        let row = row.unwrap_or_else(|err| panic!("row {i}: {err}"));
        assert_eq!(row, expected_row(i as u64));
        count += 1;
    }
    assert_eq!(count, ROWS);
    assert_eq!(report.next_row, ROWS);
}

#[test]
fn first_row_arrives_after_reading_only_a_little_of_the_body() {
    let mut report = GeneratedReport::new();
    let mut rows = csv::rows::<Stat, _>(&mut report);
    let first = rows.next().expect("a first row").expect("it decodes");
    assert_eq!(first, expected_row(0));
    drop(rows);
    // The csv reader buffers a few kilobytes; the full body is megabytes.
    assert!(
        report.bytes_served < 64 * 1024,
        "read {} bytes for one row",
        report.bytes_served
    );
    assert!(report.next_row < ROWS / 100);
}

/// A body that breaks off with an I/O error after a few rows.
struct FailingAfter<'a> {
    body: &'a [u8],
}

impl Read for FailingAfter<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.body.is_empty() {
            return Err(std::io::Error::new(
                std::io::ErrorKind::ConnectionReset,
                "connection reset",
            ));
        }
        self.body.read(buf)
    }
}

#[test]
fn an_io_error_ends_the_stream_after_reporting_it() {
    // The last row has no line end, so the reader must ask for more bytes.
    let body = b"date;impressions;conversions;clicks;ctr;cpm;spent\n\
                 2018-01-01;0;0;0;0;0;0\n2018-01-02;1;0;0;0;0;0";
    let results: Vec<_> = csv::rows::<Stat, _>(FailingAfter { body }).collect();
    assert_eq!(results.len(), 2, "one row, then the error, then nothing");
    assert_eq!(results[0].as_ref().unwrap(), &expected_row(0));
    let err = results[1].as_ref().unwrap_err();
    assert!(err.to_string().contains("connection reset"), "{err}");
}
