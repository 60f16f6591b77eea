//! `adsterra sync`: the stats database kept up to date, with a progress bar on a terminal, the
//! migrations it applied on stderr and one summary line on stdout.

use std::io::Write;
use std::time::Duration;

use adsterra_sync::{Database, Progress, Summary, SyncError, SyncJob};
use indicatif::ProgressBar;

use crate::args::{Output, SyncArgs};
use crate::context::Context;
use crate::failure::{Class, Failure};

pub async fn run(context: &Context, args: SyncArgs) -> Result<(), Failure> {
    if context.printer.output() == Output::Raw {
        return Err(Failure::usage(
            "--output raw prints an answer of Adsterra, and sync prints a summary; use --output json",
        ));
    }
    let mut database = Database::open(&args.db).await.map_err(failure)?;
    // Its length is known once the run has planned its days (the first progress).
    let bar = super::stats::progress_bar("sync", 0);
    let job = SyncJob::new(&context.client, &mut database)
        .group_by(args.group_by.iter().copied())
        .revise_days(args.revise_days)
        .window_days(args.window_days)
        .wait(Duration::from_secs(args.wait))
        .on_progress(advance(bar.clone()));
    let job = match args.since {
        Some(day) => job.since(day),
        None => job,
    };
    let job = match args.until {
        Some(day) => job.until(day),
        None => job,
    };
    let result = job.run().await;
    bar.finish_and_clear();
    let summary = result.map_err(failure)?;
    print(context.printer.output(), &summary)
}

fn print(output: Output, summary: &Summary) -> Result<(), Failure> {
    let mut stderr = std::io::stderr().lock();
    for statement in &summary.migrations {
        writeln!(stderr, "migration applied: {statement}")?;
    }
    for run in &summary.died {
        writeln!(
            stderr,
            "run {run} of {} had died before it finished; marked died in sync_runs (its days \
             written are kept, and this run went on from them)",
            summary.table
        )?;
    }
    let mut stdout = std::io::stdout().lock();
    match output {
        Output::Table => writeln!(stdout, "{summary}")?,
        _ => {
            serde_json::to_writer(&mut stdout, summary).map_err(std::io::Error::from)?;
            writeln!(stdout)?;
        }
    }
    Ok(stdout.flush()?)
}

fn advance(bar: ProgressBar) -> impl FnMut(Progress) + Send + 'static {
    move |progress| {
        bar.set_length(progress.days_total);
        bar.set_position(progress.days_done);
        bar.set_message(progress.rows.to_string());
    }
}

/// The sync's failure as the command line says it: options by their flags, API failures as
/// every command classes them, the database's own class.
fn failure(error: SyncError) -> Failure {
    match error {
        SyncError::Invalid { field, message } => {
            Failure::usage(format!("--{}: {message}", field.replace('_', "-")))
        }
        SyncError::Api(error) => error.into(),
        SyncError::Answer { .. } => Failure::new(Class::Server, error.to_string()),
        SyncError::Busy {
            table,
            running,
            waited,
        } => {
            let holder = match running {
                Some(run) => format!(" ({run})"),
                None => String::new(),
            };
            Failure::new(
                Class::Busy,
                format!(
                    "another sync of {table} is running{holder}, and {}; let it finish, or \
                     pass --wait SECONDS to wait for it",
                    match waited.as_secs() {
                        0 => "this one did not wait".to_owned(),
                        n => format!("it did not end within --wait {n}"),
                    }
                ),
            )
        }
        _ => Failure::new(Class::Database, error.to_string()),
    }
}
