//! Reading rate-limit headers from an answer: Auth0's `X-RateLimit-Limit/-Remaining/-Reset` (reset in epoch
//! seconds), the IETF draft's `RateLimit: limit=…, remaining=…, reset=…` (reset in seconds from now) and
//! `RateLimit-Policy`, and `Retry-After` (seconds or an HTTP date). Garbled values are reported, not guessed.

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
pub fn read(headers: &[(String, String)], now: i64) -> RateLimitState {
    let get = |name: &str| {
        headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.trim())
    };
    let ietf = get("ratelimit").map(structured_members).unwrap_or_default();
    let member = |key: &str| ietf.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str());
    let limit = number(
        get("x-ratelimit-limit")
            .or_else(|| member("limit"))
            .or(get("ratelimit-limit")),
    );
    let remaining = number(
        get("x-ratelimit-remaining")
            .or_else(|| member("remaining"))
            .or(get("ratelimit-remaining")),
    );
    let reset_at = match get("x-ratelimit-reset") {
        Some(text) => epoch(text),
        None => delta(member("reset").or(get("ratelimit-reset")), now),
    };
    RateLimitState {
        limit,
        remaining,
        reset_at,
        retry_at: get("retry-after").map_or(Field::Missing, |text| retry_after(text, now)),
        policy: get("ratelimit-policy").map(str::to_owned),
        received_at: now,
    }
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
    fn no_headers_means_nothing_is_known() {
        let state = read(&headers(&[("content-type", "application/json")]), NOW);
        assert!(!state.is_present());
        assert_eq!(state.next_allowed(NOW), None);
    }
}
