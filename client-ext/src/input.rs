//! Checking a caller's input before anything is sent: each error names the field and says
//! what is expected. Shared by the wrappers (`endpoints`) and the stats query (`stats`).

use std::collections::BTreeSet;
use std::num::NonZeroU64;

use crate::Error;

/// A positive id, or an error naming the field.
pub(crate) fn id(field: &'static str, value: i64) -> Result<NonZeroU64, Error> {
    u64::try_from(value)
        .ok()
        .and_then(NonZeroU64::new)
        .ok_or_else(|| Error::invalid(field, format!("must be a positive id, got {value}")))
}

/// Positive, distinct placement ids; at least one unless `allow_empty`.
pub(crate) fn placement_ids(
    ids: impl IntoIterator<Item = i64>,
    allow_empty: bool,
) -> Result<Vec<NonZeroU64>, Error> {
    let mut seen = BTreeSet::new();
    for value in ids {
        seen.insert(id("placement_ids", value)?);
    }
    if seen.is_empty() && !allow_empty {
        return Err(Error::invalid(
            "placement_ids",
            "is empty; name at least one placement",
        ));
    }
    Ok(seen.into_iter().collect())
}
