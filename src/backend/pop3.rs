//! A POP3 account's sync: a download into the local INBOX over a fresh session.
//! Everything else a POP3 account does happens to its local copies ([`super::Local`]).

use std::sync::Arc;

use super::{BackendError, FolderSynced, SyncObserver, SyncTotals};
use crate::auth::credentials::Credentials;
use crate::config::Account;
use crate::proto::{ConnectOptions, pop3};
use crate::store::{AccountId, FolderRole, Store};
use crate::sync::SyncProgress;
use crate::sync::pop3::{DownloadError, DownloadRequest, download};

/// How to download: the account's settings and the credentials to log in with.
pub struct Pop3Download {
    config: Account,
    credentials: Option<Arc<Credentials>>,
}

impl Pop3Download {
    pub fn new(config: Account, credentials: Option<Arc<Credentials>>) -> Pop3Download {
        Pop3Download {
            config,
            credentials,
        }
    }

    /// Credentials for the next downloads (`None` after the server refused them).
    pub fn set_credentials(&mut self, credentials: Option<Arc<Credentials>>) {
        self.credentials = credentials;
    }

    pub fn credentials(&self) -> Option<&Credentials> {
        self.credentials.as_deref()
    }

    /// Downloads what is new. A first download brings old mail, not new mail;
    /// everything downloaded later is unread, so it all counts.
    pub(super) async fn run(
        &self,
        account: AccountId,
        store: &mut Store,
        observer: &mut dyn SyncObserver,
    ) -> Result<SyncTotals, BackendError> {
        let credentials = self
            .credentials
            .as_deref()
            .ok_or(BackendError::NoCredentials)?;
        let options = ConnectOptions::for_account(&self.config);
        let session = pop3::connect(&self.config, credentials, &options)
            .await
            .map_err(DownloadError::from)?;
        // A download before this one made the INBOX (the UIDLs do not tell: those the
        // server no longer lists are forgotten).
        let downloaded_before = store
            .folders(account)?
            .iter()
            .any(|f| f.role == Some(FolderRole::Inbox));
        let inbox = store.upsert_folder(account, "INBOX", Some(FolderRole::Inbox))?;
        // The download writes on a blocking thread through a connection of its own.
        let own = store.reopen()?.ok_or(BackendError::InMemoryStore)?;
        let request = DownloadRequest::new(account, self.config.pop3_delete.into());
        let downloaded = download(session, own, &request, |progress| {
            observer.progress(SyncProgress {
                folder: inbox,
                fetched: progress.stored,
                to_fetch: progress.total,
            });
        })
        .await;
        let report = downloaded.result?;
        observer.synced(FolderSynced {
            folder: inbox,
            name: "INBOX".to_owned(),
            changed: report.stored + report.forgotten > 0,
            new_mail: if downloaded_before { report.stored } else { 0 },
        });
        Ok(SyncTotals {
            new: report.stored,
            notes: (report.deleted > 0)
                .then(|| format!("{} deleted from the server", report.deleted))
                .into_iter()
                .collect(),
            ..SyncTotals::default()
        })
    }
}
