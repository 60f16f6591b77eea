//! One answer's values as the database stores them: a row of the client's typed values, read
//! column by column, tolerantly (an id or an amount may arrive as text), and exactly (an amount
//! with decimal places becomes a whole number of its units, from its decimal text).

use std::hash::{Hash, Hasher};

use chrono::NaiveDate;
use serde_json::Value;

use crate::schema::{ColumnType, Table};

/// One stored value.
#[derive(Debug, Clone)]
pub enum Cell {
    /// No value (a property the answer left out, or `null`).
    Null,
    /// A whole number, or a fixed-point amount in its units.
    Integer(i64),
    /// A double.
    Real(f64),
    /// A day.
    Date(NaiveDate),
    /// Text, or JSON text.
    Text(String),
}

// Keys are compared and hashed as stored, so doubles compare by their bits.
impl PartialEq for Cell {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Cell::Null, Cell::Null) => true,
            (Cell::Integer(a), Cell::Integer(b)) => a == b,
            (Cell::Real(a), Cell::Real(b)) => a.to_bits() == b.to_bits(),
            (Cell::Date(a), Cell::Date(b)) => a == b,
            (Cell::Text(a), Cell::Text(b)) => a == b,
            _ => false,
        }
    }
}

impl Eq for Cell {}

impl Hash for Cell {
    fn hash<H: Hasher>(&self, state: &mut H) {
        std::mem::discriminant(self).hash(state);
        match self {
            Cell::Null => {}
            Cell::Integer(value) => value.hash(state),
            Cell::Real(value) => value.to_bits().hash(state),
            Cell::Date(value) => value.hash(state),
            Cell::Text(value) => value.hash(state),
        }
    }
}

/// A row as `table` stores it, in its column order, from one answer item (an object, as the
/// client's typed value serializes). The error names the field that does not fit.
pub fn row(table: &Table, item: &Value) -> Result<Vec<Cell>, String> {
    table
        .columns
        .iter()
        .map(|column| {
            let value = item.get(&column.field).unwrap_or(&Value::Null);
            let cell = cell(column.kind, value).map_err(|expected| {
                format!("`{}` is {value}, which is not {expected}", column.field)
            })?;
            if column.key && cell == Cell::Null {
                return Err(format!(
                    "`{}` is missing, and {} is keyed by it",
                    column.field, table.name
                ));
            }
            Ok(cell)
        })
        .collect()
}

/// One value, or what was expected instead.
fn cell(kind: ColumnType, value: &Value) -> Result<Cell, &'static str> {
    if value.is_null() {
        return Ok(Cell::Null);
    }
    let text = value.as_str().map(str::trim);
    Ok(match kind {
        ColumnType::Integer => match value {
            Value::Bool(flag) => Cell::Integer(i64::from(*flag)),
            Value::Number(number) => number.as_i64().map(Cell::Integer).ok_or("a whole number")?,
            _ => Cell::Integer(text.and_then(|t| t.parse().ok()).ok_or("a whole number")?),
        },
        ColumnType::Decimal { places } => {
            let digits = match value {
                Value::Number(number) => number.to_string(),
                _ => text.ok_or("a decimal number")?.to_owned(),
            };
            Cell::Integer(scaled(&digits, places).ok_or("a decimal number")?)
        }
        ColumnType::Real => match value {
            Value::Number(number) => Cell::Real(number.as_f64().ok_or("a number")?),
            _ => Cell::Real(text.and_then(|t| t.parse().ok()).ok_or("a number")?),
        },
        ColumnType::Date => Cell::Date(
            text.and_then(|t| NaiveDate::parse_from_str(t, "%Y-%m-%d").ok())
                .ok_or("a day written YYYY-MM-DD")?,
        ),
        ColumnType::Text => match value {
            Value::String(text) => Cell::Text(text.clone()),
            Value::Number(_) | Value::Bool(_) => Cell::Text(value.to_string()),
            _ => return Err("text"),
        },
        ColumnType::Json => Cell::Text(value.to_string()),
    })
}

/// A decimal number (`12.345`, `-0.5`, `1e-3`, as JSON and Rust print them) as a whole number
/// of 10^-places units, read from its digits so that no binary rounding enters. Digits beyond
/// `places` are rounded half away from zero (an amount finer than the spec says).
pub fn scaled(text: &str, places: u32) -> Option<i64> {
    let (negative, text) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let (mantissa, exponent) = match text.split_once(['e', 'E']) {
        Some((mantissa, exponent)) => (mantissa, exponent.parse::<i32>().ok()?),
        None => (text, 0),
    };
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    if whole.is_empty() && fraction.is_empty()
        || !whole
            .bytes()
            .chain(fraction.bytes())
            .all(|b| b.is_ascii_digit())
    {
        return None;
    }
    // value = digits × 10^shift units
    let shift = i32::try_from(places).ok()? + exponent - i32::try_from(fraction.len()).ok()?;
    let mut units: i128 = 0;
    let mut dropped_half = false;
    let digits = whole.bytes().chain(fraction.bytes());
    let kept = digits.clone().count() as i32 + shift.min(0);
    for (index, digit) in digits.enumerate() {
        let digit = i128::from(digit - b'0');
        if (index as i32) < kept {
            units = units.checked_mul(10)?.checked_add(digit)?;
        } else if index as i32 == kept {
            dropped_half = digit >= 5;
        }
    }
    for _ in 0..shift.max(0) {
        units = units.checked_mul(10)?;
    }
    if dropped_half {
        units += 1;
    }
    let units = if negative { -units } else { units };
    i64::try_from(units).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_read_from_their_digits() {
        assert_eq!(scaled("12.345", 3), Some(12_345));
        assert_eq!(scaled("0.1", 3), Some(100));
        assert_eq!(scaled("7", 3), Some(7_000));
        assert_eq!(scaled("-0.005", 3), Some(-5));
        assert_eq!(scaled("1e-3", 3), Some(1));
        assert_eq!(scaled("1.5e2", 3), Some(150_000));
        assert_eq!(scaled(".5", 3), Some(500));
        // Finer than the spec says: rounded half away from zero.
        assert_eq!(scaled("0.0125", 3), Some(13));
        assert_eq!(scaled("-0.0125", 3), Some(-13));
        assert_eq!(scaled("0.0124", 3), Some(12));
        for bad in ["", ".", "1.2.3", "12a", "1e", "--1"] {
            assert_eq!(scaled(bad, 3), None, "{bad:?}");
        }
        assert_eq!(scaled("99999999999999999999", 3), None);
    }

    #[test]
    fn every_double_with_three_decimals_is_exact() {
        // What the client decodes `spent` into, printed back as JSON prints it.
        for thousandths in (0..2_000_000_i64).step_by(7919) {
            let value = thousandths as f64 / 1000.0;
            let text = serde_json::Number::from_f64(value).unwrap().to_string();
            assert_eq!(scaled(&text, 3), Some(thousandths), "{text}");
        }
    }
}
