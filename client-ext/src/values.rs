//! Typed views of the values Adsterra sends as plain numbers and strings.
//!
//! The spec keeps these fields open (an integer, a string), so a value Adsterra adds tomorrow
//! still decodes; here they become enums with an `Unknown` case that keeps the raw value, and a
//! `tracing` warning says when one is met.

use crate::raw::types;

/// A campaign's or banner's `active` state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CampaignState {
    /// 1: stopped.
    Inactive,
    /// 2: stopped by its budget or other limits.
    InactiveByLimits,
    /// 3: running.
    Active,
    /// 4: archived; it cannot be started again.
    NotInUse,
    /// A value this crate does not know yet.
    Unknown(i32),
}

impl From<i32> for CampaignState {
    fn from(code: i32) -> Self {
        match code {
            1 => Self::Inactive,
            2 => Self::InactiveByLimits,
            3 => Self::Active,
            4 => Self::NotInUse,
            other => {
                tracing::warn!(active = other, "unknown campaign state");
                Self::Unknown(other)
            }
        }
    }
}

impl CampaignState {
    /// The number Adsterra uses.
    pub fn code(self) -> i32 {
        match self {
            Self::Inactive => 1,
            Self::InactiveByLimits => 2,
            Self::Active => 3,
            Self::NotInUse => 4,
            Self::Unknown(code) => code,
        }
    }
}

impl std::fmt::Display for CampaignState {
    /// One word each, for tables and logs: `active`, `inactive`, `inactive-by-limits`,
    /// `not-in-use`, or `unknown-9` for a code this crate does not know.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Inactive => f.write_str("inactive"),
            Self::InactiveByLimits => f.write_str("inactive-by-limits"),
            Self::Active => f.write_str("active"),
            Self::NotInUse => f.write_str("not-in-use"),
            Self::Unknown(code) => write!(f, "unknown-{code}"),
        }
    }
}

/// A campaign's ad format.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AdFormat {
    /// Popunder.
    Pop,
    /// Direct link.
    Direct,
    /// Display banner.
    Banner,
    /// Native banner.
    Native,
    /// Push notification.
    Push,
    /// Interstitial.
    Interstitial,
    /// Video.
    Video,
    /// A value this crate does not know yet.
    Unknown(String),
}

impl From<&str> for AdFormat {
    fn from(text: &str) -> Self {
        match text {
            "pop" => Self::Pop,
            "direct" => Self::Direct,
            "banner" => Self::Banner,
            "native" => Self::Native,
            "push" => Self::Push,
            "interstitial" => Self::Interstitial,
            "video" => Self::Video,
            other => {
                tracing::warn!(format = other, "unknown ad format");
                Self::Unknown(other.to_owned())
            }
        }
    }
}

/// How a campaign pays.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PricingType {
    /// Per 1000 impressions.
    Cpm,
    /// Per click.
    Cpc,
    /// Per action (conversion).
    Cpa,
    /// A value this crate does not know yet.
    Unknown(String),
}

impl From<&str> for PricingType {
    fn from(text: &str) -> Self {
        match text.to_ascii_uppercase().as_str() {
            "CPM" => Self::Cpm,
            "CPC" => Self::Cpc,
            "CPA" => Self::Cpa,
            _ => {
                tracing::warn!(pricing_type = text, "unknown pricing type");
                Self::Unknown(text.to_owned())
            }
        }
    }
}

/// Typed accessors on a campaign.
pub trait CampaignExt {
    /// The `active` state, when Adsterra sent one (list items may lack it: the spec has never
    /// seen it there).
    fn state(&self) -> Option<CampaignState>;
    /// The ad format, when Adsterra sent one.
    fn ad_format(&self) -> Option<AdFormat>;
    /// The pricing type, when Adsterra sent one.
    fn pricing_type(&self) -> Option<PricingType>;
}

impl CampaignExt for types::Campaign {
    fn state(&self) -> Option<CampaignState> {
        self.active.map(CampaignState::from)
    }

    fn ad_format(&self) -> Option<AdFormat> {
        self.format.as_deref().map(AdFormat::from)
    }

    fn pricing_type(&self) -> Option<PricingType> {
        self.pricing_type.as_deref().map(PricingType::from)
    }
}

/// Typed accessors on a banner.
pub trait BannerExt {
    /// The `active` state (the same codes as campaigns), when Adsterra sent one.
    fn state(&self) -> Option<CampaignState>;
}

impl BannerExt for types::Banner {
    fn state(&self) -> Option<CampaignState> {
        self.active.map(CampaignState::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_values_map_and_unknown_ones_are_kept() {
        for code in 1..=4 {
            assert_eq!(CampaignState::from(code).code(), code);
        }
        assert_eq!(CampaignState::from(3), CampaignState::Active);
        assert_eq!(CampaignState::from(9), CampaignState::Unknown(9));
        assert_eq!(CampaignState::Unknown(9).code(), 9);
        assert_eq!(
            CampaignState::InactiveByLimits.to_string(),
            "inactive-by-limits"
        );
        assert_eq!(CampaignState::Unknown(9).to_string(), "unknown-9");
        assert_eq!(AdFormat::from("native"), AdFormat::Native);
        assert_eq!(
            AdFormat::from("smartlink"),
            AdFormat::Unknown("smartlink".into())
        );
        assert_eq!(PricingType::from("cpc"), PricingType::Cpc);
        assert_eq!(PricingType::from("CPV"), PricingType::Unknown("CPV".into()));
    }
}
