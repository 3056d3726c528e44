//! Response header names (lowercase, as HTTP/2 sends them; compare case-insensitively) that carry rate
//! limits, retry hints, DPoP nonces and the local issuer's fault marker.

/// Auth0: requests allowed per window.
pub const X_RATELIMIT_LIMIT: &str = "x-ratelimit-limit";
/// Auth0: requests left in the window.
pub const X_RATELIMIT_REMAINING: &str = "x-ratelimit-remaining";
/// Auth0: when a request is added back, epoch seconds.
pub const X_RATELIMIT_RESET: &str = "x-ratelimit-reset";
/// Seconds (or an HTTP date) to wait before sending again.
pub const RETRY_AFTER: &str = "retry-after";
/// The IETF draft's structured field `limit=…, remaining=…, reset=…`.
pub const RATELIMIT: &str = "ratelimit";
/// The IETF draft's separate limit field.
pub const RATELIMIT_LIMIT: &str = "ratelimit-limit";
/// The IETF draft's separate remaining field.
pub const RATELIMIT_REMAINING: &str = "ratelimit-remaining";
/// The IETF draft's separate reset field (seconds from now).
pub const RATELIMIT_RESET: &str = "ratelimit-reset";
/// The IETF draft's policy field.
pub const RATELIMIT_POLICY: &str = "ratelimit-policy";
/// The nonce a server wants in the next DPoP proof.
pub const DPOP_NONCE: &str = "dpop-nonce";
/// Set by the local issuer on an answer an injected fault forced (tenant `settings.faults`), value
/// [`FAULT_INJECTED`]; a real Auth0 tenant never sends it.
pub const X_TOKENBENCH_FAULT: &str = "x-tokenbench-fault";
/// The value of [`X_TOKENBENCH_FAULT`].
pub const FAULT_INJECTED: &str = "injected";
