//! What a server said when it refused an OAuth2 login.

use std::fmt;

use super::{Mechanism, Protocol};

/// The payload of a server's failure challenge, decoded from base64.
#[derive(Debug, Clone, PartialEq)]
pub enum Challenge {
    /// The usual form: `{"status":"401","schemes":"bearer","scope":"..."}`.
    Json(serde_json::Value),
    /// Anything else, as (lossy UTF-8) text.
    Text(String),
}

impl Challenge {
    pub fn from_decoded(decoded: &[u8]) -> Challenge {
        match serde_json::from_slice::<serde_json::Value>(decoded) {
            Ok(value) if value.is_object() => Challenge::Json(value),
            _ => Challenge::Text(String::from_utf8_lossy(decoded).into_owned()),
        }
    }

    /// The JSON `status` ("401", "400", "invalid_token"), numbers given as text.
    pub fn status(&self) -> Option<String> {
        self.field("status")
    }

    /// The JSON `scope` the server wants, if it said.
    pub fn scope(&self) -> Option<String> {
        self.field("scope")
    }

    fn field(&self, name: &str) -> Option<String> {
        match self {
            Challenge::Json(value) => match value.get(name)? {
                serde_json::Value::String(text) => Some(text.clone()),
                serde_json::Value::Number(number) => Some(number.to_string()),
                _ => None,
            },
            Challenge::Text(_) => None,
        }
    }
}

impl fmt::Display for Challenge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Challenge::Json(value) => write!(f, "{value}"),
            Challenge::Text(text) => f.write_str(text),
        }
    }
}

/// A server refused an OAuth2 SASL login. Carries no token.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub struct SaslFailure {
    pub mechanism: Mechanism,
    pub protocol: Protocol,
    /// The decoded failure challenge (Dovecot and Gmail send one; Microsoft does not).
    pub challenge: Option<Challenge>,
    /// The server's final line, tag stripped: `NO [AUTHENTICATIONFAILED] ...`,
    /// `-ERR [AUTH] ...`, `535 5.7.3 Authentication unsuccessful`.
    pub server_response: String,
    /// The server rejected the token itself (invalid, expired, revoked, wrong user):
    /// a renewed token may succeed. False for temporary and policy refusals.
    pub token_invalid: bool,
}

impl SaslFailure {
    pub fn new(
        mechanism: Mechanism,
        protocol: Protocol,
        challenge: Option<Challenge>,
        server_response: String,
    ) -> SaslFailure {
        let token_invalid = token_rejected(protocol, challenge.as_ref(), &server_response);
        SaslFailure {
            mechanism,
            protocol,
            challenge,
            server_response,
            token_invalid,
        }
    }

    /// The server says the failure is temporary (its own back end is down): retry
    /// later, the token is not to blame.
    pub fn temporary(&self) -> bool {
        is_temporary(self.protocol, &self.server_response)
    }
}

impl fmt::Display for SaslFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the {} server refused the {} login: {}",
            self.protocol, self.mechanism, self.server_response
        )?;
        if let Some(challenge) = &self.challenge {
            write!(f, " (its challenge said: {challenge})")?;
        }
        Ok(())
    }
}

/// Whether a refusal means "this token is no good" (so refresh once and retry).
fn token_rejected(protocol: Protocol, challenge: Option<&Challenge>, response: &str) -> bool {
    if let Some(status) = challenge.and_then(Challenge::status) {
        // 401 / invalid_token: the token. 400 (bad request, wrong user) and 403
        // (insufficient scope) do not get better with a new token of the same kind.
        return status == "401" || status.eq_ignore_ascii_case("invalid_token");
    }
    if is_temporary(protocol, response) || is_privacy_refusal(protocol, response) {
        return false;
    }
    // No challenge (Microsoft answers at once): a plain authentication failure may
    // well be an expired or revoked token.
    let upper = response.to_ascii_uppercase();
    match protocol {
        Protocol::Imap => upper.starts_with("NO"),
        Protocol::Pop3 => upper.starts_with("-ERR"),
        Protocol::Smtp => upper.starts_with("535"),
    }
}

fn is_temporary(protocol: Protocol, response: &str) -> bool {
    let upper = response.to_ascii_uppercase();
    match protocol {
        Protocol::Imap => upper.contains("[UNAVAILABLE]") || upper.contains("[SERVERBUG]"),
        Protocol::Pop3 => upper.contains("[SYS/TEMP]") || upper.contains("[IN-USE]"),
        Protocol::Smtp => upper.starts_with('4'),
    }
}

/// "Plaintext authentication disabled": a TLS problem, not a token problem.
fn is_privacy_refusal(protocol: Protocol, response: &str) -> bool {
    let upper = response.to_ascii_uppercase();
    match protocol {
        Protocol::Imap => upper.contains("[PRIVACYREQUIRED]"),
        Protocol::Pop3 => upper.contains("PLAINTEXT AUTHENTICATION DISABLED"),
        Protocol::Smtp => upper.starts_with("523") || upper.starts_with("530"),
    }
}
