//! Address completion through the engine: the store reader's answer, the address
//! book command merged in after it (a working one, a failing one, a slow one), and
//! the reader answering other reads while an address book runs.

use std::path::Path;
use std::time::{Duration, Instant};

use postern::config::{ComposeSettings, Config};
use postern::engine::complete::ask_address_book;
use postern::engine::{Command, Engine, EngineOptions, Event, Problem, RequestId};
use postern::mime::Address;
use postern::store::{AccountId, Store};
use tokio::sync::mpsc::UnboundedReceiver;

fn message(from: &str, id: &str) -> String {
    format!(
        "From: {from}\nTo: Ada <ada@contoso.com>\nSubject: hello\n\
         Date: Fri, 20 Nov 2026 09:30:00 +0000\nMessage-ID: <{id}@contoso.com>\n\nHi.\n"
    )
}

/// A Maildir account whose INBOX has mail from Grace and Greta, to Ada (the
/// account's own address).
fn mailbox(root: &Path) -> Config {
    for sub in ["cur", "new", "tmp"] {
        std::fs::create_dir_all(root.join(sub)).unwrap();
    }
    let new = root.join("new");
    std::fs::write(
        new.join("1.a"),
        message("Grace Okafor <grace@contoso.com>", "1"),
    )
    .unwrap();
    std::fs::write(
        new.join("2.a"),
        message("Grace Okafor <grace@contoso.com>", "2"),
    )
    .unwrap();
    std::fs::write(
        new.join("3.a"),
        message("Greta Olsen <greta@fabrikam.com>", "3"),
    )
    .unwrap();
    let text = format!(
        "[accounts.work]\nemail = \"ada@contoso.com\"\nreceive = \"maildir\"\nmaildir = {:?}\n",
        root.display().to_string()
    );
    Config::parse_str(&text, Path::new("test.toml")).unwrap()
}

struct Running {
    engine: Engine,
    events: UnboundedReceiver<Event>,
    account: AccountId,
    _dir: tempfile::TempDir,
}

/// An engine on the mailbox, with `command` as the address book, once the
/// worker has stored the mail.
async fn start(command: Option<String>) -> Running {
    let dir = tempfile::tempdir().unwrap();
    let config = mailbox(&dir.path().join("mail"));
    let options = EngineOptions {
        compose: ComposeSettings {
            address_book_command: command,
            ..ComposeSettings::default()
        },
        ..EngineOptions::default()
    };
    let (engine, mut events) = Engine::start_with(
        &dir.path().join("store.sqlite3"),
        &dir.path().join("tokens"),
        &config.accounts,
        options,
    )
    .unwrap();
    engine.commands().send(Command::LoadAccounts).unwrap();
    // The accounts and the first rescan's Changed, in whichever order they come
    // (the rescan may finish before the reader answers).
    let (mut account, mut rescanned) = (None, false);
    while account.is_none() || !rescanned {
        next(&mut events, |e| match e {
            Event::Accounts(rows) => {
                account = Some(rows[0].id);
                Some(())
            }
            Event::Changed { .. } => {
                rescanned = true;
                Some(())
            }
            _ => None,
        })
        .await;
    }
    let Some(account) = account else {
        unreachable!("the loop ends with the account")
    };
    Running {
        engine,
        events,
        account,
        _dir: dir,
    }
}

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
        if let Some(found) = pick(event) {
            return found;
        }
    }
}

impl Running {
    fn ask(&self, request: u64, prefix: &str) {
        self.engine
            .commands()
            .send(Command::CompleteAddress {
                request: RequestId(request),
                account: self.account,
                prefix: prefix.into(),
            })
            .unwrap();
    }

    async fn answer(&mut self, request: u64) -> (Vec<Address>, Option<Problem>) {
        next(&mut self.events, |e| match e {
            Event::Completions {
                request: r,
                addresses,
                problem,
            } if r == RequestId(request) => Some((addresses, problem)),
            _ => None,
        })
        .await
    }
}

fn emails(addresses: &[Address]) -> Vec<&str> {
    addresses.iter().map(|a| a.email.as_str()).collect()
}

/// A script in `dir` with `body`, run as `sh script`.
fn script(dir: &Path, name: &str, body: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, body).unwrap();
    format!("sh {}", path.display())
}

#[tokio::test]
async fn the_store_reader_completes_best_first_without_the_accounts_own() {
    let mut run = start(None).await;
    run.ask(1, "gr");
    let (found, problem) = run.answer(1).await;
    assert_eq!(problem, None);
    // Grace wrote twice, Greta once.
    assert_eq!(emails(&found), ["grace@contoso.com", "greta@fabrikam.com"]);
    assert_eq!(found[0].name.as_deref(), Some("Grace Okafor"));
    run.ask(2, "OLS");
    assert_eq!(emails(&run.answer(2).await.0), ["greta@fabrikam.com"]);
    // Ada is the account's own address: known from the To, never offered.
    run.ask(3, "ada");
    assert_eq!(run.answer(3).await, (Vec::new(), None));
    run.ask(4, "  ");
    assert_eq!(run.answer(4).await, (Vec::new(), None));
    run.engine.shutdown().await;
}

#[tokio::test]
async fn the_counter_counts_what_a_rescan_stored_without_being_asked() {
    let mut run = start(None).await;
    next(&mut run.events, |e| {
        matches!(e, Event::Synced { .. }).then_some(())
    })
    .await;
    // No completion asked: the engine's counter caught up after the rescan.
    let store = Store::open(&run._dir.path().join("store.sqlite3")).unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while store.addresses_behind(10).unwrap() > 0 {
        assert!(Instant::now() < deadline, "the counter never caught up");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let known = store
        .complete_addresses(Some(run.account), "grace", 10)
        .unwrap();
    assert_eq!(known[0].received, 2);
    // A later completion counts nothing twice.
    run.ask(1, "gr");
    assert_eq!(
        emails(&run.answer(1).await.0),
        ["grace@contoso.com", "greta@fabrikam.com"]
    );
    let known = store
        .complete_addresses(Some(run.account), "grace", 10)
        .unwrap();
    assert_eq!(known[0].received, 2);
    run.engine.shutdown().await;
}

#[tokio::test]
async fn the_address_book_answers_second_merged_first() {
    let dir = tempfile::tempdir().unwrap();
    let command = script(
        dir.path(),
        "book.sh",
        "echo 'Searching address book... 2 entries'\n\
         printf 'zed@example.net\\tZed (%s)\\tfriends\\n' \"$1\"\n\
         printf 'GRACE@contoso.com\\t\\n'\n",
    );
    let mut run = start(Some(format!("{command} %s"))).await;
    run.ask(1, "gr");
    let (first, problem) = run.answer(1).await;
    assert_eq!(problem, None);
    assert_eq!(emails(&first), ["grace@contoso.com", "greta@fabrikam.com"]);
    let (merged, problem) = run.answer(1).await;
    assert_eq!(problem, None);
    assert_eq!(
        emails(&merged),
        ["zed@example.net", "GRACE@contoso.com", "greta@fabrikam.com"]
    );
    assert_eq!(merged[0].name.as_deref(), Some("Zed (gr)"));
    // The store lends its name to the address book's nameless entry.
    assert_eq!(merged[1].name.as_deref(), Some("Grace Okafor"));
    run.engine.shutdown().await;
}

#[tokio::test]
async fn a_failing_address_book_is_explained_and_the_store_still_answers() {
    let dir = tempfile::tempdir().unwrap();
    let command = script(
        dir.path(),
        "broken.sh",
        "echo 'abook: cannot open ~/.abook/addressbook' >&2\nexit 3\n",
    );
    let mut run = start(Some(command.clone())).await;
    run.ask(1, "gre");
    let (first, _) = run.answer(1).await;
    let (second, problem) = run.answer(1).await;
    assert_eq!(second, first);
    assert_eq!(emails(&second), ["greta@fabrikam.com"]);
    let problem = problem.expect("the failure is said");
    assert!(problem.what.contains(&command), "{problem}");
    let cause = problem.cause.as_deref().unwrap_or("");
    assert!(cause.contains("status 3"), "{problem}");
    assert!(
        cause.contains("cannot open ~/.abook/addressbook"),
        "{problem}"
    );
    assert!(
        problem
            .fix
            .as_deref()
            .unwrap_or("")
            .contains("address_book_command")
    );
    run.engine.shutdown().await;
}

#[tokio::test]
async fn a_slow_address_book_is_stopped_and_holds_up_no_read() {
    let dir = tempfile::tempdir().unwrap();
    let command = script(dir.path(), "slow.sh", "sleep 30\necho 'late@x.org\tLate'\n");
    let mut run = start(Some(command)).await;
    let asked = Instant::now();
    run.ask(1, "gr");
    let (first, _) = run.answer(1).await;
    assert_eq!(first.len(), 2);
    assert!(
        asked.elapsed() < Duration::from_secs(1),
        "the store's answer waits for nothing"
    );
    // The reader serves other reads meanwhile.
    run.engine.commands().send(Command::LoadAccounts).unwrap();
    let mut completed_first = false;
    next(&mut run.events, |e| match e {
        Event::Accounts(_) => Some(()),
        Event::Completions { .. } => {
            completed_first = true;
            None
        }
        _ => None,
    })
    .await;
    assert!(
        !completed_first,
        "the accounts came before the address book's answer"
    );
    let (second, problem) = run.answer(1).await;
    let waited = asked.elapsed();
    assert_eq!(second, first);
    let problem = problem.expect("the time limit is said");
    assert!(problem.what.contains("timed out"), "{problem}");
    assert!(
        problem.cause.as_deref().unwrap_or("").contains("2 s"),
        "{problem}"
    );
    assert!(
        (Duration::from_millis(1900)..Duration::from_secs(5)).contains(&waited),
        "{waited:?}"
    );
    run.engine.shutdown().await;
}

#[tokio::test]
async fn what_a_stopped_address_book_started_is_stopped_too() {
    let dir = tempfile::tempdir().unwrap();
    let pid_file = dir.path().join("pid");
    let command = script(
        dir.path(),
        "forks.sh",
        &format!("sleep 30 &\necho $! > {}\nwait\n", pid_file.display()),
    );
    let started = Instant::now();
    let result = ask_address_book(&command, "x", Duration::from_millis(300)).await;
    assert!(result.is_err());
    assert!(started.elapsed() < Duration::from_secs(2));
    let pid: i32 = std::fs::read_to_string(&pid_file)
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    // Reaped by nobody (its parent was killed too), so allow it a moment.
    let gone = (0..50).any(|_| {
        std::thread::sleep(Duration::from_millis(20));
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
        stat.is_empty() || stat.contains(") Z ")
    });
    assert!(gone, "sleep {pid} still runs");
}
