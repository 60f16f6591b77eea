//! Bodies as real servers and spreadsheets write them, not as we do.

use adsterra_formats::{Format, csv, decode, xml};
use serde::Deserialize;

mod common;
use common::{Stat, StatList, date, stat};

fn expected_stats() -> Vec<Stat> {
    vec![
        Stat {
            date: date(2018, 2, 15),
            impressions: 343371,
            conversions: 0,
            clicks: 0,
            ctr: 0.0,
            cpm: 0.412,
            spent: 141.321,
        },
        Stat {
            date: date(2018, 2, 16),
            impressions: 352115,
            conversions: 2,
            clicks: 17,
            ctr: 0.0048,
            cpm: 0.405,
            spent: 142.606,
        },
    ]
}

#[test]
fn csv_headers_match_fields_ignoring_case_and_spaces() {
    let body = "Date;Impressions;CONVERSIONS; Clicks ;Ctr;CPM;Spent\n\
                2018-02-15;343371;0;0;0;0.412;141.321\n\
                2018-02-16;352115;2;17;0.0048;0.405;142.606\n";
    let list: StatList = decode(Format::Csv, body.as_bytes()).unwrap();
    assert_eq!(list.items, expected_stats());
    assert_eq!(list.item_count, 2);
}

#[test]
fn csv_with_bom_crlf_reordered_and_unknown_columns() {
    let body = "\u{feff}Spent;Publisher;Impressions;Date;CPM;CTR;Clicks;Conversions;Country\r\n\
                141.321;pub-1;343371;2018-02-15;0.412;0;0;0;US\r\n\
                142.606;pub-2;352115;2018-02-16;0.405;0.0048;17;2;\"DE;AT\"\r\n";
    let list: StatList = decode(Format::Csv, body.as_bytes()).unwrap();
    assert_eq!(list.items, expected_stats());
    let rows: Vec<Stat> = decode(Format::Csv, body.as_bytes()).unwrap();
    assert_eq!(rows, expected_stats());
    // Streaming sees the same rows.
    let streamed: Vec<Stat> = csv::rows(body.as_bytes())
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(streamed, expected_stats());
}

#[test]
fn csv_unknown_columns_are_refused_when_the_type_denies_them() {
    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Strict {
        date: String,
    }
    let err = decode::<Vec<Strict>>(Format::Csv, b"Date;Extra\n2018-02-15;x\n").unwrap_err();
    assert_eq!(err.location.column.as_deref(), Some("Extra"));
    assert_eq!(err.location.row, Some(1));
    assert!(err.message.contains("unknown field `Extra`"), "{err}");
}

#[test]
fn csv_header_only_and_empty_bodies_are_empty_lists() {
    for body in [
        "date;impressions;conversions;clicks;ctr;cpm;spent\n",
        "date;impressions",
        "",
        "\u{feff}",
        "\r\n",
    ] {
        let list: StatList = decode(Format::Csv, body.as_bytes()).unwrap();
        assert_eq!(
            list,
            StatList {
                items: vec![],
                item_count: 0
            },
            "{body:?}"
        );
        let rows: Vec<Stat> = decode(Format::Csv, body.as_bytes()).unwrap();
        assert!(rows.is_empty(), "{body:?}");
        assert_eq!(csv::rows::<Stat, _>(body.as_bytes()).count(), 0, "{body:?}");
    }
}

#[test]
fn csv_last_line_without_line_end_and_padded_numbers() {
    let body = "date;impressions;conversions;clicks;ctr;cpm;spent\n2018-02-15; 7 ;0;0; 0.5 ;0;0";
    let rows: Vec<Stat> = decode(Format::Csv, body.as_bytes()).unwrap();
    assert_eq!(
        rows,
        vec![Stat {
            ctr: 0.5,
            ..stat(date(2018, 2, 15), 7)
        }]
    );
}

#[test]
fn csv_booleans_accept_one_and_zero() {
    #[derive(Debug, Deserialize, PartialEq)]
    struct Flag {
        active: bool,
    }
    let rows: Vec<Flag> = decode(Format::Csv, b"active\n1\n0\nTrue\nfalse\n").unwrap();
    assert_eq!(
        rows,
        vec![
            Flag { active: true },
            Flag { active: false },
            Flag { active: true },
            Flag { active: false }
        ]
    );
}

#[test]
fn xml_compact_with_comments_cdata_entities_attributes_and_another_root() {
    let body = "<?xml version=\"1.0\"?><!-- report --><result version=\"2\"><items>\
                <item><date><![CDATA[2018-02-15]]></date><impressions>343371</impressions>\
                <conversions>0</conversions><clicks>0</clicks><ctr>0</ctr><cpm>0.412</cpm>\
                <spent>141.321</spent><publisher>A &amp; B</publisher></item>\
                <item><date>2018-02-&#49;6</date><impressions>352115</impressions>\
                <conversions>2</conversions><clicks>17</clicks><ctr>0.0048</ctr>\
                <cpm>0.405</cpm><spent>142.606</spent></item></items>\
                <itemCount>2</itemCount><unknown><deep>x</deep></unknown></result>";
    let list: StatList = decode(Format::Xml, body.as_bytes()).unwrap();
    assert_eq!(list.items, expected_stats());
    assert_eq!(list.item_count, 2);
}

#[test]
fn xml_pretty_printed_empty_list_and_nil_forms() {
    #[derive(Debug, Deserialize, PartialEq)]
    struct Shape {
        #[serde(default)]
        ids: Vec<u64>,
        name: Option<String>,
        note: Option<String>,
        cpm: Option<f64>,
    }
    let body = "\u{feff}<response>\r\n  <ids>\r\n  </ids>\r\n  <name/>\r\n  \
                <note xsi:nil=\"true\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"/>\r\n\
                <cpm nil=\"true\"></cpm>\r\n</response>";
    let shape: Shape = decode(Format::Xml, body.as_bytes()).unwrap();
    assert_eq!(
        shape,
        Shape {
            ids: vec![],
            name: Some(String::new()),
            note: None,
            cpm: None
        }
    );
}

#[test]
fn xml_object_with_a_single_item_key_reads_as_the_object_when_typed() {
    #[derive(Debug, Deserialize, PartialEq)]
    struct Wrapper {
        item: Vec<u32>,
    }
    let value = serde_json::json!({"item": [1, 2]});
    let body = xml::to_string(&value).unwrap();
    let typed: Wrapper = xml::from_slice(body.as_bytes()).unwrap();
    assert_eq!(typed, Wrapper { item: vec![1, 2] });
    // Untyped, the same body is the one-element list (documented ambiguity).
    let untyped: serde_json::Value = xml::from_slice(body.as_bytes()).unwrap();
    assert_eq!(untyped, serde_json::json!([["1", "2"]]));
}
