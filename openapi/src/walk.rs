//! Walking the operations of an OpenAPI document, in document order, and finding what each
//! documents for a status.

use serde_json::Value;

use crate::{METHODS, pointer};

/// One operation of the document, with where it stands.
#[derive(Debug, Clone, Copy)]
pub struct Operation<'a> {
    /// The path template, e.g. `/campaign/{campaign_id}.{format}`.
    pub path: &'a str,
    /// The lower-case HTTP method, e.g. `patch`.
    pub method: &'a str,
    /// The operation object.
    pub value: &'a Value,
    /// The path item that holds it (for path-level parameters).
    pub path_item: &'a Value,
}

impl<'a> Operation<'a> {
    /// The JSON pointer of the operation object.
    pub fn pointer(&self) -> String {
        pointer::join(["paths", self.path, self.method])
    }

    /// The operationId, if there is one.
    pub fn operation_id(&self) -> Option<&str> {
        self.value.get("operationId").and_then(Value::as_str)
    }

    /// Path-level then operation-level parameters, each resolved through `$ref`.
    pub fn parameters(&self, root: &'a Value) -> Vec<&'a Value> {
        [self.path_item, self.value]
            .into_iter()
            .filter_map(|holder| holder.get("parameters").and_then(Value::as_array))
            .flatten()
            .filter_map(|parameter| pointer::resolve(root, parameter))
            .collect()
    }

    /// The documented statuses, as the document writes them (`200`, `404`, `5XX`), in order.
    pub fn statuses(&self) -> impl Iterator<Item = &'a str> + use<'a> {
        let responses = self.value.get("responses").and_then(Value::as_object);
        responses
            .into_iter()
            .flatten()
            .map(|(status, _)| status.as_str())
    }

    /// The documented response for `status`, `$ref` resolved: the exact code first, then its
    /// range (`5XX`), as OpenAPI says.
    pub fn response(&self, root: &'a Value, status: u16) -> Option<&'a Value> {
        let exact = status.to_string();
        let range = format!("{}XX", status / 100);
        let responses = self.value.get("responses").and_then(Value::as_object)?;
        let find = |key: &str| {
            responses
                .iter()
                .find(|(documented, _)| documented.eq_ignore_ascii_case(key))
        };
        let (_, response) = find(&exact).or_else(|| find(&range))?;
        pointer::resolve(root, response)
    }
}

/// Every operation of `spec`, in document order.
pub fn operations(spec: &Value) -> Vec<Operation<'_>> {
    let Some(paths) = spec.get("paths").and_then(Value::as_object) else {
        return Vec::new();
    };
    paths
        .iter()
        .flat_map(|(path, path_item)| {
            METHODS.iter().filter_map(move |method| {
                path_item.get(*method).map(|value| Operation {
                    path,
                    method,
                    value,
                    path_item,
                })
            })
        })
        .collect()
}
