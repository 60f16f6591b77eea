//! Which operation of the spec a request names, from the operation table.
//!
//! Every operation the spec has is served: the path is matched against the lowered templates
//! (`/campaign/{campaign_id}.json`) of the operations that could fit it, then the method picks
//! the operation, so routes, formats and the `Allow` header of a 405 all come from the spec.
//! The candidates come from an index of the table by first segment and segment count, built
//! once: a request never scans the whole table. The stateful handlers know a
//! [`Resource`] per endpoint; an endpoint they do not know (one added to the spec after them) is
//! answered with the spec's example.

use std::collections::HashMap;
use std::sync::LazyLock;

use adsterra_formats::Format;
use adsterra_generated::operation::{Kind, OPERATIONS, Parameter};
use adsterra_generated::{Endpoint, Operation};

/// The part of the account an endpoint reads or changes, with the id its path carries.
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

impl Resource {
    /// What the handlers serve for `endpoint`, whose path carried `id` (if any); `None` for an
    /// endpoint the handlers do not know.
    fn of(endpoint: Endpoint, id: Option<i64>) -> Option<Self> {
        use Endpoint::*;
        use Resource as R;
        Some(match endpoint {
            GetBalance => R::Balance,
            GetCampaigns => R::Campaigns,
            GetCampaign | UpdateCampaignActivity => R::Campaign(id?),
            GetCampaignBanners => R::CampaignBanners(id?),
            UpdateBannerActivity => R::Banner(id?),
            GetCampaignLandings => R::CampaignLandings(id?),
            GetBannerLandings => R::BannerLandings(id?),
            GetCampaignBlacklist => R::CampaignBlacklist(id?),
            GetCampaignWhitelist | CleanCampaignWhitelist => R::CampaignWhitelist(id?),
            GetCustomBids | SetCustomBids | UpdateCustomBids | DeleteCustomBids => {
                R::CustomBids(id?)
            }
            CleanCustomBids => R::CustomBidsClean(id?),
            ReplaceBlacklist | AddToBlacklist => R::Blacklist,
            DeleteFromBlacklist => R::BlacklistDelete,
            CleanBlacklist => R::BlacklistClean,
            AddToWhitelist => R::Whitelist,
            DeleteFromWhitelist => R::WhitelistDelete,
            GetStats => R::Stats,
            _ => return None,
        })
    }
}

/// A matched request: the operation, and what the handlers serve for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    /// The operation of the spec (format included).
    pub operation: &'static Operation,
    /// The handlers' resource; `None` when the answer is the spec's example.
    pub resource: Option<Resource>,
    /// The ids in the path, with the parameter each fills.
    pub ids: Vec<(&'static Parameter, i64)>,
}

impl Route {
    /// The response format.
    pub fn format(&self) -> Format {
        self.operation.format
    }
}

/// Operations have the path, with other methods (405): the `Allow` header lists theirs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MethodNotAllowed {
    /// `GET, PATCH`
    pub allow: String,
}

/// Matches `method` and a path below the base path (`/campaign/77.json`): `None` when no
/// operation has the path (404). Path ids must be positive integers where the spec says
/// integer, as Adsterra's ids are.
pub fn route(method: &str, path: &str) -> Option<Result<Route, MethodNotAllowed>> {
    let mut allow: Vec<&str> = Vec::new();
    let (first, count) = shape(path);
    let candidates = [INDEX.get(&(first, count)), INDEX.get(&(TEMPLATED, count))];
    for &operation in candidates.into_iter().flatten().flatten() {
        let Some(ids) = path_values(operation, path) else {
            continue;
        };
        if operation.method.as_str() != method {
            if !allow.contains(&operation.method.as_str()) {
                allow.push(operation.method.as_str());
            }
            continue;
        }
        let ids: Vec<(&'static Parameter, i64)> = ids
            .into_iter()
            .filter_map(|(parameter, value)| Some((parameter, value.parse().ok()?)))
            .collect();
        return Some(Ok(Route {
            operation,
            resource: Resource::of(operation.endpoint, ids.first().map(|(_, id)| *id)),
            ids,
        }));
    }
    (!allow.is_empty()).then(|| {
        Err(MethodNotAllowed {
            allow: allow.join(", "),
        })
    })
}

/// The key of a template whose first segment holds a parameter: it is a candidate for any path
/// of its length.
const TEMPLATED: &str = "{";

/// The operations, in table order, by the first segment of their path template and the number
/// of its segments.
static INDEX: LazyLock<HashMap<(&'static str, usize), Vec<&'static Operation>>> =
    LazyLock::new(|| {
        let mut index: HashMap<_, Vec<_>> = HashMap::new();
        for operation in &OPERATIONS {
            let (first, count) = shape(operation.path);
            let first = if first.contains('{') {
                TEMPLATED
            } else {
                first
            };
            index.entry((first, count)).or_default().push(operation);
        }
        index
    });

/// The first segment of a path below the base path (`campaign` of `/campaign/7.json`) and its
/// number of segments.
fn shape(path: &str) -> (&str, usize) {
    let mut segments = path.split('/');
    let _leading = segments.next();
    let first = segments.next().unwrap_or("");
    (first, 2 + segments.count())
}

/// The path parameters of `path` when it fits the operation's template, else `None`.
fn path_values<'p>(
    operation: &'static Operation,
    path: &'p str,
) -> Option<Vec<(&'static Parameter, &'p str)>> {
    // Walk both paths in step instead of collecting them.
    let mut template = operation.path.split('/');
    let mut segments = path.split('/');
    let mut values = Vec::new();
    loop {
        let (pattern, segment) = match (template.next(), segments.next()) {
            (Some(pattern), Some(segment)) => (pattern, segment),
            (None, None) => return Some(values),
            _ => return None,
        };
        let Some((before, rest)) = pattern.split_once('{') else {
            if pattern != segment {
                return None;
            }
            continue;
        };
        let (name, after) = rest.split_once('}')?;
        let value = segment.strip_prefix(before)?.strip_suffix(after)?;
        let parameter = operation.path_parameters.iter().find(|p| p.name == name)?;
        let fits = match parameter.kind {
            Kind::Integer => value.parse::<i64>().is_ok_and(|id| id > 0),
            _ => !value.is_empty() && parameter.check(value).is_ok(),
        };
        if !fits {
            return None;
        }
        values.push((parameter, value));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_operation_of_the_spec_is_routed_to_itself() {
        for operation in &OPERATIONS {
            let ids: Vec<(&str, String)> = operation
                .path_parameters
                .iter()
                .map(|p| (p.name, "7".to_owned()))
                .collect();
            let path = operation.fill_path(&ids).unwrap();
            let route = route(operation.method.as_str(), &path)
                .unwrap_or_else(|| panic!("{} {path}: no route", operation.method))
                .unwrap_or_else(|miss| panic!("{} {path}: {miss:?}", operation.method));
            assert_eq!(route.operation.id, operation.id, "{path}");
        }
    }

    #[test]
    fn known_endpoints_reach_the_handlers_with_their_ids() {
        let cases = [
            ("GET", "/balance.json", Resource::Balance, Format::Json),
            (
                "GET",
                "/campaign/1463724.csv",
                Resource::Campaign(1463724),
                Format::Csv,
            ),
            (
                "DELETE",
                "/campaign/7/linking/whitelist.xml",
                Resource::CampaignWhitelist(7),
                Format::Xml,
            ),
            (
                "POST",
                "/linking/blacklist/delete.json",
                Resource::BlacklistDelete,
                Format::Json,
            ),
            ("GET", "/stats.csv", Resource::Stats, Format::Csv),
        ];
        for (method, path, resource, format) in cases {
            let route = route(method, path).unwrap().unwrap();
            assert_eq!(
                (route.resource, route.format()),
                (Some(resource), format),
                "{path}"
            );
        }
    }

    #[test]
    fn another_method_is_405_with_the_methods_the_spec_lists() {
        let allowed = |method, path| route(method, path).unwrap().unwrap_err().allow;
        assert_eq!(allowed("DELETE", "/campaign/7.json"), "GET, PATCH");
        assert_eq!(allowed("GET", "/banner/9.json"), "PATCH");
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
            assert_eq!(route("GET", path), None, "{path}");
        }
    }
}
