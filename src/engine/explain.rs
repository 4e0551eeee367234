//! Error text for the UI: authentication failures explained (what, cause, fix)
//! where the diagnosis knows them, the error's own message otherwise.

use crate::auth::credentials::CredentialsError;
use crate::auth::diagnose::oauth::explain;
use crate::auth::diagnose::server::explain_sasl;
use crate::auth::manager::TokenError;
use crate::config::Account;
use crate::proto::ProtoError;
use crate::proto::imap::ImapError;
use crate::sync::SyncError;
use crate::sync::pop3::DownloadError;

pub(super) fn sync_error(error: &SyncError, account: &Account) -> String {
    match error {
        SyncError::Imap(ImapError::Connect(proto)) => proto_error(proto, account),
        other => other.to_string(),
    }
}

pub(super) fn download_error(error: &DownloadError, account: &Account) -> String {
    match error {
        DownloadError::Proto(proto) => proto_error(proto, account),
        other => other.to_string(),
    }
}

pub(super) fn proto_error(error: &ProtoError, account: &Account) -> String {
    if let Some(failure) = error.sasl_failure() {
        return explain_sasl(failure, account).to_string();
    }
    if let ProtoError::Tokens(inner) = error
        && let Some(tokens) = inner.downcast_ref::<TokenError>()
    {
        return token_error(tokens, account);
    }
    error.to_string()
}

pub(super) fn credentials_error(error: &CredentialsError, account: &Account) -> String {
    match error {
        CredentialsError::Tokens(tokens) => token_error(tokens, account),
        CredentialsError::Password(oauth) => explain(oauth, account).to_string(),
        CredentialsError::Local(_) => error.to_string(),
    }
}

fn token_error(error: &TokenError, account: &Account) -> String {
    match error {
        TokenError::OAuth(oauth) => explain(oauth, account).to_string(),
        other => other.to_string(),
    }
}
