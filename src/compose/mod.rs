//! Writing mail: the rules every front end shares (the TUI, `postern compose`, the
//! engine). How a message starts from an account's settings ([`begin`]), how a draft
//! becomes a message ([`outgoing_message`], [`drafts_folder_copy`]) and what to say
//! before it goes ([`check`]). No terminal and no network here; the external editor
//! ([`editor`]) is run here so every front end runs it the same way, and `mailto:`
//! links are read in [`mailto`].

pub mod address_book;
mod build;
mod check;
pub mod editor;
mod forward;
pub mod mailto;
mod signature;
mod start;

pub use build::{DraftError, drafts_folder_copy, outgoing_message, to_mime};
pub use check::{Checked, check};
pub use editor::{
    EditFile, EditHold, EditedText, Editor, EditorError, EditorOrigin, Kept, KeptReason,
    RecoverError, Recovered, Recovery, choose_editor, choose_editor_from, recover_edits,
    run_editor,
};
pub use forward::switch_forward;
pub use mailto::{Mailto, MailtoError, parse_mailto};
pub use signature::{SignatureError, read_signature};
pub use start::{Begin, Begun, begin, format_list, identity_address};
