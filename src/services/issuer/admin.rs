//! The admin routes of `tokenbench serve --clock simulated`: `POST /admin/clock` moves the issuer's clock
//! and `POST /admin/buckets/reset` refills every rate-limit bucket, so scripts can demo expiry and refill
//! without waiting. Only loopback callers holding the admin token printed at start get through.

use super::{IssuerState, json_response};
use crate::core::issuer::{OAuthError, Reply, secrets_match};
use crate::core::secret::SecretString;
use crate::services::clock::{Clock, DemoClock};
use axum::Router;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::header;
use axum::response::Response;
use axum::routing::post;
use serde::Deserialize;
use serde_json::json;
use std::net::SocketAddr;
use std::sync::Arc;

/// What the admin routes need: the token callers must present and the clock they move.
#[derive(Debug, Clone)]
pub struct Admin {
    token: SecretString,
    clock: Arc<DemoClock>,
}

impl Admin {
    /// Admin access to `clock` with a fresh random token.
    pub fn new(clock: Arc<DemoClock>) -> Self {
        Self {
            token: SecretString::new(super::random_token()),
            clock,
        }
    }

    /// The token callers send as `Authorization: Bearer …`.
    pub fn token(&self) -> &SecretString {
        &self.token
    }
}

/// One change of the clock; exactly one member is set.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ClockChange {
    advance: Option<i64>,
    set: Option<i64>,
    real: Option<bool>,
}

/// The admin routes, merged into the router only when the state has an [`Admin`].
pub(super) fn routes() -> Router<IssuerState> {
    Router::new()
        .route("/admin/clock", post(change_clock))
        .route("/admin/buckets/reset", post(reset_buckets))
}

async fn change_clock(State(state): State<IssuerState>, request: Request) -> Response {
    let admin = match admit(&state, &request) {
        Ok(admin) => admin,
        Err(refusal) => return json_response(&refusal.into()),
    };
    let body = axum::body::to_bytes(request.into_body(), super::BODY_LIMIT).await;
    let change = body
        .ok()
        .and_then(|bytes| serde_json::from_slice::<ClockChange>(&bytes).ok());
    let reply = match change {
        Some(ClockChange {
            advance: Some(seconds),
            set: None,
            real: None,
        }) => {
            admin.clock.advance(seconds);
            now(&admin)
        }
        Some(ClockChange {
            advance: None,
            set: Some(epoch),
            real: None,
        }) => {
            admin.clock.set(epoch);
            now(&admin)
        }
        Some(ClockChange {
            advance: None,
            set: None,
            real: Some(true),
        }) => {
            admin.clock.reset();
            now(&admin)
        }
        _ => OAuthError::invalid_request(
            r#"send one of {"advance": SECONDS}, {"set": EPOCH_SECONDS} or {"real": true} as JSON"#,
        )
        .into(),
    };
    json_response(&reply)
}

fn now(admin: &Admin) -> Reply {
    Reply::ok(json!({ "now": admin.clock.now() }))
}

async fn reset_buckets(State(state): State<IssuerState>, request: Request) -> Response {
    let reply = match admit(&state, &request) {
        Ok(_) => Reply::ok(json!({ "reset": state.reset_buckets() })),
        Err(refusal) => refusal.into(),
    };
    json_response(&reply)
}

/// Lets loopback callers with the admin token through; 403 for anyone else, 401 without the token.
fn admit(state: &IssuerState, request: &Request) -> Result<Admin, OAuthError> {
    let Some(admin) = state.admin.as_deref().cloned() else {
        return Err(OAuthError::other(
            404,
            "not_found",
            "the admin routes need tokenbench serve --clock simulated",
        ));
    };
    let loopback = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .is_some_and(|peer| peer.0.ip().is_loopback());
    if !loopback {
        return Err(OAuthError::access_denied(
            "the admin routes answer callers on this machine only",
        ));
    }
    let bearer = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    match bearer {
        Some(token) if secrets_match(token, &admin.token) => Ok(admin),
        _ => Err(OAuthError::other(
            401,
            "invalid_token",
            "send Authorization: Bearer with the admin token tokenbench serve printed on stderr",
        )),
    }
}
