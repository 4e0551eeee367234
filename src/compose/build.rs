//! A draft as a message: strictly for sending (every address checked), leniently
//! for the Drafts folder (an unfinished message is still kept).

use crate::mime::Address;
use crate::mime::compose::{
    AddressError, Attachment, AttachmentSource, ComposeError, Draft, parse_address,
    parse_address_list,
};
use crate::store::{DraftFileSource, NewDraft};

/// Why a draft cannot become a message, naming the field.
#[derive(Debug, thiserror::Error)]
pub enum DraftError {
    #[error("{field}: {error}")]
    Address {
        field: &'static str,
        #[source]
        error: AddressError,
    },
    #[error("From: there is no sender address")]
    NoSender,
    #[error(transparent)]
    Compose(#[from] ComposeError),
}

/// The draft as a message to build, every address read strictly.
pub fn to_mime(draft: &NewDraft) -> Result<Draft, DraftError> {
    let written = &draft.written;
    let list = |field: &'static str, text: &str| {
        parse_address_list(text).map_err(|error| DraftError::Address { field, error })
    };
    let from = if written.from.trim().is_empty() {
        return Err(DraftError::NoSender);
    } else {
        parse_address(&written.from).map_err(|error| DraftError::Address {
            field: "From",
            error,
        })?
    };
    Ok(Draft {
        from,
        to: list("To", &written.to)?,
        cc: list("Cc", &written.cc)?,
        bcc: list("Bcc", &written.bcc)?,
        subject: written.subject.clone(),
        body: written.body.clone(),
        attachments: attachments(draft),
        in_reply_to: draft.in_reply_to.clone(),
        references: draft.references.clone(),
    })
}

/// The message to queue: a fresh Message-ID and Date, Bcc kept for the outbox (it
/// is removed on the wire), files read now.
pub fn outgoing_message(draft: &NewDraft) -> Result<Vec<u8>, DraftError> {
    Ok(to_mime(draft)?.to_message()?)
}

/// The copy for the server's Drafts folder: what does not parse as an address is
/// kept as a name, so nothing typed is dropped; no recipient is fine.
pub fn drafts_folder_copy(draft: &NewDraft) -> Result<Vec<u8>, ComposeError> {
    let written = &draft.written;
    let lenient = |text: &str| -> Vec<Address> {
        if let Ok(list) = parse_address_list(text) {
            return list;
        }
        text.split([',', ';'])
            .map(str::trim)
            .filter(|item| !item.is_empty())
            .map(|item| {
                parse_address(item).unwrap_or_else(|_| Address {
                    name: Some(item.to_owned()),
                    email: String::new(),
                })
            })
            .collect()
    };
    let message = Draft {
        from: lenient(&written.from)
            .into_iter()
            .next()
            .unwrap_or_default(),
        to: lenient(&written.to),
        cc: lenient(&written.cc),
        bcc: lenient(&written.bcc),
        subject: written.subject.clone(),
        body: written.body.clone(),
        attachments: attachments(draft),
        in_reply_to: draft.in_reply_to.clone(),
        references: draft.references.clone(),
    };
    message.to_unchecked_message()
}

fn attachments(draft: &NewDraft) -> Vec<Attachment> {
    draft
        .files
        .iter()
        .map(|file| Attachment {
            filename: file.filename.clone(),
            mime_type: file.mime_type.clone(),
            source: match &file.source {
                DraftFileSource::Path(path) => AttachmentSource::Path(path.clone()),
                DraftFileSource::Bytes(bytes) => AttachmentSource::Bytes(bytes.clone()),
            },
        })
        .collect()
}
