//! Keeping a postponed draft in the account's Drafts folder and removing it once
//! sent (`Backend::replace_draft`, `Backend::remove_draft`). Checked where the mail
//! lives: on the stack's Dovecot with another IMAP client, on a Maildir tree's files.
//! Dovecot 2.3 has no REPLACE and always has UIDPLUS, so REPLACE, a refused REPLACE,
//! a server without UIDPLUS and an account without a Drafts folder are played by a
//! scripted fake server, whose log shows the exact commands.

mod imap_support;
mod tui_support;

use postern::auth::Secret;
use postern::auth::credentials::Credentials;
use postern::backend::{Backend, BackendError, Pop3Download, PreviousCopy, Quiet};
use postern::config::Account;
use postern::engine::explain::backend_error;
use postern::proto::ConnectOptions;
use postern::store::{
    AccountId, Flags, FolderId, FolderRole, MessageId, NewEnvelope, Store, SyncState,
};
use postern::sync::{ImapSync, SyncOptions};
use postern_test_stack::{Stack, TestUser};

use imap_support::{FakeImap, Received, Reply};
use tui_support::live::{Kind, LocalTree, Server, account_config, parse_config};

// ---------------------------------------------------------------------------------
// Helpers

/// A draft as the composer writes it: a complete message.
fn draft(subject: &str) -> Vec<u8> {
    let slug: String = subject
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect();
    format!(
        "From: Me <me@example.test>\r\nTo: You <you@example.test>\r\nSubject: {subject}\r\n\
         Date: Tue, 10 Mar 2026 14:00:00 +0000\r\nMessage-ID: <{slug}@postern.test>\r\n\
         MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n\
         The text of {subject}.\r\n"
    )
    .into_bytes()
}

/// A logged-in IMAP backend for store account `id`, its folders listed.
async fn connect(account: &Account, password: &str, store: &mut Store, id: AccountId) -> Backend {
    let credentials = Credentials::Password(Secret::new(password));
    let options = ConnectOptions::for_account(account);
    let sync = ImapSync::connect(account, &credentials, &options, id, SyncOptions::default())
        .await
        .unwrap_or_else(|error| panic!("{error}"));
    let mut backend = Backend::imap(sync);
    backend.refresh_folders(store).await.unwrap();
    backend
}

fn folder_named(store: &Store, account: AccountId, name: &str) -> FolderId {
    store
        .folders(account)
        .unwrap()
        .into_iter()
        .find(|f| f.name == name)
        .unwrap_or_else(|| panic!("no folder {name}"))
        .id
}

/// The store's messages of `folder`.
fn stored(store: &Store, folder: FolderId) -> Vec<(MessageId, Flags)> {
    store.folder_messages(folder).unwrap()
}

fn subject(store: &Store, id: MessageId) -> String {
    store.envelope(id).unwrap().subject
}

/// An account of the stack, its store, its backend, and another client on it.
struct Imap {
    store: Store,
    account: AccountId,
    backend: Backend,
    server: Server,
    drafts: FolderId,
    _dir: tempfile::TempDir,
}

async fn imap(prefix: &str) -> Imap {
    let user: TestUser = Stack::shared().new_user(prefix).unwrap();
    // Logging in also waits until Dovecot knows the new user.
    let server = Server::login(&user).await;
    let dir = tempfile::tempdir().unwrap();
    let config = parse_config(&account_config(dir.path(), "t", &user, &Kind::Imap));
    let account_config = config.accounts.into_iter().next().unwrap();
    let mut store = Store::open_in_memory().unwrap();
    let account = store.upsert_account("t", &user.name).unwrap();
    let backend = connect(&account_config, &user.password, &mut store, account).await;
    let drafts = folder_named(&store, account, "Drafts");
    Imap {
        store,
        account,
        backend,
        server,
        drafts,
        _dir: dir,
    }
}

impl Imap {
    async fn replace(
        &mut self,
        subject: &str,
        old: Option<MessageId>,
    ) -> postern::backend::DraftCopy {
        self.backend
            .replace_draft(&mut self.store, &draft(subject), old)
            .await
            .unwrap_or_else(|error| panic!("replace_draft {subject}: {error}"))
    }

    /// Another client deletes the draft `uid` of the Drafts folder for good.
    async fn delete_elsewhere(&mut self, uid: u32) {
        // SELECT: the client may have the folder EXAMINEd (read-only) from a look.
        self.server.run("SELECT Drafts").await;
        self.server
            .run(&format!("UID STORE {uid} +FLAGS.SILENT (\\Deleted)"))
            .await;
        self.server.run("EXPUNGE").await;
    }

    /// (subject, flags) of the folder's messages, as another client sees them.
    async fn on_server(&mut self, folder: &str) -> Vec<(String, Vec<String>)> {
        let mut mails: Vec<_> = self
            .server
            .messages(folder)
            .await
            .into_iter()
            .map(|m| (m.subject, m.flags))
            .collect();
        mails.sort();
        mails
    }
}

fn has(flags: &[String], flag: &str) -> bool {
    flags.iter().any(|f| f.eq_ignore_ascii_case(flag))
}

// ---------------------------------------------------------------------------------
// IMAP, against Dovecot

#[tokio::test]
async fn replacing_a_draft_twice_leaves_exactly_one_copy_in_drafts() {
    let mut t = imap("draft-twice").await;
    // Dovecot 2.3: APPEND then UID EXPUNGE is the path under test here.
    let capabilities = t.server.run("CAPABILITY").await.join(" ");
    assert!(capabilities.contains("UIDPLUS"), "{capabilities}");
    assert!(!capabilities.contains(" REPLACE"), "{capabilities}");

    let first = t.replace("Plan v1", None).await;
    assert_eq!(first.folder, t.drafts);
    assert_eq!(first.previous, PreviousCopy::None);
    assert!(!first.created_folder);
    assert_eq!(first.changed, vec![t.drafts]);
    let first_id = first.message.expect("APPENDUID names the new copy");
    assert_eq!(subject(&t.store, first_id), "Plan v1");

    let second = t.replace("Plan v2", Some(first_id)).await;
    assert_eq!(second.previous, PreviousCopy::Removed);
    let second_id = second.message.expect("APPENDUID names the new copy");
    // (The id itself may be the first copy's again: SQLite reuses the highest rowid
    // once its row is deleted.)
    assert_eq!(subject(&t.store, second_id), "Plan v2");

    let mails = t.on_server("Drafts").await;
    assert_eq!(mails.len(), 1, "{mails:?}");
    assert_eq!(mails[0].0, "Plan v2");
    assert!(has(&mails[0].1, "\\Draft"), "{mails:?}");
    assert!(has(&mails[0].1, "\\Seen"), "{mails:?}");
    let rows = stored(&t.store, t.drafts);
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0].0, second_id);
    assert!(rows[0].1.draft && rows[0].1.seen);
}

/// No plain EXPUNGE: a message someone else marked \Deleted in the Drafts folder
/// survives replacing and removing drafts there.
#[tokio::test]
async fn a_message_marked_deleted_by_someone_else_is_never_expunged() {
    let mut t = imap("draft-deleted-other").await;
    t.server
        .append("Drafts", "Marked by the phone", 2, "\\Deleted")
        .await;
    let first = t.replace("Note v1", None).await;
    let second = t.replace("Note v2", first.message).await;
    assert_eq!(second.previous, PreviousCopy::Removed);
    let mails = t.on_server("Drafts").await;
    let subjects: Vec<&str> = mails.iter().map(|(s, _)| s.as_str()).collect();
    assert_eq!(subjects, ["Marked by the phone", "Note v2"], "{mails:?}");
    assert!(has(&mails[0].1, "\\Deleted"));

    let changed = t
        .backend
        .remove_draft(&mut t.store, second.message.unwrap())
        .await
        .unwrap();
    assert_eq!(changed, vec![t.drafts]);
    let mails = t.on_server("Drafts").await;
    assert_eq!(mails.len(), 1, "{mails:?}");
    assert_eq!(mails[0].0, "Marked by the phone");
}

#[tokio::test]
async fn remove_draft_removes_it_on_the_server_and_a_second_time_is_fine() {
    let mut t = imap("draft-remove").await;
    let copy = t.replace("Sent soon", None).await;
    let id = copy.message.unwrap();
    let changed = t.backend.remove_draft(&mut t.store, id).await.unwrap();
    assert_eq!(changed, vec![t.drafts]);
    assert_eq!(t.on_server("Drafts").await, Vec::new());
    assert_eq!(stored(&t.store, t.drafts), Vec::new());
    // Already gone: no error, nothing changed.
    let again = t.backend.remove_draft(&mut t.store, id).await.unwrap();
    assert_eq!(again, Vec::<FolderId>::new());
}

/// Removing a draft never deletes other mail: an INBOX message is refused and stays,
/// and named as a draft's previous copy it is left alone.
#[tokio::test]
async fn a_message_outside_drafts_is_refused_and_stays() {
    let mut t = imap("draft-refuse").await;
    t.server.append("INBOX", "Keep me", 1, "").await;
    let inbox = folder_named(&t.store, t.account, "INBOX");
    t.backend
        .sync_folder(&mut t.store, inbox, &mut Quiet)
        .await
        .unwrap();
    let kept = stored(&t.store, inbox)[0].0;

    let error = t
        .backend
        .remove_draft(&mut t.store, kept)
        .await
        .unwrap_err();
    assert!(
        matches!(error, BackendError::NotADraft(id) if id == kept),
        "{error}"
    );
    let account = parse_config(
        "[accounts.t]\nemail = \"t@example.test\"\nprovider = \"generic\"\nreceive = \"imap\"\n\
         imap = { host = \"localhost\", port = 993, tls = \"implicit\" }\n\
         auth = { method = \"password\", password_command = \"true\" }\n",
    )
    .accounts
    .remove(0);
    let problem = backend_error(&error, &account);
    assert!(problem.cause.unwrap().contains("Drafts folder"));
    assert!(problem.fix.unwrap().contains("nothing was deleted"));

    let copy = t.replace("A draft", Some(kept)).await;
    assert_eq!(copy.previous, PreviousCopy::LeftAlone);
    let inbox_mails = t.on_server("INBOX").await;
    assert_eq!(inbox_mails.len(), 1, "{inbox_mails:?}");
    assert_eq!(inbox_mails[0].0, "Keep me");
    assert_eq!(stored(&t.store, inbox)[0].0, kept);
    assert_eq!(t.on_server("Drafts").await.len(), 1);
}

/// The previous copy was deleted from another machine: the new copy is saved anyway.
#[tokio::test]
async fn an_old_copy_deleted_elsewhere_is_no_error() {
    let mut t = imap("draft-gone").await;
    let first = t.replace("Trip v1", None).await;
    let first_id = first.message.unwrap();
    let uid = t.store.imap_location(first_id).unwrap().uid.unwrap();
    t.delete_elsewhere(uid).await;

    // The store still has the old copy; the server does not.
    let second = t.replace("Trip v2", Some(first_id)).await;
    // Whether the server reports the other client's expunge during postern's own
    // UID EXPUNGE is up to it: either way nothing is lost and nothing fails.
    assert!(
        matches!(
            second.previous,
            PreviousCopy::AlreadyGone | PreviousCopy::Removed
        ),
        "{:?}",
        second.previous
    );
    let subjects: Vec<String> = t
        .on_server("Drafts")
        .await
        .into_iter()
        .map(|m| m.0)
        .collect();
    assert_eq!(subjects, ["Trip v2"]);

    // Gone from the store too (synced since): the same.
    let second_id = second.message.unwrap();
    let uid = t.store.imap_location(second_id).unwrap().uid.unwrap();
    t.delete_elsewhere(uid).await;
    t.backend
        .sync_folder(&mut t.store, t.drafts, &mut Quiet)
        .await
        .unwrap();
    assert_eq!(stored(&t.store, t.drafts), Vec::new());
    let third = t.replace("Trip v3", Some(second_id)).await;
    assert_eq!(third.previous, PreviousCopy::AlreadyGone);
    let subjects: Vec<String> = t
        .on_server("Drafts")
        .await
        .into_iter()
        .map(|m| m.0)
        .collect();
    assert_eq!(subjects, ["Trip v3"]);
}

// ---------------------------------------------------------------------------------
// IMAP, against a scripted server

/// What the fake's Drafts folder is to do.
#[derive(Clone, Copy)]
struct Fake {
    /// The server has a Drafts folder from the start (else only once CREATEd).
    drafts: bool,
    /// It holds the old copy, UID 4.
    old: bool,
    /// UID REPLACE succeeds (else NO).
    replace_ok: bool,
    uidplus: bool,
}

const UIDVALIDITY: u32 = 7;

/// A message of the fake's Drafts folder.
#[derive(Clone)]
struct Held {
    uid: u32,
    deleted: bool,
    raw: Vec<u8>,
}

/// The UIDs (or sequence numbers) of an IMAP set such as `1:4,7` or `5:*`, among
/// `all` (ascending).
fn in_set(set: &str, all: &[u32]) -> Vec<u32> {
    let max = all.last().copied().unwrap_or(0);
    let number = |n: &str| if n == "*" { max } else { n.parse().unwrap() };
    all.iter()
        .copied()
        .filter(|n| {
            set.split(',').any(|item| match item.split_once(':') {
                Some((a, b)) => {
                    let (a, b) = (number(a), number(b));
                    (a.min(b)..=a.max(b)).contains(n)
                }
                None => number(item) == *n,
            })
        })
        .collect()
}

/// The Drafts folder after the commands `earlier`, and the UID the next message gets.
fn drafts_after(fake: Fake, earlier: &[Received]) -> (Vec<Held>, u32) {
    let mut held = Vec::new();
    if fake.old {
        held.push(Held {
            uid: 4,
            deleted: false,
            raw: draft("Old version"),
        });
    }
    let mut next = 5;
    for command in earlier {
        let words: Vec<&str> = command.line.split(' ').collect();
        let uids: Vec<u32> = held.iter().map(|h| h.uid).collect();
        match words.as_slice() {
            ["UID", "REPLACE", old, ..] if fake.replace_ok => {
                held.retain(|h| h.uid.to_string() != *old);
                held.push(Held {
                    uid: next,
                    deleted: false,
                    raw: command.literal.clone().unwrap(),
                });
                next += 1;
            }
            ["APPEND", "\"Drafts\"", ..] => {
                held.push(Held {
                    uid: next,
                    deleted: false,
                    raw: command.literal.clone().unwrap(),
                });
                next += 1;
            }
            ["UID", "STORE", set, "+FLAGS.SILENT", "(\\Deleted)"] => {
                let chosen = in_set(set, &uids);
                for h in held.iter_mut().filter(|h| chosen.contains(&h.uid)) {
                    h.deleted = true;
                }
            }
            ["UID", "EXPUNGE", set] => {
                let chosen = in_set(set, &uids);
                held.retain(|h| !(h.deleted && chosen.contains(&h.uid)));
            }
            ["EXPUNGE"] => held.retain(|h| !h.deleted),
            _ => {}
        }
    }
    (held, next)
}

/// A FETCH answer for `held` (sequence number `seq`): flags only, or the envelope
/// items postern's sync asks for.
fn fetch_line(seq: usize, held: &Held, envelope: bool) -> String {
    let flags = if held.deleted {
        "\\Seen \\Draft \\Deleted"
    } else {
        "\\Seen \\Draft"
    };
    if !envelope {
        return format!("{seq} FETCH (UID {} FLAGS ({flags}))", held.uid);
    }
    let text = String::from_utf8(held.raw.clone()).unwrap();
    let header = &text[..text.find("\r\n\r\n").unwrap() + 4];
    format!(
        "{seq} FETCH (UID {} FLAGS ({flags}) RFC822.SIZE {} BODY[HEADER.FIELDS (DATE FROM TO CC \
         SUBJECT MESSAGE-ID IN-REPLY-TO CONTENT-TYPE)] {{{}}}\r\n{header})",
        held.uid,
        held.raw.len(),
        header.len()
    )
}

/// The fake's answers: INBOX and Drafts, the Drafts folder as [`drafts_after`] says.
fn script(fake: Fake) -> impl Fn(&Received, &[Received]) -> Reply + Send + Sync {
    move |command, earlier| {
        let (held, next) = drafts_after(fake, earlier);
        let uids: Vec<u32> = held.iter().map(|h| h.uid).collect();
        let line = command.line.as_str();
        let words: Vec<&str> = line.split(' ').collect();
        match words.as_slice() {
            ["LIST", ..] => {
                let created = earlier.iter().any(|c| c.line == "CREATE \"Drafts\"");
                let mut list = vec!["LIST () \"/\" INBOX"];
                if fake.drafts || created {
                    list.push("LIST () \"/\" Drafts");
                }
                Reply::with(&list, "OK listed")
            }
            ["SELECT", "\"Drafts\"", ..] => Reply::with(
                &[
                    &format!("{} EXISTS", held.len()),
                    &format!("OK [UIDVALIDITY {UIDVALIDITY}] ok"),
                    &format!("OK [UIDNEXT {next}] ok"),
                ],
                "OK [READ-WRITE] selected",
            ),
            ["SELECT", ..] => Reply::with(
                &["0 EXISTS", "OK [UIDVALIDITY 1] ok", "OK [UIDNEXT 1] ok"],
                "OK [READ-WRITE] selected",
            ),
            ["UID", "REPLACE", old, ..] if fake.replace_ok => {
                let seq = held.iter().position(|h| h.uid.to_string() == *old).unwrap() + 1;
                Reply::with(
                    &[
                        &format!("OK [APPENDUID {UIDVALIDITY} {next}] replacement ready"),
                        &format!("{} EXISTS", held.len() + 1),
                        &format!("{seq} EXPUNGE"),
                    ],
                    "OK replaced",
                )
            }
            ["UID", "REPLACE", ..] => Reply::with(&[], "NO [CANNOT] not replacing that one"),
            ["APPEND", ..] if fake.uidplus => Reply::with(
                &[],
                &format!("OK [APPENDUID {UIDVALIDITY} {next}] appended"),
            ),
            ["UID", "EXPUNGE", set] => {
                let chosen = in_set(set, &uids);
                let mut lines: Vec<String> = held
                    .iter()
                    .enumerate()
                    .filter(|(_, h)| h.deleted && chosen.contains(&h.uid))
                    .map(|(at, _)| format!("{} EXPUNGE", at + 1))
                    .collect();
                lines.reverse();
                let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
                Reply::with(&lines, "OK expunged")
            }
            ["UID", "SEARCH", "ALL"] => {
                let found: Vec<String> = uids.iter().map(u32::to_string).collect();
                Reply::with(&[&format!("SEARCH {}", found.join(" "))], "OK searched")
            }
            ["UID", "FETCH", set, ..] | ["FETCH", set, ..] => {
                let by_uid = words[0] == "UID";
                let seqs: Vec<u32> = (1..=held.len() as u32).collect();
                let chosen = in_set(set, if by_uid { &uids } else { &seqs });
                let envelope = line.contains("BODY.PEEK");
                let lines: Vec<String> = held
                    .iter()
                    .enumerate()
                    .filter(|(at, h)| {
                        let number = if by_uid { h.uid } else { *at as u32 + 1 };
                        chosen.contains(&number)
                    })
                    .map(|(at, h)| fetch_line(at + 1, h, envelope))
                    .collect();
                let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
                Reply::with(&lines, "OK fetched")
            }
            _ => Reply::ok(),
        }
    }
}

/// A store and a backend on the fake; with `fake.old`, the store knows the old copy
/// (UID 4) and the Drafts folder is in step. Returns the old copy's id.
async fn on_fake(fake: Fake, capabilities: &str) -> (FakeImap, Store, Backend, Option<MessageId>) {
    let server = FakeImap::start(capabilities, script(fake)).await;
    let text = format!(
        "[accounts.f]\nemail = \"me@example.test\"\nprovider = \"generic\"\nreceive = \"imap\"\n\
         imap = {{ host = \"127.0.0.1\", port = {}, tls = \"none\" }}\n\
         auth = {{ method = \"password\", password_command = \"true\" }}\n",
        server.port
    );
    let account = parse_config(&text).accounts.remove(0);
    let mut store = Store::open_in_memory().unwrap();
    let id = store.upsert_account("f", "me@example.test").unwrap();
    let backend = connect(&account, "secret", &mut store, id).await;
    let mut old = None;
    if fake.old {
        let drafts = folder_named(&store, id, "Drafts");
        let envelope = NewEnvelope {
            uid: Some(4),
            subject: "Old version".into(),
            flags: Flags {
                seen: true,
                draft: true,
                ..Flags::default()
            },
            ..NewEnvelope::default()
        };
        store.upsert_imap_envelopes(drafts, &[envelope]).unwrap();
        store
            .set_sync_state(
                drafts,
                &SyncState {
                    uidvalidity: Some(UIDVALIDITY),
                    uidnext: Some(5),
                    ..SyncState::default()
                },
            )
            .unwrap();
        old = store.message_by_uid(drafts, 4).unwrap();
    }
    (server, store, backend, old)
}

/// The commands from the first that starts with `from` on.
fn from_on(lines: &[String], from: &str) -> Vec<String> {
    let at = lines
        .iter()
        .position(|l| l.starts_with(from))
        .unwrap_or_else(|| panic!("no {from} in {lines:#?}"));
    lines[at..].to_vec()
}

fn any_expunge(lines: &[String]) -> bool {
    lines
        .iter()
        .any(|l| l == "EXPUNGE" || l.starts_with("EXPUNGE "))
}

/// With REPLACE offered, one UID REPLACE in the selected Drafts folder does it:
/// no APPEND, no STORE, no EXPUNGE.
#[tokio::test]
async fn with_replace_offered_one_uid_replace_in_the_selected_drafts_folder() {
    let fake = Fake {
        drafts: true,
        old: true,
        replace_ok: true,
        uidplus: true,
    };
    // No LITERAL+: the literal follows the server's go-ahead.
    let (server, mut store, mut backend, old) = on_fake(fake, "IMAP4rev1 UIDPLUS REPLACE").await;
    let raw = draft("New version");
    let copy = backend.replace_draft(&mut store, &raw, old).await.unwrap();

    let received = server.received();
    let at = received
        .iter()
        .position(|r| r.line.starts_with("UID REPLACE"))
        .expect("a UID REPLACE");
    assert_eq!(
        received[at].line,
        format!(
            "UID REPLACE 4 \"Drafts\" (\\Seen \\Draft) {{{}}}",
            raw.len()
        )
    );
    assert_eq!(received[at].literal.as_deref(), Some(raw.as_slice()));
    assert!(
        received[..at]
            .iter()
            .any(|r| r.line.starts_with("SELECT \"Drafts\"")),
        "REPLACE needs the old copy's folder selected: {received:#?}"
    );
    let lines = server.lines();
    assert!(
        !lines
            .iter()
            .any(|l| l.starts_with("APPEND") || l.starts_with("UID STORE")),
        "{lines:#?}"
    );
    assert!(!any_expunge(&lines) && !lines.iter().any(|l| l.starts_with("UID EXPUNGE")));

    assert_eq!(copy.previous, PreviousCopy::Removed);
    let drafts = copy.folder;
    let new = copy.message.expect("the untagged APPENDUID names the copy");
    assert_eq!(store.message_by_uid(drafts, 5).unwrap(), Some(new));
    assert_eq!(subject(&store, new), "New version");
    assert_eq!(store.message_by_uid(drafts, 4).unwrap(), None);
    assert_eq!(stored(&store, drafts).len(), 1);
}

/// A REPLACE the server refuses (the old copy expunged meanwhile, or any reason of
/// its own) falls back to APPEND, then UID STORE \Deleted and UID EXPUNGE of the old
/// copy alone.
#[tokio::test]
async fn a_refused_replace_falls_back_to_append_and_uid_expunge() {
    let fake = Fake {
        drafts: true,
        old: true,
        replace_ok: false,
        uidplus: true,
    };
    let (server, mut store, mut backend, old) =
        on_fake(fake, "IMAP4rev1 UIDPLUS REPLACE LITERAL+").await;
    let raw = draft("New version");
    let copy = backend.replace_draft(&mut store, &raw, old).await.unwrap();
    let lines = from_on(&server.lines(), "UID REPLACE");
    assert_eq!(
        lines[..4],
        [
            format!(
                "UID REPLACE 4 \"Drafts\" (\\Seen \\Draft) {{{}+}}",
                raw.len()
            ),
            format!("APPEND \"Drafts\" (\\Seen \\Draft) {{{}+}}", raw.len()),
            "UID STORE 4 +FLAGS.SILENT (\\Deleted)".to_owned(),
            "UID EXPUNGE 4".to_owned(),
        ]
    );
    assert!(!any_expunge(&lines), "{lines:#?}");
    // The fake still had the old copy (it refused for a reason of its own): this UID
    // EXPUNGE removed it.
    assert_eq!(copy.previous, PreviousCopy::Removed);
    let new = copy.message.unwrap();
    assert_eq!(subject(&store, new), "New version");
    assert_eq!(
        stored(&store, copy.folder),
        vec![(new, store.envelope(new).unwrap().flags)]
    );
}

/// Without UIDPLUS the old copy is only marked \Deleted: a plain EXPUNGE would take
/// whatever else is marked so. The new copy is found by its Message-ID.
#[tokio::test]
async fn without_uidplus_the_old_copy_is_only_marked_deleted() {
    let fake = Fake {
        drafts: true,
        old: true,
        replace_ok: false,
        uidplus: false,
    };
    let (server, mut store, mut backend, old) = on_fake(fake, "IMAP4rev1 LITERAL+").await;
    let copy = backend
        .replace_draft(&mut store, &draft("New version"), old)
        .await
        .unwrap();
    assert_eq!(copy.previous, PreviousCopy::MarkedDeleted);
    let lines = from_on(&server.lines(), "APPEND");
    assert!(
        lines.contains(&"UID STORE 4 +FLAGS.SILENT (\\Deleted)".to_owned()),
        "{lines:#?}"
    );
    assert!(
        !any_expunge(&lines) && !lines.iter().any(|l| l.starts_with("UID EXPUNGE")),
        "{lines:#?}"
    );
    let new = copy.message.expect("found by its Message-ID");
    assert_eq!(subject(&store, new), "New version");
    let old = old.unwrap();
    assert!(
        store.imap_location(old).unwrap().flags.deleted,
        "shown as deleted"
    );

    // Removing the sent draft: the same, \Deleted only.
    let before = server.lines().len();
    backend.remove_draft(&mut store, new).await.unwrap();
    let lines = server.lines()[before..].to_vec();
    assert!(lines.contains(&"UID STORE 5 +FLAGS.SILENT (\\Deleted)".to_owned()));
    assert!(
        !any_expunge(&lines) && !lines.iter().any(|l| l.starts_with("UID EXPUNGE")),
        "{lines:#?}"
    );
    assert!(store.imap_location(new).unwrap().flags.deleted);
}

/// An account without a Drafts folder gets one named Drafts, made on the server.
#[tokio::test]
async fn an_imap_account_without_drafts_gets_one() {
    let fake = Fake {
        drafts: false,
        old: false,
        replace_ok: false,
        uidplus: true,
    };
    let (server, mut store, mut backend, _) = on_fake(fake, "IMAP4rev1 UIDPLUS LITERAL+").await;
    let account = backend.account();
    assert!(
        store
            .folders(account)
            .unwrap()
            .iter()
            .all(|f| f.name != "Drafts")
    );
    let copy = backend
        .replace_draft(&mut store, &draft("First words"), None)
        .await
        .unwrap();
    assert!(copy.created_folder);
    let lines = from_on(&server.lines(), "CREATE");
    assert_eq!(lines[0], "CREATE \"Drafts\"");
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("APPEND \"Drafts\" (\\Seen \\Draft)"))
    );
    let row = store.folder(copy.folder).unwrap();
    assert_eq!(
        (row.name.as_str(), row.role),
        ("Drafts", Some(FolderRole::Drafts))
    );
    let new = copy.message.unwrap();
    assert_eq!(subject(&store, new), "First words");
}

// ---------------------------------------------------------------------------------
// Maildir

/// A Maildir account on a tree with the inbox and `folders`, indexed.
async fn maildir(folders: &[&str]) -> (LocalTree, Store, AccountId, Backend) {
    let tree = LocalTree::new(folders);
    let mut store = Store::open_in_memory().unwrap();
    let account = store.upsert_account("m", "me@example.test").unwrap();
    let mut backend = Backend::maildir(account, tree.root.clone());
    backend.sync(&mut store, &mut Quiet).await.unwrap();
    (tree, store, account, backend)
}

/// Every message file of `folder` (cur/ and new/).
fn files(tree: &LocalTree, folder: &str) -> Vec<std::path::PathBuf> {
    ["cur", "new"]
        .iter()
        .filter_map(|sub| std::fs::read_dir(tree.folder(folder).join(sub)).ok())
        .flatten()
        .map(|entry| entry.unwrap().path())
        .collect()
}

#[tokio::test]
async fn maildir_replacing_twice_leaves_one_file_flagged_draft_and_seen() {
    let (tree, mut store, account, mut backend) = maildir(&["Drafts"]).await;
    let drafts = folder_named(&store, account, "Drafts");
    let first = backend
        .replace_draft(&mut store, &draft("Plan v1"), None)
        .await
        .unwrap();
    assert_eq!((first.folder, first.previous), (drafts, PreviousCopy::None));
    assert!(!first.created_folder);
    let second = backend
        .replace_draft(&mut store, &draft("Plan v2"), first.message)
        .await
        .unwrap();
    assert_eq!(second.previous, PreviousCopy::Removed);
    assert_eq!(files(&tree, "Drafts").len(), 1);
    assert_eq!(tree.files_of("Drafts", "Plan v2"), ["DS"]);
    assert!(tree.in_cur("Drafts", "Plan v2"));
    assert_eq!(
        std::fs::read_dir(tree.folder("Drafts").join("tmp"))
            .unwrap()
            .count(),
        0
    );
    let rows = stored(&store, drafts);
    assert_eq!(rows.len(), 1);
    assert_eq!(Some(rows[0].0), second.message);
    // A rescan agrees with the store.
    backend.sync(&mut store, &mut Quiet).await.unwrap();
    assert_eq!(stored(&store, drafts).len(), 1);
}

#[tokio::test]
async fn maildir_without_drafts_makes_the_folder() {
    let (tree, mut store, account, mut backend) = maildir(&[]).await;
    let copy = backend
        .replace_draft(&mut store, &draft("First words"), None)
        .await
        .unwrap();
    assert!(copy.created_folder);
    let row = store.folder(copy.folder).unwrap();
    assert_eq!(
        (row.name.as_str(), row.role),
        ("Drafts", Some(FolderRole::Drafts))
    );
    assert_eq!(tree.files_of("Drafts", "First words"), ["DS"]);
    // The index reads the new directory back as the same folder.
    backend.sync(&mut store, &mut Quiet).await.unwrap();
    assert_eq!(folder_named(&store, account, "Drafts"), copy.folder);
    assert_eq!(stored(&store, copy.folder).len(), 1);
}

#[tokio::test]
async fn maildir_old_copy_gone_renamed_and_removal() {
    let (tree, mut store, _account, mut backend) = maildir(&["Drafts"]).await;
    let first = backend
        .replace_draft(&mut store, &draft("Trip v1"), None)
        .await
        .unwrap();
    // Deleted by another program: no error.
    for file in files(&tree, "Drafts") {
        std::fs::remove_file(file).unwrap();
    }
    let second = backend
        .replace_draft(&mut store, &draft("Trip v2"), first.message)
        .await
        .unwrap();
    assert_eq!(second.previous, PreviousCopy::AlreadyGone);
    assert_eq!(stored(&store, second.folder).len(), 1);

    // Renamed by another program (flagged there): still found, still removed.
    let [path] = files(&tree, "Drafts").try_into().unwrap();
    let flagged = path.to_string_lossy().replace(":2,DS", ":2,DFS");
    std::fs::rename(&path, &flagged).unwrap();
    let third = backend
        .replace_draft(&mut store, &draft("Trip v3"), second.message)
        .await
        .unwrap();
    assert_eq!(third.previous, PreviousCopy::Removed);
    assert_eq!(tree.files_of("Drafts", "Trip v2"), Vec::<String>::new());
    assert_eq!(tree.files_of("Drafts", "Trip v3"), ["DS"]);

    let id = third.message.unwrap();
    let changed = backend.remove_draft(&mut store, id).await.unwrap();
    assert_eq!(changed, vec![third.folder]);
    assert_eq!(files(&tree, "Drafts"), Vec::<std::path::PathBuf>::new());
    assert_eq!(stored(&store, third.folder), Vec::new());
    assert_eq!(
        backend.remove_draft(&mut store, id).await.unwrap(),
        Vec::<FolderId>::new()
    );
}

#[tokio::test]
async fn maildir_refuses_to_remove_a_message_outside_drafts() {
    let (tree, mut store, account, mut backend) = maildir(&["Drafts"]).await;
    tree.fill(&["Keep me"]);
    backend.sync(&mut store, &mut Quiet).await.unwrap();
    let inbox = folder_named(&store, account, "INBOX");
    let kept = stored(&store, inbox)[0].0;
    let error = backend.remove_draft(&mut store, kept).await.unwrap_err();
    assert!(
        matches!(error, BackendError::NotADraft(id) if id == kept),
        "{error}"
    );
    let copy = backend
        .replace_draft(&mut store, &draft("A draft"), Some(kept))
        .await
        .unwrap();
    assert_eq!(copy.previous, PreviousCopy::LeftAlone);
    assert_eq!(tree.files_of("INBOX", "Keep me"), ["S"]);
    assert_eq!(stored(&store, inbox)[0].0, kept);
}

// ---------------------------------------------------------------------------------
// POP3

#[tokio::test]
async fn a_pop3_account_keeps_no_drafts_on_the_server() {
    let account = parse_config(
        "[accounts.p]\nemail = \"p@example.test\"\nprovider = \"generic\"\nreceive = \"pop3\"\n\
         pop3 = { host = \"localhost\", port = 995, tls = \"implicit\" }\n\
         auth = { method = \"password\", password_command = \"true\" }\n",
    )
    .accounts
    .remove(0);
    let mut store = Store::open_in_memory().unwrap();
    let id = store.upsert_account("p", "p@example.test").unwrap();
    let mut backend = Backend::pop3(id, Pop3Download::new(account.clone(), None));
    let error = backend
        .replace_draft(&mut store, &draft("Local only"), None)
        .await
        .unwrap_err();
    assert!(matches!(error, BackendError::NoServerDrafts), "{error}");
    let problem = backend_error(&error, &account);
    assert!(problem.what.contains("POP3"), "{problem}");
    assert!(problem.fix.is_some() && problem.cause.is_some());
    let error = backend
        .remove_draft(&mut store, MessageId(1))
        .await
        .unwrap_err();
    assert!(matches!(error, BackendError::NoServerDrafts), "{error}");
    assert!(store.folders(id).unwrap().is_empty(), "no folder was made");
}
