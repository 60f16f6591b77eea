//! The merge of stats rows that several windows give for the same group (a range longer than
//! one request, grouped without date), read off the spec's row schema: it names no metric and
//! no group key.
//!
//! Each property of the row is merged by what the spec says it is:
//!
//! - a value of `group_by[]` is a group key: rows merge when every key is equal;
//! - an `integer` is a count: summed;
//! - a `number` with `x-adsterra-ratio: {of, per, times}` is a rate: derived again from the
//!   merged `of` and `per` (`of / per * times`, rounded to its `x-adsterra-decimals`, 0 when
//!   `per` sums to 0), never summed or averaged;
//! - any other `number` with `x-adsterra-decimals` is an amount: summed exactly, as a whole
//!   number of 10^-places units, never as `f64`;
//! - anything else cannot be merged: it is left out of merged rows, and
//!   [`StatsMerge::left_out`] says why. No window's value ever stands for the merged one.
//!
//! It does no HTTP and knows nothing of windows; [`super::StatsQuery::send`] hands it the rows.

use std::collections::HashMap;
use std::sync::OnceLock;

use adsterra_formats::Format;
use serde_json::{Map, Number, Value};

use crate::raw::Endpoint;
use crate::raw::operation::Schema;
use crate::raw::types::StatsRow;

/// The spec's mark of a fixed-point number (money, rates): its decimal places.
const DECIMALS: &str = "x-adsterra-decimals";
/// The spec's mark of a rate: `{of, per, times}`, the row's `of / per * times`.
const RATIO: &str = "x-adsterra-ratio";

/// How one property of a stats row is merged across windows.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum FieldMerge {
    /// A group key (a value of `group_by[]`): rows merge when all keys are equal.
    Key,
    /// A count (`integer`): summed.
    Sum,
    /// An amount (`number` with `x-adsterra-decimals`): summed exactly, in 10^-places units.
    SumExact {
        /// Its decimal places.
        places: u32,
    },
    /// A rate (`number` with `x-adsterra-ratio`): `of / per * times`, from the merged fields.
    Ratio {
        /// The property divided.
        of: String,
        /// The property it is divided by.
        per: String,
        /// The factor (100 for a percent, 1000 for a cost per mille).
        times: u64,
        /// Its decimal places (`x-adsterra-decimals`); unrounded when the spec gives none.
        places: Option<u32>,
    },
    /// Cannot be merged: merged rows leave it out.
    LeftOut {
        /// Why, in the spec's terms.
        reason: String,
    },
}

/// The merge rule of every property of the spec's stats row, in the spec's order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatsMerge {
    fields: Vec<(String, FieldMerge)>,
    required: Vec<String>,
    /// Why the spec could not be read, when it could not: every merge then fails with it.
    unreadable: Option<String>,
}

/// A group of rows being merged: its keys (equal in all its rows), and each field's total.
type Group<'a> = (Map<String, Value>, HashMap<&'a str, Total>);

/// A field's running total, in its units.
#[derive(Debug, Clone, Copy)]
struct Total {
    units: i128,
    places: u32,
}

impl StatsMerge {
    /// The rules of the spec this crate was built with (`SPEC_JSON`), read once.
    pub fn current() -> &'static Self {
        static CURRENT: OnceLock<StatsMerge> = OnceLock::new();
        CURRENT.get_or_init(|| match serde_json::from_str(crate::raw::SPEC_JSON) {
            Ok(spec) => Self::from_spec(&spec),
            Err(error) => Self::unreadable(format!("the built-in spec is not JSON: {error}")),
        })
    }

    /// The rules read off `spec`, an OpenAPI document as JSON (the row schema is the one the
    /// stats operation's answer lists). Group keys are the values of `group_by[]` in the
    /// operation table.
    pub fn from_spec(spec: &Value) -> Self {
        let Some(row) = row_schema_name() else {
            return Self::unreadable("the operation table names no row schema for stats".into());
        };
        let Some(schema) = spec.pointer(&format!("/components/schemas/{row}")) else {
            return Self::unreadable(format!("the spec has no schema {row}"));
        };
        let properties = schema["properties"]
            .as_object()
            .cloned()
            .unwrap_or_default();
        let keys = crate::stats_group_keys();
        let mut fields: Vec<(String, FieldMerge)> = properties
            .iter()
            .map(|(name, property)| {
                let rule = if keys.contains(&name.as_str()) {
                    FieldMerge::Key
                } else {
                    rule(property)
                };
                (name.clone(), rule)
            })
            .collect();
        // A rate is derived only from fields that are themselves summed.
        let summed: Vec<String> = fields
            .iter()
            .filter(|(_, rule)| matches!(rule, FieldMerge::Sum | FieldMerge::SumExact { .. }))
            .map(|(name, _)| name.clone())
            .collect();
        for (name, rule) in &mut fields {
            let missing = match rule {
                FieldMerge::Ratio { of, per, .. } => {
                    [of, per].into_iter().find(|f| !summed.contains(f)).cloned()
                }
                _ => None,
            };
            if let Some(missing) = missing {
                *rule = FieldMerge::LeftOut {
                    reason: format!(
                        "{name} is a rate of {missing:?} ({RATIO}), which is not a count or an amount of {row} to sum"
                    ),
                };
            }
        }
        let required = (schema["required"].as_array().into_iter().flatten())
            .filter_map(|name| name.as_str().map(str::to_owned))
            .collect();
        Self {
            fields,
            required,
            unreadable: None,
        }
    }

    /// No rules: every merge fails with `reason`.
    fn unreadable(reason: String) -> Self {
        Self {
            fields: Vec::new(),
            required: Vec::new(),
            unreadable: Some(reason),
        }
    }

    /// Every property and its rule, in the spec's order.
    pub fn fields(&self) -> impl Iterator<Item = (&str, &FieldMerge)> {
        self.fields.iter().map(|(name, rule)| (name.as_str(), rule))
    }

    /// The properties merged rows leave out, each with why.
    pub fn left_out(&self) -> impl Iterator<Item = (&str, &str)> {
        self.fields.iter().filter_map(|(name, rule)| match rule {
            FieldMerge::LeftOut { reason } => Some((name.as_str(), reason.as_str())),
            _ => None,
        })
    }

    /// Whether rows can be merged at all, before any is fetched: the spec was read, and every
    /// property it requires has a rule.
    pub fn check(&self) -> Result<(), String> {
        if let Some(reason) = &self.unreadable {
            return Err(reason.clone());
        }
        match self.left_out().find(|(name, _)| self.is_required(name)) {
            Some((name, reason)) => {
                Err(format!("{name} is required and cannot be merged: {reason}"))
            }
            None => Ok(()),
        }
    }

    /// Merges rows with equal group keys into one, in the order each group is first seen.
    /// Fails, saying why, when [`check`](Self::check) does, or a total does not fit its type.
    pub fn merge(&self, rows: impl IntoIterator<Item = StatsRow>) -> Result<Vec<StatsRow>, String> {
        self.check()?;
        let mut index: HashMap<Vec<String>, usize> = HashMap::new();
        // Each group: its keys as the first row gave them (equal in all its rows), and totals.
        let mut groups: Vec<Group<'_>> = Vec::new();
        for row in rows {
            let Value::Object(row) = serde_json::to_value(&row).map_err(|e| e.to_string())? else {
                return Err("a stats row is not an object".to_owned());
            };
            let key: Vec<String> = self
                .rules(|rule| matches!(rule, FieldMerge::Key))
                .map(|name| row.get(name).map(Value::to_string).unwrap_or_default())
                .collect();
            let at = *index.entry(key).or_insert_with(|| {
                let keys = self
                    .rules(|rule| matches!(rule, FieldMerge::Key))
                    .filter_map(|name| Some((name.to_owned(), row.get(name)?.clone())))
                    .collect();
                groups.push((keys, HashMap::new()));
                groups.len() - 1
            });
            let totals = &mut groups[at].1;
            for (name, rule) in &self.fields {
                let places = match rule {
                    FieldMerge::Sum => 0,
                    FieldMerge::SumExact { places } => *places,
                    _ => continue,
                };
                let Some(Value::Number(value)) = row.get(name) else {
                    continue;
                };
                let units = units(value, places)
                    .ok_or_else(|| format!("{name} {value} is too large to sum"))?;
                let total = totals
                    .entry(name.as_str())
                    .or_insert(Total { units: 0, places });
                total.units = (total.units.checked_add(units))
                    .ok_or_else(|| format!("the sum of {name} is too large"))?;
            }
        }
        groups
            .into_iter()
            .map(|(mut row, totals)| {
                for (name, rule) in &self.fields {
                    if let Some(value) = self.merged(name, rule, &totals)? {
                        row.insert(name.clone(), value);
                    }
                }
                serde_json::from_value(Value::Object(row)).map_err(|e| e.to_string())
            })
            .collect()
    }

    fn is_required(&self, name: &str) -> bool {
        self.required.iter().any(|required| required == name)
    }

    fn rules(&self, which: impl Fn(&FieldMerge) -> bool) -> impl Iterator<Item = &str> {
        self.fields
            .iter()
            .filter(move |(_, rule)| which(rule))
            .map(|(name, _)| name.as_str())
    }

    /// One property of a merged row, from the group's totals; `None` to leave it out.
    fn merged(
        &self,
        name: &str,
        rule: &FieldMerge,
        totals: &HashMap<&str, Total>,
    ) -> Result<Option<Value>, String> {
        Ok(match rule {
            FieldMerge::Key | FieldMerge::LeftOut { .. } => None,
            FieldMerge::Sum => match totals.get(name) {
                Some(total) => Some(Value::from(
                    i64::try_from(total.units)
                        .map_err(|_| format!("the sum of {name} is too large"))?,
                )),
                None => None,
            },
            FieldMerge::SumExact { .. } => totals
                .get(name)
                .map(|total| decimal(total.units, total.places)),
            FieldMerge::Ratio {
                of,
                per,
                times,
                places,
            } => {
                let zero = Total {
                    units: 0,
                    places: 0,
                };
                let of = totals.get(of.as_str()).copied().unwrap_or(zero);
                let per = totals.get(per.as_str()).copied().unwrap_or(zero);
                Some(
                    ratio(of, per, *times, *places)
                        .ok_or_else(|| format!("{name} is too large"))?,
                )
            }
        })
    }
}

/// The rule of a property that is not a group key, from its type and marks.
fn rule(property: &Value) -> FieldMerge {
    let places = property[DECIMALS]
        .as_u64()
        .and_then(|p| u32::try_from(p).ok());
    match property["type"].as_str() {
        Some("integer") => FieldMerge::Sum,
        Some("number") => match (&property[RATIO], places) {
            (Value::Object(ratio), _) => {
                let text = |key: &str| ratio.get(key).and_then(Value::as_str).map(str::to_owned);
                match (
                    text("of"),
                    text("per"),
                    ratio.get("times").and_then(Value::as_u64),
                ) {
                    (Some(of), Some(per), Some(times)) => FieldMerge::Ratio {
                        of,
                        per,
                        times,
                        places,
                    },
                    _ => FieldMerge::LeftOut {
                        reason: format!("its {RATIO} does not give `of`, `per` and `times`"),
                    },
                }
            }
            (_, Some(places)) => FieldMerge::SumExact { places },
            (_, None) => FieldMerge::LeftOut {
                reason: format!(
                    "a number the spec marks neither as an amount ({DECIMALS}) nor as a rate ({RATIO}): no sum or window's value stands for the merged rows"
                ),
            },
        },
        other => FieldMerge::LeftOut {
            reason: format!(
                "a {} that is not a group key: windows cannot be combined",
                other.unwrap_or("value without a type")
            ),
        },
    }
}

/// The name of the stats answer's row schema, from the operation table.
fn row_schema_name() -> Option<&'static str> {
    let answer = Endpoint::GetStats.operation(Format::Json).answer;
    Schema::find(answer)?
        .fields
        .iter()
        .find_map(|field| field.schema)
}

/// A JSON number as a whole number of 10^-places units, rounded half away from zero; read from
/// its decimal text, so 0.1 is exactly 100 thousandths. `None` when it does not fit.
fn units(value: &Number, places: u32) -> Option<i128> {
    let text = value.to_string();
    let (mantissa, exponent) = match text.split_once(['e', 'E']) {
        Some((mantissa, exponent)) => (mantissa, exponent.parse::<i32>().ok()?),
        None => (text.as_str(), 0),
    };
    let (negative, mantissa) = match mantissa.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, mantissa),
    };
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let mut digits: i128 = 0;
    for digit in whole.bytes().chain(fraction.bytes()) {
        digits = digits
            .checked_mul(10)?
            .checked_add(i128::from(digit.checked_sub(b'0')?))?;
    }
    // digits * 10^(exponent - fraction digits) in 10^-places units.
    let shift = exponent - i32::try_from(fraction.len()).ok()? + i32::try_from(places).ok()?;
    let magnitude = if shift >= 0 {
        digits.checked_mul(10i128.checked_pow(shift.unsigned_abs())?)?
    } else {
        let divisor = 10i128
            .checked_pow(shift.unsigned_abs())
            .unwrap_or(i128::MAX);
        divide_rounded(digits, divisor)
    };
    Some(if negative { -magnitude } else { magnitude })
}

/// `units` 10^-places units as a JSON number: the double nearest the exact decimal (both
/// operands are exact, and IEEE division rounds once).
fn decimal(units: i128, places: u32) -> Value {
    Value::from(units as f64 / 10f64.powi(places as i32))
}

/// `of / per * times`, rounded to `places` decimals (exactly, in integers), 0 when `per` is 0.
fn ratio(of: Total, per: Total, times: u64, places: Option<u32>) -> Option<Value> {
    if per.units == 0 {
        return Some(Value::from(0.0));
    }
    let Some(places) = places else {
        let value = |total: Total| total.units as f64 / 10f64.powi(total.places as i32);
        return Some(Value::from(value(of) / value(per) * times as f64));
    };
    // of/10^op / (per/10^pp) * times * 10^places = of * 10^pp * times * 10^places / (per * 10^op)
    let numerator = (of.units)
        .checked_mul(10i128.checked_pow(per.places)?)?
        .checked_mul(i128::from(times))?
        .checked_mul(10i128.checked_pow(places)?)?;
    let denominator = per.units.checked_mul(10i128.checked_pow(of.places)?)?;
    let negative = (numerator < 0) != (denominator < 0);
    let magnitude = divide_rounded(numerator.abs(), denominator.abs());
    Some(decimal(
        if negative { -magnitude } else { magnitude },
        places,
    ))
}

/// `n / d` for non-negative `n` and positive `d`, rounded half up.
fn divide_rounded(n: i128, d: i128) -> i128 {
    n / d + i128::from(n % d >= d - n % d)
}

#[cfg(test)]
mod tests;
