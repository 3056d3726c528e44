//! The clock: real time for normal use, a fixed or advanced time for demos, tests and `--at`.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

/// A source of "now" in Unix seconds. Core code never reads the time itself; it is given this value.
pub trait Clock: Send + Sync {
    /// The current time in seconds since the Unix epoch.
    fn now(&self) -> i64;
}

/// The machine's clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> i64 {
        jiff::Timestamp::now().as_second()
    }
}

/// A clock that stands still until it is set or advanced (time travel for demos and tests).
#[derive(Debug, Default)]
pub struct SimulatedClock {
    seconds: AtomicI64,
}

impl SimulatedClock {
    /// A clock frozen at `seconds`.
    pub fn at(seconds: i64) -> Arc<Self> {
        Arc::new(Self {
            seconds: AtomicI64::new(seconds),
        })
    }

    /// Moves the clock forward (or back, with a negative value).
    pub fn advance(&self, seconds: i64) {
        self.seconds.fetch_add(seconds, Ordering::SeqCst);
    }

    /// Sets the clock.
    pub fn set(&self, seconds: i64) {
        self.seconds.store(seconds, Ordering::SeqCst);
    }
}

impl Clock for SimulatedClock {
    fn now(&self) -> i64 {
        self.seconds.load(Ordering::SeqCst)
    }
}

/// The user's local time zone, falling back to UTC when the system's cannot be read.
///
/// Without `TZ`, `/etc/localtime` is read directly: asking jiff for the system zone also indexes the whole
/// zoneinfo tree to learn the zone's name, which doubled the start-up time of `tokenbench inspect`.
pub fn local_zone() -> jiff::tz::TimeZone {
    #[cfg(unix)]
    if std::env::var_os("TZ").is_none()
        && let Ok(bytes) = std::fs::read("/etc/localtime")
        && let Ok(zone) = jiff::tz::TimeZone::tzif("localtime", &bytes)
    {
        return zone;
    }
    jiff::tz::TimeZone::try_system().unwrap_or(jiff::tz::TimeZone::UTC)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn simulated_clock_moves_only_when_told() {
        let clock = SimulatedClock::at(1_000);
        assert_eq!(clock.now(), 1_000);
        clock.advance(61);
        assert_eq!(clock.now(), 1_061);
        clock.set(5);
        assert_eq!(clock.now(), 5);
    }

    #[test]
    fn system_clock_is_after_2020() {
        assert!(SystemClock.now() > 1_577_836_800);
    }
}
