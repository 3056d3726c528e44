//! Tabs that are not built yet: they say what they will do, and do not pretend to work.

use crate::ui::Tab;

/// What a future tab will do.
fn plan(tab: Tab) -> &'static str {
    match tab {
        Tab::Delegation => {
            "Send Auth0's legacy POST /delegation: an id_token or refresh_token, target, scope, api_type and free-form \
             add-on parameters, against a real tenant or the local issuer"
        }
        Tab::TokenExchange => {
            "Exchange a native social token (Apple, Facebook, Google) at POST /oauth/token with the token-exchange \
             grant, user_profile, audience, scope and DPoP"
        }
        Tab::LocalIssuer => {
            "Run an offline Auth0-like tenant on loopback: /delegation, /oauth/token, discovery, JWKS and Auth0's \
             rate limits"
        }
        Tab::RateLimits => {
            "Show every response's X-RateLimit-Limit, Remaining and Reset as gauges, countdowns and a timeline"
        }
        Tab::Inspector | Tab::Secrets | Tab::History => "",
    }
}

/// Draws the placeholder for `tab`.
pub fn placeholder_ui(ui: &mut egui::Ui, tab: Tab) {
    ui.heading(tab.title());
    ui.add_space(crate::ui::theme::SECTION_GAP);
    ui.label(plan(tab));
    ui.add_space(crate::ui::theme::SECTION_GAP);
    ui.label(
        egui::RichText::new("Not available yet in this version. The Inspector works today.")
            .color(crate::ui::theme::muted(ui.visuals().dark_mode)),
    );
}
