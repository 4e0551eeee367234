//! Address completion: the addresses the store knows (counted as messages are stored,
//! ranked), the address book command, and the two merged.

use postern::mime::Address;
use postern::store::schema::{MIGRATIONS, SCHEMA_VERSION};
use postern::store::{AccountId, FolderId, FolderRole, Known, NewEnvelope, Pop3Message, Store};

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

fn complete(s: &Setup, typed: &str) -> Vec<Known> {
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
    let found = complete(&s, "a");
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
    let mine = complete(&s, "me@");
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
    assert_eq!(emails(&complete(&s, "")), ["new@x.org", "old@x.org"]);
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
        assert_eq!(emails(&complete(&s, typed)), ["countess@x.org"], "{typed}");
    }
    for typed in ["émi", "ÉMILE", "zol", "ez@"] {
        assert_eq!(emails(&complete(&s, typed)), ["ez@y.org"], "{typed}");
    }
    assert_eq!(
        complete(&s, "hopper")[0].address.name.as_deref(),
        Some("Hopper, Grace")
    );
    assert_eq!(emails(&complete(&s, "grace")), ["grace@navy.example"]);
    assert_eq!(emails(&complete(&s, "bare")), ["bare@z.org"]);
    // Inside a word, or past the end of one, is not a match.
    for typed in ["velace", "x.org", "ada lovelace z", "%", "_"] {
        assert!(complete(&s, typed).is_empty(), "{typed}");
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
    assert!(complete(&s, "").is_empty());

    // IMAP: a resumed sync hands over a chunk again; only new rows count.
    let batch = [mail(1, "Bob <bob@x.org>", "me@example.org", "", 1)];
    s.store.upsert_imap_envelopes(s.inbox, &batch).unwrap();
    s.store.upsert_imap_envelopes(s.inbox, &batch).unwrap();
    assert_eq!(complete(&s, "bob")[0].received, 1);
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
    let bob = &complete(&s, "bob")[0];
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
        complete(&s, "countess")[0].address.name.as_deref(),
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
    let ada = complete(&s, "lovelace");
    assert_eq!(emails(&ada), ["ada@x.org"]);
    assert_eq!(ada[0].address.name.as_deref(), Some("Ada Lovelace"));
    assert_eq!((ada[0].received, ada[0].seen), (1, 2));
    assert!(complete(&s, "countess").is_empty());
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
    assert_eq!(emails(&complete(&s, "a")), ["ada@x.org"]);
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
fn rebuilding_counts_what_storing_counted() {
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
    let before = complete(&s, "");
    assert_eq!(s.store.rebuild_addresses().unwrap(), 4);
    assert_eq!(complete(&s, ""), before);
    assert_eq!(before[0].address.name.as_deref(), Some("Bob B"));
}

#[test]
fn a_v7_database_learns_the_addresses_of_its_messages_when_opened() {
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
    let store = Store::open(&path).unwrap();
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
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
    // Done once: the chore is gone, reopening counts nothing again.
    let store = Store::open(&path).unwrap();
    assert_eq!(
        store.complete_addresses_at(None, "ada", 10, 1000).unwrap()[0].received,
        1
    );
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
    let known = complete(&s, "ada");
    assert_eq!(
        known[0].address,
        Address {
            name: Some("Ada".into()),
            email: "ada@x.org".into()
        }
    );
}
