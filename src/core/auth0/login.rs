//! Signing in from tokenbench itself (RFC 8252, native apps): the authorization code flow with PKCE through
//! the system browser and a loopback redirect. Pure: the authorize URL, reading the browser's callback, and
//! the code exchange request; the listener, the browser and the network are the service's.

use super::{FieldError, endpoint, push};
use crate::core::http::{DEFAULT_MAX_BODY, HttpRequest, Method, Redirects};
use crate::core::jwt::decode::base64url;
use crate::core::protocol::grant;
use crate::core::secret::SecretString;
use aws_lc_rs::digest::{SHA256, digest};
use std::time::Duration;

/// The path the loopback listener answers on.
pub const CALLBACK_PATH: &str = "/callback";
/// The scopes asked for when none are given.
pub const DEFAULT_SCOPE: &str = "openid profile email offline_access";

/// What to sign in to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginRequest {
    /// The tenant's base URL, e.g. `https://TENANT.auth0.com` or `http://127.0.0.1:4000`.
    pub base_url: String,
    /// The application.
    pub client_id: String,
    /// An API, for an access token it accepts.
    pub audience: Option<String>,
    /// Space-separated scopes.
    pub scope: String,
}

/// One attempt's secrets: the PKCE verifier, `state` and `nonce`.
#[derive(Debug, Clone)]
pub struct Attempt {
    /// The PKCE code verifier (43 characters).
    pub verifier: SecretString,
    /// The value the callback must echo.
    pub state: String,
    /// The value the ID token must carry.
    pub nonce: String,
}

impl Attempt {
    /// An attempt from three fresh 32-byte random values.
    pub fn from_random(verifier: &[u8; 32], state: &[u8; 16], nonce: &[u8; 16]) -> Self {
        Self {
            verifier: SecretString::new(base64url(verifier)),
            state: base64url(state),
            nonce: base64url(nonce),
        }
    }

    /// The S256 code challenge.
    pub fn challenge(&self) -> String {
        base64url(digest(&SHA256, self.verifier.expose().as_bytes()).as_ref())
    }
}

/// A checked request with its two endpoints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Login {
    /// What to sign in to.
    pub request: LoginRequest,
    /// `…/authorize`.
    pub authorize_endpoint: String,
    /// `…/oauth/token`.
    pub token_endpoint: String,
}

impl LoginRequest {
    /// Checks the fields (each error naming its field) and finds the endpoints.
    pub fn validate(&self) -> Result<Login, Vec<FieldError>> {
        let mut errors = Vec::new();
        let endpoints = endpoint(&self.base_url, "/authorize")
            .and_then(|authorize| Ok((authorize, endpoint(&self.base_url, "/oauth/token")?)))
            .map_err(|e| push(&mut errors, "environment", e))
            .ok();
        if self.client_id.trim().is_empty() {
            push(&mut errors, "client_id", "give the application's client ID");
        }
        if self.scope.split_whitespace().all(|s| s != "openid") {
            push(&mut errors, "scope", "the scope must contain openid to get an ID token");
        }
        match endpoints {
            Some((authorize_endpoint, token_endpoint)) if errors.is_empty() => Ok(Login {
                request: self.clone(),
                authorize_endpoint,
                token_endpoint,
            }),
            _ => Err(errors),
        }
    }
}

impl Login {
    /// The `/authorize` URL for `attempt`, answering to `redirect_uri`.
    pub fn authorize_url(&self, attempt: &Attempt, redirect_uri: &str) -> String {
        let request = &self.request;
        let challenge = attempt.challenge();
        let mut pairs = vec![
            ("response_type", "code"),
            ("client_id", request.client_id.trim()),
            ("redirect_uri", redirect_uri),
            ("scope", request.scope.trim()),
            ("state", attempt.state.as_str()),
            ("nonce", attempt.nonce.as_str()),
            ("code_challenge", challenge.as_str()),
            ("code_challenge_method", "S256"),
        ];
        if let Some(audience) = request.audience.as_deref().filter(|a| !a.trim().is_empty()) {
            pairs.push(("audience", audience.trim()));
        }
        let query = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs)
            .finish();
        format!("{}?{query}", self.authorize_endpoint)
    }

    /// The code exchange at `/oauth/token` (a public client: no secret).
    pub fn token_request(&self, code: &str, attempt: &Attempt, redirect_uri: &str, timeout: Duration) -> HttpRequest {
        let body = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("grant_type", grant::AUTHORIZATION_CODE)
            .append_pair("client_id", self.request.client_id.trim())
            .append_pair("code", code)
            .append_pair("code_verifier", attempt.verifier.expose())
            .append_pair("redirect_uri", redirect_uri)
            .finish();
        HttpRequest {
            method: Method::Post,
            url: self.token_endpoint.clone(),
            headers: vec![(
                "content-type".to_owned(),
                "application/x-www-form-urlencoded".to_owned(),
            )],
            body: Some(body.into_bytes()),
            timeout,
            redirects: Redirects::Keep,
            max_body: DEFAULT_MAX_BODY,
            verify_tls: true,
        }
    }
}

/// Why the browser's callback brings no code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CallbackError {
    /// The tenant answered with an error.
    #[error("the sign-in was refused: {error}: {description}")]
    Refused {
        /// `error`.
        error: String,
        /// `error_description`.
        description: String,
    },
    /// `state` is not the one sent: another page's answer, or a forged one.
    #[error("the callback's state does not match this sign-in: start again")]
    StateMismatch,
    /// Neither a code nor an error.
    #[error("the callback has no code: start again")]
    NoCode,
}

/// The code of a callback query for `attempt`.
pub fn read_callback(query: &str, attempt: &Attempt) -> Result<String, CallbackError> {
    let get = |name: &str| {
        url::form_urlencoded::parse(query.as_bytes())
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    };
    if get("state").as_deref() != Some(attempt.state.as_str()) {
        return Err(CallbackError::StateMismatch);
    }
    if let Some(error) = get("error") {
        let description = get("error_description").unwrap_or_default();
        return Err(CallbackError::Refused { error, description });
    }
    get("code").filter(|c| !c.is_empty()).ok_or(CallbackError::NoCode)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attempt() -> Attempt {
        Attempt::from_random(&[7; 32], &[1; 16], &[2; 16])
    }

    fn request() -> LoginRequest {
        LoginRequest {
            base_url: "http://127.0.0.1:4000/".into(),
            client_id: "demo-spa".into(),
            audience: Some("https://api.demo.local/".into()),
            scope: DEFAULT_SCOPE.into(),
        }
    }

    #[test]
    fn the_authorize_url_carries_pkce_state_nonce_and_audience() {
        let url = request()
            .validate()
            .unwrap()
            .authorize_url(&attempt(), "http://127.0.0.1:5555/callback");
        let parsed = url::Url::parse(&url).unwrap();
        assert_eq!(parsed.path(), "/authorize");
        let get = |n: &str| parsed.query_pairs().find(|(k, _)| k == n).map(|(_, v)| v.into_owned());
        assert_eq!(get("code_challenge").unwrap(), attempt().challenge());
        assert_eq!(get("code_challenge_method").as_deref(), Some("S256"));
        assert_eq!(get("audience").as_deref(), Some("https://api.demo.local/"));
        assert_eq!(get("state").unwrap(), attempt().state);
        assert_eq!(attempt().verifier.expose().len(), 43);
    }

    #[test]
    fn a_callback_must_echo_the_state() {
        let a = attempt();
        let ok = format!("code=abc&state={}", a.state);
        assert_eq!(read_callback(&ok, &a).unwrap(), "abc");
        assert_eq!(
            read_callback("code=abc&state=other", &a),
            Err(CallbackError::StateMismatch)
        );
        let refused = format!("error=access_denied&error_description=no&state={}", a.state);
        assert!(matches!(
            read_callback(&refused, &a),
            Err(CallbackError::Refused { .. })
        ));
    }

    #[test]
    fn fields_are_checked() {
        let mut bad = request();
        bad.client_id = " ".into();
        bad.scope = "profile".into();
        bad.base_url = "http://tenant.example".into();
        let fields: Vec<&str> = bad.validate().unwrap_err().iter().map(|e| e.field).collect();
        assert_eq!(fields, ["environment", "client_id", "scope"]);
    }
}
