//! The `adsterra` wrappers against the sandbox: every endpoint in every format gives the same
//! typed values, bad input is refused before anything is sent, and errors are typed.

use adsterra::types::StatsGroupBy;
use adsterra::{ApiToken, Client, Endpoint, Error, Format, RetryPolicy};
use adsterra_sandbox::account::{FOREIGN_BANNER, FOREIGN_CAMPAIGN};
use adsterra_sandbox::{Config, Sandbox};
use adsterra_tests::support::{date, sandbox_get};

async fn start() -> (Sandbox, Client) {
    let sandbox = Sandbox::start(Config::default()).await.unwrap();
    let client = client_for(&sandbox, sandbox.token());
    (sandbox, client)
}

fn client_for(sandbox: &Sandbox, token: &str) -> Client {
    client_at(sandbox.base_url(), token)
}

fn client_at(base_url: &str, token: &str) -> Client {
    Client::builder()
        .base_url(base_url)
        .token(ApiToken::new(token).unwrap())
        .retry(RetryPolicy::none())
        .build()
        .unwrap()
}

/// An active campaign, one of its banners and three placements of the account.
fn fixtures(sandbox: &Sandbox) -> (i64, i64, [i64; 3]) {
    let account = sandbox.account();
    let (&campaign, _) = account
        .campaigns
        .iter()
        .find(|(_, c)| c.active == Some(3))
        .unwrap();
    let banner = account.banners_of(campaign)[0].id;
    let mut placements = account.placements.iter().copied();
    let placements = [(); 3].map(|_| placements.next().unwrap());
    (campaign, banner, placements)
}

/// The typed calls read the sandbox's loose answers (numbers and ids as strings, unproven fields
/// left out, extra fields, null names, unknown states) in every format, with the values of the
/// strict answers wherever those cannot be left out or changed.
#[tokio::test]
async fn typed_calls_read_loose_answers_in_every_format() {
    let (sandbox, strict) = start().await;
    let (campaign, banner, _) = fixtures(&sandbox);
    fn daily(client: &Client) -> adsterra::StatsQuery {
        client
            .stats()
            .between(date("2026-11-01"), date("2026-11-14"))
            .group_by([StatsGroupBy::Date])
    }
    let rows = daily(&strict).send().await.unwrap();
    let balance = strict.balance().await.unwrap();
    let campaigns = strict.campaigns().await.unwrap();
    let blacklist = strict.blacklist(campaign).list().await.unwrap();
    let bids = strict.custom_bids(campaign).list().await.unwrap();
    let landings = strict.campaign(campaign).landings().await.unwrap();
    sandbox.set_answers(adsterra_sandbox::Answers::Loose);
    for format in Format::ALL {
        let loose = strict.with_format(format);
        // Every field of a daily row and of the balance is required: nothing may change.
        assert_eq!(daily(&loose).send().await.unwrap(), rows, "{format}");
        assert_eq!(
            loose.balance().await.unwrap().balance,
            balance.balance,
            "{format}"
        );
        assert_eq!(loose.blacklist(campaign).list().await.unwrap(), blacklist);
        assert_eq!(loose.custom_bids(campaign).list().await.unwrap(), bids);
        let urls: Vec<_> = loose.campaign(campaign).landings().await.unwrap();
        assert_eq!(
            urls.iter().map(|l| &l.url).collect::<Vec<_>>(),
            landings.iter().map(|l| &l.url).collect::<Vec<_>>(),
            "{format}"
        );
        // A campaign keeps its id; its name may come as null, its state may be missing or new.
        let listed = loose.campaigns().await.unwrap();
        assert_eq!(listed.len(), campaigns.len(), "{format}");
        for (got, want) in listed.iter().zip(&campaigns) {
            assert_eq!(got.id, want.id, "{format}");
            assert!(got.alias.is_none() || got.alias == want.alias, "{format}");
        }
        loose.campaign(campaign).get().await.unwrap();
        loose.campaign(campaign).banners().await.unwrap();
        loose.banner(banner).landings().await.unwrap();
        loose.whitelist(campaign).list().await.unwrap();
    }
}

#[tokio::test]
async fn every_read_gives_the_same_values_in_json_csv_and_xml() {
    let (sandbox, json) = start().await;
    let (campaign, banner, _) = fixtures(&sandbox);
    fn stats(client: &Client, campaign: i64) -> adsterra::StatsQuery {
        client
            .stats()
            .between(date("2026-10-01"), date("2026-11-27"))
            .group_by([StatsGroupBy::Date, StatsGroupBy::Country])
            .campaign(campaign)
    }
    let expected_stats = stats(&json, campaign).send().await.unwrap();
    assert!(expected_stats.len() > 50);
    for format in [Format::Csv, Format::Xml] {
        let other = json.with_format(format);
        assert_eq!(
            other.balance().await.unwrap(),
            json.balance().await.unwrap(),
            "{format}"
        );
        assert_eq!(
            other.campaigns().await.unwrap(),
            json.campaigns().await.unwrap(),
            "{format}"
        );
        let (a, b) = (json.campaign(campaign), other.campaign(campaign));
        assert_eq!(b.get().await.unwrap(), a.get().await.unwrap(), "{format}");
        assert_eq!(
            b.banners().await.unwrap(),
            a.banners().await.unwrap(),
            "{format}"
        );
        assert_eq!(
            b.landings().await.unwrap(),
            a.landings().await.unwrap(),
            "{format}"
        );
        assert_eq!(
            b.blacklist().list().await.unwrap(),
            a.blacklist().list().await.unwrap()
        );
        assert_eq!(
            b.whitelist().list().await.unwrap(),
            a.whitelist().list().await.unwrap()
        );
        assert_eq!(
            b.custom_bids().list().await.unwrap(),
            a.custom_bids().list().await.unwrap()
        );
        assert_eq!(
            other.banner(banner).landings().await.unwrap(),
            json.banner(banner).landings().await.unwrap()
        );
        assert_eq!(
            stats(&other, campaign).send().await.unwrap(),
            expected_stats,
            "{format}"
        );
    }
}

#[tokio::test]
async fn every_write_works_in_every_format_and_shows_in_reads() {
    let (sandbox, json) = start().await;
    let (campaign, banner, [a, b, c]) = fixtures(&sandbox);
    for format in [Format::Json, Format::Csv, Format::Xml] {
        let client = json.with_format(format);
        let it = client.campaign(campaign);
        assert_eq!(it.pause().await.unwrap().active, Some(1), "{format}");
        assert_eq!(it.get().await.unwrap().active, Some(1));
        assert_eq!(it.resume().await.unwrap().active, Some(3));
        assert_eq!(client.banner(banner).pause().await.unwrap().active, Some(1));
        assert_eq!(
            client.banner(banner).resume().await.unwrap().active,
            Some(3)
        );

        let blacklist = it.blacklist();
        assert!(blacklist.add([a, b]).await.unwrap().contains(&a));
        assert!(!blacklist.remove([a]).await.unwrap().contains(&a));
        assert_eq!(blacklist.replace([c]).await.unwrap(), [c]);
        assert_eq!(blacklist.list().await.unwrap(), [c]);
        assert!(blacklist.clear().await.unwrap().is_empty());

        let whitelist = it.whitelist();
        assert!(whitelist.add([a, b]).await.unwrap().contains(&b));
        assert!(!whitelist.remove([b]).await.unwrap().contains(&b));
        assert!(whitelist.clear().await.unwrap().is_empty());

        let bids = it.custom_bids();
        let set = bids.set([(a, 0.5), (b, 0.25)]).await.unwrap();
        assert!(
            set.iter()
                .any(|bid| bid.placement_id == a && bid.price == 0.5)
        );
        let updated = bids.update([(a, 0.75)]).await.unwrap();
        assert!(
            updated
                .iter()
                .any(|bid| bid.placement_id == a && bid.price == 0.75)
        );
        assert!(
            bids.remove([a])
                .await
                .unwrap()
                .iter()
                .all(|bid| bid.placement_id != a)
        );
        assert!(bids.clear().await.unwrap().is_empty());
    }
}

#[tokio::test]
async fn bad_input_is_refused_before_anything_is_sent_naming_the_field() {
    let (sandbox, client) = start().await;
    let field = |error: Error| match error {
        Error::InvalidInput { field, .. } => field,
        other => panic!("expected invalid input, got {other}"),
    };
    assert_eq!(
        field(client.campaign(0).get().await.unwrap_err()),
        "campaign_id"
    );
    assert_eq!(
        field(client.banner(-3).pause().await.unwrap_err()),
        "banner_id"
    );
    assert_eq!(
        field(client.blacklist(7).add([]).await.unwrap_err()),
        "placement_ids"
    );
    assert_eq!(
        field(client.blacklist(7).add([5, -1]).await.unwrap_err()),
        "placement_ids"
    );
    assert_eq!(
        field(client.custom_bids(7).set([(5, 0.0)]).await.unwrap_err()),
        "price"
    );
    assert_eq!(
        field(client.custom_bids(7).set([]).await.unwrap_err()),
        "bids"
    );
    assert_eq!(
        field(client.stats().send().await.unwrap_err()),
        "start_date"
    );
    let backwards = client
        .stats()
        .between(date("2026-11-02"), date("2026-11-01"));
    assert_eq!(field(backwards.send().await.unwrap_err()), "finish_date");
    let tomorrow = chrono::Utc::now().date_naive() + chrono::Days::new(1);
    let future = client.stats().between(date("2026-11-01"), tomorrow);
    assert_eq!(field(future.send().await.unwrap_err()), "finish_date");
    let no_window = client
        .stats()
        .between(date("2025-01-01"), date("2026-01-02"))
        .window_days(0);
    assert_eq!(field(no_window.send().await.unwrap_err()), "window_days");
    let lower_case = client
        .stats()
        .between(date("2026-11-01"), date("2026-11-02"))
        .country("us");
    assert_eq!(field(lower_case.send().await.unwrap_err()), "country");
    assert_eq!(sandbox.requests_seen(), 0, "nothing was sent");
}

/// The spec's pattern and no-filter value decide the client's country check: `All` is the
/// query without `country` (so the client leaves it out), a lower-case code is refused with the
/// message the spec's 422 example and the sandbox give.
#[tokio::test]
async fn country_all_is_no_filter_and_a_bad_code_is_refused_in_the_specs_words() {
    let (sandbox, client) = start().await;
    let query = || {
        client
            .stats()
            .between(date("2025-03-01"), date("2025-03-03"))
            .group_by([StatsGroupBy::Country])
    };
    let every = query().send().await.unwrap();
    assert!(every.len() > 1);
    assert_eq!(query().country("All").send().await.unwrap(), every);

    let server = wiremock::MockServer::start().await;
    wiremock::Mock::given(wiremock::matchers::method("GET"))
        .respond_with(
            wiremock::ResponseTemplate::new(200)
                .set_body_json(serde_json::json!({"items": [], "itemCount": 0})),
        )
        .mount(&server)
        .await;
    let mock = client_at(&server.uri(), "t0k3n");
    mock.stats()
        .between(date("2025-03-01"), date("2025-03-03"))
        .country("All")
        .send()
        .await
        .unwrap();
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 1);
    assert!(
        requests[0]
            .url
            .query_pairs()
            .all(|(name, _)| name != "country"),
        "{}",
        requests[0].url
    );

    let example = &adsterra_tests::spec()["components"]["responses"]["StatsValidationFailed"]["content"]
        ["application/json"]["examples"]["country"]["value"]["data"]["country"][0];
    let before = sandbox.requests_seen();
    match query().country("us").send().await.unwrap_err() {
        Error::InvalidInput { field, reason, .. } => {
            assert_eq!(field, "country");
            assert_eq!(reason, example.as_str().unwrap());
        }
        other => panic!("not refused before sending: {other}"),
    }
    assert_eq!(sandbox.requests_seen(), before, "nothing was sent");
}

#[tokio::test]
async fn answers_become_typed_errors() {
    let (sandbox, client) = start().await;
    let unknown = client_for(&sandbox, "0123456789abcdef0123456789abcdef");
    assert!(matches!(
        unknown.balance().await,
        Err(Error::Unauthorized { .. })
    ));
    let revoked = client_for(&sandbox, sandbox.revoked_token());
    assert!(matches!(
        revoked.balance().await,
        Err(Error::Forbidden { .. })
    ));
    let missing = client.campaign(FOREIGN_CAMPAIGN).get().await.unwrap_err();
    assert!(matches!(missing, Error::NotFound { .. }), "{missing}");
    assert_eq!(missing.status(), Some(404));
    assert_eq!(
        missing.call().unwrap().operation,
        Endpoint::GetCampaign.id()
    );
    assert!(matches!(
        client.banner(FOREIGN_BANNER).pause().await,
        Err(Error::NotFound { .. })
    ));
    let (campaign, _, _) = fixtures(&sandbox);
    let never_set = client
        .custom_bids(campaign)
        .update([(15_000_001, 1.0)])
        .await
        .unwrap_err();
    match &never_set {
        Error::Validation { fields, .. } => assert!(fields.contains_key("bids"), "{never_set}"),
        other => panic!("expected a validation error, got {other}"),
    }
}

#[tokio::test]
async fn error_messages_say_what_to_do() {
    let (sandbox, client) = start().await;
    let unknown = client_for(&sandbox, "0123456789abcdef0123456789abcdef");
    let (campaign, _, _) = fixtures(&sandbox);
    let messages = [
        unknown.balance().await.unwrap_err().to_string(),
        client_for(&sandbox, sandbox.revoked_token())
            .campaigns()
            .await
            .unwrap_err()
            .to_string(),
        client
            .campaign(FOREIGN_CAMPAIGN)
            .get()
            .await
            .unwrap_err()
            .to_string(),
        client
            .custom_bids(campaign)
            .update([(15_000_001, 1.0)])
            .await
            .unwrap_err()
            .to_string(),
        client.campaign(0).get().await.unwrap_err().to_string(),
    ];
    insta::assert_snapshot!("error_messages", messages.join("\n"));
}

#[tokio::test]
async fn long_ranges_are_split_into_windows_and_merged() {
    use adsterra_sandbox::stats::{Filter, GroupKey};
    let (sandbox, client) = start().await;
    let (start, finish) = (date("2024-10-01"), date("2026-11-27"));

    // By date: windows are concatenated in order, and equal the engine's own two-year report.
    let daily = client.stats().between(start, finish).send().await.unwrap();
    let expected = sandbox
        .stats()
        .report(start, finish, &[GroupKey::Date], &Filter::default());
    assert_eq!(daily.len(), expected.len());
    assert!(daily.len() > 366, "{} days", daily.len());
    for (row, want) in daily.iter().zip(&expected) {
        assert_eq!(
            (row.date, row.impressions as u64),
            (want.date, want.impressions)
        );
    }
    let small_windows = client
        .stats()
        .between(start, finish)
        .window_days(30)
        .concurrency(8);
    assert_eq!(small_windows.send().await.unwrap(), daily);

    // Without date: rows of every window are summed per key, ctr and cpm derived again.
    let by_country = client
        .stats()
        .between(start, finish)
        .group_by([StatsGroupBy::Country])
        .send()
        .await
        .unwrap();
    let expected = sandbox
        .stats()
        .report(start, finish, &[GroupKey::Country], &Filter::default());
    assert_eq!(by_country.len(), expected.len());
    for (row, want) in by_country.iter().zip(&expected) {
        assert_eq!(row.country.as_deref(), want.country);
        assert_eq!(
            (
                row.impressions as u64,
                row.clicks as u64,
                row.conversions as u64
            ),
            (want.impressions, want.clicks, want.conversions)
        );
        assert!(
            (row.spent - want.spent()).abs() < 0.0015,
            "{row:?} vs {want:?}"
        );
        assert!((row.ctr - want.ctr()).abs() < 0.0015, "{row:?} vs {want:?}");
    }
}

#[tokio::test]
async fn stats_stream_row_by_row_and_match_the_whole_report() {
    use futures::TryStreamExt;
    let (_sandbox, client) = start().await;
    let (start, finish) = (date("2025-06-01"), date("2026-11-27"));
    let whole = client
        .stats()
        .between(start, finish)
        .group_by([StatsGroupBy::Date, StatsGroupBy::Country])
        .send()
        .await
        .unwrap();
    assert!(whole.len() > 5_000, "{} rows", whole.len());
    for format in Format::ALL {
        let query = client
            .with_format(format)
            .stats()
            .between(start, finish)
            .group_by([StatsGroupBy::Date, StatsGroupBy::Country]);
        let streamed: Vec<_> = query.stream().try_collect().await.unwrap();
        assert_eq!(streamed, whole, "{format}");
    }

    // The format the caller chose is the one that travels: a body the sandbox breaks is
    // reported by that format's decoder.
    let broken = Sandbox::start(Config::default().with_faults("malformed=1".parse().unwrap()))
        .await
        .unwrap();
    let broken_client = client_for(&broken, broken.token());
    for (format, name) in [
        (Format::Json, "JSON"),
        (Format::Csv, "CSV"),
        (Format::Xml, "XML"),
    ] {
        let failed = broken_client
            .with_format(format)
            .stats()
            .between(start, finish)
            .group_by([StatsGroupBy::Date])
            .stream()
            .try_collect::<Vec<_>>()
            .await
            .unwrap_err();
        assert!(
            matches!(&failed, Error::Decode { .. }) && failed.to_string().contains(name),
            "{format}: {failed}"
        );
    }

    let summed = client
        .stats()
        .between(start, finish)
        .group_by([StatsGroupBy::Placement]);
    let refused = summed.stream().try_collect::<Vec<_>>().await.unwrap_err();
    assert!(
        matches!(
            refused,
            Error::InvalidInput {
                field: "group_by",
                ..
            }
        ),
        "{refused}"
    );
}

/// Handles and queries own what they need: a stats stream and a placement list's handle move
/// into spawned tasks, and give there what they give here.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn handles_and_stats_streams_move_into_spawned_tasks() {
    use futures::TryStreamExt;
    let (sandbox, client) = start().await;
    let (campaign, _, _) = fixtures(&sandbox);
    let query = client
        .stats()
        .between(date("2026-10-01"), date("2026-11-27"))
        .group_by([StatsGroupBy::Date, StatsGroupBy::Campaign]);
    let blacklist = client.blacklist(campaign);

    let streamed = tokio::spawn(query.clone().stream().try_collect::<Vec<_>>());
    let listed = tokio::spawn(async move { blacklist.list().await });
    drop(client);

    let streamed = streamed.await.unwrap().unwrap();
    assert!(!streamed.is_empty());
    assert_eq!(streamed, query.send().await.unwrap());
    let listed: std::collections::BTreeSet<i64> =
        listed.await.unwrap().unwrap().into_iter().collect();
    let account = sandbox.account();
    assert_eq!(
        listed,
        account
            .blacklists
            .get(&campaign)
            .cloned()
            .unwrap_or_default()
    );
}

#[tokio::test]
async fn bulk_changes_go_in_batches_and_a_failed_batch_says_what_applied() {
    let (sandbox, _) = start().await;
    let client = Client::builder()
        .base_url(sandbox.base_url())
        .token(ApiToken::new(sandbox.token()).unwrap())
        .placement_batch_size(2)
        .build()
        .unwrap();
    let (campaign, _, _) = fixtures(&sandbox);
    let placements: Vec<i64> = sandbox
        .account()
        .placements
        .iter()
        .copied()
        .take(5)
        .collect();
    let before = sandbox.requests_seen();
    let list = client
        .blacklist(campaign)
        .add(placements.clone())
        .await
        .unwrap();
    assert_eq!(
        sandbox.requests_seen() - before,
        3,
        "5 placements in batches of 2"
    );
    assert!(
        placements.iter().all(|p| list.contains(p)),
        "the last answer holds them all"
    );

    // A mock that takes the first batch and fails the second.
    let server = wiremock::MockServer::start().await;
    let ok = serde_json::json!({"placement_ids": [1, 2]});
    wiremock::Mock::given(wiremock::matchers::method("POST"))
        .respond_with(wiremock::ResponseTemplate::new(200).set_body_json(ok))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    let failure = serde_json::json!({"code": 500, "message": "Internal error", "data": null});
    wiremock::Mock::given(wiremock::matchers::method("POST"))
        .respond_with(wiremock::ResponseTemplate::new(500).set_body_json(failure))
        .mount(&server)
        .await;
    let failing = Client::builder()
        .base_url(server.uri())
        .token(ApiToken::new("t0k3n").unwrap())
        .retry(RetryPolicy::none())
        .placement_batch_size(2)
        .build()
        .unwrap();
    match failing.blacklist(7).add([1, 2, 3, 4, 5]).await.unwrap_err() {
        Error::PartiallyApplied {
            applied,
            unsure,
            not_sent,
            source,
            ..
        } => {
            assert_eq!(
                (applied, unsure, not_sent),
                (vec![1, 2], vec![3, 4], vec![5])
            );
            assert!(matches!(*source, Error::Server { status: 500, .. }));
        }
        other => panic!("expected a partial failure, got {other}"),
    }
}

#[tokio::test]
async fn sync_makes_a_list_exactly_the_desired_one_with_few_calls() {
    let (sandbox, client) = start().await;
    let (campaign, _, [a, b, c]) = fixtures(&sandbox);
    let blacklist = client.blacklist(campaign);
    let report = blacklist.sync([a, b]).await.unwrap();
    assert_eq!(report.calls, 2, "one read, one replace");
    assert_eq!(blacklist.list().await.unwrap(), [a, b]);
    assert_eq!(
        blacklist.sync([b, a]).await.unwrap().calls,
        1,
        "already in sync: only the read"
    );

    let whitelist = client.whitelist(campaign);
    whitelist.sync([a, b]).await.unwrap();
    let report = whitelist.sync([b, c]).await.unwrap();
    assert_eq!(
        (report.added, report.removed, report.calls),
        (vec![c], vec![a], 3)
    );
    assert_eq!(whitelist.list().await.unwrap(), [b, c]);
    let cleared = whitelist.sync([]).await.unwrap();
    assert_eq!(
        (cleared.removed.len(), cleared.calls),
        (2, 2),
        "a clear, not a remove"
    );
    assert!(whitelist.list().await.unwrap().is_empty());
}

#[tokio::test]
async fn campaign_states_and_formats_are_typed() {
    use adsterra::CampaignExt;
    use adsterra::types::CampaignState;
    let (_sandbox, client) = start().await;
    let campaigns = client.campaigns().await.unwrap();
    let states: std::collections::BTreeSet<i32> = campaigns
        .iter()
        .map(|c| c.state().unwrap().code())
        .collect();
    assert_eq!(states, [1, 2, 3, 4].into());
    assert!(
        campaigns
            .iter()
            .all(|c| !matches!(c.state(), Some(CampaignState::Unknown(_)) | None))
    );
    assert!(
        campaigns
            .iter()
            .all(|c| c.ad_format().is_some() && c.pricing_type().is_some())
    );
}

#[tokio::test]
async fn a_json_answer_off_the_spec_names_the_field_and_a_short_list_is_caught() {
    use wiremock::matchers::path;
    use wiremock::{Mock, MockServer, ResponseTemplate};
    let server = MockServer::start().await;
    Mock::given(path("/balance.json"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(serde_json::json!({"balance": "lots"})),
        )
        .mount(&server)
        .await;
    let list =
        serde_json::json!({"items": [{"id": 7, "alias": null, "active": 3}], "itemCount": 3});
    for suffix in ["json", "xml"] {
        let body = adsterra_formats::encode(suffix.parse().unwrap(), &list).unwrap();
        Mock::given(path(format!("/campaigns.{suffix}")))
            .respond_with(ResponseTemplate::new(200).set_body_string(body))
            .mount(&server)
            .await;
    }
    let client = Client::builder()
        .base_url(server.uri())
        .token(ApiToken::new("t0k3n").unwrap())
        .build()
        .unwrap();
    match client.balance().await.unwrap_err() {
        Error::Decode {
            path,
            format,
            snippet,
            ..
        } => {
            assert_eq!((path.as_deref(), format), (Some("balance"), Format::Json));
            assert!(snippet.contains("lots"));
        }
        other => panic!("expected a decode error, got {other}"),
    }
    for format in [Format::Json, Format::Xml] {
        match client.with_format(format).campaigns().await.unwrap_err() {
            Error::Decode {
                path,
                message,
                format: seen,
                ..
            } => {
                assert_eq!((path.as_deref(), seen), (Some("itemCount"), format));
                assert_eq!(message, "itemCount is 3 but 1 items came");
            }
            other => panic!("expected a decode error, got {other}"),
        }
    }
}

#[tokio::test]
async fn captured_bodies_are_the_servers_own_bytes_in_every_format() {
    let (sandbox, json) = start().await;
    let (campaign, _, _) = fixtures(&sandbox);
    for format in [Format::Json, Format::Csv, Format::Xml] {
        let (client, log) = json.with_format(format).keeping_bodies();
        let (value, bodies) = (client.campaign(campaign).get().await, log.take());
        let value = value.unwrap();
        assert_eq!(bodies.len(), 1, "{format}");
        let path = format!("/campaign/{campaign}.{}", format.extension());
        let direct = sandbox_get(&sandbox, &path)
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        assert_eq!(bodies[0], direct, "{format}");
        // The typed value still decoded from the same bytes.
        assert_eq!(
            adsterra_formats::decode::<adsterra::types::Campaign>(format, &bodies[0]).unwrap(),
            value
        );
    }
    // A failing call still gives its body.
    let (keeping, log) = json.keeping_bodies();
    let (error, bodies) = (keeping.campaign(99).get().await, log.take());
    assert!(matches!(error, Err(Error::NotFound { .. })));
    assert!(String::from_utf8_lossy(&bodies[0]).contains("\"code\""));
}

#[tokio::test]
async fn stats_windows_report_their_progress_once_each() {
    use std::sync::{Arc, Mutex};
    let (_sandbox, client) = start().await;
    let seen = Arc::new(Mutex::new(Vec::new()));
    let record = {
        let seen = seen.clone();
        move |window: adsterra::StatsWindow| seen.lock().unwrap().push(window)
    };
    let rows = client
        .stats()
        .between(date("2025-01-01"), date("2026-11-27"))
        .window_days(100)
        .on_window(record.clone())
        .send()
        .await
        .unwrap();
    let mut windows = seen.lock().unwrap().clone();
    windows.sort_by_key(|w| w.start);
    assert_eq!(windows.len(), 7);
    assert_eq!(windows.iter().map(|w| w.days()).sum::<u64>(), 696);
    assert_eq!(windows.iter().map(|w| w.rows).sum::<usize>(), rows.len());

    seen.lock().unwrap().clear();
    let streamed: Vec<_> = futures::TryStreamExt::try_collect::<Vec<_>>(
        client
            .stats()
            .between(date("2026-01-01"), date("2026-11-27"))
            .window_days(200)
            .on_window(record)
            .stream(),
    )
    .await
    .unwrap();
    let windows = seen.lock().unwrap().clone();
    assert_eq!(windows.len(), 2);
    assert_eq!(
        windows.iter().map(|w| w.rows).sum::<usize>(),
        streamed.len()
    );
}
