//! What the browser login flow remembers between requests, bounded in size: login transactions (an
//! `/authorize` request waiting for its login, with the form's CSRF token), sessions (the `auth0` cookie),
//! authorization codes (single use; a replay revokes what the code gave), opaque `/userinfo` tokens, and the
//! brute-force counters per identifier and IP.

use super::authorize::AuthRequest;
use std::collections::{BTreeMap, VecDeque};

/// How long a login page stays usable.
pub const TRANSACTION_LIFETIME: i64 = 3_600;
/// Authorization code lifetime: undocumented by Auth0; RFC 6749 recommends at most 10 minutes (spec §4.2).
pub const CODE_LIFETIME: i64 = 300;
/// Idle session lifetime, Auth0's default of 3 days (spec §3.3).
pub const SESSION_IDLE: i64 = 3 * 86_400;
/// Absolute session lifetime, Auth0's "Require log in after" default of 30 days.
pub const SESSION_ABSOLUTE: i64 = 30 * 86_400;
/// A brute-force block ends 30 days after the last failure (spec §7.5).
pub const BLOCK_LIFETIME: i64 = 30 * 86_400;
/// Entries of each kind kept before the oldest is forgotten.
const MAX_ENTRIES: usize = 10_000;

/// An `/authorize` request waiting for the user to log in.
#[derive(Debug, Clone)]
pub struct Transaction {
    /// The checked request.
    pub request: AuthRequest,
    /// The token the login form must send back.
    pub csrf: String,
    /// When it was made.
    pub created: i64,
}

/// A signed-in browser.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// The user.
    pub user_id: String,
    /// When the user last typed a password (`auth_time`).
    pub auth_time: i64,
    /// Last use, for the idle lifetime.
    pub last_seen: i64,
    /// The clients it signed in to, in order.
    pub clients: Vec<String>,
}

/// What an authorization code stands for.
#[derive(Debug, Clone)]
pub struct CodeGrant {
    /// The request it answered.
    pub request: AuthRequest,
    /// The user.
    pub user_id: String,
    /// The session (`sid`).
    pub sid: String,
    /// `auth_time`.
    pub auth_time: i64,
    /// When it expires.
    pub expires: i64,
    /// Set once exchanged: the refresh token it gave, revoked if the code comes back.
    pub spent: Option<Option<String>>,
}

/// An opaque access token good for `/userinfo` only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpaqueToken {
    /// The user.
    pub user_id: String,
    /// The client.
    pub client_id: String,
    /// When it expires.
    pub expires: i64,
    /// `cnf.jkt` when DPoP-bound.
    pub jkt: Option<String>,
}

/// A map that forgets its oldest entry past [`MAX_ENTRIES`].
#[derive(Debug, Clone)]
pub struct Bounded<V> {
    map: BTreeMap<String, V>,
    order: VecDeque<String>,
}

impl<V> Default for Bounded<V> {
    fn default() -> Self {
        Self {
            map: BTreeMap::new(),
            order: VecDeque::new(),
        }
    }
}

impl<V> Bounded<V> {
    /// Adds an entry, dropping the oldest when full.
    pub fn insert(&mut self, key: String, value: V) {
        while self.order.len() >= MAX_ENTRIES {
            if let Some(oldest) = self.order.pop_front() {
                self.map.remove(&oldest);
            }
        }
        self.order.push_back(key.clone());
        self.map.insert(key, value);
    }

    /// An entry.
    pub fn get(&self, key: &str) -> Option<&V> {
        self.map.get(key)
    }

    /// An entry, to change.
    pub fn get_mut(&mut self, key: &str) -> Option<&mut V> {
        self.map.get_mut(key)
    }

    /// Removes an entry (its place in the order goes when it is reached).
    pub fn remove(&mut self, key: &str) -> Option<V> {
        self.map.remove(key)
    }

    /// Every entry.
    pub fn iter(&self) -> impl Iterator<Item = (&String, &V)> {
        self.map.iter()
    }
}

/// The whole login state of an issuer.
#[derive(Debug, Clone, Default)]
pub struct LoginState {
    /// Login pages in progress, by `state` (the transaction id).
    pub transactions: Bounded<Transaction>,
    /// Sessions by id (`sid`, the cookie value).
    pub sessions: Bounded<Session>,
    /// Authorization codes.
    pub codes: Bounded<CodeGrant>,
    /// Opaque `/userinfo` tokens.
    pub opaque: Bounded<OpaqueToken>,
    /// Failed logins per (identifier, IP): count and time of the last.
    failures: BTreeMap<(String, String), (u32, i64)>,
    /// `jti`s of DPoP proofs seen at `/userinfo`.
    proofs: super::dpop::DpopState,
}

impl LoginState {
    /// The live session with this id, touched; expired ones are forgotten.
    pub fn session(&mut self, sid: &str, now: i64) -> Option<Session> {
        let live = self
            .sessions
            .get(sid)
            .is_some_and(|s| now - s.last_seen < SESSION_IDLE && now - s.auth_time < SESSION_ABSOLUTE);
        if !live {
            self.sessions.remove(sid);
            return None;
        }
        let session = self.sessions.get_mut(sid)?;
        session.last_seen = now;
        Some(session.clone())
    }

    /// Whether logins for `identifier` from `ip` are blocked.
    pub fn blocked(&self, identifier: &str, ip: &str, threshold: u32, now: i64) -> bool {
        self.failures
            .get(&(identifier.to_ascii_lowercase(), ip.to_owned()))
            .is_some_and(|(count, last)| *count >= threshold && now - last < BLOCK_LIFETIME)
    }

    /// Counts a failed login.
    pub fn failed(&mut self, identifier: &str, ip: &str, now: i64) {
        if self.failures.len() >= MAX_ENTRIES {
            self.failures.retain(|_, (_, last)| now - *last < BLOCK_LIFETIME);
        }
        let entry = self
            .failures
            .entry((identifier.to_ascii_lowercase(), ip.to_owned()))
            .or_insert((0, now));
        entry.0 = entry.0.saturating_add(1);
        entry.1 = now;
    }

    /// A successful login resets the count.
    pub fn succeeded(&mut self, identifier: &str, ip: &str) {
        self.failures.remove(&(identifier.to_ascii_lowercase(), ip.to_owned()));
    }

    /// Records a `/userinfo` DPoP proof's `jti`; false when it was already used.
    pub fn use_proof(&mut self, jti: &str, now: i64) -> bool {
        self.proofs.use_jti(jti, now)
    }

    /// The live sessions at `now`, each with its handle (never the cookie value, which signs a browser in).
    pub fn live_sessions(&self, now: i64) -> Vec<(String, Session)> {
        let mut live: Vec<(String, Session)> = self
            .sessions
            .iter()
            .filter(|(_, s)| now - s.last_seen < SESSION_IDLE && now - s.auth_time < SESSION_ABSOLUTE)
            .map(|(sid, s)| (handle(sid), s.clone()))
            .collect();
        live.sort_by_key(|(_, s)| std::cmp::Reverse(s.auth_time));
        live
    }

    /// Ends the session with this handle; whether there was one.
    pub fn end_by_handle(&mut self, wanted: &str) -> bool {
        let sid = self
            .sessions
            .iter()
            .map(|(sid, _)| sid)
            .find(|sid| handle(sid) == wanted)
            .cloned();
        sid.is_some_and(|sid| self.end_session(&sid))
    }

    /// Ends a session; whether it existed.
    pub fn end_session(&mut self, sid: &str) -> bool {
        self.sessions.remove(sid).is_some()
    }
}

/// A session's public name: the first 12 characters of the SHA-256 of its id.
pub fn handle(sid: &str) -> String {
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, sid.as_bytes());
    crate::core::jwt::decode::base64url(digest.as_ref())
        .chars()
        .take(12)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_threshold_blocks_per_identifier_and_ip_until_success() {
        let mut state = LoginState::default();
        for _ in 0..3 {
            state.failed("Alice@demo.local", "10.0.0.1", 100);
        }
        assert!(state.blocked("alice@demo.local", "10.0.0.1", 3, 101));
        assert!(!state.blocked("alice@demo.local", "10.0.0.2", 3, 101));
        assert!(!state.blocked("alice@demo.local", "10.0.0.1", 4, 101));
        assert!(!state.blocked("alice@demo.local", "10.0.0.1", 3, 100 + BLOCK_LIFETIME));
        state.succeeded("alice@demo.local", "10.0.0.1");
        assert!(!state.blocked("alice@demo.local", "10.0.0.1", 1, 101));
    }

    #[test]
    fn sessions_expire_when_idle() {
        let mut state = LoginState::default();
        let session = Session {
            user_id: "auth0|alice".into(),
            auth_time: 0,
            last_seen: 0,
            clients: vec![],
        };
        state.sessions.insert("s".into(), session);
        assert!(state.session("s", SESSION_IDLE - 1).is_some());
        assert!(state.session("s", 2 * SESSION_IDLE - 2).is_some(), "use keeps it alive");
        assert!(state.session("s", 3 * SESSION_IDLE).is_none());
        assert!(state.session("s", 0).is_none(), "an expired session is forgotten");
    }

    #[test]
    fn sessions_are_listed_and_ended_by_handle_not_by_cookie() {
        let mut state = LoginState::default();
        let session = Session {
            user_id: "auth0|alice".into(),
            auth_time: 5,
            last_seen: 5,
            clients: vec!["demo-spa".into()],
        };
        state.sessions.insert("cookie-value".into(), session);
        let live = state.live_sessions(10);
        assert_eq!(live.len(), 1);
        assert_ne!(live[0].0, "cookie-value");
        assert!(!state.end_by_handle("cookie-value"));
        assert!(state.end_by_handle(&live[0].0));
        assert!(state.live_sessions(10).is_empty());
    }
}
