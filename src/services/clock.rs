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

/// The window's clock: real time until the user freezes it or moves it (demos of expiry and refill); the
/// issuer, the inspector's time checks and the countdowns all read it.
#[derive(Debug)]
pub struct DemoClock {
    /// Seconds added to the real time while running.
    offset: AtomicI64,
    /// The frozen time, or `i64::MIN` while it runs.
    frozen: AtomicI64,
    real: Arc<dyn Clock>,
}

impl std::fmt::Debug for dyn Clock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Clock({})", self.now())
    }
}

const RUNNING: i64 = i64::MIN;

impl DemoClock {
    /// A clock that follows `real` until told otherwise.
    pub fn following(real: Arc<dyn Clock>) -> Arc<Self> {
        Arc::new(Self {
            offset: AtomicI64::new(0),
            frozen: AtomicI64::new(RUNNING),
            real,
        })
    }

    /// Stops the clock at the current time.
    pub fn freeze(&self) {
        self.frozen.store(self.now(), Ordering::SeqCst);
    }

    /// Moves the clock forward (or back) by `seconds`, frozen or not.
    pub fn advance(&self, seconds: i64) {
        if self.frozen.load(Ordering::SeqCst) == RUNNING {
            self.offset.fetch_add(seconds, Ordering::SeqCst);
        } else {
            self.frozen.fetch_add(seconds, Ordering::SeqCst);
        }
    }

    /// Sets the time: a frozen clock stays frozen there, a running one runs on from it.
    pub fn set(&self, seconds: i64) {
        if self.is_frozen() {
            self.frozen.store(seconds, Ordering::SeqCst);
        } else {
            self.offset
                .store(seconds.saturating_sub(self.real.now()), Ordering::SeqCst);
        }
    }

    /// Lets a frozen clock run again from where it stands.
    pub fn resume(&self) {
        let frozen = self.frozen.swap(RUNNING, Ordering::SeqCst);
        if frozen != RUNNING {
            self.offset
                .store(frozen.saturating_sub(self.real.now()), Ordering::SeqCst);
        }
    }

    /// Back to real time.
    pub fn reset(&self) {
        self.offset.store(0, Ordering::SeqCst);
        self.frozen.store(RUNNING, Ordering::SeqCst);
    }

    /// Whether the clock shows real time.
    pub fn is_real(&self) -> bool {
        self.frozen.load(Ordering::SeqCst) == RUNNING && self.offset.load(Ordering::SeqCst) == 0
    }

    /// Whether the clock stands still.
    pub fn is_frozen(&self) -> bool {
        self.frozen.load(Ordering::SeqCst) != RUNNING
    }

    /// Seconds between this clock and real time.
    pub fn skew(&self) -> i64 {
        self.now() - self.real.now()
    }
}

impl Clock for DemoClock {
    fn now(&self) -> i64 {
        match self.frozen.load(Ordering::SeqCst) {
            RUNNING => self.real.now().saturating_add(self.offset.load(Ordering::SeqCst)),
            frozen => frozen,
        }
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
    fn the_demo_clock_freezes_moves_and_returns_to_real_time() {
        let real = SimulatedClock::at(1_000);
        let clock = DemoClock::following(real.clone());
        assert!(clock.is_real());
        clock.advance(60);
        assert_eq!(clock.now(), 1_060);
        real.advance(5);
        assert_eq!(clock.now(), 1_065, "an advanced clock keeps running");
        clock.freeze();
        real.advance(100);
        assert_eq!(clock.now(), 1_065, "a frozen clock stands still");
        clock.advance(6);
        assert_eq!((clock.now(), clock.is_frozen()), (1_071, true));
        clock.resume();
        real.advance(1);
        assert_eq!((clock.now(), clock.is_frozen()), (1_072, false));
        clock.reset();
        assert_eq!((clock.now(), clock.is_real()), (1_106, true));
    }

    #[test]
    fn system_clock_is_after_2020() {
        assert!(SystemClock.now() > 1_577_836_800);
    }
}
