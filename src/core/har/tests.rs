//! Unit tests of the HAR reader: entries made compact, tokens found where they travel, findings and
//! sanitising on hand-made entries.

use super::entry::Entry;
use super::findings::{FindingKind, findings};
use super::sanitize::{sanitize, sanitize_entry};
use super::tokens::{Carrier, TokenKind, lineage};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use serde_json::{Value, json};

const T0: i64 = 1_750_000_000;

fn jwt(header: &Value, claims: &Value) -> String {
    let part = |v: &Value| URL_SAFE_NO_PAD.encode(v.to_string());
    format!("{}.{}.c2lnbmF0dXJlLXNlY3JldA", part(header), part(claims))
}

fn access(aud: &str, exp: i64) -> String {
    jwt(&json!({"alg": "RS256"}), &json!({"aud": aud, "exp": exp, "iat": T0}))
}

fn entry(index: usize, request: Value, response: Value) -> Entry {
    let value = json!({"startedDateTime": "2025-06-15T15:06:40.000Z", "request": request, "response": response});
    Entry::read(index, value).unwrap()
}

fn fields(entry: &Entry) -> Vec<(Carrier, String, TokenKind)> {
    entry
        .tokens
        .iter()
        .map(|t| (t.place.carrier, t.field().to_owned(), t.kind))
        .collect()
}

#[test]
fn headers_are_lower_cased_and_repeated_ones_kept() {
    let e = entry(
        1,
        json!({"method": "GET", "url": "https://a.example/x?y=1", "headers": [
            {"name": "X-Thing", "value": "1"}, {"name": "x-THING", "value": "2"}]}),
        json!({"status": 200, "headers": [{"name": "X-RateLimit-Remaining", "value": "4"}]}),
    );
    assert_eq!(
        e.request_headers,
        [
            ("x-thing".to_owned(), "1".to_owned()),
            ("x-thing".to_owned(), "2".to_owned())
        ]
    );
    assert_eq!(
        (e.host.as_str(), e.path.as_str(), e.started_ms),
        ("a.example", "/x", Some(T0 * 1000))
    );
    assert_eq!(e.rate_limit.remaining, Some(4));
}

#[test]
fn tokens_are_found_in_headers_bodies_urls_cookies_and_redirects() {
    let token = access("https://api.example/", T0 + 60);
    let body = json!({"id_token": token, "refresh_token": "opaque-rt"}).to_string();
    let e = entry(
        3,
        json!({"method": "POST", "url": "https://t.example/cb?code=abc#access_token=xyz",
            "headers": [{"name": "Authorization", "value": format!("DPoP {token}")},
                        {"name": "DPoP", "value": token},
                        {"name": "Cookie", "value": format!("a=1; my_token={token}")}],
            "postData": {"mimeType": "application/x-www-form-urlencoded",
                         "text": "password=p%40ss&client_assertion=ca&other=1"}}),
        json!({"status": 302, "headers": [{"name": "location", "value": "/next?code=c2"}],
            "content": {"mimeType": "application/json", "text": STANDARD.encode(body), "encoding": "base64"}}),
    );
    let found = fields(&e);
    let has = |c: Carrier, f: &str, k: TokenKind| found.contains(&(c, f.to_owned(), k));
    assert!(
        has(Carrier::RequestHeader, "authorization (DPoP)", TokenKind::Jwt),
        "{found:?}"
    );
    assert!(has(Carrier::RequestHeader, "dpop", TokenKind::Jwt));
    assert!(has(Carrier::RequestCookie, "my_token", TokenKind::Jwt));
    assert!(has(Carrier::UrlQuery, "code", TokenKind::Opaque));
    assert!(has(Carrier::UrlFragment, "access_token", TokenKind::Opaque));
    assert!(has(Carrier::RequestBody, "password", TokenKind::Credential));
    assert!(has(Carrier::RequestBody, "client_assertion", TokenKind::Opaque));
    assert!(has(Carrier::LocationHeader, "code", TokenKind::Opaque));
    assert!(has(Carrier::ResponseBody, "id_token", TokenKind::Jwt));
    assert!(has(Carrier::ResponseBody, "refresh_token", TokenKind::Opaque));
    assert_eq!(found.len(), 10, "{found:?}");
    assert_eq!(
        e.tokens[0].place.to_string(),
        "entry 3 · request header · authorization (DPoP)"
    );
}

#[test]
fn lineage_and_findings_link_entries() {
    let issued = entry(
        1,
        json!({"method": "POST", "url": "https://t.example/oauth/token", "postData": {"mimeType": "application/json",
            "text": json!({"client_id": "me"}).to_string()}}),
        json!({"status": 200, "content": {"text": json!({"refresh_token": "rt-1",
            "id_token": jwt(&json!({"alg": "none"}), &json!({"aud": "you", "iat": T0 + 500}))}).to_string()}}),
    );
    let spend = |i| {
        entry(
            i,
            json!({"method": "POST", "url": "https://t.example/oauth/token",
            "postData": {"mimeType": "application/x-www-form-urlencoded", "text": "refresh_token=rt-1"}}),
            json!({"status": 200}),
        )
    };
    let late = entry(
        4,
        json!({"method": "GET", "url": "https://other.example/x", "headers": [
            {"name": "authorization", "value": format!("Bearer {}", access("https://api.example/", T0 - 10))}]}),
        json!({"status": 429}),
    );
    let entries = [issued, spend(2), spend(3), late];
    let links = lineage(&entries);
    assert_eq!(links.len(), 1);
    assert_eq!(links[0].spent.iter().map(|p| p.entry).collect::<Vec<_>>(), [2, 3]);
    let kinds: Vec<(FindingKind, Vec<usize>)> = findings(&entries).into_iter().map(|f| (f.kind, f.entries)).collect();
    for expected in [
        (FindingKind::SentAfterExpiry, vec![4]),
        // The 429 came from another host than the requests before it: only it is pointed at.
        (FindingKind::RateLimited, vec![4]),
        (FindingKind::IdTokenForAnotherClient, vec![1]),
        (FindingKind::AccessTokenToForeignHost, vec![4]),
        (FindingKind::WeakIdTokenAlgorithm, vec![1]),
        (FindingKind::RefreshTokenReused, vec![2, 3]),
        (FindingKind::ClockSkew, vec![1]),
    ] {
        assert!(kinds.contains(&expected), "{expected:?} not in {kinds:?}");
    }
}

#[test]
fn sanitising_unsigns_jwts_and_masks_secrets_with_equal_markers() {
    let token = access("a", T0);
    let mut value = json!({"request": {"method": "POST", "url": format!("https://t.example/cb?code=c1&x=1#id_token={token}"),
        "headers": [{"name": "authorization", "value": "Basic Y2xpZW50OnNlY3JldA=="},
                    {"name": "Cookie", "value": "sid=s1; theme=dark"}],
        "postData": {"mimeType": "application/x-www-form-urlencoded", "text": "code=c1&client_secret=cs"}},
        "response": {"headers": [{"name": "Set-Cookie", "value": "sid=s2; Path=/; HttpOnly"}],
            "content": {"text": STANDARD.encode(format!("<p>{token}</p>")), "encoding": "base64"}},
        "_initiator": {"url": "https://t.example/cb?code=c1"}});
    let mut removed = Vec::new();
    sanitize_entry(1, &mut value, &mut removed);
    let text = value.to_string();
    for secret in ["c1", "cs", "s1", "s2", "c2lnbmF0dXJlLXNlY3JldA", "Y2xpZW50OnNlY3JldA"] {
        assert!(
            !text.contains(&format!("={secret}")) && !text.contains(&format!("{secret}\"")),
            "{secret} in {text}"
        );
    }
    let unsigned = token.rsplit_once('.').unwrap().0.to_owned() + ".";
    let body = STANDARD
        .decode(value["response"]["content"]["text"].as_str().unwrap())
        .unwrap();
    assert_eq!(String::from_utf8(body).unwrap(), format!("<p>{unsigned}</p>"));
    let code_marker = super::hash::marker("c1");
    let form = value["request"]["postData"]["text"].as_str().unwrap();
    assert!(
        form.contains(&url::form_urlencoded::byte_serialize(code_marker.as_bytes()).collect::<String>()),
        "{form}"
    );
    assert!(
        value["request"]["headers"][1]["value"]
            .as_str()
            .unwrap()
            .contains("theme=[redacted:sha256:")
    );
    assert!(removed.iter().any(|r| r.what == "JWT signature"));
}

#[test]
fn the_sanitised_stream_is_har_that_reads_back() {
    let input = json!({"log": {"version": "1.2", "creator": {"name": "x"}, "entries": [
        {"request": {"method": "GET", "url": "https://t.example/?access_token=abc"}, "response": {"status": 200}},
        {"request": {"method": "GET", "url": "https://t.example/two"}, "response": {"status": 204}}]}})
    .to_string();
    let mut output = Vec::new();
    let report = sanitize(input.as_bytes(), &mut output).unwrap();
    assert_eq!(report.entries, 2);
    let back: Value = serde_json::from_slice(&output).unwrap();
    assert_eq!(back["log"]["version"], "1.2");
    assert_eq!(back["log"]["entries"][1]["response"]["status"], 204);
    assert!(!String::from_utf8(output).unwrap().contains("=abc"));
}
