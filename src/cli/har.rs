//! `tokenbench har FILE`: a browser's HAR capture read for support: a table (or NDJSON) of the entries with
//! the tokens each carried and the rate-limit headers, findings across entries, and a sanitised copy to share.
//! Everything printed passes [`escape::for_output`]. Exit status: 0 read, 1 some entries were skipped,
//! 2 the file is unreadable, not HAR or truncated (entries before the cut are still listed).

use super::{EXIT_CHECK_FAILED, EXIT_OK, EXIT_USAGE};
use crate::core::escape::{self, Output};
use crate::core::har::entry::{is_auth0_endpoint, rate_limit_cell};
use crate::core::har::findings::findings;
use crate::core::har::sanitize::sanitize;
use crate::core::har::tokens::lineage;
use crate::core::har::{Entry, HarEvent, read_har};
use crate::services::clock::local_zone;
use crate::services::storage;
use anyhow::Context;
use clap::Args;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// Arguments of `tokenbench har`.
#[derive(Args, Debug)]
pub struct HarArgs {
    /// The HAR file (the browser's network panel: "Save all as HAR").
    pub file: PathBuf,
    /// One JSON object per entry (NDJSON) instead of the table.
    #[arg(long)]
    pub json: bool,
    /// Only Auth0 endpoints: /authorize, /oauth/token, /delegation, /userinfo, /.well-known/*, /api/v2/*.
    #[arg(long)]
    pub auth0_only: bool,
    /// Only entries whose method, URL, status, headers, error or token names contain TEXT (any case).
    #[arg(long, value_name = "TEXT")]
    pub search: Option<String>,
    /// Also list problems across entries (expired, reused or misplaced tokens, 429s, clock skew) and lineage.
    #[arg(long)]
    pub findings: bool,
    /// Write a copy without signatures, secrets and cookies to OUT (-o) and list what was removed.
    #[arg(long, requires = "output")]
    pub sanitize: bool,
    /// Where --sanitize writes the copy (written whole or not at all).
    #[arg(short = 'o', long = "output", value_name = "OUT", requires = "sanitize")]
    pub output: Option<PathBuf>,
}

/// Runs the subcommand and returns the exit status.
pub fn run(args: &HarArgs) -> u8 {
    super::exit_status("har", run_inner(args))
}

/// One message on stderr, escaped.
fn say(message: &str) {
    super::say("har", message);
}

fn open(path: &Path) -> anyhow::Result<File> {
    File::open(path).with_context(|| {
        format!(
            "cannot open {}: check the path and that the file is readable",
            path.display()
        )
    })
}

fn run_inner(args: &HarArgs) -> anyhow::Result<u8> {
    let file = open(&args.file)?;
    match &args.output {
        Some(out) if args.sanitize => write_sanitized(file, &args.file, out),
        _ => list(file, args),
    }
}

/// The entries an invocation shows.
fn shown(args: &HarArgs, entry: &Entry) -> bool {
    (!args.auth0_only || is_auth0_endpoint(&entry.path)) && args.search.as_deref().is_none_or(|t| entry.matches(t))
}

fn list(file: File, args: &HarArgs) -> anyhow::Result<u8> {
    let mut out = BufWriter::new(std::io::stdout().lock());
    let zone = local_zone();
    let mut kept = Vec::new();
    let (mut total, mut skipped) = (0usize, 0usize);
    if !args.json {
        print_line(&mut out, &table_header())?;
    }
    let read = read_har(file, |event| {
        let HarEvent::Entry(index, value) = event else {
            return Ok(());
        };
        total += 1;
        let entry = match Entry::read(index, value) {
            Ok(entry) => entry,
            Err(e) => {
                say(&e.to_string());
                skipped += 1;
                return Ok(());
            }
        };
        if shown(args, &entry) {
            let line = if args.json {
                json_line(&entry)
            } else {
                table_row(&entry, &zone)
            };
            print_line(&mut out, &line).map_err(|e| format!("could not print: {e}"))?;
        }
        if args.findings {
            kept.push(entry);
        }
        Ok(())
    });
    if args.findings {
        print_findings(&mut out, &kept, args.json)?;
    }
    if !args.json {
        print_line(&mut out, &format!("{total} entries read, {skipped} skipped"))?;
    }
    out.flush()?;
    if let Err(e) = read {
        say(&format!("{}: {e}", args.file.display()));
        return Ok(EXIT_USAGE);
    }
    Ok(if skipped > 0 { EXIT_CHECK_FAILED } else { EXIT_OK })
}

/// Prints one line of untrusted text (a row, a JSON object), escaped.
fn print_line(out: &mut impl Write, line: &str) -> std::io::Result<()> {
    writeln!(out, "{}", escape::for_output(line, Output::Line))
}

fn table_header() -> String {
    format!(
        "{:<23}  {:<7} {:<48} {:>6}  {:<40} {}",
        "time", "method", "host+path", "status", "tokens (↑ sent, ↓ received)", "x-ratelimit"
    )
}

fn table_row(entry: &Entry, zone: &jiff::tz::TimeZone) -> String {
    let time = entry
        .started_ms
        .and_then(|ms| jiff::Timestamp::from_millisecond(ms).ok())
        .map_or_else(
            || "-".to_owned(),
            |at| at.to_zoned(zone.clone()).strftime("%Y-%m-%d %H:%M:%S%.3f").to_string(),
        );
    let tokens: Vec<String> = entry
        .tokens
        .iter()
        .map(|t| format!("{}{}", if t.is_sent() { "↑" } else { "↓" }, t.field()))
        .collect();
    let tokens = if tokens.is_empty() {
        "-".to_owned()
    } else {
        tokens.join(" ")
    };
    format!(
        "{time:<23}  {:<7} {:<48} {:>6}  {tokens:<40} {}",
        entry.method,
        format!("{}{}", entry.host, entry.path),
        entry.status,
        rate_limit_cell(&entry.rate_limit)
    )
}

fn json_line(entry: &Entry) -> String {
    serde_json::to_string(entry)
        .unwrap_or_else(|e| serde_json::json!({ "index": entry.index, "error": e.to_string() }).to_string())
}

fn print_findings(out: &mut impl Write, entries: &[Entry], json: bool) -> anyhow::Result<()> {
    let found = findings(entries);
    let links = lineage(entries);
    if json {
        for finding in &found {
            let line = serde_json::json!({ "finding": finding.kind.code(), "entries": finding.entries, "message": finding.message });
            print_line(out, &line.to_string())?;
        }
        for link in &links {
            print_line(out, &serde_json::json!({ "lineage": link }).to_string())?;
        }
        return Ok(());
    }
    print_line(out, &format!("findings: {}", found.len()))?;
    for finding in &found {
        print_line(out, &format!("  {finding}"))?;
    }
    print_line(out, &format!("lineage: {}", links.len()))?;
    for link in &links {
        print_line(out, &format!("  {link}"))?;
    }
    Ok(())
}

fn write_sanitized(file: File, input: &Path, output: &Path) -> anyhow::Result<u8> {
    let report = storage::write_atomic_with(output, |target| -> anyhow::Result<_> {
        let report = sanitize(file, BufWriter::new(target)).with_context(|| format!("{}", input.display()))?;
        Ok(report)
    })
    .with_context(|| format!("nothing was written to {}", output.display()))?;
    let mut out = BufWriter::new(std::io::stdout().lock());
    for removal in &report.removed {
        print_line(&mut out, &removal.to_string())?;
    }
    print_line(
        &mut out,
        &format!(
            "{} entries written to {}, {} values removed",
            report.entries,
            output.display(),
            report.removed.len()
        ),
    )?;
    out.flush()?;
    Ok(EXIT_OK)
}
