//! `tokenbench inspect`: the inspector on the command line, with JSON output and meaningful exit codes.
//! Everything it prints or writes (report, JSON, Markdown file, errors) passes [`escape::for_output`].
//! `--lines` and `--scan` (many tokens, NDJSON) live in [`bulk`].

mod bulk;
mod parallel;

use super::input::{CappedReadError, MAX_STDIN_BYTES, read_capped};
use super::{EXIT_CHECK_FAILED, EXIT_OK, EXIT_USAGE};
use crate::core::escape::{self, Output};
use crate::core::jwt::analysis::{Analysis, analyse, not_a_jwt_message};
use crate::core::jwt::key::{KeyInput, KeyMaterial, MAX_KEY_TEXT_BYTES, parse_key};
use crate::core::jwt::report::{Style, json_report, report_lines, text_report};
use crate::core::jwt::{Expectations, Inspection, SignatureStatus};
use crate::services::clock::{Clock, SystemClock, local_zone};
use crate::services::{http, storage};
use anyhow::{Context, anyhow, bail};
use clap::Args;
use std::io::IsTerminal;
use std::path::PathBuf;

/// Arguments of `tokenbench inspect`.
/// Deliberately not `Debug`: it holds `--secret`.
#[derive(Args)]
#[command(group = clap::ArgGroup::new("key_source").multiple(false))]
pub struct InspectArgs {
    /// The token, or `-` (or nothing) to read standard input.
    pub token: Option<String>,
    /// HMAC secret as text (prefer --key FILE: arguments are visible to other local users).
    #[arg(long, group = "key_source", allow_hyphen_values = true)]
    pub secret: Option<String>,
    /// HMAC secret in base64 or base64url (Auth0 legacy secret_encoded).
    #[arg(long, group = "key_source", value_name = "SECRET", allow_hyphen_values = true)]
    pub secret_base64: Option<String>,
    /// File holding a PEM public key or certificate, a JWK or a JWKS.
    #[arg(long, group = "key_source", value_name = "FILE")]
    pub key: Option<PathBuf>,
    /// Fetch the JWKS from this URL.
    #[arg(long, group = "key_source", value_name = "URL")]
    pub jwks_url: Option<String>,
    /// Discover the JWKS from the issuer given with --iss (ISSUER + .well-known/openid-configuration).
    #[arg(long, group = "key_source")]
    pub discover: bool,
    /// Expected issuer (Auth0: https://TENANT/ with the trailing slash).
    #[arg(long, value_name = "ISSUER")]
    pub iss: Option<String>,
    /// Expected audience (client ID or API identifier).
    #[arg(long, value_name = "AUDIENCE")]
    pub aud: Option<String>,
    /// Allowed clock skew for exp and nbf.
    #[arg(
        long,
        value_name = "SECONDS",
        default_value_t = crate::core::jwt::verify::DEFAULT_LEEWAY_SECONDS,
        value_parser = clap::value_parser!(i64).range(0..=86_400)
    )]
    pub leeway: i64,
    /// Treat this Unix time as "now" for the time checks.
    #[arg(long, value_name = "UNIX_TIME", allow_negative_numbers = true)]
    pub at: Option<i64>,
    /// Print one JSON object instead of the readable report.
    #[arg(long)]
    pub json: bool,
    /// Also write a Markdown report (without the signature) to FILE.
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
    /// Inspect one token per line of FILE (`-` or nothing: standard input) and print one compact `--json`
    /// object per line (NDJSON), in input order; blank and non-JWT lines get an error object.
    #[arg(
        long,
        value_name = "FILE",
        num_args = 0..=1,
        default_missing_value = "-",
        conflicts_with_all = ["token", "report", "scan"]
    )]
    pub lines: Option<PathBuf>,
    /// Find every JWT in a log or ticket (FILE, or `-` for standard input) and print one JSON line per token:
    /// line, column, byte offset, the token's first 10 characters and its `--json` object.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["token", "report"])]
    pub scan: Option<PathBuf>,
    /// With --scan: also print each whole token (`"token"`). Tokens are credentials: mind where the output goes.
    #[arg(long, requires = "scan")]
    pub show_tokens: bool,
}

impl InspectArgs {
    fn has_key(&self) -> bool {
        self.secret.is_some()
            || self.secret_base64.is_some()
            || self.key.is_some()
            || self.jwks_url.is_some()
            || self.discover
    }

    fn has_expectation(&self) -> bool {
        self.has_key() || self.iss.is_some() || self.aud.is_some()
    }
}

/// Runs the subcommand and returns the exit status. Errors are printed on stderr with what to do.
pub fn run(args: &InspectArgs) -> u8 {
    super::exit_status("inspect", run_inner(args))
}

/// One message on stderr, escaped.
fn say(message: &str) {
    super::say("inspect", message);
}

/// What [`run_inner`] says when an issuer or audience is expected but no key was given.
const NO_KEY: &str = "signature not checked: give a key (--secret, --key, --jwks-url or --discover --iss)";

fn run_inner(args: &InspectArgs) -> anyhow::Result<u8> {
    if args.discover && args.iss.is_none() {
        bail!(
            "--discover needs --iss https://TENANT/: keys are only fetched from an issuer you name, never from the \
             one the token names itself"
        );
    }
    if args.lines.is_some() || args.scan.is_some() {
        return run_bulk(args);
    }
    let raw = read_token(args.token.as_deref())?;
    let settings = Settings::from_args(args)?;
    let analysis = settings.analyse(&raw);
    let zone = local_zone();
    if args.json {
        let json = serde_json::to_string_pretty(&json_report(&analysis))?;
        super::write_stdout(format!("{}\n", escape::for_output(&json, Output::Json)).as_bytes())?;
    } else {
        let lines = report_lines(&analysis, &zone, Style::Text);
        let shown: String = lines
            .iter()
            .map(|line| super::color::report_line(line) + "\n")
            .collect();
        super::write_stdout(shown.as_bytes())?;
    }
    if let Some(path) = &args.report {
        let markdown = text_report(&analysis, &zone, Style::Markdown);
        storage::write_atomic(path, escape::for_output(&markdown, Output::Lines).as_bytes())?;
        let shown = format!("report written to {}", path.display());
        eprintln!("{}", escape::for_output(&shown, Output::Line));
    }
    let expects_claims = args.iss.is_some() || args.aud.is_some();
    if expects_claims
        && analysis
            .verdict
            .as_ref()
            .is_some_and(|v| v.signature == SignatureStatus::Unchecked)
    {
        say(NO_KEY);
    }
    Ok(exit_code(&analysis, args.has_expectation()))
}

/// What every token of one run is analysed with: the key (loaded once), the expectations and "now".
struct Settings {
    key: Option<KeyMaterial>,
    expect: Expectations,
    now: i64,
    /// Whether a key, issuer or audience was given, so that a failed check counts.
    checked: bool,
    /// This run's number in the process, which tells the threads' copies of its key from another run's.
    run: usize,
}

/// Runs started in this process, for [`Settings::run`].
static RUNS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

impl Settings {
    fn from_args(args: &InspectArgs) -> anyhow::Result<Self> {
        Ok(Self {
            key: load_key(args)?,
            expect: Expectations {
                issuer: args.iss.clone(),
                audience: args.aud.clone(),
                leeway: args.leeway,
            },
            now: args.at.unwrap_or_else(|| SystemClock.now()),
            checked: args.has_expectation(),
            run: RUNS.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
        })
    }

    fn analyse(&self, raw: &str) -> Analysis {
        analyse(raw, self.key.as_ref(), &self.expect, self.now)
    }
}

fn run_bulk(args: &InspectArgs) -> anyhow::Result<u8> {
    let settings = Settings::from_args(args)?;
    if (args.iss.is_some() || args.aud.is_some()) && settings.key.is_none() {
        say(NO_KEY);
    }
    match (&args.lines, &args.scan) {
        (Some(source), _) => bulk::run_lines(source, &settings),
        (None, Some(source)) => bulk::run_scan(source, args.show_tokens, &settings),
        (None, None) => bail!("give --lines FILE or --scan FILE"),
    }
}

/// Whether the input is a JWT whose three segments decode.
fn decodes(analysis: &Analysis) -> bool {
    match &analysis.inspection {
        Inspection::Jwt(jwt) => jwt.first_error().is_none(),
        _ => false,
    }
}

fn exit_code(analysis: &Analysis, checked: bool) -> u8 {
    if !decodes(analysis) {
        match (&analysis.inspection, not_a_jwt_message(&analysis.inspection)) {
            (_, Some(message)) => say(&format!("not a JWT: {message}")),
            (Inspection::Jwt(jwt), None) => say(&format!(
                "the token does not decode: {}. Copy the whole token again: it may have been cut or changed",
                jwt.first_error().map(ToString::to_string).unwrap_or_default()
            )),
            _ => {}
        }
        return EXIT_USAGE;
    }
    if checked && !analysis.passed() {
        EXIT_CHECK_FAILED
    } else {
        EXIT_OK
    }
}

fn read_token(arg: Option<&str>) -> anyhow::Result<String> {
    match arg {
        Some(token) if token != "-" => Ok(token.to_owned()),
        _ => {
            let stdin = std::io::stdin();
            if stdin.is_terminal() {
                bail!(
                    "no token given: pass it as an argument (tokenbench inspect eyJ…) or pipe it (… | tokenbench inspect -)"
                );
            }
            read_capped(stdin.lock(), MAX_STDIN_BYTES).map_err(|e| match e {
                CappedReadError::TooLarge => {
                    anyhow!("standard input holds over 1 MiB: a token is a few KiB; pipe only the token")
                }
                CappedReadError::Io(e) => anyhow!("could not read the token from standard input: {e}"),
            })
        }
    }
}

fn load_key(args: &InspectArgs) -> anyhow::Result<Option<KeyMaterial>> {
    let input_error = |e: crate::core::jwt::key::KeyError| anyhow!("{e}");
    if let Some(secret) = &args.secret {
        return parse_key(KeyInput::SecretText(secret)).map(Some).map_err(input_error);
    }
    if let Some(secret) = &args.secret_base64 {
        return parse_key(KeyInput::SecretBase64(secret)).map(Some).map_err(input_error);
    }
    if let Some(path) = &args.key {
        let text = read_key_file(path)?;
        return parse_key(KeyInput::KeyText(&text))
            .map(Some)
            .map_err(|e| anyhow!("{}: {e}", path.display()));
    }
    let jwks = if let Some(url) = &args.jwks_url {
        block_on(async { http::fetch_jwks(&http::client()?, url).await })?
    } else if let (true, Some(issuer)) = (args.discover, &args.iss) {
        block_on(async { http::discover_jwks(&http::client()?, issuer).await })?
    } else {
        return Ok(None);
    };
    say(&format!("keys from {}", jwks.final_url));
    parse_key(KeyInput::KeyText(&jwks.jwks))
        .map(|material| Some(material.fetched_from(&jwks.final_url)))
        .map_err(input_error)
}

fn read_key_file(path: &std::path::Path) -> anyhow::Result<String> {
    let file = std::fs::File::open(path).with_context(|| {
        format!(
            "could not read the key file {}: give a PEM, JWK or JWKS file",
            path.display()
        )
    })?;
    read_capped(file, MAX_KEY_TEXT_BYTES).map_err(|e| match e {
        CappedReadError::TooLarge => anyhow!(
            "the key file {} is over 1 MiB: a PEM key, JWK or JWKS is a few KiB; check that this is the right file",
            path.display()
        ),
        CappedReadError::Io(e) => anyhow!(
            "could not read the key file {} ({e}): give a PEM, JWK or JWKS text file",
            path.display()
        ),
    })
}

fn block_on<T>(future: impl Future<Output = Result<T, http::FetchError>>) -> anyhow::Result<T> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("could not start the async runtime")?;
    Ok(runtime.block_on(future)?)
}
