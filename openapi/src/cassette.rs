//! Recorded answers of the API, kept as VCR cassettes: what `adsterra verify-live --record`
//! writes, what the sandbox replays and what the spec proposer reads.
//!
//! The format is the one of Ruby's VCR in its JSON serialisation (the `http_interactions` list of
//! request/response pairs with `recorded_with`), which VCR itself, the `vcr-cassette` crate
//! (`rvcr`, `reqwest-vcr`), and HTTP replay tools of other languages read. An existing format
//! means a recorded folder can be replayed or inspected without this workspace. Two choices of
//! ours stay inside it: one cassette per operation of the spec, named after its operationId
//! (`get_stats.json`), each interaction saying its operation and format under
//! `adsterra_operation` and `adsterra_format`, keys VCR readers ignore; and headers in name
//! order, so a folder recorded twice diffs cleanly.
//!
//! Bodies are kept byte for byte: as `string` when they are UTF-8 (every Adsterra format is
//! text), as VCR's `base64_string` otherwise. What must never be in a cassette (the token) is
//! the recorder's business: this module writes what it is given.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use adsterra_formats::Format;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde::{Deserialize, Serialize};

/// One cassette: every recorded call of one operation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cassette {
    /// The calls, in the order they were made.
    pub http_interactions: Vec<Interaction>,
    /// The tool and version that recorded them (`adsterra verify-live 0.3.0`).
    pub recorded_with: String,
}

/// One request and the answer it got.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Interaction {
    /// The operationId of the spec that was called (`get_stats`).
    pub adsterra_operation: String,
    /// The format it was asked in (`json`, `xml` or `csv`; see [`Interaction::format`]).
    pub adsterra_format: String,
    /// What was sent.
    pub request: Request,
    /// What came back.
    pub response: Response,
    /// When, as VCR writes it (RFC 2822).
    pub recorded_at: String,
}

/// A recorded request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Request {
    /// The method, in lower case as VCR writes it (`get`).
    pub method: String,
    /// The whole URL, query included.
    pub uri: String,
    /// The request body (empty for a read).
    pub body: Body,
    /// The headers worth keeping; never the token's.
    pub headers: BTreeMap<String, Vec<String>>,
}

/// A recorded answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Response {
    /// The status code and its reason phrase.
    pub status: Status,
    /// The headers that say how to read the body or when to call again (content type, rate
    /// limits).
    pub headers: BTreeMap<String, Vec<String>>,
    /// The body, byte for byte.
    pub body: Body,
    /// The HTTP version, when known (`1.1`).
    pub http_version: Option<String>,
}

/// A status line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Status {
    /// `200`.
    pub code: u16,
    /// `OK`.
    pub message: String,
}

/// A body: text as `string`, anything else as `base64_string` (VCR's two spellings).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Body {
    /// `UTF-8` for text.
    pub encoding: Option<String>,
    /// The body, when it is UTF-8.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub string: Option<String>,
    /// The body, when it is not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base64_string: Option<String>,
}

impl Body {
    /// The body of `bytes`, kept exactly.
    pub fn of(bytes: &[u8]) -> Self {
        match std::str::from_utf8(bytes) {
            Ok(text) => Body {
                encoding: Some("UTF-8".to_owned()),
                string: Some(text.to_owned()),
                base64_string: None,
            },
            Err(_) => Body {
                encoding: None,
                string: None,
                base64_string: Some(BASE64.encode(bytes)),
            },
        }
    }

    /// The bytes of the body, as they were recorded; `None` when `base64_string` is not base64.
    pub fn bytes(&self) -> Option<Vec<u8>> {
        match (&self.string, &self.base64_string) {
            (Some(text), _) => Some(text.as_bytes().to_vec()),
            (None, Some(encoded)) => BASE64.decode(encoded).ok(),
            (None, None) => Some(Vec::new()),
        }
    }
}

/// A cassette folder could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum CassetteError {
    /// A file or the folder could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A file is not a cassette.
    #[error("{path} is not a VCR cassette in JSON: {source}")]
    Format {
        /// The file.
        path: PathBuf,
        /// The parser's message.
        source: serde_json::Error,
    },
}

impl Interaction {
    /// A GET of `operation` in `format` at `uri`, answered 200 with `body` and no headers kept:
    /// what a tool that makes recordings up (a test, an import) writes.
    pub fn ok_get(
        operation: &str,
        format: Format,
        uri: &str,
        body: &[u8],
        recorded_at: &str,
    ) -> Self {
        Interaction {
            adsterra_operation: operation.to_owned(),
            adsterra_format: format.to_string(),
            request: Request {
                method: "get".to_owned(),
                uri: uri.to_owned(),
                body: Body::of(b""),
                headers: BTreeMap::new(),
            },
            response: Response {
                status: Status {
                    code: 200,
                    message: "OK".to_owned(),
                },
                headers: BTreeMap::new(),
                body: Body::of(body),
                http_version: None,
            },
            recorded_at: recorded_at.to_owned(),
        }
    }

    /// The format it was asked in, when `adsterra_format` names one.
    pub fn format(&self) -> Option<Format> {
        self.adsterra_format.parse().ok()
    }
}

impl Cassette {
    /// An empty cassette recorded by `recorded_with`.
    pub fn new(recorded_with: impl Into<String>) -> Self {
        Cassette {
            http_interactions: Vec::new(),
            recorded_with: recorded_with.into(),
        }
    }

    /// The file name of the cassette of `operation`.
    pub fn file_name(operation: &str) -> String {
        format!("{operation}.json")
    }

    /// Every cassette of a folder (its `*.json` files), by file stem, in name order.
    pub fn read_folder(folder: &Path) -> Result<BTreeMap<String, Cassette>, CassetteError> {
        let io = |path: &Path| {
            let path = path.to_owned();
            move |source| CassetteError::Io { path, source }
        };
        let mut cassettes = BTreeMap::new();
        for entry in std::fs::read_dir(folder).map_err(io(folder))? {
            let path = entry.map_err(io(folder))?.path();
            if path.extension().and_then(|e| e.to_str()) != Some("json") {
                continue;
            }
            let text = std::fs::read(&path).map_err(io(&path))?;
            let cassette =
                serde_json::from_slice(&text).map_err(|source| CassetteError::Format {
                    path: path.clone(),
                    source,
                })?;
            let stem = path
                .file_stem()
                .and_then(|s| s.to_str())
                .unwrap_or_default();
            cassettes.insert(stem.to_owned(), cassette);
        }
        Ok(cassettes)
    }

    /// Writes the cassette into `folder` as `<operation>.json`, pretty-printed (one header or
    /// field a line, so that two recordings diff line by line).
    pub fn write(&self, folder: &Path, operation: &str) -> Result<PathBuf, CassetteError> {
        let path = folder.join(Self::file_name(operation));
        let mut text = serde_json::to_vec_pretty(self).expect("cassettes serialise");
        text.push(b'\n');
        std::fs::write(&path, text).map_err(|source| CassetteError::Io {
            path: path.clone(),
            source,
        })?;
        Ok(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_are_kept_byte_for_byte_in_both_spellings() {
        let text = "id;alias\n1463724;ID Popunder\n".as_bytes();
        assert_eq!(
            Body::of(text).string.as_deref(),
            Some("id;alias\n1463724;ID Popunder\n")
        );
        assert_eq!(Body::of(text).bytes().unwrap(), text);
        for binary in [&[0xff, 0x00, 0xfe][..], &[0x80], &[0xc3, 0x28, 1, 2], &[]] {
            let body = Body::of(binary);
            assert_eq!(body.bytes().unwrap(), binary, "{body:?}");
        }
        assert_eq!(Body::of(&[0xff]).base64_string.as_deref(), Some("/w=="));
    }
}
