//! `--lines` read as it is rendered: the input is read in blocks of whole lines, and while every core renders
//! one block, the calling thread writes the output of the block before it and reads the next. Neither the
//! reading nor the writing waits for the other, and the input is never held whole.
//!
//! Each core takes a part of a block that ends after a `\n`, turns it into text (bytes that are not UTF-8
//! become U+FFFD; a `\n` never belongs to a multi-byte character, so this is what reading the whole input
//! would give) and renders its lines (`str::lines`: `\n` or `\r\n` ends a line).

use super::{cores, on_every_core, write_texts};
use std::borrow::Cow;
use std::io::{self, Read, Write};

/// Input bytes read for one block: a few thousand tokens, a few MiB of output.
const BLOCK_BYTES: usize = 4 << 20;

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
    let cores = cores();
    let render_part = |(part, mut text): (&[u8], Vec<u8>)| {
        text.clear();
        // The common case, valid UTF-8, is checked by the faster validation without copying.
        let lines = std::str::from_utf8(part).map_or_else(|_| String::from_utf8_lossy(part), Cow::Borrowed);
        let mut count = 0;
        for line in lines.lines() {
            render(line, &mut text);
            count += 1;
        }
        (text, count)
    };
    let mut reader = BlockReader {
        input,
        carry: Vec::new(),
        read: 0,
        limit,
    };
    let (mut current, mut spare_block) = (reader.next_block(Vec::new())?, Vec::new());
    let (mut rendered, mut spare_texts): (Vec<Vec<u8>>, Vec<Vec<u8>>) = (Vec::new(), Vec::new());
    let mut lines = 0;
    while let Some(block) = current {
        let parts = split_after_newlines(&block, cores)
            .into_iter()
            .map(|part| (part, spare_texts.pop().unwrap_or_default()))
            .collect();
        let (done, (written, next)) = on_every_core(parts, &render_part, || {
            let written = write_texts(&rendered, out);
            (written, reader.next_block(std::mem::take(&mut spare_block)))
        });
        written.map_err(StreamError::Write)?;
        current = next?;
        lines += done.iter().map(|(_, count)| count).sum::<usize>();
        spare_texts = std::mem::replace(&mut rendered, done.into_iter().map(|(text, _)| text).collect());
        spare_block = block;
    }
    write_texts(&rendered, out).map_err(StreamError::Write)?;
    Ok(lines)
}

/// `block` cut into at most `parts` pieces of about equal size, each but the last ending after a `\n`.
fn split_after_newlines(block: &[u8], parts: usize) -> Vec<&[u8]> {
    let mut pieces = Vec::with_capacity(parts);
    let mut start = 0;
    for k in 1..parts {
        let target = (block.len() * k / parts).max(start);
        let Some(newline) = block
            .get(target..)
            .and_then(|rest| rest.iter().position(|&b| b == b'\n'))
        else {
            break;
        };
        let end = target + newline + 1;
        pieces.push(&block[start..end]);
        start = end;
    }
    pieces.push(&block[start..]);
    pieces
}

/// The input in blocks of whole lines.
struct BlockReader<R> {
    input: R,
    /// What was read after the last `\n` of the previous block.
    carry: Vec<u8>,
    read: u64,
    limit: u64,
}

impl<R: Read> BlockReader<R> {
    /// The next block, in `buffer`: about [`BLOCK_BYTES`] ending after a `\n`, or the rest of the input at
    /// its end; `None` when nothing is left.
    fn next_block(&mut self, mut buffer: Vec<u8>) -> Result<Option<Vec<u8>>, StreamError> {
        buffer.clear();
        buffer.append(&mut self.carry);
        loop {
            let want = BLOCK_BYTES.saturating_sub(buffer.len()).max(1 << 16);
            let before = buffer.len();
            let got = (&mut self.input)
                .take(u64::try_from(want).unwrap_or(u64::MAX))
                .read_to_end(&mut buffer)
                .map_err(StreamError::Read)?;
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Reads at most 7 bytes a call, so lines and blocks are cut anywhere.
    struct Trickle<'a>(&'a [u8]);

    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = buf.len().min(7).min(self.0.len());
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }

    #[test]
    fn every_line_is_rendered_once_in_order_as_str_lines_splits_the_whole_input() {
        let long = "x".repeat(BLOCK_BYTES + 10);
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
            let count = render_lines_in_order(Trickle(&bytes), render, &mut out, u64::MAX).unwrap();
            assert_eq!(count, expected.len());
            assert!(
                String::from_utf8(out).unwrap() == expected.concat(),
                "the output differs"
            );
        }
    }

    #[test]
    fn input_over_the_limit_stops_the_reading() {
        let input = "a\n".repeat(100);
        let result = render_lines_in_order(input.as_bytes(), |_, _| {}, &mut Vec::new(), 150);
        assert!(matches!(result, Err(StreamError::TooLarge)), "{result:?}");
    }

    #[test]
    fn parts_end_after_a_newline_and_cover_the_block() {
        let block = b"aa\nbbbb\nc\ndddddd\ne";
        for parts in 1..6 {
            let pieces = split_after_newlines(block, parts);
            assert_eq!(pieces.concat(), block);
            assert!(pieces.len() <= parts);
            assert!(
                pieces[..pieces.len() - 1].iter().all(|p| p.ends_with(b"\n")),
                "{pieces:?}"
            );
        }
    }
}
