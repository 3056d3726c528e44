//! The issuer's live rate-limit buckets, for the window's rate-limit view and the admin routes: which
//! (IP, user) has how many tokens left and when the next one comes, and resetting one or all of them.

use super::Issuer;
use crate::core::ratelimit::RateLimiter;

/// Which limiter a bucket belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Limiter {
    /// `/delegation`, keyed by (IP, user).
    Delegation,
    /// Native social token exchange at `/oauth/token`, keyed by IP.
    Exchange,
}

impl Limiter {
    /// The endpoint, for display.
    pub fn name(self) -> &'static str {
        match self {
            Self::Delegation => "/delegation",
            Self::Exchange => "token exchange",
        }
    }
}

/// Names one bucket.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct BucketKey {
    /// The limiter.
    pub limiter: Limiter,
    /// The caller's IP address.
    pub ip: String,
    /// The user (`/delegation` only).
    pub user: Option<String>,
}

impl BucketKey {
    fn limiter_key(&self) -> String {
        match &self.user {
            Some(user) => format!("{}|{user}", self.ip),
            None => self.ip.clone(),
        }
    }

    /// `127.0.0.1 · auth0|alice`, for display.
    pub fn label(&self) -> String {
        match &self.user {
            Some(user) => format!("{} {} · {}", self.limiter.name(), self.ip, user.escape_debug()),
            None => format!("{} {}", self.limiter.name(), self.ip),
        }
    }
}

/// One live bucket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveBucket {
    /// Whose bucket.
    pub key: BucketKey,
    /// Whole tokens left.
    pub tokens: u32,
    /// The bucket's size.
    pub capacity: u32,
    /// The epoch second of the next token; `None` when full.
    pub next_refill: Option<i64>,
}

impl Issuer {
    /// The live buckets of `/delegation` and, when its limit is on, of the token exchange, at `now`.
    pub fn buckets(&self, now: i64) -> Vec<LiveBucket> {
        let mut live = live_buckets(Limiter::Delegation, &self.delegation_limit(), now);
        if self.tenant.rate_limits.token_exchange.enabled {
            live.extend(live_buckets(Limiter::Exchange, &self.exchange_limit, now));
        }
        live
    }

    /// Forgets one bucket (it starts full again); whether it existed.
    pub fn reset_bucket(&mut self, key: &BucketKey) -> bool {
        let limiter_key = key.limiter_key();
        match key.limiter {
            Limiter::Delegation => self.delegation_limit_mut().reset(&limiter_key),
            Limiter::Exchange => self.exchange_limit.reset(&limiter_key),
        }
    }

    /// Forgets every bucket of both limiters; how many there were.
    pub fn reset_buckets(&mut self) -> usize {
        self.delegation_limit_mut().reset_all() + self.exchange_limit.reset_all()
    }
}

/// One limiter's buckets as the panel shows them.
fn live_buckets(limiter: Limiter, buckets: &RateLimiter, now: i64) -> Vec<LiveBucket> {
    let capacity = buckets.limit().capacity;
    buckets
        .buckets(now)
        .into_iter()
        .map(|view| LiveBucket {
            key: split_key(limiter, &view.key),
            tokens: view.tokens,
            capacity,
            next_refill: view.next_refill,
        })
        .collect()
}

/// `/delegation` keys are `IP|user`; an IP never holds `|`, a user ID may (`auth0|alice`).
fn split_key(limiter: Limiter, key: &str) -> BucketKey {
    let (ip, user) = match (limiter, key.split_once('|')) {
        (Limiter::Delegation, Some((ip, user))) => (ip, Some(user.to_owned())),
        (Limiter::Delegation | Limiter::Exchange, _) => (key, None),
    };
    BucketKey {
        limiter,
        ip: ip.to_owned(),
        user,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_delegation_key_splits_at_the_first_bar_and_joins_back() {
        let key = split_key(Limiter::Delegation, "127.0.0.1|auth0|alice");
        assert_eq!(
            (key.ip.as_str(), key.user.as_deref()),
            ("127.0.0.1", Some("auth0|alice"))
        );
        assert_eq!(key.limiter_key(), "127.0.0.1|auth0|alice");
        let key = split_key(Limiter::Exchange, "::1");
        assert_eq!((key.ip.as_str(), key.user), ("::1", None));
    }
}
