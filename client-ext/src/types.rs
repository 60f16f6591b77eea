//! The models: every value the API sends or takes, as the spec's schemas describe it
//! (`Campaign`, `StatsRow`, `StatsGroupBy`, ...; generated, with builders in [`builder`]), and
//! the typed views of the codes inside them (`CampaignState`, `AdFormat`, `PricingType`; read
//! them through [`CampaignExt`](crate::CampaignExt) and [`BannerExt`](crate::BannerExt)).
//!
//! Every format decodes into these same types.

pub use crate::raw::types::*;
pub use crate::values::{AdFormat, CampaignState, PricingType};
