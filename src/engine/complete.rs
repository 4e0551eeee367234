//! Address completion for To/Cc/Bcc: the store's known addresses (answered by the
//! reader thread, a few milliseconds) merged with `[compose] address_book_command`'s
//! (run as a task on the runtime, never on the reader: a slow address book must not
//! hold up the folder list).

use std::collections::HashMap;
use std::process::Stdio;
use std::time::Duration;

use tokio::io::AsyncReadExt;
use tokio::process::Command as Process;
use tokio::sync::mpsc::UnboundedSender;

use super::explain::Problem;
use super::{Event, RequestId};
use crate::compose::address_book;
use crate::config::{Account, ComposeSettings};
use crate::mime::Address;
use crate::store::{AccountId, Store, StoreError};

/// How many candidates an answer holds.
pub const LIMIT: usize = 10;
/// Longest an address book command may run; past it, it is stopped and the store's
/// addresses are all there is.
pub const TIMEOUT: Duration = Duration::from_secs(2);
/// Most output read from an address book command.
const OUTPUT_MAX: usize = 256 * 1024;

/// What the reader needs to complete an address.
#[derive(Debug, Clone)]
pub struct Completer {
    /// Each account, to leave its own addresses out.
    pub accounts: HashMap<AccountId, Account>,
    pub command: Option<String>,
    pub timeout: Duration,
}

impl Completer {
    pub fn new(accounts: HashMap<AccountId, Account>, compose: &ComposeSettings) -> Completer {
        Completer {
            accounts,
            command: compose.address_book_command.clone(),
            timeout: TIMEOUT,
        }
    }
}

/// The store's addresses that `typed` begins, best first, without the account's
/// own (its address, aliases, identities), at most [`LIMIT`].
pub fn known(
    store: &Store,
    account: AccountId,
    own: Option<&Account>,
    typed: &str,
) -> Result<Vec<Address>, StoreError> {
    if typed.trim().is_empty() {
        return Ok(Vec::new());
    }
    // A few more, for the own addresses left out.
    let found = store.complete_addresses(Some(account), typed.trim(), LIMIT + 4)?;
    let mut addresses: Vec<Address> = found
        .into_iter()
        .map(|known| known.address)
        .filter(|address| !own.is_some_and(|own| own.is_own(&address.email)))
        .collect();
    addresses.truncate(LIMIT);
    Ok(addresses)
}

/// Answers a [`super::Command::CompleteAddress`] on the reader thread: the store's
/// addresses at once; with an address book, its answer merged with them later, for
/// the same request, from a task on `runtime`.
pub(super) fn answer(
    completer: &Completer,
    store: &Store,
    runtime: &tokio::runtime::Handle,
    events: &UnboundedSender<Event>,
    (request, account, typed): (RequestId, AccountId, String),
) {
    let (addresses, problem) = match known(store, account, completer.accounts.get(&account), &typed)
    {
        Ok(addresses) => (addresses, None),
        Err(err) => (
            Vec::new(),
            Some(Problem::plain(format!("looking up known addresses: {err}"))),
        ),
    };
    let _ = events.send(Event::Completions {
        request,
        addresses: addresses.clone(),
        problem,
    });
    let Some(command) = completer.command.clone() else {
        return;
    };
    if typed.trim().is_empty() {
        return;
    }
    let timeout = completer.timeout;
    let events = events.clone();
    runtime.spawn(async move {
        let (external, problem) = match ask_address_book(&command, typed.trim(), timeout).await {
            Ok(external) => (external, None),
            Err(problem) => {
                // In the log too: the popup shows it only while it is open.
                tracing::warn!("address_book_command: {problem}");
                (Vec::new(), Some(problem))
            }
        };
        let _ = events.send(Event::Completions {
            request,
            addresses: address_book::merge(external, addresses, LIMIT),
            problem,
        });
    });
}

/// Everything the CLI prints: the address book's and the store's, merged, and what
/// went wrong with the address book.
pub async fn complete(
    store: &Store,
    account: AccountId,
    own: Option<&Account>,
    typed: &str,
    compose: &ComposeSettings,
    timeout: Duration,
) -> (Vec<Address>, Vec<Problem>) {
    let mut problems = Vec::new();
    let known = known(store, account, own, typed).unwrap_or_else(|err| {
        problems.push(Problem::plain(format!("looking up known addresses: {err}")));
        Vec::new()
    });
    let external = match &compose.address_book_command {
        Some(command) if !typed.trim().is_empty() => {
            match ask_address_book(command, typed.trim(), timeout).await {
                Ok(external) => external,
                Err(problem) => {
                    problems.push(problem);
                    Vec::new()
                }
            }
        }
        _ => Vec::new(),
    };
    (address_book::merge(external, known, LIMIT), problems)
}

/// Runs the address book command for `typed` and reads its addresses; stopped
/// after `timeout`.
pub async fn ask_address_book(
    command: &str,
    typed: &str,
    timeout: Duration,
) -> Result<Vec<Address>, Problem> {
    let line = address_book::command_line(command, typed);
    let mut child = Process::new("sh")
        .arg("-c")
        .arg(&line)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        // Its own process group, so that what it started is stopped with it.
        .process_group(0)
        .spawn()
        .map_err(|err| Problem {
            cause: Some(err.to_string()),
            fix: Some("check that `sh` can be run".into()),
            ..Problem::plain(format!(
                "the address book command `{command}` could not start"
            ))
        })?;
    let (stdout, stderr) = (child.stdout.take(), child.stderr.take());
    let run = async {
        let (out, err) = tokio::join!(read(stdout), read(stderr));
        (child.wait().await, out, err)
    };
    let (status, out, err) = match tokio::time::timeout(timeout, run).await {
        Ok(done) => done,
        Err(_) => {
            stop_group(&child);
            return Err(Problem {
                cause: Some(format!(
                    "it did not finish within {} s and was stopped",
                    timeout.as_secs_f32()
                )),
                fix: Some(format!(
                    "run `{line}` in a shell to see what it waits for (it must not ask \
                     anything), or fix [compose] address_book_command"
                )),
                ..Problem::plain(format!("the address book command `{command}` timed out"))
            });
        }
    };
    let status = status.map_err(|err| Problem {
        cause: Some(err.to_string()),
        ..Problem::plain(format!("the address book command `{command}` failed"))
    })?;
    if !status.success() {
        let said = String::from_utf8_lossy(&err);
        let said = said.trim();
        let how = status.code().map_or_else(
            || "it was killed by a signal".to_owned(),
            |code| format!("it exited with status {code}"),
        );
        let cause = if said.is_empty() {
            how
        } else {
            let tail: String = said
                .lines()
                .last()
                .unwrap_or(said)
                .chars()
                .take(200)
                .collect();
            format!("{how}: {}", crate::mime::sanitize::line(&tail))
        };
        return Err(Problem {
            cause: Some(cause),
            fix: Some(format!(
                "run `{line}` in a shell; it must print `email<TAB>name` lines \
                 ([compose] address_book_command, docs/configuration.md)"
            )),
            ..Problem::plain(format!("the address book command `{command}` failed"))
        });
    }
    Ok(address_book::parse(&String::from_utf8_lossy(&out)))
}

/// Kills the command and whatever it started (its process group).
fn stop_group(child: &tokio::process::Child) {
    if let Some(pid) = child.id().and_then(|pid| i32::try_from(pid).ok()) {
        // SAFETY: kill(2) with a negative pid signals that process group; it
        // touches no memory of this process.
        unsafe {
            libc::kill(-pid, libc::SIGKILL);
        }
    }
}

/// A pipe read to its end, at most [`OUTPUT_MAX`] bytes kept.
async fn read(pipe: Option<impl tokio::io::AsyncRead + Unpin>) -> Vec<u8> {
    let mut kept = Vec::new();
    let Some(mut pipe) = pipe else {
        return kept;
    };
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        match pipe.read(&mut buf).await {
            Ok(0) | Err(_) => return kept,
            Ok(n) => {
                let room = OUTPUT_MAX.saturating_sub(kept.len()).min(n);
                kept.extend_from_slice(&buf[..room]);
            }
        }
    }
}
