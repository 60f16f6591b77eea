//! What every answer must satisfy beyond its schema: a list's `itemCount` counts its items.

use crate::raw::types;

/// An answer the call layer checks once decoded, in whatever format it came.
pub(crate) trait Answer {
    /// What is inconsistent, if anything.
    fn problem(&self) -> Option<String> {
        None
    }
}

macro_rules! lists {
    ($($list:ty),*) => {$(
        impl Answer for $list {
            fn problem(&self) -> Option<String> {
                // `itemCount` is optional (never seen live): checked only when it came.
                let count = self.item_count?;
                (count != self.items.len() as i64)
                    .then(|| format!("itemCount is {count} but {} items came", self.items.len()))
            }
        }
    )*};
}

lists!(
    types::CampaignList,
    types::BannerList,
    types::LandingList,
    types::CustomBidList,
    types::StatsList
);

impl Answer for types::Balance {}
impl Answer for types::Campaign {}
impl Answer for types::Banner {}
impl Answer for types::PlacementIdList {}
