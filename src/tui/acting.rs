//! Acting on mail: every change shows at once (optimistic), the engine is told in
//! the background, and its answer settles it: `Done` keeps it, `Failed` rolls it
//! back. Pages and folder counts that arrive while a change is in flight get it
//! applied on top, so a reload never shows the old state for a moment.
//!
//! What was done can be undone, several levels deep, even after the server said yes:
//! moved messages keep their ids, so undoing a move is a move back.

use std::collections::{HashMap, HashSet};

use super::layer::Selection;
use crate::engine::{Command, Operation, RequestId};
use crate::store::{AccountId, EnvelopeRow, Flags, FolderId, FolderRow, MessageId, OutboxId};

/// How many changes can be undone.
const UNDO_DEPTH: usize = 50;

/// A change shown before the engine confirmed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Shown {
    /// New flags of messages, with the old ones to go back to.
    Flags(Vec<FlagChange>),
    /// Messages taken out of the lists they were in (moved, deleted, archived);
    /// `to` is where they go, when known: its pages show them.
    Removed {
        ids: HashSet<MessageId>,
        to: Option<FolderId>,
    },
    /// Nothing to show before the answer (copy, pipe, save).
    Nothing,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FlagChange {
    pub id: MessageId,
    pub folder: FolderId,
    pub old: Flags,
    pub new: Flags,
}

/// How a change is undone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Undo {
    /// Put these flags back.
    Flags(Vec<FlagChange>),
    /// Move these messages (with their flags, for the counts) back to `back_to`
    /// from `now_in` (when known).
    MoveBack {
        now_in: Option<FolderId>,
        back_to: FolderId,
        messages: Vec<(MessageId, Flags)>,
    },
    /// Take a sent message back out of the outbox while it is held (until `until`,
    /// Unix seconds); after that there is nothing to undo.
    Send { outbox: OutboxId, until: i64 },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UndoEntry {
    pub account: AccountId,
    /// What was done, as the status line says it ("flagged 3 messages").
    pub label: String,
    pub undo: Undo,
    /// The request that did it: if it fails, there is nothing to undo.
    request: RequestId,
}

/// A change to start: what to ask the engine, and how it shows until it answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub account: AccountId,
    /// What is being done, as the status line says it ("flagged 3 messages").
    pub label: String,
    pub op: Operation,
    pub shown: Shown,
    /// Per folder: how its total and unread counts change, as shown.
    pub counts: HashMap<FolderId, (i64, i64)>,
    /// How to undo it, when it can be.
    pub undo: Option<Undo>,
    /// Where the answer's output goes: a layer with this title, else the status line.
    pub output_title: Option<String>,
    /// The messages it works on, kept so that a failure's remedy can try again.
    pub retry: Option<Selection>,
    /// The undo this change carries out: if it fails, it can be undone again later
    /// (after a reconnect, say).
    pub undoing: Option<UndoEntry>,
}

impl Change {
    /// A change that shows nothing before its answer and cannot be undone; the
    /// other fields are set with struct update syntax where they differ.
    pub fn new(account: AccountId, label: String, op: Operation) -> Change {
        Change {
            account,
            label,
            op,
            shown: Shown::Nothing,
            counts: HashMap::new(),
            undo: None,
            output_title: None,
            retry: None,
            undoing: None,
        }
    }
}

/// A request in flight.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Pending {
    request: RequestId,
    change: Change,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Acting {
    next: u64,
    pending: Vec<Pending>,
    undo: Vec<UndoEntry>,
}

impl Acting {
    /// A new request id: unique in this run, in order.
    pub fn next_request(&mut self) -> RequestId {
        self.next += 1;
        RequestId(self.next)
    }

    /// Starts a change: the command to send, with the change recorded as in flight
    /// and (when it can be undone) on the undo history.
    pub fn start(&mut self, change: Change) -> Command {
        let request = self.next_request();
        if let Some(undo) = &change.undo {
            self.push_undo(change.account, change.label.clone(), undo.clone(), request);
        }
        let command = Command::Run {
            request,
            account: change.account,
            op: change.op.clone(),
        };
        self.pending.push(Pending { request, change });
        command
    }

    /// The request is done: what it showed stays.
    pub fn done(&mut self, request: RequestId) -> Option<Change> {
        self.take(request)
    }

    /// The request failed: it is no longer undoable, and the caller rolls back
    /// what it showed. An undo that failed for a passing reason (`retry`: the
    /// connection) goes back on the history, once, to be tried again.
    pub fn failed(&mut self, request: RequestId, retry: bool) -> Option<Change> {
        self.undo.retain(|entry| entry.request != request);
        let change = self.take(request)?;
        if let Some(entry) = change.undoing.as_ref().filter(|_| retry)
            && !self.undo.contains(entry)
        {
            self.undo.push(entry.clone());
        }
        Some(change)
    }

    fn take(&mut self, request: RequestId) -> Option<Change> {
        let at = self.pending.iter().position(|p| p.request == request)?;
        Some(self.pending.remove(at).change)
    }

    /// Puts something done elsewhere (a send) on the undo history.
    pub fn push_undo(&mut self, account: AccountId, label: String, undo: Undo, request: RequestId) {
        if self.undo.len() == UNDO_DEPTH {
            self.undo.remove(0);
        }
        self.undo.push(UndoEntry {
            account,
            label,
            undo,
            request,
        });
    }

    /// The last change that can be undone, taken off the history.
    pub fn pop_undo(&mut self) -> Option<UndoEntry> {
        self.undo.pop()
    }

    pub fn undo_depth(&self) -> usize {
        self.undo.len()
    }

    pub fn in_flight(&self) -> usize {
        self.pending.len()
    }

    /// Applies what is in flight to rows that just came from the store.
    pub fn overlay_rows(&self, rows: &mut Vec<EnvelopeRow>) -> usize {
        let before = rows.len();
        for pending in &self.pending {
            match &pending.change.shown {
                Shown::Removed { ids, to } => {
                    rows.retain(|r| Some(r.folder) == *to || !ids.contains(&r.id));
                }
                Shown::Flags(changes) => {
                    for change in changes {
                        if let Some(row) = rows.iter_mut().find(|r| r.id == change.id) {
                            row.flags = change.new;
                        }
                    }
                }
                Shown::Nothing => {}
            }
        }
        before - rows.len()
    }

    /// How many of a folder's messages are out of view while requests are in flight
    /// (taken from a total the store still counts).
    pub fn hidden_in(&self, folder: FolderId) -> usize {
        self.pending
            .iter()
            .filter_map(|p| p.change.counts.get(&folder))
            .map(|(total, _)| usize::try_from(-total.min(&0)).unwrap_or(0))
            .sum()
    }

    /// Applies what is in flight to folder counts that just came from the store.
    pub fn overlay_folders(&self, folders: &mut [FolderRow]) {
        for pending in &self.pending {
            apply_counts(folders, &pending.change.counts, 1);
        }
    }
}

/// Adds (`sign` 1) or takes back (`sign` -1) count changes.
pub fn apply_counts(folders: &mut [FolderRow], counts: &HashMap<FolderId, (i64, i64)>, sign: i64) {
    for folder in folders.iter_mut() {
        if let Some((total, unread)) = counts.get(&folder.id) {
            folder.total = shift(folder.total, sign * total);
            folder.unread = shift(folder.unread, sign * unread);
        }
    }
}

fn shift(count: u32, by: i64) -> u32 {
    u32::try_from((i64::from(count) + by).max(0)).unwrap_or(u32::MAX)
}

/// What undoing takes: the operation, what it shows, and how it moves the counts.
pub type UndoStep = (Operation, Shown, HashMap<FolderId, (i64, i64)>);

/// The engine operations that undo `undo`: one flag change per distinct change, or
/// one move back.
pub fn undo_operations(undo: &Undo) -> Vec<UndoStep> {
    match undo {
        Undo::Flags(changes) => {
            let mut groups: Vec<((Flags, Flags), Vec<FlagChange>)> = Vec::new();
            for change in changes {
                let back = FlagChange {
                    old: change.new,
                    new: change.old,
                    ..*change
                };
                let key = difference(back.old, back.new);
                match groups.iter_mut().find(|(k, _)| *k == key) {
                    Some((_, group)) => group.push(back),
                    None => groups.push((key, vec![back])),
                }
            }
            groups
                .into_iter()
                .map(|((add, remove), changes)| {
                    let ids = changes.iter().map(|c| c.id).collect();
                    let counts = unread_counts(&changes);
                    (
                        Operation::SetFlags { ids, add, remove },
                        Shown::Flags(changes),
                        counts,
                    )
                })
                .collect()
        }
        Undo::MoveBack {
            now_in,
            back_to,
            messages,
        } => {
            let ids: Vec<MessageId> = messages.iter().map(|(id, _)| *id).collect();
            let moved = i64::try_from(ids.len()).unwrap_or(i64::MAX);
            let unread = messages.iter().filter(|(_, f)| !f.seen).count();
            let unread = i64::try_from(unread).unwrap_or(i64::MAX);
            let mut counts = HashMap::from([(*back_to, (moved, unread))]);
            if let Some(now_in) = now_in.filter(|f| f != back_to) {
                counts.insert(now_in, (-moved, -unread));
            }
            let shown = Shown::Removed {
                ids: ids.iter().copied().collect(),
                to: Some(*back_to),
            };
            vec![(Operation::Move { ids, to: *back_to }, shown, counts)]
        }
        // Not an operation on mail: the composer takes it back.
        Undo::Send { .. } => Vec::new(),
    }
}

/// How each folder's unread count moves with these flag changes.
pub fn unread_counts(changes: &[FlagChange]) -> HashMap<FolderId, (i64, i64)> {
    let mut counts: HashMap<FolderId, (i64, i64)> = HashMap::new();
    for change in changes {
        let delta = i64::from(!change.new.seen) - i64::from(!change.old.seen);
        if delta != 0 {
            counts.entry(change.folder).or_default().1 += delta;
        }
    }
    counts
}

/// The flags to add and to remove to go from `old` to `new`.
pub fn difference(old: Flags, new: Flags) -> (Flags, Flags) {
    let (old, new) = (old.to_bits(), new.to_bits());
    (Flags::from_bits(new & !old), Flags::from_bits(old & !new))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seen(seen: bool, flagged: bool) -> Flags {
        Flags {
            seen,
            flagged,
            ..Flags::default()
        }
    }

    #[test]
    fn a_failed_request_cannot_be_undone_a_done_one_can() {
        let mut acting = Acting::default();
        let change = |label: &str| Change {
            account: AccountId(1),
            label: label.into(),
            op: Operation::Delete { ids: vec![] },
            shown: Shown::Nothing,
            counts: HashMap::new(),
            undo: Some(Undo::MoveBack {
                now_in: None,
                back_to: FolderId(1),
                messages: vec![],
            }),
            output_title: None,
            retry: None,
            undoing: None,
        };
        let first = acting.start(change("a"));
        let second = acting.start(change("b"));
        let (Command::Run { request: a, .. }, Command::Run { request: b, .. }) = (first, second)
        else {
            panic!("not runs");
        };
        assert_ne!(a, b);
        assert!(acting.done(a).is_some());
        assert!(acting.failed(b, false).is_some());
        assert!(acting.done(b).is_none(), "settled once");
        assert_eq!(acting.undo_depth(), 1);
        assert_eq!(acting.pop_undo().map(|e| e.label), Some("a".into()));
    }

    #[test]
    fn undoing_flags_restores_each_message_exactly() {
        let changes = vec![
            FlagChange {
                id: MessageId(1),
                folder: FolderId(1),
                old: seen(true, false),
                new: seen(true, true),
            },
            FlagChange {
                id: MessageId(2),
                folder: FolderId(1),
                old: seen(false, false),
                new: seen(false, true),
            },
            FlagChange {
                id: MessageId(3),
                folder: FolderId(1),
                old: seen(false, true),
                new: seen(true, true),
            },
        ];
        let ops = undo_operations(&Undo::Flags(changes));
        let summary: Vec<(Vec<MessageId>, Flags, Flags)> = ops
            .into_iter()
            .map(|(op, _, _)| match op {
                Operation::SetFlags { ids, add, remove } => (ids, add, remove),
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(
            summary,
            vec![
                (
                    vec![MessageId(1), MessageId(2)],
                    Flags::default(),
                    seen(false, true)
                ),
                (vec![MessageId(3)], Flags::default(), seen(true, false)),
            ]
        );
    }

    #[test]
    fn pages_and_counts_get_what_is_in_flight() {
        let mut acting = Acting::default();
        let row = |id| EnvelopeRow {
            id: MessageId(id),
            folder: FolderId(1),
            date: 0,
            from: String::new(),
            to: String::new(),
            subject: String::new(),
            flags: Flags::default(),
            size: 0,
            has_attachments: false,
        };
        acting.start(Change {
            account: AccountId(1),
            label: "moved".into(),
            op: Operation::Move {
                ids: vec![MessageId(2)],
                to: FolderId(9),
            },
            shown: Shown::Removed {
                ids: [MessageId(2)].into(),
                to: Some(FolderId(9)),
            },
            counts: [(FolderId(1), (-1, -1)), (FolderId(9), (1, 1))].into(),
            undo: None,
            output_title: None,
            retry: None,
            undoing: None,
        });
        let mut rows = vec![row(1), row(2), row(3)];
        assert_eq!(acting.overlay_rows(&mut rows), 1);
        assert_eq!(rows.iter().map(|r| r.id.0).collect::<Vec<_>>(), vec![1, 3]);
        // Where it goes, it shows.
        let mut there = vec![EnvelopeRow {
            folder: FolderId(9),
            ..row(2)
        }];
        assert_eq!(acting.overlay_rows(&mut there), 0);
        assert_eq!(acting.hidden_in(FolderId(1)), 1);
        let folder = |id, total, unread| FolderRow {
            id: FolderId(id),
            account: AccountId(1),
            name: String::new(),
            role: None,
            total,
            unread,
        };
        let mut folders = vec![folder(1, 10, 4), folder(9, 0, 0)];
        acting.overlay_folders(&mut folders);
        assert_eq!((folders[0].total, folders[0].unread), (9, 3));
        assert_eq!((folders[1].total, folders[1].unread), (1, 1));
    }
}
