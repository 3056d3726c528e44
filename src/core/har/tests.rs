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

/// An entry to `url` at `T0 + seconds`, answered `status` with `headers`.
fn entry_at(index: usize, seconds: i64, url: &str, status: i64, headers: Value) -> Entry {
    let at = jiff::Timestamp::from_second(T0 + seconds).unwrap().to_string();
    let value = json!({"startedDateTime": at, "request": {"method": "POST", "url": url},
        "response": {"status": status, "headers": headers}});
    Entry::read(index, value).unwrap()
}

/// The entries and message of the one 429 finding.
fn rate_limited(entries: &[Entry]) -> (Vec<usize>, String) {
    let found: Vec<_> = findings(entries)
        .into_iter()
        .filter(|f| f.kind == FindingKind::RateLimited)
        .collect();
    assert_eq!(found.len(), 1, "{found:?}");
    (found[0].entries.clone(), found[0].message.clone())
}

#[test]
fn a_429_points_at_the_requests_of_the_minute_before_it_to_its_host() {
    let token = "https://t.example/oauth/token";
    let entries = [
        entry_at(1, 0, token, 200, json!([])),
        entry_at(2, 100, "https://other.example/x", 200, json!([])),
        entry_at(3, 100, token, 200, json!([])),
        entry_at(4, 110, token, 200, json!([])),
        entry_at(5, 120, token, 429, json!([])),
    ];
    let (pointed, message) = rate_limited(&entries);
    assert_eq!(pointed, [3, 4, 5], "entry 1 is two minutes older: {message}");
    assert!(
        message.contains("2 requests went to t.example in the 60 s before it, from entry 3"),
        "{message}"
    );
}

#[test]
fn a_rate_limit_reset_that_passed_before_the_429_starts_its_window() {
    let token = "https://t.example/oauth/token";
    let reset = |at: i64| {
        json!([{"name": "X-RateLimit-Limit", "value": "5"}, {"name": "X-RateLimit-Remaining", "value": "4"},
        {"name": "X-RateLimit-Reset", "value": (T0 + at).to_string()}])
    };
    let entries = [
        entry_at(1, 0, token, 200, reset(5)),
        entry_at(2, 3, token, 200, reset(30)),
        entry_at(3, 10, token, 200, json!([])),
        entry_at(4, 12, token, 429, reset(30)),
    ];
    let (pointed, message) = rate_limited(&entries);
    assert_eq!(
        pointed,
        [3, 4],
        "the limit reset at T0 + 5, after entries 1 and 2: {message}"
    );
    assert!(message.contains(&format!("X-RateLimit-Reset {}", T0 + 5)), "{message}");
}

#[test]
fn a_crowded_window_lists_only_its_latest_requests() {
    let token = "https://t.example/oauth/token";
    let mut entries: Vec<Entry> = (1..=30).map(|i| entry_at(i, i as i64, token, 200, json!([]))).collect();
    entries.push(entry_at(31, 31, token, 429, json!([])));
    let (pointed, message) = rate_limited(&entries);
    assert_eq!(pointed, (11..=31).collect::<Vec<_>>());
    assert!(message.contains("30 requests went to t.example"), "{message}");
    assert!(message.contains("the last 20 are listed, from entry 11"), "{message}");
}

/// A `/delegation` request from client `me` sending an id token for `sent_aud`, asking for `target`, and
/// answered with an id token for `answer_aud`.
fn delegation(index: usize, sent_aud: &str, target: &str, answer_aud: &str) -> Entry {
    let id_token = |aud: &str| {
        jwt(
            &json!({"alg": "RS256"}),
            &json!({"aud": aud, "iat": T0, "exp": T0 + 600}),
        )
    };
    let body = json!({"client_id": "me", "grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer",
        "id_token": id_token(sent_aud), "target": target, "scope": "openid"});
    entry(
        index,
        json!({"method": "POST", "url": "https://t.example/delegation",
            "postData": {"mimeType": "application/json", "text": body.to_string()}}),
        json!({"status": 200, "content": {"mimeType": "application/json",
            "text": json!({"id_token": id_token(answer_aud)}).to_string()}}),
    )
}

fn for_another_client(entries: &[Entry]) -> Vec<(Vec<usize>, String)> {
    findings(entries)
        .into_iter()
        .filter(|f| f.kind == FindingKind::IdTokenForAnotherClient)
        .map(|f| (f.entries, f.message))
        .collect()
}

#[test]
fn delegation_answers_are_for_the_target_and_requests_carry_the_clients_own_id_token() {
    assert_eq!(
        for_another_client(&[delegation(1, "me", "api-client", "api-client")]),
        []
    );
    let wrong_answer = for_another_client(&[delegation(2, "me", "api-client", "someone-else")]);
    assert_eq!(wrong_answer.len(), 1, "{wrong_answer:?}");
    assert_eq!(wrong_answer[0].0, [2]);
    assert!(
        wrong_answer[0].1.contains("asked for target api-client"),
        "{wrong_answer:?}"
    );
    let wrong_request = for_another_client(&[delegation(3, "other-app", "api-client", "api-client")]);
    assert_eq!(wrong_request.len(), 1, "{wrong_request:?}");
    assert!(wrong_request[0].1.contains("request body"), "{wrong_request:?}");
    assert!(
        wrong_request[0].1.contains("client_id me sent it to /delegation"),
        "{wrong_request:?}"
    );
}
