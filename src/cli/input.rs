//! Reading a value from standard input for the subcommands, capped so that a wrong pipe cannot fill memory.

use anyhow::{anyhow, bail};
use std::io::{IsTerminal, Read};

/// The most a token read from standard input may hold: real tokens are a few KiB.
pub const MAX_STDIN_BYTES: usize = 1 << 20;

/// Why a capped read failed.
pub enum CappedReadError {
    /// More than the limit.
    TooLarge,
    /// The read itself failed (or the text is not UTF-8).
    Io(std::io::Error),
}

/// Reads UTF-8 text of at most `limit` bytes, without reading (much) more than that.
pub fn read_capped(reader: impl Read, limit: usize) -> Result<String, CappedReadError> {
    let mut text = String::new();
    let cap = u64::try_from(limit).unwrap_or(u64::MAX).saturating_add(1);
    reader
        .take(cap)
        .read_to_string(&mut text)
        .map_err(CappedReadError::Io)?;
    if text.len() > limit {
        return Err(CappedReadError::TooLarge);
    }
    Ok(text)
}

/// A token given as `flag VALUE`: the value itself, or standard input (trimmed) when it is `-`.
pub fn token_arg(value: &str, flag: &str) -> anyhow::Result<String> {
    if value != "-" {
        return Ok(value.to_owned());
    }
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        bail!(
            "{flag} - reads the token from standard input, but nothing is piped: pipe it (… | tokenbench … {flag} -)"
        );
    }
    let text = read_capped(stdin.lock(), MAX_STDIN_BYTES).map_err(|e| match e {
        CappedReadError::TooLarge => {
            anyhow!("standard input holds over 1 MiB: a token is a few KiB; pipe only the token for {flag}")
        }
        CappedReadError::Io(e) => anyhow!("could not read {flag} from standard input: {e}"),
    })?;
    Ok(text.trim().to_owned())
}
