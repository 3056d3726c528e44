//! Sending with keyring items: a client secret read here and added to the body, and DPoP proofs signed with
//! the keyring key (see `services::dpop`). Neither the secret nor the private key ever reaches the UI thread.

use super::{Outbox, StoreSlot};
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

/// Adds the client secret, signs, sends, and retries once with the server's nonce; reports the answer with
/// the proof it was sent with.
pub async fn send(mut job: KeyedSend, client: &reqwest::Client, store: StoreSlot, clock: Arc<dyn Clock>, out: &Outbox) {
    let mut dpop_proof = None;
    let result = send_inner(&mut job, client, store, clock, &mut dpop_proof).await;
    out.send(Event::Http(HttpEvent::Answered {
        id: job.id,
        owner: job.owner,
        result,
        dpop_proof,
    }));
}

/// Completes and sends the request; `dpop_proof` keeps the last proof it was sent with.
async fn send_inner(
    job: &mut KeyedSend,
    client: &reqwest::Client,
    store: StoreSlot,
    clock: Arc<dyn Clock>,
    dpop_proof: &mut Option<String>,
) -> Result<HttpAnswer, HttpError> {
    if let Some(secret) = read_item(store.clone(), job.items.client_secret.clone(), "client secret").await? {
        crate::core::auth0::body::add_param(&mut job.request, "client_secret", secret.expose())
            .map_err(HttpError::Client)?;
    }
    let Some(key) = read_item(store, job.items.dpop_key.clone(), "DPoP key").await? else {
        return http::send(client, &job.request).await;
    };
    let kept = |proof: &str| *dpop_proof = Some(proof.to_owned());
    crate::services::dpop::send_with_proof(client, &job.request, &key, clock.as_ref(), kept).await
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
