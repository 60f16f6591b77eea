//! progenitor's panics come back as errors that name the operation responsible.

use adsterra_codegen::{GenerateError, generate};
use serde_json::{Value, json};

fn operation(id: &str, responses: Value) -> Value {
    json!({"get": {"operationId": id, "responses": responses}})
}

#[test]
fn a_progenitor_panic_names_the_operation_that_causes_it() {
    let ok = json!({"200": {"description": "ok", "content": {"application/json": {"schema": {"type": "object"}}}}});
    // A 200 with a body next to a 204 without one makes progenitor assert
    // `response_types.len() <= 1`.
    let mut two_successes = ok.clone();
    two_successes["204"] = json!({"description": "empty"});
    let spec = json!({
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "paths": {
            "/balance.json": operation("get_balance", ok),
            "/campaigns.json": operation("get_campaigns", two_successes),
        }
    });

    match generate(&spec) {
        Err(GenerateError::Panic { culprit, message }) => {
            assert_eq!(
                culprit.as_deref(),
                Some("get_campaigns (/paths/~1campaigns.json/get)")
            );
            assert!(message.contains("response_types.len() <= 1"), "{message}");
        }
        other => panic!("expected a caught panic, got {other:?}"),
    }
}

#[test]
fn a_valid_document_generates_a_client_with_the_header_first() {
    let spec = json!({
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "paths": {"/balance.json": operation("get_balance", json!({"200": {"description": "ok", "content": {"application/json": {"schema": {"type": "object", "properties": {"balance": {"type": "number"}}}}}}}))}
    });
    let code = generate(&spec).unwrap();
    assert!(code.starts_with(adsterra_codegen::generate::HEADER));
    assert_eq!(
        code.lines().next(),
        Some(adsterra_codegen::generate::HEADER)
    );
    assert!(code.contains("pub fn get_balance(&self) -> builder::GetBalance<'_>"));
}
