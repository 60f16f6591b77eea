//! `adsterra-sandbox --bind`: loopback unless asked, and a warning when asked for more. Bound to
//! every interface here, and reached through loopback only.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

/// The sandbox binary with `args` (killed before it prints more), the lines it printed on
/// stdout up to its token, and its first line on stderr.
fn start(args: &[&str]) -> (Child, Vec<String>, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_adsterra-sandbox"))
        .args(["--port", "0"])
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = Vec::new();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    while !lines
        .iter()
        .any(|line: &String| line.starts_with("X-API-Key"))
    {
        let mut line = String::new();
        assert!(stdout.read_line(&mut line).unwrap() > 0, "{lines:?}");
        lines.push(line.trim_end().to_owned());
    }
    // Read on to the end: a closed pipe would end the sandbox at its next line.
    std::thread::spawn(move || std::io::copy(&mut stdout, &mut std::io::sink()));
    let stderr = child.stderr.take().unwrap();
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut stderr = BufReader::new(stderr);
        let mut first = String::new();
        let _ = stderr.read_line(&mut first);
        let _ = sender.send(first);
        std::io::copy(&mut stderr, &mut std::io::sink())
    });
    // The warning comes before the serving line, so it is there by now, or never.
    let warning = receiver
        .recv_timeout(std::time::Duration::from_millis(500))
        .unwrap_or_default();
    (child, lines, warning)
}

fn value(lines: &[String], prefix: &str) -> String {
    (lines.iter())
        .find_map(|line| line.strip_prefix(prefix))
        .unwrap_or_else(|| panic!("{prefix} in {lines:?}"))
        .to_owned()
}

#[tokio::test]
async fn every_interface_is_opt_in_warned_of_and_reached_through_loopback() {
    let (mut everywhere, lines, warning) = start(&["--bind", "0.0.0.0"]);
    assert!(
        warning.starts_with("warning: listening on 0.0.0.0:")
            && warning.contains("anyone who can reach this address can use the sandbox"),
        "{warning:?}"
    );
    let url = value(&lines, "Adsterra sandbox serving ");
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    let balance = reqwest::Client::new()
        .get(format!("{url}/balance.json"))
        .header("X-API-Key", value(&lines, "X-API-Key: "))
        .send()
        .await
        .unwrap();
    assert_eq!(balance.status(), 200);
    everywhere.kill().unwrap();
    everywhere.wait().unwrap();

    // The default: loopback, and no warning.
    let (mut local, lines, warning) = start(&[]);
    assert_eq!(warning, "");
    assert!(value(&lines, "Adsterra sandbox serving ").starts_with("http://127.0.0.1:"));
    local.kill().unwrap();
    local.wait().unwrap();
}

#[tokio::test]
async fn the_library_binds_where_it_is_told() {
    let everywhere = adsterra_sandbox::Sandbox::start(
        adsterra_sandbox::Config::default().with_bind(std::net::Ipv4Addr::UNSPECIFIED.into()),
    )
    .await
    .unwrap();
    assert!(everywhere.address().ip().is_unspecified());
    assert!(everywhere.base_url().starts_with("http://127.0.0.1:"));
    let local = adsterra_sandbox::Sandbox::start(Default::default())
        .await
        .unwrap();
    assert!(local.address().ip().is_loopback());
}
