//! The command line: `tokenbench` opens the window; subcommands work without a display.

pub mod color;
pub mod delegate;
pub mod docs;
pub mod exchange;
pub mod har;
pub mod input;
pub mod inspect;
pub mod login;
pub mod mint;
pub mod request;
pub mod secrets;
pub mod serve;

use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// Exit status: success.
pub const EXIT_OK: u8 = 0;
/// Exit status: a check failed.
pub const EXIT_CHECK_FAILED: u8 = 1;
/// Exit status: the input is not a token, or the arguments are wrong.
pub const EXIT_USAGE: u8 = 2;

/// One message of `tokenbench COMMAND` on stderr, escaped: it may quote a token, a capture or a fetched
/// document.
pub(crate) fn say(command: &str, message: &str) {
    let shown = crate::core::escape::for_output(message, crate::core::escape::Output::Line);
    eprintln!("tokenbench {command}: {shown}");
}

/// Writes `bytes` to standard output (through anstream, which drops colour codes where colour is off); a
/// closed pipe or a full disk becomes an error that says so, never a panic.
pub(crate) fn write_stdout(bytes: &[u8]) -> anyhow::Result<()> {
    use anyhow::Context;
    use std::io::Write;
    let mut stdout = anstream::stdout().lock();
    stdout
        .write_all(bytes)
        .and_then(|()| stdout.flush())
        .context("could not write to standard output (was the pipe closed?): redirect it to a file instead")
}

/// The exit status of a subcommand's run: its own, or [`EXIT_USAGE`] after saying what went wrong.
pub(crate) fn exit_status(command: &str, result: anyhow::Result<u8>) -> u8 {
    result.unwrap_or_else(|e| {
        say(command, &format!("{e:#}"));
        EXIT_USAGE
    })
}

/// tokenbench: inspect, verify, delegate and exchange Auth0 tokens.
#[derive(Parser)]
#[command(
    name = "tokenbench",
    version = env!("TOKENBENCH_VERSION"),
    about,
    long_about = None,
    after_help = docs::EXIT_STATUS
)]
pub struct Cli {
    /// Open the window on this tab.
    #[arg(long, value_enum)]
    pub tab: Option<TabArg>,
    /// Open the inspector with this token.
    #[arg(long, value_name = "JWT")]
    pub token: Option<String>,
    /// Save a PNG of the window after the first frames and exit (for documentation and tests).
    #[arg(long, value_name = "PATH")]
    pub screenshot: Option<PathBuf>,
    /// Open the guided demo and play its first N steps on the local issuer (0: only open it), as a presenter
    /// would click them, then show --tab if given; with --screenshot, the picture waits for them.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u8).range(0..=7))]
    pub demo: Option<u8>,
    /// More logging: -v for debug, -vv for trace (RUST_LOG overrides).
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,
    /// Colour the output: auto (on a terminal, unless NO_COLOR is set), always or never.
    #[arg(long, value_name = "WHEN", value_enum, default_value_t, global = true)]
    pub color: color::ColorWhen,
    /// A subcommand; without one, the window opens.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Subcommands.
#[derive(Subcommand)]
pub enum Command {
    /// Decode, explain and verify a token.
    #[command(after_help = docs::exit::INSPECT)]
    Inspect(inspect::InspectArgs),
    /// Send a legacy /delegation request and print the answer.
    #[command(after_help = docs::exit::REQUEST)]
    Delegate(delegate::DelegateArgs),
    /// Send a native-social token exchange (POST /oauth/token) and print the answer.
    #[command(after_help = docs::exit::REQUEST)]
    Exchange(exchange::ExchangeArgs),
    /// Sign in through the browser (authorization code with PKCE, loopback redirect) and print the tokens.
    #[command(after_help = docs::exit::LOGIN)]
    Login(login::LoginArgs),
    /// Manage tokenbench's items in the OS keyring.
    #[command(subcommand, after_help = docs::exit::SECRETS)]
    Secrets(secrets::SecretsCommand),
    /// Run the local issuer, an offline Auth0-like tenant (/delegation, /oauth/token, JWKS, discovery).
    #[command(after_help = docs::exit::SERVE)]
    Serve(serve::ServeArgs),
    /// Read a browser's HAR capture: entries, tokens, rate limits, findings; write a sanitised copy.
    #[command(after_help = docs::exit::HAR)]
    Har(har::HarArgs),
    /// Mint ID tokens, simulated Apple codes, Facebook tokens and Google id tokens for a tenant, or any JWT.
    #[command(subcommand, after_help = docs::exit::WRITE)]
    Mint(mint::MintCommand),
    /// Print the completion script for a shell (bash, zsh, fish, elvish, powershell).
    #[command(after_help = docs::exit::WRITE)]
    Completions(docs::CompletionsArgs),
    /// Print the man page (or a subcommand's), or write them all with --dir.
    #[command(after_help = docs::exit::WRITE)]
    Man(docs::ManArgs),
}

/// The window's tabs, as named on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TabArg {
    /// Legacy /delegation requests.
    Delegation,
    /// Native-social token exchange.
    TokenExchange,
    /// The embedded local issuer.
    LocalIssuer,
    /// Decode, explain and verify tokens.
    Inspector,
    /// Rate-limit gauges and timeline.
    RateLimits,
    /// Keyring items.
    Secrets,
    /// Past requests.
    History,
    /// HAR captures opened for support.
    Captures,
}

impl From<TabArg> for crate::ui::Tab {
    fn from(arg: TabArg) -> Self {
        use crate::ui::Tab;
        use TabArg as A;
        match arg {
            A::Delegation => Tab::Delegation,
            A::TokenExchange => Tab::TokenExchange,
            A::LocalIssuer => Tab::LocalIssuer,
            A::Inspector => Tab::Inspector,
            A::RateLimits => Tab::RateLimits,
            A::Secrets => Tab::Secrets,
            A::History => Tab::History,
            A::Captures => Tab::Captures,
        }
    }
}

/// `NAME=VALUE` for `--param`; the value may be empty, the name may not.
pub fn parse_param(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((name, value)) if !name.trim().is_empty() => Ok((name.trim().to_owned(), value.to_owned())),
        _ => Err(format!(
            "\"{text}\" is not NAME=VALUE: write e.g. --param role=arn:aws:iam::1:role/r"
        )),
    }
}

/// Sets up logging: `RUST_LOG` wins; otherwise warnings, or more with `-v`/`-vv`.
///
/// An `EnvFilter` is built only when `RUST_LOG` is set: the fixed defaults are plain per-target levels, which
/// need no directive parsing on every start of `tokenbench inspect`.
pub fn init_logging(verbose: u8) {
    use tracing_subscriber::filter::{LevelFilter, Targets};
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;
    let output = tracing_subscriber::fmt::layer().with_writer(std::io::stderr);
    let registry = tracing_subscriber::registry().with(output);
    if std::env::var_os("RUST_LOG").is_some()
        && let Ok(filter) = tracing_subscriber::EnvFilter::try_from_default_env()
    {
        let _ = registry.with(filter).try_init();
        return;
    }
    let filter = match verbose {
        0 => Targets::new().with_default(LevelFilter::WARN),
        1 => Targets::new()
            .with_target("tokenbench", LevelFilter::DEBUG)
            .with_default(LevelFilter::INFO),
        _ => Targets::new()
            .with_target("tokenbench", LevelFilter::TRACE)
            .with_default(LevelFilter::DEBUG),
    };
    let _ = registry.with(filter).try_init();
}
