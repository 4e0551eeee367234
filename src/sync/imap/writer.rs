//! Parsing and storing fetched chunks while the next one is read: a file-backed store gets a
//! second connection on a blocking thread, so SQLite work overlaps network and
//! parsing; an in-memory store is written inline. Every chunk is one transaction,
//! and chunks handed over before a failure are still committed.

use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::SyncError;
use crate::proto::imap::RawFetch;
use crate::store::{FolderId, NewEnvelope, Store, StoreError};

/// Chunks waiting for the writer; more would only hold memory.
const QUEUE: usize = 2;

pub(super) enum ChunkWriter {
    Inline {
        folder: FolderId,
    },
    Thread {
        chunks: Option<mpsc::Sender<Vec<RawFetch>>>,
        stored: mpsc::UnboundedReceiver<usize>,
        handle: JoinHandle<Result<(), StoreError>>,
    },
}

impl ChunkWriter {
    pub(super) fn start(store: &Store, folder: FolderId) -> Result<ChunkWriter, SyncError> {
        let Some(mut own) = store.reopen()? else {
            return Ok(ChunkWriter::Inline { folder });
        };
        let (chunk_tx, mut chunk_rx) = mpsc::channel::<Vec<RawFetch>>(QUEUE);
        let (stored_tx, stored) = mpsc::unbounded_channel();
        let handle = tokio::task::spawn_blocking(move || {
            while let Some(chunk) = chunk_rx.blocking_recv() {
                let written = own.upsert_imap_envelopes(folder, &envelopes(chunk))?;
                let _ = stored_tx.send(written);
            }
            Ok(())
        });
        Ok(ChunkWriter::Thread {
            chunks: Some(chunk_tx),
            stored,
            handle,
        })
    }

    /// Hands a chunk over; returns how many envelopes were confirmed stored since
    /// the last call (inline: this chunk's).
    pub(super) async fn write(
        &mut self,
        store: &mut Store,
        chunk: Vec<RawFetch>,
    ) -> Result<usize, SyncError> {
        match self {
            ChunkWriter::Inline { folder } => {
                Ok(store.upsert_imap_envelopes(*folder, &envelopes(chunk))?)
            }
            ChunkWriter::Thread { chunks, stored, .. } => {
                let sent = match chunks {
                    Some(tx) => tx.send(chunk).await.is_ok(),
                    None => false,
                };
                if !sent {
                    // The writer stopped: its error comes from `finish`.
                    *chunks = None;
                }
                let mut confirmed = 0;
                while let Ok(n) = stored.try_recv() {
                    confirmed += n;
                }
                Ok(confirmed)
            }
        }
    }

    /// Waits until everything handed over is committed; returns the envelopes
    /// confirmed since the last `write`.
    pub(super) async fn finish(self) -> Result<usize, SyncError> {
        match self {
            ChunkWriter::Inline { .. } => Ok(0),
            ChunkWriter::Thread {
                chunks,
                mut stored,
                handle,
            } => {
                drop(chunks);
                let outcome = handle.await;
                let mut confirmed = 0;
                while let Ok(n) = stored.try_recv() {
                    confirmed += n;
                }
                match outcome {
                    Ok(result) => result?,
                    Err(_) => return Err(SyncError::WriterStopped),
                }
                Ok(confirmed)
            }
        }
    }
}

/// Parses a chunk's headers (on the writer's thread when there is one).
pub(super) fn envelopes(chunk: Vec<RawFetch>) -> Vec<NewEnvelope> {
    let stored_at = chrono::Utc::now().timestamp();
    chunk
        .into_iter()
        .map(|raw| raw.into_envelope(stored_at).envelope)
        .collect()
}
