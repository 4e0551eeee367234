//! Everything the UI knows, in plain data. Only `update` changes it.

use std::collections::HashMap;

use crate::mime::Rendered;
use crate::store::{AccountId, AccountRow, EnvelopeRow, FolderId, FolderRow, MessageId};

use super::msg::Clock;

/// How many envelopes to ask for at a time.
pub const PAGE_SIZE: usize = 200;
/// Ask for the next page when the cursor gets this close to the end of what is loaded.
pub const PREFETCH_MARGIN: usize = 50;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Focus {
    Folders,
    #[default]
    List,
    Message,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    None,
    /// Background work under way (sync progress, a reconnect): gone when it ends.
    Busy(String),
    /// A result to read ("sent"): stays until something else is said.
    Info(String),
    Error(String),
}

/// The loaded part of one folder's message list, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MessageList {
    /// Envelopes `0..rows.len()` of the folder; later pages are appended.
    pub rows: Vec<EnvelopeRow>,
    /// How many envelopes the folder has in all.
    pub total: usize,
    pub cursor: usize,
    /// First row shown in the pane.
    pub top: usize,
    /// Offset of a page asked for and not yet received.
    pub pending: Option<usize>,
    /// Whether any page has arrived yet.
    pub loaded: bool,
    /// The store changed while this list was not shown: reload it when shown.
    pub stale: bool,
}

impl MessageList {
    pub fn selected(&self) -> Option<&EnvelopeRow> {
        self.rows.get(self.cursor)
    }
}

/// A message being shown, or being fetched to be shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenMessage {
    pub id: MessageId,
    /// `None` until the engine answers.
    pub rendered: Option<Box<Rendered>>,
    /// First line shown.
    pub scroll: usize,
    /// Line counts of the message as last laid out, kept so that scrolling a
    /// long message does not re-wrap all of it on every key.
    pub layout: Option<MessageLayout>,
}

/// How many screen lines each part of a message takes at a given width.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MessageLayout {
    pub columns: usize,
    pub full_headers: bool,
    /// Header lines plus the rule under them.
    pub head: usize,
    /// `body_starts[i]` is the first screen line of body line `i`;
    /// the last entry is the number of body screen lines.
    pub body_starts: Vec<usize>,
    /// Attachment list lines.
    pub tail: usize,
}

impl MessageLayout {
    pub fn body_rows(&self) -> usize {
        self.body_starts.last().copied().unwrap_or(0)
    }

    pub fn total(&self) -> usize {
        self.head + self.body_rows() + self.tail
    }

    pub fn fits(&self, columns: usize, full_headers: bool) -> bool {
        self.columns == columns && self.full_headers == full_headers
    }
}

/// What the UI keeps per account, so switching back to one is instant.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AccountView {
    pub folders: Vec<FolderRow>,
    /// Whether the folder list has arrived at least once.
    pub folders_loaded: bool,
    pub folder_cursor: usize,
    /// Message lists of the folders visited, kept for instant switching.
    pub lists: HashMap<FolderId, MessageList>,
    pub open: Option<OpenMessage>,
}

impl AccountView {
    pub fn folder(&self) -> Option<&FolderRow> {
        self.folders.get(self.folder_cursor)
    }

    pub fn list(&self) -> Option<&MessageList> {
        self.folder().and_then(|f| self.lists.get(&f.id))
    }

    pub fn unread(&self) -> u64 {
        self.folders.iter().map(|f| u64::from(f.unread)).sum()
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    pub accounts: Vec<AccountRow>,
    /// Index into `accounts` of the account shown.
    pub current: Option<usize>,
    pub views: HashMap<AccountId, AccountView>,
    pub focus: Focus,
    pub full_headers: bool,
    pub help: bool,
    pub status: Status,
    /// Terminal size: columns, rows.
    pub size: (u16, u16),
    pub clock: Clock,
    /// Set by `update` when the screen needs drawing again.
    pub dirty: bool,
}

impl Model {
    pub fn new(size: (u16, u16), clock: Clock) -> Model {
        Model {
            accounts: Vec::new(),
            current: None,
            views: HashMap::new(),
            focus: Focus::List,
            full_headers: false,
            help: false,
            status: Status::None,
            size,
            clock,
            dirty: true,
        }
    }

    pub fn account(&self) -> Option<&AccountRow> {
        self.current.and_then(|i| self.accounts.get(i))
    }

    pub fn view(&self) -> Option<&AccountView> {
        self.account().and_then(|a| self.views.get(&a.id))
    }

    pub fn view_mut(&mut self) -> Option<&mut AccountView> {
        let id = self.account()?.id;
        self.views.get_mut(&id)
    }

    pub fn open_message(&self) -> Option<&OpenMessage> {
        self.view().and_then(|v| v.open.as_ref())
    }

    /// Take the redraw flag (the event loop calls this after each update).
    pub fn take_dirty(&mut self) -> bool {
        std::mem::replace(&mut self.dirty, false)
    }
}
