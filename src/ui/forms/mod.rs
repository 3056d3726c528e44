//! The request forms (Delegation, Token exchange) and the sections they share: where a request goes, the
//! known clients, the client secret, the timeout, sending and the answer, bursts, and "Sign in with browser".

pub mod browser_sign_in;
pub mod burst;
pub mod client_secret;
pub mod delegation;
pub mod exchange;
pub mod form_source;
pub mod known_clients;
pub mod request;
pub mod timeout;
