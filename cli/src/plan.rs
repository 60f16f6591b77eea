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
    let mut sent = Vec::new();
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
        sent.push(format!(
            "{} {}{path}",
            operation.method,
            context.base_url.trim_end_matches('/')
        ));
    }
    write(context, Some(effects), &sent)
}

/// Prints a dry run on stdout: what would change (`None` when the command cannot know), the
/// lines of the requests that would do it, and where the masked token would come from.
pub fn write(
    context: &Context,
    effects: Option<&[String]>,
    sent: &[String],
) -> Result<(), Failure> {
    let mut text = String::from("dry run: nothing was sent\n");
    if let Some(effects) = effects {
        text.push_str("would change:\n");
        for effect in effects {
            let _ = writeln!(text, "  {effect}");
        }
    }
    text.push_str("by sending:\n");
    for line in sent {
        let _ = writeln!(text, "  {line}");
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
