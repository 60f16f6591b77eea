//! The sandbox's generated world of advertising traffic, and its aggregation.
//!
//! This module owns two things:
//!
//! - **The facts.** For every day, campaign, placement and country where a
//!   campaign has traffic, one fact: the banner shown and the impressions,
//!   clicks, conversions and money spent. Facts are a pure function of the
//!   engine's seed, the static [`CampaignProfile`]s and the day's number of
//!   late corrections ([`StatsEngine::correct`], 0 unless a test asks): never
//!   of the query or of the other campaigns. Two queries therefore always see
//!   the same world, however they slice it.
//! - **The aggregation** behind `GET /stats.{format}`: summing the facts of a
//!   date range by any combination of [`GroupKey`]s, under a [`Filter`].
//!   Counts and money are integers (money in thousandths of a USD), so totals
//!   are exactly equal whichever way a range is grouped or split; `ctr` and
//!   `cpm` are derived per row from the summed counts.
//!
//! It must not do HTTP, parameter parsing or validation (the 366-day limit,
//! `start <= finish`, future dates, unknown group keys are the caller's), or
//! output formats: it returns [`Row`]s and the server encodes them.
//!
//! Facts are generated, never stored: a one-year report touches about a
//! million of them, so the hot loop allocates nothing per fact (countries are
//! indexes into [`StatsEngine::COUNTRIES`], keys are small `Copy` structs)
//! and draws its randomness from a counter-based splitmix64 hash of
//! `(seed, date, campaign, placement, country)`. Only `+ - * /` are used on
//! floats (no `powf`, `exp`, …), which IEEE 754 makes bit-identical on every
//! platform, so a seed gives the same numbers everywhere.

use std::collections::{BTreeMap, HashMap};
use std::hash::{BuildHasherDefault, Hasher};
use std::ops::{AddAssign, RangeInclusive};
use std::sync::{Arc, PoisonError, RwLock};

use chrono::{Datelike, NaiveDate};

use crate::rng::{Rng, chain, mix, unit};

/// One campaign as the stats engine sees it (built by the sandbox's seeded account).
#[derive(Debug, Clone)]
pub struct CampaignProfile {
    /// The campaign's id.
    pub id: i64,
    /// Non-empty; a campaign without banners has no traffic.
    pub banners: Vec<i64>,
    /// The placements this campaign buys from (a few hundred).
    pub placements: Vec<i64>,
    /// Cost per 1000 impressions in thousandths of USD.
    pub cpm_millis: u64,
    /// First day with traffic, last day (`None` = still running). A campaign
    /// that is "not in use" (state 4) is given a last day in the past, so it
    /// has old traffic only.
    pub running: (NaiveDate, Option<NaiveDate>),
}

/// A `group_by[]` key: the spec's own enum, the one the client and the sync use, so that a key
/// the spec gains fails to compile here (`KeySet::of`) instead of being merged away.
pub use adsterra_generated::types::StatsGroupBy as GroupKey;

/// The `campaign`, `banner`, `placement` and `country` query filters; `None`
/// means no filter. A country is matched exactly against
/// [`StatsEngine::COUNTRIES`] (upper case); an unknown one matches nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    /// Only this campaign's rows.
    pub campaign: Option<i64>,
    /// Only this banner's rows.
    pub banner: Option<i64>,
    /// Only this placement's rows.
    pub placement: Option<i64>,
    /// Only this country's rows (ISO-3166 alpha-2, upper case).
    pub country: Option<String>,
}

/// One aggregated row. Group keys not asked for are `None`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// The day, when grouped by date.
    pub date: Option<NaiveDate>,
    /// The campaign, when grouped by campaign.
    pub campaign: Option<i64>,
    /// The banner, when grouped by banner.
    pub banner: Option<i64>,
    /// The placement, when grouped by placement.
    pub placement: Option<i64>,
    /// The country, when grouped by country.
    pub country: Option<&'static str>,
    /// Impressions served.
    pub impressions: u64,
    /// Clicks.
    pub clicks: u64,
    /// Conversions.
    pub conversions: u64,
    /// Money spent, in thousandths of USD (exact; `spent` is this divided by 1000).
    pub spent_millis: u64,
}

impl Row {
    /// Clicks per 100 impressions, rounded to 3 decimals; 0 without impressions.
    pub fn ctr(&self) -> f64 {
        if self.impressions == 0 {
            return 0.0;
        }
        round3(self.clicks as f64 / self.impressions as f64 * 100.0)
    }

    /// USD per 1000 impressions, rounded to 3 decimals; 0 without impressions.
    pub fn cpm(&self) -> f64 {
        if self.impressions == 0 {
            return 0.0;
        }
        round3(self.spent() / self.impressions as f64 * 1000.0)
    }

    /// Money spent in USD.
    pub fn spent(&self) -> f64 {
        self.spent_millis as f64 / 1000.0
    }
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// The generated world of one seed, and the queries over it.
#[derive(Debug, Clone)]
pub struct StatsEngine {
    seed: u64,
    /// Sorted by id, so campaigns are visited in report order.
    campaigns: Vec<Campaign>,
    /// How many times each corrected day was corrected; shared by clones.
    corrections: Arc<RwLock<BTreeMap<NaiveDate, u64>>>,
}

impl StatsEngine {
    /// ISO 3166 alpha-2 codes of the countries traffic comes from. Sorted, so
    /// that ordering rows by country index orders them by code.
    pub const COUNTRIES: &'static [&'static str] = &[
        "BR", "DE", "EG", "FR", "GB", "ID", "IN", "MX", "PH", "PK", "RU", "TH", "TR", "US", "VN",
    ];

    /// Derives each campaign's and placement's hidden traits (traffic volume,
    /// click and conversion rates, audience countries) from the seed.
    /// Duplicate banner and placement ids within a profile are ignored.
    pub fn new(seed: u64, campaigns: Vec<CampaignProfile>) -> Self {
        let mut campaigns: Vec<Campaign> = campaigns
            .into_iter()
            .map(|profile| Campaign::new(seed, profile))
            .collect();
        campaigns.sort_by_key(|c| c.id);
        StatsEngine {
            seed,
            campaigns,
            corrections: Arc::default(),
        }
    }

    /// Corrects the stats of `days` after the fact, as ad networks do for the last days: each
    /// day's traffic is drawn again, so reports of those days change and every other day's stay
    /// the same. Correcting a day again changes it again.
    pub fn correct(&self, days: RangeInclusive<NaiveDate>) {
        let mut corrections = self
            .corrections
            .write()
            .unwrap_or_else(PoisonError::into_inner);
        for day in days.start().iter_days().take_while(|day| day <= days.end()) {
            *corrections.entry(day).or_default() += 1;
        }
    }

    /// Rows for the inclusive range, grouped by `group_by` (deduplicated;
    /// empty means `[Date]`), filtered by `filter`, sorted by the group keys in
    /// the order date, campaign, banner, placement, country. Rows whose every
    /// metric is 0 are omitted. Validating the range is the caller's job; an
    /// empty range (`start > finish`) simply has no rows.
    pub fn report(
        &self,
        start: NaiveDate,
        finish: NaiveDate,
        group_by: &[GroupKey],
        filter: &Filter,
    ) -> Vec<Row> {
        let keys = if group_by.is_empty() {
            KeySet::of(&[GroupKey::Date])
        } else {
            KeySet::of(group_by)
        };
        self.aggregate(start, finish, keys, filter)
            .into_iter()
            .filter(|(_, m)| !m.is_zero())
            .map(|(key, m)| keys.row(key, m))
            .collect()
    }

    /// The totals of the same range and filter: one row, no group keys, all
    /// zero when nothing matches.
    pub fn totals(&self, start: NaiveDate, finish: NaiveDate, filter: &Filter) -> Row {
        let keys = KeySet::default();
        let m = self
            .aggregate(start, finish, keys, filter)
            .pop()
            .map_or_else(Metrics::default, |(_, m)| m);
        keys.row(Key::default(), m)
    }

    /// Sums the facts of `start..=finish` by `keys`, sorted by key.
    fn aggregate(
        &self,
        start: NaiveDate,
        finish: NaiveDate,
        keys: KeySet,
        filter: &Filter,
    ) -> Vec<(Key, Metrics)> {
        let plan = Plan::new(&self.campaigns, filter);
        let mut sums: HashMap<Key, Metrics, BuildHasherDefault<FxHasher>> = HashMap::default();
        let mut out = Vec::new();
        let corrections = self
            .corrections
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        for day in start.iter_days().take_while(|d| *d <= finish) {
            let revision = corrections.get(&day).copied().unwrap_or(0);
            self.facts_on(day, revision, &plan, |fact| {
                *sums.entry(keys.key(&fact)).or_default() += fact.metrics;
            });
            // Rows of different days never merge, so a date-grouped report is
            // flushed day by day: the map stays small and hot in cache.
            if keys.date {
                flush(&mut sums, &mut out);
            }
        }
        flush(&mut sums, &mut out);
        out
    }

    /// Calls `visit` with every fact of `day` that passes the plan's filter.
    /// Whether a fact exists and what it holds never depends on the filter:
    /// the filter only decides which facts are visited.
    fn facts_on(
        &self,
        day: NaiveDate,
        revision: u64,
        plan: &Plan<'_>,
        mut visit: impl FnMut(Fact),
    ) {
        let mut day_key = chain(chain(self.seed, TAG_TRAFFIC), day.num_days_from_ce() as u64);
        if revision > 0 {
            day_key = chain(chain(day_key, TAG_CORRECTION), revision);
        }
        let weekday = WEEKDAY_FACTOR[day.weekday().num_days_from_monday() as usize];
        for &(c, placements) in &plan.campaigns {
            if !c.runs_on(day) {
                continue;
            }
            let campaign_day = chain(day_key, c.id as u64);
            let mut draw = Rng::at(campaign_day);
            // Now and then a campaign is paused for a day (budget, moderation).
            if draw.unit() < PAUSED_DAY_SHARE {
                continue;
            }
            let day_factor = c.volume * weekday * (0.8 + 0.4 * draw.unit());
            for p in placements {
                let placement_day = chain(campaign_day, p.id as u64);
                if unit(placement_day) >= p.activity {
                    continue;
                }
                for &(country, weight) in &p.audience[..p.audience_len] {
                    if plan.country.is_some_and(|only| only != country) {
                        continue;
                    }
                    let mut draw = Rng::at(chain(placement_day, u64::from(country)));
                    let banner = *draw.pick(&c.banners);
                    if plan.banner.is_some_and(|only| only != banner) {
                        continue;
                    }
                    // Each count is its expectation rounded up or down at
                    // random (unbiased), so small placements get 0 or 1 click.
                    let expected = p.volume * weight * day_factor * (0.5 + draw.unit());
                    let impressions = (expected + draw.unit()) as u64;
                    if impressions == 0 {
                        continue;
                    }
                    let ctr = (c.ctr * p.ctr_factor * (0.7 + 0.6 * draw.unit())).clamp(0.001, 0.03);
                    let clicks = (impressions as f64 * ctr + draw.unit()) as u64;
                    let conversions = (clicks as f64 * c.cr + draw.unit()) as u64;
                    visit(Fact {
                        date: day,
                        campaign: c.id,
                        banner,
                        placement: p.id,
                        country,
                        metrics: Metrics {
                            impressions,
                            clicks,
                            conversions,
                            // Rounded per fact, half up, like a billing line.
                            spent_millis: (impressions * c.cpm_millis + 500) / 1000,
                        },
                    });
                }
            }
        }
    }
}

/// Share of days a running campaign has no traffic at all.
const PAUSED_DAY_SHARE: f64 = 0.02;

/// Traffic by weekday, Monday first: a little lower at weekends.
const WEEKDAY_FACTOR: [f64; 7] = [1.0, 1.03, 1.04, 1.02, 0.97, 0.88, 0.86];

// Domain tags, so that the streams of campaign traits, placement traits and
// daily traffic never coincide even when ids do.
const TAG_CAMPAIGN: u64 = 1;
const TAG_PLACEMENT: u64 = 2;
const TAG_TRAFFIC: u64 = 3;
const TAG_CORRECTION: u64 = 4;

/// A campaign's profile plus the traits derived from the seed.
#[derive(Debug, Clone)]
struct Campaign {
    id: i64,
    /// Sorted, unique.
    banners: Vec<i64>,
    /// Sorted by id, unique.
    placements: Vec<Placement>,
    cpm_millis: u64,
    first: NaiveDate,
    last: Option<NaiveDate>,
    /// Multiplier on the placements' volumes (budget, bid strength).
    volume: f64,
    /// Base share of impressions clicked (0.2 %–1.2 %).
    ctr: f64,
    /// Share of clicks that convert (1 %–8 %).
    cr: f64,
}

impl Campaign {
    fn new(seed: u64, profile: CampaignProfile) -> Self {
        let mut draw = Rng::at(chain(chain(seed, TAG_CAMPAIGN), profile.id as u64));
        let mut banners = profile.banners;
        banners.sort_unstable();
        banners.dedup();
        let mut ids = profile.placements;
        ids.sort_unstable();
        ids.dedup();
        Campaign {
            id: profile.id,
            banners,
            placements: ids.into_iter().map(|id| Placement::new(seed, id)).collect(),
            cpm_millis: profile.cpm_millis,
            first: profile.running.0,
            last: profile.running.1,
            volume: 0.4 + 1.2 * draw.unit(),
            ctr: {
                let u = draw.unit();
                0.002 + 0.01 * u * u
            },
            cr: 0.01 + 0.07 * draw.unit(),
        }
    }

    fn runs_on(&self, day: NaiveDate) -> bool {
        self.first <= day && self.last.is_none_or(|last| day <= last)
    }
}

/// A placement's traits, derived from the seed and its id alone, so a site
/// looks the same (audience, size) to every campaign buying from it.
#[derive(Debug, Clone, Copy)]
struct Placement {
    id: i64,
    /// Probability that a campaign gets traffic from it on a given day.
    activity: f64,
    /// Typical impressions per campaign and day: mostly hundreds to a few
    /// thousand, a few large sites with tens of thousands.
    volume: f64,
    /// Multiplier on the campaign's click rate (some sites click more).
    ctr_factor: f64,
    /// Distinct country indexes with their share of the traffic (summing to 1).
    audience: [(u8, f64); 3],
    audience_len: usize,
}

impl Placement {
    fn new(seed: u64, id: i64) -> Self {
        let mut draw = Rng::at(chain(chain(seed, TAG_PLACEMENT), id as u64));
        let activity = 0.15 + 0.6 * draw.unit();
        // u⁴ skews the volume towards small sites with a long tail of big ones.
        let u = draw.unit();
        let volume = 20.0 + 15_000.0 * (u * u) * (u * u);
        let ctr_factor = 0.4 + 1.8 * draw.unit();
        let n = StatsEngine::COUNTRIES.len();
        let mut audience = [(0u8, 0.0); 3];
        let audience_len = 1 + draw.below(3) as usize;
        // Distinct countries: a random first one, then fixed random steps.
        let first = draw.below(n as u64) as usize;
        let step = 1 + draw.below(n as u64 - 1) as usize / 2;
        let main_share = if audience_len == 1 {
            1.0
        } else {
            0.55 + 0.3 * draw.unit()
        };
        for (i, slot) in audience.iter_mut().take(audience_len).enumerate() {
            let share = if i == 0 {
                main_share
            } else {
                (1.0 - main_share) / (audience_len - 1) as f64
            };
            *slot = (((first + i * step) % n) as u8, share);
        }
        Placement {
            id,
            activity,
            volume,
            ctr_factor,
            audience,
            audience_len,
        }
    }
}

/// The campaigns a query visits, with the placements it visits in each, and
/// the resolved banner and country filters.
struct Plan<'a> {
    campaigns: Vec<(&'a Campaign, &'a [Placement])>,
    banner: Option<i64>,
    /// A country index; [`NO_COUNTRY`] for a code outside the table.
    country: Option<u8>,
}

/// Matches no placement's audience, so an unknown country filter yields nothing.
const NO_COUNTRY: u8 = u8::MAX;

impl<'a> Plan<'a> {
    fn new(campaigns: &'a [Campaign], filter: &Filter) -> Self {
        let campaigns = campaigns
            .iter()
            .filter(|c| filter.campaign.is_none_or(|id| id == c.id))
            .filter(|c| {
                filter
                    .banner
                    .is_none_or(|b| c.banners.binary_search(&b).is_ok())
            })
            .filter_map(|c| {
                let placements = match filter.placement {
                    None => &c.placements[..],
                    Some(id) => {
                        let i = c.placements.binary_search_by_key(&id, |p| p.id).ok()?;
                        &c.placements[i..=i]
                    }
                };
                (!c.banners.is_empty()).then_some((c, placements))
            })
            .collect();
        let country = filter.country.as_deref().map(|code| {
            StatsEngine::COUNTRIES
                .iter()
                .position(|c| *c == code)
                .map_or(NO_COUNTRY, |i| i as u8)
        });
        Plan {
            campaigns,
            banner: filter.banner,
            country,
        }
    }
}

/// One generated fact: the traffic of one campaign's banner on one placement
/// from one country on one day.
struct Fact {
    date: NaiveDate,
    campaign: i64,
    banner: i64,
    placement: i64,
    country: u8,
    metrics: Metrics,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Metrics {
    impressions: u64,
    clicks: u64,
    conversions: u64,
    spent_millis: u64,
}

impl Metrics {
    fn is_zero(&self) -> bool {
        *self == Metrics::default()
    }
}

impl AddAssign for Metrics {
    fn add_assign(&mut self, other: Metrics) {
        self.impressions += other.impressions;
        self.clicks += other.clicks;
        self.conversions += other.conversions;
        self.spent_millis += other.spent_millis;
    }
}

/// A row's group keys; the ones not grouped by are left at their default, so
/// that facts differing only in them fall into the same row. The derived
/// order is the report order (date, campaign, banner, placement, country).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
struct Key {
    date: NaiveDate,
    campaign: i64,
    banner: i64,
    placement: i64,
    country: u8,
}

impl Default for Key {
    fn default() -> Self {
        Key {
            date: NaiveDate::MIN,
            campaign: 0,
            banner: 0,
            placement: 0,
            country: 0,
        }
    }
}

/// Which group keys a query asked for.
#[derive(Debug, Clone, Copy, Default)]
struct KeySet {
    date: bool,
    campaign: bool,
    banner: bool,
    placement: bool,
    country: bool,
}

impl KeySet {
    fn of(group_by: &[GroupKey]) -> Self {
        let mut keys = KeySet::default();
        for key in group_by {
            // Exhaustive: a key the spec gains must be given a place in `Key` here.
            let slot = match key {
                GroupKey::Date => &mut keys.date,
                GroupKey::Campaign => &mut keys.campaign,
                GroupKey::Banner => &mut keys.banner,
                GroupKey::Placement => &mut keys.placement,
                GroupKey::Country => &mut keys.country,
            };
            *slot = true;
        }
        keys
    }

    fn key(&self, fact: &Fact) -> Key {
        let none = Key::default();
        Key {
            date: if self.date { fact.date } else { none.date },
            campaign: if self.campaign {
                fact.campaign
            } else {
                none.campaign
            },
            banner: if self.banner {
                fact.banner
            } else {
                none.banner
            },
            placement: if self.placement {
                fact.placement
            } else {
                none.placement
            },
            country: if self.country {
                fact.country
            } else {
                none.country
            },
        }
    }

    fn row(&self, key: Key, m: Metrics) -> Row {
        Row {
            date: self.date.then_some(key.date),
            campaign: self.campaign.then_some(key.campaign),
            banner: self.banner.then_some(key.banner),
            placement: self.placement.then_some(key.placement),
            country: self
                .country
                .then(|| StatsEngine::COUNTRIES[usize::from(key.country)]),
            impressions: m.impressions,
            clicks: m.clicks,
            conversions: m.conversions,
            spent_millis: m.spent_millis,
        }
    }
}

/// Moves the map's entries, sorted, to the end of `out`.
fn flush<S>(sums: &mut HashMap<Key, Metrics, S>, out: &mut Vec<(Key, Metrics)>) {
    let from = out.len();
    out.extend(sums.drain());
    out[from..].sort_unstable_by_key(|(key, _)| *key);
}

/// A small, fast hasher for the aggregation map (FxHash's step, finished by
/// `mix` for well-spread low bits). Keys are not attacker-chosen, so SipHash's
/// DoS protection buys nothing here.
#[derive(Default)]
struct FxHasher(u64);

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }

    fn write_u8(&mut self, n: u8) {
        self.write_u64(u64::from(n));
    }

    fn write_u32(&mut self, n: u32) {
        self.write_u64(u64::from(n));
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x51_7C_C1_B7_27_22_0A_95);
    }

    fn finish(&self) -> u64 {
        mix(self.0)
    }
}

#[cfg(test)]
mod tests;
