//! The Management API's signing-key routes on the admin token: `GET /api/v2/keys/signing[/{kid}]` lists and
//! reads key objects, `POST …/rotate` rotates and `PUT …/{kid}/revoke` revokes the previous key. Rotation and
//! revocation are the window's own (`IssuerState::rotate`, `IssuerState::revoke_previous`), so a generated
//! key's rotation is kept in the keyring the same way. Not modelled: scopes (the admin token stands for
//! them) and the rotate route's rate limit.

use super::{IssuerState, admit};
use crate::core::issuer::key_history::cert_and_kid;
use crate::core::issuer::{OAuthError, Reply};
use crate::services::issuer::json_response;
use axum::Router;
use axum::extract::{Path, Request, State};
use axum::response::Response;
use axum::routing::{get, post, put};
use serde_json::Value;

pub(super) fn routes() -> Router<IssuerState> {
    Router::new()
        .route("/api/v2/keys/signing", get(list))
        .route("/api/v2/keys/signing/rotate", post(rotate))
        .route("/api/v2/keys/signing/{kid}", get(one))
        .route("/api/v2/keys/signing/{kid}/revoke", put(revoke))
}

async fn list(State(state): State<IssuerState>, request: Request) -> Response {
    let reply = match admit(&state, &request) {
        Ok(_) => Reply::ok(Value::Array(state.read().keys.key_objects())),
        Err(refusal) => refusal.into(),
    };
    json_response(&reply)
}

async fn one(State(state): State<IssuerState>, Path(kid): Path<String>, request: Request) -> Response {
    let reply = match admit(&state, &request) {
        Ok(_) => match state.read().keys.key_object(&kid) {
            Some(key) => Reply::ok(key),
            None => OAuthError::other(
                404,
                "not_found",
                format!("no signing key {kid}: list the keys with GET /api/v2/keys/signing"),
            )
            .into(),
        },
        Err(refusal) => refusal.into(),
    };
    json_response(&reply)
}

/// `{cert, kid}` of the new next key.
async fn rotate(State(state): State<IssuerState>, request: Request) -> Response {
    let admin = match admit(&state, &request) {
        Ok(admin) => admin,
        Err(refusal) => return json_response(&refusal.into()),
    };
    let _turn = admin.key_changes.lock().await;
    let reply = match blocking(&state, IssuerState::rotate).await {
        Ok(()) => Reply::ok(cert_and_kid(&state.read().keys.next)),
        Err(failure) => failure.into(),
    };
    json_response(&reply)
}

/// `{cert, kid}` of the revoked key, which must be the previous one.
async fn revoke(State(state): State<IssuerState>, Path(kid): Path<String>, request: Request) -> Response {
    let admin = match admit(&state, &request) {
        Ok(admin) => admin,
        Err(refusal) => return json_response(&refusal.into()),
    };
    let _turn = admin.key_changes.lock().await;
    let revocable = state.read().keys.revocable(&kid).map(cert_and_kid);
    let reply = match revocable {
        Ok(revoked) => match blocking(&state, IssuerState::revoke_previous).await {
            Ok(()) => Reply::ok(revoked),
            Err(failure) => failure.into(),
        },
        Err(refusal) => refusal.into(),
    };
    json_response(&reply)
}

/// Runs a key change off the async workers: it generates an RSA key or calls the keyring.
async fn blocking(state: &IssuerState, change: fn(&IssuerState) -> Result<(), String>) -> Result<(), OAuthError> {
    let state = state.clone();
    let failed = |why: String| OAuthError::other(500, "server_error", why);
    match tokio::task::spawn_blocking(move || change(&state)).await {
        Ok(result) => result.map_err(failed),
        Err(e) => Err(failed(format!("the key change stopped before it finished: {e}"))),
    }
}
