//! Reading rate-limit headers from an answer: Auth0's `X-RateLimit-Limit/-Remaining/-Reset` (reset in epoch
//! seconds), the IETF draft's `RateLimit: limit=…, remaining=…, reset=…` (reset in seconds from now) and
//! `RateLimit-Policy`, and `Retry-After` (seconds or an HTTP date). Garbled values are reported, not guessed.
//! The only place that reads these headers: the client forms, the window and the issuer's log all call here.

use crate::core::protocol::header::{
    FAULT_INJECTED, RATELIMIT, RATELIMIT_LIMIT, RATELIMIT_POLICY, RATELIMIT_REMAINING, RATELIMIT_RESET, RETRY_AFTER,
    X_RATELIMIT_LIMIT, X_RATELIMIT_REMAINING, X_RATELIMIT_RESET, X_TOKENBENCH_FAULT,
};

/// One header value: absent, read, or present but unreadable (with the text as received).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Field<T> {
    /// The header was not sent.
    Missing,
    /// The value.
    Value(T),
    /// Sent, but not a value of the expected kind.
    Garbled(String),
}

impl<T: Copy> Field<T> {
    /// The value, when readable.
    pub fn value(&self) -> Option<T> {
        match self {
            Self::Value(v) => Some(*v),
            Self::Missing | Self::Garbled(_) => None,
        }
    }
}

/// What an answer says about the limit it was counted against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RateLimitState {
    /// Requests allowed per window.
    pub limit: Field<u64>,
    /// Requests left now.
    pub remaining: Field<u64>,
    /// When a request is added back, as epoch seconds.
    pub reset_at: Field<i64>,
    /// `Retry-After`, as epoch seconds.
    pub retry_at: Field<i64>,
    /// `RateLimit-Policy` as received.
    pub policy: Option<String>,
    /// The time of the answer the state was read from.
    pub received_at: i64,
}

/// Reads the headers of an answer received at `now` (epoch seconds). Header names are case-insensitive.
pub fn read<N: AsRef<str>, V: AsRef<str>>(headers: &[(N, V)], now: i64) -> RateLimitState {
    let get = |name: &str| header(headers, name);
    let ietf = get(RATELIMIT).map(structured_members).unwrap_or_default();
    let member = |key: &str| ietf.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str());
    let limit = number(
        get(X_RATELIMIT_LIMIT)
            .or_else(|| member("limit"))
            .or(get(RATELIMIT_LIMIT)),
    );
    let remaining = number(
        get(X_RATELIMIT_REMAINING)
            .or_else(|| member("remaining"))
            .or(get(RATELIMIT_REMAINING)),
    );
    let reset_at = match get(X_RATELIMIT_RESET) {
        Some(text) => epoch(text),
        None => delta(member("reset").or(get(RATELIMIT_RESET)), now),
    };
    RateLimitState {
        limit,
        remaining,
        reset_at,
        retry_at: get(RETRY_AFTER).map_or(Field::Missing, |text| retry_after(text, now)),
        policy: get(RATELIMIT_POLICY).map(str::to_owned),
        received_at: now,
    }
}

/// Auth0's `X-RateLimit-Limit`, `-Remaining` and `-Reset` exactly as sent, when all three are.
pub fn x_ratelimit_values<N: AsRef<str>, V: AsRef<str>>(headers: &[(N, V)]) -> Option<(String, String, String)> {
    let get = |name: &str| header(headers, name).map(str::to_owned);
    Some((
        get(X_RATELIMIT_LIMIT)?,
        get(X_RATELIMIT_REMAINING)?,
        get(X_RATELIMIT_RESET)?,
    ))
}

/// When to send again after a 429, in words: `X-RateLimit-Reset`, `Retry-After`, or both when both are sent.
pub fn wait_advice<N: AsRef<str>, V: AsRef<str>>(headers: &[(N, V)]) -> String {
    let retry = header(headers, RETRY_AFTER).map(|text| {
        if text.bytes().all(|b| b.is_ascii_digit()) {
            format!("Retry-After: {text} s")
        } else {
            format!("Retry-After: {text}")
        }
    });
    match (header(headers, X_RATELIMIT_RESET), retry) {
        (Some(reset), Some(retry)) => format!("wait until X-RateLimit-Reset ({reset}; {retry}) and send again"),
        (Some(reset), None) => format!("wait until X-RateLimit-Reset ({reset}) and send again"),
        (None, Some(retry)) => format!("wait as the answer says ({retry}) and send again"),
        (None, None) => {
            "the answer gives neither X-RateLimit-Reset nor Retry-After: wait a minute and send again".to_owned()
        }
    }
}

/// Whether the local issuer marked the answer as forced by an injected fault (`X-Tokenbench-Fault: injected`).
pub fn is_injected_fault<N: AsRef<str>, V: AsRef<str>>(headers: &[(N, V)]) -> bool {
    header(headers, X_TOKENBENCH_FAULT).is_some_and(|v| v.eq_ignore_ascii_case(FAULT_INJECTED))
}

/// The first header of that name (case-insensitive), trimmed.
fn header<'a, N: AsRef<str>, V: AsRef<str>>(headers: &'a [(N, V)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| n.as_ref().eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_ref().trim())
}

impl RateLimitState {
    /// Whether any rate-limit header was sent.
    pub fn is_present(&self) -> bool {
        [&self.limit, &self.remaining]
            .iter()
            .any(|f| !matches!(f, Field::Missing))
            || !matches!(self.reset_at, Field::Missing)
            || !matches!(self.retry_at, Field::Missing)
    }

    /// When the next request would be admitted: now when requests remain, else the reset or `Retry-After`.
    /// `None` when the headers do not say.
    pub fn next_allowed(&self, now: i64) -> Option<i64> {
        if let Some(retry) = self.retry_at.value().filter(|at| *at > now) {
            return Some(retry);
        }
        match self.remaining.value() {
            Some(0) => self.reset_at.value().map(|at| at.max(now)),
            Some(_) => Some(now),
            None => None,
        }
    }

    /// Problems worth showing: garbled values, a reset in the past, remaining above the limit.
    pub fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        for (name, field) in [
            ("X-RateLimit-Limit", &self.limit),
            ("X-RateLimit-Remaining", &self.remaining),
        ] {
            if let Field::Garbled(text) = field {
                problems.push(format!("{name} is \"{text}\", not a count"));
            }
        }
        for (name, field) in [("X-RateLimit-Reset", &self.reset_at), ("Retry-After", &self.retry_at)] {
            match field {
                Field::Garbled(text) => problems.push(format!("{name} is \"{text}\", not a time")),
                Field::Value(at) if *at < self.received_at => problems.push(format!(
                    "{name} lies in the past ({at}): the server's clock or header is off"
                )),
                Field::Value(_) | Field::Missing => {}
            }
        }
        if let (Some(limit), Some(remaining)) = (self.limit.value(), self.remaining.value())
            && remaining > limit
        {
            problems.push(format!("remaining ({remaining}) is above the limit ({limit})"));
        }
        problems
    }
}

fn number(text: Option<&str>) -> Field<u64> {
    match text {
        None => Field::Missing,
        Some(text) => text
            .parse::<u64>()
            .map_or_else(|_| Field::Garbled(text.to_owned()), Field::Value),
    }
}

/// An absolute epoch-seconds value; anything before 2001 or after 2100 is garbled, not a time.
fn epoch(text: &str) -> Field<i64> {
    match text.parse::<i64>() {
        Ok(at) if (1_000_000_000..4_102_444_800).contains(&at) => Field::Value(at),
        _ => Field::Garbled(text.to_owned()),
    }
}

/// Seconds from now (the IETF fields), up to a day.
fn delta(text: Option<&str>, now: i64) -> Field<i64> {
    match text {
        None => Field::Missing,
        Some(text) => match text.parse::<i64>() {
            Ok(seconds) if (0..=86_400).contains(&seconds) => Field::Value(now + seconds),
            _ => Field::Garbled(text.to_owned()),
        },
    }
}

/// `Retry-After`: delta seconds, or an HTTP date (IMF-fixdate, read with jiff's RFC 2822 parser).
fn retry_after(text: &str, now: i64) -> Field<i64> {
    if text.bytes().all(|b| b.is_ascii_digit()) {
        return delta(Some(text), now);
    }
    jiff::fmt::rfc2822::parse(text)
        .map(|zoned| Field::Value(zoned.timestamp().as_second()))
        .unwrap_or_else(|_| Field::Garbled(text.to_owned()))
}

/// `limit=10, remaining=5, reset=30` (also `;`-separated) as key/value pairs.
fn structured_members(text: &str) -> Vec<(String, String)> {
    text.split([',', ';'])
        .filter_map(|member| member.split_once('='))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().trim_matches('"').to_owned()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_700_000_000;

    fn headers(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    #[test]
    fn auth0_headers_give_limit_remaining_and_an_absolute_reset() {
        let state = read(
            &headers(&[
                ("x-ratelimit-limit", "10"),
                ("X-RateLimit-Remaining", "0"),
                ("x-ratelimit-reset", "1700000006"),
            ]),
            NOW,
        );
        assert_eq!(state.limit, Field::Value(10));
        assert_eq!(state.remaining, Field::Value(0));
        assert_eq!(state.next_allowed(NOW), Some(NOW + 6));
        assert!(state.problems().is_empty());
    }

    #[test]
    fn the_ietf_field_and_retry_after_in_both_forms_are_read() {
        let state = read(
            &headers(&[
                ("RateLimit", "limit=100, remaining=0, reset=30"),
                ("RateLimit-Policy", "100;w=60"),
            ]),
            NOW,
        );
        assert_eq!(state.limit, Field::Value(100));
        assert_eq!(state.reset_at, Field::Value(NOW + 30));
        assert_eq!(state.policy.as_deref(), Some("100;w=60"));
        let seconds = read(&headers(&[("Retry-After", "120")]), NOW);
        assert_eq!(seconds.retry_at, Field::Value(NOW + 120));
        assert_eq!(seconds.next_allowed(NOW), Some(NOW + 120));
        let date = read(&headers(&[("Retry-After", "Tue, 14 Nov 2023 22:15:00 GMT")]), NOW);
        assert_eq!(date.retry_at, Field::Value(1_700_000_100));
    }

    #[test]
    fn garbage_negative_huge_and_past_values_are_reported_not_guessed() {
        let state = read(
            &headers(&[
                ("X-RateLimit-Limit", "ten"),
                ("X-RateLimit-Remaining", "-1"),
                ("X-RateLimit-Reset", "99999999999999999999"),
                ("Retry-After", "soon"),
            ]),
            NOW,
        );
        assert_eq!(state.limit, Field::Garbled("ten".into()));
        assert_eq!(state.remaining, Field::Garbled("-1".into()));
        assert!(matches!(state.reset_at, Field::Garbled(_)));
        assert!(matches!(state.retry_at, Field::Garbled(_)));
        assert_eq!(state.problems().len(), 4);
        assert_eq!(state.next_allowed(NOW), None, "no bogus countdown");
        let past = read(
            &headers(&[("X-RateLimit-Remaining", "0"), ("X-RateLimit-Reset", "1600000000")]),
            NOW,
        );
        assert!(past.problems()[0].contains("in the past"));
        assert_eq!(past.next_allowed(NOW), Some(NOW));
    }

    #[test]
    fn the_auth0_triple_is_given_as_sent_only_when_complete() {
        let sent = headers(&[
            ("X-RateLimit-Limit", "10"),
            ("x-ratelimit-remaining", " 9 "),
            ("x-ratelimit-reset", "1700000060"),
        ]);
        assert_eq!(
            x_ratelimit_values(&sent),
            Some(("10".into(), "9".into(), "1700000060".into()))
        );
        assert_eq!(x_ratelimit_values(&[("x-ratelimit-limit", "10")]), None);
    }

    #[test]
    fn wait_advice_uses_retry_after_when_there_is_no_reset_and_both_when_both() {
        let retry = wait_advice(&[("retry-after", "5")]);
        assert_eq!(retry, "wait as the answer says (Retry-After: 5 s) and send again");
        let both = wait_advice(&[("Retry-After", "5"), ("X-RateLimit-Reset", "1700000060")]);
        assert!(
            both.contains("1700000060") && both.contains("Retry-After: 5 s"),
            "{both}"
        );
        assert!(wait_advice(&[("x-ratelimit-reset", "1700000060")]).contains("(1700000060)"));
        assert!(wait_advice::<&str, &str>(&[]).contains("neither"));
    }

    #[test]
    fn the_fault_marker_is_read_case_insensitively() {
        assert!(is_injected_fault(&[("X-Tokenbench-Fault", "Injected")]));
        assert!(!is_injected_fault(&[("x-tokenbench-fault", "no")]));
        assert!(!is_injected_fault::<&str, &str>(&[]));
    }

    #[test]
    fn no_headers_means_nothing_is_known() {
        let state = read(&headers(&[("content-type", "application/json")]), NOW);
        assert!(!state.is_present());
        assert_eq!(state.next_allowed(NOW), None);
    }
}
