//! The `/delegation` form: exactly as typed, validated into the request Auth0's legacy endpoint expects
//! (client_id, grant_type, exactly one of id_token/refresh_token, target, scope, api_type, free-form add-on
//! parameters), JSON or form encoded.

use super::{BodyEncoding, FieldError, encode_body, endpoint, push};
use crate::core::http::{DEFAULT_MAX_BODY, HttpRequest, Method, Redirects};
use crate::core::protocol::api_type::api_type_names;
use std::time::Duration;

// Re-exported for the delegation panel, which still names them here.
use crate::core::protocol::grant::JWT_BEARER;

/// Scope presets offered next to the free-text field.
pub const SCOPE_PRESETS: [&str; 3] = ["openid", "openid profile email", "passthrough"];

/// Which token the request carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum InputToken {
    /// An Auth0 ID token of the caller.
    #[default]
    IdToken,
    /// A legacy refresh token.
    RefreshToken,
}

impl InputToken {
    /// The parameter name.
    pub fn param(self) -> &'static str {
        match self {
            Self::IdToken => "id_token",
            Self::RefreshToken => "refresh_token",
        }
    }
}

/// The form, exactly as typed.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct DelegationForm {
    /// The calling application.
    pub client_id: String,
    /// Normally [`JWT_BEARER`]; editable under "Advanced".
    pub grant_type: String,
    /// id_token or refresh_token.
    pub input: InputToken,
    /// The token itself.
    pub token: String,
    /// The target client ID (empty: the server's default, the caller).
    pub target: String,
    /// Scope (empty: not sent).
    pub scope: String,
    /// api_type (empty: the server's default, the target's first add-on or `app`).
    pub api_type: String,
    /// Free-form add-on parameters, in order; rows with an empty name are ignored.
    pub params: Vec<(String, String)>,
    /// JSON or form body.
    pub encoding: BodyEncoding,
}

impl Default for DelegationForm {
    fn default() -> Self {
        Self {
            client_id: String::new(),
            grant_type: JWT_BEARER.to_owned(),
            input: InputToken::IdToken,
            token: String::new(),
            target: String::new(),
            scope: "openid".to_owned(),
            api_type: String::new(),
            params: Vec::new(),
            encoding: BodyEncoding::Json,
        }
    }
}

/// Names the form itself sends; a free-form row may not repeat them.
const RESERVED: [&str; 7] = [
    "client_id",
    "grant_type",
    "id_token",
    "refresh_token",
    "target",
    "scope",
    "api_type",
];

impl DelegationForm {
    /// Every field error at once, or the request to `POST {base_url}/delegation`.
    pub fn validate(&self, base_url: &str, timeout: Duration) -> Result<HttpRequest, Vec<FieldError>> {
        let mut errors = Vec::new();
        let url = endpoint(base_url, "/delegation")
            .map_err(|e| push(&mut errors, "environment", e))
            .ok();
        if self.client_id.trim().is_empty() {
            push(&mut errors, "client_id", "give the calling application's client ID");
        }
        if self.grant_type.trim().is_empty() {
            push(&mut errors, "grant_type", format!("give the grant type ({JWT_BEARER})"));
        }
        if self.token.trim().is_empty() {
            push(
                &mut errors,
                "token",
                format!("paste the {} to exchange", self.input.param()),
            );
        }
        let api_type = self.api_type.trim();
        if !api_type.is_empty() && !api_type.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            push(&mut errors, "api_type", api_type_advice(api_type));
        }
        self.check_params(&mut errors);
        match url {
            Some(url) if errors.is_empty() => Ok(self.request(url, timeout)),
            _ => Err(errors),
        }
    }

    fn check_params(&self, errors: &mut Vec<FieldError>) {
        let names: Vec<&str> = self
            .params
            .iter()
            .map(|(k, _)| k.trim())
            .filter(|k| !k.is_empty())
            .collect();
        for (i, name) in names.iter().enumerate() {
            if RESERVED.contains(name) {
                push(
                    errors,
                    "params",
                    format!("\"{name}\" is a field of the form: set it there, not as a parameter"),
                );
            } else if names[..i].contains(name) {
                push(errors, "params", format!("\"{name}\" is given twice: keep one row"));
            }
        }
    }

    /// The parameters in the order they are sent.
    pub fn params(&self) -> Vec<(String, String)> {
        let mut params = vec![
            ("client_id".to_owned(), self.client_id.trim().to_owned()),
            ("grant_type".to_owned(), self.grant_type.trim().to_owned()),
            (
                self.input.param().to_owned(),
                crate::core::jwt::input::normalize(&self.token),
            ),
        ];
        for (name, value) in [
            ("target", &self.target),
            ("scope", &self.scope),
            ("api_type", &self.api_type),
        ] {
            if !value.trim().is_empty() {
                params.push((name.to_owned(), value.trim().to_owned()));
            }
        }
        params.extend(
            self.params
                .iter()
                .filter(|(k, _)| !k.trim().is_empty())
                .map(|(k, v)| (k.trim().to_owned(), v.clone())),
        );
        params
    }

    fn request(&self, url: String, timeout: Duration) -> HttpRequest {
        let (body, content_type) = encode_body(&self.params(), self.encoding);
        HttpRequest {
            method: Method::Post,
            url,
            headers: vec![
                ("content-type".to_owned(), content_type.to_owned()),
                ("accept".to_owned(), "application/json".to_owned()),
            ],
            body: Some(body),
            timeout,
            redirects: Redirects::Keep,
            max_body: DEFAULT_MAX_BODY,
            verify_tls: true,
        }
    }
}

/// "unknown api_type 'fierbase'. Choose from: app, firebase, …".
pub fn api_type_advice(typed: &str) -> String {
    format!(
        "unknown api_type \"{typed}\". Choose from: {}, or leave it empty for the server's default",
        api_type_names()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filled() -> DelegationForm {
        DelegationForm {
            client_id: "spa".into(),
            token: "  Bearer eyJ.a.b ".into(),
            target: "api-client".into(),
            api_type: "firebase".into(),
            params: vec![
                ("role".into(), "arn:aws:iam::1:role/r".into()),
                (String::new(), "ignored".into()),
            ],
            ..DelegationForm::default()
        }
    }

    #[test]
    fn a_filled_form_becomes_a_json_post_with_exactly_one_token() {
        let request = filled()
            .validate("https://t.auth0.com", Duration::from_secs(5))
            .unwrap();
        assert_eq!(request.url, "https://t.auth0.com/delegation");
        let body: serde_json::Value = serde_json::from_slice(request.body.as_deref().unwrap()).unwrap();
        assert_eq!(body["grant_type"], JWT_BEARER);
        assert_eq!(body["id_token"], "eyJ.a.b");
        assert!(body.get("refresh_token").is_none());
        assert_eq!(body["role"], "arn:aws:iam::1:role/r");
        assert_eq!(body.as_object().unwrap().len(), 7);
    }

    #[test]
    fn form_encoding_sends_the_same_parameters() {
        let form = DelegationForm {
            encoding: BodyEncoding::Form,
            input: InputToken::RefreshToken,
            ..filled()
        };
        let request = form.validate("http://127.0.0.1:4000", Duration::from_secs(5)).unwrap();
        let body = String::from_utf8(request.body.unwrap()).unwrap();
        assert!(body.starts_with("client_id=spa&grant_type=urn%3Aietf"), "{body}");
        assert!(body.contains("refresh_token=eyJ.a.b"));
        assert!(
            request
                .headers
                .iter()
                .any(|(_, v)| v == "application/x-www-form-urlencoded")
        );
    }

    #[test]
    fn every_field_error_is_returned_at_once() {
        let form = DelegationForm {
            grant_type: String::new(),
            api_type: "fier base".into(),
            params: vec![
                ("scope".into(), "x".into()),
                ("a".into(), "1".into()),
                ("a".into(), "2".into()),
            ],
            ..DelegationForm::default()
        };
        let errors = form.validate("http://example.com", Duration::from_secs(5)).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field).collect();
        assert_eq!(
            fields,
            [
                "environment",
                "client_id",
                "grant_type",
                "token",
                "api_type",
                "params",
                "params"
            ]
        );
        assert!(errors[0].message.contains("plain http"));
        assert!(errors[4].message.contains("Choose from: app, firebase"));
    }
}
