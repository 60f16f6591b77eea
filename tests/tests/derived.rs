//! The committed derived files: fresh, deterministic, complete, and stale exactly where a spec
//! edit says they should be.

use adsterra_codegen::derived::{self, DerivedFile};
use adsterra_codegen::inventory;
use adsterra_tests::{spec, workspace_root};
use serde_json::Value;

fn derive(spec: &Value) -> (Value, Vec<DerivedFile>) {
    derived::derive(spec).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn committed_files_are_fresh_and_generation_is_deterministic() {
    let (_, first) = derive(&spec());
    let (_, second) = derive(&spec());
    assert_eq!(first, second, "two runs must give identical bytes");
    let stale: Vec<&str> = derived::stale(&workspace_root(), &first)
        .iter()
        .map(|s| s.path)
        .collect();
    assert!(
        stale.is_empty(),
        "stale: {stale:?}; run `cargo xtask generate`"
    );
}

/// Every endpoint has a typed JSON operation and byte-stream CSV and XML operations.
#[test]
fn every_endpoint_has_a_json_a_csv_and_an_xml_operation() {
    let source = spec();
    let (lowered, files) = derive(&source);
    let code = &files
        .iter()
        .find(|file| file.path == derived::GENERATED_RS)
        .expect("the raw client is derived")
        .content;
    let endpoints = inventory::entries(&source);
    let operations = inventory::entries(&lowered);
    // How many there are is the operation inventory's snapshot to show; here, only that
    // lowering adds exactly one operation per format.
    assert_eq!(
        operations.len(),
        endpoints.len() * adsterra_formats::Format::ALL.len()
    );

    for endpoint in &endpoints {
        for (suffix, format, returns) in [
            ("", "json", "ResponseValue<types::"),
            ("_csv", "csv", "ResponseValue<ByteStream>"),
            ("_xml", "xml", "ResponseValue<ByteStream>"),
        ] {
            let id = format!("{}{suffix}", endpoint.operation_id);
            let operation = operations
                .iter()
                .find(|o| o.operation_id == id)
                .unwrap_or_else(|| panic!("no lowered operation {id}"));
            assert_eq!(operation.format, format);
            assert_eq!(operation.method, endpoint.method);
            assert_eq!(
                operation.path,
                endpoint.path.replace(".{format}", &format!(".{format}"))
            );
            let returned = send_return_type(code, &id);
            assert!(
                returned.starts_with(&format!("Result<{returns}")),
                "{id} returns {returned}"
            );
        }
    }
}

/// The text of the return type of the `send` method of operation `id`'s builder.
fn send_return_type(code: &str, id: &str) -> String {
    let builder: String = id
        .split('_')
        .map(|word| {
            let mut chars = word.chars();
            chars
                .next()
                .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect();
    let method = code
        .find(&format!("pub fn {id}("))
        .unwrap_or_else(|| panic!("no client method {id}"));
    let signature = &code[method..method + code[method..].find('{').expect("a body")];
    assert!(
        signature.contains(&format!("builder::{builder}<'_>")),
        "{id} does not return its builder: {signature}"
    );
    let start = code
        .find(&format!("pub struct {builder}<'a>"))
        .unwrap_or_else(|| panic!("no builder {builder}"));
    let send = start
        + code[start..]
            .find("pub async fn send(")
            .expect("a send method");
    let arrow = send + code[send..].find("->").expect("a return type");
    let end = arrow + code[arrow..].find('{').expect("a body");
    code[arrow + 2..end]
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Renaming one field makes exactly the derived files stale, and changes them only where the
/// field appears.
#[test]
fn editing_one_field_makes_the_derived_files_stale_in_the_expected_places() {
    let mut edited = spec();
    let row = edited
        .pointer_mut("/components/schemas/StatsRow/properties")
        .and_then(Value::as_object_mut)
        .expect("StatsRow has properties");
    let i2c = row.shift_remove("i2c").expect("StatsRow has i2c");
    row.insert("i2c_ratio".into(), i2c);

    let (_, files) = derive(&edited);
    let stale = derived::stale(&workspace_root(), &files);
    let names: Vec<&str> = stale.iter().map(|s| s.path).collect();
    assert_eq!(
        names,
        [
            derived::GENERATED_RS,
            derived::OPERATIONS_RS,
            derived::DIST_SOURCE,
            derived::GENERATED_SPEC,
            derived::DIST_LOWERED,
            derived::DIST_YAML,
            derived::DIST_HTML,
        ]
    );
    for file in &stale {
        let changed: Vec<&str> = file
            .diff
            .lines()
            .filter(|l| {
                (l.starts_with('+') || l.starts_with('-'))
                    && !l.starts_with("+++")
                    && !l.starts_with("---")
            })
            .collect();
        assert!(!changed.is_empty(), "{}", file.path);
        for line in changed {
            assert!(
                line.contains("i2c")
                    || line
                        .trim_matches(['+', '-', ' ', '{', '}', ',', ')', '(', ';'])
                        .is_empty(),
                "{} changed an unrelated line: {line}",
                file.path
            );
        }
    }
}
