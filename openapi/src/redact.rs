//! Replacing the values that identify an account in recorded answers (`adsterra verify-live
//! --record DIR --redact`), so that a folder of cassettes can be published.
//!
//! Which values identify is the spec's to say: properties marked `x-adsterra-redact: id`, `name`
//! or `url` (campaign ids and names, placement ids, landing pages, ...). Every value found under
//! such a property, in any answer and format, gets one stand-in, and the stand-in replaces the
//! value everywhere it is written, in every body and URL: so `/campaign/<id>.json` still names
//! the campaign of the list, and a stats row's `campaign` still points at it. Ids stay whole
//! numbers (`1000000001`, ...), names and URLs stay text (`name-1`, `https://example.com/1`), so
//! the redacted answers still read as the spec says.
//!
//! An id is replaced where it stands as a whole number (a run of digits of its own), so only ids
//! of five digits or more are taken: a shorter one could be a count anywhere. Adsterra's ids
//! have seven or more.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::cassette::Cassette;
use crate::pointer;
use crate::verify::{self, Carrier};

/// The vendor extension that marks an identifying property: `id`, `name` or `url`.
pub const REDACT_KEY: &str = "x-adsterra-redact";

/// The shortest id replaced.
const MIN_ID_DIGITS: usize = 5;

/// What was replaced: how many values of each kind.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Redaction {
    /// Ids replaced.
    pub ids: usize,
    /// Names replaced.
    pub names: usize,
    /// URLs replaced.
    pub urls: usize,
}

/// Replaces every identifying value of `cassettes` (answers of `spec`'s operations) by its
/// stand-in, in every body and request URL.
pub fn redact(spec: &Value, cassettes: &mut BTreeMap<String, Cassette>) -> Redaction {
    let mut found = Found::default();
    for interaction in cassettes.values().flat_map(|c| &c.http_interactions) {
        let (Some(format), Some(body)) = (interaction.format(), interaction.response.body.bytes())
        else {
            continue;
        };
        let Some(schema) = verify::answer_schema(spec, &interaction.adsterra_operation) else {
            continue;
        };
        if let Ok((value, carrier)) = verify::read_answer(schema, format, &body) {
            found.walk(spec, schema, &value, carrier, None, 0);
        }
    }
    let redaction = Redaction {
        ids: found.ids.len(),
        names: found.names,
        urls: found.urls,
    };
    for interaction in cassettes
        .values_mut()
        .flat_map(|c| &mut c.http_interactions)
    {
        interaction.request.uri = found.replace(&interaction.request.uri);
        let body = &mut interaction.response.body;
        if let Some(text) = &body.string {
            body.string = Some(found.replace(text));
        }
    }
    redaction
}

/// The identifying values seen, each with its stand-in, in the order first seen.
#[derive(Debug, Default)]
struct Found {
    ids: BTreeMap<String, String>,
    /// Names and URLs, longest first when replacing.
    texts: BTreeMap<String, String>,
    names: usize,
    urls: usize,
}

impl Found {
    fn walk(
        &mut self,
        spec: &Value,
        schema: &Value,
        value: &Value,
        carrier: Carrier,
        kind: Option<&str>,
        depth: usize,
    ) {
        if depth > 16 {
            return;
        }
        let schema = pointer::resolve(spec, schema).unwrap_or(schema);
        let kind = schema.get(REDACT_KEY).and_then(Value::as_str).or(kind);
        match value {
            Value::Object(object) => {
                let properties = schema.get("properties").and_then(Value::as_object);
                for (name, field) in object {
                    if let Some(property) = properties.and_then(|p| p.get(name)) {
                        self.walk(spec, property, field, carrier, None, depth + 1);
                    }
                }
            }
            Value::Array(items) => {
                let items_schema = schema.get("items").unwrap_or(&Value::Null);
                for item in items {
                    self.walk(spec, items_schema, item, carrier, kind, depth + 1);
                }
            }
            // CSV carries a list as JSON text in its cell.
            Value::String(text) if carrier == Carrier::Text && text.starts_with('[') => {
                if let Ok(list) = serde_json::from_str::<Value>(text) {
                    self.walk(spec, schema, &list, Carrier::Json, kind, depth + 1);
                }
            }
            _ => self.take(kind, value),
        }
    }

    fn take(&mut self, kind: Option<&str>, value: &Value) {
        let text = match value {
            Value::Number(n) => n.to_string(),
            Value::String(s) if !s.is_empty() => s.clone(),
            _ => return,
        };
        match kind {
            Some("id")
                if text.len() >= MIN_ID_DIGITS && text.bytes().all(|b| b.is_ascii_digit()) =>
            {
                let next = self.ids.len() + 1;
                self.ids
                    .entry(text)
                    .or_insert_with(|| (1_000_000_000 + next).to_string());
            }
            Some("name") if !self.texts.contains_key(&text) => {
                self.names += 1;
                self.texts.insert(text, format!("name-{}", self.names));
            }
            Some("url") if !self.texts.contains_key(&text) => {
                self.urls += 1;
                self.texts
                    .insert(text, format!("https://example.com/{}", self.urls));
            }
            _ => {}
        }
    }

    /// `text` with every value replaced by its stand-in: texts as written in JSON, XML and
    /// CSV, longest first (a name inside another stays whole), then ids where a run of digits
    /// is one.
    fn replace(&self, text: &str) -> String {
        let mut texts: Vec<(&String, &String)> = self.texts.iter().collect();
        texts.sort_by_key(|(original, _)| std::cmp::Reverse(original.len()));
        let mut out = text.to_owned();
        for (original, stand_in) in texts {
            let json = serde_json::to_string(original).expect("strings serialise");
            let spellings = [
                original.clone(),
                json[1..json.len() - 1].to_owned(),
                xml_escaped(original),
                form_urlencoded::byte_serialize(original.as_bytes()).collect(),
            ];
            for spelling in spellings {
                if !spelling.is_empty() {
                    out = out.replace(&spelling, stand_in);
                }
            }
        }
        self.replace_ids(&out)
    }

    fn replace_ids(&self, text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        let mut digits = String::new();
        let flush = |digits: &mut String, out: &mut String| {
            match self.ids.get(digits.as_str()) {
                Some(stand_in) => out.push_str(stand_in),
                None => out.push_str(digits),
            }
            digits.clear();
        };
        for c in text.chars() {
            if c.is_ascii_digit() {
                digits.push(c);
            } else {
                flush(&mut digits, &mut out);
                out.push(c);
            }
        }
        flush(&mut digits, &mut out);
        out
    }
}

fn xml_escaped(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&apos;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_replaced_only_as_whole_numbers_and_texts_in_every_spelling() {
        let mut found = Found::default();
        found.take(Some("id"), &Value::from(1463700));
        found.take(Some("id"), &Value::from(7));
        found.take(Some("name"), &Value::from("Pop & <US>"));
        assert_eq!(
            found.replace(r#"{"id":1463700,"n":14637001,"alias":"Pop & <US>","count":7}"#),
            r#"{"id":1000000001,"n":14637001,"alias":"name-1","count":7}"#
        );
        assert_eq!(
            found.replace("<alias>Pop &amp; &lt;US&gt;</alias>/campaign/1463700.xml"),
            "<alias>name-1</alias>/campaign/1000000001.xml"
        );
    }
}
