//! `adsterra verify-live`: call every read of the spec in every format and check each answer
//! against the spec, field by field. It writes only with `--writes` (`writes.rs`), and never
//! prints the token.
//!
//! The reads come from the operation table, so a read added to the spec is checked as soon as
//! the workspace is regenerated. A path id is taken from the answer of the read the spec names
//! for it (`x-adsterra-link`); a required date is yesterday (UTC), other required values are the
//! spec's examples. Its report is how `inferred` and `likely` parts of the spec get promoted: a
//! field confirmed in every format can be marked `confirmed` (with the date and "verify-live" as
//! its source).
//!
//! What an answer must be, and what the run concludes (deviations, skipped answers, fields to
//! promote), is `adsterra-openapi`'s: [`verify::check_read`] judges each answer and
//! [`Report`] holds the run. This command only finds the values to send, sends the reads through
//! the client, and lays the report out as text.
//!
//! With `--probe-legacy`, and only then, one last informational line says whether the API still
//! accepts the legacy token-in-path form of old scripts (`/advertiser/<token>/campaigns.json`, no
//! `X-API-Key`): `accepted`, `refused (401 Token not found)` or `not answered (why)`. It comes
//! from [`Client::probe_legacy_token_path`] (one GET, the token in the path of an https request:
//! in a URL, which proxies and servers log, hence opt in) and never changes the exit code.

mod recorder;
mod writes;

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt::Write as _;
use std::future::Future;
use std::io::Write as _;
use std::pin::Pin;

use adsterra::operation::{Kind, Location, OPERATIONS, Parameter};
use adsterra::{Client, Endpoint, Error, Format, Operation, OperationAnswer};
use adsterra_openapi::report::{Outcome, Report};
use adsterra_openapi::verify::{self, Status};
use chrono::{Days, Utc};
use serde_json::Value;

use crate::args::VerifyLiveArgs;
use crate::context::Context;
use crate::failure::{Class, Failure};
use recorder::Recorder;

pub async fn run(context: &Context, args: VerifyLiveArgs) -> Result<(), Failure> {
    let spec: Value = serde_json::from_str(adsterra::raw::SPEC_JSON).map_err(|error| {
        Failure::new(
            Class::Server,
            format!("the published spec embedded in the command line is not JSON: {error}"),
        )
    })?;
    if let (true, Some(campaign)) = (args.writes, args.campaign) {
        context.confirm(
            &format!("write to campaign {campaign} for a moment (every change is undone)"),
            args.yes,
        )?;
    }
    let mut verifier = Verifier {
        client: &context.client,
        spec: &spec,
        ids: HashMap::new(),
        report: Report::new(),
        recorder: (args.record.is_some() || args.propose.is_some())
            .then(|| Recorder::new(args.record, args.redact))
            .transpose()?,
    };
    for operation in OPERATIONS.iter().filter(|o| o.format == Format::Json) {
        if operation.is_read() {
            verifier.verify(operation).await?;
        }
    }
    let mut recorder = verifier.recorder.take();
    let writes = match (args.writes, args.campaign) {
        (true, Some(campaign)) => Some((
            campaign,
            write_probes(&context.client, campaign, recorder.as_mut()).await?,
        )),
        _ => None,
    };
    let finished = recorder.map(|r| r.finish(&spec)).transpose()?;
    let (recorded, cassettes) = match finished {
        Some((line, cassettes)) => (line, cassettes),
        None => (None, Default::default()),
    };
    let report = verifier.report;
    let legacy = match args.probe_legacy {
        true => Some(legacy_line(&context.client).await),
        false => None,
    };
    let mut text = format!(
        "verify-live against {} (every read of the spec, every format)\n\n",
        context.base_url
    );
    text.push_str(&render(&report));
    if let Some((campaign, outcome)) = &writes {
        let _ = write!(text, "\n{}", outcome.text(*campaign));
    }
    if let Some(recorded) = recorded {
        let _ = writeln!(text, "\n{recorded}");
    }
    if let Some(legacy) = legacy {
        let _ = writeln!(text, "\n{legacy}");
    }
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    if let Some(output) = &args.propose {
        super::spec::write(&cassettes, output)?;
    }
    if let Some((campaign, outcome)) = &writes {
        writes_verdict(*campaign, outcome)?;
    }
    match report.deviations() {
        0 => Ok(()),
        n => Err(Failure::new(
            Class::Deviates,
            format!("{n} deviation(s) from the spec; the tables above say where"),
        )),
    }
}

/// The write probes on `campaign`, through a client that keeps their answers for `recorder`.
async fn write_probes(
    client: &Client,
    campaign: i64,
    recorder: Option<&mut Recorder>,
) -> Result<writes::Outcome, Failure> {
    let Some(recorder) = recorder else {
        return Ok(writes::run(client, campaign).await?);
    };
    let (keeping, kept) = client.keeping_bodies();
    let outcome = writes::run(&keeping, campaign).await?;
    for answer in kept.take_answers() {
        recorder.record_kept(client, &answer);
    }
    Ok(outcome)
}

/// A failure when a write step failed or the campaign is left changed.
fn writes_verdict(campaign: i64, outcome: &writes::Outcome) -> Result<(), Failure> {
    if !outcome.left_changed.is_empty() {
        return Err(Failure::new(
            Class::Server,
            format!(
                "campaign {campaign} is left changed: {}; change it back by hand",
                outcome.left_changed.join("; ")
            ),
        ));
    }
    match outcome.failed {
        0 => Ok(()),
        n => Err(Failure::new(
            Class::Deviates,
            format!("{n} write step(s) failed or read back wrong; the campaign is as it was"),
        )),
    }
}

/// One line saying whether the API still accepts the legacy token-in-path form. Informational:
/// whatever it says, verify-live's exit code is the reads'.
async fn legacy_line(client: &Client) -> String {
    let outcome = match client.probe_legacy_token_path().await {
        Ok(probe) => probe.to_string(),
        Err(error) => {
            let why = error.to_string();
            format!(
                "not answered ({})",
                why.split_whitespace().collect::<Vec<_>>().join(" ")
            )
        }
    };
    format!(
        "legacy token-in-path URLs ({}): {outcome}",
        client.legacy_probe_path()
    )
}

/// The values a call sends, by parameter name.
type Arguments = Vec<(&'static str, String)>;

struct Verifier<'a> {
    client: &'a Client,
    spec: &'a Value,
    /// The first id each linked read answered (or why it gave none), asked once.
    ids: HashMap<Endpoint, Result<String, String>>,
    report: Report,
    /// With `--record`, where every answer read is kept.
    recorder: Option<Recorder>,
}

impl Verifier<'_> {
    async fn verify(&mut self, operation: &'static Operation) -> Result<(), Failure> {
        let id = operation.endpoint.id();
        let arguments = match self.arguments(operation).await {
            Ok(arguments) => arguments,
            Err(Refused(error)) => return Err(error.into()),
            Err(Skipped(why)) => {
                self.report.skip(id, &why);
                return Ok(());
            }
        };
        let mut runs = vec![(id.to_owned(), arguments.clone())];
        // A list parameter with closed values (group_by[]) is also asked with every value.
        for parameter in operation.query_parameters {
            if parameter.repeated && !parameter.values.is_empty() {
                let mut every = arguments.clone();
                every.extend(
                    parameter
                        .values
                        .iter()
                        .map(|v| (parameter.name, v.to_string())),
                );
                runs.push((format!("{id} ({} every value)", parameter.name), every));
            }
        }
        for (label, arguments) in runs {
            for format in Format::ALL {
                let outcome = match self.send(operation.twin(format), &arguments).await {
                    Ok(body) => verify::check_read(self.spec, id, format, &body).into(),
                    Err(error @ (Error::Unauthorized { .. } | Error::Forbidden { .. })) => {
                        return Err(error.into());
                    }
                    Err(error) => Outcome::Failed(format!("call failed: {error}")),
                };
                self.report.record(&label, format, outcome);
            }
        }
        Ok(())
    }

    /// What `operation` is called with: its path ids, found through the spec's links, and a
    /// value for each required query parameter.
    fn arguments<'s>(
        &'s mut self,
        operation: &'static Operation,
    ) -> Pin<Box<dyn Future<Output = Result<Arguments, Missing>> + 's>> {
        Box::pin(async move {
            let mut arguments = Vec::new();
            for (location, parameter) in operation.parameters() {
                let value = match location {
                    Location::Path => self.path_id(operation, parameter).await?,
                    Location::Query if !parameter.required => continue,
                    Location::Query => query_value(operation, parameter)?,
                };
                arguments.push((parameter.name, value));
            }
            Ok(arguments)
        })
    }

    /// The first id the linked read answers, asked once per read.
    async fn path_id(
        &mut self,
        operation: &Operation,
        parameter: &Parameter,
    ) -> Result<String, Missing> {
        let link = parameter.link.ok_or_else(|| {
            Skipped(format!(
                "the spec does not say where a {} is found (add x-adsterra-link to the parameter)",
                parameter.name
            ))
        })?;
        if let Some(found) = self.ids.get(&link.endpoint) {
            return found.clone().map_err(Skipped);
        }
        let source = link.endpoint.operation(Format::Json);
        if source.endpoint == operation.endpoint {
            return Err(Skipped(format!("{} links to itself", parameter.name)));
        }
        let arguments = self.arguments(source).await?;
        let found = match self.send(source, &arguments).await {
            Err(error @ (Error::Unauthorized { .. } | Error::Forbidden { .. })) => {
                return Err(Refused(error));
            }
            Err(error) => Err(format!("{} failed: {error}", source.id)),
            Ok(body) => serde_json::from_slice::<Value>(&body)
                .ok()
                .and_then(|answer| match answer.pointer(link.pointer)? {
                    Value::Number(id) => Some(id.to_string()),
                    Value::String(id) => Some(id.clone()),
                    _ => None,
                })
                .ok_or_else(|| {
                    format!(
                        "no {} to read: {} answered nothing at {}",
                        parameter.name, source.id, link.pointer
                    )
                }),
        };
        self.ids.insert(link.endpoint, found.clone());
        found.map_err(Skipped)
    }

    /// Sends one read and gives back its body as it came, but for any echo of the token
    /// (the report quotes bodies it cannot read), recording the answer with `--record`.
    async fn send(
        &mut self,
        operation: &'static Operation,
        arguments: &Arguments,
    ) -> Result<bytes::Bytes, Error> {
        let answer = send(self.client, operation, arguments).await?;
        if let Some(recorder) = &mut self.recorder {
            recorder.record(self.client, &answer);
        }
        Ok(match self.client.hide_token(&answer.body) {
            Cow::Borrowed(_) => answer.body,
            Cow::Owned(hidden) => hidden.into(),
        })
    }
}

/// Why a call could not be put together.
enum Missing {
    /// The operation cannot be checked, and the report says why.
    Skipped(String),
    /// The token was refused: nothing can be checked.
    Refused(Error),
}

use Missing::{Refused, Skipped};

/// A required query value: yesterday (UTC) for a day, so the answer has data; the spec's
/// example otherwise.
fn query_value(operation: &Operation, parameter: &Parameter) -> Result<String, Missing> {
    if parameter.kind == Kind::Date {
        let yesterday = Utc::now().date_naive() - Days::new(1);
        return Ok(yesterday.format("%Y-%m-%d").to_string());
    }
    parameter.example.map(str::to_owned).ok_or_else(|| {
        Skipped(format!(
            "{} needs {} and the spec gives no example of it",
            operation.id, parameter.name
        ))
    })
}

/// Sends one read and gives back its answer as it came.
async fn send(
    client: &Client,
    operation: &'static Operation,
    arguments: &Arguments,
) -> Result<OperationAnswer, Error> {
    let mut call = client.call(operation);
    for (name, value) in arguments {
        call = call.param(name, value.clone())?;
    }
    call.send().await
}

/// One table per read: a row per field, a column per format, the spec's mark last; then the
/// totals and the fields that may be promoted.
fn render(report: &Report) -> String {
    let mut out = String::new();
    for read in report.reads() {
        let _ = writeln!(out, "{}", read.label());
        for (format, outcome) in read.outcomes() {
            if !matches!(outcome, Outcome::Checked(_)) {
                let _ = writeln!(out, "  {format}: {outcome}");
            }
        }
        for row in read.rows() {
            let mut line = format!("  {:<40}", row.path);
            for format in Format::ALL {
                let cell = row.field(format).map_or("-".to_owned(), |field| {
                    let optional = field.status == Status::Missing && !field.required;
                    format!(
                        "{}{}",
                        field.status.name(),
                        if optional { " (optional)" } else { "" }
                    )
                });
                let _ = write!(line, " {format}: {cell:<20}");
            }
            let mark = row.evidence.as_deref().unwrap_or("-");
            let _ = writeln!(out, "{}  spec: {mark}", line.trim_end());
        }
        for (format, outcome) in read.outcomes() {
            for field in outcome.fields() {
                if let Status::WrongType(detail) = &field.status {
                    let _ = writeln!(out, "      {} in {format}: {detail}", field.path);
                }
            }
        }
        out.push('\n');
    }
    let totals: Vec<String> = report
        .totals()
        .iter()
        .map(|(status, count)| format!("{count} {status}"))
        .collect();
    let _ = writeln!(
        out,
        "reads: {}; fields: {}; answers skipped: {}; deviations from the spec: {}",
        report.reads().len(),
        totals.join(", "),
        report.skipped(),
        report.deviations()
    );
    let promotions = report.promotions();
    if !promotions.is_empty() {
        let _ = writeln!(
            out,
            "\nconfirmed in every format but marked likely or inferred (promote in the spec):"
        );
        for promotion in promotions {
            let _ = writeln!(out, "  {promotion}");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use adsterra::ApiToken;

    use super::*;

    fn parameter(kind: Kind, example: Option<&'static str>) -> Parameter {
        Parameter {
            name: "thing_id",
            aliases: &[],
            required: true,
            kind,
            repeated: false,
            values: &[],
            pattern: None,
            no_filter: None,
            example,
            link: None,
        }
    }

    const TOKEN: &str = "0123456789abcdef0123456789abcdef";

    fn client(base_url: &str, token: &str) -> Client {
        Client::builder()
            .base_url(base_url)
            .token(ApiToken::new(token).unwrap())
            .retry(adsterra::RetryPolicy::none())
            .build()
            .unwrap()
    }

    #[tokio::test]
    async fn the_legacy_line_says_accepted_refused_or_not_answered_on_one_line() {
        let sandbox = adsterra_sandbox::Sandbox::start(Default::default())
            .await
            .unwrap();
        let prefix = "legacy token-in-path URLs (/advertiser/<token>/campaigns.json): ";
        let accepted = legacy_line(&client(sandbox.base_url(), sandbox.token())).await;
        assert_eq!(accepted, format!("{prefix}accepted"));
        let revoked = legacy_line(&client(sandbox.base_url(), sandbox.revoked_token())).await;
        assert_eq!(revoked, format!("{prefix}refused (403 Invalid token)"));
        let unknown = legacy_line(&client(sandbox.base_url(), TOKEN)).await;
        assert_eq!(unknown, format!("{prefix}refused (401 Token not found)"));
        // A port that was just free: nothing listens there.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let closed = legacy_line(&client(
            &format!("http://127.0.0.1:{port}/advertiser"),
            TOKEN,
        ))
        .await;
        assert!(
            closed.starts_with(&format!("{prefix}not answered (")),
            "{closed}"
        );
        for line in [accepted, revoked, unknown, closed] {
            assert!(!line.contains('\n'), "{line}");
            for token in [sandbox.token(), sandbox.revoked_token(), TOKEN] {
                assert!(!line.contains(token), "{line}");
            }
        }
    }

    #[tokio::test]
    async fn a_read_whose_values_cannot_be_found_is_skipped_with_why() {
        let stats = Endpoint::GetStats.operation(Format::Json);
        let why = |missing| match missing {
            Skipped(why) => why,
            Refused(error) => panic!("refused: {error}"),
        };
        // A required value with no example.
        let text = why(query_value(stats, &parameter(Kind::Text, None)).unwrap_err());
        assert!(
            text.contains("thing_id") && text.contains("no example"),
            "{text}"
        );
        // A day is yesterday; anything else is the spec's example.
        assert_eq!(
            query_value(stats, &parameter(Kind::Integer, Some("7"))).ok(),
            Some("7".to_owned())
        );
        // A path id the spec links nowhere: nothing is sent, the report says what to add.
        let client = Client::builder()
            .base_url("http://127.0.0.1:9/advertiser")
            .token(ApiToken::new("0123456789abcdef0123456789abcdef").unwrap())
            .build()
            .unwrap();
        let spec = Value::Null;
        let mut verifier = Verifier {
            client: &client,
            spec: &spec,
            ids: HashMap::new(),
            report: Report::new(),
            recorder: None,
        };
        let unlinked = parameter(Kind::Integer, None);
        let text = why(verifier.path_id(stats, &unlinked).await.unwrap_err());
        assert!(text.contains("x-adsterra-link"), "{text}");
    }
}
