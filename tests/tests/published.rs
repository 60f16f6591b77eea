//! What `spec/dist/` publishes: the spec as YAML and JSON, the lowered spec, and an HTML
//! reference that renders with no network and shows every evidence mark.

use adsterra_codegen::derived::{DIST_HTML, DIST_SOURCE, DIST_YAML};
use adsterra_tests::{spec, workspace_root};
use serde_json::Value;

fn read(path: &str) -> String {
    std::fs::read_to_string(workspace_root().join(path)).unwrap()
}

#[test]
fn the_yaml_and_json_renditions_are_the_source_spec() {
    let source = spec();
    let yaml = adsterra_codegen::load_str(&read(DIST_YAML), DIST_YAML).unwrap();
    let json: Value = serde_json::from_str(&read(DIST_SOURCE)).unwrap();
    assert_eq!(yaml, source);
    assert_eq!(json, source);
}

/// The spec the reference page embeds.
fn embedded() -> Value {
    let html = read(DIST_HTML);
    let start = html
        .find(r#"<script id="spec" type="application/json">"#)
        .expect("the page embeds the spec")
        + r#"<script id="spec" type="application/json">"#.len();
    let end = start + html[start..].find("</script>").expect("the element ends");
    serde_json::from_str(&html[start..end]).expect("the embedded spec is JSON")
}

#[test]
fn the_reference_loads_nothing_from_the_network() {
    let html = read(DIST_HTML);
    for attribute in ["src=", "href="] {
        for (at, _) in html.match_indices(attribute) {
            let value = &html[at + attribute.len()..];
            assert!(
                !value.trim_start_matches('"').starts_with("http")
                    && !value.trim_start_matches('"').starts_with("//"),
                "a remote {attribute} in {DIST_HTML}: {}",
                &value[..value.len().min(60)]
            );
        }
    }
    assert!(html.contains(r#"<script src="redoc.standalone.js"></script>"#));
    let bundle = read("spec/dist/redoc.standalone.js");
    assert!(
        bundle.starts_with(
            "/*! For license information please see redoc.standalone.js.LICENSE.txt */"
        )
    );
    assert!(
        workspace_root()
            .join("spec/dist/redoc.standalone.js.LICENSE.txt")
            .is_file()
    );
}

#[test]
fn every_evidence_mark_reads_in_the_reference() {
    let shown = embedded();
    let source = spec();
    let mut operations = 0;
    for (path, item) in source["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let Some(mark) = operation.get("x-adsterra-evidence").and_then(Value::as_str) else {
                continue;
            };
            let text = shown["paths"][path][method]["description"]
                .as_str()
                .unwrap();
            assert!(
                text.starts_with(&format!("**Evidence: {mark}** (sources: ")),
                "{method} {path}: {text}"
            );
            operations += 1;
        }
    }
    assert_eq!(
        operations,
        adsterra_codegen::inventory::entries(&source).len()
    );
    // Every marked property, nested ones too, reads its mark in the reference.
    let mut marked = Vec::new();
    for (name, schema) in source["components"]["schemas"].as_object().unwrap() {
        marked_properties(schema, &format!("/components/schemas/{name}"), &mut marked);
    }
    for (pointer, mark) in &marked {
        let text = shown
            .pointer(&format!("{pointer}/description"))
            .and_then(Value::as_str)
            .unwrap_or_else(|| panic!("{pointer} has no description in the reference"));
        assert!(
            text.starts_with(&format!("*[{mark}]* ")),
            "{pointer}: {text}"
        );
    }
    let counted: usize = adsterra_codegen::inventory::property_evidence(&source)
        .iter()
        .filter(|(mark, _)| *mark != "unmarked")
        .map(|(_, n)| n)
        .sum();
    assert_eq!(marked.len(), counted, "every marked property was looked at");
    // The extensions themselves stay, for Redoc's showExtensions and for tools.
    let stats = "/paths/~1stats.{format}/get/x-adsterra-evidence";
    assert!(source.pointer(stats).is_some_and(Value::is_string));
    assert_eq!(shown.pointer(stats), source.pointer(stats));
}

/// The JSON pointer and mark of every marked property under `schema`, nested ones included.
fn marked_properties(schema: &Value, at: &str, out: &mut Vec<(String, String)>) {
    for (name, property) in schema
        .get("properties")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        let pointer = format!(
            "{at}/properties/{}",
            name.replace('~', "~0").replace('/', "~1")
        );
        if let Some(mark) = property.get("x-adsterra-evidence").and_then(Value::as_str) {
            out.push((pointer.clone(), mark.to_owned()));
        }
        marked_properties(property, &pointer, out);
    }
    if let Some(items) = schema.get("items") {
        marked_properties(items, &format!("{at}/items"), out);
    }
}
