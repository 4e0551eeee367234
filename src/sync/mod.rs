//! Work against the servers that keeps the local store and the servers in step:
//! POP3 downloads and the outbox (IMAP sync joins them).

pub mod outbox;
pub mod pop3;
