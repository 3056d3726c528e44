//! The status bar's clock control: freeze, move forward, or return to real time. The issuer, the inspector's
//! time checks and the countdowns all read this clock, and the bar is plainly marked while it is not real.

use crate::services::clock::{Clock, DemoClock};
use crate::ui::theme;

/// Steps offered for moving the clock forward.
const STEPS: [(i64, &str); 4] = [(6, "+6 s"), (60, "+1 min"), (3_600, "+1 h"), (86_400, "+1 d")];

/// Draws the clock control.
pub fn clock_bar_ui(ui: &mut egui::Ui, clock: &DemoClock, zone: &jiff::tz::TimeZone) {
    ui.horizontal_wrapped(|ui| {
        let now = clock.now();
        let shown = jiff::Timestamp::from_second(now)
            .map(|t| t.to_zoned(zone.clone()).strftime("%Y-%m-%d %H:%M:%S %Z").to_string())
            .unwrap_or_else(|_| now.to_string());
        if clock.is_real() {
            // No seconds shown in real time: an idle window must not repaint every second for a status bar.
            ui.label("Clock: real time");
        } else {
            let state = if clock.is_frozen() { "frozen" } else { "running" };
            let text = format!(
                "Clock: SIMULATED ({state}, {:+} s from real time), {shown}",
                clock.skew()
            );
            ui.label(
                egui::RichText::new(text)
                    .strong()
                    .color(theme::warning(ui.visuals().dark_mode)),
            );
        }
        if clock.is_frozen() {
            if ui
                .button("Resume")
                .on_hover_text("Let the simulated clock run again from here")
                .clicked()
            {
                clock.resume();
            }
        } else if ui
            .button("Freeze")
            .on_hover_text("Stop the clock: tokens never expire, buckets never refill")
            .clicked()
        {
            clock.freeze();
        }
        for (seconds, title) in STEPS {
            if ui
                .button(title)
                .on_hover_text("Move the clock forward (issuer, inspector, countdowns)")
                .clicked()
            {
                clock.advance(seconds);
            }
        }
        if !clock.is_real() && ui.button("Real time").clicked() {
            clock.reset();
        }
        // A running simulated clock shows its seconds ticking; real time and a frozen clock need no frames.
        if !clock.is_frozen() && !clock.is_real() {
            ui.ctx().request_repaint_after(std::time::Duration::from_secs(1));
        }
    });
}
