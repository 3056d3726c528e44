//! A log pasted into the inspector: every JWT in it is listed with its line and column, one click loads a
//! token alone, and "Back to the pasted text" brings the log back.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "a test fails loudly")]

mod gui_support;

use egui::accesskit::Role;
use egui_kittest::kittest::Queryable;
use gui_support::{App, NOW, launch, unnamed_controls};
use std::sync::Arc;
use tokenbench::services::secrets::MemoryStore;
use tokenbench::ui::Tab;
use tokenbench::ui::backend::BackendPaths;

fn app(tab: Tab) -> App {
    let paths = BackendPaths {
        settings: None,
        workspace: None,
        history: None,
    };
    let mut harness = launch(gui_support::options(tab, Arc::new(MemoryStore::default()), None, paths));
    harness.run();
    harness
}

fn unsigned(header: &str, claims: &str) -> String {
    use base64::Engine;
    let b64 = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
    format!("{}.{}.c2lnbmF0dXJl", b64(header), b64(claims))
}

fn alice() -> String {
    let claims = format!(r#"{{"sub":"auth0|alice","exp":{}}}"#, NOW + 7200);
    unsigned(r#"{"alg":"RS256","typ":"JWT"}"#, &claims)
}

fn bob() -> String {
    let claims = format!(r#"{{"sub":"auth0|bob","exp":{}}}"#, NOW - 180);
    unsigned(r#"{"alg":"RS256","typ":"JWT"}"#, &claims)
}

fn service() -> String {
    unsigned(r#"{"alg":"HS256","typ":"JWT"}"#, r#"{"sub":"svc@clients"}"#)
}

const LINE_2: &str = "2023-11-14 22:00:02 DEBUG Authorization: Bearer ";
const LINE_3: &str = "  refreshed: token=";
const LINE_4: &str = " and again \"";

/// Alice on line 2 and again on line 4, Bob on line 3, the service token at the start of line 4.
fn log() -> String {
    format!(
        "2023-11-14 22:00:01 INFO request started\n{LINE_2}{}\n{LINE_3}{}&x=1\n{}{LINE_4}{}\".\n",
        alice(),
        bob(),
        service(),
        alice()
    )
}

fn column_after(prefix: &str) -> usize {
    prefix.chars().count() + 1
}

fn paste(harness: &mut App, text: &str) {
    harness.event(egui::Event::Paste(text.to_owned()));
    harness.run();
}

fn click(harness: &mut App, label: &str) {
    harness.get_by_role_and_label(Role::Button, label).click();
    harness.run();
}

#[test]
fn every_token_in_a_pasted_log_is_listed_with_its_line_and_column() {
    let mut harness = app(Tab::Inspector);
    paste(&mut harness, &log());
    assert_eq!(harness.state().inspector.token, log().trim());
    harness.get_by_label("4 tokens in this text");
    let second = column_after(LINE_2);
    let fourth = service().chars().count() + column_after(LINE_4);
    harness.get_by_label(&format!(
        "Line 2, column {second}: eyJhbGciOi… (RS256, sub auth0|alice, exp in 2 h)"
    ));
    harness.get_by_label(&format!(
        "Line 3, column {}: eyJhbGciOi… (RS256, sub auth0|bob, expired 3 min ago)",
        column_after(LINE_3)
    ));
    harness.get_by_label("Line 4, column 1: eyJhbGciOi… (HS256, sub svc@clients, no exp)");
    harness.get_by_label(&format!(
        "Line 4, column {fourth}: eyJhbGciOi… (RS256, sub auth0|alice, exp in 2 h)"
    ));
    harness.get_by_role_and_label(Role::Button, "Inspect token 3 (line 4, column 1)");
    assert_eq!(unnamed_controls(&harness), Vec::<String>::new());
}

#[test]
fn a_row_loads_exactly_its_token_and_back_restores_the_log() {
    let mut harness = app(Tab::Inspector);
    paste(&mut harness, &log());
    click(
        &mut harness,
        &format!("Inspect token 2 (line 3, column {})", column_after(LINE_3)),
    );
    assert_eq!(harness.state().inspector.token, bob());
    harness.get_by_label("auth0|bob");
    assert!(harness.query_by_label("4 tokens in this text").is_none());
    assert_eq!(unnamed_controls(&harness), Vec::<String>::new());

    click(&mut harness, "Back to the pasted text");
    assert_eq!(harness.state().inspector.token, log().trim());
    harness.get_by_label("4 tokens in this text");
    assert!(
        harness
            .query_by_role_and_label(Role::Button, "Back to the pasted text")
            .is_none()
    );

    let fourth = service().chars().count() + column_after(LINE_4);
    click(&mut harness, &format!("Inspect token 4 (line 4, column {fourth})"));
    assert_eq!(harness.state().inspector.token, alice());
}

#[test]
fn a_text_without_tokens_shows_no_list() {
    let mut harness = app(Tab::Inspector);
    harness
        .state_mut()
        .inspector
        .load("INFO started\nWARN no token in eyJnot.a.token here\n");
    harness.run();
    assert!(harness.query_by_label_contains("in this text").is_none());
    assert!(harness.query_by_label_contains("Inspect token").is_none());
}

#[test]
fn a_single_token_is_decoded_not_listed() {
    let mut harness = app(Tab::Inspector);
    paste(&mut harness, &format!("Bearer {}", alice()));
    assert_eq!(harness.state().inspector.token, alice());
    assert!(harness.query_by_label_contains("in this text").is_none());
    harness.get_by_label("auth0|alice");
}

#[test]
fn a_log_pasted_on_another_tab_is_offered_for_the_inspector() {
    let mut harness = app(Tab::Secrets);
    paste(&mut harness, &log());
    harness.get_by_label("The clipboard holds a text with JWTs in it");
    click(&mut harness, "Inspect it");
    harness.get_by_label("4 tokens in this text");
}

#[test]
fn a_long_list_stops_at_500_rows_with_a_note() {
    let mut harness = app(Tab::Inspector);
    let text = vec![alice(); 501].join("\n");
    paste(&mut harness, &text);
    harness.get_by_label("501 tokens in this text");
    harness.get_by_label_contains("Only the first 500 are listed");
    harness.get_by_role_and_label(Role::Button, "Inspect token 500 (line 500, column 1)");
    assert!(harness.query_by_label_contains("Inspect token 501").is_none());
}
