//! From recorded answers to a spec change: an OpenAPI Overlay (1.1.0) that, applied to the
//! hand-written spec, makes it describe every answer recorded (`adsterra spec propose DIR`,
//! `adsterra verify-live --propose FILE`).
//!
//! Each answer is read in its format (CSV and XML as text) and walked beside the schema of its
//! operation; what was seen is gathered per schema of the spec, across answers and formats, and
//! only then turned into actions, so that no rule decides from one value:
//!
//! - a field the spec lacks is added with the narrowest type that fits every value (`infer`),
//!   never required;
//! - a required field missing from some answer becomes optional;
//! - a value of the wrong type widens the type (integer to number; to no type at all when no
//!   type fits), never narrows it; a value tolerant reading already takes (an id or a number
//!   sent as a string) changes nothing and is noted instead;
//! - a closed list (`enum`, `x-adsterra-known-values`) gains the values seen;
//! - on Adsterra's own host, what was seen raises the mark of the field, of its schema and of the
//!   operation to `confirmed` (only as far as the lint's evidence-over-claim rule allows);
//!   against another base URL a new field is `inferred` and its source names that URL;
//! - a field never seen keeps its place, and its description says in how many answers it was
//!   not seen (a field present on a condition, `x-adsterra-present-when`, counts only the
//!   answers where the condition held);
//! - what no action can express is listed in [`Proposal::inexpressible`]: nothing passes
//!   silently.
//!
//! It reads the spec and the cassettes and writes nothing; the command line decides where the
//! overlay goes, and `cargo xtask spec apply` applies it.

mod infer;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use adsterra_formats::Format;
use chrono::NaiveDate;
use serde_json::{Map, Value, json};

use crate::cassette::{Cassette, Interaction};
use crate::overlay::{Action, Info, Overlay};
use crate::verify::{self, Carrier};
use crate::{EVIDENCE_KEY, PRESENT_WHEN_KEY, walk};
use infer::{Mark, infer, is_empty_text, marked, samples};

/// The host of the real API: what is seen there is evidence enough to confirm.
pub const ADSTERRA_HOST: &str = "api3.adsterratools.com";

/// The spec change a folder of recorded answers asks for.
#[derive(Debug, Clone)]
pub struct Proposal {
    /// The overlay that makes the spec describe every recorded answer.
    pub overlay: Overlay,
    /// What tolerant reading already takes, so the spec keeps it: one line each.
    pub notes: Vec<String>,
    /// Deviations no overlay action can express: a command exits non-zero when there is one.
    pub inexpressible: Vec<String>,
}

/// Proposes the overlay for `cassettes` (by operationId) against `spec`, the hand-written spec
/// as JSON; `date` is the day of the recording, for the sources it writes.
pub fn propose(spec: &Value, cassettes: &BTreeMap<String, Cassette>, date: NaiveDate) -> Proposal {
    let mut seen = Seen::default();
    let mut inexpressible = Vec::new();
    let mut answers = 0;
    for interaction in cassettes.values().flat_map(|c| &c.http_interactions) {
        match seen.answer(spec, interaction) {
            Ok(()) => answers += 1,
            Err(why) => inexpressible.push(format!(
                "{} ({}): {why}",
                interaction.adsterra_operation, interaction.adsterra_format
            )),
        }
    }
    let mut proposer = Proposer {
        spec,
        date,
        actions: Vec::new(),
        notes: Vec::new(),
        inexpressible,
    };
    for (location, object) in &seen.objects {
        proposer.object(location, object, &seen);
    }
    proposer.raise_operations(&seen);
    let origins: BTreeSet<&str> = seen
        .objects
        .values()
        .flat_map(|o| o.origins.iter().map(String::as_str))
        .collect();
    let overlay = Overlay {
        overlay: "1.1.0".to_owned(),
        info: Info {
            title: format!("What the API answered, {date}"),
            version: date.to_string(),
            description: Some(format!(
                "Proposed by `adsterra spec propose` from {answers} recorded answers of {} \
                 operations ({}). Review each action, then `cargo xtask spec apply` this file.",
                cassettes.len(),
                origins.into_iter().collect::<Vec<_>>().join(", ")
            )),
            extensions: Map::new(),
        },
        extends: None,
        actions: proposer.actions,
        extensions: Map::new(),
    };
    Proposal {
        overlay,
        notes: proposer.notes,
        inexpressible: proposer.inexpressible,
    }
}

/// Where a schema of the spec is: the keys from the root (`components`, `schemas`, `Campaign`).
type Location = Vec<String>;

/// Where an answer came from: its operation and format.
type Place = (String, String);

/// What was seen of the objects of one schema.
#[derive(Debug, Default)]
struct ObjectSeen {
    /// Objects seen.
    count: usize,
    /// The answers that held one, by index, and those seen on Adsterra's host.
    answers: BTreeSet<usize>,
    live_answers: BTreeSet<usize>,
    places: BTreeSet<Place>,
    origins: BTreeSet<String>,
    /// Per property name: in how many objects it was present.
    present: BTreeMap<String, usize>,
    /// Per property with a condition: in how many answers the condition held.
    condition_held: BTreeMap<String, BTreeSet<usize>>,
}

/// What was seen of one field (described or not), or of the items of a list.
#[derive(Debug, Default)]
struct FieldSeen {
    values: Vec<(Value, Carrier)>,
    places: BTreeSet<Place>,
    /// Whether it was seen on Adsterra's host.
    live: bool,
}

#[derive(Debug, Default)]
struct Seen {
    objects: BTreeMap<Location, ObjectSeen>,
    fields: BTreeMap<Location, FieldSeen>,
    /// Operations answered on Adsterra's host, with the formats seen.
    live_operations: BTreeMap<String, BTreeSet<String>>,
    interactions: usize,
}

/// One answer being walked.
struct Context<'a> {
    index: usize,
    place: Place,
    origin: String,
    live: bool,
    carrier: Carrier,
    operation: &'a str,
    group_by: Vec<String>,
}

impl Seen {
    /// Reads one recorded answer and gathers what it holds.
    fn answer(&mut self, spec: &Value, interaction: &Interaction) -> Result<(), String> {
        let index = self.interactions;
        self.interactions += 1;
        let operation = interaction.adsterra_operation.as_str();
        let format = interaction
            .format()
            .ok_or_else(|| format!("unknown format {:?}", interaction.adsterra_format))?;
        if !(200..300).contains(&interaction.response.status.code) {
            return Err(format!(
                "answered {} {}; only successful answers are compared with the spec",
                interaction.response.status.code, interaction.response.status.message
            ));
        }
        let (schema_at, schema) = answer_schema(spec, operation)
            .ok_or_else(|| "no operation of the spec has this operationId".to_owned())?;
        let body = interaction
            .response
            .body
            .bytes()
            .ok_or("the body's base64 does not decode")?;
        let (value, carrier) = verify::read_answer(schema, format, &body)?;
        let (origin, host) = origin(&interaction.request.uri);
        let live = host == ADSTERRA_HOST;
        if live {
            self.live_operations
                .entry(operation.to_owned())
                .or_default()
                .insert(format.to_string());
        }
        let context = Context {
            index,
            place: (operation.to_owned(), format.to_string()),
            origin,
            live,
            carrier,
            operation,
            group_by: group_by(&interaction.request.uri),
        };
        self.walk(spec, schema, &value, schema_at, &context, 0);
        Ok(())
    }

    fn walk(
        &mut self,
        spec: &Value,
        schema: &Value,
        value: &Value,
        at: Location,
        context: &Context<'_>,
        depth: usize,
    ) {
        if depth > 16 {
            return;
        }
        let (schema, at) = match referenced(spec, schema) {
            Some((name, resolved)) => (resolved, schema_location(&name)),
            None => (schema, at),
        };
        match value {
            Value::Object(object) if schema.get("properties").is_some() => {
                self.object(spec, schema, object, at, context, depth);
            }
            Value::Array(items) => {
                let Some(items_schema) = schema.get("items") else {
                    return;
                };
                let items_at = extend(&at, &["items"]);
                for item in items {
                    if item.is_object() || item.is_array() {
                        self.walk(
                            spec,
                            items_schema,
                            item,
                            items_at.clone(),
                            context,
                            depth + 1,
                        );
                    } else {
                        self.field(&items_at, item, context);
                    }
                }
            }
            _ => {}
        }
    }

    fn object(
        &mut self,
        spec: &Value,
        schema: &Value,
        object: &Map<String, Value>,
        at: Location,
        context: &Context<'_>,
        depth: usize,
    ) {
        let properties = schema.get("properties").and_then(Value::as_object);
        let seen = self.objects.entry(at.clone()).or_default();
        seen.count += 1;
        seen.answers.insert(context.index);
        if context.live {
            seen.live_answers.insert(context.index);
        }
        seen.places.insert(context.place.clone());
        seen.origins.insert(context.origin.clone());
        for (name, property) in properties.into_iter().flatten() {
            if let Some(condition) = property.get(PRESENT_WHEN_KEY)
                && holds(condition, context)
            {
                seen.condition_held
                    .entry(name.clone())
                    .or_default()
                    .insert(context.index);
            }
        }
        // Text cannot tell an empty list from none, nor null from nothing: a list CSV or XML
        // leaves out or leaves empty is empty, and a nullable field left out or empty is null.
        if context.carrier == Carrier::Text {
            for (name, property) in properties.into_iter().flatten() {
                let list = property.get("type").and_then(Value::as_str) == Some("array");
                let empty = object
                    .get(name)
                    .is_none_or(|v| v.is_null() || is_empty_text(v, context.carrier));
                let nullable = crate::admits_null(property);
                if empty && (list || nullable) {
                    *seen.present.entry(name.clone()).or_default() += 1;
                }
            }
        }
        for (name, value) in object {
            if value.is_null() && context.carrier == Carrier::Text
                || is_empty_text(value, context.carrier)
            {
                continue;
            }
            *self
                .objects
                .get_mut(&at)
                .expect("entered above")
                .present
                .entry(name.clone())
                .or_default() += 1;
            let field_at = extend(&at, &["properties", name]);
            self.field(&field_at, value, context);
            if let Some(property) = properties.and_then(|p| p.get(name))
                && (value.is_object() || value.is_array())
            {
                self.walk(spec, property, value, field_at, context, depth + 1);
            }
        }
    }

    fn field(&mut self, at: &Location, value: &Value, context: &Context<'_>) {
        let seen = self.fields.entry(at.clone()).or_default();
        seen.values.push((value.clone(), context.carrier));
        seen.places.insert(context.place.clone());
        seen.live |= context.live;
    }
}

/// Whether a field's `x-adsterra-present-when` condition held for this answer.
fn holds(condition: &Value, context: &Context<'_>) -> bool {
    if let Some(key) = condition.get("group_by").and_then(Value::as_str) {
        let default = condition.get("default") == Some(&Value::Bool(true));
        return context.group_by.iter().any(|k| k == key)
            || (default && context.group_by.is_empty());
    }
    condition.get("operationId").and_then(Value::as_str) == Some(context.operation)
}

/// Turns what was seen into actions.
struct Proposer<'a> {
    spec: &'a Value,
    date: NaiveDate,
    actions: Vec<Action>,
    notes: Vec<String>,
    inexpressible: Vec<String>,
}

impl Proposer<'_> {
    fn object(&mut self, at: &Location, object: &ObjectSeen, seen: &Seen) {
        let Some(schema) = node(self.spec, at) else {
            return;
        };
        let name = at.last().cloned().unwrap_or_default();
        let places = places(&object.places);
        let required = crate::required(schema);
        for field in &required {
            let present = object.present.get(*field).copied().unwrap_or(0);
            if present < object.count {
                self.push(Action {
                    target: format!("{}[?@ == '{field}']", path(&extend(at, &["required"]))),
                    description: Some(format!(
                        "`{field}` becomes optional: it was missing from {} of {} {name} objects ({places}).",
                        object.count - present,
                        object.count
                    )),
                    ..remove()
                });
            }
        }
        let properties = schema.get("properties").and_then(Value::as_object);
        let mut raised = Vec::new();
        for (field, property) in properties.into_iter().flatten() {
            let field_at = extend(at, &["properties", field]);
            match seen.fields.get(&field_at) {
                None => self.not_seen(&field_at, field, property, object),
                Some(values) => {
                    if self.described(&field_at, field, property, values) && values.live {
                        raised.push(field.clone());
                    }
                }
            }
        }
        for (field_at, values) in seen.fields.range(extend(at, &["properties"])..) {
            if field_at.len() != at.len() + 2 || !field_at.starts_with(at) {
                continue;
            }
            let field = &field_at[at.len() + 1];
            if properties.is_some_and(|p| p.contains_key(field)) {
                continue;
            }
            self.new_field(at, field, values, object, &name);
        }
        // The schema itself, when every required field is confirmed once the raises apply.
        let live = !object.live_answers.is_empty();
        let confirmed = |field: &str| {
            raised.iter().any(|r| r == field)
                || properties
                    .and_then(|p| p.get(field))
                    .is_some_and(|p| mark(p) == Some("confirmed"))
        };
        if live && mark(schema) != Some("confirmed") && required.iter().all(|f| confirmed(f)) {
            self.raise(
                at,
                &format!("the {name} schema: every required field confirmed"),
            );
        }
    }

    /// A described field: its values against its type and closed list; whether all fit.
    fn described(
        &mut self,
        at: &Location,
        field: &str,
        property: &Value,
        values: &FieldSeen,
    ) -> bool {
        let property = referenced(self.spec, property).map_or(property, |(_, p)| p);
        let places = places(&values.places);
        let mut fits = true;
        let nulls = values.values.iter().filter(|(v, _)| v.is_null()).count();
        if nulls > 0 && !crate::admits_null(property) {
            fits = false;
            self.push(Action {
                target: path(at),
                description: Some(format!(
                    "`{field}` becomes nullable: it was null in {nulls} of {} values ({places}).",
                    values.values.len()
                )),
                update: Some(json!({"nullable": true})),
                ..update()
            });
        }
        let present: Vec<(Value, Carrier)> = values
            .values
            .iter()
            .filter(|(v, _)| !v.is_null())
            .cloned()
            .collect();
        let wrong: Vec<(Value, Carrier)> = present
            .iter()
            .filter(|(v, carrier)| !verify::fits_type(property, v, *carrier))
            .cloned()
            .collect();
        let tolerated: Vec<&(Value, Carrier)> = wrong
            .iter()
            .filter(|(v, _)| verify::fits_type(property, v, Carrier::Text))
            .collect();
        if !tolerated.is_empty() && tolerated.len() == wrong.len() {
            self.notes.push(format!(
                "{}: {} of {} values arrive as text ({}); tolerant reading takes them as {}, so the type stays",
                dotted(at),
                tolerated.len(),
                present.len(),
                samples(&wrong),
                property.get("type").and_then(Value::as_str).unwrap_or("any")
            ));
        } else if !wrong.is_empty() {
            fits = false;
            self.widen(at, field, property, &present, &wrong, &places);
        }
        if let Some((key, known)) = closed_list(property) {
            let new: Vec<Value> = present
                .iter()
                .filter_map(|(v, carrier)| as_listed(v, *carrier, &known))
                .fold(Vec::new(), |mut new, value| {
                    if !known.contains(&value) && !new.contains(&value) {
                        new.push(value);
                    }
                    new
                });
            if !new.is_empty() {
                fits = false;
                self.push(Action {
                    target: path(&extend(at, &[key])),
                    description: Some(format!(
                        "`{field}` took values its {key} did not list: {} ({places}).",
                        new.iter()
                            .map(Value::to_string)
                            .collect::<Vec<_>>()
                            .join(", ")
                    )),
                    update: Some(Value::Array(new)),
                    ..update()
                });
            }
        }
        if fits && values.live && mark(property) != Some("confirmed") {
            self.raise(at, &format!("`{field}`: seen with its type in {places}"));
        }
        fits
    }

    /// A type conflict: integer widens to number; anything else loses its type (and format).
    fn widen(
        &mut self,
        at: &Location,
        field: &str,
        property: &Value,
        present: &[(Value, Carrier)],
        wrong: &[(Value, Carrier)],
        places: &str,
    ) {
        let kind = property.get("type").and_then(Value::as_str);
        let numeric = present
            .iter()
            .all(|(v, carrier)| verify::fits_type(&json!({"type": "number"}), v, *carrier));
        let seen = format!(
            "`{field}` is {} in the spec, but {} of {} values were not ({}; {places})",
            kind.unwrap_or("untyped"),
            wrong.len(),
            present.len(),
            samples(wrong)
        );
        if kind == Some("integer") && numeric {
            self.push(Action {
                target: path(at),
                description: Some(format!("{seen}: widened to number.")),
                update: Some(json!({"type": "number", "format": "double"})),
                ..update()
            });
            return;
        }
        for key in ["type", "format"] {
            if property.get(key).is_some() {
                self.push(Action {
                    target: path(&extend(at, &[key])),
                    description: Some(format!("{seen}: no one type fits, so it takes any value.")),
                    ..remove()
                });
            }
        }
    }

    /// A field that was never seen: kept, and its description says so.
    fn not_seen(&mut self, at: &Location, field: &str, property: &Value, object: &ObjectSeen) {
        let answers = match property.get(PRESENT_WHEN_KEY) {
            Some(_) => object.condition_held.get(field).map_or(0, BTreeSet::len),
            None => object.answers.len(),
        };
        if answers == 0 {
            return;
        }
        let description = property
            .get("description")
            .and_then(Value::as_str)
            .unwrap_or("");
        let note = format!("Not seen in {answers} answers (verify-live {}).", self.date);
        self.push(Action {
            target: path(&extend(at, &["description"])),
            description: Some(format!(
                "`{field}` was in none of {answers} answers ({}): kept, and said so.",
                places(&object.places)
            )),
            update: Some(json!(
                format!("{} {note}", description.trim_end()).trim_start()
            )),
            ..update()
        });
    }

    /// A field the spec lacks: added with the narrowest type of all its values, not required.
    fn new_field(
        &mut self,
        at: &Location,
        field: &str,
        values: &FieldSeen,
        object: &ObjectSeen,
        name: &str,
    ) {
        let origins: Vec<&str> = object.origins.iter().map(String::as_str).collect();
        let mark = match values.live {
            true => Mark {
                evidence: "confirmed",
                source: format!("verify-live {}", self.date),
            },
            false => Mark {
                evidence: "inferred",
                source: format!("verify-live {} against {}", self.date, origins.join(", ")),
            },
        };
        let present = object.present.get(field).copied().unwrap_or(0);
        let places = places(&values.places);
        match infer(&values.values, &mark) {
            Ok(mut schema) => {
                schema["description"] = json!(format!(
                    "Not in the spec until verify-live saw it in {present} of {} {name} objects \
                     ({places}); values such as {}. Optional until proven always there.",
                    object.count,
                    samples(&values.values)
                ));
                marked(&mut schema, &mark);
                self.push(Action {
                    target: path(&extend(at, &["properties"])),
                    description: Some(format!(
                        "New field `{field}` of {name}: {present} of {} objects ({places}).",
                        object.count
                    )),
                    update: Some(json!({ field: schema })),
                    ..update()
                });
            }
            Err(why) => self
                .inexpressible
                .push(format!("{}: new field `{field}`: {why}", dotted(at))),
        }
    }

    /// Operations seen on Adsterra's host in every format whose answer schema is confirmed
    /// once the overlay applies.
    fn raise_operations(&mut self, seen: &Seen) {
        if seen.live_operations.is_empty() {
            return;
        }
        let mut after = self.spec.clone();
        let overlay = Overlay {
            overlay: "1.1.0".into(),
            info: Info {
                title: String::new(),
                version: String::new(),
                description: None,
                extensions: Map::new(),
            },
            extends: None,
            actions: self.actions.clone(),
            extensions: Map::new(),
        };
        if overlay.apply(&mut after).is_err() {
            return;
        }
        for operation in walk::operations(self.spec) {
            let Some(id) = operation.operation_id() else {
                continue;
            };
            let formats = seen.live_operations.get(id).map_or(0, BTreeSet::len);
            let confirmed = answer_schema(&after, id)
                .is_some_and(|(_, schema)| mark(schema) == Some("confirmed"));
            if formats == Format::ALL.len()
                && confirmed
                && mark(operation.value) != Some("confirmed")
            {
                let at = vec![
                    "paths".to_owned(),
                    operation.path.to_owned(),
                    operation.method.to_owned(),
                ];
                self.raise(&at, &format!("{id}: answered as described in every format"));
            }
        }
    }

    fn raise(&mut self, at: &Location, why: &str) {
        let source = node(self.spec, at)
            .and_then(|n| n.get("x-adsterra-source"))
            .and_then(Value::as_str)
            .map(|s| format!("{s}, verify-live {}", self.date))
            .unwrap_or_else(|| format!("verify-live {}", self.date));
        self.push(Action {
            target: path(at),
            description: Some(format!("Confirmed on {ADSTERRA_HOST}: {why}.")),
            update: Some(json!({EVIDENCE_KEY: "confirmed", "x-adsterra-source": source})),
            ..update()
        });
    }

    fn push(&mut self, action: Action) {
        self.actions.push(action);
    }
}

fn update() -> Action {
    Action {
        target: String::new(),
        description: None,
        update: None,
        remove: false,
        copy: None,
        extensions: Map::new(),
    }
}

fn remove() -> Action {
    Action {
        remove: true,
        ..update()
    }
}

/// The schema of an operation's JSON 200 answer, with where it lives.
fn answer_schema<'a>(spec: &'a Value, operation: &str) -> Option<(Location, &'a Value)> {
    let found = walk::operations(spec)
        .into_iter()
        .find(|o| o.operation_id() == Some(operation))?;
    let schema = found
        .value
        .pointer("/responses/200/content/application~1json/schema")?;
    Some(match referenced(spec, schema) {
        Some((name, resolved)) => (schema_location(&name), resolved),
        None => (
            vec![
                "paths".to_owned(),
                found.path.to_owned(),
                found.method.to_owned(),
                "responses".to_owned(),
                "200".to_owned(),
                "content".to_owned(),
                "application/json".to_owned(),
                "schema".to_owned(),
            ],
            schema,
        ),
    })
}

/// A `$ref` to a component schema: its name and the schema.
fn referenced<'a>(spec: &'a Value, schema: &Value) -> Option<(String, &'a Value)> {
    let reference = schema.get("$ref")?.as_str()?;
    let name = reference.strip_prefix("#/components/schemas/")?;
    Some((name.to_owned(), spec.pointer(&reference[1..])?))
}

fn schema_location(name: &str) -> Location {
    vec!["components".into(), "schemas".into(), name.to_owned()]
}

fn extend(at: &Location, more: &[&str]) -> Location {
    let mut at = at.clone();
    at.extend(more.iter().map(|s| (*s).to_owned()));
    at
}

fn node<'a>(spec: &'a Value, at: &Location) -> Option<&'a Value> {
    at.iter().try_fold(spec, |node, key| node.get(key))
}

/// An RFC 9535 path: `$.components.schemas.Campaign.properties['x-adsterra-known-values']`.
fn path(at: &Location) -> String {
    let mut out = String::from("$");
    for key in at {
        let plain = key
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if plain {
            let _ = write!(out, ".{key}");
        } else {
            let _ = write!(
                out,
                "['{}']",
                key.replace('\\', "\\\\").replace('\'', "\\'")
            );
        }
    }
    out
}

/// `Campaign.active`, for notes.
fn dotted(at: &Location) -> String {
    at.iter()
        .skip_while(|k| *k == "components" || *k == "schemas")
        .filter(|k| *k != "properties")
        .cloned()
        .collect::<Vec<_>>()
        .join(".")
}

fn mark(node: &Value) -> Option<&str> {
    node.get(EVIDENCE_KEY).and_then(Value::as_str)
}

/// `get_campaigns (json, csv), get_campaign (json)`.
fn places(places: &BTreeSet<Place>) -> String {
    let mut by_operation: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (operation, format) in places {
        by_operation.entry(operation).or_default().push(format);
    }
    by_operation
        .iter()
        .map(|(operation, formats)| format!("{operation} ({})", formats.join(", ")))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A property's closed list of values: `enum` or `x-adsterra-known-values`.
fn closed_list(property: &Value) -> Option<(&'static str, Vec<Value>)> {
    ["enum", "x-adsterra-known-values"]
        .into_iter()
        .find_map(|key| {
            let values = property.get(key)?.as_array()?;
            Some((key, values.clone()))
        })
}

/// A value as its closed list writes it (a CSV `"5"` is `5` in a list of integers).
fn as_listed(value: &Value, carrier: Carrier, known: &[Value]) -> Option<Value> {
    match (value, carrier) {
        (Value::String(text), Carrier::Text) if known.iter().any(Value::is_number) => {
            serde_json::from_str::<Value>(text)
                .ok()
                .filter(Value::is_number)
        }
        (Value::String(text), Carrier::Json) if known.iter().any(Value::is_number) => {
            serde_json::from_str::<Value>(text)
                .ok()
                .filter(Value::is_number)
        }
        (Value::Array(_) | Value::Object(_) | Value::Null, _) => None,
        _ => Some(value.clone()),
    }
}

/// The scheme, host and path prefix of a recorded URL (`http://127.0.0.1:4000/advertiser`),
/// and its host.
fn origin(uri: &str) -> (String, String) {
    let after_scheme = uri.split_once("://").map_or(uri, |(_, rest)| rest);
    let host_port = after_scheme.split(['/', '?']).next().unwrap_or("");
    let host = host_port.rsplit_once(':').map_or(host_port, |(h, _)| h);
    let path = uri.split('?').next().unwrap_or(uri);
    let base = path.rsplit_once('/').map_or(path, |(base, _)| base);
    // Up to the API's root: the part before the operation's own path segments.
    let root = base
        .find("/advertiser")
        .map_or(base, |i| &base[..i + "/advertiser".len()]);
    (root.to_owned(), host.to_owned())
}

/// The `group_by[]` (or `group_by`) values of a recorded URL's query.
fn group_by(uri: &str) -> Vec<String> {
    let query = uri.split_once('?').map_or("", |(_, q)| q);
    form_urlencoded::parse(query.as_bytes())
        .filter(|(name, _)| name == "group_by[]" || name == "group_by")
        .map(|(_, value)| value.into_owned())
        .collect()
}

#[cfg(test)]
mod tests;
