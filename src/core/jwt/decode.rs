//! Decoding a compact JWS into header, payload and signature, as far as each segment allows. Never verifies.

use base64::Engine;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, URL_SAFE_NO_PAD};
use base64::engine::{DecodePaddingMode, general_purpose};
use serde_json::{Map, Value};

/// Base64url that also accepts padding; used only to say "padded, but readable".
const URL_SAFE_LENIENT: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::URL_SAFE,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);
/// Standard base64 (with `+` and `/`), another common copy-paste mistake.
const STANDARD_LENIENT: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// Which of the three segments something refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SegmentPart {
    /// The first segment: the JOSE header.
    Header,
    /// The second segment: the claims.
    Payload,
    /// The third segment: the signature.
    Signature,
}

impl std::fmt::Display for SegmentPart {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Header => "header",
            Self::Payload => "payload",
            Self::Signature => "signature",
        })
    }
}

/// Why a segment could not be read.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SegmentError {
    /// The segment is absent.
    #[error("the segment is missing")]
    Missing,
    /// Not base64url.
    #[error("the {part} is not base64url: {detail}")]
    Base64 {
        /// Which segment.
        part: SegmentPart,
        /// What the decoder said, including the offset.
        detail: String,
    },
    /// Decoded bytes are not UTF-8 text.
    #[error("the {part} decodes to bytes that are not UTF-8 text: the token was damaged; copy it again")]
    NotUtf8 {
        /// Which segment.
        part: SegmentPart,
    },
    /// Decoded text is not JSON.
    #[error("the {part} is not valid JSON ({detail}); decoded text: {text}")]
    Json {
        /// Which segment.
        part: SegmentPart,
        /// Parser message with line and column.
        detail: String,
        /// The text that was decoded, so the user sees how far it got.
        text: String,
    },
    /// JSON, but not an object.
    #[error("the {part} is JSON but not an object: a JWT {part} must be {{…}}")]
    NotObject {
        /// Which segment.
        part: SegmentPart,
    },
}

/// A compact JWS split into its parts. Each part is decoded independently, so one broken segment does not
/// hide the others.
#[derive(Debug, Clone, PartialEq)]
pub struct DecodedJwt {
    /// The cleaned token text.
    pub raw: String,
    /// Where the three segments of `raw` start and end (see [`DecodedJwt::segment`]).
    segments: [std::ops::Range<usize>; 3],
    /// The header object.
    pub header: Result<Map<String, Value>, SegmentError>,
    /// The claims object.
    pub payload: Result<Map<String, Value>, SegmentError>,
    /// The signature bytes.
    pub signature: Result<Vec<u8>, SegmentError>,
    /// Segments that decoded only leniently (padding or standard alphabet), with a note.
    pub encoding_notes: Vec<String>,
    /// Whether the signature decoded as strict (unpadded) base64url.
    signature_strict: bool,
}

impl DecodedJwt {
    /// Splits and decodes a token with three segments (callers check the count).
    pub fn decode(token: &str) -> Self {
        Self::decode_owned(token.to_owned())
    }

    /// [`DecodedJwt::decode`] of a token the caller hands over, kept as `raw` without a copy.
    pub fn decode_owned(token: String) -> Self {
        Self::decode_with(token, None)
    }

    /// [`DecodedJwt::decode_owned`] that takes the header from `headers` when the token's header segment is
    /// the one decoded last (bulk input: one issuer's tokens share a header).
    pub fn decode_with(token: String, headers: Option<&mut HeaderCache>) -> Self {
        let segments = segment_ranges(&token);
        let text = |index: usize| token.get(segments[index].clone()).unwrap_or_default();
        let (header, header_lenient) = match headers {
            Some(cache) => cache.decode(text(0)),
            None => decode_json_noting_leniency(text(0), SegmentPart::Header),
        };
        let (payload, payload_lenient) = decode_json_noting_leniency(text(1), SegmentPart::Payload);
        let encoding_notes = [
            (SegmentPart::Header, header_lenient),
            (SegmentPart::Payload, payload_lenient),
        ]
        .into_iter()
        .filter(|&(_, lenient)| lenient)
        .map(|(part, _)| {
            format!(
                "the {part} uses padding or standard base64 characters (+ /): JWTs use unpadded base64url, so \
                 strict libraries will reject this token"
            )
        })
        .collect();
        let (signature, signature_strict) = decode_segment_noting_leniency(text(2), SegmentPart::Signature);
        Self {
            raw: token,
            segments,
            header,
            payload,
            signature,
            encoding_notes,
            signature_strict,
        }
    }

    /// The signature's bytes when they were written as strict base64url, the only form a verifier accepts.
    pub fn strict_signature(&self) -> Option<&[u8]> {
        self.signature.as_deref().ok().filter(|_| self.signature_strict)
    }

    /// A segment exactly as it appears in the token (empty when the token has fewer).
    pub fn segment(&self, part: SegmentPart) -> &str {
        let index = match part {
            SegmentPart::Header => 0,
            SegmentPart::Payload => 1,
            SegmentPart::Signature => 2,
        };
        self.raw.get(self.segments[index].clone()).unwrap_or_default()
    }

    /// The `alg` header value, if readable.
    pub fn alg(&self) -> Option<&str> {
        self.header_str("alg")
    }

    /// A string member of the header.
    pub fn header_str(&self, name: &str) -> Option<&str> {
        member(self.header.as_ref().ok()?, name)?.as_str()
    }

    /// A member of the header, whatever its type.
    pub fn header_member(&self, name: &str) -> Option<&Value> {
        member(self.header.as_ref().ok()?, name)
    }

    /// A claim, whatever its type.
    pub fn claim(&self, name: &str) -> Option<&Value> {
        member(self.payload.as_ref().ok()?, name)
    }

    /// A numeric claim as whole seconds (floats are truncated, as most libraries do). `None` when absent or
    /// not a number: use [`DecodedJwt::claim_time`] to tell the two apart.
    pub fn claim_seconds(&self, name: &str) -> Option<i64> {
        match self.claim_time(name) {
            TimeClaim::Seconds(seconds) => Some(seconds),
            _ => None,
        }
    }

    /// A NumericDate claim: absent, whole seconds (floats truncated, out-of-range values saturated), or
    /// present but not a number.
    pub fn claim_time(&self, name: &str) -> TimeClaim {
        let Some(value) = self.claim(name) else {
            return TimeClaim::Absent;
        };
        // `as` saturates at the i64 bounds, and serde_json never yields NaN or infinities.
        match value.as_i64().or_else(|| value.as_f64().map(|f| f as i64)) {
            Some(seconds) => TimeClaim::Seconds(seconds),
            None => TimeClaim::Malformed(json_kind(value)),
        }
    }

    /// A string claim.
    pub fn claim_str(&self, name: &str) -> Option<&str> {
        self.claim(name)?.as_str()
    }

    /// `header.payload`, the bytes the signature covers: the start of the token, up to its second dot.
    pub fn signing_input(&self) -> &str {
        self.raw.get(..self.segments[1].end).unwrap_or_default()
    }

    /// The first segment error, in token order.
    pub fn first_error(&self) -> Option<&SegmentError> {
        self.header
            .as_ref()
            .err()
            .or(self.payload.as_ref().err())
            .or(self.signature.as_ref().err())
    }
}

/// Objects up to this many members are searched in order rather than through their index.
const SCAN_MEMBERS_UP_TO: usize = 16;

/// A member of a decoded header or payload. These hold a dozen members or so, and comparing that many
/// names is faster than hashing one (serde_json's map hashes with SipHash); a larger object uses its index.
/// Names are unique in a parsed map, so both ways find the same member.
pub fn member<'a>(object: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    if object.len() > SCAN_MEMBERS_UP_TO {
        return object.get(name);
    }
    object.iter().find_map(|(key, value)| (key == name).then_some(value))
}

/// The byte ranges of a token's first two dot-separated segments and the rest (`str::splitn(3, '.')`); a
/// missing segment is an empty range at the end.
fn segment_ranges(token: &str) -> [std::ops::Range<usize>; 3] {
    let end = token.len();
    let after = |start: usize| {
        let rest = token.as_bytes().get(start..).unwrap_or_default();
        memchr::memchr(b'.', rest).map_or(end, |dot| start + dot)
    };
    let first_dot = after(0);
    let second_start = (first_dot + 1).min(end);
    let second_dot = if first_dot < end { after(second_start) } else { end };
    [0..first_dot, second_start..second_dot, (second_dot + 1).min(end)..end]
}

/// A NumericDate claim as read from the payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeClaim {
    /// Not in the payload (or the payload is unreadable).
    Absent,
    /// Seconds since the Unix epoch.
    Seconds(i64),
    /// Present, but a JSON value of this kind instead of a number.
    Malformed(&'static str),
}

/// Names the kind of a JSON value for messages ("a string", "null").
pub fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Decodes one base64url segment, accepting padding and the standard alphabet as a fallback.
pub fn decode_segment(text: &str, part: SegmentPart) -> Result<Vec<u8>, SegmentError> {
    decode_segment_noting_leniency(text, part).0
}

/// [`decode_segment`], and whether the strict (unpadded base64url) decoding was enough, from one pass over
/// the text when the segment is well formed.
fn decode_segment_noting_leniency(text: &str, part: SegmentPart) -> (Result<Vec<u8>, SegmentError>, bool) {
    if text.is_empty() && part != SegmentPart::Signature {
        return (Err(SegmentError::Missing), true);
    }
    let strict_error = match URL_SAFE_NO_PAD.decode(text) {
        Ok(bytes) => return (Ok(bytes), true),
        Err(e) => e,
    };
    let lenient = URL_SAFE_LENIENT
        .decode(text)
        .or_else(|_| STANDARD_LENIENT.decode(text))
        .map_err(|_| SegmentError::Base64 {
            part,
            detail: strict_error.to_string(),
        });
    (lenient, false)
}

/// A header or payload as decoded, and whether its base64 decoded only leniently (padding or the standard
/// alphabet), which the token's encoding notes mention.
type DecodedObject = (Result<Map<String, Value>, SegmentError>, bool);

/// [`decode_json_segment`], and whether its base64 decoded only leniently.
fn decode_json_noting_leniency(text: &str, part: SegmentPart) -> DecodedObject {
    let (decoded, strict) = decode_segment_noting_leniency(text, part);
    let lenient = decoded.is_ok() && !strict;
    (decoded.and_then(|bytes| json_object(bytes, part)), lenient)
}

/// The header a thread decoded last, with its segment: in bulk input one issuer's tokens share one header,
/// and a copy of the map is cheaper than decoding and parsing it again. A header is reused only for the
/// same segment, so the result is what decoding it gives.
#[derive(Default)]
pub struct HeaderCache {
    last: Option<(String, DecodedObject)>,
}

impl HeaderCache {
    fn decode(&mut self, segment: &str) -> DecodedObject {
        if let Some((kept, decoded)) = &self.last
            && kept == segment
        {
            return decoded.clone();
        }
        let decoded = decode_json_noting_leniency(segment, SegmentPart::Header);
        self.last = Some((segment.to_owned(), decoded.clone()));
        decoded
    }
}

/// Decodes a segment that must hold a JSON object (the header or the payload).
pub fn decode_json_segment(text: &str, part: SegmentPart) -> Result<Map<String, Value>, SegmentError> {
    decode_json_noting_leniency(text, part).0
}

/// Parses decoded segment bytes as a JSON object.
fn json_object(bytes: Vec<u8>, part: SegmentPart) -> Result<Map<String, Value>, SegmentError> {
    let text = String::from_utf8(bytes).map_err(|_| SegmentError::NotUtf8 { part })?;
    match super::object::parse_object(&text) {
        Ok(Some(map)) => Ok(map),
        Ok(None) => Err(SegmentError::NotObject { part }),
        Err(e) => Err(SegmentError::Json {
            part,
            detail: e.to_string(),
            text,
        }),
    }
}

/// Encodes bytes as unpadded base64url (used by tests and by the report's placeholders).
pub fn base64url(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Decodes standard or URL-safe base64, padded or not (used for `x5c` and base64 secrets).
pub fn base64_any(text: &str) -> Option<Vec<u8>> {
    STANDARD_LENIENT
        .decode(text.trim())
        .or_else(|_| URL_SAFE_LENIENT.decode(text.trim()))
        .ok()
}

/// A PEM block: `label` around the DER bytes in standard base64, 64 characters a line.
pub fn pem_block(label: &str, der: &[u8]) -> String {
    let body = zeroize::Zeroizing::new(general_purpose::STANDARD.encode(der));
    let lines: Vec<&str> = body
        .as_bytes()
        .chunks(64)
        .filter_map(|c| std::str::from_utf8(c).ok())
        .collect();
    format!("-----BEGIN {label}-----\n{}\n-----END {label}-----\n", lines.join("\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 7519 section 3.1's example token.
    const RFC7519: &str = "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";

    #[test]
    fn rfc7519_example_decodes_to_its_published_claims() {
        let jwt = DecodedJwt::decode(RFC7519);
        assert_eq!(jwt.alg(), Some("HS256"));
        assert_eq!(jwt.claim_str("iss"), Some("joe"));
        assert_eq!(jwt.claim_seconds("exp"), Some(1_300_819_380));
        assert_eq!(jwt.payload.unwrap()["http://example.com/is_root"], true);
        assert_eq!(jwt.signature.unwrap().len(), 32);
    }

    #[test]
    fn a_header_taken_from_the_cache_decodes_as_the_token_itself_would() {
        let padded = format!("{}=", base64url(br#"{"alg":"RS256","kid":"k"}"#));
        let headers = [
            base64url(br#"{"alg":"RS256","typ":"JWT","kid":"a"}"#),
            base64url(br#"{"alg":"RS256","typ":"JWT","kid":"b"}"#),
            padded,
            base64url(br#"{"alg":"#),
            base64url(b"[1]"),
            base64url(&[0xff, 0xfe]),
            "*".to_owned(),
            String::new(),
        ];
        let payload = base64url(br#"{"sub":"u","exp":1}"#);
        // One cache across every token, each header repeated and then left for the next: a kept header must
        // be used only for its own segment, and its errors and encoding notes must come back with it.
        let mut cache = HeaderCache::default();
        for round in 0..2 {
            for header in &headers {
                for _ in 0..2 {
                    let token = format!("{header}.{payload}.c2ln");
                    let cached = DecodedJwt::decode_with(token.clone(), Some(&mut cache));
                    assert_eq!(cached, DecodedJwt::decode(&token), "round {round}: {token}");
                }
            }
        }
        let lenient = DecodedJwt::decode_with(format!("{}.{payload}.c2ln", headers[2]), Some(&mut cache));
        assert_eq!(lenient.encoding_notes.len(), 1, "{:?}", lenient.encoding_notes);
    }

    #[test]
    fn broken_payload_json_keeps_the_header_and_shows_the_decoded_text() {
        let token = format!("{}.{}.sig", base64url(br#"{"alg":"HS256"}"#), base64url(br#"{"sub":"#));
        let jwt = DecodedJwt::decode(&token);
        assert_eq!(jwt.alg(), Some("HS256"));
        match jwt.payload {
            Err(SegmentError::Json { part, text, .. }) => {
                assert_eq!(part, SegmentPart::Payload);
                assert_eq!(text, r#"{"sub":"#);
            }
            other => panic!("expected a JSON error, got {other:?}"),
        }
    }

    #[test]
    fn invalid_base64_names_the_segment() {
        let jwt = DecodedJwt::decode("e30.*not*base64*.x");
        assert!(matches!(
            jwt.payload,
            Err(SegmentError::Base64 {
                part: SegmentPart::Payload,
                ..
            })
        ));
    }

    #[test]
    fn segments_are_what_splitn_gives_and_the_signing_input_is_the_token_up_to_the_second_dot() {
        for token in [
            "a.b.c",
            "a.b.c.d.e",
            "a.b",
            "a",
            "",
            ".",
            "..",
            "...",
            "a..c",
            ".b.",
            "é.ü.漢.x",
        ] {
            let jwt = DecodedJwt::decode(token);
            let mut parts = token.splitn(3, '.');
            for part in [SegmentPart::Header, SegmentPart::Payload, SegmentPart::Signature] {
                assert_eq!(jwt.segment(part), parts.next().unwrap_or_default(), "{token:?} {part}");
            }
            if token.matches('.').count() >= 2 {
                let expected = format!(
                    "{}.{}",
                    jwt.segment(SegmentPart::Header),
                    jwt.segment(SegmentPart::Payload)
                );
                assert_eq!(jwt.signing_input(), expected, "{token:?}");
            }
        }
    }

    #[test]
    fn members_are_found_by_scanning_small_objects_and_through_the_index_of_large_ones() {
        for size in [0, 1, SCAN_MEMBERS_UP_TO, SCAN_MEMBERS_UP_TO + 1, 100] {
            let object: Map<String, Value> = (0..size).map(|n| (format!("k{n}"), Value::from(n))).collect();
            for n in 0..size {
                assert_eq!(member(&object, &format!("k{n}")), Some(&Value::from(n)));
            }
            assert_eq!(member(&object, "absent"), None);
        }
    }

    #[test]
    fn padded_segments_decode_with_a_note() {
        // {"a":1} padded
        let jwt = DecodedJwt::decode("eyJhbGciOiJub25lIn0.eyJhIjoxfQ==.");
        assert!(jwt.payload.is_ok());
        assert_eq!(jwt.encoding_notes.len(), 1);
    }
}
