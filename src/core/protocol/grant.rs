//! OAuth `grant_type` values Auth0 accepts at `/oauth/token`, `/delegation` and in a client's `grant_types`.

/// The only grant `/delegation` accepts (RFC 7523 JWT bearer).
pub const JWT_BEARER: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";
/// Native social token exchange (RFC 8693).
pub const TOKEN_EXCHANGE: &str = "urn:ietf:params:oauth:grant-type:token-exchange";
/// Refresh tokens at `/oauth/token`.
pub const REFRESH_TOKEN: &str = "refresh_token";
/// The authorization code flow (`/authorize` with `response_type` containing `code`).
pub const AUTHORIZATION_CODE: &str = "authorization_code";
/// Machine-to-machine tokens.
pub const CLIENT_CREDENTIALS: &str = "client_credentials";
/// Resource owner password.
pub const PASSWORD: &str = "password";
/// Resource owner password with a named connection (realm).
pub const PASSWORD_REALM: &str = "http://auth0.com/oauth/grant-type/password-realm";
/// The implicit flow (`/authorize` with `token` or `id_token` and no `code`).
pub const IMPLICIT: &str = "implicit";
/// The legacy grant that lets a client call `/delegation` with an `id_token`.
pub const DELEGATION_ID_TOKEN: &str = "http://auth0.com/oauth/legacy/grant-type/delegation/id_token";
/// The legacy grant that lets a client call `/delegation` with a `refresh_token`.
pub const DELEGATION_REFRESH_TOKEN: &str = "http://auth0.com/oauth/legacy/grant-type/delegation/refresh_token";
