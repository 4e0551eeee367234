//! Shared helpers of the POP3 download tests: accounts for the stack, a store per
//! test, and what the store and the server hold.

#![allow(dead_code)]

pub mod fake_server;
pub mod proxy;

use std::collections::HashSet;
use std::path::Path;

use postern::auth::Secret;
use postern::config::{Account, Config, Endpoint, TlsMode};
use postern::proto::ConnectOptions;
use postern::proto::pop3::{self, Pop3Session};
use postern::store::{AccountId, FolderRole, MessageSource, Store};
use postern::sync::pop3::{DownloadReport, DownloadRequest, LeaveMode, Progress, download};
use postern_test_stack::{Stack, TestUser};

/// A POP3 account logging in with a password, at `host:port` with `tls`.
pub fn account(email: &str, host: &str, port: u16, tls: TlsMode, ca_file: &Path) -> Account {
    let text = format!(
        "[accounts.t]\nemail = \"{email}\"\nprovider = \"generic\"\nreceive = \"pop3\"\n\
         pop3 = {{ host = \"localhost\", port = 1, tls = \"implicit\" }}\n\
         ca_file = \"{}\"\nauth = {{ method = \"password\", password_command = \"true\" }}\n",
        ca_file.display()
    );
    let config = Config::parse_str(&text, Path::new("test.toml"))
        .unwrap_or_else(|error| panic!("{error}\n{text}"));
    let mut account = config.accounts.into_iter().next().unwrap();
    // Set directly: tls = "none" is what the proxy tests need and the config only
    // takes it in some places.
    account.pop3 = Some(Endpoint {
        host: host.to_owned(),
        port,
        tls,
    });
    account
}

/// The user's account on the stack's implicit-TLS port.
pub fn implicit(stack: &Stack, user: &TestUser) -> Account {
    account(
        &user.name,
        "localhost",
        stack.ports().pop3s,
        TlsMode::Implicit,
        stack.ca_file(),
    )
}

/// The user's account on the stack's STLS port.
pub fn starttls(stack: &Stack, user: &TestUser) -> Account {
    account(
        &user.name,
        "localhost",
        stack.ports().pop3,
        TlsMode::Starttls,
        stack.ca_file(),
    )
}

/// Logs in with the password (`Stack::new_user` returns once Dovecot can see the user).
pub async fn connect(account: &Account, password: &str) -> Pop3Session {
    let password = Secret::new(password.to_owned());
    match pop3::connect_password(account, &password, &ConnectOptions::default()).await {
        Ok(session) => session,
        Err(error) => panic!("login to {:?}: {error}", account.pop3),
    }
}

/// A file-backed store (the download commits for real) with the account in it.
pub struct TestStore {
    pub dir: tempfile::TempDir,
    pub store: Option<Store>,
    pub account: AccountId,
}

impl TestStore {
    pub fn new() -> TestStore {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("store.sqlite3")).unwrap();
        let account = store.upsert_account("t", "t@example.test").unwrap();
        TestStore {
            dir,
            store: Some(store),
            account,
        }
    }

    pub fn store(&self) -> &Store {
        self.store.as_ref().expect("store present")
    }

    /// Runs one download over `session`; the store comes back (else the test fails).
    pub async fn download(
        &mut self,
        session: Pop3Session,
        mode: LeaveMode,
        now: Option<i64>,
    ) -> (
        Result<DownloadReport, postern::sync::pop3::DownloadError>,
        Vec<Progress>,
    ) {
        let mut request = DownloadRequest::new(self.account, mode);
        if let Some(now) = now {
            request.now = now;
        }
        let mut seen = Vec::new();
        let store = self.store.take().expect("store present");
        let outcome = download(session, store, &request, |p| seen.push(p)).await;
        self.store = Some(outcome.store.expect("the store comes back"));
        (outcome.result, seen)
    }

    /// Message-IDs of the INBOX, read from the cached bodies (so each body is there).
    pub fn message_ids(&self) -> Vec<String> {
        let store = self.store();
        let inbox = store
            .upsert_folder(self.account, "INBOX", Some(FolderRole::Inbox))
            .unwrap();
        let rows = store.envelopes(inbox, 0, 1_000_000).unwrap();
        assert_eq!(
            rows.len(),
            store.envelope_count(inbox).unwrap(),
            "counter matches rows"
        );
        rows.iter()
            .map(|row| match store.message_source(row.id).unwrap() {
                MessageSource::Cached(raw) => postern::mime::parse_envelope(&raw)
                    .message_id
                    .unwrap_or_else(|| panic!("message {:?} has no Message-ID", row.id)),
                other => panic!("message {:?} has no cached body: {other:?}", row.id),
            })
            .collect()
    }

    pub fn uidl_count(&self) -> usize {
        self.store().pop3_uidls(self.account).unwrap().len()
    }
}

/// Message-IDs of the files in a user's INBOX Maildir.
pub fn seeded_ids(user: &TestUser) -> HashSet<String> {
    let mut ids = HashSet::new();
    for sub in ["cur", "new"] {
        for entry in std::fs::read_dir(user.maildir.join(sub)).unwrap() {
            let raw = std::fs::read(entry.unwrap().path()).unwrap();
            ids.insert(postern::mime::parse_envelope(&raw).message_id.unwrap());
        }
    }
    ids
}

/// Asserts the store holds each of `expected` exactly once (no loss, no duplicate).
pub fn assert_exactly(store: &TestStore, expected: &HashSet<String>) {
    let ids = store.message_ids();
    let unique: HashSet<String> = ids.iter().cloned().collect();
    assert_eq!(ids.len(), unique.len(), "duplicates in the store: {ids:?}");
    assert_eq!(&unique, expected, "the store differs from what was seeded");
}

/// How many messages the server holds for the user (a fresh session's STAT).
pub async fn server_count(stack: &Stack, user: &TestUser) -> u64 {
    let mut session = connect(&implicit(stack, user), &user.password).await;
    let (count, _) = session.stat().await.unwrap();
    session.quit().await.unwrap();
    count
}
