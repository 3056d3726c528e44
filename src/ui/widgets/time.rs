//! Times as people read them: the local clock time and how far away it is ("10:31:05 (in 6 s)"), never raw
//! epoch seconds. Every panel that shows a moment uses these, with the clock's `now` and the local zone.

use crate::core::jwt::time::human_duration;
use jiff::Timestamp;
use jiff::tz::TimeZone;

/// `at` as a local `HH:MM:SS`, with the date in front when it falls on another day than `reference`.
pub fn clock_time(at: i64, reference: i64, zone: &TimeZone) -> String {
    let (Ok(instant), Ok(reference)) = (Timestamp::from_second(at), Timestamp::from_second(reference)) else {
        return format!("{at} (not a readable time)");
    };
    let local = instant.to_zoned(zone.clone());
    if local.date() == reference.to_zoned(zone.clone()).date() {
        local.strftime("%H:%M:%S").to_string()
    } else {
        local.strftime("%Y-%m-%d %H:%M:%S").to_string()
    }
}

/// How far `at` is from `now`: "in 6 s", "3 min 5 s ago", or "now".
pub fn distance(at: i64, now: i64) -> String {
    let delta = at.saturating_sub(now);
    let span = human_duration(delta.unsigned_abs());
    match delta {
        0 => "now".to_owned(),
        1.. => format!("in {span}"),
        _ => format!("{span} ago"),
    }
}

/// "10:31:05 (in 6 s)": the local time of `at` and its distance from `now`.
pub fn readable_time(at: i64, now: i64, zone: &TimeZone) -> String {
    format!("{} ({})", clock_time(at, now, zone), distance(at, now))
}

/// "10:31:05 (60 s after the request)": a time read against an earlier event rather than the clock.
pub fn time_after(at: i64, since: i64, event: &str, zone: &TimeZone) -> String {
    let span = human_duration(at.saturating_sub(since).unsigned_abs());
    let side = if at >= since { "after" } else { "before" };
    format!("{} ({span} {side} {event})", clock_time(at, since, zone))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2023-11-14 22:13:20 UTC.
    const NOW: i64 = 1_700_000_000;

    #[test]
    fn a_near_time_reads_as_clock_time_and_distance() {
        assert_eq!(readable_time(NOW + 6, NOW, &TimeZone::UTC), "22:13:26 (in 6 s)");
        assert_eq!(
            readable_time(NOW - 185, NOW, &TimeZone::UTC),
            "22:10:15 (3 min 5 s ago)"
        );
        assert_eq!(readable_time(NOW, NOW, &TimeZone::UTC), "22:13:20 (now)");
    }

    #[test]
    fn another_day_carries_its_date_and_the_zone_is_used() {
        assert_eq!(clock_time(NOW + 7200, NOW, &TimeZone::UTC), "2023-11-15 00:13:20");
        let plus_two = TimeZone::fixed(jiff::tz::offset(2));
        assert_eq!(clock_time(NOW, NOW, &plus_two), "00:13:20");
    }

    #[test]
    fn a_time_after_an_event_says_how_long_after() {
        assert_eq!(
            time_after(NOW + 60, NOW, "the request", &TimeZone::UTC),
            "22:14:20 (1 min after the request)"
        );
    }

    #[test]
    fn an_impossible_second_is_said_so_instead_of_panicking() {
        assert_eq!(
            clock_time(i64::MAX, NOW, &TimeZone::UTC),
            format!("{} (not a readable time)", i64::MAX)
        );
    }
}
