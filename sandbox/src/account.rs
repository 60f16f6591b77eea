//! The seeded advertiser account: what exists, and the lists the write endpoints change.
//!
//! Everything is drawn from the seed, so two sandboxes with the same seed hold the same account.
//! Records are the generated types themselves (`types::Campaign`, ...), built with their
//! builders: a field renamed in the spec stops this file from compiling instead of letting the
//! sandbox drift from it.

use std::collections::{BTreeMap, BTreeSet};

use adsterra_generated::types;
use chrono::{Days, NaiveDate};

use crate::rng::Rng;
use crate::stats::CampaignProfile;

/// The last day of traffic when a campaign is still running, and the day the world is built
/// around. Fixed, so the account does not depend on the wall clock.
pub const ANCHOR: NaiveDate = NaiveDate::from_ymd_opt(2026, 11, 27).expect("a valid date");

/// A campaign that exists but belongs to another account: every endpoint answers 404 for it.
pub const FOREIGN_CAMPAIGN: i64 = 1_399_001;
/// A banner of another account.
pub const FOREIGN_BANNER: i64 = 6_999_001;

const CAMPAIGNS: usize = 20;
const PLACEMENTS: usize = 2_000;

/// States of `Campaign.active`: 1 inactive, 2 inactive by limits, 3 active, 4 not in use.
const STATES: [i32; CAMPAIGNS] = [3, 3, 1, 2, 3, 4, 3, 1, 3, 2, 3, 4, 3, 3, 1, 3, 2, 3, 4, 3];
const FORMATS: [&str; 7] = [
    "pop",
    "direct",
    "banner",
    "native",
    "push",
    "interstitial",
    "video",
];
const ALIASES: [&str; CAMPAIGNS] = [
    "Pop US Tier-1",
    "Direct link ID mobile",
    "Banner 300x250 DE",
    "Native BR Android",
    "Push \"Black Friday\"; EU",
    "Interstitial IN 2024",
    "Video pre-roll US/CA",
    "Pop Worldwide RON",
    "Direct link VN, TH",
    "Banner 728x90 FR",
    "Native – Ürün testi TR",
    "Push MX retargeting",
    "Pop ID social",
    "Direct link PH iOS",
    "Banner 160x600 GB",
    "Native 日本語 test",
    "Push EG weekend",
    "Interstitial BR casual",
    "Video RU old",
    "",
];
const COUNTRIES: [&str; 8] = ["US", "GB", "DE", "FR", "ID", "IN", "BR", "MX"];

/// The whole account.
#[derive(Debug, Clone, PartialEq)]
pub struct Account {
    /// USD.
    pub balance: f64,
    /// By id.
    pub campaigns: BTreeMap<i64, types::Campaign>,
    /// By id.
    pub banners: BTreeMap<i64, types::Banner>,
    /// Landings with the campaign and, when attached to one, the banner they belong to.
    pub landings: Vec<(i64, Option<i64>, types::Landing)>,
    /// Every placement id a list may name.
    pub placements: BTreeSet<i64>,
    /// Blacklisted placements per campaign.
    pub blacklists: BTreeMap<i64, BTreeSet<i64>>,
    /// Whitelisted placements per campaign.
    pub whitelists: BTreeMap<i64, BTreeSet<i64>>,
    /// Custom bids (placement → price in USD) per campaign.
    pub custom_bids: BTreeMap<i64, BTreeMap<i64, f64>>,
}

impl Account {
    /// Builds the account for `seed`, and the campaign profiles its stats are drawn from.
    pub fn seeded(seed: u64) -> (Self, Vec<CampaignProfile>) {
        let mut rng = Rng::new(seed, 0xACC0);
        let placements: Vec<i64> = (0..PLACEMENTS as i64)
            .map(|n| 15_413_000 + n * 7 + rng.below(7) as i64)
            .collect();
        let mut account = Account {
            balance: (50_000 + rng.below(500_000)) as f64 / 100.0,
            campaigns: BTreeMap::new(),
            banners: BTreeMap::new(),
            landings: Vec::new(),
            placements: placements.iter().copied().collect(),
            blacklists: BTreeMap::new(),
            whitelists: BTreeMap::new(),
            custom_bids: BTreeMap::new(),
        };
        let mut profiles = Vec::new();
        let mut next_banner = 7_000_100;
        let mut next_landing = 9_100_100;

        for (index, (&state, &alias)) in STATES.iter().zip(ALIASES.iter()).enumerate() {
            let id = 1_463_700 + 3 * index as i64;
            let format = FORMATS[index % FORMATS.len()];
            let pricing_type = match format {
                "native" | "push" => "CPC",
                "direct" if index % 2 == 1 => "CPA",
                _ => "CPM",
            };
            let cpm_millis = 200 + rng.below(3_800);
            let countries: Vec<&str> = (0..1 + rng.below(3))
                .map(|_| *rng.pick(&COUNTRIES))
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect();
            let pricing_settings: Vec<types::PricingSetting> = countries
                .iter()
                .map(|country| {
                    types::PricingSetting::builder()
                        .price(Some((cpm_millis + rng.below(500)) as f64 / 1000.0))
                        .country_code(Some(country.to_string()))
                        .try_into()
                        .expect("every field is set")
                })
                .collect();
            let daily = (index % 3 != 0).then(|| (20 + rng.below(480)) as f64);
            let campaign = types::Campaign::builder()
                .id(id)
                .alias((!alias.is_empty()).then(|| alias.to_owned()))
                .active(state)
                // Older accounts still carry the deprecated `activity` beside `active`.
                .activity((index % 4 == 0).then_some(state))
                .format(Some(format.to_owned()))
                .pricing_type(Some(pricing_type.to_owned()))
                .pricing_settings(pricing_settings)
                .daily_budget_limit(daily)
                .total_budget_limit(daily.map(|d| d * 30.0))
                .is_ssp((index % 5 == 0).then(|| "0".to_owned()))
                .try_into()
                .expect("every required field is set");
            account.campaigns.insert(id, campaign);

            let mut banners = Vec::new();
            for n in 0..2 + rng.below(5) {
                let banner_id = next_banner;
                next_banner += 1 + rng.below(3) as i64;
                let active = if state == 3 && n % 3 != 2 { 3 } else { 1 };
                let banner: types::Banner = types::Banner::builder()
                    .id(banner_id)
                    .alias(Some(format!("{format} creative {}", n + 1)))
                    .active(active)
                    .campaign_id(Some(id))
                    .try_into()
                    .expect("every required field is set");
                account.banners.insert(banner_id, banner);
                banners.push(banner_id);
            }
            for n in 0..1 + rng.below(3) {
                let banner = (n > 0).then(|| banners[n as usize % banners.len()]);
                let landing = types::Landing::builder()
                    .id(Some(next_landing))
                    .url(format!(
                        "https://offers.example.com/lp/{next_landing}?cid={id}&zone=%24%7BZONE_ID%7D&sub=%24%7BSUB_ID%7D"
                    ))
                    .active(Some(if state == 3 { 3 } else { 1 }))
                    .try_into()
                    .expect("every required field is set");
                account.landings.push((id, banner, landing));
                next_landing += 1;
            }

            let pool: Vec<i64> = (0..150 + rng.below(200))
                .map(|_| *rng.pick(&placements))
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect();
            let blacklist: BTreeSet<i64> = (0..rng.below(6)).map(|_| *rng.pick(&pool)).collect();
            account.blacklists.insert(id, blacklist);
            let whitelist: BTreeSet<i64> = if index % 7 == 3 {
                (0..3).map(|_| *rng.pick(&pool)).collect()
            } else {
                BTreeSet::new()
            };
            account.whitelists.insert(id, whitelist);
            let bids: BTreeMap<i64, f64> = (0..rng.below(4))
                .map(|_| (*rng.pick(&pool), (100 + rng.below(2_000)) as f64 / 1000.0))
                .collect();
            account.custom_bids.insert(id, bids);

            let start = ANCHOR - Days::new(30 + rng.below(700));
            let finish = match state {
                3 | 2 => None,
                1 => Some((ANCHOR - Days::new(rng.below(60))).max(start)),
                _ => Some(start + Days::new(30 + rng.below(170))),
            };
            profiles.push(CampaignProfile {
                id,
                banners,
                placements: pool,
                cpm_millis,
                running: (start, finish),
            });
        }
        (account, profiles)
    }

    /// The campaign, if it is this account's.
    pub fn campaign_mut(&mut self, id: i64) -> Option<&mut types::Campaign> {
        self.campaigns.get_mut(&id)
    }

    /// The banners of a campaign, in id order.
    pub fn banners_of(&self, campaign: i64) -> Vec<types::Banner> {
        self.banners
            .values()
            .filter(|b| b.campaign_id == Some(campaign))
            .cloned()
            .collect()
    }

    /// The landings of a campaign (`banner` None) or of one banner.
    pub fn landings_of(&self, campaign: Option<i64>, banner: Option<i64>) -> Vec<types::Landing> {
        self.landings
            .iter()
            .filter(|(c, b, _)| {
                campaign.is_none_or(|id| *c == id) && banner.is_none_or(|id| *b == Some(id))
            })
            .map(|(_, _, landing)| landing.clone())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_builds_the_same_account() {
        let (a, pa) = Account::seeded(42);
        let (b, pb) = Account::seeded(42);
        assert_eq!(a.campaigns, b.campaigns);
        assert_eq!(a.blacklists, b.blacklists);
        assert_eq!(pa.len(), pb.len());
        let (c, _) = Account::seeded(43);
        assert_ne!(a.balance, c.balance);
    }

    #[test]
    fn twenty_campaigns_in_every_state_and_several_formats() {
        let (account, profiles) = Account::seeded(42);
        assert_eq!(account.campaigns.len(), 20);
        let states: BTreeSet<i32> = account
            .campaigns
            .values()
            .filter_map(|c| c.active)
            .collect();
        assert_eq!(states, BTreeSet::from([1, 2, 3, 4]));
        let formats: BTreeSet<_> = account
            .campaigns
            .values()
            .filter_map(|c| c.format.clone())
            .collect();
        assert!(formats.len() >= 5, "{formats:?}");
        for profile in &profiles {
            assert!(!profile.banners.is_empty());
            assert!(profile.placements.len() >= 100);
            assert!(
                profile
                    .placements
                    .iter()
                    .all(|p| account.placements.contains(p))
            );
            assert!(!account.landings_of(Some(profile.id), None).is_empty());
        }
        assert!(!account.campaigns.contains_key(&FOREIGN_CAMPAIGN));
        assert!(!account.banners.contains_key(&FOREIGN_BANNER));
    }
}
