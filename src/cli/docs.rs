//! `tokenbench completions SHELL` and `tokenbench man`: shell completions and man pages generated from the
//! same clap definitions as the parser, so they cannot drift from it.
//!
//! Both are rendered in memory first and then written, so a closed pipe (`tokenbench man | head -1`) or a
//! full disk is a message and exit status 2, never a panic half-way through.

use super::{Cli, EXIT_OK, write_stdout};
use anyhow::{Context, bail};
use clap::{Args, CommandFactory};
use clap_complete::Shell;
use std::path::{Path, PathBuf};

/// What `tokenbench --help` and tokenbench(1) say about exit status; each subcommand has its own below, in
/// its `--help` and its man page.
pub const EXIT_STATUS: &str = "\
Exit status:
  0  success: every check asked for passed, or the server answered 2xx
  1  a check failed: a token failed verification, a server answered with
     an error, a keyring item is missing, capture entries were skipped
  2  wrong arguments, unreadable input, not a JWT, no answer from the
     server, or no display for the window";

/// The exit status of each subcommand, shown after its `--help` and as its man page's EXIT STATUS.
pub mod exit {
    /// `tokenbench inspect`.
    pub const INSPECT: &str = "\
Exit status:
  0  the token decodes and every check asked for passed (--lines, --scan:
     every token)
  1  a check failed (--lines, --scan: or a line is not a JWT)
  2  not a JWT, unreadable input or wrong arguments (--scan: no JWT found)";
    /// `tokenbench delegate` and `tokenbench exchange`.
    pub const REQUEST: &str = "\
Exit status:
  0  the server answered 2xx
  1  the server answered with an OAuth error
  2  wrong arguments, or no answer (for --env local, is the issuer running?)";
    /// `tokenbench login`.
    pub const LOGIN: &str = "\
Exit status:
  0  tokens were issued
  1  the tenant refused the sign-in (e.g. access_denied)
  2  wrong arguments, or the browser did not come back within --wait";
    /// `tokenbench secrets`.
    pub const SECRETS: &str = "\
Exit status:
  0  done
  1  the item does not exist
  2  the keyring cannot be reached, or wrong arguments";
    /// `tokenbench serve`.
    pub const SERVE: &str = "\
Exit status:
  0  stopped by a signal (Ctrl+C, SIGTERM)
  1  the server stopped with an error
  2  it could not start: wrong arguments, tenant file, or port in use";
    /// `tokenbench har`.
    pub const HAR: &str = "\
Exit status:
  0  the capture was read
  1  some entries were skipped (each is named on stderr)
  2  the file is unreadable, not HAR or truncated (entries before the cut
     are still listed)";
    /// `tokenbench mint`, `completions` and `man`.
    pub const WRITE: &str = "\
Exit status:
  0  written
  2  wrong arguments, or the output could not be written";
}

/// Arguments of `tokenbench completions`.
#[derive(Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: Shell,
}

/// Arguments of `tokenbench man`.
#[derive(Args)]
pub struct ManArgs {
    /// The subcommand whose page to print (e.g. `inspect`, `secrets list`); none: tokenbench(1).
    #[arg(value_name = "SUBCOMMAND", conflicts_with = "dir")]
    pub subcommand: Vec<String>,
    /// Write every page (tokenbench.1, tokenbench-inspect.1, …) into DIR instead of printing one.
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

/// Prints the completion script for `args.shell`.
pub fn run_completions(args: &CompletionsArgs) -> u8 {
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut Cli::command(), "tokenbench", &mut script);
    super::exit_status("completions", write_stdout(&script).map(|()| EXIT_OK))
}

/// Prints one man page, or writes them all with `--dir`.
pub fn run_man(args: &ManArgs) -> u8 {
    let result = match &args.dir {
        Some(dir) => write_all_pages(dir),
        None => page_for(&args.subcommand).and_then(|page| write_stdout(&page)),
    };
    super::exit_status("man", result.map(|()| EXIT_OK))
}

/// The whole command tree, built so that every subcommand knows its full name (`tokenbench-inspect`).
fn built_command() -> clap::Command {
    let mut command = Cli::command().disable_help_subcommand(true);
    command.build();
    command
}

/// The roff text of the page for `path` (`[]` for tokenbench itself, `["secrets", "list"]`, …).
fn page_for(path: &[String]) -> anyhow::Result<Vec<u8>> {
    let mut command = built_command();
    let mut exit_status = exit_status_of(&command, EXIT_STATUS);
    for name in path {
        let Some(sub) = command.find_subcommand(name).cloned() else {
            bail!(
                "\"{name}\" is not a subcommand of `{}`: run `tokenbench --help` for the list",
                command.get_display_name().unwrap_or("tokenbench")
            );
        };
        command = sub;
        exit_status = exit_status_of(&command, &exit_status);
    }
    render(command, &exit_status)
}

/// The exit status `command`'s help ends with, else its parent's (`secrets list` is `secrets`').
fn exit_status_of(command: &clap::Command, parent: &str) -> String {
    command
        .get_after_help()
        .map_or_else(|| parent.to_owned(), ToString::to_string)
}

/// One man page: clap_mangen's sections, with `exit_status` (the help's epilogue) as EXIT STATUS.
fn render(command: clap::Command, exit_status: &str) -> anyhow::Result<Vec<u8>> {
    let command = command.after_help(None::<&str>).after_long_help(None::<&str>);
    let mut page = Vec::new();
    clap_mangen::Man::new(command)
        .render(&mut page)
        .context("could not render the man page")?;
    let section = roff::Roff::new()
        .control("SH", ["EXIT STATUS"])
        .control("nf", [] as [&str; 0])
        .text([roff::roman(exit_status.trim_start_matches("Exit status:\n"))])
        .control("fi", [] as [&str; 0])
        .render();
    page.extend_from_slice(section.as_bytes());
    Ok(page)
}

/// Writes tokenbench.1 and one page per subcommand (hidden ones left out) into `dir`.
fn write_all_pages(dir: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("could not create {}", dir.display()))?;
    let mut pending = vec![(built_command(), EXIT_STATUS.to_owned())];
    while let Some((command, parent_exit_status)) = pending.pop() {
        let exit_status = exit_status_of(&command, &parent_exit_status);
        let visible = command.get_subcommands().filter(|s| !s.is_hide_set());
        pending.extend(visible.map(|sub| (sub.clone(), exit_status.clone())));
        let name = format!("{}.1", command.get_display_name().unwrap_or("tokenbench"));
        let path = dir.join(&name);
        crate::services::storage::write_atomic(&path, &render(command, &exit_status)?)
            .with_context(|| format!("could not write {}: check that the folder is writable", path.display()))?;
    }
    Ok(())
}
