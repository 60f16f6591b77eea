//! `adsterra api`: any operation of the spec by its operationId, as `gh api` and `oxide api` do,
//! with the same token rules, outputs, dry runs and exit codes as every other command.
//!
//! Operations come from the operation table, so one added to the spec is callable here as soon
//! as the workspace is regenerated; parameters and bodies are checked against the spec before
//! anything is sent.

use std::path::Path;

use adsterra::operation::OPERATIONS;
use adsterra::{Format, Operation};
use serde_json::{Value, json};

use crate::args::{ApiArgs, Output};
use crate::context::Context;
use crate::failure::Failure;
use crate::plan;

pub async fn run(context: &Context, args: ApiArgs) -> Result<(), Failure> {
    // clap asks for an OPERATION unless --list is given.
    let Some(name) = args.operation else {
        return list(context);
    };
    let operation = find(&name, context.client.format())?;
    let mut call = context.client.call(operation);
    for param in &args.params {
        let (name, value) = param.split_once('=').ok_or_else(|| {
            Failure::usage(format!(
                "--param {param:?} is not NAME=VALUE; for example --param start_date=2026-11-01"
            ))
        })?;
        call = call.param(name, value)?;
    }
    if let Some(body) = &args.body {
        call = call.body(body_json(context, body)?)?;
    }
    if args.dry_run.dry_run {
        return dry_run(context, &call.prepare()?);
    }
    let answer = call.send().await?;
    if context.printer.output() == Output::Raw {
        return context.printer.raw_answer(answer.body);
    }
    context.printer.values(&answer.decode()?)
}

/// The operation named `name` in `format`: an endpoint's operationId (`get_stats`), or a
/// lowered one (`get_stats_csv`), which names its format itself.
fn find(name: &str, format: Format) -> Result<&'static Operation, Failure> {
    if let Some(operation) = OPERATIONS
        .iter()
        .find(|o| o.endpoint.id() == name && o.format == format)
    {
        return Ok(operation);
    }
    Operation::find(name).ok_or_else(|| {
        Failure::usage(format!(
            "the spec has no operation {name:?}; `adsterra api --list` lists them"
        ))
    })
}

/// `--body`: JSON text, `@FILE`, or `-` for stdin.
fn body_json(context: &Context, body: &str) -> Result<Value, Failure> {
    let text = match body.strip_prefix('@') {
        Some(path) => context.read_input(Path::new(path), "--body @FILE")?,
        None if body == "-" => context.read_input(Path::new("-"), "--body")?,
        None => body.to_owned(),
    };
    serde_json::from_str(&text)
        .map_err(|error| Failure::usage(format!("--body is not JSON: {error}")))
}

/// Every endpoint of the spec, with how it is sent and how sure the spec is of it.
fn list(context: &Context) -> Result<(), Failure> {
    let rows: Vec<Value> = OPERATIONS
        .iter()
        .filter(|o| o.format == Format::Json)
        .map(|o| {
            json!({
                "operation": o.id,
                "method": o.method.as_str(),
                "path": o.endpoint_path,
                "evidence": o.evidence.to_string(),
                "retry": o.retry.to_string(),
                "summary": o.summary,
            })
        })
        .collect();
    context.printer.values(&Value::Array(rows))
}

/// Prints the request a call would send, with the token masked, and sends nothing.
fn dry_run(context: &Context, request: &reqwest::Request) -> Result<(), Failure> {
    let mut sent = vec![format!("{} {}", request.method(), request.url())];
    if let Some(body) = request.body().and_then(reqwest::Body::as_bytes) {
        sent.push(format!("with body {}", String::from_utf8_lossy(body)));
    }
    plan::write(context, None, &sent)
}
