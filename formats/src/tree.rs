//! The text tree that CSV and XML both decode into.
//!
//! Neither text format carries types: a cell or an element holds text, and
//! only the target type can say whether `"007"` is a string or the number 7.
//! So both parsers stop at this tree, and one typed deserializer
//! ([`crate::de`]) reads every target from it. Keeping a single tree is what
//! makes the two formats agree on every rule that is not about syntax.

use serde_json::Value;

use crate::error::quote;

/// One decoded value before typing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Node {
    /// An explicit null: XML `nil="true"`, or `null` inside a JSON cell.
    Null,
    /// Text exactly as the body spelled it (after unescaping), possibly empty.
    Text(String),
    /// An ordered list: XML `<item>` children, a JSON array in a cell.
    List(Vec<Node>),
    /// Named children in body order. Names are unique (parsers reject repeats).
    Map(Vec<(String, Node)>),
}

impl Node {
    /// Turns JSON found inside a CSV cell (or an XML text) into the tree.
    /// Scalars become their JSON text, so a cell's nested values follow the
    /// same "the target type parses the text" rule as top-level cells.
    pub(crate) fn from_json(value: Value) -> Node {
        match value {
            Value::Null => Node::Null,
            Value::Bool(b) => Node::Text(b.to_string()),
            Value::Number(n) => Node::Text(n.to_string()),
            Value::String(s) => Node::Text(s),
            Value::Array(items) => Node::List(items.into_iter().map(Node::from_json).collect()),
            Value::Object(map) => Node::Map(
                map.into_iter()
                    .map(|(k, v)| (k, Node::from_json(v)))
                    .collect(),
            ),
        }
    }

    /// Names what this node is, for "expected X, found Y" messages.
    pub(crate) fn describe(&self) -> String {
        match self {
            Node::Null => "null".to_owned(),
            Node::Text(text) if text.is_empty() => "empty text".to_owned(),
            Node::Text(text) => quote(text),
            Node::List(items) => Node::describe_list(items.len()),
            Node::Map(entries) => Node::describe_map(entries),
        }
    }

    pub(crate) fn describe_list(len: usize) -> String {
        format!("a list of {len} item(s)")
    }

    pub(crate) fn describe_map(entries: &[(String, Node)]) -> String {
        let names: Vec<&str> = entries.iter().take(5).map(|(k, _)| k.as_str()).collect();
        let more = if entries.len() > 5 { ", …" } else { "" };
        format!("a group of fields ({}{more})", names.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_scalars_become_their_text() {
        let value = serde_json::json!({"a": 1, "b": [true, null, "x"], "c": 0.5});
        assert_eq!(
            Node::from_json(value),
            Node::Map(vec![
                ("a".into(), Node::Text("1".into())),
                (
                    "b".into(),
                    Node::List(vec![
                        Node::Text("true".into()),
                        Node::Null,
                        Node::Text("x".into())
                    ])
                ),
                ("c".into(), Node::Text("0.5".into())),
            ])
        );
    }

    #[test]
    fn describe_names_the_kind() {
        assert_eq!(Node::Null.describe(), "null");
        assert_eq!(Node::Text(String::new()).describe(), "empty text");
        assert_eq!(Node::Text("abc".into()).describe(), "\"abc\"");
        assert_eq!(
            Node::List(vec![Node::Null, Node::Null]).describe(),
            "a list of 2 item(s)"
        );
        assert_eq!(
            Node::Map(vec![("k".into(), Node::Null)]).describe(),
            "a group of fields (k)"
        );
    }
}
