//! The Captures tab on the real app, with the fixtures of `tests/support/make-har.py`: a capture opened from
//! the path field lists its rows, the Auth0 filter and the search narrow them, a token opens in the inspector
//! with its place in the capture, findings are listed and point at their entries, the Rate limits tab draws
//! the capture's timelines named after the file (and removes them), an earlier capture is kept (its table
//! and its timelines) and listed again from a button or from its timeline, Cancel stops a slow read keeping what
//! was read, a truncated file keeps its rows with a clear message, a dropped file whose JSON starts with
//! `{"log"` is read as a capture, and the sanitised copy contains no planted secret.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "a test fails loudly")]

mod gui_support;
mod har_fixtures;

use egui::accesskit::Role;
use egui_kittest::kittest::Queryable;
use gui_support::{App, launch, run_until, type_into, unnamed_controls};
use har_fixtures::fixture;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tokenbench::core::har::entry::is_auth0_endpoint;
use tokenbench::services::secrets::MemoryStore;
use tokenbench::ui::Tab;
use tokenbench::ui::backend::BackendPaths;
use tokenbench::ui::command::{ReadOutcome, TokenOrigin};

fn app() -> App {
    let store = Arc::new(MemoryStore::default());
    let mut harness = launch(gui_support::options(
        Tab::Captures,
        store,
        None,
        BackendPaths::default(),
    ));
    harness.run();
    harness
}

/// Types `path` into the path field and opens it, without waiting for the read.
fn start_opening(harness: &mut App, path: &Path) {
    type_into(
        harness,
        Role::TextInput,
        "Or a capture path",
        &path.display().to_string(),
    );
    harness
        .get_by_role_and_label(Role::Button, "Open capture from path")
        .click();
    harness.step();
}

/// Opens `path` and waits until it is read.
fn open(path: &Path) -> App {
    let mut harness = app();
    start_opening(&mut harness, path);
    wait_for_the_read(&mut harness);
    harness
}

fn wait_for_the_read(harness: &mut App) {
    run_until(harness, "the capture to be read", |h| {
        let captures = &h.state().captures;
        captures.file.is_some() && !captures.reading && captures.outcome.is_some()
    });
    harness.run();
}

#[test]
fn the_rows_appear_and_the_auth0_filter_and_the_search_narrow_them() {
    let mut harness = open(&fixture("capture.har"));
    let total = harness.state().captures.rows.len();
    assert_eq!(harness.state().captures.outcome, Some(ReadOutcome::Complete));
    assert_eq!(total, 21, "every entry of the fixture is a row");
    harness.get_by_label(&format!("{total} of {total} entries"));
    harness.get_by_label_contains("capture.har: 21 entries read, 0 skipped");

    harness
        .get_by_role_and_label(Role::CheckBox, "Auth0 endpoints only")
        .click();
    harness.run();
    let auth0 = harness
        .state()
        .captures
        .rows
        .iter()
        .filter(|r| is_auth0_endpoint(&r.entry.path))
        .count();
    assert!(auth0 > 0 && auth0 < total, "{auth0} of {total}");
    harness.get_by_label(&format!("{auth0} of {total} entries"));
    assert!(harness.query_by_label_contains("api.example.com/orders").is_none());

    harness
        .get_by_role_and_label(Role::CheckBox, "Auth0 endpoints only")
        .click();
    type_into(&mut harness, Role::TextInput, "Search the capture", "/delegation");
    harness.get_by_label(&format!("1 of {total} entries"));
    harness.get_by_label_contains("tenant.example.auth0.com/delegation");
    assert_eq!(harness.state().captures.filter.shown.len(), 1);
    assert!(
        harness.query_by_label_contains("  GET  ").is_none(),
        "only the POST to /delegation is listed"
    );
}

#[test]
fn a_token_opens_in_the_inspector_with_its_place_in_the_capture() {
    let mut harness = open(&fixture("capture.har"));
    let name = "Open entry 3 · response body · id_token of capture.har in the inspector";
    harness.get_by_role_and_label(Role::Button, name).click();
    harness.run();
    let state = harness.state();
    assert_eq!(state.settings.tab, Tab::Inspector);
    assert!(state.inspector.token.starts_with("eyJ"), "{}", state.inspector.token);
    let origin = state.inspector.origin.clone().expect("an origin");
    assert!(matches!(origin, TokenOrigin::Capture { entry: 3, .. }), "{origin:?}");
    assert_eq!(origin.describe(), "entry 3 · response body · id_token of capture.har");
    assert!(harness.query_all_by_label_contains("auth0|alice").count() > 0);
}

#[test]
fn findings_are_listed_and_point_at_their_entries() {
    let mut harness = open(&fixture("capture.har"));
    let findings = harness.state().captures.findings.clone();
    let (number, rate_limited) = findings
        .iter()
        .enumerate()
        .find(|(_, f)| f.kind.code() == "rate_limited")
        .expect("the 429s of the burst are a finding");
    harness.get_by_label_contains("Findings (");
    harness.get_by_label(rate_limited.message.as_str());
    let entry = *rate_limited.entries.last().unwrap();
    let button = format!("Show entry {entry} (finding {}, rate_limited)", number + 1);
    harness.get_by_role_and_label(Role::Button, &button).click();
    harness.run();
    assert_eq!(harness.state().captures.focused, Some(entry));
}

#[test]
fn the_rate_limits_tab_draws_the_capture_on_its_own_timeline_named_after_the_file() {
    let mut harness = open(&fixture("capture.har"));
    {
        let book = &harness.state().rate_book;
        assert!(
            book.buckets.is_empty(),
            "the capture is not mixed with the live buckets"
        );
        assert!(book.captures.contains_key("capture.har"));
    }
    harness.state_mut().settings.tab = Tab::RateLimits;
    harness.run();
    harness.get_by_label("capture.har · tenant.example.auth0.com/oauth/token · app-client-1");
    harness.get_by_label_contains("Requests on this timeline");
    harness
        .get_by_role_and_label(Role::Button, "Remove capture capture.har")
        .click();
    harness.run();
    assert!(harness.state().rate_book.captures.is_empty());
    assert!(harness.query_by_label_contains("capture.har · ").is_none());
}

/// Opens `path` in the app's Captures tab and waits until that file is read.
fn open_in(harness: &mut App, path: &Path) {
    harness.state_mut().captures.path.clear();
    harness.run();
    start_opening(harness, path);
    run_until(harness, "the capture to be read", |h| {
        let captures = &h.state().captures;
        captures.file.as_deref() == Some(path) && !captures.reading && captures.outcome.is_some()
    });
    harness.run();
}

#[test]
fn an_earlier_capture_is_kept_with_its_timelines_and_listed_again_from_a_button_or_its_timeline() {
    let first = fixture("capture.har");
    let mut harness = open(&first);
    let points = |h: &App, name: &str| {
        h.state().rate_book.captures[name]
            .values()
            .map(|bucket| bucket.timeline.len())
            .sum::<usize>()
    };
    let once = points(&harness, "capture.har");
    assert!(once > 0, "the fixture has rate-limit answers");
    let dir = tempfile::tempdir().unwrap();
    let monday = dir.path().join("monday.har");
    std::fs::copy(&first, &monday).unwrap();
    open_in(&mut harness, &monday);
    let timelines = |h: &App| h.state().rate_book.captures.keys().cloned().collect::<Vec<_>>();
    assert_eq!(timelines(&harness), ["capture.har", "monday.har"]);
    harness.get_by_label_contains("Also on the Rate limits tab, next to this capture's timelines: capture.har");

    open_in(&mut harness, &first);
    assert_eq!(timelines(&harness), ["capture.har", "monday.har"]);
    assert_eq!(points(&harness, "capture.har"), once, "read again, not added twice");
    assert_eq!(points(&harness, "monday.har"), once);
    harness.get_by_label_contains("next to this capture's timelines: monday.har");

    // A point of monday.har's timeline lists monday.har again, with the entry highlighted.
    harness.state_mut().captures.show_entry("monday.har", 3);
    harness.run();
    {
        let captures = &harness.state().captures;
        assert_eq!(captures.file.as_deref(), Some(monday.as_path()));
        assert_eq!(captures.focused, Some(3));
        assert_eq!(captures.rows.len(), 21, "kept as it was read");
        let earlier: Vec<_> = captures.earlier.iter().map(|c| c.file.clone()).collect();
        assert_eq!(earlier, std::slice::from_ref(&first));
    }
    harness.get_by_role_and_label(Role::Button, "Show capture.har").click();
    harness.run();
    assert_eq!(harness.state().captures.file.as_deref(), Some(first.as_path()));
    assert_eq!(harness.state().captures.focused, None);
    harness.get_by_label_contains("capture.har: 21 entries read, 0 skipped");
    harness.get_by_role_and_label(Role::Button, "Show monday.har");
    harness.state_mut().captures.show_entry("gone.har", 2);
    harness.run();
    harness.get_by_label_contains("Entry 2 belongs to gone.har, which is not open here");

    harness.state_mut().settings.tab = Tab::RateLimits;
    harness.run();
    harness.get_by_label("capture.har · tenant.example.auth0.com/oauth/token · app-client-1");
    harness.get_by_label("monday.har · tenant.example.auth0.com/oauth/token · app-client-1");
}

/// A capture of `count` entries, each carrying a JWT, as the browser would write it.
fn big_capture(path: &Path, count: usize) {
    let mut file = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    let jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhdXRoMHxhbGljZSIsImF1ZCI6Imh0dHBzOi8vYXBpLmV4YW1wbGUuY29tLyJ9.c2ln";
    write!(file, r#"{{"log":{{"version":"1.2","entries":["#).unwrap();
    for n in 0..count {
        let entry = serde_json::json!({
            "startedDateTime": "2025-06-15T15:06:40.000Z",
            "request": {"method": "GET", "url": format!("https://api.example.com/items/{n}"),
                        "headers": [{"name": "Authorization", "value": format!("Bearer {jwt}")}]},
            "response": {"status": 200, "headers": [{"name": "X-RateLimit-Remaining", "value": "5"}],
                         "content": {"mimeType": "application/json", "text": format!("{{\"access_token\":\"{jwt}\"}}")}}
        });
        let comma = if n == 0 { "" } else { "," };
        write!(file, "{comma}{entry}").unwrap();
    }
    write!(file, "]}}}}").unwrap();
    file.flush().unwrap();
}

#[test]
fn cancel_stops_a_slow_read_and_keeps_the_rows_read() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.har");
    let total = 30_000;
    big_capture(&path, total);
    let mut harness = app();
    start_opening(&mut harness, &path);
    run_until(&mut harness, "the first rows", |h| !h.state().captures.rows.is_empty());
    assert!(harness.state().captures.reading);
    harness.get_by_role_and_label(Role::Button, "Cancel").click();
    harness.step();
    wait_for_the_read(&mut harness);
    let captures = &harness.state().captures;
    assert_eq!(captures.outcome, Some(ReadOutcome::Cancelled));
    assert!(captures.entries_read < total, "{} entries read", captures.entries_read);
    assert_eq!(captures.rows.len(), captures.entries_read, "the rows read are kept");
    harness.get_by_label_contains("cancelled: the entries read so far are listed");
}

#[test]
fn a_truncated_file_says_so_and_keeps_the_rows_read_before() {
    let text = std::fs::read(fixture("capture.har")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cut.har");
    std::fs::write(&path, &text[..text.len() / 2]).unwrap();
    let harness = open(&path);
    let captures = &harness.state().captures;
    assert!(!captures.rows.is_empty());
    assert!(
        matches!(&captures.outcome, Some(ReadOutcome::Failed(why)) if why.starts_with("truncated")),
        "{:?}",
        captures.outcome
    );
    harness.get_by_label_contains("cut.har could not be read to the end: truncated at byte");
}

#[test]
fn a_file_that_is_not_har_is_named_inline() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notes.har");
    std::fs::write(&path, "<html>not a capture</html>").unwrap();
    let harness = open(&path);
    assert!(harness.state().captures.rows.is_empty());
    harness.get_by_label_contains("notes.har could not be read to the end: not a HAR file");
}

/// A file dropped on the window, as egui-winit would report it.
#[derive(Debug)]
struct DroppedPath(PathBuf);

impl egui::DroppedFile for DroppedPath {
    fn path(&self) -> &Path {
        &self.0
    }

    fn bytes(&self) -> Result<Vec<u8>, String> {
        std::fs::read(&self.0).map_err(|e| e.to_string())
    }
}

#[test]
fn a_dropped_file_whose_json_starts_with_log_is_read_as_a_capture() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("exported.json");
    std::fs::copy(fixture("safari.har"), &path).unwrap();
    let store = Arc::new(MemoryStore::default());
    let mut harness = launch(gui_support::options(
        Tab::Inspector,
        store,
        None,
        BackendPaths::default(),
    ));
    harness.run();
    harness.input_mut().dropped_files.push(Arc::new(DroppedPath(path)));
    harness.step();
    wait_for_the_read(&mut harness);
    assert_eq!(harness.state().settings.tab, Tab::Captures);
    assert_eq!(harness.state().captures.rows.len(), 2);
    assert!(harness.state().inspector.token.is_empty());
}

/// The capture fixture open, with "Save sanitised copy…" pressed and the list of removals shown.
fn capture_with_removals_listed() -> App {
    let mut harness = open(&fixture("capture.har"));
    harness
        .get_by_role_and_label(Role::Button, "Save sanitised copy…")
        .click();
    harness.step();
    run_until(&mut harness, "the list of removals", |h| {
        h.state().captures.sanitize.report.is_some()
    });
    harness.run();
    harness
}

#[test]
fn the_sanitised_copy_lists_what_goes_and_contains_no_planted_secret() {
    let mut harness = capture_with_removals_listed();
    harness.get_by_label_contains("values will be removed");
    assert!(
        harness
            .query_all_by_label_contains("JWT signature, replaced by token #")
            .count()
            > 0
    );
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("shared.har");
    type_into(
        &mut harness,
        Role::TextInput,
        "Or save the copy to path",
        &target.display().to_string(),
    );
    harness.get_by_role_and_label(Role::Button, "Save copy to path").click();
    harness.step();
    run_until(&mut harness, "the copy", |h| {
        h.state().captures.sanitize.message.is_some()
    });
    harness.run();
    harness.get_by_label_contains("Sanitised copy saved to");
    let copy = std::fs::read_to_string(&target).unwrap();
    let planted: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(fixture("planted.json")).unwrap()).unwrap();
    let mut secrets: Vec<String> = planted
        .as_object()
        .unwrap()
        .iter()
        .filter_map(|(_, v)| v.as_str().map(str::to_owned))
        .collect();
    secrets.extend(
        planted["signatures"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s.as_str().unwrap().to_owned()),
    );
    assert!(secrets.len() > 8);
    for secret in &secrets {
        assert!(!copy.contains(secret.as_str()), "{secret} is still in the copy");
    }
    assert!(
        copy.contains("tenant.example.auth0.com"),
        "the copy is still the capture"
    );
}

#[test]
fn every_control_of_an_open_capture_and_its_timelines_has_a_name() {
    let mut harness = capture_with_removals_listed();
    let unnamed = unnamed_controls(&harness);
    assert!(unnamed.is_empty(), "unnamed on Captures: {unnamed:?}");
    harness.state_mut().settings.tab = Tab::RateLimits;
    harness.run();
    let unnamed = unnamed_controls(&harness);
    assert!(unnamed.is_empty(), "unnamed on Rate limits: {unnamed:?}");
}
