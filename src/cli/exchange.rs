//! `tokenbench exchange`: the native-social token exchange form on the command line. A client secret comes
//! only from an environment variable or the keyring, never from the arguments (other local users can read
//! those).

use super::EXIT_USAGE;
use super::input::token_arg;
use super::request::{self, env_help};
use crate::core::auth0::answer::Endpoint;
use crate::core::auth0::exchange::{DEFAULT_SCOPE, ExchangeForm, SubjectType};
use crate::core::escape;
use crate::core::secret::{KeyKind, SecretString};
use crate::services::secrets::{KeyringStore, SecretStore};
use anyhow::bail;
use clap::Args;

/// Arguments of `tokenbench exchange`. Deliberately not `Debug`: it holds a token.
#[derive(Args)]
pub struct ExchangeArgs {
    /// Where to send: `local` or the tenant's URL.
    #[arg(long, value_name = "URL|local", help = env_help())]
    pub env: String,
    /// The native application's client ID.
    #[arg(long, value_name = "ID")]
    pub client_id: String,
    /// The external token or code, or `-` to read it from standard input.
    #[arg(long, value_name = "TOKEN")]
    pub subject_token: String,
    /// apple (authorization code), facebook (session-info token), google (id token), or any URI.
    #[arg(long, value_name = "apple|facebook|google|URI")]
    pub subject_token_type: String,
    /// The API identifier to get an access token for.
    #[arg(long, value_name = "API", conflicts_with = "resource")]
    pub audience: Option<String>,
    /// Like --audience, sent as `resource` (tenants with the resource-parameter compatibility profile).
    #[arg(long, value_name = "API")]
    pub resource: Option<String>,
    /// Scope; an empty value sends none.
    #[arg(long, value_name = "SCOPE", default_value = DEFAULT_SCOPE)]
    pub scope: String,
    /// user_profile as a JSON object, e.g. '{"email":"a@b.c"}'.
    #[arg(long, value_name = "JSON")]
    pub user_profile: Option<String>,
    /// Apple: the user's first name (sent in user_profile.name).
    #[arg(long, value_name = "NAME")]
    pub first_name: Option<String>,
    /// Apple: the user's last name.
    #[arg(long, value_name = "NAME")]
    pub last_name: Option<String>,
    /// The end user's IP address, sent as the auth0-forwarded-for header.
    #[arg(long, value_name = "IP")]
    pub forwarded_for: Option<String>,
    /// Read the client secret from this environment variable.
    #[arg(long, value_name = "VAR", conflicts_with = "client_secret_item")]
    pub client_secret_env: Option<String>,
    /// Read the client secret from this keyring item (see `tokenbench secrets list`).
    #[arg(long, value_name = "NAME")]
    pub client_secret_item: Option<String>,
    /// Bind the tokens to a key with DPoP: a fresh ES256 proof for each request, signed with a P-256 key made
    /// for this run (or --dpop-key); a `use_dpop_nonce` answer is retried once with the server's nonce.
    #[arg(long)]
    pub dpop: bool,
    /// Sign the DPoP proofs with this keyring item (a P-256 private key, e.g. made with "Generate a DPoP key"
    /// in the window); implies --dpop.
    #[arg(long, value_name = "NAME")]
    pub dpop_key: Option<String>,
    /// Encoding, output and timeout.
    #[command(flatten)]
    pub send: request::SendArgs,
}

/// Runs the subcommand: 0 on a 2xx answer, 1 on an OAuth error answer, 2 on wrong flags or no answer.
pub fn run(args: &ExchangeArgs) -> u8 {
    let form = match form(args) {
        Ok(form) => form,
        Err(e) => {
            eprintln!("tokenbench exchange: {}", escape::terminal(&format!("{e:#}")));
            return EXIT_USAGE;
        }
    };
    let http = match form.validate(request::base_url(&args.env), request::timeout(args.send.timeout), None) {
        Ok(http) => http,
        Err(errors) => return request::report_field_errors("exchange", &errors, request::default_flag),
    };
    let key = match dpop_key(args) {
        Ok(key) => key,
        Err(e) => {
            eprintln!("tokenbench exchange: {}", escape::terminal(&format!("{e:#}")));
            return EXIT_USAGE;
        }
    };
    let output = (args.send.json, args.env.as_str());
    request::send_and_print_with("exchange", &http, key.as_ref(), Endpoint::Token, output)
}

/// The DPoP key the flags name: a keyring item, a key made for this run, or none. Its thumbprint (the
/// `cnf.jkt` the tokens will be bound to) goes to standard error.
fn dpop_key(args: &ExchangeArgs) -> anyhow::Result<Option<SecretString>> {
    let key = match &args.dpop_key {
        Some(item) => KeyringStore::open()?.get(item)?,
        None if args.dpop => crate::services::keygen::generate(KeyKind::P256)?,
        None => return Ok(None),
    };
    let jkt = crate::core::auth0::dpop::thumbprint(&key)?;
    eprintln!("DPoP key thumbprint (cnf.jkt): {jkt}");
    Ok(Some(key))
}

/// The form the flags fill, with a `-` token read from standard input and the secret from where it was named.
fn form(args: &ExchangeArgs) -> anyhow::Result<ExchangeForm> {
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    Ok(ExchangeForm {
        client_id: args.client_id.clone(),
        subject_type: subject_type(&args.subject_token_type),
        subject_token: token_arg(&args.subject_token, "--subject-token")?,
        audience: args
            .audience
            .clone()
            .or_else(|| args.resource.clone())
            .unwrap_or_default(),
        use_resource: args.resource.is_some(),
        scope: args.scope.clone(),
        first_name: text(&args.first_name),
        last_name: text(&args.last_name),
        profile_json: text(&args.user_profile),
        forwarded_for: text(&args.forwarded_for),
        client_secret: client_secret(args)?,
        encoding: args.send.encoding(),
    })
}

/// `apple`, `facebook`, `google`, or the URI as typed (the form checks that it is one).
fn subject_type(text: &str) -> SubjectType {
    match text.trim().to_ascii_lowercase().as_str() {
        "apple" => SubjectType::AppleCode,
        "facebook" => SubjectType::FacebookSession,
        "google" => SubjectType::GoogleIdToken,
        _ => SubjectType::Custom(text.trim().to_owned()),
    }
}

fn client_secret(args: &ExchangeArgs) -> anyhow::Result<Option<SecretString>> {
    if let Some(var) = &args.client_secret_env {
        return match std::env::var(var) {
            Ok(value) if !value.is_empty() => Ok(Some(SecretString::new(value))),
            _ => bail!(
                "--client-secret-env {var}: the variable is not set or empty; export it first (e.g. read -rs {var} \
                 && export {var})"
            ),
        };
    }
    let Some(item) = &args.client_secret_item else {
        return Ok(None);
    };
    let store = KeyringStore::open()?;
    Ok(Some(store.get(item)?))
}
