//! Real answers never break the client: every read of the spec, in every format, answered in the
//! sandbox's `strict` and `loose` profiles, read through the client (`Client::call`) and through
//! the command line (`adsterra api`), decodes, and gives the strict answer's values wherever the
//! loose answer carries a value.

mod common;

use std::collections::BTreeMap;

use adsterra::operation::{OPERATIONS, Operation, Schema};
use adsterra::{ApiToken, Client, RetryPolicy};
use adsterra_sandbox::{Answers, Config, Sandbox};
use common::{TOKEN, against, sandbox};
use serde_json::Value;

/// The arguments every read needs against the seeded account: its path ids (a running
/// campaign and one of its banners) and the spec's example of each required query parameter.
fn arguments(operation: &Operation, sandbox: &Sandbox) -> Vec<(&'static str, String)> {
    let account = sandbox.account();
    let (&campaign, _) = account
        .campaigns
        .iter()
        .find(|(_, c)| c.active == Some(3))
        .expect("a running campaign");
    let banner = account.banners_of(campaign)[0].id;
    let mut arguments = Vec::new();
    for (_, parameter) in operation.parameters() {
        let value = match parameter.name {
            "campaign_id" => campaign.to_string(),
            "banner_id" => banner.to_string(),
            _ if parameter.required => parameter
                .example
                .unwrap_or_else(|| panic!("{}: {} has no example", operation.id, parameter.name))
                .to_owned(),
            _ => continue,
        };
        arguments.push((parameter.name, value));
    }
    arguments
}

/// Where `loose` (decoded) disagrees with `strict` (decoded) on a value it carries. A value may
/// be missing or null in the loose answer; a status may be one the spec does not know yet
/// (`x-adsterra-known-values`); any other difference is a problem.
fn disagreements(
    strict: &Value,
    loose: &Value,
    schema: Option<&'static Schema>,
    at: &str,
    problems: &mut Vec<String>,
) {
    match (strict, loose) {
        (_, Value::Null) => {}
        (Value::Object(strict), Value::Object(loose)) => {
            for (key, value) in loose {
                let field = schema.and_then(|schema| schema.field(key));
                let at = format!("{at}.{key}");
                match strict.get(key) {
                    Some(expected) => {
                        if let Some(known) = field.map(|f| f.known_values)
                            && !known.is_empty()
                            && !known.contains(&value.to_string().as_str())
                        {
                            continue;
                        }
                        let nested = field.and_then(|f| f.schema).and_then(Schema::find);
                        disagreements(expected, value, nested, &at, problems);
                    }
                    None if value.is_null() => {}
                    None => problems.push(format!("{at}: {value} is not in the strict answer")),
                }
            }
        }
        (Value::Array(strict), Value::Array(loose)) if strict.len() == loose.len() => {
            for (index, (expected, value)) in strict.iter().zip(loose).enumerate() {
                disagreements(expected, value, schema, &format!("{at}[{index}]"), problems);
            }
        }
        _ if strict == loose => {}
        _ => problems.push(format!("{at}: {loose} instead of {strict}")),
    }
}

/// How a loose JSON body differs from the strict one, counted by shape.
fn shapes(strict: &Value, loose: &Value, counts: &mut BTreeMap<&'static str, usize>) {
    fn count(counts: &mut BTreeMap<&'static str, usize>, shape: &'static str) {
        *counts.entry(shape).or_default() += 1;
    }
    match (strict, loose) {
        (Value::Object(strict), Value::Object(loose)) => {
            for (key, expected) in strict {
                match loose.get(key) {
                    None => count(counts, "unproven field left out"),
                    Some(Value::Null) if !expected.is_null() => {
                        count(counts, "null instead of a value")
                    }
                    Some(value) => shapes(expected, value, counts),
                }
            }
            for _ in loose.keys().filter(|key| !strict.contains_key(*key)) {
                count(counts, "field added");
            }
        }
        (Value::Array(strict), Value::Array(loose)) => {
            for (expected, value) in strict.iter().zip(loose) {
                shapes(expected, value, counts);
            }
        }
        (Value::Number(number), Value::String(text)) if number.to_string() == *text => {
            count(counts, "number as a string")
        }
        (Value::Number(_), Value::Number(_)) if strict != loose => {
            count(counts, "unknown status value")
        }
        _ => {}
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_read_in_every_format_decodes_loose_answers_with_the_strict_values() {
    let sandbox = sandbox(Config::default().with_rate_limit_per_minute(0)).await;
    let client = Client::builder()
        .base_url(sandbox.base_url())
        .token(ApiToken::new(TOKEN).unwrap())
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    let mut counts = BTreeMap::new();
    let mut reads = 0;
    for operation in OPERATIONS.iter().filter(|o| o.is_read()) {
        reads += 1;
        let arguments = arguments(operation, &sandbox);
        let mut decoded = Vec::new();
        let mut bodies = Vec::new();
        let mut printed = Vec::new();
        for profile in [Answers::Strict, Answers::Loose] {
            sandbox.set_answers(profile);
            let mut call = client.call(operation);
            for (name, value) in &arguments {
                call = call.param(name, value.clone()).unwrap();
            }
            let answer = call.send().await.unwrap_or_else(|error| {
                panic!("{} ({profile}): {error}", operation.id);
            });
            let body = String::from_utf8_lossy(&answer.body).into_owned();
            decoded.push(answer.decode().unwrap_or_else(|error| {
                panic!(
                    "{} ({profile}) does not decode: {error}\n{body}",
                    operation.id
                )
            }));
            bodies.push(body);

            let mut args = vec!["api".to_owned(), operation.id.to_owned()];
            for (name, value) in &arguments {
                args.extend(["-p".to_owned(), format!("{name}={value}")]);
            }
            args.extend(["-o".to_owned(), "json".to_owned()]);
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let run = against(&sandbox, &args);
            assert_eq!(run.code, 0, "{} ({profile}): {}", operation.id, run.stderr);
            printed.push(
                serde_json::from_str::<Value>(&run.stdout).unwrap_or_else(|error| {
                    panic!("{} ({profile}): {error}\n{}", operation.id, run.stdout)
                }),
            );
        }
        let schema = Schema::find(operation.answer);
        let mut problems = Vec::new();
        disagreements(&decoded[0], &decoded[1], schema, "client", &mut problems);
        disagreements(
            &decoded[0],
            &printed[0],
            schema,
            "cli strict",
            &mut problems,
        );
        disagreements(&decoded[0], &printed[1], schema, "cli loose", &mut problems);
        assert!(
            problems.is_empty(),
            "{}: the loose answer gave other values:\n{}\nstrict: {}\nloose: {}",
            operation.id,
            problems.join("\n"),
            bodies[0],
            bodies[1]
        );
        if operation.format == adsterra::Format::Json {
            let strict: Value = serde_json::from_str(&bodies[0]).unwrap();
            let loose: Value = serde_json::from_str(&bodies[1]).unwrap();
            shapes(&strict, &loose, &mut counts);
        }
    }
    assert!(reads >= 3, "only {reads} reads");
    eprintln!("{reads} reads, loose JSON shapes met: {counts:?}");
    // The loose profile really answered in every shape a real answer may take.
    for shape in [
        "number as a string",
        "unproven field left out",
        "field added",
        "null instead of a value",
        "unknown status value",
    ] {
        assert!(
            counts.get(shape).is_some_and(|n| *n > 0),
            "no loose answer had a {shape}: {counts:?}"
        );
    }
}
