//! Exact bodies that pin the mapping. If one of these changes, every
//! generated example and every sandbox response changes with it.

use adsterra_formats::{Format, csv, decode, encode, xml};
use serde_json::{Value, json};

mod common;
use common::{StatList, date};

fn stats() -> Value {
    json!({
        "items": [
            {"date": "2018-02-15", "impressions": 343371, "conversions": 0, "clicks": 0,
             "ctr": 0, "cpm": 0.412, "spent": 141.321},
            {"date": "2018-02-16", "impressions": 352115, "conversions": 2, "clicks": 17,
             "ctr": 0.0048, "cpm": 0.405, "spent": 142.606}
        ],
        "itemCount": 2
    })
}

const STATS_CSV: &str = "\
date;impressions;conversions;clicks;ctr;cpm;spent
2018-02-15;343371;0;0;0;0.412;141.321
2018-02-16;352115;2;17;0.0048;0.405;142.606
";

const STATS_XML: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<response>
  <items>
    <item>
      <date>2018-02-15</date>
      <impressions>343371</impressions>
      <conversions>0</conversions>
      <clicks>0</clicks>
      <ctr>0</ctr>
      <cpm>0.412</cpm>
      <spent>141.321</spent>
    </item>
    <item>
      <date>2018-02-16</date>
      <impressions>352115</impressions>
      <conversions>2</conversions>
      <clicks>17</clicks>
      <ctr>0.0048</ctr>
      <cpm>0.405</cpm>
      <spent>142.606</spent>
    </item>
  </items>
  <itemCount>2</itemCount>
</response>
"#;

#[test]
fn stats_list_csv_is_one_row_per_item_without_item_count() {
    assert_eq!(encode(Format::Csv, &stats()).unwrap(), STATS_CSV);
}

#[test]
fn stats_list_xml_is_the_value_inside_response() {
    assert_eq!(encode(Format::Xml, &stats()).unwrap(), STATS_XML);
}

#[test]
fn golden_stats_bodies_decode_to_the_same_typed_value_as_json() {
    let from_json: StatList = serde_json::from_value(stats()).unwrap();
    let from_csv: StatList = decode(Format::Csv, STATS_CSV.as_bytes()).unwrap();
    let from_xml: StatList = decode(Format::Xml, STATS_XML.as_bytes()).unwrap();
    assert_eq!(from_csv, from_json);
    assert_eq!(from_xml, from_json);
    assert_eq!(from_csv.items[1].date, date(2018, 2, 16));
    assert_eq!(from_csv.item_count, 2);
}

fn campaign() -> Value {
    json!({
        "id": 42,
        "title": "Spring; \"sale\"",
        "placement_ids": [15413270, 15413272],
        "targeting": {"price": 0.5, "country_code": "US"},
        "cpm": null,
        "note": "",
        "tags": []
    })
}

#[test]
fn single_object_csv_is_one_row_with_json_cells_and_empty_null() {
    assert_eq!(
        csv::to_string(&campaign()).unwrap(),
        "id;title;placement_ids;targeting;cpm;note;tags\n\
         42;\"Spring; \"\"sale\"\"\";[15413270,15413272];\
         \"{\"\"price\"\":0.5,\"\"country_code\"\":\"\"US\"\"}\";;;[]\n"
    );
}

#[test]
fn single_object_xml_has_item_lists_nil_and_empty_forms() {
    assert_eq!(
        xml::to_string(&campaign()).unwrap(),
        r#"<?xml version="1.0" encoding="UTF-8"?>
<response>
  <id>42</id>
  <title>Spring; "sale"</title>
  <placement_ids>
    <item>15413270</item>
    <item>15413272</item>
  </placement_ids>
  <targeting>
    <price>0.5</price>
    <country_code>US</country_code>
  </targeting>
  <cpm nil="true"/>
  <note></note>
  <tags/>
</response>
"#
    );
}

#[test]
fn placement_ids_golden_bodies() {
    let ids = json!({"placement_ids": [15413270, 15413272]});
    assert_eq!(
        csv::to_string(&ids).unwrap(),
        "placement_ids\n[15413270,15413272]\n"
    );
    assert_eq!(
        xml::to_string(&ids).unwrap(),
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<response>\n  <placement_ids>\n    \
         <item>15413270</item>\n    <item>15413272</item>\n  </placement_ids>\n</response>\n"
    );

    let empty = json!({"placement_ids": []});
    assert_eq!(csv::to_string(&empty).unwrap(), "placement_ids\n[]\n");
    assert_eq!(
        xml::to_string(&empty).unwrap(),
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<response>\n  <placement_ids/>\n</response>\n"
    );

    #[derive(serde::Deserialize, Debug, PartialEq)]
    struct Ids {
        #[serde(default)]
        placement_ids: Vec<u64>,
    }
    for format in Format::ALL {
        let body = encode(format, &ids).unwrap();
        let decoded: Ids = decode(format, body.as_bytes()).unwrap();
        assert_eq!(decoded.placement_ids, vec![15413270, 15413272], "{format}");
        let body = encode(format, &empty).unwrap();
        let decoded: Ids = decode(format, body.as_bytes()).unwrap();
        assert!(decoded.placement_ids.is_empty(), "{format}");
    }
}

#[test]
fn exact_number_text_is_serde_jsons() {
    let value = json!([{"max": u64::MAX, "min": i64::MIN, "tiny": 5e-324, "big": 1e300,
                        "sum": 0.30000000000000004, "t": true, "f": false}]);
    assert_eq!(
        csv::to_string(&value).unwrap(),
        "max;min;tiny;big;sum;t;f\n\
         18446744073709551615;-9223372036854775808;5e-324;1e+300;0.30000000000000004;true;false\n"
    );
    let body = xml::to_string(&value).unwrap();
    assert!(body.contains("<max>18446744073709551615</max>"), "{body}");
    assert!(body.contains("<tiny>5e-324</tiny>"), "{body}");
    assert!(body.contains("<t>true</t>"), "{body}");
}

#[test]
fn top_level_array_and_scalars() {
    let rows = json!([{"a": 1}, {"b": "x;y"}]);
    assert_eq!(csv::to_string(&rows).unwrap(), "a;b\n1;\n;\"x;y\"\n");
    assert_eq!(
        xml::to_string(&rows).unwrap(),
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<response>\n  <item>\n    <a>1</a>\n  \
         </item>\n  <item>\n    <b>x;y</b>\n  </item>\n</response>\n"
    );
    assert_eq!(
        xml::to_string(&json!(null)).unwrap(),
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<response nil=\"true\"/>\n"
    );
    assert!(csv::to_string(&json!(null)).is_err());
    assert!(csv::to_string(&json!("text")).is_err());
}
