//! Pasting a curl command (Auth0's docs, a browser's "Copy as cURL", Postman or Bruno exports): split into
//! words by `shlex` (never by hand), read into URL, method, headers, body and Basic credentials, then mapped
//! onto the delegation or token-exchange form by [`to_delegation`] and [`to_exchange`]. Pure: nothing is
//! read from files and nothing is sent.

mod map;

pub use map::{Unmapped, UnmappedKind, to_delegation, to_exchange};

use crate::core::secret::SecretString;

/// The longest command read: a real one is a few KiB.
pub const MAX_COMMAND_BYTES: usize = 256 * 1024;

/// Why a command could not be read; each message says what to do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CurlParseError {
    /// Nothing but blanks.
    #[error("the command is empty: paste a curl command, e.g. curl https://TENANT.auth0.com/delegation -d …")]
    Empty,
    /// Over [`MAX_COMMAND_BYTES`].
    #[error("the command is over {} KiB: paste only the curl command", MAX_COMMAND_BYTES / 1024)]
    TooLarge,
    /// A quote is not closed, or the text ends in a lone backslash.
    #[error(
        "the command has an unclosed quote (or ends with a backslash): it was probably cut; copy the whole command \
         again"
    )]
    Unbalanced,
    /// The first word is not curl.
    #[error("this is not a curl command (it starts with \"{0}\"): paste a command that starts with curl")]
    NotCurl(String),
    /// A flag that takes a value ends the command.
    #[error("{0} needs a value, but the command ends after it: copy the whole command again")]
    MissingValue(String),
    /// No URL anywhere.
    #[error("the command has no URL: add the endpoint, e.g. https://TENANT.auth0.com/delegation")]
    NoUrl,
    /// `-d @file` and friends.
    #[error(
        "{0} reads the body from a file, which a pasted command does not carry: paste the body inline, e.g. \
         --data-raw '{{\"client_id\":\"…\"}}'"
    )]
    FromFile(String),
    /// `$'…'` quoting, which `shlex` does not read.
    #[error(
        "the command uses $'…' quoting (bash ANSI-C strings, as Chrome writes bodies with special characters), \
         which tokenbench does not read: rewrite that word with plain single quotes"
    )]
    AnsiCQuoting,
    /// Windows cmd `^"` quoting.
    #[error(
        "the command uses Windows cmd quoting (^\"): in the browser choose \"Copy as cURL (bash)\" instead of \
         \"(cmd)\""
    )]
    CmdQuoting,
}

/// A curl command, read. `Debug` names headers and the body size, never values.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct ParsedCurl {
    /// The URL as written.
    pub url: String,
    /// `-X`/`--request`, when given.
    pub method: Option<String>,
    /// `-H` headers in order, names and values trimmed.
    pub headers: Vec<(String, String)>,
    /// Each `-d`/`--data*`/`--json` part, in order (already URL-encoded for `--data-urlencode`).
    pub data: Vec<String>,
    /// `--json` was used (curl then sends `application/json`).
    pub json_flag: bool,
    /// `-u user:password`.
    pub user: Option<(String, SecretString)>,
    /// Flags read and deliberately ignored (`-s`, `--compressed`…).
    pub ignored: Vec<String>,
    /// Flags tokenbench does not understand; their values (if any) were skipped.
    pub unknown: Vec<String>,
    /// URLs after the first.
    pub extra_urls: Vec<String>,
}

impl std::fmt::Debug for ParsedCurl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = self.headers.iter().map(|(n, _)| n.as_str()).collect();
        f.debug_struct("ParsedCurl")
            .field("url", &self.url)
            .field("method", &self.method)
            .field("headers", &names)
            .field("body_bytes", &self.body().map(|b| b.len()))
            .finish_non_exhaustive()
    }
}

impl ParsedCurl {
    /// The method curl would use: `-X`, else POST when there is a body, else GET.
    pub fn method(&self) -> String {
        match (&self.method, self.data.is_empty()) {
            (Some(m), _) => m.to_ascii_uppercase(),
            (None, false) => "POST".to_owned(),
            (None, true) => "GET".to_owned(),
        }
    }

    /// The body curl would send: `-d` parts joined with `&` (as curl does), `--json` parts concatenated.
    pub fn body(&self) -> Option<String> {
        let separator = if self.json_flag { "" } else { "&" };
        (!self.data.is_empty()).then(|| self.data.join(separator))
    }

    /// The first header with this name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Flags without a value that change nothing tokenbench sends, with why.
const IGNORED: [(&str, &str, &str); 9] = [
    ("-s", "--silent", "output"),
    ("-S", "--show-error", "output"),
    ("-v", "--verbose", "output"),
    ("-i", "--include", "output"),
    ("-k", "--insecure", "TLS"),
    ("-L", "--location", "redirects"),
    ("", "--compressed", "encoding"),
    ("", "--http1.1", "protocol"),
    ("", "--http2", "protocol"),
];

/// Flags that take a value and are not mapped (the value is skipped with them).
const VALUED_UNKNOWN: [&str; 24] = [
    "-b",
    "--cookie",
    "-A",
    "--user-agent",
    "-e",
    "--referer",
    "-o",
    "--output",
    "-m",
    "--max-time",
    "--connect-timeout",
    "-x",
    "--proxy",
    "-F",
    "--form",
    "--oauth2-bearer",
    "-w",
    "--write-out",
    "--cacert",
    "--cert",
    "--key",
    "--resolve",
    "-c",
    "--cookie-jar",
];

/// Short flags whose value may be attached (`-XPOST`).
const SHORT_WITH_VALUE: &str = "XHdubAeomxFwc";

/// Reads a curl command.
pub fn parse(text: &str) -> Result<ParsedCurl, CurlParseError> {
    let words = split(text)?;
    let mut words = words.into_iter();
    match words.next() {
        None => return Err(CurlParseError::Empty),
        Some(first) if is_curl(&first) => {}
        Some(first) => return Err(CurlParseError::NotCurl(first)),
    }
    let mut parsed = ParsedCurl::default();
    while let Some(word) = words.next() {
        for (flag, attached) in expand(&word) {
            let mut value = || attached.clone().or_else(|| words.next());
            apply(&mut parsed, &flag, &mut value)?;
        }
    }
    if parsed.url.is_empty() {
        return Err(CurlParseError::NoUrl);
    }
    Ok(parsed)
}

/// Words as a POSIX shell splits them, after joining Windows `^` line continuations.
fn split(text: &str) -> Result<Vec<String>, CurlParseError> {
    if text.len() > MAX_COMMAND_BYTES {
        return Err(CurlParseError::TooLarge);
    }
    let text = text.replace("\r\n", "\n").replace("^\n", " ");
    if text.contains("^\"") {
        return Err(CurlParseError::CmdQuoting);
    }
    if has_ansi_c_word(&text) {
        return Err(CurlParseError::AnsiCQuoting);
    }
    let words = shlex::split(&text).ok_or(CurlParseError::Unbalanced)?;
    // `shlex` turns a ` \<newline>` continuation after a blank into an empty word; curl commands have no use
    // for empty words, so they are dropped.
    Ok(words.into_iter().filter(|w| !w.is_empty()).collect())
}

/// Whether a word starts with `$'` outside any quote: `shlex` itself decides whether the text before it is
/// balanced.
fn has_ansi_c_word(text: &str) -> bool {
    text.match_indices("$'").any(|(at, _)| {
        let before = &text[..at];
        let word_start = before.chars().next_back().is_none_or(char::is_whitespace);
        word_start && shlex::split(before).is_some()
    })
}

fn is_curl(word: &str) -> bool {
    let name = word.rsplit(['/', '\\']).next().unwrap_or(word);
    name.eq_ignore_ascii_case("curl") || name.eq_ignore_ascii_case("curl.exe")
}

/// `-sSL` → `-s`, `-S`, `-L`; `-XPOST` → (`-X`, `POST`); anything else as is.
fn expand(word: &str) -> Vec<(String, Option<String>)> {
    let Some(cluster) = word.strip_prefix('-').filter(|c| !c.is_empty() && !c.starts_with('-')) else {
        return vec![(word.to_owned(), None)];
    };
    let mut flags = Vec::new();
    for (i, c) in cluster.char_indices() {
        let rest = &cluster[i + c.len_utf8()..];
        if SHORT_WITH_VALUE.contains(c) {
            flags.push((format!("-{c}"), (!rest.is_empty()).then(|| rest.to_owned())));
            return flags;
        }
        flags.push((format!("-{c}"), None));
    }
    flags
}

fn apply(parsed: &mut ParsedCurl, flag: &str, value: &mut dyn FnMut() -> Option<String>) -> Result<(), CurlParseError> {
    let mut take = || value().ok_or_else(|| CurlParseError::MissingValue(flag.to_owned()));
    match flag {
        "-X" | "--request" => parsed.method = Some(take()?),
        "-H" | "--header" => header(parsed, &take()?),
        "-d" | "--data" | "--data-ascii" | "--data-binary" => parsed.data.push(not_a_file(flag, take()?)?),
        "--data-raw" => parsed.data.push(take()?),
        "--data-urlencode" => parsed.data.push(urlencode(flag, &take()?)?),
        "--json" => {
            parsed.data.push(not_a_file(flag, take()?)?);
            parsed.json_flag = true;
        }
        "-u" | "--user" => parsed.user = Some(credentials(&take()?)),
        "--url" => url(parsed, take()?),
        f if IGNORED.iter().any(|(short, long, _)| f == *short || f == *long) => parsed.ignored.push(f.to_owned()),
        f if VALUED_UNKNOWN.contains(&f) => {
            take()?;
            parsed.unknown.push(f.to_owned());
        }
        f if f.starts_with('-') && f.len() > 1 => parsed.unknown.push(f.to_owned()),
        _ => url(parsed, flag.to_owned()),
    }
    Ok(())
}

fn url(parsed: &mut ParsedCurl, url: String) {
    if parsed.url.is_empty() {
        parsed.url = url;
    } else {
        parsed.extra_urls.push(url);
    }
}

/// `Name: value`; `Name;` is curl's way to send an empty header.
fn header(parsed: &mut ParsedCurl, text: &str) {
    let (name, value) = match text.split_once(':') {
        Some((name, value)) => (name, value),
        None => (text.strip_suffix(';').unwrap_or(text), ""),
    };
    parsed.headers.push((name.trim().to_owned(), value.trim().to_owned()));
}

fn credentials(text: &str) -> (String, SecretString) {
    let (user, password) = text.split_once(':').unwrap_or((text, ""));
    (user.to_owned(), SecretString::new(password))
}

fn not_a_file(flag: &str, data: String) -> Result<String, CurlParseError> {
    if data.starts_with('@') {
        return Err(CurlParseError::FromFile(flag.to_owned()));
    }
    Ok(data)
}

/// `--data-urlencode`: `value`, `=value` or `name=value` (only the value is encoded); `@file` forms refused.
fn urlencode(flag: &str, data: &str) -> Result<String, CurlParseError> {
    let encode = |v: &str| url::form_urlencoded::byte_serialize(v.as_bytes()).collect::<String>();
    if let Some((name, value)) = data.split_once('=') {
        return Ok(if name.is_empty() {
            encode(value)
        } else {
            format!("{name}={}", encode(value))
        });
    }
    if data.contains('@') {
        return Err(CurlParseError::FromFile(flag.to_owned()));
    }
    Ok(encode(data))
}

#[cfg(test)]
mod tests;
