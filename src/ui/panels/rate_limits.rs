//! The Rate limits tab: one row per (environment, endpoint, user) with the limit, remaining as a gauge, the reset as a time
//! and a live countdown, when the next request would pass, the last 429 and a timeline of remaining with the
//! 429s marked. Fed by every answer the forms receive; garbled headers are shown as such.

use crate::core::http::HttpAnswer;
use crate::core::ratelimit::headers::{Field, RateLimitState, read};
use crate::ui::command::{AppCommand, Command};
use crate::ui::theme;
use std::collections::BTreeMap;
use std::time::Duration;

/// Most points kept per row for the timeline.
const TIMELINE_POINTS: usize = 200;

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

/// The panel's state: buckets by `(environment, endpoint URL, user)`.
#[derive(Default)]
pub struct RateLimitsPanel {
    /// Every bucket seen.
    pub buckets: BTreeMap<(String, String, String), Bucket>,
}

impl RateLimitsPanel {
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
        let throttled = answer.status == 429;
        let bucket = self
            .buckets
            .entry((environment.to_owned(), url.to_owned(), user.to_owned()))
            .or_insert_with(|| Bucket {
                state: state.clone(),
                last_throttled: None,
                timeline: Vec::new(),
            });
        bucket.timeline.push(Point {
            at: now,
            remaining: state.remaining.value(),
            throttled,
            entry,
        });
        if bucket.timeline.len() > TIMELINE_POINTS {
            bucket.timeline.remove(0);
        }
        if throttled {
            bucket.last_throttled = Some(now);
        }
        bucket.state = state;
    }

    /// When a request to `url` in `environment` for `user` would pass, if the last answer said it would not
    /// pass now.
    pub fn throttled_until(&self, (environment, url, user): (&str, &str, &str), now: i64) -> Option<i64> {
        let key = (environment.to_owned(), url.to_owned(), user.to_owned());
        let bucket = self.buckets.get(&key)?;
        bucket.state.next_allowed(now).filter(|at| *at > now)
    }

    /// Draws the panel; countdowns tick once a second only while one is shown. A click on a point of a
    /// timeline opens its request in History.
    pub fn ui(&mut self, ui: &mut egui::Ui, now: i64, zone: &jiff::tz::TimeZone, commands: &mut Vec<Command>) {
        ui.heading("Rate limits");
        ui.label("X-RateLimit-Limit, -Remaining and -Reset of every answer, per endpoint and user");
        if self.buckets.is_empty() {
            ui.label(
                egui::RichText::new("No rate-limited answers yet: send a Delegation request")
                    .color(theme::muted(ui.visuals().dark_mode)),
            );
            return;
        }
        let mut counting = false;
        for ((environment, url, user), bucket) in &self.buckets {
            ui.add_space(theme::SECTION_GAP);
            ui.strong(format!("{environment} · {url} · user {user}"));
            counting |= bucket_ui(ui, bucket, now, zone);
            if let Some(entry) = super::timeline::timeline_ui(ui, &format!("{environment} {url} {user}"), bucket, zone)
            {
                commands.push(Command::App(AppCommand::ShowInHistory(entry)));
            }
        }
        if counting {
            ui.ctx().request_repaint_after(Duration::from_secs(1));
        }
    }
}

/// Draws one bucket; true when a countdown is running.
fn bucket_ui(ui: &mut egui::Ui, bucket: &Bucket, now: i64, zone: &jiff::tz::TimeZone) -> bool {
    let state = &bucket.state;
    let dark = ui.visuals().dark_mode;
    match (state.limit.value(), state.remaining.value()) {
        (Some(limit), Some(remaining)) if limit > 0 => {
            let fraction = (remaining as f32 / limit as f32).clamp(0.0, 1.0);
            // The headers say where the bucket stood at the last answer; once its reset has passed, more may be
            // back than the gauge shows, and the text says so instead of guessing how many.
            let refilled = matches!(state.reset_at, Field::Value(reset) if reset <= now && remaining < limit);
            let text = if refilled {
                format!("{remaining} of {limit} remaining at the last answer; more are back since its reset")
            } else {
                format!("{remaining} of {limit} remaining")
            };
            ui.add(egui::ProgressBar::new(fraction).text(text).desired_width(420.0));
        }
        _ => {
            ui.label(format!(
                "limit {}, remaining {}",
                shown(&state.limit),
                shown(&state.remaining)
            ));
        }
    }
    let mut counting = false;
    if let Field::Value(reset) = state.reset_at {
        let wait = reset - now;
        counting |= wait > 0;
        let when = if wait > 0 {
            format!("in {wait} s")
        } else {
            "passed".to_owned()
        };
        ui.label(format!("Next request added back at {} ({when})", local(reset, zone)));
    }
    match state.next_allowed(now) {
        Some(at) if at > now => {
            counting = true;
            ui.label(
                egui::RichText::new(format!(
                    "Throttled: the next request passes at {} (in {} s)",
                    local(at, zone),
                    at - now
                ))
                .color(theme::error(dark)),
            );
        }
        Some(_) => {
            ui.label(egui::RichText::new("The next request would pass now").color(theme::valid(dark)));
        }
        None => {
            ui.label("The headers do not say when the next request would pass");
        }
    }
    if let Some(at) = bucket.last_throttled {
        ui.label(format!("Last 429 at {}", local(at, zone)));
    }
    for problem in state.problems() {
        ui.label(egui::RichText::new(problem).color(theme::warning(dark)));
    }
    counting
}

fn shown<T: std::fmt::Display + Copy>(field: &Field<T>) -> String {
    match field {
        Field::Missing => "not sent".to_owned(),
        Field::Value(v) => v.to_string(),
        Field::Garbled(text) => format!("unreadable (\"{text}\")"),
    }
}

/// `at` as a local `HH:MM:SS`.
pub(super) fn local(at: i64, zone: &jiff::tz::TimeZone) -> String {
    jiff::Timestamp::from_second(at)
        .map(|t| t.to_zoned(zone.clone()).strftime("%H:%M:%S").to_string())
        .unwrap_or_else(|_| at.to_string())
}
