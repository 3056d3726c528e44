//! Parsing a header or payload that is a JSON object into a map sized for a token's members up front.
//!
//! serde_json builds every object from an empty map, which grows (and re-indexes) three times on the way to
//! a dozen claims. Here the outer object starts with room for [`MEMBERS`]; nested values are parsed by
//! serde_json as usual, and members are inserted exactly as serde_json inserts them (a repeated name keeps
//! its first position and takes the last value), so the map is the same.

use serde::de::{Deserializer as _, MapAccess, Visitor};
use serde_json::{Map, Value};

/// Room the outer map starts with: an Auth0 access or ID token has 8 to 15 claims.
const MEMBERS: usize = 16;

/// `text` parsed as a JSON object: `Ok(None)` when it is JSON but not an object.
pub fn parse_object(text: &str) -> serde_json::Result<Option<Map<String, Value>>> {
    if !text.trim_start().starts_with('{') {
        return match serde_json::from_str::<Value>(text)? {
            Value::Object(map) => Ok(Some(map)),
            _ => Ok(None),
        };
    }
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let map = (&mut deserializer).deserialize_map(SizedObject)?;
    deserializer.end()?;
    Ok(Some(map))
}

/// Visits the outer object into a map that already has room for [`MEMBERS`].
struct SizedObject;

impl<'de> Visitor<'de> for SizedObject {
    type Value = Map<String, Value>;

    fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Self::Value, A::Error> {
        let mut map = Map::with_capacity(MEMBERS);
        while let Some((name, value)) = access.next_entry::<String, Value>()? {
            map.insert(name, value);
        }
        Ok(map)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What serde_json itself makes of `text`, for comparison.
    fn by_serde_json(text: &str) -> Option<Map<String, Value>> {
        match serde_json::from_str::<Value>(text).ok()? {
            Value::Object(map) => Some(map),
            _ => None,
        }
    }

    #[test]
    fn objects_parse_to_the_map_serde_json_builds_member_for_member() {
        let many: String = (0..40).map(|i| format!("\"c{i}\":{i},")).collect();
        for text in [
            r#"{"alg":"RS256","typ":"JWT","kid":"k"}"#,
            r#" {"iss":"https://t/","aud":["a","b"],"exp":1,"nested":{"z":1,"a":[{"b":null}]}} "#,
            r#"{"a":1,"b":2,"a":3}"#,
            r#"{"\u00e9":"\ud83d\ude00","x":1.5e3,"y":-0,"big":18446744073709551615}"#,
            "{}",
            &format!("{{{many}\"last\":true}}"),
        ] {
            let ours = parse_object(text).unwrap().unwrap();
            let theirs = by_serde_json(text).unwrap();
            assert_eq!(ours, theirs, "{text}");
            let order = |m: &Map<String, Value>| m.keys().cloned().collect::<Vec<_>>();
            assert_eq!(order(&ours), order(&theirs), "member order of {text}");
            assert_eq!(
                serde_json::to_string(&ours).unwrap(),
                serde_json::to_string(&theirs).unwrap()
            );
        }
    }

    #[test]
    fn json_that_is_not_an_object_is_told_apart_from_text_that_is_not_json() {
        for text in ["[1,2]", "\"s\"", "42", "null", " true "] {
            assert_eq!(parse_object(text).unwrap(), None, "{text}");
        }
        for text in ["{", "{\"a\":1} x", "{\"a\" 1}", "{\"a\":1,}", "", "{} {}"] {
            let error = parse_object(text).unwrap_err();
            let theirs = serde_json::from_str::<Value>(text).unwrap_err();
            assert_eq!(error.to_string(), theirs.to_string(), "{text}");
        }
    }
}
