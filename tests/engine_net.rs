//! The engine against the real test stack: IMAP sync, bodies fetched on open with
//! \Seen pushed to the server, IDLE push, POP3 download, sending with a copy in
//! Sent, flag/move/delete commands seen by another client, and a dead server that
//! retries with growing gaps without holding up a healthy account or shutdown.

use std::path::{Path, PathBuf};
use std::time::Duration;

use postern::config::{Account, Config};
use postern::engine::{BackoffPolicy, Command, Engine, EngineOptions, Event, Operation, RequestId};
use postern::store::{AccountId, EnvelopeRow, Flags, FolderId, FolderRole, FolderRow, Page};
use postern_test_stack::{LineConn, SeedSpec, Stack, TestUser};
use tokio::sync::mpsc::UnboundedReceiver;

struct Setup {
    _dir: tempfile::TempDir,
    store: PathBuf,
    tokens: PathBuf,
    root: PathBuf,
}

fn setup() -> Setup {
    let dir = tempfile::tempdir().unwrap();
    Setup {
        store: dir.path().join("store.sqlite3"),
        tokens: dir.path().join("tokens"),
        root: dir.path().to_path_buf(),
        _dir: dir,
    }
}

/// An account on the stack logging in with the user's password from a file.
fn account(setup: &Setup, name: &str, user: &TestUser, receive: &str, port: u16) -> Account {
    account_sending_to(
        setup,
        name,
        user,
        (receive, port),
        Stack::shared().ports().submissions,
    )
}

/// [`account`] whose SMTP server is at `smtp_port` on localhost (implicit TLS).
fn account_sending_to(
    setup: &Setup,
    name: &str,
    user: &TestUser,
    (receive, port): (&str, u16),
    smtp_port: u16,
) -> Account {
    let stack = Stack::shared();
    let secret = setup.root.join(format!("{name}.pw"));
    std::fs::write(&secret, &user.password).unwrap();
    let text = format!(
        "[accounts.{name}]\nemail = \"{}\"\nprovider = \"generic\"\nreceive = \"{receive}\"\n\
         {receive} = {{ host = \"localhost\", port = {port}, tls = \"implicit\" }}\n\
         smtp = {{ host = \"localhost\", port = {}, tls = \"implicit\" }}\n\
         ca_file = \"{}\"\nauth = {{ method = \"password\", password_command = \"cat {}\" }}\n",
        user.name,
        smtp_port,
        stack.ca_file().display(),
        secret.display()
    );
    let config = Config::parse_str(&text, Path::new("test.toml"))
        .unwrap_or_else(|error| panic!("{error}\n{text}"));
    config.accounts.into_iter().next().unwrap()
}

fn options() -> EngineOptions {
    EngineOptions {
        backoff: BackoffPolicy {
            initial: Duration::from_millis(50),
            max: Duration::from_millis(400),
        },
        ..EngineOptions::default()
    }
}

/// The next event `pick` accepts, within a bounded wait; Error events fail the
/// test unless `pick` takes them.
async fn next<T>(
    events: &mut UnboundedReceiver<Event>,
    mut pick: impl FnMut(&Event) -> Option<T>,
) -> T {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let event = tokio::time::timeout_at(deadline, events.recv())
            .await
            .expect("timed out waiting for an engine event")
            .expect("engine stopped");
        if let Some(found) = pick(&event) {
            return found;
        }
        if let Event::Error { context, problem } = &event {
            panic!("engine error: {context}: {problem}");
        }
        if let Event::Failed { request, problem } = &event {
            panic!("request {} failed: {problem}", request.0);
        }
    }
}

/// The `Done` answer to `request`.
async fn done(events: &mut UnboundedReceiver<Event>, request: RequestId) {
    next(events, |e| {
        matches!(e, Event::Done { request: r, .. } if *r == request).then_some(())
    })
    .await
}

async fn synced(events: &mut UnboundedReceiver<Event>, account: AccountId) {
    next(events, |e| {
        matches!(e, Event::Synced { account: a } if *a == account).then_some(())
    })
    .await
}

async fn folders(
    engine: &Engine,
    events: &mut UnboundedReceiver<Event>,
    account: AccountId,
) -> Vec<FolderRow> {
    engine
        .commands()
        .send(Command::LoadFolders { account })
        .unwrap();
    next(events, |e| match e {
        Event::Folders {
            account: a,
            folders,
        } if *a == account => Some(folders.clone()),
        _ => None,
    })
    .await
}

async fn folder(
    engine: &Engine,
    events: &mut UnboundedReceiver<Event>,
    account: AccountId,
    role: FolderRole,
) -> FolderId {
    folders(engine, events, account)
        .await
        .into_iter()
        .find(|f| f.role == Some(role))
        .unwrap_or_else(|| panic!("no {role:?} folder"))
        .id
}

async fn envelopes(
    engine: &Engine,
    events: &mut UnboundedReceiver<Event>,
    folder: FolderId,
) -> (usize, Vec<EnvelopeRow>) {
    engine
        .commands()
        .send(Command::LoadEnvelopes {
            folder,
            page: Page::First,
            limit: 500,
        })
        .unwrap();
    next(events, |e| match e {
        Event::Envelopes {
            folder: f,
            total,
            rows,
            ..
        } if *f == folder => Some((*total, rows.clone())),
        _ => None,
    })
    .await
}

async fn accounts(engine: &Engine, events: &mut UnboundedReceiver<Event>) -> Vec<AccountId> {
    engine.commands().send(Command::LoadAccounts).unwrap();
    next(events, |e| match e {
        Event::Accounts(rows) => Some(rows.iter().map(|r| r.id).collect()),
        _ => None,
    })
    .await
}

async fn imap(conn: &mut LineConn, command: &str) -> Vec<String> {
    let reply = conn.imap("c", command).await.unwrap();
    assert!(
        reply.last().unwrap().starts_with("c OK"),
        "{command}: {reply:?}"
    );
    reply
}

/// How many INBOX messages the server has as \Seen.
async fn seen_on_server(conn: &mut LineConn) -> usize {
    let reply = imap(conn, "SEARCH SEEN").await;
    reply
        .iter()
        .find_map(|l| l.strip_prefix("* SEARCH"))
        .map(|uids| uids.split_whitespace().count())
        .unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn imap_account_syncs_opens_a_body_marks_it_seen_and_hears_new_mail_by_idle() {
    let stack = Stack::shared();
    let user = stack.new_user("engine-imap").unwrap();
    stack.seed(&user, &SeedSpec::inbox(30)).unwrap();
    let setup = setup();
    let account = account(&setup, "mail", &user, "imap", stack.ports().imaps);
    let (engine, mut events) =
        Engine::start_with(&setup.store, &setup.tokens, &[account], options()).unwrap();
    let id = accounts(&engine, &mut events).await[0];

    next(&mut events, |e| {
        matches!(e, Event::Changed { account, .. } if *account == id).then_some(())
    })
    .await;
    synced(&mut events, id).await;
    let inbox = folder(&engine, &mut events, id, FolderRole::Inbox).await;
    let (total, rows) = envelopes(&engine, &mut events, inbox).await;
    assert_eq!(total, 30);

    let mut other = stack.imap_login(&user).await.unwrap();
    imap(&mut other, "SELECT INBOX").await;
    let seen_before = seen_on_server(&mut other).await;

    // An unread message, body not downloaded: the worker fetches it.
    let unread = rows
        .iter()
        .find(|r| !r.flags.seen)
        .expect("an unread message");
    engine
        .commands()
        .send(Command::OpenMessage {
            id: unread.id,
            width: 80,
        })
        .unwrap();
    let rendered = next(&mut events, |e| match e {
        Event::Message { id, rendered } if *id == unread.id => Some(rendered.clone()),
        _ => None,
    })
    .await;
    assert!(!format!("{rendered:?}").is_empty());
    // Opening marks nothing by itself (the body was fetched with BODY.PEEK); the
    // front end asks for \Seen, and the store follows the server's OK.
    let seen = Flags {
        seen: true,
        ..Flags::default()
    };
    engine
        .commands()
        .send(Command::Run {
            request: RequestId(1),
            account: id,
            op: Operation::SetFlags {
                ids: vec![unread.id],
                add: seen,
                remove: Flags::default(),
            },
        })
        .unwrap();
    done(&mut events, RequestId(1)).await;
    {
        let (_, rows) = envelopes(&engine, &mut events, inbox).await;
        let row = rows.iter().find(|r| r.id == unread.id).unwrap();
        assert!(row.flags.seen, "seen in the store");
    }
    let mut fresh = stack.imap_login(&user).await.unwrap();
    imap(&mut fresh, "SELECT INBOX").await;
    assert_eq!(
        seen_on_server(&mut fresh).await,
        seen_before + 1,
        "\\Seen on the server"
    );

    // New mail while idling arrives without a Refresh.
    let message = "From: Zed <zed@example.test>\r\nTo: x@example.test\r\nSubject: pushed by idle\r\n\
                   Message-ID: <idle-1@test>\r\n\r\nhello\r\n";
    let reply = other.imap_append("INBOX", None, message).await.unwrap();
    assert!(reply.last().unwrap().starts_with("a OK"), "{reply:?}");
    loop {
        next(&mut events, |e| {
            matches!(e, Event::Changed { account, .. } if *account == id).then_some(())
        })
        .await;
        let (total, rows) = envelopes(&engine, &mut events, inbox).await;
        if total == 31 {
            assert!(rows.iter().any(|r| r.subject == "pushed by idle"));
            break;
        }
    }
    engine.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pop3_account_downloads_on_start() {
    let stack = Stack::shared();
    let user = stack.new_user("engine-pop3").unwrap();
    stack.seed(&user, &SeedSpec::inbox(12)).unwrap();
    let setup = setup();
    let account = account(&setup, "pop", &user, "pop3", stack.ports().pop3s);
    let (engine, mut events) =
        Engine::start_with(&setup.store, &setup.tokens, &[account], options()).unwrap();
    let id = accounts(&engine, &mut events).await[0];
    synced(&mut events, id).await;
    let inbox = folder(&engine, &mut events, id, FolderRole::Inbox).await;
    assert_eq!(envelopes(&engine, &mut events, inbox).await.0, 12);
    engine.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn send_delivers_to_another_user_and_files_a_copy_in_sent() {
    let stack = Stack::shared();
    let alice = stack.new_user("engine-send-a").unwrap();
    let bob = stack.new_user("engine-send-b").unwrap();
    let setup = setup();
    let account = account(&setup, "alice", &alice, "imap", stack.ports().imaps);
    let (engine, mut events) =
        Engine::start_with(&setup.store, &setup.tokens, &[account], options()).unwrap();
    let id = accounts(&engine, &mut events).await[0];
    synced(&mut events, id).await;

    let raw = format!(
        "From: {a}\r\nTo: {b}\r\nSubject: engine send test\r\nMessage-ID: <engine-send@test>\r\n\
         Date: Tue, 1 Jul 2025 10:00:00 +0000\r\n\r\nHello Bob.\r\n",
        a = alice.name,
        b = bob.name
    );
    engine
        .commands()
        .send(Command::Send {
            account: id,
            raw: raw.into_bytes(),
        })
        .unwrap();
    let reply = next(&mut events, |e| match e {
        Event::Sent { reply, .. } => Some(reply.clone()),
        Event::SendFailed { error, .. } => panic!("send failed: {error}"),
        _ => None,
    })
    .await;
    assert!(reply.starts_with("250"), "{reply}");
    let files = stack
        .wait_for_mail(&bob, "INBOX", 1, Duration::from_secs(20))
        .await
        .unwrap();
    let delivered = std::fs::read_to_string(&files[0]).unwrap();
    assert!(
        delivered.contains("Subject: engine send test"),
        "{delivered}"
    );

    let sent = folder(&engine, &mut events, id, FolderRole::Sent).await;
    loop {
        let (total, rows) = envelopes(&engine, &mut events, sent).await;
        if total == 1 {
            assert_eq!(rows[0].subject, "engine send test");
            break;
        }
        next(&mut events, |e| {
            matches!(e, Event::Changed { .. }).then_some(())
        })
        .await;
    }
    let mut other = stack.imap_login(&alice).await.unwrap();
    let status = imap(&mut other, "STATUS Sent (MESSAGES)").await;
    assert!(
        status.iter().any(|l| l.contains("MESSAGES 1")),
        "{status:?}"
    );
    engine.shutdown().await;
}

/// A message that failed because the SMTP server was away is sent by the running
/// engine itself once the server is back, with no new command: once, not twice.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_send_that_failed_for_now_is_tried_again_by_itself_when_the_server_is_back() {
    let stack = Stack::shared();
    let alice = stack.new_user("engine-retry-a").unwrap();
    let bob = stack.new_user("engine-retry-b").unwrap();
    let setup = setup();
    // A port nobody listens on yet: the server is "down".
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let account = account_sending_to(&setup, "alice", &alice, ("imap", stack.ports().imaps), port);
    let options = EngineOptions {
        send_retry: Duration::from_millis(300),
        ..options()
    };
    let (engine, mut events) =
        Engine::start_with(&setup.store, &setup.tokens, &[account], options).unwrap();
    let id = accounts(&engine, &mut events).await[0];
    synced(&mut events, id).await;
    let raw = format!(
        "From: {a}\r\nTo: {b}\r\nSubject: retried by itself\r\nMessage-ID: <engine-retry@test>\r\n\
         Date: Tue, 1 Jul 2025 10:00:00 +0000\r\n\r\nHello again.\r\n",
        a = alice.name,
        b = bob.name
    );
    engine
        .commands()
        .send(Command::Send {
            account: id,
            raw: raw.into_bytes(),
        })
        .unwrap();
    let error = next(&mut events, |e| match e {
        Event::SendFailed { error, .. } => Some(error.clone()),
        Event::Sent { .. } => panic!("sent while the server was down"),
        _ => None,
    })
    .await;
    assert!(error.contains("cannot connect"), "{error}");

    // The server comes back: a relay to Dovecot's submission port on that port.
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .unwrap();
    let upstream = stack.ports().submissions;
    let relay = tokio::spawn(async move {
        while let Ok((mut client, _)) = listener.accept().await {
            tokio::spawn(async move {
                if let Ok(mut server) =
                    tokio::net::TcpStream::connect(("127.0.0.1", upstream)).await
                {
                    let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                }
            });
        }
    });
    let reply = next(&mut events, |e| match e {
        Event::Sent { reply, .. } => Some(reply.clone()),
        _ => None,
    })
    .await;
    assert!(reply.starts_with("250"), "{reply}");
    let files = stack
        .wait_for_mail(&bob, "INBOX", 1, Duration::from_secs(20))
        .await
        .unwrap();
    assert_eq!(files.len(), 1, "delivered once");
    engine.shutdown().await;
    relay.abort();
}

/// The number in an untagged answer line starting with `prefix` (`* STATUS ... (MESSAGES 2)`
/// or `* SEARCH 1 3`: the count of the numbers after it).
async fn server_count(conn: &mut LineConn, command: &str, prefix: &str) -> usize {
    let reply = imap(conn, command).await;
    let line = reply.iter().find_map(|l| l.strip_prefix(prefix));
    match line {
        Some(rest) if command.starts_with("STATUS") => rest
            .split(|c: char| !c.is_ascii_digit())
            .rfind(|n| !n.is_empty())
            .and_then(|n| n.parse().ok())
            .unwrap_or(0),
        Some(rest) => rest.split_whitespace().count(),
        None => 0,
    }
}

/// The engine's message commands (set flags, move, delete to the Trash) reach the
/// server: another client sees each change.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn flag_move_and_delete_commands_reach_the_server() {
    let stack = Stack::shared();
    let user = stack.new_user("engine-act").unwrap();
    stack.seed(&user, &SeedSpec::inbox(3)).unwrap();
    stack.seed(&user, &SeedSpec::folder("Projects", 1)).unwrap();
    let setup = setup();
    let account = account(&setup, "acts", &user, "imap", stack.ports().imaps);
    let (engine, mut events) =
        Engine::start_with(&setup.store, &setup.tokens, &[account], options()).unwrap();
    let id = accounts(&engine, &mut events).await[0];
    synced(&mut events, id).await;
    let inbox = folder(&engine, &mut events, id, FolderRole::Inbox).await;
    let projects = folders(&engine, &mut events, id)
        .await
        .into_iter()
        .find(|f| f.name == "Projects")
        .expect("the Projects folder")
        .id;
    let (total, rows) = envelopes(&engine, &mut events, inbox).await;
    assert_eq!(total, 3);
    let flagged = Flags {
        flagged: true,
        ..Flags::default()
    };
    let ops = [
        Operation::SetFlags {
            ids: vec![rows[0].id],
            add: flagged,
            remove: Flags::default(),
        },
        Operation::Move {
            ids: vec![rows[1].id],
            to: projects,
        },
        Operation::Delete {
            ids: vec![rows[2].id],
        },
    ];
    for (n, op) in ops.into_iter().enumerate() {
        let request = RequestId(n as u64 + 1);
        engine
            .commands()
            .send(Command::Run {
                request,
                account: id,
                op,
            })
            .unwrap();
        done(&mut events, request).await;
    }

    let mut other = stack.imap_login(&user).await.unwrap();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let mut seen = vec![
            server_count(&mut other, "STATUS INBOX (MESSAGES)", "* STATUS").await,
            server_count(&mut other, "STATUS Projects (MESSAGES)", "* STATUS").await,
            server_count(&mut other, "STATUS Trash (MESSAGES)", "* STATUS").await,
        ];
        imap(&mut other, "SELECT INBOX").await;
        seen.push(server_count(&mut other, "SEARCH FLAGGED", "* SEARCH").await);
        if seen == [1, 2, 1, 1] {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "INBOX, Projects, Trash, flagged in INBOX: {seen:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    engine.shutdown().await;
}

/// A refused password is explained (what, cause, fix) in the UI's error event, and
/// the worker asks the password command again before the next attempt: once it
/// prints the right password, the account comes up without a restart.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_password_is_explained_and_asked_again() {
    let stack = Stack::shared();
    let user = stack.new_user("engine-pw").unwrap();
    stack.seed(&user, &SeedSpec::inbox(2)).unwrap();
    drop(stack.imap_login(&user).await.unwrap());
    let setup = setup();
    let account = account(&setup, "pw", &user, "imap", stack.ports().imaps);
    let password_file = setup.root.join("pw.pw");
    std::fs::write(&password_file, "not the password").unwrap();
    let (engine, mut events) =
        Engine::start_with(&setup.store, &setup.tokens, &[account], options()).unwrap();
    let id = accounts(&engine, &mut events).await[0];
    let message = next(&mut events, |e| match e {
        Event::Error { problem, .. } => Some(problem.to_string()),
        _ => None,
    })
    .await;
    assert!(message.contains("refused the password"), "{message}");
    assert!(message.contains("password_command"), "{message}");

    std::fs::write(&password_file, &user.password).unwrap();
    // Attempts made before the file changed still fail: wait past them.
    let came_up = async {
        while !next(&mut events, |e| match e {
            Event::Synced { account } if *account == id => Some(true),
            Event::Error { .. } => Some(false),
            _ => None,
        })
        .await
        {}
    };
    tokio::time::timeout(Duration::from_secs(30), came_up)
        .await
        .expect("the account came up with the new password");
    engine.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dead_server_retries_with_growing_gaps_and_never_blocks_a_healthy_account() {
    let stack = Stack::shared();
    let user = stack.new_user("engine-dead").unwrap();
    stack.seed(&user, &SeedSpec::inbox(5)).unwrap();
    let setup = setup();
    // A port nobody listens on: bound, then closed.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let dead = account(&setup, "dead", &user, "imap", closed);
    let healthy = account(&setup, "live", &user, "imap", stack.ports().imaps);
    let (engine, mut events) =
        Engine::start_with(&setup.store, &setup.tokens, &[dead, healthy], options()).unwrap();
    let ids = accounts(&engine, &mut events).await;
    let (dead_id, live_id) = (ids[0], ids[1]);

    let mut delays = Vec::new();
    let mut errors = 0;
    let mut live_synced = false;
    while delays.len() < 5 || !live_synced {
        let event = tokio::time::timeout(Duration::from_secs(30), events.recv())
            .await
            .expect("timed out")
            .expect("engine stopped");
        match event {
            Event::Retrying {
                account,
                delay,
                attempt,
            } if account == dead_id => {
                assert_eq!(attempt as usize, delays.len() + 1);
                delays.push(delay);
            }
            Event::Error { context, problem } => {
                let message = problem.to_string();
                assert!(context.starts_with("dead:"), "{context}: {message}");
                assert!(message.contains(&closed.to_string()), "{message}");
                errors += 1;
            }
            Event::Synced { account } if account == live_id => live_synced = true,
            _ => {}
        }
    }
    assert!(errors >= 5);
    assert!(delays.windows(2).all(|w| w[1] >= w[0]), "{delays:?}");
    assert!(delays[4] > delays[0], "{delays:?}");
    assert!(
        delays.iter().all(|d| *d <= Duration::from_millis(400)),
        "{delays:?}"
    );
    let inbox = folder(&engine, &mut events, live_id, FolderRole::Inbox).await;
    let (total, _) = envelopes(&engine, &mut events, inbox).await;
    assert_eq!(total, 5);
    // Shutdown returns (bounded by the test's own timeout, not measured).
    tokio::time::timeout(Duration::from_secs(30), engine.shutdown())
        .await
        .expect("shutdown hung");
}
