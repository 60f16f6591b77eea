//! Dry runs: what a write would change and the request that would do it, with the token
//! masked. Methods and paths come from the operation table, the same spec the client is
//! generated from, so a plan names exactly what would be sent.

use std::fmt::Write as _;
use std::io::Write as _;

use adsterra::Endpoint;

use crate::context::Context;
use crate::failure::{Class, Failure};

/// One request a write would send: its endpoint and its path parameters.
pub type Request<'a> = (Endpoint, &'a [(&'static str, i64)]);

/// Prints the plan on stdout and sends nothing. `effects` say what would change, one per line.
pub fn print(context: &Context, effects: &[String], requests: &[Request]) -> Result<(), Failure> {
    let mut text = String::from("dry run: nothing was sent\nwould change:\n");
    for effect in effects {
        let _ = writeln!(text, "  {effect}");
    }
    text.push_str("by sending:\n");
    for (endpoint, path) in requests {
        let operation = endpoint.operation(context.client.format());
        let values: Vec<(&str, String)> = path
            .iter()
            .map(|(name, value)| (*name, value.to_string()))
            .collect();
        let path = operation.fill_path(&values).map_err(|name| {
            Failure::new(
                Class::Server,
                format!("the plan of {} has no value for {name}", operation.id),
            )
        })?;
        let _ = writeln!(
            text,
            "  {} {}{path}",
            operation.method,
            context.base_url.trim_end_matches('/')
        );
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
