//! Sending with DPoP: the proof is signed here with the keyring key (the private key never reaches the UI
//! thread), fresh for each request, and a `use_dpop_nonce` answer is retried once with the server's nonce.

use super::{Outbox, StoreSlot};
use crate::core::auth0::dpop::{ProofInput, proof};
use crate::core::http::{HttpAnswer, HttpError, HttpRequest};
use crate::services::clock::Clock;
use crate::services::http;
use crate::ui::command::{Event, HttpEvent, HttpOwner, RequestId};
use std::sync::Arc;

/// What one DPoP send needs.
pub struct DpopSend {
    /// Request id.
    pub id: RequestId,
    /// Who gets the answer.
    pub owner: HttpOwner,
    /// The request without its proof.
    pub request: HttpRequest,
    /// The keyring item with the P-256 private key.
    pub key_item: String,
}

/// Signs, sends, and retries once with the server's nonce; reports the proof, then the answer.
pub async fn send(job: DpopSend, client: &reqwest::Client, store: StoreSlot, clock: Arc<dyn Clock>, out: &Outbox) {
    let result = send_inner(&job, client, store, clock, out).await;
    out.send(Event::Http(HttpEvent::Answered {
        id: job.id,
        owner: job.owner,
        result,
    }));
}

async fn send_inner(
    job: &DpopSend,
    client: &reqwest::Client,
    store: StoreSlot,
    clock: Arc<dyn Clock>,
    out: &Outbox,
) -> Result<HttpAnswer, HttpError> {
    let item = job.key_item.clone();
    let key = tokio::task::spawn_blocking(move || super::secrets::store(&store).0.get(&item))
        .await
        .map_err(|e| HttpError::Client(e.to_string()))?
        .map_err(|e| HttpError::Client(format!("the DPoP key {} could not be read: {e}", job.key_item)))?;
    let first = attempt(job, client, &key, clock.now(), None, out).await?;
    match asked_nonce(&first) {
        Some(nonce) => attempt(job, client, &key, clock.now(), Some(&nonce), out).await,
        None => Ok(first),
    }
}

/// One proof, one send.
async fn attempt(
    job: &DpopSend,
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
