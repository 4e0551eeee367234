//! Building outgoing messages: a [`Draft`] becomes RFC 5322 bytes through
//! mail-builder (the same family as mail-parser, which reads them back).
//!
//! mail-builder chooses the transfer encoding per part (7bit, quoted-printable or
//! base64, whichever is valid and shortest), encodes non-ASCII header text with
//! RFC 2047 and non-ASCII attachment names with RFC 2231. Bcc stays in the built
//! message (the outbox's record of who gets a copy) and is stripped when sending:
//! see [`prepare_for_sending`].

mod addresses;
mod editor_text;
mod outgoing;

use std::borrow::Cow;
use std::path::{Path, PathBuf};

use mail_builder::MessageBuilder;
use mail_builder::headers::address::Address as BuilderAddress;
use mail_builder::headers::message_id::MessageId;
use mail_builder::headers::raw::Raw;
use mail_builder::headers::text::Text;

pub use addresses::{AddressError, check_email, parse_address, parse_address_list};
pub use editor_text::{TextProblem, Written};
pub use outgoing::{Outgoing, message_from_eml, prepare_for_sending};

use crate::mime::Address;

/// What went wrong building or reading an outgoing message.
#[derive(Debug, thiserror::Error)]
pub enum ComposeError {
    #[error(transparent)]
    Address(#[from] AddressError),
    #[error("the message has no recipient\n  hint: give at least one address in To, Cc or Bcc")]
    NoRecipients,
    #[error("the message has no sender: it needs a From header with an address")]
    NoSender,
    #[error("the sender address `{address}` is not valid: {reason}")]
    InvalidSender {
        address: String,
        reason: &'static str,
    },
    #[error("the {header} address `{address}` is not valid: {reason}")]
    InvalidRecipient {
        header: &'static str,
        address: String,
        reason: &'static str,
    },
    #[error("cannot read the attachment {}: {source}", path.display())]
    AttachmentRead {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("this is not a mail message: {reason}")]
    NotAMessage { reason: &'static str },
    #[error("cannot build the message: {0}")]
    Build(#[source] std::io::Error),
}

/// Where an attachment's bytes come from.
#[derive(Clone, PartialEq, Eq)]
pub enum AttachmentSource {
    /// Read when the message is built.
    Path(PathBuf),
    Bytes(Vec<u8>),
}

impl std::fmt::Debug for AttachmentSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AttachmentSource::Path(path) => f.debug_tuple("Path").field(path).finish(),
            AttachmentSource::Bytes(bytes) => write!(f, "Bytes({} bytes)", bytes.len()),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    pub source: AttachmentSource,
    /// The name the recipient sees.
    pub filename: String,
    pub mime_type: String,
}

impl Attachment {
    /// A file, named as on disk, its type guessed from the extension.
    pub fn from_path(path: impl Into<PathBuf>) -> Attachment {
        let path = path.into();
        let filename = path
            .file_name()
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_else(|| "attachment".to_owned());
        Attachment {
            mime_type: guess_mime_type(&filename),
            filename,
            source: AttachmentSource::Path(path),
        }
    }

    /// Bytes in memory under `filename`, the type guessed from its extension.
    pub fn from_bytes(filename: impl Into<String>, bytes: Vec<u8>) -> Attachment {
        let filename = filename.into();
        Attachment {
            mime_type: guess_mime_type(&filename),
            filename,
            source: AttachmentSource::Bytes(bytes),
        }
    }

    fn bytes(&self) -> Result<Cow<'_, [u8]>, ComposeError> {
        match &self.source {
            AttachmentSource::Bytes(bytes) => Ok(Cow::Borrowed(bytes)),
            AttachmentSource::Path(path) => {
                std::fs::read(path)
                    .map(Cow::Owned)
                    .map_err(|source| ComposeError::AttachmentRead {
                        path: path.clone(),
                        source,
                    })
            }
        }
    }
}

/// The MIME type for a file name, `application/octet-stream` when unknown.
pub fn guess_mime_type(filename: &str) -> String {
    mime_guess::from_path(Path::new(filename))
        .first_raw()
        .unwrap_or("application/octet-stream")
        .to_owned()
}

/// A message as the user writes it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Draft {
    /// The account's name and address.
    pub from: Address,
    pub to: Vec<Address>,
    pub cc: Vec<Address>,
    /// Receive the message but are not named in it.
    pub bcc: Vec<Address>,
    pub subject: String,
    /// Plain text; any line ends.
    pub body: String,
    pub attachments: Vec<Attachment>,
    /// Message-ID of the message replied to, with or without `<>`.
    pub in_reply_to: Option<String>,
    /// The thread's Message-IDs, oldest first, with or without `<>`.
    pub references: Vec<String>,
}

impl Draft {
    pub fn new(from: Address) -> Draft {
        Draft {
            from,
            ..Draft::default()
        }
    }

    /// The complete message for the outbox, Bcc header included (it is removed when
    /// sent). A fresh Message-ID and the local time as Date on every call.
    pub fn to_message(&self) -> Result<Vec<u8>, ComposeError> {
        check_email(&self.from.email).map_err(|reason| ComposeError::InvalidSender {
            address: self.from.email.clone(),
            reason,
        })?;
        for (header, list) in [("To", &self.to), ("Cc", &self.cc), ("Bcc", &self.bcc)] {
            for address in list {
                check_email(&address.email).map_err(|reason| ComposeError::InvalidRecipient {
                    header,
                    address: address.email.clone(),
                    reason,
                })?;
            }
        }
        if self.to.is_empty() && self.cc.is_empty() && self.bcc.is_empty() {
            return Err(ComposeError::NoRecipients);
        }
        self.to_unchecked_message()
    }

    /// The message as it stands, addresses unchecked and recipients maybe none: a
    /// draft's copy for the Drafts folder, where an unfinished message is kept.
    pub fn to_unchecked_message(&self) -> Result<Vec<u8>, ComposeError> {
        let mut builder = MessageBuilder::new().from(builder_address(&self.from));
        if !self.to.is_empty() {
            builder = builder.to(builder_list(&self.to));
        }
        if !self.cc.is_empty() {
            builder = builder.cc(builder_list(&self.cc));
        }
        if !self.bcc.is_empty() {
            builder = builder.bcc(builder_list(&self.bcc));
        }
        builder = builder
            .subject(Text::new(one_line(&self.subject)))
            .header("Date", Raw::new(local_date()))
            .message_id(new_message_id(&self.from.email));
        if let Some(parent) = self.in_reply_to.as_deref().and_then(bare_id) {
            builder = builder.in_reply_to(MessageId::new(parent));
        }
        let references: Vec<String> = self.references.iter().filter_map(|r| bare_id(r)).collect();
        if !references.is_empty() {
            builder = builder.references(MessageId::from(references));
        }
        builder = builder.header(
            "User-Agent",
            Raw::new(concat!("postern/", env!("CARGO_PKG_VERSION"))),
        );
        builder = builder.text_body(crlf_text(&self.body));
        for attachment in &self.attachments {
            builder = builder.attachment(
                attachment.mime_type.clone(),
                one_line(&attachment.filename),
                attachment.bytes()?.into_owned(),
            );
        }
        builder.write_to_vec().map_err(ComposeError::Build)
    }

    /// The message ready for one SMTP transaction (envelope + bytes without Bcc).
    pub fn compose(&self) -> Result<Outgoing, ComposeError> {
        prepare_for_sending(&self.to_message()?)
    }
}

fn builder_address(address: &Address) -> BuilderAddress<'static> {
    let name = address
        .name
        .as_deref()
        .map(one_line)
        .filter(|name| !name.is_empty());
    BuilderAddress::new_address(name, address.email.clone())
}

fn builder_list(list: &[Address]) -> BuilderAddress<'static> {
    BuilderAddress::new_list(list.iter().map(builder_address).collect())
}

/// Header text on one line: a newline in a subject or name must not start a new
/// header field.
fn one_line(text: &str) -> String {
    text.split(['\r', '\n'])
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
        .trim()
        .to_owned()
}

/// Body text with CRLF line ends, as the wire wants.
fn crlf_text(text: &str) -> String {
    let normalized = outgoing::normalize_line_ends(text.as_bytes());
    // Only ASCII CR/LF bytes were touched, so this is still valid UTF-8.
    String::from_utf8(normalized).unwrap_or_else(|_| text.to_owned())
}

/// `<id@host>` or `id@host` -> `id@host`; `None` when nothing is left.
fn bare_id(id: &str) -> Option<String> {
    let id = id
        .trim()
        .trim_start_matches('<')
        .trim_end_matches('>')
        .trim();
    (!id.is_empty() && !id.contains(char::is_whitespace)).then(|| id.to_owned())
}

/// The Date header value in local time: `Tue, 1 Jul 2025 10:52:37 +0200`.
pub(crate) fn local_date() -> String {
    chrono::Local::now().to_rfc2822()
}

/// A new Message-ID (without `<>`) at the sender's domain: time and 128 random bits.
pub(crate) fn new_message_id(sender: &str) -> String {
    let domain = sender
        .rsplit_once('@')
        .map(|(_, domain)| domain.to_ascii_lowercase())
        .filter(|domain| {
            !domain.is_empty()
                && domain
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
        })
        .unwrap_or_else(|| "postern.invalid".to_owned());
    let mut random = [0u8; 16];
    if getrandom::fill(&mut random).is_err() {
        // No OS randomness (very unusual): time and process id still make it unique
        // enough for a Message-ID, which is not a secret.
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default();
        random = (nanos ^ (u128::from(std::process::id()) << 64)).to_le_bytes();
    }
    let hex: String = random.iter().map(|b| format!("{b:02x}")).collect();
    let seconds = chrono::Utc::now().timestamp();
    format!("{seconds}.{hex}@{domain}")
}
