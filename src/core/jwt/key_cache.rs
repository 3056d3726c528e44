//! The key chosen for each `kid` and algorithm of a key material, kept with the material: `inspect --lines`
//! checks thousands of tokens against one JWKS, and choosing the JWK, decoding its modulus and having
//! aws-lc-rs parse the RSA key once, not once a token, keeps bulk verification close to the cost of RSA.

use super::select::SelectedKey;
use jsonwebtoken::Algorithm;
use std::sync::{Arc, RwLock};

/// At most this many `kid`/algorithm pairs are kept; for a file of tokens with ever new `kid`s, the key of
/// the others is chosen token by token, as without a cache.
const MAX_KEPT: usize = 64;

/// What [`super::select::select_key`] chose for a token, or why no key fits it.
pub type Choice = Result<Arc<SelectedKey>, String>;

/// The choices made with one key material. The choice depends only on the material, the token's `kid` and
/// its algorithm, so it is made once; clones of the material, and the threads that share it, share them.
#[derive(Clone, Default)]
pub struct SelectionCache(Arc<RwLock<Vec<Kept>>>);

/// One choice and what it was made for.
struct Kept {
    kid: Option<String>,
    alg: Algorithm,
    choice: Choice,
}

impl Kept {
    fn is_for(&self, kid: Option<&str>, alg: Algorithm) -> bool {
        self.kid.as_deref() == kid && self.alg == alg
    }
}

impl SelectionCache {
    /// The choice for `kid` and `alg`, made by `choose` the first time.
    pub fn choice(&self, kid: Option<&str>, alg: Algorithm, choose: impl FnOnce() -> Choice) -> Choice {
        if let Some(known) = self.known(kid, alg) {
            return known;
        }
        let choice = choose();
        if let Ok(mut kept) = self.0.write()
            && kept.len() < MAX_KEPT
            && !kept.iter().any(|k| k.is_for(kid, alg))
        {
            kept.push(Kept {
                kid: kid.map(str::to_owned),
                alg,
                choice: choice.clone(),
            });
        }
        choice
    }

    fn known(&self, kid: Option<&str>, alg: Algorithm) -> Option<Choice> {
        let kept = self.0.read().ok()?;
        kept.iter().find(|k| k.is_for(kid, alg)).map(|k| k.choice.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::jwt::decode::{DecodedJwt, SegmentPart};
    use crate::core::jwt::key::{KeyMaterial, parse_key_text};
    use crate::core::jwt::select::select_key;

    /// RFC 7515 Appendix A.2: the RS256 JWS and the public part of its RSA key.
    const RFC7515_A2_TOKEN: &str = "eyJhbGciOiJSUzI1NiJ9.\
eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.\
cC4hiUPoj9Eetdgtv3hF80EGrhuB__dzERat0XF9g2VtQgr9PJbu3XOiZj5RZmh7AAuHIm4Bh-0Qc_lF5YKt_O8W2Fp5jujGbds9uJdbF9CUAr7t\
1dnZcAcQjbKBYNX4BAynRFdiuB--f_nZLgrnbyTyWzO75vRK5h6xBArLIARNPvkSjtQBMHlb1L07Qe7K0GarZRmB_eSN9383LcOLn6_dO--xi12jz\
DwusC-eOkHWEsqtFZESc6BfI7noOPqvhJ1phCnvWh6IeYI2w9QOYEUipUTI8np6LbgGY9Fs98rqVt5AXLIhWkWywlVmtVrBp0igcN_IoypGlUPQGe77Rw";
    const RFC7515_A2_JWK: &str = r#"{"kty":"RSA","e":"AQAB","n":"ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddxHmfHQp-Vaw-4qPCJrcS2mJPMEzP1Pt0Bm4d4QlL-yRT-SFd2lZS-pCgNMsD1W_YpRPEwOWvG6b32690r2jZ47soMZo9wGzjb_7OMg0LOL-bSf63kpaSHSXndS5z5rexMdbBYUsLA9e-KXBdQOS-UTo7WTBEMa2R2CapHg665xsmtdVMTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7aGhyxXFvUK-DWNmoudF8NAco9_h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h4FRWyuXpoQ"}"#;

    #[test]
    fn an_unshared_copy_parses_its_own_key_and_verifies_the_same() {
        let material = parse_key_text(RFC7515_A2_JWK).unwrap();
        let jwt = DecodedJwt::decode(RFC7515_A2_TOKEN);
        let chosen = |m: &KeyMaterial| select_key(&jwt, Algorithm::RS256, Some(m)).unwrap().unwrap();
        let first = chosen(&material);
        assert!(
            Arc::ptr_eq(&first, &chosen(&material)),
            "a material chooses its key once"
        );
        let copy = material.unshared();
        let own = chosen(&copy);
        assert!(!Arc::ptr_eq(&first, &own), "the copy chooses and parses its own key");
        assert!(Arc::ptr_eq(&own, &chosen(&copy)), "and keeps it");
        assert!(Arc::ptr_eq(&first, &chosen(&material)), "the original keeps its own");
        let signed = jwt.signing_input().as_bytes();
        for key in [&first, &own] {
            assert_eq!(key.description, first.description);
            let signature = jwt.segment(SegmentPart::Signature);
            assert!(
                key.verify(signature, jwt.strict_signature(), signed, Algorithm::RS256)
                    .unwrap()
            );
            assert!(
                !key.verify(signature, jwt.strict_signature(), &signed[1..], Algorithm::RS256)
                    .unwrap()
            );
        }
    }

    fn chosen(description: &str) -> Choice {
        Ok(Arc::new(SelectedKey::new(
            jsonwebtoken::DecodingKey::from_secret(b"s"),
            description.to_owned(),
            false,
        )))
    }

    fn description(choice: &Choice) -> String {
        match choice {
            Ok(key) => key.description.clone(),
            Err(why) => why.clone(),
        }
    }

    #[test]
    fn a_choice_is_made_once_per_kid_and_algorithm_and_shared_by_clones() {
        let cache = SelectionCache::default();
        let clone = cache.clone();
        let first = cache.choice(Some("a"), Algorithm::RS256, || chosen("first"));
        let again = clone.choice(Some("a"), Algorithm::RS256, || chosen("second"));
        assert_eq!(description(&again), "first");
        assert!(Arc::ptr_eq(first.as_ref().unwrap(), again.as_ref().unwrap()));
        let other_alg = cache.choice(Some("a"), Algorithm::PS256, || Err("no".to_owned()));
        let other_kid = cache.choice(None, Algorithm::RS256, || chosen("no kid"));
        assert_eq!(
            (description(&other_alg), description(&other_kid)),
            ("no".into(), "no kid".into())
        );
        assert_eq!(
            description(&cache.choice(Some("a"), Algorithm::PS256, || chosen("x"))),
            "no"
        );
    }

    #[test]
    fn past_the_limit_choices_are_made_each_time() {
        let cache = SelectionCache::default();
        for n in 0..MAX_KEPT {
            let choice = cache.choice(Some(&n.to_string()), Algorithm::RS256, || chosen("kept"));
            assert_eq!(description(&choice), "kept");
        }
        let first = cache.choice(Some("late"), Algorithm::RS256, || chosen("first"));
        assert_eq!(description(&first), "first");
        let again = cache.choice(Some("late"), Algorithm::RS256, || chosen("second"));
        assert_eq!(description(&again), "second");
    }
}
