//! Writing XML bodies.

use std::borrow::Cow;

use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use serde_json::Value;

use super::{ITEM, ROOT};
use crate::Format;
use crate::error::{Error, Location, Operation, quote};

/// Encodes a JSON value as an Adsterra XML body.
///
/// Fails only on an object key that cannot be an XML element name.
pub fn to_string(value: &Value) -> Result<String, Error> {
    let mut writer = Writer::new_with_indent(Vec::new(), b' ', 2);
    emit(
        &mut writer,
        Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)),
    )?;
    let mut path = vec![ROOT.to_owned()];
    write_element(&mut writer, ROOT, value, &mut path)?;
    let mut body = String::from_utf8(writer.into_inner()).map_err(|err| {
        encode_error(
            Location::default(),
            format!("the XML writer produced invalid UTF-8: {err}"),
        )
    })?;
    body.push('\n');
    Ok(body)
}

fn write_element(
    writer: &mut Writer<Vec<u8>>,
    name: &str,
    value: &Value,
    path: &mut Vec<String>,
) -> Result<(), Error> {
    match value {
        Value::Null => emit(
            writer,
            Event::Empty(BytesStart::new(name).with_attributes([("nil", "true")])),
        ),
        Value::Bool(b) => write_leaf(writer, name, if *b { "true" } else { "false" }),
        Value::Number(n) => write_leaf(writer, name, &n.to_string()),
        Value::String(s) => write_leaf(writer, name, &escape_text(s)),
        Value::Array(items) if items.is_empty() => {
            emit(writer, Event::Empty(BytesStart::new(name)))
        }
        Value::Object(map) if map.is_empty() => emit(writer, Event::Empty(BytesStart::new(name))),
        Value::Array(items) => {
            emit(writer, Event::Start(BytesStart::new(name)))?;
            for (index, item) in items.iter().enumerate() {
                path.push(format!("{ITEM}[{}]", index + 1));
                write_element(writer, ITEM, item, path)?;
                path.pop();
            }
            emit(writer, Event::End(BytesEnd::new(name)))
        }
        Value::Object(map) => {
            emit(writer, Event::Start(BytesStart::new(name)))?;
            for (key, child) in map {
                if !is_xml_name(key) {
                    return Err(encode_error(
                        Location {
                            element: Some(path.join("/")),
                            ..Location::default()
                        },
                        format!("the key {} is not a valid XML element name", quote(key)),
                    ));
                }
                path.push(key.clone());
                write_element(writer, key, child, path)?;
                path.pop();
            }
            emit(writer, Event::End(BytesEnd::new(name)))
        }
    }
}

/// Writes `<name>text</name>` on one line. The text event between start and
/// end also keeps the indenting writer from breaking the line before the end
/// tag, which would put layout whitespace into the value (`""` must stay
/// `<name></name>`).
fn write_leaf(writer: &mut Writer<Vec<u8>>, name: &str, escaped: &str) -> Result<(), Error> {
    emit(writer, Event::Start(BytesStart::new(name)))?;
    emit(writer, Event::Text(BytesText::from_escaped(escaped)))?;
    emit(writer, Event::End(BytesEnd::new(name)))
}

fn emit(writer: &mut Writer<Vec<u8>>, event: Event<'_>) -> Result<(), Error> {
    writer
        .write_event(event)
        .map_err(|err| encode_error(Location::default(), format!("the XML writer failed: {err}")))
}

fn encode_error(location: Location, message: impl Into<String>) -> Error {
    Error::new(Format::Xml, Operation::Encode, location, message)
}

/// Escapes text content so that it reads back exactly.
///
/// `<`, `>` (which also breaks `]]>`) and `&` are escaped as entities; `\r` as
/// `&#13;` because XML parsers turn raw carriage returns into `\n`. Characters
/// XML 1.0 cannot carry at all (C0 controls other than tab and line feed,
/// U+FFFE, U+FFFF) are written as numeric references so that no value is
/// lost; this crate reads them back, strict XML 1.0 parsers reject them.
fn escape_text(text: &str) -> Cow<'_, str> {
    if !text
        .chars()
        .any(|c| matches!(c, '<' | '>' | '&' | '\r') || !is_xml_char(c))
    {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\r' => out.push_str("&#13;"),
            c if !is_xml_char(c) => out.push_str(&format!("&#x{:X};", u32::from(c))),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// XML 1.0 `Char` production.
fn is_xml_char(c: char) -> bool {
    matches!(c,
        '\t' | '\n' | '\r'
        | '\u{20}'..='\u{D7FF}'
        | '\u{E000}'..='\u{FFFD}'
        | '\u{10000}'..='\u{10FFFF}')
}

/// XML 1.0 `Name` production without `:`, which would make the name a
/// namespace prefix that no document declares.
fn is_xml_name(name: &str) -> bool {
    let mut chars = name.chars();
    match chars.next() {
        Some(first) if is_name_start(first) => chars.all(is_name_char),
        _ => false,
    }
}

fn is_name_start(c: char) -> bool {
    matches!(c,
        'A'..='Z' | '_' | 'a'..='z'
        | '\u{C0}'..='\u{D6}'
        | '\u{D8}'..='\u{F6}'
        | '\u{F8}'..='\u{2FF}'
        | '\u{370}'..='\u{37D}'
        | '\u{37F}'..='\u{1FFF}'
        | '\u{200C}'..='\u{200D}'
        | '\u{2070}'..='\u{218F}'
        | '\u{2C00}'..='\u{2FEF}'
        | '\u{3001}'..='\u{D7FF}'
        | '\u{F900}'..='\u{FDCF}'
        | '\u{FDF0}'..='\u{FFFD}'
        | '\u{10000}'..='\u{EFFFF}')
}

fn is_name_char(c: char) -> bool {
    is_name_start(c)
        || matches!(c,
            '-' | '.' | '0'..='9' | '\u{B7}'
            | '\u{300}'..='\u{36F}'
            | '\u{203F}'..='\u{2040}')
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn names_follow_the_xml_name_rules() {
        assert!(is_xml_name("itemCount"));
        assert!(is_xml_name("placement_ids"));
        assert!(is_xml_name("_x-1.2"));
        assert!(is_xml_name("名前"));
        assert!(!is_xml_name(""));
        assert!(!is_xml_name("2x"));
        assert!(!is_xml_name("a b"));
        assert!(!is_xml_name("ns:a"));
        assert!(!is_xml_name("-a"));
    }

    #[test]
    fn invalid_key_is_an_encode_error_naming_it() {
        let err = to_string(&json!({"items": [{"ok": 1, "bad key": 2}]})).unwrap_err();
        assert_eq!(
            err.to_string(),
            "cannot encode XML at element response/items/item[1]: the key \"bad key\" is not a \
             valid XML element name"
        );
    }

    #[test]
    fn text_escaping_covers_markup_cr_and_non_xml_characters() {
        assert_eq!(escape_text("a<b>&]]>\r\n"), "a&lt;b&gt;&amp;]]&gt;&#13;\n");
        assert_eq!(escape_text("\u{1}\u{FFFF}\t"), "&#x1;&#xFFFF;\t");
        assert!(matches!(
            escape_text("plain 'quotes' \"too\""),
            Cow::Borrowed(_)
        ));
    }
}
