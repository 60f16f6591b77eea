//! Typed value → `serde_json::to_value` → CSV/XML → decode → the same value.

use adsterra_formats::{Format, decode, encode};
use proptest::prelude::*;
use serde::Serialize;
use serde::de::DeserializeOwned;

mod common;
use common::{Campaign, CampaignList, Rule, Stat, StatList, Status, date};

/// The two text formats this crate maps; JSON is serde_json itself.
const TEXT_FORMATS: [Format; 2] = [Format::Csv, Format::Xml];

fn round_trip<T: Serialize + DeserializeOwned>(format: Format, value: &T) -> T {
    let json = serde_json::to_value(value).expect("test values serialize");
    let body = encode(format, &json).unwrap_or_else(|err| panic!("encode {format}: {err}"));
    decode(format, body.as_bytes()).unwrap_or_else(|err| panic!("decode {format}: {err}\n{body}"))
}

const AWKWARD: &[&str] = &[
    ";",
    "a;b;c",
    "\"",
    "say \"hi\"",
    "'",
    "it's",
    "line\nbreak",
    "windows\r\nbreak",
    "\r",
    "\n",
    "<>&",
    "<tag attr=\"x\">&amp;</tag>",
    "]]>",
    "<![CDATA[x]]>",
    "007",
    "123",
    "-1.5e3",
    "true",
    "false",
    "null",
    "nil",
    "[1,2]",
    "{\"a\":1}",
    "  padded  ",
    " ",
    "\t",
    "trailing ",
    " leading",
    "中文广告活动",
    "עברית ومرحبا",
    "🎉👨‍👩‍👧‍👦",
    "e\u{301}\u{302}",
    "\u{feff}bom-like",
    "a\u{0}b\u{1}c\u{1f}",
    "\u{fffe}\u{ffff}",
    "item",
];

fn rule(price: f64, code: &str, sub_ids: &[&str]) -> Rule {
    Rule {
        price,
        country_code: code.to_owned(),
        sub_ids: sub_ids.iter().map(|s| (*s).to_owned()).collect(),
    }
}

fn awkward_campaigns() -> Vec<Campaign> {
    let floats = [
        0.1,
        1e300,
        5e-324,
        0.30000000000000004,
        1.2345678901234567,
        -9.876543210987654e-100,
        f64::MAX,
        f64::MIN_POSITIVE,
        0.0,
        -2.5,
    ];
    AWKWARD
        .iter()
        .enumerate()
        .map(|(i, text)| Campaign {
            id: if i == 0 { u64::MAX } else { i as u64 },
            name: (*text).to_owned(),
            note: if i % 3 == 0 {
                None
            } else {
                Some(format!("{text}{text}"))
            },
            budget: if i % 4 == 1 {
                None
            } else {
                Some(floats[i % floats.len()])
            },
            balance: if i == 1 {
                i64::MIN
            } else {
                i64::MAX - i as i64
            },
            active: i % 2 == 0,
            status: [Status::Active, Status::Paused, Status::Archived][i % 3],
            start_date: match i % 3 {
                0 => Some(date(2018, 2, 15)),
                1 => Some(date(9999, 12, 31)),
                _ => None,
            },
            placement_ids: (0..(i % 4) as u64).map(|n| 15413270 + n).collect(),
            rules: if i % 2 == 0 {
                vec![
                    rule(floats[(i + 1) % floats.len()], text, &[text, "", " "]),
                    rule(0.5, "US", &[]),
                ]
            } else {
                Vec::new()
            },
            default_rule: (i % 5 == 0).then(|| rule(0.001, text, &[text])),
        })
        .collect()
}

#[test]
fn awkward_campaign_lists_survive_both_formats() {
    let list = CampaignList {
        item_count: AWKWARD.len() as i64,
        items: awkward_campaigns(),
    };
    for format in TEXT_FORMATS {
        assert_eq!(round_trip(format, &list), list, "{format}");
    }
}

#[test]
fn each_awkward_campaign_survives_alone_and_in_a_plain_vec() {
    for format in TEXT_FORMATS {
        for campaign in awkward_campaigns() {
            assert_eq!(round_trip(format, &campaign), campaign, "{format}");
        }
        let all = awkward_campaigns();
        assert_eq!(round_trip(format, &all), all, "{format}");
    }
}

#[test]
fn stats_with_extreme_numbers_and_dates_survive() {
    let list = StatList {
        item_count: 3,
        items: vec![
            Stat {
                date: date(1970, 1, 1),
                impressions: u64::MAX,
                conversions: i64::MIN,
                clicks: i64::MAX,
                ctr: 5e-324,
                cpm: 1e300,
                spent: 0.30000000000000004,
            },
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
                date: date(2024, 2, 29),
                impressions: 0,
                conversions: -1,
                clicks: 1,
                ctr: 0.1,
                cpm: 1.0000000000000002,
                spent: 12345678.901234567,
            },
        ],
    };
    for format in TEXT_FORMATS {
        assert_eq!(round_trip(format, &list), list, "{format}");
    }
}

#[test]
fn empty_lists_round_trip_as_empty() {
    let list = CampaignList {
        items: Vec::new(),
        item_count: 0,
    };
    for format in TEXT_FORMATS {
        assert_eq!(round_trip(format, &list), list, "{format}");
        let none: Vec<Stat> = round_trip(format, &Vec::<Stat>::new());
        assert!(none.is_empty(), "{format}");
    }
}

/// The documented CSV exception: an empty cell cannot tell `null` from `""`.
#[test]
fn csv_empty_cell_reads_as_none_for_option_and_empty_for_string_and_vec() {
    let mut campaign = awkward_campaigns().remove(2);
    campaign.name = String::new();
    campaign.note = Some(String::new());
    campaign.placement_ids = Vec::new();
    let json = serde_json::to_value(&campaign).unwrap();
    let body = encode(Format::Csv, &json).unwrap();

    let decoded: Campaign = decode(Format::Csv, body.as_bytes()).unwrap();
    assert_eq!(decoded.name, "", "String field: empty cell is \"\"");
    assert_eq!(
        decoded.note, None,
        "Option field: Some(\"\") comes back as None"
    );
    assert!(decoded.placement_ids.is_empty());
    assert_eq!(
        decoded,
        Campaign {
            note: None,
            ..campaign.clone()
        }
    );

    // XML keeps the difference: only nil="true" is None.
    let body = encode(Format::Xml, &json).unwrap();
    let decoded: Campaign = decode(Format::Xml, body.as_bytes()).unwrap();
    assert_eq!(decoded.note, Some(String::new()));
    assert_eq!(decoded, campaign);
}

#[test]
fn untyped_decoding_is_lossy_as_documented() {
    let value =
        serde_json::json!({"items": [{"n": 1, "s": "x", "z": null, "l": [true]}], "itemCount": 1});
    let xml: serde_json::Value =
        decode(Format::Xml, encode(Format::Xml, &value).unwrap().as_bytes()).unwrap();
    assert_eq!(
        xml,
        serde_json::json!({"items": [{"n": "1", "s": "x", "z": null, "l": ["true"]}], "itemCount": "1"})
    );
    let csv: serde_json::Value =
        decode(Format::Csv, encode(Format::Csv, &value).unwrap().as_bytes()).unwrap();
    assert_eq!(
        csv,
        serde_json::json!([{"n": "1", "s": "x", "z": "", "l": "[true]"}])
    );
}

fn any_rule() -> impl Strategy<Value = Rule> {
    (
        any::<f64>().prop_filter("finite", |f| f.is_finite()),
        any::<String>(),
        prop::collection::vec(any::<String>(), 0..3),
    )
        .prop_map(|(price, country_code, sub_ids)| Rule {
            price,
            country_code,
            sub_ids,
        })
}

fn any_campaign() -> impl Strategy<Value = Campaign> {
    let status = prop_oneof![
        Just(Status::Active),
        Just(Status::Paused),
        Just(Status::Archived)
    ];
    let day = (1i32..=9999, 1u32..=12, 1u32..=28).prop_map(|(y, m, d)| date(y, m, d));
    (
        (
            any::<u64>(),
            any::<String>(),
            proptest::option::of(any::<String>()),
            proptest::option::of(any::<f64>().prop_filter("finite", |f| f.is_finite())),
            any::<i64>(),
            any::<bool>(),
        ),
        (
            status,
            proptest::option::of(day),
            prop::collection::vec(any::<u64>(), 0..4),
            prop::collection::vec(any_rule(), 0..3),
            proptest::option::of(any_rule()),
        ),
    )
        .prop_map(
            |(
                (id, name, note, budget, balance, active),
                (status, start_date, placement_ids, rules, default_rule),
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

proptest! {
    #[test]
    fn any_campaign_list_round_trips(items in prop::collection::vec(any_campaign(), 0..4)) {
        let list = CampaignList { item_count: items.len() as i64, items };

        prop_assert_eq!(&round_trip(Format::Xml, &list), &list);

        // CSV cannot tell Some("") from None in a top-level cell (documented).
        let mut expected = list.clone();
        for item in &mut expected.items {
            if item.note.as_deref() == Some("") {
                item.note = None;
            }
        }
        prop_assert_eq!(&round_trip(Format::Csv, &list), &expected);
    }
}

/// Found by the property test: serde_json's default float parser can be one
/// ulp off, which broke floats inside CSV JSON cells until the crate turned
/// on serde_json's `float_roundtrip`.
#[test]
fn floats_inside_csv_json_cells_are_exact() {
    let price = 1.2353875831131805e193;
    let mut campaign = awkward_campaigns().remove(0);
    campaign.rules = vec![rule(price, "US", &[])];
    let back = round_trip(Format::Csv, &campaign);
    assert_eq!(back.rules[0].price.to_bits(), price.to_bits());
}
