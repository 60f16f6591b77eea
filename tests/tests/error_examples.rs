//! The spec and the sandbox say the same thing about every rule: each error example the spec
//! documents (`example` or named `examples` of a 4xx/5xx answer) is provoked from the sandbox,
//! which must answer it with exactly that status and body.

use std::collections::BTreeMap;

use adsterra::{Endpoint, Format};
use adsterra_codegen::derived::DIST_LOWERED;
use adsterra_sandbox::account::FOREIGN_CAMPAIGN;
use adsterra_sandbox::{Config, Sandbox};
use adsterra_tests::workspace_root;
use reqwest::Method;
use serde_json::{Value, json};

/// Every documented error example of the lowered spec: (status, body) → the operations that
/// document it.
fn documented_errors() -> BTreeMap<(u16, String), Vec<String>> {
    let path = workspace_root().join(DIST_LOWERED);
    let spec: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    let resolve = |node: &Value| -> Value {
        match node.get("$ref").and_then(Value::as_str) {
            Some(reference) => spec.pointer(&reference[1..]).expect("refs resolve").clone(),
            None => node.clone(),
        }
    };
    let mut found: BTreeMap<(u16, String), Vec<String>> = BTreeMap::new();
    for item in spec["paths"].as_object().unwrap().values() {
        for operation in item.as_object().unwrap().values() {
            let Some(id) = operation.get("operationId").and_then(Value::as_str) else {
                continue;
            };
            for (status, response) in operation["responses"].as_object().unwrap() {
                if status.starts_with('2') {
                    continue;
                }
                let status: u16 = status.replace("XX", "00").parse().unwrap();
                let media = &resolve(response)["content"]["application/json"];
                let named = media["examples"]
                    .as_object()
                    .into_iter()
                    .flatten()
                    .map(|(_, example)| example["value"].clone());
                for example in media.get("example").cloned().into_iter().chain(named) {
                    found
                        .entry((status, example.to_string()))
                        .or_default()
                        .push(id.to_owned());
                }
            }
        }
    }
    found
}

/// A request that provokes a documented error: who asks (a token, the revoked one, none), on
/// which sandbox faults, with what.
struct Provocation {
    token: Token,
    faults: &'static str,
    method: Method,
    /// Below the base URL.
    path: String,
    body: Option<Value>,
}

#[derive(Clone, Copy)]
enum Token {
    Valid,
    Revoked,
    None,
}

fn get(path: String) -> Provocation {
    Provocation {
        token: Token::Valid,
        faults: "none",
        method: Method::GET,
        path,
        body: None,
    }
}

/// How to provoke the documented error `body` (with `status`), or None when the test does not
/// know yet: then it fails, asking for one.
fn provocation(status: u16, body: &Value, campaign: i64) -> Option<Provocation> {
    let stats = |query: &str| {
        get(format!(
            "{}?{query}",
            Endpoint::GetStats.operation(Format::Json).path
        ))
    };
    let balance = Endpoint::GetBalance.operation(Format::Json).path.to_owned();
    let message = |field: &str| body["data"][field][0].as_str().map(str::to_owned);
    Some(match status {
        401 => Provocation {
            token: Token::None,
            ..get(balance)
        },
        403 => Provocation {
            token: Token::Revoked,
            ..get(balance)
        },
        404 => get(Endpoint::GetCampaign
            .operation(Format::Json)
            .fill_path(&[("campaign_id", FOREIGN_CAMPAIGN.to_string())])
            .unwrap()),
        429 => Provocation {
            faults: "429=1",
            ..get(balance)
        },
        500 => Provocation {
            faults: "500=1",
            ..get(balance)
        },
        422 => match (message("finish_date"), message("placement_ids")) {
            (Some(text), _) if text.starts_with("Date range cannot exceed") => {
                stats("start_date=2025-01-01&finish_date=2026-01-02")
            }
            (Some(text), _) if text.contains("before start_date") => {
                stats("start_date=2026-11-10&finish_date=2026-11-01")
            }
            (Some(text), _) if text.contains("after today") => {
                stats("start_date=2026-11-01&finish_date=2999-01-01")
            }
            (None, None) if message("country").is_some() => {
                // The refused value is quoted at the start of the message: send it.
                let refused = message("country")?;
                let value = refused.split('"').nth(1)?;
                stats(&format!(
                    "start_date=2026-11-01&finish_date=2026-11-02&country={value}"
                ))
            }
            (_, Some(text)) if text.contains("listed twice") => {
                let placement = text.split(' ').nth(1)?.parse::<i64>().ok()?;
                Provocation {
                    method: Method::PUT,
                    body: Some(json!({
                        "campaign_id": campaign,
                        "placement_ids": [placement, placement],
                    })),
                    ..get(Endpoint::ReplaceBlacklist
                        .operation(Format::Json)
                        .path
                        .to_owned())
                }
            }
            _ => return None,
        },
        _ => return None,
    })
}

#[tokio::test]
async fn every_documented_error_example_is_what_the_sandbox_answers() {
    let documented = documented_errors();
    assert!(
        documented.keys().any(|(status, _)| *status == 422),
        "the spec documents validation errors"
    );
    let mut unprovoked = Vec::new();
    for ((status, text), operations) in &documented {
        let body: Value = serde_json::from_str(text).unwrap();
        let sandbox = Sandbox::start(Config::default()).await.unwrap();
        let campaign = *sandbox.account().campaigns.keys().next().unwrap();
        let Some(provocation) = provocation(*status, &body, campaign) else {
            unprovoked.push(format!("{status} {text} (documented by {operations:?})"));
            continue;
        };
        sandbox.set_faults(provocation.faults.parse().unwrap());
        let mut request = reqwest::Client::new().request(
            provocation.method.clone(),
            format!("{}{}", sandbox.base_url(), provocation.path),
        );
        request = match provocation.token {
            Token::Valid => request.header("X-API-Key", sandbox.token()),
            Token::Revoked => request.header("X-API-Key", sandbox.revoked_token()),
            Token::None => request,
        };
        if let Some(body) = &provocation.body {
            request = request.json(body);
        }
        let response = request.send().await.unwrap();
        let answered = response.status().as_u16();
        let answer: Value = response.json().await.unwrap();
        assert_eq!(
            (answered, &answer),
            (*status, &body),
            "{} {} does not answer the example documented by {operations:?}",
            provocation.method,
            provocation.path
        );
    }
    assert!(
        unprovoked.is_empty(),
        "documented error examples no test provokes; add a provocation:\n{}",
        unprovoked.join("\n")
    );
}

/// The rules the spec states without an error: unknown query parameters are ignored, and the
/// aliases of a parameter (`group_by` for `group_by[]`) are taken like its name.
#[tokio::test]
async fn unknown_parameters_are_ignored_and_aliases_are_taken() {
    let sandbox = Sandbox::start(Config::default()).await.unwrap();
    let stats = Endpoint::GetStats.operation(Format::Json);
    let get = |query: String| {
        let url = format!("{}{}?{query}", sandbox.base_url(), stats.path);
        let request = reqwest::Client::new()
            .get(url)
            .header("X-API-Key", sandbox.token());
        async move {
            let response = request.send().await.unwrap();
            assert_eq!(response.status(), 200, "{query}");
            response.json::<Value>().await.unwrap()
        }
    };
    let days = "start_date=2026-11-01&finish_date=2026-11-07";
    let group_by = stats.parameter("group_by[]").expect("stats group by");
    let canonical = get(format!("{days}&{}=campaign", group_by.name)).await;
    assert!(!canonical["items"].as_array().unwrap().is_empty());
    assert!(
        canonical["items"][0].get("campaign").is_some(),
        "{canonical}"
    );
    assert!(
        !group_by.aliases.is_empty(),
        "the spec declares the plain spelling"
    );
    for alias in group_by.aliases {
        assert_eq!(get(format!("{days}&{alias}=campaign")).await, canonical);
    }
    // Parameters seen in third-party code, which the spec does not describe.
    let unknown = "ad_unit=1&traffic_type=all&device_format=mobile&os=android";
    assert_eq!(
        get(format!("{days}&{}=campaign&{unknown}", group_by.name)).await,
        canonical
    );
}
