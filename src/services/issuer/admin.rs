//! The admin routes of `tokenbench serve --admin` (also on with `--clock simulated`): the Management API's
//! signing-key routes (`keys`), `POST /admin/clock` to move a simulated clock and `POST /admin/buckets/reset`
//! to refill every rate-limit bucket, so scripts can demo rotation, expiry and refill without waiting. Only
//! loopback callers holding the admin token get through.

mod keys;

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

/// The environment variable that sets the admin token (for CI); never taken from the command line.
pub const TOKEN_VARIABLE: &str = "TOKENBENCH_ADMIN_TOKEN";
/// The shortest admin token accepted from [`TOKEN_VARIABLE`].
const MIN_TOKEN_CHARS: usize = 16;
/// 1970-01-01T00:00:00Z and 9999-12-31T23:59:59Z: the times the admin clock may be set to.
const EARLIEST: i64 = 0;
const LATEST: i64 = 253_402_300_799;
/// The longest single move of the admin clock: 100 years of 365.25 days.
const MAX_ADVANCE: i64 = 100 * 31_557_600;

/// What the admin routes need: the token callers must present and the clock they move.
#[derive(Debug, Clone)]
pub struct Admin {
    token: SecretString,
    /// The simulated clock `/admin/clock` moves; none when the issuer runs on the real clock.
    clock: Option<Arc<DemoClock>>,
    /// One key change at a time, so that a revocation checks and revokes the same previous key.
    key_changes: Arc<tokio::sync::Mutex<()>>,
}

impl Admin {
    /// Admin access with a fresh random token; `clock` is the simulated clock, if the issuer runs on one.
    pub fn new(clock: Option<Arc<DemoClock>>) -> Self {
        Self {
            token: SecretString::new(super::random_token()),
            clock,
            key_changes: Arc::default(),
        }
    }

    /// The same access with `token` instead of the random one.
    pub fn with_token(mut self, token: SecretString) -> Self {
        self.token = token;
        self
    }

    /// The token callers send as `Authorization: Bearer …`.
    pub fn token(&self) -> &SecretString {
        &self.token
    }
}

/// Checks an admin token taken from [`TOKEN_VARIABLE`]: at least 16 visible ASCII characters, so it fits an
/// `Authorization` header and is not guessed.
pub fn checked_token(value: String) -> Result<SecretString, String> {
    let visible = value.bytes().all(|b| b.is_ascii_graphic());
    if !visible || value.chars().count() < MIN_TOKEN_CHARS {
        return Err(format!(
            "{TOKEN_VARIABLE} must be at least {MIN_TOKEN_CHARS} visible ASCII characters without spaces: \
             set it to a random value, e.g. `openssl rand -hex 24`, or unset it for a token printed on stderr"
        ));
    }
    Ok(SecretString::new(value))
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
        .merge(keys::routes())
}

async fn change_clock(State(state): State<IssuerState>, request: Request) -> Response {
    let admin = match admit(&state, &request) {
        Ok(admin) => admin,
        Err(refusal) => return json_response(&refusal.into()),
    };
    let Some(clock) = admin.clock else {
        return json_response(
            &OAuthError::invalid_request(
                "the issuer runs on the real clock, which cannot be moved: start tokenbench serve with \
                 --clock simulated",
            )
            .into(),
        );
    };
    let body = axum::body::to_bytes(request.into_body(), super::BODY_LIMIT).await;
    let change = body
        .ok()
        .and_then(|bytes| serde_json::from_slice::<ClockChange>(&bytes).ok());
    let reply = match ClockMove::of(change).and_then(|movement| movement.apply(&clock)) {
        Ok(now) => Reply::ok(json!({ "now": now })),
        Err(refusal) => refusal.into(),
    };
    json_response(&reply)
}

/// A checked [`ClockChange`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ClockMove {
    Advance(i64),
    Set(i64),
    Real,
}

impl ClockMove {
    fn of(change: Option<ClockChange>) -> Result<Self, OAuthError> {
        match change.map(|c| (c.advance, c.set, c.real)) {
            Some((Some(seconds), None, None)) => Ok(Self::Advance(seconds)),
            Some((None, Some(epoch), None)) => Ok(Self::Set(epoch)),
            Some((None, None, Some(true))) => Ok(Self::Real),
            _ => Err(OAuthError::invalid_request(
                r#"send one of {"advance": SECONDS}, {"set": EPOCH_SECONDS} or {"real": true} as JSON"#,
            )),
        }
    }

    /// Moves `clock`, within 1970..=9999 and at most 100 years at once; the time after it, or why not.
    fn apply(self, clock: &DemoClock) -> Result<i64, OAuthError> {
        let target = match self {
            Self::Advance(seconds) if seconds.unsigned_abs() <= MAX_ADVANCE.unsigned_abs() => {
                clock.now().checked_add(seconds)
            }
            Self::Advance(_) => None,
            Self::Set(epoch) => Some(epoch),
            Self::Real => Some(EARLIEST),
        };
        if !target.is_some_and(|t| (EARLIEST..=LATEST).contains(&t)) {
            return Err(OAuthError::invalid_request(format!(
                "the clock must stay between {EARLIEST} (1970-01-01) and {LATEST} (9999-12-31T23:59:59Z), and \
                 one advance is at most {MAX_ADVANCE} seconds (100 years) either way"
            )));
        }
        match self {
            Self::Advance(seconds) => clock.advance(seconds),
            Self::Set(epoch) => clock.set(epoch),
            Self::Real => clock.reset(),
        }
        Ok(clock.now())
    }
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
            "the admin routes need tokenbench serve --admin (or --clock simulated)",
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
            "send Authorization: Bearer with the admin token: the one tokenbench serve printed on stderr, or \
             the value of TOKENBENCH_ADMIN_TOKEN",
        )),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "a test fails loudly")]
    use super::*;
    use crate::services::clock::SimulatedClock;

    fn frozen_at(seconds: i64) -> Arc<DemoClock> {
        let clock = DemoClock::following(SimulatedClock::at(seconds));
        clock.freeze();
        clock
    }

    #[test]
    fn the_clock_refuses_moves_that_would_wrap_or_leave_1970_to_9999() {
        let clock = frozen_at(1_750_000_000);
        for refused in [
            ClockMove::Advance(i64::MIN),
            ClockMove::Advance(i64::MAX),
            ClockMove::Advance(MAX_ADVANCE + 1),
            ClockMove::Advance(-MAX_ADVANCE),
            ClockMove::Set(i64::MIN),
            ClockMove::Set(-1),
            ClockMove::Set(LATEST + 1),
        ] {
            assert_eq!(refused.apply(&clock).unwrap_err().status, 400, "{refused:?}");
            assert_eq!(clock.now(), 1_750_000_000, "a refused change leaves the clock alone");
        }
        assert_eq!(ClockMove::Set(LATEST).apply(&clock).unwrap(), LATEST);
        assert_eq!(ClockMove::Advance(-60).apply(&clock).unwrap(), LATEST - 60);
        assert_eq!(
            ClockMove::Advance(MAX_ADVANCE).apply(&frozen_at(0)).unwrap(),
            MAX_ADVANCE
        );
    }

    #[test]
    fn a_change_names_exactly_one_move() {
        let change = |advance, set, real| Some(ClockChange { advance, set, real });
        assert_eq!(ClockMove::of(change(Some(6), None, None)), Ok(ClockMove::Advance(6)));
        assert_eq!(ClockMove::of(change(None, None, Some(true))), Ok(ClockMove::Real));
        assert!(ClockMove::of(change(Some(6), Some(1), None)).is_err());
        assert!(ClockMove::of(None).is_err());
    }

    #[test]
    fn an_admin_token_from_the_environment_must_be_long_and_visible() {
        assert!(checked_token("short".to_owned()).is_err());
        assert!(checked_token("with a space in it, long enough".to_owned()).is_err());
        assert!(checked_token(String::new()).is_err());
        let token = checked_token("0123456789abcdef".to_owned()).unwrap();
        assert_eq!(token.expose(), "0123456789abcdef");
    }
}
