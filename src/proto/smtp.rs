//! SMTP submission: connect over TLS (postern's own rustls setup, STARTTLS done by
//! hand), then lettre's `AsyncSmtpConnection` for the session and sending.
//!
//! The OAuth2 AUTH exchange is done by postern over lettre's connection: lettre has no
//! OAUTHBEARER, does not answer a `334 <json>` failure challenge, and sends XOAUTH2
//! inline, which Dovecot refuses (`500 Line too long`) once the line passes ~1 KB.
//! Here the initial response goes inline only when the line is short, else (or after
//! a 500/501) in the two-step form after `334`.

mod send;

use std::net::Ipv4Addr;

use lettre::transport::smtp::client::{AsyncSmtpConnection, AsyncTokioStream};
use lettre::transport::smtp::extension::ClientId;
use lettre::transport::smtp::response::Response;

use super::error::ProtoError;
use super::stream::MailStream;
use super::tls::{self, Connected};
use super::{ConnectOptions, Peer, Timeouts};
use crate::auth::credentials::Credentials;
use crate::auth::sasl::{OAuthSasl, Protocol, SaslExchange, SaslFailure};
use crate::auth::{AccessTokens, Secret};
use crate::config::Account;
use crate::proto::login::{self, SaslSession};

pub use send::{SmtpReply, send};

/// Longest AUTH line sent inline (RFC 5321's 1000 including CRLF); longer initial
/// responses go after the `334` prompt.
const INLINE_AUTH_MAX: usize = 998;

/// A logged-in SMTP session; send with [`send`].
pub struct SmtpSession {
    connection: AsyncSmtpConnection,
    /// The EHLO keywords after TLS (`AUTH PLAIN XOAUTH2`, `SIZE`, ...).
    extensions: Vec<String>,
    peer: Peer,
    timeouts: Timeouts,
}

impl std::fmt::Debug for SmtpSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpSession")
            .field("peer", &self.peer)
            .field("extensions", &self.extensions)
            .finish()
    }
}

impl AsyncTokioStream for MailStream {
    fn peer_addr(&self) -> std::io::Result<std::net::SocketAddr> {
        MailStream::peer_addr(self)
    }
}

/// Connects to the account's SMTP server and logs in with OAuth2.
pub async fn connect_authenticated<T: AccessTokens>(
    account: &Account,
    tokens: &T,
) -> Result<SmtpSession, ProtoError> {
    connect_oauth(account, tokens, &ConnectOptions::for_account(account)).await
}

/// Connects and logs in with whichever credentials the account has.
pub async fn connect(
    account: &Account,
    credentials: &Credentials,
    options: &ConnectOptions,
) -> Result<SmtpSession, ProtoError> {
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
) -> Result<SmtpSession, ProtoError> {
    let session = open(account, &options.timeouts).await?;
    login::login_session(session, tokens, &account.email, options.mechanism).await
}

impl SaslSession for SmtpSession {
    fn peer(&self) -> &Peer {
        &self.peer
    }

    fn offered_mechanisms(&self) -> impl Iterator<Item = &str> {
        self.auth_mechanisms()
    }

    /// One OAuth2 AUTH exchange; `Ok(Err(..))` is a refusal, the session stays usable.
    async fn try_oauth(&mut self, sasl: &OAuthSasl) -> Result<Result<(), SaslFailure>, ProtoError> {
        let peer = self.peer.clone();
        let limit = self.timeouts.auth;
        peer.timed(limit, "AUTH", async {
            let mut exchange = sasl.exchange(Protocol::Smtp);
            let inline = exchange.inline_initial_response();
            let inline_line = format!("AUTH {} {}", sasl.mechanism, inline.expose());
            if inline_line.len() <= INLINE_AUTH_MAX {
                let step = self.send(&inline_line).await?;
                drop(inline_line);
                match step {
                    // "Line too long" and friends: fall back to the two-step form.
                    Step::Refused(text) if text.starts_with("500") || text.starts_with("501") => {}
                    step => return self.finish(exchange, step).await,
                }
            }
            let mut exchange = sasl.exchange(Protocol::Smtp);
            let step = self.send(&format!("AUTH {}", sasl.mechanism)).await?;
            let step = match step {
                Step::Continue(payload) => {
                    let answer = exchange.answer_base64(&payload);
                    self.send(answer.expose()).await?
                }
                step => step,
            };
            self.finish(exchange, step).await
        })
        .await
    }
}

/// Connects and logs in with a password (PLAIN, else LOGIN) through lettre.
pub async fn connect_password(
    account: &Account,
    password: &Secret,
    options: &ConnectOptions,
) -> Result<SmtpSession, ProtoError> {
    use lettre::transport::smtp::authentication::{Credentials, Mechanism as LettreMechanism};
    let mut session = open(account, &options.timeouts).await?;
    let credentials = Credentials::new(account.email.clone(), password.expose().to_owned());
    let peer = session.peer.clone();
    let outcome = peer
        .timed(options.timeouts.auth, "AUTH", async {
            Ok(session
                .connection
                .auth(
                    &[LettreMechanism::Plain, LettreMechanism::Login],
                    &credentials,
                )
                .await)
        })
        .await?;
    match outcome {
        Ok(_) => Ok(session),
        Err(error) => Err(ProtoError::PasswordRejected {
            protocol: Protocol::Smtp,
            user: account.email.clone(),
            server_response: error_text(&error),
        }),
    }
}

async fn open(account: &Account, timeouts: &Timeouts) -> Result<SmtpSession, ProtoError> {
    let endpoint = account.smtp.as_ref().ok_or(ProtoError::NotConfigured {
        protocol: Protocol::Smtp,
    })?;
    let config = tls::client_config(account.ca_file.as_deref())?;
    let Connected { stream, greeting } =
        tls::open(endpoint, config, Protocol::Smtp, timeouts).await?;
    // After STARTTLS there is no new greeting, but lettre reads one first: give it
    // the one the server sent in clear.
    let stream = match greeting {
        Some(greeting) => {
            stream.with_replay(format!("{}\r\n", greeting.replace('\n', "\r\n")).into_bytes())
        }
        None => stream,
    };
    let peer = Peer::new(&endpoint.host, endpoint.port);
    let client_id = ClientId::Ipv4(Ipv4Addr::LOCALHOST);
    let mut connection = peer
        .timed(timeouts.command, "greeting and EHLO", async {
            AsyncSmtpConnection::connect_with_transport(Box::new(stream), &client_id)
                .await
                .map_err(|error| peer.protocol_error(Protocol::Smtp, error_text(&error)))
        })
        .await?;
    // lettre keeps only the AUTH mechanisms it knows (no OAUTHBEARER): ask again and
    // keep the keywords ourselves. EHLO is safe to repeat.
    let ehlo = peer
        .timed(timeouts.command, "EHLO", async {
            connection
                .command(format!("EHLO {client_id}\r\n"))
                .await
                .map_err(|error| peer.protocol_error(Protocol::Smtp, error_text(&error)))
        })
        .await?;
    Ok(SmtpSession {
        connection,
        extensions: ehlo.message().skip(1).map(str::to_owned).collect(),
        peer,
        timeouts: *timeouts,
    })
}

/// The server's text from a lettre error: `535 5.7.8 Authentication failed.`.
fn error_text(error: &lettre::transport::smtp::Error) -> String {
    let message = std::error::Error::source(error)
        .map(ToString::to_string)
        .unwrap_or_else(|| error.to_string());
    match error.status() {
        Some(code) => format!("{code} {message}"),
        None => message,
    }
}

enum Step {
    /// 235: logged in.
    Done,
    /// 334 with this payload.
    Continue(String),
    /// A final refusal, as the server worded it.
    Refused(String),
}

impl SmtpSession {
    /// The underlying lettre connection, for sending.
    pub fn connection(&mut self) -> &mut AsyncSmtpConnection {
        &mut self.connection
    }

    /// EHLO keywords after TLS, one per line as the server sent them.
    pub fn extensions(&self) -> &[String] {
        &self.extensions
    }

    /// Mechanisms from the `AUTH` keyword.
    pub fn auth_mechanisms(&self) -> impl Iterator<Item = &str> {
        self.extensions
            .iter()
            .filter_map(|line| super::line::strip_prefix_ignore_case(line, "AUTH"))
            .filter(|rest| rest.is_empty() || rest.starts_with([' ', '=']))
            .flat_map(|rest| rest.trim_start_matches('=').split_whitespace())
    }

    pub async fn quit(mut self) -> Result<(), ProtoError> {
        let peer = self.peer.clone();
        peer.timed(self.timeouts.command, "QUIT", async {
            self.connection
                .quit()
                .await
                .map(|_| ())
                .map_err(|error| peer.protocol_error(Protocol::Smtp, error_text(&error)))
        })
        .await
    }

    /// Answers failure challenges until the server's final reply.
    async fn finish(
        &mut self,
        mut exchange: SaslExchange<'_>,
        mut step: Step,
    ) -> Result<Result<(), SaslFailure>, ProtoError> {
        loop {
            match step {
                Step::Done => return Ok(Ok(())),
                Step::Refused(text) => return Ok(Err(exchange.fail(text))),
                Step::Continue(payload) => {
                    step = if exchange.too_many_continuations() {
                        self.send("*").await?
                    } else {
                        let answer = exchange.answer_base64(&payload);
                        self.send(answer.expose()).await?
                    };
                }
            }
        }
    }

    /// Sends one line of the AUTH exchange and sorts the reply. lettre writes it as
    /// given and does not log it (its `tracing` feature is off).
    async fn send(&mut self, line: &str) -> Result<Step, ProtoError> {
        let mut command = zeroize::Zeroizing::new(String::with_capacity(line.len() + 2));
        command.push_str(line);
        command.push_str("\r\n");
        match self.connection.command(command.as_str()).await {
            Ok(response) => Ok(classify(&response)),
            Err(error) if error.status().is_some() => Ok(Step::Refused(error_text(&error))),
            Err(error) => Err(self.peer.protocol_error(Protocol::Smtp, error_text(&error))),
        }
    }
}

fn classify(response: &Response) -> Step {
    if response.has_code(334) {
        Step::Continue(response.message().next().unwrap_or_default().to_owned())
    } else if response.has_code(235) {
        Step::Done
    } else {
        // Another positive code to AUTH is not a login.
        let text = response.message().collect::<Vec<_>>().join(" ");
        Step::Refused(format!("{} {text}", response.code()))
    }
}
