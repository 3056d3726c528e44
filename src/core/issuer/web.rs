//! Answers for a browser rather than an API client: a redirect, an HTML page, or plain text, with what to do
//! to the session cookie. The service turns one into an HTTP response with the security headers.

/// What happens to the `auth0` session cookie.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum CookieChange {
    /// Leave it.
    #[default]
    Keep,
    /// Set it to this session id.
    Set(String),
    /// Remove it.
    Clear,
}

/// A browser answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebReply {
    /// HTTP status.
    pub status: u16,
    /// `Location`, for a redirect.
    pub location: Option<String>,
    /// The HTML page, or plain text when `html` is false.
    pub body: String,
    /// Whether `body` is HTML.
    pub html: bool,
    /// The session cookie.
    pub cookie: CookieChange,
    /// Whether another page may frame it (`web_message` answers are read from a hidden iframe).
    pub frameable: bool,
    /// SHA-256 hashes (base64) of the inline scripts the page may run, for its `Content-Security-Policy`.
    pub script_hashes: Vec<String>,
    /// The client, once known (request log).
    pub client_id: Option<String>,
    /// The user, once known (request log).
    pub user: Option<String>,
    /// A short account for the request log, never holding a code or token.
    pub summary: String,
}

impl WebReply {
    /// A `302` to `location`.
    pub fn redirect(location: String, summary: impl Into<String>) -> Self {
        Self {
            status: 302,
            location: Some(location),
            ..Self::page(302, String::new(), summary)
        }
    }

    /// An HTML page.
    pub fn page(status: u16, body: String, summary: impl Into<String>) -> Self {
        Self {
            status,
            location: None,
            body,
            html: true,
            cookie: CookieChange::Keep,
            frameable: false,
            script_hashes: Vec::new(),
            client_id: None,
            user: None,
            summary: summary.into(),
        }
    }

    /// A plain-text answer.
    pub fn text(status: u16, body: &str) -> Self {
        Self {
            html: false,
            ..Self::page(status, body.to_owned(), body)
        }
    }

    /// The same answer changing the session cookie.
    pub fn with_cookie(mut self, cookie: CookieChange) -> Self {
        self.cookie = cookie;
        self
    }

    /// The same answer naming its client and user for the log.
    pub fn by(mut self, client_id: Option<&str>, user: Option<&str>) -> Self {
        self.client_id = client_id.map(str::to_owned);
        self.user = user.map(str::to_owned);
        self
    }
}

/// Escapes text for HTML element content and double-quoted attributes.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The base64 SHA-256 of an inline script, as a CSP source (`'sha256-…'` without the quotes).
pub fn script_hash(script: &str) -> String {
    use base64::Engine;
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, script.as_bytes());
    format!(
        "sha256-{}",
        base64::engine::general_purpose::STANDARD.encode(digest.as_ref())
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_escaping_covers_markup_and_quotes() {
        assert_eq!(
            escape_html(r#"<a href="x">'&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }
}
