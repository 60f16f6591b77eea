//! `cargo xtask verify-live`: call every read-only operation of the real API in every format and
//! check each answer against the spec, field by field. It never writes and never prints the
//! token; it reads the token from ADSTERRA_API_KEY only.
//!
//! Its report is how `inferred` and `likely` parts of the spec get promoted: a field confirmed in
//! every format can be marked `confirmed` (with the date and "verify-live" as its source).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::future::Future;
use std::path::Path;
use std::process::ExitCode;

use adsterra::{ApiToken, Client, DEFAULT_BASE_URL, ENV_API_KEY, ENV_BASE_URL, Error, Format};
use adsterra_codegen::derived::SPEC;
use adsterra_codegen::verify::{self, Carrier, Field, Status};
use chrono::{Days, Utc};
use serde_json::Value;

/// The formats every operation is asked in.
const FORMATS: [Format; 3] = [Format::Json, Format::Csv, Format::Xml];
/// Days of stats asked for, ending yesterday.
const STATS_DAYS: u64 = 7;

pub fn run(root: &Path, base_url: Option<String>) -> Result<ExitCode, String> {
    let token = std::env::var(ENV_API_KEY).map_err(|_| {
        format!("{ENV_API_KEY} is not set: export a real advertiser token (it is never taken as an argument)")
    })?;
    let base_url = base_url
        .or_else(|| std::env::var(ENV_BASE_URL).ok())
        .unwrap_or_else(|| DEFAULT_BASE_URL.to_owned());
    let spec = adsterra_codegen::load(&root.join(SPEC)).map_err(|e| e.to_string())?;
    let client = Client::builder()
        .token(ApiToken::new(token).map_err(|e| e.to_string())?)
        .base_url(&base_url)
        .build()
        .map_err(|e| e.to_string())?;
    let runtime = tokio::runtime::Runtime::new().map_err(|e| e.to_string())?;
    let report = runtime.block_on(verify(&client, &spec))?;
    println!("verify-live against {base_url} (read-only operations, every format)\n");
    print!("{}", report.render());
    Ok(if report.deviations() == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// What one operation showed in each format.
#[derive(Default)]
struct OperationReport {
    /// Per format: the fields, or why there is no answer to check.
    formats: BTreeMap<&'static str, Result<Vec<Field>, String>>,
}

#[derive(Default)]
struct Report {
    operations: Vec<(String, OperationReport)>,
}

async fn verify(client: &Client, spec: &Value) -> Result<Report, String> {
    let mut report = Report::default();
    let finish = Utc::now().date_naive() - Days::new(1);
    let start = finish - Days::new(STATS_DAYS - 1);
    let json = client.with_format(Format::Json);
    // The ids the other reads need come from the answers themselves (parsed loosely, so that a
    // campaign list off the spec still gives its ids).
    let (campaigns, bodies) = adsterra::capture_bodies(json.campaigns()).await;
    if let Err(Error::Unauthorized { .. } | Error::Forbidden { .. }) = &campaigns {
        return Err(format!(
            "the token was refused: {}",
            campaigns.err().map(|e| e.to_string()).unwrap_or_default()
        ));
    }
    let campaign = first_id(bodies.first(), "id");
    let banner = match campaign {
        Some(campaign) => {
            let (_, bodies) = adsterra::capture_bodies(json.campaign(campaign).banners()).await;
            first_id(bodies.first(), "id")
        }
        None => None,
    };
    for format in FORMATS {
        let c = client.with_format(format);
        check(&mut report, spec, format, "get_balance", c.balance()).await;
        check(&mut report, spec, format, "get_campaigns", c.campaigns()).await;
        check(&mut report, spec, format, "get_stats", async {
            let query = c.stats().between(start, finish);
            query.send().await
        })
        .await;
        check(
            &mut report,
            spec,
            format,
            "get_stats (grouped by every key)",
            async {
                use adsterra::StatsGroupBy::*;
                let query = c.stats().between(finish, finish);
                query
                    .group_by([Date, Campaign, Banner, Placement, Country])
                    .send()
                    .await
            },
        )
        .await;
        let Some(campaign) = campaign else {
            note(
                &mut report,
                format,
                "campaign reads",
                "skipped: no campaign to read",
            );
            continue;
        };
        let reads = c.campaign(campaign);
        check(&mut report, spec, format, "get_campaign", reads.get()).await;
        check(
            &mut report,
            spec,
            format,
            "get_campaign_banners",
            reads.banners(),
        )
        .await;
        check(
            &mut report,
            spec,
            format,
            "get_campaign_landings",
            reads.landings(),
        )
        .await;
        check(
            &mut report,
            spec,
            format,
            "get_campaign_blacklist",
            reads.blacklist().list(),
        )
        .await;
        check(
            &mut report,
            spec,
            format,
            "get_campaign_whitelist",
            reads.whitelist().list(),
        )
        .await;
        check(
            &mut report,
            spec,
            format,
            "get_custom_bids",
            reads.custom_bids().list(),
        )
        .await;
        match banner {
            Some(banner) => {
                let banner = c.banner(banner);
                check(
                    &mut report,
                    spec,
                    format,
                    "get_banner_landings",
                    banner.landings(),
                )
                .await;
            }
            None => note(
                &mut report,
                format,
                "get_banner_landings",
                "skipped: no banner to read",
            ),
        }
    }
    Ok(report)
}

/// Runs one read, keeping its body, and checks that body against the operation's answer schema.
async fn check<T>(
    report: &mut Report,
    spec: &Value,
    format: Format,
    label: &str,
    call: impl Future<Output = Result<T, Error>>,
) {
    let operation = label.split(' ').next().unwrap_or(label);
    let (outcome, bodies) = adsterra::capture_bodies(call).await;
    let result = match (outcome, bodies.last()) {
        // A body that does not decode is exactly what this checks; other failures have no body
        // worth reading.
        (Ok(_) | Err(Error::Decode { .. }), Some(body)) => fields(spec, operation, format, body),
        (Err(error), _) => Err(format!("call failed: {error}")),
        (Ok(_), None) => Err("no answer".to_owned()),
    };
    entry(report, label)
        .formats
        .insert(format.extension(), result);
}

fn note(report: &mut Report, format: Format, label: &str, why: &str) {
    entry(report, label)
        .formats
        .insert(format.extension(), Err(why.to_owned()));
}

fn entry<'a>(report: &'a mut Report, label: &str) -> &'a mut OperationReport {
    if let Some(at) = report.operations.iter().position(|(name, _)| name == label) {
        return &mut report.operations[at].1;
    }
    report
        .operations
        .push((label.to_owned(), OperationReport::default()));
    &mut report.operations.last_mut().expect("just pushed").1
}

/// The fields of `body` against the 200 answer schema of `operation`.
fn fields(
    spec: &Value,
    operation: &str,
    format: Format,
    body: &[u8],
) -> Result<Vec<Field>, String> {
    let schema = verify::answer_schema(spec, operation)
        .ok_or_else(|| format!("the spec has no JSON 200 answer for {operation}"))?;
    let is_list = schema
        .pointer("/properties/items/type")
        .is_some_and(|t| t == "array");
    let (value, carrier) = match format {
        Format::Json => (
            serde_json::from_slice(body).map_err(|e| format!("not JSON: {e}"))?,
            Carrier::Json,
        ),
        Format::Csv => {
            let rows: Value = adsterra_formats::decode(format, body).map_err(|e| e.to_string())?;
            // CSV carries the rows of a list (its count is the number of rows), or one object.
            let value = if is_list {
                serde_json::json!({ "items": rows })
            } else {
                rows.get(0).cloned().unwrap_or(Value::Null)
            };
            (value, Carrier::Text)
        }
        Format::Xml => (
            adsterra_formats::decode(format, body).map_err(|e| e.to_string())?,
            Carrier::Text,
        ),
    };
    let mut fields = verify::check(spec, schema, &value, carrier);
    if format == Format::Csv && is_list {
        fields.retain(|field| field.path != "itemCount");
    }
    Ok(fields)
}

/// The first `items[].key` of a JSON list answer, read loosely.
fn first_id(body: Option<&bytes::Bytes>, key: &str) -> Option<i64> {
    let value: Value = serde_json::from_slice(body?).ok()?;
    let id = value.get("items")?.get(0)?.get(key)?;
    id.as_i64().or_else(|| id.as_str()?.parse().ok())
}

impl Report {
    fn deviations(&self) -> usize {
        self.operations
            .iter()
            .flat_map(|(_, op)| op.formats.values())
            .map(|result| match result {
                Ok(fields) => fields.iter().filter(|f| f.deviates()).count(),
                Err(why) if why.starts_with("skipped") => 0,
                Err(_) => 1,
            })
            .sum()
    }

    /// One table per operation: a row per field, a column per format, the spec's mark last;
    /// then the totals and the fields that may be promoted.
    fn render(&self) -> String {
        let mut out = String::new();
        let mut totals: BTreeMap<&str, usize> = BTreeMap::new();
        let mut promote = Vec::new();
        for (operation, report) in &self.operations {
            let _ = writeln!(out, "{operation}");
            let mut rows: Vec<(String, Option<String>)> = Vec::new();
            let mut cells: BTreeMap<(String, &str), String> = BTreeMap::new();
            let mut details = Vec::new();
            for (format, result) in &report.formats {
                match result {
                    Err(why) => {
                        let _ = writeln!(out, "  {format}: {why}");
                    }
                    Ok(fields) => {
                        for field in fields {
                            if !rows.iter().any(|(path, _)| path == &field.path) {
                                rows.push((field.path.clone(), field.evidence.clone()));
                            }
                            let mut cell = field.status.name().to_owned();
                            if field.status == Status::Missing && !field.required {
                                cell.push_str(" (optional)");
                            }
                            if let Status::WrongType(detail) = &field.status {
                                details.push(format!("      {} in {format}: {detail}", field.path));
                            }
                            *totals.entry(field.status.name()).or_default() += 1;
                            cells.insert((field.path.clone(), *format), cell);
                        }
                    }
                }
            }
            for (path, evidence) in &rows {
                let mut line = format!("  {path:<40}");
                let mut everywhere = true;
                for format in FORMATS.map(|f| f.extension()) {
                    let cell = cells.get(&(path.clone(), format));
                    everywhere &= cell.is_some_and(|c| c == "confirmed");
                    let _ = write!(line, " {format}: {:<20}", cell.map_or("-", String::as_str));
                }
                let mark = evidence.as_deref().unwrap_or("-");
                let _ = writeln!(out, "{}  spec: {mark}", line.trim_end());
                if everywhere && matches!(mark, "likely" | "inferred") {
                    promote.push(format!("{operation} {path} ({mark})"));
                }
            }
            for detail in details {
                let _ = writeln!(out, "{detail}");
            }
            out.push('\n');
        }
        let totals: Vec<String> = totals.iter().map(|(k, v)| format!("{v} {k}")).collect();
        let _ = writeln!(
            out,
            "fields: {}; deviations from the spec: {}",
            totals.join(", "),
            self.deviations()
        );
        if !promote.is_empty() {
            let _ = writeln!(
                out,
                "\nconfirmed in every format but marked likely or inferred (promote in the spec):"
            );
            for line in promote {
                let _ = writeln!(out, "  {line}");
            }
        }
        out
    }
}
