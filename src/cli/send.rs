//! `postern send` and `postern outbox`: every message goes through the outbox and
//! stays there until the server accepts it; IMAP accounts keep a copy in Sent unless
//! `save_sent` says otherwise (`Account::keeps_sent_copy`).

use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;

use crate::auth::credentials::Credentials;
use crate::config::{Account, Config};
use crate::mime::compose::{Attachment, Draft, message_from_eml, parse_address_list};
use crate::mime::{Address, parse_envelope, sanitize};
use crate::paths::Paths;
use crate::store::{AccountId, Flags, FolderRole, OutboxId, OutboxRow, OutboxState, Store};
use crate::sync::outbox::{OutboxRun, queue_message, send_outbox};

use super::output::local_time;
use super::remote;
use crate::engine::explain::sync_error;

/// What `postern send` was given.
#[derive(Debug, Default, clap::Args)]
pub struct Message {
    /// Recipient (repeat, or separate with commas).
    #[arg(long, value_name = "ADDRESS", required_unless_present = "eml")]
    pub to: Vec<String>,
    #[arg(long, value_name = "ADDRESS")]
    pub cc: Vec<String>,
    #[arg(long, value_name = "ADDRESS")]
    pub bcc: Vec<String>,
    #[arg(long, required_unless_present = "eml")]
    pub subject: Option<String>,
    /// Attach a file (repeatable).
    #[arg(long, value_name = "FILE")]
    pub attach: Vec<PathBuf>,
    /// Send this complete message file instead (From, To, ... taken from it).
    #[arg(long, value_name = "FILE", conflicts_with_all = ["to", "cc", "bcc", "subject", "attach"])]
    pub eml: Option<PathBuf>,
}

pub async fn send(paths: &Paths, account: &Account, message: &Message) -> anyhow::Result<ExitCode> {
    require_smtp(account)?;
    let raw = compose(account, message)?;
    let credentials = sending_credentials(paths, account).await?;
    let (mut store, id) = remote::open_store(paths, account)?;
    let queued = queue_message(&store, id, &raw)?;
    send_queued(account, &credentials, (&mut store, id), queued).await
}

fn require_smtp(account: &Account) -> anyhow::Result<()> {
    if account.smtp.is_none() {
        anyhow::bail!(
            "account `{}` has no SMTP server configured\n  hint: add `smtp = {{ host = ..., port = ... }}` to [accounts.{}]",
            account.name,
            account.name
        );
    }
    Ok(())
}

/// What sending needs before anything is queued: an SMTP server and the account's
/// credentials. An error here means nothing was queued.
pub(super) async fn sending_credentials(
    paths: &Paths,
    account: &Account,
) -> anyhow::Result<Credentials> {
    require_smtp(account)?;
    remote::credentials(paths, account)
        .await
        .context("nothing was queued")
}

/// Sends what is due in the account's outbox now that `queued` is in it (`postern
/// send`, `postern compose`): the server's answers reported, copies kept in Sent
/// (`keeps_sent_copy`). Success when `queued` went; a failed one stays in the outbox.
pub(super) async fn send_queued(
    account: &Account,
    credentials: &Credentials,
    (store, id): (&mut Store, AccountId),
    queued: OutboxId,
) -> anyhow::Result<ExitCode> {
    let run = send_outbox(store, id, || remote::smtp(account, credentials)).await?;
    report(account, &run);
    keep_sent_copies(account, credentials, (store, id), &run).await;
    if run.sent.iter().any(|sent| sent.id == queued) {
        return Ok(ExitCode::SUCCESS);
    }
    if !run.failed.iter().any(|failed| failed.id == queued) {
        say!(
            "postern: {}: message {} is queued; another postern is sending it",
            account.name,
            queued.0
        );
    }
    Ok(ExitCode::FAILURE)
}

/// The message's bytes: the `--eml` file as given (Date and Message-ID added when
/// missing), or a new message from the flags and stdin.
fn compose(account: &Account, message: &Message) -> anyhow::Result<Vec<u8>> {
    if let Some(path) = &message.eml {
        let raw = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
        return Ok(message_from_eml(&raw)?);
    }
    let Some(subject) = &message.subject else {
        anyhow::bail!("give a subject with --subject (or a whole message with --eml FILE)");
    };
    let mut draft = Draft::new(Address {
        name: account.display_name.clone(),
        email: account.email.clone(),
    });
    draft.to = addresses(&message.to)?;
    draft.cc = addresses(&message.cc)?;
    draft.bcc = addresses(&message.bcc)?;
    draft.subject = subject.clone();
    std::io::stdin()
        .read_to_string(&mut draft.body)
        .context("reading the message body from stdin (it must be UTF-8 text)")?;
    draft.attachments = message.attach.iter().map(Attachment::from_path).collect();
    Ok(draft.to_message()?)
}

fn addresses(lists: &[String]) -> anyhow::Result<Vec<Address>> {
    let mut all = Vec::new();
    for list in lists {
        all.extend(parse_address_list(list)?);
    }
    Ok(all)
}

/// The server's answer for each sent message (stdout), the error for each failed one.
fn report(account: &Account, run: &OutboxRun) {
    for sent in &run.sent {
        println!("sent {}: {}", sent.id.0, sanitize::line(&sent.reply.text));
    }
    for failed in &run.failed {
        say!(
            "postern: {}: message {} not sent: {}",
            account.name,
            failed.id.0,
            failed.error
        );
        say!(
            "  it stays in the outbox; once the problem is fixed, run `postern outbox {} --retry`",
            account.name
        );
    }
}

/// IMAP accounts that keep sent copies (`save_sent`): append each sent message to the
/// Sent folder. The mail is sent whatever happens here, so problems are warnings.
async fn keep_sent_copies(
    account: &Account,
    credentials: &Credentials,
    (store, id): (&mut Store, AccountId),
    run: &OutboxRun,
) {
    if !remote::is_imap(account) || !account.keeps_sent_copy() || run.sent.is_empty() {
        return;
    }
    if let Err(error) = append_to_sent(account, credentials, (store, id), run).await {
        say!(
            "postern: {}: sent, but no copy was kept in Sent: {error:#}",
            account.name
        );
    }
}

async fn append_to_sent(
    account: &Account,
    credentials: &Credentials,
    (store, id): (&mut Store, AccountId),
    run: &OutboxRun,
) -> anyhow::Result<()> {
    let explain = |error| sync_error(&error, account);
    let mut imap = remote::imap(account, credentials, id).await?;
    let folders = imap.sync_folders(store).await.map_err(explain)?;
    let Some(sent) = folders.iter().find(|f| f.role == Some(FolderRole::Sent)) else {
        anyhow::bail!("the server has no folder marked as Sent");
    };
    let seen = Flags {
        seen: true,
        ..Flags::default()
    };
    for message in &run.sent {
        imap.append(store, sent.id, &message.raw, seen)
            .await
            .map_err(explain)?;
    }
    // So `postern list --folder Sent` shows the copies at once.
    imap.sync_folder(store, sent.id, &mut |_| {})
        .await
        .map_err(explain)?;
    imap.logout().await;
    say!(
        "{}: copy saved in {}",
        account.name,
        sanitize::line(&sent.name)
    );
    Ok(())
}

/// `postern outbox [<account>] [--retry]`.
pub async fn outbox(
    paths: &Paths,
    config: &Config,
    only: Option<&Account>,
    retry: bool,
) -> anyhow::Result<ExitCode> {
    let accounts: Vec<&Account> = match only {
        Some(account) => vec![account],
        None => config.accounts.iter().collect(),
    };
    let mut all_ok = true;
    for account in accounts {
        let (mut store, id) = remote::open_store(paths, account)?;
        if retry {
            all_ok &= retry_account(paths, account, (&mut store, id)).await;
        }
        for row in store.outbox(id, None)? {
            if row.state == OutboxState::Sent {
                continue;
            }
            println!("{}", outbox_line(account, &row));
        }
    }
    Ok(if all_ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// Requeues the account's failed messages and sends everything due.
async fn retry_account(
    paths: &Paths,
    account: &Account,
    (store, id): (&mut Store, AccountId),
) -> bool {
    let mut due = 0;
    for row in match store.outbox(id, None) {
        Ok(rows) => rows,
        Err(error) => {
            say!("postern: {}: {error}", account.name);
            return false;
        }
    } {
        match row.state {
            OutboxState::Failed => {
                if let Err(error) = store.requeue(row.id) {
                    say!("postern: {}: {error}", account.name);
                    return false;
                }
                due += 1;
            }
            OutboxState::Queued => due += 1,
            OutboxState::Sent => {}
        }
    }
    if due == 0 {
        return true;
    }
    let credentials = match remote::credentials(paths, account).await {
        Ok(credentials) => credentials,
        Err(problem) => {
            say!("postern: {}: {problem}", account.name);
            return false;
        }
    };
    let run = match send_outbox(store, id, || remote::smtp(account, &credentials)).await {
        Ok(run) => run,
        Err(error) => {
            say!("postern: {}: {error}", account.name);
            return false;
        }
    };
    report(account, &run);
    keep_sent_copies(account, &credentials, (store, id), &run).await;
    run.failed.is_empty()
}

/// `account  id  state  attempts  queued-at  subject  last-error`, tab-separated.
fn outbox_line(account: &Account, row: &OutboxRow) -> String {
    let state = match row.state {
        OutboxState::Queued => "queued",
        OutboxState::Sent => "sent",
        OutboxState::Failed => "failed",
    };
    let envelope = parse_envelope(&row.raw);
    format!(
        "{}\t{}\t{}\t{}\t{}\t{}\t{}",
        account.name,
        row.id.0,
        state,
        row.attempts,
        local_time(row.created_at),
        sanitize::line(&envelope.subject),
        sanitize::line(row.last_error.as_deref().unwrap_or("-"))
    )
}
