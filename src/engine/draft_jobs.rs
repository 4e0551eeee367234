//! Draft work that needs the account's server, done by its worker for the drafts
//! keeper ([`super::drafts`]): starting from or recalling a message whose body is
//! not stored yet, and the draft's copy in the Drafts folder.

use super::drafts::{recalled, started, store_error};
use super::perform::{Failure, answer};
use super::worker::{Context, DraftJob};
use super::{Outcome, RequestId};
use crate::backend::{Backend, BackendError};
use crate::compose;
use crate::engine::explain::Problem;
use crate::store::{FolderId, Store};

/// Does `job` and answers `request`. Returns the backend's error when the
/// connection broke (the caller reconnects).
pub(super) async fn run(
    context: &Context,
    backend: &mut Backend,
    store: &mut Store,
    request: RequestId,
    job: DraftJob,
) -> Option<BackendError> {
    let doing = label(&job);
    let done = apply(context, backend, store, job).await;
    answer(context, request, doing, done)
}

pub(super) fn label(job: &DraftJob) -> &'static str {
    match job {
        DraftJob::Start { .. } => "starting a message",
        DraftJob::Recall { .. } => "opening the draft",
        DraftJob::Postpone { .. } => "saving the draft to Drafts",
        DraftJob::RemoveCopy { .. } => "removing the draft from Drafts",
    }
}

async fn apply(
    context: &Context,
    backend: &mut Backend,
    store: &mut Store,
    job: DraftJob,
) -> Result<(Vec<FolderId>, Outcome), Failure> {
    let account = (context.id, &context.account);
    match job {
        DraftJob::Start { how, id } => {
            let raw = backend.fetch_body(store, id).await?;
            let compose = &context.options.compose;
            let draft =
                started(store, account, compose, (how, id), &raw).map_err(Failure::Local)?;
            Ok((Vec::new(), draft))
        }
        DraftJob::Recall { message } => {
            let raw = backend.fetch_body(store, message).await?;
            let draft = recalled(store, account, message, &raw).map_err(Failure::Local)?;
            Ok((Vec::new(), draft))
        }
        DraftJob::Postpone { id } => {
            let Some(row) = store.draft(id).map_err(BackendError::from)? else {
                // Sent or discarded since: there is nothing to keep.
                return Ok((Vec::new(), Outcome::Nothing));
            };
            let raw = compose::drafts_folder_copy(&row.draft).map_err(|error| {
                Failure::Local(Problem::with(
                    format!("the draft could not be made into a message: {error}"),
                    "one of its files cannot be read",
                    "detach it or put the file back; the draft is kept in postern either way",
                ))
            })?;
            let copy = backend
                .replace_draft(store, &raw, row.draft.remote_copy)
                .await?;
            store
                .set_draft_remote_copy(id, copy.message)
                .map_err(|e| Failure::Local(store_error(e)))?;
            Ok((copy.changed, Outcome::Nothing))
        }
        DraftJob::RemoveCopy { message } => {
            let changed = backend.remove_draft(store, message).await?;
            Ok((changed, Outcome::Nothing))
        }
    }
}
