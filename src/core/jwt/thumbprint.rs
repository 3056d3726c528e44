//! RFC 7638 JWK thumbprints: the SHA-256 of a key's required members in canonical form. DPoP binds tokens to
//! the proof key's thumbprint (`cnf.jkt`), which the client computes and the server checks.

use super::decode::base64url;
use aws_lc_rs::digest::{SHA256, digest};
use serde_json::json;

/// The thumbprint of an EC P-256 public key given by its base64url `x` and `y`, base64url.
pub fn p256_thumbprint(x: &str, y: &str) -> String {
    // Members in lexicographic order, no whitespace, as RFC 7638 §3 requires.
    let canonical = json!({ "crv": "P-256", "kty": "EC", "x": x, "y": y }).to_string();
    base64url(digest(&SHA256, canonical.as_bytes()).as_ref())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn members_are_in_rfc_7638_order_and_the_digest_is_base64url() {
        // serde_json with preserve_order keeps insertion order, which here is already lexicographic.
        let canonical = json!({ "crv": "P-256", "kty": "EC", "x": "a", "y": "b" }).to_string();
        assert_eq!(canonical, r#"{"crv":"P-256","kty":"EC","x":"a","y":"b"}"#);
        assert_eq!(p256_thumbprint("a", "b").len(), 43);
    }
}
