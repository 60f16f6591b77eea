//! `adsterra spec propose DIR` and `verify-live --propose FILE`: the overlay that makes the spec
//! describe what was recorded, written as YAML; a deviation no action can express is listed and
//! makes the run exit 1. The rules themselves are tested in `adsterra_openapi::propose`.

mod common;

use adsterra_openapi::cassette::{Cassette, Interaction};
use adsterra_sandbox::Config;
use common::{TOKEN, adsterra, against, sandbox};

fn folder(name: &str) -> std::path::PathBuf {
    let folder = std::env::temp_dir().join(format!("adsterra-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&folder);
    std::fs::create_dir_all(&folder).unwrap();
    folder
}

#[tokio::test(flavor = "multi_thread")]
async fn verify_live_proposes_an_overlay_for_what_a_deviating_api_answered() {
    let sandbox = sandbox(Config::default().with_deviations(true)).await;
    let dir = folder("propose");
    let overlay = dir.join("proposed.overlay.yaml");
    let run = against(
        &sandbox,
        &["verify-live", "--propose", overlay.to_str().unwrap()],
    );
    assert_eq!(
        run.code, 1,
        "the deviations still fail the run:\n{}",
        run.stderr
    );
    assert!(run.stderr.contains("actions to "), "{}", run.stderr);
    let text = std::fs::read_to_string(&overlay).unwrap();
    assert!(!text.contains(TOKEN));
    let value: serde_json::Value = serde_yaml_ng::from_str(&text).unwrap();
    assert_eq!(value["overlay"], "1.1.0");
    let targets: Vec<&str> = value["actions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["target"].as_str().unwrap())
        .collect();
    // The sandbox's deviations: a field added, a required one dropped, a type changed.
    for target in [
        "$.components.schemas.Balance.properties",
        "$.components.schemas.Campaign.required[?@ == 'alias']",
        "$.components.schemas.StatsRow.properties.ctr.type",
    ] {
        assert!(targets.contains(&target), "{target} not in {targets:#?}");
    }
    // Nothing was recorded on disk without --record.
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn spec_propose_lists_what_it_cannot_express_and_exits_1() {
    let dir = folder("inexpressible");
    let mut cassette = Cassette::new("a test");
    cassette.http_interactions.push(Interaction::ok_get(
        adsterra::Endpoint::GetBalance.id(),
        adsterra::Format::Json,
        "http://127.0.0.1:9/advertiser/balance.json",
        br#"{"balance": 1.5, "odd": [1, {"a": 2}]}"#,
        "Sat, 05 Dec 2026 10:00:00 +0000",
    ));
    cassette
        .write(&dir, adsterra::Endpoint::GetBalance.id())
        .unwrap();
    let overlay = dir.join("out.overlay.yaml");
    let run = adsterra(
        &[
            "spec",
            "propose",
            dir.to_str().unwrap(),
            "--overlay",
            overlay.to_str().unwrap(),
        ],
        &[],
        "",
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("not expressible: Balance: new field `odd`"),
        "{}",
        run.stderr
    );
    assert!(
        overlay.exists(),
        "what could be expressed is written all the same"
    );

    let empty = folder("empty");
    let run = adsterra(&["spec", "propose", empty.to_str().unwrap()], &[], "");
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("holds no cassette"), "{}", run.stderr);
    std::fs::remove_dir_all(&dir).unwrap();
    std::fs::remove_dir_all(&empty).unwrap();
}
