//! Each rule of the proposer, on the real spec, with answers made up for the rule.

use serde_json::json;

use super::*;
use crate::cassette::Status;

const SANDBOX: &str = "http://127.0.0.1:4000/advertiser";
const LIVE: &str = "https://api3.adsterratools.com/advertiser";

fn spec() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../generated/spec/adsterra-advertiser.json"
    );
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

/// The operations the tests record, found by their paths as a reader of the spec finds them.
struct Ids {
    campaigns: String,
    campaign: String,
    balance: String,
    stats: String,
}

impl Ids {
    fn of(spec: &Value) -> Self {
        let id = |path: &str| {
            spec["paths"][path]["get"]["operationId"]
                .as_str()
                .unwrap()
                .to_owned()
        };
        Ids {
            campaigns: id("/campaigns.{format}"),
            campaign: id("/campaign/{campaign_id}.{format}"),
            balance: id("/balance.{format}"),
            stats: id("/stats.{format}"),
        }
    }
}

fn date() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 12, 5).unwrap()
}

/// One recorded 200 answer of `operation` in `format`, from `base`.
fn answer(operation: &str, format: &str, uri: &str, body: &str) -> Interaction {
    let format = format.parse().unwrap();
    Interaction::ok_get(operation, format, uri, body.as_bytes(), RECORDED_AT)
}

const RECORDED_AT: &str = "Sat, 05 Dec 2026 10:00:00 +0000";

fn cassettes(interactions: Vec<Interaction>) -> BTreeMap<String, Cassette> {
    let mut cassettes: BTreeMap<String, Cassette> = BTreeMap::new();
    for interaction in interactions {
        cassettes
            .entry(interaction.adsterra_operation.clone())
            .or_insert_with(|| Cassette::new("test"))
            .http_interactions
            .push(interaction);
    }
    cassettes
}

fn action<'a>(proposal: &'a Proposal, target: &str) -> &'a Action {
    proposal
        .overlay
        .actions
        .iter()
        .find(|a| a.target == target)
        .unwrap_or_else(|| panic!("no action on {target}: {:#?}", proposal.overlay.actions))
}

const CAMPAIGN: &str = "$.components.schemas.Campaign";

/// Applying the proposal leaves no deviation in any recorded answer.
fn describes_every_answer(
    spec: &Value,
    proposal: &Proposal,
    recorded: &BTreeMap<String, Cassette>,
) {
    let mut after = spec.clone();
    proposal.overlay.apply(&mut after).unwrap();
    for interaction in recorded.values().flat_map(|c| &c.http_interactions) {
        let body = interaction.response.body.bytes().unwrap();
        let fields = verify::check_read(
            &after,
            &interaction.adsterra_operation,
            interaction.format().unwrap(),
            &body,
        )
        .unwrap();
        let deviations: Vec<_> = fields.iter().filter(|f| f.deviates()).collect();
        assert!(deviations.is_empty(), "{deviations:#?}");
    }
}

#[test]
fn a_new_field_gets_the_narrowest_type_of_every_value_in_every_format_and_is_not_required() {
    let spec = spec();
    let ids = Ids::of(&spec);
    let uri = format!("{SANDBOX}/campaigns.json");
    let recorded = cassettes(vec![
        answer(
            &ids.campaigns,
            "json",
            &uri,
            r#"{"items":[{"id":1,"alias":"a","budget_left":12},{"id":2,"alias":"b","budget_left":null}],"itemCount":2}"#,
        ),
        answer(
            &ids.campaigns,
            "csv",
            &uri.replace(".json", ".csv"),
            "id;alias;budget_left\n1;a;12.5\n",
        ),
    ]);
    let proposal = propose(&spec, &recorded, date());
    let added = action(&proposal, &format!("{CAMPAIGN}.properties"));
    let schema = &added.update.as_ref().unwrap()["budget_left"];
    assert_eq!(schema["type"], "number", "12, null and 12.5: a number");
    assert_eq!(schema["nullable"], true);
    assert_eq!(schema[EVIDENCE_KEY], "inferred");
    assert_eq!(
        schema["x-adsterra-source"],
        format!("verify-live 2026-12-05 against {SANDBOX}")
    );
    assert!(
        added
            .description
            .as_ref()
            .unwrap()
            .contains(&format!("{} (csv, json)", ids.campaigns)),
        "{added:?}"
    );
    assert!(
        !proposal
            .overlay
            .actions
            .iter()
            .any(|a| a.target.contains("required")),
        "nothing becomes required on first sight"
    );
    describes_every_answer(&spec, &proposal, &recorded);
}

#[test]
fn a_required_field_missing_becomes_optional_and_a_wrong_type_widens() {
    let spec = spec();
    let ids = Ids::of(&spec);
    let uri = format!("{SANDBOX}/campaigns.json");
    let recorded = cassettes(vec![answer(
        &ids.campaigns,
        "json",
        &uri,
        r#"{"items":[{"id":1,"alias":"a"},{"id":2}],"itemCount":2.5}"#,
    )]);
    let proposal = propose(&spec, &recorded, date());
    let optional = action(&proposal, &format!("{CAMPAIGN}.required[?@ == 'alias']"));
    assert!(optional.remove);
    assert!(
        optional
            .description
            .as_ref()
            .unwrap()
            .contains("missing from 1 of 2 Campaign objects"),
        "{optional:?}"
    );
    let widened = action(
        &proposal,
        "$.components.schemas.CampaignList.properties.itemCount",
    );
    assert_eq!(
        widened.update,
        Some(json!({"type": "number", "format": "double"}))
    );
    assert!(
        widened.description.as_ref().unwrap().contains("2.5"),
        "{widened:?}"
    );
    describes_every_answer(&spec, &proposal, &recorded);
}

#[test]
fn ids_as_strings_are_no_conflict_and_a_closed_list_gains_the_values_seen() {
    let spec = spec();
    let ids = Ids::of(&spec);
    let uri = format!("{SANDBOX}/campaign/1.json");
    let recorded = cassettes(vec![
        answer(
            &ids.campaign,
            "json",
            &uri,
            r#"{"id":"1","alias":"a","active":5}"#,
        ),
        answer(
            &ids.campaign,
            "xml",
            &uri.replace(".json", ".xml"),
            "<campaign><id>1</id><alias>a</alias><active>6</active></campaign>",
        ),
    ]);
    let proposal = propose(&spec, &recorded, date());
    assert!(
        !proposal
            .overlay
            .actions
            .iter()
            .any(|a| a.target.ends_with("properties.id")),
        "{:#?}",
        proposal.overlay.actions
    );
    assert!(
        proposal
            .notes
            .iter()
            .any(|n| n.starts_with("Campaign.id: 1 of 2 values arrive as text")),
        "{:?}",
        proposal.notes
    );
    let known = action(
        &proposal,
        &format!("{CAMPAIGN}.properties.active['x-adsterra-known-values']"),
    );
    assert_eq!(known.update, Some(json!([5, 6])));
}

#[test]
fn adsterras_host_confirms_and_another_host_does_not() {
    let spec = spec();
    let ids = Ids::of(&spec);
    let body = r#"{"balance":12.5}"#;
    let sandbox = propose(
        &spec,
        &cassettes(vec![answer(
            &ids.balance,
            "json",
            &format!("{SANDBOX}/balance.json"),
            body,
        )]),
        date(),
    );
    assert!(
        sandbox.overlay.actions.is_empty(),
        "{:#?}",
        sandbox.overlay.actions
    );
    let formats = [
        ("json", body),
        ("csv", "balance\n12.5\n"),
        ("xml", "<balance><balance>12.5</balance></balance>"),
    ];
    let live = propose(
        &spec,
        &cassettes(
            formats
                .iter()
                .map(|(format, body)| {
                    answer(
                        &ids.balance,
                        format,
                        &format!("{LIVE}/balance.{format}"),
                        body,
                    )
                })
                .collect(),
        ),
        date(),
    );
    let field = action(&live, "$.components.schemas.Balance.properties.balance");
    assert_eq!(field.update.as_ref().unwrap()[EVIDENCE_KEY], "confirmed");
    assert_eq!(
        field.update.as_ref().unwrap()["x-adsterra-source"],
        "verify-live 2026-12-05"
    );
    let schema = action(&live, "$.components.schemas.Balance");
    assert_eq!(schema.update.as_ref().unwrap()[EVIDENCE_KEY], "confirmed");
    let operation = action(&live, "$.paths['/balance.{format}'].get");
    assert_eq!(
        operation.update.as_ref().unwrap()[EVIDENCE_KEY],
        "confirmed"
    );
}

#[test]
fn a_field_never_seen_is_kept_and_a_conditional_one_counts_only_where_its_condition_held() {
    let spec = spec();
    let ids = Ids::of(&spec);
    let row = r#"{"items":[{"date":"2026-12-01","impressions":1,"conversions":0,"clicks":0,"ctr":0,"cpm":0,"spent":0}]}"#;
    let recorded = cassettes(vec![
        answer(
            &ids.stats,
            "json",
            &format!("{SANDBOX}/stats.json?group_by%5B%5D=date"),
            row,
        ),
        answer(
            &ids.stats,
            "json",
            &format!("{SANDBOX}/stats.json?group_by%5B%5D=country"),
            row,
        ),
    ]);
    let proposal = propose(&spec, &recorded, date());
    let country = action(
        &proposal,
        "$.components.schemas.StatsRow.properties.country.description",
    );
    assert!(
        country
            .update
            .as_ref()
            .unwrap()
            .as_str()
            .unwrap()
            .ends_with("Not seen in 1 answers (verify-live 2026-12-05)."),
        "{country:?}"
    );
    // `campaign` comes only when grouped by campaign, which no answer was: nothing to say.
    assert!(
        !proposal
            .overlay
            .actions
            .iter()
            .any(|a| a.target.contains("properties.campaign")),
        "{:#?}",
        proposal.overlay.actions
    );
}

#[test]
fn what_no_action_can_express_is_listed() {
    let spec = spec();
    let ids = Ids::of(&spec);
    let uri = format!("{SANDBOX}/campaigns.json");
    let mut refused = answer(
        &ids.balance,
        "json",
        &format!("{SANDBOX}/balance.json"),
        "{}",
    );
    refused.response.status = Status {
        code: 500,
        message: "Internal Server Error".into(),
    };
    let recorded = cassettes(vec![
        answer(
            &ids.campaigns,
            "json",
            &uri,
            r#"{"items":[{"id":1,"alias":"a","odd":{"x":1}},{"id":2,"alias":"b","odd":3}]}"#,
        ),
        answer("get_everything", "json", &uri, "{}"),
        refused,
    ]);
    let proposal = propose(&spec, &recorded, date());
    assert_eq!(
        proposal.inexpressible.len(),
        3,
        "{:#?}",
        proposal.inexpressible
    );
    let all = proposal.inexpressible.join("\n");
    assert!(all.contains("new field `odd`"), "{all}");
    assert!(all.contains("get_everything (json): no operation"), "{all}");
    assert!(all.contains("answered 500"), "{all}");
}
