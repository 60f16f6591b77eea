//! A sandbox whose API has moved on since the spec was written: the changes a real Adsterra
//! release could bring, answered in every format, so that the whole loop from a recorded answer
//! to a regenerated client (`verify-live --record --propose`, `cargo xtask spec apply`,
//! `cargo xtask generate`) can be run and tested without a token. Unlike [`crate::deviations`],
//! which breaks the spec's rules to be caught, drift is what the spec should learn.

use adsterra_generated::Endpoint;
use serde_json::{Value, json};

use crate::deviations::items;
use crate::handlers::Payload;

/// What the drifted API does, as `(endpoint, field, change)`, for tests and docs.
pub const DRIFT: [(Endpoint, &str, &str); 5] = [
    (
        Endpoint::GetCampaigns,
        "items[].created_at",
        "new field (date-time)",
    ),
    (
        Endpoint::GetCampaignBanners,
        "items[].campaign_id",
        "left out of every other banner",
    ),
    (Endpoint::GetCampaigns, "items[].id", "sent as a string"),
    (
        Endpoint::GetCampaigns,
        "items[].active",
        "new status value 5",
    ),
    (
        Endpoint::GetStats,
        "items[].video_views",
        "new metric (integer)",
    ),
];

/// The new status value: a campaign whose id ends in 0 or 5 is archived.
pub const ARCHIVED: i64 = 5;

/// The answer as a JSON value, drifted as [`DRIFT`] lists (a single campaign or banner drifts
/// like the items of its list).
pub(crate) fn apply(payload: &Payload, mut value: Value) -> Value {
    match payload {
        Payload::Campaign(_) => campaign(&mut value),
        Payload::Campaigns(_) => items(&mut value, campaign),
        Payload::Banner(_) => banner(&mut value),
        Payload::Banners(_) => items(&mut value, banner),
        Payload::Stats(_) => items(&mut value, |row| {
            if let Some(impressions) = row.get("impressions").and_then(Value::as_i64) {
                row["video_views"] = json!(impressions / 10);
            }
        }),
        _ => {}
    }
    value
}

fn campaign(campaign: &mut Value) {
    let Some(id) = campaign.get("id").and_then(Value::as_i64) else {
        return;
    };
    // A creation time drawn from the id: the same campaign always has the same one.
    let day = 1 + id % 28;
    let month = 1 + id / 28 % 12;
    campaign["created_at"] = json!(format!("2025-{month:02}-{day:02}T08:{:02}:00Z", id % 60));
    campaign["id"] = json!(id.to_string());
    if id % 5 == 0 {
        campaign["active"] = json!(ARCHIVED);
    }
}

fn banner(banner: &mut Value) {
    let odd = banner
        .get("id")
        .and_then(Value::as_i64)
        .is_some_and(|id| id % 2 == 1);
    if let (true, Some(object)) = (odd, banner.as_object_mut()) {
        object.remove("campaign_id");
    }
}
