//! Comparing two tokens: claims added, removed and changed; `alg`/`kid` changes; lifetime change.
//! Delegation turns an RS256 tenant token into an HS256 target token, and this shows it at a glance.

use super::decode::DecodedJwt;
use serde_json::{Map, Value};

/// How one member differs.
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    /// Only in the other token.
    Added(Value),
    /// Only in the pinned token.
    Removed(Value),
    /// In both, with different values.
    Changed {
        /// The pinned token's value.
        before: Value,
        /// The other token's value.
        after: Value,
    },
}

/// A header parameter or claim that differs.
#[derive(Debug, Clone, PartialEq)]
pub struct MemberDiff {
    /// The member name.
    pub name: String,
    /// What changed.
    pub change: Change,
}

/// The difference between a pinned token and another.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TokenDiff {
    /// Header differences (`alg`, `kid`, `typ`…).
    pub header: Vec<MemberDiff>,
    /// Claim differences.
    pub claims: Vec<MemberDiff>,
    /// `exp - iat` of the pinned and the other token, when both claims exist.
    pub lifetime: (Option<i64>, Option<i64>),
}

impl TokenDiff {
    /// True when both tokens have the same header and claims.
    pub fn is_empty(&self) -> bool {
        self.header.is_empty() && self.claims.is_empty()
    }

    /// One-line summary, e.g. `alg RS256 -> HS256; 2 claims added, 1 removed, 3 changed; lifetime 10 h -> 1 h`.
    pub fn summary(&self) -> String {
        let mut parts = Vec::new();
        for name in ["alg", "kid"] {
            if let Some(d) = self.header.iter().find(|d| d.name == name) {
                parts.push(format!("{name} {}", describe_change(&d.change)));
            }
        }
        let count = |f: fn(&Change) -> bool| self.claims.iter().filter(|d| f(&d.change)).count();
        let (added, removed) = (
            count(|c| matches!(c, Change::Added(_))),
            count(|c| matches!(c, Change::Removed(_))),
        );
        let changed = count(|c| matches!(c, Change::Changed { .. }));
        parts.push(format!("claims: {added} added, {removed} removed, {changed} changed"));
        if let (Some(a), Some(b)) = self.lifetime
            && a != b
        {
            parts.push(format!(
                "lifetime {} -> {}",
                super::time::human_duration(a.unsigned_abs()),
                super::time::human_duration(b.unsigned_abs())
            ));
        }
        parts.join("; ")
    }
}

/// `RS256 -> HS256`, `+ value`, `- value`.
pub fn describe_change(change: &Change) -> String {
    match change {
        Change::Added(v) => format!("added: {}", short(v)),
        Change::Removed(v) => format!("removed (was {})", short(v)),
        Change::Changed { before, after } => format!("{} -> {}", short(before), short(after)),
    }
}

fn short(value: &Value) -> String {
    super::claims::display_value(value)
}

/// Compares `other` against the `pinned` token.
pub fn diff(pinned: &DecodedJwt, other: &DecodedJwt) -> TokenDiff {
    let empty = Map::new();
    let lifetime = |t: &DecodedJwt| Some(t.claim_seconds("exp")?.saturating_sub(t.claim_seconds("iat")?));
    TokenDiff {
        header: diff_maps(
            pinned.header.as_ref().unwrap_or(&empty),
            other.header.as_ref().unwrap_or(&empty),
        ),
        claims: diff_maps(
            pinned.payload.as_ref().unwrap_or(&empty),
            other.payload.as_ref().unwrap_or(&empty),
        ),
        lifetime: (lifetime(pinned), lifetime(other)),
    }
}

fn diff_maps(before: &Map<String, Value>, after: &Map<String, Value>) -> Vec<MemberDiff> {
    let mut out: Vec<MemberDiff> = before
        .iter()
        .filter_map(|(name, old)| {
            let change = match after.get(name) {
                None => Change::Removed(old.clone()),
                Some(new) if new != old => Change::Changed {
                    before: old.clone(),
                    after: new.clone(),
                },
                Some(_) => return None,
            };
            Some(MemberDiff {
                name: name.clone(),
                change,
            })
        })
        .collect();
    out.extend(
        after
            .iter()
            .filter(|(name, _)| !before.contains_key(*name))
            .map(|(name, new)| MemberDiff {
                name: name.clone(),
                change: Change::Added(new.clone()),
            }),
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::jwt::decode::base64url;

    fn token(header: &str, payload: &str) -> DecodedJwt {
        DecodedJwt::decode(&format!(
            "{}.{}.",
            base64url(header.as_bytes()),
            base64url(payload.as_bytes())
        ))
    }

    #[test]
    fn delegation_style_change_shows_alg_claims_and_lifetime() {
        let tenant = token(
            r#"{"alg":"RS256","kid":"k1"}"#,
            r#"{"sub":"u","aud":"a","iat":0,"exp":36000,"nonce":"n"}"#,
        );
        let target = token(
            r#"{"alg":"HS256"}"#,
            r#"{"sub":"u","aud":"b","iat":0,"exp":3600,"azp":"b"}"#,
        );
        let d = diff(&tenant, &target);
        assert_eq!(
            d.summary(),
            "alg RS256 -> HS256; kid removed (was k1); claims: 1 added, 1 removed, 2 changed; lifetime 10 h -> 1 h"
        );
        assert!(
            d.claims
                .iter()
                .any(|m| m.name == "azp" && matches!(m.change, Change::Added(_)))
        );
    }

    #[test]
    fn identical_tokens_have_no_diff() {
        let a = token(r#"{"alg":"HS256"}"#, r#"{"sub":"u"}"#);
        assert!(diff(&a, &a.clone()).is_empty());
    }
}
