//! IMAP: connect over TLS, read capabilities, log in (OAuth2 SASL or password) and
//! hand back an async-imap session for the mail engine.
//!
//! The greeting and CAPABILITY are read by hand before async-imap takes the stream
//! (it has no pre-login capability call); the login itself goes through async-imap's
//! `authenticate` with the shared [`ImapAuthenticator`].

use std::sync::Arc;

use tokio::io::{AsyncWriteExt, BufReader};

use crate::auth::credentials::Credentials;
use crate::auth::sasl::{ImapAuthenticator, Mechanism, OAuthSasl, Protocol, SaslFailure};
use crate::auth::{AccessTokens, Secret};
use crate::config::{Account, Endpoint};
use crate::proto::error::ProtoError;
use crate::proto::line::{read_line, strip_prefix_ignore_case};
use crate::proto::login::{self, LoginTarget, OAuthAttempt};
use crate::proto::stream::{LineTap, MailStream};
use crate::proto::tls::{self, Connected};
use crate::proto::{ConnectOptions, Peer, Timeouts, starttls};

/// A logged-in IMAP session.
pub type ImapSession = async_imap::Session<MailStream>;
type ImapClient = async_imap::Client<MailStream>;

/// Connects and logs in with whichever credentials the account has.
pub async fn connect(
    account: &Account,
    credentials: &Credentials,
    options: &ConnectOptions,
) -> Result<ImapSession, ProtoError> {
    match credentials {
        Credentials::Tokens(tokens) => connect_oauth(account, tokens.as_ref(), options).await,
        Credentials::Password(secret) => connect_password(account, secret, options).await,
    }
}

/// Connects to the account's IMAP server and logs in with OAuth2, choosing the
/// mechanism from the server's capabilities.
pub async fn connect_authenticated<T: AccessTokens>(
    account: &Account,
    tokens: &T,
) -> Result<ImapSession, ProtoError> {
    connect_oauth(account, tokens, &ConnectOptions::for_account(account)).await
}

/// [`connect_authenticated`] with options. When the server rejects the token as
/// invalid, the token source is told once (`token_rejected`) and the login retried
/// once with the renewed token before the failure is reported.
pub async fn connect_oauth<T: AccessTokens>(
    account: &Account,
    tokens: &T,
    options: &ConnectOptions,
) -> Result<ImapSession, ProtoError> {
    let (endpoint, client, pre) = open(account, &options.timeouts).await?;
    let mechanism = Mechanism::choose(pre.auth_mechanisms(), options.mechanism);
    let target = LoginTarget {
        user: &account.email,
        host: &endpoint.host,
        port: endpoint.port,
        mechanism,
    };
    login::login(ImapLogin { pre: &pre, client }, tokens, target).await
}

/// A connected, not yet logged-in IMAP client and what was learnt before login.
struct ImapLogin<'p> {
    pre: &'p PreLogin,
    client: ImapClient,
}

impl OAuthAttempt for ImapLogin<'_> {
    type Session = ImapSession;

    async fn attempt(
        self,
        sasl: &OAuthSasl,
    ) -> Result<Result<ImapSession, (SaslFailure, Self)>, ProtoError> {
        let pre = self.pre;
        Ok(match pre.try_oauth(self.client, sasl).await? {
            Ok(session) => Ok(session),
            Err((failure, client)) => Err((failure, ImapLogin { pre, client })),
        })
    }
}

/// Connects and logs in with a password: AUTHENTICATE PLAIN when offered, else LOGIN.
pub async fn connect_password(
    account: &Account,
    password: &Secret,
    options: &ConnectOptions,
) -> Result<ImapSession, ProtoError> {
    let (_, client, pre) = open(account, &options.timeouts).await?;
    let peer = pre.peer.clone();
    if pre.has("LOGINDISABLED") {
        return Err(ProtoError::LoginDisabled {
            protocol: Protocol::Imap,
            host: peer.host,
            port: peer.port,
            detail: "the server advertises LOGINDISABLED".into(),
        });
    }
    pre.tap.start();
    let login = async {
        if pre
            .auth_mechanisms()
            .any(|m| m.eq_ignore_ascii_case("PLAIN"))
        {
            let response = crate::auth::sasl::plain_response(&account.email, password);
            client
                .authenticate("PLAIN", PlainOnce(Some(response)))
                .await
        } else {
            client.login(&account.email, password.expose()).await
        }
    };
    let outcome = peer
        .timed(pre.timeouts.auth, "login", async { Ok(login.await) })
        .await?;
    pre.tap.stop();
    match outcome {
        Ok(session) => Ok(session),
        Err((async_imap::error::Error::No(_) | async_imap::error::Error::Bad(_), _)) => {
            Err(ProtoError::PasswordRejected {
                protocol: Protocol::Imap,
                user: account.email.clone(),
                server_response: pre.final_text(),
            })
        }
        Err((error, _)) => Err(peer.protocol_error(Protocol::Imap, error.to_string())),
    }
}

/// SASL PLAIN: the response once, then cancel-worthy empties.
struct PlainOnce(Option<zeroize::Zeroizing<Vec<u8>>>);

impl async_imap::Authenticator for PlainOnce {
    type Response = zeroize::Zeroizing<Vec<u8>>;

    fn process(&mut self, _challenge: &[u8]) -> Self::Response {
        self.0.take().unwrap_or_default()
    }
}

/// A connection past the greeting and capabilities, not yet logged in.
struct PreLogin {
    capabilities: Vec<String>,
    tap: Arc<LineTap>,
    peer: Peer,
    timeouts: Timeouts,
}

async fn open<'a>(
    account: &'a Account,
    timeouts: &Timeouts,
) -> Result<(&'a Endpoint, ImapClient, PreLogin), ProtoError> {
    let endpoint = account.imap.as_ref().ok_or(ProtoError::NotConfigured {
        protocol: Protocol::Imap,
    })?;
    let config = tls::client_config(account.ca_file.as_deref())?;
    let Connected { stream, greeting } =
        tls::open(endpoint, config, Protocol::Imap, timeouts).await?;
    let peer = Peer::new(&endpoint.host, endpoint.port);
    let (mut stream, capabilities) = peer
        .timed(timeouts.command, "greeting and CAPABILITY", async {
            capabilities(stream, greeting.is_none(), &peer).await
        })
        .await?;
    let tap = stream.tap();
    Ok((
        endpoint,
        async_imap::Client::new(stream),
        PreLogin {
            capabilities,
            tap,
            peer,
            timeouts: *timeouts,
        },
    ))
}

/// Reads the greeting (unless STARTTLS already did) and the capabilities. After
/// STARTTLS the capabilities are always asked again: those sent in clear may have
/// been forged.
async fn capabilities(
    stream: MailStream,
    read_greeting: bool,
    peer: &Peer,
) -> Result<(MailStream, Vec<String>), ProtoError> {
    let mut reader = BufReader::new(stream);
    let mut capabilities = None;
    if read_greeting {
        let greeting = read_line(&mut reader).await.map_err(peer.io())?;
        if !greeting.to_ascii_uppercase().starts_with("* OK") {
            return Err(
                peer.protocol_error(Protocol::Imap, format!("unexpected greeting: {greeting}"))
            );
        }
        capabilities = starttls::bracketed_capabilities(&greeting);
    }
    let capabilities = match capabilities {
        Some(capabilities) => capabilities,
        None => {
            let stream = reader.get_mut();
            stream
                .write_all(b"C1 CAPABILITY\r\n")
                .await
                .map_err(peer.io())?;
            stream.flush().await.map_err(peer.io())?;
            let mut capabilities = Vec::new();
            loop {
                let reply = read_line(&mut reader).await.map_err(peer.io())?;
                if let Some(listed) = strip_prefix_ignore_case(&reply, "* CAPABILITY ") {
                    capabilities.extend(listed.split_whitespace().map(str::to_owned));
                } else if let Some(status) = reply.strip_prefix("C1 ") {
                    if !status.to_ascii_uppercase().starts_with("OK") {
                        return Err(peer.protocol_error(
                            Protocol::Imap,
                            format!("CAPABILITY failed: {status}"),
                        ));
                    }
                    break;
                }
            }
            capabilities
        }
    };
    if !reader.buffer().is_empty() {
        return Err(peer.protocol_error(Protocol::Imap, "unexpected data after CAPABILITY"));
    }
    Ok((reader.into_inner(), capabilities))
}

impl PreLogin {
    fn has(&self, capability: &str) -> bool {
        self.capabilities
            .iter()
            .any(|c| c.eq_ignore_ascii_case(capability))
    }

    /// The SASL mechanisms offered (`AUTH=X` capabilities).
    fn auth_mechanisms(&self) -> impl Iterator<Item = &str> {
        self.capabilities
            .iter()
            .filter_map(|c| strip_prefix_ignore_case(c, "AUTH="))
    }

    /// The server's last line with its tag removed: `NO [AUTHENTICATIONFAILED] ...`.
    fn final_text(&self) -> String {
        let line = self.tap.last_line().unwrap_or_default();
        match line.split_once(' ') {
            Some((_tag, rest)) => rest.to_owned(),
            None => line,
        }
    }

    /// One OAuth2 login attempt. A refusal gives the client back for a retry.
    async fn try_oauth(
        &self,
        client: ImapClient,
        sasl: &OAuthSasl,
    ) -> Result<Result<ImapSession, (SaslFailure, ImapClient)>, ProtoError> {
        let mut exchange = sasl.exchange(Protocol::Imap);
        self.tap.start();
        let outcome = self
            .peer
            .timed(self.timeouts.auth, "AUTHENTICATE", async {
                Ok(client
                    .authenticate(sasl.mechanism.name(), ImapAuthenticator::new(&mut exchange))
                    .await)
            })
            .await?;
        self.tap.stop();
        match outcome {
            Ok(session) => Ok(Ok(session)),
            Err((async_imap::error::Error::No(_) | async_imap::error::Error::Bad(_), client)) => {
                Ok(Err((exchange.fail(self.final_text()), client)))
            }
            Err((error, _)) => Err(self.peer.protocol_error(
                Protocol::Imap,
                format!("{} login failed: {error}", sasl.mechanism),
            )),
        }
    }
}
