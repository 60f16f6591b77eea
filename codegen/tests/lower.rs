//! Lowering applies to every `.{format}` operation, and refuses shapes it would get wrong.

use adsterra_codegen::{LowerError, lower};
use serde_json::{Value, json};

/// A spec with one endpoint in the house style; `edit` bends it before lowering.
fn spec_with(edit: impl FnOnce(&mut Value)) -> Value {
    let mut spec = json!({
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "paths": {
            "/campaign/{campaign_id}.{format}": {
                "parameters": [
                    {"$ref": "#/components/parameters/Format"},
                    {"name": "campaign_id", "in": "path", "required": true, "schema": {"type": "integer"}}
                ],
                "get": {
                    "operationId": "get_campaign",
                    "responses": {
                        "200": {
                            "description": "ok",
                            "content": {
                                "application/json": {"schema": {"type": "object"}, "example": {"id": 7, "alias": "a;b"}},
                                "application/xml": {"schema": {"type": "string"}},
                                "text/csv": {"schema": {"type": "string"}}
                            }
                        },
                        "404": {"$ref": "#/components/responses/Error"}
                    }
                }
            }
        },
        "components": {
            "parameters": {"Format": {"name": "format", "in": "path", "required": true, "schema": {"type": "string"}}},
            "responses": {"Error": {"description": "e", "content": {"application/json": {"schema": {"type": "object"}}}}}
        }
    });
    edit(&mut spec);
    spec
}

#[test]
fn one_operation_per_format_with_one_media_type_each() {
    let lowered = lower(&spec_with(|_| {})).unwrap();
    let paths = lowered["paths"].as_object().unwrap();
    let names: Vec<&str> = paths.keys().map(String::as_str).collect();
    assert_eq!(
        names,
        [
            "/campaign/{campaign_id}.json",
            "/campaign/{campaign_id}.csv",
            "/campaign/{campaign_id}.xml"
        ]
    );
    for (path, id, media) in [
        (
            "/campaign/{campaign_id}.json",
            "get_campaign",
            "application/json",
        ),
        (
            "/campaign/{campaign_id}.csv",
            "get_campaign_csv",
            "text/csv",
        ),
        (
            "/campaign/{campaign_id}.xml",
            "get_campaign_xml",
            "application/xml",
        ),
    ] {
        let item = &paths[path];
        assert_eq!(item["get"]["operationId"], id);
        assert_eq!(
            item["x-adsterra-lowered-from"],
            "/campaign/{campaign_id}.{format}"
        );
        let content = item["get"]["responses"]["200"]["content"]
            .as_object()
            .unwrap();
        assert_eq!(content.keys().collect::<Vec<_>>(), [media], "{path}");
        // The format parameter is gone; the id stays.
        let parameters = item["parameters"].as_array().unwrap();
        assert_eq!(parameters.len(), 1, "{path}");
        assert_eq!(parameters[0]["name"], "campaign_id");
        // Shared error responses are untouched.
        assert_eq!(
            item["get"]["responses"]["404"]["$ref"],
            "#/components/responses/Error"
        );
    }
}

#[test]
fn csv_and_xml_examples_are_derived_from_the_json_example() {
    let lowered = lower(&spec_with(|_| {})).unwrap();
    let example = |path: &str, media: &str| {
        lowered["paths"][path]["get"]["responses"]["200"]["content"][media]["example"].clone()
    };
    let csv = example("/campaign/{campaign_id}.csv", "text/csv");
    assert_eq!(csv, Value::String("id;alias\n7;\"a;b\"\n".into()));
    let xml = example("/campaign/{campaign_id}.xml", "application/xml");
    let xml = xml.as_str().unwrap();
    assert!(
        xml.contains("<id>7</id>") && xml.contains("<alias>a;b</alias>"),
        "{xml}"
    );
}

#[test]
fn refuses_an_operation_without_format_parameter() {
    let spec = spec_with(|s| {
        s["paths"]["/campaign/{campaign_id}.{format}"]["parameters"]
            .as_array_mut()
            .unwrap()
            .remove(0);
    });
    let error = lower(&spec).unwrap_err();
    assert!(
        matches!(error, LowerError::FormatParameter { found: 0, .. }),
        "{error}"
    );
    assert!(
        error
            .to_string()
            .starts_with("/paths/~1campaign~1{campaign_id}.{format}/get:")
    );
}

#[test]
fn refuses_a_response_missing_a_format() {
    let spec = spec_with(|s| {
        s["paths"]["/campaign/{campaign_id}.{format}"]["get"]["responses"]["200"]["content"]
            .as_object_mut()
            .unwrap()
            .remove("text/csv");
    });
    let error = lower(&spec).unwrap_err();
    assert!(
        matches!(
            error,
            LowerError::MissingMediaType {
                media_type: "text/csv",
                ..
            }
        ),
        "{error}"
    );
}

#[test]
fn refuses_format_anywhere_but_the_suffix_and_clashing_paths() {
    let misplaced = spec_with(|s| {
        let item = s["paths"]["/campaign/{campaign_id}.{format}"].take();
        s["paths"] = json!({"/{format}/campaign": item});
    });
    assert!(matches!(
        lower(&misplaced),
        Err(LowerError::MisplacedFormat { .. })
    ));

    let clash = spec_with(|s| {
        let item = s["paths"]["/campaign/{campaign_id}.{format}"].clone();
        s["paths"]["/campaign/{campaign_id}.csv"] = item;
    });
    assert!(matches!(lower(&clash), Err(LowerError::PathClash { .. })));

    let nothing = spec_with(|s| s["paths"] = json!({}));
    assert!(matches!(lower(&nothing), Err(LowerError::NothingToLower)));
}
