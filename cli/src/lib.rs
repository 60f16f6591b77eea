//! `adsterra`: the command line over the `adsterra` client crate, for media buyers and ops
//! people who script the Advertiser API from a shell.
//!
//! It owns the grammar (`args`), where the token and base URL come from (`context`), how
//! results print (`output`, `records`), dry runs (`plan`), and the exit codes (`failure`). It
//! must not talk HTTP itself or know Adsterra's wire formats: every call goes through the client
//! crate, and the token never reaches an argument, an output or a log.

#![warn(missing_docs)]

mod args;
mod commands;
mod context;
mod failure;
mod input;
mod output;
mod plan;
mod records;

use std::io::ErrorKind;
use std::process::ExitCode;

use clap::{CommandFactory, Parser};

use crate::args::{Cli, Command};
use crate::context::Context;
use crate::failure::{Class, Failure};

/// The command line's grammar, for help, completions and tests.
pub fn command() -> clap::Command {
    Cli::command()
}

/// Parses the arguments, runs the command and says how it ended.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Command::Completions { shell } = cli.command {
        clap_complete::generate(shell, &mut command(), "adsterra", &mut std::io::stdout());
        return ExitCode::SUCCESS;
    }
    if let Command::Spec(command) = cli.command {
        return match commands::spec::run(command) {
            Ok(()) => ExitCode::SUCCESS,
            Err(failure) => report(&failure),
        };
    }
    if cli.global.verbose {
        // The policy's spans name the operation, method and path, never headers or the query.
        tracing_subscriber::fmt()
            .with_writer(std::io::stderr)
            .with_max_level(tracing::Level::DEBUG)
            .with_target(false)
            .init();
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            return report(&Failure::new(
                Class::Server,
                format!("cannot start: {error}"),
            ));
        }
    };
    let outcome = runtime.block_on(async {
        let context = Context::new(&cli.global).await?;
        commands::run(&context, cli.command).await
    });
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => report(&failure),
    }
}

fn report(failure: &Failure) -> ExitCode {
    // A reader that stopped early (`| head`) is not a failure.
    if failure.io_kind() == Some(ErrorKind::BrokenPipe) {
        return ExitCode::SUCCESS;
    }
    eprintln!("error: {failure}");
    failure.exit_code()
}
