//! The HTML the issuer serves, from the templates in `assets/login/`: the login page (labelled fields, an
//! error said next to them, the demo user picker), the error page, and the two pages that carry an answer
//! back to an application (`form_post` and `web_message`). Every value is escaped; nothing is fetched from
//! elsewhere, and the pages work with JavaScript off except `web_message`, which is script by nature.

use super::web::{WebReply, escape_html, script_hash};
use crate::core::tenant::User;

const LOGIN: &str = include_str!("../../../assets/login/login.html");
const MESSAGE: &str = include_str!("../../../assets/login/message.html");
const STYLE: &str = include_str!("../../../assets/login/page.css");

/// What the login page shows.
#[derive(Debug, Clone, Default)]
pub struct LoginView<'a> {
    /// The tenant's name.
    pub tenant: &'a str,
    /// The application's name.
    pub client_name: &'a str,
    /// The transaction (`state` of the page).
    pub state: &'a str,
    /// The form's CSRF token.
    pub csrf: &'a str,
    /// The name typed (kept after a wrong password) or `login_hint`.
    pub username: &'a str,
    /// The error to say next to the fields.
    pub error: Option<&'a str>,
    /// Users offered as one-click buttons (the tenant's `user_picker`).
    pub picker: &'a [User],
}

/// The login page.
pub fn login_page(status: u16, view: &LoginView<'_>) -> WebReply {
    let error = view.error.map_or_else(String::new, |e| {
        format!(r#"<p role="alert" id="error" class="error">{}</p>"#, escape_html(e))
    });
    let focus_name = view.username.is_empty();
    let body = fill(
        LOGIN,
        &[
            ("tenant", &escape_html(view.tenant)),
            ("client_name", &escape_html(view.client_name)),
            ("action", &format!("/u/login?state={}", escape_html(view.state))),
            ("state", &escape_html(view.state)),
            ("csrf", &escape_html(view.csrf)),
            ("username", &escape_html(view.username)),
            ("username_focus", if focus_name { "autofocus" } else { "" }),
            ("password_focus", if focus_name { "" } else { "autofocus" }),
            ("error", &error),
            ("picker", &picker(view)),
        ],
    );
    WebReply::page(status, body, "login page")
}

fn picker(view: &LoginView<'_>) -> String {
    if view.picker.is_empty() {
        return String::new();
    }
    let mut html =
        String::from(r#"<section class="picker" aria-labelledby="picker-title"><h2 id="picker-title">Demo users</h2>"#);
    for user in view.picker {
        let label = if user.name.is_empty() {
            &user.user_id
        } else {
            &user.name
        };
        html.push_str(&format!(
            r#"<form method="post" action="/u/login?state={state}"><input type="hidden" name="state" value="{state}"><input type="hidden" name="csrf" value="{csrf}"><input type="hidden" name="pick" value="{id}"><button class="user" type="submit">Continue as {label} ({email})</button></form>"#,
            state = escape_html(view.state),
            csrf = escape_html(view.csrf),
            id = escape_html(&user.user_id),
            label = escape_html(label),
            email = escape_html(&user.email),
        ));
    }
    html.push_str("</section>");
    html
}

/// An error page (a request that cannot go back to an application).
pub fn error_page(status: u16, title: &str, message: &str) -> WebReply {
    let body = fill(
        MESSAGE,
        &[("title", &escape_html(title)), ("message", &escape_html(message))],
    );
    WebReply::page(status, body, format!("error page: {title}"))
}

/// A page that posts `fields` to `action` (`response_mode=form_post`); a button submits it without script.
pub fn form_post_page(action: &str, fields: &[(String, String)]) -> WebReply {
    let inputs: String = fields
        .iter()
        .map(|(k, v)| {
            format!(
                r#"<input type="hidden" name="{}" value="{}">"#,
                escape_html(k),
                escape_html(v)
            )
        })
        .collect();
    let script = "document.forms[0].submit();";
    let body = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"referrer\" content=\"no-referrer\">\
         <title>Submit this form</title><style>{STYLE}</style></head><body><main><form method=\"post\" action=\"{}\">{inputs}\
         <p>Sending you back to the application.</p><noscript><button type=\"submit\">Continue</button></noscript></form>\
         </main><script>{script}</script></body></html>",
        escape_html(action)
    );
    let mut reply = WebReply::page(200, body, "form_post answer");
    reply.script_hashes.push(script_hash(script));
    reply
}

/// The `web_message` answer (spec §2.1): posts `{type:"authorization_response", response}` to `origin` from
/// the opener or the parent window. With no `origin` (not an Allowed Web Origin) nothing is posted, and the
/// page says why.
pub fn web_message_page(origin: Option<&str>, response: &serde_json::Value) -> WebReply {
    let Some(origin) = origin else {
        let mut reply = error_page(
            400,
            "Origin not allowed",
            "The callback's origin is not in the client's Allowed Web Origins (web_origins), so the answer is not posted.",
        );
        reply.frameable = true;
        return reply;
    };
    // JSON in a script: `<` escaped so that no value can close the element.
    let json = |v: &serde_json::Value| v.to_string().replace('<', "\\u003c");
    let message = serde_json::json!({ "type": "authorization_response", "response": response });
    let script = format!(
        "(function(){{var w=window.opener||window.parent;w.postMessage({},{});}})();",
        json(&message),
        json(&serde_json::Value::from(origin))
    );
    let body = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Authorization Response</title></head>\
         <body><script>{script}</script></body></html>"
    );
    let mut reply = WebReply::page(200, body, "web_message answer");
    reply.frameable = true;
    reply.script_hashes.push(script_hash(&script));
    reply
}

/// The stylesheet, inline in every page (no request leaves the page).
pub fn style() -> &'static str {
    STYLE
}

fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = template.replace("{{style}}", STYLE);
    for (name, value) in values {
        out = out.replace(&format!("{{{{{name}}}}}"), value);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_login_page_escapes_what_it_shows_and_keeps_the_name() {
        let view = LoginView {
            tenant: "demo",
            client_name: "<script>x</script>",
            state: "abc",
            csrf: "t\"k",
            username: "alice@demo.local",
            error: Some("Wrong email or password."),
            picker: &[],
        };
        let page = login_page(400, &view).body;
        assert!(page.contains("&lt;script&gt;x&lt;/script&gt;"));
        assert!(!page.contains("<script>x"));
        assert!(page.contains(r#"value="t&quot;k""#));
        assert!(page.contains(r#"value="alice@demo.local""#));
        assert!(page.contains(r#"role="alert" id="error" class="error">Wrong email or password."#));
        assert!(!page.contains("{{"), "every placeholder is filled");
    }

    #[test]
    fn a_web_message_cannot_close_its_script() {
        let reply = web_message_page(
            Some("http://127.0.0.1:3000"),
            &serde_json::json!({"state": "</script><b>"}),
        );
        assert!(!reply.body.contains("</script><b>"));
        assert!(reply.frameable);
        assert_eq!(reply.script_hashes.len(), 1);
    }
}
