//! `tokenbench serve`: runs the local issuer until SIGINT or SIGTERM, printing one "listening" line on
//! stdout and one line per request on stderr. `--admin` turns on the admin routes (signing-key rotation and
//! revocation as the Management API, rate-limit bucket reset), whose token is printed on stderr or taken from
//! `TOKENBENCH_ADMIN_TOKEN`. With `--clock simulated` (which implies `--admin`) the issuer's clock stands still
//! until moved through them.

use super::{EXIT_OK, EXIT_USAGE};
use crate::core::tenant::{DEMO_TENANT, Loaded, parse};
use crate::services::clock::{Clock, DemoClock, SystemClock};
use crate::services::issuer::admin::{Admin, TOKEN_VARIABLE, checked_token};
use crate::services::issuer::{IssuerConfig, RequestRecord, start};
use crate::services::secrets::open_store;
use clap::{Args, ValueEnum};
use std::io::Write;
use std::net::IpAddr;
use std::path::PathBuf;
use std::sync::Arc;

/// Arguments of `tokenbench serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Port to listen on; 0 picks a free one.
    #[arg(long, default_value_t = crate::core::protocol::DEFAULT_ISSUER_PORT)]
    pub port: u16,
    /// Address to bind. Anything but loopback exposes the issuer to the network.
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: IpAddr,
    /// Tenant file (JSON, Auth0 Management API names); the demo tenant when left out.
    #[arg(long, value_name = "FILE")]
    pub tenant: Option<PathBuf>,
    /// The issuer's clock: `real`, or `simulated` (frozen at start, moved with POST /admin/clock; implies
    /// --admin).
    #[arg(long, value_enum, default_value_t = ClockMode::Real)]
    pub clock: ClockMode,
    /// Turn on the admin routes for callers on this machine: /api/v2/keys/signing (list, rotate, revoke) and
    /// /admin/buckets/reset. Their token is printed on stderr, or is the value of TOKENBENCH_ADMIN_TOKEN.
    #[arg(long)]
    pub admin: bool,
    /// The URL clients reach the issuer at when it is not a loopback address (a tunnel, a proxy or --bind):
    /// tokens carry it as `iss`, and its host is accepted in the Host header besides loopback names.
    #[arg(long, value_name = "URL", value_parser = public_url)]
    pub public_url: Option<url::Url>,
}

/// `--public-url`: an http(s) origin, nothing after the host and port.
fn public_url(text: &str) -> Result<url::Url, String> {
    let url = url::Url::parse(text).map_err(|e| format!("not a URL ({e}): write e.g. https://issuer.example"))?;
    let bare = url.path() == "/" && url.query().is_none() && url.fragment().is_none() && url.username().is_empty();
    match url.scheme() {
        "http" | "https" if bare && url.host_str().is_some() => Ok(url),
        _ => Err("give only the scheme, host and port, e.g. https://issuer.example:8443".to_owned()),
    }
}

/// Which clock `serve` runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ClockMode {
    /// The machine's clock.
    Real,
    /// Frozen at start; the admin routes move it and reset the rate-limit buckets.
    Simulated,
}

/// The clock and, when simulated, the handle the admin routes move it with.
fn clock(mode: ClockMode) -> (Arc<dyn Clock>, Option<Arc<DemoClock>>) {
    match mode {
        ClockMode::Real => (Arc::new(SystemClock), None),
        ClockMode::Simulated => {
            let clock = DemoClock::following(Arc::new(SystemClock));
            clock.freeze();
            (clock.clone(), Some(clock))
        }
    }
}

/// The admin access, when asked for or implied by a simulated clock; its token from [`TOKEN_VARIABLE`] if set.
fn admin(asked: bool, simulated: Option<Arc<DemoClock>>) -> Result<Option<Admin>, String> {
    if !asked && simulated.is_none() {
        return Ok(None);
    }
    let admin = Admin::new(simulated);
    match std::env::var(TOKEN_VARIABLE) {
        Ok(value) => Ok(Some(admin.with_token(checked_token(value)?))),
        Err(std::env::VarError::NotPresent) => Ok(Some(admin)),
        Err(std::env::VarError::NotUnicode(_)) => Err(format!(
            "{TOKEN_VARIABLE} is not valid UTF-8: set it to visible ASCII characters, or unset it"
        )),
    }
}

/// Runs the issuer; returns the exit status.
pub fn run(args: &ServeArgs) -> u8 {
    let loaded = match load_tenant(args.tenant.as_deref()) {
        Ok(l) => l,
        Err(message) => {
            eprintln!("tokenbench serve: {message}");
            return EXIT_USAGE;
        }
    };
    for warning in &loaded.warnings {
        eprintln!("tokenbench serve: warning: {warning}");
    }
    if !args.bind.is_loopback() {
        eprintln!(
            "tokenbench serve: warning: binding {} makes this test issuer reachable from other machines; \
             its keys and users are not protected",
            args.bind
        );
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("tokenbench serve: cannot start the async runtime: {e}");
            return EXIT_USAGE;
        }
    };
    runtime.block_on(serve(args, loaded))
}

fn load_tenant(path: Option<&std::path::Path>) -> Result<Loaded, String> {
    let text = match path {
        None => DEMO_TENANT.to_owned(),
        Some(p) => {
            std::fs::read_to_string(p).map_err(|e| format!("cannot read the tenant file {}: {e}", p.display()))?
        }
    };
    parse(&text).map_err(|e| e.to_string())
}

async fn serve(args: &ServeArgs, loaded: Loaded) -> u8 {
    let (store, keyring_error) = tokio::task::spawn_blocking(open_store)
        .await
        .unwrap_or_else(|_| (Arc::new(crate::services::secrets::MemoryStore::default()), None));
    if let Some(e) = keyring_error {
        tracing::debug!("keyring unavailable: {e}");
    }
    let (clock, simulated) = clock(args.clock);
    let admin = match admin(args.admin, simulated) {
        Ok(admin) => admin,
        Err(message) => {
            eprintln!("tokenbench serve: {message}");
            return EXIT_USAGE;
        }
    };
    let admin_token = admin.as_ref().map(|a| a.token().clone());
    let config = IssuerConfig {
        bind: args.bind,
        port: args.port,
        admin,
        public_url: args.public_url.clone(),
        ..IssuerConfig::new(loaded.tenant)
    };
    let sink = Arc::new(|record: RequestRecord| eprintln!("{}", record.line()));
    let handle = match start(config, store, clock, sink).await {
        Ok(h) => h,
        Err(e) => {
            eprintln!("tokenbench serve: {e}");
            return EXIT_USAGE;
        }
    };
    for note in &handle.notes {
        eprintln!("tokenbench serve: {note}");
    }
    let mut stdout = std::io::stdout();
    let _ = writeln!(stdout, "tokenbench issuer listening on {}", handle.base_url());
    let _ = stdout.flush();
    match admin_token {
        Some(_) if std::env::var_os(TOKEN_VARIABLE).is_some() => {
            eprintln!("tokenbench serve: admin routes on; the admin token is the value of {TOKEN_VARIABLE}");
        }
        Some(token) => eprintln!("tokenbench admin token: {}", token.expose()),
        None => {}
    }
    wait_for_signal().await;
    eprintln!("tokenbench serve: stopping");
    match handle.stop().await {
        Ok(()) => EXIT_OK,
        Err(e) => {
            eprintln!("tokenbench serve: the server stopped with an error: {e}");
            super::EXIT_CHECK_FAILED
        }
    }
}

#[cfg(unix)]
async fn wait_for_signal() {
    use tokio::signal::unix::{SignalKind, signal};
    match signal(SignalKind::terminate()) {
        Ok(mut term) => {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
        }
        Err(_) => {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}

#[cfg(not(unix))]
async fn wait_for_signal() {
    let _ = tokio::signal::ctrl_c().await;
}
