//! The SQLite store: schema migrations, envelopes, counters, outbox, drafts.

use postern::mime::compose::Written;
use postern::store::schema::{MIGRATIONS, SCHEMA_VERSION};
use postern::store::{
    DraftFile, DraftFileSource, Flags, FolderRole, MessageId, MessageSource, NewDraft, NewEnvelope,
    OutboxState, Queued, Store, StoreError, SyncState,
};
use std::path::PathBuf;

fn envelope(uid: u32, date: i64, subject: &str, seen: bool) -> NewEnvelope {
    NewEnvelope {
        uid: Some(uid),
        date,
        from_display: format!("Sender {uid} <s{uid}@example.org>"),
        from_addr: format!("s{uid}@example.org"),
        subject: subject.to_owned(),
        flags: Flags {
            seen,
            ..Flags::default()
        },
        size: 1000 + u64::from(uid),
        arrived: date,
        ..NewEnvelope::default()
    }
}

fn unread_of(store: &Store, account: postern::store::AccountId, name: &str) -> (u32, u32) {
    let folder = store
        .folders(account)
        .unwrap()
        .into_iter()
        .find(|f| f.name == name)
        .unwrap();
    (folder.total, folder.unread)
}

#[test]
fn open_creates_parent_dirs_and_migrates_empty_db() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a/b/postern.sqlite3");
    let store = Store::open(&path).unwrap();
    assert!(path.exists());
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    const { assert!(SCHEMA_VERSION >= 2) };
    drop(store);

    let conn = rusqlite::Connection::open(&path).unwrap();
    let mode: String = conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    for table in [
        "accounts",
        "bodies",
        "drafts",
        "folders",
        "messages",
        "outbox",
        "pop3_uidls",
    ] {
        assert!(
            tables.iter().any(|t| t == table),
            "missing {table}: {tables:?}"
        );
    }
}

#[test]
fn foreign_keys_are_enforced() {
    let mut store = Store::open_in_memory().unwrap();
    let err = store
        .insert_envelopes(
            postern::store::FolderId(999),
            &[envelope(1, 10, "x", false)],
        )
        .unwrap_err();
    assert!(matches!(err, StoreError::NoSuchFolder(_)), "{err:?}");
}

#[test]
fn v1_database_is_migrated_and_keeps_its_data() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.sqlite3");
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(MIGRATIONS[0]).unwrap();
        conn.execute_batch(
            "PRAGMA user_version = 1;
             INSERT INTO accounts (id, name, email) VALUES (1, 'work', 'me@example.org');
             INSERT INTO folders (id, account_id, name, role) VALUES (1, 1, 'INBOX', 'inbox');
             INSERT INTO messages (folder_id, uid, date, from_display, from_addr, to_addrs,
                 cc_addrs, subject, flags, size, arrived)
             VALUES (1, 1, 100, 'a', 'a', '', '', 'read', 1, 10, 100),
                    (1, 2, 200, 'b', 'b', '', '', 'unread', 0, 10, 200),
                    (1, 3, 300, 'c', 'c', '', '', 'flagged unread', 2, 10, 300);",
        )
        .unwrap();
    }
    let store = Store::open(&path).unwrap();
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    let accounts = store.accounts().unwrap();
    assert_eq!(accounts.len(), 1);
    assert_eq!(accounts[0].email, "me@example.org");
    let folders = store.folders(accounts[0].id).unwrap();
    assert_eq!(folders[0].role, Some(FolderRole::Inbox));
    // The v2 counters are back-filled from the existing rows.
    assert_eq!((folders[0].total, folders[0].unread), (3, 2));
    let page = store.envelopes(folders[0].id, 0, 10).unwrap();
    let subjects: Vec<_> = page.iter().map(|e| e.subject.as_str()).collect();
    assert_eq!(subjects, ["flagged unread", "unread", "read"]);
    // Tables added by v2 work.
    let id = store.enqueue_outgoing(accounts[0].id, b"raw").unwrap();
    assert!(store.outgoing(id).unwrap().is_some());
}

#[test]
fn newer_database_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("future.sqlite3");
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(&format!("PRAGMA user_version = {}", SCHEMA_VERSION + 1))
            .unwrap();
    }
    match Store::open(&path) {
        Err(StoreError::TooNew {
            path: p,
            found,
            supported,
        }) => {
            assert_eq!(p, path);
            assert_eq!(found, SCHEMA_VERSION + 1);
            assert_eq!(supported, SCHEMA_VERSION);
        }
        other => panic!("expected TooNew, got {:?}", other.map(|_| ())),
    }
    // Nothing was written: the version is still the future one.
    let conn = rusqlite::Connection::open(&path).unwrap();
    let v: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(v, SCHEMA_VERSION + 1);
}

#[test]
fn reopening_keeps_everything() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db.sqlite3");
    let (account, folder, ids) = {
        let mut store = Store::open(&path).unwrap();
        let account = store.upsert_account("home", "me@home.test").unwrap();
        let folder = store
            .upsert_folder(account, "INBOX", Some(FolderRole::Inbox))
            .unwrap();
        let ids = store
            .insert_envelopes(
                folder,
                &[envelope(1, 10, "one", false), envelope(2, 20, "two", true)],
            )
            .unwrap();
        store
            .set_sync_state(
                folder,
                &SyncState {
                    uidvalidity: Some(42),
                    uidnext: Some(3),
                    highestmodseq: Some(1 << 40),
                    last_sync: Some(1_700_000_000),
                },
            )
            .unwrap();
        (account, folder, ids)
    };
    let store = Store::open(&path).unwrap();
    // Upserting again returns the same ids.
    assert_eq!(
        store.upsert_account("home", "new@home.test").unwrap(),
        account
    );
    assert_eq!(store.accounts().unwrap()[0].email, "new@home.test");
    assert_eq!(
        store
            .upsert_folder(account, "INBOX", Some(FolderRole::Inbox))
            .unwrap(),
        folder
    );
    assert_eq!(store.envelope_count(folder).unwrap(), 2);
    assert_eq!(store.envelope(ids[0]).unwrap().subject, "one");
    let state = store.sync_state(folder).unwrap();
    assert_eq!(state.uidvalidity, Some(42));
    assert_eq!(state.highestmodseq, Some(1 << 40));
    assert_eq!(state.last_sync, Some(1_700_000_000));
}

#[test]
fn paging_is_newest_first_with_id_tiebreak() {
    let mut store = Store::open_in_memory().unwrap();
    let account = store.upsert_account("a", "a@x").unwrap();
    let folder = store.upsert_folder(account, "INBOX", None).unwrap();
    let other = store.upsert_folder(account, "Other", None).unwrap();
    // Inserted out of order, two share a date.
    let ids = store
        .insert_envelopes(
            folder,
            &[
                envelope(1, 300, "c", false),
                envelope(2, 100, "a", false),
                envelope(3, 500, "e", false),
                envelope(4, 300, "d", false),
                envelope(5, 200, "b", false),
            ],
        )
        .unwrap();
    store
        .insert_envelopes(other, &[envelope(1, 999, "elsewhere", false)])
        .unwrap();
    assert_eq!(ids.len(), 5);
    let all = store.envelopes(folder, 0, 100).unwrap();
    let subjects: Vec<_> = all.iter().map(|e| e.subject.as_str()).collect();
    // Same date: the later-inserted (higher id) first.
    assert_eq!(subjects, ["e", "d", "c", "b", "a"]);
    assert!(all.iter().all(|e| e.folder == folder));
    assert_eq!(all[0].from, "Sender 3 <s3@example.org>");
    assert_eq!(all[0].size, 1003);

    let page: Vec<_> = store
        .envelopes(folder, 1, 2)
        .unwrap()
        .into_iter()
        .map(|e| e.subject)
        .collect();
    assert_eq!(page, ["d", "c"]);
    assert_eq!(store.envelopes(folder, 4, 10).unwrap().len(), 1);
    assert!(store.envelopes(folder, 5, 10).unwrap().is_empty());
    assert!(store.envelopes(folder, usize::MAX, 10).unwrap().is_empty());
    assert_eq!(store.envelope_count(folder).unwrap(), 5);
    assert_eq!(store.envelope_count(other).unwrap(), 1);
}

#[test]
fn duplicate_uid_fails_the_whole_batch() {
    let mut store = Store::open_in_memory().unwrap();
    let account = store.upsert_account("a", "a@x").unwrap();
    let folder = store.upsert_folder(account, "INBOX", None).unwrap();
    store
        .insert_envelopes(folder, &[envelope(1, 1, "first", false)])
        .unwrap();
    let result = store.insert_envelopes(
        folder,
        &[
            envelope(2, 2, "second", false),
            envelope(1, 3, "dup", false),
        ],
    );
    assert!(result.is_err());
    assert_eq!(store.envelope_count(folder).unwrap(), 1);
    assert_eq!(unread_of(&store, account, "INBOX"), (1, 1));
}

#[test]
fn counters_follow_flags_and_deletes() {
    let mut store = Store::open_in_memory().unwrap();
    let account = store.upsert_account("a", "a@x").unwrap();
    let inbox = store
        .upsert_folder(account, "INBOX", Some(FolderRole::Inbox))
        .unwrap();
    store
        .upsert_folder(account, "Archive", Some(FolderRole::Archive))
        .unwrap();
    let ids = store
        .insert_envelopes(
            inbox,
            &(1..=10)
                .map(|i| envelope(i, i64::from(i), "s", i <= 3))
                .collect::<Vec<_>>(),
        )
        .unwrap();
    let folders = store.folders(account).unwrap();
    // The inbox comes first whatever its name sorts as.
    assert_eq!(folders[0].name, "INBOX");
    assert_eq!((folders[0].total, folders[0].unread), (10, 7));
    assert_eq!((folders[1].total, folders[1].unread), (0, 0));

    let read = Flags {
        seen: true,
        ..Flags::default()
    };
    store.set_flags(ids[5], read).unwrap();
    store.set_flags(ids[5], read).unwrap(); // idempotent
    assert_eq!(unread_of(&store, account, "INBOX"), (10, 6));
    // Changing a flag other than seen leaves the counters alone.
    store
        .set_flags(
            ids[6],
            Flags {
                flagged: true,
                ..Flags::default()
            },
        )
        .unwrap();
    assert_eq!(unread_of(&store, account, "INBOX"), (10, 6));
    assert!(store.envelope(ids[6]).unwrap().flags.flagged);
    store.set_flags(ids[0], Flags::default()).unwrap();
    assert_eq!(unread_of(&store, account, "INBOX"), (10, 7));

    // Delete two unread, one read, and one id twice / one unknown.
    let removed = store
        .delete_messages(&[ids[9], ids[8], ids[1], ids[1], MessageId(9999)])
        .unwrap();
    assert_eq!(removed, 3);
    assert_eq!(unread_of(&store, account, "INBOX"), (7, 5));
    assert_eq!(store.recount_folder(inbox).unwrap(), (7, 5));
    assert!(matches!(
        store.set_flags(ids[9], read),
        Err(StoreError::NoSuchMessage(_))
    ));
}

/// Inserts keep the counters in the insert path (one update per batch), deletes and
/// flag changes in triggers: every way a row is added must leave them equal to a
/// real count, and a batch that fails must leave them untouched.
#[test]
fn counters_match_a_real_count_after_every_insert_path() {
    let mut store = Store::open_in_memory().unwrap();
    let account = store.upsert_account("a", "a@x").unwrap();
    let inbox = store
        .upsert_folder(account, "INBOX", Some(FolderRole::Inbox))
        .unwrap();
    store.upsert_folder(account, "Other", None).unwrap();
    let check = |store: &Store, expected: (u32, u32)| {
        assert_eq!(unread_of(store, account, "INBOX"), expected);
        assert_eq!(store.recount_folder(inbox).unwrap(), expected);
        assert_eq!(unread_of(store, account, "Other"), (0, 0));
    };

    let batch: Vec<_> = (1..=4).map(|i| envelope(i, 10, "s", i == 1)).collect();
    store.insert_envelopes(inbox, &batch).unwrap();
    check(&store, (4, 3));

    // A duplicate UID fails the whole batch: nothing counted.
    let clash = [envelope(5, 10, "s", false), envelope(1, 10, "s", false)];
    assert!(store.insert_envelopes(inbox, &clash).is_err());
    check(&store, (4, 3));

    // A resumed IMAP chunk: UIDs 3 and 4 are stored (4 is now read), 5 and 6 are new.
    let chunk: Vec<_> = (3..=6).map(|i| envelope(i, 10, "s", i == 4)).collect();
    assert_eq!(store.upsert_imap_envelopes(inbox, &chunk).unwrap(), 4);
    check(&store, (6, 4));
    assert_eq!(store.upsert_imap_envelopes(inbox, &chunk).unwrap(), 4);
    check(&store, (6, 4));

    // POP3: a UIDL already recorded is skipped.
    store.record_pop3_uidl(account, "seen-before").unwrap();
    let pop3 = |uidl: &str, seen| postern::store::Pop3Message {
        uidl: uidl.to_owned(),
        envelope: NewEnvelope {
            uid: None,
            ..envelope(0, 10, "p", seen)
        },
        raw: b"Subject: p\r\n\r\nbody".to_vec(),
    };
    let stored = store
        .store_pop3_messages(
            account,
            inbox,
            &[
                pop3("u1", false),
                pop3("seen-before", false),
                pop3("u2", true),
            ],
            10,
        )
        .unwrap();
    assert_eq!(stored.iter().filter(|id| id.is_some()).count(), 2);
    check(&store, (8, 5));
}

#[test]
fn message_source_prefers_cached_body() {
    let mut store = Store::open_in_memory().unwrap();
    let account = store.upsert_account("a", "a@x").unwrap();
    let folder = store.upsert_folder(account, "INBOX", None).unwrap();
    let mut on_disk = envelope(2, 2, "file", false);
    on_disk.uid = None;
    on_disk.maildir_key = Some("123.abc".into());
    on_disk.maildir_path = Some(PathBuf::from("/mail/cur/123.abc:2,"));
    let ids = store
        .insert_envelopes(folder, &[envelope(1, 1, "imap", false), on_disk])
        .unwrap();
    assert_eq!(
        store.message_source(ids[0]).unwrap(),
        MessageSource::NotFetched
    );
    assert_eq!(
        store.message_source(ids[1]).unwrap(),
        MessageSource::File(PathBuf::from("/mail/cur/123.abc:2,"))
    );
    store
        .cache_body(ids[0], b"Subject: imap\r\n\r\nhi")
        .unwrap();
    assert_eq!(
        store.message_source(ids[0]).unwrap(),
        MessageSource::Cached(b"Subject: imap\r\n\r\nhi".to_vec())
    );
    assert!(matches!(
        store.message_source(MessageId(777)),
        Err(StoreError::NoSuchMessage(_))
    ));
    assert!(matches!(
        store.cache_body(MessageId(777), b"x"),
        Err(StoreError::NoSuchMessage(_))
    ));
    // Deleting the message drops its body too (the db would refuse otherwise).
    store.delete_messages(&[ids[0]]).unwrap();
    assert!(matches!(
        store.message_source(ids[0]),
        Err(StoreError::NoSuchMessage(_))
    ));
}

#[test]
fn outbox_lifecycle() {
    let store = Store::open_in_memory().unwrap();
    let account = store.upsert_account("a", "a@x").unwrap();
    let other = store.upsert_account("b", "b@x").unwrap();
    let first = store.enqueue_outgoing(account, b"message one").unwrap();
    let second = store.enqueue_outgoing(account, b"message two").unwrap();
    store.enqueue_outgoing(other, b"not mine").unwrap();

    let queued = store.outbox(account, Some(OutboxState::Queued)).unwrap();
    assert_eq!(
        queued.iter().map(|r| r.id).collect::<Vec<_>>(),
        [first, second]
    );
    assert_eq!(queued[0].raw, b"message one");
    assert_eq!(queued[0].attempts, 0);
    // Debug output never shows the message itself.
    assert!(!format!("{:?}", queued[0]).contains("message one"));

    store
        .mark_failed(
            first,
            "server refused the recipient",
            Some("550 5.1.1 no such user"),
        )
        .unwrap();
    store
        .mark_sent(second, "250 2.0.0 Ok: queued as ABC")
        .unwrap();
    let failed = store.outgoing(first).unwrap().unwrap();
    assert_eq!(failed.state, OutboxState::Failed);
    assert_eq!(failed.attempts, 1);
    assert_eq!(
        failed.last_error.as_deref(),
        Some("server refused the recipient")
    );
    assert_eq!(
        failed.server_reply.as_deref(),
        Some("550 5.1.1 no such user")
    );
    let sent = store.outgoing(second).unwrap().unwrap();
    assert_eq!(sent.state, OutboxState::Sent);
    assert_eq!(
        sent.server_reply.as_deref(),
        Some("250 2.0.0 Ok: queued as ABC")
    );
    assert!(sent.sent_at.is_some());
    assert!(
        store
            .outbox(account, Some(OutboxState::Queued))
            .unwrap()
            .is_empty()
    );

    store.requeue(first).unwrap();
    store.requeue(second).unwrap(); // a sent message stays sent
    assert_eq!(
        store.outbox(account, Some(OutboxState::Queued)).unwrap()[0].id,
        first
    );
    assert_eq!(
        store.outgoing(second).unwrap().unwrap().state,
        OutboxState::Sent
    );
    store.mark_sent(first, "250 ok").unwrap();
    assert_eq!(store.outgoing(first).unwrap().unwrap().attempts, 2);

    store.delete_outgoing(second).unwrap();
    assert!(store.outgoing(second).unwrap().is_none());
    assert_eq!(store.outbox(account, None).unwrap().len(), 1);
    assert_eq!(store.outbox(other, None).unwrap().len(), 1);
}

#[test]
fn drafts_save_update_list_delete() {
    let mut store = Store::open_in_memory().unwrap();
    let account = store.upsert_account("a", "a@x").unwrap();
    let mut fields = NewDraft {
        written: Written {
            from: "A <a@x>".into(),
            to: "bob@example.org".into(),
            bcc: "carol@example.org".into(),
            subject: "Plans".into(),
            body: "Hi Bob,".into(),
            ..Written::default()
        },
        references: vec!["m1@x".into(), "m2@x".into()],
        answers: Some(MessageId(7)),
        files: vec![
            DraftFile {
                filename: "q3.pdf".into(),
                mime_type: "application/pdf".into(),
                source: DraftFileSource::Bytes(vec![1, 2, 3]),
            },
            DraftFile {
                filename: "notes.txt".into(),
                mime_type: "text/plain".into(),
                source: DraftFileSource::Path("/home/a/notes.txt".into()),
            },
        ],
        ..NewDraft::default()
    };
    let id = store.save_draft(account, None, &fields).unwrap();
    fields.written.body.push_str("\nsee you at 8.");
    fields.files.pop();
    assert_eq!(store.save_draft(account, Some(id), &fields).unwrap(), id);
    let other = store
        .save_draft(account, None, &NewDraft::default())
        .unwrap();
    let drafts = store.drafts(account).unwrap();
    assert_eq!(drafts.len(), 2);
    let saved = store.draft(id).unwrap().unwrap();
    assert_eq!(
        saved.draft, fields,
        "everything, files included, as saved last"
    );
    assert_eq!(saved.outbox, None);
    assert!(saved.interrupted(), "neither postponed nor queued");
    store.postpone_draft(other).unwrap();
    assert!(!store.draft(other).unwrap().unwrap().interrupted());
    store
        .save_draft(account, Some(other), &NewDraft::default())
        .unwrap();
    assert!(
        store.draft(other).unwrap().unwrap().interrupted(),
        "edited again after it was postponed"
    );
    store.delete_draft(other).unwrap();
    assert_eq!(store.drafts(account).unwrap().len(), 1);
    // Deleting the account removes its drafts.
    store.delete_account(account).unwrap();
    assert!(store.drafts(account).unwrap().is_empty());
}

#[test]
fn a_queued_draft_can_be_taken_back_until_a_sender_claims_it() {
    let mut store = Store::open_in_memory().unwrap();
    let account = store.upsert_account("a", "a@x").unwrap();
    let later = chrono::Utc::now().timestamp() + 60;
    let held = Queued {
        not_before: Some(later),
        answers: Some(MessageId(9)),
        forwards: None,
    };
    let first_draft = store
        .save_draft(account, None, &NewDraft::default())
        .unwrap();
    let second_draft = store
        .save_draft(account, None, &NewDraft::default())
        .unwrap();
    let first = store.queue_draft(first_draft, b"one", held).unwrap();
    let second = store.queue_draft(second_draft, b"two", held).unwrap();
    assert_eq!(store.next_held(account).unwrap(), Some(later));
    let row = store.outgoing(first).unwrap().unwrap();
    assert_eq!(
        (row.not_before, row.answers, row.raw.as_slice()),
        (Some(later), Some(MessageId(9)), b"one".as_slice())
    );
    let queued = store.draft_for_outbox(first).unwrap().unwrap();
    assert_eq!(queued.id, first_draft);
    assert!(!queued.interrupted(), "queued drafts are not offered back");

    assert_eq!(store.take_back_draft(first).unwrap(), Some(first_draft));
    assert!(store.outgoing(first).unwrap().is_none());
    let back = store.draft(first_draft).unwrap().unwrap();
    assert_eq!(back.outbox, None, "being written again");

    let row = store.outgoing(second).unwrap().unwrap();
    assert!(store.claim_outgoing(&row, "sending").unwrap());
    assert_eq!(
        store.take_back_draft(second).unwrap(),
        None,
        "claimed: on its way"
    );
    assert!(store.outgoing(second).unwrap().is_some());
    assert_eq!(
        store.draft(second_draft).unwrap().unwrap().outbox,
        Some(second)
    );
}

#[test]
fn a_deleted_message_is_forgotten_by_the_drafts_and_the_outbox_that_named_it() {
    let mut store = Store::open_in_memory().unwrap();
    let account = store.upsert_account("a", "a@x").unwrap();
    let inbox = store.upsert_folder(account, "INBOX", None).unwrap();
    let ids = store
        .insert_envelopes(
            inbox,
            &[
                envelope(1, 1, "original", true),
                envelope(2, 2, "copy", true),
            ],
        )
        .unwrap();
    let (original, copy) = (ids[0], ids[1]);
    let answering = NewDraft {
        answers: Some(original),
        forwards: Some(original),
        remote_copy: Some(copy),
        ..NewDraft::default()
    };
    let kept = store.save_draft(account, None, &answering).unwrap();
    let queued = store.save_draft(account, None, &answering).unwrap();
    let held = Queued {
        not_before: None,
        answers: Some(original),
        forwards: Some(original),
    };
    let outbox = store.queue_draft(queued, b"raw", held).unwrap();
    let untouched = store
        .insert_envelopes(inbox, &[envelope(3, 3, "other", true)])
        .unwrap()[0];
    let other = store
        .save_draft(
            account,
            None,
            &NewDraft {
                answers: Some(untouched),
                ..NewDraft::default()
            },
        )
        .unwrap();

    store.delete_messages(&[original, copy]).unwrap();

    let draft = store.draft(kept).unwrap().unwrap().draft;
    assert_eq!(
        (draft.answers, draft.forwards, draft.remote_copy),
        (None, None, None)
    );
    let row = store.outgoing(outbox).unwrap().unwrap();
    assert_eq!((row.answers, row.forwards), (None, None));
    assert_eq!(
        store.draft(other).unwrap().unwrap().draft.answers,
        Some(untouched),
        "only what named the deleted messages is forgotten"
    );
    // The ids may be handed out again; nothing points at the new messages.
    let reused = store
        .insert_envelopes(inbox, &[envelope(4, 4, "new", true)])
        .unwrap()[0];
    let draft = store.draft(kept).unwrap().unwrap().draft;
    assert_ne!(draft.answers, Some(reused));
}

#[test]
fn sync_state_of_unknown_folder_is_an_error() {
    let store = Store::open_in_memory().unwrap();
    let account = store.upsert_account("a", "a@x").unwrap();
    let folder = store.upsert_folder(account, "INBOX", None).unwrap();
    assert_eq!(store.sync_state(folder).unwrap(), SyncState::default());
    store.set_imap_path(folder, "INBOX", Some('.')).unwrap();
    assert_eq!(store.imap_path(folder).unwrap().as_deref(), Some("INBOX"));
    let missing = postern::store::FolderId(folder.0 + 100);
    assert!(matches!(
        store.sync_state(missing),
        Err(StoreError::NoSuchFolder(_))
    ));
    assert!(matches!(
        store.set_sync_state(missing, &SyncState::default()),
        Err(StoreError::NoSuchFolder(_))
    ));
}

#[test]
fn paging_query_walks_the_date_index_without_sorting() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("plan.sqlite3");
    drop(Store::open(&path).unwrap());
    let conn = rusqlite::Connection::open(&path).unwrap();
    // The same query Store::envelopes runs.
    let plan: Vec<String> = conn
        .prepare(
            "EXPLAIN QUERY PLAN SELECT id, folder_id, date, from_display, subject, flags, size,
                 has_attachments FROM messages WHERE folder_id = ?1
             ORDER BY date DESC, id DESC LIMIT ?2 OFFSET ?3",
        )
        .unwrap()
        .query_map([1, 50, 0], |r| r.get::<_, String>(3))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let plan = plan.join(" | ");
    assert!(plan.contains("messages_by_date"), "{plan}");
    assert!(!plan.contains("TEMP B-TREE"), "{plan}");
}

#[test]
fn pop3_uidls_are_remembered_per_account() {
    let mut store = Store::open_in_memory().unwrap();
    let a = store.upsert_account("a", "a@x").unwrap();
    let b = store.upsert_account("b", "b@x").unwrap();
    for uidl in ["u1", "u2", "u3", "u1"] {
        store.record_pop3_uidl(a, uidl).unwrap();
    }
    store.record_pop3_uidl(b, "u9").unwrap();
    store.mark_pop3_deleted(a, "u2").unwrap();
    let uidls = store.pop3_uidls(a).unwrap();
    let names: Vec<_> = uidls.iter().map(|u| u.uidl.as_str()).collect();
    assert_eq!(names, ["u1", "u2", "u3"]);
    assert!(uidls[1].deleted_on_server && !uidls[0].deleted_on_server);
    assert_eq!(
        store.forget_pop3_uidls_except(a, &["u3", "new"]).unwrap(),
        2
    );
    let names: Vec<_> = store
        .pop3_uidls(a)
        .unwrap()
        .into_iter()
        .map(|u| u.uidl)
        .collect();
    assert_eq!(names, ["u3"]);
    assert_eq!(store.pop3_uidls(b).unwrap().len(), 1);
}
