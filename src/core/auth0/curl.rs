//! A request as a curl command that reproduces it exactly. Secrets are replaced by shell variables
//! (`${CLIENT_SECRET:?…}`, which stops the shell with what to set when the variable is not) unless the user asks
//! to include them; quoting is done by `shlex`. A request sent without certificate checks gets `--insecure`, as
//! it was sent. The command stays one line, so it can be pasted back into a form.

use crate::core::http::HttpRequest;

/// A secret in a request: the variable that stands for it, what it holds, and its value.
pub struct SecretValue<'a> {
    /// Shell variable name, e.g. `CLIENT_SECRET`.
    pub variable: &'static str,
    /// What to put in it, for the shell's message when it is unset, e.g. "the client secret".
    pub meaning: &'static str,
    /// The value as sent.
    pub value: &'a str,
}

impl SecretValue<'_> {
    /// The shell reference: expands the variable, or stops the command with what to set.
    pub fn reference(&self) -> String {
        let variable = self.variable;
        format!("${{{variable}:?set {variable} to {} first}}", self.meaning)
    }
}

/// The curl command. With `include_secrets` false, each secret (as it appears in the JSON or form body or a
/// header) becomes `"${VARIABLE:?…}"`, so the command runs once the variables are exported and, run as pasted,
/// stops before sending with the shell saying which variable to set.
pub fn command(request: &HttpRequest, secrets: &[SecretValue<'_>], include_secrets: bool) -> String {
    let mut words = vec![
        "curl".to_owned(),
        "-sS".to_owned(),
        "-X".to_owned(),
        request.method.as_str().to_owned(),
    ];
    if !request.verify_tls {
        words.push("--insecure".to_owned());
    }
    words.push(quote(&request.url));
    for (name, value) in &request.headers {
        words.push("-H".to_owned());
        words.push(redact(&quote(&format!("{name}: {value}")), secrets, include_secrets));
    }
    if let Some(body) = &request.body {
        words.push("--data-binary".to_owned());
        words.push(redact(&quote(&String::from_utf8_lossy(body)), secrets, include_secrets));
    }
    words.join(" ")
}

fn quote(text: &str) -> String {
    // shlex refuses only NUL bytes, which no HTTP header or form/JSON body built here contains.
    shlex::try_quote(text).map_or_else(|_| format!("'{}'", text.replace('\'', "'\\''")), |q| q.into_owned())
}

/// Replaces each secret, in every form it can take in a quoted body, with a variable reference that closes the
/// quote, expands, and reopens it.
fn redact(quoted: &str, secrets: &[SecretValue<'_>], include: bool) -> String {
    if include {
        return quoted.to_owned();
    }
    let mut text = quoted.to_owned();
    for secret in secrets.iter().filter(|s| !s.value.is_empty()) {
        let json = serde_json::Value::String(secret.value.to_owned()).to_string();
        let json = json.trim_matches('"').to_owned();
        let form: String = url::form_urlencoded::byte_serialize(secret.value.as_bytes()).collect();
        let single = if quoted.starts_with('\'') { "'" } else { "\"" };
        let reference = format!("{single}\"{}\"{single}", secret.reference());
        for form in [json, form, secret.value.to_owned()] {
            if !form.is_empty() {
                text = text.replace(&form, &reference);
            }
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::http::{Method, Redirects};

    fn request(body: &str) -> HttpRequest {
        HttpRequest {
            method: Method::Post,
            url: "http://127.0.0.1:4000/oauth/token".into(),
            headers: vec![("content-type".into(), "application/json".into())],
            body: Some(body.as_bytes().to_vec()),
            timeout: std::time::Duration::from_secs(1),
            redirects: Redirects::Keep,
            max_body: 1,
            verify_tls: true,
        }
    }

    #[test]
    fn secrets_become_variables_unless_included() {
        let r = request(r#"{"client_id":"a","client_secret":"s3cr'et"}"#);
        let secrets = [SecretValue {
            variable: "CLIENT_SECRET",
            meaning: "the client secret",
            value: "s3cr'et",
        }];
        let redacted = command(&r, &secrets, false);
        assert!(!redacted.contains("s3cr"), "{redacted}");
        assert!(
            redacted.contains("\"${CLIENT_SECRET:?set CLIENT_SECRET to the client secret first}\""),
            "{redacted}"
        );
        let words = shlex::split(&command(&r, &secrets, true)).unwrap();
        assert_eq!(words.last().unwrap(), r#"{"client_id":"a","client_secret":"s3cr'et"}"#);
    }

    #[test]
    fn a_request_without_certificate_checks_gets_insecure_and_only_then() {
        let mut r = request("{}");
        let words = shlex::split(&command(&r, &[], false)).unwrap();
        assert!(!words.iter().any(|w| w == "--insecure"), "{words:?}");
        r.verify_tls = false;
        let words = shlex::split(&command(&r, &[], false)).unwrap();
        assert_eq!(words[..5], ["curl", "-sS", "-X", "POST", "--insecure"]);
    }

    #[test]
    fn a_redacted_command_splits_into_the_same_words_with_the_variable_in_place() {
        let r = request(r#"{"client_secret":"xyz"}"#);
        let secrets = [SecretValue {
            variable: "CLIENT_SECRET",
            meaning: "the client secret",
            value: "xyz",
        }];
        let words = shlex::split(&command(&r, &secrets, false)).unwrap();
        assert_eq!(
            words.last().unwrap(),
            r#"{"client_secret":"${CLIENT_SECRET:?set CLIENT_SECRET to the client secret first}"}"#
        );
    }

    #[test]
    fn run_as_pasted_without_the_variable_the_shell_stops_and_says_what_to_set() {
        let r = request(r#"{"id_token":"eyJ.a.b"}"#);
        let secrets = [SecretValue {
            variable: "INPUT_TOKEN",
            meaning: "the id_token",
            value: "eyJ.a.b",
        }];
        // `echo` stands in for curl: the guard must stop the line before it runs.
        let line = command(&r, &secrets, false).replacen("curl", "echo", 1);
        let run = |token: Option<&str>| {
            let mut shell = std::process::Command::new("sh");
            shell.arg("-c").arg(&line).env_remove("INPUT_TOKEN");
            if let Some(token) = token {
                shell.env("INPUT_TOKEN", token);
            }
            shell.output().unwrap()
        };
        let unset = run(None);
        assert!(!unset.status.success());
        assert!(unset.stdout.is_empty(), "nothing ran");
        let said = String::from_utf8_lossy(&unset.stderr);
        assert!(said.contains("set INPUT_TOKEN to the id_token first"), "{said}");
        let set = run(Some("eyJ.x.y"));
        assert!(String::from_utf8_lossy(&set.stdout).contains(r#"{"id_token":"eyJ.x.y"}"#));
    }
}
