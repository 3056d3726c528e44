//! Cleaning up what the user pasted and saying what it is: a JWT, a JWE, an Azure SAS or an opaque token.

use super::decode::{DecodedJwt, HeaderCache, decode_json_segment};
use super::sas::{SasToken, parse_sas};
use serde_json::{Map, Value};

/// Query or fragment parameters that carry a token, most specific first.
const TOKEN_PARAMS: [&str; 5] = ["id_token", "access_token", "token", "jwt", "assertion"];

/// What a piece of input turned out to be.
#[derive(Debug, Clone, PartialEq)]
pub enum Inspection {
    /// Nothing but whitespace.
    Empty,
    /// Three dot-separated segments: a JWS compact token (possibly with broken segments).
    Jwt(Box<DecodedJwt>),
    /// Five segments: an encrypted token; only its header can be read.
    Jwe {
        /// The protected header, or why it could not be read.
        header: Result<Map<String, Value>, super::SegmentError>,
    },
    /// An Azure Storage or Service Bus shared access signature.
    AzureSas(SasToken),
    /// Anything else: an opaque (reference) token or unrelated text.
    Opaque {
        /// Characters after clean-up.
        length: usize,
        /// A one-line description of what it looks like.
        looks_like: String,
    },
}

/// Cleans the input and classifies it.
pub fn inspect(raw: &str) -> Inspection {
    inspect_with(raw, None)
}

/// [`inspect`], with a JWT's header taken from `headers` when it is the one decoded last (bulk input).
pub fn inspect_with(raw: &str, headers: Option<&mut HeaderCache>) -> Inspection {
    let cleaned = normalize(raw);
    if cleaned.is_empty() {
        return Inspection::Empty;
    }
    if let Some(sas) = parse_sas(&cleaned) {
        return Inspection::AzureSas(sas);
    }
    match memchr::memchr_iter(b'.', cleaned.as_bytes()).count() + 1 {
        3 => Inspection::Jwt(Box::new(DecodedJwt::decode_with(cleaned, headers))),
        5 => Inspection::Jwe {
            header: cleaned
                .split('.')
                .next()
                .map(|h| decode_json_segment(h, super::SegmentPart::Header))
                .unwrap_or(Err(super::SegmentError::Missing)),
        },
        n => Inspection::Opaque {
            length: cleaned.chars().count(),
            looks_like: describe_opaque(&cleaned, n),
        },
    }
}

/// Strips whitespace, quotes, `Authorization:`/`Bearer `/`DPoP ` prefixes and URL parts around a token.
pub fn normalize(raw: &str) -> String {
    if raw
        .as_bytes()
        .chunks(32)
        .all(|block| block.iter().fold(true, |all, &b| all & is_token_byte(b)))
    {
        // A bare token or a line of `inspect --lines`: nothing to strip, so no pass per prefix and separator.
        return raw.to_owned();
    }
    let mut text = raw.trim().trim_matches(|c| c == '"' || c == '\'').trim();
    if let Some(rest) = strip_prefix_ignore_case(text, "authorization:") {
        text = rest.trim_start();
    }
    for scheme in ["bearer ", "dpop "] {
        if let Some(rest) = strip_prefix_ignore_case(text, scheme) {
            text = rest.trim_start();
        }
    }
    let text = token_from_url_parts(text).unwrap_or_else(|| text.to_owned());
    if !text.contains(char::is_whitespace) {
        // The common case (a pasted token): no second pass over the text.
        return text;
    }
    text.split_whitespace().collect()
}

/// The characters of a compact JWS or JWE: base64url and the dots between segments. Text made only of these
/// has no quote, whitespace, `Bearer ` prefix or `=` of a URL parameter around it.
fn is_token_byte(b: u8) -> bool {
    // Without short-circuits, so that a block of bytes is tested with vector instructions.
    b.is_ascii_alphanumeric() | (b == b'-') | (b == b'_') | (b == b'.')
}

fn strip_prefix_ignore_case<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix).then(|| &text[prefix.len()..])
}

/// Finds `id_token=…` (and friends) in a URL, a fragment such as `#id_token=…&…` or a query string.
fn token_from_url_parts(text: &str) -> Option<String> {
    if !text.contains('=') {
        return None;
    }
    let params = text
        .rsplit_once('#')
        .map(|(_, fragment)| fragment)
        .or_else(|| text.split_once('?').map(|(_, query)| query))
        .unwrap_or(text);
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(params.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    TOKEN_PARAMS.iter().find_map(|wanted| {
        pairs
            .iter()
            .find(|(k, v)| k == wanted && !v.is_empty())
            .map(|(_, v)| v.clone())
    })
}

fn describe_opaque(text: &str, segments: usize) -> String {
    let base64ish = text.chars().all(|c| c.is_ascii_alphanumeric() || "-_+/=".contains(c));
    if segments == 2 || segments == 4 {
        format!(
            "{segments} dot-separated segments: a JWT has 3 (header.payload.signature) and a JWE has 5; \
             part of the token may be missing from the copy"
        )
    } else if base64ish && text.len() >= 16 {
        "an opaque token: it carries no readable claims; ask the issuer (for example Auth0's /userinfo) \
         what it stands for"
            .to_owned()
    } else {
        "not a token: no JWT, JWE or SAS structure was found in the input".to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_prefix_whitespace_and_quotes_are_stripped() {
        assert_eq!(normalize("  \"Bearer  a.b.c\"\n"), "a.b.c");
        assert_eq!(normalize("Authorization: Bearer a.b\n.c"), "a.b.c");
    }

    #[test]
    fn token_is_taken_from_a_url_fragment() {
        let url = "https://app.example/callback#access_token=x.y.z&id_token=a.b.c&state=1";
        assert_eq!(normalize(url), "a.b.c");
        assert_eq!(normalize("#token_type=Bearer&access_token=q.r.s"), "q.r.s");
    }

    #[test]
    fn two_segments_are_reported_as_a_truncated_copy() {
        let Inspection::Opaque { looks_like, .. } = inspect("abc.def") else {
            panic!("expected opaque");
        };
        assert!(looks_like.contains("missing"), "{looks_like}");
    }

    #[test]
    fn five_segments_are_a_jwe_with_a_readable_header() {
        // {"alg":"RSA-OAEP","enc":"A256GCM"}
        let jwe = "eyJhbGciOiJSU0EtT0FFUCIsImVuYyI6IkEyNTZHQ00ifQ.a.b.c.d";
        let Inspection::Jwe { header } = inspect(jwe) else {
            panic!("expected JWE");
        };
        assert_eq!(header.unwrap()["enc"], "A256GCM");
    }

    #[test]
    fn empty_input_is_empty() {
        assert_eq!(inspect(" \n\t"), Inspection::Empty);
    }
}
