//! POP3 download into the account's local INBOX.
//!
//! Safety rules, in order of importance:
//! - a message is committed to the store (envelope, body and UIDL in one
//!   transaction) before any DELE for it is sent;
//! - DELE only takes effect at a successful QUIT, so a session that drops at any
//!   point deletes nothing; the UIDLs already committed keep the next session from
//!   fetching those messages again (no loss, no duplicate);
//! - a malformed message is stored raw with a best-effort envelope; only a broken
//!   session or store stops the download.
//!
//! The caller connects and logs in (the engine owns authentication) and hands the
//! session over; the session ends here, with QUIT when it is still usable.

mod plan;
mod writer;

pub use plan::{LeaveMode, Plan, ServerMessage, plan, server_messages};

use crate::proto::ProtoError;
use crate::proto::pop3::Pop3Session;
use crate::store::{AccountId, FolderRole, Store, StoreError};
use writer::{Committed, Fetched, Writer};

/// Messages stored per transaction (at most; also bounded by [`BATCH_BYTES`]): one
/// commit per message would make the disk, not the network, the limit.
const BATCH_MESSAGES: usize = 200;
const BATCH_BYTES: usize = 8 * 1024 * 1024;
/// RETRs in flight when the server allows pipelining: enough to hide the round
/// trip, few enough that a dropped session wastes little.
const PIPELINE: usize = 8;

/// One download: for which account, how to treat the server's copies, and "now".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DownloadRequest {
    pub account: AccountId,
    pub mode: LeaveMode,
    /// Unix seconds, recorded as each message's download time and compared with
    /// earlier ones for [`LeaveMode::DeleteAfterDays`]. Injected so tests can age mail.
    pub now: i64,
}

impl DownloadRequest {
    pub fn new(account: AccountId, mode: LeaveMode) -> DownloadRequest {
        DownloadRequest {
            account,
            mode,
            now: chrono::Utc::now().timestamp(),
        }
    }
}

/// How far the download is: `stored` of `total` new messages are in the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    pub stored: usize,
    pub total: usize,
}

/// What a finished download did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DownloadReport {
    /// Messages the server listed.
    pub on_server: usize,
    /// Of those, already downloaded earlier.
    pub known: usize,
    /// New messages stored by this session.
    pub stored: usize,
    /// Their total size as stored.
    pub bytes: u64,
    /// Listed, but the server refused RETR (deleted by another client meanwhile).
    pub refused: usize,
    /// Deleted from the server (their QUIT succeeded).
    pub deleted: usize,
    /// UIDLs forgotten because the server no longer lists them.
    pub forgotten: usize,
}

#[derive(Debug, thiserror::Error)]
pub enum DownloadError {
    #[error(
        "the POP3 server does not support UIDL ({0}), so postern cannot tell which messages it already downloaded\n  hint: use IMAP for this account, or a server with UIDL"
    )]
    UidlUnsupported(String),
    #[error(transparent)]
    Proto(#[from] ProtoError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the store's worker thread failed: {0}")]
    Worker(String),
    #[error("the store connection was lost after an earlier failure; reopen it")]
    StoreLost,
}

impl DownloadError {
    fn worker(error: tokio::task::JoinError) -> DownloadError {
        DownloadError::Worker(error.to_string())
    }
}

/// The store back (`None` only if a blocking job died with it: reopen it) and what
/// happened. On an error, everything stored before it stays stored.
pub struct Downloaded {
    pub store: Option<Store>,
    pub result: Result<DownloadReport, DownloadError>,
}

impl std::fmt::Debug for Downloaded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Downloaded")
            .field("store", &self.store.as_ref().map(|_| "Store"))
            .field("result", &self.result)
            .finish()
    }
}

/// Downloads every message not downloaded before into the account's INBOX, then
/// deletes from the server what `request.mode` says is due. `progress` is called
/// as batches commit.
pub async fn download(
    session: Pop3Session,
    store: Store,
    request: &DownloadRequest,
    mut progress: impl FnMut(Progress) + Send,
) -> Downloaded {
    let mut writer = Writer::new(store, request.account, request.now);
    let result = run(session, &mut writer, request, &mut progress).await;
    // A failure while a batch was in flight: let it commit (it holds messages the
    // server sent in full) and get the store back.
    let settled = writer.finish().await;
    let result = match (result, settled) {
        (Err(error), _) => Err(error),
        (Ok(_), Err(error)) => Err(error),
        (Ok(report), Ok(_)) => Ok(report),
    };
    Downloaded {
        store: writer.into_store(),
        result,
    }
}

async fn run(
    mut session: Pop3Session,
    writer: &mut Writer,
    request: &DownloadRequest,
    progress: &mut (impl FnMut(Progress) + Send),
) -> Result<DownloadReport, DownloadError> {
    let uidls = match session.uidl_all().await {
        Ok(uidls) => uidls,
        Err(ProtoError::CommandRefused { response, .. }) => {
            return Err(DownloadError::UidlUnsupported(response));
        }
        Err(error) => return Err(error.into()),
    };
    let sizes = session.list_all().await?;
    let on_server = server_messages(uidls, &sizes);

    let account = request.account;
    let listed: Vec<String> = on_server.iter().map(|m| m.uidl.clone()).collect();
    let (folder, stored, forgotten) = writer
        .run(move |store| {
            let folder = store.upsert_folder(account, "INBOX", Some(FolderRole::Inbox))?;
            let listed: Vec<&str> = listed.iter().map(String::as_str).collect();
            let forgotten = store.forget_pop3_uidls_except(account, &listed)?;
            Ok((folder, store.pop3_uidls(account)?, forgotten))
        })
        .await?;
    let plan = plan(&on_server, &stored, request.mode, request.now);
    drop(stored);

    let mut report = DownloadReport {
        on_server: on_server.len(),
        known: plan.known,
        forgotten,
        ..DownloadReport::default()
    };
    let total = plan.fetch.len();
    progress(Progress { stored: 0, total });

    let mut committed: Vec<Committed> = Vec::new();
    let mut note = |done: Vec<Committed>, report: &mut DownloadReport| {
        for message in &done {
            if message.id.is_some() {
                report.stored += 1;
                report.bytes += message.bytes;
            }
        }
        committed.extend(done);
        progress(Progress {
            stored: report.stored,
            total,
        });
    };

    let mut batch: Vec<Fetched> = Vec::new();
    let mut batch_bytes = 0;
    let window = if session.advertises_pipelining() {
        PIPELINE
    } else {
        1
    };
    let mut sent = 0;
    for (index, message) in plan.fetch.iter().enumerate() {
        while sent < plan.fetch.len() && sent < index + window {
            if let Err(error) = session.send_retr(plan.fetch[sent].number).await {
                writer.submit(folder, batch).await?;
                return Err(error.into());
            }
            sent += 1;
        }
        let raw = match session.read_retr(message.number, message.size).await {
            Ok(raw) => raw,
            Err(ProtoError::CommandRefused { .. }) => {
                report.refused += 1;
                continue;
            }
            Err(error) => {
                // The messages read in full are still stored (by `download`).
                writer.submit(folder, batch).await?;
                return Err(error.into());
            }
        };
        batch_bytes += raw.len();
        batch.push(Fetched {
            number: message.number,
            uidl: message.uidl.clone(),
            raw,
        });
        if batch.len() >= BATCH_MESSAGES || batch_bytes >= BATCH_BYTES {
            let done = writer.submit(folder, std::mem::take(&mut batch)).await?;
            batch_bytes = 0;
            note(done, &mut report);
        }
    }
    let done = writer.submit(folder, batch).await?;
    note(done, &mut report);
    let done = writer.finish().await?;
    note(done, &mut report);

    // Only now, with everything committed, may anything be deleted.
    let mut deleting: Vec<&str> = Vec::new();
    let new_ones_due = request.mode.due(request.now, request.now);
    let due_now = committed
        .iter()
        .filter(|_| new_ones_due)
        .map(|m| (m.number, m.uidl.as_str()));
    let due_before = plan.delete.iter().map(|m| (m.number, m.uidl.as_str()));
    for (number, uidl) in due_before.chain(due_now) {
        match session.dele(number).await {
            Ok(()) => deleting.push(uidl),
            // Already gone (another client): nothing to delete.
            Err(ProtoError::CommandRefused { .. }) => {}
            Err(error) => return Err(error.into()),
        }
    }
    session.quit().await?;
    if !deleting.is_empty() {
        report.deleted = deleting.len();
        let deleted: Vec<String> = deleting.into_iter().map(str::to_owned).collect();
        writer
            .run(move |store| {
                let deleted: Vec<&str> = deleted.iter().map(String::as_str).collect();
                store.mark_pop3_deleted_all(account, &deleted)
            })
            .await?;
    }
    Ok(report)
}
