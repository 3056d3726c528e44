//! Accessibility helpers: combo boxes that say their choice, polite live regions and named scroll bars.

use egui::accesskit::{Live, Role};

/// A visible label and a combo box showing `chosen`, named "`label`: `chosen`" for screen readers (AT-SPI reads
/// a combo box's name, not its value). The list closes once an option is chosen by any means: pointer,
/// keyboard or an assistive technology's click action (which egui's own close-on-click does not see).
pub fn choice<R>(
    ui: &mut egui::Ui,
    combo: egui::ComboBox<'_>,
    label: &str,
    chosen: &str,
    options: impl FnOnce(&mut egui::Ui) -> R,
) -> egui::InnerResponse<Option<R>> {
    ui.label(label);
    let shown = combo.selected_text(chosen.to_owned()).show_ui(ui, |ui| {
        let clicks_before = clicks(ui.ctx());
        let inner = options(ui);
        if clicks(ui.ctx()) > clicks_before {
            ui.close();
        }
        inner
    });
    let response = shown.response.accessible_name(format!("{label}: {chosen}"));
    egui::InnerResponse::new(shown.inner, response)
}

/// How many widgets reported a click this frame (by pointer, keyboard or accessibility action).
fn clicks(ctx: &egui::Context) -> usize {
    ctx.output(|o| {
        o.events
            .iter()
            .filter(|e| matches!(e, egui::output::OutputEvent::Clicked(_)))
            .count()
    })
}

/// Makes a status line a polite live region: a screen reader announces it whenever its text changes.
pub fn announce(response: egui::Response) -> egui::Response {
    response
        .ctx
        .accesskit_node_builder(response.id, |node| node.set_live(Live::Polite));
    response
}

/// Names the scroll bars of the scroll area with this id, when they are shown (call after the area).
pub fn name_scroll_bars(ctx: &egui::Context, area: egui::Id, name: &str) {
    for (axis, direction) in [(0_usize, "sideways"), (1, "up and down")] {
        let bar = area.with(axis);
        if ctx.has_accesskit_node(bar) {
            ctx.accesskit_node_builder(bar, |node| node.set_label(format!("Scroll {name} {direction}")));
        }
    }
}

/// Makes sure every scroll bar in the window has a name, also those of scroll areas drawn outside the panels
/// (the page itself, combo box lists): installed once, when the app starts.
pub fn install(ctx: &egui::Context) {
    ctx.add_plugin(ScrollBarNames);
}

/// Gives each unnamed scroll bar a name from its direction, in the accessibility tree sent out each frame.
struct ScrollBarNames;

impl egui::Plugin for ScrollBarNames {
    fn debug_name(&self) -> &'static str {
        "tokenbench scroll bar names"
    }

    fn output_hook(&mut self, _ctx: &egui::Context, output: &mut egui::FullOutput) {
        let Some(update) = &mut output.platform_output.accesskit_update else {
            return;
        };
        for (_, node) in &mut update.nodes {
            if node.role() == Role::ScrollBar && node.label().is_none() {
                node.set_label(default_bar_name(node.bounds()));
            }
        }
    }
}

/// "Scroll up and down" for a tall bar, "Scroll sideways" for a wide one.
fn default_bar_name(bounds: Option<egui::accesskit::Rect>) -> &'static str {
    match bounds {
        Some(rect) if rect.width() > rect.height() => "Scroll sideways",
        _ => "Scroll up and down",
    }
}
