//! One folder's message list: a window of loaded rows somewhere in the folder, the
//! cursor, the tags, and the rules for paging.
//!
//! Pages are asked for by key (the row next to them), never by offset, so the last
//! page of a million messages costs what the first does. The window holds at most
//! [`WINDOW_MAX`] rows; rows far from the cursor are let go. Indices (`cursor`,
//! `top`, `start`) count from the newest message of the folder.

use std::collections::{HashMap, HashSet};

use crate::engine::Command;
use crate::store::{EnvelopeRow, Flags, FolderId, MessageId, Page, PageKey};

/// How many envelopes to ask for at a time.
pub const PAGE_SIZE: usize = 200;
/// Ask for the next page when the cursor gets this close to the edge of the window.
pub const PREFETCH_MARGIN: usize = 50;
/// Most rows kept loaded.
pub const WINDOW_MAX: usize = 1000;

/// Where the cursor goes once the page asked for arrives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Jump {
    First,
    Last,
}

/// How the cursor moves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Motion {
    Down,
    Up,
    PageDown,
    PageUp,
    HalfPageDown,
    HalfPageUp,
    First,
    Last,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageList {
    pub folder: FolderId,
    /// Loaded rows, newest first: the folder's rows `start..start + rows.len()`.
    rows: Vec<EnvelopeRow>,
    start: usize,
    /// How many messages the folder has in all.
    pub total: usize,
    pub cursor: usize,
    /// First row shown in the pane.
    pub top: usize,
    /// A page asked for and not yet received.
    pending: Option<Page>,
    /// The store changed while a page was on its way: ask again when it lands (an
    /// answer read before the change must not be taken for one read after it).
    reload_after: bool,
    jump: Option<Jump>,
    /// Whether any page has arrived yet.
    pub loaded: bool,
    /// The store changed while this list was not shown: reload it when shown.
    pub stale: bool,
    /// Tagged messages, with their flags as last known (a message tagged by
    /// `tag-all` need not be loaded).
    tags: HashMap<MessageId, Flags>,
}

/// Where a cursor at `at` goes with `motion`, `page` items to a screen, `last`
/// the last index: the one rule for lists, messages and layers that scroll.
pub fn step(at: usize, motion: Motion, page: usize, last: usize) -> usize {
    let page = page.max(1);
    let half = (page / 2).max(1);
    let to = match motion {
        Motion::Down => at.saturating_add(1),
        Motion::Up => at.saturating_sub(1),
        Motion::PageDown => at.saturating_add(page),
        Motion::PageUp => at.saturating_sub(page),
        Motion::HalfPageDown => at.saturating_add(half),
        Motion::HalfPageUp => at.saturating_sub(half),
        Motion::First => 0,
        Motion::Last => last,
    };
    to.min(last)
}

impl Motion {
    /// The motion a moving action means.
    pub fn of(action: crate::keys::Action) -> Option<Motion> {
        use crate::keys::Action;
        Some(match action {
            Action::Down => Motion::Down,
            Action::Up => Motion::Up,
            Action::PageDown => Motion::PageDown,
            Action::PageUp => Motion::PageUp,
            Action::HalfPageDown => Motion::HalfPageDown,
            Action::HalfPageUp => Motion::HalfPageUp,
            Action::Top => Motion::First,
            Action::Bottom => Motion::Last,
            _ => return None,
        })
    }
}

impl MessageList {
    pub fn new(folder: FolderId) -> MessageList {
        MessageList {
            folder,
            rows: Vec::new(),
            start: 0,
            total: 0,
            cursor: 0,
            top: 0,
            pending: None,
            reload_after: false,
            jump: None,
            loaded: false,
            stale: false,
            tags: HashMap::new(),
        }
    }

    fn ask(&mut self, page: Page, limit: usize) -> Command {
        self.pending = Some(page);
        Command::LoadEnvelopes {
            folder: self.folder,
            page,
            limit,
        }
    }

    /// The first page, unless it was asked for already.
    pub fn load(&mut self) -> Option<Command> {
        if self.loaded || self.pending.is_some() {
            return None;
        }
        Some(self.ask(Page::First, PAGE_SIZE))
    }

    /// Asks again for what is loaded (the store changed), keeping the place. With a
    /// page on its way, the reload waits for it (see [`MessageList::follow_up`]).
    pub fn reload(&mut self) -> Option<Command> {
        self.stale = false;
        if self.pending.is_some() {
            self.reload_after = true;
            return None;
        }
        let limit = self.rows.len().max(PAGE_SIZE);
        Some(match self.rows.first() {
            Some(first) if self.start > 0 => self.ask(Page::From(PageKey::of(first)), limit),
            _ => self.ask(Page::First, limit),
        })
    }

    /// What to ask for once a page landed: a reload that waited for it, else the
    /// next page when the cursor is near the edge.
    pub fn follow_up(&mut self) -> Option<Command> {
        if std::mem::take(&mut self.reload_after) {
            return self.reload();
        }
        self.prefetch()
    }

    /// A page landed for a list that is not shown: a reload that waited for it waits
    /// until the list is shown again.
    pub fn defer_follow_up(&mut self) {
        if std::mem::take(&mut self.reload_after) {
            self.stale = true;
        }
    }

    /// A reload if the list went stale while not shown.
    pub fn refresh_if_stale(&mut self) -> Option<Command> {
        if self.stale {
            return self.reload();
        }
        if !self.loaded {
            return self.load();
        }
        None
    }

    /// The page asked for will not come (the store could not be read): let it be
    /// asked again, and reload when next shown.
    pub fn forget_pending(&mut self) {
        self.pending = None;
        self.jump = None;
        if std::mem::take(&mut self.reload_after) {
            self.stale = true;
        }
    }

    pub fn rows(&self) -> &[EnvelopeRow] {
        &self.rows
    }

    /// The folder index of the first loaded row.
    pub fn start(&self) -> usize {
        self.start
    }

    /// One past the folder index of the last loaded row.
    pub fn end(&self) -> usize {
        self.start + self.rows.len()
    }

    /// The row at folder index `index`, if loaded.
    pub fn row(&self, index: usize) -> Option<&EnvelopeRow> {
        index
            .checked_sub(self.start)
            .and_then(|at| self.rows.get(at))
    }

    pub fn selected(&self) -> Option<&EnvelopeRow> {
        self.row(self.cursor)
    }

    /// The loaded rows from folder index `top` on, at most `height`, with their index.
    pub fn visible(
        &self,
        top: usize,
        height: usize,
    ) -> impl Iterator<Item = (usize, &EnvelopeRow)> {
        let from = top.saturating_sub(self.start).min(self.rows.len());
        self.rows[from..]
            .iter()
            .take(height)
            .enumerate()
            .map(move |(i, row)| (self.start + from + i, row))
    }

    /// Moves the cursor; `page` is how many rows the pane shows. Returns a page to
    /// ask for, when the cursor nears the edge of what is loaded or jumps past it.
    pub fn move_cursor(&mut self, motion: Motion, page: usize) -> Option<Command> {
        if !self.loaded {
            return None;
        }
        match motion {
            Motion::First if self.start > 0 => return self.jump_to(Jump::First),
            Motion::Last if self.end() < self.total => return self.jump_to(Jump::Last),
            _ => {}
        }
        let last = self.total.saturating_sub(1);
        self.cursor = self.clamp(step(self.cursor, motion, page, last));
        self.prefetch()
    }

    /// `g` or `G` far from what is loaded: the cursor goes there when the page comes.
    fn jump_to(&mut self, jump: Jump) -> Option<Command> {
        self.jump = Some(jump);
        let page = match jump {
            Jump::First => Page::First,
            Jump::Last => Page::Last,
        };
        Some(self.ask(page, PAGE_SIZE))
    }

    /// A folder index kept inside the loaded window.
    fn clamp(&self, index: usize) -> usize {
        if self.rows.is_empty() {
            return 0;
        }
        index.clamp(self.start, self.end() - 1)
    }

    /// The next page when the cursor nears the end of the window, the previous one
    /// when it nears the start.
    pub fn prefetch(&mut self) -> Option<Command> {
        if !self.loaded || self.pending.is_some() {
            return None;
        }
        if self.end() < self.total && self.cursor + PREFETCH_MARGIN >= self.end() {
            let last = PageKey::of(self.rows.last()?);
            return Some(self.ask(Page::After(last), PAGE_SIZE));
        }
        if self.start > 0 && self.cursor < self.start + PREFETCH_MARGIN {
            let first = PageKey::of(self.rows.first()?);
            return Some(self.ask(Page::Before(first), PAGE_SIZE));
        }
        None
    }

    /// Takes a page the engine sent. A page nobody is waiting for any more (a
    /// reload replaced the request) is dropped. `index` is its first row's place
    /// when the engine knows it; `edge` says the store had fewer rows than asked for
    /// (counted before anything in flight was taken out of them).
    pub fn apply(
        &mut self,
        page: Page,
        total: usize,
        index: Option<usize>,
        rows: Vec<EnvelopeRow>,
        edge: bool,
    ) -> bool {
        if self.pending != Some(page) {
            return false;
        }
        self.pending = None;
        let selected = self.selected().map(|r| r.id);
        match page {
            Page::First | Page::Last | Page::From(_) => {
                self.start = index.unwrap_or(0);
                self.rows = rows;
            }
            Page::After(key) => {
                if self.rows.last().map(PageKey::of) == Some(key) {
                    self.rows.extend(rows);
                }
            }
            Page::Before(key) => {
                if self.rows.first().map(PageKey::of) == Some(key) {
                    // Fewer than asked for: these are the folder's newest.
                    self.start = if edge {
                        0
                    } else {
                        self.start.saturating_sub(rows.len())
                    };
                    self.rows.splice(0..0, rows);
                }
            }
        }
        self.loaded = true;
        self.total = total.max(self.end());
        self.place_cursor(selected);
        self.trim();
        true
    }

    /// After new rows: a pending jump wins, then the row that was selected, then
    /// the same place.
    fn place_cursor(&mut self, selected: Option<MessageId>) {
        let index_of = |id| {
            self.rows
                .iter()
                .position(|r| r.id == id)
                .map(|at| self.start + at)
        };
        self.cursor = match self.jump.take() {
            Some(Jump::First) => 0,
            Some(Jump::Last) => self.total.saturating_sub(1),
            None => selected.and_then(index_of).unwrap_or(self.cursor),
        };
        self.cursor = self.clamp(self.cursor);
    }

    /// Lets go of rows far from the cursor once the window is over its size.
    fn trim(&mut self) {
        if self.rows.len() <= WINDOW_MAX {
            return;
        }
        let keep = WINDOW_MAX / 2;
        let around = self.cursor - self.start;
        let from = around.saturating_sub(keep / 2);
        let to = (from + keep).min(self.rows.len());
        self.rows.truncate(to);
        self.rows.drain(..from);
        self.start += from;
        self.top = self.top.max(self.start);
    }

    /// Keeps `top` so that the cursor is on screen (`rows` lines shown).
    pub fn keep_in_view(&mut self, rows: usize) {
        let rows = rows.max(1);
        if self.cursor < self.top {
            self.top = self.cursor;
        } else if self.cursor >= self.top + rows {
            self.top = self.cursor + 1 - rows;
        }
        self.top = self.top.max(self.start);
    }

    /// Takes rows out (moved or deleted elsewhere, or about to be); the cursor stays
    /// on the same place, now the next row. Returns how many were loaded here.
    pub fn remove(&mut self, ids: &HashSet<MessageId>) -> usize {
        let before_cursor = self.rows
            [..self.cursor.saturating_sub(self.start).min(self.rows.len())]
            .iter()
            .filter(|r| ids.contains(&r.id))
            .count();
        let len = self.rows.len();
        self.rows.retain(|r| !ids.contains(&r.id));
        let removed = len - self.rows.len();
        self.tags.retain(|id, _| !ids.contains(id));
        self.total = self.total.saturating_sub(removed);
        self.cursor = self.cursor.saturating_sub(before_cursor);
        self.cursor = self.clamp(self.cursor);
        removed
    }

    /// Sets the flags of a loaded (or tagged) message; true when it was here.
    pub fn set_flags(&mut self, id: MessageId, flags: Flags) -> bool {
        let mut found = false;
        if let Some(row) = self.rows.iter_mut().find(|r| r.id == id) {
            row.flags = flags;
            found = true;
        }
        if let Some(tagged) = self.tags.get_mut(&id) {
            *tagged = flags;
            found = true;
        }
        found
    }

    /// Flags of a message as this list knows them.
    pub fn flags_of(&self, id: MessageId) -> Option<Flags> {
        self.rows
            .iter()
            .find(|r| r.id == id)
            .map(|r| r.flags)
            .or_else(|| self.tags.get(&id).copied())
    }

    pub fn is_tagged(&self, id: MessageId) -> bool {
        self.tags.contains_key(&id)
    }

    pub fn tag_count(&self) -> usize {
        self.tags.len()
    }

    /// Tags or untags the selected row; true when it is tagged now.
    pub fn toggle_tag(&mut self) -> Option<bool> {
        let row = self.selected()?;
        let (id, flags) = (row.id, row.flags);
        if self.tags.remove(&id).is_some() {
            return Some(false);
        }
        self.tags.insert(id, flags);
        Some(true)
    }

    /// Tags every message named (the whole folder, from the store).
    pub fn tag_all(&mut self, messages: impl IntoIterator<Item = (MessageId, Flags)>) {
        self.tags.extend(messages);
        for row in &self.rows {
            self.tags.insert(row.id, row.flags);
        }
    }

    /// Clears the tags; true when there were some.
    pub fn clear_tags(&mut self) -> bool {
        let had = !self.tags.is_empty();
        self.tags.clear();
        had
    }

    /// What an action works on: the tagged messages, else the selected one; with
    /// their flags as known.
    pub fn selection(&self) -> Vec<(MessageId, Flags)> {
        if self.tags.is_empty() {
            return self
                .selected()
                .map(|r| (r.id, r.flags))
                .into_iter()
                .collect();
        }
        // The loaded ones in the list's order, then those tagged from the store (by
        // `tag-all`) in id order; an operation that cares (pipe) orders them itself.
        let mut picked: Vec<(MessageId, Flags)> = self
            .rows
            .iter()
            .filter(|r| self.tags.contains_key(&r.id))
            .map(|r| (r.id, r.flags))
            .collect();
        let shown: HashSet<MessageId> = picked.iter().map(|(id, _)| *id).collect();
        let mut rest: Vec<(MessageId, Flags)> = self
            .tags
            .iter()
            .filter(|(id, _)| !shown.contains(id))
            .map(|(id, flags)| (*id, *flags))
            .collect();
        rest.sort_by_key(|(id, _)| *id);
        picked.extend(rest);
        picked
    }

    /// The next loaded unread message after the cursor: its index.
    pub fn next_unread(&self) -> Option<usize> {
        let from = self.cursor + 1;
        self.rows
            .iter()
            .enumerate()
            .skip(from.saturating_sub(self.start))
            .find(|(_, r)| !r.flags.seen)
            .map(|(at, _)| self.start + at)
    }

    /// Puts the cursor on folder index `index` (kept inside the window).
    pub fn select(&mut self, index: usize) -> Option<Command> {
        self.cursor = self.clamp(index);
        self.prefetch()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{FolderId, MessageId};

    const FOLDER: FolderId = FolderId(1);

    fn row(n: usize) -> EnvelopeRow {
        EnvelopeRow {
            id: MessageId(1_000_000 - n as i64),
            folder: FOLDER,
            date: 2_000_000_000 - n as i64 * 60,
            from: format!("sender {n}"),
            to: String::new(),
            subject: format!("message {n}"),
            flags: Flags {
                seen: !n.is_multiple_of(3),
                ..Flags::default()
            },
            size: 100,
            has_attachments: false,
        }
    }

    fn rows(from: usize, count: usize) -> Vec<EnvelopeRow> {
        (from..from + count).map(row).collect()
    }

    /// A list with the first page of a folder of `total` in.
    fn list(total: usize) -> MessageList {
        let mut list = MessageList::new(FOLDER);
        assert_eq!(
            list.load(),
            Some(Command::LoadEnvelopes {
                folder: FOLDER,
                page: Page::First,
                limit: PAGE_SIZE
            })
        );
        let first = rows(0, PAGE_SIZE.min(total));
        assert!(list.apply(Page::First, total, Some(0), first, total < PAGE_SIZE));
        list
    }

    fn asked(command: Option<Command>) -> Option<Page> {
        command.map(|c| match c {
            Command::LoadEnvelopes { page, .. } => page,
            other => panic!("{other:?}"),
        })
    }

    #[test]
    fn the_next_page_is_asked_for_near_the_end_once_by_the_last_rows_key() {
        let mut list = list(1000);
        assert_eq!(asked(list.move_cursor(Motion::PageDown, 100)), None);
        let next = asked(list.move_cursor(Motion::HalfPageDown, 100));
        assert_eq!(next, Some(Page::After(PageKey::of(&row(199)))));
        assert_eq!(list.move_cursor(Motion::Down, 100), None, "asked once");
        assert!(list.apply(next.unwrap(), 1000, None, rows(200, 200), false));
        assert_eq!(list.end(), 400);
        assert_eq!(list.selected().map(|r| r.id), Some(row(151).id));
    }

    #[test]
    fn the_cursor_stops_at_the_loaded_edge_until_the_page_comes() {
        let mut list = list(1000);
        let next = asked(list.move_cursor(Motion::PageDown, 500));
        assert_eq!(list.cursor, 199, "kept on a loaded row");
        assert!(next.is_some());
    }

    #[test]
    fn g_far_away_asks_for_the_last_page_and_lands_on_the_last_message() {
        let mut list = list(1_000_000);
        assert_eq!(asked(list.move_cursor(Motion::Last, 30)), Some(Page::Last));
        assert!(list.apply(
            Page::Last,
            1_000_000,
            Some(999_800),
            rows(999_800, 200),
            false
        ));
        assert_eq!(list.cursor, 999_999);
        assert_eq!(list.selected().map(|r| r.id), Some(row(999_999).id));
        // Up from the end asks for the rows before, by key.
        for _ in 0..149 {
            assert_eq!(list.move_cursor(Motion::Up, 30), None);
        }
        let before = asked(list.move_cursor(Motion::Up, 30));
        assert_eq!(before, Some(Page::Before(PageKey::of(&row(999_800)))));
        assert!(list.apply(before.unwrap(), 1_000_000, None, rows(999_600, 200), false));
        assert_eq!(list.start(), 999_600);
        assert_eq!(list.selected().map(|r| r.id), Some(row(999_849).id));
        // And back to the top.
        assert_eq!(
            asked(list.move_cursor(Motion::First, 30)),
            Some(Page::First)
        );
        assert!(list.apply(Page::First, 1_000_000, Some(0), rows(0, 200), false));
        assert_eq!((list.cursor, list.start()), (0, 0));
    }

    #[test]
    fn g_nearby_moves_at_once() {
        let mut list = list(150);
        assert_eq!(list.move_cursor(Motion::Last, 30), None);
        assert_eq!(list.cursor, 149);
        assert_eq!(list.move_cursor(Motion::First, 30), None);
        assert_eq!(list.cursor, 0);
    }

    #[test]
    fn a_page_nobody_waits_for_is_dropped() {
        let mut list = list(1000);
        let next = asked(list.move_cursor(Motion::PageDown, 180)).unwrap();
        assert!(!list.apply(Page::Last, 1000, Some(800), rows(800, 200), false));
        assert!(list.apply(next, 1000, None, rows(200, 200), false));
    }

    #[test]
    fn a_reload_asked_while_a_page_is_on_its_way_waits_for_it() {
        let mut list = list(1000);
        // Two changes in a row, as a sync's first chunk and its end say.
        let reload = list.reload();
        assert!(matches!(
            reload,
            Some(Command::LoadEnvelopes {
                page: Page::First,
                ..
            })
        ));
        assert_eq!(list.reload(), None, "one in flight");
        // The first answer was read before the second change: taken, and asked again.
        assert!(list.apply(Page::First, 1000, Some(0), rows(0, 200), false));
        assert!(matches!(
            list.follow_up(),
            Some(Command::LoadEnvelopes {
                page: Page::First,
                ..
            })
        ));
        assert!(list.apply(Page::First, 1001, Some(0), rows(0, 200), false));
        assert_eq!(list.total, 1001);
        assert_eq!(list.follow_up(), None);
        // A jump on its way is not spoilt by a reload: it waits, then keeps the place.
        list.move_cursor(Motion::Last, 30);
        assert_eq!(list.reload(), None);
        assert!(list.apply(Page::Last, 1001, Some(801), rows(801, 200), false));
        assert_eq!(list.cursor, 1000);
        let key = PageKey::of(&row(801));
        assert!(matches!(
            list.follow_up(),
            Some(Command::LoadEnvelopes { page: Page::From(k), .. }) if k == key
        ));
    }

    #[test]
    fn rows_taken_out_of_a_full_page_do_not_make_it_the_folders_first() {
        let mut list = list(100_000);
        list.move_cursor(Motion::Last, 30);
        list.apply(Page::Last, 100_000, Some(99_800), rows(99_800, 200), false);
        let mut before = None;
        for _ in 0..150 {
            before = before.or(asked(list.move_cursor(Motion::Up, 30)));
        }
        // One of them is being deleted: 199 come, but the store had 200.
        let mut page = rows(99_600, 200);
        page.remove(10);
        assert!(list.apply(before.expect("asked"), 100_000, None, page, false));
        assert_eq!(list.start(), 99_601);
    }

    #[test]
    fn a_reload_deep_in_the_list_keeps_the_place() {
        let mut list = list(100_000);
        list.move_cursor(Motion::Last, 30);
        list.apply(Page::Last, 100_000, Some(99_800), rows(99_800, 200), false);
        let reload = list.reload();
        let key = PageKey::of(&row(99_800));
        assert!(
            matches!(reload, Some(Command::LoadEnvelopes { page: Page::From(k), .. }) if k == key)
        );
        // One new message arrived at the top: everything moved down by one.
        assert!(list.apply(
            Page::From(key),
            100_001,
            Some(99_801),
            rows(99_800, 200),
            false
        ));
        assert_eq!(list.cursor, 100_000);
        assert_eq!(list.selected().map(|r| r.id), Some(row(99_999).id));
    }

    #[test]
    fn the_window_lets_go_of_far_rows() {
        let mut list = list(100_000);
        for _ in 0..20 {
            while let Some(command) = list.move_cursor(Motion::PageDown, 40) {
                let page = asked(Some(command)).unwrap();
                let from = list.end();
                list.apply(page, 100_000, None, rows(from, 200), false);
            }
        }
        assert!(list.rows().len() <= WINDOW_MAX);
        assert!(list.start() > 0);
        let cursor = list.cursor;
        assert_eq!(list.selected().map(|r| r.id), Some(row(cursor).id));
    }

    #[test]
    fn removing_rows_keeps_the_cursor_in_place_and_the_count_right() {
        let mut list = list(300);
        list.select(10);
        let gone: HashSet<MessageId> = [row(3).id, row(10).id, row(50).id].into();
        assert_eq!(list.remove(&gone), 3);
        assert_eq!(list.total, 297);
        assert_eq!(list.cursor, 9);
        assert_eq!(list.selected().map(|r| r.id), Some(row(11).id));
    }

    #[test]
    fn tags_select_what_an_action_works_on() {
        let mut list = list(300);
        assert_eq!(list.selection(), vec![(row(0).id, row(0).flags)]);
        list.toggle_tag();
        list.select(5);
        list.toggle_tag();
        assert_eq!(list.tag_count(), 2);
        assert_eq!(
            list.selection()
                .iter()
                .map(|(id, _)| *id)
                .collect::<Vec<_>>(),
            vec![row(0).id, row(5).id]
        );
        list.toggle_tag();
        assert_eq!(list.tag_count(), 1);
        list.tag_all((200..300).map(|n| (row(n).id, row(n).flags)));
        assert_eq!(list.tag_count(), 300);
        assert_eq!(list.selection().len(), 300);
        assert!(list.clear_tags());
        assert!(!list.clear_tags());
    }

    #[test]
    fn next_unread_looks_past_the_cursor() {
        let list = list(300);
        assert_eq!(list.next_unread(), Some(3));
    }
}
