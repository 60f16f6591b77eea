//! Running the `adsterra` binary as a user would, and a sandbox for it to talk to.

#![allow(dead_code)] // Each test binary uses part of this.

use std::io::Write;
use std::process::{Command, Stdio};

use adsterra_sandbox::{Config, Sandbox};

/// The token the test sandboxes accept: distinctive, so a leak anywhere is found.
pub const TOKEN: &str = "7f3c1d9e5b2a48c6a0e4f8b1d3c5e7a9";

/// What one run printed and how it ended.
#[derive(Debug)]
pub struct Run {
    pub stdout: String,
    pub stderr: String,
    pub code: i32,
}

impl Run {
    /// The exit code and stderr, as the error snapshots record them.
    pub fn failure(&self) -> String {
        format!("exit {}\n{}", self.code, self.stderr)
    }
}

/// Runs `adsterra` with `args`, the environment variables `env` (and no inherited
/// ADSTERRA_*), and `stdin`.
pub fn adsterra(args: &[&str], env: &[(&str, &str)], stdin: &str) -> Run {
    let mut command = Command::new(env!("CARGO_BIN_EXE_adsterra"));
    command
        .args(args)
        .env_remove("ADSTERRA_API_KEY")
        .env_remove("ADSTERRA_BASE_URL")
        .env_remove("RUST_LOG")
        .envs(env.iter().copied())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command.spawn().expect("the adsterra binary runs");
    child
        .stdin
        .take()
        .expect("stdin is piped")
        .write_all(stdin.as_bytes())
        .expect("stdin takes the input");
    let output = child.wait_with_output().expect("the run ends");
    Run {
        stdout: String::from_utf8(output.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(output.stderr).expect("stderr is UTF-8"),
        code: output.status.code().expect("an exit code, not a signal"),
    }
}

/// Runs `adsterra --sandbox` (the embedded, seeded sandbox) with `args`.
pub fn sandboxed(args: &[&str]) -> Run {
    let mut all = vec!["--sandbox"];
    all.extend_from_slice(args);
    adsterra(&all, &[], "")
}

/// A sandbox that accepts [`TOKEN`], for runs that need a token or faults.
pub async fn sandbox(config: Config) -> Sandbox {
    Sandbox::start(config.with_token(TOKEN))
        .await
        .expect("the sandbox starts")
}

/// Runs `adsterra` against `sandbox` with the token in ADSTERRA_API_KEY.
pub fn against(sandbox: &Sandbox, args: &[&str]) -> Run {
    adsterra(
        args,
        &[
            ("ADSTERRA_API_KEY", TOKEN),
            ("ADSTERRA_BASE_URL", sandbox.base_url()),
        ],
        "",
    )
}

/// Snapshot settings that replace the sandbox's random port.
pub fn port_filter() -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.add_filter(r"127\.0\.0\.1:\d+", "127.0.0.1:PORT");
    settings
}
