//! What a user of the stats endpoint would check: determinism, exact
//! consistency between groupings, filters and ranges, the formulas, the keys
//! and order of rows, running windows, and report sizes.

use std::sync::LazyLock;

use chrono::{Days, NaiveDate};
use proptest::prelude::*;

use super::*;

const SEED: u64 = 0x5EED;

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// The day the test world ends ("today").
fn today() -> NaiveDate {
    date(2026, 11, 28)
}

/// ~20 campaigns buying from ~2,000 placements in all (ids 15_000_000 + n),
/// 2–6 banners each, started over the two years before [`today`], some
/// stopped (one of them "not in use": stopped long ago).
fn profiles() -> Vec<CampaignProfile> {
    let mut draw = crate::rng::Rng::at(20_261_128);
    (0..20)
        .map(|i| {
            let id = 1_200_000 + 37 * i;
            let banners = (0..2 + draw.below(5) as i64)
                .map(|b| 9_000_000 + 10 * id + b)
                .collect();
            let placements = (0..150 + draw.below(250))
                .map(|_| 15_000_000 + draw.below(2_000) as i64)
                .collect();
            let first = today() - Days::new(draw.below(730));
            let last = match i % 5 {
                0 => Some(first + Days::new(20 + draw.below(300))).filter(|l| *l < today()),
                _ => None,
            };
            CampaignProfile {
                id,
                banners,
                placements,
                cpm_millis: 200 + draw.below(3_800),
                running: (first, last),
            }
        })
        .collect()
}

static ENGINE: LazyLock<StatsEngine> = LazyLock::new(|| StatsEngine::new(SEED, profiles()));

fn all_keys() -> Vec<GroupKey> {
    use GroupKey::*;
    vec![Date, Campaign, Banner, Placement, Country]
}

/// A row's group keys, in report order.
type RowKey<'a> = (
    Option<NaiveDate>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<&'a str>,
);

fn key_of(r: &Row) -> RowKey<'_> {
    (r.date, r.campaign, r.banner, r.placement, r.country)
}

fn sum(rows: &[Row]) -> Row {
    let mut total = Row {
        date: None,
        campaign: None,
        banner: None,
        placement: None,
        country: None,
        impressions: 0,
        clicks: 0,
        conversions: 0,
        spent_millis: 0,
    };
    for r in rows {
        total.impressions += r.impressions;
        total.clicks += r.clicks;
        total.conversions += r.conversions;
        total.spent_millis += r.spent_millis;
    }
    total
}

fn assert_formulas(r: &Row) {
    let (ctr, cpm) = if r.impressions == 0 {
        (0.0, 0.0)
    } else {
        let i = r.impressions as f64;
        (
            (r.clicks as f64 / i * 100.0 * 1000.0).round() / 1000.0,
            (r.spent_millis as f64 / 1000.0 / i * 1000.0 * 1000.0).round() / 1000.0,
        )
    };
    assert_eq!(r.ctr(), ctr, "{r:?}");
    assert_eq!(r.cpm(), cpm, "{r:?}");
    assert_eq!(r.spent(), r.spent_millis as f64 / 1000.0);
}

#[test]
fn countries_are_sorted_unique_upper_case_iso2() {
    let c = StatsEngine::COUNTRIES;
    assert_eq!(c.len(), 15);
    assert!(c.windows(2).all(|w| w[0] < w[1]));
    assert!(
        c.iter()
            .all(|c| c.len() == 2 && c.bytes().all(|b| b.is_ascii_uppercase()))
    );
}

#[test]
fn same_seed_same_world_other_seed_other_numbers() {
    let (start, finish) = (date(2026, 10, 1), date(2026, 10, 20));
    let keys = [GroupKey::Date, GroupKey::Placement, GroupKey::Country];
    let a = StatsEngine::new(SEED, profiles()).report(start, finish, &keys, &Filter::default());
    let mut shuffled = profiles();
    shuffled.reverse();
    let b = StatsEngine::new(SEED, shuffled).report(start, finish, &keys, &Filter::default());
    assert!(!a.is_empty());
    assert_eq!(
        a, b,
        "same seed (profile order aside) gives the same report"
    );

    let other = StatsEngine::new(SEED + 1, profiles());
    let c = other.report(start, finish, &[], &Filter::default());
    let a = ENGINE.report(start, finish, &[], &Filter::default());
    assert_eq!(a.len(), c.len());
    assert!(
        a.iter()
            .zip(&c)
            .all(|(a, c)| a.impressions != c.impressions)
    );
}

#[test]
fn a_campaign_s_traffic_does_not_depend_on_the_other_campaigns() {
    let all = profiles();
    let alone = StatsEngine::new(SEED, vec![all[3].clone()]);
    let filter = Filter {
        campaign: Some(all[3].id),
        ..Filter::default()
    };
    let (start, finish) = (today() - Days::new(30), today());
    assert_eq!(
        alone.report(start, finish, &all_keys(), &Filter::default()),
        ENGINE.report(start, finish, &all_keys(), &filter),
    );
}

#[test]
fn rows_carry_exactly_the_keys_asked_for_sorted_and_unique() {
    use GroupKey::*;
    let (start, finish) = (date(2026, 11, 20), date(2026, 11, 28));
    for mask in 0u8..32 {
        let group_by: Vec<GroupKey> = all_keys()
            .into_iter()
            .enumerate()
            .filter(|(i, _)| mask & (1 << i) != 0)
            .map(|(_, k)| k)
            .collect();
        // Duplicates and order do not matter; no key means by date.
        let mut asked = group_by.clone();
        asked.reverse();
        asked.extend(group_by.first());
        let rows = ENGINE.report(start, finish, &asked, &Filter::default());
        let want = if group_by.is_empty() {
            vec![Date]
        } else {
            group_by
        };
        assert!(!rows.is_empty());
        for r in &rows {
            assert_eq!(r.date.is_some(), want.contains(&Date));
            assert_eq!(r.campaign.is_some(), want.contains(&Campaign));
            assert_eq!(r.banner.is_some(), want.contains(&Banner));
            assert_eq!(r.placement.is_some(), want.contains(&Placement));
            assert_eq!(r.country.is_some(), want.contains(&Country));
            assert!(r.impressions > 0);
        }
        assert!(
            rows.windows(2).all(|w| key_of(&w[0]) < key_of(&w[1])),
            "mask {mask}"
        );
    }
    let by_date = ENGINE.report(start, finish, &[], &Filter::default());
    let days: Vec<_> = by_date.iter().map(|r| r.date.unwrap()).collect();
    assert_eq!(days, start.iter_days().take(9).collect::<Vec<_>>());
}

#[test]
fn traffic_looks_real() {
    let (start, finish) = (today() - Days::new(60), today());
    let rows = ENGINE.report(start, finish, &all_keys(), &Filter::default());
    let small = rows.iter().filter(|r| r.impressions < 100).count();
    let large = rows.iter().filter(|r| r.impressions > 10_000).count();
    assert!(
        small > 0 && large > 0,
        "a few to tens of thousands per fact"
    );
    let t = ENGINE.totals(start, finish, &Filter::default());
    assert!((0.1..=3.0).contains(&t.ctr()), "ctr {}", t.ctr());
    assert!(t.conversions > 0 && t.conversions < t.clicks / 5);
    for p in profiles() {
        let filter = Filter {
            campaign: Some(p.id),
            ..Filter::default()
        };
        let t = ENGINE.totals(start, finish, &filter);
        if t.impressions > 0 {
            // Rounding per fact keeps the campaign's cpm within a fraction of a cent.
            assert!(
                (t.cpm() - p.cpm_millis as f64 / 1000.0).abs() < 0.01,
                "{t:?}"
            );
        }
    }
}

#[test]
fn running_windows_are_respected() {
    let rows = ENGINE.report(
        today() - Days::new(800),
        today(),
        &[GroupKey::Date, GroupKey::Campaign],
        &Filter::default(),
    );
    for p in profiles() {
        let (first, last) = p.running;
        let last = last.unwrap_or(today());
        let days: Vec<NaiveDate> = rows
            .iter()
            .filter(|r| r.campaign == Some(p.id))
            .map(|r| r.date.unwrap())
            .collect();
        assert!(
            days.iter().all(|d| first <= *d && *d <= last),
            "campaign {}",
            p.id
        );
        // Most days of the window have traffic.
        let window = (last - first).num_days() + 1;
        assert!(
            days.len() as i64 * 100 >= window * 90,
            "campaign {}: {} of {window}",
            p.id,
            days.len()
        );
    }
    let stopped = profiles()
        .into_iter()
        .filter(|p| p.running.1.is_some())
        .count();
    assert!(stopped >= 2, "the test world has stopped campaigns");
}

type Matches<'a> = Box<dyn Fn(&Row) -> bool + 'a>;

/// For each filter kind: the filtered report is the unfiltered one restricted
/// to the matching rows, both at full detail and grouped by the filtered key.
#[test]
fn filters_select_exactly_the_matching_rows() {
    let (start, finish) = (today() - Days::new(6), today());
    let everything = ENGINE.report(start, finish, &all_keys(), &Filter::default());
    let p = &profiles()[7];
    let placement = everything
        .iter()
        .find(|r| r.campaign == Some(p.id))
        .unwrap()
        .placement
        .unwrap();
    let cases: Vec<(Filter, GroupKey, Matches<'_>)> = vec![
        (
            Filter {
                campaign: Some(p.id),
                ..Filter::default()
            },
            GroupKey::Campaign,
            Box::new(|r| r.campaign == Some(p.id)),
        ),
        (
            Filter {
                banner: Some(p.banners[1]),
                ..Filter::default()
            },
            GroupKey::Banner,
            Box::new(|r| r.banner == Some(p.banners[1])),
        ),
        (
            Filter {
                placement: Some(placement),
                ..Filter::default()
            },
            GroupKey::Placement,
            Box::new(move |r| r.placement == Some(placement)),
        ),
        (
            Filter {
                country: Some("ID".into()),
                ..Filter::default()
            },
            GroupKey::Country,
            Box::new(|r| r.country == Some("ID")),
        ),
    ];
    for (filter, key, matches) in cases {
        let filtered = ENGINE.report(start, finish, &all_keys(), &filter);
        let expected: Vec<Row> = everything.iter().filter(|r| matches(r)).cloned().collect();
        assert!(!expected.is_empty(), "{filter:?}");
        assert_eq!(filtered, expected, "{filter:?}");

        let grouped = ENGINE.report(start, finish, &[key], &filter);
        let unfiltered = ENGINE.report(start, finish, &[key], &Filter::default());
        let expected: Vec<Row> = unfiltered.into_iter().filter(|r| matches(r)).collect();
        assert_eq!(grouped, expected, "{filter:?}");
        assert_eq!(grouped.len(), 1);
    }
    let nowhere = Filter {
        country: Some("ZZ".into()),
        ..Filter::default()
    };
    assert!(ENGINE.report(start, finish, &[], &nowhere).is_empty());
    assert_eq!(ENGINE.totals(start, finish, &nowhere), sum(&[]));
}

#[test]
fn empty_range_has_no_rows_and_zero_totals() {
    let (start, finish) = (today(), today() - Days::new(1));
    assert!(
        ENGINE
            .report(start, finish, &[], &Filter::default())
            .is_empty()
    );
    let t = ENGINE.totals(start, finish, &Filter::default());
    assert_eq!(t, sum(&[]));
    assert_eq!((t.ctr(), t.cpm(), t.spent()), (0.0, 0.0, 0.0));
}

/// The one big report; slow in debug builds. Speed is for benches to measure.
#[test]
fn a_year_by_date_and_placement_has_hundreds_of_thousands_of_rows() {
    let (start, finish) = (today() - Days::new(365), today());
    let rows = ENGINE.report(
        start,
        finish,
        &[GroupKey::Date, GroupKey::Placement],
        &Filter::default(),
    );
    assert!(
        (200_000..=600_000).contains(&rows.len()),
        "{} rows",
        rows.len()
    );
    assert_eq!(sum(&rows), ENGINE.totals(start, finish, &Filter::default()));
}

fn filter_strategy() -> impl Strategy<Value = Filter> {
    let profiles = profiles();
    let campaigns: Vec<i64> = profiles.iter().map(|p| p.id).collect();
    let banners: Vec<i64> = profiles.iter().flat_map(|p| p.banners.clone()).collect();
    let placements: Vec<i64> = profiles.iter().flat_map(|p| p.placements.clone()).collect();
    let mut countries: Vec<String> = StatsEngine::COUNTRIES
        .iter()
        .map(|c| c.to_string())
        .collect();
    countries.push("ZZ".into());
    (
        proptest::option::weighted(0.3, proptest::sample::select(campaigns)),
        proptest::option::weighted(0.2, proptest::sample::select(banners)),
        proptest::option::weighted(0.2, proptest::sample::select(placements)),
        proptest::option::weighted(0.3, proptest::sample::select(countries)),
    )
        .prop_map(|(campaign, banner, placement, country)| Filter {
            campaign,
            banner,
            placement,
            country,
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn groupings_and_splits_add_up_exactly(
        offset in 0u64..760,
        len in 0u64..60,
        split in 0u64..=60,
        mask in 1u8..32,
        filter in filter_strategy(),
    ) {
        let start = today() - Days::new(offset);
        let finish = start + Days::new(len);
        let group_by: Vec<GroupKey> =
            all_keys().into_iter().enumerate().filter(|(i, _)| mask & (1 << i) != 0).map(|(_, k)| k).collect();

        let rows = ENGINE.report(start, finish, &group_by, &filter);
        let totals = ENGINE.totals(start, finish, &filter);
        prop_assert_eq!(sum(&rows), totals.clone());
        for r in &rows {
            assert_formulas(r);
        }
        assert_formulas(&totals);

        // Split before day `split` of the range; the left part may be empty.
        let mid = start + Days::new(split.min(len + 1));
        let left = ENGINE.totals(start, mid - Days::new(1), &filter);
        let right = ENGINE.totals(mid, finish, &filter);
        let parts = sum(&[left, right]);
        prop_assert_eq!(parts, totals);
    }
}

#[test]
fn a_correction_changes_its_days_only_and_again_each_time() {
    // Its own engine: corrections are shared state, and the other tests read ENGINE.
    let engine = StatsEngine::new(SEED, profiles());
    let (start, finish) = (today() - Days::new(9), today());
    let keys = [GroupKey::Date, GroupKey::Campaign];
    let report = |engine: &StatsEngine| engine.report(start, finish, &keys, &Filter::default());
    let by_day = |rows: &[Row], day: NaiveDate| -> Vec<Row> {
        rows.iter()
            .filter(|r| r.date == Some(day))
            .cloned()
            .collect()
    };
    let before = report(&engine);
    let corrected = today() - Days::new(1);
    engine.correct(corrected..=today());
    let after = report(&engine);
    for day in start.iter_days().take_while(|d| *d <= finish) {
        let (old, new) = (by_day(&before, day), by_day(&after, day));
        if day >= corrected {
            assert_ne!(old, new, "{day} was corrected");
        } else {
            assert_eq!(old, new, "{day} was not corrected");
        }
    }
    // A clone sees the same corrections (the server shares one engine), and a second
    // correction draws the day once more.
    assert_eq!(report(&engine.clone()), after);
    engine.correct(today()..=today());
    assert_ne!(by_day(&report(&engine), today()), by_day(&after, today()));
}
