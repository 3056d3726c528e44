//! Sending with keyring items: a client secret read here and added to the body, and a DPoP proof signed here
//! with the keyring key, fresh for each request, with a `use_dpop_nonce` answer retried once with the
//! server's nonce. Neither the secret nor the private key ever reaches the UI thread.

use super::{Outbox, StoreSlot};
use crate::core::auth0::dpop::{ProofInput, proof};
use crate::core::http::{HttpAnswer, HttpError, HttpRequest};
use crate::core::secret::SecretString;
use crate::services::clock::Clock;
use crate::services::http;
use crate::ui::command::{Event, HttpEvent, HttpOwner, KeyringItems, RequestId};
use std::sync::Arc;

/// What one send with keyring items needs.
pub struct KeyedSend {
    /// Request id.
    pub id: RequestId,
    /// Who gets the answer.
    pub owner: HttpOwner,
    /// The request without its client secret and proof.
    pub request: HttpRequest,
    /// The keyring items to complete it with.
    pub items: KeyringItems,
}

/// Adds the client secret, signs, sends, and retries once with the server's nonce; reports the proof, then
/// the answer.
pub async fn send(mut job: KeyedSend, client: &reqwest::Client, store: StoreSlot, clock: Arc<dyn Clock>, out: &Outbox) {
    let result = send_inner(&mut job, client, store, clock, out).await;
    out.send(Event::Http(HttpEvent::Answered {
        id: job.id,
        owner: job.owner,
        result,
    }));
}

async fn send_inner(
    job: &mut KeyedSend,
    client: &reqwest::Client,
    store: StoreSlot,
    clock: Arc<dyn Clock>,
    out: &Outbox,
) -> Result<HttpAnswer, HttpError> {
    if let Some(secret) = read_item(store.clone(), job.items.client_secret.clone(), "client secret").await? {
        crate::core::auth0::body::add_param(&mut job.request, "client_secret", secret.expose())
            .map_err(HttpError::Client)?;
    }
    let Some(key) = read_item(store, job.items.dpop_key.clone(), "DPoP key").await? else {
        return http::send(client, &job.request).await;
    };
    let first = attempt(job, client, &key, clock.now(), None, out).await?;
    match asked_nonce(&first) {
        Some(nonce) => attempt(job, client, &key, clock.now(), Some(&nonce), out).await,
        None => Ok(first),
    }
}

/// Reads a keyring item off the async threads; `what` names it in the error, which says what to do.
async fn read_item(store: StoreSlot, item: Option<String>, what: &str) -> Result<Option<SecretString>, HttpError> {
    let Some(item) = item else { return Ok(None) };
    let name = item.clone();
    let value = tokio::task::spawn_blocking(move || super::secrets::store(&store).0.get(&name))
        .await
        .map_err(|e| HttpError::Client(e.to_string()))?;
    value.map(Some).map_err(|e| {
        HttpError::Client(format!(
            "nothing was sent: the {what} {item} could not be read from the keyring ({e}); store it in the \
             Secrets tab or choose another item"
        ))
    })
}

/// One proof, one send.
async fn attempt(
    job: &KeyedSend,
    client: &reqwest::Client,
    key: &crate::core::secret::SecretString,
    now: i64,
    nonce: Option<&str>,
    out: &Outbox,
) -> Result<HttpAnswer, HttpError> {
    let jti = crate::services::issuer::random_token();
    let input = ProofInput {
        method: job.request.method.as_str(),
        url: &job.request.url,
        now,
        jti: &jti,
        nonce,
    };
    let proof = proof(key, &input).map_err(|e| HttpError::Client(e.to_string()))?;
    let mut request = job.request.clone();
    request.headers.push(("dpop".to_owned(), proof.clone()));
    out.send(Event::Http(HttpEvent::DpopProof {
        id: job.id,
        owner: job.owner,
        proof,
    }));
    http::send(client, &request).await
}

/// The server's nonce, when it answered `use_dpop_nonce`.
fn asked_nonce(answer: &HttpAnswer) -> Option<String> {
    let body: serde_json::Value = serde_json::from_slice(&answer.body).ok()?;
    (body.get("error")? == "use_dpop_nonce").then(|| answer.header("dpop-nonce").map(str::to_owned))?
}
