//! The database's tables, read off the spec: one stats table per grain (`stats_by_date_campaign`)
//! whose columns are the `StatsRow` properties, and the campaigns' snapshots, whose columns are
//! the `Campaign` properties. Nothing here names a metric: a property added to the spec becomes
//! a column, and the store adds it to an existing table (see [`crate::store`]).

use std::fmt;

use adsterra_openapi::pointer;
use serde_json::Value;

use crate::SyncError;

/// The spec's schema of one stats row.
const STATS_ROW: &str = "StatsRow";
/// The spec's schema of one campaign.
const CAMPAIGN: &str = "Campaign";
/// The group key every grain has: each day is written in its own transaction.
pub const DATE: &str = "date";
/// The column that numbers a run in the campaigns' snapshots.
pub const RUN: &str = "run";
/// The spec's mark of a fixed-point number (money, rates): its decimal places.
const DECIMALS_KEY: &str = "x-adsterra-decimals";

/// What a column holds, and so how it is stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnType {
    /// A whole number (`integer`; `boolean` as 0 or 1).
    Integer,
    /// A fixed-point amount (`number` with `x-adsterra-decimals`), stored exactly: a
    /// `NUMERIC` in PostgreSQL; in SQLite a whole number of 10^-places units
    /// (`spent_thousandths` 12345 for `spent` 12.345), beside which `spent` reads as a decimal.
    Decimal {
        /// Decimal places.
        places: u32,
    },
    /// Any other `number`, as a double.
    Real,
    /// A day (`string`, `format: date`).
    Date,
    /// Any other `string`.
    Text,
    /// A list or an object, as its JSON text.
    Json,
}

/// One column: the spec property it comes from, and its name in the database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    /// The property's name in an answer.
    pub field: String,
    /// The column's name: the property's.
    pub name: String,
    /// What it holds.
    pub kind: ColumnType,
    /// Whether it is part of the table's key (never null).
    pub key: bool,
}

impl Column {
    fn new(field: &str, kind: ColumnType, key: bool) -> Self {
        Self {
            field: field.to_owned(),
            name: field.to_owned(),
            kind,
            key,
        }
    }

    /// For a fixed-point amount, the name of its whole units (`spent_thousandths`): the
    /// column SQLite keeps it in, exactly.
    pub fn units_name(&self) -> Option<String> {
        match self.kind {
            ColumnType::Decimal { places } => Some(format!("{}_{}", self.name, unit(places))),
            _ => None,
        }
    }
}

/// The name of 10^-places as a column suffix.
fn unit(places: u32) -> String {
    match places {
        0 => "units".to_owned(),
        1 => "tenths".to_owned(),
        2 => "hundredths".to_owned(),
        3 => "thousandths".to_owned(),
        6 => "millionths".to_owned(),
        n => format!("e{n}"),
    }
}

/// A table: its name, its columns (key columns first) and how many of them form the key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    /// Its name.
    pub name: String,
    /// Its columns, the key's first.
    pub columns: Vec<Column>,
}

impl Table {
    /// The key's columns.
    pub fn key(&self) -> impl Iterator<Item = &Column> {
        self.columns.iter().filter(|column| column.key)
    }

    /// The columns outside the key.
    pub fn values(&self) -> impl Iterator<Item = &Column> {
        self.columns.iter().filter(|column| !column.key)
    }
}

/// The tables of one sync, read off a spec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schema {
    /// The stats table of the asked grain.
    pub stats: Table,
    /// The campaigns' snapshots, one per run (keyed by `run` and the campaign's id).
    pub campaigns: Table,
}

impl Schema {
    /// The tables for stats grouped by `group_by` (the values of the spec's `group_by[]`;
    /// `date` is always added, and keys are ordered as the spec lists them), read off `spec`,
    /// the OpenAPI document as JSON.
    pub fn from_spec(spec: &Value, group_by: &[&str]) -> Result<Self, SyncError> {
        let stats_row = object_schema(spec, STATS_ROW)?;
        let known_keys = adsterra::stats_group_keys();
        if let Some(unknown) = group_by.iter().find(|key| !known_keys.contains(key)) {
            return Err(SyncError::invalid(
                "group_by",
                format!(
                    "{unknown:?} is not a stats group key; use some of {}",
                    known_keys.join(", ")
                ),
            ));
        }
        let grain: Vec<&str> = known_keys
            .iter()
            .copied()
            .filter(|key| *key == DATE || group_by.contains(key))
            .collect();
        let mut keys = Vec::new();
        let mut values = Vec::new();
        for (field, property) in properties(stats_row) {
            let kind = column_type(spec, property);
            if grain.contains(&field.as_str()) {
                keys.push(Column::new(field, kind, true));
            } else if !known_keys.contains(&field.as_str()) {
                values.push(Column::new(field, kind, false));
            }
        }
        if let Some(missing) = grain
            .iter()
            .find(|key| !keys.iter().any(|c| c.field == **key))
        {
            return Err(SyncError::Schema(format!(
                "the group key {missing:?} is not a property of {STATS_ROW}"
            )));
        }
        keys.extend(values);
        let stats = Table {
            name: format!("stats_by_{}", grain.join("_")),
            columns: keys,
        };

        let campaign = object_schema(spec, CAMPAIGN)?;
        let mut columns = vec![Column::new(RUN, ColumnType::Integer, true)];
        let mut values = Vec::new();
        for (field, property) in properties(campaign) {
            let kind = column_type(spec, property);
            match field.as_str() {
                "id" => columns.push(Column::new(field, kind, true)),
                _ => values.push(Column::new(field, kind, false)),
            }
        }
        if columns.len() != 2 {
            return Err(SyncError::Schema(format!("{CAMPAIGN} has no `id`")));
        }
        columns.extend(values);
        let campaigns = Table {
            name: "campaigns".to_owned(),
            columns,
        };
        Ok(Self { stats, campaigns })
    }

    /// The tables of the spec this crate was built with.
    pub fn current(group_by: &[&str]) -> Result<Self, SyncError> {
        let spec: Value = serde_json::from_str(adsterra::raw::SPEC_JSON)
            .map_err(|error| SyncError::Schema(format!("the built-in spec: {error}")))?;
        Self::from_spec(&spec, group_by)
    }
}

impl fmt::Display for Table {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)
    }
}

fn object_schema<'a>(spec: &'a Value, name: &str) -> Result<&'a Value, SyncError> {
    spec.pointer(&format!("/components/schemas/{name}"))
        .filter(|schema| schema["properties"].is_object())
        .ok_or_else(|| SyncError::Schema(format!("the spec has no object schema {name}")))
}

fn properties(schema: &Value) -> impl Iterator<Item = (&String, &Value)> {
    schema["properties"].as_object().into_iter().flatten()
}

/// How a property is stored, from its type, format and `x-adsterra-decimals` (through its
/// `$ref`, for a property that names another schema).
fn column_type(spec: &Value, property: &Value) -> ColumnType {
    let property = pointer::resolve(spec, property).unwrap_or(property);
    match (property["type"].as_str(), property["format"].as_str()) {
        (Some("integer" | "boolean"), _) => ColumnType::Integer,
        (Some("number"), _) => match property[DECIMALS_KEY].as_u64() {
            Some(places) => ColumnType::Decimal {
                places: places.min(9) as u32,
            },
            None => ColumnType::Real,
        },
        (Some("string"), Some("date")) => ColumnType::Date,
        (Some("string"), _) => ColumnType::Text,
        _ => ColumnType::Json,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_grain_is_date_plus_the_asked_keys_in_the_spec_order() {
        let schema = Schema::current(&["placement", "campaign"]).unwrap();
        assert_eq!(schema.stats.name, "stats_by_date_campaign_placement");
        let keys: Vec<&str> = schema.stats.key().map(|c| c.name.as_str()).collect();
        assert_eq!(keys, ["date", "campaign", "placement"]);
        let values: Vec<&str> = schema.stats.values().map(|c| c.name.as_str()).collect();
        // Group keys outside the grain are no columns; money and rates are exact.
        assert!(!values.contains(&"country") && !values.contains(&"banner"));
        assert!(values.contains(&"impressions"));
        assert!(values.contains(&"spent") && values.contains(&"cpm"));
        let spent = schema.stats.values().find(|c| c.name == "spent").unwrap();
        assert_eq!(spent.kind, ColumnType::Decimal { places: 3 });
        assert_eq!(spent.units_name().as_deref(), Some("spent_thousandths"));
        let date = &schema.stats.columns[0];
        assert_eq!(date.kind, ColumnType::Date);
    }

    #[test]
    fn an_unknown_group_key_names_the_known_ones() {
        let error = Schema::current(&["weekday"]).unwrap_err().to_string();
        assert!(
            error.contains("group_by") && error.contains("placement"),
            "{error}"
        );
    }

    #[test]
    fn campaigns_are_keyed_by_run_and_id() {
        let schema = Schema::current(&[]).unwrap();
        assert_eq!(schema.stats.name, "stats_by_date");
        let keys: Vec<&str> = schema.campaigns.key().map(|c| c.name.as_str()).collect();
        assert_eq!(keys, ["run", "id"]);
        let kind = |name: &str| {
            schema
                .campaigns
                .columns
                .iter()
                .find(|c| c.name == name)
                .map(|c| c.kind)
        };
        assert_eq!(kind("alias"), Some(ColumnType::Text));
        assert_eq!(kind("pricing_settings"), Some(ColumnType::Json));
        assert_eq!(kind("daily_budget_limit"), Some(ColumnType::Real));
    }
}
