//! Every class of failure: one line on stderr that says what to do, and its own exit code.

mod common;

use adsterra_sandbox::{Config, Faults};
use common::{TOKEN, adsterra, against, port_filter, sandbox, sandboxed};

#[test]
fn usage_errors_exit_2() {
    let mut printed = String::new();
    for args in [
        &["campaign"][..],
        &["stats", "--since", "2025-02-30", "--until", "2025-03-01"],
        &[
            "stats",
            "--since",
            "2025-01-01",
            "--until",
            "2025-01-31",
            "--group-by",
            "week",
        ],
        &["campaign", "get", "first"],
        &["--token-file", "/nonexistent/token", "balance"],
        &[
            "--sandbox",
            "blacklist",
            "add",
            "1463700",
            "--file",
            "/nonexistent/ids.txt",
        ],
        &["--sandbox", "bids", "set", "1463700", "15413270:0.35"],
        &["--sandbox", "blacklist", "clear", "1463700"],
        &["--sandbox", "blacklist", "sync", "1463700", "-o", "raw"],
        &["--sandbox", "--base-url", "https://example.com", "balance"],
    ] {
        let run = adsterra(args, &[], "");
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        printed.push_str(&format!("$ adsterra {}\n{}\n", args.join(" "), run.stderr));
    }
    insta::assert_snapshot!(printed);
}

#[test]
fn a_token_is_never_taken_from_an_argument() {
    let run = adsterra(&["--token", "abc", "balance"], &[], "");
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("unexpected argument '--token'"),
        "{}",
        run.stderr
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn auth_errors_exit_3() {
    let sandbox = sandbox(Config::default()).await;
    let url = sandbox.base_url();
    let mut printed = String::new();
    for (label, run) in [
        ("no token", adsterra(&["balance"], &[], "")),
        (
            "an unknown token",
            adsterra(
                &["balance"],
                &[
                    ("ADSTERRA_API_KEY", "0123456789abcdef0123456789abcdef"),
                    ("ADSTERRA_BASE_URL", url),
                ],
                "",
            ),
        ),
        (
            "the previous token",
            adsterra(
                &["balance"],
                &[
                    ("ADSTERRA_API_KEY", sandbox.revoked_token()),
                    ("ADSTERRA_BASE_URL", url),
                ],
                "",
            ),
        ),
        (
            "an empty token file",
            adsterra(
                &["--token-file", "-", "--base-url", url, "balance"],
                &[],
                "\n",
            ),
        ),
    ] {
        assert_eq!(run.code, 3, "{label}: {}", run.stderr);
        printed.push_str(&format!("{label}: {}", run.failure()));
    }
    insta::assert_snapshot!(printed);
}

#[test]
fn not_found_exits_4() {
    let run = sandboxed(&["campaign", "get", "99"]);
    insta::assert_snapshot!(run.failure());
}

#[test]
fn validation_exits_5_before_sending_or_from_adsterra() {
    let mut printed = String::new();
    for args in [
        &["campaign", "get", "0"][..],
        &["stats", "--from", "2025-02-01", "--to", "2025-01-01"],
        &[
            "stats",
            "--since",
            "2025-01-01",
            "--until",
            "2025-01-02",
            "--country",
            "usa",
        ],
        &["bids", "set", "1463700", "15413270=-1"],
        // Adsterra's own 422: there is no bid to update.
        &["bids", "update", "1463700", "15413299=0.3"],
    ] {
        let run = sandboxed(args);
        assert_eq!(run.code, 5, "{args:?}: {}", run.stderr);
        printed.push_str(&format!(
            "$ adsterra --sandbox {}\n{}",
            args.join(" "),
            run.failure()
        ));
    }
    insta::assert_snapshot!(printed);
}

#[tokio::test(flavor = "multi_thread")]
async fn rate_limited_exits_6() {
    let sandbox = sandbox(Config::default().with_faults("429=1".parse().unwrap())).await;
    let run = against(&sandbox, &["balance", "--retries", "0"]);
    insta::assert_snapshot!(run.failure());
}

#[tokio::test(flavor = "multi_thread")]
async fn server_and_transport_failures_exit_7() {
    let mut printed = String::new();
    for (label, faults) in [
        ("500", "500=1".parse::<Faults>().unwrap()),
        ("malformed body", "malformed=1".parse::<Faults>().unwrap()),
    ] {
        let sandbox = sandbox(Config::default().with_faults(faults)).await;
        let run = against(&sandbox, &["campaigns", "list", "--retries", "0"]);
        assert_eq!(run.code, 7, "{label}: {}", run.stderr);
        printed.push_str(&format!("{label}: {}", run.failure()));
    }
    // Nothing listens: the connection is refused (and retried, then reported).
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let url = format!("http://127.0.0.1:{closed}/advertiser");
    let run = adsterra(
        &["balance", "--retries", "0"],
        &[("ADSTERRA_API_KEY", TOKEN), ("ADSTERRA_BASE_URL", &url)],
        "",
    );
    assert_eq!(run.code, 7, "{}", run.stderr);
    assert!(
        run.stderr
            .starts_with("error: get_balance (1 attempt): the connection failed"),
        "{}",
        run.stderr
    );
    port_filter().bind(|| insta::assert_snapshot!(printed));
}

#[test]
fn every_failure_is_one_line() {
    for run in [
        sandboxed(&["campaign", "get", "99"]),
        sandboxed(&["campaign", "get", "0"]),
        adsterra(&["balance"], &[], ""),
    ] {
        assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
        assert!(run.stderr.starts_with("error: "));
        assert_eq!(run.stdout, "");
    }
}
