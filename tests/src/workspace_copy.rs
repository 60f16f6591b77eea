//! A copy of the whole workspace that a test edits and builds, and the copy's sandbox binary
//! serving on a free port: what the end-to-end tests (`additive.rs`, `spec_loop.rs`) share.
//!
//! The copy lives in `target/workspace-copy/ws` and builds into `target/workspace-copy/target`,
//! seeded once from this checkout's build so that only the workspace's own crates build again.
//! One copy at a time: the tests that use it are separate test binaries, which cargo runs one
//! after another.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use crate::support::{copy_workspace, source_files};
use crate::workspace_root;

/// The copy, and where it builds.
pub struct Copy {
    /// The copy's root.
    pub root: PathBuf,
    /// Its target folder.
    pub target: PathBuf,
}

impl Copy {
    /// A fresh copy of the workspace's sources (any earlier copy is removed; its build is kept).
    pub fn make() -> Self {
        let base = workspace_root().join("target/workspace-copy");
        let root = base.join("ws");
        let _ = std::fs::remove_dir_all(&root);
        copy_workspace(&root);
        let target = base.join("target");
        // The copy's build, and the build its own semver test makes of another copy.
        let builds = [
            ("target/debug", target.join("debug")),
            (
                "target/semver-check/target",
                root.join("target/semver-check/target"),
            ),
        ];
        for (from, to) in builds {
            if !to.exists() {
                seed(&workspace_root().join(from), &to);
            }
        }
        Copy { root, target }
    }

    /// Runs cargo in the copy, with its own target folder, no token and no INSTA_ settings of
    /// the caller (but those in `env`).
    pub fn cargo(&self, args: &[&str], env: &[(&str, &str)]) -> Output {
        let mut command = Command::new(env!("CARGO"));
        command
            .args(args)
            .current_dir(&self.root)
            .env("CARGO_TARGET_DIR", &self.target)
            .env("CARGO_TERM_COLOR", "never")
            .env_remove("ADSTERRA_API_KEY")
            .env_remove("ADSTERRA_BASE_URL");
        for (name, _) in std::env::vars().filter(|(name, _)| name.starts_with("INSTA_")) {
            command.env_remove(name);
        }
        // The copy's sync tests use this checkout's PostgreSQL server, never one of their own.
        command.env(
            "ADSTERRA_TEST_POSTGRES",
            crate::databases::postgres_server(),
        );
        command.envs(env.iter().copied());
        command.output().expect("cargo runs")
    }

    /// A binary the copy built.
    pub fn binary(&self, name: &str) -> PathBuf {
        self.target.join("debug").join(name)
    }

    /// Runs the copy's `adsterra` with `args` and the environment `env` (no inherited token):
    /// stdout, stderr and the exit code.
    pub fn adsterra(&self, args: &[&str], env: &[(&str, &str)]) -> (String, String, i32) {
        let output = Command::new(self.binary("adsterra"))
            .args(args)
            .env_remove("ADSTERRA_API_KEY")
            .env_remove("ADSTERRA_BASE_URL")
            .envs(env.iter().copied())
            .output()
            .expect("the copy's adsterra runs");
        (
            String::from_utf8_lossy(&output.stdout).into_owned(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
            output.status.code().unwrap_or(-1),
        )
    }

    /// Every file of the copy (not build output) and its content.
    pub fn files(&self) -> BTreeMap<String, Vec<u8>> {
        source_files(&self.root)
            .into_iter()
            .map(|file| {
                let content = std::fs::read(self.root.join(&file)).unwrap();
                (file.display().to_string(), content)
            })
            .collect()
    }

    /// Accepts every pending snapshot (`.snap.new`), as `cargo insta accept` does; gives the
    /// accepted snapshots' paths.
    pub fn accept_snapshots(&self) -> Vec<String> {
        let mut accepted = Vec::new();
        for (path, _) in self.files() {
            if let Some(snapshot) = path.strip_suffix(".new") {
                std::fs::rename(self.root.join(&path), self.root.join(snapshot)).unwrap();
                accepted.push(snapshot.to_owned());
            }
        }
        accepted
    }
}

/// Seeds one of the copy's empty target folders with the workspace's build output, so that the copy
/// builds only its own crates (they differ by path) instead of every dependency again: most of
/// a copy's time on a fresh machine. `cp -a` keeps the file times cargo's freshness checks
/// read. The incremental caches are the workspace's own (a third of the folder here) and are
/// not copied. Should the copy fail, the copy's build starts from nothing, which is slower but
/// the same.
fn seed(from: &Path, to: &Path) {
    let Ok(entries) = std::fs::read_dir(from) else {
        return;
    };
    if std::fs::create_dir_all(to).is_err() {
        return;
    }
    let sources: Vec<PathBuf> = entries
        .filter_map(|entry| Some(entry.ok()?.path()))
        .filter(|path| path.file_name().is_some_and(|name| name != "incremental"))
        .collect();
    let copied = Command::new("cp").arg("-a").args(&sources).arg(to).status();
    if !copied.is_ok_and(|status| status.success()) {
        let _ = std::fs::remove_dir_all(to);
    }
}

/// A command's stdout and stderr, for assertion messages.
pub fn text(output: &Output) -> String {
    format!(
        "{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// A sandbox binary, serving on a free port until dropped.
pub struct SandboxProcess {
    child: std::process::Child,
    /// Its base URL.
    pub url: String,
    /// The token it takes.
    pub token: String,
    /// Kept open: the sandbox may still print, and a closed pipe would stop it.
    _stdout: std::io::Lines<BufReader<std::process::ChildStdout>>,
}

impl SandboxProcess {
    /// Starts `binary` with no rate limit and `args` (`--drift`, ...).
    pub fn start(binary: &Path, args: &[&str]) -> Self {
        let mut child = Command::new(binary)
            .args(["--port", "0", "--rate-limit", "0"])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("the sandbox starts");
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let (mut url, mut token) = (None, None);
        while url.is_none() || token.is_none() {
            let line = lines
                .next()
                .expect("the sandbox prints its URL and token")
                .unwrap();
            if let Some(rest) = line.strip_prefix("Adsterra sandbox serving ") {
                url = Some(rest.to_owned());
            }
            if let Some(rest) = line.strip_prefix("X-API-Key: ") {
                token = Some(rest.to_owned());
            }
        }
        Self {
            child,
            url: url.unwrap(),
            token: token.unwrap(),
            _stdout: lines,
        }
    }
}

impl Drop for SandboxProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
