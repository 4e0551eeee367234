//! Failures explained for a person: the auth layer's diagnosis (what happened, the
//! likely cause, the fix) when it knows more than the error's own text. One place
//! for the UI's error events and the CLI's messages.

use std::fmt;

use crate::auth::credentials::CredentialsError;
use crate::auth::diagnose::Explanation;
use crate::auth::diagnose::oauth::explain;
use crate::auth::diagnose::server::{explain_password, explain_sasl};
use crate::auth::manager::TokenError;
use crate::config::Account;
use crate::proto::ProtoError;
use crate::proto::imap::ImapError;
use crate::sync::SyncError;
use crate::sync::pop3::DownloadError;

/// What went wrong, explained when we know more than the error's own text.
#[derive(Debug)]
pub enum Problem {
    Explained(Explanation),
    Plain(String),
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::Explained(explanation) => explanation.fmt(f),
            Problem::Plain(message) => f.write_str(message),
        }
    }
}

impl std::error::Error for Problem {}

pub fn credentials_error(error: &CredentialsError, account: &Account) -> Problem {
    match error {
        CredentialsError::Tokens(tokens) => token_error(tokens, account),
        CredentialsError::Password(oauth) => Problem::Explained(explain(oauth, account)),
        CredentialsError::Local(_) => Problem::Plain(error.to_string()),
    }
}

fn token_error(error: &TokenError, account: &Account) -> Problem {
    match error {
        TokenError::OAuth(oauth) => Problem::Explained(explain(oauth, account)),
        other => Problem::Plain(other.to_string()),
    }
}

pub fn proto_error(error: &ProtoError, account: &Account) -> Problem {
    if let Some(failure) = error.sasl_failure() {
        return Problem::Explained(explain_sasl(failure, account));
    }
    if let ProtoError::PasswordRejected {
        protocol,
        server_response,
        ..
    } = error
    {
        return Problem::Explained(explain_password(*protocol, server_response, account));
    }
    if let ProtoError::Tokens(inner) = error
        && let Some(tokens) = inner.downcast_ref::<TokenError>()
    {
        return token_error(tokens, account);
    }
    Problem::Plain(error.to_string())
}

pub fn sync_error(error: &SyncError, account: &Account) -> Problem {
    match error {
        SyncError::Imap(ImapError::Connect(proto)) => proto_error(proto, account),
        other => Problem::Plain(other.to_string()),
    }
}

pub fn download_error(error: &DownloadError, account: &Account) -> Problem {
    match error {
        DownloadError::Proto(proto) => proto_error(proto, account),
        other => Problem::Plain(other.to_string()),
    }
}
