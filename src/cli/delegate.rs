//! `tokenbench delegate`: the `/delegation` form on the command line. The same core form validates the flags
//! into the exact request the window sends; the answer is printed by [`super::request`].

use super::input::token_arg;
use super::request::{self, env_help};
use super::{EXIT_USAGE, parse_param};
use crate::core::auth0::answer::Endpoint;
use crate::core::auth0::delegation::{DelegationForm, InputToken};
use crate::core::escape;
use clap::Args;

/// Arguments of `tokenbench delegate`. Deliberately not `Debug`: it holds a token.
#[derive(Args)]
#[command(group = clap::ArgGroup::new("input_token").required(true).multiple(false))]
pub struct DelegateArgs {
    /// Where to send: `local` or the tenant's URL.
    #[arg(long, value_name = "URL|local", help = env_help())]
    pub env: String,
    /// The calling application's client ID.
    #[arg(long, value_name = "ID")]
    pub client_id: String,
    /// The caller's ID token, or `-` to read it from standard input.
    #[arg(long, value_name = "TOKEN", group = "input_token")]
    pub id_token: Option<String>,
    /// A legacy refresh token, or `-` to read it from standard input.
    #[arg(long, value_name = "TOKEN", group = "input_token")]
    pub refresh_token: Option<String>,
    /// The target client ID (default: the caller).
    #[arg(long, value_name = "ID")]
    pub target: Option<String>,
    /// Scope; an empty value sends none.
    #[arg(long, value_name = "SCOPE", default_value = "openid")]
    pub scope: String,
    /// api_type: app, firebase, azure_blob, azure_sb, aws, … (default: the target's add-on, else app).
    #[arg(long, value_name = "TYPE")]
    pub api_type: Option<String>,
    /// An add-on parameter, e.g. --param role=arn:aws:iam::1:role/r (repeatable).
    #[arg(long = "param", value_name = "NAME=VALUE", value_parser = parse_param)]
    pub params: Vec<(String, String)>,
    /// Encoding, output and timeout.
    #[command(flatten)]
    pub send: request::SendArgs,
}

/// Runs the subcommand: 0 on a 2xx answer, 1 on an OAuth error answer, 2 on wrong flags or no answer.
pub fn run(args: &DelegateArgs) -> u8 {
    let form = match form(args) {
        Ok(form) => form,
        Err(e) => {
            eprintln!("tokenbench delegate: {}", escape::terminal(&format!("{e:#}")));
            return EXIT_USAGE;
        }
    };
    let flag = |field: &str| match field {
        "token" => format!("--{}", form.input.param().replace('_', "-")),
        other => request::default_flag(other),
    };
    match form.validate(request::base_url(&args.env), request::timeout(args.send.timeout)) {
        Ok(http) => request::send_and_print("delegate", &http, Endpoint::Delegation, args.send.json, &args.env),
        Err(errors) => request::report_field_errors("delegate", &errors, flag),
    }
}

/// The form the flags fill, with a `-` token read from standard input.
fn form(args: &DelegateArgs) -> anyhow::Result<DelegationForm> {
    let (input, token) = match (&args.id_token, &args.refresh_token) {
        (Some(token), _) => (InputToken::IdToken, token_arg(token, "--id-token")?),
        (None, Some(token)) => (InputToken::RefreshToken, token_arg(token, "--refresh-token")?),
        (None, None) => anyhow::bail!("give --id-token TOKEN or --refresh-token TOKEN"),
    };
    Ok(DelegationForm {
        client_id: args.client_id.clone(),
        input,
        token,
        target: args.target.clone().unwrap_or_default(),
        scope: args.scope.clone(),
        api_type: args.api_type.clone().unwrap_or_default(),
        params: args.params.clone(),
        encoding: args.send.encoding(),
        ..DelegationForm::default()
    })
}
