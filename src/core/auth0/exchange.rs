//! The native-social token exchange form (`POST /oauth/token`, grant `…:token-exchange`): Apple, Facebook and
//! Google subject token types or a custom URI, `user_profile` sent as a JSON string, audience or resource,
//! scope, `auth0-forwarded-for`, an optional client secret, and an optional DPoP proof header.

use super::{BodyEncoding, FieldError, encode_body, endpoint, push};
use crate::core::http::{DEFAULT_MAX_BODY, HttpRequest, Method, Redirects};
use crate::core::protocol::SubjectTokenType as Provider;
use crate::core::protocol::grant::TOKEN_EXCHANGE;
use crate::core::secret::SecretString;
use std::time::Duration;

/// The scope Auth0.swift 3.x sends by default.
pub const DEFAULT_SCOPE: &str = "openid profile email offline_access";

/// Which external artifact is exchanged.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum SubjectType {
    /// A Sign in with Apple authorization code.
    #[default]
    AppleCode,
    /// A Facebook session-info access token.
    FacebookSession,
    /// A Google id_token (Credential Manager).
    GoogleIdToken,
    /// Any other URI, as typed.
    Custom(String),
}

impl SubjectType {
    /// The presets, in menu order.
    pub const PRESETS: [SubjectType; 3] = [Self::AppleCode, Self::FacebookSession, Self::GoogleIdToken];

    /// The `subject_token_type` URI.
    pub fn uri(&self) -> &str {
        match self {
            Self::AppleCode => Provider::AppleCode.uri(),
            Self::FacebookSession => Provider::FacebookToken.uri(),
            Self::GoogleIdToken => Provider::GoogleIdToken.uri(),
            Self::Custom(uri) => uri,
        }
    }

    /// The provider behind a preset (none for a custom URI).
    pub fn provider(&self) -> Option<Provider> {
        Provider::parse(self.uri())
    }

    /// A label for the menu.
    pub fn title(&self) -> &str {
        match self {
            Self::AppleCode => "Apple authorization code",
            Self::FacebookSession => "Facebook session-info token",
            Self::GoogleIdToken => "Google id token",
            Self::Custom(_) => "Custom URI",
        }
    }
}

/// The form, exactly as typed. The client secret is never serialized.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct ExchangeForm {
    /// The native application.
    pub client_id: String,
    /// Which artifact.
    pub subject_type: SubjectType,
    /// The artifact.
    pub subject_token: String,
    /// API identifier (empty: not sent).
    pub audience: String,
    /// Send `resource` instead of `audience` (tenants with the resource-parameter compatibility profile).
    pub use_resource: bool,
    /// Scope.
    pub scope: String,
    /// Apple: first name for `user_profile.name`.
    pub first_name: String,
    /// Apple: last name.
    pub last_name: String,
    /// Facebook (or any type): the profile as JSON text; empty: not sent.
    pub profile_json: String,
    /// End-user IP for `auth0-forwarded-for` (a header); empty: not sent.
    pub forwarded_for: String,
    /// Optional client secret (confidential clients); kept in memory only.
    #[serde(skip)]
    pub client_secret: Option<SecretString>,
    /// JSON or form body.
    pub encoding: BodyEncoding,
}

impl Default for ExchangeForm {
    fn default() -> Self {
        Self {
            client_id: String::new(),
            subject_type: SubjectType::AppleCode,
            subject_token: String::new(),
            audience: String::new(),
            use_resource: false,
            scope: DEFAULT_SCOPE.to_owned(),
            first_name: String::new(),
            last_name: String::new(),
            profile_json: String::new(),
            forwarded_for: String::new(),
            client_secret: None,
            encoding: BodyEncoding::Json,
        }
    }
}

impl ExchangeForm {
    /// Every field error at once, or the request to `POST {base_url}/oauth/token`. `dpop`: a proof for the
    /// `DPoP` header (built fresh for each request by the caller).
    pub fn validate(
        &self,
        base_url: &str,
        timeout: Duration,
        dpop: Option<&str>,
    ) -> Result<HttpRequest, Vec<FieldError>> {
        let mut errors = Vec::new();
        let url = endpoint(base_url, "/oauth/token")
            .map_err(|e| push(&mut errors, "environment", e))
            .ok();
        if self.client_id.trim().is_empty() {
            push(&mut errors, "client_id", "give the native application's client ID");
        }
        if self.subject_token.trim().is_empty() {
            push(
                &mut errors,
                "subject_token",
                format!("paste the {}", self.subject_type.title().to_lowercase()),
            );
        }
        if let SubjectType::Custom(uri) = &self.subject_type
            && url::Url::parse(uri.trim()).is_err()
        {
            push(
                &mut errors,
                "subject_token_type",
                "a custom subject token type is a URI, e.g. urn:my:token-type",
            );
        }
        let profile = self
            .user_profile()
            .map_err(|e| push(&mut errors, "user_profile", e))
            .ok()
            .flatten();
        if !self.forwarded_for.trim().is_empty() && self.forwarded_for.trim().parse::<::core::net::IpAddr>().is_err() {
            push(
                &mut errors,
                "forwarded_for",
                "auth0-forwarded-for is the end user's IP address, e.g. 203.0.113.7",
            );
        }
        match url {
            Some(url) if errors.is_empty() => Ok(self.request(url, profile, timeout, dpop)),
            _ => Err(errors),
        }
    }

    /// `user_profile` as the JSON string the SDKs send: the typed JSON, with Apple's first/last name merged
    /// in as `name: {firstName, lastName}`. `Ok(None)`: nothing to send.
    pub fn user_profile(&self) -> Result<Option<String>, String> {
        let mut profile = match self.profile_json.trim() {
            "" => serde_json::Map::new(),
            text => match serde_json::from_str::<serde_json::Value>(text) {
                Ok(serde_json::Value::Object(map)) => map,
                Ok(_) => {
                    return Err(
                        "user_profile must be a JSON object, e.g. {\"email\":\"a@b.c\",\"name\":\"A\"}".to_owned(),
                    );
                }
                Err(e) => {
                    return Err(format!(
                        "user_profile is not valid JSON ({e}); the form keeps what you typed"
                    ));
                }
            },
        };
        let mut name = serde_json::Map::new();
        for (key, value) in [("firstName", &self.first_name), ("lastName", &self.last_name)] {
            if !value.trim().is_empty() {
                name.insert(key.to_owned(), value.trim().into());
            }
        }
        if !name.is_empty() {
            profile.insert("name".to_owned(), serde_json::Value::Object(name));
        }
        Ok((!profile.is_empty()).then(|| serde_json::Value::Object(profile).to_string()))
    }

    /// The parameters in the order they are sent (the client secret included, when given).
    pub fn params(&self, profile: Option<String>) -> Vec<(String, String)> {
        let mut params = vec![
            ("grant_type".to_owned(), TOKEN_EXCHANGE.to_owned()),
            ("subject_token".to_owned(), self.subject_token.trim().to_owned()),
            (
                "subject_token_type".to_owned(),
                self.subject_type.uri().trim().to_owned(),
            ),
            ("client_id".to_owned(), self.client_id.trim().to_owned()),
        ];
        let audience_name = if self.use_resource { "resource" } else { "audience" };
        for (name, value) in [(audience_name, self.audience.trim()), ("scope", self.scope.trim())] {
            if !value.is_empty() {
                params.push((name.to_owned(), value.to_owned()));
            }
        }
        if let Some(profile) = profile {
            params.push(("user_profile".to_owned(), profile));
        }
        if let Some(secret) = &self.client_secret {
            params.push(("client_secret".to_owned(), secret.expose().to_owned()));
        }
        params
    }

    fn request(&self, url: String, profile: Option<String>, timeout: Duration, dpop: Option<&str>) -> HttpRequest {
        let (body, content_type) = encode_body(&self.params(profile), self.encoding);
        let mut headers = vec![
            ("content-type".to_owned(), content_type.to_owned()),
            ("accept".to_owned(), "application/json".to_owned()),
        ];
        if !self.forwarded_for.trim().is_empty() {
            headers.push(("auth0-forwarded-for".to_owned(), self.forwarded_for.trim().to_owned()));
        }
        if let Some(proof) = dpop {
            headers.push(("dpop".to_owned(), proof.to_owned()));
        }
        HttpRequest {
            method: Method::Post,
            url,
            headers,
            body: Some(body),
            timeout,
            redirects: Redirects::Keep,
            max_body: DEFAULT_MAX_BODY,
            verify_tls: true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_apple_exchange_sends_the_name_as_a_json_string() {
        let form = ExchangeForm {
            client_id: "native".into(),
            subject_token: "c.code".into(),
            first_name: "Ada".into(),
            last_name: "Lovelace".into(),
            audience: "https://api/".into(),
            ..ExchangeForm::default()
        };
        let request = form
            .validate("http://localhost:4000", Duration::from_secs(5), Some("proof"))
            .unwrap();
        let body: serde_json::Value = serde_json::from_slice(request.body.as_deref().unwrap()).unwrap();
        assert_eq!(
            body["subject_token_type"],
            "http://auth0.com/oauth/token-type/apple-authz-code"
        );
        assert_eq!(
            body["user_profile"],
            r#"{"name":{"firstName":"Ada","lastName":"Lovelace"}}"#
        );
        assert_eq!(body["scope"], DEFAULT_SCOPE);
        assert_eq!(body["audience"], "https://api/");
        assert!(body.get("client_secret").is_none());
        assert!(request.headers.contains(&("dpop".to_owned(), "proof".to_owned())));
    }

    #[test]
    fn bad_profile_json_and_a_bad_ip_are_field_errors_and_the_text_is_kept() {
        let form = ExchangeForm {
            client_id: "native".into(),
            subject_token: "t".into(),
            subject_type: SubjectType::FacebookSession,
            profile_json: "{\"email\":".into(),
            forwarded_for: "not-an-ip".into(),
            ..ExchangeForm::default()
        };
        let errors = form
            .validate("https://t.auth0.com", Duration::from_secs(5), None)
            .unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field).collect();
        assert_eq!(fields, ["user_profile", "forwarded_for"]);
        assert_eq!(form.profile_json, "{\"email\":");
    }
}
