//! Carries an `/authorize` answer to a trusted callback in its response mode: `query` and `fragment` as a
//! `302`, `form_post` as an auto-submitting form, `web_message` as a `postMessage` to the callback's origin
//! when that origin is one of the client's Allowed Web Origins.

use super::authorize::ResponseMode;
use super::pages::{form_post_page, web_message_page};
use super::web::WebReply;
use crate::core::tenant::Client;
use crate::core::tenant::urls::{origin_matches, origin_of};
use serde_json::{Map, Value};

/// An answer for a callback.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    /// The trusted callback.
    pub redirect_uri: String,
    /// How it travels.
    pub mode: ResponseMode,
    /// The parameters: `code`, tokens, `state`, or `error` and `error_description`.
    pub fields: Vec<(String, String)>,
}

impl Delivery {
    /// The browser answer; `client` decides whether a `web_message` may be posted to the callback's origin.
    pub fn into_reply(self, client: &Client) -> WebReply {
        let summary = self.summary();
        let mut reply = match self.mode {
            ResponseMode::Query => WebReply::redirect(with_query(&self.redirect_uri, &self.fields), ""),
            ResponseMode::Fragment => WebReply::redirect(with_fragment(&self.redirect_uri, &self.fields), ""),
            ResponseMode::FormPost => form_post_page(&self.redirect_uri, &self.fields),
            ResponseMode::WebMessage => {
                let origin = origin_of(&self.redirect_uri)
                    .filter(|o| client.web_origins.iter().any(|allowed| origin_matches(allowed, o)));
                let response: Map<String, Value> = self.fields.into_iter().map(|(k, v)| (k, Value::from(v))).collect();
                web_message_page(origin.as_deref(), &Value::Object(response))
            }
        };
        reply.summary = summary;
        reply.by(Some(&client.client_id), None)
    }

    /// What the log says: the mode and the error or the kinds of what was sent, never their values.
    fn summary(&self) -> String {
        let get = |name: &str| self.fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
        match get("error") {
            Some(error) => format!("{error} to the callback ({:?})", self.mode),
            None => {
                let names: Vec<&str> = self
                    .fields
                    .iter()
                    .map(|(k, _)| k.as_str())
                    .filter(|k| *k != "state")
                    .collect();
                format!("{} to the callback ({:?})", names.join(", "), self.mode)
            }
        }
    }
}

fn encoded(fields: &[(String, String)]) -> String {
    url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(fields)
        .finish()
}

fn with_query(uri: &str, fields: &[(String, String)]) -> String {
    let separator = if uri.contains('?') { '&' } else { '?' };
    format!("{uri}{separator}{}", encoded(fields))
}

fn with_fragment(uri: &str, fields: &[(String, String)]) -> String {
    format!("{uri}#{}", encoded(fields))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client() -> Client {
        Client {
            client_id: "spa".into(),
            web_origins: vec!["http://127.0.0.1:3000".into()],
            ..Client::default()
        }
    }

    fn delivery(mode: ResponseMode, uri: &str) -> Delivery {
        Delivery {
            redirect_uri: uri.into(),
            mode,
            fields: vec![("code".into(), "a b".into()), ("state".into(), "s&t".into())],
        }
    }

    #[test]
    fn query_and_fragment_answers_are_encoded_redirects() {
        let reply = delivery(ResponseMode::Query, "http://127.0.0.1:3000/cb?x=1").into_reply(&client());
        assert_eq!(
            reply.location.as_deref(),
            Some("http://127.0.0.1:3000/cb?x=1&code=a+b&state=s%26t")
        );
        let reply = delivery(ResponseMode::Fragment, "http://127.0.0.1:3000/cb").into_reply(&client());
        assert_eq!(
            reply.location.as_deref(),
            Some("http://127.0.0.1:3000/cb#code=a+b&state=s%26t")
        );
        assert!(!reply.summary.contains("a b"), "the log never holds the code");
    }

    #[test]
    fn a_web_message_goes_only_to_an_allowed_web_origin() {
        let reply = delivery(ResponseMode::WebMessage, "http://127.0.0.1:3000/").into_reply(&client());
        assert!(reply.body.contains(r#""http://127.0.0.1:3000""#));
        assert!(reply.body.contains("authorization_response"));
        let reply = delivery(ResponseMode::WebMessage, "http://127.0.0.1:4444/").into_reply(&client());
        assert!(!reply.body.contains("postMessage"));
    }
}
