//! The Rate limits tab: one row per (environment, endpoint, user) with the limit, remaining as a gauge, the reset as a time
//! and a live countdown, when the next request would pass, the last 429 and a timeline of remaining with the
//! 429s marked. Fed by every answer the forms receive; garbled headers are shown as such.

pub mod book;
pub mod timeline;

use crate::core::ratelimit::headers::Field;
use crate::ui::command::{AppCommand, Command};
use crate::ui::panel::{Panel, PanelContext};
use crate::ui::theme;
use crate::ui::widgets::time::{clock_time, readable_time};
pub use book::{Bucket, Point, RateBook, Source};
use std::time::Duration;
use timeline::PointKind;

/// The Rate limits tab; what it shows is the app's [`RateBook`], read through the panel context.
#[derive(Default)]
pub struct RateLimitsPanel;

impl Panel for RateLimitsPanel {
    /// Nothing comes back to this tab: the forms record every answer in the rate book.
    type Event = std::convert::Infallible;

    fn apply(&mut self, event: Self::Event, _cx: &mut PanelContext<'_>, _commands: &mut Vec<Command>) {
        match event {}
    }

    /// Draws the panel; countdowns tick once a second only while one is shown. A point of a timeline opens
    /// its request in History.
    fn ui(&mut self, ui: &mut egui::Ui, cx: &mut PanelContext<'_>, commands: &mut Vec<Command>) {
        let (now, zone, book) = (cx.now, cx.zone, &*cx.rate_book);
        ui.heading("Rate limits");
        ui.label("X-RateLimit-Limit, -Remaining and -Reset of every answer, per endpoint and user");
        if book.buckets.is_empty() {
            ui.label(
                egui::RichText::new("No rate-limited answers yet: send a Delegation request")
                    .color(theme::muted(ui.visuals().dark_mode)),
            );
        }
        let mut counting = false;
        for ((environment, url, user), bucket) in &book.buckets {
            ui.add_space(theme::SECTION_GAP);
            ui.strong(format!("{environment} · {url} · user {user}"));
            counting |= bucket_ui(ui, bucket, now, zone);
            let id = format!("{environment} {url} {user}");
            if let Some(entry) = timeline::timeline_ui(ui, &id, bucket, zone, PointKind::Live) {
                commands.push(Command::App(AppCommand::ShowInHistory(entry)));
            }
        }
        if counting {
            ui.ctx().request_repaint_after(Duration::from_secs(1));
        }
        if let Some(file) = captures_ui(ui, book, zone, commands) {
            cx.rate_book.remove_capture(&file);
        }
    }
}

/// The timelines read from captures, apart from the live ones, each named after its file; returns the capture
/// whose "Remove capture" was clicked.
fn captures_ui(
    ui: &mut egui::Ui,
    book: &RateBook,
    zone: &jiff::tz::TimeZone,
    commands: &mut Vec<Command>,
) -> Option<String> {
    let mut removed = None;
    for (file, buckets) in &book.captures {
        ui.add_space(theme::SECTION_GAP);
        ui.separator();
        ui.horizontal(|ui| {
            ui.heading(format!("Capture {file}"));
            let button = ui
                .button("Remove capture")
                .on_hover_text("Take this capture's timelines off this tab")
                .accessible_name(format!("Remove capture {file}"));
            if button.clicked() {
                removed = Some(file.clone());
            }
        });
        ui.label("On the capture's own times; not counted with the live answers above");
        for ((endpoint, user), bucket) in buckets {
            ui.add_space(theme::SECTION_GAP);
            ui.strong(format!("{file} · {endpoint} · {user}"));
            capture_bucket_ui(ui, bucket, zone);
            let id = format!("capture {file} {endpoint} {user}");
            if let Some(entry) = timeline::timeline_ui(ui, &id, bucket, zone, PointKind::Capture) {
                let entry = usize::try_from(entry).unwrap_or_default();
                commands.push(Command::App(AppCommand::ShowInCaptures {
                    file: file.clone(),
                    entry,
                }));
            }
        }
    }
    removed
}

/// A capture's bucket at its last answer: no countdowns, the capture's clock is not ours.
fn capture_bucket_ui(ui: &mut egui::Ui, bucket: &Bucket, zone: &jiff::tz::TimeZone) {
    let state = &bucket.state;
    let last = bucket.timeline.last().map_or(0, |p| p.at);
    let mut line = format!(
        "At the last answer ({}): limit {}, remaining {}",
        clock_time(last, last, zone),
        shown(&state.limit),
        shown(&state.remaining)
    );
    if let Field::Value(reset) = state.reset_at {
        line.push_str(&format!(", reset at {}", clock_time(reset, last, zone)));
    }
    if let Some(at) = bucket.last_throttled {
        line.push_str(&format!("; last 429 at {}", clock_time(at, last, zone)));
    }
    ui.label(line);
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
        counting |= reset > now;
        ui.label(format!(
            "Next request added back at {}",
            readable_time(reset, now, zone)
        ));
    }
    match state.next_allowed(now) {
        Some(at) if at > now => {
            counting = true;
            ui.label(
                egui::RichText::new(format!(
                    "Throttled: the next request passes at {}",
                    readable_time(at, now, zone)
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
        ui.label(format!("Last 429 at {}", readable_time(at, now, zone)));
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
