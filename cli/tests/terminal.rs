//! On a terminal: clears ask first, and long stats exports draw a progress bar on stderr.
//!
//! Needs util-linux's `script` on PATH (Debian's `bsdutils`: `apt-get install bsdutils`; `.ci/run`
//! installs it): it gives the command a pseudo-terminal, as an interactive shell would. Without
//! it each test fails saying so, never skipping.

use std::io::Write;
use std::process::{Command, Stdio};

/// Runs `shell_command` on a pseudo-terminal with `typed` as the keyboard; returns what the
/// terminal showed and the exit code.
fn on_terminal(shell_command: &str, typed: &str) -> (String, i32) {
    let mut child = Command::new("script")
        .args([
            "--quiet",
            "--return",
            "--command",
            shell_command,
            "/dev/null",
        ])
        .env_remove("ADSTERRA_API_KEY")
        .env_remove("ADSTERRA_BASE_URL")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|error| {
            panic!(
                "this test needs util-linux's `script` on PATH for a pseudo-terminal \
                 (apt-get install bsdutils; .ci/run installs it): {error}"
            )
        });
    child
        .stdin
        .take()
        .unwrap()
        .write_all(typed.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        output.status.code().unwrap(),
    )
}

fn adsterra() -> &'static str {
    env!("CARGO_BIN_EXE_adsterra")
}

#[test]
fn a_clear_asks_first_and_no_keeps_the_list() {
    let command = format!("{} --sandbox blacklist clear 1463700 -o csv", adsterra());
    let (screen, code) = on_terminal(&command, "n\n");
    assert_eq!(code, 1, "{screen}");
    assert!(
        screen.contains("remove every placement (1) from the blacklist of campaign 1463700? [y/N]"),
        "{screen}"
    );
    assert!(screen.contains("cancelled; nothing changed"), "{screen}");

    let (screen, code) = on_terminal(&command, "y\n");
    assert_eq!(code, 0, "{screen}");
    // The list after the clear: the header and no placement.
    assert!(screen.trim_end().ends_with("placement"), "{screen}");
}

#[test]
fn a_long_export_draws_a_progress_bar_on_stderr_only() {
    let out = std::env::temp_dir().join(format!("adsterra-cli-bar-{}.csv", std::process::id()));
    let command = format!(
        "{} --sandbox stats --since 2024-01-01 --until 2026-11-27 --group-by date,placement --window-days 60 -o csv --format csv > {}",
        adsterra(),
        out.display()
    );
    let (screen, code) = on_terminal(&command, "");
    assert_eq!(code, 0, "{screen}");
    // The bar counts days and rows; the file holds only the rows.
    assert!(screen.contains("/1062 days"), "{screen}");
    assert!(screen.contains(" rows"), "{screen}");
    let csv = std::fs::read_to_string(&out).unwrap();
    assert!(csv.starts_with("date,placement,impressions,"));
    assert!(!csv.contains("days"));
    std::fs::remove_file(&out).unwrap();
}

#[test]
fn a_sync_draws_its_progress_then_one_summary_line() {
    let folder = std::env::temp_dir().join(format!("adsterra-cli-sync-bar-{}", std::process::id()));
    std::fs::create_dir_all(&folder).unwrap();
    let since = chrono::Utc::now().date_naive() - chrono::Days::new(399);
    let command = format!(
        "{} --sandbox sync --db sqlite://{}/stats.db --since {since} --group-by placement --window-days 10",
        adsterra(),
        folder.display()
    );
    let (screen, code) = on_terminal(&command, "");
    assert_eq!(code, 0, "{screen}");
    // The bar counts days and rows; on a terminal the summary is the one line for people.
    assert!(screen.contains("/400 days"), "{screen}");
    assert!(screen.contains(" rows"), "{screen}");
    assert!(
        screen.contains("synced 400 days into stats_by_date_placement: "),
        "{screen}"
    );
    std::fs::remove_dir_all(&folder).unwrap();
}
