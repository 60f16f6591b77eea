//! Replaying recorded answers (`adsterra-sandbox --replay DIR`, [`Sandbox::set_replay`]): a
//! request that matches a cassette of `adsterra verify-live --record` gets the recorded answer,
//! status, content type and body byte for byte; any other request is answered by the stateful
//! sandbox, or, with `--replay-only`, refused with a 404 that says which cassette is missing.
//!
//! A request matches a recording by method, path below the API's base (`/campaigns.json`) and
//! query, its parameters in any order; the recorded host does not matter, so answers recorded
//! from Adsterra are replayed on loopback.
//!
//! [`Sandbox::set_replay`]: crate::Sandbox::set_replay

use std::collections::HashMap;
use std::path::Path;

use adsterra_openapi::cassette::{Cassette, CassetteError};
use bytes::Bytes;

use crate::server::BASE_PATH;

/// The answers of a cassette folder, ready to serve.
#[derive(Debug, Clone, Default)]
pub struct Replay {
    answers: HashMap<Key, Recorded>,
    /// Refuse what no cassette holds, instead of answering it from the sandbox.
    pub only: bool,
}

/// What a recording is found by: the method, the path below the base, the sorted query.
type Key = (String, String, Vec<(String, String)>);

/// One recorded answer.
#[derive(Debug, Clone)]
pub struct Recorded {
    /// The operation it answered (`get_stats`).
    pub operation: String,
    /// Its status.
    pub status: u16,
    /// Its content type, when it was recorded.
    pub content_type: Option<String>,
    /// Its body, byte for byte.
    pub body: Bytes,
}

impl Replay {
    /// The answers of every cassette in `folder`; the last recording of a request wins.
    pub fn load(folder: &Path) -> Result<Self, CassetteError> {
        let mut answers = HashMap::new();
        for cassette in Cassette::read_folder(folder)?.into_values() {
            for interaction in cassette.http_interactions {
                let Some(key) = key(&interaction.request.method, &interaction.request.uri) else {
                    continue;
                };
                let response = interaction.response;
                let recorded = Recorded {
                    operation: interaction.adsterra_operation,
                    status: response.status.code,
                    content_type: response
                        .headers
                        .get("content-type")
                        .and_then(|v| v.first().cloned()),
                    body: Bytes::from(response.body.bytes().unwrap_or_default()),
                };
                answers.insert(key, recorded);
            }
        }
        Ok(Replay {
            answers,
            only: false,
        })
    }

    /// How many answers it holds.
    pub fn len(&self) -> usize {
        self.answers.len()
    }

    /// Whether it holds none.
    pub fn is_empty(&self) -> bool {
        self.answers.is_empty()
    }

    /// The recorded answer of a request, if one was recorded; `path` is the request's path
    /// (with the base path), `query` its query string.
    pub fn find(&self, method: &str, path: &str, query: &str) -> Option<&Recorded> {
        let below = path.strip_prefix(BASE_PATH).unwrap_or(path);
        self.answers
            .get(&(method.to_ascii_lowercase(), below.to_owned(), sorted(query)))
    }
}

/// The key of a recorded request: its URL's path below the base, and its query sorted.
fn key(method: &str, uri: &str) -> Option<Key> {
    let after_scheme = uri.split_once("://").map_or(uri, |(_, rest)| rest);
    let path_and_query = &after_scheme[after_scheme.find('/')?..];
    let (path, query) = path_and_query
        .split_once('?')
        .unwrap_or((path_and_query, ""));
    let below = path.strip_prefix(BASE_PATH).unwrap_or(path);
    Some((method.to_ascii_lowercase(), below.to_owned(), sorted(query)))
}

fn sorted(query: &str) -> Vec<(String, String)> {
    let mut pairs: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
        .map(|(name, value)| (name.into_owned(), value.into_owned()))
        .collect();
    pairs.sort();
    pairs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_matches_its_recording_whatever_the_host_and_the_order_of_its_query() {
        let recorded = key(
            "get",
            "https://api3.adsterratools.com/advertiser/stats.csv?start_date=2026-11-01&group_by%5B%5D=date",
        )
        .unwrap();
        let mut replay = Replay::default();
        replay.answers.insert(
            recorded,
            Recorded {
                operation: "stats".into(),
                status: 200,
                content_type: None,
                body: Bytes::from_static(b"date;impressions\n"),
            },
        );
        let found = replay.find(
            "GET",
            "/advertiser/stats.csv",
            "group_by[]=date&start_date=2026-11-01",
        );
        assert_eq!(found.unwrap().body, "date;impressions\n");
        assert!(
            replay
                .find("GET", "/advertiser/stats.csv", "start_date=2026-11-02")
                .is_none()
        );
        assert!(
            replay
                .find(
                    "POST",
                    "/advertiser/stats.csv",
                    "group_by[]=date&start_date=2026-11-01"
                )
                .is_none()
        );
    }
}
