//! Checks a response (status, headers, body) against the published spec,
//! `spec/dist/adsterra-advertiser.lowered.json`.
//!
//! The integration tests of the sandbox call [`Conformance::check`] on every response they receive,
//! so the fake cannot drift from the document that clients are generated from. What a body must
//! be is not judged here: `adsterra-openapi`'s [`verify::check_answer`] judges it, the same
//! checker `adsterra verify-live` runs on the real API, and any field it finds deviating is a
//! problem. CSV and XML bodies are documented as plain strings, so they are checked against the
//! schema of the answer the operation table gives the operation (its JSON twin's).
//!
//! This module owns the test harness around that judgement: which status and media type the
//! spec documents for the operation (through [`walk`]), the `Allow` of an undocumented 405, the
//! `Retry-After` of a 429, and which responses were found conforming. It never changes the spec
//! (the spec is the source of truth, a failing check means the response is wrong) and it never
//! talks HTTP (the caller hands in what it received).

use std::collections::HashSet;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::{Mutex, PoisonError};

use adsterra_formats::Format;
use adsterra_openapi::{pointer, verify, walk};
use serde_json::{Value, json};
use wiremock::http::HeaderMap;

/// Validates responses against the lowered spec. Build once per test binary (e.g. in a
/// `LazyLock`).
pub struct Conformance {
    /// The lowered spec, as JSON.
    spec: Value,
    /// What an undocumented 405 must look like: the common error body in JSON.
    method_not_allowed: Value,
    /// `(operationId, status, body hash)` of every response found conforming.
    seen: Mutex<HashSet<(String, u16, u64)>>,
}

impl Conformance {
    /// Reads `spec/dist/adsterra-advertiser.lowered.json`.
    ///
    /// Panics when the spec cannot be read or documents something this checker cannot judge
    /// (an unknown media type, a CSV/XML answer the operation table does not know): a test helper
    /// should fail loudly rather than pass everything.
    pub fn load() -> Self {
        let path = crate::workspace_root().join(adsterra_codegen::derived::DIST_LOWERED);
        let text =
            std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        let spec: Value = serde_json::from_slice(&text)
            .unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()));
        Self::from_spec(spec)
    }

    fn from_spec(spec: Value) -> Self {
        for operation in walk::operations(&spec) {
            let id = operation.operation_id().unwrap_or_default();
            for status in operation.statuses() {
                let code = status
                    .replace("XX", "00")
                    .parse::<u16>()
                    .unwrap_or_else(|_| {
                        panic!("{id}: cannot check the status {status}");
                    });
                let response = operation.response(&spec, code).unwrap_or_else(|| {
                    panic!("{id} {status}: a dangling $ref");
                });
                for (media_type, _) in entries(&response["content"]) {
                    let format = format_of(media_type).unwrap_or_else(|| {
                        panic!("{id} {status}: cannot check media type {media_type}")
                    });
                    let schema = answer_schema(&spec, id, format, &Value::Null);
                    assert!(
                        schema.is_some(),
                        "{id} {status}: the operation table does not know its answer; run `cargo xtask generate`"
                    );
                }
            }
        }
        let method_not_allowed = json!({"content": {Format::Json.media_type(): {
            "schema": {"$ref": "#/components/schemas/ApiError"}
        }}});
        Conformance {
            spec,
            method_not_allowed,
            seen: Mutex::default(),
        }
    }

    /// Checks one response of `operation_id` (a lowered id such as `get_stats_csv`): the status is
    /// documented (exactly or by its `5XX` range; an undocumented 405 only with an `Allow` header
    /// and an `ApiError` body), the `Content-Type` is the documented media type, the body is what
    /// the spec says ([`verify::check_answer`]: no field deviates) and a 429 has a `Retry-After` of
    /// whole seconds.
    ///
    /// Returns every problem found, each a sentence naming the operation, the status and, for the
    /// body, the JSON pointer of the invalid instance.
    pub fn check(
        &self,
        operation_id: &str,
        status: u16,
        headers: &HeaderMap,
        body: &[u8],
    ) -> Result<(), Vec<String>> {
        let problems = self.problems(operation_id, status, headers, body);
        if !problems.is_empty() {
            return Err(problems);
        }
        let mut hasher = DefaultHasher::new();
        body.hash(&mut hasher);
        self.seen
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert((operation_id.to_owned(), status, hasher.finish()));
        Ok(())
    }

    /// Every lowered operationId, in the spec's order (paths as written, methods in OpenAPI's
    /// order).
    pub fn operation_ids(&self) -> Vec<String> {
        walk::operations(&self.spec)
            .iter()
            .filter_map(|operation| operation.operation_id().map(str::to_owned))
            .collect()
    }

    /// How many distinct `(operationId, status, body hash)` triples [`check`](Self::check) has
    /// found conforming so far. Failed checks are not counted, so deliberately broken responses
    /// in negative tests do not inflate it.
    pub fn validated(&self) -> usize {
        self.seen
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }

    fn problems(&self, id: &str, status: u16, headers: &HeaderMap, body: &[u8]) -> Vec<String> {
        let who = format!("{id} returned {status}");
        let operations = walk::operations(&self.spec);
        let Some(operation) = operations.iter().find(|op| op.operation_id() == Some(id)) else {
            return vec![format!("{who}, but the spec has no operation {id}")];
        };
        let mut problems = Vec::new();
        match operation.response(&self.spec, status) {
            Some(response) => self.check_body(&who, id, response, headers, body, &mut problems),
            // A router that knows the path but not the method answers 405; the spec does not
            // list it per operation, so it is held to the common error shape instead.
            None if status == 405 => {
                if header_text(headers, "allow").is_none_or(|allow| allow.trim().is_empty()) {
                    problems.push(format!("{who} without an Allow header"));
                }
                let response = &self.method_not_allowed;
                self.check_body(&who, id, response, headers, body, &mut problems);
            }
            None => {
                let documented: Vec<&str> = operation.statuses().collect();
                problems.push(format!(
                    "{who}, a status the spec does not document for it (documented: {})",
                    documented.join(", ")
                ));
                return problems;
            }
        }
        // The spec documents the header on every 429; clients rely on it to back off.
        if status == 429 {
            match header_text(headers, "retry-after") {
                None => problems.push(format!("{who} without a Retry-After header")),
                Some(value) if !is_delta_seconds(value) => problems.push(format!(
                    "{who} with Retry-After {value:?}, not a non-negative integer of seconds"
                )),
                Some(_) => {}
            }
        }
        problems
    }

    /// Checks the media type against the documented `response` and the body with the spec's
    /// checker, pushing every problem.
    fn check_body(
        &self,
        who: &str,
        id: &str,
        response: &Value,
        headers: &HeaderMap,
        body: &[u8],
        problems: &mut Vec<String>,
    ) {
        let bodies: Vec<(&String, &Value)> = entries(&response["content"]).collect();
        if bodies.is_empty() {
            if !body.is_empty() {
                problems.push(format!(
                    "{who} with a body of {} bytes where the spec documents none",
                    body.len()
                ));
            }
            return;
        }
        let documented = || {
            bodies
                .iter()
                .map(|(media_type, _)| media_type.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        };
        let Some(media_type) = header_text(headers, "content-type").map(|value| {
            value
                .split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        }) else {
            problems.push(format!(
                "{who} without a Content-Type header (documented: {})",
                documented()
            ));
            return;
        };
        let Some((format, schema)) = bodies
            .iter()
            .filter(|(documented, _)| documented.eq_ignore_ascii_case(&media_type))
            .find_map(|(documented, media)| {
                let format = format_of(documented)?;
                Some((
                    format,
                    answer_schema(&self.spec, id, format, &media["schema"])?,
                ))
            })
        else {
            problems.push(format!(
                "{who} with Content-Type {media_type}, but the spec documents {}",
                documented()
            ));
            return;
        };
        match verify::check_answer(&self.spec, &schema, format, body) {
            Ok(fields) => problems.extend(fields.iter().filter(|f| f.deviates()).map(|field| {
                let at = field.at.as_deref().unwrap_or("");
                let path = if field.path.is_empty() {
                    "the answer"
                } else {
                    &field.path
                };
                format!(
                    "{who} with a body invalid at {} ({path}): {}",
                    pointer_text(at),
                    field.status
                )
            })),
            Err(why) => problems.push(format!("{who} with a body that is not {format}: {why}")),
        }
    }
}

/// The schema a body in `format` is checked against: the documented `schema` for JSON; for CSV
/// and XML, which the spec documents as plain strings, the schema of the answer the operation
/// table gives the operation (the one its typed values decode into).
fn answer_schema(spec: &Value, id: &str, format: Format, schema: &Value) -> Option<Value> {
    match format {
        Format::Json => Some(schema.clone()),
        Format::Csv | Format::Xml => {
            let answer = adsterra_generated::Operation::find(id)?.answer;
            let reference = pointer::join(["components", "schemas", answer]);
            spec.pointer(&reference)?;
            Some(json!({ "$ref": format!("#{reference}") }))
        }
    }
}

/// The format whose media type this is.
fn format_of(media_type: &str) -> Option<Format> {
    Format::ALL
        .into_iter()
        .find(|format| format.media_type().eq_ignore_ascii_case(media_type))
}

/// The value of a header as text; a header that is not visible ASCII counts as absent.
fn header_text<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers.get(name).and_then(|value| value.to_str().ok())
}

/// RFC 9110 `delta-seconds`: one or more digits, nothing else (no sign, no fraction).
fn is_delta_seconds(value: &str) -> bool {
    let value = value.trim();
    !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit())
}

/// A JSON pointer as a sentence shows it; the root pointer is the empty string, which reads badly.
fn pointer_text(pointer: &str) -> &str {
    if pointer.is_empty() {
        "the root"
    } else {
        pointer
    }
}

/// The members of a JSON object in document order; nothing for anything else (an absent key).
fn entries(value: &Value) -> impl Iterator<Item = (&String, &Value)> {
    value.as_object().into_iter().flatten()
}

#[cfg(test)]
mod tests {
    use std::sync::LazyLock;

    use adsterra_generated::Endpoint;
    use wiremock::http::HeaderValue;

    use super::*;

    static CONFORMANCE: LazyLock<Conformance> = LazyLock::new(Conformance::load);

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, HeaderValue::from_str(value).unwrap());
        }
        map
    }

    fn json_headers() -> HeaderMap {
        headers(&[("content-type", "application/json")])
    }

    /// The JSON example of `get_stats` 200, straight from the lowered spec.
    fn stats_example() -> Value {
        let path = crate::workspace_root().join(adsterra_codegen::derived::DIST_LOWERED);
        let spec: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
        spec["paths"]["/stats.json"]["get"]["responses"]["200"]["content"]["application/json"]
            ["example"]
            .clone()
    }

    fn rejected(result: Result<(), Vec<String>>) -> Vec<String> {
        result.expect_err("the response should have been rejected")
    }

    #[test]
    fn a_valid_json_stats_body_passes() {
        let body = serde_json::to_vec(&stats_example()).unwrap();
        CONFORMANCE
            .check(Endpoint::GetStats.id(), 200, &json_headers(), &body)
            .unwrap();
        let with_charset = headers(&[("content-type", "Application/JSON; charset=utf-8")]);
        CONFORMANCE
            .check(Endpoint::GetStats.id(), 200, &with_charset, &body)
            .unwrap();
    }

    #[test]
    fn a_json_stats_body_with_a_text_impressions_names_the_pointer() {
        let mut example = stats_example();
        example["items"][0]["impressions"] = json!("x");
        let body = serde_json::to_vec(&example).unwrap();
        let problems =
            rejected(CONFORMANCE.check(Endpoint::GetStats.id(), 200, &json_headers(), &body));
        assert_eq!(problems.len(), 1, "{problems:?}");
        let problem = &problems[0];
        assert!(problem.starts_with("get_stats returned 200"), "{problem}");
        assert!(problem.contains("/items/0/impressions"), "{problem}");
    }

    #[test]
    fn csv_and_xml_stats_bodies_encoded_from_the_example_pass() {
        for (id, format) in [
            (Endpoint::GetStats.operation(Format::Csv).id, Format::Csv),
            (Endpoint::GetStats.operation(Format::Xml).id, Format::Xml),
        ] {
            let body = adsterra_formats::encode(format, &stats_example()).unwrap();
            let headers = headers(&[("content-type", format.media_type())]);
            CONFORMANCE
                .check(id, 200, &headers, body.as_bytes())
                .unwrap_or_else(|p| panic!("{id}: {p:?}"));
        }
    }

    #[test]
    fn a_csv_cell_that_is_not_a_number_names_the_field() {
        let body = "date;impressions;conversions;clicks;ctr;cpm;spent\n\
                    2018-02-15;many;0;0;0.0;0.412;141.321\n";
        let headers = headers(&[("content-type", "text/csv")]);
        let problems = rejected(CONFORMANCE.check(
            Endpoint::GetStats.operation(Format::Csv).id,
            200,
            &headers,
            body.as_bytes(),
        ));
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(
            problems[0].starts_with("get_stats_csv returned 200"),
            "{problems:?}"
        );
        assert!(problems[0].contains("/items/0/impressions"), "{problems:?}");
    }

    #[test]
    fn a_decoded_value_that_breaks_the_schema_fails() {
        // Typed decoding checks types; the schema still checks what types cannot (here `NaN`,
        // which an f64 accepts and JSON turns into null).
        let body = "date;impressions;conversions;clicks;ctr;cpm;spent\n\
                    2018-02-15;1;0;0;NaN;0.412;141.321\n";
        let headers = headers(&[("content-type", "text/csv")]);
        let problems = rejected(CONFORMANCE.check(
            Endpoint::GetStats.operation(Format::Csv).id,
            200,
            &headers,
            body.as_bytes(),
        ));
        assert!(problems[0].contains("/items/0/ctr"), "{problems:?}");
    }

    #[test]
    fn an_undocumented_status_fails_and_a_range_is_documented() {
        let error = br#"{"code": 404, "message": "Not found", "data": null}"#;
        let problems =
            rejected(CONFORMANCE.check(Endpoint::GetStats.id(), 404, &json_headers(), error));
        assert!(
            problems[0].contains("get_stats returned 404"),
            "{problems:?}"
        );
        assert!(problems[0].contains("does not document"), "{problems:?}");

        let error = br#"{"code": 503, "message": "Unavailable", "data": null}"#;
        CONFORMANCE
            .check(Endpoint::GetStats.id(), 503, &json_headers(), error)
            .unwrap();
    }

    #[test]
    fn an_undocumented_405_needs_an_allow_header_and_an_error_body() {
        let error = br#"{"code": 405, "message": "Method not allowed", "data": null}"#;
        let problems =
            rejected(CONFORMANCE.check(Endpoint::GetStats.id(), 405, &json_headers(), error));
        assert!(problems[0].contains("Allow"), "{problems:?}");

        let allowed = headers(&[("content-type", "application/json"), ("allow", "GET")]);
        CONFORMANCE
            .check(Endpoint::GetStats.id(), 405, &allowed, error)
            .unwrap();
        let problems = rejected(CONFORMANCE.check(Endpoint::GetStats.id(), 405, &allowed, b"{}"));
        assert!(problems[0].contains("code"), "{problems:?}");
    }

    #[test]
    fn a_wrong_content_type_fails() {
        let body = serde_json::to_vec(&stats_example()).unwrap();
        let xml = headers(&[("content-type", "application/xml")]);
        let problems = rejected(CONFORMANCE.check(Endpoint::GetStats.id(), 200, &xml, &body));
        assert!(problems[0].contains("application/xml"), "{problems:?}");
        let problems =
            rejected(CONFORMANCE.check(Endpoint::GetStats.id(), 200, &HeaderMap::new(), &body));
        assert!(
            problems[0].contains("without a Content-Type"),
            "{problems:?}"
        );

        // Error bodies are JSON even for CSV operations.
        let error = br#"{"code": 401, "message": "Token not found", "data": null}"#;
        let csv = headers(&[("content-type", "text/csv")]);
        let problems = rejected(CONFORMANCE.check(
            Endpoint::GetStats.operation(Format::Csv).id,
            401,
            &csv,
            error,
        ));
        assert!(problems[0].contains("text/csv"), "{problems:?}");
    }

    #[test]
    fn a_429_needs_a_retry_after_of_whole_seconds() {
        let error = br#"{"code": 429, "message": "Too many requests", "data": null}"#;
        let problems =
            rejected(CONFORMANCE.check(Endpoint::GetBalance.id(), 429, &json_headers(), error));
        assert_eq!(
            problems,
            ["get_balance returned 429 without a Retry-After header"]
        );
        for bad in ["-1", "1.5", "soon", "+3"] {
            let headers = headers(&[("content-type", "application/json"), ("retry-after", bad)]);
            assert!(
                CONFORMANCE
                    .check(Endpoint::GetBalance.id(), 429, &headers, error)
                    .is_err(),
                "{bad}"
            );
        }
        let headers = headers(&[("content-type", "application/json"), ("retry-after", "30")]);
        CONFORMANCE
            .check(Endpoint::GetBalance.id(), 429, &headers, error)
            .unwrap();
    }

    #[test]
    fn an_unknown_operation_fails() {
        let problems = rejected(CONFORMANCE.check("get_nothing", 200, &json_headers(), b"{}"));
        assert!(
            problems[0].contains("no operation get_nothing"),
            "{problems:?}"
        );
    }

    #[test]
    fn every_documented_example_conforms() {
        // Proves the conversion and the twin lookup on the whole spec, not just on stats.
        let path = crate::workspace_root().join(adsterra_codegen::derived::DIST_LOWERED);
        let spec: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
        let mut checked = 0;
        for operation in walk::operations(&spec) {
            let id = operation.operation_id().unwrap();
            for status in operation.statuses() {
                let code = status.replace("XX", "00").parse::<u16>().unwrap();
                let response = operation.response(&spec, code).unwrap();
                for (media_type, media) in entries(&response["content"]) {
                    // The one `example`, or each of the named `examples`.
                    let named = entries(&media["examples"]).map(|(_, named)| &named["value"]);
                    for example in media.get("example").into_iter().chain(named) {
                        let body = match example {
                            Value::String(text) if media_type != "application/json" => text.clone(),
                            example => example.to_string(),
                        };
                        let headers =
                            headers(&[("content-type", media_type), ("retry-after", "1")]);
                        CONFORMANCE
                            .check(id, code, &headers, body.as_bytes())
                            .unwrap_or_else(|p| panic!("{p:?}"));
                        checked += 1;
                    }
                }
            }
        }
        // Every operation has its 200 and at least the four shared errors.
        let operations = adsterra_generated::operation::OPERATIONS.len();
        assert!(checked >= operations * 5, "only {checked} examples");
    }

    #[test]
    fn operation_ids_cover_the_lowered_spec_in_order() {
        let ids = CONFORMANCE.operation_ids();
        assert_eq!(ids.len(), adsterra_generated::operation::OPERATIONS.len());
        assert_eq!(
            ids[..3],
            [
                Endpoint::GetBalance.id(),
                Endpoint::GetBalance.operation(Format::Csv).id,
                Endpoint::GetBalance.operation(Format::Xml).id
            ]
        );
        assert!(
            ids.iter()
                .any(|id| id == Endpoint::GetStats.operation(Format::Xml).id)
        );
    }

    #[test]
    fn validated_counts_distinct_conforming_responses() {
        let conformance = Conformance::load();
        let body = serde_json::to_vec(&stats_example()).unwrap();
        conformance
            .check(Endpoint::GetStats.id(), 200, &json_headers(), &body)
            .unwrap();
        conformance
            .check(Endpoint::GetStats.id(), 200, &json_headers(), &body)
            .unwrap();
        assert_eq!(conformance.validated(), 1);
        let balance = br#"{"balance": 1.5}"#;
        conformance
            .check(Endpoint::GetBalance.id(), 200, &json_headers(), balance)
            .unwrap();
        assert_eq!(conformance.validated(), 2);
        let other_balance = br#"{"balance": 2.5}"#;
        conformance
            .check(
                Endpoint::GetBalance.id(),
                200,
                &json_headers(),
                other_balance,
            )
            .unwrap();
        assert_eq!(conformance.validated(), 3);
        conformance
            .check(Endpoint::GetBalance.id(), 200, &json_headers(), b"{}")
            .unwrap_err();
        assert_eq!(conformance.validated(), 3);
    }
}
