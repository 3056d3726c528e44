//! The decoded token: header and payload as pretty JSON and as a claims table with explanations and times.

use crate::core::jwt::claims::{display_value, explain_claim, explain_header, is_time_claim};
use crate::core::jwt::time::time_view;
use crate::core::jwt::{DecodedJwt, Inspection, SegmentError};
use crate::ui::{theme, widgets};
use egui::RichText;
use serde_json::{Map, Value};

/// Header, payload and claims table; broken segments point at what is wrong.
pub fn decoded_ui(ui: &mut egui::Ui, jwt: &DecodedJwt, now: i64, zone: &jiff::tz::TimeZone) {
    for note in &jwt.encoding_notes {
        widgets::fields::badge(ui, note, theme::warning(ui.visuals().dark_mode));
    }
    ui.columns(2, |columns| {
        json_section_ui(&mut columns[0], "Header", &jwt.header);
        json_section_ui(&mut columns[1], "Payload", &jwt.payload);
    });
    if let Err(e) = &jwt.signature {
        widgets::fields::inline_error(ui, &e.to_string());
    }
    if let Ok(header) = &jwt.header {
        member_table_ui(ui, "header_table", "Header parameters", header, |name, _| {
            explain_header(name).map(str::to_owned)
        });
    }
    if let Ok(payload) = &jwt.payload {
        member_table_ui(ui, "claims_table", "Claims", payload, |name, value| {
            let meaning = explain_claim(name).map(str::to_owned);
            let time = value
                .as_i64()
                .filter(|_| is_time_claim(name))
                .and_then(|s| time_view(name, s, now, zone));
            match (meaning, time) {
                (m, Some(t)) => Some(format!("{}\n{}", m.unwrap_or_default(), t.one_line())),
                (m, None) => m,
            }
        });
    }
}

fn json_section_ui(ui: &mut egui::Ui, title: &str, part: &Result<Map<String, Value>, SegmentError>) {
    let pretty = part
        .as_ref()
        .ok()
        .map(|map| serde_json::to_string_pretty(map).unwrap_or_default());
    ui.horizontal(|ui| {
        ui.strong(title);
        if let Some(pretty) = &pretty {
            widgets::fields::copy_button(ui, &title.to_lowercase(), pretty);
        }
    });
    match (pretty, part) {
        (Some(pretty), _) => {
            widgets::fields::code_block(ui, &pretty);
        }
        (None, Err(e)) => widgets::fields::inline_error(ui, &e.to_string()),
        (None, Ok(_)) => {}
    }
}

fn member_table_ui(
    ui: &mut egui::Ui,
    id: &str,
    title: &str,
    members: &Map<String, Value>,
    explain: impl Fn(&str, &Value) -> Option<String>,
) {
    ui.add_space(theme::SECTION_GAP);
    ui.strong(title);
    let muted = theme::muted(ui.visuals().dark_mode);
    egui::Grid::new(id)
        .striped(true)
        .num_columns(3)
        .spacing([12.0, 4.0])
        .show(ui, |ui| {
            ui.label(RichText::new("Name").strong());
            ui.label(RichText::new("Value").strong());
            ui.label(RichText::new("Meaning").strong());
            ui.end_row();
            for (name, value) in members {
                ui.monospace(name);
                let shown = display_value(value);
                let mode = if shown.len() > 48 {
                    egui::TextWrapMode::Wrap
                } else {
                    egui::TextWrapMode::Extend
                };
                ui.add(
                    egui::Label::new(RichText::new(shown).monospace())
                        .selectable(true)
                        .wrap_mode(mode),
                );
                ui.label(RichText::new(explain(name, value).unwrap_or_default()).color(muted));
                ui.end_row();
            }
        });
}

/// What is shown for input that is not a JWT: the JWE header or the SAS fields.
pub fn other_input_ui(ui: &mut egui::Ui, inspection: &Inspection) {
    match inspection {
        Inspection::Jwe { header: Ok(header) } => {
            ui.strong("JWE header");
            let pretty = serde_json::to_string_pretty(header).unwrap_or_default();
            widgets::fields::code_block(ui, &pretty);
        }
        Inspection::AzureSas(sas) => {
            egui::Grid::new("sas_table")
                .striped(true)
                .num_columns(3)
                .show(ui, |ui| {
                    for field in &sas.fields {
                        ui.monospace(&field.name);
                        ui.add(
                            egui::Label::new(RichText::new(&field.value).monospace())
                                .selectable(true)
                                .wrap(),
                        );
                        ui.label(field.meaning.unwrap_or(""));
                        ui.end_row();
                    }
                });
        }
        _ => {}
    }
}
