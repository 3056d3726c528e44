//! `GET|POST /authorize` (login-flow spec §1): the client and its `redirect_uri` are checked first, and until
//! both are trusted every error is an error page, never a redirect; after that, errors go back to the
//! callback with `error`, `error_description` and `state` in the requested response mode. A request that
//! needs a login is kept as a transaction and the browser is sent to the login page.

use super::error::OAuthError;
use super::respond::Delivery;
use super::web::WebReply;
use super::{Ctx, Issuer, Params};
use crate::core::tenant::Client;
use crate::core::tenant::client::{GRANT_AUTHORIZATION_CODE, GRANT_IMPLICIT, GRANT_REFRESH_TOKEN};
use crate::core::tenant::urls::{MatchRules, url_matches};

/// Longest value accepted for any `/authorize` parameter.
const MAX_PARAM_LEN: usize = 2048;
/// Scopes that are about the user rather than an API.
const OIDC_SCOPES: [&str; 6] = ["openid", "profile", "email", "address", "phone", "offline_access"];

/// The parts of `response_type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ResponseType {
    /// `code`.
    pub code: bool,
    /// `token`.
    pub token: bool,
    /// `id_token`.
    pub id_token: bool,
}

/// Every `response_type` the issuer serves, as discovery lists them.
pub const RESPONSE_TYPES: [&str; 7] = [
    "code",
    "token",
    "id_token",
    "id_token token",
    "code id_token",
    "code token",
    "code id_token token",
];

impl ResponseType {
    fn parse(text: &str) -> Option<Self> {
        let mut kind = Self::default();
        for part in text.split_whitespace() {
            let flag = match part {
                "code" => &mut kind.code,
                "token" => &mut kind.token,
                "id_token" => &mut kind.id_token,
                _ => return None,
            };
            if *flag {
                return None;
            }
            *flag = true;
        }
        (kind.code || kind.token || kind.id_token).then_some(kind)
    }
}

/// How the answer reaches the application.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResponseMode {
    /// `?code=…` on the callback (the default for `code`).
    Query,
    /// `#access_token=…` (the default when tokens come back).
    Fragment,
    /// An auto-submitting form posted to the callback.
    FormPost,
    /// `postMessage` to the opener or parent window (silent authentication).
    WebMessage,
}

/// Every `response_mode` the issuer serves.
pub const RESPONSE_MODES: [&str; 4] = ["query", "fragment", "form_post", "web_message"];

/// A PKCE challenge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Challenge {
    /// `S256` (true) or `plain`.
    pub s256: bool,
    /// `code_challenge`.
    pub value: String,
}

/// A checked `/authorize` request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthRequest {
    /// The client.
    pub client_id: String,
    /// The trusted callback.
    pub redirect_uri: String,
    /// What to answer with.
    pub response_type: ResponseType,
    /// How to answer.
    pub response_mode: ResponseMode,
    /// Echoed back.
    pub state: Option<String>,
    /// Into the ID token.
    pub nonce: Option<String>,
    /// The scopes granted (API scopes already limited).
    pub scopes: Vec<String>,
    /// The API, if any.
    pub audience: Option<String>,
    /// PKCE.
    pub challenge: Option<Challenge>,
    /// `prompt=none`.
    pub prompt_none: bool,
    /// `prompt=login`.
    pub prompt_login: bool,
    /// `max_age`, seconds.
    pub max_age: Option<i64>,
    /// Pre-fills the login name.
    pub login_hint: Option<String>,
}

impl AuthRequest {
    /// An error for the callback, in this request's response mode, with its `state`.
    pub fn error(&self, error: &str, description: &str) -> Delivery {
        let mut fields = vec![
            ("error".to_owned(), error.to_owned()),
            ("error_description".to_owned(), description.to_owned()),
        ];
        if let Some(state) = &self.state {
            fields.push(("state".to_owned(), state.clone()));
        }
        Delivery {
            redirect_uri: self.redirect_uri.clone(),
            mode: self.response_mode,
            fields,
        }
    }
}

impl Issuer {
    /// The client and callback of an `/authorize` request, or the error page to show instead.
    pub fn trusted_callback(&self, params: &Params) -> Result<(&Client, String), Box<WebReply>> {
        let page = |status, title: &str, text: String| Err(Box::new(super::pages::error_page(status, title, &text)));
        let too_long = params.iter().find(|(_, v)| v.len() > MAX_PARAM_LEN);
        if let Some((name, _)) = too_long {
            return page(
                400,
                "invalid_request",
                format!("The parameter {name} is longer than {MAX_PARAM_LEN} characters."),
            );
        }
        let Some(client_id) = params.get("client_id") else {
            return page(
                400,
                "invalid_request",
                "Missing required parameter: client_id".to_owned(),
            );
        };
        let Some(client) = self.tenant.client(client_id) else {
            return page(
                400,
                "invalid_request",
                format!("Unknown client: {client_id}. Check the client_id against the tenant's applications."),
            );
        };
        let Some(redirect_uri) = params.get("redirect_uri") else {
            return page(
                400,
                "invalid_request",
                "The request is missing a required parameter: redirect_uri".to_owned(),
            );
        };
        let rules = MatchRules {
            loopback_any_port: self.tenant.settings.login.loopback_any_port,
            ignore_query: false,
        };
        if !client.callbacks.iter().any(|c| url_matches(c, redirect_uri, rules)) {
            return page(
                400,
                "Callback URL mismatch",
                format!(
                    "Callback URL mismatch. The provided redirect_uri ({redirect_uri}) is not in the list of allowed \
                     callback URLs. Add it to the callbacks of client {client_id} in the tenant file."
                ),
            );
        }
        Ok((client, redirect_uri.to_owned()))
    }

    /// Checks the rest of a request whose callback is trusted; `Err` is the error to send back to it.
    pub fn check_authorize(
        &self,
        params: &Params,
        client: &Client,
        redirect_uri: String,
    ) -> Result<AuthRequest, Box<Delivery>> {
        let state = params.get("state").map(str::to_owned);
        let response_type = params.get("response_type").and_then(ResponseType::parse);
        let default_mode = if response_type.is_some_and(|t| t.token || t.id_token) {
            ResponseMode::Fragment
        } else {
            ResponseMode::Query
        };
        let mode = params
            .get("response_mode")
            .map(parse_mode)
            .unwrap_or(Some(default_mode));
        let mut request = AuthRequest {
            client_id: client.client_id.clone(),
            redirect_uri,
            response_type: response_type.unwrap_or_default(),
            response_mode: mode.unwrap_or(default_mode),
            state,
            nonce: params.get("nonce").map(str::to_owned),
            scopes: Vec::new(),
            audience: params
                .get("audience")
                .or_else(|| params.get("resource"))
                .map(str::to_owned),
            challenge: None,
            prompt_none: false,
            prompt_login: false,
            max_age: None,
            login_hint: params.get("login_hint").map(str::to_owned),
        };
        let fail = |request: &AuthRequest, e: OAuthError| Box::new(request.error(e.error, &e.description));
        if let Err(e) = check_response(mode, default_mode, response_type) {
            if mode == Some(ResponseMode::Query) {
                // Tokens asked for in a query: the error goes back in the fragment.
                request.response_mode = default_mode;
            }
            return Err(fail(&request, e));
        }
        self.check_details(params, client, &mut request)
            .map_err(|e| fail(&request, e))?;
        Ok(request)
    }

    fn check_details(&self, params: &Params, client: &Client, request: &mut AuthRequest) -> Result<(), OAuthError> {
        let kind = request.response_type;
        let grant = if kind.code {
            GRANT_AUTHORIZATION_CODE
        } else {
            GRANT_IMPLICIT
        };
        if !client.allows_grant(grant)
            || (kind.code && (kind.token || kind.id_token) && !client.allows_grant(GRANT_IMPLICIT))
        {
            return Err(OAuthError::grant_not_allowed(grant));
        }
        for name in ["organization", "invitation", "request", "request_uri"] {
            if params.get(name).is_some() {
                return Err(OAuthError::invalid_request(format!(
                    "The parameter {name} is not simulated by the local issuer: remove it, or try it against a real tenant"
                )));
            }
        }
        if params.get("screen_hint") == Some("signup") {
            return Err(OAuthError::invalid_request(
                "screen_hint=signup is not simulated by the local issuer (it has no signup page): add the user to the tenant file",
            ));
        }
        self.check_prompt(params, request)?;
        request.challenge = self.challenge(params, client, kind)?;
        let scopes = params.scopes("openid");
        if kind.id_token && request.nonce.is_none() {
            return Err(OAuthError::invalid_request(
                "Missing required parameter: nonce (required with id_token)",
            ));
        }
        if kind.id_token && !scopes.iter().any(|s| s == "openid") {
            return Err(OAuthError::invalid_request(
                "response_type id_token needs the openid scope",
            ));
        }
        if let Some(connection) = params.get("connection")
            && !self.tenant.users.iter().any(|u| u.connection == connection)
        {
            return Err(OAuthError::invalid_request(format!(
                "the connection {connection} is not enabled for this client"
            )));
        }
        request.scopes = self.granted_scopes(client, request.audience.as_deref(), scopes)?;
        Ok(())
    }

    fn check_prompt(&self, params: &Params, request: &mut AuthRequest) -> Result<(), OAuthError> {
        let prompts: Vec<&str> = params.get("prompt").unwrap_or_default().split_whitespace().collect();
        request.prompt_none = prompts.contains(&"none");
        request.prompt_login = prompts.contains(&"login");
        if request.prompt_none && prompts.len() > 1 {
            return Err(OAuthError::invalid_request(
                "prompt=none cannot be combined with another prompt value",
            ));
        }
        if let Some(other) = prompts
            .iter()
            .find(|p| !["none", "login", "consent", "select_account"].contains(p))
        {
            return Err(OAuthError::invalid_request(format!("Unknown prompt value: {other}")));
        }
        request.max_age = match params.get("max_age") {
            None => None,
            Some(text) => Some(
                text.parse::<i64>()
                    .ok()
                    .filter(|n| (0..=10 * 365 * 86_400).contains(n))
                    .ok_or_else(|| OAuthError::invalid_request("max_age must be a number of seconds"))?,
            ),
        };
        Ok(())
    }

    fn challenge(&self, params: &Params, client: &Client, kind: ResponseType) -> Result<Option<Challenge>, OAuthError> {
        let method = params.get("code_challenge_method");
        let Some(value) = params.get("code_challenge") else {
            if method.is_some() {
                return Err(OAuthError::invalid_request(
                    "code_challenge_method without code_challenge",
                ));
            }
            let public = client.auth_method() == crate::core::tenant::client::AuthMethod::None;
            if kind.code && public {
                return Err(OAuthError::invalid_request(
                    "code_challenge required: a public client must use PKCE (code_challenge_method=S256)",
                ));
            }
            return Ok(None);
        };
        let s256 = match method.unwrap_or("plain") {
            "S256" => true,
            "plain" if self.tenant.settings.login.pkce_plain => false,
            "plain" => {
                return Err(OAuthError::invalid_request(
                    "code_challenge_method plain is turned off for this tenant: use S256",
                ));
            }
            other => {
                return Err(OAuthError::invalid_request(format!(
                    "Unknown code_challenge_method {other}: use S256"
                )));
            }
        };
        let valid = (43..=128).contains(&value.len())
            && value.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b));
        if !valid {
            return Err(OAuthError::invalid_request(
                "code_challenge must be 43 to 128 characters of A-Z a-z 0-9 - . _ ~",
            ));
        }
        Ok(Some(Challenge {
            s256,
            value: value.to_owned(),
        }))
    }

    /// The scopes a login grants: the user scopes asked for, an API's scopes when it defines them (and the
    /// client grant allows them, where one exists), `offline_access` only where a refresh token may follow.
    fn granted_scopes(
        &self,
        client: &Client,
        audience: Option<&str>,
        asked: Vec<String>,
    ) -> Result<Vec<String>, OAuthError> {
        let api = match audience {
            Some(identifier) => Some(
                self.tenant
                    .resource_server(identifier)
                    .ok_or_else(|| OAuthError::access_denied(format!("Service not found: {identifier}")))?,
            ),
            None => None,
        };
        let grant = audience.and_then(|a| self.tenant.client_grant(&client.client_id, a));
        let offline_ok = client.allows_grant(GRANT_REFRESH_TOKEN) && api.is_none_or(|a| a.allow_offline_access);
        Ok(asked
            .into_iter()
            .filter(|s| match s.as_str() {
                "offline_access" => offline_ok,
                s if OIDC_SCOPES.contains(&s) => true,
                s => {
                    api.is_some_and(|a| a.scopes.iter().any(|d| d.value == s))
                        && grant.is_none_or(|g| g.scope.iter().any(|g| g == s))
                }
            })
            .collect())
    }
}

fn parse_mode(text: &str) -> Option<ResponseMode> {
    match text {
        "query" => Some(ResponseMode::Query),
        "fragment" => Some(ResponseMode::Fragment),
        "form_post" => Some(ResponseMode::FormPost),
        "web_message" => Some(ResponseMode::WebMessage),
        _ => None,
    }
}

/// Whether a session authenticated at `auth_time` is recent enough for `max_age` at `ctx.now`.
pub fn fresh_enough(request: &AuthRequest, auth_time: i64, ctx: &Ctx<'_>) -> bool {
    request.max_age.is_none_or(|max| ctx.now - auth_time <= max)
}

/// The response mode and type are ones the issuer serves, and tokens are never asked for in a query string.
fn check_response(
    mode: Option<ResponseMode>,
    default_mode: ResponseMode,
    response_type: Option<ResponseType>,
) -> Result<(), OAuthError> {
    if mode.is_none() {
        return Err(OAuthError::invalid_request(format!(
            "Unsupported response_mode. Choose from: {}",
            RESPONSE_MODES.join(", ")
        )));
    }
    if mode == Some(ResponseMode::Query) && default_mode == ResponseMode::Fragment {
        return Err(OAuthError::invalid_request(
            "Tokens are never sent in the query string: use response_mode fragment, form_post or web_message",
        ));
    }
    if response_type.is_none() {
        return Err(OAuthError::other(
            400,
            "unsupported_response_type",
            format!("Unsupported response type: choose from {}", RESPONSE_TYPES.join(", ")),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn response_types_are_the_seven_combinations() {
        for text in RESPONSE_TYPES {
            assert!(ResponseType::parse(text).is_some(), "{text}");
        }
        assert_eq!(
            ResponseType::parse("token id_token"),
            ResponseType::parse("id_token token")
        );
        for bad in ["", "code code", "none", "code foo"] {
            assert!(ResponseType::parse(bad).is_none(), "{bad}");
        }
    }
}
