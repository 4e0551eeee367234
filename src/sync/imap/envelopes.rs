//! Envelope sync of one folder: a fresh (or interrupted) folder is fetched newest
//! first in chunks, one store transaction per chunk, so the first screen lands
//! quickly and an interrupted sync resumes where it stopped; a folder synced before
//! only transfers what changed (QRESYNC), or compares UIDs and flags without it.

use std::collections::VecDeque;

use async_imap::imap_proto::{MailboxDatum, Response};

use super::writer::ChunkWriter;
use super::{ImapSync, SyncError, SyncProgress, SyncReport, uid_set};
use crate::proto::imap::{
    Completion, DATE_ITEMS, ENVELOPE_ITEMS, FetchedEnvelope, Handled, ImapError, RawFetch,
    Selected, uid_and_internal_date,
};
use crate::store::{Flags, FolderId, NewEnvelope, Store, SyncState};

impl ImapSync {
    /// Brings `folder` up to date with the server. `progress` is called after each
    /// stored chunk. On error, every chunk stored so far stays and the next call
    /// resumes.
    pub async fn sync_folder(
        &mut self,
        store: &mut Store,
        folder: FolderId,
        progress: &mut (dyn FnMut(SyncProgress) + Send),
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
        // After the state is saved: the marks outlive a failure here, and the next
        // sync need not repeat the envelope work to retry them.
        self.fetch_missing_dates(store, folder).await?;
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
        progress: &mut (dyn FnMut(SyncProgress) + Send),
    ) -> Result<(), SyncError> {
        if selected.uidnext.is_some_and(|next| next <= uidnext) {
            return Ok(());
        }
        let command = format!("UID FETCH {uidnext}:* {ENVELOPE_ITEMS}");
        // Messages expunged meanwhile are simply not new any more.
        let (mut fetched, _expunge_issued) = self.fetch_envelopes(&command, 0).await?;
        // `N:*` also names the last message when none is >= N.
        fetched.retain(|e| e.uid.is_some_and(|uid| uid >= uidnext));
        // A row postern moved here itself already has its UID: not new mail.
        for envelope in fetched.iter().filter(|e| !e.flags.seen) {
            if let Some(uid) = envelope.uid
                && store.message_by_uid(folder, uid)?.is_none()
            {
                report.new_unseen += 1;
            }
        }
        report.fetched += store.upsert_imap_envelopes(folder, &fetched)?;
        progress(SyncProgress {
            folder,
            fetched: report.fetched,
            to_fetch: fetched.len(),
        });
        Ok(())
    }

    /// A fresh or interrupted folder. Fresh: by sequence number, newest first (the
    /// first screenful alone, then pipelined chunks), with no UID SEARCH. Interrupted,
    /// or a fresh pass that did not end with exactly the messages SELECT counted:
    /// every UID the store lacks, newest first, and stored UIDs the server no longer
    /// has are removed.
    async fn fetch_missing(
        &mut self,
        store: &mut Store,
        folder: FolderId,
        selected: &Selected,
        report: &mut SyncReport,
        progress: &mut (dyn FnMut(SyncProgress) + Send),
    ) -> Result<(), SyncError> {
        let exists = selected.exists as usize;
        if exists == 0 {
            report.removed += store.reset_imap_folder(folder)?;
            return Ok(());
        }
        if store.envelope_count(folder)? == 0 {
            let expunge_issued = self
                .fetch_fresh(store, folder, exists, report, progress)
                .await?;
            // Sequence numbers only hold while nothing is expunged; servers do not
            // announce expunges during FETCH (RFC 3501 7.4.1), but one that did, one
            // that refused a FETCH with RFC 5530's EXPUNGEISSUED, or a FETCH answer
            // without a UID, would leave a gap: close it by UID.
            let events = self.conn.events();
            if !expunge_issued
                && store.envelope_count(folder)? == exists
                && events.expunged.is_empty()
                && events.vanished.is_empty()
            {
                return Ok(());
            }
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
        let commands = missing
            .rchunks(self.options.chunk.max(1))
            .map(|uids| format!("UID FETCH {} {ENVELOPE_ITEMS}", uid_set(uids)))
            .collect();
        let to_fetch = report.fetched + missing.len();
        // UIDs expunged meanwhile are gone: nothing is left to close.
        self.fetch_pipelined(store, folder, commands, to_fetch, report, progress)
            .await?;
        Ok(())
    }

    /// A folder with nothing stored: messages `1..=exists` by sequence number, the
    /// newest screenful first on its own, then the rest newest first. Returns whether
    /// a FETCH was refused with EXPUNGEISSUED (see [`expunged_meanwhile`]).
    async fn fetch_fresh(
        &mut self,
        store: &mut Store,
        folder: FolderId,
        exists: usize,
        report: &mut SyncReport,
        progress: &mut (dyn FnMut(SyncProgress) + Send),
    ) -> Result<bool, SyncError> {
        let first = self.options.first_chunk.clamp(1, exists);
        let command = format!("FETCH {}:{exists} {ENVELOPE_ITEMS}", exists - first + 1);
        let (fetched, first_short) = self.fetch_envelopes(&command, first).await?;
        report.fetched += store.upsert_imap_envelopes(folder, &fetched)?;
        progress(SyncProgress {
            folder,
            fetched: report.fetched,
            to_fetch: exists,
        });
        let chunk = self.options.chunk.max(1);
        let commands = sequence_chunks(exists - first, chunk)
            .map(|(low, high)| format!("FETCH {low}:{high} {ENVELOPE_ITEMS}"))
            .collect();
        let rest_short = self
            .fetch_pipelined(store, folder, commands, exists, report, progress)
            .await?;
        Ok(first_short || rest_short)
    }

    /// Runs one envelope FETCH and parses its answers here; returns them and whether
    /// the FETCH was refused with EXPUNGEISSUED (see [`expunged_meanwhile`]).
    async fn fetch_envelopes(
        &mut self,
        command: &str,
        expected: usize,
    ) -> Result<(Vec<NewEnvelope>, bool), SyncError> {
        let mut fetched = Vec::with_capacity(expected);
        let stored_at = chrono::Utc::now().timestamp();
        let answer = self
            .conn
            .run(command, |response| {
                take_envelope(response, stored_at, &mut fetched)
            })
            .await;
        let expunge_issued = expunged_meanwhile(answer)?;
        Ok((fetched, expunge_issued))
    }

    /// Runs FETCH `commands` in order, each answer stored as one chunk. Two FETCHes
    /// are on the wire at a time, so the server always has the next one queued while
    /// the previous answer is read and stored. Returns whether a FETCH was refused
    /// with EXPUNGEISSUED (see [`expunged_meanwhile`]).
    async fn fetch_pipelined(
        &mut self,
        store: &mut Store,
        folder: FolderId,
        commands: Vec<String>,
        to_fetch: usize,
        report: &mut SyncReport,
        progress: &mut (dyn FnMut(SyncProgress) + Send),
    ) -> Result<bool, SyncError> {
        if commands.is_empty() {
            return Ok(false);
        }
        let mut commands = commands.into_iter();
        let mut writer = ChunkWriter::start(store, folder)?;
        let mut in_flight = VecDeque::with_capacity(IN_FLIGHT);
        let mut expunge_issued = false;
        let fetched_all = async {
            loop {
                while in_flight.len() < IN_FLIGHT
                    && let Some(command) = commands.next()
                {
                    let tag = self.conn.send(&command).await?;
                    in_flight.push_back((command, tag));
                }
                let Some((command, tag)) = in_flight.pop_front() else {
                    return Ok::<(), SyncError>(());
                };
                let mut fetched = Vec::with_capacity(self.options.chunk.max(1));
                let answer = self
                    .conn
                    .finish(&command, &tag, |response| take_raw(response, &mut fetched))
                    .await;
                expunge_issued |= expunged_meanwhile(answer)?;
                report.fetched += writer.write(store, fetched).await?;
                progress(SyncProgress {
                    folder,
                    fetched: report.fetched,
                    to_fetch,
                });
            }
        }
        .await;
        // Whatever was handed over is committed, even after a network failure.
        let flushed = writer.finish().await;
        if fetched_all.is_err() {
            // Answers to FETCHes still on the wire would be read by the next command:
            // read them off now (on a broken connection this returns at once).
            for (command, tag) in in_flight {
                let _ = self.conn.finish(&command, &tag, |_| Handled::Taken).await;
            }
        }
        fetched_all?;
        report.fetched += flushed?;
        progress(SyncProgress {
            folder,
            fetched: report.fetched,
            to_fetch,
        });
        Ok(expunge_issued)
    }

    /// Dates the messages stored without one (no usable Date header) by the
    /// server's INTERNALDATE, which the envelope FETCH leaves out. Marked messages
    /// left by an interrupted sync are caught here too.
    async fn fetch_missing_dates(
        &mut self,
        store: &mut Store,
        folder: FolderId,
    ) -> Result<(), SyncError> {
        let undated = store.uids_needing_date(folder)?;
        let mut dates = Vec::with_capacity(undated.len());
        for uids in undated.chunks(self.options.chunk.max(1)) {
            let command = format!("UID FETCH {} {DATE_ITEMS}", uid_set(uids));
            let answer = self
                .conn
                .run(&command, |response| match response {
                    Response::Fetch(_, attributes) => match uid_and_internal_date(attributes) {
                        Some(date) => {
                            dates.push(date);
                            Handled::Taken
                        }
                        None => Handled::Pass,
                    },
                    _ => Handled::Pass,
                })
                .await;
            // Expunged meanwhile: those have no date to give, and are gone at the
            // next sync.
            expunged_meanwhile(answer)?;
        }
        if !undated.is_empty() {
            store.settle_dates(folder, &undated, &dates)?;
        }
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

/// FETCH commands of a chunked sync sent ahead of the one being read.
const IN_FLIGHT: usize = 2;

/// Sequence ranges `(low, high)` covering `1..=highest`, `chunk` at a time, highest
/// first.
fn sequence_chunks(highest: usize, chunk: usize) -> impl Iterator<Item = (usize, usize)> {
    let chunk = chunk.max(1);
    (0..highest.div_ceil(chunk)).map(move |i| {
        let high = highest - i * chunk;
        (high.saturating_sub(chunk) + 1, high)
    })
}

/// The outcome of an envelope FETCH: `Ok(true)` when the server refused it with RFC
/// 5530's `NO [EXPUNGEISSUED]`. Some of the messages it named were expunged by
/// another session meanwhile; the answers for the others came and are kept.
fn expunged_meanwhile(answer: Result<Completion, ImapError>) -> Result<bool, SyncError> {
    match answer {
        Ok(_) => Ok(false),
        Err(error) if error.is_expunge_issued() => Ok(true),
        Err(error) => Err(error.into()),
    }
}

/// Keeps a FETCH answer carrying an envelope; anything else is a server event.
fn take_envelope(response: &Response<'_>, stored_at: i64, into: &mut Vec<NewEnvelope>) -> Handled {
    if let Response::Fetch(_, attributes) = response
        && let Some(fetched) = FetchedEnvelope::from_attributes(attributes, stored_at)
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

#[cfg(test)]
mod tests {
    use super::sequence_chunks;

    #[test]
    fn sequence_chunks_cover_everything_newest_first() {
        let chunks: Vec<_> = sequence_chunks(10, 4).collect();
        assert_eq!(chunks, [(7, 10), (3, 6), (1, 2)]);
        assert_eq!(sequence_chunks(4, 4).collect::<Vec<_>>(), [(1, 4)]);
        assert_eq!(sequence_chunks(0, 4).count(), 0);
        assert_eq!(sequence_chunks(3, 0).count(), 3);
    }
}
