//! The capture's entries as a table: time, method, host+path, status, X-RateLimit values, then the tokens the
//! entry carried (each JWT a button that opens it in the inspector with its place). Filtered to Auth0
//! endpoints or by a search, computed once per change; only the visible rows are drawn.

use super::file_name;
use crate::core::har::Entry;
use crate::core::har::entry::RateLimit;
use crate::core::har::entry::is_auth0_endpoint;
use crate::ui::command::{AppCommand, CapturedEntry, Command, TokenOrigin};
use crate::ui::widgets::fields::labelled_line;
use crate::ui::widgets::time::clock_time;
use egui::RichText;
use std::path::Path;

/// The Auth0 filter, the search, and the rows they let through (indices into the rows).
#[derive(Default)]
pub struct Filter {
    /// Only `/authorize`, `/oauth/token`, `/delegation`, `/userinfo`, `/.well-known/*`, `/api/v2/*`.
    pub auth0_only: bool,
    /// Text in the method, URL, status, a header, the error or a token's name.
    pub search: String,
    /// The rows shown, by position.
    pub shown: Vec<usize>,
    /// What `shown` was computed for: (Auth0 only, search, rows).
    pub(super) computed: Option<(bool, String, usize)>,
}

impl Filter {
    /// Whether `entry` passes.
    pub fn shows(&self, entry: &Entry) -> bool {
        let search = self.search.trim();
        (!self.auth0_only || is_auth0_endpoint(&entry.path)) && (search.is_empty() || entry.matches(search))
    }

    /// Lets every row through.
    pub fn clear(&mut self) {
        self.auth0_only = false;
        self.search.clear();
    }

    /// Recomputes `shown` when the filter or the rows changed.
    fn refresh(&mut self, rows: &[CapturedEntry]) {
        let key = (self.auth0_only, self.search.clone(), rows.len());
        if self.computed.as_ref() == Some(&key) {
            return;
        }
        self.shown = (0..rows.len()).filter(|&i| self.shows(&rows[i].entry)).collect();
        self.computed = Some(key);
    }
}

/// What the table draws.
pub struct TableView<'a> {
    /// Every row.
    pub rows: &'a [CapturedEntry],
    /// The capture.
    pub file: &'a Path,
    /// The highlighted entry, and whether to scroll to it now.
    pub focus: (Option<usize>, bool),
    /// The local zone.
    pub zone: &'a jiff::tz::TimeZone,
}

/// Draws the filter and the rows.
pub fn table_ui(ui: &mut egui::Ui, filter: &mut Filter, view: &TableView<'_>, commands: &mut Vec<Command>) {
    ui.horizontal(|ui| {
        ui.checkbox(&mut filter.auth0_only, "Auth0 endpoints only")
            .on_hover_text("/authorize, /oauth/token, /delegation, /userinfo, /.well-known/*, /api/v2/*");
    });
    labelled_line(
        ui,
        "Search the capture",
        &mut filter.search,
        "URL, status, header, token name…",
    );
    filter.refresh(view.rows);
    ui.label(format!("{} of {} entries", filter.shown.len(), view.rows.len()));
    let reference = view
        .rows
        .iter()
        .find_map(|r| r.entry.started_seconds())
        .unwrap_or_default();
    let row_height = ui.spacing().interact_size.y * 2.0 + ui.spacing().item_spacing.y + 4.0;
    let mut area = egui::ScrollArea::vertical().id_salt("capture_rows").max_height(640.0);
    let (focused, scroll) = view.focus;
    if scroll
        && let Some(at) = filter
            .shown
            .iter()
            .position(|&i| Some(view.rows[i].entry.index) == focused)
    {
        area = area.vertical_scroll_offset(at as f32 * (row_height + ui.spacing().item_spacing.y));
    }
    let shown = &filter.shown;
    let drawn = area.show_rows(ui, row_height, shown.len(), |ui, range| {
        for &i in &shown[range] {
            let row = &view.rows[i];
            let highlighted = Some(row.entry.index) == focused;
            row_ui(ui, row, highlighted, (view, reference), commands);
        }
    });
    crate::ui::widgets::a11y::name_scroll_bars(ui.ctx(), drawn.id, "the capture");
}

fn row_ui(
    ui: &mut egui::Ui,
    row: &CapturedEntry,
    highlighted: bool,
    (view, reference): (&TableView<'_>, i64),
    commands: &mut Vec<Command>,
) {
    let fill = if highlighted {
        ui.visuals().selection.bg_fill
    } else {
        egui::Color32::TRANSPARENT
    };
    let entry = &row.entry;
    egui::Frame::new().fill(fill).show(ui, |ui| {
        let line = format!(
            "#{}  {}  {}  {}  {}{}  {}",
            entry.index,
            time(entry, reference, view.zone),
            entry.method,
            entry.status,
            entry.host,
            entry.path,
            rate_cell(&entry.rate_limit, reference, view.zone)
        );
        let shown = ui.add(egui::Label::new(RichText::new(&line).monospace()).truncate());
        shown.on_hover_text(&entry.url);
        ui.horizontal(|ui| tokens_ui(ui, row, view.file, commands));
    });
}

/// The tokens of a row: JWTs as buttons that open them in the inspector, the others named.
fn tokens_ui(ui: &mut egui::Ui, row: &CapturedEntry, file: &Path, commands: &mut Vec<Command>) {
    if row.entry.tokens.is_empty() {
        ui.label(RichText::new("no tokens").weak());
        return;
    }
    let name = file_name(file);
    for (token, value) in row.entry.tokens.iter().zip(&row.values) {
        let direction = if token.is_sent() { "sent" } else { "received" };
        let text = format!("{direction} {}", token.field());
        let Some(value) = value else {
            ui.label(RichText::new(text).monospace())
                .on_hover_text(format!("{} #{} ({:?})", token.place, token.fingerprint, token.kind));
            continue;
        };
        let button = ui
            .small_button(text)
            .on_hover_text(format!("{}: open in the inspector", token.place))
            .accessible_name(format!("Open {} of {name} in the inspector", token.place));
        if button.clicked() {
            let place = format!("{} · {}", token.place.carrier.label(), token.place.field);
            commands.push(Command::App(AppCommand::OpenInInspector {
                token: value.clone(),
                origin: TokenOrigin::Capture {
                    file: file.to_path_buf(),
                    entry: token.place.entry,
                    place,
                },
            }));
        }
    }
}

/// The entry's local time, with milliseconds; the date only when another day than the capture's first entry.
fn time(entry: &Entry, reference: i64, zone: &jiff::tz::TimeZone) -> String {
    match entry.started_ms {
        Some(ms) => format!(
            "{}.{:03}",
            clock_time(ms.div_euclid(1000), reference, zone),
            ms.rem_euclid(1000)
        ),
        None => "time unknown".to_owned(),
    }
}

/// `X-RateLimit` values: "x-ratelimit 29/30, reset 15:07:40", "retry after 15:07:10", or nothing.
fn rate_cell(rate: &RateLimit, reference: i64, zone: &jiff::tz::TimeZone) -> String {
    let mut parts = Vec::new();
    match (rate.remaining, rate.limit) {
        (Some(remaining), Some(limit)) => parts.push(format!("x-ratelimit {remaining}/{limit}")),
        (Some(remaining), None) => parts.push(format!("x-ratelimit {remaining} remaining")),
        (None, Some(limit)) => parts.push(format!("x-ratelimit limit {limit}")),
        (None, None) => {}
    }
    if let Some(reset) = rate.reset_at {
        parts.push(format!("reset {}", clock_time(reset, reference, zone)));
    }
    if let Some(retry) = rate.retry_at {
        parts.push(format!("retry after {}", clock_time(retry, reference, zone)));
    }
    parts.join(", ")
}
