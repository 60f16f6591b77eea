//! OpenAPI Overlay documents (the OAI Overlay Specification, versions 1.0.0 and 1.1.0): the model
//! of an overlay ([`Overlay`], its [`Info`] and [`Action`]s) and applying one to a document held
//! as a JSON value ([`Overlay::apply`]), with targets read as RFC 9535 JSONPath queries.
//!
//! It owns what an overlay *means*: which nodes an action's `target` selects, how `update` and
//! `copy` merge (objects recursively, arrays by concatenation, primitives replaced), what
//! `remove` takes away, and the errors that name the action at fault. It must not read or write
//! YAML or files (the crate has no YAML parser; callers deserialize an overlay with their own,
//! the model is serde), and it knows nothing of text layout: keeping the hand-written spec's
//! comments and lines while applying an overlay is codegen's `overlay_text`.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};
use serde_json_path::{JsonPath, PathElement};

use crate::pointer;

/// An Overlay document: a list of actions to apply, in order, to an OpenAPI document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Overlay {
    /// The version of the Overlay Specification the document uses (`1.0.0` or `1.1.0`).
    pub overlay: String,
    /// What the overlay is.
    pub info: Info,
    /// A URI reference of the document the overlay was written for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extends: Option<String>,
    /// The actions, applied in order, each to the result of the one before.
    pub actions: Vec<Action>,
    /// Specification extensions (`x-` fields); [`Overlay::check`] rejects any other field.
    #[serde(flatten)]
    pub extensions: Map<String, Value>,
}

/// The Info Object of an overlay.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Info {
    /// What the overlay is for.
    pub title: String,
    /// The version of the overlay document itself.
    pub version: String,
    /// A longer description (Overlay 1.1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Specification extensions (`x-` fields).
    #[serde(flatten)]
    pub extensions: Map<String, Value>,
}

/// An Action Object: a `target` and one modifier, `update`, `copy` or `remove: true`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Action {
    /// The RFC 9535 JSONPath query that selects the nodes the action changes.
    pub target: String,
    /// What the action does, for the reader.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The value merged into each selected object, concatenated with or appended to each
    /// selected array, or (Overlay 1.1) replacing each selected primitive. `update: null` is
    /// `Some(Value::Null)`, a primitive, not an absent field.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub update: Option<Value>,
    /// Whether each selected node is removed from the object or array that holds it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub remove: bool,
    /// (Overlay 1.1) A JSONPath query selecting the one node whose value is used as the update.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub copy: Option<String>,
    /// Specification extensions (`x-` fields).
    #[serde(flatten)]
    pub extensions: Map<String, Value>,
}

/// Keeps an explicit `null` apart from a missing field: serde reads `null` into `None` otherwise.
fn present<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Value>, D::Error> {
    Value::deserialize(deserializer).map(Some)
}

/// The feature sets this module applies; the patch number changes no feature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Version {
    /// Overlay 1.0: targets are objects or arrays; `update` or `remove`.
    V1_0,
    /// Overlay 1.1: primitives may be targeted too, and `copy` exists.
    V1_1,
}

/// What applying an overlay did, action by action.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ApplyReport {
    /// One entry per action, in the overlay's order.
    pub actions: Vec<ActionReport>,
}

/// What one action did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionReport {
    /// The action's index in `actions` (from 0).
    pub index: usize,
    /// How many nodes its target selected (0 is no error: the action changes nothing).
    pub matched: usize,
    /// Whether it changed the document.
    pub changed: bool,
}

/// An overlay that cannot be read or applied. Each error names the action (`actions[i]`, from
/// 0) and its target, and says what to change.
#[derive(Debug, Clone, PartialEq)]
pub enum OverlayError {
    /// The value is not an Overlay document (a field is missing or has the wrong type).
    Shape {
        /// The deserializer's message.
        message: String,
    },
    /// The `overlay` field names a version this module does not apply.
    UnsupportedVersion {
        /// The version found.
        found: String,
    },
    /// A field the Overlay Specification does not define, and not an `x-` extension.
    UnknownField {
        /// Where: `the overlay`, `info` or `actions[i]`.
        place: String,
        /// The field.
        field: String,
    },
    /// A `target` or `copy` is not an RFC 9535 JSONPath query.
    BadPath {
        /// The action.
        action: usize,
        /// The field holding the query (`target` or `copy`).
        field: &'static str,
        /// The query.
        query: String,
        /// The parser's message, with the position.
        message: String,
    },
    /// The action's modifiers contradict each other, or it has none.
    Modifier {
        /// The action.
        action: usize,
        /// Its target.
        target: String,
        /// What is wrong, and what to do.
        problem: &'static str,
    },
    /// The action needs Overlay 1.1 but the document says 1.0.
    NeedsV1_1 {
        /// The action.
        action: usize,
        /// Its target.
        target: String,
        /// What needs 1.1.
        what: String,
    },
    /// A `copy` query selects no node or several; it must select exactly one.
    CopySource {
        /// The action.
        action: usize,
        /// Its target.
        target: String,
        /// The copy query.
        copy: String,
        /// How many nodes it selected.
        matched: usize,
    },
    /// The target selects nodes of different kinds (objects and arrays, say) for an update.
    MixedTargets {
        /// The action.
        action: usize,
        /// Its target.
        target: String,
    },
    /// The update cannot merge into the node at `pointer`.
    Incompatible {
        /// The action.
        action: usize,
        /// Its target.
        target: String,
        /// The JSON pointer of the node.
        pointer: String,
        /// The kind of the node (`an object`, `a string`, ...).
        found: &'static str,
        /// The kind of the value merged into it.
        given: &'static str,
    },
    /// The target selects the document's root for `remove`.
    RemoveRoot {
        /// The action.
        action: usize,
        /// Its target.
        target: String,
    },
}

impl fmt::Display for OverlayError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Shape { message } => write!(
                f,
                "not an Overlay document ({message}); it needs `overlay`, `info` (`title`, \
                 `version`) and `actions`"
            ),
            Self::UnsupportedVersion { found } => write!(
                f,
                "`overlay: {found}` is not a version this tool applies; write `overlay: 1.1.0` \
                 (or 1.0.0)"
            ),
            Self::UnknownField { place, field } => write!(
                f,
                "{place} has the field `{field}`, which the Overlay Specification does not \
                 define; remove it, or name an extension `x-...`"
            ),
            Self::BadPath {
                action,
                field,
                query,
                message,
            } => write!(
                f,
                "actions[{action}]: `{field}: {query}` is not an RFC 9535 JSONPath query \
                 ({message}); quote names that are not identifiers, as in $.paths['/stats.json']"
            ),
            Self::Modifier {
                action,
                target,
                problem,
            } => write!(f, "actions[{action}] (target `{target}`): {problem}"),
            Self::NeedsV1_1 {
                action,
                target,
                what,
            } => write!(
                f,
                "actions[{action}] (target `{target}`): {what} needs Overlay 1.1; write \
                 `overlay: 1.1.0`"
            ),
            Self::CopySource {
                action,
                target,
                copy,
                matched,
            } => write!(
                f,
                "actions[{action}] (target `{target}`): `copy: {copy}` selects {matched} nodes; \
                 it must select exactly one"
            ),
            Self::MixedTargets { action, target } => write!(
                f,
                "actions[{action}]: target `{target}` selects nodes of different kinds (objects, \
                 arrays, primitives); narrow it so that one update fits every node"
            ),
            Self::Incompatible {
                action,
                target,
                pointer,
                found,
                given,
            } => write!(
                f,
                "actions[{action}] (target `{target}`): cannot merge {given} into {found} at \
                 `{pointer}`; give a value of the same kind, or remove the node in an earlier \
                 action"
            ),
            Self::RemoveRoot { action, target } => write!(
                f,
                "actions[{action}]: target `{target}` selects the whole document, which cannot \
                 be removed; select the nodes to remove"
            ),
        }
    }
}

impl std::error::Error for OverlayError {}

/// One step of a node's location: a member name or an array index. The derived order is the
/// document's pre-order (a parent before its children, lower indices first), which removal runs
/// backwards.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Step {
    Name(String),
    Index(usize),
}

/// What an action does, once its fields are checked.
enum Modifier<'a> {
    Update(&'a Value),
    Copy(&'a str),
    Remove,
}

impl Overlay {
    /// Reads an overlay from a JSON value (a YAML overlay parsed by the caller's YAML crate is
    /// one too) and checks it with [`Overlay::check`].
    pub fn from_value(value: Value) -> Result<Self, OverlayError> {
        let overlay: Self = serde_json::from_value(value).map_err(|error| OverlayError::Shape {
            message: error.to_string(),
        })?;
        overlay.check()?;
        Ok(overlay)
    }

    /// The feature set the `overlay` field asks for: 1.0.x or 1.1.x.
    pub fn version(&self) -> Result<Version, OverlayError> {
        let mut parts = self.overlay.split('.');
        match (parts.next(), parts.next()) {
            (Some("1"), Some("0")) => Ok(Version::V1_0),
            (Some("1"), Some("1")) => Ok(Version::V1_1),
            _ => Err(OverlayError::UnsupportedVersion {
                found: self.overlay.clone(),
            }),
        }
    }

    /// Checks what can be checked without a document: the version, that every field is the
    /// specification's or an `x-` extension, and that every action has one modifier and valid
    /// queries. [`Overlay::apply`] checks first.
    pub fn check(&self) -> Result<Version, OverlayError> {
        let version = self.version()?;
        only_known_fields("the overlay", &self.extensions)?;
        only_known_fields("info", &self.info.extensions)?;
        for (index, action) in self.actions.iter().enumerate() {
            only_known_fields(&format!("actions[{index}]"), &action.extensions)?;
            let modifier = action.modifier(index)?;
            parse_path(index, "target", &action.target)?;
            if let Modifier::Copy(copy) = modifier {
                if version == Version::V1_0 {
                    return Err(action.needs_v1_1(index, "`copy`".to_owned()));
                }
                parse_path(index, "copy", copy)?;
            }
        }
        Ok(version)
    }

    /// Applies the actions in order to `doc`, each to the result of the one before. All or
    /// nothing: on an error `doc` is left as it was.
    pub fn apply(&self, doc: &mut Value) -> Result<ApplyReport, OverlayError> {
        let version = self.check()?;
        // Worked on a copy so that a failing action never leaves a half-applied document.
        let mut work = doc.clone();
        let mut report = ApplyReport::default();
        for (index, action) in self.actions.iter().enumerate() {
            report
                .actions
                .push(action.apply(index, version, &mut work)?);
        }
        *doc = work;
        Ok(report)
    }
}

/// Fails on a field that is neither the specification's (serde took those) nor an extension.
fn only_known_fields(place: &str, rest: &Map<String, Value>) -> Result<(), OverlayError> {
    match rest.keys().find(|key| !key.starts_with("x-")) {
        Some(field) => Err(OverlayError::UnknownField {
            place: place.to_owned(),
            field: field.clone(),
        }),
        None => Ok(()),
    }
}

fn parse_path(action: usize, field: &'static str, query: &str) -> Result<JsonPath, OverlayError> {
    JsonPath::parse(query).map_err(|error| OverlayError::BadPath {
        action,
        field,
        query: query.to_owned(),
        message: error.to_string(),
    })
}

impl Action {
    /// The one modifier of the action. The specification lets `remove: true` silence `update`
    /// and leaves `update` beside `copy` undefined; an action that carries two is refused, since
    /// a reader cannot tell which one its author meant.
    fn modifier(&self, index: usize) -> Result<Modifier<'_>, OverlayError> {
        let problem = match (&self.update, &self.copy, self.remove) {
            (Some(update), None, false) => return Ok(Modifier::Update(update)),
            (None, Some(copy), false) => return Ok(Modifier::Copy(copy)),
            (None, None, true) => return Ok(Modifier::Remove),
            (Some(_), _, true) => "`update` and `remove: true` are both set; keep one",
            (None, Some(_), true) => "`copy` and `remove: true` are both set; keep one",
            (Some(_), Some(_), false) => "`update` and `copy` are both set; keep one",
            (None, None, false) => {
                "it has no `update`, `copy` or `remove: true`, so it would change nothing; \
                 add one or delete the action"
            }
        };
        Err(OverlayError::Modifier {
            action: index,
            target: self.target.clone(),
            problem,
        })
    }

    fn needs_v1_1(&self, index: usize, what: String) -> OverlayError {
        OverlayError::NeedsV1_1 {
            action: index,
            target: self.target.clone(),
            what,
        }
    }

    fn apply(
        &self,
        index: usize,
        version: Version,
        doc: &mut Value,
    ) -> Result<ActionReport, OverlayError> {
        let modifier = self.modifier(index)?;
        let locations = select(&parse_path(index, "target", &self.target)?, doc);
        let mut report = ActionReport {
            index,
            matched: locations.len(),
            changed: false,
        };
        if locations.is_empty() {
            return Ok(report);
        }
        report.changed = match modifier {
            Modifier::Remove => self.remove(index, version, doc, locations)?,
            Modifier::Update(update) => self.update(index, version, doc, &locations, update)?,
            Modifier::Copy(copy) => {
                let source = self.copy_source(index, doc, copy)?;
                self.update(index, version, doc, &locations, &source)?
            }
        };
        Ok(report)
    }

    /// The value a `copy` query selects, which must be exactly one node of the document as the
    /// earlier actions left it.
    fn copy_source(&self, index: usize, doc: &Value, copy: &str) -> Result<Value, OverlayError> {
        let nodes = parse_path(index, "copy", copy)?.query(doc).all();
        match nodes.as_slice() {
            [one] => Ok((*one).clone()),
            _ => Err(OverlayError::CopySource {
                action: index,
                target: self.target.clone(),
                copy: copy.to_owned(),
                matched: nodes.len(),
            }),
        }
    }

    fn remove(
        &self,
        index: usize,
        version: Version,
        doc: &mut Value,
        mut locations: Vec<Vec<Step>>,
    ) -> Result<bool, OverlayError> {
        if locations.iter().any(Vec::is_empty) {
            return Err(OverlayError::RemoveRoot {
                action: index,
                target: self.target.clone(),
            });
        }
        let primitive = locations.iter().find(|at| is_primitive(node(doc, at)));
        if let (Version::V1_0, Some(at)) = (version, primitive) {
            let what = format!("removing the primitive at `{}`", to_pointer(at));
            return Err(self.needs_v1_1(index, what));
        }
        // Backwards through the document: a later array entry goes before an earlier one, and a
        // child before its parent, so no removal shifts a location still to be removed.
        locations.sort();
        let mut changed = false;
        for at in locations.iter().rev() {
            let (last, parent) = at.split_last().expect("the root was refused above");
            changed |= match (node_mut(doc, parent), last) {
                (Some(Value::Object(map)), Step::Name(name)) => map.shift_remove(name).is_some(),
                (Some(Value::Array(items)), Step::Index(i)) if *i < items.len() => {
                    items.remove(*i);
                    true
                }
                _ => false,
            };
        }
        Ok(changed)
    }

    fn update(
        &self,
        index: usize,
        version: Version,
        doc: &mut Value,
        locations: &[Vec<Step>],
        update: &Value,
    ) -> Result<bool, OverlayError> {
        let kinds: Vec<Kind> = locations.iter().map(|at| Kind::of(node(doc, at))).collect();
        if kinds.windows(2).any(|pair| pair[0] != pair[1]) {
            return Err(OverlayError::MixedTargets {
                action: index,
                target: self.target.clone(),
            });
        }
        if version == Version::V1_0 && kinds[0] == Kind::Primitive {
            let what = format!("updating the primitive at `{}`", to_pointer(&locations[0]));
            return Err(self.needs_v1_1(index, what));
        }
        let mut changed = false;
        for at in locations {
            let Some(target) = node_mut(doc, at) else {
                continue;
            };
            changed |=
                update_node(target, update).map_err(|conflict| OverlayError::Incompatible {
                    action: index,
                    target: self.target.clone(),
                    pointer: format!("{}{}", to_pointer(at), conflict.pointer),
                    found: conflict.found,
                    given: conflict.given,
                })?;
        }
        Ok(changed)
    }
}

/// The locations a query selects, each once, in the query's order.
fn select(path: &JsonPath, doc: &Value) -> Vec<Vec<Step>> {
    let mut locations: Vec<Vec<Step>> = Vec::new();
    for location in path.query_located(doc).locations() {
        let steps: Vec<Step> = location
            .iter()
            .map(|element| match element {
                PathElement::Name(name) => Step::Name((*name).to_owned()),
                PathElement::Index(index) => Step::Index(*index),
            })
            .collect();
        // RFC 9535 nodelists may repeat a node (`$['a','a']`); merging twice would append twice.
        if !locations.contains(&steps) {
            locations.push(steps);
        }
    }
    locations
}

fn to_pointer(at: &[Step]) -> String {
    pointer::join(at.iter().map(|step| match step {
        Step::Name(name) => name.clone(),
        Step::Index(index) => index.to_string(),
    }))
}

fn node<'a>(doc: &'a Value, at: &[Step]) -> Option<&'a Value> {
    doc.pointer(&to_pointer(at))
}

fn node_mut<'a>(doc: &'a mut Value, at: &[Step]) -> Option<&'a mut Value> {
    doc.pointer_mut(&to_pointer(at))
}

fn is_primitive(value: Option<&Value>) -> bool {
    Kind::of(value) == Kind::Primitive
}

/// The three kinds of node the specification distinguishes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Object,
    Array,
    Primitive,
}

impl Kind {
    fn of(value: Option<&Value>) -> Self {
        match value {
            Some(Value::Object(_)) => Self::Object,
            Some(Value::Array(_)) => Self::Array,
            _ => Self::Primitive,
        }
    }
}

/// Where and why a merge failed, below the node the action selected.
struct Conflict {
    pointer: String,
    found: &'static str,
    given: &'static str,
}

fn kind_name(value: &Value) -> &'static str {
    match value {
        Value::Object(_) => "an object",
        Value::Array(_) => "an array",
        Value::String(_) => "a string",
        Value::Number(_) => "a number",
        Value::Bool(_) => "a boolean",
        Value::Null => "null",
    }
}

/// Applies an update to one selected node: an object is merged into an object, an array is
/// concatenated with an array and anything else appended to it, and a primitive replaces a
/// primitive. Returns whether the node changed.
fn update_node(target: &mut Value, update: &Value) -> Result<bool, Conflict> {
    match (target, update) {
        (Value::Array(items), Value::Array(more)) => {
            items.extend(more.iter().cloned());
            Ok(!more.is_empty())
        }
        (Value::Array(items), one) => {
            items.push(one.clone());
            Ok(true)
        }
        (target, update)
            if Kind::of(Some(target)) == Kind::of(Some(update)) && !update.is_array() =>
        {
            merge(target, update)
        }
        (target, update) => Err(conflict(target, update)),
    }
}

/// The specification's recursive merge of a property: objects merge, arrays concatenate,
/// primitives replace; other pairs are incompatible.
fn merge(target: &mut Value, update: &Value) -> Result<bool, Conflict> {
    match (target, update) {
        (Value::Object(members), Value::Object(changes)) => {
            let mut changed = false;
            for (name, change) in changes {
                let Some(member) = members.get_mut(name) else {
                    members.insert(name.clone(), change.clone());
                    changed = true;
                    continue;
                };
                changed |= merge(member, change).map_err(|mut conflict| {
                    conflict.pointer = format!("{}{}", pointer::join([name]), conflict.pointer);
                    conflict
                })?;
            }
            Ok(changed)
        }
        (Value::Array(items), Value::Array(more)) => {
            items.extend(more.iter().cloned());
            Ok(!more.is_empty())
        }
        // The specification's Structured Overlay Example mirrors the document with empty keys
        // (`components:`, `tags:`): a null there stands for "nothing to change", not for a wipe.
        (Value::Object(_) | Value::Array(_), Value::Null) => Ok(false),
        (target, update)
            if Kind::of(Some(target)) == Kind::Primitive
                && Kind::of(Some(update)) == Kind::Primitive =>
        {
            let changed = target != update;
            *target = update.clone();
            Ok(changed)
        }
        (target, update) => Err(conflict(target, update)),
    }
}

fn conflict(target: &Value, update: &Value) -> Conflict {
    Conflict {
        pointer: String::new(),
        found: kind_name(target),
        given: kind_name(update),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Applies `overlay` to `doc` and returns the result.
    fn applied(mut doc: Value, overlay: Value) -> Value {
        let overlay = Overlay::from_value(overlay).unwrap();
        overlay.apply(&mut doc).unwrap();
        doc
    }

    /// The error applying `overlay` to `doc` gives, as text.
    fn refused(mut doc: Value, overlay: Value) -> String {
        let before = doc.clone();
        let overlay: Overlay = serde_json::from_value(overlay).unwrap();
        let error = overlay.apply(&mut doc).unwrap_err().to_string();
        // All or nothing: a failing overlay leaves the document as it was.
        assert_eq!(doc, before, "{error}");
        error
    }

    fn with_actions(version: &str, actions: Value) -> Value {
        json!({"overlay": version, "info": {"title": "t", "version": "1"}, "actions": actions})
    }

    fn pets() -> Value {
        json!({
            "openapi": "3.1.0",
            "info": {"title": "Pets", "version": "1.0.0"},
            "paths": {
                "/": {"get": {"responses": {}}},
                "/pets": {"get": {"responses": {}}}
            },
            "components": {"schemas": {"Pet": {"type": "object"}}},
            "tags": [{"name": "pets"}]
        })
    }

    #[test]
    fn structured_overlay_example_merges_a_mirror_of_the_document() {
        let actions = json!([{"target": "$", "update": {
            "info": {"x-overlay-applied": "structured-overlay"},
            "paths": {
                "/": {"summary": "The root resource", "get": {
                    "summary": "Retrieve the root resource", "x-rate-limit": 100}},
                "/pets": {"get": {"summary": "Retrieve a list of pets", "x-rate-limit": 100}}
            },
            "components": null,
            "tags": null
        }}]);
        let mut expected = pets();
        expected["info"]["x-overlay-applied"] = json!("structured-overlay");
        expected["paths"]["/"]["summary"] = json!("The root resource");
        expected["paths"]["/"]["get"]["summary"] = json!("Retrieve the root resource");
        expected["paths"]["/"]["get"]["x-rate-limit"] = json!(100);
        expected["paths"]["/pets"]["get"]["summary"] = json!("Retrieve a list of pets");
        expected["paths"]["/pets"]["get"]["x-rate-limit"] = json!(100);
        assert_eq!(applied(pets(), with_actions("1.0.0", actions)), expected);
    }

    #[test]
    fn targeted_overlay_example_replaces_primitives_and_merges_objects() {
        let doc = json!({"paths": {
            "/foo": {"get": {"description": "old foo"}},
            "/bar": {"get": {"description": "old bar"}}
        }});
        let actions = json!([
            {"target": "$.paths['/foo'].get.description", "update": "This is the new description"},
            {"target": "$.paths['/bar'].get.description",
             "update": "This is the updated description"},
            {"target": "$.paths['/bar']", "update": {"post": {
                "description": "This is an updated description of a child object",
                "x-safe": false}}}
        ]);
        let expected = json!({"paths": {
            "/foo": {"get": {"description": "This is the new description"}},
            "/bar": {
                "get": {"description": "This is the updated description"},
                "post": {
                    "description": "This is an updated description of a child object",
                    "x-safe": false
                }
            }
        }});
        assert_eq!(applied(doc, with_actions("1.1.0", actions)), expected);
    }

    #[test]
    fn wildcard_overlay_example_updates_every_selected_node() {
        let doc = json!({"paths": {
            "/a": {"get": {"parameters": [
                {"name": "filter", "in": "query"}, {"name": "filter", "in": "header"}]}},
            "/b": {"get": {}},
            "/c": {"post": {}}
        }});
        let actions = json!([
            {"target": "$.paths.*.get", "update": {"x-safe": true}},
            {"target": "$.paths.*.get.parameters[?@.name=='filter' && @.in=='query']",
             "update": {"schema": {"$ref": "#/components/schemas/filterSchema"}}}
        ]);
        let expected = json!({"paths": {
            "/a": {"get": {
                "parameters": [
                    {"name": "filter", "in": "query",
                     "schema": {"$ref": "#/components/schemas/filterSchema"}},
                    {"name": "filter", "in": "header"}
                ],
                "x-safe": true
            }},
            "/b": {"get": {"x-safe": true}},
            "/c": {"post": {}}
        }});
        assert_eq!(applied(doc, with_actions("1.0.0", actions)), expected);
    }

    #[test]
    fn array_modification_examples_append_and_remove_entries() {
        let doc = json!({"paths": {"/a": {"get": {"parameters": [{"name": "dummy"}],
                                                    "tags": ["dummy", "kept"]}}}});
        let appended = applied(
            doc.clone(),
            with_actions(
                "1.0.0",
                json!([{"target": "$.paths.*.get.parameters",
                        "update": {"name": "newParam", "in": "query"}}]),
            ),
        );
        assert_eq!(
            appended["paths"]["/a"]["get"]["parameters"],
            json!([{"name": "dummy"}, {"name": "newParam", "in": "query"}])
        );
        let removed = applied(
            doc.clone(),
            with_actions(
                "1.0.0",
                json!([{"target": "$.paths.*.get.parameters[?@.name == 'dummy']", "remove": true}]),
            ),
        );
        assert_eq!(removed["paths"]["/a"]["get"]["parameters"], json!([]));
        let primitive = json!([{"target": "$.paths.*.get.tags[?@ == 'dummy']", "remove": true}]);
        let removed = applied(doc.clone(), with_actions("1.1.0", primitive.clone()));
        assert_eq!(removed["paths"]["/a"]["get"]["tags"], json!(["kept"]));
        let error = refused(doc, with_actions("1.0.0", primitive));
        assert!(
            error.contains("needs Overlay 1.1; write `overlay: 1.1.0`"),
            "{error}"
        );
        assert!(error.contains("/paths/~1a/get/tags/0"), "{error}");
    }

    #[test]
    fn traits_example_updates_the_operations_marked_paged() {
        let ok = json!({"200": {"description": "OK"}});
        let doc = json!({"openapi": "3.1.0", "paths": {
            "/items": {"get": {"x-oai-traits": ["paged"], "responses": ok}},
            "/items/{id}/subitems": {"get": {"x-oai-traits": ["paged"],
                "parameters": [{"name": "id", "in": "path", "required": true}],
                "responses": ok}},
            "/other": {"get": {"responses": ok}}
        }});
        let paging = json!([{"name": "top", "in": "query"}, {"name": "skip", "in": "query"}]);
        let actions = json!([{
            "target": "$.paths[?(@.get['x-oai-traits'][?(@ == 'paged')])].get",
            "update": {"parameters": paging}
        }]);
        let mut expected = doc.clone();
        expected["paths"]["/items"]["get"]["parameters"] = paging.clone();
        let subitems = &mut expected["paths"]["/items/{id}/subitems"]["get"]["parameters"];
        subitems
            .as_array_mut()
            .unwrap()
            .extend(paging.as_array().unwrap().clone());
        assert_eq!(applied(doc, with_actions("1.0.0", actions)), expected);
    }

    fn items() -> Value {
        let ok = json!({"responses": {"200": {"description": "OK"}}});
        json!({"openapi": "3.1.0", "paths": {
            "/items": {"get": ok},
            "/some-items": {"delete": ok}
        }})
    }

    #[test]
    fn copy_examples_copy_ensure_and_move_a_path_item() {
        let ok = json!({"responses": {"200": {"description": "OK"}}});
        let simple = json!([{"target": "$.paths[\"/some-items\"]", "copy": "$.paths[\"/items\"]"}]);
        let expected = json!({"openapi": "3.1.0", "paths": {
            "/items": {"get": ok}, "/some-items": {"delete": ok, "get": ok}}});
        assert_eq!(applied(items(), with_actions("1.1.0", simple)), expected);

        let ensure = json!([
            {"target": "$.paths", "update": {"/other-items": {}}},
            {"target": "$.paths[\"/other-items\"]", "copy": "$.paths[\"/items\"]"}
        ]);
        let expected = json!({"openapi": "3.1.0", "paths": {
            "/items": {"get": ok}, "/some-items": {"delete": ok}, "/other-items": {"get": ok}}});
        assert_eq!(applied(items(), with_actions("1.1.0", ensure)), expected);

        let moved = json!([
            {"target": "$.paths", "update": {"/new-items": {}}},
            {"target": "$.paths[\"/new-items\"]", "copy": "$.paths[\"/items\"]"},
            {"target": "$.paths[\"/items\"]", "remove": true}
        ]);
        let expected = json!({"openapi": "3.1.0", "paths": {
            "/some-items": {"delete": ok}, "/new-items": {"get": ok}}});
        let result = applied(items(), with_actions("1.1.0", moved));
        assert_eq!(result, expected);
        // Removal keeps the order of the members left (serde_json's `remove` would swap).
        let order: Vec<&String> = result["paths"].as_object().unwrap().keys().collect();
        assert_eq!(order, ["/some-items", "/new-items"]);
    }

    #[test]
    fn copy_must_select_exactly_one_node_and_needs_1_1() {
        let none = json!([{"target": "$.paths['/items']", "copy": "$.paths['/nowhere']"}]);
        let error = refused(items(), with_actions("1.1.0", none));
        assert!(
            error.contains("selects 0 nodes; it must select exactly one"),
            "{error}"
        );
        let two = json!([{"target": "$.paths['/items']", "copy": "$.paths.*"}]);
        let error = refused(items(), with_actions("1.1.0", two));
        assert!(
            error.starts_with("actions[0] (target `$.paths['/items']`)"),
            "{error}"
        );
        let old = json!([{"target": "$.paths['/items']", "copy": "$.paths['/some-items']"}]);
        let error = refused(items(), with_actions("1.0.0", old));
        assert!(error.contains("`copy` needs Overlay 1.1"), "{error}");
    }

    fn campaign() -> Value {
        json!({"components": {"schemas": {"Campaign": {
            "type": "object",
            "required": ["id", "alias", "active"],
            "properties": {"active": {"type": "integer", "x-adsterra-known-values": [1, 2]}}
        }}}})
    }

    #[test]
    fn removes_one_entry_of_a_required_list() {
        let actions = json!([{
            "target": "$.components.schemas.Campaign.required[?@ == 'active']",
            "remove": true
        }]);
        let result = applied(campaign(), with_actions("1.1.0", actions));
        assert_eq!(
            result["components"]["schemas"]["Campaign"]["required"],
            json!(["id", "alias"])
        );
    }

    #[test]
    fn updates_a_primitive_in_1_1_only() {
        let actions = json!([{"target": "$.components.schemas.Campaign.type", "update": "string"}]);
        let result = applied(campaign(), with_actions("1.1.0", actions.clone()));
        assert_eq!(
            result["components"]["schemas"]["Campaign"]["type"],
            "string"
        );
        let error = refused(campaign(), with_actions("1.0.0", actions));
        assert!(error.contains("updating the primitive at"), "{error}");
        // An explicit `update: null` is a primitive, not a missing modifier.
        let nulled = json!([{"target": "$.components.schemas.Campaign.type", "update": null}]);
        let result = applied(campaign(), with_actions("1.1.0", nulled));
        assert_eq!(
            result["components"]["schemas"]["Campaign"]["type"],
            Value::Null
        );
    }

    #[test]
    fn arrays_concatenate_and_take_one_appended_value() {
        let known = "$.components.schemas.Campaign.properties.active['x-adsterra-known-values']";
        let actions = json!([
            {"target": known, "update": [3, 4]},
            {"target": known, "update": 5},
            {"target": "$.components.schemas.Campaign", "update": {"required": ["format"]}}
        ]);
        let result = applied(campaign(), with_actions("1.1.0", actions));
        let schema = &result["components"]["schemas"]["Campaign"];
        assert_eq!(
            schema["properties"]["active"]["x-adsterra-known-values"],
            json!([1, 2, 3, 4, 5])
        );
        assert_eq!(
            schema["required"],
            json!(["id", "alias", "active", "format"])
        );
    }

    #[test]
    fn a_target_matching_nothing_succeeds_without_change() {
        let mut doc = campaign();
        let overlay = Overlay::from_value(with_actions(
            "1.1.0",
            json!([
                {"target": "$.components.schemas.Nothing", "update": {"type": "string"}},
                {"target": "$.paths.*", "remove": true}
            ]),
        ))
        .unwrap();
        let report = overlay.apply(&mut doc).unwrap();
        assert_eq!(doc, campaign());
        let matched: Vec<(usize, bool)> = report
            .actions
            .iter()
            .map(|action| (action.matched, action.changed))
            .collect();
        assert_eq!(matched, [(0, false), (0, false)]);
    }

    #[test]
    fn removes_several_matches_from_the_highest_index_down_and_children_first() {
        let doc = json!({"list": [1, 2, 3, 1, 5]});
        let actions = json!([{"target": "$.list[?@ > 1]", "remove": true}]);
        assert_eq!(
            applied(doc, with_actions("1.1.0", actions)),
            json!({"list": [1, 1]})
        );
        let doc = json!({"a": [
            {"drop": true, "b": [{"drop": true}, {"keep": 1}]},
            {"keep": 2}
        ]});
        let actions = json!([{"target": "$..[?@.drop == true]", "remove": true}]);
        assert_eq!(
            applied(doc, with_actions("1.0.0", actions)),
            json!({"a": [{"keep": 2}]})
        );
    }

    #[test]
    fn a_node_selected_twice_is_updated_once() {
        let doc = json!({"a": [1]});
        let actions = json!([{"target": "$['a','a']", "update": 2}]);
        assert_eq!(
            applied(doc, with_actions("1.0.0", actions)),
            json!({"a": [1, 2]})
        );
    }

    #[test]
    fn a_report_counts_matches_and_changes() {
        let mut doc = campaign();
        let overlay = Overlay::from_value(with_actions(
            "1.1.0",
            json!([
                {"target": "$.components.schemas.*", "update": {"type": "object"}},
                {"target": "$.components.schemas.*.required[*]", "update": "id"}
            ]),
        ))
        .unwrap();
        let report = overlay.apply(&mut doc).unwrap();
        assert_eq!(report.actions[0].matched, 1);
        assert!(!report.actions[0].changed, "the type was object already");
        assert_eq!(
            (report.actions[1].matched, report.actions[1].changed),
            (3, true)
        );
    }

    #[test]
    fn errors_name_the_action_its_target_and_what_to_do() {
        let cases = [
            (
                json!({"target": "$.paths[", "remove": true}),
                "is not an RFC 9535 JSONPath query",
            ),
            (
                json!({"target": "$.a", "remove": true, "update": {}}),
                "both set; keep one",
            ),
            (
                json!({"target": "$.a", "copy": "$.b", "update": {}}),
                "both set; keep one",
            ),
            (json!({"target": "$.a"}), "add one or delete the action"),
            (json!({"target": "$", "remove": true}), "cannot be removed"),
            (
                json!({"target": "$.info", "update": "x"}),
                "cannot merge a string into an object",
            ),
        ];
        for (action, expected) in cases {
            let doc = json!({"info": {"title": "t"}, "a": {}});
            let error = refused(
                doc,
                with_actions(
                    "1.1.0",
                    json!([{"target": "$.a", "remove": true},
                                                             action]),
                ),
            );
            assert!(error.starts_with("actions[1]"), "{error}");
            assert!(error.contains(expected), "{error} (expected: {expected})");
        }
        let error = refused(
            pets(),
            with_actions("1.1.0", json!([{"target": "$.paths[", "remove": true}])),
        );
        assert!(
            error.contains("at position"),
            "the parser's message is kept: {error}"
        );
    }

    #[test]
    fn a_conflict_below_the_target_names_its_pointer() {
        let actions = json!([{"target": "$.info", "update": {"title": {"text": "x"}}}]);
        let mut doc = pets();
        let overlay = Overlay::from_value(with_actions("1.1.0", actions)).unwrap();
        let error = overlay.apply(&mut doc).unwrap_err();
        assert!(
            matches!(&error, OverlayError::Incompatible { pointer, .. } if pointer == "/info/title"),
            "{error:?}"
        );
        assert!(
            error
                .to_string()
                .contains("cannot merge an object into a string"),
            "{error}"
        );
        let mixed = json!([{"target": "$.*", "update": {"x-a": 1}}]);
        let error = refused(json!({"a": {}, "b": []}), with_actions("1.1.0", mixed));
        assert!(error.contains("nodes of different kinds"), "{error}");
    }

    #[test]
    fn reads_versions_fields_and_extensions() {
        let error = Overlay::from_value(with_actions("2.0.0", json!([]))).unwrap_err();
        assert!(
            matches!(error, OverlayError::UnsupportedVersion { .. }),
            "{error}"
        );
        let mut unknown = with_actions(
            "1.1.0",
            json!([{"target": "$", "remove": true, "remov": true}]),
        );
        let error = Overlay::from_value(unknown.clone())
            .unwrap_err()
            .to_string();
        assert!(
            error.starts_with("actions[0] has the field `remov`"),
            "{error}"
        );
        unknown["actions"][0]
            .as_object_mut()
            .unwrap()
            .remove("remov");
        unknown["x-proposer"] = json!({"run": 7});
        unknown["actions"][0]["x-evidence"] = json!("verify-live");
        unknown["info"]["description"] = json!("what the proposer saw");
        let read = Overlay::from_value(unknown.clone()).unwrap();
        assert_eq!(read.version(), Ok(Version::V1_1));
        assert_eq!(read.extensions["x-proposer"], json!({"run": 7}));
        assert_eq!(
            serde_json::to_value(&read).unwrap(),
            unknown,
            "serializes as it was read"
        );
        let error = Overlay::from_value(json!({"overlay": "1.1.0"}))
            .unwrap_err()
            .to_string();
        assert!(error.starts_with("not an Overlay document"), "{error}");
    }
}
