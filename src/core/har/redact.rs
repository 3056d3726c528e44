//! The rules of sanitising, value by value: a JWT loses its signature (header and payload stay readable);
//! passwords, client secrets, codes, PKCE verifiers, opaque tokens and cookies become a
//! [`marker`](super::hash::marker) with a short hash, so equal values stay recognisable.

use super::hash::{is_marker, marker, short_hash};
use super::tokens::{form_pairs, is_credential_field, is_jwt, is_token_field};
use serde_json::Value;

/// One value taken out of a capture.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Removal {
    /// The entry, from 1 (0: outside the entries, e.g. `log.pages`).
    pub entry: usize,
    /// Where in the entry (`request body · password`, `request.headers[2].value`).
    pub place: String,
    /// What was removed (`JWT signature`, `password`, `cookie`, …).
    pub what: String,
    /// What stands in its place: a marker, or the fingerprint of the whole JWT.
    pub replacement: String,
}

impl std::fmt::Display for Removal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "entry {} · {}: {} → {}",
            self.entry, self.place, self.what, self.replacement
        )
    }
}

/// Collects removals for one entry.
pub struct Redactor<'a> {
    /// The entry, from 1.
    pub entry: usize,
    /// Where removals are listed.
    pub removed: &'a mut Vec<Removal>,
}

impl Redactor<'_> {
    fn note(&mut self, place: &str, what: &str, replacement: String) {
        self.removed.push(Removal {
            entry: self.entry,
            place: place.to_owned(),
            what: what.to_owned(),
            replacement,
        });
    }

    /// A JWT without its signature (`header.payload.`), when `value` is a signed JWT.
    fn unsigned(&mut self, place: &str, value: &str) -> Option<String> {
        let mut parts = value.splitn(3, '.');
        let (header, payload, signature) = (parts.next()?, parts.next()?, parts.next()?);
        if signature.is_empty() || signature.contains('.') || !is_jwt(value) {
            return None;
        }
        self.note(
            place,
            "JWT signature",
            format!("token #{} kept unsigned", short_hash(value)),
        );
        Some(format!("{header}.{payload}."))
    }

    /// A marker in place of a secret.
    fn masked(&mut self, place: &str, what: &str, value: &str) -> String {
        let replacement = marker(value);
        self.note(place, what, replacement.clone());
        replacement
    }

    /// A named value (body field, query parameter): a JWT loses its signature, a secret or opaque token
    /// becomes a marker. `None` when nothing changes.
    pub fn field(&mut self, place: &str, name: &str, value: &str) -> Option<String> {
        if value.is_empty() || is_marker(value) {
            return None;
        }
        let place = format!("{place} · {name}");
        if let Some(unsigned) = self.unsigned(&place, value) {
            return Some(unsigned);
        }
        if is_credential_field(name) {
            return Some(self.masked(&place, name, value));
        }
        if is_token_field(name) && !is_jwt(value) {
            let what = if name == "code" {
                "authorization code"
            } else {
                "opaque token"
            };
            return Some(self.masked(&place, what, value));
        }
        None
    }

    /// A header value. `None` when nothing changes.
    pub fn header(&mut self, place: &str, name: &str, value: &str) -> Option<String> {
        let name = name.to_ascii_lowercase();
        let place = format!("{place} · {name}");
        match name.as_str() {
            "authorization" | "proxy-authorization" => self.authorization(&place, value),
            "cookie" => self.cookie_header(&place, value),
            "set-cookie" => self.set_cookie_header(&place, value),
            "dpop" => self.unsigned(&place, value.trim()),
            "location" | "content-location" | "referer" => self.relative_url(&place, value),
            _ if name.contains("token") || name.contains("api-key") || name.contains("secret") => {
                (!is_marker(value)).then(|| self.masked(&place, "secret header", value))
            }
            _ => None,
        }
    }

    fn authorization(&mut self, place: &str, value: &str) -> Option<String> {
        let (scheme, credentials) = value.trim().split_once(' ').unwrap_or(("", value.trim()));
        let credentials = credentials.trim();
        if credentials.is_empty() || is_marker(credentials) {
            return None;
        }
        let replaced = match self.unsigned(place, credentials) {
            Some(unsigned) => unsigned,
            // Already without its signature.
            None if is_jwt(credentials) => return None,
            None => self.masked(place, &format!("{scheme} credentials"), credentials),
        };
        Some(format!("{scheme} {replaced}").trim_start().to_owned())
    }

    fn cookie_header(&mut self, place: &str, value: &str) -> Option<String> {
        let mut changed = false;
        let mut parts = Vec::new();
        for cookie in cookie::Cookie::split_parse(value).flatten() {
            let replaced = self.cookie_value(place, cookie.name(), cookie.value());
            changed |= replaced.is_some();
            parts.push(format!(
                "{}={}",
                cookie.name(),
                replaced.as_deref().unwrap_or(cookie.value())
            ));
        }
        changed.then(|| parts.join("; "))
    }

    /// Repeated `Set-Cookie` headers joined by line breaks (Firefox) are handled line by line.
    fn set_cookie_header(&mut self, place: &str, value: &str) -> Option<String> {
        let mut changed = false;
        let mut lines = Vec::new();
        for line in value.lines() {
            match cookie::Cookie::parse(line) {
                Ok(mut parsed) => {
                    if let Some(replaced) = self.cookie_value(place, parsed.name(), parsed.value()) {
                        parsed.set_value(replaced);
                        changed = true;
                    }
                    lines.push(parsed.to_string());
                }
                Err(_) => lines.push(line.to_owned()),
            }
        }
        changed.then(|| lines.join("\n"))
    }

    /// A cookie's value: a marker (a JWT too: a session cookie is a credential).
    pub fn cookie_value(&mut self, place: &str, name: &str, value: &str) -> Option<String> {
        (!value.is_empty() && !is_marker(value)).then(|| self.masked(&format!("{place} · {name}"), "cookie", value))
    }

    /// A URL with the secrets of its query and fragment replaced. `None` when nothing changes.
    pub fn url(&mut self, place: &str, text: &str) -> Option<String> {
        let mut url = url::Url::parse(text).ok()?;
        let mut changed = false;
        if let Some(query) = url.query().map(str::to_owned)
            && let Some(clean) = self.form(&format!("{place} · query"), &query)
        {
            url.set_query(Some(&clean));
            changed = true;
        }
        if let Some(fragment) = url.fragment().filter(|f| f.contains('=')).map(str::to_owned)
            && let Some(clean) = self.form(&format!("{place} · fragment"), &fragment)
        {
            url.set_fragment(Some(&clean));
            changed = true;
        }
        changed.then(|| url.to_string())
    }

    /// A URL that may be relative (`/callback?code=…`), as a `Location` header holds it.
    fn relative_url(&mut self, place: &str, text: &str) -> Option<String> {
        if url::Url::parse(text).is_ok() {
            return self.url(place, text);
        }
        let base = url::Url::parse("https://relative.invalid/").ok()?;
        let absolute = base.join(text).ok()?;
        let clean = url::Url::parse(&self.url(place, absolute.as_str())?).ok()?;
        Some(clean[url::Position::BeforePath..].to_owned())
    }

    /// `a=1&b=2` with its secrets replaced. `None` when nothing changes.
    pub fn form(&mut self, place: &str, text: &str) -> Option<String> {
        let pairs = form_pairs(text);
        let mut changed = false;
        let mut serializer = url::form_urlencoded::Serializer::new(String::new());
        for (name, value) in &pairs {
            let replaced = self.field(place, name, value);
            changed |= replaced.is_some();
            serializer.append_pair(name, replaced.as_deref().unwrap_or(value));
        }
        changed.then(|| serializer.finish())
    }

    /// A body: JSON members and form fields by name, then JWTs anywhere in the text. `None` when unchanged.
    pub fn body(&mut self, place: &str, mime: &str, text: &str) -> Option<String> {
        let structured = if text.trim_start().starts_with('{') || text.trim_start().starts_with('[') {
            self.json_text(place, text)
        } else if mime.contains("x-www-form-urlencoded") {
            self.form(place, text)
        } else {
            None
        };
        let current = structured.as_deref().unwrap_or(text);
        match self.text(place, current) {
            Some(clean) => Some(clean),
            None => structured,
        }
    }

    fn json_text(&mut self, place: &str, text: &str) -> Option<String> {
        let mut value: Value = serde_json::from_str(text).ok()?;
        self.json_members(place, &mut value).then(|| value.to_string())
    }

    /// Replaces token and secret members anywhere in a JSON value; whether anything changed.
    pub fn json_members(&mut self, place: &str, value: &mut Value) -> bool {
        let mut changed = false;
        match value {
            Value::Object(members) => {
                for (name, member) in members.iter_mut() {
                    if let Value::String(text) = member
                        && let Some(replaced) = self.field(place, name, text)
                    {
                        *text = replaced;
                        changed = true;
                    } else {
                        changed |= self.json_members(place, member);
                    }
                }
            }
            Value::Array(items) => {
                for item in items {
                    changed |= self.json_members(place, item);
                }
            }
            Value::Null | Value::Bool(_) | Value::Number(_) | Value::String(_) => {}
        }
        changed
    }

    /// Free text with every signed JWT in it (`eyJ…`) unsigned. `None` when unchanged.
    pub fn text(&mut self, place: &str, text: &str) -> Option<String> {
        let mut out = String::with_capacity(text.len());
        let mut copied = 0;
        for found in crate::core::jwt::scan::find_jwts(text) {
            if let Some(unsigned) = self.unsigned(place, found.token) {
                out.push_str(&text[copied..found.offset]);
                out.push_str(&unsigned);
                copied = found.offset + found.token.len();
            }
        }
        (copied > 0).then(|| {
            out.push_str(&text[copied..]);
            out
        })
    }
}
