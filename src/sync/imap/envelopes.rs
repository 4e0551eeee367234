//! Envelope sync of one folder: a fresh (or interrupted) folder is fetched newest
//! first in chunks, one store transaction per chunk, so the first screen lands
//! quickly and an interrupted sync resumes where it stopped; a folder synced before
//! only transfers what changed (QRESYNC), or compares UIDs and flags without it.

use async_imap::imap_proto::{MailboxDatum, Response};

use super::writer::ChunkWriter;
use super::{ImapSync, SyncError, SyncProgress, SyncReport, uid_set};
use crate::proto::imap::{ENVELOPE_ITEMS, FetchedEnvelope, Handled, RawFetch, Selected};
use crate::store::{Flags, FolderId, NewEnvelope, Store, SyncState};

impl ImapSync {
    /// Brings `folder` up to date with the server. `progress` is called after each
    /// stored chunk. On error, every chunk stored so far stays and the next call
    /// resumes.
    pub async fn sync_folder(
        &mut self,
        store: &mut Store,
        folder: FolderId,
        progress: &mut dyn FnMut(SyncProgress),
    ) -> Result<SyncReport, SyncError> {
        let path = self.imap_path(store, folder)?;
        let mut state = store.sync_state(folder)?;
        let qresync = self.options.use_qresync && self.conn.enable_qresync().await?;
        let known = match (state.uidvalidity, state.highestmodseq, state.uidnext) {
            (Some(validity), Some(modseq), Some(_)) if qresync => Some((validity, modseq)),
            _ => None,
        };
        let selected = self.conn.select(&path, known).await?;
        let validity = selected.uidvalidity.ok_or_else(|| {
            self.conn
                .unexpected("SELECT", "no UIDVALIDITY in the answer")
        })?;
        let mut report = SyncReport::default();
        if state.uidvalidity.is_some_and(|known| known != validity) {
            store.reset_imap_folder(folder)?;
            report.uidvalidity_reset = true;
            state = SyncState::default();
        }
        if state.uidvalidity.is_none() {
            // Chunks stored from now on belong to this UIDVALIDITY.
            store.set_sync_state(
                folder,
                &SyncState {
                    uidvalidity: Some(validity),
                    ..SyncState::default()
                },
            )?;
        }
        match (state.uidnext, known) {
            (Some(uidnext), Some(_)) if !report.uidvalidity_reset => {
                report.used_qresync = true;
                self.apply_qresync_changes(store, folder, &mut report)?;
                self.fetch_new(store, folder, uidnext, &selected, &mut report, progress)
                    .await?;
            }
            (Some(uidnext), _) if !report.uidvalidity_reset => {
                self.compare_flags(store, folder, uidnext, &mut report)
                    .await?;
                self.fetch_new(store, folder, uidnext, &selected, &mut report, progress)
                    .await?;
            }
            _ => {
                self.fetch_missing(store, folder, &selected, &mut report, progress)
                    .await?
            }
        }
        store.set_sync_state(
            folder,
            &SyncState {
                uidvalidity: Some(validity),
                uidnext: selected.uidnext,
                highestmodseq: selected.highestmodseq,
                last_sync: Some(chrono::Utc::now().timestamp()),
            },
        )?;
        Ok(report)
    }

    /// Applies the VANISHED (EARLIER) and FETCH FLAGS of a QRESYNC SELECT.
    fn apply_qresync_changes(
        &mut self,
        store: &mut Store,
        folder: FolderId,
        report: &mut SyncReport,
    ) -> Result<(), SyncError> {
        let events = self.conn.take_events();
        report.removed += store.delete_uid_ranges(folder, &events.vanished)?;
        report.flags_changed += store.set_flags_by_uid(folder, &events.flags)?;
        Ok(())
    }

    /// Without QRESYNC: the server's UIDs and flags below `uidnext` against the
    /// store's; flags that differ are taken, UIDs the server lacks are removed.
    async fn compare_flags(
        &mut self,
        store: &mut Store,
        folder: FolderId,
        uidnext: u32,
        report: &mut SyncReport,
    ) -> Result<(), SyncError> {
        self.conn.take_events();
        let mut server: Vec<(u32, Flags)> = Vec::new();
        if uidnext > 1 {
            let command = format!("UID FETCH 1:{} (UID FLAGS)", uidnext - 1);
            self.conn.run(&command, |_| Handled::Pass).await?;
            server = self.conn.take_events().flags;
        }
        server.sort_unstable_by_key(|(uid, _)| *uid);
        server.dedup_by_key(|(uid, _)| *uid);
        let local = store.folder_uid_flags(folder)?;
        let mut gone = Vec::new();
        let mut changed = Vec::new();
        for (uid, flags) in local {
            match server.binary_search_by_key(&uid, |(u, _)| *u) {
                Ok(at) if server[at].1 != flags => changed.push(server[at]),
                Ok(_) => {}
                Err(_) => gone.push(uid..=uid),
            }
        }
        report.removed += store.delete_uid_ranges(folder, &gone)?;
        report.flags_changed += store.set_flags_by_uid(folder, &changed)?;
        Ok(())
    }

    /// Messages that arrived since the last sync (UID >= `uidnext`).
    async fn fetch_new(
        &mut self,
        store: &mut Store,
        folder: FolderId,
        uidnext: u32,
        selected: &Selected,
        report: &mut SyncReport,
        progress: &mut dyn FnMut(SyncProgress),
    ) -> Result<(), SyncError> {
        if selected.uidnext.is_some_and(|next| next <= uidnext) {
            return Ok(());
        }
        let command = format!("UID FETCH {uidnext}:* {ENVELOPE_ITEMS}");
        let mut fetched = Vec::new();
        self.conn
            .run(&command, |response| take_envelope(response, &mut fetched))
            .await?;
        // `N:*` also names the last message when none is >= N.
        fetched.retain(|e| e.uid.is_some_and(|uid| uid >= uidnext));
        report.fetched += store.upsert_imap_envelopes(folder, &fetched)?;
        progress(SyncProgress {
            folder,
            fetched: report.fetched,
            to_fetch: fetched.len(),
        });
        Ok(())
    }

    /// A fresh or interrupted folder: the newest screenful by sequence number first,
    /// then every UID the store lacks, newest first, in pipelined chunks (the next
    /// FETCH is on the wire while the previous chunk is being stored).
    async fn fetch_missing(
        &mut self,
        store: &mut Store,
        folder: FolderId,
        selected: &Selected,
        report: &mut SyncReport,
        progress: &mut dyn FnMut(SyncProgress),
    ) -> Result<(), SyncError> {
        let exists = selected.exists as usize;
        if exists == 0 {
            report.removed += store.reset_imap_folder(folder)?;
            return Ok(());
        }
        let stored = store.envelope_count(folder)?;
        let mut to_fetch = exists.saturating_sub(stored);
        if stored == 0 {
            let first = self.options.first_chunk.clamp(1, exists);
            let command = format!("FETCH {}:{exists} {ENVELOPE_ITEMS}", exists - first + 1);
            let mut fetched = Vec::with_capacity(first);
            self.conn
                .run(&command, |response| take_envelope(response, &mut fetched))
                .await?;
            report.fetched += store.upsert_imap_envelopes(folder, &fetched)?;
            progress(SyncProgress {
                folder,
                fetched: report.fetched,
                to_fetch,
            });
        }
        let server = self.server_uids().await?;
        let local = store.folder_uids(folder)?;
        // Stored UIDs the server no longer has (expunged while we were away).
        let gone: Vec<_> = local
            .iter()
            .filter(|uid| server.binary_search(uid).is_err())
            .map(|uid| *uid..=*uid)
            .collect();
        report.removed += store.delete_uid_ranges(folder, &gone)?;
        let missing: Vec<u32> = server
            .into_iter()
            .filter(|uid| local.binary_search(uid).is_err())
            .collect();
        to_fetch = report.fetched + missing.len();
        let chunk = self.options.chunk.max(1);
        let mut chunks = missing.rchunks(chunk);
        let Some(first) = chunks.next() else {
            return Ok(());
        };
        let mut command = format!("UID FETCH {} {ENVELOPE_ITEMS}", uid_set(first));
        let mut tag = self.conn.send(&command).await?;
        let mut capacity = first.len();
        let mut writer = ChunkWriter::start(store, folder)?;
        let fetched_all = async {
            loop {
                let mut fetched = Vec::with_capacity(capacity);
                self.conn
                    .finish(&command, &tag, |response| take_raw(response, &mut fetched))
                    .await?;
                let next = chunks.next();
                if let Some(uids) = next {
                    command = format!("UID FETCH {} {ENVELOPE_ITEMS}", uid_set(uids));
                    tag = self.conn.send(&command).await?;
                    capacity = uids.len();
                }
                report.fetched += writer.write(store, fetched).await?;
                progress(SyncProgress {
                    folder,
                    fetched: report.fetched,
                    to_fetch,
                });
                if next.is_none() {
                    return Ok::<(), SyncError>(());
                }
            }
        }
        .await;
        // Whatever was handed over is committed, even after a network failure.
        let flushed = writer.finish().await;
        fetched_all?;
        report.fetched += flushed?;
        progress(SyncProgress {
            folder,
            fetched: report.fetched,
            to_fetch,
        });
        Ok(())
    }

    /// Every UID of the selected mailbox, ascending.
    async fn server_uids(&mut self) -> Result<Vec<u32>, SyncError> {
        let mut uids = Vec::new();
        self.conn
            .run("UID SEARCH ALL", |response| match response {
                Response::MailboxData(MailboxDatum::Search(found)) => {
                    uids.extend_from_slice(found);
                    Handled::Taken
                }
                _ => Handled::Pass,
            })
            .await?;
        uids.sort_unstable();
        uids.dedup();
        Ok(uids)
    }
}

/// Keeps a FETCH answer carrying an envelope; anything else is a server event.
fn take_envelope(response: &Response<'_>, into: &mut Vec<NewEnvelope>) -> Handled {
    if let Response::Fetch(_, attributes) = response
        && let Some(fetched) = FetchedEnvelope::from_attributes(attributes)
    {
        into.push(fetched.envelope);
        return Handled::Taken;
    }
    Handled::Pass
}

/// Like [`take_envelope`], the header left unparsed (the writer parses it).
fn take_raw(response: &Response<'_>, into: &mut Vec<RawFetch>) -> Handled {
    if let Response::Fetch(_, attributes) = response
        && let Some(fetched) = RawFetch::from_attributes(attributes)
    {
        into.push(fetched);
        return Handled::Taken;
    }
    Handled::Pass
}
