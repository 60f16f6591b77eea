//! A sandbox that answers off the spec on purpose, so that `adsterra verify-live` can be seen
//! to catch what a real API might do: a field the spec does not describe, a required field that
//! is gone, values of another type. Only answers change; requests are handled as usual.

use adsterra_generated::Endpoint;
use serde_json::{Value, json};

use crate::handlers::Payload;

/// What the deviating sandbox does, as `(endpoint, field, how)`, for tests and docs.
pub const DEVIATIONS: [(Endpoint, &str, &str); 5] = [
    (Endpoint::GetBalance, "currency", "unexpected"),
    (Endpoint::GetCampaigns, "items[].alias", "missing"),
    (Endpoint::GetCampaigns, "items[].is_archived", "unexpected"),
    (
        Endpoint::GetCampaigns,
        "items[].daily_budget_limit",
        "wrong type",
    ),
    (Endpoint::GetStats, "items[].ctr", "wrong type"),
];

/// The answer as a JSON value, changed as [`DEVIATIONS`] lists (a single campaign changes like
/// the campaigns of the list).
pub(crate) fn apply(payload: &Payload, mut value: Value) -> Value {
    match payload {
        Payload::Balance(_) => {
            value["currency"] = json!("USD");
        }
        Payload::Campaign(_) => campaign(&mut value),
        Payload::Campaigns(_) => items(&mut value, campaign),
        Payload::Stats(_) => items(&mut value, |row| {
            if let Some(ctr) = row.get("ctr").and_then(Value::as_f64) {
                row["ctr"] = json!(format!("{ctr}%"));
            }
        }),
        _ => {}
    }
    value
}

/// Changes every item of a list answer.
pub(crate) fn items(list: &mut Value, change: impl Fn(&mut Value)) {
    if let Some(items) = list.get_mut("items").and_then(Value::as_array_mut) {
        items.iter_mut().for_each(change);
    }
}

fn campaign(campaign: &mut Value) {
    if let Some(object) = campaign.as_object_mut() {
        object.remove("alias");
        object.insert("is_archived".to_owned(), json!(false));
        if let Some(budget) = object.get("daily_budget_limit").and_then(Value::as_f64) {
            object.insert(
                "daily_budget_limit".to_owned(),
                json!(format!("{budget} USD")),
            );
        }
    }
}
