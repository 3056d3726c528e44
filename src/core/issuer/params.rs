//! Request parameters from a JSON or `application/x-www-form-urlencoded` body, as one string map. Wrong types
//! and repeated parameters are refused with a message naming the parameter.

use super::error::OAuthError;
use serde_json::Value;
use std::collections::BTreeMap;

/// The parameters of one request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Params(BTreeMap<String, String>);

impl Params {
    /// Parses a body by its content type: JSON when it says so (or looks like an object), otherwise a form.
    pub fn parse(content_type: Option<&str>, body: &[u8]) -> Result<Self, OAuthError> {
        let json = content_type.map_or_else(
            || matches!(body.iter().find(|b| !b.is_ascii_whitespace()), Some(b'{' | b'[')),
            |ct| ct.to_ascii_lowercase().contains("json"),
        );
        if json {
            Self::from_json(body)
        } else {
            Self::from_form(body)
        }
    }

    fn from_json(body: &[u8]) -> Result<Self, OAuthError> {
        let value: Value = serde_json::from_slice(body).map_err(|e| {
            OAuthError::invalid_request(format!(
                "the body is not valid JSON ({e}): send a JSON object or a form"
            ))
        })?;
        if !value.is_object() {
            return Err(OAuthError::invalid_request(
                "the JSON body must be an object of parameters",
            ));
        }
        // Parsed again as a list of members: a map would keep only the last of two equal names.
        let Members(members) = serde_json::from_slice(body)
            .map_err(|e| OAuthError::invalid_request(format!("the JSON body is not usable ({e})")))?;
        let mut seen = std::collections::BTreeSet::new();
        if let Some((key, _)) = members.iter().find(|(key, _)| !seen.insert(key.as_str())) {
            return Err(OAuthError::invalid_request(format!(
                "parameter {key} was given more than once: send it once"
            )));
        }
        let mut params = BTreeMap::new();
        for (key, value) in members {
            let text = match value {
                Value::Null => continue,
                Value::String(s) => s,
                Value::Number(n) => n.to_string(),
                Value::Bool(b) => b.to_string(),
                other if key == "user_profile" => other.to_string(),
                _ => return Err(OAuthError::invalid_request(format!("parameter {key} must be a string"))),
            };
            params.insert(key, text);
        }
        Ok(Self(params))
    }

    /// Parameters from a URL query string (`/authorize`, `/v2/logout`); repeated ones are refused.
    pub fn from_query(query: Option<&str>) -> Result<Self, OAuthError> {
        Self::from_form(query.unwrap_or_default().as_bytes())
    }

    fn from_form(body: &[u8]) -> Result<Self, OAuthError> {
        let mut params = BTreeMap::new();
        for (key, value) in url::form_urlencoded::parse(body) {
            if params.insert(key.to_string(), value.into_owned()).is_some() {
                return Err(OAuthError::invalid_request(format!(
                    "parameter {key} was given more than once: send it once"
                )));
            }
        }
        Ok(Self(params))
    }

    /// Builds parameters from pairs (tests and CLI).
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        Self(pairs.into_iter().map(|(k, v)| (k.to_owned(), v.to_owned())).collect())
    }

    /// A parameter, when present and not blank.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).map(String::as_str).filter(|v| !v.trim().is_empty())
    }

    /// A required parameter, or `invalid_request` naming it.
    pub fn require(&self, key: &str) -> Result<&str, OAuthError> {
        self.get(key)
            .ok_or_else(|| OAuthError::invalid_request(format!("Missing required parameter: {key}")))
    }

    /// The space-separated `scope`, or `default` when absent.
    pub fn scopes(&self, default: &str) -> Vec<String> {
        self.get("scope")
            .unwrap_or(default)
            .split_whitespace()
            .map(str::to_owned)
            .collect()
    }

    /// Every parameter name and value.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }
}

/// A JSON object's members in order, repeated names kept.
struct Members(Vec<(String, Value)>);

impl<'de> serde::Deserialize<'de> for Members {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = Members;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a JSON object")
            }

            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Members, A::Error> {
                let mut members = Vec::new();
                while let Some(member) = map.next_entry::<String, Value>()? {
                    members.push(member);
                }
                Ok(Members(members))
            }
        }
        deserializer.deserialize_map(Visitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_and_form_give_the_same_parameters() {
        let json = Params::parse(Some("application/json"), br#"{"a":"1","b":2,"c":null}"#).unwrap();
        let form = Params::parse(Some("application/x-www-form-urlencoded"), b"a=1&b=2").unwrap();
        assert_eq!(json, form);
    }

    #[test]
    fn repeated_form_parameters_and_wrong_json_types_are_refused() {
        let error = Params::parse(None, b"a=1&a=2").unwrap_err();
        assert!(error.description.contains("parameter a was given more than once"));
        let error = Params::parse(None, br#"{"id_token":["x"]}"#).unwrap_err();
        assert_eq!(error.description, "parameter id_token must be a string");
        assert_eq!(Params::parse(None, b"[1]").unwrap_err().error, "invalid_request");
        let error = Params::parse(None, br#"{"client_id":"a","client_id":"b"}"#).unwrap_err();
        assert!(
            error
                .description
                .contains("parameter client_id was given more than once")
        );
    }
}
