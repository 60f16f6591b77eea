//! The legacy token-in-path form, `/advertiser/{token}/stats.json`, which old scripts used
//! (a Python cost-sync cron job, a Java stats job, 2017-2022) instead of the `X-API-Key` header.
//!
//! The sandbox accepts it with the header's rules: such a script gets the same rows as our
//! typed client, a revoked token in the path is 403 and an unknown one 401, an unknown endpoint
//! is still 404, and a write through it does what the same write with the header does. Our
//! client never uses the form; `Client::probe_legacy_token_path` (the last line of `verify-live --probe-legacy`) asks
//! whether an API accepts it, and never logs the token.
//!
//! python3 (standard library only) runs the script; CI installs it, and without it the test
//! fails saying so rather than skipping.

use std::path::{Path, PathBuf};
use std::process::Command;

use adsterra::types::{Campaign, CampaignState, StatsGroupBy, StatsRow};
use adsterra::{ApiToken, CampaignExt, Client, Endpoint, Format};
use adsterra_sandbox::{Config, Sandbox};
use adsterra_tests::support::{capture_logs, client, date, fast_retries, sandbox};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// A cost-sync job as the old scripts were written: the token in the path, plain `group_by`,
/// stats in JSON and CSV and the campaigns, each row printed as one JSON line tagged with the
/// file it came from. Base URL, token and days come from the environment, never from arguments.
const COST_SYNC: &str = r#"
import csv, io, json, os, sys, urllib.error, urllib.parse, urllib.request

base = os.environ["ADSTERRA_BASE"]
token = os.environ["ADSTERRA_TOKEN"]
query = urllib.parse.urlencode({
    "start_date": os.environ["SYNC_START"],
    "finish_date": os.environ["SYNC_FINISH"],
    "group_by": "date",
})
# Straight to the sandbox on loopback, whatever proxy the environment names.
opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

def get(path):
    try:
        with opener.open(f"{base}/{token}/{path}", timeout=60) as response:
            return response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        # The URL holds the token: say which file failed, not where.
        sys.exit(f"{path.split('?')[0]}: HTTP {error.code} {error.read().decode('utf-8', 'replace')}")

def number(text):
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text

def emit(source, row):
    print(json.dumps({"source": source, "row": row}))

for row in json.loads(get(f"stats.json?{query}"))["items"]:
    emit("stats.json", row)
for row in csv.DictReader(io.StringIO(get(f"stats.csv?{query}")), delimiter=";"):
    emit("stats.csv", {key: number(value) for key, value in row.items() if value != ""})
for campaign in json.loads(get("campaigns.json"))["items"]:
    emit("campaigns.json", campaign)
"#;

/// A folder of this test's own, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> Self {
        let path = std::env::temp_dir().join(format!("adsterra-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&path).expect("the temp folder is made");
        Self(path)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Runs `script` with python3 and `env`; its stdout, or a failure that says what went wrong.
fn python(script: &Path, env: &[(&str, &str)]) -> String {
    let output = Command::new("python3")
        .arg(script)
        .envs(env.iter().copied())
        .output()
        .unwrap_or_else(|error| {
            panic!(
                "this test runs a Python 3 script and needs python3 on PATH (CI installs it; \
                 apt-get install python3): {error}"
            )
        });
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "the script failed: {stderr}");
    String::from_utf8(output.stdout).expect("the script prints UTF-8")
}

/// The rows the script printed from `source`, as one JSON array.
fn rows(lines: &[Value], source: &str) -> Value {
    lines
        .iter()
        .filter(|line| line["source"] == source)
        .map(|line| line["row"].clone())
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_script_with_the_token_in_the_path_gets_the_rows_of_the_typed_client() {
    let sandbox = sandbox("").await;
    let (start, finish) = ("2026-11-01", "2026-11-07");
    let dir = TempDir::new("legacy-url");
    let script = dir.0.join("cost_sync.py");
    std::fs::write(&script, COST_SYNC).expect("the script is written");

    let env = [
        ("ADSTERRA_BASE", sandbox.base_url()),
        ("ADSTERRA_TOKEN", sandbox.token()),
        ("SYNC_START", start),
        ("SYNC_FINISH", finish),
    ]
    .map(|(name, value)| (name, value.to_owned()));
    let stdout = tokio::task::spawn_blocking(move || {
        let env: Vec<(&str, &str)> = env.iter().map(|(n, v)| (*n, v.as_str())).collect();
        python(&script, &env)
    })
    .await
    .expect("the script's thread ends");
    let lines: Vec<Value> = stdout
        .lines()
        .map(|line| serde_json::from_str(line).expect("one JSON object a line"))
        .collect();

    let client = client(sandbox.base_url(), sandbox.token(), fast_retries(0));
    let typed = client
        .stats()
        .between(date(start), date(finish))
        .group_by([StatsGroupBy::Date])
        .send()
        .await
        .expect("the typed client reads the stats");
    assert_eq!(typed.len(), 7, "a row a day");
    // The script's rows, read by the types our client reads answers with.
    for source in ["stats.json", "stats.csv"] {
        let script: Vec<StatsRow> = serde_json::from_value(rows(&lines, source))
            .unwrap_or_else(|error| panic!("the script's {source} rows: {error}"));
        assert_eq!(script, typed, "{source}");
    }
    let campaigns = client.campaigns().await.expect("the typed client lists");
    assert!(!campaigns.is_empty());
    let script: Vec<Campaign> = serde_json::from_value(rows(&lines, "campaigns.json"))
        .unwrap_or_else(|error| panic!("the script's campaigns: {error}"));
    assert_eq!(script, campaigns);
    assert_eq!(sandbox.writes_seen(), 0, "nothing but reads");
}

/// `{base}/{segment}{path}` with no header, or `{base}{path}` with the token in `X-API-Key`.
async fn get(
    http: &reqwest::Client,
    base: &str,
    segment: Option<&str>,
    header: Option<&str>,
    path: &str,
) -> (StatusCode, Value) {
    let url = match segment {
        Some(segment) => format!("{base}/{segment}{path}"),
        None => format!("{base}{path}"),
    };
    let mut request = http.get(url);
    if let Some(token) = header {
        request = request.header("x-api-key", token);
    }
    let response = request.send().await.expect("the sandbox answers");
    let status = response.status();
    let body = response.bytes().await.expect("a whole body");
    (
        status,
        serde_json::from_slice(&body).expect("every answer here is JSON"),
    )
}

#[tokio::test]
async fn the_path_token_follows_the_header_rules() {
    let sandbox = sandbox("").await;
    let http = reqwest::Client::new();
    let base = sandbox.base_url();
    let campaigns = Endpoint::GetCampaigns.operation(Format::Json).path;

    let (status, legacy) = get(&http, base, Some(sandbox.token()), None, campaigns).await;
    assert_eq!(status, StatusCode::OK, "{legacy}");
    let (status, with_header) = get(&http, base, None, Some(sandbox.token()), campaigns).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "the header still works: {with_header}"
    );
    assert_eq!(legacy, with_header, "the same answer either way");

    let (status, body) = get(&http, base, Some(sandbox.revoked_token()), None, campaigns).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(
        body,
        json!({"code": 403, "message": "Invalid token", "data": null})
    );
    let unknown = "0123456789abcdef0123456789abcdef";
    assert_ne!(unknown, sandbox.token());
    let (status, body) = get(&http, base, Some(unknown), None, campaigns).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        body,
        json!({"code": 401, "message": "Token not found", "data": null})
    );

    // A path that is no endpoint stays 404, whatever the token: it is routed before the token
    // is looked at.
    let nowhere = "/no-such-endpoint.json";
    assert!(
        adsterra::operation::OPERATIONS
            .iter()
            .all(|operation| operation.path != nowhere)
    );
    for token in [sandbox.token(), sandbox.revoked_token(), unknown] {
        let (status, body) = get(&http, base, Some(token), None, nowhere).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    }
    // The token must be the first segment below the base path, not anywhere.
    let (status, _) = get(
        &http,
        base,
        Some(&format!("x/{}", sandbox.token())),
        None,
        campaigns,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_write_through_the_path_token_does_what_the_header_write_does() {
    // Two sandboxes of the same seed: one written through the path, one through the header.
    let by_path = Sandbox::start(Config::default()).await.unwrap();
    let by_header = Sandbox::start(Config::default()).await.unwrap();
    assert_eq!(by_path.account(), by_header.account());
    let before = by_path.account();

    let reader = client(by_path.base_url(), by_path.token(), fast_retries(0));
    let running = reader
        .campaigns()
        .await
        .unwrap()
        .into_iter()
        .find(|campaign| campaign.state() == Some(CampaignState::Active))
        .expect("the seed has a running campaign")
        .id;
    let update = Endpoint::UpdateCampaignActivity.operation(Format::Json);
    let path = update
        .fill_path(&[("campaign_id", running.to_string())])
        .unwrap();
    let body = json!({"active": false});
    update.check_body(&body).expect("the spec's body");

    let http = reqwest::Client::new();
    let method = reqwest::Method::from_bytes(update.method.as_str().as_bytes()).unwrap();
    let legacy = http
        .request(
            method.clone(),
            format!("{}/{}{path}", by_path.base_url(), by_path.token()),
        )
        .json(&body)
        .send()
        .await
        .unwrap();
    let header = http
        .request(method, format!("{}{path}", by_header.base_url()))
        .header("x-api-key", by_header.token())
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(legacy.status(), StatusCode::OK);
    assert_eq!(header.status(), StatusCode::OK);
    let legacy: Value = legacy.json().await.unwrap();
    let header: Value = header.json().await.unwrap();
    assert_eq!(legacy, header, "the same answer");
    assert_eq!(by_path.account(), by_header.account(), "the same change");
    assert_ne!(by_path.account(), before, "and a change it was");
    assert_eq!((by_path.writes_seen(), by_header.writes_seen()), (1, 1));
    let paused = reader.campaign(running).get().await.unwrap();
    assert_eq!(paused.state(), Some(CampaignState::Inactive));
}

#[tokio::test]
async fn the_legacy_probe_never_logs_or_prints_the_token() {
    let sandbox = sandbox("").await;
    let (captured, _guard) = capture_logs();

    let closed_port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let closed = format!("http://127.0.0.1:{closed_port}/advertiser");
    let unknown = "0123456789abcdef0123456789abcdef";
    let mut printed = String::new();
    for (base, token) in [
        (sandbox.base_url(), sandbox.token()),
        (sandbox.base_url(), sandbox.revoked_token()),
        (sandbox.base_url(), unknown),
        (closed.as_str(), sandbox.token()),
    ] {
        let client = Client::builder()
            .base_url(base)
            .token(ApiToken::new(token).unwrap())
            .retry(fast_retries(0))
            .build()
            .unwrap();
        printed.push_str(&format!("{client:?} {}\n", client.legacy_probe_path()));
        match client.probe_legacy_token_path().await {
            Ok(probe) => printed.push_str(&format!("{probe} {probe:?}\n")),
            Err(error) => printed.push_str(&format!("{error} {error:?}\n")),
        }
    }
    let logs = captured.text();
    assert!(
        logs.contains("adsterra.legacy_probe"),
        "the probe is logged, so this checks something:\n{logs}"
    );
    assert!(printed.contains("accepted") && printed.contains("refused (403 Invalid token)"));
    for token in [sandbox.token(), sandbox.revoked_token(), unknown] {
        assert!(!logs.contains(token), "the token leaked into the logs");
        assert!(!printed.contains(token), "the token leaked: {printed}");
    }
}
