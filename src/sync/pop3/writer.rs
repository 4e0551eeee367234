//! The store side of a download, off the async threads: SQLite calls block, so each
//! runs on tokio's blocking pool. The store moves there and back; one batch may be
//! in flight while the next is being fetched, so network and disk overlap.

use tokio::task::JoinHandle;

use super::DownloadError;
use crate::mime;
use crate::store::{AccountId, Flags, FolderId, MessageId, NewEnvelope, Pop3Message, Store};

/// A message read from the server, not stored yet.
#[derive(Debug)]
pub(super) struct Fetched {
    pub number: u32,
    pub uidl: String,
    pub raw: Vec<u8>,
}

/// A message now durable in the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Committed {
    pub number: u32,
    pub uidl: String,
    pub bytes: u64,
    /// `None` when the UIDL was already recorded (nothing new stored).
    pub id: Option<MessageId>,
}

type Batch = (Store, Result<Vec<Committed>, crate::store::StoreError>);

pub(super) struct Writer {
    store: Option<Store>,
    busy: Option<JoinHandle<Batch>>,
    account: AccountId,
    downloaded_at: i64,
}

impl Writer {
    pub fn new(store: Store, account: AccountId, downloaded_at: i64) -> Writer {
        Writer {
            store: Some(store),
            busy: None,
            account,
            downloaded_at,
        }
    }

    /// Waits for the batch in flight, if any; returns what it committed.
    pub async fn finish(&mut self) -> Result<Vec<Committed>, DownloadError> {
        let Some(busy) = self.busy.take() else {
            return Ok(Vec::new());
        };
        let (store, result) = busy.await.map_err(DownloadError::worker)?;
        self.store = Some(store);
        Ok(result?)
    }

    /// Hands `batch` to the blocking pool (parse envelopes, store in one
    /// transaction) after the previous batch is done; returns the previous batch's
    /// commits.
    pub async fn submit(
        &mut self,
        folder: FolderId,
        batch: Vec<Fetched>,
    ) -> Result<Vec<Committed>, DownloadError> {
        let committed = self.finish().await?;
        let mut store = self.take()?;
        let (account, downloaded_at) = (self.account, self.downloaded_at);
        self.busy = Some(tokio::task::spawn_blocking(move || {
            let result = store_batch(&mut store, account, folder, batch, downloaded_at);
            (store, result)
        }));
        Ok(committed)
    }

    /// Runs a short store job on the blocking pool. Call [`Writer::finish`] first:
    /// the commits of a batch still in flight would not be reported.
    pub async fn run<T: Send + 'static>(
        &mut self,
        job: impl FnOnce(&mut Store) -> Result<T, crate::store::StoreError> + Send + 'static,
    ) -> Result<T, DownloadError> {
        self.finish().await?;
        let mut store = self.take()?;
        let (store, result) = tokio::task::spawn_blocking(move || {
            let result = job(&mut store);
            (store, result)
        })
        .await
        .map_err(DownloadError::worker)?;
        self.store = Some(store);
        Ok(result?)
    }

    /// The store back, unless a blocking job died with it.
    pub fn into_store(self) -> Option<Store> {
        self.store
    }

    fn take(&mut self) -> Result<Store, DownloadError> {
        self.store.take().ok_or(DownloadError::StoreLost)
    }
}

/// Parses each message's envelope (never fails: a malformed message is kept raw
/// with whatever could be read) and stores the batch in one transaction.
fn store_batch(
    store: &mut Store,
    account: AccountId,
    folder: FolderId,
    batch: Vec<Fetched>,
    downloaded_at: i64,
) -> Result<Vec<Committed>, crate::store::StoreError> {
    let numbers: Vec<u32> = batch.iter().map(|m| m.number).collect();
    let messages: Vec<Pop3Message> = batch
        .into_iter()
        .map(|fetched| {
            let envelope = mime::parse_envelope(&fetched.raw);
            let size = fetched.raw.len() as u64;
            Pop3Message {
                envelope: NewEnvelope::from_envelope(
                    envelope,
                    Flags::default(),
                    size,
                    downloaded_at,
                ),
                uidl: fetched.uidl,
                raw: fetched.raw,
            }
        })
        .collect();
    let ids = store.store_pop3_messages(account, folder, &messages, downloaded_at)?;
    Ok(messages
        .into_iter()
        .zip(numbers)
        .zip(ids)
        .map(|((message, number), id)| Committed {
            number,
            bytes: message.raw.len() as u64,
            uidl: message.uidl,
            id,
        })
        .collect())
}
