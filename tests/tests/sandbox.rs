//! The sandbox against the spec: every operation in every format answers what the lowered spec
//! documents (success and errors), writes show in later reads, and stats totals agree however
//! they are grouped.

use std::collections::BTreeSet;
use std::sync::LazyLock;

use adsterra_formats::Format;
use adsterra_generated::operation::OPERATIONS;
use adsterra_generated::{Endpoint, Operation};
use adsterra_sandbox::account::FOREIGN_CAMPAIGN;
use adsterra_sandbox::{Config, Sandbox};
use adsterra_tests::conformance::Conformance;
use reqwest::Method;
use serde_json::{Value, json};

static CONFORMANCE: LazyLock<Conformance> = LazyLock::new(Conformance::load);

/// A raw HTTP client for the sandbox: the tests speak HTTP themselves so that they see exactly
/// what the sandbox sends.
struct Probe {
    sandbox: Sandbox,
    http: reqwest::Client,
}

/// One answer, already checked against the spec.
struct Answer {
    status: u16,
    body: Vec<u8>,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("a JSON body")
    }
}

impl Probe {
    async fn start() -> Self {
        Self::with(Config::default()).await
    }

    async fn with(config: Config) -> Self {
        Self {
            sandbox: Sandbox::start(config).await.expect("the sandbox starts"),
            http: reqwest::Client::new(),
        }
    }

    /// A read that must succeed: its JSON body.
    async fn read(&self, operation: &str, path: &str) -> Value {
        let answer = self.call(operation, Method::GET, path, None).await;
        assert_eq!(answer.status, 200, "{operation} {path}");
        answer.json()
    }

    /// A write that must succeed.
    async fn write(&self, operation: &str, method: Method, path: &str, body: Option<Value>) {
        let answer = self.call(operation, method, path, body).await;
        assert_eq!(
            answer.status,
            200,
            "{operation} {path}: {}",
            String::from_utf8_lossy(&answer.body)
        );
    }

    /// Sends a request with the sandbox's token and checks the answer against `operation`.
    async fn call(
        &self,
        operation: &str,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> Answer {
        self.call_as(Some(self.sandbox.token()), operation, method, path, body)
            .await
    }

    async fn call_as(
        &self,
        token: Option<&str>,
        operation: &str,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> Answer {
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.sandbox.base_url()));
        if let Some(token) = token {
            request = request.header("X-API-Key", token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("the sandbox answers");
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = response.bytes().await.expect("a whole body").to_vec();
        if let Err(problems) = CONFORMANCE.check(operation, status, &headers, &body) {
            panic!(
                "{operation} {path} answered {status}, which breaks the spec:\n  {}\nbody: {}",
                problems.join("\n  "),
                String::from_utf8_lossy(&body[..body.len().min(400)])
            );
        }
        Answer { status, body }
    }
}

/// What `operation` needs to succeed against the seeded account, all from the spec: its path
/// with the account's ids, the spec's example for each required query parameter, and the spec's
/// example body with its ids made the account's.
fn request_for(
    operation: &Operation,
    campaign: i64,
    banner: i64,
    placements: &[i64],
) -> (Method, String, Option<Value>) {
    let ids = [
        ("campaign_id", campaign.to_string()),
        ("banner_id", banner.to_string()),
    ];
    let mut path = operation
        .fill_path(&ids)
        .unwrap_or_else(|name| panic!("{}: no fixture for the path id {name}", operation.id));
    let query: Vec<String> = operation
        .query_parameters
        .iter()
        .filter(|p| p.required)
        .map(|p| {
            let example = p
                .example
                .unwrap_or_else(|| panic!("{}: {} has no example", operation.id, p.name));
            format!("{}={example}", p.name)
        })
        .collect();
    if !query.is_empty() {
        path = format!("{path}?{}", query.join("&"));
    }
    let body = operation.body.map(|body| {
        let example = body
            .example
            .unwrap_or_else(|| panic!("{}: the request body has no example", operation.id));
        let mut value: Value = serde_json::from_str(example).expect("examples are JSON");
        with_account_ids(&mut value, campaign, placements);
        value
    });
    (method(operation), path, body)
}

/// The HTTP method of `operation`, as reqwest spells it.
fn method(operation: &Operation) -> Method {
    Method::from_bytes(operation.method.as_str().as_bytes()).expect("a method")
}

/// Replaces the ids of a spec example with ones of the seeded account.
fn with_account_ids(value: &mut Value, campaign: i64, placements: &[i64]) {
    let mut next = placements.iter().copied().cycle();
    let mut stack = vec![value];
    while let Some(node) = stack.pop() {
        match node {
            Value::Object(object) => {
                for (key, child) in object.iter_mut() {
                    match key.as_str() {
                        "campaign_id" => *child = json!(campaign),
                        "placement_id" => *child = json!(next.next()),
                        "placement_ids" => *child = json!(placements),
                        _ => stack.push(child),
                    }
                }
            }
            Value::Array(items) => stack.extend(items.iter_mut()),
            _ => {}
        }
    }
}

/// A campaign that can change state, one of its banners, and placements of the universe.
fn fixtures(sandbox: &Sandbox) -> (i64, i64, Vec<i64>) {
    let account = sandbox.account();
    let campaign = *account
        .campaigns
        .iter()
        .find(|(_, c)| c.active == Some(3))
        .expect("an active campaign")
        .0;
    let banner = account.banners_of(campaign)[0].id;
    let placements = account.placements.iter().copied().take(3).collect();
    (campaign, banner, placements)
}

#[tokio::test]
async fn every_operation_in_every_format_conforms_to_the_spec() {
    let probe = Probe::start().await;
    let (campaign, banner, placements) = fixtures(&probe.sandbox);
    // The table and the published spec list the same operations.
    let mut table: Vec<&str> = OPERATIONS.iter().map(|o| o.id).collect();
    let mut published = CONFORMANCE.operation_ids();
    table.sort_unstable();
    published.sort_unstable();
    assert_eq!(published, table);
    let mut covered = BTreeSet::new();
    for operation in &OPERATIONS {
        // Set the custom bids first so that the update has bids to update.
        if operation.endpoint == Endpoint::UpdateCustomBids {
            let set = Endpoint::SetCustomBids.operation(Format::Json);
            let (method, path, body) = request_for(set, campaign, banner, &placements);
            probe.write(set.id, method, &path, body).await;
        }
        let (method, path, body) = request_for(operation, campaign, banner, &placements);
        let operation = operation.id;
        let answer = probe
            .call(operation, method.clone(), &path, body.clone())
            .await;
        assert_eq!(
            answer.status,
            200,
            "{operation} {path}: {}",
            String::from_utf8_lossy(&answer.body)
        );
        covered.insert(operation);

        // And its documented errors: no token, the previous token, an id of another account.
        let unauthorised = probe
            .call_as(None, operation, method.clone(), &path, body.clone())
            .await;
        assert_eq!(unauthorised.status, 401, "{operation}");
        let revoked = Some(probe.sandbox.revoked_token());
        let forbidden = probe
            .call_as(revoked, operation, method.clone(), &path, body.clone())
            .await;
        assert_eq!(forbidden.status, 403, "{operation}");
        if path.contains(&format!("/{campaign}")) {
            let foreign = path.replace(&campaign.to_string(), &FOREIGN_CAMPAIGN.to_string());
            let missing = probe.call(operation, method, &foreign, body).await;
            assert_eq!(missing.status, 404, "{operation} {foreign}");
        }
    }
    assert_eq!(covered.len(), OPERATIONS.len());
    eprintln!("validated {} distinct responses", CONFORMANCE.validated());
}

/// A request that must fail, and the status it must fail with.
struct ErrorCase<'a> {
    name: &'static str,
    token: Option<&'a str>,
    endpoint: Endpoint,
    /// The path without its format suffix, which each format adds.
    path: String,
    body: Option<Value>,
    status: u16,
}

#[tokio::test]
async fn errors_are_the_documented_ones_in_every_format() {
    let probe = Probe::start().await;
    let (campaign, _, placements) = fixtures(&probe.sandbox);
    let token = Some(probe.sandbox.token());
    let revoked = Some(probe.sandbox.revoked_token());
    let unknown = Some("0123456789abcdef0123456789abcdef");
    let foreign = FOREIGN_CAMPAIGN;
    let case = |name, token, endpoint, path: &str, body, status| ErrorCase {
        name,
        token,
        endpoint,
        path: path.to_owned(),
        body,
        status,
    };
    let stats = |query: &str| format!("/stats?{query}");
    let add = |campaign_id: i64, placement_ids: Value| {
        Some(json!({"campaign_id": campaign_id, "placement_ids": placement_ids}))
    };
    let cases = [
        case(
            "no token",
            None,
            Endpoint::GetBalance,
            "/balance",
            None,
            401,
        ),
        case(
            "unknown token",
            unknown,
            Endpoint::GetBalance,
            "/balance",
            None,
            401,
        ),
        case(
            "revoked token",
            revoked,
            Endpoint::GetBalance,
            "/balance",
            None,
            403,
        ),
        case(
            "foreign campaign",
            token,
            Endpoint::GetCampaign,
            &format!("/campaign/{foreign}"),
            None,
            404,
        ),
        case(
            "unknown campaign",
            token,
            Endpoint::GetCampaign,
            "/campaign/99",
            None,
            404,
        ),
        case(
            "activity not a boolean",
            token,
            Endpoint::UpdateCampaignActivity,
            &format!("/campaign/{campaign}"),
            Some(json!({"active": "yes"})),
            422,
        ),
        case(
            "no placements",
            token,
            Endpoint::AddToBlacklist,
            "/linking/blacklist",
            add(campaign, json!([])),
            422,
        ),
        case(
            "placements not ids",
            token,
            Endpoint::AddToBlacklist,
            "/linking/blacklist",
            add(campaign, json!([-5, "x"])),
            422,
        ),
        case(
            "blacklist of a foreign campaign",
            token,
            Endpoint::AddToBlacklist,
            "/linking/blacklist",
            add(foreign, json!([placements[0]])),
            404,
        ),
        case(
            "no such day",
            token,
            Endpoint::GetStats,
            &stats("start_date=2026-13-01&finish_date=2026-11-27"),
            None,
            422,
        ),
        case(
            "finish before start",
            token,
            Endpoint::GetStats,
            &stats("start_date=2026-11-27&finish_date=2026-11-01"),
            None,
            422,
        ),
        case(
            "over 366 days",
            token,
            Endpoint::GetStats,
            &stats("start_date=2025-01-01&finish_date=2026-01-02"),
            None,
            422,
        ),
        case(
            "unknown group key",
            token,
            Endpoint::GetStats,
            &stats("start_date=2026-11-01&finish_date=2026-11-02&group_by[]=os"),
            None,
            422,
        ),
    ];
    for format in Format::ALL {
        let suffix = format.extension();
        for case in &cases {
            let operation = case.endpoint.operation(format);
            let path = match case.path.split_once('?') {
                Some((stem, query)) => format!("{stem}.{suffix}?{query}"),
                None => format!("{}.{suffix}", case.path),
            };
            let answer = probe
                .call_as(
                    case.token,
                    operation.id,
                    method(operation),
                    &path,
                    case.body.clone(),
                )
                .await;
            let name = case.name;
            assert_eq!(
                answer.status, case.status,
                "{name}: {} {path}",
                operation.id
            );
            assert_eq!(
                answer.json()["code"],
                case.status,
                "{name}: {} {path}",
                operation.id
            );
        }
    }
    // The 366-day limit names the field and says why.
    let answer = probe
        .call(
            Endpoint::GetStats.id(),
            Method::GET,
            "/stats.json?start_date=2025-01-01&finish_date=2026-01-02",
            None,
        )
        .await;
    assert_eq!(
        answer.json()["data"]["finish_date"][0],
        "Date range cannot exceed 366 days"
    );
}

/// `country=All` is the spec's "no filter": the same rows as no `country` at all.
#[tokio::test]
async fn country_all_answers_every_country() {
    let probe = Probe::start().await;
    let query = "/stats.json?start_date=2025-03-01&finish_date=2025-03-03&group_by[]=country";
    let every = probe.read(Endpoint::GetStats.id(), query).await;
    let all = probe
        .read(Endpoint::GetStats.id(), &format!("{query}&country=All"))
        .await;
    assert!(every["items"].as_array().unwrap().len() > 1, "{every}");
    assert_eq!(all, every);
}

#[tokio::test]
async fn a_wrong_method_is_405_with_allow() {
    let probe = Probe::start().await;
    let response = probe
        .http
        .delete(format!("{}/balance.json", probe.sandbox.base_url()))
        .header("X-API-Key", probe.sandbox.token())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 405);
    assert_eq!(response.headers()["allow"], "GET");
    let headers = response.headers().clone();
    let body = response.bytes().await.unwrap();
    CONFORMANCE
        .check(Endpoint::GetBalance.id(), 405, &headers, &body)
        .unwrap_or_else(|p| panic!("{p:?}"));
}

#[tokio::test]
async fn the_rate_limit_answers_429_with_retry_after() {
    let probe = Probe::with(Config::default().with_rate_limit_per_minute(3)).await;
    for _ in 0..3 {
        assert_eq!(
            probe
                .call(
                    Endpoint::GetBalance.id(),
                    Method::GET,
                    "/balance.json",
                    None
                )
                .await
                .status,
            200
        );
    }
    let limited = probe
        .call(
            Endpoint::GetBalance.id(),
            Method::GET,
            "/balance.json",
            None,
        )
        .await;
    assert_eq!(limited.status, 429);
    assert_eq!(limited.json()["message"], "Too many requests");
}

/// A write that must show in the read that follows it.
struct WriteCase {
    name: &'static str,
    write: Endpoint,
    body: Option<Value>,
    /// What the write must answer: 200, or the error of a write the sandbox refuses.
    status: u16,
    read: Endpoint,
    /// Whether the read's JSON shows the write.
    shows: Box<dyn Fn(&Value) -> bool>,
}

#[tokio::test]
async fn writes_show_in_the_reads_that_follow() {
    let probe = Probe::start().await;
    let (campaign, banner, placements) = fixtures(&probe.sandbox);
    let [a, b, c] = placements[..] else {
        panic!("three placements")
    };
    let ids = |value: &Value| -> BTreeSet<i64> {
        serde_json::from_value(value["placement_ids"].clone()).unwrap()
    };
    let change = |list: &[i64]| Some(json!({"campaign_id": campaign, "placement_ids": list}));
    let bid_of = |list: &Value, placement: i64| {
        list["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|bid| bid["placement_id"] == placement)
            .map(|bid| bid["price"].as_f64().unwrap())
    };
    let price = |placement: i64, price: f64| {
        Some(json!({"bids": [{"placement_id": placement, "price": price}]}))
    };
    let active = |active: bool| Some(json!({ "active": active }));
    let path_of = |endpoint: Endpoint| {
        let ids = [
            ("campaign_id", campaign.to_string()),
            ("banner_id", banner.to_string()),
        ];
        let operation = endpoint.operation(Format::Json);
        (
            operation,
            operation.fill_path(&ids).expect("the path's ids"),
        )
    };
    let read = async |endpoint: Endpoint| {
        let (operation, path) = path_of(endpoint);
        probe.read(operation.id, &path).await
    };
    let before = ids(&read(Endpoint::GetCampaignBlacklist).await);

    let case = |name, write, body, read, shows: Box<dyn Fn(&Value) -> bool>| WriteCase {
        name,
        write,
        body,
        status: 200,
        read,
        shows,
    };
    let cases = [
        case(
            "blacklist add",
            Endpoint::AddToBlacklist,
            change(&[a, b]),
            Endpoint::GetCampaignBlacklist,
            Box::new(move |list| ids(list) == &before | &BTreeSet::from([a, b])),
        ),
        case(
            "blacklist delete",
            Endpoint::DeleteFromBlacklist,
            change(&[a]),
            Endpoint::GetCampaignBlacklist,
            Box::new(move |list| !ids(list).contains(&a) && ids(list).contains(&b)),
        ),
        case(
            "blacklist replace",
            Endpoint::ReplaceBlacklist,
            change(&[c]),
            Endpoint::GetCampaignBlacklist,
            Box::new(move |list| ids(list) == BTreeSet::from([c])),
        ),
        case(
            "blacklist clean",
            Endpoint::CleanBlacklist,
            Some(json!({"campaign_id": campaign})),
            Endpoint::GetCampaignBlacklist,
            Box::new(move |list| ids(list).is_empty()),
        ),
        case(
            "whitelist add",
            Endpoint::AddToWhitelist,
            change(&[a, b, c]),
            Endpoint::GetCampaignWhitelist,
            Box::new(move |list| ids(list).is_superset(&BTreeSet::from([a, b, c]))),
        ),
        case(
            "whitelist delete",
            Endpoint::DeleteFromWhitelist,
            change(&[b]),
            Endpoint::GetCampaignWhitelist,
            Box::new(move |list| !ids(list).contains(&b)),
        ),
        case(
            "whitelist clean",
            Endpoint::CleanCampaignWhitelist,
            None,
            Endpoint::GetCampaignWhitelist,
            Box::new(move |list| ids(list).is_empty()),
        ),
        case(
            "bid set",
            Endpoint::SetCustomBids,
            price(a, 0.5),
            Endpoint::GetCustomBids,
            Box::new(move |bids| bid_of(bids, a) == Some(0.5)),
        ),
        case(
            "bid update",
            Endpoint::UpdateCustomBids,
            price(a, 0.75),
            Endpoint::GetCustomBids,
            Box::new(move |bids| bid_of(bids, a) == Some(0.75)),
        ),
        WriteCase {
            status: 422,
            ..case(
                "update of a bid never set",
                Endpoint::UpdateCustomBids,
                price(b, 0.75),
                Endpoint::GetCustomBids,
                Box::new(move |bids| bid_of(bids, b).is_none()),
            )
        },
        case(
            "bid delete",
            Endpoint::DeleteCustomBids,
            Some(json!({"placement_ids": [a]})),
            Endpoint::GetCustomBids,
            Box::new(move |bids| bid_of(bids, a).is_none()),
        ),
        case(
            "bids clean",
            Endpoint::CleanCustomBids,
            None,
            Endpoint::GetCustomBids,
            Box::new(|bids| bids["itemCount"] == 0),
        ),
        case(
            "campaign pause",
            Endpoint::UpdateCampaignActivity,
            active(false),
            Endpoint::GetCampaign,
            Box::new(|campaign| campaign["active"] == 1),
        ),
        case(
            "campaign resume",
            Endpoint::UpdateCampaignActivity,
            active(true),
            Endpoint::GetCampaign,
            Box::new(|campaign| campaign["active"] == 3),
        ),
        case(
            "banner pause",
            Endpoint::UpdateBannerActivity,
            active(false),
            Endpoint::GetCampaignBanners,
            Box::new(move |banners| {
                let paused = banners["items"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|b| b["id"] == banner);
                paused.unwrap()["active"] == 1
            }),
        ),
    ];
    for case in cases {
        let (operation, path) = path_of(case.write);
        let name = case.name;
        let answer = probe
            .call(operation.id, method(operation), &path, case.body)
            .await;
        assert_eq!(
            answer.status,
            case.status,
            "{name}: {} {path}: {}",
            operation.id,
            String::from_utf8_lossy(&answer.body)
        );
        let shown = read(case.read).await;
        assert!((case.shows)(&shown), "{name}: the read shows {shown}");
    }
}

#[tokio::test]
async fn json_csv_and_xml_give_the_same_rows() {
    let probe = Probe::start().await;
    let query = "?start_date=2026-09-01&finish_date=2026-11-27&group_by[]=date&group_by[]=country";
    let mut decoded = Vec::new();
    for (operation, suffix, format) in [
        (
            Endpoint::GetStats.id(),
            ".json",
            adsterra_formats::Format::Json,
        ),
        (
            Endpoint::GetStats.operation(Format::Csv).id,
            ".csv",
            adsterra_formats::Format::Csv,
        ),
        (
            Endpoint::GetStats.operation(Format::Xml).id,
            ".xml",
            adsterra_formats::Format::Xml,
        ),
    ] {
        let answer = probe
            .call(
                operation,
                Method::GET,
                &format!("/stats{suffix}{query}"),
                None,
            )
            .await;
        let list: adsterra_generated::types::StatsList =
            adsterra_formats::decode(format, &answer.body).expect("decodes");
        decoded.push(list);
    }
    assert!(
        decoded[0].items.len() > 500,
        "{} rows",
        decoded[0].items.len()
    );
    assert_eq!(decoded[0], decoded[1]);
    assert_eq!(decoded[0], decoded[2]);
}

/// Totals of every metric over a report's rows, with money in thousandths of a USD.
fn totals(rows: &Value) -> [i64; 4] {
    rows["items"]
        .as_array()
        .unwrap()
        .iter()
        .fold([0; 4], |sum, row| {
            [
                sum[0] + row["impressions"].as_i64().unwrap(),
                sum[1] + row["clicks"].as_i64().unwrap(),
                sum[2] + row["conversions"].as_i64().unwrap(),
                sum[3] + (row["spent"].as_f64().unwrap() * 1000.0).round() as i64,
            ]
        })
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

#[test]
fn stats_totals_agree_whatever_the_range_split_and_grouping() {
    use proptest::prelude::*;
    use proptest::test_runner::{Config as ProptestConfig, TestRunner};

    let runtime = tokio::runtime::Runtime::new().unwrap();
    let probe = runtime.block_on(Probe::start());
    let anchor = adsterra_sandbox::account::ANCHOR;
    let keys = ["date", "campaign", "banner", "placement", "country"];
    let strategy = (
        0u64..700,
        1u64..45,
        proptest::sample::subsequence(keys.to_vec(), 0..=keys.len()),
    );
    let mut runner = TestRunner::new(ProptestConfig {
        cases: 24,
        failure_persistence: None,
        ..ProptestConfig::default()
    });
    let result = runner.run(&strategy, |(back, days, group_by)| {
        let finish = anchor - chrono::Days::new(back);
        let start = finish - chrono::Days::new(days - 1);
        let split = start + chrono::Days::new(days / 2);
        let report = |from: chrono::NaiveDate, to: chrono::NaiveDate, keys: &[&str]| {
            let group: String = keys.iter().map(|k| format!("&group_by[]={k}")).collect();
            let path = format!("/stats.json?start_date={from}&finish_date={to}{group}");
            runtime
                .block_on(probe.call(Endpoint::GetStats.id(), Method::GET, &path, None))
                .json()
        };
        let grouped = report(start, finish, &group_by);
        let whole = totals(&report(start, finish, &[]));
        prop_assert_eq!(totals(&grouped), whole, "grouped by {:?}", group_by);
        if split < finish {
            let first = totals(&report(start, split, &[]));
            let second = totals(&report(split + chrono::Days::new(1), finish, &[]));
            let joined: Vec<i64> = first.iter().zip(second).map(|(a, b)| a + b).collect();
            prop_assert_eq!(joined, whole.to_vec(), "split at {}", split);
        }
        for row in grouped["items"].as_array().unwrap() {
            let impressions = row["impressions"].as_f64().unwrap();
            if impressions > 0.0 {
                let ctr = round3(row["clicks"].as_f64().unwrap() / impressions * 100.0);
                let cpm = round3(row["spent"].as_f64().unwrap() / impressions * 1000.0);
                prop_assert!(
                    (row["ctr"].as_f64().unwrap() - ctr).abs() < 0.0015,
                    "ctr of {row}"
                );
                prop_assert!(
                    (row["cpm"].as_f64().unwrap() - cpm).abs() < 0.0015,
                    "cpm of {row}"
                );
            }
            for key in keys {
                prop_assert_eq!(
                    row.get(key).is_some(),
                    group_by.contains(&key) || (group_by.is_empty() && key == "date"),
                    "{} in {}",
                    key,
                    row
                );
            }
        }
        Ok(())
    });
    if let Err(failure) = result {
        panic!("{failure}");
    }
}
