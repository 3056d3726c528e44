//! What `delegate` and `exchange` share: the environment (`local` or a URL), field errors named by their
//! flags, sending on a current-thread runtime, and printing the answer: the body on stdout (pretty JSON, or
//! one `{"status","headers","body"}` object with `--json`), the status, time, rate-limit headers and the
//! explanation of an error on stderr. Everything the server sent is escaped before it reaches a terminal.

use super::{EXIT_CHECK_FAILED, EXIT_OK, EXIT_USAGE, color};
use crate::core::auth0::FieldError;
use crate::core::auth0::answer::{Endpoint, RATE_LIMIT_HEADERS, read};
use crate::core::escape;
use crate::core::http::{HttpAnswer, HttpError, HttpRequest};
use crate::core::secret::SecretString;
use crate::services::clock::SystemClock;
use crate::services::dpop::send_with_proof;
use crate::services::http;
use serde_json::{Map, Value};

/// The local issuer's address: the default port of `tokenbench serve` and of the window.
pub use crate::core::protocol::LOCAL_ISSUER_URL as LOCAL_ISSUER;

/// Help for `--env`.
pub fn env_help() -> String {
    format!(
        "`local` for the local issuer ({LOCAL_ISSUER}), or the tenant's URL (https://TENANT.auth0.com; plain \
         http only to localhost, e.g. http://127.0.0.1:PORT)"
    )
}

/// The flags both request commands share: body encoding, output shape and timeout.
#[derive(Debug, clap::Args)]
pub struct SendArgs {
    /// Send the body form-encoded instead of JSON.
    #[arg(long)]
    pub form: bool,
    /// Print one JSON object {"status","headers","body"} instead of the pretty body.
    #[arg(long)]
    pub json: bool,
    /// How long the request may take.
    #[arg(long, value_name = "SECONDS", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=600))]
    pub timeout: u64,
}

impl SendArgs {
    /// The body encoding the flags ask for.
    pub fn encoding(&self) -> crate::core::auth0::BodyEncoding {
        if self.form {
            crate::core::auth0::BodyEncoding::Form
        } else {
            crate::core::auth0::BodyEncoding::Json
        }
    }
}

/// The base URL `--env` names.
pub fn base_url(env: &str) -> &str {
    if env.trim().eq_ignore_ascii_case("local") {
        LOCAL_ISSUER
    } else {
        env.trim()
    }
}

/// The request's time limit from `--timeout`.
pub fn timeout(seconds: u64) -> std::time::Duration {
    std::time::Duration::from_secs(seconds)
}

/// Prints every field error, each with the flag that sets the field; returns the usage exit status.
pub fn report_field_errors(command: &str, errors: &[FieldError], flag: impl Fn(&str) -> String) -> u8 {
    for error in errors {
        eprintln!(
            "tokenbench {command}: {}: {}",
            flag(error.field),
            escape::terminal(&error.message)
        );
    }
    EXIT_USAGE
}

/// The flag for a form field: `client_id` → `--client-id`, `environment` → `--env`, `params` → `--param`.
pub fn default_flag(field: &str) -> String {
    match field {
        "environment" => "--env".to_owned(),
        "params" => "--param".to_owned(),
        other => format!("--{}", other.replace('_', "-")),
    }
}

/// Sends the request, prints the answer, and returns the exit status: 0 on 2xx, 1 on any other answer, 2 when
/// no answer came.
pub fn send_and_print(command: &str, request: &HttpRequest, endpoint: Endpoint, json: bool, env: &str) -> u8 {
    send_and_print_with(command, request, None, endpoint, (json, env))
}

/// As [`send_and_print`], with DPoP proofs signed by `dpop` (a P-256 private key) when given.
pub fn send_and_print_with(
    command: &str,
    request: &HttpRequest,
    dpop: Option<&SecretString>,
    endpoint: Endpoint,
    (json, env): (bool, &str),
) -> u8 {
    match send(request, dpop) {
        Ok(answer) => print_answer(command, &answer, endpoint, json),
        Err(message) => {
            let hint = if base_url(env) == LOCAL_ISSUER {
                "; for --env local, start the local issuer with `tokenbench serve` (or open the window)"
            } else {
                ""
            };
            eprintln!("tokenbench {command}: {}{hint}", escape::terminal(&message));
            EXIT_USAGE
        }
    }
}

fn send(request: &HttpRequest, dpop: Option<&SecretString>) -> Result<HttpAnswer, String> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("could not start the async runtime ({e}); check the process limits"))?;
    runtime
        .block_on(async {
            let client = http::client()?;
            match dpop {
                None => http::send(&client, request).await,
                Some(key) => send_with_proof(&client, request, key, &SystemClock, |_| {}).await,
            }
        })
        .map_err(|e: HttpError| e.to_string())
}

/// Prints an answer as `delegate` and `exchange` do; the exit status (0 on 2xx, else 1).
pub fn print_answer(command: &str, answer: &HttpAnswer, endpoint: Endpoint, json: bool) -> u8 {
    let read = read(answer, endpoint);
    let body = if json {
        format!(
            "{}\n",
            escape::json_text(&envelope(answer, read.json.clone()).to_string())
        )
    } else {
        shown_body(answer, read.json.as_ref())
    };
    if let Err(e) = super::write_stdout(body.as_bytes()) {
        eprintln!("tokenbench {command}: {e:#}");
        return EXIT_USAGE;
    }
    anstream::eprintln!("{}", color::status_line(answer.status, &status_line(answer)));
    for name in RATE_LIMIT_HEADERS {
        if let Some(value) = answer.header(name) {
            anstream::eprintln!("{}: {}", color::header_name(name), escape::terminal(value));
        }
    }
    if let Some(explanation) = &read.explanation {
        eprintln!("tokenbench {command}: {}", escape::terminal(explanation));
    }
    if answer.is_success() {
        EXIT_OK
    } else {
        EXIT_CHECK_FAILED
    }
}

/// `HTTP 200 OK in 12 ms`.
fn status_line(answer: &HttpAnswer) -> String {
    let reason = reqwest::StatusCode::from_u16(answer.status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("");
    format!("HTTP {} {reason} in {} ms", answer.status, answer.elapsed.as_millis())
}

/// The body as printed: pretty JSON, or its text line by line, escaped.
fn shown_body(answer: &HttpAnswer, json: Option<&Value>) -> String {
    match json.map(serde_json::to_string_pretty) {
        Some(Ok(pretty)) => format!("{}\n", escape::json_text(&pretty)),
        _ => String::from_utf8_lossy(&answer.body)
            .lines()
            .map(|line| format!("{}\n", escape::terminal(line)))
            .collect(),
    }
}

/// `{"status": 200, "headers": {"name": "value", …}, "body": JSON or text}`; repeated headers are joined with
/// `, `.
fn envelope(answer: &HttpAnswer, body: Option<Value>) -> Value {
    let mut headers = Map::new();
    for (name, value) in &answer.headers {
        let name = name.to_ascii_lowercase();
        let joined = match headers.get(&name).and_then(Value::as_str) {
            Some(previous) => format!("{previous}, {value}"),
            None => value.clone(),
        };
        headers.insert(name, Value::String(joined));
    }
    let body = body.unwrap_or_else(|| Value::String(String::from_utf8_lossy(&answer.body).into_owned()));
    serde_json::json!({ "status": answer.status, "headers": headers, "body": body })
}
