//! Which Adsterra endpoint a path names, and which methods it takes.
//!
//! Adsterra's paths end in `.{format}` inside the last segment (`/campaign/77.json`), which path
//! routers do not match; a small table of segment shapes is clearer than working around them.

use adsterra_formats::Format;
use axum::http::Method;

/// An Adsterra endpoint, with the ids its path carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resource {
    /// `/balance`
    Balance,
    /// `/campaigns`
    Campaigns,
    /// `/campaign/{id}`
    Campaign(i64),
    /// `/campaign/{id}/banners`
    CampaignBanners(i64),
    /// `/campaign/{id}/landings`
    CampaignLandings(i64),
    /// `/campaign/{id}/linking/blacklist`
    CampaignBlacklist(i64),
    /// `/campaign/{id}/linking/whitelist`
    CampaignWhitelist(i64),
    /// `/campaign/{id}/custom_bid`
    CustomBids(i64),
    /// `/campaign/{id}/custom_bid/clean`
    CustomBidsClean(i64),
    /// `/banner/{id}`
    Banner(i64),
    /// `/banner/{id}/landings`
    BannerLandings(i64),
    /// `/linking/blacklist`
    Blacklist,
    /// `/linking/blacklist/delete`
    BlacklistDelete,
    /// `/linking/blacklist/clean`
    BlacklistClean,
    /// `/linking/whitelist`
    Whitelist,
    /// `/linking/whitelist/delete`
    WhitelistDelete,
    /// `/stats`
    Stats,
}

/// A matched path: the endpoint and the format its suffix asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Route {
    /// The endpoint.
    pub resource: Resource,
    /// The response format.
    pub format: Format,
}

/// Matches a path below the base path (`/campaign/77.json`); `None` for anything unknown,
/// including ids that are not positive integers.
pub fn route(path: &str) -> Option<Route> {
    let (stem, extension) = path.rsplit_once('.')?;
    let format = match extension {
        "json" => Format::Json,
        "xml" => Format::Xml,
        "csv" => Format::Csv,
        _ => return None,
    };
    let segments: Vec<&str> = stem.strip_prefix('/')?.split('/').collect();
    let id = |text: &str| text.parse::<i64>().ok().filter(|id| *id > 0);
    use Resource::*;
    let resource = match segments.as_slice() {
        ["balance"] => Balance,
        ["campaigns"] => Campaigns,
        ["campaign", c] => Campaign(id(c)?),
        ["campaign", c, "banners"] => CampaignBanners(id(c)?),
        ["campaign", c, "landings"] => CampaignLandings(id(c)?),
        ["campaign", c, "linking", "blacklist"] => CampaignBlacklist(id(c)?),
        ["campaign", c, "linking", "whitelist"] => CampaignWhitelist(id(c)?),
        ["campaign", c, "custom_bid"] => CustomBids(id(c)?),
        ["campaign", c, "custom_bid", "clean"] => CustomBidsClean(id(c)?),
        ["banner", b] => Banner(id(b)?),
        ["banner", b, "landings"] => BannerLandings(id(b)?),
        ["linking", "blacklist"] => Blacklist,
        ["linking", "blacklist", "delete"] => BlacklistDelete,
        ["linking", "blacklist", "clean"] => BlacklistClean,
        ["linking", "whitelist"] => Whitelist,
        ["linking", "whitelist", "delete"] => WhitelistDelete,
        ["stats"] => Stats,
        _ => return None,
    };
    Some(Route { resource, format })
}

impl Resource {
    /// The methods the endpoint takes, as the spec lists them.
    pub fn methods(self) -> &'static [Method] {
        use Resource::*;
        match self {
            Balance | Campaigns | CampaignBanners(_) | CampaignLandings(_) | BannerLandings(_)
            | CampaignBlacklist(_) | Stats => &[Method::GET],
            Campaign(_) => &[Method::GET, Method::PATCH],
            Banner(_) => &[Method::PATCH],
            Blacklist => &[Method::POST, Method::PUT],
            BlacklistDelete | BlacklistClean | Whitelist | WhitelistDelete | CustomBidsClean(_) => {
                &[Method::POST]
            }
            CampaignWhitelist(_) => &[Method::GET, Method::DELETE],
            CustomBids(_) => &[Method::GET, Method::POST, Method::PATCH, Method::DELETE],
        }
    }

    /// The `Allow` header of a 405.
    pub fn allow(self) -> String {
        self.methods()
            .iter()
            .map(Method::as_str)
            .collect::<Vec<_>>()
            .join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_every_endpoint_shape_and_format() {
        let cases = [
            ("/balance.json", Resource::Balance, Format::Json),
            (
                "/campaign/1463724.csv",
                Resource::Campaign(1463724),
                Format::Csv,
            ),
            (
                "/campaign/7/linking/whitelist.xml",
                Resource::CampaignWhitelist(7),
                Format::Xml,
            ),
            (
                "/campaign/7/custom_bid/clean.json",
                Resource::CustomBidsClean(7),
                Format::Json,
            ),
            (
                "/banner/9/landings.json",
                Resource::BannerLandings(9),
                Format::Json,
            ),
            (
                "/linking/blacklist/delete.json",
                Resource::BlacklistDelete,
                Format::Json,
            ),
            ("/stats.csv", Resource::Stats, Format::Csv),
        ];
        for (path, resource, format) in cases {
            assert_eq!(route(path), Some(Route { resource, format }), "{path}");
        }
    }

    #[test]
    fn unknown_paths_formats_and_ids_do_not_match() {
        for path in [
            "/balance",
            "/balance.yaml",
            "/campaign/0.json",
            "/campaign/-4.json",
            "/campaign/abc.json",
            "/campaign/7/nope.json",
            "/stats.json/extra",
            "",
        ] {
            assert_eq!(route(path), None, "{path}");
        }
    }
}
