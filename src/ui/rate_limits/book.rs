//! What every answer's rate-limit headers said, by (environment, endpoint, user): the model behind the Rate
//! limits tab and the forms' throttle line, kept by the app and fed by every answer the forms receive.

use crate::core::http::HttpAnswer;
use crate::core::ratelimit::headers::{RateLimitState, read};
use std::collections::BTreeMap;

/// Most points kept per row for the timeline.
const TIMELINE_POINTS: usize = 200;

/// One answer on a bucket's timeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Point {
    /// When it arrived (Unix seconds, on the app's clock).
    pub at: i64,
    /// `X-RateLimit-Remaining`, when readable.
    pub remaining: Option<u64>,
    /// Whether it was a 429.
    pub throttled: bool,
    /// The History entry of the request, when it was kept.
    pub entry: Option<u64>,
}

/// Where an answer came from and when.
#[derive(Debug, Clone, Copy)]
pub struct Source<'a> {
    /// The environment's name (e.g. "Local issuer").
    pub environment: &'a str,
    /// The endpoint URL.
    pub url: &'a str,
    /// The user the request was for (the rate limit is per IP and user).
    pub user: &'a str,
    /// When the answer arrived (Unix seconds, on the app's clock).
    pub now: i64,
    /// The request's History entry, when it was kept.
    pub entry: Option<u64>,
}

/// What one (environment, endpoint, user) has seen.
#[derive(Debug, Clone)]
pub struct Bucket {
    /// The latest headers.
    pub state: RateLimitState,
    /// When the last 429 came.
    pub last_throttled: Option<i64>,
    /// In arrival order, at most [`TIMELINE_POINTS`].
    pub timeline: Vec<Point>,
}

/// Buckets by `(environment, endpoint URL, user)`.
#[derive(Default)]
pub struct RateBook {
    /// Every bucket seen.
    pub buckets: BTreeMap<(String, String, String), Bucket>,
}

impl RateBook {
    /// Takes the rate-limit headers of an answer.
    pub fn observe(&mut self, source: Source<'_>, answer: &HttpAnswer) {
        let Source {
            environment,
            url,
            user,
            now,
            entry,
        } = source;
        let state = read(&answer.headers, now);
        if !state.is_present() && answer.status != 429 {
            return;
        }
        let throttled = answer.status == 429;
        let bucket = self
            .buckets
            .entry((environment.to_owned(), url.to_owned(), user.to_owned()))
            .or_insert_with(|| Bucket {
                state: state.clone(),
                last_throttled: None,
                timeline: Vec::new(),
            });
        bucket.timeline.push(Point {
            at: now,
            remaining: state.remaining.value(),
            throttled,
            entry,
        });
        if bucket.timeline.len() > TIMELINE_POINTS {
            bucket.timeline.remove(0);
        }
        if throttled {
            bucket.last_throttled = Some(now);
        }
        bucket.state = state;
    }

    /// When a request to `url` in `environment` for `user` would pass, if the last answer said it would not
    /// pass now.
    pub fn throttled_until(&self, (environment, url, user): (&str, &str, &str), now: i64) -> Option<i64> {
        let key = (environment.to_owned(), url.to_owned(), user.to_owned());
        let bucket = self.buckets.get(&key)?;
        bucket.state.next_allowed(now).filter(|at| *at > now)
    }
}
