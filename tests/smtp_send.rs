//! Sending mail: postern's SMTP transaction and outbox runner against the real test
//! stack (Dovecot submission relaying to the recording sink, which delivers into the
//! users' Maildirs), and against a scripted SMTP server for the answers Dovecot
//! cannot be made to give (5xx, 4xx then 250, a connection lost after the data).

use std::collections::VecDeque;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use mail_parser::{MessageParser, MimeHeaders};
use postern::auth::{AccessTokens, Secret};
use postern::config::{Account, Config};
use postern::mime::Address;
use postern::mime::compose::{Attachment, Draft, message_from_eml};
use postern::proto::{self, ConnectOptions, ProtoError};
use postern::store::{AccountId, OutboxState, Store};
use postern::sync::outbox::{FailureKind, failure_kind, queue_message, send_outbox};
use postern_test_stack::{Stack, TestUser};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

const WAIT: Duration = Duration::from_secs(20);

// ---------------------------------------------------------------------------------
// Accounts and tokens

/// Always the same token (the stack's default client mints long-lived ones).
struct FixedToken(String);

impl AccessTokens for FixedToken {
    type Error = std::io::Error;

    async fn access_token(&self) -> Result<Secret, Self::Error> {
        Ok(Secret::new(self.0.clone()))
    }

    async fn token_rejected(&self, _token: &Secret) -> Result<Secret, Self::Error> {
        Err(std::io::Error::other("the test token was rejected"))
    }
}

/// An IMAP account whose SMTP server is `host:port`.
fn account(email: &str, port: u16, tls: &str, ca_file: &Path) -> Account {
    let text = format!(
        "[accounts.t]\nemail = \"{email}\"\ndisplay_name = \"Alice Test\"\nprovider = \"generic\"\n\
         receive = \"imap\"\nimap = {{ host = \"127.0.0.1\", port = 1, tls = \"implicit\" }}\n\
         smtp = {{ host = \"{host}\", port = {port}, tls = \"{tls}\" }}\n\
         ca_file = \"{}\"\n\
         [accounts.t.auth]\nmethod = \"oauth2\"\nflow = \"device\"\nclient_id = \"test\"\n\
         device_authorization_url = \"http://127.0.0.1:1/device\"\n\
         token_url = \"http://127.0.0.1:1/token\"\nscopes = [\"mail\"]\n",
        ca_file.display(),
        host = if tls == "none" {
            "127.0.0.1"
        } else {
            "localhost"
        },
    );
    let config = Config::parse_str(&text, Path::new("test.toml"))
        .unwrap_or_else(|error| panic!("{error}\n{text}"));
    config.accounts.into_iter().next().unwrap()
}

struct Sender {
    user: TestUser,
    account: Account,
    tokens: FixedToken,
}

fn sender(stack: &Stack) -> Sender {
    let user = stack.new_user("alice").unwrap();
    let account = account(
        &user.name,
        stack.ports().submissions,
        "implicit",
        stack.ca_file(),
    );
    let tokens = FixedToken(stack.token_for(&user.name).unwrap());
    Sender {
        user,
        account,
        tokens,
    }
}

fn mailbox(name: Option<&str>, email: &str) -> Address {
    Address {
        name: name.map(str::to_owned),
        email: email.to_owned(),
    }
}

fn store_with_account(path: &Path, email: &str) -> (Store, AccountId) {
    let store = Store::open(path).unwrap();
    let id = store.upsert_account("t", email).unwrap();
    (store, id)
}

/// A port where nothing listens (bound, then released).
fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

fn unique_subject(what: &str) -> String {
    static N: AtomicUsize = AtomicUsize::new(0);
    format!(
        "{what} {}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    )
}

fn sunk_with_subject(stack: &Stack, subject: &str) -> usize {
    stack
        .sink()
        .messages()
        .iter()
        .filter(|m| m.text().contains(subject))
        .count()
}

fn read_single(files: &[std::path::PathBuf]) -> Vec<u8> {
    assert_eq!(files.len(), 1, "exactly one message: {files:?}");
    std::fs::read(&files[0]).unwrap()
}

fn assert_send<T: Send>(_: &T) {}

// ---------------------------------------------------------------------------------
// Against the real stack

#[tokio::test]
async fn message_from_alice_arrives_in_bobs_maildir_with_headers_and_attachments() {
    let stack = Stack::shared();
    let alice = sender(stack);
    let bob = stack.new_user("bob").unwrap();
    let attachment: Vec<u8> = (0..100_000u32).map(|i| (i * 31 % 251) as u8).collect();
    let subject = format!("Grüße, Bob — {}", unique_subject("héllo"));
    let body = "Hi Bob,\n.\n.leading dot stays\n..two dots\nbye\n";
    let draft = Draft {
        to: vec![mailbox(Some("Bob Bœuf"), &bob.name)],
        subject: subject.clone(),
        body: body.into(),
        attachments: vec![Attachment::from_bytes("données.bin", attachment.clone())],
        ..Draft::new(mailbox(Some("Alice Test"), &alice.user.name))
    };
    let queued = draft.to_message().unwrap();
    let outgoing = draft_outgoing(&queued);

    let mut session = proto::smtp::connect_authenticated(&alice.account, &alice.tokens)
        .await
        .unwrap_or_else(|e| panic!("{e}\n{}", stack.log_tail()));
    let reply = proto::smtp::send(
        &mut session,
        &outgoing.envelope_from,
        &outgoing.recipients,
        &outgoing.message,
    )
    .await
    .unwrap();
    session.quit().await.unwrap();
    assert_eq!(reply.code, 250, "{reply}");
    assert!(reply.text.starts_with("250 "), "{reply}");

    let files = stack.wait_for_mail(&bob, "INBOX", 1, WAIT).await.unwrap();
    let delivered = read_single(&files);
    let parsed = MessageParser::default().parse(&delivered).unwrap();
    let sent = MessageParser::default().parse(&queued).unwrap();
    assert_eq!(parsed.subject(), Some(subject.as_str()));
    let from = parsed.from().unwrap().first().unwrap();
    assert_eq!(from.address(), Some(alice.user.name.as_str()));
    assert_eq!(from.name(), Some("Alice Test"));
    let to = parsed.to().unwrap().first().unwrap();
    assert_eq!(to.address(), Some(bob.name.as_str()));
    assert_eq!(to.name(), Some("Bob Bœuf"));
    assert_eq!(parsed.message_id(), sent.message_id());
    assert!(parsed.message_id().unwrap().ends_with("@example.test"));
    assert_eq!(
        parsed.date().map(|d| d.to_timestamp()),
        sent.date().map(|d| d.to_timestamp())
    );
    assert_eq!(
        parsed.body_text(0).unwrap().replace("\r\n", "\n"),
        body,
        "dot-stuffed on the wire, intact on arrival"
    );
    let part = parsed.attachment(0).unwrap();
    assert_eq!(part.attachment_name(), Some("données.bin"));
    assert_eq!(part.contents(), &attachment[..]);

    // The sink saw the envelope postern gave.
    let sunk = stack.sink().messages_to(&bob.name);
    assert_eq!(sunk.len(), 1);
    assert_eq!(sunk[0].mail_from, alice.user.name);
}

fn draft_outgoing(queued: &[u8]) -> postern::mime::compose::Outgoing {
    postern::mime::compose::prepare_for_sending(queued).unwrap()
}

#[tokio::test]
async fn bcc_recipient_gets_it_but_nobody_sees_a_bcc_header() {
    let stack = Stack::shared();
    let alice = sender(stack);
    let bob = stack.new_user("bob").unwrap();
    let carol = stack.new_user("carol").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (mut store, id) = store_with_account(&dir.path().join("store.db"), &alice.user.name);
    let subject = unique_subject("bcc");
    let raw = Draft {
        to: vec![mailbox(None, &bob.name)],
        bcc: vec![mailbox(Some("Carol"), &carol.name)],
        subject: subject.clone(),
        body: "secret copy".into(),
        ..Draft::new(mailbox(None, &alice.user.name))
    }
    .to_message()
    .unwrap();
    let queued_id = queue_message(&store, id, &raw).unwrap();

    let future = send_outbox(&mut store, id, || {
        proto::smtp::connect_authenticated(&alice.account, &alice.tokens)
    });
    assert_send(&future);
    let run = future.await.unwrap();
    assert!(run.failed.is_empty(), "{:?}", run.failed);
    assert_eq!(run.sent.len(), 1);
    assert_eq!(run.sent[0].id, queued_id);
    assert_eq!(run.sent[0].raw, raw, "the Sent copy is the queued message");
    assert!(String::from_utf8_lossy(&run.sent[0].raw).contains("Bcc: "));

    for user in [&bob, &carol] {
        let files = stack.wait_for_mail(user, "INBOX", 1, WAIT).await.unwrap();
        let delivered = read_single(&files);
        let text = String::from_utf8_lossy(&delivered);
        assert!(text.contains(&subject));
        let parsed = MessageParser::default().parse(&delivered).unwrap();
        assert!(parsed.bcc().is_none(), "{} sees no Bcc", user.name);
        if user.name == bob.name {
            assert!(
                !text.contains(&carol.name),
                "carol is nowhere in bob's copy: {text}"
            );
        }
    }
    let sunk = stack
        .sink()
        .wait_for(WAIT, |m| m.text().contains(&subject))
        .await
        .unwrap();
    assert_eq!(sunk.rcpt_to, [bob.name.clone(), carol.name.clone()]);
    assert!(
        !sunk.text().contains(&carol.name),
        "carol is only in the envelope"
    );
}

#[tokio::test]
async fn server_down_then_up_the_message_is_kept_then_sent_exactly_once() {
    let stack = Stack::shared();
    let alice = sender(stack);
    let bob = stack.new_user("bob").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.db");
    let subject = unique_subject("down then up");
    let raw = Draft {
        to: vec![mailbox(None, &bob.name)],
        subject: subject.clone(),
        body: "kept until the server is back".into(),
        ..Draft::new(mailbox(None, &alice.user.name))
    }
    .to_message()
    .unwrap();

    let down = account(&alice.user.name, closed_port(), "implicit", stack.ca_file());
    let queued_id = {
        let (mut store, id) = store_with_account(&path, &alice.user.name);
        let queued_id = queue_message(&store, id, &raw).unwrap();
        for attempt in 1..=2 {
            let run = send_outbox(&mut store, id, || {
                proto::smtp::connect_authenticated(&down, &alice.tokens)
            })
            .await
            .unwrap();
            assert!(run.sent.is_empty());
            assert_eq!(run.failed.len(), 1);
            assert_eq!(run.failed[0].kind, FailureKind::Temporary);
            let row = store.outgoing(queued_id).unwrap().unwrap();
            assert_eq!(row.state, OutboxState::Failed);
            assert_eq!(row.attempts, attempt);
            assert_eq!(row.raw, raw, "the message is kept as queued");
            let error = row.last_error.clone().unwrap();
            assert!(
                error.starts_with("temporary failure: cannot connect to localhost:"),
                "{error}"
            );
            assert!(error.contains("refused"), "{error}");
            assert_eq!(row.server_reply, None, "no server answered");
            assert_eq!(failure_kind(&row), Some(FailureKind::Temporary));
        }
        queued_id
    };
    assert_eq!(sunk_with_subject(stack, &subject), 0);

    // The server is back; postern was restarted meanwhile (the store reopened).
    let (mut store, id) = store_with_account(&path, &alice.user.name);
    let run = send_outbox(&mut store, id, || {
        proto::smtp::connect_authenticated(&alice.account, &alice.tokens)
    })
    .await
    .unwrap();
    assert_eq!(run.sent.len(), 1, "{:?}", run.failed);
    let row = store.outgoing(queued_id).unwrap().unwrap();
    assert_eq!(row.state, OutboxState::Sent);
    assert_eq!(row.attempts, 3);
    assert_eq!(row.last_error, None);
    assert!(
        row.server_reply.as_deref().unwrap().starts_with("250"),
        "{row:?}"
    );
    assert!(row.sent_at.is_some());

    // Another run sends nothing again.
    let run = send_outbox(&mut store, id, || {
        proto::smtp::connect_authenticated(&alice.account, &alice.tokens)
    })
    .await
    .unwrap();
    assert!(run.sent.is_empty() && run.failed.is_empty());
    stack.wait_for_mail(&bob, "INBOX", 1, WAIT).await.unwrap();
    assert_eq!(sunk_with_subject(stack, &subject), 1, "sent exactly once");
    let files = stack.wait_for_mail(&bob, "INBOX", 1, WAIT).await.unwrap();
    assert_eq!(files.len(), 1);
}

#[tokio::test]
async fn the_outbox_survives_a_store_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.db");
    let eml = b"From: ada@example.test\nTo: bob@example.test\nBcc: eve@example.test\nSubject: durable\n\nbody\n";
    let raw = message_from_eml(eml).unwrap();
    let queued = {
        let (store, id) = store_with_account(&path, "ada@example.test");
        (queue_message(&store, id, &raw).unwrap(), id)
    };
    let (store, id) = store_with_account(&path, "ada@example.test");
    assert_eq!(id, queued.1);
    let rows = store.outbox(id, None).unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].id, queued.0);
    assert_eq!(rows[0].state, OutboxState::Queued);
    assert_eq!(rows[0].raw, raw, "byte for byte, Bcc included");
}

#[tokio::test]
async fn bad_messages_are_refused_before_anything_is_queued() {
    let dir = tempfile::tempdir().unwrap();
    let (store, id) = store_with_account(&dir.path().join("store.db"), "ada@example.test");
    let error =
        queue_message(&store, id, b"From: ada@example.test\r\nSubject: x\r\n\r\n").unwrap_err();
    assert!(error.to_string().contains("no recipient"), "{error}");
    assert!(store.outbox(id, None).unwrap().is_empty());
}

// ---------------------------------------------------------------------------------
// A scripted SMTP server (plaintext on loopback, `tls = "none"`)

/// What the scripted server answers after the data's final dot.
#[derive(Clone)]
enum Final {
    Reply(&'static str),
    /// Close the connection without answering.
    HangUp,
    /// Tell the test, then never answer.
    Stall(Arc<tokio::sync::Notify>),
}

struct Scripted {
    port: u16,
    /// Every command line received, in order, across connections.
    commands: Arc<Mutex<Vec<String>>>,
    /// Messages whose data arrived completely (dot-unstuffed).
    data: Arc<Mutex<Vec<Vec<u8>>>>,
}

impl Scripted {
    /// `finals` are used in order, one per message; the last one repeats.
    async fn start(finals: Vec<Final>, refuse_rcpt_containing: &'static str) -> Scripted {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let commands = Arc::new(Mutex::new(Vec::new()));
        let data = Arc::new(Mutex::new(Vec::new()));
        let finals = Arc::new(Mutex::new(VecDeque::from(finals)));
        let (log, store) = (Arc::clone(&commands), Arc::clone(&data));
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let (log, store, finals) =
                    (Arc::clone(&log), Arc::clone(&store), Arc::clone(&finals));
                tokio::spawn(async move {
                    let _ =
                        scripted_session(stream, log, store, finals, refuse_rcpt_containing).await;
                });
            }
        });
        Scripted {
            port,
            commands,
            data,
        }
    }

    fn commands(&self) -> Vec<String> {
        self.commands.lock().unwrap().clone()
    }

    fn messages(&self) -> usize {
        self.data.lock().unwrap().len()
    }

    fn account(&self) -> Account {
        // The CA is not used over plaintext, but the account must name a valid one.
        account(
            "alice@example.test",
            self.port,
            "none",
            Stack::shared().ca_file(),
        )
    }

    async fn connect(&self) -> Result<proto::smtp::SmtpSession, ProtoError> {
        proto::smtp::connect_password(
            &self.account(),
            &Secret::new("pw"),
            &ConnectOptions::default(),
        )
        .await
    }
}

async fn scripted_session(
    stream: tokio::net::TcpStream,
    log: Arc<Mutex<Vec<String>>>,
    store: Arc<Mutex<Vec<Vec<u8>>>>,
    finals: Arc<Mutex<VecDeque<Final>>>,
    refuse: &'static str,
) -> std::io::Result<()> {
    let (read, mut write) = stream.into_split();
    let mut reader = BufReader::new(read);
    write.write_all(b"220 scripted ESMTP\r\n").await?;
    let mut line = String::new();
    loop {
        line.clear();
        if reader.read_line(&mut line).await? == 0 {
            return Ok(());
        }
        let command = line.trim_end().to_owned();
        log.lock().unwrap().push(command.clone());
        let verb = command
            .split([' ', ':'])
            .next()
            .unwrap_or("")
            .to_ascii_uppercase();
        let reply: String = match verb.as_str() {
            "EHLO" => "250-scripted\r\n250-AUTH PLAIN\r\n250-SIZE 10000000\r\n250-8BITMIME\r\n250 PIPELINING\r\n".into(),
            "AUTH" => "235 2.7.0 Authentication successful\r\n".into(),
            "MAIL" => "250 2.1.0 Ok\r\n".into(),
            "RCPT" if !refuse.is_empty() && command.contains(refuse) => {
                let address = command.split(['<', '>']).nth(1).unwrap_or("").to_owned();
                format!("550 5.1.1 <{address}>: Recipient address rejected: User unknown\r\n")
            }
            "RCPT" => "250 2.1.5 Ok\r\n".into(),
            "RSET" => "250 2.0.0 Ok\r\n".into(),
            "QUIT" => {
                write.write_all(b"221 2.0.0 Bye\r\n").await?;
                return Ok(());
            }
            "DATA" => {
                write.write_all(b"354 End data with <CR><LF>.<CR><LF>\r\n").await?;
                let mut message = Vec::new();
                loop {
                    let mut data_line = Vec::new();
                    if reader.read_until(b'\n', &mut data_line).await? == 0 {
                        return Ok(());
                    }
                    if data_line == b".\r\n" {
                        break;
                    }
                    let content = data_line.strip_prefix(b".").unwrap_or(&data_line);
                    message.extend_from_slice(content);
                }
                store.lock().unwrap().push(message);
                let next = {
                    let mut finals = finals.lock().unwrap();
                    if finals.len() > 1 {
                        finals.pop_front()
                    } else {
                        finals.front().cloned()
                    }
                };
                match next.unwrap_or(Final::Reply("250 2.0.0 Ok: queued as ABC123\r\n")) {
                    Final::Reply(reply) => reply.into(),
                    Final::HangUp => return Ok(()),
                    Final::Stall(notify) => {
                        notify.notify_one();
                        // Hold the connection open without answering.
                        let mut rest = String::new();
                        let _ = reader.read_line(&mut rest).await;
                        return Ok(());
                    }
                }
            }
            _ => "502 5.5.2 Command not implemented\r\n".into(),
        };
        write.write_all(reply.as_bytes()).await?;
    }
}

fn simple_message(subject: &str, to: &[&str]) -> Vec<u8> {
    Draft {
        to: to.iter().map(|a| mailbox(None, a)).collect(),
        subject: subject.into(),
        body: "Hello\n.\nend\n".into(),
        ..Draft::new(mailbox(None, "alice@example.test"))
    }
    .to_message()
    .unwrap()
}

fn scripted_store() -> (tempfile::TempDir, Store, AccountId) {
    let dir = tempfile::tempdir().unwrap();
    let (store, id) = store_with_account(&dir.path().join("store.db"), "alice@example.test");
    (dir, store, id)
}

#[tokio::test]
async fn final_reply_text_is_captured_and_data_is_dot_stuffed() {
    let server = Scripted::start(vec![Final::Reply("250 2.0.0 Ok: queued as 4Xyz\r\n")], "").await;
    let mut session = server.connect().await.unwrap();
    let raw = simple_message("dots", &["bob@example.test"]);
    let outgoing = draft_outgoing(&raw);
    let reply = proto::smtp::send(
        &mut session,
        &outgoing.envelope_from,
        &outgoing.recipients,
        &outgoing.message,
    )
    .await
    .unwrap();
    assert_eq!(reply.code, 250);
    assert_eq!(reply.text, "250 2.0.0 Ok: queued as 4Xyz");
    assert_eq!(
        server.data.lock().unwrap()[0],
        outgoing.message,
        "unstuffed by the server, the data is the message byte for byte"
    );
    let commands = server.commands();
    assert!(
        commands
            .iter()
            .any(|c| c.starts_with("MAIL FROM:<alice@example.test> SIZE=")),
        "{commands:?}"
    );
}

#[tokio::test]
async fn eight_bit_eml_is_sent_with_body_8bitmime() {
    let server = Scripted::start(vec![], "").await;
    let mut session = server.connect().await.unwrap();
    let raw = message_from_eml(
        "From: alice@example.test\nTo: bob@example.test\nSubject: raw\n\nGrüße\n".as_bytes(),
    )
    .unwrap();
    let outgoing = draft_outgoing(&raw);
    proto::smtp::send(
        &mut session,
        &outgoing.envelope_from,
        &outgoing.recipients,
        &outgoing.message,
    )
    .await
    .unwrap();
    assert!(
        server
            .commands()
            .iter()
            .any(|c| c.starts_with("MAIL FROM:") && c.contains("BODY=8BITMIME")),
        "{:?}",
        server.commands()
    );
}

#[tokio::test]
async fn refused_recipients_are_all_reported_and_nothing_is_sent() {
    let server = Scripted::start(vec![], "nobody").await;
    let mut session = server.connect().await.unwrap();
    let raw = simple_message(
        "partial",
        &[
            "nobody1@example.test",
            "bob@example.test",
            "nobody2@example.test",
        ],
    );
    let outgoing = draft_outgoing(&raw);
    let error = proto::smtp::send(
        &mut session,
        &outgoing.envelope_from,
        &outgoing.recipients,
        &outgoing.message,
    )
    .await
    .unwrap_err();
    let ProtoError::RecipientsRefused {
        refused, accepted, ..
    } = &error
    else {
        panic!("{error:?}");
    };
    assert_eq!(*accepted, 1);
    let refused_addresses: Vec<&str> = refused.iter().map(|r| r.address.as_str()).collect();
    assert_eq!(
        refused_addresses,
        ["nobody1@example.test", "nobody2@example.test"]
    );
    assert!(
        refused[0].reply.starts_with("550 5.1.1"),
        "{:?}",
        refused[0]
    );
    assert!(error.is_permanent_send_failure());
    let text = error.to_string();
    assert!(text.contains("refused 2 of 3 recipients"), "{text}");
    assert!(text.contains("nobody2@example.test: 550"), "{text}");
    let commands = server.commands();
    assert!(!commands.iter().any(|c| c == "DATA"), "{commands:?}");
    assert_eq!(commands.last().map(String::as_str), Some("RSET"));

    // The session is still good for the next message.
    let raw = simple_message("after", &["bob@example.test"]);
    let outgoing = draft_outgoing(&raw);
    let reply = proto::smtp::send(
        &mut session,
        &outgoing.envelope_from,
        &outgoing.recipients,
        &outgoing.message,
    )
    .await
    .unwrap();
    assert_eq!(reply.code, 250);
    assert_eq!(server.messages(), 1);
}

#[tokio::test]
async fn a_message_over_the_server_s_size_limit_is_not_sent_and_says_both_sizes() {
    // The scripted server announces `SIZE 10000000`.
    let server = Scripted::start(vec![], "").await;
    let (_dir, mut store, id) = scripted_store();
    let big = Draft {
        to: vec![mailbox(None, "bob@example.test")],
        subject: "the scans".into(),
        body: "attached\n".into(),
        attachments: vec![postern::mime::compose::Attachment {
            source: postern::mime::compose::AttachmentSource::Bytes(vec![0x5a; 8_000_000]),
            filename: "scans.bin".into(),
            mime_type: "application/octet-stream".into(),
        }],
        ..Draft::new(mailbox(None, "alice@example.test"))
    }
    .to_message()
    .unwrap();
    assert!(big.len() > 10_000_000, "8 MB grows past 10 MB in base64");
    let queued = queue_message(&store, id, &big).unwrap();
    let run = send_outbox(&mut store, id, || server.connect())
        .await
        .unwrap();
    assert!(run.sent.is_empty());
    assert_eq!(run.failed[0].kind, FailureKind::Permanent);
    let error = store.outgoing(queued).unwrap().unwrap().last_error.unwrap();
    assert!(error.contains("10.0 MB"), "{error}");
    assert!(
        error.contains(&format!("{:.1} MB", big.len() as f64 / 1e6)),
        "{error}"
    );
    assert!(error.contains("remove or shrink attachments"), "{error}");
    assert!(
        !server.commands().iter().any(|c| c.starts_with("MAIL")),
        "refused before MAIL FROM: {:?}",
        server.commands()
    );
    assert_eq!(server.messages(), 0);

    // A message under the limit goes through the same session's server.
    queue_message(&store, id, &simple_message("small", &["bob@example.test"])).unwrap();
    let run = send_outbox(&mut store, id, || server.connect())
        .await
        .unwrap();
    assert_eq!(run.sent.len(), 1);
}

/// Microsoft 365 announces a SIZE far above what it takes and refuses after DATA:
/// that refusal says what to do too.
#[tokio::test]
async fn a_size_refusal_after_the_data_is_explained() {
    let server = Scripted::start(
        vec![Final::Reply(
            "552 5.3.4 Message size exceeds fixed maximum message size\r\n",
        )],
        "",
    )
    .await;
    let (_dir, mut store, id) = scripted_store();
    let queued = queue_message(&store, id, &simple_message("big", &["bob@example.test"])).unwrap();
    let run = send_outbox(&mut store, id, || server.connect())
        .await
        .unwrap();
    assert_eq!(run.failed[0].kind, FailureKind::Permanent);
    let error = store.outgoing(queued).unwrap().unwrap().last_error.unwrap();
    assert!(error.contains("552 5.3.4"), "{error}");
    assert!(error.contains("remove or shrink attachments"), "{error}");
}

/// A refused login is kept for the next run like a lost connection, but marked: a
/// running postern does not try it again by itself (failed logins lock accounts).
#[tokio::test]
async fn a_refused_login_is_marked_so_that_it_is_not_retried_by_itself() {
    let (_dir, mut store, id) = scripted_store();
    queue_message(
        &store,
        id,
        &simple_message("locked?", &["bob@example.test"]),
    )
    .unwrap();
    queue_message(&store, id, &simple_message("also", &["bob@example.test"])).unwrap();
    let run = send_outbox(&mut store, id, || async {
        Err::<proto::smtp::SmtpSession, _>(ProtoError::PasswordRejected {
            protocol: postern::auth::sasl::Protocol::Smtp,
            user: "alice@example.test".into(),
            server_response: "535 5.7.8 Error: authentication failed".into(),
        })
    })
    .await
    .unwrap();
    assert_eq!(run.failed.len(), 2);
    assert!(
        run.failed
            .iter()
            .all(|f| f.kind == FailureKind::Temporary && f.login_refused),
        "{:?}",
        run.failed
    );
    // A lost connection is not a refused login.
    let down = account(
        "alice@example.test",
        closed_port(),
        "implicit",
        Stack::shared().ca_file(),
    );
    queue_message(&store, id, &simple_message("down", &["bob@example.test"])).unwrap();
    let (secret, options) = (Secret::new("pw"), ConnectOptions::default());
    let run = send_outbox(&mut store, id, || {
        proto::smtp::connect_password(&down, &secret, &options)
    })
    .await
    .unwrap();
    assert!(
        run.failed.iter().all(|f| !f.login_refused),
        "{:?}",
        run.failed
    );
}

#[tokio::test]
async fn permanent_rejection_is_kept_with_the_server_text_and_not_retried_by_itself() {
    let server = Scripted::start(
        vec![Final::Reply(
            "554 5.7.1 Rejected: message looks like spam\r\n",
        )],
        "",
    )
    .await;
    let (_dir, mut store, id) = scripted_store();
    let queued =
        queue_message(&store, id, &simple_message("spam?", &["bob@example.test"])).unwrap();
    let run = send_outbox(&mut store, id, || server.connect())
        .await
        .unwrap();
    assert!(run.sent.is_empty());
    assert_eq!(run.failed.len(), 1);
    assert_eq!(run.failed[0].kind, FailureKind::Permanent);
    let row = store.outgoing(queued).unwrap().unwrap();
    assert_eq!(row.state, OutboxState::Failed);
    assert_eq!(row.attempts, 1);
    assert_eq!(
        row.server_reply.as_deref(),
        Some("554 5.7.1 Rejected: message looks like spam")
    );
    let error = row.last_error.clone().unwrap();
    assert!(error.starts_with("permanent failure: "), "{error}");
    assert!(error.contains("554 5.7.1 Rejected"), "{error}");
    assert_eq!(failure_kind(&row), Some(FailureKind::Permanent));

    // The next run leaves it alone...
    let run = send_outbox(&mut store, id, || server.connect())
        .await
        .unwrap();
    assert!(run.sent.is_empty() && run.failed.is_empty());
    assert_eq!(server.messages(), 1);
    // ...until the user asks for a retry.
    store.requeue(queued).unwrap();
    let run = send_outbox(&mut store, id, || server.connect())
        .await
        .unwrap();
    assert_eq!(run.failed.len(), 1);
    assert_eq!(server.messages(), 2);
    assert_eq!(store.outgoing(queued).unwrap().unwrap().attempts, 2);
}

#[tokio::test]
async fn temporary_rejection_is_retried_on_the_next_run() {
    let server = Scripted::start(
        vec![
            Final::Reply("451 4.3.0 Try again later\r\n"),
            Final::Reply("250 2.0.0 Ok: queued as Q2\r\n"),
        ],
        "",
    )
    .await;
    let (_dir, mut store, id) = scripted_store();
    let first = queue_message(&store, id, &simple_message("one", &["bob@example.test"])).unwrap();
    let second = queue_message(&store, id, &simple_message("two", &["bob@example.test"])).unwrap();
    let run = send_outbox(&mut store, id, || server.connect())
        .await
        .unwrap();
    // In order: the first got the 451, the second went through on the same session.
    assert_eq!(run.failed.len(), 1);
    assert_eq!(run.failed[0].id, first);
    assert_eq!(run.failed[0].kind, FailureKind::Temporary);
    assert_eq!(
        run.failed[0].reply.as_deref(),
        Some("451 4.3.0 Try again later")
    );
    assert_eq!(run.sent.len(), 1);
    assert_eq!(run.sent[0].id, second);
    assert_eq!(run.sent[0].reply.text, "250 2.0.0 Ok: queued as Q2");
    let connections = server
        .commands()
        .iter()
        .filter(|c| c.starts_with("EHLO"))
        .count();
    assert_eq!(connections, 2, "one session (lettre's EHLO + postern's)");

    let run = send_outbox(&mut store, id, || server.connect())
        .await
        .unwrap();
    assert_eq!(run.sent.len(), 1);
    assert_eq!(run.sent[0].id, first);
    let row = store.outgoing(first).unwrap().unwrap();
    assert_eq!((row.state, row.attempts), (OutboxState::Sent, 2));
    assert_eq!(server.messages(), 3);
}

#[tokio::test]
async fn connection_lost_after_the_data_is_maybe_sent_and_never_resent_by_itself() {
    let server = Scripted::start(vec![Final::HangUp, Final::Reply("250 ok\r\n")], "").await;
    let (_dir, mut store, id) = scripted_store();
    let queued = queue_message(&store, id, &simple_message("lost", &["bob@example.test"])).unwrap();
    let run = send_outbox(&mut store, id, || server.connect())
        .await
        .unwrap();
    assert_eq!(run.failed.len(), 1);
    assert_eq!(run.failed[0].kind, FailureKind::MaybeSent);
    let row = store.outgoing(queued).unwrap().unwrap();
    let error = row.last_error.clone().unwrap();
    assert!(error.starts_with("maybe sent: "), "{error}");
    assert!(error.contains("may have been delivered"), "{error}");

    let run = send_outbox(&mut store, id, || server.connect())
        .await
        .unwrap();
    assert!(run.sent.is_empty() && run.failed.is_empty());
    assert_eq!(server.messages(), 1, "not sent a second time");
}

#[tokio::test]
async fn a_crash_while_the_server_has_the_data_leaves_it_maybe_sent() {
    let stalled = Arc::new(tokio::sync::Notify::new());
    let server = Scripted::start(vec![Final::Stall(Arc::clone(&stalled))], "").await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.db");
    let queued = {
        let (mut store, id) = store_with_account(&path, "alice@example.test");
        let queued =
            queue_message(&store, id, &simple_message("crash", &["bob@example.test"])).unwrap();
        // "Crash": the run is dropped while the server holds the complete message.
        tokio::select! {
            _ = send_outbox(&mut store, id, || server.connect()) => panic!("the server never answers"),
            _ = stalled.notified() => {}
        }
        queued
    };
    let (mut store, id) = store_with_account(&path, "alice@example.test");
    let row = store.outgoing(queued).unwrap().unwrap();
    assert_eq!(row.state, OutboxState::Failed);
    assert_eq!(failure_kind(&row), Some(FailureKind::MaybeSent));
    assert!(
        row.last_error
            .unwrap()
            .contains("postern stopped while sending")
    );
    let run = send_outbox(&mut store, id, || server.connect())
        .await
        .unwrap();
    assert!(run.sent.is_empty() && run.failed.is_empty());
    assert_eq!(server.messages(), 1);
}

#[tokio::test]
async fn two_senders_never_both_send_one_message() {
    let server = Scripted::start(vec![], "").await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.db");
    let (mut first, id) = store_with_account(&path, "alice@example.test");
    let (mut second, _) = store_with_account(&path, "alice@example.test");
    for n in 0..5 {
        queue_message(
            &first,
            id,
            &simple_message(&format!("m{n}"), &["bob@example.test"]),
        )
        .unwrap();
    }
    let (a, b) = tokio::join!(
        send_outbox(&mut first, id, || server.connect()),
        send_outbox(&mut second, id, || server.connect()),
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(a.sent.len() + b.sent.len(), 5);
    assert!(a.failed.is_empty() && b.failed.is_empty());
    assert_eq!(server.messages(), 5, "each message once");
}

#[tokio::test]
async fn refused_recipient_in_the_outbox_is_a_permanent_failure_naming_it() {
    let server = Scripted::start(vec![], "nobody").await;
    let (_dir, mut store, id) = scripted_store();
    let queued = queue_message(
        &store,
        id,
        &simple_message("typo", &["bob@example.test", "nobody@example.test"]),
    )
    .unwrap();
    let run = send_outbox(&mut store, id, || server.connect())
        .await
        .unwrap();
    assert_eq!(run.failed.len(), 1);
    assert_eq!(run.failed[0].kind, FailureKind::Permanent);
    let row = store.outgoing(queued).unwrap().unwrap();
    assert_eq!(
        row.server_reply.as_deref(),
        Some(
            "nobody@example.test: 550 5.1.1 <nobody@example.test>: Recipient address rejected: User unknown"
        )
    );
    assert_eq!(server.messages(), 0, "bob did not get it either");
}
