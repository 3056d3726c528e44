//! The routes a browser visits: `/authorize`, the login page `/u/login`, `/v2/logout` and `/oidc/logout`.
//! Each handler reads the query or form and the `auth0` session cookie, asks the pure issuer, and turns its
//! [`WebReply`] into a response with the cookie change and the page's security headers.

use super::{IssuerState, Params, RequestRecord, random_token, record};
use crate::core::issuer::pages::{error_page, style};
use crate::core::issuer::session::SESSION_IDLE;
use crate::core::issuer::web::{CookieChange, WebReply, script_hash};
use crate::core::issuer::{Ctx, Issuer};
use axum::Router;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use cookie::{Cookie, SameSite};
use std::net::SocketAddr;
use std::sync::LazyLock;

/// The session cookie's name, as Auth0 names it.
pub const SESSION_COOKIE: &str = "auth0";

/// The browser routes.
pub fn routes() -> Router<IssuerState> {
    Router::new()
        .route("/authorize", get(authorize).post(authorize))
        .route("/u/login", get(login).post(login))
        .route("/v2/logout", get(logout))
        .route("/oidc/logout", get(oidc_logout).post(oidc_logout))
}

/// What every browser handler starts from.
struct Visit {
    method: Method,
    path: String,
    params: Result<Params, WebReply>,
    /// `state` of the URL (the login transaction).
    txn: Option<String>,
    session: Option<String>,
    ip: String,
}

async fn visit(request: Request) -> Visit {
    let (parts, body) = request.into_parts();
    let ip = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map_or_else(|| "unknown".to_owned(), |c| c.0.ip().to_string());
    let query = Params::from_query(parts.uri.query());
    let txn = query.as_ref().ok().and_then(|q| q.get("state").map(str::to_owned));
    let params = if parts.method == Method::POST {
        match axum::body::to_bytes(body, super::BODY_LIMIT).await {
            Ok(bytes) => Params::parse(Some("application/x-www-form-urlencoded"), &bytes),
            Err(_) => Err(crate::core::issuer::OAuthError::invalid_request(
                "the form is larger than 64 KiB",
            )),
        }
    } else {
        query
    };
    Visit {
        method: parts.method,
        path: parts.uri.path().to_owned(),
        params: params.map_err(|e| error_page(400, e.error, &e.description)),
        txn,
        session: session_cookie(&parts.headers),
        ip,
    }
}

async fn authorize(State(state): State<IssuerState>, request: Request) -> Response {
    let visit = visit(request).await;
    respond(&state, &visit, |issuer, params, ctx| {
        issuer.authorize(params, visit.session.as_deref(), ctx)
    })
}

async fn login(State(state): State<IssuerState>, request: Request) -> Response {
    let visit = visit(request).await;
    let txn = visit.txn.clone().unwrap_or_default();
    let post = visit.method == Method::POST;
    respond(&state, &visit, |issuer, params, ctx| {
        if post {
            issuer.login_post(&txn, params, ctx)
        } else {
            issuer.login_page(&txn, ctx)
        }
    })
}

async fn logout(State(state): State<IssuerState>, request: Request) -> Response {
    let visit = visit(request).await;
    respond(&state, &visit, |issuer, params, _| {
        issuer.logout(params, visit.session.as_deref())
    })
}

async fn oidc_logout(State(state): State<IssuerState>, request: Request) -> Response {
    let visit = visit(request).await;
    respond(&state, &visit, |issuer, params, ctx| {
        issuer.oidc_logout(params, visit.session.as_deref(), ctx)
    })
}

/// Runs `job` on the issuer for a visit, logs it, and builds the response.
fn respond(state: &IssuerState, visit: &Visit, job: impl FnOnce(&Issuer, &Params, &Ctx<'_>) -> WebReply) -> Response {
    let random = random_token;
    let ctx = Ctx {
        now: state.clock.now(),
        base_url: &state.base_url,
        ip: &visit.ip,
        random: &random,
        dpop: None,
        origin: None,
    };
    let (params, reply) = match &visit.params {
        Ok(params) => (params.clone(), job(&state.read(), params, &ctx)),
        Err(page) => (Params::default(), page.clone()),
    };
    (state.sink)(RequestRecord {
        method: visit.method.to_string(),
        path: visit.path.clone(),
        status: reply.status,
        client_id: reply.client_id.clone(),
        user: reply.user.clone(),
        time: ctx.now,
        rate_limit: None,
        request: record::redact_params(&params),
        response: serde_json::json!({ "answer": reply.summary }),
        fault: None,
    });
    web_response(reply)
}

fn session_cookie(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|c| c.name() == SESSION_COOKIE)
        .map(|c| c.value().to_owned())
        .filter(|v| !v.is_empty())
}

/// `style-src` of every page: the one inline stylesheet.
static STYLE_HASH: LazyLock<String> = LazyLock::new(|| script_hash(style()));

/// A browser answer as HTTP: status, `Location`, body, cookie and security headers.
pub fn web_response(reply: WebReply) -> Response {
    let status = StatusCode::from_u16(reply.status).unwrap_or(StatusCode::BAD_REQUEST);
    let content_type = if reply.html {
        "text/html; charset=utf-8"
    } else {
        "text/plain; charset=utf-8"
    };
    let mut response = (status, reply.body).into_response();
    let headers = response.headers_mut();
    let mut set = |name, value: &str| {
        if let Ok(v) = HeaderValue::from_str(value) {
            headers.insert(name, v);
        }
    };
    set(header::CONTENT_TYPE, content_type);
    set(header::CACHE_CONTROL, "no-store");
    set(header::REFERRER_POLICY, "no-referrer");
    set(header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    if let Some(location) = &reply.location {
        set(header::LOCATION, location);
    }
    let scripts: String = reply.script_hashes.iter().map(|h| format!(" '{h}'")).collect();
    let framing = if reply.frameable {
        ""
    } else {
        "; frame-ancestors 'none'"
    };
    let policy = format!(
        "default-src 'none'; style-src '{}'; script-src{}; base-uri 'none'{framing}",
        *STYLE_HASH,
        if scripts.is_empty() { " 'none'" } else { &scripts }
    );
    set(header::CONTENT_SECURITY_POLICY, &policy);
    if !reply.frameable {
        set(header::X_FRAME_OPTIONS, "DENY");
    }
    if let Some(cookie) = session_set_cookie(&reply.cookie)
        && let Ok(value) = HeaderValue::from_str(&cookie)
    {
        headers.append(header::SET_COOKIE, value);
    }
    response
}

/// The `Set-Cookie` for a cookie change: over plain http on loopback `HttpOnly; SameSite=Lax` without
/// `Secure` (login-flow spec §13.10), kept for Auth0's idle lifetime.
fn session_set_cookie(change: &CookieChange) -> Option<String> {
    let builder = |value: String| {
        Cookie::build((SESSION_COOKIE, value))
            .http_only(true)
            .same_site(SameSite::Lax)
            .path("/")
    };
    match change {
        CookieChange::Keep => None,
        CookieChange::Set(sid) => Some(
            builder(sid.clone())
                .max_age(cookie::time::Duration::seconds(SESSION_IDLE))
                .build()
                .to_string(),
        ),
        CookieChange::Clear => Some(
            builder(String::new())
                .max_age(cookie::time::Duration::ZERO)
                .build()
                .to_string(),
        ),
    }
}
