//! Which user claims a token carries for a scope: `openid` alone gives the registered claims, `profile` and
//! `email` add their OIDC sets, other names add that attribute, and `passthrough` copies the input token.

use crate::core::tenant::{ProfileScope, User};
use serde_json::{Map, Value};

/// The OIDC `profile` claims.
pub const PROFILE_CLAIMS: [&str; 14] = [
    "name",
    "family_name",
    "given_name",
    "middle_name",
    "nickname",
    "preferred_username",
    "profile",
    "picture",
    "website",
    "gender",
    "birthdate",
    "zoneinfo",
    "locale",
    "updated_at",
];

/// Claims never copied from an input token or attribute set: the issuer writes them.
pub const REGISTERED: [&str; 7] = ["iss", "sub", "aud", "iat", "exp", "nbf", "azp"];

/// A user's attributes as claims (empty values left out).
pub fn user_attributes(user: &User) -> Map<String, Value> {
    let mut map = Map::new();
    let mut put = |k: &str, v: &str| {
        if !v.is_empty() {
            map.insert(k.to_owned(), Value::from(v));
        }
    };
    put("email", &user.email);
    put("name", &user.name);
    put("given_name", &user.given_name);
    put("family_name", &user.family_name);
    put("nickname", &user.nickname);
    put("picture", &user.picture);
    if !user.email.is_empty() {
        map.insert("email_verified".to_owned(), Value::Bool(user.email_verified));
    }
    map
}

/// The claims `scope` selects from `attributes`.
pub fn scoped_claims(scopes: &[String], attributes: &Map<String, Value>, profile: ProfileScope) -> Map<String, Value> {
    let mut out = Map::new();
    let mut copy = |name: &str| {
        if let Some(v) = attributes.get(name)
            && !REGISTERED.contains(&name)
        {
            out.insert(name.to_owned(), v.clone());
        }
    };
    for scope in scopes {
        match (scope.as_str(), profile) {
            ("openid" | "offline_access", _) => {}
            ("passthrough", _) | ("profile", ProfileScope::All) => attributes.keys().for_each(|k| copy(k)),
            ("profile", ProfileScope::Oidc) => PROFILE_CLAIMS.iter().for_each(|k| copy(k)),
            ("email", _) => ["email", "email_verified"].iter().for_each(|k| copy(k)),
            (name, _) => copy(name),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn attrs() -> Map<String, Value> {
        json!({"name":"Alice","email":"a@x","email_verified":true,"favorite_food":"pie","iss":"evil"})
            .as_object()
            .cloned()
            .unwrap_or_default()
    }

    #[test]
    fn openid_alone_adds_no_user_claims() {
        assert!(scoped_claims(&["openid".into()], &attrs(), ProfileScope::Oidc).is_empty());
    }

    #[test]
    fn email_profile_and_named_attributes_select_their_claims() {
        let scopes: Vec<String> = ["openid", "email", "favorite_food"].map(String::from).to_vec();
        let claims = scoped_claims(&scopes, &attrs(), ProfileScope::Oidc);
        assert_eq!(
            claims.keys().collect::<Vec<_>>(),
            ["email", "email_verified", "favorite_food"]
        );
        let profile = scoped_claims(&["profile".into()], &attrs(), ProfileScope::Oidc);
        assert_eq!(profile.keys().collect::<Vec<_>>(), ["name"]);
    }

    #[test]
    fn passthrough_copies_everything_but_registered_claims() {
        let claims = scoped_claims(&["passthrough".into()], &attrs(), ProfileScope::Oidc);
        assert_eq!(claims.len(), 4);
        assert!(!claims.contains_key("iss"));
    }
}
