//! The HAR 1.2 model as this reader needs it: the fields of `log.entries[]` that say what was sent and
//! answered. Every field is optional (Safari leaves some out); fields this model does not name, such as
//! Chrome's `_initiator` or `timings`, are skipped.

use serde::Deserialize;

/// One `log.entries[]` item.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct RawEntry {
    /// ISO 8601 date and time with an offset, e.g. `2024-05-01T10:00:00.123Z`.
    pub started_date_time: String,
    /// Total time of the request in milliseconds (`-1` or absent when unknown).
    pub time: Option<f64>,
    /// What was sent.
    pub request: RawRequest,
    /// What was answered.
    pub response: RawResponse,
}

/// `entry.request`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct RawRequest {
    /// `GET`, `POST`, …
    pub method: String,
    /// The absolute URL, with its query and (rarely) fragment.
    pub url: String,
    /// Headers in the order sent; names as the browser wrote them.
    pub headers: Vec<NameValue>,
    /// The query as pairs (Firefox and Chrome; Safari may leave it out).
    pub query_string: Vec<NameValue>,
    /// Cookies sent.
    pub cookies: Vec<NameValue>,
    /// The body, for POST and PUT.
    pub post_data: Option<PostData>,
}

/// `request.postData`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct PostData {
    /// `application/x-www-form-urlencoded`, `application/json`, …
    pub mime_type: String,
    /// The body as text (absent in some Firefox captures when `params` is given).
    pub text: Option<String>,
    /// Form fields, when the browser parsed them (Firefox).
    pub params: Vec<NameValue>,
}

/// `entry.response`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct RawResponse {
    /// HTTP status; 0 when the request failed or was blocked (Chrome), -1 when unknown.
    pub status: i64,
    /// Headers in the order received.
    pub headers: Vec<NameValue>,
    /// Cookies set.
    pub cookies: Vec<NameValue>,
    /// The body.
    pub content: Content,
    /// The `Location` target, when the browser filled it in.
    #[serde(rename = "redirectURL")]
    pub redirect_url: String,
}

/// `response.content`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Content {
    /// Size of the decoded body in bytes.
    pub size: Option<i64>,
    /// Media type of the body.
    pub mime_type: String,
    /// The body, as text or base64 (see `encoding`); absent when the browser did not keep it.
    pub text: Option<String>,
    /// `base64` when `text` is base64.
    pub encoding: Option<String>,
}

/// A header, cookie, query or form pair. HAR cookies have more fields (path, expires, …), which are skipped.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct NameValue {
    /// The name as written.
    pub name: String,
    /// The value (`null`, which some exporters write for an empty value, reads as empty).
    #[serde(deserialize_with = "null_as_empty")]
    pub value: String,
}

/// A string, or `null` read as the empty string.
fn null_as_empty<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    Ok(Option::<String>::deserialize(deserializer)?.unwrap_or_default())
}
