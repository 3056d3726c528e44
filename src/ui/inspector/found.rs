//! JWTs found in a pasted log or ticket: when the Token field holds text that is not one JWT but contains
//! some, they are listed with their line and column, each one click away from the inspector.

use crate::core::jwt::DecodedJwt;
use crate::core::jwt::scan::find_jwts;
use crate::core::jwt::time::human_duration;
use crate::ui::widgets;
use std::hash::{DefaultHasher, Hash, Hasher};

/// The most rows listed; a note says how many more there are.
pub const MAX_ROWS: usize = 500;
/// Characters of a token shown in its row.
const PREFIX_CHARS: usize = 10;
/// Characters of a `sub` shown in a row.
const SUB_CHARS: usize = 60;

/// One token found: where it starts and what it says.
struct Row {
    line: usize,
    column: usize,
    token: String,
    alg: Option<String>,
    sub: Option<String>,
    exp: Option<i64>,
}

impl Row {
    fn new(line: usize, column: usize, token: &str) -> Self {
        let jwt = DecodedJwt::decode(token);
        Self {
            line,
            column,
            token: token.to_owned(),
            alg: jwt.alg().map(str::to_owned),
            sub: jwt.claim_str("sub").map(|sub| sub.chars().take(SUB_CHARS).collect()),
            exp: jwt.claim_seconds("exp"),
        }
    }

    /// "Line 3, column 17: eyJhbGciOi… (RS256, sub auth0|alice, exp in 2 h)".
    fn describe(&self, now: i64) -> String {
        let prefix: String = self.token.chars().take(PREFIX_CHARS).collect();
        let mut facts = vec![self.alg.clone().unwrap_or_else(|| "no alg".to_owned())];
        if let Some(sub) = &self.sub {
            facts.push(format!("sub {sub}"));
        }
        facts.push(match self.exp {
            Some(exp) if exp >= now => format!("exp in {}", human_duration(exp.abs_diff(now))),
            Some(exp) => format!("expired {} ago", human_duration(exp.abs_diff(now))),
            None => "no exp".to_owned(),
        });
        format!(
            "Line {}, column {}: {prefix}… ({})",
            self.line,
            self.column,
            facts.join(", ")
        )
    }
}

/// The tokens found in the Token field's text, found again only when the text changes.
#[derive(Default)]
pub struct FoundTokens {
    /// A hash of the text the rows were found in.
    hash: Option<u64>,
    /// The first [`MAX_ROWS`] tokens.
    rows: Vec<Row>,
    /// How many tokens the text holds.
    total: usize,
}

impl FoundTokens {
    fn refresh(&mut self, text: &str) {
        let mut hasher = DefaultHasher::new();
        text.hash(&mut hasher);
        let hash = hasher.finish();
        if self.hash == Some(hash) {
            return;
        }
        let found = find_jwts(text);
        self.total = found.len();
        self.rows = found
            .iter()
            .take(MAX_ROWS)
            .map(|f| Row::new(f.line, f.column, f.token))
            .collect();
        self.hash = Some(hash);
    }

    /// Whether `text` holds a JWT; the list is found again only when the text changed.
    pub fn holds_tokens(&mut self, text: &str) -> bool {
        self.refresh(text);
        !self.rows.is_empty()
    }

    /// Lists the tokens of the text last given to [`FoundTokens::holds_tokens`]; gives back the one whose
    /// Inspect button was clicked.
    pub fn ui(&self, ui: &mut egui::Ui, now: i64) -> Option<String> {
        let heading = match self.total {
            1 => "1 token in this text".to_owned(),
            n => format!("{n} tokens in this text"),
        };
        widgets::a11y::announce(ui.heading(heading));
        if self.total > self.rows.len() {
            ui.label(format!(
                "Only the first {MAX_ROWS} are listed: `tokenbench inspect --scan FILE` lists them all"
            ));
        }
        let mut chosen = None;
        for (index, row) in self.rows.iter().enumerate() {
            ui.horizontal_wrapped(|ui| {
                ui.label(row.describe(now));
                let name = format!("Inspect token {} (line {}, column {})", index + 1, row.line, row.column);
                if ui.button(name).clicked() {
                    chosen = Some(row.token.clone());
                }
            });
        }
        chosen
    }
}

/// "Back to the pasted text", while a token picked from it is shown; true when clicked.
pub fn back_ui(ui: &mut egui::Ui) -> bool {
    ui.button("Back to the pasted text")
        .on_hover_text("Show the whole text again, with the list of the tokens in it")
        .clicked()
}
