//! Real-world shapes: Auth0's docs, form-encoded token exchange, Chrome's "Copy as cURL", Postman, and the
//! commands tokenbench itself writes. A test module: `curl_parse.rs` declares it under #[cfg(test)].

use super::*;
use crate::core::auth0::BodyEncoding;
use crate::core::auth0::delegation::{DelegationForm, InputToken};
use crate::core::auth0::exchange::{ExchangeForm, SubjectType};
use crate::core::protocol::grant::JWT_BEARER;
use std::time::Duration;

fn names(unmapped: &[Unmapped]) -> Vec<&str> {
    unmapped.iter().map(|u| u.name.as_str()).collect()
}

#[test]
fn auth0_docs_delegation_curl_with_a_json_body_fills_the_form() {
    let text = r#"curl --request POST \
  --url 'https://dev-abc.us.auth0.com/delegation' \
  --header 'content-type: application/json' \
  --data '{"client_id":"spa123","grant_type":"urn:ietf:params:oauth:grant-type:jwt-bearer","id_token":"eyJ.a.b","target":"aws-client","scope":"openid","api_type":"aws","role":"arn:aws:iam::1:role/r","principal":"arn:aws:iam::1:saml-provider/p"}'"#;
    let (form, base, unmapped) = to_delegation(&parse(text).unwrap());
    assert_eq!(base, "https://dev-abc.us.auth0.com");
    assert!(unmapped.is_empty(), "{unmapped:?}");
    assert_eq!(
        (form.client_id.as_str(), form.input, form.token.as_str()),
        ("spa123", InputToken::IdToken, "eyJ.a.b")
    );
    assert_eq!((form.target.as_str(), form.api_type.as_str()), ("aws-client", "aws"));
    assert_eq!(form.grant_type, JWT_BEARER);
    assert_eq!(form.encoding, BodyEncoding::Json);
    let params: Vec<&str> = form.params.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(params, ["role", "principal"]);
}

#[test]
fn a_form_encoded_token_exchange_fills_the_form_and_splits_the_apple_name() {
    let text = "curl --request POST \\\n  --url 'https://t.auth0.com/oauth/token' \\\n  \
        --header 'content-type: application/x-www-form-urlencoded' \\\n  \
        --header 'auth0-forwarded-for: 203.0.113.7' \\\n  \
        --data grant_type=urn:ietf:params:oauth:grant-type:token-exchange \\\n  \
        --data 'subject_token=c0de.apple' \\\n  \
        --data 'subject_token_type=http://auth0.com/oauth/token-type/apple-authz-code' \\\n  \
        --data client_id=native1 \\\n  --data 'audience=https://api.example/' \\\n  \
        --data-urlencode 'scope=openid profile' \\\n  \
        --data-urlencode 'user_profile={\"name\":{\"firstName\":\"Ada\",\"lastName\":\"Lovelace\"},\"email\":\"a@b.c\"}'";
    let parsed = parse(text).unwrap();
    assert!(
        parsed
            .body()
            .unwrap()
            .contains("&scope=openid+profile&user_profile=%7B")
    );
    let (form, base, unmapped) = to_exchange(&parsed);
    assert_eq!(base, "https://t.auth0.com");
    assert!(unmapped.is_empty(), "{unmapped:?}");
    assert_eq!(form.encoding, BodyEncoding::Form);
    assert_eq!(form.subject_type, SubjectType::AppleCode);
    assert_eq!((form.first_name.as_str(), form.last_name.as_str()), ("Ada", "Lovelace"));
    assert_eq!(form.profile_json, r#"{"email":"a@b.c"}"#);
    assert_eq!(
        (form.scope.as_str(), form.forwarded_for.as_str()),
        ("openid profile", "203.0.113.7")
    );
    assert!(!form.use_resource);
    assert!(form.validate(&base, Duration::from_secs(5), None).is_ok());
}

#[test]
fn chrome_copy_as_curl_lists_every_header_and_flag_the_form_does_not_send() {
    let text = r#"curl 'https://t.eu.auth0.com/delegation' \
  -H 'accept: */*' \
  -H 'accept-language: en-GB,en;q=0.9' \
  -H 'auth0-client: eyJuYW1lIjoiYXV0aDAuanMifQ==' \
  -H 'content-type: application/json' \
  -H 'origin: http://localhost:3000' \
  -H 'sec-ch-ua: "Chromium";v="124", "Not-A.Brand";v="99"' \
  -H 'user-agent: Mozilla/5.0 (X11; Linux x86_64)' \
  -b 'did=s%3Av0%3A1234' \
  --data-raw '{"client_id":"abc","grant_type":"urn:ietf:params:oauth:grant-type:jwt-bearer","refresh_token":"v1.r","id_token":"eyJ.x.y","api_type":"firebase","client_secret":"hunter2"}' \
  --compressed"#;
    let parsed = parse(text).unwrap();
    assert_eq!(parsed.method(), "POST");
    assert_eq!(parsed.headers.len(), 7);
    let (form, _, unmapped) = to_delegation(&parsed);
    assert_eq!((form.input, form.token.as_str()), (InputToken::RefreshToken, "v1.r"));
    assert_eq!(
        names(&unmapped),
        [
            "--compressed",
            "-b",
            "id_token",
            "client_secret",
            "accept-language",
            "auth0-client",
            "origin",
            "sec-ch-ua",
            "user-agent"
        ]
    );
    assert!(unmapped.iter().all(|u| !u.reason.is_empty()));
    assert!(!format!("{form:?}{unmapped:?}{parsed:?}").contains("hunter2"));
}

#[test]
fn a_postman_export_with_basic_auth_and_clustered_flags_fills_client_credentials() {
    let text = "curl -sSL -XPOST --location 'https://t.auth0.com/oauth/token' -u 'native1:s3cret' \
        --header 'Content-Type: application/json' --data '{\"subject_token\":\"tok\",\
        \"subject_token_type\":\"urn:acme:legacy\",\"resource\":\"https://api/\",\"extra\":1}'";
    let (form, _, unmapped) = to_exchange(&parse(text).unwrap());
    assert_eq!(form.client_id, "native1");
    assert_eq!(form.client_secret.as_ref().map(SecretString::expose), Some("s3cret"));
    assert_eq!(form.subject_type, SubjectType::Custom("urn:acme:legacy".into()));
    assert!(form.use_resource);
    assert_eq!(names(&unmapped), ["-s", "-S", "-L", "--location", "extra"]);
    assert!(unmapped[2].reason.contains("redirects"));
}

#[test]
fn several_data_flags_are_joined_with_ampersands_and_the_method_defaults_to_post() {
    let parsed = parse("curl http://127.0.0.1:4000/delegation -d client_id=a -d 'scope=openid email'").unwrap();
    assert_eq!(parsed.method(), "POST");
    assert_eq!(parsed.body().unwrap(), "client_id=a&scope=openid email");
    let get = parse("curl https://t.auth0.com/.well-known/jwks.json").unwrap();
    assert_eq!(get.method(), "GET");
    let (_, base, unmapped) = to_delegation(&get);
    assert_eq!(base, "https://t.auth0.com");
    assert_eq!(names(&unmapped), ["/.well-known/jwks.json", "GET"]);
}

#[test]
fn a_command_written_by_tokenbench_reads_back_into_the_same_form() {
    let form = DelegationForm {
        client_id: "demo-spa".into(),
        token: "eyJ.a'b.c".into(),
        target: "demo-firebase".into(),
        params: vec![("blobName".into(), "a b&c".into())],
        encoding: BodyEncoding::Form,
        ..DelegationForm::default()
    };
    let request = form.validate("http://127.0.0.1:4000", Duration::from_secs(5)).unwrap();
    let text = crate::core::auth0::curl::command(&request, &[], true);
    let (read, base, unmapped) = to_delegation(&parse(&text).unwrap());
    assert_eq!(base, "http://127.0.0.1:4000");
    assert_eq!(read, form);
    assert_eq!(names(&unmapped), ["-s", "-S"]);
}

#[test]
fn ansi_c_quoting_is_refused_with_advice_but_a_quoted_dollar_is_not() {
    let error = parse("curl 'https://t/delegation' --data-raw $'{\"a\":\"\\u00e9\"}'").unwrap_err();
    assert_eq!(error, CurlParseError::AnsiCQuoting);
    assert!(error.to_string().contains("plain single quotes"));
    let fine = parse("curl https://t/delegation -d 'price= $'\"'\"'5'").unwrap();
    assert_eq!(fine.data, ["price= $'5"]);
}

#[test]
fn an_unclosed_quote_or_a_missing_value_is_a_clear_error() {
    let error = parse("curl https://t/delegation -d '{\"client_id\":\"a}").unwrap_err();
    assert_eq!(error, CurlParseError::Unbalanced);
    assert!(error.to_string().contains("copy the whole command again"));
    assert_eq!(
        parse("curl https://t/delegation -H").unwrap_err(),
        CurlParseError::MissingValue("-H".into())
    );
    assert_eq!(parse("  \n").unwrap_err(), CurlParseError::Empty);
    assert_eq!(
        parse("wget https://t").unwrap_err(),
        CurlParseError::NotCurl("wget".into())
    );
    assert_eq!(parse("curl -s").unwrap_err(), CurlParseError::NoUrl);
}

#[test]
fn bodies_from_files_are_refused_because_a_paste_does_not_carry_them() {
    for flag in ["-d", "--data-binary", "--json"] {
        let text = format!("curl https://t/delegation {flag} @body.json");
        assert_eq!(parse(&text).unwrap_err(), CurlParseError::FromFile(flag.into()));
    }
    assert!(parse("curl https://t/x --data-urlencode name@file").is_err());
    assert!(parse("curl https://t/x --data-raw @literal").is_ok());
}

#[test]
fn windows_caret_continuations_are_joined_and_cmd_quoting_is_refused() {
    let text = "curl https://t.auth0.com/delegation ^\r\n  -H \"content-type: application/json\" ^\r\n  \
        --data-raw \"{\\\"client_id\\\":\\\"a\\\"}\"";
    let (form, _, _) = to_delegation(&parse(text).unwrap());
    assert_eq!(form.client_id, "a");
    assert_eq!(
        parse("curl ^\"https://t/delegation^\"").unwrap_err(),
        CurlParseError::CmdQuoting
    );
}

#[test]
fn a_json_flag_body_that_is_not_an_object_is_listed() {
    let (form, _, unmapped) = to_exchange(&parse("curl https://t/oauth/token --json '[1]'").unwrap());
    assert_eq!(
        form,
        ExchangeForm {
            scope: String::new(),
            ..ExchangeForm::default()
        }
    );
    assert_eq!(names(&unmapped), ["body"]);
}
