//! postern's authenticated connects against the real test stack (Dovecot + test IdP):
//! XOAUTH2 and OAUTHBEARER over IMAP, POP3 and submission with implicit TLS and
//! STARTTLS, refresh-once-retry-once on a revoked token, the typed failure carrying
//! Dovecot's JSON, passwords, and refusals before any credential: wrong CA, wrong
//! host name, and fake servers that strip or tamper with STARTTLS.

use std::collections::VecDeque;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use postern::auth::sasl::{Challenge, Mechanism, Protocol};
use postern::auth::{AccessTokens, Secret};
use postern::config::{Account, Config};
use postern::proto::{self, ConnectOptions, ProtoError, TlsError};
use postern_test_stack::{ClientSpec, Stack, TestUser};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

// ---------------------------------------------------------------------------------
// Test doubles

/// Hands out tokens in order: the first from `access_token`, the next on each
/// `token_rejected`. Counts both calls.
struct QueueTokens {
    queue: Mutex<VecDeque<String>>,
    asked: AtomicUsize,
    rejected: AtomicUsize,
}

impl QueueTokens {
    fn new(tokens: &[&str]) -> QueueTokens {
        QueueTokens {
            queue: Mutex::new(tokens.iter().map(|t| t.to_string()).collect()),
            asked: AtomicUsize::new(0),
            rejected: AtomicUsize::new(0),
        }
    }

    fn next(&self) -> Result<Secret, std::io::Error> {
        self.queue
            .lock()
            .unwrap()
            .pop_front()
            .map(Secret::new)
            .ok_or_else(|| std::io::Error::other("no more tokens"))
    }

    fn asked(&self) -> usize {
        self.asked.load(Ordering::SeqCst)
    }

    fn rejected(&self) -> usize {
        self.rejected.load(Ordering::SeqCst)
    }
}

impl AccessTokens for QueueTokens {
    type Error = std::io::Error;

    async fn access_token(&self) -> Result<Secret, Self::Error> {
        self.asked.fetch_add(1, Ordering::SeqCst);
        self.next()
    }

    async fn token_rejected(&self, _token: &Secret) -> Result<Secret, Self::Error> {
        self.rejected.fetch_add(1, Ordering::SeqCst);
        self.next()
    }
}

// ---------------------------------------------------------------------------------
// Accounts

#[derive(Clone, Copy)]
enum Tls {
    Implicit,
    Starttls,
}

impl Tls {
    fn as_str(self) -> &'static str {
        match self {
            Tls::Implicit => "implicit",
            Tls::Starttls => "starttls",
        }
    }
}

/// One account for `user` with one server of `protocol`, as a user would write it.
fn account(
    user: &str,
    protocol: Protocol,
    host: &str,
    port: u16,
    tls: Tls,
    ca_file: &Path,
    password: bool,
) -> Account {
    let (receive, key) = match protocol {
        Protocol::Imap => ("imap", "imap"),
        Protocol::Pop3 => ("pop3", "pop3"),
        Protocol::Smtp => ("imap", "smtp"),
    };
    // An IMAP account needs an imap table even when only SMTP is tested.
    let extra_imap = if key == "smtp" {
        format!("imap = {{ host = \"{host}\", port = 1, tls = \"implicit\" }}\n")
    } else {
        String::new()
    };
    let auth = if password {
        "auth = { method = \"password\", password_command = \"true\" }".to_owned()
    } else {
        "[accounts.t.auth]\nmethod = \"oauth2\"\nflow = \"device\"\nclient_id = \"test\"\n\
         device_authorization_url = \"http://127.0.0.1:1/device\"\n\
         token_url = \"http://127.0.0.1:1/token\"\nscopes = [\"mail\"]"
            .to_owned()
    };
    let text = format!(
        "[accounts.t]\nemail = \"{user}\"\nprovider = \"generic\"\nreceive = \"{receive}\"\n\
         {extra_imap}{key} = {{ host = \"{host}\", port = {port}, tls = \"{}\" }}\n\
         ca_file = \"{}\"\n{auth}\n",
        tls.as_str(),
        ca_file.display()
    );
    let config = Config::parse_str(&text, Path::new("test.toml"))
        .unwrap_or_else(|error| panic!("{error}\n{text}"));
    config.accounts.into_iter().next().unwrap()
}

fn port(stack: &Stack, protocol: Protocol, tls: Tls) -> u16 {
    let ports = stack.ports();
    match (protocol, tls) {
        (Protocol::Imap, Tls::Implicit) => ports.imaps,
        (Protocol::Imap, Tls::Starttls) => ports.imap,
        (Protocol::Pop3, Tls::Implicit) => ports.pop3s,
        (Protocol::Pop3, Tls::Starttls) => ports.pop3,
        (Protocol::Smtp, Tls::Implicit) => ports.submissions,
        (Protocol::Smtp, Tls::Starttls) => ports.submission,
    }
}

fn stack_account(stack: &Stack, user: &TestUser, protocol: Protocol, tls: Tls) -> Account {
    let port = port(stack, protocol, tls);
    account(
        &user.name,
        protocol,
        "localhost",
        port,
        tls,
        stack.ca_file(),
        false,
    )
}

/// A client whose tokens have this length (POP3 tests keep them short: Dovecot
/// 2.3.19's pop3-login stalls now and then on ~2 KB continuation lines).
fn client_with_tokens(stack: &Stack, len: usize) -> String {
    stack.idp().register_client(ClientSpec {
        access_token_len: len,
        ..ClientSpec::microsoft()
    })
}

fn mint(stack: &Stack, client: &str, user: &TestUser) -> String {
    stack
        .idp()
        .mint_token(client, &user.name)
        .unwrap()
        .access_token
}

fn forced(mechanism: Mechanism) -> ConnectOptions {
    ConnectOptions {
        mechanism: Some(mechanism),
        ..ConnectOptions::default()
    }
}

/// Connects and logs in over `protocol`, then does one real command and logs out.
async fn login(
    protocol: Protocol,
    account: &Account,
    tokens: &QueueTokens,
    options: &ConnectOptions,
) -> Result<(), ProtoError> {
    match protocol {
        Protocol::Imap => {
            let mut session = proto::imap::connect_oauth(account, tokens, options).await?;
            let inbox = session.select("INBOX").await.expect("SELECT after login");
            assert_eq!(inbox.exists, 0);
            session.logout().await.expect("LOGOUT");
        }
        Protocol::Pop3 => {
            let mut session = proto::pop3::connect_oauth(account, tokens, options).await?;
            assert_eq!(session.stat().await.expect("STAT after login"), (0, 0));
            session.quit().await.expect("QUIT");
        }
        Protocol::Smtp => {
            let session = proto::smtp::connect_oauth(account, tokens, options).await?;
            session.quit().await.expect("QUIT");
        }
    }
    Ok(())
}

async fn expect_login(
    stack: &Stack,
    protocol: Protocol,
    account: &Account,
    tokens: &QueueTokens,
    options: &ConnectOptions,
) {
    if let Err(error) = login(protocol, account, tokens, options).await {
        panic!("{error}\n--- dovecot ---\n{}", stack.log_tail());
    }
}

// ---------------------------------------------------------------------------------
// Dovecot accepts postern's authentication

async fn accepts(protocol: Protocol, tls: Tls, mechanism: Option<Mechanism>, token_len: usize) {
    let stack = Stack::shared();
    let user = stack.new_user("accept").unwrap();
    let client = client_with_tokens(stack, token_len);
    let token = mint(stack, &client, &user);
    assert_eq!(token.len(), token_len);
    let account = stack_account(stack, &user, protocol, tls);
    let tokens = QueueTokens::new(&[&token]);
    let options = ConnectOptions {
        mechanism,
        ..ConnectOptions::default()
    };
    expect_login(stack, protocol, &account, &tokens, &options).await;
    assert_eq!(tokens.asked(), 1);
    assert_eq!(tokens.rejected(), 0, "a good token is never reported");
}

#[tokio::test]
async fn imap_implicit_xoauth2() {
    accepts(
        Protocol::Imap,
        Tls::Implicit,
        Some(Mechanism::XOAuth2),
        1500,
    )
    .await;
}

#[tokio::test]
async fn imap_implicit_oauthbearer() {
    accepts(
        Protocol::Imap,
        Tls::Implicit,
        Some(Mechanism::OAuthBearer),
        1500,
    )
    .await;
}

#[tokio::test]
async fn imap_starttls_xoauth2() {
    accepts(
        Protocol::Imap,
        Tls::Starttls,
        Some(Mechanism::XOAuth2),
        1500,
    )
    .await;
}

#[tokio::test]
async fn imap_starttls_chosen_mechanism() {
    accepts(Protocol::Imap, Tls::Starttls, None, 1500).await;
}

#[tokio::test]
async fn pop3_implicit_xoauth2() {
    accepts(Protocol::Pop3, Tls::Implicit, Some(Mechanism::XOAuth2), 500).await;
}

#[tokio::test]
async fn pop3_stls_oauthbearer() {
    accepts(
        Protocol::Pop3,
        Tls::Starttls,
        Some(Mechanism::OAuthBearer),
        500,
    )
    .await;
}

#[tokio::test]
async fn submission_starttls_xoauth2_long_token_two_step() {
    // 2,400 characters: far over Dovecot's ~1 KB AUTH line limit.
    accepts(
        Protocol::Smtp,
        Tls::Starttls,
        Some(Mechanism::XOAuth2),
        2400,
    )
    .await;
}

#[tokio::test]
async fn submission_implicit_oauthbearer_long_token() {
    accepts(
        Protocol::Smtp,
        Tls::Implicit,
        Some(Mechanism::OAuthBearer),
        1500,
    )
    .await;
}

#[tokio::test]
async fn submission_implicit_xoauth2_short_token_inline() {
    accepts(Protocol::Smtp, Tls::Implicit, Some(Mechanism::XOAuth2), 300).await;
}

// ---------------------------------------------------------------------------------
// A revoked token: refresh once, retry once

async fn revoked_then(protocol: Protocol, renewed_good: bool, mechanism: Mechanism) {
    let stack = Stack::shared();
    let user = stack.new_user("revoked").unwrap();
    let client = client_with_tokens(stack, 500);
    let revoked = mint(stack, &client, &user);
    stack.idp().revoke_token(&revoked);
    let renewed = mint(stack, &client, &user);
    if !renewed_good {
        stack.idp().revoke_token(&renewed);
    }
    let account = stack_account(stack, &user, protocol, Tls::Implicit);
    let tokens = QueueTokens::new(&[&revoked, &renewed]);
    let result = login(protocol, &account, &tokens, &forced(mechanism)).await;
    assert_eq!(tokens.rejected(), 1, "exactly one token_rejected call");
    if renewed_good {
        if let Err(error) = result {
            panic!("{error}\n--- dovecot ---\n{}", stack.log_tail());
        }
        return;
    }
    let error = result.expect_err("two revoked tokens cannot log in");
    let failure = error
        .sasl_failure()
        .unwrap_or_else(|| panic!("not a SASL failure: {error}"));
    assert_eq!(failure.protocol, protocol);
    assert_eq!(failure.mechanism, mechanism);
    assert!(failure.token_invalid);
    let challenge = failure.challenge.as_ref().expect("Dovecot's JSON kept");
    let expected_status = match mechanism {
        Mechanism::XOAuth2 => "401",
        Mechanism::OAuthBearer => "invalid_token",
    };
    assert_eq!(
        challenge.status().as_deref(),
        Some(expected_status),
        "{challenge}"
    );
    assert!(matches!(challenge, Challenge::Json(_)));
    let expected_final = match protocol {
        Protocol::Imap => "NO [AUTHENTICATIONFAILED] Authentication failed.",
        Protocol::Pop3 => "-ERR [AUTH] Authentication failed.",
        Protocol::Smtp => "535 5.7.8 Authentication failed.",
    };
    assert_eq!(failure.server_response, expected_final);
    let shown = error.to_string();
    assert!(shown.contains(expected_final), "{shown}");
    assert!(
        !shown.contains(&revoked) && !shown.contains(&renewed),
        "{shown}"
    );
}

#[tokio::test]
async fn imap_revoked_token_is_renewed_once() {
    revoked_then(Protocol::Imap, true, Mechanism::XOAuth2).await;
}

#[tokio::test]
async fn imap_revoked_twice_is_a_typed_failure_with_the_json() {
    revoked_then(Protocol::Imap, false, Mechanism::XOAuth2).await;
}

#[tokio::test]
async fn imap_oauthbearer_revoked_twice_is_a_typed_failure() {
    revoked_then(Protocol::Imap, false, Mechanism::OAuthBearer).await;
}

#[tokio::test]
async fn pop3_revoked_token_is_renewed_once() {
    revoked_then(Protocol::Pop3, true, Mechanism::XOAuth2).await;
}

#[tokio::test]
async fn pop3_revoked_twice_is_a_typed_failure_with_the_json() {
    revoked_then(Protocol::Pop3, false, Mechanism::OAuthBearer).await;
}

#[tokio::test]
async fn submission_revoked_token_is_renewed_once() {
    revoked_then(Protocol::Smtp, true, Mechanism::XOAuth2).await;
}

#[tokio::test]
async fn submission_revoked_twice_is_a_typed_failure_with_the_json() {
    revoked_then(Protocol::Smtp, false, Mechanism::XOAuth2).await;
}

// ---------------------------------------------------------------------------------
// Passwords

#[tokio::test]
async fn password_login_on_all_three_protocols() {
    let stack = Stack::shared();
    let user = stack.new_user("pw").unwrap();
    let password = Secret::new(user.password.clone());
    let options = ConnectOptions::default();
    let ca = stack.ca_file();
    let ports = stack.ports();

    let imap = account(
        &user.name,
        Protocol::Imap,
        "127.0.0.1",
        ports.imap,
        Tls::Starttls,
        ca,
        true,
    );
    let mut session = proto::imap::connect_password(&imap, &password, &options)
        .await
        .unwrap();
    session.select("INBOX").await.unwrap();
    session.logout().await.unwrap();

    let pop3 = account(
        &user.name,
        Protocol::Pop3,
        "127.0.0.1",
        ports.pop3s,
        Tls::Implicit,
        ca,
        true,
    );
    let mut session = proto::pop3::connect_password(&pop3, &password, &options)
        .await
        .unwrap();
    assert_eq!(session.stat().await.unwrap(), (0, 0));
    session.quit().await.unwrap();

    let smtp = account(
        &user.name,
        Protocol::Smtp,
        "127.0.0.1",
        ports.submission,
        Tls::Starttls,
        ca,
        true,
    );
    let session = proto::smtp::connect_password(&smtp, &password, &options)
        .await
        .unwrap();
    session.quit().await.unwrap();
}

#[tokio::test]
async fn wrong_password_is_rejected_with_the_server_text() {
    let stack = Stack::shared();
    let user = stack.new_user("pwbad").unwrap();
    let wrong = Secret::new("not-the-password");
    let options = ConnectOptions::default();
    let ports = stack.ports();
    let imap = account(
        &user.name,
        Protocol::Imap,
        "localhost",
        ports.imaps,
        Tls::Implicit,
        stack.ca_file(),
        true,
    );
    let error = proto::imap::connect_password(&imap, &wrong, &options)
        .await
        .expect_err("wrong password");
    match &error {
        ProtoError::PasswordRejected {
            protocol: Protocol::Imap,
            server_response,
            ..
        } => assert_eq!(
            server_response,
            "NO [AUTHENTICATIONFAILED] Authentication failed."
        ),
        other => panic!("{other}"),
    }
    assert!(!error.to_string().contains("not-the-password"));

    let smtp = account(
        &user.name,
        Protocol::Smtp,
        "localhost",
        ports.submissions,
        Tls::Implicit,
        stack.ca_file(),
        true,
    );
    let error = proto::smtp::connect_password(&smtp, &wrong, &options)
        .await
        .expect_err("wrong password");
    assert!(
        matches!(&error, ProtoError::PasswordRejected { server_response, .. } if server_response.starts_with("535")),
        "{error}"
    );
}

// ---------------------------------------------------------------------------------
// Refused before any credential

/// A TCP server on `ip` that records every byte it receives (after TLS when `tls`
/// is given) and answers each line with `answer(line)` (None: no answer).
struct FakeServer {
    port: u16,
    received: Arc<Mutex<Vec<u8>>>,
}

type Answer = fn(&str) -> Option<String>;

impl FakeServer {
    async fn start(
        ip: Ipv4Addr,
        greeting: &'static str,
        answer: Answer,
        tls: Option<Arc<rustls::ServerConfig>>,
    ) -> FakeServer {
        let listener = TcpListener::bind(SocketAddr::new(IpAddr::V4(ip), 0))
            .await
            .unwrap();
        let port = listener.local_addr().unwrap().port();
        let received = Arc::new(Mutex::new(Vec::new()));
        let record = Arc::clone(&received);
        tokio::spawn(async move {
            let Ok((tcp, _)) = listener.accept().await else {
                return;
            };
            match tls {
                Some(config) => {
                    let acceptor = tokio_rustls::TlsAcceptor::from(config);
                    if let Ok(stream) = acceptor.accept(tcp).await {
                        serve(stream, greeting, answer, record).await;
                    }
                }
                None => serve(tcp, greeting, answer, record).await,
            }
        });
        FakeServer { port, received }
    }

    fn received(&self) -> String {
        String::from_utf8_lossy(&self.received.lock().unwrap()).into_owned()
    }

    /// No AUTH, AUTHENTICATE, LOGIN, USER or PASS reached the server.
    fn assert_no_credentials(&self) {
        let received = self.received().to_ascii_uppercase();
        for word in ["AUTH", "LOGIN", "USER ", "PASS "] {
            assert!(
                !received.contains(word),
                "the server received {word}: {received:?}"
            );
        }
    }
}

async fn serve<S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin>(
    mut stream: S,
    greeting: &str,
    answer: Answer,
    record: Arc<Mutex<Vec<u8>>>,
) {
    if stream.write_all(greeting.as_bytes()).await.is_err() {
        return;
    }
    let mut pending = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let n = match stream.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => n,
        };
        record.lock().unwrap().extend_from_slice(&buf[..n]);
        pending.extend_from_slice(&buf[..n]);
        while let Some(at) = pending.iter().position(|&b| b == b'\n') {
            let line: Vec<u8> = pending.drain(..=at).collect();
            let line = String::from_utf8_lossy(&line).trim_end().to_owned();
            if let Some(reply) = answer(&line)
                && stream.write_all(reply.as_bytes()).await.is_err()
            {
                return;
            }
        }
    }
}

/// A server config presenting the stack's certificate (for localhost and 127.0.0.1).
fn stack_server_tls(stack: &Stack) -> Arc<rustls::ServerConfig> {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let certs = CertificateDer::pem_file_iter(&stack.certs().server_cert)
        .unwrap()
        .collect::<Result<Vec<_>, _>>()
        .unwrap();
    let key = PrivateKeyDer::from_pem_file(&stack.certs().server_key).unwrap();
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(certs, key)
    .unwrap();
    Arc::new(config)
}

fn imap_fake_answer(line: &str) -> Option<String> {
    let (tag, command) = line.split_once(' ')?;
    Some(match command.to_ascii_uppercase().as_str() {
        "CAPABILITY" => {
            format!("* CAPABILITY IMAP4rev1 AUTH=XOAUTH2 AUTH=PLAIN\r\n{tag} OK done\r\n")
        }
        _ => format!("{tag} OK whatever you say\r\n"),
    })
}

fn expect_handshake_refusal(error: &ProtoError) {
    assert!(matches!(error, ProtoError::Handshake { .. }), "{error}");
}

#[tokio::test]
async fn wrong_host_name_is_refused_before_any_credential() {
    let stack = Stack::shared();
    // The certificate names localhost and 127.0.0.1; the server is reached as 127.0.0.2.
    let fake = FakeServer::start(
        Ipv4Addr::new(127, 0, 0, 2),
        "* OK [CAPABILITY IMAP4rev1 AUTH=XOAUTH2] fake\r\n",
        imap_fake_answer,
        Some(stack_server_tls(stack)),
    )
    .await;
    let account = account(
        "a@example.test",
        Protocol::Imap,
        "127.0.0.2",
        fake.port,
        Tls::Implicit,
        stack.ca_file(),
        false,
    );
    let tokens = QueueTokens::new(&["never-sent"]);
    let error = proto::imap::connect_authenticated(&account, &tokens)
        .await
        .expect_err("wrong host name");
    expect_handshake_refusal(&error);
    assert!(error.to_string().contains("127.0.0.2"), "{error}");
    assert_eq!(tokens.asked(), 0, "no token was even fetched");
    fake.assert_no_credentials();
    assert_eq!(fake.received(), "", "nothing decrypted reached the server");
}

#[tokio::test]
async fn same_fake_with_the_right_name_does_get_the_login() {
    // Control for the test above: the fake does record a login when TLS is right, so
    // an empty recording there means refusal, not a broken fake.
    let stack = Stack::shared();
    let fake = FakeServer::start(
        Ipv4Addr::LOCALHOST,
        "* OK [CAPABILITY IMAP4rev1 AUTH=XOAUTH2] fake\r\n",
        |line| {
            let (tag, _) = line.split_once(' ')?;
            // Continue on AUTHENTICATE, then accept whatever comes.
            if line.to_ascii_uppercase().contains("AUTHENTICATE") {
                return Some("+ \r\n".into());
            }
            if tag.is_empty() {
                return None;
            }
            Some(format!("{tag} OK fine\r\n"))
        },
        Some(stack_server_tls(stack)),
    )
    .await;
    let account = account(
        "a@example.test",
        Protocol::Imap,
        "127.0.0.1",
        fake.port,
        Tls::Implicit,
        stack.ca_file(),
        false,
    );
    let tokens = QueueTokens::new(&["sent-this-time"]);
    let _ = tokio::time::timeout(
        std::time::Duration::from_secs(3),
        proto::imap::connect_authenticated(&account, &tokens),
    )
    .await;
    assert!(
        fake.received().contains("AUTHENTICATE XOAUTH2"),
        "{}",
        fake.received()
    );
}

#[tokio::test]
async fn wrong_ca_is_refused_before_any_credential() {
    let stack = Stack::shared();
    // A certificate that is not the stack's CA (its own leaf: a trust anchor whose
    // name is "localhost", not the issuer's).
    let other = stack.certs().server_cert.clone();
    let user = stack.new_user("wrongca").unwrap();
    let tokens = QueueTokens::new(&["never-sent"]);

    let imap = account(
        &user.name,
        Protocol::Imap,
        "localhost",
        stack.ports().imaps,
        Tls::Implicit,
        &other,
        false,
    );
    let error = proto::imap::connect_authenticated(&imap, &tokens)
        .await
        .expect_err("wrong CA");
    expect_handshake_refusal(&error);

    let smtp = account(
        &user.name,
        Protocol::Smtp,
        "localhost",
        stack.ports().submission,
        Tls::Starttls,
        &other,
        false,
    );
    let error = proto::smtp::connect_authenticated(&smtp, &tokens)
        .await
        .expect_err("wrong CA");
    expect_handshake_refusal(&error);

    assert_eq!(tokens.asked(), 0, "no token was even fetched");

    // And against a recording fake with a certificate from another CA.
    let fake = FakeServer::start(
        Ipv4Addr::LOCALHOST,
        "* OK fake\r\n",
        imap_fake_answer,
        Some(stack_server_tls(stack)),
    )
    .await;
    let imap = account(
        &user.name,
        Protocol::Imap,
        "127.0.0.1",
        fake.port,
        Tls::Implicit,
        &other,
        false,
    );
    let error = proto::imap::connect_authenticated(&imap, &tokens)
        .await
        .expect_err("wrong CA");
    expect_handshake_refusal(&error);
    assert_eq!(fake.received(), "");
}

async fn stripped(
    protocol: Protocol,
    greeting: &'static str,
    answer: Answer,
) -> (ProtoError, FakeServer, QueueTokens) {
    let stack = Stack::shared();
    let fake = FakeServer::start(Ipv4Addr::LOCALHOST, greeting, answer, None).await;
    let account = account(
        "a@example.test",
        protocol,
        "127.0.0.1",
        fake.port,
        Tls::Starttls,
        stack.ca_file(),
        false,
    );
    let tokens = QueueTokens::new(&["never-sent"]);
    let error = match protocol {
        Protocol::Imap => proto::imap::connect_authenticated(&account, &tokens)
            .await
            .map(drop),
        Protocol::Pop3 => proto::pop3::connect_authenticated(&account, &tokens)
            .await
            .map(drop),
        Protocol::Smtp => proto::smtp::connect_authenticated(&account, &tokens)
            .await
            .map(drop),
    }
    .expect_err("a STARTTLS-stripping server must be refused");
    assert_eq!(tokens.asked(), 0);
    fake.assert_no_credentials();
    (error, fake, tokens)
}

#[tokio::test]
async fn imap_without_starttls_is_refused() {
    let (error, fake, _) = stripped(
        Protocol::Imap,
        "* OK [CAPABILITY IMAP4rev1 AUTH=XOAUTH2 AUTH=PLAIN] stripped\r\n",
        imap_fake_answer,
    )
    .await;
    assert!(
        matches!(
            error,
            ProtoError::StarttlsNotOffered {
                protocol: Protocol::Imap,
                ..
            }
        ),
        "{error}"
    );
    assert_eq!(fake.received(), "", "not even STARTTLS was sent");
}

#[tokio::test]
async fn imap_starttls_answered_bad_is_refused() {
    let (error, fake, _) = stripped(
        Protocol::Imap,
        "* OK [CAPABILITY IMAP4rev1 STARTTLS AUTH=XOAUTH2] tampered\r\n",
        |line| {
            let (tag, _) = line.split_once(' ')?;
            Some(format!("{tag} BAD not today\r\n"))
        },
    )
    .await;
    match &error {
        ProtoError::StarttlsRefused { response, .. } => assert_eq!(response, "BAD not today"),
        other => panic!("{other}"),
    }
    assert_eq!(fake.received(), "S0 STARTTLS\r\n");
}

#[tokio::test]
async fn imap_capability_without_starttls_is_refused() {
    // No capabilities in the greeting: postern asks, and the answer lacks STARTTLS.
    let (error, fake, _) = stripped(Protocol::Imap, "* OK stripped\r\n", imap_fake_answer).await;
    assert!(
        matches!(error, ProtoError::StarttlsNotOffered { .. }),
        "{error}"
    );
    assert_eq!(fake.received(), "C0 CAPABILITY\r\n");
}

#[tokio::test]
async fn imap_data_injected_after_starttls_is_refused() {
    let (error, _, _) = stripped(
        Protocol::Imap,
        "* OK [CAPABILITY IMAP4rev1 STARTTLS] injecting\r\n",
        |line| {
            let (tag, _) = line.split_once(' ')?;
            Some(format!(
                "{tag} OK go ahead\r\n* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] forged\r\n"
            ))
        },
    )
    .await;
    assert!(
        matches!(error, ProtoError::StarttlsInjection { .. }),
        "{error}"
    );
}

#[tokio::test]
async fn pop3_without_stls_is_refused() {
    let (error, fake, _) = stripped(Protocol::Pop3, "+OK stripped\r\n", |line| {
        Some(match line {
            "CAPA" => "+OK\r\nUIDL\r\nSASL XOAUTH2 PLAIN\r\n.\r\n".to_owned(),
            _ => "+OK\r\n".to_owned(),
        })
    })
    .await;
    assert!(
        matches!(
            error,
            ProtoError::StarttlsNotOffered {
                protocol: Protocol::Pop3,
                ..
            }
        ),
        "{error}"
    );
    assert_eq!(fake.received(), "CAPA\r\n");
}

#[tokio::test]
async fn smtp_without_starttls_is_refused() {
    let (error, fake, _) = stripped(Protocol::Smtp, "220 stripped ESMTP\r\n", |line| {
        Some(if line.starts_with("EHLO") {
            "250-stripped\r\n250-AUTH PLAIN LOGIN XOAUTH2\r\n250 8BITMIME\r\n".to_owned()
        } else {
            "250 ok\r\n".to_owned()
        })
    })
    .await;
    assert!(
        matches!(
            error,
            ProtoError::StarttlsNotOffered {
                protocol: Protocol::Smtp,
                ..
            }
        ),
        "{error}"
    );
    assert_eq!(fake.received(), "EHLO [127.0.0.1]\r\n");
}

#[tokio::test]
async fn smtp_starttls_refused_is_refused() {
    let (error, _, _) = stripped(Protocol::Smtp, "220 tampered ESMTP\r\n", |line| {
        Some(if line.starts_with("EHLO") {
            "250-tampered\r\n250-STARTTLS\r\n250 AUTH XOAUTH2\r\n".to_owned()
        } else {
            "454 4.7.0 TLS not available\r\n".to_owned()
        })
    })
    .await;
    match &error {
        ProtoError::StarttlsRefused { response, .. } => {
            assert_eq!(response, "454 4.7.0 TLS not available")
        }
        other => panic!("{other}"),
    }
}

// ---------------------------------------------------------------------------------
// CA file problems are named

#[tokio::test]
async fn unreadable_or_invalid_ca_file_names_the_file() {
    let missing = PathBuf::from("/nonexistent/postern-ca.pem");
    let error = proto::tls::client_config(Some(&missing)).expect_err("missing file");
    assert!(matches!(error, TlsError::CaFileRead { .. }));
    assert!(
        error.to_string().contains("/nonexistent/postern-ca.pem"),
        "{error}"
    );

    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty.pem");
    std::fs::write(&empty, "just some text\n").unwrap();
    let error = proto::tls::client_config(Some(&empty)).expect_err("no certificate");
    assert!(matches!(error, TlsError::CaFileEmpty { .. }), "{error}");
    assert!(error.to_string().contains("empty.pem"));

    let broken = dir.path().join("broken.pem");
    std::fs::write(&broken, "-----BEGIN CERTIFICATE-----\nnot base64 at all!\n").unwrap();
    let error = proto::tls::client_config(Some(&broken)).expect_err("broken PEM");
    assert!(matches!(error, TlsError::CaFileInvalid { .. }), "{error}");
    assert!(error.to_string().contains("broken.pem"));

    let stack = Stack::shared();
    proto::tls::client_config(Some(stack.ca_file())).expect("the stack's CA is fine");
}
