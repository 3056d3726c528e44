//! The JWTs of a capture entry by value: the core keeps only fingerprints, so the values are found again in
//! the entry's strings (headers, URL, bodies, cookies, redirect) and matched to the tokens by fingerprint.
//! Only JWTs are kept: they are what the inspector opens.

use crate::core::har::entry::response_text;
use crate::core::har::hash::short_hash;
use crate::core::har::model::RawEntry;
use crate::core::har::{Entry, EntryError};
use crate::ui::command::CapturedEntry;
use std::collections::HashMap;

/// Reads entry `index` (from 1) of a capture with the values of its JWTs.
pub fn read_entry(index: usize, value: serde_json::Value) -> Result<CapturedEntry, EntryError> {
    let raw: RawEntry = serde_json::from_value(value).map_err(|e| EntryError {
        entry: index,
        reason: format!("it is not a HAR entry ({e})"),
    })?;
    let entry = Entry::from_raw(index, &raw)?;
    let values = token_values(&raw, &entry);
    Ok(CapturedEntry { entry, values })
}

/// The value of each of `entry.tokens` that is a JWT, in order.
pub fn token_values(raw: &RawEntry, entry: &Entry) -> Vec<Option<String>> {
    let wanted = entry.tokens.iter().any(|t| t.jwt.is_some());
    if !wanted {
        return vec![None; entry.tokens.len()];
    }
    let mut by_fingerprint = HashMap::new();
    for text in strings(raw) {
        for candidate in jwt_candidates(&text) {
            by_fingerprint
                .entry(short_hash(candidate))
                .or_insert_with(|| candidate.to_owned());
        }
    }
    entry
        .tokens
        .iter()
        .map(|t| t.jwt.as_ref().and_then(|_| by_fingerprint.get(&t.fingerprint).cloned()))
        .collect()
}

/// Every string of the entry a token can travel in.
fn strings(raw: &RawEntry) -> Vec<String> {
    let (request, response) = (&raw.request, &raw.response);
    let pairs = request
        .headers
        .iter()
        .chain(&request.cookies)
        .chain(&request.query_string)
        .chain(&response.headers)
        .chain(&response.cookies);
    let mut out: Vec<String> = pairs.map(|p| p.value.clone()).collect();
    out.push(request.url.clone());
    out.push(response.redirect_url.clone());
    if let Some(post) = &request.post_data {
        out.extend(post.text.clone());
        out.extend(post.params.iter().map(|p| p.value.clone()));
    }
    out.extend(response_text(&response.content, &mut Vec::new()));
    out
}

/// The substrings of `text` that look like a JWT: `eyJ` followed by base64url characters and dots.
fn jwt_candidates(text: &str) -> Vec<&str> {
    let is_jwt_char = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.';
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("eyJ") {
        let tail = &rest[start..];
        let end = tail.find(|c: char| !is_jwt_char(c)).unwrap_or(tail.len());
        let candidate = &tail[..end];
        if candidate.matches('.').count() >= 2 {
            found.push(candidate);
        }
        rest = &tail[end.max(3)..];
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jwts_are_found_inside_headers_and_bodies() {
        let text = r#"{"id_token":"eyJa.eyJb.sig","x":"eyJnot"} Bearer eyJc.eyJd."#;
        assert_eq!(jwt_candidates(text), ["eyJa.eyJb.sig", "eyJc.eyJd."]);
    }
}
