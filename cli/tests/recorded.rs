//! Every folder of recorded answers under `tests/recorded/` (filled by whoever records from the
//! real API; empty today) is replayed and read: the sandbox serves each recorded answer byte for
//! byte (`--replay-only`), the client decodes it in its format through the generated types, and
//! `adsterra api` reads it. A folder recorded here from the drifted sandbox runs through the same
//! checks, so the machinery is proven whatever the folder holds.

mod common;

use std::path::{Path, PathBuf};

use adsterra::operation::OPERATIONS;
use adsterra::{ApiToken, Client, Operation};
use adsterra_openapi::cassette::{Cassette, Interaction};
use adsterra_sandbox::Config;
use adsterra_sandbox::replay::Replay;
use common::{TOKEN, against, sandbox};

/// The folder of recorded answers, relative to the workspace root.
const RECORDED: &str = "tests/recorded";

/// The row of the recorded operation in its format.
fn row(interaction: &Interaction) -> &'static Operation {
    let format = interaction.format().expect("a known format");
    OPERATIONS
        .iter()
        .find(|o| o.endpoint.id() == interaction.adsterra_operation && o.format == format)
        .unwrap_or_else(|| panic!("no operation {}", interaction.adsterra_operation))
}

/// The recorded URL's parameters, by the operation's names: path values matched against the
/// row's path template, then the query.
fn parameters(operation: &Operation, uri: &str) -> Vec<(String, String)> {
    let url = reqwest::Url::parse(uri).unwrap();
    let template: Vec<&str> = operation.path.split('/').rev().collect();
    let mut found = Vec::new();
    for (pattern, value) in template.iter().zip(url.path().split('/').rev()) {
        if let Some(name) = pattern.strip_prefix('{') {
            let (name, suffix) = name.split_once('}').unwrap();
            let value = value.strip_suffix(suffix).unwrap_or(value);
            found.push((name.to_owned(), value.to_owned()));
        }
    }
    found.extend(
        url.query_pairs()
            .map(|(n, v)| (n.into_owned(), v.into_owned())),
    );
    found
}

/// Replays `folder` and reads every recorded answer with the client and the command line.
async fn replays_and_reads(folder: &Path) {
    let cassettes = Cassette::read_folder(folder).unwrap();
    let sandbox = sandbox(Config::default()).await;
    let mut replay = Replay::load(folder).unwrap();
    replay.only = true;
    sandbox.set_replay(Some(replay));
    let client = Client::builder()
        .base_url(sandbox.base_url())
        .token(ApiToken::new(TOKEN).unwrap())
        .retry(adsterra::RetryPolicy::none())
        .build()
        .unwrap();
    let mut read = 0;
    for interaction in cassettes.values().flat_map(|c| &c.http_interactions) {
        if !(200..300).contains(&interaction.response.status.code) {
            continue;
        }
        let operation = row(interaction);
        let parameters = parameters(operation, &interaction.request.uri);
        let mut call = client.call(operation);
        for (name, value) in &parameters {
            call = call.param(name, value.clone()).unwrap();
        }
        let answer = call
            .send()
            .await
            .unwrap_or_else(|error| panic!("{} from {}: {error}", operation.id, folder.display()));
        assert_eq!(
            answer.body,
            interaction.response.body.bytes().unwrap(),
            "{} is replayed byte for byte",
            operation.id
        );
        answer
            .decode()
            .unwrap_or_else(|error| panic!("{} does not decode: {error}", operation.id));
        let mut args = vec![
            "api".to_owned(),
            operation.id.to_owned(),
            "-o".into(),
            "json".into(),
        ];
        for (name, value) in &parameters {
            args.extend(["-p".to_owned(), format!("{name}={value}")]);
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let run = against(&sandbox, &args);
        assert_eq!(run.code, 0, "adsterra {args:?}: {}", run.stderr);
        read += 1;
    }
    assert!(read > 0, "{} holds no successful answer", folder.display());
}

#[tokio::test(flavor = "multi_thread")]
async fn every_recorded_folder_is_replayed_and_read_in_every_format() {
    // The machinery, on a folder recorded here from an API that has moved on.
    let drifted = sandbox(Config::default().with_drift(true)).await;
    let folder = std::env::temp_dir().join(format!("adsterra-replay-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&folder);
    let run = against(
        &drifted,
        &["verify-live", "--record", folder.to_str().unwrap()],
    );
    assert!(run.stdout.contains("recorded "), "{}", run.stderr);
    replays_and_reads(&folder).await;
    std::fs::remove_dir_all(&folder).unwrap();

    let root: PathBuf = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(RECORDED);
    for entry in std::fs::read_dir(&root).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            replays_and_reads(&path).await;
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn replay_only_names_the_missing_cassette() {
    let sandbox = sandbox(Config::default()).await;
    let mut replay = Replay::default();
    replay.only = true;
    sandbox.set_replay(Some(replay));
    let response = reqwest::Client::new()
        .get(format!("{}/balance.json", sandbox.base_url()))
        .header("X-API-Key", TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(
        body["data"]["cassette"][0],
        "no cassette holds GET /advertiser/balance.json; record it with `adsterra verify-live --record`"
    );
    // Without --replay-only, what no cassette holds is the sandbox's to answer.
    sandbox.set_replay(Some(Replay::default()));
    assert_eq!(against(&sandbox, &["balance"]).code, 0);
}
