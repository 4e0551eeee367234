//! What goes into `update` and what comes out of it.

use crossterm::event::KeyEvent;

use crate::engine::{Command, Event};

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
    /// The terminal's new size: columns, rows.
    Resize(u16, u16),
    Engine(Event),
    /// Periodic wake-up carrying the current time.
    Tick(Clock),
}

/// What `update` asks the event loop to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    Engine(Command),
    Quit,
}
