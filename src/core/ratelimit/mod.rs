//! Rate limits both ways: the issuer's token bucket ([`bucket`]) and what a client reads from any answer's
//! headers ([`headers`]): `X-RateLimit-*`, the IETF `RateLimit`/`RateLimit-Policy` fields and `Retry-After`.

pub mod bucket;
pub mod headers;

pub use bucket::{BucketView, Decision, Limit, RateLimiter, RefillMode};
