//! Adding one parameter to a request whose body is already encoded, as JSON or as a form, keeping the
//! encoding it has: the backend adds a client secret read from the keyring this way, after the UI built the
//! request without it. Pure: no I/O.

use crate::core::http::HttpRequest;

/// Adds `name=value` to the body, encoded as the request's `content-type` says (JSON object or form).
/// A parameter of that name already in the body is replaced.
pub fn add_param(request: &mut HttpRequest, name: &str, value: &str) -> Result<(), String> {
    let content_type = request
        .headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-type"))
        .map(|(_, v)| v.to_ascii_lowercase())
        .unwrap_or_default();
    let body = request.body.take().unwrap_or_default();
    let encoded = if content_type.starts_with("application/json") {
        add_json(&body, name, value)
    } else if content_type.starts_with("application/x-www-form-urlencoded") {
        Ok(add_form(&body, name, value))
    } else {
        Err(format!(
            "cannot add {name} to a body of type \"{content_type}\": send it as JSON or form"
        ))
    };
    match encoded {
        Ok(encoded) => {
            request.body = Some(encoded);
            Ok(())
        }
        Err(e) => {
            request.body = Some(body);
            Err(e)
        }
    }
}

fn add_json(body: &[u8], name: &str, value: &str) -> Result<Vec<u8>, String> {
    let text = if body.is_empty() { b"{}".as_slice() } else { body };
    let mut object: serde_json::Map<String, serde_json::Value> =
        serde_json::from_slice(text).map_err(|_| format!("cannot add {name}: the body is not a JSON object"))?;
    object.insert(name.to_owned(), value.into());
    Ok(serde_json::Value::Object(object).to_string().into_bytes())
}

fn add_form(body: &[u8], name: &str, value: &str) -> Vec<u8> {
    let mut form = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in url::form_urlencoded::parse(body).filter(|(k, _)| k != name) {
        form.append_pair(&k, &v);
    }
    form.append_pair(name, value);
    form.finish().into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::http::{Method, Redirects};

    fn request(content_type: &str, body: &str) -> HttpRequest {
        HttpRequest {
            method: Method::Post,
            url: "http://127.0.0.1:4000/oauth/token".into(),
            headers: vec![("content-type".into(), content_type.into())],
            body: Some(body.as_bytes().to_vec()),
            timeout: std::time::Duration::from_secs(1),
            redirects: Redirects::Keep,
            max_body: 1,
            verify_tls: true,
        }
    }

    fn body(request: &HttpRequest) -> String {
        String::from_utf8(request.body.clone().unwrap()).unwrap()
    }

    #[test]
    fn a_json_body_gets_the_parameter_after_the_others() {
        let mut r = request("application/json", r#"{"client_id":"a","scope":"openid"}"#);
        add_param(&mut r, "client_secret", "s\"3").unwrap();
        assert_eq!(body(&r), r#"{"client_id":"a","scope":"openid","client_secret":"s\"3"}"#);
    }

    #[test]
    fn a_form_body_gets_the_parameter_form_encoded_and_replaces_one_of_the_same_name() {
        let mut r = request("application/x-www-form-urlencoded", "client_id=a&client_secret=old");
        add_param(&mut r, "client_secret", "s &3").unwrap();
        assert_eq!(body(&r), "client_id=a&client_secret=s+%263");
    }

    #[test]
    fn another_body_type_is_refused_and_left_as_it_was() {
        let mut r = request("text/plain", "hello");
        let error = add_param(&mut r, "client_secret", "s").unwrap_err();
        assert!(error.contains("send it as JSON or form"), "{error}");
        assert_eq!(body(&r), "hello");
    }
}
