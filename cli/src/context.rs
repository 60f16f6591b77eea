//! What every command runs with: a client built from the environment, a token file or the
//! embedded sandbox, the printer, and how to ask the person at the terminal.
//!
//! The embedded sandbox is the `sandbox` feature (on by default); a binary built without it
//! still takes `--sandbox`, and says how to get a binary that has it.

use std::future::Future;
use std::io::{self, BufRead, IsTerminal, Read, Write};
use std::path::Path;
use std::time::Duration;

use adsterra::{
    ApiToken, BodyLog, Client, DEFAULT_BASE_URL, ENV_API_KEY, ENV_BASE_URL, Error, RetryPolicy,
};

use crate::args::{Global, Output};
use crate::failure::{Class, Failure};
use crate::output::Printer;

/// A command's surroundings.
pub struct Context {
    pub client: Client,
    pub printer: Printer,
    /// Where requests go, for dry runs.
    pub base_url: String,
    /// Where the token came from, for dry runs (never the token).
    pub token_source: &'static str,
    /// Whether --token-file read stdin, which then cannot also give placements or answers.
    token_from_stdin: bool,
    /// With `--output raw`, the bodies the client keeps for the printer.
    bodies: Option<BodyLog>,
    /// Kept alive for the command's duration with `--sandbox`.
    _sandbox: Option<Sandbox>,
}

impl Context {
    pub async fn new(global: &Global) -> Result<Self, Failure> {
        let (token, base_url, token_source, sandbox) = if global.sandbox {
            let (token, base_url, sandbox) = start_sandbox().await?;
            (token, base_url, "the embedded sandbox", Some(sandbox))
        } else {
            let (token, source) = match &global.token_file {
                Some(path) => (read_text(path, "--token-file")?, "--token-file"),
                None => (
                    std::env::var(ENV_API_KEY).map_err(|_| no_token())?,
                    ENV_API_KEY,
                ),
            };
            let base_url = global
                .base_url
                .clone()
                .or_else(|| std::env::var(ENV_BASE_URL).ok())
                .unwrap_or_else(|| DEFAULT_BASE_URL.to_owned());
            (token, base_url, source, None)
        };
        let client = Client::builder()
            .token(ApiToken::new(token)?)
            .base_url(&base_url)
            .timeout(Duration::from_secs(global.timeout))
            .retry(RetryPolicy::default().with_max_retries(global.retries))
            .user_agent(concat!("adsterra-cli/", env!("CARGO_PKG_VERSION")))
            .build()?
            .with_format(global.format);
        let output = global.output.unwrap_or(if io::stdout().is_terminal() {
            Output::Table
        } else {
            Output::Json
        });
        let (client, bodies) = if output == Output::Raw {
            let (client, bodies) = client.keeping_bodies();
            (client, Some(bodies))
        } else {
            (client, None)
        };
        Ok(Self {
            client,
            bodies,
            printer: Printer::new(output),
            base_url,
            token_source,
            token_from_stdin: global.token_file.as_deref() == Some(Path::new("-")),
            _sandbox: sandbox,
        })
    }

    /// Runs one call of `self.client`; with `--output raw`, hands the bytes of its answers to
    /// the printer.
    pub async fn call<T>(
        &self,
        call: impl Future<Output = Result<T, Error>>,
    ) -> Result<T, Failure> {
        let outcome = call.await;
        if let Some(bodies) = &self.bodies {
            self.printer.keep(bodies.take());
        }
        Ok(outcome?)
    }

    /// The text of `path`, or of stdin for `-`, for the flag `flag`.
    pub fn read_input(&self, path: &Path, flag: &str) -> Result<String, Failure> {
        if path == Path::new("-") && self.token_from_stdin {
            return Err(Failure::usage(format!(
                "{flag} - and --token-file - cannot both read stdin; put one of them in a file"
            )));
        }
        read_text(path, flag)
    }

    /// Whether a person can be asked: stdin and stderr are a terminal, and stdin is not the
    /// token.
    pub fn interactive(&self) -> bool {
        !self.token_from_stdin && io::stdin().is_terminal() && io::stderr().is_terminal()
    }

    /// Goes on when `yes`, or when the person at the terminal agrees; otherwise stops with
    /// nothing changed.
    pub fn confirm(&self, question: &str, yes: bool) -> Result<(), Failure> {
        if yes {
            return Ok(());
        }
        if !self.interactive() {
            return Err(Failure::usage(format!(
                "{question}: there is no terminal to ask on, so pass --yes to confirm"
            )));
        }
        eprint!("{question}? [y/N] ");
        io::stderr().flush()?;
        let mut answer = String::new();
        io::stdin().lock().read_line(&mut answer)?;
        match answer.trim().to_ascii_lowercase().as_str() {
            "y" | "yes" => Ok(()),
            _ => Err(Failure::new(Class::Cancelled, "cancelled; nothing changed")),
        }
    }
}

/// The embedded sandbox's server, kept alive while a command runs.
#[cfg(feature = "sandbox")]
type Sandbox = adsterra_sandbox::Sandbox;

/// Without the `sandbox` feature there is no sandbox to keep: no value of this type exists.
#[cfg(not(feature = "sandbox"))]
enum Sandbox {}

/// Starts the embedded sandbox: its token, its base URL, and the server.
#[cfg(feature = "sandbox")]
async fn start_sandbox() -> Result<(String, String, Sandbox), Failure> {
    let sandbox = Sandbox::start(adsterra_sandbox::Config::default())
        .await
        .map_err(|error| {
            Failure::new(
                Class::Server,
                format!("cannot start the embedded sandbox: {error}"),
            )
        })?;
    Ok((
        sandbox.token().to_owned(),
        sandbox.base_url().to_owned(),
        sandbox,
    ))
}

/// A binary built without the `sandbox` feature says so, and how to get one that has it.
#[cfg(not(feature = "sandbox"))]
async fn start_sandbox() -> Result<(String, String, Sandbox), Failure> {
    Err(Failure::usage(
        "--sandbox: this adsterra was built without the `sandbox` feature (the embedded sandbox); install it with the default features (`cargo install adsterra-cli`) or add `--features sandbox`",
    ))
}

fn no_token() -> Failure {
    Failure::new(
        Class::Auth,
        "no API token: export ADSTERRA_API_KEY (the API page of the Adsterra dashboard) or pass --token-file PATH; --sandbox runs against a local sandbox without one",
    )
}

fn read_text(path: &Path, flag: &str) -> Result<String, Failure> {
    let mut text = String::new();
    if path == Path::new("-") {
        io::stdin().read_to_string(&mut text)
    } else {
        std::fs::File::open(path).and_then(|mut file| file.read_to_string(&mut text))
    }
    .map_err(|error| Failure::usage(format!("cannot read {flag} {}: {error}", path.display())))?;
    Ok(text)
}
