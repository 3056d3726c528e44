//! Backend jobs for the window's local issuer: start it on the preferred port (or any free one when that is
//! taken), stop it, rotate its keys, list and refill its rate-limit buckets, change its injected faults. Requests it answers arrive as events, so the panel's log is live.

use super::{Outbox, StoreSlot};
use crate::core::tenant::{DEMO_TENANT, Faults, Tenant, parse};
use crate::services::clock::Clock;
use crate::services::issuer::{BucketKey, IssuerConfig, IssuerHandle, RequestRecord, StartError, start};
use crate::services::storage;
use crate::ui::command::{Event, IssuerEvent, MintedEvent};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

/// The running issuer, if any.
pub type IssuerSlot = Arc<Mutex<Option<IssuerHandle>>>;

/// Where the tenant to serve comes from.
#[derive(Debug, Clone)]
pub enum TenantSource {
    /// The demo tenant built into tokenbench.
    Demo,
    /// A tenant file chosen in the settings.
    File(PathBuf),
    /// A tenant edited in the window.
    Text(String),
}

impl From<Option<PathBuf>> for TenantSource {
    fn from(file: Option<PathBuf>) -> Self {
        file.map_or(Self::Demo, Self::File)
    }
}

/// Starts the issuer; reports `Started` or `StartFailed`.
pub async fn start_issuer(
    slot: IssuerSlot,
    store: StoreSlot,
    clock: Arc<dyn Clock>,
    (port, tenant): (u16, TenantSource),
    out: Outbox,
) {
    let event = match start_on(port, tenant, &store, &clock, &out).await {
        Ok(started) => install(&slot, started),
        Err(message) => IssuerEvent::StartFailed(message),
    };
    out.send(Event::Issuer(event));
}

/// Puts a started issuer in the slot (stopping any other) and returns its `Started` event.
fn install(slot: &IssuerSlot, (handle, fallback, tenant): (IssuerHandle, Option<String>, Tenant)) -> IssuerEvent {
    let event = IssuerEvent::Started {
        base_url: handle.base_url(),
        fallback,
        notes: handle.notes.clone(),
        tenant: Box::new(tenant),
        kids: handle.state.published_kids(),
    };
    if let Some(old) = lock(slot).replace(handle) {
        drop(tokio::spawn(old.stop()));
    }
    event
}

async fn start_on(
    port: u16,
    tenant: TenantSource,
    store: &StoreSlot,
    clock: &Arc<dyn Clock>,
    out: &Outbox,
) -> Result<(IssuerHandle, Option<String>, Tenant), String> {
    let tenant = load_tenant(tenant).await?;
    let secrets = {
        let store = store.clone();
        tokio::task::spawn_blocking(move || super::secrets::store(&store).0.clone())
            .await
            .map_err(|e| format!("the keyring could not be opened: {e}"))?
    };
    let sink_out = out.clone();
    let sink: crate::services::issuer::Sink = Arc::new(move |record: RequestRecord| {
        sink_out.send(Event::Issuer(IssuerEvent::Request(Box::new(record))));
    });
    let config = |port| IssuerConfig {
        port,
        ..IssuerConfig::new(tenant.clone())
    };
    match start(config(port), secrets.clone(), clock.clone(), sink.clone()).await {
        Ok(handle) => Ok((handle, None, tenant)),
        Err(StartError::Bind { .. }) if port != 0 => {
            let handle = start(config(0), secrets, clock.clone(), sink)
                .await
                .map_err(|e| e.to_string())?;
            let fallback = format!(
                "Port {port} is taken (another tokenbench or another program), so the issuer listens on port {} \
                 for now; stop the other program or choose another port to get a stable address",
                handle.addr.port()
            );
            Ok((handle, Some(fallback), tenant))
        }
        Err(e) => Err(e.to_string()),
    }
}

/// The tenant to serve: the demo tenant, a file's (read off the UI thread, capped like every chosen file), or
/// the text edited in the window.
async fn load_tenant(source: TenantSource) -> Result<Tenant, String> {
    let text = match source {
        TenantSource::Demo => DEMO_TENANT.to_owned(),
        TenantSource::File(path) => {
            tokio::task::spawn_blocking(move || storage::read_user_text(&path, "a tenant file"))
                .await
                .map_err(|e| e.to_string())??
        }
        TenantSource::Text(text) => text,
    };
    parse(&text)
        .map(|loaded| loaded.tenant)
        .map_err(|e| format!("the tenant cannot be served: {e}"))
}

/// What applying an edited tenant needs: the port, the tenant's text, the file to keep it in (when the window
/// keeps files), and the tenant served now (served again if the edited one cannot start).
pub struct TenantEdit {
    /// The port to serve on (the running issuer's).
    pub port: u16,
    /// The edited tenant.
    pub text: String,
    /// Where it is kept for the next start.
    pub file: Option<PathBuf>,
    /// The tenant served before.
    pub previous: TenantSource,
}

/// Restarts the issuer with an edited tenant: the running one stops first (so the new one gets its port), and
/// only once the new one runs is the tenant saved. If it cannot start (a secret reference that does not
/// resolve, say), the previous tenant is served again. Reports `Started` (or `StartFailed`), then
/// `TenantApplied`.
pub async fn apply_tenant(slot: IssuerSlot, store: StoreSlot, clock: Arc<dyn Clock>, edit: TenantEdit, out: Outbox) {
    let handle = lock(&slot).take();
    if let Some(handle) = handle
        && let Err(e) = handle.stop().await
    {
        tracing::warn!("the local issuer did not stop cleanly: {e}");
    }
    let TenantEdit {
        port,
        text,
        file,
        previous,
    } = edit;
    match start_on(port, TenantSource::Text(text.clone()), &store, &clock, &out).await {
        Ok(started) => {
            out.send(Event::Issuer(install(&slot, started)));
            let saved = save_tenant(file, text).await;
            out.send(Event::Issuer(IssuerEvent::TenantApplied(saved)));
        }
        Err(e) => {
            start_issuer(slot, store, clock, (port, previous), out.clone()).await;
            let message = format!("the edited tenant could not be served ({e}); the previous tenant is served again");
            out.send(Event::Issuer(IssuerEvent::TenantApplied(Err(message))));
        }
    }
}

/// Writes the tenant atomically to `file`, when there is one.
async fn save_tenant(file: Option<PathBuf>, text: String) -> Result<Option<PathBuf>, String> {
    let Some(path) = file else { return Ok(None) };
    let target = path.clone();
    match tokio::task::spawn_blocking(move || storage::write_atomic(&target, text.as_bytes())).await {
        Ok(Ok(())) => Ok(Some(path)),
        Ok(Err(e)) => Err(format!(
            "the tenant is served but was not saved to {} ({e}): it is lost when tokenbench closes",
            path.display()
        )),
        Err(e) => Err(e.to_string()),
    }
}

/// Stops the issuer (requests in flight finish) and reports `Stopped`.
pub async fn stop_issuer(slot: IssuerSlot, out: Outbox) {
    let handle = lock(&slot).take();
    if let Some(handle) = handle
        && let Err(e) = handle.stop().await
    {
        tracing::warn!("the local issuer did not stop cleanly: {e}");
    }
    out.send(Event::Issuer(IssuerEvent::Stopped));
}

/// Rotates or revokes keys and reports the published key ids.
pub fn change_keys(slot: &IssuerSlot, out: &Outbox, rotate: bool) {
    let guard = lock(slot);
    let Some(handle) = guard.as_ref() else { return };
    let result = if rotate {
        handle.state.rotate()
    } else {
        handle.state.revoke_previous()
    };
    let event = match result {
        Ok(()) => IssuerEvent::KeysChanged(handle.state.published_kids()),
        Err(e) => IssuerEvent::KeysNotChanged(e),
    };
    drop(guard);
    out.send(Event::Issuer(event));
}

fn lock(slot: &IssuerSlot) -> std::sync::MutexGuard<'_, Option<IssuerHandle>> {
    // Nothing panics while holding this lock; a poisoned slot still holds a consistent handle.
    slot.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Mints a sign-in's ID token with the running issuer's keys and clock.
pub fn sign_in(slot: &IssuerSlot, out: &Outbox, client_id: String, user_id: &str) {
    let result = match lock(slot).as_ref() {
        Some(handle) => handle.state.sign_in(&client_id, user_id),
        None => Err("the local issuer is not running: start it first".to_owned()),
    };
    out.send(Event::Minted(MintedEvent::SignedIn { client_id, result }));
}

/// Mints a subject token for the exchange form; reports [`MintedEvent::SubjectToken`].
pub fn mint_subject_token(slot: &IssuerSlot, out: &Outbox, kind: crate::core::protocol::SubjectTokenType) {
    let result = match lock(slot).as_ref() {
        Some(handle) => handle.state.mint_subject_token(kind),
        None => Err("the local issuer is not running: start it first".to_owned()),
    };
    out.send(Event::Minted(MintedEvent::SubjectToken { kind, result }));
}

/// Reports the running issuer's live buckets (none when it is stopped).
pub fn list_buckets(slot: &IssuerSlot, out: &Outbox) {
    let buckets = lock(slot).as_ref().map(|h| h.state.buckets()).unwrap_or_default();
    out.send(Event::Issuer(IssuerEvent::Buckets(buckets)));
}

/// Refills one bucket, or all with `None`, then reports the buckets.
pub fn reset_bucket(slot: &IssuerSlot, out: &Outbox, key: Option<&BucketKey>) {
    if let Some(handle) = lock(slot).as_ref() {
        // Whether a bucket existed does not matter: the list sent next shows what is left.
        let _ = match key {
            Some(key) => usize::from(handle.state.reset_bucket(key)),
            None => handle.state.reset_buckets(),
        };
    }
    list_buckets(slot, out);
}

/// Replaces the running issuer's injected faults.
pub fn set_faults(slot: &IssuerSlot, faults: Faults) {
    if let Some(handle) = lock(slot).as_ref() {
        handle.state.set_faults(faults);
    }
}

/// Reports the running issuer's live browser sessions (none when it is stopped).
pub fn list_sessions(slot: &IssuerSlot, out: &Outbox) {
    let sessions = lock(slot).as_ref().map(|h| h.state.sessions()).unwrap_or_default();
    out.send(Event::Issuer(IssuerEvent::Sessions(sessions)));
}

/// Signs one browser session out, then reports the sessions left.
pub fn end_session(slot: &IssuerSlot, out: &Outbox, handle: &str) {
    if let Some(running) = lock(slot).as_ref() {
        // A session already gone (expired, signed out in the browser) simply is not in the list sent next.
        let _ = running.state.end_session(handle);
    }
    list_sessions(slot, out);
}
