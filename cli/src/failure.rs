//! Why a command failed: one line that says what to do, and an exit code per class.

use std::fmt;
use std::process::ExitCode;

use adsterra::Error;

/// The exit codes, as `--help` lists them: the one list of them with their meanings. Each
/// class's number is [`Class::code`] (a test below checks the two agree), and
/// `cli/tests/docs.rs` checks that the READMEs list exactly these codes.
pub const EXIT_CODES_HELP: &str = "\
Exit codes:
  0  success
  1  cancelled at a confirmation prompt, output could not be written, or verify-live found
     answers that deviate from the spec
  2  usage: a command, flag or value is wrong, or a file cannot be read
  3  auth: no token, or Adsterra refused it (401, 403)
  4  not found: the id does not exist or belongs to another account (404)
  5  validation: a value was refused, before sending or by Adsterra (422)
  6  rate limited: still 429 after retrying; wait and run again
  7  server or transport: Adsterra failed (5xx), timed out, dropped the connection or answered
     off the spec
  8  database: sync could not open, read or write its database
  9  busy: another sync is writing the same table (see sync --wait)

Environment:
  ADSTERRA_API_KEY   the API token (or use --token-file)
  ADSTERRA_BASE_URL  the API's base URL (or use --base-url)";

/// A class of failure; its number is the exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    Cancelled,
    /// verify-live saw answers that deviate from the spec (exit 1, as a cancelled run).
    Deviates,
    Usage,
    Auth,
    NotFound,
    Validation,
    RateLimited,
    Server,
    Database,
    /// Another sync holds the table.
    Busy,
}

impl Class {
    /// The exit code of a command that fails this way.
    pub fn code(self) -> u8 {
        match self {
            Class::Cancelled | Class::Deviates => 1,
            Class::Usage => 2,
            Class::Auth => 3,
            Class::NotFound => 4,
            Class::Validation => 5,
            Class::RateLimited => 6,
            Class::Server => 7,
            Class::Database => 8,
            Class::Busy => 9,
        }
    }
}

/// A failed command: its class and the line printed on stderr.
#[derive(Debug)]
pub struct Failure {
    pub class: Class,
    message: String,
    /// Set when writing the output failed, so a closed pipe can end quietly.
    io_kind: Option<std::io::ErrorKind>,
}

impl Failure {
    pub fn new(class: Class, message: impl Into<String>) -> Self {
        Self {
            class,
            message: message.into(),
            io_kind: None,
        }
    }

    pub fn io_kind(&self) -> Option<std::io::ErrorKind> {
        self.io_kind
    }

    pub fn usage(message: impl Into<String>) -> Self {
        Self::new(Class::Usage, message)
    }

    pub fn exit_code(&self) -> ExitCode {
        ExitCode::from(self.class.code())
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// Writing the output failed (a closed pipe is handled before this).
impl From<std::io::Error> for Failure {
    fn from(error: std::io::Error) -> Self {
        Self {
            io_kind: Some(error.kind()),
            ..Self::new(
                Class::Cancelled,
                format!("cannot write the output: {error}"),
            )
        }
    }
}

impl From<Error> for Failure {
    fn from(error: Error) -> Self {
        let class = class(&error);
        // The crate's texts name its Rust API where the command line has a flag instead.
        let message = match &error {
            Error::Timeout { call, .. } => format!(
                "{call}: no answer within the timeout; raise --timeout (seconds) or ask for a shorter range"
            ),
            Error::RateLimited {
                call,
                retry_after: None,
                ..
            } => format!("{call}: rate limited (429) after retrying; wait a minute and run again"),
            Error::InvalidInput {
                field: "base_url", ..
            } => format!("{error}; check --base-url or ADSTERRA_BASE_URL"),
            _ => error.to_string(),
        };
        Self::new(class, message)
    }
}

fn class(error: &Error) -> Class {
    match error {
        Error::InvalidInput { field, .. } => match *field {
            "token" | "ADSTERRA_API_KEY" => Class::Auth,
            "base_url" => Class::Usage,
            _ => Class::Validation,
        },
        Error::Unauthorized { .. } | Error::Forbidden { .. } => Class::Auth,
        Error::NotFound { .. } => Class::NotFound,
        Error::Validation { .. } => Class::Validation,
        Error::RateLimited { .. } => Class::RateLimited,
        Error::PartiallyApplied { source, .. } => class(source),
        _ => Class::Server,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The codes `--help` lists, in order.
    fn listed_codes() -> Vec<u8> {
        EXIT_CODES_HELP
            .lines()
            .skip_while(|line| *line != "Exit codes:")
            .skip(1)
            .take_while(|line| !line.is_empty())
            .filter_map(|line| line.split_whitespace().next()?.parse().ok())
            .collect()
    }

    #[test]
    fn help_lists_every_exit_code_a_failure_can_have_and_no_other() {
        let classes = [
            Class::Cancelled,
            Class::Deviates,
            Class::Usage,
            Class::Auth,
            Class::NotFound,
            Class::Validation,
            Class::RateLimited,
            Class::Server,
            Class::Database,
            Class::Busy,
        ];
        // A class added to the enum fails to compile here until it is added above.
        for class in classes {
            match class {
                Class::Cancelled
                | Class::Deviates
                | Class::Usage
                | Class::Auth
                | Class::NotFound
                | Class::Validation
                | Class::RateLimited
                | Class::Server
                | Class::Database
                | Class::Busy => {}
            }
        }
        let mut codes: Vec<u8> = classes.iter().map(|class| class.code()).collect();
        codes.push(0);
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(listed_codes(), codes, "{EXIT_CODES_HELP}");
    }
}
