//! Address completion: the addresses the store knows (counted by a catch-up after
//! messages are stored, ranked), the address book command, and the two merged.

use postern::mime::Address;
use postern::store::schema::{MIGRATIONS, SCHEMA_VERSION};
use postern::store::{
    AccountId, CATCH_UP_BATCH, CaughtUp, FolderId, FolderRole, Known, NewEnvelope, Pop3Message,
    Store,
};

const DAY: i64 = 24 * 3600;
/// The "now" of the ranking in these tests.
const NOW: i64 = 1_700_000_000;

/// A message from `from` to `to` (comma-separated, as the store keeps lists), `days`
/// before [`NOW`].
fn mail(uid: u32, from: &str, to: &str, cc: &str, days: i64) -> NewEnvelope {
    let from_addr = match from.rsplit_once('<') {
        Some((_, rest)) => rest.trim_end_matches('>').to_owned(),
        None => from.to_owned(),
    };
    NewEnvelope {
        uid: Some(uid),
        date: NOW - days * DAY,
        from_display: from.to_owned(),
        from_addr,
        to: to.to_owned(),
        cc: cc.to_owned(),
        subject: format!("message {uid}"),
        arrived: NOW - days * DAY,
        ..NewEnvelope::default()
    }
}

struct Setup {
    store: Store,
    account: AccountId,
    inbox: FolderId,
    sent: FolderId,
}

fn setup() -> Setup {
    let store = Store::open_in_memory().unwrap();
    let account = store.upsert_account("work", "me@example.org").unwrap();
    let inbox = store
        .upsert_folder(account, "INBOX", Some(FolderRole::Inbox))
        .unwrap();
    let sent = store
        .upsert_folder(account, "Sent", Some(FolderRole::Sent))
        .unwrap();
    Setup {
        store,
        account,
        inbox,
        sent,
    }
}

fn emails(known: &[Known]) -> Vec<&str> {
    known.iter().map(|k| k.address.email.as_str()).collect()
}

/// What is known after a catch-up (as the engine's reader does before answering).
fn complete(s: &mut Setup, typed: &str) -> Vec<Known> {
    s.store.catch_up_addresses(usize::MAX).unwrap();
    counted(s, typed)
}

/// What is known now, without a catch-up.
fn counted(s: &Setup, typed: &str) -> Vec<Known> {
    s.store
        .complete_addresses_at(Some(s.account), typed, 10, NOW)
        .unwrap()
}

#[test]
fn people_you_wrote_to_come_first_then_people_who_wrote_to_you() {
    let mut s = setup();
    let me = "Me <me@example.org>";
    s.store
        .insert_envelopes(
            s.inbox,
            &[
                // Writes often, never answered.
                mail(1, "Anna News <anna@news.example>", "me@example.org", "", 1),
                mail(2, "Anna News <anna@news.example>", "me@example.org", "", 2),
                mail(3, "Anna News <anna@news.example>", "me@example.org", "", 3),
                // Wrote once; copied with me: Alan.
                mail(
                    4,
                    "Amy <amy@x.org>",
                    "me@example.org",
                    "Alan <alan@x.org>",
                    5,
                ),
            ],
        )
        .unwrap();
    s.store
        .insert_envelopes(
            s.sent,
            &[
                // Written to once, long ago, and once recently: Ada; once recently: Abe.
                mail(1, me, "Ada Lovelace <ada@x.org>", "", 400),
                mail(2, me, "Ada Lovelace <ada@x.org>, abe@y.org", "", 2),
            ],
        )
        .unwrap();
    let found = complete(&mut s, "a");
    assert_eq!(
        emails(&found),
        [
            "ada@x.org",
            "abe@y.org",
            "anna@news.example",
            "amy@x.org",
            "alan@x.org"
        ]
    );
    let ada = &found[0];
    assert_eq!(ada.address.name.as_deref(), Some("Ada Lovelace"));
    assert_eq!((ada.sent, ada.last_sent), (2, Some(NOW - 2 * DAY)));
    assert_eq!((ada.received, ada.seen), (0, 0));
    // Your own From in Sent counts for nothing; in the INBOX you are a recipient.
    let mine = complete(&mut s, "me@");
    assert_eq!(emails(&mine), ["me@example.org"]);
    assert_eq!((mine[0].sent, mine[0].received, mine[0].seen), (0, 0, 4));
    // Recency: the same count, the more recent first.
    let mut s = setup();
    s.store
        .insert_envelopes(
            s.sent,
            &[
                mail(1, me, "old@x.org", "", 300),
                mail(2, me, "new@x.org", "", 1),
            ],
        )
        .unwrap();
    assert_eq!(emails(&complete(&mut s, "")), ["new@x.org", "old@x.org"]);
}

#[test]
fn the_typed_text_begins_the_address_the_name_or_a_word_of_it() {
    let mut s = setup();
    s.store
        .insert_envelopes(
            s.inbox,
            &[
                mail(1, "Ada Lovelace <countess@x.org>", "me@example.org", "", 1),
                mail(2, "Émile Zola <ez@y.org>", "me@example.org", "", 1),
                mail(
                    3,
                    "\"Hopper, Grace\" <grace@navy.example>",
                    "me@example.org",
                    "",
                    1,
                ),
                mail(4, "bare@z.org", "me@example.org", "", 1),
            ],
        )
        .unwrap();
    for typed in [
        "count",
        "COUNTESS@X",
        "ada",
        "Love",
        "ada lov",
        "  Ada   Lovelace",
    ] {
        assert_eq!(
            emails(&complete(&mut s, typed)),
            ["countess@x.org"],
            "{typed}"
        );
    }
    for typed in ["émi", "ÉMILE", "zol", "ez@"] {
        assert_eq!(emails(&complete(&mut s, typed)), ["ez@y.org"], "{typed}");
    }
    assert_eq!(
        complete(&mut s, "hopper")[0].address.name.as_deref(),
        Some("Hopper, Grace")
    );
    assert_eq!(emails(&complete(&mut s, "grace")), ["grace@navy.example"]);
    assert_eq!(emails(&complete(&mut s, "bare")), ["bare@z.org"]);
    // Inside a word, or past the end of one, is not a match.
    for typed in ["velace", "x.org", "ada lovelace z", "%", "_"] {
        assert!(complete(&mut s, typed).is_empty(), "{typed}");
    }
    // At most `limit`, best first.
    let two = s
        .store
        .complete_addresses_at(Some(s.account), "", 2, NOW)
        .unwrap();
    assert_eq!(two.len(), 2);
}

#[test]
fn drafts_and_junk_count_for_nothing_and_resyncs_do_not_count_twice() {
    let mut s = setup();
    let drafts = s
        .store
        .upsert_folder(s.account, "Drafts", Some(FolderRole::Drafts))
        .unwrap();
    let junk = s
        .store
        .upsert_folder(s.account, "Junk", Some(FolderRole::Junk))
        .unwrap();
    s.store
        .insert_envelopes(drafts, &[mail(1, "me@example.org", "draft@x.org", "", 1)])
        .unwrap();
    s.store
        .insert_envelopes(
            junk,
            &[mail(1, "Spam <spam@x.org>", "me@example.org", "", 1)],
        )
        .unwrap();
    assert!(complete(&mut s, "").is_empty());

    // IMAP: a resumed sync hands over a chunk again; only new rows count.
    let batch = [mail(1, "Bob <bob@x.org>", "me@example.org", "", 1)];
    s.store.upsert_imap_envelopes(s.inbox, &batch).unwrap();
    s.store.upsert_imap_envelopes(s.inbox, &batch).unwrap();
    assert_eq!(complete(&mut s, "bob")[0].received, 1);
    // POP3 downloads count too.
    let pop3 = Pop3Message {
        uidl: "u1".into(),
        envelope: NewEnvelope {
            uid: None,
            ..mail(0, "Bob <bob@x.org>", "me@example.org", "", 0)
        },
        raw: b"From: bob@x.org\r\n\r\n".to_vec(),
    };
    s.store
        .store_pop3_messages(s.account, s.inbox, &[pop3.clone(), pop3], NOW)
        .unwrap();
    let bob = &complete(&mut s, "bob")[0];
    assert_eq!((bob.received, bob.last_received), (2, Some(NOW)));
}

#[test]
fn a_name_its_owner_gives_wins_and_the_keys_follow_it() {
    let mut s = setup();
    // Someone else's Cc calls her "Countess"; her own From says "Ada Lovelace".
    s.store
        .insert_envelopes(
            s.inbox,
            &[mail(
                1,
                "bob@x.org",
                "me@example.org",
                "Countess <ada@x.org>",
                10,
            )],
        )
        .unwrap();
    assert_eq!(
        complete(&mut s, "countess")[0].address.name.as_deref(),
        Some("Countess")
    );
    s.store
        .insert_envelopes(
            s.inbox,
            &[mail(
                2,
                "Ada Lovelace <ADA@x.org>",
                "me@example.org",
                "",
                20,
            )],
        )
        .unwrap();
    // A newer Cc does not undo it.
    s.store
        .insert_envelopes(
            s.inbox,
            &[mail(
                3,
                "bob@x.org",
                "me@example.org",
                "The Countess <ada@x.org>",
                1,
            )],
        )
        .unwrap();
    let ada = complete(&mut s, "lovelace");
    assert_eq!(emails(&ada), ["ada@x.org"]);
    assert_eq!(ada[0].address.name.as_deref(), Some("Ada Lovelace"));
    assert_eq!((ada[0].received, ada[0].seen), (1, 2));
    assert!(complete(&mut s, "countess").is_empty());
}

#[test]
fn accounts_apart_or_together() {
    let mut s = setup();
    let home = s.store.upsert_account("home", "me@home.example").unwrap();
    let home_sent = s
        .store
        .upsert_folder(home, "Sent", Some(FolderRole::Sent))
        .unwrap();
    s.store
        .insert_envelopes(
            s.inbox,
            &[mail(1, "Ada <ada@x.org>", "me@example.org", "", 1)],
        )
        .unwrap();
    s.store
        .insert_envelopes(
            home_sent,
            &[mail(1, "me@home.example", "ADA@x.org, al@y.org", "", 3)],
        )
        .unwrap();
    assert_eq!(emails(&complete(&mut s, "a")), ["ada@x.org"]);
    let all = s.store.complete_addresses_at(None, "a", 10, NOW).unwrap();
    assert_eq!(all.len(), 2, "{all:?}");
    assert_eq!(all[0].address.email.to_lowercase(), "ada@x.org");
    assert_eq!(all[0].address.name.as_deref(), Some("Ada"));
    assert_eq!((all[0].sent, all[0].received), (1, 1));
    assert_eq!(all[0].last_received, Some(NOW - DAY));

    assert_eq!(s.store.forget_address(Some(home), "ada@X.ORG").unwrap(), 1);
    let all = s.store.complete_addresses_at(None, "ada", 10, NOW).unwrap();
    assert_eq!((all[0].sent, all[0].received), (0, 1));
    assert_eq!(s.store.forget_address(None, "ada@x.org").unwrap(), 1);
    assert!(
        s.store
            .complete_addresses_at(None, "ada", 10, NOW)
            .unwrap()
            .is_empty()
    );

    // Deleting the account forgets its addresses.
    s.store.delete_account(home).unwrap();
    assert!(
        s.store
            .complete_addresses_at(None, "al", 10, NOW)
            .unwrap()
            .is_empty()
    );
}

#[test]
fn rebuilding_counts_what_catching_up_counted() {
    let mut s = setup();
    s.store
        .insert_envelopes(
            s.inbox,
            &[
                mail(
                    1,
                    "Ada Lovelace <ada@x.org>",
                    "me@example.org",
                    "Bob <bob@x.org>",
                    4,
                ),
                mail(
                    2,
                    "Lovelace, Ada <ada@x.org>",
                    "me@example.org, c@y.org",
                    "",
                    2,
                ),
            ],
        )
        .unwrap();
    s.store
        .insert_envelopes(
            s.sent,
            &[mail(1, "me@example.org", "Bob B <bob@x.org>", "", 1)],
        )
        .unwrap();
    let before = complete(&mut s, "");
    assert_eq!(s.store.rebuild_addresses().unwrap(), 4);
    assert_eq!(complete(&mut s, ""), before);
    assert_eq!(before[0].address.name.as_deref(), Some("Bob B"));
}

#[test]
fn a_v7_database_learns_the_addresses_of_its_messages_at_the_first_catch_up() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v7.sqlite3");
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        for sql in &MIGRATIONS[..7] {
            conn.execute_batch(sql).unwrap();
        }
        conn.execute_batch(
            "PRAGMA user_version = 7;
             INSERT INTO accounts (id, name, email) VALUES (1, 'work', 'me@example.org');
             INSERT INTO folders (id, account_id, name, role) VALUES
                 (1, 1, 'INBOX', 'inbox'), (2, 1, 'Sent', 'sent');
             INSERT INTO messages (folder_id, uid, date, from_display, from_addr, to_addrs,
                 cc_addrs, subject, flags, size, arrived)
             VALUES (1, 1, 100, 'Ada <ada@x.org>', 'ada@x.org', 'me@example.org', '', 's', 1, 10, 100),
                    (2, 1, 200, 'me@example.org', 'me@example.org', 'Bob <bob@x.org>', 'c@y.org', 's', 1, 10, 200);",
        )
        .unwrap();
    }
    let mut store = Store::open(&path).unwrap();
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    // Opening counts nothing (it must stay fast); the watermark starts at 0.
    assert!(
        store
            .complete_addresses_at(None, "", 10, 1000)
            .unwrap()
            .is_empty()
    );
    assert_eq!(store.addresses_behind(10).unwrap(), 2);
    assert_eq!(
        store.catch_up_addresses(usize::MAX).unwrap(),
        CaughtUp {
            messages: 2,
            done: true
        }
    );
    let known = store.complete_addresses_at(None, "", 10, 1000).unwrap();
    let summary: Vec<(&str, u32, u32)> = known
        .iter()
        .map(|k| (k.address.email.as_str(), k.sent, k.received))
        .collect();
    assert_eq!(
        summary,
        [
            ("bob@x.org", 1, 0),
            ("c@y.org", 1, 0),
            ("ada@x.org", 0, 1),
            ("me@example.org", 0, 0)
        ]
    );
    drop(store);
    // Done once: the watermark is kept, reopening and catching up counts nothing again.
    let mut store = Store::open(&path).unwrap();
    assert_eq!(store.catch_up_addresses(usize::MAX).unwrap().messages, 0);
    assert_eq!(
        store.complete_addresses_at(None, "ada", 10, 1000).unwrap()[0].received,
        1
    );
}

#[test]
fn storing_counts_nothing_until_a_catch_up_and_catching_up_twice_counts_once() {
    let mut s = setup();
    s.store
        .insert_envelopes(
            s.inbox,
            &[mail(1, "Ada <ada@x.org>", "me@example.org", "", 1)],
        )
        .unwrap();
    assert!(counted(&s, "ada").is_empty());
    assert_eq!(s.store.addresses_behind(10).unwrap(), 1);
    let first = s.store.catch_up_addresses(usize::MAX).unwrap();
    assert_eq!(
        first,
        CaughtUp {
            messages: 1,
            done: true
        }
    );
    let second = s.store.catch_up_addresses(usize::MAX).unwrap();
    assert_eq!(
        second,
        CaughtUp {
            messages: 0,
            done: true
        }
    );
    assert_eq!(s.store.addresses_behind(10).unwrap(), 0);
    assert_eq!(counted(&s, "ada")[0].received, 1);
    // Stored after the catch-up: counted by the next one, the first not again.
    s.store
        .insert_envelopes(
            s.inbox,
            &[
                mail(2, "Ada <ada@x.org>", "me@example.org", "", 1),
                mail(3, "Bob <bob@x.org>", "me@example.org", "", 1),
            ],
        )
        .unwrap();
    assert_eq!(counted(&s, "ada")[0].received, 1);
    assert!(counted(&s, "bob").is_empty());
    assert_eq!(s.store.catch_up_addresses(usize::MAX).unwrap().messages, 2);
    assert_eq!(counted(&s, "ada")[0].received, 2);
    assert_eq!(counted(&s, "bob")[0].received, 1);
}

#[test]
fn a_catch_up_that_fails_half_way_counts_nothing_and_the_next_counts_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.sqlite3");
    let mut store = Store::open(&path).unwrap();
    let account = store.upsert_account("work", "me@example.org").unwrap();
    let inbox = store
        .upsert_folder(account, "INBOX", Some(FolderRole::Inbox))
        .unwrap();
    let rows: Vec<NewEnvelope> = (1..=3)
        .map(|uid| mail(uid, "Ada <ada@x.org>", "me@example.org", "", 1))
        .collect();
    store.insert_envelopes(inbox, &rows).unwrap();
    // The last write of a batch is the watermark: make it fail, as a crash there
    // would, after the counts were written in the same transaction.
    let other = rusqlite::Connection::open(&path).unwrap();
    other
        .execute_batch(
            "CREATE TRIGGER crash BEFORE UPDATE ON address_watermark
             BEGIN SELECT RAISE(ABORT, 'crash'); END;",
        )
        .unwrap();
    assert!(store.catch_up_addresses(usize::MAX).is_err());
    assert!(
        store
            .complete_addresses_at(None, "ada", 10, NOW)
            .unwrap()
            .is_empty()
    );
    assert_eq!(store.addresses_behind(10).unwrap(), 3);
    other.execute_batch("DROP TRIGGER crash").unwrap();
    assert_eq!(store.catch_up_addresses(usize::MAX).unwrap().messages, 3);
    assert_eq!(store.catch_up_addresses(usize::MAX).unwrap().messages, 0);
    assert_eq!(
        store.complete_addresses_at(None, "ada", 10, NOW).unwrap()[0].received,
        3
    );
}

#[test]
fn a_catch_up_counts_at_most_its_limit_in_bounded_batches() {
    let mut s = setup();
    let n = CATCH_UP_BATCH * 2 + 10;
    let rows: Vec<NewEnvelope> = (1..=n as u32)
        .map(|uid| mail(uid, "Ada <ada@x.org>", "me@example.org", "", 1))
        .collect();
    s.store.insert_envelopes(s.inbox, &rows).unwrap();
    assert_eq!(
        s.store.catch_up_addresses(1_000).unwrap(),
        CaughtUp {
            messages: 1_000,
            done: false
        }
    );
    assert_eq!(counted(&s, "ada")[0].received, 1_000);
    assert_eq!(s.store.addresses_behind(usize::MAX).unwrap(), n - 1_000);
    // More than one batch's worth: several transactions, the same counts.
    assert_eq!(
        s.store.catch_up_addresses(CATCH_UP_BATCH + 1).unwrap(),
        CaughtUp {
            messages: CATCH_UP_BATCH + 1,
            done: false
        }
    );
    let rest = s.store.catch_up_addresses(usize::MAX).unwrap();
    assert_eq!(
        rest,
        CaughtUp {
            messages: n - 1_000 - CATCH_UP_BATCH - 1,
            done: true
        }
    );
    assert_eq!(counted(&s, "ada")[0].received, n as u32);
    // A limit the backlog fits in exactly says whether it is all counted.
    s.store
        .insert_envelopes(
            s.inbox,
            &[mail(
                n as u32 + 1,
                "Ada <ada@x.org>",
                "me@example.org",
                "",
                1,
            )],
        )
        .unwrap();
    assert_eq!(
        s.store.catch_up_addresses(1).unwrap(),
        CaughtUp {
            messages: 1,
            done: true
        }
    );
}

#[test]
fn deleted_mail_keeps_its_counts_and_mail_deleted_before_a_catch_up_is_never_counted() {
    let mut s = setup();
    let ids = s
        .store
        .insert_envelopes(
            s.inbox,
            &[
                mail(1, "Ada <ada@x.org>", "me@example.org", "", 1),
                mail(2, "Bob <bob@x.org>", "me@example.org", "", 1),
            ],
        )
        .unwrap();
    assert_eq!(complete(&mut s, "ada")[0].received, 1);
    // Counted, then deleted: the count stays (a history, not a census).
    s.store.delete_messages(&ids[..1]).unwrap();
    assert_eq!(complete(&mut s, "ada")[0].received, 1);
    let later = s
        .store
        .insert_envelopes(
            s.inbox,
            &[mail(3, "Cy <cy@x.org>", "me@example.org", "", 1)],
        )
        .unwrap();
    s.store.delete_messages(&later).unwrap();
    assert!(complete(&mut s, "cy").is_empty());
    assert_eq!(complete(&mut s, "bob")[0].received, 1);
}

#[test]
fn ids_handed_out_again_after_the_newest_mail_is_deleted_are_counted() {
    // SQLite gives a new row the highest id + 1: with the newest messages gone, the
    // next ones get ids a catch-up has already passed.
    let mut s = setup();
    let ids = s
        .store
        .insert_envelopes(
            s.inbox,
            &(1..=3)
                .map(|uid| mail(uid, "Ada <ada@x.org>", "me@example.org", "", 1))
                .collect::<Vec<_>>(),
        )
        .unwrap();
    s.store.catch_up_addresses(usize::MAX).unwrap();
    s.store.delete_messages(&ids[1..]).unwrap();
    let again = s
        .store
        .insert_envelopes(
            s.inbox,
            &[mail(4, "Bob <bob@x.org>", "me@example.org", "", 1)],
        )
        .unwrap();
    assert_eq!(again, [ids[1]], "SQLite handed the id out again");
    assert_eq!(complete(&mut s, "bob")[0].received, 1);
    assert_eq!(counted(&s, "ada")[0].received, 3);
    // The same when a whole folder goes (its messages deleted by the cascade).
    let lists = s.store.upsert_folder(s.account, "Lists", None).unwrap();
    s.store
        .insert_envelopes(lists, &[mail(1, "Cy <cy@x.org>", "me@example.org", "", 1)])
        .unwrap();
    s.store.catch_up_addresses(usize::MAX).unwrap();
    s.store.delete_folder(lists).unwrap();
    s.store
        .insert_envelopes(
            s.inbox,
            &[mail(5, "Dee <dee@x.org>", "me@example.org", "", 1)],
        )
        .unwrap();
    assert_eq!(complete(&mut s, "dee")[0].received, 1);
    assert_eq!(counted(&s, "cy")[0].received, 1);
}

#[test]
fn known_addresses_are_addresses() {
    // What the UI merges with the address book's answers.
    let mut s = setup();
    s.store
        .insert_envelopes(
            s.inbox,
            &[mail(1, "Ada <ada@x.org>", "me@example.org", "", 1)],
        )
        .unwrap();
    let known = complete(&mut s, "ada");
    assert_eq!(
        known[0].address,
        Address {
            name: Some("Ada".into()),
            email: "ada@x.org".into()
        }
    );
}
