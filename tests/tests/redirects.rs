//! Redirects, in one place: the client follows one within the API's origin (with the key) and
//! refuses one to another origin, so the token never leaves home; the sandbox's `redirect` fault
//! points at a decoy origin that records whatever a careless client sends it.

use adsterra::{Error, Format};
use adsterra_tests::support::{
    MOCK_TOKEN as TOKEN, attempts, campaign_with_blacklist, client, fast_retries,
    http_without_redirects, mock_server_and_raw_client as server_and_client, sandbox,
};
use serde_json::json;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[tokio::test]
async fn a_redirect_to_another_origin_is_not_followed_so_the_key_stays_home() {
    let (server, client) = server_and_client().await;
    let elsewhere = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/balance.json"))
        .respond_with(
            ResponseTemplate::new(302)
                .insert_header("location", format!("{}/balance.json", elsewhere.uri())),
        )
        .mount(&server)
        .await;

    let error = client.get_balance().send().await.unwrap_err();

    assert_eq!(error.status().map(|s| s.as_u16()), Some(302));
    let leaked = elsewhere.received_requests().await.unwrap();
    assert!(leaked.is_empty(), "the other origin received {leaked:?}");
}

#[tokio::test]
async fn a_redirect_within_the_origin_is_followed_with_the_key() {
    let (server, client) = server_and_client().await;
    Mock::given(method("GET"))
        .and(path("/balance.json"))
        .respond_with(ResponseTemplate::new(301).insert_header("location", "/v2/balance.json"))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v2/balance.json"))
        .and(header("x-api-key", TOKEN))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"balance": 12.5})))
        .expect(1)
        .mount(&server)
        .await;

    let balance = client
        .get_balance()
        .send()
        .await
        .expect("followed")
        .into_inner();

    assert_eq!(balance.balance, 12.5);
}

#[tokio::test]
async fn a_redirect_to_another_origin_is_not_followed_and_the_token_stays_home() {
    let sandbox = sandbox("redirect=1").await;
    let client = client(sandbox.base_url(), sandbox.token(), fast_retries(3));
    let campaign = campaign_with_blacklist(&sandbox);
    let before = sandbox.account().blacklists[&campaign].clone();

    for format in Format::ALL {
        let error = client.with_format(format).balance().await.unwrap_err();
        assert!(
            matches!(error, Error::Unexpected { status: 307, .. }),
            "{format:?}: {error:?}"
        );
        assert!(!error.is_retryable());
        assert_eq!(attempts(&error), 1, "{format:?}");
    }
    let error = client
        .blacklist(campaign)
        .add([99_000_002])
        .await
        .unwrap_err();
    assert!(
        matches!(error, Error::Unexpected { status: 307, .. }),
        "{error:?}"
    );
    assert_eq!(sandbox.requests_seen(), 4);
    assert_eq!(
        sandbox.decoy_requests(),
        [],
        "nothing, least of all the token, reached the other origin"
    );
    assert_eq!(
        sandbox.account().blacklists[&campaign],
        before,
        "the redirect strikes before handling: nothing changed"
    );
}

#[tokio::test]
async fn a_redirect_points_at_the_decoy_origin_which_records_leaks() {
    let sandbox = sandbox("redirect=1").await;
    let response = http_without_redirects()
        .get(format!("{}/balance.json", sandbox.base_url()))
        .header("X-API-Key", sandbox.token())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 307);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.starts_with("http://127.0.0.1:"));
    assert!(
        !location
            .starts_with(&sandbox.base_url()[..sandbox.base_url().len() - "/advertiser".len()])
    );
    assert!(location.ends_with("/advertiser/balance.json"));

    // A careless client follows with the key; the decoy notices.
    http_without_redirects()
        .get(&location)
        .header("X-API-Key", sandbox.token())
        .send()
        .await
        .unwrap();
    let seen = sandbox.decoy_requests();
    assert_eq!(seen.len(), 1);
    assert!(seen[0].carried_api_key);
    assert_eq!(seen[0].path, "/advertiser/balance.json");
}

/// A service's own HTTP settings (`ClientBuilder::http_client`) apply, and the token's rules
/// hold even when they try to undo them: a redirect policy that follows anything, and https
/// turned off.
#[tokio::test]
async fn a_service_configured_http_client_keeps_the_token_rules() {
    let sandbox = sandbox("redirect=1").await;
    let careless = |http: reqwest::ClientBuilder| {
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert("x-service", "billing".parse().unwrap());
        http.redirect(reqwest::redirect::Policy::limited(10))
            .https_only(false)
            .default_headers(headers)
    };
    let configured = adsterra::Client::builder()
        .base_url(sandbox.base_url())
        .token(adsterra::ApiToken::new(sandbox.token()).unwrap())
        .retry(fast_retries(0))
        .http_client(careless)
        .build()
        .unwrap();
    let error = configured.balance().await.unwrap_err();
    assert!(
        matches!(error, Error::Unexpected { status: 307, .. }),
        "{error:?}"
    );
    assert_eq!(
        sandbox.decoy_requests(),
        [],
        "nothing, least of all the token, reached the other origin"
    );

    // Its settings are in force: its header arrives, with the key, where redirects stay home.
    let (server, _) = server_and_client().await;
    Mock::given(method("GET"))
        .and(path("/balance.json"))
        .and(header("x-service", "billing"))
        .and(header("x-api-key", TOKEN))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"balance": 3.5})))
        .expect(1)
        .mount(&server)
        .await;
    let configured = adsterra::Client::builder()
        .base_url(server.uri())
        .token(adsterra::ApiToken::new(TOKEN).unwrap())
        .http_client(careless)
        .build()
        .unwrap();
    assert_eq!(configured.balance().await.unwrap().balance, 3.5);

    // Plain http to anything but loopback is refused before anything is sent.
    let error = adsterra::Client::builder()
        .base_url("http://api3.adsterratools.com/advertiser")
        .token(adsterra::ApiToken::new(TOKEN).unwrap())
        .http_client(careless)
        .build()
        .unwrap_err();
    assert!(error.to_string().contains("plain http"), "{error}");
}
