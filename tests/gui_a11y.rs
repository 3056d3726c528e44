//! What a screen reader gets from the real app, read from its AccessKit tree: every control on every tab has a
//! name (scroll bars included, before and after use, in a tall and in a small window), combo boxes say their
//! choice, a list closes after an option is chosen through its accessible click, the Demo window has no
//! unnamed or fold control, status lines and errors are polite live regions, and a jump to another tab puts
//! the keyboard focus in the field it filled.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "a test fails loudly")]

mod gui_support;

use egui::accesskit::{Action, Live, Role};
use egui_kittest::kittest::{NodeT, Queryable};
use gui_support::{App, launch, run_until, sign_in_as_alice, type_into};
use std::sync::Arc;
use tokenbench::core::workspace::{Environment, Workspace};
use tokenbench::services::secrets::MemoryStore;
use tokenbench::ui::Tab;
use tokenbench::ui::backend::BackendPaths;
use tokenbench::ui::forms::request::Target;
use tokenbench::ui::inspector::Mode;

/// A workspace with one environment besides the local issuer, so the Environment list has a choice.
fn workspace() -> Workspace {
    Workspace {
        environments: vec![Environment {
            name: "staging".into(),
            base_url: Some("https://staging.example.test".into()),
            client_id: "default-app".into(),
            ..Environment::default()
        }],
        ..Workspace::default()
    }
}

/// The app on `tab`, with the local issuer running when `issuer` says so.
fn app(tab: Tab, issuer: bool) -> App {
    let store = Arc::new(MemoryStore::default());
    let mut options = gui_support::options(tab, store, None, BackendPaths::default());
    options.workspace = workspace();
    options.settings.issuer_autostart = issuer;
    options.settings.issuer_port = 0;
    let mut harness = launch(options);
    if issuer {
        run_until(&mut harness, "the issuer to start", |h| {
            h.state().issuer.base_url().is_some()
        });
    }
    harness.run();
    harness
}

/// Whether a screen reader can act on the node (focus it or click it).
fn is_interactive(node: &egui_kittest::Node<'_>) -> bool {
    let data = node.accesskit_node().data();
    data.supports_action(Action::Focus) || data.supports_action(Action::Click)
}

/// The name a screen reader reads: a text label's text, else its own label or the nodes it is labelled by.
fn name(node: &egui_kittest::Node<'_>) -> String {
    let node = node.accesskit_node();
    if node.label_comes_from_value() {
        node.value()
    } else {
        node.label()
    }
    .unwrap_or_default()
}

/// Every interactive node in the window without a name, described by its role and value.
fn unnamed_controls(harness: &App) -> Vec<String> {
    harness
        .root()
        .children_recursive()
        .filter(|node| is_interactive(node) && name(node).trim().is_empty())
        .map(|node| {
            let node = node.accesskit_node();
            format!("{:?} (value {:?})", node.role(), node.value())
        })
        .collect()
}

/// Every combo box as (name, chosen value).
fn combo_boxes(harness: &App) -> Vec<(String, String)> {
    harness
        .query_all_by_role(Role::ComboBox)
        .map(|node| (name(&node), node.accesskit_node().value().unwrap_or_default()))
        .collect()
}

/// Shows `tab`, in both window sizes, and notes every unnamed control, every combo box that does not say its
/// choice, and whether a scroll bar was seen.
fn check_every_tab(harness: &mut App, state: &str, problems: &mut Vec<String>, scroll_bars: &mut usize) {
    for size in [[1400.0, 2400.0], [900.0, 500.0]] {
        harness.set_size(egui::Vec2::from(size));
        for tab in Tab::ALL {
            harness.state_mut().settings.tab = tab;
            harness.run();
            let place = format!("{} {state} in {size:?}", tab.title());
            for control in unnamed_controls(harness) {
                problems.push(format!("{place}: unnamed {control}"));
            }
            for (name, value) in combo_boxes(harness) {
                if !name.ends_with(&format!(": {value}")) {
                    problems.push(format!("{place}: combo box {name:?} does not say its choice {value:?}"));
                }
            }
            *scroll_bars += harness.query_all_by_role(Role::ScrollBar).count();
        }
    }
    harness.set_size(egui::vec2(1400.0, 2400.0));
    harness.run();
}

#[test]
fn every_control_on_every_tab_has_a_name_and_every_combo_box_says_its_choice() {
    let mut harness = app(Tab::LocalIssuer, true);
    let (mut problems, mut scroll_bars) = (Vec::new(), 0);
    check_every_tab(&mut harness, "at start", &mut problems, &mut scroll_bars);

    // The same after use: a sign-in, an answer, a history entry, a rate-limit bucket with its timeline listed,
    // the Encode mode and the Demo window.
    sign_in_as_alice(&mut harness);
    send_for_an_id_token(&mut harness);
    harness.state_mut().settings.tab = Tab::RateLimits;
    harness.run();
    harness.get_by_label_contains("Requests on this timeline").click();
    harness.run();
    harness.state_mut().settings.tab = Tab::LocalIssuer;
    harness.run();
    harness.get_by_role_and_label(Role::Button, "Demo").click();
    harness.run();
    check_every_tab(&mut harness, "after use", &mut problems, &mut scroll_bars);
    harness.state_mut().inspector.mode = Mode::Encode;
    check_every_tab(&mut harness, "in Encode mode", &mut problems, &mut scroll_bars);

    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(
        scroll_bars > 0,
        "the small window shows scroll bars, so they were checked"
    );
    // The timeline's points are reachable without a pointer.
    harness.state_mut().settings.tab = Tab::RateLimits;
    harness.run();
    let entry = harness.state().history.entries[0].id;
    let point_name = format!("Request {entry}: ");
    let point = harness.get_by_label_contains(&point_name);
    assert_eq!(point.accesskit_node().role(), Role::Button);
    assert!(name(&point).contains(" remaining at "), "{}", name(&point));
}

#[test]
fn the_environment_says_its_choice_and_its_list_closes_after_an_accessible_click_on_an_option() {
    let mut harness = app(Tab::Delegation, false);
    harness
        .get_by_role_and_label(Role::ComboBox, "Environment: Local issuer")
        .click();
    harness.run();
    assert!(harness.query_by_role(Role::ListBox).is_some(), "the list is open");
    // A screen reader chooses through the option's accessible action, not a pointer click.
    harness.get_by_label("staging").click_accesskit();
    harness.run();
    assert_eq!(
        harness.state().delegation.sender.target,
        Target::Named("staging".into())
    );
    assert!(
        harness.query_by_role(Role::ListBox).is_none(),
        "the list closed after the choice"
    );
    harness.get_by_role_and_label(Role::ComboBox, "Environment: staging");
}

#[test]
fn the_demo_window_has_no_unnamed_control_and_no_fold_handle() {
    let mut harness = app(Tab::LocalIssuer, false);
    harness.get_by_role_and_label(Role::Button, "Demo").click();
    harness.run();
    let window = harness.get_by_role_and_label(Role::Window, "Demo");
    let controls: Vec<_> = window.children_recursive().filter(is_interactive).collect();
    let names: Vec<String> = controls.iter().map(name).collect();
    assert!(names.iter().all(|n| !n.trim().is_empty()), "{names:?}");
    assert!(
        !names.iter().any(|n| n == "Hide" || n == "Show"),
        "the anchored window cannot be folded: {names:?}"
    );
    assert!(names.iter().any(|n| n == "Start over"), "{names:?}");
}

/// Sends alice's delegation for an ID token of demo-firebase and waits for the answer.
fn send_for_an_id_token(harness: &mut App) {
    type_into(harness, Role::TextInput, "Target", "demo-firebase");
    type_into(harness, Role::TextInput, "api_type", "app");
    harness.get_by_role_and_label(Role::Button, "Send").click();
    run_until(harness, "the answer", |h| h.state().delegation.sender.last.is_some());
    harness.run();
}

/// Whether the text label containing `text` is announced when it appears or changes.
fn live(harness: &App, text: &str) -> Live {
    harness
        .get_by(|node| node.role() == Role::Label && node.value().is_some_and(|v| v.contains(text)))
        .accesskit_node()
        .live()
}

#[test]
fn jumps_put_the_focus_in_the_filled_field_and_answers_and_verdicts_are_announced() {
    let mut harness = app(Tab::LocalIssuer, true);
    sign_in_as_alice(&mut harness);
    let field = harness.get_by_role_and_label(Role::MultilineTextInput, "id_token");
    assert!(field.is_focused(), "the id_token field has the focus after the sign-in");

    send_for_an_id_token(&mut harness);
    assert_eq!(live(&harness, "HTTP 200"), Live::Polite);
    harness.get_by_role_and_label(Role::Button, "Inspect id_token").click();
    harness.run();
    assert_eq!(harness.state().settings.tab, Tab::Inspector);
    let field = harness.get_by_role_and_label(Role::MultilineTextInput, "Token");
    assert!(
        field.is_focused(),
        "the Token field has the focus after Inspect id_token"
    );
    let verdict = harness
        .get_by(|node| {
            let text = node.value().unwrap_or_default();
            node.role() == Role::Label
                && ["Invalid:", "Signature valid", "Decoded:"]
                    .iter()
                    .any(|start| text.starts_with(start))
        })
        .accesskit_node()
        .live();
    assert_eq!(verdict, Live::Polite);
}

#[test]
fn a_burst_summary_the_throttle_line_and_errors_are_announced() {
    let mut harness = app(Tab::LocalIssuer, true);
    sign_in_as_alice(&mut harness);
    harness.get_by_label("Burst").click();
    harness.run();
    // "5" becomes "50" requests per second.
    type_into(&mut harness, Role::TextInput, "Requests per second", "0");
    harness.get_by_role_and_label(Role::Button, "Start burst").click();
    run_until(&mut harness, "15 answers", |h| {
        h.state().delegation.burst.statuses.values().sum::<u32>() == 15
    });
    // The countdown repaints every frame while it runs.
    harness.run_steps(4);
    assert_eq!(live(&harness, "Answers: "), Live::Polite);
    assert_eq!(live(&harness, "Rate limit reached"), Live::Polite);
    harness.state_mut().delegation.form.token.clear();
    type_into(&mut harness, Role::MultilineTextInput, "id_token", "not a token");
    assert_eq!(live(&harness, "This does not look like a JWT"), Live::Polite);
}
