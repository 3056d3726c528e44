//! OpenID Connect discovery addresses derived from an issuer.

/// The discovery document URL for an issuer: `iss` + `.well-known/openid-configuration`.
pub fn discovery_url(issuer: &str) -> String {
    format!("{}/.well-known/openid-configuration", issuer.trim_end_matches('/'))
}

#[cfg(test)]
mod tests {
    #[test]
    fn discovery_url_works_with_and_without_trailing_slash() {
        let expected = "https://t.auth0.com/.well-known/openid-configuration";
        assert_eq!(super::discovery_url("https://t.auth0.com/"), expected);
        assert_eq!(super::discovery_url("https://t.auth0.com"), expected);
    }
}
