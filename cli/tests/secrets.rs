//! The token never shows: not in any output, error, log or dry run, whichever way it came.

mod common;

use adsterra_sandbox::Config;
use common::{TOKEN, adsterra, sandbox};

#[tokio::test(flavor = "multi_thread")]
async fn the_token_never_appears_in_any_output() {
    let sandbox = sandbox(Config::default()).await;
    let url = sandbox.base_url().to_owned();
    let dir = std::env::temp_dir().join(format!("adsterra-cli-secrets-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let token_file = dir.join("token");
    std::fs::write(&token_file, format!("{TOKEN}\n")).unwrap();
    let token_file = token_file.to_str().unwrap().to_owned();

    let commands: &[&[&str]] = &[
        &["balance"],
        &["campaigns", "list"],
        &["campaign", "get", "1463700", "-o", "raw", "--format", "xml"],
        &["campaign", "pause", "1463700", "--dry-run"],
        &["campaign", "resume", "1463700"],
        &["banner", "pause", "7000100", "--dry-run"],
        &["blacklist", "add", "1463700", "15413270"],
        &["blacklist", "sync", "1463700", "15413299", "--dry-run"],
        &["blacklist", "sync", "1463700", "15413299"],
        &["whitelist", "clear", "1463703", "--dry-run"],
        &["bids", "set", "1463700", "15413270=0.4", "--dry-run"],
        &["bids", "set", "1463700", "15413270=0.4", "-o", "raw"],
        &[
            "stats",
            "--since",
            "2026-11-01",
            "--until",
            "2026-11-27",
            "-o",
            "csv",
        ],
        &["campaign", "get", "99"],
        &["campaign", "get", "0"],
        &["bids", "update", "1463700", "15400000=0.3"],
        &["blacklist", "clear", "1463700"],
    ];
    let mut runs = 0;
    for args in commands {
        for verbose in [false, true] {
            let mut all = args.to_vec();
            if verbose {
                all.push("--verbose");
            }
            let from_env = adsterra(
                &all,
                &[("ADSTERRA_API_KEY", TOKEN), ("ADSTERRA_BASE_URL", &url)],
                "",
            );
            let mut with_file = vec!["--token-file", token_file.as_str(), "--base-url", &url];
            with_file.extend(&all);
            let from_file = adsterra(&with_file, &[], "");
            let mut with_stdin = vec!["--token-file", "-", "--base-url", &url];
            with_stdin.extend(&all);
            let from_stdin = adsterra(&with_stdin, &[], TOKEN);
            for run in [from_env, from_file, from_stdin] {
                runs += 1;
                assert!(
                    !run.stdout.contains(TOKEN),
                    "{all:?} stdout: {}",
                    run.stdout
                );
                assert!(
                    !run.stderr.contains(TOKEN),
                    "{all:?} stderr: {}",
                    run.stderr
                );
                // A banner's dry run reads nothing, so it logs nothing.
                if verbose && run.code == 0 && args[0] != "banner" {
                    // The log is really there, so this checks something.
                    assert!(
                        run.stderr.contains("adsterra.request"),
                        "{all:?}: {}",
                        run.stderr
                    );
                }
            }
        }
    }
    assert_eq!(runs, commands.len() * 6);

    // A refused token is not echoed back either.
    let wrong = "0123456789abcdef0123456789abcdef";
    let run = adsterra(
        &["balance", "--verbose"],
        &[("ADSTERRA_API_KEY", wrong), ("ADSTERRA_BASE_URL", &url)],
        "",
    );
    assert_eq!(run.code, 3);
    assert!(!run.stderr.contains(wrong) && !run.stdout.contains(wrong));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_sandbox_ignores_a_token_and_base_url_in_the_environment() {
    let run = adsterra(
        &["--sandbox", "balance", "-o", "csv"],
        &[
            ("ADSTERRA_API_KEY", TOKEN),
            (
                "ADSTERRA_BASE_URL",
                "https://api3.adsterratools.com/advertiser",
            ),
        ],
        "",
    );
    assert_eq!(
        (run.code, run.stdout.as_str()),
        (0, "balance\n1673.11\n"),
        "{}",
        run.stderr
    );
}

#[test]
fn plain_http_to_another_host_is_refused_before_the_token_is_sent() {
    let run = adsterra(
        &["balance"],
        &[
            ("ADSTERRA_API_KEY", TOKEN),
            (
                "ADSTERRA_BASE_URL",
                "http://api3.adsterratools.com/advertiser",
            ),
        ],
        "",
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("plain http"), "{}", run.stderr);
}
