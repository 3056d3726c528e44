//! The local issuer's request handling, pure: parameters and `now` in, an Auth0-shaped reply out. The
//! service (`services::issuer`) owns the sockets, the clock and the keyring, and holds one [`Issuer`] behind
//! a read-write lock: requests that change nothing, or only the `/delegation` limiter (its own mutex), take
//! `&self` and sign in parallel; the others take `&mut self`.

pub mod artifacts;
pub mod authorize;
pub mod buckets;
pub mod certificate;
pub mod claims;
mod code_grant;
pub mod delegation;
pub mod dpop;
pub mod error;
mod exchange;
pub mod fault;
pub mod key_history;
pub mod keys;
mod login;
mod logout;
pub mod mint;
pub mod pages;
pub mod params;
pub mod record;
pub mod respond;
pub mod session;
pub mod social;
pub mod token;
mod userinfo;
pub mod web;
pub mod wellknown;

pub use error::{OAuthError, Reply};
pub use keys::{KeySet, SigningKey};
pub use params::Params;

use crate::core::ratelimit::{Limit, RateLimiter};
use crate::core::secret::SecretString;
use crate::core::tenant::Tenant;
use crate::core::tenant::check::{client_secret_path, google_signing_key_path, signing_key_path};
use std::collections::BTreeMap;
use std::sync::{Mutex, MutexGuard, PoisonError};

/// Resolved secret values, keyed by [`crate::core::tenant::SecretSlot::path`].
pub type Secrets = BTreeMap<String, SecretString>;

/// What a request brings besides its parameters.
pub struct Ctx<'a> {
    /// Now, in Unix seconds, from the service's clock.
    pub now: i64,
    /// The issuer's base URL without a trailing slash, e.g. `http://127.0.0.1:4000`.
    pub base_url: &'a str,
    /// The caller's IP address (rate-limit key).
    pub ip: &'a str,
    /// A fresh random URL-safe string (refresh tokens, simulated credentials).
    pub random: &'a dyn Fn() -> String,
    /// The `DPoP` request header, if any.
    pub dpop: Option<&'a str>,
    /// The `Origin` request header of a browser's cross-origin call, if any.
    pub origin: Option<&'a str>,
}

impl Ctx<'_> {
    /// `iss` of every token: the base URL with a trailing slash, as Auth0.
    pub fn issuer(&self) -> String {
        format!("{}/", self.base_url)
    }
}

/// A refresh token's grant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefreshGrant {
    /// The client it was issued to.
    pub client_id: String,
    /// The user.
    pub user_id: String,
    /// The scopes granted.
    pub scope: Vec<String>,
    /// The API, if any.
    pub audience: Option<String>,
}

/// The issuer's whole state.
pub struct Issuer {
    /// The tenant.
    pub tenant: Tenant,
    secrets: Secrets,
    /// Signing keys.
    pub keys: KeySet,
    /// Behind its own lock so that `/delegation` takes `&self`.
    delegation_limit: Mutex<RateLimiter>,
    exchange_limit: RateLimiter,
    /// Behind its own lock so that every grant takes `&self`.
    refresh: Mutex<session::Bounded<RefreshGrant>>,
    /// Login transactions, sessions, codes, opaque tokens and brute-force counters.
    login: Mutex<session::LoginState>,
    /// The simulated Google key, when the tenant's secret resolved.
    google_key: Option<SigningKey>,
    /// Nonces of Apple codes and Facebook tokens already exchanged.
    used_artifacts: social::UsedNonces,
    dpop: dpop::DpopState,
}

impl Issuer {
    /// An issuer for `tenant` with its resolved secrets; the signing key comes from the secrets and `next`
    /// is published for rotation.
    pub fn new(tenant: Tenant, secrets: Secrets, next: SigningKey) -> Result<Self, keys::KeyError> {
        let pem = secrets.get(&signing_key_path()).cloned().unwrap_or_default();
        let current = SigningKey::from_pem(&pem, "the tenant signing_key")?;
        let google_key = secrets
            .get(&google_signing_key_path())
            .map(|pem| SigningKey::from_pem(pem, "the tenant google_signing_key"))
            .transpose()?;
        let limiter = |bucket: &crate::core::tenant::BucketConfig| {
            RateLimiter::new(Limit {
                capacity: bucket.capacity,
                per_minute: bucket.per_minute,
                mode: bucket.mode,
            })
        };
        Ok(Self {
            delegation_limit: Mutex::new(limiter(&tenant.rate_limits.delegation)),
            exchange_limit: limiter(&tenant.rate_limits.token_exchange),
            tenant,
            secrets,
            keys: KeySet::new(current, next),
            refresh: Mutex::default(),
            login: Mutex::default(),
            google_key,
            used_artifacts: social::UsedNonces::default(),
            dpop: dpop::DpopState::default(),
        })
    }

    /// A resolved secret by path.
    pub fn secret(&self, path: &str) -> Option<&SecretString> {
        self.secrets.get(path)
    }

    /// A client's secret.
    pub fn client_secret(&self, client_id: &str) -> Option<&SecretString> {
        self.secret(&client_secret_path(client_id))
    }

    fn remember_refresh(&self, token: String, grant: RefreshGrant) {
        lock(&self.refresh).insert(token, grant);
    }

    fn refresh_grant(&self, token: &str) -> Option<RefreshGrant> {
        lock(&self.refresh).get(token).cloned()
    }

    /// Forgets a refresh token; whether it was known.
    fn revoke_refresh(&self, token: &str) -> bool {
        lock(&self.refresh).remove(token).is_some()
    }

    /// The login state (transactions, sessions, codes, opaque tokens, brute-force counters).
    pub fn login_state(&self) -> MutexGuard<'_, session::LoginState> {
        lock(&self.login)
    }

    pub(crate) fn delegation_limit(&self) -> MutexGuard<'_, RateLimiter> {
        // `take` does not panic midway; a poisoned limiter is still consistent.
        self.delegation_limit.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn delegation_limit_mut(&mut self) -> &mut RateLimiter {
        self.delegation_limit.get_mut().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Locks a mutex; nothing panics while holding these, and a poisoned one is still consistent.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Compares two values in constant time (CSRF tokens).
pub fn secrets_match_plain(given: &str, expected: &str) -> bool {
    aws_lc_rs::constant_time::verify_slices_are_equal(given.as_bytes(), expected.as_bytes()).is_ok()
}

/// Compares secrets in constant time.
pub fn secrets_match(given: &str, expected: &SecretString) -> bool {
    aws_lc_rs::constant_time::verify_slices_are_equal(given.as_bytes(), expected.expose().as_bytes()).is_ok()
}
