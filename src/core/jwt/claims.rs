//! The claims dictionary: one line saying what each known header parameter or claim means.

/// Claims whose value is a NumericDate (seconds since the Unix epoch).
pub const TIME_CLAIMS: [&str; 5] = ["exp", "nbf", "iat", "auth_time", "updated_at"];

/// Whether a claim holds a time shown as UTC, local and relative time.
pub fn is_time_claim(name: &str) -> bool {
    TIME_CLAIMS.contains(&name)
}

/// A JSON value as shown in tables: strings without quotes, everything else as compact JSON.
pub fn display_value(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Explains a payload claim, or `None` when it is not a known one.
pub fn explain_claim(name: &str) -> Option<&'static str> {
    registered(name)
        .or_else(|| oidc(name))
        .or_else(|| auth0(name))
        .or_else(|| firebase(name))
        .or_else(|| namespaced(name))
}

/// Explains a JOSE header parameter.
pub fn explain_header(name: &str) -> Option<&'static str> {
    Some(match name {
        "alg" => "Signature algorithm (HS* = shared secret, RS*/PS* = RSA key, ES* = EC key, EdDSA)",
        "typ" => "Media type of the whole token, usually JWT (at+jwt for OAuth access tokens)",
        "kid" => "Key ID: which key in the issuer's JWKS signed this token",
        "cty" => "Content type of the payload; JWT when the payload is itself a token",
        "x5c" => "X.509 certificate chain of the signing key (base64 DER), as asserted by the token itself",
        "x5t" => "SHA-1 thumbprint of the signing certificate",
        "x5t#S256" => "SHA-256 thumbprint of the signing certificate",
        "jku" => "URL of a JWK Set holding the key (never trust it without an allow-list)",
        "jwk" => "The public key itself, embedded (self-asserted)",
        "crit" => "Extensions a verifier must understand or reject the token",
        "enc" => "Content encryption algorithm (JWE)",
        "zip" => "Compression applied before encryption (JWE)",
        _ => return None,
    })
}

fn registered(name: &str) -> Option<&'static str> {
    Some(match name {
        "iss" => "Issuer: who created and signed the token (Auth0: https://TENANT/ with a trailing slash)",
        "sub" => "Subject: the user or client the token is about",
        "aud" => "Audience: who the token is meant for (client ID for ID tokens, API identifier for access tokens)",
        "exp" => "Expiration time: the token must not be accepted after this moment",
        "nbf" => "Not before: the token must not be accepted before this moment",
        "iat" => "Issued at: when the token was created",
        "jti" => "JWT ID: a unique identifier, used to detect replays",
        _ => return None,
    })
}

fn oidc(name: &str) -> Option<&'static str> {
    Some(match name {
        "auth_time" => "When the user last actually authenticated",
        "nonce" => "Value from the authorize request, echoed to prevent ID-token replay",
        "acr" => "Authentication context class reference: how strong the login was",
        "amr" => "Authentication methods used (pwd, mfa, otp…)",
        "at_hash" => "Hash of the access token issued alongside this ID token",
        "c_hash" => "Hash of the authorization code issued alongside this ID token",
        "sid" => "Session ID at the issuer, used for logout",
        "name" => "Full name (profile scope)",
        "given_name" => "Given (first) name (profile scope)",
        "family_name" => "Family (last) name (profile scope)",
        "middle_name" => "Middle name (profile scope)",
        "nickname" => "Casual name (profile scope)",
        "preferred_username" => "Shorthand name the user wishes to be referred to by (profile scope)",
        "profile" => "URL of the user's profile page (profile scope)",
        "picture" => "URL of the user's picture (profile scope)",
        "website" => "URL of the user's web page (profile scope)",
        "gender" => "Gender (profile scope)",
        "birthdate" => "Birthday, YYYY-MM-DD (profile scope)",
        "zoneinfo" => "Time zone, e.g. Europe/Paris (profile scope)",
        "locale" => "Locale, e.g. en-US (profile scope)",
        "updated_at" => "When the profile was last updated (profile scope)",
        "email" => "Email address (email scope)",
        "email_verified" => "Whether the email address was verified (email scope)",
        "phone_number" => "Phone number (phone scope)",
        "phone_number_verified" => "Whether the phone number was verified (phone scope)",
        "address" => "Postal address object (address scope)",
        "cnf" => "Confirmation: the key this token is bound to (DPoP jkt, mTLS x5t#S256)",
        _ => return None,
    })
}

fn auth0(name: &str) -> Option<&'static str> {
    Some(match name {
        "azp" => "Authorized party: the client ID the token was issued to (checked when aud has several values)",
        "scope" => "Space-separated scopes granted to the access token",
        "permissions" => "Auth0 RBAC permissions granted for this API",
        "gty" => "Auth0 grant type that produced the token (client-credentials, refresh_token, password…)",
        "org_id" => "Auth0 Organization the user logged in through",
        "org_name" => "Auth0 Organization name the user logged in through",
        "persistent" => "Legacy Auth0 claim copied from the input token on delegation",
        _ => return None,
    })
}

fn firebase(name: &str) -> Option<&'static str> {
    Some(match name {
        "uid" => "Firebase custom token: the user ID Firebase signs in (1–128 characters)",
        "claims" => "Firebase custom token: developer claims available in security rules as auth.token",
        "v" => "Legacy Firebase (SDK v2) token version, always 0",
        "d" => "Legacy Firebase (SDK v2) data: becomes auth in security rules (must hold uid)",
        "admin" => "Legacy Firebase (SDK v2): true bypasses all security rules",
        "debug" => "Legacy Firebase (SDK v2): true turns on security-rule debug output",
        "firebase" => "Firebase ID token: sign-in provider and identities",
        _ => return None,
    })
}

fn namespaced(name: &str) -> Option<&'static str> {
    (name.starts_with("https://") || name.starts_with("http://")).then_some(
        "Custom claim added by an Auth0 Action or Rule; namespaced with a URL so it cannot clash with standard claims",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_family_of_claims_is_explained() {
        for name in [
            "iss",
            "email_verified",
            "azp",
            "permissions",
            "org_id",
            "uid",
            "claims",
            "v",
            "d",
            "admin",
            "debug",
        ] {
            assert!(explain_claim(name).is_some(), "{name} has no explanation");
        }
        assert!(
            explain_claim("https://example.com/roles")
                .unwrap()
                .contains("namespaced")
        );
        assert_eq!(explain_claim("favourite_colour"), None);
    }

    #[test]
    fn time_claims_are_the_numeric_dates() {
        assert!(is_time_claim("updated_at"));
        assert!(!is_time_claim("sub"));
    }
}
