//! What a user sees when a body is wrong: a located, quoted, one-line error,
//! never a panic.

use adsterra_formats::{Format, Operation, csv, decode, xml};
use proptest::prelude::*;

mod common;
use common::{Campaign, CampaignList, Stat, StatList};

const HEADER: &str = "Date;Impressions;Conversions;Clicks;Ctr;Cpm;Spent";

#[test]
fn csv_non_number_names_row_line_column_field_and_text() {
    let body = format!(
        "{HEADER}\n2018-02-15;343371;0;0;0;0.412;141.321\n2018-02-16;35x2115;2;17;0.0048;0.405;142.606\n"
    );
    let err = decode::<StatList>(Format::Csv, body.as_bytes()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "cannot decode CSV at row 2 (line 3), column \"Impressions\", field items[1].impressions: \
         expected an integer (u64), found \"35x2115\""
    );
    assert_eq!(err.format, Format::Csv);
    assert_eq!(err.operation, Operation::Decode);
    assert_eq!(err.location.row, Some(2));
    assert_eq!(err.location.line, Some(3));
    assert_eq!(err.location.field.as_deref(), Some("items[1].impressions"));

    // A plain Vec target names the index without the envelope field.
    let err = decode::<Vec<Stat>>(Format::Csv, body.as_bytes()).unwrap_err();
    assert_eq!(err.location.field.as_deref(), Some("[1].impressions"));

    // Streaming reports the row and goes on with the next one.
    let results: Vec<_> = csv::rows::<Stat, _>(body.as_bytes()).collect();
    assert_eq!(results.len(), 2);
    assert!(results[0].is_ok());
    let err = results[1].as_ref().unwrap_err();
    assert_eq!(err.location.row, Some(2));
    assert!(err.to_string().contains("\"35x2115\""), "{err}");
}

#[test]
fn csv_long_offending_text_is_cut_to_eighty_characters() {
    let long = "9".repeat(50) + &"x".repeat(500);
    let body = format!("{HEADER}\n2018-02-15;{long};0;0;0;0;0\n");
    let err = decode::<Vec<Stat>>(Format::Csv, body.as_bytes()).unwrap_err();
    let shown = format!("\"{}{}\"…", "9".repeat(50), "x".repeat(30));
    assert!(err.to_string().ends_with(&shown), "{err}");
}

#[test]
fn csv_bad_date_and_bad_nested_json_are_located() {
    let body = format!("{HEADER}\n2018-13-45;1;0;0;0;0;0\n");
    let err = decode::<Vec<Stat>>(Format::Csv, body.as_bytes()).unwrap_err();
    assert_eq!(err.location.column.as_deref(), Some("Date"));
    assert!(err.to_string().contains("(found \"2018-13-45\")"), "{err}");

    let body = "id;campaignName;balance;active;status;rules\n1;x;0;true;active;[{\"price\":\n";
    let err = decode::<Vec<Campaign>>(Format::Csv, body.as_bytes()).unwrap_err();
    assert_eq!(err.location.field.as_deref(), Some("[0].rules"));
    assert!(
        err.message.starts_with("expected a list written as JSON"),
        "{err}"
    );

    let body = "id;campaignName;balance;active;status;rules\n1;x;0;true;active;[{\"price\":\"cheap\",\"country_code\":\"US\"}]\n";
    let err = decode::<Vec<Campaign>>(Format::Csv, body.as_bytes()).unwrap_err();
    assert_eq!(err.location.field.as_deref(), Some("[0].rules[0].price"));
    assert_eq!(err.location.column.as_deref(), Some("rules"));
    assert!(err.message.contains("found \"cheap\""), "{err}");

    let body = "id;campaignName;balance;active;status\n1;x;0;true;deleted\n";
    let err = decode::<Vec<Campaign>>(Format::Csv, body.as_bytes()).unwrap_err();
    assert_eq!(err.location.field.as_deref(), Some("[0].status"));
    assert!(err.message.contains("unknown variant `deleted`"), "{err}");
}

#[test]
fn csv_missing_required_column_is_named() {
    let err = decode::<Vec<Stat>>(Format::Csv, b"date;impressions\n2018-02-15;1\n").unwrap_err();
    assert_eq!(err.location.row, Some(1));
    assert!(err.message.contains("missing field `conversions`"), "{err}");
}

#[test]
fn csv_ragged_rows_are_errors_with_their_row() {
    let body = format!("{HEADER}\n2018-02-15;1;0;0;0;0;0\n2018-02-16;2;0\n");
    let err = decode::<Vec<Stat>>(Format::Csv, body.as_bytes()).unwrap_err();
    assert_eq!(err.location.row, Some(2));
    assert_eq!(err.location.line, Some(3));
    assert_eq!(
        err.to_string(),
        "cannot decode CSV at row 2 (line 3): expected 7 fields as in the header row, found 3"
    );
    let streamed: Vec<_> = csv::rows::<Stat, _>(body.as_bytes()).collect();
    assert!(streamed[0].is_ok());
    assert!(streamed[1].is_err());
}

#[test]
fn csv_invalid_utf8_is_an_error() {
    let mut body = b"date;impressions\n2018-02-15;".to_vec();
    body.extend_from_slice(&[0xff, 0xfe]);
    body.push(b'\n');
    let err = decode::<Vec<Stat>>(Format::Csv, &body).unwrap_err();
    assert_eq!(err.location.row, Some(1));
    assert_eq!(err.location.column.as_deref(), Some("impressions"));
    assert!(err.message.contains("not valid UTF-8"), "{err}");

    let err = decode::<Vec<Stat>>(Format::Csv, b"da\xfft\n1\n").unwrap_err();
    assert_eq!(err.location.row, None);
    assert!(err.message.contains("not valid UTF-8"), "{err}");
}

#[test]
fn xml_typed_error_names_element_path_and_field_path() {
    let body = "<response><items>\
                <item><date>2018-02-15</date><impressions>1</impressions><conversions>0</conversions>\
                <clicks>0</clicks><ctr>0</ctr><cpm>0</cpm><spent>0</spent></item>\
                <item><date>2018-02-16</date><impressions>lots</impressions><conversions>0</conversions>\
                <clicks>0</clicks><ctr>0</ctr><cpm>0</cpm><spent>0</spent></item>\
                </items><itemCount>2</itemCount></response>";
    let err = decode::<StatList>(Format::Xml, body.as_bytes()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "cannot decode XML at element response/items/item[2]/impressions, field \
         items[1].impressions: expected an integer (u64), found \"lots\""
    );
}

#[test]
fn xml_nil_for_a_required_field_and_a_list_for_a_string() {
    let err = decode::<CampaignList>(
        Format::Xml,
        b"<response><items/><itemCount nil=\"true\"/></response>",
    )
    .unwrap_err();
    assert_eq!(err.location.field.as_deref(), Some("itemCount"));
    assert!(err.message.contains("found null"), "{err}");

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Named {
        name: String,
    }
    let err = decode::<Named>(
        Format::Xml,
        b"<response><name><item>a</item></name></response>",
    )
    .unwrap_err();
    assert_eq!(err.message, "expected text, found a list of 1 item(s)");
}

#[test]
fn malformed_xml_gives_errors_not_panics() {
    let bodies: &[&[u8]] = &[
        b"",
        b"not xml at all",
        b"<response>",
        b"<response><a>1</b></response>",
        b"</response>",
        b"<response><a>1</a></response><again/>",
        b"<response><a x=>1</a></response>",
        b"<response><a>&bogus;</a></response>",
        b"<response><a>&#xZZ;</a></response>",
        b"<response><a>&#x110000;</a></response>",
        b"<response><a>1</a><a>2</a></response>",
        b"<response>text<a/></response>",
        b"<response><![CDATA[unterminated</response>",
        b"<response><!-- unterminated </response>",
        b"<response>\xff\xfe</response>",
        b"<response><a>1</a></response>trailing text",
    ];
    for body in bodies {
        let err = decode::<serde_json::Value>(Format::Xml, body).unwrap_err();
        assert_eq!(err.format, Format::Xml);
        let shown = err.to_string();
        assert!(shown.starts_with("cannot decode XML"), "{shown}");
        assert!(!shown.contains('\n'), "{shown}");
    }
    let err = xml::from_slice::<serde_json::Value>(b"<response>\n  <a>\n  <b>1</a>\n</response>")
        .unwrap_err();
    assert_eq!(err.location.line, Some(3));
    assert_eq!(err.location.element.as_deref(), Some("response/a/b"));
}

#[test]
fn wrong_shapes_are_errors() {
    // One struct wanted, many rows given.
    let err = decode::<Stat>(
        Format::Csv,
        format!("{HEADER}\n2018-02-15;1;0;0;0;0;0\n2018-02-15;1;0;0;0;0;0\n").as_bytes(),
    )
    .unwrap_err();
    assert_eq!(err.message, "expected exactly one row, found 2");
    // A CSV body is rows, not a number.
    assert!(decode::<u64>(Format::Csv, b"a\n1\n").is_err());
    // An XML scalar is not a list of structs.
    assert!(decode::<Vec<Stat>>(Format::Xml, b"<response>5</response>").is_err());
}

/// Text that looks a lot like the formats, to reach deep into both parsers.
fn formatish() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        any::<Vec<u8>>(),
        "[<>/&;#x\"'= a-z0-9\\n\\r\\[\\]{}!?:-]{0,200}".prop_map(String::into_bytes),
        prop::collection::vec(
            prop_oneof![
                Just("<response>"),
                Just("</response>"),
                Just("<items>"),
                Just("</items>"),
                Just("<item>"),
                Just("</item>"),
                Just("<item/>"),
                Just("<date>"),
                Just("</date>"),
                Just("2018-02-15"),
                Just("<impressions>"),
                Just("</impressions>"),
                Just("12"),
                Just(" nil=\"true\""),
                Just("&amp;"),
                Just("&#0;"),
                Just("<![CDATA["),
                Just("]]>"),
                Just("date;impressions;ctr\n"),
                Just(";"),
                Just("\""),
                Just("\n"),
                Just("\r\n"),
                Just("[1,2]"),
                Just("{\"a\":"),
                Just("\u{feff}"),
                Just("x"),
            ],
            0..40,
        )
        .prop_map(|parts| parts.concat().into_bytes()),
    ]
}

proptest! {
    #[test]
    fn decoding_arbitrary_bytes_never_panics(body in formatish()) {
        for format in [Format::Json, Format::Csv, Format::Xml] {
            // Each of these may fail; none may panic, and every error reads
            // as one line naming its format.
            let results = [
                decode::<serde_json::Value>(format, &body).err(),
                decode::<StatList>(format, &body).err(),
                decode::<Vec<Campaign>>(format, &body).err(),
                decode::<Stat>(format, &body).err(),
            ];
            for err in results.into_iter().flatten() {
                prop_assert_eq!(err.format, format);
                prop_assert!(!err.to_string().contains('\n'));
            }
        }
        for row in csv::rows::<Stat, _>(body.as_slice()) {
            if let Err(err) = row {
                prop_assert_eq!(err.format, Format::Csv);
            }
        }
    }
}
