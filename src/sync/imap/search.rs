//! Server-side search (UID SEARCH), answered with store message ids.

use async_imap::imap_proto::{MailboxDatum, Response};

use super::{ImapSync, SyncError};
use crate::proto::imap::{Handled, quote};
use crate::store::{FolderId, MessageId, Store};

/// What to look for; every given criterion must match (IMAP's implicit AND).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchQuery {
    /// Anywhere in the header or body.
    pub text: Option<String>,
    pub from: Option<String>,
    pub subject: Option<String>,
}

impl SearchQuery {
    /// The SEARCH criteria; `ALL` when nothing is given.
    fn criteria(&self) -> String {
        let mut parts = Vec::new();
        for (key, value) in [
            ("TEXT", &self.text),
            ("FROM", &self.from),
            ("SUBJECT", &self.subject),
        ] {
            if let Some(value) = value {
                parts.push(format!("{key} {}", quote(value)));
            }
        }
        if parts.is_empty() {
            "ALL".to_owned()
        } else {
            parts.join(" ")
        }
    }
}

impl ImapSync {
    /// Searches `folder` on the server. Matches not yet in the store (sync the
    /// folder first) are left out. Newest first.
    pub async fn search(
        &mut self,
        store: &mut Store,
        folder: FolderId,
        query: &SearchQuery,
    ) -> Result<Vec<MessageId>, SyncError> {
        let path = self.imap_path(store, folder)?;
        self.ensure_selected(&path).await?;
        let mut uids = Vec::new();
        let command = format!("UID SEARCH CHARSET UTF-8 {}", query.criteria());
        self.conn
            .run(&command, |response| match response {
                Response::MailboxData(MailboxDatum::Search(found)) => {
                    uids.extend_from_slice(found);
                    Handled::Taken
                }
                _ => Handled::Pass,
            })
            .await?;
        Ok(store.messages_by_uids(folder, &uids)?)
    }
}

#[cfg(test)]
mod tests {
    use super::SearchQuery;

    #[test]
    fn criteria_are_quoted_and_joined() {
        let query = SearchQuery {
            from: Some("ann".into()),
            subject: Some("say \"hi\"".into()),
            ..SearchQuery::default()
        };
        assert_eq!(query.criteria(), r#"FROM "ann" SUBJECT "say \"hi\"""#);
        assert_eq!(SearchQuery::default().criteria(), "ALL");
    }
}
