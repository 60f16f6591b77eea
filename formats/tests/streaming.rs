//! `rows` streams a report row by row from any reader, in every format.

use std::io::Read;

use adsterra_formats::{Format, csv};

mod common;
use common::{Stat, date};

const ROWS: u64 = 200_000;

/// A reader that writes the report as it is read: the text of each row is
/// built only when the previous one has been consumed, so the test also
/// shows how much of the body `rows` needed to have read.
struct GeneratedReport {
    format: Format,
    next_row: u64,
    pending: Vec<u8>,
    offset: usize,
    bytes_served: u64,
    ended: bool,
}

impl GeneratedReport {
    fn new(format: Format) -> Self {
        let head: &[u8] = match format {
            Format::Csv => b"Date;Impressions;Conversions;Clicks;CTR;CPM;Spent\r\n",
            Format::Json => b"{\"items\": [",
            Format::Xml => b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<response>\n  <items>\n",
        };
        GeneratedReport {
            format,
            next_row: 0,
            pending: head.to_vec(),
            offset: 0,
            bytes_served: 0,
            ended: false,
        }
    }

    fn row_text(&self, row: &Stat) -> String {
        let Stat {
            date,
            impressions,
            conversions,
            clicks,
            ctr,
            cpm,
            spent,
        } = row;
        match self.format {
            Format::Csv => {
                format!("{date};{impressions};{conversions};{clicks};{ctr};{cpm};{spent}\r\n")
            }
            Format::Json => format!(
                "{}\n  {{\"date\": \"{date}\", \"impressions\": {impressions}, \
                 \"conversions\": {conversions}, \"clicks\": {clicks}, \"ctr\": {ctr}, \
                 \"cpm\": {cpm}, \"spent\": {spent}}}",
                if self.next_row == 0 { "" } else { "," }
            ),
            Format::Xml => format!(
                "    <item>\n      <date>{date}</date>\n      <impressions>{impressions}</impressions>\n      \
                 <conversions>{conversions}</conversions>\n      <clicks>{clicks}</clicks>\n      \
                 <ctr>{ctr}</ctr>\n      <cpm>{cpm}</cpm>\n      <spent>{spent}</spent>\n    </item>\n"
            ),
        }
    }

    fn tail(&self) -> String {
        match self.format {
            Format::Csv => String::new(),
            Format::Json => format!("\n], \"itemCount\": {ROWS}}}\n"),
            Format::Xml => format!("  </items>\n  <itemCount>{ROWS}</itemCount>\n</response>\n"),
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
                if self.ended {
                    return Ok(0);
                }
                self.ended = true;
                self.pending = self.tail().into_bytes();
            } else {
                let row = expected_row(self.next_row);
                self.pending = self.row_text(&row).into_bytes();
                self.next_row += 1;
            }
            self.offset = 0;
        }
        let n = buf.len().min(self.pending.len() - self.offset);
        buf[..n].copy_from_slice(&self.pending[self.offset..self.offset + n]);
        self.offset += n;
        self.bytes_served += n as u64;
        Ok(n)
    }
}

#[test]
fn rows_yields_every_row_of_a_large_report_in_order_in_every_format() {
    for format in Format::ALL {
        let mut report = GeneratedReport::new(format);
        let mut count = 0u64;
        for (i, row) in adsterra_formats::rows::<Stat, _>(format, &mut report).enumerate() {
            let row = row.unwrap_or_else(|err| panic!("{format} row {i}: {err}"));
            assert_eq!(row, expected_row(i as u64), "{format}");
            count += 1;
        }
        assert_eq!(count, ROWS, "{format}");
        assert_eq!(report.next_row, ROWS, "{format}");
        assert!(
            report.ended,
            "{format}: the whole body was read and checked"
        );
    }
}

#[test]
fn first_row_arrives_after_reading_only_a_little_of_the_body() {
    for format in Format::ALL {
        let mut report = GeneratedReport::new(format);
        let mut rows = adsterra_formats::rows::<Stat, _>(format, &mut report);
        let first = rows.next().expect("a first row").expect("it decodes");
        assert_eq!(first, expected_row(0));
        drop(rows);
        // The readers buffer up to 64 KiB; the full body is megabytes.
        assert!(
            report.bytes_served <= 64 * 1024,
            "{format}: read {} bytes for one row",
            report.bytes_served
        );
        assert!(report.next_row < ROWS / 100, "{format}");
    }
}

#[test]
fn a_bad_row_is_an_error_in_place_and_the_next_rows_still_come() {
    let bodies = [
        (
            Format::Json,
            "{\"items\": [\n{\"date\": \"2018-01-01\", \"impressions\": 0, \"conversions\": 0, \"clicks\": 0, \"ctr\": 0, \"cpm\": 0, \"spent\": 0},\n\
             {\"date\": \"2018-01-02\", \"impressions\": \"lots\", \"conversions\": 0, \"clicks\": 0, \"ctr\": 0, \"cpm\": 0, \"spent\": 0},\n\
             {\"date\": \"2018-01-03\", \"impressions\": \"2\", \"conversions\": 0, \"clicks\": 0, \"ctr\": 0, \"cpm\": 0, \"spent\": 0}\n\
             ], \"itemCount\": 3}",
        ),
        (
            Format::Xml,
            "<response><items>\n<item><date>2018-01-01</date><impressions>0</impressions><conversions>0</conversions>\
             <clicks>0</clicks><ctr>0</ctr><cpm>0</cpm><spent>0</spent></item>\n\
             <item><date>2018-01-02</date><impressions>lots</impressions><conversions>0</conversions>\
             <clicks>0</clicks><ctr>0</ctr><cpm>0</cpm><spent>0</spent></item>\n\
             <item><date>2018-01-03</date><impressions>2</impressions><conversions>0</conversions>\
             <clicks>0</clicks><ctr>0</ctr><cpm>0</cpm><spent>0</spent></item>\n\
             </items><itemCount>3</itemCount></response>",
        ),
        (
            Format::Csv,
            "date;impressions;conversions;clicks;ctr;cpm;spent\n2018-01-01;0;0;0;0;0;0\n\
             2018-01-02;lots;0;0;0;0;0\n2018-01-03;2;0;0;0;0;0\n",
        ),
    ];
    for (format, body) in bodies {
        let rows: Vec<_> = adsterra_formats::rows::<Stat, _>(format, body.as_bytes()).collect();
        assert_eq!(rows.len(), 3, "{format}");
        assert_eq!(rows[0].as_ref().unwrap().date, date(2018, 1, 1), "{format}");
        let err = rows[1].as_ref().unwrap_err();
        assert_eq!(err.format, format);
        assert_eq!(
            err.location.field.as_deref(),
            // CSV has no envelope: its rows are the body's list.
            Some(if format == Format::Csv {
                "[1].impressions"
            } else {
                "items[1].impressions"
            }),
            "{format}: {err}"
        );
        assert!(err.message.contains("\"lots\""), "{format}: {err}");
        let third = rows[2].as_ref().unwrap_or_else(|e| panic!("{format}: {e}"));
        assert_eq!(
            third.impressions, 2,
            "{format}: a number sent as text still decodes"
        );
    }
    let json_err = adsterra_formats::rows::<Stat, _>(Format::Json, bodies[0].1.as_bytes())
        .nth(1)
        .unwrap()
        .unwrap_err();
    assert_eq!(json_err.location.line, Some(3), "{json_err}");
    let xml_err = adsterra_formats::rows::<Stat, _>(Format::Xml, bodies[1].1.as_bytes())
        .nth(1)
        .unwrap()
        .unwrap_err();
    assert_eq!(
        xml_err.location.element.as_deref(),
        Some("response/items/item[2]/impressions")
    );
}

#[test]
fn rows_of_a_top_level_list_and_of_an_empty_envelope() {
    let stat = "{\"date\": \"2018-01-01\", \"impressions\": 0, \"conversions\": 0, \"clicks\": 0, \"ctr\": 0, \"cpm\": 0, \"spent\": 0}";
    let list = format!("[{stat}, {stat}]");
    assert_eq!(
        adsterra_formats::rows::<Stat, _>(Format::Json, list.as_bytes()).count(),
        2
    );
    let xml = "<response><item><date>2018-01-01</date><impressions>0</impressions><conversions>0</conversions>\
               <clicks>0</clicks><ctr>0</ctr><cpm>0</cpm><spent>0</spent></item></response>";
    let rows: Vec<_> = adsterra_formats::rows::<Stat, _>(Format::Xml, xml.as_bytes()).collect();
    assert_eq!(rows.len(), 1);
    assert!(rows[0].is_ok(), "{:?}", rows[0]);
    for (format, body) in [
        (Format::Json, "{\"itemCount\": 0, \"items\": []}"),
        (
            Format::Xml,
            "<response><items/><itemCount>0</itemCount></response>",
        ),
        (Format::Csv, ""),
    ] {
        assert_eq!(
            adsterra_formats::rows::<Stat, _>(format, body.as_bytes()).count(),
            0,
            "{format}"
        );
    }
    // What follows the list is still read: a broken end is an error after the rows.
    let broken = format!("{{\"items\": [{stat}], \"itemCount\": 1");
    let rows: Vec<_> = adsterra_formats::rows::<Stat, _>(Format::Json, broken.as_bytes()).collect();
    assert_eq!(rows.len(), 2);
    assert!(rows[1].is_err());
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
