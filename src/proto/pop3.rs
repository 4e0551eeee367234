//! POP3: a small line client of postern's own, over TLS, logging in with OAuth2 SASL
//! (Microsoft's two-line form) or a password.
//!
//! Why not async-pop: its `sasl::Authenticator` cannot tell a failure challenge
//! (`+ <json>`) from the final `+OK` (its `next_challenge` consumes whichever comes,
//! and `auth` then waits for a line that never arrives), its client state is private
//! so a login done around it cannot be handed back, and it cannot send STLS. POP3 is
//! a handful of commands: UIDL, LIST, RETR, DELE, RSET, NOOP and QUIT are here.
//!
//! Deletions only take effect at a successful QUIT (RFC 1939 §6): a session that
//! drops before it keeps every message on the server.

mod dot;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

use super::error::ProtoError;
use super::line::{read_line, strip_prefix_ignore_case};
use super::stream::MailStream;
use super::tls::{self, Connected};
use super::{ConnectOptions, Peer, Timeouts};
use crate::auth::credentials::Credentials;
use crate::auth::sasl::{self, OAuthSasl, Protocol, SaslFailure};
use crate::auth::{AccessTokens, Secret};
use crate::config::Account;
use crate::proto::login::{self, SaslSession};

pub use super::MAX_MESSAGE_BYTES;

/// A message's number in this session and its size in octets (`LIST`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MessageSize {
    pub number: u32,
    pub size: u64,
}

/// A message's number in this session and its unique id, stable across sessions (`UIDL`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageUidl {
    pub number: u32,
    pub uidl: String,
}

/// A POP3 connection (logged in once returned by the `connect_*` functions).
#[derive(Debug)]
pub struct Pop3Session {
    io: BufReader<MailStream>,
    capabilities: Vec<String>,
    peer: Peer,
    timeouts: Timeouts,
}

/// Connects to the account's POP3 server and logs in with OAuth2.
pub async fn connect_authenticated<T: AccessTokens>(
    account: &Account,
    tokens: &T,
) -> Result<Pop3Session, ProtoError> {
    connect_oauth(account, tokens, &ConnectOptions::for_account(account)).await
}

/// Connects and logs in with whichever credentials the account has.
pub async fn connect(
    account: &Account,
    credentials: &Credentials,
    options: &ConnectOptions,
) -> Result<Pop3Session, ProtoError> {
    match credentials {
        Credentials::Tokens(tokens) => connect_oauth(account, tokens.as_ref(), options).await,
        Credentials::Password(secret) => connect_password(account, secret, options).await,
    }
}

/// [`connect_authenticated`] with options; one `token_rejected` and one retry when
/// the server rejects the token as invalid.
pub async fn connect_oauth<T: AccessTokens>(
    account: &Account,
    tokens: &T,
    options: &ConnectOptions,
) -> Result<Pop3Session, ProtoError> {
    let session = open(account, &options.timeouts).await?;
    login::login_session(session, tokens, &account.email, options.mechanism).await
}

impl SaslSession for Pop3Session {
    fn peer(&self) -> &Peer {
        &self.peer
    }

    fn offered_mechanisms(&self) -> impl Iterator<Item = &str> {
        self.sasl_mechanisms()
    }

    /// One OAuth2 login in the two-line form Microsoft documents (`AUTH XOAUTH2`, `+`,
    /// then the response). `Ok(Err(..))` is a refusal; the session stays usable for a
    /// retry. The whole exchange runs under the auth timeout: Dovecot 2.3.19 can
    /// stall on a long response line.
    async fn try_oauth(&mut self, sasl: &OAuthSasl) -> Result<Result<(), SaslFailure>, ProtoError> {
        let peer = self.peer.clone();
        let limit = self.timeouts.auth;
        peer.timed(limit, "AUTH", async {
            let mut exchange = sasl.exchange(Protocol::Pop3);
            self.send(&format!("AUTH {}", sasl.mechanism)).await?;
            loop {
                let reply = self.read_line().await?;
                if reply.starts_with("+OK") {
                    return Ok(Ok(()));
                }
                if reply.starts_with("-ERR") {
                    return Ok(Err(exchange.fail(reply)));
                }
                let Some(payload) = reply.strip_prefix('+') else {
                    return Err(peer.protocol_error(
                        Protocol::Pop3,
                        format!("unexpected answer to AUTH: {reply}"),
                    ));
                };
                if exchange.too_many_continuations() {
                    self.send("*").await?;
                    continue;
                }
                let answer = exchange.answer_base64(payload);
                self.send_secret(answer.expose()).await?;
            }
        })
        .await
    }
}

/// Connects and logs in with a password: AUTH PLAIN when offered, else USER/PASS.
pub async fn connect_password(
    account: &Account,
    password: &Secret,
    options: &ConnectOptions,
) -> Result<Pop3Session, ProtoError> {
    let mut session = open(account, &options.timeouts).await?;
    let peer = session.peer.clone();
    let plain = session
        .sasl_mechanisms()
        .any(|m| m.eq_ignore_ascii_case("PLAIN"));
    let reply = peer
        .timed(options.timeouts.auth, "login", async {
            if plain {
                let response = sasl::encode_base64(&sasl::plain_response(&account.email, password));
                session
                    .send_secret(&format!("AUTH PLAIN {}", response.expose()))
                    .await?;
                session.read_line().await
            } else {
                session.send(&format!("USER {}", account.email)).await?;
                let reply = session.read_line().await?;
                if !reply.starts_with("+OK") {
                    return Ok(reply);
                }
                session
                    .send_secret(&format!("PASS {}", password.expose()))
                    .await?;
                session.read_line().await
            }
        })
        .await?;
    if reply.starts_with("+OK") {
        Ok(session)
    } else {
        Err(ProtoError::PasswordRejected {
            protocol: Protocol::Pop3,
            user: account.email.clone(),
            server_response: reply,
        })
    }
}

async fn open(account: &Account, timeouts: &Timeouts) -> Result<Pop3Session, ProtoError> {
    let endpoint = account.pop3.as_ref().ok_or(ProtoError::NotConfigured {
        protocol: Protocol::Pop3,
    })?;
    let config = tls::client_config(account.ca_file.as_deref())?;
    let Connected { stream, greeting } =
        tls::open(endpoint, config, Protocol::Pop3, timeouts).await?;
    let mut session = Pop3Session {
        io: BufReader::new(stream),
        capabilities: Vec::new(),
        peer: Peer::new(&endpoint.host, endpoint.port),
        timeouts: *timeouts,
    };
    let peer = session.peer.clone();
    peer.timed(timeouts.command, "greeting and CAPA", async {
        if greeting.is_none() {
            let greeting = session.read_line().await?;
            if !greeting.starts_with("+OK") {
                return Err(
                    peer.protocol_error(Protocol::Pop3, format!("unexpected greeting: {greeting}"))
                );
            }
        }
        // After STLS the capabilities are asked again: the clear-text ones may be forged.
        session.capabilities = session.capa().await?;
        Ok(())
    })
    .await?;
    Ok(session)
}

impl Pop3Session {
    /// The server's CAPA lines (`TOP`, `UIDL`, `SASL PLAIN XOAUTH2`, ...).
    pub fn capabilities(&self) -> &[String] {
        &self.capabilities
    }

    /// Mechanisms from the `SASL` capability line.
    pub fn sasl_mechanisms(&self) -> impl Iterator<Item = &str> {
        self.capabilities
            .iter()
            .filter_map(|line| strip_prefix_ignore_case(line, "SASL "))
            .flat_map(str::split_whitespace)
    }

    /// Sends a command and reads its one-line answer: the text after `+OK`, or a
    /// protocol error carrying the `-ERR` line.
    pub async fn command(&mut self, line: &str) -> Result<String, ProtoError> {
        let peer = self.peer.clone();
        let limit = self.timeouts.command;
        let reply = peer
            .timed(limit, "command", async {
                self.send(line).await?;
                self.read_line().await
            })
            .await?;
        match reply.strip_prefix("+OK") {
            Some(text) => Ok(text.trim_start().to_owned()),
            None => Err(peer.protocol_error(Protocol::Pop3, format!("{line}: {reply}"))),
        }
    }

    /// `STAT`: (message count, total size in octets).
    pub async fn stat(&mut self) -> Result<(u64, u64), ProtoError> {
        let text = self.command("STAT").await?;
        let mut fields = text.split_whitespace().map(str::parse::<u64>);
        match (fields.next(), fields.next()) {
            (Some(Ok(count)), Some(Ok(size))) => Ok((count, size)),
            _ => Err(self
                .peer
                .protocol_error(Protocol::Pop3, format!("malformed STAT answer: {text}"))),
        }
    }

    /// `QUIT`: ends the session. Only a `+OK` here commits the session's deletions.
    pub async fn quit(mut self) -> Result<(), ProtoError> {
        self.simple("QUIT").await.map(|_| ())
    }

    /// `UIDL`: the unique id of every message not marked deleted, in number order.
    pub async fn uidl_all(&mut self) -> Result<Vec<MessageUidl>, ProtoError> {
        self.simple("UIDL").await?;
        let mut listing = Vec::new();
        while let Some(line) = self.listing_line().await? {
            listing.push(self.parse_uidl(&line)?);
        }
        Ok(listing)
    }

    /// `UIDL n`: one message's unique id.
    pub async fn uidl(&mut self, number: u32) -> Result<MessageUidl, ProtoError> {
        let text = self.simple(&format!("UIDL {number}")).await?;
        self.parse_uidl(&text)
    }

    /// `LIST`: the size of every message not marked deleted, in number order.
    pub async fn list_all(&mut self) -> Result<Vec<MessageSize>, ProtoError> {
        self.simple("LIST").await?;
        let mut listing = Vec::new();
        while let Some(line) = self.listing_line().await? {
            listing.push(self.parse_size(&line)?);
        }
        Ok(listing)
    }

    /// `LIST n`: one message's size.
    pub async fn list(&mut self, number: u32) -> Result<MessageSize, ProtoError> {
        let text = self.simple(&format!("LIST {number}")).await?;
        self.parse_size(&text)
    }

    /// `RETR n`: the message as raw bytes, dot-unstuffed, line ends as sent (CRLF).
    /// `size_hint` (from LIST) sizes the buffer once. Each read has the command
    /// timeout, so a large message on a slow link is fine while a stalled one is not.
    pub async fn retr(&mut self, number: u32, size_hint: u64) -> Result<Vec<u8>, ProtoError> {
        self.send_retr(number).await?;
        self.read_retr(number, size_hint).await
    }

    /// The sending half of [`Pop3Session::retr`], for pipelining (RFC 2449
    /// `PIPELINING`): several RETRs may be sent before their answers are read, in
    /// order, with [`Pop3Session::read_retr`]. Hides one round trip per message.
    pub async fn send_retr(&mut self, number: u32) -> Result<(), ProtoError> {
        let peer = self.peer.clone();
        peer.timed(
            self.timeouts.command,
            "RETR",
            self.send(&format!("RETR {number}")),
        )
        .await
    }

    /// The reading half of [`Pop3Session::retr`]: the answer to the oldest RETR sent.
    pub async fn read_retr(&mut self, number: u32, size_hint: u64) -> Result<Vec<u8>, ProtoError> {
        let command = format!("RETR {number}");
        let peer = self.peer.clone();
        let reply = peer
            .timed(self.timeouts.command, "RETR", self.read_line())
            .await?;
        self.status(&command, reply)?;
        let hint = usize::try_from(size_hint).unwrap_or(MAX_MESSAGE_BYTES);
        let mut message = Vec::with_capacity(hint.min(MAX_MESSAGE_BYTES));
        let mut decoder = dot::DotDecoder::default();
        let peer = self.peer.clone();
        let limit = self.timeouts.command;
        loop {
            let buffer = peer
                .timed(limit, "RETR", async {
                    self.io.fill_buf().await.map_err(peer.io())
                })
                .await?;
            if buffer.is_empty() {
                return Err(peer.io()(std::io::Error::new(
                    std::io::ErrorKind::UnexpectedEof,
                    format!("the server closed the connection in the middle of message {number}"),
                )));
            }
            let fed = decoder.feed(buffer, &mut message);
            self.io.consume(fed.consumed);
            if fed.done {
                return Ok(message);
            }
            if message.len() > MAX_MESSAGE_BYTES {
                return Err(peer.protocol_error(
                    Protocol::Pop3,
                    format!(
                        "message {number} is larger than {} MB; postern stopped reading it",
                        MAX_MESSAGE_BYTES / (1024 * 1024)
                    ),
                ));
            }
        }
    }

    /// `DELE n`: marks a message deleted. Nothing is deleted until a successful QUIT.
    pub async fn dele(&mut self, number: u32) -> Result<(), ProtoError> {
        self.simple(&format!("DELE {number}")).await.map(|_| ())
    }

    /// `RSET`: unmarks every message marked deleted in this session.
    pub async fn rset(&mut self) -> Result<(), ProtoError> {
        self.simple("RSET").await.map(|_| ())
    }

    /// `NOOP`: keeps the session alive and checks it still answers.
    pub async fn noop(&mut self) -> Result<(), ProtoError> {
        self.simple("NOOP").await.map(|_| ())
    }

    /// Whether CAPA listed `PIPELINING` (commands may be sent before earlier answers).
    pub fn advertises_pipelining(&self) -> bool {
        self.capabilities
            .iter()
            .any(|line| line.eq_ignore_ascii_case("PIPELINING"))
    }

    /// Whether CAPA listed `UIDL` (servers without CAPA may still support it).
    pub fn advertises_uidl(&self) -> bool {
        self.capabilities
            .iter()
            .any(|line| line.eq_ignore_ascii_case("UIDL"))
    }

    /// Sends `line` and reads its status line: the text after `+OK`;
    /// [`ProtoError::CommandRefused`] for `-ERR` (the session is still in step);
    /// a protocol error for anything else.
    async fn simple(&mut self, line: &str) -> Result<String, ProtoError> {
        let peer = self.peer.clone();
        let limit = self.timeouts.command;
        let reply = peer
            .timed(limit, "command", async {
                self.send(line).await?;
                self.read_line().await
            })
            .await?;
        self.status(line, reply)
    }

    /// A status line's text after `+OK`, or the error it stands for.
    fn status(&self, command: &str, reply: String) -> Result<String, ProtoError> {
        if let Some(text) = reply.strip_prefix("+OK") {
            return Ok(text.trim_start().to_owned());
        }
        if reply.starts_with("-ERR") {
            return Err(ProtoError::CommandRefused {
                protocol: Protocol::Pop3,
                host: self.peer.host.clone(),
                port: self.peer.port,
                command: command.to_owned(),
                response: reply,
            });
        }
        let verb = command.split(' ').next().unwrap_or(command);
        Err(self.peer.protocol_error(
            Protocol::Pop3,
            format!("unexpected answer to {verb}: {}", printable(&reply)),
        ))
    }

    /// The next line of a LIST/UIDL listing (dot-unstuffed), `None` at its end. Each
    /// line has the command timeout: a 100,000-message listing is not one deadline.
    async fn listing_line(&mut self) -> Result<Option<String>, ProtoError> {
        let peer = self.peer.clone();
        let line = peer
            .timed(self.timeouts.command, "listing", self.read_line())
            .await?;
        if line == "." {
            return Ok(None);
        }
        Ok(Some(match line.strip_prefix('.') {
            Some(unstuffed) => unstuffed.to_owned(),
            None => line,
        }))
    }

    fn parse_uidl(&self, line: &str) -> Result<MessageUidl, ProtoError> {
        let mut fields = line.split_whitespace();
        let number = fields.next().and_then(|n| n.parse::<u32>().ok());
        let uidl = fields.next().filter(|uidl| valid_uidl(uidl));
        match (number, uidl, fields.next()) {
            (Some(number), Some(uidl), None) => Ok(MessageUidl {
                number,
                uidl: uidl.to_owned(),
            }),
            _ => Err(self.peer.protocol_error(
                Protocol::Pop3,
                format!("malformed UIDL line: {}", printable(line)),
            )),
        }
    }

    fn parse_size(&self, line: &str) -> Result<MessageSize, ProtoError> {
        let mut fields = line.split_whitespace();
        let number = fields.next().and_then(|n| n.parse::<u32>().ok());
        let size = fields.next().and_then(|n| n.parse::<u64>().ok());
        // RFC 1939 allows more after the size; only the two numbers matter.
        match (number, size) {
            (Some(number), Some(size)) => Ok(MessageSize { number, size }),
            _ => Err(self.peer.protocol_error(
                Protocol::Pop3,
                format!("malformed LIST line: {}", printable(line)),
            )),
        }
    }

    /// The lines of a multi-line answer after its `+OK` line, dot-unstuffed, up to
    /// the terminating `.`.
    pub async fn read_multiline(&mut self) -> Result<Vec<String>, ProtoError> {
        let mut lines = Vec::new();
        loop {
            let line = self.read_line().await?;
            if line == "." {
                return Ok(lines);
            }
            lines.push(match line.strip_prefix('.') {
                Some(unstuffed) => unstuffed.to_owned(),
                None => line,
            });
        }
    }

    async fn capa(&mut self) -> Result<Vec<String>, ProtoError> {
        self.send("CAPA").await?;
        let first = self.read_line().await?;
        if !first.starts_with("+OK") {
            // CAPA is optional (RFC 2449): no capabilities known.
            return Ok(Vec::new());
        }
        self.read_multiline().await
    }

    async fn send(&mut self, line: &str) -> Result<(), ProtoError> {
        self.send_secret(line).await
    }

    /// Writes one line. Named for the lines carrying credentials: nothing here logs.
    async fn send_secret(&mut self, line: &str) -> Result<(), ProtoError> {
        let stream = self.io.get_mut();
        let mut bytes = zeroize::Zeroizing::new(Vec::with_capacity(line.len() + 2));
        bytes.extend_from_slice(line.as_bytes());
        bytes.extend_from_slice(b"\r\n");
        stream.write_all(&bytes).await.map_err(self.peer.io())?;
        stream.flush().await.map_err(self.peer.io())
    }

    async fn read_line(&mut self) -> Result<String, ProtoError> {
        read_line(&mut self.io).await.map_err(self.peer.io())
    }
}

/// RFC 1939 §7: 1 to 70 characters in 0x21..=0x7E.
fn valid_uidl(uidl: &str) -> bool {
    (1..=70).contains(&uidl.len()) && uidl.bytes().all(|byte| (0x21..=0x7e).contains(&byte))
}

/// A server's line shortened and stripped of control characters, for an error message.
fn printable(line: &str) -> String {
    const SHOWN: usize = 120;
    let mut shown: String = line
        .chars()
        .take(SHOWN)
        .map(|c| if c.is_control() { '\u{fffd}' } else { c })
        .collect();
    if line.chars().count() > SHOWN {
        shown.push('…');
    }
    shown
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uidls_follow_rfc_1939() {
        assert!(valid_uidl("0000000a5f1e2d3c"));
        assert!(valid_uidl("!~"));
        assert!(!valid_uidl(""));
        assert!(!valid_uidl(&"x".repeat(71)));
        assert!(!valid_uidl("with space"));
        assert!(!valid_uidl("caf\u{e9}"));
    }

    #[test]
    fn printable_hides_control_characters_and_shortens() {
        assert_eq!(printable("a\u{1b}[2Jb"), "a\u{fffd}[2Jb");
        assert_eq!(printable(&"y".repeat(200)).chars().count(), 121);
    }
}
