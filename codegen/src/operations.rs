//! The operation table: every lowered operation as Rust data (`generated/src/operations.rs`).
//!
//! Hand-written code reads this table instead of spelling operation ids: the client's retry
//! policy, the sandbox's routing, the command line's generic `api` call and its dry runs,
//! verify-live and the tests. What the table holds is what the spec says of each operation
//! (method, path, format, resource, parameters, request body, answer type, evidence, retry
//! class, where a path id is found, the JSON example), so one edit of the spec reaches all of
//! them. The shape of the table (`Operation`, `Parameter`, ...) is hand-written beside it, in
//! `generated/src/operation.rs`; this module only fills it in.

use adsterra_formats::Format;
use proc_macro2::{Ident, Literal, Span, TokenStream};
use quote::{ToTokens, quote};
use serde_json::Value;

use crate::walk::{self, Operation};
use crate::{
    ALIASES_KEY, EVIDENCE_KEY, LIMITS_KEY, LINK_KEY, NO_FILTER_KEY, PRESENT_WHEN_KEY, RETRY_KEY,
    pointer,
};

/// The table could not be made: the lowered spec lacks something every operation must have.
#[derive(Debug, thiserror::Error)]
#[error("{pointer}: {message}")]
pub struct TableError {
    /// Where, in the lowered spec.
    pub pointer: String,
    /// What is missing.
    pub message: String,
}

/// The Rust source of `generated/src/operations.rs` for the lowered spec.
///
/// Written with `quote!`, as progenitor writes the client: every value of the table is a token
/// of its own type (a `Method`, a `RetryClass`, an `Evidence`, a decoder function), never text
/// that a later lookup has to resolve.
pub fn source(lowered: &Value) -> Result<String, TableError> {
    let operations = walk::operations(lowered);
    let rows = operations
        .iter()
        .map(|operation| row(lowered, operation))
        .collect::<Result<Vec<_>, _>>()?;

    let endpoint = endpoint(&rows);
    let count = Literal::usize_unsuffixed(rows.len());
    let table = rows.iter().map(Row::tokens);
    let by_id = rows.iter().enumerate().map(|(index, row)| {
        let id = &row.id;
        let index = Literal::usize_unsuffixed(index);
        quote! { #id => #index, }
    });
    let schemas = schemas(lowered);
    let limits = limits(lowered)?;
    let tokens = quote! {
        //! Every operation of the lowered spec, as data; the shape is in `operation.rs`.

        use adsterra_formats::Format;

        use crate::operation::{
            Body, Checker, Decoder, Evidence, Field, Kind, Link, Method, Operation, Parameter, Presence,
            RetryClass, Schema, check_as, decode_as,
        };
        use crate::types;

        #endpoint

        /// Every operation, in the lowered spec's order.
        pub static OPERATIONS: [Operation; #count] = [#(#table),*];

        /// The operation whose lowered id is `id`: a `match`, not a scan of the table.
        pub(crate) fn operation_by_id(id: &str) -> Option<&'static Operation> {
            Some(&OPERATIONS[match id {
                #(#by_id)*
                _ => return None,
            }])
        }

        #schemas

        #limits
    };
    let file = syn::parse2::<syn::File>(tokens).map_err(|error| TableError {
        pointer: String::new(),
        message: format!("the operation table does not parse as Rust: {error}"),
    })?;
    Ok(format!(
        "{}\n\n{}",
        crate::generate::HEADER,
        prettyplease::unparse(&file)
    ))
}

/// `Endpoint`: a variant per endpoint (its JSON operation), with its id and its operations.
fn endpoint(rows: &[Row]) -> TokenStream {
    let endpoints: Vec<&Row> = rows.iter().filter(|r| r.format == Format::Json).collect();
    let variants: Vec<Ident> = endpoints.iter().map(|row| variant(&row.id)).collect();
    let summaries = endpoints.iter().map(|row| format!(" {}", row.summary));
    let ids = endpoints.iter().map(|row| &row.id);
    let operations = rows.iter().enumerate().map(|(index, row)| {
        let endpoint = variant(&row.endpoint);
        let format = format_variant(row.format);
        let index = Literal::usize_unsuffixed(index);
        quote! { (Self::#endpoint, Format::#format) => #index, }
    });
    quote! {
        /// An endpoint of the spec: one operation of the hand-written document, served in every
        /// format (`operation(format)`).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum Endpoint {
            #(#[doc = #summaries] #variants,)*
        }

        impl Endpoint {
            /// Every endpoint, in document order.
            pub const ALL: &'static [Endpoint] = &[#(Self::#variants),*];

            /// Its operationId (the JSON operation's).
            pub const fn id(self) -> &'static str {
                match self {
                    #(Self::#variants => #ids,)*
                }
            }

            /// The operation that serves it in `format`.
            pub fn operation(self, format: Format) -> &'static Operation {
                &OPERATIONS[match (self, format) {
                    #(#operations)*
                }]
            }
        }
    }
}

/// One operation, as the table holds it.
struct Row {
    id: String,
    endpoint: String,
    summary: String,
    method: Ident,
    path: String,
    endpoint_path: String,
    format: Format,
    resource: String,
    path_parameters: Vec<Param>,
    query_parameters: Vec<Param>,
    body: Option<RequestBody>,
    answer: String,
    example: String,
    evidence: Ident,
    retry: Ident,
}

struct RequestBody {
    schema: String,
    required: bool,
    example: Option<String>,
}

struct Param {
    name: String,
    required: bool,
    kind: Ident,
    repeated: bool,
    values: Vec<String>,
    pattern: Option<String>,
    no_filter: Option<String>,
    example: Option<String>,
    link: Option<(String, String)>,
    aliases: Vec<String>,
}

fn row(lowered: &Value, operation: &Operation<'_>) -> Result<Row, TableError> {
    let at = operation.pointer();
    let missing = |what: &str| TableError {
        pointer: at.clone(),
        message: format!("no {what}"),
    };
    let text = |key: &str| {
        operation
            .value
            .get(key)
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    let id = operation
        .operation_id()
        .ok_or_else(|| missing("operationId"))?
        .to_owned();
    let format: Format = text("x-adsterra-format")
        .ok_or_else(|| missing("x-adsterra-format (is the spec lowered?)"))?
        .parse()
        .map_err(|_| missing("known x-adsterra-format"))?;
    let endpoint = match format {
        Format::Json => id.clone(),
        other => id
            .strip_suffix(&format!("_{}", other.extension()))
            .ok_or_else(|| missing("format suffix on the operationId"))?
            .to_owned(),
    };
    let (answer, example) = answer(lowered, operation).map_err(&missing)?;
    let body = request_body(lowered, operation).map_err(&missing)?;
    // Every class and method is spelled out: one the table cannot name is an error here, never
    // a quiet "not idempotent" (or anything else) at run time.
    let retry = retry_class(operation.value).ok_or_else(|| {
        missing(&format!(
            "{RETRY_KEY}.class of readonly, idempotent or not-idempotent"
        ))
    })?;
    let method = method(operation.method)
        .ok_or_else(|| missing("method of get, post, put, patch or delete"))?;
    let mut path_parameters = Vec::new();
    let mut query_parameters = Vec::new();
    for parameter in operation.parameters(lowered) {
        let param = param(lowered, parameter);
        match parameter.get("in").and_then(Value::as_str) {
            Some("path") => path_parameters.push(param),
            Some("query") => query_parameters.push(param),
            _ => {}
        }
    }
    Ok(Row {
        summary: text("summary").unwrap_or_default(),
        method,
        path: operation.path.to_owned(),
        endpoint_path: operation
            .path_item
            .get("x-adsterra-lowered-from")
            .and_then(Value::as_str)
            .unwrap_or(operation.path)
            .to_owned(),
        format,
        resource: operation
            .value
            .pointer("/tags/0")
            .and_then(Value::as_str)
            .ok_or_else(|| missing("tag"))?
            .to_owned(),
        evidence: evidence(operation.value).ok_or_else(|| missing(EVIDENCE_KEY))?,
        id,
        endpoint,
        path_parameters,
        query_parameters,
        body,
        answer,
        example,
        retry,
    })
}

/// The schema of the 200 answer and its JSON example. CSV and XML answers are typed by the
/// JSON twin: same path stem, same method. The error says what is missing.
fn answer(lowered: &Value, operation: &Operation<'_>) -> Result<(String, String), &'static str> {
    let stem = operation
        .path
        .rsplit_once('.')
        .map_or(operation.path, |(stem, _)| stem);
    let twin = lowered
        .pointer(&pointer::join([
            "paths",
            &format!("{stem}.json"),
            operation.method,
        ]))
        .ok_or("JSON twin")?;
    let success = twin
        .pointer("/responses/200/content/application~1json")
        .ok_or("JSON 200 answer on the twin")?;
    let answer = schema_name(success.get("schema")).ok_or("$ref answer schema")?;
    let example = success.get("example").ok_or("JSON example")?;
    Ok((answer, example.to_string()))
}

/// The JSON request body, if the operation takes one.
fn request_body(
    lowered: &Value,
    operation: &Operation<'_>,
) -> Result<Option<RequestBody>, &'static str> {
    let Some(body) = operation
        .value
        .pointer("/requestBody")
        .and_then(|b| pointer::resolve(lowered, b))
    else {
        return Ok(None);
    };
    let schema = schema_name(body.pointer("/content/application~1json/schema"))
        .ok_or("$ref request body schema")?;
    Ok(Some(RequestBody {
        schema,
        required: body.get("required") == Some(&Value::Bool(true)),
        example: body
            .pointer("/content/application~1json/example")
            .map(Value::to_string),
    }))
}

/// The `RetryClass` variant of an operation's `x-adsterra-retry.class`.
fn retry_class(operation: &Value) -> Option<Ident> {
    match operation
        .pointer(&format!("/{RETRY_KEY}/class"))?
        .as_str()?
    {
        "readonly" => Some(ident("ReadOnly")),
        "idempotent" => Some(ident("Idempotent")),
        "not-idempotent" => Some(ident("NotIdempotent")),
        _ => None,
    }
}

/// The `Method` variant of a lowercase HTTP method.
fn method(method: &str) -> Option<Ident> {
    Some(ident(match method {
        "get" => "Get",
        "post" => "Post",
        "put" => "Put",
        "patch" => "Patch",
        "delete" => "Delete",
        _ => return None,
    }))
}

fn param(root: &Value, parameter: &Value) -> Param {
    let schema = parameter
        .get("schema")
        .and_then(|s| pointer::resolve(root, s))
        .unwrap_or(&Value::Null);
    let repeated = schema.get("type").and_then(Value::as_str) == Some("array");
    let scalar = if repeated {
        schema
            .get("items")
            .and_then(|s| pointer::resolve(root, s))
            .unwrap_or(&Value::Null)
    } else {
        schema
    };
    let kind = match (
        scalar.get("type").and_then(Value::as_str),
        scalar.get("format").and_then(Value::as_str),
    ) {
        (Some("integer"), _) => "Integer",
        (Some("number"), _) => "Number",
        (Some("boolean"), _) => "Boolean",
        (Some("string"), Some("date")) => "Date",
        _ => "Text",
    };
    let kind = ident(kind);
    let example = parameter.get("example").map(|example| match example {
        Value::String(text) => text.clone(),
        Value::Array(items) => items
            .iter()
            .map(|item| {
                item.as_str()
                    .map_or_else(|| item.to_string(), str::to_owned)
            })
            .collect::<Vec<_>>()
            .join(","),
        other => other.to_string(),
    });
    let link = parameter.get(LINK_KEY).and_then(|link| {
        let operation = link.get("operationId")?.as_str()?;
        let expression = link.get("parameter")?.as_str()?;
        Some((
            operation.to_owned(),
            expression.strip_prefix("$response.body#")?.to_owned(),
        ))
    });
    Param {
        name: parameter
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned(),
        required: parameter.get("required") == Some(&Value::Bool(true)),
        kind,
        repeated,
        values: scalar
            .get("enum")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect(),
        pattern: text(scalar.get("pattern")),
        no_filter: text(parameter.pointer(&format!("/{NO_FILTER_KEY}/value"))),
        example,
        link,
        aliases: parameter
            .get(ALIASES_KEY)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect(),
    }
}

/// A text value of the spec, if there is one.
fn text(value: Option<&Value>) -> Option<String> {
    value.and_then(Value::as_str).map(str::to_owned)
}

/// A property's `x-adsterra-present-when` as a `Presence` (the lint has checked its shape).
fn presence(property: &Value) -> Option<TokenStream> {
    let condition = property.get(PRESENT_WHEN_KEY)?;
    if let Some(key) = condition.get("group_by").and_then(Value::as_str) {
        let default = condition.get("default") == Some(&Value::Bool(true));
        return Some(quote!(Presence::GroupedBy { key: #key, default: #default }));
    }
    let endpoint = variant(condition.get("operationId")?.as_str()?);
    Some(quote!(Presence::AnswerOf(Endpoint::#endpoint)))
}

/// The component name of a `$ref` schema.
fn schema_name(schema: Option<&Value>) -> Option<String> {
    schema?
        .get("$ref")?
        .as_str()?
        .strip_prefix("#/components/schemas/")
        .map(str::to_owned)
}

/// `SCHEMAS`: every object schema of the spec with its fields, so that code reading answers
/// knows which fields are required, nullable, how sure the spec is of each, and which values
/// are the known ones of an open set, without a copy of the spec; and `schema_by_name`, a
/// `match` from a component name to its row.
fn schemas(lowered: &Value) -> TokenStream {
    let objects: Vec<(&String, &Value)> = lowered
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .filter(|(_, schema)| schema.get("properties").is_some())
        .collect();
    let count = Literal::usize_unsuffixed(objects.len());
    let rows = objects.iter().map(|(name, schema)| {
        let required = adsterra_openapi::required(schema);
        let mark = evidence(schema).unwrap_or_else(|| ident("Inferred"));
        let properties = schema.get("properties").and_then(Value::as_object);
        let fields = properties.into_iter().flatten().map(|(field, property)| {
            let nested =
                option(schema_name(Some(property)).or_else(|| schema_name(property.get("items"))));
            let known: Vec<String> = property
                .get("x-adsterra-known-values")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .map(|value| match value {
                    Value::String(text) => text.clone(),
                    other => other.to_string(),
                })
                .collect();
            let required = required.contains(field.as_str());
            let nullable = property.get("nullable") == Some(&Value::Bool(true));
            // An unmarked property (which the lint refuses) claims nothing.
            let mark = evidence(property).unwrap_or_else(|| ident("Inferred"));
            let present_when = option(presence(property));
            quote! {
                Field {
                    name: #field,
                    required: #required,
                    nullable: #nullable,
                    evidence: Evidence::#mark,
                    schema: #nested,
                    known_values: &[#(#known),*],
                    present_when: #present_when,
                }
            }
        });
        quote! {
            Schema { name: #name, evidence: Evidence::#mark, fields: &[#(#fields),*] }
        }
    });
    let by_name = objects.iter().enumerate().map(|(index, (name, _))| {
        let index = Literal::usize_unsuffixed(index);
        quote! { #name => #index, }
    });
    quote! {
        /// Every object schema of the spec, in its order.
        pub static SCHEMAS: [Schema; #count] = [#(#rows),*];

        /// The object schema named `name`: a `match`, not a scan of the table.
        pub(crate) fn schema_by_name(name: &str) -> Option<&'static Schema> {
            Some(&SCHEMAS[match name {
                #(#by_name)*
                _ => return None,
            }])
        }
    }
}

/// The `Evidence` variant of a node's `x-adsterra-evidence`; `None` when it has no known mark.
fn evidence(node: &Value) -> Option<Ident> {
    match node.get(EVIDENCE_KEY).and_then(Value::as_str)? {
        "confirmed" => Some(ident("Confirmed")),
        "likely" => Some(ident("Likely")),
        "inferred" => Some(ident("Inferred")),
        _ => None,
    }
}

/// `Some(value)` or `None`, as tokens.
fn option(value: Option<impl ToTokens>) -> TokenStream {
    match value {
        Some(value) => quote!(Some(#value)),
        None => quote!(None),
    }
}

fn ident(name: &str) -> Ident {
    Ident::new(name, Span::call_site())
}

/// `Json`, `Csv` or `Xml`: the `Format` variant.
fn format_variant(format: Format) -> Ident {
    ident(&format!("{format:?}"))
}

/// `get_campaign_banners` → `GetCampaignBanners`.
fn variant(id: &str) -> Ident {
    let name: String = id
        .split('_')
        .map(|word| {
            let mut chars = word.chars();
            chars.next().map_or_else(String::new, |first| {
                first.to_uppercase().chain(chars).collect()
            })
        })
        .collect();
    ident(&name)
}

impl Row {
    fn tokens(&self) -> TokenStream {
        let Row {
            id,
            summary,
            method,
            path,
            endpoint_path,
            resource,
            answer,
            example,
            evidence,
            retry,
            ..
        } = self;
        let endpoint = variant(&self.endpoint);
        let format = format_variant(self.format);
        let path_parameters = self.path_parameters.iter().map(Param::tokens);
        let query_parameters = self.query_parameters.iter().map(Param::tokens);
        let body = option(self.body.as_ref().map(|body| {
            let RequestBody {
                schema,
                required,
                example,
            } = body;
            let example = option(example.as_ref());
            let ty = ident(schema);
            quote! {
                Body {
                    schema: #schema,
                    required: #required,
                    example: #example,
                    checker: Checker(check_as::<types::#ty>),
                }
            }
        }));
        let answer_type = ident(answer);
        quote! {
            Operation {
                id: #id,
                endpoint: Endpoint::#endpoint,
                summary: #summary,
                method: Method::#method,
                path: #path,
                endpoint_path: #endpoint_path,
                format: Format::#format,
                resource: #resource,
                path_parameters: &[#(#path_parameters),*],
                query_parameters: &[#(#query_parameters),*],
                body: #body,
                answer: #answer,
                decoder: Decoder(decode_as::<types::#answer_type>),
                example: #example,
                evidence: Evidence::#evidence,
                retry: RetryClass::#retry,
            }
        }
    }
}

impl Param {
    fn tokens(&self) -> TokenStream {
        let Param {
            name,
            required,
            kind,
            repeated,
            values,
            pattern,
            no_filter,
            example,
            link,
            aliases,
        } = self;
        let example = option(example.as_ref());
        let pattern = option(pattern.as_ref());
        let no_filter = option(no_filter.as_ref());
        let link = option(link.as_ref().map(|(operation, pointer)| {
            let endpoint = variant(operation);
            quote!(Link { endpoint: Endpoint::#endpoint, pointer: #pointer })
        }));
        quote! {
            Parameter {
                name: #name,
                aliases: &[#(#aliases),*],
                required: #required,
                kind: Kind::#kind,
                repeated: #repeated,
                values: &[#(#values),*],
                pattern: #pattern,
                no_filter: #no_filter,
                example: #example,
                link: #link,
            }
        }
    }
}

/// `limits`: a constant per entry of the spec's `info.x-adsterra-limits`.
fn limits(lowered: &Value) -> Result<TokenStream, TableError> {
    let limits = lowered
        .pointer(&format!("/info/{LIMITS_KEY}"))
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .map(|(name, limit)| {
            let value = limit
                .get("value")
                .and_then(Value::as_u64)
                .and_then(|value| u32::try_from(value).ok())
                .ok_or_else(|| TableError {
                    pointer: pointer::join(["info", LIMITS_KEY, name, "value"]),
                    message: "a limit is a whole number".into(),
                })?;
            let description = limit
                .get("description")
                .and_then(Value::as_str)
                .unwrap_or("");
            let evidence = limit
                .get(EVIDENCE_KEY)
                .and_then(Value::as_str)
                .unwrap_or("unmarked");
            let doc = format!(" {} ({evidence})", description.trim());
            let constant = ident(&name.to_uppercase().replace('-', "_"));
            Ok(quote! {
                #[doc = #doc]
                pub const #constant: u32 = #value;
            })
        })
        .collect::<Result<Vec<_>, TableError>>()?;
    Ok(quote! {
        /// The API's limits, as the spec states them (`info.x-adsterra-limits`).
        pub mod limits {
            #(#limits)*
        }
    })
}
