//! How each column is stored, per database, and the statements that bring a table there.
//!
//! Amounts with decimal places (`spent`, `ctr`, `cpm`: the spec's `x-adsterra-decimals`) are
//! exact in both, under their plain names, so that `SELECT sum(spent)` reads the same in both:
//! - PostgreSQL stores them as `NUMERIC(18, places)`, and lists and objects as `jsonb`;
//! - SQLite, which has no exact decimal type, stores whole units (`spent_thousandths`
//!   INTEGER), and beside it `spent` is a generated column, the units as a decimal.
//!
//! A table made by an earlier version (whole units under `spent_thousandths` in PostgreSQL too,
//! JSON as text, no generated columns) is brought to this in place; the statements are returned
//! for the run to print.

use super::{Dialect, quoted};
use crate::SyncError;
use crate::schema::{Column, ColumnType, Table};

/// A column a table has: its name, and its SQL type as the database reports it (lowercase).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Existing {
    pub(crate) name: String,
    pub(crate) sql_type: String,
}

/// Digits an amount holds in PostgreSQL, before and after the point.
const PRECISION: u32 = 18;

/// The SQL type of a column that holds `kind` in `dialect`.
pub(super) fn sql_type(dialect: Dialect, kind: ColumnType) -> String {
    match (dialect, kind) {
        (Dialect::Sqlite, ColumnType::Integer | ColumnType::Decimal { .. }) => "INTEGER".into(),
        (Dialect::Postgres, ColumnType::Integer) => "BIGINT".into(),
        (Dialect::Postgres, ColumnType::Decimal { places }) => {
            format!("NUMERIC({PRECISION}, {places})")
        }
        (Dialect::Sqlite, ColumnType::Real) => "REAL".into(),
        (Dialect::Postgres, ColumnType::Real) => "DOUBLE PRECISION".into(),
        // SQLite has no day type; its date functions read `YYYY-MM-DD` text.
        (Dialect::Sqlite, ColumnType::Date) => "TEXT".into(),
        (Dialect::Postgres, ColumnType::Date) => "DATE".into(),
        (Dialect::Postgres, ColumnType::Json) => "JSONB".into(),
        (_, ColumnType::Text | ColumnType::Json) => "TEXT".into(),
    }
}

/// The column a value is written to: SQLite writes an amount as whole units.
pub(super) fn stored_name(dialect: Dialect, column: &Column) -> String {
    match (dialect, column.units_name()) {
        (Dialect::Sqlite, Some(units)) => units,
        _ => column.name.clone(),
    }
}

/// `"a", "b"`: the columns' stored names.
pub(super) fn column_list<'a>(
    dialect: Dialect,
    columns: impl Iterator<Item = &'a Column>,
) -> String {
    columns
        .map(|column| quoted(&stored_name(dialect, column)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `"spent" REAL GENERATED ALWAYS AS ("spent_thousandths" / 1000.0) VIRTUAL`: SQLite's
/// decimal reading of an amount.
fn generated(column: &Column) -> Option<String> {
    let ColumnType::Decimal { places } = column.kind else {
        return None;
    };
    Some(format!(
        "{} REAL GENERATED ALWAYS AS ({} / {}.0) VIRTUAL",
        quoted(&column.name),
        quoted(&column.units_name()?),
        10u64.pow(places)
    ))
}

fn definition(dialect: Dialect, column: &Column) -> String {
    let null = if column.key { " NOT NULL" } else { "" };
    format!(
        "{} {}{null}",
        quoted(&stored_name(dialect, column)),
        sql_type(dialect, column.kind)
    )
}

/// The statements that bring a table with `existing` columns (none: no table) to `table`.
pub(super) fn migration(
    dialect: Dialect,
    table: &Table,
    existing: &[Existing],
) -> Result<Vec<String>, SyncError> {
    let name = quoted(&table.name);
    if existing.is_empty() {
        let columns = (table.columns.iter())
            .map(|column| definition(dialect, column))
            .chain(table.columns.iter().filter_map(|column| match dialect {
                Dialect::Sqlite => generated(column),
                Dialect::Postgres => None,
            }));
        return Ok(vec![format!(
            "CREATE TABLE {name} ({}, PRIMARY KEY ({}))",
            columns.collect::<Vec<_>>().join(", "),
            column_list(dialect, table.key())
        )]);
    }
    let has = |column: &str| existing.iter().find(|e| e.name == column);
    if let Some(key) = table.key().find(|c| has(&c.name).is_none()) {
        return Err(SyncError::Schema(format!(
            "the table {} exists without the key column {}: it was not made by this tool; drop or rename it",
            table.name, key.name
        )));
    }
    let mut statements = Vec::new();
    let mut alter = |change: String| statements.push(format!("ALTER TABLE {name} {change}"));
    for column in table.values() {
        let stored = stored_name(dialect, column);
        let units = column.units_name();
        match dialect {
            Dialect::Sqlite => {
                if has(&stored).is_none() {
                    alter(format!("ADD COLUMN {}", definition(dialect, column)));
                }
                if let Some(generated) = generated(column).filter(|_| has(&column.name).is_none()) {
                    alter(format!("ADD COLUMN {generated}"));
                }
            }
            Dialect::Postgres => {
                let target = sql_type(dialect, column.kind);
                match (has(&stored), units.as_deref().and_then(has)) {
                    // Whole units under the old name: renamed, then made a decimal.
                    (None, Some(old)) => {
                        alter(format!(
                            "RENAME COLUMN {} TO {}",
                            quoted(&old.name),
                            quoted(&stored)
                        ));
                        alter(retype(&stored, &target, column.kind));
                    }
                    (None, None) => alter(format!("ADD COLUMN {}", definition(dialect, column))),
                    (Some(now), _) if !same_type(&now.sql_type, column.kind) => {
                        alter(retype(&stored, &target, column.kind));
                    }
                    (Some(_), _) => {}
                }
            }
        }
    }
    Ok(statements)
}

/// Whether a PostgreSQL column of `sql_type` holds `kind` as this version stores it (the
/// types that changed: amounts, and JSON).
fn same_type(sql_type: &str, kind: ColumnType) -> bool {
    match kind {
        ColumnType::Decimal { .. } => sql_type == "numeric",
        ColumnType::Json => sql_type == "jsonb",
        _ => true,
    }
}

/// `ALTER COLUMN … TYPE …`, converting what the column holds: whole units to a decimal, JSON
/// text to `jsonb`.
fn retype(column: &str, target: &str, kind: ColumnType) -> String {
    let column = quoted(column);
    // The same conversion as the upsert's: `numeric` before dividing (bigint / integer would
    // be integer division), text to `jsonb`.
    let using = postgres_value(kind, &column);
    format!("ALTER COLUMN {column} TYPE {target} USING {using}")
}

/// How PostgreSQL's upsert reads column `kind` from its parameter array `source`: amounts
/// travel as whole units (`bigint`) and JSON as text, both converted on the server.
pub(super) fn postgres_value(kind: ColumnType, source: &str) -> String {
    match kind {
        ColumnType::Decimal { places } => {
            format!("{source}::numeric / {}", 10u64.pow(places))
        }
        ColumnType::Json => format!("{source}::jsonb"),
        _ => source.to_owned(),
    }
}

/// The SQL type of PostgreSQL's parameter array for column `kind`.
pub(super) fn postgres_parameter_type(kind: ColumnType) -> String {
    match kind {
        ColumnType::Decimal { .. } => "BIGINT".into(),
        ColumnType::Json => "TEXT".into(),
        _ => sql_type(Dialect::Postgres, kind),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::Schema;

    fn existing(names_and_types: &[(&str, &str)]) -> Vec<Existing> {
        (names_and_types.iter())
            .map(|(name, sql_type)| Existing {
                name: (*name).to_owned(),
                sql_type: (*sql_type).to_owned(),
            })
            .collect()
    }

    #[test]
    fn a_new_table_stores_amounts_exactly_under_their_plain_names() {
        let table = Schema::current(&["campaign"]).unwrap().stats;
        let created = migration(Dialect::Postgres, &table, &[]).unwrap();
        assert_eq!(created.len(), 1);
        let sql = &created[0];
        assert!(
            sql.starts_with(
                "CREATE TABLE \"stats_by_date_campaign\" \
                 (\"date\" DATE NOT NULL, \"campaign\" BIGINT NOT NULL,"
            ) && sql.contains("\"spent\" NUMERIC(18, 3)")
                && sql.ends_with("PRIMARY KEY (\"date\", \"campaign\"))"),
            "{sql}"
        );
        let sql = &migration(Dialect::Sqlite, &table, &[]).unwrap()[0];
        assert!(
            sql.contains("\"spent_thousandths\" INTEGER")
                && sql.contains(
                    "\"spent\" REAL GENERATED ALWAYS AS (\"spent_thousandths\" / 1000.0) VIRTUAL"
                ),
            "{sql}"
        );
        let campaigns = Schema::current(&[]).unwrap().campaigns;
        let sql = &migration(Dialect::Postgres, &campaigns, &[]).unwrap()[0];
        assert!(sql.contains("\"pricing_settings\" JSONB"), "{sql}");
    }

    #[test]
    fn a_table_of_the_earlier_layout_is_brought_up_in_place() {
        let table = Schema::current(&["campaign"]).unwrap().stats;
        // What 0.1 made: whole units under `_thousandths` names.
        let old: Vec<(String, String)> = (table.columns.iter())
            .map(|c| {
                let name = c.units_name().unwrap_or_else(|| c.name.clone());
                (name, sql_type(Dialect::Sqlite, c.kind).to_lowercase())
            })
            .collect();
        let old: Vec<(&str, &str)> = old.iter().map(|(n, t)| (n.as_str(), t.as_str())).collect();
        let sqlite = migration(Dialect::Sqlite, &table, &existing(&old)).unwrap();
        assert_eq!(
            sqlite,
            ["ctr", "cpm", "spent"].map(|name| format!(
                "ALTER TABLE \"stats_by_date_campaign\" ADD COLUMN \"{name}\" REAL GENERATED \
                 ALWAYS AS (\"{name}_thousandths\" / 1000.0) VIRTUAL"
            ))
        );
        let postgres = migration(Dialect::Postgres, &table, &existing(&old)).unwrap();
        assert_eq!(
            &postgres[4..],
            [
                "ALTER TABLE \"stats_by_date_campaign\" RENAME COLUMN \"spent_thousandths\" TO \"spent\"",
                "ALTER TABLE \"stats_by_date_campaign\" ALTER COLUMN \"spent\" TYPE NUMERIC(18, 3) USING \"spent\"::numeric / 1000",
            ]
        );
        assert_eq!(postgres.len(), 6, "{postgres:#?}");

        // Brought up, nothing more to do; a column missing is added; a key missing is refused.
        let mut now: Vec<(String, String)> = (table.columns.iter())
            .map(|c| {
                (
                    c.name.clone(),
                    if c.units_name().is_some() {
                        "numeric"
                    } else {
                        "bigint"
                    }
                    .to_owned(),
                )
            })
            .collect();
        let as_existing = |now: &[(String, String)]| {
            existing(
                &now.iter()
                    .map(|(n, t)| (n.as_str(), t.as_str()))
                    .collect::<Vec<_>>(),
            )
        };
        assert!(
            migration(Dialect::Postgres, &table, &as_existing(&now))
                .unwrap()
                .is_empty()
        );
        now.retain(|(name, _)| name != "impressions");
        assert_eq!(
            migration(Dialect::Postgres, &table, &as_existing(&now)).unwrap(),
            ["ALTER TABLE \"stats_by_date_campaign\" ADD COLUMN \"impressions\" BIGINT"]
        );
        now.retain(|(name, _)| name != "campaign");
        let error = migration(Dialect::Postgres, &table, &as_existing(&now)).unwrap_err();
        assert!(error.to_string().contains("key column campaign"), "{error}");

        // JSON kept as text becomes jsonb.
        let campaigns = Schema::current(&[]).unwrap().campaigns;
        let old: Vec<(String, String)> = (campaigns.columns.iter())
            .map(|c| {
                (
                    c.name.clone(),
                    sql_type(Dialect::Sqlite, c.kind).to_lowercase(),
                )
            })
            .collect();
        let old: Vec<(&str, &str)> = old.iter().map(|(n, t)| (n.as_str(), t.as_str())).collect();
        assert_eq!(
            migration(Dialect::Postgres, &campaigns, &existing(&old)).unwrap(),
            [
                "ALTER TABLE \"campaigns\" ALTER COLUMN \"pricing_settings\" TYPE JSONB USING \"pricing_settings\"::jsonb"
            ]
        );
    }
}
