//! A reader that repairs invalid UTF-8 on the fly: each invalid sequence becomes U+FFFD, as
//! `String::from_utf8_lossy` would do, without holding more than one chunk of the input.

use std::io::Read;

/// How much is read from the inner reader at once.
const CHUNK: usize = 1 << 16;
/// U+FFFD REPLACEMENT CHARACTER in UTF-8.
const REPLACEMENT: &[u8] = "\u{fffd}".as_bytes();

/// Wraps a reader of bytes into a reader of valid UTF-8.
pub struct LossyUtf8<R> {
    inner: R,
    /// Bytes read but not yet checked: the start of a character cut by the chunk boundary.
    pending: Vec<u8>,
    /// Checked bytes, served from `served` on.
    ready: Vec<u8>,
    served: usize,
    at_end: bool,
}

impl<R: Read> LossyUtf8<R> {
    /// Wraps `inner`.
    pub fn new(inner: R) -> Self {
        Self {
            inner,
            pending: Vec::new(),
            ready: Vec::new(),
            served: 0,
            at_end: false,
        }
    }

    /// Reads the next chunk and checks it into `ready`.
    fn refill(&mut self) -> std::io::Result<()> {
        let start = self.pending.len();
        self.pending.resize(start + CHUNK, 0);
        let n = self.inner.read(&mut self.pending[start..])?;
        self.pending.truncate(start + n);
        self.at_end = n == 0;
        self.ready.clear();
        self.served = 0;
        let consumed = repair_into(&self.pending, self.at_end, &mut self.ready);
        self.pending.drain(..consumed);
        Ok(())
    }
}

/// Appends the valid UTF-8 of `bytes` to `out`, invalid sequences replaced; a character cut at the end is
/// left unconsumed unless `at_end`. Returns how many bytes were consumed.
fn repair_into(bytes: &[u8], at_end: bool, out: &mut Vec<u8>) -> usize {
    let mut rest = bytes;
    loop {
        match std::str::from_utf8(rest) {
            Ok(_) => {
                out.extend_from_slice(rest);
                return bytes.len();
            }
            Err(e) => {
                let valid = e.valid_up_to();
                out.extend_from_slice(&rest[..valid]);
                match e.error_len() {
                    Some(bad) => {
                        out.extend_from_slice(REPLACEMENT);
                        rest = &rest[valid + bad..];
                    }
                    None if at_end => {
                        out.extend_from_slice(REPLACEMENT);
                        return bytes.len();
                    }
                    None => return bytes.len() - (rest.len() - valid),
                }
            }
        }
    }
}

impl<R: Read> Read for LossyUtf8<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while self.served == self.ready.len() {
            if self.at_end {
                return Ok(0);
            }
            self.refill()?;
        }
        let n = buf.len().min(self.ready.len() - self.served);
        buf[..n].copy_from_slice(&self.ready[self.served..self.served + n]);
        self.served += n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Hands out one byte per read, so every character is cut at a chunk boundary.
    struct OneByte<'a>(&'a [u8]);

    impl Read for OneByte<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let Some((first, rest)) = self.0.split_first() else {
                return Ok(0);
            };
            buf[0] = *first;
            self.0 = rest;
            Ok(1)
        }
    }

    #[test]
    fn valid_text_passes_and_invalid_bytes_become_replacement_characters() {
        let bytes = b"caf\xc3\xa9 \xff ok \xe2\x82";
        let mut text = String::new();
        LossyUtf8::new(OneByte(bytes)).read_to_string(&mut text).unwrap();
        assert_eq!(text, String::from_utf8_lossy(bytes));
        let mut text = String::new();
        LossyUtf8::new(&bytes[..]).read_to_string(&mut text).unwrap();
        assert_eq!(text, "caf\u{e9} \u{fffd} ok \u{fffd}");
    }
}
