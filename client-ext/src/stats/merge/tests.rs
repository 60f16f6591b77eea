//! The merge against the built-in spec, with the rate marks it reads (`x-adsterra-ratio`).

use serde_json::{Value, json};

use super::*;

/// The built-in spec, with `ctr` and `cpm` marked as the rates its `StatsRow` describes.
fn spec() -> Value {
    let mut spec: Value = serde_json::from_str(crate::raw::SPEC_JSON).unwrap();
    let row = &mut spec["components"]["schemas"]["StatsRow"]["properties"];
    row["ctr"][RATIO] = json!({"of": "clicks", "per": "impressions", "times": 100});
    row["cpm"][RATIO] = json!({"of": "spent", "per": "impressions", "times": 1000});
    spec
}

fn row(value: Value) -> StatsRow {
    serde_json::from_value(value).unwrap()
}

fn by_country(country: &str, impressions: i64, clicks: i64, spent: f64) -> StatsRow {
    row(json!({
        "country": country, "impressions": impressions, "clicks": clicks, "conversions": 1,
        "ctr": 99.0, "cpm": 99.0, "spent": spent, "i2c": 7.5,
    }))
}

#[test]
fn the_rules_come_from_the_spec() {
    let merge = StatsMerge::from_spec(&spec());
    let rules: Vec<(&str, &FieldMerge)> = merge.fields().collect();
    for key in crate::stats_group_keys() {
        assert!(rules.contains(&(key, &FieldMerge::Key)), "{key}: {rules:?}");
    }
    assert!(rules.contains(&("clicks", &FieldMerge::Sum)));
    assert!(rules.contains(&("spent", &FieldMerge::SumExact { places: 3 })));
    let ctr = FieldMerge::Ratio {
        of: "clicks".into(),
        per: "impressions".into(),
        times: 100,
        places: Some(3),
    };
    assert!(rules.contains(&("ctr", &ctr)), "{rules:?}");
}

#[test]
fn counts_are_summed_per_group_in_first_seen_order() {
    let merged = StatsMerge::from_spec(&spec())
        .merge([
            by_country("US", 1000, 3, 1.5),
            by_country("DE", 10, 0, 0.0),
            by_country("US", 3000, 1, 0.25),
        ])
        .unwrap();
    assert_eq!(merged.len(), 2);
    assert_eq!(merged[0].country.as_deref(), Some("US"));
    assert_eq!(
        (
            merged[0].impressions,
            merged[0].clicks,
            merged[0].conversions
        ),
        (4000, 4, 2)
    );
    assert_eq!(merged[1].country.as_deref(), Some("DE"));
    assert_eq!((merged[1].impressions, merged[1].conversions), (10, 1));
}

#[test]
fn money_is_summed_exactly_where_f64_gets_the_thousandth_wrong() {
    let spent = [
        889_063_265_864.769,
        921_957_154_072.868,
        888_976_734_424.639,
    ];
    let naive: f64 = spent.iter().sum();
    let round3 = |x: f64| (x * 1000.0).round() / 1000.0;
    assert_eq!(
        round3(naive),
        2_699_997_154_362.277,
        "f64 addition is off by a thousandth"
    );
    let merged = StatsMerge::from_spec(&spec())
        .merge(spent.map(|spent| by_country("US", 1, 0, spent)))
        .unwrap();
    assert_eq!(merged[0].spent, 2_699_997_154_362.276);
}

#[test]
fn rates_are_derived_again_from_the_sums() {
    let merged = StatsMerge::from_spec(&spec())
        .merge([
            by_country("US", 1000, 3, 1.5),
            by_country("US", 3000, 1, 0.25),
        ])
        .unwrap();
    // Neither the windows' 99.0 nor their sum or mean: 4 clicks / 4000 impressions.
    assert_eq!(merged[0].ctr, 0.1);
    // 1.75 USD / 4000 impressions * 1000 = 0.4375, rounded half up to 3 decimals.
    assert_eq!(merged[0].cpm, 0.438);
    let none = StatsMerge::from_spec(&spec())
        .merge([by_country("US", 0, 0, 0.0), by_country("US", 0, 0, 0.0)])
        .unwrap();
    assert_eq!(
        (none[0].ctr, none[0].cpm),
        (0.0, 0.0),
        "0 without impressions"
    );
}

#[test]
fn a_field_it_cannot_merge_is_left_out_with_its_reason() {
    let merge = StatsMerge::from_spec(&spec());
    let left_out: Vec<(&str, &str)> = merge.left_out().collect();
    assert_eq!(left_out.len(), 1, "{left_out:?}");
    let (field, reason) = left_out[0];
    assert_eq!(field, "i2c");
    assert!(
        reason.contains(DECIMALS) && reason.contains(RATIO),
        "{reason}"
    );
    let merged = merge
        .merge([
            by_country("US", 1000, 3, 1.5),
            by_country("US", 3000, 1, 0.25),
        ])
        .unwrap();
    assert_eq!(merged[0].i2c, None, "not the first window's 7.5");
}

#[test]
fn a_required_field_it_cannot_merge_fails_the_merge_naming_it() {
    let mut spec = spec();
    spec["components"]["schemas"]["StatsRow"]["properties"]["ctr"][RATIO] =
        json!({"of": "clicks", "per": "country", "times": 100});
    let merge = StatsMerge::from_spec(&spec);
    assert!(merge.left_out().any(|(field, _)| field == "ctr"));
    let error = merge.merge([by_country("US", 1, 0, 0.0)]).unwrap_err();
    assert!(error.starts_with("ctr is required"), "{error}");
}

#[test]
fn amounts_are_read_from_their_decimal_text() {
    let number = |text: &str| serde_json::from_str::<Number>(text).unwrap();
    assert_eq!(units(&number("0.1"), 3), Some(100));
    assert_eq!(units(&number("12.3456"), 3), Some(12_346));
    assert_eq!(units(&number("-2.0005"), 3), Some(-2_001));
    assert_eq!(units(&number("1e-7"), 3), Some(0));
    assert_eq!(units(&number("1.5e3"), 3), Some(1_500_000));
    assert_eq!(units(&number("42"), 3), Some(42_000));
}
