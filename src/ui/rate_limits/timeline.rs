//! A bucket's timeline on the Rate limits tab (egui_plot): remaining after each answer over time, 429s as red
//! crosses; hovering a point names its time and remaining, clicking it opens its request in History. The same
//! points are listed as buttons under the plot, for the keyboard and screen readers.

use super::book::{Bucket, Point};
use crate::ui::theme;
use crate::ui::widgets::time::clock_time;
use egui_plot::{HoverPosition, Line, MarkerShape, PlotPoint};

/// How close (in points on screen) a click must land to a point to pick it.
const PICK_RADIUS: f32 = 12.0;

/// What a point's entry is: a History entry (live answers) or an entry of a capture.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PointKind {
    /// Live answers; a point opens its request in History.
    Live,
    /// A capture's answers; a point shows its entry in Captures.
    Capture,
}

/// Draws the timeline of `bucket`; returns the entry (History or capture, per `kind`) of a clicked point.
pub fn timeline_ui(
    ui: &mut egui::Ui,
    id: &str,
    bucket: &Bucket,
    zone: &jiff::tz::TimeZone,
    kind: PointKind,
) -> Option<u64> {
    let placed = placed(&bucket.timeline);
    let ceiling = ceiling(bucket);
    let dark = ui.visuals().dark_mode;
    let remaining: Vec<[f64; 2]> = placed.iter().map(|(x, p)| [*x, height(p)]).collect();
    let throttled: Vec<[f64; 2]> = placed
        .iter()
        .filter(|(_, p)| p.throttled)
        .map(|(x, p)| [*x, height(p)])
        .collect();
    let label_zone = zone.clone();
    let response = egui_plot::Plot::new(("timeline", id))
        .height(140.0)
        .width(ui.available_width().min(640.0))
        .include_y(0.0)
        .include_y(ceiling as f64)
        .allow_drag(false)
        .allow_zoom(false)
        .allow_scroll(false)
        .allow_boxed_zoom(false)
        .allow_double_click_reset(false)
        .show_grid([false, true])
        .y_axis_label("remaining")
        .x_axis_formatter(move |mark, _| local(mark.value.round() as i64, &label_zone))
        .label_formatter(move |position| hover_label(position, zone, kind))
        .show(ui, |plot_ui| {
            plot_ui.line(Line::new("remaining", remaining).color(theme::valid(dark)));
            plot_ui.points(
                egui_plot::Points::new("429", throttled)
                    .shape(MarkerShape::Cross)
                    .radius(5.0)
                    .color(theme::error(dark)),
            );
            let response = plot_ui.response();
            let click = response.clicked().then(|| response.interact_pointer_pos()).flatten()?;
            picked(&placed, click, |x, y| plot_ui.screen_from_plot(PlotPoint::new(x, y)))
        });
    let label = "Timeline of remaining requests; 429s are red crosses. Its requests are listed below it";
    response
        .response
        .widget_info(|| egui::WidgetInfo::labeled(egui::Role::Figure, true, label));
    let listed = points_ui(ui, id, &bucket.timeline, zone, kind);
    response.inner.or(listed)
}

/// The top of the plot: the limit, or the most remaining seen.
fn ceiling(bucket: &Bucket) -> u64 {
    let limit = bucket.state.limit.value();
    let remaining = bucket.timeline.iter().filter_map(|p| p.remaining);
    limit.into_iter().chain(remaining).max().unwrap_or(1)
}

/// Every point as a button that opens its request in History (or its entry in Captures), newest first: the
/// plot's points need a pointer.
fn points_ui(
    ui: &mut egui::Ui,
    id: &str,
    timeline: &[Point],
    zone: &jiff::tz::TimeZone,
    kind: PointKind,
) -> Option<u64> {
    let hint = match kind {
        PointKind::Live => "Open this request in History",
        PointKind::Capture => "Show this entry in Captures",
    };
    let mut picked = None;
    egui::CollapsingHeader::new(format!("Requests on this timeline ({})", timeline.len()))
        .id_salt(("timeline_points", id))
        .show(ui, |ui| {
            ui.horizontal_wrapped(|ui| {
                for point in timeline.iter().rev() {
                    let text = point_name(point, zone, kind);
                    match point.entry {
                        Some(entry) => {
                            let button = ui.button(text).on_hover_text(hint);
                            if button.clicked() {
                                picked = Some(entry);
                            }
                        }
                        None => {
                            ui.label(text);
                        }
                    }
                }
            });
        });
    picked
}

/// "Request 17: 429 at 10:31:05", "Request 18: 3 remaining at 10:31:06"; "Not kept: …" without an entry;
/// "Entry 12: …" in a capture.
fn point_name(point: &Point, zone: &jiff::tz::TimeZone, kind: PointKind) -> String {
    let what = match (point.throttled, point.remaining) {
        (true, _) => "429".to_owned(),
        (false, Some(remaining)) => format!("{remaining} remaining"),
        (false, None) => "remaining unknown".to_owned(),
    };
    let at = local(point.at, zone);
    match (point.entry, kind) {
        (Some(entry), PointKind::Capture) => format!("Entry {entry}: {what} at {at}"),
        (Some(entry), PointKind::Live) => format!("Request {entry}: {what} at {at}"),
        (None, _) => format!("Not kept: {what} at {at}"),
    }
}

/// Each point with its x: its second, plus a fraction when several share that second, so a burst spreads
/// across the second it arrived in instead of piling up.
fn placed(timeline: &[Point]) -> Vec<(f64, Point)> {
    let mut placed = Vec::with_capacity(timeline.len());
    for run in timeline.chunk_by(|a, b| a.at == b.at) {
        let share = 1.0 / run.len() as f64;
        placed.extend(
            run.iter()
                .enumerate()
                .map(|(k, point)| (point.at as f64 + k as f64 * share, *point)),
        );
    }
    placed
}

/// Where a point is drawn: its remaining, or the floor for a 429 without a readable remaining.
fn height(point: &Point) -> f64 {
    point.remaining.unwrap_or(0) as f64
}

/// The History entry of the point nearest to `click` on screen, if one is close enough.
fn picked(placed: &[(f64, Point)], click: egui::Pos2, to_screen: impl Fn(f64, f64) -> egui::Pos2) -> Option<u64> {
    placed
        .iter()
        .map(|(x, point)| (to_screen(*x, height(point)).distance(click), point))
        .filter(|(distance, _)| *distance <= PICK_RADIUS)
        .min_by(|a, b| a.0.total_cmp(&b.0))
        .and_then(|(_, point)| point.entry)
}

fn hover_label(position: &HoverPosition<'_>, zone: &jiff::tz::TimeZone, kind: PointKind) -> Option<String> {
    let click = match kind {
        PointKind::Live => "click to open the request in History",
        PointKind::Capture => "click to show the entry in Captures",
    };
    match position {
        HoverPosition::NearDataPoint { position, .. } => Some(format!(
            "{} remaining at {}\n{click}",
            position.y,
            local(position.x.floor() as i64, zone)
        )),
        HoverPosition::Elsewhere { .. } => None,
    }
}

/// `at` as a local `HH:MM:SS` (the timeline's axis).
fn local(at: i64, zone: &jiff::tz::TimeZone) -> String {
    clock_time(at, at, zone)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(at: i64, remaining: Option<u64>, entry: u64) -> Point {
        Point {
            at,
            remaining,
            throttled: remaining == Some(0),
            entry: Some(entry),
        }
    }

    #[test]
    fn answers_in_one_second_spread_across_it_in_arrival_order() {
        let timeline = [point(10, Some(2), 1), point(10, Some(1), 2), point(11, Some(0), 3)];
        let xs: Vec<f64> = placed(&timeline).iter().map(|(x, _)| *x).collect();
        assert_eq!(xs, [10.0, 10.5, 11.0]);
    }

    #[test]
    fn a_click_picks_the_nearest_point_within_reach_and_nothing_farther() {
        let placed = placed(&[point(10, Some(2), 1), point(11, Some(0), 2)]);
        // One plot second is 100 screen points, one request 10.
        let to_screen = |x: f64, y: f64| egui::pos2(((x - 10.0) * 100.0) as f32, (100.0 - y * 10.0) as f32);
        assert_eq!(picked(&placed, egui::pos2(95.0, 98.0), to_screen), Some(2));
        assert_eq!(picked(&placed, egui::pos2(3.0, 82.0), to_screen), Some(1));
        assert_eq!(picked(&placed, egui::pos2(50.0, 90.0), to_screen), None);
    }
}
