//! CSV and XML written straight from typed values are byte for byte what the rules make of
//! `serde_json::to_value(value)`: the same body, or the same error.
//!
//! The reference is [`oracle`]: the rules applied to a JSON value with the csv crate's writer
//! and quick-xml's indenting writer, as the crate wrote bodies before it wrote them from typed
//! values.

use std::collections::BTreeMap;

use adsterra_formats::{Error, Format, csv, encode, xml};
use proptest::prelude::*;
use serde::Serialize;
use serde_json::{Map, Value, json};

mod common;
use common::{Campaign, CampaignList, Rule, Status, date};

/// Encodes `typed` both ways in both formats and checks that the bodies (or errors) agree, and
/// agree with the oracle. Returns the two bodies.
#[track_caller]
fn same_as_value_path<T: Serialize + ?Sized>(typed: &T) -> (String, String) {
    let value = serde_json::to_value(typed).expect("test values serialize");
    let csv_body = agree(
        "CSV",
        csv::to_string(typed),
        csv::to_string(&value),
        oracle::csv(&value),
    );
    let xml_body = agree(
        "XML",
        xml::to_string(typed),
        xml::to_string(&value),
        oracle::xml(&value),
    );
    (csv_body, xml_body)
}

#[track_caller]
fn agree(
    format: &str,
    typed: Result<String, Error>,
    value: Result<String, Error>,
    oracle: Result<String, oracle::Refusal>,
) -> String {
    assert_eq!(typed, value, "{format}: typed value against its JSON value");
    match (typed, oracle) {
        (Ok(body), Ok(expected)) => {
            assert_eq!(body, expected, "{format}: against the oracle");
            body
        }
        (Err(err), Err(expected)) => {
            let location = &err.location;
            let found = (
                err.message.clone(),
                location.row,
                location.field.clone(),
                location.element.clone(),
            );
            assert_eq!(found, expected, "{format}: error against the oracle");
            err.to_string()
        }
        (typed, oracle) => panic!("{format}: {typed:?} but the oracle says {oracle:?}"),
    }
}

/// A report row whose optional columns come and go, with every kind of cell.
#[derive(Debug, Clone, Serialize)]
struct Report {
    #[serde(skip_serializing_if = "Option::is_none")]
    date: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    campaign: Option<i64>,
    impressions: u64,
    balance: i64,
    ctr: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    cpm: Option<f64>,
    ratio: f32,
    active: bool,
    status: Status,
    kind: Kind,
    note: Option<String>,
    initial: char,
    ids: Vec<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    rule: Option<Rule>,
    by_code: BTreeMap<i32, u8>,
}

#[derive(Debug, Clone, Serialize)]
enum Kind {
    Plain,
    Capped(u32),
    Pair(u8, String),
    Window { from: u8, to: Option<u8> },
}

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => "[a-z0-9 ]{0,8}",
        2 => "[a;\"\r\n <>&#x\u{1}\u{FFFF}\t]{0,6}",
        1 => any::<String>(),
    ]
}

fn float() -> impl Strategy<Value = f64> {
    prop_oneof![
        3 => (-100_000i32..100_000).prop_map(|n| f64::from(n) / 1000.0),
        2 => any::<f64>(),
        1 => Just(f64::NAN),
        1 => Just(f64::INFINITY),
        1 => Just(1.0),
        1 => Just(5e-324),
        1 => Just(1e300),
    ]
}

fn kind() -> impl Strategy<Value = Kind> {
    prop_oneof![
        Just(Kind::Plain),
        any::<u32>().prop_map(Kind::Capped),
        (any::<u8>(), text()).prop_map(|(n, s)| Kind::Pair(n, s)),
        (any::<u8>(), any::<Option<u8>>()).prop_map(|(from, to)| Kind::Window { from, to }),
    ]
}

fn status() -> impl Strategy<Value = Status> {
    prop_oneof![
        Just(Status::Active),
        Just(Status::Paused),
        Just(Status::Archived)
    ]
}

fn rule() -> impl Strategy<Value = Rule> {
    (float(), text(), prop::collection::vec(text(), 0..3)).prop_map(
        |(price, country_code, sub_ids)| Rule {
            price,
            country_code,
            sub_ids,
        },
    )
}

fn report() -> impl Strategy<Value = Report> {
    (
        (
            proptest::option::of(text()),
            any::<Option<i64>>(),
            any::<u64>(),
            any::<i64>(),
            float(),
            proptest::option::of(float()),
            any::<f32>(),
            any::<bool>(),
        ),
        (
            status(),
            kind(),
            proptest::option::of(text()),
            any::<char>(),
            prop::collection::vec(any::<u64>(), 0..3),
            proptest::option::of(rule()),
            prop::collection::btree_map(-3i32..3, any::<u8>(), 0..2),
        ),
    )
        .prop_map(
            |(
                (date, campaign, impressions, balance, ctr, cpm, ratio, active),
                (status, kind, note, initial, ids, rule, by_code),
            )| Report {
                date,
                campaign,
                impressions,
                balance,
                ctr,
                cpm,
                ratio,
                active,
                status,
                kind,
                note,
                initial,
                ids,
                rule,
                by_code,
            },
        )
}

fn any_campaign() -> impl Strategy<Value = Campaign> {
    let day = (1i32..=9999, 1u32..=12, 1u32..=28).prop_map(|(y, m, d)| date(y, m, d));
    (
        (any::<u64>(), text(), proptest::option::of(text())),
        (proptest::option::of(float()), any::<i64>(), any::<bool>()),
        (status(), proptest::option::of(day)),
        (
            prop::collection::vec(any::<u64>(), 0..3),
            prop::collection::vec(rule(), 0..2),
            proptest::option::of(rule()),
        ),
    )
        .prop_map(
            |(
                (id, name, note),
                (budget, balance, active),
                (status, start_date),
                (placement_ids, rules, default_rule),
            )| Campaign {
                id,
                name,
                note,
                budget,
                balance,
                active,
                status,
                start_date,
                placement_ids,
                rules,
                default_rule,
            },
        )
}

/// Keys that make every rule show: the envelope's, XML's `item`, and ones that are not XML
/// names or need CSV quotes.
fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => "[a-e]",
        1 => Just("items".to_owned()),
        1 => Just("itemCount".to_owned()),
        1 => Just("item".to_owned()),
        1 => Just("a b".to_owned()),
        1 => Just(String::new()),
        1 => Just("1x".to_owned()),
        1 => Just("x;y".to_owned()),
        1 => text(),
    ]
}

fn json_leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        float().prop_map(Value::from),
        text().prop_map(Value::from),
    ]
}

fn json_value() -> impl Strategy<Value = Value> {
    json_leaf().prop_recursive(4, 48, 5, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec((key(), inner), 0..4)
                .prop_map(|entries| Value::Object(entries.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// Rows: mostly objects over a few shared keys in varying order, sometimes not objects.
fn json_rows() -> impl Strategy<Value = Vec<Value>> {
    let row = prop_oneof![
        6 => prop::collection::vec(("[a-f]", json_value()), 0..5)
            .prop_map(|entries| Value::Object(entries.into_iter().collect::<Map<_, _>>())),
        1 => json_leaf(),
    ];
    prop::collection::vec(row, 0..5)
}

proptest! {
    #[test]
    fn typed_reports_encode_as_their_json_values(rows in prop::collection::vec(report(), 0..5)) {
        same_as_value_path(&rows);
        same_as_value_path(&list(rows.clone()));
        if let Some(row) = rows.first() {
            same_as_value_path(row);
        }
    }

    #[test]
    fn typed_campaign_lists_encode_as_their_json_values(
        items in prop::collection::vec(any_campaign(), 0..4),
    ) {
        let list = CampaignList { item_count: items.len() as i64, items };
        same_as_value_path(&list);
        same_as_value_path(&list.items);
    }

    #[test]
    fn json_values_encode_as_the_oracle_says(value in json_value()) {
        same_as_value_path(&value);
    }

    #[test]
    fn json_rows_encode_as_the_oracle_says(rows in json_rows()) {
        same_as_value_path(&json!({"itemCount": rows.len(), "items": &rows}));
        same_as_value_path(&rows);
    }
}

#[derive(Serialize)]
struct Sparse {
    a: u8,
    #[serde(skip_serializing_if = "Option::is_none")]
    b: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    c: Option<u8>,
}

#[derive(Serialize)]
struct List<T> {
    items: Vec<T>,
    #[serde(rename = "itemCount")]
    item_count: usize,
}

fn list<T>(items: Vec<T>) -> List<T> {
    List {
        item_count: items.len(),
        items,
    }
}

#[test]
fn skipped_options_make_the_header_the_union_of_the_rows_keys() {
    let rows = list(vec![
        Sparse {
            a: 1,
            b: None,
            c: Some(3),
        },
        Sparse {
            a: 4,
            b: Some(5),
            c: Some(6),
        },
        Sparse {
            a: 7,
            b: Some(8),
            c: None,
        },
    ]);
    let (csv, xml) = same_as_value_path(&rows);
    assert_eq!(csv, "a;c;b\n1;3;\n4;6;5\n7;;8\n");
    assert!(
        xml.contains("<item>\n      <a>7</a>\n      <b>8</b>\n    </item>"),
        "{xml}"
    );
}

#[test]
fn nested_lists_and_structs_are_compact_json_cells_and_xml_children() {
    #[derive(Serialize)]
    struct Row {
        ids: Vec<u64>,
        rule: Rule,
        none: Vec<u8>,
    }
    let row = Row {
        ids: vec![15413270, 15413272],
        rule: Rule {
            price: 0.5,
            country_code: "US".into(),
            sub_ids: vec![],
        },
        none: vec![],
    };
    let (csv, xml) = same_as_value_path(&[row]);
    assert_eq!(
        csv,
        "ids;rule;none\n[15413270,15413272];\
         \"{\"\"price\"\":0.5,\"\"country_code\"\":\"\"US\"\",\"\"sub_ids\"\":[]}\";[]\n"
    );
    assert_eq!(
        xml,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<response>\n  <item>\n    <ids>\n      \
         <item>15413270</item>\n      <item>15413272</item>\n    </ids>\n    <rule>\n      \
         <price>0.5</price>\n      <country_code>US</country_code>\n      <sub_ids/>\n    \
         </rule>\n    <none/>\n  </item>\n</response>\n"
    );
}

#[test]
fn enum_variants_are_written_as_serde_json_writes_them() {
    #[derive(Serialize)]
    struct Row {
        status: Status,
        kind: Kind,
    }
    let rows = [
        Row {
            status: Status::Paused,
            kind: Kind::Plain,
        },
        Row {
            status: Status::Active,
            kind: Kind::Capped(3),
        },
    ];
    let (csv, xml) = same_as_value_path(&rows);
    assert_eq!(
        csv,
        "status;kind\npaused;Plain\nactive;\"{\"\"Capped\"\":3}\"\n"
    );
    assert!(
        xml.contains("<kind>\n      <Capped>3</Capped>\n    </kind>"),
        "{xml}"
    );
    // A variant with data is an object, which XML writes like any other.
    let (_, xml) = same_as_value_path(&Kind::Window { from: 1, to: None });
    assert!(
        xml.ends_with(
            "<response>\n  <Window>\n    <from>1</from>\n    <to nil=\"true\"/>\n  </Window>\n\
             </response>\n"
        ),
        "{xml}"
    );
}

#[test]
fn numbers_are_serde_jsons_text_and_non_finite_floats_are_null() {
    #[derive(Serialize)]
    struct Row {
        max: u64,
        min: i64,
        one: f64,
        nan: f64,
        inf: f32,
        tenth: f32,
    }
    let row = Row {
        max: u64::MAX,
        min: i64::MIN,
        one: 1.0,
        nan: f64::NAN,
        inf: f32::INFINITY,
        tenth: 0.1,
    };
    let (csv, xml) = same_as_value_path(&[row]);
    // `to_value` widens an f32 to f64 before writing it.
    assert_eq!(
        csv,
        "max;min;one;nan;inf;tenth\n\
         18446744073709551615;-9223372036854775808;1.0;;;0.10000000149011612\n"
    );
    assert!(xml.contains("<one>1.0</one>"), "{xml}");
    assert!(xml.contains("<nan nil=\"true\"/>"), "{xml}");
    assert!(xml.contains("<inf nil=\"true\"/>"), "{xml}");
}

#[test]
fn csv_quotes_only_what_needs_it_and_keeps_one_empty_column_visible() {
    #[derive(Serialize)]
    struct Only {
        name: String,
    }
    let names = ["", "a;b", "say \"hi\"", "two\nlines", " lead", "#hash"];
    let rows: Vec<Only> = names
        .iter()
        .map(|name| Only {
            name: (*name).to_owned(),
        })
        .collect();
    let (csv, _) = same_as_value_path(&rows);
    assert_eq!(
        csv,
        "name\n\"\"\n\"a;b\"\n\"say \"\"hi\"\"\"\n\"two\nlines\"\n lead\n#hash\n"
    );
}

#[test]
fn an_integer_map_key_is_text_that_xml_refuses_as_an_element_name() {
    #[derive(Serialize)]
    struct Row {
        by_code: BTreeMap<i32, u8>,
    }
    let rows = list(vec![Row {
        by_code: BTreeMap::from([(1, 2)]),
    }]);
    let (csv, err) = same_as_value_path(&rows);
    assert_eq!(csv, "by_code\n\"{\"\"1\"\":2}\"\n");
    assert_eq!(
        err,
        "cannot encode XML at element response/items/item[1]/by_code: the key \"1\" is not a \
         valid XML element name"
    );
}

#[test]
fn empty_lists_and_structs_are_empty_xml_elements() {
    #[derive(Serialize)]
    struct Nothing {}
    #[derive(Serialize)]
    struct AllSkipped {
        #[serde(skip_serializing_if = "Option::is_none")]
        a: Option<u8>,
    }
    #[derive(Serialize)]
    struct Row {
        list: Vec<u8>,
        nothing: Nothing,
        skipped: AllSkipped,
        text: String,
        unit: (),
    }
    let row = Row {
        list: vec![],
        nothing: Nothing {},
        skipped: AllSkipped { a: None },
        text: String::new(),
        unit: (),
    };
    let (csv, xml) = same_as_value_path(&row);
    assert_eq!(csv, "list;nothing;skipped;text;unit\n[];{};{};;\n");
    assert_eq!(
        xml,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<response>\n  <list/>\n  <nothing/>\n  \
         <skipped/>\n  <text></text>\n  <unit nil=\"true\"/>\n</response>\n"
    );
    // Rows without a single key: an empty CSV body.
    let (csv, _) = same_as_value_path(&list(vec![AllSkipped { a: None }]));
    assert_eq!(csv, "");
}

#[test]
fn shapes_csv_refuses_are_refused_with_the_value_paths_words() {
    let (err, _) = same_as_value_path(&Status::Active);
    assert_eq!(
        err,
        "cannot encode CSV: a CSV body holds rows of objects, but the value is a string"
    );
    let (err, _) = same_as_value_path(&list(vec![
        Some(Rule {
            price: 1.0,
            country_code: "US".into(),
            sub_ids: vec![],
        }),
        None,
    ]));
    assert_eq!(
        err,
        "cannot encode CSV at row 2, field items[1]: each row must be an object, found null"
    );
    let (err, _) = same_as_value_path(&[[1]]);
    assert_eq!(
        err,
        "cannot encode CSV at row 1, field [0]: each row must be an object, found an array"
    );
}

#[test]
fn what_to_value_refuses_is_refused_with_serde_jsons_error() {
    let rows = [BTreeMap::from([((1, 2), 3)])];
    for format in [Format::Csv, Format::Xml] {
        let err = encode(format, &rows).unwrap_err();
        assert!(err.to_string().ends_with(": key must be a string"), "{err}");
    }
}

#[test]
fn a_key_written_twice_is_written_once_as_to_value_keeps_it() {
    #[derive(Serialize)]
    struct Twice {
        a: u8,
        b: u8,
        #[serde(rename = "a")]
        again: u8,
    }
    let (csv, xml) = same_as_value_path(&[Twice {
        a: 1,
        b: 2,
        again: 3,
    }]);
    assert_eq!(csv, "a;b\n3;2\n");
    assert!(xml.contains("<a>3</a>\n    <b>2</b>\n  </item>"), "{xml}");

    // The repeat comes only in a later row, after a row of the same type without it.
    #[derive(Serialize)]
    struct Sometimes {
        a: u8,
        #[serde(skip_serializing_if = "Option::is_none")]
        b: Option<u8>,
        #[serde(rename = "a", skip_serializing_if = "Option::is_none")]
        again: Option<u8>,
    }
    let rows = [
        Sometimes {
            a: 1,
            b: Some(2),
            again: None,
        },
        Sometimes {
            a: 3,
            b: None,
            again: Some(4),
        },
    ];
    let (csv, xml) = same_as_value_path(&rows);
    assert_eq!(csv, "a;b\n1;2\n4;\n");
    assert!(xml.contains("<item>\n    <a>4</a>\n  </item>"), "{xml}");
}

#[test]
fn nested_structs_of_one_type_with_different_fields() {
    #[derive(Serialize)]
    struct Node {
        name: &'static str,
        #[serde(skip_serializing_if = "Vec::is_empty")]
        children: Vec<Node>,
        #[serde(skip_serializing_if = "Option::is_none")]
        tag: Option<&'static str>,
    }
    let leaf = |name, tag| Node {
        name,
        children: Vec::new(),
        tag,
    };
    let tree = Node {
        name: "root",
        children: vec![
            leaf("a", None),
            Node {
                name: "b",
                children: vec![leaf("b1", Some("x")), leaf("b2", None)],
                tag: Some("y"),
            },
            leaf("c", Some("z")),
        ],
        tag: None,
    };
    same_as_value_path(&tree);
    same_as_value_path(&[&tree, &tree]);
}

/// The rules applied to a JSON value, as the crate applied them before it wrote typed values.
mod oracle {
    use std::collections::HashSet;

    use quick_xml::Writer;
    use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
    use serde_json::Value;

    /// An encoding error: its message, row, field and element.
    pub type Refusal = (String, Option<u64>, Option<String>, Option<String>);

    fn kind(value: &Value) -> &'static str {
        match value {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Number(_) => "a number",
            Value::String(_) => "a string",
            Value::Array(_) => "an array",
            Value::Object(_) => "an object",
        }
    }

    pub fn csv(value: &Value) -> Result<String, Refusal> {
        let (rows, list) = match value {
            Value::Object(map) => match map.get("items") {
                Some(Value::Array(items)) => (items.as_slice(), "items"),
                _ => (std::slice::from_ref(value), ""),
            },
            Value::Array(items) => (items.as_slice(), ""),
            other => {
                let message = format!(
                    "a CSV body holds rows of objects, but the value is {}",
                    kind(other)
                );
                return Err((message, None, None, None));
            }
        };
        let mut header: Vec<&str> = Vec::new();
        let mut seen = HashSet::new();
        let mut objects = Vec::new();
        for (index, row) in rows.iter().enumerate() {
            let Value::Object(map) = row else {
                let message = format!("each row must be an object, found {}", kind(row));
                let field = Some(format!("{list}[{index}]"));
                return Err((message, Some(index as u64 + 1), field, None));
            };
            for key in map.keys() {
                if seen.insert(key.as_str()) {
                    header.push(key);
                }
            }
            objects.push(map);
        }
        if header.is_empty() {
            return Ok(String::new());
        }
        let mut writer = ::csv::WriterBuilder::new()
            .delimiter(b';')
            .terminator(::csv::Terminator::Any(b'\n'))
            .from_writer(Vec::new());
        writer.write_record(&header).expect("in memory");
        for map in objects {
            let cells = header.iter().map(|key| match map.get(*key) {
                None | Some(Value::Null) => String::new(),
                Some(Value::String(s)) => s.clone(),
                Some(other) => other.to_string(),
            });
            writer.write_record(cells).expect("in memory");
        }
        Ok(String::from_utf8(writer.into_inner().expect("in memory")).expect("UTF-8"))
    }

    pub fn xml(value: &Value) -> Result<String, Refusal> {
        let mut writer = Writer::new_with_indent(Vec::new(), b' ', 2);
        let decl = BytesDecl::new("1.0", Some("UTF-8"), None);
        writer.write_event(Event::Decl(decl)).expect("in memory");
        let mut path = vec!["response".to_owned()];
        element(&mut writer, "response", value, &mut path)?;
        let mut body = String::from_utf8(writer.into_inner()).expect("UTF-8");
        body.push('\n');
        Ok(body)
    }

    fn element(
        writer: &mut Writer<Vec<u8>>,
        name: &str,
        value: &Value,
        path: &mut Vec<String>,
    ) -> Result<(), Refusal> {
        match value {
            Value::Null => {
                let nil = BytesStart::new(name).with_attributes([("nil", "true")]);
                emit(writer, Event::Empty(nil));
            }
            Value::Array(items) if items.is_empty() => {
                emit(writer, Event::Empty(BytesStart::new(name)))
            }
            Value::Object(map) if map.is_empty() => {
                emit(writer, Event::Empty(BytesStart::new(name)))
            }
            Value::Array(items) => {
                emit(writer, Event::Start(BytesStart::new(name)));
                for (index, item) in items.iter().enumerate() {
                    path.push(format!("item[{}]", index + 1));
                    element(writer, "item", item, path)?;
                    path.pop();
                }
                emit(writer, Event::End(BytesEnd::new(name)));
            }
            Value::Object(map) => {
                emit(writer, Event::Start(BytesStart::new(name)));
                for (key, child) in map {
                    if !is_name(key) {
                        let message =
                            format!("the key {} is not a valid XML element name", quote(key));
                        return Err((message, None, None, Some(path.join("/"))));
                    }
                    path.push(key.clone());
                    element(writer, key, child, path)?;
                    path.pop();
                }
                emit(writer, Event::End(BytesEnd::new(name)));
            }
            scalar => {
                let text = match scalar {
                    Value::String(s) => escape(s),
                    other => other.to_string(),
                };
                emit(writer, Event::Start(BytesStart::new(name)));
                emit(writer, Event::Text(BytesText::from_escaped(text)));
                emit(writer, Event::End(BytesEnd::new(name)));
            }
        }
        Ok(())
    }

    fn emit(writer: &mut Writer<Vec<u8>>, event: Event<'_>) {
        writer.write_event(event).expect("in memory");
    }

    fn escape(text: &str) -> String {
        let mut out = String::new();
        for c in text.chars() {
            match c {
                '<' => out.push_str("&lt;"),
                '>' => out.push_str("&gt;"),
                '&' => out.push_str("&amp;"),
                '\r' => out.push_str("&#13;"),
                '\t' | '\n' => out.push(c),
                c if c < ' ' || c == '\u{FFFE}' || c == '\u{FFFF}' => {
                    out.push_str(&format!("&#x{:X};", u32::from(c)));
                }
                c => out.push(c),
            }
        }
        out
    }

    /// Offending text in a message: Rust string syntax, cut to 80 characters.
    fn quote(text: &str) -> String {
        match text.char_indices().nth(80) {
            Some((cut, _)) => format!("{:?}…", &text[..cut]),
            None => format!("{text:?}"),
        }
    }

    /// XML 1.0 `Name` without `:`.
    fn is_name(name: &str) -> bool {
        let mut chars = name.chars();
        match chars.next() {
            Some(first) if is_name_start(first) => chars.all(is_name_char),
            _ => false,
        }
    }

    fn is_name_start(c: char) -> bool {
        matches!(c,
            'A'..='Z' | '_' | 'a'..='z'
            | '\u{C0}'..='\u{D6}'
            | '\u{D8}'..='\u{F6}'
            | '\u{F8}'..='\u{2FF}'
            | '\u{370}'..='\u{37D}'
            | '\u{37F}'..='\u{1FFF}'
            | '\u{200C}'..='\u{200D}'
            | '\u{2070}'..='\u{218F}'
            | '\u{2C00}'..='\u{2FEF}'
            | '\u{3001}'..='\u{D7FF}'
            | '\u{F900}'..='\u{FDCF}'
            | '\u{FDF0}'..='\u{FFFD}'
            | '\u{10000}'..='\u{EFFFF}')
    }

    fn is_name_char(c: char) -> bool {
        is_name_start(c)
            || matches!(c,
                '-' | '.' | '0'..='9' | '\u{B7}'
                | '\u{300}'..='\u{36F}'
                | '\u{203F}'..='\u{2040}')
    }
}
