//! Documents the public items progenitor leaves bare, so that the published raw client has docs on
//! every public item.
//!
//! progenitor documents what the spec describes (types, fields, operations). What it leaves bare is
//! machinery whose meaning follows from its place: the builders of types and their setters, the
//! constructors and setters of the operation builders, and enum values without a description. Each
//! rule below is about an item's place and shape, never about an operation or schema by name. A
//! bare public item that no rule covers fails generation, so a new progenitor cannot slip one in.

use syn::{Attribute, Fields, ImplItem, Item, Visibility, parse_quote};

/// Adds a doc comment to every bare public item of `file`; fails naming those no rule covers.
pub fn document(file: &mut syn::File) -> Result<(), String> {
    let mut uncovered = Vec::new();
    walk(&mut file.items, &[], &mut uncovered);
    if uncovered.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "public items without docs that no rule covers: {}",
            uncovered.join(", ")
        ))
    }
}

/// Which builder a module holds, by its path: `types::builder` builds types field by field,
/// the top-level `builder` builds requests.
fn builder_kind(path: &[String]) -> Option<BuilderKind> {
    match path {
        [types, builder] if types == "types" && builder == "builder" => Some(BuilderKind::Type),
        [builder] if builder == "builder" => Some(BuilderKind::Request),
        _ => None,
    }
}

#[derive(Clone, Copy)]
enum BuilderKind {
    Type,
    Request,
}

fn walk(items: &mut [Item], path: &[String], uncovered: &mut Vec<String>) {
    let here = |name: &dyn std::fmt::Display| {
        let mut parts = path.to_vec();
        parts.push(name.to_string());
        parts.join("::")
    };
    for item in items {
        match item {
            Item::Mod(module) => {
                if let Some((_, items)) = module.content.as_mut() {
                    let mut inner = path.to_vec();
                    inner.push(module.ident.to_string());
                    walk(items, &inner, uncovered);
                }
            }
            Item::Struct(item) if is_public(&item.vis) && !has_doc(&item.attrs) => {
                match builder_kind(path) {
                    Some(BuilderKind::Type) => add_doc(
                        &mut item.attrs,
                        &format!(
                            "Builds a [`super::{0}`] field by field; `{0}::try_from` (or `.try_into()`) checks that every required field is set.",
                            item.ident
                        ),
                    ),
                    _ => uncovered.push(here(&item.ident)),
                }
            }
            Item::Enum(item) if is_public(&item.vis) => {
                if !has_doc(&item.attrs) {
                    uncovered.push(here(&item.ident));
                }
                for variant in &mut item.variants {
                    if has_doc(&variant.attrs) {
                        continue;
                    }
                    if matches!(variant.fields, Fields::Unit) {
                        let wire = serde_rename(&variant.attrs)
                            .unwrap_or_else(|| variant.ident.to_string());
                        add_doc(&mut variant.attrs, &format!("`{wire}` on the wire."));
                    } else {
                        uncovered.push(here(&format!("{}::{}", item.ident, variant.ident)));
                    }
                }
            }
            Item::Impl(block) if block.trait_.is_none() => {
                let kind = builder_kind(path);
                for member in &mut block.items {
                    let ImplItem::Fn(function) = member else {
                        continue;
                    };
                    if !is_public(&function.vis) || has_doc(&function.attrs) {
                        continue;
                    }
                    let name = function.sig.ident.to_string();
                    match method_doc(kind, &name) {
                        Some(doc) => add_doc(&mut function.attrs, &doc),
                        None => uncovered.push(here(&name)),
                    }
                }
            }
            _ => {}
        }
    }
}

/// The doc of a bare public method `name` in a module holding `kind` of builder.
fn method_doc(kind: Option<BuilderKind>, name: &str) -> Option<String> {
    let doc = match (kind, name) {
        (None, "builder") => "Starts a builder of this type, field by field.".to_owned(),
        (Some(BuilderKind::Request), "new") => {
            "Starts this request on `client`; set its parameters, then `send()` it.".to_owned()
        }
        (Some(BuilderKind::Request), "body") => "Sets the request body.".to_owned(),
        (Some(BuilderKind::Request), "body_map") => {
            "Changes the request body through the builder of its type.".to_owned()
        }
        (Some(BuilderKind::Request), parameter) => format!("Sets the `{parameter}` parameter."),
        (Some(BuilderKind::Type), field) => format!("Sets `{field}`."),
        (None, _) => return None,
    };
    Some(doc)
}

fn is_public(vis: &Visibility) -> bool {
    matches!(vis, Visibility::Public(_))
}

fn has_doc(attrs: &[Attribute]) -> bool {
    attrs.iter().any(|attr| attr.path().is_ident("doc"))
}

fn add_doc(attrs: &mut Vec<Attribute>, text: &str) {
    let text = format!(" {text}");
    attrs.insert(0, parse_quote!(#[doc = #text]));
}

/// The value of a `#[serde(rename = "...")]` attribute.
fn serde_rename(attrs: &[Attribute]) -> Option<String> {
    let mut renamed = None;
    for attr in attrs.iter().filter(|attr| attr.path().is_ident("serde")) {
        let _ = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("rename") {
                renamed = Some(meta.value()?.parse::<syn::LitStr>()?.value());
            }
            Ok(())
        });
    }
    renamed
}
