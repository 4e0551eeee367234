//! Errors of the protocol layer: each names the server and says what to do.

use std::path::PathBuf;

use crate::auth::sasl::{Protocol, SaslFailure};

/// Building the TLS configuration failed (before any connection).
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("cannot read the CA file {}: {source}\n  hint: fix or remove `ca_file` in the account's config", path.display())]
    CaFileRead {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the CA file {} is not valid PEM: {detail}\n  hint: `ca_file` must hold one or more `-----BEGIN CERTIFICATE-----` blocks", path.display())]
    CaFileInvalid { path: PathBuf, detail: String },
    #[error("the CA file {} holds no certificate\n  hint: `ca_file` must hold one or more `-----BEGIN CERTIFICATE-----` blocks", path.display())]
    CaFileEmpty { path: PathBuf },
    #[error(
        "no trusted root certificates: the system store is empty and no `ca_file` is set\n  hint: install the ca-certificates package or set `ca_file`"
    )]
    NoRoots,
    #[error("cannot set up TLS: {0}")]
    Config(#[from] rustls::Error),
}

/// What to do about a failed TLS handshake: a connection closed or reset before
/// the server's first TLS answer is not a certificate problem.
fn handshake_hint(source: &std::io::Error) -> &'static str {
    use std::io::ErrorKind;
    match source.kind() {
        ErrorKind::UnexpectedEof | ErrorKind::ConnectionReset | ErrorKind::ConnectionAborted => {
            "the server closed the connection before TLS was set up: check the port and `tls` \
             (\"implicit\" on 465, 993 and 995, \"starttls\" on 587, 143 and 110); a server \
             that is restarting or turning connections away does the same, so try again later"
        }
        _ => {
            "if the server uses a private CA, point `ca_file` at it; the host name must match \
             the certificate"
        }
    }
}

/// Connecting, securing or logging in to a mail server failed.
#[derive(Debug, thiserror::Error)]
pub enum ProtoError {
    #[error("the account has no {protocol} server configured")]
    NotConfigured { protocol: Protocol },
    #[error(transparent)]
    Tls(#[from] TlsError),
    #[error("cannot connect to {host}:{port}: {source}")]
    Connect {
        host: String,
        port: u16,
        source: std::io::Error,
    },
    #[error("{host}:{port} did not answer in time ({what})")]
    Timeout {
        host: String,
        port: u16,
        what: &'static str,
    },
    /// Certificate not trusted, wrong host name, protocol failure: nothing was sent.
    #[error(
        "TLS with {host}:{port} failed, nothing was sent: {source}\n  hint: {}",
        handshake_hint(source)
    )]
    Handshake {
        host: String,
        port: u16,
        source: std::io::Error,
    },
    #[error(
        "{host}:{port} ({protocol}) does not offer STARTTLS, so postern stopped before sending any credential\n  hint: use the server's implicit-TLS port (`tls = \"implicit\"`), or check for a network device stripping STARTTLS"
    )]
    StarttlsNotOffered {
        host: String,
        port: u16,
        protocol: Protocol,
    },
    #[error(
        "{host}:{port} ({protocol}) refused STARTTLS ({response}), so postern stopped before sending any credential"
    )]
    StarttlsRefused {
        host: String,
        port: u16,
        protocol: Protocol,
        response: String,
    },
    #[error(
        "{host}:{port} sent data right after agreeing to STARTTLS (a sign of tampering), so postern stopped"
    )]
    StarttlsInjection { host: String, port: u16 },
    #[error(
        "refusing plaintext to {host}: `tls = \"none\"` is only allowed for loopback addresses"
    )]
    PlaintextRefused { host: String },
    #[error("could not get an access token: {0}")]
    Tokens(#[source] Box<dyn std::error::Error + Send + Sync>),
    #[error(transparent)]
    Sasl(Box<SaslFailure>),
    #[error("the {protocol} server refused the password for {user}: {server_response}")]
    PasswordRejected {
        protocol: Protocol,
        user: String,
        server_response: String,
    },
    #[error("the {protocol} server {host}:{port} does not allow password login here: {detail}")]
    LoginDisabled {
        protocol: Protocol,
        host: String,
        port: u16,
        detail: String,
    },
    /// The server answered a command with an error (`-ERR`, `NO`); the session is
    /// still in step and can go on.
    #[error("the {protocol} server {host}:{port} refused {command}: {response}")]
    CommandRefused {
        protocol: Protocol,
        host: String,
        port: u16,
        command: String,
        response: String,
    },
    #[error("{protocol} error with {host}:{port}: {detail}")]
    Protocol {
        protocol: Protocol,
        host: String,
        port: u16,
        detail: String,
    },
    #[error("connection to {host}:{port} failed: {source}")]
    Io {
        host: String,
        port: u16,
        source: std::io::Error,
    },
    /// The SMTP server refused a step of sending (`MAIL FROM`, `DATA`, the message).
    #[error("{host}:{port} refused {step}: {reply}{}", refusal_hint(reply))]
    SmtpRefused {
        host: String,
        port: u16,
        step: &'static str,
        /// The server's answer: `550 5.7.1 Message rejected`.
        reply: String,
    },
    /// Some recipients were refused; nothing was sent to anyone (the transaction was
    /// reset, so fixing the address and retrying reaches everyone exactly once).
    #[error(
        "{host}:{port} refused {} of {} recipients, so the message was not sent: {}",
        refused.len(),
        refused.len() + accepted,
        refused.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ")
    )]
    RecipientsRefused {
        host: String,
        port: u16,
        refused: Vec<RefusedRecipient>,
        accepted: usize,
    },
    /// The message was sent but the server's answer never came: it may or may not
    /// have been accepted.
    #[error(
        "the connection to {host}:{port} broke after the message was sent and before the server confirmed it ({detail}); it may have been delivered\n  hint: check the recipient's copy or your Sent folder before sending it again"
    )]
    SmtpOutcomeUnknown {
        host: String,
        port: u16,
        detail: String,
    },
    /// postern will not send this over this server (nothing was sent).
    #[error("cannot send through {host}:{port}: {reason}")]
    SmtpCannotSend {
        host: String,
        port: u16,
        reason: String,
    },
}

/// What to do about a refusal postern recognises; empty for the others.
fn refusal_hint(reply: &str) -> &'static str {
    // 552 / 5.3.4: over the size limit. Microsoft 365 announces a SIZE far above
    // what it takes, so this comes after DATA although the size was checked.
    if reply.starts_with("552") || reply.contains("5.3.4") {
        "\n  hint: the message is larger than the server takes (it may announce a \
         larger limit than it keeps to); remove or shrink attachments, which grow by a \
         third when encoded, or share big files by a link"
    } else {
        ""
    }
}

/// One `RCPT TO` the server refused, with its answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefusedRecipient {
    pub address: String,
    /// `550 5.1.1 <x@example.org>: Recipient address rejected`.
    pub reply: String,
}

impl std::fmt::Display for RefusedRecipient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.address, self.reply)
    }
}

impl From<SaslFailure> for ProtoError {
    fn from(failure: SaslFailure) -> Self {
        ProtoError::Sasl(Box::new(failure))
    }
}

impl ProtoError {
    /// The server refused the credentials themselves (a password, or a token over
    /// SASL): logging in again with the same ones cannot help.
    pub fn is_login_refused(&self) -> bool {
        matches!(
            self,
            ProtoError::PasswordRejected { .. } | ProtoError::Sasl(_)
        )
    }

    /// The SASL refusal, when that is what this is.
    pub fn sasl_failure(&self) -> Option<&SaslFailure> {
        match self {
            ProtoError::Sasl(failure) => Some(failure),
            _ => None,
        }
    }

    /// The SMTP server's answer that made sending fail, when there was one
    /// (several refused recipients: joined with `; `).
    pub fn smtp_reply(&self) -> Option<String> {
        match self {
            ProtoError::SmtpRefused { reply, .. } => Some(reply.clone()),
            ProtoError::RecipientsRefused { refused, .. } => Some(
                refused
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("; "),
            ),
            _ => None,
        }
    }

    /// Sending failed for good: retrying the same message will fail the same way (a
    /// 5xx answer, or something postern refuses to send). Connection trouble and 4xx
    /// answers are not permanent.
    pub fn is_permanent_send_failure(&self) -> bool {
        let permanent = |reply: &str| reply.starts_with('5');
        match self {
            ProtoError::SmtpRefused { reply, .. } => permanent(reply),
            ProtoError::RecipientsRefused { refused, .. } => {
                refused.iter().any(|r| permanent(&r.reply))
            }
            ProtoError::SmtpCannotSend { .. } => true,
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::ProtoError;
    use std::io::{Error, ErrorKind};

    fn handshake(kind: ErrorKind) -> String {
        ProtoError::Handshake {
            host: "mail.example.org".into(),
            port: 465,
            source: Error::new(kind, "tls handshake failed"),
        }
        .to_string()
    }

    #[test]
    fn a_handshake_cut_short_points_at_the_port_not_the_certificate() {
        let closed = handshake(ErrorKind::UnexpectedEof);
        assert!(
            closed.contains("closed the connection before TLS"),
            "{closed}"
        );
        assert!(!closed.contains("ca_file"), "{closed}");
        let refused = handshake(ErrorKind::InvalidData);
        assert!(refused.contains("point `ca_file` at it"), "{refused}");
    }
}
