//! What changed between two versions of the spec, and whether each change breaks clients.
//!
//! Operations are matched by `operationId`, parameters by where they go and their name, fields by
//! name. Every difference a client could notice is listed, classified from the side of a client
//! generated from the old spec and run against a server that follows the new one:
//!
//! - **breaking:** an operation, parameter, request body, response, media type or field removed;
//!   an operation moved to another method or path; a new required parameter or request field; a
//!   type or format changed; a request enum narrowed (a value clients send is refused) or a
//!   response enum widened (clients cannot decode the new value); a response field no longer
//!   required, or now nullable; a request value no longer nullable;
//! - **not breaking:** anything added that clients need not send (operations, optional parameters
//!   and request fields, response fields, status codes, media types), a request enum widened, a
//!   response enum narrowed, a requirement relaxed on the request side or tightened on the
//!   response side, a value added to or dropped from an open set (`x-adsterra-known-values`:
//!   clients keep values they do not know, so the list informs and never refuses).
//!
//! Descriptions, examples, evidence marks and constraints such as `minimum` are not compared.

use std::collections::BTreeSet;
use std::fmt;

use serde_json::{Map, Value};

use crate::walk::{self, Operation};
use crate::{admits_null, pointer};

/// The open set of values a field is known to take (the spec's `x-adsterra-known-values`).
const KNOWN_VALUES_KEY: &str = "x-adsterra-known-values";

/// How deep nested schemas are compared (a guard against recursive schemas).
const MAX_DEPTH: usize = 32;

/// Whether a change breaks clients generated from the old spec.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Breaking,
    NotBreaking,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Breaking => "breaking",
            Self::NotBreaking => "not breaking",
        })
    }
}

/// One difference, where it is and what it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub severity: Severity,
    /// The operation: `get_stats (GET /stats.{format})`.
    pub operation: String,
    /// What changed, e.g. ``query parameter `country` added (optional)``.
    pub what: String,
}

/// Every change from one spec to another, in document order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    pub changes: Vec<Change>,
}

impl Report {
    /// How many changes break clients.
    pub fn breaking(&self) -> usize {
        self.changes
            .iter()
            .filter(|c| c.severity == Severity::Breaking)
            .count()
    }

    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }

    /// The "API" section of a CHANGELOG entry for these changes, as Keep a Changelog writes it:
    /// where they come from (`range`, e.g. `cargo xtask spec diff v0.3.0 HEAD`), the counts, then
    /// one line per change, breaking ones first, each naming its operation. A draft: the
    /// maintainer adds what a Rust user has to change.
    pub fn changelog(&self, range: &str) -> String {
        let breaking = self.breaking();
        let mut text = format!(
            "### API\n\n- `{range}`: {breaking} breaking, {} not breaking.\n",
            self.changes.len() - breaking
        );
        for severity in [Severity::Breaking, Severity::NotBreaking] {
            for change in self.changes.iter().filter(|c| c.severity == severity) {
                let mark = match severity {
                    Severity::Breaking => "**Breaking:** ",
                    Severity::NotBreaking => "",
                };
                text.push_str(&format!(
                    "  - {mark}{}: {}\n",
                    change.operation, change.what
                ));
            }
        }
        text
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_empty() {
            return writeln!(f, "no API changes");
        }
        let breaking = self.breaking();
        writeln!(
            f,
            "API changes: {breaking} breaking, {} not breaking",
            self.changes.len() - breaking
        )?;
        for severity in [Severity::Breaking, Severity::NotBreaking] {
            let changes: Vec<&Change> = self
                .changes
                .iter()
                .filter(|c| c.severity == severity)
                .collect();
            if changes.is_empty() {
                continue;
            }
            writeln!(f, "\n{severity}:")?;
            for change in changes {
                writeln!(f, "  {}: {}", change.operation, change.what)?;
            }
        }
        Ok(())
    }
}

/// The changes from `old` to `new` (both source specs as JSON values).
pub fn diff(old: &Value, new: &Value) -> Report {
    let mut report = Report::default();
    let old_operations = by_id(old);
    let new_operations = by_id(new);
    for (id, old_operation) in &old_operations {
        let mut changes = Changes {
            old_root: old,
            new_root: new,
            operation: label(id, old_operation),
            out: &mut report.changes,
        };
        match new_operations.iter().find(|(new_id, _)| new_id == id) {
            None => changes.breaking("operation removed".to_owned()),
            Some((_, new_operation)) => changes.operation(old_operation, new_operation),
        }
    }
    for (id, new_operation) in &new_operations {
        if !old_operations.iter().any(|(old_id, _)| old_id == id) {
            report.changes.push(Change {
                severity: Severity::NotBreaking,
                operation: label(id, new_operation),
                what: "operation added".to_owned(),
            });
        }
    }
    report
}

/// Operations by operationId (or `METHOD path` when there is none), in document order.
fn by_id(spec: &Value) -> Vec<(String, Operation<'_>)> {
    walk::operations(spec)
        .into_iter()
        .map(|operation| {
            let id = operation.operation_id().map_or_else(
                || format!("{} {}", operation.method.to_uppercase(), operation.path),
                str::to_owned,
            );
            (id, operation)
        })
        .collect()
}

fn label(id: &str, operation: &Operation<'_>) -> String {
    format!(
        "{id} ({} {})",
        operation.method.to_uppercase(),
        operation.path
    )
}

/// Which way values travel, which decides what breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Direction {
    Request,
    Response,
}

/// The changes of one operation being collected.
struct Changes<'a> {
    old_root: &'a Value,
    new_root: &'a Value,
    operation: String,
    out: &'a mut Vec<Change>,
}

impl Changes<'_> {
    fn push(&mut self, severity: Severity, what: String) {
        self.out.push(Change {
            severity,
            operation: self.operation.clone(),
            what,
        });
    }

    fn breaking(&mut self, what: String) {
        self.push(Severity::Breaking, what);
    }

    fn not_breaking(&mut self, what: String) {
        self.push(Severity::NotBreaking, what);
    }

    fn operation(&mut self, old: &Operation<'_>, new: &Operation<'_>) {
        if (old.method, old.path) != (new.method, new.path) {
            self.breaking(format!(
                "moved to {} {}",
                new.method.to_uppercase(),
                new.path
            ));
        }
        self.parameters(old, new);
        self.request_body(old.value.get("requestBody"), new.value.get("requestBody"));
        self.responses(old.value.get("responses"), new.value.get("responses"));
    }

    fn parameters(&mut self, old: &Operation<'_>, new: &Operation<'_>) {
        let old_parameters = old.parameters(self.old_root);
        let new_parameters = new.parameters(self.new_root);
        let key = |p: &Value| {
            (
                p.get("in").and_then(Value::as_str).unwrap_or("").to_owned(),
                p.get("name")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_owned(),
            )
        };
        for old_parameter in &old_parameters {
            let (place, name) = key(old_parameter);
            let what = format!("{place} parameter `{name}`");
            match new_parameters
                .iter()
                .find(|p| key(p) == (place.clone(), name.clone()))
            {
                None => self.breaking(format!("{what} removed")),
                Some(new_parameter) => {
                    match (required(old_parameter), required(new_parameter)) {
                        (false, true) => self.breaking(format!("{what} is now required")),
                        (true, false) => self.not_breaking(format!("{what} is now optional")),
                        _ => {}
                    }
                    self.schema(
                        Direction::Request,
                        &what,
                        "",
                        old_parameter.get("schema"),
                        new_parameter.get("schema"),
                        0,
                    );
                }
            }
        }
        for new_parameter in &new_parameters {
            let (place, name) = key(new_parameter);
            if !old_parameters
                .iter()
                .any(|p| key(p) == (place.clone(), name.clone()))
            {
                let what = format!("{place} parameter `{name}` added");
                if required(new_parameter) {
                    self.breaking(format!("{what} (required)"));
                } else {
                    self.not_breaking(format!("{what} (optional)"));
                }
            }
        }
    }

    fn request_body(&mut self, old: Option<&Value>, new: Option<&Value>) {
        let old = old.and_then(|b| pointer::resolve(self.old_root, b));
        let new = new.and_then(|b| pointer::resolve(self.new_root, b));
        match (old, new) {
            (None, None) => {}
            (Some(_), None) => self.breaking("request body removed".to_owned()),
            (None, Some(body)) if required(body) => {
                self.breaking("request body added (required)".to_owned())
            }
            (None, Some(_)) => self.not_breaking("request body added (optional)".to_owned()),
            (Some(old), Some(new)) => {
                if !required(old) && required(new) {
                    self.breaking("request body is now required".to_owned());
                }
                self.content(Direction::Request, "request body", old, new);
            }
        }
    }

    fn responses(&mut self, old: Option<&Value>, new: Option<&Value>) {
        let empty = Map::new();
        let old = old.and_then(Value::as_object).unwrap_or(&empty);
        let new = new.and_then(Value::as_object).unwrap_or(&empty);
        for (status, old_response) in old {
            let what = format!("response {status}");
            match new.get(status) {
                None => self.breaking(format!("{what} removed")),
                Some(new_response) => {
                    let (Some(old_response), Some(new_response)) = (
                        pointer::resolve(self.old_root, old_response),
                        pointer::resolve(self.new_root, new_response),
                    ) else {
                        continue;
                    };
                    self.content(Direction::Response, &what, old_response, new_response);
                }
            }
        }
        for status in new.keys().filter(|status| !old.contains_key(*status)) {
            self.not_breaking(format!("response {status} added"));
        }
    }

    /// The media types of a body or response, and their schemas.
    fn content(&mut self, direction: Direction, what: &str, old: &Value, new: &Value) {
        let empty = Map::new();
        let old = old
            .get("content")
            .and_then(Value::as_object)
            .unwrap_or(&empty);
        let new = new
            .get("content")
            .and_then(Value::as_object)
            .unwrap_or(&empty);
        for (media_type, old_media) in old {
            let place = format!("{what} {media_type}");
            match new.get(media_type) {
                None => self.breaking(format!("{place} removed")),
                Some(new_media) => self.schema(
                    direction,
                    &place,
                    "",
                    old_media.get("schema"),
                    new_media.get("schema"),
                    0,
                ),
            }
        }
        // A new media type is an alternative: old clients never ask for or send it.
        for media_type in new.keys().filter(|m| !old.contains_key(*m)) {
            self.not_breaking(format!("{what} {media_type} added"));
        }
    }

    fn schema(
        &mut self,
        direction: Direction,
        place: &str,
        path: &str,
        old: Option<&Value>,
        new: Option<&Value>,
        depth: usize,
    ) {
        let (Some(old), Some(new)) = (old, new) else {
            return;
        };
        let (Some(old), Some(new)) = (
            pointer::resolve(self.old_root, old),
            pointer::resolve(self.new_root, new),
        ) else {
            return;
        };
        if depth > MAX_DEPTH {
            return;
        }
        let kind = |s: &Value| {
            let text = |key: &str| s.get(key).and_then(Value::as_str).map(str::to_owned);
            (text("type"), text("format"))
        };
        let (old_kind, new_kind) = (kind(old), kind(new));
        let at = at(place, path);
        if old_kind != new_kind {
            self.breaking(format!(
                "{at}: type changed from {} to {}",
                kind_text(&old_kind),
                kind_text(&new_kind)
            ));
            // Beyond a type change, the details of the old shape say little.
            return;
        }
        self.nullable(direction, &at, old, new);
        self.enumeration(direction, &at, old, new);
        self.known_values(&at, old, new);
        self.properties(direction, place, path, old, new, depth);
        if old.get("items").is_some() || new.get("items").is_some() {
            self.schema(
                direction,
                place,
                &format!("{path}[]"),
                old.get("items"),
                new.get("items"),
                depth + 1,
            );
        }
    }

    fn nullable(&mut self, direction: Direction, place: &str, old: &Value, new: &Value) {
        // Types are equal here (a type change is reported before), so this compares `nullable`.
        match (admits_null(old), admits_null(new), direction) {
            (false, true, Direction::Response) => {
                self.breaking(format!("{place}: may now be null"))
            }
            (false, true, Direction::Request) => {
                self.not_breaking(format!("{place}: may now be null"))
            }
            (true, false, Direction::Request) => {
                self.breaking(format!("{place}: may no longer be null"))
            }
            (true, false, Direction::Response) => {
                self.not_breaking(format!("{place}: is no longer null"))
            }
            _ => {}
        }
    }

    fn enumeration(&mut self, direction: Direction, at: &str, old: &Value, new: &Value) {
        let values = |s: &Value| -> Option<BTreeSet<String>> {
            let values = s.get("enum")?.as_array()?;
            Some(values.iter().map(Value::to_string).collect())
        };
        // No enum means any value of the type: dropping it widens, adding it narrows.
        let (removed, added) = match (values(old), values(new)) {
            (Some(old), Some(new)) => (
                old.difference(&new).cloned().collect::<Vec<_>>().join(", "),
                new.difference(&old).cloned().collect::<Vec<_>>().join(", "),
            ),
            (None, Some(_)) => ("any value outside the new enum".to_owned(), String::new()),
            (Some(_), None) => (String::new(), "any value of the type".to_owned()),
            (None, None) => return,
        };
        if !removed.is_empty() {
            let what = format!("{at}: enum narrowed, no longer {removed}");
            match direction {
                Direction::Request => self.breaking(what),
                Direction::Response => self.not_breaking(what),
            }
        }
        if !added.is_empty() {
            let what = format!("{at}: enum widened with {added}");
            match direction {
                Direction::Request => self.not_breaking(what),
                Direction::Response => self.breaking(format!(
                    "{what}, which clients generated before cannot decode"
                )),
            }
        }
    }

    /// An open set's values (`x-adsterra-known-values`) changed: never breaking, since clients
    /// keep values they do not know, but worth a line (a new status to handle).
    fn known_values(&mut self, at: &str, old: &Value, new: &Value) {
        let values = |s: &Value| -> BTreeSet<String> {
            s.get(KNOWN_VALUES_KEY)
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .map(Value::to_string)
                .collect()
        };
        let (old, new) = (values(old), values(new));
        let added: Vec<String> = new.difference(&old).cloned().collect();
        if !added.is_empty() {
            self.not_breaking(format!("{at}: known values gained {}", added.join(", ")));
        }
        let dropped: Vec<String> = old.difference(&new).cloned().collect();
        if !dropped.is_empty() {
            self.not_breaking(format!(
                "{at}: known values no longer list {}",
                dropped.join(", ")
            ));
        }
    }

    fn properties(
        &mut self,
        direction: Direction,
        place: &str,
        path: &str,
        old: &Value,
        new: &Value,
        depth: usize,
    ) {
        let empty = Map::new();
        let old_properties = old
            .get("properties")
            .and_then(Value::as_object)
            .unwrap_or(&empty);
        let new_properties = new
            .get("properties")
            .and_then(Value::as_object)
            .unwrap_or(&empty);
        let required_in = |s: &Value, name: &str| {
            s.get("required")
                .and_then(Value::as_array)
                .is_some_and(|names| names.iter().any(|n| n == name))
        };
        let field_path = |name: &str| {
            if path.is_empty() {
                name.to_owned()
            } else {
                format!("{path}.{name}")
            }
        };
        for (name, old_property) in old_properties {
            let nested = field_path(name);
            let field = format!("{place}: field `{nested}`");
            let Some(new_property) = new_properties.get(name) else {
                self.breaking(format!("{field} removed"));
                continue;
            };
            match (required_in(old, name), required_in(new, name), direction) {
                (false, true, Direction::Request) => {
                    self.breaking(format!("{field} is now required"))
                }
                (true, false, Direction::Request) => {
                    self.not_breaking(format!("{field} is now optional"))
                }
                (true, false, Direction::Response) => {
                    self.breaking(format!("{field} is no longer always present"))
                }
                (false, true, Direction::Response) => {
                    self.not_breaking(format!("{field} is now always present"))
                }
                _ => {}
            }
            self.schema(
                direction,
                place,
                &nested,
                Some(old_property),
                Some(new_property),
                depth + 1,
            );
        }
        for name in new_properties
            .keys()
            .filter(|n| !old_properties.contains_key(*n))
        {
            let field = format!("{place}: field `{}` added", field_path(name));
            match (required_in(new, name), direction) {
                (true, Direction::Request) => self.breaking(format!("{field} (required)")),
                (false, Direction::Request) => self.not_breaking(format!("{field} (optional)")),
                (_, Direction::Response) => self.not_breaking(field),
            }
        }
    }
}

/// `response 200 application/json` or ``response 200 application/json `items[].spent` ``.
fn at(place: &str, path: &str) -> String {
    if path.is_empty() {
        place.to_owned()
    } else {
        format!("{place} `{path}`")
    }
}

fn required(value: &Value) -> bool {
    value
        .get("required")
        .and_then(Value::as_bool)
        .unwrap_or(false)
}

fn kind_text((kind, format): &(Option<String>, Option<String>)) -> String {
    match (kind, format) {
        (Some(kind), Some(format)) => format!("{kind} ({format})"),
        (Some(kind), None) => kind.clone(),
        (None, _) => "any".to_owned(),
    }
}
