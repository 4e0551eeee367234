//! One SMTP mail transaction over a logged-in session: `MAIL FROM`, `RCPT TO` for
//! each recipient, `DATA`, the message (dot-stuffed by lettre), the final reply.
//!
//! Commands go through lettre's `command`/`message` rather than its `send`, which
//! stops at the first refused recipient and closes the connection on any refusal:
//! here every refused recipient is reported, the transaction is reset, and the
//! session stays usable for the next message.

use std::str::FromStr;
use std::time::Duration;

use lettre::transport::smtp::commands::{Data, Mail, Rcpt, Rset};
use lettre::transport::smtp::extension::{MailBodyParameter, MailParameter};
use lettre::transport::smtp::response::Response;

use super::{SmtpSession, error_text};
use crate::auth::sasl::Protocol;
use crate::proto::error::{ProtoError, RefusedRecipient};

/// The server's final answer to a message: `250 2.0.0 Ok: queued as 4Xyz`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmtpReply {
    pub code: u16,
    /// The whole answer, code first, lines joined with spaces.
    pub text: String,
}

impl std::fmt::Display for SmtpReply {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

impl SmtpReply {
    fn from_response(response: &Response) -> SmtpReply {
        let code = response.code().to_string();
        let lines = response.message().collect::<Vec<_>>().join(" ");
        SmtpReply {
            code: code.parse().unwrap_or_default(),
            text: format!("{code} {lines}").trim_end().to_owned(),
        }
    }
}

/// Sends `message` (complete, CRLF line ends, no Bcc header) to `recipients`.
///
/// A refused recipient fails the whole message, with every refusal listed, and
/// nothing is sent to anyone: the user fixes the address and everybody gets it once.
pub async fn send(
    session: &mut SmtpSession,
    envelope_from: &str,
    recipients: &[String],
    message: &[u8],
) -> Result<SmtpReply, ProtoError> {
    session
        .begin_message(envelope_from, recipients, message)
        .await?;
    session.finish_message(message).await
}

/// Why a message over the server's limit is not sent, and what to do. The size
/// counted is the encoded message: attachments grow by a third in base64.
fn too_large(size: usize, limit: usize) -> String {
    let mb = |bytes: usize| bytes as f64 / 1_000_000.0;
    format!(
        "the message is {:.1} MB as sent and the server takes at most {:.1} MB (its SIZE \
         limit), so nothing was sent\n  hint: remove or shrink attachments (they grow by a \
         third when encoded), or share big files by a link",
        mb(size),
        mb(limit)
    )
}

/// The reply text of a lettre error that carries an SMTP code.
fn refusal(error: &lettre::transport::smtp::Error) -> Option<String> {
    error
        .status()
        .map(|_| error_text(error).replace(['\r', '\n'], " "))
}

impl SmtpSession {
    /// `MAIL FROM`, `RCPT TO` each, `DATA`: after `Ok` the server waits for the
    /// message, to be given to [`SmtpSession::finish_message`]. On a refusal the
    /// transaction is reset and the session can send another message.
    pub async fn begin_message(
        &mut self,
        envelope_from: &str,
        recipients: &[String],
        message: &[u8],
    ) -> Result<(), ProtoError> {
        let from = self.envelope_address(envelope_from)?;
        if recipients.is_empty() {
            return Err(self.cannot_send("the message has no recipient"));
        }
        let to = recipients
            .iter()
            .map(|address| self.envelope_address(address))
            .collect::<Result<Vec<_>, _>>()?;

        let mut parameters = Vec::new();
        if self.has_extension("SIZE") {
            if let Some(limit) = self.size_limit()
                && message.len() > limit
            {
                return Err(self.cannot_send(too_large(message.len(), limit)));
            }
            parameters.push(MailParameter::Size(message.len()));
        }
        if !message.is_ascii() {
            if !self.has_extension("8BITMIME") {
                return Err(self.cannot_send(
                    "the message has 8-bit content and the server does not announce 8BITMIME",
                ));
            }
            parameters.push(MailParameter::Body(MailBodyParameter::EightBitMime));
        }
        let non_ascii_address =
            !envelope_from.is_ascii() || recipients.iter().any(|address| !address.is_ascii());
        if non_ascii_address {
            if !self.has_extension("SMTPUTF8") {
                return Err(self.cannot_send(
                    "an address has non-ASCII characters and the server does not announce SMTPUTF8",
                ));
            }
            parameters.push(MailParameter::SmtpUtfEight);
        }

        if let Err(reply) = self
            .step("MAIL FROM", Mail::new(Some(from), parameters))
            .await?
        {
            return Err(self.refused("MAIL FROM", reply));
        }
        let mut refused = Vec::new();
        for (address, recipient) in recipients.iter().zip(to) {
            if let Err(reply) = self.step("RCPT TO", Rcpt::new(recipient, vec![])).await? {
                refused.push(RefusedRecipient {
                    address: address.clone(),
                    reply,
                });
            }
        }
        if !refused.is_empty() {
            self.reset().await?;
            return Err(ProtoError::RecipientsRefused {
                host: self.peer.host.clone(),
                port: self.peer.port,
                accepted: recipients.len() - refused.len(),
                refused,
            });
        }
        if let Err(reply) = self.step("DATA", Data).await? {
            self.reset().await?;
            return Err(self.refused("DATA", reply));
        }
        Ok(())
    }

    /// Sends the message after [`SmtpSession::begin_message`] and returns the
    /// server's final reply. A connection lost here is
    /// [`ProtoError::SmtpOutcomeUnknown`]: the server may have the whole message.
    pub async fn finish_message(&mut self, message: &[u8]) -> Result<SmtpReply, ProtoError> {
        // lettre ends the data with CRLF.CRLF: the message's own last CRLF is that
        // first CRLF, so drop it (else the recipient gets an extra empty line).
        let data = message.strip_suffix(b"\r\n").unwrap_or(message);
        let limit = data_timeout(self.timeouts.command, data.len());
        let outcome = tokio::time::timeout(limit, self.connection.message(data)).await;
        let unknown = |detail: String| ProtoError::SmtpOutcomeUnknown {
            host: self.peer.host.clone(),
            port: self.peer.port,
            detail,
        };
        match outcome {
            Err(_) => Err(unknown(format!("no answer within {} s", limit.as_secs()))),
            Ok(Ok(response)) => Ok(SmtpReply::from_response(&response)),
            Ok(Err(error)) => match refusal(&error) {
                Some(reply) => Err(self.refused("the message", reply)),
                None => Err(unknown(error_text(&error))),
            },
        }
    }

    /// One command: `Ok(Ok(()))` accepted, `Ok(Err(reply))` refused with the
    /// server's answer, `Err` connection trouble.
    async fn step(
        &mut self,
        what: &'static str,
        command: impl std::fmt::Display,
    ) -> Result<Result<(), String>, ProtoError> {
        let peer = self.peer.clone();
        let connection = &mut self.connection;
        peer.timed(self.timeouts.command, what, async {
            match connection.command(command).await {
                Ok(_) => Ok(Ok(())),
                Err(error) => match refusal(&error) {
                    Some(reply) => Ok(Err(reply)),
                    None => Err(peer.protocol_error(Protocol::Smtp, error_text(&error))),
                },
            }
        })
        .await
    }

    /// `RSET` after a refusal; a refused RSET is ignored (the next MAIL FROM starts
    /// over anyway), a broken connection is not.
    async fn reset(&mut self) -> Result<(), ProtoError> {
        self.step("RSET", Rset).await.map(|_| ())
    }

    /// The largest message the server takes (EHLO `SIZE n`, RFC 1870); `None`
    /// when it names no limit (`SIZE` alone or `SIZE 0`).
    fn size_limit(&self) -> Option<usize> {
        self.extensions.iter().find_map(|line| {
            let mut words = line.split_whitespace();
            let keyword = words.next()?;
            if !keyword.eq_ignore_ascii_case("SIZE") {
                return None;
            }
            words.next()?.parse().ok().filter(|limit| *limit > 0)
        })
    }

    fn has_extension(&self, keyword: &str) -> bool {
        self.extensions.iter().any(|line| {
            let first = line.split_whitespace().next().unwrap_or_default();
            first.eq_ignore_ascii_case(keyword)
        })
    }

    fn envelope_address(&self, address: &str) -> Result<lettre::Address, ProtoError> {
        lettre::Address::from_str(address).map_err(|error| {
            self.cannot_send(format!("`{address}` is not a valid address ({error})"))
        })
    }

    fn cannot_send(&self, reason: impl Into<String>) -> ProtoError {
        ProtoError::SmtpCannotSend {
            host: self.peer.host.clone(),
            port: self.peer.port,
            reason: reason.into(),
        }
    }

    fn refused(&self, step: &'static str, reply: String) -> ProtoError {
        ProtoError::SmtpRefused {
            host: self.peer.host.clone(),
            port: self.peer.port,
            step,
            reply,
        }
    }
}

/// Time for the data and the final reply: the command limit plus one second per
/// 64 KB (a slow uplink), as RFC 5321 allows servers minutes for the final reply.
fn data_timeout(command: Duration, len: usize) -> Duration {
    command + Duration::from_secs((len / 65_536) as u64)
}
