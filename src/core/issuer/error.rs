//! Auth0-shaped errors, `{"error","error_description"}` with the status Auth0 uses, and the reply the
//! service turns into an HTTP response.

use serde_json::{Value, json};

/// An answer: status, JSON body, extra headers, and who it was for (for the request log).
#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    /// HTTP status.
    pub status: u16,
    /// JSON body.
    pub body: Value,
    /// Extra headers, e.g. `X-RateLimit-*`.
    pub headers: Vec<(&'static str, String)>,
    /// The calling client, once known.
    pub client_id: Option<String>,
    /// The user, once known.
    pub user: Option<String>,
}

impl Reply {
    /// A 200 with this body.
    pub fn ok(body: Value) -> Self {
        Self {
            status: 200,
            body,
            headers: Vec::new(),
            client_id: None,
            user: None,
        }
    }

    /// Records the caller and user for the log.
    pub fn by(mut self, client_id: Option<&str>, user: Option<&str>) -> Self {
        self.client_id = client_id.map(str::to_owned);
        self.user = user.map(str::to_owned);
        self
    }
}

/// An OAuth error with its HTTP status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuthError {
    /// HTTP status.
    pub status: u16,
    /// `error` code.
    pub error: &'static str,
    /// `error_description`: what failed and what to do.
    pub description: String,
    /// `error_uri`, when Auth0 sends one.
    pub uri: Option<&'static str>,
}

impl OAuthError {
    fn new(status: u16, error: &'static str, description: impl Into<String>) -> Self {
        Self {
            status,
            error,
            description: description.into(),
            uri: None,
        }
    }

    /// 400 `invalid_request`.
    pub fn invalid_request(description: impl Into<String>) -> Self {
        Self::new(400, "invalid_request", description)
    }

    /// `invalid_grant` with the given status (400, or 401 / 403 where Auth0 uses them).
    pub fn invalid_grant(status: u16, description: impl Into<String>) -> Self {
        Self::new(status, "invalid_grant", description)
    }

    /// 401 `invalid_client`.
    pub fn invalid_client(description: impl Into<String>) -> Self {
        Self::new(401, "invalid_client", description)
    }

    /// 403 `unauthorized_client`.
    pub fn unauthorized_client(description: impl Into<String>) -> Self {
        Self::new(403, "unauthorized_client", description)
    }

    /// 403 `unauthorized_client` for a grant the client lacks, worded as Auth0 words it.
    pub fn grant_not_allowed(grant: &str) -> Self {
        Self {
            uri: Some("https://auth0.com/docs/clients/client-grant-types"),
            ..Self::unauthorized_client(format!("Grant type '{grant}' not allowed for the client."))
        }
    }

    /// 400 `unsupported_grant_type`.
    pub fn unsupported_grant_type(description: impl Into<String>) -> Self {
        Self::new(400, "unsupported_grant_type", description)
    }

    /// 403 `access_denied`.
    pub fn access_denied(description: impl Into<String>) -> Self {
        Self::new(403, "access_denied", description)
    }

    /// 429 `too_many_requests`.
    pub fn too_many_requests() -> Self {
        Self::new(
            429,
            "too_many_requests",
            "Too many requests. Check the X-RateLimit-Limit, X-RateLimit-Remaining and X-RateLimit-Reset headers.",
        )
    }

    /// 404 `endpoint_disabled`.
    pub fn endpoint_disabled(description: impl Into<String>) -> Self {
        Self::new(404, "endpoint_disabled", description)
    }

    /// 401 `invalid_token` (for `/userinfo`).
    pub fn invalid_token(description: impl Into<String>) -> Self {
        Self::new(401, "invalid_token", description)
    }

    /// Any status and code (413 body limit, 408 timeout, 405, 404).
    pub fn other(status: u16, error: &'static str, description: impl Into<String>) -> Self {
        Self::new(status, error, description)
    }

    /// The JSON body.
    pub fn body(&self) -> Value {
        let mut body = json!({ "error": self.error, "error_description": self.description });
        if let (Some(uri), Value::Object(map)) = (self.uri, &mut body) {
            map.insert("error_uri".to_owned(), Value::from(uri));
        }
        body
    }
}

impl From<OAuthError> for Reply {
    fn from(error: OAuthError) -> Self {
        Self {
            status: error.status,
            body: error.body(),
            headers: Vec::new(),
            client_id: None,
            user: None,
        }
    }
}
