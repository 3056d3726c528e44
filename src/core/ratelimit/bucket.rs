//! The issuer's token bucket, on an injected clock (Unix seconds). Auth0 documents three readings of its
//! limits (spec §4), so the refill is a setting: `continuous` (one token every 60/R s, counted per second),
//! `literal` (+1 a minute) and `fixed_window` (full again at the top of each minute).

use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// How a bucket refills.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RefillMode {
    /// R tokens a minute, added second by second (Auth0's current policy).
    #[default]
    Continuous,
    /// One token a minute, as the `/delegation` reference page reads literally.
    Literal,
    /// Topped up to capacity at the start of each minute (the policy's worked examples).
    FixedWindow,
}

/// Capacity, refill rate and mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    /// Bucket size.
    pub capacity: u32,
    /// Tokens added per minute (continuous mode).
    pub per_minute: u32,
    /// Refill mode.
    pub mode: RefillMode,
}

/// The answer for one request, with what the `X-RateLimit-*` headers report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decision {
    /// Whether the request may proceed.
    pub allowed: bool,
    /// `X-RateLimit-Limit`.
    pub limit: u32,
    /// `X-RateLimit-Remaining`, after this request.
    pub remaining: u32,
    /// `X-RateLimit-Reset`: the epoch second at which the next token is added.
    pub reset: i64,
}

/// One live bucket as the rate-limit view shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BucketView {
    /// The bucket's key, e.g. `127.0.0.1|auth0|alice`.
    pub key: String,
    /// Whole tokens left.
    pub tokens: u32,
    /// The epoch second at which the next token is added; `None` when the bucket is full.
    pub next_refill: Option<i64>,
}

/// Tokens are counted in sixtieths so that R tokens a minute is exactly R sixtieths a second.
const UNIT: u64 = 60;

#[derive(Debug, Clone, Copy)]
struct Bucket {
    sixtieths: u64,
    anchor: i64,
}

/// One bucket per key (e.g. IP and user).
#[derive(Debug, Clone)]
pub struct RateLimiter {
    limit: Limit,
    buckets: HashMap<String, Bucket>,
}

/// Buckets kept before full ones are forgotten (a full bucket is the same as no bucket).
const MAX_BUCKETS: usize = 10_000;

impl RateLimiter {
    /// A limiter; capacity and rate below 1 are raised to 1.
    pub fn new(limit: Limit) -> Self {
        let limit = Limit {
            capacity: limit.capacity.max(1),
            per_minute: limit.per_minute.max(1),
            mode: limit.mode,
        };
        Self {
            limit,
            buckets: HashMap::new(),
        }
    }

    /// The limit in force.
    pub fn limit(&self) -> Limit {
        self.limit
    }

    /// Takes one token from `key`'s bucket at `now`.
    pub fn take(&mut self, key: &str, now: i64) -> Decision {
        if self.buckets.len() >= MAX_BUCKETS {
            self.forget_full(now);
        }
        let limit = self.limit;
        let full = u64::from(limit.capacity) * UNIT;
        let bucket = self.buckets.entry(key.to_owned()).or_insert(Bucket {
            sixtieths: full,
            anchor: now,
        });
        refill(bucket, limit, now);
        let allowed = bucket.sixtieths >= UNIT;
        if allowed {
            bucket.sixtieths -= UNIT;
        }
        Decision {
            allowed,
            limit: limit.capacity,
            remaining: u32::try_from(bucket.sixtieths / UNIT).unwrap_or(u32::MAX),
            reset: next_token_at(bucket, limit, now),
        }
    }

    /// Every live bucket at `now`, sorted by key: tokens left and the epoch second of the next token (`None`
    /// when full).
    pub fn buckets(&self, now: i64) -> Vec<BucketView> {
        let limit = self.limit;
        let full = u64::from(limit.capacity) * UNIT;
        let mut views: Vec<BucketView> = self
            .buckets
            .iter()
            .map(|(key, bucket)| {
                let mut bucket = *bucket;
                refill(&mut bucket, limit, now);
                BucketView {
                    key: key.clone(),
                    tokens: u32::try_from(bucket.sixtieths / UNIT).unwrap_or(u32::MAX),
                    next_refill: (bucket.sixtieths < full).then(|| next_token_at(&bucket, limit, now)),
                }
            })
            .collect();
        views.sort_by(|a, b| a.key.cmp(&b.key));
        views
    }

    /// Forgets `key`'s bucket (it starts full again); whether there was one.
    pub fn reset(&mut self, key: &str) -> bool {
        self.buckets.remove(key).is_some()
    }

    /// Forgets every bucket; how many there were.
    pub fn reset_all(&mut self) -> usize {
        let count = self.buckets.len();
        self.buckets.clear();
        count
    }

    fn forget_full(&mut self, now: i64) {
        let limit = self.limit;
        let full = u64::from(limit.capacity) * UNIT;
        self.buckets.retain(|_, b| {
            refill(b, limit, now);
            b.sixtieths < full
        });
    }
}

fn refill(bucket: &mut Bucket, limit: Limit, now: i64) {
    let full = u64::from(limit.capacity) * UNIT;
    let elapsed = u64::try_from(now.saturating_sub(bucket.anchor)).unwrap_or(0);
    match limit.mode {
        RefillMode::Continuous => {
            let added = elapsed.saturating_mul(u64::from(limit.per_minute));
            bucket.sixtieths = bucket.sixtieths.saturating_add(added).min(full);
            bucket.anchor = bucket.anchor.max(now);
        }
        RefillMode::Literal => {
            let minutes = elapsed / 60;
            bucket.sixtieths = bucket.sixtieths.saturating_add(minutes.saturating_mul(UNIT)).min(full);
            bucket.anchor = if bucket.sixtieths == full {
                now
            } else {
                bucket
                    .anchor
                    .saturating_add(i64::try_from(minutes * 60).unwrap_or(i64::MAX))
            };
        }
        RefillMode::FixedWindow => {
            let window = now.div_euclid(60) * 60;
            if window != bucket.anchor.div_euclid(60) * 60 {
                bucket.sixtieths = full;
            }
            bucket.anchor = window;
        }
    }
}

fn next_token_at(bucket: &Bucket, limit: Limit, now: i64) -> i64 {
    match limit.mode {
        RefillMode::Continuous => {
            let missing = UNIT - bucket.sixtieths % UNIT;
            let rate = u64::from(limit.per_minute);
            now + i64::try_from(missing.div_ceil(rate)).unwrap_or(60)
        }
        RefillMode::Literal | RefillMode::FixedWindow => bucket.anchor + 60,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limiter(mode: RefillMode) -> RateLimiter {
        RateLimiter::new(Limit {
            capacity: 10,
            per_minute: 10,
            mode,
        })
    }

    fn take_n(limiter: &mut RateLimiter, n: usize, now: i64) -> Vec<bool> {
        (0..n).map(|_| limiter.take("ip|user", now).allowed).collect()
    }

    #[test]
    fn continuous_admits_capacity_then_refuses_then_one_more_after_six_seconds() {
        let mut limiter = limiter(RefillMode::Continuous);
        assert!(take_n(&mut limiter, 10, 1000).iter().all(|a| *a));
        let refused = limiter.take("ip|user", 1000);
        assert_eq!((refused.allowed, refused.remaining, refused.reset), (false, 0, 1006));
        assert!(!limiter.take("ip|user", 1005).allowed);
        let again = limiter.take("ip|user", 1006);
        assert!(again.allowed);
        assert!(!limiter.take("ip|user", 1006).allowed);
    }

    #[test]
    fn remaining_counts_down_and_reset_names_the_next_token() {
        let mut limiter = limiter(RefillMode::Continuous);
        let first = limiter.take("k", 50);
        assert_eq!((first.limit, first.remaining, first.reset), (10, 9, 56));
    }

    #[test]
    fn keys_have_separate_buckets() {
        let mut limiter = limiter(RefillMode::Continuous);
        take_n(&mut limiter, 10, 0);
        assert!(!limiter.take("ip|user", 0).allowed);
        assert!(limiter.take("ip|other", 0).allowed);
    }

    #[test]
    fn literal_mode_adds_one_token_a_minute() {
        let mut limiter = limiter(RefillMode::Literal);
        take_n(&mut limiter, 10, 0);
        let refused = limiter.take("ip|user", 30);
        assert_eq!((refused.allowed, refused.reset), (false, 60));
        assert!(limiter.take("ip|user", 60).allowed);
        assert!(!limiter.take("ip|user", 61).allowed);
        assert_eq!(take_n(&mut limiter, 3, 180), [true, true, false]);
    }

    #[test]
    fn fixed_window_tops_up_at_the_start_of_each_minute() {
        let mut limiter = limiter(RefillMode::FixedWindow);
        take_n(&mut limiter, 10, 65);
        let refused = limiter.take("ip|user", 119);
        assert_eq!((refused.allowed, refused.reset), (false, 120));
        assert_eq!(take_n(&mut limiter, 11, 120).iter().filter(|a| **a).count(), 10);
    }

    #[test]
    fn live_buckets_show_tokens_left_and_the_next_refill_and_reset_forgets_them() {
        let mut limiter = limiter(RefillMode::Continuous);
        take_n(&mut limiter, 3, 100);
        limiter.take("other", 100);
        let views = limiter.buckets(100);
        assert_eq!(
            views,
            [
                BucketView {
                    key: "ip|user".to_owned(),
                    tokens: 7,
                    next_refill: Some(106)
                },
                BucketView {
                    key: "other".to_owned(),
                    tokens: 9,
                    next_refill: Some(106)
                },
            ]
        );
        assert_eq!(
            limiter.buckets(200)[0].next_refill,
            None,
            "a full bucket has no next refill"
        );
        assert!(limiter.reset("ip|user"));
        assert!(!limiter.reset("ip|user"));
        assert_eq!(limiter.reset_all(), 1);
        assert!(limiter.buckets(100).is_empty());
    }

    #[test]
    fn fast_rates_add_several_tokens_a_second() {
        let mut limiter = RateLimiter::new(Limit {
            capacity: 5,
            per_minute: 120,
            mode: RefillMode::Continuous,
        });
        take_n(&mut limiter, 5, 0);
        assert_eq!(take_n(&mut limiter, 3, 1), [true, true, false]);
    }
}
