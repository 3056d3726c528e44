//! A bounded look at DER before a parser that recurses sees it: an iterative TLV walk that rejects deep
//! nesting, lengths that overrun their parent, indefinite lengths and absurd OIDs. It does not interpret
//! anything; it only proves the bytes are cheap and safe to hand to `jsonwebtoken` and aws-lc.

/// How deep constructed values may nest. Certificates need about 10.
pub const MAX_DEPTH: usize = 32;
/// The longest OID content accepted, in bytes. Real OIDs are well under 30.
pub const MAX_OID_BYTES: usize = 64;

/// Why bytes were refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DerError {
    /// Ended inside a tag or length, or a length runs past its container.
    #[error("the DER is truncated or a length runs past its end")]
    Truncated,
    /// Indefinite lengths (BER) or non-minimal long lengths.
    #[error("the DER uses a length form DER does not allow")]
    BadLength,
    /// Nested deeper than [`MAX_DEPTH`].
    #[error("the DER nests deeper than {MAX_DEPTH} levels: no key or certificate does; refusing it")]
    TooDeep,
    /// An OID longer than [`MAX_OID_BYTES`].
    #[error("the DER holds an OID longer than {MAX_OID_BYTES} bytes: no key or certificate does; refusing it")]
    OidTooLong,
    /// High tag numbers (multi-byte tags): not used by keys or certificates.
    #[error("the DER uses multi-byte tags, which keys and certificates never do")]
    LongTag,
    /// Bytes after the first complete value.
    #[error("the DER has bytes after its end")]
    TrailingBytes,
}

/// One tag-length-value header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    /// The identifier octet.
    pub tag: u8,
    /// Where the content starts.
    pub content: usize,
    /// Content length.
    pub len: usize,
}

impl Header {
    /// Whether the value holds further TLVs.
    pub fn constructed(&self) -> bool {
        self.tag & 0x20 != 0
    }

    /// The offset just past the value.
    pub fn end(&self) -> usize {
        self.content + self.len
    }
}

/// Reads the TLV header at `at`, checking that the value fits before `limit`.
pub fn header(der: &[u8], at: usize, limit: usize) -> Result<Header, DerError> {
    let tag = *der.get(at).ok_or(DerError::Truncated)?;
    if tag & 0x1f == 0x1f {
        return Err(DerError::LongTag);
    }
    let first = *der.get(at + 1).ok_or(DerError::Truncated)?;
    let (content, len) = match first {
        0x80 => return Err(DerError::BadLength),
        n if n < 0x80 => (at + 2, usize::from(n)),
        n => {
            let count = usize::from(n & 0x7f);
            if count > 4 {
                return Err(DerError::BadLength);
            }
            let bytes = der.get(at + 2..at + 2 + count).ok_or(DerError::Truncated)?;
            if bytes[0] == 0 || (count == 1 && bytes[0] < 0x80) {
                return Err(DerError::BadLength);
            }
            let len = bytes.iter().fold(0usize, |acc, b| (acc << 8) | usize::from(*b));
            (at + 2 + count, len)
        }
    };
    let end = content.checked_add(len).ok_or(DerError::Truncated)?;
    if end > limit.min(der.len()) {
        return Err(DerError::Truncated);
    }
    Ok(Header { tag, content, len })
}

/// Walks one complete DER value spanning all of `der`, without recursion.
pub fn check(der: &[u8]) -> Result<(), DerError> {
    let top = header(der, 0, der.len())?;
    if top.end() != der.len() {
        return Err(DerError::TrailingBytes);
    }
    // Each entry is (next offset to read, end of the container).
    let mut stack: Vec<(usize, usize)> = Vec::new();
    visit(top, &mut stack)?;
    while let Some((at, end)) = stack.pop() {
        if at == end {
            continue;
        }
        let tlv = header(der, at, end)?;
        stack.push((tlv.end(), end));
        visit(tlv, &mut stack)?;
    }
    Ok(())
}

fn visit(tlv: Header, stack: &mut Vec<(usize, usize)>) -> Result<(), DerError> {
    if tlv.tag == 0x06 && tlv.len > MAX_OID_BYTES {
        return Err(DerError::OidTooLong);
    }
    if tlv.constructed() {
        if stack.len() >= MAX_DEPTH {
            return Err(DerError::TooDeep);
        }
        stack.push((tlv.content, tlv.end()));
    }
    Ok(())
}

/// Whether `der` is, structurally, a public key or certificate: SubjectPublicKeyInfo
/// (`SEQUENCE { SEQUENCE {OID …}, BIT STRING }`), PKCS#1 RSAPublicKey (`SEQUENCE { INTEGER, INTEGER }`) or an
/// X.509 certificate (`SEQUENCE { SEQUENCE, SEQUENCE, BIT STRING }`). Used to spot keys pasted as secrets.
pub fn looks_like_public_key(der: &[u8]) -> bool {
    if der.first() != Some(&0x30) || check(der).is_err() {
        return false;
    }
    let Ok(top) = header(der, 0, der.len()) else {
        return false;
    };
    let mut tags = Vec::new();
    let mut at = top.content;
    while at < top.end() && tags.len() < 4 {
        let Ok(child) = header(der, at, top.end()) else {
            return false;
        };
        tags.push(child.tag);
        at = child.end();
    }
    matches!(tags.as_slice(), [0x30, 0x03] | [0x02, 0x02] | [0x30, 0x30, 0x03])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nested(levels: usize) -> Vec<u8> {
        let mut der = Vec::new();
        for _ in 0..levels {
            let len = der.len();
            let mut next = vec![0x30, 0x82, (len >> 8) as u8, len as u8];
            next.extend(der);
            der = next;
        }
        der
    }

    #[test]
    fn nesting_up_to_the_limit_passes_and_one_more_level_fails() {
        let ok: Vec<u8> = (0..MAX_DEPTH).fold(Vec::new(), |inner, _| {
            let mut next = vec![0x30, inner.len() as u8];
            next.extend(inner);
            next
        });
        assert_eq!(check(&ok), Ok(()));
        let mut deeper = vec![0x30, ok.len() as u8];
        deeper.extend(ok);
        assert_eq!(check(&deeper), Err(DerError::TooDeep));
    }

    #[test]
    fn fifteen_thousand_levels_are_refused_without_recursion() {
        assert_eq!(check(&nested(15_000)), Err(DerError::TooDeep));
        let indefinite: Vec<u8> = std::iter::repeat_n([0x30, 0x80], 15_000).flatten().collect();
        assert_eq!(check(&indefinite), Err(DerError::BadLength));
    }

    #[test]
    fn lengths_past_the_end_long_oids_and_trailing_bytes_are_refused() {
        assert_eq!(check(&[0x30, 0x05, 0x02, 0x01]), Err(DerError::Truncated));
        assert_eq!(check(&[0x30, 0x84, 0xff, 0xff, 0xff, 0xff]), Err(DerError::Truncated));
        assert_eq!(check(&[0x30, 0x03, 0x02, 0x05, 0x00]), Err(DerError::Truncated));
        let mut oid = vec![0x06, 0x81, 200];
        oid.extend([0x2a; 200]);
        assert_eq!(check(&oid), Err(DerError::OidTooLong));
        assert_eq!(check(&[0x05, 0x00, 0x00]), Err(DerError::TrailingBytes));
        assert_eq!(check(&[0x1f, 0x81, 0x00, 0x00]), Err(DerError::LongTag));
    }

    #[test]
    fn public_key_shapes_are_recognised() {
        let rsa_public_key = [0x30, 0x06, 0x02, 0x01, 0x05, 0x02, 0x01, 0x03];
        assert!(looks_like_public_key(&rsa_public_key));
        let spki = [0x30, 0x09, 0x30, 0x03, 0x06, 0x01, 0x2a, 0x03, 0x02, 0x00, 0x01];
        assert!(looks_like_public_key(&spki));
        assert!(!looks_like_public_key(b"0\x01n plain text"));
        assert!(!looks_like_public_key(&[0x30, 0x00]));
    }
}
