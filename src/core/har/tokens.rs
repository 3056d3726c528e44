//! Finding the tokens of an entry wherever they travel: the `Authorization` (Bearer, DPoP, Basic) and `DPoP`
//! headers, request bodies (form, JSON, or the `params` Firefox fills in), response bodies, URL queries and
//! fragments (`#access_token=…`), cookies and `Location` headers. Each token gets its place ("entry 12 ·
//! response body · id_token") and a fingerprint; [`lineage`] links the entry that issued a token to those
//! that spent it. Values are never kept: only their fingerprint, length and, for JWTs, the claims that the
//! findings need.

use super::entry::Entry;
use super::hash::short_hash;
use super::model::{NameValue, PostData, RawEntry};
use crate::core::jwt::{Inspection, inspect};
use serde::Serialize;
use serde_json::Value;
use std::collections::HashMap;

/// Fields that carry a token (request or response, body or URL).
pub const TOKEN_FIELDS: [&str; 12] = [
    "access_token",
    "id_token",
    "refresh_token",
    "subject_token",
    "actor_token",
    "client_assertion",
    "assertion",
    "id_token_hint",
    "code",
    "device_code",
    "token",
    "logout_token",
];

/// Fields that carry a secret that is not a token: these are never shown, even in part.
pub const CREDENTIAL_FIELDS: [&str; 3] = ["client_secret", "password", "code_verifier"];

/// Where in an entry a token was seen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Carrier {
    /// A request header (`Authorization`, `DPoP`).
    RequestHeader,
    /// The request body.
    RequestBody,
    /// The query of the request URL.
    UrlQuery,
    /// The fragment of the request URL.
    UrlFragment,
    /// A cookie sent.
    RequestCookie,
    /// The response body.
    ResponseBody,
    /// The target of a redirect (`Location` header or `redirectURL`).
    LocationHeader,
    /// A cookie set.
    ResponseCookie,
}

impl Carrier {
    /// Words for listings.
    pub fn label(self) -> &'static str {
        match self {
            Self::RequestHeader => "request header",
            Self::RequestBody => "request body",
            Self::UrlQuery => "URL query",
            Self::UrlFragment => "URL fragment",
            Self::RequestCookie => "request cookie",
            Self::ResponseBody => "response body",
            Self::LocationHeader => "Location header",
            Self::ResponseCookie => "response cookie",
        }
    }

    /// Whether the token went from the browser to the server (rather than back).
    pub fn is_sent(self) -> bool {
        matches!(
            self,
            Self::RequestHeader | Self::RequestBody | Self::UrlQuery | Self::UrlFragment | Self::RequestCookie
        )
    }
}

/// A place in the capture: entry (from 1), carrier and field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Place {
    /// The entry, numbered from 1 in file order.
    pub entry: usize,
    /// Where in the entry.
    pub carrier: Carrier,
    /// The header, field, parameter or cookie name.
    pub field: String,
}

impl std::fmt::Display for Place {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "entry {} · {} · {}", self.entry, self.carrier.label(), self.field)
    }
}

/// What kind of value was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenKind {
    /// A JWS whose header and payload decode.
    Jwt,
    /// Anything else in a token field: a reference token, a code.
    Opaque,
    /// A password, client secret or PKCE verifier.
    Credential,
}

/// The claims of a JWT that the findings need.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct JwtFacts {
    /// `alg` of the header.
    pub alg: Option<String>,
    /// `iss`.
    pub iss: Option<String>,
    /// `aud`, as a list.
    pub aud: Vec<String>,
    /// `azp` or `client_id`.
    pub client: Option<String>,
    /// `exp`, seconds.
    pub exp: Option<i64>,
    /// `iat`, seconds.
    pub iat: Option<i64>,
}

/// One token (or credential) seen in an entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FoundToken {
    /// Where.
    pub place: Place,
    /// What.
    pub kind: TokenKind,
    /// [`short_hash`] of the value: equal values, equal fingerprints.
    pub fingerprint: String,
    /// Characters.
    pub length: usize,
    /// For a JWT, its claims.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub jwt: Option<JwtFacts>,
}

impl FoundToken {
    /// The field it travelled in (`refresh_token`, `authorization`, a cookie name).
    pub fn field(&self) -> &str {
        &self.place.field
    }

    /// Whether it was sent by the browser.
    pub fn is_sent(&self) -> bool {
        self.place.carrier.is_sent()
    }
}

/// The tokens of one entry; `response_body` is the decoded body text.
pub fn find_tokens(entry: usize, raw: &RawEntry, response_body: Option<&str>) -> Vec<FoundToken> {
    let mut finder = Finder {
        entry,
        found: Vec::new(),
    };
    finder.request_headers(&raw.request.headers);
    finder.cookies(
        Carrier::RequestCookie,
        &raw.request.cookies,
        &raw.request.headers,
        "cookie",
    );
    finder.url(&raw.request.url);
    if let Some(post) = &raw.request.post_data {
        for (name, value) in body_fields(post) {
            finder.field(Carrier::RequestBody, &name, &value);
        }
    }
    for target in redirect_targets(raw) {
        finder.location(&raw.request.url, &target);
    }
    finder.cookies(
        Carrier::ResponseCookie,
        &raw.response.cookies,
        &raw.response.headers,
        "set-cookie",
    );
    if let Some(body) = response_body {
        for (name, value) in json_fields(body) {
            finder.field(Carrier::ResponseBody, &name, &value);
        }
    }
    finder.found
}

struct Finder {
    entry: usize,
    found: Vec<FoundToken>,
}

impl Finder {
    fn add(&mut self, carrier: Carrier, field: &str, value: &str) {
        let value = value.trim();
        // A marker of a sanitised capture is kept: equal markers stand for equal values.
        if value.is_empty() {
            return;
        }
        let (kind, jwt) = classify(field, value);
        let place = Place {
            entry: self.entry,
            carrier,
            field: field.to_owned(),
        };
        self.found.push(FoundToken {
            place,
            kind,
            fingerprint: short_hash(value),
            length: value.chars().count(),
            jwt,
        });
    }

    /// A named field of a body, query or fragment: kept when its name says it carries a token or secret.
    fn field(&mut self, carrier: Carrier, name: &str, value: &str) {
        if is_token_field(name) || is_credential_field(name) {
            self.add(carrier, name, value);
        }
    }

    fn request_headers(&mut self, headers: &[NameValue]) {
        for header in headers {
            if header.name.eq_ignore_ascii_case("authorization") {
                let (scheme, credentials) = split_scheme(&header.value);
                self.add(
                    Carrier::RequestHeader,
                    &format!("authorization ({scheme})"),
                    credentials,
                );
            } else if header.name.eq_ignore_ascii_case("dpop") {
                self.add(Carrier::RequestHeader, "dpop", &header.value);
            }
        }
    }

    /// Cookies that hold a JWT or whose name says token: from the `cookies` array, or else the headers.
    fn cookies(&mut self, carrier: Carrier, listed: &[NameValue], headers: &[NameValue], header: &str) {
        let mut pairs: Vec<(String, String)> = listed.iter().map(|c| (c.name.clone(), c.value.clone())).collect();
        if pairs.is_empty() {
            pairs = header_cookies(headers, header);
        }
        for (name, value) in pairs {
            if name.to_ascii_lowercase().contains("token") || is_jwt(&value) {
                self.add(carrier, &name, &value);
            }
        }
    }

    fn url(&mut self, url: &str) {
        let Ok(parsed) = url::Url::parse(url) else {
            return;
        };
        let (query, fragment) = url_params(&parsed);
        for (name, value) in query {
            self.field(Carrier::UrlQuery, &name, &value);
        }
        for (name, value) in fragment {
            self.field(Carrier::UrlFragment, &name, &value);
        }
    }

    fn location(&mut self, base: &str, target: &str) {
        let parsed = url::Url::parse(base)
            .and_then(|base| base.join(target))
            .or_else(|_| url::Url::parse(target));
        let Ok(parsed) = parsed else {
            return;
        };
        let (query, fragment) = url_params(&parsed);
        for (name, value) in query.into_iter().chain(fragment) {
            self.field(Carrier::LocationHeader, &name, &value);
        }
    }
}

/// Whether a field name carries a token.
pub fn is_token_field(name: &str) -> bool {
    TOKEN_FIELDS.iter().any(|f| f.eq_ignore_ascii_case(name))
}

/// Whether a field name carries a password, client secret or PKCE verifier.
pub fn is_credential_field(name: &str) -> bool {
    CREDENTIAL_FIELDS.iter().any(|f| f.eq_ignore_ascii_case(name))
}

/// Whether `value` is a JWS whose header and payload decode.
pub fn is_jwt(value: &str) -> bool {
    value.len() > 20 && value.starts_with("eyJ") && decoded_jwt_facts(value).is_some()
}

fn classify(field: &str, value: &str) -> (TokenKind, Option<JwtFacts>) {
    if is_credential_field(field) {
        return (TokenKind::Credential, None);
    }
    match decoded_jwt_facts(value) {
        Some(facts) => (TokenKind::Jwt, Some(facts)),
        None if field.starts_with("authorization (Basic") => (TokenKind::Credential, None),
        None => (TokenKind::Opaque, None),
    }
}

/// The facts of a JWT, when `value` is one whose header and payload decode.
fn decoded_jwt_facts(value: &str) -> Option<JwtFacts> {
    let Inspection::Jwt(jwt) = inspect(value) else {
        return None;
    };
    let payload = jwt.payload.as_ref().ok()?;
    jwt.header.as_ref().ok()?;
    let aud = match payload.get("aud") {
        Some(Value::String(one)) => vec![one.clone()],
        Some(Value::Array(many)) => many.iter().filter_map(Value::as_str).map(str::to_owned).collect(),
        _ => Vec::new(),
    };
    Some(JwtFacts {
        alg: jwt.alg().map(str::to_owned),
        iss: jwt.claim_str("iss").map(str::to_owned),
        aud,
        client: jwt.claim_str("azp").or(jwt.claim_str("client_id")).map(str::to_owned),
        exp: jwt.claim_seconds("exp"),
        iat: jwt.claim_seconds("iat"),
    })
}

/// `Bearer abc` → (`Bearer`, `abc`); a value without a scheme is (`no scheme`, value).
fn split_scheme(value: &str) -> (&str, &str) {
    match value.trim().split_once(' ') {
        Some((scheme, rest)) => (scheme, rest.trim()),
        None => ("no scheme", value.trim()),
    }
}

/// The cookies of every header of that name (`cookie` or `set-cookie`), read with the `cookie` crate.
pub fn header_cookies(headers: &[NameValue], header: &str) -> Vec<(String, String)> {
    let values = headers.iter().filter(|h| h.name.eq_ignore_ascii_case(header));
    // Firefox joins repeated Set-Cookie headers with line breaks.
    let lines = values.flat_map(|h| h.value.lines().map(str::to_owned).collect::<Vec<_>>());
    let mut pairs = Vec::new();
    for line in lines {
        if header == "cookie" {
            let cookies = cookie::Cookie::split_parse(line).flatten();
            pairs.extend(cookies.map(|c| (c.name().to_owned(), c.value().to_owned())));
        } else if let Ok(c) = cookie::Cookie::parse(line) {
            pairs.push((c.name().to_owned(), c.value().to_owned()));
        }
    }
    pairs
}

/// The redirect targets of an entry: `Location` headers and `redirectURL`.
fn redirect_targets(raw: &RawEntry) -> Vec<String> {
    let mut targets: Vec<String> = raw
        .response
        .headers
        .iter()
        .filter(|h| h.name.eq_ignore_ascii_case("location"))
        .map(|h| h.value.clone())
        .collect();
    let redirect = &raw.response.redirect_url;
    if !redirect.is_empty() && !targets.contains(redirect) {
        targets.push(redirect.clone());
    }
    targets
}

/// Decoded `name=value` pairs, in order.
pub type Pairs = Vec<(String, String)>;

/// The query and fragment of a URL as pairs (a fragment without `=` gives none).
pub fn url_params(url: &url::Url) -> (Pairs, Pairs) {
    let query = url
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let fragment = match url.fragment() {
        Some(fragment) if fragment.contains('=') => form_pairs(fragment),
        _ => Vec::new(),
    };
    (query, fragment)
}

/// The fields of a request body: Firefox's `params`, else the text read as JSON or as a form.
pub fn body_fields(post: &PostData) -> Vec<(String, String)> {
    if !post.params.is_empty() {
        return post.params.iter().map(|p| (p.name.clone(), p.value.clone())).collect();
    }
    let Some(text) = post.text.as_deref() else {
        return Vec::new();
    };
    if post.mime_type.contains("json") || text.trim_start().starts_with('{') {
        json_fields(text)
    } else {
        form_pairs(text)
    }
}

/// `a=1&b=2` as pairs, decoded.
pub fn form_pairs(text: &str) -> Vec<(String, String)> {
    url::form_urlencoded::parse(text.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// The string members of a JSON object (nothing when the text is not one).
pub fn json_fields(text: &str) -> Vec<(String, String)> {
    if !text.trim_start().starts_with('{') {
        return Vec::new();
    }
    let Ok(Value::Object(members)) = serde_json::from_str::<Value>(text) else {
        return Vec::new();
    };
    members
        .into_iter()
        .filter_map(|(k, v)| match v {
            Value::String(s) => Some((k, s)),
            _ => None,
        })
        .collect()
}

/// A token issued in one entry and spent in later ones.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Lineage {
    /// The fingerprint shared by all places.
    pub fingerprint: String,
    /// Where it was first received (a response body, a redirect, a cookie).
    pub issued: Place,
    /// Where it was sent afterwards.
    pub spent: Vec<Place>,
}

impl std::fmt::Display for Lineage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let spent: Vec<String> = self.spent.iter().map(ToString::to_string).collect();
        write!(
            f,
            "{} #{} issued in {}, spent in {}",
            self.issued.field,
            self.fingerprint,
            self.issued,
            spent.join("; ")
        )
    }
}

/// Links each token received in a response to the later requests that sent it, in order of issue.
pub fn lineage(entries: &[Entry]) -> Vec<Lineage> {
    let mut links: Vec<Lineage> = Vec::new();
    let mut by_fingerprint: HashMap<&str, usize> = HashMap::new();
    let tokens = entries.iter().flat_map(|e| &e.tokens);
    for token in tokens.filter(|t| t.kind != TokenKind::Credential) {
        match by_fingerprint.get(token.fingerprint.as_str()) {
            Some(&at) if token.is_sent() => links[at].spent.push(token.place.clone()),
            Some(_) => {}
            None if !token.is_sent() => {
                by_fingerprint.insert(&token.fingerprint, links.len());
                links.push(Lineage {
                    fingerprint: token.fingerprint.clone(),
                    issued: token.place.clone(),
                    spent: Vec::new(),
                });
            }
            None => {}
        }
    }
    links.retain(|link| !link.spent.is_empty());
    links
}
