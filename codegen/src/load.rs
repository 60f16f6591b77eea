//! Reading the hand-written YAML spec into a JSON value.
//!
//! The pipeline works on `serde_json::Value` rather than on `openapiv3` types: the lint and the
//! lowering must see vendor extensions, key order and mistakes (a `default` response, a 3.1
//! version) that a typed model would reject or drop.

use std::path::{Path, PathBuf};

use serde_json::Value;

/// The spec could not be read or is not a YAML mapping.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The file could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The text is not valid YAML, or holds values JSON cannot (such as non-string keys).
    #[error("{origin} is not valid YAML: {source}")]
    Yaml {
        /// The file or the name of the text.
        origin: String,
        /// The parser's message, with line and column.
        source: serde_yaml_ng::Error,
    },
    /// The document is YAML but not a mapping at the top.
    #[error("{origin} must be a YAML mapping with `openapi`, `info` and `paths` at the top")]
    NotAMapping {
        /// The file or the name of the text.
        origin: String,
    },
}

/// Loads the spec at `path`.
pub fn load(path: &Path) -> Result<Value, LoadError> {
    let text = std::fs::read_to_string(path).map_err(|source| LoadError::Read {
        path: path.to_owned(),
        source,
    })?;
    load_str(&text, &path.display().to_string())
}

/// Loads a spec from YAML (or JSON) text; `origin` names it in errors.
pub fn load_str(text: &str, origin: &str) -> Result<Value, LoadError> {
    let value: Value = serde_yaml_ng::from_str(text).map_err(|source| LoadError::Yaml {
        origin: origin.to_owned(),
        source,
    })?;
    if !value.is_object() {
        return Err(LoadError::NotAMapping {
            origin: origin.to_owned(),
        });
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_key_order() {
        let value = load_str("openapi: 3.0.3\nzeta: 1\nalpha: 2\n", "t").unwrap();
        let keys: Vec<_> = value.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["openapi", "zeta", "alpha"]);
    }

    #[test]
    fn rejects_a_scalar_document_and_bad_yaml() {
        assert!(matches!(
            load_str("42", "t"),
            Err(LoadError::NotAMapping { .. })
        ));
        let error = load_str("a: [1, 2", "spec.yaml").unwrap_err().to_string();
        assert!(error.starts_with("spec.yaml is not valid YAML"), "{error}");
    }
}
