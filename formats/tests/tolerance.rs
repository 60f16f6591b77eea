//! Tolerant in what we accept, the same in every format: numbers, ids and booleans that arrive
//! as strings, strings that arrive as numbers, optional fields left out, fields added and nulls
//! decode into the values a well-formed answer gives; only a value that cannot be its field's
//! type is an error, naming the field.

mod common;

use adsterra_formats::{Format, decode, encode};
use common::{Campaign, Rule, Status};
use serde_json::json;

fn well_formed() -> Campaign {
    Campaign {
        id: 1463724,
        name: "1234".into(),
        note: None,
        budget: Some(1.25),
        balance: -3,
        active: true,
        status: Status::Active,
        start_date: None,
        placement_ids: vec![15413270, 15413272],
        rules: vec![Rule {
            price: 0.45,
            country_code: "ID".into(),
            sub_ids: vec![],
        }],
        default_rule: None,
    }
}

#[test]
fn a_loose_answer_decodes_into_the_well_formed_values_in_every_format() {
    // Everything a careful client in the wild had to accept, at once.
    let loose = json!({
        "id": "1463724",
        "campaignName": 1234,
        "note": null,
        "budget": "1.25",
        "balance": " -3 ",
        "active": "true",
        "status": "active",
        "placement_ids": [15413270, "15413272"],
        "rules": [{"price": "0.45", "country_code": "ID", "added": {"deep": [1, 2]}}],
        "added_field": "the spec does not describe it",
    });
    for format in Format::ALL {
        let body = encode(format, &loose).unwrap();
        let campaign: Campaign = decode(format, body.as_bytes())
            .unwrap_or_else(|error| panic!("{format}: {error}\n{body}"));
        assert_eq!(campaign, well_formed(), "{format}");
    }
}

#[test]
fn a_well_formed_json_answer_still_takes_the_fast_path_values() {
    let body = serde_json::to_vec(&well_formed()).unwrap();
    assert_eq!(
        decode::<Campaign>(Format::Json, &body).unwrap(),
        well_formed()
    );
}

#[test]
fn a_value_that_cannot_be_its_type_is_an_error_naming_the_field_in_every_format() {
    let mut conflict = serde_json::to_value(well_formed()).unwrap();
    conflict["placement_ids"] = json!([15413270, "fifteen"]);
    for format in Format::ALL {
        let body = encode(format, &conflict).unwrap();
        let error = decode::<Campaign>(format, body.as_bytes()).unwrap_err();
        let at = error.location.field.clone().unwrap_or_default();
        assert!(
            at.starts_with("placement_ids") || error.to_string().contains("placement_ids"),
            "{format}: {error}"
        );
        assert!(error.to_string().contains("fifteen"), "{format}: {error}");
    }
    // A JSON field missing although required is named too.
    let mut missing = serde_json::to_value(well_formed()).unwrap();
    missing.as_object_mut().unwrap().remove("balance");
    let error =
        decode::<Campaign>(Format::Json, &serde_json::to_vec(&missing).unwrap()).unwrap_err();
    assert!(error.to_string().contains("balance"), "{error}");
}

#[test]
fn json_syntax_errors_still_say_the_line() {
    let error =
        decode::<Campaign>(Format::Json, b"{\n  \"id\": 1,\n  \"campaignName\": ").unwrap_err();
    assert_eq!(error.location.line, Some(3), "{error}");
}
