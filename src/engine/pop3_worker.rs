//! A POP3 account's worker: downloads at start, on Refresh and every
//! `pop3_interval`; after a failure it retries with backoff instead.

use tokio::time::Instant;

use super::Event;
use super::backoff::Backoff;
use super::explain;
use super::send::send_now;
use super::worker::{Context, Job, Jobs, local_job, open_store};
use crate::auth::credentials::Credentials;
use crate::proto::{ConnectOptions, pop3};
use crate::store::{FolderRole, Store};
use crate::sync::pop3::{DownloadRequest, download};

pub(super) async fn run(context: Context, mut jobs: Jobs) {
    let mut backoff = Backoff::new(context.options.backoff, context.id.0.unsigned_abs());
    let mut store: Option<Store> = None;
    let mut credentials: Option<Credentials> = None;
    let mut due = Instant::now();
    loop {
        let job = tokio::select! {
            _ = tokio::time::sleep_until(due) => Job::Refresh,
            job = jobs.recv() => match job {
                Some(job) => job,
                None => return,
            },
        };
        match job {
            Job::Refresh => {
                if download_once(&context, &mut store, &mut credentials).await {
                    backoff.reset();
                    due = Instant::now() + context.options.pop3_interval;
                } else {
                    let delay = backoff.next_delay();
                    context.emit(Event::Retrying {
                        account: context.id,
                        attempt: backoff.attempt(),
                        delay,
                    });
                    due = Instant::now() + delay;
                }
            }
            Job::Send { raw } => {
                if let Some(store) = open_store(&context, &mut store) {
                    send_now(&context, store, &raw, credentials.as_ref()).await;
                }
            }
            other => {
                if let Some(store) = open_store(&context, &mut store) {
                    local_job(&context, store, other);
                }
            }
        }
    }
}

/// One session; true when it completed. Failures are reported as events.
async fn download_once(
    context: &Context,
    store: &mut Option<Store>,
    credentials: &mut Option<Credentials>,
) -> bool {
    let account = &context.account;
    if credentials.is_none() {
        match Credentials::of(
            &context.token_dir,
            account,
            context.options.password_timeout,
        )
        .await
        {
            Ok(resolved) => *credentials = Some(resolved),
            Err(err) => {
                context.error("logging in", explain::credentials_error(&err, account));
                return false;
            }
        }
    }
    let Some(resolved) = credentials.as_ref() else {
        return false;
    };
    let options = ConnectOptions::for_account(account);
    let session = match pop3::connect(account, resolved, &options).await {
        Ok(session) => session,
        Err(err) => {
            if err.is_login_refused() {
                // Resolved again next time (see the IMAP worker).
                *credentials = None;
            }
            context.error("connecting", explain::proto_error(&err, account));
            return false;
        }
    };
    if open_store(context, store).is_none() {
        return false;
    }
    let Some(owned) = store.take() else {
        return false;
    };
    // The folder the download fills, for progress events.
    let inbox = match owned.upsert_folder(context.id, "INBOX", Some(FolderRole::Inbox)) {
        Ok(inbox) => inbox,
        Err(err) => {
            context.error("downloading", err);
            *store = Some(owned);
            return false;
        }
    };
    let request = DownloadRequest::new(context.id, account.pop3_delete.into());
    let events = context.events.clone();
    let id = context.id;
    let downloaded = download(session, owned, &request, move |progress| {
        let _ = events.send(Event::Progress {
            account: id,
            folder: inbox,
            fetched: progress.stored,
            to_fetch: progress.total,
        });
    })
    .await;
    *store = downloaded.store;
    match downloaded.result {
        Ok(report) => {
            if report.stored + report.forgotten > 0 {
                context.changed();
            }
            context.emit(Event::Synced { account: id });
            true
        }
        Err(err) => {
            context.error("downloading", explain::download_error(&err, account));
            false
        }
    }
}
