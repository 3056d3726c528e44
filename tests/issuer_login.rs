//! The browser login of the local issuer over real loopback HTTP, as a browser would drive it (redirects not
//! followed, the session cookie kept by hand): `/authorize`, the login page, codes at `/oauth/token`, silent
//! authentication, logout, revocation, brute-force protection, CORS and the `Host` check.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "a test fails loudly")]

mod issuer;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use issuer::{Running, demo, jwks_key, read, start_demo, start_tenant, verify};
use serde_json::Value;
use std::sync::Arc;
use tokenbench::services::secrets::MemoryStore;

const CALLBACK: &str = "http://127.0.0.1:3000/";
const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
const API: &str = "https://api.demo.local/";

/// A browser: no redirects followed, the `auth0` cookie kept.
struct Browser {
    http: reqwest::Client,
    cookie: Option<String>,
}

struct Answer {
    status: u16,
    location: Option<String>,
    headers: reqwest::header::HeaderMap,
    body: String,
}

impl Browser {
    fn new() -> Self {
        let http = reqwest::Client::builder()
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client");
        Self { http, cookie: None }
    }

    async fn send(&mut self, request: reqwest::RequestBuilder) -> Answer {
        let request = match &self.cookie {
            Some(c) => request.header("cookie", format!("auth0={c}")),
            None => request,
        };
        let response = request.send().await.expect("request");
        let headers = response.headers().clone();
        for value in headers.get_all("set-cookie") {
            let text = value.to_str().expect("ascii");
            if let Some(rest) = text.strip_prefix("auth0=") {
                let value = rest.split(';').next().unwrap_or_default();
                self.cookie = (!value.is_empty()).then(|| value.to_owned());
            }
        }
        Answer {
            status: response.status().as_u16(),
            location: headers.get("location").map(|l| l.to_str().expect("ascii").to_owned()),
            headers,
            body: response.text().await.expect("body"),
        }
    }

    async fn get(&mut self, url: &str) -> Answer {
        let request = self.http.get(url);
        self.send(request).await
    }

    async fn post_form(&mut self, url: &str, pairs: &[(&str, &str)]) -> Answer {
        let request = self
            .http
            .post(url)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form_body(pairs));
        self.send(request).await
    }
}

fn form_body(pairs: &[(&str, &str)]) -> String {
    url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
}

fn authorize_url(running: &Running, extra: &[(&str, &str)]) -> String {
    let mut pairs = vec![
        ("client_id", "demo-spa"),
        ("response_type", "code"),
        ("redirect_uri", CALLBACK),
        (
            "scope",
            "openid profile email offline_access read:messages write:messages",
        ),
        ("state", "st-1"),
        ("nonce", "n-1"),
        ("code_challenge", CHALLENGE),
        ("code_challenge_method", "S256"),
        ("audience", API),
    ];
    for (k, v) in extra {
        pairs.retain(|(name, _)| name != k);
        if !v.is_empty() {
            pairs.push((k, v));
        }
    }
    let query = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish();
    running.url(&format!("/authorize?{query}"))
}

/// A hidden input's value on a page.
fn hidden(page: &str, name: &str) -> String {
    let marker = format!(r#"name="{name}" value=""#);
    let start = page.find(&marker).unwrap_or_else(|| panic!("no {name} on {page}")) + marker.len();
    page[start..].split('"').next().expect("value").to_owned()
}

fn query_param(location: &str, name: &str) -> Option<String> {
    let url = url::Url::parse(location).expect("absolute location");
    let pairs = url.query_pairs().chain(url::form_urlencoded::parse(
        url.fragment().unwrap_or_default().as_bytes(),
    ));
    pairs.into_iter().find(|(k, _)| k == name).map(|(_, v)| v.into_owned())
}

fn alice_password(running: &Running) -> String {
    running.secret("user_password/demo/auth0|alice").expose().to_owned()
}

/// Opens the login page of `authorize` and posts these credentials; the answer to the post.
async fn log_in(browser: &mut Browser, running: &Running, authorize: &str, user: &str, password: &str) -> Answer {
    let first = browser.get(authorize).await;
    assert_eq!(first.status, 302, "{}", first.body);
    let login = first.location.expect("to the login page");
    assert!(login.starts_with("/u/login?state="), "{login}");
    let page = browser.get(&running.url(&login)).await;
    assert_eq!(page.status, 200);
    let form = [
        ("state", hidden(&page.body, "state")),
        ("csrf", hidden(&page.body, "csrf")),
        ("username", user.to_owned()),
        ("password", password.to_owned()),
        ("action", "default".to_owned()),
    ];
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    browser.post_form(&running.url(&login), &pairs).await
}

/// Logs alice in through the default authorize URL; the answer to the login post.
async fn log_in_alice(browser: &mut Browser, running: &Running) -> Answer {
    let password = alice_password(running);
    log_in(
        browser,
        running,
        &authorize_url(running, &[]),
        "alice@demo.local",
        &password,
    )
    .await
}

/// demo-spa's code exchange with the test's verifier and callback.
fn code_grant(code: &str) -> [(&str, &str); 5] {
    [
        ("grant_type", "authorization_code"),
        ("client_id", "demo-spa"),
        ("code", code),
        ("code_verifier", VERIFIER),
        ("redirect_uri", CALLBACK),
    ]
}

async fn exchange(running: &Running, pairs: &[(&str, &str)]) -> (u16, Value) {
    let (status, _, body) = running.post_form("/oauth/token", pairs).await;
    (status, body)
}

fn claims(token: &str) -> Value {
    let payload = token.split('.').nth(1).expect("a JWT");
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).expect("base64url")).expect("json")
}

#[tokio::test]
async fn a_login_gives_a_single_use_code_for_tokens_with_nonce_sid_and_the_api_audience() {
    let running = start_demo().await;
    let mut browser = Browser::new();
    let answer = log_in_alice(&mut browser, &running).await;
    assert_eq!(answer.status, 302, "{}", answer.body);
    let location = answer.location.expect("back to the app");
    assert!(location.starts_with(CALLBACK), "{location}");
    assert_eq!(query_param(&location, "state").as_deref(), Some("st-1"));
    let set_cookie = answer
        .headers
        .get("set-cookie")
        .expect("session cookie")
        .to_str()
        .unwrap();
    assert!(set_cookie.contains("HttpOnly") && set_cookie.contains("SameSite=Lax") && set_cookie.contains("Path=/"));
    let code = query_param(&location, "code").expect("a code");
    let grant = code_grant(&code);
    let (status, body) = exchange(&running, &grant).await;
    assert_eq!(status, 200, "{body}");
    let id_token = body["id_token"].as_str().expect("id_token");
    let id = verify(
        id_token,
        &jwks_key(&running, id_token).await,
        jsonwebtoken::Algorithm::RS256,
    );
    assert_eq!(
        (id["sub"].as_str(), id["aud"].as_str()),
        (Some("auth0|alice"), Some("demo-spa"))
    );
    assert_eq!(
        (id["nonce"].as_str(), id["auth_time"].as_i64()),
        (Some("n-1"), Some(issuer::NOW))
    );
    assert!(id["sid"].is_string() && id["at_hash"].is_string() && id["email"].is_string());
    let access = claims(body["access_token"].as_str().expect("access token"));
    assert_eq!(access["aud"][0], API);
    assert_eq!(
        access["scope"],
        "openid profile email offline_access read:messages write:messages"
    );
    let refresh = body["refresh_token"]
        .as_str()
        .expect("refresh token, the API allows offline access");

    let (status, replay) = exchange(&running, &grant).await;
    assert_eq!(
        (status, replay["error"].as_str()),
        (403, Some("invalid_grant")),
        "{replay}"
    );
    assert_eq!(replay["error_description"], "Invalid authorization code");
    let (status, body) = exchange(
        &running,
        &[
            ("grant_type", "refresh_token"),
            ("client_id", "demo-spa"),
            ("refresh_token", refresh),
        ],
    )
    .await;
    assert_eq!(status, 403, "a replayed code revokes the refresh token it gave: {body}");
}

#[tokio::test]
async fn callbacks_not_registered_get_an_error_page_never_a_redirect() {
    let mut tenant = demo();
    tenant.settings.login.loopback_any_port = false;
    let running = start_tenant(tenant, Arc::new(MemoryStore::default())).await;
    let mut browser = Browser::new();
    for (name, value) in [
        ("redirect_uri", "http://127.0.0.1:3001/"),
        ("redirect_uri", "http://127.0.0.1:3000/other"),
        ("redirect_uri", "http://127.0.0.1:3000@evil.test/"),
        ("redirect_uri", "http://evil.test@127.0.0.1:3000/"),
        ("redirect_uri", "http://127.0.0.1:3000/%2e%2e/"),
        ("redirect_uri", "http://127.0.0.1:3000/#x"),
        ("redirect_uri", "https://127.0.0.1:3000/"),
        ("redirect_uri", ""),
        ("client_id", "ghost"),
        ("client_id", ""),
        ("state", "s".repeat(3000).leak()),
    ] {
        let answer = browser.get(&authorize_url(&running, &[(name, value)])).await;
        assert_eq!(answer.status, 400, "{name}={value}: {}", answer.body);
        assert!(answer.location.is_none(), "{name}={value} must not redirect");
        assert!(
            answer.headers["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/html")
        );
    }
    let repeated = format!(
        "{}&redirect_uri=http%3A%2F%2Fevil.test%2F",
        authorize_url(&running, &[])
    );
    let answer = browser.get(&repeated).await;
    assert_eq!((answer.status, answer.location), (400, None), "a repeated parameter");
    let answer = browser
        .get(&authorize_url(&running, &[("redirect_uri", "http://127.0.0.1:3001/")]))
        .await;
    assert!(answer.body.contains("Callback URL mismatch"), "{}", answer.body);

    let any_port = start_demo().await;
    let answer = browser
        .get(&authorize_url(&any_port, &[("redirect_uri", "http://127.0.0.1:3001/")]))
        .await;
    assert_eq!(
        answer.status, 302,
        "the demo tenant takes any loopback port (RFC 8252 §7.3)"
    );
    let answer = browser
        .get(&authorize_url(&any_port, &[("redirect_uri", "http://localhost:3001/")]))
        .await;
    assert_eq!(answer.status, 400, "but only for an IP literal, never a name");
}

#[tokio::test]
async fn errors_after_the_callback_is_trusted_go_back_to_it_with_the_state() {
    let running = start_demo().await;
    let mut browser = Browser::new();
    for (extra, error) in [
        (vec![("response_type", "code banana")], "unsupported_response_type"),
        (vec![("response_mode", "telepathy")], "invalid_request"),
        (vec![("organization", "org_1")], "invalid_request"),
        (vec![("invitation", "inv")], "invalid_request"),
        (vec![("screen_hint", "signup")], "invalid_request"),
        (vec![("audience", "https://nowhere/")], "access_denied"),
        (vec![("code_challenge", "")], "invalid_request"),
        (vec![("code_challenge", "short")], "invalid_request"),
        (vec![("code_challenge_method", "S512")], "invalid_request"),
        (vec![("prompt", "none login")], "invalid_request"),
        (vec![("max_age", "soon")], "invalid_request"),
        (vec![("response_type", "token")], "unauthorized_client"),
        (vec![("prompt", "none")], "login_required"),
    ] {
        let answer = browser.get(&authorize_url(&running, &extra)).await;
        let location = answer.location.unwrap_or_else(|| panic!("{extra:?}: {}", answer.body));
        assert!(location.starts_with(CALLBACK), "{location}");
        assert_eq!(
            query_param(&location, "error").as_deref(),
            Some(error),
            "{extra:?}: {location}"
        );
        assert!(query_param(&location, "error_description").is_some_and(|d| !d.is_empty()));
        assert_eq!(query_param(&location, "state").as_deref(), Some("st-1"));
    }
}

#[tokio::test]
async fn a_session_answers_prompt_none_through_web_message_until_logout() {
    let running = start_demo().await;
    let mut browser = Browser::new();
    let answer = log_in_alice(&mut browser, &running).await;
    assert_eq!(answer.status, 302);
    let silent = authorize_url(&running, &[("prompt", "none"), ("response_mode", "web_message")]);
    let page = browser.get(&silent).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains(r#""type":"authorization_response""#) && page.body.contains(r#""code":""#));
    assert!(
        page.body.contains(r#""http://127.0.0.1:3000""#),
        "posted to the app's origin only"
    );
    assert!(
        page.headers.get("x-frame-options").is_none(),
        "read from a hidden iframe"
    );
    let policy = page.headers["content-security-policy"].to_str().unwrap();
    assert!(policy.contains("script-src 'sha256-"), "{policy}");

    let refused = browser
        .get(&running.url("/v2/logout?client_id=demo-spa&returnTo=http%3A%2F%2Fevil.test%2F"))
        .await;
    assert_eq!(
        (refused.status, refused.location.is_none()),
        (400, true),
        "{}",
        refused.body
    );
    assert!(refused.body.contains("Allowed Logout URLs"));
    let out = browser
        .get(&running.url("/v2/logout?client_id=demo-spa&returnTo=http%3A%2F%2F127.0.0.1%3A3000%2F%3Fbye%3D1"))
        .await;
    assert_eq!(out.location.as_deref(), Some("http://127.0.0.1:3000/?bye=1"));
    assert!(out.headers["set-cookie"].to_str().unwrap().contains("Max-Age=0"));
    let page = browser.get(&silent).await;
    assert!(page.body.contains(r#""error":"login_required""#), "{}", page.body);
}

#[tokio::test]
async fn wrong_passwords_are_said_on_the_page_until_the_threshold_blocks_the_name() {
    let mut tenant = demo();
    tenant.settings.login.brute_force_threshold = 3;
    let running = start_tenant(tenant, Arc::new(MemoryStore::default())).await;
    let mut browser = Browser::new();
    let authorize = authorize_url(&running, &[]);
    for attempt in 1..=3 {
        let answer = log_in(&mut browser, &running, &authorize, "Alice@demo.local", "wrong").await;
        if attempt < 3 {
            assert_eq!(answer.status, 400);
            assert!(answer.body.contains("Wrong email or password."), "{}", answer.body);
            assert!(answer.body.contains(r#"value="Alice@demo.local""#), "the name is kept");
        } else {
            assert_eq!(answer.status, 429);
            assert!(
                answer
                    .body
                    .contains("blocked after multiple consecutive login attempts")
            );
        }
    }
    let password = alice_password(&running);
    let answer = log_in(&mut browser, &running, &authorize, "alice@demo.local", &password).await;
    assert_eq!(answer.status, 429, "the right password does not unblock the name");
    let (status, body) = exchange(
        &running,
        &[
            ("grant_type", "password"),
            ("client_id", "demo-spa"),
            ("username", "alice@demo.local"),
            ("password", &password),
        ],
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (429, Some("too_many_attempts")),
        "{body}"
    );
    let (status, _) = exchange(
        &running,
        &[
            ("grant_type", "password"),
            ("client_id", "demo-spa"),
            ("username", "bob@demo.local"),
            ("password", "x"),
        ],
    )
    .await;
    assert_eq!(status, 403, "another name is not blocked");
}

#[tokio::test]
async fn login_posts_without_the_pages_csrf_token_or_replayed_are_refused() {
    let running = start_demo().await;
    let mut browser = Browser::new();
    let first = browser.get(&authorize_url(&running, &[])).await;
    let login = running.url(&first.location.expect("login page"));
    let page = browser.get(&login).await;
    let state = hidden(&page.body, "state");
    let csrf = hidden(&page.body, "csrf");
    let password = alice_password(&running);
    let mut form = vec![
        ("state", state.as_str()),
        ("username", "alice@demo.local"),
        ("password", password.as_str()),
    ];
    let answer = browser.post_form(&login, &form).await;
    assert_eq!((answer.status, answer.location), (403, None), "no CSRF token");
    form.push(("csrf", "forged"));
    assert_eq!(browser.post_form(&login, &form).await.status, 403, "a wrong CSRF token");
    form.pop();
    form.push(("csrf", csrf.as_str()));
    assert_eq!(browser.post_form(&login, &form).await.status, 302);
    let replay = browser.post_form(&login, &form).await;
    assert_eq!(
        (replay.status, replay.location),
        (400, None),
        "a login page is used once"
    );
}

#[tokio::test]
async fn the_code_is_bound_to_its_verifier_callback_client_and_lifetime() {
    let mut tenant = demo();
    let native = tenant
        .clients
        .iter_mut()
        .find(|c| c.client_id == "demo-native")
        .expect("demo-native");
    native.grant_types.push("authorization_code".to_owned());
    let running = start_tenant(tenant, Arc::new(MemoryStore::default())).await;
    let cases: [(&[(&str, &str)], u16); 6] = [
        (&[("code_verifier", "x".repeat(43).leak())], 403),
        (&[("code_verifier", "")], 403),
        (&[("redirect_uri", "http://127.0.0.1:3000/other")], 403),
        (&[("client_id", "demo-native")], 403),
        (&[("client_id", "demo-m2m")], 401),
        (&[("expire", "")], 403),
    ];
    for (change, status) in cases {
        let mut browser = Browser::new();
        let answer = log_in_alice(&mut browser, &running).await;
        let code = query_param(&answer.location.expect("callback"), "code").expect("code");
        let mut grant = code_grant(&code).to_vec();
        for (k, v) in change {
            if *k == "expire" {
                running.clock.advance(301);
            }
            grant.retain(|(name, _)| name != k);
            grant.push((k, v));
        }
        let (got, body) = exchange(&running, &grant).await;
        assert_eq!(got, status, "{change:?}: {body}");
        assert!(body["error"].is_string());
    }
}

#[tokio::test]
async fn every_grant_authenticates_a_confidential_client() {
    let mut tenant = demo();
    let spa = tenant
        .clients
        .iter_mut()
        .find(|c| c.client_id == "demo-spa")
        .expect("demo-spa");
    spa.token_endpoint_auth_method = Some(tokenbench::core::tenant::client::AuthMethod::ClientSecretPost);
    let running = start_tenant(tenant, Arc::new(MemoryStore::default())).await;
    let password = alice_password(&running);
    let grant = [
        ("grant_type", "password"),
        ("client_id", "demo-spa"),
        ("username", "alice@demo.local"),
    ];
    let mut without = grant.to_vec();
    without.push(("password", &password));
    let (status, body) = exchange(&running, &without).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("invalid_client")),
        "{body}"
    );
    let secret = running.secret("client_secret/demo/demo-spa");
    without.push(("client_secret", secret.expose()));
    assert_eq!(exchange(&running, &without).await.0, 200);
}

#[tokio::test]
async fn cors_answers_only_the_origins_a_client_registered() {
    let running = start_demo().await;
    let preflight = |origin: &'static str| {
        running
            .http
            .request(reqwest::Method::OPTIONS, running.url("/oauth/token"))
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header("access-control-request-headers", "content-type,auth0-client")
            .send()
    };
    let allowed = preflight("http://127.0.0.1:3000").await.expect("preflight");
    assert_eq!(allowed.status().as_u16(), 204);
    assert_eq!(
        allowed.headers()["access-control-allow-origin"],
        "http://127.0.0.1:3000"
    );
    assert!(
        allowed.headers()["access-control-allow-headers"]
            .to_str()
            .unwrap()
            .contains("Auth0-Client")
    );
    let refused = preflight("http://evil.test").await.expect("preflight");
    assert_eq!(refused.status().as_u16(), 403);
    assert!(refused.headers().get("access-control-allow-origin").is_none());
    let response = running
        .http
        .post(running.url("/oauth/token"))
        .header("origin", "http://localhost:3000")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form_body(&[
            ("grant_type", "client_credentials"),
            ("client_id", "demo-m2m"),
        ]))
        .send()
        .await
        .expect("post");
    let (status, _, body) = read(response).await;
    assert_eq!((status, body["error"].as_str()), (403, Some("access_denied")), "{body}");
    assert!(
        body["error_description"]
            .as_str()
            .unwrap()
            .contains("Origin http://localhost:3000 is not allowed")
    );
}

#[tokio::test]
async fn foreign_host_headers_are_refused() {
    let running = start_demo().await;
    for host in ["evil.test", "127.0.0.1.evil.test:4000", "10.0.0.7"] {
        let response = running
            .http
            .get(running.url("/.well-known/openid-configuration"))
            .header("host", host)
            .send()
            .await
            .expect("request");
        let (status, _, body) = read(response).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (421, Some("invalid_host")),
            "{host}: {body}"
        );
    }
    let ok = running
        .http
        .get(running.url("/.well-known/jwks.json"))
        .header("host", "localhost:4000");
    assert_eq!(ok.send().await.expect("request").status().as_u16(), 200);
}

#[tokio::test]
async fn revocation_forgets_a_refresh_token_of_the_calling_client() {
    let running = start_demo().await;
    let password = alice_password(&running);
    let (status, body) = exchange(
        &running,
        &[
            ("grant_type", "password"),
            ("client_id", "demo-spa"),
            ("username", "alice@demo.local"),
            ("password", &password),
            ("scope", "openid offline_access"),
        ],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let refresh = body["refresh_token"].as_str().expect("refresh token").to_owned();
    let (status, _, body) = running.post_form("/oauth/revoke", &[("client_id", "demo-spa")]).await;
    assert_eq!((status, body["error"].as_str()), (400, Some("invalid_request")));
    let (status, _, body) = running
        .post_form("/oauth/revoke", &[("client_id", "demo-native"), ("token", &refresh)])
        .await;
    assert_eq!(status, 200, "another client's token: 200, and nothing revoked ({body})");
    let refresh_grant = [
        ("grant_type", "refresh_token"),
        ("client_id", "demo-spa"),
        ("refresh_token", refresh.as_str()),
    ];
    assert_eq!(exchange(&running, &refresh_grant).await.0, 200);
    let (status, _, body) = running
        .post_form("/oauth/revoke", &[("client_id", "demo-spa"), ("token", &refresh)])
        .await;
    assert_eq!(
        (status, body),
        (200, Value::String(String::new())),
        "200 with an empty body"
    );
    assert_eq!(exchange(&running, &refresh_grant).await.0, 403);
}

#[tokio::test]
async fn discovery_lists_the_login_endpoints_and_every_response_type_is_served() {
    let mut tenant = demo();
    let spa = tenant
        .clients
        .iter_mut()
        .find(|c| c.client_id == "demo-spa")
        .expect("demo-spa");
    spa.grant_types.push("implicit".to_owned());
    let running = start_tenant(tenant, Arc::new(MemoryStore::default())).await;
    let discovery = running.get("/.well-known/openid-configuration").await;
    let issuer = running.url("/");
    for (field, path) in [
        ("authorization_endpoint", "authorize"),
        ("revocation_endpoint", "oauth/revoke"),
        ("end_session_endpoint", "oidc/logout"),
    ] {
        assert_eq!(discovery[field], format!("{issuer}{path}"));
    }
    let mut browser = Browser::new();
    for (field, url) in discovery.as_object().expect("an object") {
        if field.ends_with("_endpoint") || field == "jwks_uri" {
            let url = url.as_str().expect("a URL");
            assert!(url.starts_with(&issuer), "{field} is under the issuer: {url}");
            let answer = browser.get(url).await;
            assert!(
                answer.status != 404 && answer.status < 500,
                "{field} {url}: {}",
                answer.status
            );
        }
    }
    for required in [
        "issuer",
        "authorization_endpoint",
        "token_endpoint",
        "jwks_uri",
        "response_types_supported",
        "subject_types_supported",
        "id_token_signing_alg_values_supported",
    ] {
        assert!(discovery.get(required).is_some(), "OIDC Discovery requires {required}");
    }
    log_in_alice(&mut browser, &running).await;
    for kind in discovery["response_types_supported"].as_array().expect("types") {
        let kind = kind.as_str().expect("text");
        for mode in discovery["response_modes_supported"].as_array().expect("modes") {
            let mode = mode.as_str().expect("text");
            let answer = browser
                .get(&authorize_url(
                    &running,
                    &[("response_type", kind), ("response_mode", mode)],
                ))
                .await;
            assert!(matches!(answer.status, 200 | 302), "{kind} {mode}: {}", answer.body);
            let text = format!("{:?} {}", answer.location, answer.body);
            if mode == "query" && kind != "code" {
                assert!(
                    text.contains("#error=invalid_request"),
                    "tokens never travel in a query: {text}"
                );
                continue;
            }
            assert!(
                !text.contains("error=") && !text.contains(r#""error""#),
                "{kind} {mode}: {text}"
            );
            for part in kind.split(' ') {
                let field = if part == "token" { "access_token" } else { part };
                assert!(
                    text.contains(&format!("{field}=")) || text.contains(&format!("\"{field}\"")),
                    "{kind} {mode}: {text}"
                );
            }
        }
    }
}

#[tokio::test]
async fn oidc_logout_checks_the_hint_and_returns_with_the_state() {
    let running = start_demo().await;
    let mut browser = Browser::new();
    let answer = log_in_alice(&mut browser, &running).await;
    let code = query_param(&answer.location.expect("callback"), "code").expect("code");
    let (_, body) = exchange(&running, &code_grant(&code)).await;
    let hint = body["id_token"].as_str().expect("id_token");
    let logout = |extra: &str| running.url(&format!("/oidc/logout?id_token_hint={hint}{extra}"));
    let wrong = browser.get(&logout("&client_id=demo-native")).await;
    assert_eq!((wrong.status, wrong.location), (400, None));
    let answer = browser
        .get(&logout(
            "&post_logout_redirect_uri=http%3A%2F%2F127.0.0.1%3A3000%2F&state=bye",
        ))
        .await;
    assert_eq!(
        answer.location.as_deref(),
        Some("http://127.0.0.1:3000/?state=bye"),
        "{}",
        answer.body
    );
    let silent = browser.get(&authorize_url(&running, &[("prompt", "none")])).await;
    assert_eq!(
        query_param(&silent.location.expect("callback"), "error").as_deref(),
        Some("login_required")
    );
}
