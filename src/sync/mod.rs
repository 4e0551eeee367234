//! Work against the servers that keeps the local store and the servers in step.

pub mod outbox;
