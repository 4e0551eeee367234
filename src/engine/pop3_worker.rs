//! A POP3 account's worker: downloads at start, on Refresh and every
//! `pop3_interval`; after a failure it retries with backoff instead. Everything
//! else acts on the downloaded copies and needs no server.

use std::sync::Arc;

use tokio::time::Instant;

use super::Event;
use super::backoff::Backoff;
use super::explain;
use super::send::{follow_up_all, send_now};
use super::worker::{Context, Job, Jobs, open_store, sync};
use crate::auth::credentials::Credentials;
use crate::backend::{Backend, Pop3Download};
use crate::store::Store;

pub(super) async fn run(context: Context, mut jobs: Jobs) {
    let mut backoff = Backoff::new(context.options.backoff, context.id.0.unsigned_abs());
    let mut store: Option<Store> = None;
    let mut backend = Backend::pop3(context.id, Pop3Download::new(context.account.clone(), None));
    let mut due = Instant::now();
    loop {
        let job = tokio::select! {
            _ = tokio::time::sleep_until(due) => Job::Refresh,
            job = jobs.recv() => match job {
                Some(job) => job,
                None => return,
            },
        };
        let Some(store) = open_store(&context, &mut store) else {
            if job == Job::Refresh {
                due = Instant::now() + backoff.next_delay();
            }
            super::worker::refuse(&context, job);
            continue;
        };
        match job {
            Job::Refresh => {
                if download_once(&context, &mut backend, store).await {
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
            Job::Send { .. } | Job::SendDue => {
                let raw = match &job {
                    Job::Send { raw } => Some(raw.as_slice()),
                    _ => None,
                };
                let credentials = backend.pop3_download().and_then(|d| d.credentials());
                let mut sent = send_now(&context, store, raw, credentials).await;
                // Nothing here breaks a connection; failures are reported inside.
                let _ = follow_up_all(&context, store, &mut backend, &mut sent).await;
            }
            Job::Run { request, op } => {
                super::perform::run(&context, &mut backend, store, request, op).await;
            }
            Job::Draft { request, job } => {
                super::draft_jobs::run(&context, &mut backend, store, request, job).await;
            }
            Job::Open { .. } => context.error(
                "opening message",
                "this message's body has not been downloaded yet",
            ),
        }
    }
}

/// One download; true when it completed. Failures are reported as events.
async fn download_once(context: &Context, backend: &mut Backend, store: &mut Store) -> bool {
    let Some(download) = backend.pop3_download() else {
        return false;
    };
    if download.credentials().is_none() {
        match Credentials::of(
            &context.token_dir,
            &context.account,
            context.options.password_timeout,
        )
        .await
        {
            Ok(resolved) => download.set_credentials(Some(Arc::new(resolved))),
            Err(err) => {
                context.report(
                    "logging in",
                    explain::credentials_error(&err, &context.account),
                );
                return false;
            }
        }
    }
    match sync(context, backend, store).await {
        Ok(()) => true,
        Err(error) => {
            if error.is_login_refused()
                && let Some(download) = backend.pop3_download()
            {
                // Resolved again next time (see the IMAP worker).
                download.set_credentials(None);
            }
            false
        }
    }
}
