//! `tokenbench login`: signs in through the system browser with the authorization code flow and PKCE, on a
//! loopback redirect (RFC 8252), against the local issuer or a real tenant, and prints the token answer.

use super::request::{self, env_help};
use super::{EXIT_CHECK_FAILED, EXIT_USAGE};
use crate::core::auth0::answer::Endpoint;
use crate::core::auth0::login::{DEFAULT_SCOPE, LoginRequest};
use crate::core::escape;
use crate::services::login::{Listener, LoginError, Opener, sign_in};
use clap::Args;
use std::time::Duration;

/// Arguments of `tokenbench login`.
#[derive(Debug, Args)]
pub struct LoginArgs {
    /// Where to sign in: `local` or the tenant's URL.
    #[arg(long, value_name = "URL|local", help = env_help())]
    pub env: String,
    /// The application's client ID; its callbacks must allow http://127.0.0.1/callback on any port (the local
    /// tenant's demo-spa does) or the exact port given with --port.
    #[arg(long, value_name = "ID")]
    pub client_id: String,
    /// The API identifier to get an access token for.
    #[arg(long, value_name = "API")]
    pub audience: Option<String>,
    /// Scope; must contain openid.
    #[arg(long, value_name = "SCOPE", default_value = DEFAULT_SCOPE)]
    pub scope: String,
    /// Print the URL to open instead of opening a browser.
    #[arg(long)]
    pub no_browser: bool,
    /// How long to wait for the browser to come back.
    #[arg(long, value_name = "SECONDS", default_value_t = 300, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub wait: u64,
    /// Print one JSON object {"status","headers","body"} instead of the pretty body.
    #[arg(long)]
    pub json: bool,
}

/// Runs the command; the exit status: 0 tokens, 1 a refusal, 2 bad arguments or no answer.
pub fn run(args: &LoginArgs) -> u8 {
    let request = LoginRequest {
        base_url: request::base_url(&args.env).to_owned(),
        client_id: args.client_id.clone(),
        audience: args.audience.clone(),
        scope: args.scope.clone(),
    };
    let login = match request.validate() {
        Ok(login) => login,
        Err(errors) => return request::report_field_errors("login", &errors, request::default_flag),
    };
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("tokenbench login: could not start the async runtime ({e}); check the process limits");
            return EXIT_USAGE;
        }
    };
    let opener = if args.no_browser { Opener::Print } else { Opener::System };
    let result = runtime.block_on(async {
        let listener = Listener::bind().await?;
        eprintln!("Waiting for the browser at {}", listener.redirect_uri);
        let show = |url: &str| eprintln!("Open this URL to sign in:\n{}", escape::terminal(url));
        sign_in(&login, listener, opener, Duration::from_secs(args.wait), show).await
    });
    match result {
        Ok(answer) => request::print_answer("login", &answer, Endpoint::Token, args.json),
        Err(error @ LoginError::Callback(_)) => {
            eprintln!("tokenbench login: {}", escape::terminal(&error.to_string()));
            EXIT_CHECK_FAILED
        }
        Err(error) => {
            let hint = if request::base_url(&args.env) == request::LOCAL_ISSUER {
                "; for --env local, start the local issuer with `tokenbench serve` (or open the window)"
            } else {
                ""
            };
            eprintln!("tokenbench login: {}{hint}", escape::terminal(&error.to_string()));
            EXIT_USAGE
        }
    }
}
