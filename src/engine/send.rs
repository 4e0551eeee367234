//! Sending: the message goes into the outbox first (durable), then the account's
//! due messages go out over one SMTP session logged in with its credentials.

use super::Event;
use super::explain;
use super::worker::Context;
use crate::auth::credentials::Credentials;
use crate::proto::{ConnectOptions, smtp};
use crate::store::Store;
use crate::sync::outbox::{queue_message, send_outbox};

/// Queues `raw` and sends the account's outbox. `credentials` are resolved here
/// when the worker has none. Returns the messages the server accepted (for the
/// Sent folder); every outcome is also an event.
pub(super) async fn send_now(
    context: &Context,
    store: &mut Store,
    raw: &[u8],
    credentials: Option<&Credentials>,
) -> Vec<Vec<u8>> {
    let failed = |error: String| Event::SendFailed {
        account: context.id,
        outbox: None,
        error,
        reply: None,
    };
    if let Err(err) = queue_message(store, context.id, raw) {
        context.emit(failed(err.to_string()));
        return Vec::new();
    }
    let resolved;
    let credentials = match credentials {
        Some(credentials) => credentials,
        None => {
            match Credentials::of(
                &context.token_dir,
                &context.account,
                context.options.password_timeout,
            )
            .await
            {
                Ok(found) => {
                    resolved = found;
                    &resolved
                }
                Err(err) => {
                    // Queued: it goes out with the next send that can log in.
                    context.emit(failed(
                        explain::credentials_error(&err, &context.account).to_string(),
                    ));
                    return Vec::new();
                }
            }
        }
    };
    send_queued(context, store, credentials).await
}

/// Sends every due message of the account; events for each outcome.
async fn send_queued(
    context: &Context,
    store: &mut Store,
    credentials: &Credentials,
) -> Vec<Vec<u8>> {
    let account = &context.account;
    let options = ConnectOptions::for_account(account);
    let options = &options;
    let connect = move || smtp::connect(account, credentials, options);
    let run = match send_outbox(store, context.id, connect).await {
        Ok(run) => run,
        Err(err) => {
            context.error("sending", err);
            return Vec::new();
        }
    };
    for failure in run.failed {
        context.emit(Event::SendFailed {
            account: context.id,
            outbox: Some(failure.id),
            error: failure.error,
            reply: failure.reply,
        });
    }
    let mut accepted = Vec::with_capacity(run.sent.len());
    for sent in run.sent {
        context.emit(Event::Sent {
            account: context.id,
            outbox: sent.id,
            reply: sent.reply.text.clone(),
        });
        accepted.push(sent.raw);
    }
    accepted
}
