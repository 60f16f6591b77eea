//! How the sandbox spells its answers: `strict`, exactly as the spec describes them, or `loose`,
//! in the shapes real answers may take where the spec is only inference.
//!
//! A loose answer carries the same account, in the shapes clients in the wild had to read (see
//! the spec's "Reading answers" and `shared/docs/adsterra-api.md`, section 8): numbers and ids as
//! strings (`"spent": "1.25"`, `[15413270, "15413272"]`), optional fields the spec has not proven
//! left out (`itemCount`, a list item's `active`), fields the spec does not describe added,
//! `null` for a nullable name, and a status outside the spec's known values. Which of these a
//! response gets is drawn per response from the seed, so a run can be replayed. Nothing here
//! knows a field by name: the spec's schema table (`adsterra_generated::operation::SCHEMAS`)
//! says which fields are optional, unproven, nullable or open sets.

use std::fmt;
use std::str::FromStr;

use adsterra_generated::operation::{Endpoint, Evidence, Field, Operation, Presence, Schema};
use serde_json::Value;

use crate::rng::Rng;

/// The answer profile of a sandbox.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Answers {
    /// Exactly the spec's shapes: every number a JSON number, every field the spec describes.
    #[default]
    Strict,
    /// The shapes of the wild, drawn per response (see the module docs).
    Loose,
}

impl fmt::Display for Answers {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Answers::Strict => "strict",
            Answers::Loose => "loose",
        })
    }
}

/// The error of [`Answers::from_str`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown answer profile {0:?}: use strict or loose")]
pub struct UnknownAnswers(String);

impl FromStr for Answers {
    type Err = UnknownAnswers;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "strict" => Ok(Answers::Strict),
            "loose" => Ok(Answers::Loose),
            _ => Err(UnknownAnswers(s.to_owned())),
        }
    }
}

/// A field name no schema of the spec has: what "a field was added" looks like.
pub const EXTRA_FIELD: &str = "sandbox_extra";

/// Rewrites `value`, an answer of `operation`, in loose shapes drawn from `rng`.
pub fn loosen(value: &mut Value, operation: &Operation, rng: &mut Rng) {
    loosen_value(
        value,
        Schema::find(operation.answer),
        operation.endpoint,
        rng,
    );
}

/// Whether a real answer may leave out `field`, which this one carries: an optional field the
/// spec has not proven may be missing, unless its condition (`x-adsterra-present-when`) holds.
/// A stats row carries a group key only when grouped by it, so a key it carries is one whose
/// condition holds; `active` comes with every single campaign.
fn may_leave_out(field: &Field, endpoint: Endpoint) -> bool {
    let condition_holds = match field.present_when {
        Some(Presence::GroupedBy { .. }) => true,
        Some(Presence::AnswerOf(brought_by)) => brought_by == endpoint,
        None => false,
    };
    !field.required && field.evidence != Evidence::Confirmed && !condition_holds
}

fn loosen_value(
    value: &mut Value,
    schema: Option<&'static Schema>,
    endpoint: Endpoint,
    rng: &mut Rng,
) {
    match value {
        Value::Object(map) => {
            if let Some(schema) = schema {
                map.retain(|name, _| {
                    schema
                        .field(name)
                        .is_none_or(|field| !may_leave_out(field, endpoint) || rng.below(2) == 0)
                });
            }
            for (name, field_value) in map.iter_mut() {
                let field = schema.and_then(|schema| schema.field(name));
                if let Some(field) = field {
                    if field.nullable && !field_value.is_null() && rng.below(3) == 0 {
                        *field_value = Value::Null;
                        continue;
                    }
                    if let Some(unknown) = unknown_value(field.known_values)
                        && field_value.is_i64()
                        && rng.below(3) == 0
                    {
                        *field_value = Value::from(unknown);
                        continue;
                    }
                }
                let nested = field.and_then(|field| field.schema).and_then(Schema::find);
                loosen_value(field_value, nested, endpoint, rng);
            }
            if rng.below(2) == 0 {
                map.insert(
                    EXTRA_FIELD.to_owned(),
                    Value::from("a field the spec does not describe"),
                );
            }
        }
        Value::Array(items) => {
            for item in items {
                loosen_value(item, schema, endpoint, rng);
            }
        }
        Value::Number(number) if rng.below(2) == 0 => {
            *value = Value::String(number.to_string());
        }
        _ => {}
    }
}

/// A value outside an open set of integers (one above the largest known), if it is one.
fn unknown_value(known: &[&str]) -> Option<i64> {
    let known: Vec<i64> = known
        .iter()
        .map(|value| value.parse().ok())
        .collect::<Option<_>>()?;
    Some(known.iter().max()? + 1)
}

#[cfg(test)]
mod tests {
    use adsterra_formats::Format;
    use serde_json::json;

    use super::*;

    #[test]
    fn profiles_parse_and_print() {
        for answers in [Answers::Strict, Answers::Loose] {
            assert_eq!(answers.to_string().parse::<Answers>().unwrap(), answers);
        }
        assert_eq!(
            "wild".parse::<Answers>().unwrap_err().to_string(),
            "unknown answer profile \"wild\": use strict or loose"
        );
    }

    #[test]
    fn a_loose_campaign_list_takes_every_shape_over_a_few_draws() {
        let strict = json!({"items": [{"id": 1463724, "alias": "ID Popunder", "active": 3}], "itemCount": 1});
        let campaigns = Endpoint::GetCampaigns.operation(Format::Json);
        let (mut strings, mut dropped, mut nulls, mut unknown, mut extra) = (0, 0, 0, 0, 0);
        for stream in 0..64 {
            let mut value = strict.clone();
            loosen(&mut value, campaigns, &mut Rng::new(7, stream));
            let item = &value["items"][0];
            strings += usize::from(item["id"] == json!("1463724"));
            dropped +=
                usize::from(value.get("itemCount").is_none() || item.get("active").is_none());
            nulls += usize::from(item["alias"].is_null());
            unknown += usize::from(item["active"] == json!(5) || item["active"] == json!("5"));
            extra += usize::from(item.get(EXTRA_FIELD).is_some());
            // What is required and confirmed is always there.
            assert!(
                item.get("id").is_some() && item.get("alias").is_some(),
                "{value}"
            );
            assert!(value.get("items").is_some(), "{value}");
        }
        for (shape, count) in [
            ("ids as strings", strings),
            ("unproven fields left out", dropped),
            ("null aliases", nulls),
            ("unknown states", unknown),
            ("extra fields", extra),
        ] {
            assert!(count > 0, "no draw gave {shape}");
        }
    }

    #[test]
    fn fields_present_on_a_condition_that_holds_are_never_left_out() {
        let campaign = Endpoint::GetCampaign.operation(Format::Json);
        let stats = Endpoint::GetStats.operation(Format::Csv);
        let row = json!({"campaign": 1463724, "banner": 7, "country": "ID", "impressions": 10,
            "conversions": 0, "clicks": 1, "ctr": 10.0, "cpm": 1.0, "spent": 0.01});
        let mut list_dropped_active = false;
        for stream in 0..64 {
            let mut value = json!({"id": 1463724, "alias": "ID Popunder", "active": 3});
            loosen(&mut value, campaign, &mut Rng::new(7, stream));
            assert!(value.get("active").is_some(), "{value}");
            let mut value = json!({"items": [row.clone()]});
            loosen(&mut value, stats, &mut Rng::new(7, stream));
            for key in ["campaign", "banner", "country"] {
                assert!(value["items"][0].get(key).is_some(), "{key}: {value}");
            }
            let mut value = json!({"items": [{"id": 1, "alias": "a", "active": 3}]});
            loosen(
                &mut value,
                Endpoint::GetCampaigns.operation(Format::Json),
                &mut Rng::new(7, stream),
            );
            list_dropped_active |= value["items"][0].get("active").is_none();
        }
        // The condition is the single campaign's: a list item may still lack `active`.
        assert!(list_dropped_active);
    }
}
