//! The engine over a real Maildir account and a real store: what the TUI asks,
//! what it hears back, and what changes on disk.

use std::path::Path;
use std::time::Duration;

use postern::config::Config;
use postern::engine::{Command, Engine, Event, Operation, RequestId};
use postern::store::{EnvelopeRow, Flags, FolderRow, Page};
use tokio::sync::mpsc::UnboundedReceiver;

const MESSAGE: &str = "From: Grace Okafor <grace@contoso.com>\n\
To: Ada <ada@contoso.com>\n\
Subject: Hello from the engine test\n\
Date: Fri, 20 Nov 2026 09:30:00 +0000\n\
Message-ID: <engine-1@contoso.com>\n\
\n\
First line of the body.\n";

fn write_message(dir: &Path, unique: &str, subject: &str) {
    let text = MESSAGE.replace("Hello from the engine test", subject);
    std::fs::write(dir.join("new").join(unique), text).unwrap();
}

fn maildir(root: &Path) {
    for sub in [
        "cur",
        "new",
        "tmp",
        ".Archive/cur",
        ".Archive/new",
        ".Archive/tmp",
    ] {
        std::fs::create_dir_all(root.join(sub)).unwrap();
    }
}

fn config(root: &Path) -> Config {
    let text = format!(
        "[accounts.work]\nemail = \"ada@contoso.com\"\nreceive = \"maildir\"\nmaildir = {:?}\n",
        root.display().to_string()
    );
    Config::parse_str(&text, Path::new("test.toml")).unwrap()
}

/// The next event that `pick` accepts (others are skipped), within a bounded wait.
async fn next<T>(
    events: &mut UnboundedReceiver<Event>,
    mut pick: impl FnMut(Event) -> Option<T>,
) -> T {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let event = tokio::time::timeout_at(deadline, events.recv())
            .await
            .expect("timed out waiting for an engine event")
            .expect("engine stopped");
        if let Event::Error { context, problem } = &event {
            panic!("engine error: {context}: {problem}");
        }
        if let Some(found) = pick(event) {
            return found;
        }
    }
}

async fn folders(
    engine: &Engine,
    events: &mut UnboundedReceiver<Event>,
    account: postern::store::AccountId,
) -> Vec<FolderRow> {
    engine
        .commands()
        .send(Command::LoadFolders { account })
        .unwrap();
    next(events, |e| match e {
        Event::Folders { folders, .. } => Some(folders),
        _ => None,
    })
    .await
}

async fn inbox_rows(
    engine: &Engine,
    events: &mut UnboundedReceiver<Event>,
    inbox: &FolderRow,
) -> (usize, Vec<EnvelopeRow>) {
    engine
        .commands()
        .send(Command::LoadEnvelopes {
            folder: inbox.id,
            page: Page::First,
            limit: 50,
        })
        .unwrap();
    next(events, |e| match e {
        Event::Envelopes { total, rows, .. } => Some((total, rows)),
        _ => None,
    })
    .await
}

#[tokio::test]
async fn maildir_account_end_to_end() {
    let dir = tempfile::tempdir().unwrap();
    let mail = dir.path().join("mail");
    maildir(&mail);
    write_message(&mail, "1000.a.host", "First");
    write_message(&mail, "1001.b.host", "Second");
    let config = config(&mail);

    let (engine, mut events) = Engine::start(
        &dir.path().join("store.sqlite3"),
        &dir.path().join("tokens"),
        &config.accounts,
    )
    .unwrap();
    engine.commands().send(Command::LoadAccounts).unwrap();
    let accounts = next(&mut events, |e| match e {
        Event::Accounts(rows) => Some(rows),
        _ => None,
    })
    .await;
    assert_eq!(accounts.len(), 1);
    assert_eq!(accounts[0].name, "work");
    let account = accounts[0].id;

    // The worker indexes the tree at start and says so.
    next(&mut events, |e| {
        matches!(e, Event::Changed { .. }).then_some(())
    })
    .await;
    let listed = folders(&engine, &mut events, account).await;
    let names: Vec<&str> = listed.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, ["INBOX", "Archive"]);
    let inbox = listed[0].clone();
    assert_eq!((inbox.total, inbox.unread), (2, 2));

    let (total, rows) = inbox_rows(&engine, &mut events, &inbox).await;
    assert_eq!(total, 2);
    assert!(rows.iter().all(|r| !r.flags.seen));

    // Opening renders the message, marks it seen and sends the new counts.
    let id = rows[0].id;
    engine
        .commands()
        .send(Command::OpenMessage { id, width: 80 })
        .unwrap();
    let rendered = next(&mut events, |e| match e {
        Event::Message { id: got, rendered } if got == id => Some(rendered),
        _ => None,
    })
    .await;
    assert!(
        rendered
            .body
            .iter()
            .any(|l| l.contains("First line of the body."))
    );
    // Reading it is the front end's to say; the file is renamed, then the store follows.
    let seen = Flags {
        seen: true,
        ..Flags::default()
    };
    engine
        .commands()
        .send(Command::Run {
            request: RequestId(7),
            account,
            op: Operation::SetFlags {
                ids: vec![id],
                add: seen,
                remove: Flags::default(),
            },
        })
        .unwrap();
    // Done, then which folders changed (the reloads then read the store after it).
    next(&mut events, |e| {
        matches!(e, Event::Done { request, .. } if request == RequestId(7)).then_some(())
    })
    .await;
    let changed = next(&mut events, |e| match e {
        Event::Changed { folders, .. } => Some(folders),
        _ => None,
    })
    .await;
    assert_eq!(changed, vec![inbox.id], "only the INBOX changed");
    let after = folders(&engine, &mut events, account).await;
    assert_eq!(after[0].unread, 1);
    // The seen flag went into the Maildir file name too (moved to cur/ with :2,S).
    let seen: Vec<_> = std::fs::read_dir(mail.join("cur"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert!(seen[0].ends_with(":2,S"), "{seen:?}");

    // Opening it again only renders it.
    engine
        .commands()
        .send(Command::OpenMessage { id, width: 80 })
        .unwrap();
    next(&mut events, |e| {
        matches!(e, Event::Message { .. }).then_some(())
    })
    .await;

    // New mail written behind our back arrives on refresh.
    write_message(&mail, "1002.c.host", "Third");
    engine
        .commands()
        .send(Command::Refresh { account })
        .unwrap();
    next(&mut events, |e| {
        matches!(e, Event::Changed { .. }).then_some(())
    })
    .await;
    let (total, rows) = inbox_rows(&engine, &mut events, &inbox).await;
    assert_eq!(total, 3);
    assert!(rows.iter().any(|r| r.subject == "Third"));

    engine.shutdown().await;
}

#[tokio::test]
async fn a_vanished_message_file_is_an_error_event_not_a_crash() {
    let dir = tempfile::tempdir().unwrap();
    let mail = dir.path().join("mail");
    maildir(&mail);
    write_message(&mail, "1000.a.host", "Doomed");
    let config = config(&mail);
    let (engine, mut events) = Engine::start(
        &dir.path().join("store.sqlite3"),
        &dir.path().join("tokens"),
        &config.accounts,
    )
    .unwrap();
    next(&mut events, |e| {
        matches!(e, Event::Changed { .. }).then_some(())
    })
    .await;
    engine.commands().send(Command::LoadAccounts).unwrap();
    let account = next(&mut events, |e| match e {
        Event::Accounts(rows) => Some(rows[0].id),
        _ => None,
    })
    .await;
    let inbox = folders(&engine, &mut events, account).await.remove(0);
    let (_, rows) = inbox_rows(&engine, &mut events, &inbox).await;

    std::fs::remove_file(mail.join("new/1000.a.host")).unwrap();
    engine
        .commands()
        .send(Command::OpenMessage {
            id: rows[0].id,
            width: 80,
        })
        .unwrap();
    let event = tokio::time::timeout(Duration::from_secs(10), events.recv())
        .await
        .unwrap()
        .unwrap();
    match event {
        Event::Error { context, problem } => {
            assert_eq!(context, "opening message");
            assert!(problem.what.contains("1000.a.host"), "{problem}");
        }
        other => panic!("expected an error, got {other:?}"),
    }
    // The engine still answers.
    engine.commands().send(Command::LoadAccounts).unwrap();
    let event = tokio::time::timeout(Duration::from_secs(10), events.recv())
        .await
        .unwrap()
        .unwrap();
    assert!(matches!(event, Event::Accounts(_)), "{event:?}");
    engine.shutdown().await;
}

/// `new_mail_command` runs when mail arrives in a folder indexed before, with what
/// arrived in its environment (never in its command line); the first index of the
/// tree is old mail and runs nothing.
#[tokio::test]
async fn new_mail_runs_the_new_mail_command_with_account_folder_and_count() {
    let dir = tempfile::tempdir().unwrap();
    let mail = dir.path().join("mail");
    maildir(&mail);
    write_message(&mail, "1000.a.host", "Old");
    let log = dir.path().join("notified");
    let text = format!(
        "[accounts.work]\nemail = \"ada@contoso.com\"\nreceive = \"maildir\"\nmaildir = {:?}\n\
         new_mail_command = 'echo \"$POSTERN_ACCOUNT $POSTERN_FOLDER $POSTERN_NEW\" >> {}'\n",
        mail.display().to_string(),
        log.display()
    );
    let config = Config::parse_str(&text, Path::new("test.toml")).unwrap();
    let (engine, mut events) = Engine::start(
        &dir.path().join("store.sqlite3"),
        &dir.path().join("tokens"),
        &config.accounts,
    )
    .unwrap();
    next(&mut events, |e| {
        matches!(e, Event::Synced { .. }).then_some(())
    })
    .await;
    engine.commands().send(Command::LoadAccounts).unwrap();
    let account = next(&mut events, |e| match e {
        Event::Accounts(rows) => Some(rows[0].id),
        _ => None,
    })
    .await;

    write_message(&mail, "1001.b.host", "New one");
    write_message(&mail, "1002.c.host", "New two");
    std::fs::write(
        mail.join(".Archive/cur/1003.d.host:2,S"),
        MESSAGE.replace("Hello from the engine test", "Read already"),
    )
    .unwrap();
    engine
        .commands()
        .send(Command::Refresh { account })
        .unwrap();
    next(&mut events, |e| {
        matches!(e, Event::Synced { .. }).then_some(())
    })
    .await;
    // The command runs in the background: wait (bounded) for its line.
    wait_for_line(&log, "work INBOX 2").await;
    // Three unread in the Archive: a line of its own, and only now (a notice for
    // the read one before would show as a line "work Archive 1").
    for unique in ["1004.e.host", "1005.f.host", "1006.g.host"] {
        write_message(&mail.join(".Archive"), unique, "Archived unread");
    }
    engine
        .commands()
        .send(Command::Refresh { account })
        .unwrap();
    wait_for_line(&log, "work Archive 3").await;
    let notified = std::fs::read_to_string(&log).unwrap();
    assert_eq!(notified, "work INBOX 2\nwork Archive 3\n");
    engine.shutdown().await;
}

/// Waits (bounded) until the file at `path` has the line `line`.
async fn wait_for_line(path: &Path, line: &str) {
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    loop {
        let text = std::fs::read_to_string(path).unwrap_or_default();
        if text.lines().any(|l| l == line) {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no line {line:?} in {}: {text:?}",
            path.display()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A message left in the outbox (a send that failed for good, one that failed for
/// now) is told at start, and can be taken back to edit or deleted; the outbox is
/// told again after each.
#[tokio::test]
async fn the_outbox_is_told_at_start_and_its_messages_edited_or_deleted() {
    use postern::engine::{OutboxOp, OutboxStatus, Outcome};
    let dir = tempfile::tempdir().unwrap();
    let mail = dir.path().join("mail");
    maildir(&mail);
    let config = config(&mail);
    let store_path = dir.path().join("store.sqlite3");
    let raw = |subject: &str| {
        format!(
            "From: Ada <ada@contoso.com>\r\nTo: Bob <bob@example.org>\r\nSubject: {subject}\r\n\
             Message-ID: <{subject}@contoso.com>\r\nDate: Fri, 20 Nov 2026 09:30:00 +0000\r\n\r\n\
             Text of {subject}.\r\n"
        )
        .into_bytes()
    };
    let (refused, later, unsure) = {
        let store = postern::store::Store::open(&store_path).unwrap();
        let account = store.upsert_account("work", "ada@contoso.com").unwrap();
        let refused =
            postern::sync::outbox::queue_message(&store, account, &raw("refused")).unwrap();
        store
            .mark_failed(
                refused,
                "permanent failure: 554 5.7.1 spam",
                Some("554 5.7.1 spam"),
            )
            .unwrap();
        let later = postern::sync::outbox::queue_message(&store, account, &raw("later")).unwrap();
        store
            .mark_failed(later, "temporary failure: cannot connect", None)
            .unwrap();
        let unsure = postern::sync::outbox::queue_message(&store, account, &raw("unsure")).unwrap();
        store
            .mark_failed(
                unsure,
                "maybe sent: the connection broke after the data",
                None,
            )
            .unwrap();
        (refused, later, unsure)
    };
    let (engine, mut events) =
        Engine::start(&store_path, &dir.path().join("tokens"), &config.accounts).unwrap();
    let (account, entries) = next(&mut events, |e| match e {
        Event::Outbox { account, entries } => Some((account, entries)),
        _ => None,
    })
    .await;
    let told: Vec<(OutboxStatus, &str)> = entries
        .iter()
        .map(|e| (e.status, e.subject.as_str()))
        .collect();
    assert_eq!(
        told,
        [
            (OutboxStatus::Failed, "refused"),
            (OutboxStatus::Retrying, "later"),
            (OutboxStatus::MaybeSent, "unsure")
        ]
    );
    assert_eq!(entries[0].to, "bob@example.org");
    assert_eq!(entries[0].error.as_deref(), Some("554 5.7.1 spam"));

    let outbox = |request, op| Command::Outbox {
        request: RequestId(request),
        account,
        op,
    };
    engine
        .commands()
        .send(outbox(
            1,
            OutboxOp::Edit {
                id: refused,
                even_if_maybe_sent: false,
            },
        ))
        .unwrap();
    let left = next(&mut events, |e| match e {
        Event::Outbox { entries, .. } => Some(entries),
        _ => None,
    })
    .await;
    assert_eq!(
        left.iter().map(|e| e.id).collect::<Vec<_>>(),
        [later, unsure]
    );
    let draft = next(&mut events, |e| match e {
        Event::Done {
            request: RequestId(1),
            outcome: Outcome::Draft { draft, .. },
        } => Some(draft),
        Event::Failed { problem, .. } => panic!("{problem}"),
        _ => None,
    })
    .await;
    assert_eq!(draft.draft.written.subject, "refused");
    assert!(draft.draft.written.to.contains("bob@example.org"));
    assert!(draft.draft.written.body.contains("Text of refused."));
    assert_eq!(draft.outbox, None, "being written again");

    engine
        .commands()
        .send(outbox(
            2,
            OutboxOp::Delete {
                id: later,
                even_if_maybe_sent: false,
            },
        ))
        .unwrap();
    let left = next(&mut events, |e| match e {
        Event::Outbox { entries, .. } => Some(entries),
        _ => None,
    })
    .await;
    assert_eq!(left.iter().map(|e| e.id).collect::<Vec<_>>(), [unsure]);
    next(&mut events, |e| match e {
        Event::Done {
            request: RequestId(2),
            outcome: Outcome::Nothing,
        } => Some(()),
        Event::Failed { problem, .. } => panic!("{problem}"),
        _ => None,
    })
    .await;
    // Gone: the same request again says so, with the fix.
    engine
        .commands()
        .send(outbox(
            3,
            OutboxOp::Delete {
                id: later,
                even_if_maybe_sent: false,
            },
        ))
        .unwrap();
    let problem = next(&mut events, |e| match e {
        Event::Failed {
            request: RequestId(3),
            problem,
        } => Some(problem),
        _ => None,
    })
    .await;
    assert!(
        problem.to_string().contains("no longer waiting"),
        "{problem}"
    );
    engine.shutdown().await;
}
