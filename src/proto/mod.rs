//! Mail protocols: TLS, and IMAP, POP3 and SMTP clients that connect and log in
//! through the shared SASL authenticator. The mail engine builds on these sessions.

pub mod error;
pub mod imap;
pub mod line;
mod login;
pub mod pop3;
pub mod smtp;
mod starttls;
pub mod stream;
pub mod tls;

use std::future::Future;
use std::time::Duration;

pub use error::{ProtoError, RefusedRecipient, TlsError};
pub use stream::MailStream;

/// The largest message postern accepts from a server (a POP3 RETR, an IMAP body):
/// a hostile or broken server cannot make it buffer without end (SQLite's own limit
/// for one value is 1 GB).
pub const MAX_MESSAGE_BYTES: usize = 256 * 1024 * 1024;

use crate::auth::sasl::Mechanism;

/// Time limits for network steps. Every socket operation runs under one of these.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// TCP connect.
    pub connect: Duration,
    /// TLS handshake.
    pub handshake: Duration,
    /// One command and its answer (greeting, CAPABILITY, STARTTLS, ...).
    pub command: Duration,
    /// A whole authentication exchange. Dovecot 2.3.19's POP3 login can stall on a
    /// long continuation line: this is what turns a hang into an error.
    pub auth: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            connect: Duration::from_secs(15),
            handshake: Duration::from_secs(15),
            command: Duration::from_secs(30),
            auth: Duration::from_secs(30),
        }
    }
}

/// How to connect and log in.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConnectOptions {
    /// Force a SASL mechanism instead of choosing from the server's capabilities.
    /// Set from the account's `sasl_mechanism` by [`ConnectOptions::for_account`].
    pub mechanism: Option<Mechanism>,
    pub timeouts: Timeouts,
}

impl ConnectOptions {
    /// Default timeouts, and the SASL mechanism the account's config forces, if any.
    pub fn for_account(account: &crate::config::Account) -> ConnectOptions {
        let mechanism = match &account.auth {
            crate::config::Auth::OAuth2(oauth) => oauth.sasl_mechanism.map(|forced| match forced {
                crate::config::SaslMechanism::XOAuth2 => Mechanism::XOAuth2,
                crate::config::SaslMechanism::OAuthBearer => Mechanism::OAuthBearer,
            }),
            _ => None,
        };
        ConnectOptions {
            mechanism,
            timeouts: Timeouts::default(),
        }
    }
}

/// Where we are talking to, for error messages.
#[derive(Debug, Clone)]
pub(crate) struct Peer {
    pub host: String,
    pub port: u16,
}

impl Peer {
    pub(crate) fn new(host: &str, port: u16) -> Peer {
        Peer {
            host: host.to_owned(),
            port,
        }
    }

    /// Runs `step` under `limit`; a timeout becomes [`ProtoError::Timeout`].
    pub(crate) async fn timed<T>(
        &self,
        limit: Duration,
        what: &'static str,
        step: impl Future<Output = Result<T, ProtoError>>,
    ) -> Result<T, ProtoError> {
        match tokio::time::timeout(limit, step).await {
            Ok(result) => result,
            Err(_) => Err(ProtoError::Timeout {
                host: self.host.clone(),
                port: self.port,
                what,
            }),
        }
    }

    pub(crate) fn io(&self) -> impl FnOnce(std::io::Error) -> ProtoError + '_ {
        move |source| ProtoError::Io {
            host: self.host.clone(),
            port: self.port,
            source,
        }
    }

    pub(crate) fn protocol_error(
        &self,
        protocol: crate::auth::sasl::Protocol,
        detail: impl Into<String>,
    ) -> ProtoError {
        ProtoError::Protocol {
            protocol,
            host: self.host.clone(),
            port: self.port,
            detail: detail.into(),
        }
    }
}
