//! `verify-live --record DIR`: every answer verify-live reads, kept as VCR cassettes
//! (`adsterra_openapi::cassette`), one per operation of the spec, every format in it.
//!
//! What is kept is what a later reader needs to judge or replay the answer: the operation, the
//! method and URL, the status, the headers that say how to read the body or when to call again,
//! and the body byte for byte. The token never is: it travels in the `X-API-Key` header, which
//! is not recorded, and any echo of it in a URL, a header or a body is replaced by
//! [`adsterra::TOKEN_STAND_IN`] before anything is written.

use std::collections::BTreeMap;
use std::path::PathBuf;

use adsterra::{Client, KeptAnswer, Operation, OperationAnswer};
use adsterra_openapi::cassette::{Body, Cassette, Interaction, Request, Response, Status};
use adsterra_openapi::redact::redact;
use chrono::Utc;
use serde_json::Value;

use crate::failure::Failure;

/// Answer headers worth keeping: how to read the body, and when to call again.
fn kept(name: &str) -> bool {
    name == "content-type"
        || name == "retry-after"
        || name.contains("ratelimit")
        || name.contains("rate-limit")
}

/// What is kept of one answer.
struct Answer<'a> {
    operation: &'static Operation,
    status: u16,
    url: &'a reqwest::Url,
    headers: &'a reqwest::header::HeaderMap,
    body: &'a [u8],
}

/// The cassettes of one run, by operationId, written when it ends (with `--record`) and handed
/// to the proposer (with `--propose`).
pub struct Recorder {
    folder: Option<PathBuf>,
    /// Whether identifying values are replaced before anything is written.
    redact: bool,
    cassettes: BTreeMap<String, Cassette>,
}

impl Recorder {
    /// A recorder, writing into `folder` (created if need be) when there is one.
    pub fn new(folder: Option<PathBuf>, redact: bool) -> Result<Self, Failure> {
        if let Some(folder) = &folder {
            std::fs::create_dir_all(folder).map_err(|error| {
                Failure::usage(format!(
                    "--record {}: cannot create the folder ({error})",
                    folder.display()
                ))
            })?;
        }
        Ok(Recorder {
            folder,
            redact,
            cassettes: BTreeMap::new(),
        })
    }

    /// Keeps `answer`, with the token of `client` taken out of everything kept.
    pub fn record(&mut self, client: &Client, answer: &OperationAnswer) {
        self.keep(
            client,
            Answer {
                operation: answer.operation,
                status: answer.status,
                url: &answer.url,
                headers: &answer.headers,
                body: &answer.body,
            },
        );
    }

    /// Keeps an answer the write probes' client kept, as [`Recorder::record`] does.
    pub fn record_kept(&mut self, client: &Client, kept: &KeptAnswer) {
        self.keep(
            client,
            Answer {
                operation: kept.operation,
                status: kept.status,
                url: &kept.url,
                headers: &kept.headers,
                body: &kept.body,
            },
        );
    }

    fn keep(&mut self, client: &Client, answer: Answer<'_>) {
        let operation = answer.operation;
        let text = |bytes: &[u8]| String::from_utf8_lossy(&client.hide_token(bytes)).into_owned();
        let mut headers: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (name, value) in answer.headers {
            if kept(name.as_str()) {
                headers
                    .entry(name.as_str().to_owned())
                    .or_default()
                    .push(text(value.as_bytes()));
            }
        }
        let status = reqwest::StatusCode::from_u16(answer.status).ok();
        let interaction = Interaction {
            adsterra_operation: operation.endpoint.id().to_owned(),
            adsterra_format: operation.format.to_string(),
            request: Request {
                method: operation.method.as_str().to_ascii_lowercase(),
                uri: text(answer.url.as_str().as_bytes()),
                body: Body::of(b""),
                headers: BTreeMap::new(),
            },
            response: Response {
                status: Status {
                    code: answer.status,
                    message: status
                        .and_then(|s| s.canonical_reason())
                        .unwrap_or_default()
                        .to_owned(),
                },
                headers,
                body: Body::of(&client.hide_token(answer.body)),
                http_version: None,
            },
            recorded_at: Utc::now().to_rfc2822(),
        };
        self.cassettes
            .entry(operation.endpoint.id().to_owned())
            .or_insert_with(|| {
                Cassette::new(concat!("adsterra verify-live ", env!("CARGO_PKG_VERSION")))
            })
            .http_interactions
            .push(interaction);
    }

    /// Writes every cassette into the folder, if there is one, with the line to print (how
    /// many answers went into how many files); gives the cassettes back.
    pub fn finish(
        mut self,
        spec: &Value,
    ) -> Result<(Option<String>, BTreeMap<String, Cassette>), Failure> {
        let Some(folder) = &self.folder else {
            return Ok((None, self.cassettes));
        };
        let redacted = self.redact.then(|| redact(spec, &mut self.cassettes));
        let answers: usize = self
            .cassettes
            .values()
            .map(|c| c.http_interactions.len())
            .sum();
        for (operation, cassette) in &self.cassettes {
            cassette
                .write(folder, operation)
                .map_err(|error| Failure::usage(format!("--record: {error}")))?;
        }
        let mut line = format!(
            "recorded {answers} answers of {} operations into {}",
            self.cassettes.len(),
            folder.display()
        );
        if let Some(redacted) = redacted {
            line.push_str(&format!(
                ", with {} ids, {} names and {} URLs replaced by stand-ins",
                redacted.ids, redacted.names, redacted.urls
            ));
        }
        Ok((Some(line), self.cassettes))
    }
}
