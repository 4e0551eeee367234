//! Writing mail: the rules every front end shares (the TUI, `postern compose`, the
//! engine). How a message starts from an account's settings ([`begin`]), how a draft
//! becomes a message ([`outgoing_message`], [`drafts_folder_copy`]) and what to say
//! before it goes ([`check`]). No terminal and no network here.

mod build;
mod check;
mod signature;
mod start;

pub use build::{DraftError, drafts_folder_copy, outgoing_message, to_mime};
pub use check::{Checked, check};
pub use signature::{SignatureError, read_signature};
pub use start::{Begin, Begun, begin, format_list, identity_address};
