//! Types shaped like the ones progenitor/typify generate for the Adsterra
//! API, shared by the integration tests.

#![allow(dead_code)]

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// One row of a stats report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Stat {
    pub date: NaiveDate,
    pub impressions: u64,
    pub conversions: i64,
    pub clicks: i64,
    pub ctr: f64,
    pub cpm: f64,
    pub spent: f64,
}

/// The list envelope every list endpoint returns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StatList {
    #[serde(default)]
    pub items: Vec<Stat>,
    #[serde(rename = "itemCount")]
    pub item_count: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Active,
    Paused,
    Archived,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rule {
    pub price: f64,
    pub country_code: String,
    #[serde(default)]
    pub sub_ids: Vec<String>,
}

/// A campaign with every kind of field the generator produces.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Campaign {
    pub id: u64,
    #[serde(rename = "campaignName")]
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub budget: Option<f64>,
    pub balance: i64,
    pub active: bool,
    pub status: Status,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_date: Option<NaiveDate>,
    #[serde(default)]
    pub placement_ids: Vec<u64>,
    #[serde(default)]
    pub rules: Vec<Rule>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_rule: Option<Rule>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CampaignList {
    #[serde(default)]
    pub items: Vec<Campaign>,
    #[serde(rename = "itemCount")]
    pub item_count: i64,
}

pub fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid test date")
}

pub fn stat(date_: NaiveDate, impressions: u64) -> Stat {
    Stat {
        date: date_,
        impressions,
        conversions: 0,
        clicks: 0,
        ctr: 0.0,
        cpm: 0.0,
        spent: 0.0,
    }
}
