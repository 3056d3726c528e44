//! Frame cost of the heaviest views, headless: the History tab with 10,000 requests (rows drawn only when
//! visible), the Rate limits tab with a full timeline (egui_plot), and both in one frame; each laid out and
//! tessellated as a real frame is.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "a benchmark fails loudly")]

use criterion::{Criterion, criterion_group, criterion_main};
use tokenbench::core::history::{History, HistoryEntry};
use tokenbench::core::http::HttpAnswer;
use tokenbench::core::workspace::Workspace;
use tokenbench::ui::Settings;
use tokenbench::ui::forms::timeout::TimeoutField;
use tokenbench::ui::history::HistoryPanel;
use tokenbench::ui::panel::{Panel, PanelContext};
use tokenbench::ui::rate_limits::{RateBook, RateLimitsPanel, Source};

/// What the panels read besides their own state, as the app keeps it.
struct Shared {
    zone: jiff::tz::TimeZone,
    workspace: Workspace,
    settings: Settings,
    timeout: TimeoutField,
    history: History,
    unsaved: bool,
    rate_book: RateBook,
}

impl Shared {
    fn new(history: History, rate_book: RateBook) -> Self {
        Self {
            zone: jiff::tz::TimeZone::UTC,
            workspace: Workspace::default(),
            settings: Settings::default(),
            timeout: TimeoutField::new(10),
            history,
            unsaved: false,
            rate_book,
        }
    }

    fn context(&mut self) -> PanelContext<'_> {
        PanelContext {
            now: 1_700_000_400,
            zone: &self.zone,
            workspace: &mut self.workspace,
            settings: &mut self.settings,
            keyring_names: &[],
            memory_only: false,
            local_issuer: None,
            local_clients: &[],
            local_tenant: None,
            request_timeout: &mut self.timeout,
            history: &mut self.history,
            history_unsaved: &mut self.unsaved,
            rate_book: &mut self.rate_book,
        }
    }
}

fn history(entries: usize) -> History {
    let entries = (0..entries)
        .map(|i| HistoryEntry {
            at: 1_700_000_000 + i as i64,
            method: "POST".into(),
            url: format!("http://127.0.0.1:4000/delegation?n={i}"),
            status: Some(if i % 11 == 10 { 429 } else { 200 }),
            summary: "issued id_token".into(),
            elapsed_ms: Some(3),
            rate_limit: Some(("10".into(), (i % 10).to_string(), "1700000006".into())),
            ..HistoryEntry::default()
        })
        .collect();
    History {
        entries,
        ..History::default()
    }
}

fn rate_book() -> RateBook {
    let mut book = RateBook::default();
    for i in 0..400 {
        let answer = HttpAnswer {
            status: if i % 11 == 10 { 429 } else { 200 },
            headers: vec![
                ("x-ratelimit-limit".into(), "10".into()),
                ("x-ratelimit-remaining".into(), (i % 10).to_string()),
                ("x-ratelimit-reset".into(), "1700000600".into()),
            ],
            body: Vec::new(),
            final_url: String::new(),
            elapsed: std::time::Duration::from_millis(2),
        };
        let source = Source {
            environment: "Local issuer",
            url: "http://127.0.0.1:4000/delegation",
            user: "auth0|alice",
            now: 1_700_000_000 + i,
            entry: Some(i as u64 + 1),
        };
        book.observe(source, &answer);
    }
    book
}

/// One frame: input, layout, paint and tessellation, as eframe does.
fn frame(ctx: &egui::Context, draw: &mut impl FnMut(&mut egui::Ui)) {
    let input = egui::RawInput {
        screen_rect: Some(egui::Rect::from_min_size(egui::Pos2::ZERO, egui::vec2(1280.0, 800.0))),
        ..egui::RawInput::default()
    };
    let mut output = ctx.run_ui(input, |ui| {
        egui::CentralPanel::default().show(ui, |ui| draw(ui));
    });
    let shapes = std::mem::take(&mut output.shapes);
    std::hint::black_box(ctx.tessellate(shapes, output.pixels_per_point));
    output.textures_delta.clear();
}

fn history_frame(c: &mut Criterion) {
    let ctx = egui::Context::default();
    let mut shared = Shared::new(history(10_000), RateBook::default());
    let mut panel = HistoryPanel::default();
    let mut draw = |ui: &mut egui::Ui| panel.ui(ui, &mut shared.context(), &mut Vec::new());
    frame(&ctx, &mut draw);
    c.bench_function("frame_history_10000_rows", |b| b.iter(|| frame(&ctx, &mut draw)));
}

fn rate_limits_frame(c: &mut Criterion) {
    let ctx = egui::Context::default();
    let mut shared = Shared::new(History::default(), rate_book());
    let mut panel = RateLimitsPanel;
    let mut draw = |ui: &mut egui::Ui| panel.ui(ui, &mut shared.context(), &mut Vec::new());
    frame(&ctx, &mut draw);
    c.bench_function("frame_rate_limits_timeline", |b| b.iter(|| frame(&ctx, &mut draw)));
}

/// The goal: 10,000 history rows and the timeline chart in one frame.
fn history_and_timeline_frame(c: &mut Criterion) {
    let ctx = egui::Context::default();
    let mut shared = Shared::new(history(10_000), rate_book());
    let (mut rows, mut limits) = (HistoryPanel::default(), RateLimitsPanel);
    let mut draw = |ui: &mut egui::Ui| {
        ui.columns(2, |columns| {
            limits.ui(&mut columns[0], &mut shared.context(), &mut Vec::new());
            rows.ui(&mut columns[1], &mut shared.context(), &mut Vec::new());
        });
    };
    frame(&ctx, &mut draw);
    c.bench_function("frame_history_10000_rows_and_timeline", |b| {
        b.iter(|| frame(&ctx, &mut draw))
    });
}

criterion_group!(benches, history_frame, rate_limits_frame, history_and_timeline_frame);
criterion_main!(benches);
