//! `adsterra spec propose DIR`: the spec change that recorded answers ask for, as an OpenAPI
//! Overlay; also what `verify-live --propose FILE` writes. The rules are
//! `adsterra_openapi::propose`'s; this reads the cassettes, writes the overlay as YAML and says
//! what it noted and what no action could express. It needs no token and sends nothing.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use adsterra_openapi::cassette::Cassette;
use adsterra_openapi::propose::{Proposal, propose};
use chrono::{DateTime, NaiveDate, Utc};
use serde_json::Value;

use crate::args::SpecCommand;
use crate::failure::{Class, Failure};

pub fn run(command: SpecCommand) -> Result<(), Failure> {
    match command {
        SpecCommand::Propose { dir, overlay } => {
            let cassettes = Cassette::read_folder(&dir)
                .map_err(|error| Failure::usage(format!("spec propose: {error}")))?;
            if cassettes.is_empty() {
                return Err(Failure::usage(format!(
                    "spec propose: {} holds no cassette (*.json); record some with `adsterra verify-live --record {}`",
                    dir.display(),
                    dir.display()
                )));
            }
            write(&cassettes, &overlay)
        }
    }
}

/// Proposes the overlay for `cassettes`, writes it to `output` as YAML and prints what it
/// noted; fails (exit 1) when a deviation could not be expressed.
pub fn write(cassettes: &BTreeMap<String, Cassette>, output: &Path) -> Result<(), Failure> {
    let spec: Value = serde_json::from_str(adsterra::raw::SPEC_JSON).map_err(|error| {
        Failure::new(
            Class::Server,
            format!("the embedded spec is not JSON: {error}"),
        )
    })?;
    let proposal = propose(&spec, cassettes, recorded_on(cassettes));
    let yaml = serde_yaml_ng::to_string(&proposal.overlay).map_err(|error| {
        Failure::new(
            Class::Server,
            format!("the overlay does not serialise: {error}"),
        )
    })?;
    std::fs::write(output, yaml)
        .map_err(|error| Failure::usage(format!("cannot write {}: {error}", output.display())))?;
    eprint!("{}", summary(&proposal, output));
    match proposal.inexpressible.len() {
        0 => Ok(()),
        n => Err(Failure::new(
            Class::Deviates,
            format!(
                "{n} deviation(s) no overlay action can express (listed above); edit the spec by hand for them"
            ),
        )),
    }
}

/// The lines a reviewer reads first: how many actions, the notes, what could not be expressed.
fn summary(proposal: &Proposal, output: &Path) -> String {
    let mut text = format!(
        "wrote {} actions to {} (apply with `cargo xtask spec apply {}`)\n",
        proposal.overlay.actions.len(),
        output.display(),
        output.display()
    );
    for note in &proposal.notes {
        let _ = writeln!(text, "note: {note}");
    }
    for deviation in &proposal.inexpressible {
        let _ = writeln!(text, "not expressible: {deviation}");
    }
    text
}

/// The day of the latest recording, for the sources the overlay writes (today if none says).
fn recorded_on(cassettes: &BTreeMap<String, Cassette>) -> NaiveDate {
    cassettes
        .values()
        .flat_map(|c| &c.http_interactions)
        .filter_map(|i| DateTime::parse_from_rfc2822(&i.recorded_at).ok())
        .map(|at| at.with_timezone(&Utc).date_naive())
        .max()
        .unwrap_or_else(|| Utc::now().date_naive())
}
