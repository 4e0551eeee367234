//! Carrying out a front end's request on an account's mail, the same way for every
//! kind of account, and answering it: `Changed` for the folders it touched, then
//! `Done`; or `Failed` with the explanation.

use super::worker::Context;
use super::{Event, Operation, Outcome, RequestId, pipe, save};
use crate::backend::{Backend, BackendError};
use crate::engine::explain::Problem;
use crate::store::{FolderId, MessageId, Store};
use crate::sync::FlagChange;

/// Why a request was not carried out.
pub(super) enum Failure {
    Backend(BackendError),
    /// Work done here, not by the backend (a pipe's command, a file to save).
    Local(Problem),
}

impl From<BackendError> for Failure {
    fn from(error: BackendError) -> Failure {
        Failure::Backend(error)
    }
}

/// Runs `op` and answers `request`. Returns the backend's error when the connection
/// broke (the caller reconnects); every other failure is answered and done with.
pub(super) async fn run(
    context: &Context,
    backend: &mut Backend,
    store: &mut Store,
    request: RequestId,
    op: Operation,
) -> Option<BackendError> {
    let doing = label(&op);
    let done = apply(context, backend, store, op).await;
    answer(context, request, doing, done)
}

/// Answers `request` with what came of it: `Done` then `Changed` for the folders it
/// touched, or `Failed` explained. Returns the backend's error when the connection
/// broke.
pub(super) fn answer(
    context: &Context,
    request: RequestId,
    doing: &str,
    done: Result<(Vec<FolderId>, Outcome), Failure>,
) -> Option<BackendError> {
    match done {
        Ok((folders, outcome)) => {
            // Done first: a front end that hears it stops laying the change over what
            // it reads, and the reloads that Changed asks for read the store after it.
            context.emit(Event::Done { request, outcome });
            if !folders.is_empty() {
                context.changed(folders);
            }
            None
        }
        Err(Failure::Local(problem)) => {
            context.failed(request, doing, problem);
            None
        }
        Err(Failure::Backend(error)) => {
            let problem = context.explain(&error);
            if error.is_connection_failure() {
                context.failed(request, doing, problem.passing());
                Some(error)
            } else {
                context.failed(request, doing, problem);
                None
            }
        }
    }
}

/// What a request is doing, for its explanation ("work: moving: ...").
pub(super) fn label(op: &Operation) -> &'static str {
    match op {
        Operation::SetFlags { .. } => "changing flags",
        Operation::Move { .. } => "moving",
        Operation::Copy { .. } => "copying",
        Operation::Delete { .. } => "deleting",
        Operation::Archive { .. } => "archiving",
        Operation::Pipe { .. } => "piping",
        Operation::Save { .. } => "saving",
    }
}

async fn apply(
    context: &Context,
    backend: &mut Backend,
    store: &mut Store,
    op: Operation,
) -> Result<(Vec<FolderId>, Outcome), Failure> {
    let changed = match op {
        Operation::SetFlags { ids, add, remove } => {
            backend
                .set_flags(store, &ids, FlagChange { add, remove })
                .await?
        }
        Operation::Move { ids, to } => backend.move_to(store, &ids, to).await?,
        Operation::Copy { ids, to } => backend.copy_to(store, &ids, to).await?,
        Operation::Delete { ids } => backend.delete(store, &ids).await?,
        Operation::Archive { ids, create } => {
            let configured = context.account.archive_folder.as_deref();
            backend.archive(store, &ids, configured, create).await?
        }
        Operation::Pipe { ids, command } => {
            // Oldest first, as a patch series is applied (`git am`).
            let ids = chronological(store, ids).map_err(BackendError::from)?;
            let sources = sources(backend, store, &ids).await?;
            let raws: Vec<Vec<u8>> = sources.into_iter().map(|source| source.raw).collect();
            let output = pipe::run(&command, &raws, pipe::TIMEOUT)
                .await
                .map_err(Failure::Local)?;
            return Ok((Vec::new(), Outcome::Text(output)));
        }
        Operation::Save { ids, path } => {
            let sources = sources(backend, store, &ids).await?;
            let saved = save::save(&path, &sources).map_err(Failure::Local)?;
            return Ok((Vec::new(), Outcome::Text(saved)));
        }
    };
    Ok((changed, Outcome::Nothing))
}

/// `ids` by their date, oldest first.
fn chronological(
    store: &Store,
    ids: Vec<MessageId>,
) -> Result<Vec<MessageId>, crate::store::StoreError> {
    let mut dated = ids
        .into_iter()
        .map(|id| Ok((store.envelope(id)?.date, id)))
        .collect::<Result<Vec<_>, crate::store::StoreError>>()?;
    dated.sort();
    Ok(dated.into_iter().map(|(_, id)| id).collect())
}

/// Each message's full source (fetched when only its envelope is stored).
async fn sources(
    backend: &mut Backend,
    store: &mut Store,
    ids: &[MessageId],
) -> Result<Vec<save::Source>, Failure> {
    let mut sources = Vec::with_capacity(ids.len());
    for &id in ids {
        let raw = backend.fetch_body(store, id).await?;
        let subject = store.envelope(id).map_err(BackendError::from)?.subject;
        sources.push(save::Source { id, subject, raw });
    }
    Ok(sources)
}
