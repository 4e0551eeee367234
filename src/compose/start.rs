//! How a message starts: new, or from another one (reply, forward, edit as new),
//! with the account's identity, its signature and the configured attribution line.

use crate::config::{Account, AttributionValues, ComposeSettings, fill_attribution};
use crate::mime::Address;
use crate::mime::compose::{AttachmentSource, Draft, Written};
use crate::mime::reply::{self, Original, ReplyError, Start, You};
use crate::store::{DraftFile, DraftFileSource, MessageId, NewDraft};

use super::signature::read_signature;

/// Width a quoted original is rendered at: quoting adds `> `, and 72 columns is
/// what mail readers wrap at.
const QUOTE_WIDTH: usize = 72;
/// Width for text that is taken over as it is (forwarded, recalled, copied): wide
/// enough that no line of plain text is wrapped.
const UNWRAPPED: usize = 10_000;

/// What a message starts from.
#[derive(Debug, Clone, Copy)]
pub enum Begin<'a> {
    /// A new message; what is already known of it (a `mailto:` link, `--to`).
    New(&'a Written),
    /// From another message: `raw` is its source, `id` where it is in the store.
    From {
        how: Start,
        raw: &'a [u8],
        id: MessageId,
    },
    /// Go on writing a draft kept as a message in a Drafts folder (`id`): it
    /// becomes that copy's new version.
    Recall { raw: &'a [u8], id: MessageId },
}

/// A started message, and what went wrong on the way that did not stop it (a
/// signature that could not be read).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Begun {
    pub draft: NewDraft,
    pub notes: Vec<String>,
}

/// Starts a message from `account`. A reply to a message from no list (`ReplyList`)
/// or bytes that are no mail are errors; everything else starts.
pub fn begin(
    account: &Account,
    settings: &ComposeSettings,
    begin: Begin<'_>,
) -> Result<Begun, ReplyError> {
    let mut notes = Vec::new();
    let draft = match begin {
        Begin::New(known) => {
            let signature = signature(account, &mut notes);
            new_message(account, known, signature.as_deref())
        }
        Begin::Recall { raw, id } => {
            let original = Original::parse(raw, UNWRAPPED)?;
            NewDraft {
                remote_copy: Some(id),
                ..from_mime(&reply::recall(&original))
            }
        }
        Begin::From { how, raw, id } => {
            let width = match how {
                Start::Reply | Start::ReplyAll | Start::ReplyList => QUOTE_WIDTH,
                Start::Forward | Start::ForwardAttached | Start::EditAsNew => UNWRAPPED,
            };
            let original = Original::parse(raw, width)?;
            let identities: Vec<Address> = account
                .identities
                .iter()
                .map(|i| Address {
                    name: i.name.clone(),
                    email: i.email.clone(),
                })
                .collect();
            let is_own = |email: &str| account.is_own(email);
            let you = You {
                identities: &identities,
                is_own: &is_own,
            };
            let attribution = original.attribution();
            let line = fill_attribution(
                &settings.attribution,
                &AttributionValues {
                    date: &attribution.date,
                    from: &attribution.from,
                    name: &attribution.name,
                    subject: &attribution.subject,
                },
            );
            // A copy as new keeps the text as it was, signature included.
            let signature = match how {
                Start::EditAsNew => None,
                _ => signature(account, &mut notes),
            };
            let started = reply::start(how, &original, you, &line, signature.as_deref())?;
            let mut draft = from_mime(&started);
            match how {
                Start::Reply | Start::ReplyAll | Start::ReplyList => draft.answers = Some(id),
                Start::Forward | Start::ForwardAttached => draft.forwards = Some(id),
                Start::EditAsNew => {}
            }
            draft
        }
    };
    Ok(Begun { draft, notes })
}

/// The account's signature; one that cannot be read is a note, not a failure.
fn signature(account: &Account, notes: &mut Vec<String>) -> Option<String> {
    match read_signature(account.signature.as_ref()?) {
        Ok(text) => text,
        Err(error) => {
            notes.push(error.to_string());
            None
        }
    }
}

/// A new message from the account's own identity, the signature below what is known.
fn new_message(account: &Account, known: &Written, signature: Option<&str>) -> NewDraft {
    let mut written = known.clone();
    if written.from.trim().is_empty() {
        written.from = identity_address(account).display();
    }
    if let Some(signature) = signature {
        if !written.body.is_empty() && !written.body.ends_with('\n') {
            written.body.push('\n');
        }
        // Room to write above it.
        if written.body.is_empty() {
            written.body.push('\n');
        }
        written.body.push_str("\n-- \n");
        written
            .body
            .push_str(signature.strip_prefix("-- \n").unwrap_or(signature));
        written.body.push('\n');
    }
    NewDraft {
        written,
        ..NewDraft::default()
    }
}

/// The account's own `From`: its display name and address.
pub fn identity_address(account: &Account) -> Address {
    Address {
        name: account.display_name.clone(),
        email: account.email.clone(),
    }
}

/// Addresses as the composer shows them: `Name <addr>, addr`.
pub fn format_list(addresses: &[Address]) -> String {
    addresses
        .iter()
        .map(Address::display)
        .collect::<Vec<_>>()
        .join(", ")
}

/// A started message as a draft to keep: its headers as text, its files kept.
fn from_mime(draft: &Draft) -> NewDraft {
    NewDraft {
        written: Written {
            from: draft.from.display(),
            to: format_list(&draft.to),
            cc: format_list(&draft.cc),
            bcc: format_list(&draft.bcc),
            subject: draft.subject.clone(),
            body: draft.body.clone(),
        },
        in_reply_to: draft.in_reply_to.clone(),
        references: draft.references.clone(),
        files: draft
            .attachments
            .iter()
            .map(|a| DraftFile {
                filename: a.filename.clone(),
                mime_type: a.mime_type.clone(),
                source: match &a.source {
                    AttachmentSource::Path(path) => DraftFileSource::Path(path.clone()),
                    AttachmentSource::Bytes(bytes) => DraftFileSource::Bytes(bytes.clone()),
                },
            })
            .collect(),
        ..NewDraft::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    fn account(extra: &str) -> Account {
        let text = format!(
            "[accounts.work]\nemail = \"ada@example.org\"\ndisplay_name = \"Ada L\"\n\
             receive = \"maildir\"\nmaildir = \"/tmp/m\"\naliases = [\"ada@alias.org\"]\n{extra}"
        );
        let config = Config::parse_str(&text, std::path::Path::new("t.toml")).unwrap();
        config.accounts[0].clone()
    }

    const ORIGINAL: &[u8] = b"Message-ID: <m1@example.net>\r\nFrom: Bob <bob@example.net>\r\n\
        To: ada@alias.org, carol@example.net\r\nDate: Mon, 1 Dec 2025 10:00:00 +0000\r\n\
        Subject: Plans\r\n\r\nShall we?\r\n";

    #[test]
    fn a_new_message_is_from_the_account_with_the_signature_below_room_to_write() {
        let account = account("signature_command = \"echo Ada\"");
        let begun = begin(
            &account,
            &ComposeSettings::default(),
            Begin::New(&Written::default()),
        )
        .unwrap();
        assert_eq!(begun.draft.written.from, "Ada L <ada@example.org>");
        assert_eq!(begun.draft.written.body, "\n\n-- \nAda\n");
        assert!(begun.notes.is_empty());
    }

    #[test]
    fn a_reply_answers_the_original_from_the_address_it_was_sent_to() {
        let account = account("");
        let settings = ComposeSettings {
            attribution: "{name} wrote on {date}:".into(),
            ..ComposeSettings::default()
        };
        let how = Begin::From {
            how: Start::ReplyAll,
            raw: ORIGINAL,
            id: MessageId(7),
        };
        let draft = begin(&account, &settings, how).unwrap().draft;
        assert_eq!(draft.answers, Some(MessageId(7)));
        assert_eq!(draft.forwards, None);
        assert_eq!(draft.written.to, "Bob <bob@example.net>");
        assert_eq!(draft.written.cc, "carol@example.net");
        assert_eq!(draft.written.subject, "Re: Plans");
        assert_eq!(draft.in_reply_to.as_deref(), Some("m1@example.net"));
        assert!(
            draft
                .written
                .body
                .starts_with("Bob wrote on Mon, 1 Dec 2025 10:00:00 +0000:\n> Shall we?"),
            "{}",
            draft.written.body
        );
    }

    #[test]
    fn a_forward_remembers_what_it_forwards() {
        let how = Begin::From {
            how: Start::Forward,
            raw: ORIGINAL,
            id: MessageId(7),
        };
        let draft = begin(&account(""), &ComposeSettings::default(), how)
            .unwrap()
            .draft;
        assert_eq!(draft.forwards, Some(MessageId(7)));
        assert_eq!(draft.written.subject, "Fwd: Plans");
    }

    #[test]
    fn a_recalled_draft_is_as_it_was_kept_and_replaces_its_copy() {
        let kept = b"From: Ada L <ada@example.org>\r\nTo: bob@example.net\r\n\
            Bcc: eve@example.net\r\nSubject: Plans\r\nIn-Reply-To: <m0@example.net>\r\n\
            References: <m0@example.net>\r\n\r\nA line that is much longer than seventy-two \
            columns, kept as it is written.\r\n";
        let how = Begin::Recall {
            raw: kept,
            id: MessageId(3),
        };
        let signed = account("signature_command = \"echo Ada\"");
        let draft = begin(&signed, &ComposeSettings::default(), how)
            .unwrap()
            .draft;
        assert_eq!(draft.remote_copy, Some(MessageId(3)));
        assert_eq!(draft.written.from, "Ada L <ada@example.org>");
        assert_eq!(draft.written.bcc, "eve@example.net");
        assert_eq!(draft.in_reply_to.as_deref(), Some("m0@example.net"));
        assert_eq!(draft.references, vec!["m0@example.net"]);
        assert_eq!(
            draft.written.body.trim_end(),
            "A line that is much longer than seventy-two columns, kept as it is written.",
            "unwrapped, and no second signature"
        );
    }

    #[test]
    fn a_signature_that_cannot_be_read_is_a_note_not_a_failure() {
        let account = account("signature_file = \"/nonexistent/signature\"");
        let begun = begin(
            &account,
            &ComposeSettings::default(),
            Begin::New(&Written::default()),
        )
        .unwrap();
        assert_eq!(begun.draft.written.body, "");
        assert!(
            begun.notes[0].contains("/nonexistent/signature"),
            "{:?}",
            begun.notes
        );
    }
}
