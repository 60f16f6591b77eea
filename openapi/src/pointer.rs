//! JSON pointers (RFC 6901) for locating things in the spec, and `$ref` resolution.

use serde_json::Value;

/// Builds a pointer from unescaped segments: `/paths/~1stats.{format}/get`.
pub fn join<S: AsRef<str>>(segments: impl IntoIterator<Item = S>) -> String {
    segments
        .into_iter()
        .fold(String::new(), |mut out, segment| {
            out.push('/');
            out.push_str(&segment.as_ref().replace('~', "~0").replace('/', "~1"));
            out
        })
}

/// Appends unescaped segments to an existing pointer.
pub fn join_under<S: AsRef<str>>(base: &str, segments: impl IntoIterator<Item = S>) -> String {
    format!("{base}{}", join(segments))
}

/// Follows a local `$ref` (`#/components/...`) once; any other value is returned as it is.
/// Returns `None` for a dangling or non-local reference.
pub fn resolve<'a>(root: &'a Value, value: &'a Value) -> Option<&'a Value> {
    match value.get("$ref").and_then(Value::as_str) {
        Some(reference) => root.pointer(reference.strip_prefix('#')?),
        None => Some(value),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn join_escapes_slashes_and_tildes() {
        assert_eq!(
            join(["paths", "/stats.{format}", "get"]),
            "/paths/~1stats.{format}/get"
        );
        assert_eq!(join(["a~b"]), "/a~0b");
    }

    #[test]
    fn resolve_follows_local_refs_only() {
        let root = json!({"components": {"responses": {"E": {"description": "x"}}}});
        let reference = json!({"$ref": "#/components/responses/E"});
        assert_eq!(
            resolve(&root, &reference),
            Some(&json!({"description": "x"}))
        );
        assert_eq!(resolve(&root, &json!({"$ref": "other.yaml#/E"})), None);
        assert_eq!(resolve(&root, &json!({"$ref": "#/nope"})), None);
    }
}
