//! APPEND: saving a message into a folder (Sent, Drafts).

use super::{ImapSync, SyncError};
use crate::proto::imap::{Handled, quote};
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
        let plus = self.conn.capabilities().has("LITERAL+");
        let command = format!(
            "APPEND {} ({}) {{{}{}}}",
            quote(&path),
            flag_list(flags),
            raw.len(),
            if plus { "+" } else { "" }
        );
        let tag = self.conn.send(&command).await?;
        if !plus {
            self.conn.wait_continuation("APPEND").await?;
        }
        let mut literal = Vec::with_capacity(raw.len() + 2);
        literal.extend_from_slice(raw);
        literal.extend_from_slice(b"\r\n");
        self.conn.write("APPEND", &literal).await?;
        let done = self.conn.finish("APPEND", &tag, |_| Handled::Pass).await?;
        Ok(done.append_uid.map(|(_, uid)| uid))
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
