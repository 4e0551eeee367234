//! POP3 download into the store against the real test stack (Dovecot): each leave
//! mode, interruptions by a fault-injecting proxy (mid-message, after K RETRs,
//! between DELE and QUIT) followed by a rerun with no loss and no duplicate, a server
//! sending garbage, a malformed message, and both STLS and implicit TLS.

mod pop3_support;

use std::collections::HashSet;

use postern::config::TlsMode;
use postern::proto::ProtoError;
use postern::sync::pop3::{DownloadError, LeaveMode, Progress};
use postern_test_stack::{SeedSpec, Stack};

use pop3_support::fake_server::{Answer, FakeServer};
use pop3_support::proxy::{Fault, Proxy};
use pop3_support::*;

const DAY: i64 = 24 * 60 * 60;

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

#[tokio::test]
async fn leave_on_server_over_implicit_tls_downloads_once_and_keeps_the_mail() {
    let stack = Stack::shared();
    let user = stack.new_user("pop3-leave").unwrap();
    stack.seed(&user, &SeedSpec::inbox(25)).unwrap();
    let seeded = seeded_ids(&user);
    let account = implicit(stack, &user);
    let mut store = TestStore::new();

    let session = connect(&account, &user.password).await;
    assert!(
        session.advertises_pipelining(),
        "Dovecot pipelines: RETRs are sent ahead"
    );
    let (report, progress) = store
        .download(session, LeaveMode::LeaveOnServer, None)
        .await;
    let report = report.unwrap();
    assert_eq!(
        (report.on_server, report.stored, report.deleted),
        (25, 25, 0)
    );
    assert!(report.bytes > 0);
    assert_eq!(
        progress.first(),
        Some(&Progress {
            stored: 0,
            total: 25
        })
    );
    assert_eq!(
        progress.last(),
        Some(&Progress {
            stored: 25,
            total: 25
        })
    );
    assert_exactly(&store, &seeded);

    // Second run: nothing new, nothing deleted.
    let session = connect(&account, &user.password).await;
    let (report, _) = store
        .download(session, LeaveMode::LeaveOnServer, None)
        .await;
    let report = report.unwrap();
    assert_eq!((report.known, report.stored, report.deleted), (25, 0, 0));
    assert_exactly(&store, &seeded);
    assert_eq!(server_count(stack, &user).await, 25);
}

#[tokio::test]
async fn delete_after_download_over_stls_empties_the_server() {
    let stack = Stack::shared();
    let user = stack.new_user("pop3-dele").unwrap();
    stack.seed(&user, &SeedSpec::inbox(12)).unwrap();
    let seeded = seeded_ids(&user);
    let account = starttls(stack, &user);
    let mut store = TestStore::new();

    let session = connect(&account, &user.password).await;
    let (report, _) = store
        .download(session, LeaveMode::DeleteAfterDownload, None)
        .await;
    let report = report.unwrap();
    assert_eq!((report.stored, report.deleted), (12, 12));
    assert_eq!(server_count(stack, &user).await, 0);
    assert_exactly(&store, &seeded);
    assert!(
        store
            .store()
            .pop3_uidls(store.account)
            .unwrap()
            .iter()
            .all(|u| u.deleted_on_server)
    );

    // The next session finds the server empty and forgets the UIDLs; the mail stays.
    let session = connect(&account, &user.password).await;
    let (report, _) = store
        .download(session, LeaveMode::DeleteAfterDownload, None)
        .await;
    assert_eq!(report.unwrap().forgotten, 12);
    assert_eq!(store.uidl_count(), 0);
    assert_exactly(&store, &seeded);
}

#[tokio::test]
async fn delete_after_days_deletes_only_mail_downloaded_long_enough_ago() {
    let stack = Stack::shared();
    let user = stack.new_user("pop3-days").unwrap();
    stack.seed(&user, &SeedSpec::inbox(5)).unwrap();
    let account = implicit(stack, &user);
    let mut store = TestStore::new();

    // Downloaded "ten days ago".
    let session = connect(&account, &user.password).await;
    let (report, _) = store
        .download(
            session,
            LeaveMode::DeleteAfterDays(7),
            Some(now() - 10 * DAY),
        )
        .await;
    assert_eq!(report.unwrap().deleted, 0, "new mail is not 7 days old yet");
    stack.seed(&user, &SeedSpec::inbox(2)).unwrap();
    let everything = seeded_ids(&user);

    // Thirty days: nothing is old enough; the two new ones are downloaded.
    let session = connect(&account, &user.password).await;
    let (report, _) = store
        .download(session, LeaveMode::DeleteAfterDays(30), None)
        .await;
    let report = report.unwrap();
    assert_eq!((report.stored, report.deleted), (2, 0));
    assert_eq!(server_count(stack, &user).await, 7);

    // Seven days: the five old ones go, the two from today stay.
    let session = connect(&account, &user.password).await;
    let (report, _) = store
        .download(session, LeaveMode::DeleteAfterDays(7), None)
        .await;
    let report = report.unwrap();
    assert_eq!((report.stored, report.deleted), (0, 5));
    assert_eq!(server_count(stack, &user).await, 2);
    assert_exactly(&store, &everything);
}

#[tokio::test]
async fn a_connection_cut_mid_message_loses_nothing_and_duplicates_nothing() {
    let stack = Stack::shared();
    let user = stack.new_user("pop3-cut").unwrap();
    let seed = stack.seed(&user, &SeedSpec::inbox(40)).unwrap();
    let seeded = seeded_ids(&user);
    // Implicit TLS through the proxy: it cuts after about half the mail's bytes.
    let proxy = Proxy::start(stack.ports().pop3s, Fault::AfterServerBytes(seed.bytes / 2)).await;
    let account = account(
        &user.name,
        "localhost",
        proxy.port,
        TlsMode::Implicit,
        stack.ca_file(),
    );
    let mut store = TestStore::new();

    let session = connect(&account, &user.password).await;
    let (report, _) = store
        .download(session, LeaveMode::DeleteAfterDownload, None)
        .await;
    assert!(proxy.tripped());
    assert!(
        matches!(report, Err(DownloadError::Proto(ProtoError::Io { .. }))),
        "{report:?}"
    );
    let kept = store.message_ids().len();
    assert!(
        kept > 0 && kept < 40,
        "messages read in full are kept: {kept}"
    );
    assert_eq!(store.uidl_count(), kept);
    assert_eq!(server_count(stack, &user).await, 40, "nothing deleted");

    let session = connect(&account, &user.password).await;
    let (report, _) = store
        .download(session, LeaveMode::DeleteAfterDownload, None)
        .await;
    let report = report.unwrap();
    assert_eq!(report.known, kept);
    assert_eq!(report.stored, 40 - kept, "only the rest is fetched");
    assert_exactly(&store, &seeded);
    assert_eq!(server_count(stack, &user).await, 0);
}

#[tokio::test]
async fn a_connection_cut_after_k_retrs_then_a_rerun_gives_each_message_once() {
    let stack = Stack::shared();
    let user = stack.new_user("pop3-retr").unwrap();
    stack.seed(&user, &SeedSpec::inbox(15)).unwrap();
    let seeded = seeded_ids(&user);
    // Plaintext on loopback so the proxy can read commands: it cuts at the 7th RETR.
    let proxy = Proxy::start(
        stack.ports().pop3,
        Fault::BeforeCommand {
            verb: "RETR",
            nth: 7,
        },
    )
    .await;
    let account = account(
        &user.name,
        "127.0.0.1",
        proxy.port,
        TlsMode::None,
        stack.ca_file(),
    );
    let mut store = TestStore::new();

    let session = connect(&account, &user.password).await;
    let (report, _) = store
        .download(session, LeaveMode::LeaveOnServer, None)
        .await;
    assert!(proxy.tripped());
    assert!(report.is_err());
    // RETRs are pipelined: the six sent before the cut are answered in its grace
    // second and stored (at least one, at most six, whatever the machine's load).
    let kept = store.message_ids().len();
    assert!((1..=6).contains(&kept), "{kept} stored before the cut");
    assert_eq!(store.uidl_count(), kept);

    let session = connect(&account, &user.password).await;
    let (report, _) = store
        .download(session, LeaveMode::LeaveOnServer, None)
        .await;
    assert_eq!(report.unwrap().stored, 15 - kept);
    assert_exactly(&store, &seeded);
    assert_eq!(server_count(stack, &user).await, 15);
}

#[tokio::test]
async fn a_connection_cut_between_dele_and_quit_deletes_nothing_and_duplicates_nothing() {
    let stack = Stack::shared();
    let user = stack.new_user("pop3-quit").unwrap();
    stack.seed(&user, &SeedSpec::inbox(8)).unwrap();
    let seeded = seeded_ids(&user);
    let proxy = Proxy::start(
        stack.ports().pop3,
        Fault::BeforeCommand {
            verb: "QUIT",
            nth: 1,
        },
    )
    .await;
    let account = account(
        &user.name,
        "127.0.0.1",
        proxy.port,
        TlsMode::None,
        stack.ca_file(),
    );
    let mut store = TestStore::new();

    let session = connect(&account, &user.password).await;
    let (report, _) = store
        .download(session, LeaveMode::DeleteAfterDownload, None)
        .await;
    assert!(proxy.tripped());
    assert!(report.is_err(), "QUIT never answered: {report:?}");
    assert_exactly(&store, &seeded);
    assert!(
        store
            .store()
            .pop3_uidls(store.account)
            .unwrap()
            .iter()
            .all(|u| !u.deleted_on_server),
        "a deletion without QUIT is not recorded"
    );
    assert_eq!(
        server_count(stack, &user).await,
        8,
        "uncommitted DELEs were rolled back"
    );

    let session = connect(&account, &user.password).await;
    let (report, _) = store
        .download(session, LeaveMode::DeleteAfterDownload, None)
        .await;
    let report = report.unwrap();
    assert_eq!((report.stored, report.known, report.deleted), (0, 8, 8));
    assert_exactly(&store, &seeded);
    assert_eq!(server_count(stack, &user).await, 0);
}

fn message(id: &str) -> Vec<u8> {
    format!("+OK\r\nMessage-ID: <{id}>\r\nSubject: {id}\r\n\r\nbody\r\n..dot line\r\n.\r\n")
        .into_bytes()
}

async fn fake_download(
    script: Vec<(&str, Answer)>,
) -> (
    TestStore,
    Result<postern::sync::pop3::DownloadReport, DownloadError>,
) {
    let server = FakeServer::start(script).await;
    // Plaintext on loopback: the CA file is never used.
    let ca = Stack::shared().ca_file();
    let account = account(
        "me@example.test",
        "127.0.0.1",
        server.port,
        TlsMode::None,
        ca,
    );
    let mut store = TestStore::new();
    let session = connect(&account, "secret").await;
    let (report, _) = store
        .download(session, LeaveMode::DeleteAfterDownload, None)
        .await;
    (store, report)
}

#[tokio::test]
async fn garbage_instead_of_a_message_is_a_typed_error_and_the_store_stays_consistent() {
    let (store, report) = fake_download(vec![
        (
            "UIDL",
            Answer::Send(b"+OK\r\n1 aaa\r\n2 bbb\r\n3 ccc\r\n.\r\n".to_vec()),
        ),
        (
            "LIST",
            Answer::Send(b"+OK\r\n1 60\r\n2 60\r\n3 60\r\n.\r\n".to_vec()),
        ),
        ("RETR 1", Answer::Send(message("one@x"))),
        (
            "RETR 2",
            Answer::SendAndClose(b"\x00\xffgarbage\r\n".to_vec()),
        ),
    ])
    .await;
    match report {
        Err(DownloadError::Proto(ProtoError::Protocol { detail, .. })) => {
            assert!(detail.contains("RETR"), "{detail}")
        }
        other => panic!("expected a protocol error, got {other:?}"),
    }
    assert_eq!(store.message_ids(), ["one@x"]);
    let uidls: Vec<String> = store
        .store()
        .pop3_uidls(store.account)
        .unwrap()
        .into_iter()
        .map(|u| u.uidl)
        .collect();
    assert_eq!(uidls, ["aaa"]);
}

#[tokio::test]
async fn a_garbage_listing_is_a_typed_error_before_anything_is_stored() {
    let (store, report) = fake_download(vec![(
        "UIDL",
        Answer::Send(b"+OK\r\n1 aaa\r\nnot a uidl line at all\r\n.\r\n".to_vec()),
    )])
    .await;
    match report {
        Err(DownloadError::Proto(ProtoError::Protocol { detail, .. })) => {
            assert!(detail.contains("malformed UIDL line"), "{detail}")
        }
        other => panic!("expected a protocol error, got {other:?}"),
    }
    assert_eq!(store.uidl_count(), 0);
}

#[tokio::test]
async fn a_server_without_uidl_is_refused_with_a_hint() {
    let (_, report) = fake_download(vec![(
        "UIDL",
        Answer::Send(b"-ERR no such command\r\n".to_vec()),
    )])
    .await;
    assert!(
        matches!(report, Err(DownloadError::UidlUnsupported(_))),
        "{report:?}"
    );
}

#[tokio::test]
async fn a_malformed_message_is_stored_raw_and_a_vanished_one_is_skipped() {
    let junk: &[u8] = b"+OK\r\n\x00\x01 no headers here \xff\xfe\r\n\r\n\r\n.\r\n";
    let (store, report) = fake_download(vec![
        (
            "UIDL",
            Answer::Send(b"+OK\r\n1 junk\r\n2 gone\r\n3 fine\r\n.\r\n".to_vec()),
        ),
        (
            "LIST",
            Answer::Send(b"+OK\r\n1 30\r\n2 30\r\n3 60\r\n.\r\n".to_vec()),
        ),
        ("RETR 1", Answer::Send(junk.to_vec())),
        (
            "RETR 2",
            Answer::Send(b"-ERR message 2 already deleted\r\n".to_vec()),
        ),
        ("RETR 3", Answer::Send(message("three@x"))),
        ("DELE", Answer::Send(b"+OK\r\n".to_vec())),
    ])
    .await;
    let report = report.unwrap();
    assert_eq!((report.stored, report.refused, report.deleted), (2, 1, 2));
    let s = store.store();
    let inbox = s
        .upsert_folder(
            store.account,
            "INBOX",
            Some(postern::store::FolderRole::Inbox),
        )
        .unwrap();
    let rows = s.envelopes(inbox, 0, 10).unwrap();
    assert_eq!(rows.len(), 2);
    let bodies: HashSet<Vec<u8>> = rows
        .iter()
        .map(|row| match s.message_source(row.id).unwrap() {
            postern::store::MessageSource::Cached(raw) => raw,
            other => panic!("{other:?}"),
        })
        .collect();
    assert!(bodies.contains(&b"\x00\x01 no headers here \xff\xfe\r\n\r\n\r\n"[..]));
    assert!(
        bodies.contains(
            &b"Message-ID: <three@x>\r\nSubject: three@x\r\n\r\nbody\r\n.dot line\r\n"[..]
        )
    );
}
