//! The one SASL authenticator for IMAP, POP3 and SMTP: XOAUTH2 and OAUTHBEARER
//! (RFC 7628) initial responses, mechanism choice, and the failure-challenge dance.
//!
//! The protocol code owns the lines; this module owns the bytes. A [`SaslExchange`]
//! is fed every server continuation and says what to answer: the initial response the
//! first time, then the mechanism's failure answer (an empty line for XOAUTH2, a single
//! 0x01 for OAUTHBEARER) while it keeps the decoded challenge, which is the best clue
//! for the user. When the server's final refusal arrives, [`SaslExchange::fail`] turns
//! it into a typed [`SaslFailure`].

mod failure;
mod imap;

pub use failure::{Challenge, SaslFailure};
pub use imap::ImapAuthenticator;

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use zeroize::Zeroizing;

use super::Secret;

/// An OAuth2 SASL mechanism.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mechanism {
    /// Google's and Microsoft's `XOAUTH2`.
    XOAuth2,
    /// RFC 7628 `OAUTHBEARER`.
    OAuthBearer,
}

impl Mechanism {
    /// The name on the wire (`AUTHENTICATE <name>`, `AUTH <name>`).
    pub fn name(self) -> &'static str {
        match self {
            Mechanism::XOAuth2 => "XOAUTH2",
            Mechanism::OAuthBearer => "OAUTHBEARER",
        }
    }

    /// Parses a mechanism name, ignoring ASCII case.
    pub fn from_name(name: &str) -> Option<Mechanism> {
        if name.eq_ignore_ascii_case("XOAUTH2") {
            Some(Mechanism::XOAuth2)
        } else if name.eq_ignore_ascii_case("OAUTHBEARER") {
            Some(Mechanism::OAuthBearer)
        } else {
            None
        }
    }

    /// The mechanism to use with a server offering `offered` (names as advertised):
    /// `forced` when the account insists on one, else OAUTHBEARER when offered, else
    /// XOAUTH2 (also when the server lists neither: some servers do not advertise it,
    /// and its refusal is clearer than a client-side guess).
    pub fn choose<'a>(
        offered: impl IntoIterator<Item = &'a str>,
        forced: Option<Mechanism>,
    ) -> Mechanism {
        if let Some(mechanism) = forced {
            return mechanism;
        }
        let bearer_offered = offered
            .into_iter()
            .any(|name| Mechanism::from_name(name) == Some(Mechanism::OAuthBearer));
        if bearer_offered {
            Mechanism::OAuthBearer
        } else {
            Mechanism::XOAuth2
        }
    }

    /// What the client answers to a failure challenge: RFC 7628 wants a single 0x01 for
    /// OAUTHBEARER; XOAUTH2 (Google, Microsoft) wants an empty response.
    pub fn failure_answer(self) -> &'static [u8] {
        match self {
            Mechanism::XOAuth2 => b"",
            Mechanism::OAuthBearer => b"\x01",
        }
    }
}

impl fmt::Display for Mechanism {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The mail protocol an exchange runs over (for messages and diagnosis).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Protocol {
    Imap,
    Pop3,
    Smtp,
}

impl Protocol {
    pub fn as_str(self) -> &'static str {
        match self {
            Protocol::Imap => "IMAP",
            Protocol::Pop3 => "POP3",
            Protocol::Smtp => "SMTP",
        }
    }
}

impl fmt::Display for Protocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Everything an OAuth2 SASL login needs. `Debug` shows the token's length only.
#[derive(Debug, Clone)]
pub struct OAuthSasl {
    /// The mailbox address (`user=` / `a=`); it must equal the token's user.
    pub user: String,
    pub token: Secret,
    /// The server's host and port, sent by OAUTHBEARER.
    pub host: String,
    pub port: u16,
    pub mechanism: Mechanism,
}

impl OAuthSasl {
    pub fn new(
        user: impl Into<String>,
        token: Secret,
        host: impl Into<String>,
        port: u16,
        mechanism: Mechanism,
    ) -> OAuthSasl {
        OAuthSasl {
            user: user.into(),
            token,
            host: host.into(),
            port,
            mechanism,
        }
    }

    /// The client's initial response, not yet base64-encoded. Wiped when dropped.
    pub fn initial_response(&self) -> Zeroizing<Vec<u8>> {
        let token = self.token.expose();
        let text = match self.mechanism {
            Mechanism::XOAuth2 => format!("user={}\x01auth=Bearer {token}\x01\x01", self.user),
            Mechanism::OAuthBearer => format!(
                "n,a={},\x01host={}\x01port={}\x01auth=Bearer {token}\x01\x01",
                gs2_escape(&self.user),
                self.host,
                self.port
            ),
        };
        Zeroizing::new(text.into_bytes())
    }

    /// The initial response as it goes on the wire (base64).
    pub fn initial_response_base64(&self) -> Secret {
        Secret::new(BASE64.encode(self.initial_response().as_slice()))
    }

    /// A fresh exchange for one authentication attempt over `protocol`.
    pub fn exchange(&self, protocol: Protocol) -> SaslExchange<'_> {
        SaslExchange {
            sasl: self,
            protocol,
            initial_sent: false,
            continuations: 0,
            challenge: None,
        }
    }
}

/// RFC 5801 `saslname`: `,` and `=` in the authzid are escaped.
fn gs2_escape(user: &str) -> String {
    user.replace('=', "=3D").replace(',', "=2C")
}

/// One authentication attempt in progress. Feed it the server's continuations; it
/// answers and remembers the failure challenge.
#[derive(Debug)]
pub struct SaslExchange<'a> {
    sasl: &'a OAuthSasl,
    protocol: Protocol,
    initial_sent: bool,
    continuations: usize,
    challenge: Option<Challenge>,
}

/// A server that keeps challenging after our failure answer is broken or hostile:
/// the protocol code cancels (`*`) after this many continuations.
pub const MAX_CONTINUATIONS: usize = 4;

impl SaslExchange<'_> {
    pub fn mechanism(&self) -> Mechanism {
        self.sasl.mechanism
    }

    pub fn protocol(&self) -> Protocol {
        self.protocol
    }

    /// The initial response for sending inline with the command (SASL-IR, `AUTH
    /// XOAUTH2 <ir>`): base64. After this, every continuation is a failure challenge.
    pub fn inline_initial_response(&mut self) -> Secret {
        self.initial_sent = true;
        self.sasl.initial_response_base64()
    }

    /// The raw answer to a continuation whose payload was `decoded`: the initial
    /// response if not sent yet, else the failure answer (the challenge is kept).
    pub fn answer(&mut self, decoded: &[u8]) -> Zeroizing<Vec<u8>> {
        self.continuations += 1;
        if !self.initial_sent {
            self.initial_sent = true;
            return self.sasl.initial_response();
        }
        self.challenge = Some(Challenge::from_decoded(decoded));
        Zeroizing::new(self.sasl.mechanism.failure_answer().to_vec())
    }

    /// [`answer`](Self::answer) for a continuation as received (base64 text after
    /// `+ ` or `334 `); returns the base64 line to send. A payload that is not base64
    /// is kept as text and answered like any failure challenge.
    pub fn answer_base64(&mut self, payload: &str) -> Secret {
        let payload = payload.trim();
        let answer = match BASE64.decode(payload) {
            Ok(decoded) => self.answer(&decoded),
            Err(_) => self.answer(payload.as_bytes()),
        };
        Secret::new(BASE64.encode(answer.as_slice()))
    }

    /// Whether the server has challenged more often than a well-behaved one would.
    pub fn too_many_continuations(&self) -> bool {
        self.continuations >= MAX_CONTINUATIONS
    }

    /// The failure challenge received so far, if any.
    pub fn challenge(&self) -> Option<&Challenge> {
        self.challenge.as_ref()
    }

    /// The server refused: `server_response` is its final line (tag stripped).
    pub fn fail(self, server_response: impl Into<String>) -> SaslFailure {
        SaslFailure::new(
            self.sasl.mechanism,
            self.protocol,
            self.challenge,
            server_response.into(),
        )
    }
}

/// `\0user\0password` for SASL PLAIN (password accounts). Wiped when dropped.
pub fn plain_response(user: &str, password: &Secret) -> Zeroizing<Vec<u8>> {
    Zeroizing::new(format!("\0{user}\0{}", password.expose()).into_bytes())
}

/// Base64 as used on every SASL line.
pub fn encode_base64(bytes: &[u8]) -> Secret {
    Secret::new(BASE64.encode(bytes))
}
