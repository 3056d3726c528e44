//! The `tokenbench` binary: parses the command line, then runs a subcommand or opens the window.

use clap::Parser;
use std::process::ExitCode;
use std::sync::Arc;
use tokenbench::cli::{self, Cli, Command, EXIT_USAGE};
use tokenbench::services::clock::{SystemClock, local_zone};
use tokenbench::services::storage::{Dirs, load_json};
use tokenbench::ui::{LaunchOptions, Settings};

fn main() -> ExitCode {
    let args = Cli::parse();
    cli::init_logging(args.verbose);
    match &args.command {
        Some(Command::Inspect(inspect)) => ExitCode::from(cli::inspect::run(inspect)),
        None => open_window(args),
    }
}

fn open_window(args: Cli) -> ExitCode {
    if !has_display() {
        eprintln!("{}", no_display_message());
        return ExitCode::from(EXIT_USAGE);
    }
    let dirs = Dirs::platform().ok();
    let settings_path = dirs.map(|d| d.settings_file());
    let now = jiff::Timestamp::now().as_second();
    let loaded = settings_path
        .as_deref()
        .map(|path| load_json::<Settings>(path, now))
        .unwrap_or(tokenbench::services::storage::Loaded {
            value: Settings::default(),
            recovered: None,
        });
    let options = LaunchOptions {
        settings: loaded.value,
        settings_notice: loaded.recovered,
        settings_path,
        tab: args.tab.map(Into::into),
        token: args.token,
        screenshot: args.screenshot,
        clock: Arc::new(SystemClock),
        zone: local_zone(),
    };
    match tokenbench::ui::run(options) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("tokenbench: the window could not open ({e}).\n{}", no_display_message());
            ExitCode::from(EXIT_USAGE)
        }
    }
}

fn has_display() -> bool {
    if !cfg!(target_os = "linux") {
        return true;
    }
    ["DISPLAY", "WAYLAND_DISPLAY"]
        .iter()
        .any(|v| std::env::var_os(v).is_some_and(|s| !s.is_empty()))
}

fn no_display_message() -> &'static str {
    "tokenbench: no display (neither DISPLAY nor WAYLAND_DISPLAY is set), so the window cannot open.\n\
     Without a display, use the command line:\n  \
     tokenbench inspect TOKEN [--secret S | --key FILE | --jwks-url URL | --discover] [--json]\n\
     Run `tokenbench --help` for every command."
}
