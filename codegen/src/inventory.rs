//! What the spec holds, for people: the operation inventory and the generation summary.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde_json::Value;

use crate::walk;
use adsterra_formats::Format;

use crate::{EVIDENCE_KEY, EVIDENCE_VALUES};

/// One operation, as the inventory lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Upper-case HTTP method.
    pub method: String,
    /// Path template.
    pub path: String,
    /// operationId (the Rust method name).
    pub operation_id: String,
    /// `json`, `csv` or `xml` on the lowered spec; `-` where the spec does not say.
    pub format: String,
    /// The operation's evidence mark.
    pub evidence: String,
    /// The first tag: the resource.
    pub resource: String,
}

/// Every operation of `spec`, in document order.
pub fn entries(spec: &Value) -> Vec<Entry> {
    let text = |value: &Value, key: &str| {
        value
            .get(key)
            .and_then(Value::as_str)
            .unwrap_or("-")
            .to_owned()
    };
    walk::operations(spec)
        .into_iter()
        .map(|operation| Entry {
            method: operation.method.to_uppercase(),
            path: operation.path.to_owned(),
            operation_id: operation.operation_id().unwrap_or("-").to_owned(),
            format: text(operation.value, "x-adsterra-format"),
            evidence: text(operation.value, EVIDENCE_KEY),
            resource: operation
                .value
                .pointer("/tags/0")
                .and_then(Value::as_str)
                .unwrap_or("-")
                .to_owned(),
        })
        .collect()
}

/// The inventory as a Markdown table.
pub fn table(entries: &[Entry]) -> String {
    let mut out = String::from(
        "| method | path | operationId | format | evidence |\n|---|---|---|---|---|\n",
    );
    for e in entries {
        let _ = writeln!(
            out,
            "| {} | `{}` | `{}` | {} | {} |",
            e.method, e.path, e.operation_id, e.format, e.evidence
        );
    }
    out
}

/// Evidence marks on schema properties, counted over every component schema.
pub fn property_evidence(spec: &Value) -> BTreeMap<String, usize> {
    fn visit(schema: &Value, counts: &mut BTreeMap<String, usize>) {
        for property in schema
            .get("properties")
            .and_then(Value::as_object)
            .into_iter()
            .flat_map(|p| p.values())
        {
            let mark = property.get(EVIDENCE_KEY).and_then(Value::as_str);
            *counts
                .entry(mark.unwrap_or("unmarked").to_owned())
                .or_default() += 1;
            visit(property, counts);
        }
        if let Some(items) = schema.get("items") {
            visit(items, counts);
        }
    }
    let mut counts = BTreeMap::new();
    for schema in spec
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .into_iter()
        .flat_map(|s| s.values())
    {
        visit(schema, &mut counts);
    }
    counts
}

/// A one-screen summary of the source spec and its lowered rendition.
pub fn summary(source: &Value, lowered: &Value) -> String {
    let endpoints = entries(source);
    let operations = entries(lowered);
    let count = |list: &[Entry], pick: fn(&Entry) -> &str| {
        let mut counts = BTreeMap::<String, usize>::new();
        for entry in list {
            *counts.entry(pick(entry).to_owned()).or_default() += 1;
        }
        counts
    };
    let per_format = count(&operations, |e| &e.format);
    let per_resource_endpoints = count(&endpoints, |e| &e.resource);
    let per_resource_operations = count(&operations, |e| &e.resource);
    let evidence = count(&endpoints, |e| &e.evidence);
    let properties = property_evidence(source);

    let mut out = String::new();
    let formats: Vec<String> = Format::ALL
        .iter()
        .map(|f| format!("{f} {}", per_format.get(&f.to_string()).unwrap_or(&0)))
        .collect();
    let _ = writeln!(
        out,
        "{} endpoints -> {} operations ({})",
        endpoints.len(),
        operations.len(),
        formats.join(", ")
    );
    let _ = writeln!(
        out,
        "\n{:<12} {:>9} {:>10}",
        "resource", "endpoints", "operations"
    );
    for (resource, n) in &per_resource_endpoints {
        let lowered_n = per_resource_operations.get(resource).unwrap_or(&0);
        let _ = writeln!(out, "{resource:<12} {n:>9} {lowered_n:>10}");
    }
    let _ = writeln!(
        out,
        "\n{:<12} {:>9} {:>10}",
        "evidence", "endpoints", "properties"
    );
    for mark in EVIDENCE_VALUES {
        let _ = writeln!(
            out,
            "{mark:<12} {:>9} {:>10}",
            evidence.get(mark).unwrap_or(&0),
            properties.get(mark).unwrap_or(&0)
        );
    }
    out
}
