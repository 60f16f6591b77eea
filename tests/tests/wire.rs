//! What the generated client puts on the wire, checked against a local mock server: method, path,
//! query (with the repeated `group_by%5B%5D`), the `X-API-Key` header and the body.

use adsterra::raw;
use adsterra::types::{self, StatsGroupBy};
use std::num::NonZeroU64;

use adsterra_tests::support::{
    MOCK_TOKEN as TOKEN, date, mock_server_and_raw_client as server_and_client,
};
use futures::TryStreamExt;
use serde_json::json;
use wiremock::matchers::{body_json, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn placements<const N: usize>(ids: [u64; N]) -> Vec<NonZeroU64> {
    ids.map(|id| NonZeroU64::new(id).expect("placement ids are positive"))
        .to_vec()
}

/// The query string of the only request the server received.
async fn only_query(server: &MockServer) -> String {
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 1, "expected exactly one request");
    requests[0].url.query().unwrap_or_default().to_owned()
}

#[tokio::test]
async fn get_stats_repeats_group_by_and_sends_the_key() {
    let (server, client) = server_and_client().await;
    let rows = json!({"items": [
        {"date": "2018-02-15", "placement": 15413270, "impressions": 343371, "conversions": 0,
         "clicks": 0, "ctr": 0.0, "cpm": 0.412, "spent": 141.321}
    ], "itemCount": 1});
    Mock::given(method("GET"))
        .and(path("/stats.json"))
        .and(header("x-api-key", TOKEN))
        .respond_with(ResponseTemplate::new(200).set_body_json(rows))
        .expect(1)
        .mount(&server)
        .await;

    let stats = client
        .get_stats()
        .start_date(date("2018-02-15"))
        .finish_date(date("2018-02-28"))
        .group_by(vec![StatsGroupBy::Date, StatsGroupBy::Placement])
        .campaign(1463724u64)
        .send()
        .await
        .expect("the mock answers 200")
        .into_inner();

    assert_eq!(stats.item_count, Some(1));
    assert_eq!(stats.items[0].date, Some(date("2018-02-15")));
    assert_eq!(stats.items[0].placement, Some(15413270));
    assert_eq!(stats.items[0].impressions, 343371);
    let query = only_query(&server).await;
    assert!(
        query.contains("group_by%5B%5D=date&group_by%5B%5D=placement"),
        "{query}"
    );
    for pair in [
        "start_date=2018-02-15",
        "finish_date=2018-02-28",
        "campaign=1463724",
    ] {
        assert!(
            query.split('&').any(|p| p == pair),
            "{pair} missing in {query}"
        );
    }
}

#[tokio::test]
async fn update_campaign_activity_patches_the_exact_body() {
    let (server, client) = server_and_client().await;
    Mock::given(method("PATCH"))
        .and(path("/campaign/1463724.json"))
        .and(header("x-api-key", TOKEN))
        .and(header("content-type", "application/json"))
        .and(body_json(json!({"active": false})))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"id": 1463724, "alias": "Pop US", "active": 1})),
        )
        .expect(1)
        .mount(&server)
        .await;

    let campaign = client
        .update_campaign_activity()
        .campaign_id(1463724u64)
        .body(types::ActivityUpdate { active: false })
        .send()
        .await
        .expect("the mock answers 200")
        .into_inner();

    assert_eq!(campaign.id, 1463724);
    assert_eq!(campaign.active, Some(1));
}

#[tokio::test]
async fn add_to_blacklist_posts_campaign_and_placement_ids() {
    let (server, client) = server_and_client().await;
    let body = json!({"campaign_id": 1463724, "placement_ids": [15413270, 15413272]});
    Mock::given(method("POST"))
        .and(path("/linking/blacklist.json"))
        .and(header("x-api-key", TOKEN))
        .and(body_json(body))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"placement_ids": [15413270, 15413272, 99]})),
        )
        .expect(1)
        .mount(&server)
        .await;

    let blacklist = client
        .add_to_blacklist()
        .body_map(|b| {
            b.campaign_id(1463724u64)
                .placement_ids(placements([15413270, 15413272]))
        })
        .send()
        .await
        .expect("the mock answers 200")
        .into_inner();

    assert_eq!(blacklist.placement_ids, [15413270, 15413272, 99]);
}

#[tokio::test]
async fn get_stats_csv_asks_for_the_csv_path_and_returns_the_body() {
    let (server, client) = server_and_client().await;
    let csv = "date;impressions;conversions;clicks;ctr;cpm;spent\n2018-02-15;343371;0;0;0;0.412;141.321\n";
    Mock::given(method("GET"))
        .and(path("/stats.csv"))
        .and(header("x-api-key", TOKEN))
        .respond_with(ResponseTemplate::new(200).set_body_raw(csv, "text/csv"))
        .expect(1)
        .mount(&server)
        .await;

    let response = client
        .get_stats_csv()
        .start_date(date("2018-02-15"))
        .finish_date(date("2018-02-15"))
        .group_by(vec![StatsGroupBy::Date])
        .send()
        .await
        .expect("the mock answers 200");
    let body: Vec<u8> = response
        .into_inner()
        .into_inner()
        .map_ok(|chunk| chunk.to_vec())
        .try_concat()
        .await
        .expect("the body arrives whole");

    let query = only_query(&server).await;
    assert_eq!(
        query,
        "finish_date=2018-02-15&group_by%5B%5D=date&start_date=2018-02-15"
    );
    let stats: types::StatsList =
        adsterra_formats::decode(adsterra_formats::Format::Csv, &body).expect("valid CSV");
    assert_eq!(stats.item_count, Some(1));
    assert_eq!(stats.items[0].spent, 141.321);
}

#[tokio::test]
async fn an_error_body_is_typed_and_the_token_stays_out_of_it() {
    let (server, client) = server_and_client().await;
    Mock::given(method("GET"))
        .and(path("/balance.json"))
        .respond_with(
            ResponseTemplate::new(401)
                .set_body_json(json!({"code": 401, "message": "Token not found", "data": null})),
        )
        .mount(&server)
        .await;

    let error = client.get_balance().send().await.unwrap_err();
    match &error {
        raw::Error::ErrorResponse(response) => {
            assert_eq!(response.status(), 401);
            assert_eq!(response.message, "Token not found");
        }
        other => panic!("expected a typed 401, got {other:?}"),
    }
    assert!(!format!("{error:?}").contains(TOKEN));
    assert!(!format!("{client:?}").contains(TOKEN));
}
