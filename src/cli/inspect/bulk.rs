//! `tokenbench inspect --lines` and `--scan`: many tokens in one run, one JSON line each (NDJSON), with the
//! key loaded (and a JWKS fetched) once and the tokens analysed on every core.
//!
//! `--lines`: line N of the output is what `tokenbench inspect LINE_N --json` prints, written compactly:
//! the same bytes with the whitespace between JSON tokens removed (what `jq -c` gives), then one `\n`. A
//! blank or non-JWT line gets its own error object; no line is skipped.
//!
//! `--scan`: one line per JWT found (see [`crate::core::jwt::scan`]):
//! `{"line":…,"column":…,"offset":…,"token_prefix":"eyJhbGciOi…","result":{…}}`, where `result` is the
//! `--json` object. Only the first 10 characters of the token (part of its header, never a claim or the
//! signature) are shown; `--show-tokens` adds the whole token as `"token"`.
//!
//! Exit status: 0 when every line (or found token) decodes and passes the requested checks, 1 when any
//! fails a check or is not a JWT, 2 for unreadable input, wrong arguments, or a scan that finds no JWT.

use super::parallel::lines::{StreamError, render_lines_in_order};
use super::parallel::render_in_order;
use super::{Settings, decodes, say};
use crate::cli::{EXIT_CHECK_FAILED, EXIT_OK, EXIT_USAGE};
use crate::core::jwt::analysis::{Analysis, analyse_with};
use crate::core::jwt::decode::HeaderCache;
use crate::core::jwt::key::KeyMaterial;
use crate::core::jwt::report::json_report;
use crate::core::jwt::report_json::{LineCache, push_compact, push_json_line};
use crate::core::jwt::scan::{FoundToken, find_jwts};
use anyhow::{Context, anyhow, bail};
use serde_json::json;
use std::cell::RefCell;
use std::hash::{Hash, Hasher};
use std::io::{IsTerminal, Read, Write};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The most text `--lines` or `--scan` reads: 100,000 tokens are about 100 MiB.
const MAX_BULK_BYTES: usize = 1 << 30;
/// Characters of a found token shown without `--show-tokens`.
const PREFIX_CHARS: usize = 10;

/// What a rendering thread keeps from the tokens before: its own copy of the run's key, the last header
/// decoded, and the parts of `--lines` reports serialised.
#[derive(Default)]
struct Caches {
    /// The key of the run with this number, unshared (see [`KeyMaterial::unshared`]).
    key: Option<(usize, Option<KeyMaterial>)>,
    headers: HeaderCache,
    lines: LineCache,
}

impl Caches {
    /// Analyses one of many tokens with this thread's copy of the key; a header equal to the last one is not
    /// decoded again.
    fn analyse(&mut self, settings: &Settings, raw: &str) -> Analysis {
        let key = match &mut self.key {
            Some((run, key)) if *run == settings.run => key,
            slot => {
                &mut slot
                    .insert((settings.run, settings.key.as_ref().map(KeyMaterial::unshared)))
                    .1
            }
        };
        analyse_with(
            raw,
            key.as_ref(),
            &settings.expect,
            settings.now,
            Some(&mut self.headers),
        )
    }
}

thread_local! {
    static CACHES: RefCell<Caches> = RefCell::new(Caches::default());
}

/// Shards of a [`Tally`]: more than the cores that count at once, so that two threads rarely share one.
const SHARDS: usize = 8;

/// Counts of passed, failed and not-a-JWT results of the threads whose id falls in this shard, alone on
/// their cache line: cores counting every token in one shared counter would take the line from each other.
#[derive(Default)]
#[repr(align(128))]
struct Shard([AtomicUsize; 3]);

/// How many results passed or failed, counted from every core.
#[derive(Default)]
struct Tally {
    shards: [Shard; SHARDS],
}

impl Tally {
    fn count(&self, analysis: &Analysis, checked: bool) {
        let kind = if !decodes(analysis) {
            2
        } else if checked && !analysis.passed() {
            1
        } else {
            0
        };
        let mut hasher = std::hash::DefaultHasher::new();
        std::thread::current().id().hash(&mut hasher);
        let shard = usize::try_from(hasher.finish() % SHARDS as u64).unwrap_or_default();
        self.shards[shard].0[kind].fetch_add(1, Ordering::Relaxed);
    }

    /// Passed, failed a check, not a JWT.
    fn totals(&self) -> [usize; 3] {
        [0, 1, 2].map(|kind| self.shards.iter().map(|s| s.0[kind].load(Ordering::Relaxed)).sum())
    }

    fn exit_code(&self) -> u8 {
        let [_, failed, not_jwt] = self.totals();
        if failed + not_jwt == 0 {
            EXIT_OK
        } else {
            EXIT_CHECK_FAILED
        }
    }

    fn summary(&self, what: &str) -> String {
        let [passed, failed, not_jwt] = self.totals();
        format!("{what}: {passed} passed, {failed} failed a check, {not_jwt} not a JWT or broken")
    }
}

/// `--lines`: one result per input line, in order, read as it is rendered (see [`super::parallel::lines`]).
pub fn run_lines(source: &Path, settings: &Settings) -> anyhow::Result<u8> {
    let shown = shown_source(source);
    let input = open_input(source, &shown)?;
    let tally = Tally::default();
    let render = |line: &str, out: &mut Vec<u8>| {
        CACHES.with_borrow_mut(|caches| {
            let analysis = caches.analyse(settings, line);
            tally.count(&analysis, settings.checked);
            push_json_line(&analysis, out, &mut caches.lines);
        });
    };
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::with_capacity(1 << 16, stdout.lock());
    let limit = u64::try_from(MAX_BULK_BYTES).unwrap_or(u64::MAX);
    let lines = match render_lines_in_order(input, render, &mut out, limit) {
        Ok(lines) => lines,
        Err(StreamError::Read(e)) => bail!(read_error(&shown, &e)),
        Err(StreamError::TooLarge) => bail!(too_large(&shown)),
        Err(StreamError::Write(e)) => return Err(e).context(WRITE_ERROR),
    };
    out.flush().context(WRITE_ERROR)?;
    say(&tally.summary(&format!("{lines} lines")));
    Ok(tally.exit_code())
}

/// `--scan`: one result per JWT found in the text, in order of position.
pub fn run_scan(source: &Path, show_tokens: bool, settings: &Settings) -> anyhow::Result<u8> {
    let text = read_input(source)?;
    let found = find_jwts(&text);
    if found.is_empty() {
        say(&format!(
            "no JWT found in {}: a JWT is three base64url segments (eyJ….….…) whose header has \"alg\"",
            shown_source(source)
        ));
        return Ok(EXIT_USAGE);
    }
    let tally = Tally::default();
    let render = |found: &FoundToken<'_>, out: &mut Vec<u8>| {
        let analysis = CACHES.with_borrow_mut(|caches| caches.analyse(settings, found.token));
        tally.count(&analysis, settings.checked);
        push_compact(&scan_line(found, &analysis, show_tokens), out);
    };
    write_all(&found, render)?;
    say(&tally.summary(&format!("{} tokens found", found.len())));
    Ok(tally.exit_code())
}

fn scan_line(found: &FoundToken<'_>, analysis: &Analysis, show_tokens: bool) -> serde_json::Value {
    let prefix: String = found.token.chars().take(PREFIX_CHARS).collect();
    let mut line = json!({
        "line": found.line,
        "column": found.column,
        "offset": found.offset,
        "token_prefix": format!("{prefix}…"),
    });
    if show_tokens {
        line["token"] = found.token.into();
    }
    line["result"] = json_report(analysis);
    line
}

const WRITE_ERROR: &str = "could not write the results to standard output";

fn write_all<T: Sync>(items: &[T], render: impl Fn(&T, &mut Vec<u8>) + Sync) -> anyhow::Result<()> {
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::with_capacity(1 << 16, stdout.lock());
    render_in_order(items, render, &mut out)
        .and_then(|()| out.flush())
        .context(WRITE_ERROR)
}

fn shown_source(source: &Path) -> String {
    if source == Path::new("-") {
        "standard input".to_owned()
    } else {
        source.display().to_string()
    }
}

/// FILE, or standard input for `-`, opened for reading.
fn open_input(source: &Path, shown: &str) -> anyhow::Result<Box<dyn Read>> {
    if source != Path::new("-") {
        let file = std::fs::File::open(source)
            .with_context(|| format!("could not open {shown}: give a readable text file, or - for standard input"))?;
        return Ok(Box::new(file));
    }
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        bail!("nothing is piped to standard input: give a FILE, or pipe the text (… | tokenbench inspect --lines -)");
    }
    Ok(Box::new(stdin.lock()))
}

/// The text of FILE, or of standard input for `-`. Bytes that are not UTF-8 become U+FFFD.
fn read_input(source: &Path) -> anyhow::Result<String> {
    let shown = shown_source(source);
    let mut bytes = Vec::new();
    let cap = u64::try_from(MAX_BULK_BYTES).unwrap_or(u64::MAX).saturating_add(1);
    open_input(source, &shown)?
        .take(cap)
        .read_to_end(&mut bytes)
        .map_err(|e| anyhow!(read_error(&shown, &e)))?;
    if bytes.len() > MAX_BULK_BYTES {
        bail!(too_large(&shown));
    }
    Ok(match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    })
}

fn read_error(shown: &str, e: &std::io::Error) -> String {
    format!("could not read {shown} ({e}): give a readable text file, or - for standard input")
}

fn too_large(shown: &str) -> String {
    format!("{shown} holds over 1 GiB: split it (split -l 100000 FILE) and inspect the parts")
}
