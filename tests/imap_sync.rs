//! IMAP -> store synchronisation against the real test stack (Dovecot): folder list,
//! chunked envelope sync, incremental resync after another client's changes (with
//! QRESYNC and without), UIDVALIDITY reset, IDLE, flags/move/delete seen by another
//! client, search, APPEND, cached bodies, and a fault-injecting proxy (dropped
//! connection, garbage) that must leave a consistent store and a resumable sync.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use postern::auth::Secret;
use postern::auth::credentials::Credentials;
use postern::config::{Account, Config};
use postern::proto::ConnectOptions;
use postern::store::{AccountId, Flags, FolderId, FolderRole, MessageSource, Store};
use postern::sync::{
    FlagChange, IdleOutcome, ImapSync, SearchQuery, SyncError, SyncOptions, SyncProgress,
    SyncReport,
};
use postern_test_stack::{LineConn, SeedSpec, Stack, TestUser};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

// ---------------------------------------------------------------------------------
// Helpers

fn account_for(user: &TestUser, host: &str, port: u16, tls: &str, ca: &Path) -> Account {
    let text = format!(
        "[accounts.t]\nemail = \"{}\"\nprovider = \"generic\"\nreceive = \"imap\"\n\
         imap = {{ host = \"{host}\", port = {port}, tls = \"{tls}\" }}\n\
         ca_file = \"{}\"\nauth = {{ method = \"password\", password_command = \"true\" }}\n",
        user.name,
        ca.display()
    );
    let config = Config::parse_str(&text, Path::new("test.toml"))
        .unwrap_or_else(|error| panic!("{error}\n{text}"));
    config.accounts.into_iter().next().unwrap()
}

fn tls_account(stack: &Stack, user: &TestUser) -> Account {
    account_for(
        user,
        "localhost",
        stack.ports().imaps,
        "implicit",
        stack.ca_file(),
    )
}

async fn connect(
    account: &Account,
    user: &TestUser,
    store_account: AccountId,
    options: SyncOptions,
) -> Result<ImapSync, SyncError> {
    ImapSync::connect(
        account,
        &Credentials::Password(Secret::new(user.password.clone())),
        &ConnectOptions::default(),
        store_account,
        options,
    )
    .await
}

/// A store with the user's account and its folders listed.
async fn setup(stack: &Stack, user: &TestUser, options: SyncOptions) -> (Store, ImapSync) {
    // Wait until Dovecot knows the user.
    drop(stack.imap_login(user).await.unwrap());
    let mut store = Store::open_in_memory().unwrap();
    let id = store.upsert_account("t", &user.name).unwrap();
    let mut sync = connect(&tls_account(stack, user), user, id, options)
        .await
        .unwrap();
    sync.sync_folders(&mut store).await.unwrap();
    (store, sync)
}

fn folder(store: &Store, account: AccountId, name: &str) -> FolderId {
    store
        .folders(account)
        .unwrap()
        .into_iter()
        .find(|f| f.name == name)
        .unwrap_or_else(|| panic!("no folder {name}"))
        .id
}

async fn ok(conn: &mut LineConn, command: &str) -> Vec<String> {
    let reply = conn.imap("c", command).await.unwrap();
    assert!(
        reply.last().unwrap().starts_with("c OK"),
        "{command}: {reply:?}"
    );
    reply
}

async fn append_raw(conn: &mut LineConn, mailbox: &str, message: &str) {
    let reply = conn.imap_append(mailbox, None, message).await.unwrap();
    assert!(reply.last().unwrap().starts_with("a OK"), "{reply:?}");
}

/// APPEND with an INTERNALDATE (`02-Jul-2020 10:00:00 +0000`).
async fn append_dated(conn: &mut LineConn, mailbox: &str, date: &str, message: &str) {
    let reply = conn
        .imap_append(mailbox, Some(date), message)
        .await
        .unwrap();
    assert!(reply.last().unwrap().starts_with("a OK"), "{reply:?}");
}

/// A message whose Date header is missing (`date` None) or says `date`.
fn message_dated(subject: &str, date: Option<&str>) -> String {
    let date = date.map(|d| format!("Date: {d}\r\n")).unwrap_or_default();
    format!("From: Zed <zed@example.test>\r\nSubject: {subject}\r\n{date}\r\nbody\r\n")
}

/// (subject, date) of every message of `folder`.
fn subjects_and_dates(store: &Store, folder: FolderId) -> Vec<(String, i64)> {
    let mut rows: Vec<_> = store
        .envelopes(folder, 0, 1000)
        .unwrap()
        .into_iter()
        .map(|e| (e.subject, e.date))
        .collect();
    rows.sort();
    rows
}

fn message(subject: &str, body: &str) -> String {
    format!(
        "From: Zed <zed@example.test>\r\nTo: x@example.test\r\nSubject: {subject}\r\n\
         Date: Tue, 1 Jul 2025 10:00:00 +0000\r\nMessage-ID: <{}@test>\r\n\r\n{body}\r\n",
        subject.replace(' ', ".")
    )
}

fn noop(_: SyncProgress) {}

fn count(store: &Store, folder: FolderId) -> usize {
    let (total, _) = store.recount_folder(folder).unwrap();
    assert_eq!(total as usize, store.envelope_count(folder).unwrap());
    total as usize
}

// ---------------------------------------------------------------------------------
// Sync and resync

#[tokio::test]
async fn folders_come_with_roles_and_gone_folders_are_removed() {
    let stack = Stack::shared();
    let user = stack.new_user("folders").unwrap();
    let mut other = stack.imap_login(&user).await.unwrap();
    ok(&mut other, "CREATE Projects/2025").await;
    let (mut store, mut sync) = setup(stack, &user, SyncOptions::default()).await;
    let account = sync.account();
    let folders = store.folders(account).unwrap();
    let role = |name: &str| folders.iter().find(|f| f.name == name).map(|f| f.role);
    assert_eq!(role("INBOX"), Some(Some(FolderRole::Inbox)));
    assert_eq!(role("Sent"), Some(Some(FolderRole::Sent)));
    assert_eq!(role("Drafts"), Some(Some(FolderRole::Drafts)));
    assert_eq!(role("Trash"), Some(Some(FolderRole::Trash)));
    assert_eq!(role("Projects/2025"), Some(None));
    let projects = folder(&store, account, "Projects/2025");
    assert_eq!(
        store.imap_path(projects).unwrap().as_deref(),
        Some("Projects/2025")
    );

    ok(&mut other, "DELETE Projects/2025").await;
    let folders = sync.sync_folders(&mut store).await.unwrap();
    assert!(folders.iter().all(|f| f.name != "Projects/2025"));
}

#[tokio::test]
async fn sync_then_resync_applies_another_clients_flags_and_expunges() {
    let stack = Stack::shared();
    let user = stack.new_user("resync").unwrap();
    let seeded = stack.seed(&user, &SeedSpec::inbox(700)).unwrap();
    let options = SyncOptions {
        chunk: 250,
        ..SyncOptions::default()
    };
    let (mut store, mut sync) = setup(stack, &user, options).await;
    let inbox = folder(&store, sync.account(), "INBOX");
    let mut seen_progress = Vec::new();
    let report = sync
        .sync_folder(&mut store, inbox, &mut |p| seen_progress.push(p))
        .await
        .unwrap();
    assert_eq!(report.fetched, 700);
    assert_eq!(count(&store, inbox), 700);
    // The first screen first, then the chunks.
    assert_eq!(seen_progress[0].fetched, 100);
    assert_eq!(seen_progress.last().unwrap().fetched, 700);
    assert!(seen_progress.len() >= 4, "{seen_progress:?}");
    let unread = store.folder(inbox).unwrap().unread as usize;
    assert_eq!(unread, 700 - seeded.seen);
    let newest = store.envelopes(inbox, 0, 1).unwrap();
    assert!(!newest[0].subject.is_empty() && !newest[0].from.is_empty());

    // Another client flags 1:10, marks 20 seen->unseen, expunges 30:34.
    let mut other = stack.imap_login(&user).await.unwrap();
    ok(&mut other, "SELECT INBOX").await;
    ok(&mut other, "UID STORE 1:10 +FLAGS (\\Flagged \\Seen)").await;
    ok(&mut other, "UID STORE 30:34 +FLAGS (\\Deleted)").await;
    ok(&mut other, "UID EXPUNGE 30:34").await;
    append_raw(&mut other, "INBOX", &message("late arrival", "hi")).await;

    let report = sync
        .sync_folder(&mut store, inbox, &mut noop)
        .await
        .unwrap();
    assert!(report.used_qresync);
    assert_eq!(report.removed, 5);
    assert_eq!(report.fetched, 1);
    assert!(
        report.flags_changed >= 1 && report.flags_changed <= 10,
        "{report:?}"
    );
    assert_eq!(count(&store, inbox), 696);
    for uid in 1..=10 {
        let id = store.message_by_uid(inbox, uid).unwrap().unwrap();
        let flags = store.envelope(id).unwrap().flags;
        assert!(flags.flagged && flags.seen, "uid {uid}");
    }
    assert!(store.message_by_uid(inbox, 32).unwrap().is_none());
    assert!(store.message_by_uid(inbox, 701).unwrap().is_some());

    // The same changes through the fallback (no QRESYNC) on a second store.
    let mut plain_store = Store::open_in_memory().unwrap();
    let id = plain_store.upsert_account("t", &user.name).unwrap();
    let plain_options = SyncOptions {
        use_qresync: false,
        ..SyncOptions::default()
    };
    let mut plain = connect(&tls_account(stack, &user), &user, id, plain_options)
        .await
        .unwrap();
    plain.sync_folders(&mut plain_store).await.unwrap();
    let plain_inbox = folder(&plain_store, id, "INBOX");
    plain
        .sync_folder(&mut plain_store, plain_inbox, &mut noop)
        .await
        .unwrap();
    ok(&mut other, "UID STORE 40 +FLAGS (\\Answered)").await;
    ok(&mut other, "UID STORE 41 +FLAGS (\\Deleted)").await;
    ok(&mut other, "UID EXPUNGE 41").await;
    let report = plain
        .sync_folder(&mut plain_store, plain_inbox, &mut noop)
        .await
        .unwrap();
    assert!(!report.used_qresync);
    assert_eq!((report.removed, report.flags_changed), (1, 1), "{report:?}");
    let id40 = plain_store
        .message_by_uid(plain_inbox, 40)
        .unwrap()
        .unwrap();
    assert!(plain_store.envelope(id40).unwrap().flags.answered);
    assert_eq!(count(&plain_store, plain_inbox), 695);

    // Unchanged: nothing to do.
    let report = sync
        .sync_folder(&mut store, inbox, &mut noop)
        .await
        .unwrap();
    assert_eq!(
        (report.fetched, report.removed, report.flags_changed),
        (0, 1, 1)
    );
    let report = sync
        .sync_folder(&mut store, inbox, &mut noop)
        .await
        .unwrap();
    assert_eq!(
        (report.fetched, report.removed, report.flags_changed),
        (0, 0, 0)
    );
}

#[tokio::test]
async fn uidvalidity_change_empties_the_folder_and_fetches_again() {
    let stack = Stack::shared();
    let user = stack.new_user("validity").unwrap();
    let mut other = stack.imap_login(&user).await.unwrap();
    ok(&mut other, "CREATE Reset").await;
    for i in 0..3 {
        append_raw(&mut other, "Reset", &message(&format!("old {i}"), "x")).await;
    }
    let (mut store, mut sync) = setup(stack, &user, SyncOptions::default()).await;
    let reset = folder(&store, sync.account(), "Reset");
    sync.sync_folder(&mut store, reset, &mut noop)
        .await
        .unwrap();
    assert_eq!(count(&store, reset), 3);
    let before = store.sync_state(reset).unwrap().uidvalidity;

    // Recreated: Dovecot gives the new mailbox a new UIDVALIDITY.
    ok(&mut other, "DELETE Reset").await;
    ok(&mut other, "CREATE Reset").await;
    append_raw(&mut other, "Reset", &message("new one", "x")).await;
    // Leave the mailbox so our connection's SELECT sees the new one.
    ok(&mut other, "SELECT INBOX").await;
    sync.conn().select("INBOX", None).await.unwrap();
    let report = sync
        .sync_folder(&mut store, reset, &mut noop)
        .await
        .unwrap();
    assert!(report.uidvalidity_reset, "{report:?}");
    assert_ne!(store.sync_state(reset).unwrap().uidvalidity, before);
    assert_eq!(count(&store, reset), 1);
    let only = store.envelopes(reset, 0, 10).unwrap();
    assert_eq!(only[0].subject, "new one");
}

// ---------------------------------------------------------------------------------
// IDLE, actions, search, APPEND, bodies

#[tokio::test]
async fn idle_returns_when_another_client_delivers() {
    let stack = Stack::shared();
    let user = stack.new_user("idle").unwrap();
    stack.seed(&user, &SeedSpec::inbox(5)).unwrap();
    let (mut store, mut sync) = setup(stack, &user, SyncOptions::default()).await;
    let inbox = folder(&store, sync.account(), "INBOX");
    sync.sync_folder(&mut store, inbox, &mut noop)
        .await
        .unwrap();

    let quiet = sync
        .idle(&mut store, inbox, Duration::from_millis(300))
        .await
        .unwrap();
    assert_eq!(quiet, IdleOutcome::TimedOut);

    let mut other = stack.imap_login(&user).await.unwrap();
    let deliver = async {
        tokio::time::sleep(Duration::from_millis(300)).await;
        append_raw(&mut other, "INBOX", &message("pushed", "x")).await;
    };
    let (outcome, ()) = tokio::join!(
        sync.idle(&mut store, inbox, Duration::from_secs(20)),
        deliver
    );
    assert_eq!(outcome.unwrap(), IdleOutcome::Changed);
    let report = sync
        .sync_folder(&mut store, inbox, &mut noop)
        .await
        .unwrap();
    assert_eq!(report.fetched, 1);
    let pushed = store.message_by_uid(inbox, 6).unwrap().unwrap();
    assert_eq!(store.envelope(pushed).unwrap().subject, "pushed");
}

#[tokio::test]
async fn flags_move_and_delete_are_seen_by_another_client() {
    let stack = Stack::shared();
    let user = stack.new_user("actions").unwrap();
    let mut other = stack.imap_login(&user).await.unwrap();
    ok(&mut other, "CREATE Archive").await;
    for i in 0..4 {
        append_raw(&mut other, "INBOX", &message(&format!("msg {i}"), "x")).await;
    }
    let (mut store, mut sync) = setup(stack, &user, SyncOptions::default()).await;
    let account = sync.account();
    let inbox = folder(&store, account, "INBOX");
    let archive = folder(&store, account, "Archive");
    let trash = folder(&store, account, "Trash");
    sync.sync_folder(&mut store, inbox, &mut noop)
        .await
        .unwrap();
    let id = |store: &Store, uid| store.message_by_uid(inbox, uid).unwrap().unwrap();

    // Flags: \Seen and \Flagged on 1, then \Flagged off again.
    let seen_flagged = FlagChange {
        add: Flags {
            seen: true,
            flagged: true,
            ..Flags::default()
        },
        ..FlagChange::default()
    };
    let m1 = id(&store, 1);
    sync.set_flags(&mut store, &[m1], seen_flagged)
        .await
        .unwrap();
    let unflag = FlagChange {
        remove: Flags {
            flagged: true,
            ..Flags::default()
        },
        ..FlagChange::default()
    };
    sync.set_flags(&mut store, &[m1], unflag).await.unwrap();
    let flags = store.envelope(m1).unwrap().flags;
    assert!(flags.seen && !flags.flagged);
    ok(&mut other, "SELECT INBOX").await;
    let reply = ok(&mut other, "UID FETCH 1 (FLAGS)").await;
    assert!(
        reply[0].contains("\\Seen") && !reply[0].contains("\\Flagged"),
        "{reply:?}"
    );

    // Move 2 to Archive: gone from INBOX, in Archive with its new UID.
    let m2 = id(&store, 2);
    sync.move_messages(&mut store, &[m2], archive)
        .await
        .unwrap();
    assert_eq!(store.imap_location(m2).unwrap().folder, archive);
    let reply = ok(&mut other, "STATUS Archive (MESSAGES)").await;
    assert!(reply[0].contains("MESSAGES 1"), "{reply:?}");
    ok(&mut other, "NOOP").await;
    let reply = ok(&mut other, "UID SEARCH UID 2").await;
    assert_eq!(reply[0].trim(), "* SEARCH", "{reply:?}");

    // Delete 3: to Trash; then delete it in Trash: gone for good.
    let m3 = id(&store, 3);
    sync.delete_messages(&mut store, &[m3]).await.unwrap();
    assert_eq!(store.imap_location(m3).unwrap().folder, trash);
    let reply = ok(&mut other, "STATUS Trash (MESSAGES)").await;
    assert!(reply[0].contains("MESSAGES 1"), "{reply:?}");
    sync.delete_messages(&mut store, &[m3]).await.unwrap();
    assert!(store.imap_location(m3).is_err());
    let reply = ok(&mut other, "STATUS Trash (MESSAGES)").await;
    assert!(reply[0].contains("MESSAGES 0"), "{reply:?}");

    // Copy 4 to Archive, then expunge a \Deleted message of INBOX.
    let m4 = id(&store, 4);
    sync.copy_messages(&mut store, &[m4], archive)
        .await
        .unwrap();
    let report = sync
        .sync_folder(&mut store, archive, &mut noop)
        .await
        .unwrap();
    assert_eq!(report.fetched, 1);
    assert_eq!(count(&store, archive), 2);
    let delete = FlagChange {
        add: Flags {
            deleted: true,
            ..Flags::default()
        },
        ..FlagChange::default()
    };
    sync.set_flags(&mut store, &[m4], delete).await.unwrap();
    sync.expunge(&mut store, inbox).await.unwrap();
    assert!(store.imap_location(m4).is_err());
    assert_eq!(count(&store, inbox), 1);
    let reply = ok(&mut other, "SELECT INBOX").await;
    assert!(reply.iter().any(|l| l == "* 1 EXISTS"), "{reply:?}");
}

#[tokio::test]
async fn append_search_and_cached_body() {
    let stack = Stack::shared();
    let user = stack.new_user("search").unwrap();
    stack.seed(&user, &SeedSpec::inbox(50)).unwrap();
    let (mut store, mut sync) = setup(stack, &user, SyncOptions::default()).await;
    let account = sync.account();
    let inbox = folder(&store, account, "INBOX");
    let sent = folder(&store, account, "Sent");
    sync.sync_folder(&mut store, inbox, &mut noop)
        .await
        .unwrap();

    let raw = message("Quarterly zebra report", "stripes everywhere");
    let seen = Flags {
        seen: true,
        ..Flags::default()
    };
    let uid = sync
        .append(&mut store, inbox, raw.as_bytes(), seen)
        .await
        .unwrap();
    assert_eq!(uid, Some(51));
    let sent_uid = sync
        .append(&mut store, sent, raw.as_bytes(), seen)
        .await
        .unwrap();
    assert_eq!(sent_uid, Some(1));
    sync.sync_folder(&mut store, inbox, &mut noop)
        .await
        .unwrap();
    sync.sync_folder(&mut store, sent, &mut noop).await.unwrap();
    assert_eq!(count(&store, sent), 1);
    assert!(store.envelopes(sent, 0, 1).unwrap()[0].flags.seen);

    let by_subject = SearchQuery {
        subject: Some("zebra".into()),
        ..SearchQuery::default()
    };
    let found = sync.search(&mut store, inbox, &by_subject).await.unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(
        store.envelope(found[0]).unwrap().subject,
        "Quarterly zebra report"
    );
    let by_text = SearchQuery {
        text: Some("stripes".into()),
        from: Some("zed@example.test".into()),
        ..SearchQuery::default()
    };
    assert_eq!(
        sync.search(&mut store, inbox, &by_text).await.unwrap(),
        found
    );
    let nothing = SearchQuery {
        subject: Some("no such words anywhere".into()),
        ..SearchQuery::default()
    };
    assert!(
        sync.search(&mut store, inbox, &nothing)
            .await
            .unwrap()
            .is_empty()
    );

    // The body: fetched once, then from the cache.
    assert_eq!(
        store.message_source(found[0]).unwrap(),
        MessageSource::NotFetched
    );
    let body = sync.fetch_body(&mut store, found[0]).await.unwrap();
    assert_eq!(body, raw.as_bytes());
    assert_eq!(
        store.message_source(found[0]).unwrap(),
        MessageSource::Cached(raw.as_bytes().to_vec())
    );
    // Still unread on the server? It was appended \Seen; BODY.PEEK changes nothing else.
    let again = sync.fetch_body(&mut store, found[0]).await.unwrap();
    assert_eq!(again, body);
}

/// The envelope FETCH leaves INTERNALDATE out (on Maildir it costs Dovecot a stat()
/// per message); a message without a usable Date header is dated by the server's
/// INTERNALDATE, fetched for it alone, in a fresh sync and in an incremental one.
#[tokio::test]
async fn messages_without_a_date_header_get_the_servers_date() {
    let stack = Stack::shared();
    let user = stack.new_user("undated").unwrap();
    let mut other = stack.imap_login(&user).await.unwrap();
    let dated = message_dated("dated", Some("Tue, 1 Jul 2025 10:00:00 +0000"));
    append_dated(&mut other, "INBOX", "05-Jan-2021 10:00:00 +0000", &dated).await;
    let undated = message_dated("undated", None);
    append_dated(&mut other, "INBOX", "02-Jul-2020 10:00:00 +0000", &undated).await;
    let garbled = message_dated("garbled", Some("the day after tomorrow"));
    append_dated(&mut other, "INBOX", "03-Jul-2020 12:30:00 +0200", &garbled).await;
    let (mut store, mut sync) = setup(stack, &user, SyncOptions::default()).await;
    let inbox = folder(&store, sync.account(), "INBOX");
    sync.sync_folder(&mut store, inbox, &mut noop)
        .await
        .unwrap();
    assert_eq!(
        subjects_and_dates(&store, inbox),
        [
            ("dated".to_string(), 1_751_364_000),
            ("garbled".to_string(), 1_593_772_200),
            ("undated".to_string(), 1_593_684_000),
        ]
    );
    assert!(store.uids_needing_date(inbox).unwrap().is_empty());

    // Arrived since: fetched by the incremental path.
    let late = message_dated("late", None);
    append_dated(&mut other, "INBOX", "04-Jul-2020 00:00:00 +0000", &late).await;
    let report = sync
        .sync_folder(&mut store, inbox, &mut noop)
        .await
        .unwrap();
    assert_eq!(report.fetched, 1);
    let dates = subjects_and_dates(&store, inbox);
    assert!(
        dates.contains(&("late".to_string(), 1_593_820_800)),
        "{dates:?}"
    );
    assert!(store.uids_needing_date(inbox).unwrap().is_empty());
}

// ---------------------------------------------------------------------------------
// Faults: a proxy in front of Dovecot's plaintext port (loopback, `tls = "none"`),
// armed once the client sends its second FETCH (the first screen passes).

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fault {
    /// Pass everything.
    None,
    /// Slip an unsolicited `* 1 EXPUNGE` in before the next tagged OK (a server
    /// breaking RFC 3501 7.4.1, which keeps EXPUNGE out of FETCH answers).
    InjectExpunge,
    /// Close both sides after this many more server bytes.
    DropAfter(usize),
    /// Turn the next tagged `OK` into RFC 5530's `NO [EXPUNGEISSUED]` (a server
    /// telling that messages the FETCH named were expunged meanwhile).
    RefuseExpunged,
    /// Replace everything the server sends with this.
    Garbage,
    /// Close both sides instead of passing on a command that contains this.
    DropOnCommand(&'static str),
    /// Pass on a command that contains this, then close the client's side before its
    /// answer: the server did it, the client never heard (as when postern is killed
    /// between the server's OK and its own store update).
    SwallowAnswerTo(&'static str),
    /// A server without UIDPLUS, from the first byte: the capability is renamed and
    /// COPYUID / APPENDUID codes are blanked out (same length, so literals still fit).
    HideUidplus,
    /// A mailbox that keeps no new keywords, as Exchange's: `\*` is blanked out of
    /// PERMANENTFLAGS.
    NoKeywords,
}

/// What clients sent through a proxy.
type ClientLog = Arc<std::sync::Mutex<Vec<u8>>>;

/// Starts a proxy to `upstream`; returns its port.
async fn fault_proxy(upstream: u16, fault: Fault) -> u16 {
    logged_proxy(upstream, fault).await.0
}

/// [`fault_proxy`] that also returns everything clients sent.
async fn logged_proxy(upstream: u16, fault: Fault) -> (u16, ClientLog) {
    let listener = TcpListener::bind(("127.0.0.1", 0)).await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let log = ClientLog::default();
    let log_out = Arc::clone(&log);
    tokio::spawn(async move {
        while let Ok((client, _)) = listener.accept().await {
            let server = TcpStream::connect(("127.0.0.1", upstream)).await.unwrap();
            tokio::spawn(relay(client, server, fault, Arc::clone(&log)));
        }
    });
    (port, log_out)
}

/// Where the first tagged OK line (`pN OK`) starts in `data`.
fn tagged_ok(data: &[u8]) -> Option<usize> {
    (0..data.len()).find(|&at| {
        let line = &data[at..];
        let digits = line
            .iter()
            .skip(1)
            .take_while(|b| b.is_ascii_digit())
            .count();
        (at == 0 || data[at - 1] == b'\n')
            && line.first() == Some(&b'p')
            && digits > 0
            && line[1 + digits..].starts_with(b" OK ")
    })
}

/// Server data whose PERMANENTFLAGS lose `\*` (see [`Fault::NoKeywords`]).
fn hide_new_keywords(data: &mut [u8]) {
    let mut in_permanent = false;
    for at in 0..data.len() {
        if data[at..].starts_with(b"[PERMANENTFLAGS") {
            in_permanent = true;
        } else if data[at] == b']' || data[at] == b'\n' {
            in_permanent = false;
        } else if in_permanent && data[at..].starts_with(b"\\*") {
            data[at..at + 2].fill(b' ');
        }
    }
}

/// Server data with UIDPLUS hidden (see [`Fault::HideUidplus`]).
fn hide_uidplus(data: &mut [u8]) {
    for at in 0..data.len() {
        let rest = &data[at..];
        if rest.starts_with(b"UIDPLUS") {
            data[at] = b'X';
        } else if rest.starts_with(b"[COPYUID ") || rest.starts_with(b"[APPENDUID ") {
            let end = rest.iter().position(|b| *b == b']').unwrap_or(0);
            data[at..=at + end].fill(b' ');
        }
    }
}

async fn relay(client: TcpStream, server: TcpStream, fault: Fault, log: ClientLog) {
    let armed = Arc::new(AtomicBool::new(false));
    let swallow = Arc::new(AtomicBool::new(false));
    let swallow_up = Arc::clone(&swallow);
    let (mut client_read, mut client_write) = client.into_split();
    let (mut server_read, mut server_write) = server.into_split();
    let armed_up = Arc::clone(&armed);
    let upstream = tokio::spawn(async move {
        let mut buf = vec![0u8; 16 * 1024];
        loop {
            let n = match client_read.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => n,
            };
            if let Fault::DropOnCommand(text) = fault
                && buf[..n].windows(text.len()).any(|w| w == text.as_bytes())
            {
                // Dropping the server's write half ends the session; Dovecot then
                // closes, which ends the other direction.
                return;
            }
            if let Fault::SwallowAnswerTo(text) = fault
                && buf[..n].windows(text.len()).any(|w| w == text.as_bytes())
            {
                swallow_up.store(true, Ordering::SeqCst);
            }
            // The client only sends short commands: the log keeps them all.
            let fetches = {
                let mut sent = log.lock().unwrap();
                sent.extend_from_slice(&buf[..n]);
                sent.windows(7).filter(|w| w == b" FETCH ").count()
            };
            if fetches >= 2 {
                armed_up.store(true, Ordering::SeqCst);
            }
            if server_write.write_all(&buf[..n]).await.is_err() {
                return;
            }
        }
    });
    let passed = AtomicUsize::new(0);
    let mut pending: Vec<u8> = Vec::new();
    let mut injected = false;
    let mut buf = vec![0u8; 16 * 1024];
    // Server lines are rewritten whole: a line may span reads.
    let mut carry: Vec<u8> = Vec::new();
    loop {
        let n = match server_read.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        if swallow.load(Ordering::SeqCst) {
            // Give the server a moment to finish the command, then hang up on the client.
            tokio::time::sleep(Duration::from_millis(200)).await;
            break;
        }
        if matches!(fault, Fault::HideUidplus | Fault::NoKeywords) {
            carry.extend_from_slice(&buf[..n]);
            let end = carry
                .iter()
                .rposition(|b| *b == b'\n')
                .map_or(0, |at| at + 1);
            let mut ready: Vec<u8> = carry.drain(..end).collect();
            if fault == Fault::HideUidplus {
                hide_uidplus(&mut ready);
            } else {
                hide_new_keywords(&mut ready);
            }
            if client_write.write_all(&ready).await.is_err() {
                break;
            }
            continue;
        }
        if !armed.load(Ordering::SeqCst) {
            if client_write.write_all(&buf[..n]).await.is_err() {
                break;
            }
            continue;
        }
        match fault {
            Fault::None
            | Fault::DropOnCommand(_)
            | Fault::SwallowAnswerTo(_)
            | Fault::HideUidplus
            | Fault::NoKeywords => {
                if client_write.write_all(&buf[..n]).await.is_err() {
                    break;
                }
            }
            Fault::InjectExpunge | Fault::RefuseExpunged => {
                pending.extend_from_slice(&buf[..n]);
                if !injected && let Some(at) = tagged_ok(&pending) {
                    if fault == Fault::InjectExpunge {
                        pending.splice(at..at, b"* 1 EXPUNGE\r\n".iter().copied());
                    } else {
                        // `pN OK ` becomes `pN NO [EXPUNGEISSUED] `.
                        let ok = at + pending[at..].iter().position(|b| *b == b' ').unwrap();
                        pending.splice(ok..ok + 4, b" NO [EXPUNGEISSUED] ".iter().copied());
                    }
                    injected = true;
                }
                // Until injected, hold back a tail: a tagged line may span reads.
                let hold = if injected { 0 } else { pending.len().min(16) };
                let ready: Vec<u8> = pending.drain(..pending.len() - hold).collect();
                if client_write.write_all(&ready).await.is_err() {
                    break;
                }
            }
            Fault::Garbage => {
                let _ = client_write
                    .write_all(b"%%% this is not IMAP \x00\x01 ))) %%%\r\n")
                    .await;
                // Keep the connection open: the client must notice by itself.
                tokio::time::sleep(Duration::from_secs(30)).await;
                break;
            }
            Fault::DropAfter(limit) => {
                let sent = passed.load(Ordering::SeqCst);
                let take = n.min(limit.saturating_sub(sent));
                if take > 0 && client_write.write_all(&buf[..take]).await.is_err() {
                    break;
                }
                passed.store(sent + take, Ordering::SeqCst);
                if sent + take >= limit {
                    break;
                }
            }
        }
    }
    upstream.abort();
}

/// The store is a file (so chunks are written by the sync's writer thread): the
/// returned directory keeps it.
async fn faulty_sync(
    stack: &Stack,
    user: &TestUser,
    fault: Fault,
) -> (Store, FolderId, tempfile::TempDir) {
    let port = fault_proxy(stack.ports().imap, fault).await;
    let account = account_for(user, "127.0.0.1", port, "none", stack.ca_file());
    drop(stack.imap_login(user).await.unwrap());
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("store.sqlite")).unwrap();
    let id = store.upsert_account("t", &user.name).unwrap();
    let options = SyncOptions {
        chunk: 400,
        ..SyncOptions::default()
    };
    let mut sync = connect(&account, user, id, options).await.unwrap();
    sync.sync_folders(&mut store).await.unwrap();
    let inbox = folder(&store, id, "INBOX");
    let error = sync
        .sync_folder(&mut store, inbox, &mut noop)
        .await
        .unwrap_err();
    assert!(error.is_connection_failure(), "{error}");
    match fault {
        Fault::Garbage => assert!(error.to_string().contains("not IMAP"), "{error}"),
        Fault::DropAfter(_) | Fault::DropOnCommand(_) => {
            assert!(error.to_string().contains("lost"), "{error}")
        }
        Fault::None
        | Fault::InjectExpunge
        | Fault::RefuseExpunged
        | Fault::SwallowAnswerTo(_)
        | Fault::HideUidplus
        | Fault::NoKeywords => {
            unreachable!("not a fault of a sync")
        }
    }
    // The connection refuses further work instead of misreading the stream.
    let again = sync.sync_folder(&mut store, inbox, &mut noop).await;
    assert!(matches!(again, Err(e) if e.is_connection_failure()));
    (store, inbox, dir)
}

/// Syncs `folder` over a new connection straight to Dovecot (no proxy).
async fn sync_directly(
    stack: &Stack,
    user: &TestUser,
    store: &mut Store,
    account: AccountId,
    folder: FolderId,
) -> SyncReport {
    let options = SyncOptions::default();
    let mut sync = connect(&tls_account(stack, user), user, account, options)
        .await
        .unwrap();
    sync.sync_folder(store, folder, &mut noop).await.unwrap()
}

/// After the fault, a new connection (no proxy) resumes: no loss, no duplicate.
async fn resume(stack: &Stack, user: &TestUser, mut store: Store, inbox: FolderId, total: usize) {
    let stored = count(&store, inbox);
    let account = store.accounts().unwrap()[0].id;
    let report = sync_directly(stack, user, &mut store, account, inbox).await;
    assert_eq!(report.fetched, total - stored);
    assert_eq!(count(&store, inbox), total);
    let uids = store.folder_uids(inbox).unwrap();
    assert_eq!(uids, (1..=total as u32).collect::<Vec<_>>());
}

#[tokio::test]
async fn connection_dropped_mid_fetch_keeps_chunks_and_resumes() {
    let stack = Stack::shared();
    let user = stack.new_user("drop").unwrap();
    stack.seed(&user, &SeedSpec::inbox(2000)).unwrap();
    let (store, inbox, _dir) = faulty_sync(stack, &user, Fault::DropAfter(500_000)).await;
    let stored = count(&store, inbox);
    assert!(stored > 100 && stored < 2000, "{stored} stored");
    resume(stack, &user, store, inbox, 2000).await;
}

#[tokio::test]
async fn garbage_from_the_server_is_a_clear_error_and_resumes() {
    let stack = Stack::shared();
    let user = stack.new_user("garbage").unwrap();
    stack.seed(&user, &SeedSpec::inbox(900)).unwrap();
    let (store, inbox, _dir) = faulty_sync(stack, &user, Fault::Garbage).await;
    // The first screen came on its own, before the chunks.
    assert_eq!(count(&store, inbox), 100);
    resume(stack, &user, store, inbox, 900).await;
}

/// The connection drops when the sync asks for the dates of undated messages: they
/// are stored, marked, and the next sync dates them.
#[tokio::test]
async fn an_interrupted_date_fetch_is_finished_by_the_next_sync() {
    let stack = Stack::shared();
    let user = stack.new_user("datedrop").unwrap();
    stack.seed(&user, &SeedSpec::inbox(300)).unwrap();
    let mut other = stack.imap_login(&user).await.unwrap();
    let undated = message_dated("undated", None);
    append_dated(&mut other, "INBOX", "02-Jul-2020 10:00:00 +0000", &undated).await;
    drop(other);
    let fault = Fault::DropOnCommand("INTERNALDATE");
    let (mut store, inbox, _dir) = faulty_sync(stack, &user, fault).await;
    let id = store.accounts().unwrap()[0].id;
    assert_eq!(count(&store, inbox), 301);
    assert_eq!(store.uids_needing_date(inbox).unwrap(), [301]);

    let report = sync_directly(stack, &user, &mut store, id, inbox).await;
    assert_eq!(report.fetched, 0);
    assert!(store.uids_needing_date(inbox).unwrap().is_empty());
    let undated = store
        .envelopes(inbox, 0, 1000)
        .unwrap()
        .into_iter()
        .find(|e| e.subject == "undated")
        .unwrap();
    assert_eq!(undated.date, 1_593_684_000);
}

/// The server refuses the date FETCH with `NO [EXPUNGEISSUED]` (the undated message
/// went meanwhile): the sync still succeeds, with its state saved, and the message
/// is not asked about again.
#[tokio::test]
async fn a_date_fetch_refused_as_expunged_leaves_the_sync_whole() {
    let stack = Stack::shared();
    let user = stack.new_user("daterefused").unwrap();
    let mut other = stack.imap_login(&user).await.unwrap();
    let undated = message_dated("undated", None);
    append_dated(&mut other, "INBOX", "02-Jul-2020 10:00:00 +0000", &undated).await;
    // The envelope FETCH passes; the date FETCH is the second and gets the NO.
    let (port, log) = logged_proxy(stack.ports().imap, Fault::RefuseExpunged).await;
    let account = account_for(&user, "127.0.0.1", port, "none", stack.ca_file());
    let mut store = Store::open_in_memory().unwrap();
    let id = store.upsert_account("t", &user.name).unwrap();
    let mut sync = connect(&account, &user, id, SyncOptions::default())
        .await
        .unwrap();
    sync.sync_folders(&mut store).await.unwrap();
    let inbox = folder(&store, id, "INBOX");
    sync.sync_folder(&mut store, inbox, &mut noop)
        .await
        .unwrap();
    let sent = String::from_utf8_lossy(&log.lock().unwrap()).into_owned();
    assert!(sent.contains("(UID INTERNALDATE)"), "{sent}");
    assert_eq!(count(&store, inbox), 1);
    assert!(store.uids_needing_date(inbox).unwrap().is_empty());
    assert!(store.sync_state(inbox).unwrap().uidnext.is_some());
}

/// A fresh folder is fetched by sequence number with no UID SEARCH; if the server
/// reports an expunge meanwhile (an EXPUNGE, or a FETCH refused with RFC 5530's
/// `NO [EXPUNGEISSUED]`: sequence numbers may have moved), the sync keeps what came
/// and closes any gap by UID. Either way everything is stored once.
#[tokio::test]
async fn fresh_folder_by_sequence_and_by_uid_after_an_expunge() {
    let stack = Stack::shared();
    let user = stack.new_user("fresh").unwrap();
    stack.seed(&user, &SeedSpec::inbox(900)).unwrap();
    drop(stack.imap_login(&user).await.unwrap());
    for (fault, uid_search) in [
        (Fault::None, false),
        (Fault::InjectExpunge, true),
        (Fault::RefuseExpunged, true),
    ] {
        let (port, log) = logged_proxy(stack.ports().imap, fault).await;
        let account = account_for(&user, "127.0.0.1", port, "none", stack.ca_file());
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("store.sqlite")).unwrap();
        let id = store.upsert_account("t", &user.name).unwrap();
        let options = SyncOptions {
            chunk: 300,
            ..SyncOptions::default()
        };
        let mut sync = connect(&account, &user, id, options).await.unwrap();
        sync.sync_folders(&mut store).await.unwrap();
        let inbox = folder(&store, id, "INBOX");
        let report = sync
            .sync_folder(&mut store, inbox, &mut noop)
            .await
            .unwrap();
        assert_eq!(report.fetched, 900);
        assert_eq!(count(&store, inbox), 900);
        let uids = store.folder_uids(inbox).unwrap();
        assert_eq!(uids, (1..=900).collect::<Vec<_>>());
        let sent = log.lock().unwrap().clone();
        let searched = sent.windows(10).any(|w| w == b"UID SEARCH");
        assert_eq!(searched, uid_search, "{}", String::from_utf8_lossy(&sent));
        sync.logout().await;
    }
}

/// Deletes the Maildir files of `uids` behind the server's back, as another program
/// expunging them would (Dovecot's `dovecot-uidlist` maps UIDs to file names).
fn delete_files_of(user: &TestUser, uids: &[u32]) {
    let uidlist = std::fs::read_to_string(user.maildir.join("dovecot-uidlist")).unwrap();
    let mut deleted = 0;
    for line in uidlist.lines().skip(1) {
        let uid: u32 = line.split(' ').next().unwrap().parse().unwrap();
        let (_, base) = line.split_once(':').unwrap();
        if !uids.contains(&uid) {
            continue;
        }
        for dir in ["cur", "new"] {
            for entry in std::fs::read_dir(user.maildir.join(dir)).unwrap() {
                let path = entry.unwrap().path();
                let name = path.file_name().unwrap().to_string_lossy().into_owned();
                if name == base || name.starts_with(&format!("{base}:")) {
                    std::fs::remove_file(&path).unwrap();
                    deleted += 1;
                }
            }
        }
    }
    assert_eq!(deleted, uids.len(), "{uidlist}");
}

/// Messages expunged behind the sync's back while a fresh folder is fetched by
/// sequence number: Dovecot 2.3 still answers for them, with a NIL header, and ends
/// the FETCH with `OK [EXPUNGEISSUED]`. The sync stores the rest, closes the gap by
/// UID and succeeds; the store ends with exactly the server's messages.
#[tokio::test]
async fn messages_expunged_during_the_sequence_pass_leave_the_sync_whole() {
    let stack = Stack::shared();
    let user = stack.new_user("vanish").unwrap();
    stack.seed(&user, &SeedSpec::inbox(900)).unwrap();
    drop(stack.imap_login(&user).await.unwrap());
    let account = account_for(
        &user,
        "localhost",
        stack.ports().imaps,
        "implicit",
        stack.ca_file(),
    );
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("store.sqlite")).unwrap();
    let id = store.upsert_account("t", &user.name).unwrap();
    let options = SyncOptions {
        chunk: 200,
        ..SyncOptions::default()
    };
    let mut sync = connect(&account, &user, id, options).await.unwrap();
    sync.sync_folders(&mut store).await.unwrap();
    let inbox = folder(&store, id, "INBOX");
    // The oldest messages are fetched last: they go once the newest are stored.
    let gone = [1, 2, 3, 150];
    let mut deleted = false;
    let report = sync
        .sync_folder(&mut store, inbox, &mut |_| {
            if !deleted {
                deleted = true;
                delete_files_of(&user, &gone);
            }
        })
        .await
        .unwrap();
    assert!(deleted);
    assert_eq!(report.fetched, 896);
    assert_eq!(count(&store, inbox), 896);
    let expected: Vec<u32> = (1..=900).filter(|uid| !gone.contains(uid)).collect();
    assert_eq!(store.folder_uids(inbox).unwrap(), expected);
    sync.logout().await;
}

/// A store and a connection through a proxy with `fault`, the INBOX and Archive
/// synced; returns the store, the connection, INBOX and Archive.
async fn through_proxy(
    stack: &Stack,
    user: &TestUser,
    fault: Fault,
) -> (Store, ImapSync, FolderId, FolderId, tempfile::TempDir) {
    drop(stack.imap_login(user).await.unwrap());
    let port = fault_proxy(stack.ports().imap, fault).await;
    let account = account_for(user, "127.0.0.1", port, "none", stack.ca_file());
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("store.sqlite")).unwrap();
    let id = store.upsert_account("t", &user.name).unwrap();
    let mut sync = connect(&account, user, id, SyncOptions::default())
        .await
        .unwrap();
    sync.sync_folders(&mut store).await.unwrap();
    let (inbox, archive) = (folder(&store, id, "INBOX"), folder(&store, id, "Archive"));
    for folder in [inbox, archive] {
        sync.sync_folder(&mut store, folder, &mut noop)
            .await
            .unwrap();
    }
    (store, sync, inbox, archive, dir)
}

/// `$Forwarded` is stored where the mailbox keeps keywords (Dovecot), and left out
/// without an error where it does not (Exchange): the other client sees which.
#[tokio::test]
async fn forwarded_is_marked_where_keywords_are_kept_and_left_out_elsewhere() {
    let stack = Stack::shared();
    for (fault, kept) in [(Fault::None, true), (Fault::NoKeywords, false)] {
        let user = stack.new_user("forwarded").unwrap();
        let mut other = stack.imap_login(&user).await.unwrap();
        ok(&mut other, "CREATE Archive").await;
        append_raw(&mut other, "INBOX", &message("to pass on", "body")).await;
        let (mut store, mut sync, inbox, _, _dir) = through_proxy(stack, &user, fault).await;
        let id = store.message_by_uid(inbox, 1).unwrap().unwrap();
        let marked = sync
            .add_keyword(&mut store, &[id], "$Forwarded")
            .await
            .unwrap();
        assert_eq!(marked, usize::from(kept), "{fault:?}");
        ok(&mut other, "SELECT INBOX").await;
        let reply = ok(&mut other, "UID FETCH 1 (FLAGS)").await.join("\n");
        assert_eq!(reply.contains("$Forwarded"), kept, "{fault:?}: {reply}");
        // The connection is fine afterwards either way.
        sync.sync_folder(&mut store, inbox, &mut noop)
            .await
            .unwrap();
    }
}

/// Without UIDPLUS the server does not say where a moved message went: the target's
/// sync finds it by Message-ID, and the message keeps its store id and cached body
/// (so an undo can move the same id back).
#[tokio::test]
async fn a_moved_message_keeps_its_id_on_a_server_without_uidplus() {
    let stack = Stack::shared();
    let user = stack.new_user("no-uidplus").unwrap();
    let mut other = stack.imap_login(&user).await.unwrap();
    ok(&mut other, "CREATE Archive").await;
    for i in 0..3 {
        append_raw(&mut other, "INBOX", &message(&format!("keep {i}"), "body")).await;
    }
    let (mut store, mut sync, inbox, archive, _dir) =
        through_proxy(stack, &user, Fault::HideUidplus).await;
    assert!(
        !sync.conn().capabilities().has("UIDPLUS"),
        "the proxy hides it"
    );
    let moved = store.message_by_uid(inbox, 2).unwrap().unwrap();
    sync.fetch_body(&mut store, moved).await.unwrap();
    sync.move_messages(&mut store, &[moved], archive)
        .await
        .unwrap();
    let location = store.imap_location(moved).unwrap();
    assert_eq!(location.folder, archive, "same id, now in Archive");
    assert_eq!(location.uid, Some(1));
    assert!(matches!(
        store.message_source(moved).unwrap(),
        MessageSource::Cached(_)
    ));
    assert_eq!((count(&store, inbox), count(&store, archive)), (2, 1));
    // And back, by the same id.
    sync.move_messages(&mut store, &[moved], inbox)
        .await
        .unwrap();
    assert_eq!(store.imap_location(moved).unwrap().folder, inbox);
    assert_eq!((count(&store, inbox), count(&store, archive)), (3, 0));
    let reply = ok(&mut other, "STATUS Archive (MESSAGES)").await;
    assert!(reply[0].contains("MESSAGES 0"), "{reply:?}");
}

/// Killed between the server's OK and the store's update (here: the answer never
/// comes): nothing is lost; the next sync settles the store to the server's truth.
#[tokio::test]
async fn a_move_the_client_never_heard_back_from_is_settled_by_the_next_sync() {
    let stack = Stack::shared();
    let user = stack.new_user("swallowed").unwrap();
    let mut other = stack.imap_login(&user).await.unwrap();
    ok(&mut other, "CREATE Archive").await;
    for i in 0..3 {
        append_raw(&mut other, "INBOX", &message(&format!("lost? {i}"), "body")).await;
    }
    let (mut store, mut sync, inbox, archive, _dir) =
        through_proxy(stack, &user, Fault::SwallowAnswerTo("UID MOVE")).await;
    let moved = store.message_by_uid(inbox, 1).unwrap().unwrap();
    let error = sync
        .move_messages(&mut store, &[moved], archive)
        .await
        .unwrap_err();
    assert!(error.is_connection_failure(), "{error}");
    // The server moved it; the store does not know yet.
    let reply = ok(&mut other, "STATUS Archive (MESSAGES)").await;
    assert!(reply[0].contains("MESSAGES 1"), "{reply:?}");
    assert_eq!(store.imap_location(moved).unwrap().folder, inbox);
    let account = store.accounts().unwrap()[0].id;
    for folder in [inbox, archive] {
        sync_directly(stack, &user, &mut store, account, folder).await;
    }
    assert_eq!((count(&store, inbox), count(&store, archive)), (2, 1));
    let subjects: Vec<String> = store
        .envelopes(archive, 0, 10)
        .unwrap()
        .into_iter()
        .map(|row| row.subject)
        .collect();
    assert_eq!(subjects, vec!["lost? 0".to_owned()]);
}

/// What a resync stored that arrived since the last one, apart from the unread part
/// of it (what `new_mail_command` counts): a first sync is old mail.
#[tokio::test]
async fn a_resync_counts_the_new_unread_mail() {
    let stack = Stack::shared();
    let user = stack.new_user("new-unseen").unwrap();
    let mut other = stack.imap_login(&user).await.unwrap();
    for i in 0..2 {
        append_raw(&mut other, "INBOX", &message(&format!("old {i}"), "x")).await;
    }
    let (mut store, mut sync) = setup(stack, &user, SyncOptions::default()).await;
    let inbox = folder(&store, sync.account(), "INBOX");
    let first = sync
        .sync_folder(&mut store, inbox, &mut noop)
        .await
        .unwrap();
    assert_eq!((first.fetched, first.new_unseen), (2, 0));
    for i in 0..2 {
        append_raw(&mut other, "INBOX", &message(&format!("new {i}"), "x")).await;
    }
    ok(&mut other, "SELECT INBOX").await;
    ok(&mut other, "UID STORE 4 +FLAGS (\\Seen)").await;
    let again = sync
        .sync_folder(&mut store, inbox, &mut noop)
        .await
        .unwrap();
    assert_eq!((again.fetched, again.new_unseen), (2, 1));
}
