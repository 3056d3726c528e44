//! Problems across the entries of a capture, each pointing at its entries: tokens sent after their `exp`,
//! 429 answers with the requests of their rate-limit window, id tokens for another client (on `/delegation`,
//! for another than the target), access tokens sent to a host outside their audience, `alg: none` or HMAC id
//! tokens, refresh tokens spent twice, tokens in URL queries, and clock skew between the capture and the
//! tokens' `iat`.

use super::entry::Entry;
use super::tokens::{Carrier, FoundToken, TokenKind};
use crate::core::jwt::time::human_duration;
use crate::core::ratelimit::headers::wait_advice;
use serde::Serialize;
use std::collections::{BTreeSet, HashMap};

/// More difference than this between a token's `iat` and the capture's time is clock skew.
pub const CLOCK_SKEW_LIMIT_SECONDS: i64 = 60;
/// The longest a 429 finding looks back: Auth0 states its Authentication API limits per minute (and its
/// Management API limits per second), so a request over a minute before a 429 counts towards no limit it hit.
pub const RATE_LIMIT_WINDOW_SECONDS: i64 = 60;
/// The most earlier requests a 429 finding points at (the latest ones), so that it stays readable.
pub const MAX_REQUESTS_BEFORE_429: usize = 20;

/// What kind of problem.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingKind {
    /// A JWT sent after its `exp`.
    SentAfterExpiry,
    /// A 429 answer.
    RateLimited,
    /// An id token whose `aud` is not the client that asked for it.
    IdTokenForAnotherClient,
    /// An access token sent to a host that is not among its audiences.
    AccessTokenToForeignHost,
    /// An id token signed with `none` or an HMAC algorithm.
    WeakIdTokenAlgorithm,
    /// One refresh token sent in two requests or more.
    RefreshTokenReused,
    /// A token in the query of a URL.
    TokenInQuery,
    /// `iat` far from the capture's time.
    ClockSkew,
}

impl FindingKind {
    /// Stable code for listings and JSON.
    pub fn code(self) -> &'static str {
        match self {
            Self::SentAfterExpiry => "sent_after_expiry",
            Self::RateLimited => "rate_limited",
            Self::IdTokenForAnotherClient => "id_token_for_another_client",
            Self::AccessTokenToForeignHost => "access_token_to_foreign_host",
            Self::WeakIdTokenAlgorithm => "weak_id_token_algorithm",
            Self::RefreshTokenReused => "refresh_token_reused",
            Self::TokenInQuery => "token_in_query",
            Self::ClockSkew => "clock_skew",
        }
    }
}

/// One finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HarFinding {
    /// What kind.
    pub kind: FindingKind,
    /// The entries it is about, from 1, in order.
    pub entries: Vec<usize>,
    /// What happened and what to do.
    pub message: String,
}

impl std::fmt::Display for HarFinding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let entries: Vec<String> = self.entries.iter().map(ToString::to_string).collect();
        write!(
            f,
            "{} (entries {}): {}",
            self.kind.code(),
            entries.join(", "),
            self.message
        )
    }
}

fn finding(kind: FindingKind, entries: impl IntoIterator<Item = usize>, message: String) -> HarFinding {
    let entries: BTreeSet<usize> = entries.into_iter().collect();
    HarFinding {
        kind,
        entries: entries.into_iter().collect(),
        message,
    }
}

/// Every finding of a capture, check by check, each in entry order.
pub fn findings(entries: &[Entry]) -> Vec<HarFinding> {
    let mut out = Vec::new();
    sent_after_expiry(entries, &mut out);
    rate_limited(entries, &mut out);
    id_tokens_for_another_client(entries, &mut out);
    access_tokens_to_foreign_hosts(entries, &mut out);
    weak_id_token_algorithms(entries, &mut out);
    refresh_tokens_reused(entries, &mut out);
    tokens_in_queries(entries, &mut out);
    clock_skew(entries, &mut out);
    out
}

/// The JWTs of an entry, with their claims.
fn jwts(entry: &Entry) -> impl Iterator<Item = (&FoundToken, &super::tokens::JwtFacts)> {
    entry
        .tokens
        .iter()
        .filter_map(|t| t.jwt.as_ref().map(|facts| (t, facts)))
}

fn is_id_token_field(field: &str) -> bool {
    field == "id_token" || field == "id_token_hint"
}

fn sent_after_expiry(entries: &[Entry], out: &mut Vec<HarFinding>) {
    for entry in entries {
        let Some(at) = entry.started_seconds() else { continue };
        // A DPoP proof has no exp; an id_token_hint may be expired by design (OIDC logout).
        let sent = jwts(entry).filter(|(t, _)| t.is_sent() && t.field() != "dpop" && t.field() != "id_token_hint");
        for (token, facts) in sent {
            if let Some(exp) = facts.exp.filter(|exp| *exp < at) {
                let late = human_duration(u64::try_from(at - exp).unwrap_or_default());
                out.push(finding(
                    FindingKind::SentAfterExpiry,
                    [entry.index],
                    format!(
                        "{} #{} was sent {late} after its exp ({exp}): the server rejects it; refresh the token \
                         before it expires",
                        token.place, token.fingerprint
                    ),
                ));
            }
        }
    }
}

fn rate_limited(entries: &[Entry], out: &mut Vec<HarFinding>) {
    for (position, entry) in entries.iter().enumerate() {
        if entry.status != 429 {
            continue;
        }
        let (before, before_text) = match RateLimitWindow::before(&entries[..position], entry) {
            Some(window) => {
                let text = window.describe(&entry.host);
                (window.shown, text)
            }
            None => (
                Vec::new(),
                "; its time is unknown, so the requests before it cannot be placed in its rate-limit window".to_owned(),
            ),
        };
        out.push(finding(
            FindingKind::RateLimited,
            before.iter().copied().chain([entry.index]),
            format!(
                "entry {} ({} {}{}) answered 429 Too Many Requests{before_text}; {}",
                entry.index,
                entry.method,
                entry.host,
                entry.path,
                wait_advice(&entry.response_headers)
            ),
        ));
    }
}

/// The requests to a 429's host that counted towards the limit it hit: those of the rate-limit window that
/// ends with the 429. The window starts at the later of
/// - the last time the limit reset, as far as the capture shows: the latest `X-RateLimit-Reset` of an earlier
///   answer from that host that had passed when the 429 came. Auth0 sends in it the moment the limit is
///   whole again, so a request before that moment no longer counted;
/// - [`RATE_LIMIT_WINDOW_SECONDS`] before the 429, the longest window Auth0 states its limits over, and the
///   whole window when no answer said when its limit reset.
///
/// Entries are taken in file order up to the 429 and placed by their `startedDateTime`; one without a time
/// cannot be placed and is left out. Only the latest [`MAX_REQUESTS_BEFORE_429`] are pointed at.
struct RateLimitWindow {
    /// Entry numbers in the window, at most [`MAX_REQUESTS_BEFORE_429`], the latest ones.
    shown: Vec<usize>,
    /// How many requests the window holds.
    total: usize,
    /// The `X-RateLimit-Reset` that starts the window, when one does.
    since_reset: Option<i64>,
}

impl RateLimitWindow {
    /// The window before `throttled`, from the entries before it in the file; `None` when it has no time.
    fn before(earlier: &[Entry], throttled: &Entry) -> Option<Self> {
        let at = throttled.started_ms?;
        let same_host = || earlier.iter().filter(|e| e.host == throttled.host);
        let floor = at.saturating_sub(RATE_LIMIT_WINDOW_SECONDS.saturating_mul(1000));
        let since_reset = same_host()
            .filter_map(|e| e.rate_limit.reset_at)
            .filter(|reset| (floor..=at).contains(&reset.saturating_mul(1000)))
            .max();
        let start = since_reset.map_or(floor, |reset| reset.saturating_mul(1000));
        let inside: Vec<usize> = same_host()
            .filter(|e| e.started_ms.is_some_and(|ms| (start..=at).contains(&ms)))
            .map(|e| e.index)
            .collect();
        Some(Self {
            total: inside.len(),
            shown: inside[inside.len().saturating_sub(MAX_REQUESTS_BEFORE_429)..].to_vec(),
            since_reset,
        })
    }

    /// What the finding says of the window, after "answered 429 Too Many Requests".
    fn describe(&self, host: &str) -> String {
        let window = match self.since_reset {
            Some(reset) => format!("since its limit last reset (X-RateLimit-Reset {reset} of an earlier answer)"),
            None => format!("in the {RATE_LIMIT_WINDOW_SECONDS} s before it"),
        };
        match (self.total, self.shown.first()) {
            (_, None) => format!("; no other request went to {host} {window}"),
            (1, Some(first)) => format!("; 1 request went to {host} {window}: entry {first}"),
            (total, Some(first)) if total == self.shown.len() => {
                format!("; {total} requests went to {host} {window}, from entry {first}")
            }
            (total, Some(first)) => format!(
                "; {total} requests went to {host} {window}; the last {} are listed, from entry {first}",
                self.shown.len()
            ),
        }
    }
}

/// An id token answered to a client must name it in `aud`. On legacy `/delegation` the client sends its own
/// id token (whose `aud` must be its `client_id`) and is answered with one for the `target` client, so the
/// answer's `aud` is compared with `target` (with `client_id` when the request names no target).
fn id_tokens_for_another_client(entries: &[Entry], out: &mut Vec<HarFinding>) {
    for entry in entries {
        let Some(client) = entry.client_id.as_deref() else {
            continue;
        };
        let delegation = entry.is_delegation();
        for (token, facts) in jwts(entry).filter(|(t, _)| t.field() == "id_token") {
            let expected = match (token.is_sent(), delegation) {
                (false, true) => entry.target.as_deref().unwrap_or(client),
                (false, false) | (true, true) => client,
                (true, false) => continue,
            };
            if facts.aud.iter().any(|aud| aud == expected) {
                continue;
            }
            let why = match (token.is_sent(), entry.target.as_deref().filter(|_| delegation)) {
                (true, _) => format!(
                    "but client_id {client} sent it to /delegation: delegation exchanges the client's own id token; \
                     send the id token issued to {client}"
                ),
                (false, Some(target)) => format!(
                    "but the /delegation request asked for target {target}: the client must reject it; check the \
                     target and the delegation settings of both applications"
                ),
                (false, None) => format!(
                    "but the request came from client_id {client}: the client must reject it; check which \
                     application the tenant issued it for"
                ),
            };
            out.push(finding(
                FindingKind::IdTokenForAnotherClient,
                [entry.index],
                format!("{} #{} has aud {:?} {why}", token.place, token.fingerprint, facts.aud),
            ));
        }
    }
}

/// The host of an audience (`https://api.example.com/` → `api.example.com`), or the audience itself.
fn audience_host(aud: &str) -> String {
    url::Url::parse(aud)
        .ok()
        .and_then(|u| u.host_str().map(str::to_owned))
        .unwrap_or_else(|| aud.to_owned())
}

fn access_tokens_to_foreign_hosts(entries: &[Entry], out: &mut Vec<HarFinding>) {
    for entry in entries {
        let host = entry.host.split(':').next().unwrap_or_default();
        let bearer = jwts(entry)
            .filter(|(t, _)| t.place.carrier == Carrier::RequestHeader && t.field().starts_with("authorization"));
        for (token, facts) in bearer {
            if facts.aud.is_empty() || facts.aud.iter().any(|aud| audience_host(aud) == host) {
                continue;
            }
            out.push(finding(
                FindingKind::AccessTokenToForeignHost,
                [entry.index],
                format!(
                    "{} #{} went to {host}, which is not among its audiences {:?}: ask for a token with \
                     audience={host}'s API identifier (an id token is not an access token)",
                    token.place, token.fingerprint, facts.aud
                ),
            ));
        }
    }
}

fn weak_id_token_algorithms(entries: &[Entry], out: &mut Vec<HarFinding>) {
    let mut seen = BTreeSet::new();
    for entry in entries {
        for (token, facts) in jwts(entry).filter(|(t, _)| is_id_token_field(t.field())) {
            let alg = facts.alg.as_deref().unwrap_or_default();
            let weak = alg.eq_ignore_ascii_case("none") || alg.starts_with("HS");
            if !weak || !seen.insert(token.fingerprint.clone()) {
                continue;
            }
            out.push(finding(
                FindingKind::WeakIdTokenAlgorithm,
                [entry.index],
                format!(
                    "{} #{} is signed with alg {alg}: {}",
                    token.place,
                    token.fingerprint,
                    if alg.eq_ignore_ascii_case("none") {
                        "it is not signed at all; anyone can forge it. Never accept it"
                    } else {
                        "anyone holding the client secret can forge it, and a browser app cannot check it; \
                         switch the application to RS256 in its advanced settings"
                    }
                ),
            ));
        }
    }
}

fn refresh_tokens_reused(entries: &[Entry], out: &mut Vec<HarFinding>) {
    let mut uses: Vec<(&str, Vec<usize>)> = Vec::new();
    let mut by_fingerprint: HashMap<&str, usize> = HashMap::new();
    let sent = entries.iter().flat_map(|e| &e.tokens).filter(|t| t.is_sent());
    for token in sent.filter(|t| t.field() == "refresh_token") {
        let at = *by_fingerprint.entry(&token.fingerprint).or_insert_with(|| {
            uses.push((&token.fingerprint, Vec::new()));
            uses.len() - 1
        });
        uses[at].1.push(token.place.entry);
    }
    for (fingerprint, used_in) in uses.into_iter().filter(|(_, used)| used.len() > 1) {
        let list: Vec<String> = used_in.iter().map(|e| format!("entry {e}")).collect();
        out.push(finding(
            FindingKind::RefreshTokenReused,
            used_in,
            format!(
                "refresh token #{fingerprint} was spent {} times ({}): with rotation on, the second use counts as \
                 reuse and revokes the whole family; keep the new refresh token of each answer and send it once",
                list.len(),
                list.join(", ")
            ),
        ));
    }
}

fn tokens_in_queries(entries: &[Entry], out: &mut Vec<HarFinding>) {
    for entry in entries {
        let in_query: Vec<&FoundToken> = entry
            .tokens
            .iter()
            .filter(|t| t.place.carrier == Carrier::UrlQuery && t.field() != "code")
            .collect();
        if in_query.is_empty() {
            continue;
        }
        let names: Vec<String> = in_query
            .iter()
            .map(|t| format!("{} #{}", t.field(), t.fingerprint))
            .collect();
        out.push(finding(
            FindingKind::TokenInQuery,
            [entry.index],
            format!(
                "entry {} carries {} in the URL query of {}{}: URLs end up in server logs, proxies and browser \
                 history; send tokens in the Authorization header or a POST body",
                entry.index,
                names.join(", "),
                entry.host,
                entry.path
            ),
        ));
    }
}

fn clock_skew(entries: &[Entry], out: &mut Vec<HarFinding>) {
    for entry in entries {
        let Some(at) = entry.started_seconds() else { continue };
        let issued = jwts(entry).filter(|(t, _)| !t.is_sent() && t.kind == TokenKind::Jwt);
        let skewed = issued.filter_map(|(t, facts)| facts.iat.map(|iat| (t, iat - at)));
        if let Some((token, skew)) = skewed.max_by_key(|(_, skew)| skew.abs())
            && skew.abs() > CLOCK_SKEW_LIMIT_SECONDS
        {
            let direction = if skew > 0 { "ahead of" } else { "behind" };
            out.push(finding(
                FindingKind::ClockSkew,
                [entry.index],
                format!(
                    "{} #{} was issued (iat) {} {direction} the capture's time: the browser's clock or the \
                     server's is off; tokens may look expired or not yet valid; sync the clocks (NTP)",
                    token.place,
                    token.fingerprint,
                    human_duration(skew.unsigned_abs())
                ),
            ));
        }
    }
}
