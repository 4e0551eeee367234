//! Everything the UI knows, in plain data. Only `update` changes it.
//!
//! The main screen ([`Main`]: accounts, folders, lists, the open message) sits at
//! the bottom; [`Layer`]s (help, pickers, prompts, questions) stack over it and get
//! the keys first. What is being done to mail, and what can be undone, is in
//! [`Acting`].

use std::collections::HashMap;

use crate::keys::{Context, Keymap};
use crate::mime::Rendered;
use crate::store::{AccountId, AccountRow, FolderId, FolderRow, MessageId};

use super::acting::Acting;
use super::composer::Composer;
use super::layer::Layer;
use super::list::MessageList;
use super::msg::Clock;
use super::theme::Theme;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Focus {
    Folders,
    #[default]
    List,
    Message,
}

impl Focus {
    /// The key table that applies.
    pub fn context(self) -> Context {
        match self {
            Focus::Folders => Context::Folders,
            Focus::List => Context::List,
            Focus::Message => Context::Message,
        }
    }
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
    /// Whether it was asked for (the view can exist before: the engine may tell an
    /// account's outbox before the accounts are loaded).
    pub folders_asked: bool,
    pub folder_cursor: usize,
    /// Message lists of the folders visited, kept for instant switching.
    pub lists: HashMap<FolderId, MessageList>,
    pub open: Option<OpenMessage>,
    /// Messages not sent yet; while there are any, the folder pane has an
    /// "Outbox" entry after the folders.
    pub outbox: Vec<crate::engine::OutboxEntry>,
}

impl AccountView {
    /// Rows of the folder pane: the folders, then the outbox while it holds any.
    pub fn folder_rows(&self) -> usize {
        self.folders.len() + usize::from(!self.outbox.is_empty())
    }

    /// The folder pane's cursor is on the Outbox entry.
    pub fn on_outbox(&self) -> bool {
        !self.outbox.is_empty() && self.folder_cursor == self.folders.len()
    }

    pub fn folder(&self) -> Option<&FolderRow> {
        self.folders.get(self.folder_cursor)
    }

    pub fn list(&self) -> Option<&MessageList> {
        self.folder().and_then(|f| self.lists.get(&f.id))
    }

    pub fn list_mut(&mut self) -> Option<&mut MessageList> {
        let folder = self.folder()?.id;
        self.lists.get_mut(&folder)
    }

    pub fn unread(&self) -> u64 {
        self.folders.iter().map(|f| u64::from(f.unread)).sum()
    }
}

/// The main screen: tabs, folders, the message list and the open message.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Main {
    pub accounts: Vec<AccountRow>,
    /// Index into `accounts` of the account shown.
    pub current: Option<usize>,
    pub views: HashMap<AccountId, AccountView>,
    pub focus: Focus,
    pub full_headers: bool,
}

impl Main {
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

    pub fn account_name(&self, account: AccountId) -> String {
        self.accounts
            .iter()
            .find(|a| a.id == account)
            .map_or_else(|| format!("account {}", account.0), |a| a.name.clone())
    }
}

/// What the look and the keys are: fixed for a run, read from the config.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Settings {
    pub keys: Keymap,
    pub theme: Theme,
    pub writing: Writing,
}

/// How mail is written here.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Writing {
    /// The editor's shell command; `None`: postern's own editor.
    pub editor: Option<String>,
    /// Where the editor's files are (0700; each file 0600).
    pub drafts_dir: std::path::PathBuf,
    /// Per account name: the `From` addresses it can send as, its own first.
    pub identities: HashMap<String, Vec<String>>,
}

impl Writing {
    /// Writing with `editor` (`None`: postern's own) into `drafts_dir`, for `accounts`.
    pub fn new(
        accounts: &[crate::config::Account],
        editor: Option<String>,
        drafts_dir: std::path::PathBuf,
    ) -> Writing {
        let identities = accounts
            .iter()
            .map(|account| {
                let addresses = account
                    .identities
                    .iter()
                    .map(|identity| {
                        crate::mime::Address {
                            name: identity.name.clone(),
                            email: identity.email.clone(),
                        }
                        .display()
                    })
                    .collect();
                (account.name.clone(), addresses)
            })
            .collect();
        Writing {
            editor,
            drafts_dir,
            identities,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    pub main: Main,
    /// Over the main screen, the top one last: it gets the keys first.
    pub layers: Vec<Layer>,
    pub status: Status,
    pub acting: Acting,
    /// Messages being started, saved, sent, held back.
    pub composer: Composer,
    pub settings: Settings,
    /// Terminal size: columns, rows.
    pub size: (u16, u16),
    pub clock: Clock,
    /// Set by `update` when the screen needs drawing again.
    pub dirty: bool,
}

impl Model {
    pub fn new(size: (u16, u16), clock: Clock) -> Model {
        Model::with_settings(size, clock, Settings::default())
    }

    pub fn with_settings(size: (u16, u16), clock: Clock, settings: Settings) -> Model {
        Model {
            main: Main::default(),
            layers: Vec::new(),
            status: Status::None,
            acting: Acting::default(),
            composer: Composer::default(),
            settings,
            size,
            clock,
            dirty: true,
        }
    }

    pub fn account(&self) -> Option<&AccountRow> {
        self.main.account()
    }

    pub fn view(&self) -> Option<&AccountView> {
        self.main.view()
    }

    pub fn view_mut(&mut self) -> Option<&mut AccountView> {
        self.main.view_mut()
    }

    pub fn open_message(&self) -> Option<&OpenMessage> {
        self.main.open_message()
    }

    pub fn keys(&self) -> &Keymap {
        &self.settings.keys
    }

    pub fn theme(&self) -> &Theme {
        &self.settings.theme
    }

    /// Take the redraw flag (the event loop calls this after each update).
    pub fn take_dirty(&mut self) -> bool {
        std::mem::replace(&mut self.dirty, false)
    }
}
