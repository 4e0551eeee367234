//! Maildir++ trees: indexing them into the store, and the file operations behind a
//! Maildir account's flags, moves, copies and deletes.

mod files;
mod index;

pub use files::{change_local_flags, set_maildir_flags, set_message_flags};
pub(crate) use files::{
    copy_file, create_folder_dir, current_file, deliver, move_file, remove_file,
};
pub use index::{IndexReport, index_maildir};
