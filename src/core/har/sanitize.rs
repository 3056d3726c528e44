//! A copy of a capture that is safe to share, written entry by entry as it is read: JWTs keep their header
//! and payload but lose their signature; passwords, client secrets, codes, PKCE verifiers, opaque tokens,
//! cookies and `Set-Cookie` values become `[redacted:sha256:…]` markers (see [`super::redact`]). The output
//! is still HAR 1.2 that [`super::read_har`] reads back; the report lists what was removed.
//!
//! Each entry is worked on as a `serde_json::Value`: the known places first (headers, cookies, query, body,
//! response content, base64 decoded and encoded again), then every string of the entry (Chrome's `_initiator`
//! URLs, `Referer` headers, `redirectURL`) for URLs with secrets and for JWTs.

use super::redact::{Redactor, Removal};
use super::stream::{HarError, HarEvent, read_har};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::Value;
use std::io::{Read, Write};

/// What sanitising did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SanitizeReport {
    /// Entries written.
    pub entries: usize,
    /// What was taken out, in file order.
    pub removed: Vec<Removal>,
}

/// Reads the HAR of `reader` and writes its sanitised copy to `writer`, entry by entry.
pub fn sanitize<R: Read, W: Write>(reader: R, mut writer: W) -> Result<SanitizeReport, HarError> {
    let mut report = SanitizeReport::default();
    let mut members = 0usize;
    read_har(reader, |event| {
        write_event(&mut writer, event, &mut members, &mut report).map_err(|e| format!("could not write: {e}"))
    })?;
    writer
        .write_all(b"}}\n")
        .and_then(|()| writer.flush())
        .map_err(|e| HarError::Stopped(format!("could not write: {e}")))?;
    Ok(report)
}

/// Writes one part of the output. The structure (`{"log":{`, commas, `]`) is written here; every key and
/// value is serialised by serde_json.
fn write_event<W: Write>(
    writer: &mut W,
    event: HarEvent,
    members: &mut usize,
    report: &mut SanitizeReport,
) -> std::io::Result<()> {
    let mut member_start = |writer: &mut W, name: &str| -> std::io::Result<()> {
        writer.write_all(if *members == 0 { b"{\"log\":{" } else { b"," })?;
        *members += 1;
        serde_json::to_writer(&mut *writer, name)?;
        writer.write_all(b":")
    };
    match event {
        HarEvent::LogMember(name, mut value) => {
            let mut redactor = Redactor {
                entry: 0,
                removed: &mut report.removed,
            };
            every_string(&mut redactor, &mut value, &format!("log.{name}"));
            member_start(writer, &name)?;
            serde_json::to_writer(&mut *writer, &value)?;
        }
        HarEvent::EntriesStart => {
            member_start(writer, "entries")?;
            writer.write_all(b"[")?;
        }
        HarEvent::Entry(index, mut value) => {
            sanitize_entry(index, &mut value, &mut report.removed);
            if index > 1 {
                writer.write_all(b",")?;
            }
            serde_json::to_writer(&mut *writer, &value)?;
            report.entries = index;
        }
        HarEvent::EntriesEnd => writer.write_all(b"]")?,
    }
    Ok(())
}

/// Sanitises one entry in place, listing what it removes.
pub fn sanitize_entry(index: usize, entry: &mut Value, removed: &mut Vec<Removal>) {
    let mut redactor = Redactor { entry: index, removed };
    if let Some(request) = entry.get_mut("request") {
        headers(&mut redactor, request, "request header");
        pairs(&mut redactor, request, "queryString", "URL query", Pair::Field);
        pairs(&mut redactor, request, "cookies", "request cookie", Pair::Cookie);
        if let Some(post) = request.get_mut("postData") {
            post_data(&mut redactor, post);
        }
    }
    if let Some(response) = entry.get_mut("response") {
        headers(&mut redactor, response, "response header");
        pairs(&mut redactor, response, "cookies", "response cookie", Pair::Cookie);
        if let Some(content) = response.get_mut("content") {
            content_text(&mut redactor, content);
        }
    }
    every_string(&mut redactor, entry, "");
}

#[derive(Clone, Copy)]
enum Pair {
    Field,
    Cookie,
}

fn headers(redactor: &mut Redactor<'_>, parent: &mut Value, place: &str) {
    for_each_pair(parent, "headers", |name, value| redactor.header(place, name, value));
}

fn pairs(redactor: &mut Redactor<'_>, parent: &mut Value, key: &str, place: &str, kind: Pair) {
    for_each_pair(parent, key, |name, value| match kind {
        Pair::Field => redactor.field(place, name, value),
        Pair::Cookie => redactor.cookie_value(place, name, value),
    });
}

/// Calls `replace` on each `{name, value}` string pair of `parent[key]` and stores what it returns.
fn for_each_pair(parent: &mut Value, key: &str, mut replace: impl FnMut(&str, &str) -> Option<String>) {
    let Some(Value::Array(items)) = parent.get_mut(key) else {
        return;
    };
    for item in items.iter_mut() {
        let Some(name) = item.get("name").and_then(Value::as_str).map(str::to_owned) else {
            continue;
        };
        if let Some(Value::String(value)) = item.get_mut("value")
            && let Some(replaced) = replace(&name, value)
        {
            *value = replaced;
        }
    }
}

fn post_data(redactor: &mut Redactor<'_>, post: &mut Value) {
    pairs(redactor, post, "params", "request body", Pair::Field);
    let mime = post
        .get("mimeType")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    if let Some(Value::String(text)) = post.get_mut("text")
        && let Some(clean) = redactor.body("request body", &mime, text)
    {
        *text = clean;
    }
}

/// `response.content.text`, decoded from base64 first when so marked, and encoded again.
fn content_text(redactor: &mut Redactor<'_>, content: &mut Value) {
    let mime = content
        .get("mimeType")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let base64 = content
        .get("encoding")
        .and_then(Value::as_str)
        .is_some_and(|e| e.eq_ignore_ascii_case("base64"));
    let Some(Value::String(text)) = content.get_mut("text") else {
        return;
    };
    if !base64 {
        if let Some(clean) = redactor.body("response body", &mime, text) {
            *text = clean;
        }
        return;
    }
    let compact: String = text.split_whitespace().collect();
    let Ok(bytes) = STANDARD.decode(compact) else {
        return;
    };
    let decoded = String::from_utf8_lossy(&bytes);
    if let Some(clean) = redactor.body("response body", &mime, &decoded) {
        *text = STANDARD.encode(clean);
    }
}

/// Every string of `value`: URLs lose the secrets of their query and fragment, JWTs their signature.
fn every_string(redactor: &mut Redactor<'_>, value: &mut Value, path: &str) {
    match value {
        Value::String(text) => {
            let is_url = text.starts_with("http://") || text.starts_with("https://");
            if is_url && let Some(clean) = redactor.url(path, text) {
                *text = clean;
            }
            if let Some(clean) = redactor.text(path, text) {
                *text = clean;
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter_mut().enumerate() {
                every_string(redactor, item, &format!("{path}[{i}]"));
            }
        }
        Value::Object(members) => {
            for (name, member) in members.iter_mut() {
                let path = if path.is_empty() {
                    name.clone()
                } else {
                    format!("{path}.{name}")
                };
                every_string(redactor, member, &path);
            }
        }
        Value::Null | Value::Bool(_) | Value::Number(_) => {}
    }
}
