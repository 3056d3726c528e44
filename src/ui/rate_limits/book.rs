//! What every answer's rate-limit headers said, by (environment, endpoint, user): the model behind the Rate
//! limits tab and the forms' throttle line, kept by the app and fed by every answer the forms receive.

use crate::core::har::Entry;
use crate::core::http::HttpAnswer;
use crate::core::ratelimit::headers::{RateLimitState, read};
use std::collections::BTreeMap;

/// Most points kept per row for the timeline.
const TIMELINE_POINTS: usize = 200;
/// Most points kept per row of a capture (its whole story is the point of reading it).
const CAPTURE_POINTS: usize = 5_000;

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

/// Buckets by `(environment, endpoint URL, user)`, and those of captures apart, never mixed with them.
#[derive(Default)]
pub struct RateBook {
    /// Every bucket seen live.
    pub buckets: BTreeMap<(String, String, String), Bucket>,
    /// The buckets of each capture read, by file name, then by `(host+path, user)`, on the capture's times.
    pub captures: BTreeMap<String, BTreeMap<(String, String), Bucket>>,
}

/// Adds a point to `bucket` (made from `state` when new), keeping at most `cap` points.
fn record(bucket: &mut Bucket, state: RateLimitState, point: Point, cap: usize) {
    bucket.timeline.push(point);
    if bucket.timeline.len() > cap {
        bucket.timeline.remove(0);
    }
    if point.throttled {
        bucket.last_throttled = Some(point.at);
    }
    bucket.state = state;
}

fn new_bucket(state: &RateLimitState) -> Bucket {
    Bucket {
        state: state.clone(),
        last_throttled: None,
        timeline: Vec::new(),
    }
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
        let point = Point {
            at: now,
            remaining: state.remaining.value(),
            throttled: answer.status == 429,
            entry,
        };
        let key = (environment.to_owned(), url.to_owned(), user.to_owned());
        let bucket = self.buckets.entry(key).or_insert_with(|| new_bucket(&state));
        record(bucket, state, point, TIMELINE_POINTS);
    }

    /// Takes the `X-RateLimit-*` and `Retry-After` headers of a capture's entry, at the entry's time, on the
    /// timeline of `(host+path, user)` of the capture `file`. The user is the request's `client_id`, else the
    /// client of the token it sent.
    pub fn observe_capture(&mut self, file: &str, entry: &Entry) {
        let Some(at) = entry.started_seconds() else { return };
        let state = read(&entry.response_headers, at);
        if !state.is_present() && entry.status != 429 {
            return;
        }
        let point = Point {
            at,
            remaining: state.remaining.value(),
            throttled: entry.status == 429,
            entry: u64::try_from(entry.index).ok(),
        };
        let key = (format!("{}{}", entry.host, entry.path), capture_user(entry));
        let buckets = self.captures.entry(file.to_owned()).or_default();
        let bucket = buckets.entry(key).or_insert_with(|| new_bucket(&state));
        record(bucket, state, point, CAPTURE_POINTS);
    }

    /// Forgets the timelines of the capture `file`.
    pub fn remove_capture(&mut self, file: &str) {
        self.captures.remove(file);
    }

    /// When a request to `url` in `environment` for `user` would pass, if the last answer said it would not
    /// pass now.
    pub fn throttled_until(&self, (environment, url, user): (&str, &str, &str), now: i64) -> Option<i64> {
        let key = (environment.to_owned(), url.to_owned(), user.to_owned());
        let bucket = self.buckets.get(&key)?;
        bucket.state.next_allowed(now).filter(|at| *at > now)
    }
}

/// Who a capture's request was for: its `client_id`, else the client of a token it sent, else "unknown user".
fn capture_user(entry: &Entry) -> String {
    let sent_client = entry
        .tokens
        .iter()
        .filter(|t| t.is_sent())
        .find_map(|t| t.jwt.as_ref().and_then(|facts| facts.client.clone()));
    entry
        .client_id
        .clone()
        .or(sent_client)
        .unwrap_or_else(|| "unknown user".to_owned())
}
