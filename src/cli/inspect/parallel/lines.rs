//! `--lines` read as it is rendered: the calling thread reads the input in small parts of whole lines and
//! writes the finished parts in order while the workers render the next ones (see [`super::pipeline`]); the
//! input is never held whole.
//!
//! A worker takes a part, which ends after a `\n`, turns it into text (bytes that are not UTF-8
//! become U+FFFD; a `\n` never belongs to a multi-byte character, so this is what reading the whole input
//! would give) and renders its lines (`str::lines`: `\n` or `\r\n` ends a line).

use super::cores;
use super::pipeline::render_parts_in_order;
use std::borrow::Cow;
use std::io::{self, Read, Write};

/// Input bytes read for one part: about a hundred tokens, so that the cores finish together.
const PART_BYTES: usize = 64 << 10;

/// Why streaming stopped.
#[derive(Debug, thiserror::Error)]
pub enum StreamError {
    /// The input could not be read.
    #[error("{0}")]
    Read(io::Error),
    /// The output could not be written.
    #[error("{0}")]
    Write(io::Error),
    /// More input than the limit.
    #[error("the input is over the limit")]
    TooLarge,
}

/// Calls `render` on every line of `input`, on all cores, writes what it appended to `out` in input order,
/// and returns how many lines there were. At most `limit` bytes are read.
pub fn render_lines_in_order(
    input: impl Read,
    render: impl Fn(&str, &mut Vec<u8>) + Sync,
    out: &mut impl Write,
    limit: u64,
) -> Result<usize, StreamError> {
    let mut reader = PartReader {
        input,
        carry: Vec::new(),
        read: 0,
        limit,
    };
    let mut lines = 0;
    render_parts_in_order(
        cores(),
        |spare| reader.next_part(spare.unwrap_or_default()),
        |part: &Vec<u8>, text| render_part(part, text, &render),
        |done| {
            lines += done.count;
            out.write_all(&done.text).map_err(StreamError::Write)
        },
    )?;
    Ok(lines)
}

/// Renders the lines of `part` into `text`; returns how many there were.
fn render_part(part: &[u8], text: &mut Vec<u8>, render: &impl Fn(&str, &mut Vec<u8>)) -> usize {
    // The common case, valid UTF-8, is checked by the faster validation without copying.
    let lines = std::str::from_utf8(part).map_or_else(|_| String::from_utf8_lossy(part), Cow::Borrowed);
    each_line(&lines, |line| render(line, text))
}

/// Calls `f` on every line of `text` as `str::lines` splits it (`\n` or `\r\n` ends a line; a last line
/// needs no ending), finding the `\n`s with memchr's vector search; returns how many lines there were.
fn each_line(text: &str, mut f: impl FnMut(&str)) -> usize {
    let mut start = 0;
    let mut count = 0;
    for newline in memchr::memchr_iter(b'\n', text.as_bytes()) {
        // A `\n` is a character of its own, so both ends are character boundaries.
        let line = text.get(start..newline).unwrap_or_default();
        f(line.strip_suffix('\r').unwrap_or(line));
        start = newline + 1;
        count += 1;
    }
    if let Some(last) = text.get(start..).filter(|rest| !rest.is_empty()) {
        f(last);
        count += 1;
    }
    count
}

/// The input in parts of whole lines.
struct PartReader<R> {
    input: R,
    /// What was read after the last `\n` of the previous part.
    carry: Vec<u8>,
    read: u64,
    limit: u64,
}

impl<R: Read> PartReader<R> {
    /// The next part, in `buffer`: about [`PART_BYTES`] ending after a `\n`, or the rest of the input at
    /// its end; `None` when nothing is left.
    fn next_part(&mut self, mut buffer: Vec<u8>) -> Result<Option<Vec<u8>>, StreamError> {
        buffer.clear();
        buffer.append(&mut self.carry);
        loop {
            let want = PART_BYTES.saturating_sub(buffer.len()).max(PART_BYTES / 4);
            let before = buffer.len();
            buffer.resize(before + want, 0);
            let got = fill(&mut self.input, buffer.get_mut(before..).unwrap_or_default()).map_err(StreamError::Read)?;
            buffer.truncate(before + got);
            self.read = self.read.saturating_add(u64::try_from(got).unwrap_or(u64::MAX));
            if self.read > self.limit {
                return Err(StreamError::TooLarge);
            }
            if got == 0 {
                return Ok((!buffer.is_empty()).then_some(buffer));
            }
            if let Some(last) = buffer[before..].iter().rposition(|&b| b == b'\n') {
                self.carry = buffer.split_off(before + last + 1);
                return Ok(Some(buffer));
            }
        }
    }
}

/// Reads into `buffer` until it is full or the input ends; returns how many bytes were read. One read a part
/// for a file, where `read_to_end` would start small and double (four reads for 64 KiB).
fn fill(input: &mut impl Read, buffer: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while let Some(rest) = buffer.get_mut(filled..).filter(|rest| !rest.is_empty()) {
        match input.read(rest) {
            Ok(0) => break,
            Ok(read) => filled += read,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reads at most 7 bytes a call, so lines and parts are cut anywhere, and is interrupted (by a signal, as
    /// a pipe can be) every third call.
    struct Trickle<'a>(&'a [u8], usize);

    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            self.1 += 1;
            if self.1.is_multiple_of(3) {
                return Err(io::ErrorKind::Interrupted.into());
            }
            let n = buf.len().min(7).min(self.0.len());
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }

    #[test]
    fn every_line_is_rendered_once_in_order_as_str_lines_splits_the_whole_input() {
        let long = "x".repeat(PART_BYTES * 3 + 10);
        let mut input = String::new();
        for n in 0..40_000 {
            input.push_str(&format!("line {n} é\r\n"));
            if n % 9_999 == 0 {
                input.push_str(&format!("{long}\n\n"));
            }
        }
        for text in [input.clone(), format!("{input}no newline at the end"), String::new()] {
            let mut bytes = text.clone().into_bytes();
            bytes.extend_from_slice(b"\xff\xfe bad\n");
            let expected: Vec<String> = String::from_utf8_lossy(&bytes)
                .lines()
                .map(|l| format!("<{l}>\n"))
                .collect();
            let mut out = Vec::new();
            let render = |line: &str, text: &mut Vec<u8>| text.extend_from_slice(format!("<{line}>\n").as_bytes());
            let count = render_lines_in_order(Trickle(&bytes, 0), render, &mut out, u64::MAX).unwrap();
            assert_eq!(count, expected.len());
            assert!(
                String::from_utf8(out).unwrap() == expected.concat(),
                "the output differs"
            );
        }
    }

    #[test]
    fn lines_are_split_as_str_lines_splits_them() {
        let texts = [
            "",
            "\n",
            "a",
            "a\n",
            "a\r\nb",
            "a\rb\r",
            "a\r\n\r\n\nb\r\n",
            "\r",
            "é\n漢\r\n",
            "x\n\n",
        ];
        for text in texts {
            let mut seen = Vec::new();
            let count = each_line(text, |line| seen.push(line.to_owned()));
            let expected: Vec<&str> = text.lines().collect();
            assert_eq!(seen, expected, "{text:?}");
            assert_eq!(count, expected.len());
        }
    }

    #[test]
    fn input_over_the_limit_stops_the_reading() {
        let input = "a\n".repeat(100);
        let result = render_lines_in_order(input.as_bytes(), |_, _| {}, &mut Vec::new(), 150);
        assert!(matches!(result, Err(StreamError::TooLarge)), "{result:?}");
    }
}
