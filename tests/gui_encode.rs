//! The inspector's Encode mode on the real app: type a header and payload, sign with a typed HMAC secret or
//! with a private key from the keyring, and read the token back in the decoder.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "a test fails loudly")]

mod gui_support;

use egui::accesskit::Role;
use egui_kittest::kittest::{NodeT, Queryable};
use gui_support::{App, NOW, launch, run_until, type_into};
use serde_json::Value;
use std::sync::Arc;
use tokenbench::core::secret::KeyKind;
use tokenbench::services::keygen;
use tokenbench::services::secrets::{MemoryStore, SecretStore};
use tokenbench::ui::Tab;
use tokenbench::ui::backend::BackendPaths;
use tokenbench::ui::command::TokenOrigin;
use tokenbench::ui::inspector::Mode;

const SECRET: &str = "a-32-byte-long-secret-for-tests!";
const KEY_ITEM: &str = "signing_key/encode-test";

fn harness(store: Arc<MemoryStore>) -> App {
    let options = gui_support::options(Tab::Inspector, store, None, BackendPaths::default());
    let mut harness = launch(options);
    harness.run();
    harness.get_by_label("Encode").click();
    harness.run();
    harness
}

/// Replaces a JSON editor's text the way a user would: empty it, then type.
fn retype(harness: &mut App, label: &str, text: &str) {
    let encode = &mut harness.state_mut().inspector.encode;
    match label {
        "Header JSON" => encode.header.clear(),
        _ => encode.payload.clear(),
    }
    harness.run();
    type_into(harness, Role::MultilineTextInput, label, text);
}

fn payload(harness: &App) -> serde_json::Map<String, Value> {
    serde_json::from_str(&harness.state().inspector.encode.payload).unwrap()
}

fn sign_button_is_enabled(harness: &App) -> bool {
    !harness
        .get_by_role_and_label(Role::Button, "Sign")
        .accesskit_node()
        .is_disabled()
}

#[test]
fn a_token_signed_with_a_typed_secret_is_decoded_and_verifies_with_that_secret() {
    let mut harness = harness(Arc::default());
    retype(&mut harness, "Header JSON", r#"{"alg":"HS256","typ":"JWT"}"#);
    retype(&mut harness, "Payload JSON", r#"{"sub":"auth0|encoded","aud":"api"}"#);
    type_into(&mut harness, Role::PasswordInput, "Signing secret", SECRET);
    assert!(sign_button_is_enabled(&harness));
    harness.get_by_role_and_label(Role::Button, "Sign").click();
    harness.run();
    let inspector = &harness.state().inspector;
    assert_eq!(inspector.mode, Mode::Decode);
    assert_eq!(inspector.origin, Some(TokenOrigin::Encoded));
    harness.get_by_label("Encoded here");
    harness.get_by_label("auth0|encoded");
    harness.get_by_role_and_label(Role::Button, "Copy token");
    type_into(&mut harness, Role::PasswordInput, "Secret", SECRET);
    harness.get_by_label_contains("Signature valid");
}

#[test]
fn invalid_payload_json_is_reported_next_to_it_and_sign_is_disabled() {
    let mut harness = harness(Arc::default());
    type_into(&mut harness, Role::PasswordInput, "Signing secret", SECRET);
    assert!(sign_button_is_enabled(&harness));
    retype(&mut harness, "Payload JSON", r#"{"sub": "#);
    harness.get_by_label_contains("the payload is not valid JSON");
    harness.get_by_label("Sign is disabled: fix the payload JSON first");
    assert!(!sign_button_is_enabled(&harness));
    assert!(
        harness
            .get_by_role_and_label(Role::Button, "exp = now + 1 h")
            .accesskit_node()
            .is_disabled()
    );
}

#[test]
fn exp_helper_sets_the_simulated_now_plus_one_hour() {
    let mut harness = harness(Arc::default());
    harness.get_by_role_and_label(Role::Button, "exp = now + 1 h").click();
    harness.run();
    harness.get_by_role_and_label(Role::Button, "iat = now").click();
    harness.run();
    let claims = payload(&harness);
    assert_eq!(claims["exp"], NOW + 3600);
    assert_eq!(claims["iat"], NOW);
    assert_eq!(claims["sub"], "auth0|42", "the other claims stay");
}

#[test]
fn a_token_signed_with_a_keyring_rsa_key_verifies_with_its_public_key() {
    let store = Arc::new(MemoryStore::default());
    let pem = keygen::generate(KeyKind::Rsa2048).unwrap();
    store.set(KEY_ITEM, &pem).unwrap();
    let mut harness = harness(store);
    run_until(&mut harness, "the keyring list", |h| {
        !h.state().keyring_names.is_empty()
    });
    pick(&mut harness, "Algorithm", "RS256");
    assert!(harness.state().inspector.encode.header.contains("\"RS256\""));
    harness.get_by_label("Sign is disabled: choose the keyring item holding the key");
    pick(&mut harness, "Keyring item", KEY_ITEM);
    harness.get_by_role_and_label(Role::Button, "Sign").click();
    harness.run();
    run_until(&mut harness, "the signed token", |h| {
        h.state().inspector.mode == Mode::Decode
    });
    assert_eq!(harness.state().inspector.encode.message, None);
    let token = harness.state().inspector.token.clone();
    let claims = verify_rs256(&token, pem.expose());
    assert_eq!(claims["sub"], "auth0|42");
    harness.get_by_label("Encoded here");
}

#[test]
fn a_keyring_item_that_is_not_a_private_key_is_refused_with_what_the_algorithm_needs() {
    let store = Arc::new(MemoryStore::default());
    let secret = tokenbench::core::secret::SecretString::new(SECRET);
    store.set("hmac_secret/not-a-key", &secret).unwrap();
    let mut harness = harness(store);
    run_until(&mut harness, "the keyring list", |h| {
        !h.state().keyring_names.is_empty()
    });
    pick(&mut harness, "Algorithm", "ES256");
    pick(&mut harness, "Keyring item", "hmac_secret/not-a-key");
    harness.get_by_role_and_label(Role::Button, "Sign").click();
    harness.run();
    run_until(&mut harness, "the refusal", |h| {
        h.state().inspector.encode.message.is_some()
    });
    harness.get_by_label_contains("ES* needs an EC private key in PEM");
    assert_eq!(harness.state().inspector.mode, Mode::Encode);
    assert!(harness.query_by_label_contains(SECRET).is_none());
}

#[test]
fn an_hmac_secret_from_the_keyring_signs_without_being_typed() {
    let store = Arc::new(MemoryStore::default());
    let secret = tokenbench::core::secret::SecretString::new(SECRET);
    store.set("hmac_secret/encode-test", &secret).unwrap();
    let mut harness = harness(store);
    run_until(&mut harness, "the keyring list", |h| {
        !h.state().keyring_names.is_empty()
    });
    harness.get_by_role_and_label(Role::Button, "From the keyring").click();
    harness.run();
    pick(&mut harness, "Keyring item", "hmac_secret/encode-test");
    harness.get_by_role_and_label(Role::Button, "Sign").click();
    harness.run();
    run_until(&mut harness, "the signed token", |h| {
        h.state().inspector.mode == Mode::Decode
    });
    assert!(
        harness.state().inspector.encode.secret.is_empty(),
        "the secret stays in the backend"
    );
    let token = harness.state().inspector.token.clone();
    let key = jsonwebtoken::DecodingKey::from_secret(SECRET.as_bytes());
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::HS256);
    validation.required_spec_claims.clear();
    assert!(jsonwebtoken::decode::<Value>(&token, &key, &validation).is_ok());
}

/// Opens the combo box with this label and picks an entry.
fn pick(harness: &mut App, label: &str, entry: &str) {
    // A combo box is named after its label and its choice: "Algorithm: RS256".
    harness.get_by_label_contains(&format!("{label}: ")).click();
    harness.run();
    harness.get_by_label(entry).click();
    harness.run();
}

/// Verifies with the public half of the PEM private key, derived with aws-lc-rs.
fn verify_rs256(token: &str, private_pem: &str) -> Value {
    use aws_lc_rs::signature::KeyPair;
    let body: String = private_pem.lines().filter(|l| !l.starts_with("-----")).collect();
    let der = tokenbench::core::jwt::decode::base64_any(&body).unwrap();
    let pair = aws_lc_rs::rsa::KeyPair::from_pkcs8(&der).unwrap();
    let key = jsonwebtoken::DecodingKey::from_rsa_der(pair.public_key().as_ref());
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
    validation.required_spec_claims.clear();
    validation.validate_exp = false;
    jsonwebtoken::decode::<Value>(token, &key, &validation).unwrap().claims
}
