//! Full message source on demand, cached in the store.

use async_imap::imap_proto::{AttributeValue, Response};

use super::{ImapSync, SyncError};
use crate::proto::imap::Handled;
use crate::store::{MessageId, MessageSource, Store};

impl ImapSync {
    /// The message's full source: from the store's cache when there, else fetched
    /// (BODY.PEEK[], so the message stays unread on the server) and cached.
    pub async fn fetch_body(
        &mut self,
        store: &mut Store,
        message: MessageId,
    ) -> Result<Vec<u8>, SyncError> {
        if let MessageSource::Cached(raw) = store.message_source(message)? {
            return Ok(raw);
        }
        let location = store.imap_location(message)?;
        let uid = location.uid.ok_or(SyncError::NotImapMessage(message))?;
        let path = self.imap_path(store, location.folder)?;
        self.ensure_selected(&path).await?;
        let mut body = None;
        self.conn
            .run(&format!("UID FETCH {uid} (UID BODY.PEEK[])"), |response| {
                if let Response::Fetch(_, attributes) = response {
                    let is_ours = attributes
                        .iter()
                        .any(|a| matches!(a, AttributeValue::Uid(u) if *u == uid));
                    let data = attributes.iter().find_map(|a| match a {
                        AttributeValue::BodySection { data: Some(d), .. } => Some(d),
                        _ => None,
                    });
                    if let (true, Some(data)) = (is_ours, data) {
                        body = Some(data.to_vec());
                        return Handled::Taken;
                    }
                }
                Handled::Pass
            })
            .await?;
        let body = body.ok_or(SyncError::MessageGone(message))?;
        store.cache_body(message, &body)?;
        Ok(body)
    }
}
