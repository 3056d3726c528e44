//! Sending with DPoP (RFC 9449): a fresh proof for each attempt, signed with the given P-256 key, and one retry
//! with the server's `DPoP-Nonce` when it answers `use_dpop_nonce`. The window and `tokenbench exchange --dpop`
//! both send through here.

use crate::core::auth0::dpop::{ProofInput, proof};
use crate::core::http::{HttpAnswer, HttpError, HttpRequest};
use crate::core::secret::SecretString;
use crate::services::clock::Clock;
use crate::services::http;

/// Sends `request` with a proof signed by `key`, retrying once with the server's nonce if it asks for one.
/// `on_proof` sees every proof sent (the window shows the last one in the inspector).
pub async fn send_with_proof(
    client: &reqwest::Client,
    request: &HttpRequest,
    key: &SecretString,
    clock: &dyn Clock,
    mut on_proof: impl FnMut(&str),
) -> Result<HttpAnswer, HttpError> {
    let first = attempt(client, request, key, clock.now(), None, &mut on_proof).await?;
    match asked_nonce(&first) {
        Some(nonce) => attempt(client, request, key, clock.now(), Some(&nonce), &mut on_proof).await,
        None => Ok(first),
    }
}

/// One proof, one send.
async fn attempt(
    client: &reqwest::Client,
    request: &HttpRequest,
    key: &SecretString,
    now: i64,
    nonce: Option<&str>,
    on_proof: &mut impl FnMut(&str),
) -> Result<HttpAnswer, HttpError> {
    let jti = crate::services::issuer::random_token();
    let input = ProofInput {
        method: request.method.as_str(),
        url: &request.url,
        now,
        jti: &jti,
        nonce,
    };
    let proof = proof(key, &input).map_err(|e| HttpError::Client(e.to_string()))?;
    on_proof(&proof);
    let mut request = request.clone();
    request.headers.push(("dpop".to_owned(), proof));
    http::send(client, &request).await
}

/// The server's nonce, when it answered `use_dpop_nonce`.
fn asked_nonce(answer: &HttpAnswer) -> Option<String> {
    let body: serde_json::Value = serde_json::from_slice(&answer.body).ok()?;
    (body.get("error")? == "use_dpop_nonce").then(|| {
        answer
            .header(crate::core::protocol::header::DPOP_NONCE)
            .map(str::to_owned)
    })?
}
