//! The answers an injected fault forces (tenant `settings.faults`): Auth0-shaped 429 with `Retry-After`,
//! 500 and 503 bodies, and a JSON body cut in half. The service applies the latency and drops connections.
//! Every forced reply carries `X-Tokenbench-Fault: injected` so a client can tell it from a real failure.

use super::{OAuthError, Reply};
use crate::core::protocol::header::{FAULT_INJECTED, RETRY_AFTER, X_TOKENBENCH_FAULT};
use crate::core::tenant::{Failure, Fault};

/// The reply that replaces the real answer, for the failures that skip the request entirely (forced
/// statuses and a dropped connection, whose reply only goes to the request log).
pub fn forced_reply(fault: &Fault) -> Option<Reply> {
    let error = match fault.failure {
        Failure::None | Failure::MalformedBody => return None,
        Failure::TooManyRequests => OAuthError::too_many_requests(),
        Failure::ServerError => OAuthError::other(
            500,
            "server_error",
            "The server encountered an internal error (injected fault: turn it off under Faults)",
        ),
        Failure::Unavailable => OAuthError::other(
            503,
            "temporarily_unavailable",
            "The service is temporarily unavailable (injected fault: turn it off under Faults)",
        ),
        Failure::DropConnection => OAuthError::other(
            503,
            "connection_dropped",
            "the connection was closed without an answer (injected fault)",
        ),
    };
    let mut reply = Reply::from(error);
    if fault.failure == Failure::TooManyRequests {
        reply.headers.push((RETRY_AFTER, fault.retry_after.to_string()));
    }
    reply.headers.push((X_TOKENBENCH_FAULT, FAULT_INJECTED.to_owned()));
    Some(reply)
}

/// The first half of the reply's JSON text: what a client gets when a proxy cuts an answer short.
pub fn truncated_body(reply: &Reply) -> String {
    let text = reply.body.to_string();
    let mut cut = text.len() / 2;
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    text[..cut].to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fault(failure: Failure) -> Fault {
        Fault {
            failure,
            retry_after: 7,
            ..Fault::default()
        }
    }

    #[test]
    fn a_forced_429_says_when_to_retry_and_malformed_bodies_do_not_parse() {
        let reply = forced_reply(&fault(Failure::TooManyRequests)).unwrap_or_else(|| Reply::ok("".into()));
        assert_eq!(
            (reply.status, reply.body["error"].as_str()),
            (429, Some("too_many_requests"))
        );
        assert_eq!(
            reply.headers,
            [
                ("retry-after", "7".to_owned()),
                ("x-tokenbench-fault", "injected".to_owned())
            ]
        );
        assert!(forced_reply(&fault(Failure::MalformedBody)).is_none());
        let cut = truncated_body(&Reply::ok(serde_json::json!({"access_token": "é".repeat(9)})));
        assert!(serde_json::from_str::<serde_json::Value>(&cut).is_err() && cut.starts_with("{\"access_token"));
    }
}
