//! The report of a verification run: for each read (an operation, or one of its runs) and each
//! format, the fields of its answer as [`verify`](crate::verify) judged them, or why there was no
//! answer to judge. It owns the run's conclusions: how many answers deviate from the spec, how
//! many were skipped, the totals per status, and which fields may be promoted in the spec
//! (confirmed in every format, still marked `likely` or `inferred`).
//!
//! It decides nothing about sending (which reads, with which values): that needs a client, and
//! stays with the caller (`adsterra verify-live`). It prints nothing either; the caller lays it
//! out.

use std::collections::BTreeMap;
use std::fmt;

use adsterra_formats::Format;

use crate::verify::{Field, Status};

/// What one read showed in one format.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Outcome {
    /// The answer was read and checked: its fields, as [`verify::check_answer`] gives them.
    ///
    /// [`verify::check_answer`]: crate::verify::check_answer
    Checked(Vec<Field>),
    /// The read could not be put together (no id to read, no value for a required parameter):
    /// why. Not a deviation: the spec lacks what it takes to reach the read.
    Skipped(String),
    /// The read was sent and gave no answer to check (the call failed, or the body was not its
    /// format): why. A deviation.
    Failed(String),
}

impl Outcome {
    /// How many deviations from the spec it counts: its deviating fields, one for a failed read.
    pub fn deviations(&self) -> usize {
        match self {
            Self::Checked(fields) => fields.iter().filter(|f| f.deviates()).count(),
            Self::Skipped(_) => 0,
            Self::Failed(_) => 1,
        }
    }

    /// The fields checked; none when there was no answer.
    pub fn fields(&self) -> &[Field] {
        match self {
            Self::Checked(fields) => fields,
            Self::Skipped(_) | Self::Failed(_) => &[],
        }
    }
}

/// A checked answer, or why the answer could not be read (a failed read).
impl From<Result<Vec<Field>, String>> for Outcome {
    fn from(checked: Result<Vec<Field>, String>) -> Self {
        match checked {
            Ok(fields) => Self::Checked(fields),
            Err(why) => Self::Failed(why),
        }
    }
}

/// Why there was no answer: `skipped: <why>` or the failure. A checked answer shows its count of
/// fields.
impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Checked(fields) => write!(f, "{} field(s) checked", fields.len()),
            Self::Skipped(why) => write!(f, "skipped: {why}"),
            Self::Failed(why) => f.write_str(why),
        }
    }
}

/// What one read showed in each format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Read {
    label: String,
    /// Keyed by the format's extension, so that formats are taken in one fixed order.
    outcomes: BTreeMap<&'static str, (Format, Outcome)>,
}

impl Read {
    /// What the read is: an operationId, or an operationId and how it was called.
    pub fn label(&self) -> &str {
        &self.label
    }

    /// The outcome in each format recorded, in the order of the formats' extensions (`csv`,
    /// `json`, `xml`).
    pub fn outcomes(&self) -> impl Iterator<Item = (Format, &Outcome)> {
        self.outcomes
            .values()
            .map(|(format, outcome)| (*format, outcome))
    }

    /// The outcome in `format`, if one was recorded.
    pub fn outcome(&self, format: Format) -> Option<&Outcome> {
        self.outcomes
            .get(format.extension())
            .map(|(_, outcome)| outcome)
    }

    /// One row per field seen in any format, in the order fields first show in
    /// [`outcomes`](Self::outcomes).
    pub fn rows(&self) -> Vec<Row> {
        let mut rows: Vec<Row> = Vec::new();
        for (format, outcome) in self.outcomes() {
            for field in outcome.fields() {
                let at = match rows.iter().position(|row| row.path == field.path) {
                    Some(at) => at,
                    None => {
                        rows.push(Row {
                            path: field.path.clone(),
                            evidence: field.evidence.clone(),
                            fields: Vec::new(),
                        });
                        rows.len() - 1
                    }
                };
                rows[at].fields.push((format, field.clone()));
            }
        }
        rows
    }
}

/// One field of a read across the formats.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// Where the field is in the answer, e.g. `items[].spent`.
    pub path: String,
    /// Its evidence mark in the spec, when it has one.
    pub evidence: Option<String>,
    fields: Vec<(Format, Field)>,
}

impl Row {
    /// The field as the answer in `format` showed it; `None` when that answer did not have it
    /// (or there was no answer).
    pub fn field(&self, format: Format) -> Option<&Field> {
        self.fields
            .iter()
            .find(|(shown, _)| *shown == format)
            .map(|(_, field)| field)
    }

    /// Whether every format confirmed it.
    pub fn confirmed_everywhere(&self) -> bool {
        Format::ALL.into_iter().all(|format| {
            self.field(format)
                .is_some_and(|field| field.status == Status::Confirmed)
        })
    }

    /// Whether the spec may mark it surer: confirmed in every format, marked `likely` or
    /// `inferred`.
    pub fn promotable(&self) -> bool {
        self.confirmed_everywhere()
            && matches!(self.evidence.as_deref(), Some("likely" | "inferred"))
    }
}

/// A field confirmed in every format that the spec still marks `likely` or `inferred`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Promotion {
    /// The read's label.
    pub read: String,
    /// The field's path.
    pub path: String,
    /// Its mark in the spec.
    pub mark: String,
}

/// `get_balance balance (inferred)`: the read, the field, its mark.
impl fmt::Display for Promotion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} ({})", self.read, self.path, self.mark)
    }
}

/// Every read of a run, in the order they were first recorded.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    reads: Vec<Read>,
}

impl Report {
    /// An empty report.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records what the read `label` showed in `format` (replacing an earlier outcome there).
    pub fn record(&mut self, label: &str, format: Format, outcome: Outcome) {
        let read = match self.reads.iter().position(|read| read.label == label) {
            Some(at) => &mut self.reads[at],
            None => {
                self.reads.push(Read {
                    label: label.to_owned(),
                    outcomes: BTreeMap::new(),
                });
                self.reads.last_mut().expect("just pushed")
            }
        };
        read.outcomes.insert(format.extension(), (format, outcome));
    }

    /// Records the read `label` as skipped in every format, for `why`.
    pub fn skip(&mut self, label: &str, why: &str) {
        for format in Format::ALL {
            self.record(label, format, Outcome::Skipped(why.to_owned()));
        }
    }

    /// Every read, in the order first recorded.
    pub fn reads(&self) -> &[Read] {
        &self.reads
    }

    /// How many deviations from the spec the run found (see [`Outcome::deviations`]).
    pub fn deviations(&self) -> usize {
        self.outcomes().map(Outcome::deviations).sum()
    }

    /// How many answers were skipped.
    pub fn skipped(&self) -> usize {
        self.outcomes()
            .filter(|outcome| matches!(outcome, Outcome::Skipped(_)))
            .count()
    }

    /// How many fields of all answers had each status, by [`Status::name`].
    pub fn totals(&self) -> BTreeMap<&'static str, usize> {
        let mut totals = BTreeMap::new();
        for field in self.outcomes().flat_map(Outcome::fields) {
            *totals.entry(field.status.name()).or_default() += 1;
        }
        totals
    }

    /// The fields that may be promoted in the spec, read by read, row by row.
    pub fn promotions(&self) -> Vec<Promotion> {
        self.reads
            .iter()
            .flat_map(|read| {
                read.rows()
                    .into_iter()
                    .filter(Row::promotable)
                    .map(|row| Promotion {
                        read: read.label.clone(),
                        path: row.path,
                        mark: row.evidence.unwrap_or_default(),
                    })
            })
            .collect()
    }

    fn outcomes(&self) -> impl Iterator<Item = &Outcome> {
        self.reads
            .iter()
            .flat_map(|read| read.outcomes().map(|(_, outcome)| outcome))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(path: &str, status: Status, evidence: Option<&str>) -> Field {
        Field {
            path: path.to_owned(),
            status,
            required: true,
            evidence: evidence.map(str::to_owned),
            at: None,
        }
    }

    #[test]
    fn a_field_confirmed_in_every_format_and_inferred_may_be_promoted() {
        let mut report = Report::new();
        for format in Format::ALL {
            let fields = vec![
                field("balance", Status::Confirmed, Some("inferred")),
                field("spent", Status::Confirmed, Some("confirmed")),
            ];
            report.record("balance read", format, Outcome::Checked(fields));
        }
        report.record(
            "balance read",
            Format::Xml,
            Outcome::Checked(vec![field("balance", Status::Confirmed, Some("inferred"))]),
        );
        let promotions: Vec<String> = report.promotions().iter().map(|p| p.to_string()).collect();
        assert_eq!(promotions, ["balance read balance (inferred)"]);
        assert_eq!(report.deviations(), 0);
        assert_eq!(report.totals().get("confirmed"), Some(&5));
    }

    #[test]
    fn a_failed_read_deviates_and_a_skipped_one_does_not() {
        let mut report = Report::new();
        report.skip("banner read", "no banner_id to read");
        report.record("stats read", Format::Csv, Outcome::Failed("not CSV".into()));
        report.record(
            "stats read",
            Format::Json,
            Outcome::Checked(vec![field(
                "items[].ctr",
                Status::WrongType("expected number".into()),
                None,
            )]),
        );
        assert_eq!(report.skipped(), 3);
        assert_eq!(report.deviations(), 2);
        let stats = &report.reads()[1];
        let formats: Vec<Format> = stats.outcomes().map(|(format, _)| format).collect();
        assert_eq!(formats, [Format::Csv, Format::Json]);
        let rows = stats.rows();
        assert_eq!(rows.len(), 1);
        assert!(rows[0].field(Format::Xml).is_none());
        assert!(!rows[0].confirmed_everywhere());
        assert_eq!(
            report.reads()[0]
                .outcome(Format::Xml)
                .map(ToString::to_string),
            Some("skipped: no banner_id to read".to_owned())
        );
    }
}
