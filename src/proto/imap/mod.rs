//! IMAP: connecting and logging in ([`connect`]), and a small command runner over
//! the logged-in session ([`ImapConn`]) that the synchronisation in `crate::sync`
//! drives: folder lists, envelope fetches, flag and move commands, IDLE, APPEND.
//!
//! async-imap does the login and parses responses (imap-proto); commands are written
//! by [`ImapConn`] itself so every extension Dovecot and friends offer (QRESYNC,
//! MOVE, UIDPLUS, LITERAL+) can be used and every read runs under a timeout.

pub mod conn;
mod connect;
pub mod error;
pub mod fetch;
pub mod list;
mod quote;

pub use conn::{Capabilities, Completion, Handled, ImapConn, Selected, ServerEvents};
pub use connect::{ImapSession, connect_authenticated, connect_oauth, connect_password};
pub use error::ImapError;
pub use fetch::{ENVELOPE_ITEMS, FetchedEnvelope, RawFetch};
pub use list::RemoteFolder;
pub use quote::quote;
