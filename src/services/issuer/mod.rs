//! The local issuer as an HTTP server (axum on tokio): routes, body limit, timeout, request records,
//! start and graceful stop. Request handling itself is pure (`core::issuer`); this file does the effects.

mod accept;
pub mod admin;
pub mod browser;
pub mod connections;
pub mod guard;
pub mod key_rotation;
pub mod resolve;

pub use crate::core::issuer::record::{self, RequestRecord, Sink};

pub use crate::core::issuer::buckets::{BucketKey, Limiter, LiveBucket};

use crate::core::issuer::certificate::common_name;
use crate::core::issuer::fault::{forced_reply, truncated_body};
use crate::core::issuer::{Ctx, Issuer, OAuthError, Params, Reply, SigningKey};
use crate::core::jwt::decode::base64url;
use crate::core::protocol::header::{FAULT_INJECTED, X_TOKENBENCH_FAULT};
use crate::core::ratelimit::headers::x_ratelimit_values;
use crate::core::tenant::{Failure, Fault, FaultEndpoint, Faults, SecretShape, Tenant};
use crate::services::clock::Clock;
use crate::services::secrets::SecretStore;
use admin::Admin;
use axum::Router;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use connections::{Connections, DroppingListener};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::{Arc, PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::Duration;

/// Default time for a request's header to arrive.
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(10);

/// Largest request body accepted; larger bodies get 413.
pub const BODY_LIMIT: usize = 64 * 1024;

/// How the server listens.
#[derive(Debug, Clone)]
pub struct IssuerConfig {
    /// The tenant to serve.
    pub tenant: Tenant,
    /// Address to bind, 127.0.0.1 by default.
    pub bind: IpAddr,
    /// Port; 0 picks a free one.
    pub port: u16,
    /// Longest a request may take, body included.
    pub timeout: Duration,
    /// The admin routes (`serve --clock simulated`); none by default.
    pub admin: Option<Admin>,
    /// A public URL the issuer is also reached at (a tunnel or proxy); its host passes the `Host` check.
    pub public_url: Option<url::Url>,
    /// How long a client may take to send a request's header (and a kept-alive connection may stay idle).
    pub header_timeout: Duration,
}

impl IssuerConfig {
    /// Loopback, an ephemeral port, a 10-second timeout.
    pub fn new(tenant: Tenant) -> Self {
        Self {
            tenant,
            bind: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: 0,
            timeout: Duration::from_secs(10),
            admin: None,
            public_url: None,
            header_timeout: HEADER_TIMEOUT,
        }
    }
}

/// Why the issuer could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// A secret reference could not be resolved.
    #[error("the tenant's secrets could not be resolved:\n  {}", .0.join("\n  "))]
    Secrets(Vec<String>),
    /// A key is unusable.
    #[error("{0}")]
    Key(String),
    /// The address could not be bound.
    #[error("cannot listen on {addr}: {source}. Choose another port with --port, or 0 for any free port")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// The OS error.
        source: std::io::Error,
    },
}

/// Shared state of the router.
#[derive(Clone)]
pub struct IssuerState {
    /// Read for every request that changes nothing (most of them, signing included), write for the rest.
    issuer: Arc<RwLock<Issuer>>,
    clock: Arc<dyn Clock>,
    sink: Sink,
    base_url: Arc<str>,
    timeout: Duration,
    connections: Arc<Connections>,
    admin: Option<Arc<Admin>>,
    /// Where rotations are kept, for a signing key tokenbench generated.
    rotation: Option<Arc<key_rotation::RotationStore>>,
    /// The host of `--public-url`, accepted besides loopback names.
    public_host: Option<Arc<str>>,
}

impl IssuerState {
    /// State for `issuer`, answering as `base_url` (no trailing slash).
    pub fn new(issuer: Issuer, clock: Arc<dyn Clock>, sink: Sink, base_url: &str, timeout: Duration) -> Self {
        Self {
            issuer: Arc::new(RwLock::new(issuer)),
            clock,
            sink,
            base_url: Arc::from(base_url),
            timeout,
            connections: Arc::default(),
            admin: None,
            rotation: None,
            public_host: None,
        }
    }

    /// The same state accepting `host` (lowercase, with its port when not the default) in `Host` headers.
    pub fn with_public_host(mut self, host: Option<String>) -> Self {
        self.public_host = host.map(Arc::from);
        self
    }

    /// The same state with the admin routes on.
    pub fn with_admin(mut self, admin: Admin) -> Self {
        self.admin = Some(Arc::new(admin));
        self
    }

    /// The live rate-limit buckets at the issuer's clock.
    pub fn buckets(&self) -> Vec<LiveBucket> {
        let now = self.clock.now();
        self.read().buckets(now)
    }

    /// Refills one bucket; whether it existed.
    pub fn reset_bucket(&self, key: &BucketKey) -> bool {
        self.write().reset_bucket(key)
    }

    /// Refills every bucket; how many there were.
    pub fn reset_buckets(&self) -> usize {
        self.write().reset_buckets()
    }

    /// The injected faults in force.
    pub fn faults(&self) -> Faults {
        self.read().tenant.settings.faults.clone()
    }

    /// Replaces the injected faults; the next request sees them.
    pub fn set_faults(&self, faults: Faults) {
        self.write().tenant.settings.faults = faults;
    }

    fn fault_for(&self, endpoint: FaultEndpoint) -> Option<Fault> {
        let fault = self.read().tenant.settings.faults.of(endpoint).clone();
        fault.is_active().then_some(fault)
    }

    // Handlers do not panic while holding the lock; if one did, the state is still consistent.
    fn read(&self) -> RwLockReadGuard<'_, Issuer> {
        self.issuer.read().unwrap_or_else(PoisonError::into_inner)
    }

    fn write(&self) -> RwLockWriteGuard<'_, Issuer> {
        self.issuer.write().unwrap_or_else(PoisonError::into_inner)
    }

    /// Makes the next key current (previous still published), and publishes a new next key; kept in the keyring
    /// for a generated signing key, so a restart serves the same keys.
    pub fn rotate(&self) -> Result<(), String> {
        let pem = resolve::fresh(SecretShape::RsaKey)?;
        let now = self.clock.now();
        let next = SigningKey::from_pem(&pem, "the new key")
            .and_then(|key| key.with_certificate(&common_name(&self.base_url), now))
            .map_err(|e| e.to_string())?;
        if let Some(rotation) = &self.rotation {
            rotation.rotate(&pem)?;
        }
        self.write().keys.rotate(next, now);
        Ok(())
    }

    /// Stops publishing the previous key (and forgets it in the keyring).
    pub fn revoke_previous(&self) -> Result<(), String> {
        let now = self.clock.now();
        self.write().keys.revoke_previous(now);
        self.rotation
            .as_ref()
            .map_or(Ok(()), |rotation| rotation.revoke_previous())
    }

    /// Keeps rotations in the keyring.
    pub fn with_rotation(mut self, rotation: Option<Arc<key_rotation::RotationStore>>) -> Self {
        self.rotation = rotation;
        self
    }

    /// An ID token for `user_id` at `client_id`, as a sign-in would give (for the window's "Sign in as").
    pub fn sign_in(&self, client_id: &str, user_id: &str) -> Result<String, String> {
        self.locally(|issuer, ctx| issuer.sign_in(client_id, user_id, ctx))
    }

    /// A fresh subject token of `kind` for the provider's demo user, which this issuer's exchange accepts.
    pub fn mint_subject_token(&self, kind: crate::core::protocol::SubjectTokenType) -> Result<String, String> {
        let sub = crate::core::issuer::artifacts::demo_subject(kind);
        self.locally(|issuer, ctx| issuer.mint_subject_token(kind, sub, None, ctx))
    }

    /// Runs `job` on the issuer as a request from this machine would, now on the service's clock.
    fn locally<T>(&self, job: impl FnOnce(&Issuer, &Ctx<'_>) -> T) -> T {
        let random = random_token;
        let ctx = Ctx {
            now: self.clock.now(),
            base_url: &self.base_url,
            ip: "127.0.0.1",
            random: &random,
            dpop: None,
            origin: None,
        };
        job(&self.read(), &ctx)
    }

    /// The live browser sessions, newest first, each with its handle (not its cookie).
    pub fn sessions(&self) -> Vec<(String, crate::core::issuer::session::Session)> {
        let now = self.clock.now();
        self.read().login_state().live_sessions(now)
    }

    /// Signs a browser session out; whether it was live.
    pub fn end_session(&self, handle: &str) -> bool {
        self.read().login_state().end_by_handle(handle)
    }

    /// The `kid`s the JWKS publishes now, in order: current, next, previous.
    pub fn published_kids(&self) -> Vec<String> {
        let jwks = self.read().keys.jwks();
        jwks["keys"]
            .as_array()
            .map(|keys| {
                keys.iter()
                    .filter_map(|k| k["kid"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// Builds an [`Issuer`]: resolves secrets (blocking: keyring calls) and generates the next signing key.
pub fn build_issuer(tenant: Tenant, store: &dyn SecretStore) -> Result<(Issuer, Vec<String>), StartError> {
    build_issuer_with(tenant, store, None)
}

/// As [`build_issuer`], with the next and previous keys kept by `rotation` (a generated signing key).
pub fn build_issuer_with(
    tenant: Tenant,
    store: &dyn SecretStore,
    rotation: Option<&key_rotation::RotationStore>,
) -> Result<(Issuer, Vec<String>), StartError> {
    let key_error = |e: crate::core::issuer::keys::KeyError| StartError::Key(e.to_string());
    let resolved = resolve::resolve(&tenant, store).map_err(StartError::Secrets)?;
    let next_pem = match rotation {
        Some(rotation) => rotation.next_key(),
        None => resolve::fresh(SecretShape::RsaKey),
    }
    .map_err(StartError::Key)?;
    let next = SigningKey::from_pem(&next_pem, "the next signing key").map_err(key_error)?;
    let mut issuer = Issuer::new(tenant, resolved.secrets, next).map_err(key_error)?;
    if let Some(previous) = rotation.and_then(key_rotation::RotationStore::previous_key) {
        issuer.keys.previous = Some(SigningKey::from_pem(&previous, "the previous signing key").map_err(key_error)?);
    }
    Ok((issuer, resolved.notes))
}

/// The routes.
pub fn router(state: IssuerState) -> Router {
    let timeout = state.timeout;
    let routes = if state.admin.is_some() {
        admin::routes()
    } else {
        Router::new()
    };
    routes
        .merge(api_routes())
        .merge(browser::routes())
        .fallback(|State(state): State<IssuerState>, request: Request| handle(state, request, Target::Unknown))
        .layer(axum::middleware::from_fn_with_state(state.clone(), guard::cors))
        .layer(axum::middleware::from_fn(
            move |req: Request, next: axum::middleware::Next| async move {
                match tokio::time::timeout(timeout, next.run(req)).await {
                    Ok(response) => response,
                    Err(_) => json_response(
                        &OAuthError::other(
                            408,
                            "request_timeout",
                            "the request took too long: send the whole body at once",
                        )
                        .into(),
                    ),
                }
            },
        ))
        .layer(axum::middleware::from_fn_with_state(state.clone(), guard::host))
        .with_state(state)
}

/// One of the JSON endpoints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Api {
    Delegation,
    Token,
    Discovery,
    Jwks,
    Userinfo,
    Revoke,
}

impl Api {
    /// Where its injected faults are configured.
    fn fault_endpoint(self) -> Option<FaultEndpoint> {
        match self {
            Self::Delegation => Some(FaultEndpoint::Delegation),
            Self::Token => Some(FaultEndpoint::Token),
            Self::Discovery | Self::Jwks => Some(FaultEndpoint::Discovery),
            Self::Userinfo | Self::Revoke => None,
        }
    }
}

/// What a request reached: an endpoint, a known path with a method it does not take, or nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    Api(Api),
    WrongMethod,
    Unknown,
}

/// The JSON endpoints, each on its own route; another method on one of them gets an Auth0-shaped 405.
fn api_routes() -> Router<IssuerState> {
    let to = |target: Target| move |State(state): State<IssuerState>, request: Request| handle(state, request, target);
    let wrong_method = to(Target::WrongMethod);
    let api = |api: Api| to(Target::Api(api));
    Router::new()
        .route("/delegation", post(api(Api::Delegation)).fallback(wrong_method))
        .route("/oauth/token", post(api(Api::Token)).fallback(wrong_method))
        .route("/oauth/revoke", post(api(Api::Revoke)).fallback(wrong_method))
        .route(
            "/.well-known/openid-configuration",
            get(api(Api::Discovery)).fallback(wrong_method),
        )
        .route("/.well-known/jwks.json", get(api(Api::Jwks)).fallback(wrong_method))
        .route(
            "/userinfo",
            get(api(Api::Userinfo)).post(api(Api::Userinfo)).fallback(wrong_method),
        )
}

/// Reads the body, applies an injected fault, answers, and logs: the pipeline every JSON endpoint shares.
async fn handle(state: IssuerState, request: Request, target: Target) -> Response {
    let (parts, body) = request.into_parts();
    let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0);
    let ip = peer.map_or_else(|| "unknown".to_owned(), |p| p.ip().to_string());
    let path = parts.uri.path().to_owned();
    let fault = match target {
        Target::Api(api) => api.fault_endpoint().and_then(|e| state.fault_for(e)),
        Target::WrongMethod | Target::Unknown => None,
    };
    let bytes = axum::body::to_bytes(body, BODY_LIMIT).await;
    if let Some(fault) = &fault {
        let latency = fault.latency_ms.min(crate::core::tenant::faults::MAX_LATENCY_MS);
        tokio::time::sleep(Duration::from_millis(latency)).await;
    }
    let (params, mut reply) = match (bytes, fault.as_ref().and_then(forced_reply)) {
        (Err(_), _) => (
            Params::default(),
            OAuthError::other(
                413,
                "request_entity_too_large",
                "the request body is larger than 64 KiB",
            )
            .into(),
        ),
        (Ok(_), Some(forced)) => (Params::default(), forced),
        (Ok(bytes), None) => answer(&state, target, (&parts.method, &path), &parts.headers, (&bytes, &ip)),
    };
    let failure = fault.as_ref().map_or(Failure::None, |f| f.failure);
    let description = fault.as_ref().and_then(Fault::describe);
    match failure {
        Failure::DropConnection => {
            let dropped = peer.is_some_and(|p| state.connections.drop_connection(p));
            if dropped {
                reply.status = 0;
            }
            report(&state, &parts.method, &path, &params, &reply, description);
            json_response(&reply)
        }
        Failure::MalformedBody => {
            report(&state, &parts.method, &path, &params, &reply, description);
            malformed_response(&reply)
        }
        Failure::None | Failure::TooManyRequests | Failure::ServerError | Failure::Unavailable => {
            report(&state, &parts.method, &path, &params, &reply, description);
            json_response(&reply)
        }
    }
}

/// 200 with the reply's JSON cut in half (the "malformed body" fault), marked as injected.
fn malformed_response(reply: &Reply) -> Response {
    let mut response = (StatusCode::OK, truncated_body(reply)).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        header::HeaderName::from_static(X_TOKENBENCH_FAULT),
        HeaderValue::from_static(FAULT_INJECTED),
    );
    response
}

fn answer(
    state: &IssuerState,
    target: Target,
    (method, path): (&Method, &str),
    headers: &HeaderMap,
    (body, ip): (&[u8], &str),
) -> (Params, Reply) {
    let header = |name| headers.get(name).and_then(|v: &HeaderValue| v.to_str().ok());
    let random = random_token;
    let ctx = Ctx {
        now: state.clock.now(),
        base_url: &state.base_url,
        ip,
        random: &random,
        dpop: header(header::HeaderName::from_static("dpop")),
        origin: header(header::ORIGIN),
    };
    let parsed = if *method == Method::POST {
        Params::parse(header(header::CONTENT_TYPE), body)
    } else {
        Ok(Params::default())
    };
    let params = match parsed {
        Ok(p) => p,
        Err(e) => return (Params::default(), e.into()),
    };
    let authorization = header(header::AUTHORIZATION);
    let reply = match target {
        Target::Api(Api::Delegation) => state.read().delegation(&params, &ctx),
        Target::Api(Api::Token) => {
            let shared = state.read().token_shared(&params, authorization, &ctx);
            shared.unwrap_or_else(|| state.write().token(&params, authorization, &ctx))
        }
        Target::Api(Api::Discovery) => state.read().discovery(&ctx),
        Target::Api(Api::Jwks) => state.read().jwks(),
        Target::Api(Api::Userinfo) => state.read().userinfo(method.as_str(), authorization, &ctx),
        Target::Api(Api::Revoke) => state.read().revoke(&params, authorization, &ctx),
        Target::WrongMethod => {
            OAuthError::other(405, "method_not_allowed", format!("{method} is not allowed on {path}")).into()
        }
        Target::Unknown => OAuthError::other(
            404,
            "not_found",
            format!("no endpoint {path}: see /.well-known/openid-configuration"),
        )
        .into(),
    };
    (params, reply)
}

fn report(state: &IssuerState, method: &Method, path: &str, params: &Params, reply: &Reply, fault: Option<String>) {
    let rate_limit = x_ratelimit_values(&reply.headers);
    (state.sink)(RequestRecord {
        method: method.to_string(),
        path: path.to_owned(),
        status: reply.status,
        client_id: reply.client_id.clone(),
        user: reply.user.clone(),
        time: state.clock.now(),
        rate_limit,
        request: record::redact_params(params),
        response: record::redact_body(&reply.body),
        fault,
    });
}

pub(crate) fn json_response(reply: &Reply) -> Response {
    let status = StatusCode::from_u16(reply.status).unwrap_or(StatusCode::BAD_REQUEST);
    // A null body is an empty one (`/oauth/revoke` answers 200 with nothing, as Auth0).
    let mut response = if reply.body.is_null() {
        (status, [(header::CONTENT_TYPE, "application/json")]).into_response()
    } else {
        (status, axum::Json(&reply.body)).into_response()
    };
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    for (name, value) in &reply.headers {
        if let Ok(v) = HeaderValue::from_str(value) {
            headers.insert(*name, v);
        }
    }
    response
}

/// 24 random bytes as base64url: refresh tokens, nonces, simulated credentials.
pub fn random_token() -> String {
    let mut bytes = [0u8; 24];
    // aws-lc-rs's random source does not fail on supported systems; if it did, a counter keeps the tokens
    // unique, which is all a local test issuer's refresh-token bookkeeping needs.
    if aws_lc_rs::rand::fill(&mut bytes).is_err() {
        static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
        bytes[..8].copy_from_slice(&COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed).to_le_bytes());
    }
    base64url(&bytes)
}

/// A running issuer.
pub struct IssuerHandle {
    /// The bound address.
    pub addr: SocketAddr,
    /// The state (for rotation from the window).
    pub state: IssuerState,
    /// Lines about secrets kept in memory only.
    pub notes: Vec<String>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl IssuerHandle {
    /// The base URL, e.g. `http://127.0.0.1:4000`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops accepting, lets requests in flight finish, and waits.
    pub async fn stop(mut self) -> std::io::Result<()> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        match self.task.await {
            Ok(result) => result,
            Err(e) => Err(std::io::Error::other(e.to_string())),
        }
    }
}

/// Resolves the tenant's secrets, binds, and serves until [`IssuerHandle::stop`].
pub async fn start(
    config: IssuerConfig,
    secrets: Arc<dyn SecretStore>,
    clock: Arc<dyn Clock>,
    sink: Sink,
) -> Result<IssuerHandle, StartError> {
    let addr = SocketAddr::new(config.bind, config.port);
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|source| StartError::Bind { addr, source })?;
    let addr = listener
        .local_addr()
        .map_err(|source| StartError::Bind { addr, source })?;
    let tenant = config.tenant;
    let rotation = key_rotation::RotationStore::for_tenant(&tenant, secrets.clone()).map(Arc::new);
    let kept = rotation.clone();
    let built = tokio::task::spawn_blocking(move || build_issuer_with(tenant, secrets.as_ref(), kept.as_deref())).await;
    let (mut issuer, notes) = built.map_err(|e| StartError::Key(e.to_string()))??;
    let public_host = config.public_url.as_ref().and_then(guard::authority);
    let base_url = config.public_url.as_ref().map_or_else(
        || format!("http://{addr}"),
        |u| u.as_str().trim_end_matches('/').to_owned(),
    );
    let common_name = common_name(&base_url);
    let certified = issuer.keys.start(&common_name, clock.now());
    certified.map_err(|e| StartError::Key(e.to_string()))?;
    let mut state = IssuerState::new(issuer, clock, sink, &base_url, config.timeout)
        .with_rotation(rotation)
        .with_public_host(public_host);
    if let Some(admin) = config.admin {
        state = state.with_admin(admin);
    }
    let listener = DroppingListener::new(listener, state.connections.clone());
    let app = router(state.clone());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let header_timeout = config.header_timeout;
    let task = tokio::spawn(async move {
        accept::serve(listener, app, header_timeout, async move {
            let _ = stopped.await;
        })
        .await
    });
    Ok(IssuerHandle {
        addr,
        state,
        notes,
        stop: Some(stop),
        task,
    })
}

/// A sink that drops every record.
pub fn no_sink() -> Sink {
    Arc::new(|_: RequestRecord| {})
}
