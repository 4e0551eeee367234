//! Indexing a local Maildir++ tree into the store.
