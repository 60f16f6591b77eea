//! The columns each kind of value shows in a table or CSV. JSON and NDJSON print the values
//! themselves, with Adsterra's field names.

use adsterra::types::{Balance, Banner, Campaign, CustomBid, Landing, StatsGroupBy, StatsRow};
use adsterra::{BannerExt, CampaignExt};
use serde::Serialize;

use crate::output::{Cell, Column};

pub const BALANCE: &[Column<Balance>] = &[Column {
    header: "BALANCE",
    cell: |b| Cell::Num(b.balance),
}];

pub const CAMPAIGNS: &[Column<Campaign>] = &[
    Column {
        header: "ID",
        cell: |c| Cell::Int(c.id),
    },
    Column {
        header: "ALIAS",
        cell: |c| c.alias.as_deref().into(),
    },
    Column {
        header: "STATE",
        cell: |c| c.state().map(|state| state.to_string()).as_deref().into(),
    },
    Column {
        header: "FORMAT",
        cell: |c| c.format.as_deref().into(),
    },
    Column {
        header: "PRICING",
        cell: |c| c.pricing_type.as_deref().into(),
    },
    Column {
        header: "DAILY_BUDGET",
        cell: |c| c.daily_budget_limit.into(),
    },
    Column {
        header: "TOTAL_BUDGET",
        cell: |c| c.total_budget_limit.into(),
    },
];

pub const BANNERS: &[Column<Banner>] = &[
    Column {
        header: "ID",
        cell: |b| Cell::Int(b.id),
    },
    Column {
        header: "ALIAS",
        cell: |b| b.alias.as_deref().into(),
    },
    Column {
        header: "STATE",
        cell: |b| b.state().map(|state| state.to_string()).as_deref().into(),
    },
    Column {
        header: "CAMPAIGN",
        cell: |b| b.campaign_id.into(),
    },
];

pub const LANDINGS: &[Column<Landing>] = &[
    Column {
        header: "ID",
        cell: |l| l.id.into(),
    },
    Column {
        header: "URL",
        cell: |l| Cell::Text(l.url.clone()),
    },
    Column {
        header: "ACTIVE",
        cell: |l| l.active.map(i64::from).into(),
    },
];

pub const PLACEMENTS: &[Column<i64>] = &[Column {
    header: "PLACEMENT",
    cell: |p| Cell::Int(*p),
}];

pub const BIDS: &[Column<CustomBid>] = &[
    Column {
        header: "PLACEMENT",
        cell: |b| Cell::Int(b.placement_id),
    },
    Column {
        header: "PRICE",
        cell: |b| Cell::Num(b.price),
    },
];

/// One placement a sync adds or removes.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct ListChange {
    pub change: &'static str,
    pub placement: i64,
}

pub const LIST_CHANGES: &[Column<ListChange>] = &[
    Column {
        header: "CHANGE",
        cell: |c| Cell::Text(c.change.to_owned()),
    },
    Column {
        header: "PLACEMENT",
        cell: |c| Cell::Int(c.placement),
    },
];

/// The group keys asked for, in their order, then every metric.
pub fn stats(group_by: &[StatsGroupBy]) -> Vec<Column<StatsRow>> {
    let keys: &[StatsGroupBy] = if group_by.is_empty() {
        &[StatsGroupBy::Date]
    } else {
        group_by
    };
    let mut columns: Vec<Column<StatsRow>> = keys
        .iter()
        .map(|key| match key {
            StatsGroupBy::Date => Column {
                header: "DATE",
                cell: |r: &StatsRow| r.date.map_or(Cell::Empty, Cell::Date),
            },
            StatsGroupBy::Campaign => Column {
                header: "CAMPAIGN",
                cell: |r: &StatsRow| r.campaign.into(),
            },
            StatsGroupBy::Banner => Column {
                header: "BANNER",
                cell: |r: &StatsRow| r.banner.into(),
            },
            StatsGroupBy::Placement => Column {
                header: "PLACEMENT",
                cell: |r: &StatsRow| r.placement.into(),
            },
            StatsGroupBy::Country => Column {
                header: "COUNTRY",
                cell: |r: &StatsRow| r.country.as_deref().into(),
            },
        })
        .collect();
    // The metrics in Adsterra's order, the order of its own CSV.
    columns.extend_from_slice(&[
        Column {
            header: "IMPRESSIONS",
            cell: |r| Cell::Int(r.impressions),
        },
        Column {
            header: "CONVERSIONS",
            cell: |r| Cell::Int(r.conversions),
        },
        Column {
            header: "CLICKS",
            cell: |r| Cell::Int(r.clicks),
        },
        Column {
            header: "CTR",
            cell: |r| Cell::Num(r.ctr),
        },
        Column {
            header: "CPM",
            cell: |r| Cell::Num(r.cpm),
        },
        Column {
            header: "SPENT",
            cell: |r| Cell::Num(r.spent),
        },
    ]);
    columns
}
