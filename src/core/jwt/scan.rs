//! Finding JWTs in free text (a log, a support ticket, a HAR dump): every run of three base64url segments
//! whose first segment decodes to a JSON object with `alg`, wherever it sits — after `Bearer `, in a query
//! string, inside a JSON string, at the end of a sentence.
//!
//! Decisions:
//! - Runs are maximal stretches of base64url characters and dots, so a token is found whatever delimits it
//!   (quotes, `=`, `&`, spaces, line ends); a dot that ends a sentence right after a token is not part of it.
//! - URL-encoded tokens (`%2E` for the dots) are not decoded: a JWT needs no escaping in a URL (RFC 3986
//!   leaves `.`, `-` and `_` unreserved), and decoding would make the reported positions lie.
//! - A JWE (header with `enc`, five segments) is skipped whole: it is not a signed token.
//! - Every occurrence is reported, duplicates too: each has its own position.
//! - Positions: `line` and `column` count from 1, the column in characters (as editors do); `offset` is the
//!   0-based byte offset into the text.

use super::decode::{SegmentPart, decode_json_segment};

/// One JWT found in a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FoundToken<'a> {
    /// The line it starts on, from 1.
    pub line: usize,
    /// The character it starts at on that line, from 1.
    pub column: usize,
    /// Its byte offset in the text, from 0.
    pub offset: usize,
    /// The token: header, payload and signature segments.
    pub token: &'a str,
}

/// Every JWT in `text`, in order of position.
pub fn find_jwts(text: &str) -> Vec<FoundToken<'_>> {
    let mut found = Vec::new();
    let mut position = Position::default();
    for (run_start, run) in runs(text) {
        for (start, end) in tokens_in_run(run) {
            let offset = run_start + start;
            let (line, column) = position.advance_to(text, offset);
            found.push(FoundToken {
                line,
                column,
                offset,
                token: &run[start..end],
            });
        }
    }
    found
}

fn is_run_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.')
}

/// Maximal stretches of base64url characters and dots, with their byte offsets.
fn runs(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let bytes = text.as_bytes();
    let mut at = 0;
    std::iter::from_fn(move || {
        while at < bytes.len() && !is_run_byte(bytes[at]) {
            at += 1;
        }
        let start = at;
        while at < bytes.len() && is_run_byte(bytes[at]) {
            at += 1;
        }
        // Run bytes are ASCII, so both ends are character boundaries.
        (start < at).then(|| (start, &text[start..at]))
    })
}

/// The byte ranges of the tokens in one run: three segments starting at a JWS header. The signature may
/// be empty (an unsecured `alg: none` token).
fn tokens_in_run(run: &str) -> Vec<(usize, usize)> {
    let segments = segments_of(run);
    let mut tokens = Vec::new();
    let mut i = 0;
    while i + 2 < segments.len() {
        let (start, header_end) = segments[i];
        let (payload_start, payload_end) = segments[i + 1];
        match header_kind(&run[start..header_end]) {
            HeaderKind::Jws if payload_start < payload_end => {
                tokens.push((start, segments[i + 2].1));
                i += 3;
            }
            HeaderKind::Jwe => i += 5,
            _ => i += 1,
        }
    }
    tokens
}

/// The byte ranges of the dot-separated segments of a run.
fn segments_of(run: &str) -> Vec<(usize, usize)> {
    let mut segments = Vec::new();
    let mut start = 0;
    for (i, b) in run.bytes().enumerate() {
        if b == b'.' {
            segments.push((start, i));
            start = i + 1;
        }
    }
    segments.push((start, run.len()));
    segments
}

enum HeaderKind {
    Jws,
    Jwe,
    None,
}

/// Whether a segment is a JOSE header: a JSON object with `alg` (and `enc` for a JWE).
fn header_kind(segment: &str) -> HeaderKind {
    // `{"` encodes to `eyJ`, and `{` followed by whitespace to `ey`; a cheap test before decoding.
    if !segment.starts_with("ey") {
        return HeaderKind::None;
    }
    match decode_json_segment(segment, SegmentPart::Header) {
        Ok(header) if header.contains_key("enc") => HeaderKind::Jwe,
        Ok(header) if header.contains_key("alg") => HeaderKind::Jws,
        _ => HeaderKind::None,
    }
}

/// Line and column of increasing byte offsets, counted in one pass over the text.
#[derive(Default)]
struct Position {
    offset: usize,
    line_index: usize,
    column_index: usize,
}

impl Position {
    fn advance_to(&mut self, text: &str, offset: usize) -> (usize, usize) {
        for c in text[self.offset..offset].chars() {
            if c == '\n' {
                self.line_index += 1;
                self.column_index = 0;
            } else {
                self.column_index += 1;
            }
        }
        self.offset = offset;
        (self.line_index + 1, self.column_index + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::jwt::decode::base64url;

    fn token(claims: &str) -> String {
        format!(
            "{}.{}.c2lnbmF0dXJl",
            base64url(br#"{"alg":"HS256","typ":"JWT"}"#),
            base64url(claims.as_bytes())
        )
    }

    fn positions(text: &str) -> Vec<(usize, usize, usize, &str)> {
        find_jwts(text)
            .into_iter()
            .map(|f| (f.line, f.column, f.offset, f.token))
            .collect()
    }

    #[test]
    fn scan_finds_a_token_at_a_line_end_and_before_a_sentence_dot() {
        let t = token(r#"{"sub":"a"}"#);
        let text = format!("first line\ntoken: {t}\nsee {t}.\n");
        let second = 11 + 7;
        let third = second + t.len() + 1 + 4;
        assert_eq!(
            positions(&text),
            vec![(2, 8, second, t.as_str()), (3, 5, third, t.as_str())]
        );
    }

    #[test]
    fn scan_finds_tokens_in_quotes_bearer_headers_and_query_strings() {
        let t = token(r#"{"sub":"b"}"#);
        let text =
            format!("{{\"access_token\":\"{t}\"}}\nAuthorization: Bearer {t}\r\nGET /cb?id_token={t}&state=x\n'{t}'");
        let found = positions(&text);
        assert_eq!(found.len(), 4, "{found:?}");
        assert!(found.iter().all(|f| f.3 == t), "{found:?}");
        assert_eq!(
            found.iter().map(|f| (f.0, f.1)).collect::<Vec<_>>(),
            vec![(1, 18), (2, 23), (3, 18), (4, 2)]
        );
    }

    #[test]
    fn scan_reports_every_duplicate_with_its_own_position() {
        let t = token(r#"{"sub":"c"}"#);
        let text = format!("{t} {t}\n{t}");
        let found = positions(&text);
        assert_eq!(
            found.iter().map(|f| (f.0, f.1, f.2)).collect::<Vec<_>>(),
            vec![(1, 1, 0), (1, t.len() + 2, t.len() + 1), (2, 1, 2 * t.len() + 2)]
        );
    }

    #[test]
    fn scan_ignores_dotted_words_that_are_not_jwts() {
        let no_alg = format!("{}.e30.sig", base64url(br#"{"typ":"JWT"}"#));
        let text = format!("a.b.c example.com v1.2.3 eyJub3Q.json.x {no_alg} file.tar.gz");
        assert_eq!(positions(&text), vec![]);
    }

    #[test]
    fn scan_does_not_decode_url_encoded_dots() {
        let t = token(r#"{"sub":"d"}"#);
        let encoded = t.replace('.', "%2E");
        assert_eq!(positions(&format!("?id_token={encoded}")), vec![]);
    }

    #[test]
    fn scan_skips_a_jwe_and_finds_the_jws_after_it() {
        let jwe = format!(
            "{}.a2V5.aXY.Y2lwaGVy.dGFn",
            base64url(br#"{"alg":"RSA-OAEP","enc":"A256GCM"}"#)
        );
        let t = token(r#"{"sub":"e"}"#);
        let text = format!("{jwe} {t}");
        let found = positions(&text);
        assert_eq!(found, vec![(1, jwe.len() + 2, jwe.len() + 1, t.as_str())]);
    }

    #[test]
    fn scan_counts_columns_in_characters_and_accepts_an_empty_signature() {
        let unsecured = format!("{}.{}.", base64url(br#"{"alg":"none"}"#), base64url(b"{}"));
        let text = format!("héé→ {unsecured} end");
        let found = positions(&text);
        assert_eq!(found, vec![(1, 6, 9, unsecured.as_str())]);
    }

    #[test]
    fn scan_of_text_without_tokens_is_empty() {
        assert_eq!(positions(""), vec![]);
        assert_eq!(positions("...\n\n. . ."), vec![]);
    }
}
