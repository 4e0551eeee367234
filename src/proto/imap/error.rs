//! What can go wrong once logged in: each variant names the server and the command.

use super::super::error::ProtoError;

/// An IMAP command failed. After [`ImapError::ConnectionLost`], [`ImapError::Timeout`]
/// or [`ImapError::Garbage`] the connection is unusable: reconnect.
#[derive(Debug, thiserror::Error)]
pub enum ImapError {
    #[error(transparent)]
    Connect(#[from] ProtoError),
    #[error("{host}:{port} did not answer {command} within {seconds} s")]
    Timeout {
        host: String,
        port: u16,
        command: String,
        seconds: u64,
    },
    #[error("the connection to {host}:{port} was lost during {command}: {detail}")]
    ConnectionLost {
        host: String,
        port: u16,
        command: String,
        detail: String,
    },
    #[error("{host}:{port} sent something that is not IMAP during {command}: {detail}")]
    Garbage {
        host: String,
        port: u16,
        command: String,
        detail: String,
    },
    #[error("{host}:{port} refused {command}: {response}")]
    Refused {
        host: String,
        port: u16,
        command: String,
        response: String,
    },
    #[error("{host}:{port} closed the session: {response}")]
    Bye {
        host: String,
        port: u16,
        response: String,
    },
    #[error("the connection to {host}:{port} is unusable after an earlier failure; reconnect")]
    Broken { host: String, port: u16 },
    #[error("{host}:{port} sent an unexpected answer to {command}: {detail}")]
    Unexpected {
        host: String,
        port: u16,
        command: String,
        detail: String,
    },
}

impl ImapError {
    /// RFC 5530's `NO [EXPUNGEISSUED]`: the command failed only because messages it
    /// named were expunged meanwhile; the answers for the others came.
    pub fn is_expunge_issued(&self) -> bool {
        matches!(self, ImapError::Refused { response, .. }
            if response.to_ascii_uppercase().contains("[EXPUNGEISSUED]"))
    }

    /// True when the connection cannot be used any more (reconnect and resume).
    pub fn is_connection_failure(&self) -> bool {
        matches!(
            self,
            ImapError::Connect(_)
                | ImapError::Timeout { .. }
                | ImapError::ConnectionLost { .. }
                | ImapError::Garbage { .. }
                | ImapError::Bye { .. }
                | ImapError::Broken { .. }
        )
    }
}
