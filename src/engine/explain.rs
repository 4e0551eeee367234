//! Failures explained for a person: what happened, the likely cause and the fix,
//! when we know more than the error's own text. One place for the UI's events and
//! the CLI's messages.

use std::fmt;

use crate::auth::credentials::CredentialsError;
use crate::auth::diagnose::Explanation;
use crate::auth::diagnose::oauth::explain;
use crate::auth::diagnose::server::{explain_password, explain_sasl};
use crate::auth::manager::TokenError;
use crate::backend::BackendError;
use crate::config::Account;
use crate::proto::ProtoError;
use crate::proto::imap::ImapError;
use crate::store::StoreError;
use crate::sync::SyncError;
use crate::sync::pop3::DownloadError;

/// What went wrong: always what happened; the likely cause and the exact fix when
/// known; and what a front end can offer to do about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub what: String,
    pub cause: Option<String>,
    pub fix: Option<String>,
    pub remedy: Option<Remedy>,
}

/// Something a front end can do for the user to mend a problem (each words it in
/// its own terms: a question in the TUI, a command in the CLI).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Remedy {
    /// Create the folder `name`, then try again.
    CreateFolder { name: String },
    /// Nothing is wrong with the request: the connection failed. Doing it again
    /// once the account is back is the fix.
    TryAgain,
}

impl Problem {
    /// Only the error's own words are known.
    pub fn plain(what: impl Into<String>) -> Problem {
        Problem {
            what: what.into(),
            cause: None,
            fix: None,
            remedy: None,
        }
    }

    /// What happened, its likely cause and the fix.
    pub fn with(
        what: impl Into<String>,
        cause: impl Into<String>,
        fix: impl Into<String>,
    ) -> Problem {
        Problem {
            what: what.into(),
            cause: Some(cause.into()),
            fix: Some(fix.into()),
            remedy: None,
        }
    }

    /// The same problem, said about `context` ("work: moving").
    pub fn about(mut self, context: &str) -> Problem {
        self.what = format!("{context}: {}", self.what);
        self
    }
}

impl Problem {
    /// This problem, marked as passing: the same request may well work later.
    pub fn passing(mut self) -> Problem {
        self.remedy = Some(Remedy::TryAgain);
        self
    }
}

impl From<Explanation> for Problem {
    fn from(explanation: Explanation) -> Problem {
        Problem::with(explanation.what, explanation.cause, explanation.fix)
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.what)?;
        if let Some(cause) = &self.cause {
            write!(f, "\n  likely cause: {cause}")?;
        }
        if let Some(fix) = &self.fix {
            write!(f, "\n  fix: {fix}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Problem {}

pub fn credentials_error(error: &CredentialsError, account: &Account) -> Problem {
    match error {
        CredentialsError::Tokens(tokens) => token_error(tokens, account),
        CredentialsError::Password(oauth) => explain(oauth, account).into(),
        CredentialsError::Local(_) => Problem::plain(error.to_string()),
    }
}

fn token_error(error: &TokenError, account: &Account) -> Problem {
    match error {
        TokenError::OAuth(oauth) => explain(oauth, account).into(),
        other => Problem::plain(other.to_string()),
    }
}

pub fn proto_error(error: &ProtoError, account: &Account) -> Problem {
    if let Some(failure) = error.sasl_failure() {
        return explain_sasl(failure, account).into();
    }
    if let ProtoError::PasswordRejected {
        protocol,
        server_response,
        ..
    } = error
    {
        return explain_password(*protocol, server_response, account).into();
    }
    if let ProtoError::Tokens(inner) = error
        && let Some(tokens) = inner.downcast_ref::<TokenError>()
    {
        return token_error(tokens, account);
    }
    Problem::plain(error.to_string())
}

pub fn sync_error(error: &SyncError, account: &Account) -> Problem {
    match error {
        SyncError::Imap(ImapError::Connect(proto)) => proto_error(proto, account),
        SyncError::Imap(ImapError::Refused { response, .. }) => refused(error, response),
        SyncError::Imap(error) if error.is_connection_failure() => Problem::with(
            error.to_string(),
            "the connection to the server dropped or stalled",
            "postern connects again by itself; try again once the account is back",
        ),
        SyncError::NoTrash => Problem::with(
            format!(
                "{} has no Trash folder, so nothing was deleted",
                account.name
            ),
            "the server marks no folder as \\Trash, and none is named Trash",
            "create a folder named Trash on the server (in any mail client), then delete again",
        ),
        SyncError::MessageGone(_) => Problem::with(
            error.to_string(),
            "another client moved or deleted it since the last sync",
            "refresh the account; the list then shows where things are",
        ),
        other => Problem::plain(other.to_string()),
    }
}

/// A command the server answered NO: the response code (RFC 5530) says why.
fn refused(error: &SyncError, response: &str) -> Problem {
    let code = response.to_ascii_uppercase();
    let (cause, fix) = if code.contains("[OVERQUOTA]") {
        (
            "the mailbox is over its storage quota",
            "delete or archive old mail and empty the Trash, then try again",
        )
    } else if code.contains("[READ-ONLY]") || code.contains("[NOPERM]") {
        (
            "this folder may only be read (a shared or read-only folder)",
            "copy the messages instead of moving them, or ask the folder's owner for write access",
        )
    } else if code.contains("[TRYCREATE]")
        || code.contains("[NONEXISTENT]")
        || says_mailbox_missing(&code)
    {
        (
            "the folder does not exist on the server (any more)",
            "refresh the account to see its folders as they are now, then try again",
        )
    } else if code.contains("[LIMIT]") {
        (
            "the server limits how many messages one command may name",
            "act on fewer messages at a time",
        )
    } else if code.contains("[INUSE]") {
        ("another client holds the folder", "try again in a moment")
    } else {
        (
            "the server gave no reason beyond its answer",
            "look at the folder in another client or the server's web mail; postern shows what the server has after the next sync",
        )
    };
    Problem::with(error.to_string(), cause, fix)
}

/// Whether a refusal without a response code says in words that the folder is not
/// there: Dovecot answers a MOVE to a folder deleted meanwhile with "NO Mailbox
/// doesn't exist: Projects" (no TRYCREATE). `upper` is the answer in upper case.
fn says_mailbox_missing(upper: &str) -> bool {
    const WORDS: [&str; 3] = [
        "MAILBOX DOESN'T EXIST",
        "MAILBOX DOES NOT EXIST",
        "NO SUCH MAILBOX",
    ];
    WORDS.iter().any(|words| upper.contains(words))
}

pub fn download_error(error: &DownloadError, account: &Account) -> Problem {
    match error {
        DownloadError::Proto(proto) => proto_error(proto, account),
        other => Problem::plain(other.to_string()),
    }
}

pub fn backend_error(error: &BackendError, account: &Account) -> Problem {
    match error {
        BackendError::Sync(sync) => sync_error(sync, account),
        BackendError::Download(download) => download_error(download, account),
        BackendError::NoArchive { name } => Problem {
            what: format!("{} has no folder \"{name}\" to archive to", account.name),
            cause: Some(
                "no folder is marked \\Archive or named so, and `archive_folder` names none that exists"
                    .to_owned(),
            ),
            fix: Some(format!(
                "create \"{name}\", or set `archive_folder` in [accounts.{}] to the folder you archive to",
                account.name
            )),
            remedy: Some(Remedy::CreateFolder { name: name.clone() }),
        },
        BackendError::Store(StoreError::Io { .. }) => Problem::with(
            error.to_string(),
            "a file of the Maildir tree could not be read, moved or written",
            "check that the tree is yours and writable and the disk is not full; the next rescan shows the tree as it is on disk",
        ),
        BackendError::NoServerDrafts => Problem::with(
            format!(
                "{} keeps drafts in postern only: a POP3 account has no Drafts folder on the server",
                account.name
            ),
            "POP3 only downloads the INBOX; the server has no folders to save a draft in",
            "nothing to do: the draft stays in postern's drafts until you send or discard it (use IMAP to see drafts on other devices)",
        ),
        BackendError::NotADraft(_) => Problem::with(
            error.to_string(),
            "the message is not in the account's Drafts folder (it was moved, or it is other mail), and only drafts are removed this way",
            "nothing was deleted; delete the message yourself if you meant to, or refresh the account to see where it is",
        ),
        other => Problem::plain(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_problem_prints_cause_and_fix_on_their_own_lines() {
        let problem = Problem::with("it broke", "a cause", "a fix").about("work: moving");
        assert_eq!(
            problem.to_string(),
            "work: moving: it broke\n  likely cause: a cause\n  fix: a fix"
        );
        assert_eq!(Problem::plain("only this").to_string(), "only this");
    }

    #[test]
    fn a_refusal_is_explained_by_its_response_code() {
        let refusal = |response: &str| {
            let error = SyncError::Imap(ImapError::Refused {
                host: "mail.example".into(),
                port: 993,
                command: "UID MOVE".into(),
                response: response.into(),
            });
            refused(&error, response)
        };
        let quota = refusal("NO [OVERQUOTA] Quota exceeded (mailbox for user is full)");
        assert!(quota.cause.unwrap().contains("quota"));
        assert!(quota.what.contains("refused UID MOVE"));
        let read_only = refusal("NO [NOPERM] Permission denied");
        assert!(read_only.fix.unwrap().contains("copy"));
        let plain = refusal("NO Something odd");
        assert!(plain.fix.unwrap().contains("next sync"));
    }

    #[test]
    fn a_refusal_that_says_the_folder_is_missing_without_a_code_is_explained_so() {
        let response = "NO Mailbox doesn't exist: Projects (0.001 + 0.000 secs).";
        let error = SyncError::Imap(ImapError::Refused {
            host: "mail.example".into(),
            port: 993,
            command: "UID MOVE".into(),
            response: response.into(),
        });
        let problem = refused(&error, response);
        assert_eq!(
            problem.cause.as_deref(),
            Some("the folder does not exist on the server (any more)")
        );
        assert!(problem.fix.unwrap().contains("refresh the account"));
        assert!(problem.what.contains("Mailbox doesn't exist: Projects"));
    }
}
