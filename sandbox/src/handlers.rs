//! What each endpoint does: validate the request, read or change the account, answer in the
//! generated types. No HTTP here beyond the method; the server decides status lines and formats.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;

use adsterra_formats::Format;
use adsterra_generated::operation::Parameter;
use adsterra_generated::{Endpoint, types};
use axum::http::Method;
use chrono::NaiveDate;
use serde::Serialize;
use serde_json::{Map, Value};

use crate::account::Account;
use crate::failure::Failure;
use crate::routes::Resource;
use crate::stats::{Filter, GroupKey, Row, StatsEngine};

/// The longest stats range the API accepts, in days (the spec's limit).
pub const MAX_STATS_DAYS: i64 = adsterra_generated::limits::STATS_DAYS as i64;

/// The mutable account and the immutable world of traffic.
#[derive(Debug)]
pub struct World {
    /// Changed by the write endpoints.
    pub account: Mutex<Account>,
    /// Stats never change: they depend on the seed alone.
    pub stats: StatsEngine,
}

/// A successful answer, before it is encoded in the requested format.
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub enum Payload {
    /// `/balance`
    Balance(types::Balance),
    /// `/campaigns`
    Campaigns(types::CampaignList),
    /// `/campaign/{id}`
    Campaign(types::Campaign),
    /// banner lists
    Banners(types::BannerList),
    /// `/banner/{id}`
    Banner(types::Banner),
    /// landing lists
    Landings(types::LandingList),
    /// blacklists and whitelists
    Placements(types::PlacementIdList),
    /// custom bids
    CustomBids(types::CustomBidList),
    /// `/stats`
    Stats(types::StatsList),
}

/// One request, as the handlers see it.
#[derive(Debug, Clone, Copy)]
pub struct Call<'a> {
    /// The HTTP method (already checked against the resource).
    pub method: &'a Method,
    /// The endpoint.
    pub resource: Resource,
    /// The raw query string.
    pub query: &'a str,
    /// The raw request body.
    pub body: &'a [u8],
}

/// Runs one call against the world.
pub fn handle(world: &World, call: Call<'_>) -> Result<Payload, Failure> {
    use Resource::*;
    if let Stats = call.resource {
        return stats(&world.stats, call.query);
    }
    let mut account = world.account.lock().unwrap_or_else(|p| p.into_inner());
    let account = &mut *account;
    let method = call.method;
    Ok(match call.resource {
        Balance => Payload::Balance(build(types::Balance::builder().balance(account.balance))),
        Campaigns => {
            let items: Vec<_> = account.campaigns.values().cloned().collect();
            Payload::Campaigns(build(
                types::CampaignList::builder()
                    .item_count(items.len() as i64)
                    .items(items),
            ))
        }
        Campaign(id) if method == Method::GET => {
            Payload::Campaign(owned_campaign(account, id)?.clone())
        }
        Campaign(id) => Payload::Campaign(start_or_stop_campaign(account, id, call.body)?),
        CampaignBanners(id) => {
            owned_campaign(account, id)?;
            let items = account.banners_of(id);
            Payload::Banners(build(
                types::BannerList::builder()
                    .item_count(items.len() as i64)
                    .items(items),
            ))
        }
        Banner(id) => Payload::Banner(start_or_stop_banner(account, id, call.body)?),
        CampaignLandings(id) => {
            owned_campaign(account, id)?;
            landings(account.landings_of(Some(id), None))
        }
        BannerLandings(id) => {
            if !account.banners.contains_key(&id) {
                return Err(Failure::not_found());
            }
            landings(account.landings_of(None, Some(id)))
        }
        CampaignBlacklist(id) => {
            owned_campaign(account, id)?;
            placements(account.blacklists.entry(id).or_default())
        }
        CampaignWhitelist(id) => {
            owned_campaign(account, id)?;
            let list = account.whitelists.entry(id).or_default();
            if method == Method::DELETE {
                list.clear();
            }
            placements(list)
        }
        Blacklist | BlacklistDelete | BlacklistClean | Whitelist | WhitelistDelete => {
            change_list(account, call)?
        }
        CustomBids(id) | CustomBidsClean(id) => custom_bids(account, id, call)?,
        Stats => unreachable!("handled above, without the account lock"),
    })
}

/// A campaign's `{"active": bool}` change: started (state 3) or stopped (state 1), unless it is
/// not in use (state 4).
fn start_or_stop_campaign(
    account: &mut Account,
    id: i64,
    body: &[u8],
) -> Result<types::Campaign, Failure> {
    let active = bool_field(&json_body(body)?, "active")?;
    let campaign = owned_campaign_mut(account, id)?;
    if campaign.active == Some(4) {
        return Err(Failure::invalid(
            "active",
            format!("campaign {id} is not in use (state 4) and cannot be started or stopped"),
        ));
    }
    campaign.active = Some(if active { 3 } else { 1 });
    Ok(campaign.clone())
}

/// A banner's `{"active": bool}` change: started (state 3) or stopped (state 1).
fn start_or_stop_banner(
    account: &mut Account,
    id: i64,
    body: &[u8],
) -> Result<types::Banner, Failure> {
    let active = bool_field(&json_body(body)?, "active")?;
    let banner = account
        .banners
        .get_mut(&id)
        .ok_or_else(Failure::not_found)?;
    banner.active = Some(if active { 3 } else { 1 });
    Ok(banner.clone())
}

/// Checks the path ids of an operation the handlers do not know (answered with the spec's
/// example) as the known ones are checked: an id the spec links to the account's campaigns or
/// banners must be one of them, so an unknown or foreign id is 404 here too.
pub fn known_ids(world: &World, ids: &[(&Parameter, i64)]) -> Result<(), Failure> {
    let account = world.account.lock().unwrap_or_else(|p| p.into_inner());
    for (parameter, id) in ids {
        let known = match parameter.link.map(|link| link.endpoint) {
            Some(Endpoint::GetCampaigns) => account.campaigns.contains_key(id),
            Some(Endpoint::GetCampaignBanners) => account.banners.contains_key(id),
            _ => true,
        };
        if !known {
            return Err(Failure::not_found());
        }
    }
    Ok(())
}

/// Finishes a builder whose every required field was set by the caller.
fn build<B, T>(builder: B) -> T
where
    B: TryInto<T>,
    B::Error: std::fmt::Debug,
{
    builder
        .try_into()
        .expect("the sandbox sets every required field")
}

fn owned_campaign(account: &Account, id: i64) -> Result<&types::Campaign, Failure> {
    account.campaigns.get(&id).ok_or_else(Failure::not_found)
}

fn owned_campaign_mut(account: &mut Account, id: i64) -> Result<&mut types::Campaign, Failure> {
    account.campaign_mut(id).ok_or_else(Failure::not_found)
}

fn landings(items: Vec<types::Landing>) -> Payload {
    Payload::Landings(build(
        types::LandingList::builder()
            .item_count(items.len() as i64)
            .items(items),
    ))
}

fn placements(list: &BTreeSet<i64>) -> Payload {
    Payload::Placements(build(
        types::PlacementIdList::builder().placement_ids(list.iter().copied().collect::<Vec<_>>()),
    ))
}

/// The blacklist and whitelist writes: add, replace, delete, clean.
fn change_list(account: &mut Account, call: Call<'_>) -> Result<Payload, Failure> {
    use Resource::*;
    let body = json_body(call.body)?;
    let campaign = id_field(&body, "campaign_id")?;
    let ids = match call.resource {
        BlacklistClean => BTreeSet::new(),
        // PUT replaces the whole list; an empty list clears it.
        Blacklist if call.method == Method::PUT => placement_ids(&body, "placement_ids", true)?,
        _ => placement_ids(&body, "placement_ids", false)?,
    };
    if !account.campaigns.contains_key(&campaign) {
        return Err(Failure::not_found());
    }
    let lists = match call.resource {
        Whitelist | WhitelistDelete => &mut account.whitelists,
        _ => &mut account.blacklists,
    };
    let list = lists.entry(campaign).or_default();
    match call.resource {
        Blacklist if call.method == Method::PUT => *list = ids,
        Blacklist | Whitelist => list.extend(ids),
        BlacklistDelete | WhitelistDelete => list.retain(|id| !ids.contains(id)),
        _ => list.clear(),
    }
    Ok(placements(list))
}

/// `/campaign/{id}/custom_bid` and its `clean`.
fn custom_bids(account: &mut Account, campaign: i64, call: Call<'_>) -> Result<Payload, Failure> {
    let method = call.method;
    let is_clean = matches!(call.resource, Resource::CustomBidsClean(_));
    // Validate the body before the campaign, as for the lists: a bad body is 422 for any id.
    let body = if is_clean || method == Method::GET {
        None
    } else {
        Some(json_body(call.body)?)
    };
    let change = match (&body, method) {
        (Some(body), &Method::DELETE) => {
            BidChange::Remove(placement_ids(body, "placement_ids", false)?)
        }
        (Some(body), _) => BidChange::Set(bids_field(body)?),
        (None, _) => BidChange::None,
    };
    owned_campaign(account, campaign)?;
    let bids = account.custom_bids.entry(campaign).or_default();
    match change {
        BidChange::Set(new) if method == Method::PATCH => {
            let missing: Vec<String> = new
                .keys()
                .filter(|p| !bids.contains_key(p))
                .map(|p| format!("placement {p} has no custom bid to update; set it first"))
                .collect();
            if !missing.is_empty() {
                return Err(Failure::validation(BTreeMap::from([(
                    "bids".to_owned(),
                    missing,
                )])));
            }
            bids.extend(new);
        }
        BidChange::Set(new) => bids.extend(new),
        BidChange::Remove(ids) => bids.retain(|p, _| !ids.contains(p)),
        BidChange::None if is_clean => bids.clear(),
        BidChange::None => {}
    }
    let items: Vec<types::CustomBid> = bids
        .iter()
        .map(|(placement, price)| {
            build(
                types::CustomBid::builder()
                    .placement_id(*placement)
                    .price(*price),
            )
        })
        .collect();
    Ok(Payload::CustomBids(build(
        types::CustomBidList::builder()
            .item_count(items.len() as i64)
            .items(items),
    )))
}

enum BidChange {
    Set(BTreeMap<i64, f64>),
    Remove(BTreeSet<i64>),
    None,
}

/// `GET /stats`: validates the query, then aggregates.
fn stats(engine: &StatsEngine, query: &str) -> Result<Payload, Failure> {
    // Days after today (UTC) have no traffic yet: the spec answers them 422.
    let today = chrono::Utc::now().date_naive();
    let mut errors: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let (mut start, mut finish) = (None, None);
    let mut group_by = Vec::new();
    let mut filter = Filter::default();
    let operation = Endpoint::GetStats.operation(Format::Json);
    for (key, value) in form_urlencoded::parse(query.as_bytes()) {
        let positive = |value: &str| value.parse::<i64>().ok().filter(|v| *v > 0);
        // A parameter by its spec name or one of its aliases (`group_by` for `group_by[]`);
        // unknown parameters are ignored, as the spec says.
        let Some(parameter) = operation.parameter(&key) else {
            continue;
        };
        let key = parameter.name;
        match key {
            "start_date" | "finish_date" => match report_day(&value, today) {
                Ok(date) if key == "start_date" => start = Some(date),
                Ok(date) => finish = Some(date),
                Err(message) => push(&mut errors, key, message),
            },
            "group_by[]" => match value.parse::<GroupKey>() {
                Ok(key) => group_by.push(key),
                Err(_) => push(
                    &mut errors,
                    "group_by",
                    format!(
                        "unknown value {value:?}; use one of {}",
                        parameter.values.join(", ")
                    ),
                ),
            },
            "campaign" | "banner" | "placement" => match positive(&value) {
                Some(id) if key == "campaign" => filter.campaign = Some(id),
                Some(id) if key == "banner" => filter.banner = Some(id),
                Some(id) => filter.placement = Some(id),
                None => push(
                    &mut errors,
                    key,
                    format!("must be a positive integer id, got {value:?}"),
                ),
            },
            // The spec's pattern decides, and its no-filter value (`All`) filters nothing.
            "country" => match parameter.check(&value) {
                Ok(()) if parameter.means_no_filter(&value) => filter.country = None,
                Ok(()) => filter.country = Some(value.into_owned()),
                Err(message) => push(&mut errors, key, message),
            },
            _ => {}
        }
    }
    let Some((start, finish)) = date_range(start, finish, &mut errors) else {
        return Err(Failure::validation(errors));
    };
    if !errors.is_empty() {
        return Err(Failure::validation(errors));
    }
    let items: Vec<types::StatsRow> = engine
        .report(start, finish, &group_by, &filter)
        .iter()
        .map(stats_row)
        .collect();
    Ok(Payload::Stats(build(
        types::StatsList::builder()
            .item_count(items.len() as i64)
            .items(items),
    )))
}

/// A `start_date` or `finish_date`: a day as YYYY-MM-DD, not after `today`.
fn report_day(value: &str, today: NaiveDate) -> Result<NaiveDate, String> {
    match NaiveDate::parse_from_str(value, "%Y-%m-%d") {
        Ok(date) if date > today => Err("must not be after today (UTC)".to_owned()),
        Ok(date) => Ok(date),
        Err(_) => Err(format!("must be a date as YYYY-MM-DD, got {value:?}")),
    }
}

/// The report's days, when both are given, in order and at most [`MAX_STATS_DAYS`] apart;
/// what is wrong with them goes to `errors` (a day already refused is not also missing).
fn date_range(
    start: Option<NaiveDate>,
    finish: Option<NaiveDate>,
    errors: &mut BTreeMap<String, Vec<String>>,
) -> Option<(NaiveDate, NaiveDate)> {
    for (field, date) in [("start_date", start), ("finish_date", finish)] {
        if date.is_none() && !errors.contains_key(field) {
            push(errors, field, "is required (YYYY-MM-DD)".to_owned());
        }
    }
    let (start, finish) = start.zip(finish)?;
    if start > finish {
        push(
            errors,
            "finish_date",
            "must not be before start_date".to_owned(),
        );
    } else if (finish - start).num_days() + 1 > MAX_STATS_DAYS {
        push(
            errors,
            "finish_date",
            format!("Date range cannot exceed {MAX_STATS_DAYS} days"),
        );
    }
    Some((start, finish))
}

fn push(errors: &mut BTreeMap<String, Vec<String>>, field: &str, message: String) {
    errors.entry(field.to_owned()).or_default().push(message);
}

fn stats_row(row: &Row) -> types::StatsRow {
    build(
        types::StatsRow::builder()
            .date(row.date)
            .campaign(row.campaign)
            .banner(row.banner)
            .placement(row.placement)
            .country(row.country.map(str::to_owned))
            .impressions(row.impressions as i64)
            .clicks(row.clicks as i64)
            .conversions(row.conversions as i64)
            .ctr(row.ctr())
            .cpm(row.cpm())
            .spent(row.spent()),
    )
}

// ---------------------------------------------------------------- request bodies

fn json_body(bytes: &[u8]) -> Result<Map<String, Value>, Failure> {
    match serde_json::from_slice::<Value>(bytes) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(Failure::invalid("body", "must be a JSON object")),
        Err(e) if bytes.iter().all(u8::is_ascii_whitespace) => Err(Failure::invalid(
            "body",
            format!("a JSON object is required ({e})"),
        )),
        Err(e) => Err(Failure::invalid("body", format!("is not valid JSON: {e}"))),
    }
}

fn bool_field(body: &Map<String, Value>, field: &str) -> Result<bool, Failure> {
    match body.get(field) {
        Some(Value::Bool(value)) => Ok(*value),
        Some(other) => Err(Failure::invalid(
            field,
            format!("must be true or false, got {other}"),
        )),
        None => Err(Failure::invalid(field, "is required (true or false)")),
    }
}

fn positive_id(value: &Value) -> Option<i64> {
    value.as_i64().filter(|id| *id > 0)
}

fn id_field(body: &Map<String, Value>, field: &str) -> Result<i64, Failure> {
    match body.get(field) {
        Some(value) => positive_id(value).ok_or_else(|| {
            Failure::invalid(field, format!("must be a positive integer id, got {value}"))
        }),
        None => Err(Failure::invalid(field, "is required")),
    }
}

/// A list of placement ids. Any positive id is accepted, as Adsterra accepts placements a
/// campaign has never bought from; the account's universe only shapes the generated stats.
fn placement_ids(
    body: &Map<String, Value>,
    field: &str,
    allow_empty: bool,
) -> Result<BTreeSet<i64>, Failure> {
    let Some(list) = body.get(field) else {
        return Err(Failure::invalid(
            field,
            "is required: a list of placement ids",
        ));
    };
    let Some(list) = list.as_array() else {
        return Err(Failure::invalid(
            field,
            format!("must be a list of placement ids, got {list}"),
        ));
    };
    if list.is_empty() && !allow_empty {
        return Err(Failure::invalid(field, "must name at least one placement"));
    }
    let mut ids = BTreeSet::new();
    let mut problems = Vec::new();
    for value in list {
        match positive_id(value) {
            Some(id) if !ids.insert(id) => problems.push(format!("placement {id} is listed twice")),
            Some(_) => {}
            None => problems.push(format!(
                "{value} is not a placement id (a positive integer)"
            )),
        }
    }
    if problems.is_empty() {
        Ok(ids)
    } else {
        Err(Failure::validation(BTreeMap::from([(
            field.to_owned(),
            problems,
        )])))
    }
}

fn bids_field(body: &Map<String, Value>) -> Result<BTreeMap<i64, f64>, Failure> {
    let Some(list) = body.get("bids").and_then(Value::as_array) else {
        return Err(Failure::invalid(
            "bids",
            "is required: a list of {placement_id, price}",
        ));
    };
    if list.is_empty() {
        return Err(Failure::invalid("bids", "must name at least one placement"));
    }
    let mut bids = BTreeMap::new();
    let mut problems = Vec::new();
    for (index, bid) in list.iter().enumerate() {
        let placement = bid.get("placement_id").and_then(positive_id);
        let price = bid
            .get("price")
            .and_then(Value::as_f64)
            .filter(|p| p.is_finite() && *p > 0.0);
        match (placement, price) {
            // A placement listed twice keeps its last bid, as the spec says.
            (Some(p), Some(price)) => {
                bids.insert(p, price);
            }
            (None, _) => problems.push(format!(
                "bids[{index}].placement_id must be a positive integer"
            )),
            (_, None) => problems.push(format!("bids[{index}].price must be a number above 0")),
        }
    }
    if problems.is_empty() {
        Ok(bids)
    } else {
        Err(Failure::validation(BTreeMap::from([(
            "bids".to_owned(),
            problems,
        )])))
    }
}
