//! Dry runs: what a write would change and the request that would do it, with the token
//! masked. Methods and paths come from the published spec, the same source the client is
//! generated from, so a plan names exactly what would be sent.

use std::fmt::Write as _;
use std::io::Write as _;

use serde_json::Value;

use crate::context::Context;
use crate::failure::{Class, Failure};

/// The source spec as published in `spec/dist`.
const SPEC: &str = include_str!("../../spec/dist/adsterra-advertiser.json");

/// One request a write would send: its operation and its path parameters.
pub type Request<'a> = (&'static str, &'a [(&'static str, i64)]);

/// Prints the plan on stdout and sends nothing. `effects` say what would change, one per line.
pub fn print(context: &Context, effects: &[String], requests: &[Request]) -> Result<(), Failure> {
    let mut text = String::from("dry run: nothing was sent\nwould change:\n");
    for effect in effects {
        let _ = writeln!(text, "  {effect}");
    }
    text.push_str("by sending:\n");
    let spec: Value = serde_json::from_str(SPEC).map_err(|error| {
        Failure::new(
            Class::Server,
            format!("the published spec embedded in the command line is not JSON: {error}"),
        )
    })?;
    for (operation, path) in requests {
        let (method, template) = route(&spec, operation).ok_or_else(|| {
            Failure::new(
                Class::Server,
                format!(
                    "the published spec has no operation {operation}; rebuild the command line"
                ),
            )
        })?;
        let mut url = format!("{}{template}", context.base_url.trim_end_matches('/'));
        for (name, value) in path.iter() {
            url = url.replace(&format!("{{{name}}}"), &value.to_string());
        }
        url = url.replace("{format}", context.client.format().extension());
        let _ = writeln!(text, "  {method} {url}");
    }
    let _ = writeln!(
        text,
        "  with X-API-Key: ******** (from {})",
        context.token_source
    );
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    Ok(out.flush()?)
}

/// The method and path template of `operation` in `spec`.
fn route(spec: &Value, operation: &str) -> Option<(String, String)> {
    let paths = spec["paths"].as_object()?;
    paths.iter().find_map(|(path, item)| {
        item.as_object()?.iter().find_map(|(method, details)| {
            (details["operationId"] == operation)
                .then(|| (method.to_ascii_uppercase(), path.clone()))
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_write_the_command_line_plans_is_in_the_spec() {
        let spec: Value = serde_json::from_str(SPEC).unwrap();
        for (operation, method) in [
            ("update_campaign_activity", "PATCH"),
            ("update_banner_activity", "PATCH"),
            ("add_to_blacklist", "POST"),
            ("delete_from_blacklist", "POST"),
            ("replace_blacklist", "PUT"),
            ("clean_blacklist", "POST"),
            ("add_to_whitelist", "POST"),
            ("delete_from_whitelist", "POST"),
            ("clean_campaign_whitelist", "DELETE"),
            ("set_custom_bids", "POST"),
            ("update_custom_bids", "PATCH"),
            ("delete_custom_bids", "DELETE"),
            ("clean_custom_bids", "POST"),
        ] {
            assert_eq!(route(&spec, operation).unwrap().0, method, "{operation}");
        }
    }
}
