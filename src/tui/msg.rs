//! What goes into `update` and what comes out of it.

use crossterm::event::KeyEvent;

use crate::engine::{Command, Event};
use crate::store::DraftId;

/// The local wall clock, read by the event loop (never by `update` or `view`),
/// so that dates like "today 14:02" can be drawn without IO and tested with a
/// fixed time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Clock {
    /// Seconds since the Unix epoch.
    pub now: i64,
    /// Local time minus UTC, in seconds.
    pub utc_offset: i32,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Msg {
    Key(KeyEvent),
    /// Text pasted into the terminal (bracketed paste).
    Paste(String),
    /// The terminal's new size: columns, rows.
    Resize(u16, u16),
    Engine(Event),
    /// Periodic wake-up carrying the current time.
    Tick(Clock),
    /// The editor the draft was given to ended: the text it left in the file (and a
    /// note when it exited with an error), or why there is none.
    Edited {
        draft: DraftId,
        outcome: super::editing::EditOutcome,
    },
    /// A file to attach was looked at: where it is and its size, or why not.
    Attached {
        draft: DraftId,
        file: Result<(std::path::PathBuf, u64), String>,
    },
    /// The terminal went away (SIGHUP) or postern was asked to stop (SIGTERM): keep
    /// what is being written, then quit.
    Hangup,
}

/// What `update` asks the event loop to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    Engine(Command),
    /// Give the draft's text to the user's editor (the terminal with it), and
    /// answer with [`Msg::Edited`].
    Edit {
        draft: DraftId,
        text: String,
    },
    /// The edited text is saved in the store: the editor's file can go.
    ForgetEdit(DraftId),
    /// Look at a file to attach (`~` allowed); answered with [`Msg::Attached`].
    Attach {
        draft: DraftId,
        path: String,
    },
    Quit,
}
