//! The native-social `subject_token_type`s Auth0 exchanges at `/oauth/token` (Apple authorization code,
//! Facebook session-info token, Google id token), with the provider and connection each one stands for.

/// A native-social `subject_token_type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubjectTokenType {
    /// `http://auth0.com/oauth/token-type/apple-authz-code`.
    AppleCode,
    /// `http://auth0.com/oauth/token-type/facebook-info-session-access-token`.
    FacebookToken,
    /// `http://auth0.com/oauth/token-type/google-id-token`.
    GoogleIdToken,
}

impl SubjectTokenType {
    /// Every type, in the order messages list them.
    pub const ALL: [Self; 3] = [Self::AppleCode, Self::FacebookToken, Self::GoogleIdToken];

    /// The `subject_token_type` URI.
    pub fn uri(self) -> &'static str {
        match self {
            Self::AppleCode => "http://auth0.com/oauth/token-type/apple-authz-code",
            Self::FacebookToken => "http://auth0.com/oauth/token-type/facebook-info-session-access-token",
            Self::GoogleIdToken => "http://auth0.com/oauth/token-type/google-id-token",
        }
    }

    /// The type with this URI.
    pub fn parse(uri: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.uri() == uri)
    }

    /// The provider's key in `native_social_login`.
    pub fn provider(self) -> &'static str {
        match self {
            Self::AppleCode => "apple",
            Self::FacebookToken => "facebook",
            Self::GoogleIdToken => "google",
        }
    }

    /// The connection (and `user_id` prefix) users of this provider get.
    pub fn connection(self) -> &'static str {
        match self {
            Self::AppleCode => "apple",
            Self::FacebookToken => "facebook",
            Self::GoogleIdToken => "google-oauth2",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_type_parses_back_from_its_uri() {
        for kind in SubjectTokenType::ALL {
            assert_eq!(SubjectTokenType::parse(kind.uri()), Some(kind));
        }
        assert_eq!(SubjectTokenType::parse("urn:acme:legacy"), None);
    }
}
