//! What the proposer writes, applied to the hand-written spec in place: the edited file reads as
//! the overlay applied to the parsed spec, and the lint passes, its evidence-over-claim rule
//! included, when answers seen on Adsterra's own host raise marks to `confirmed`.

use std::collections::BTreeMap;

use adsterra::Endpoint;
use adsterra_codegen::derived::SPEC;
use adsterra_codegen::{lint, load_str, overlay_text};
use adsterra_openapi::cassette::{Cassette, Interaction};
use adsterra_openapi::propose::{ADSTERRA_HOST, propose};
use adsterra_tests::workspace_root;
use chrono::NaiveDate;

/// A 200 answer of `endpoint` in `format`, seen on `host`.
fn answer(endpoint: Endpoint, format: &str, host: &str, path: &str, body: &str) -> Interaction {
    let uri = format!("https://{host}/advertiser{path}.{format}");
    let recorded_at = "Sat, 05 Dec 2026 10:00:00 +0000";
    Interaction::ok_get(
        endpoint.id(),
        format.parse().unwrap(),
        &uri,
        body.as_bytes(),
        recorded_at,
    )
}

/// Answers of the balance and the campaigns in every format, with a new field and a missing
/// optional one, on `host`.
fn recorded(host: &str) -> BTreeMap<String, Cassette> {
    let balance = [
        ("json", r#"{"balance": 12.5}"#),
        ("csv", "balance\n12.5\n"),
        ("xml", "<response><balance>12.5</balance></response>"),
    ];
    let campaigns = [
        (
            "json",
            r#"{"items": [{"id": 1463724, "alias": "a", "paused_reason": null}], "itemCount": 1}"#,
        ),
        ("csv", "id;alias;paused_reason\n1463724;a;\n"),
        (
            "xml",
            "<response><items><item><id>1463724</id><alias>a</alias></item></items><itemCount>1</itemCount></response>",
        ),
    ];
    let mut cassettes = BTreeMap::new();
    for (endpoint, path, answers) in [
        (Endpoint::GetBalance, "/balance", balance),
        (Endpoint::GetCampaigns, "/campaigns", campaigns),
    ] {
        let mut cassette = Cassette::new("a test");
        for (format, body) in answers {
            cassette
                .http_interactions
                .push(answer(endpoint, format, host, path, body));
        }
        cassettes.insert(endpoint.id().to_owned(), cassette);
    }
    cassettes
}

#[test]
fn a_proposal_applied_in_place_reads_as_the_overlay_and_passes_the_lint() {
    let text = std::fs::read_to_string(workspace_root().join(SPEC)).unwrap();
    let spec = load_str(&text, SPEC).unwrap();
    let day = NaiveDate::from_ymd_opt(2026, 12, 5).unwrap();
    for host in [ADSTERRA_HOST, "127.0.0.1:4000"] {
        let proposal = propose(&spec, &recorded(host), day);
        assert!(
            proposal.inexpressible.is_empty(),
            "{:?}",
            proposal.inexpressible
        );
        assert!(!proposal.overlay.actions.is_empty());
        let edited = overlay_text::apply_in_place(&text, &proposal.overlay).unwrap();
        let mut model = spec.clone();
        proposal.overlay.apply(&mut model).unwrap();
        assert_eq!(load_str(&edited.text, SPEC).unwrap(), model, "{host}");
        assert_eq!(lint(&model), vec![], "{host}");
        let confirmed = proposal
            .overlay
            .actions
            .iter()
            .filter(|a| {
                a.update
                    .as_ref()
                    .is_some_and(|u| u["x-adsterra-evidence"] == "confirmed")
            })
            .count();
        // Adsterra's host confirms (the balance field, its schema, the operation); another
        // host confirms nothing.
        assert_eq!(confirmed > 0, host == ADSTERRA_HOST, "{host}: {confirmed}");
    }
}
