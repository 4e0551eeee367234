//! A sync as the front ends hear it: progress, which folders changed (the first
//! chunk of a folder at once, so the first screen fills while the rest streams in),
//! failures explained, and new mail handed to `new_mail_command`.

use std::collections::HashSet;

use super::worker::Context;
use super::{Event, notify};
use crate::backend::{BackendError, FolderSynced, SyncObserver};
use crate::store::{FolderId, FolderRow};
use crate::sync::SyncProgress;

pub(super) struct EventObserver<'a> {
    context: &'a Context,
    /// Folders whose first stored chunk was announced.
    announced: HashSet<FolderId>,
}

impl<'a> EventObserver<'a> {
    pub(super) fn new(context: &'a Context) -> EventObserver<'a> {
        EventObserver {
            context,
            announced: HashSet::new(),
        }
    }
}

impl SyncObserver for EventObserver<'_> {
    fn folders_listed(&mut self, _folders: &[FolderRow]) {
        self.context.changed(Vec::new());
    }

    fn progress(&mut self, progress: SyncProgress) {
        self.context.emit(Event::Progress {
            account: self.context.id,
            folder: progress.folder,
            fetched: progress.fetched,
            to_fetch: progress.to_fetch,
        });
        if progress.fetched > 0 && self.announced.insert(progress.folder) {
            self.context.changed(vec![progress.folder]);
        }
    }

    fn synced(&mut self, synced: FolderSynced) {
        if synced.changed {
            self.context.changed(vec![synced.folder]);
        }
        if synced.new_mail > 0 {
            notify::new_mail(self.context, &synced.name, synced.new_mail);
        }
    }

    fn failed(&mut self, folder: &FolderRow, error: BackendError) {
        self.context.report(
            &format!("syncing {}", folder.name),
            self.context.explain(&error),
        );
    }
}
