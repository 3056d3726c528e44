//! The browser login: `/authorize` decides between an immediate answer (a live session), `login_required`
//! (`prompt=none` without one) and the login page; the page's form is checked (transaction, CSRF token,
//! brute-force block, password) and a successful login starts a session and answers the request.

use super::authorize::{AuthRequest, fresh_enough};
use super::pages::{LoginView, error_page, login_page};
use super::respond::Delivery;
use super::session::{CODE_LIFETIME, CodeGrant, Session, TRANSACTION_LIFETIME, Transaction};
use super::token::{Caller, LoginClaims, LoginFailure, UserGrant};
use super::web::{CookieChange, WebReply};
use super::{Ctx, Issuer, Params};
use crate::core::tenant::User;

/// The login page's text for a blocked name (Universal Login's `user-blocked`).
const BLOCKED_PAGE_TEXT: &str = "Your account has been blocked after multiple consecutive login attempts.";

impl Issuer {
    /// Answers `/authorize`; `sid` is the session cookie, if any.
    pub fn authorize(&self, params: &Params, sid: Option<&str>, ctx: &Ctx<'_>) -> WebReply {
        let (client, redirect_uri) = match self.trusted_callback(params) {
            Ok(trusted) => trusted,
            Err(page) => return page.by(params.get("client_id"), None),
        };
        let request = match self.check_authorize(params, client, redirect_uri) {
            Ok(request) => request,
            Err(delivery) => return delivery.into_reply(client),
        };
        let session = sid.and_then(|sid| Some((sid, self.login_state().session(sid, ctx.now)?)));
        let live = session.filter(|(_, s)| !request.prompt_login && fresh_enough(&request, s.auth_time, ctx));
        match (live, request.prompt_none) {
            (Some((sid, session)), _) => self.answer(&request, sid, &session, ctx).into_reply(client),
            (None, true) => request.error("login_required", "Login required").into_reply(client),
            (None, false) => self.start_login(request, ctx),
        }
    }

    /// The login page of a transaction.
    pub fn login_page(&self, txn: &str, ctx: &Ctx<'_>) -> WebReply {
        let Some(transaction) = self.live_transaction(txn, ctx) else {
            return expired_page();
        };
        let hint = transaction.request.login_hint.as_deref().unwrap_or_default();
        self.render_login(txn, &transaction, hint, None, 200)
    }

    /// Checks the login form and, on success, starts a session and answers the waiting request.
    pub fn login_post(&self, txn: &str, form: &Params, ctx: &Ctx<'_>) -> WebReply {
        let Some(transaction) = self.live_transaction(txn, ctx) else {
            return expired_page();
        };
        let csrf_ok = form
            .get("csrf")
            .is_some_and(|c| super::secrets_match_plain(c, &transaction.csrf));
        if !csrf_ok || form.get("state") != Some(txn) {
            return error_page(
                403,
                "Invalid form",
                "The login form did not come from this login page (CSRF check failed). Go back to the application and sign in again.",
            );
        }
        let user = match self.form_user(form, ctx) {
            Ok(user) => user.clone(),
            Err((status, message)) => {
                let name = form.get("username").unwrap_or_default();
                return self.render_login(txn, &transaction, name, Some(message), status);
            }
        };
        self.login_state().transactions.remove(txn);
        let sid = (ctx.random)();
        let session = Session {
            user_id: user.user_id.clone(),
            auth_time: ctx.now,
            last_seen: ctx.now,
            clients: vec![transaction.request.client_id.clone()],
        };
        self.login_state().sessions.insert(sid.clone(), session.clone());
        let Some(client) = self.tenant.client(&transaction.request.client_id) else {
            return expired_page();
        };
        self.answer(&transaction.request, &sid, &session, ctx)
            .into_reply(client)
            .with_cookie(CookieChange::Set(sid))
            .by(Some(&client.client_id), Some(&user.user_id))
    }

    fn form_user(&self, form: &Params, ctx: &Ctx<'_>) -> Result<&User, (u16, &'static str)> {
        if let Some(pick) = form.get("pick") {
            let picked = self
                .tenant
                .settings
                .login
                .user_picker
                .then(|| self.tenant.user(pick))
                .flatten();
            return picked.ok_or((400, "That user cannot be picked: type an email and password."));
        }
        let (Some(name), Some(password)) = (form.get("username"), form.get("password")) else {
            return Err((400, "Enter your email or username and your password."));
        };
        self.check_password(name, password, None, ctx)
            .map_err(|failure| match failure {
                LoginFailure::Wrong => (400, "Wrong email or password."),
                LoginFailure::Blocked => (429, BLOCKED_PAGE_TEXT),
            })
    }

    fn live_transaction(&self, txn: &str, ctx: &Ctx<'_>) -> Option<Transaction> {
        let mut state = self.login_state();
        let transaction = state.transactions.get(txn)?.clone();
        if ctx.now - transaction.created > TRANSACTION_LIFETIME {
            state.transactions.remove(txn);
            return None;
        }
        Some(transaction)
    }

    fn start_login(&self, request: AuthRequest, ctx: &Ctx<'_>) -> WebReply {
        let txn = (ctx.random)();
        let client_id = request.client_id.clone();
        let transaction = Transaction {
            request,
            csrf: (ctx.random)(),
            created: ctx.now,
        };
        self.login_state().transactions.insert(txn.clone(), transaction);
        WebReply::redirect(format!("/u/login?state={txn}"), "to the login page").by(Some(&client_id), None)
    }

    fn render_login(
        &self,
        txn: &str,
        transaction: &Transaction,
        username: &str,
        error: Option<&str>,
        status: u16,
    ) -> WebReply {
        let client = self.tenant.client(&transaction.request.client_id);
        let client_name = client.map_or("", |c| if c.name.is_empty() { &c.client_id } else { &c.name });
        let picker = if self.tenant.settings.login.user_picker {
            self.tenant.users.as_slice()
        } else {
            &[]
        };
        let view = LoginView {
            tenant: &self.tenant.name,
            client_name,
            state: txn,
            csrf: &transaction.csrf,
            username,
            error,
            picker,
        };
        login_page(status, &view).by(Some(&transaction.request.client_id), None)
    }

    /// The success answer for a signed-in session: a code, tokens, or both, by `response_type`.
    fn answer(&self, request: &AuthRequest, sid: &str, session: &Session, ctx: &Ctx<'_>) -> Delivery {
        match self.issue(request, sid, session, ctx) {
            Ok(mut fields) => {
                if let Some(state) = &request.state {
                    fields.push(("state".to_owned(), state.clone()));
                }
                Delivery {
                    redirect_uri: request.redirect_uri.clone(),
                    mode: request.response_mode,
                    fields,
                }
            }
            Err(e) => request.error(e.error, &e.description),
        }
    }

    fn issue(
        &self,
        request: &AuthRequest,
        sid: &str,
        session: &Session,
        ctx: &Ctx<'_>,
    ) -> Result<Vec<(String, String)>, super::OAuthError> {
        let mut fields = Vec::new();
        let code = request.response_type.code.then(|| (ctx.random)());
        if let Some(code) = &code {
            let grant = CodeGrant {
                request: request.clone(),
                user_id: session.user_id.clone(),
                sid: sid.to_owned(),
                auth_time: session.auth_time,
                expires: ctx.now + CODE_LIFETIME,
                spent: None,
            };
            self.login_state().codes.insert(code.clone(), grant);
            fields.push(("code".to_owned(), code.clone()));
        }
        if request.response_type.token || request.response_type.id_token {
            fields.extend(self.front_channel_tokens(request, sid, session, code, ctx)?);
        }
        Ok(fields)
    }

    /// The implicit and hybrid answers: `access_token` (with `token`) and `id_token` (with `id_token`).
    fn front_channel_tokens(
        &self,
        request: &AuthRequest,
        sid: &str,
        session: &Session,
        code: Option<String>,
        ctx: &Ctx<'_>,
    ) -> Result<Vec<(String, String)>, super::OAuthError> {
        let invalid = || super::OAuthError::access_denied("the signed-in user is no longer in the tenant");
        let user = self.tenant.user(&session.user_id).ok_or_else(invalid)?.clone();
        let client = self.tenant.client(&request.client_id).ok_or_else(invalid)?.clone();
        let kind = request.response_type;
        let mut scopes = request.scopes.clone();
        if !kind.id_token {
            scopes.retain(|s| s != "openid");
        }
        let grant = UserGrant {
            user,
            scopes,
            audience: request.audience.clone(),
            login: Some(LoginClaims {
                nonce: request.nonce.clone(),
                sid: sid.to_owned(),
                auth_time: session.auth_time,
                at_hash: kind.token,
                code,
            }),
            ..UserGrant::default()
        };
        let caller = Caller {
            client,
            authenticated: false,
        };
        let reply = self.user_tokens(&caller, &grant, ctx)?;
        let text = |name: &str| reply.body[name].as_str().map(str::to_owned);
        let mut fields = Vec::new();
        if kind.token {
            for name in ["access_token", "token_type", "scope"] {
                fields.extend(text(name).map(|v| (name.to_owned(), v)));
            }
            fields.push(("expires_in".to_owned(), reply.body["expires_in"].to_string()));
        }
        if kind.id_token {
            fields.extend(text("id_token").map(|v| ("id_token".to_owned(), v)));
        }
        Ok(fields)
    }
}

fn expired_page() -> WebReply {
    error_page(
        400,
        "Login expired",
        "This login page has expired or was already used. Go back to the application and sign in again.",
    )
}
