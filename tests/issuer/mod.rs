//! Shared helpers for the issuer tests: start the demo tenant on loopback with a memory keyring and a
//! simulated clock, call it with reqwest, read generated secrets back.
#![allow(dead_code)]

use serde_json::Value;
use std::sync::{Arc, Mutex};
use tokenbench::core::secret::SecretString;
use tokenbench::core::tenant::{DEMO_TENANT, Tenant, parse};
use tokenbench::services::clock::{Clock, DemoClock, SimulatedClock};
use tokenbench::services::issuer::admin::Admin;
use tokenbench::services::issuer::{IssuerConfig, IssuerHandle, RequestRecord, start};
use tokenbench::services::secrets::{MemoryStore, SecretStore};

/// A fixed "now": 2025-06-15 15:06:40 UTC.
pub const NOW: i64 = 1_750_000_000;
/// The `/delegation` grant type.
pub const JWT_BEARER: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";

/// A running issuer and what the test needs around it.
pub struct Running {
    pub handle: IssuerHandle,
    pub store: Arc<MemoryStore>,
    pub clock: Arc<SimulatedClock>,
    pub records: Arc<Mutex<Vec<RequestRecord>>>,
    pub http: reqwest::Client,
}

impl Running {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.handle.base_url())
    }

    pub fn secret(&self, item: &str) -> SecretString {
        self.store.get(item).expect("generated secret")
    }

    pub async fn post_json(&self, path: &str, body: Value) -> (u16, reqwest::header::HeaderMap, Value) {
        let response = self
            .http
            .post(self.url(path))
            .json(&body)
            .send()
            .await
            .expect("request");
        read(response).await
    }

    pub async fn post_form(&self, path: &str, pairs: &[(&str, &str)]) -> (u16, reqwest::header::HeaderMap, Value) {
        let body: String = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs)
            .finish();
        let response = self
            .http
            .post(self.url(path))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .expect("request");
        read(response).await
    }

    pub async fn get(&self, path: &str) -> Value {
        self.http
            .get(self.url(path))
            .send()
            .await
            .expect("request")
            .json()
            .await
            .expect("json")
    }

    /// An HS256 id_token for alice issued to demo-spa (password-realm, with the client secret).
    pub async fn alice_id_token(&self) -> String {
        self.id_token_for("demo-spa", "auth0|alice", "alice@demo.local").await
    }

    pub async fn id_token_for(&self, client: &str, user: &str, email: &str) -> String {
        let secret = self.secret(&format!("client_secret/demo/{client}"));
        let password = self.secret(&format!("user_password/demo/{user}"));
        let (status, _, body) = self
            .post_form(
                "/oauth/token",
                &[
                    ("grant_type", "http://auth0.com/oauth/grant-type/password-realm"),
                    ("client_id", client),
                    ("client_secret", secret.expose()),
                    ("username", email),
                    ("password", password.expose()),
                    ("realm", "Username-Password-Authentication"),
                    ("scope", "openid profile email offline_access"),
                ],
            )
            .await;
        assert_eq!(status, 200, "{body}");
        body["id_token"].as_str().expect("id_token").to_owned()
    }
}

pub async fn read(response: reqwest::Response) -> (u16, reqwest::header::HeaderMap, Value) {
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let text = response.text().await.expect("body");
    let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
    (status, headers, body)
}

pub fn demo() -> Tenant {
    parse(DEMO_TENANT).expect("demo tenant").tenant
}

pub async fn start_demo() -> Running {
    start_tenant(demo(), Arc::new(MemoryStore::default())).await
}

pub async fn start_tenant(tenant: Tenant, store: Arc<MemoryStore>) -> Running {
    let clock = SimulatedClock::at(NOW);
    start_config(IssuerConfig::new(tenant), store, clock.clone(), clock).await
}

/// The demo tenant with the admin routes and their token. With `simulated`, the admin routes move the
/// issuer's clock (frozen at [`NOW`]), as `serve --clock simulated`; without, as `serve --admin` on the real
/// clock (here [`Running::clock`], which they cannot move).
pub async fn start_admin(simulated: bool) -> (Running, String) {
    let clock = SimulatedClock::at(NOW);
    let demo_clock = DemoClock::following(clock.clone());
    demo_clock.freeze();
    let admin = Admin::new(simulated.then(|| demo_clock.clone()));
    let token = admin.token().expose().to_owned();
    let config = IssuerConfig {
        admin: Some(admin),
        ..IssuerConfig::new(demo())
    };
    let issuer_clock: Arc<dyn Clock> = if simulated { demo_clock } else { clock.clone() };
    let running = start_config(config, Arc::new(MemoryStore::default()), clock, issuer_clock).await;
    (running, token)
}

/// Starts `config` on `issuer_clock`; `clock` is the simulated clock the test moves.
pub async fn start_config(
    config: IssuerConfig,
    store: Arc<MemoryStore>,
    clock: Arc<SimulatedClock>,
    issuer_clock: Arc<dyn Clock>,
) -> Running {
    let records = Arc::new(Mutex::new(Vec::new()));
    let sink_records = records.clone();
    let sink = Arc::new(move |r: RequestRecord| sink_records.lock().expect("records").push(r));
    let handle = start(config, store.clone(), issuer_clock, sink)
        .await
        .expect("issuer starts");
    let http = reqwest::Client::builder().no_proxy().build().expect("client");
    Running {
        handle,
        store,
        clock,
        records,
        http,
    }
}

/// Decodes and verifies a JWT without checking times (the issuer's clock is simulated).
pub fn verify(token: &str, key: &jsonwebtoken::DecodingKey, alg: jsonwebtoken::Algorithm) -> Value {
    let mut validation = jsonwebtoken::Validation::new(alg);
    validation.validate_exp = false;
    validation.validate_aud = false;
    validation.required_spec_claims.clear();
    jsonwebtoken::decode::<Value>(token, key, &validation)
        .expect("signature verifies")
        .claims
}

/// The served JWKS key with this token's `kid`.
pub async fn jwks_key(running: &Running, token: &str) -> jsonwebtoken::DecodingKey {
    let header = jsonwebtoken::decode_header(token).expect("header");
    let jwks: jsonwebtoken::jwk::JwkSet =
        serde_json::from_value(running.get("/.well-known/jwks.json").await).expect("jwks");
    let kid = header.kid.expect("kid");
    let jwk = jwks.find(&kid).expect("kid is published");
    jsonwebtoken::DecodingKey::from_jwk(jwk).expect("jwk")
}
