//! Auth0 wire requests built from forms: `/delegation` and native-social token exchange. Forms hold text
//! exactly as typed; `validate` returns every field error at once or the exact request to send. Also: reading
//! answers (tokens, OAuth errors explained) and the same request as a curl command.

pub mod answer;
pub mod body;
pub mod curl;
pub mod curl_parse;
pub mod delegation;
pub mod dpop;
pub mod exchange;
pub mod login;

pub use crate::core::workspace::FieldError;

/// How a form body is encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum BodyEncoding {
    /// `application/json`, as Auth0's docs and the mobile SDKs send.
    #[default]
    Json,
    /// `application/x-www-form-urlencoded`, as auth0.js and the Authentication API Debugger send.
    Form,
}

/// Encodes ordered parameters as a body, with the content type to send.
pub fn encode_body(params: &[(String, String)], encoding: BodyEncoding) -> (Vec<u8>, &'static str) {
    match encoding {
        BodyEncoding::Json => {
            let object: serde_json::Map<String, serde_json::Value> = params
                .iter()
                .map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone())))
                .collect();
            (
                serde_json::Value::Object(object).to_string().into_bytes(),
                "application/json",
            )
        }
        BodyEncoding::Form => {
            let mut form = url::form_urlencoded::Serializer::new(String::new());
            for (k, v) in params {
                form.append_pair(k, v);
            }
            (form.finish().into_bytes(), "application/x-www-form-urlencoded")
        }
    }
}

/// The endpoint URL under a tenant's base URL, checked: https, or http only on loopback.
pub fn endpoint(base_url: &str, path: &str) -> Result<String, String> {
    let base = crate::core::http::trusted_url(base_url)?;
    base.join(path)
        .map(|u| u.to_string())
        .map_err(|e| format!("{base_url} cannot take the path {path}: {e}"))
}

/// Pushes an error for `field`.
fn push(errors: &mut Vec<FieldError>, field: &'static str, message: impl Into<String>) {
    errors.push(FieldError {
        field,
        message: message.into(),
    });
}
