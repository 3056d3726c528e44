//! A parsed curl command mapped onto the delegation or token-exchange form. Nothing is dropped silently:
//! every parameter, header, flag or URL part the form cannot hold is listed as [`Unmapped`], by name only
//! (values may be secrets or cookies).

use super::ParsedCurl;
use crate::core::auth0::BodyEncoding;
use crate::core::auth0::delegation::{DelegationForm, InputToken};
use crate::core::auth0::exchange::{ExchangeForm, SubjectType};
use crate::core::protocol::grant::TOKEN_EXCHANGE;
use crate::core::secret::SecretString;
use base64::Engine;
use serde_json::Value;

/// What kind of thing was not mapped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnmappedKind {
    /// A body parameter.
    Parameter,
    /// A request header.
    Header,
    /// A curl flag (ignored or not understood).
    Flag,
    /// Part of the URL (path, query, extra URLs) or the method.
    Url,
}

/// One thing from the command the form does not carry, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unmapped {
    /// Parameter, header, flag or URL.
    pub kind: UnmappedKind,
    /// Its name (never its value).
    pub name: String,
    /// Why it was not mapped, or what happens instead.
    pub reason: String,
}

fn note(kind: UnmappedKind, name: &str, reason: impl Into<String>) -> Unmapped {
    Unmapped {
        kind,
        name: name.to_owned(),
        reason: reason.into(),
    }
}

/// The parameters in order with each name's first value; every later one is listed as not used.
fn first_of_each(params: Vec<(String, String)>, unmapped: &mut Vec<Unmapped>) -> Vec<(String, String)> {
    let mut kept: Vec<(String, String)> = Vec::with_capacity(params.len());
    for (name, value) in params {
        if kept.iter().any(|(seen, _)| *seen == name) {
            unmapped.push(note(
                UnmappedKind::Parameter,
                &name,
                "given twice: the first value is kept",
            ));
        } else {
            kept.push((name, value));
        }
    }
    kept
}

/// The delegation form the command fills, the base URL (without `/delegation`), and what it cannot hold.
pub fn to_delegation(parsed: &ParsedCurl) -> (DelegationForm, String, Vec<Unmapped>) {
    let (base, mut unmapped) = common_notes(parsed, "/delegation");
    let (params, encoding) = body_params(parsed, &mut unmapped);
    let mut form = DelegationForm {
        encoding,
        scope: String::new(),
        ..DelegationForm::default()
    };
    for (name, value) in first_of_each(params, &mut unmapped) {
        delegation_param(&mut form, name, value, &mut unmapped);
    }
    if let Some((user, _)) = basic_credentials(parsed) {
        unmapped.push(note(
            UnmappedKind::Header,
            "authorization",
            "/delegation takes no client authentication: the Basic credentials were not copied",
        ));
        if form.client_id.is_empty() {
            form.client_id = user;
        }
    }
    unmapped.extend(other_headers(parsed, &[]));
    (form, base, unmapped)
}

fn delegation_param(form: &mut DelegationForm, name: String, value: String, unmapped: &mut Vec<Unmapped>) {
    match name.as_str() {
        "client_id" => form.client_id = value,
        "grant_type" => form.grant_type = value,
        "id_token" | "refresh_token" if form.token.is_empty() => {
            form.input = if name == "id_token" {
                InputToken::IdToken
            } else {
                InputToken::RefreshToken
            };
            form.token = value;
        }
        "id_token" | "refresh_token" => unmapped.push(note(
            UnmappedKind::Parameter,
            &name,
            "the form sends exactly one token: the first one is kept",
        )),
        "target" => form.target = value,
        "scope" => form.scope = value,
        "api_type" => form.api_type = value,
        "client_secret" => unmapped.push(note(
            UnmappedKind::Parameter,
            &name,
            "/delegation takes no client secret: it was not copied",
        )),
        _ => form.params.push((name, value)),
    }
}

/// The token-exchange form the command fills, the base URL (without `/oauth/token`), and what it cannot hold.
pub fn to_exchange(parsed: &ParsedCurl) -> (ExchangeForm, String, Vec<Unmapped>) {
    let (base, mut unmapped) = common_notes(parsed, "/oauth/token");
    let (params, encoding) = body_params(parsed, &mut unmapped);
    let mut form = ExchangeForm {
        encoding,
        scope: String::new(),
        ..ExchangeForm::default()
    };
    for (name, value) in first_of_each(params, &mut unmapped) {
        exchange_param(&mut form, name, value, &mut unmapped);
    }
    exchange_credentials(parsed, &mut form, &mut unmapped);
    if let Some(ip) = parsed.header("auth0-forwarded-for") {
        form.forwarded_for = ip.to_owned();
    }
    unmapped.extend(other_headers(parsed, &["auth0-forwarded-for"]));
    (form, base, unmapped)
}

fn exchange_param(form: &mut ExchangeForm, name: String, value: String, unmapped: &mut Vec<Unmapped>) {
    match name.as_str() {
        "grant_type" if value == TOKEN_EXCHANGE => {}
        "grant_type" => unmapped.push(note(
            UnmappedKind::Parameter,
            &name,
            format!("the form always sends {TOKEN_EXCHANGE}"),
        )),
        "subject_token" => form.subject_token = value,
        "subject_token_type" => form.subject_type = subject_type(&value),
        "client_id" => form.client_id = value,
        "audience" | "resource" if !form.audience.is_empty() => unmapped.push(note(
            UnmappedKind::Parameter,
            &name,
            "the form sends either audience or resource: the first one is kept",
        )),
        "audience" | "resource" => {
            form.use_resource = name == "resource";
            form.audience = value;
        }
        "scope" => form.scope = value,
        "user_profile" => profile(form, &value),
        "client_secret" => form.client_secret = Some(SecretString::new(value)),
        _ => unmapped.push(note(
            UnmappedKind::Parameter,
            &name,
            "not a token-exchange parameter the form sends",
        )),
    }
}

fn exchange_credentials(parsed: &ParsedCurl, form: &mut ExchangeForm, unmapped: &mut Vec<Unmapped>) {
    let Some((user, secret)) = basic_credentials(parsed) else {
        return;
    };
    if form.client_id.is_empty() {
        form.client_id = user;
    } else if form.client_id != user {
        unmapped.push(note(
            UnmappedKind::Header,
            "authorization",
            "the Basic user differs from client_id in the body: the body's client_id is kept",
        ));
        return;
    }
    if form.client_secret.is_none() && !secret.is_empty() {
        form.client_secret = Some(secret);
    }
}

fn subject_type(uri: &str) -> SubjectType {
    SubjectType::PRESETS
        .into_iter()
        .find(|preset| preset.uri() == uri.trim())
        .unwrap_or_else(|| SubjectType::Custom(uri.to_owned()))
}

/// `user_profile`: Apple's `name: {firstName, lastName}` goes to the name fields, the rest stays JSON text.
fn profile(form: &mut ExchangeForm, text: &str) {
    let Ok(Value::Object(mut object)) = serde_json::from_str::<Value>(text) else {
        form.profile_json = text.to_owned();
        return;
    };
    let names = object.get("name").and_then(Value::as_object).and_then(|name| {
        let only_names = name.keys().all(|k| k == "firstName" || k == "lastName");
        let text = |k: &str| name.get(k).and_then(Value::as_str).unwrap_or("").to_owned();
        only_names.then(|| (text("firstName"), text("lastName")))
    });
    if let Some((first, last)) = names {
        object.remove("name");
        form.first_name = first;
        form.last_name = last;
    }
    if !object.is_empty() {
        form.profile_json = Value::Object(object).to_string();
    }
}

/// The base URL and notes on the method, the URL, extra URLs and flags.
fn common_notes(parsed: &ParsedCurl, path: &str) -> (String, Vec<Unmapped>) {
    let (base, mut unmapped) = base_url(&parsed.url, path);
    let method = parsed.method();
    if method != "POST" {
        unmapped.push(note(UnmappedKind::Url, &method, "the form always sends POST"));
    }
    for url in &parsed.extra_urls {
        unmapped.push(note(UnmappedKind::Url, url, "a second URL: only the first is used"));
    }
    for flag in &parsed.ignored {
        unmapped.push(note(UnmappedKind::Flag, flag, ignored_reason(flag)));
    }
    for flag in &parsed.unknown {
        unmapped.push(note(
            UnmappedKind::Flag,
            flag,
            "not understood by tokenbench: the request is sent without it",
        ));
    }
    (base, unmapped)
}

fn ignored_reason(flag: &str) -> &'static str {
    match flag {
        "-k" | "--insecure" => {
            "ignored: certificates stay verified; turn that off for the environment in the Secrets tab if its \
             certificate is self-signed"
        }
        "-L" | "--location" => "ignored: token endpoints answer POSTs without redirects",
        _ => "ignored: it only changes curl's output, encoding or protocol",
    }
}

/// The URL without `path` (and without query or fragment, which are listed).
fn base_url(text: &str, path: &str) -> (String, Vec<Unmapped>) {
    let Ok(url) = url::Url::parse(text.trim()) else {
        let why = "not a URL: give the tenant, e.g. https://TENANT.auth0.com";
        return (text.trim().to_owned(), vec![note(UnmappedKind::Url, text, why)]);
    };
    let mut unmapped = Vec::new();
    if url.query().is_some() || url.fragment().is_some() {
        unmapped.push(note(
            UnmappedKind::Url,
            "query",
            "the query string is not sent: the form puts every parameter in the body",
        ));
    }
    let full = url.path().trim_end_matches('/');
    let prefix = full.strip_suffix(path).unwrap_or_else(|| {
        unmapped.push(note(
            UnmappedKind::Url,
            url.path(),
            format!("the path is not {path}: the form sends to {path} under the tenant"),
        ));
        ""
    });
    (format!("{}{prefix}", url.origin().ascii_serialization()), unmapped)
}

/// The body as ordered parameters, and how it was encoded.
fn body_params(parsed: &ParsedCurl, unmapped: &mut Vec<Unmapped>) -> (Vec<(String, String)>, BodyEncoding) {
    let Some(body) = parsed.body() else {
        return (Vec::new(), BodyEncoding::Json);
    };
    let declared_json = parsed.json_flag || parsed.header("content-type").is_some_and(|t| t.contains("json"));
    if !declared_json && !body.trim_start().starts_with('{') {
        let pairs = url::form_urlencoded::parse(body.as_bytes()).into_owned().collect();
        return (pairs, BodyEncoding::Form);
    }
    match serde_json::from_str::<Value>(&body) {
        Ok(Value::Object(object)) => (
            object.into_iter().map(|(k, v)| (k, plain(v))).collect(),
            BodyEncoding::Json,
        ),
        _ => {
            unmapped.push(note(
                UnmappedKind::Parameter,
                "body",
                "the body is not a JSON object: fix the JSON or send it form-encoded",
            ));
            (Vec::new(), BodyEncoding::Json)
        }
    }
}

/// A JSON member as text: strings as they are, anything else as JSON.
fn plain(value: Value) -> String {
    match value {
        Value::String(s) => s,
        other => other.to_string(),
    }
}

/// `-u user:password`, or an `Authorization: Basic` header.
fn basic_credentials(parsed: &ParsedCurl) -> Option<(String, SecretString)> {
    if let Some(user) = &parsed.user {
        return Some(user.clone());
    }
    let encoded = parsed.header("authorization")?.strip_prefix("Basic ")?;
    let decoded = base64::engine::general_purpose::STANDARD.decode(encoded.trim()).ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (user, password) = text.split_once(':')?;
    Some((user.to_owned(), SecretString::new(password)))
}

/// Headers other than the ones the form sets itself (`content-type`, `accept`) and `handled`, listed.
fn other_headers(parsed: &ParsedCurl, handled: &[&str]) -> Vec<Unmapped> {
    parsed
        .headers
        .iter()
        .map(|(name, _)| name.to_ascii_lowercase())
        .filter(|name| !["content-type", "accept"].contains(&name.as_str()) && !handled.contains(&name.as_str()))
        .filter(|name| name != "authorization" || parsed.user.is_some() || !is_basic(parsed))
        .map(|name| {
            let reason = match name.as_str() {
                "dpop" => "a DPoP proof is single-use: tokenbench builds a fresh one for each request",
                "authorization" => "the form sends no Authorization header",
                _ => "the form sends no such header",
            };
            note(UnmappedKind::Header, &name, reason)
        })
        .collect()
}

fn is_basic(parsed: &ParsedCurl) -> bool {
    parsed.header("authorization").is_some_and(|v| v.starts_with("Basic "))
}
