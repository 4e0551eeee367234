//! APPEND: saving a message into a folder (Sent, Drafts); REPLACE (RFC 8508): saving
//! a new version of a draft and removing the old one in one command.

use super::{ImapSync, SyncError};
use crate::proto::imap::{Completion, Handled, quote};
use crate::store::{Flags, FolderId, Store};

impl ImapSync {
    /// Appends `raw` to `folder` with `flags`. Returns the new UID when the server
    /// tells it (UIDPLUS APPENDUID); the message enters the store with the
    /// folder's next sync.
    pub async fn append(
        &mut self,
        store: &mut Store,
        folder: FolderId,
        raw: &[u8],
        flags: Flags,
    ) -> Result<Option<u32>, SyncError> {
        let path = self.imap_path(store, folder)?;
        let head = format!("APPEND {} ({})", quote(&path), flag_list(flags));
        let done = self.with_literal(&head, raw).await?;
        Ok(done.append_uid.map(|(_, uid)| uid))
    }

    /// Replaces the message `old` of `old_folder` by `raw` saved into `target` with
    /// `flags`, in one command (REPLACE, RFC 8508: the server appends and expunges
    /// only `old`, or does neither). The caller checks the server offers REPLACE.
    /// Returns the new UID when the server tells it (APPENDUID). A message `old`
    /// the server no longer has is refused ([`crate::proto::imap::ImapError::Refused`]).
    pub async fn replace(
        &mut self,
        store: &mut Store,
        old_folder: FolderId,
        old: u32,
        target: FolderId,
        raw: &[u8],
        flags: Flags,
    ) -> Result<Option<u32>, SyncError> {
        let old_path = self.imap_path(store, old_folder)?;
        let target_path = self.imap_path(store, target)?;
        // REPLACE names the old message by UID in the selected mailbox.
        self.ensure_selected(&old_path).await?;
        let head = format!(
            "UID REPLACE {old} {} ({})",
            quote(&target_path),
            flag_list(flags)
        );
        let done = self.with_literal(&head, raw).await?;
        Ok(done.append_uid.map(|(_, uid)| uid))
    }

    /// Sends `head` followed by `raw` as its literal (non-synchronising with
    /// LITERAL+, else after the server's go-ahead) and waits for the answer.
    async fn with_literal(&mut self, head: &str, raw: &[u8]) -> Result<Completion, SyncError> {
        let plus = self.conn.capabilities().has("LITERAL+");
        let command = format!("{head} {{{}{}}}", raw.len(), if plus { "+" } else { "" });
        let tag = self.conn.send(&command).await?;
        if !plus {
            self.conn.wait_continuation(head).await?;
        }
        let mut literal = Vec::with_capacity(raw.len() + 2);
        literal.extend_from_slice(raw);
        literal.extend_from_slice(b"\r\n");
        self.conn.write(head, &literal).await?;
        Ok(self.conn.finish(head, &tag, |_| Handled::Pass).await?)
    }
}

/// `\Seen \Flagged ...` for the flags that are set.
pub(super) fn flag_list(flags: Flags) -> String {
    [
        (flags.seen, "\\Seen"),
        (flags.flagged, "\\Flagged"),
        (flags.answered, "\\Answered"),
        (flags.deleted, "\\Deleted"),
        (flags.draft, "\\Draft"),
    ]
    .iter()
    .filter(|(on, _)| *on)
    .map(|(_, name)| *name)
    .collect::<Vec<_>>()
    .join(" ")
}
