//! Showing NumericDate claims as UTC, local and relative time ("expires in 9 h 58 min"). `now` is passed in.

use jiff::Timestamp;
use jiff::tz::TimeZone;
use std::fmt::Write as _;

/// A time claim rendered three ways.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeView {
    /// `2026-11-22 14:53:02 UTC`.
    pub utc: String,
    /// The same instant in the given zone, with its abbreviation.
    pub local: String,
    /// Relative to `now`, worded for the claim ("expired 3 min ago").
    pub relative: String,
}

impl TimeView {
    /// `UTC · local · relative`, leaving out the local time when it reads the same as UTC.
    pub fn one_line(&self) -> String {
        if self.local == self.utc {
            format!("{} · {}", self.utc, self.relative)
        } else {
            format!("{} · {} · {}", self.utc, self.local, self.relative)
        }
    }
}

/// Renders `seconds` (a claim value) relative to `now` in the time zone `local`.
pub fn time_view(claim: &str, seconds: i64, now: i64, local: &TimeZone) -> Option<TimeView> {
    let instant = Timestamp::from_second(seconds).ok()?;
    Some(TimeView {
        utc: instant
            .to_zoned(TimeZone::UTC)
            .strftime("%Y-%m-%d %H:%M:%S UTC")
            .to_string(),
        local: instant
            .to_zoned(local.clone())
            .strftime("%Y-%m-%d %H:%M:%S %Z")
            .to_string(),
        relative: relative_phrase(claim, seconds.saturating_sub(now)),
    })
}

/// Words a signed distance in time for a claim: positive means the claim lies in the future.
pub fn relative_phrase(claim: &str, delta: i64) -> String {
    let span = human_duration(delta.unsigned_abs());
    match (claim, delta >= 0) {
        ("exp", true) => format!("expires in {span}"),
        ("exp", false) => format!("expired {span} ago"),
        ("nbf", true) => format!("not valid for another {span}"),
        ("nbf", false) => format!("valid since {span} ago"),
        (_, true) if delta == 0 => "now".to_owned(),
        (_, true) => format!("in {span} (in the future)"),
        (_, false) => format!("{span} ago"),
    }
}

/// The average Gregorian year, 365.2425 days: the unit for spans of a year or more.
const YEAR: u64 = 31_556_952;
/// A twelfth of [`YEAR`].
const MONTH: u64 = YEAR / 12;

/// A span in its largest sensible units: `8 years`, `3 months`, then the two largest non-zero units below a
/// month (`2 d 4 h`, `9 h 58 min`, `3 min 5 s`).
///
/// A span has no calendar anchor, so years and months are the Gregorian averages; the rounding (down to
/// whole years or months) is far coarser than their error.
pub fn human_duration(seconds: u64) -> String {
    let plural = |n: u64, unit: &str| format!("{n} {unit}{}", if n == 1 { "" } else { "s" });
    if seconds >= YEAR {
        return plural(seconds / YEAR, "year");
    }
    if seconds >= MONTH {
        return plural(seconds / MONTH, "month");
    }
    const UNITS: [(u64, &str); 4] = [(86_400, "d"), (3_600, "h"), (60, "min"), (1, "s")];
    let mut rest = seconds;
    // One string, written in place: every line of `inspect --lines` words two or three spans.
    let mut span = String::with_capacity(16);
    for (count, name) in UNITS
        .iter()
        .filter_map(|&(size, name)| {
            let count = rest / size;
            rest %= size;
            (count > 0).then_some((count, name))
        })
        .take(2)
    {
        let separator = if span.is_empty() { "" } else { " " };
        // Writing to a String cannot fail.
        let _ = write!(span, "{separator}{count} {name}");
    }
    if span.is_empty() {
        span.push_str("0 s");
    }
    span
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expiry_is_worded_both_ways() {
        assert_eq!(relative_phrase("exp", 9 * 3600 + 58 * 60 + 7), "expires in 9 h 58 min");
        assert_eq!(relative_phrase("exp", -180), "expired 3 min ago");
        assert_eq!(relative_phrase("iat", -90_000), "1 d 1 h ago");
        assert_eq!(relative_phrase("nbf", 30), "not valid for another 30 s");
    }

    #[test]
    fn long_spans_read_in_years_and_months_short_ones_in_two_units() {
        assert_eq!(relative_phrase("iat", -(3238 * 86_400 + 23 * 3_600)), "8 years ago");
        assert_eq!(relative_phrase("iat", -(95 * 86_400)), "3 months ago");
        assert_eq!(relative_phrase("iat", 59 * 60), "in 59 min (in the future)");
        assert_eq!(relative_phrase("exp", 2 * 86_400 + 4 * 3_600 + 5), "expires in 2 d 4 h");
        assert_eq!(human_duration(29 * 86_400), "29 d");
        assert_eq!(human_duration(366 * 86_400), "1 year");
        assert_eq!(human_duration(40 * 86_400), "1 month");
        assert_eq!(human_duration(u64::MAX), format!("{} years", u64::MAX / YEAR));
    }

    #[test]
    fn utc_and_local_use_the_given_zone() {
        let paris = TimeZone::get("Europe/Paris").unwrap_or(TimeZone::fixed(jiff::tz::offset(1)));
        let view = time_view("exp", 1_300_819_380, 1_300_819_380 - 60, &paris).unwrap();
        assert_eq!(view.utc, "2011-03-22 18:43:00 UTC");
        assert!(view.local.starts_with("2011-03-22 19:43:00"), "{}", view.local);
        assert_eq!(view.relative, "expires in 1 min");
    }

    #[test]
    fn out_of_range_times_are_not_rendered() {
        assert_eq!(time_view("exp", i64::MAX, 0, &TimeZone::UTC), None);
    }
}
