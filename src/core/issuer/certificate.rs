//! The self-signed X.509 certificate Auth0 publishes with each signing key: `x5c` and `x5t` in the JWKS,
//! `cert`, `fingerprint` and `thumbprint` in the Management API. Built once per key, as Auth0 builds it
//! (Subject = Issuer = `CN=<domain>`, 9-byte random serial, sha256WithRSAEncryption, 5000 days, a CA that may
//! sign). Pure: the start of its validity is given, never read from a clock.

use super::keys::KeyError;
use crate::core::jwt::decode::pem_block;
use aws_lc_rs::digest::{SHA1_FOR_LEGACY_USE_ONLY, digest};
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{KeyPair as _, RSA_PKCS1_SHA256, RsaKeyPair};
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, IsCa, KeyIdMethod, KeyUsagePurpose,
    PKCS_RSA_SHA256, PublicKeyData, SerialNumber, SignatureAlgorithm,
};

/// Validity of Auth0's signing-key certificates.
const VALIDITY_DAYS: i64 = 5000;
/// 9999-12-31T23:59:59Z, the last second an X.509 time can hold: later ends are cut there.
const LAST_X509_SECOND: i64 = 253_402_300_799;

/// One key's certificate and the forms it is published in, computed once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyCertificate {
    der: Vec<u8>,
    /// `x5c[0]`: the DER in standard, padded base64.
    x5c: String,
    /// `x5t`: base64url, unpadded SHA-1 of the DER.
    x5t: String,
    /// The SHA-1 of the DER in upper-case hex.
    thumbprint: String,
}

impl KeyCertificate {
    /// Certifies `pair`'s public key as `CN=common_name`, valid from `not_before` (Unix seconds) for 5000
    /// days (cut at the end of year 9999; times before 1970 start at 1970).
    pub fn build(pair: &RsaKeyPair, common_name: &str, not_before: i64) -> Result<Self, KeyError> {
        let failed = |e: rcgen::Error| KeyError::Certificate(e.to_string());
        let signer = Signer(pair);
        let params = params(common_name, not_before, &signer)?;
        let der = params.self_signed(&signer).map_err(failed)?.der().to_vec();
        let sha1 = digest(&SHA1_FOR_LEGACY_USE_ONLY, &der);
        Ok(Self {
            x5c: STANDARD.encode(&der),
            x5t: URL_SAFE_NO_PAD.encode(sha1.as_ref()),
            thumbprint: hex_upper(sha1.as_ref()),
            der,
        })
    }

    /// The DER encoding.
    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// The JWK's `x5c` entry.
    pub fn x5c(&self) -> &str {
        &self.x5c
    }

    /// The JWK's `x5t`.
    pub fn x5t(&self) -> &str {
        &self.x5t
    }

    /// The SHA-1 of the DER in upper-case hex (the Management API's `thumbprint`).
    pub fn thumbprint(&self) -> &str {
        &self.thumbprint
    }

    /// The same hex in colon-separated pairs (the Management API's `fingerprint`, `CC:FB:…`).
    pub fn fingerprint(&self) -> String {
        let pairs: Vec<&str> = self
            .thumbprint
            .as_bytes()
            .chunks(2)
            .filter_map(|c| std::str::from_utf8(c).ok())
            .collect();
        pairs.join(":")
    }

    /// PEM with `\r\n` line breaks and none at the end, as the Management API's `cert`.
    pub fn pem(&self) -> String {
        pem_block("CERTIFICATE", &self.der).trim_end().replace('\n', "\r\n")
    }
}

/// The certificate's `CN`: the host of the issuer's base URL, as Auth0 names its tenant domain
/// (`CN=dev-xxxx.us.auth0.com`); the URL itself if it has no host.
pub fn common_name(base_url: &str) -> String {
    url::Url::parse(base_url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_owned))
        .unwrap_or_else(|| base_url.to_owned())
}

fn params(common_name: &str, not_before: i64, signer: &Signer<'_>) -> Result<CertificateParams, KeyError> {
    let start = not_before.clamp(0, LAST_X509_SECOND);
    let end = start.saturating_add(VALIDITY_DAYS * 86_400).min(LAST_X509_SECOND);
    let time = |seconds: i64| {
        time::OffsetDateTime::from_unix_timestamp(seconds).map_err(|e| KeyError::Certificate(e.to_string()))
    };
    let mut name = DistinguishedName::new();
    name.push(DnType::CommonName, common_name);
    let mut params = CertificateParams::default();
    params.distinguished_name = name;
    params.not_before = time(start)?;
    params.not_after = time(end)?;
    params.serial_number = Some(SerialNumber::from_slice(&serial()?));
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature, KeyUsagePurpose::KeyCertSign];
    // RFC 5280 §4.2.1.2 method 1: the SHA-1 of the subjectPublicKey bits.
    let key_id = digest(&SHA1_FOR_LEGACY_USE_ONLY, signer.der_bytes());
    params.key_identifier_method = KeyIdMethod::PreSpecified(key_id.as_ref().to_vec());
    Ok(params)
}

/// Nine random bytes, positive and nine bytes long once DER-encoded (top bit clear, next bit set).
fn serial() -> Result<[u8; 9], KeyError> {
    let mut bytes = [0u8; 9];
    aws_lc_rs::rand::fill(&mut bytes)
        .map_err(|_| KeyError::Certificate("no random serial number could be drawn".to_owned()))?;
    bytes[0] = (bytes[0] & 0x7f) | 0x40;
    Ok(bytes)
}

fn hex_upper(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}

/// The key aws-lc-rs already holds, signing for rcgen: the private key is parsed once, by `SigningKey`.
struct Signer<'a>(&'a RsaKeyPair);

impl PublicKeyData for Signer<'_> {
    /// The PKCS#1 `RSAPublicKey`, which rcgen wraps as the certificate's `SubjectPublicKeyInfo`.
    fn der_bytes(&self) -> &[u8] {
        self.0.public_key().as_ref()
    }

    fn algorithm(&self) -> &'static SignatureAlgorithm {
        &PKCS_RSA_SHA256
    }
}

impl rcgen::SigningKey for Signer<'_> {
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, rcgen::Error> {
        let mut signature = vec![0; self.0.public_modulus_len()];
        self.0
            .sign(&RSA_PKCS1_SHA256, &SystemRandom::new(), message, &mut signature)
            .map_err(|_| rcgen::Error::RemoteKeyError)?;
        Ok(signature)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "a test fails loudly")]
    use super::*;

    fn pair() -> RsaKeyPair {
        RsaKeyPair::generate(aws_lc_rs::rsa::KeySize::Rsa2048).unwrap()
    }

    #[test]
    fn thumbprint_fingerprint_and_x5t_are_the_sha1_of_the_der() {
        let cert = KeyCertificate::build(&pair(), "127.0.0.1", 1_750_000_000).unwrap();
        let sha1 = digest(&SHA1_FOR_LEGACY_USE_ONLY, cert.der());
        assert_eq!(cert.thumbprint(), hex_upper(sha1.as_ref()));
        assert_eq!(cert.fingerprint().len(), 59);
        assert_eq!(cert.fingerprint().replace(':', ""), cert.thumbprint());
        assert_eq!(URL_SAFE_NO_PAD.decode(cert.x5t()).unwrap(), sha1.as_ref());
        assert_eq!(STANDARD.decode(cert.x5c()).unwrap(), cert.der());
    }

    #[test]
    fn the_common_name_is_the_issuer_host_without_port() {
        assert_eq!(common_name("http://127.0.0.1:4000"), "127.0.0.1");
        assert_eq!(common_name("https://Tunnel.Example.com/"), "tunnel.example.com");
    }

    #[test]
    fn the_pem_has_crlf_line_breaks_and_none_at_the_end() {
        let pem = KeyCertificate::build(&pair(), "demo", 0).unwrap().pem();
        assert!(pem.starts_with("-----BEGIN CERTIFICATE-----\r\n"), "{pem}");
        assert!(pem.ends_with("\r\n-----END CERTIFICATE-----"), "{pem}");
        assert!(!pem.replace("\r\n", "").contains('\n'), "{pem}");
    }

    #[test]
    fn a_start_at_the_end_of_time_still_gives_a_certificate() {
        assert!(KeyCertificate::build(&pair(), "demo", i64::MAX).is_ok());
        assert!(KeyCertificate::build(&pair(), "demo", i64::MIN).is_ok());
    }
}
