//! `adsterra verify-live` against the sandbox: a faithful sandbox confirms the spec for every
//! read of it, a deviating one shows each deviation; nothing is written and the token never
//! shows. With `--probe-legacy`, and only then, one last line says whether the legacy
//! token-in-path form is accepted, and never changes the exit code.

mod common;

use adsterra::Format;
use adsterra::operation::OPERATIONS;
use adsterra_sandbox::Config;
use adsterra_sandbox::deviations::DEVIATIONS;
use common::{TOKEN, adsterra, against, sandbox};

/// The legacy probe's line, as verify-live prints it against a sandbox, up to the outcome.
const LEGACY: &str = "legacy token-in-path URLs (/advertiser/<token>/campaigns.json): ";

/// The line of the legacy probe: the report's last.
fn legacy_line(report: &str) -> &str {
    let last = report.lines().last().unwrap_or_default();
    assert!(
        last.starts_with(LEGACY),
        "the last line is the probe's:\n{report}"
    );
    last
}

/// The row of `field` in the table of `operation`.
fn row<'a>(report: &'a str, operation: &str, field: &str) -> &'a str {
    let table = report
        .split("\n\n")
        .find(|table| table.lines().next() == Some(operation))
        .unwrap_or_else(|| panic!("no table for {operation}:\n{report}"));
    table
        .lines()
        .find(|line| line.split_whitespace().next() == Some(field))
        .unwrap_or_else(|| panic!("no row {field} in {operation}:\n{table}"))
}

#[tokio::test(flavor = "multi_thread")]
async fn a_faithful_api_confirms_every_read_of_the_spec_and_nothing_is_written() {
    let sandbox = sandbox(Config::default()).await;
    let before = sandbox.account();
    let run = against(&sandbox, &["verify-live", "--probe-legacy"]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stdout
            .contains("answers skipped: 0; deviations from the spec: 0"),
        "{}",
        run.stdout
    );
    // Every read of the spec has its table, each format answered and checked.
    for read in OPERATIONS
        .iter()
        .filter(|o| o.format == Format::Json && o.is_read())
    {
        for format in ["json", "csv", "xml"] {
            assert!(
                run.stdout
                    .split("\n\n")
                    .any(|table| table.lines().next() == Some(read.id)
                        && table.contains(&format!("{format}: confirmed"))),
                "{} in {format}:\n{}",
                read.id,
                run.stdout
            );
        }
    }
    let balance = adsterra::Endpoint::GetBalance.id();
    assert!(
        row(&run.stdout, balance, "balance").contains("xml: confirmed"),
        "{}",
        run.stdout
    );
    // Inferred fields confirmed in every format are listed for promotion.
    assert!(
        run.stdout
            .contains(&format!("{balance} balance (inferred)")),
        "{}",
        run.stdout
    );
    // The sandbox, like Adsterra for old scripts, accepts the token in the path.
    assert_eq!(legacy_line(&run.stdout), format!("{LEGACY}accepted"));
    // Every call was a read.
    assert_eq!(sandbox.writes_seen(), 0);
    assert_eq!(sandbox.account(), before);
    assert!(
        !run.stdout.contains(TOKEN) && !run.stderr.contains(TOKEN),
        "{}\n{}",
        run.stdout,
        run.stderr
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_refused_legacy_form_is_reported_on_one_line_and_keeps_exit_0() {
    // The sandbox always accepts its own token in the path; a per-minute limit that runs out
    // exactly after the reads is how it refuses the probe here (the probe is sent last).
    let counting = sandbox(Config::default()).await;
    let run = against(&counting, &["verify-live", "--probe-legacy"]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let reads = u32::try_from(counting.requests_seen() - 1).unwrap();

    let limited = sandbox(Config::default().with_rate_limit_per_minute(reads)).await;
    let run = against(&limited, &["verify-live", "--probe-legacy", "--verbose"]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stdout
            .contains("answers skipped: 0; deviations from the spec: 0"),
        "{}",
        run.stdout
    );
    assert_eq!(
        legacy_line(&run.stdout),
        format!("{LEGACY}refused (429 Too many requests)")
    );
    assert_eq!(limited.requests_seen(), u64::from(reads) + 1, "sent once");
    // The probe is logged by its operation, never by its path.
    assert!(
        run.stderr.contains("adsterra.legacy_probe"),
        "{}",
        run.stderr
    );
    assert!(
        !run.stdout.contains(TOKEN) && !run.stderr.contains(TOKEN),
        "{}\n{}",
        run.stdout,
        run.stderr
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_deviating_api_shows_each_deviation_in_every_format() {
    let sandbox = sandbox(Config::default().with_deviations(true)).await;
    let run = against(&sandbox, &["verify-live", "--probe-legacy"]);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains("deviation(s) from the spec"),
        "{}",
        run.stderr
    );
    for (endpoint, field, how) in DEVIATIONS {
        let line = row(&run.stdout, endpoint.id(), field);
        for format in ["json", "csv", "xml"] {
            assert!(
                line.contains(&format!("{format}: {how}")),
                "{endpoint:?} {field}: {line}"
            );
        }
    }
    // A wrong type says what came instead.
    assert!(
        run.stdout
            .contains("items[].ctr in csv: expected number (double), found \""),
        "{}",
        run.stdout
    );
    assert_eq!(sandbox.writes_seen(), 0);
    // Deviations decide the exit code; the legacy line is there all the same.
    assert_eq!(legacy_line(&run.stdout), format!("{LEGACY}accepted"));
    assert!(
        !run.stdout.contains(TOKEN) && !run.stderr.contains(TOKEN),
        "{}\n{}",
        run.stdout,
        run.stderr
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn without_probe_legacy_no_request_puts_the_token_in_a_url() {
    let asked = sandbox(Config::default()).await;
    let run = against(&asked, &["verify-live", "--probe-legacy"]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);

    let unasked = sandbox(Config::default()).await;
    let run = against(&unasked, &["verify-live", "--verbose"]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(!run.stdout.contains(LEGACY), "{}", run.stdout);
    assert!(
        !run.stderr.contains("adsterra.legacy_probe"),
        "{}",
        run.stderr
    );
    // The same reads, and not the probe's request.
    assert_eq!(unasked.requests_seen(), asked.requests_seen() - 1);
}

#[test]
fn without_a_token_it_says_where_the_token_goes() {
    let run = adsterra(&["verify-live"], &[], "");
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert!(run.stderr.contains("ADSTERRA_API_KEY"), "{}", run.stderr);
}

/// The files of a recorded folder, by name, as text.
fn recorded_files(folder: &std::path::Path) -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = std::fs::read_dir(folder)
        .unwrap()
        .map(|entry| {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read_to_string(&path).unwrap())
        })
        .collect();
    files.sort();
    files
}

#[tokio::test(flavor = "multi_thread")]
async fn record_keeps_every_answer_in_every_format_byte_for_byte_and_never_the_token() {
    let sandbox = sandbox(Config::default()).await;
    let folder = std::env::temp_dir().join(format!("adsterra-record-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&folder);
    let run = against(
        &sandbox,
        &["verify-live", "--record", folder.to_str().unwrap()],
    );
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let cassettes = adsterra_openapi::cassette::Cassette::read_folder(&folder).unwrap();
    // A cassette per read of the spec, in every format.
    for read in OPERATIONS.iter().filter(|o| o.is_read()) {
        let id = read.endpoint.id();
        let cassette = cassettes
            .get(id)
            .unwrap_or_else(|| panic!("no cassette of {id}"));
        assert!(
            cassette
                .http_interactions
                .iter()
                .any(|i| i.format() == Some(read.format)),
            "{id} in {}",
            read.format
        );
        assert!(
            cassette
                .http_interactions
                .iter()
                .all(|i| i.adsterra_operation == id && i.request.method == "get"),
            "{id}"
        );
    }
    let answers: usize = cassettes.values().map(|c| c.http_interactions.len()).sum();
    assert!(
        run.stdout.contains(&format!(
            "recorded {answers} answers of {} operations into {}",
            cassettes.len(),
            folder.display()
        )),
        "{}",
        run.stdout
    );
    // Each body is what the sandbox serves for that URL, byte for byte, with its content type.
    let http = reqwest::Client::new();
    for cassette in cassettes.values() {
        for interaction in &cassette.http_interactions {
            let response = http
                .get(&interaction.request.uri)
                .header("X-API-Key", TOKEN)
                .send()
                .await
                .unwrap();
            let content_type = response.headers()["content-type"]
                .to_str()
                .unwrap()
                .to_owned();
            assert_eq!(interaction.response.status.code, response.status().as_u16());
            assert_eq!(interaction.response.headers["content-type"], [content_type]);
            let body = response.bytes().await.unwrap();
            assert_eq!(
                interaction.response.body.bytes().unwrap(),
                body,
                "{}",
                interaction.request.uri
            );
        }
    }
    // Another VCR reader takes every file, and no file holds the token.
    for (name, text) in recorded_files(&folder) {
        assert!(!text.contains(TOKEN), "{name} holds the token");
        let read: vcr_cassette::Cassette = serde_json::from_str(&text)
            .unwrap_or_else(|error| panic!("{name} is no VCR cassette: {error}"));
        assert!(!read.http_interactions.is_empty(), "{name}");
    }
    std::fs::remove_dir_all(&folder).unwrap();
}

/// A server that echoes the token it is sent in the body, in a rate-limit header and in the
/// URL it names: the recorder keeps none of it.
struct EchoesTheToken;

impl wiremock::Respond for EchoesTheToken {
    fn respond(&self, request: &wiremock::Request) -> wiremock::ResponseTemplate {
        let token = request.headers["x-api-key"].to_str().unwrap().to_owned();
        let body = serde_json::json!({
            "items": [{"id": 1463724, "alias": token, "url": format!("{}?key={token}", request.url)}],
            "itemCount": 1,
            "balance": 1.5,
        });
        wiremock::ResponseTemplate::new(200)
            .set_body_json(body)
            .insert_header("x-ratelimit-note", format!("for {token}").as_str())
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn record_never_keeps_a_token_the_server_echoes() {
    let server = wiremock::MockServer::start().await;
    wiremock::Mock::given(wiremock::matchers::any())
        .respond_with(EchoesTheToken)
        .mount(&server)
        .await;
    let folder = std::env::temp_dir().join(format!("adsterra-echo-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&folder);
    let base_url = format!("{}/advertiser", server.uri());
    let run = adsterra(
        &["verify-live", "--record", folder.to_str().unwrap()],
        &[
            ("ADSTERRA_API_KEY", TOKEN),
            ("ADSTERRA_BASE_URL", &base_url),
        ],
        "",
    );
    assert!(
        run.stdout.contains("recorded "),
        "{}\n{}",
        run.stdout,
        run.stderr
    );
    assert!(
        !run.stdout.contains(TOKEN) && !run.stderr.contains(TOKEN),
        "{}\n{}",
        run.stdout,
        run.stderr
    );
    let files = recorded_files(&folder);
    assert!(!files.is_empty());
    let mut stand_ins = 0;
    for (name, text) in &files {
        assert!(!text.contains(TOKEN), "{name} holds the token:\n{text}");
        stand_ins += text.matches(adsterra::TOKEN_STAND_IN).count();
    }
    // Body, header and URL of every answer: the echoes were there, and were replaced.
    let answers: usize = files
        .iter()
        .map(|(_, text)| text.matches("\"adsterra_operation\"").count())
        .sum();
    assert!(
        stand_ins >= 3 * answers,
        "{stand_ins} stand-ins for {answers} answers"
    );
    std::fs::remove_dir_all(&folder).unwrap();
}

/// Every whole number written in `text` (runs of digits).
fn numbers(text: &str) -> std::collections::BTreeSet<&str> {
    text.split(|c: char| !c.is_ascii_digit())
        .filter(|run| !run.is_empty())
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn redact_replaces_ids_names_and_urls_consistently_in_every_file() {
    let sandbox = sandbox(Config::default()).await;
    let account = sandbox.account();
    let folder = std::env::temp_dir().join(format!("adsterra-redact-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&folder);
    let run = against(
        &sandbox,
        &[
            "verify-live",
            "--record",
            folder.to_str().unwrap(),
            "--redact",
        ],
    );
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("ids, "), "{}", run.stdout);
    let files = recorded_files(&folder);
    let campaigns: Vec<String> = account.campaigns.keys().map(i64::to_string).collect();
    let aliases: Vec<&str> = account
        .campaigns
        .values()
        .filter_map(|c| c.alias.as_deref())
        .collect();
    let urls: Vec<&str> = account
        .landings
        .iter()
        .map(|(_, _, l)| l.url.as_str())
        .collect();
    for (name, text) in &files {
        let written = numbers(text);
        for id in &campaigns {
            assert!(
                !written.contains(id.as_str()),
                "{name} still holds campaign {id}"
            );
        }
        for alias in &aliases {
            assert!(
                !text.contains(alias),
                "{name} still holds the name {alias:?}"
            );
        }
        for url in &urls {
            assert!(!text.contains(url), "{name} still holds the landing {url}");
        }
    }
    // One stand-in per id, everywhere: the campaign read alone is one of the list's, and the
    // stats rows name campaigns of the list.
    let cassettes = adsterra_openapi::cassette::Cassette::read_folder(&folder).unwrap();
    let body = |id: adsterra::Endpoint| {
        cassettes[id.id()].http_interactions[0]
            .response
            .body
            .string
            .clone()
            .unwrap()
    };
    let list: serde_json::Value =
        serde_json::from_str(&body(adsterra::Endpoint::GetCampaigns)).unwrap();
    let listed: Vec<String> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].to_string())
        .collect();
    let alone = &cassettes[adsterra::Endpoint::GetCampaign.id()].http_interactions[0];
    assert!(
        listed
            .iter()
            .any(|id| alone.request.uri.contains(&format!("/campaign/{id}."))),
        "{} names none of {listed:?}",
        alone.request.uri
    );
    let alone: serde_json::Value =
        serde_json::from_str(alone.response.body.string.as_deref().unwrap()).unwrap();
    assert!(listed.contains(&alone["id"].to_string()));
    std::fs::remove_dir_all(&folder).unwrap();
}

/// A running campaign of the sandbox with a blacklist: every pair of the write probes applies.
fn probed_campaign(account: &adsterra_sandbox::account::Account) -> i64 {
    *account
        .campaigns
        .iter()
        .find(|(id, c)| {
            c.active == Some(3) && account.blacklists.get(id).is_some_and(|l| !l.is_empty())
        })
        .expect("the seeded account has a running campaign with a blacklist")
        .0
}

#[tokio::test(flavor = "multi_thread")]
async fn nothing_is_written_without_writes_a_campaign_and_a_confirmation() {
    let sandbox = sandbox(Config::default()).await;
    let campaign = probed_campaign(&sandbox.account()).to_string();
    let run = against(&sandbox, &["verify-live", "--writes"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    let run = against(&sandbox, &["verify-live", "--campaign", &campaign]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    // No terminal to ask on, and no --yes.
    let run = against(
        &sandbox,
        &["verify-live", "--writes", "--campaign", &campaign],
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("--yes"), "{}", run.stderr);
    assert_eq!(sandbox.writes_seen(), 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn write_probes_leave_the_campaign_as_it_was_even_when_writes_fail_midway() {
    for faults in [
        "none",
        "500=0.15",
        "drop=0.1",
        "truncate=0.15",
        "malformed=0.1",
        "503=0.3",
    ] {
        let sandbox = sandbox(Config::default().with_faults(faults.parse().unwrap())).await;
        let before = sandbox.account();
        let campaign = probed_campaign(&before);
        let run = against(
            &sandbox,
            &[
                "verify-live",
                "--writes",
                "--campaign",
                &campaign.to_string(),
                "--yes",
            ],
        );
        sandbox.set_faults(adsterra_sandbox::faults::Faults::none());
        let after = sandbox.account();
        assert!(sandbox.writes_seen() > 0, "{faults}: nothing was written");
        assert!(!run.stdout.contains(TOKEN) && !run.stderr.contains(TOKEN));
        if faults == "none" {
            assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
            for pair in [
                "blacklist add",
                "whitelist remove",
                "custom bid set",
                "blacklist replaced",
                "campaign resumed",
            ] {
                assert!(run.stdout.contains(pair), "{pair}:\n{}", run.stdout);
            }
        }
        if run.stdout.contains("the campaign is as it was before") {
            // Said as before: it is, to the last placement and bid.
            assert_eq!(after, before, "{faults}:\n{}", run.stdout);
            continue;
        }
        // Otherwise it says so, with exit 7, and names what differs (unless it could not read).
        assert_eq!(run.code, 7, "{faults}: {}", run.stderr);
        assert!(run.stderr.contains("left changed"), "{}", run.stderr);
        if !run.stderr.contains("unknown") {
            let list = |lists: &std::collections::BTreeMap<
                i64,
                std::collections::BTreeSet<i64>,
            >| { lists.get(&campaign).cloned().unwrap_or_default() };
            for (was, is) in [
                (list(&before.blacklists), list(&after.blacklists)),
                (list(&before.whitelists), list(&after.whitelists)),
            ] {
                for p in was.symmetric_difference(&is) {
                    let p = p.to_string();
                    assert!(
                        run.stderr.contains(&p),
                        "{faults}: {p} not reported: {}",
                        run.stderr
                    );
                }
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failure_in_the_middle_of_a_pair_is_put_back() {
    // Each request takes 50 ms, so the test sees the first write land and makes the API fail
    // for a while: the pair's second half fails, and the placement it added stays until the
    // probe puts the campaign back.
    let sandbox = sandbox(Config::default().with_faults("latency=50ms".parse().unwrap())).await;
    let before = sandbox.account();
    let campaign = probed_campaign(&before).to_string();
    let args = ["verify-live", "--writes", "--campaign", &campaign, "--yes"];
    let run = std::thread::scope(|scope| {
        let run = scope.spawn(|| against(&sandbox, &args));
        while sandbox.writes_seen() == 0 {
            std::thread::sleep(std::time::Duration::from_millis(2));
        }
        sandbox.set_faults("latency=50ms,500=1".parse().unwrap());
        std::thread::sleep(std::time::Duration::from_secs(3));
        sandbox.set_faults(adsterra_sandbox::faults::Faults::none());
        run.join().unwrap()
    });
    assert!(run.stdout.contains(": failed: "), "{}", run.stdout);
    assert!(
        run.stdout.contains("the campaign is as it was before"),
        "{}\n{}",
        run.stdout,
        run.stderr
    );
    assert_eq!(sandbox.account(), before);
}

#[tokio::test(flavor = "multi_thread")]
async fn write_probes_record_their_answers_too() {
    let sandbox = sandbox(Config::default()).await;
    let campaign = probed_campaign(&sandbox.account()).to_string();
    let folder = std::env::temp_dir().join(format!("adsterra-writes-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&folder);
    let args = [
        "verify-live",
        "--writes",
        "--campaign",
        &campaign,
        "--yes",
        "--record",
        folder.to_str().unwrap(),
    ];
    let run = against(&sandbox, &args);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let cassettes = adsterra_openapi::cassette::Cassette::read_folder(&folder).unwrap();
    for write in [
        adsterra::Endpoint::AddToBlacklist,
        adsterra::Endpoint::DeleteFromWhitelist,
        adsterra::Endpoint::SetCustomBids,
        adsterra::Endpoint::ReplaceBlacklist,
        adsterra::Endpoint::UpdateCampaignActivity,
    ] {
        let cassette = cassettes
            .get(write.id())
            .unwrap_or_else(|| panic!("no cassette of {}", write.id()));
        let method = write
            .operation(Format::Json)
            .method
            .as_str()
            .to_ascii_lowercase();
        assert!(
            cassette
                .http_interactions
                .iter()
                .all(|i| i.request.method == method && i.response.status.code == 200),
            "{}",
            write.id()
        );
    }
    for (name, text) in recorded_files(&folder) {
        assert!(!text.contains(TOKEN), "{name} holds the token");
    }
    std::fs::remove_dir_all(&folder).unwrap();
}
