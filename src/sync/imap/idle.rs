//! IDLE: waiting for the server to report a change in a folder.

use std::time::Duration;

use async_imap::imap_proto::{MailboxDatum, Response};

use super::{ImapSync, SyncError};
use crate::proto::imap::Handled;
use crate::store::{FolderId, Store};

/// How an IDLE ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdleOutcome {
    /// The server reported new mail, an expunge or a flag change: resync the folder.
    Changed,
    /// Nothing happened within the wait.
    TimedOut,
}

impl ImapSync {
    /// Selects `folder` and waits up to `wait` for the server to report a change.
    /// The IDLE is renewed every [`super::SyncOptions::idle_renew`]. Without IDLE
    /// support this polls with NOOP once a minute. Dropping the future mid-wait leaves
    /// the connection unusable (reconnect).
    pub async fn idle(
        &mut self,
        store: &mut Store,
        folder: FolderId,
        wait: Duration,
    ) -> Result<IdleOutcome, SyncError> {
        let path = self.imap_path(store, folder)?;
        self.ensure_selected(&path).await?;
        if !self.conn.take_events().is_empty() {
            return Ok(IdleOutcome::Changed);
        }
        let deadline = tokio::time::Instant::now() + wait;
        let supported = self.conn.capabilities().has("IDLE");
        loop {
            let now = tokio::time::Instant::now();
            if now >= deadline {
                return Ok(IdleOutcome::TimedOut);
            }
            let round = if supported {
                (deadline - now).min(self.options.idle_renew)
            } else {
                (deadline - now).min(Duration::from_secs(60))
            };
            let changed = if supported {
                self.idle_once(round).await?
            } else {
                tokio::time::sleep(round).await;
                self.conn.run("NOOP", |_| Handled::Pass).await?;
                !self.conn.take_events().is_empty()
            };
            if changed {
                return Ok(IdleOutcome::Changed);
            }
        }
    }

    /// One IDLE ... DONE round of at most `wait`; true when something changed.
    async fn idle_once(&mut self, wait: Duration) -> Result<bool, SyncError> {
        let tag = self.conn.send("IDLE").await?;
        self.conn.wait_continuation("IDLE").await?;
        let deadline = tokio::time::Instant::now() + wait;
        let mut changed = false;
        while !changed {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            if left.is_zero() {
                break;
            }
            let got = self
                .conn
                .wait_response("IDLE", left, |response| {
                    if is_change(response) {
                        changed = true;
                    }
                    Handled::Pass
                })
                .await?;
            if !got {
                break;
            }
        }
        self.conn.write("DONE", b"DONE\r\n").await?;
        self.conn.finish("IDLE", &tag, |_| Handled::Pass).await?;
        Ok(changed)
    }
}

/// EXISTS, EXPUNGE, VANISHED or FETCH: the folder changed.
fn is_change(response: &Response<'_>) -> bool {
    matches!(
        response,
        Response::MailboxData(MailboxDatum::Exists(_))
            | Response::Expunge(_)
            | Response::Vanished { .. }
            | Response::Fetch(..)
    )
}
