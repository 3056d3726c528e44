//! `tokenbench inspect`: the inspector on the command line, with JSON output and meaningful exit codes.

use super::{EXIT_CHECK_FAILED, EXIT_OK, EXIT_USAGE};
use crate::core::jwt::analysis::{Analysis, analyse, not_a_jwt_message};
use crate::core::jwt::key::{KeyInput, KeyMaterial, parse_key};
use crate::core::jwt::report::{Style, json_report, text_report};
use crate::core::jwt::{Expectations, Inspection, input::inspect};
use crate::services::clock::{Clock, SystemClock, local_zone};
use crate::services::{http, storage};
use anyhow::{Context, anyhow, bail};
use clap::Args;
use std::io::{IsTerminal, Read};
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
    /// Discover the JWKS from the token's iss (iss + .well-known/openid-configuration).
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
    match run_inner(args) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("tokenbench inspect: {e:#}");
            EXIT_USAGE
        }
    }
}

fn run_inner(args: &InspectArgs) -> anyhow::Result<u8> {
    let raw = read_token(args.token.as_deref())?;
    let key = load_key(args, &raw)?;
    let expect = Expectations {
        issuer: args.iss.clone(),
        audience: args.aud.clone(),
        leeway: args.leeway,
    };
    let now = args.at.unwrap_or_else(|| SystemClock.now());
    let analysis = analyse(&raw, key.as_ref(), &expect, now);
    let zone = local_zone();
    if args.json {
        println!("{}", serde_json::to_string_pretty(&json_report(&analysis))?);
    } else {
        print!("{}", text_report(&analysis, &zone, Style::Text));
    }
    if let Some(path) = &args.report {
        storage::write_atomic(path, text_report(&analysis, &zone, Style::Markdown).as_bytes())?;
        eprintln!("report written to {}", path.display());
    }
    Ok(exit_code(&analysis, args.has_expectation()))
}

fn exit_code(analysis: &Analysis, checked: bool) -> u8 {
    let decodes = match &analysis.inspection {
        Inspection::Jwt(jwt) => jwt.first_error().is_none(),
        _ => false,
    };
    if !decodes {
        match (&analysis.inspection, not_a_jwt_message(&analysis.inspection)) {
            (_, Some(message)) => eprintln!("tokenbench inspect: not a JWT: {message}"),
            (Inspection::Jwt(jwt), None) => eprintln!(
                "tokenbench inspect: the token does not decode: {}. Copy the whole token again: it may have been \
                 cut or changed",
                jwt.first_error().map(ToString::to_string).unwrap_or_default()
            ),
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
            let mut text = String::new();
            stdin
                .lock()
                .read_to_string(&mut text)
                .context("could not read the token from standard input")?;
            Ok(text)
        }
    }
}

fn load_key(args: &InspectArgs, raw: &str) -> anyhow::Result<Option<KeyMaterial>> {
    let input_error = |e: crate::core::jwt::key::KeyError| anyhow!("{e}");
    if let Some(secret) = &args.secret {
        return parse_key(KeyInput::SecretText(secret)).map(Some).map_err(input_error);
    }
    if let Some(secret) = &args.secret_base64 {
        return parse_key(KeyInput::SecretBase64(secret)).map(Some).map_err(input_error);
    }
    if let Some(path) = &args.key {
        let text = std::fs::read_to_string(path).with_context(|| {
            format!(
                "could not read the key file {}: give a PEM, JWK or JWKS file",
                path.display()
            )
        })?;
        return parse_key(KeyInput::KeyText(&text))
            .map(Some)
            .map_err(|e| anyhow!("{}: {e}", path.display()));
    }
    let jwks = if let Some(url) = &args.jwks_url {
        block_on(async { http::fetch_jwks(&http::client()?, url).await })?
    } else if args.discover {
        let issuer = match &args.iss {
            Some(expected) => expected.clone(),
            None => {
                eprintln!(
                    "tokenbench inspect: warning: --discover without --iss fetches keys from the issuer the token \
                     names itself, so a forged token can point at its own keys; add --iss https://TENANT/"
                );
                issuer_of(raw)?
            }
        };
        block_on(async { http::discover_jwks(&http::client()?, &issuer).await })?
    } else {
        return Ok(None);
    };
    eprintln!("tokenbench inspect: keys from {}", jwks.final_url);
    parse_key(KeyInput::KeyText(&jwks.jwks)).map(Some).map_err(input_error)
}

fn issuer_of(raw: &str) -> anyhow::Result<String> {
    match inspect(raw) {
        Inspection::Jwt(jwt) => jwt
            .claim_str("iss")
            .map(str::to_owned)
            .ok_or_else(|| anyhow!("--discover needs an iss claim, and this token has none: use --jwks-url or --key")),
        _ => bail!("--discover needs a JWT"),
    }
}

fn block_on<T>(future: impl Future<Output = Result<T, http::FetchError>>) -> anyhow::Result<T> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("could not start the async runtime")?;
    Ok(runtime.block_on(future)?)
}
