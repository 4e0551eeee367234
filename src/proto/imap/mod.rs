//! IMAP: connecting and logging in ([`connect`]), and a small command runner over
//! the logged-in session ([`ImapConn`]) that the synchronisation in `crate::sync`
//! drives: folder lists, envelope fetches, flag and move commands, IDLE, APPEND.
//!
//! async-imap does the login; after it, [`ImapConn`] writes commands itself so every
//! extension Dovecot and friends offer (QRESYNC, MOVE, UIDPLUS, LITERAL+) can be used,
//! and reads responses with its own framing buffer ([`reader`]), parsed by imap-proto,
//! every read under a timeout.

pub mod conn;
mod connect;
pub mod error;
pub mod fetch;
pub mod list;
mod quote;
mod reader;

pub use conn::{Capabilities, Completion, Handled, ImapConn, Selected, ServerEvents};
pub use connect::{ImapSession, connect, connect_authenticated, connect_oauth, connect_password};
pub use error::ImapError;
pub use fetch::{DATE_ITEMS, ENVELOPE_ITEMS, FetchedEnvelope, RawFetch, uid_and_internal_date};
pub use list::RemoteFolder;
pub use quote::quote;
