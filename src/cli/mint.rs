//! `tokenbench mint …`: ID tokens and simulated native-social artifacts for a tenant, signed with the secrets
//! `tokenbench serve` resolves for it, and `mint jwt` for any claims with any algorithm. Prints one line.

use super::{EXIT_OK, EXIT_USAGE};
use crate::core::escape;
use crate::core::issuer::artifacts::{DEMO_APPLE_SUB, DEMO_FACEBOOK_ID, DEMO_GOOGLE_SUB, sealed_artifact};
use crate::core::issuer::social::{Opaque, google_id_token};
use crate::core::issuer::{Ctx, Issuer, Secrets, SigningKey};
use crate::core::secret::SecretString;
use crate::core::sign;
use crate::core::tenant::check::{
    client_secret_path, google_signing_key_path, secret_slots, signing_key_path, social_artifact_key_path,
};
use crate::core::tenant::{DEMO_TENANT, SecretSlot, SecretSpec, Tenant, parse};
use crate::services::clock::{Clock, SystemClock};
use crate::services::issuer::random_token;
use crate::services::issuer::resolve::resolve_slots;
use crate::services::secrets::{KeyringStore, MemoryStore, SecretStore, open_store};
use clap::{Args, Subcommand};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Largest `--claims @FILE` read.
const MAX_CLAIMS_FILE: u64 = 1024 * 1024;

/// `tokenbench mint …`.
#[derive(Debug, Subcommand)]
pub enum MintCommand {
    /// An ID token for a user of the tenant, as the issuer would sign it for the client.
    IdToken(IdTokenArgs),
    /// A simulated Sign in with Apple authorization code (valid 5 minutes, single use).
    AppleCode(AppleArgs),
    /// A simulated Facebook session-info access token (valid 1 hour, single use).
    FacebookToken(FacebookArgs),
    /// A simulated Google id token (RS256, valid 1 hour).
    GoogleIdToken(GoogleArgs),
    /// Any claims, signed with any algorithm and a key from the keyring or an HMAC secret from the environment.
    Jwt(JwtArgs),
}

/// The tenant whose secrets sign.
#[derive(Debug, Args)]
pub struct TenantArg {
    /// Tenant file (as for `tokenbench serve`); the demo tenant when left out.
    #[arg(long, value_name = "FILE")]
    pub tenant: Option<PathBuf>,
}

/// `mint id-token`.
#[derive(Debug, Args)]
pub struct IdTokenArgs {
    /// The client (audience).
    #[arg(long, value_name = "CLIENT_ID")]
    pub client: String,
    /// The user, by user_id, e.g. auth0|alice.
    #[arg(long, value_name = "USER_ID")]
    pub user: String,
    /// The issuer's base URL, as `tokenbench serve` prints it (its `iss` is this plus a slash).
    #[arg(long, value_name = "URL", default_value = crate::core::protocol::LOCAL_ISSUER_URL)]
    pub issuer: String,
    /// Which user claims to include.
    #[arg(long, default_value = "openid profile email")]
    pub scope: String,
    /// The tenant whose secrets sign.
    #[command(flatten)]
    pub tenant: TenantArg,
}

/// `mint apple-code`.
#[derive(Debug, Args)]
pub struct AppleArgs {
    /// Apple's user ID (`sub`).
    #[arg(long, default_value = DEMO_APPLE_SUB)]
    pub sub: String,
    /// The email Apple vouches for.
    #[arg(long)]
    pub email: Option<String>,
    /// The tenant whose secrets sign.
    #[command(flatten)]
    pub tenant: TenantArg,
}

/// `mint facebook-token`.
#[derive(Debug, Args)]
pub struct FacebookArgs {
    /// Facebook's user ID.
    #[arg(long, default_value = DEMO_FACEBOOK_ID)]
    pub id: String,
    /// The tenant whose secrets sign.
    #[command(flatten)]
    pub tenant: TenantArg,
}

/// `mint google-id-token`.
#[derive(Debug, Args)]
pub struct GoogleArgs {
    /// Google's user ID (`sub`).
    #[arg(long, default_value = DEMO_GOOGLE_SUB)]
    pub sub: String,
    /// The user's email (verified).
    #[arg(long)]
    pub email: Option<String>,
    /// The tenant whose secrets sign.
    #[command(flatten)]
    pub tenant: TenantArg,
}

/// `mint jwt`.
#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("key_source").required(true).args(["key", "secret_env"])))]
pub struct JwtArgs {
    /// HS256, HS384, HS512, RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384 or EdDSA.
    #[arg(long)]
    pub alg: String,
    /// Keyring item holding the PEM private key (or the HMAC secret).
    #[arg(long, value_name = "NAME")]
    pub key: Option<String>,
    /// Environment variable holding the HMAC secret (never pass a secret as an argument).
    #[arg(long, value_name = "VAR")]
    pub secret_env: Option<String>,
    /// The claims: a JSON object, or @FILE to read one.
    #[arg(long, value_name = "JSON|@FILE")]
    pub claims: String,
    /// `kid` for the header.
    #[arg(long)]
    pub kid: Option<String>,
}

/// Runs the subcommand: prints the artifact and returns 0, or says what to do and returns 2.
pub fn run(command: &MintCommand) -> u8 {
    let result = match command {
        MintCommand::IdToken(args) => id_token(args),
        MintCommand::AppleCode(args) => opaque(&args.tenant, Opaque::AppleCode, &args.sub, args.email.as_deref()),
        MintCommand::FacebookToken(args) => opaque(&args.tenant, Opaque::FacebookToken, &args.id, None),
        MintCommand::GoogleIdToken(args) => google(args),
        MintCommand::Jwt(args) => jwt(args),
    };
    match result {
        Ok(artifact) => super::exit_status(
            "mint",
            super::write_stdout(format!("{artifact}\n").as_bytes()).map(|()| EXIT_OK),
        ),
        Err(message) => {
            eprintln!("tokenbench mint: {}", escape::terminal(&message));
            EXIT_USAGE
        }
    }
}

fn load_tenant(arg: &TenantArg) -> Result<Tenant, String> {
    let text = match &arg.tenant {
        None => DEMO_TENANT.to_owned(),
        Some(p) => {
            std::fs::read_to_string(p).map_err(|e| format!("cannot read the tenant file {}: {e}", p.display()))?
        }
    };
    parse(&text).map(|l| l.tenant).map_err(|e| e.to_string())
}

/// Resolves only the named secrets of the tenant, from the same references `serve` uses.
fn secrets(tenant: &Tenant, paths: &[String]) -> Result<Secrets, String> {
    let slots: Vec<SecretSlot> = secret_slots(tenant)
        .into_iter()
        .filter(|s| paths.contains(&s.path))
        .collect();
    let needs_store = slots.iter().any(|s| !matches!(s.spec, SecretSpec::Env(_)));
    let (store, keyring_error): (Arc<dyn SecretStore>, _) = if needs_store {
        open_store()
    } else {
        (Arc::new(MemoryStore::default()), None)
    };
    if let Some(error) = keyring_error
        && let Some(slot) = slots.iter().find(|s| matches!(s.spec, SecretSpec::Keyring(_)))
    {
        return Err(format!("{} is a keyring item, but {error}", slot.path));
    }
    if !store.is_persistent() {
        for slot in slots.iter().filter(|s| s.spec == SecretSpec::Generate) {
            eprintln!(
                "tokenbench mint: warning: no OS keyring is reachable, so {} was generated for this run only. A \
                 `tokenbench serve` accepts this artifact only if it shares the secret: reference it as \
                 {{\"env\": \"VAR\"}} in the tenant file and export VAR for both commands",
                slot.path
            );
        }
    }
    let resolved = resolve_slots(slots, store.as_ref(), &|var| std::env::var(var).ok())
        .map_err(|errors| format!("the tenant's secrets could not be resolved:\n  {}", errors.join("\n  ")))?;
    Ok(resolved.secrets)
}

fn id_token(args: &IdTokenArgs) -> Result<String, String> {
    let tenant = load_tenant(&args.tenant)?;
    let client = tenant.client(&args.client).cloned().ok_or_else(|| {
        let known: Vec<&str> = tenant.clients.iter().map(|c| c.client_id.as_str()).collect();
        format!(
            "no client \"{}\" in the tenant. Choose from: {}",
            args.client,
            known.join(", ")
        )
    })?;
    let user = tenant.user(&args.user).cloned().ok_or_else(|| {
        let known: Vec<&str> = tenant.users.iter().map(|u| u.user_id.as_str()).collect();
        format!(
            "no user \"{}\" in the tenant. Choose from: {}",
            args.user,
            known.join(", ")
        )
    })?;
    let mut paths = vec![signing_key_path()];
    if client.jwt_configuration.alg == crate::core::tenant::SigningAlg::HS256 {
        paths.push(client_secret_path(&client.client_id));
    }
    let secrets = secrets(&tenant, &paths)?;
    let pem = secrets.get(&signing_key_path()).cloned().unwrap_or_default();
    let key = SigningKey::from_pem(&pem, "the tenant signing_key").map_err(|e| e.to_string())?;
    let issuer = Issuer::new(tenant, secrets, key).map_err(|e| e.to_string())?;
    let scopes: Vec<String> = args.scope.split_whitespace().map(str::to_owned).collect();
    let extra = crate::core::issuer::claims::scoped_claims(
        &scopes,
        &crate::core::issuer::claims::user_attributes(&user),
        crate::core::tenant::ProfileScope::Oidc,
    );
    let random = random_token;
    let ctx = Ctx {
        now: SystemClock.now(),
        base_url: args.issuer.trim_end_matches('/'),
        ip: "127.0.0.1",
        random: &random,
        dpop: None,
        origin: None,
    };
    issuer
        .id_token(&client, &user.user_id, extra, &ctx)
        .map_err(|e| e.description)
}

fn opaque(arg: &TenantArg, kind: Opaque, sub: &str, email: Option<&str>) -> Result<String, String> {
    let tenant = load_tenant(arg)?;
    let secrets = secrets(&tenant, &[social_artifact_key_path()])?;
    let key = secrets.get(&social_artifact_key_path()).cloned().unwrap_or_default();
    let aud = match kind {
        Opaque::AppleCode => tenant.settings.apple_client_id.clone(),
        Opaque::FacebookToken => tenant.settings.facebook_app_id.clone(),
    };
    let nonce = random_token();
    let sealed = sealed_artifact(
        key.expose().as_bytes(),
        kind,
        &aud,
        (sub, email),
        SystemClock.now(),
        nonce,
    );
    Ok(sealed)
}

fn google(args: &GoogleArgs) -> Result<String, String> {
    let tenant = load_tenant(&args.tenant)?;
    let secrets = secrets(&tenant, &[google_signing_key_path()])?;
    let pem = secrets.get(&google_signing_key_path()).cloned().unwrap_or_default();
    let key = SigningKey::from_pem(&pem, "the tenant google_signing_key").map_err(|e| e.to_string())?;
    let client = &tenant.settings.google_client_id;
    google_id_token(&key, client, &args.sub, args.email.as_deref(), SystemClock.now()).map_err(|e| e.to_string())
}

fn jwt(args: &JwtArgs) -> Result<String, String> {
    let alg = sign::parse_alg(&args.alg).map_err(|e| e.to_string())?;
    let claims = sign::parse_claims(&claims_text(&args.claims)?).map_err(|e| e.to_string())?;
    let key = match (&args.key, &args.secret_env) {
        (_, Some(var)) => {
            if !sign::is_hmac(alg) {
                return Err(format!(
                    "--secret-env holds an HMAC secret, which {} cannot use: use --key NAME with a PEM private key \
                     in the keyring (tokenbench secrets set NAME < key.pem)",
                    args.alg
                ));
            }
            let value = std::env::var(var).map_err(|_| format!("environment variable {var} is not set: export it"))?;
            SecretString::new(value)
        }
        (Some(name), None) => {
            let store = KeyringStore::open().map_err(|e| e.to_string())?;
            store.get(name).map_err(|e| e.to_string())?
        }
        (None, None) => return Err("give --key NAME or --secret-env VAR".to_owned()),
    };
    sign::sign(alg, &key, &claims, args.kid.as_deref()).map_err(|e| e.to_string())
}

fn claims_text(arg: &str) -> Result<String, String> {
    let Some(path) = arg.strip_prefix('@') else {
        return Ok(arg.to_owned());
    };
    let path = Path::new(path);
    let size = std::fs::metadata(path)
        .map_err(|e| format!("cannot read the claims file {}: {e}", path.display()))?
        .len();
    if size > MAX_CLAIMS_FILE {
        return Err(format!("the claims file {} is larger than 1 MiB", path.display()));
    }
    std::fs::read_to_string(path).map_err(|e| format!("cannot read the claims file {}: {e}", path.display()))
}
