//! Errors of the test stack, each with a message that says what to do.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum StackError {
    #[error(
        "Dovecot is not installed (no `dovecot` in /usr/sbin or PATH): run scripts/test.sh, or \
         apt-get install dovecot-core dovecot-imapd dovecot-pop3d dovecot-submissiond dovecot-lmtpd"
    )]
    DovecotMissing,
    #[error(
        "the test mail stack must run as root (Dovecot drops privileges to vmail itself): run scripts/test.sh as root"
    )]
    NotRoot,
    #[error(
        "the system user `vmail` is missing: run scripts/test.sh, or useradd --system --user-group \
         --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin vmail"
    )]
    VmailMissing,
    #[error("{action} {path}: {source}")]
    Fs {
        action: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("could not {action}: {source}")]
    Io {
        action: &'static str,
        source: std::io::Error,
    },
    #[error("could not make the test certificates: {0}")]
    Certificate(#[from] rcgen::Error),
    #[error("TLS setup failed: {0}")]
    Tls(#[from] rustls::Error),
    #[error("Dovecot did not start: {reason}\n--- last lines of {log} ---\n{tail}")]
    DovecotStart {
        reason: String,
        log: PathBuf,
        tail: String,
    },
    #[error("the stack's runtime thread is gone")]
    RuntimeGone,
    #[error("timed out after {0:?} waiting for {1}")]
    Timeout(std::time::Duration, &'static str),
    #[error("the server closed the connection")]
    Closed,
    #[error("unknown client_id {0:?}: register it with Idp::register_client first")]
    UnknownClient(String),
    #[error("bad seed spec: {0}")]
    BadSeed(String),
}

impl StackError {
    pub(crate) fn fs(
        action: &'static str,
        path: impl Into<PathBuf>,
    ) -> impl FnOnce(std::io::Error) -> Self {
        let path = path.into();
        move |source| StackError::Fs {
            action,
            path,
            source,
        }
    }

    pub(crate) fn io(action: &'static str) -> impl FnOnce(std::io::Error) -> Self {
        move |source| StackError::Io { action, source }
    }
}
