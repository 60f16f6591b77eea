//! Walking the operations of an OpenAPI document, in document order.

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
