//! Puts the fields of generated types back in the order the spec lists them.
//!
//! typify sorts struct fields by name, and serde writes fields in declaration order, so a
//! generated `StatsRow` would serialise as `banner, campaign, clicks, ...`. Adsterra's CSV columns
//! follow its JSON field order (`date, impressions, conversions, clicks, ctr, cpm, spent` in real
//! reports, which clients read by position), and the spec lists properties in that order. This
//! transform reorders the fields of each generated type that mirrors a component schema, on the
//! syntax tree (never on text), and checks that it applied to every schema with properties.

use std::collections::HashMap;

use serde_json::Value;
use syn::punctuated::Punctuated;
use syn::{Field, Fields, Item};

/// Reorders, in `file`'s `types` module, the fields of the struct of each component schema of
/// `spec` that has properties. Fails, naming the schema, when one has no matching struct or a
/// field whose serialised name the schema does not list.
pub fn in_spec_order(file: &mut syn::File, spec: &Value) -> Result<(), String> {
    let schemas = spec
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .filter_map(|(name, schema)| {
            let properties = schema.get("properties")?.as_object()?;
            let order: HashMap<&str, usize> = properties
                .keys()
                .enumerate()
                .map(|(index, key)| (key.as_str(), index))
                .collect();
            Some((name.as_str(), order))
        });
    let types = file
        .items
        .iter_mut()
        .find_map(|item| match item {
            Item::Mod(module) if module.ident == "types" => module.content.as_mut(),
            _ => None,
        })
        .ok_or("the generated code has no `types` module")?;

    for (name, order) in schemas {
        let fields = types
            .1
            .iter_mut()
            .find_map(|item| match item {
                Item::Struct(s) if s.ident == name => match &mut s.fields {
                    Fields::Named(named) => Some(&mut named.named),
                    _ => None,
                },
                _ => None,
            })
            .ok_or_else(|| format!("schema {name} has properties but no generated struct"))?;
        let mut sorted: Vec<(usize, Field)> = std::mem::take(fields)
            .into_iter()
            .map(|field| {
                let wire = wire_name(&field);
                order
                    .get(wire.as_str())
                    .map(|index| (*index, field))
                    .ok_or_else(|| format!("{name}.{wire} is not a property of schema {name}"))
            })
            .collect::<Result<_, _>>()?;
        sorted.sort_by_key(|(index, _)| *index);
        *fields = sorted
            .into_iter()
            .map(|(_, field)| field)
            .collect::<Punctuated<_, _>>();
    }
    Ok(())
}

/// The name serde reads and writes a field under: its `rename`, else its identifier.
fn wire_name(field: &Field) -> String {
    let renamed = field
        .attrs
        .iter()
        .filter(|attr| attr.path().is_ident("serde"))
        .filter_map(|attr| attr.meta.require_list().ok())
        .find_map(|list| {
            let tokens = list.tokens.to_string();
            let (_, rest) = tokens.split_once("rename = \"")?;
            rest.split_once('"').map(|(name, _)| name.to_owned())
        });
    renamed.unwrap_or_else(|| {
        let ident = field
            .ident
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default();
        ident.trim_start_matches("r#").to_owned()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn reorder(code: &str, spec: Value) -> Result<String, String> {
        let mut file: syn::File = syn::parse_str(code).unwrap();
        in_spec_order(&mut file, &spec)?;
        Ok(prettyplease::unparse(&file))
    }

    #[test]
    fn fields_follow_the_spec_including_renamed_ones() {
        let code = r#"pub mod types {
            pub struct StatsList { #[serde(rename = "itemCount")] pub item_count: i64, pub items: Vec<i64> }
            pub struct StatsRow { pub clicks: i64, pub date: String, pub impressions: i64 }
        }"#;
        let spec = json!({"components": {"schemas": {
            "StatsList": {"properties": {"items": {}, "itemCount": {}}},
            "StatsRow": {"properties": {"date": {}, "impressions": {}, "clicks": {}}},
            "Format": {"type": "string", "enum": ["json"]}
        }}});
        let out = reorder(code, spec).unwrap();
        let position = |needle: &str| out.find(needle).unwrap();
        assert!(position("pub items") < position("pub item_count"), "{out}");
        assert!(position("pub date") < position("pub impressions"), "{out}");
        assert!(
            position("pub impressions") < position("pub clicks"),
            "{out}"
        );
    }

    #[test]
    fn fails_when_a_schema_or_a_field_has_no_counterpart() {
        let code = "pub mod types { pub struct Balance { pub balance: f64, pub extra: i64 } }";
        let missing_struct =
            json!({"components": {"schemas": {"Campaign": {"properties": {"id": {}}}}}});
        assert_eq!(
            reorder(code, missing_struct).unwrap_err(),
            "schema Campaign has properties but no generated struct"
        );
        let unknown_field =
            json!({"components": {"schemas": {"Balance": {"properties": {"balance": {}}}}}});
        assert_eq!(
            reorder(code, unknown_field).unwrap_err(),
            "Balance.extra is not a property of schema Balance"
        );
    }
}
